"""Reads about pathways: what counts towards each step, what a learner holds, their progress
shown step by step with what to do next, and the owner's report.

Badge ids follow ``completion``: a badge made here is its OB 3.0 achievement id
(``publishing.badge_class_url``), a badge from elsewhere its ``ImportedBadge.achievement_id``.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, Min, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.badges import publishing
from learningcity.badges.models import Award, BadgeClass, BadgeStatus
from learningcity.cities.models import City
from learningcity.learners.models import ImportedBadge
from learningcity.opportunities.models import Opportunity, OpportunityStatus
from learningcity.opportunities.selectors import opportunity_list_discoverable

from . import completion
from .models import Enrolment, Pathway, PathwayStatus, PathwayStep

# How many opportunities to suggest for each missing step.
OPPORTUNITIES_PER_STEP = 5


# --- What counts towards a step ----------------------------------------------------------------


@dataclass(frozen=True)
class StepBadges:
    """The badges that count towards one step: made here (explicitly chosen or through the
    step's topic) by id, and achievement ids of badges from elsewhere."""

    step: PathwayStep
    badge_classes: dict[str, BadgeClass]  # badge id -> badge class, chosen first, then topic
    external_ids: tuple[str, ...]

    def badge_ids(self, *, allow_external: bool) -> frozenset[str]:
        ids = set(self.badge_classes)
        if allow_external:
            ids.update(self.external_ids)
        return frozenset(ids)

    def all_ids(self) -> frozenset[str]:
        return frozenset(self.badge_classes) | frozenset(self.external_ids)


def pathway_steps_with_badges(*, pathway: Pathway) -> list[StepBadges]:
    """Every step of ``pathway`` in order with the badges that count towards it.

    A topic step counts every badge class linked to a published opportunity in its topic
    (``Opportunity.badge_classes``) — whichever organisation runs it.
    """
    steps = list(
        PathwayStep.objects.filter(pathway=pathway)
        .select_related("topic")
        .prefetch_related(
            Prefetch(
                "badge_classes",
                queryset=BadgeClass.objects.select_related("organisation").order_by("name"),
            ),
            "opportunities",
        )
        .order_by("position")
    )
    topic_ids = {step.topic_id for step in steps if step.topic_id is not None}
    by_topic: dict[int, list[BadgeClass]] = defaultdict(list)
    if topic_ids:
        links = (
            Opportunity.badge_classes.through.objects.filter(
                opportunity__status=OpportunityStatus.PUBLISHED,
                opportunity__topics__in=topic_ids,
            )
            .values_list("opportunity__topics", "badgeclass_id")
            .distinct()
        )
        pairs = [(topic_id, badge_id) for topic_id, badge_id in links if topic_id in topic_ids]
        classes = BadgeClass.objects.select_related("organisation").in_bulk(
            {badge_id for _topic, badge_id in pairs}
        )
        for topic_id, badge_id in sorted(pairs, key=lambda p: classes[p[1]].name):
            by_topic[topic_id].append(classes[badge_id])
    result = []
    for step in steps:
        chosen: dict[str, BadgeClass] = {}
        for badge_class in [*step.badge_classes.all(), *by_topic.get(step.topic_id or 0, [])]:
            chosen.setdefault(publishing.badge_class_url(badge_class), badge_class)
        external = tuple(dict.fromkeys(str(i) for i in (step.external_achievement_ids or [])))
        result.append(StepBadges(step=step, badge_classes=chosen, external_ids=external))
    return result


def _unreachable_ids(step: PathwayStep, count: int) -> set[str]:
    """Ids nobody holds, padding a step whose badges have shrunk below ``required`` (a topic's
    opportunities were withdrawn, say): the step stays unsatisfied rather than getting easier."""
    return {f"urn:learningcity:pathway-step:{step.pk}:unreachable:{i}" for i in range(count)}


def completion_pathway(*, pathway: Pathway, steps: Sequence[StepBadges]) -> completion.Pathway:
    """``pathway`` as the pure evaluator sees it. Precondition: it has at least one step."""
    evaluator_steps = []
    for item in steps:
        ids = set(item.badge_ids(allow_external=pathway.allow_external))
        missing = item.step.required - len(ids)
        if missing > 0:
            ids |= _unreachable_ids(item.step, missing)
        evaluator_steps.append(
            completion.Step(
                key=str(item.step.pk), badge_ids=frozenset(ids), required=item.step.required
            )
        )
    return completion.Pathway(
        steps=tuple(evaluator_steps), ordered=pathway.ordered, allow_external=pathway.allow_external
    )


# --- What a learner holds ----------------------------------------------------------------------


def _live_awards(now: datetime.datetime) -> QuerySet[Award]:
    return Award.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        revoked_at__isnull=True,
        replaced_at__isnull=True,
    )


