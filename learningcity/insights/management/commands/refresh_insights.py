"""``manage.py refresh_insights [CITY_SLUG ...]``: rebuild the dashboards' facts and figures now,
for the cities named (all cities by default), and say what was done and how long it took."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.insights.refresh import insights_refresh


class Command(BaseCommand):
    help = "Rebuild the insights facts and figures of the given cities (all by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", metavar="CITY_SLUG")

    def handle(self, *args: Any, **options: Any) -> None:
        slugs: list[str] = options["slugs"]
        cities = list(City.objects.order_by("slug"))
        if slugs:
            by_slug = {city.slug: city for city in cities}
            for slug in slugs:
                if slug not in by_slug:
                    raise CommandError(errors.INSIGHTS_CITY_UNKNOWN.format(slug=slug))
            cities = [by_slug[slug] for slug in dict.fromkeys(slugs)]
        started = time.perf_counter()
        failed = []
        for city in cities:
            try:
                refresh = insights_refresh(city=city)
            except Exception as exc:  # recorded on the Refresh; go on with the other cities
                failed.append(city.slug)
                self.stderr.write(f"{city.slug}: failed — {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(
                f"{city.slug}: {refresh.facts} facts, {refresh.figures} figures "
                f"in {refresh.seconds:.2f} s (as of {refresh.as_of:%Y-%m-%d %H:%M %Z}; "
                + ", ".join(f"{name} {sec:.2f} s" for name, sec in refresh.phase_seconds.items())
                + ")."
            )
        total = time.perf_counter() - started
        self.stdout.write(
            f"Refreshed {len(cities) - len(failed)} of {len(cities)} "
            f"cit{'y' if len(cities) == 1 else 'ies'} in {total:.2f} s."
        )
        if failed:
            raise CommandError(f"Refresh failed for: {', '.join(failed)}.")
