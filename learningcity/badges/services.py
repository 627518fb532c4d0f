"""Writes about badges: issuers and their keys, status lists, issuing and revoking awards.

Every award goes through :func:`award_issue`; every revocation through :func:`award_revoke`.
Signing happens here, once, at issue: the stored credential's bytes never change afterwards,
and revocation only flips the award's bit in its issuer's status list (which is re-signed).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import json
import secrets
import uuid
from collections.abc import Sequence
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.accounts.selectors import user_for_email
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials import data_integrity, documents, keys, vcjwt
from learningcity.credentials import status_list as bitstring
from learningcity.organisations.models import Organisation

from . import publishing
from .delivery import award_delivery_queue
from .models import Award, BadgeClass, Endorsement, Issuer, IssuerKey, StatusList


def _key_secret() -> bytes:
    return settings.CREDENTIAL_KEY_SECRET.encode()


@transaction.atomic
def issuer_key_create(*, issuer: Issuer, kind: str) -> IssuerKey:
    """Make a new active key of ``kind`` for ``issuer``, retiring the current one (rotation).

    The retired key stays published (DID document, JWK Set) so that everything it signed
    still verifies.
    """
    IssuerKey.objects.select_for_update().filter(
        issuer=issuer, kind=kind, retired_at__isnull=True
    ).update(retired_at=timezone.now())
    if kind == IssuerKey.Kind.ED25519:
        private_ed = keys.ed25519_generate()
        key_id = keys.ed25519_public_key_to_multibase(private_ed.public_key())
        public = key_id
        blob = keys.private_key_encrypt(private_ed, secret=_key_secret())
    elif kind == IssuerKey.Kind.RSA:
        private_rsa = keys.rsa_generate()
        key_id = "rsa-" + secrets.token_hex(8)
        public = json.dumps(keys.rsa_public_jwk(private_rsa.public_key(), kid=key_id))
        blob = keys.private_key_encrypt(private_rsa, secret=_key_secret())
    else:
        raise ValueError(f"unknown key kind {kind!r}")
    return IssuerKey.objects.create(
        issuer=issuer, kind=kind, key_id=key_id, public_key=public, private_key_encrypted=blob
    )


def issuer_key_rotate(*, issuer: Issuer) -> tuple[IssuerKey, IssuerKey]:
    """Replace both of an issuer's signing keys. Old credentials keep verifying."""
    return (
        issuer_key_create(issuer=issuer, kind=IssuerKey.Kind.ED25519),
        issuer_key_create(issuer=issuer, kind=IssuerKey.Kind.RSA),
    )


@transaction.atomic
def issuer_ensure(*, organisation: Organisation | None = None, city: City | None = None) -> Issuer:
    """The issuer of an organisation or city, created with its keys on first use."""
    if (organisation is None) == (city is None):
        raise ValueError("give exactly one of organisation and city")
    issuer, created = Issuer.objects.get_or_create(organisation=organisation, city=city)
    if created:
        issuer_key_rotate(issuer=issuer)
    return issuer


def issuer_active_key(*, issuer: Issuer, kind: str) -> IssuerKey:
    return IssuerKey.objects.get(issuer=issuer, kind=kind, retired_at__isnull=True)


def _private_key(key: IssuerKey) -> object:
    return keys.private_key_decrypt(bytes(key.private_key_encrypted), secret=_key_secret())


def status_list_sign(*, status_list: StatusList) -> StatusList:
    """(Re-)sign the status list credential from its current bits. Caller holds the row lock."""
    issuer = status_list.issuer
    key = issuer_active_key(issuer=issuer, kind=IssuerKey.Kind.ED25519)
    now = timezone.now()
    unsigned = documents.bitstring_status_list_credential(
        id=publishing.status_list_url(status_list),
        issuer_id=publishing.issuer_did(issuer),
        encoded_list=bitstring.encode(bytes(status_list.bits)),
        status_purpose=status_list.purpose,
        valid_from=now,
    )
    status_list.credential = data_integrity.sign(
        unsigned,
        private_key=cast(Ed25519PrivateKey, _private_key(key)),
        verification_method=publishing.verification_method(issuer, key),
        created=now,
    )
    status_list.save(update_fields=["credential", "bits", "next_index", "updated_at"])
    return status_list


