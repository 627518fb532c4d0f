"""Fetch-or-deny for the dashboards: who may read which figures.

- A city's figures: that city's admins (and superusers). Another city's admin, a learner or
  organisation staff get 403 — a city's existence is public (``access_city_for_admin``).
- An organisation's figures: its staff, any role (and superusers). Everyone else, the city's
  admins included, gets 404, as on every staff page (``access_organisation_for_staff``); so an
  organisation's staff who change the slug in the address learn nothing of another.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from learningcity.accounts.models import User
from learningcity.cities.access import access_city_for_admin
from learningcity.organisations.access import access_organisation_for_staff
from learningcity.organisations.models import Organisation

from .selectors import Scope


def access_insights_for_city_admin(*, user: User | AnonymousUser, city_slug: str) -> Scope:
    """The whole city's figures, for its admins; 404 unknown city, 403 anyone else."""
    city = access_city_for_admin(user=user, city_slug=city_slug)
    return Scope.for_city(city)


def access_insights_for_organisation(
    *, user: User | AnonymousUser, city_slug: str, org_slug: str
) -> tuple[Organisation, Scope]:
    """One organisation's own figures, for its staff; 404 for everyone else."""
    organisation, _ = access_organisation_for_staff(
        user=user, city_slug=city_slug, org_slug=org_slug
    )
    return organisation, Scope.for_organisation(organisation)
