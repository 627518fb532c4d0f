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

# Callers build the datetimes they pass in from these names (``documents.datetime``).
from datetime import UTC, datetime  # noqa: F401

from .credentials import (
    bitstring_status_list_credential,
    clr_credential,
    endorsement_credential,
    open_badge_credential,
)
from .identity import (
    controller_document,
    did_web_document,
    did_web_for,
    did_web_to_url,
    jwks,
    multikey_document,
    verification_method_id,
)
from .inputs import (
    CLR_V2_CONTEXT,
    DID_V1_CONTEXT,
    LEVEL_TAG_PREFIX,
    MULTIKEY_V1_CONTEXT,
    OB3_CONTEXT,
    OB3_CONTEXTS,
    RSA_LEVELS,
    VC_V2_CONTEXT,
    Achievement,
    Alignment,
    Evidence,
    Issuer,
    Recipient,
    StatusEntry,
    email_identity_hash,
    level_from_tags,
    level_tag,
    recipient_for_email,
    xsd_datetime,
)

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
