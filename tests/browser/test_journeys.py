"""Journeys through Learning City in a real browser, every page checked for accessibility."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.accounts.models import GuardianConsent, LearnerProfile, User
from learningcity.accounts.tests.factories import PASSWORD, LearnerProfileFactory, UserFactory
from learningcity.cities.models import Area
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.organisations.models import Membership, Organisation, Role
from learningcity.organisations.tests.factories import OrganisationFactory

from .conftest import check_page, email_to, link_in, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def city():
    city = CityFactory(
        name="Brighton & Hove",
        slug="brighton-hove",
        tagline="A city where learning happens everywhere",
        primary_colour="#1d4ed8",
    )
    AreaFactory(city=city, kind=Area.Kind.POSTCODE_DISTRICT, code="BN2", name="Kemptown")
    AreaFactory(city=city, kind=Area.Kind.WARD, code="E05002432", name="Queen's Park")
    return city


def years_ago(years: int) -> datetime.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=1) - datetime.timedelta(days=40)


def fill_signup(
    page: Page,
    *,
    name: str,
    email: str,
    city_name: str,
    date_of_birth: datetime.date,
    postcode: str = "",
    guardian_email: str = "",
) -> None:
    page.get_by_label("Your first name or a nickname").fill(name)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Your city").select_option(label=city_name)
    page.get_by_label("Date of birth").fill(date_of_birth.isoformat())
    if postcode:
        page.get_by_label(re.compile("first part of your postcode")).fill(postcode)
    if guardian_email:
        page.get_by_label(re.compile("parent or carer's email")).fill(guardian_email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)


def submit(page: Page, name: str | re.Pattern[str], *, status: int | None = None) -> None:
    """Press the button called ``name`` and check the page it leads to."""
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page, status=status)


def confirm_email(page: Page, address: str) -> None:
    """Open the emailed confirmation link and press the confirm button."""
    visit(page, link_in(email_to(address), "/accounts/confirm-email/"))
    screenshot(page, "signup-03-confirm-email")
    submit(page, "Yes, confirm")


def sign_in(page: Page, email: str) -> None:
    visit(page, reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def about_you(page: Page, term: str):
    """The value shown for ``term`` in the learner home's "About you" list."""
    return page.locator("dt", has_text=re.compile(f"^{term}$")).locator(
        "xpath=following-sibling::dd[1]"
    )


# --- a. An adult signs up -------------------------------------------------------------------------


