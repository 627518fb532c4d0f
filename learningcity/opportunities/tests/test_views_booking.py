"""The learner's booking URLs: book, save, cancel, their pages, the calendar feeds, and the
session list included on the public opportunity page."""

from __future__ import annotations

import html

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from icalendar import Calendar

from learningcity.accounts.tests.factories import LearnerProfileFactory
from learningcity.core import errors
from learningcity.opportunities import booking as services
from learningcity.opportunities.calendar import session_uid
from learningcity.opportunities.checkin import attendee_code_for
from learningcity.opportunities.models import (
    AttendeeCode,
    Booking,
    BookingMode,
    BookingStatus,
    OpportunityStatus,
    SavedOpportunity,
    Session,
)
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory

pytestmark = pytest.mark.django_db


def learner():
    return LearnerProfileFactory(age=16).user


def book_url(session: Session) -> str:
    opportunity = session.opportunity
    return reverse(
        "opportunity-book",
        kwargs={
            "city_slug": opportunity.city.slug,
            "public_id": opportunity.public_id,
            "session_id": session.public_id,
        },
    )


def save_url(opportunity) -> str:
    return reverse(
        "opportunity-save",
        kwargs={"city_slug": opportunity.city.slug, "public_id": opportunity.public_id},
    )


@pytest.fixture
def session() -> Session:
    return SessionFactory(opportunity=OpportunityFactory(capacity=1))


# --- Book ---------------------------------------------------------------------------------------


def test_anonymous_booking_is_sent_to_sign_in_and_back(client, session):
    response = client.post(book_url(session), {"next": "/somewhere/"})
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert "next=/somewhere/" in response.url
    assert not Booking.objects.exists()


def test_a_learner_books_and_is_sent_back(client, session):
    person = learner()
    client.force_login(person)
    response = client.post(book_url(session), {"next": "/back/here/"}, follow=False)
    assert response.status_code == 302 and response.url == "/back/here/"
    assert Booking.objects.get().status == BookingStatus.BOOKED


def test_booking_a_full_session_joins_the_waitlist_and_says_so(client, session):
    services.booking_create(session=session, learner=learner())
    client.force_login(learner())
    response = client.post(book_url(session), follow=True)
    assert "you're on the waitlist" in html.unescape(response.content.decode())
    assert Booking.objects.filter(status=BookingStatus.WAITLISTED).count() == 1


def test_a_refusal_is_shown_as_a_message(client):
    session = SessionFactory(opportunity=OpportunityFactory(booking_mode=BookingMode.EXTERNAL))
    client.force_login(learner())
    response = client.post(book_url(session), follow=True)
    assert errors.BOOKING_NOT_HERE in html.unescape(response.content.decode())


def test_an_offsite_next_is_ignored(client, session):
    client.force_login(learner())
    response = client.post(book_url(session), {"next": "https://evil.example/"})
    assert "evil" not in response.url


def test_booking_needs_post(client, session):
    client.force_login(learner())
    assert client.get(book_url(session)).status_code == 405


def test_booking_a_draft_opportunitys_session_is_404(client):
    session = SessionFactory(opportunity=OpportunityFactory(status=OpportunityStatus.DRAFT))
    client.force_login(learner())
    assert client.post(book_url(session)).status_code == 404


def test_booking_a_session_of_another_opportunity_is_404(client, session):
    other = OpportunityFactory(organisation=session.opportunity.organisation)
    url = reverse(
        "opportunity-book",
        kwargs={
            "city_slug": other.city.slug,
            "public_id": other.public_id,
            "session_id": session.public_id,
        },
    )
    client.force_login(learner())
    assert client.post(url).status_code == 404


# --- Save ---------------------------------------------------------------------------------------


def test_anonymous_save_is_sent_to_sign_in(client):
    response = client.post(save_url(OpportunityFactory()))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_saving_and_unsaving(client):
    opportunity = OpportunityFactory()
    person = learner()
    client.force_login(person)
    client.post(save_url(opportunity))
    assert SavedOpportunity.objects.filter(learner=person).exists()
    page = client.get(reverse("learner-saved"))
    assert opportunity.title in page.content.decode()
    client.post(save_url(opportunity))
    assert not SavedOpportunity.objects.exists()


def test_saving_a_draft_is_404(client):
    client.force_login(learner())
    assert client.post(save_url(OpportunityFactory(status="draft"))).status_code == 404


# --- Cancel -------------------------------------------------------------------------------------


