"""Facts rebuilt from the small city (see ``factories.small_city`` for every number below)."""

from __future__ import annotations

import datetime
import zoneinfo
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction

from learningcity.accounts.models import age_band_for, age_on
from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges.services import award_issue
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.insights.facts import ONLINE_VENUE, badge_topics, facts_rebuild
from learningcity.insights.models import Fact

from .factories import SmallCity, small_city, utc

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture(scope="module")
def town(django_db_setup: None, django_db_blocker: Any) -> Iterator[SmallCity]:
    """Built once for the module (signing its awards is the slow part), rolled back after;
    each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = small_city(slug="factville")
        facts_rebuild(city=built.city, as_of=built.as_of)
        yield built
        transaction.set_rollback(True)


def facts(town: SmallCity, **filters: object) -> list[Fact]:
    return list(Fact.objects.filter(city_id=town.city.pk, **filters).order_by("day", "id"))


def test_each_kind_has_the_hand_counted_number_of_facts(town: SmallCity) -> None:
    kinds = Counter(f.kind for f in facts(town))
    assert kinds == {
        Fact.Kind.LEARNER_JOINED: 6,
        Fact.Kind.AWARD: 7,
        Fact.Kind.BOOKING: 4,
        Fact.Kind.ATTENDANCE: 2,
        Fact.Kind.PATHWAY_STARTED: 2,
        Fact.Kind.PATHWAY_COMPLETED: 1,
        Fact.Kind.OPPORTUNITY: 3,
    }


def test_rebuilding_replaces_the_facts_and_returns_how_many(town: SmallCity) -> None:
    assert facts_rebuild(city=town.city, as_of=town.as_of) == 25
    assert Fact.objects.filter(city_id=town.city.pk).count() == 25


def test_an_award_late_on_31_march_utc_is_a_1_april_fact_at_the_age_of_that_day(
    town: SmallCity,
) -> None:
    (fact,) = facts(town, kind=Fact.Kind.AWARD, learner_id=town.learners["l1"].pk, day__month=4)
    # 23:30 UTC on 31 March is 00:30 BST on 1 April in Europe/London …
    assert fact.day == datetime.date(2026, 4, 1)
    # … l1's 16th birthday: 16–17 that day, where the UTC date would have made them 15 (13–15).
    assert fact.age_band == "16_17"
    (joined,) = facts(town, kind=Fact.Kind.LEARNER_JOINED, learner_id=town.learners["l1"].pk)
    assert joined.age_band == "13_15"


def test_award_facts_carry_home_organisation_badge_level_and_topic(town: SmallCity) -> None:
    by_day = {f.day: f for f in facts(town, kind=Fact.Kind.AWARD)}
    a5 = by_day[datetime.date(2026, 5, 20)]
    assert (a5.learner_id, a5.home_area_id, a5.home_decile, a5.age_band) == (
        town.learners["l4"].pk,
        town.areas["south"].pk,
        9,
        "under_13",
    )
    assert (a5.organisation_id, a5.organisation_type) == (town.youth.pk, "youth_group")
    assert (a5.badge_class_id, a5.level, a5.topic_id) == (
        town.badges["b2"].pk,
        "",
        town.topics["art"].pk,
    )
    a6 = by_day[datetime.date(2026, 6, 1)]  # l5: no home area; b3: no opportunity, no topic
    assert (a6.home_area_id, a6.home_decile, a6.age_band) == (None, None, "26_plus")
    assert (a6.level, a6.topic_id) == ("Lead", None)
    assert by_day[datetime.date(2026, 4, 12)].badge_class_id == town.badges["b1"].pk  # revoked
    assert by_day[datetime.date(2026, 4, 12)].topic_id == town.topics["coding"].pk


def test_awards_with_no_learner_account_are_not_facts(town: SmallCity) -> None:
    learners = {f.learner_id for f in facts(town, kind=Fact.Kind.AWARD)}
    assert town.staff.pk not in learners
    assert None not in learners
    assert not facts(town, kind=Fact.Kind.AWARD, day=datetime.date(2026, 4, 20))


def test_bookings_count_places_by_booking_day_not_the_waitlist(town: SmallCity) -> None:
    got = [(f.learner_id, f.day) for f in facts(town, kind=Fact.Kind.BOOKING)]
    learners = town.learners
    assert got == [
        (learners["l1"].pk, datetime.date(2026, 4, 1)),
        (learners["l2"].pk, datetime.date(2026, 4, 2)),  # cancelled later: still booked
        (learners["l5"].pk, datetime.date(2026, 5, 2)),  # the day the waitlist place was given
        (learners["l4"].pk, datetime.date(2026, 5, 5)),
    ]  # l3, still on the waitlist, is not there


def test_attendance_is_on_the_session_day_with_the_opportunity(town: SmallCity) -> None:
    got = facts(town, kind=Fact.Kind.ATTENDANCE)
    assert [(f.learner_id, f.day) for f in got] == [
        (town.learners["l1"].pk, datetime.date(2026, 4, 15)),
        (town.learners["l4"].pk, datetime.date(2026, 5, 10)),
    ]
    assert (got[0].opportunity_id, got[0].opportunity_type, got[0].topic_id) == (
        town.opportunities["o1"].pk,
        "workshop",
        town.topics["coding"].pk,
    )
    assert (got[0].venue_area_id, got[0].venue_decile) == (town.areas["centre"].pk, 5)


def test_opportunity_facts_are_sessions_not_cancelled_of_published_opportunities(
    town: SmallCity,
) -> None:
    got = facts(town, kind=Fact.Kind.OPPORTUNITY)
    o1, o2 = town.opportunities["o1"].pk, town.opportunities["o2"].pk
    assert [(f.opportunity_id, f.day) for f in got] == [
        (o1, datetime.date(2026, 4, 15)),
        (o2, datetime.date(2026, 5, 10)),
        (o1, datetime.date(2026, 5, 15)),
    ]  # s3 is cancelled; o3 is a draft
    online = got[1]
    assert (online.venue_area_id, online.venue_decile, online.opportunity_type) == (
        ONLINE_VENUE,
        None,
        "club",
    )
    assert all(f.learner_id is None and f.age_band == "" for f in got)


def test_an_opportunity_without_topics_still_gives_its_facts_with_no_topic(
    town: SmallCity,
) -> None:
    from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory

    bare = OpportunityFactory(organisation=town.school)  # no topic, no badge class
    SessionFactory(
        opportunity=bare,
        starts_at=utc(2026, 6, 3, 10),
        ends_at=utc(2026, 6, 3, 12),
    )
    facts_rebuild(city=town.city, as_of=town.as_of)
    (fact,) = facts(town, kind=Fact.Kind.OPPORTUNITY, opportunity_id=bare.pk)
    assert (fact.day, fact.topic_id) == (datetime.date(2026, 6, 3), None)
    assert len(facts(town, kind=Fact.Kind.OPPORTUNITY)) == 4


def test_pathway_facts_start_and_completion(town: SmallCity) -> None:
    started = facts(town, kind=Fact.Kind.PATHWAY_STARTED)
    assert [(f.learner_id, f.day, f.age_band) for f in started] == [
        (town.learners["l1"].pk, datetime.date(2026, 5, 4), "16_17"),
        (town.learners["l2"].pk, datetime.date(2026, 6, 2), "16_17"),  # 18 on 15 June
    ]
    assert {f.organisation_id for f in started} == {town.school.pk}
    (done,) = facts(town, kind=Fact.Kind.PATHWAY_COMPLETED)
    assert (done.learner_id, done.day) == (town.learners["l1"].pk, datetime.date(2026, 6, 10))


def test_events_after_as_of_are_left_out(town: SmallCity) -> None:
    facts_rebuild(city=town.city, as_of=utc(2026, 4, 30, 23, 59))
    kinds = Counter(f.kind for f in facts(town))
    assert kinds[Fact.Kind.AWARD] == 4  # a7, a1, a2, a3
    assert kinds[Fact.Kind.OPPORTUNITY] == 1  # s1
    assert kinds[Fact.Kind.PATHWAY_STARTED] == 0
    facts_rebuild(city=town.city, as_of=town.as_of)


def test_badge_topic_is_the_most_common_topic_of_the_opportunities_awarding_it(
    town: SmallCity,
) -> None:
    coding, art = town.topics["coding"], town.topics["art"]
    assert badge_topics(city=town.city) == {
        town.badges["b1"].pk: coding.pk,
        town.badges["b2"].pk: art.pk,
    }
    # Two more art opportunities awarding b1 outvote its one coding opportunity.
    from learningcity.opportunities.tests.factories import OpportunityFactory

    for _ in range(2):
        extra = OpportunityFactory(organisation=town.school)
        extra.topics.set([art])
        extra.badge_classes.set([town.badges["b1"]])
    assert badge_topics(city=town.city)[town.badges["b1"].pk] == art.pk


def test_the_sql_age_band_matches_the_python_one_around_birthdays() -> None:
    city = CityFactory(slug="birthdays", timezone="Europe/London")
    births = [datetime.date(2008, 2, 29), datetime.date(2010, 4, 1), datetime.date(2013, 12, 31)]
    moments = [
        utc(2026, 2, 28, 12),
        utc(2026, 3, 1, 0, 30),
        utc(2026, 3, 31, 23, 30),  # 1 April, local
        utc(2026, 4, 1, 12),
        utc(2026, 12, 31, 12),
        utc(2024, 2, 29, 12),
        utc(2023, 12, 31, 23, 59),
    ]
    expected = {}
    for born in births:
        for moment in moments:
            user = UserFactory()
            LearnerProfileFactory(user=user, city=city, date_of_birth=born, created_at=moment)
            local_day = moment.astimezone(LONDON).date()
            expected[user.pk] = age_band_for(age_on(born, local_day)).value
    facts_rebuild(city=city, as_of=utc(2027, 1, 1))
    got = dict(
        Fact.objects.filter(city_id=city.pk, kind=Fact.Kind.LEARNER_JOINED).values_list(
            "learner_id", "age_band"
        )
    )
    assert got == expected
    assert len(set(expected.values())) >= 3


def test_a_visitor_from_another_city_has_no_home_area_here(town: SmallCity) -> None:
    elsewhere = CityFactory(slug="elsewhere")
    visitor = UserFactory(email="visitor@example.org")
    LearnerProfileFactory(
        user=visitor,
        city=elsewhere,
        area=AreaFactory(city=elsewhere, imd_decile=1),
        date_of_birth=datetime.date(2009, 1, 1),
    )
    award_issue(
        badge_class=town.badges["b3"],
        recipient_email=visitor.email,
        issued_by=None,
        issued_at=utc(2026, 6, 20, 10),
        notify=False,
    )
    facts_rebuild(city=town.city, as_of=town.as_of)
    (fact,) = facts(town, kind=Fact.Kind.AWARD, learner_id=visitor.pk)
    assert (fact.home_area_id, fact.home_decile, fact.age_band) == (None, None, "16_17")
    assert not Fact.objects.filter(city_id=elsewhere.pk).exclude(kind=Fact.Kind.LEARNER_JOINED)
