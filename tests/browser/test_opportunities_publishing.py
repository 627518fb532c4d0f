"""An editor adds an opportunity with a postcode, gives it weekly sessions and submits it; the city
team approves it (the organisation is not trusted). Every page is checked with axe-core."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.opportunities.models import Opportunity, OpportunityStatus
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page)


def sign_in_here(page: Page, email: str) -> None:
    """Fill the sign-in form the browser is showing (it came with ?next=)."""
    check_page(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def test_an_editor_publishes_weekly_sessions_and_the_city_approves(
    new_page: Callable[..., Page],
) -> None:
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    AreaFactory(city=city, code="BN2", name="Kemptown")
    organisation = OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")
    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    city_admin = CityAdminFactory(city=city).user

    staff = new_page()
    staff.goto(
        reverse(
            "organisation-dashboard",
            kwargs={"city_slug": city.slug, "org_slug": organisation.slug},
        )
    )
    sign_in_here(staff, editor.email)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Your opportunities").click()
    check_page(staff)
    with staff.expect_navigation():
        staff.get_by_role("link", name="Add an opportunity").click()
    check_page(staff)
    screenshot(staff, "opportunity-form")

    # A mistake first: a postcode outside the city is refused next to its field.
    staff.get_by_label("Title").fill("Saturday coding club")
    staff.get_by_label("Short summary").fill("Make games and websites with friendly mentors.")
    staff.get_by_label("Type of opportunity").select_option("club")
    staff.get_by_label("Youngest age").fill("11")
    staff.get_by_label("Oldest age").fill("16")
    staff.get_by_label("Venue name").fill("Kemptown Community Hall")
    staff.get_by_label("Postcode").fill("PL4 8AA")
    staff.get_by_label("Places per session").fill("12")
    staff.get_by_label("Step-free access").check()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Save as a draft").click()
    check_page(staff, status=400)
    expect(staff.locator("#id_postcode_error")).to_contain_text("PL4 8AA")
    screenshot(staff, "opportunity-form-errors")

    staff.get_by_label("Postcode").fill("BN2 1AA")
    submit(staff, "Save as a draft")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Saturday coding club")
    expect(staff.get_by_text("Now add its dates")).to_be_visible()

    with staff.expect_navigation():
        staff.get_by_role("link", name="Add dates").first.click()
    check_page(staff)
    weekly = staff.locator("details", has_text="Every week")
    first = timezone.now().astimezone(zoneinfo.ZoneInfo(city.timezone)).date()
    first += datetime.timedelta(days=7)
    weekly.get_by_label("First date").fill(first.isoformat())
    weekly.get_by_label("Last date").fill((first + datetime.timedelta(weeks=5)).isoformat())
    weekly.get_by_label("Starts at").fill("18:00")
    weekly.get_by_label("Ends at").fill("20:00")
    screenshot(staff, "opportunity-sessions-add")
    submit(staff, "Add weekly sessions")
    expect(staff.get_by_text("6 sessions added")).to_be_visible()
    expect(staff.locator(".sessions-table tbody tr")).to_have_count(6)
    expect(staff.get_by_text("0 of 12").first).to_be_visible()
    screenshot(staff, "opportunity-staff-detail")

    # The last week is cancelled, after a confirmation step.
    last_week = staff.locator(".session-cancel").last
    last_week.locator("summary").click()
    with staff.expect_navigation():
        last_week.get_by_role("button").click()
    check_page(staff)
    expect(staff.get_by_text("The session is cancelled.")).to_be_visible()
    expect(staff.locator(".session-cancelled")).to_have_count(1)

    submit(staff, "Submit for publishing")
    expect(staff.get_by_text(re.compile("waiting for Brighton & Hove's city team"))).to_be_visible()
    opportunity = Opportunity.objects.get(title="Saturday coding club")
    assert opportunity.status == OpportunityStatus.SUBMITTED
    assert opportunity.area is not None and opportunity.area.name == "Kemptown"

    phone = new_page(viewport=PHONE)
    phone.goto(
        reverse(
            "opportunity-staff-detail",
            kwargs={
                "city_slug": city.slug,
                "org_slug": organisation.slug,
                "public_id": opportunity.public_id,
            },
        )
    )
    sign_in_here(phone, editor.email)
    screenshot(phone, "opportunity-staff-detail-phone")
    assert phone.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    ), "The staff's opportunity page scrolls sideways on a phone"

    admin = new_page()
    admin.goto(reverse("city-admin-opportunities", kwargs={"city_slug": city.slug}))
    sign_in_here(admin, city_admin.email)
    screenshot(admin, "opportunity-review-queue")
    with admin.expect_navigation():
        admin.get_by_role("link", name=re.compile("Saturday coding club")).click()
    check_page(admin)
    expect(admin.get_by_text("Make games and websites with friendly mentors.")).to_be_visible()
    screenshot(admin, "opportunity-review")
    submit(admin, "Approve and publish")
    expect(admin.get_by_text("Saturday coding club is published")).to_be_visible()
    expect(admin.get_by_text("Nothing is waiting.")).to_be_visible()

    visit(staff, staff.url)
    expect(staff.locator(".opportunity-status-published").first).to_be_visible()
    opportunity.refresh_from_db()
    assert opportunity.status == OpportunityStatus.PUBLISHED
    visit(
        staff,
        reverse(
            "opportunity-staff-list",
            kwargs={"city_slug": city.slug, "org_slug": organisation.slug},
        ),
    )
    expect(staff.get_by_role("heading", name=re.compile("^Published"))).to_be_visible()
    screenshot(staff, "opportunity-staff-list")
