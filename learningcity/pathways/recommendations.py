"""“What next”: opportunities and pathways suggested to a learner, each with a one-line reason.

Suggestions come from four things the learner has told us or earned, strongest first:

1. **Pathways in progress** — the opportunities that award a badge for a step still missing on a
   pathway they joined (“Next step on your pathway Digital Creator”).
2. **Interests** (``LearnerProfile.interests``) — opportunities whose title, summary, topics or
   skills mention one, and pathways whose name, summary or step topics do (“Because you're
   interested in music”).
3. **Skills** — the skills of the badges they hold: opportunities that develop the same skill,
   the next level first; pathways one of whose steps a held badge already counts towards.
4. **Area** — opportunities near the learner's area (“Near you in BN2”); within each kind of
   reason, nearer opportunities come first.

Nothing is suggested that the learner has booked, that is over, unpublished or outside their
age, whose badges they all hold already, or (for pathways) that they have joined or whose
completion badge they hold. Only the learner's own profile, awards, imports, bookings and
enrolments are read: another learner's data never changes what you see.

The switches: ``recommendations_enabled`` is the main one (off at sign-up for under-18s, on for
adults); ``suggest_opportunities`` and ``suggest_pathways`` switch each kind. A kind that is off
is not computed at all. The queries are a fixed number whatever the data's size (each source is
capped), so the page stays cheap.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone

from learningcity.accounts.models import LearnerProfile, User
from learningcity.badges.models import Award, Level
from learningcity.badges.publishing import badge_class_url
from learningcity.cities.models import Area
from learningcity.core.errors import RECOMMENDATIONS_NEED_GUARDIAN, ServiceError
from learningcity.learners.models import ImportedBadge
from learningcity.opportunities.models import (
    Booking,
    BookingStatus,
    Opportunity,
    OpportunityStatus,
)
from learningcity.opportunities.selectors import (
    bounding_box,
    distance_km_expression,
    opportunity_list_discoverable,
)

from . import completion
from .models import Enrolment, Pathway, PathwayStatus, PathwayStep
from .selectors import completion_pathway, pathway_steps_with_badges

__all__ = [
    "Recommendations",
    "Suggestion",
    "learner_profile_for",
    "recommendations_for",
    "suggestions_set",
]

DEFAULT_LIMIT = 6
# An opportunity this close to the centre of the learner's area counts as "near you".
NEAR_KM = 3.0
# Each source contributes at most this many candidates, so the work is bounded.
CANDIDATES_PER_SOURCE = 40
# Interests are free text; only the first few are used (one query each).
MAX_INTERESTS = 5
MAX_INTEREST_LENGTH = 60
# Next steps are looked for on the most recently joined open pathways, at most this many.
MAX_PATHWAYS_IN_PROGRESS = 5

# Reasons, strongest first: a suggestion keeps its strongest reason.
_PATHWAY, _INTEREST, _SKILL_NEXT_LEVEL, _SKILL, _NEAR = 5, 4, 3, 2, 1
_LEVELS = [choice.value for choice in Level]

Kind = Literal["opportunity", "pathway"]


@dataclass(frozen=True)
class Suggestion:
    """One thing to do next and why (``why`` is one line, shown as it is)."""

    kind: Kind
    item: Opportunity | Pathway
    why: str
    distance_km: float | None = None

    @property
    def url(self) -> str:
        """The item's public page, or "" while that page is not routed."""
        try:
            return self.item.get_absolute_url()
        except NoReverseMatch:
            return ""


@dataclass(frozen=True)
class Recommendations:
    """What the “What next” page shows. ``enabled`` is the main switch; a kind that is off has
    no suggestions (and was not computed)."""

    enabled: bool
    opportunities_on: bool
    pathways_on: bool
    opportunities: tuple[Suggestion, ...] = ()
    pathways: tuple[Suggestion, ...] = ()
    has_profile: bool = True
    needs_guardian: bool = False

    @property
    def any_on(self) -> bool:
        return self.enabled and (self.opportunities_on or self.pathways_on)

    @property
    def suggestions(self) -> tuple[Suggestion, ...]:
        return self.opportunities + self.pathways


