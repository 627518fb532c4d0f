"""The evaluation service against hand-built scenarios: real awards (signed through the issuing
service), imported badges, and the completion badge awarded exactly once."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import Award
from learningcity.badges.services import award_issue, award_revoke
from learningcity.learners.models import ImportedBadge, ImportSource
from learningcity.opportunities.tests.factories import OpportunityFactory, TopicFactory
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Enrolment, PathwayStatus
from learningcity.pathways.selectors import pathway_owner_report, pathway_progress_for
from learningcity.pathways.services import (
    COMPLETION_NARRATIVE,
    enrolment_join,
    enrolments_evaluate,
    pathway_archive,
    pathway_create,
    pathway_publish,
    pathway_step_add,
    pathway_update,
)

from .factories import PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db

EXTERNAL_ID = "https://badges.elsewhere.example/achievements/first-aid"


def give(user, badge_class, *, at=None):
    return award_issue(
        badge_class=badge_class,
        recipient_email=user.email,
        issued_by=None,
        issued_at=at,
        notify=False,
    )


def imported(user, achievement_id=EXTERNAL_ID, *, status="valid", expires_at=None):
    return ImportedBadge.objects.create(
        owner=user,
        source=ImportSource.TEXT,
        fingerprint=hashlib.sha256(f"{user.pk}{achievement_id}".encode()).hexdigest(),
        status=status,
        checked_at=timezone.now(),
        name="First aid at work",
        issuer_name="Elsewhere Academy",
        achievement_id=achievement_id,
        issued_at=timezone.now() - datetime.timedelta(days=3),
        expires_at=expires_at,
    )


@pytest.fixture
def organisation():
    return OrganisationFactory()


def build(organisation, steps, *, ordered=False, allow_external=False, completion_badge=None):
    """A published pathway with ``steps``: each a dict of pathway_step_add arguments."""
    pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="Into digital",
        summary="One line.",
        ordered=ordered,
        allow_external=allow_external,
        completion_badge=completion_badge,
    )
    for number, step in enumerate(steps, start=1):
        pathway_step_add(pathway=pathway, title=f"Step {number}", **step)
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    return pathway


def evaluated(enrolment):
    enrolments_evaluate(user_id=enrolment.learner_id)
    enrolment.refresh_from_db()
    return enrolment


def test_an_unordered_pathway_completes_when_every_step_is_held_in_any_order(organisation):
    a, b = PublishedBadgeClassFactory.create_batch(2, organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}, {"badge_classes": [b]}])
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    give(learner, b)
    enrolment = evaluated(enrolment)
    assert enrolment.steps_done == 1
    assert enrolment.completed_at is None
    give(learner, a)
    enrolment = evaluated(enrolment)
    assert enrolment.steps_done == 2
    assert enrolment.completed_at is not None


def test_an_ordered_pathway_ignores_a_later_steps_badge_earned_too_early(organisation):
    a, b = PublishedBadgeClassFactory.create_batch(2, organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}, {"badge_classes": [b]}], ordered=True)
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    now = timezone.now()
    give(learner, b, at=now - datetime.timedelta(days=5))
    enrolment = evaluated(enrolment)
    assert enrolment.steps_done == 0
    give(learner, a, at=now - datetime.timedelta(days=1))
    enrolment = evaluated(enrolment)
    assert enrolment.steps_done == 1  # b came before step 1 was done: it doesn't count
    assert enrolment.completed_at is None


def test_an_n_of_m_step_needs_n_distinct_badges(organisation):
    badges = PublishedBadgeClassFactory.create_batch(3, organisation=organisation)
    pathway = build(organisation, [{"badge_classes": badges, "required": 2}])
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    give(learner, badges[0])
    assert evaluated(enrolment).completed_at is None
    give(learner, badges[2])
    assert evaluated(enrolment).completed_at is not None


def test_a_topic_step_is_satisfied_by_any_badge_of_a_published_opportunity_in_the_topic(
    organisation,
):
    topic = TopicFactory(city=organisation.city)
    other = OrganisationFactory(city=organisation.city)
    listed = PublishedBadgeClassFactory(organisation=organisation)
    from_other = PublishedBadgeClassFactory(organisation=other)
    for owner, badge in ((organisation, listed), (other, from_other)):
        opportunity = OpportunityFactory(organisation=owner)
        opportunity.topics.add(topic)
        opportunity.badge_classes.add(badge)
    pathway = build(organisation, [{"topic": topic}])
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    give(learner, PublishedBadgeClassFactory(organisation=organisation))  # not in the topic
    assert evaluated(enrolment).completed_at is None
    give(learner, from_other)
    assert evaluated(enrolment).completed_at is not None


def test_an_imported_badge_counts_only_when_the_pathway_allows_external_badges(organisation):
    local = PublishedBadgeClassFactory(organisation=organisation)
    step = {"badge_classes": [local], "external_achievement_ids": [EXTERNAL_ID]}
    strict = build(organisation, [step])
    open_ = build(organisation, [step], allow_external=True)
    learner = UserFactory()
    imported(learner)
    strict_enrolment = enrolment_join(pathway=strict, learner=learner)
    open_enrolment = enrolment_join(pathway=open_, learner=learner)
    assert strict_enrolment.completed_at is None
    assert open_enrolment.completed_at is not None  # joining evaluates at once


def test_invalid_or_expired_imported_badges_do_not_count(organisation):
    pathway = build(
        organisation, [{"external_achievement_ids": [EXTERNAL_ID]}], allow_external=True
    )
    learner = UserFactory()
    imported(learner, status="revoked")
    imported(
        learner,
        achievement_id=EXTERNAL_ID + "?copy",
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert evaluated(enrolment).completed_at is None


def test_a_revoked_award_does_not_count(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}])
    learner = UserFactory()
    award_revoke(award=give(learner, a), by=None, reason="Given by mistake")
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert enrolment.completed_at is None
    assert enrolment.steps_done == 0


def test_an_expired_award_does_not_count(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}])
    learner = UserFactory()
    award_issue(
        badge_class=a,
        recipient_email=learner.email,
        issued_by=None,
        notify=False,
        issued_at=timezone.now() - datetime.timedelta(days=60),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    assert enrolment_join(pathway=pathway, learner=learner).completed_at is None


def test_the_completion_badge_is_awarded_once_as_an_award_on_the_learner(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    finish = PublishedBadgeClassFactory(organisation=organisation, name="Digital starter")
    pathway = build(organisation, [{"badge_classes": [a]}], completion_badge=finish)
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    give(learner, a)
    enrolment = evaluated(enrolment)
    award = Award.objects.get(badge_class=finish)
    assert enrolment.completion_award == award
    assert award.recipient == learner
    assert award.recipient_name == learner.display_name
    assert award.evidence[0]["narrative"] == COMPLETION_NARRATIVE.format(name=pathway.name)
    assert award.evidence[0]["url"].endswith(pathway.get_absolute_url())
    # Evaluating again (the completion award's own arrival does) changes nothing.
    assert evaluated(enrolment).completion_award == award
    enrolments_evaluate(user_id=learner.pk)
    assert Award.objects.filter(badge_class=finish).count() == 1


def test_a_completion_badge_already_held_is_not_awarded_again(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    finish = PublishedBadgeClassFactory(organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}], completion_badge=finish)
    learner = UserFactory()
    earlier = give(learner, finish)
    give(learner, a)
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert enrolment.completed_at is not None
    assert enrolment.completion_award is None
    assert list(Award.objects.filter(badge_class=finish)) == [earlier]


def test_joining_with_the_badges_already_held_completes_on_the_spot(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}])
    learner = UserFactory()
    give(learner, a, at=timezone.now() - datetime.timedelta(days=10))
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert enrolment.steps_done == 1
    # Completed when they joined, not before: the badge was earned ten days earlier.
    assert enrolment.completed_at >= enrolment.joined_at


def test_another_learners_badges_do_not_count(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}])
    learner, someone_else = UserFactory(), UserFactory()
    give(someone_else, a)
    assert enrolment_join(pathway=pathway, learner=learner).completed_at is None


def test_an_archived_pathway_is_no_longer_evaluated(organisation):
    a = PublishedBadgeClassFactory(organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}])
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    pathway_archive(pathway=pathway, by=None)
    give(learner, a)
    assert evaluated(enrolment).completed_at is None


def test_changing_a_published_pathway_re_evaluates_its_learners(
    organisation, django_capture_on_commit_callbacks
):
    pathway = build(
        organisation, [{"external_achievement_ids": [EXTERNAL_ID]}], allow_external=True
    )
    learner = UserFactory()
    imported(learner)
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert enrolment.completed_at is not None
    other = UserFactory()
    other_enrolment = enrolment_join(pathway=pathway, learner=other)
    imported(other)
    with django_capture_on_commit_callbacks(execute=True):
        pathway_update(pathway=pathway, by=None, allow_external=False)
    with django_capture_on_commit_callbacks(execute=True):
        pathway_update(pathway=pathway, by=None, allow_external=True)
    other_enrolment.refresh_from_db()
    assert other_enrolment.completed_at is not None


def test_city_explorer_a_badge_in_each_of_six_topics_from_any_organisation():
    """The city-wide kind: six topic steps, unordered, badges from different organisations."""
    city = OrganisationFactory().city
    topics = [TopicFactory(city=city, name=f"Topic {n}") for n in range(6)]
    badges = []
    for topic in topics:
        owner = OrganisationFactory(city=city)
        badge = PublishedBadgeClassFactory(organisation=owner)
        opportunity = OpportunityFactory(organisation=owner)
        opportunity.topics.add(topic)
        opportunity.badge_classes.add(badge)
        badges.append(badge)
    explorer_badge = PublishedBadgeClassFactory(organisation=OrganisationFactory(city=city))
    explorer = pathway_create(
        city=city,
        organisation=None,
        by=None,
        name="City Explorer",
        summary="A badge in each of six topics.",
        completion_badge=explorer_badge,
    )
    for topic in topics:
        pathway_step_add(pathway=explorer, title=f"Something in {topic.name}", topic=topic)
    pathway_publish(pathway=explorer, by=None)
    explorer.refresh_from_db()
    assert explorer.is_city_wide and explorer.status == PathwayStatus.PUBLISHED

    learner = UserFactory()
    enrolment = enrolment_join(pathway=explorer, learner=learner)
    for badge in reversed(badges[1:]):
        give(learner, badge)
    enrolment = evaluated(enrolment)
    assert enrolment.steps_done == 5
    assert enrolment.completed_at is None
    give(learner, badges[0])
    enrolment = evaluated(enrolment)
    assert enrolment.steps_done == 6
    assert enrolment.completion_award.badge_class == explorer_badge
    assert len({badge.organisation_id for badge in badges}) == 6
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is not None


def test_progress_for_an_enrolment_lists_steps_badges_and_what_to_do_next(organisation):
    a, b = PublishedBadgeClassFactory.create_batch(2, organisation=organisation)
    opportunity = OpportunityFactory(organisation=organisation, title="Badge B workshop")
    opportunity.badge_classes.add(b)
    pathway = build(organisation, [{"badge_classes": [a]}, {"badge_classes": [b]}], ordered=True)
    learner = UserFactory()
    give(learner, a)
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    progress = pathway_progress_for(enrolment=enrolment)
    assert (progress.steps_done, progress.steps_total, progress.complete) == (1, 2, False)
    first, second = progress.steps
    assert first.satisfied and first.badges[0].held and first.opportunities == ()
    assert not second.satisfied and not second.badges[0].held
    assert [o.title for o in second.opportunities] == ["Badge B workshop"]
    assert progress.next_steps == (second,)


def test_the_owners_report_counts_learners_steps_and_days_to_complete(organisation):
    a, b = PublishedBadgeClassFactory.create_batch(2, organisation=organisation)
    pathway = build(organisation, [{"badge_classes": [a]}, {"badge_classes": [b]}])
    finisher, halfway, starter = UserFactory(), UserFactory(), UserFactory()
    for learner in (finisher, halfway, starter):
        enrolment_join(pathway=pathway, learner=learner)
    Enrolment.objects.filter(learner=finisher).update(
        joined_at=timezone.now() - datetime.timedelta(days=4)
    )
    give(finisher, a)
    give(finisher, b)
    give(halfway, b)
    enrolments_evaluate(user_id=finisher.pk)
    report = pathway_owner_report(pathway=pathway)
    assert (report.enrolled, report.completed, report.in_progress) == (3, 1, 2)
    assert [s.satisfied_count for s in report.steps] == [1, 2]
    assert report.median_days_to_complete == 4.0
