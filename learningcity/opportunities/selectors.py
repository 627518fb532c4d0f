"""Reads about opportunities: discovery (search, filters, counts per filter, distance) and the
public page's related lists.

Discovery shows only what anyone may see: published opportunities of the city's *active*
organisations that are not over (``last_ends_at`` null or in the future — past sessions drop
out). Filters are of two kinds:

- *Narrowing* filters (text, age, dates, "this weekend", near) apply to every count.
- *Faceted* filters (topics, types, levels, organisations, skills, free, delivery, accessibility)
  each show, beside every option, how many results that option would give with all the *other*
  filters applied. Choices within one group widen (“workshop or course”), except accessibility
  features, which all must hold. The counts of the scalar groups come from one query of
  conditional aggregates; each many-valued group (topics, skills, organisations) from one grouped
  query — never one query per option.
"""

from __future__ import annotations

import datetime
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import ACos, Cast, Cos, Least, Radians, Sin
from django.utils import timezone

from learningcity.badges.models import BadgeStatus, Level, Skill
from learningcity.cities.models import City
from learningcity.organisations.models import Organisation

from . import search
from .models import (
    ACCESSIBILITY_FEATURES,
    Delivery,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Session,
    Topic,
)

EARTH_RADIUS_KM = 6371.0
KM_PER_DEGREE_LATITUDE = 111.045
DEFAULT_RADIUS_KM = 5
SORTS = ("relevance", "soonest", "nearest", "newest")
DELIVERIES = ("", "online", "in_person")
# Organisations listed in their filter group: the ones with most results (and any chosen).
MAX_ORGANISATION_OPTIONS = 15


@dataclass(frozen=True)
class DiscoveryQuery:
    """What someone is looking for. Every field is optional; the empty query finds everything."""

    text: str = ""
    topics: tuple[str, ...] = ()  # topic slugs
    types: tuple[str, ...] = ()  # OpportunityType values
    age: int | None = None
    free_only: bool = False
    delivery: str = ""  # "", "online" or "in_person"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    this_weekend: bool = False
    near: tuple[float, float] | None = None  # (latitude, longitude)
    radius_km: float = DEFAULT_RADIUS_KM
    skills: tuple[int, ...] = ()  # Skill ids
    levels: tuple[str, ...] = ()  # Level values
    organisations: tuple[str, ...] = ()  # organisation slugs
    accessibility: tuple[str, ...] = ()  # field names of ACCESSIBILITY_FEATURES
    sort: str = "relevance"
    page: int = 1

    @property
    def effective_sort(self) -> str:
        """Relevance needs text and nearest needs a place; otherwise the soonest come first."""
        if self.sort == "relevance" and search.search_terms(self.text):
            return "relevance"
        if self.sort == "nearest" and self.near is not None:
            return "nearest"
        if self.sort == "newest":
            return "newest"
        return "soonest"


@dataclass(frozen=True)
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class DiscoveryResult:
    """One page of results. Each item has ``next_session`` (a Session or None) and, when the
    query is near a place, ``distance_km``."""

    items: list[Opportunity]
    total: int
    page: int
    page_count: int
    page_size: int
    sort: str
    facets: dict[str, list[FacetOption]] = field(default_factory=dict)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.page_count

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.page_size, self.total)


# --- Building blocks --------------------------------------------------------------------------


def opportunity_list_discoverable(*, city: City, now: datetime.datetime | None = None) -> QuerySet:
    """Every opportunity of ``city`` that discovery may show at ``now``."""
    now = now or timezone.now()
    return Opportunity.objects.filter(
        Q(last_ends_at__isnull=True) | Q(last_ends_at__gt=now),
        city=city,
        status=OpportunityStatus.PUBLISHED,
        organisation__status=Organisation.Status.ACTIVE,
    )


def weekend_range(*, city: City, now: datetime.datetime) -> tuple[datetime.datetime, ...]:
    """Saturday 00:00 to Monday 00:00 of this weekend (or the coming one) in the city's zone."""
    zone = zoneinfo.ZoneInfo(city.timezone)
    today = timezone.localtime(now, zone).date()
    # Monday is 0 … Saturday 5, Sunday 6. On Sunday the weekend began yesterday.
    saturday = today + datetime.timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        saturday = today - datetime.timedelta(days=1)
    start = datetime.datetime.combine(saturday, datetime.time.min, tzinfo=zone)
    end = datetime.datetime.combine(
        saturday + datetime.timedelta(days=2), datetime.time.min, tzinfo=zone
    )
    return start, end


