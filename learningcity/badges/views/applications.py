"""Badge applications: the learner's apply and "my applications" pages (``/apply/…``), and the
staff's review queue under ``/<city>/organisations/<org>/badges/applications/``.

Each view parses, checks access, calls one service or selector and renders. A learner sees only
their own applications; everyone else gets 404 for them.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts.models import User
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import access_organisation_for_staff
from learningcity.organisations.models import Membership, Organisation, Role

from .. import applications
from ..access import access_badge_class_public
from ..forms_applications import ApplicationForm, DecisionForm
from ..models import Application, ApplicationFile, BadgeStatus


def _access_application_for_staff(
    request: HttpRequest, *, city_slug: str, org_slug: str, public_id: str
) -> tuple[Organisation, Application]:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    application = (
        Application.objects.select_related("badge_class", "applicant", "decided_by", "award")
        .prefetch_related("files")
        .filter(public_id=public_id, badge_class__organisation=organisation)
        .first()
    )
    if application is None:
        raise Http404("No such application.")
    return organisation, application


def _detail_url(organisation: Organisation, application: Application) -> str:
    return reverse(
        "application-detail",
        kwargs={
            "city_slug": organisation.city.slug,
            "org_slug": organisation.slug,
            "public_id": application.public_id,
        },
    )


# --- Learners ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest, badge_public_id: str) -> HttpResponse:
    badge_class = access_badge_class_public(public_id=badge_public_id)
    if badge_class.status != BadgeStatus.PUBLISHED:
        raise Http404("No such badge.")
    form = ApplicationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            applications.application_submit(
                badge_class=badge_class,
                applicant=cast(User, request.user),
                text=form.cleaned_data["text"],
                links=form.link_list(),
                files=form.uploads(),
            )
        except ServiceError as exc:
            field = "attachments" if exc.field == "files" else exc.field
            form.add_error(field if field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Your application for {badge_class.name} has been sent.")
            return redirect("application-mine")
    return render(
        request, "badges/applications/create.html", {"badge_class": badge_class, "form": form}
    )


@login_required
@require_GET
def application_mine(request: HttpRequest) -> HttpResponse:
    items = applications.application_list_for_applicant(user=cast(User, request.user))
    return render(request, "badges/applications/mine.html", {"applications": items})


@login_required
@require_POST
def application_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    application = Application.objects.filter(
        public_id=public_id, applicant=cast(User, request.user)
    ).first()
    if application is None:
        raise Http404("No such application.")
    try:
        applications.application_withdraw(application=application, by=cast(User, request.user))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Your application has been withdrawn.")
    return redirect("application-mine")


@login_required
@require_GET
def application_file(request: HttpRequest, public_id: str, file_id: int) -> HttpResponseBase:
    """A file, for its applicant and the organisation's staff only: always as an attachment."""
    item = (
        ApplicationFile.objects.select_related("application__badge_class__organisation")
        .filter(pk=file_id, application__public_id=public_id)
        .first()
    )
    if item is None:
        raise Http404("No such file.")
    user = cast(User, request.user)
    allowed = (
        item.application.applicant_id == user.pk
        or user.is_superuser
        or Membership.objects.filter(
            organisation=item.application.badge_class.organisation, user=user
        ).exists()
    )
    if not allowed:
        raise Http404("No such file.")
    response = FileResponse(
        item.file.open("rb"),
        as_attachment=True,
        filename=item.original_name,
        content_type=item.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- Staff ---------------------------------------------------------------------------------------


@login_required
@require_GET
def application_list(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    items = applications.application_list_for_organisation(organisation=organisation)
    return render(
        request,
        "badges/applications/list.html",
        {"organisation": organisation, "applications": items},
    )


@login_required
@require_GET
def application_detail(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    organisation, application = _access_application_for_staff(
        request, city_slug=city_slug, org_slug=org_slug, public_id=public_id
    )
    return render(
        request,
        "badges/applications/detail.html",
        {
            "organisation": organisation,
            "application": application,
            "form": DecisionForm(),
            "own": application.applicant_id == request.user.pk,
        },
    )


def _decide(request: HttpRequest, *, approve: bool, **kwargs: str) -> HttpResponse:
    organisation, application = _access_application_for_staff(request, **kwargs)
    form = DecisionForm(request.POST)
    if form.is_valid():
        feedback = form.cleaned_data["feedback"]
        try:
            if approve:
                applications.application_approve(
                    application=application,
                    by=cast(User, request.user),
                    feedback=feedback,
                )
            else:
                applications.application_reject(
                    application=application,
                    by=cast(User, request.user),
                    feedback=feedback,
                )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request, "Approved: the badge is issued." if approve else "Application rejected."
            )
            return redirect(_detail_url(organisation, application))
    return render(
        request,
        "badges/applications/detail.html",
        {"organisation": organisation, "application": application, "form": form, "own": False},
        status=400,
    )


@login_required
@require_POST
def application_approve(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return _decide(
        request, approve=True, city_slug=city_slug, org_slug=org_slug, public_id=public_id
    )


@login_required
@require_POST
def application_reject(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return _decide(
        request, approve=False, city_slug=city_slug, org_slug=org_slug, public_id=public_id
    )
