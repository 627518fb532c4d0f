"""Applications with evidence: submitting, approving, rejecting and withdrawing."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges import applications
from learningcity.badges.applications import FILE_MAX_BYTES, Upload
from learningcity.badges.models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    Award,
    BadgeStatus,
)
from learningcity.badges.services import award_issue
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def organisation():
    return OrganisationFactory()


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED)


@pytest.fixture
def learner():
    return UserFactory(email="amara@example.org")


@pytest.fixture
def issuer(organisation):
    return MembershipFactory(organisation=organisation, role=Role.ISSUER, user=UserFactory()).user


def submit(badge_class, learner, **kwargs):
    kwargs.setdefault("text", "I ran the first aid session.")
    return applications.application_submit(badge_class=badge_class, applicant=learner, **kwargs)


def test_applying_with_text_links_and_a_png_saves_them(badge_class, learner):
    application = submit(
        badge_class,
        learner,
        links=["https://example.org/my-work"],
        files=[Upload(name="photo.png", data=png_bytes())],
    )
    assert application.status == ApplicationStatus.PENDING
    assert application.links == ["https://example.org/my-work"]
    stored = application.files.get()
    assert stored.content_type == "image/png"
    assert stored.original_name == "photo.png"
    assert "photo" not in stored.file.name


def test_a_pdf_is_accepted(badge_class, learner):
    application = submit(badge_class, learner, files=[Upload(name="cert.pdf", data=b"%PDF-1.4\n")])
    assert application.files.get().content_type == "application/pdf"


def test_a_draft_badge_cannot_be_applied_for(organisation, learner):
    draft = BadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT)
    with pytest.raises(ServiceError, match=errors.APPLICATION_BADGE_NOT_PUBLISHED):
        submit(draft, learner)


def test_someone_who_holds_the_badge_cannot_apply(badge_class, learner):
    award_issue(badge_class=badge_class, recipient_email=learner.email, issued_by=None)
    with pytest.raises(ServiceError, match=errors.APPLICATION_ALREADY_HELD):
        submit(badge_class, learner)


def test_a_second_pending_application_is_refused(badge_class, learner):
    submit(badge_class, learner)
    with pytest.raises(ServiceError, match=errors.APPLICATION_ALREADY_PENDING):
        submit(badge_class, learner)


def test_a_link_that_is_not_http_is_refused(badge_class, learner):
    with pytest.raises(ServiceError) as caught:
        submit(badge_class, learner, links=["javascript:alert(1)"])
    assert caught.value.field == "links"
    assert not Application.objects.exists()


@pytest.mark.parametrize(
    "name,data",
    [
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("fake.png", b"<svg onload=alert(1)></svg>"),
        ("broken.png", b"\x89PNG\r\n\x1a\nnot really"),
        ("big.pdf", b"%PDF-" + b"0" * FILE_MAX_BYTES),
    ],
)
def test_a_bad_file_means_nothing_is_saved(badge_class, learner, name, data):
    with pytest.raises(ServiceError):
        submit(
            badge_class,
            learner,
            files=[Upload(name="ok.png", data=png_bytes()), Upload(name=name, data=data)],
        )
    assert not Application.objects.exists()
    assert not ApplicationFile.objects.exists()


def test_approving_issues_the_badge_with_the_evidence_and_emails_the_learner(
    badge_class, learner, issuer, mailoutbox, django_capture_on_commit_callbacks
):
    application = submit(badge_class, learner, links=["https://example.org/work"])
    with django_capture_on_commit_callbacks(execute=True):
        application = applications.application_approve(
            application=application, by=issuer, feedback="Well done"
        )
    assert application.status == ApplicationStatus.APPROVED
    award = application.award
    assert award.recipient_email == learner.email
    assert {"narrative": "I ran the first aid session.", "url": ""} in award.evidence
    assert {"narrative": "", "url": "https://example.org/work"} in award.evidence
    decided = [m for m in mailoutbox if "application" in m.subject.lower()]
    assert decided and decided[0].to == [learner.email]
    assert "Well done" in decided[0].body


def test_nobody_can_approve_their_own_application_even_an_owner(badge_class, organisation):
    owner = MembershipFactory(organisation=organisation, role=Role.OWNER, user=UserFactory()).user
    application = submit(badge_class, owner)
    with pytest.raises(AccessDenied, match=errors.APPLICATION_OWN):
        applications.application_approve(application=application, by=owner)
    with pytest.raises(AccessDenied, match=errors.APPLICATION_OWN):
        applications.application_reject(application=application, by=owner, feedback="no")
    assert not Award.objects.exists()


def test_a_superuser_cannot_approve_their_own_application(badge_class):
    admin = UserFactory(is_superuser=True)
    application = submit(badge_class, admin)
    with pytest.raises(AccessDenied, match=errors.APPLICATION_OWN):
        applications.application_approve(application=application, by=admin)


def test_a_viewer_cannot_approve(badge_class, learner, organisation):
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER, user=UserFactory()).user
    application = submit(badge_class, learner)
    with pytest.raises(AccessDenied):
        applications.application_approve(application=application, by=viewer)


def test_staff_of_another_organisation_cannot_approve(badge_class, learner):
    other = MembershipFactory(role=Role.OWNER, user=UserFactory()).user
    application = submit(badge_class, learner)
    with pytest.raises(AccessDenied):
        applications.application_approve(application=application, by=other)


def test_rejecting_needs_feedback_and_emails_the_learner(
    badge_class, learner, issuer, mailoutbox, django_capture_on_commit_callbacks
):
    application = submit(badge_class, learner)
    with pytest.raises(ServiceError, match=errors.APPLICATION_FEEDBACK_REQUIRED):
        applications.application_reject(application=application, by=issuer, feedback=" ")
    with django_capture_on_commit_callbacks(execute=True):
        application = applications.application_reject(
            application=application, by=issuer, feedback="Add a photo of the session."
        )
    assert application.status == ApplicationStatus.REJECTED
    assert "Add a photo of the session." in mailoutbox[-1].body
    assert mailoutbox[-1].to == [learner.email]


def test_a_decided_application_cannot_be_decided_again(badge_class, learner, issuer):
    application = submit(badge_class, learner)
    applications.application_reject(application=application, by=issuer, feedback="No")
    with pytest.raises(ServiceError, match=errors.APPLICATION_NOT_PENDING):
        applications.application_approve(application=application, by=issuer)


def test_only_the_applicant_can_withdraw_and_can_then_apply_again(badge_class, learner, issuer):
    application = submit(badge_class, learner)
    with pytest.raises(AccessDenied):
        applications.application_withdraw(application=application, by=issuer)
    application = applications.application_withdraw(application=application, by=learner)
    assert application.status == ApplicationStatus.WITHDRAWN
    assert submit(badge_class, learner).status == ApplicationStatus.PENDING


def test_the_review_queue_lists_pending_first(badge_class, issuer, organisation):
    first = submit(badge_class, UserFactory())
    applications.application_reject(application=first, by=issuer, feedback="No")
    second = submit(badge_class, UserFactory())
    queue = list(applications.application_list_for_organisation(organisation=organisation))
    assert queue == [second, first]


def test_an_under_13_without_guardian_consent_cannot_apply(badge_class):
    child = LearnerProfileFactory(age=11).user
    with pytest.raises(ServiceError, match=errors.APPLICATION_NEEDS_GUARDIAN_CONSENT):
        submit(badge_class, child)
    assert not Application.objects.exists()


def test_an_adult_learner_with_a_profile_can_apply(badge_class):
    adult = LearnerProfileFactory(age=20).user
    assert submit(badge_class, adult).status == ApplicationStatus.PENDING
