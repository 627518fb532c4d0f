"""The city team's review queue: the list, one opportunity, approve, send back, and an access
test for every URL (only that city's admins get in)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.opportunities.models import Opportunity, OpportunityStatus
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import OpportunityFactory, SessionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton-hove")


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def editor(organisation):
    return MembershipFactory(organisation=organisation, role=Role.EDITOR).user


@pytest.fixture
def city_admin(city):
    return CityAdminFactory(city=city).user


@pytest.fixture
def submitted(organisation):
    return OpportunityFactory(
        organisation=organisation,
        title="Saturday coding club",
        description="We make **games**.",
        status=OpportunityStatus.SUBMITTED,
        submitted_at=timezone.now(),
        published_at=None,
    )


def queue_url(city):
    return reverse("city-admin-opportunities", kwargs={"city_slug": city.slug})


def url(name, opportunity, city=None):
    city = city or opportunity.city
    return reverse(name, kwargs={"city_slug": city.slug, "public_id": opportunity.public_id})


def all_urls(opportunity):
    return [
        ("GET", queue_url(opportunity.city)),
        ("GET", url("city-admin-opportunity-review", opportunity)),
        ("POST", url("city-admin-opportunity-approve", opportunity)),
        ("POST", url("city-admin-opportunity-send-back", opportunity)),
    ]


def request(client, method, path):
    return client.get(path) if method == "GET" else client.post(path, {"reason": "Because."})


# --- Access --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, submitted):
    for method, path in all_urls(submitted):
        response = request(client, method, path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("account_login")), path


@pytest.mark.parametrize("who", ["learner", "its_editor", "its_owner", "other_city_admin"])
def test_only_the_citys_admins_get_in(client, submitted, organisation, who):
    person = {
        "learner": lambda: UserFactory(),
        "its_editor": lambda: MembershipFactory(organisation=organisation, role=Role.EDITOR).user,
        "its_owner": lambda: MembershipFactory(organisation=organisation, role=Role.OWNER).user,
        "other_city_admin": lambda: CityAdminFactory().user,
    }[who]()
    client.force_login(person)
    for method, path in all_urls(submitted):
        assert request(client, method, path).status_code == 403, path
    submitted.refresh_from_db()
    assert submitted.status == OpportunityStatus.SUBMITTED


def test_another_citys_opportunity_is_404_to_an_admin(client, submitted):
    elsewhere = CityFactory()
    client.force_login(CityAdminFactory(city=elsewhere).user)
    assert client.get(url("city-admin-opportunity-review", submitted, elsewhere)).status_code == 404
    approve = url("city-admin-opportunity-approve", submitted, elsewhere)
    assert client.post(approve).status_code == 404


@pytest.mark.parametrize("status", [OpportunityStatus.DRAFT, OpportunityStatus.ARCHIVED])
def test_drafts_and_archived_opportunities_are_not_the_city_teams_to_open(
    client, organisation, city_admin, status
):
    opportunity = OpportunityFactory(organisation=organisation, status=status)
    client.force_login(city_admin)
    assert client.get(url("city-admin-opportunity-review", opportunity)).status_code == 404


def test_a_superuser_gets_in(client, submitted):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(queue_url(submitted.city)).status_code == 200


# --- The queue and the review page ---------------------------------------------------------------


def test_the_queue_lists_what_waits_in_this_city(client, submitted, city_admin, organisation):
    OpportunityFactory(organisation=organisation, title="A draft", status=OpportunityStatus.DRAFT)
    OpportunityFactory(title="Elsewhere", status=OpportunityStatus.SUBMITTED)
    client.force_login(city_admin)
    page = client.get(queue_url(submitted.city)).content.decode()
    assert "Saturday coding club" in page
    assert "Hove Youth Club" in page
    assert "A draft" not in page
    assert "Elsewhere" not in page
    assert url("city-admin-opportunity-review", submitted) in page


def test_an_empty_queue_says_so(client, city, city_admin):
    client.force_login(city_admin)
    assert "Nothing is waiting." in client.get(queue_url(city)).content.decode()


def test_the_review_page_shows_what_learners_will_see(client, submitted, city_admin):
    SessionFactory(opportunity=submitted)
    client.force_login(city_admin)
    page = client.get(url("city-admin-opportunity-review", submitted)).content.decode()
    assert "<strong>games</strong>" in page
    assert "Approve and publish" in page
    assert "What needs to change?" in page


# --- Decisions -----------------------------------------------------------------------------------


def test_a_city_admin_approves(client, submitted, city_admin, editor):
    client.force_login(city_admin)
    with_callbacks = client.post(url("city-admin-opportunity-approve", submitted), follow=True)
    assert with_callbacks.redirect_chain[-1][0] == queue_url(submitted.city)
    submitted.refresh_from_db()
    assert submitted.status == OpportunityStatus.PUBLISHED
    assert submitted.reviewed_by == city_admin
    assert "Saturday coding club is published" in with_callbacks.content.decode()


def test_approving_twice_explains_why_not(client, submitted, city_admin):
    client.force_login(city_admin)
    client.post(url("city-admin-opportunity-approve", submitted))
    response = client.post(url("city-admin-opportunity-approve", submitted), follow=True)
    assert "so it can&#x27;t be approved" in response.content.decode()


def test_sending_back_needs_a_reason(client, submitted, city_admin):
    client.force_login(city_admin)
    response = client.post(url("city-admin-opportunity-send-back", submitted), {"reason": ""})
    assert response.status_code == 400
    assert (
        errors.OPPORTUNITY_SEND_BACK_REASON_REQUIRED.replace("'", "&#x27;")
        in response.content.decode()
    )
    submitted.refresh_from_db()
    assert submitted.status == OpportunityStatus.SUBMITTED


def test_a_city_admin_sends_back_with_a_reason_the_staff_are_told(
    client, submitted, city_admin, editor, django_capture_on_commit_callbacks
):
    client.force_login(city_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("city-admin-opportunity-send-back", submitted),
            {"reason": "Say which ages it is for."},
        )
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.status == OpportunityStatus.DRAFT
    assert submitted.review_note == "Say which ages it is for."
    (message,) = mail.outbox
    assert message.to == [editor.email]
    assert "Say which ages it is for." in message.body


def test_the_city_takes_down_a_published_opportunity(client, submitted, city_admin):
    Opportunity.objects.filter(pk=submitted.pk).update(status=OpportunityStatus.PUBLISHED)
    client.force_login(city_admin)
    page = client.get(url("city-admin-opportunity-review", submitted)).content.decode()
    assert "Approve and publish" not in page
    client.post(url("city-admin-opportunity-send-back", submitted), {"reason": "Venue closed."})
    submitted.refresh_from_db()
    assert submitted.status == OpportunityStatus.DRAFT


def test_the_city_teams_home_page_links_to_the_queue(client, city, city_admin):
    client.force_login(city_admin)
    assert queue_url(city) in client.get(reverse("learner-home")).content.decode()
