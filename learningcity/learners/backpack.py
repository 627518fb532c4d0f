"""Badges from elsewhere in a learner's backpack: importing, re-checking, removing.

Every import goes through the one verifier (``verification.services.badge_check``), and what was
given is kept (``ImportedBadge.original``, the baked image in ``image``) so the check can be
repeated: a later revocation by the issuer shows on the next re-check.

Which verdicts are accepted: a badge whose issuer and signature were confirmed — ``valid``, and
also ``expired``, ``not_yet_valid`` and ``status_unknown`` (genuine, but not current, or its
revocation list could not be reached; the backpack says so and re-checks it). Everything else is
refused with the verifier's reasons: ``malformed``, ``tampered``, ``unsupported``, ``error``,
``unknown_issuer`` — and ``revoked``, since an issuer has withdrawn it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials import baking
from learningcity.credentials.fetch import Fetcher
from learningcity.credentials.verify import Status, Verdict
from learningcity.verification.services import badge_check

from .models import ImportedBadge, ImportSource
from .selectors import award_here_on_account
from .signals import badge_imported_send

#: Verdicts under which a badge may come into a backpack (see the module docstring).
ACCEPTED_STATUSES = frozenset(
    {Status.VALID, Status.EXPIRED, Status.NOT_YET_VALID, Status.STATUS_UNKNOWN}
)
#: The most a badge file or pasted badge may be: the same limit as the public checker.
MAX_IMPORT_BYTES = 2_000_000
MAX_IMPORT_LABEL = "2 MB"

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_NAME_FALLBACK = "Untitled badge"


# --- reading what the verifier found ---------------------------------------------------------


def _reasons(verdict: Verdict) -> list[str]:
    return [reason.message for reason in verdict.reasons]


def _refusal(verdict: Verdict) -> str:
    reasons = " ".join(_reasons(verdict)) or ""
    return errors.BACKPACK_IMPORT_REFUSED.format(headline=verdict.headline, reasons=reasons).strip()


def _when(value: Any) -> datetime.datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = parse_datetime(value)
    except ValueError:
        return None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, datetime.UTC)
    return parsed


def _id_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str):
        return str(value["id"])
    return ""


def _achievement_id(credential: Mapping[str, Any] | None) -> str:
    """The id of what was achieved: OB 3.0 ``credentialSubject.achievement.id``, or the OB 2.0
    assertion's ``badge`` (its BadgeClass URL). Pathways match imported badges on it."""
    if not isinstance(credential, Mapping):
        return ""
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    if isinstance(subject, Mapping):
        found = _id_of(subject.get("achievement"))
        if found:
            return found
    return _id_of(credential.get("badge"))


def _credential_id(credential: Mapping[str, Any] | None) -> str:
    return _id_of(credential.get("id")) if isinstance(credential, Mapping) else ""


def _fingerprint(verdict: Verdict, original: str) -> str:
    """One copy per credential per learner: the credential's id when it has one (the same badge
    pasted as JSON and uploaded as an image is the same badge), else its content."""
    credential_id = _credential_id(verdict.credential)
    if credential_id:
        basis = "id:" + credential_id
    elif verdict.credential is not None:
        basis = "doc:" + json.dumps(verdict.credential, sort_keys=True, separators=(",", ":"))
    else:
        basis = "text:" + original
    return hashlib.sha256(basis.encode("utf-8", "surrogatepass")).hexdigest()


def _summary_fields(verdict: Verdict) -> dict[str, Any]:
    """The ImportedBadge fields copied out of what the credential says."""
    summary = verdict.summary
    issuer = summary.get("issuer") or {}
    criteria = summary.get("criteria") or {}
    image = summary.get("image") or ""
    skills = [
        {
            "name": skill.get("name") or "",
            "url": skill.get("url") or "",
            "framework": skill.get("framework") or "",
            "code": skill.get("code") or "",
        }
        for skill in summary.get("skills") or []
        if skill.get("name")
    ]
    return {
        "format": verdict.format.value if verdict.format else "",
        "status": verdict.status.value,
        "reasons": _reasons(verdict),
        "checked_at": timezone.now(),
        "name": (summary.get("name") or _NAME_FALLBACK)[:300],
        "description": summary.get("description") or "",
        "criteria": criteria.get("narrative") or criteria.get("url") or "",
        "issuer_name": (verdict.issuer_known or issuer.get("name") or "")[:300],
        "issuer_id": (verdict.issuer_id or issuer.get("id") or "")[:2000],
        "issuer_confirmed": verdict.issuer_confirmed,
        "achievement_id": _achievement_id(verdict.credential)[:2000],
        # Long data: URLs are not kept (the baked image, when there is one, is kept instead).
        "image_url": image if len(image) <= 2000 else "",
        "issued_at": _when(summary.get("issued")),
        "expires_at": _when(summary.get("expires")),
        "skills": skills,
        "level": (summary.get("level") or "")[:40],
    }


def _unbaked(data: bytes) -> tuple[str, str]:
    """``(credential text, image extension)`` of a baked PNG or SVG; ``("", "")`` otherwise.
    Only called after the verifier has read the same bytes, so errors are not expected."""
    try:
        if data.startswith(_PNG_SIGNATURE):
            found, extension = baking.unbake_png(data), "png"
        elif data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            found, extension = baking.unbake_svg(data), "svg"
        else:
            return "", ""
    except baking.BakingError:
        return "", ""
    value = found.get(baking.OB3_KEYWORD) or found.get(baking.OB2_KEYWORD) or ""
    return value.strip(), extension


