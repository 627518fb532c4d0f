"""Endorsement requests: the staff's "ask the city" page and the city team's queue.

Each view parses, checks access with an ``access_*`` helper, calls one service or selector and
renders. A :class:`ServiceError` is shown to the person as it is.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.cities.access import access_city_for_admin
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import access_organisation_for_staff
from learningcity.organisations.models import Role

from .. import endorsements
from ..authoring import access_badge_class_for_staff
from ..forms_endorsements import EndorsementRequestForm


@login_required
@require_http_methods(["GET", "POST"])
def endorsement_request_create(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    """Ask the city to endorse a badge, and see what became of earlier requests."""
    min_role = Role.EDITOR if request.method == "POST" else Role.VIEWER
    organisation, membership = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=min_role
    )
    badge_class = access_badge_class_for_staff(organisation=organisation, public_id=public_id)
    form = EndorsementRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endorsements.endorsement_request_create(
                badge_class=badge_class,
                by=request.user,  # type: ignore[arg-type]
                message=form.cleaned_data["message"],
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"We've asked {organisation.city.name} to endorse {badge_class.name}."
            )
            return redirect(request.path)
    can_ask = membership is None or membership.role != Role.VIEWER
    return render(
        request,
        "badges/endorsements/request_create.html",
        {
            "organisation": organisation,
            "badge_class": badge_class,
            "form": form,
            "can_ask": can_ask,
            "requests": endorsements.endorsement_request_list_for_badge(badge_class=badge_class),
        },
    )


@login_required
@require_GET
def city_admin_endorsements(request: HttpRequest, city_slug: str) -> HttpResponse:
    """The city team's queue: requests waiting first, then those already decided."""
    city = access_city_for_admin(user=request.user, city_slug=city_slug)
    queue = list(endorsements.endorsement_request_queue(city=city))
    return render(
        request,
        "badges/endorsements/city_admin_queue.html",
        {
            "city": city,
            "pending": [r for r in queue if r.status == "pending"],
            "decided": [r for r in queue if r.status != "pending"],
        },
    )


def _decide(request: HttpRequest, city_slug: str, public_id: str, *, endorse: bool) -> HttpResponse:
    city = access_city_for_admin(user=request.user, city_slug=city_slug)
    endorsement_request = endorsements.access_endorsement_request_for_city_admin(
        city=city, public_id=public_id
    )
    name = endorsement_request.badge_class.name
    try:
        if endorse:
            endorsements.endorsement_request_endorse(
                request=endorsement_request,
                by=request.user,  # type: ignore[arg-type]
                comment=request.POST.get("comment", ""),
            )
            messages.success(request, f"{city.name} now endorses {name}.")
        else:
            endorsements.endorsement_request_decline(
                request=endorsement_request,
                by=request.user,  # type: ignore[arg-type]
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, f"You declined to endorse {name}.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("city-admin-endorsements", kwargs={"city_slug": city.slug}))


@login_required
@require_POST
def city_admin_endorsement_endorse(
    request: HttpRequest, city_slug: str, public_id: str
) -> HttpResponse:
    return _decide(request, city_slug, public_id, endorse=True)


@login_required
@require_POST
def city_admin_endorsement_decline(
    request: HttpRequest, city_slug: str, public_id: str
) -> HttpResponse:
    return _decide(request, city_slug, public_id, endorse=False)
