"""Small-number suppression: hand-written examples for each rule, then Hypothesis properties that
attack every table the suppressor makes. No database.

The attacker is ``bounds_exact`` (the tightest bounds derivable from a published table), checked
itself against a brute-force search on small grids, and the looser ``bounds_propagate`` of issue 7.
A table fails if either attacker can give a "fewer than" cell an exact value."""

from __future__ import annotations

import ast
import dataclasses
import itertools
import sys
from collections.abc import Mapping

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from learningcity.insights import suppression
from learningcity.insights.suppression import (
    FEWER_THAN,
    NO_RATIO,
    TOTAL,
    WITHHELD,
    Cell,
    Interval,
    Key,
    Shape,
    Status,
    SuppressedTable,
    bounds_exact,
    bounds_propagate,
    disclosed,
    display,
    ratio_display,
    suppress_1d,
    suppress_2d,
    suppress_views,
)

labels = st.text(alphabet="abcdefgh", min_size=1, max_size=3)
PROPERTY = settings(max_examples=200, derandomize=True, database=None, deadline=None)

# --- Reference values and helpers, written independently of the module ------------------------


def truth_1d(counts: Mapping[str, int], total: int | None) -> dict[Key, int]:
    values: dict[Key, int] = {(c,): n for c, n in counts.items()}
    if total is not None:
        values[(TOTAL,)] = total
    return values


def truth_views(views: Mapping[str, Mapping[str, int]], total: int) -> dict[Key, int]:
    values: dict[Key, int] = {(v, c): n for v, counts in views.items() for c, n in counts.items()}
    values[(TOTAL,)] = total
    return values


def truth_2d(rows: Mapping[str, Mapping[str, int]], *, margins: bool = True) -> dict[Key, int]:
    columns = list(dict.fromkeys(c for counts in rows.values() for c in counts))
    values: dict[Key, int] = {
        (r, c): counts.get(c, 0) for r, counts in rows.items() for c in columns
    }
    if margins:
        for r, counts in rows.items():
            values[(r, TOTAL)] = sum(counts.values())
        for c in columns:
            values[(TOTAL, c)] = sum(counts.get(c, 0) for counts in rows.values())
        values[(TOTAL, TOTAL)] = sum(sum(counts.values()) for counts in rows.values())
    return values


def shown(table: SuppressedTable) -> dict[Key, int | str]:
    return {key: display(cell) for key, cell in table.cells.items()}


def primary_only(table: SuppressedTable, truth: Mapping[Key, int]) -> SuppressedTable:
    """The same table with secondary suppression switched off: only small counts hidden."""
    threshold = table.threshold
    cells = {
        key: Cell(Status.FEWER_THAN, None, threshold)
        if 0 < value < threshold
        else Cell(Status.SHOWN, value, threshold)
        for key, value in truth.items()
    }
    return dataclasses.replace(table, cells=cells, fully_withheld=False)


def recovered_by_propagation(table: SuppressedTable) -> set[Key]:
    bounds = bounds_propagate(table)
    return {k for k, b in bounds.items() if b.exact and table[k].status is Status.FEWER_THAN}


def assert_safe(table: SuppressedTable, truth: Mapping[Key, int]) -> None:
    """Neither attacker pins a small count, and the exact bounds are sound and inside the
    propagated ones."""
    assert disclosed(table, witness=truth) == frozenset()
    assert recovered_by_propagation(table) == set()
    exact = bounds_exact(table, witness=truth)
    loose = bounds_propagate(table)
    assert exact.keys() == loose.keys() == table.suppressed
    for key, interval in exact.items():
        assert interval.low <= truth[key]
        assert interval.high is None or truth[key] <= interval.high
        assert loose[key].low <= interval.low
        assert loose[key].high is None or (
            interval.high is not None and interval.high <= loose[key].high
        )


def assert_two_per_line(table: SuppressedTable) -> None:
    for line in table.lines:
        assert sum(table[key].suppressed for key in line.members) != 1, line


FEWER_THAN_10 = "fewer than 10"


