"""Check-in: personal codes, checking in with and without a booking, and the badge it awards."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from learningcity.accounts.tests.factories import LearnerProfileFactory
from learningcity.badges.models import Award, BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.opportunities import booking as booking_services
from learningcity.opportunities.checkin import (
    attendee_check_in,
    attendee_code_for,
    attendee_code_normalise,
    checked_in_for_session,
    code_display,
    qr_payload,
)
from learningcity.opportunities.models import (
    ATTENDEE_CODE_ALPHABET,
    AttendeeCode,
    Booking,
    BookingMode,
    BookingStatus,
    Session,
)
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def learner(name: str = "Sam Kent"):
    return LearnerProfileFactory(age=16, user__display_name=name).user


def soon_session(**opportunity_fields) -> Session:
    starts = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    opportunity = OpportunityFactory(**opportunity_fields)
    return SessionFactory(
        opportunity=opportunity, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )


def staff_for(session: Session, role: Role = Role.ISSUER):
    """A member of the session's organisation's staff with ``role``."""
    return MembershipFactory(organisation=session.opportunity.organisation, role=role).user


def code_of(person) -> str:
    return attendee_code_for(learner=person).code


# --- Codes ---------------------------------------------------------------------------------------


def test_a_learners_code_is_made_once_and_kept():
    person = learner()
    first = attendee_code_for(learner=person)
    assert attendee_code_for(learner=person) == first
    assert AttendeeCode.objects.count() == 1
    assert len(first.code) == 8 and set(first.code) <= set(ATTENDEE_CODE_ALPHABET)


@pytest.mark.parametrize(
    "typed", ["abcd2345", " ABCD 2345 ", "abcd-2345", "LC:ABCD2345", "lc:abcd 2345"]
)
def test_typed_and_scanned_codes_are_normalised(typed):
    assert attendee_code_normalise(typed) == "ABCD2345"


def test_the_qr_payload_and_display_form():
    code = attendee_code_for(learner=learner())
    assert qr_payload(code) == f"LC:{code.code}"
    assert code_display("ABCD2345") == "ABCD 2345"


# --- Checking in ---------------------------------------------------------------------------------


def test_a_booked_learner_is_checked_in():
    session = soon_session(capacity=5)
    person = learner()
    staff = staff_for(session)
    booking = booking_services.booking_create(session=session, learner=person)
    result = attendee_check_in(session=session, code=code_of(person).lower(), by=staff)
    booking.refresh_from_db()
    assert booking.checked_in_at is not None and booking.checked_in_by == staff
    assert result.message == "Checked in Sam Kent."
    assert not result.walk_in and not result.already
    assert list(checked_in_for_session(session=session)) == [booking]


def test_a_second_check_in_says_already_checked_in_and_awards_nothing_more():
    badge = BadgeClassFactory(status=BadgeStatus.PUBLISHED, name="Coding Club Starter")
    session = soon_session(capacity=5, award_on_check_in=True)
    session.opportunity.badge_classes.add(badge)
    person = learner()
    staff = staff_for(session)
    booking_services.booking_create(session=session, learner=person)
    first = attendee_check_in(
        session=session, code=qr_payload(attendee_code_for(learner=person)), by=staff
    )
    assert first.awarded == ["Coding Club Starter"]
    assert first.message == "Checked in Sam Kent — badge Coding Club Starter awarded."
    second = attendee_check_in(session=session, code=code_of(person), by=staff)
    assert second.already and second.message == "Sam Kent is already checked in."
    assert Award.objects.filter(badge_class=badge).count() == 1
    award = Award.objects.get()
    assert award.recipient_email == person.email
    assert award.issued_by == staff
    assert award.evidence[0]["narrative"].startswith(f"Attended {session.opportunity.title} on ")


def test_only_published_badges_are_awarded_and_held_ones_are_reported():
    held = BadgeClassFactory(status=BadgeStatus.PUBLISHED, name="Already Mine")
    draft = BadgeClassFactory(status=BadgeStatus.DRAFT, name="Not Yet")
    session = soon_session(capacity=5, award_on_check_in=True)
    session.opportunity.badge_classes.add(held, draft)
    person = learner()
    staff = staff_for(session)
    from learningcity.badges.services import award_issue

    award_issue(badge_class=held, recipient_email=person.email, issued_by=staff)
    booking_services.booking_create(session=session, learner=person)
    result = attendee_check_in(session=session, code=code_of(person), by=staff)
    assert result.awarded == [] and result.already_held == ["Already Mine"]
    assert "already had Already Mine" in result.message
    assert Award.objects.count() == 1
    assert Booking.objects.get(learner=person).checked_in_at is not None


def test_no_badge_is_awarded_when_the_opportunity_does_not_award_on_check_in():
    badge = BadgeClassFactory(status=BadgeStatus.PUBLISHED)
    session = soon_session(capacity=5, award_on_check_in=False)
    session.opportunity.badge_classes.add(badge)
    person = learner()
    booking_services.booking_create(session=session, learner=person)
    attendee_check_in(session=session, code=code_of(person), by=staff_for(session))
    assert not Award.objects.exists()


def test_a_drop_in_creates_a_booked_place_at_check_in():
    session = soon_session(capacity=None, booking_mode=BookingMode.DROP_IN)
    person = learner()
    result = attendee_check_in(session=session, code=code_of(person), by=staff_for(session))
    assert not result.walk_in
    booking = Booking.objects.get(session=session, learner=person)
    assert booking.status == BookingStatus.BOOKED and booking.checked_in_at
    assert Session.objects.get(pk=session.pk).booked_count == 1


def test_a_full_drop_in_refuses_more():
    session = soon_session(capacity=1, booking_mode=BookingMode.DROP_IN)
    attendee_check_in(session=session, code=code_of(learner("A B")), by=staff_for(session))
    with pytest.raises(ServiceError) as caught:
        attendee_check_in(
            session=session, code=code_of(learner("Jo Bloggs")), by=staff_for(session)
        )
    assert caught.value.message == errors.CHECK_IN_FULL.format(name="Jo Bloggs")


def test_a_learner_without_a_booking_is_a_walk_in_while_places_are_left():
    session = soon_session(capacity=2)
    person = learner()
    result = attendee_check_in(session=session, code=code_of(person), by=staff_for(session))
    assert result.walk_in
    assert "no booking" in result.message
    assert Session.objects.get(pk=session.pk).booked_count == 1


def test_a_learner_without_a_booking_is_refused_when_full():
    session = soon_session(capacity=1)
    booking_services.booking_create(session=session, learner=learner("A B"))
    with pytest.raises(ServiceError) as caught:
        attendee_check_in(
            session=session, code=code_of(learner("Jo Bloggs")), by=staff_for(session)
        )
    assert caught.value.message == errors.CHECK_IN_FULL.format(name="Jo Bloggs")


def test_a_waitlisted_learner_is_refused_when_full_and_let_in_when_not():
    session = soon_session(capacity=1)
    booked = learner("A B")
    first = booking_services.booking_create(session=session, learner=booked)
    waiting = learner("Jo Bloggs")
    booking_services.booking_create(session=session, learner=waiting)
    with pytest.raises(ServiceError) as caught:
        attendee_check_in(session=session, code=code_of(waiting), by=staff_for(session))
    assert caught.value.message == errors.CHECK_IN_WAITLISTED_FULL.format(name="Jo Bloggs")
    Session.objects.filter(pk=session.pk).update(capacity=2)
    result = attendee_check_in(session=session, code=code_of(waiting), by=staff_for(session))
    assert result.walk_in
    assert Booking.objects.get(learner=waiting).status == BookingStatus.BOOKED
    assert Booking.objects.get(pk=first.pk).status == BookingStatus.BOOKED


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", errors.CHECK_IN_CODE_EMPTY),
        ("  - ", errors.CHECK_IN_CODE_EMPTY),
        ("hello", errors.CHECK_IN_CODE_INVALID.format(code="hello")),
        ("https://example.org/", errors.CHECK_IN_CODE_INVALID.format(code="https://example.org/")),
        ("ZZZZ2222", errors.CHECK_IN_CODE_UNKNOWN.format(code="ZZZZ 2222")),
    ],
)
def test_bad_codes_are_explained(code, message):
    session = soon_session()
    with pytest.raises(ServiceError) as caught:
        attendee_check_in(session=session, code=code, by=staff_for(session))
    assert caught.value.message == message


def test_no_check_in_to_a_cancelled_session():
    session = soon_session(capacity=3)
    person = learner()
    booking_services.booking_create(session=session, learner=person)
    Session.objects.filter(pk=session.pk).update(is_cancelled=True)
    with pytest.raises(ServiceError) as caught:
        attendee_check_in(session=session, code=code_of(person), by=staff_for(session))
    assert caught.value.message == errors.CHECK_IN_SESSION_CANCELLED


def test_check_in_opens_a_day_before_the_session():
    session = SessionFactory(opportunity=OpportunityFactory(capacity=3))  # a week away
    person = learner()
    booking_services.booking_create(session=session, learner=person)
    with pytest.raises(ServiceError) as caught:
        attendee_check_in(session=session, code=code_of(person), by=staff_for(session))
    assert caught.value.message == errors.CHECK_IN_NOT_OPEN


def test_check_in_after_the_session_still_works():
    starts = timezone.now() - datetime.timedelta(days=2)
    session = SessionFactory(
        opportunity=OpportunityFactory(capacity=3),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )
    person = learner()
    result = attendee_check_in(session=session, code=code_of(person), by=staff_for(session))
    assert result.booking.checked_in_at is not None


@pytest.mark.parametrize(
    ("role", "awards", "allowed"),
    [
        (Role.VIEWER, False, False),
        (Role.EDITOR, False, True),
        (Role.EDITOR, True, False),
        (Role.ISSUER, True, True),
    ],
)
def test_the_service_itself_refuses_staff_whose_role_is_too_low(role, awards, allowed):
    session = soon_session(capacity=5, award_on_check_in=awards)
    person = learner()
    booking_services.booking_create(session=session, learner=person)
    if allowed:
        assert attendee_check_in(session=session, code=code_of(person), by=staff_for(session, role))
    else:
        with pytest.raises(AccessDenied):
            attendee_check_in(session=session, code=code_of(person), by=staff_for(session, role))


def test_staff_of_another_organisation_cannot_check_in():
    session = soon_session(capacity=5)
    person = learner()
    booking_services.booking_create(session=session, learner=person)
    outsider = MembershipFactory(role=Role.OWNER).user
    with pytest.raises(AccessDenied):
        attendee_check_in(session=session, code=code_of(person), by=outsider)
