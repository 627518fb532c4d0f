"""``manage.py import_skills CITY_SLUG FILE.csv --framework NAME [--url URL]``.

Adds a skills framework to a city, or updates one, from a CSV file with the columns ``name``
(required), ``code``, ``description`` and ``url``. Every problem is printed as
``line N, column X: message`` on stderr, and then the command fails with nothing written.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from learningcity.badges.skills import SKILL_IMPORT_MAX_BYTES, skills_import
from learningcity.cities.models import City
from learningcity.core import errors


class Command(BaseCommand):
    help = "Create or update a city's skills framework from a CSV file."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("city_slug", help="The slug of the city, like brighton-and-hove.")
        parser.add_argument(
            "file", type=Path, help="CSV with columns name, code, description, url."
        )
        parser.add_argument("--framework", required=True, help="The framework's name.")
        parser.add_argument("--url", default="", help="The framework's web page.")

    def handle(self, *args: Any, **options: Any) -> None:
        slug: str = options["city_slug"]
        path: Path = options["file"]
        city = City.objects.filter(slug=slug).first()
        if city is None:
            known = ", ".join(City.objects.order_by("slug").values_list("slug", flat=True))
            raise CommandError(
                errors.AREA_IMPORT_CITY_UNKNOWN.format(slug=slug, known=known or "none yet")
            )
        try:
            with path.open("rb") as file:
                data = file.read(SKILL_IMPORT_MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Can't read {path}: {error.strerror or error}.") from None
        report = skills_import(
            city=city,
            framework_name=options["framework"],
            framework_url=options["url"],
            csv_data=data,
        )
        if report.errors:
            for problem in report.errors:
                self.stderr.write(str(problem))
            count = len(report.errors)
            raise CommandError(
                f"{count} problem{'s' if count != 1 else ''} in {path}; nothing was imported."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['framework']} in {city.name}: {report.created} skills added, "
                f"{report.updated} updated."
            )
        )
