"""The opportunities app's part of deleting a person's account (``learners.privacy``).

Places on sessions still to come are given back through :func:`booking.booking_cancel`, so the
waitlist moves up and ``booked_count`` stays true. Then every booking row of the person goes:
``Booking.learner`` is required (``on_delete=CASCADE``), so a past booking cannot be kept without
its learner. A past session's ``booked_count`` is left as it was (the organisation's record of how
many came), but the row-level attendance of that person (who checked in, shown on the
attendance page and in its CSV) is lost with the row.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.core.errors import ServiceError

from .booking import LIVE_STATUSES, booking_cancel
from .models import AttendeeCode, Booking, SavedOpportunity


@dataclass
class OpportunitiesErased:
    bookings_cancelled: int = 0
    bookings_deleted: int = 0
    saved_deleted: int = 0


def opportunities_erase_for(*, user: User) -> OpportunitiesErased:
    """Cancel ``user``'s places on sessions still to come, then delete their bookings, saved
    opportunities and attendee (check-in) code.

    Precondition: inside the caller's ``transaction.atomic``.
    """
    result = OpportunitiesErased()
    upcoming = Booking.objects.filter(
        learner=user,
        status__in=LIVE_STATUSES,
        checked_in_at__isnull=True,
        session__starts_at__gt=timezone.now(),
    ).select_related("session")
    for booking in upcoming.order_by("pk"):
        try:
            booking_cancel(booking=booking, by=user)
        except ServiceError:
            # Started or checked in since the query: it counts as attended, so it stays counted.
            continue
        result.bookings_cancelled += 1
    result.bookings_deleted, _ = Booking.objects.filter(learner=user).delete()
    result.saved_deleted, _ = SavedOpportunity.objects.filter(learner=user).delete()
    AttendeeCode.objects.filter(learner=user).delete()
    return result
