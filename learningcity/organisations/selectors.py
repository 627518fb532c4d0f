"""Reads about organisations."""

from __future__ import annotations

from django.db.models import QuerySet

from learningcity.cities.models import City

from .models import Organisation


def organisation_list_public(*, city: City) -> QuerySet[Organisation]:
    """Active organisations of ``city``, as anyone may see them."""
    return (
        Organisation.objects.filter(city=city, status=Organisation.Status.ACTIVE)
        .select_related("city")
        .order_by("name")
    )
