"""CSV downloads: the table exactly as the page shows it, and safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.insights import exports
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .dashboard_factories import FEWER, WITHHELD, fig, make_refresh

pytestmark = pytest.mark.django_db

Q4 = "q2026-4"


@pytest.fixture
def city():
    return CityFactory(slug="brightsea", name="Brightsea")


@pytest.fixture
def admin_client(client, city):
    client.force_login(CityAdminFactory(city=city).user)
    return client


def url(city, page):
    return reverse(f"insights-city-{page}", kwargs={"city_slug": city.slug})


def rows_of(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_breakdown_csv_is_the_table_with_words_for_suppressed_cells_and_a_total(admin_client, city):
    refresh = make_refresh(city)
    ash = AreaFactory(city=city, name="Ash")
    evil = AreaFactory(city=city, name='=HYPERLINK("http://x.example","click")')
    fig(refresh, "awards", Q4, 52)
    fig(refresh, "awards", Q4, 40, dimension="home_area", value=str(ash.pk))
    fig(refresh, "awards", Q4, FEWER, dimension="home_area", value=str(evil.pk))
    fig(refresh, "awards", Q4, WITHHELD, dimension="home_area", value="unknown")

    response = admin_client.get(
        url(city, "breakdowns"),
        {"period": Q4, "metric": "awards", "dimension": "home_area", "format": "csv"},
    )

    assert response["Content-Disposition"] == (
        'attachment; filename="insights-brightsea-awards-by-home_area-q2026-4.csv"'
    )
    assert rows_of(response) == [
        ["Home area", "Badges awarded"],
        ['\'=HYPERLINK("http://x.example","click")', "fewer than 10"],  # "=" sorts before letters
        ["Ash", "40"],
        ["Unknown", "withheld"],
        ["Total", "52"],
    ]


def test_headline_csv_keeps_negative_changes_as_numbers(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 20)
    fig(refresh, "awards", "q2026-3", 35)
    fig(refresh, "learners_reached", Q4, FEWER)
    fig(refresh, "learners_reached", "q2026-3", 18)

    rows = rows_of(admin_client.get(url(city, "overview"), {"period": Q4, "format": "csv"}))

    by_label = {row[0]: row for row in rows}
    assert rows[0] == ["figure", "this period", "previous period", "previous", "change"]
    assert by_label["Badges awarded"] == [
        "Badges awarded",
        "20",
        "July to September 2026",
        "35",
        "-15",
    ]
    assert by_label["Learners reached"] == [
        "Learners reached",
        "fewer than 10",
        "July to September 2026",
        "18",
        "",
    ]


def test_trend_csv(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "awards", "m2026-10", 12)
    fig(refresh, "awards", "m2026-11", FEWER)
    response = admin_client.get(
        url(city, "overview"), {"metric": "awards", "format": "csv", "table": "trend"}
    )
    assert rows_of(response) == [
        ["period", "Badges awarded"],
        ["October 2026", "12"],
        ["November 2026", "fewer than 10"],
    ]
    assert "trend-awards" in response["Content-Disposition"]


def test_equity_csv_has_shares_population_and_withheld_ratio(admin_client, city):
    refresh = make_refresh(city)
    AreaFactory(city=city, imd_decile=1, young_population=1000)
    AreaFactory(city=city, imd_decile=2, young_population=3000)
    fig(refresh, "learners_reached", Q4, 40)
    fig(refresh, "learners_reached", Q4, 30, dimension="home_decile", value="1")
    fig(refresh, "learners_reached", Q4, FEWER, dimension="home_decile", value="2")

    rows = rows_of(admin_client.get(url(city, "equity"), {"period": Q4, "format": "csv"}))

    assert rows[0][:3] == [
        "home area deprivation decile",
        "Learners reached",
        "Learners reached: share (%)",
    ]
    assert rows[0][-3:] == ["young residents", "young residents: share (%)", "reach ratio"]
    first = rows[1]
    assert first[0] == "1 (most deprived)"
    assert first[1:3] == ["30", "75.0"]
    assert first[-3:] == ["1000", "25.0", "3.00"]
    second = rows[2]
    assert second[1:3] == ["fewer than 10", "withheld"]
    assert second[-3:] == ["3000", "75.0", "withheld"]
    assert rows[-1][0] == "Total" and rows[-1][1] == "40"


def test_deserts_csv_ranks_areas_and_quotes_formula_names(admin_client, city):
    refresh = make_refresh(city)
    AreaFactory(city=city, name="@SUM(A1)", code="ZZ1", young_population=2000, imd_decile=1)
    rich = AreaFactory(city=city, name="Hove", code="ZZ2", young_population=1000, imd_decile=9)
    fig(refresh, "opportunities_offered", Q4, 3, dimension="venue_area", value=str(rich.pk))

    response = admin_client.get(url(city, "deserts"), {"period": Q4, "format": "csv"})

    assert rows_of(response)[1:] == [
        ["1", "'@SUM(A1)", "ZZ1", "1 (most deprived)", "0", "2000", "0.0"],
        ["2", "Hove", "ZZ2", "9", "3", "1000", "3.0"],
    ]
    assert "opportunity-deserts-q2026-4" in response["Content-Disposition"]
    assert response["Content-Disposition"].startswith("attachment;")


def test_progression_csv(admin_client, city):
    refresh = make_refresh(city)
    fig(refresh, "funnel_first_badge", Q4, 30)
    fig(refresh, "funnel_second_badge", Q4, FEWER)
    rows = rows_of(admin_client.get(url(city, "progression"), {"period": Q4, "format": "csv"}))
    assert rows[:3] == [
        ["step", "learners"],
        ["Earned a first badge", "30"],
        ["Went on to a second badge", "fewer than 10"],
    ]


def test_an_organisations_csv_carries_its_slug_and_only_its_figures(client, city):
    organisation = OrganisationFactory(city=city, slug="harbour")
    membership = MembershipFactory(organisation=organisation)
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 900)
    fig(refresh, "awards", Q4, 14, organisation_id=organisation.pk)
    client.force_login(membership.user)
    response = client.get(
        reverse(
            "insights-organisation-overview",
            kwargs={"city_slug": city.slug, "org_slug": organisation.slug},
        ),
        {"period": Q4, "format": "csv"},
    )
    assert "insights-brightsea-harbour-headlines-q2026-4.csv" in response["Content-Disposition"]
    awards = next(r for r in rows_of(response) if r[0] == "Badges awarded")
    assert awards[1] == "14"


def test_csv_cells_starting_like_formulas_are_quoted_but_numbers_are_not():
    response = exports.csv_response(
        rows=[["=1+1", "+x", "-y", "@z", "\tt", "\rr", "plain", -3, 7]], filename="f.csv"
    )
    assert rows_of(response) == [["'=1+1", "'+x", "'-y", "'@z", "'\tt", "'\rr", "plain", "-3", "7"]]


def test_filenames_keep_only_safe_characters():
    assert exports.csv_filename("insights", "brighton", "", "a b/c", "q2026-4") == (
        "insights-brighton-a-b-c-q2026-4.csv"
    )
