"""An editor asks the city to endorse a badge, a city admin endorses it, and the public badge
page shows the endorsement, in a real browser with axe-core on every page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD
from learningcity.badges.models import BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page)


def sign_in_here(page: Page, email: str) -> None:
    """Fill the sign-in form the browser is showing (it came with ?next=)."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def test_an_editor_asks_and_a_city_admin_endorses(new_page: Callable[..., Page]) -> None:
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    organisation = OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")
    badge_class = BadgeClassFactory(
        organisation=organisation, name="First Aid Basics", status=BadgeStatus.PUBLISHED
    )
    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    city_admin = CityAdminFactory(city=city).user

    staff = new_page()
    staff.goto(
        reverse(
            "endorsement-request-create",
            kwargs={
                "city_slug": city.slug,
                "org_slug": organisation.slug,
                "public_id": badge_class.public_id,
            },
        )
    )
    sign_in_here(staff, editor.email)
    expect(staff.get_by_role("heading", level=1)).to_contain_text("First Aid Basics")
    staff.get_by_label("A note for the city team (optional)").fill("Run with St John Ambulance.")
    submit(staff, "Ask the city to endorse")
    expect(staff.get_by_text("Waiting for the city")).to_be_visible()
    screenshot(staff, "endorsement-requested")

    admin = new_page()
    admin.goto(reverse("city-admin-endorsements", kwargs={"city_slug": city.slug}))
    sign_in_here(admin, city_admin.email)
    expect(admin.get_by_text("Run with St John Ambulance.")).to_be_visible()
    screenshot(admin, "endorsement-queue")
    admin.get_by_label("What the city says about First Aid Basics").fill(
        "Meets the city's standard for first aid training."
    )
    submit(admin, "Endorse First Aid Basics")
    expect(admin.get_by_text("Nothing decided yet.")).to_have_count(0)

    visit(admin, badge_class.get_absolute_url())
    expect(admin.get_by_text(re.compile("Endorsed by", re.I)).first).to_be_visible()
    expect(admin.get_by_text("Meets the city's standard for first aid training.")).to_be_visible()
    screenshot(admin, "endorsed-badge")
