"""The city team's review queue for opportunities: the list of those waiting, one opportunity as
learners would see it, approve, or send back with a reason.

Only the city's admins (and superusers) get in; another city's admin gets 403 from
``access_city_for_admin``, and an opportunity of another city is 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from learningcity.cities.access import access_city_for_admin
from learningcity.core.errors import AccessDenied, ServiceError

from .. import publishing
from ..access import access_opportunity_for_city_admin
from ..forms_publishing import SendBackForm
from ..models import Opportunity, OpportunityStatus
from .publishing import public_url

# What the city team may open here: what waits for them, and what is public anyway.
REVIEWABLE = {OpportunityStatus.SUBMITTED, OpportunityStatus.PUBLISHED}


def _queue_url(city_slug: str) -> str:
    return reverse("city-admin-opportunities", kwargs={"city_slug": city_slug})


def _reviewable(request: HttpRequest, city_slug: str, public_id: str) -> Opportunity:
    opportunity = access_opportunity_for_city_admin(
        user=request.user, city_slug=city_slug, public_id=public_id
    )
    # Drafts and archived opportunities are the organisation's own business (404, as elsewhere).
    if opportunity.status not in REVIEWABLE:
        raise Http404("No such opportunity.")
    request.city = opportunity.city  # type: ignore[attr-defined]
    return opportunity


@login_required
@require_GET
def review_queue(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = access_city_for_admin(user=request.user, city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    return render(
        request,
        "opportunities/moderation/queue.html",
        {
            "city": city,
            "waiting": publishing.opportunity_review_queue(city=city),
            "recent": publishing.opportunity_recently_reviewed(city=city),
        },
    )


def _review_page(
    request: HttpRequest, opportunity: Opportunity, form: SendBackForm, *, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "opportunities/moderation/review.html",
        {
            "city": opportunity.city,
            "opportunity": opportunity,
            "organisation": opportunity.organisation,
            "sessions": publishing.session_list_for_staff(opportunity=opportunity),
            "topics": opportunity.topics.all(),
            "skills": opportunity.skills.all(),
            "badge_classes": opportunity.badge_classes.all(),
            "partners": opportunity.partners.all(),
            "form": form,
            "public_url": public_url(opportunity),
        },
        status=status,
    )


@login_required
@require_GET
def review_detail(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    opportunity = _reviewable(request, city_slug, public_id)
    return _review_page(request, opportunity, SendBackForm())


@login_required
@require_POST
def review_approve(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    opportunity = _reviewable(request, city_slug, public_id)
    try:
        publishing.opportunity_approve(opportunity=opportunity, by=request.user)  # type: ignore[arg-type]
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(
            reverse(
                "city-admin-opportunity-review",
                kwargs={"city_slug": city_slug, "public_id": public_id},
            )
        )
    messages.success(
        request,
        f"{opportunity.title} is published. We've emailed {opportunity.organisation.name}.",
    )
    return redirect(_queue_url(city_slug))


@login_required
@require_POST
def review_send_back(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    opportunity = _reviewable(request, city_slug, public_id)
    form = SendBackForm(request.POST)
    if form.is_valid():
        try:
            publishing.opportunity_send_back(
                opportunity=opportunity,
                by=request.user,  # type: ignore[arg-type]
                reason=form.cleaned_data["reason"],
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            messages.success(
                request,
                f"{opportunity.title} is back with {opportunity.organisation.name}, "
                "with your reason.",
            )
            return redirect(_queue_url(city_slug))
    return _review_page(request, opportunity, form, status=400)
