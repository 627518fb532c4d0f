"""An editor designs a badge in the browser: shape, icon, title, level and skills; saves it, sees
the image, and publishes it. Every page is checked with axe-core."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD
from learningcity.badges.models import BadgeClass, BadgeStatus
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(site_url, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    organisation = OrganisationFactory(
        city=CityFactory(name="Brighton & Hove", slug="brighton-hove"),
        name="Booth Museum",
        slug="booth-museum",
    )
    return MembershipFactory(organisation=organisation, role=Role.EDITOR).user


def submit(page: Page, name: str | re.Pattern[str], *, status: int | None = None) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page, status=status)


def test_an_editor_designs_saves_and_publishes_a_badge(page: Page, editor) -> None:
    visit(page, reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(editor.email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))

    visit(
        page,
        reverse(
            "organisation-dashboard",
            kwargs={"city_slug": "brighton-hove", "org_slug": "booth-museum"},
        ),
    )
    page.get_by_role("link", name="Your badges").click()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Booth Museum's badges")
    page.get_by_role("link", name="Design a new badge").click()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Design a badge")

    page.get_by_label("Name", exact=True).fill("Young Curator")
    page.get_by_label("What this badge means").fill("Helped put on an exhibition.")
    page.get_by_label("How to earn it").fill("Came to **four** sessions and chose the objects.")
    page.get_by_label("Participate").check()
    page.get_by_label("Teamwork").check()
    page.get_by_label("Creativity").check()
    page.get_by_label(re.compile("^Shield")).check()
    page.get_by_label("Book").check()
    page.get_by_label("Short title on the badge").fill("Curator")

    # The live preview follows the choices (static/js/badge-designer.js).
    preview = page.locator("#badge-design-preview")
    expect(preview).to_have_attribute("src", re.compile(r"shape=shield.*icon=book.*title=Curator"))
    screenshot(page, "badge-design-01-designer")

    submit(page, "Save as a draft")
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit Young Curator")
    expect(page.get_by_text("Young Curator is saved as a draft")).to_be_visible()
    saved = page.get_by_role("img", name="The saved badge image of Young Curator")
    expect(saved).to_be_visible()
    assert saved.evaluate("image => image.complete && image.naturalWidth") == 400
    expect(page.locator(".markdown strong")).to_have_text("four")
    screenshot(page, "badge-design-02-saved")

    submit(page, "Publish Young Curator")
    expect(page.get_by_text("Young Curator is published")).to_be_visible()
    expect(page.get_by_text("Published", exact=True)).to_be_visible()
    screenshot(page, "badge-design-03-published")

    badge_class = BadgeClass.objects.get(name="Young Curator")
    assert badge_class.status == BadgeStatus.PUBLISHED
    assert (badge_class.design_shape, badge_class.design_icon) == ("shield", "book")
    assert {skill["name"] for skill in badge_class.skills} == {"Teamwork", "Creativity"}