def test_the_suppressor_imports_only_the_standard_library() -> None:
    with open(suppression.__file__, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    imported = {
        name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
    }
    assert imported <= sys.stdlib_module_names | {"__future__"}, imported


# --- What a cell shows ------------------------------------------------------------------------


def test_the_texts_are_the_published_ones() -> None:
    assert FEWER_THAN.format(threshold=10) == FEWER_THAN_10
    assert WITHHELD == "withheld"
    assert display(Cell(Status.FEWER_THAN, None, 5)) == "fewer than 5"
    assert display(Cell(Status.WITHHELD, None, 10)) == WITHHELD
    assert display(Cell(Status.SHOWN, 42, 10)) == 42


def test_counts_from_one_to_nine_show_as_fewer_than_ten_and_zero_and_ten_show() -> None:
    table = suppress_1d({"a": 0, "b": 1, "c": 9, "d": 10}, total=None)
    assert shown(table) == {("a",): 0, ("b",): FEWER_THAN_10, ("c",): FEWER_THAN_10, ("d",): 10}


def test_the_threshold_is_configurable() -> None:
    table = suppress_1d({"a": 4, "b": 5, "c": 7}, total=None, threshold=5)
    assert shown(table) == {("a",): "fewer than 5", ("b",): 5, ("c",): 7}


def test_a_published_table_holds_no_true_value_of_a_suppressed_cell() -> None:
    table = suppress_1d({"a": 4, "b": 25, "c": 40}, total=69)
    assert all(cell.value is None for cell in table.cells.values() if cell.suppressed)


def test_a_breakdown_is_read_by_category_or_by_key() -> None:
    table = suppress_1d({"a": 4, "b": 25}, total=29)
    assert table["a"] is table[("a",)]
    assert table.display(TOTAL) == table.display((TOTAL,))
    assert table.shape is Shape.BREAKDOWN


# --- Validation -------------------------------------------------------------------------------


def test_a_total_that_is_not_the_sum_is_refused() -> None:
    with pytest.raises(ValueError, match="add the missing category"):
        suppress_1d({"a": 4, "b": 25}, total=30)


def test_a_breakdown_that_does_not_sum_to_the_shared_total_is_refused() -> None:
    with pytest.raises(ValueError, match="'area' sums to 28, not the total 29"):
        suppress_views({"age": {"a": 4, "b": 25}, "area": {"n": 28}}, total=29)


@pytest.mark.parametrize("count", [-1])
def test_negative_counts_are_refused(count: int) -> None:
    with pytest.raises(ValueError, match="cannot be negative"):
        suppress_2d({"r": {"a": count}})


@pytest.mark.parametrize("count", [1.5, True, "3"])
def test_counts_must_be_integers(count: object) -> None:
    with pytest.raises(TypeError, match="must be integers"):
        suppress_1d({"a": count}, total=None)  # type: ignore[dict-item]


@pytest.mark.parametrize("threshold", [0, -3, True])
def test_the_threshold_must_be_a_positive_whole_number(threshold: int) -> None:
    with pytest.raises(ValueError, match="threshold must be"):
        suppress_1d({"a": 4}, total=4, threshold=threshold)


def test_withholding_an_unknown_cell_is_refused() -> None:
    with pytest.raises(ValueError, match="no cell"):
        suppress_1d({"a": 4}, total=4, withhold=["z"])


# --- One breakdown with its total -------------------------------------------------------------


def test_one_small_cell_takes_the_next_smallest_as_its_complement() -> None:
    counts = {"a": 4, "b": 25, "c": 40}
    table = suppress_1d(counts, total=69)
    assert shown(table) == {("a",): FEWER_THAN_10, ("b",): WITHHELD, ("c",): 40, (TOTAL,): 69}
    assert bounds_exact(table, witness=truth_1d(counts, 69))[("a",)] == Interval(1, 9)
    assert_safe(table, truth_1d(counts, 69))


def test_without_secondary_suppression_the_attacker_recovers_the_small_count() -> None:
    # The example above with the complement shown again: 69 - 25 - 40 = 4.
    counts = {"a": 4, "b": 25, "c": 40}
    truth = truth_1d(counts, 69)
    table = primary_only(suppress_1d(counts, total=69), truth)
    assert shown(table)[("a",)] == FEWER_THAN_10
    assert bounds_propagate(table)[("a",)] == Interval(4, 4)
    assert disclosed(table, witness=truth) == {("a",)}


def test_two_small_cells_protect_each_other() -> None:
    counts = {"a": 3, "b": 5, "c": 40}
    table = suppress_1d(counts, total=48)
    assert shown(table) == {("a",): FEWER_THAN_10, ("b",): FEWER_THAN_10, ("c",): 40, (TOTAL,): 48}
    assert bounds_exact(table, witness=truth_1d(counts, 48))[("a",)] == Interval(1, 7)
    assert_safe(table, truth_1d(counts, 48))


def test_two_small_cells_at_their_floor_are_not_enough() -> None:
    # a + b = 2 and both are at least 1: two per line holds, yet both would be 1 exactly.
    counts = {"a": 1, "b": 1, "c": 30}
    truth = truth_1d(counts, 32)
    assert disclosed(primary_only(suppress_1d(counts, total=32), truth), witness=truth) == {
        ("a",),
        ("b",),
    }
    table = suppress_1d(counts, total=32)
    assert shown(table) == {
        ("a",): FEWER_THAN_10,
        ("b",): FEWER_THAN_10,
        ("c",): WITHHELD,
        (TOTAL,): 32,
    }
    assert_safe(table, truth)


def test_a_complement_of_exactly_the_threshold_is_not_enough_and_is_given_back() -> None:
    # Withholding 10 beside 1 pins both (1 + 10 = 11, a withheld count is at least 10); 50 does
    # the job alone, so 10 is shown again.
    counts = {"a": 1, "b": 10, "c": 50}
    table = suppress_1d(counts, total=61)
    assert shown(table) == {("a",): FEWER_THAN_10, ("b",): 10, ("c",): WITHHELD, (TOTAL,): 61}
    assert_safe(table, truth_1d(counts, 61))


def test_when_all_cells_are_small_the_total_is_small_too() -> None:
    counts = {"a": 2, "b": 3, "c": 4}
    table = suppress_1d(counts, total=9)
    assert set(shown(table).values()) == {FEWER_THAN_10}
    assert not table.fully_withheld
    assert_safe(table, truth_1d(counts, 9))


def test_zeros_are_shown_and_never_withheld() -> None:
    counts = {"a": 0, "b": 5, "c": 0, "d": 30}
    table = suppress_1d(counts, total=35)
    assert shown(table) == {
        ("a",): 0,
        ("b",): FEWER_THAN_10,
        ("c",): 0,
        ("d",): WITHHELD,
        (TOTAL,): 35,
    }
    assert_safe(table, truth_1d(counts, 35))


def test_a_breakdown_of_zeros_and_large_counts_is_shown_whole() -> None:
    table = suppress_1d({"a": 0, "b": 0, "c": 25}, total=25)
    assert table.suppressed == frozenset()


def test_without_a_published_total_only_small_counts_are_suppressed() -> None:
    table = suppress_1d({"a": 4, "b": 25, "c": 40}, total=None)
    assert shown(table) == {("a",): FEWER_THAN_10, ("b",): 25, ("c",): 40}
    assert table.lines == ()


def test_a_table_that_cannot_be_protected_is_withheld_whole() -> None:
    # Nine categories of one each, total nine: every cell is at least 1 and they sum to fewer
    # than 10, so each is exactly 1 whatever else is hidden.
    counts = {f"area {i}": 1 for i in range(9)} | {"area 9": 0}
    truth = truth_1d(counts, 9)
    assert disclosed(primary_only(suppress_1d(counts, total=9), truth), witness=truth)
    table = suppress_1d(counts, total=9)
    assert table.fully_withheld
    assert set(shown(table).values()) == {WITHHELD}
    assert_safe(table, truth)


# --- Several breakdowns sharing one total -----------------------------------------------------


def test_breakdowns_of_one_population_are_protected_together() -> None:
    views = {
        "age band": {"11-13": 6, "14-16": 40, "17-18": 29},
        "area": {"north": 35, "south": 40},
        "decile": {"1-3": 3, "4-7": 30, "8-10": 42},
    }
    truth = truth_views(views, 75)
    table = suppress_views(views, total=75)
    assert shown(table) == {
        ("age band", "11-13"): FEWER_THAN_10,
        ("age band", "14-16"): 40,
        ("age band", "17-18"): WITHHELD,
        ("area", "north"): 35,
        ("area", "south"): 40,
        ("decile", "1-3"): FEWER_THAN_10,
        ("decile", "4-7"): WITHHELD,
        ("decile", "8-10"): 42,
        (TOTAL,): 75,
    }
    assert_safe(table, truth)


def test_a_small_shared_total_hides_every_breakdown() -> None:
    # A total below 10 makes it and every non-zero cell of every breakdown "fewer than 10".
    views = {"age band": {"a": 4, "b": 5}, "area": {"n": 9}}
    table = suppress_views(views, total=9)
    assert set(shown(table).values()) == {FEWER_THAN_10}
    assert_safe(table, truth_views(views, 9))


def test_a_shared_total_hidden_in_one_breakdown_is_hidden_in_all() -> None:
    # Left alone the total stays shown. Force it withheld (as another page might need) and every
    # breakdown must hide a cell too, or adding up that breakdown would give the total back.
    views = {"age": {"a": 3, "b": 12, "c": 40}, "area": {"n": 25, "s": 30}}
    table = suppress_views(views, total=55, withhold=[TOTAL])
    assert table.display(TOTAL) == WITHHELD
    assert_two_per_line(table)
    assert WITHHELD in {table.display(("area", "n")), table.display(("area", "s"))}
    assert_safe(table, truth_views(views, 55))


# --- Grids with margins -----------------------------------------------------------------------


CLASSIC = {
    "r1": {"A": 20, "B": 50, "C": 10},
    "r2": {"A": 8, "B": 19, "C": 22},
    "r3": {"A": 17, "B": 32, "C": 12},
}


def test_a_single_small_cell_in_a_grid_is_hidden_in_a_rectangle() -> None:
    # The textbook pattern: the small cell, the smallest cell of its row, of its column, and the
    # cell closing the rectangle; every margin stays shown.
    table = suppress_2d(CLASSIC)
    assert table.rows == ("r1", "r2", "r3", TOTAL)
    assert table.columns == ("A", "B", "C", TOTAL)
    assert table.suppressed == {("r2", "A"), ("r2", "B"), ("r3", "A"), ("r3", "B")}
    assert table.display(("r2", "A")) == FEWER_THAN_10
    assert table.display(("r3", "B")) == WITHHELD
    assert_two_per_line(table)
    assert_safe(table, truth_2d(CLASSIC))


def test_a_grid_without_secondary_suppression_gives_its_small_cell_away() -> None:
    truth = truth_2d(CLASSIC)
    table = primary_only(suppress_2d(CLASSIC), truth)
    assert bounds_propagate(table)[("r2", "A")] == Interval(8, 8)
    assert disclosed(table, witness=truth) == {("r2", "A")}


def test_two_per_line_is_not_enough_in_a_grid_either() -> None:
    # Two small cells in a row and a column: each line has two hidden cells but the ones sum to
    # 2 in row r1, so both would be exactly 1.
    rows = {"r1": {"A": 1, "B": 1, "C": 30}, "r2": {"A": 40, "B": 35, "C": 20}}
    truth = truth_2d(rows)
    table = suppress_2d(rows)
    assert table.display(("r1", "A")) == FEWER_THAN_10
    assert_two_per_line(table)
    assert_safe(table, truth)


def test_a_margin_is_withheld_when_only_margins_can_protect_a_small_total() -> None:
    # Row r1's only count is small, so its row total is small too; in the margin column the only
    # candidates are margins, and the smallest row total is withheld rather than the grand total.
    rows = {"r1": {"a": 5, "b": 0}, "r2": {"a": 20, "b": 0}}
    table = suppress_2d(rows)
    assert shown(table) == {
        ("r1", "a"): FEWER_THAN_10,
        ("r1", "b"): 0,
        ("r1", TOTAL): FEWER_THAN_10,
        ("r2", "a"): WITHHELD,
        ("r2", "b"): 0,
        ("r2", TOTAL): WITHHELD,
        (TOTAL, "a"): 25,
        (TOTAL, "b"): 0,
        (TOTAL, TOTAL): 25,
    }
    assert_safe(table, truth_2d(rows))


def test_a_grid_of_small_counts_hides_everything_but_its_zeros() -> None:
    rows = {"r1": {"a": 1, "b": 2}, "r2": {"a": 0, "b": 3}}
    table = suppress_2d(rows)
    assert table.display(("r2", "a")) == 0
    assert table.suppressed == {k for k, v in truth_2d(rows).items() if v}
    assert_safe(table, truth_2d(rows))


def test_a_grid_without_margins_has_only_primary_suppression() -> None:
    rows = {"r1": {"a": 4, "b": 25}, "r2": {"a": 30, "b": 12}}
    table = suppress_2d(rows, margins=False)
    assert table.lines == ()
    assert table.columns == ("a", "b")
    assert shown(table) == {
        ("r1", "a"): FEWER_THAN_10,
        ("r1", "b"): 25,
        ("r2", "a"): 30,
        ("r2", "b"): 12,
    }


def test_a_missing_cell_is_a_zero() -> None:
    table = suppress_2d({"r1": {"a": 12}, "r2": {"b": 30}})
    assert table.display(("r1", "b")) == 0
    assert table.display((TOTAL, TOTAL)) == 42


def test_withholding_forces_cells_and_ignores_zeros_and_small_counts() -> None:
    table = suppress_2d(CLASSIC, withhold=[("r1", "B"), ("r1", "A")])
    assert table[("r1", "B")].status is Status.WITHHELD
    assert_two_per_line(table)
    assert_safe(table, truth_2d(CLASSIC))
    table = suppress_1d({"a": 0, "b": 4, "c": 30}, total=34, withhold=["a", "b"])
    assert shown(table) == {("a",): 0, ("b",): FEWER_THAN_10, ("c",): WITHHELD, (TOTAL,): 34}


# --- Ratios -----------------------------------------------------------------------------------


def test_a_ratio_of_shown_counts_is_shown_rounded_half_up() -> None:
    table = suppress_1d({"a": 15, "b": 25}, total=40)
    assert ratio_display(table["a"], table[TOTAL], scale=100) == "37.5"
    assert ratio_display(table["a"], table[TOTAL], scale=100, places=0) == "38"
    assert ratio_display(1, 8, places=2) == "0.13"


def test_a_ratio_of_a_suppressed_count_is_withheld() -> None:
    table = suppress_1d({"a": 4, "b": 25, "c": 40}, total=69)
    assert ratio_display(table["a"], table[TOTAL], scale=100) == WITHHELD
    assert ratio_display(table["c"], table["b"]) == WITHHELD
    # A shown count over a public population is fine; over a withheld count it is not.
    assert ratio_display(table["c"], 2_000, scale=1_000) == "20.0"
    assert ratio_display(table["b"], 2_000, scale=1_000) == WITHHELD


def test_a_ratio_over_zero_is_not_applicable() -> None:
    assert ratio_display(Cell(Status.SHOWN, 0, 10), 0) == NO_RATIO


# --- The attacker itself, against brute force -------------------------------------------------


def brute_bounds(
    table: SuppressedTable, truth: Mapping[Key, int], caps: tuple[int, int]
) -> tuple[dict[Key, tuple[int, int]], dict[Key, tuple[int, int]]]:
    """Every completion of a grid's hidden interior cells up to each cap that agrees with the
    published cells and labels: the least and greatest value of each hidden cell, per cap."""
    interior = [k for k in truth if TOTAL not in k]
    hidden = [k for k in interior if table[k].suppressed]
    rows = list(dict.fromkeys(r for r, _ in interior))
    columns = list(dict.fromkeys(c for _, c in interior))

    def allowed(key: Key, value: int) -> bool:
        cell = table[key]
        if cell.status is Status.SHOWN:
            return value == cell.value
        if cell.status is Status.FEWER_THAN:
            return 1 <= value < table.threshold
        return value >= table.threshold

    ranges = [
        range(1, table.threshold)
        if table[k].status is Status.FEWER_THAN
        else range(table.threshold, max(caps) + 1)
        for k in hidden
    ]
    found: list[tuple[int, dict[Key, int]]] = []
    for combination in itertools.product(*ranges):
        values = {k: truth[k] for k in interior} | dict(zip(hidden, combination, strict=True))
        for r in rows:
            values[(r, TOTAL)] = sum(values[(r, c)] for c in columns)
        for c in columns:
            values[(TOTAL, c)] = sum(values[(r, c)] for r in rows)
        values[(TOTAL, TOTAL)] = sum(values[(r, TOTAL)] for r in rows)
        if all(allowed(k, v) for k, v in values.items()):
            found.append((max(combination, default=0), values))
    result = []
    for cap in caps:
        seen = [values for top, values in found if top <= cap]
        result.append(
            {k: (min(v[k] for v in seen), max(v[k] for v in seen)) for k in table.suppressed}
        )
    return result[0], result[1]


@st.composite
def published_grids(draw: st.DrawFn) -> tuple[SuppressedTable, dict[Key, int]]:
    """A grid of up to 3x3 with margins and an arbitrary (not necessarily safe) choice of hidden
    cells: every small count, plus any others drawn; at most three hidden inside the margins."""
    height, width = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    rows = {
        f"r{i}": {f"c{j}": draw(st.integers(0, 14)) for j in range(width)} for i in range(height)
    }
    truth = truth_2d(rows)
    chosen = draw(st.sets(st.sampled_from(sorted(truth, key=repr))))
    cells = {}
    for key, value in truth.items():
        if 0 < value < 10:
            cells[key] = Cell(Status.FEWER_THAN, None, 10)
        elif value >= 10 and key in chosen:
            cells[key] = Cell(Status.WITHHELD, None, 10)
        else:
            cells[key] = Cell(Status.SHOWN, value, 10)
    assume(sum(cells[k].suppressed for k in truth if TOTAL not in k) <= 3)
    return dataclasses.replace(suppress_2d(rows), cells=cells), truth


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(published_grids())
def test_the_exact_attacker_agrees_with_brute_force(
    grid: tuple[SuppressedTable, dict[Key, int]],
) -> None:
    table, truth = grid
    exact = bounds_exact(table, witness=truth)
    small, large = brute_bounds(table, truth, (26, 36))
    for key, interval in exact.items():
        assert interval.low == small[key][0] == large[key][0], key
        if small[key][1] == large[key][1]:
            assert interval.high == small[key][1], key
        else:
            assert interval.high is None or interval.high >= large[key][1], key


@st.composite
def views_sharing_a_total(
    draw: st.DrawFn, top: int = 90, size: int = 5
) -> tuple[dict[str, dict[str, int]], int]:
    tops = sorted({12, min(40, top), top})
    total = draw(st.sampled_from(tops).flatmap(lambda most: st.integers(0, most)))
    views: dict[str, dict[str, int]] = {}
    for view in draw(st.lists(labels, min_size=1, max_size=3, unique=True)):
        parts_count = draw(st.integers(1, size))
        cuts = sorted(
            draw(
                st.lists(st.integers(0, total), min_size=parts_count - 1, max_size=parts_count - 1)
            )
        )
        parts = [b - a for a, b in itertools.pairwise([0, *cuts, total])]
        views[view] = {f"c{i}": n for i, n in enumerate(parts)}
    return views, total


def brute_bounds_by_lines(
    table: SuppressedTable, caps: tuple[int, int]
) -> tuple[dict[Key, tuple[int, int]], dict[Key, tuple[int, int]]]:
    """Every assignment of the hidden cells within their labels and up to each cap that satisfies
    every line: the least and greatest value of each hidden cell, per cap."""
    hidden = sorted(table.suppressed, key=repr)
    ranges = [
        range(1, table.threshold)
        if table[k].status is Status.FEWER_THAN
        else range(table.threshold, max(caps) + 1)
        for k in hidden
    ]
    found: list[tuple[int, dict[Key, int]]] = []
    for combination in itertools.product(*ranges):
        values = {k: c.value for k, c in table.cells.items() if c.value is not None}
        values |= dict(zip(hidden, combination, strict=True))
        if all(values[line.total] == sum(values[p] for p in line.parts) for line in table.lines):
            found.append((max(combination, default=0), values))
    result = []
    for cap in caps:
        seen = [values for top, values in found if top <= cap]
        result.append({k: (min(v[k] for v in seen), max(v[k] for v in seen)) for k in hidden})
    return result[0], result[1]


@st.composite
def published_breakdowns(draw: st.DrawFn) -> tuple[SuppressedTable, dict[Key, int]]:
    """One to three breakdowns of a shared total of at most 30, every small count hidden plus any
    others drawn."""
    views, total = draw(views_sharing_a_total(top=30, size=3))
    truth = truth_views(views, total)
    chosen = draw(st.sets(st.sampled_from(sorted(truth, key=repr))))
    cells = {}
    for key, value in truth.items():
        if 0 < value < 10:
            cells[key] = Cell(Status.FEWER_THAN, None, 10)
        elif value >= 10 and key in chosen:
            cells[key] = Cell(Status.WITHHELD, None, 10)
        else:
            cells[key] = Cell(Status.SHOWN, value, 10)
    small = sum(c.status is Status.FEWER_THAN for c in cells.values())
    withheld = sum(c.status is Status.WITHHELD for c in cells.values())
    assume(9**small * 27**withheld <= 30_000)  # what brute force can search quickly
    return dataclasses.replace(suppress_views(views, total=total), cells=cells), truth


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(published_breakdowns())
def test_the_exact_attacker_agrees_with_brute_force_on_breakdowns(
    drawn: tuple[SuppressedTable, dict[Key, int]],
) -> None:
    table, truth = drawn
    exact = bounds_exact(table, witness=truth)
    small, large = brute_bounds_by_lines(table, (31, 36))
    for key, interval in exact.items():
        assert interval.low == small[key][0] == large[key][0], key
        if small[key][1] == large[key][1]:
            assert interval.high == small[key][1], key
        else:
            assert interval.high is None or interval.high >= large[key][1], key


# --- Properties -------------------------------------------------------------------------------

counts = st.sampled_from([12, 40]).flatmap(lambda top: st.integers(0, top))


def check(table: SuppressedTable, truth: Mapping[Key, int], threshold: int) -> None:
    assert table.cells.keys() == truth.keys()
    assert_safe(table, truth)
    if table.fully_withheld:
        assert {display(c) for c in table.cells.values()} == {WITHHELD}
        return
    for key, value in truth.items():
        cell = table[key]
        if 0 < value < threshold:
            assert cell.status is Status.FEWER_THAN, key
        elif cell.status is Status.SHOWN:
            assert cell.value == value, key
        else:
            assert cell.status is Status.WITHHELD
            assert value >= threshold, key
    assert_two_per_line(table)


@PROPERTY
@given(
    st.dictionaries(labels, counts, min_size=1, max_size=8),
    st.booleans(),
    st.sampled_from([3, 5, 10]),
)
def test_every_breakdown_is_safe_and_true_where_shown(
    values: dict[str, int], with_total: bool, threshold: int
) -> None:
    total = sum(values.values()) if with_total else None
    table = suppress_1d(values, total=total, threshold=threshold)
    check(table, truth_1d(values, total), threshold)
    assert suppress_1d(values, total=total, threshold=threshold, withhold=table.withheld) == table


@PROPERTY
@given(views_sharing_a_total())
def test_every_set_of_breakdowns_is_safe_and_true_where_shown(
    drawn: tuple[dict[str, dict[str, int]], int],
) -> None:
    views, total = drawn
    table = suppress_views(views, total=total)
    check(table, truth_views(views, total), 10)
    assert suppress_views(views, total=total, withhold=table.withheld) == table


@st.composite
def grids(draw: st.DrawFn) -> dict[str, dict[str, int]]:
    height, width = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    top = draw(st.sampled_from([12, 40]))
    return {
        f"r{i}": {f"c{j}": draw(st.integers(0, top)) for j in range(width)} for i in range(height)
    }


@PROPERTY
@given(grids(), st.booleans())
def test_every_grid_is_safe_and_true_where_shown(
    rows: dict[str, dict[str, int]], margins: bool
) -> None:
    table = suppress_2d(rows, margins=margins)
    check(table, truth_2d(rows, margins=margins), 10)
    assert suppress_2d(rows, margins=margins, withhold=table.withheld) == table
