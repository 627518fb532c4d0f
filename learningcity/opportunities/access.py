"""Fetch-or-deny for opportunities and their sessions.

- A **published** opportunity of a live city is public. Drafts, submitted and archived ones exist
  only for their organisation's staff (and the city team reviewing them): everyone else gets 404.
- Staff pages go through :func:`learningcity.organisations.access.access_organisation_for_staff`
  first (404 for non-staff, 403 for a role too low), then fetch the opportunity or session of
  *that* organisation only, so another organisation's ids are 404.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from learningcity.accounts.models import User
from learningcity.cities.access import access_city, access_city_for_admin
from learningcity.cities.models import City
from learningcity.organisations.access import access_organisation_for_staff
from learningcity.organisations.models import Membership, Organisation, Role

from .models import Booking, Opportunity, OpportunityStatus, Session


def access_opportunity_public(*, city: City, public_id: str) -> Opportunity:
    """A published opportunity of ``city`` whose organisation is active, or 404."""
    opportunity = (
        Opportunity.objects.select_related("city", "organisation", "area")
        .filter(
            city=city,
            public_id=public_id,
            status=OpportunityStatus.PUBLISHED,
            organisation__status=Organisation.Status.ACTIVE,
        )
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity


def access_opportunity_for_staff(
    *,
    user: User | AnonymousUser,
    city_slug: str,
    org_slug: str,
    public_id: str,
    min_role: Role = Role.VIEWER,
) -> tuple[Opportunity, Membership | None]:
    """An opportunity of the organisation ``user`` works for, whatever its status."""
    organisation, membership = access_organisation_for_staff(
        user=user, city_slug=city_slug, org_slug=org_slug, min_role=min_role
    )
    opportunity = (
        Opportunity.objects.select_related("city", "organisation", "area")
        .filter(organisation=organisation, public_id=public_id)
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity, membership


def access_session_for_staff(
    *,
    user: User | AnonymousUser,
    city_slug: str,
    org_slug: str,
    session_id: str,
    min_role: Role = Role.VIEWER,
) -> tuple[Session, Membership | None]:
    """A session of one of the organisation's own opportunities (by the session's public id)."""
    organisation, membership = access_organisation_for_staff(
        user=user, city_slug=city_slug, org_slug=org_slug, min_role=min_role
    )
    session = (
        Session.objects.select_related("opportunity__organisation", "opportunity__city")
        .filter(opportunity__organisation=organisation, public_id=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session, membership


def access_opportunity_for_city_admin(
    *, user: User | AnonymousUser, city_slug: str, public_id: str
) -> Opportunity:
    """An opportunity of a city ``user`` runs, for the review queue (403 for others)."""
    city = access_city_for_admin(user=user, city_slug=city_slug)
    opportunity = (
        Opportunity.objects.select_related("city", "organisation")
        .filter(city=city, public_id=public_id)
        .first()
    )
    if opportunity is None:
        raise Http404("No such opportunity.")
    return opportunity


def access_session_public(*, city_slug: str, public_id: str, session_id: str) -> Session:
    """A bookable-looking session: of a published opportunity of a live city, or 404."""
    city = access_city(city_slug=city_slug)
    opportunity = access_opportunity_public(city=city, public_id=public_id)
    session = (
        Session.objects.select_related("opportunity__city", "opportunity__organisation")
        .filter(opportunity=opportunity, public_id=session_id)
        .first()
    )
    if session is None:
        raise Http404("No such session.")
    return session


def access_booking_for_learner(*, user: User | AnonymousUser, public_id: str) -> Booking:
    """One of ``user``'s own bookings, or 404 (someone else's booking is 404 too)."""
    if not user.is_authenticated:
        raise Http404("No such booking.")
    booking = (
        Booking.objects.select_related("session__opportunity__city")
        .filter(learner=user, public_id=public_id)
        .first()
    )
    if booking is None:
        raise Http404("No such booking.")
    return booking
