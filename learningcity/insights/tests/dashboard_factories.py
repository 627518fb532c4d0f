"""Figure rows made by hand for the dashboard tests (selectors, views, exports, access), so
they test the reading side without depending on the refresh."""

from __future__ import annotations

import datetime

from learningcity.cities.models import City
from learningcity.insights.models import Figure, Refresh

AS_OF = datetime.datetime(2026, 11, 28, 3, 0, tzinfo=datetime.UTC)
FEWER = "fewer"
WITHHELD = "withheld"


def make_refresh(
    city: City, *, as_of: datetime.datetime = AS_OF, status: str = Refresh.Status.DONE
) -> Refresh:
    return Refresh.objects.create(
        city=city,
        started_at=as_of,
        finished_at=as_of if status == Refresh.Status.DONE else None,
        as_of=as_of,
        status=status,
    )


def fig(
    refresh: Refresh,
    metric: str,
    period: str,
    count: int | str,
    *,
    dimension: str = "total",
    value: str = "",
    organisation_id: int | None = None,
    filter_kind: str = "",
    filter_value: str = "",
) -> Figure:
    """One published figure: ``count`` an int (shown), ``FEWER`` or ``WITHHELD``."""
    status = count if isinstance(count, str) else Figure.Status.SHOWN
    return Figure.objects.create(
        refresh=refresh,
        city_id=refresh.city_id,
        organisation_id=organisation_id,
        period=period,
        metric=metric,
        filter_kind=filter_kind,
        filter_value=filter_value,
        dimension=dimension,
        value=value,
        status=status,
        count=None if isinstance(count, str) else count,
    )
