"""The two demo cities, Brighton & Hove and Plymouth, with their wards and postcode districts.

The areas come from CSV files in ``demo_data/`` (see ``demo_data/SOURCES.md`` for where the
names come from and which figures are approximate), imported through ``areas_import`` exactly
as a city's own file would be.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction

from .models import City
from .services import areas_import

DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"

# Both primary and accent colours carry white text at better than 4.5:1 (WCAG 2.2 AA).
DEMO_CITIES: tuple[dict[str, str], ...] = (
    {
        "slug": "brighton-and-hove",
        "name": "Brighton & Hove",
        "timezone": "Europe/London",
        "primary_colour": "#0b5cad",  # 6.7:1 on white
        "accent_colour": "#a3195b",  # 7.4:1 on white
        "tagline": "Learning by the sea, from Portslade to Saltdean",
        "description": (
            "Clubs, courses, workshops and volunteering across the city's 23 wards, from youth "
            "groups in Whitehawk to coding clubs in Hove. Earn a badge for what you learn and "
            "keep it for good."
        ),
    },
    {
        "slug": "plymouth",
        "name": "Plymouth",
        "timezone": "Europe/London",
        "primary_colour": "#00606b",  # 7.3:1 on white
        "accent_colour": "#8a4b00",  # 6.8:1 on white
        "tagline": "Britain's Ocean City, learning all year round",
        "description": (
            "Find learning across Plymouth's 20 wards, from sailing and marine science on the "
            "Waterfront to music, sport and digital skills in every neighbourhood. Every badge "
            "you earn is yours to keep and share."
        ),
    },
)


def demo_cities_load() -> list[City]:
    """Create or update the demo cities (by slug) and import their areas; safe to run again.

    Raises ``RuntimeError`` if a demo CSV has problems: that is a bug in this repository, not
    something a person running the demo can fix.
    """
    cities = []
    with transaction.atomic():
        for details in DEMO_CITIES:
            values = {key: value for key, value in details.items() if key != "slug"}
            city, _ = City.objects.update_or_create(
                slug=details["slug"], defaults={**values, "is_live": True}
            )
            csv_bytes = (DEMO_DATA_DIR / f"{city.slug}.csv").read_bytes()
            report = areas_import(city=city, csv_text=csv_bytes)
            if report.errors:
                problems = "; ".join(str(error) for error in report.errors)
                raise RuntimeError(f"demo_data/{city.slug}.csv has problems: {problems}")
            cities.append(city)
    return cities
