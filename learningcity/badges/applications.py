"""Applications with evidence (award route 5): a learner asks for a badge with text, links and
files; the organisation's issuers approve (the badge is issued through ``award_issue``) or reject
with feedback; the learner is told either way. Services and selectors live together here.

Uploaded files are hostile: each is capped at :data:`FILE_MAX_BYTES`, its type is decided by its
bytes (never its name or the browser's claim), images are re-encoded by
:func:`sanitise.raster_sanitise`, and it is stored under a random name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import role_at_least
from learningcity.organisations.models import Membership, Organisation, Role

from . import sanitise
from .models import (
    Application,
    ApplicationFile,
    ApplicationStatus,
    Award,
    BadgeClass,
    BadgeStatus,
)
from .services import AwardEvidence, award_issue

FILE_MAX_BYTES = 5 * 1024 * 1024
FILES_MAX = 5
LINKS_MAX = 10


@dataclass(frozen=True)
class Upload:
    """A file as the applicant sent it: plain bytes and the name they gave it."""

    name: str
    data: bytes


def _sniff(data: bytes) -> str | None:
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def application_file_clean(*, upload: Upload) -> tuple[str, bytes]:
    """The content type and the bytes to store, or :class:`ServiceError`."""
    name = upload.name[:255]
    if len(upload.data) > FILE_MAX_BYTES:
        raise ServiceError(
            errors.APPLICATION_FILE_TOO_LARGE.format(name=name, limit_mb=FILE_MAX_BYTES // 2**20),
            field="files",
        )
    content_type = _sniff(upload.data)
    if content_type is None:
        raise ServiceError(errors.APPLICATION_FILE_TYPE.format(name=name), field="files")
    if content_type == "application/pdf":
        return content_type, upload.data
    # Re-encoding drops anything hiding in the image (polyglots, metadata) and caps its pixels.
    try:
        return content_type, sanitise.raster_sanitise(upload.data)
    except ServiceError:
        raise ServiceError(errors.APPLICATION_FILE_TYPE.format(name=name), field="files") from None


def _links_clean(links: Sequence[str]) -> list[str]:
    cleaned = []
    for link in links:
        link = link.strip()
        if not link:
            continue
        if not link.lower().startswith(("http://", "https://")) or len(link) > 500:
            raise ServiceError(errors.APPLICATION_LINK_INVALID.format(url=link), field="links")
        cleaned.append(link)
    return cleaned[:LINKS_MAX]


def _holds_live_award(*, badge_class: BadgeClass, user: User) -> bool:
    return Award.objects.filter(
        badge_class=badge_class,
        recipient_email=user.email.strip().lower(),
        revoked_at__isnull=True,
        replaced_at__isnull=True,
    ).exists()


def application_submit(
    *,
    badge_class: BadgeClass,
    applicant: User,
    text: str,
    links: Sequence[str] = (),
    files: Sequence[Upload] = (),
) -> Application:
    """Apply for a published badge. All or nothing: one bad file or link and nothing is saved."""
    if badge_class.status != BadgeStatus.PUBLISHED:
        raise ServiceError(errors.APPLICATION_BADGE_NOT_PUBLISHED)
    if not text.strip():
        raise ServiceError(errors.APPLICATION_TEXT_REQUIRED, field="text")
    # An application sends the learner's own words and files to an organisation's staff: that is
    # sharing personal data, which an under-13 may do only once a guardian has said yes.
    profile = getattr(applicant, "learner_profile", None)
    if profile is not None and profile.needs_guardian_consent:
        raise ServiceError(errors.APPLICATION_NEEDS_GUARDIAN_CONSENT)
    if _holds_live_award(badge_class=badge_class, user=applicant):
        raise ServiceError(errors.APPLICATION_ALREADY_HELD)
    cleaned_links = _links_clean(links)
    if len(files) > FILES_MAX:
        raise ServiceError(errors.APPLICATION_TOO_MANY_FILES.format(limit=FILES_MAX), field="files")
    # Every file is checked before anything is written.
    cleaned_files = [
        (upload.name[:255], *application_file_clean(upload=upload)) for upload in files
    ]
    try:
        with transaction.atomic():
            application = Application.objects.create(
                badge_class=badge_class, applicant=applicant, text=text.strip(), links=cleaned_links
            )
            for name, content_type, data in cleaned_files:
                item = ApplicationFile(
                    application=application,
                    original_name=name,
                    content_type=content_type,
                    size=len(data),
                )
                item.file.save("upload", ContentFile(data), save=False)
                item.save()
    except IntegrityError:
        raise ServiceError(errors.APPLICATION_ALREADY_PENDING) from None
    return application


def _can_decide(*, user: User, organisation: Organisation) -> bool:
    if user.is_superuser:
        return True
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    return membership is not None and role_at_least(membership.role, Role.ISSUER)


def _lock_pending(*, application: Application, by: User) -> Application:
    """The application, row-locked and still pending, that ``by`` may decide."""
    locked = (
        Application.objects.select_for_update()
        .select_related("badge_class__organisation", "applicant")
        .get(pk=application.pk)
    )
    if locked.applicant_id == by.pk:
        # Nobody decides their own application, whatever their role: not even an owner.
        raise AccessDenied(errors.APPLICATION_OWN)
    if not _can_decide(user=by, organisation=locked.badge_class.organisation):
        raise AccessDenied(errors.ROLE_TOO_LOW)
    if locked.status != ApplicationStatus.PENDING:
        raise ServiceError(errors.APPLICATION_NOT_PENDING)
    return locked


def _notify(application: Application) -> None:
    from .tasks_applications import application_decided_notify

    transaction.on_commit(lambda: application_decided_notify.enqueue(application_id=application.pk))


@transaction.atomic
def application_approve(*, application: Application, by: User, feedback: str = "") -> Application:
    """Issue the badge with the application's text and links as evidence, and tell the learner."""
    locked = _lock_pending(application=application, by=by)
    evidence = [AwardEvidence(narrative=locked.text)]
    evidence += [AwardEvidence(url=link) for link in locked.links]
    award = award_issue(
        badge_class=locked.badge_class,
        recipient_email=locked.applicant.email,
        recipient_name=locked.applicant.display_name,
        issued_by=by,
        evidence=evidence,
    )
    locked.status = ApplicationStatus.APPROVED
    locked.award = award
    locked.feedback = feedback.strip()
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save()
    _notify(locked)
    return locked


