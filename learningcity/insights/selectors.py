"""Reads for the city and organisation dashboards (issue 7).

Every number comes from ``Figure`` rows of the city's latest finished ``Refresh`` — never from the
live tables — so nothing a page or an export shows can differ from what suppression checked. A
figure the refresh did not write, in a period it did compute, is a true zero (the refresh writes
every non-zero cell, and zeros are never suppressed).

The only live reads are public reference data: area names, centroids and young populations,
topic names.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import QuerySet

from learningcity.accounts.models import AgeBand
from learningcity.badges.models import Level
from learningcity.cities.models import Area, City, PostcodeDistrict
from learningcity.opportunities.models import OpportunityType, Topic
from learningcity.organisations.models import Organisation

from . import catalogue, periods, suppression
from .catalogue import DIMENSIONS, METRICS, Metric, plan
from .models import Figure, Refresh

UNKNOWN = "unknown"
NONE = "none"
ONLINE = "online"
NOT_KNOWN = "not known"
NOT_AVAILABLE = "not available with this filter"
EQUITY_METRICS = ("learners_reached", "awards", "places_booked")
DESERT_METRIC = "opportunities_offered"
DAYS_NOT_SHOWN = "not shown (too few learners)"
# The refresh writes these for the whole city only: a learner joins the city, not an
# organisation; one organisation is trivially "active"; a first badge is a city-wide notion.
CITY_ONLY_METRICS = ("new_learners", "organisations_active")


def threshold() -> int:
    return int(getattr(settings, "INSIGHTS_SUPPRESSION_THRESHOLD", suppression.DEFAULT_THRESHOLD))


# --- Plain data the pages and exports read --------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """A city's figures (``organisation_id`` None) or one organisation's own."""

    city: City
    organisation_id: int | None = None

    @classmethod
    def for_city(cls, city: City) -> Scope:
        return cls(city=city)

    @classmethod
    def for_organisation(cls, organisation: Organisation) -> Scope:
        return cls(city=organisation.city, organisation_id=organisation.pk)

    @property
    def is_city(self) -> bool:
        return self.organisation_id is None


@dataclass(frozen=True)
class FigureFilter:
    """At most one filter: ``kind`` "" (none), "organisation_type" or "topic"."""

    kind: str = ""
    value: str = ""

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.value}" if self.kind else ""

    def applies_to(self, metric: Metric) -> bool:
        return not self.kind or self.kind in metric.filters


NO_FILTER = FigureFilter()


@dataclass(frozen=True)
class InsightsStatus:
    """Whether figures exist yet, and as of when."""

    refresh: Refresh | None

    @property
    def ready(self) -> bool:
        return self.refresh is not None

    @property
    def as_of(self) -> datetime.datetime | None:
        return self.refresh.as_of if self.refresh else None


@dataclass(frozen=True)
class Headline:
    metric: Metric
    cell: suppression.Cell | None  # None: the metric has no figures under this filter
    previous_period: periods.Period | None
    previous: suppression.Cell | None
    change: int | None  # both shown: current − previous

    @property
    def display(self) -> int | str:
        return display(self.cell) if self.cell else NOT_AVAILABLE

    @property
    def previous_display(self) -> int | str:
        if self.previous_period is None or self.cell is None:
            return ""
        return display(self.previous) if self.previous else ""

    @property
    def change_display(self) -> str:
        """ "+12", "−3", "no change", or "" when not comparable (no previous period, or either
        side suppressed: a difference would give a hidden count away)."""
        if self.change is None:
            return ""
        if self.change == 0:
            return "no change"
        return f"+{self.change}" if self.change > 0 else f"−{-self.change}"


@dataclass(frozen=True)
class Row:
    value: str
    label: str
    cell: suppression.Cell

    @property
    def display(self) -> int | str:
        return display(self.cell)


@dataclass(frozen=True)
class Breakdown:
    metric: Metric
    dimension: str
    rows: tuple[Row, ...]
    total: suppression.Cell
    partition: bool

    @property
    def total_display(self) -> int | str:
        return display(self.total)


@dataclass(frozen=True)
class TrendPoint:
    period: periods.Period
    cell: suppression.Cell

    @property
    def display(self) -> int | str:
        return display(self.cell)


@dataclass(frozen=True)
class EquityMeasure:
    metric: Metric
    cell: suppression.Cell
    share: str  # percentage of the scope's total, or "withheld"

    @property
    def display(self) -> int | str:
        return display(self.cell)


@dataclass(frozen=True)
class EquityRow:
    decile: str
    label: str
    measures: tuple[EquityMeasure, ...]  # in ``Equity.metrics`` order
    population: int | None  # young residents of the decile's areas (public), None for unknown
    population_share: str
    reach_ratio: str

    def measure(self, metric: str) -> EquityMeasure:
        return next(m for m in self.measures if m.metric.key == metric)


@dataclass(frozen=True)
class Equity:
    metrics: tuple[Metric, ...]
    rows: tuple[EquityRow, ...]
    totals: tuple[EquityMeasure, ...]  # in ``metrics`` order, share "100.0"
    population_total: int

    def total(self, metric: str) -> suppression.Cell:
        return next(m.cell for m in self.totals if m.metric.key == metric)


@dataclass(frozen=True)
class DesertRow:
    area: Area
    offered: int
    young_population: int | None
    per_thousand: str  # "1.2" or "not known"
    rate: Decimal | None


@dataclass(frozen=True)
class FunnelStep:
    metric: Metric
    cell: suppression.Cell | None  # None: a median the refresh did not write (nobody to count)

    @property
    def display(self) -> int | str:
        """A count as usual; a median of days as "12 days", or "not shown" when too few
        learners contribute (the words of a count, "fewer than 10", would misread as days)."""
        if self.metric.unit == "days":
            if self.cell is None or self.cell.suppressed or self.cell.value is None:
                return DAYS_NOT_SHOWN
            return f"{self.cell.value} day{'' if self.cell.value == 1 else 's'}"
        return display(self.cell)


@dataclass(frozen=True)
class Funnel:
    steps: tuple[FunnelStep, ...]
    days: tuple[FunnelStep, ...]


# --- Cells ----------------------------------------------------------------------------------

_STATUS = {
    Figure.Status.SHOWN: suppression.Status.SHOWN,
    Figure.Status.FEWER: suppression.Status.FEWER_THAN,
    Figure.Status.WITHHELD: suppression.Status.WITHHELD,
}


def cell_of(figure: Figure | None) -> suppression.Cell:
    """A published cell for a figure row; a missing row in a computed period is a true zero."""
    if figure is None:
        return suppression.Cell(suppression.Status.SHOWN, 0, threshold())
    status = _STATUS[Figure.Status(figure.status)]
    value = figure.count if status is suppression.Status.SHOWN else None
    return suppression.Cell(status, value, threshold())


def display(cell: suppression.Cell | None) -> int | str:
    """The count, "fewer than 10" or "withheld" — the only ways a count is ever shown."""
    if cell is None:
        return ""
    return suppression.display(cell)


# --- Reading figures ------------------------------------------------------------------------


def latest_refresh(*, city: City) -> Refresh | None:
    return (
        Refresh.objects.filter(city=city, status=Refresh.Status.DONE)
        .order_by("-started_at", "-pk")
        .first()
    )


def insights_status(*, city: City) -> InsightsStatus:
    """The latest finished refresh of ``city`` (its ``as_of``), or none yet."""
    return InsightsStatus(refresh=latest_refresh(city=city))


def _figures(
    *,
    scope: Scope,
    refresh: Refresh,
    filter: FigureFilter | None = NO_FILTER,
    period: str | Sequence[str] | None = None,
    metric: str | Sequence[str] | None = None,
    dimension: str | None = None,
) -> QuerySet[Figure]:
    """The scope's figures in ``refresh`` (``filter`` None: filtered or not)."""
    rows = Figure.objects.filter(refresh=refresh, city_id=scope.city.pk)
    if filter is not None:
        rows = rows.filter(filter_kind=filter.kind, filter_value=filter.value)
    if scope.organisation_id is None:
        rows = rows.filter(organisation_id__isnull=True)
    else:
        rows = rows.filter(organisation_id=scope.organisation_id)
    if isinstance(period, str):
        rows = rows.filter(period=period)
    elif period is not None:
        rows = rows.filter(period__in=list(period))
    if isinstance(metric, str):
        rows = rows.filter(metric=metric)
    elif metric is not None:
        rows = rows.filter(metric__in=list(metric))
    if dimension is not None:
        rows = rows.filter(dimension=dimension)
    return rows


