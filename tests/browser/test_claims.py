"""Claim codes in a real browser: an issuer makes a code and prints its poster; learners claim
by typing the code and by scanning it; someone opens the link in an award email. Every page is
checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD, UserFactory
from learningcity.badges.models import Award, AwardDelivery, BadgeStatus, DeliveryStatus
from learningcity.badges.services import award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, email_to, link_in, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation():
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, name="First Aid Basics", status=BadgeStatus.PUBLISHED
    )


def submit(page: Page, name: str | re.Pattern[str], *, status: int | None = None) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page, status=status)


def sign_in_here(page: Page, email: str) -> None:
    """Fill the sign-in form the browser is showing (it came with ?next=)."""
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def staff_url(name: str, organisation, **kwargs) -> str:
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def test_an_issuer_makes_a_code_and_a_learner_claims_it(
    page: Page, new_page: Callable[..., Page], organisation, badge_class
) -> None:
    issuer = MembershipFactory(
        organisation=organisation, role=Role.ISSUER, user=UserFactory(email="sam@example.org")
    ).user
    visit(page, staff_url("claim-code-list", organisation))  # the sign-in page, with ?next=
    sign_in_here(page, issuer.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Claim codes")

    page.get_by_role("link", name="Make a claim code").click()
    check_page(page)
    page.get_by_label("Badge").select_option(label="First Aid Basics")
    page.get_by_label("How many people can use it").fill("30")
    screenshot(page, "claim-code-create")
    submit(page, "Make the code")
    code_cell = page.locator(".claim-code").first
    expect(code_cell).to_have_text(re.compile(r"^[2-9A-Z]{4}-[2-9A-Z]{4}$"))
    code = code_cell.inner_text()
    expect(page.get_by_role("cell", name="0 of 30")).to_be_visible()
    screenshot(page, "claim-code-list")

    poster_href = page.get_by_role("link", name=re.compile("Poster")).get_attribute("href")
    assert poster_href
    poster = page.goto(poster_href)
    assert poster is not None and poster.status == 200
    assert poster.headers["content-type"] == "image/png"
    assert len(poster.body()) > 10_000
    page.go_back()

    # A learner without a camera types the code, in small letters with a space.
    learner = UserFactory(email="amara@example.org", display_name="Amara")
    learner_page = new_page()
    visit(learner_page, "/claim/")  # sends them to sign in and back
    sign_in_here(learner_page, learner.email)
    expect(learner_page.get_by_role("heading", level=1)).to_have_text("Claim a badge")
    learner_page.get_by_label("Claim code").fill(code.lower().replace("-", " "))
    screenshot(learner_page, "claim-enter")
    submit(learner_page, "Claim the badge")
    expect(learner_page.get_by_role("heading", level=1)).to_have_text("First Aid Basics")
    expect(learner_page.get_by_text("It's in your backpack now")).to_be_visible()
    screenshot(learner_page, "claim-claimed")
    award = Award.objects.get(recipient=learner)
    assert AwardDelivery.objects.get(award=award).status == DeliveryStatus.CLAIMED

    # Typing it again is refused with a reason.
    visit(learner_page, "/claim/")
    learner_page.get_by_label("Claim code").fill(code)
    submit(learner_page, "Claim the badge")
    expect(learner_page.locator(".error-summary")).to_contain_text("already claimed")

    # Another learner scans the poster: the QR link opens the claim page with the code.
    scanner = UserFactory(email="kai@example.org")
    scanner_page = new_page()
    visit(scanner_page, f"/claim/{code.replace('-', '')}/")
    sign_in_here(scanner_page, scanner.email)
    expect(scanner_page.get_by_role("heading", level=1)).to_have_text("Claim First Aid Basics")
    screenshot(scanner_page, "claim-code-qr")
    submit(scanner_page, "Claim the badge")
    expect(scanner_page.get_by_role("heading", level=1)).to_have_text("First Aid Basics")

    page.reload()
    check_page(page)
    expect(page.get_by_role("cell", name="2 of 30")).to_be_visible()


def test_a_recipient_opens_the_award_email_and_staff_see_it_claimed(
    page: Page, new_page: Callable[..., Page], organisation, badge_class
) -> None:
    award = award_issue(
        badge_class=badge_class,
        recipient_email="jo@example.org",
        recipient_name="Jo",
        issued_by=None,
    )
    assert AwardDelivery.objects.get(award=award).status == DeliveryStatus.SENT

    visit(page, link_in(email_to("jo@example.org"), "/claim/award/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your First Aid Basics badge")
    expect(page.get_by_text("jo@example.org")).to_be_visible()
    screenshot(page, "claim-award-link")
    # Opening the link is not claiming it (mail scanners open links too): pressing is.
    assert AwardDelivery.objects.get(award=award).status == DeliveryStatus.SENT
    submit(page, "Accept my badge")
    expect(page.get_by_text("You've accepted this badge.")).to_be_visible()
    assert AwardDelivery.objects.get(award=award).status == DeliveryStatus.CLAIMED

    issuer = MembershipFactory(organisation=organisation, role=Role.ISSUER).user
    staff_page = new_page()
    visit(staff_page, staff_url("award-deliveries", organisation))
    sign_in_here(staff_page, issuer.email)
    row = staff_page.get_by_role("row", name=re.compile("jo@example.org"))
    expect(row).to_contain_text("Claimed")
    screenshot(staff_page, "award-deliveries")
    submit(staff_page, re.compile("Resend"))
    expect(
        staff_page.get_by_text("Sending the First Aid Basics email to jo@example.org again")
    ).to_be_visible()
