"""Small-number suppression for the city dashboards: which counts may be shown, and which must be
withheld so that a small count cannot be worked out from the numbers around it (issue 7,
"Honest numbers").

Pure functions over plain data — no Django, no ORM — so the rules can be tested exhaustively
(``tests/test_suppression.py`` attacks every table it makes, with Hypothesis) and called from a
selector, a view, a CSV export or a background job alike. Nothing here ever renders a true count
that was suppressed: a published table (``SuppressedTable``) does not hold the true values of its
hidden cells at all.

What a published cell says — and so exactly what a reader, or an attacker, learns from it:

- **0 is shown as 0.** A true zero describes nobody: no learner can be picked out by "no learner
  from this area earned this badge", and the zeros are the very gaps the dashboards exist to show
  (an area with no opportunities is an "opportunity desert"). Accepted knowingly: beside a small
  total, a zero can say that everyone in that small group shares an attribute ("all of ward A's
  few learners are 14–16") — group disclosure, which names no one and, for the attributes these
  dashboards break down by (area, deprivation decile, age band, topic, organisation type), tells
  nothing sensitive. A breakdown by a sensitive attribute (special educational needs, say) would
  need its zeros protected too; this module does not do that. Zeros are never withheld, so a
  reader may always trust a 0.
- **1 to threshold − 1 is shown as "fewer than 10"** (primary suppression; ``threshold`` defaults
  to 10). The reader learns ``1 ≤ n ≤ threshold − 1``.
- **A count withheld to protect another is shown as "withheld"** (secondary, or complementary,
  suppression). It is never a small count (those are all "fewer than") and never zero (zeros are
  never withheld), so the reader learns ``n ≥ threshold`` — and the auditor below assumes they
  do. Calling it "fewer than 10" would be false, and reading ``[0, total]`` into it, as a naive
  attacker might, would underestimate what is actually given away.

A table is a set of cells and *lines*: equalities ``total = sum(parts)`` that any reader can use.
A breakdown with a total is one line; several breakdowns of one population (learners by age band,
by area, by decile) are one line each, all sharing the same total — and they share it even if it
is not printed, since each breakdown sums to it; a grid with margins has a line per row, per
column, and for the margin row and margin column.

How secondary cells are chosen (rules 1 and 2 repeat until nothing changes):

1. **Two per line.** A line with exactly one hidden cell gives that cell away by subtraction, so
   another cell of the line is withheld: the smallest non-zero shown one, preferring a part to the
   line's total, and a row or column total to the grand total (headline figures stay visible
   where they can). Such a candidate always exists: the hidden cell is non-zero, so the line has
   another non-zero member.
2. **Audit.** Two per line is the textbook rule and not enough: in ``[1, 1, 30]`` with its total,
   both small cells are hidden, but ``a + b = 2`` and ``a, b ≥ 1`` pin both to 1; in
   ``[1, 10, 50]`` hiding ``1`` and ``10`` pins both because a withheld cell is at least 10. So
   every table is attacked (``bounds_exact``) and, while some "fewer than" cell's exact value can
   be derived, one more cell is withheld: the smallest that frees it — first among the cells
   sharing a line with it (parts before totals), then anywhere in the table — or, if no single
   cell frees it, the first in that order, and the loop goes on. Withholding one more
   cell can only widen what an attacker can derive (its true value stays inside what its new
   label says), so the loop ends with a safe table or with nothing left to withhold.
3. **Give back.** Greedy choices can overshoot (in ``[1, 10, 50]`` rule 1 picks ``10``, the audit
   then adds ``50``, and ``10`` is no longer needed), so each withheld cell, totals and large
   counts first, is shown again if rules 1 and 2 still hold without it. Cells forced with
   ``withhold`` stay withheld, which makes ``withhold=table.withheld`` reproduce ``table``.
4. **Nothing left.** A table can be beyond saving: nine categories of one learner each, total
   nine — every cell is "fewer than 10", at least 1, and they sum to fewer than 10, so each is 1.
   Such a table is withheld entirely (``SuppressedTable.fully_withheld``; every cell, zeros and
   totals included, shows "withheld" and may be any number). That a table was withheld whole is
   itself a hint about its shape; the case is rare enough to accept.

**Safe** means: no cell shown as "fewer than" can be given an exact value from the published
table and its lines — the attacker's tightest bounds on it differ. Narrow ranges (``[1, 2]``) are
accepted. The attacker is the strongest possible for these shapes, not the bound propagation of
issue 7 (which is offered too, as ``bounds_propagate``, and is always looser): for a breakdown the
bounds follow in closed form; for a grid with margins the lines form a network (a row node per
row, a column node per column, a cell an edge between them, margins with their sign flipped), so
every other table consistent with the published one differs from it by a circulation, and the
tightest bounds on a cell are a maximum flow around it. Linear and integer programming could
derive nothing tighter (the constraint matrix is totally unimodular).

Not covered, and left to callers: tables published elsewhere with a different pattern (publish a
grid's margins, never an independently suppressed breakdown of the same counts — or force the
same cells with ``withhold``); inference from *why* the algorithm chose a pattern; differencing
across periods or filters (this week's table against this month's), which only the selectors that
choose what to publish can prevent.
"""

