"""Rebuilding a city's ``Fact`` rows from the other apps: one flattened row per event.

Each kind of fact is written by a single ``INSERT INTO insights_fact (…) SELECT …`` whose SELECT
is compiled from an ordinary queryset (``qs.query.sql_with_params()``), so the database does the
work in one statement per kind — no rows travel through Python, which is what keeps a rebuild of
a million learners and five million awards to seconds on PostgreSQL. The same SQL runs on SQLite.
On PostgreSQL the table is analysed afterwards, in the same transaction, so that the refresh's
many GROUP BYs over the new facts are planned with their true size.

What becomes a fact (and what does not) — the definitions page words these for readers:

- **joined**: every learner profile of the city, on the day it was created.
- **award**: every award of a badge class whose organisation is in the city, issued up to the
  refresh's "as of", to an account that has a learner profile. Revoked and replaced awards
  count (they were awarded). An award sent to an address with no account yet (``recipient``
  empty), or to an account without a learner profile (staff), is not a fact; it becomes one at
  the first refresh after the address gets a learner account (``awards_attach_for_email``).
- **booking**: a place booked on a session of one of the city's opportunities, on the day it was
  booked (``promoted_at`` for a place given from the waitlist, else ``created_at``). Cancelled
  bookings count. Waitlist places still waiting do not. A cancelled booking that was only ever on
  the waitlist cannot be told apart from a cancelled place (``Booking`` keeps no "was booked"
  mark), so it is counted too — see the report on issue 7; a ``booked_at`` column would fix it.
- **attended**: a checked-in booking, on the day of its session (not of the check-in).
- **p_started** / **p_done**: an enrolment on one of the city's pathways, on the day the learner
  joined / completed it. A city-team pathway has no organisation (``organisation_id`` empty,
  ``organisation_type`` "").
- **opportunity**: one per session that is not cancelled, of an opportunity of the city that is
  published (or was, and is now archived: its past sessions were still offered), starting up to
  "as of", on the day it starts.

Every day is the local date in the city's timezone (``City.timezone``): an award at 23:30 UTC on
31 March in Europe/London (BST) is a 1 April fact.

People facts carry the learner's home area and its IMD decile (only when the learner's profile is
in this city; a visitor from another city has an "unknown" home here) and their age band on the
day of the event, computed in SQL exactly as ``accounts.models.age_on`` and ``age_band_for`` do.

Topics. An opportunity's topic is its topic with the lowest id ("none", ``topic_id`` empty, when
it has none): figures filter and break down by one topic per fact, so facts must partition. A
badge class's topic is the most common topic among the published opportunities that award it
(ties: lowest topic id; "none" if no opportunity does). Both are small tables worked out once
per rebuild (one row per opportunity, one per badge class) and joined to the rows being inserted
(``_Lookup``): a subquery per row would run once per booking or award, and setting the award
facts' topics afterwards, one ``UPDATE`` per topic, rewrote millions of rows.

Venue. Booking, attendance and opportunity facts carry the opportunity's area and its decile. An
online-only opportunity has ``venue_area_id`` 0 (no ``Area`` has id 0) so that figures can tell
"online" from "no area given" (empty); its ``opportunity_type`` is kept as usual.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Field,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable, Expression
from django.db.models.functions import Cast, Coalesce, TruncDate

from learningcity.accounts.models import AgeBand, LearnerProfile
from learningcity.badges.models import Award, BadgeClass
from learningcity.cities.models import City
from learningcity.opportunities.models import (
    Booking,
    BookingStatus,
    Delivery,
    Opportunity,
    OpportunityStatus,
    Session,
)
from learningcity.pathways.models import Enrolment

from .models import Fact

__all__ = ["ONLINE_VENUE", "badge_topics", "facts_rebuild"]

# ``Fact.venue_area_id`` of an online-only opportunity (no Area row has id 0).
ONLINE_VENUE = 0

# The Fact columns, in the order every SELECT below produces them.
_COLUMNS = (
    "city_id",
    "kind",
    "day",
    "learner_id",
    "home_area_id",
    "home_decile",
    "age_band",
    "organisation_id",
    "organisation_type",
    "topic_id",
    "opportunity_type",
    "opportunity_id",
    "badge_class_id",
    "level",
    "venue_area_id",
    "venue_decile",
)
_TEXT_COLUMNS = {"kind", "age_band", "organisation_type", "opportunity_type", "level"}


@dataclass(frozen=True)
class _Lookup:
    """A Fact column filled from a small table of ``(k, v)`` rows, joined on ``k`` = the row's
    ``key`` column. The table must hold every key the facts can have (``v`` empty when there is
    none): it is an inner join, so that the database may start from the small table and reach
    the rows by their index (SQLite cannot turn a LEFT JOIN round, and would scan the table
    again for every row)."""

    column: str
    key: str
    sql: str
    params: Sequence[Any]


def facts_rebuild(*, city: City, as_of: datetime.datetime) -> int:
    """Delete ``city``'s facts and write them again from the other apps, counting events up to
    ``as_of``, in one transaction (readers see the old facts or the new, never half). Returns
    the number of facts written."""
    tz = zoneinfo.ZoneInfo(city.timezone)
    with transaction.atomic():
        Fact.objects.filter(city_id=city.pk).delete()
        written = 0
        for queryset, lookups in _fact_selects(city=city, as_of=as_of, tz=tz):
            written += _insert_select(queryset, lookups)
        if connection.vendor == "postgresql":  # statistics for the GROUP BYs that follow
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(Fact._meta.db_table)}")
    return written


# --- The INSERT … SELECT ------------------------------------------------------------------------


def _insert_select(queryset: QuerySet[Any], lookups: Sequence[_Lookup] = ()) -> int:
    """Run ``INSERT INTO insights_fact (columns) <queryset's SELECT>``; the queryset is a
    ``values()`` of exactly the ``_COLUMNS`` aliases, in order. Each of ``lookups`` replaces
    its column by a join of its table around that SELECT."""
    inner, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
    by_column = {lookup.column: n for n, lookup in enumerate(lookups)}
    picked = ", ".join(
        f"l{by_column[name]}.v" if name in by_column else f"q.{quote(f'f_{name}')}"
        for name in _COLUMNS
    )
    joins = "".join(
        f" JOIN l{n} ON l{n}.k = q.{quote(f'f_{lookup.key}')}" for n, lookup in enumerate(lookups)
    )
    # Sorted by day, the rows extend the (city, kind, day) index at its end rather than all
    # through it: a quarter faster at a million awards on PostgreSQL.
    sql = f"SELECT {picked} FROM ({inner}) q{joins} ORDER BY q.{quote('f_day')}"  # noqa: S608
    if lookups:
        # Each table is made once, up front: without MATERIALIZED (PostgreSQL 12+, SQLite
        # 3.35+) SQLite folds it into the join and works out a badge's topic once per award.
        tables = ", ".join(
            f"l{n} AS MATERIALIZED ({lookup.sql})" for n, lookup in enumerate(lookups)
        )
        sql = f"WITH {tables} {sql}"
        params = (*(p for lookup in lookups for p in lookup.params), *params)
    columns = ", ".join(quote(_column(name)) for name in _COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {quote(Fact._meta.db_table)} ({columns}) {sql}", params)
        return max(cursor.rowcount, 0)


def _column(name: str) -> str:
    field = Fact._meta.get_field(name)
    assert isinstance(field, Field) and field.column
    return field.column


def _as_fact_rows(queryset: QuerySet[Any], **columns: Any) -> QuerySet[Any]:
    """``queryset`` annotated with one ``f_<column>`` per Fact column (empty where not given)
    and reduced to exactly those, in ``_COLUMNS`` order: annotations are added in that order and
    ``values()`` of annotations only selects them in that order."""
    unknown = set(columns) - set(_COLUMNS)
    if unknown:  # pragma: no cover - a programming error
        raise ValueError(f"not Fact columns: {sorted(unknown)}")
    annotations: dict[str, Any] = {}
    for name in _COLUMNS:
        expression = columns.get(name)
        if expression is None:
            # Typed: an untyped NULL in a SELECT wrapped by ``_insert_select`` is text.
            expression = Value("") if name in _TEXT_COLUMNS else Cast(Value(None), IntegerField())
        elif not hasattr(expression, "resolve_expression"):
            expression = Value(expression)
        annotations[f"f_{name}"] = expression
    return queryset.order_by().annotate(**annotations).values(*annotations)


# --- Shared expressions -----------------------------------------------------------------------


def _local_day(moment: Combinable | str, tz: zoneinfo.ZoneInfo) -> TruncDate:
    return TruncDate(moment, tzinfo=tz)


class _AgedAtLeast(Expression):
    """True when someone born on ``date_of_birth`` is at least ``years`` old on ``day`` (a date):
    whole years as ``accounts.models.age_on`` counts them (one less until the birthday's month
    and day are reached, so a 29 February birthday is reached on 1 March in other years).

    One date comparison, rather than the years, months and days of both dates taken apart: an age
    band tests up to four of these per fact, on millions of facts. Each database shifts the date
    its own way so that 29 February comes out as ``age_on`` has it: PostgreSQL moves the day back
    (``day - N years`` is 28 February when that year has no 29th, and no one is born between
    the two), SQLite moves the birthday on (``date(born, '+N years')`` rolls 29 February over to
    1 March)."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, day: Expression, date_of_birth: str, *, years: int) -> None:
        super().__init__()
        self.day, self.date_of_birth, self.years = day, F(date_of_birth), years

    def get_source_expressions(self) -> list[Any]:
        return [self.day, self.date_of_birth]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.day, self.date_of_birth = exprs

    def as_sql(
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, tuple[Any, ...]]:
        day, day_params = compiler.compile(self.day)
        born, born_params = compiler.compile(self.date_of_birth)
        if connection.vendor == "sqlite":
            return f"{day} >= date({born}, %s)", (
                *day_params,
                *born_params,
                f"+{int(self.years)} years",
            )
        return f"{born} <= CAST({day} - make_interval(years => %s) AS date)", (
            *born_params,
            *day_params,
            int(self.years),
        )


