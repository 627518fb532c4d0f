"""Insight charts drawn on the server as inline SVG strings: bars, paired bars, a trend line, a
progression funnel and an area map.

Pure: no Django, no database. Each function takes plain data (:class:`Point`, already
suppressed) and returns one ``<svg>`` string that

- is an image with a name: ``role="img"`` and ``aria-labelledby`` pointing at its own
  ``<title>`` and ``<desc>`` (ids from ``id_prefix``, so several charts can share a page);
- writes every value as text, and tells series apart by pattern (hatching, dots) as well as
  colour, with a legend in words, so it reads in greyscale print and without colour vision;
- scales to its container (``viewBox`` and ``width="100%"``) and is drawn for a 320 px screen;
- never draws a suppressed value to scale: its value is not known (``Point.value`` is None), so
  it gets a fixed-size outlined, cross-hatched stub and its words ("fewer than 10", "withheld");
- holds no script, no external reference, and escapes every piece of text it is given.

The page shows the same numbers in a table beside each chart; the ``<desc>`` says so. Mark the
result safe in a template only as it comes from here (e.g. ``mark_safe(bar_chart(...))``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from typing import NamedTuple

# A suppressed value prints as one of these (the threshold may be configured, hence \d+).
_SUPPRESSED_DISPLAY = re.compile(r"fewer than \d+|withheld", re.IGNORECASE)
_ID_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")

VIEW_W = 340  # a 320 px phone shows the chart at about its own size
FONT = "DejaVu Sans, Verdana, Arial, sans-serif"
INK = "#14181f"
SOFT = "#4a5260"
SERIES_STROKE = ("#0b4f94", "#8a3b00")
LABEL_SIZE = 14
VALUE_SIZE = 13
NOTE_SIZE = 12
LINE_H = 17
STUB_W = 14  # the fixed width of a suppressed bar: not derived from any value
STUB_R = 6  # the fixed radius of a suppressed area on the map
# A white outline under text keeps it legible where it crosses a line or a shape.
_HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke" stroke-linejoin="round"'


@dataclass(frozen=True)
class Point:
    """One published figure: ``label`` (a category, a month, a step), ``value`` to draw (None
    when the figure is suppressed or not available) and ``display``, the text to print.

    A suppressed figure carries no number at all: a display of "fewer than 10" or "withheld"
    with a value is refused, and so is a value-less display containing any other number, so a
    suppressed count can never be drawn to scale or printed by mistake.
    """

    label: str
    value: int | float | None
    display: str

    def __post_init__(self) -> None:
        suppressed_words = bool(_SUPPRESSED_DISPLAY.fullmatch(self.display.strip()))
        if self.value is None:
            if not suppressed_words and re.search(r"\d", self.display):
                raise ValueError(
                    f"A point without a value cannot display a number: {self.display!r}"
                )
            return
        if suppressed_words:
            raise ValueError(f"A suppressed point ({self.display!r}) cannot carry a value")
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            raise TypeError("A point's value is a number or None")
        if not math.isfinite(self.value) or self.value < 0:
            raise ValueError(f"A point's value must be finite and not negative: {self.value!r}")

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class PairedRow:
    """One row of a paired bar chart: ``first`` and ``second`` are the two series' points
    (their own labels are not drawn; ``label`` is)."""

    label: str
    first: Point
    second: Point


class MapArea(NamedTuple):
    """One area on the map: its name, its centroid and its published figure."""

    label: str
    latitude: float
    longitude: float
    value: int | float | None
    display: str


# --- Pieces ---------------------------------------------------------------------------------------


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _n(number: float) -> str:
    """A coordinate, short: 12, 12.5."""
    text = f"{number:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _prefix(id_prefix: str) -> str:
    if not _ID_PREFIX.fullmatch(id_prefix):
        raise ValueError(
            "id_prefix must start with a letter and hold only letters, digits, - and _"
        )
    return id_prefix


def _text_width(text: str, size: float) -> float:
    """A generous estimate of ``text``'s width in a sans-serif font of ``size`` px."""
    return len(text) * size * 0.6


