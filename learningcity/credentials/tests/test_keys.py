from __future__ import annotations

import contextlib

import base58
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.credentials import keys

SECRET = b"0123456789abcdef0123456789abcdef"
# The 1EdTech OB 3.0 test vector's issuer key (conformance kit testdata).
VECTOR_MULTIBASE = "z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi"


@pytest.fixture(scope="module")
def rsa_key() -> RSAPrivateKey:
    return keys.rsa_generate()


def _raw(public_key: object) -> bytes:
    return public_key.public_bytes(  # type: ignore[attr-defined, no-any-return]
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )


# --- Multikey ----------------------------------------------------------------------------------


def test_ed25519_multibase_starts_z6mk_and_round_trips() -> None:
    public_key = keys.ed25519_generate().public_key()
    multibase = keys.ed25519_public_key_to_multibase(public_key)
    assert multibase.startswith("z6Mk")
    assert _raw(keys.ed25519_public_key_from_multibase(multibase)) == _raw(public_key)


def test_the_1edtech_test_vector_key_reads_and_re_encodes_identically() -> None:
    public_key = keys.ed25519_public_key_from_multibase(VECTOR_MULTIBASE)
    assert keys.ed25519_public_key_to_multibase(public_key) == VECTOR_MULTIBASE


def test_multibase_is_multicodec_0xed01_then_the_raw_key() -> None:
    public_key = keys.ed25519_generate().public_key()
    decoded = base58.b58decode(keys.ed25519_public_key_to_multibase(public_key)[1:])
    assert decoded == b"\xed\x01" + _raw(public_key)


def test_did_key_is_the_multibase_with_a_prefix() -> None:
    public_key = keys.ed25519_generate().public_key()
    assert keys.did_key_for(public_key) == "did:key:" + keys.ed25519_public_key_to_multibase(
        public_key
    )


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "non-empty"),
        ("u7QE" + "A" * 43, "base58-btc"),
        ("z0OIl", "not valid base58"),
        ("z" + base58.b58encode(b"\x12\x00" + bytes(32)).decode(), "not an Ed25519 public key"),
        ("z" + base58.b58encode(b"\xec\x01" + bytes(32)).decode(), "0xec01"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(31)).decode(), "got 31"),
        ("z" + base58.b58encode(b"\xed\x01" + bytes(33)).decode(), "got 33"),
        ("zé", "not valid base58"),
    ],
)
def test_bad_multibase_values_give_clear_errors(value: str, message: str) -> None:
    with pytest.raises(keys.KeyFormatError, match=message):
        keys.ed25519_public_key_from_multibase(value)


@settings(max_examples=500)
@given(st.text(max_size=80))
def test_reading_any_string_as_multibase_gives_a_key_or_a_key_format_error(value: str) -> None:
    with contextlib.suppress(keys.KeyFormatError):
        keys.ed25519_public_key_from_multibase(value)


# --- JWK ---------------------------------------------------------------------------------------


def test_rsa_public_jwk_has_public_members_only(rsa_key: RSAPrivateKey) -> None:
    jwk = keys.rsa_public_jwk(rsa_key.public_key(), kid="https://x.example/jwks#k1")
    assert set(jwk) == {"kty", "n", "e", "alg", "use", "kid"}
    assert jwk["kty"] == "RSA"
    assert jwk["e"] == "AQAB"
    assert jwk["alg"] == "RS256"
    assert "=" not in jwk["n"]


def test_rsa_public_jwk_of_a_private_key_still_has_no_private_members(
    rsa_key: RSAPrivateKey,
) -> None:
    jwk = keys.rsa_public_jwk(rsa_key)  # type: ignore[arg-type]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)
    assert "kid" not in jwk


def test_rsa_jwk_round_trips(rsa_key: RSAPrivateKey) -> None:
    jwk = keys.rsa_public_jwk(rsa_key.public_key())
    assert keys.rsa_public_key_from_jwk(jwk).public_numbers() == (
        rsa_key.public_key().public_numbers()
    )


