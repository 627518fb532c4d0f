"""The printable insights report for council meetings: an A4 portrait PDF of one period.

Pure: plain data in (:class:`Report`), bytes out; no database. The caller (the insights views)
maps published, already-suppressed figures to a ``Report``; nothing here computes or sees a
suppressed count, and the data classes refuse one (see :class:`ReportTable` and
:class:`~learningcity.insights.charts.Point`).

The layout is black on white for an office printer: a first page with the city, period, filter,
"Figures as of …", the small-number rule and a contents line per section; then one section per
page onwards (title, introduction, an optional bar chart drawn with fpdf2 rectangles, its table
breaking across pages with the header repeated); then the definitions. Every page is numbered
"Page n of N". Text is set in DejaVu Sans as the project's other PDFs are (any Latin, Greek or
Cyrillic name); a character no loaded font has prints as "?"; without DejaVu at all, Helvetica
is used and text is cut to Latin-1.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

from fpdf import FPDF
from fpdf.enums import Align, MethodReturnValue, XPos, YPos
from fpdf.errors import FPDFException
from fpdf.fonts import TTFFont
from fpdf.outline import OutlineSection

from .charts import Point

__all__ = ["Point", "Report", "ReportTable", "Section", "insights_report_pdf"]

FONT_DIRS = ("/usr/share/fonts/truetype/dejavu/",)

PAGE_W, PAGE_H = 210.0, 297.0
MARGIN = 18.0
TOP = 18.0
BOTTOM = 277.0  # nothing but the footer goes below this line
CONTENT_W = PAGE_W - 2 * MARGIN
LINE = 5.0  # one line of 9.5 pt table text
CELL_PAD = 1.5  # above and below the text of a table row
HEADER_PAD = 2.0

CHART_LABEL_W = 56.0
CHART_BAR_MAX = 84.0
CHART_ROW_H = 6.5
CHART_BAR_H = 4.2
CHART_STUB_W = 4.0  # the fixed width of a suppressed bar: not derived from any value

INK = (0, 0, 0)
SOFT = (60, 60, 60)
BAR_FILL = (150, 150, 150)
HEADER_FILL = (232, 232, 232)

# A table cell that talks of suppression holds only those words: "fewer than 10 (7)" is refused.
_SUPPRESSION_WORDS = re.compile(r"fewer than|withheld", re.IGNORECASE)
_SUPPRESSED_CELL = re.compile(r"fewer than \d+|withheld", re.IGNORECASE)


@dataclass(frozen=True)
class ReportTable:
    """A table as printed: ``headers`` (the first column names the rows), ``rows`` of text
    cells, one per header, already formatted ("1,204", "12.5%", "fewer than 10", "withheld"),
    and a ``caption`` saying what the numbers count."""

    headers: list[str]
    rows: list[list[str]]
    caption: str

    def __post_init__(self) -> None:
        if not self.headers:
            raise ValueError("A report table needs at least one column")
        for row in self.rows:
            if len(row) != len(self.headers):
                raise ValueError(
                    f"Each row needs {len(self.headers)} cells, one per header: {row!r}"
                )
            for cell in row:
                if not isinstance(cell, str):
                    raise TypeError(f"Table cells are text, formatted by the caller: {cell!r}")
                if _SUPPRESSION_WORDS.search(cell) and not _SUPPRESSED_CELL.fullmatch(cell.strip()):
                    raise ValueError(
                        f"A suppressed cell holds only its words, never a number: {cell!r}"
                    )


@dataclass(frozen=True)
class Section:
    """One part of the report: a ``title``, an ``intro`` paragraph, the ``table`` and, when
    given, a horizontal bar ``chart`` of the same figures (a suppressed point draws as a small
    hatched marker with its words, never a bar)."""

    title: str
    intro: str
    table: ReportTable
    chart: list[Point] | None = None


@dataclass(frozen=True)
class Report:
    """Everything the PDF says.

    - ``city_name``, ``period_label`` ("October 2026", "12 months to October 2026") and
      ``filter_label`` ("All organisations and topics", "Topic: Digital skills");
    - ``as_of``: when the figures were computed (the refresh's finish time, in the city's
      local time, as it should be printed);
    - ``sections`` in order; ``definitions``: how each figure is counted, paragraphs separated
      by blank lines;
    - ``threshold``: the small-number threshold the figures were suppressed with.
    """

    city_name: str
    period_label: str
    filter_label: str
    as_of: datetime
    sections: list[Section] = field(default_factory=list)
    definitions: str = ""
    threshold: int = 10


def suppression_rule(threshold: int) -> str:
    """The small-number rule, in words, as the first page states it."""
    return (
        f"To protect learners, a count from 1 to {threshold - 1} is shown as "
        f"“fewer than {threshold}”, and some other counts are shown as “withheld” so that a "
        "hidden count cannot be worked out by adding or subtracting other figures in this "
        "report or elsewhere. Zero is shown as 0. In charts these appear as small hatched "
        "markers, not as bars."
    )


def as_of_text(as_of: datetime) -> str:
    zone = as_of.tzname() or ""
    return f"{as_of.day} {as_of:%B %Y}, {as_of:%H:%M}" + (f" {zone}" if zone else "")


# --- Drawing --------------------------------------------------------------------------------------


class _Document(FPDF):
    """fpdf2 with the report's fonts, a footer on every page and a guard for missing glyphs."""

    def __init__(self, report: Report) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report = report
        self.face = "Helvetica"
        self.covered: set[int] | None = None
        for folder in FONT_DIRS:
            try:
                self.add_font("DejaVu", "", folder + "DejaVuSans.ttf")
                self.add_font("DejaVu", "B", folder + "DejaVuSans-Bold.ttf")
                self.add_font("DejaVu", "I", folder + "DejaVuSans-Oblique.ttf")
            except (OSError, FPDFException):
                continue
            self.face = "DejaVu"
            font = self.fonts["dejavu"]
            self.covered = set(font.cmap) if isinstance(font, TTFFont) else set()
            break
        self.set_margins(MARGIN, TOP, MARGIN)
        self.set_auto_page_break(True, margin=PAGE_H - BOTTOM)
        self.set_title(f"{report.city_name}: insights report, {report.period_label}")
        self.set_creator("Learning City")
        self.set_lang("en-GB")
        self.set_draw_color(*INK)

    def clean(self, value: str) -> str:
        value = unicodedata.normalize("NFC", value or "")
        if self.covered is None:
            return value.encode("latin-1", "replace").decode("latin-1")
        return "".join(c if ord(c) in self.covered or c in "\n" else "?" for c in value)

    def style(
        self, size: float, *, bold: bool = False, italic: bool = False, soft: bool = False
    ) -> None:
        self.set_font(self.face, "B" if bold else "I" if italic else "", size)
        self.set_text_color(*(SOFT if soft else INK))

    def fit(self, value: str, width: float) -> str:
        text = self.clean(value)
        if self.get_string_width(text) <= width:
            return text
        ellipsis = "…" if self.covered is not None else "..."
        while text and self.get_string_width(text + ellipsis) > width:
            text = text[:-1]
        return text.rstrip() + ellipsis

    def paragraph(self, value: str, *, height: float = 5.0, width: float = 0) -> None:
        self.multi_cell(
            width or CONTENT_W,
            height,
            self.clean(value),
            align=Align.L,
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )

    def wrapped(self, value: str, width: float) -> list[str]:
        return cast(
            list[str],
            self.multi_cell(
                width, LINE, self.clean(value), dry_run=True, output=MethodReturnValue.LINES
            ),
        )

    def footer(self) -> None:
        self.set_y(BOTTOM + 5)
        self.style(8, soft=True)
        left = (
            f"{self.report.city_name} · {self.report.period_label} · "
            f"Figures as of {as_of_text(self.report.as_of)}"
        )
        self.cell(CONTENT_W - 30, 5, self.fit(left, CONTENT_W - 32))
        self.cell(30, 5, f"Page {self.page_no()} of {{nb}}", align=Align.R)