@transaction.atomic
def status_list_allocate(*, issuer: Issuer) -> tuple[StatusList, int]:
    """Take the next free bit of the issuer's current status list (a new list when full)."""
    current = (
        StatusList.objects.select_for_update()
        .filter(issuer=issuer, purpose="revocation")
        .order_by("-created_at")
        .first()
    )
    if current is None or current.is_full:
        current = StatusList.objects.create(
            issuer=issuer, bits=bytes(StatusList.LENGTH // 8), next_index=0
        )
        status_list_sign(status_list=current)
        current = StatusList.objects.select_for_update().get(pk=current.pk)
    index = current.next_index
    current.next_index = index + 1
    current.save(update_fields=["next_index", "updated_at"])
    return current, index


def _add_months(value: datetime.datetime, months: int) -> datetime.datetime:
    """``value`` plus whole calendar months; the 31st becomes the month's last day."""
    month_index = value.month - 1 + months
    year, month = value.year + month_index // 12, month_index % 12 + 1
    return value.replace(
        year=year, month=month, day=min(value.day, calendar.monthrange(year, month)[1])
    )


@dataclasses.dataclass(frozen=True)
class AwardEvidence:
    """What the learner did, as the issuer records it: a narrative, a link, or both."""

    narrative: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        if not (self.narrative.strip() or self.url.strip()):
            raise ValueError("evidence needs a narrative or a URL")

    def as_json(self) -> dict[str, str]:
        return {"narrative": self.narrative.strip(), "url": self.url.strip()}

    def as_document(self) -> documents.Evidence:
        return documents.Evidence(
            id=self.url.strip() or None, narrative=self.narrative.strip() or None
        )


@transaction.atomic
def award_issue(
    *,
    badge_class: BadgeClass,
    recipient_email: str,
    issued_by: User | None,
    recipient_name: str = "",
    issued_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
    evidence: Sequence[AwardEvidence] = (),
    notify: bool = True,
) -> Award:
    """Give ``badge_class`` to the person at ``recipient_email`` and sign its credentials.

    ``notify=False`` skips the award email (the demo loader, which must not send a hundred).

    The award lands on whichever account has verified that address, now or later (see
    :func:`awards_attach_for_email`). Refuses a second live award of the same badge class to the
    same address; a revoked or expired one may be re-issued (an expired one is then marked
    replaced). ``expires_at`` defaults to ``issued_at`` plus the badge class's expiry period.
    """
    recipient_email = recipient_email.strip().lower()
    issued_at = issued_at or timezone.now()
    current = (
        Award.objects.select_for_update()
        .filter(
            badge_class=badge_class,
            recipient_email=recipient_email,
            revoked_at__isnull=True,
            replaced_at__isnull=True,
        )
        .first()
    )
    if current is not None:
        if not current.is_expired:
            raise ServiceError(errors.AWARD_ALREADY_HELD.format(email=recipient_email))
        current.replaced_at = timezone.now()
        current.save(update_fields=["replaced_at", "updated_at"])
    if expires_at is None:
        months = getattr(badge_class, "expiry_months", None)
        if months:
            expires_at = _add_months(issued_at, months)
    issuer = issuer_ensure(organisation=badge_class.organisation)
    status, index = status_list_allocate(issuer=issuer)
    award = Award(
        badge_class=badge_class,
        recipient_email=recipient_email,
        recipient=user_for_email(email=recipient_email),
        recipient_name=recipient_name,
        salt=secrets.token_hex(16),
        issued_at=issued_at,
        expires_at=expires_at,
        issued_by=issued_by,
        status_list=status,
        status_index=index,
        evidence=[item.as_json() for item in evidence],
    )
    unsigned = documents.open_badge_credential(
        id=publishing.award_credential_id(award),
        issuer=publishing.issuer_profile(issuer),
        achievement=publishing.achievement(badge_class, issuer),
        recipient=documents.recipient_for_email(recipient_email, salt=award.salt),
        valid_from=issued_at,
        valid_until=expires_at,
        name=badge_class.name,
        description=badge_class.description,
        image=publishing.badge_class_image_url(badge_class),
        status=documents.StatusEntry(
            id=f"{publishing.status_list_url(status)}#{index}",
            status_list_credential=publishing.status_list_url(status),
            status_list_index=index,
        ),
        evidence=[item.as_document() for item in evidence],
    )
    ed_key = issuer_active_key(issuer=issuer, kind=IssuerKey.Kind.ED25519)
    award.ob3_credential = data_integrity.sign(
        unsigned,
        private_key=cast(Ed25519PrivateKey, _private_key(ed_key)),
        verification_method=publishing.verification_method(issuer, ed_key),
        created=issued_at,
    )
    rsa_key = issuer_active_key(issuer=issuer, kind=IssuerKey.Kind.RSA)
    award.ob3_jwt = vcjwt.sign_vc_jwt(
        unsigned,
        private_key=cast(RSAPrivateKey, _private_key(rsa_key)),
        kid=publishing.jwt_kid(issuer, rsa_key),
    )
    award.save()
    if notify:
        award_delivery_queue(award=award)  # the email goes out after commit
    return award


@transaction.atomic
def award_revoke(*, award: Award, by: User | None, reason: str) -> Award:
    """Revoke an award: its status bit is set and the status list re-signed at once; its OB 2.0
    assertion answers 410 Gone and appears in the issuer's revocation list."""
    reason = reason.strip()
    if not reason:
        raise ServiceError(errors.AWARD_REVOKE_REASON_REQUIRED, field="reason")
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.revoked_at is not None:
        raise ServiceError(errors.AWARD_ALREADY_REVOKED)
    locked_list = StatusList.objects.select_for_update().get(pk=award.status_list_id)
    bits = bytearray(locked_list.bits)
    bitstring.set_bit(bits, award.status_index)
    locked_list.bits = bytes(bits)
    status_list_sign(status_list=locked_list)
    award.revoked_at = timezone.now()
    award.revocation_reason = reason
    award.save(update_fields=["revoked_at", "revocation_reason", "updated_at"])
    return award


def awards_attach_for_email(*, user: User, email: str) -> int:
    """Give ``user`` the awards sent to ``email`` before any account had verified it.

    Precondition: ``user`` has just verified ``email`` (allauth's ``email_confirmed``). Awards
    already on an account are left alone. Returns how many were attached.
    """
    return Award.objects.filter(
        recipient__isnull=True, recipient_email=email.strip().lower()
    ).update(recipient=user, updated_at=timezone.now())


@transaction.atomic
def badge_class_endorse(
    *, badge_class: BadgeClass, city: City, by: User | None, comment: str
) -> Endorsement:
    """The city signs an EndorsementCredential for ``badge_class`` with its own issuer key."""
    comment = comment.strip()
    if not comment:
        raise ServiceError(errors.ENDORSEMENT_COMMENT_REQUIRED, field="comment")
    if badge_class.organisation.city_id != city.pk:
        raise ServiceError(errors.ENDORSEMENT_OTHER_CITY)
    endorser = issuer_ensure(city=city)
    endorsement = Endorsement(
        badge_class=badge_class, endorser=endorser, comment=comment, endorsed_by=by
    )
    now = timezone.now()
    unsigned = documents.endorsement_credential(
        id=publishing.absolute(endorsement.get_absolute_url()),
        issuer=publishing.issuer_profile(endorser),
        endorsed_id=publishing.badge_class_url(badge_class),
        comment=comment,
        valid_from=now,
        name=f"{city.name} endorses {badge_class.name}",
    )
    key = issuer_active_key(issuer=endorser, kind=IssuerKey.Kind.ED25519)
    endorsement.credential = data_integrity.sign(
        unsigned,
        private_key=cast(Ed25519PrivateKey, _private_key(key)),
        verification_method=publishing.verification_method(endorser, key),
        created=now,
    )
    endorsement.save()
    return endorsement


def learner_clr(*, user: User, city: City) -> dict[str, object]:
    """A CLR 2.0 ``ClrCredential`` of everything ``user`` holds, signed by ``city``'s issuer.

    Revoked awards are left out; each included credential keeps its own issuer's proof.
    """
    awards = list(
        Award.objects.filter(recipient=user, revoked_at__isnull=True).order_by("issued_at")
    )
    issuer = issuer_ensure(city=city)
    now = timezone.now()
    salt = secrets.token_hex(16)
    unsigned = documents.clr_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer=publishing.issuer_profile(issuer),
        learner=documents.recipient_for_email(user.email, salt=salt),
        credentials=[award.ob3_credential for award in awards],
        valid_from=now,
        name=f"Learning record of {user.display_name or 'a learner'} in {city.name}",
    )
    key = issuer_active_key(issuer=issuer, kind=IssuerKey.Kind.ED25519)
    return data_integrity.sign(
        unsigned,
        private_key=cast(Ed25519PrivateKey, _private_key(key)),
        verification_method=publishing.verification_method(issuer, key),
        created=now,
    )
