"""The dashboard pages render the published figures — and never a suppressed count."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse

from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.opportunities.tests.factories import TopicFactory
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .dashboard_factories import FEWER, WITHHELD, fig, make_refresh

pytestmark = pytest.mark.django_db

Q4 = "q2026-4"
Y2026 = "y2026"
CITY_PAGES = ("overview", "breakdowns", "equity", "deserts", "progression", "definitions")
ORGANISATION_PAGES = ("overview", "breakdowns", "equity", "progression", "definitions")


@pytest.fixture
def city():
    return CityFactory(slug="brightsea", name="Brightsea")


@pytest.fixture
def admin_client(client, city):
    client.force_login(CityAdminFactory(city=city).user)
    return client


def city_url(city, page):
    return reverse(f"insights-city-{page}", kwargs={"city_slug": city.slug})


def org_url(organisation, page):
    return reverse(
        f"insights-organisation-{page}",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", response.content.decode()))


@pytest.mark.parametrize("page", CITY_PAGES)
def test_every_city_page_says_so_when_there_are_no_figures_yet(admin_client, city, page):
    response = admin_client.get(city_url(city, page))
    assert response.status_code == 200
    assert "No figures yet" in text_of(response)
    assert response.content.count(b"<h1") == 1


@pytest.mark.parametrize("page", CITY_PAGES)
def test_every_city_page_renders_with_figures_and_shows_as_of(admin_client, city, page):
    refresh = make_refresh(city)
    area = AreaFactory(city=city, name="Ash")
    fig(refresh, "awards", Q4, 30)
    fig(refresh, "learners_reached", Q4, 20)
    fig(refresh, "learners_reached", Q4, 20, dimension="home_area", value=str(area.pk))
    fig(refresh, "funnel_first_badge", Q4, 15)
    response = admin_client.get(city_url(city, page))
    assert response.status_code == 200
    body = text_of(response)
    assert "Figures as of" in body and "28 November 2026, 03:00" in body
    assert response.content.count(b"<h1") == 1
    # Navigation links to every page, keeping the period.
    for other in CITY_PAGES:
        assert city_url(city, other) in body


def test_overview_shows_counts_and_suppressed_cells_as_words(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 37)
    fig(refresh, "awards", "q2026-3", 25)
    fig(refresh, "learners_reached", Q4, FEWER)
    fig(refresh, "places_booked", Q4, WITHHELD)

    body = text_of(admin_client.get(city_url(city, "overview"), {"period": Q4}))

    assert "37" in body and "+12 on July to September 2026" in body
    assert "fewer than 10" in body
    assert "withheld" in body
    assert "October to December 2026" in body


def test_breakdown_page_follows_the_url_and_never_prints_a_suppressed_count(admin_client, city):
    refresh = make_refresh(city)
    ash = AreaFactory(city=city, name="Ashgrove")
    birch = AreaFactory(city=city, name="Birchfield")
    fig(refresh, "places_booked", Q4, 44)
    fig(refresh, "places_booked", Q4, 38, dimension="home_area", value=str(ash.pk))
    fig(refresh, "places_booked", Q4, FEWER, dimension="home_area", value=str(birch.pk))
    fig(refresh, "places_booked", Q4, FEWER, dimension="home_area", value="unknown")

    response = admin_client.get(
        city_url(city, "breakdowns"),
        {"period": Q4, "metric": "places_booked", "dimension": "home_area"},
    )

    body = text_of(response)
    row = re.search(r"<th scope=\"row\">Birchfield</th>\s*<td class=\"num\">(.*?)</td>", body)
    assert row and "fewer than 10" in row.group(1)
    assert re.search(r"Ashgrove</th>\s*<td class=\"num\">38</td>", body)
    assert re.search(r"Total</th>\s*<td class=\"num\">44</td>", body)
    assert "<caption" in body and 'scope="col"' in body
    assert '<option value="places_booked" selected>' in body
    # The cell holds the words only: no digit but the threshold's.
    assert re.sub(r"<[^>]+>", "", row.group(1)).strip() == "fewer than 10"


def test_an_unknown_period_in_the_url_falls_back_to_the_newest(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "awards", "r12", 120)
    fig(refresh, "awards", Q4, 30)
    response = admin_client.get(city_url(city, "overview"), {"period": "q1999-1"})
    body = text_of(response)
    assert response.status_code == 200
    assert "Headline figures for the last 12 months" in body


def test_a_month_on_a_page_of_breakdowns_falls_back_to_its_quarter(admin_client, city):
    refresh = make_refresh(city)
    refresh.period_keys = ["r12", "y2026", Q4, "m2026-11", "m2026-10"]
    refresh.save()
    fig(refresh, "awards", "m2026-11", 12)
    fig(refresh, "awards", Q4, 30, dimension="home_decile", value="1")
    # The overview has months; the breakdowns (quarters, years, the rolling year) do not.
    overview = text_of(admin_client.get(city_url(city, "overview"), {"period": "m2026-11"}))
    assert "Headline figures for November 2026" in overview
    response = admin_client.get(
        city_url(city, "breakdowns"),
        {"period": "m2026-11", "metric": "awards", "dimension": "home_decile"},
    )
    body = text_of(response)
    assert "by deprivation decile of home area, October to December 2026" in body
    assert 'value="m2026-11"' not in response.content.decode()


def test_a_filter_in_the_url_reads_filtered_figures(admin_client, city):
    refresh = make_refresh(city)
    topic = TopicFactory(city=city, name="Coding")
    fig(refresh, "awards", Q4, 300)
    fig(refresh, "awards", Q4, 17, filter_kind="topic", filter_value=str(topic.pk))
    response = admin_client.get(
        city_url(city, "overview"), {"period": Q4, "filter": f"topic:{topic.pk}"}
    )
    body = text_of(response)
    assert '<p class="insights-card-value">17</p>' in body
    assert "300" not in body
    assert f'<option value="topic:{topic.pk}" selected>Coding</option>' in body


def test_equity_page_shows_shares_and_withholds_a_small_deciles_ratio(admin_client, city):
    refresh = make_refresh(city)
    AreaFactory(city=city, imd_decile=1, young_population=5000)
    AreaFactory(city=city, imd_decile=2, young_population=5000)
    fig(refresh, "learners_reached", Q4, 60)
    fig(refresh, "learners_reached", Q4, 54, dimension="home_decile", value="1")
    fig(refresh, "learners_reached", Q4, FEWER, dimension="home_decile", value="2")
    body = text_of(admin_client.get(city_url(city, "equity"), {"period": Q4}))
    assert "1 (most deprived)" in body
    assert "90.0%" in body and "1.80" in body  # 54/60 of learners, 50% of residents
    assert "fewer than 10" in body and "withheld" in body


def test_deserts_page_ranks_areas_and_draws_a_map(admin_client, city):
    refresh = make_refresh(city)
    empty = AreaFactory(city=city, name="Emptyfield", young_population=3000)
    busy = AreaFactory(city=city, name="Busyton", young_population=1000, latitude="50.9")
    fig(refresh, "opportunities_offered", Q4, 7, dimension="venue_area", value=str(busy.pk))
    body = text_of(admin_client.get(city_url(city, "deserts"), {"period": Q4}))
    table = body[body.index('id="deserts-caption"') :]
    assert table.index("Emptyfield") < table.index("Busyton")
    assert "7.0" in body and "0.0" in body
    assert "<svg" in body
    assert str(empty.pk)  # the empty area is listed although it has no figure


def test_progression_page_shows_the_funnel(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "funnel_first_badge", Q4, 40)
    fig(refresh, "funnel_second_badge", Q4, FEWER)
    fig(refresh, "days_first_to_second", Q4, 9)
    body = text_of(admin_client.get(city_url(city, "progression"), {"period": Q4}))
    assert "Earned a first badge" in body and "40" in body
    assert "fewer than 10" in body
    assert "9 days" in body


def test_definitions_page_lists_every_metric_and_the_suppression_rule(admin_client, city):
    from learningcity.insights.catalogue import DIMENSIONS, METRICS

    make_refresh(city)
    body = text_of(admin_client.get(city_url(city, "definitions")))
    for metric in METRICS.values():
        assert metric.label in body
    for dimension in DIMENSIONS.values():
        if dimension.key != "total":
            assert dimension.label in body
    assert "“fewer than 10”" in body and "“withheld”" in body
    assert "Zero is always shown" in body and "one filter" in body.lower()


def test_definitions_page_follows_the_threshold_setting(admin_client, city, settings):
    settings.INSIGHTS_SUPPRESSION_THRESHOLD = 5
    body = text_of(admin_client.get(city_url(city, "definitions")))
    assert "“fewer than 5”" in body and "from 1 to 4" in body


def test_the_pages_are_get_only(admin_client, city):
    assert admin_client.post(city_url(city, "overview")).status_code == 405


@pytest.mark.parametrize("page", ORGANISATION_PAGES)
def test_organisation_pages_show_only_the_organisations_own_figures(client, city, page):
    # An organisation's breakdowns are by year and the rolling year (catalogue.Plan).
    organisation = OrganisationFactory(city=city, name="Harbour Club")
    membership = MembershipFactory(organisation=organisation)
    refresh = make_refresh(city)
    fig(refresh, "awards", Y2026, 987)
    fig(refresh, "awards", Y2026, 23, organisation_id=organisation.pk)
    fig(
        refresh,
        "awards",
        Y2026,
        23,
        organisation_id=organisation.pk,
        dimension="home_decile",
        value="1",
    )
    client.force_login(membership.user)
    response = client.get(org_url(organisation, page), {"period": Y2026, "metric": "awards"})
    assert response.status_code == 200
    body = text_of(response)
    assert "987" not in body
    assert "Harbour Club" in body
    if page in ("overview", "breakdowns", "equity"):
        assert "23" in body
    assert "opportunity-deserts" not in body


def test_the_organisation_has_no_deserts_page(city):
    with pytest.raises(Exception):  # noqa: B017
        reverse("insights-organisation-deserts", kwargs={"city_slug": city.slug, "org_slug": "x"})


def test_an_organisation_with_no_figures_is_told_so(client, city):
    organisation = OrganisationFactory(city=city, name="Quiet Club")
    make_refresh(city)  # figures for the city, none for this organisation
    client.force_login(MembershipFactory(organisation=organisation).user)
    body = text_of(client.get(org_url(organisation, "overview")))
    assert "There are no figures for Quiet Club yet" in body


def test_an_organisations_progression_page_says_it_is_city_wide(client, city):
    organisation = OrganisationFactory(city=city)
    fig(make_refresh(city), "awards", Q4, 12, organisation_id=organisation.pk)
    client.force_login(MembershipFactory(organisation=organisation).user)
    body = text_of(client.get(org_url(organisation, "progression")))
    assert "Progression is worked out for the whole city only" in body
    assert "New learners" not in text_of(client.get(org_url(organisation, "overview")))


def test_counts_on_the_pages_group_thousands_and_the_csv_keeps_plain_numbers(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 4120)
    page = text_of(admin_client.get(city_url(city, "overview"), {"period": Q4}))
    assert "4,120" in page and "4120" not in page
    csv = admin_client.get(city_url(city, "overview"), {"period": Q4, "format": "csv"})
    assert b"4120" in b"".join(csv.streaming_content if csv.streaming else [csv.content])