from __future__ import annotations

import enum
import math
from collections import deque
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeAlias

__all__ = [
    "DEFAULT_THRESHOLD",
    "FEWER_THAN",
    "NO_RATIO",
    "TOTAL",
    "WITHHELD",
    "Cell",
    "Interval",
    "Key",
    "Label",
    "Line",
    "Margin",
    "Shape",
    "Status",
    "SuppressedTable",
    "bounds_exact",
    "bounds_propagate",
    "disclosed",
    "display",
    "ratio_display",
    "suppress_1d",
    "suppress_2d",
    "suppress_views",
]

DEFAULT_THRESHOLD = 10
FEWER_THAN = "fewer than {threshold}"
WITHHELD = "withheld"
NO_RATIO = "not applicable"


class Margin(enum.Enum):
    """The label of a total, so that no category name can be mistaken for one."""

    TOTAL = "total"

    def __repr__(self) -> str:
        return "TOTAL"


TOTAL = Margin.TOTAL

Label: TypeAlias = str | Margin
# A breakdown's cells are ``(category,)``, several breakdowns' ``(breakdown, category)``, their
# total ``(TOTAL,)``; a grid's are ``(row, column)`` with ``TOTAL`` in the margins.
Key: TypeAlias = tuple[Label, ...]


class Status(enum.Enum):
    SHOWN = "shown"
    FEWER_THAN = "fewer than"  # primary suppression: 1 ≤ n < threshold
    WITHHELD = "withheld"  # secondary suppression: n ≥ threshold (any n if fully withheld)


class Shape(enum.Enum):
    BREAKDOWN = "breakdown"  # one or several 1-D breakdowns, sharing one total
    GRID = "grid"  # a 2-D table, with or without margins


@dataclass(frozen=True)
class Cell:
    """One published cell: its status, and its value only when it is shown."""

    status: Status
    value: int | None
    threshold: int

    @property
    def suppressed(self) -> bool:
        return self.status is not Status.SHOWN


@dataclass(frozen=True)
class Line:
    """An equality every reader can use: the ``total`` cell is the sum of the ``parts``."""

    total: Key
    parts: tuple[Key, ...]

    @property
    def members(self) -> tuple[Key, ...]:
        return (self.total, *self.parts)


@dataclass(frozen=True)
class Interval:
    """What an attacker can derive about a cell: ``low ≤ n ≤ high`` (``high`` None: unbounded)."""

    low: int
    high: int | None

    @property
    def exact(self) -> bool:
        return self.high == self.low


@dataclass(frozen=True)
class SuppressedTable:
    """A table as it may be published. ``cells`` keeps the input's order; a grid also lists its
    ``rows`` and ``columns`` (ending with ``TOTAL`` when it has margins)."""

    threshold: int
    shape: Shape
    cells: Mapping[Key, Cell]
    lines: tuple[Line, ...]
    rows: tuple[Label, ...] = ()
    columns: tuple[Label, ...] = ()
    fully_withheld: bool = False

    def __getitem__(self, key: Key | Label) -> Cell:
        return self.cells[_key(key)]

    def display(self, key: Key | Label) -> int | str:
        return display(self[key])

    @property
    def suppressed(self) -> frozenset[Key]:
        return frozenset(k for k, c in self.cells.items() if c.suppressed)

    @property
    def withheld(self) -> frozenset[Key]:
        """The secondary cells — pass them back as ``withhold`` to repeat this pattern."""
        return frozenset(k for k, c in self.cells.items() if c.status is Status.WITHHELD)


