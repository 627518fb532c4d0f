"""Data Integrity proofs with ``eddsa-rdfc-2022`` (W3C *Data Integrity EdDSA Cryptosuites v1.0*
§3.2), the proof OB 3.0 credentials carry (OB 3.0 §8.3).

Signing and verifying both canonicalise with the fast RDFC-1.0 path (``rdfc.canonicalize``),
in JSON-LD safe mode: a document with a term its contexts do not define, a relative IRI or a
context outside the allow-list is refused before anything is hashed — on signing, so nothing
unsigned-in-effect goes out; on verifying, before the signature is looked at.

Verification also binds the key to the issuer: the verification method must be a ``Multikey``
whose ``controller`` is the credential's issuer and which the controller document lists under
``assertionMethod``. Fetching that document is the caller's job (``resolve_verification_method``);
:func:`verification_method_resolver` builds a resolver over documents already fetched, with
``did:key`` ids resolved locally.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from .jsonld import (
    CONTROLLER_DOCUMENT_CONTEXTS,
    DATA_INTEGRITY_V2_CONTEXT,
    VC_V2_CONTEXT,
    JsonLdRefused,
    UnsafeValue,
)
from .keys import KeyFormatError, ed25519_public_key_from_multibase
from .rdfc import canonicalize, check_safe

__all__ = [
    "CRYPTOSUITE",
    "PROOF_TYPE",
    "ProofCheck",
    "SortOrderConflict",
    "VerificationMethod",
    "resolve_did_key",
    "sign",
    "verification_method_resolver",
    "verify",
]

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
ASSERTION_METHOD = "assertionMethod"
_ED25519_SIGNATURE_LENGTH = 64

# XML Schema 1.1 dateTime, as the Digital Bazaar verifier checks proof.created.
_XSD_DATETIME = re.compile(
    r"^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|(24:00:00(\.0+)?))"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))?$"
)

# Messages a person reads (tests assert on them).
NO_PROOF = "the credential has no proof"
SEVERAL_PROOFS = "the credential has {count} proofs; exactly one Data Integrity proof is expected"
NOT_A_PROOF = "the proof must be a JSON object"
WRONG_TYPE = f"the proof type is {{value!r}}; expected {PROOF_TYPE!r}"
WRONG_CRYPTOSUITE = f"the cryptosuite is {{value!r}}; expected {CRYPTOSUITE!r}"
WRONG_PURPOSE = (
    f"the proof purpose is {{value!r}}; a credential must be signed for {ASSERTION_METHOD!r}"
)
BAD_CREATED = "created must be an XML Schema dateTime (e.g. 2024-01-01T00:00:00Z)"
BAD_PROOF_VALUE = "proofValue must be a base58-btc multibase (starting 'z') Ed25519 signature"
NO_METHOD = "verificationMethod must be the id (a URL or DID URL) of the signing key"
UNRESOLVED_METHOD = "the verification method {id!r} could not be resolved: {error}"
METHOD_ID_MISMATCH = "the resolved verification method has id {value!r}, not {expected!r}"
NOT_MULTIKEY = "the verification method type is {value!r}; expected 'Multikey'"
NOT_ISSUERS_KEY = (
    "the key is controlled by {controller!r}, not by the issuer {issuer!r}: it cannot sign "
    "for this issuer"
)
NOT_ASSERTION_METHOD = (
    "the key is not listed as an assertionMethod of its controller, so it may not sign credentials"
)
BAD_PUBLIC_KEY = "the verification method has no usable Ed25519 publicKeyMultibase: {error}"
NO_ISSUER = "the credential has no issuer id"
PROOF_CONTEXT_MISMATCH = "the proof's @context must be the start of the credential's @context"
UNPAIRED_SURROGATE = "the text contains an unpaired UTF-16 surrogate, which cannot be signed"
ORDER_CONFLICT = (
    "the credential's text mixes characters above U+FFFF (such as emoji) with characters "
    "U+E000–U+FFFF (such as the emoji variation selector U+FE0F) in a way that JavaScript and "
    "Java verifiers sort differently from RDFC-1.0, so its signature would not verify "
    "everywhere; remove one of the two (often U+FE0F) and sign again"
)
BAD_SIGNATURE = (
    "the signature does not match: the credential was changed after it was signed, or it was "
    "signed with a different key"
)


class SortOrderConflict(JsonLdRefused):
    """Signing refused: verifiers would disagree on the order of the canonical N-Quads."""

    def __init__(self) -> None:
        super().__init__(ORDER_CONFLICT)


@dataclass(frozen=True)
class VerificationMethod:
    """What a resolver found for a verification method id: the method node (``id``, ``type``,
    ``controller``, ``publicKeyMultibase``) and the ids its controller document lists under
    ``assertionMethod`` (Controlled Identifiers v1.0 §2.2, §3.2)."""

    method: Mapping[str, Any]
    assertion_method: tuple[str, ...]


@dataclass(frozen=True)
class ProofCheck:
    """The verdict on a credential's proof. ``reasons`` are ``(field, message)`` pairs a person
    can read; empty when ``ok``."""

    ok: bool
    reasons: list[tuple[str, str]] = field(default_factory=list)
    verification_method: str | None = None
    controller: str | None = None


def _xsd_datetime(value: datetime) -> str:
    if not isinstance(value, datetime):
        raise TypeError("created must be a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("created must be timezone-aware")
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _proof_configuration_context(context: Any) -> Any:
    # As the Digital Bazaar implementation does (ensureSuiteContext): a proof configuration
    # needs a context that defines DataIntegrityProof; VC v2 does, VC v1 credentials need the
    # Data Integrity v2 context added to the configuration (never to the credential).
    items = context if isinstance(context, list) else [context]
    if VC_V2_CONTEXT in items or DATA_INTEGRITY_V2_CONTEXT in items:
        return context
    return [*items, DATA_INTEGRITY_V2_CONTEXT]


_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BASE58_INDEX = {character: index for index, character in enumerate(_BASE58_ALPHABET)}


def _base58btc_encode(data: bytes) -> str:
    # The Bitcoin base58 alphabet (Multibase "z"), as the ``base58`` package encodes, faster.
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(_BASE58_ALPHABET[remainder])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(digits))


def _base58btc_decode(text: str) -> bytes:
    number = 0
    for character in text:
        number = number * 58 + _BASE58_INDEX[character]  # KeyError: not base58
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def _digest(text: str) -> bytes:
    try:
        return hashlib.sha256(text.encode("utf-8")).digest()
    except UnicodeEncodeError:
        raise UnsafeValue("", UNPAIRED_SURROGATE) from None


def _canonical_forms(
    document: Mapping[str, Any],
    proof_configuration: Mapping[str, Any],
    *,
    code_unit_order: bool = False,
) -> tuple[str, str]:
    # §3.2.3 Transformation: RDFC-1.0, for the document and the proof configuration, both in
    # JSON-LD safe mode, both with the fast canonicaliser.
    return (
        canonicalize(document, safe=True, code_unit_order=code_unit_order),
        canonicalize(proof_configuration, safe=True, code_unit_order=code_unit_order),
    )


def _hash_data(forms: tuple[str, str]) -> bytes:
    # §3.2.4 Hashing: SHA-256 of the canonical proof configuration, then of the document.
    document, configuration = forms
    return _digest(configuration) + _digest(document)


def _order_sensitive(forms: tuple[str, str]) -> bool:
    """Whether canonical text could sort differently by code point (RDFC-1.0, PyLD) and by
    UTF-16 code unit (rdf-canonize, Java): only text with characters above U+FFFF can — the
    characters that take two UTF-16 code units."""
    return not all(
        form.isascii() or len(form.encode("utf-16-le", "surrogatepass")) == 2 * len(form)
        for form in forms
    )


def sign(
    document: Mapping[str, Any],
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    proof_purpose: str = ASSERTION_METHOD,
) -> dict[str, Any]:
    """A copy of ``document`` with ``proof``: an array of one ``DataIntegrityProof``
    (eddsa-rdfc-2022 §3.2.1 Create Proof). OB 3.0 §8.3 wants ``proof`` as an array.

    ``verification_method`` is the key's id, normally ``<issuer id>#<publicKeyMultibase>``.
    Raises a :class:`~learningcity.credentials.jsonld.JsonLdRefused` subclass if the document
    is not safe to sign (an undefined term, a relative IRI, a context outside the allow-list),
    ``ValueError`` if it is already signed or ``created`` is naive.
    """
    if "proof" in document:
        raise ValueError("the document already has a proof; sign the unsigned document")
    if not isinstance(private_key, Ed25519PrivateKey):
        raise TypeError("eddsa-rdfc-2022 signs with an Ed25519 private key")
    if not isinstance(verification_method, str) or not verification_method:
        raise ValueError(NO_METHOD)
    # §3.2.5 Proof Configuration: the proof options, with the document's @context.
    proof: dict[str, Any] = {
        "type": PROOF_TYPE,
        "created": _xsd_datetime(created),
        "verificationMethod": verification_method,
        "cryptosuite": CRYPTOSUITE,
        "proofPurpose": proof_purpose,
    }
    configuration = {
        "@context": _proof_configuration_context(document.get("@context")),
        **proof,
    }
    forms = _canonical_forms(document, configuration)
    if _order_sensitive(forms) and forms != _canonical_forms(
        document, configuration, code_unit_order=True
    ):
        raise SortOrderConflict()
    hash_data = _hash_data(forms)
    # §3.2.6 Proof Serialization: Ed25519 over the hash data, base58-btc multibase.
    signature = private_key.sign(hash_data)
    proof["proofValue"] = "z" + _base58btc_encode(signature)
    return {**document, "proof": [proof]}


def verify(
    document: Mapping[str, Any],
    *,
    resolve_verification_method: Callable[[str], VerificationMethod],
) -> ProofCheck:
    """Check an eddsa-rdfc-2022 proof (eddsa-rdfc-2022 §3.2.2 Verify Proof, VC Data Integrity
    §4.3), and that the key is the issuer's assertion key. Never raises for a bad document.

    ``resolve_verification_method(id)`` returns a :class:`VerificationMethod`, or raises
    ``LookupError`` (or ``ValueError``) when the id cannot be resolved.
    """
    if not isinstance(document, Mapping):
        return ProofCheck(False, [("", "the credential must be a JSON object")])
    raw_proof = document.get("proof")
    if raw_proof is None:
        return ProofCheck(False, [("proof", NO_PROOF)])
    proofs = raw_proof if isinstance(raw_proof, list) else [raw_proof]
    if len(proofs) != 1:
        return ProofCheck(False, [("proof", SEVERAL_PROOFS.format(count=len(proofs)))])
    proof = proofs[0]
    if not isinstance(proof, Mapping):
        return ProofCheck(False, [("proof", NOT_A_PROOF)])
    unsecured = {k: v for k, v in document.items() if k != "proof"}

    # JSON-LD safe mode and the context allow-list, before anything else: what the contexts
    # do not define is not covered by the signature. (§3.2.3 Transformation, kept for later.)
    try:
        transformed = canonicalize(unsecured, safe=True)
    except JsonLdRefused as refusal:
        return ProofCheck(False, [(refusal.field, refusal.message)])

    reasons: list[tuple[str, str]] = []
    if proof.get("type") != PROOF_TYPE:
        reasons.append(("proof.type", WRONG_TYPE.format(value=proof.get("type"))))
    if proof.get("cryptosuite") != CRYPTOSUITE:
        reasons.append(
            ("proof.cryptosuite", WRONG_CRYPTOSUITE.format(value=proof.get("cryptosuite")))
        )
    if proof.get("proofPurpose") != ASSERTION_METHOD:
        purpose = proof.get("proofPurpose")
        reasons.append(("proof.proofPurpose", WRONG_PURPOSE.format(value=purpose)))
    created = proof.get("created")
    if created is not None and not (isinstance(created, str) and _XSD_DATETIME.match(created)):
        reasons.append(("proof.created", BAD_CREATED))
    signature = _decode_proof_value(proof.get("proofValue"))
    if signature is None:
        reasons.append(("proof.proofValue", BAD_PROOF_VALUE))
    method_id = proof.get("verificationMethod")
    if not isinstance(method_id, str) or not method_id:
        reasons.append(("proof.verificationMethod", NO_METHOD))
        return ProofCheck(False, reasons)

    context = document.get("@context")
    if "@context" in proof:
        # VC Data Integrity §4.3 step 4: the proof's context must begin the document's.
        proof_context = proof["@context"]
        expected = proof_context if isinstance(proof_context, list) else [proof_context]
        actual = context if isinstance(context, list) else [context]
        if actual[: len(expected)] != expected:
            reasons.append(("proof.@context", PROOF_CONTEXT_MISMATCH))
        context = proof_context

    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, Mapping) else issuer
    controller = None
    public_key = None
    try:
        resolved = resolve_verification_method(method_id)
    except (LookupError, ValueError) as error:
        reasons.append(
            ("proof.verificationMethod", UNRESOLVED_METHOD.format(id=method_id, error=error))
        )
    else:
        method = resolved.method
        controller = method.get("controller")
        if method.get("id") != method_id:
            reasons.append(
                (
                    "proof.verificationMethod",
                    METHOD_ID_MISMATCH.format(value=method.get("id"), expected=method_id),
                )
            )
        if method.get("type") != "Multikey":
            reasons.append(
                ("proof.verificationMethod", NOT_MULTIKEY.format(value=method.get("type")))
            )
        if not isinstance(issuer_id, str) or not issuer_id:
            reasons.append(("issuer", NO_ISSUER))
        elif controller != issuer_id:
            reasons.append(
                (
                    "proof.verificationMethod",
                    NOT_ISSUERS_KEY.format(controller=controller, issuer=issuer_id),
                )
            )
        if method_id not in resolved.assertion_method:
            reasons.append(("proof.verificationMethod", NOT_ASSERTION_METHOD))
        try:
            public_key = _public_key(method.get("publicKeyMultibase"))
        except KeyFormatError as error:
            reasons.append(("proof.verificationMethod", BAD_PUBLIC_KEY.format(error=error)))

    if public_key is not None and signature is not None:
        configuration = {k: v for k, v in proof.items() if k != "proofValue"}
        configuration["@context"] = _proof_configuration_context(context)
        try:
            forms = (transformed, canonicalize(configuration, safe=True))
            hash_data = _hash_data(forms)
        except JsonLdRefused as refusal:
            field_name = f"proof.{refusal.field}" if refusal.field else "proof"
            reasons.append((field_name, refusal.message))
        else:
            matches = _signature_matches(
                public_key, signature, hash_data, forms, unsecured, configuration
            )
            if not matches:
                reasons.append(("proof.proofValue", BAD_SIGNATURE))

    return ProofCheck(not reasons, reasons, method_id, controller)


def _signature_matches(
    public_key: Any,
    signature: bytes,
    hash_data: bytes,
    forms: tuple[str, str],
    unsecured: Mapping[str, Any],
    configuration: Mapping[str, Any],
) -> bool:
    try:
        public_key.verify(signature, hash_data)
        return True
    except InvalidSignature:
        pass
    # A JavaScript (rdf-canonize) or Java signer sorts canonical N-Quads by UTF-16 code unit.
    # For text where that order differs from RDFC-1.0's, accept its signature too: both orders
    # serialise the same quads, so the same statements are signed either way.
    if not _order_sensitive(forms):
        return False
    try:
        code_unit_forms = _canonical_forms(unsecured, configuration, code_unit_order=True)
        if code_unit_forms == forms:
            return False
        public_key.verify(signature, _hash_data(code_unit_forms))
        return True
    except (InvalidSignature, JsonLdRefused):
        return False


def _public_key(multibase: Any) -> Ed25519PublicKey:
    if not isinstance(multibase, str):
        raise KeyFormatError("publicKeyMultibase must be a string")
    return _cached_public_key(multibase)


@lru_cache(maxsize=1024)
def _cached_public_key(multibase: str) -> Ed25519PublicKey:
    # Decoding a Multikey is a fifth of a verification; keys repeat across credentials.
    return ed25519_public_key_from_multibase(multibase)


def _decode_proof_value(value: Any) -> bytes | None:
    if not isinstance(value, str) or not value.startswith("z"):
        return None
    try:
        signature = _base58btc_decode(value[1:])
    except KeyError:
        return None
    return signature if len(signature) == _ED25519_SIGNATURE_LENGTH else None


# --- resolvers ---------------------------------------------------------------------------------


def resolve_did_key(verification_method: str) -> VerificationMethod:
    """A ``did:key`` verification method (did:key v0.7 §3.1), computed from the id itself:
    ``did:key:z6Mk…#z6Mk…`` is a Multikey controlled by ``did:key:z6Mk…``."""
    did, _, fragment = verification_method.partition("#")
    if not did.startswith("did:key:"):
        raise LookupError(f"{verification_method!r} is not a did:key")
    multibase = did.removeprefix("did:key:")
    if fragment != multibase:
        raise LookupError(f"{verification_method!r}: the fragment must repeat the key")
    try:
        ed25519_public_key_from_multibase(multibase)
    except KeyFormatError as error:
        raise LookupError(f"{verification_method!r}: {error}") from error
    method = {
        "id": verification_method,
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multibase,
    }
    return VerificationMethod(method, (verification_method,))