def _age_band(moment: Combinable | str, date_of_birth: str, tz: zoneinfo.ZoneInfo) -> Case:
    """The ``accounts.AgeBand`` of someone born on ``date_of_birth`` on the local day of
    ``moment``, banded as ``age_band_for`` (``_AgedAtLeast`` counts the years)."""
    day = _local_day(moment, tz)
    return Case(
        When(_AgedAtLeast(day, date_of_birth, years=26), then=Value(AgeBand.OVER_25.value)),
        When(_AgedAtLeast(day, date_of_birth, years=18), then=Value(AgeBand.AGE_18_25.value)),
        When(_AgedAtLeast(day, date_of_birth, years=16), then=Value(AgeBand.AGE_16_17.value)),
        When(_AgedAtLeast(day, date_of_birth, years=13), then=Value(AgeBand.AGE_13_15.value)),
        default=Value(AgeBand.UNDER_13.value),
    )


def _people(
    *, profile: str, moment: Combinable | str, city: City, tz: zoneinfo.ZoneInfo
) -> dict[str, Any]:
    """The learner columns, from the learner profile at path ``profile`` ("" for the profile
    itself). The home area counts only when the profile is in this city."""
    prefix = f"{profile}__" if profile else ""
    in_city = Q(**{f"{prefix}city_id": city.pk})
    return {
        "home_area_id": Case(
            When(in_city, then=F(f"{prefix}area_id")), default=None, output_field=IntegerField()
        ),
        "home_decile": Case(
            When(in_city, then=F(f"{prefix}area__imd_decile")),
            default=None,
            output_field=IntegerField(),
        ),
        "age_band": _age_band(moment, f"{prefix}date_of_birth", tz),
    }