def _valid_imports(now: datetime.datetime) -> QuerySet[ImportedBadge]:
    return ImportedBadge.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now), status="valid"
    ).exclude(achievement_id="")


def held_badges_for_users(
    *, user_ids: Iterable[int], now: datetime.datetime | None = None
) -> dict[int, list[completion.HeldBadge]]:
    """The live badges of each user: awards made here (not revoked, expired or replaced) and
    valid, unexpired imported badges (marked external; the evaluator decides if they count)."""
    now = now or timezone.now()
    user_ids = list(user_ids)
    held: dict[int, list[completion.HeldBadge]] = {user_id: [] for user_id in user_ids}
    if not user_ids:
        return held
    awards = _live_awards(now).filter(recipient_id__in=user_ids).select_related("badge_class")
    for award in awards:
        held[cast(int, award.recipient_id)].append(
            completion.HeldBadge(
                badge_id=publishing.badge_class_url(award.badge_class), earned_at=award.issued_at
            )
        )
    imports = _valid_imports(now).filter(owner_id__in=user_ids)
    for imported in imports.only("owner_id", "achievement_id", "issued_at", "created_at"):
        held[imported.owner_id].append(
            completion.HeldBadge(
                badge_id=imported.achievement_id,
                earned_at=imported.issued_at or imported.created_at,
                external=True,
            )
        )
    return held


def held_badges_for(
    *, user_id: int, now: datetime.datetime | None = None
) -> list[completion.HeldBadge]:
    return held_badges_for_users(user_ids=[user_id], now=now)[user_id]


def completion_award_held(*, user: User, badge_class: BadgeClass) -> Award | None:
    """The learner's live award of ``badge_class``, if they hold one already."""
    return (
        _live_awards(timezone.now())
        .filter(badge_class=badge_class, recipient=user)
        .order_by("-issued_at")
        .first()
    )


# --- Lists -------------------------------------------------------------------------------------


def pathway_list_published(*, city: City) -> QuerySet[Pathway]:
    """The published pathways of ``city`` with their owner and ``step_count``."""
    return (
        Pathway.objects.filter(city=city, status=PathwayStatus.PUBLISHED)
        .select_related("organisation", "city", "completion_badge")
        .annotate(step_count=Count("steps", distinct=True))
        .order_by("name")
    )


def enrolment_list_for(*, user: User) -> list[Enrolment]:
    """The learner's enrolments, open ones first, each with ``step_count`` (and ``steps_done``
    as last evaluated)."""
    enrolments = (
        Enrolment.objects.filter(learner=user)
        .select_related(
            "pathway__city",
            "pathway__organisation",
            "pathway__completion_badge",
            "completion_award",
        )
        .annotate(step_count=Count("pathway__steps", distinct=True))
    )
    return sorted(enrolments, key=lambda e: (e.completed_at is not None, -e.joined_at.timestamp()))


def enrolment_for(*, pathway: Pathway, user: User) -> Enrolment | None:
    if not user.is_authenticated:
        return None
    return (
        Enrolment.objects.filter(pathway=pathway, learner=user)
        .select_related("completion_award")
        .first()
    )


# --- Progress, step by step ---------------------------------------------------------------------


@dataclass(frozen=True)
class StepBadgeView:
    name: str
    url: str
    image_url: str
    held: bool
    external: bool = False
    organisation: str = ""


@dataclass(frozen=True)
class StepOpportunityView:
    title: str
    url: str
    organisation: str
    next_starts_at: datetime.datetime | None


@dataclass(frozen=True)
class StepView:
    position: int
    title: str
    description: str
    required: int
    badge_count: int
    held: int
    satisfied: bool
    satisfied_at: datetime.datetime | None
    topic: str
    badges: tuple[StepBadgeView, ...]
    opportunities: tuple[StepOpportunityView, ...]
    is_next: bool = False


@dataclass(frozen=True)
class ProgressView:
    pathway: Pathway
    enrolment: Enrolment | None
    steps: tuple[StepView, ...]
    complete: bool
    completed_at: datetime.datetime | None
    next_steps: tuple[StepView, ...] = field(default=())

    @property
    def steps_done(self) -> int:
        return sum(1 for step in self.steps if step.satisfied)

    @property
    def steps_total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return round(100 * self.steps_done / self.steps_total) if self.steps_total else 0


