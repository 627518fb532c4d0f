"""Small-number suppression across every published view at once (issue 7, "Honest numbers": "no
suppressed cell can be worked out from totals or from neighbouring views").

``suppression`` protects one table. The dashboards publish many tables of the same events that a
reader can set side by side: a month's breakdown by area and its quarter's, the figures for each
organisation type and the unfiltered ones. This module suppresses all the figures of one scope
(the city, or one organisation) and one metric together, over every relation a reader can use:

- **Partition dimensions** (``catalogue.DIMENSIONS[...].partition``): the categories sum to the
  "total" figure, per period and filter. Skills are not a partition and have no such relation.
- **Filters** (``metric.filters``): for each dimension value (the total included), the figures of
  a filter kind's values sum to the unfiltered figure, per period.
- **Periods**: for additive metrics (``metric.additive``) a quarter, a year and the rolling year
  are the sums of their months, and a year is the sum of its quarters too (implied by the months,
  but bound propagation does not find linear combinations on its own, so it is given). For
  distinct counts (learners reached) a period is *at most* the sum of its months and *at least*
  each of them — weaker, but still enough to pin a cell (a quarter of 18 over two months both
  "fewer than 10" makes both 9), so these relations are audited too.

Each relation is a *line*: ``whole`` against ``parts``. Which of three kinds it is follows from
the raw counts, so the audit always models the best-informed reader whose beliefs are true:
``whole = Σ parts`` when the raw counts add up (the contract for partitions and additive
periods); ``whole ≥ Σ parts`` when they fall short (a year whose early months were never computed,
as ``periods.available`` caps the months); ``max(parts) ≤ whole ≤ Σ parts`` when they exceed it
(distinct counts: a learner active in two topics counts once unfiltered). Distinct-count period
lines are always of the last kind: that no learner was active in two months is a coincidence a
reader cannot know.

Labels mean what ``suppression`` says: 0 is shown, 1 … threshold − 1 is "fewer" (primary
suppression), "withheld" is a complementary cell, never zero and never small, so the reader learns
``n ≥ threshold`` from it. Offer metrics (``metric.people`` False) are shown exactly.

How complementary cells are chosen (repeat until nothing changes):

1. **Two per line.** An equality line with exactly one hidden cell gives it away by subtraction,
   so another non-zero shown member is withheld — withheld cells too, not only small ones: in
   linked views a withheld cell that can be worked out exactly is a shown cell again (a month's
   figure by topic, withheld, is given back by its quarter, its year, the rolling year and the
   other topics), and protecting a small cell in a cube of period × filter × category takes a
   "box" of hidden cells, two on every line through each. Among the candidates the one that
   also completes the most other lines with one hidden cell goes first, so the hidden cells
   close up into rectangles and boxes instead of spreading; then the best-ranked (below).
2. **Audit.** Every hidden cell starts from what its label says (fewer ``[1, t − 1]``, withheld
   ``[t, ∞)``, shown exact) and the bounds are propagated through every line until nothing
   tightens — the differencing attack of the issue, with a worklist so that only lines through
   hidden cells are ever visited. For each small cell whose bounds collapse to one value, one
   more cell is withheld (with what rule 1 then needs): among the non-zero shown cells on the
   lines through it, then on the lines through the hidden cells on those, and so on outwards
   (best-ranked first in each ring), the first of the first two that frees it, or else the
   first eight together (rule 3 shows again those not needed), until it is free. Whether a
   choice frees it is judged by a *local* audit — the hidden cells one line away, those beyond
   held at their labels' ranges — which is a weaker attacker
   than the whole system; so after every pinned cell has been seen to, the whole system is
   audited again, and the round repeats until a full audit pins nothing; a cell the local audit
   saw as free but the full one still finds pinned is looked at within twice as many rings the
   next round, and in the end within its whole linked group, so the rounds end. A full audit per
   choice, as at first, made the cost grow with the square of the hidden cells: a city of
   100,000 awards never finished.
3. **Give back.** Greedy choices overshoot, so each complementary cell, worst-ranked first, is
   shown again if rules 1 and 2 still hold without it. Showing a cell only tightens bounds, so
   this re-propagates from the current bounds through its lines alone (cheap), and undoes.
4. **Nothing left.** If no shown non-zero cell is reachable that way (nine areas of one learner
   each under a total of nine, "fewer" too), the members of those lines, and recursively
   of the lines through the small cells among them, are all published "withheld" and may be any
   number (zeros included), as ``suppression`` does with a table beyond saving. Rare; then a
   "withheld" cell can be small, which only misleads an attacker who assumes otherwise.

**Ranking** (which cell to withhold): the least aggregated first — a month before a quarter
before a year or the rolling year, a category before the total, a filtered figure before the
unfiltered one — then the smallest count. Headline figures (the year, the whole city) are what
most readers use and what other pages quote; a month's figure in one area is the detail least
missed. On each line the parts are less aggregated than the whole, so "parts before wholes" is a
special case.

**Safe** means: no cell whose true count is 1 … threshold − 1 can be given an exact value by bound
propagation over all the lines. Propagation is sound (it never derives a false bound) and it is
exactly the attack the issue names: subtract what is shown, bound what is not. It is weaker than
linear or integer programming on general systems (a cycle of relations through several grids can
imply more than each line alone); ``suppression.bounds_exact`` is exact for one breakdown or one
2-D grid, and is what ``suppression`` itself uses, but the linked system is neither. ``attack``
holds an independently written propagation attacker that the tests run against every output.

Cost: a city of 24 months with their quarters, years and rolling year (35 periods) × 21 filter
values × 101 areas (74 000 figures, 470 of them small) takes about 1.2 s on one core in CPython
(``tests/test_linked.py`` prints it; 7 s with a full audit per choice). The demo city's 94
systems (15 000 figures, nearly all small) take about 1.2 s.

A threshold below 3 makes "fewer than" say the exact value (1) by itself: no suppression can help.

Pure: no Django. Called by the refresh once per scope and metric.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias

from learningcity.insights import periods
from learningcity.insights.catalogue import DIMENSIONS, Metric
from learningcity.insights.suppression import DEFAULT_THRESHOLD

__all__ = ["FEWER", "SHOWN", "WITHHELD", "FigureKey", "Published", "suppress_figures"]

# (organisation_id, period, metric, filter_kind, filter_value, dimension, value)
FigureKey: TypeAlias = tuple[int | None, str, str, str, str, str, str]
# (status, count) — count only when shown.
Published: TypeAlias = tuple[str, int | None]

SHOWN = "shown"
FEWER = "fewer"
WITHHELD = "withheld"

_EQUAL, _AT_LEAST, _COVER = 0, 1, 2  # whole = Σ, whole ≥ Σ, max ≤ whole ≤ Σ
_VISIBLE, _SMALL, _SECONDARY, _OPEN = 0, 1, 2, 3  # internal statuses
_SINGLE_TRIALS = 2  # candidates tried one at a time for a pinned cell
_TRIALS = 8  # then this many of them are withheld together
_RADIUS = 1  # rings of hidden cells a local audit looks at first (see _System.suppress)
_RADIUS_MAX = 16  # beyond this, whole linked groups of hidden cells
_PERIOD_LEVEL = {"m": 0, "q": 1, "y": 2, "rolling": 2}  # by the key's first letter
_ANY_DAY = datetime.date(2000, 1, 1)  # parse() needs one; only "r12" depends on it


def suppress_figures(
    raw: Mapping[FigureKey, int],
    *,
    metric: Metric,
    threshold: int = DEFAULT_THRESHOLD,
    r12_months: Sequence[str] = (),
    breakdown_kinds: Iterable[str] = ("month", "quarter", "year", "rolling"),
) -> dict[FigureKey, Published]:
    """Suppress every figure of one scope and one metric together (see the module docstring).

    ``raw`` holds the true counts; absent keys are zeros — except that categories (any dimension
    but "total") of periods whose kind is not in ``breakdown_kinds`` are not published at all
    (``catalogue.Plan.breakdown_kinds``), so no line sums over them. ``r12_months`` are the
    month keys the
    rolling year ("r12") sums — ``periods.rolling_12(as_of).months()`` — needed whenever an
    additive metric has "r12" figures (otherwise a small month could be worked out from the
    rolling year; a ValueError says so). Returns ``{key: (status, count)}`` for every key of
    ``raw``, with ``count`` only when shown.
    """
    if not isinstance(threshold, int) or isinstance(threshold, bool) or threshold < 1:
        raise ValueError(f"The threshold must be a whole number of at least 1, not {threshold!r}.")
    for key, count in raw.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise ValueError(f"The count for {key!r} must be a whole number ≥ 0, not {count!r}.")
    if not metric.people:
        return {key: (SHOWN, count) for key, count in raw.items()}
    system = _System(
        raw,
        metric=metric,
        threshold=threshold,
        r12_months=r12_months,
        breakdown_kinds=frozenset(breakdown_kinds),
    )
    system.suppress()
    return system.published()


class _System:
    """The cells (raw keys plus any whole a line needs, zero when absent) and their lines."""

    def __init__(
        self,
        raw: Mapping[FigureKey, int],
        *,
        metric: Metric,
        threshold: int,
        r12_months: Sequence[str],
        breakdown_kinds: frozenset[str],
    ) -> None:
        self.metric = metric
        self.breakdown_kinds = breakdown_kinds
        self.threshold = threshold
        self.r12_months = tuple(r12_months)
        self.keys: list[FigureKey] = list(raw)
        self.index: dict[FigureKey, int] = {key: i for i, key in enumerate(self.keys)}
        self.values: list[int] = list(raw.values())
        self.published_count = len(self.keys)
        self._period_months: dict[str, tuple[str, ...] | None] = {}
        self.wholes: list[int] = []
        self.parts: list[tuple[int, ...]] = []
        self.kinds: list[int] = []
        self._build_lines()
        self.lines_of: list[list[int]] = [[] for _ in self.keys]
        for line, whole in enumerate(self.wholes):
            self.lines_of[whole].append(line)
            for part in self.parts[line]:
                self.lines_of[part].append(line)
        self.rank: list[tuple[int, int, int]] = [
            (self._level(key), value, i)
            for i, (key, value) in enumerate(zip(self.keys, self.values, strict=True))
        ]
        # The unfiltered totals: the headline figures every page and report quotes. Withheld only
        # when nothing else will do (rules 1 and 2 take any other cell first).
        self.headline: list[bool] = [key[5] == "total" and key[3] == "" for key in self.keys]
        self.status: list[int] = [
            _SMALL if 0 < value < threshold else _VISIBLE for value in self.values
        ]
        self._lines: dict[int, tuple[tuple[int, ...], int, int]] = {}

    # --- Lines ----------------------------------------------------------------------------------

    def _cell(self, key: FigureKey) -> int:
        """The index of ``key``, adding an absent whole as a shown zero (never published)."""
        i = self.index.get(key)
        if i is None:
            i = self.index[key] = len(self.keys)
            self.keys.append(key)
            self.values.append(0)
        return i

    def _add_line(self, whole: FigureKey, parts: Iterable[FigureKey], *, cover: bool) -> None:
        members = [self.index[p] for p in parts if p in self.index]
        w = self._cell(whole)
        total = sum(self.values[p] for p in members)
        if cover:
            kind = _COVER
        elif total == self.values[w]:
            kind = _EQUAL
        elif total < self.values[w]:
            kind = _AT_LEAST
        else:
            kind = _COVER
        self.wholes.append(w)
        self.parts.append(tuple(members))
        self.kinds.append(kind)

    def _build_lines(self) -> None:
        metric = self.metric
        partitions = {d for d in metric.dimensions if d != "total" and DIMENSIONS[d].partition}
        by_dimension: dict[tuple[str, str, str, str], list[FigureKey]] = defaultdict(list)
        by_filter: dict[tuple[str, str, str, str], list[FigureKey]] = defaultdict(list)
        by_period: dict[tuple[str, str, str, str], set[str]] = defaultdict(set)
        for key in list(self.keys):
            _, period, _, kind, value, dimension, category = key
            if dimension in partitions:
                by_dimension[(period, kind, value, dimension)].append(key)
            if kind in metric.filters:
                by_filter[(period, kind, dimension, category)].append(key)
            by_period[(kind, value, dimension, category)].add(period)
        scope, name = (self.keys[0][0], self.keys[0][2]) if self.keys else (None, metric.key)
        for (period, kind, value, _dimension), parts in by_dimension.items():
            self._add_line((scope, period, name, kind, value, "total", ""), parts, cover=False)
        for (period, _kind, dimension, category), parts in by_filter.items():
            self._add_line((scope, period, name, "", "", dimension, category), parts, cover=False)
        distinct = not metric.additive
        for (kind, value, dimension, category), present in by_period.items():
            for period in sorted(present):  # sorted: the same input gives the same output
                months = self._months(period)
                if months is None:
                    continue
                whole = (scope, period, name, kind, value, dimension, category)
                quarters = [f"q{period[1:]}-{n}" for n in range(1, 5)]
                for part_kind, within in (("month", months), ("quarter", quarters)):
                    if dimension == "total" or part_kind in self.breakdown_kinds:
                        parts = [(scope, p, name, kind, value, dimension, category) for p in within]
                        self._add_line(whole, parts, cover=distinct)
                    if not period.startswith("y"):
                        break  # only a year is the sum of quarters too

    def _months(self, period: str) -> tuple[str, ...] | None:
        """The months ``period`` is made of, or None for a month."""
        if period not in self._period_months:
            self._period_months[period] = self._parse_months(period)
        return self._period_months[period]

    def _parse_months(self, period: str) -> tuple[str, ...] | None:
        if period == periods.ROLLING_12:
            if not self.r12_months:
                raise ValueError(
                    "Pass r12_months (periods.rolling_12(as_of).months()) to suppress 'r12' "
                    "figures: without them a month could be worked out from the rolling year."
                )
            return self.r12_months
        parsed = periods.parse(period, as_of=_ANY_DAY)
        if parsed is None:
            raise ValueError(f"Unknown period {period!r}.")
        return None if parsed.kind == "month" else parsed.months()

    def _level(self, key: FigureKey) -> int:
        _, period, _, kind, _, dimension, _ = key
        if period == periods.ROLLING_12:
            level = _PERIOD_LEVEL["rolling"]
        else:
            level = _PERIOD_LEVEL[period[0]]
        return level + (dimension == "total") + (kind == "")

    # --- Suppression ----------------------------------------------------------------------------

    def suppress(self) -> None:
        # Withholding or opening a cell only ever loosens what propagation derives (its true value
        # stays inside its new label's range), so a small cell once freed stays free. Each pinned
        # cell is freed by looking only around it (``_RADIUS`` rings of hidden cells, the cells
        # beyond held at their labels' ranges): a weaker attacker than the whole system, so the
        # whole system is audited again afterwards, and any cell still pinned is freed the same
        # way, until a full audit finds none. Local audits keep the cost of each choice bounded
        # however large the linked group of hidden cells grows.
        self.hidden_count = [
            sum(self._hidden(m) for m in self._members(line)) for line in range(len(self.wholes))
        ]
        secondary = self._two_per_line(range(len(self.wholes)))
        opened: set[int] = set()
        # The rings each pinned cell is looked at within: doubled each round the local audit
        # missed a pin the full one found, until whole linked groups are audited (None).
        radius_of: dict[int, int | None] = {}
        while True:
            low, high = self._audit()
            pending = [c for c in low if c not in opened and self._pinned(c, low, high)]
            if not pending:
                break
            for exposed in pending:
                radius = radius_of.setdefault(exposed, _RADIUS)
                while exposed not in opened:
                    local_low, local_high = self._audit(seeds=[exposed], radius=radius)
                    if not self._pinned(exposed, local_low, local_high):
                        # Free, or pinned only from further away: the next full audit tells.
                        if radius is not None:
                            radius_of[exposed] = radius * 2 if radius < _RADIUS_MAX else None
                        break
                    added = self._complement(exposed, radius=radius)
                    if added is None:
                        self._open_around(exposed, opened)
                    else:
                        secondary += added
        self._give_back(secondary, opened)

    def _members(self, line: int) -> tuple[int, ...]:
        return (self.wholes[line], *self.parts[line])

    def _hidden(self, cell: int) -> bool:
        return self.status[cell] != _VISIBLE

    def _line(self, line: int) -> tuple[tuple[int, ...], int, int]:
        """The line's hidden parts, the sum and the largest of its shown parts (cached)."""
        cached = self._lines.get(line)
        if cached is None:
            hidden: list[int] = []
            shown = largest = 0
            for part in self.parts[line]:
                if self.status[part] != _VISIBLE:
                    hidden.append(part)
                else:
                    value = self.values[part]
                    shown += value
                    largest = max(largest, value)
            cached = self._lines[line] = (tuple(hidden), shown, largest)
        return cached

    def _set(self, cell: int, status: int) -> None:
        was = self._hidden(cell)
        self.status[cell] = status
        if was != self._hidden(cell):
            for line in self.lines_of[cell]:
                self._lines.pop(line, None)
            step = 1 if status != _VISIBLE else -1
            for line in self.lines_of[cell]:
                self.hidden_count[line] += step

    def _pinned(self, cell: int, low: Mapping[int, float], high: Mapping[int, float]) -> bool:
        """Whether ``cell`` holds a small count and its bounds are one value."""
        return 0 < self.values[cell] < self.threshold and low[cell] >= high[cell]

    def _lone(self, line: int) -> bool:
        return self.kinds[line] == _EQUAL and self.hidden_count[line] == 1

    def _two_per_line(self, lines: Iterable[int]) -> list[int]:
        """Rule 1: withhold cells until no equality line has exactly one hidden cell. Among a
        line's candidates, the one that also completes the most other such lines goes first (so
        that the hidden cells close up into rectangles and boxes across the linked views instead
        of spreading), then the best-ranked."""
        added: list[int] = []
        queue = deque(line for line in lines if self._lone(line))
        while queue:
            line = queue.popleft()
            if not self._lone(line):
                continue
            best: tuple[bool, int, int, tuple[int, int, int]] | None = None
            chosen = -1
            for member in self._members(line):
                if self._hidden(member) or self.values[member] == 0:
                    continue
                # Among headline figures, the least aggregated (a month before the year).
                score = (
                    self.headline[member],
                    self.rank[member][0] if self.headline[member] else 0,
                    -sum(self._lone(other) for other in self.lines_of[member]),
                    self.rank[member],
                )
                if best is None or score < best:
                    best, chosen = score, member
            if chosen < 0:  # only when the raw counts do not add up
                continue
            self._set(chosen, _SECONDARY)
            added.append(chosen)
            queue.extend(other for other in self.lines_of[chosen] if self._lone(other))
        return added

    def _prior(self, cell: int) -> tuple[float, float]:
        s = self.status[cell]
        if s == _VISIBLE:
            return self.values[cell], self.values[cell]
        if s == _SMALL:
            return 1, self.threshold - 1
        if s == _SECONDARY:
            return self.threshold, math.inf
        return 0, math.inf

    def _audit(
        self, *, seeds: Iterable[int] | None = None, radius: int | None = None
    ) -> tuple[dict[int, float], dict[int, float]]:
        """Rule 2's attacker: propagate bounds through every line until nothing tightens.

        Returns the bounds of the hidden cells (shown cells are exact and never move): of all of
        them; or, with ``seeds``, of the hidden cells linked to the seeds through lines and other
        hidden cells (no other bound can move theirs, so the result for them is the same); or,
        with a ``radius`` too, of those at most ``radius`` lines away, the hidden cells just
        beyond held at their labels' ranges — a weaker attacker, whose "not pinned" the caller
        must confirm with a full audit."""
        frozen: set[int] = set()
        if seeds is None:
            hidden = [cell for cell, s in enumerate(self.status) if s != _VISIBLE]
        else:
            hidden, frozen = self._component(seeds, radius=radius)
        low: dict[int, float] = {}
        high: dict[int, float] = {}
        for cell in (*hidden, *frozen):
            low[cell], high[cell] = self._prior(cell)
        lines = dict.fromkeys(line for cell in hidden for line in self.lines_of[cell])
        self._propagate(low, high, lines, log=None, frozen=frozen)
        return low, high

    def _propagate(
        self,
        low: dict[int, float],
        high: dict[int, float],
        lines: Iterable[int],
        *,
        log: dict[int, tuple[float, float]] | None,
        frozen: set[int] | frozenset[int] = frozenset(),
    ) -> None:
        """Tighten ``low``/``high`` (the hidden cells' bounds) to the fixed point, starting from
        ``lines``. With ``log``, each cell's bounds before its first change are kept there.
        ``frozen`` cells keep the bounds they start with."""
        queue = deque(lines)
        queued = set(queue)
        values = self.values

        def lo(cell: int) -> float:
            return low.get(cell, values[cell])

        def hi(cell: int) -> float:
            return high.get(cell, values[cell])

        changed: list[int] = []

        def tighten(cell: int, new_low: float, new_high: float) -> None:
            if cell not in low or cell in frozen:
                return  # shown (exact already), or beyond a local audit
            old_low, old_high = low[cell], high[cell]
            if new_low > old_low or new_high < old_high:
                if log is not None and cell not in log:
                    log[cell] = (old_low, old_high)
                low[cell] = max(old_low, new_low)
                high[cell] = min(old_high, new_high)
                changed.append(cell)

        # Which parts are hidden cannot change during one propagation, so each line's shown
        # parts are summed once: lines have up to a hundred parts, and few are hidden.
        # Every hidden part of a line visited here is in ``low`` (an audit takes in, or holds at
        # its label's range, every hidden cell on the lines it visits), so the line's hidden parts
        # and shown sum are those of ``_line`` — kept between audits until a member's status
        # changes.
        line_of = self._line
        while queue:
            line = queue.popleft()
            queued.discard(line)
            whole, kind = self.wholes[line], self.kinds[line]
            parts, shown, largest_visible = line_of(line)
            lows = [low[p] for p in parts]
            highs = [high[p] for p in parts]
            low_sum = shown + sum(lows)
            infinite = sum(h == math.inf for h in highs)
            finite_high = shown + sum(h for h in highs if h != math.inf)
            high_sum = math.inf if infinite else finite_high
            w_low, w_high = lo(whole), hi(whole)
            changed.clear()
            if kind == _EQUAL:
                tighten(whole, low_sum, high_sum)
            elif kind == _AT_LEAST:
                tighten(whole, low_sum, math.inf)
            else:
                largest_shown = largest_visible if kind == _COVER and whole in low else 0
                tighten(whole, max([*lows, largest_shown]), high_sum)
            for part, p_low, p_high in zip(parts, lows, highs, strict=True):
                others_low = low_sum - p_low
                if p_high == math.inf:
                    others_high = math.inf if infinite > 1 else finite_high
                else:
                    others_high = math.inf if infinite else finite_high - p_high
                if kind == _EQUAL:
                    tighten(part, w_low - others_high, w_high - others_low)
                elif kind == _AT_LEAST:
                    tighten(part, 0, w_high - others_low)
                else:
                    tighten(part, w_low - others_high, w_high)
            for cell in changed:
                for other in self.lines_of[cell]:
                    if other != line and other not in queued:
                        queued.add(other)
                        queue.append(other)

    def _component(
        self, seeds: Iterable[int], *, radius: int | None = None
    ) -> tuple[list[int], set[int]]:
        """The hidden cells linked to ``seeds`` (hidden ones) through lines — with ``radius``,
        only those at most that many lines away — and the hidden cells on the lines through
        them that are not among them (the border: empty without a radius)."""
        found = [cell for cell in dict.fromkeys(seeds) if self._hidden(cell)]
        seen = set(found)
        seen_lines: set[int] = set()
        ring = list(found)
        border: set[int] = set()
        depth = 0
        while ring:
            last = radius is not None and depth >= radius
            next_ring: list[int] = []
            for cell in ring:
                for line in self.lines_of[cell]:
                    if line in seen_lines:
                        continue
                    seen_lines.add(line)
                    for member in self._members(line):
                        if member in seen or not self._hidden(member):
                            continue
                        if last:
                            border.add(member)
                        else:
                            seen.add(member)
                            found.append(member)
                            next_ring.append(member)
            ring = next_ring
            depth += 1
        return found, border

    def _complement(self, exposed: int, *, radius: int | None) -> list[int] | None:
        """Rule 2's choice: the non-zero shown cells on the lines through ``exposed``, then on the
        lines through the hidden cells on those, and so on (best-ranked first within each ring);
        the first of the first two that, withheld with what rule 1 then needs, frees ``exposed``,
        else the first eight together. Returns the cells withheld, or None when there is no
        candidate at all. Freed is judged by an audit of ``radius`` rings around ``exposed``
        (see ``_audit``)."""
        candidates: list[int] = []
        seen_cells = {exposed}
        seen_lines: set[int] = set()
        ring = [exposed]
        while ring and len(candidates) < _TRIALS:
            found: set[int] = set()
            next_ring: list[int] = []
            for cell in ring:
                for line in self.lines_of[cell]:
                    if line in seen_lines:
                        continue
                    seen_lines.add(line)
                    for member in self._members(line):
                        if member in seen_cells:
                            continue
                        seen_cells.add(member)
                        if self._hidden(member):
                            next_ring.append(member)
                        elif self.values[member] > 0:
                            found.add(member)
            candidates += sorted(found, key=lambda c: (self.headline[c], self.rank[c]))
            ring = next_ring
        # Headline figures last, whichever ring they were found in, the least aggregated first.
        candidates.sort(key=lambda c: (self.headline[c], self.rank[c] if self.headline[c] else 0))
        for candidate in candidates[:_SINGLE_TRIALS]:
            self._set(candidate, _SECONDARY)
            added = [candidate, *self._two_per_line(self.lines_of[candidate])]
            low, high = self._audit(seeds=[exposed], radius=radius)
            if low[exposed] < high[exposed]:
                return added
            for cell in added:
                self._set(cell, _VISIBLE)
        if not candidates:
            return None
        # None frees it alone: withhold the best-ranked candidates together (rule 3 shows again
        # those that were not needed) — one audit instead of one per candidate.
        # Headline figures only when there is nothing else.
        batch = [c for c in candidates if not self.headline[c]][:_TRIALS] or candidates[:1]
        added = []
        for candidate in batch:
            if not self._hidden(candidate):
                self._set(candidate, _SECONDARY)
                added += [candidate, *self._two_per_line(self.lines_of[candidate])]
        return added

    def _give_back(self, secondary: list[int], opened: set[int]) -> None:
        """Rule 3: show each complementary cell again, worst-ranked first, if rules 1 and 2 still
        hold without it. Showing a cell only tightens the bounds, so they are updated from the
        current ones through its lines alone, and put back if the cell must stay withheld."""
        low, high = self._audit()
        for cell in sorted(set(secondary), key=self.rank.__getitem__, reverse=True):
            if self.status[cell] != _SECONDARY:
                continue
            self._set(cell, _VISIBLE)
            if any(self._lone(line) for line in self.lines_of[cell]):
                self._set(cell, _SECONDARY)
                continue
            log: dict[int, tuple[float, float]] = {cell: (low.pop(cell), high.pop(cell))}
            self._propagate(low, high, self.lines_of[cell], log=log)
            if any(c in low and c not in opened and self._pinned(c, low, high) for c in log):
                for c, (old_low, old_high) in log.items():
                    low[c], high[c] = old_low, old_high
                self._set(cell, _SECONDARY)

    def _open_around(self, exposed: int, opened: set[int]) -> None:
        """Rule 4: publish every member of the lines through ``exposed`` as "withheld", any
        number, and the same around each small cell among them."""
        todo = [exposed]
        while todo:
            cell = todo.pop()
            if cell in opened:
                continue
            opened.add(cell)
            self._set(cell, _OPEN)
            for line in self.lines_of[cell]:
                for member in self._members(line):
                    if member in opened:
                        continue
                    if 0 < self.values[member] < self.threshold:
                        todo.append(member)
                    else:
                        opened.add(member)
                        self._set(member, _OPEN)

    def published(self) -> dict[FigureKey, Published]:
        out: dict[FigureKey, Published] = {}
        for i in range(self.published_count):
            s = self.status[i]
            if s == _VISIBLE:
                out[self.keys[i]] = (SHOWN, self.values[i])
            elif s == _SMALL:
                out[self.keys[i]] = (FEWER, None)
            else:
                out[self.keys[i]] = (WITHHELD, None)
        return out
