"""``manage.py import_areas CITY_SLUG FILE.csv [--dry-run]``: load a city's areas from CSV.

The file format is described in docs/areas-csv.md. Every problem in the file is printed as
``line N, column X: message`` on stderr, and then the command fails with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from learningcity.cities.models import City
from learningcity.cities.services import AREA_IMPORT_MAX_BYTES, AreaImportReport, areas_import
from learningcity.core import errors


class Command(BaseCommand):
    help = "Create or update a city's wards and postcode districts from a CSV file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("city_slug", help="The slug of the city, like brighton-and-hove.")
        parser.add_argument("file", type=Path, help="The CSV file (see docs/areas-csv.md).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change, without writing anything.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["city_slug"]
        path: Path = options["file"]
        try:
            city = City.objects.get(slug=slug)
        except City.DoesNotExist:
            known = ", ".join(City.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                errors.AREA_IMPORT_CITY_UNKNOWN.format(slug=slug, known=known or "none yet")
            ) from None
        try:
            with path.open("rb") as file:
                # One byte over the limit is enough for the service to refuse the file, and
                # spares reading a huge one into memory.
                data = file.read(AREA_IMPORT_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror or error}.") from None

        report = areas_import(city=city, csv_text=data, dry_run=options["dry_run"])
        if report.errors:
            for problem in report.errors:
                self.stderr.write(
                    f"{path.name}: {problem}" if problem.line is None else str(problem)
                )
            count = len(report.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was imported."
            )
        self.stdout.write(self.style.SUCCESS(_summary(city=city, report=report)))


def _summary(*, city: City, report: AreaImportReport) -> str:
    counts = (
        f"{report.created} area{'s' if report.created != 1 else ''} created, "
        f"{report.updated} updated, {report.unchanged} unchanged; "
        f"{report.districts_mapped} postcode district{'s' if report.districts_mapped != 1 else ''}"
        " mapped"
    )
    if report.dry_run:
        return f"Dry run for {city.name} (nothing written): {counts}."
    return f"{city.name}: {counts}."
