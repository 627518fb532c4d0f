"""A session's staff URLs: attendees, their CSV and the check-in page, for each role and for
people who must not get in."""

from __future__ import annotations

import csv
import datetime
import html
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges.models import Award, BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.opportunities import booking as services
from learningcity.opportunities.checkin import attendee_code_for
from learningcity.opportunities.models import Booking, Session
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def session() -> Session:
    starts = (timezone.now() + datetime.timedelta(hours=1)).replace(microsecond=0)
    return SessionFactory(
        opportunity=OpportunityFactory(capacity=5),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
    )


def staff(session: Session, role: Role):
    return MembershipFactory(organisation=session.opportunity.organisation, role=role).user


def url(name: str, session: Session) -> str:
    organisation = session.opportunity.organisation
    return reverse(
        name,
        kwargs={
            "city_slug": organisation.city.slug,
            "org_slug": organisation.slug,
            "session_id": session.public_id,
        },
    )


def booked(session: Session, name: str = "Sam Kent"):
    person = LearnerProfileFactory(age=16, user__display_name=name).user
    services.booking_create(session=session, learner=person)
    return person


STAFF_URLS = ["session-attendees", "session-attendees-csv", "session-check-in"]


# --- Who may get in -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", STAFF_URLS)
def test_anonymous_is_sent_to_sign_in(client, session, name):
    response = client.get(url(name, session))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", STAFF_URLS)
def test_a_learner_gets_404(client, session, name):
    client.force_login(booked(session))
    assert client.get(url(name, session)).status_code == 404


@pytest.mark.parametrize("name", STAFF_URLS)
def test_another_organisations_staff_get_404(client, session, name):
    other = OrganisationFactory(city=session.opportunity.city)
    client.force_login(MembershipFactory(organisation=other, role=Role.OWNER).user)
    assert client.get(url(name, session)).status_code == 404


@pytest.mark.parametrize("name", STAFF_URLS)
def test_a_session_of_another_organisation_is_404_for_staff(client, session, name):
    other_session = SessionFactory()
    client.force_login(staff(session, Role.OWNER))
    organisation = session.opportunity.organisation
    address = reverse(
        name,
        kwargs={
            "city_slug": organisation.city.slug,
            "org_slug": organisation.slug,
            "session_id": other_session.public_id,
        },
    )
    assert client.get(address).status_code == 404


def test_a_viewer_sees_attendees_but_cannot_check_in(client, session):
    booked(session)
    client.force_login(staff(session, Role.VIEWER))
    page = client.get(url("session-attendees", session))
    assert page.status_code == 200
    assert "Sam Kent" in page.content.decode()
    assert "Open check-in" not in page.content.decode()
    assert client.get(url("session-attendees-csv", session)).status_code == 200
    assert client.get(url("session-check-in", session)).status_code == 403
    assert client.post(url("session-check-in", session), {"code": "X"}).status_code == 403


def test_an_editor_checks_in_when_no_badge_is_awarded(client, session):
    client.force_login(staff(session, Role.EDITOR))
    assert client.get(url("session-check-in", session)).status_code == 200


def test_an_editor_cannot_check_in_when_check_in_awards_a_badge(client, session):
    session.opportunity.award_on_check_in = True
    session.opportunity.save()
    client.force_login(staff(session, Role.EDITOR))
    response = client.get(url("session-check-in", session))
    assert response.status_code == 403
    assert errors.CHECK_IN_AWARD_NEEDS_ISSUER in html.unescape(response.content.decode())


def test_an_issuer_can_check_in_when_check_in_awards_a_badge(client, session):
    session.opportunity.award_on_check_in = True
    session.opportunity.save()
    client.force_login(staff(session, Role.ISSUER))
    assert client.get(url("session-check-in", session)).status_code == 200


# --- What they see and do -------------------------------------------------------------------------


def test_attendees_lists_booked_and_waitlisted_in_order(client):
    session = SessionFactory(opportunity=OpportunityFactory(capacity=1))
    booked(session, "Ada Booked")
    booked(session, "Bea Waiting")
    booked(session, "Cy Waiting")
    client.force_login(staff(session, Role.VIEWER))
    page = client.get(url("session-attendees", session)).content.decode()
    assert page.index("Ada Booked") < page.index("Bea Waiting") < page.index("Cy Waiting")
    assert "Waitlist, in order" in page


