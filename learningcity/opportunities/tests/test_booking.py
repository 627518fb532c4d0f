"""Booking services: places, the waitlist, promotion, refusals, saved opportunities, the feed."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone
from icalendar import Calendar

from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.opportunities import booking as services
from learningcity.opportunities.calendar import session_uid, sessions_calendar
from learningcity.opportunities.models import (
    Booking,
    BookingMode,
    BookingStatus,
    Delivery,
    SavedOpportunity,
    Session,
)
from learningcity.opportunities.tests.factories import (
    BookingFactory,
    OpportunityFactory,
    SessionFactory,
)

pytestmark = pytest.mark.django_db


def learner(age: int = 16, **kwargs):
    return LearnerProfileFactory(age=age, **kwargs).user


def session_with(capacity: int | None = 2, **opportunity_fields) -> Session:
    opportunity = OpportunityFactory(capacity=capacity, **opportunity_fields)
    return SessionFactory(opportunity=opportunity)


def refresh(session: Session) -> Session:
    return Session.objects.get(pk=session.pk)


# --- Booking --------------------------------------------------------------------------------------


def test_booking_takes_a_place_and_emails_a_confirmation(django_capture_on_commit_callbacks):
    session = session_with(capacity=2)
    person = learner()
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(session=session, learner=person)
    assert booking.status == BookingStatus.BOOKED
    assert refresh(session).booked_count == 1
    assert mail.outbox[-1].to == [person.email]
    assert "is booked" in mail.outbox[-1].subject


def test_a_full_session_puts_the_learner_on_the_waitlist(django_capture_on_commit_callbacks):
    session = session_with(capacity=1)
    services.booking_create(session=session, learner=learner())
    with django_capture_on_commit_callbacks(execute=True):
        booking = services.booking_create(session=session, learner=learner())
    assert booking.status == BookingStatus.WAITLISTED
    assert refresh(session).booked_count == 1
    assert "waitlist" in mail.outbox[-1].subject


def test_a_full_session_without_a_waitlist_is_refused():
    session = session_with(capacity=1, waitlist_enabled=False)
    services.booking_create(session=session, learner=learner())
    with pytest.raises(ServiceError) as caught:
        services.booking_create(session=session, learner=learner())
    assert caught.value.message == errors.BOOKING_FULL
    assert Booking.objects.count() == 1


def test_unlimited_capacity_always_books():
    session = session_with(capacity=None)
    for _ in range(5):
        assert services.booking_create(session=session, learner=learner()).status == "booked"
    assert refresh(session).booked_count == 5


def test_booking_twice_is_refused():
    session = session_with(capacity=5)
    person = learner()
    services.booking_create(session=session, learner=person)
    with pytest.raises(ServiceError) as caught:
        services.booking_create(session=session, learner=person)
    assert caught.value.message == errors.BOOKING_ALREADY
    assert refresh(session).booked_count == 1


def test_the_unique_constraint_backs_the_already_booked_rule(monkeypatch):
    session = session_with(capacity=5)
    person = learner()
    BookingFactory(session=session, learner=person, status=BookingStatus.WAITLISTED)
    # Pretend the check missed it (as a concurrent request would): the constraint still refuses.
    monkeypatch.setattr(services, "LIVE_STATUSES", ())
    with pytest.raises(ServiceError) as caught:
        services.booking_create(session=session, learner=person)
    assert caught.value.message == errors.BOOKING_ALREADY
    assert refresh(session).booked_count == 0  # the place taken was rolled back


def test_booking_again_after_cancelling_is_allowed():
    session = session_with(capacity=5)
    person = learner()
    first = services.booking_create(session=session, learner=person)
    services.booking_cancel(booking=first, by=person)
    again = services.booking_create(session=session, learner=person)
    assert again.status == BookingStatus.BOOKED
    assert refresh(session).booked_count == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ({"learner": AnonymousUser()}, errors.BOOKING_SIGN_IN),
        ({"learner": None}, errors.BOOKING_SIGN_IN),
        ({"booking_mode": BookingMode.EXTERNAL}, errors.BOOKING_NOT_HERE),
        ({"booking_mode": BookingMode.DROP_IN}, errors.BOOKING_NO_BOOKING_NEEDED),
        ({"is_cancelled": True}, errors.BOOKING_SESSION_CANCELLED),
        ({"started": True}, errors.BOOKING_SESSION_STARTED),
        ({"age": 13}, errors.BOOKING_TOO_YOUNG.format(min_age=14, max_age=25)),
        ({"age": 26}, errors.BOOKING_TOO_OLD.format(min_age=14, max_age=25)),
    ],
)
def test_booking_is_refused_with_a_clear_reason(setup, message):
    opportunity = OpportunityFactory(
        capacity=5, min_age=14, booking_mode=setup.get("booking_mode", BookingMode.BOOK_HERE)
    )
    starts = timezone.now() + datetime.timedelta(days=-1 if setup.get("started") else 3)
    session = SessionFactory(
        opportunity=opportunity,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(days=2),
        is_cancelled=setup.get("is_cancelled", False),
    )
    person = setup["learner"] if "learner" in setup else learner(age=setup.get("age", 16))
    with pytest.raises(ServiceError) as caught:
        services.booking_create(session=session, learner=person)
    assert caught.value.message == message
    assert refresh(session).booked_count == 0


def test_an_under_13_waiting_for_guardian_consent_cannot_book():
    child = learner(age=12)
    GuardianConsentFactory(child=child)
    with pytest.raises(ServiceError) as caught:
        services.booking_create(session=session_with(min_age=8), learner=child)
    assert caught.value.message == errors.BOOKING_NEEDS_GUARDIAN_CONSENT


def test_an_under_13_whose_guardian_said_yes_can_book():
    child = learner(age=12)
    GuardianConsentFactory(child=child, confirmed_at=timezone.now())
    booking = services.booking_create(session=session_with(min_age=8), learner=child)
    assert booking.status == BookingStatus.BOOKED


def test_an_account_without_a_learner_profile_can_book():
    booking = services.booking_create(session=session_with(), learner=UserFactory())
    assert booking.status == BookingStatus.BOOKED


# --- Cancelling and promotion ---------------------------------------------------------------------


def test_cancelling_a_place_promotes_the_oldest_on_the_waitlist(django_capture_on_commit_callbacks):
    session = session_with(capacity=1)
    first = learner()
    booked = services.booking_create(session=session, learner=first)
    oldest = services.booking_create(session=session, learner=learner())
    newer = services.booking_create(session=session, learner=learner())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.booking_cancel(booking=booked, by=first)
    oldest.refresh_from_db()
    newer.refresh_from_db()
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CANCELLED and booked.cancelled_at
    assert oldest.status == BookingStatus.BOOKED and oldest.promoted_at
    assert newer.status == BookingStatus.WAITLISTED
    assert refresh(session).booked_count == 1
    assert [m.subject for m in mail.outbox] == [
        f"You've got a place at {session.opportunity.title}"
    ]
    assert mail.outbox[0].to == [oldest.learner.email]


def test_cancelling_a_place_with_no_waitlist_frees_it():
    session = session_with(capacity=2)
    person = learner()
    booking = services.booking_create(session=session, learner=person)
    services.booking_cancel(booking=booking, by=person)
    assert refresh(session).booked_count == 0


def test_leaving_the_waitlist_frees_nothing():
    session = session_with(capacity=1)
    services.booking_create(session=session, learner=learner())
    person = learner()
    waiting = services.booking_create(session=session, learner=person)
    services.booking_cancel(booking=waiting, by=person)
    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.CANCELLED
    assert refresh(session).booked_count == 1


def test_cancelling_twice_is_refused():
    session = session_with()
    person = learner()
    booking = services.booking_create(session=session, learner=person)
    services.booking_cancel(booking=booking, by=person)
    with pytest.raises(ServiceError) as caught:
        services.booking_cancel(booking=booking, by=person)
    assert caught.value.message == errors.BOOKING_ALREADY_CANCELLED
    assert refresh(session).booked_count == 0


def test_a_started_session_cannot_be_cancelled():
    starts = timezone.now() - datetime.timedelta(minutes=5)
    session = SessionFactory(
        opportunity=OpportunityFactory(capacity=3),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1),
        booked_count=1,
    )
    booking = BookingFactory(session=session)
    with pytest.raises(ServiceError) as caught:
        services.booking_cancel(booking=booking, by=booking.learner)
    assert caught.value.message == errors.BOOKING_CANCEL_TOO_LATE


def test_a_checked_in_booking_cannot_be_cancelled():
    session = SessionFactory(opportunity=OpportunityFactory(capacity=3), booked_count=1)
    booking = BookingFactory(session=session, checked_in_at=timezone.now())
    with pytest.raises(ServiceError) as caught:
        services.booking_cancel(booking=booking, by=booking.learner)
    assert caught.value.message == errors.BOOKING_CANCEL_CHECKED_IN


def test_raising_capacity_fills_places_from_the_waitlist(django_capture_on_commit_callbacks):
    session = session_with(capacity=1)
    services.booking_create(session=session, learner=learner())
    waiting = [services.booking_create(session=session, learner=learner()) for _ in range(3)]
    Session.objects.filter(pk=session.pk).update(capacity=3)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = services.session_waitlist_fill(session=session)
    assert [b.pk for b in promoted] == [waiting[0].pk, waiting[1].pk]
    assert refresh(session).booked_count == 3
    assert len([m for m in mail.outbox if "got a place" in m.subject]) == 2


# --- Reads --------------------------------------------------------------------------------------


def test_waitlist_positions_count_from_one_in_joining_order():
    session = session_with(capacity=1)
    services.booking_create(session=session, learner=learner())
    people = [learner() for _ in range(3)]
    for person in people:
        services.booking_create(session=session, learner=person)
    positions = [
        services.bookings_for_learner(learner=person).get().waitlist_position for person in people
    ]
    assert positions == [1, 2, 3]


def test_session_rows_show_the_visitors_own_booking():
    session = session_with(capacity=3)
    other = session_with(capacity=3)
    person = learner()
    booking = services.booking_create(session=session, learner=person)
    rows = services.session_rows_for_visitor(sessions=[session, other], user=person)
    assert rows[0].booking == booking and rows[1].booking is None
    anonymous_rows = services.session_rows_for_visitor(sessions=[session], user=AnonymousUser())
    assert anonymous_rows[0].refusal == errors.BOOKING_SIGN_IN


# --- Saved --------------------------------------------------------------------------------------


def test_saving_toggles():
    person = learner()
    opportunity = OpportunityFactory()
    assert services.opportunity_save_toggle(learner=person, opportunity=opportunity) is True
    assert SavedOpportunity.objects.filter(learner=person).count() == 1
    assert services.opportunity_save_toggle(learner=person, opportunity=opportunity) is False
    assert not SavedOpportunity.objects.exists()


# --- Calendar -----------------------------------------------------------------------------------


def test_the_calendar_has_one_event_per_session_in_utc_with_a_stable_uid(settings):
    settings.SITE_URL = "https://learning.example"
    opportunity = OpportunityFactory(venue_name="Hove Library", address="182 Church Road")
    session = SessionFactory(opportunity=opportunity)
    cancelled = SessionFactory(opportunity=opportunity, is_cancelled=True)
    online = SessionFactory(opportunity=OpportunityFactory(delivery=Delivery.ONLINE))
    document = Calendar.from_ical(
        sessions_calendar(sessions=[session, cancelled, online], name="Mine")
    )
    assert str(document["prodid"]).startswith("-//Learning City")
    events = document.walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [session_uid(s) for s in (session, cancelled, online)]
    assert events[0]["dtstart"].dt == session.starts_at
    assert events[0]["dtstart"].dt.utcoffset() == datetime.timedelta(0)
    assert str(events[0]["location"]) == "Hove Library, 182 Church Road"
    assert str(events[0]["summary"]) == opportunity.title
    assert str(events[1]["status"]) == "CANCELLED"
    assert str(events[2]["location"]) == "Online"


def test_the_uid_uses_site_domain_when_set(settings):
    settings.SITE_DOMAIN = "learningcity.example"
    session = SessionFactory()
    assert session_uid(session) == f"{session.public_id}@learningcity.example"


def test_the_learners_feed_has_booked_upcoming_sessions_only():
    person = learner()
    booked = session_with(capacity=3)
    services.booking_create(session=booked, learner=person)
    full = session_with(capacity=1)
    services.booking_create(session=full, learner=learner())
    services.booking_create(session=full, learner=person)  # waitlisted
    past = SessionFactory(
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=2),
    )
    BookingFactory(session=past, learner=person)
    assert list(services.calendar_sessions_for_learner(learner=person)) == [booked]


def test_resetting_the_calendar_token_changes_it():
    person = learner()
    from learningcity.opportunities.checkin import attendee_code_for

    before = attendee_code_for(learner=person).calendar_token
    after = services.calendar_token_reset(learner=person).calendar_token
    assert after != before
