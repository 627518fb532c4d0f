"""The public pathway pages of a city: the list, one pathway (with the visitor's progress when
they are on it) and joining."""

from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from learningcity.accounts.models import User
from learningcity.cities.access import access_city
from learningcity.core.errors import ServiceError

from .. import selectors, services
from ..access import access_pathway_public

JOINED = "You've joined “{name}”. Your progress is below."
COMPLETED_ON_JOINING = "You've joined “{name}” — and the badges you hold already complete it."


@require_GET
def pathway_list(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = access_city(city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    return render(
        request,
        "pathways/public/list.html",
        {"city": city, "pathways": selectors.pathway_list_published(city=city)},
    )


@require_GET
def pathway_detail(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    city = access_city(city_slug=city_slug)
    pathway = access_pathway_public(city=city, public_id=public_id, user=request.user)
    request.city = city  # type: ignore[attr-defined]
    enrolment = selectors.enrolment_for(pathway=pathway, user=cast(User, request.user))
    view = selectors.pathway_steps_view(
        pathway=pathway,
        user=enrolment.learner if enrolment else None,
        enrolment=enrolment,
    )
    return render(
        request,
        "pathways/public/detail.html",
        {
            "city": city,
            "pathway": pathway,
            "enrolment": enrolment,
            "progress": view,
            "page_url": f"{settings.SITE_URL}{pathway.get_absolute_url()}",
        },
    )


@require_POST
def pathway_join(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    city = access_city(city_slug=city_slug)
    pathway = access_pathway_public(city=city, public_id=public_id)
    if not request.user.is_authenticated:
        return redirect_to_login(pathway.get_absolute_url())
    try:
        enrolment = services.enrolment_join(pathway=pathway, learner=cast(User, request.user))
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect(pathway)
    message = COMPLETED_ON_JOINING if enrolment.completed_at else JOINED
    messages.success(request, message.format(name=pathway.name))
    return redirect(pathway)
