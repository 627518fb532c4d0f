"""OB 3.0, endorsement, Bitstring Status List and CLR 2.0 credentials (unsigned)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .inputs import (
    _STATUS_PURPOSES,
    CLR_V2_CONTEXT,
    LEVEL_TAG_PREFIX,
    OB3_CONTEXT,
    OB3_CONTEXTS,
    VC_V2_CONTEXT,
    Achievement,
    Alignment,
    Evidence,
    Issuer,
    Recipient,
    StatusEntry,
    level_tag,
    xsd_datetime,
)


def _image(url: str, caption: str | None = None) -> dict[str, str]:
    image = {"id": url, "type": "Image"}
    if caption:
        image["caption"] = caption
    return image


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Add optional members only when present: OB 3.0 has no ``null`` values."""
    if value is not None and value != () and value != []:
        target[key] = value


def _profile(issuer: Issuer) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": issuer.id, "type": ["Profile"], "name": issuer.name}
    _put(profile, "url", issuer.url)
    _put(profile, "email", issuer.email)
    _put(profile, "description", issuer.description)
    if issuer.image:
        profile["image"] = _image(issuer.image)
    return profile


def _alignment(alignment: Alignment) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": ["Alignment"],
        "targetName": alignment.target_name,
        "targetUrl": alignment.target_url,
    }
    _put(out, "targetDescription", alignment.target_description)
    _put(out, "targetFramework", alignment.target_framework)
    _put(out, "targetCode", alignment.target_code)
    _put(out, "targetType", alignment.target_type)
    return out


def _achievement(achievement: Achievement) -> dict[str, Any]:
    criteria: dict[str, str] = {}
    _put(criteria, "id", achievement.criteria_id)
    _put(criteria, "narrative", achievement.criteria_narrative or None)
    out: dict[str, Any] = {
        "id": achievement.id,
        "type": ["Achievement"],
        "achievementType": achievement.achievement_type,
        "name": achievement.name,
        "description": achievement.description,
        "criteria": criteria,
    }
    if achievement.image_id:
        out["image"] = _image(achievement.image_id, achievement.image_caption)
    tags = list(achievement.tags)
    if achievement.level is not None:
        tags = [t for t in tags if not t.startswith(LEVEL_TAG_PREFIX)]
        tags.insert(0, level_tag(achievement.level))
    _put(out, "tag", tags)
    _put(out, "alignment", [_alignment(a) for a in achievement.alignments])
    if achievement.creator is not None:
        out["creator"] = _profile(achievement.creator)
    return out


def _identity_object(recipient: Recipient) -> dict[str, Any]:
    # OB 3.0 IdentityObject: a salted SHA-256 of the learner's email, never the email itself.
    return {
        "type": "IdentityObject",
        "identityHash": recipient.identity_hash,
        "identityType": "emailAddress",
        "hashed": True,
        "salt": recipient.salt,
    }


def _evidence(evidence: Evidence) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "id", evidence.id)
    out["type"] = ["Evidence"]
    _put(out, "name", evidence.name)
    _put(out, "description", evidence.description)
    _put(out, "narrative", evidence.narrative)
    _put(out, "genre", evidence.genre)
    _put(out, "audience", evidence.audience)
    return out


def _status(status: StatusEntry) -> dict[str, Any]:
    # Bitstring Status List v1.0 §2.1: statusListIndex is a string holding a decimal integer.
    return {
        "id": status.id,
        "type": "BitstringStatusListEntry",
        "statusPurpose": status.status_purpose,
        "statusListIndex": str(status.status_list_index),
        "statusListCredential": status.status_list_credential,
    }


def _check_validity(valid_from: datetime, valid_until: datetime | None) -> None:
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("valid_until must be after valid_from")


# --- credentials -------------------------------------------------------------------------------