def display(cell: Cell) -> int | str:
    """What to print for ``cell``: its count, "fewer than 10", or "withheld"."""
    if cell.status is Status.SHOWN:
        assert cell.value is not None
        return cell.value
    if cell.status is Status.FEWER_THAN:
        return FEWER_THAN.format(threshold=cell.threshold)
    return WITHHELD


def ratio_display(
    numerator: Cell | int, denominator: Cell | int, *, scale: int = 1, places: int = 1
) -> str:
    """``numerator / denominator × scale`` rounded half up to ``places`` decimals ("12.5" with
    ``scale=100`` is a percentage), or "withheld" when either side is suppressed — a ratio would
    give a hidden count away. Plain ``int`` operands are public figures (a population, say);
    a zero denominator gives "not applicable"."""
    operands: list[int] = []
    for operand in (numerator, denominator):
        if isinstance(operand, Cell):
            if operand.suppressed or operand.value is None:
                return WITHHELD
            operands.append(operand.value)
        else:
            operands.append(operand)
    top, bottom = operands
    if bottom == 0:
        return NO_RATIO
    quantum = Decimal(1).scaleb(-places)
    return str((Decimal(top * scale) / Decimal(bottom)).quantize(quantum, rounding=ROUND_HALF_UP))


# --- Making tables ----------------------------------------------------------------------------


def suppress_1d(
    counts: Mapping[str, int],
    *,
    total: int | None,
    threshold: int = DEFAULT_THRESHOLD,
    withhold: Collection[Key | Label] = (),
) -> SuppressedTable:
    """Suppress one breakdown (``{"decile 1": 12, …}``), keyed ``(category,)`` or by category.

    ``total`` is the breakdown's total when it is published anywhere (it must equal the sum: put
    an "unknown" category in ``counts`` rather than leave a gap an attacker could subtract), or
    None when no total of these counts is published at all. ``withhold`` forces further cells to
    be withheld (to repeat another table's pattern); zeros and small counts in it are ignored.
    """
    _check_counts(counts.values())
    values: dict[Key, int] = {(category,): count for category, count in counts.items()}
    if total is None:
        return _suppress(values, (), Shape.BREAKDOWN, threshold, withhold)
    if total != sum(counts.values()):
        raise ValueError(
            f"The total {total} differs from the sum of the counts ({sum(counts.values())}); "
            "add the missing category (such as 'unknown') explicitly."
        )
    values[(TOTAL,)] = total
    lines = (Line((TOTAL,), tuple(k for k in values if k != (TOTAL,))),)
    return _suppress(values, lines, Shape.BREAKDOWN, threshold, withhold)


def suppress_views(
    views: Mapping[str, Mapping[str, int]],
    *,
    total: int,
    threshold: int = DEFAULT_THRESHOLD,
    withhold: Collection[Key | Label] = (),
) -> SuppressedTable:
    """Suppress several breakdowns of one population together (``{"age band": {…}, "area": {…}}``),
    keyed ``(breakdown, category)``, with their shared total at ``(TOTAL,)``.

    Every breakdown must sum to ``total``. Breakdowns of one population always share a total, so
    they must be suppressed together even when the total itself is not printed: pass it anyway,
    and render its cell or not.
    """
    for counts in views.values():
        _check_counts(counts.values())
    values: dict[Key, int] = {
        (view, category): count
        for view, counts in views.items()
        for category, count in counts.items()
    }
    for view, counts in views.items():
        if sum(counts.values()) != total:
            raise ValueError(
                f"The breakdown {view!r} sums to {sum(counts.values())}, not the total {total}; "
                "add the missing category (such as 'unknown') explicitly."
            )
    values[(TOTAL,)] = total
    lines = tuple(
        Line((TOTAL,), tuple((view, category) for category in counts))
        for view, counts in views.items()
    )
    return _suppress(values, lines, Shape.BREAKDOWN, threshold, withhold)


