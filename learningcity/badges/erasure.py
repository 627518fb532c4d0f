"""The badges app's part of deleting a person's account (``learners.privacy.account_delete``).

What the organisation needs stays, with the person taken out of it: every award row is kept
(the issuer's counts, its status list bit, its revocation list) but revoked and anonymised.
What was only the person's — their applications and uploaded files, their claim redemptions,
the emails sent to them — goes.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from learningcity.accounts.models import User

from .models import (
    Application,
    ApplicationFile,
    Award,
    AwardDelivery,
    BulkIssueRow,
    ClaimRedemption,
)
from .services import award_revoke


@dataclass
class BadgesErased:
    awards_revoked: int = 0
    awards_anonymised: int = 0
    applications_deleted: int = 0
    # Stored files to remove once the deletion has committed (never before: a rollback must
    # leave the applications whole).
    file_names: list[str] = field(default_factory=list)


def erased_recipient_email(award: Award) -> str:
    """The placeholder an anonymised award keeps in ``recipient_email`` (the column is required,
    and the "one live award" constraint needs a value that is unique per award)."""
    return f"deleted-{award.public_id.lower()}@invalid"


def badges_erase_for(*, user: User, emails: Collection[str], reason: str) -> BadgesErased:
    """Revoke and anonymise every award of ``user`` (on the account, or sent to one of
    ``emails``), and delete their applications, claim redemptions and award emails.

    ``emails`` are lower-cased addresses of the account. Precondition: inside
    ``transaction.atomic`` (the caller's, so the whole deletion commits or none of it).
    """
    result = BadgesErased()
    emails = [email.lower() for email in emails]
    awards = Award.objects.filter(Q(recipient=user) | Q(recipient_email__in=emails))
    for award in awards.filter(revoked_at__isnull=True).order_by("pk"):
        award_revoke(award=award, by=None, reason=reason)
        result.awards_revoked += 1
    award_ids = list(awards.values_list("pk", flat=True))
    now = timezone.now()
    for award in Award.objects.filter(pk__in=award_ids).only("pk", "public_id"):
        # One UPDATE per award: each gets its own placeholder address.
        Award.objects.filter(pk=award.pk).update(
            recipient=None,
            recipient_email=erased_recipient_email(award),
            recipient_name="",
            evidence=[],
            # Nothing signed is served for an erased award: the credential named the person
            # (by a salted hash of their email) and the holder asked for it to go.
            ob3_credential={},
            ob3_jwt="",
            updated_at=now,
        )
        result.awards_anonymised += 1
    AwardDelivery.objects.filter(award_id__in=award_ids).delete()
    ClaimRedemption.objects.filter(Q(user=user) | Q(award_id__in=award_ids)).delete()
    # A bulk upload keeps its line (the organisation's record that it awarded it), not who to.
    email_match = Q()
    for email in emails:
        email_match |= Q(email__iexact=email)
    BulkIssueRow.objects.filter(Q(award_id__in=award_ids) | email_match).update(
        email="", name="", evidence_narrative="", evidence_url=""
    )
    applications = Application.objects.filter(applicant=user)
    result.file_names = list(
        ApplicationFile.objects.filter(application__in=applications).values_list("file", flat=True)
    )
    _, deleted = applications.delete()
    result.applications_deleted = deleted.get(Application._meta.label, 0)
    names = [name for name in result.file_names if name]
    if names:
        transaction.on_commit(lambda: _files_delete(names))
    return result


def _files_delete(names: list[str]) -> None:
    storage = ApplicationFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    for name in names:
        storage.delete(name)
