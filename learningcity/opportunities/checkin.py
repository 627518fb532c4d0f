"""Attendance: each learner's personal check-in code, and checking them in to a session.

A learner shows their code as a QR code (its content is ``LC:`` and the eight characters) or
reads the eight characters aloud; staff scan or type it on the session's check-in page. When the
opportunity says so, checking in awards its linked badges at once, through
:func:`learningcity.badges.services.award_issue` like every other award.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from learningcity.accounts.models import User
from learningcity.badges.models import BadgeStatus
from learningcity.badges.services import AwardEvidence, award_issue
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import role_at_least
from learningcity.organisations.models import Membership, Role

from .booking import _session_lock, session_place_take
from .calendar import opportunity_absolute_url
from .models import (
    ATTENDEE_CODE_ALPHABET,
    ATTENDEE_CODE_LENGTH,
    AttendeeCode,
    Booking,
    BookingMode,
    BookingStatus,
    Session,
)

# What the QR code holds: a prefix, so a scanner that reads some other QR code (a poster's URL)
# is told it is not a check-in code instead of looking it up. Upper-case letters, digits and ":"
# keep the QR code in alphanumeric mode: the smallest symbol, the easiest to scan.
QR_PREFIX = "LC:"
# Staff may check people in from a day before a session starts (setting up, early arrivals) and
# at any time after it (catching up on paper lists), never for next week's session by mistake.
CHECK_IN_OPENS_BEFORE = datetime.timedelta(hours=24)
_CODE_PATTERN = re.compile(f"^[{ATTENDEE_CODE_ALPHABET}]{{{ATTENDEE_CODE_LENGTH}}}$")


def attendee_code_for(*, learner: User) -> AttendeeCode:
    """``learner``'s check-in code (and calendar token), made the first time it is asked for."""
    for _ in range(3):
        existing = AttendeeCode.objects.filter(learner=learner).first()
        if existing is not None:
            return existing
        try:
            with transaction.atomic():
                return AttendeeCode.objects.create(learner=learner)
        except IntegrityError:
            continue  # made by a parallel request, or (rarely) a code already taken: try again
    return AttendeeCode.objects.get(learner=learner)


def qr_payload(code: AttendeeCode) -> str:
    return f"{QR_PREFIX}{code.code}"


def code_display(code: str) -> str:
    """``ABCD2345`` as ``ABCD 2345``: two groups are easier to read aloud and type."""
    half = len(code) // 2
    return f"{code[:half]} {code[half:]}"


def attendee_code_normalise(raw: str) -> str:
    """The eight characters of a typed or scanned code: spaces and dashes gone, upper case, the
    QR prefix removed."""
    text = raw.strip().upper()
    if text.startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    return re.sub(r"[\s\-–—]", "", text)


def staff_name(user: User) -> str:
    """How a learner is named to the organisation's staff."""
    return user.display_name or user.email.split("@")[0]


@dataclass
class CheckInResult:
    """What happened, for the check-in page to announce."""

    learner: User
    booking: Booking
    already: bool = False
    walk_in: bool = False
    awarded: list[str] = field(default_factory=list)
    already_held: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return staff_name(self.learner)

    @property
    def message(self) -> str:
        if self.already:
            return f"{self.name} is already checked in."
        parts = [f"Checked in {self.name}"]
        if self.walk_in:
            parts[0] += " (no booking: a place was taken for them)"
        for badge in self.awarded:
            parts.append(f"badge {badge} awarded")
        for badge in self.already_held:
            parts.append(f"already had {badge}")
        return " — ".join(parts) + "."


def check_in_role(session: Session) -> Role:
    """The lowest role that may check people in to ``session``: issuer when checking in awards
    badges (it is then issuing), editor otherwise."""
    return Role.ISSUER if session.opportunity.award_on_check_in else Role.EDITOR


def may_check_in(*, user: User, session: Session) -> bool:
    if user.is_superuser:
        return True
    membership = Membership.objects.filter(
        organisation_id=session.opportunity.organisation_id, user=user
    ).first()
    return membership is not None and role_at_least(membership.role, check_in_role(session))


