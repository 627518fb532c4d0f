"""Uploaded badge images are hostile until this module has made them safe.

An SVG is a program as much as a picture: it can run script, load other files, and take over
the page that shows it. :func:`svg_sanitise` keeps only an allow-list of drawing elements and
attributes, keeps references inside the document only (``#id``), and writes a fresh document;
whatever it does not know, it drops. A PNG or JPEG is checked by Pillow, limited in bytes and
pixels before it is decoded (a small file can claim billions of pixels), and re-encoded as a
PNG so no metadata (GPS positions in photos) survives. Each refusal raises
:class:`~learningcity.core.errors.ServiceError` with a message from the error vocabulary.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException
from PIL import Image, UnidentifiedImageError

from learningcity.core import errors
from learningcity.core.errors import ServiceError

SVG_MAX_BYTES = 512 * 1024
SVG_MAX_ELEMENTS = 5_000
RASTER_MAX_BYTES = 2 * 1024 * 1024
RASTER_MAX_SIDE = 4096
RASTER_FORMATS = {"PNG", "JPEG"}

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# Drawing only. Not here, on purpose: script, foreignObject (HTML inside SVG), image (loads
# other files), a/animate/set (can rewrite hrefs to javascript:), filter primitives that fetch
# (feImage), and anything from an editor's own namespace (Inkscape, Sodipodi metadata).
ALLOWED_ELEMENTS = frozenset(
    {
        "svg", "g", "defs", "title", "desc", "symbol", "use", "style",
        "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
        "text", "tspan", "textPath",
        "linearGradient", "radialGradient", "stop", "clipPath", "mask", "pattern",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = frozenset(
    {
        "id", "class", "style", "transform", "viewBox", "preserveAspectRatio", "version",
        "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy",
        "width", "height", "d", "points", "pathLength", "offset",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity",
        "stroke-linecap", "stroke-linejoin", "stroke-miterlimit", "stroke-dasharray",
        "stroke-dashoffset", "opacity", "color", "display", "visibility",
        "clip-path", "clip-rule", "mask", "stop-color", "stop-opacity",
        "gradientUnits", "gradientTransform", "spreadMethod",
        "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits",
        "maskUnits", "maskContentUnits",
        "font-family", "font-size", "font-weight", "font-style", "text-anchor",
        "dominant-baseline", "letter-spacing", "word-spacing", "dx", "dy", "rotate",
        "textLength", "lengthAdjust", "startOffset",
        "role", "aria-label", "aria-hidden", "focusable",
    }
)  # fmt: skip
HREF_ATTRIBUTES = {"href", f"{{{XLINK_NS}}}href"}

# url(...) is allowed only to a fragment of this document: fill="url(#gradient)".
_URL_RE = re.compile(r"url\s*\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
# CSS escapes (u\72l) and comments can spell "url(" or "@import" without those letters.
_CSS_TRICKS_RE = re.compile(r"\\|/\*|@import|expression\s*\(|javascript:", re.IGNORECASE)


@dataclass(frozen=True)
class CleanImage:
    """A safe image: ``svg`` text, or ``png`` bytes (exactly one is set)."""

    svg: str = ""
    png: bytes = b""


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _value_is_safe(value: str) -> bool:
    if _CSS_TRICKS_RE.search(value):
        return False
    for match in _URL_RE.finditer(value):
        if not match.group(2).strip().startswith("#"):
            return False
    # A url( the pattern could not read (unbalanced quotes) is refused too.
    return value.lower().count("url(") == len(_URL_RE.findall(value))


def _clean_attributes(source: ET.Element) -> dict[str, str]:
    kept = {}
    for name, value in source.attrib.items():
        if name in HREF_ATTRIBUTES:
            # Only references inside this document; javascript:, data: and remote files go.
            if value.strip().startswith("#") and _value_is_safe(value):
                kept[f"{{{XLINK_NS}}}href" if name != "href" else "href"] = value.strip()
            continue
        if name == f"{{{XML_NS}}}space":
            kept[name] = value
            continue
        if name not in ALLOWED_ATTRIBUTES:  # on* handlers, namespaced editor attributes
            continue
        if _value_is_safe(value):
            kept[name] = value
    return kept


def _copy(source: ET.Element, parent: ET.Element | None) -> ET.Element | None:
    namespace, name = _local(source.tag) if isinstance(source.tag, str) else ("", "")
    if namespace != SVG_NS or name not in ALLOWED_ELEMENTS:
        return None
    if name == "style" and not _value_is_safe(source.text or ""):
        return None
    attributes = _clean_attributes(source)
    element = (
        ET.Element(source.tag, attributes)
        if parent is None
        else ET.SubElement(parent, source.tag, attributes)
    )
    element.text = source.text
    for child in source:
        copied = _copy(child, element)
        if copied is not None:
            copied.tail = child.tail
    return element


def svg_sanitise(data: bytes) -> str:
    """A safe SVG document drawn from ``data``, or :class:`ServiceError` saying why not.

    Refused outright: more than :data:`SVG_MAX_BYTES`, anything that is not XML with an SVG
    root, any DTD or entity declaration (billion laughs, external entities), more than
    :data:`SVG_MAX_ELEMENTS` elements. Dropped silently: every element and attribute not on the
    allow-lists, event handlers, hrefs that leave the document, ``url()`` to anything but
    ``#id``, ``<style>`` with imports or remote URLs, comments and processing instructions.
    """
    if len(data) > SVG_MAX_BYTES:
        raise ServiceError(errors.BADGE_IMAGE_TOO_LARGE.format(limit_kb=SVG_MAX_BYTES // 1024))
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ServiceError(errors.BADGE_SVG_ENTITIES) from None
    except (ET.ParseError, ValueError):
        raise ServiceError(errors.BADGE_SVG_NOT_SVG) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ServiceError(errors.BADGE_SVG_NOT_SVG)
    if sum(1 for _ in root.iter()) > SVG_MAX_ELEMENTS:
        raise ServiceError(errors.BADGE_SVG_TOO_COMPLEX.format(limit=SVG_MAX_ELEMENTS))
    clean = _copy(root, None)
    assert clean is not None  # the root was checked above
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    return ET.tostring(clean, encoding="unicode")


def raster_sanitise(data: bytes) -> bytes:
    """``data`` (a PNG or JPEG) re-encoded as a PNG without metadata, or :class:`ServiceError`.

    The pixel limit is checked from the header, before any pixel is decoded, and Pillow's own
    decompression-bomb warning is turned into a refusal for this call only (its global
    ``MAX_IMAGE_PIXELS`` is left alone: other uploads have their own limits).
    """
    if len(data) > RASTER_MAX_BYTES:
        raise ServiceError(errors.BADGE_IMAGE_TOO_LARGE.format(limit_kb=RASTER_MAX_BYTES // 1024))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in RASTER_FORMATS:
                    raise ServiceError(errors.BADGE_IMAGE_FORMAT)
                width, height = probe.size
                if max(width, height) > RASTER_MAX_SIDE:
                    raise ServiceError(
                        errors.BADGE_IMAGE_TOO_MANY_PIXELS.format(
                            width=width, height=height, limit=RASTER_MAX_SIDE
                        )
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                pixels = image.convert("RGBA")
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ServiceError(
            errors.BADGE_IMAGE_TOO_MANY_PIXELS.format(width="?", height="?", limit=RASTER_MAX_SIDE)
        ) from None
    except ServiceError:
        raise
    except UnidentifiedImageError:
        raise ServiceError(errors.BADGE_IMAGE_FORMAT) from None
    except (OSError, SyntaxError, ValueError):
        raise ServiceError(errors.BADGE_IMAGE_UNREADABLE) from None
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


def looks_like_svg(*, name: str, data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return name.lower().endswith(".svg") or head.startswith((b"<?xml", b"<svg", b"<!"))


def badge_image_clean(*, name: str, data: bytes) -> CleanImage:
    """An uploaded badge image made safe: SVG by name or content, else PNG/JPEG."""
    if looks_like_svg(name=name, data=data):
        return CleanImage(svg=svg_sanitise(data))
    return CleanImage(png=raster_sanitise(data))
