"""Reads for the pages of a pathway's owners (an organisation's staff, or the city team for
city-wide pathways): their pathways with how many learners joined and completed each.

The per-pathway progress report itself is ``selectors.pathway_owner_report``.
"""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from learningcity.cities.models import City
from learningcity.organisations.models import Organisation

from .models import Pathway


def pathway_list_for_owner(*, city: City, organisation: Organisation | None) -> QuerySet[Pathway]:
    """The pathways of ``organisation`` — or, when it is None, ``city``'s city-wide ones —
    whatever their status, newest changes first, each with ``step_count``, ``enrolled_count``
    and ``completed_count``."""
    pathways = Pathway.objects.filter(city=city)
    if organisation is None:
        pathways = pathways.filter(organisation__isnull=True)
    else:
        pathways = pathways.filter(organisation=organisation)
    return (
        pathways.select_related("city", "organisation", "completion_badge")
        .annotate(
            step_count=Count("steps", distinct=True),
            enrolled_count=Count("enrolments", distinct=True),
            completed_count=Count(
                "enrolments", filter=Q(enrolments__completed_at__isnull=False), distinct=True
            ),
        )
        .order_by("-updated_at", "pk")
    )
