"""Open Badges 3.0, CLR 2.0, Bitstring Status List and controller (DID / key) documents.

Every builder returns an *unsigned* JSON-ready ``dict``; securing it (Data Integrity proof or
VC-JWT) is a separate step (``data_integrity.sign`` / ``vcjwt.sign_vc_jwt``). Inputs are small
frozen dataclasses so a caller cannot pass a half-built document by accident.

Spec decisions, each explained where it is made:

- **Level** (the RSA badging standard's Engage / Participate / Demonstrate / Lead) goes into
  ``Achievement.tag`` as ``"Level: <name>"`` — see :func:`level_tag`.
- **No ``credentialSchema``**: it is optional in OB 3.0, needs the extra ``extensions.json``
  context, and verifiers that care validate against the 1EdTech schema anyway. The ``@context``
  is therefore exactly VC 2.0 + OB 3.0 (context-3.0.3).
- **RSA (VC-JWT) keys are not in the DID document**: no context the verifiers bundle defines
  ``JsonWebKey`` / ``publicKeyJwk``, so a DID document carrying them fails JSON-LD safe mode.
  They are published as a JWKS (:func:`jwks`) or one JWK per URL, and the JWT ``kid`` is that
  https URL.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey

from .keys import ed25519_public_key_to_multibase, rsa_public_jwk

__all__ = [
    "CLR_V2_CONTEXT",
    "DID_V1_CONTEXT",
    "LEVEL_TAG_PREFIX",
    "MULTIKEY_V1_CONTEXT",
    "OB3_CONTEXT",
    "OB3_CONTEXTS",
    "RSA_LEVELS",
    "VC_V2_CONTEXT",
    "Achievement",
    "Alignment",
    "Evidence",
    "Issuer",
    "Recipient",
    "StatusEntry",
    "bitstring_status_list_credential",
    "clr_credential",
    "controller_document",
    "did_web_document",
    "did_web_for",
    "did_web_to_url",
    "email_identity_hash",
    "endorsement_credential",
    "jwks",
    "level_from_tags",
    "level_tag",
    "multikey_document",
    "open_badge_credential",
    "recipient_for_email",
    "verification_method_id",
    "xsd_datetime",
]

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_V2_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
DID_V1_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1_CONTEXT = "https://w3id.org/security/multikey/v1"

# OB 3.0 §5 / VC DM 2.0 §4.3: the VC base context first, then the OB 3.0 context.
OB3_CONTEXTS = (VC_V2_CONTEXT, OB3_CONTEXT)

RSA_LEVELS = ("Engage", "Participate", "Demonstrate", "Lead")
LEVEL_TAG_PREFIX = "Level: "

_STATUS_PURPOSES = frozenset({"revocation", "suspension"})
_IDENTITY_HASH = re.compile(r"^sha256\$[0-9a-f]{64}$")
# OB 3.0 AlignmentTargetType: an enumerated vocabulary, extensible with an "ext:" prefix.
_ALIGNMENT_TARGET_TYPES = frozenset(
    {
        "ceasn:Competency",
        "ceterms:Credential",
        "CFItem",
        "CFRubric",
        "CFRubricCriterion",
        "CFRubricCriterionLevel",
        "CTDL",
    }
)
_EXT_TERM = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")
_LOOPBACK_HOSTS = frozenset({"localhost", "[::1]"})
# A path segment of a did:web: URL-safe characters and percent-escapes only.
_PATH_SEGMENT = re.compile(r"(?:[A-Za-z0-9._~!$&'()*+,;=@-]|%[0-9A-Fa-f]{2})+")
_HOST_PORT = re.compile(r"(?P<host>\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(?P<port>[0-9]{1,5}))?")


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    """An OB 3.0 ``Profile`` (OB 3.0 data model "Profile"): who issues or endorses."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    description: str | None = None
    image: str | None = None