def available_periods(*, scope: Scope, breakdowns: bool = False) -> list[periods.Period]:
    """The periods the latest refresh computed for ``scope``, newest first as
    ``periods.available`` orders them (the rolling year, years, quarters, months) — with
    ``breakdowns``, only those with breakdowns in the scope (``catalogue.Plan``). None for an
    organisation with no figures at all."""
    refresh = latest_refresh(city=scope.city)
    if refresh is None:
        return []
    keys = list(refresh.period_keys)
    if not keys:  # a refresh written before period_keys existed: read the figures
        found = set(
            _figures(scope=scope, refresh=refresh, filter=None)
            .order_by()
            .values_list("period", flat=True)
            .distinct()
        )
        as_of = refresh.as_of.date()
        parsed = [p for p in (periods.parse(k, as_of=as_of) for k in found) if p is not None]
        if not parsed:
            return []
        first = min(p.start for p in parsed)
        ordered = periods.available(first=first, as_of=as_of, max_months=10_000)
        keys = [p.key for p in ordered if p.key in found]
    elif not scope.is_city and not _figures(scope=scope, refresh=refresh, filter=None).exists():
        return []
    result = [p for p in (_parse(k, refresh) for k in keys) if p is not None]
    if breakdowns:
        kinds = plan(city=scope.is_city).breakdown_kinds
        result = [p for p in result if p.kind in kinds]
    return result


