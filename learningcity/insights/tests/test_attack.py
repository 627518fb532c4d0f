"""The differencing attacker itself: it must find what a careful reader finds (or the suppression
tests that rely on it would pass vacuously), and never claim what is not true. No database."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.insights import attack
from learningcity.insights.catalogue import METRICS

AWARDS = METRICS["awards"]
LEARNERS = METRICS["learners_reached"]


def key(period: str, dimension: str = "total", value: str = "", kind: str = "", fv: str = ""):
    return (None, period, "awards", kind, fv, dimension, value)


def test_a_month_is_recovered_from_its_quarter_and_the_other_months() -> None:
    published = {
        key("q2026-1"): ("shown", 40),
        key("m2026-01"): ("fewer", None),
        key("m2026-02"): ("shown", 17),
        key("m2026-03"): ("shown", 20),
    }
    assert attack.recover(published, metric=AWARDS, threshold=10) == {key("m2026-01"): (3, 3)}
    assert attack.pinned(published, metric=AWARDS, threshold=10) == {key("m2026-01")}


def test_an_absent_month_counts_as_zero() -> None:
    published = {key("q2026-1"): ("shown", 12), key("m2026-01"): ("fewer", None)}
    published[key("m2026-02")] = ("withheld", None)
    # m3 absent (0): m1 + m2 = 12, m2 ≥ 10, so m1 ≤ 2; m1 ≥ 1 and m2 ≤ 11.
    assert attack.recover(published, metric=AWARDS, threshold=10) == {
        key("m2026-01"): (1, 2),
        key("m2026-02"): (10, 11),
    }


def test_a_filter_value_is_recovered_from_the_unfiltered_figure() -> None:
    published = {
        key("m2026-01"): ("shown", 50),
        key("m2026-01", kind="topic", fv="a"): ("fewer", None),
        key("m2026-01", kind="topic", fv="b"): ("shown", 20),
        key("m2026-01", kind="topic", fv="c"): ("shown", 26),
    }
    assert attack.pinned(published, metric=AWARDS, threshold=10) == {
        key("m2026-01", kind="topic", fv="a")
    }


def test_withheld_means_at_least_the_threshold() -> None:
    # [1, 10, 50] with 1 and 10 hidden: the withheld cell is ≥ 10, so 1 is pinned.
    published = {
        key("m2026-01"): ("shown", 61),
        key("m2026-01", "home_decile", "1"): ("fewer", None),
        key("m2026-01", "home_decile", "2"): ("withheld", None),
        key("m2026-01", "home_decile", "3"): ("shown", 50),
    }
    assert attack.recover(published, metric=AWARDS, threshold=10) == {
        key("m2026-01", "home_decile", "1"): (1, 1),
        key("m2026-01", "home_decile", "2"): (10, 10),
    }


def test_skills_are_not_a_partition() -> None:
    published = {
        key("m2026-01"): ("shown", 40),
        key("m2026-01", "skill", "x"): ("fewer", None),
        key("m2026-01", "skill", "y"): ("shown", 37),
    }
    assert attack.pinned(published, metric=AWARDS, threshold=10) == set()


def test_a_grid_is_attacked_across_views() -> None:
    # Month × topic with margins; three views each with two hidden cells, yet the quarter's
    # topic-b figure gives m1·b, hence m1·a.
    published = {
        key("m2026-01"): ("shown", 34),
        key("m2026-02"): ("shown", 65),
        key("q2026-1"): ("shown", 99),
        key("m2026-01", kind="topic", fv="a"): ("fewer", None),
        key("m2026-01", kind="topic", fv="b"): ("withheld", None),
        key("m2026-02", kind="topic", fv="a"): ("withheld", None),
        key("m2026-02", kind="topic", fv="b"): ("shown", 40),
        key("q2026-1", kind="topic", fv="a"): ("shown", 29),
        key("q2026-1", kind="topic", fv="b"): ("shown", 70),
    }
    assert attack.recover(published, metric=AWARDS, threshold=10) == {
        key("m2026-01", kind="topic", fv="a"): (4, 4),
        key("m2026-01", kind="topic", fv="b"): (30, 30),
        key("m2026-02", kind="topic", fv="a"): (25, 25),
    }


def test_distinct_counts_use_inequalities_across_periods() -> None:
    def learners(period: str):
        return (None, period, "learners_reached", "", "", "total", "")

    published = {
        learners("q2026-1"): ("shown", 18),
        learners("m2026-01"): ("fewer", None),
        learners("m2026-02"): ("fewer", None),
    }
    assert attack.recover(published, metric=LEARNERS, threshold=10) == {
        learners("m2026-01"): (9, 9),
        learners("m2026-02"): (9, 9),
    }
    published[learners("q2026-1")] = ("shown", 12)  # not a sum: 12 ≤ m1 + m2, each ≤ 12
    assert attack.recover(published, metric=LEARNERS, threshold=10) == {
        learners("m2026-01"): (3, 9),
        learners("m2026-02"): (3, 9),
    }


@settings(max_examples=100, derandomize=True, database=None, deadline=None)
@given(
    st.lists(st.integers(0, 15), min_size=2, max_size=3),
    st.lists(st.booleans(), min_size=4, max_size=4),
    st.integers(3, 8),
)
def test_the_attacker_is_sound_and_tight_on_one_line(
    parts: list[int], hide: list[bool], threshold: int
) -> None:
    """On one breakdown with its total, the attacker's bounds are exactly the range of values
    the hidden cells take over every table consistent with what is published (searched up to a
    cap; a bound the search takes up to the cap is one the attacker must leave open)."""
    total_key = key("m2026-01")
    part_keys = [key("m2026-01", "home_area", str(i)) for i in range(len(parts))]
    truth = {total_key: sum(parts)} | dict(zip(part_keys, parts, strict=True))
    published = {}
    for (k, n), hidden in zip(truth.items(), hide, strict=False):
        if 0 < n < threshold:
            published[k] = ("fewer", None)
        elif hidden and n >= threshold:
            published[k] = ("withheld", None)
        else:
            published[k] = ("shown", n)
    derived = attack.recover(published, metric=AWARDS, threshold=threshold)

    def consistent_tables(cap: int) -> list[dict]:
        labels = {"fewer": range(1, threshold), "withheld": range(threshold, cap + 1)}

        def options(k):
            status, count = published[k]
            return labels[status] if status != "shown" else [count]

        found = []
        for values in itertools.product(*map(options, part_keys)):
            total = sum(values)
            status, count = published[total_key]
            if (status == "shown" and total == count) or (
                status != "shown" and total in labels[status]
            ):
                found.append(dict(zip(part_keys, values, strict=True)) | {total_key: total})
        return found

    cap = sum(parts) + 2 * threshold
    consistent, wider = consistent_tables(cap), consistent_tables(cap + 3)
    assert truth in consistent
    for k in (k for k, (s, _) in published.items() if s != "shown"):
        low, high = derived[k]
        assert low == min(c[k] for c in consistent)
        most = max(c[k] for c in consistent)
        if high is None:  # unbounded: a wider search finds larger values
            assert max(c[k] for c in wider) > most
        else:
            assert high == most == max(c[k] for c in wider)
