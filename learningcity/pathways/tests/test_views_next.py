"""The “What next” page (``me/next/``): suggestions with their reasons, and the switches."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningcity.accounts.services import privacy_defaults_for
from learningcity.accounts.tests.factories import (
    LearnerProfileFactory,
    UserFactory,
    date_of_birth_for_age,
)
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.opportunities.tests.factories import OpportunityFactory
from learningcity.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

URL = "/me/next/"


@pytest.fixture
def city():
    return CityFactory()


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city)


def learner(city, *, age, interests=()):
    date_of_birth = date_of_birth_for_age(age)
    return LearnerProfileFactory(
        city=city,
        date_of_birth=date_of_birth,
        interests=list(interests),
        **privacy_defaults_for(date_of_birth=date_of_birth),
    )


def test_the_page_is_routed_as_what_next():
    assert reverse("what-next") == URL


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_an_adult_sees_suggestions_with_their_reasons(client, city, organisation):
    OpportunityFactory(organisation=organisation, title="Music makers")
    profile = learner(city, age=20, interests=["music"])
    client.force_login(profile.user)
    response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert "Music makers" in page
    assert "Because you&#x27;re interested in music" in page


def test_an_under_18_sees_an_explanation_then_switches_suggestions_on(client, city, organisation):
    OpportunityFactory(organisation=organisation, title="Music makers")
    profile = learner(city, age=15, interests=["music"])
    client.force_login(profile.user)

    page = client.get(URL).content.decode()
    assert "Suggestions are switched off" in page
    assert "Music makers" not in page
    assert 'name="enabled"' in page

    response = client.post(URL, {"enabled": "on", "opportunities": "on", "pathways": "on"})
    assert response.status_code == 302
    assert response["Location"] == URL
    profile.refresh_from_db()
    assert profile.recommendations_enabled is True

    page = client.get(URL).content.decode()
    assert errors.RECOMMENDATIONS_SAVED_ON in page
    assert "Music makers" in page


def test_each_kind_is_switched_from_the_page(client, city, organisation):
    OpportunityFactory(organisation=organisation, title="Music makers")
    profile = learner(city, age=20, interests=["music"])
    client.force_login(profile.user)

    client.post(URL, {"enabled": "on", "pathways": "on"})
    profile.refresh_from_db()
    assert (profile.suggest_opportunities, profile.suggest_pathways) == (False, True)
    page = client.get(URL).content.decode()
    assert "Opportunity suggestions are switched off." in page
    assert "Music makers" not in page

    client.post(URL, {"enabled": "on", "opportunities": "on"})
    profile.refresh_from_db()
    assert (profile.suggest_opportunities, profile.suggest_pathways) == (True, False)
    page = client.get(URL).content.decode()
    assert "Pathway suggestions are switched off." in page
    assert "Music makers" in page


def test_switching_everything_off(client, city, organisation):
    OpportunityFactory(organisation=organisation, title="Music makers")
    profile = learner(city, age=20, interests=["music"])
    client.force_login(profile.user)
    client.post(URL, {})
    profile.refresh_from_db()
    assert profile.recommendations_enabled is False
    page = client.get(URL).content.decode()
    assert errors.RECOMMENDATIONS_SAVED_OFF in page
    assert "Music makers" not in page


def test_an_under_13_waiting_for_a_guardian_is_told_and_cannot_switch_on(client, city):
    profile = learner(city, age=11)
    client.force_login(profile.user)
    response = client.post(URL, {"enabled": "on", "opportunities": "on"}, follow=True)
    assert errors.RECOMMENDATIONS_NEED_GUARDIAN in response.content.decode()
    profile.refresh_from_db()
    assert profile.recommendations_enabled is False


def test_someone_without_a_learner_profile_is_told_what_to_do(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert errors.RECOMMENDATIONS_NEED_PROFILE in response.content.decode()
    response = client.post(URL, {"enabled": "on"}, follow=True)
    assert errors.RECOMMENDATIONS_NEED_PROFILE in response.content.decode()


def test_each_learner_sees_only_suggestions_from_their_own_interests(client, city, organisation):
    OpportunityFactory(organisation=organisation, title="Music makers")
    OpportunityFactory(organisation=organisation, title="Sailing club")
    mine = learner(city, age=20, interests=["music"])
    learner(city, age=20, interests=["sailing"])
    client.force_login(mine.user)
    page = client.get(URL).content.decode()
    assert "Music makers" in page
    assert "Sailing club" not in page


def test_the_page_takes_a_bounded_number_of_queries(
    client, city, organisation, django_assert_max_num_queries
):
    for index in range(20):
        OpportunityFactory(organisation=organisation, title=f"Music {index}")
    profile = learner(city, age=20, interests=["music"])
    client.force_login(profile.user)
    with django_assert_max_num_queries(25):
        response = client.get(URL)
    assert response.status_code == 200
