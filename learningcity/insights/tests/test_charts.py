"""The insight charts: accessible, escaped SVG in which a suppressed value is never drawn to
scale. No database: the charts are pure functions."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from learningcity.insights import charts
from learningcity.insights.charts import MapArea, PairedRow, Point

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = "<script>alert(\"x\")</script> & 'Tom's'"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - the charts module's own output, under test


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iterfind(".//s:text", NS)]


def bars() -> list[Point]:
    return [
        Point("Digital skills", 100, "100"),
        Point("Arts", 50, "50"),
        Point("Sport", None, "fewer than 10"),
    ]


def every_chart(points: list[Point], *, title: str = "T", description: str = "D") -> dict:
    areas = [
        MapArea(p.label, 53.8 + i / 100, -1.5 + i / 100, p.value, p.display)
        for i, p in enumerate(points)
    ]
    pairs = [PairedRow(p.label, p, Point("", 5, "5%")) for p in points]
    common = {"title": title, "description": description}
    return {
        "bar": charts.bar_chart(points, id_prefix="c-bar", **common),
        "paired": charts.paired_bar_chart(
            pairs,
            series=("Share of learners", "Share of population"),
            id_prefix="c-pair",
            **common,
        ),
        "trend": charts.trend_chart(points, id_prefix="c-trend", **common),
        "funnel": charts.funnel_chart(points, id_prefix="c-funnel", **common),
        "map": charts.area_map(areas, id_prefix="c-map", **common),
    }


# --- Every chart ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bar", "paired", "trend", "funnel", "map"])
def test_every_chart_is_an_image_named_by_its_own_title_and_description(kind):
    svg = every_chart(bars(), title="Badges by topic", description="Badges in October")[kind]
    root = parse(svg)
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("viewBox", "").startswith("0 0 340 ")
    title_id, desc_id = root.get("aria-labelledby", "").split()
    title = root.find("s:title", NS)
    desc = root.find("s:desc", NS)
    assert (title.get("id"), title.text) == (title_id, "Badges by topic")
    assert desc.get("id") == desc_id
    assert desc.text.startswith("Badges in October")
    assert title_id.startswith(f"c-{'pair' if kind == 'paired' else kind}-")


@pytest.mark.parametrize("kind", ["bar", "paired", "trend", "funnel", "map"])
def test_every_value_is_written_as_text_and_the_suppressed_one_in_words(kind):
    root = parse(every_chart(bars())[kind])
    written = " ".join(texts(root))
    for shown in ("100", "50", "fewer than 10"):
        assert shown in written


@pytest.mark.parametrize("kind", ["bar", "paired", "trend", "funnel", "map"])
def test_every_chart_defines_its_patterns_and_holds_no_script_or_outside_reference(kind):
    svg = every_chart(bars())[kind]
    root = parse(svg)
    ids = {pattern.get("id") for pattern in root.iterfind(".//s:defs/s:pattern", NS)}
    prefix = root.get("aria-labelledby").split()[0].removesuffix("-title")
    assert ids == {f"{prefix}-series1", f"{prefix}-series2", f"{prefix}-suppressed"}
    assert "<script" not in svg.lower()
    assert "href" not in svg
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


@pytest.mark.parametrize("kind", ["bar", "paired", "trend", "funnel", "map"])
def test_hostile_labels_titles_and_descriptions_are_escaped(kind):
    points = [Point(HOSTILE, 3, "3"), Point("B & C", None, "withheld")]
    svg = every_chart(points, title=HOSTILE, description=HOSTILE)[kind]
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)  # still well-formed XML
    assert root.find("s:title", NS).text == HOSTILE
    assert root.find("s:desc", NS).text.startswith(HOSTILE)
    row_titles = ["".join(t.itertext()) for t in root.iterfind(".//s:g/s:title", NS)]
    assert any(title.startswith(HOSTILE) for title in row_titles)
    assert any(title.startswith("B & C") for title in row_titles)


@pytest.mark.parametrize("prefix", ["", "1chart", 'a" onload="x', "a b", "a<b"])
def test_an_id_prefix_that_is_not_a_plain_name_is_refused(prefix):
    with pytest.raises(ValueError):
        charts.bar_chart(bars(), title="T", description="D", id_prefix=prefix)


# --- Points ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "display"),
    [(7, "fewer than 10"), (0, "withheld"), (12, "Fewer than 5"), (None, "7"), (None, "12.5%")],
)
def test_a_suppressed_point_cannot_carry_a_number(value, display):
    with pytest.raises(ValueError):
        Point("Sport", value, display)


@pytest.mark.parametrize(("value", "error"), [(-1, ValueError), (math.nan, ValueError)])
def test_a_point_value_is_a_finite_number_not_below_zero(value, error):
    with pytest.raises(error):
        Point("Sport", value, "x")


def test_a_point_value_is_not_a_boolean():
    with pytest.raises(TypeError):
        Point("Sport", True, "yes")


def test_suppressed_and_not_available_points_are_accepted_without_a_value():
    assert Point("Sport", None, "fewer than 10").suppressed
    assert Point("Sport", None, "withheld").suppressed
    assert Point("Decile 3", None, "not available").suppressed


# --- Bar chart ------------------------------------------------------------------------------------


def test_bars_are_scaled_to_the_largest_and_the_suppressed_bar_is_a_fixed_stub():
    root = parse(charts.bar_chart(bars(), title="T", description="D", id_prefix="b"))
    # The widest text is "fewer than 10": 13 characters × 13 px × 0.6 = 101.4 px kept for it,
    # so the longest bar is 340 − 101.4 − 8 = 230.6 px and 50 of 100 is half of that.
    widths = [rect.get("width") for rect in root.iterfind(".//s:rect[@class='bar']", NS)]
    assert widths == ["230.6", "115.3"]
    stubs = list(root.iterfind(".//s:g[@class='row row--suppressed']/s:rect", NS))
    assert [stub.get("class") for stub in stubs] == ["suppressed-stub"]
    assert stubs[0].get("width") == str(charts.STUB_W) == "14"
    assert stubs[0].get("fill") == "url(#b-suppressed)"
    assert stubs[0].get("stroke-dasharray")
    legend = " ".join(texts(root.find(".//s:g[@class='legend']", NS)))
    assert "“fewer than 10”" in legend and "not drawn to scale" in " ".join(legend.split())


def test_the_stub_is_the_same_whatever_the_other_values():
    def stub_width(largest: int) -> str:
        points = [Point("A", largest, str(largest)), Point("B", None, "withheld")]
        root = parse(charts.bar_chart(points, title="T", description="D", id_prefix="b"))
        return root.find(".//s:rect[@class='suppressed-stub']", NS).get("width")

    assert stub_width(12) == stub_width(100_000) == "14"


def test_a_shown_value_carries_its_unit_and_a_suppressed_one_only_its_words():
    root = parse(charts.bar_chart(bars(), title="T", description="D", id_prefix="b", unit="badges"))
    values = ["".join(t.itertext()) for t in root.iterfind(".//s:text[@class='value']", NS)]
    assert values == ["100 badges", "50 badges", "fewer than 10"]


def test_a_long_label_wraps_to_two_lines_and_the_row_title_keeps_it_whole():
    label = "Arts, crafts and making things with your hands in community studios across the city"
    points = [Point(label, 5, "5")]
    root = parse(charts.bar_chart(points, title="T", description="D", id_prefix="b"))
    row = root.find(".//s:g[@class='row row--shown']", NS)
    assert row.find("s:title", NS).text == f"{label}: 5"
    lines = [t.text for t in row.iterfind("s:text", NS) if t.get("font-weight") == "700"]
    assert lines == [
        "Arts, crafts and making things with your",
        "hands in community studios across the…",
    ]


def test_a_chart_of_only_suppressed_values_draws_stubs_and_no_bars():
    points = [Point("A", None, "withheld"), Point("B", None, "fewer than 10")]
    root = parse(charts.bar_chart(points, title="T", description="D", id_prefix="b"))
    assert root.find(".//s:rect[@class='bar']", NS) is None
    assert len(root.findall(".//s:g[@class='row row--suppressed']", NS)) == 2


# --- Paired bars ----------------------------------------------------------------------------------


def test_paired_bars_share_one_scale_and_name_each_series_with_its_pattern():
    rows = [
        ("Decile 1 (most deprived)", Point("", 20, "20%"), Point("", 10, "10%")),
        ("Decile 2", Point("", None, "withheld"), Point("", 5, "5%")),
    ]
    root = parse(
        charts.paired_bar_chart(
            rows,
            series=("Share of learners", "Share of young population"),
            title="T",
            description="D",
            id_prefix="eq",
        )
    )
    legend = " ".join(texts(root.find(".//s:g[@class='legend']", NS)))
    assert "Share of learners" in legend and "Share of young population" in legend
    first = root.findall(".//s:g[@class='pair pair--series1 pair--shown']/s:rect", NS)
    second = root.findall(".//s:g[@class='pair pair--series2 pair--shown']/s:rect", NS)
    assert [r.get("fill") for r in first] == ["url(#eq-series1)"]
    assert [r.get("fill") for r in second] == ["url(#eq-series2)", "url(#eq-series2)"]
    # "withheld" is the widest text: 8 × 13 × 0.6 = 62.4 px, bars up to 340 − 62.4 − 8 = 269.6.
    assert [first[0].get("width"), second[0].get("width"), second[1].get("width")] == [
        "269.6",
        "134.8",
        "67.4",
    ]
    stub = root.find(".//s:g[@class='pair pair--series1 pair--suppressed']/s:rect", NS)
    assert stub.get("width") == "14"


# --- Trend ----------------------------------------------------------------------------------------


def test_the_trend_line_breaks_at_a_suppressed_month_and_a_note_says_so():
    points = [
        Point("Jul", 10, "10"),
        Point("Aug", 20, "20"),
        Point("Sep", None, "fewer than 10"),
        Point("Oct", 40, "40"),
        Point("Nov", 30, "30"),
    ]
    root = parse(charts.trend_chart(points, title="T", description="D", id_prefix="t"))
    # x: 8 + 79.5 × i (318 px wide plot). The plot's top is at 28 and its base 150 px lower,
    # at 178; 40 is the top, 10 is 178 − 37.5.
    lines = [p.get("points") for p in root.iterfind(".//s:polyline", NS)]
    assert lines == ["8,140.5 87.5,103", "246.5,28 326,65.5"]
    # "fewer than 10" (13 × 12 × 0.6 = 93.6 px) is wider than a 79.5 px step, so values are
    # written on every second point counting back from the latest: Nov, Sep, Jul.
    values = [t.text for t in root.iterfind(".//s:text[@class='value']", NS)]
    assert values == ["10", "fewer than 10", "30"]
    assert len(root.findall(".//s:circle[@class='marker']", NS)) == 4
    gap = root.find(".//s:g[@class='point point--suppressed']", NS)
    assert gap.find("s:rect", NS).get("width") == "14"
    note = " ".join(" ".join(texts(root.find(".//s:g[@class='note']", NS))).split())
    assert "Gaps in the line: Sep (fewer than 10)." in note


def test_a_trend_without_gaps_has_one_line_and_no_note():
    points = [Point(m, v, str(v)) for m, v in (("Jan", 1), ("Feb", 2), ("Mar", 3))]
    root = parse(charts.trend_chart(points, title="T", description="D", id_prefix="t"))
    assert len(root.findall(".//s:polyline", NS)) == 1
    assert root.find(".//s:g[@class='note']", NS) is None


# --- Funnel ---------------------------------------------------------------------------------------


def test_the_funnel_gives_the_share_of_the_step_before_only_between_shown_steps():
    points = [
        Point("First badge", 400, "400"),
        Point("Second badge", 220, "220"),
        Point("Pathway started", None, "fewer than 10"),
        Point("Pathway completed", 0, "0"),
    ]
    root = parse(charts.funnel_chart(points, title="T", description="D", id_prefix="f"))
    values = [t.text for t in root.iterfind(".//s:text[@class='value']", NS)]
    assert values == ["400", "220 (55% of the step before)", "fewer than 10", "0"]
    widths = [r.get("width") for r in root.iterfind(".//s:rect[@class='bar']", NS)]
    assert widths == ["340", "187", "0"]  # 220 / 400 × 340
    assert root.find(".//s:rect[@class='suppressed-stub']", NS).get("width") == "14"


# --- Map ------------------------------------------------------------------------------------------


def centre(root: ET.Element, label: str) -> tuple[float, float]:
    for group in root.iterfind(".//s:g", NS):
        title = group.find("s:title", NS)
        if title is not None and title.text.startswith(f"{label}:"):
            circle = group.find("s:circle", NS)
            return float(circle.get("cx")), float(circle.get("cy"))
    raise AssertionError(label)


def test_the_map_puts_north_up_and_east_right_with_longitude_shrunk_by_latitude():
    areas = [
        ("Harbour", 60.0, 0.0, 5, "5"),
        ("Eastend", 60.0, 2.0, 10, "10"),
        ("Northgate", 61.0, 0.0, 1, "1"),
    ]
    root = parse(charts.area_map(areas, title="T", description="D", id_prefix="m"))
    harbour, eastend, northgate = (centre(root, n) for n in ("Harbour", "Eastend", "Northgate"))
    assert northgate[1] < harbour[1] == eastend[1]
    assert eastend[0] > harbour[0] == northgate[0]
    # 2° of longitude at a mean latitude of 60⅓° spans 2 × cos(60⅓°) = 0.990 of 1° of latitude.
    ratio = (eastend[0] - harbour[0]) / (harbour[1] - northgate[1])
    assert ratio == pytest.approx(2 * math.cos(math.radians(181 / 3)), abs=0.01)


def test_the_map_names_the_lowest_areas_and_draws_a_suppressed_one_small_and_hatched():
    areas = [
        ("Centre", 53.80, -1.54, 30.0, "30.0"),
        ("Northgate", 53.85, -1.55, 0.4, "0.4"),
        ("Southbank", 53.75, -1.52, 12.5, "12.5"),
        ("Riverside", 53.78, -1.50, 1.2, "1.2"),
        ("Hill Top", 53.83, -1.60, None, "withheld"),
    ]
    root = parse(charts.area_map(areas, title="T", description="D", id_prefix="m", label_lowest=2))
    labels = [t.text for t in root.iterfind(".//s:text[@class='area-label']", NS)]
    assert labels == ["Northgate: 0.4", "Riverside: 1.2"]
    suppressed = root.find(".//s:circle[@class='area-suppressed']", NS)
    assert suppressed.get("r") == "6" and suppressed.get("fill") == "url(#m-suppressed)"
    # Circle area follows the value: r = 3 + 15 × √(value / largest).
    radii = {
        "Centre": 18.0,
        "Southbank": 3 + 15 * math.sqrt(12.5 / 30),
        "Northgate": 3 + 15 * math.sqrt(0.4 / 30),
    }
    for group in root.iterfind(".//s:g", NS):
        title = group.find("s:title", NS)
        name = title.text.split(":")[0] if title is not None else ""
        if name in radii:
            assert float(group.find("s:circle", NS).get("r")) == pytest.approx(
                radii[name], abs=0.06
            )
    desc = root.find("s:desc", NS).text
    assert desc == "D The table beside this map holds the same figures for every area."


def test_a_map_of_one_area_or_none_still_draws():
    one = parse(
        charts.area_map([("Only", 53.8, -1.5, 3, "3")], title="T", description="D", id_prefix="m")
    )
    assert len(one.findall(".//s:circle[@class='area-value']", NS)) == 1
    empty = parse(charts.area_map([], title="T", description="D", id_prefix="m"))
    assert empty.find(".//s:circle[@class='area-value']", NS) is None


def _view_height(svg: str) -> float:
    return float(parse(svg).attrib["viewBox"].split()[3])


def test_a_trend_with_nothing_above_zero_has_no_empty_band() -> None:
    def chart(points: list[Point]) -> str:
        return charts.trend_chart(points, title="T", description="D", id_prefix="t")

    months = ["Jan", "Feb", "Mar"]
    plotted = chart([Point(m, v, str(v)) for m, v in zip(months, [5, 12, 30], strict=True)])
    hidden = chart([Point(m, None, "fewer than 10") for m in months])
    zeros = chart([Point(m, 0, "0") for m in months])
    assert _view_height(hidden) <= _view_height(plotted) - 60
    assert _view_height(zeros) <= _view_height(plotted) - 100
