import pytest

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import BadgeStatus
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.opportunities.tests.factories import OpportunityFactory, TopicFactory
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Enrolment, PathwayStatus, PathwayStep
from learningcity.pathways.services import (
    enrolment_join,
    enrolment_leave,
    pathway_archive,
    pathway_create,
    pathway_publish,
    pathway_step_add,
    pathway_step_move,
    pathway_step_remove,
    pathway_step_update,
    pathway_update,
)

from .factories import PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def pathway(organisation):
    return pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="Into digital",
        summary="From coding club to apprenticeship.",
    )


def positions(pathway):
    return list(pathway.steps.order_by("position").values_list("title", "position"))


def test_a_new_pathway_is_a_draft_of_its_organisation(organisation):
    by = UserFactory()
    pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=by,
        name="Into digital",
        summary="One line.",
        ordered=True,
    )
    assert pathway.status == PathwayStatus.DRAFT
    assert pathway.created_by == by
    assert pathway.ordered is True
    assert not pathway.is_city_wide


def test_a_city_wide_pathway_has_no_organisation():
    city = CityFactory()
    pathway = pathway_create(city=city, organisation=None, by=None, name="Explorer", summary="x")
    assert pathway.is_city_wide


def test_an_organisation_of_another_city_is_refused():
    with pytest.raises(ServiceError) as refused:
        pathway_create(
            city=CityFactory(), organisation=OrganisationFactory(), by=None, name="x", summary="x"
        )
    assert refused.value.message == errors.PATHWAY_ORGANISATION_OTHER_CITY


def test_unknown_fields_are_a_programming_error(organisation):
    with pytest.raises(TypeError):
        pathway_create(
            city=organisation.city, organisation=organisation, by=None, name="x", colour="red"
        )


def test_publishing_needs_a_step(pathway):
    with pytest.raises(ServiceError) as refused:
        pathway_publish(pathway=pathway, by=None)
    assert refused.value.message == errors.PATHWAY_NEEDS_STEPS
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.DRAFT


def test_publishing_needs_badges_on_every_step(pathway, organisation):
    pathway_step_add(
        pathway=pathway,
        title="First",
        badge_classes=[PublishedBadgeClassFactory(organisation=organisation)],
    )
    pathway_step_add(pathway=pathway, title="Empty")
    with pytest.raises(ServiceError) as refused:
        pathway_publish(pathway=pathway, by=None)
    assert refused.value.message == errors.PATHWAY_STEP_NO_BADGES.format(position=2, title="Empty")


def test_publishing_refuses_a_step_asking_for_more_badges_than_it_has(pathway, organisation):
    pathway_step_add(
        pathway=pathway,
        title="Two of them",
        required=2,
        badge_classes=[PublishedBadgeClassFactory(organisation=organisation)],
    )
    with pytest.raises(ServiceError) as refused:
        pathway_publish(pathway=pathway, by=None)
    assert refused.value.message == errors.PATHWAY_STEP_REQUIRED_TOO_HIGH.format(
        position=1, title="Two of them", required=2, count=1
    )


def test_badges_from_elsewhere_count_towards_publishing_only_when_allowed(pathway):
    pathway_step_add(
        pathway=pathway,
        title="Elsewhere",
        external_achievement_ids=["https://other.example/achievements/1"],
    )
    with pytest.raises(ServiceError):
        pathway_publish(pathway=pathway, by=None)
    pathway_update(pathway=pathway, by=None, allow_external=True)
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.PUBLISHED


def test_a_topic_step_counts_the_badges_of_the_topics_published_opportunities(
    pathway, organisation
):
    topic = TopicFactory(city=organisation.city)
    pathway_step_add(pathway=pathway, title="Any arts badge", topic=topic)
    with pytest.raises(ServiceError):
        pathway_publish(pathway=pathway, by=None)
    opportunity = OpportunityFactory(organisation=organisation)
    opportunity.topics.add(topic)
    opportunity.badge_classes.add(PublishedBadgeClassFactory(organisation=organisation))
    pathway_publish(pathway=pathway, by=None)
    assert pathway.__class__.objects.get(pk=pathway.pk).status == PathwayStatus.PUBLISHED


def test_publishing_refuses_a_draft_badge(pathway, organisation):
    pathway_step_add(
        pathway=pathway,
        title="Draft",
        badge_classes=[
            PublishedBadgeClassFactory(
                organisation=organisation, name="Unfinished", status=BadgeStatus.DRAFT
            )
        ],
    )
    with pytest.raises(ServiceError) as refused:
        pathway_publish(pathway=pathway, by=None)
    assert refused.value.message == errors.PATHWAY_STEP_BADGE_DRAFT.format(
        position=1, title="Draft", badge="Unfinished"
    )


def test_the_completion_badge_must_be_a_published_badge_of_the_city(pathway, organisation):
    elsewhere = PublishedBadgeClassFactory()  # another city's organisation
    with pytest.raises(ServiceError) as refused:
        pathway_update(pathway=pathway, by=None, completion_badge=elsewhere)
    assert refused.value.message == errors.PATHWAY_COMPLETION_BADGE_INVALID
    draft = PublishedBadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT)
    with pytest.raises(ServiceError):
        pathway_update(pathway=pathway, by=None, completion_badge=draft)
    good = PublishedBadgeClassFactory(organisation=OrganisationFactory(city=organisation.city))
    pathway_update(pathway=pathway, by=None, completion_badge=good)
    pathway.refresh_from_db()
    assert pathway.completion_badge == good