@dataclass
class _Candidate:
    rank: int
    why: str


@dataclass
class _Learner:
    """What the suggestions are computed from: this learner's own data only."""

    user: User
    profile: LearnerProfile
    now: datetime.datetime
    interests: list[str]
    held_badge_class_ids: set[int] = field(default_factory=set)
    # Badge ids as pathways know them (OB 3.0 achievement ids) with when each was earned.
    held: list[completion.HeldBadge] = field(default_factory=list)
    # Skill name (lower case) → (display name, highest level index held, or -1).
    skills: dict[str, tuple[str, int]] = field(default_factory=dict)


# --- Switches -----------------------------------------------------------------------------------


def learner_profile_for(*, user: User) -> LearnerProfile | None:
    """The user's learner profile (with city, area and guardian consent), or None."""
    return (
        LearnerProfile.objects.select_related("city", "area", "user__guardian_consent")
        .filter(user=user)
        .first()
    )


def suggestions_set(
    *, profile: LearnerProfile, enabled: bool, opportunities: bool, pathways: bool
) -> LearnerProfile:
    """Set the learner's “What next” switches: the main one and each kind.

    An under-13 whose guardian has not yet said yes cannot switch suggestions on.
    """
    if enabled and profile.needs_guardian_consent:
        raise ServiceError(RECOMMENDATIONS_NEED_GUARDIAN)
    with transaction.atomic():
        profile.recommendations_enabled = enabled
        profile.suggest_opportunities = opportunities
        profile.suggest_pathways = pathways
        profile.save(
            update_fields=[
                "recommendations_enabled",
                "suggest_opportunities",
                "suggest_pathways",
                "updated_at",
            ]
        )
    return profile


# --- The suggestions ------------------------------------------------------------------------------


def recommendations_for(
    *, user: User, limit: int = DEFAULT_LIMIT, now: datetime.datetime | None = None
) -> Recommendations:
    """Up to ``limit`` opportunities and ``limit`` pathways for ``user``, each with its reason.

    Nothing is computed (and nothing returned) when the main switch is off, for a kind that is
    switched off, for an account without a learner profile, or for an under-13 still waiting for
    a guardian's yes.
    """
    profile = learner_profile_for(user=user)
    if profile is None:
        return Recommendations(
            enabled=False, opportunities_on=False, pathways_on=False, has_profile=False
        )
    if profile.needs_guardian_consent:
        return Recommendations(
            enabled=False,
            opportunities_on=profile.suggest_opportunities,
            pathways_on=profile.suggest_pathways,
            needs_guardian=True,
        )
    enabled = profile.recommendations_enabled
    opportunities_on = enabled and profile.suggest_opportunities
    pathways_on = enabled and profile.suggest_pathways
    if not (opportunities_on or pathways_on):
        return Recommendations(
            enabled=enabled,
            opportunities_on=profile.suggest_opportunities,
            pathways_on=profile.suggest_pathways,
        )
    learner = _learner(user=user, profile=profile, now=now or timezone.now())
    return Recommendations(
        enabled=True,
        opportunities_on=profile.suggest_opportunities,
        pathways_on=profile.suggest_pathways,
        opportunities=(
            tuple(_opportunity_suggestions(learner, limit=limit)) if opportunities_on else ()
        ),
        pathways=tuple(_pathway_suggestions(learner, limit=limit)) if pathways_on else (),
    )


def _interests(raw: object) -> list[str]:
    """The learner's interests, cleaned: strings only, trimmed, once each, the first few."""
    if not isinstance(raw, list):
        return []
    seen: dict[str, str] = {}
    for value in raw:
        if not isinstance(value, str):
            continue
        text = " ".join(value.split())[:MAX_INTEREST_LENGTH]
        if len(text) >= 2 and text.lower() not in seen:
            seen[text.lower()] = text
    return list(seen.values())[:MAX_INTERESTS]


