"""The badge designer: a badge image built from a few choices, drawn the same way as SVG and PNG.

A design is a shape (by the kind of opportunity), a body colour (the badge class's
``image_colour``), a band in the level's colour, one icon from a built-in set and a short title.
Shapes and icons are plain geometry (polygons, circles, strokes) in one coordinate space, so
the SVG and the Pillow renderer draw exactly the same thing and nothing the user types ever
becomes markup: the title is escaped, and the colour must be a ``#rrggbb`` value.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from xml.sax.saxutils import escape, quoteattr

from PIL import Image, ImageDraw, ImageFont

from learningcity.core.colours import contrast_ratio

from .models import BadgeClass, Level

SIZE = 400
TITLE_MAX_LENGTH = 18
DEFAULT_COLOUR = "#0b5cad"
WHITE = "#ffffff"
INK = "#111827"
HEX_COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
FONT_PATHS = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf",
)

# The level band carries white text, so every colour here keeps white at 4.5:1 or more
# (WCAG 2.2 §1.4.3); tests/test_design.py holds them to it.
LEVEL_COLOURS: dict[str, str] = {
    Level.ENGAGE: "#17694b",
    Level.PARTICIPATE: "#0b5cad",
    Level.DEMONSTRATE: "#6b2fa8",
    Level.LEAD: "#9a3412",
    "": "#374151",
}

Point = tuple[float, float]
# Drawing operations, in a 0–100 box for icons and a 0–400 box for shapes:
#   ("poly", [points])              a filled polygon
#   ("circle", cx, cy, r)           a filled circle
#   ("ring", cx, cy, r, width)      a circle's outline
#   ("line", [points], width)       a stroked polyline with round ends
Op = tuple


def _regular(n: int, radius: float, *, cx: float = 200, cy: float = 200, turn: float = 0) -> list:
    return [
        (
            cx + radius * math.cos(2 * math.pi * i / n + turn),
            cy + radius * math.sin(2 * math.pi * i / n + turn),
        )
        for i in range(n)
    ]


def _star(points: int, outer: float, inner: float, *, cx: float, cy: float) -> list[Point]:
    result = []
    for i in range(points * 2):
        radius = outer if i % 2 == 0 else inner
        angle = math.pi * i / points - math.pi / 2
        result.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle)))
    return result


def _arc(cx: float, cy: float, r: float, start: float, end: float, steps: int = 16) -> list:
    return [
        (
            cx + r * math.cos(math.radians(start + (end - start) * i / steps)),
            cy + r * math.sin(math.radians(start + (end - start) * i / steps)),
        )
        for i in range(steps + 1)
    ]


@dataclass(frozen=True)
class Shape:
    label: str
    outline: Callable[[], list[Point]]


def _shield() -> list[Point]:
    # A flat top with cut corners, straight sides, and a rounded point at the bottom.
    return [
        (200, 8),
        (372, 48),
        (372, 190),
        *_arc(200, 190, 172, 0, 90)[1:],
        (200, 392),
        *_arc(200, 190, 172, 90, 180)[1:],
        (28, 48),
    ]


SHAPES: dict[str, Shape] = {
    "circle": Shape("Circle — clubs and regular activities", lambda: _regular(96, 192)),
    "shield": Shape("Shield — volunteering and leadership", _shield),
    "hexagon": Shape(
        "Hexagon — science, technology and making", lambda: _regular(6, 196, turn=math.pi / 6)
    ),
    "rosette": Shape(
        "Rosette — events and competitions", lambda: _star(18, 194, 176, cx=200, cy=200)
    ),
    "square": Shape("Square — courses and workshops", lambda: _regular(4, 250, turn=math.pi / 4)),
    "octagon": Shape("Octagon — arts and culture", lambda: _regular(8, 196, turn=math.pi / 8)),
}


@dataclass(frozen=True)
class Icon:
    label: str
    ops: tuple[Op, ...]


ICONS: dict[str, Icon] = {
    "star": Icon("Star", (("poly", _star(5, 48, 20, cx=50, cy=54)),)),
    "book": Icon(
        "Book",
        (
            ("poly", [(6, 22), (46, 28), (46, 88), (6, 80)]),
            ("poly", [(54, 28), (94, 22), (94, 80), (54, 88)]),
        ),
    ),
    "code": Icon(
        "Code",
        (
            ("line", [(32, 26), (8, 50), (32, 74)], 9),
            ("line", [(68, 26), (92, 50), (68, 74)], 9),
            ("line", [(58, 16), (42, 84)], 8),
        ),
    ),
    "music": Icon(
        "Music",
        (
            ("circle", 26, 78, 13),
            ("circle", 74, 68, 13),
            ("poly", [(33, 78), (39, 78), (39, 22), (33, 22)]),
            ("poly", [(81, 68), (87, 68), (87, 10), (81, 10)]),
            ("poly", [(33, 14), (87, 2), (87, 16), (33, 28)]),
        ),
    ),
    "leaf": Icon(
        "Leaf",
        (
            ("poly", [*_arc(78, 78, 70, 180, 270), *_arc(22, 22, 70, 0, 90)]),
            ("line", [(16, 90), (70, 30)], 5),
        ),
    ),
    "heart": Icon(
        "Heart",
        (
            ("circle", 29, 34, 22),
            ("circle", 71, 34, 22),
            ("poly", [(9, 44), (50, 92), (91, 44), (50, 30)]),
        ),
    ),
    "spanner": Icon(
        "Spanner",
        (
            ("line", [(16, 86), (58, 44)], 14),
            ("ring", 68, 32, 17, 11),
        ),
    ),
    "people": Icon(
        "People",
        (
            ("circle", 30, 30, 14),
            ("circle", 70, 30, 14),
            ("poly", _arc(30, 86, 26, 180, 360)),
            ("poly", _arc(70, 86, 26, 180, 360)),
        ),
    ),
    "globe": Icon(
        "Globe",
        (
            ("ring", 50, 50, 40, 7),
            ("line", [(12, 50), (88, 50)], 6),
            ("line", [(50, 10), (50, 90)], 6),
            ("line", _arc(90, 50, 52, 140, 220), 6),
            ("line", _arc(10, 50, 52, -40, 40), 6),
        ),
    ),
}

# Until opportunities exist (and carry a type), a new badge starts from the organisation's type.
# TODO(#4): choose by the opportunity's type once badges link to opportunities.
SHAPE_FOR_ORGANISATION_TYPE = {
    "school": "square",
    "fe_college": "square",
    "charity": "shield",
    "council_service": "shield",
    "youth_group": "circle",
    "employer": "hexagon",
    "library": "octagon",
    "museum": "octagon",
}

SHAPE_CHOICES = [(key, shape.label) for key, shape in SHAPES.items()]
ICON_CHOICES = [(key, icon.label) for key, icon in ICONS.items()]

# Where the parts sit on the 400 × 400 badge.
ICON_BOX = (145.0, 62.0, 1.1)  # left, top, scale of the 0–100 icon box
TITLE_Y = 236
BAND = (60, 278, 340, 330)


@dataclass(frozen=True)
class Design:
    """Everything the image depends on. Build one with :func:`design_for` or from a form."""

    shape: str = "circle"
    icon: str = "star"
    title: str = ""
    level: str = ""
    colour: str = DEFAULT_COLOUR

    def normalised(self) -> Design:
        """The same design with unknown choices replaced by defaults: safe to draw."""
        return Design(
            shape=self.shape if self.shape in SHAPES else "circle",
            icon=self.icon if self.icon in ICONS else "star",
            title=self.title.strip()[:TITLE_MAX_LENGTH],
            level=self.level if self.level in LEVEL_COLOURS else "",
            colour=self.colour if HEX_COLOUR_RE.match(self.colour or "") else DEFAULT_COLOUR,
        )

    @property
    def ink(self) -> str:
        """White on the body colour when it reads at 4.5:1, else near-black."""
        return WHITE if contrast_ratio(self.colour, WHITE) >= 4.5 else INK

    @property
    def band(self) -> str:
        return LEVEL_COLOURS[self.level]

    @property
    def band_text(self) -> str:
        return self.level.upper() if self.level else "BADGE"


def design_for(badge_class: BadgeClass) -> Design:
    return Design(
        shape=badge_class.design_shape,
        icon=badge_class.design_icon,
        title=badge_class.design_title or badge_class.name,
        level=badge_class.level,
        colour=badge_class.image_colour,
    ).normalised()


def _title_size(title: str) -> int:
    # DejaVu Sans Bold's capitals average about 0.68 em; keep the title inside 300 px.
    return max(18, min(40, int(300 / (0.68 * max(len(title), 1)))))


# --- SVG ------------------------------------------------------------------------------------------


def _points(points: list[Point]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


def _svg_op(op: Op, fill: str) -> str:
    kind = op[0]
    if kind == "poly":
        return f'<polygon points="{_points(op[1])}" fill="{fill}"/>'
    if kind == "circle":
        return f'<circle cx="{op[1]}" cy="{op[2]}" r="{op[3]}" fill="{fill}"/>'
    if kind == "ring":
        return (
            f'<circle cx="{op[1]}" cy="{op[2]}" r="{op[3]}" fill="none" '
            f'stroke="{fill}" stroke-width="{op[4]}"/>'
        )
    return (
        f'<polyline points="{_points(op[1])}" fill="none" stroke="{fill}" '
        f'stroke-width="{op[2]}" stroke-linecap="round" stroke-linejoin="round"/>'
    )


def design_svg(design: Design, *, label: str = "") -> str:
    """The design as a standalone SVG document. ``label`` is its accessible name."""
    design = design.normalised()
    outline = SHAPES[design.shape].outline()
    inner = [(200 + (x - 200) * 0.9, 200 + (y - 200) * 0.9) for x, y in outline]
    left, top, scale = ICON_BOX
    icon = "".join(_svg_op(op, design.ink) for op in ICONS[design.icon].ops)
    size = _title_size(design.title)
    x0, y0, x1, y1 = BAND
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" '
        f'width="{SIZE}" height="{SIZE}" role="img" aria-label={quoteattr(label or design.title)}>'
        f'<polygon points="{_points(outline)}" fill="{design.colour}"/>'
        f'<polygon points="{_points(inner)}" fill="none" stroke="{design.ink}" '
        f'stroke-width="5" stroke-opacity="0.6"/>'
        f'<g transform="translate({left} {top}) scale({scale})">{icon}</g>'
        f'<text x="200" y="{TITLE_Y}" font-size="{size}" font-weight="700" text-anchor="middle" '
        f'dominant-baseline="middle" fill="{design.ink}" '
        f'font-family="DejaVu Sans, Verdana, sans-serif">{escape(design.title)}</text>'
        f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" rx="8" '
        f'fill="{design.band}"/>'
        f'<text x="200" y="{(y0 + y1) // 2}" font-size="24" font-weight="700" '
        f'text-anchor="middle" dominant-baseline="middle" fill="{WHITE}" letter-spacing="3" '
        f'font-family="DejaVu Sans, Verdana, sans-serif">{escape(design.band_text)}</text>'
        f"</svg>"
    )


# --- PNG ------------------------------------------------------------------------------------------

_SUPERSAMPLE = 2  # draw at twice the size and scale down: Pillow's polygons have no anti-aliasing


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """DejaVu Sans Bold (or Liberation) when installed, else Pillow's built-in font."""
    for path in FONT_PATHS:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _png_op(draw: ImageDraw.ImageDraw, op: Op, fill: str, place: Callable) -> None:
    s = ICON_BOX[2] * _SUPERSAMPLE
    kind = op[0]
    if kind == "poly":
        draw.polygon([place(p) for p in op[1]], fill=fill)
    elif kind in ("circle", "ring"):
        cx, cy = place((op[1], op[2]))
        r = op[3] * s
        if kind == "circle":
            draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fill)
        else:
            half = op[4] * s / 2
            draw.ellipse(
                (cx - r - half, cy - r - half, cx + r + half, cy + r + half),
                outline=fill,
                width=round(op[4] * s),
            )
    else:
        points = [place(p) for p in op[1]]
        width = round(op[2] * s)
        draw.line(points, fill=fill, width=width, joint="curve")
        for x, y in (points[0], points[-1]):  # round caps, as the SVG's stroke-linecap
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill=fill)