def suppress_2d(
    rows: Mapping[str, Mapping[str, int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    margins: bool = True,
    withhold: Collection[Key | Label] = (),
) -> SuppressedTable:
    """Suppress a grid (``{"ward A": {"decile 1": 12, …}, …}``), keyed ``(row, column)``.

    Columns are every inner key in first-seen order; a missing cell is a count of 0. With
    ``margins`` the row totals ``(row, TOTAL)``, column totals ``(TOTAL, column)`` and grand total
    ``(TOTAL, TOTAL)`` are part of the table. Use ``margins=False`` only when no total of these
    counts is published anywhere — then only primary suppression applies.
    """
    columns: list[str] = []
    for counts in rows.values():
        _check_counts(counts.values())
        columns.extend(c for c in counts if c not in columns)
    values: dict[Key, int] = {}
    for row, counts in rows.items():
        for column in columns:
            values[(row, column)] = counts.get(column, 0)
        if margins:
            values[(row, TOTAL)] = sum(counts.values())
    lines: list[Line] = []
    row_labels: list[Label] = list(rows)
    column_labels: list[Label] = list(columns)
    if margins:
        for column in columns:
            values[(TOTAL, column)] = sum(rows[row].get(column, 0) for row in rows)
        values[(TOTAL, TOTAL)] = sum(sum(counts.values()) for counts in rows.values())
        row_labels.append(TOTAL)
        column_labels.append(TOTAL)
        lines.extend(Line((r, TOTAL), tuple((r, c) for c in columns)) for r in row_labels)
        lines.extend(Line((TOTAL, c), tuple((r, c) for r in rows)) for c in column_labels)
    return _suppress(
        values,
        tuple(lines),
        Shape.GRID,
        threshold,
        withhold,
        rows=tuple(row_labels),
        columns=tuple(column_labels),
    )


def _check_counts(counts: Iterable[int]) -> None:
    for count in counts:
        if not isinstance(count, int) or isinstance(count, bool):
            raise TypeError(f"Counts must be integers, not {count!r}.")
        if count < 0:
            raise ValueError(f"Counts cannot be negative ({count}).")


def _key(key: Key | Label) -> Key:
    return key if isinstance(key, tuple) else (key,)


def _margin_level(key: Key) -> int:
    return sum(label is TOTAL for label in key)


def _suppress(
    values: dict[Key, int],
    lines: tuple[Line, ...],
    shape: Shape,
    threshold: int,
    withhold: Collection[Key | Label],
    *,
    rows: tuple[Label, ...] = (),
    columns: tuple[Label, ...] = (),
) -> SuppressedTable:
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ValueError(f"The threshold must be a whole number of at least 1, not {threshold!r}.")
    order = {key: i for i, key in enumerate(values)}
    primary = {key for key, value in values.items() if 0 < value < threshold}
    withheld: set[Key] = set()
    for key in map(_key, withhold):
        if key not in values:
            raise ValueError(f"There is no cell {key!r} to withhold.")
        if values[key] >= threshold:
            withheld.add(key)

    def rank(key: Key) -> tuple[int, int, int]:
        return (_margin_level(key), values[key], order[key])

    def publish(hidden: set[Key], *, whole: bool = False) -> SuppressedTable:
        cells: dict[Key, Cell] = {}
        for key, value in values.items():
            if whole:
                cells[key] = Cell(Status.WITHHELD, None, threshold)
            elif key in primary:
                cells[key] = Cell(Status.FEWER_THAN, None, threshold)
            elif key in hidden:
                cells[key] = Cell(Status.WITHHELD, None, threshold)
            else:
                cells[key] = Cell(Status.SHOWN, value, threshold)
        return SuppressedTable(threshold, shape, cells, lines, rows, columns, fully_withheld=whole)

    small = sorted(primary, key=order.__getitem__)
    forced = set(withheld)

    def first_exposed(hidden: set[Key], keys: list[Key]) -> Key | None:
        bounds = bounds_exact(publish(hidden), witness=values, keys=keys)
        return next((key for key, interval in bounds.items() if interval.exact), None)

    while True:
        _two_per_line(values, lines, primary, withheld, rank)
        exposed = first_exposed(withheld, small)
        if exposed is None:
            break
        hidden = primary | withheld
        free = [key for key, value in values.items() if key not in hidden and value > 0]
        if not free:
            return publish(withheld, whole=True)
        near = {key for line in lines if exposed in line.members for key in line.members}
        free.sort(key=lambda key: (key not in near, *rank(key)))
        complement = next(
            (key for key in free if first_exposed(withheld | {key}, [exposed]) is None), free[0]
        )
        withheld.add(complement)
    # Give back what turned out not to be needed, totals and large counts first.
    for key in sorted(withheld - forced, key=rank, reverse=True):
        trial = withheld - {key}
        if _two_each(lines, primary | trial) and first_exposed(trial, small) is None:
            withheld = trial
    return publish(withheld)


def _two_each(lines: Iterable[Line], hidden: set[Key]) -> bool:
    return all(sum(key in hidden for key in line.members) != 1 for line in lines)


def _two_per_line(
    values: Mapping[Key, int],
    lines: tuple[Line, ...],
    primary: set[Key],
    withheld: set[Key],
    rank: Callable[[Key], tuple[int, int, int]],
) -> None:
    """Withhold cells until no line has exactly one hidden cell (rule 1 of the module docstring)."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden = [key for key in line.members if key in primary or key in withheld]
            if len(hidden) != 1:
                continue
            candidates = [
                key
                for key in line.members
                if key not in primary and key not in withheld and values[key] > 0
            ]
            if candidates:
                withheld.add(min(candidates, key=rank))
                changed = True


# --- Attacking tables -------------------------------------------------------------------------


def _prior(table: SuppressedTable, key: Key) -> tuple[int, float]:
    """What a cell's label alone says about it."""
    cell = table.cells[key]
    if cell.status is Status.SHOWN:
        assert cell.value is not None
        return cell.value, cell.value
    if table.fully_withheld:
        return 0, math.inf
    if cell.status is Status.FEWER_THAN:
        return 1, table.threshold - 1
    return table.threshold, math.inf


def _interval(low: float, high: float) -> Interval:
    return Interval(int(low), None if high == math.inf else int(high))


def bounds_propagate(table: SuppressedTable) -> dict[Key, Interval]:
    """The bounds a differencing attacker reaches on every suppressed cell by propagating the
    labels' ranges through the lines until nothing tightens: for each line, a part lies between
    the total's bounds minus the others' bounds, and the total between the parts' sums.

    Uses the published table only. Always at least as loose as ``bounds_exact``.
    """
    low: dict[Key, float] = {}
    high: dict[Key, float] = {}
    for key in table.cells:
        low[key], high[key] = _prior(table, key)
    changed = True
    while changed:
        changed = False
        for line in table.lines:
            updates: list[tuple[Key, float, float]] = [
                (line.total, sum(low[p] for p in line.parts), sum(high[p] for p in line.parts))
            ]
            for part in line.parts:
                others = [p for p in line.parts if p != part]
                updates.append(
                    (
                        part,
                        low[line.total] - sum(high[p] for p in others),
                        high[line.total] - sum(low[p] for p in others),
                    )
                )
            for key, new_low, new_high in updates:
                if new_low > low[key]:
                    low[key] = new_low
                    changed = True
                if new_high < high[key]:
                    high[key] = new_high
                    changed = True
    return {key: _interval(low[key], high[key]) for key in table.suppressed}


def bounds_exact(
    table: SuppressedTable,
    *,
    witness: Mapping[Key, int],
    keys: Iterable[Key] | None = None,
) -> dict[Key, Interval]:
    """The tightest bounds anyone can derive on each suppressed cell (or on ``keys``) from the
    published table, its lines and what each label says.

    ``witness`` is any full table consistent with the published one — the true counts, in the
    suppressor and the tests; the bounds do not depend on which (a grid's are found by moving
    from it along cycles). A breakdown does not use it.
    """
    wanted = list(table.suppressed if keys is None else keys)
    if not table.lines:
        return {key: _interval(*_prior(table, key)) for key in wanted}
    if table.shape is Shape.BREAKDOWN:
        return _breakdown_bounds(table, wanted)
    return _grid_bounds(table, witness, wanted)


def disclosed(table: SuppressedTable, *, witness: Mapping[Key, int]) -> frozenset[Key]:
    """The "fewer than" cells whose exact value can be derived — empty for a safe table."""
    small = [key for key, cell in table.cells.items() if cell.status is Status.FEWER_THAN]
    return frozenset(
        k for k, v in bounds_exact(table, witness=witness, keys=small).items() if v.exact
    )


def _breakdown_bounds(table: SuppressedTable, wanted: list[Key]) -> dict[Key, Interval]:
    # Every line is "total = sum(parts)" with the one shared total. For a total t in its range,
    # each breakdown can be completed independently, so a part is extreme when the total is and
    # the other hidden parts of its breakdown sit at their opposite bounds.
    total = (TOTAL,)
    total_low, total_high = _prior(table, total)
    hidden: dict[Line, list[Key]] = {}
    shown_sum: dict[Line, int] = {}
    for line in table.lines:
        hidden[line] = [p for p in line.parts if table.cells[p].suppressed]
        shown_sum[line] = sum(
            table.cells[p].value or 0 for p in line.parts if not table.cells[p].suppressed
        )
        total_low = max(total_low, shown_sum[line] + sum(_prior(table, p)[0] for p in hidden[line]))
        total_high = min(
            total_high, shown_sum[line] + sum(_prior(table, p)[1] for p in hidden[line])
        )
    result: dict[Key, Interval] = {}
    for key in wanted:
        if key == total:
            result[key] = _interval(total_low, total_high)
            continue
        line = next(line for line in table.lines if key in line.parts)
        prior_low, high = _prior(table, key)
        others = [p for p in hidden[line] if p != key]
        low = max(prior_low, total_low - shown_sum[line] - sum(_prior(table, p)[1] for p in others))
        high = min(high, total_high - shown_sum[line] - sum(_prior(table, p)[0] for p in others))
        result[key] = _interval(low, high)
    return result


_Node: TypeAlias = tuple[str, Label]


def _grid_bounds(
    table: SuppressedTable, witness: Mapping[Key, int], wanted: list[Key]
) -> dict[Key, Interval]:
    # Write a margin cell with its sign flipped (the grand total keeps its sign): then every row
    # and every column of the extended grid sums to zero. A hidden cell is an edge between its
    # row's node and its column's node; another table consistent with the published one differs
    # by a circulation on these edges. Raising the flipped value of a cell by one is the arc
    # row → column, lowering it the arc column → row, each with the room its bounds leave. A cell
    # can rise by as much flow as can come back round from its column to its row without it.
    def room(key: Key) -> tuple[float, float]:
        """How far the flipped value may rise and fall within the cell's label."""
        low, high = _prior(table, key)
        value = witness[key]
        rise, fall = high - value, value - low
        return (rise, fall) if _margin_level(key) != 1 else (fall, rise)

    hidden = [key for key in table.cells if table.cells[key].suppressed]
    arcs: dict[Key, tuple[float, float]] = {key: room(key) for key in hidden}
    result: dict[Key, Interval] = {}
    for key in wanted:
        row, column = ("r", key[0]), ("c", key[1])
        others: dict[tuple[_Node, _Node], float] = {}
        for other, (rise, fall) in arcs.items():
            if other != key:
                others[(("r", other[0]), ("c", other[1]))] = rise
                others[(("c", other[1]), ("r", other[0]))] = fall
        rise, fall = arcs[key]
        rise = min(rise, _max_flow(others, column, row)) if rise > 0 else 0
        fall = min(fall, _max_flow(others, row, column)) if fall > 0 else 0
        value = witness[key]
        if _margin_level(key) == 1:
            rise, fall = fall, rise
        result[key] = _interval(value - fall, value + rise)
    return result


def _max_flow(arcs: Mapping[tuple[_Node, _Node], float], source: _Node, sink: _Node) -> float:
    """Edmonds–Karp; capacities may be infinite, and so may the answer."""
    residual: dict[_Node, dict[_Node, float]] = {}
    for (u, v), capacity in arcs.items():
        residual.setdefault(u, {})
        residual.setdefault(v, {})
        residual[u][v] = residual[u].get(v, 0) + capacity
        residual[v].setdefault(u, 0)
    flow: float = 0
    while True:
        parent: dict[_Node, _Node] = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            u = queue.popleft()
            for v, capacity in residual.get(u, {}).items():
                if capacity > 0 and v not in parent:
                    parent[v] = u
                    queue.append(v)
        if sink not in parent:
            return flow
        path: list[tuple[_Node, _Node]] = []
        v = sink
        while v != source:
            path.append((parent[v], v))
            v = parent[v]
        push = min(residual[u][v] for u, v in path)
        if push == math.inf:
            return math.inf
        for u, v in path:
            residual[u][v] -= push
            residual[v][u] += push
        flow += push
