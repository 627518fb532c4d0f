"""The refresh: rebuild a city's facts, count every figure the dashboards can show, suppress
them and write them as ``Figure`` rows — the only thing pages and exports ever read.

One refresh computes, for the city and for each organisation with facts:

- every period of ``periods.available`` (from the first fact to "as of"),
- every metric of the catalogue,
- unfiltered and under each value of each allowed filter that occurs,
- every allowed dimension,

as *raw figures* ``{FigureKey: count}`` (``figures_raw``), hands each scope and metric to
``linked.suppress_figures`` and writes what it publishes (by COPY on PostgreSQL). Which
combinations of period, filter and dimension exist is ``catalogue.Plan``'s: totals for every
period; breakdowns for quarters, years and the rolling year (an organisation: years and the
rolling year); breakdowns with many categories unfiltered; no filters and no home areas for an
organisation. The seconds of each phase (facts, counting, suppression, writing) are kept on the
``Refresh``.

How the counting is done, so that it stays a few dozen GROUP BY queries per metric however large
the city:

- **Additive metrics** (counts of facts): one query per (dimension, filter kind) grouped by
  the month of the fact (and the filter's and the dimension's columns, and for organisation scope
  the organisation). Quarters, years and the rolling year are sums of those months, done in
  Python — exactly the relation suppression relies on.
- **Distinct counts** (learners reached, organisations active, opportunities offered): one
  ``COUNT(DISTINCT …)`` query per (period kind, dimension, filter kind), grouped by the period
  bucket (year and month, year and quarter, year; the rolling year is one filtered query).
- **Organisation scope** is the same queries grouped by ``organisation_id`` as well: one set of
  queries for all organisations, split in Python.
- **Skills**: awards are grouped by badge class, then each badge class's count goes to each of
  its skills (``BadgeClass.skills`` names, read once into a mapping).

What is stored: a category that does not occur stores nothing (absent = 0, and every page says
so); the total of every period is always stored (0 included), unfiltered and for each filter
value that occurs in the scope's facts for that metric. Categories of facts without one are
"unknown" (no home area, no venue area) or "none" (no topic, no level, a city-team pathway's
organisation type); an online-only opportunity's venue is "online".

Choices of scope: ``new_learners`` has no organisation (a learner joins the city), and
``organisations_active`` for one organisation is trivially 1, so neither has organisation figures.
Organisation figures are not filtered by organisation type (one organisation has one type: the
filter would repeat the unfiltered figures or show nothing). The progression funnel is the
city's only (a learner's first badge is a city-wide notion).

The funnel (``funnel_raw``): a period's cohort is the learners whose first award fact falls in
it; ``funnel_second_badge`` / ``_pathway_started`` / ``_pathway_completed`` count the cohort
members who reached that step by "as of" (a pathway started before the first badge counts: the
learner did start one). Broken down by the home decile at the first badge. The three ``days_*``
metrics are the median (``statistics.median_low``: a whole number of days one learner actually
took) of the days between consecutive steps among cohort members who reached both steps in that
order; they are stored as one "total" Figure whose ``count`` is the median, status "shown" — or
"fewer", count empty, when fewer learners than the threshold contribute. They are not counts and
never go through ``suppress_figures``; a median of at least ``threshold`` learners identifies no
one.
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import statistics
import time
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Min, QuerySet, Window
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear, RowNumber
from django.utils import timezone

from learningcity.badges.models import BadgeClass
from learningcity.cities.models import City

from .catalogue import FUNNEL_DAYS, FUNNEL_STEPS, METRICS, Metric, plan
from .facts import ONLINE_VENUE, facts_rebuild
from .linked import FEWER, SHOWN, FigureKey, Published, suppress_figures
from .models import Fact, Figure, Refresh
from .periods import ROLLING_12, Period, available

__all__ = ["figures_raw", "funnel_raw", "insights_refresh", "metric_kinds"]

logger = logging.getLogger(__name__)

_BATCH = 5000
_VALUE_MAX = Figure._meta.get_field("value").max_length or 120

# Metrics over several kinds of fact ("*" in the catalogue).
_KINDS: dict[str, tuple[str, ...]] = {
    "learners_reached": (Fact.Kind.AWARD, Fact.Kind.BOOKING, Fact.Kind.ATTENDANCE),
    "organisations_active": (Fact.Kind.AWARD, Fact.Kind.OPPORTUNITY),
}
# Metrics with no organisation figures (see the module docstring).
_CITY_ONLY = {"new_learners", "organisations_active", *FUNNEL_STEPS, *FUNNEL_DAYS}
# The Fact column behind each dimension and filter.
_COLUMN = {
    "home_area": "home_area_id",
    "home_decile": "home_decile",
    "age_band": "age_band",
    "topic": "topic_id",
    "level": "level",
    "skill": "badge_class_id",
    "opportunity_type": "opportunity_type",
    "organisation_type": "organisation_type",
    "venue_area": "venue_area_id",
    "venue_decile": "venue_decile",
}
_NONE_COLUMNS = {"topic_id", "level", "organisation_type"}


def metric_kinds(metric: Metric) -> tuple[str, ...]:
    """The ``Fact.kind`` values a metric counts."""
    return _KINDS.get(metric.key, (metric.fact_kind,))


def _threshold() -> int:
    return int(getattr(settings, "INSIGHTS_SUPPRESSION_THRESHOLD", 10))


def _category(column: str, raw: Any) -> str:
    """A Fact column's value as a Figure category (see the contract in the module docstring)."""
    if column == "venue_area_id":
        if raw == ONLINE_VENUE:
            return "online"
        return "unknown" if raw is None else str(raw)
    if raw is None or raw == "":
        return "none" if column in _NONE_COLUMNS else "unknown"
    return str(raw)


