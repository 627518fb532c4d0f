"""Learners' booking pages: book, join the waitlist, cancel, save, their bookings, their saved
opportunities, their check-in code and their private calendar feed.

Each view parses, checks access, calls one service or selector and renders. A POST from someone
signed out sends them to sign in and back to the opportunity's page (not to the POST address,
which a browser would then open with GET).
"""

from __future__ import annotations

from typing import cast

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from learningcity.accounts.models import User
from learningcity.cities.access import access_city
from learningcity.core.errors import ServiceError

from .. import booking as services
from ..access import access_booking_for_learner, access_opportunity_public, access_session_public
from ..calendar import sessions_calendar
from ..checkin import attendee_code_for, code_display, qr_payload
from ..models import AttendeeCode, BookingStatus, Opportunity


def _opportunity_url(opportunity: Opportunity) -> str:
    try:
        return opportunity.get_absolute_url()
    except NoReverseMatch:  # the public page is not routed (yet): the learner's bookings instead
        return reverse("learner-bookings")


def _back(request: HttpRequest, default: str) -> str:
    """The form's ``next`` when it is one of ours, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _calendar_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, max-age=300"
    return response


# --- Public actions ------------------------------------------------------------------------------


@require_POST
def opportunity_book(
    request: HttpRequest, city_slug: str, public_id: str, session_id: str
) -> HttpResponse:
    session = access_session_public(city_slug=city_slug, public_id=public_id, session_id=session_id)
    back = _back(request, _opportunity_url(session.opportunity))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    try:
        booking = services.booking_create(session=session, learner=cast(User, request.user))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        when = date_format(timezone.localtime(session.starts_at), r"l j F \a\t H:i")
        if booking.status == BookingStatus.BOOKED:
            messages.success(request, f"Your place on {when} is booked. We've emailed you.")
        else:
            messages.success(
                request,
                f"That session is full, so you're on the waitlist for {when}. "
                "We'll email you if a place comes up.",
            )
    return redirect(back)


@require_POST
def opportunity_save(request: HttpRequest, city_slug: str, public_id: str) -> HttpResponse:
    opportunity = access_opportunity_public(
        city=access_city(city_slug=city_slug), public_id=public_id
    )
    back = _back(request, _opportunity_url(opportunity))
    if not request.user.is_authenticated:
        return redirect_to_login(back)
    saved = services.opportunity_save_toggle(
        learner=cast(User, request.user), opportunity=opportunity
    )
    if saved:
        messages.success(request, f"Saved {opportunity.title}. Find it under “Saved”.")
    else:
        messages.success(request, f"Removed {opportunity.title} from your saved list.")
    return redirect(back)


@require_GET
def session_calendar(
    request: HttpRequest, city_slug: str, public_id: str, session_id: str
) -> HttpResponse:
    session = access_session_public(city_slug=city_slug, public_id=public_id, session_id=session_id)
    content = sessions_calendar(sessions=[session], name=session.opportunity.title)
    return _calendar_response(content, f"{session.public_id}.ics")


# --- The learner's pages -------------------------------------------------------------------------


@login_required
@require_POST
def booking_cancel(request: HttpRequest, booking_id: str) -> HttpResponse:
    booking = access_booking_for_learner(user=request.user, public_id=booking_id)
    was_waitlisted = booking.status == BookingStatus.WAITLISTED
    try:
        services.booking_cancel(booking=booking, by=cast(User, request.user))
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        title = booking.session.opportunity.title
        if was_waitlisted:
            messages.success(request, f"You've left the waitlist for {title}.")
        else:
            messages.success(request, f"Your place at {title} is cancelled. Thank you for saying.")
    return redirect(_back(request, reverse("learner-bookings")))


@login_required
@require_GET
def learner_bookings(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    now = timezone.now()
    bookings = list(services.bookings_for_learner(learner=user))
    upcoming = [b for b in bookings if b.session.ends_at >= now]
    past = [b for b in bookings if b.session.ends_at < now][::-1][:20]
    code = attendee_code_for(learner=user)
    feed = request.build_absolute_uri(
        reverse("learner-calendar", kwargs={"token": code.calendar_token})
    )
    return render(
        request,
        "opportunities/me/bookings.html",
        {
            "upcoming": upcoming,
            "past": past,
            "calendar_url": feed,
            "webcal_url": "webcal://" + feed.split("://", 1)[1],
        },
    )


@login_required
@require_GET
def learner_saved(request: HttpRequest) -> HttpResponse:
    saved = services.saved_for_learner(learner=cast(User, request.user))
    return render(request, "opportunities/me/saved.html", {"saved": saved})


def qr_svg(payload: str, *, title: str) -> str:
    """An inline SVG QR code (a full QR symbol, never Micro QR: camera scanners miss those)."""
    svg = segno.make(payload, error="m", micro=False).svg_inline(
        scale=1, border=4, dark="#000", light="#fff", omitsize=True, svgclass="qr-code", title=title
    )
    return svg.replace("<svg ", '<svg role="img" aria-label="' + title + '" ', 1)


@login_required
@require_GET
def learner_check_in_code(request: HttpRequest) -> HttpResponse:
    code = attendee_code_for(learner=cast(User, request.user))
    return render(
        request,
        "opportunities/me/check_in_code.html",
        {
            "code": code,
            "code_display": code_display(code.code),
            "qr_svg": qr_svg(qr_payload(code), title="Your check-in QR code"),
        },
    )


@login_required
@require_POST
def learner_calendar_reset(request: HttpRequest) -> HttpResponse:
    services.calendar_token_reset(learner=cast(User, request.user))
    messages.success(
        request,
        "Your calendar has a new address. Subscribe to it again; the old one has stopped working.",
    )
    return redirect("learner-bookings")


@require_GET
def learner_calendar(request: HttpRequest, token: str) -> HttpResponse:
    """The learner's booked sessions, for calendar apps: public to whoever has the secret token,
    so it carries titles, times and places, never the learner's name."""
    code = AttendeeCode.objects.select_related("learner").filter(calendar_token=token).first()
    if code is None or not code.learner.is_active:
        raise Http404("No such calendar.")
    sessions = services.calendar_sessions_for_learner(learner=code.learner)
    content = sessions_calendar(sessions=sessions, name="My Learning City bookings")
    response = _calendar_response(content, "learning-city.ics")
    response["X-Robots-Tag"] = "noindex"
    return response
