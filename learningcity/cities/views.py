from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from learningcity.organisations.selectors import organisation_list_public

from .access import access_city, user_is_city_admin
from .models import Area
from .selectors import area_list, city_list_live


def home(request: HttpRequest) -> HttpResponse:
    """The front door: pick a city."""
    return render(request, "cities/home.html", {"cities": city_list_live()})


def city_home(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = access_city(city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    organisations = organisation_list_public(city=city)
    return render(
        request,
        "cities/city_home.html",
        {
            "city": city,
            "is_city_admin": user_is_city_admin(user=request.user, city=city),
            "featured_organisations": organisations[:6],
            "organisation_count": organisations.count(),
            "wards": area_list(city=city, kind=Area.Kind.WARD),
            "districts": area_list(city=city, kind=Area.Kind.POSTCODE_DISTRICT),
        },
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "cities/privacy.html")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "cities/accessibility.html")