def _wrap(text: str, *, max_chars: int, max_lines: int = 2) -> tuple[list[str], bool]:
    """``text`` in lines of at most ``max_chars``; the last line ends with "…" when cut.
    Returns (lines, was_cut)."""
    words = " ".join(text.split()).split(" ") if text.strip() else [""]
    lines: list[str] = []
    current = ""
    for word in words:
        while len(word) > max_chars:  # a word longer than a line is cut into pieces
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:max_chars])
            word = word[max_chars:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
        else:
            lines.append(current)
            current = word
    lines.append(current)
    if len(lines) <= max_lines:
        return lines, False
    kept = lines[:max_lines]
    last = kept[-1]
    kept[-1] = (last if len(last) < max_chars else last[: max_chars - 1]).rstrip() + "…"
    return kept, True


def _defs(prefix: str) -> str:
    """Fill patterns: series 1 diagonal lines, series 2 dots, suppressed a cross-hatch on
    white (read as "not a measured amount")."""
    return (
        "<defs>"
        f'<pattern id="{prefix}-series1" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        '<rect width="6" height="6" fill="#cfe3f7"/>'
        '<rect width="2.5" height="6" fill="#0b4f94"/></pattern>'
        f'<pattern id="{prefix}-series2" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#fde3cc"/>'
        '<circle cx="3" cy="3" r="1.7" fill="#8a3b00"/></pattern>'
        f'<pattern id="{prefix}-suppressed" width="5" height="5" patternUnits="userSpaceOnUse">'
        '<rect width="5" height="5" fill="#ffffff"/>'
        '<path d="M0 0L5 5M5 0L0 5" stroke="#4a5260" stroke-width="0.8"/></pattern>'
        "</defs>"
    )


def _open(prefix: str, *, height: float, title: str, description: str, kind: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="insight-chart insight-chart--{kind}" '
        f'role="img" viewBox="0 0 {VIEW_W} {_n(height)}" width="100%" '
        f'preserveAspectRatio="xMinYMin meet" style="max-width:{VIEW_W * 2}px" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="{FONT}">',
        f'<title id="{prefix}-title">{_e(title)}</title>',
        f'<desc id="{prefix}-desc">{_e(description)}</desc>',
        _defs(prefix),
    ]


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: int = LABEL_SIZE,
    bold: bool = False,
    italic: bool = False,
    fill: str = INK,
    anchor: str = "start",
    extra: str = "",
) -> str:
    style = ' font-weight="700"' if bold else ""
    style += ' font-style="italic"' if italic else ""
    style += f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" fill="{fill}"{style}{extra}>'
        f"{_e(content)}</text>"
    )


def _stub(prefix: str, x: float, y: float, height: float) -> str:
    """The fixed-size marker of a suppressed bar: outlined, dashed, cross-hatched."""
    return (
        f'<rect class="suppressed-stub" x="{_n(x)}" y="{_n(y)}" width="{STUB_W}" '
        f'height="{_n(height)}" fill="url(#{prefix}-suppressed)" stroke="{INK}" '
        'stroke-width="1.2" stroke-dasharray="3 2"/>'
    )


def _bar(prefix: str, series: int, x: float, y: float, width: float, height: float) -> str:
    return (
        f'<rect class="bar" x="{_n(x)}" y="{_n(y)}" width="{_n(width)}" height="{_n(height)}" '
        f'fill="url(#{prefix}-series{series})" stroke="{SERIES_STROKE[series - 1]}" '
        'stroke-width="1"/>'
    )


def _legend(prefix: str, y: float, entries: Sequence[tuple[str, str]]) -> tuple[list[str], float]:
    """Legend rows of (swatch kind, words): kind is "series1", "series2", "suppressed",
    "circle" or "label".
    Returns the SVG parts and the y below them."""
    parts = ['<g class="legend">']
    for kind, words in entries:
        if kind == "suppressed":
            parts.append(_stub(prefix, 0, y, 12))
        elif kind == "circle":
            parts.append(
                f'<circle cx="7" cy="{_n(y + 6)}" r="6" fill="url(#{prefix}-series1)" '
                f'stroke="{SERIES_STROKE[0]}" stroke-width="1.2"/>'
            )
        elif kind == "label":
            parts.append(_text(0, y + 11, "Aa", size=NOTE_SIZE, bold=True))
        else:
            parts.append(_bar(prefix, int(kind[-1]), 0, y, STUB_W, 12))
        lines, _ = _wrap(words, max_chars=int((VIEW_W - 22) / (NOTE_SIZE * 0.6)), max_lines=3)
        for index, line in enumerate(lines):
            parts.append(_text(22, y + 11 + index * 15, line, size=NOTE_SIZE, fill=SOFT))
        y += max(16, 15 * len(lines)) + 4
    parts.append("</g>")
    return parts, y