def date_window(
    *, query: DiscoveryQuery, city: City, now: datetime.datetime
) -> tuple[datetime.datetime | None, datetime.datetime | None] | None:
    """The time range a session must start in, or None when the query has no date filter.

    ``date_from``/``date_to`` are whole days in the city's zone; with "this weekend" too, the
    range is where both overlap.
    """
    if not (query.date_from or query.date_to or query.this_weekend):
        return None
    zone = zoneinfo.ZoneInfo(city.timezone)
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    if query.date_from:
        start = datetime.datetime.combine(query.date_from, datetime.time.min, tzinfo=zone)
    if query.date_to:
        end = datetime.datetime.combine(
            query.date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
    if query.this_weekend:
        weekend_start, weekend_end = weekend_range(city=city, now=now)
        start = max(start, weekend_start) if start else weekend_start
        end = min(end, weekend_end) if end else weekend_end
    return start, end


def _sessions_in(
    window: tuple[datetime.datetime | None, datetime.datetime | None], now: datetime.datetime
) -> QuerySet[Session]:
    """Sessions that are on, not over, and *start* within the window.

    Starting within the window (rather than overlapping it) keeps the test a range on the
    indexed ``starts_at``: an overlap test would read every session that started before the
    window's end — most of the table.
    """
    start, end = window
    sessions = Session.objects.filter(is_cancelled=False, ends_at__gt=now)
    if start is not None:
        sessions = sessions.filter(starts_at__gte=start)
    if end is not None:
        sessions = sessions.filter(starts_at__lt=end)
    return sessions


def bounding_box(
    lat: float, lng: float, radius_km: float
) -> tuple[tuple[float, float], tuple[float, float]]:
    """Latitude and longitude ranges that contain the circle (a prefilter on the index)."""
    delta_lat = radius_km / KM_PER_DEGREE_LATITUDE
    cos_lat = max(math.cos(math.radians(lat)), 0.01)
    delta_lng = radius_km / (KM_PER_DEGREE_LATITUDE * cos_lat)
    return (lat - delta_lat, lat + delta_lat), (lng - delta_lng, lng + delta_lng)


def distance_km_expression(lat: float, lng: float) -> Any:
    """Great-circle distance in km from (lat, lng) to the opportunity's place (spherical law of
    cosines; ``Least`` keeps rounding from pushing the cosine past 1, where ACOS is undefined)."""
    row_lat = Radians(Cast("latitude", FloatField()))
    row_lng = Radians(Cast("longitude", FloatField()))
    here_lat, here_lng = math.radians(lat), math.radians(lng)
    cosine = Value(math.sin(here_lat)) * Sin(row_lat) + Value(math.cos(here_lat)) * Cos(
        row_lat
    ) * Cos(row_lng - Value(here_lng))
    return Value(EARTH_RADIUS_KM) * ACos(Least(Value(1.0), cosine, output_field=FloatField()))


def _related_ids_q(relation: str, column: str, ids: Sequence[int]) -> Q:
    """``Q`` for "has any of these related ids", as a subquery on the M2M table."""
    through = getattr(Opportunity, relation).through
    return Q(pk__in=through.objects.filter(**{f"{column}__in": ids}).values("opportunity_id"))


@dataclass(frozen=True)
class _Choices:
    """The query's many-valued choices resolved to ids of *this* city's rows (topic slugs are
    only unique per city), with the city's topics for the filter panel."""

    topics: list[Topic]
    topic_ids: tuple[int, ...]
    skill_ids: tuple[int, ...]
    city_skills: list[tuple[int, str]]  # (id, name) of the city's skills, by name


def _resolve_choices(*, city: City, query: DiscoveryQuery) -> _Choices:
    topics = list(Topic.objects.filter(city=city).order_by("name"))
    topic_ids = tuple(topic.pk for topic in topics if topic.slug in query.topics)
    skill_ids = (
        tuple(
            Skill.objects.filter(pk__in=query.skills, framework__city=city).values_list(
                "pk", flat=True
            )
        )
        if query.skills
        else ()
    )
    city_skills = list(
        Skill.objects.filter(framework__city=city).order_by("name").values_list("pk", "name")
    )
    return _Choices(
        topics=topics, topic_ids=topic_ids, skill_ids=skill_ids, city_skills=city_skills
    )


def _group_filters(query: DiscoveryQuery, choices: _Choices) -> dict[str, Q]:
    """Each faceted group's filter (an empty ``Q`` when the group has no choice).

    A chosen topic or skill the city does not have matches nothing (rather than being ignored).
    """
    groups: dict[str, Q] = {}
    groups["topics"] = (
        _related_ids_q("topics", "topic_id", choices.topic_ids) if query.topics else Q()
    )
    groups["types"] = Q(type__in=query.types) if query.types else Q()
    groups["levels"] = Q(level__in=query.levels) if query.levels else Q()
    groups["organisations"] = (
        Q(organisation__slug__in=query.organisations) if query.organisations else Q()
    )
    groups["skills"] = (
        _related_ids_q("skills", "skill_id", choices.skill_ids) if query.skills else Q()
    )
    groups["free"] = Q(price__isnull=True) if query.free_only else Q()
    groups["delivery"] = _delivery_q(query.delivery) if query.delivery else Q()
    groups["accessibility"] = Q(**{name: True for name in query.accessibility})
    return groups


def _delivery_values(delivery: str) -> list[str]:
    if delivery == "online":
        return [Delivery.ONLINE, Delivery.BOTH]
    if delivery == "in_person":
        return [Delivery.IN_PERSON, Delivery.BOTH]
    return []


def _delivery_q(delivery: str) -> Q:
    return Q(delivery__in=_delivery_values(delivery)) if delivery else Q()


def _all_but(groups: dict[str, Q], name: str) -> Q:
    combined = Q()
    for key, condition in groups.items():
        if key != name:
            combined &= condition
    return combined


def _narrowed_without_text(
    *, city: City, query: DiscoveryQuery, now: datetime.datetime
) -> QuerySet[Opportunity]:
    """The discoverable set with the narrowing filters but text applied."""
    queryset = opportunity_list_discoverable(city=city, now=now)
    if query.age is not None:
        queryset = queryset.filter(min_age__lte=query.age, max_age__gte=query.age)
    window = date_window(query=query, city=city, now=now)
    if window is not None:
        queryset = queryset.filter(
            Exists(_sessions_in(window, now).filter(opportunity_id=OuterRef("pk")))
        )
    if query.near is not None:
        lat, lng = query.near
        lat_range, lng_range = bounding_box(lat, lng, query.radius_km)
        queryset = (
            queryset.filter(latitude__range=lat_range, longitude__range=lng_range)
            .exclude(delivery=Delivery.ONLINE)
            .alias(distance_km=distance_km_expression(lat, lng))
            .filter(distance_km__lte=query.radius_km)
        )
    return queryset


def _narrowed(
    *, city: City, query: DiscoveryQuery, now: datetime.datetime
) -> tuple[QuerySet[Opportunity], bool]:
    """The discoverable set with the narrowing filters (not the faceted ones) applied, and
    whether it is already narrowed to text matches."""
    queryset = _narrowed_without_text(city=city, query=query, now=now)
    has_text = bool(search.search_terms(query.text))
    if has_text:
        queryset = search.text_matches(queryset, query.text, city_id=city.pk)
    return queryset, has_text


# --- Discovery ------------------------------------------------------------------------------------


def opportunities_discover(
    *,
    city: City,
    query: DiscoveryQuery,
    now: datetime.datetime | None = None,
    page_size: int = 20,
) -> DiscoveryResult:
    """One page of the opportunities of ``city`` that match ``query``, with counts per filter.

    Seven queries whatever the page holds: the city's topics, the total with the single-valued
    groups' counts, the page, its sessions, its topics, and the topic and organisation counts
    (plus one for skills when the city has skills on its opportunities).
    """
    now = now or timezone.now()
    narrowed, has_text = _narrowed(city=city, query=query, now=now)
    choices = _resolve_choices(city=city, query=query)
    groups = _group_filters(query, choices)

    sort = query.effective_sort
    # The page asked for is read with the counts; only a page past the last is read again.
    asked = max(query.page, 1)
    counts = _counts(
        narrowed,
        query=query,
        choices=choices,
        page=_PageSpec(
            sort=sort if sort != "relevance" or has_text else "soonest",
            terms=tuple(search.search_terms(query.text)),
            city_id=city.pk,
            start=(asked - 1) * page_size,
            limit=page_size,
        ),
    )
    total = counts.total
    page_count = max(1, math.ceil(total / page_size))
    page = min(asked, page_count)

    results = narrowed.filter(_all_but(groups, ""))
    if sort == "relevance" and has_text:
        # Ranked by joining the matches with their rank (see ``_ranked_page``), so the set
        # before the text filter is what is joined.
        results = _narrowed_without_text(city=city, query=query, now=now).filter(
            _all_but(groups, "")
        )
    elif sort == "nearest" and query.near is not None:
        results = results.annotate(distance_km=F("distance_km")).order_by("distance_km", "pk")
    elif sort == "newest":
        results = results.order_by(F("published_at").desc(nulls_last=True), "-pk")
    else:
        results = results.order_by(F("first_starts_at").asc(nulls_last=True), "pk")
    if query.near is not None and sort != "nearest":
        results = results.annotate(distance_km=F("distance_km"))

    window = date_window(query=query, city=city, now=now) or (None, None)
    upcoming = _sessions_in(window, now).filter(starts_at__gte=now).order_by("starts_at")
    # The page's ids first (the sort reads only indexed columns: an index-only scan on
    # PostgreSQL), then the twenty rows with their joins.
    start = (page - 1) * page_size
    if page == asked and counts.page is not None:
        page_rows = counts.page
    elif sort == "relevance" and has_text:
        page_rows = _ranked_page(
            results,
            terms=search.search_terms(query.text),
            city_id=city.pk,
            with_distance=query.near is not None,
            start=start,
            limit=page_size,
        )
    else:
        page_rows = list(
            results.values_list("pk", "distance_km" if query.near is not None else "pk")[
                start : start + page_size
            ]
        )
    distances = dict(page_rows)
    by_id = (
        Opportunity.objects.select_related("organisation", "area")
        .prefetch_related(
            Prefetch("sessions", queryset=upcoming, to_attr="upcoming_sessions"), "topics"
        )
        .in_bulk([pk for pk, _ in page_rows])
    )
    items: list[Opportunity] = [by_id[pk] for pk, _ in page_rows]
    for item in items:
        if query.near is not None:
            item.distance_km = distances[item.pk]  # type: ignore[attr-defined]
        sessions = item.upcoming_sessions  # type: ignore[attr-defined]
        item.next_session = sessions[0] if sessions else None  # type: ignore[attr-defined]

    facets = _facets(city=city, query=query, choices=choices, counts=counts)
    return DiscoveryResult(
        items=items,
        total=total,
        page=page,
        page_count=page_count,
        page_size=page_size,
        sort=sort,
        facets=facets,
    )


def _ranked_page(
    results: QuerySet[Opportunity],
    *,
    terms: Sequence[str],
    city_id: int,
    with_distance: bool,
    start: int,
    limit: int,
) -> list[tuple[int, Any]]:
    """(id, distance or id) of one page of ``results`` that match ``terms``, best match first
    (then soonest, then id).

    The matches and their rank are computed once, as a materialised table joined to
    ``results`` — not one rank lookup per row (see ``search.rank_table_sql``). Only constants
    and placeholders go into the SQL; the values are parameters.
    """
    columns: dict[str, Any] = {"o_id": F("pk"), "o_starts": F("first_starts_at")}
    if with_distance:
        columns["o_distance"] = F("distance_km")
    inner_sql, inner_params = results.order_by().values(**columns).query.sql_with_params()
    rank_sql, rank_params = search.rank_table_sql(terms, city_id)
    second = "page.o_distance" if with_distance else "page.o_id"
    sql = (
        f"WITH ranked AS MATERIALIZED ({rank_sql}) "  # noqa: S608 — see docstring
        f"SELECT page.o_id, {second} FROM ({inner_sql}) AS page "
        "JOIN ranked ON ranked.id = page.o_id "
        "ORDER BY ranked.rank DESC, page.o_starts ASC NULLS LAST, page.o_id ASC "
        "LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rank_params, *inner_params, limit, start])
        return [(row[0], row[1]) for row in cursor.fetchall()]


# Columns of the inner query the counting query reads, by the name it reads them as.
_COUNT_COLUMNS = {
    "f_type": "type",
    "f_level": "level",
    "f_delivery": "delivery",
    "f_price": "price",
    "f_org": "organisation__slug",
    **{f"f_{name}": name for name, _label in ACCESSIBILITY_FEATURES},
}


_FEATURE_NAMES = frozenset(name for name, _label in ACCESSIBILITY_FEATURES)


def _sql_in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


@dataclass
class _Counts:
    """Every count discovery shows, from :func:`_counts`."""

    total: int
    scalar: dict[str, int]  # "group:value" → count, for the single-valued groups
    topics: dict[int, int]  # topic id → count
    skills: dict[int, int]  # skill id → count
    organisations: list[tuple[str, str, int]]  # (slug, name, count), most results first
    page: list[tuple[int, Any]] | None = None  # (id, distance or id) when a page was asked for


@dataclass(frozen=True)
class _PageSpec:
    """Which page of results :func:`_counts` also reads, in which order."""

    sort: str
    terms: tuple[str, ...]  # for the relevance sort
    city_id: int
    start: int
    limit: int


# The page's order over the columns of the materialised set, by sort.
# (Qualified: an unqualified name in ORDER BY would mean the output column of that name,
# which for ``CAST(f_id AS TEXT)`` is the id as text — 100000 before 99999.)
_PAGE_ORDER = {
    "relevance": "ranked.rank DESC, narrowed.f_starts ASC NULLS LAST, narrowed.f_id ASC",
    "nearest": "narrowed.f_distance ASC, narrowed.f_id ASC",
    "newest": "narrowed.f_published DESC NULLS LAST, narrowed.f_id DESC",
    "soonest": "narrowed.f_starts ASC NULLS LAST, narrowed.f_id ASC",
}


def _counts(
    narrowed: QuerySet[Opportunity],
    *,
    query: DiscoveryQuery,
    choices: _Choices,
    page: _PageSpec | None = None,
) -> _Counts:
    """The total and the count of every option of every group, in one statement.

    The narrowed set is derived once, as a materialised common table expression (each
    many-valued choice — topics, skills — computed once per row as a boolean column), and every
    count reads that table: a grouped count per single-valued group, one count per
    accessibility feature, and a join with the M2M table for topics and skills. (Deriving the
    set again for each group costs a scan of the city's opportunities each.) Only constants and
    placeholders go into the SQL; the values are parameters.
    """
    extra: dict[str, Any] = {}
    if query.topics:
        extra["f_in_topics"] = ExpressionWrapper(
            _related_ids_q("topics", "topic_id", choices.topic_ids), output_field=BooleanField()
        )
    if query.skills:
        extra["f_in_skills"] = ExpressionWrapper(
            _related_ids_q("skills", "skill_id", choices.skill_ids), output_field=BooleanField()
        )
    if query.near is not None:
        extra["f_distance"] = F("distance_km")
    inner = narrowed.order_by().values(
        f_id=F("pk"),
        f_org_name=F("organisation__name"),
        f_starts=F("first_starts_at"),
        f_published=F("published_at"),
        **{alias: F(column) for alias, column in _COUNT_COLUMNS.items()},
        **extra,
    )
    inner_sql, inner_params = inner.query.sql_with_params()

    conditions: dict[str, tuple[str, list[Any]]] = {
        "topics": ("f_in_topics", []) if query.topics else ("1 = 1", []),
        "skills": ("f_in_skills", []) if query.skills else ("1 = 1", []),
        "types": _sql_in("f_type", query.types) if query.types else ("1 = 1", []),
        "levels": _sql_in("f_level", query.levels) if query.levels else ("1 = 1", []),
        "organisations": (
            _sql_in("f_org", query.organisations) if query.organisations else ("1 = 1", [])
        ),
        "free": ("f_price IS NULL", []) if query.free_only else ("1 = 1", []),
        "delivery": (
            _sql_in("f_delivery", _delivery_values(query.delivery))
            if query.delivery
            else ("1 = 1", [])
        ),
        "accessibility": (
            # Only the known field names reach the SQL, whatever a caller passes.
            " AND ".join(f"f_{name}" for name in query.accessibility if name in _FEATURE_NAMES)
            or "1 = 1",
            [],
        ),
    }

    def all_but(group: str) -> tuple[str, list[Any]]:
        parts = [conditions[key] for key in conditions if key != group]
        return " AND ".join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]

    # Each part: (SQL giving rows of kind, key, label, count; its parameters).
    parts: list[tuple[str, list[Any]]] = []

    def grouped(kind: str, column: str, group: str) -> None:
        sql, params = all_but(group)
        parts.append(
            (
                f"SELECT '{kind}', CAST({column} AS TEXT), '', COUNT(*) FROM narrowed "  # noqa: S608
                f"WHERE {sql} GROUP BY {column}",
                params,
            )
        )

    sql, params = all_but("")
    parts.append((f"SELECT 'total', '', '', COUNT(*) FROM narrowed WHERE {sql}", params))  # noqa: S608
    grouped("types", "f_type", "types")
    grouped("levels", "f_level", "levels")
    grouped("delivery", "f_delivery", "delivery")
    sql, params = all_but("free")
    parts.append(
        (
            f"SELECT 'free', 'free', '', COUNT(*) FROM narrowed WHERE {sql} AND f_price IS NULL",  # noqa: S608
            params,
        )
    )
    sql, params = all_but("")
    for name, _label in ACCESSIBILITY_FEATURES:
        parts.append(
            (
                f"SELECT 'accessibility', '{name}', '', COUNT(*) FROM narrowed "  # noqa: S608
                f"WHERE {sql} AND f_{name}",
                params,
            )
        )
    for kind, relation, column, ids in (
        ("topics", "topics", "topic_id", [topic.pk for topic in choices.topics]),
        ("skills", "skills", "skill_id", [pk for pk, _name in choices.city_skills]),
    ):
        if not ids:
            continue
        # Read only for the city's own related rows, so the index on the related column is used.
        table = connection.ops.quote_name(getattr(Opportunity, relation).through._meta.db_table)
        sql, params = all_but(kind)
        in_sql, in_params = _sql_in(f"m2m.{column}", ids)
        parts.append(
            (
                f"SELECT '{kind}', CAST(m2m.{column} AS TEXT), '', COUNT(*) FROM narrowed "  # noqa: S608
                f"JOIN {table} AS m2m ON m2m.opportunity_id = narrowed.f_id "
                f"WHERE {sql} AND {in_sql} GROUP BY m2m.{column}",
                params + in_params,
            )
        )
    sql, params = all_but("organisations")
    parts.append(
        (
            "SELECT * FROM (SELECT 'organisations', f_org, f_org_name, COUNT(*) FROM narrowed "  # noqa: S608
            f"WHERE {sql} GROUP BY f_org, f_org_name "
            f"ORDER BY COUNT(*) DESC, f_org_name LIMIT {MAX_ORGANISATION_OPTIONS}) AS top_orgs",
            params,
        )
    )
    # Every part has a fifth column, the page's distances (a typed NULL elsewhere).
    parts = [
        (f"SELECT *, CAST(NULL AS DOUBLE PRECISION) FROM ({sql}) AS part", params)  # noqa: S608
        for sql, params in parts
    ]
    ctes, cte_params = [], []
    if page is not None:
        sql, params = all_but("")
        join = ""
        if page.sort == "relevance":
            rank_sql, rank_params = search.rank_table_sql(page.terms, page.city_id)
            ctes.append(f"ranked AS MATERIALIZED ({rank_sql})")
            cte_params += rank_params
            join = "JOIN ranked ON ranked.id = narrowed.f_id "
        order = _PAGE_ORDER[page.sort]
        distance = "f_distance" if query.near is not None else "CAST(NULL AS DOUBLE PRECISION)"
        parts.append(
            (
                f"SELECT * FROM (SELECT 'page', CAST(f_id AS TEXT), '', "  # noqa: S608
                f"ROW_NUMBER() OVER (ORDER BY {order}), {distance} FROM narrowed {join}"
                f"WHERE {sql} ORDER BY {order} LIMIT %s OFFSET %s) AS page_rows",
                [*params, page.limit, page.start],
            )
        )
    ctes.append(f"narrowed AS MATERIALIZED ({inner_sql})")
    cte_params += inner_params
    statement = f"WITH {', '.join(ctes)} " + " UNION ALL ".join(sql for sql, _ in parts)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*cte_params, *(p for _, ps in parts for p in ps)])
        rows = cursor.fetchall()

    counts = _Counts(total=0, scalar={}, topics={}, skills={}, organisations=[])
    by_delivery: dict[str, int] = {}
    page_rows: list[tuple[int, int, Any]] = []
    for kind, key, label, count, value in rows:
        count = int(count or 0)
        if kind == "page":
            page_rows.append((count, int(key), value))
        elif kind == "total":
            counts.total = count
        elif kind == "delivery":
            by_delivery[key] = count
        elif kind == "topics":
            counts.topics[int(key)] = count
        elif kind == "skills":
            counts.skills[int(key)] = count
        elif kind == "organisations":
            counts.organisations.append((key, label, count))
        else:
            counts.scalar[f"{kind}:{key}"] = count
    for value in ("online", "in_person"):
        counts.scalar[f"delivery:{value}"] = sum(
            by_delivery.get(each, 0) for each in _delivery_values(value)
        )
    if page is not None:
        counts.page = [
            (pk, distance if query.near is not None else pk)
            for _, pk, distance in sorted(page_rows)
        ]
    return counts


