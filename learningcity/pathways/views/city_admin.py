"""The city team's pages for city-wide pathways (``organisation`` empty): the same pages as an
organisation's staff have (``views/staff.py``), for the city's admins.

Only the city's admins (and superusers) get in: anyone else, another city's admin included, gets
403 from ``access_city_for_admin`` — as on the city team's other pages, a city's existence is
public. A pathway of another city, or an organisation's pathway, is 404 here.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.cities.access import access_city_for_admin

from .. import access
from ..models import Pathway
from . import staff as pages
from .staff import Owner


def _owner(request: HttpRequest, city_slug: str) -> Owner:
    city = access_city_for_admin(user=request.user, city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    return Owner(city=city, organisation=None, can_edit=True)


def _pathway(request: HttpRequest, city_slug: str, public_id: str) -> tuple[Owner, Pathway]:
    owner = _owner(request, city_slug)
    pathway = access.access_pathway_of_owner(
        city=owner.city, organisation=None, public_id=public_id
    )
    return owner, pathway


@login_required
@require_GET
def pathway_list(request: HttpRequest, city_slug: str) -> HttpResponse:
    return pages.list_page(request, _owner(request, city_slug))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_create(request: HttpRequest, city_slug: str) -> HttpResponse:
    return pages.create_page(request, _owner(request, city_slug))


@login_required
@require_GET
def pathway_detail(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    return pages.detail_page(request, *_pathway(request, city_slug, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    return pages.edit_page(request, *_pathway(request, city_slug, public_id))


@login_required
@require_POST
def pathway_publish(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    return pages.publish_action(request, *_pathway(request, city_slug, public_id))


@login_required
@require_POST
def pathway_archive(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    return pages.archive_action(request, *_pathway(request, city_slug, public_id))


@login_required
@require_GET
def pathway_report(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    return pages.report_page(request, *_pathway(request, city_slug, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_step_add(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    return pages.step_add_page(request, *_pathway(request, city_slug, public_id))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_step_edit(
    request: HttpRequest, city_slug: str, public_id: str, step_id: int
) -> HttpResponse:
    owner, pathway = _pathway(request, city_slug, public_id)
    step = access.access_pathway_step(pathway=pathway, step_id=step_id)
    return pages.step_edit_page(request, owner, pathway, step)


@login_required
@require_POST
def pathway_step_remove(
    request: HttpRequest, city_slug: str, public_id: str, step_id: int
) -> HttpResponse:
    owner, pathway = _pathway(request, city_slug, public_id)
    step = access.access_pathway_step(pathway=pathway, step_id=step_id)
    return pages.step_remove_action(request, owner, pathway, step)


@login_required
@require_POST
def pathway_step_move(
    request: HttpRequest, city_slug: str, public_id: str, step_id: int
) -> HttpResponse:
    owner, pathway = _pathway(request, city_slug, public_id)
    step = access.access_pathway_step(pathway=pathway, step_id=step_id)
    return pages.step_move_action(request, owner, pathway, step)