# --- The service -------------------------------------------------------------------------------


def insights_refresh(*, city: City, as_of: datetime.datetime | None = None) -> Refresh:
    """Rebuild ``city``'s facts and figures as of ``as_of`` (default now).

    Records a ``Refresh`` at once (running), then in one transaction rebuilds the facts, writes
    the new figures and only then deletes the previous refreshes' figures, and marks it done with
    its counts and seconds — so readers see the old figures until the new ones are complete. On
    any error the transaction is rolled back (the previous figures and facts stay), the refresh
    is marked failed with the error's text, and the error is raised again.
    """
    as_of = as_of or timezone.now()
    started = time.perf_counter()
    refresh = Refresh.objects.create(city=city, started_at=timezone.now(), as_of=as_of)
    phases: dict[str, float] = defaultdict(float)
    try:
        with transaction.atomic():
            with _timed(phases, "facts"):
                facts = facts_rebuild(city=city, as_of=as_of)
            figures = _figures_write(refresh=refresh, city=city, as_of=as_of, phases=phases)
            with _timed(phases, "writing"):
                Figure.objects.filter(
                    refresh__in=Refresh.objects.filter(city=city).exclude(pk=refresh.pk)
                ).delete()
            refresh.phase_seconds = {name: round(seconds, 3) for name, seconds in phases.items()}
            refresh.status = Refresh.Status.DONE
            refresh.facts = facts
            refresh.figures = figures
            refresh.finished_at = timezone.now()
            refresh.seconds = time.perf_counter() - started
            refresh.save()
    except Exception as exc:
        logger.exception("Insights refresh of city %s failed", city.pk)
        refresh.status = Refresh.Status.FAILED
        refresh.error = f"{type(exc).__name__}: {exc}"
        refresh.finished_at = timezone.now()
        refresh.seconds = time.perf_counter() - started
        refresh.save(update_fields=["status", "error", "finished_at", "seconds"])
        raise
    return refresh


def city_periods(*, city: City, as_of: datetime.datetime) -> list[Period]:
    """The periods a refresh of ``city`` as of ``as_of`` computes: from its first fact (or "as
    of" when it has none yet) to the local date of "as of"."""
    local = timezone.localtime(as_of, zoneinfo.ZoneInfo(city.timezone)).date()
    first = Fact.objects.filter(city_id=city.pk).aggregate(first=Min("day"))["first"] or local
    return available(first=min(first, local), as_of=local)