def test_a_jwk_with_private_members_is_refused(rsa_key: RSAPrivateKey) -> None:
    jwk = {**keys.rsa_public_jwk(rsa_key.public_key()), "d": "AQAB"}
    with pytest.raises(keys.KeyFormatError, match="private key members: d"):
        keys.rsa_public_key_from_jwk(jwk)


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({"kty": "EC", "n": "AQAB", "e": "AQAB"}, "kty"),
        ({"kty": "RSA", "e": "AQAB"}, "'n'"),
        ({"kty": "RSA", "n": "!!!", "e": "AQAB"}, "'n'"),
        ({"kty": "RSA", "n": "AQAB", "e": "AQAB"}, "at least 2048"),
        ([], "JSON object"),
    ],
)
def test_bad_jwks_give_clear_errors(jwk: object, message: str) -> None:
    with pytest.raises(keys.KeyFormatError, match=message):
        keys.rsa_public_key_from_jwk(jwk)  # type: ignore[arg-type]


def test_rsa_keys_under_2048_bits_are_refused() -> None:
    with pytest.raises(ValueError, match="2048"):
        keys.rsa_generate(1024)


# --- encryption at rest ------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["ed25519", "rsa"])
def test_private_keys_round_trip_through_encryption(kind: str, rsa_key: RSAPrivateKey) -> None:
    key: keys.PrivateKey = keys.ed25519_generate() if kind == "ed25519" else rsa_key
    blob = keys.private_key_encrypt(key, secret=SECRET)
    restored = keys.private_key_decrypt(blob, secret=SECRET)
    assert isinstance(restored, Ed25519PrivateKey if kind == "ed25519" else RSAPrivateKey)
    pkcs8 = serialization.PrivateFormat.PKCS8
    der = serialization.Encoding.DER
    none = serialization.NoEncryption()
    assert restored.private_bytes(der, pkcs8, none) == key.private_bytes(der, pkcs8, none)


def test_the_blob_is_versioned_and_never_contains_the_key() -> None:
    key = keys.ed25519_generate()
    blob = keys.private_key_encrypt(key, secret=SECRET)
    raw = key.private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    assert blob[:4] == b"LCK\x01"
    assert raw not in blob


def test_each_encryption_uses_a_fresh_salt_and_nonce() -> None:
    key = keys.ed25519_generate()
    first = keys.private_key_encrypt(key, secret=SECRET)
    second = keys.private_key_encrypt(key, secret=SECRET)
    assert first[4:20] != second[4:20]
    assert first != second


def test_a_wrong_secret_is_a_key_decryption_error() -> None:
    blob = keys.private_key_encrypt(keys.ed25519_generate(), secret=SECRET)
    with pytest.raises(keys.KeyDecryptionError, match="wrong secret"):
        keys.private_key_decrypt(blob, secret=b"another secret of 32 bytes......")


@pytest.mark.parametrize(
    ("position", "what"),
    [(3, "version"), (5, "salt"), (25, "nonce"), (40, "ciphertext"), (-1, "tag")],
)
def test_any_tampering_is_a_key_decryption_error(position: int, what: str) -> None:
    blob = bytearray(keys.private_key_encrypt(keys.ed25519_generate(), secret=SECRET))
    blob[position] ^= 0x01
    with pytest.raises(keys.KeyDecryptionError):
        keys.private_key_decrypt(bytes(blob), secret=SECRET)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "truncated"),
        (b"LCK\x01" + bytes(60), "could not be decrypted"),
        (b"XYZ\x01" + bytes(60), "bad magic"),
        (b"LCK\x02" + bytes(60), "version 2"),
    ],
)
def test_malformed_blobs_say_what_is_wrong(blob: bytes, message: str) -> None:
    with pytest.raises(keys.KeyDecryptionError, match=message):
        keys.private_key_decrypt(blob, secret=SECRET)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="16 bytes"):
        keys.private_key_encrypt(keys.ed25519_generate(), secret=b"short")


def test_only_ed25519_and_rsa_keys_are_encrypted() -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    with pytest.raises(TypeError):
        keys.private_key_encrypt(ec.generate_private_key(ec.SECP256R1()), secret=SECRET)  # type: ignore[arg-type]


def test_decrypting_an_ed25519_blob_gives_an_ed25519_key() -> None:
    blob = keys.private_key_encrypt(keys.ed25519_generate(), secret=SECRET)
    assert isinstance(keys.private_key_decrypt(blob, secret=SECRET), Ed25519PrivateKey)


@settings(max_examples=500)
@given(st.binary(max_size=200))
def test_decrypting_arbitrary_bytes_is_always_a_key_decryption_error(blob: bytes) -> None:
    with pytest.raises(keys.KeyDecryptionError):
        keys.private_key_decrypt(blob, secret=SECRET)
