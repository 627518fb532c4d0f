from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.credentials import documents as d
from learningcity.credentials import keys, vcjwt
from learningcity.credentials.tests.test_documents import badge, run_tool, write_docs

NOW = datetime(2025, 6, 1, tzinfo=UTC)
JWKS_URL = "https://brighton.example/issuers/7/jwks.json"
KID = JWKS_URL + "#key-1"


@pytest.fixture(scope="module")
def rsa_key() -> RSAPrivateKey:
    return keys.rsa_generate()


@pytest.fixture(scope="module")
def token(rsa_key: RSAPrivateKey) -> str:
    return vcjwt.sign_vc_jwt(badge(), private_key=rsa_key, kid=KID)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: Any) -> str:
    return _b64(json.dumps(value).encode())


def _sign_raw(header: dict[str, Any], payload: dict[str, Any], key: RSAPrivateKey) -> str:
    """Sign arbitrary claims, to build tokens sign_vc_jwt would never produce."""
    signing_input = f"{_segment(header)}.{_segment(payload)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{_b64(signature)}"


def _claims(credential: dict[str, Any]) -> dict[str, Any]:
    return {
        **credential,
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "nbf": int(datetime.fromisoformat(credential["validFrom"]).timestamp()),
    }


def _verify(token: str, key: Any, now: datetime = NOW) -> vcjwt.JwtCheck:
    return vcjwt.verify_vc_jwt(token, resolve_key=lambda header, payload: key, now=now)


def _fields(check: vcjwt.JwtCheck) -> list[str]:
    return [field for field, _ in check.reasons]


# --- signing -----------------------------------------------------------------------------------


def test_header_is_rs256_jwt_with_the_kid_and_nothing_else(token: str) -> None:
    header, _, _ = vcjwt.decode_vc_jwt(token)
    assert header == {"alg": "RS256", "typ": "JWT", "kid": KID}


def test_payload_is_the_credential_itself_with_the_registered_claims(token: str) -> None:
    _, payload, credential = vcjwt.decode_vc_jwt(token)
    assert "vc" not in payload
    assert credential == badge()
    assert payload["iss"] == "https://brighton.example/issuers/7"
    assert payload["jti"] == "https://brighton.example/credentials/1001"
    assert payload["nbf"] == int(datetime(2025, 3, 1, 9, 30, tzinfo=UTC).timestamp())
    assert "exp" not in payload


def test_a_subject_without_id_gives_no_sub_claim(token: str) -> None:
    _, payload, _ = vcjwt.decode_vc_jwt(token)
    assert "sub" not in payload


def test_a_subject_with_an_id_gives_the_sub_claim(rsa_key: RSAPrivateKey) -> None:
    recipient = d.recipient_for_email("a@example.org", salt="x", id="did:example:learner")
    signed = vcjwt.sign_vc_jwt(badge(recipient=recipient), private_key=rsa_key, kid=KID)
    assert vcjwt.decode_vc_jwt(signed)[1]["sub"] == "did:example:learner"
    assert _verify(signed, rsa_key.public_key()).ok


def test_valid_until_gives_exp(rsa_key: RSAPrivateKey) -> None:
    until = datetime(2026, 3, 1, tzinfo=UTC)
    signed = vcjwt.sign_vc_jwt(badge(valid_until=until), private_key=rsa_key, kid=KID)
    assert vcjwt.decode_vc_jwt(signed)[1]["exp"] == int(until.timestamp())


def test_signing_refuses_credentials_that_already_use_claim_names(rsa_key: RSAPrivateKey) -> None:
    with pytest.raises(ValueError, match="sub"):
        vcjwt.sign_vc_jwt({**badge(), "sub": "x"}, private_key=rsa_key, kid=KID)


def test_signing_needs_an_rsa_key_and_a_kid(rsa_key: RSAPrivateKey) -> None:
    with pytest.raises(TypeError):
        vcjwt.sign_vc_jwt(badge(), private_key=keys.ed25519_generate(), kid=KID)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        vcjwt.sign_vc_jwt(badge(), private_key=rsa_key, kid="")


# --- verifying ---------------------------------------------------------------------------------


def test_a_fresh_token_verifies(token: str, rsa_key: RSAPrivateKey) -> None:
    check = _verify(token, rsa_key.public_key())
    assert check.ok, check.reasons
    assert check.credential == badge()


