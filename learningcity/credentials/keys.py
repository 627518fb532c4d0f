"""Signing keys: generation, public-key encodings (Multikey, JWK) and encryption at rest.

Two key types are in play:

- **Ed25519** signs OB 3.0 credentials with a Data Integrity proof (``eddsa-rdfc-2022``). Its
  public half is published as a *Multikey* (``publicKeyMultibase`` = ``z6Mk…``).
- **RSA** signs OB 3.0 VC-JWTs (OB 3.0 §8.2, ``RS256``). Its public half is published as a JWK.

Private keys are stored encrypted (AES-256-GCM) under a key derived from an application secret
that the caller passes in; this module never reads settings.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Mapping
from typing import Any

import base58
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = [
    "ED25519_MULTICODEC_PREFIX",
    "KeyDecryptionError",
    "KeyFormatError",
    "PrivateKey",
    "did_key_for",
    "ed25519_generate",
    "ed25519_public_key_from_multibase",
    "ed25519_public_key_to_multibase",
    "private_key_decrypt",
    "private_key_encrypt",
    "rsa_generate",
    "rsa_public_jwk",
    "rsa_public_key_from_jwk",
]

PrivateKey = Ed25519PrivateKey | rsa.RSAPrivateKey

# Multicodec table: ``ed25519-pub`` is 0xed, written as the unsigned varint 0xed 0x01.
# Controlled Identifiers v1.0 §2.2.2 (Multikey): Ed25519 public keys are the 2-byte header
# followed by the 32 raw key bytes, multibase base58-btc encoded (prefix "z").
ED25519_MULTICODEC_PREFIX = b"\xed\x01"
_ED25519_KEY_LENGTH = 32
_MULTIBASE_BASE58BTC = "z"


class KeyFormatError(ValueError):
    """A public key encoding (multibase, JWK) could not be read."""


class KeyDecryptionError(Exception):
    """An encrypted private key could not be decrypted: wrong secret, tampering or corruption."""


# --- generation --------------------------------------------------------------------------------


def ed25519_generate() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def rsa_generate(bits: int = 2048) -> rsa.RSAPrivateKey:
    # RFC 7518 §3.3: RS256 keys must be at least 2048 bits.
    if bits < 2048:
        raise ValueError("RSA keys for RS256 must be at least 2048 bits (RFC 7518 §3.3)")
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


# --- Multikey (Ed25519) ------------------------------------------------------------------------


def ed25519_public_key_to_multibase(public_key: Ed25519PublicKey) -> str:
    """The Multikey ``publicKeyMultibase`` of an Ed25519 public key (always starts ``z6Mk``)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return _MULTIBASE_BASE58BTC + base58.b58encode(ED25519_MULTICODEC_PREFIX + raw).decode("ascii")


def ed25519_public_key_from_multibase(value: object) -> Ed25519PublicKey:
    """Read a Multikey ``publicKeyMultibase`` value; raise :class:`KeyFormatError` if it is not
    a base58-btc multibase Ed25519 public key. Takes any value, since it usually comes straight
    from an untrusted controller document."""
    if not isinstance(value, str) or not value:
        raise KeyFormatError("publicKeyMultibase must be a non-empty string")
    if value[0] != _MULTIBASE_BASE58BTC:
        raise KeyFormatError(
            f"publicKeyMultibase must use base58-btc (prefix 'z'), got prefix {value[0]!r}"
        )
    try:
        decoded = base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as exc:
        raise KeyFormatError("publicKeyMultibase is not valid base58-btc") from exc
    if decoded[:2] != ED25519_MULTICODEC_PREFIX:
        raise KeyFormatError(
            "publicKeyMultibase is not an Ed25519 public key "
            f"(multicodec header 0x{decoded[:2].hex()}, expected 0xed01)"
        )
    raw = decoded[2:]
    if len(raw) != _ED25519_KEY_LENGTH:
        raise KeyFormatError(
            f"Ed25519 public key must be {_ED25519_KEY_LENGTH} bytes, got {len(raw)}"
        )
    return Ed25519PublicKey.from_public_bytes(raw)


def did_key_for(public_key: Ed25519PublicKey) -> str:
    """The ``did:key`` identifier of an Ed25519 public key (did:key v0.7 §3.1.2)."""
    return "did:key:" + ed25519_public_key_to_multibase(public_key)


# --- JWK (RSA) ---------------------------------------------------------------------------------

_RSA_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth", "k"})


def _b64url_uint(value: int) -> str:
    # RFC 7518 §6.3.1: Base64urlUInt, big-endian, minimal length, no padding.
    data = value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_uint_decode(value: Any, member: str) -> int:
    if not isinstance(value, str) or not value:
        raise KeyFormatError(f"JWK member {member!r} must be a non-empty base64url string")
    try:
        # validate=True: non-alphabet characters are an error, not silently skipped.
        data = base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_", validate=True)
    except (ValueError, TypeError) as exc:
        raise KeyFormatError(f"JWK member {member!r} is not valid base64url") from exc
    return int.from_bytes(data, "big")


def rsa_public_jwk(public_key: rsa.RSAPublicKey, *, kid: str | None = None) -> dict[str, str]:
    """The public JWK (RFC 7517/7518 §6.3.1) of an RSA key, for RS256 signatures.

    Only public members are emitted, whatever is passed in: a private key is reduced to its
    public half first.
    """
    if isinstance(public_key, rsa.RSAPrivateKey):
        public_key = public_key.public_key()
    numbers = public_key.public_numbers()
    jwk: dict[str, str] = {
        "kty": "RSA",
        "n": _b64url_uint(numbers.n),
        "e": _b64url_uint(numbers.e),
        "alg": "RS256",
        "use": "sig",
    }
    if kid is not None:
        jwk["kid"] = kid
    return jwk