def _suppressed_words(points: Iterable[Point]) -> str:
    shown = sorted({p.display.strip() for p in points if p.suppressed})
    return " or ".join(f"“{words}”" for words in shown) or "not available"


def _scale(points: Iterable[Point]) -> float:
    return max((float(p.value) for p in points if p.value is not None), default=0.0) or 1.0


def _value_text(point: Point, unit: str) -> str:
    return f"{point.display} {unit}" if unit and not point.suppressed else point.display


def _label_lines(label: str) -> tuple[list[str], bool]:
    return _wrap(label, max_chars=int(VIEW_W / (LABEL_SIZE * 0.6)), max_lines=2)


# --- Charts ---------------------------------------------------------------------------------------


def bar_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    id_prefix: str,
    unit: str = "",
) -> str:
    """Horizontal bars, one row per point: its label above (wrapped to two lines, the full
    text in the row's ``<title>``), the bar scaled to the largest known value, and its display
    text (with ``unit`` after shown values, e.g. "12 learners") beside it."""
    prefix = _prefix(id_prefix)
    largest = _scale(points)
    value_room = min(
        150.0,
        max((_text_width(_value_text(p, unit), VALUE_SIZE) for p in points), default=40.0),
    )
    bar_max = VIEW_W - value_room - 8
    bar_h = 20
    body: list[str] = []
    y = 4.0
    for point in points:
        lines, _ = _label_lines(point.label)
        value_text = _value_text(point, unit)
        state = "suppressed" if point.suppressed else "shown"
        body.append(
            f'<g class="row row--{state}"><title>{_e(point.label)}: {_e(value_text)}</title>'
        )
        for line in lines:
            y += LINE_H
            body.append(_text(0, y - 4, line, bold=True))
        top = y + 2
        if point.value is None:
            body.append(_stub(prefix, 0, top, bar_h))
            width = float(STUB_W)
        else:
            width = max(2.0, bar_max * float(point.value) / largest) if point.value else 0.0
            body.append(_bar(prefix, 1, 0, top, width, bar_h))
        body.append(
            _text(
                width + 6,
                top + 15,
                value_text,
                size=VALUE_SIZE,
                italic=point.suppressed,
                extra=' class="value"',
            )
        )
        body.append("</g>")
        y = top + bar_h + 10
    body.append(f'<line x1="0" y1="4" x2="0" y2="{_n(y - 8)}" stroke="{INK}" stroke-width="1"/>')
    if any(p.suppressed for p in points):
        legend, y = _legend(
            prefix,
            y + 4,
            [
                (
                    "suppressed",
                    f"{_suppressed_words(points)}: the number is not shown, so the "
                    "bar is a marker, not drawn to scale",
                )
            ],
        )
        body += legend
    head = _open(prefix, height=y + 4, title=title, description=description, kind="bar")
    return "".join([*head, *body, "</svg>"])


def paired_bar_chart(
    rows: Sequence[PairedRow | tuple[str, Point, Point]],
    *,
    series: tuple[str, str],
    title: str,
    description: str,
    id_prefix: str,
    unit: str = "",
) -> str:
    """Two bars per row on one scale, e.g. per deprivation decile the share of learners
    (upper bar, diagonal lines) beside the share of the young population (lower bar, dots).
    The legend names each series in words with its pattern."""
    prefix = _prefix(id_prefix)
    pairs = [row if isinstance(row, PairedRow) else PairedRow(*row) for row in rows]
    all_points = [p for row in pairs for p in (row.first, row.second)]
    largest = _scale(all_points)
    value_room = min(
        150.0,
        max((_text_width(_value_text(p, unit), VALUE_SIZE) for p in all_points), default=40.0),
    )
    bar_max = VIEW_W - value_room - 8
    bar_h = 16
    entries = [
        ("series1", f"Upper bar (diagonal lines): {series[0]}"),
        ("series2", f"Lower bar (dots): {series[1]}"),
    ]
    if any(p.suppressed for p in all_points):
        entries.append(("suppressed", f"{_suppressed_words(all_points)}: not drawn to scale"))
    body, y = _legend(prefix, 4, entries)
    for row in pairs:
        lines, _ = _label_lines(row.label)
        body.append(
            f'<g class="row"><title>{_e(row.label)}: {_e(series[0])} '
            f"{_e(_value_text(row.first, unit))}; {_e(series[1])} "
            f"{_e(_value_text(row.second, unit))}</title>"
        )
        y += 4
        for line in lines:
            y += LINE_H
            body.append(_text(0, y - 4, line, bold=True))
        for index, point in enumerate((row.first, row.second), start=1):
            top = y + 2
            state = "suppressed" if point.suppressed else "shown"
            body.append(f'<g class="pair pair--series{index} pair--{state}">')
            if point.value is None:
                body.append(_stub(prefix, 0, top, bar_h))
                width = float(STUB_W)
            else:
                width = max(2.0, bar_max * float(point.value) / largest) if point.value else 0.0
                body.append(_bar(prefix, index, 0, top, width, bar_h))
            body.append(
                _text(
                    width + 6,
                    top + 13,
                    _value_text(point, unit),
                    size=VALUE_SIZE,
                    italic=point.suppressed,
                    extra=' class="value"',
                )
            )
            body.append("</g>")
            y = top + bar_h
        body.append("</g>")
        y += 8
    head = _open(prefix, height=y + 4, title=title, description=description, kind="paired")
    return "".join([*head, *body, "</svg>"])


