"""Every write about pathways: building them (steps kept in contiguous positions 1…n),
publishing and archiving, learners joining and leaving, and evaluation — which keeps each
enrolment's ``steps_done`` and awards the completion badge, through the issuing service, the
moment the last step is satisfied.

Permission to build a pathway is the caller's business (views check the organisation role or
the city team through ``access``); these functions enforce the pathway's own rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.badges import publishing
from learningcity.badges.models import BadgeClass, BadgeStatus
from learningcity.badges.services import AwardEvidence, award_issue
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.opportunities.models import Opportunity, Topic
from learningcity.organisations.models import Organisation

from . import completion
from .models import Enrolment, Pathway, PathwayStatus, PathwayStep
from .selectors import (
    completion_award_held,
    completion_pathway,
    held_badges_for,
    pathway_steps_with_badges,
)

# The evidence written into a completion badge.
COMPLETION_NARRATIVE = "Completed the pathway “{name}”."

PATHWAY_FIELDS = frozenset(
    {
        "name",
        "summary",
        "description",
        "destination_kind",
        "destination",
        "destination_url",
        "ordered",
        "allow_external",
        "completion_badge",
    }
)
STEP_FIELDS = frozenset(
    {
        "title",
        "description",
        "required",
        "badge_classes",
        "topic",
        "external_achievement_ids",
        "opportunities",
    }
)
# Fields whose change alters who has completed what: learners are re-evaluated.
_EVALUATION_FIELDS = frozenset({"ordered", "allow_external"})


# --- Pathways ----------------------------------------------------------------------------------


def _check_fields(fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")


def _check_completion_badge(*, pathway: Pathway, badge_class: BadgeClass | None) -> None:
    if badge_class is None:
        return
    if (
        badge_class.organisation.city_id != pathway.city_id
        or badge_class.status != BadgeStatus.PUBLISHED
    ):
        raise ServiceError(errors.PATHWAY_COMPLETION_BADGE_INVALID, field="completion_badge")


def _refuse_if_archived(pathway: Pathway) -> None:
    if pathway.status == PathwayStatus.ARCHIVED:
        raise ServiceError(errors.PATHWAY_ARCHIVED)


def _reevaluate_after_commit(pathway: Pathway) -> None:
    """A published pathway's definition changed: its learners are evaluated again (a removed
    step may have completed someone)."""
    if pathway.status != PathwayStatus.PUBLISHED:
        return
    from .tasks import pathway_enrolments_evaluate

    pathway_id = pathway.pk
    transaction.on_commit(lambda: pathway_enrolments_evaluate.enqueue(pathway_id=pathway_id))


@transaction.atomic
def pathway_create(
    *, city: City, organisation: Organisation | None, by: User | None, **fields: Any
) -> Pathway:
    """A draft pathway of ``organisation`` (``None``: the city team's own, city-wide)."""
    _check_fields(fields, PATHWAY_FIELDS)
    if organisation is not None and organisation.city_id != city.pk:
        raise ServiceError(errors.PATHWAY_ORGANISATION_OTHER_CITY)
    pathway = Pathway(city=city, organisation=organisation, created_by=by, **fields)
    _check_completion_badge(pathway=pathway, badge_class=pathway.completion_badge)
    pathway.full_clean(exclude=["created_by"])
    pathway.save()
    return pathway


@transaction.atomic
def pathway_update(*, pathway: Pathway, by: User | None, **fields: Any) -> Pathway:
    """Change a draft or published pathway's details (not its steps)."""
    _check_fields(fields, PATHWAY_FIELDS)
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    _refuse_if_archived(pathway)
    changed = {name for name, value in fields.items() if getattr(pathway, name) != value}
    for name, value in fields.items():
        setattr(pathway, name, value)
    if "completion_badge" in changed:
        _check_completion_badge(pathway=pathway, badge_class=pathway.completion_badge)
    pathway.full_clean(exclude=["created_by"])
    pathway.save()
    if changed & _EVALUATION_FIELDS:
        _reevaluate_after_commit(pathway)
    return pathway


def _step_check_publishable(
    *, step: PathwayStep, badge_ids: frozenset[str], badge_classes: Iterable[BadgeClass]
) -> None:
    if not badge_ids:
        raise ServiceError(
            errors.PATHWAY_STEP_NO_BADGES.format(position=step.position, title=step.title)
        )
    if step.required > len(badge_ids):
        raise ServiceError(
            errors.PATHWAY_STEP_REQUIRED_TOO_HIGH.format(
                position=step.position,
                title=step.title,
                required=step.required,
                count=len(badge_ids),
            ),
            field="required",
        )
    for badge_class in badge_classes:
        if badge_class.status == BadgeStatus.DRAFT:
            raise ServiceError(
                errors.PATHWAY_STEP_BADGE_DRAFT.format(
                    position=step.position, title=step.title, badge=badge_class.name
                )
            )


def _pathway_check_publishable(pathway: Pathway) -> None:
    steps = pathway_steps_with_badges(pathway=pathway)
    if not steps:
        raise ServiceError(errors.PATHWAY_NEEDS_STEPS)
    for item in steps:
        _step_check_publishable(
            step=item.step,
            badge_ids=item.badge_ids(allow_external=pathway.allow_external),
            badge_classes=item.step.badge_classes.all(),
        )
    _check_completion_badge(pathway=pathway, badge_class=pathway.completion_badge)


@transaction.atomic
def pathway_publish(*, pathway: Pathway, by: User | None) -> Pathway:
    """Open the pathway to learners. Every step must be satisfiable: at least ``required``
    badges that can count (badges chosen, badges of the step's topic, and — when the pathway
    allows them — badges from elsewhere), none of them a draft; the completion badge, if any, a
    published badge of the city. An archived pathway may be published again."""
    pathway = Pathway.objects.select_for_update().select_related("city").get(pk=pathway.pk)
    if pathway.status == PathwayStatus.PUBLISHED:
        raise ServiceError(errors.PATHWAY_ALREADY_PUBLISHED)
    _pathway_check_publishable(pathway)
    pathway.status = PathwayStatus.PUBLISHED
    pathway.save(update_fields=["status", "updated_at"])
    _reevaluate_after_commit(pathway)
    return pathway


@transaction.atomic
def pathway_archive(*, pathway: Pathway, by: User | None) -> Pathway:
    """Close the pathway: it leaves the public list and nobody new can join. Learners keep
    their enrolment and any completion badge; open enrolments are no longer evaluated."""
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status == PathwayStatus.ARCHIVED:
        raise ServiceError(errors.PATHWAY_ALREADY_ARCHIVED)
    pathway.status = PathwayStatus.ARCHIVED
    pathway.save(update_fields=["status", "updated_at"])
    return pathway


# --- Steps -------------------------------------------------------------------------------------


def _clean_external_ids(values: Iterable[str]) -> list[str]:
    cleaned: list[str] = []
    for value in values:
        value = str(value).strip()
        if not value:
            continue
        if not (value.startswith(("https://", "http://", "urn:", "did:")) and " " not in value):
            raise ServiceError(
                errors.PATHWAY_STEP_EXTERNAL_ID_INVALID.format(value=value[:80]),
                field="external_achievement_ids",
            )
        if value not in cleaned:
            cleaned.append(value)
    return cleaned


def _step_apply(step: PathwayStep, city: City, fields: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``step``'s plain fields from ``fields`` after checking them; returns the many-to-many
    values to set once the step is saved."""
    relations: dict[str, list[Any]] = {}
    if "title" in fields:
        step.title = str(fields["title"]).strip()
    if "description" in fields:
        step.description = fields["description"] or ""
    if "required" in fields:
        required = int(fields["required"])
        if required < 1:
            raise ServiceError(errors.PATHWAY_STEP_REQUIRED_MIN, field="required")
        step.required = required
    if "topic" in fields:
        topic: Topic | None = fields["topic"]
        if topic is not None and topic.city_id != city.pk:
            raise ServiceError(errors.PATHWAY_STEP_TOPIC_OTHER_CITY, field="topic")
        step.topic = topic
    if "external_achievement_ids" in fields:
        step.external_achievement_ids = _clean_external_ids(fields["external_achievement_ids"])
    if "badge_classes" in fields:
        badge_classes: list[BadgeClass] = list(fields["badge_classes"])
        for badge_class in badge_classes:
            if badge_class.organisation.city_id != city.pk:
                raise ServiceError(
                    errors.PATHWAY_STEP_BADGE_OTHER_CITY.format(badge=badge_class.name),
                    field="badge_classes",
                )
        relations["badge_classes"] = badge_classes
    if "opportunities" in fields:
        opportunities: list[Opportunity] = list(fields["opportunities"])
        for opportunity in opportunities:
            if opportunity.city_id != city.pk:
                raise ServiceError(
                    errors.PATHWAY_STEP_OPPORTUNITY_OTHER_CITY.format(
                        opportunity=opportunity.title
                    ),
                    field="opportunities",
                )
        relations["opportunities"] = opportunities
    return relations


def _step_save(step: PathwayStep, pathway: Pathway, relations: dict[str, list[Any]]) -> None:
    step.full_clean(exclude=["pathway", "position"], validate_unique=False)
    step.save()
    for name, values in relations.items():
        getattr(step, name).set(values)
    if pathway.status == PathwayStatus.PUBLISHED:
        # A published pathway must stay satisfiable step by step.
        item = next(i for i in pathway_steps_with_badges(pathway=pathway) if i.step.pk == step.pk)
        _step_check_publishable(
            step=item.step,
            badge_ids=item.badge_ids(allow_external=pathway.allow_external),
            badge_classes=item.step.badge_classes.all(),
        )
        _reevaluate_after_commit(pathway)


@transaction.atomic
def pathway_step_add(
    *,
    pathway: Pathway,
    title: str,
    description: str = "",
    required: int = 1,
    badge_classes: Sequence[BadgeClass] = (),
    topic: Topic | None = None,
    external_achievement_ids: Sequence[str] = (),
    opportunities: Sequence[Opportunity] = (),
) -> PathwayStep:
    """A new last step of ``pathway``."""
    pathway = Pathway.objects.select_for_update().select_related("city").get(pk=pathway.pk)
    _refuse_if_archived(pathway)
    last = pathway.steps.aggregate(last=Max("position"))["last"] or 0
    step = PathwayStep(pathway=pathway, position=last + 1)
    relations = _step_apply(
        step,
        pathway.city,
        {
            "title": title,
            "description": description,
            "required": required,
            "badge_classes": badge_classes,
            "topic": topic,
            "external_achievement_ids": external_achievement_ids,
            "opportunities": opportunities,
        },
    )
    _step_save(step, pathway, relations)
    return step


@transaction.atomic
def pathway_step_update(*, step: PathwayStep, **fields: Any) -> PathwayStep:
    """Change any of a step's fields (the same names as :func:`pathway_step_add`)."""
    _check_fields(fields, STEP_FIELDS)
    pathway = Pathway.objects.select_for_update().select_related("city").get(pk=step.pathway_id)
    _refuse_if_archived(pathway)
    step = PathwayStep.objects.get(pk=step.pk)
    relations = _step_apply(step, pathway.city, fields)
    _step_save(step, pathway, relations)
    return step


@transaction.atomic
def pathway_step_remove(*, step: PathwayStep) -> None:
    """Remove a step; the steps after it move up so positions stay 1…n."""
    pathway = Pathway.objects.select_for_update().get(pk=step.pathway_id)
    _refuse_if_archived(pathway)
    steps = list(pathway.steps.order_by("position"))
    if pathway.status == PathwayStatus.PUBLISHED and len(steps) <= 1:
        raise ServiceError(errors.PATHWAY_LAST_STEP)
    PathwayStep.objects.filter(pk=step.pk).delete()
    # Ascending, one at a time: each move is into the place just freed (unique positions).
    for position, later in enumerate((s for s in steps if s.pk != step.pk), start=1):
        if later.position != position:
            later.position = position
            later.save(update_fields=["position"])
    _reevaluate_after_commit(pathway)


@transaction.atomic
def pathway_step_move(*, step: PathwayStep, direction: int) -> PathwayStep:
    """Move a step up (``direction`` < 0) or down (> 0) by one place; at either end nothing
    changes."""
    pathway = Pathway.objects.select_for_update().get(pk=step.pathway_id)
    _refuse_if_archived(pathway)
    step = PathwayStep.objects.get(pk=step.pk)
    if direction == 0:
        return step
    target = step.position + (1 if direction > 0 else -1)
    neighbour = PathwayStep.objects.filter(pathway=pathway, position=target).first()
    if neighbour is None:
        return step
    # Swap through position 0 (never used: positions start at 1), as positions are unique.
    old = step.position
    step.position = 0
    step.save(update_fields=["position"])
    neighbour.position = old
    neighbour.save(update_fields=["position"])
    step.position = target
    step.save(update_fields=["position"])
    if pathway.ordered:
        _reevaluate_after_commit(pathway)
    return step


# --- Enrolment and evaluation ------------------------------------------------------------------


def enrolment_join(*, pathway: Pathway, learner: User) -> Enrolment:
    """Put ``learner`` on a published pathway (joining twice returns the same enrolment) and
    evaluate at once, so badges already held count — which may complete it on the spot.

    Any signed-in account may join, whatever city its learner profile names: badges are earned
    by people, and a pathway is open to whoever wants to follow it.
    """
    if pathway.status != PathwayStatus.PUBLISHED:
        raise ServiceError(errors.PATHWAY_NOT_OPEN)
    enrolment, created = Enrolment.objects.get_or_create(
        pathway=pathway, learner=learner, defaults={"joined_at": timezone.now()}
    )
    if created:
        enrolment = enrolment_evaluate(
            enrolment=enrolment, held=held_badges_for(user_id=learner.pk)
        )
    return enrolment


def enrolment_leave(*, enrolment: Enrolment) -> None:
    """Take the learner off the pathway. A completion badge already awarded stays theirs."""
    Enrolment.objects.filter(pk=enrolment.pk).delete()


def _recipient_email(user: User) -> str:
    """The learner's primary verified address (so the award lands on their account)."""
    address = (
        EmailAddress.objects.filter(user=user, verified=True).order_by("-primary", "pk").first()
    )
    return address.email if address else user.email


def _completion_award(enrolment: Enrolment) -> int | None:
    """Award the pathway's completion badge to the learner; the award's id, or None when there
    is no completion badge or the learner already holds it (then nothing is linked)."""
    pathway = enrolment.pathway
    badge_class = pathway.completion_badge
    if badge_class is None:
        return None
    learner = enrolment.learner
    if completion_award_held(user=learner, badge_class=badge_class) is not None:
        return None
    try:
        award = award_issue(
            badge_class=badge_class,
            recipient_email=_recipient_email(learner),
            recipient_name=learner.display_name,
            issued_by=None,
            evidence=[
                AwardEvidence(
                    narrative=COMPLETION_NARRATIVE.format(name=pathway.name),
                    url=publishing.absolute(pathway.get_absolute_url()),
                )
            ],
        )
    except ServiceError:
        # A live award to that address already exists (not yet on the account): still held.
        return None
    return award.pk


def enrolment_evaluate(
    *,
    enrolment: Enrolment,
    held: Sequence[completion.HeldBadge],
    now: datetime.datetime | None = None,
) -> Enrolment:
    """Evaluate one enrolment against the learner's live badges ``held`` and record the result;
    on completion, award the completion badge — exactly once, under a lock on the enrolment.

    Completed enrolments are left as they are (completion is never taken back). Enrolments on
    a pathway that is not published are not evaluated.
    """
    now = now or timezone.now()
    with transaction.atomic():
        enrolment = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("pathway__city", "pathway__completion_badge", "learner")
            .get(pk=enrolment.pk)
        )
        pathway = enrolment.pathway
        if enrolment.completed_at is not None or pathway.status != PathwayStatus.PUBLISHED:
            return enrolment
        steps = pathway_steps_with_badges(pathway=pathway)
        enrolment.evaluated_at = now
        update = ["steps_done", "evaluated_at", "updated_at"]
        if steps:
            progress = completion.evaluate(completion_pathway(pathway=pathway, steps=steps), held)
            enrolment.steps_done = len(progress.satisfied)
            if progress.complete and progress.completed_at is not None:
                # When the last badge was earned — or when they joined, if it came before.
                enrolment.completed_at = max(progress.completed_at, enrolment.joined_at)
                enrolment.completion_award_id = _completion_award(enrolment)
                update += ["completed_at", "completion_award"]
        enrolment.save(update_fields=update)
        return enrolment


def enrolments_evaluate(*, user_id: int) -> list[Enrolment]:
    """Evaluate every open enrolment of the learner (on published pathways) and award the
    completion badges earned. Safe to run any number of times: a completed enrolment is never
    evaluated again, so the completion badge's own arrival changes nothing."""
    enrolments = list(
        Enrolment.objects.filter(
            learner_id=user_id,
            completed_at__isnull=True,
            pathway__status=PathwayStatus.PUBLISHED,
        ).order_by("joined_at", "pk")
    )
    if not enrolments:
        return []
    now = timezone.now()
    held = held_badges_for(user_id=user_id, now=now)
    return [enrolment_evaluate(enrolment=e, held=held, now=now) for e in enrolments]


def pathway_enrolments_evaluate(*, pathway: Pathway) -> int:
    """Evaluate every open enrolment on ``pathway`` (after its definition changed). Returns
    how many were evaluated."""
    enrolments = list(
        Enrolment.objects.filter(pathway=pathway, completed_at__isnull=True).only(
            "pk", "learner_id"
        )
    )
    now = timezone.now()
    for enrolment in enrolments:
        enrolment_evaluate(
            enrolment=enrolment, held=held_badges_for(user_id=enrolment.learner_id), now=now
        )
    return len(enrolments)
