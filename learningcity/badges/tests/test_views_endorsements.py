"""The staff's "ask the city to endorse" page and the city team's endorsement queue, with an
access test for every route."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.endorsements import endorsement_request_create
from learningcity.badges.models import BadgeStatus, EndorsementRequest
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(city=CityFactory(slug="brighton"), slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, status=BadgeStatus.PUBLISHED, name="Teamwork"
    )


@pytest.fixture
def editor(organisation):
    return MembershipFactory(organisation=organisation, role=Role.EDITOR).user


@pytest.fixture
def city_admin(organisation):
    return CityAdminFactory(city=organisation.city).user


@pytest.fixture
def pending(badge_class, editor):
    return endorsement_request_create(badge_class=badge_class, by=editor, message="Please.")


def ask_url(badge_class):
    organisation = badge_class.organisation
    return reverse(
        "endorsement-request-create",
        kwargs={
            "city_slug": organisation.city.slug,
            "org_slug": organisation.slug,
            "public_id": badge_class.public_id,
        },
    )


def queue_url(city):
    return reverse("city-admin-endorsements", kwargs={"city_slug": city.slug})


def decide_url(name, request, city=None):
    city = city or request.badge_class.organisation.city
    return reverse(name, kwargs={"city_slug": city.slug, "public_id": request.public_id})


# --- Asking --------------------------------------------------------------------------------------


def test_an_editor_sees_the_form_and_asks(client, badge_class, editor):
    client.force_login(editor)
    page = client.get(ask_url(badge_class))
    assert page.status_code == 200
    assert "Ask the city to endorse" in page.content.decode()
    response = client.post(ask_url(badge_class), {"message": "Please."})
    assert response.status_code == 302
    request = EndorsementRequest.objects.get(badge_class=badge_class)
    assert request.message == "Please."
    assert "Waiting for the city" in client.get(ask_url(badge_class)).content.decode()


def test_asking_twice_shows_the_reason(client, badge_class, editor, pending):
    client.force_login(editor)
    response = client.post(ask_url(badge_class), {"message": ""})
    assert response.status_code == 200
    assert "The city is already looking at a request for Teamwork." in response.content.decode()


def test_a_viewer_sees_the_status_but_cannot_ask(client, badge_class, organisation):
    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    client.force_login(viewer)
    page = client.get(ask_url(badge_class))
    assert page.status_code == 200
    assert 'name="message"' not in page.content.decode()
    assert client.post(ask_url(badge_class), {"message": ""}).status_code == 403
    assert not EndorsementRequest.objects.exists()


def test_staff_of_another_organisation_get_404(client, badge_class):
    client.force_login(MembershipFactory(role=Role.OWNER).user)
    assert client.get(ask_url(badge_class)).status_code == 404
    assert client.post(ask_url(badge_class), {"message": ""}).status_code == 404


def test_a_learner_gets_404(client, badge_class):
    client.force_login(UserFactory())
    assert client.get(ask_url(badge_class)).status_code == 404
    assert client.post(ask_url(badge_class), {"message": ""}).status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, badge_class):
    assert client.get(ask_url(badge_class)).status_code == 302


# --- The city team's queue -----------------------------------------------------------------------


def test_a_city_admin_sees_the_queue(client, city_admin, pending, organisation):
    client.force_login(city_admin)
    page = client.get(queue_url(organisation.city))
    assert page.status_code == 200
    content = page.content.decode()
    assert "Teamwork" in content
    assert "Please." in content


def test_a_city_admin_endorses_and_the_badge_page_shows_it(
    client, city_admin, pending, badge_class
):
    client.force_login(city_admin)
    response = client.post(
        decide_url("city-admin-endorsement-endorse", pending), {"comment": "Well designed."}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EndorsementRequest.Status.ENDORSED
    assert "Well designed." in client.get(badge_class.get_absolute_url()).content.decode()


def test_endorsing_without_a_comment_shows_the_reason(client, city_admin, pending, organisation):
    client.force_login(city_admin)
    response = client.post(
        decide_url("city-admin-endorsement-endorse", pending), {"comment": ""}, follow=True
    )
    assert errors.ENDORSEMENT_COMMENT_REQUIRED in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == EndorsementRequest.Status.PENDING


def test_a_city_admin_declines_with_a_reason(client, city_admin, pending):
    client.force_login(city_admin)
    response = client.post(
        decide_url("city-admin-endorsement-decline", pending), {"reason": "Too vague."}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == EndorsementRequest.Status.DECLINED
    assert pending.decline_reason == "Too vague."


def test_a_non_admin_gets_403_on_the_queue(client, editor, organisation, pending):
    client.force_login(editor)
    assert client.get(queue_url(organisation.city)).status_code == 403
    assert (
        client.post(
            decide_url("city-admin-endorsement-endorse", pending), {"comment": "x"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            decide_url("city-admin-endorsement-decline", pending), {"reason": "x"}
        ).status_code
        == 403
    )


def test_another_citys_admin_gets_403_and_404_through_their_own_city(client, pending, organisation):
    other_city = CityFactory(slug="plymouth")
    stranger = CityAdminFactory(city=other_city).user
    client.force_login(stranger)
    assert client.get(queue_url(organisation.city)).status_code == 403
    assert (
        client.post(
            decide_url("city-admin-endorsement-endorse", pending), {"comment": "x"}
        ).status_code
        == 403
    )
    own_city_url = decide_url("city-admin-endorsement-endorse", pending, city=other_city)
    assert client.post(own_city_url, {"comment": "x"}).status_code == 404
    own_city_url = decide_url("city-admin-endorsement-decline", pending, city=other_city)
    assert client.post(own_city_url, {"reason": "x"}).status_code == 404
    assert "Teamwork" not in client.get(queue_url(other_city)).content.decode()
    pending.refresh_from_db()
    assert pending.status == EndorsementRequest.Status.PENDING


def test_the_learner_home_links_a_city_admin_to_the_queue(client, city_admin, organisation):
    client.force_login(city_admin)
    page = client.get(reverse("learner-home"))
    assert queue_url(organisation.city) in page.content.decode()


def test_the_staff_badge_list_links_each_published_badge_to_its_endorsement_page(
    client, badge_class, editor, organisation
):
    client.force_login(editor)
    page = client.get(
        reverse(
            "badge-class-list",
            kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
        )
    )
    assert ask_url(badge_class) in page.content.decode()
