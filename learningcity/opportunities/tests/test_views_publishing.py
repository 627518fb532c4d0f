"""The staff's opportunity pages: what each page does, and an access test for every URL
(anonymous → sign in, a learner or another organisation's staff → 404, a viewer → 403 on every
page that changes something)."""

from __future__ import annotations

import datetime
import io
import re
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from PIL import Image

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.opportunities.models import (
    Delivery,
    Opportunity,
    OpportunityStatus,
    Session,
)
from learningcity.opportunities.views import publishing as views
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import OpportunityFactory, SessionFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton-hove")


@pytest.fixture
def area(city):
    return AreaFactory(city=city, code="BN2", name="Kemptown")


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


def staff(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


@pytest.fixture
def editor(organisation):
    return staff(organisation, Role.EDITOR)


@pytest.fixture
def viewer(organisation):
    return staff(organisation, Role.VIEWER)


@pytest.fixture
def opportunity(organisation, area):
    return OpportunityFactory(
        organisation=organisation,
        status=OpportunityStatus.DRAFT,
        title="Saturday coding club",
        postcode="BN2 4GL",
        area=area,
        capacity=10,
    )


@pytest.fixture
def session(opportunity):
    return SessionFactory(opportunity=opportunity, booked_count=3)


def org_kwargs(organisation):
    return {"city_slug": organisation.city.slug, "org_slug": organisation.slug}


def opp_kwargs(opportunity):
    return {**org_kwargs(opportunity.organisation), "public_id": opportunity.public_id}


def list_url(organisation):
    return reverse("opportunity-staff-list", kwargs=org_kwargs(organisation))


def create_url(organisation):
    return reverse("opportunity-staff-create", kwargs=org_kwargs(organisation))


def url(name, opportunity, **extra):
    return reverse(name, kwargs={**opp_kwargs(opportunity), **extra})


def form_data(**overrides):
    values = {
        "title": "Photography for beginners",
        "summary": "Learn to take great photos with any phone.",
        "description": "",
        "type": "workshop",
        "level": "",
        "min_age": "13",
        "max_age": "19",
        "price": "",
        "bursary_info": "",
        "delivery": Delivery.IN_PERSON,
        "venue_name": "Hove Library",
        "address": "Church Road",
        "postcode": "BN2 1AA",
        "online_url": "",
        "booking_mode": "book_here",
        "booking_url": "",
        "capacity": "8",
        "waitlist_enabled": "on",
        "accessibility_notes": "",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
    }
    values.update(overrides)
    return values


# --- Access: every URL ---------------------------------------------------------------------------


def all_urls(opportunity, session):
    organisation = opportunity.organisation
    return [
        ("GET", list_url(organisation)),
        ("GET", create_url(organisation)),
        ("GET", url("opportunity-staff-detail", opportunity)),
        ("GET", url("opportunity-staff-edit", opportunity)),
        ("GET", url("opportunity-staff-sessions-add", opportunity)),
        (
            "POST",
            url("opportunity-staff-session-cancel", opportunity, session_id=session.public_id),
        ),
        ("POST", url("opportunity-staff-submit", opportunity)),
        ("POST", url("opportunity-staff-archive", opportunity)),
    ]


def request(client, method, path):
    return client.get(path) if method == "GET" else client.post(path)


def test_anonymous_visitors_are_sent_to_sign_in(client, opportunity, session):
    for method, path in all_urls(opportunity, session):
        response = request(client, method, path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("account_login")), path


@pytest.mark.parametrize("who", ["learner", "other_staff", "city_admin"])
def test_people_who_are_not_its_staff_get_404(client, opportunity, session, who):
    person = {
        "learner": lambda: UserFactory(),
        "other_staff": lambda: staff(OrganisationFactory(city=opportunity.city), Role.OWNER),
        "city_admin": lambda: CityAdminFactory(city=opportunity.city).user,
    }[who]()
    client.force_login(person)
    for method, path in all_urls(opportunity, session):
        assert request(client, method, path).status_code == 404, path


def test_another_organisations_opportunity_is_404_to_staff(client, opportunity, session):
    other = OrganisationFactory(city=opportunity.city)
    client.force_login(staff(other, Role.OWNER))
    kwargs = {**org_kwargs(other), "public_id": opportunity.public_id}
    assert client.get(reverse("opportunity-staff-detail", kwargs=kwargs)).status_code == 404
    assert client.post(reverse("opportunity-staff-submit", kwargs=kwargs)).status_code == 404


def test_a_viewer_sees_the_pages_but_cannot_change_anything(client, opportunity, session, viewer):
    client.force_login(viewer)
    assert client.get(list_url(opportunity.organisation)).status_code == 200
    detail = client.get(url("opportunity-staff-detail", opportunity))
    assert detail.status_code == 200
    assert "Submit for publishing" not in detail.content.decode()
    changing = [
        (method, path)
        for method, path in all_urls(opportunity, session)
        if method == "POST" or "edit" in path or "new" in path or "add" in path
    ]
    assert len(changing) == 6
    for method, path in changing:
        assert request(client, method, path).status_code == 403, path
    assert client.post(create_url(opportunity.organisation), form_data()).status_code == 403
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.DRAFT


def test_a_session_of_another_opportunity_is_404(client, opportunity, editor):
    other = OpportunityFactory(organisation=opportunity.organisation)
    session = SessionFactory(opportunity=other)
    client.force_login(editor)
    path = url("opportunity-staff-session-cancel", opportunity, session_id=session.public_id)
    assert client.post(path).status_code == 404
    session.refresh_from_db()
    assert not session.is_cancelled


# --- The list ------------------------------------------------------------------------------------


def test_the_list_groups_by_status_with_the_next_session(client, opportunity, session, editor):
    OpportunityFactory(
        organisation=opportunity.organisation, title="Summer arts week", status="published"
    )
    client.force_login(editor)
    page = client.get(list_url(opportunity.organisation)).content.decode()
    assert page.index("Saturday coding club") < page.index("Summer arts week")
    assert "Add an opportunity" in page
    assert "3 places booked" in page
    assert session.starts_at.astimezone(LONDON).strftime("%H:%M") in page


def test_the_list_invites_a_first_opportunity(client, organisation, editor):
    client.force_login(editor)
    assert "Add your first one" in client.get(list_url(organisation)).content.decode()


# --- Create and edit -----------------------------------------------------------------------------


def test_an_editor_creates_an_opportunity(client, organisation, editor, city):
    AreaFactory(city=city, code="BN1", name="Central Hove")
    badge = BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED)
    client.force_login(editor)
    form = client.get(create_url(organisation)).content.decode()
    for legend in ("What it is", "Who it is for", "Where it happens", "Accessibility", "Contact"):
        assert legend in form
    response = client.post(
        create_url(organisation),
        form_data(postcode="bn1 1aa", badge_classes=[badge.pk], award_on_check_in="on"),
    )
    assert response.status_code == 302
    opportunity = Opportunity.objects.get(title="Photography for beginners")
    assert response["Location"] == url("opportunity-staff-detail", opportunity)
    assert opportunity.status == OpportunityStatus.DRAFT
    assert opportunity.area.name == "Central Hove"
    assert opportunity.award_on_check_in
    assert list(opportunity.badge_classes.all()) == [badge]


