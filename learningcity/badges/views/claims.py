"""Claim codes and award emails: the learner's claim pages (``/claim/…``) and the staff's pages
for codes, posters and delivery status (``/<city>/organisations/<org>/badges/…``).

Each view parses, checks access with an ``access_*`` helper, calls one service or selector and
renders. A :class:`ServiceError` is shown to the person as it is.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.core.errors import ServiceError
from learningcity.organisations.access import access_organisation_for_staff
from learningcity.organisations.models import Organisation, Role

from .. import claims, delivery, posters
from ..access import access_award_for_staff
from ..forms_claims import ClaimCodeCreateForm, ClaimForm, DeliveryFilterForm
from ..models import Award, ClaimCode, DeliveryStatus

DELIVERIES_PER_PAGE = 50


def _org_url(name: str, organisation: Organisation, **kwargs: str) -> str:
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def _claimed(request: HttpRequest, award: Award) -> HttpResponse:
    messages.success(
        request,
        f"The {award.badge_class.name} badge is yours. It's in your backpack now.",
    )
    return redirect(award.get_absolute_url())


# --- Learners ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def claim_enter(request: HttpRequest) -> HttpResponse:
    """Type a code from a poster or card."""
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award = claims.claim_code_redeem(
                code=form.cleaned_data["code"],
                user=request.user,  # type: ignore[arg-type]
            )
        except ServiceError as exc:
            form.add_error("code", exc.message)
        else:
            return _claimed(request, award)
    return render(request, "badges/claims/claim_enter.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def claim_code(request: HttpRequest, code: str) -> HttpResponse:
    """Where a poster's QR code leads: the badge, and one button to claim it."""
    claim = claims.access_claim_code_public(code=code)
    request.city = claim.badge_class.organisation.city  # type: ignore[attr-defined]
    error = None
    if request.method == "POST":
        try:
            award = claims.claim_code_redeem(code=claim.code, user=request.user)  # type: ignore[arg-type]
        except ServiceError as exc:
            error = exc.message
        else:
            return _claimed(request, award)
    return render(
        request,
        "badges/claims/claim_code.html",
        {"claim": claim, "badge_class": claim.badge_class, "error": error},
        status=400 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def claim_award(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an award email. Opening it shows the award; the delivery becomes
    ``claimed`` only when a person acts — signed in as the recipient, or pressing the button
    (mail scanners open links too; see :mod:`learningcity.badges.delivery`)."""
    try:
        award = delivery.award_for_claim_token(token=token)
    except ServiceError as exc:
        return render(
            request, "badges/claims/claim_award_invalid.html", {"message": exc.message}, status=404
        )
    request.city = award.badge_class.organisation.city  # type: ignore[attr-defined]
    user = request.user if request.user.is_authenticated else None
    claimed = delivery.award_delivery_claim_from_link(
        award=award,
        user=user,  # type: ignore[arg-type]
        pressed=request.method == "POST",
    )
    if request.method == "POST":
        if claimed:
            messages.success(
                request, f"Thank you. {award.badge_class.organisation.name} can see you have it."
            )
        return redirect(request.path)
    return render(
        request,
        "badges/claims/claim_award.html",
        {
            "award": award,
            "badge_class": award.badge_class,
            "claimed": claimed,
            "in_your_account": user is not None and award.recipient_id == user.pk,
            "login_url": f"{reverse(settings.LOGIN_URL)}?next={request.path}",
        },
    )


# --- Staff ---------------------------------------------------------------------------------------


@login_required
@require_GET
def claim_code_list(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    codes = [
        (code, claims.claim_code_state(code))
        for code in claims.claim_code_list(organisation=organisation)
    ]
    return render(
        request,
        "badges/claims/code_list.html",
        {"organisation": organisation, "codes": codes},
    )


@login_required
@require_http_methods(["GET", "POST"])
def claim_code_create(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    form = ClaimCodeCreateForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            code = claims.claim_code_create(
                badge_class=form.cleaned_data["badge_class"],
                created_by=request.user,  # type: ignore[arg-type]
                max_uses=form.cleaned_data["max_uses"],
                expires_at=form.cleaned_data["expires_at"],
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Made the code {code.display_code} for {code.badge_class.name}. "
                "Print its poster or read the code out.",
            )
            return redirect(_org_url("claim-code-list", organisation))
    return render(
        request,
        "badges/claims/code_create.html",
        {"organisation": organisation, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def claim_code_revoke(
    request: HttpRequest, city_slug: str, org_slug: str, code: str
) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    claim = claims.access_claim_code_for_staff(organisation=organisation, code=code)
    try:
        claims.claim_code_revoke(claim_code=claim)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Switched off the code {claim.display_code}.")
    return redirect(_org_url("claim-code-list", organisation))


def _poster_fields(organisation: Organisation, claim: ClaimCode) -> dict[str, Any]:
    return {
        "badge_name": claim.badge_class.name,
        "organisation_name": organisation.name,
        "claim_url": settings.SITE_URL + claim.get_absolute_url(),
        "display_code": claim.display_code,
        "site": urlsplit(settings.SITE_URL).netloc,
    }


def _poster_response(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def claim_code_poster(
    request: HttpRequest, city_slug: str, org_slug: str, code: str
) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    claim = claims.access_claim_code_for_staff(organisation=organisation, code=code)
    png = posters.claim_poster_png(**_poster_fields(organisation, claim))
    return _poster_response(
        png, content_type="image/png", filename=f"claim-poster-{claim.code}.png"
    )


@login_required
@require_GET
def claim_code_poster_pdf(
    request: HttpRequest, city_slug: str, org_slug: str, code: str
) -> HttpResponse:
    """The same poster as a printable A4 PDF, with the code's expiry."""
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    claim = claims.access_claim_code_for_staff(organisation=organisation, code=code)
    expires = (
        date_format(timezone.localtime(claim.expires_at), "j F Y, H:i") if claim.expires_at else ""
    )
    pdf = posters.claim_poster_pdf(**_poster_fields(organisation, claim), expires=expires)
    return _poster_response(
        pdf, content_type="application/pdf", filename=f"claim-poster-{claim.code}.pdf"
    )


@login_required
@require_GET
def award_deliveries(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    """Every award email of the organisation and what became of it; viewers may look."""
    organisation, membership = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    form = DeliveryFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    page = Paginator(
        delivery.award_delivery_list(organisation=organisation, status=status or None),
        DELIVERIES_PER_PAGE,
    ).get_page(request.GET.get("page"))
    can_resend = membership is None or membership.role in (Role.OWNER, Role.ISSUER)
    return render(
        request,
        "badges/claims/deliveries.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "status": status,
            "can_resend": can_resend,
            "statuses": DeliveryStatus,
        },
    )


@login_required
@require_POST
def award_resend(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.ISSUER
    )
    award = access_award_for_staff(organisation=organisation, public_id=public_id)
    try:
        delivery.award_delivery_resend(award=award)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"Sending the {award.badge_class.name} email to {award.recipient_email} again."
        )
    return redirect(_org_url("award-deliveries", organisation))