def _node_id(node: Any) -> str | None:
    value = node.get("id") if isinstance(node, Mapping) else node
    return value if isinstance(value, str) else None


def verification_method_resolver(
    controller_documents: Sequence[Mapping[str, Any]],
) -> Callable[[str], VerificationMethod]:
    """A resolver over controller documents the caller has already fetched (issuer documents,
    DID documents), keyed by their ``id``; ``did:key`` ids resolve without a document.

    Each document must pass JSON-LD safe mode with a controller-document context (DID v1 +
    Multikey v1), as the conformance verifiers require; otherwise resolving raises
    ``ValueError``.
    """
    by_id = {doc.get("id"): doc for doc in controller_documents if isinstance(doc, Mapping)}
    refusals: dict[str, str | None] = {}  # controller id → why its document is refused

    def resolve(verification_method: str) -> VerificationMethod:
        if verification_method.startswith("did:key:"):
            return resolve_did_key(verification_method)
        controller_id = verification_method.partition("#")[0]
        document = by_id.get(controller_id)
        if document is None:
            raise LookupError(f"no controller document for {controller_id!r}")
        if controller_id not in refusals:
            try:
                check_safe(document, accepted=CONTROLLER_DOCUMENT_CONTEXTS)
                refusals[controller_id] = None
            except JsonLdRefused as refusal:
                refusals[controller_id] = str(refusal)
        if refusals[controller_id] is not None:
            raise ValueError(
                f"the controller document is not acceptable: {refusals[controller_id]}"
            )
        for node in _as_list(document.get("verificationMethod")):
            if isinstance(node, Mapping) and _node_id(node) == verification_method:
                method = dict(node)
                break
        else:
            raise LookupError(f"{controller_id!r} lists no verification method with this id")
        assertion = tuple(
            node_id
            for node_id in map(_node_id, _as_list(document.get("assertionMethod")))
            if node_id is not None
        )
        return VerificationMethod(method, assertion)

    return resolve


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]
