"""Open Badges 2.0 hosted documents: Issuer Profile, BadgeClass, Assertion, RevocationList.

OB 2.0 badges are verified by fetching them (``verification.type`` ``hosted``): every document
must be served at exactly its ``id``, and an assertion's ``id`` must be on the issuer's origin
(OB 2.0 "Hosted Verification"; conformance kit "Issuer gotchas" #7). Builders return unsigned
JSON-ready dicts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .documents import Alignment, Evidence, email_identity_hash, xsd_datetime

__all__ = [
    "OB2_CONTEXT",
    "assertion",
    "badge_class",
    "hashed_email",
    "issuer_profile",
    "revocation_list",
    "revoked_assertion",
]

OB2_CONTEXT = "https://w3id.org/openbadges/v2"


def hashed_email(email: str, salt: str) -> str:
    """OB 2.0 IdentityHash of an email: ``"sha256$" + hex(sha256(email + salt))``.

    The email is stripped and lowercased first (the spec is silent; see
    :func:`learningcity.credentials.documents.email_identity_hash`, which this is).
    """
    return email_identity_hash(email, salt)


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    if value is not None and value != () and value != []:
        target[key] = value


def issuer_profile(
    *,
    id: str,
    name: str,
    url: str,
    email: str | None = None,
    description: str | None = None,
    image: str | None = None,
    revocation_list: str | None = None,
    public_key: str | None = None,
    allowed_origins: Sequence[str] = (),
) -> dict[str, Any]:
    """OB 2.0 ``Issuer`` (Profile). ``revocation_list`` and ``public_key`` are URLs of a
    :func:`revocation_list` and of a CryptographicKey document. ``allowed_origins`` widens the
    hosted-verification policy beyond the origin of ``id`` (OB 2.0 VerificationObject)."""
    profile: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Issuer",
        "id": id,
        "name": name,
        "url": url,
    }
    _put(profile, "email", email)
    _put(profile, "description", description)
    _put(profile, "image", image)
    _put(profile, "revocationList", revocation_list)
    _put(profile, "publicKey", public_key)
    if allowed_origins:
        profile["verification"] = {
            "type": "VerificationObject",
            "allowedOrigins": list(allowed_origins),
        }
    return profile


def _alignment(alignment: Alignment) -> dict[str, Any]:
    # OB 2.0 AlignmentObject (targetType is an OB 3.0 addition and is not emitted here).
    out: dict[str, Any] = {
        "targetName": alignment.target_name,
        "targetUrl": alignment.target_url,
    }
    _put(out, "targetDescription", alignment.target_description)
    _put(out, "targetFramework", alignment.target_framework)
    _put(out, "targetCode", alignment.target_code)
    return out


def badge_class(
    *,
    id: str,
    issuer_id: str,
    name: str,
    description: str,
    image: str,
    criteria_narrative: str,
    criteria_url: str | None = None,
    alignments: Sequence[Alignment] = (),
    tags: Sequence[str] = (),
) -> dict[str, Any]:
    """OB 2.0 ``BadgeClass``. ``image`` is a URL (or data URI) of a PNG or SVG; put the RSA
    level in ``tags`` with :func:`learningcity.credentials.documents.level_tag`, as OB 3.0
    does."""
    criteria: dict[str, Any] = {}
    _put(criteria, "id", criteria_url)
    criteria["narrative"] = criteria_narrative
    badge: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "BadgeClass",
        "id": id,
        "name": name,
        "description": description,
        "image": image,
        "criteria": criteria,
        "issuer": issuer_id,
    }
    _put(badge, "alignment", [_alignment(a) for a in alignments])
    _put(badge, "tags", list(tags))
    return badge


def _evidence(evidence: Evidence | str) -> dict[str, Any] | str:
    if isinstance(evidence, str):
        return evidence
    out: dict[str, Any] = {"type": "Evidence"}
    _put(out, "id", evidence.id)
    _put(out, "name", evidence.name)
    _put(out, "description", evidence.description)
    _put(out, "narrative", evidence.narrative)
    _put(out, "genre", evidence.genre)
    _put(out, "audience", evidence.audience)
    return out


def assertion(
    *,
    id: str,
    badge_class_id: str,
    recipient_hash: str,
    salt: str,
    issued_on: datetime,
    expires: datetime | None = None,
    evidence: Sequence[Evidence | str] = (),
    narrative: str | None = None,
    revoked: bool = False,
    revocation_reason: str | None = None,
    image: str | None = None,
) -> dict[str, Any]:
    """OB 2.0 hosted ``Assertion`` for a hashed-email recipient (from :func:`hashed_email`).

    A revoked assertion is better served as HTTP 410 with :func:`revoked_assertion`; this
    builder also marks ``revoked`` for callers that keep serving the full document.
    """
    if not recipient_hash.startswith("sha256$"):
        raise ValueError("recipient_hash must be a sha256 IdentityHash (see hashed_email)")
    if expires is not None and expires <= issued_on:
        raise ValueError("expires must be after issued_on")
    if revocation_reason and not revoked:
        raise ValueError("revocation_reason given for an assertion that is not revoked")
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": id,
        "recipient": {
            "type": "email",
            "hashed": True,
            "salt": salt,
            "identity": recipient_hash,
        },
        "badge": badge_class_id,
        "issuedOn": xsd_datetime(issued_on),
        "verification": {"type": "hosted"},
    }
    if expires is not None:
        document["expires"] = xsd_datetime(expires)
    _put(document, "evidence", [_evidence(e) for e in evidence])
    _put(document, "narrative", narrative)
    _put(document, "image", image)
    if revoked:
        document["revoked"] = True
        _put(document, "revocationReason", revocation_reason)
    return document


def revoked_assertion(*, id: str, revocation_reason: str | None = None) -> dict[str, Any]:
    """The body to serve with HTTP 410 Gone at a revoked assertion's URL (OB 2.0 "Hosted
    Verification": a revoked hosted assertion answers 410 with ``revoked: true``)."""
    document: dict[str, Any] = {
        "@context": OB2_CONTEXT,
        "type": "Assertion",
        "id": id,
        "revoked": True,
    }
    _put(document, "revocationReason", revocation_reason)
    return document


def revocation_list(
    *, id: str, issuer_id: str, revoked: Sequence[tuple[str, str | None]]
) -> dict[str, Any]:
    """OB 2.0 ``RevocationList``: ``revoked`` is ``[(assertion_id, reason or None), ...]``."""
    entries: list[dict[str, str]] = []
    for assertion_id, reason in revoked:
        entry = {"id": assertion_id}
        if reason:
            entry["revocationReason"] = reason
        entries.append(entry)
    return {
        "@context": OB2_CONTEXT,
        "type": "RevocationList",
        "id": id,
        "issuer": issuer_id,
        "revokedAssertions": entries,
    }