def trend_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    id_prefix: str,
) -> str:
    """A line through the points in order, a marker and its display text on each. A
    suppressed point breaks the line (no segment touches it), gets a hatched stub on the axis
    with its words, and is listed in a note under the chart."""
    prefix = _prefix(id_prefix)
    count = len(points)
    largest = _scale(points)
    left, right = 8.0, 14.0
    plot_w = VIEW_W - left - right
    step = plot_w / (count - 1) if count > 1 else 0.0
    xs = [left + (step * i if count > 1 else plot_w / 2) for i in range(count)]
    value_texts = [p.display for p in points]
    # Crowded values and labels are written on every n-th point only, counting back from the
    # latest (always written), rather than overlap: the table beside the chart has them all.
    widest_value = max((_text_width(t, NOTE_SIZE) for t in value_texts), default=0.0)
    widest_label = max((_text_width(p.label, NOTE_SIZE) for p in points), default=0.0)

    def every(width: float) -> int:
        return max(1, math.ceil((width + 6) / step)) if count > 1 and step else 1

    value_every, label_every = every(widest_value), every(widest_label)
    top = 28.0
    # With nothing above zero to plot (every point 0 or hidden), no empty band above the axis.
    plot_h = 150.0 if any(p.value for p in points) else 24.0
    base = top + plot_h
    label_room = 24

    def placed(x: float, text: str) -> tuple[float, str]:
        """Where a text centred on ``x`` goes, kept inside the chart at either end."""
        half = _text_width(text, NOTE_SIZE) / 2
        if x - half < 0:
            return 0.0, "start"
        if x + half > VIEW_W:
            return float(VIEW_W), "end"
        return x, "middle"

    def y_of(value: float) -> float:
        return base - plot_h * value / largest

    body = [
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{_n(VIEW_W - right + 6)}" y2="{_n(base)}" '
        f'stroke="{INK}" stroke-width="1"/>'
    ]
    # The line: one polyline per run of known values.
    run: list[str] = []
    runs: list[list[str]] = []
    for x, point in zip(xs, points, strict=True):
        if point.value is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(f"{_n(x)},{_n(y_of(float(point.value)))}")
    if run:
        runs.append(run)
    for segment in runs:
        if len(segment) > 1:
            body.append(
                f'<polyline class="trend-line" points="{" ".join(segment)}" fill="none" '
                f'stroke="{SERIES_STROKE[0]}" stroke-width="2.5"/>'
            )
    for i, (x, point) in enumerate(zip(xs, points, strict=True)):
        state = "suppressed" if point.suppressed else "shown"
        body.append(
            f'<g class="point point--{state}"><title>{_e(point.label)}: {_e(point.display)}</title>'
        )
        if point.value is None:
            body.append(_stub(prefix, x - STUB_W / 2, base - STUB_W, STUB_W))
            anchor_y = base - STUB_W - 4
        else:
            y = y_of(float(point.value))
            body.append(
                f'<circle class="marker" cx="{_n(x)}" cy="{_n(y)}" r="4.5" fill="#ffffff" '
                f'stroke="{SERIES_STROKE[0]}" stroke-width="2.5"/>'
            )
            anchor_y = y - 8
        from_latest = count - 1 - i
        if from_latest % value_every == 0:
            tx, anchor = placed(x, point.display)
            body.append(
                _text(
                    tx,
                    anchor_y,
                    point.display,
                    size=NOTE_SIZE,
                    italic=point.suppressed,
                    anchor=anchor,
                    extra=f' class="value" {_HALO}',
                )
            )
        if from_latest % label_every == 0:
            tx, anchor = placed(x, point.label)
            body.append(_text(tx, base + 18, point.label, size=NOTE_SIZE, fill=SOFT, anchor=anchor))
        body.append("</g>")
    y = base + label_room + 6
    gaps = [p for p in points if p.suppressed]
    if gaps:
        note = "Gaps in the line: " + "; ".join(f"{p.label} ({p.display})" for p in gaps) + "."
        note += " These numbers are not shown, so the line is not drawn through them."
        lines, _ = _wrap(note, max_chars=int(VIEW_W / (NOTE_SIZE * 0.6)), max_lines=6)
        body.append('<g class="note">')
        for line in lines:
            y += 15
            body.append(_text(0, y, line, size=NOTE_SIZE, fill=SOFT))
        body.append("</g>")
        y += 6
    head = _open(prefix, height=y, title=title, description=description, kind="trend")
    return "".join([*head, *body, "</svg>"])