def _offer(*, opportunity: str) -> dict[str, Any]:
    """The organisation, type and venue columns of the opportunity at path ``opportunity``
    (its topic: ``_opportunity_topics``, joined on ``opportunity_id``)."""
    online = Q(**{f"{opportunity}__delivery": Delivery.ONLINE})
    return {
        "organisation_id": F(f"{opportunity}__organisation_id"),
        "organisation_type": F(f"{opportunity}__organisation__type"),
        "opportunity_type": F(f"{opportunity}__type"),
        "opportunity_id": F(f"{opportunity}_id"),
        "level": F(f"{opportunity}__level"),
        "venue_area_id": Case(
            When(online, then=Value(ONLINE_VENUE)),
            default=F(f"{opportunity}__area_id"),
            output_field=IntegerField(),
        ),
        "venue_decile": Case(
            When(online, then=Value(None, IntegerField())),
            default=F(f"{opportunity}__area__imd_decile"),
            output_field=IntegerField(),
        ),
    }


# --- One SELECT per kind ----------------------------------------------------------------------


def _fact_selects(
    *, city: City, as_of: datetime.datetime, tz: zoneinfo.ZoneInfo
) -> Iterable[tuple[QuerySet[Any], Sequence[_Lookup]]]:
    """Each kind's SELECT, with the lookups that fill its topic."""
    city_id = Value(city.pk, IntegerField())
    opportunity_topics = (_opportunity_topics(city=city),)

    yield (
        _as_fact_rows(
            LearnerProfile.objects.filter(city=city, created_at__lte=as_of),
            city_id=city_id,
            kind=Fact.Kind.LEARNER_JOINED.value,
            day=_local_day("created_at", tz),
            learner_id=F("user_id"),
            **_people(profile="", moment="created_at", city=city, tz=tz),
        ),
        (),
    )

    yield (
        _as_fact_rows(
            Award.objects.filter(
                badge_class__organisation__city=city,
                issued_at__lte=as_of,
                recipient__learner_profile__isnull=False,
            ),
            city_id=city_id,
            kind=Fact.Kind.AWARD.value,
            day=_local_day("issued_at", tz),
            learner_id=F("recipient_id"),
            **_people(profile="recipient__learner_profile", moment="issued_at", city=city, tz=tz),
            organisation_id=F("badge_class__organisation_id"),
            organisation_type=F("badge_class__organisation__type"),
            badge_class_id=F("badge_class_id"),
            level=F("badge_class__level"),
        ),
        (_badge_topics(city=city),),
    )

    booked_at = Coalesce("promoted_at", "created_at")
    yield (
        _as_fact_rows(
            Booking.objects.filter(
                session__opportunity__city=city,
                status__in=(BookingStatus.BOOKED, BookingStatus.CANCELLED),
                learner__learner_profile__isnull=False,
            )
            .alias(booked_at=booked_at)
            .filter(booked_at__lte=as_of),
            city_id=city_id,
            kind=Fact.Kind.BOOKING.value,
            day=_local_day(booked_at, tz),
            learner_id=F("learner_id"),
            **_people(profile="learner__learner_profile", moment=booked_at, city=city, tz=tz),
            **_offer(opportunity="session__opportunity"),
        ),
        opportunity_topics,
    )

    yield (
        _as_fact_rows(
            Booking.objects.filter(
                session__opportunity__city=city,
                checked_in_at__isnull=False,
                checked_in_at__lte=as_of,
                learner__learner_profile__isnull=False,
            ),
            city_id=city_id,
            kind=Fact.Kind.ATTENDANCE.value,
            day=_local_day("session__starts_at", tz),
            learner_id=F("learner_id"),
            **_people(
                profile="learner__learner_profile", moment="session__starts_at", city=city, tz=tz
            ),
            **_offer(opportunity="session__opportunity"),
        ),
        opportunity_topics,
    )

    for kind, moment, extra in (
        (Fact.Kind.PATHWAY_STARTED, "joined_at", Q()),
        (Fact.Kind.PATHWAY_COMPLETED, "completed_at", Q(completed_at__isnull=False)),
    ):
        yield (
            _as_fact_rows(
                Enrolment.objects.filter(
                    extra,
                    pathway__city=city,
                    learner__learner_profile__isnull=False,
                    **{f"{moment}__lte": as_of},
                ),
                city_id=city_id,
                kind=kind.value,
                day=_local_day(moment, tz),
                learner_id=F("learner_id"),
                **_people(profile="learner__learner_profile", moment=moment, city=city, tz=tz),
                organisation_id=F("pathway__organisation_id"),
                organisation_type=Coalesce(F("pathway__organisation__type"), Value("")),
            ),
            (),
        )

    yield (
        _as_fact_rows(
            Session.objects.filter(
                opportunity__city=city,
                opportunity__status__in=(OpportunityStatus.PUBLISHED, OpportunityStatus.ARCHIVED),
                opportunity__published_at__isnull=False,
                is_cancelled=False,
                starts_at__lte=as_of,
            ),
            city_id=city_id,
            kind=Fact.Kind.OPPORTUNITY.value,
            day=_local_day("starts_at", tz),
            **_offer(opportunity="opportunity"),
        ),
        opportunity_topics,
    )


