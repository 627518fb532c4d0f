"""Writes about badges: issuers and their keys, status lists, issuing and revoking awards.

Every award goes through :func:`award_issue`; every revocation through :func:`award_revoke`.
Signing happens here, once, at issue: the stored credential's bytes never change afterwards,
and revocation only flips the award's bit in its issuer's status list (which is re-signed).
"""

from __future__ import annotations

import calendar
import contextlib
import dataclasses
import datetime
import json
import secrets
import uuid
from collections.abc import Iterable, Iterator, Sequence
from functools import partial
from typing import cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.accounts.selectors import user_for_email, users_for_emails
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials import data_integrity, documents, keys, vcjwt
from learningcity.credentials import status_list as bitstring
from learningcity.organisations.models import Organisation

from . import publishing
from .delivery import award_deliveries_queue_new, award_delivery_queue
from .models import Award, BadgeClass, Endorsement, Issuer, IssuerKey, StatusList
from .signals import award_landed_send


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


def _status_list_current_locked(*, issuer: Issuer) -> StatusList:
    """The issuer's current revocation list, locked until the transaction ends; a new one,
    signed, when there is none or it is full."""
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
    current.issuer = issuer  # the same row: spares a query for its URL
    return current


@transaction.atomic
def status_list_allocate(*, issuer: Issuer) -> tuple[StatusList, int]:
    """Take the next free bit of the issuer's current status list (a new list when full)."""
    current = _status_list_current_locked(issuer=issuer)
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


# --- Issuing -------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Signer:
    """An issuer ready to sign: its OB 3.0 profile and its active keys, decrypted."""

    issuer: Issuer
    profile: documents.Issuer
    ed25519: Ed25519PrivateKey
    verification_method: str
    rsa: RSAPrivateKey
    kid: str


def _signer(issuer: Issuer, *, private_keys: dict[int, object] | None = None) -> _Signer:
    """``issuer``'s active keys (one query) and profile. ``private_keys`` keeps decrypted keys
    by id for the next call (a run of awards); without it each call decrypts."""
    active = {
        key.kind: key
        for key in IssuerKey.objects.filter(
            issuer=issuer,
            retired_at__isnull=True,
            kind__in=[IssuerKey.Kind.ED25519, IssuerKey.Kind.RSA],
        )
    }
    # One active key per kind is a database constraint; a missing one fails as it always did.
    ed_key = active.get(IssuerKey.Kind.ED25519) or issuer_active_key(
        issuer=issuer, kind=IssuerKey.Kind.ED25519
    )
    rsa_key = active.get(IssuerKey.Kind.RSA) or issuer_active_key(
        issuer=issuer, kind=IssuerKey.Kind.RSA
    )
    decrypted = private_keys if private_keys is not None else {}
    for key in (ed_key, rsa_key):
        if key.pk not in decrypted:
            decrypted[key.pk] = _private_key(key)
    return _Signer(
        issuer=issuer,
        profile=publishing.issuer_profile(issuer),
        ed25519=cast(Ed25519PrivateKey, decrypted[ed_key.pk]),
        verification_method=publishing.verification_method(issuer, ed_key),
        rsa=cast(RSAPrivateKey, decrypted[rsa_key.pk]),
        kid=publishing.jwt_kid(issuer, rsa_key),
    )


def _issuer_for(badge_class: BadgeClass) -> Issuer:
    organisation = badge_class.organisation
    issuer = issuer_ensure(organisation=organisation)
    issuer.organisation = organisation  # the same row: spares a query for the profile
    return issuer


def _award_current_locked(*, badge_class: BadgeClass, recipient_email: str) -> Award | None:
    """The live (not revoked, not replaced) award of ``badge_class`` to the address, locked."""
    return (
        Award.objects.select_for_update()
        .filter(
            badge_class=badge_class,
            recipient_email=recipient_email,
            revoked_at__isnull=True,
            replaced_at__isnull=True,
        )
        .first()
    )


@dataclasses.dataclass
class _StatusBlock:
    """Bits ``next``…``end - 1`` of ``status_list``, taken for this batch's awards."""

    status_list: StatusList
    url: str
    next: int
    end: int


# Addresses per query when a batch reads accounts (SQLite parses an ``OR`` chain as a tree as
# deep as the chain) and awards.
_ACCOUNTS_PER_QUERY = 100
_AWARDS_PER_QUERY = 500


