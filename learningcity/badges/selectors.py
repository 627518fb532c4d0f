"""Reads about badges and their issuers."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.organisations.models import Organisation

from . import publishing
from .models import (
    Application,
    ApplicationStatus,
    Award,
    BadgeClass,
    BadgeStatus,
    BulkIssue,
    Endorsement,
    EndorsementRequest,
    Issuer,
    IssuerKey,
    StatusList,
)


def issuer_keys_published(*, issuer: Issuer) -> QuerySet[IssuerKey]:
    """Every key the issuer ever signed with, retired ones included, oldest first."""
    return IssuerKey.objects.filter(issuer=issuer).order_by("created_at", "pk")


def status_list_for_issuer(*, issuer: Issuer, list_id: str) -> StatusList | None:
    return StatusList.objects.filter(issuer=issuer, public_id=list_id).first()


def award_list_revoked_for_issuer(*, issuer: Issuer) -> QuerySet[Award]:
    return Award.objects.filter(
        badge_class__organisation__issuer=issuer, revoked_at__isnull=False
    ).order_by("revoked_at")


def issuer_name_for_id(*, issuer_id: str) -> str | None:
    """The name of the organisation or city in this installation whose issuer id this is:
    its OB 3.0 ``did:web`` or its OB 2.0 profile URL."""
    public_id = publishing.issuer_public_id_from_did(
        issuer_id
    ) or publishing.issuer_public_id_from_ob2_id(issuer_id)
    if public_id is None:
        return None
    issuer = (
        Issuer.objects.select_related("organisation", "city").filter(public_id=public_id).first()
    )
    return str(issuer.owner) if issuer else None


def award_list_for_learner(*, user: User) -> QuerySet[Award]:
    """The awards that landed on ``user``'s account, newest first, revoked ones included."""
    return (
        Award.objects.filter(recipient=user)
        .select_related("badge_class__organisation")
        .order_by("-issued_at")
    )


def endorsement_list_for_badge_class(*, badge_class: BadgeClass) -> QuerySet[Endorsement]:
    """The city endorsements of a badge class, newest first, with the endorsing city."""
    return (
        Endorsement.objects.filter(badge_class=badge_class)
        .select_related("endorser__city", "endorser__organisation")
        .order_by("-created_at")
    )


# --- The organisation dashboard ------------------------------------------------------------------


def organisation_badge_summary(*, organisation: Organisation) -> dict[str, Any]:
    """What the dashboard counts, in three queries: badge classes by status, awards by status
    (live, expired, revoked; replaced ones are history, not counted) and applications waiting
    for a decision."""
    now = timezone.now()
    badges = BadgeClass.objects.filter(organisation=organisation).aggregate(
        **{status.value: Count("pk", filter=Q(status=status.value)) for status in BadgeStatus}
    )
    current = Q(revoked_at__isnull=True, replaced_at__isnull=True)
    awards = Award.objects.filter(badge_class__organisation=organisation).aggregate(
        live=Count("pk", filter=current & (Q(expires_at__isnull=True) | Q(expires_at__gt=now))),
        expired=Count("pk", filter=current & Q(expires_at__lte=now)),
        revoked=Count("pk", filter=Q(revoked_at__isnull=False)),
    )
    waiting = Application.objects.filter(
        badge_class__organisation=organisation, status=ApplicationStatus.PENDING
    ).count()
    return {"badges": badges, "awards": awards, "applications_waiting": waiting}


@dataclasses.dataclass(frozen=True)
class Activity:
    """One thing that happened in an organisation's badge work, for the dashboard's feed.

    ``kind`` is one of :data:`ACTIVITY_KINDS`; ``subject`` is the row it is about (an award, a
    bulk issue, an application or an endorsement request) with its joins made; ``route`` says
    how an award was given (``by hand``, ``claim code``, ``automatic``)."""

    at: datetime.datetime
    kind: str
    subject: Any
    route: str = ""


ACTIVITY_KINDS = (
    "award_issued",
    "award_revoked",
    "bulk_issue_done",
    "application_received",
    "application_approved",
    "application_rejected",
    "endorsement_requested",
    "endorsement_endorsed",
    "endorsement_declined",
)


def _last_touched(*fields: str) -> Greatest:
    # Greatest() is NULL on SQLite if any argument is; Coalesce keeps it to the set times.
    return Greatest("created_at", *(Coalesce(field, "created_at") for field in fields))


def _award_route(award: Award) -> str:
    redemption = getattr(award, "claim_redemption", None)
    if redemption is not None:
        return "claim code"
    return "by hand" if award.issued_by_id else "automatic"


def activity_list_for_organisation(
    *, organisation: Organisation, limit: int = 15
) -> list[Activity]:
    """The ``limit`` latest events of the organisation's badge work, newest first, in four
    queries whatever the volume.

    Each query takes the ``limit`` rows most recently touched (the latest of their event
    times), which is enough: an event among the newest ``limit`` overall belongs to a row among
    the ``limit`` most recently touched of its kind. Awards that came from a bulk issue are
    summed up by its "finished" event, and those from an application by its approval, so
    neither floods the feed; their revocations still show.
    """
    events: list[Activity] = []
    awards = (
        Award.objects.filter(badge_class__organisation=organisation)
        .filter(
            Q(bulk_issue_row__isnull=True, application__isnull=True) | Q(revoked_at__isnull=False)
        )
        .select_related(
            "badge_class", "claim_redemption__claim_code", "bulk_issue_row", "application"
        )
        .alias(touched=_last_touched("revoked_at"))
        .order_by("-touched", "-pk")[:limit]
    )
    for award in awards:
        if award.revoked_at is not None:
            events.append(Activity(award.revoked_at, "award_revoked", award))
        from_elsewhere = getattr(award, "bulk_issue_row", None) or getattr(
            award, "application", None
        )
        if from_elsewhere is None:
            events.append(Activity(award.created_at, "award_issued", award, _award_route(award)))

    bulk_issues = (
        BulkIssue.objects.filter(organisation=organisation, status=BulkIssue.Status.DONE)
        .select_related("badge_class")
        .annotate(issued=Count("rows", filter=Q(rows__award__isnull=False)))
        .order_by(F("finished_at").desc(nulls_last=True), "-pk")[:limit]
    )
    events += [
        Activity(bulk.finished_at or bulk.updated_at, "bulk_issue_done", bulk)
        for bulk in bulk_issues
    ]

    applications = (
        Application.objects.filter(badge_class__organisation=organisation)
        .select_related("badge_class", "applicant", "decided_by")
        .alias(touched=_last_touched("decided_at"))
        .order_by("-touched", "-pk")[:limit]
    )
    for application in applications:
        events.append(Activity(application.created_at, "application_received", application))
        if application.decided_at and application.status in (
            ApplicationStatus.APPROVED,
            ApplicationStatus.REJECTED,
        ):
            events.append(
                Activity(application.decided_at, f"application_{application.status}", application)
            )

    requests = (
        EndorsementRequest.objects.filter(badge_class__organisation=organisation)
        .select_related("badge_class__organisation__city")
        .alias(touched=_last_touched("decided_at"))
        .order_by("-touched", "-pk")[:limit]
    )
    for request in requests:
        events.append(Activity(request.created_at, "endorsement_requested", request))
        if request.decided_at and request.status != EndorsementRequest.Status.PENDING:
            events.append(Activity(request.decided_at, f"endorsement_{request.status}", request))

    events.sort(key=lambda event: event.at, reverse=True)
    return events[:limit]
