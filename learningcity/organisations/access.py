"""Fetch-or-deny for organisations. Every view that needs an organisation gets it through one of
these, so the rules below hold on every page.

Who may see what:

- Anyone sees an **active** organisation's public profile. A pending or suspended one does not
  exist for them (404).
- An organisation's **staff** (any role) see its profile and dashboard whatever its status;
  pages that need more than their role refuse with 403, because they already know the
  organisation exists.
- Everyone else, including the admins of the organisation's city, gets 404 on staff pages. The
  city team manages organisations through the approval queue only
  (:func:`access_organisation_for_city_admin`), not by looking over the staff's shoulder.
- Superusers pass every staff check with no membership (``None``), for support.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from learningcity.accounts.models import User
from learningcity.cities.access import access_city, access_city_for_admin
from learningcity.cities.models import City
from learningcity.core import errors

from .models import ROLE_RANK, Invitation, Membership, Organisation, Role


def role_at_least(role: str, min_role: str) -> bool:
    """True when ``role`` can do everything ``min_role`` can (owner ≥ issuer ≥ editor ≥ viewer)."""
    return ROLE_RANK[Role(role)] >= ROLE_RANK[Role(min_role)]


def access_organisation_public(*, city: City, org_slug: str) -> Organisation:
    """The active organisation of ``city`` with this slug, or 404."""
    organisation = (
        Organisation.objects.select_related("city")
        .filter(city=city, slug=org_slug, status=Organisation.Status.ACTIVE)
        .first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


def access_organisation_for_staff(
    *,
    user: User | AnonymousUser,
    city_slug: str,
    org_slug: str,
    min_role: Role = Role.VIEWER,
) -> tuple[Organisation, Membership | None]:
    """The organisation and ``user``'s membership of it, whatever the organisation's status.

    404 when the city or organisation is unknown or ``user`` is not on its staff (city admins
    included: see the module docstring); 403 when they are staff with a role below
    ``min_role``. Superusers pass with membership ``None``. Anonymous visitors are sent to sign in
    by ``login_required`` before this is called; if one gets here they get 404.
    """
    city = access_city(city_slug=city_slug)
    organisation = (
        Organisation.objects.select_related("city").filter(city=city, slug=org_slug).first()
    )
    if organisation is None or not user.is_authenticated:
        raise Http404("No such organisation.")
    if user.is_superuser:
        return organisation, None
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        raise Http404("No such organisation.")
    if not role_at_least(membership.role, min_role):
        raise PermissionDenied(errors.ROLE_TOO_LOW)
    return organisation, membership


def access_organisation_public_or_staff(
    *, user: User | AnonymousUser, city: City, org_slug: str
) -> tuple[Organisation, Membership | None]:
    """The organisation as its profile page shows it: active ones to anyone, others only to their
    staff (and superusers). The membership is ``None`` for everyone who is not staff."""
    organisation = (
        Organisation.objects.select_related("city").filter(city=city, slug=org_slug).first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    membership = None
    if user.is_authenticated:
        membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if organisation.is_active or membership is not None or user.is_superuser:
        return organisation, membership
    raise Http404("No such organisation.")


def access_membership(*, organisation: Organisation, member_public_id: str) -> Membership:
    """The membership of ``organisation`` held by the user with this public id, or 404.

    Call it only after the caller has passed :func:`access_organisation_for_staff`.
    """
    membership = (
        Membership.objects.select_related("user", "organisation")
        .filter(organisation=organisation, user__public_id=member_public_id)
        .first()
    )
    if membership is None:
        raise Http404("No such member of staff.")
    return membership


def access_invitation(*, organisation: Organisation, invitation_id: int) -> Invitation:
    """An invitation to ``organisation``, or 404. Call it only after the caller has passed
    :func:`access_organisation_for_staff` as an owner: invitations are the owners' business."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(organisation=organisation, pk=invitation_id)
        .first()
    )
    if invitation is None:
        raise Http404("No such invitation.")
    return invitation


def access_organisation_for_city_admin(
    *, user: User | AnonymousUser, city_slug: str, public_id: str
) -> Organisation:
    """An organisation of a city that ``user`` runs, for the approval queue.

    403 when ``user`` does not run the city (another city's admin included); 404 when the
    organisation is unknown or belongs to another city.
    """
    city = access_city_for_admin(user=user, city_slug=city_slug)
    organisation = (
        Organisation.objects.select_related("city").filter(city=city, public_id=public_id).first()
    )
    if organisation is None:
        raise Http404("No such organisation.")
    return organisation


def organisation_register_refusal(*, user: User) -> str | None:
    """Why ``user`` may not register an organisation, or ``None`` when they may.

    Registering makes someone the owner, answerable for what the organisation does with
    learners' data, so it is for adults: children are refused, and an under-13 still waiting for
    a guardian's consent is told about that first. Accounts without a learner profile (staff who
    only work with organisations) may register.
    """
    profile = getattr(user, "learner_profile", None)
    if profile is None:
        return None
    if profile.needs_guardian_consent:
        return errors.GUARDIAN_CONSENT_NEEDED
    if profile.is_child:
        return errors.ORGANISATION_REGISTER_ADULTS_ONLY
    return None
