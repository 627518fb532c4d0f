"""Reads about cities and places."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .models import FULL_POSTCODE_RE, OUTWARD_CODE_RE, Area, City, PostcodeDistrict


def city_list_live() -> QuerySet[City]:
    """Live cities for the home page, each with its count of active organisations."""
    return City.objects.filter(is_live=True).annotate(
        active_organisation_count=Count(
            "organisations", filter=Q(organisations__status="active"), distinct=True
        ),
        area_count=Count("areas", distinct=True),
    )


def area_list(*, city: City, kind: str | None = None) -> QuerySet[Area]:
    areas = Area.objects.filter(city=city)
    if kind:
        areas = areas.filter(kind=kind)
    return areas.order_by("name")


def outward_code_from_postcode(value: str) -> str:
    """The outward code of a full or partial UK postcode: “bn2 4gl” → “BN2”, “PL4” → “PL4”.

    Raises ``ServiceError(POSTCODE_INVALID)`` for anything that is not shaped like a postcode.
    """
    cleaned = " ".join(value.upper().split())
    full = FULL_POSTCODE_RE.match(cleaned)
    if full:
        return full.group(1)
    if OUTWARD_CODE_RE.match(cleaned):
        return cleaned
    raise ServiceError(errors.POSTCODE_INVALID, field="postcode")


def area_for_postcode(*, city: City, postcode: str) -> tuple[str, Area]:
    """The outward code and the area it belongs to in ``city``.

    Raises ``ServiceError`` with a message fit for the person who typed it when the postcode is
    malformed or not one of the city's districts.
    """
    outward = outward_code_from_postcode(postcode)
    district = (
        PostcodeDistrict.objects.filter(city=city, outward_code=outward)
        .select_related("area")
        .first()
    )
    if district is None:
        raise ServiceError(
            errors.POSTCODE_UNKNOWN.format(outward=outward, city=city.name), field="postcode"
        )
    return outward, district.area
