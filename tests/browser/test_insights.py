"""The insights dashboards in a real browser.

The city team of a small city (``insights.tests.factories.small_city``, refreshed as of 30 June
2026) opens every dashboard page, picks a figure and a breakdown, changes the period and a
filter through the controls (once by keyboard), downloads a CSV and the PDF report, and reads
the overview and breakdowns on a 320 px phone. Then an organisation's staff member opens their
own overview and is refused another organisation's. Every page is checked with axe-core through
the conftest helpers.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD
from learningcity.cities.tests.factories import CityAdminFactory
from learningcity.insights.refresh import insights_refresh
from learningcity.insights.tests.factories import small_city
from learningcity.organisations.tests.factories import MembershipFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 720}
FEWER = "fewer than 10"


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page)


def follow(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("navigation", name="Insights pages").get_by_role("link", name=name).click()
    check_page(page)


def sign_in_here(page: Page, email: str) -> None:
    check_page(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()
    check_page(page)


def query(page: Page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(page.url).query).items()}


def assert_reflows(page: Page, what: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{what} scrolls sideways at {page.viewport_size} "
        f"(scrollWidth {page.evaluate('document.documentElement.scrollWidth')})"
    )


def test_the_city_team_reads_every_dashboard_and_downloads_its_figures(
    new_page: Callable[..., Page],
) -> None:
    town = small_city(slug="smallton")
    insights_refresh(city=town.city, as_of=town.as_of)
    admin = CityAdminFactory(city=town.city).user
    overview_url = reverse("insights-city-overview", kwargs={"city_slug": town.city.slug})

    page = new_page()
    page.goto(overview_url)
    sign_in_here(page, admin.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Smallton city team: overview")
    expect(page.get_by_text("Figures as of 30 June 2026")).to_be_visible()
    # A tiny city: its headline counts of people are all small, so shown only as words.
    cards = page.locator(".insights-cards")
    expect(cards.get_by_text(FEWER).first).to_be_visible()
    assert_reflows(page, "The overview on a desktop")
    screenshot(page, "insights-overview")

    # The period and a filter, through the selects; the URL carries the choice.
    page.get_by_label("Period", exact=True).select_option(label="April to June 2026")
    page.get_by_label("Only", exact=True).select_option(label="Coding")
    submit(page, "Show")
    chosen = query(page)
    assert chosen["period"] == "q2026-2"
    assert chosen["filter"] == f"topic:{town.topics['coding'].pk}"
    expect(page.get_by_label("Period", exact=True)).to_have_value("q2026-2")
    expect(page.get_by_text("showing April to June 2026")).to_be_visible()

    # The state follows the page navigation: breakdowns keeps the period and the filter.
    follow(page, "Breakdowns")
    assert query(page)["period"] == "q2026-2"
    assert query(page)["filter"] == f"topic:{town.topics['coding'].pk}"
    # Everything, then awards by age band, submitted from the keyboard.
    page.get_by_label("Only", exact=True).select_option(label="Everything")
    page.get_by_label("Figure", exact=True).select_option(label="Badges awarded")
    page.get_by_label("Broken down by", exact=True).select_option(label="Age band")
    with page.expect_navigation():
        page.get_by_role("button", name="Show").focus()
        page.keyboard.press("Enter")
    check_page(page)
    chosen = query(page)
    assert chosen["metric"] == "awards" and chosen["dimension"] == "age_band"
    assert chosen["period"] == "q2026-2" and "filter" not in chosen
    table = page.get_by_role("table", name=re.compile("Badges awarded", re.I))
    expect(table.get_by_role("rowheader", name="16 to 17").first).to_be_visible()
    expect(table.get_by_text(FEWER).first).to_be_visible()

    # The CSV is the table as shown: its header, and the small count as words.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download this table (CSV)").first.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(Path(download.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["Age band", "Badges awarded"]
    assert FEWER in {cell for row in rows[1:] for cell in row}
    assert not any(re.fullmatch(r"[1-9]", cell) for row in rows[1:] for cell in row)

    # The printable report for the same period.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile(r"Download the report .*\(PDF\)")).click()
    report = download_info.value
    assert report.suggested_filename == "insights-smallton-report-q2026-2.pdf"
    assert Path(report.path()).read_bytes().startswith(b"%PDF")

    for name, heading in (
        ("Equity", "Smallton city team: who is being reached"),
        ("Opportunity deserts", "Smallton city team: opportunity deserts"),
        ("Progression", "Smallton city team: progression"),
        ("Definitions", "Smallton city team: how each figure is counted"),
    ):
        follow(page, name)
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(heading, re.I))
        if name != "Definitions":
            assert query(page)["period"] == "q2026-2"
        if name == "Equity":
            screenshot(page, "insights-equity")
        if name == "Opportunity deserts":
            ranked = page.get_by_role("table", name=re.compile("Areas ranked", re.I))
            expect(ranked.get_by_role("row").nth(1)).to_contain_text("North")
            screenshot(page, "insights-deserts")

    # On a 320 px phone the overview and breakdowns reflow without sideways scrolling.
    phone = new_page(viewport=NARROW)
    phone.goto(overview_url)
    sign_in_here(phone, admin.email)
    assert_reflows(phone, "The overview")
    visit(
        phone,
        reverse("insights-city-breakdowns", kwargs={"city_slug": town.city.slug})
        + "?period=q2026-2&metric=awards&dimension=home_area",
    )
    assert_reflows(phone, "The breakdowns page")
    screenshot(phone, "insights-breakdowns-phone")


def test_organisation_staff_see_their_own_figures_and_not_another_organisations(
    new_page: Callable[..., Page],
) -> None:
    town = small_city(slug="smallton")
    insights_refresh(city=town.city, as_of=town.as_of)
    staff = MembershipFactory(organisation=town.school).user

    page = new_page()
    page.goto(
        reverse(
            "insights-organisation-overview",
            kwargs={"city_slug": town.city.slug, "org_slug": town.school.slug},
        )
    )
    sign_in_here(page, staff.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Smallton School: overview")
    nav = page.get_by_role("navigation", name="Insights pages")
    expect(nav.get_by_role("link", name="Opportunity deserts")).to_have_count(0)

    response = page.goto(
        reverse(
            "insights-organisation-overview",
            kwargs={"city_slug": town.city.slug, "org_slug": town.youth.slug},
        )
    )
    assert response is not None and response.status == 404
    check_page(page, status=404)
    expect(page.get_by_text("Smallton Youth")).to_have_count(0)
