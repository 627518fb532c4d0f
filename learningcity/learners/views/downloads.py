"""The learner's downloads: a PDF certificate, the signed credential and the baked PNG of each
of their awards, their CLR 2.0 record and their one-page skills CV. Everything is the
learner's own: another person's award is a 404, as if it did not exist."""

from __future__ import annotations

import unicodedata
from typing import cast
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from learningcity.accounts.models import User
from learningcity.core.errors import ServiceError

from .. import downloads
from ..access import access_award_for_sharing


def _disposition(filename: str) -> str:
    """``attachment`` with the file name; a name beyond ASCII goes in ``filename*`` (RFC 6266
    §4.3) after an ASCII ``filename`` for clients that read only that."""
    ascii_name = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    stem, _, extension = ascii_name.rpartition(".")
    ascii_name = f"{' '.join(stem.split()) or 'download'}.{extension}"
    if ascii_name == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{ascii_name}\"; filename*=utf-8''{quote(filename)}"


def _attachment(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = _disposition(filename)
    # Private to the learner: never kept by a shared cache.
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _unavailable(request: HttpRequest, *, title: str, message: str, status: int) -> HttpResponse:
    return render(
        request,
        "learners/downloads/unavailable.html",
        {"title": title, "message": message},
        status=status,
    )


@login_required
@require_GET
def award_certificate(request: HttpRequest, public_id: str) -> HttpResponse:
    user = cast(User, request.user)
    award = access_award_for_sharing(user=user, public_id=public_id)
    try:
        body = downloads.award_certificate_pdf(award=award, learner=user)
    except ServiceError as error:
        # A revoked award: its certificate is gone for good.
        return _unavailable(request, title="No certificate", message=error.message, status=410)
    return _attachment(
        body,
        content_type="application/pdf",
        filename=downloads.attachment_filename(f"{award.badge_class.name} certificate", "pdf"),
    )


@login_required
@require_GET
def award_credential(request: HttpRequest, public_id: str) -> HttpResponse:
    award = access_award_for_sharing(user=cast(User, request.user), public_id=public_id)
    return _attachment(
        downloads.award_credential_json(award=award),
        content_type="application/vc+ld+json; charset=utf-8",
        filename=downloads.attachment_filename(award.badge_class.name, "json"),
    )


@login_required
@require_GET
def award_badge_png(request: HttpRequest, public_id: str) -> HttpResponse:
    award = access_award_for_sharing(user=cast(User, request.user), public_id=public_id)
    return _attachment(
        downloads.award_baked_png(award=award),
        content_type="image/png",
        filename=downloads.attachment_filename(award.badge_class.name, "png"),
    )


@login_required
@require_GET
def learner_record(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    try:
        body = downloads.learner_record_json(user=user)
    except ServiceError as error:
        return _unavailable(
            request, title="No learning record yet", message=error.message, status=404
        )
    return _attachment(
        body,
        content_type="application/vc+ld+json; charset=utf-8",
        filename=downloads.attachment_filename(
            f"Learning record {user.display_name}".strip(), "json", fallback="Learning record"
        ),
    )


@login_required
@require_GET
def skills_cv(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    try:
        body = downloads.skills_cv_pdf(user=user)
    except ServiceError as error:
        return _unavailable(request, title="No skills CV yet", message=error.message, status=404)
    return _attachment(
        body,
        content_type="application/pdf",
        filename=downloads.attachment_filename(
            f"Skills CV {user.display_name}".strip(), "pdf", fallback="Skills CV"
        ),
    )