def funnel_chart(
    points: Sequence[Point],
    *,
    title: str,
    description: str,
    id_prefix: str,
    unit: str = "",
) -> str:
    """Steps of a progression, first to last, as centred bars scaled to the largest step. Each
    step's line says its number and, when it and the step before are both shown, what share of
    the step before reached it."""
    prefix = _prefix(id_prefix)
    largest = _scale(points)
    bar_h = 22
    body: list[str] = []
    y = 0.0
    previous: Point | None = None
    for point in points:
        words = _value_text(point, unit)
        if previous is not None and previous.value and point.value is not None:
            words += (
                f" ({round(100 * float(point.value) / float(previous.value))}% of the step before)"
            )
        state = "suppressed" if point.suppressed else "shown"
        body.append(f'<g class="step step--{state}"><title>{_e(point.label)}: {_e(words)}</title>')
        lines, _ = _label_lines(point.label)
        for line in lines:
            y += LINE_H
            body.append(_text(0, y - 4, line, bold=True))
        y += 15
        body.append(
            _text(0, y - 3, words, size=VALUE_SIZE, italic=point.suppressed, extra=' class="value"')
        )
        top = y + 3
        if point.value is None:
            x = (VIEW_W - STUB_W) / 2
            body.append(_stub(prefix, x, top, bar_h))
        else:
            width = max(2.0, VIEW_W * float(point.value) / largest) if point.value else 0.0
            x = (VIEW_W - width) / 2
            body.append(_bar(prefix, 1, x, top, width, bar_h))
        body.append("</g>")
        previous = point
        y = top + bar_h + 8
    if any(p.suppressed for p in points):
        legend, y = _legend(
            prefix, y + 4, [("suppressed", f"{_suppressed_words(points)}: not drawn to scale")]
        )
        body += legend
    head = _open(prefix, height=y + 4, title=title, description=description, kind="funnel")
    return "".join([*head, *body, "</svg>"])


