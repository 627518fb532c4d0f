"""A learner with something in every table that can hold their data, for the privacy tests."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.badges.models import (
    Application,
    ApplicationFile,
    Award,
    AwardDelivery,
    BadgeClass,
    BadgeStatus,
    BulkIssue,
    BulkIssueRow,
    ClaimCode,
    ClaimRedemption,
)
from learningcity.badges.services import AwardEvidence, award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.learners.models import (
    AwardChoice,
    Collection,
    CollectionItem,
    DeclaredSkill,
    ImportedBadge,
    ImportSource,
)
from learningcity.opportunities.booking import booking_create
from learningcity.opportunities.models import AttendeeCode, Booking, SavedOpportunity, Session
from learningcity.opportunities.tests.factories import (
    BookingFactory,
    OpportunityFactory,
    SessionFactory,
)
from learningcity.organisations.models import Organisation
from learningcity.organisations.tests.factories import InvitationFactory, OrganisationFactory
from learningcity.pathways.models import Enrolment, Pathway

EMAIL = "zyxwv.deleteme@example.org"
SECOND_EMAIL = "zyxwv.second@example.net"
NAME = "Quillon Farthingale"
GUARDIAN_EMAIL = "guardian.qxjw@example.org"


@dataclass
class Learner:
    user: User
    organisation: Organisation
    badge_classes: list[BadgeClass]
    awards: list[Award]
    upcoming: Session
    past: Session
    other: User
    other_award: Award
    extra: dict = field(default_factory=dict)


def learner_with_everything(
    *, email: str = EMAIL, name: str = NAME, age: int = 20, guardian_email: str = ""
) -> Learner:
    """A learner (``email``, ``name``) with awards (one revoked), an application with a file,
    bookings (one to come with someone waiting behind them, one attended), a saved opportunity,
    a check-in code, an imported badge, a shared collection, a declared skill, a pathway
    enrolment, a bulk-issue row, a claim redemption, an award email, a staff invitation, a failed
    task mentioning their address and — when ``guardian_email`` — a confirmed guardian consent.
    A second learner has the same kinds of things, to show they are untouched."""
    organisation = OrganisationFactory(name="Harbour Youth Hub")
    city = organisation.city
    user = UserFactory(email=email, display_name=name)
    EmailAddress.objects.create(user=user, email=SECOND_EMAIL, verified=True, primary=False)
    LearnerProfileFactory(user=user, city=city, age=age, interests=["robots"])
    if guardian_email:
        GuardianConsentFactory(
            child=user,
            guardian_email=guardian_email,
            sent_at=timezone.now(),
            confirmed_at=timezone.now(),
        )
    other = UserFactory(email="someone.else@example.org", display_name="Other Learner")
    LearnerProfileFactory(user=other, city=city, age=20)

    badge_classes = [
        BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED) for _ in range(3)
    ]
    awards = [
        award_issue(
            badge_class=badge_class,
            recipient_email=email,
            recipient_name=name,
            issued_by=None,
            notify=False,
            evidence=[AwardEvidence(narrative=f"{name} built a robot")],
        )
        for badge_class in badge_classes[:2]
    ]
    award_revoke(award=awards[1], by=None, reason="Issued by mistake")
    other_award = award_issue(
        badge_class=badge_classes[0],
        recipient_email=other.email,
        recipient_name="Other Learner",
        issued_by=None,
        notify=False,
    )
    for award in awards:
        award.refresh_from_db()
    AwardDelivery.objects.create(award=awards[0], last_error=f"550 {email} mailbox full")
    code = ClaimCode.objects.create(badge_class=badge_classes[0], code="QWER2345", uses=1)
    ClaimRedemption.objects.create(claim_code=code, award=awards[0], user=user)
    bulk = BulkIssue.objects.create(organisation=organisation, badge_class=badge_classes[0])
    BulkIssueRow.objects.create(
        bulk_issue=bulk, line=2, email=email.upper(), name=name, award=awards[0]
    )
    application = Application.objects.create(
        badge_class=badge_classes[2],
        applicant=user,
        text=f"My name is {name} and I ran the litter pick.",
        links=["https://example.org/zyxwv.deleteme/photos"],
    )
    upload = ApplicationFile(
        application=application, original_name="proof.pdf", content_type="application/pdf", size=8
    )
    upload.file.save("proof.pdf", ContentFile(b"%PDF-1.4"), save=False)
    upload.save()

    opportunity = OpportunityFactory(
        organisation=organisation, city=city, capacity=1, min_age=0, max_age=99
    )
    upcoming = SessionFactory(opportunity=opportunity)
    booking_create(session=upcoming, learner=user)
    booking_create(session=upcoming, learner=other)  # full: waitlisted behind them
    past = SessionFactory(
        opportunity=opportunity,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-2),
        booked_count=1,
    )
    BookingFactory(session=past, learner=user, checked_in_at=past.starts_at)
    SavedOpportunity.objects.create(learner=user, opportunity=opportunity)
    AttendeeCode.objects.create(learner=user)

    imported = ImportedBadge.objects.create(
        owner=user,
        source=ImportSource.TEXT,
        original=json.dumps({"credentialSubject": {"name": name, "email": email}}),
        fingerprint="f" * 64,
        status="valid",
        checked_at=timezone.now(),
        name="Sea Kayaking",
        issuer_name="Elsewhere Water Sports",
        is_shared=True,
    )
    imported.image.save("kayak.png", ContentFile(b"\x89PNG fake"), save=True)
    collection = Collection.objects.create(
        owner=user, name=f"{name}'s best", description="For my college application", is_shared=True
    )
    CollectionItem.objects.create(collection=collection, award=awards[0], position=0)
    CollectionItem.objects.create(collection=collection, imported=imported, position=1)
    AwardChoice.objects.create(award=awards[0], owner=user, is_shared=True)
    DeclaredSkill.objects.create(owner=user, name="Juggling")
    pathway = Pathway.objects.create(
        city=city, organisation=organisation, name="Into engineering", summary="Steps to a course"
    )
    Enrolment.objects.create(pathway=pathway, learner=user, joined_at=timezone.now())
    InvitationFactory(organisation=organisation, email=email)
    _task_result_mentioning(email)
    _admin_history_about(user)

    # The other learner's things, which must survive.
    Collection.objects.create(owner=other, name="Other's collection")
    DeclaredSkill.objects.create(owner=other, name="Welding")
    return Learner(
        user=user,
        organisation=organisation,
        badge_classes=badge_classes,
        awards=awards,
        upcoming=upcoming,
        past=past,
        other=other,
        other_award=other_award,
        extra={"application": application, "imported": imported, "collection": collection},
    )


def _task_result_mentioning(email: str) -> None:
    """A failed email task as ``django-tasks-db`` keeps it (the test settings run tasks inline,
    so no rows are made by the code under test: one is made here)."""
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.create(
        status="FAILED",
        args_kwargs={"args": [], "kwargs": {"award_id": 1}},
        task_path="learningcity.badges.tasks_delivery.award_email_send",
        backend_name="default",
        run_after=timezone.now(),
        exception_class_path="smtplib.SMTPRecipientsRefused",
        traceback=f"SMTPRecipientsRefused: {{'{email}': (550, b'no such user')}}",
    )


def _admin_history_about(user: User) -> None:
    """The Django admin's log of a staff member changing the learner's account and profile."""
    admin = UserFactory(email="site.admin@example.org", display_name="Site Admin", is_staff=True)
    for obj in (user, user.learner_profile):  # type: ignore[attr-defined]
        LogEntry.objects.create(
            user=admin,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj),
            action_flag=CHANGE,
            change_message="[]",
        )


def booking_count(session: Session) -> int:
    session.refresh_from_db()
    return session.booked_count


def live_bookings(session: Session) -> list[Booking]:
    return list(Booking.objects.filter(session=session).exclude(status="cancelled"))
