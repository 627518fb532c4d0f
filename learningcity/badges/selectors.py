"""Reads about badges and their issuers."""

from __future__ import annotations

from django.db.models import QuerySet

from learningcity.accounts.models import User

from . import publishing
from .models import Award, BadgeClass, Endorsement, Issuer, IssuerKey, StatusList


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
