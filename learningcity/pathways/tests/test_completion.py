"""The completion evaluator: hand-written examples for each rule, then Hypothesis properties
checked against a brute-force reference. No database."""

from __future__ import annotations

import ast
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from learningcity.pathways import completion
from learningcity.pathways.completion import (
    HeldBadge,
    Pathway,
    Progress,
    Step,
    StepProgress,
    evaluate,
)

T0 = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def badge(badge_id: str, minutes: int, *, external: bool = False) -> HeldBadge:
    return HeldBadge(badge_id, at(minutes), external=external)


def step(key: str, *badge_ids: str, required: int = 1) -> Step:
    return Step(key, frozenset(badge_ids), required)


def by_key(progress: Progress) -> dict[str, StepProgress]:
    return {s.key: s for s in progress.steps}


def test_the_evaluator_imports_only_the_standard_library() -> None:
    with open(completion.__file__, encoding="utf-8") as source:
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


# --- Validation -------------------------------------------------------------------------------


def test_a_step_needs_a_key() -> None:
    with pytest.raises(ValueError, match="non-empty key"):
        step("", "a")


def test_a_step_needs_at_least_one_badge() -> None:
    with pytest.raises(ValueError, match="at least one badge"):
        step("s")


@pytest.mark.parametrize("required", [0, -1, 3])
def test_a_step_requires_between_one_and_all_of_its_badges(required: int) -> None:
    with pytest.raises(ValueError, match="required must be between 1 and the number"):
        step("s", "a", "b", required=required)


def test_a_step_refuses_a_string_for_its_badge_ids() -> None:
    with pytest.raises(TypeError, match="not a string"):
        Step("s", "abc")  # type: ignore[arg-type]


def test_a_step_takes_any_set_of_badge_ids_and_keeps_a_frozenset() -> None:
    assert Step("s", {"a", "b"}, 2).badge_ids == frozenset({"a", "b"})  # type: ignore[arg-type]


def test_a_pathway_needs_at_least_one_step() -> None:
    with pytest.raises(ValueError, match="at least one step"):
        Pathway((), ordered=False)


def test_a_pathway_refuses_duplicate_step_keys() -> None:
    with pytest.raises(ValueError, match="'s' appears twice"):
        Pathway((step("s", "a"), step("s", "b")), ordered=True)


def test_a_held_badge_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        HeldBadge("a", datetime(2026, 1, 1))


def test_the_value_types_are_frozen() -> None:
    with pytest.raises(AttributeError):
        step("s", "a").required = 2  # type: ignore[misc]


# --- Steps: any one of several, n of m --------------------------------------------------------


def test_any_one_of_several_badges_satisfies_a_step() -> None:
    pathway = Pathway((step("s", "a", "b", "c"),), ordered=False)
    progress = evaluate(pathway, [badge("b", 5)])
    assert progress.satisfied == ("s",)
    assert progress.steps == (StepProgress("s", 1, 1, True, at(5)),)


def test_n_of_m_needs_n_distinct_badges_and_is_satisfied_by_the_nth() -> None:
    pathway = Pathway((step("s", "a", "b", "c", "d", required=3),), ordered=False)
    assert not evaluate(pathway, [badge("a", 1), badge("c", 2)]).complete
    progress = evaluate(pathway, [badge("d", 30), badge("a", 10), badge("c", 20), badge("b", 40)])
    assert progress.steps == (StepProgress("s", 4, 3, True, at(30)),)
    assert progress.completed_at == at(30)


def test_badges_outside_a_step_do_not_count() -> None:
    pathway = Pathway((step("s", "a", "b", required=2),), ordered=False)
    progress = evaluate(pathway, [badge("a", 1), badge("z", 2)])
    assert progress.steps == (StepProgress("s", 1, 2, False, None),)


# --- Duplicates, externals --------------------------------------------------------------------


def test_a_badge_held_twice_counts_once_from_its_earliest_copy() -> None:
    pathway = Pathway((step("s", "a", "b", required=2),), ordered=False)
    assert not evaluate(pathway, [badge("a", 1), badge("a", 2)]).complete
    progress = evaluate(pathway, [badge("a", 50), badge("b", 20), badge("a", 10)])
    assert progress.steps == (StepProgress("s", 2, 2, True, at(20)),)