# --- Topics ---------------------------------------------------------------------------------------


def _opportunity_topics(*, city: City) -> _Lookup:
    """Every opportunity of the city, with its lowest topic id (empty: none)."""
    sql, params = (
        Opportunity.objects.filter(city=city)
        .order_by()
        .values(k=F("id"))
        .annotate(v=Min("topics__id"))
        .query.sql_with_params()
    )
    return _Lookup(column="topic_id", key="opportunity_id", sql=sql, params=params)


def _badge_topics(*, city: City) -> _Lookup:
    """Every badge class of the city's organisations, with the topic most of the city's
    published opportunities that award it have, ties to the lowest topic id (empty: none).
    Worked out once per badge class (a few thousand), by the index on the badge links."""
    ranked = (
        Opportunity.badge_classes.through.objects.filter(
            badgeclass_id=OuterRef("id"),
            opportunity__city=city,
            opportunity__status=OpportunityStatus.PUBLISHED,
            opportunity__topics__isnull=False,
        )
        .values("opportunity__topics")
        .annotate(n=Count("id"))
        .order_by("-n", "opportunity__topics")
        .values("opportunity__topics")[:1]
    )
    sql, params = (
        BadgeClass.objects.filter(organisation__city=city)
        .order_by()
        .values(k=F("id"), v=Subquery(ranked, output_field=IntegerField()))
        .query.sql_with_params()
    )
    return _Lookup(column="topic_id", key="badge_class_id", sql=sql, params=params)


def badge_topics(*, city: City) -> dict[int, int]:
    """``{badge_class_id: topic_id}``: each badge class's most common topic among the city's
    published opportunities that award it (ties to the lowest topic id), as the award facts
    carry it. Badge classes that no such opportunity awards, or only ones without topics, are
    absent ("none")."""
    lookup = _badge_topics(city=city)
    with connection.cursor() as cursor:
        cursor.execute(lookup.sql, lookup.params)
        return {int(badge): int(topic) for badge, topic in cursor.fetchall() if topic is not None}