def design_png(design: Design) -> bytes:
    """The design as a 400 × 400 PNG with a transparent background."""
    design = design.normalised()
    k = _SUPERSAMPLE
    image = Image.new("RGBA", (SIZE * k, SIZE * k), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    outline = SHAPES[design.shape].outline()
    draw.polygon([(x * k, y * k) for x, y in outline], fill=design.colour)
    inner = [((200 + (x - 200) * 0.9) * k, (200 + (y - 200) * 0.9) * k) for x, y in outline]
    draw.line([*inner, inner[0]], fill=design.ink, width=5 * k, joint="curve")

    left, top, scale = ICON_BOX

    def place(point: Point) -> Point:
        return ((left + point[0] * scale) * k, (top + point[1] * scale) * k)

    for op in ICONS[design.icon].ops:
        _png_op(draw, op, design.ink, place)
    draw.text(
        (200 * k, TITLE_Y * k),
        design.title,
        font=font(_title_size(design.title) * k),
        fill=design.ink,
        anchor="mm",
    )
    x0, y0, x1, y1 = BAND
    draw.rounded_rectangle((x0 * k, y0 * k, x1 * k, y1 * k), radius=8 * k, fill=design.band)
    draw.text(
        (200 * k, (y0 + y1) // 2 * k), design.band_text, font=font(24 * k), fill=WHITE, anchor="mm"
    )
    image = image.resize((SIZE, SIZE), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
