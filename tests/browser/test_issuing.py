"""An issuer gives one badge by hand, then 195 from a 200-row CSV with 5 bad rows: each page
checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD, UserFactory
from learningcity.badges.models import Award
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def organisation(site_url):
    return OrganisationFactory(name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(organisation=organisation, name="Teamwork", status="published")


@pytest.fixture
def issuer(organisation):
    user = UserFactory(email="issuer@example.org")
    MembershipFactory(organisation=organisation, user=user, role=Role.ISSUER)
    return user


def staff_url(name: str, organisation, **kwargs) -> str:
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def submit(page: Page, name, *, timeout: float = 10_000) -> None:
    with page.expect_navigation(timeout=timeout):
        page.get_by_role("button", name=name).click(timeout=timeout)
    check_page(page)


def sign_in(page: Page, email: str) -> None:
    visit(page, reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def csv_with_bad_rows() -> bytes:
    lines = ["email,name,evidence_narrative"]
    lines += [
        f"learner{n}@example.org,Learner {n},Came to {n % 5 + 1} sessions" for n in range(195)
    ]
    lines += [
        "not-an-email,Bad Email,",
        "learner1@example.org,Learner 1 again,",
        "learner2@example.org,Learner 2 again,",
        "still bad@,Bad Again,",
        "@example.org,No Name,",
    ]
    return ("\n".join(lines) + "\n").encode()


def test_an_issuer_awards_one_badge_then_a_csv_of_200(
    page: Page, organisation, badge_class, issuer
):
    sign_in(page, issuer.email)

    visit(page, staff_url("award-create", organisation))
    page.get_by_label("Badge").select_option(label="Teamwork")
    page.get_by_label("Learner's email address").fill("amara@example.org")
    page.get_by_label("Learner's name").fill("Amara")
    page.get_by_label("What they did (optional)").fill("Ran the stall at the fair.")
    screenshot(page, "issuing-01-one-award")
    submit(page, "Award the badge")
    expect(page.get_by_text("Teamwork was awarded to amara@example.org.")).to_be_visible()
    expect(page.get_by_role("link", name="amara@example.org", exact=True)).to_be_visible()

    visit(page, staff_url("bulk-issue-upload", organisation))
    page.get_by_label("Badge").select_option(label="Teamwork")
    page.get_by_label("CSV file").set_input_files(
        {"name": "fair.csv", "mimeType": "text/csv", "buffer": csv_with_bad_rows()}
    )
    submit(page, "Check the file")
    expect(page.locator("#count-total")).to_have_text("200")
    expect(page.locator("#count-ready")).to_have_text("195")
    expect(page.locator("#count-problems")).to_have_text("5")
    expect(page.locator("table tbody tr")).to_have_count(5)
    screenshot(page, "issuing-02-preview")

    # Tasks run inline in tests, so the redirect comes once every row is issued.
    submit(page, "Award 195 badges", timeout=120_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Badges awarded")
    expect(page.get_by_role("status").filter(has_text="awarded")).to_contain_text(
        "195 of 195 awarded"
    )
    screenshot(page, "issuing-03-progress")
    assert Award.objects.filter(badge_class=badge_class).count() == 196

    visit(page, staff_url("award-list", organisation))
    expect(page.get_by_role("table")).to_contain_text("196 awards")