@dataclass(frozen=True)
class Alignment:
    """An OB 3.0 ``Alignment``: a link from an achievement to a node in a framework (a skill)."""

    target_name: str
    target_url: str
    target_framework: str | None = None
    target_code: str | None = None
    target_description: str | None = None
    target_type: str | None = None

    def __post_init__(self) -> None:
        if self.target_type is not None and not (
            self.target_type in _ALIGNMENT_TARGET_TYPES or _EXT_TERM.match(self.target_type)
        ):
            raise ValueError(
                f"alignment target_type {self.target_type!r} is not an OB 3.0 "
                "AlignmentTargetType (or an 'ext:' extension)"
            )


@dataclass(frozen=True)
class Achievement:
    """An OB 3.0 ``Achievement`` — the badge class.

    ``level`` is one of :data:`RSA_LEVELS`; see :func:`level_tag` for how it is expressed.
    """

    id: str
    name: str
    description: str
    criteria_narrative: str
    criteria_id: str | None = None
    image_id: str | None = None
    image_caption: str | None = None
    achievement_type: str = "Badge"
    level: str | None = None
    alignments: tuple[Alignment, ...] = ()
    tags: tuple[str, ...] = ()
    creator: Issuer | None = None

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in RSA_LEVELS:
            raise ValueError(f"level must be one of {', '.join(RSA_LEVELS)}; got {self.level!r}")
        if not self.criteria_narrative and not self.criteria_id:
            # OB 3.0 Criteria: at least one of id and narrative.
            raise ValueError("an achievement needs criteria: a narrative or a criteria id")
        # Tuples, not lists, so the dataclass stays hashable and immutable.
        object.__setattr__(self, "alignments", tuple(self.alignments))
        object.__setattr__(self, "tags", tuple(self.tags))


@dataclass(frozen=True)
class Recipient:
    """A learner known by a salted email hash, and optionally by an id (a DID or URL).

    ``identity_hash`` is ``"sha256$" + hex`` (see :func:`email_identity_hash` or
    :func:`recipient_for_email`).
    """

    identity_hash: str
    salt: str
    id: str | None = None

    def __post_init__(self) -> None:
        if not _IDENTITY_HASH.match(self.identity_hash):
            raise ValueError("identity_hash must be 'sha256$' followed by 64 lowercase hex digits")


@dataclass(frozen=True)
class StatusEntry:
    """Where a credential's revocation bit lives (Bitstring Status List v1.0 §2.1)."""

    id: str
    status_list_credential: str
    status_list_index: int
    status_purpose: str = "revocation"

    def __post_init__(self) -> None:
        if isinstance(self.status_list_index, bool) or not isinstance(self.status_list_index, int):
            raise TypeError("status_list_index must be an int")
        if self.status_list_index < 0:
            raise ValueError("status_list_index must not be negative")
        if self.status_purpose not in _STATUS_PURPOSES:
            raise ValueError(f"status_purpose must be one of {sorted(_STATUS_PURPOSES)}")


