"""Claim codes: a short typed code (or the QR poster that carries it) that gives a badge to
whoever claims it while signed in. Services and selectors live together here.

A code is 8 characters from an alphabet with no look-alikes (no 0/O, 1/I/L), shown as
``XXXX-XXXX``. What people type is normalised first, so case, spaces and dashes never matter.

Under-13s still waiting for a guardian's consent may claim. An award is recognition kept in
their own account: it is private by default, and the consent gate covers *publishing* (a public
profile, sharing), not being recognised. Refusing would only make a child at a youth club the
one person in the room who can't get the badge.
"""

from __future__ import annotations

import datetime
import secrets

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.organisations.models import Organisation

from .delivery import award_delivery_mark_claimed
from .models import Award, BadgeClass, BadgeStatus, ClaimCode, ClaimRedemption
from .services import award_issue

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8


def claim_code_normalise(raw: str) -> str:
    """What someone typed, as stored: upper case with spaces and dashes removed."""
    return "".join(ch for ch in raw.upper() if ch not in " -\t\u2010\u2011\u2013\u2014")


def claim_code_generate() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def claim_code_create(
    *,
    badge_class: BadgeClass,
    created_by: User | None,
    max_uses: int | None = 1,
    expires_at: datetime.datetime | None = None,
) -> ClaimCode:
    """A new code for ``badge_class``: single-use by default, ``max_uses=None`` for no limit."""
    if max_uses is not None and max_uses < 1:
        raise ServiceError("A code must be usable at least once.", field="max_uses")
    if expires_at is not None and expires_at <= timezone.now():
        raise ServiceError(errors.CLAIM_CODE_EXPIRY_PAST, field="expires_at")
    if badge_class.status == BadgeStatus.ARCHIVED:
        raise ServiceError(errors.CLAIM_BADGE_ARCHIVED, field="badge_class")
    # 31^8 ≈ 8.5e11 codes: a clash is rare, but the unique index decides, not hope.
    for _ in range(5):
        try:
            with transaction.atomic():
                return ClaimCode.objects.create(
                    badge_class=badge_class,
                    code=claim_code_generate(),
                    max_uses=max_uses,
                    expires_at=expires_at,
                    created_by=created_by,
                )
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free claim code")  # pragma: no cover


def _refusal(claim: ClaimCode, *, now: datetime.datetime) -> str | None:
    if claim.revoked_at is not None:
        return errors.CLAIM_CODE_REVOKED
    if claim.expires_at is not None and claim.expires_at <= now:
        local = timezone.localtime(claim.expires_at)
        return errors.CLAIM_CODE_EXPIRED.format(date=local.strftime("%-d %B %Y at %H:%M"))
    if claim.max_uses is not None and claim.uses >= claim.max_uses:
        return errors.CLAIM_CODE_USED_UP
    if claim.badge_class.status == BadgeStatus.ARCHIVED:
        return errors.CLAIM_BADGE_ARCHIVED
    return None


@transaction.atomic
def claim_code_redeem(*, code: str, user: User) -> Award:
    """Give the code's badge to ``user`` at their primary email address.

    The code's row is locked (``select_for_update``) from the checks to the count, so two people
    claiming the last use at once cannot both get it: the second waits, then sees it used up.
    The award's delivery is marked claimed at once; the learner is looking at it.
    """
    claim = (
        ClaimCode.objects.select_for_update()
        .select_related("badge_class__organisation")
        .filter(code=claim_code_normalise(code))
        .first()
    )
    if claim is None:
        raise ServiceError(errors.CLAIM_CODE_INVALID, field="code")
    if ClaimRedemption.objects.filter(claim_code=claim, user=user).exists():
        raise ServiceError(errors.CLAIM_CODE_ALREADY_CLAIMED, field="code")
    refusal = _refusal(claim, now=timezone.now())
    if refusal:
        raise ServiceError(refusal, field="code")
    try:
        award = award_issue(
            badge_class=claim.badge_class,
            recipient_email=user.email,
            recipient_name=user.display_name,
            issued_by=None,
        )
    except ServiceError as exc:
        # award_issue owns the "one live award" rule (expiry and re-issue included).
        if exc.message == errors.AWARD_ALREADY_HELD.format(email=user.email.strip().lower()):
            raise ServiceError(errors.CLAIM_BADGE_ALREADY_HELD, field="code") from exc
        raise
    claim.uses += 1
    claim.save(update_fields=["uses", "updated_at"])
    ClaimRedemption.objects.create(claim_code=claim, award=award, user=user)
    award_delivery_mark_claimed(award=award)
    return award


@transaction.atomic
def claim_code_revoke(*, claim_code: ClaimCode) -> ClaimCode:
    """Switch a code off for good. Badges already claimed with it stay."""
    claim = ClaimCode.objects.select_for_update().get(pk=claim_code.pk)
    if claim.revoked_at is not None:
        raise ServiceError(errors.CLAIM_CODE_ALREADY_REVOKED)
    claim.revoked_at = timezone.now()
    claim.save(update_fields=["revoked_at", "updated_at"])
    return claim


# --- Selectors -----------------------------------------------------------------------------------


def claim_code_list(*, organisation: Organisation) -> QuerySet[ClaimCode]:
    return (
        ClaimCode.objects.filter(badge_class__organisation=organisation)
        .select_related("badge_class", "created_by")
        .order_by("-created_at")
    )


def claim_code_state(claim_code: ClaimCode) -> str:
    """One word for the staff list: working, used up, expired or switched off."""
    refusal = _refusal(claim_code, now=timezone.now())
    return {
        None: "working",
        errors.CLAIM_CODE_REVOKED: "switched off",
        errors.CLAIM_CODE_USED_UP: "used up",
        errors.CLAIM_BADGE_ARCHIVED: "badge archived",
    }.get(refusal, "expired")


def access_claim_code_public(*, code: str) -> ClaimCode:
    """The code behind a poster's QR link, whatever its state (the page explains), or 404."""
    claim = (
        ClaimCode.objects.select_related("badge_class__organisation__city")
        .filter(code=claim_code_normalise(code))
        .first()
    )
    if claim is None:
        raise Http404("No such claim code.")
    return claim


def access_claim_code_for_staff(*, organisation: Organisation, code: str) -> ClaimCode:
    """A code of ``organisation``, or 404. Call it only after the caller has passed
    ``access_organisation_for_staff``."""
    claim = (
        ClaimCode.objects.select_related("badge_class__organisation__city")
        .filter(badge_class__organisation=organisation, code=claim_code_normalise(code))
        .first()
    )
    if claim is None:
        raise Http404("No such claim code.")
    return claim
