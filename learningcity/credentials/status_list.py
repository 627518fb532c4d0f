"""Bitstring Status List v1.0: the bitstring behind ``BitstringStatusListCredential``.

One bit per issued credential; a set bit means "revoked" (or "suspended", per the list's
``statusPurpose``). The list is published GZIP-compressed and multibase-base64url encoded in
``credentialSubject.encodedList``. The credential that carries it is built by
:func:`learningcity.credentials.documents.bitstring_status_list_credential`.

Decoding treats the encoded list as hostile input: it may come from any issuer on badge import.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib

__all__ = [
    "MAX_DECODED_BYTES",
    "MIN_LENGTH",
    "StatusListError",
    "bit_is_set",
    "decode",
    "encode",
    "new",
    "set_bit",
]

# Bitstring Status List v1.0 §2.2 / §3.3: the uncompressed bitstring MUST be at least 16KB
# (131,072 entries), for herd privacy (§6.1).
MIN_LENGTH = 131_072

# A legitimate list is 16KB to a few MB; a GZIP bomb could inflate to gigabytes. 16 MiB is
# 134 million entries, far more than any city will issue.
MAX_DECODED_BYTES = 16 * 1024 * 1024
# GZIP cannot do better than about 1032:1, so a valid list never needs more encoded input than
# this; refusing longer strings up front bounds the base64 work too.
_MAX_ENCODED_CHARS = 4 * 1024 * 1024

# Multibase prefix for base64url without padding (Controlled Identifiers v1.0 §2.4).
_MULTIBASE_BASE64URL = "u"
# A GZIP stream starts 1f 8b 08, which base64url-encodes to "H4sI": this is how the
# pre-multibase form (StatusList2021 drafts) is told apart from a multibase string.
_GZIP_BASE64_START = "H4s"


class StatusListError(ValueError):
    """An encoded status list or a status index could not be used."""


def new(length: int = MIN_LENGTH) -> bytearray:
    """A bitstring of ``length`` bits, all clear (Bitstring Status List v1.0 §3.3 step 1)."""
    if length < MIN_LENGTH:
        raise StatusListError(f"a status list must have at least {MIN_LENGTH} entries (§3.3)")
    if length % 8:
        raise StatusListError("status list length must be a whole number of bytes")
    return bytearray(length // 8)


def encode(bits: bytes | bytearray) -> str:
    """GZIP then multibase base64url (no padding) — Bitstring Status List v1.0 §3.3 step 3.

    The GZIP header's timestamp is fixed at zero so that the same bits always give the same
    string (stable ETags, no needless re-signing).
    """
    if len(bits) * 8 < MIN_LENGTH:
        raise StatusListError(
            f"status list is {len(bits) * 8} bits; at least {MIN_LENGTH} are required (§2.2)"
        )
    compressed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    encoded = base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")
    return _MULTIBASE_BASE64URL + encoded


def decode(
    encoded: str,
    *,
    minimum_length: int = MIN_LENGTH,
    max_bytes: int = MAX_DECODED_BYTES,
) -> bytearray:
    """Expand an ``encodedList`` (Bitstring Status List v1.0 §3.4) into its bitstring.

    Accepts the v1.0 form (multibase prefix ``u``) and the earlier form without the prefix that
    StatusList2021 lists still use. Raises :class:`StatusListError` for anything malformed, for a
    list shorter than ``minimum_length`` bits (§3.2 step 9, STATUS_LIST_LENGTH_ERROR) and for one
    that would inflate beyond ``max_bytes``.
    """
    if not isinstance(encoded, str):
        raise StatusListError("encodedList must be a string")
    if len(encoded) > _MAX_ENCODED_CHARS:
        raise StatusListError("encodedList is too long")
    if encoded.startswith(_MULTIBASE_BASE64URL):
        body = encoded[1:]
    elif encoded.startswith(_GZIP_BASE64_START):
        body = encoded
    else:
        raise StatusListError(
            "encodedList must be multibase base64url (starting with 'u') of GZIP data"
        )
    body = body.rstrip("=")
    if not body.isascii() or not all(c.isalnum() or c in "-_" for c in body):
        raise StatusListError("encodedList is not valid base64url")
    if len(body) % 4 == 1:
        raise StatusListError("encodedList is not valid base64url (bad length)")
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (binascii.Error, ValueError) as exc:
        raise StatusListError("encodedList is not valid base64url") from exc

    # wbits=16+MAX_WBITS: expect a GZIP header and trailer (RFC 1952), not raw zlib.
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        bits = inflater.decompress(compressed, max_bytes + 1)
    except zlib.error as exc:
        raise StatusListError(f"encodedList is not valid GZIP data ({exc})") from None
    if len(bits) > max_bytes:
        raise StatusListError(f"status list inflates to more than {max_bytes} bytes; refused")
    if not inflater.eof:
        raise StatusListError("encodedList GZIP data is truncated")
    if inflater.unused_data:
        raise StatusListError("encodedList has data after the GZIP stream")
    if len(bits) * 8 < minimum_length:
        raise StatusListError(
            f"status list has {len(bits) * 8} entries; at least {minimum_length} are required "
            "for herd privacy (STATUS_LIST_LENGTH_ERROR)"
        )
    return bytearray(bits)


def _position(bitstring: bytes | bytearray, index: int) -> tuple[int, int]:
    if isinstance(index, bool) or not isinstance(index, int):
        raise StatusListError("status list index must be an integer")
    if index < 0 or index >= len(bitstring) * 8:
        # §3.2 step 10: an index outside the bitstring is a RANGE_ERROR.
        raise StatusListError(
            f"status list index {index} is outside the list of {len(bitstring) * 8} entries"
        )
    # §2.2: index 0 is the left-most bit of the bitstring, i.e. the most significant bit of
    # the first byte.
    return index // 8, 0x80 >> (index % 8)


def bit_is_set(bitstring: bytes | bytearray, index: int) -> bool:
    byte, mask = _position(bitstring, index)
    return bool(bitstring[byte] & mask)


def set_bit(bitstring: bytearray, index: int, value: bool = True) -> None:
    """Set (or with ``value=False`` clear) the bit at ``index``, in place."""
    byte, mask = _position(bitstring, index)
    if value:
        bitstring[byte] |= mask
    else:
        bitstring[byte] &= ~mask & 0xFF
