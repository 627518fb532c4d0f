"""Background tasks of the insights app. Each takes ids (task arguments must be JSON)."""

from __future__ import annotations

from django_tasks import task

from learningcity.cities.models import City

from .refresh import insights_refresh


@task()
def insights_refresh_run(*, city_id: int) -> int:
    """Rebuild one city's facts and figures as of now; returns the ``Refresh`` id. A failure is
    recorded on the ``Refresh`` (the previous figures stay) and raised, so the task fails too."""
    city = City.objects.get(pk=city_id)
    return insights_refresh(city=city).pk


def insights_refresh_enqueue_all() -> list[int]:
    """Enqueue a refresh of every city (what a nightly scheduler calls); returns the city ids."""
    city_ids = list(City.objects.order_by("pk").values_list("pk", flat=True))
    for city_id in city_ids:
        insights_refresh_run.enqueue(city_id=city_id)
    return city_ids