def _opportunities_awarding(
    *, city: City, badge_class_ids: set[int], linked_ids: set[int], now: datetime.datetime
) -> tuple[dict[int, list[Opportunity]], dict[int, Opportunity]]:
    """Discoverable opportunities awarding each badge class, and the linked ones by id, each
    with ``next_starts_at`` (the next session not cancelled, or None)."""
    if not badge_class_ids and not linked_ids:
        return {}, {}
    queryset = (
        opportunity_list_discoverable(city=city, now=now)
        .filter(Q(badge_classes__in=badge_class_ids) | Q(pk__in=linked_ids))
        .select_related("organisation", "city")
        .prefetch_related(
            Prefetch(
                "badge_classes",
                queryset=BadgeClass.objects.filter(pk__in=badge_class_ids).only("pk"),
                to_attr="matching_badges",
            )
        )
        .annotate(
            next_starts_at=Min(
                "sessions__starts_at",
                filter=Q(sessions__starts_at__gt=now, sessions__is_cancelled=False),
            )
        )
        .distinct()
    )
    by_badge: dict[int, list[Opportunity]] = defaultdict(list)
    by_id: dict[int, Opportunity] = {}
    for opportunity in queryset:
        by_id[opportunity.pk] = opportunity
        for badge_class in opportunity.matching_badges:  # type: ignore[attr-defined]
            by_badge[badge_class.pk].append(opportunity)
    return by_badge, by_id


def _opportunity_view(opportunity: Opportunity) -> StepOpportunityView:
    return StepOpportunityView(
        title=opportunity.title,
        url=opportunity.get_absolute_url(),
        organisation=opportunity.organisation.name,
        next_starts_at=opportunity.next_starts_at,  # type: ignore[attr-defined]
    )


def _soonest(opportunities: Iterable[Opportunity]) -> list[Opportunity]:
    far = datetime.datetime.max.replace(tzinfo=datetime.UTC)
    unique = {o.pk: o for o in opportunities}.values()
    return sorted(unique, key=lambda o: (o.next_starts_at or far, o.title))  # type: ignore[attr-defined]


def pathway_steps_view(
    *, pathway: Pathway, user: User | None = None, enrolment: Enrolment | None = None
) -> ProgressView:
    """``pathway``'s steps with their badges and opportunities, and — for ``user`` — which
    badges they hold, which steps are satisfied and what to do next.

    Without a user (or for a visitor) nothing is held and every step lists its opportunities.
    """
    now = timezone.now()
    steps = pathway_steps_with_badges(pathway=pathway)
    held: list[completion.HeldBadge] = []
    imported_names: dict[str, ImportedBadge] = {}
    if user is not None and user.is_authenticated:
        held = held_badges_for(user_id=user.pk, now=now)
        if pathway.allow_external:
            external_ids = {i for item in steps for i in item.external_ids}
            for imported in _valid_imports(now).filter(owner=user, achievement_id__in=external_ids):
                imported_names.setdefault(imported.achievement_id, imported)
    progress = (
        completion.evaluate(completion_pathway(pathway=pathway, steps=steps), held)
        if steps
        else None
    )
    countable = {badge.badge_id for badge in held if pathway.allow_external or not badge.external}

    missing_class_ids: set[int] = set()
    linked_ids: set[int] = set()
    step_progress = {p.key: p for p in progress.steps} if progress else {}
    for item in steps:
        if step_progress.get(str(item.step.pk)) and step_progress[str(item.step.pk)].satisfied:
            continue
        missing_class_ids.update(
            bc.pk for badge_id, bc in item.badge_classes.items() if badge_id not in countable
        )
        linked_ids.update(o.pk for o in item.step.opportunities.all())
    by_badge, by_id = _opportunities_awarding(
        city=pathway.city, badge_class_ids=missing_class_ids, linked_ids=linked_ids, now=now
    )

    here = _badge_classes_of_this_installation(
        [external_id for item in steps for external_id in item.external_ids]
    )
    views: list[StepView] = []
    for item in steps:
        sp = step_progress.get(str(item.step.pk))
        satisfied = bool(sp and sp.satisfied)
        badges = [
            StepBadgeView(
                name=bc.name,
                url=bc.get_absolute_url(),
                image_url=reverse("badge-class-image-png", kwargs={"public_id": bc.public_id}),
                held=badge_id in countable,
                organisation=bc.organisation.name,
            )
            for badge_id, bc in item.badge_classes.items()
        ]
        if pathway.allow_external:
            for external_id in item.external_ids:
                found = imported_names.get(external_id)
                platform = here.get(external_id)
                if found is not None:
                    name, issuer = found.name, found.issuer_name
                elif platform is not None:  # another city's badge on this installation
                    name, issuer = platform.name, platform.organisation.name
                else:
                    name, issuer = "A badge from another issuer", ""
                badges.append(
                    StepBadgeView(
                        name=name,
                        url=external_id if external_id.startswith(("https://", "http://")) else "",
                        image_url="",
                        held=external_id in countable,
                        external=True,
                        organisation=issuer,
                    )
                )
        opportunities: list[Opportunity] = []
        if not satisfied:
            linked = [by_id[o.pk] for o in item.step.opportunities.all() if o.pk in by_id]
            awarding = [
                o
                for badge_id, bc in item.badge_classes.items()
                if badge_id not in countable
                for o in by_badge.get(bc.pk, [])
            ]
            opportunities = linked + [o for o in _soonest(awarding) if o not in linked]
        views.append(
            StepView(
                position=item.step.position,
                title=item.step.title,
                description=item.step.description,
                required=item.step.required,
                badge_count=len(item.badge_ids(allow_external=pathway.allow_external)),
                held=sp.held if sp else 0,
                satisfied=satisfied,
                satisfied_at=sp.satisfied_at if sp else None,
                topic=item.step.topic.name if item.step.topic else "",
                badges=tuple(badges),
                opportunities=tuple(
                    _opportunity_view(o) for o in opportunities[:OPPORTUNITIES_PER_STEP]
                ),
            )
        )
    # What to do next: in an ordered pathway the first unsatisfied step; otherwise all of them.
    unsatisfied = [v for v in views if not v.satisfied]
    next_positions = {v.position for v in (unsatisfied[:1] if pathway.ordered else unsatisfied)}
    views = [StepView(**{**v.__dict__, "is_next": v.position in next_positions}) for v in views]
    return ProgressView(
        pathway=pathway,
        enrolment=enrolment,
        steps=tuple(views),
        # Completed is completed, even if a badge has lapsed since.
        complete=bool((enrolment and enrolment.completed_at) or (progress and progress.complete)),
        completed_at=(enrolment.completed_at if enrolment and enrolment.completed_at else None)
        or (progress.completed_at if progress else None),
        next_steps=tuple(v for v in views if v.is_next),
    )


