"""OB 3.0 VC-JWT: a credential secured as a compact JWS (OB 3.0 §8.2 "JSON Web Token Proof
Format", which follows VC-JOSE-COSE for VC DM 2.0).

Payload shape: OB 3.0 §8.2.4 ("JWT Payload Format") makes the payload *the credential itself*
with the registered claims added — not the VC DM 1.1 ``vc`` wrapper. Readers accept both, as
§8.2.6 asks ("credentials created following VC DM 1.1 store the credential in the ``vc``
claim").

Claims (§8.2.4): ``iss`` = ``issuer.id``, ``jti`` = ``id``, ``nbf`` = ``validFrom``,
``exp`` = ``validUntil`` when there is one, and ``sub`` = ``credentialSubject.id`` only when the
subject has an id. A learner known only by a hashed-email ``identifier`` has no id, so the token
has no ``sub`` (the conformance kit rejects a ``sub`` that matches nothing: "Issuer gotchas" #6).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

__all__ = [
    "ACCEPTED_ALGORITHMS",
    "JWT_CLAIMS",
    "MAX_TOKEN_LENGTH",
    "JwtCheck",
    "KeyResolutionError",
    "VcJwtError",
    "decode_vc_jwt",
    "sign_vc_jwt",
    "verify_vc_jwt",
]

# OB 3.0 §8.2.3: RS256 is required; ES256 is what the 1EdTech validator also takes. Anything
# else — "none", HMAC (HS*, which would let a public key act as a shared secret) — is refused.
ACCEPTED_ALGORITHMS = frozenset({"RS256", "ES256"})
# Registered claims that are not part of the credential (RFC 7519 §4.1).
JWT_CLAIMS = frozenset({"iss", "sub", "aud", "exp", "nbf", "iat", "jti"})
# A badge credential with an embedded image can be large, but not this large.
MAX_TOKEN_LENGTH = 4 * 1024 * 1024
# Clock skew tolerated on nbf/exp.
DEFAULT_LEEWAY = timedelta(seconds=60)

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey


class VcJwtError(ValueError):
    """A token is not a well-formed compact JWS carrying a JSON credential."""


class KeyResolutionError(Exception):
    """Raised by a ``resolve_key`` callable when it cannot supply the key for a token."""


@dataclass(frozen=True)
class JwtCheck:
    """The verdict on a VC-JWT. ``reasons`` are ``(field, message)`` pairs, empty when ``ok``.
    ``credential`` is set only when the signature verified."""

    ok: bool
    reasons: tuple[tuple[str, str], ...] = ()
    credential: dict[str, Any] | None = None
    header: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] = field(default_factory=dict)


# --- encoding helpers --------------------------------------------------------------------------


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(segment: str, what: str) -> bytes:
    if len(segment) % 4 == 1:
        raise VcJwtError(f"{what} is not valid base64url")
    try:
        data = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError) as exc:
        raise VcJwtError(f"{what} is not valid base64url") from exc
    # Only the canonical encoding (unused trailing bits zero) is accepted, so one token has
    # exactly one spelling and an altered character can never still verify.
    if _b64url(data) != segment:
        raise VcJwtError(f"{what} is not canonical base64url")
    return data


def _reject_constant(name: str) -> Any:
    raise VcJwtError(f"JSON contains {name}, which is not valid JSON")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Duplicate members make a token mean different things to different parsers (RFC 7515
    # §5.2 step 3 / RFC 7519 §7.2 step 4 allow rejecting them); refuse.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise VcJwtError(f"JSON has a duplicate member {key!r}")
        result[key] = value
    return result


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise VcJwtError(f"{what} is not UTF-8") from exc
    except RecursionError:
        raise VcJwtError(f"{what} is nested too deeply") from None
    except json.JSONDecodeError as exc:
        raise VcJwtError(f"{what} is not JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(value, dict):
        raise VcJwtError(f"{what} is not a JSON object")
    return value


def _json_bytes(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _numeric_date(value: str) -> int:
    """An XSD dateTime (``validFrom``/``validUntil``) as a JWT NumericDate (whole seconds)."""
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"date {value!r} has no time zone")
    return int(parsed.timestamp() // 1)


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    if isinstance(subject, list):
        subject = subject[0] if subject else None
    return subject.get("id") if isinstance(subject, Mapping) else None


# --- signing -----------------------------------------------------------------------------------


def sign_vc_jwt(credential: Mapping[str, Any], *, private_key: rsa.RSAPrivateKey, kid: str) -> str:
    """Secure ``credential`` as an RS256 VC-JWT (OB 3.0 §8.2).

    ``kid`` must be an https URL that dereferences to the public JWK (or to a JWKS holding it
    under that kid; see :func:`learningcity.credentials.documents.jwks`). Header:
    ``{"alg": "RS256", "typ": "JWT", "kid": kid}`` — no other JOSE headers (§8.2.3).
    """
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise TypeError("VC-JWTs are signed with an RSA private key (RS256)")
    if not kid:
        raise ValueError("kid is required: verifiers dereference it to find the public key")
    clashes = sorted(JWT_CLAIMS & set(credential))
    if clashes:
        raise ValueError(f"credential already has JWT claim names: {', '.join(clashes)}")
    issuer_id = _issuer_id(credential)
    if not isinstance(issuer_id, str) or not isinstance(credential.get("id"), str):
        raise ValueError("credential needs an id and an issuer id")
    if not isinstance(credential.get("validFrom"), str):
        raise ValueError("credential needs validFrom")

    payload: dict[str, Any] = dict(credential)
    payload["iss"] = issuer_id
    payload["jti"] = credential["id"]
    payload["nbf"] = _numeric_date(credential["validFrom"])
    if isinstance(credential.get("validUntil"), str):
        payload["exp"] = _numeric_date(credential["validUntil"])
    subject_id = _subject_id(credential)
    if subject_id is not None:
        payload["sub"] = subject_id

    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    signing_input = f"{_b64url(_json_bytes(header))}.{_b64url(_json_bytes(payload))}"
    signature = private_key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64url(signature)}"


# --- reading -----------------------------------------------------------------------------------


def _split(token: str) -> tuple[str, str, str]:
    if isinstance(token, bytes):
        try:
            token = token.decode("ascii")
        except UnicodeDecodeError:
            raise VcJwtError("token is not ASCII") from None
    if not isinstance(token, str):
        raise VcJwtError("token must be a string")
    token = token.strip()
    if not token:
        raise VcJwtError("token is empty")
    if len(token) > MAX_TOKEN_LENGTH:
        raise VcJwtError(f"token is longer than {MAX_TOKEN_LENGTH} characters")
    parts = token.split(".")
    if len(parts) != 3:
        raise VcJwtError(
            f"a compact JWS has 3 dot-separated parts, this token has {len(parts)}"
            + (" (5 parts is an encrypted JWE, not supported)" if len(parts) == 5 else "")
        )
    for name, part in zip(("header", "payload", "signature"), parts, strict=True):
        if not part.isascii() or not all(c.isalnum() or c in "-_" for c in part):
            raise VcJwtError(f"token {name} is not base64url")
    if not parts[0] or not parts[1]:
        raise VcJwtError("token header or payload is empty")
    return parts[0], parts[1], parts[2]


def decode_vc_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Parse a VC-JWT *without* verifying it: ``(header, payload, credential)``.

    ``credential`` is the ``vc`` claim when there is one (VC DM 1.1 style), otherwise the payload
    minus the registered JWT claims. Raises :class:`VcJwtError` with a readable message for
    anything that is not a compact JWS of JSON objects.
    """
    return _decode_parts(*_split(token))


