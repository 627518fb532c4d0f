"""Staff pages for designing badge classes: the list, create and edit with the designer, a live
preview, publish and archive.

Any staff member sees the list; editors and above change things. Everyone else gets 404 from
``access_organisation_for_staff``, and another organisation's badge is a 404 too.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.core.errors import ServiceError
from learningcity.organisations.access import access_organisation_for_staff, role_at_least
from learningcity.organisations.models import Organisation, Role

from ..authoring import (
    access_badge_class_for_staff,
    badge_class_archive,
    badge_class_create,
    badge_class_list,
    badge_class_publish,
    badge_class_update,
)
from ..design import design_svg
from ..forms_design import BadgeClassForm, DesignPreviewForm
from ..models import BadgeClass


def _list_url(organisation: Organisation) -> str:
    return reverse(
        "badge-class-list",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )


def _edit_url(badge_class: BadgeClass) -> str:
    organisation = badge_class.organisation
    return reverse(
        "badge-class-edit",
        kwargs={
            "city_slug": organisation.city.slug,
            "org_slug": organisation.slug,
            "public_id": badge_class.public_id,
        },
    )


def _preview_url(organisation: Organisation, form: BadgeClassForm) -> str:
    """The preview of the design the form holds now (posted values, else the saved ones)."""

    def value(name: str) -> str:
        return str(form[name].value() or "")

    query = urlencode(
        {
            "shape": value("design_shape"),
            "icon": value("design_icon"),
            "title": value("design_title") or value("name"),
            "level": value("level"),
            "colour": value("image_colour"),
        }
    )
    base = reverse(
        "badge-class-preview",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )
    return f"{base}?{query}"


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    form: BadgeClassForm,
    badge_class: BadgeClass | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "badges/design/form.html",
        {
            "organisation": organisation,
            "badge_class": badge_class,
            "form": form,
            "preview_url": _preview_url(organisation, form),
        },
        status=status,
    )


@login_required
@require_GET
def badge_class_list_page(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, membership = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.VIEWER
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    can_edit = membership is None or role_at_least(membership.role, Role.EDITOR)
    return render(
        request,
        "badges/design/list.html",
        {
            "organisation": organisation,
            "badge_classes": badge_class_list(organisation=organisation),
            "can_edit": can_edit,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def badge_class_create_page(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.EDITOR
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    if request.method == "GET":
        form = BadgeClassForm(city=organisation.city, organisation_type=organisation.type)
        return _form_page(request, organisation, form)
    form = BadgeClassForm(request.POST, request.FILES, city=organisation.city)
    if form.is_valid():
        try:
            badge_class = badge_class_create(
                organisation=organisation,
                values=form.values(),
                image=form.cleaned_data.get("image_file"),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, f"{badge_class.name} is saved as a draft. Publish it when it is ready."
            )
            return redirect(_edit_url(badge_class))
    return _form_page(request, organisation, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def badge_class_edit_page(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.EDITOR
    )
    badge_class = access_badge_class_for_staff(organisation=organisation, public_id=public_id)
    request.city = organisation.city  # type: ignore[attr-defined]
    if request.method == "GET":
        form = BadgeClassForm(instance=badge_class, city=organisation.city)
        return _form_page(request, organisation, form, badge_class)
    form = BadgeClassForm(request.POST, request.FILES, instance=badge_class, city=organisation.city)
    if form.is_valid():
        try:
            badge_class = badge_class_update(
                badge_class=badge_class,
                values=form.values(),
                image=form.cleaned_data.get("image_file"),
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Your changes to {badge_class.name} are saved.")
            return redirect(_edit_url(badge_class))
    # The form changed the instance while validating; show the saved badge beside it.
    badge_class.refresh_from_db()
    return _form_page(request, organisation, form, badge_class, status=400)


@login_required
@require_GET
def badge_class_preview(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    """The SVG of the design in the query string: the designer's live preview."""
    access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.EDITOR
    )
    design = DesignPreviewForm(request.GET).design()
    response = HttpResponse(design_svg(design), content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _status_change(request: HttpRequest, city_slug: str, org_slug: str, public_id: str, service):
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.EDITOR
    )
    badge_class = access_badge_class_for_staff(organisation=organisation, public_id=public_id)
    try:
        badge_class = service(badge_class=badge_class)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None, organisation
    return badge_class, organisation


@login_required
@require_POST
def badge_class_publish_view(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    badge_class, organisation = _status_change(
        request, city_slug, org_slug, public_id, badge_class_publish
    )
    if badge_class is not None:
        messages.success(request, f"{badge_class.name} is published. You can award it now.")
    return redirect(_list_url(organisation))


@login_required
@require_POST
def badge_class_archive_view(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    badge_class, organisation = _status_change(
        request, city_slug, org_slug, public_id, badge_class_archive
    )
    if badge_class is not None:
        messages.success(
            request,
            f"{badge_class.name} is archived. It can't be awarded any more; "
            "badges already awarded stay valid.",
        )
    return redirect(_list_url(organisation))