def test_external_badges_are_ignored_unless_the_pathway_allows_them() -> None:
    steps = (step("s", "a"),)
    held = [badge("a", 1, external=True)]
    refused = evaluate(Pathway(steps, ordered=False), held)
    assert refused.steps == (StepProgress("s", 0, 1, False, None),)
    allowed = evaluate(Pathway(steps, ordered=False, allow_external=True), held)
    assert allowed.steps == (StepProgress("s", 1, 1, True, at(1)),)


def test_a_refused_external_copy_does_not_lend_its_earlier_time_to_a_local_copy() -> None:
    steps = (step("s", "a"),)
    held = [badge("a", 1, external=True), badge("a", 9)]
    assert evaluate(Pathway(steps, ordered=False), held).completed_at == at(9)
    assert evaluate(Pathway(steps, ordered=False, allow_external=True), held).completed_at == at(1)


# --- One badge, several steps -----------------------------------------------------------------


def test_one_badge_counts_towards_every_step_that_lists_it() -> None:
    pathway = Pathway((step("x", "a", "b"), step("y", "a", "c")), ordered=False)
    progress = evaluate(pathway, [badge("a", 3)])
    assert progress.satisfied == ("x", "y")
    assert progress.completed_at == at(3)


def test_one_badge_can_satisfy_consecutive_ordered_steps_at_once() -> None:
    pathway = Pathway((step("x", "a"), step("y", "a")), ordered=True)
    progress = evaluate(pathway, [badge("a", 3)])
    assert progress.complete
    assert [s.satisfied_at for s in progress.steps] == [at(3), at(3)]


# --- Empty, next step, completion -------------------------------------------------------------


@pytest.mark.parametrize("ordered", [True, False])
def test_with_no_badges_nothing_is_satisfied_and_the_first_step_is_next(ordered: bool) -> None:
    pathway = Pathway((step("x", "a"), step("y", "b")), ordered=ordered)
    progress = evaluate(pathway, [])
    assert progress == Progress(
        satisfied=(),
        next_step="x",
        complete=False,
        completed_at=None,
        steps=(StepProgress("x", 0, 1, False, None), StepProgress("y", 0, 1, False, None)),
    )


def test_in_an_unordered_pathway_the_next_step_is_the_first_unsatisfied_one() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b"), step("z", "c")), ordered=False)
    progress = evaluate(pathway, [badge("a", 1), badge("c", 2)])
    assert progress.satisfied == ("x", "z")
    assert progress.next_step == "y"
    assert not progress.complete
    assert progress.completed_at is None


def test_an_unordered_pathway_is_complete_when_its_last_needed_badge_is_earned() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b", "c", required=2)), ordered=False)
    progress = evaluate(pathway, [badge("c", 5), badge("b", 40), badge("a", 20)])
    assert progress.complete
    assert progress.next_step is None
    assert progress.satisfied == ("x", "y")
    assert progress.completed_at == at(40)


def test_the_satisfied_keys_follow_pathway_order_not_earning_order() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b")), ordered=False)
    assert evaluate(pathway, [badge("b", 1), badge("a", 2)]).satisfied == ("x", "y")


# --- Ordered pathways -------------------------------------------------------------------------


def test_an_ordered_pathway_completes_when_steps_are_earned_in_order() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b"), step("z", "c")), ordered=True)
    progress = evaluate(pathway, [badge("a", 1), badge("b", 2), badge("c", 3)])
    assert progress.complete
    assert progress.completed_at == at(3)


def test_in_an_ordered_pathway_a_badge_earned_too_early_does_not_count() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b")), ordered=True)
    progress = evaluate(pathway, [badge("b", 1), badge("a", 2)])
    assert progress.satisfied == ("x",)
    assert progress.next_step == "y"
    assert by_key(progress)["y"] == StepProgress("y", 0, 1, False, None)


def test_in_an_ordered_pathway_a_later_badge_satisfies_the_step_the_early_one_could_not() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b", "c")), ordered=True)
    progress = evaluate(pathway, [badge("b", 1), badge("a", 2), badge("c", 7)])
    assert progress.complete
    assert by_key(progress)["y"] == StepProgress("y", 1, 1, True, at(7))


