"""The last parts of the badges work in a real browser: share buttons on the badge-class and
award pages (our own "Copy link", LinkedIn's "Add to profile" for the learner), the
organisation dashboard's counts and recent activity, and the PDF poster link. Every page is
checked with axe-core, on a desktop and on a phone."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD, UserFactory
from learningcity.badges import claims
from learningcity.badges.models import Application, BadgeStatus
from learningcity.badges.services import award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def organisation():
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, name="First Aid Basics", status=BadgeStatus.PUBLISHED
    )


def sign_in(page: Page, email: str) -> None:
    visit(page, reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()
    check_page(page)


def test_a_visitor_copies_and_shares_a_badge_page(
    new_page: Callable[..., Page], badge_class, site_url
) -> None:
    page = new_page(permissions=["clipboard-read", "clipboard-write"])
    visit(page, badge_class.get_absolute_url())
    share = page.get_by_role("region", name="Share it")
    expect(share.get_by_role("link", name=re.compile("^Share on LinkedIn"))).to_have_attribute(
        "rel", "noopener noreferrer"
    )
    expect(share.get_by_role("link", name="Share by email")).to_be_visible()
    field = share.get_by_label("Link to this page")
    expect(field).to_have_value(f"{site_url}{badge_class.get_absolute_url()}")
    share.get_by_role("button", name="Copy link").click()
    expect(share.get_by_role("status")).to_have_text("Link copied.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"{site_url}{badge_class.get_absolute_url()}"
    check_page(page)
    screenshot(page, "badges-finish-badge-class-share")

    phone = new_page(viewport=PHONE)
    visit(phone, badge_class.get_absolute_url())
    screenshot(phone, "badges-finish-badge-class-share-phone")


def test_the_learner_adds_their_award_to_linkedin_and_others_cannot(
    new_page: Callable[..., Page], badge_class
) -> None:
    learner = UserFactory(email="jo@example.org")
    award = award_issue(
        badge_class=badge_class,
        recipient_email="jo@example.org",
        recipient_name="Jo",
        issued_by=None,
    )
    visitor = new_page()
    visit(visitor, award.get_absolute_url())
    expect(visitor.get_by_role("link", name=re.compile("^Share on Facebook"))).to_be_visible()
    expect(visitor.get_by_role("link", name=re.compile("LinkedIn profile"))).to_have_count(0)

    page = new_page()
    sign_in(page, learner.email)
    visit(page, award.get_absolute_url())
    add = page.get_by_role("link", name=re.compile("^Add to your LinkedIn profile"))
    expect(add).to_have_attribute("href", re.compile(r"^https://www\.linkedin\.com/profile/add\?"))
    expect(add).to_have_attribute("rel", "noopener noreferrer")
    screenshot(page, "badges-finish-award-share")


def test_staff_see_counts_and_recent_activity_and_the_pdf_poster_link(
    new_page: Callable[..., Page], organisation, badge_class
) -> None:
    issuer = MembershipFactory(organisation=organisation, role=Role.ISSUER).user
    award_issue(
        badge_class=badge_class,
        recipient_email="sam@example.org",
        recipient_name="Sam",
        issued_by=issuer,
    )
    Application.objects.create(
        badge_class=badge_class,
        applicant=UserFactory(display_name="Amara"),
        text="I ran the first aid station at the festival.",
    )
    code = claims.claim_code_create(badge_class=badge_class, created_by=issuer, max_uses=30)

    for name, options in (("desktop", {}), ("phone", {"viewport": PHONE})):
        page = new_page(**options)
        sign_in(page, issuer.email)
        visit(
            page,
            reverse(
                "organisation-dashboard",
                kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
            ),
        )
        expect(page.get_by_role("link", name="Application waiting")).to_be_visible()
        activity = page.get_by_role("region", name="Recent activity")
        expect(activity).to_contain_text("Amara applied for First Aid Basics")
        expect(activity).to_contain_text("First Aid Basics awarded to Sam by hand")
        screenshot(page, f"badges-finish-dashboard-{name}")

    page.get_by_role("link", name="Claim codes and QR posters").click()
    check_page(page)
    pdf = page.get_by_role("link", name=f"Download PDF poster for {code.display_code}")
    expect(pdf).to_have_attribute("href", re.compile(r"/poster\.pdf$"))
    response = page.request.get(pdf.get_attribute("href") or "")
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
