"""Completion happens by itself: a badge landing on the account (issued here or imported from
elsewhere) evaluates the learner's pathways and awards the completion badge."""

import hashlib

import pytest
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import Award
from learningcity.badges.services import award_issue
from learningcity.learners.models import ImportedBadge, ImportSource
from learningcity.learners.signals import badge_imported_send
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Enrolment
from learningcity.pathways.services import (
    enrolment_join,
    pathway_create,
    pathway_publish,
    pathway_step_add,
)

from .factories import PublishedBadgeClassFactory

pytestmark = pytest.mark.django_db

EXTERNAL_ID = "https://badges.elsewhere.example/achievements/first-aid"


@pytest.fixture
def organisation():
    return OrganisationFactory()


def build(organisation, *, allow_external=False):
    first, last = PublishedBadgeClassFactory.create_batch(2, organisation=organisation)
    finish = PublishedBadgeClassFactory(organisation=organisation, name="Pathway done")
    pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="First aid",
        summary="One line.",
        ordered=True,
        allow_external=allow_external,
        completion_badge=finish,
    )
    pathway_step_add(pathway=pathway, title="Start", badge_classes=[first])
    pathway_step_add(
        pathway=pathway,
        title="Finish",
        badge_classes=[last],
        external_achievement_ids=[EXTERNAL_ID],
    )
    pathway_publish(pathway=pathway, by=None)
    pathway.refresh_from_db()
    return pathway, first, last, finish


def give(user, badge_class, capture):
    with capture(execute=True):
        return award_issue(
            badge_class=badge_class, recipient_email=user.email, issued_by=None, notify=False
        )


def import_valid(user, capture):
    with capture(execute=True):
        ImportedBadge.objects.create(
            owner=user,
            source=ImportSource.TEXT,
            fingerprint=hashlib.sha256(EXTERNAL_ID.encode()).hexdigest(),
            status="valid",
            checked_at=timezone.now(),
            name="First aid at work",
            achievement_id=EXTERNAL_ID,
            issued_at=timezone.now(),
        )
        badge_imported_send(user_id=user.pk)


def test_issuing_the_last_steps_badge_completes_the_pathway(
    organisation, django_capture_on_commit_callbacks
):
    pathway, first, last, finish = build(organisation)
    learner = UserFactory()
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    give(learner, first, django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.steps_done == 1
    assert enrolment.completed_at is None

    give(learner, last, django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.steps_done == 2
    assert enrolment.completed_at is not None
    award = Award.objects.get(badge_class=finish)
    assert enrolment.completion_award == award
    assert award.recipient == learner
    # The completion award's own arrival announced itself too; nothing more was awarded.
    assert Award.objects.filter(recipient=learner).count() == 3


def test_a_badge_for_someone_not_on_a_pathway_changes_nothing(
    organisation, django_capture_on_commit_callbacks
):
    _pathway, first, last, finish = build(organisation)
    learner = UserFactory()
    give(learner, first, django_capture_on_commit_callbacks)
    give(learner, last, django_capture_on_commit_callbacks)
    assert not Enrolment.objects.exists()
    assert not Award.objects.filter(badge_class=finish).exists()


def test_importing_a_valid_badge_completes_a_pathway_that_allows_external_badges(
    organisation, django_capture_on_commit_callbacks
):
    pathway, first, _last, finish = build(organisation, allow_external=True)
    learner = UserFactory()
    give(learner, first, django_capture_on_commit_callbacks)
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert enrolment.completed_at is None
    import_valid(learner, django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert enrolment.completion_award.badge_class == finish


def test_importing_a_valid_badge_does_not_complete_a_pathway_that_does_not_allow_them(
    organisation, django_capture_on_commit_callbacks
):
    pathway, first, _last, finish = build(organisation, allow_external=False)
    learner = UserFactory()
    give(learner, first, django_capture_on_commit_callbacks)
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    import_valid(learner, django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.steps_done == 1
    assert enrolment.completed_at is None
    assert not Award.objects.filter(badge_class=finish).exists()


def test_a_completion_badge_can_complete_the_next_pathway_and_the_chain_stops(
    organisation, django_capture_on_commit_callbacks
):
    pathway, first, last, finish = build(organisation)
    grand_finish = PublishedBadgeClassFactory(organisation=organisation, name="Grand finish")
    next_pathway = pathway_create(
        city=organisation.city,
        organisation=organisation,
        by=None,
        name="Beyond",
        summary="One line.",
        completion_badge=grand_finish,
    )
    pathway_step_add(pathway=next_pathway, title="Finish the first", badge_classes=[finish])
    pathway_publish(pathway=next_pathway, by=None)
    next_pathway.refresh_from_db()
    learner = UserFactory()
    enrolment_join(pathway=pathway, learner=learner)
    enrolment_join(pathway=next_pathway, learner=learner)
    give(learner, first, django_capture_on_commit_callbacks)
    give(learner, last, django_capture_on_commit_callbacks)
    assert Enrolment.objects.filter(learner=learner, completed_at__isnull=False).count() == 2
    assert Award.objects.filter(recipient=learner, badge_class=grand_finish).count() == 1
    assert Award.objects.filter(recipient=learner).count() == 4