def test_a_tampered_payload_fails_the_signature(token: str, rsa_key: RSAPrivateKey) -> None:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["name"] = "Team Captain"
    check = _verify(f"{header}.{_segment(claims)}.{signature}", rsa_key.public_key())
    assert not check.ok
    assert _fields(check) == ["signature"]
    assert check.credential is None


def test_a_non_canonical_encoding_of_the_same_signature_is_refused(
    token: str, rsa_key: RSAPrivateKey
) -> None:
    # 256 signature bytes leave 2 unused bits in the last base64url character: flipping them
    # gives the same bytes, but a second spelling of the token is not accepted.
    last = token[-1]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    twin = alphabet[alphabet.index(last) ^ 0b01]
    check = _verify(token[:-1] + twin, rsa_key.public_key())
    assert _fields(check) == ["token"]
    assert "canonical" in check.reasons[0][1]


def test_another_key_fails_the_signature(token: str) -> None:
    check = _verify(token, keys.rsa_generate().public_key())
    assert _fields(check) == ["signature"]


def test_alg_none_is_refused(rsa_key: RSAPrivateKey) -> None:
    unsigned = f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_claims(badge()))}."
    check = _verify(unsigned, rsa_key.public_key())
    assert _fields(check) == ["alg"]


def test_hs256_signed_with_the_public_key_is_refused(rsa_key: RSAPrivateKey) -> None:
    # The classic algorithm-confusion attack: HMAC keyed with the issuer's public key.
    jwk_text = json.dumps(keys.rsa_public_jwk(rsa_key.public_key())).encode()
    signing_input = f"{_segment({'alg': 'HS256', 'kid': KID})}.{_segment(_claims(badge()))}"
    mac = hmac.new(jwk_text, signing_input.encode(), hashlib.sha256).digest()
    check = _verify(f"{signing_input}.{_b64(mac)}", rsa_key.public_key())
    assert _fields(check) == ["alg"]


def test_es256_tokens_verify() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signing_input = f"{_segment({'alg': 'ES256', 'kid': KID})}.{_segment(_claims(badge()))}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    signature = r.to_bytes(32, "big") + s.to_bytes(32, "big")
    assert _verify(f"{signing_input}.{_b64(signature)}", key.public_key()).ok


def test_the_key_must_suit_the_algorithm(token: str) -> None:
    check = _verify(token, ec.generate_private_key(ec.SECP256R1()).public_key())
    assert _fields(check) == ["kid"]
    assert "RSA" in check.reasons[0][1]


def test_an_unknown_key_is_reported_not_raised(token: str) -> None:
    def missing(header: dict[str, Any], payload: dict[str, Any]) -> Any:
        raise vcjwt.KeyResolutionError(f"no key {header['kid']}")

    check = vcjwt.verify_vc_jwt(token, resolve_key=missing, now=NOW)
    assert _fields(check) == ["kid"]
    assert KID in check.reasons[0][1]
    check = vcjwt.verify_vc_jwt(token, resolve_key=lambda h, p: None, now=NOW)
    assert _fields(check) == ["kid"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"iss": "https://evil.example"}, "iss"),
        ({"jti": "https://brighton.example/credentials/other"}, "jti"),
        ({"sub": "did:example:someone"}, "sub"),
        ({"nbf": 1}, "nbf"),
        ({"nbf": "2025-03-01"}, "nbf"),
        ({"nbf": 10**400}, "nbf"),
        ({"exp": "soon"}, "exp"),
    ],
)
def test_claims_must_agree_with_the_credential(
    change: dict[str, Any], field: str, rsa_key: RSAPrivateKey
) -> None:
    signed = _sign_raw({"alg": "RS256", "kid": KID}, {**_claims(badge()), **change}, rsa_key)
    check = _verify(signed, rsa_key.public_key())
    assert not check.ok
    assert field in _fields(check)


def test_a_subject_id_needs_a_matching_sub(rsa_key: RSAPrivateKey) -> None:
    recipient = d.recipient_for_email("a@example.org", salt="x", id="did:example:learner")
    signed = _sign_raw({"alg": "RS256", "kid": KID}, _claims(badge(recipient=recipient)), rsa_key)
    assert _fields(_verify(signed, rsa_key.public_key())) == ["sub"]