def _learner(*, user: User, profile: LearnerProfile, now: datetime.datetime) -> _Learner:
    learner = _Learner(user=user, profile=profile, now=now, interests=_interests(profile.interests))
    awards = (
        Award.objects.filter(recipient=user, revoked_at__isnull=True, replaced_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("badge_class")
    )
    for award in awards:
        badge_class = award.badge_class
        learner.held_badge_class_ids.add(badge_class.pk)
        learner.held.append(completion.HeldBadge(badge_class_url(badge_class), award.issued_at))
        _add_skills(learner, badge_class.skills, badge_class.level)
    imported = ImportedBadge.objects.filter(owner=user, status="valid").filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )
    for badge in imported.only("achievement_id", "issued_at", "created_at", "skills", "level"):
        if badge.achievement_id:
            learner.held.append(
                completion.HeldBadge(
                    badge.achievement_id, badge.issued_at or badge.created_at, external=True
                )
            )
        _add_skills(learner, badge.skills, badge.level)
    return learner


def _add_skills(learner: _Learner, skills: object, level: str) -> None:
    level_index = _LEVELS.index(level) if level in _LEVELS else -1
    for skill in skills if isinstance(skills, list) else ():
        name = skill.get("name") if isinstance(skill, dict) else None
        if not isinstance(name, str) or not name.strip():
            continue
        key = name.strip().lower()
        _shown, best = learner.skills.get(key, (name.strip(), -1))
        learner.skills[key] = (name.strip(), max(best, level_index))


def _area_label(area: Area) -> str:
    return area.code if area.kind == Area.Kind.POSTCODE_DISTRICT else area.name


def _offer(candidates: dict[int, _Candidate], pk: int, rank: int, why: str) -> None:
    current = candidates.get(pk)
    if current is None or rank > current.rank:
        candidates[pk] = _Candidate(rank, why)


# --- Opportunities --------------------------------------------------------------------------------


def _opportunities_open_to(learner: _Learner) -> QuerySet[Opportunity]:
    """The opportunities the learner may be offered: discoverable now in their city, for their
    age, not booked (or waitlisted) by them, and with something new to earn if they award badges."""
    through = Opportunity.badge_classes.through
    awards_badges = Exists(through.objects.filter(opportunity_id=OuterRef("pk")))
    awards_new_badge = Exists(
        through.objects.filter(opportunity_id=OuterRef("pk")).exclude(
            badgeclass_id__in=learner.held_badge_class_ids
        )
    )
    booked = Exists(
        Booking.objects.filter(
            learner=learner.user,
            session__opportunity_id=OuterRef("pk"),
            status__in=[BookingStatus.BOOKED, BookingStatus.WAITLISTED],
        )
    )
    age = learner.profile.age
    return (
        opportunity_list_discoverable(city=learner.profile.city, now=learner.now)
        .filter(min_age__lte=age, max_age__gte=age)
        .filter(~awards_badges | awards_new_badge)
        .exclude(booked)
    )