def previous_period(period: periods.Period) -> periods.Period | None:
    """The comparable period before: the month, quarter or year before (none for the rolling
    year: only the current one is computed)."""
    before = period.start - datetime.timedelta(days=1)
    if period.kind == "month":
        return periods.month(before.year, before.month)
    if period.kind == "quarter":
        return periods.quarter(before.year, (before.month - 1) // 3 + 1)
    if period.kind == "year":
        return periods.year(before.year)
    return None


def _parse(period: str, refresh: Refresh) -> periods.Period | None:
    return periods.parse(period, as_of=refresh.as_of.date())


def headline_figures(
    *, scope: Scope, period: str, filter: FigureFilter = NO_FILTER
) -> list[Headline]:
    """Every metric's total for ``period`` beside the previous comparable period's, with the
    change when both are shown. A previous period the refresh did not compute has no figure."""
    refresh = latest_refresh(city=scope.city)
    if refresh is None:
        return []
    current = _parse(period, refresh)
    before = previous_period(current) if current else None
    computed = {p.key for p in available_periods(scope=scope)}
    if before is not None and before.key not in computed:
        before = None
    wanted = [period] + ([before.key] if before else [])
    figures = {
        (f.period, f.metric): f
        for f in _figures(
            scope=scope, refresh=refresh, filter=filter, period=wanted, dimension="total"
        )
    }
    headlines = []
    for metric in scope_metrics(scope=scope):
        if not filter.applies_to(metric):
            headlines.append(Headline(metric, None, None, None, None))
            continue
        cell = cell_of(figures.get((period, metric.key)))
        previous = cell_of(figures.get((before.key, metric.key))) if before else None
        change = None
        if previous is not None and not cell.suppressed and not previous.suppressed:
            assert cell.value is not None and previous.value is not None
            change = cell.value - previous.value
        headlines.append(Headline(metric, cell, before, previous, change))
    return headlines


def scope_metrics(*, scope: Scope) -> list[Metric]:
    """The metrics with headline figures, trends and breakdowns for ``scope`` (the funnel has a
    page of its own; some metrics are the city's only)."""
    funnel = {m.key for m in funnel_metrics()}
    return [
        m
        for m in METRICS.values()
        if m.key not in funnel
        and m.unit == "count"
        and (scope.is_city or m.key not in CITY_ONLY_METRICS)
    ]


def trend(
    *, scope: Scope, metric: str, kind: str = "month", filter: FigureFilter = NO_FILTER
) -> list[TrendPoint]:
    """The metric's total for every month (or quarter) the refresh computed, oldest first."""
    refresh = latest_refresh(city=scope.city)
    spec = METRICS.get(metric)
    if refresh is None or spec not in scope_metrics(scope=scope) or not filter.applies_to(spec):
        return []
    keys = [p for p in available_periods(scope=scope) if p.kind == kind]
    figures = {
        f.period: f
        for f in _figures(
            scope=scope,
            refresh=refresh,
            filter=filter,
            period=[p.key for p in keys],
            metric=metric,
            dimension="total",
        )
    }
    return [TrendPoint(p, cell_of(figures.get(p.key))) for p in sorted(keys)]


# --- Labels ---------------------------------------------------------------------------------


def decile_label(value: str) -> str:
    if value == "1":
        return "1 (most deprived)"
    if value == "10":
        return "10 (least deprived)"
    return value


def _choices_labels(choices: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(str(v), str(label)) for v, label in choices]


def category_labels(*, city: City, dimension: str) -> list[tuple[str, str]] | None:
    """Every known category of ``dimension`` in display order, as (value, label); None for a
    dimension whose categories are not listed ahead (skills)."""
    if dimension in ("home_area", "venue_area"):
        return [(str(pk), name) for pk, name in counted_areas(city=city).values_list("pk", "name")]
    if dimension in ("home_decile", "venue_decile"):
        return [(str(d), decile_label(str(d))) for d in range(1, 11)]
    if dimension == "age_band":
        return _choices_labels(AgeBand.choices)
    if dimension == "topic":
        return [
            (str(pk), name)
            for pk, name in Topic.objects.filter(city=city).values_list("pk", "name")
        ]
    if dimension == "organisation_type":
        return _choices_labels(Organisation.Type.choices)
    if dimension == "opportunity_type":
        return _choices_labels(OpportunityType.choices)
    if dimension == "level":
        return _choices_labels(Level.choices)
    return None


_LAST = {ONLINE: (1, "Online"), NONE: (2, "None"), UNKNOWN: (3, "Unknown")}


def breakdown(
    *,
    scope: Scope,
    period: str,
    metric: str,
    dimension: str,
    filter: FigureFilter = NO_FILTER,
) -> Breakdown | None:
    """``metric`` by ``dimension``: one row per category (every known one, zeros included, in
    the dimension's own order; "online", "none" and "unknown" last), then the total. None when
    the metric has no such breakdown or filter, or there are no figures yet."""
    refresh = latest_refresh(city=scope.city)
    spec = METRICS.get(metric)
    scope_plan = plan(city=scope.is_city)
    current = _parse(period, refresh) if refresh else None
    if (
        refresh is None
        or spec is None
        or current is None
        or dimension not in scope_plan.dimensions(spec)
        or dimension == "total"
        or not filter.applies_to(spec)
        or not scope_plan.publishes(
            period_kind=current.kind, dimension=dimension, filtered=bool(filter.kind)
        )
    ):
        return None
    figures = {
        (f.dimension, f.value): f
        for f in _figures(
            scope=scope,
            refresh=refresh,
            filter=filter,
            period=period,
            metric=metric,
            dimension=None,
        ).filter(dimension__in=[dimension, "total"])
    }
    known = category_labels(city=scope.city, dimension=dimension)
    present = {value for dim, value in figures if dim == dimension}
    rows: list[Row] = []
    if known is None:
        for value in sorted(present - set(_LAST), key=str.casefold):
            rows.append(Row(value, value, cell_of(figures[(dimension, value)])))
    else:
        labels = dict(known)
        for value, label in known:
            rows.append(Row(value, label, cell_of(figures.get((dimension, value)))))
        # Categories that no longer exist (an area since removed) keep their figure.
        for value in sorted(present - set(labels) - set(_LAST)):
            rows.append(
                Row(value, f"{value} (no longer listed)", cell_of(figures[(dimension, value)]))
            )
    for value in sorted(present & set(_LAST), key=lambda v: _LAST[v][0]):
        rows.append(Row(value, _LAST[value][1], cell_of(figures[(dimension, value)])))
    return Breakdown(
        metric=spec,
        dimension=dimension,
        rows=tuple(rows),
        total=cell_of(figures.get(("total", ""))),
        partition=DIMENSIONS[dimension].partition,
    )


# --- Equity ---------------------------------------------------------------------------------


def _percent(part: suppression.Cell, whole: suppression.Cell) -> str:
    return suppression.ratio_display(part, whole, scale=100, places=1)


def _reach_ratio(
    learners: suppression.Cell,
    learners_total: suppression.Cell,
    population: int | None,
    population_total: int,
) -> str:
    """(decile's learners ÷ all learners) ÷ (decile's young residents ÷ all young residents),
    to 2 dp; "withheld" when a learner count it needs is suppressed."""
    if learners.suppressed or learners_total.suppressed:
        return suppression.WITHHELD
    if not population or not population_total or not learners_total.value:
        return suppression.NO_RATIO
    assert learners.value is not None
    return suppression.ratio_display(
        learners.value * population_total, learners_total.value * population, places=2
    )


def counted_areas(*, city: City) -> QuerySet[Area]:
    """The areas homes and venues are counted in: those the city's postcode districts map to
    (a city may list wards as well as districts, covering the same people twice); every area
    when no postcode district is mapped yet."""
    mapped = PostcodeDistrict.objects.filter(city=city).values("area")
    if PostcodeDistrict.objects.filter(city=city).exists():
        return Area.objects.filter(city=city, pk__in=mapped)
    return Area.objects.filter(city=city)


def young_population_by_decile(*, city: City) -> dict[str, int]:
    """Residents aged 11–25 per IMD decile, summed over the city's counted areas that have a
    figure (``counted_areas``)."""
    totals: dict[str, int] = {str(d): 0 for d in range(1, 11)}
    for decile, population in (
        counted_areas(city=city)
        .filter(young_population__isnull=False)
        .values_list("imd_decile", "young_population")
    ):
        totals[str(decile)] += population or 0
    return totals


def equity(*, scope: Scope, period: str, filter: FigureFilter = NO_FILTER) -> Equity | None:
    """Per home deprivation decile: learners reached, badges awarded and places booked (each
    with its share of the scope's total) beside the decile's share of the city's young
    population, and the reach ratio (learners' share ÷ population's share)."""
    refresh = latest_refresh(city=scope.city)
    if refresh is None:
        return None
    metrics = tuple(METRICS[k] for k in EQUITY_METRICS if filter.applies_to(METRICS[k]))
    figures = {
        (f.metric, f.dimension, f.value): f
        for f in _figures(
            scope=scope, refresh=refresh, filter=filter, period=period, metric=EQUITY_METRICS
        ).filter(dimension__in=["home_decile", "total"])
    }
    totals = {m.key: cell_of(figures.get((m.key, "total", ""))) for m in metrics}
    population = young_population_by_decile(city=scope.city)
    population_total = sum(population.values())
    deciles = [(str(d), decile_label(str(d))) for d in range(1, 11)]
    if any(value == UNKNOWN for _, _, value in figures):
        deciles.append((UNKNOWN, "Unknown home area"))
    rows = []
    for decile, label in deciles:
        measures = tuple(
            EquityMeasure(m, cell, _percent(cell, totals[m.key]))
            for m in metrics
            for cell in [cell_of(figures.get((m.key, "home_decile", decile)))]
        )
        people = population.get(decile)
        if people is None:
            share, ratio = "", ""
        else:
            share = suppression.ratio_display(people, population_total, scale=100, places=1)
            learners = next((x for x in measures if x.metric.key == "learners_reached"), None)
            ratio = (
                _reach_ratio(learners.cell, totals["learners_reached"], people, population_total)
                if learners
                else suppression.NO_RATIO
            )
        rows.append(EquityRow(decile, label, measures, people, share, ratio))
    return Equity(
        metrics=metrics,
        rows=tuple(rows),
        totals=tuple(
            EquityMeasure(m, totals[m.key], _percent(totals[m.key], totals[m.key])) for m in metrics
        ),
        population_total=population_total,
    )


# --- Opportunity deserts --------------------------------------------------------------------


def opportunity_deserts(
    *, city: City, period: str, filter: FigureFilter = NO_FILTER
) -> list[DesertRow] | None:
    """The city's areas, least on offer first: opportunities offered (by venue area) per 1,000
    young residents. An area with no figure offered none; an area with no population figure is
    "not known" and listed last. Offer counts are never suppressed (they identify nobody)."""
    scope = Scope.for_city(city)
    refresh = latest_refresh(city=city)
    # Figures by venue area are published unfiltered only (``catalogue.FINE_DIMENSIONS``).
    if refresh is None or filter.kind:
        return None
    offered: dict[str, int] = {}
    for f in _figures(
        scope=scope,
        refresh=refresh,
        filter=filter,
        period=period,
        metric=DESERT_METRIC,
        dimension="venue_area",
    ):
        offered[f.value] = f.count or 0
    rows = []
    for area in counted_areas(city=city):
        count = offered.get(str(area.pk), 0)
        if area.young_population:
            rate = (Decimal(count * 1000) / Decimal(area.young_population)).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP
            )
            rows.append(DesertRow(area, count, area.young_population, str(rate), rate))
        else:
            rows.append(DesertRow(area, count, area.young_population, NOT_KNOWN, None))
    rows.sort(
        key=lambda r: (r.rate is None, r.rate if r.rate is not None else 0, r.area.name.casefold())
    )
    return rows


