import pytest
from django.urls import reverse

from learningcity.cities.models import Area

from .factories import AreaFactory, CityFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_lists_live_cities_and_not_the_others(client):
    CityFactory(name="Brighton & Hove", slug="brighton-and-hove")
    CityFactory(name="Hidden Town", slug="hidden-town", is_live=False)

    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert [city.slug for city in response.context["cities"]] == ["brighton-and-hove"]
    assert "Brighton &amp; Hove" in response.text
    assert "Hidden Town" not in response.text


def test_the_home_page_says_so_when_there_are_no_cities(client):
    response = client.get(reverse("home"))

    assert response.status_code == 200
    assert "No cities have been set up yet" in response.text


def test_a_city_home_page_shows_the_city_and_its_wards(client):
    city = CityFactory(name="Brighton & Hove", slug="brighton-and-hove")
    AreaFactory(city=city, code="E05015021", name="Whitehawk & Marina", kind=Area.Kind.WARD)
    AreaFactory(city=city, code="BN2", name="BN2 — Kemptown")

    response = client.get(reverse("city-home", kwargs={"city_slug": "brighton-and-hove"}))

    assert response.status_code == 200
    assert response.context["city"] == city
    assert [area.code for area in response.context["wards"]] == ["E05015021"]
    assert [area.code for area in response.context["districts"]] == ["BN2"]
    assert "Whitehawk &amp; Marina" in response.text


def test_an_unknown_city_is_not_found(client):
    response = client.get(reverse("city-home", kwargs={"city_slug": "atlantis"}))

    assert response.status_code == 404


def test_a_city_that_is_not_live_is_not_found(client):
    CityFactory(slug="hidden-town", is_live=False)

    response = client.get(reverse("city-home", kwargs={"city_slug": "hidden-town"}))

    assert response.status_code == 404


@pytest.mark.parametrize("name", ["privacy", "accessibility"])
def test_the_privacy_and_accessibility_pages_are_there_for_everyone(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200


def test_the_city_home_page_links_the_city_team_to_its_queues_and_no_one_else(client):
    from learningcity.accounts.tests.factories import UserFactory

    from .factories import CityAdminFactory

    city = CityFactory(slug="brighton-and-hove")
    other_admin = CityAdminFactory(city=CityFactory(slug="plymouth")).user
    url = reverse("city-home", kwargs={"city_slug": "brighton-and-hove"})
    queue = reverse("city-admin-organisations", kwargs={"city_slug": "brighton-and-hove"})
    for visitor in (None, UserFactory(), other_admin):
        client.logout()
        if visitor:
            client.force_login(visitor)
        assert queue not in client.get(url).text
    client.force_login(CityAdminFactory(city=city).user)
    assert queue in client.get(url).text
