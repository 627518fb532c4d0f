"""Discovery in a real browser: find an opportunity by text, filter by type and by postcode, open
it — by keyboard alone, with axe-core on the list (with its map) and on the opportunity's page."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.badges.models import BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.opportunities.models import Delivery, OpportunityType
from learningcity.opportunities.tests.factories import TopicFactory
from learningcity.opportunities.tests.factories_discovery import opportunity_with_sessions
from learningcity.organisations.tests.factories import OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the element matching ``selector`` has the focus."""
    target = page.locator(selector)
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    pytest.fail(f"Tab never reached {selector}")


def press_and_load(page: Page, key: str) -> None:
    with page.expect_navigation():
        page.keyboard.press(key)
    check_page(page)


def assert_map_holds_no_focus(page: Page) -> None:
    expect(page.locator("#opportunity-map.is-drawn")).to_be_visible()
    tabbable = page.locator("#opportunity-map").evaluate(
        "map => [...map.querySelectorAll('*')].filter(el => el.tabIndex >= 0).length"
    )
    assert tabbable == 0


@pytest.fixture
def city_with_opportunities():
    city = CityFactory(name="Brighton & Hove", slug="brighton")
    AreaFactory(city=city, code="BN2", name="Kemptown", latitude="50.82", longitude="-0.11")
    AreaFactory(city=city, code="BN1", name="Preston Park", latitude="50.84", longitude="-0.15")
    organisation = OrganisationFactory(city=city, name="Hove Youth Project", slug="hove-youth")
    arts = TopicFactory(city=city, name="Arts and culture", slug="arts")
    start = (timezone.localtime() + datetime.timedelta(days=5)).replace(
        hour=17, minute=0, second=0, microsecond=0
    )
    dance = opportunity_with_sessions(
        organisation=organisation,
        title="Street dance workshop",
        summary="Learn hip-hop moves with a professional dancer. No experience needed.",
        description="Wear trainers. We finish with a short **performance** for parents.",
        type=OpportunityType.WORKSHOP,
        topics=[arts],
        venue_name="Kemptown Community Hall",
        address="1 Sea Lane",
        postcode="BN2 1AA",
        latitude="50.82100",
        longitude="-0.11100",
        step_free=True,
        starts=[start, start + datetime.timedelta(days=7)],
    )
    badge = BadgeClassFactory(
        organisation=organisation, name="Dance Starter", status=BadgeStatus.PUBLISHED
    )
    dance.badge_classes.add(badge)
    opportunity_with_sessions(
        organisation=organisation,
        title="Dance course for beginners",
        summary="Ten weeks of contemporary dance.",
        type=OpportunityType.COURSE,
        topics=[arts],
        venue_name="Preston Park Studio",
        latitude="50.90000",
        longitude="-0.30000",
        price="25.00",
        starts=[start + datetime.timedelta(days=1)],
    )
    opportunity_with_sessions(
        organisation=organisation,
        title="Coding club online",
        summary="Make games in Python from home.",
        type=OpportunityType.CLUB,
        delivery=Delivery.ONLINE,
        starts=[start + datetime.timedelta(days=2)],
    )
    return city, dance


def test_find_filter_and_open_an_opportunity_by_keyboard(page: Page, city_with_opportunities):
    city, dance = city_with_opportunities
    list_url = reverse("opportunity-list", kwargs={"city_slug": city.slug})
    visit(page, list_url)
    expect(page.get_by_role("heading", level=2, name="3 opportunities")).to_be_visible()
    assert_map_holds_no_focus(page)
    screenshot(page, "discovery-list-desktop")

    # Search by text: tab to the box, type, Enter.
    tab_to(page, "#discover-q")
    page.keyboard.type("dance")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", level=2, name="2 opportunities")).to_be_visible()
    assert "q=dance" in page.url

    # Filter by type: tab to the checkbox, Space, then tab to "Show results" and Enter.
    tab_to(page, "#f-type-workshop")
    page.keyboard.press("Space")
    expect(page.locator("#f-type-workshop")).to_be_checked()
    tab_to(page, "button:text('Show results')")
    press_and_load(page, "Enter")
    expect(page.get_by_role("heading", level=2, name="1 opportunity")).to_be_visible()
    expect(page.locator("#f-type-workshop")).to_be_checked()
    assert "type=workshop" in page.url

    # Open the first result with Enter.
    tab_to(page, ".result-list a")
    press_and_load(page, "Enter")
    assert page.url.endswith(dance.get_absolute_url())
    expect(page.get_by_role("heading", level=1, name="Street dance workshop")).to_be_visible()
    expect(page.get_by_role("link", name="Dance Starter")).to_be_visible()
    expect(page.get_by_role("link", name="Add all 2 dates to your calendar")).to_be_visible()
    screenshot(page, "discovery-detail-desktop")


def test_filter_by_postcode_and_an_unknown_postcode(page: Page, city_with_opportunities):
    city, _dance = city_with_opportunities
    visit(page, reverse("opportunity-list", kwargs={"city_slug": city.slug}))
    page.get_by_label("Near", exact=True).fill("BN2 4GL")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    check_page(page)
    expect(
        page.get_by_role("heading", level=2, name="1 opportunity near BN2 (Kemptown)")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Street dance workshop")).to_be_visible()
    expect(page.get_by_text("km away")).to_be_visible()

    page.get_by_label("Near", exact=True).fill("ZZ9 9ZZ")
    with page.expect_navigation():
        page.get_by_role("button", name="Search").click()
    check_page(page)
    expect(
        page.get_by_text("We couldn't find the postcode ZZ9 9ZZ in Brighton & Hove")
    ).to_be_visible()
    expect(page.get_by_role("heading", level=2, name="3 opportunities")).to_be_visible()


def test_the_pages_on_a_phone(new_page: Callable[..., Page], city_with_opportunities):
    city, dance = city_with_opportunities
    page = new_page(viewport=PHONE)
    visit(page, reverse("opportunity-list", kwargs={"city_slug": city.slug}))
    # The filters start folded on a phone so the results are near the top.
    expect(page.locator("#discover-filters")).not_to_have_attribute("open", "")
    assert_map_holds_no_focus(page)
    screenshot(page, "discovery-list-phone")
    page.locator("#discover-filters summary").click()
    expect(page.get_by_label("Free only")).to_be_visible()
    visit(page, dance.get_absolute_url())
    screenshot(page, "discovery-detail-phone")
    visit(page, city.get_absolute_url())
    screenshot(page, "discovery-city-home-phone")
