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
    Count,
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
    return _Choices(topics=topics, topic_ids=topic_ids, skill_ids=skill_ids)


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


def _narrowed(
    *, city: City, query: DiscoveryQuery, now: datetime.datetime
) -> tuple[QuerySet[Opportunity], bool]:
    """The discoverable set with the narrowing filters (not the faceted ones) applied, and
    whether it is already narrowed to text matches."""
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

    counts = _scalar_counts(narrowed, query=query, choices=choices)
    total = counts.pop("total")
    page_count = max(1, math.ceil(total / page_size))
    page = min(max(query.page, 1), page_count)
    sort = query.effective_sort

    results = narrowed.filter(_all_but(groups, ""))
    if sort == "relevance" and has_text:
        # ``narrowed`` is already narrowed to the matches: only the rank is added here.
        results = results.annotate(
            search_rank=search.SearchRank(search.search_terms(query.text))
        ).order_by("-search_rank", F("first_starts_at").asc(nulls_last=True), "pk")
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

    facets = _facets(
        city=city,
        narrowed=narrowed,
        query=query,
        choices=choices,
        groups=groups,
        scalar_counts=counts,
    )
    return DiscoveryResult(
        items=items,
        total=total,
        page=page,
        page_count=page_count,
        page_size=page_size,
        sort=sort,
        facets=facets,
    )


# Columns of the inner query the counting query reads, by the name it reads them as.
_COUNT_COLUMNS = {
    "f_type": "type",
    "f_level": "level",
    "f_delivery": "delivery",
    "f_price": "price",
    "f_org": "organisation__slug",
    **{f"f_{name}": name for name, _label in ACCESSIBILITY_FEATURES},
}


def _sql_in(column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", list(values)


def _scalar_counts(
    narrowed: QuerySet[Opportunity], *, query: DiscoveryQuery, choices: _Choices
) -> dict[str, int]:
    """The total and the count of every option of the single-valued groups, in one query.

    The narrowed set is read once, as a derived table, with each many-valued choice (topics,
    skills) computed once per row as a boolean column; every count is then a ``COUNT(*) FILTER``
    over that table. (Written as ``Count(filter=Q(pk__in=…))`` instead, the database would
    evaluate the M2M subquery once per count — twenty-odd times.) Only constants and
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
    inner = narrowed.order_by().values(
        **{alias: F(column) for alias, column in _COUNT_COLUMNS.items()}, **extra
    )
    inner_sql, inner_params = inner.query.sql_with_params()
    if connection.vendor == "postgresql":
        # A fence: without it PostgreSQL pulls the derived table up into the outer query and
        # copies the M2M subquery into every FILTER clause again.
        inner_sql += " OFFSET 0"

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
            " AND ".join(f"f_{name}" for name in query.accessibility) or "1 = 1",
            [],
        ),
    }

    def all_but(group: str) -> tuple[str, list[Any]]:
        parts = [conditions[key] for key in conditions if key != group]
        return " AND ".join(f"({sql})" for sql, _ in parts), [p for _, ps in parts for p in ps]

    counts: list[tuple[str, str, list[Any]]] = []
    counts.append(("total", *all_but("")))
    for group, column, values in (
        ("types", "f_type", [value for value, _ in OpportunityType.choices]),
        ("levels", "f_level", [value for value, _ in Level.choices]),
    ):
        sql, params = all_but(group)
        for value in values:
            counts.append((f"{group}:{value}", f"{sql} AND {column} = %s", [*params, value]))
    sql, params = all_but("delivery")
    for value in ("online", "in_person"):
        option_sql, option_params = _sql_in("f_delivery", _delivery_values(value))
        counts.append((f"delivery:{value}", f"{sql} AND {option_sql}", params + option_params))
    sql, params = all_but("free")
    counts.append(("free:free", f"{sql} AND f_price IS NULL", params))
    sql, params = all_but("")
    for name, _label in ACCESSIBILITY_FEATURES:
        counts.append((f"accessibility:{name}", f"{sql} AND f_{name}", params))

    select = ", ".join(f"COUNT(*) FILTER (WHERE {sql})" for _, sql, _ in counts)
    select_params = [param for _, _, params in counts for param in params]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {select} FROM ({inner_sql}) AS narrowed",  # noqa: S608 — see docstring
            [*select_params, *inner_params],
        )
        row = cursor.fetchone()
    return {key: int(value or 0) for (key, _, _), value in zip(counts, row, strict=True)}


def _facets(
    *,
    city: City,
    narrowed: QuerySet[Opportunity],
    query: DiscoveryQuery,
    choices: _Choices,
    groups: dict[str, Q],
    scalar_counts: dict[str, int],
) -> dict[str, list[FacetOption]]:
    def scalar(group: str, options: Sequence[tuple[str, str]], chosen: Sequence[str]) -> list:
        return [
            FacetOption(value, label, scalar_counts[f"{group}:{value}"], value in chosen)
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

    topic_counts = _m2m_counts(
        narrowed.filter(_all_but(groups, "topics")),
        "topics",
        "topic_id",
        [topic.pk for topic in choices.topics],
    )
    facets["topics"] = [
        FacetOption(
            topic.slug, topic.name, topic_counts.get(topic.pk, 0), topic.slug in query.topics
        )
        for topic in choices.topics
    ]

    city_skills = list(
        Skill.objects.filter(framework__city=city).order_by("name").values_list("pk", "name")
    )
    skill_counts = (
        _m2m_counts(
            narrowed.filter(_all_but(groups, "skills")),
            "skills",
            "skill_id",
            [pk for pk, _ in city_skills],
        )
        if city_skills
        else {}
    )
    facets["skills"] = [
        FacetOption(str(pk), name, skill_counts.get(pk, 0), pk in choices.skill_ids)
        for pk, name in city_skills
        if pk in skill_counts or pk in choices.skill_ids
    ]

    organisation_rows = (
        narrowed.filter(_all_but(groups, "organisations"))
        .order_by()
        .values("organisation__slug", "organisation__name")
        .annotate(count=Count("pk"))
        .order_by("-count", "organisation__name")[:MAX_ORGANISATION_OPTIONS]
    )
    organisations = {
        row["organisation__slug"]: (row["organisation__name"], row["count"])
        for row in organisation_rows
    }
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


def _m2m_counts(
    queryset: QuerySet[Opportunity], relation: str, column: str, ids: Sequence[int]
) -> dict[int, int]:
    """{related id: number of opportunities of ``queryset``} through an M2M table, read only
    for the city's own related rows (``ids``) so the index on the related column is used."""
    if not ids:
        return {}
    through = getattr(Opportunity, relation).through
    rows = (
        through.objects.filter(**{f"{column}__in": ids}, opportunity_id__in=queryset.values("pk"))
        .order_by()
        .values(column)
        .annotate(count=Count("opportunity_id"))
    )
    return {row[column]: row["count"] for row in rows}


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