def test_an_adult_signs_up_from_the_home_page_and_lands_on_their_private_learner_home(
    page: Page, city
) -> None:
    visit(page, reverse("home"))
    screenshot(page, "home")
    page.get_by_role("link", name="Brighton & Hove").click()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Brighton & Hove")
    screenshot(page, "city-home")

    page.get_by_role("link", name="Join Brighton & Hove").click()
    check_page(page)
    assert page.url.endswith(reverse("account_signup")) or reverse("account_signup") in page.url
    screenshot(page, "signup-01-form")
    fill_signup(
        page,
        name="Amira",
        email="amira@example.org",
        city_name="Brighton & Hove",
        date_of_birth=years_ago(30),
        postcode="BN2 4GL",
    )
    submit(page, re.compile("^(Sign up|Join|Create)", re.I))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Check your email")
    screenshot(page, "signup-02-verify-email")

    confirm_email(page, "amira@example.org")
    assert page.url.endswith(reverse("learner-home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Amira")
    expect(about_you(page, "Area")).to_contain_text("BN2")
    expect(about_you(page, "Area")).to_contain_text("Kemptown")
    expect(about_you(page, "Profile")).to_have_text("Private")
    expect(about_you(page, "Suggestions")).to_have_text("On")
    expect(page.get_by_text("Waiting for your parent or carer")).to_have_count(0)
    screenshot(page, "learner-home-adult")

    profile = LearnerProfile.objects.get(user__email="amira@example.org")
    assert (profile.profile_public, profile.recommendations_enabled) == (False, True)
    assert profile.area is not None and profile.area.code == "BN2"


# --- b. An under-13 signs up with a guardian's email ----------------------------------------------


def test_an_under_13_without_a_guardian_email_is_told_what_is_missing_in_an_accessible_summary(
    page: Page, city
) -> None:
    visit(page, reverse("account_signup"))
    fill_signup(
        page,
        name="Sam",
        email="sam@example.org",
        city_name="Brighton & Hove",
        date_of_birth=years_ago(11),
    )
    submit(page, re.compile("^(Sign up|Join|Create)", re.I))  # check_page runs axe on the errors
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(errors.GUARDIAN_EMAIL_REQUIRED)
    # The summary links to the field, and the field says what is wrong with it.
    summary.get_by_role("link", name=re.compile("parent or carer")).click()
    guardian_field = page.get_by_label(re.compile("parent or carer's email"))
    expect(guardian_field).to_be_focused()
    expect(guardian_field).to_have_attribute("aria-invalid", "true")
    screenshot(page, "signup-under-13-error")
    assert not User.objects.filter(email="sam@example.org").exists()


def test_an_under_13_signs_up_and_their_guardian_opens_the_account_from_the_emailed_link(
    page: Page, new_page: Callable[..., Page], city
) -> None:
    visit(page, reverse("account_signup"))
    fill_signup(
        page,
        name="Sam",
        email="sam@example.org",
        city_name="Brighton & Hove",
        date_of_birth=years_ago(11),
        guardian_email="parent@example.org",
    )
    submit(page, re.compile("^(Sign up|Join|Create)", re.I))
    confirm_email(page, "sam@example.org")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    notice = page.get_by_role("heading", name="Waiting for your parent or carer")
    expect(notice).to_be_visible()
    expect(about_you(page, "Suggestions")).to_have_text("Off")
    screenshot(page, "learner-home-waiting-for-guardian")

    consent_path = link_in(email_to("parent@example.org"), "/accounts/guardian/")
    assert re.fullmatch(r"/accounts/guardian/[\w-]+/", consent_path), consent_path

    guardian = new_page()  # the parent, on their own device, not signed in
    visit(guardian, consent_path)
    expect(guardian.get_by_role("heading", level=1)).to_contain_text("Sam")
    screenshot(guardian, "guardian-consent")
    submit(guardian, "Yes, open the account")
    expect(guardian.get_by_role("heading", level=1)).to_contain_text("Thank you")
    screenshot(guardian, "guardian-consent-done")

    visit(page, reverse("learner-home"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sam")
    expect(notice).to_have_count(0)

    # The link says yes once; from then on it opens the guardian's view of the account.
    visit(guardian, consent_path)
    assert guardian.url.endswith(
        reverse("guardian-view", kwargs={"token": consent_path.split("/")[-2]})
    )
    expect(guardian.get_by_role("heading", level=1)).to_contain_text("Sam")
    assert GuardianConsent.objects.filter(confirmed_at__isnull=False).count() == 1


# --- c. Organisation registration, approval and staff invitations ---------------------------------


def test_an_adult_registers_an_organisation_the_city_approves_it_and_a_colleague_joins(
    page: Page, new_page: Callable[..., Page], city
) -> None:
    owner = LearnerProfileFactory(city=city, age=34, user__display_name="Olu").user
    admin = CityAdminFactory(city=city, user__display_name="Cleo").user
    colleague = UserFactory(display_name="Kai", email="kai@example.org")
    OrganisationFactory(city=city, name="Hove Library", slug="hove-library", type="library")
    directory = reverse("organisation-list", kwargs={"city_slug": city.slug})

    sign_in(page, owner.email)
    assert page.url.endswith(reverse("learner-home"))
    page.get_by_role("link", name="Register an organisation in Brighton & Hove").click()
    check_page(page)
    assert page.url.endswith(reverse("organisation-register", kwargs={"city_slug": city.slug}))
    page.get_by_label("Name of the organisation").fill("Kemptown Code Club")
    page.get_by_label("Type of organisation").select_option(label="Youth group")
    page.get_by_label("What you do").fill(
        "Free coding sessions for 11 to 16 year olds, every Saturday morning."
    )
    page.get_by_label(re.compile("^Kemptown")).check()
    screenshot(page, "organisation-register")
    submit(page, "Register the organisation")

    organisation = Organisation.objects.get(name="Kemptown Code Club")
    assert organisation.status == Organisation.Status.PENDING
    assert page.url.endswith(
        reverse(
            "organisation-dashboard",
            kwargs={"city_slug": city.slug, "org_slug": organisation.slug},
        )
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Kemptown Code Club")
    expect(page.get_by_role("main")).to_contain_text(errors.ORGANISATION_NOT_ACTIVE)
    screenshot(page, "organisation-dashboard-pending")

    visit(page, directory)
    expect(page.get_by_role("link", name="Hove Library")).to_be_visible()
    expect(page.get_by_role("link", name="Kemptown Code Club")).to_have_count(0)

    # The city team approves it from their queue.
    city_team = new_page()
    sign_in(city_team, admin.email)
    visit(city_team, reverse("city-admin-organisations", kwargs={"city_slug": city.slug}))
    screenshot(city_team, "city-admin-organisations")
    submit(city_team, "Approve Kemptown Code Club")
    organisation.refresh_from_db()
    assert organisation.status == Organisation.Status.ACTIVE

    visit(page, directory)
    page.get_by_role("link", name="Kemptown Code Club").click()
    check_page(page)
    assert page.url.endswith(organisation.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Kemptown Code Club")
    screenshot(page, "organisation-detail")

    # The owner invites a colleague from the staff page; the colleague accepts from the email.
    visit(
        page,
        reverse(
            "organisation-dashboard",
            kwargs={"city_slug": city.slug, "org_slug": organisation.slug},
        ),
    )
    page.get_by_role("link", name="Staff and invitations").click()
    check_page(page)
    assert page.url.endswith(
        reverse(
            "organisation-staff", kwargs={"city_slug": city.slug, "org_slug": organisation.slug}
        )
    )
    # With no address: the form again, with an accessible error summary, and nothing sent.
    submit(page, "Send the invitation", status=400)
    expect(page.locator(".error-summary")).to_contain_text("Their email address")
    assert not mail.outbox or all("kai@example.org" not in m.to for m in mail.outbox)
    page.get_by_label("Their email address").fill("kai@example.org")
    page.get_by_label(re.compile("^Editor")).check()
    submit(page, "Send the invitation")
    expect(page.get_by_role("row", name=re.compile("kai@example.org"))).to_be_visible()
    screenshot(page, "organisation-staff")
    invitation_path = link_in(email_to("kai@example.org"), "/invitations/")

    kai = new_page()
    sign_in(kai, colleague.email)
    visit(kai, invitation_path)
    screenshot(kai, "invitation-accept")
    submit(kai, "Accept and join Kemptown Code Club")
    membership = Membership.objects.get(organisation=organisation, user=colleague)
    assert membership.role == Role.EDITOR
    expect(kai.get_by_role("heading", level=1)).to_have_text("Kemptown Code Club")


# --- d. Signing in --------------------------------------------------------------------------------


def test_a_wrong_password_gets_the_same_message_whether_or_not_the_account_exists(
    page: Page,
) -> None:
    UserFactory(email="real@example.org")
    messages = []
    for email in ("real@example.org", "nobody@example.org"):
        visit(page, reverse("account_login"))
        page.get_by_label("Email", exact=True).fill(email)
        page.get_by_label("Password", exact=True).fill("not-the-password-1")
        submit(page, re.compile("^Sign in$", re.I))
        summary = page.locator(".error-summary")
        expect(summary).to_be_visible()
        messages.append(summary.inner_text())
    screenshot(page, "sign-in-error")
    assert messages[0] == messages[1]
    assert "real@example.org" not in messages[0]


def test_the_password_reset_pages_are_accessible_and_do_not_reveal_accounts(page: Page) -> None:
    UserFactory(email="real@example.org")
    pages = []
    for email in ("real@example.org", "nobody@example.org"):
        visit(page, reverse("account_reset_password"))
        page.get_by_label("Email", exact=True).fill(email)
        submit(page, "Send me a link")
        pages.append(page.get_by_role("main").inner_text())
    screenshot(page, "password-reset-done")
    assert pages[0] == pages[1]


# --- e. Reflow: no horizontal scrolling at 320 px or at 200% zoom ---------------------------------


@pytest.mark.parametrize(
    ("width", "height", "scale"),
    [(320, 640, 1), (640, 400, 2)],
    ids=["320px", "200pc-zoom"],
)
def test_public_pages_reflow_without_horizontal_scrolling(
    new_page: Callable[..., Page], city, width: int, height: int, scale: int
) -> None:
    organisation = OrganisationFactory(
        city=city, name="Brighton Museum & Art Gallery", slug="museum", type="museum"
    )
    page = new_page(viewport={"width": width, "height": height}, device_scale_factor=scale)
    urls = {
        "home": reverse("home"),
        "city-home": reverse("city-home", kwargs={"city_slug": city.slug}),
        "organisation-list": reverse("organisation-list", kwargs={"city_slug": city.slug}),
        "organisation-detail": organisation.get_absolute_url(),
        "account_login": reverse("account_login"),
        "account_signup": reverse("account_signup"),
    }
    too_wide = {}
    for name, url in urls.items():
        visit(page, url)
        scroll_width = page.evaluate("document.documentElement.scrollWidth")
        if scroll_width > width:
            too_wide[url] = scroll_width
        screenshot(page, f"reflow-{width}-{name}")
    assert not too_wide, f"Pages wider than {width} px: {too_wide}"


# --- f. Keyboard ----------------------------------------------------------------------------------


def test_the_first_tab_focuses_a_visible_skip_link_that_moves_focus_to_main(
    page: Page, city
) -> None:
    visit(page, reverse("home"))
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    box = skip_link.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "skip link is off screen"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    assert page.url.endswith("#main")