def test_the_csv_neutralises_formulas_in_names(client, session):
    booked(session, '=HYPERLINK("https://evil.example","click")')
    booked(session, "Plain Name")
    client.force_login(staff(session, Role.VIEWER))
    response = client.get(url("session-attendees-csv", session))
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["name", "status", "booked_at", "checked_in_at"]
    names = [row[0] for row in rows[1:]]
    assert names == ['\'=HYPERLINK("https://evil.example","click")', "Plain Name"]
    assert rows[1][1] == "Booked"


def test_checking_in_by_typed_code_awards_the_badge_once(client, session):
    badge = BadgeClassFactory(
        organisation=session.opportunity.organisation,
        status=BadgeStatus.PUBLISHED,
        name="Coding Club Starter",
    )
    session.opportunity.badge_classes.add(badge)
    session.opportunity.award_on_check_in = True
    session.opportunity.save()
    person = booked(session)
    code = attendee_code_for(learner=person).code
    client.force_login(staff(session, Role.ISSUER))
    response = client.post(url("session-check-in", session), {"code": f"{code[:4]}-{code[4:]}"})
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Checked in Sam Kent — badge Coding Club Starter awarded." in page
    assert Booking.objects.get(learner=person).checked_in_at is not None
    again = client.post(url("session-check-in", session), {"code": code.lower()})
    assert "Sam Kent is already checked in." in html.unescape(again.content.decode())
    assert Award.objects.filter(badge_class=badge, recipient_email=person.email).count() == 1


def test_a_bad_code_is_explained_with_400(client, session):
    client.force_login(staff(session, Role.EDITOR))
    response = client.post(url("session-check-in", session), {"code": "nope"})
    assert response.status_code == 400
    assert errors.CHECK_IN_CODE_INVALID.format(code="nope") in html.unescape(
        response.content.decode()
    )


def test_an_empty_code_is_explained(client, session):
    client.force_login(staff(session, Role.EDITOR))
    response = client.post(url("session-check-in", session), {"code": ""})
    assert response.status_code == 400
    assert errors.CHECK_IN_CODE_EMPTY in html.unescape(response.content.decode())


def test_the_check_in_page_answers_json_for_its_script(client, session):
    person = booked(session)
    client.force_login(staff(session, Role.EDITOR))
    response = client.post(
        url("session-check-in", session),
        {"code": "LC:" + attendee_code_for(learner=person).code},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["name"] == "Sam Kent"
    assert body["message"] == "Checked in Sam Kent."
    failed = client.post(
        url("session-check-in", session),
        {"code": "ZZZZ2222"},
        headers={"Accept": "application/json"},
    )
    assert failed.status_code == 400
    assert failed.json() == {
        "ok": False,
        "already": False,
        "message": errors.CHECK_IN_CODE_UNKNOWN.format(code="ZZZZ 2222"),
        "name": "",
        "time": "",
    }


def test_the_check_in_page_lists_who_is_in(client, session):
    person = booked(session, "Zed Present")
    booked(session, "Not Here Yet")
    client.force_login(staff(session, Role.EDITOR))
    client.post(url("session-check-in", session), {"code": attendee_code_for(learner=person).code})
    page = client.get(url("session-check-in", session)).content.decode()
    assert "Zed Present" in page and "Not Here Yet" not in page


def test_a_superuser_can_check_in(client, session):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(url("session-check-in", session)).status_code == 200


def test_the_code_field_is_built_for_typing_codes_on_a_phone(client, session):
    client.force_login(staff(session, Role.EDITOR))
    page = client.get(url("session-check-in", session)).content.decode()
    for attribute in ('autocomplete="off"', 'autocapitalize="characters"', 'inputmode="text"'):
        assert attribute in page
    assert 'role="status"' in page and "js/check-in.js" in page
    assert 'id="check-in-scan" hidden' in page  # shown by the script only where scanning works