@contextlib.contextmanager
def _timed(phases: dict[str, float], name: str) -> Iterator[None]:
    """Add the seconds the block takes to ``phases[name]``."""
    started = time.perf_counter()
    try:
        yield
    finally:
        phases[name] += time.perf_counter() - started


def _figures_write(
    *, refresh: Refresh, city: City, as_of: datetime.datetime, phases: dict[str, float]
) -> int:
    """Count, suppress and write every figure of ``city``; returns how many were written.
    ``phases`` gets the seconds spent counting, suppressing and writing."""
    period_list = city_periods(city=city, as_of=as_of)
    refresh.period_keys = [p.key for p in period_list]
    r12 = next(p for p in period_list if p.key == ROLLING_12)
    threshold = _threshold()
    organisation_ids: list[int] = sorted(
        organisation_id
        for organisation_id in Fact.objects.filter(city_id=city.pk, organisation_id__isnull=False)
        .values_list("organisation_id", flat=True)
        .distinct()
        .order_by()
        if organisation_id is not None
    )
    rows: list[tuple[Any, ...]] = []
    written = 0

    def publish(published: dict[FigureKey, Published]) -> None:
        nonlocal written
        for key, (status, count) in published.items():
            organisation_id, period, metric, filter_kind, filter_value, dimension, value = key
            rows.append(
                (
                    refresh.pk,
                    city.pk,
                    organisation_id,
                    period,
                    metric,
                    filter_kind,
                    filter_value,
                    dimension,
                    value,
                    status,
                    count if status == SHOWN else None,
                )
            )
        if len(rows) >= _BATCH:
            with _timed(phases, "writing"):
                written += _figures_insert(rows)
            rows.clear()

    def suppress(
        raw: dict[FigureKey, int], metric: Metric, *, city_scope: bool = True
    ) -> dict[FigureKey, Published]:
        with _timed(phases, "suppression"):
            return suppress_figures(
                raw,
                metric=metric,
                threshold=threshold,
                r12_months=r12.months(),
                breakdown_kinds=plan(city=city_scope).breakdown_kinds,
            )

    def count(**kwargs: Any) -> dict[FigureKey, int]:
        with _timed(phases, "counting"):
            return figures_raw(city=city, periods=period_list, **kwargs)

    with _timed(phases, "counting"):
        counts, medians = funnel_raw(city=city, periods=period_list, threshold=threshold)
    for metric in METRICS.values():
        if metric.key in FUNNEL_DAYS:
            publish(medians[metric.key])
            continue
        if metric.key in FUNNEL_STEPS:
            publish(suppress(counts[metric.key], metric))
            continue
        publish(suppress(count(metric=metric), metric))
        if metric.key in _CITY_ONLY:
            continue
        by_organisation: dict[int | None, dict[FigureKey, int]] = defaultdict(dict)
        for key, n in count(metric=metric, organisation_ids=organisation_ids).items():
            by_organisation[key[0]][key] = n
        for organisation_id in organisation_ids:
            publish(suppress(by_organisation[organisation_id], metric, city_scope=False))
    with _timed(phases, "writing"):
        return written + _figures_insert(rows)


_FIGURE_COLUMNS = (
    "refresh_id",
    "city_id",
    "organisation_id",
    "period",
    "metric",
    "filter_kind",
    "filter_value",
    "dimension",
    "value",
    "status",
    "count",
)


