"""Discovery: the city's searchable list of opportunities (with a map), an opportunity's public
page and its "add to calendar" file. Anyone may see these, signed in or not."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from learningcity.badges.models import Skill
from learningcity.cities.access import access_city
from learningcity.organisations.models import Organisation

from ..access import access_opportunity_public
from ..calendar import sessions_calendar
from ..forms_search import RADIUS_CHOICES, discovery_request_parse
from ..models import ACCESSIBILITY_FEATURES, Topic
from ..selectors import (
    opportunities_discover,
    opportunity_detail_related,
    session_list_upcoming,
)

SORT_LABELS = {
    "relevance": "Best match",
    "soonest": "Soonest",
    "nearest": "Nearest",
    "newest": "Newest",
}
FACET_GROUPS = (
    ("topics", "topic", "Topic"),
    ("types", "type", "Type"),
    ("free", "free", "Cost"),
    ("delivery", "delivery", "How it happens"),
    ("levels", "level", "Level"),
    ("skills", "skill", "Skills"),
    ("accessibility", "access", "Accessibility"),
    ("organisations", "org", "Organisation"),
)


def _page_url(data: QueryDict, page: int) -> str:
    params = data.copy()
    params.setlist("page", [str(page)] if page > 1 else [])
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _map_markers(items: list[Any]) -> list[dict[str, Any]]:
    """The page's results that have a place, for the map (the list shows the same ones)."""
    markers = []
    for item in items:
        if item.latitude is None or item.longitude is None:
            continue
        markers.append(
            {
                "lat": float(item.latitude),
                "lng": float(item.longitude),
                "title": item.title,
                "place": item.venue_name or (item.area.name if item.area else ""),
                "url": item.get_absolute_url(),
            }
        )
    return markers


def map_settings() -> dict[str, str]:
    return {
        "tile_url": getattr(settings, "MAP_TILE_URL", ""),
        "attribution": getattr(settings, "MAP_TILE_ATTRIBUTION", ""),
    }


@require_GET
def opportunity_list(request: HttpRequest, city_slug: str) -> HttpResponse:
    """Search with filters: every search is a shareable GET URL."""
    city = access_city(city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    topic_slugs = set(Topic.objects.filter(city=city).values_list("slug", flat=True))
    organisation_slugs = set(
        Organisation.objects.filter(city=city, status=Organisation.Status.ACTIVE).values_list(
            "slug", flat=True
        )
    )
    skill_ids = set(Skill.objects.filter(framework__city=city).values_list("pk", flat=True))
    parsed = discovery_request_parse(
        data=request.GET,
        city=city,
        user=request.user,
        topic_slugs=topic_slugs,
        organisation_slugs=organisation_slugs,
        skill_ids=skill_ids,
    )
    result = opportunities_discover(city=city, query=parsed.query)
    facet_groups = [
        {"key": key, "param": param, "legend": legend, "options": result.facets[key]}
        for key, param, legend in FACET_GROUPS
        if any(option.count or option.selected for option in result.facets.get(key, []))
    ]
    has_filters = any(
        key not in {"page", "sort"} and any(value.strip() for value in request.GET.getlist(key))
        for key in request.GET
    )
    sort_choices = [
        (value, label)
        for value, label in SORT_LABELS.items()
        if (value != "relevance" or parsed.query.text) and (value != "nearest" or parsed.query.near)
    ]
    return render(
        request,
        "opportunities/discover/list.html",
        {
            "city": city,
            "parsed": parsed,
            "query": parsed.query,
            "values": parsed.values,
            "result": result,
            "facet_groups": facet_groups,
            "sort_choices": sort_choices,
            "radius_choices": RADIUS_CHOICES,
            "has_filters": has_filters,
            "previous_url": _page_url(request.GET, result.page - 1),
            "next_url": _page_url(request.GET, result.page + 1),
            "all_ages_url": _with(request.GET, all_ages="1"),
            "markers": _map_markers(result.items),
            "map": map_settings(),
        },
    )


def _with(data: QueryDict, **changes: str) -> str:
    params = data.copy()
    for key, value in changes.items():
        params.setlist(key, [value])
    params.setlist("page", [])
    return f"?{params.urlencode()}"


@require_GET
def opportunity_detail(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    """Everything about one published opportunity."""
    city = access_city(city_slug=city_slug)
    opportunity = access_opportunity_public(city=city, public_id=public_id)
    request.city = city  # type: ignore[attr-defined]
    page_url = f"{settings.SITE_URL}{opportunity.get_absolute_url()}"
    share_text = f"{opportunity.title} — {city.name} Learning City"
    markers = _map_markers([opportunity])
    return render(
        request,
        "opportunities/discover/detail.html",
        {
            "city": city,
            "opportunity": opportunity,
            "sessions": list(session_list_upcoming(opportunity=opportunity)),
            "accessibility": [
                label for name, label in ACCESSIBILITY_FEATURES if getattr(opportunity, name)
            ],
            "page_url": page_url,
            "share_links": {
                "email": f"mailto:?subject={quote(share_text)}&body={quote(page_url)}",
                "whatsapp": "https://wa.me/?" + urlencode({"text": f"{share_text} {page_url}"}),
                "facebook": "https://www.facebook.com/sharer/sharer.php?"
                + urlencode({"u": page_url}),
                "linkedin": "https://www.linkedin.com/sharing/share-offsite/?"
                + urlencode({"url": page_url}),
            },
            "image_url": (
                f"{settings.SITE_URL}{opportunity.image.url}" if opportunity.image else ""
            ),
            "markers": markers,
            "map": map_settings(),
            **opportunity_detail_related(opportunity=opportunity),
        },
    )


@require_GET
def opportunity_calendar(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    """Every upcoming session as an iCalendar file (times in UTC), to add to a calendar."""
    city = access_city(city_slug=city_slug)
    opportunity = access_opportunity_public(city=city, public_id=public_id)
    sessions = session_list_upcoming(opportunity=opportunity)
    body = sessions_calendar(sessions=sessions, name=opportunity.title)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    filename = slugify(opportunity.title)[:60] or "opportunity"
    response["Content-Disposition"] = f'attachment; filename="{filename}.ics"'
    return response