def test_a_learner_cancels_their_booking(client, session):
    person = learner()
    booking = services.booking_create(session=session, learner=person)
    client.force_login(person)
    response = client.post(reverse("booking-cancel", kwargs={"booking_id": booking.public_id}))
    assert response.status_code == 302 and response.url == reverse("learner-bookings")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_another_learner_cannot_cancel_your_booking(client, session):
    booking = services.booking_create(session=session, learner=learner())
    client.force_login(learner())
    url = reverse("booking-cancel", kwargs={"booking_id": booking.public_id})
    assert client.post(url).status_code == 404
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED


def test_anonymous_cancel_is_sent_to_sign_in(client, session):
    booking = services.booking_create(session=session, learner=learner())
    response = client.post(reverse("booking-cancel", kwargs={"booking_id": booking.public_id}))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


# --- The learner's pages --------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["learner-bookings", "learner-saved", "learner-check-in-code"])
def test_the_learners_pages_need_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_my_bookings_shows_places_and_waitlist_positions(client, session):
    services.booking_create(session=session, learner=learner())
    person = learner()
    services.booking_create(session=session, learner=person)
    other = SessionFactory(opportunity=OpportunityFactory(capacity=5, title="Film club"))
    services.booking_create(session=other, learner=person)
    client.force_login(person)
    page = client.get(reverse("learner-bookings")).content.decode()
    assert "On the waitlist: number 1" in page
    assert "Film club" in page
    token = AttendeeCode.objects.get(learner=person).calendar_token
    assert reverse("learner-calendar", kwargs={"token": token}) in page


def test_my_check_in_code_page_shows_the_code_and_a_qr_code(client):
    person = learner()
    client.force_login(person)
    page = client.get(reverse("learner-check-in-code")).content.decode()
    code = attendee_code_for(learner=person).code
    assert f"{code[:4]} {code[4:]}" in page
    assert '<svg role="img" aria-label="Your check-in QR code"' in page


def test_the_calendar_feed_is_found_by_its_token(client, session):
    person = learner()
    services.booking_create(session=session, learner=person)
    token = attendee_code_for(learner=person).calendar_token
    response = client.get(reverse("learner-calendar", kwargs={"token": token}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [session_uid(session)]
    assert person.display_name not in response.content.decode()


def test_an_unknown_calendar_token_is_404(client):
    assert client.get(reverse("learner-calendar", kwargs={"token": "nope"})).status_code == 404


def test_resetting_the_calendar_address(client):
    person = learner()
    old = attendee_code_for(learner=person).calendar_token
    client.force_login(person)
    response = client.post(reverse("learner-calendar-reset"))
    assert response.status_code == 302
    assert client.get(reverse("learner-calendar", kwargs={"token": old})).status_code == 404


def test_anonymous_calendar_reset_is_sent_to_sign_in(client):
    response = client.post(reverse("learner-calendar-reset"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_a_sessions_calendar_file(client, session):
    opportunity = session.opportunity
    url = reverse(
        "session-calendar",
        kwargs={
            "city_slug": opportunity.city.slug,
            "public_id": opportunity.public_id,
            "session_id": session.public_id,
        },
    )
    response = client.get(url)
    assert response.status_code == 200
    assert session.public_id in response.content.decode()


# --- The session list on the public page ----------------------------------------------------------


def render_sessions(session: Session, user) -> str:
    request = RequestFactory().get("/opportunity/")
    request.user = user
    return render_to_string(
        "opportunities/booking/_sessions.html",
        {"opportunity": session.opportunity, "sessions": [session], "user": user},
        request=request,
    )


def test_the_session_list_offers_what_each_visitor_can_do(session):
    from django.contrib.auth.models import AnonymousUser

    assert "Sign in to book" in render_sessions(session, AnonymousUser())
    person = learner()
    assert "Book a place" in render_sessions(session, person)
    services.booking_create(session=session, learner=person)
    session.refresh_from_db()
    assert "Cancel my place" in render_sessions(session, person)
    assert "Join the waitlist" in render_sessions(session, learner())


def test_the_save_button_shows_the_saved_state():
    opportunity = OpportunityFactory()
    person = learner()
    request = RequestFactory().get("/")
    request.user = person
    context = {"opportunity": opportunity, "user": person}
    page = render_to_string("opportunities/booking/_save.html", context, request=request)
    assert "Save for later" in page
    services.opportunity_save_toggle(learner=person, opportunity=opportunity)
    page = render_to_string("opportunities/booking/_save.html", context, request=request)
    assert "Saved: remove" in page


def test_the_learners_home_links_to_bookings_saved_and_the_check_in_code(client):
    client.force_login(learner())
    page = client.get(reverse("learner-home")).content.decode()
    for name in ("learner-bookings", "learner-saved", "learner-check-in-code"):
        assert f'href="{reverse(name)}"' in page
