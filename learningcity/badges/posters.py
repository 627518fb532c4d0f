"""The printable claim poster: a PNG the size of A4 at 150 dpi (1240 × 1754 pixels) with the
badge's name, the organisation, a large QR code to the claim page and the typed code for people
without a camera. Pure drawing: it takes strings and returns bytes."""

from __future__ import annotations

import io
import textwrap

import segno
from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1240, 1754  # A4 at 150 dpi
MARGIN = 100
INK = (20, 24, 31)
SOFT = (70, 78, 90)


def _font(size: int, *, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, size)
    except OSError:
        for folder in ("/usr/share/fonts/truetype/dejavu/",):
            try:
                return ImageFont.truetype(folder + name, size)
            except OSError:
                pass
        return ImageFont.load_default(size=size)


def _centred(draw: ImageDraw.ImageDraw, y: int, text: str, font: object, fill: tuple) -> int:
    """Draw ``text`` centred at height ``y``; return the y below it."""
    left, top, right, bottom = draw.textbbox((0, 0), text, font=font)  # type: ignore[arg-type]
    draw.text(((WIDTH - (right - left)) / 2, y), text, font=font, fill=fill)  # type: ignore[arg-type]
    return int(y + (bottom - top) + 24)


def claim_qr_image(claim_url: str, *, side: int = 760) -> Image.Image:
    """The QR code for ``claim_url``, at most ``side`` pixels square, with the 4-module quiet
    zone. A whole number of pixels per module keeps every module the same size for scanners."""
    qr = segno.make(claim_url, error="m")
    modules = qr.symbol_size(border=4)[0]
    buffer = io.BytesIO()
    qr.save(buffer, kind="png", scale=max(1, side // modules), border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")


def claim_poster_png(
    *, badge_name: str, organisation_name: str, claim_url: str, display_code: str, site: str
) -> bytes:
    """The poster as PNG bytes. ``site`` is the host people type (``example.org``)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    y = MARGIN
    y = _centred(draw, y, "Claim your badge", _font(56, bold=True), SOFT)
    for line in textwrap.wrap(badge_name, width=22)[:3]:
        y = _centred(draw, y, line, _font(84, bold=True), INK)
    for line in textwrap.wrap(f"from {organisation_name}", width=40)[:2]:
        y = _centred(draw, y, line, _font(44), SOFT)

    qr_image = claim_qr_image(claim_url)
    image.paste(qr_image, ((WIDTH - qr_image.width) // 2, y + 20))
    y += qr_image.height + 60

    y = _centred(draw, y, "Scan with your phone's camera, or type this code:", _font(38), SOFT)
    y = _centred(draw, y, display_code, _font(150, bold=True), INK)
    _centred(
        draw,
        min(y + 20, HEIGHT - 120),
        f"No camera? Go to {site}/claim and type the code.",
        _font(36),
        SOFT,
    )

    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(150, 150))
    return out.getvalue()