def test_validity_dates_are_checked_against_now(rsa_key: RSAPrivateKey) -> None:
    credential = badge(valid_until=datetime(2025, 12, 31, tzinfo=UTC))
    signed = vcjwt.sign_vc_jwt(credential, private_key=rsa_key, kid=KID)
    assert _verify(signed, rsa_key.public_key(), now=NOW).ok
    early = _verify(signed, rsa_key.public_key(), now=datetime(2025, 1, 1, tzinfo=UTC))
    assert early.reasons == (
        ("nbf", "the credential is not valid yet (validFrom is in the future)"),
    )
    late = _verify(signed, rsa_key.public_key(), now=datetime(2026, 1, 1, tzinfo=UTC))
    assert late.reasons == (("exp", "the credential has expired"),)


def test_valid_until_needs_exp(rsa_key: RSAPrivateKey) -> None:
    credential = badge(valid_until=datetime(2025, 12, 31, tzinfo=UTC))
    signed = _sign_raw({"alg": "RS256", "kid": KID}, _claims(credential), rsa_key)
    assert _fields(_verify(signed, rsa_key.public_key())) == ["exp"]


def test_a_vc_dm_1_1_token_with_a_vc_claim_is_read(rsa_key: RSAPrivateKey) -> None:
    credential = badge()
    claims = {key: value for key, value in _claims(credential).items() if key in vcjwt.JWT_CLAIMS}
    signed = _sign_raw({"alg": "RS256", "kid": KID}, {**claims, "vc": credential}, rsa_key)
    check = _verify(signed, rsa_key.public_key())
    assert check.ok, check.reasons
    assert check.credential == credential


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ({"alg": "RS256", "kid": KID, "typ": "vc+jwt"}, "typ"),
        ({"alg": "RS256", "jwk": {"kty": "RSA", "d": "secret"}}, "jwk"),
    ],
)
def test_header_rules(header: dict[str, Any], field: str, rsa_key: RSAPrivateKey) -> None:
    signed = _sign_raw(header, _claims(badge()), rsa_key)
    assert field in _fields(_verify(signed, rsa_key.public_key()))


def test_critical_extensions_and_keyless_headers_are_refused(rsa_key: RSAPrivateKey) -> None:
    crit = _sign_raw({"alg": "RS256", "kid": KID, "crit": ["b64"]}, _claims(badge()), rsa_key)
    assert _fields(_verify(crit, rsa_key.public_key())) == ["crit"]
    keyless = _sign_raw({"alg": "RS256"}, _claims(badge()), rsa_key)
    assert _fields(_verify(keyless, rsa_key.public_key())) == ["kid"]


def test_now_must_be_aware(token: str, rsa_key: RSAPrivateKey) -> None:
    with pytest.raises(ValueError):
        _verify(token, rsa_key.public_key(), now=datetime(2025, 6, 1))


# --- decoding malformed tokens -----------------------------------------------------------------

_RS256 = _segment({"alg": "RS256"}) + "."


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "empty"),
        ("abc", "3 dot-separated parts, this token has 1"),
        ("a.b.c.d.e", "encrypted JWE"),
        ("a!.b.c", "header is not base64url"),
        ("é.b.c", "header is not base64url"),
        (".b.c", "empty"),
        ("a.b.c", "header is not valid base64url"),
        (f"{_b64(b'not json')}.{_b64(b'{}')}.", "header is not JSON"),
        (f"{_b64(b'[1]')}.{_b64(b'{}')}.", "header is not a JSON object"),
        (f"{_b64(b'{}')}.{_b64(b'{}')}.", "no alg"),
        (_RS256 + _b64(bytes([0xFF])) + ".", "not UTF-8"),
        (_RS256 + _b64(b'{"a":1,"a":2}') + ".", "duplicate member 'a'"),
        (_RS256 + _b64(b'{"a":NaN}') + ".", "NaN"),
        (_RS256 + _b64(b"[" * 100_000) + ".", "nested too deeply"),
        ("x" * (vcjwt.MAX_TOKEN_LENGTH + 1), "longer than"),
    ],
)
def test_malformed_tokens_give_readable_errors(token: str, message: str) -> None:
    with pytest.raises(vcjwt.VcJwtError, match=message):
        vcjwt.decode_vc_jwt(token)


