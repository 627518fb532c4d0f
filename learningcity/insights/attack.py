"""The differencing attacker of issue 7: "A test tries to recover suppressed cells from every
export and view by differencing, and fails if it can."

It knows only what is published — each figure's status and, when shown, its count — and the
relations every reader can derive from the definitions page: partition categories add up to the
total, a filter's values add up to the unfiltered figure, an additive metric's quarter, year and
rolling year are the sums of their months (a year also of its quarters), and a distinct count over
a period lies between its largest month and the sum of its months. From each label it starts with
an interval (0 or a shown count exactly; "fewer" ``[1, t − 1]``; "withheld" ``[t, ∞)``) and
tightens the intervals through every relation until nothing moves.

Written apart from ``linked`` on purpose — its own relation finder, its own arithmetic, a plain
fixed-point loop instead of a worklist — so that a mistake in the suppressor's audit is caught
here rather than repeated. Pure: no Django. Slow on large systems; meant for tests and checks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from learningcity.insights.catalogue import DIMENSIONS, Metric

__all__ = ["Bounds", "pinned", "recover"]

Key = tuple[int | None, str, str, str, str, str, str]
Bounds = tuple[int, int | None]  # low, high (None: no upper bound)


@dataclass
class _Relation:
    whole: Key
    parts: list[Key]
    exact: bool  # whole = Σ parts; otherwise max(parts) ≤ whole ≤ Σ parts


def _period_months(period: str, r12_months: Sequence[str]) -> list[str] | None:
    """Month keys of a non-month period, written out by hand; None for a month."""
    if period == "r12":
        return list(r12_months)
    if period.startswith("m"):
        return None
    if period.startswith("q"):
        year, number = period[1:].split("-")
        first = 3 * (int(number) - 1) + 1
        return [f"m{year}-{month:02d}" for month in range(first, first + 3)]
    if period.startswith("y"):
        return [f"m{period[1:]}-{month:02d}" for month in range(1, 13)]
    raise ValueError(f"Unknown period {period!r}")


def _relations(
    keys: list[Key], metric: Metric, r12_months: Sequence[str], breakdown_kinds: frozenset[str]
) -> list[_Relation]:
    present = set(keys)
    scope, name = keys[0][0], keys[0][2]

    def figure(period: str, kind: str, value: str, dimension: str, category: str) -> Key:
        return (scope, period, name, kind, value, dimension, category)

    relations: list[_Relation] = []
    seen: set[tuple[Key, tuple[Key, ...]]] = set()

    def add(whole: Key, parts: list[Key], exact: bool) -> None:
        parts = sorted({p for p in parts if p in present}, key=repr)
        marker = (whole, tuple(parts))
        if marker not in seen:
            seen.add(marker)
            relations.append(_Relation(whole, parts, exact))

    for key in keys:
        _, period, _, kind, value, dimension, category = key
        if (
            dimension != "total"
            and dimension in metric.dimensions
            and DIMENSIONS[dimension].partition
        ):
            same = [
                k
                for k in keys
                if k[1] == period and k[3] == kind and k[4] == value and k[5] == dimension
            ]
            add(figure(period, kind, value, "total", ""), same, True)
        if kind and kind in metric.filters:
            same = [
                k
                for k in keys
                if k[1] == period and k[3] == kind and k[5] == dimension and k[6] == category
            ]
            add(figure(period, "", "", dimension, category), same, True)
        months = _period_months(period, r12_months)
        # A breakdown of a period is the sum of its months' (or a year's of its quarters') only
        # where those are published: absent there means "not published", not zero.
        total = dimension == "total"
        if months is not None and (total or "month" in breakdown_kinds):
            parts = [figure(m, kind, value, dimension, category) for m in months]
            add(key, parts, metric.additive)
        if period.startswith("y") and (total or "quarter" in breakdown_kinds):
            quarters = [f"q{period[1:]}-{n}" for n in range(1, 5)]
            add(
                key,
                [figure(q, kind, value, dimension, category) for q in quarters],
                metric.additive,
            )
    return relations


def _add(a: int | None, b: int | None) -> int | None:
    return None if a is None or b is None else a + b


def recover(
    published: Mapping[Key, tuple[str, int | None]],
    *,
    metric: Metric,
    threshold: int,
    r12_months: Sequence[str] = (),
    breakdown_kinds: Iterable[str] = ("month", "quarter", "year", "rolling"),
) -> dict[Key, Bounds]:
    """The interval an attacker derives for every hidden ("fewer" or "withheld") figure.

    Absent keys are known zeros, except breakdowns (dimension not "total") of periods whose kind
    is not in ``breakdown_kinds``: those are not published (``catalogue.Plan``), and the
    definitions page says so. A low above a high means the published figures contradict the
    relations (which only a "withheld" cell holding a small count, after a whole table was given
    up, can cause); such a cell is not counted as recovered.
    """
    if not published:
        return {}
    keys = list(published)
    lows: dict[Key, int] = {}
    highs: dict[Key, int | None] = {}

    def bounds(key: Key) -> tuple[int, int | None]:
        if key not in published:
            return 0, 0
        return lows[key], highs[key]

    for key, (status, count) in published.items():
        if status == "shown":
            assert count is not None
            lows[key], highs[key] = count, count
        elif status == "fewer":
            lows[key], highs[key] = 1, threshold - 1
        elif status == "withheld":
            lows[key], highs[key] = threshold, None
        else:
            raise ValueError(f"Unknown status {status!r}")
    relations = _relations(keys, metric, r12_months, frozenset(breakdown_kinds))
    for _round in range(100_000):
        moved = False
        for relation in relations:
            whole_low, whole_high = bounds(relation.whole)
            part_bounds = [bounds(p) for p in relation.parts]
            sum_low = sum(b[0] for b in part_bounds)
            sum_high: int | None = 0
            for b in part_bounds:
                sum_high = _add(sum_high, b[1])
            proposals: list[tuple[Key, int, int | None]] = []
            if relation.exact:
                proposals.append((relation.whole, sum_low, sum_high))
            else:
                proposals.append(
                    (relation.whole, max((b[0] for b in part_bounds), default=0), sum_high)
                )
            for i, part in enumerate(relation.parts):
                others_low = sum(b[0] for j, b in enumerate(part_bounds) if j != i)
                others_high: int | None = 0
                for j, b in enumerate(part_bounds):
                    if j != i:
                        others_high = _add(others_high, b[1])
                low = whole_low - others_high if others_high is not None else 0
                if relation.exact:
                    high = None if whole_high is None else whole_high - others_low
                else:
                    high = whole_high
                proposals.append((part, low, high))
            for key, low, high in proposals:
                if key not in published or published[key][0] == "shown":
                    continue
                if lows[key] > (highs[key] if highs[key] is not None else lows[key]):
                    continue  # already contradictory: leave it
                if low > lows[key]:
                    lows[key] = low
                    moved = True
                if high is not None and (highs[key] is None or high < highs[key]):
                    highs[key] = high
                    moved = True
        if not moved:
            break
    return {k: (lows[k], highs[k]) for k, (status, _) in published.items() if status != "shown"}


def pinned(
    published: Mapping[Key, tuple[str, int | None]],
    *,
    metric: Metric,
    threshold: int,
    r12_months: Sequence[str] = (),
    breakdown_kinds: Iterable[str] = ("month", "quarter", "year", "rolling"),
) -> set[Key]:
    """The "fewer" figures whose exact value the attacker derives — empty when suppression held."""
    derived = recover(
        published,
        metric=metric,
        threshold=threshold,
        r12_months=r12_months,
        breakdown_kinds=breakdown_kinds,
    )
    return {
        key
        for key, (low, high) in derived.items()
        if published[key][0] == "fewer" and high is not None and low == high
    }