CONTENTS_LINE = 6.5


def _contents_titles(report: Report) -> list[str]:
    titles = [f"{n}. {section.title}" for n, section in enumerate(report.sections, start=1)]
    titles.append(f"{len(report.sections) + 1}. Definitions: how each figure is counted")
    return titles


def _first_page(doc: _Document, report: Report) -> None:
    """The title page. Its contents is drawn when the document is output, once fpdf2 knows on
    which page each section starts (``insert_toc_placeholder``)."""
    doc.add_page()
    doc.style(9, bold=True, soft=True)
    doc.cell(CONTENT_W, 5, "LEARNING CITY · INSIGHTS REPORT", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)
    doc.style(20, bold=True)
    doc.paragraph(report.city_name, height=9)
    doc.style(14, bold=True)
    doc.paragraph(report.period_label, height=7)
    doc.ln(2)
    doc.style(10.5)
    doc.paragraph(f"Showing: {report.filter_label}")
    doc.paragraph(f"Figures as of {as_of_text(report.as_of)}")
    doc.ln(5)

    # The rule in a ruled box, so it is read before any number.
    top = doc.get_y()
    doc.set_x(MARGIN + 4)
    doc.style(11, bold=True)
    doc.cell(CONTENT_W - 8, 7, "How small numbers are shown", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.set_x(MARGIN + 4)
    doc.style(10)
    doc.paragraph(suppression_rule(report.threshold), width=CONTENT_W - 8)
    bottom = doc.get_y() + 3
    doc.set_line_width(0.5)
    doc.rect(MARGIN, top - 2, CONTENT_W, bottom - top + 2)
    doc.set_line_width(0.2)
    doc.set_y(bottom + 6)

    titles = _contents_titles(report)
    first_page_lines = int((BOTTOM - doc.get_y() - 8) // CONTENTS_LINE)
    per_page = int((BOTTOM - TOP) // CONTENTS_LINE)
    pages = 1 + max(0, math.ceil((len(titles) - first_page_lines) / per_page))

    def contents(pdf: FPDF, outline: list[OutlineSection]) -> None:
        assert isinstance(pdf, _Document)
        pdf.set_x(MARGIN)  # fpdf2 restores the page and the height here, not the column
        pdf.style(13, bold=True)
        pdf.cell(CONTENT_W, 8, "Contents", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.style(10.5)
        for title, section in zip(titles, outline, strict=True):
            link = pdf.add_link(page=section.page_number)
            pdf.cell(CONTENT_W - 25, CONTENTS_LINE, pdf.fit(title, CONTENT_W - 27), link=link)
            pdf.cell(
                25,
                CONTENTS_LINE,
                f"page {section.page_number}",
                align=Align.R,
                link=link,
                new_x=XPos.LMARGIN,
                new_y=YPos.NEXT,
            )

    doc.insert_toc_placeholder(contents, pages=pages)


def _hatched_stub(doc: _Document, x: float, y: float, h: float) -> None:
    """The marker of a suppressed value: a fixed-size outlined box, cross-hatched."""
    doc.set_line_width(0.15)
    with doc.rect_clip(x, y, CHART_STUB_W, h):
        step = 1.0
        offset = -h
        while offset < CHART_STUB_W:
            doc.line(x + offset, y + h, x + offset + h, y)
            doc.line(x + offset, y, x + offset + h, y + h)
            offset += step
    doc.set_line_width(0.3)
    doc.set_dash_pattern(dash=0.8, gap=0.5)
    doc.rect(x, y, CHART_STUB_W, h)
    doc.set_dash_pattern()
    doc.set_line_width(0.2)


def _chart(doc: _Document, points: Sequence[Point]) -> None:
    """Horizontal bars scaled to the largest known value, each with its label and its text."""
    has_suppressed = any(p.suppressed for p in points)
    height = len(points) * CHART_ROW_H + (9 if has_suppressed else 0) + 4
    if doc.get_y() + min(height, 60) > BOTTOM:
        doc.add_page()
    largest = max((float(p.value) for p in points if p.value is not None), default=0.0) or 1.0
    bar_x = MARGIN + CHART_LABEL_W + 2
    for point in points:
        if doc.get_y() + CHART_ROW_H > BOTTOM:
            doc.add_page()
        y = doc.get_y()
        bar_y = y + (CHART_ROW_H - CHART_BAR_H) / 2
        doc.style(9)
        doc.set_xy(MARGIN, y)
        doc.cell(CHART_LABEL_W, CHART_ROW_H, doc.fit(point.label, CHART_LABEL_W), align=Align.R)
        if point.value is None:
            _hatched_stub(doc, bar_x, bar_y, CHART_BAR_H)
            width = CHART_STUB_W
        else:
            width = CHART_BAR_MAX * float(point.value) / largest if point.value else 0.0
            if width:
                doc.set_fill_color(*BAR_FILL)
                doc.rect(bar_x, bar_y, max(width, 0.4), CHART_BAR_H, style="DF")
        doc.set_xy(bar_x + width + 1.5, y)
        doc.style(9, italic=point.suppressed)
        doc.cell(CONTENT_W - CHART_LABEL_W - width - 4, CHART_ROW_H, doc.clean(point.display))
        doc.line(bar_x, y, bar_x, y + CHART_ROW_H)
        doc.set_y(y + CHART_ROW_H)
    if has_suppressed:
        y = doc.get_y() + 2
        _hatched_stub(doc, MARGIN, y + 0.4, CHART_BAR_H)
        doc.set_xy(MARGIN + CHART_STUB_W + 2, y)
        doc.style(8.5, soft=True)
        doc.cell(
            CONTENT_W - 8,
            5,
            "Hatched marker: “fewer than …” or “withheld”, not drawn to scale.",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    doc.ln(4)


def _column_widths(doc: _Document, table: ReportTable) -> list[float]:
    doc.style(9.5, bold=True)
    natural = []
    for index, header in enumerate(table.headers):
        widest = doc.get_string_width(doc.clean(header))
        doc.style(9.5)
        for row in table.rows:
            widest = max(widest, doc.get_string_width(doc.clean(row[index])))
        doc.style(9.5, bold=True)
        natural.append(min(widest + 3, CONTENT_W * 0.6))
    total = sum(natural) or 1.0
    return [CONTENT_W * width / total for width in natural]


@dataclass(frozen=True)
class _Row:
    cells: list[tuple[list[str], bool]]  # (lines, suppressed) per cell
    height: float
    header: bool


def _layout(doc: _Document, cells: Sequence[str], widths: Sequence[float], *, header: bool) -> _Row:
    """Each cell wrapped to its column; the row is as tall as its tallest cell."""
    laid = []
    for cell, width in zip(cells, widths, strict=True):
        suppressed = not header and bool(_SUPPRESSED_CELL.fullmatch(cell.strip()))
        doc.style(9.5, bold=header, italic=suppressed)
        text = doc.clean(cell)
        if "\n" not in text and doc.get_string_width(text) <= width - 2.5:
            lines = [text]  # the common case, without asking fpdf2 to wrap
        else:
            lines = doc.wrapped(cell, width - 2) or [""]
        laid.append((lines, suppressed))
    pad = HEADER_PAD if header else CELL_PAD
    height = max(len(lines) for lines, _ in laid) * LINE + 2 * pad
    return _Row(laid, height, header)


def _draw_row(doc: _Document, row: _Row, widths: Sequence[float]) -> None:
    """``row`` at the cursor: text left in the first column, right in the others (numbers)."""
    y = doc.get_y()
    pad = HEADER_PAD if row.header else CELL_PAD
    if row.header:
        doc.set_fill_color(*HEADER_FILL)
        doc.rect(MARGIN, y, CONTENT_W, row.height, style="F")
    x = MARGIN
    for index, ((lines, suppressed), width) in enumerate(zip(row.cells, widths, strict=True)):
        doc.style(9.5, bold=row.header, italic=suppressed)
        for number, line in enumerate(lines):
            doc.set_xy(x + 1, y + pad + number * LINE)
            doc.cell(width - 2, LINE, line, align=Align.L if index == 0 else Align.R)
        x += width
    doc.set_line_width(0.4 if row.header else 0.1)
    doc.line(MARGIN, y + row.height, MARGIN + CONTENT_W, y + row.height)
    doc.set_line_width(0.2)
    doc.set_y(y + row.height)


def _table(doc: _Document, table: ReportTable) -> None:
    """The caption, the header and the rows; on a new page the caption says "(continued)" and
    the header is repeated."""
    widths = _column_widths(doc, table)
    header = _layout(doc, table.headers, widths, header=True)

    def caption(continued: bool) -> None:
        doc.style(10, bold=True)
        doc.paragraph(f"Table: {table.caption}" + (" (continued)" if continued else ""))
        doc.ln(1)

    rows = [_layout(doc, cells, widths, header=False) for cells in table.rows]
    first_h = rows[0].height if rows else 0
    if doc.get_y() + 8 + header.height + first_h > BOTTOM:
        doc.add_page()
    caption(False)
    _draw_row(doc, header, widths)
    for row in rows:
        if doc.get_y() + row.height > BOTTOM:
            doc.add_page()
            caption(True)
            _draw_row(doc, header, widths)
        _draw_row(doc, row, widths)
    if not rows:
        doc.style(9.5, italic=True)
        doc.paragraph("No figures for this period.")
    doc.ln(4)


def insights_report_pdf(report: Report) -> bytes:
    """The report as an A4 portrait PDF, in one pass: the first page's contents is filled in
    as the document is output."""
    doc = _Document(report)
    _first_page(doc, report)
    for number, section in enumerate(report.sections, start=1):
        if number > 1:
            doc.add_page()
        doc.start_section(section.title)
        doc.style(16, bold=True)
        doc.paragraph(f"{number}. {section.title}", height=8)
        doc.ln(1)
        doc.style(10.5)
        if section.intro:
            doc.paragraph(section.intro)
            doc.ln(3)
        if section.chart:
            _chart(doc, section.chart)
        _table(doc, section.table)
    if report.sections:
        doc.add_page()
    doc.start_section("Definitions")
    doc.style(16, bold=True)
    doc.paragraph(f"{len(report.sections) + 1}. Definitions: how each figure is counted", height=8)
    doc.ln(2)
    doc.style(10)
    doc.paragraph(suppression_rule(report.threshold))
    doc.ln(3)
    for paragraph in re.split(r"\n\s*\n", report.definitions.strip()):
        if paragraph.strip():
            doc.paragraph(" ".join(paragraph.split()))
            doc.ln(3)
    return bytes(doc.output())