def _decode_parts(
    header_b64: str, payload_b64: str, signature_b64: str
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    header = _json_object(_b64url_decode(header_b64, "token header"), "token header")
    payload = _json_object(_b64url_decode(payload_b64, "token payload"), "token payload")
    if not isinstance(header.get("alg"), str):
        raise VcJwtError("token header has no alg")
    vc = payload.get("vc")
    if isinstance(vc, dict):
        credential = dict(vc)
    else:
        credential = {k: v for k, v in payload.items() if k not in JWT_CLAIMS}
    return header, payload, credential


def _check_key(alg: str, key: Any) -> str | None:
    if alg == "RS256":
        if not isinstance(key, rsa.RSAPublicKey):
            return "RS256 needs an RSA public key"
        if key.key_size < 2048:
            return f"RSA key is {key.key_size} bits; at least 2048 are required"
    elif alg == "ES256":
        is_p256 = isinstance(key, ec.EllipticCurvePublicKey) and isinstance(key.curve, ec.SECP256R1)
        if not is_p256:
            return "ES256 needs a P-256 elliptic curve public key"
    return None


def _signature_valid(alg: str, key: PublicKey, signing_input: bytes, signature: bytes) -> bool:
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
        else:
            # RFC 7518 §3.4: ES256 signatures are R || S, 32 bytes each, not DER.
            if len(signature) != 64:
                return False
            r = int.from_bytes(signature[:32], "big")
            s = int.from_bytes(signature[32:], "big")
            key.verify(encode_dss_signature(r, s), signing_input, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def _number(value: Any) -> float | None:
    """A JSON number as a float, or None. JSON allows 1e400, which Python reads as infinity."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value) if abs(value) < 1e15 else math.inf
        return number if math.isfinite(number) else None
    return None


def _date_matches(value: Any, claim: float) -> bool | None:
    """Whether an XSD dateTime equals a NumericDate claim; None if it is not a date-time."""
    if not isinstance(value, str):
        return None
    try:
        return _numeric_date(value) == int(claim // 1)
    except (ValueError, OverflowError):
        return None


def _date_reasons(
    credential: Mapping[str, Any],
    payload: Mapping[str, Any],
    *,
    now: datetime,
    leeway: timedelta,
) -> list[tuple[str, str]]:
    # §8.2.6.1: nbf is required and equals validFrom, which must have passed; exp equals
    # validUntil when there is one, and must not have passed. VC DM 1.1 credentials use
    # issuanceDate / expirationDate instead.
    reasons: list[tuple[str, str]] = []
    now_s = now.timestamp()
    slack = leeway.total_seconds()
    nbf = _number(payload.get("nbf"))
    if nbf is None:
        reasons.append(("nbf", "nbf is required and must be a number"))
    else:
        valid_from = credential.get("validFrom", credential.get("issuanceDate"))
        matches = _date_matches(valid_from, nbf)
        if matches is None:
            reasons.append(("validFrom", "validFrom is missing or not a valid date-time"))
        elif not matches:
            reasons.append(("nbf", "nbf must equal the credential's validFrom"))
        if nbf > now_s + slack:
            reasons.append(("nbf", "the credential is not valid yet (validFrom is in the future)"))

    valid_until = credential.get("validUntil", credential.get("expirationDate"))
    has_exp = "exp" in payload
    exp = _number(payload.get("exp"))
    if has_exp and exp is None:
        reasons.append(("exp", "exp must be a number"))
    if valid_until is not None:
        if not has_exp:
            reasons.append(("exp", "exp is required because the credential has validUntil"))
        elif exp is not None:
            matches = _date_matches(valid_until, exp)
            if matches is None:
                reasons.append(("validUntil", "validUntil is not a valid date-time"))
            elif not matches:
                reasons.append(("exp", "exp must equal the credential's validUntil"))
    if exp is not None and exp < now_s - slack:
        reasons.append(("exp", "the credential has expired"))
    return reasons


def verify_vc_jwt(
    token: str,
    *,
    resolve_key: Callable[[dict[str, Any], dict[str, Any]], PublicKey | None],
    now: datetime,
    leeway: timedelta = DEFAULT_LEEWAY,
) -> JwtCheck:
    """Verify a VC-JWT (OB 3.0 §8.2.6): algorithm, signature, then the claim rules.

    ``resolve_key(header, payload)`` returns the public key named by the header (``kid`` or
    ``jwk``) — fetching, caching and trusting it is the caller's business — or raises
    :class:`KeyResolutionError` / returns ``None`` when there is none. The payload it sees is
    unverified. ``now`` must be timezone-aware.

    Status (revocation) is not checked here: see :mod:`.status_list`.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    try:
        header_b64, payload_b64, signature_b64 = _split(token)
        header, payload, credential = _decode_parts(header_b64, payload_b64, signature_b64)
        signature = _b64url_decode(signature_b64, "token signature")
    except VcJwtError as exc:
        return JwtCheck(ok=False, reasons=(("token", str(exc)),))

    def fail(*reasons: tuple[str, str]) -> JwtCheck:
        return JwtCheck(ok=False, reasons=reasons, header=header, payload=payload)

    alg = header["alg"]
    if alg not in ACCEPTED_ALGORITHMS:
        return fail(("alg", f"algorithm {alg!r} is not accepted; use RS256 or ES256"))
    if "crit" in header:
        # RFC 7515 §4.1.11: critical extensions this verifier does not understand.
        return fail(("crit", "critical header extensions are not supported"))
    reasons: list[tuple[str, str]] = []
    if "typ" in header and header["typ"] != "JWT":
        reasons.append(("typ", f'typ must be "JWT" when present, not {header["typ"]!r}'))
    jwk = header.get("jwk")
    if isinstance(jwk, Mapping) and "d" in jwk:
        reasons.append(("jwk", 'the header jwk contains private key material "d"'))
    if "kid" not in header and "jwk" not in header:
        return fail(("kid", "the header names no key: it needs kid or jwk"))

    try:
        key = resolve_key(header, payload)
    except KeyResolutionError as exc:
        return fail(("kid", f"the signing key could not be found: {exc}"))
    if key is None:
        return fail(("kid", "the signing key could not be found"))
    problem = _check_key(alg, key)
    if problem:
        return fail(("kid", problem))
    signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
    if not _signature_valid(alg, key, signing_input, signature):
        return fail(("signature", "the signature does not match: the token was altered"))

    # §8.2.6.1: the claims must agree with the credential they sign.
    issuer_id = _issuer_id(credential)
    if payload.get("iss") is None or payload.get("iss") != issuer_id:
        reasons.append(("iss", "iss must equal the credential's issuer id"))
    if payload.get("jti") is None or payload.get("jti") != credential.get("id"):
        reasons.append(("jti", "jti must equal the credential's id"))
    subject_id = _subject_id(credential)
    if subject_id is not None and payload.get("sub") != subject_id:
        reasons.append(("sub", "sub must equal credentialSubject.id"))
    if subject_id is None and "sub" in payload:
        reasons.append(("sub", "sub is given but credentialSubject has no id"))

    reasons.extend(_date_reasons(credential, payload, now=now, leeway=leeway))
    return JwtCheck(
        ok=not reasons,
        reasons=tuple(reasons),
        credential=credential,
        header=header,
        payload=payload,
    )
