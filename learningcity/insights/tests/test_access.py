"""Who may read which figures: a city's admins their city's; an organisation's staff their
organisation's own; nobody else (URL tampering included)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.insights.access import (
    access_insights_for_city_admin,
    access_insights_for_organisation,
)
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .dashboard_factories import fig, make_refresh

pytestmark = pytest.mark.django_db

Q4 = "q2026-4"
CITY_PAGES = ("overview", "breakdowns", "equity", "deserts", "progression", "definitions")
ORGANISATION_PAGES = ("overview", "breakdowns", "equity", "progression", "definitions")


@pytest.fixture
def city():
    return CityFactory(slug="brightsea")


def city_url(city_slug, page, **query):
    base = reverse(f"insights-city-{page}", kwargs={"city_slug": city_slug})
    return base + ("?format=csv" if query.get("csv") else "")


def org_url(city_slug, org_slug, page, **query):
    base = reverse(
        f"insights-organisation-{page}", kwargs={"city_slug": city_slug, "org_slug": org_slug}
    )
    return base + ("?format=csv" if query.get("csv") else "")


@pytest.mark.parametrize("page", CITY_PAGES)
@pytest.mark.parametrize("as_csv", [False, True])
def test_city_pages_refuse_everyone_but_the_citys_admins(client, city, page, as_csv):
    fig(make_refresh(city), "awards", Q4, 12)
    target = city_url(city.slug, page, csv=as_csv)

    anonymous = client.get(target)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]

    learner = LearnerProfileFactory(city=city).user
    client.force_login(learner)
    assert client.get(target).status_code == 403

    staff = MembershipFactory(organisation=OrganisationFactory(city=city)).user
    client.force_login(staff)
    assert client.get(target).status_code == 403

    other_admin = CityAdminFactory(city=CityFactory()).user
    client.force_login(other_admin)
    assert client.get(target).status_code == 403

    client.force_login(CityAdminFactory(city=city).user)
    assert client.get(target).status_code == 200

    client.force_login(UserFactory(is_superuser=True))
    assert client.get(target).status_code == 200


def test_an_unknown_city_is_404(client):
    client.force_login(UserFactory(is_superuser=True))
    assert client.get(city_url("nowhere", "overview")).status_code == 404


@pytest.mark.parametrize("page", ORGANISATION_PAGES)
@pytest.mark.parametrize("as_csv", [False, True])
def test_organisation_pages_are_for_its_staff_only(client, city, page, as_csv):
    organisation = OrganisationFactory(city=city)
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 12, organisation_id=organisation.pk)
    fig(refresh, "awards", "y2026", 12, organisation_id=organisation.pk)  # breakdowns: years
    target = org_url(city.slug, organisation.slug, page, csv=as_csv)

    assert client.get(target).status_code == 302

    for outsider in (
        LearnerProfileFactory(city=city).user,
        CityAdminFactory(city=city).user,  # the city team doesn't look over the staff's shoulder
        MembershipFactory(organisation=OrganisationFactory(city=city)).user,
    ):
        client.force_login(outsider)
        assert client.get(target).status_code == 404

    viewer = MembershipFactory(organisation=organisation, role=Role.VIEWER).user
    client.force_login(viewer)
    # Progression is the city's only: an organisation's page explains, with no table to download.
    expected = 404 if as_csv and page == "progression" else 200
    assert client.get(target).status_code == expected


def test_staff_who_change_the_slug_in_the_address_see_nothing_of_another_organisation(client, city):
    mine = OrganisationFactory(city=city, slug="mine")
    theirs = OrganisationFactory(city=city, slug="theirs")
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 41, organisation_id=mine.pk)
    fig(refresh, "awards", Q4, 777, organisation_id=theirs.pk)
    client.force_login(MembershipFactory(organisation=mine).user)

    own = client.get(org_url(city.slug, "mine", "overview"), {"period": Q4})
    assert own.status_code == 200 and b"41" in own.content and b"777" not in own.content
    for page in ORGANISATION_PAGES:
        assert client.get(org_url(city.slug, "theirs", page), {"period": Q4}).status_code == 404
        tampered = client.get(org_url(city.slug, "theirs", page), {"format": "csv"})
        assert tampered.status_code == 404
    # Nor through the city's pages, nor an organisation of the same slug in another city.
    assert client.get(city_url(city.slug, "overview")).status_code == 403
    OrganisationFactory(city=CityFactory(slug="elsewhere"), slug="mine")
    assert client.get(org_url("elsewhere", "mine", "overview")).status_code == 404


def test_the_access_helpers_return_the_right_scope(city):
    admin = CityAdminFactory(city=city).user
    scope = access_insights_for_city_admin(user=admin, city_slug=city.slug)
    assert scope.city == city and scope.organisation_id is None
    organisation = OrganisationFactory(city=city)
    staff = MembershipFactory(organisation=organisation).user
    found, org_scope = access_insights_for_organisation(
        user=staff, city_slug=city.slug, org_slug=organisation.slug
    )
    assert found == organisation and org_scope.organisation_id == organisation.pk
