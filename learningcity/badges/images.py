"""Badge images drawn from the badge class: an SVG and a PNG of the same design.

A placeholder for the badge designer that the issuing work brings: a round badge in the
organisation's colour, a band in the level's colour, the badge name and its level. Text is
escaped for SVG; nothing from the user becomes markup.
"""

from __future__ import annotations

import io
import textwrap
from functools import lru_cache
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from .models import BadgeClass, Level

SIZE = 400

LEVEL_COLOURS = {
    Level.ENGAGE: "#1b7f5b",
    Level.PARTICIPATE: "#0b5cad",
    Level.DEMONSTRATE: "#7a3db8",
    Level.LEAD: "#9a3412",
    "": "#374151",
}


def _lines(name: str) -> list[str]:
    lines = textwrap.wrap(name, width=14)[:3]
    if len(textwrap.wrap(name, width=14)) > 3:
        lines[-1] = lines[-1][:12] + "…"
    return lines


def badge_svg(badge_class: BadgeClass) -> str:
    colour = badge_class.image_colour
    band = LEVEL_COLOURS.get(badge_class.level, LEVEL_COLOURS[""])
    lines = _lines(badge_class.name)
    first_y = 200 - (len(lines) - 1) * 22
    text = "".join(
        f'<text x="200" y="{first_y + i * 44}" font-size="36" font-weight="700" '
        f'text-anchor="middle" fill="#ffffff" font-family="system-ui, sans-serif">'
        f"{escape(line)}</text>"
        for i, line in enumerate(lines)
    )
    level = escape(badge_class.level.upper()) if badge_class.level else "BADGE"
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label="{escape(badge_class.name)}">'
        f'<circle cx="200" cy="200" r="190" fill="{colour}"/>'
        f'<circle cx="200" cy="200" r="170" fill="none" stroke="#ffffff" stroke-width="6"/>'
        f'<rect x="60" y="300" width="280" height="50" rx="10" fill="{band}"/>'
        f'<text x="200" y="335" font-size="26" font-weight="700" text-anchor="middle" '
        f'fill="#ffffff" font-family="system-ui, sans-serif" letter-spacing="3">{level}</text>'
        f"{text}</svg>"
    )


@lru_cache(maxsize=4)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in (
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
        "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
    ):
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def badge_png(badge_class: BadgeClass) -> bytes:
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, 390, 390), fill=badge_class.image_colour)
    draw.ellipse((30, 30, 370, 370), outline="#ffffff", width=6)
    band = LEVEL_COLOURS.get(badge_class.level, LEVEL_COLOURS[""])
    draw.rounded_rectangle((60, 300, 340, 350), radius=10, fill=band)
    level = badge_class.level.upper() if badge_class.level else "BADGE"
    draw.text((200, 325), level, font=_font(24), fill="#ffffff", anchor="mm")
    lines = _lines(badge_class.name)
    first_y = 190 - (len(lines) - 1) * 22
    for i, line in enumerate(lines):
        draw.text((200, first_y + i * 44), line, font=_font(34), fill="#ffffff", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
