"""Vocabulary and inputs: contexts, RSA levels, and the frozen dataclasses builders take."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

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