def test_step_badges_and_opportunities_must_be_of_the_same_city(pathway):
    with pytest.raises(ServiceError) as refused:
        pathway_step_add(
            pathway=pathway, title="x", badge_classes=[PublishedBadgeClassFactory(name="Far")]
        )
    assert refused.value.message == errors.PATHWAY_STEP_BADGE_OTHER_CITY.format(badge="Far")
    with pytest.raises(ServiceError):
        pathway_step_add(pathway=pathway, title="x", topic=TopicFactory())
    with pytest.raises(ServiceError):
        pathway_step_add(pathway=pathway, title="x", opportunities=[OpportunityFactory()])
    assert not PathwayStep.objects.exists()


def test_external_ids_must_look_like_ids(pathway):
    with pytest.raises(ServiceError) as refused:
        pathway_step_add(pathway=pathway, title="x", external_achievement_ids=["not an id"])
    assert refused.value.message == errors.PATHWAY_STEP_EXTERNAL_ID_INVALID.format(
        value="not an id"
    )
    step = pathway_step_add(
        pathway=pathway,
        title="x",
        external_achievement_ids=[" https://a.example/1 ", "https://a.example/1", "", "urn:uuid:1"],
    )
    assert step.external_achievement_ids == ["https://a.example/1", "urn:uuid:1"]


def test_required_must_be_at_least_one(pathway):
    with pytest.raises(ServiceError) as refused:
        pathway_step_add(pathway=pathway, title="x", required=0)
    assert refused.value.message == errors.PATHWAY_STEP_REQUIRED_MIN


def test_steps_are_numbered_in_order_and_stay_contiguous(pathway):
    a = pathway_step_add(pathway=pathway, title="A")
    b = pathway_step_add(pathway=pathway, title="B")
    c = pathway_step_add(pathway=pathway, title="C")
    assert positions(pathway) == [("A", 1), ("B", 2), ("C", 3)]
    pathway_step_move(step=c, direction=-1)
    assert positions(pathway) == [("A", 1), ("C", 2), ("B", 3)]
    pathway_step_move(step=a, direction=-1)  # already first: nothing changes
    pathway_step_move(step=b, direction=1)  # already last
    assert positions(pathway) == [("A", 1), ("C", 2), ("B", 3)]
    pathway_step_remove(step=a)
    assert positions(pathway) == [("C", 1), ("B", 2)]
    pathway_step_move(step=b, direction=-1)
    assert positions(pathway) == [("B", 1), ("C", 2)]


def test_updating_a_step_sets_its_badges(pathway, organisation):
    step = pathway_step_add(pathway=pathway, title="A")
    badges = PublishedBadgeClassFactory.create_batch(2, organisation=organisation)
    pathway_step_update(step=step, title="Two badges", badge_classes=badges, required=2)
    step.refresh_from_db()
    assert step.title == "Two badges"
    assert step.required == 2
    assert set(step.badge_classes.all()) == set(badges)


def test_a_published_pathway_stays_satisfiable(pathway, organisation):
    badge = PublishedBadgeClassFactory(organisation=organisation)
    step = pathway_step_add(pathway=pathway, title="A", badge_classes=[badge])
    pathway_publish(pathway=pathway, by=None)
    with pytest.raises(ServiceError) as refused:
        pathway_step_update(step=step, required=2)
    assert refused.value.message.startswith("Step 1")
    step.refresh_from_db()
    assert step.required == 1
    with pytest.raises(ServiceError) as refused:
        pathway_step_remove(step=step)
    assert refused.value.message == errors.PATHWAY_LAST_STEP
    with pytest.raises(ServiceError):
        pathway_step_add(pathway=pathway, title="Empty")
    assert pathway.steps.count() == 1


def test_an_archived_pathway_cannot_change_or_be_joined(pathway, organisation):
    pathway_step_add(
        pathway=pathway,
        title="A",
        badge_classes=[PublishedBadgeClassFactory(organisation=organisation)],
    )
    pathway_publish(pathway=pathway, by=None)
    pathway_archive(pathway=pathway, by=None)
    pathway.refresh_from_db()
    with pytest.raises(ServiceError) as refused:
        pathway_update(pathway=pathway, by=None, name="New")
    assert refused.value.message == errors.PATHWAY_ARCHIVED
    with pytest.raises(ServiceError) as refused:
        enrolment_join(pathway=pathway, learner=UserFactory())
    assert refused.value.message == errors.PATHWAY_NOT_OPEN
    with pytest.raises(ServiceError) as refused:
        pathway_archive(pathway=pathway, by=None)
    assert refused.value.message == errors.PATHWAY_ALREADY_ARCHIVED


def test_a_draft_pathway_cannot_be_joined(pathway):
    with pytest.raises(ServiceError) as refused:
        enrolment_join(pathway=pathway, learner=UserFactory())
    assert refused.value.message == errors.PATHWAY_NOT_OPEN
    assert not Enrolment.objects.exists()


def test_joining_twice_returns_the_same_enrolment_and_leaving_removes_it(pathway, organisation):
    pathway_step_add(
        pathway=pathway,
        title="A",
        badge_classes=[PublishedBadgeClassFactory(organisation=organisation)],
    )
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    learner = UserFactory()
    first = enrolment_join(pathway=pathway, learner=learner)
    second = enrolment_join(pathway=pathway, learner=learner)
    assert first.pk == second.pk
    assert first.evaluated_at is not None
    assert first.steps_done == 0
    enrolment_leave(enrolment=first)
    assert not Enrolment.objects.exists()
