"""The pathway completion evaluator: which steps a learner's badges satisfy, and since when.

Pure functions over plain data — no Django, no ORM — so the rules can be tested exhaustively
(``tests/test_completion.py`` checks them against a brute-force reference with Hypothesis) and
called from a service, a selector or a background job alike.

The rules, precisely:

- **Live badges only.** ``held`` lists the badges the learner holds now; the caller has already
  dropped revoked and expired ones.
- **External badges** (imported from another issuer, ``HeldBadge.external``) count only when the
  pathway allows them (``Pathway.allow_external``); otherwise they are ignored entirely.
- **Duplicates count once.** A badge id held several times is one badge. Its time is the earliest
  earned copy that may count: in an unordered pathway simply the earliest copy; in an ordered
  pathway the earliest copy earned at or after the previous step was satisfied (so earning a
  badge again after the previous step *does* count, as the ordered rule below promises).
- **A step** is satisfied once the learner holds ``required`` distinct badges among its
  ``badge_ids`` ("any one of several" is ``required=1``; "n of m" is ``required=n``). It became
  satisfied at the moment the ``required``-th of those badges was earned.
- **One badge may count towards several steps.** Steps that share a badge are all advanced by it;
  a pathway that wants distinct badges per step should give its steps disjoint badge sets.
- **Unordered pathways**: each step is judged on its own.
- **Ordered pathways**: step *i* counts only badges earned at or after the moment step *i - 1*
  became satisfied (equal times count, so one badge may satisfy two consecutive steps at once).
  A badge earned earlier does not count towards the later step, and nothing counts towards a step
  whose previous step is not yet satisfied — so the satisfied steps are always a prefix.
- **next_step** is the first unsatisfied step in pathway order; ``complete`` means every step is
  satisfied (equivalently, ``next_step is None``); ``completed_at`` is then the latest step's
  ``satisfied_at`` — the moment the last needed badge was earned.

Datetimes must be timezone-aware.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["HeldBadge", "Pathway", "Progress", "Step", "StepProgress", "evaluate"]


@dataclass(frozen=True)
class Step:
    """One step of a pathway: hold at least ``required`` distinct badges among ``badge_ids``."""

    key: str
    badge_ids: frozenset[str]
    required: int = 1

    def __post_init__(self) -> None:
        if isinstance(self.badge_ids, str):
            # frozenset("abc") would silently become three one-letter badge ids.
            raise TypeError(f"Step {self.key!r}: badge_ids must be a set of ids, not a string.")
        object.__setattr__(self, "badge_ids", frozenset(self.badge_ids))
        if not self.key:
            raise ValueError("A step needs a non-empty key.")
        if not self.badge_ids:
            raise ValueError(f"Step {self.key!r} needs at least one badge.")
        if not 1 <= self.required <= len(self.badge_ids):
            raise ValueError(
                f"Step {self.key!r}: required must be between 1 and the number of its badges "
                f"({len(self.badge_ids)}), not {self.required}."
            )


@dataclass(frozen=True)
class Pathway:
    """A pathway's steps in their order, whether that order is enforced, and whether imported
    badges count."""

    steps: tuple[Step, ...]
    ordered: bool
    allow_external: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "steps", tuple(self.steps))
        if not self.steps:
            raise ValueError("A pathway needs at least one step.")
        seen: set[str] = set()
        for step in self.steps:
            if step.key in seen:
                raise ValueError(f"Step keys must be unique; {step.key!r} appears twice.")
            seen.add(step.key)


@dataclass(frozen=True)
class HeldBadge:
    """A live badge the learner holds (not revoked, not expired)."""

    badge_id: str
    earned_at: datetime
    external: bool = False

    def __post_init__(self) -> None:
        if self.earned_at.tzinfo is None or self.earned_at.utcoffset() is None:
            raise ValueError(f"Badge {self.badge_id!r}: earned_at must be timezone-aware.")


@dataclass(frozen=True)
class StepProgress:
    """How far one step has got.

    ``held`` is the number of distinct badges that count towards the step (it may exceed
    ``required``); in an ordered pathway it is 0 while the previous step is unsatisfied.
    """

    key: str
    held: int
    required: int
    satisfied: bool
    satisfied_at: datetime | None


@dataclass(frozen=True)
class Progress:
    """A learner's progress along one pathway."""

    satisfied: tuple[str, ...]
    next_step: str | None
    complete: bool
    completed_at: datetime | None
    steps: tuple[StepProgress, ...]


def evaluate(pathway: Pathway, held: Iterable[HeldBadge]) -> Progress:
    """Evaluate ``pathway`` against the live badges in ``held`` (in any order)."""
    # Every time each countable badge id was earned, earliest first.
    copies: dict[str, list[datetime]] = {}
    for badge in held:
        if badge.external and not pathway.allow_external:
            continue
        copies.setdefault(badge.badge_id, []).append(badge.earned_at)
    for times in copies.values():
        times.sort()

    steps: list[StepProgress] = []
    # Ordered pathways: badges count towards a step only from this moment on; None = no gate.
    gate: datetime | None = None
    blocked = False
    for step in pathway.steps:
        if blocked:
            steps.append(StepProgress(step.key, 0, step.required, False, None))
            continue
        counted = sorted(
            first
            for badge_id in step.badge_ids
            if (first := _first_at_or_after(copies.get(badge_id, ()), gate)) is not None
        )
        satisfied_at = counted[step.required - 1] if len(counted) >= step.required else None
        steps.append(
            StepProgress(
                step.key, len(counted), step.required, satisfied_at is not None, satisfied_at
            )
        )
        if pathway.ordered:
            if satisfied_at is None:
                blocked = True
            gate = satisfied_at

    satisfied = tuple(s.key for s in steps if s.satisfied)
    next_step = next((s.key for s in steps if not s.satisfied), None)
    complete = next_step is None
    completed_at = (
        max(s.satisfied_at for s in steps if s.satisfied_at is not None) if complete else None
    )
    return Progress(
        satisfied=satisfied,
        next_step=next_step,
        complete=complete,
        completed_at=completed_at,
        steps=tuple(steps),
    )


def _first_at_or_after(times: Iterable[datetime], gate: datetime | None) -> datetime | None:
    """The earliest of ``times`` (sorted ascending) at or after ``gate``; None if there is none."""
    return next((t for t in times if gate is None or t >= gate), None)