def test_in_an_ordered_pathway_earning_the_same_badge_again_afterwards_counts() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b")), ordered=True)
    progress = evaluate(pathway, [badge("b", 1), badge("a", 2), badge("b", 8)])
    assert progress.complete
    assert progress.completed_at == at(8)


def test_in_an_ordered_pathway_a_badge_earned_at_the_same_moment_counts() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b")), ordered=True)
    assert evaluate(pathway, [badge("b", 4), badge("a", 4)]).completed_at == at(4)


def test_in_an_ordered_pathway_n_of_m_counts_only_badges_after_the_previous_step() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b", "c", "d", required=2)), ordered=True)
    progress = evaluate(pathway, [badge("b", 1), badge("a", 5), badge("c", 6), badge("d", 9)])
    assert by_key(progress)["y"] == StepProgress("y", 2, 2, True, at(9))


def test_in_an_ordered_pathway_nothing_counts_after_an_unsatisfied_step() -> None:
    pathway = Pathway((step("x", "a"), step("y", "b"), step("z", "c")), ordered=True)
    progress = evaluate(pathway, [badge("a", 1), badge("c", 2)])
    assert progress.satisfied == ("x",)
    assert progress.next_step == "y"
    assert by_key(progress)["z"] == StepProgress("z", 0, 1, False, None)


def test_the_same_badges_can_complete_an_unordered_pathway_but_not_an_ordered_one() -> None:
    steps = (step("x", "a"), step("y", "b"))
    held = [badge("b", 1), badge("a", 2)]
    assert evaluate(Pathway(steps, ordered=False), held).complete
    assert not evaluate(Pathway(steps, ordered=True), held).complete


def test_held_may_be_any_iterable() -> None:
    pathway = Pathway((step("x", "a"),), ordered=True)
    assert evaluate(pathway, (b for b in [badge("a", 1)])).complete


# --- Properties -------------------------------------------------------------------------------

BADGE_IDS = ["a", "b", "c", "d", "e", "f"]
# A little wider than any step, so some held badges belong to no step.
HELD_IDS = [*BADGE_IDS, "z"]

PROPERTY = settings(max_examples=300, derandomize=True, database=None, deadline=None)


@st.composite
def steps_strategy(draw: st.DrawFn) -> Step:
    badge_ids = draw(st.frozensets(st.sampled_from(BADGE_IDS), min_size=1, max_size=4))
    required = draw(st.integers(1, len(badge_ids)))
    return Step("placeholder", badge_ids, required)


@st.composite
def pathways(draw: st.DrawFn, ordered: bool | None = None) -> Pathway:
    drawn = draw(st.lists(steps_strategy(), min_size=1, max_size=5))
    steps = tuple(Step(f"step-{i}", s.badge_ids, s.required) for i, s in enumerate(drawn))
    return Pathway(
        steps,
        ordered=draw(st.booleans()) if ordered is None else ordered,
        allow_external=draw(st.booleans()),
    )


# Few distinct times, so ties (and duplicates at the same moment) are common.
held_badges = st.builds(
    HeldBadge,
    badge_id=st.sampled_from(HELD_IDS),
    earned_at=st.integers(0, 12).map(at),
    external=st.booleans(),
)
held_lists = st.lists(held_badges, max_size=12)