@dataclass(frozen=True)
class Evidence:
    """OB 3.0 ``Evidence``: a link to (``id``) and/or a description of what the learner did."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None
    audience: str | None = None

    def __post_init__(self) -> None:
        if not (self.id or self.narrative):
            raise ValueError("evidence needs an id (URL) or a narrative")


# --- small pieces ------------------------------------------------------------------------------


def xsd_datetime(value: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ`` in UTC (VC DM 2.0 §4.9: an XML Schema dateTimeStamp).

    Naive datetimes are refused rather than guessed at. Sub-second precision is dropped so the
    value round-trips exactly through JWT NumericDate claims (whole seconds).
    """
    if not isinstance(value, datetime):
        raise TypeError("expected a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("datetime must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def level_tag(level: str) -> str:
    """The ``tag`` entry that carries an RSA badging level.

    OB 3.0 has no property for "the level of this badge": ``ResultDescription`` /
    ``Result.achievedLevel`` describe rubric levels a learner reaches *within* one achievement,
    whereas here each badge class sits at one fixed level; an ``Alignment`` needs a
    dereferenceable ``targetUrl`` in a framework, and the RSA levels publish none (inventing one
    would mislead verifiers); an extension property would need its own JSON-LD context, which
    safe-mode verifiers reject unless it is bundled. ``tag`` ("short, human-friendly, searchable
    keywords") is defined by the OB 3.0 context, shown by every displayer, and round-trips via
    :func:`level_from_tags`.
    """
    if level not in RSA_LEVELS:
        raise ValueError(f"level must be one of {', '.join(RSA_LEVELS)}; got {level!r}")
    return LEVEL_TAG_PREFIX + level


def level_from_tags(tags: Sequence[str]) -> str | None:
    """The RSA level recorded in an achievement's tags by :func:`level_tag`, if any."""
    for tag in tags:
        if isinstance(tag, str) and tag.startswith(LEVEL_TAG_PREFIX):
            level = tag[len(LEVEL_TAG_PREFIX) :]
            if level in RSA_LEVELS:
                return level
    return None


def email_identity_hash(email: str, salt: str) -> str:
    """``"sha256$" + hex(sha256(normalised email + salt))`` — the IdentityHash of OB 2.0
    (IdentityObject) and OB 3.0 (IdentityObject.identityHash: UTF-8 identifier, then the salt
    appended, hex digest).

    Neither spec normalises the email. Addresses are compared case-insensitively everywhere
    in practice, so surrounding whitespace is stripped and the address lowercased first; a
    verifier holding a differently-cased address must lowercase it too.
    """
    if not isinstance(email, str) or "@" not in email:
        raise ValueError("not an email address")
    if not isinstance(salt, str):
        raise TypeError("salt must be a string")
    digest = hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()
    return "sha256$" + digest


def recipient_for_email(email: str, *, salt: str, id: str | None = None) -> Recipient:
    return Recipient(identity_hash=email_identity_hash(email, salt), salt=salt, id=id)


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


# --- keys: controller documents, did:web, JWKS -------------------------------------------------


def verification_method_id(controller: str, public_key: Ed25519PublicKey) -> str:
    """``<controller>#<publicKeyMultibase>``: the key id a Data Integrity proof names.

    This form lets a verifier (the 1EdTech validator among them) read the key from the id
    itself, and stays unique across key rotation (conformance kit "Issuer gotchas" #3).
    """
    return f"{controller}#{ed25519_public_key_to_multibase(public_key)}"


def _multikey(controller: str, public_key: Ed25519PublicKey) -> dict[str, str]:
    # Controlled Identifiers v1.0 §2.2.2 Multikey.
    return {
        "id": verification_method_id(controller, public_key),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": ed25519_public_key_to_multibase(public_key),
    }


def controller_document(
    *,
    id: str,
    ed25519_keys: Sequence[Ed25519PublicKey],
    profile: Issuer | None = None,
) -> dict[str, Any]:
    """A controller document for ``id`` (a DID or an https issuer id) listing Ed25519 keys.

    Every key is a ``Multikey`` verification method *and* an ``assertionMethod`` — old keys too,
    so credentials signed before a rotation still verify; drop a key only when every credential
    it signed may stop verifying. ``@context``: DID v1 first (it defines ``assertionMethod``),
    then Multikey v1 (conformance kit "Issuer gotchas" #3).

    With ``profile`` (for an https issuer id, whose one document must serve both verifiers and
    OB 3.0 displayers), the OB 3.0 ``Profile`` members are added, with the OB 3.0 context.
    """
    if not ed25519_keys:
        raise ValueError("a controller document needs at least one key")
    methods = [_multikey(id, key) for key in ed25519_keys]
    if len({m["id"] for m in methods}) != len(methods):
        raise ValueError("the same key is listed twice")
    document: dict[str, Any] = {
        "@context": [DID_V1_CONTEXT, MULTIKEY_V1_CONTEXT],
        "id": id,
    }
    if profile is not None:
        if profile.id != id:
            raise ValueError("profile.id must equal the document id")
        document["@context"].append(OB3_CONTEXT)
        document.update({k: v for k, v in _profile(profile).items() if k != "id"})
    document["verificationMethod"] = methods
    document["assertionMethod"] = [m["id"] for m in methods]
    return document


def did_web_document(*, did: str, ed25519_keys: Sequence[Ed25519PublicKey]) -> dict[str, Any]:
    """The ``did.json`` of a ``did:web`` issuer (DID Web §3.2), served at
    :func:`did_web_to_url` ``(did)``. RSA keys are deliberately absent: see the module docstring.
    """
    did_web_to_url(did)  # validates the DID
    return controller_document(id=did, ed25519_keys=ed25519_keys)


def multikey_document(
    *, controller: str, public_key: Ed25519PublicKey, id: str | None = None
) -> dict[str, Any]:
    """One key as its own document (the https key-document form of a verification method).

    ``id`` defaults to :func:`verification_method_id`; serve the document at exactly that URL
    (without the fragment, a fragment id resolves inside the controller document instead).
    """
    return {
        "@context": [MULTIKEY_V1_CONTEXT],
        "id": id or verification_method_id(controller, public_key),
        "type": "Multikey",
        "controller": controller,
        "publicKeyMultibase": ed25519_public_key_to_multibase(public_key),
    }


def jwks(rsa_keys: Sequence[tuple[str, RSAPublicKey]]) -> dict[str, Any]:
    """A JWK Set (RFC 7517 §5) of RS256 public keys, ``[(kid, public_key), ...]``.

    OB 3.0 §8.2.3: the JWT ``kid`` must dereference to the JWK. Use ``<jwks url>#<kid>`` or the
    full URL as ``kid``; or serve each :func:`rsa_public_jwk` at its own URL. Keep retired keys
    here for as long as JWTs they signed should verify.
    """
    kids = [kid for kid, _ in rsa_keys]
    if len(set(kids)) != len(kids):
        raise ValueError("kid values must be unique")
    return {"keys": [rsa_public_jwk(key, kid=kid) for kid, key in rsa_keys]}


def did_web_for(host: str, path_segments: Sequence[str] = ()) -> str:
    """``did:web`` for a host (optionally ``host:port``) and path (DID Web §3.1 "Create").

    The port colon is percent-encoded (``example.org%3A8443``) and path segments are joined with
    ``:``; each segment is percent-encoded so it cannot add structure. Hosts are lowercased
    (DNS names are case-insensitive, and one issuer should have one DID).
    """
    match = _HOST_PORT.fullmatch(host.lower()) if isinstance(host, str) else None
    if match is None:
        raise ValueError(f"not a host name (with an optional port): {host!r}")
    encoded_host = match["host"] + (f"%3A{match['port']}" if match["port"] else "")
    parts = [encoded_host]
    for segment in path_segments:
        if not segment:
            raise ValueError("empty path segment")
        parts.append(quote(segment, safe=""))
    return "did:web:" + ":".join(parts)


def did_web_to_url(did: str) -> str:
    """Where the DID document of a ``did:web`` lives (DID Web §3.2 "Read").

    ``did:web:example.org`` → ``https://example.org/.well-known/did.json``;
    ``did:web:example.org:issuers:7`` → ``https://example.org/issuers/7/did.json``.

    Development-only rule: for loopback hosts (``localhost``, ``127.x.x.x``, ``[::1]``) the URL
    is plain ``http``, as the conformance kit's resolver does, so a local test server can serve
    it. did:web mandates https; a loopback DID never appears in a real credential.
    """
    if not isinstance(did, str) or not did.startswith("did:web:"):
        raise ValueError(f"not a did:web identifier: {did!r}")
    did = did.split("#", 1)[0]
    host, *parts = did[len("did:web:") :].split(":")
    # Only the port colon is percent-decoded; path segments stay percent-encoded in the URL.
    match = _HOST_PORT.fullmatch(re.sub("%3[aA]", ":", host))
    if match is None:
        raise ValueError(f"did:web has no valid host: {did!r}")
    if any(not p or not _PATH_SEGMENT.fullmatch(p) for p in parts):
        raise ValueError(f"did:web has an empty or invalid path segment: {did!r}")
    scheme = "http" if _is_loopback(match["host"]) else "https"
    port = f":{match['port']}" if match["port"] else ""
    path = "/" + "/".join(parts) + "/did.json" if parts else "/.well-known/did.json"
    return f"{scheme}://{match['host']}{port}{path}"


def _is_loopback(hostname: str) -> bool:
    if hostname in _LOOPBACK_HOSTS:
        return True
    octets = hostname.split(".")
    return (
        len(octets) == 4
        and octets[0] == "127"
        and all(o.isdigit() and len(o) <= 3 and int(o) <= 255 for o in octets)
    )