def area_map(
    areas: Sequence[MapArea | tuple[str, float, float, int | float | None, str]],
    *,
    title: str,
    description: str,
    id_prefix: str,
    label_lowest: int = 5,
) -> str:
    """A circle on each area's centroid, its area proportional to the value; north is up.

    Positions use an equirectangular projection (longitude scaled by the cosine of the mean
    latitude) fitted to the areas' bounding box. A suppressed area is an outlined, hatched
    circle of fixed size. The ``label_lowest`` areas with the smallest known values (the
    "opportunity deserts" when the value is opportunities per 1,000 young residents) are
    labelled with their name and figure; every circle names itself in its ``<title>``.
    """
    prefix = _prefix(id_prefix)
    places = [area if isinstance(area, MapArea) else MapArea(*area) for area in areas]
    for place in places:
        Point(place.label, place.value, place.display)  # the same guard as every point
    pad, r_min, r_max = 22.0, 3.0, 18.0
    box_w = VIEW_W - 2 * pad
    if places:
        mean_lat = sum(p.latitude for p in places) / len(places)
        factor = math.cos(math.radians(mean_lat))
        xs = [p.longitude * factor for p in places]
        ys = [p.latitude for p in places]
        span_x, span_y = max(xs) - min(xs), max(ys) - min(ys)
    else:
        xs, ys, span_x, span_y = [], [], 0.0, 0.0
    if span_x <= 0 and span_y <= 0:
        box_h, scale = 160.0, 0.0
    else:
        box_h = 280.0 if span_x <= 0 else min(380.0, max(140.0, box_w * span_y / span_x))
        scale = min(
            box_w / span_x if span_x > 0 else math.inf, box_h / span_y if span_y > 0 else math.inf
        )
    used_w, used_h = span_x * scale, span_y * scale
    origin_x = pad + (box_w - used_w) / 2
    origin_y = pad + (box_h - used_h) / 2

    def project(i: int) -> tuple[float, float]:
        return (origin_x + (xs[i] - min(xs)) * scale, origin_y + (max(ys) - ys[i]) * scale)

    largest = _scale(Point(p.label, p.value, p.display) for p in places)
    known = sorted(
        (i for i, p in enumerate(places) if p.value is not None),
        key=lambda i: (float(places[i].value or 0), places[i].label),
    )
    lowest = set(known[: max(0, label_lowest)])
    height = box_h + 2 * pad
    body = [
        f'<rect x="0.5" y="0.5" width="{VIEW_W - 1}" height="{_n(height - 1)}" fill="#f7f9fb" '
        'stroke="#c9d0d9"/>',
        _text(VIEW_W - 6, 16, "N ↑", size=NOTE_SIZE, fill=SOFT, anchor="end", bold=True),
    ]
    circles: list[tuple[float, str]] = []
    for i, place in enumerate(places):
        cx, cy = project(i)
        if place.value is None:
            radius = float(STUB_R)
            shape = (
                f'<circle class="area-suppressed" cx="{_n(cx)}" cy="{_n(cy)}" r="{STUB_R}" '
                f'fill="url(#{prefix}-suppressed)" stroke="{INK}" stroke-width="1.2" '
                'stroke-dasharray="3 2"/>'
            )
        else:
            radius = r_min + (r_max - r_min) * math.sqrt(float(place.value) / largest)
            shape = (
                f'<circle class="area-value" cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(radius)}" '
                f'fill="url(#{prefix}-series1)" fill-opacity="0.85" '
                f'stroke="{SERIES_STROKE[0]}" stroke-width="1.2"/>'
            )
        state = "suppressed" if place.value is None else ("lowest" if i in lowest else "shown")
        circles.append(
            (
                radius,
                f'<g class="area area--{state}"><title>{_e(place.label)}: {_e(place.display)}'
                f"</title>{shape}</g>",
            )
        )
    # Big circles first, so small ones stay visible on top.
    body += [svg for _, svg in sorted(circles, key=lambda item: -item[0])]
    placed: list[tuple[float, float, float, float]] = []
    for i in known[: max(0, label_lowest)]:
        place = places[i]
        cx, cy = project(i)
        words = f"{place.label}: {place.display}"
        words_lines, _ = _wrap(words, max_chars=26, max_lines=1)
        words = words_lines[0]
        w = _text_width(words, NOTE_SIZE)
        radius = r_min + (r_max - r_min) * math.sqrt(float(place.value or 0) / largest)
        candidates = [
            (cx + radius + 3, cy + 4, "start"),
            (cx - radius - 3, cy + 4, "end"),
            (cx, cy - radius - 4, "middle"),
            (cx, cy + radius + 13, "middle"),
        ]
        chosen = candidates[0]
        for tx, ty, anchor in candidates:
            x0 = tx if anchor == "start" else tx - w if anchor == "end" else tx - w / 2
            box = (x0, ty - 12, x0 + w, ty + 3)
            inside = box[0] >= 2 and box[2] <= VIEW_W - 2 and box[1] >= 2 and box[3] <= height - 2
            clear = all(
                box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed
            )
            if inside and clear:
                chosen = (tx, ty, anchor)
                placed.append(box)
                break
        tx, ty, anchor = chosen
        body.append(
            _text(
                tx,
                ty,
                words,
                size=NOTE_SIZE,
                bold=True,
                anchor=anchor,
                extra=f' class="area-label" {_HALO}',
            )
        )
    entries = [("circle", "Circle area shows the figure: a bigger circle is a bigger figure.")]
    if lowest:
        entries.append(("label", f"Named: the {len(lowest)} areas with the lowest figures."))
    if any(p.value is None for p in places):
        shown = _suppressed_words(Point(p.label, p.value, p.display) for p in places)
        entries.append(("suppressed", f"{shown}: small fixed circle, not drawn to scale."))
    legend, y = _legend(prefix, height + 8, entries)
    body += legend
    full_description = (
        f"{description} The table beside this map holds the same figures for every area."
    ).strip()
    head = _open(prefix, height=y + 2, title=title, description=full_description, kind="map")
    return "".join([*head, *body, "</svg>"])