def attendee_check_in(*, session: Session, code: str, by: User) -> CheckInResult:
    """Check in the learner whose code is ``code`` to ``session``, and award the opportunity's
    published badges if it awards on check-in.

    - with a booked place: checked in;
    - on a drop-in (or externally booked) opportunity, or with no booking or a waitlist place on
      a bookable one: checked in as a walk-in if a place is left (one is taken for them);
    - already checked in: said so, nothing awarded twice.

    Refuses with :class:`AccessDenied` unless ``by`` is on the organisation's staff with at
    least :func:`check_in_role` (or is a superuser): the view checks first, this holds anyway.
    """
    if not may_check_in(user=by, session=session):
        raise AccessDenied(errors.ROLE_TOO_LOW)
    normalised = attendee_code_normalise(code)
    if not normalised:
        raise ServiceError(errors.CHECK_IN_CODE_EMPTY, field="code")
    if not _CODE_PATTERN.match(normalised):
        raise ServiceError(errors.CHECK_IN_CODE_INVALID.format(code=code.strip()), field="code")
    attendee = AttendeeCode.objects.select_related("learner").filter(code=normalised).first()
    if attendee is None:
        raise ServiceError(
            errors.CHECK_IN_CODE_UNKNOWN.format(code=code_display(normalised)), field="code"
        )
    learner = attendee.learner
    with transaction.atomic():
        locked = _session_lock(session)
        if locked.is_cancelled:
            raise ServiceError(errors.CHECK_IN_SESSION_CANCELLED)
        if timezone.now() < locked.starts_at - CHECK_IN_OPENS_BEFORE:
            raise ServiceError(errors.CHECK_IN_NOT_OPEN)
        booking = (
            Booking.objects.select_for_update()
            .filter(
                session=locked,
                learner=learner,
                status__in=(BookingStatus.BOOKED, BookingStatus.WAITLISTED),
            )
            .first()
        )
        if booking is not None and booking.checked_in_at is not None:
            return CheckInResult(learner=learner, booking=booking, already=True)
        walk_in = False
        if booking is None or booking.status == BookingStatus.WAITLISTED:
            if not session_place_take(session=locked):
                message = (
                    errors.CHECK_IN_WAITLISTED_FULL if booking else errors.CHECK_IN_FULL
                ).format(name=staff_name(learner))
                raise ServiceError(message)
            # A drop-in has no bookings, so the check-in is the booking: not a walk-in.
            walk_in = locked.opportunity.booking_mode == BookingMode.BOOK_HERE
            if booking is None:
                booking = Booking(session=locked, learner=learner)
            booking.status = BookingStatus.BOOKED
        booking.checked_in_at = timezone.now()
        booking.checked_in_by = by
        booking.save()
        result = CheckInResult(learner=learner, booking=booking, walk_in=walk_in)
        if locked.opportunity.award_on_check_in:
            _award_for_attendance(session=locked, learner=learner, by=by, result=result)
    return result


def _award_for_attendance(
    *, session: Session, learner: User, by: User, result: CheckInResult
) -> None:
    opportunity = session.opportunity
    day = date_format(timezone.localtime(session.starts_at), "j F Y")
    evidence = AwardEvidence(
        narrative=f"Attended {opportunity.title} on {day}",
        url=opportunity_absolute_url(session),
    )
    badge_classes = opportunity.badge_classes.filter(status=BadgeStatus.PUBLISHED).order_by("name")
    for badge_class in badge_classes:
        try:
            award_issue(
                badge_class=badge_class,
                recipient_email=learner.email,
                recipient_name=learner.display_name,
                issued_by=by,
                evidence=[evidence],
            )
        except ServiceError:
            # award_issue refuses a second live award (its own savepoint rolls back).
            result.already_held.append(badge_class.name)
        else:
            result.awarded.append(badge_class.name)


def checked_in_for_session(*, session: Session) -> QuerySet[Booking]:
    """Who has been checked in to ``session``, latest first."""
    return (
        Booking.objects.filter(session=session, checked_in_at__isnull=False)
        .exclude(status=BookingStatus.CANCELLED)
        .select_related("learner")
        .order_by("-checked_in_at", "-id")
    )
