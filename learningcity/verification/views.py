"""The public badge checker: a page for people and a JSON endpoint, no account needed.

Both parse the request with :class:`BadgeCheckForm`, count the check against the asking
address's limit, call :func:`badge_check` and show the verdict. Nothing is stored.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from learningcity.credentials.verify import Format, Status, Verdict

from .forms import BadgeCheckForm
from .services import badge_check, check_rate_limit_hit

RATE_LIMITED = "You've checked a lot of badges in the last minute. Wait a minute, then try again."
API_INVALID_JSON = "The request body isn't valid JSON: send an object with url or credential."
API_NOT_AN_OBJECT = 'Send a JSON object: {"url": "https://…"} or {"credential": …}.'
API_MEDIA_TYPE = "Send application/json or multipart/form-data (with the badge as file)."
API_METHOD = "Use POST."

# What each verdict means, for someone who has never heard of Open Badges.
EXPLANATIONS: dict[Status, str] = {
    Status.VALID: (
        "We checked it with its issuer: it was issued by them, it hasn't been changed, it is "
        "in date and the issuer hasn't withdrawn it."
    ),
    Status.EXPIRED: (
        "It was genuinely issued, but only for a limited time, and that time is over. The "
        "person did earn it; the issuer chose an end date, for example because the skill needs "
        "renewing."
    ),
    Status.NOT_YET_VALID: (
        "It was genuinely issued, but its issuer dated it to start later. Check again on that date."
    ),
    Status.REVOKED: (
        "Its issuer has withdrawn it, so it no longer counts. Ask the person or the issuer why."
    ),
    Status.STATUS_UNKNOWN: (
        "It is genuine and in date, but we couldn't reach the issuer's list of withdrawn badges "
        "just now. Try again later, or ask the issuer."
    ),
    Status.TAMPERED: (
        "Something in it doesn't match what its issuer signed or published. Don't rely on it: "
        "ask the person for the original badge, or contact the issuer."
    ),
    Status.UNKNOWN_ISSUER: (
        "It names an issuer, but we couldn't confirm that issuer really made it. Don't rely on "
        "it until you have checked with the issuer."
    ),
    Status.MALFORMED: (
        "What you gave us isn't a badge we can read. Check you copied the whole link or text, "
        "or chose the right file."
    ),
    Status.UNSUPPORTED: (
        "It uses a format or security method this checker can't verify yet. That doesn't make "
        "it fake: ask the issuer how to check it."
    ),
    Status.ERROR: "Please try again in a few minutes.",
}

TONES: dict[Status, str] = {
    Status.VALID: "success",
    Status.REVOKED: "error",
    Status.TAMPERED: "error",
    Status.MALFORMED: "error",
}

FORMAT_NAMES: dict[Format, str] = {
    Format.OB3_DATA_INTEGRITY: "Open Badges 3.0, signed credential",
    Format.OB3_VC_JWT: "Open Badges 3.0, signed token (VC-JWT)",
    Format.OB2_HOSTED: "Open Badges 2.0, hosted by the issuer",
    Format.OB2_SIGNED: "Open Badges 2.0, signed",
    Format.OB1_HOSTED: "Open Badges 1.0, hosted by the issuer",
}

# Images are never hot-linked from other sites (that would tell them who is looking, and
# could show anything): only raster data: URIs carried in the badge, or this site's own files.
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp);base64,[A-Za-z0-9+/=\s]+$")
MAX_DATA_IMAGE_CHARACTERS = 1_500_000


def _client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: a forwarded-for header is whatever the client wants it to be, unless a
    # proxy that sets it is configured in front (then set REMOTE_ADDR there).
    return str(request.META.get("REMOTE_ADDR") or "unknown")


def _site_origins(request: HttpRequest) -> set[tuple[str, str]]:
    origins = {(request.scheme or "http", request.get_host().lower())}
    site = urlsplit(getattr(settings, "SITE_URL", ""))
    if site.scheme and site.netloc:
        origins.add((site.scheme, site.netloc.lower()))
    return origins


def displayable_image(image: str | None, *, origins: set[tuple[str, str]]) -> str | None:
    """The badge image if it is safe to show: a raster ``data:`` URI, or a URL on this site."""
    if not image:
        return None
    if image.startswith("data:"):
        ok = len(image) <= MAX_DATA_IMAGE_CHARACTERS and _DATA_IMAGE.match(image)
        return image if ok else None
    try:
        parts = urlsplit(image)
    except ValueError:
        return None
    if (parts.scheme, parts.netloc.lower()) in origins and not parts.username:
        return image
    return None


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _presentation(verdict: Verdict, request: HttpRequest) -> dict[str, Any]:
    summary = verdict.summary
    return {
        "status": verdict.status.value,
        "headline": verdict.headline,
        "explanation": EXPLANATIONS[verdict.status],
        "tone": TONES.get(verdict.status, "warning"),
        "confirmed": verdict.issuer_confirmed,
        "format": FORMAT_NAMES.get(verdict.format) if verdict.format else None,
        "image": displayable_image(summary.get("image"), origins=_site_origins(request)),
        "issued": _date(summary.get("issued")),
        "expires": _date(summary.get("expires")),
        "has_details": bool(summary.get("name") or summary.get("issuer", {}).get("name")),
    }


@require_http_methods(["GET", "POST"])
def check_page(request: HttpRequest) -> HttpResponse:
    """The checker: a form; after a check, the verdict (as the page's heading), then the form
    again for the next badge. ``GET ?url=…`` checks that link straight away, so a badge's page
    can link to its own check."""
    context: dict[str, Any] = {}
    status = 200
    form: BadgeCheckForm | None = None
    if request.method == "POST":
        form = BadgeCheckForm(request.POST, request.FILES)
    elif request.GET.get("url"):
        form = BadgeCheckForm({"link": request.GET["url"]})
    if form is not None and form.is_valid():
        if check_rate_limit_hit(address=_client_address(request)):
            form.add_error(None, RATE_LIMITED)
            status = 429
        else:
            verdict = badge_check(source=form.source())
            context.update(
                verdict=verdict,
                summary=verdict.summary,
                shown=_presentation(verdict, request),
            )
            form = BadgeCheckForm()
    context["form"] = form if form is not None else BadgeCheckForm()
    return render(request, "verification/check.html", context, status=status)


def api_error(status: int, code: str, message: str) -> JsonResponse:
    """The one error shape of this endpoint: ``{"error": {"code": …, "message": …}}``."""
    return JsonResponse({"error": {"code": code, "message": message}}, status=status)


def _api_form(request: HttpRequest) -> BadgeCheckForm | JsonResponse:
    if request.content_type == "multipart/form-data":
        return BadgeCheckForm(request.POST, request.FILES)
    if request.content_type not in ("application/json", "application/ld+json"):
        return api_error(415, "unsupported_media_type", API_MEDIA_TYPE)
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        return api_error(400, "invalid_json", API_INVALID_JSON)
    if not isinstance(body, dict):
        return api_error(400, "invalid_json", API_NOT_AN_OBJECT)
    data: dict[str, str] = {}
    url = body.get("url")
    if url is not None:
        data["link"] = url if isinstance(url, str) else json.dumps(url)
    credential = body.get("credential")
    if credential is not None:
        data["credential"] = credential if isinstance(credential, str) else json.dumps(credential)
    return BadgeCheckForm(data)


@csrf_exempt  # a machine endpoint with no session: nothing a forged request could abuse
def check_api(request: HttpRequest) -> JsonResponse:
    """``POST /verify/api``: ``{"url": …}``, ``{"credential": …}`` (JSON text, a JWT or the
    credential object) or multipart with ``file``; returns the verdict (see
    ``docs/verification.md``)."""
    if request.method != "POST":
        response = api_error(405, "method_not_allowed", API_METHOD)
        response["Allow"] = "POST"
        return response
    parsed = _api_form(request)
    if isinstance(parsed, JsonResponse):
        return parsed
    if not parsed.is_valid():
        code, message = parsed.first_error()
        return api_error(413 if code == "too_large" else 400, code, message)
    if check_rate_limit_hit(address=_client_address(request)):
        response = api_error(429, "rate_limited", RATE_LIMITED)
        response["Retry-After"] = "60"
        return response
    verdict = badge_check(source=parsed.source())
    return JsonResponse(verdict.to_json())
