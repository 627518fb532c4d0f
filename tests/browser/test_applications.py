"""Apply and approve: a learner applies for a badge with text, a link and a PNG; an issuer
approves it; the learner finds the badge on their home page. axe-core checks every page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from PIL import Image
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD, LearnerProfileFactory, UserFactory
from learningcity.badges.models import Application, ApplicationStatus, BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def submit(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page)


def sign_in_here(page: Page, email: str) -> None:
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "green").save(buffer, "PNG")
    return buffer.getvalue()


def test_a_learner_applies_and_an_issuer_approves(
    page: Page, new_page: Callable[..., Page]
) -> None:
    organisation = OrganisationFactory(
        city=CityFactory(slug="brighton"), slug="hove-youth-club", name="Hove Youth Club"
    )
    badge_class = BadgeClassFactory(
        organisation=organisation, name="Litter Picker", status=BadgeStatus.PUBLISHED
    )
    learner = UserFactory(email="amara@example.org", display_name="Amara")
    LearnerProfileFactory(user=learner, city=organisation.city)

    visit(page, badge_class.get_absolute_url())
    page.get_by_role("link", name="Apply for this badge").click()
    page.wait_for_load_state()
    check_page(page)  # the sign-in page
    sign_in_here(page, learner.email)
    expect(page.get_by_role("heading", level=1)).to_have_text("Apply for Litter Picker")
    page.get_by_label("What did you do?").fill("I picked litter on the beach for three Saturdays.")
    page.get_by_label("Links (optional)").fill("https://example.org/beach-clean")
    page.get_by_label("Files (optional)").set_input_files(
        files=[{"name": "beach.png", "mimeType": "image/png", "buffer": png_bytes()}]
    )
    screenshot(page, "application-create")
    submit(page, "Send application")
    expect(page.get_by_role("heading", level=1)).to_have_text("My applications")
    expect(page.get_by_text("Waiting for a decision")).to_be_visible()
    screenshot(page, "application-mine")
    application = Application.objects.get()
    assert application.files.count() == 1

    issuer = MembershipFactory(
        organisation=organisation, role=Role.ISSUER, user=UserFactory(email="sam@example.org")
    ).user
    staff_page = new_page()
    visit(
        staff_page,
        reverse(
            "application-list",
            kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
        ),
    )
    sign_in_here(staff_page, issuer.email)
    expect(staff_page.get_by_role("heading", level=1)).to_have_text("Applications")
    staff_page.get_by_role("link", name="Amara").click()
    staff_page.wait_for_load_state()
    check_page(staff_page)
    expect(staff_page.get_by_text("I picked litter on the beach")).to_be_visible()
    expect(staff_page.get_by_role("link", name="beach.png")).to_be_visible()
    screenshot(staff_page, "application-detail")
    staff_page.get_by_label("Feedback for the learner").fill("Great work, thank you!")
    submit(staff_page, "Approve and issue the badge")
    expect(staff_page.get_by_text("Approved", exact=True)).to_be_visible()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED

    visit(page, reverse("learner-home"))
    expect(page.get_by_text("Litter Picker").first).to_be_visible()
    screenshot(page, "application-learner-home")