class AwardIssueCache:
    """What one award shares with the next in a run of many (a bulk issue), read once.

    Give it to :func:`award_issue` as ``cache``, inside :meth:`batch` (one transaction)::

        cache = AwardIssueCache()
        with transaction.atomic(), cache.batch(awards=[(badge_class, email), ...]):
            for ...:
                award_issue(..., cache=cache)

    Read once per batch, with one query each, and dropped when the batch ends: the issuer with
    its active keys and profile; each badge class's achievement; the accounts that have
    verified the batch's addresses and the live awards they already hold (locked, as
    :func:`award_issue` locks them one at a time); and a block of status-list bits, one per
    award, taken under the list's lock (the bits left over go back at the end of the batch).
    The awards' delivery rows are made together as the batch ends, still in its transaction, so
    an award never commits without one.
    Kept for the whole run: the decrypted private keys. Nothing else outlives its transaction,
    so a key rotated, an address verified or an award issued between batches is seen by the
    next one; an award it was not told about is looked up as without a cache.
    """

    def __init__(self) -> None:
        self._private_keys: dict[int, object] = {}
        self._open = False
        self._clear()

    def _clear(self) -> None:
        self._signers: dict[int, _Signer] = {}  # by organisation id
        self._achievements: dict[int, documents.Achievement] = {}  # by badge class id
        self._blocks: dict[int, _StatusBlock] = {}  # by issuer id
        self._accounts: dict[str, User | None] = {}  # by lower-case address
        self._current: dict[tuple[int, str], Award | None] = {}  # by (badge class id, address)
        self._to_notify: list[Award] = []
        self._landed: list[Award] = []  # issued to an account: award_landed, once per account

    @contextlib.contextmanager
    def batch(self, *, awards: Iterable[tuple[BadgeClass, str]]) -> Iterator[AwardIssueCache]:
        """Read what issuing ``awards`` (badge class, address) in this transaction needs."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("AwardIssueCache.batch() runs inside transaction.atomic()")
        if self._open:
            raise RuntimeError("AwardIssueCache batches do not nest")
        planned = [(badge_class, email.strip().lower()) for badge_class, email in awards]
        self._open = True
        try:
            self._read(planned)
            yield self
            self._give_back_unused_bits()
            self._queue_deliveries()
            self._send_landed()
        finally:
            self._open = False
            self._clear()

    def _read(self, planned: list[tuple[BadgeClass, str]]) -> None:
        per_issuer: dict[int, tuple[Issuer, int]] = {}
        for badge_class, _ in planned:
            signer = self.signer(badge_class)
            issuer, count = per_issuer.get(signer.issuer.pk, (signer.issuer, 0))
            per_issuer[issuer.pk] = (issuer, count + 1)
        self._read_current_awards(planned)
        for issuer, count in per_issuer.values():
            self._take_bits(issuer, count)
        self._read_accounts({email for _, email in planned})

    def _read_current_awards(self, planned: list[tuple[BadgeClass, str]]) -> None:
        wanted = {(badge_class.pk, email) for badge_class, email in planned}
        badge_class_ids = {badge_class_id for badge_class_id, _ in wanted}
        emails = sorted({email for _, email in wanted})
        self._current = dict.fromkeys(wanted)
        for start in range(0, len(emails), _AWARDS_PER_QUERY):
            for award in Award.objects.select_for_update().filter(
                badge_class_id__in=badge_class_ids,
                recipient_email__in=emails[start : start + _AWARDS_PER_QUERY],
                revoked_at__isnull=True,
                replaced_at__isnull=True,
            ):
                key = (award.badge_class_id, award.recipient_email)
                if key in self._current:
                    self._current[key] = award

    def _take_bits(self, issuer: Issuer, count: int) -> None:
        status_list = _status_list_current_locked(issuer=issuer)
        start = status_list.next_index
        end = min(start + count, StatusList.LENGTH)
        status_list.next_index = end
        status_list.save(update_fields=["next_index", "updated_at"])
        self._blocks[issuer.pk] = _StatusBlock(
            status_list=status_list,
            url=publishing.status_list_url(status_list),
            next=start,
            end=end,
        )

    def _give_back_unused_bits(self) -> None:
        """Awards planned but not issued (refused) leave their bits to the next award. The list
        is still locked by this transaction, so nobody has taken a bit after the block."""
        for block in self._blocks.values():
            if block.next < block.end:
                StatusList.objects.filter(pk=block.status_list.pk, next_index=block.end).update(
                    next_index=block.next, updated_at=timezone.now()
                )

    def landed(self, award: Award) -> None:
        """``award`` went to an account: ``award_landed`` is sent for it with the batch."""
        self._landed.append(award)

    def _send_landed(self) -> None:
        """``award_landed`` after commit, once per account with all its awards of the batch
        (one pathways check per learner, not per award) — for the awards not undone since."""
        if not self._landed:
            return
        kept = set(
            Award.objects.filter(pk__in=[award.pk for award in self._landed]).values_list(
                "pk", "public_id"
            )
        )
        by_account: dict[int, list[int]] = {}
        for award in self._landed:
            if (award.pk, award.public_id) in kept and award.recipient_id is not None:
                by_account.setdefault(award.recipient_id, []).append(award.pk)
        for user_id, award_ids in by_account.items():
            transaction.on_commit(partial(award_landed_send, user_id=user_id, award_ids=award_ids))

    def _queue_deliveries(self) -> None:
        """The delivery rows (and emails after commit) of the batch's awards, in one query. An
        award undone since (its caller's savepoint rolled back; its id may have been given to
        another since) gets none."""
        if not self._to_notify:
            return
        kept = set(
            Award.objects.filter(pk__in=[award.pk for award in self._to_notify]).values_list(
                "pk", "public_id"
            )
        )
        award_deliveries_queue_new(
            awards=[award for award in self._to_notify if (award.pk, award.public_id) in kept]
        )

    def notify(self, award: Award) -> None:
        """Queue ``award``'s email with the batch's others when the batch ends."""
        self._to_notify.append(award)

    def _read_accounts(self, emails: set[str]) -> None:
        """The account of each address, as :func:`user_for_email` finds it, for many at once.

        Only ASCII addresses are read this way, where the database's case-insensitive match is
        plain ASCII case folding on every backend; any other address is looked up on its own.
        """
        ascii_emails = sorted(email for email in emails if email.isascii())
        for start in range(0, len(ascii_emails), _ACCOUNTS_PER_QUERY):
            found = users_for_emails(emails=ascii_emails[start : start + _ACCOUNTS_PER_QUERY])
            if found is not None:  # else: a case rule beyond ASCII; ask one by one
                self._accounts.update(found)

    def _check_open(self) -> None:
        if not self._open:
            raise RuntimeError("award_issue(cache=...) runs inside AwardIssueCache.batch()")

    def signer(self, badge_class: BadgeClass) -> _Signer:
        signer = self._signers.get(badge_class.organisation_id)
        if signer is None:
            signer = _signer(_issuer_for(badge_class), private_keys=self._private_keys)
            self._signers[badge_class.organisation_id] = signer
        return signer

    def achievement(self, badge_class: BadgeClass, signer: _Signer) -> documents.Achievement:
        achievement = self._achievements.get(badge_class.pk)
        if achievement is None:
            achievement = publishing.achievement(badge_class, signer.issuer, creator=signer.profile)
            self._achievements[badge_class.pk] = achievement
        return achievement

    def current_award(self, *, badge_class: BadgeClass, recipient_email: str) -> Award | None:
        key = (badge_class.pk, recipient_email)
        if key in self._current:
            return self._current[key]
        return _award_current_locked(badge_class=badge_class, recipient_email=recipient_email)

    def forget_current_award(self, *, badge_class: BadgeClass, recipient_email: str) -> None:
        """The live award of this pair changed: ask the database next time."""
        self._current.pop((badge_class.pk, recipient_email), None)

    def account(self, email: str) -> User | None:
        if email in self._accounts:
            return self._accounts[email]
        return user_for_email(email=email)

    def status_bit(self, issuer: Issuer) -> tuple[StatusList, str, int]:
        block = self._blocks.get(issuer.pk)
        if block is None or block.next >= block.end:
            status, index = status_list_allocate(issuer=issuer)
            return status, publishing.status_list_url(status), index
        index = block.next
        block.next += 1
        return block.status_list, block.url, index


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
    cache: AwardIssueCache | None = None,
) -> Award:
    """Give ``badge_class`` to the person at ``recipient_email`` and sign its credentials.

    ``notify=False`` skips the award email (the demo loader, which must not send a hundred).

    The award lands on whichever account has verified that address, now or later (see
    :func:`awards_attach_for_email`). Refuses a second live award of the same badge class to the
    same address; a revoked or expired one may be re-issued (an expired one is then marked
    replaced). ``expires_at`` defaults to ``issued_at`` plus the badge class's expiry period.

    ``cache`` (inside :meth:`AwardIssueCache.batch`) only makes a run of awards cheaper: the
    award, its credentials and its email are the same with it or without it. With it, the
    award is written in the batch's transaction without a savepoint of its own: a refusal
    (``ServiceError``) comes before any write and leaves that transaction usable, but after any
    other error the caller's own ``transaction.atomic()`` around the call must roll it back.
    """
    recipient_email = recipient_email.strip().lower()
    issued_at = issued_at or timezone.now()
    if cache is None:
        with transaction.atomic():
            current = _award_current_locked(
                badge_class=badge_class, recipient_email=recipient_email
            )
            _refuse_if_held(current, recipient_email=recipient_email)
            return _award_make(
                badge_class=badge_class,
                recipient_email=recipient_email,
                issued_by=issued_by,
                recipient_name=recipient_name,
                issued_at=issued_at,
                expires_at=expires_at,
                evidence=evidence,
                notify=notify,
                current=current,
                cache=None,
            )
    cache._check_open()
    current = cache.current_award(badge_class=badge_class, recipient_email=recipient_email)
    _refuse_if_held(current, recipient_email=recipient_email)
    with transaction.atomic(savepoint=False):
        return _award_make(
            badge_class=badge_class,
            recipient_email=recipient_email,
            issued_by=issued_by,
            recipient_name=recipient_name,
            issued_at=issued_at,
            expires_at=expires_at,
            evidence=evidence,
            notify=notify,
            current=current,
            cache=cache,
        )


def _refuse_if_held(current: Award | None, *, recipient_email: str) -> None:
    if current is not None and not current.is_expired:
        raise ServiceError(errors.AWARD_ALREADY_HELD.format(email=recipient_email))


def _award_make(
    *,
    badge_class: BadgeClass,
    recipient_email: str,
    issued_by: User | None,
    recipient_name: str,
    issued_at: datetime.datetime,
    expires_at: datetime.datetime | None,
    evidence: Sequence[AwardEvidence],
    notify: bool,
    current: Award | None,
    cache: AwardIssueCache | None,
) -> Award:
    """:func:`award_issue` once the address is known to hold no live award (``current`` is
    an expired one, or ``None``), inside its transaction."""
    if current is not None:
        current.replaced_at = timezone.now()
        current.save(update_fields=["replaced_at", "updated_at"])
    if expires_at is None:
        months = getattr(badge_class, "expiry_months", None)
        if months:
            expires_at = _add_months(issued_at, months)
    if cache is not None:
        signer = cache.signer(badge_class)
        achievement = cache.achievement(badge_class, signer)
        status, status_url, index = cache.status_bit(signer.issuer)
        recipient = cache.account(recipient_email)
    else:
        signer = _signer(_issuer_for(badge_class))
        achievement = publishing.achievement(badge_class, signer.issuer, creator=signer.profile)
        status, index = status_list_allocate(issuer=signer.issuer)
        status_url = publishing.status_list_url(status)
        recipient = user_for_email(email=recipient_email)
    award = Award(
        badge_class=badge_class,
        recipient_email=recipient_email,
        recipient=recipient,
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
        issuer=signer.profile,
        achievement=achievement,
        recipient=documents.recipient_for_email(recipient_email, salt=award.salt),
        valid_from=issued_at,
        valid_until=expires_at,
        name=badge_class.name,
        description=badge_class.description,
        image=publishing.badge_class_image_url(badge_class),
        status=documents.StatusEntry(
            id=f"{status_url}#{index}",
            status_list_credential=status_url,
            status_list_index=index,
        ),
        evidence=[item.as_document() for item in evidence],
    )
    award.ob3_credential = data_integrity.sign(
        unsigned,
        private_key=signer.ed25519,
        verification_method=signer.verification_method,
        created=issued_at,
    )
    award.ob3_jwt = vcjwt.sign_vc_jwt(unsigned, private_key=signer.rsa, kid=signer.kid)
    award.save()
    if award.recipient_id is not None and cache is not None:
        cache.landed(award)  # sent with the batch, once per account
    elif award.recipient_id is not None:
        transaction.on_commit(
            partial(award_landed_send, user_id=award.recipient_id, award_ids=[award.pk])
        )
    if cache is not None:
        cache.forget_current_award(badge_class=badge_class, recipient_email=recipient_email)
    if notify and cache is not None:
        cache.notify(award)  # its delivery row is made with the batch's others, before commit
    elif notify:
        award_delivery_queue(award=award, new=True)  # the email goes out after commit
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
    awards = Award.objects.filter(recipient__isnull=True, recipient_email=email.strip().lower())
    award_ids = list(awards.values_list("pk", flat=True))
    if not award_ids:
        return 0
    attached = Award.objects.filter(pk__in=award_ids, recipient__isnull=True).update(
        recipient=user, updated_at=timezone.now()
    )
    transaction.on_commit(partial(award_landed_send, user_id=user.pk, award_ids=award_ids))
    return attached


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