def open_badge_credential(
    *,
    id: str,
    issuer: Issuer,
    achievement: Achievement,
    recipient: Recipient,
    valid_from: datetime,
    name: str,
    valid_until: datetime | None = None,
    description: str | None = None,
    image: str | None = None,
    status: StatusEntry | None = None,
    evidence: Sequence[Evidence] = (),
) -> dict[str, Any]:
    """An unsigned OB 3.0 ``OpenBadgeCredential`` (OB 3.0 data model "AchievementCredential").

    The subject carries an ``identifier`` (hashed email) and an ``id`` only when the recipient
    has one; a VC-JWT of it then has no ``sub`` (see :mod:`.vcjwt`).
    """
    _check_validity(valid_from, valid_until)
    subject: dict[str, Any] = {}
    _put(subject, "id", recipient.id)
    subject["type"] = ["AchievementSubject"]
    subject["identifier"] = [_identity_object(recipient)]
    subject["achievement"] = _achievement(achievement)

    credential: dict[str, Any] = {
        "@context": list(OB3_CONTEXTS),
        "id": id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": name,
    }
    _put(credential, "description", description)
    if image:
        credential["image"] = _image(image)
    credential["issuer"] = _profile(issuer)
    credential["validFrom"] = xsd_datetime(valid_from)
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    credential["credentialSubject"] = subject
    _put(credential, "evidence", [_evidence(e) for e in evidence])
    if status is not None:
        credential["credentialStatus"] = _status(status)
    return credential


def endorsement_credential(
    *,
    id: str,
    issuer: Issuer,
    endorsed_id: str,
    comment: str,
    valid_from: datetime,
    name: str | None = None,
    valid_until: datetime | None = None,
    status: StatusEntry | None = None,
) -> dict[str, Any]:
    """An unsigned OB 3.0 ``EndorsementCredential`` (OB 3.0 data model
    "EndorsementCredential", "EndorsementSubject"): ``issuer`` vouches for the
    achievement or profile ``endorsed_id``. ``name`` is required by OB 3.0; a default is made
    from the endorser's name."""
    _check_validity(valid_from, valid_until)
    credential: dict[str, Any] = {
        "@context": list(OB3_CONTEXTS),
        "id": id,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": name or f"Endorsement by {issuer.name}",
        "issuer": _profile(issuer),
        "validFrom": xsd_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": endorsed_id,
        "type": ["EndorsementSubject"],
        "endorsementComment": comment,
    }
    if status is not None:
        credential["credentialStatus"] = _status(status)
    return credential


def bitstring_status_list_credential(
    *,
    id: str,
    issuer_id: str,
    encoded_list: str,
    status_purpose: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` (Bitstring Status List v1.0 §2.2).

    ``encoded_list`` comes from :func:`learningcity.credentials.status_list.encode`. The VC 2.0
    context defines every term used here. It must be signed by the same issuer as the
    credentials that point at it (conformance kit "Issuer gotchas" #5).
    """
    if status_purpose not in _STATUS_PURPOSES:
        raise ValueError(f"status_purpose must be one of {sorted(_STATUS_PURPOSES)}")
    _check_validity(valid_from, valid_until)
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": xsd_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = xsd_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": id + "#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": encoded_list,
    }
    return credential


def clr_credential(
    *,
    id: str,
    issuer: Issuer,
    learner: Recipient,
    credentials: Sequence[dict[str, Any]],
    valid_from: datetime,
    name: str,
    description: str | None = None,
    partial: bool | None = None,
) -> dict[str, Any]:
    """An unsigned CLR 2.0 ``ClrCredential`` (CLR 2.0 data model "ClrCredential"): a learner's
    record, bundling already-signed ``OpenBadgeCredential`` dicts in
    ``credentialSubject.verifiableCredential``.

    Every term used is defined by the CLR 2.0 context (``ClrCredential`` with ``partial``,
    ``ClrSubject`` with ``verifiableCredential`` and ``identifier``) or the OB 3.0 context
    (``IdentityObject``, ``Profile``).
    """
    if not credentials:
        raise ValueError("a CLR needs at least one credential (CLR 2.0 ClrSubject)")
    subject: dict[str, Any] = {}
    _put(subject, "id", learner.id)
    subject["type"] = ["ClrSubject"]
    subject["identifier"] = [_identity_object(learner)]
    subject["verifiableCredential"] = list(credentials)

    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT, CLR_V2_CONTEXT, OB3_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": name,
    }
    _put(credential, "description", description)
    _put(credential, "partial", partial)
    credential["issuer"] = _profile(issuer)
    credential["validFrom"] = xsd_datetime(valid_from)
    credential["credentialSubject"] = subject
    return credential
