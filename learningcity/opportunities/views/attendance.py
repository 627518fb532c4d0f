"""A session's staff pages: who booked (and a CSV of it) and the check-in page.

Any staff role sees the attendees. Checking in needs the editor role, or the issuer role when the
opportunity awards its badges on check-in (checking in is then issuing a badge).
"""

from __future__ import annotations

import csv
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from learningcity.accounts.models import User
from learningcity.badges.issuing import csv_safe
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.organisations.access import role_at_least
from learningcity.organisations.models import Membership

from ..access import access_session_for_staff
from ..booking import bookings_for_session
from ..checkin import (
    CheckInResult,
    attendee_check_in,
    check_in_role,
    checked_in_for_session,
    staff_name,
)
from ..forms_booking import CheckInForm
from ..models import Booking, BookingStatus, Session


def _may_check_in(session: Session, membership: Membership | None) -> bool:
    # Superusers pass access with no membership.
    return membership is None or role_at_least(membership.role, check_in_role(session))


def _attendee_rows(session: Session) -> dict[str, object]:
    booked: list[Booking] = []
    waitlisted: list[Booking] = []
    for booking in bookings_for_session(session=session):
        (booked if booking.status == BookingStatus.BOOKED else waitlisted).append(booking)
    return {
        "booked": booked,
        "waitlisted": waitlisted,
        "checked_in_count": sum(1 for b in booked if b.checked_in_at),
    }


@login_required
@require_GET
def session_attendees(
    request: HttpRequest, city_slug: str, org_slug: str, session_id: str
) -> HttpResponse:
    session, membership = access_session_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, session_id=session_id
    )
    return render(
        request,
        "opportunities/attendance/attendees.html",
        {
            "session": session,
            "opportunity": session.opportunity,
            "organisation": session.opportunity.organisation,
            "may_check_in": _may_check_in(session, membership),
            **_attendee_rows(session),
        },
    )


@login_required
@require_GET
def session_attendees_csv(
    request: HttpRequest, city_slug: str, org_slug: str, session_id: str
) -> HttpResponse:
    session, _ = access_session_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, session_id=session_id
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendees-{session.public_id}.csv"'
    writer = csv.writer(response)
    writer.writerow(["name", "status", "booked_at", "checked_in_at"])
    for booking in bookings_for_session(session=session):
        checked_in = booking.checked_in_at
        writer.writerow(
            [
                csv_safe(staff_name(booking.learner)),
                csv_safe(booking.get_status_display()),
                csv_safe(timezone.localtime(booking.created_at).isoformat(timespec="minutes")),
                csv_safe(
                    timezone.localtime(checked_in).isoformat(timespec="minutes")
                    if checked_in
                    else ""
                ),
            ]
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def session_check_in(
    request: HttpRequest, city_slug: str, org_slug: str, session_id: str
) -> HttpResponse:
    """The check-in page. A POST answers with the page again (no redirect: the next learner is
    already waiting), or with JSON for the page's script (``Accept: application/json``)."""
    session, membership = access_session_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, session_id=session_id
    )
    if not _may_check_in(session, membership):
        raise PermissionDenied(
            errors.CHECK_IN_AWARD_NEEDS_ISSUER
            if session.opportunity.award_on_check_in
            else errors.ROLE_TOO_LOW
        )
    wants_json = "application/json" in request.headers.get("Accept", "")
    result: CheckInResult | None = None
    error = ""
    form = CheckInForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                result = attendee_check_in(
                    session=session, code=form.cleaned_data["code"], by=cast(User, request.user)
                )
            except ServiceError as exc:
                error = exc.message
        else:
            error = errors.CHECK_IN_CODE_EMPTY
        if error:
            status = 400
        else:
            form = CheckInForm()  # empty, ready for the next learner
        if wants_json:
            return JsonResponse(
                {
                    "ok": not error,
                    "already": bool(result and result.already),
                    "message": error or (result.message if result else ""),
                    "name": result.name if result else "",
                    "time": (
                        timezone.localtime(result.booking.checked_in_at).strftime("%H:%M")
                        if result and result.booking.checked_in_at
                        else ""
                    ),
                },
                status=status,
            )
    checked_in = list(checked_in_for_session(session=session))
    return render(
        request,
        "opportunities/attendance/check_in.html",
        {
            "session": session,
            "opportunity": session.opportunity,
            "organisation": session.opportunity.organisation,
            "form": form,
            "result": result,
            "error": error,
            "checked_in": checked_in,
        },
        status=status,
    )