def pathway_progress_for(*, enrolment: Enrolment) -> ProgressView:
    """The enrolled learner's progress on their pathway, step by step, evaluated now."""
    return pathway_steps_view(
        pathway=enrolment.pathway, user=enrolment.learner, enrolment=enrolment
    )


# --- The owner's report ------------------------------------------------------------------------


@dataclass(frozen=True)
class StepReport:
    position: int
    title: str
    satisfied_count: int


@dataclass(frozen=True)
class PathwayReport:
    enrolled: int
    completed: int
    in_progress: int
    steps: tuple[StepReport, ...]
    median_days_to_complete: float | None


def pathway_owner_report(*, pathway: Pathway) -> PathwayReport:
    """How learners are getting on: how many joined, completed and are on their way, how many
    have satisfied each step (evaluated now), and the median days from joining to completing."""
    enrolments = list(
        Enrolment.objects.filter(pathway=pathway).only("learner_id", "joined_at", "completed_at")
    )
    completed = [e for e in enrolments if e.completed_at is not None]
    steps = pathway_steps_with_badges(pathway=pathway)
    satisfied_counts: dict[str, int] = {str(item.step.pk): 0 for item in steps}
    if steps and enrolments:
        definition = completion_pathway(pathway=pathway, steps=steps)
        held = held_badges_for_users(user_ids=[e.learner_id for e in enrolments])
        for enrolment in enrolments:
            if enrolment.completed_at is not None:
                # Completed is completed, even if a badge has since lapsed.
                for key in satisfied_counts:
                    satisfied_counts[key] += 1
                continue
            progress = completion.evaluate(definition, held[enrolment.learner_id])
            for key in progress.satisfied:
                satisfied_counts[key] += 1
    days = [
        (e.completed_at - e.joined_at).total_seconds() / 86400
        for e in completed
        if e.completed_at is not None
    ]
    return PathwayReport(
        enrolled=len(enrolments),
        completed=len(completed),
        in_progress=len(enrolments) - len(completed),
        steps=tuple(
            StepReport(
                position=item.step.position,
                title=item.step.title,
                satisfied_count=satisfied_counts[str(item.step.pk)],
            )
            for item in steps
        ),
        median_days_to_complete=round(statistics.median(days), 1) if days else None,
    )


def _badge_classes_of_this_installation(external_ids: list[str]) -> dict[str, BadgeClass]:
    """The published badge classes, of any city here, that some of ``external_ids`` are the
    achievement ids of — so a step can name "Sailing Basics from Plymouth" to everyone, not only
    to learners who have imported it."""
    prefix = publishing.absolute("/badge-classes/")  # a permanent URL (docs/urls.md)
    wanted = {
        external_id: external_id[len(prefix) :].strip("/")
        for external_id in external_ids
        if external_id.startswith(prefix)
    }
    if not wanted:
        return {}
    found = {
        bc.public_id: bc
        for bc in BadgeClass.objects.filter(
            public_id__in=set(wanted.values()), status=BadgeStatus.PUBLISHED
        ).select_related("organisation")
    }
    return {eid: found[pid] for eid, pid in wanted.items() if pid in found}