@transaction.atomic
def application_reject(*, application: Application, by: User, feedback: str) -> Application:
    """Turn the application down with feedback (required), and tell the learner."""
    if not feedback.strip():
        raise ServiceError(errors.APPLICATION_FEEDBACK_REQUIRED, field="feedback")
    locked = _lock_pending(application=application, by=by)
    locked.status = ApplicationStatus.REJECTED
    locked.feedback = feedback.strip()
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save()
    _notify(locked)
    return locked


@transaction.atomic
def application_withdraw(*, application: Application, by: User) -> Application:
    """The applicant takes back a pending application."""
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.applicant_id != by.pk:
        raise AccessDenied(errors.APPLICATION_NOT_YOURS)
    if locked.status != ApplicationStatus.PENDING:
        raise ServiceError(errors.APPLICATION_NOT_PENDING)
    locked.status = ApplicationStatus.WITHDRAWN
    locked.decided_at = timezone.now()
    locked.save()
    return locked


# --- Selectors -----------------------------------------------------------------------------------


def application_list_for_organisation(*, organisation: Organisation) -> QuerySet[Application]:
    """The review queue: pending first (oldest first), then the decided, newest first."""
    return (
        Application.objects.filter(badge_class__organisation=organisation)
        .select_related("badge_class", "applicant")
        .annotate(
            pending=Case(
                When(status=ApplicationStatus.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending", "-created_at")
    )


def application_list_for_applicant(*, user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("badge_class__organisation__city", "award")
        .prefetch_related("files")
        .order_by("-created_at")
    )
