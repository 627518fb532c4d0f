"""Fetch-or-404 for the public badge documents. Everything here is public by design: an award's
public id is an unguessable capability that its holder shares."""

from __future__ import annotations

from django.http import Http404

from learningcity.organisations.models import Organisation

from .models import Award, BadgeClass, Endorsement, Issuer


def access_award_public(*, public_id: str) -> Award:
    try:
        return Award.objects.select_related(
            "badge_class__organisation__city", "badge_class__organisation__issuer", "status_list"
        ).get(public_id=public_id)
    except Award.DoesNotExist:
        raise Http404("No such award.") from None


def access_badge_class_public(*, public_id: str) -> BadgeClass:
    try:
        return BadgeClass.objects.select_related("organisation__city", "organisation__issuer").get(
            public_id=public_id
        )
    except BadgeClass.DoesNotExist:
        raise Http404("No such badge.") from None


def access_issuer_public(*, public_id: str) -> Issuer:
    try:
        return Issuer.objects.select_related("organisation__city", "city").get(public_id=public_id)
    except Issuer.DoesNotExist:
        raise Http404("No such issuer.") from None


def access_endorsement_public(*, public_id: str) -> Endorsement:
    try:
        return Endorsement.objects.get(public_id=public_id)
    except Endorsement.DoesNotExist:
        raise Http404("No such endorsement.") from None


def access_award_for_staff(*, organisation: Organisation, public_id: str) -> Award:
    """An award of one of ``organisation``'s badges, or 404. Call it only after the caller has
    passed ``access_organisation_for_staff`` for ``organisation``."""
    try:
        return Award.objects.select_related("badge_class__organisation__city").get(
            badge_class__organisation=organisation, public_id=public_id
        )
    except Award.DoesNotExist:
        raise Http404("No such award.") from None