def _opportunity_suggestions(learner: _Learner, *, limit: int) -> list[Suggestion]:
    open_to = _opportunities_open_to(learner)
    candidates: dict[int, _Candidate] = {}

    for pk, why in _next_step_opportunities(learner, open_to):
        _offer(candidates, pk, _PATHWAY, why)

    for interest in learner.interests:
        matching = open_to.filter(
            Q(title__icontains=interest)
            | Q(summary__icontains=interest)
            | Q(topics__name__icontains=interest)
            | Q(skills__name__icontains=interest)
        )
        for pk in matching.values_list("pk", flat=True).distinct()[:CANDIDATES_PER_SOURCE]:
            _offer(candidates, pk, _INTEREST, f"Because you're interested in {interest}")

    if learner.skills:
        rows = (
            open_to.filter(skills__name__in=[shown for shown, _ in learner.skills.values()])
            .values_list("pk", "skills__name", "level")
            .distinct()[: CANDIDATES_PER_SOURCE * 2]
        )
        for pk, skill_name, level in rows:
            shown, held_level = learner.skills[skill_name.strip().lower()]
            level_index = _LEVELS.index(level) if level in _LEVELS else -1
            if held_level >= 0 and level_index == held_level + 1:
                _offer(candidates, pk, _SKILL_NEXT_LEVEL, f"The next level in {shown}")
            else:
                _offer(candidates, pk, _SKILL, f"Builds on your skill {shown}")

    area = learner.profile.area
    if area is not None:
        label = _area_label(area)
        lat, lng = float(area.latitude), float(area.longitude)
        (lat_min, lat_max), (lng_min, lng_max) = bounding_box(lat, lng, NEAR_KM)
        near = (
            open_to.filter(
                Q(area=area)
                | Q(
                    latitude__gte=lat_min,
                    latitude__lte=lat_max,
                    longitude__gte=lng_min,
                    longitude__lte=lng_max,
                )
            )
            .annotate(distance=distance_km_expression(lat, lng))
            .filter(Q(area=area) | Q(distance__lte=NEAR_KM))
            .order_by("distance")
            .values_list("pk", flat=True)[:CANDIDATES_PER_SOURCE]
        )
        for pk in near:
            _offer(candidates, pk, _NEAR, f"Near you in {label}")

    if not candidates:
        return []
    chosen = Opportunity.objects.filter(pk__in=list(candidates)).select_related(
        "organisation", "city", "area"
    )
    if area is not None:
        chosen = chosen.annotate(
            distance=distance_km_expression(float(area.latitude), float(area.longitude))
        )
    far = float("inf")
    ordered = sorted(
        chosen,
        key=lambda o: (
            -candidates[o.pk].rank,
            _distance(o) if _distance(o) is not None else far,
            o.first_starts_at or learner.now,
            o.title,
        ),
    )
    return [
        Suggestion("opportunity", o, candidates[o.pk].why, _distance(o)) for o in ordered[:limit]
    ]


def _distance(opportunity: Opportunity) -> float | None:
    distance = getattr(opportunity, "distance", None)
    if distance is None or opportunity.latitude is None or opportunity.longitude is None:
        return None
    return float(distance)


def _next_step_opportunities(
    learner: _Learner, open_to: QuerySet[Opportunity]
) -> Iterable[tuple[int, str]]:
    """(opportunity id, reason) for each open opportunity that awards a badge a missing step of
    one of the learner's pathways in progress accepts, or that the step links to."""
    missing = _missing_steps(learner)
    if not missing:
        return []
    badge_to_pathway: dict[int, str] = {}
    linked_to_pathway: dict[int, str] = {}
    for pathway, step, badge_class_ids in missing:
        for badge_class_id in badge_class_ids:
            badge_to_pathway.setdefault(badge_class_id, pathway.name)
        for opportunity in step.opportunities.all():
            linked_to_pathway.setdefault(opportunity.pk, pathway.name)
    through = Opportunity.badge_classes.through
    rows = (
        through.objects.filter(
            badgeclass_id__in=[
                pk for pk in badge_to_pathway if pk not in learner.held_badge_class_ids
            ],
            opportunity__in=open_to,
        )
        .values_list("opportunity_id", "badgeclass_id")
        .order_by("opportunity_id")[: CANDIDATES_PER_SOURCE * 2]
    )
    found = [(pk, badge_to_pathway[badge_id]) for pk, badge_id in rows]
    if linked_to_pathway:
        still_open = open_to.filter(pk__in=list(linked_to_pathway)).values_list("pk", flat=True)
        found += [(pk, linked_to_pathway[pk]) for pk in still_open]
    return [(pk, f"Next step on your pathway {name}") for pk, name in found]