def _facets(
    *,
    city: City,
    query: DiscoveryQuery,
    choices: _Choices,
    counts: _Counts,
) -> dict[str, list[FacetOption]]:
    def scalar(group: str, options: Sequence[tuple[str, str]], chosen: Sequence[str]) -> list:
        return [
            FacetOption(value, label, counts.scalar.get(f"{group}:{value}", 0), value in chosen)
            for value, label in options
        ]

    facets: dict[str, list[FacetOption]] = {
        "types": scalar("types", OpportunityType.choices, query.types),
        "levels": scalar("levels", Level.choices, query.levels),
        "delivery": scalar(
            "delivery",
            [("in_person", "In person"), ("online", "Online")],
            [query.delivery],
        ),
        "free": scalar("free", [("free", "Free")], ["free"] if query.free_only else []),
        "accessibility": scalar("accessibility", ACCESSIBILITY_FEATURES, query.accessibility),
    }
    facets["topics"] = [
        FacetOption(
            topic.slug, topic.name, counts.topics.get(topic.pk, 0), topic.slug in query.topics
        )
        for topic in choices.topics
    ]
    facets["skills"] = [
        FacetOption(str(pk), name, counts.skills.get(pk, 0), pk in choices.skill_ids)
        for pk, name in choices.city_skills
        if pk in counts.skills or pk in choices.skill_ids
    ]
    organisations = {slug: (name, count) for slug, name, count in counts.organisations}
    missing = [slug for slug in query.organisations if slug not in organisations]
    if missing:
        for slug, name in Organisation.objects.filter(city=city, slug__in=missing).values_list(
            "slug", "name"
        ):
            organisations[slug] = (name, 0)
    facets["organisations"] = sorted(
        (
            FacetOption(slug, name, count, slug in query.organisations)
            for slug, (name, count) in organisations.items()
        ),
        key=lambda option: option.label.lower(),
    )
    return facets


# --- The public page ------------------------------------------------------------------------------


def session_list_upcoming(
    *, opportunity: Opportunity, now: datetime.datetime | None = None
) -> QuerySet[Session]:
    """The opportunity's sessions that have not ended and are not cancelled, soonest first."""
    now = now or timezone.now()
    return (
        Session.objects.filter(opportunity=opportunity, is_cancelled=False, ends_at__gt=now)
        .select_related("opportunity__city")
        .order_by("starts_at")
    )


def opportunity_detail_related(*, opportunity: Opportunity) -> dict[str, Any]:
    """What the public page shows beside the opportunity itself: its topics, skills, partners
    (active ones) and the published badges you can earn."""
    return {
        "topics": list(opportunity.topics.order_by("name")),
        "skills": list(opportunity.skills.select_related("framework").order_by("name")),
        "partners": list(
            opportunity.partners.filter(status=Organisation.Status.ACTIVE).order_by("name")
        ),
        "badge_classes": list(
            opportunity.badge_classes.filter(status=BadgeStatus.PUBLISHED).order_by("name")
        ),
    }