def _figures_insert(rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert ``rows`` (values in ``_FIGURE_COLUMNS`` order) into the Figure table: by COPY on
    PostgreSQL, one multi-row INSERT per batch elsewhere — millions of figures at London scale,
    where building a model instance for each would cost more than the counting."""
    if not rows:
        return 0
    table = connection.ops.quote_name(Figure._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(c) for c in _FIGURE_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            # SQLite allows 32,766 variables per statement: 11 columns × 2,000 rows.
            for start in range(0, len(rows), 2000):
                batch = rows[start : start + 2000]
                marks = ", ".join(
                    ["(" + ", ".join(["%s"] * len(_FIGURE_COLUMNS)) + ")"] * len(batch)
                )
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) VALUES {marks}",  # noqa: S608 - our names
                    [value for row in batch for value in row],
                )
    return len(rows)


# --- Raw figures ------------------------------------------------------------------------------


def figures_raw(
    *,
    city: City,
    metric: Metric,
    periods: Sequence[Period],
    organisation_ids: Sequence[int] | None = None,
) -> dict[FigureKey, int]:
    """The true counts of ``metric`` over ``city``'s facts, for every period in ``periods``,
    every filter and every dimension the metric allows — before suppression.

    ``organisation_ids`` None: the city's figures (keys with organisation ``None``). Otherwise
    the figures of each of those organisations (its own facts), all at once; an organisation
    with no facts for the metric still gets its zero totals.
    """
    by_organisation = organisation_ids is not None
    scope_plan = plan(city=not by_organisation)
    facts = Fact.objects.filter(city_id=city.pk, kind__in=metric_kinds(metric))
    if by_organisation:
        facts = facts.filter(organisation_id__in=organisation_ids)
    earliest = min(p.start for p in periods)
    latest = max(p.end for p in periods)
    facts = facts.filter(day__gte=earliest, day__lt=latest)
    filters = [("", "")] + [(kind, _COLUMN[kind]) for kind in scope_plan.filters(metric)]
    dimensions = scope_plan.dimensions(metric)
    skills = _skills(city=city) if "skill" in dimensions else {}
    scopes: list[int | None] = [None] if organisation_ids is None else list(organisation_ids)

    raw: dict[FigureKey, int] = {}
    # (scope, filter kind, filter value) that occur — their totals are always stored.
    occurring: set[tuple[int | None, str, str]] = {(scope, "", "") for scope in scopes}
    # Counts of facts add up, so an additive metric is counted once per dimension grouped by
    # every filter column together, and each filter's figures are sums of those groups; distinct
    # counts do not, so each filter kind needs its own COUNT(DISTINCT …).
    for dimension in dimensions:
        dimension_filters = filters if scope_plan.filtered(dimension) else filters[:1]
        passes = [dimension_filters] if metric.additive else [[one] for one in dimension_filters]
        dimension_periods = [
            p for p in periods if scope_plan.publishes(period_kind=p.kind, dimension=dimension)
        ]
        for pass_filters in passes:
            group = list(
                dict.fromkeys(
                    [column for _, column in pass_filters if column]
                    + ([_COLUMN[dimension]] if dimension in _COLUMN else [])
                )
            )
            cells = _cells(
                facts,
                metric=metric,
                periods=dimension_periods,
                group=group,
                by_organisation=by_organisation,
            )
            for (scope, period, group_values), count in cells.items():
                row = dict(zip(group, group_values, strict=True))
                if dimension == "total":
                    values = [""]
                elif dimension == "skill":
                    values = sorted(skills.get(row["badge_class_id"], ()))
                else:
                    values = [_category(_COLUMN[dimension], row[_COLUMN[dimension]])]
                for filter_kind, filter_column in pass_filters:
                    filter_value = (
                        _category(filter_column, row[filter_column]) if filter_kind else ""
                    )
                    occurring.add((scope, filter_kind, filter_value))
                    for value in values:
                        key = (
                            scope,
                            period,
                            metric.key,
                            filter_kind,
                            filter_value,
                            dimension,
                            value,
                        )
                        raw[key] = raw.get(key, 0) + count
    for scope, filter_kind, filter_value in occurring:
        for each in periods:
            raw.setdefault((scope, each.key, metric.key, filter_kind, filter_value, "total", ""), 0)
    return raw


# Each cell: (organisation or None, period key, the group columns' values in order) → count.
_Cells = dict[tuple[int | None, str, tuple[Any, ...]], int]


def _cells(
    facts: QuerySet[Fact],
    *,
    metric: Metric,
    periods: Sequence[Period],
    group: list[str],
    by_organisation: bool,
) -> _Cells:
    """Counts of ``metric`` per period and ``group`` columns (and organisation)."""
    columns = (["organisation_id"] if by_organisation else []) + list(dict.fromkeys(group))
    count = Count(metric.distinct, distinct=True) if metric.distinct else Count("id")
    wanted = {p.key for p in periods}
    cells: _Cells = {}
    if not periods:
        return cells

    def add(scope: int | None, period: str, values: tuple[Any, ...], n: int) -> None:
        if period in wanted and n:
            key = (scope, period, values)
            cells[key] = cells.get(key, 0) + n

    if metric.additive:
        months: _Cells = {}
        for row in _grouped(facts, _BUCKETS["month"], columns, count):
            key = (
                row.get("organisation_id"),
                _period_key("month", row),
                tuple(row[c] for c in group),
            )
            months[key] = months.get(key, 0) + row["n"]
        by_base: dict[tuple[int | None, tuple[Any, ...]], dict[str, int]] = defaultdict(dict)
        for (scope, month, row_group), n in months.items():
            by_base[(scope, row_group)][month] = n
        period_months = [(period.key, period.months()) for period in periods]
        for (scope, row_group), per_month in by_base.items():
            for period_key, months_of_period in period_months:
                add(
                    scope, period_key, row_group, sum(per_month.get(m, 0) for m in months_of_period)
                )
        return cells

    for kind in sorted({p.kind for p in periods}):
        if kind == "rolling":
            for period in (p for p in periods if p.kind == "rolling"):
                within = facts.filter(day__gte=period.start, day__lt=period.end)
                for row in _grouped(within, {}, columns, count):
                    values = tuple(row[c] for c in group)
                    add(row.get("organisation_id"), period.key, values, row["n"])
            continue
        for row in _grouped(facts, _BUCKETS[kind], columns, count):
            period_key = _period_key(kind, row)
            add(row.get("organisation_id"), period_key, tuple(row[c] for c in group), row["n"])
    return cells


def _period_key(kind: str, row: dict[str, Any]) -> str:
    """The period key of a row grouped by ``_BUCKETS[kind]`` (int(): PostgreSQL's EXTRACT is
    numeric)."""
    year = int(row["b_year"])
    if kind == "month":
        return f"m{year}-{int(row['b_part']):02d}"
    if kind == "quarter":
        return f"q{year}-{int(row['b_part'])}"
    return f"y{year}"


_BUCKETS: dict[str, dict[str, Any]] = {
    "month": {"b_year": ExtractYear("day"), "b_part": ExtractMonth("day")},
    "quarter": {"b_year": ExtractYear("day"), "b_part": ExtractQuarter("day")},
    "year": {"b_year": ExtractYear("day")},
}


def _grouped(
    facts: QuerySet[Fact], bucket: dict[str, Any], columns: list[str], count: Count
) -> Iterable[dict[str, Any]]:
    """``SELECT bucket, columns, count … GROUP BY bucket, columns``."""
    if not bucket and not columns:
        return [facts.aggregate(n=count)]
    return facts.annotate(**bucket).values(*bucket, *columns).annotate(n=count).order_by()


def _skills(*, city: City) -> dict[int, set[str]]:
    """``{badge_class_id: {skill name, …}}`` for the badge classes of ``city``'s organisations."""
    skills: dict[int, set[str]] = {}
    for badge_id, items in BadgeClass.objects.filter(organisation__city=city).values_list(
        "pk", "skills"
    ):
        names = {
            str(item["name"]).strip()[:_VALUE_MAX]
            for item in items or ()
            if isinstance(item, dict) and str(item.get("name") or "").strip()
        }
        if names:
            skills[badge_id] = names
    return skills


# --- The funnel ---------------------------------------------------------------------------------


def funnel_raw(
    *, city: City, periods: Sequence[Period], threshold: int
) -> tuple[dict[str, dict[FigureKey, int]], dict[str, dict[FigureKey, Published]]]:
    """The progression funnel of ``city``: ``({step metric: raw counts}, {days metric:
    published medians})`` — see the module docstring for the definitions."""
    first: dict[int, datetime.date] = {}
    second: dict[int, datetime.date] = {}
    decile: dict[int, str] = {}
    for learner_id, day, home_decile, rank in _first_two_awards(city=city):
        if rank == 1:
            first[learner_id] = day
            decile[learner_id] = _category("home_decile", home_decile)
        else:
            second[learner_id] = day
    started = _first_day(city=city, kind=Fact.Kind.PATHWAY_STARTED)
    done = _first_day(city=city, kind=Fact.Kind.PATHWAY_COMPLETED)

    steps: dict[str, dict[int, datetime.date]] = {
        "funnel_first_badge": first,
        "funnel_second_badge": second,
        "funnel_pathway_started": started,
        "funnel_pathway_completed": done,
    }
    gaps = {
        "days_first_to_second": (first, second),
        "days_second_to_started": (second, started),
        "days_started_to_done": (started, done),
    }

    # Everything is gathered per month of the first badge, then each period takes its months:
    # one pass over the learners, however many periods.
    def month_of(day: datetime.date) -> str:
        return f"m{day.year}-{day.month:02d}"

    period_months = [(period.key, period.months()) for period in periods]
    by_decile = {
        period.key
        for period in periods
        if plan(city=True).publishes(period_kind=period.kind, dimension="home_decile")
    }
    if any("home_decile" not in METRICS[step].dimensions for step in steps):
        by_decile = set()
    counts: dict[str, dict[FigureKey, int]] = {}
    for metric, reached in steps.items():
        per_month: dict[tuple[str, str], int] = defaultdict(int)
        for learner_id in reached.keys() & first.keys():
            month = month_of(first[learner_id])
            per_month[(month, "")] += 1
            per_month[(month, decile[learner_id])] += 1
        values = sorted({value for _, value in per_month} - {""})
        raw: dict[FigureKey, int] = {}
        for key, months in period_months:
            raw[(None, key, metric, "", "", "total", "")] = sum(
                per_month.get((m, ""), 0) for m in months
            )
            for value in values if key in by_decile else ():
                n = sum(per_month.get((m, value), 0) for m in months)
                if n:
                    raw[(None, key, metric, "", "", "home_decile", value)] = n
        counts[metric] = raw

    medians: dict[str, dict[FigureKey, Published]] = {}
    for metric, (start, end) in gaps.items():
        days: dict[str, list[int]] = defaultdict(list)
        for learner_id in start.keys() & end.keys() & first.keys():
            gap = (end[learner_id] - start[learner_id]).days
            if gap >= 0:
                days[month_of(first[learner_id])].append(gap)
        published: dict[FigureKey, Published] = {}
        for key, months in period_months:
            gaps_in_period = [gap for m in months for gap in days.get(m, ())]
            figure = (None, key, metric, "", "", "total", "")
            if len(gaps_in_period) < threshold:
                published[figure] = (FEWER, None)
            else:
                published[figure] = (SHOWN, int(statistics.median_low(gaps_in_period)))
        medians[metric] = published
    return counts, medians


def _first_two_awards(*, city: City) -> Iterator[tuple[int, datetime.date, int | None, int]]:
    """``(learner_id, day, home_decile, 1 or 2)`` of each learner's first and second award
    facts (ties on a day broken by fact id), by a window function in the database."""
    ranked = (
        Fact.objects.filter(city_id=city.pk, kind=Fact.Kind.AWARD)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("learner_id")],
                order_by=[F("day").asc(), F("id").asc()],
            )
        )
        .filter(rank__lte=2)
        .values_list("learner_id", "day", "home_decile", "rank")
    )
    for learner_id, day, home_decile, rank in ranked.iterator(chunk_size=_BATCH):
        if learner_id is not None:
            yield learner_id, day, home_decile, rank


def _first_day(*, city: City, kind: str) -> dict[int, datetime.date]:
    rows = (
        Fact.objects.filter(city_id=city.pk, kind=kind, learner_id__isnull=False)
        .values("learner_id")
        .annotate(first=Min("day"))
        .values_list("learner_id", "first")
        .order_by()
    )
    return {learner_id: day for learner_id, day in rows if learner_id is not None}