def test_every_problem_is_shown_next_to_its_field(client, organisation, editor, area):
    client.force_login(editor)
    response = client.post(
        create_url(organisation),
        form_data(postcode="PL4 8AA", min_age="19", max_age="13", booking_mode="external"),
    )
    assert response.status_code == 400
    page = response.content.decode()
    unknown = errors.OPPORTUNITY_POSTCODE_UNKNOWN.format(postcode="PL4 8AA", city="Brighton & Hove")
    assert 'id="id_postcode_error"' in page
    assert escape(unknown) in page
    assert errors.OPPORTUNITY_AGE_RANGE in page
    assert 'id="id_max_age_error"' in page
    assert 'id="id_booking_url_error"' in page
    assert not Opportunity.objects.exists()


def test_an_editor_edits_a_published_opportunity_which_stays_published(client, opportunity, editor):
    Opportunity.objects.filter(pk=opportunity.pk).update(status=OpportunityStatus.PUBLISHED)
    client.force_login(editor)
    page = client.get(url("opportunity-staff-edit", opportunity)).content.decode()
    assert 'value="Saturday coding club"' in page
    response = client.post(
        url("opportunity-staff-edit", opportunity),
        form_data(title="Sunday coding club", postcode="BN2 4GL"),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.title == "Sunday coding club"
    assert opportunity.status == OpportunityStatus.PUBLISHED


def test_an_archived_opportunity_is_not_edited(client, opportunity, editor):
    Opportunity.objects.filter(pk=opportunity.pk).update(status=OpportunityStatus.ARCHIVED)
    client.force_login(editor)
    response = client.get(url("opportunity-staff-edit", opportunity))
    assert response.status_code == 302
    assert response["Location"] == url("opportunity-staff-detail", opportunity)


# --- The staff's view of one opportunity ---------------------------------------------------------


def test_the_detail_page_shows_sessions_with_bookings(client, opportunity, session, editor):
    client.force_login(editor)
    page = client.get(url("opportunity-staff-detail", opportunity)).content.decode()
    assert "3 of 10" in page
    assert "Submit for publishing" in page
    assert "will check it before it is published" in page
    assert session.starts_at.astimezone(LONDON).strftime("%H:%M") in page


def test_session_links_appear_only_when_their_pages_exist(client, opportunity, session, editor):
    client.force_login(editor)
    page = client.get(url("opportunity-staff-detail", opportunity)).content.decode()
    attendees = views.reverse_or_none(
        "session-attendees", **org_kwargs(opportunity.organisation), session_id=session.public_id
    )
    if attendees is None:
        assert "Not yet available" in page
    else:
        assert attendees in page


def test_reverse_or_none_hides_pages_that_do_not_exist():
    assert views.reverse_or_none("no-such-page") is None
    assert views.reverse_or_none("home") == "/"


def test_the_public_page_is_linked_only_once_published(opportunity):
    assert views.public_url(opportunity) is None
    opportunity.status = OpportunityStatus.PUBLISHED
    expected = views.reverse_or_none(
        "opportunity-detail", city_slug=opportunity.city.slug, public_id=opportunity.public_id
    )
    assert views.public_url(opportunity) == expected


def test_a_sent_back_opportunity_shows_the_city_teams_reason(client, opportunity, viewer):
    Opportunity.objects.filter(pk=opportunity.pk).update(review_note="Add the venue's address.")
    client.force_login(viewer)
    page = client.get(url("opportunity-staff-detail", opportunity)).content.decode()
    assert "The city team asks for changes" in page
    assert "Add the venue&#x27;s address." in page


# --- Sessions ------------------------------------------------------------------------------------


def test_an_editor_adds_weekly_sessions(client, opportunity, editor):
    first = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=7)
    client.force_login(editor)
    page = client.get(url("opportunity-staff-sessions-add", opportunity)).content.decode()
    assert "Every week" in page and "On several dates" in page and "Once, on one date" in page
    response = client.post(
        url("opportunity-staff-sessions-add", opportunity),
        {
            "kind": "weekly",
            "weekly-date": first.isoformat(),
            "weekly-until": (first + datetime.timedelta(weeks=3)).isoformat(),
            "weekly-start_time": "18:00",
            "weekly-end_time": "20:00",
        },
    )
    assert response.status_code == 302
    sessions = Session.objects.filter(opportunity=opportunity)
    assert sessions.count() == 4
    assert {s.capacity for s in sessions} == {10}
    assert {s.starts_at.astimezone(LONDON).time() for s in sessions} == {datetime.time(18)}
    opportunity.refresh_from_db()
    assert opportunity.first_starts_at == sessions.first().starts_at


