"""Building pathways in a real browser.

An organisation's editor (desktop) builds "Into digital careers": a draft with a completion
badge, two steps — the first saved without badges, the second needing 2 of 3 badges with a
suggested opportunity — sees the form and the publish check refuse what is wrong, fixes it,
publishes, and follows the public page and the progress report. The city team (on a phone)
builds the six-topic "City Explorer" and publishes it; every page reflows to the phone's width.
Every page is checked with axe-core through the conftest helpers.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.tests.factories import PASSWORD, UserFactory
from learningcity.badges.services import award_issue
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.opportunities.publishing import topics_ensure_defaults
from learningcity.opportunities.tests.factories import OpportunityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory
from learningcity.pathways.models import Destination, Enrolment, Pathway, PathwayStatus
from learningcity.pathways.services import enrolment_join
from learningcity.pathways.tests.factories import PublishedBadgeClassFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def submit(page: Page, name: str | re.Pattern[str], *, status: int | None = None) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page, status=status)


def follow(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name).first.click()
    check_page(page)


def sign_in_here(page: Page, email: str) -> None:
    """Fill the sign-in form the browser is showing (it came with ?next=)."""
    check_page(page)
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def assert_reflows(page: Page, what: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{what} scrolls sideways on a {PHONE['width']} px phone "
        f"(scrollWidth {page.evaluate('document.documentElement.scrollWidth')})"
    )


# --- Journey 1: an organisation's editor, on a desktop -------------------------------------------


def test_an_editor_builds_fixes_and_publishes_a_pathway(new_page: Callable[..., Page]) -> None:
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    organisation = OrganisationFactory(city=city, name="Hove Digital Hub", slug="hove-digital-hub")
    library = OrganisationFactory(city=city, name="Jubilee Library", slug="jubilee-library")
    editor = MembershipFactory(organisation=organisation, role=Role.EDITOR).user
    finish = PublishedBadgeClassFactory(organisation=organisation, name="Digital starter")
    code_club = PublishedBadgeClassFactory(organisation=organisation, name="Code club regular")
    web = PublishedBadgeClassFactory(organisation=organisation, name="Web basics")
    game_jam = PublishedBadgeClassFactory(organisation=organisation, name="Game jam")
    python = PublishedBadgeClassFactory(organisation=library, name="Python starter")
    # Another organisation's badge may count in a step but can't be this pathway's finish.
    PublishedBadgeClassFactory(organisation=library, name="Library coder")
    coding_club = OpportunityFactory(organisation=organisation, title="Saturday coding club")

    staff = new_page()
    staff.goto(
        reverse(
            "staff-pathway-list", kwargs={"city_slug": city.slug, "org_slug": organisation.slug}
        )
    )
    sign_in_here(staff, editor.email)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Hove Digital Hub's pathways")
    expect(staff.get_by_role("heading", name="No pathways yet")).to_be_visible()

    # --- The pathway, submitted from the keyboard.
    follow(staff, "Add a pathway")
    completion = staff.get_by_label("Completion badge")
    expect(completion.locator("option")).to_have_text(
        [
            "None yet",
            *(
                f"{badge} (Hove Digital Hub)"
                for badge in ("Code club regular", "Digital starter", "Game jam", "Web basics")
            ),
        ]
    )
    staff.get_by_label("Short summary").fill("From your first coding club to an apprenticeship.")
    staff.get_by_label(re.compile("^Full description")).fill(
        "Earn badges at clubs across the city; finish with a badge employers recognise."
    )
    staff.get_by_label("An apprenticeship").check()
    staff.get_by_label(re.compile("^Destination")).fill("Level 3 Digital apprenticeship")
    staff.get_by_label("Learners do the steps in order").check()
    completion.select_option(label="Digital starter (Hove Digital Hub)")
    name = staff.get_by_label("Name", exact=True)
    name.fill("Into digital careers")
    name.focus()
    with staff.expect_navigation():
        staff.keyboard.press("Enter")
    check_page(staff)
    expect(staff.get_by_role("heading", level=1)).to_have_text("Into digital careers")
    expect(staff.get_by_text("Into digital careers is saved as a draft.")).to_be_visible()
    pathway = Pathway.objects.get()
    assert pathway.organisation == organisation and pathway.city == city
    assert pathway.status == PathwayStatus.DRAFT
    assert pathway.destination_kind == Destination.APPRENTICESHIP
    assert pathway.destination == "Level 3 Digital apprenticeship"
    assert pathway.ordered is True and pathway.allow_external is False
    assert pathway.completion_badge == finish
    assert pathway.created_by == editor
    expect(staff.get_by_text("Add its steps first.")).to_be_visible()

    # --- Step 1, saved without any badge yet (the form allows a draft step like that).
    follow(staff, "Add the first step")
    staff.get_by_label("Title").fill("Go to a coding club")
    staff.get_by_label(re.compile("^Description")).fill("Any club in the city will do.")
    submit(staff, "Add this step")
    expect(staff.get_by_text("Step 1, Go to a coding club, is added.")).to_be_visible()
    expect(staff.get_by_text("No badges yet.")).to_be_visible()
    first = pathway.steps.get()
    assert (first.position, first.title, first.required) == (1, "Go to a coding club", 1)
    assert first.badge_classes.count() == 0

    # --- Step 2 asks for more badges than it lists: refused next to the field and in the summary.
    follow(staff, "Add a step")
    staff.get_by_label("Title").fill("Build three small projects")
    staff.get_by_label("How many of its badges a learner needs").fill("4")
    badges = staff.get_by_role("group", name="Badges that count")
    expect(badges.get_by_role("group", name="Jubilee Library")).to_contain_text("Python starter")
    for badge_name in ("Web basics", "Game jam", "Python starter"):
        badges.get_by_label(badge_name, exact=True).check()
    staff.get_by_label("Saturday coding club (Hove Digital Hub)").check()
    submit(staff, "Add this step", status=400)
    message = errors.PATHWAY_STEP_REQUIRED_TOO_MANY.format(count=3)
    summary = staff.locator(".error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_have_text(
        f"How many of its badges a learner needs: {message}"
    )
    expect(staff.locator("#id_required_error")).to_have_text(message)
    expect(staff.get_by_label("How many of its badges a learner needs")).to_have_attribute(
        "aria-invalid", "true"
    )
    screenshot(staff, "pathways-step-form-errors")
    assert pathway.steps.count() == 1
    # What was chosen is kept; asking for two of the three fixes it.
    expect(badges.get_by_label("Game jam", exact=True)).to_be_checked()
    expect(staff.get_by_label("Saturday coding club (Hove Digital Hub)")).to_be_checked()
    staff.get_by_label("How many of its badges a learner needs").fill("2")
    submit(staff, "Add this step")
    expect(staff.get_by_text("Step 2, Build three small projects, is added.")).to_be_visible()
    second = pathway.steps.get(position=2)
    assert second.required == 2
    assert set(second.badge_classes.all()) == {web, game_jam, python}
    assert list(second.opportunities.all()) == [coding_club]
    step_two = staff.locator(f"#step-{second.pk}")
    expect(step_two).to_contain_text("Any 2 of the badges below")
    expect(step_two).to_contain_text("Suggested: Saturday coding club")

    # --- Publishing is refused while step 1 has no badges; the message names the step.
    submit(staff, "Publish")
    expect(staff.locator(".message-error")).to_have_text(
        errors.PATHWAY_STEP_NO_BADGES.format(position=1, title="Go to a coding club")
    )
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.DRAFT

    follow(staff, "Edit step 1")
    expect(staff.get_by_role("heading", level=1)).to_have_text(
        "Edit step 1 of Into digital careers"
    )
    expect(staff.get_by_label("Title")).to_have_value("Go to a coding club")
    staff.get_by_role("group", name="Badges that count").get_by_label(
        "Code club regular", exact=True
    ).check()
    submit(staff, "Save changes")
    expect(staff.get_by_text("Your changes to step 1 are saved.")).to_be_visible()
    assert list(first.badge_classes.all()) == [code_club]
    expect(staff.get_by_text("No badges yet.")).to_have_count(0)
    screenshot(staff, "pathways-builder")

    submit(staff, "Publish")
    expect(
        staff.get_by_text(
            "Into digital careers is published. Learners can find it and join it now."
        )
    ).to_be_visible()
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.PUBLISHED
    expect(staff.get_by_role("button", name="Publish")).to_have_count(0)

    # --- The public page (views/public.py), as the learners see it.
    follow(staff, "See the public page")
    assert staff.url.endswith(
        reverse("pathway-detail", kwargs={"city_slug": city.slug, "public_id": pathway.public_id})
    )
    expect(staff.get_by_role("heading", level=1)).to_have_text("Into digital careers")
    main = staff.get_by_role("main")
    expect(main).to_contain_text("An apprenticeship: Level 3 Digital apprenticeship")
    expect(main).to_contain_text("Go to a coding club")
    expect(main).to_contain_text("Build three small projects")
    expect(main).to_contain_text("Digital starter")

    # --- A learner holding the step 1 badge joins; the report counts them.
    learner = UserFactory(email="sam@example.org")
    award_issue(
        badge_class=code_club, recipient_email=learner.email, issued_by=editor, notify=False
    )
    enrolment = enrolment_join(pathway=pathway, learner=learner)
    assert Enrolment.objects.filter(pathway=pathway, learner=learner).count() == 1
    assert enrolment.completed_at is None

    visit(
        staff,
        reverse(
            "staff-pathway-report",
            kwargs={
                "city_slug": city.slug,
                "org_slug": organisation.slug,
                "public_id": pathway.public_id,
            },
        ),
    )
    expect(staff.get_by_role("heading", level=1)).to_have_text(
        "How learners are getting on with Into digital careers"
    )
    expect(staff.locator("#report-enrolled")).to_have_text("1")
    expect(staff.locator("#report-in-progress")).to_have_text("1")
    expect(staff.locator("#report-completed")).to_have_text("0")
    expect(staff.locator("#report-median")).to_have_text("Nobody has completed it yet")
    rows = staff.locator("table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_have_text(re.compile(r"1\. Go to a coding club\s*1\s*100%"))
    expect(rows.nth(1)).to_have_text(re.compile(r"2\. Build three small projects\s*0\s*0%"))
    screenshot(staff, "pathways-report")

    # The list groups it under Published, with its counts.
    with staff.expect_navigation():
        staff.get_by_role("navigation", name="Breadcrumb").get_by_role(
            "link", name="Pathways", exact=True
        ).click()
    check_page(staff)
    published = staff.get_by_role("region", name=re.compile("^Published"))
    expect(published).to_contain_text("Into digital careers")
    expect(published).to_contain_text("2 steps")
    expect(published).to_contain_text("1 learner enrolled · 0 completed")
    screenshot(staff, "pathways-list")


# --- Journey 2: the city team, on a phone --------------------------------------------------------


def test_the_city_team_builds_city_explorer_on_a_phone(new_page: Callable[..., Page]) -> None:
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    admin = CityAdminFactory(city=city).user
    museums = OrganisationFactory(city=city, name="Brighton Museums", slug="brighton-museums")
    explorer_badge = PublishedBadgeClassFactory(organisation=museums, name="City Explorer")
    topics = {topic.name: topic for topic in topics_ensure_defaults(city=city)}
    chosen = [
        "Arts and culture",
        "Digital and tech",
        "Environment",
        "Music",
        "Science and nature",
        "Sport and wellbeing",
    ]
    # Each topic has a published opportunity that awards a badge, so its step can count it.
    for topic_name in chosen:
        badge = PublishedBadgeClassFactory(organisation=museums, name=f"{topic_name} taster")
        opportunity = OpportunityFactory(organisation=museums, title=f"{topic_name} day")
        opportunity.topics.add(topics[topic_name])
        opportunity.badge_classes.add(badge)

    phone = new_page(viewport=PHONE)
    phone.goto(reverse("city-pathway-list", kwargs={"city_slug": city.slug}))
    sign_in_here(phone, admin.email)
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "Brighton & Hove's city-wide pathways"
    )
    assert_reflows(phone, "The city team's pathway list")

    follow(phone, "Add a pathway")
    assert_reflows(phone, "The pathway form")
    phone.get_by_label("Name", exact=True).fill("City Explorer")
    phone.get_by_label("Short summary").fill("Try six new things across the city.")
    phone.get_by_label("Something else").check()
    phone.get_by_label(re.compile("^Destination")).fill("Finding what you love")
    phone.get_by_label("Completion badge").select_option(label="City Explorer (Brighton Museums)")
    submit(phone, "Save as a draft")
    pathway = Pathway.objects.get(name="City Explorer")
    assert pathway.organisation is None and pathway.city == city
    assert pathway.ordered is False and pathway.completion_badge == explorer_badge
    expect(phone.get_by_text("City-wide", exact=True)).to_be_visible()

    for number, topic_name in enumerate(chosen, start=1):
        follow(phone, "Add a step" if number > 1 else "Add the first step")
        if number == 1:
            assert_reflows(phone, "The step form")
            screenshot(phone, "pathways-step-form-phone")
        phone.get_by_label("Title").fill(f"Try {topic_name.lower()}")
        phone.get_by_label("Or any badge in a topic").select_option(label=topic_name)
        submit(phone, "Add this step")
        expect(
            phone.get_by_text(f"Step {number}, Try {topic_name.lower()}, is added.")
        ).to_be_visible()
        step = pathway.steps.get(position=number)
        assert step.topic == topics[topic_name] and step.badge_classes.count() == 0

    steps = phone.locator(".pathway-steps > li")
    expect(steps).to_have_count(6)
    expect(steps.nth(5)).to_contain_text("any badge in the topic Sport and wellbeing")
    expect(steps.nth(5)).to_contain_text("1 badge counts towards it now")
    assert_reflows(phone, "The pathway builder")
    screenshot(phone, "pathways-builder-phone")

    submit(phone, "Publish")
    expect(phone.get_by_text("City Explorer is published.")).to_be_visible()
    pathway.refresh_from_db()
    assert pathway.status == PathwayStatus.PUBLISHED
    assert [step.topic.name for step in pathway.steps.order_by("position")] == chosen

    follow(phone, "How learners are getting on")
    expect(phone.locator("#report-enrolled")).to_have_text("0")
    expect(phone.locator("table tbody tr")).to_have_count(6)
    assert_reflows(phone, "The progress report")
    screenshot(phone, "pathways-report-phone")

    follow(phone, "Back to City Explorer")
    follow(phone, "See the public page")
    expect(phone.get_by_role("heading", level=1)).to_have_text("City Explorer")
    expect(phone.get_by_role("main")).to_contain_text("A city-wide pathway from Brighton & Hove")
    assert_reflows(phone, "The public pathway page")
