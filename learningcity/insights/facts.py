"""Rebuilding a city's ``Fact`` rows from the other apps: one flattened row per event.

Each kind of fact is written by a single ``INSERT INTO insights_fact (…) SELECT …`` whose SELECT
is compiled from an ordinary queryset (``qs.query.sql_with_params()``), so the database does the
work in one statement per kind — no rows travel through Python, which is what keeps a rebuild of
a million learners and five million awards to seconds on PostgreSQL. The same SQL runs on SQLite.

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
(ties: lowest topic id; "none" if no opportunity does) — worked out in Python as a small mapping,
then written with one ``UPDATE … WHERE badge_class_id IN (…)`` per topic (topics are few; badge
classes may be many, which a ``CASE`` of thousands of branches would not survive).

Venue. Booking, attendance and opportunity facts carry the opportunity's area and its decile. An
online-only opportunity has ``venue_area_id`` 0 (no ``Area`` has id 0) so that figures can tell
"online" from "no area given" (empty); its ``opportunity_type`` is kept as usual.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    Field,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import (
    Coalesce,
    ExtractDay,
    ExtractMonth,
    ExtractYear,
    TruncDate,
)
from django.db.models.lookups import LessThan, LessThanOrEqual

from learningcity.accounts.models import AgeBand, LearnerProfile
from learningcity.badges.models import Award
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
_UPDATE_CHUNK = 500


def facts_rebuild(*, city: City, as_of: datetime.datetime) -> int:
    """Delete ``city``'s facts and write them again from the other apps, counting events up to
    ``as_of``, in one transaction (readers see the old facts or the new, never half). Returns
    the number of facts written."""
    tz = zoneinfo.ZoneInfo(city.timezone)
    with transaction.atomic():
        Fact.objects.filter(city_id=city.pk).delete()
        written = 0
        for queryset in _fact_selects(city=city, as_of=as_of, tz=tz):
            written += _insert_select(queryset)
        _apply_badge_topics(city=city)
    return written


# --- The INSERT … SELECT ------------------------------------------------------------------------


def _insert_select(queryset: QuerySet[Any]) -> int:
    """Run ``INSERT INTO insights_fact (columns) <queryset's SELECT>``; the queryset is a
    ``values()`` of exactly the ``_COLUMNS`` aliases, in order."""
    sql, params = queryset.query.sql_with_params()
    quote = connection.ops.quote_name
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
            expression = Value("") if name in _TEXT_COLUMNS else Value(None, IntegerField())
        elif not hasattr(expression, "resolve_expression"):
            expression = Value(expression)
        annotations[f"f_{name}"] = expression
    return queryset.order_by().annotate(**annotations).values(*annotations)


# --- Shared expressions -----------------------------------------------------------------------


def _local_day(moment: Combinable | str, tz: zoneinfo.ZoneInfo) -> TruncDate:
    return TruncDate(moment, tzinfo=tz)


def _age_band(moment: Combinable | str, date_of_birth: str, tz: zoneinfo.ZoneInfo) -> Case:
    """The ``accounts.AgeBand`` of someone born on ``date_of_birth`` on the local day of
    ``moment``: whole years as ``accounts.models.age_on`` counts them (one less until the
    birthday's month and day are reached, so a 29 February birthday counts on 1 March), banded
    as ``age_band_for``."""
    event_month_day = ExtractMonth(moment, tzinfo=tz) * 100 + ExtractDay(moment, tzinfo=tz)
    birth_month_day = ExtractMonth(date_of_birth) * 100 + ExtractDay(date_of_birth)
    before_birthday = Case(
        When(LessThan(event_month_day, birth_month_day), then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    age = ExtractYear(moment, tzinfo=tz) - ExtractYear(date_of_birth) - before_birthday
    return Case(
        When(LessThan(age, 13), then=Value(AgeBand.UNDER_13.value)),
        When(LessThan(age, 16), then=Value(AgeBand.AGE_13_15.value)),
        When(LessThan(age, 18), then=Value(AgeBand.AGE_16_17.value)),
        When(LessThanOrEqual(age, 25), then=Value(AgeBand.AGE_18_25.value)),
        default=Value(AgeBand.OVER_25.value),
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
    """The organisation, topic, type and venue columns of the opportunity at path
    ``opportunity``."""
    through = Opportunity.topics.through
    online = Q(**{f"{opportunity}__delivery": Delivery.ONLINE})
    return {
        "organisation_id": F(f"{opportunity}__organisation_id"),
        "organisation_type": F(f"{opportunity}__organisation__type"),
        "topic_id": Subquery(
            through.objects.filter(opportunity_id=OuterRef(f"{opportunity}_id"))
            .order_by("topic_id")
            .values("topic_id")[:1],
            output_field=IntegerField(),
        ),
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
) -> Iterable[QuerySet[Any]]:
    city_id = Value(city.pk, IntegerField())

    yield _as_fact_rows(
        LearnerProfile.objects.filter(city=city, created_at__lte=as_of),
        city_id=city_id,
        kind=Fact.Kind.LEARNER_JOINED.value,
        day=_local_day("created_at", tz),
        learner_id=F("user_id"),
        **_people(profile="", moment="created_at", city=city, tz=tz),
    )

    yield _as_fact_rows(
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
    )

    booked_at = Coalesce("promoted_at", "created_at")
    yield _as_fact_rows(
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
    )

    yield _as_fact_rows(
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
    )

    for kind, moment, extra in (
        (Fact.Kind.PATHWAY_STARTED, "joined_at", Q()),
        (Fact.Kind.PATHWAY_COMPLETED, "completed_at", Q(completed_at__isnull=False)),
    ):
        yield _as_fact_rows(
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
        )

    yield _as_fact_rows(
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
    )


# --- Badge topics -------------------------------------------------------------------------------


def badge_topics(*, city: City) -> dict[int, int]:
    """``{badge_class_id: topic_id}``: each badge class's most common topic among the city's
    published opportunities that award it (ties to the lowest topic id). Badge classes that no
    such opportunity awards, or only ones without topics, are absent ("none")."""
    through = Opportunity.badge_classes.through
    rows = (
        through.objects.filter(
            opportunity__city=city,
            opportunity__status=OpportunityStatus.PUBLISHED,
            opportunity__topics__isnull=False,
        )
        .values("badgeclass_id", topic=F("opportunity__topics"))
        .annotate(n=Count("id"))
        .order_by()
    )
    best: dict[int, tuple[int, int]] = {}
    for row in rows:
        key = (-row["n"], row["topic"])
        current = best.get(row["badgeclass_id"])
        if current is None or key < current:
            best[row["badgeclass_id"]] = key
    return {badge_id: topic for badge_id, (_, topic) in best.items()}


def _apply_badge_topics(*, city: City) -> None:
    by_topic: dict[int, list[int]] = defaultdict(list)
    for badge_id, topic_id in badge_topics(city=city).items():
        by_topic[topic_id].append(badge_id)
    awards = Fact.objects.filter(city_id=city.pk, kind=Fact.Kind.AWARD)
    for topic_id, badge_ids in by_topic.items():
        badge_ids.sort()
        for start in range(0, len(badge_ids), _UPDATE_CHUNK):
            chunk = badge_ids[start : start + _UPDATE_CHUNK]
            awards.filter(badge_class_id__in=chunk).update(topic_id=topic_id)
