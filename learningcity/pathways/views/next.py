"""The learner's “What next” page: suggestions with their reasons, and the switches."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from learningcity.accounts.models import User
from learningcity.core.errors import (
    RECOMMENDATIONS_NEED_PROFILE,
    RECOMMENDATIONS_SAVED_OFF,
    RECOMMENDATIONS_SAVED_ON,
    ServiceError,
)

from ..forms_next import SuggestionsForm
from ..recommendations import learner_profile_for, recommendations_for, suggestions_set


@login_required
@require_http_methods(["GET", "POST"])
def what_next(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    profile = learner_profile_for(user=user)
    if profile is not None:
        request.city = profile.city  # type: ignore[attr-defined]
    if request.method == "POST":
        form = SuggestionsForm(request.POST)
        if profile is None:
            messages.error(request, RECOMMENDATIONS_NEED_PROFILE)
            return redirect("what-next")
        if form.is_valid():
            try:
                suggestions_set(
                    profile=profile,
                    enabled=form.cleaned_data["enabled"],
                    opportunities=form.cleaned_data["opportunities"],
                    pathways=form.cleaned_data["pathways"],
                )
            except ServiceError as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    RECOMMENDATIONS_SAVED_ON
                    if form.cleaned_data["enabled"]
                    else RECOMMENDATIONS_SAVED_OFF,
                )
            return redirect("what-next")
    form = SuggestionsForm(
        initial={
            "enabled": profile.recommendations_enabled if profile else False,
            "opportunities": profile.suggest_opportunities if profile else True,
            "pathways": profile.suggest_pathways if profile else True,
        }
    )
    recommendations = recommendations_for(user=user)
    return render(
        request,
        "pathways/next/what_next.html",
        {
            "profile": profile,
            "recommendations": recommendations,
            "form": form,
            "need_profile": RECOMMENDATIONS_NEED_PROFILE,
        },
    )
