"""The printable insights report: what each page says, where the long table breaks, and that a
suppressed figure can only ever be its words. No database: the report is drawn from plain data."""

from __future__ import annotations

import re
import zlib
from datetime import UTC, datetime

import pytest

from learningcity.insights.report_pdf import (
    Point,
    Report,
    ReportTable,
    Section,
    insights_report_pdf,
    suppression_rule,
)

# --- A small PDF reader ---------------------------------------------------------------------------
# fpdf2 writes text with embedded TrueType subsets: each string is 2-byte glyph codes that the
# font's ToUnicode CMap maps back to characters (as learners/tests/test_downloads.py reads them),
# here page by page.

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TEXT_OP = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_RECT = re.compile(rb"(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re")


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        if literal[i : i + 1] != b"\\":
            out += literal[i : i + 1]
            i += 1
            continue
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            following = literal[i + 1 : i + 2]
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def _objects(body: bytes) -> dict[int, tuple[bytes, bytes]]:
    objects = {}
    for number, content in _OBJECT.findall(body):
        stream = _STREAM.search(content)
        data = stream.group(1) if stream else b""
        if stream and b"/FlateDecode" in content[: stream.start()]:
            data = zlib.decompress(data)
        objects[int(number)] = (content[: stream.start()] if stream else content, data)
    return objects


def pdf_pages(body: bytes) -> list[tuple[str, bytes]]:
    """Each page's (text, content stream), in page order."""
    objects = _objects(body)
    fonts: dict[bytes, dict[int, str] | None] = {}
    for dictionary, _ in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", dictionary):
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(number)][0])
            if to_unicode is None:
                fonts[name] = None
                continue
            cmap = objects[int(to_unicode.group(1))][1]
            fonts[name] = {
                int(code, 16): bytes.fromhex(target.decode()).decode("utf-16-be")
                for code, target in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap)
            }
    tree = next(d for d, _ in objects.values() if re.search(rb"/Type /Pages\b", d))
    kids = re.search(rb"/Kids \[([^\]]*)\]", tree)
    assert kids is not None
    pages = []
    for number in re.findall(rb"(\d+) 0 R", kids.group(1)):
        contents = re.search(rb"/Contents (\d+) 0 R", objects[int(number)][0])
        assert contents is not None
        stream = objects[int(contents.group(1))][1]
        pieces, font = [], None
        for name, literal in _TEXT_OP.findall(stream):
            if name:
                font = fonts.get(name)
                continue
            raw = _unescape(literal)
            if font is None:
                pieces.append(raw.decode("latin-1"))
            else:
                codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                pieces.append("".join(font.get(code, "\ufffd") for code in codes))
        pages.append(("\n".join(pieces), stream))
    return pages


# --- Reports --------------------------------------------------------------------------------------

AS_OF = datetime(2026, 11, 28, 6, 0, tzinfo=UTC)


def report(sections: list[Section], **changes) -> Report:
    values = {
        "city_name": "Łódź Learning City",
        "period_label": "October 2026",
        "filter_label": "All organisations and topics",
        "as_of": AS_OF,
        "sections": sections,
        "definitions": "Learners reached: distinct learners.\n\nBadges awarded: live awards.",
    }
    values.update(changes)
    return Report(**values)


def topics_section() -> Section:
    return Section(
        title="Badges by topic",
        intro="Badges awarded in the period, by the topic of the badge.",
        table=ReportTable(
            headers=["Topic", "Badges"],
            rows=[["Digital", "120"], ["Arts", "45"], ["Sport", "fewer than 10"]],
            caption="Badges awarded by topic",
        ),
        chart=[
            Point("Digital", 120, "120"),
            Point("Arts", 45, "45"),
            Point("Sport", None, "fewer than 10"),
        ],
    )


def long_section(rows: int) -> Section:
    return Section(
        title="Opportunities by area",
        intro="",
        table=ReportTable(
            headers=["Area", "Opportunities"],
            rows=[[f"Row {n:03d}", str(n)] for n in range(1, rows + 1)],
            caption="Opportunities offered by area",
        ),
    )


# --- The first page -------------------------------------------------------------------------------


def test_the_report_is_a_pdf_whose_first_page_says_what_when_and_the_small_number_rule():
    body = insights_report_pdf(report([topics_section(), long_section(3)]))
    assert body.startswith(b"%PDF")
    first = " ".join(pdf_pages(body)[0][0].split())
    assert "Łódź Learning City" in first
    assert "October 2026" in first
    assert "Showing: All organisations and topics" in first
    assert "Figures as of 28 November 2026, 06:00 UTC" in first
    assert "a count from 1 to 9 is shown as “fewer than 10”" in first
    assert "Page 1 of 4" in first


def test_the_contents_has_a_line_per_section_with_the_page_it_starts_on():
    body = insights_report_pdf(report([topics_section(), long_section(40)]))
    lines = pdf_pages(body)[0][0].split("\n")
    contents = lines[lines.index("Contents") + 1 :]
    # Topics on page 2; 40 rows of areas on pages 3 and 4 (29 fit the first); definitions on 5.
    assert contents[:6] == [
        "1. Badges by topic",
        "page 2",
        "2. Opportunities by area",
        "page 3",
        "3. Definitions: how each figure is counted",
        "page 5",
    ]
    pages = pdf_pages(body)
    assert pages[1][0].startswith("1. Badges by topic")
    assert pages[2][0].startswith("2. Opportunities by area")
    assert pages[4][0].startswith("3. Definitions")


def test_the_threshold_is_the_one_the_figures_were_suppressed_with():
    body = insights_report_pdf(report([topics_section()], threshold=5))
    assert "a count from 1 to 4 is shown as “fewer than 5”" in " ".join(
        pdf_pages(body)[0][0].split()
    )
    assert suppression_rule(5).startswith("To protect learners, a count from 1 to 4")


