"""Fetch-or-deny for cities. Every view that needs a city gets it through one of these."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import City

if TYPE_CHECKING:  # accounts sits above cities: its model is only named in annotations
    from learningcity.accounts.models import User


def access_city(*, city_slug: str) -> City:
    """The live city with this slug, or 404."""
    try:
        return City.objects.get(slug=city_slug, is_live=True)
    except City.DoesNotExist:
        raise Http404("No such city.") from None


def user_is_city_admin(*, user: User | AnonymousUser, city: City) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return city.admin_memberships.filter(user=user).exists()


def access_city_for_admin(*, user: User | AnonymousUser, city_slug: str) -> City:
    """The city, if ``user`` runs it (or is a superuser); 404 for an unknown city, 403 otherwise.

    A city's existence is public, so refusing with 403 tells nothing away. Anonymous visitors
    are sent to sign in by the ``login_required`` decorator before this is called.
    """
    city = access_city(city_slug=city_slug)
    if not user_is_city_admin(user=user, city=city):
        raise PermissionDenied("Only this city's team can see this page.")
    return city
