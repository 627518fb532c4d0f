"""“What next” suggestions: the switches, the reasons, the exclusions, and whose data counts."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from learningcity.accounts.services import privacy_defaults_for
from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
    date_of_birth_for_age,
)
from learningcity.badges.models import BadgeStatus, Level
from learningcity.badges.services import award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.opportunities.models import OpportunityStatus
from learningcity.opportunities.tests.factories import (
    BookingFactory,
    OpportunityFactory,
    SessionFactory,
    TopicFactory,
)
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways import recommendations
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus, PathwayStep
from learningcity.pathways.recommendations import recommendations_for, suggestions_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory()


@pytest.fixture
def area(city):
    return AreaFactory(city=city, code="BN2", latitude="50.82000", longitude="-0.14000")


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city)


def learner_with(
    city, *, age=20, interests=(), area=None, enabled=None, opportunities=True, pathways=True
):
    date_of_birth = date_of_birth_for_age(age)
    defaults = privacy_defaults_for(date_of_birth=date_of_birth)
    if enabled is not None:
        defaults["recommendations_enabled"] = enabled
    profile = LearnerProfileFactory(
        city=city,
        date_of_birth=date_of_birth,
        interests=list(interests),
        area=area,
        suggest_opportunities=opportunities,
        suggest_pathways=pathways,
        **defaults,
    )
    if age < 13:
        GuardianConsentFactory(child=profile.user, confirmed_at=timezone.now())
    return profile


def opportunity(organisation, **fields):
    fields.setdefault("title", "Something else entirely")
    fields.setdefault("summary", "An afternoon of things.")
    return OpportunityFactory(organisation=organisation, **fields)


def published_badge(organisation, **fields):
    return BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED, **fields)


def give(badge_class, user, *, days_ago=10):
    return award_issue(
        badge_class=badge_class,
        recipient_email=user.email,
        issued_by=None,
        issued_at=timezone.now() - datetime.timedelta(days=days_ago),
        notify=False,
    )


def pathway_with_steps(city, organisation, name, step_badges, *, ordered=True, completion=None):
    pathway = Pathway.objects.create(
        city=city,
        organisation=organisation,
        name=name,
        summary=f"{name} in a few steps.",
        ordered=ordered,
        status=PathwayStatus.PUBLISHED,
        completion_badge=completion,
    )
    for position, badge_class in enumerate(step_badges, start=1):
        step = PathwayStep.objects.create(
            pathway=pathway, position=position, title=f"Step {position}"
        )
        step.badge_classes.set([badge_class])
    return pathway


def titles(result):
    return {s.item.title for s in result.opportunities}


def reasons(result):
    return {s.item.title: s.why for s in result.opportunities}


# --- The switches -----------------------------------------------------------------------------


def test_an_under_18_sees_nothing_by_default_and_gets_suggestions_after_switching_on(
    city, organisation
):
    opportunity(organisation, title="Music makers")
    profile = learner_with(city, age=15, interests=["music"])
    assert profile.recommendations_enabled is False

    before = recommendations_for(user=profile.user)
    assert before.enabled is False
    assert before.suggestions == ()

    suggestions_set(profile=profile, enabled=True, opportunities=True, pathways=True)
    profile.refresh_from_db()
    assert profile.recommendations_enabled is True
    after = recommendations_for(user=profile.user)
    assert reasons(after) == {"Music makers": "Because you're interested in music"}


def test_an_adult_gets_suggestions_by_default(city, organisation):
    opportunity(organisation, title="Music makers", max_age=99)
    profile = learner_with(city, age=30, interests=["music"])
    assert titles(recommendations_for(user=profile.user)) == {"Music makers"}


def test_switching_the_main_switch_off_computes_nothing(city, organisation):
    opportunity(organisation, title="Music makers")
    profile = learner_with(city, age=30, interests=["music"])
    suggestions_set(profile=profile, enabled=False, opportunities=True, pathways=True)
    with (
        mock.patch.object(recommendations, "_opportunity_suggestions") as opportunities,
        mock.patch.object(recommendations, "_pathway_suggestions") as pathways,
    ):
        result = recommendations_for(user=profile.user)
    assert result.suggestions == ()
    opportunities.assert_not_called()
    pathways.assert_not_called()


def test_opportunity_suggestions_switch_off_on_their_own(city, organisation):
    opportunity(organisation, title="Music makers")
    pathway_with_steps(city, organisation, "Music pathway", [published_badge(organisation)])
    profile = learner_with(city, interests=["music"], opportunities=False)
    with mock.patch.object(recommendations, "_opportunity_suggestions") as computed:
        result = recommendations_for(user=profile.user)
    computed.assert_not_called()
    assert result.opportunities == ()
    assert [s.item.name for s in result.pathways] == ["Music pathway"]


def test_pathway_suggestions_switch_off_on_their_own(city, organisation):
    opportunity(organisation, title="Music makers")
    pathway_with_steps(city, organisation, "Music pathway", [published_badge(organisation)])
    profile = learner_with(city, interests=["music"], pathways=False)
    with mock.patch.object(recommendations, "_pathway_suggestions") as computed:
        result = recommendations_for(user=profile.user)
    computed.assert_not_called()
    assert result.pathways == ()
    assert titles(result) == {"Music makers"}


def test_an_under_13_waiting_for_a_guardian_cannot_switch_suggestions_on(city):
    profile = LearnerProfileFactory(city=city, date_of_birth=date_of_birth_for_age(11))
    with pytest.raises(ServiceError) as refused:
        suggestions_set(profile=profile, enabled=True, opportunities=True, pathways=True)
    assert refused.value.message == errors.RECOMMENDATIONS_NEED_GUARDIAN
    profile.refresh_from_db()
    assert profile.recommendations_enabled is False
    assert recommendations_for(user=profile.user).needs_guardian is True


def test_no_learner_profile_means_no_suggestions():
    result = recommendations_for(user=UserFactory())
    assert result.has_profile is False
    assert result.suggestions == ()


# --- Reasons ------------------------------------------------------------------------------------


def test_interest_matches_title_topic_and_skill_with_the_interest_as_the_reason(city, organisation):
    topic = TopicFactory(city=city, name="Music and sound", slug="music-and-sound")
    in_topic = opportunity(organisation, title="Saturday studio")
    in_topic.topics.add(topic)
    opportunity(organisation, title="Football", summary="Kick about.")
    profile = learner_with(city, interests=["  Music ", "music", 42])
    assert reasons(recommendations_for(user=profile.user)) == {
        "Saturday studio": "Because you're interested in Music"
    }


def test_next_step_on_an_ordered_pathway_is_the_reason(city, organisation):
    first, second, third = (published_badge(organisation) for _ in range(3))
    pathway = pathway_with_steps(city, organisation, "Digital Creator", [first, second, third])
    opportunity(organisation, title="Step two workshop").badge_classes.add(second)
    opportunity(organisation, title="Step three workshop").badge_classes.add(third)
    profile = learner_with(city)
    give(first, profile.user)
    Enrolment.objects.create(pathway=pathway, learner=profile.user, joined_at=timezone.now())

    result = recommendations_for(user=profile.user)
    # Ordered: only the next step's opportunity, not the one after.
    assert reasons(result) == {"Step two workshop": "Next step on your pathway Digital Creator"}


def test_an_unordered_pathway_suggests_every_missing_step(city, organisation):
    first, second = published_badge(organisation), published_badge(organisation)
    pathway = pathway_with_steps(city, organisation, "Explorer", [first, second], ordered=False)
    opportunity(organisation, title="One").badge_classes.add(first)
    opportunity(organisation, title="Two").badge_classes.add(second)
    profile = learner_with(city)
    Enrolment.objects.create(pathway=pathway, learner=profile.user, joined_at=timezone.now())
    assert reasons(recommendations_for(user=profile.user)) == {
        "One": "Next step on your pathway Explorer",
        "Two": "Next step on your pathway Explorer",
    }


def test_a_pathway_step_beats_an_interest_as_the_reason(city, organisation):
    badge = published_badge(organisation)
    pathway = pathway_with_steps(city, organisation, "Digital Creator", [badge])
    opportunity(organisation, title="Music production").badge_classes.add(badge)
    profile = learner_with(city, interests=["music"])
    Enrolment.objects.create(pathway=pathway, learner=profile.user, joined_at=timezone.now())
    assert reasons(recommendations_for(user=profile.user)) == {
        "Music production": "Next step on your pathway Digital Creator"
    }


def test_nearness_is_the_reason_and_nearer_comes_first(city, organisation, area):
    opportunity(organisation, title="Round the corner", latitude="50.82100", longitude="-0.14000")
    opportunity(organisation, title="Down the road", latitude="50.83500", longitude="-0.14000")
    opportunity(organisation, title="In the area", area=area)
    opportunity(organisation, title="Far away", latitude="50.37000", longitude="-4.14000")
    profile = learner_with(city, area=area)

    result = recommendations_for(user=profile.user)
    assert reasons(result) == {
        "Round the corner": "Near you in BN2",
        "Down the road": "Near you in BN2",
        "In the area": "Near you in BN2",
    }
    located = [s.item.title for s in result.opportunities if s.distance_km is not None]
    assert located == ["Round the corner", "Down the road"]


def test_skills_of_held_badges_suggest_the_next_level(city, organisation):
    from learningcity.badges.models import Skill, SkillFramework

    framework = SkillFramework.objects.create(city=city, name="Skills Builder")
    teamwork = Skill.objects.create(framework=framework, name="Teamwork")
    held = published_badge(organisation, level=Level.PARTICIPATE)  # skills: Teamwork, Listening
    next_level = opportunity(organisation, title="Team leaders", level=Level.DEMONSTRATE)
    next_level.skills.add(teamwork)
    same_level = opportunity(organisation, title="Team games", level=Level.PARTICIPATE)
    same_level.skills.add(teamwork)
    profile = learner_with(city)
    give(held, profile.user)
    assert reasons(recommendations_for(user=profile.user)) == {
        "Team leaders": "The next level in Teamwork",
        "Team games": "Builds on your skill Teamwork",
    }


def test_pathways_are_suggested_by_interest_and_by_a_held_badge(city, organisation):
    held = published_badge(organisation)
    pathway_with_steps(city, organisation, "Music route", [published_badge(organisation)])
    pathway_with_steps(city, organisation, "Youth work route", [held])
    pathway_with_steps(city, organisation, "Unrelated", [published_badge(organisation)])
    profile = learner_with(city, interests=["music"])
    give(held, profile.user)
    result = recommendations_for(user=profile.user)
    assert {s.item.name: s.why for s in result.pathways} == {
        "Music route": "Because you're interested in music",
        "Youth work route": "A badge you hold already counts towards it",
    }


# --- Exclusions --------------------------------------------------------------------------------


def test_booked_past_unpublished_and_wrong_age_opportunities_are_left_out(city, organisation):
    now = timezone.now()
    profile = learner_with(city, age=15, interests=["music"], enabled=True)
    opportunity(organisation, title="Music open")
    booked = opportunity(organisation, title="Music booked")
    BookingFactory(session=SessionFactory(opportunity=booked), learner=profile.user)
    opportunity(
        organisation,
        title="Music past",
        first_starts_at=now - datetime.timedelta(days=3),
        last_ends_at=now - datetime.timedelta(days=2),
    )
    opportunity(organisation, title="Music draft", status=OpportunityStatus.DRAFT)
    opportunity(organisation, title="Music for adults", min_age=18, max_age=99)
    opportunity(organisation, title="Music for children", min_age=5, max_age=11)
    other_city = OrganisationFactory()
    opportunity(other_city, title="Music elsewhere")
    assert titles(recommendations_for(user=profile.user)) == {"Music open"}


def test_a_cancelled_booking_does_not_hide_the_opportunity(city, organisation):
    profile = learner_with(city, interests=["music"])
    cancelled = opportunity(organisation, title="Music again")
    BookingFactory(
        session=SessionFactory(opportunity=cancelled), learner=profile.user, status="cancelled"
    )
    assert titles(recommendations_for(user=profile.user)) == {"Music again"}


def test_an_opportunity_whose_badges_are_all_held_is_left_out(city, organisation):
    held, new = published_badge(organisation), published_badge(organisation)
    opportunity(organisation, title="Music one").badge_classes.add(held)
    opportunity(organisation, title="Music two").badge_classes.add(held, new)
    profile = learner_with(city, interests=["music"])
    give(held, profile.user)
    assert titles(recommendations_for(user=profile.user)) == {"Music two"}


def test_a_revoked_badge_is_not_held(city, organisation):
    from learningcity.badges.services import award_revoke

    badge = published_badge(organisation)
    opportunity(organisation, title="Music one").badge_classes.add(badge)
    profile = learner_with(city, interests=["music"])
    award_revoke(award=give(badge, profile.user), by=None, reason="Mistake.")
    assert titles(recommendations_for(user=profile.user)) == {"Music one"}


def test_joined_and_completed_pathways_are_left_out(city, organisation):
    completion = published_badge(organisation)
    joined = pathway_with_steps(city, organisation, "Music joined", [published_badge(organisation)])
    pathway_with_steps(
        city, organisation, "Music done", [published_badge(organisation)], completion=completion
    )
    pathway_with_steps(city, organisation, "Music new", [published_badge(organisation)])
    draft = pathway_with_steps(city, organisation, "Music draft", [published_badge(organisation)])
    draft.status = PathwayStatus.DRAFT
    draft.save()
    profile = learner_with(city, interests=["music"])
    Enrolment.objects.create(pathway=joined, learner=profile.user, joined_at=timezone.now())
    give(completion, profile.user)
    assert [s.item.name for s in recommendations_for(user=profile.user).pathways] == ["Music new"]


# --- Only your own data ----------------------------------------------------------------------


def test_another_learners_interests_badges_and_pathways_never_influence_yours(
    city, organisation, area
):
    badge = published_badge(organisation)
    pathway = pathway_with_steps(city, organisation, "Sailing route", [badge])
    opportunity(organisation, title="Sailing club").badge_classes.add(badge)
    opportunity(organisation, title="Music makers")
    other = learner_with(city, interests=["sailing"], area=area)
    Enrolment.objects.create(pathway=pathway, learner=other.user, joined_at=timezone.now())
    give(published_badge(organisation), other.user)
    booked_by_other = opportunity(organisation, title="Music booked by someone else")
    BookingFactory(session=SessionFactory(opportunity=booked_by_other), learner=other.user)

    mine = learner_with(city, interests=["music"])
    result = recommendations_for(user=mine.user)
    assert titles(result) == {"Music makers", "Music booked by someone else"}
    assert result.pathways == ()
    # And the other learner's own suggestions are theirs.
    assert reasons(recommendations_for(user=other.user)) == {
        "Sailing club": "Next step on your pathway Sailing route"
    }


# --- Bounded queries ---------------------------------------------------------------------------


def test_the_number_of_queries_is_bounded_and_does_not_grow_with_the_data(
    city, organisation, area, django_assert_max_num_queries
):
    profile = learner_with(city, interests=["music", "coding", "art"], area=area)
    badges = [published_badge(organisation) for _ in range(4)]
    for badge in badges[:2]:
        give(badge, profile.user)
    # More open pathways than are looked at for next steps.
    for index in range(recommendations.MAX_PATHWAYS_IN_PROGRESS + 2):
        pathway = pathway_with_steps(city, organisation, f"Route {index}", badges, ordered=False)
        Enrolment.objects.create(pathway=pathway, learner=profile.user, joined_at=timezone.now())

    def add_data(start):
        for index in range(start, start + 15):
            made = opportunity(
                organisation,
                title=f"Music {index}",
                latitude="50.82100",
                longitude="-0.14000",
                level=Level.DEMONSTRATE,
            )
            made.badge_classes.add(badges[index % 4])
            pathway_with_steps(city, organisation, f"Coding path {index}", [badges[0]])

    add_data(0)
    with CaptureQueriesContext(connection) as fewer:
        recommendations_for(user=profile.user)
    add_data(15)
    with django_assert_max_num_queries(35), CaptureQueriesContext(connection) as more:
        result = recommendations_for(user=profile.user)
    assert len(more.captured_queries) == len(fewer.captured_queries)
    assert len(result.opportunities) == recommendations.DEFAULT_LIMIT
    assert len(result.pathways) == recommendations.DEFAULT_LIMIT
