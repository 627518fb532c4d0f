"""Fetch-or-deny for pathways and enrolments.

- A **published** pathway of a live city is public. Drafts exist only for their owner (the
  organisation's staff, or the city team for a city-wide one): everyone else gets 404. An
  archived pathway stays visible to the learners enrolled on it, and to nobody else.
- An enrolment is its learner's alone: anyone else's is 404.
- Owner pages check the person first (``organisations.access`` or ``cities.access``), then fetch
  the pathway of *that* owner here, so another owner's ids are 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q
from django.http import Http404

from learningcity.accounts.models import User
from learningcity.cities.models import City
from learningcity.organisations.models import Organisation

from .models import Enrolment, Pathway, PathwayStatus, PathwayStep


def access_pathway_public(
    *, city: City, public_id: str, user: User | AnonymousUser | None = None
) -> Pathway:
    """A published pathway of ``city`` — or an archived one ``user`` is enrolled on — or 404."""
    visible = Q(status=PathwayStatus.PUBLISHED)
    if user is not None and user.is_authenticated:
        visible |= Q(status=PathwayStatus.ARCHIVED, enrolments__learner=user)
    pathway = (
        Pathway.objects.select_related("city", "organisation", "completion_badge__organisation")
        .filter(visible, city=city, public_id=public_id)
        .distinct()
        .first()
    )
    if pathway is None:
        raise Http404("No such pathway.")
    return pathway


def access_pathway_of_owner(
    *, city: City, organisation: Organisation | None, public_id: str
) -> Pathway:
    """A pathway (whatever its status) of ``organisation`` — or, with ``None``, a city-wide
    pathway of ``city`` — or 404. The caller has checked that the person works for the owner."""
    owned = (
        Q(organisation=organisation) if organisation is not None else Q(organisation__isnull=True)
    )
    pathway = (
        Pathway.objects.select_related("city", "organisation", "completion_badge")
        .filter(owned, city=city, public_id=public_id)
        .first()
    )
    if pathway is None:
        raise Http404("No such pathway.")
    return pathway


def access_pathway_step(*, pathway: Pathway, step_id: int) -> PathwayStep:
    """A step of ``pathway`` (by its id), or 404."""
    step = PathwayStep.objects.filter(pathway=pathway, pk=step_id).first()
    if step is None:
        raise Http404("No such step.")
    step.pathway = pathway
    return step


def access_enrolment_for_learner(*, user: User | AnonymousUser, public_id: str) -> Enrolment:
    """The signed-in learner's own enrolment on the pathway ``public_id``, or 404."""
    if not user.is_authenticated:
        raise Http404("No such enrolment.")
    enrolment = (
        Enrolment.objects.select_related(
            "pathway__city", "pathway__organisation", "pathway__completion_badge", "learner"
        )
        .filter(learner=user, pathway__public_id=public_id)
        .first()
    )
    if enrolment is None:
        raise Http404("No such enrolment.")
    return enrolment