# --- The long table -------------------------------------------------------------------------------
# A section page: title 18–26 mm, 1 mm gap, caption 27–32, 1 mm gap, header row 33–42 (one
# line of 5 mm + 2 × 2 mm), then rows of 8 mm (5 + 2 × 1.5) while they end by 277 mm:
# (277 − 42) / 8 = 29.4, so 29 rows. A continuation page: caption 18–23, gap, header 24–33,
# (277 − 33) / 8 = 30.5, so 30 rows.


@pytest.mark.parametrize(("rows", "pages"), [(29, 3), (30, 4), (59, 4), (60, 5)])
def test_a_long_table_breaks_across_pages_at_the_hand_computed_rows(rows, pages):
    body = insights_report_pdf(report([long_section(rows)]))
    found = pdf_pages(body)
    assert len(found) == pages  # first page + table pages + definitions
    assert f"Page {pages} of {pages}" in " ".join(found[-1][0].split())


def test_the_header_is_repeated_and_the_rows_continue_on_the_next_page():
    pages = pdf_pages(insights_report_pdf(report([long_section(60)])))
    section, continued, last = pages[1][0], pages[2][0], pages[3][0]
    assert "Row 029" in section and "Row 030" not in section
    assert continued.startswith(
        "Table: Opportunities offered by area (continued)\nArea\nOpportunities\nRow 030"
    )
    assert "Row 059" in continued and "Row 060" not in continued
    assert last.startswith(
        "Table: Opportunities offered by area (continued)\nArea\nOpportunities\nRow 060"
    )


def test_long_cells_wrap_and_make_their_row_taller():
    text = "A very long area name " * 12
    section = Section(
        title="Areas", intro="", table=ReportTable(["Area", "Count"], [[text, "12"]], caption="C")
    )
    lines = pdf_pages(insights_report_pdf(report([section])))[1][0].split("\n")
    area_lines = lines[lines.index("Count") + 1 : lines.index("12")]
    assert len(area_lines) >= 2
    assert " ".join(" ".join(area_lines).split()) == " ".join(text.split())


# --- Suppression ----------------------------------------------------------------------------------


def test_a_suppressed_cell_and_chart_point_print_their_words():
    pages = pdf_pages(insights_report_pdf(report([topics_section()])))
    section = pages[1][0]
    # once beside the chart's marker, once in the table
    assert section.split("\n").count("fewer than 10") == 2


def test_the_chart_draws_bars_to_scale_and_the_suppressed_point_as_a_fixed_marker():
    stream = pdf_pages(insights_report_pdf(report([topics_section()])))[1][1]
    widths = [float(match[2]) for match in _RECT.findall(stream)]
    # 120 is the longest bar, 84 mm = 238.11 pt; 45 is 45/120 of it, 31.5 mm = 89.29 pt.
    assert 238.11 in widths and 89.29 in widths
    # The marker is 4 mm = 11.34 pt, for the point and in the legend (each clipped and outlined).
    assert widths.count(11.34) == 4
    # and the table's header band, the page less its margins: 210 − 2 × 18 = 174 mm = 493.23 pt
    assert sorted(set(widths)) == [11.34, 89.29, 238.11, 493.23]


@pytest.mark.parametrize(
    "cell", ["fewer than 10 (7)", "7 (withheld)", "withheld: 3", "Fewer than 10 — 4"]
)
def test_a_table_cannot_hold_a_suppressed_cell_with_a_number(cell):
    with pytest.raises(ValueError):
        ReportTable(headers=["Topic", "Badges"], rows=[["Sport", cell]], caption="C")


def test_a_chart_cannot_hold_a_suppressed_point_with_a_value():
    with pytest.raises(ValueError):
        Point("Sport", 7, "fewer than 10")
    with pytest.raises(ValueError):
        Point("Sport", None, "7")


def test_a_table_row_needs_a_cell_per_header_and_cells_are_text():
    with pytest.raises(ValueError):
        ReportTable(headers=["Topic", "Badges"], rows=[["Sport"]], caption="C")
    with pytest.raises(TypeError):
        ReportTable(headers=["Topic", "Badges"], rows=[["Sport", 7]], caption="C")  # type: ignore[list-item]


# --- Definitions ----------------------------------------------------------------------------------


def test_the_last_page_holds_the_rule_and_every_definition():
    pages = pdf_pages(insights_report_pdf(report([topics_section()])))
    last = " ".join(pages[-1][0].split())
    assert "Learners reached: distinct learners." in last
    assert "Badges awarded: live awards." in last
    assert "fewer than 10" in last
    assert "Page 3 of 3" in last  # the total is written in later, as its own piece of text


def test_a_section_without_rows_says_so():
    empty = Section(title="Nothing", intro="", table=ReportTable(["Area", "Count"], [], "C"))
    assert "No figures for this period." in pdf_pages(insights_report_pdf(report([empty])))[1][0]


def test_a_contents_too_long_for_the_first_page_runs_on_and_still_points_at_the_right_pages():
    sections = [
        Section(title=f"Part {n}", intro="", table=ReportTable(["A", "B"], [["x", "1"]], "C"))
        for n in range(1, 41)
    ]
    pages = pdf_pages(insights_report_pdf(report(sections)))
    contents = (pages[0][0] + "\n" + pages[1][0]).split("\n")
    assert "Part 40" not in pages[0][0]  # 42 contents lines do not fit under the rule box
    # Each section has a page of its own after the two pages of contents.
    assert contents[contents.index("40. Part 40") + 1] == "page 42"
    assert pages[41][0].startswith("40. Part 40")
    assert contents[contents.index("41. Definitions: how each figure is counted") + 1] == "page 43"
    assert len(pages) == 43
