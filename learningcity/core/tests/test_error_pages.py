import pytest
from django.urls import reverse

from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_an_unknown_address_gets_a_friendly_404_in_the_page_shell(client):
    response = client.get("/no-such-city/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We can't find that page" in page
    assert 'href="#main"' in page


def test_a_refusal_gets_a_friendly_403_in_the_page_shell(client):
    city = CityFactory()
    learner = MembershipFactory(organisation__city=city).user  # staff elsewhere, not a city admin
    client.force_login(learner)
    response = client.get(reverse("city-admin-organisations", kwargs={"city_slug": city.slug}))
    assert response.status_code == 403
    page = response.content.decode()
    assert "You can't open this page" in page
    assert 'href="#main"' in page