def reference(pathway: Pathway, held: Sequence[HeldBadge]) -> Progress:
    """The rules of the module docstring, written in the most obvious (and slowest) way."""
    countable = [h for h in held if pathway.allow_external or not h.external]
    moments = sorted({h.earned_at for h in countable})
    steps: list[StepProgress] = []
    previous_satisfied_at: datetime | None = None
    for index, s in enumerate(pathway.steps):
        if pathway.ordered and index > 0 and previous_satisfied_at is None:
            steps.append(StepProgress(s.key, 0, s.required, False, None))
            continue
        start = previous_satisfied_at if pathway.ordered else None

        def ids_between(start: datetime | None, end: datetime | None, s: Step = s) -> set[str]:
            return {
                h.badge_id
                for h in countable
                if h.badge_id in s.badge_ids
                and (start is None or h.earned_at >= start)
                and (end is None or h.earned_at <= end)
            }

        satisfied_at = None
        for moment in moments:
            if len(ids_between(start, moment)) >= s.required:
                satisfied_at = moment
                break
        steps.append(
            StepProgress(
                s.key,
                len(ids_between(start, None)),
                s.required,
                satisfied_at is not None,
                satisfied_at,
            )
        )
        previous_satisfied_at = satisfied_at
    all_satisfied = all(sp.satisfied for sp in steps)
    unsatisfied = [sp.key for sp in steps if not sp.satisfied]
    return Progress(
        satisfied=tuple(sp.key for sp in steps if sp.satisfied),
        next_step=unsatisfied[0] if unsatisfied else None,
        complete=all_satisfied,
        completed_at=max(sp.satisfied_at for sp in steps if sp.satisfied_at)
        if all_satisfied
        else None,
        steps=tuple(steps),
    )


@PROPERTY
@given(pathways(), held_lists)
def test_evaluate_matches_the_brute_force_reference(
    pathway: Pathway, held: list[HeldBadge]
) -> None:
    assert evaluate(pathway, held) == reference(pathway, held)


@PROPERTY
@given(pathways(), held_lists, held_badges)
def test_adding_a_badge_never_undoes_progress(
    pathway: Pathway, held: list[HeldBadge], extra: HeldBadge
) -> None:
    # Holds for ordered pathways too: an extra badge can only move each step's moment earlier,
    # which only lets more badges count towards the next step.
    before = evaluate(pathway, held)
    after = evaluate(pathway, [*held, extra])
    for old, new in zip(before.steps, after.steps, strict=True):
        if old.satisfied:
            assert new.satisfied
            assert new.satisfied_at is not None and old.satisfied_at is not None
            assert new.satisfied_at <= old.satisfied_at
        assert new.held >= old.held
    if before.complete:
        assert after.complete


@PROPERTY
@given(pathways(), held_lists, st.data())
def test_the_order_of_held_badges_does_not_matter(
    pathway: Pathway, held: list[HeldBadge], data: st.DataObject
) -> None:
    shuffled = data.draw(st.permutations(held))
    assert evaluate(pathway, shuffled) == evaluate(pathway, held)


@PROPERTY
@given(pathways(ordered=False), held_lists)
def test_an_unordered_pathway_is_complete_iff_each_step_has_enough_countable_badges(
    pathway: Pathway, held: list[HeldBadge]
) -> None:
    countable_ids = {h.badge_id for h in held if pathway.allow_external or not h.external}
    enough = all(len(s.badge_ids & countable_ids) >= s.required for s in pathway.steps)
    assert evaluate(pathway, held).complete is enough


@PROPERTY
@given(pathways(ordered=True), held_lists)
def test_an_ordered_pathway_is_satisfied_in_a_prefix_of_its_steps(
    pathway: Pathway, held: list[HeldBadge]
) -> None:
    progress = evaluate(pathway, held)
    keys = tuple(s.key for s in pathway.steps)
    assert progress.satisfied == keys[: len(progress.satisfied)]
    moments = [s.satisfied_at for s in progress.steps if s.satisfied_at is not None]
    assert moments == sorted(moments)


@PROPERTY
@given(pathways(), held_lists)
def test_complete_means_no_next_step(pathway: Pathway, held: list[HeldBadge]) -> None:
    progress = evaluate(pathway, held)
    assert progress.complete is (progress.next_step is None)
    assert progress.complete is (len(progress.satisfied) == len(pathway.steps))
    if progress.next_step is not None:
        assert progress.next_step not in progress.satisfied


@PROPERTY
@given(pathways(), held_lists)
def test_completed_at_is_the_latest_step_moment(pathway: Pathway, held: list[HeldBadge]) -> None:
    progress = evaluate(pathway, held)
    if progress.complete:
        moments = [s.satisfied_at for s in progress.steps]
        assert None not in moments
        assert progress.completed_at == max(m for m in moments if m is not None)
    else:
        assert progress.completed_at is None
