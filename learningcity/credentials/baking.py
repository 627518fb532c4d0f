"""Baking: carrying a badge inside its own PNG or SVG image, and reading it back out.

- OB 2.0 ("Baking Specification"): PNG ``iTXt`` chunk with keyword ``openbadges``; SVG
  ``<openbadges:assertion>`` in namespace ``http://openbadges.org``. The value is the hosted
  assertion URL, the assertion JSON or a signed-assertion JWS.
- OB 3.0 (Document Formats, "Baked Badge"): PNG ``iTXt`` chunk with keyword
  ``openbadgecredential``; SVG ``<openbadges:credential>`` in namespace
  ``https://purl.imsglobal.org/ob/v3p0``. The value is the credential JSON (embedded proof) or
  the VC-JWT compact JWS.

Images come from uploads and badge imports, so reading treats them as hostile: sizes, chunk
counts and decompression are capped, XML entities and external references are refused
(defusedxml), and every failure is a :class:`BakingError` with a readable message.
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from typing import Any
from xml.dom.minidom import Document, Element, Text
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException
from defusedxml.minidom import parseString

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_TEXT_BYTES",
    "OB2_KEYWORD",
    "OB2_SVG_NAMESPACE",
    "OB3_KEYWORD",
    "OB3_SVG_NAMESPACE",
    "BakingError",
    "bake_png",
    "bake_svg",
    "unbake_png",
    "unbake_svg",
]

OB2_KEYWORD = "openbadges"
OB3_KEYWORD = "openbadgecredential"
OB2_SVG_NAMESPACE = "http://openbadges.org"
OB3_SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_SVG_PREFIX = "openbadges"

# A badge image is tens of kilobytes; a credential with an embedded image a few megabytes.
MAX_IMAGE_BYTES = 16 * 1024 * 1024
MAX_TEXT_BYTES = 8 * 1024 * 1024
_MAX_CHUNKS = 10_000

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_CHUNK_HEADER = struct.Struct(">I4s")
_MAX_CHUNK_LENGTH = 2**31 - 1  # PNG §5.3: chunk lengths are at most 2^31 - 1
_TEXT_CHUNKS = (b"tEXt", b"zTXt", b"iTXt")
_BADGE_KEYWORDS = frozenset({OB2_KEYWORD, OB3_KEYWORD})
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")


class BakingError(ValueError):
    """An image could not be baked or unbaked; the message says why, in plain words."""


# --- PNG ---------------------------------------------------------------------------------------


def _chunks(png: bytes) -> list[tuple[bytes, bytes]]:
    """Split a PNG datastream into ``(type, data)`` chunks, checking what a reader must (PNG
    §5: signature, lengths, CRCs, IHDR first, IEND last). Bytes after IEND are dropped."""
    if not isinstance(png, bytes | bytearray | memoryview):
        raise BakingError("a PNG must be given as bytes")
    png = bytes(png)
    if len(png) > MAX_IMAGE_BYTES:
        raise BakingError(f"image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    if not png.startswith(_PNG_SIGNATURE):
        raise BakingError("not a PNG image (the PNG signature is missing)")
    chunks: list[tuple[bytes, bytes]] = []
    offset = len(_PNG_SIGNATURE)
    while True:
        if len(chunks) >= _MAX_CHUNKS:
            raise BakingError(f"PNG has more than {_MAX_CHUNKS} chunks")
        if offset + _CHUNK_HEADER.size > len(png):
            raise BakingError("PNG is truncated (it ends before its IEND chunk)")
        length, chunk_type = _CHUNK_HEADER.unpack_from(png, offset)
        if length > _MAX_CHUNK_LENGTH:
            raise BakingError("PNG chunk length is out of range")
        if not all(65 <= b <= 90 or 97 <= b <= 122 for b in chunk_type):
            raise BakingError(f"PNG chunk type {chunk_type!r} is not four ASCII letters")
        start = offset + _CHUNK_HEADER.size
        end = start + length
        if end + 4 > len(png):
            raise BakingError(f"PNG is truncated inside a {chunk_type.decode()} chunk")
        data = png[start:end]
        (crc,) = struct.unpack_from(">I", png, end)
        if zlib.crc32(chunk_type + data) != crc:
            raise BakingError(f"PNG {chunk_type.decode()} chunk is corrupt (CRC mismatch)")
        if not chunks and chunk_type != b"IHDR":
            raise BakingError("PNG does not start with an IHDR chunk")
        chunks.append((chunk_type, data))
        offset = end + 4
        if chunk_type == b"IEND":
            return chunks


def _chunk_bytes(chunk_type: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + chunk_type
        + data
        + struct.pack(">I", zlib.crc32(chunk_type + data))
    )


def _check_keyword(keyword: str) -> bytes:
    # PNG §11.3.4.2: 1-79 Latin-1 printable characters, no leading, trailing or double spaces.
    try:
        raw = keyword.encode("latin-1")
    except (UnicodeEncodeError, AttributeError):
        raise BakingError("PNG text keyword must be Latin-1 text") from None
    if (
        not 1 <= len(raw) <= 79
        or keyword != keyword.strip(" ")
        or "  " in keyword
        or any(not (32 <= b <= 126 or 161 <= b <= 255) for b in raw)
    ):
        raise BakingError(f"{keyword!r} is not a valid PNG text keyword")
    return raw


def _inflate(data: bytes) -> bytes:
    inflater = zlib.decompressobj()
    try:
        out = inflater.decompress(data, MAX_TEXT_BYTES + 1)
    except zlib.error:
        raise BakingError("PNG text chunk has corrupt compressed data") from None
    if len(out) > MAX_TEXT_BYTES:
        raise BakingError("PNG text chunk inflates beyond the size limit; refused")
    if not inflater.eof:
        raise BakingError("PNG text chunk has truncated compressed data")
    return out


def _read_text_chunk(chunk_type: bytes, data: bytes) -> tuple[str, str]:
    keyword_end = data.find(b"\x00")
    if keyword_end < 1 or keyword_end > 79:
        raise BakingError(f"PNG {chunk_type.decode()} chunk has no valid keyword")
    keyword = data[:keyword_end].decode("latin-1")
    rest = data[keyword_end + 1 :]
    if chunk_type == b"tEXt":
        return keyword, rest.decode("latin-1")
    if chunk_type == b"zTXt":
        if not rest or rest[0] != 0:
            raise BakingError("PNG zTXt chunk uses an unknown compression method")
        return keyword, _inflate(rest[1:]).decode("latin-1")
    # iTXt: keyword \0 flag method language \0 translated-keyword \0 text (PNG §11.3.4.5)
    if len(rest) < 2:
        raise BakingError("PNG iTXt chunk is truncated")
    compressed, method = rest[0], rest[1]
    language_end = rest.find(b"\x00", 2)
    translated_end = rest.find(b"\x00", language_end + 1) if language_end >= 0 else -1
    if translated_end < 0:
        raise BakingError("PNG iTXt chunk is truncated")
    text = rest[translated_end + 1 :]
    if compressed == 1:
        if method != 0:
            raise BakingError("PNG iTXt chunk uses an unknown compression method")
        text = _inflate(text)
    elif compressed != 0:
        raise BakingError("PNG iTXt chunk has an invalid compression flag")
    try:
        return keyword, text.decode("utf-8")
    except UnicodeDecodeError:
        raise BakingError("PNG iTXt chunk text is not UTF-8") from None


def unbake_png(png: bytes) -> dict[str, str]:
    """All text chunks of a PNG as ``{keyword: text}`` — the badge is under ``"openbadges"``
    (OB 2.0) or ``"openbadgecredential"`` (OB 3.0).

    A badge keyword present twice is an error (OB 3.0 "Baked Badge": the chunk MUST NOT appear
    more than once); for other keywords the first chunk wins.
    """
    found: dict[str, str] = {}
    total = 0
    for chunk_type, data in _chunks(png):
        if chunk_type not in _TEXT_CHUNKS:
            continue
        keyword, text = _read_text_chunk(chunk_type, data)
        total += len(text)
        if total > MAX_TEXT_BYTES:
            raise BakingError("PNG text chunks exceed the size limit; refused")
        if keyword in found:
            if keyword in _BADGE_KEYWORDS:
                raise BakingError(f'PNG has more than one "{keyword}" chunk (there must be one)')
            continue
        found[keyword] = text
    return found


def bake_png(png: bytes, *, keyword: str, text: str) -> bytes:
    """Bake ``text`` into ``png`` as one uncompressed ``iTXt`` chunk, just before ``IEND``.

    Any existing text chunk with the same keyword is removed first, so re-baking never leaves
    two (OB 3.0 "Baked Badge": "MUST NOT appear in a PNG more than once"; compression "MUST NOT
    be used").
    """
    raw_keyword = _check_keyword(keyword)
    if not isinstance(text, str):
        raise BakingError("the text to bake must be a string")
    encoded = text.encode("utf-8")
    if len(encoded) > MAX_TEXT_BYTES:
        raise BakingError("the text to bake is larger than the size limit")
    chunks = [
        (chunk_type, data)
        for chunk_type, data in _chunks(png)
        if not (chunk_type in _TEXT_CHUNKS and data.split(b"\x00", 1)[0] == raw_keyword)
    ]
    # iTXt: keyword, NUL, compression flag 0, method 0, empty language tag + NUL, empty
    # translated keyword + NUL, UTF-8 text.
    badge_chunk = (b"iTXt", raw_keyword + b"\x00\x00\x00\x00\x00" + encoded)
    chunks.insert(len(chunks) - 1, badge_chunk)
    return _PNG_SIGNATURE + b"".join(_chunk_bytes(t, d) for t, d in chunks)


# --- SVG ---------------------------------------------------------------------------------------


def _parse_svg(svg: str | bytes) -> tuple[Document, Element]:
    if isinstance(svg, str):
        data = svg.encode("utf-8")
        # An XML declaration naming another encoding would contradict the str we were given.
        data = re.sub(rb"^(\s*<\?xml[^>]*?)\s+encoding=(['\"])[^'\"]*\2", rb"\1", data)
    elif isinstance(svg, bytes | bytearray):
        data = bytes(svg)
    else:
        raise BakingError("an SVG must be given as text or bytes")
    if len(data) > MAX_IMAGE_BYTES:
        raise BakingError(f"image is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    try:
        # defusedxml: entity declarations (billion laughs) and external entities/DTDs are
        # refused instead of expanded or fetched.
        document = parseString(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise BakingError(
            f"SVG refused: {type(exc).__name__} (entities and external references are not allowed)"
        ) from None
    except ExpatError as exc:
        raise BakingError(f"not a well-formed SVG: {exc}") from None
    except (ValueError, UnicodeError, LookupError, RecursionError, TypeError):
        raise BakingError("not a well-formed SVG") from None
    root = document.documentElement
    if root is None or root.localName != "svg" or root.namespaceURI not in (_SVG_NAMESPACE, None):
        raise BakingError("not an SVG image (the root element is not <svg>)")
    return document, root


def _badge_elements(document: Document, namespace: str, local_name: str) -> list[Element]:
    return list(document.getElementsByTagNameNS(namespace, local_name))


def _element_value(element: Element) -> str:
    # The verify attribute (URL or JWS) wins over the body, as the OB 2.0 and OB 3.0 extraction
    # rules and the 1EdTech bakery read it; otherwise the CDATA / text body.
    verify = element.getAttribute("verify")
    if verify:
        return verify.strip()
    body = "".join(node.data for node in element.childNodes if isinstance(node, Text))
    return body.strip()


def unbake_svg(svg: str | bytes) -> dict[str, str]:
    """The badge baked into an SVG: ``{"openbadges": ...}`` for OB 2.0,
    ``{"openbadgecredential": ...}`` for OB 3.0 (the same keys as :func:`unbake_png`); empty
    when the image carries no badge. More than one badge element of a version is an error.
    """
    document, _ = _parse_svg(svg)
    found: dict[str, str] = {}
    for keyword, namespace, local_name in (
        (OB2_KEYWORD, OB2_SVG_NAMESPACE, "assertion"),
        (OB3_KEYWORD, OB3_SVG_NAMESPACE, "credential"),
    ):
        elements = _badge_elements(document, namespace, local_name)
        if len(elements) > 1:
            raise BakingError(
                f"SVG has {len(elements)} <openbadges:{local_name}> elements (there must be one)"
            )
        if elements:
            value = _element_value(elements[0])
            if not value:
                raise BakingError(f"SVG <openbadges:{local_name}> element is empty")
            if len(value) > MAX_TEXT_BYTES:
                raise BakingError("SVG badge data exceeds the size limit; refused")
            found[keyword] = value
    return found


def _is_url(value: str) -> bool:
    return bool(re.match(r"^https?://\S+$", value))


def _cdata_safe_json(value: str) -> str:
    # A CDATA section ends at "]]>". In JSON that sequence can only occur inside a string,
    # where ">" may be written as \u003e with the same meaning.
    return value.replace("]]>", "]]\\u003e")


def bake_svg(svg: str | bytes, *, assertion_json_or_url: str, ob3: bool) -> str:
    """Bake a badge into an SVG, replacing any badge already baked into it.

    OB 3.0 (``ob3=True``, "Baked Badge — SVG"): ``xmlns:openbadges="https://purl.imsglobal.org/
    ob/v3p0"`` on ``<svg>`` and, directly after it, ``<openbadges:credential>`` holding either a
    ``verify`` attribute with the VC-JWT, or the credential JSON in CDATA.

    OB 2.0 (``ob3=False``, Baking Specification): ``xmlns:openbadges="http://openbadges.org"``
    and ``<openbadges:assertion verify="...">``: the hosted assertion's URL with its JSON in
    CDATA when given JSON, the URL alone when given a URL, or the signed assertion's JWS.

    Returns the SVG re-serialised (comments, attributes and content kept).
    """
    value = assertion_json_or_url.strip() if isinstance(assertion_json_or_url, str) else None
    if not value:
        raise BakingError("nothing to bake")
    verify: str | None = None
    body: str | None = None
    if value.startswith("{"):
        try:
            parsed: Any = json.loads(value)
        except (ValueError, RecursionError):
            raise BakingError("the badge JSON is not valid JSON") from None
        if not isinstance(parsed, dict):
            raise BakingError("the badge JSON must be an object")
        body = _cdata_safe_json(value)
        if not ob3:
            # OB 2.0: a hosted assertion also gives its URL, which verifiers fetch.
            if not isinstance(parsed.get("id"), str) or not _is_url(parsed["id"]):
                raise BakingError("an OB 2.0 assertion to bake needs its hosted URL as id")
            verify = parsed["id"]
    elif _JWS.match(value) or (_is_url(value) and not ob3):
        verify = value
    else:
        expected = "credential JSON or a VC-JWT" if ob3 else "assertion JSON, URL or JWS"
        raise BakingError(f"cannot bake this value: expected {expected}")

    document, root = _parse_svg(svg)
    # One badge per image: remove every earlier badge element of either version, and the
    # prefix declaration that went with it.
    for namespace, local_name in (
        (OB2_SVG_NAMESPACE, "assertion"),
        (OB3_SVG_NAMESPACE, "credential"),
    ):
        for element in _badge_elements(document, namespace, local_name):
            parent = element.parentNode
            if parent is not None:
                parent.removeChild(element)
    if root.hasAttribute("xmlns:" + _SVG_PREFIX):
        root.removeAttribute("xmlns:" + _SVG_PREFIX)

    namespace = OB3_SVG_NAMESPACE if ob3 else OB2_SVG_NAMESPACE
    local_name = "credential" if ob3 else "assertion"
    root.setAttribute("xmlns:" + _SVG_PREFIX, namespace)
    element = document.createElementNS(namespace, f"{_SVG_PREFIX}:{local_name}")
    if verify is not None:
        element.setAttribute("verify", verify)
    if body is not None:
        element.appendChild(document.createCDATASection(body))
    root.insertBefore(element, root.firstChild)
    try:
        baked = document.toxml()
    except ValueError as exc:
        raise BakingError(f"could not write the SVG: {exc}") from None
    # The image may have used the "openbadges" prefix for something else; make sure what
    # comes out still parses and carries exactly the badge that went in.
    baked_value = verify if verify is not None else body
    keyword = OB3_KEYWORD if ob3 else OB2_KEYWORD
    if unbake_svg(baked).get(keyword) != (baked_value or "").strip():
        raise BakingError("could not bake this SVG: it uses the openbadges prefix itself")
    return baked