def _as_text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.strip()
    return data.decode("utf-8", "replace").lstrip("\ufeff").strip()


# --- services --------------------------------------------------------------------------------


def imported_badge_add(
    *,
    owner: User,
    source: str,
    data: bytes | str,
    filename: str = "",
    fetcher: Fetcher | None = None,
) -> ImportedBadge:
    """Verify a badge from elsewhere and keep it in ``owner``'s backpack.

    ``source`` is an :class:`ImportSource`: ``FILE`` (``data`` is the file's bytes: a baked PNG
    or SVG, or a JSON/JWT file), ``URL`` (``data`` is the link) or ``TEXT`` (pasted JSON or JWT).
    Raises :class:`ServiceError` with a readable message when the badge is refused: the
    verifier's reasons, a duplicate, or one of this site's awards already on the account.
    ``filename`` is informational only: the file's content, never its name, decides its type.
    ``badge_imported`` is sent after commit when the badge is valid. ``fetcher`` is for
    callers without the network (see ``verification.services.badge_check``).
    """
    if source not in ImportSource.values:
        raise ValueError(f"unknown import source {source!r}")
    if not data or (isinstance(data, str) and not data.strip()):
        raise ServiceError(errors.BACKPACK_NOTHING_GIVEN)
    size = len(data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data)
    if size > MAX_IMPORT_BYTES:
        raise ServiceError(errors.BACKPACK_UPLOAD_TOO_LARGE.format(limit=MAX_IMPORT_LABEL))

    checked: bytes | str = data.strip() if isinstance(data, str) else data
    verdict = badge_check(source=checked, fetcher=fetcher)
    if verdict.status not in ACCEPTED_STATUSES:
        raise ServiceError(_refusal(verdict))

    image: ContentFile[bytes] | None = None
    source_url = ""
    if source == ImportSource.URL:
        source_url = _as_text(data)
        # Kept for the learner's own records and exports; re-checks fetch the link again.
        original = json.dumps(verdict.credential, ensure_ascii=False) if verdict.credential else ""
    elif source == ImportSource.FILE and isinstance(data, bytes):
        original, extension = _unbaked(data)
        if extension:
            image = ContentFile(data, name=f"badge.{extension}")
        else:
            original = _as_text(data)
    else:
        original = _as_text(data)

    fingerprint = _fingerprint(verdict, original)
    existing = ImportedBadge.objects.filter(owner=owner, fingerprint=fingerprint).first()
    if existing is not None:
        raise ServiceError(
            errors.BACKPACK_IMPORT_DUPLICATE.format(date=date_format(existing.created_at))
        )
    if award_here_on_account(user=owner, credential_id=_credential_id(verdict.credential)):
        raise ServiceError(errors.BACKPACK_IMPORT_OWN_AWARD)

    imported = ImportedBadge(
        owner=owner,
        source=source,
        source_url=source_url[:2000],
        original=original,
        fingerprint=fingerprint,
        **_summary_fields(verdict),
    )
    try:
        with transaction.atomic():
            if image is not None:
                imported.image.save(image.name or "badge", image, save=False)
            imported.save()
    except IntegrityError:
        # The same badge imported twice at once: the constraint keeps one.
        raise ServiceError(
            errors.BACKPACK_IMPORT_DUPLICATE.format(date=date_format(timezone.now()))
        ) from None
    if imported.is_valid:
        owner_id = owner.pk
        transaction.on_commit(lambda: badge_imported_send(user_id=owner_id))
    return imported


def imported_badge_recheck(
    *, imported: ImportedBadge, fetcher: Fetcher | None = None
) -> ImportedBadge:
    """Check an imported badge again — its link when it came from one, else the kept original
    — and record the outcome, so a revocation or expiry since the import shows. What the badge
    says is refreshed only while it still verifies (a tampered copy must not rename it)."""
    if imported.source == ImportSource.URL and imported.source_url:
        verdict = badge_check(source=imported.source_url, fetcher=fetcher)
    elif imported.original:
        verdict = badge_check(source=imported.original, fetcher=fetcher)
    elif imported.image:
        with imported.image.open("rb") as handle:
            verdict = badge_check(source=handle.read(), fetcher=fetcher)
    else:
        verdict = badge_check(source="", fetcher=fetcher)
    was_valid = imported.is_valid
    update = {
        "status": verdict.status.value,
        "reasons": _reasons(verdict),
        "checked_at": timezone.now(),
        "issuer_confirmed": verdict.issuer_confirmed,
    }
    if verdict.status in ACCEPTED_STATUSES:
        fields = _summary_fields(verdict)
        for name in ("expires_at", "issuer_name", "image_url", "skills", "level", "format"):
            if fields[name] not in ("", None, []):
                update[name] = fields[name]
    for name, value in update.items():
        setattr(imported, name, value)
    imported.save(update_fields=[*update, "updated_at"])
    if imported.is_valid and not was_valid:
        owner_id = imported.owner_id
        transaction.on_commit(lambda: badge_imported_send(user_id=owner_id))
    return imported


def imported_badge_delete(*, imported: ImportedBadge) -> None:
    """Remove an imported badge from its owner's backpack (and from their collections)."""
    image = imported.image.name if imported.image else ""
    storage = imported.image.storage if imported.image else None
    imported.delete()
    if image and storage is not None:
        transaction.on_commit(lambda: storage.delete(image))
