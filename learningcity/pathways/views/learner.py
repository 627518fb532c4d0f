"""The learner's own pathways: progress on each, what to do next, and leaving."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.accounts.models import User

from .. import selectors, services
from ..access import access_enrolment_for_learner

LEFT = "You've left “{name}”. Your badges stay yours."


@login_required
@require_GET
def my_pathways(request: HttpRequest) -> HttpResponse:
    enrolments = selectors.enrolment_list_for(user=cast(User, request.user))
    in_progress = [
        selectors.pathway_progress_for(enrolment=e) for e in enrolments if not e.completed_at
    ]
    completed = [e for e in enrolments if e.completed_at]
    return render(
        request,
        "pathways/me/list.html",
        {"in_progress": in_progress, "completed": completed},
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_pathway_leave(request: HttpRequest, public_id: str) -> HttpResponse:
    enrolment = access_enrolment_for_learner(user=request.user, public_id=public_id)
    if request.method == "POST":
        name = enrolment.pathway.name
        services.enrolment_leave(enrolment=enrolment)
        messages.success(request, LEFT.format(name=name))
        return redirect("my-pathways")
    return render(request, "pathways/me/leave.html", {"enrolment": enrolment})
