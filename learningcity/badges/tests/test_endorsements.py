"""Endorsement requests: asking, endorsing, declining, and who may do each."""

from __future__ import annotations

import pytest
from django.core import mail

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.endorsements import (
    endorsement_request_create,
    endorsement_request_decline,
    endorsement_request_endorse,
    endorsement_request_queue,
)
from learningcity.badges.models import BadgeStatus, EndorsementRequest
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(city=CityFactory(slug="brighton"), slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, status=BadgeStatus.PUBLISHED, name="Teamwork"
    )


@pytest.fixture
def editor(organisation):
    return MembershipFactory(organisation=organisation, role=Role.EDITOR).user


@pytest.fixture
def owner(organisation):
    return MembershipFactory(organisation=organisation, role=Role.OWNER).user


@pytest.fixture
def city_admin(organisation):
    return CityAdminFactory(city=organisation.city).user


@pytest.fixture
def pending(badge_class, editor):
    return endorsement_request_create(badge_class=badge_class, by=editor, message="Please.")


def test_an_editor_asks_the_city_to_endorse_a_published_badge(badge_class, editor):
    request = endorsement_request_create(badge_class=badge_class, by=editor, message=" Please. ")
    assert request.status == EndorsementRequest.Status.PENDING
    assert request.message == "Please."
    assert request.requested_by == editor


def test_a_viewer_cannot_ask(badge_class, organisation):
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    with pytest.raises(AccessDenied):
        endorsement_request_create(badge_class=badge_class, by=viewer, message="")


def test_staff_of_another_organisation_cannot_ask(badge_class):
    outsider = MembershipFactory(role=Role.OWNER).user
    with pytest.raises(AccessDenied):
        endorsement_request_create(badge_class=badge_class, by=outsider, message="")


def test_a_draft_badge_cannot_be_put_forward(organisation, editor):
    draft = BadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT, name="Draft")
    with pytest.raises(ServiceError) as refused:
        endorsement_request_create(badge_class=draft, by=editor, message="")
    assert refused.value.message == errors.ENDORSEMENT_REQUEST_NOT_PUBLISHED.format(name="Draft")


def test_asking_twice_while_one_is_waiting_is_refused(pending, badge_class, editor):
    with pytest.raises(ServiceError) as refused:
        endorsement_request_create(badge_class=badge_class, by=editor, message="")
    assert refused.value.message == errors.ENDORSEMENT_REQUEST_PENDING.format(name="Teamwork")


def test_an_endorsed_badge_cannot_be_put_forward_again(pending, badge_class, editor, city_admin):
    endorsement_request_endorse(request=pending, by=city_admin, comment="Good.")
    with pytest.raises(ServiceError) as refused:
        endorsement_request_create(badge_class=badge_class, by=editor, message="")
    assert refused.value.message == errors.ENDORSEMENT_REQUEST_ALREADY_ENDORSED.format(
        name="Teamwork"
    )


def test_the_database_keeps_one_pending_request_per_badge_class(pending, badge_class):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        EndorsementRequest.objects.create(badge_class=badge_class)


def test_a_city_admin_endorses_and_the_owners_are_emailed(
    pending, city_admin, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = endorsement_request_endorse(request=pending, by=city_admin, comment="Good.")
    assert request.status == EndorsementRequest.Status.ENDORSED
    assert request.decided_by == city_admin
    assert request.decided_at is not None
    assert request.endorsement.comment == "Good."
    assert "EndorsementCredential" in request.endorsement.credential["type"]
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "endorses Teamwork" in mail.outbox[0].subject
    assert "Good." in mail.outbox[0].body


def test_endorsing_needs_a_comment(pending, city_admin):
    with pytest.raises(ServiceError) as refused:
        endorsement_request_endorse(request=pending, by=city_admin, comment=" ")
    assert refused.value.message == errors.ENDORSEMENT_COMMENT_REQUIRED
    pending.refresh_from_db()
    assert pending.status == EndorsementRequest.Status.PENDING


def test_a_city_admin_declines_with_a_reason_and_the_owners_are_emailed(
    pending, city_admin, owner, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = endorsement_request_decline(request=pending, by=city_admin, reason="Vague.")
    assert request.status == EndorsementRequest.Status.DECLINED
    assert request.decline_reason == "Vague."
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert "Vague." in mail.outbox[0].body


def test_declining_needs_a_reason(pending, city_admin):
    with pytest.raises(ServiceError) as refused:
        endorsement_request_decline(request=pending, by=city_admin, reason="")
    assert refused.value.message == errors.ENDORSEMENT_REQUEST_REASON_REQUIRED


def test_a_declined_badge_can_be_asked_for_again(pending, city_admin, badge_class, editor):
    endorsement_request_decline(request=pending, by=city_admin, reason="Vague.")
    again = endorsement_request_create(badge_class=badge_class, by=editor, message="Fixed.")
    assert again.status == EndorsementRequest.Status.PENDING


def test_a_decided_request_cannot_be_decided_again(pending, city_admin):
    endorsement_request_decline(request=pending, by=city_admin, reason="Vague.")
    with pytest.raises(ServiceError) as refused:
        endorsement_request_endorse(request=pending, by=city_admin, comment="Good.")
    assert refused.value.message == errors.ENDORSEMENT_REQUEST_DECIDED


def test_another_citys_admin_cannot_decide(pending):
    stranger = CityAdminFactory(city=CityFactory()).user
    with pytest.raises(AccessDenied):
        endorsement_request_endorse(request=pending, by=stranger, comment="Good.")
    with pytest.raises(AccessDenied):
        endorsement_request_decline(request=pending, by=stranger, reason="No.")


def test_a_learner_cannot_decide(pending):
    with pytest.raises(AccessDenied):
        endorsement_request_endorse(request=pending, by=UserFactory(), comment="Good.")


def test_the_queue_lists_pending_first_and_only_this_citys(
    organisation, editor, city_admin, pending
):
    decided_badge = BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED)
    decided = endorsement_request_create(badge_class=decided_badge, by=editor, message="")
    endorsement_request_decline(request=decided, by=city_admin, reason="No.")
    elsewhere = BadgeClassFactory(status=BadgeStatus.PUBLISHED)
    EndorsementRequest.objects.create(badge_class=elsewhere)
    assert list(endorsement_request_queue(city=organisation.city)) == [pending, decided]