def _missing_steps(learner: _Learner) -> list[tuple[Pathway, PathwayStep, set[int]]]:
    """The steps still to do on the learner's open, published pathways (the most recently joined
    few) — for an ordered pathway only the next one — each with the ids of the badge classes
    made here that it accepts and the learner does not hold.

    What counts towards a step and whether it is satisfied are the pathways core's
    (``selectors.pathway_steps_with_badges``, ``completion_pathway``) and the pure evaluator's.
    """
    enrolments = list(
        Enrolment.objects.filter(
            learner=learner.user,
            completed_at__isnull=True,
            pathway__status=PathwayStatus.PUBLISHED,
            pathway__city=learner.profile.city,
        )
        .select_related("pathway")
        .order_by("-joined_at")[:MAX_PATHWAYS_IN_PROGRESS]
    )
    missing: list[tuple[Pathway, PathwayStep, set[int]]] = []
    for enrolment in enrolments:
        pathway = enrolment.pathway
        steps = pathway_steps_with_badges(pathway=pathway)
        if not steps:
            continue
        progress = completion.evaluate(
            completion_pathway(pathway=pathway, steps=steps), learner.held
        )
        satisfied = set(progress.satisfied)
        todo = [item for item in steps if str(item.step.pk) not in satisfied]
        if pathway.ordered:
            todo = todo[:1]
        for item in todo:
            wanted = {
                badge_class.pk
                for badge_class in item.badge_classes.values()
                if badge_class.pk not in learner.held_badge_class_ids
            }
            missing.append((pathway, item.step, wanted))
    return missing


# --- Pathways -------------------------------------------------------------------------------------


def _pathway_suggestions(learner: _Learner, *, limit: int) -> list[Suggestion]:
    """Published pathways of the learner's city they have not joined and whose completion badge
    they do not hold: by interest, then by a held badge that already counts towards a step,
    then by an owner that works in their area."""
    open_to = Pathway.objects.filter(
        city=learner.profile.city, status=PathwayStatus.PUBLISHED
    ).exclude(Exists(Enrolment.objects.filter(learner=learner.user, pathway_id=OuterRef("pk"))))
    if learner.held_badge_class_ids:
        open_to = open_to.exclude(completion_badge_id__in=learner.held_badge_class_ids)
    candidates: dict[int, _Candidate] = {}

    for interest in learner.interests:
        matching = open_to.filter(
            Q(name__icontains=interest)
            | Q(summary__icontains=interest)
            | Q(description__icontains=interest)
            | Q(destination__icontains=interest)
            | Q(steps__topic__name__icontains=interest)
            | Q(steps__title__icontains=interest)
        )
        for pk in matching.values_list("pk", flat=True).distinct()[:CANDIDATES_PER_SOURCE]:
            _offer(candidates, pk, _INTEREST, f"Because you're interested in {interest}")

    if learner.held_badge_class_ids:
        # A badge held counts towards a step: chosen for the step, or (topic steps) linked to a
        # published opportunity in the step's topic.
        held = learner.held_badge_class_ids
        through = Opportunity.badge_classes.through
        held_topics = through.objects.filter(
            badgeclass_id__in=held, opportunity__status=OpportunityStatus.PUBLISHED
        ).values("opportunity__topics")
        counting = open_to.filter(
            Q(steps__badge_classes__in=held) | Q(steps__topic__in=held_topics)
        )
        for pk in counting.values_list("pk", flat=True).distinct()[:CANDIDATES_PER_SOURCE]:
            _offer(candidates, pk, _SKILL, "A badge you hold already counts towards it")

    area = learner.profile.area
    if area is not None:
        near = open_to.filter(organisation__areas_served=area)
        for pk in near.values_list("pk", flat=True).distinct()[:CANDIDATES_PER_SOURCE]:
            _offer(candidates, pk, _NEAR, f"Run near you in {_area_label(area)}")

    if not candidates:
        return []
    chosen = Pathway.objects.filter(pk__in=list(candidates)).select_related(
        "organisation", "city", "completion_badge"
    )
    ordered = sorted(chosen, key=lambda p: (-candidates[p.pk].rank, p.name))
    return [Suggestion("pathway", p, candidates[p.pk].why) for p in ordered[:limit]]