# --- Progression ----------------------------------------------------------------------------


def funnel_metrics() -> list[Metric]:
    """The progression's metrics (steps, then times between them): shown on their own page,
    not among the headline figures."""
    keys = (*getattr(catalogue, "FUNNEL_STEPS", ()), *getattr(catalogue, "FUNNEL_DAYS", ()))
    return [METRICS[k] for k in keys if k in METRICS]


def funnel(*, scope: Scope, period: str) -> Funnel | None:
    """The cohort of ``period`` (first badge in it) through the catalogue's funnel steps, and
    the median days between steps; None when the catalogue has no funnel, or for an
    organisation (a learner's first badge in the city is a city-wide notion)."""
    metrics = funnel_metrics()
    refresh = latest_refresh(city=scope.city)
    if not metrics or refresh is None or not scope.is_city:
        return None
    figures = {
        f.metric: f
        for f in _figures(
            scope=scope,
            refresh=refresh,
            period=period,
            metric=[m.key for m in metrics],
            dimension="total",
        )
    }
    steps = tuple(
        FunnelStep(
            m,
            None if m.unit == "days" and m.key not in figures else cell_of(figures.get(m.key)),
        )
        for m in metrics
    )
    return Funnel(
        steps=tuple(s for s in steps if s.metric.unit != "days"),
        days=tuple(s for s in steps if s.metric.unit == "days"),
    )