def test_verify_reports_malformed_tokens_instead_of_raising(rsa_key: RSAPrivateKey) -> None:
    check = _verify("not a token", rsa_key.public_key())
    assert not check.ok
    assert _fields(check) == ["token"]


@settings(max_examples=500)
@given(st.text(max_size=200))
def test_decoding_any_string_gives_a_token_or_a_vc_jwt_error(token: str) -> None:
    with contextlib.suppress(vcjwt.VcJwtError):
        vcjwt.decode_vc_jwt(token)


@settings(max_examples=500, deadline=None)
@given(st.data())
def test_mutated_tokens_never_raise_anything_else(data: st.DataObject) -> None:
    key = _MUTATION_KEY
    original = list(_MUTATION_TOKEN)
    for _ in range(data.draw(st.integers(1, 3))):
        position = data.draw(st.integers(0, len(original) - 1))
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        character = data.draw(st.sampled_from("AZaz09-_.=+/é\x00"))
        if action == "replace":
            original[position] = character
        elif action == "delete":
            del original[position]
        else:
            original.insert(position, character)
    mutated = "".join(original)
    with contextlib.suppress(vcjwt.VcJwtError):
        vcjwt.decode_vc_jwt(mutated)
    check = _verify(mutated, key.public_key())
    assert check.ok == (mutated == _MUTATION_TOKEN)


_MUTATION_KEY = keys.rsa_generate()
_MUTATION_TOKEN = vcjwt.sign_vc_jwt(badge(), private_key=_MUTATION_KEY, kid=KID)


# --- conformance kit ---------------------------------------------------------------------------


def _jwks_docs(tmp_path: Path, key: RSAPrivateKey) -> Path:
    return write_docs(tmp_path / "docs", {JWKS_URL: d.jwks([("key-1", key.public_key())])})


def test_verify_vcjwt_accepts_our_token_with_the_kid_served_as_a_jwks(
    tmp_path: Path, token: str, rsa_key: RSAPrivateKey
) -> None:
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    report = run_tool("verify-vcjwt", "--docs", _jwks_docs(tmp_path, rsa_key), path)
    assert report["result"] == "accepted", report["errors"]
    assert report["details"]["signatureVerified"] is True


def test_verify_vcjwt_accepts_a_kid_that_is_a_jwk_url_and_a_subject_id(tmp_path: Path) -> None:
    key = keys.rsa_generate()
    kid = "https://brighton.example/issuers/7/keys/rsa-2"
    recipient = d.recipient_for_email("a@example.org", salt="x", id="did:example:learner")
    credential = badge(recipient=recipient, valid_until=datetime.now(UTC) + timedelta(days=30))
    path = tmp_path / "credential.jwt"
    path.write_text(vcjwt.sign_vc_jwt(credential, private_key=key, kid=kid))
    docs = write_docs(tmp_path / "docs", {kid: keys.rsa_public_jwk(key.public_key(), kid=kid)})
    report = run_tool("verify-vcjwt", "--docs", docs, path)
    assert report["result"] == "accepted", report["errors"]


def test_verify_vcjwt_rejects_tampered_and_expired_tokens(
    tmp_path: Path, token: str, rsa_key: RSAPrivateKey
) -> None:
    docs = _jwks_docs(tmp_path, rsa_key)
    header, payload, signature = token.split(".")
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(f"{header}.{payload[:-4]}AAAA.{signature}")
    report = run_tool("verify-vcjwt", "--docs", docs, tampered)
    assert report["result"] == "rejected"
    assert any("signature" in e for e in report["errors"])

    expired = tmp_path / "expired.jwt"
    expired.write_text(
        vcjwt.sign_vc_jwt(
            badge(valid_until=datetime(2025, 4, 1, tzinfo=UTC)), private_key=rsa_key, kid=KID
        )
    )
    report = run_tool("verify-vcjwt", "--docs", docs, expired)
    assert report["result"] == "rejected"
    assert any("expired" in e for e in report["errors"])


def test_schema_validation_of_our_jwt_payload(tmp_path: Path, token: str) -> None:
    path = tmp_path / "credential.jwt"
    path.write_text(token)
    report = run_tool("validate-ob3-schema", path)
    assert report["result"] == "accepted", report["errors"]