def rsa_public_key_from_jwk(jwk: Mapping[str, Any]) -> rsa.RSAPublicKey:
    """Read a public RSA JWK. A JWK carrying private members is refused: a published key that
    contains them is a leak, and reading it as public would hide that."""
    if not isinstance(jwk, Mapping):
        raise KeyFormatError("JWK must be a JSON object")
    if jwk.get("kty") != "RSA":
        raise KeyFormatError(f"JWK kty must be 'RSA', got {jwk.get('kty')!r}")
    private = sorted(_RSA_PRIVATE_MEMBERS & set(jwk))
    if private:
        raise KeyFormatError(f"JWK contains private key members: {', '.join(private)}")
    n = _b64url_uint_decode(jwk.get("n"), "n")
    e = _b64url_uint_decode(jwk.get("e"), "e")
    if n.bit_length() < 2048:
        raise KeyFormatError(f"RSA modulus is {n.bit_length()} bits; at least 2048 required")
    try:
        return rsa.RSAPublicNumbers(e, n).public_key()
    except ValueError as exc:
        raise KeyFormatError(f"JWK is not a valid RSA public key: {exc}") from exc


# --- encryption at rest ------------------------------------------------------------------------

# Blob layout (version 1):
#   magic b"LCK" | version (1 byte) | salt (16 bytes) | nonce (12 bytes) | AES-GCM ciphertext+tag
# The AES key is HKDF-SHA256(secret, salt, info), fresh per blob because the salt is random. The
# whole header is authenticated as associated data, so a changed version or salt fails the tag.
_MAGIC = b"LCK"
_VERSION_1 = 1
_SALT_LENGTH = 16
_NONCE_LENGTH = 12
_TAG_LENGTH = 16
_HEADER = struct.Struct(f">3sB{_SALT_LENGTH}s{_NONCE_LENGTH}s")
_HKDF_INFO = b"learningcity/credentials private key at rest v1"
_MIN_SECRET_LENGTH = 16


def _derive_key(secret: bytes, salt: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_HKDF_INFO).derive(secret)


def _check_secret(secret: bytes) -> None:
    # HKDF is not a password hash: the secret must already be high-entropy (e.g. a random
    # application secret), so only a minimum length is enforced here.
    if not isinstance(secret, bytes | bytearray) or len(secret) < _MIN_SECRET_LENGTH:
        raise ValueError(f"secret must be at least {_MIN_SECRET_LENGTH} bytes of high entropy")


def private_key_encrypt(key: PrivateKey, *, secret: bytes) -> bytes:
    """Encrypt an Ed25519 or RSA private key (PKCS#8 DER inside) for storage."""
    if not isinstance(key, Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise TypeError("only Ed25519 and RSA private keys can be encrypted")
    _check_secret(secret)
    plaintext = key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    salt = os.urandom(_SALT_LENGTH)
    nonce = os.urandom(_NONCE_LENGTH)
    header = _HEADER.pack(_MAGIC, _VERSION_1, salt, nonce)
    ciphertext = AESGCM(_derive_key(bytes(secret), salt)).encrypt(nonce, plaintext, header)
    return header + ciphertext


def private_key_decrypt(blob: bytes, *, secret: bytes) -> PrivateKey:
    """Decrypt a blob from :func:`private_key_encrypt`.

    Raises :class:`KeyDecryptionError` for a wrong secret, a modified or truncated blob, or an
    unknown format version.
    """
    _check_secret(secret)
    if not isinstance(blob, bytes | bytearray | memoryview):
        raise KeyDecryptionError("encrypted key must be bytes")
    blob = bytes(blob)
    if len(blob) < _HEADER.size + _TAG_LENGTH:
        raise KeyDecryptionError("encrypted key is truncated")
    magic, version, salt, nonce = _HEADER.unpack_from(blob)
    if magic != _MAGIC:
        raise KeyDecryptionError("not an encrypted key (bad magic bytes)")
    if version != _VERSION_1:
        raise KeyDecryptionError(f"unsupported encrypted key version {version}")
    header, ciphertext = blob[: _HEADER.size], blob[_HEADER.size :]
    try:
        plaintext = AESGCM(_derive_key(bytes(secret), salt)).decrypt(nonce, ciphertext, header)
    except InvalidTag:
        raise KeyDecryptionError(
            "encrypted key could not be decrypted: wrong secret or the data was modified"
        ) from None
    try:
        # The RSA consistency checks cost ~25 ms per load, on every signature. They guard against
        # a malformed key from an untrusted source; this one passed AES-GCM authentication, so it
        # is byte for byte the key private_key_encrypt stored (and generated or loaded checked).
        key = serialization.load_der_private_key(
            plaintext, password=None, unsafe_skip_rsa_key_validation=True
        )
    except (ValueError, TypeError) as exc:
        raise KeyDecryptionError("decrypted data is not a PKCS#8 private key") from exc
    if not isinstance(key, Ed25519PrivateKey | rsa.RSAPrivateKey):
        raise KeyDecryptionError(f"unsupported private key type {type(key).__name__}")
    return key
