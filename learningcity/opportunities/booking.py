"""Booking places on sessions, the waitlist, and saved ("liked") opportunities.

Every change to a session's places happens inside one transaction that starts by locking the
session row (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the settings' ``BEGIN IMMEDIATE``
takes the database's write lock instead). So bookings, cancellations and promotions of one
session run one after another, and the rules below hold under any number of concurrent requests:

- ``booked_count`` moves only by a conditional ``UPDATE … WHERE booked_count < capacity`` (the
  ``session_never_over_capacity`` check constraint backs it);
- a freed place goes to the oldest waitlisted booking before anyone else can take it;
- one learner has at most one live booking per session (the partial unique constraint
  ``one_live_booking_per_learner_per_session`` backs it).

Emails are sent after commit, through a task, so a rolled-back booking never sends one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Coalesce
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .models import (
    AttendeeCode,
    Booking,
    BookingMode,
    BookingStatus,
    Opportunity,
    SavedOpportunity,
    Session,
)
from .tasks import booking_email_send

LIVE_STATUSES = (BookingStatus.BOOKED, BookingStatus.WAITLISTED)


# --- Rules ---------------------------------------------------------------------------------------


def booking_refusal(*, session: Session, learner: User | AnonymousUser | None) -> str | None:
    """Why ``learner`` may not book ``session`` (a message from ``core.errors``), or ``None``.

    Checks everything that does not depend on the places left; :func:`booking_create` checks
    the rest under the session's lock. Templates use it to explain before anyone presses a button.
    """
    if learner is None or not learner.is_authenticated:
        return errors.BOOKING_SIGN_IN
    opportunity = session.opportunity
    if opportunity.booking_mode == BookingMode.DROP_IN:
        return errors.BOOKING_NO_BOOKING_NEEDED
    if opportunity.booking_mode != BookingMode.BOOK_HERE:
        return errors.BOOKING_NOT_HERE
    if session.is_cancelled:
        return errors.BOOKING_SESSION_CANCELLED
    if session.starts_at <= timezone.now():
        return errors.BOOKING_SESSION_STARTED
    profile = getattr(learner, "learner_profile", None)
    # Accounts with no learner profile (staff who only work with organisations) have no age on
    # record; the age range is the provider's to enforce for them at the door.
    if profile is not None:
        if profile.needs_guardian_consent:
            return errors.BOOKING_NEEDS_GUARDIAN_CONSENT
        ages = {"min_age": opportunity.min_age, "max_age": opportunity.max_age}
        if profile.age < opportunity.min_age:
            return errors.BOOKING_TOO_YOUNG.format(**ages)
        if profile.age > opportunity.max_age:
            return errors.BOOKING_TOO_OLD.format(**ages)
    return None


def _session_lock(session: Session) -> Session:
    """The session re-read under a row lock (precondition: inside ``transaction.atomic``)."""
    return (
        Session.objects.select_for_update()
        .select_related("opportunity__city", "opportunity__organisation")
        .get(pk=session.pk)
    )


def session_place_take(*, session: Session) -> bool:
    """Take one place on ``session`` if one is left (always, when capacity is unlimited).

    The conditional ``UPDATE`` is the only place a place is taken, so two people never get the
    last one. Precondition: inside ``transaction.atomic``.
    """
    taken = (
        Session.objects.filter(pk=session.pk)
        .filter(Q(capacity__isnull=True) | Q(booked_count__lt=F("capacity")))
        .update(booked_count=F("booked_count") + 1, updated_at=timezone.now())
    )
    return taken == 1


def _session_place_free(*, session: Session) -> None:
    Session.objects.filter(pk=session.pk, booked_count__gt=0).update(
        booked_count=F("booked_count") - 1, updated_at=timezone.now()
    )


# --- Booking and cancelling ----------------------------------------------------------------------


def booking_create(*, session: Session, learner: User | AnonymousUser | None) -> Booking:
    """Book ``learner`` a place on ``session``, or a waitlist place when it is full.

    Raises :class:`ServiceError` with the reason when they may not book (see
    :func:`booking_refusal`), when they already have a live booking, or when the session is full
    and the opportunity has no waitlist. Emails a confirmation after commit.
    """
    refusal = booking_refusal(session=session, learner=learner)
    if refusal:
        raise ServiceError(refusal)
    assert isinstance(learner, User)
    try:
        with transaction.atomic():
            locked = _session_lock(session)
            # Re-checked under the lock: the session may have been cancelled meanwhile.
            refusal = booking_refusal(session=locked, learner=learner)
            if refusal:
                raise ServiceError(refusal)
            if Booking.objects.filter(
                session=locked, learner=learner, status__in=LIVE_STATUSES
            ).exists():
                raise ServiceError(errors.BOOKING_ALREADY)
            if session_place_take(session=locked):
                status = BookingStatus.BOOKED
            elif locked.opportunity.waitlist_enabled:
                status = BookingStatus.WAITLISTED
            else:
                raise ServiceError(errors.BOOKING_FULL)
            booking = Booking.objects.create(session=locked, learner=learner, status=status)
    except IntegrityError as exc:
        # A second request from the same learner that got past the check above: the partial
        # unique constraint refused it and the transaction (with its place) was rolled back.
        raise ServiceError(errors.BOOKING_ALREADY) from exc
    booking_id = booking.pk
    kind = "booked" if status == BookingStatus.BOOKED else "waitlisted"
    transaction.on_commit(lambda: booking_email_send.enqueue(booking_id=booking_id, kind=kind))
    return booking


def booking_cancel(*, booking: Booking, by: User) -> Booking:
    """Cancel ``booking``. A confirmed place is given to the oldest waitlisted booking of the
    session at once (who is emailed after commit), or freed when no one is waiting.

    Precondition: ``by`` may cancel it (the learner, through ``access_booking_for_learner``, or
    the organisation's staff). A checked-in booking or one whose session has started stays.
    """
    promoted: Booking | None = None
    with transaction.atomic():
        locked_session = _session_lock(booking.session)
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status == BookingStatus.CANCELLED:
            raise ServiceError(errors.BOOKING_ALREADY_CANCELLED)
        if booking.checked_in_at is not None:
            raise ServiceError(errors.BOOKING_CANCEL_CHECKED_IN)
        if locked_session.starts_at <= timezone.now():
            raise ServiceError(errors.BOOKING_CANCEL_TOO_LATE)
        was_booked = booking.status == BookingStatus.BOOKED
        booking.status = BookingStatus.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["status", "cancelled_at", "updated_at"])
        if was_booked:
            promoted = _waitlist_promote_first(session=locked_session)
            if promoted is None:
                _session_place_free(session=locked_session)
    booking.session = locked_session
    return booking


def _waitlist_promote_first(*, session: Session) -> Booking | None:
    """Move the place just freed to the oldest waitlisted booking (``booked_count`` unchanged).

    Precondition: the caller holds the session's lock and has just freed a confirmed place.
    """
    first = (
        Booking.objects.select_for_update()
        .filter(session=session, status=BookingStatus.WAITLISTED)
        .order_by("created_at", "id")
        .first()
    )
    if first is None:
        return None
    first.status = BookingStatus.BOOKED
    first.promoted_at = timezone.now()
    first.save(update_fields=["status", "promoted_at", "updated_at"])
    first_id = first.pk
    transaction.on_commit(lambda: booking_email_send.enqueue(booking_id=first_id, kind="promoted"))
    return first


def session_waitlist_fill(*, session: Session) -> list[Booking]:
    """Give any places left on ``session`` to its waitlist, oldest first (after its capacity was
    raised, say). Returns the bookings promoted; each learner is emailed after commit."""
    promoted = []
    with transaction.atomic():
        locked = _session_lock(session)
        if locked.is_cancelled or locked.starts_at <= timezone.now():
            return []
        waiting = (
            Booking.objects.select_for_update()
            .filter(session=locked, status=BookingStatus.WAITLISTED)
            .order_by("created_at", "id")
        )
        for booking in waiting:
            if not session_place_take(session=locked):
                break
            booking.status = BookingStatus.BOOKED
            booking.promoted_at = timezone.now()
            booking.save(update_fields=["status", "promoted_at", "updated_at"])
            transaction.on_commit(partial(_email_promoted, booking.pk))
            promoted.append(booking)
    return promoted


def _email_promoted(booking_id: int) -> None:
    booking_email_send.enqueue(booking_id=booking_id, kind="promoted")


# --- Saved opportunities -------------------------------------------------------------------------


def opportunity_save_toggle(*, learner: User, opportunity: Opportunity) -> bool:
    """Save ``opportunity`` for ``learner``, or unsave it if saved. Returns whether it is saved."""
    deleted, _ = SavedOpportunity.objects.filter(learner=learner, opportunity=opportunity).delete()
    if deleted:
        return False
    try:
        with transaction.atomic():
            SavedOpportunity.objects.create(learner=learner, opportunity=opportunity)
    except IntegrityError:
        pass  # saved by a second click at the same moment: saved either way
    return True


# --- Reads for the learner's and the staff's pages ------------------------------------------------


def _waitlist_position() -> CombinedExpression:
    ahead = (
        Booking.objects.filter(
            session=OuterRef("session"),
            status=BookingStatus.WAITLISTED,
            created_at__lt=OuterRef("created_at"),
        )
        .order_by()
        .values("session")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), Value(0)) + 1


def bookings_for_learner(*, learner: User) -> QuerySet[Booking]:
    """The learner's live bookings, soonest first, with ``waitlist_position`` annotated."""
    return (
        Booking.objects.filter(learner=learner, status__in=LIVE_STATUSES)
        .select_related("session__opportunity__city", "session__opportunity__organisation")
        .annotate(waitlist_position=_waitlist_position())
        .order_by("session__starts_at", "id")
    )


def bookings_by_session(*, sessions: list[Session], learner: User) -> dict[int, Booking]:
    """``learner``'s live booking on each of ``sessions`` (by session pk), in one query."""
    bookings = (
        Booking.objects.filter(learner=learner, session__in=sessions, status__in=LIVE_STATUSES)
        .annotate(waitlist_position=_waitlist_position())
        .order_by()
    )
    return {booking.session_id: booking for booking in bookings}


def bookings_for_session(*, session: Session) -> QuerySet[Booking]:
    """Live bookings of ``session`` for its staff: booked first, then the waitlist in order."""
    return (
        Booking.objects.filter(session=session, status__in=LIVE_STATUSES)
        .select_related("learner", "checked_in_by")
        .order_by("status", "created_at", "id")  # "booked" sorts before "waitlisted"
    )


def saved_for_learner(*, learner: User) -> QuerySet[SavedOpportunity]:
    return SavedOpportunity.objects.filter(learner=learner).select_related(
        "opportunity__city", "opportunity__organisation"
    )


def calendar_sessions_for_learner(*, learner: User) -> QuerySet[Session]:
    """Sessions ``learner`` has a confirmed place on that have not ended (cancelled ones too, so
    subscribed calendars strike them out)."""
    return (
        Session.objects.filter(
            bookings__learner=learner,
            bookings__status=BookingStatus.BOOKED,
            ends_at__gte=timezone.now(),
        )
        .select_related("opportunity__city")
        .distinct()
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class SessionRow:
    """One session as the public opportunity page shows it to one visitor."""

    session: Session
    booking: Booking | None
    refusal: str | None


def session_rows_for_visitor(
    *, sessions: list[Session], user: User | AnonymousUser
) -> list[SessionRow]:
    mine = bookings_by_session(sessions=sessions, learner=user) if user.is_authenticated else {}
    return [
        SessionRow(
            session=session,
            booking=mine.get(session.pk),
            refusal=booking_refusal(session=session, learner=user),
        )
        for session in sessions
    ]


def calendar_token_reset(*, learner: User) -> AttendeeCode:
    """Give ``learner``'s calendar feed a new secret address (the old one stops working)."""
    from .checkin import attendee_code_for
    from .models import new_calendar_token

    code = attendee_code_for(learner=learner)
    code.calendar_token = new_calendar_token()
    code.save(update_fields=["calendar_token", "updated_at"])
    return code
