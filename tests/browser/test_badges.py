"""A stranger checks a badge: the award page, the badge class, the issuer and the checker, in a
real browser, each page checked with axe-core."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, expect

from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def awards(site_url):
    badge_class = BadgeClassFactory(name="Young Curator", organisation__name="Booth Museum")
    valid = award_issue(
        badge_class=badge_class,
        recipient_email="amara@example.org",
        recipient_name="Amara",
        issued_by=None,
    )
    revoked = award_issue(
        badge_class=badge_class,
        recipient_email="kai@example.org",
        recipient_name="Kai",
        issued_by=None,
    )
    award_revoke(award=revoked, by=None, reason="Awarded to the wrong learner by mistake.")
    return {"valid": valid, "revoked": revoked}


def test_an_employer_opens_a_badge_link_and_checks_it(page: Page, awards) -> None:
    award = awards["valid"]
    visit(page, award.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Young Curator")
    screenshot(page, "award-page")

    page.get_by_role("link", name="check this badge").click()
    page.wait_for_load_state()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("This badge is genuine and current")
    expect(
        page.get_by_text("Booth Museum is an organisation registered on this site")
    ).to_be_visible()
    screenshot(page, "verify-valid")


def test_a_revoked_badge_is_shown_as_revoked_everywhere(page: Page, awards) -> None:
    award = awards["revoked"]
    visit(page, award.get_absolute_url())
    expect(page.get_by_text("This badge has been revoked.")).to_be_visible()
    page.get_by_role("link", name="check this badge").click()
    page.wait_for_load_state()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "This badge has been revoked by its issuer"
    )


def test_a_pasted_credential_that_was_changed_is_called_tampered(page: Page, awards) -> None:
    credential = dict(awards["valid"].ob3_credential)
    credential["name"] = "Head Curator"
    visit(page, "/verify/")
    page.get_by_label("Or paste the badge").fill(json.dumps(credential))
    page.get_by_role("button", name="Check the badge").click()
    page.wait_for_load_state()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("changed")
    screenshot(page, "verify-tampered")


def test_the_badge_class_and_issuer_pages_are_accessible(page: Page, awards) -> None:
    from learningcity.badges.services import badge_class_endorse

    badge_class = awards["valid"].badge_class
    badge_class_endorse(
        badge_class=badge_class,
        city=badge_class.organisation.city,
        by=None,
        comment="Meets the city's quality mark for youth badges.",
    )
    visit(page, badge_class.get_absolute_url())
    expect(page.get_by_role("heading", name="Endorsed by")).to_be_visible()
    visit(page, awards["valid"].get_absolute_url())
    expect(page.get_by_role("heading", name="Endorsed by")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Young Curator")
    visit(page, f"/issuers/{badge_class.organisation.issuer.public_id}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Booth Museum")