def test_several_dates_are_read_from_lines(client, opportunity, editor):
    day = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=10)
    client.force_login(editor)
    response = client.post(
        url("opportunity-staff-sessions-add", opportunity),
        {
            "kind": "dates",
            "dates-dates": f"{day:%d/%m/%Y}\n\n{(day + datetime.timedelta(days=2)).isoformat()}",
            "dates-start_time": "10:00",
            "dates-end_time": "12:30",
        },
    )
    assert response.status_code == 302
    assert Session.objects.filter(opportunity=opportunity).count() == 2


def test_session_problems_are_shown_on_their_form(client, opportunity, editor):
    client.force_login(editor)
    response = client.post(
        url("opportunity-staff-sessions-add", opportunity),
        {
            "kind": "dates",
            "dates-dates": "next tuesday",
            "dates-start_time": "18:00",
            "dates-end_time": "17:00",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "isn&#x27;t a date we can read" in page
    assert "The end time must be after the start time." in page
    too_many = client.post(
        url("opportunity-staff-sessions-add", opportunity),
        {
            "kind": "weekly",
            "weekly-date": (timezone.now().date() + datetime.timedelta(days=7)).isoformat(),
            "weekly-until": (timezone.now().date() + datetime.timedelta(days=7 * 120)).isoformat(),
            "weekly-start_time": "18:00",
            "weekly-end_time": "19:00",
        },
    )
    assert too_many.status_code == 400
    assert "you can add up to 100 at a time" in too_many.content.decode()
    assert not Session.objects.exists()


def test_an_editor_cancels_a_session(client, opportunity, session, editor):
    client.force_login(editor)
    response = client.post(
        url("opportunity-staff-session-cancel", opportunity, session_id=session.public_id)
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.is_cancelled
    page = client.get(url("opportunity-staff-detail", opportunity)).content.decode()
    assert "Cancelled" in page


# --- Submit and archive --------------------------------------------------------------------------


def test_an_editor_submits_and_an_untrusted_organisation_waits_for_review(
    client, opportunity, editor
):
    client.force_login(editor)
    response = client.post(url("opportunity-staff-submit", opportunity), follow=True)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.SUBMITTED
    assert "waiting for Brighton &amp; Hove&#x27;s city team" in response.content.decode()


def test_a_trusted_organisation_publishes_at_once(client, opportunity, editor):
    organisation = opportunity.organisation
    organisation.is_trusted = True
    organisation.save()
    client.force_login(editor)
    response = client.post(url("opportunity-staff-submit", opportunity), follow=True)
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.PUBLISHED
    assert "Learners can find it now." in response.content.decode()


def test_submitting_twice_explains_why_not(client, opportunity, editor):
    Opportunity.objects.filter(pk=opportunity.pk).update(status=OpportunityStatus.SUBMITTED)
    client.force_login(editor)
    response = client.post(url("opportunity-staff-submit", opportunity), follow=True)
    assert "so it can&#x27;t be submitted" in response.content.decode()


def test_an_editor_archives(client, opportunity, editor):
    client.force_login(editor)
    response = client.post(url("opportunity-staff-archive", opportunity))
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.ARCHIVED


def test_the_dashboard_links_to_the_opportunities(client, organisation, editor):
    client.force_login(editor)
    page = client.get(
        reverse("organisation-dashboard", kwargs=org_kwargs(organisation))
    ).content.decode()
    assert list_url(organisation) in page
    assert create_url(organisation) in page


def test_the_form_starts_in_person_with_booking_here(client, organisation, editor):
    client.force_login(editor)
    page = client.get(create_url(organisation)).content.decode()
    assert re.search(r'<input[^>]*name="delivery" value="in_person"[^>]*checked', page)
    assert re.search(r'<input[^>]*name="booking_mode" value="book_here"[^>]*checked', page)


def test_an_editor_adds_a_picture(client, opportunity, editor):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "teal").save(buffer, format="JPEG")
    picture = SimpleUploadedFile("club.jpg", buffer.getvalue(), content_type="image/jpeg")
    client.force_login(editor)
    response = client.post(
        url("opportunity-staff-edit", opportunity),
        form_data(postcode="BN2 4GL", image=picture, image_alt="Laptops on a table"),
    )
    assert response.status_code == 302
    opportunity.refresh_from_db()
    assert opportunity.image.name.endswith(".png")
    page = client.get(url("opportunity-staff-edit", opportunity)).content.decode()
    assert "Remove the current picture" in page
    assert 'alt="Laptops on a table"' in page
