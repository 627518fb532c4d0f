"""The learner's privacy pages under ``me/privacy/``: settings, export, delete."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.accounts.http import AuthenticatedHttpRequest
from learningcity.accounts.models import LearnerProfile
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from ..forms_privacy import AccountDeleteForm, PrivacySettingsForm
from ..privacy import (
    account_delete,
    learner_export_zip,
    organisations_solely_owned_by,
    privacy_settings_update,
    sharing_summary,
)


def _profile(request: AuthenticatedHttpRequest) -> LearnerProfile | None:
    profile = LearnerProfile.objects.select_related("city").filter(user=request.user).first()
    if profile is not None:
        request.city = profile.city  # type: ignore[attr-defined]
    return profile


@login_required
@require_http_methods(["GET", "POST"])
def privacy_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = _profile(request)
    form = None
    if profile is not None:
        initial = {
            "recommendations_enabled": profile.recommendations_enabled,
            "suggest_opportunities": profile.suggest_opportunities,
            "suggest_pathways": profile.suggest_pathways,
        }
        form = PrivacySettingsForm(
            request.POST if request.method == "POST" else None, initial=initial
        )
        if request.method == "POST" and form.is_valid():
            privacy_settings_update(profile=profile, **form.cleaned_data)
            messages.success(request, errors.PRIVACY_SETTINGS_SAVED)
            return redirect("privacy-settings")
    elif request.method == "POST":
        messages.error(request, errors.PRIVACY_NO_PROFILE)
        return redirect("privacy-settings")
    return render(
        request,
        "learners/privacy/settings.html",
        {
            "profile": profile,
            "form": form,
            "sharing": sharing_summary(user=request.user),
        },
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def privacy_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """GET explains; POST answers with the ZIP (a POST, so no link prefetch or crawler makes
    one, and the browser never caches it)."""
    _profile(request)
    if request.method == "GET":
        return render(request, "learners/privacy/export.html")
    body = learner_export_zip(user=request.user)
    response = HttpResponse(body, content_type="application/zip")
    name = f"learning-city-{timezone.localdate().isoformat()}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def privacy_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = _profile(request)
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=request.user)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            logout(request)
            return redirect("privacy-goodbye")
    return render(
        request,
        "learners/privacy/delete.html",
        {
            "form": form,
            "profile": profile,
            "sole_owned": organisations_solely_owned_by(user=request.user),
        },
    )


@require_GET
def privacy_goodbye(request: HttpRequest) -> HttpResponse:
    return render(request, "learners/privacy/goodbye.html")
