"""Booking and attendance: two learners fill a session of two, a third joins the waitlist, one
cancels and the waitlisted learner gets the place (and an email), then staff on a phone check
her in by typing her code and the linked badge is awarded. axe-core checks every page."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD, LearnerProfileFactory, UserFactory
from learningcity.badges.models import Award, BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.opportunities.models import Booking, BookingStatus
from learningcity.opportunities.tests.factories import OpportunityFactory, SessionFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, email_to, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page)


def sign_in_here(page: Page, email: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def sign_in(page: Page, email: str, then: str) -> None:
    visit(page, f"{reverse('account_login')}?next={then}")
    sign_in_here(page, email)


def test_booking_waitlist_promotion_and_check_in_with_a_badge(
    page: Page, new_page: Callable[..., Page]
) -> None:
    organisation = OrganisationFactory(
        city=CityFactory(slug="plymouth", name="Plymouth"),
        slug="barbican-makers",
        name="Barbican Makers",
    )
    badge = BadgeClassFactory(
        organisation=organisation, name="Coding Club Starter", status=BadgeStatus.PUBLISHED
    )
    opportunity = OpportunityFactory(
        organisation=organisation,
        title="Saturday coding club",
        capacity=2,
        award_on_check_in=True,
        venue_name="Barbican Library",
        address="1 Quay Road",
    )
    opportunity.badge_classes.add(badge)
    starts = (timezone.now() + datetime.timedelta(hours=2)).replace(second=0, microsecond=0)
    session = SessionFactory(
        opportunity=opportunity, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    people = {
        name: LearnerProfileFactory(
            age=15,
            city=organisation.city,
            user=UserFactory(email=f"{name.lower()}@example.org", display_name=f"{name} Learner"),
        ).user
        for name in ("Amara", "Ben", "Chloe")
    }
    detail = opportunity.get_absolute_url()

    # Amara finds the session signed out, signs in from it and comes back to book.
    visit(page, detail)
    page.get_by_role("link", name=re.compile("Sign in to book")).click()
    page.wait_for_load_state()
    check_page(page)
    sign_in_here(page, people["Amara"].email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Saturday coding club")
    submit(page, re.compile("^Book a place"))
    expect(page.get_by_text("is booked. We've emailed you.")).to_be_visible()
    expect(page.get_by_text("You're booked")).to_be_visible()
    screenshot(page, "booking-opportunity-booked")
    assert "is booked" in email_to("amara@example.org").subject

    # Ben takes the last place; Chloe finds it full and joins the waitlist.
    ben = new_page()
    sign_in(ben, people["Ben"].email, detail)
    submit(ben, re.compile("^Book a place"))
    chloe = new_page(viewport=PHONE)
    sign_in(chloe, people["Chloe"].email, detail)
    expect(chloe.get_by_text("Full: join the waitlist")).to_be_visible()
    submit(chloe, re.compile("^Join the waitlist"))
    expect(chloe.get_by_text("Waitlist: number 1")).to_be_visible()
    screenshot(chloe, "booking-opportunity-waitlisted-phone")
    assert Booking.objects.filter(status=BookingStatus.WAITLISTED).get().learner == people["Chloe"]

    # Amara can't go after all: she cancels from her bookings, and Chloe gets the place.
    visit(page, reverse("learner-home"))
    page.get_by_role("link", name="My bookings").click()
    page.wait_for_load_state()
    check_page(page)
    screenshot(page, "booking-my-bookings")
    submit(page, re.compile("^Cancel my place"))
    expect(page.get_by_text("Your place at Saturday coding club is cancelled.")).to_be_visible()
    promotion = email_to("chloe@example.org")
    assert promotion.subject == "You've got a place at Saturday coding club"
    visit(chloe, reverse("learner-bookings"))
    expect(chloe.get_by_text("Booked", exact=True)).to_be_visible()
    expect(chloe.get_by_text("from the waitlist")).to_be_visible()

    # Chloe opens her check-in code on her phone.
    visit(chloe, reverse("learner-check-in-code"))
    expect(chloe.get_by_role("img", name="Your check-in QR code")).to_be_visible()
    shown = chloe.locator(".check-in-code-text").inner_text()
    assert re.fullmatch(r"[2-9A-Z]{4} [2-9A-Z]{4}", shown)
    screenshot(chloe, "booking-check-in-code-phone")

    # Staff on a phone type her code on the session's check-in page.
    issuer = MembershipFactory(
        organisation=organisation,
        role=Role.ISSUER,
        user=UserFactory(email="dev@example.org", display_name="Dev Staff"),
    ).user
    staff = new_page(viewport=PHONE)
    check_in_url = reverse(
        "session-check-in",
        kwargs={
            "city_slug": organisation.city.slug,
            "org_slug": organisation.slug,
            "session_id": session.public_id,
        },
    )
    sign_in(staff, issuer.email, check_in_url)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Check in")
    screenshot(staff, "booking-check-in-phone")
    field = staff.get_by_label("Check-in code")
    field.fill(shown.lower())
    staff.get_by_role("button", name="Check in", exact=True).click()
    result = staff.get_by_role("status").filter(has_text="Checked in")
    expect(result).to_have_text(
        "Checked in Chloe Learner — badge Coding Club Starter awarded.", timeout=15_000
    )
    expect(staff.locator("#checked-in-list")).to_contain_text("Chloe Learner")
    expect(field).to_have_value("")
    check_page(staff)
    screenshot(staff, "booking-check-in-done-phone")
    assert Award.objects.get(badge_class=badge).recipient_email == "chloe@example.org"

    # A second scan says so and awards nothing more.
    field.fill(shown)
    staff.get_by_role("button", name="Check in", exact=True).click()
    expect(staff.get_by_role("status").filter(has_text="already")).to_have_text(
        "Chloe Learner is already checked in."
    )
    assert Award.objects.filter(badge_class=badge).count() == 1

    # The attendees page shows who booked and who came.
    staff.get_by_role("link", name="See everyone who booked").click()
    staff.wait_for_load_state()
    check_page(staff)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Attendees")
    expect(staff.get_by_role("cell", name="Ben Learner")).to_be_visible()
    screenshot(staff, "booking-attendees-phone")
