"""The learner's backpack: every award on the account and every badge brought in from elsewhere,
the page to import one, and an imported badge's own page (check again, remove, its image).

Every page is the signed-in learner's own; another learner's imported badge is a 404.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts.http import AuthenticatedHttpRequest
from learningcity.badges import publishing
from learningcity.badges.models import Award
from learningcity.badges.views.public import linkedin_add_to_profile_url
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials.verify import Status
from learningcity.verification.services import check_rate_limit_hit

from .. import backpack as services
from ..access import access_imported_badge
from ..forms_backpack import IMPORT_FORMS
from ..selectors import backpack_awards, backpack_imported, sharing_badges_for, status_words


def _award_row(award: Award, now: datetime.datetime) -> dict[str, Any]:
    """What the backpack shows of one award: its state in words and its links."""
    if award.revoked_at is not None:
        state, words = "revoked", "Revoked"
    elif award.replaced_at is not None:
        state, words = "replaced", "Replaced by a newer award"
    elif award.expires_at is not None and award.expires_at <= now:
        state, words = "expired", "Expired"
    else:
        state, words = "valid", "Valid"
    page_url = publishing.award_url(award)
    return {
        "award": award,
        "state": state,
        "state_words": words,
        "page_url": page_url,
        # A path on this site (img-src 'self'), the same image as publishing.badge_class_image_url.
        "image_url": reverse(
            "badge-class-image-png", kwargs={"public_id": award.badge_class.public_id}
        ),
        "ob3_url": reverse("award-ob3", kwargs={"public_id": award.public_id}),
        "png_url": reverse("award-png", kwargs={"public_id": award.public_id}),
        "linkedin_url": (
            linkedin_add_to_profile_url(award, page_url=page_url) if state == "valid" else ""
        ),
    }


def _rate_limited(request: AuthenticatedHttpRequest) -> bool:
    # Each check may fetch from other sites: the public checker's per-minute limit, per account.
    return check_rate_limit_hit(address=f"learner:{request.user.pk}")


@login_required
@require_GET
def backpack(request: AuthenticatedHttpRequest) -> HttpResponse:
    now = timezone.now()
    awards = [_award_row(award, now) for award in backpack_awards(user=request.user)]
    # The holder's sharing choices, resolved with the age default (live awards only: a revoked
    # or replaced award has nothing to share).
    choices = {badge.key: badge for badge in sharing_badges_for(user=request.user)}
    for row in awards:
        row["choice"] = choices.get(f"award:{row['award'].public_id}")
    return render(
        request,
        "learners/backpack/backpack.html",
        {"award_rows": awards, "imported": list(backpack_imported(user=request.user))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def backpack_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    forms = {way: form_class() for way, form_class in IMPORT_FORMS.items()}
    status = 200
    if request.method == "POST":
        way = request.POST.get("way", "")
        if way not in IMPORT_FORMS:
            raise Http404("No such way to import.")
        form = IMPORT_FORMS[way](request.POST, request.FILES)
        forms[way] = form
        if form.is_valid():
            if _rate_limited(request):
                form.add_error(None, errors.BACKPACK_TOO_MANY_CHECKS)
                status = 429
            else:
                data, filename = form.payload()
                try:
                    imported = services.imported_badge_add(
                        owner=request.user, source=form.source, data=data, filename=filename
                    )
                except ServiceError as error:
                    form.add_error(None, error.message)
                else:
                    messages.success(request, _imported_message(imported))
                    return redirect("backpack-imported", public_id=imported.public_id)
    return render(
        request,
        "learners/backpack/import.html",
        {"file_form": forms["file"], "link_form": forms["link"], "text_form": forms["text"]},
        status=status,
    )


def _imported_message(imported: Any) -> str:
    if imported.status == Status.VALID:
        return errors.BACKPACK_IMPORTED.format(name=imported.name)
    if imported.status == Status.STATUS_UNKNOWN:
        return errors.BACKPACK_IMPORTED_STATUS_UNKNOWN.format(name=imported.name)
    return errors.BACKPACK_IMPORTED_NOT_CURRENT.format(
        name=imported.name, headline=status_words(imported.status).lower()
    )


@login_required
@require_GET
def imported_detail(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    imported = access_imported_badge(user=request.user, public_id=public_id)
    return render(
        request,
        "learners/backpack/imported_detail.html",
        {"imported": imported, "status_label": status_words(imported.status)},
    )


@login_required
@require_POST
def imported_recheck(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    imported = access_imported_badge(user=request.user, public_id=public_id)
    if _rate_limited(request):
        messages.error(request, errors.BACKPACK_TOO_MANY_CHECKS)
    else:
        imported = services.imported_badge_recheck(imported=imported)
        status = status_words(imported.status).lower()
        messages.info(request, errors.BACKPACK_RECHECKED.format(name=imported.name, status=status))
    return redirect("backpack-imported", public_id=imported.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def imported_remove(request: AuthenticatedHttpRequest, public_id: str) -> HttpResponse:
    imported = access_imported_badge(user=request.user, public_id=public_id)
    if request.method == "POST":
        name = imported.name
        services.imported_badge_delete(imported=imported)
        messages.success(request, errors.BACKPACK_REMOVED.format(name=name))
        return redirect("backpack")
    return render(request, "learners/backpack/imported_remove.html", {"imported": imported})


@login_required
@require_GET
def imported_image(request: AuthenticatedHttpRequest, public_id: str) -> FileResponse:
    """The baked image as the learner uploaded it (the credential still inside it)."""
    imported = access_imported_badge(user=request.user, public_id=public_id)
    if not imported.image:
        raise Http404("This badge has no image file.")
    is_svg = imported.image.name.lower().endswith(".svg")
    response = FileResponse(
        imported.image.open("rb"),
        content_type="image/svg+xml" if is_svg else "image/png",
        as_attachment="download" in request.GET,
        filename=f"{imported.public_id}.{'svg' if is_svg else 'png'}",
    )
    # An uploaded SVG is someone else's markup: opened on its own, nothing in it may run.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=300"
    return response
