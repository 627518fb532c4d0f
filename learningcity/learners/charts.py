"""Charts drawn on the server as inline SVG: no script, readable by screen readers, printable.

A chart is an image with a title and a description (``role="img"``, ``<title>``, ``<desc>``,
tied by ``aria-labelledby``); every bar carries its number and its level as text, and the levels
are told apart by pattern as well as by colour. Pages show the same numbers in a table beside
it, which is what assistive technology reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# The RSA levels, lowest first, each with a fill pattern (and a colour) of its own.
LEVEL_PATTERNS: dict[str, str] = {
    "Engage": "dots",
    "Participate": "lines",
    "Demonstrate": "cross",
    "Lead": "solid",
    "": "plain",
}

WIDTH = 300  # a 320 px phone shows the chart at about its own size
LABEL_HEIGHT = 20
BAR_HEIGHT = 24
ROW_GAP = 12
TOP = 8
BAR_MAX = WIDTH - 16


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    level: str = ""


def _defs(prefix: str) -> str:
    p = escape(prefix)
    return (
        "<defs>"
        f'<pattern id="{p}-dots" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#dbe8f6"/>'
        '<circle cx="3" cy="3" r="1.6" fill="#0b5cad"/></pattern>'
        f'<pattern id="{p}-lines" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#cfe3f7"/>'
        '<rect width="2.5" height="6" fill="#0b5cad"/></pattern>'
        f'<pattern id="{p}-cross" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#7fa9d6"/>'
        '<path d="M0 0L6 6M6 0L0 6" stroke="#08407a" stroke-width="1.4"/></pattern>'
        f'<pattern id="{p}-solid" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#08407a"/></pattern>'
        f'<pattern id="{p}-plain" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#e6eaef"/></pattern>'
        "</defs>"
    )


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def bar_chart_svg(
    bars: Sequence[Bar],
    *,
    title: str,
    description: str,
    id_prefix: str = "chart",
    unit: tuple[str, str] = ("badge", "badges"),
) -> SafeString:
    """A horizontal bar chart: one row per bar, its label above it, its bar scaled to the largest
    value, and "3 badges · Demonstrate" written beside (or, for a long bar, inside) it."""
    prefix = escape(id_prefix)
    largest = max((bar.value for bar in bars), default=0) or 1
    row = LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    height = TOP + row * len(bars) + 4
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc">',
        f'<title id="{prefix}-title">{escape(title)}</title>',
        f'<desc id="{prefix}-desc">{escape(description)}</desc>',
        _defs(id_prefix),
    ]
    for index, bar in enumerate(bars):
        y = TOP + index * row
        width = max(4, round(BAR_MAX * bar.value / largest))
        pattern = LEVEL_PATTERNS.get(bar.level, "plain")
        noun = unit[0] if bar.value == 1 else unit[1]
        value_text = f"{bar.value} {noun}" + (f" · {bar.level}" if bar.level else "")
        # The number goes after the bar when there is room, else inside it on a white chip.
        text_width = round(8.6 * len(value_text)) + 8
        inside = width + text_width > WIDTH
        parts.append(
            f'<g class="bar" data-value="{bar.value}">'
            f'<text x="0" y="{y + 15}" font-size="16" font-weight="700" fill="#14181f">'
            f"{escape(_shorten(bar.label, 30))}</text>"
            f'<rect x="0" y="{y + LABEL_HEIGHT}" width="{width}" height="{BAR_HEIGHT}" '
            f'fill="url(#{prefix}-{pattern})" stroke="#08407a" stroke-width="1"/>'
        )
        if inside:
            x = 4
            parts.append(
                f'<rect x="{x - 2}" y="{y + LABEL_HEIGHT + 2}" width="{text_width - 4}" '
                f'height="{BAR_HEIGHT - 4}" fill="#ffffff" rx="2"/>'
            )
        else:
            x = width + 6
        parts.append(
            f'<text x="{x}" y="{y + LABEL_HEIGHT + 17}" font-size="15" fill="#14181f">'
            f"{escape(value_text)}</text></g>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every piece of text above is escaped
