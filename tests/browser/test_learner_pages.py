"""The learner's own pages that the main journey does not reach, in a real browser.

1. Skills: the chart and the table tell the same numbers; a declared skill is added from the
   keyboard, listed apart from the verified ones and removed; the skills CV and a certificate
   download as real PDFs.
2. A guardian of a 12-year-old opens their emailed link (no account), sees what the child has
   earned and shares, and closes the account after a confirmation step.
3. A 15-year-old: a new collection is private, the public portfolio is a 404 until they turn it
   on, shows only the badge they chose, and asks search engines not to index it.
4. Reflow: the learner's pages on a 320 px phone do not scroll sideways.
5. Access: another learner opening someone's collection (or certificate) gets a 404.

Every page goes through ``visit``/``check_page`` (one h1, landmarks, axe-core WCAG 2.2 AA).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from learningcity.accounts.models import User
from learningcity.accounts.tests.factories import (
    PASSWORD,
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.badges.models import Award, Level
from learningcity.badges.services import award_issue
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.learners.models import Collection, DeclaredSkill
from learningcity.learners.sharing import collection_create, collection_item_add
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.tests.factories import PublishedBadgeClassFactory

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_320 = {"width": 320, "height": 640}
SKILLS_BUILDER = "Skills Builder Universal Framework"


# --- Helpers --------------------------------------------------------------------------------------


def submit(page: Page, name: str | re.Pattern[str], *, status: int | None = None) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page, status=status)


def follow(page: Page, name: str | re.Pattern[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("link", name=name).first.click()
    check_page(page)


def sign_in(page: Page, email: str) -> None:
    visit(page, reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def assert_reflows(page: Page, what: str) -> None:
    width = page.evaluate("window.innerWidth")
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"{what} scrolls sideways on a {width} px phone (scrollWidth {scroll})"


def status_of(page: Page, url: str) -> int:
    response = page.goto(url)
    assert response is not None, f"No response for {url}"
    return response.status


def learner(*, email: str, name: str, age: int, city=None) -> User:
    user = UserFactory(email=email, display_name=name)
    LearnerProfileFactory(user=user, age=age, **({"city": city} if city else {}))
    return user


def give(user: User, badge_class) -> Award:
    return award_issue(
        badge_class=badge_class,
        recipient_email=user.email,
        recipient_name=user.display_name,
        issued_by=None,
        notify=False,
    )


def skilled_learner(*, email: str = "maya.osei@example.org", name: str = "Maya Osei") -> dict:
    """A 19-year-old with three awards whose badges show overlapping skills at different levels:
    Teamwork from all three (highest Lead), Leadership, First aid and Listening from one each."""
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    hub = OrganisationFactory(city=city, name="Harbour Youth Hub", slug="harbour-youth-hub")
    user = learner(email=email, name=name, age=19, city=city)
    first_aid = PublishedBadgeClassFactory(
        organisation=hub,
        name="Emergency first aid",
        level=Level.DEMONSTRATE,
        skills=[
            {"name": "Teamwork", "framework": SKILLS_BUILDER},
            {
                "name": "First aid",
                "framework": "St John Ambulance",
                "url": "https://example.org/first-aid",
                "code": "FA-1",
            },
        ],
    )
    captain = PublishedBadgeClassFactory(
        organisation=hub,
        name="Team captain",
        level=Level.LEAD,
        skills=[
            {"name": "Teamwork", "framework": SKILLS_BUILDER},
            {"name": "Leadership", "framework": SKILLS_BUILDER},
        ],
    )
    litter = PublishedBadgeClassFactory(
        organisation=hub,
        name="Beach litter pick",
        level=Level.ENGAGE,
        skills=[
            {"name": "teamwork", "framework": SKILLS_BUILDER},  # same skill, other spelling
            {"name": "Listening", "framework": SKILLS_BUILDER},
        ],
    )
    awards = {badge.name: give(user, badge) for badge in (first_aid, captain, litter)}
    return {"user": user, "city": city, "hub": hub, "awards": awards}


# --- 1. Skills, declared skills and the PDF downloads --------------------------------------------


def test_skills_chart_and_table_agree_a_declared_skill_comes_and_goes_and_pdfs_download(
    new_page: Callable[..., Page],
) -> None:
    data = skilled_learner()
    user = data["user"]
    page = new_page()
    sign_in(page, user.email)
    visit(page, reverse("skills"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your skills")

    # --- The chart and the table show the same skills, in the same order, with the same numbers.
    chart = page.locator("figure.skills-chart svg[role='img']")
    expect(chart).to_have_count(1)
    bars = chart.locator("g.bar")
    chart_rows = [
        (
            bars.nth(i).locator("text").nth(0).text_content(),
            int(bars.nth(i).get_attribute("data-value") or "0"),
            bars.nth(i).locator("text").nth(1).text_content(),
        )
        for i in range(bars.count())
    ]
    table = page.get_by_role("table", name="Verified skills, the most supported first")
    rows = table.locator("tbody tr")
    table_rows = [
        (
            rows.nth(i).locator("th").evaluate("th => th.firstChild.textContent.trim()"),
            int(rows.nth(i).locator("td[data-label='Badges']").inner_text()),
            rows.nth(i).locator("td[data-label='Highest level']").inner_text().strip(),
        )
        for i in range(rows.count())
    ]
    expected = [
        ("Teamwork", 3, "Lead"),
        ("First aid", 1, "Demonstrate"),
        ("Leadership", 1, "Lead"),
        ("Listening", 1, "Engage"),
    ]
    assert table_rows == expected
    assert [(label, value) for label, value, _ in chart_rows] == [
        (name, count) for name, count, _ in expected
    ]
    # What each bar says in words matches the table (count and level).
    assert [words for _, _, words in chart_rows] == [
        f"{count} {'badge' if count == 1 else 'badges'} · {level}" for _, count, level in expected
    ]
    # The chart's accessible name and description carry the numbers too.
    assert "4 verified skills" in (chart.locator("title").text_content() or "")
    description = chart.locator("desc").text_content() or ""
    assert "Teamwork: 3 badges, highest level Lead" in description
    assert "Listening: 1 badge, highest level Engage" in description
    # The longest bar is Teamwork's; the one-badge bars are a third of it.
    widths = [
        float(bars.nth(i).locator("rect").first.get_attribute("width") or 0)
        for i in range(bars.count())
    ]
    assert widths[0] == max(widths) and all(abs(w * 3 - widths[0]) <= 3 for w in widths[1:])
    teamwork = table.locator("tbody tr").first
    for badge in ("Emergency first aid", "Team captain", "Beach litter pick"):
        expect(teamwork.get_by_role("link", name=badge)).to_be_visible()
    expect(rows.nth(1).locator("th")).to_contain_text("St John Ambulance")
    screenshot(page, "learner-skills-desktop")

    # --- A skill of their own, added from the keyboard alone.
    declared = page.locator(
        "section", has=page.get_by_role("heading", name="Skills you say you have")
    )
    expect(declared).to_contain_text("You haven't added any yet.")
    name_field = page.get_by_label("Skill", exact=True)
    name_field.focus()
    page.keyboard.type("Cooking for a crowd")
    page.keyboard.press("Tab")
    level = page.get_by_label("How well you know it")
    expect(level).to_be_focused()
    expect(level).to_have_value(DeclaredSkill.Level.CONFIDENT)
    page.keyboard.press("ArrowDown")  # Confident → Could teach it
    expect(level).to_have_value(DeclaredSkill.Level.EXPERT)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add skill")).to_be_focused()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    expect(
        page.get_by_text(errors.DECLARED_SKILL_ADDED.format(name="Cooking for a crowd"))
    ).to_be_visible()
    skill = DeclaredSkill.objects.get(owner=user)
    assert (skill.name, skill.level) == ("Cooking for a crowd", DeclaredSkill.Level.EXPERT)
    expect(declared.locator(".skills-declared li")).to_have_count(1)
    expect(declared.locator(".skills-declared li")).to_contain_text("Cooking for a crowd")
    expect(declared.locator(".skills-declared li")).to_contain_text("Could teach it")
    # Kept apart: not in the verified table, not a bar in the chart.
    expect(table).not_to_contain_text("Cooking")
    expect(chart).not_to_contain_text("Cooking")
    expect(rows).to_have_count(4)

    # The same name again is refused next to the field, and nothing is added.
    page.get_by_label("Skill", exact=True).fill("cooking for a crowd")
    submit(page, "Add skill", status=400)
    expect(page.locator("#id_name_error")).to_contain_text(
        errors.DECLARED_SKILL_DUPLICATE.format(name="cooking for a crowd")
    )
    assert DeclaredSkill.objects.filter(owner=user).count() == 1

    # --- Removed again.
    submit(page, "Remove Cooking for a crowd")
    expect(
        page.get_by_text(errors.DECLARED_SKILL_REMOVED.format(name="Cooking for a crowd"))
    ).to_be_visible()
    assert not DeclaredSkill.objects.filter(owner=user).exists()
    expect(declared).to_contain_text("You haven't added any yet.")

    # --- The skills CV and a certificate are real PDFs.
    visit(page, reverse("backpack"))
    with page.expect_download() as cv_download:
        page.get_by_role("link", name="Skills CV (PDF)").click()
    cv = cv_download.value
    assert cv.suggested_filename.endswith(".pdf")
    cv_bytes = Path(cv.path()).read_bytes()
    assert cv_bytes.startswith(b"%PDF"), cv_bytes[:20]
    with page.expect_download() as certificate_download:
        page.get_by_role("link", name="Certificate (PDF) for Team captain").click()
    certificate = certificate_download.value
    assert "Team captain" in certificate.suggested_filename
    certificate_bytes = Path(certificate.path()).read_bytes()
    assert certificate_bytes.startswith(b"%PDF"), certificate_bytes[:20]
    assert len(certificate_bytes) > 1000

    # --- The same skills page on a 320 px phone: no sideways scrolling, the table as cards.
    phone = new_page(viewport=PHONE_320)
    sign_in(phone, user.email)
    DeclaredSkill.objects.create(owner=user, name="Speaking Portuguese", level="learning")
    visit(phone, reverse("skills"))
    assert_reflows(phone, "The skills page")
    chart_box = phone.locator("figure.skills-chart svg").bounding_box()
    assert chart_box is not None and chart_box["x"] + chart_box["width"] <= PHONE_320["width"]
    screenshot(phone, "learner-skills-320")


# --- 2. The guardian of an under-13 ---------------------------------------------------------------


def test_a_guardian_sees_what_their_child_earned_and_shares_then_closes_the_account(
    new_page: Callable[..., Page],
) -> None:
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    hub = OrganisationFactory(city=city, name="Harbour Youth Hub", slug="harbour-youth-hub")
    child = learner(email="sami.child@example.org", name="Sami", age=12, city=city)
    consent = GuardianConsentFactory(
        child=child,
        guardian_email="amina.parent@example.org",
        sent_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    swimming = give(child, PublishedBadgeClassFactory(organisation=hub, name="25 metres swim"))
    give(child, PublishedBadgeClassFactory(organisation=hub, name="Rock pool explorer"))
    collection = collection_create(owner=child, name="My summer", is_shared=True)
    collection_item_add(collection=collection, award=swimming)
    private = collection_create(owner=child, name="Just for me", is_shared=False)
    child_pk, token = child.pk, consent.token

    guardian = new_page()  # the parent, on their own phone, with no account
    # The consent link from the email, once they have said yes, opens their view.
    response = guardian.goto(reverse("guardian-consent", kwargs={"token": token}))
    assert response is not None and response.status == 200
    assert guardian.url.endswith(reverse("guardian-view", kwargs={"token": token}))
    check_page(guardian)
    expect(guardian.get_by_role("heading", level=1)).to_have_text("Sami's Learning City account")
    # A parent who has never heard of badges is told what they are.
    expect(guardian.locator("main")).to_contain_text("Badges are like certificates")
    earned = guardian.get_by_role("table", name="Badges earned")
    expect(earned.locator("tbody tr")).to_have_count(2)
    expect(earned).to_contain_text("25 metres swim")
    expect(earned).to_contain_text("Rock pool explorer")
    expect(earned).to_contain_text("Harbour Youth Hub")
    shared = guardian.locator(
        "section", has=guardian.get_by_role("heading", name="What they share")
    )
    expect(shared).to_contain_text("switched off")
    expect(shared.get_by_role("link", name="My summer")).to_be_visible()
    expect(shared.get_by_role("link", name="Just for me")).to_have_count(0)
    screenshot(guardian, "learner-guardian-view")

    # The shared collection opens for them as for anyone with the link.
    follow(guardian, "My summer")
    expect(guardian.get_by_role("heading", level=1)).to_contain_text("My summer")
    expect(guardian.locator("main")).to_contain_text("25 metres swim")
    guardian.go_back()
    check_page(guardian)

    # Closing asks first; "Keep the account" and an unticked box leave everything as it was.
    follow(guardian, "Close Sami's account")
    expect(guardian.get_by_role("heading", level=1)).to_have_text("Close Sami's account")
    expect(guardian.locator("main")).to_contain_text("Copies already downloaded stay as they are")
    submit(guardian, "Close the account")
    expect(guardian.locator("main")).to_contain_text(errors.PRIVACY_DELETE_GUARDIAN_CONFIRM)
    assert User.objects.filter(pk=child_pk).exists()
    guardian.get_by_label(
        "I understand that the account and everything in it will be deleted"
    ).check()
    submit(guardian, "Close the account")
    expect(guardian.get_by_role("heading", level=1)).to_have_text("The account is closed")
    expect(guardian.locator("main")).to_contain_text("Sami's account and personal data")
    screenshot(guardian, "learner-guardian-closed")
    assert not User.objects.filter(pk=child_pk).exists()
    assert not User.objects.filter(email__iexact="sami.child@example.org").exists()
    assert not Collection.objects.filter(pk__in=[collection.pk, private.pk]).exists()
    swimming.refresh_from_db()
    assert swimming.is_revoked
    # The link stops working.
    assert status_of(guardian, reverse("guardian-view", kwargs={"token": token})) == 404


# --- 3. A 15-year-old's collections and public portfolio ------------------------------------------


def test_an_under_18_shares_nothing_until_they_choose_and_the_portfolio_is_noindex(
    new_page: Callable[..., Page],
) -> None:
    city = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    hub = OrganisationFactory(city=city, name="Harbour Youth Hub", slug="harbour-youth-hub")
    teen = learner(email="jo.teen@example.org", name="Jo Bright", age=15, city=city)
    give(teen, PublishedBadgeClassFactory(organisation=hub, name="Junior lifeguard"))
    give(teen, PublishedBadgeClassFactory(organisation=hub, name="Chess club regular"))
    portfolio_url = reverse("portfolio", kwargs={"user_public_id": teen.public_id})

    page = new_page()
    sign_in(page, teen.email)
    visit(page, reverse("collections"))
    share_box = page.get_by_label("Share by link")
    expect(share_box).not_to_be_checked()
    page.get_by_label("Name", exact=True).fill("For my college application")
    submit(page, "Make collection")
    collection = Collection.objects.get(owner=teen)
    assert collection.name == "For my college application"
    assert collection.is_shared is False
    expect(page.get_by_label("Share by link")).not_to_be_checked()
    shared_url = reverse("collection-shared", kwargs={"public_id": collection.public_id})

    # Nobody else sees anything yet.
    stranger = new_page()
    assert status_of(stranger, portfolio_url) == 404
    assert status_of(stranger, shared_url) == 404

    # Turned on; with no badge chosen it shows none.
    visit(page, reverse("portfolio-settings"))
    expect(page.get_by_label("Turn on my public portfolio")).not_to_be_checked()
    for badge in ("Junior lifeguard", "Chess club regular"):
        choices = page.get_by_role("group", name=f"Sharing choices for {badge}")
        expect(choices.get_by_label("Show on my public portfolio")).not_to_be_checked()
        expect(choices.get_by_label("Share by link")).not_to_be_checked()
    page.get_by_label("Turn on my public portfolio").check()
    submit(page, re.compile("^Save$"))
    expect(page.get_by_text("Your public portfolio is on.")).to_be_visible()
    teen.learner_profile.refresh_from_db()
    assert teen.learner_profile.profile_public is True
    visit(stranger, portfolio_url)
    expect(stranger.locator("main")).to_contain_text("No badges to show yet.")

    # One badge chosen: only that one shows.
    page.get_by_role("group", name="Sharing choices for Junior lifeguard").get_by_label(
        "Show on my public portfolio"
    ).check()
    submit(page, "Save sharing choices for Junior lifeguard")
    expect(page.get_by_text("Sharing choices saved.")).to_be_visible()
    visit(stranger, portfolio_url)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("Jo Bright's badges")
    main = stranger.locator("main")
    expect(main).to_contain_text("Junior lifeguard")
    expect(main).not_to_contain_text("Chess club regular")
    expect(main).not_to_contain_text("For my college application")  # still private
    robots = stranger.locator('meta[name="robots"]')
    expect(robots).to_have_count(1)
    expect(robots).to_have_attribute("content", "noindex")
    screenshot(stranger, "learner-portfolio")
    phone = new_page(viewport=PHONE_320)
    visit(phone, portfolio_url)
    assert_reflows(phone, "The public portfolio")
    screenshot(phone, "learner-portfolio-320")


# --- 4. Reflow on a 320 px phone ------------------------------------------------------------------


def test_the_learner_pages_reflow_on_a_320_px_phone(new_page: Callable[..., Page]) -> None:
    data = skilled_learner()
    user = data["user"]
    award = data["awards"]["Team captain"]
    collection = collection_create(
        owner=user, name="For my apprenticeship application at the council", is_shared=True
    )
    collection_item_add(collection=collection, award=award)
    collection_item_add(collection=collection, award=data["awards"]["Emergency first aid"])
    DeclaredSkill.objects.create(owner=user, name="Customer service", level="confident")

    phone = new_page(viewport=PHONE_320)
    sign_in(phone, user.email)
    pages = {
        "The backpack": reverse("backpack"),
        "The skills page": reverse("skills"),
        "The collections list": reverse("collections"),
        "The collection's edit page": reverse(
            "collection-edit", kwargs={"public_id": collection.public_id}
        ),
        "The portfolio settings": reverse("portfolio-settings"),
        "The privacy page": reverse("privacy-settings"),
    }
    failures = []
    for what, url in pages.items():
        visit(phone, url)
        width = phone.evaluate("window.innerWidth")
        scroll = phone.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            wide = phone.evaluate(
                """(w) => [...document.querySelectorAll('main *')]
                    .filter(e => e.getBoundingClientRect().right > w + 1)
                    .slice(0, 5)
                    .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))""",
                width,
            )
            failures.append(f"{what} ({url}): scrollWidth {scroll} > {width}; wide: {wide}")
    assert not failures, "\n".join(failures)


# --- 5. Someone else's collection -----------------------------------------------------------------


def test_another_learner_gets_404_for_someone_elses_collection_and_certificate(
    new_page: Callable[..., Page],
) -> None:
    data = skilled_learner()
    owner = data["user"]
    award = data["awards"]["Team captain"]
    collection = collection_create(owner=owner, name="Sport", is_shared=False)
    collection_item_add(collection=collection, award=award)
    other = learner(email="nosy.neighbour@example.org", name="Nosy", age=19, city=data["city"])

    page = new_page()
    sign_in(page, other.email)
    edit_url = reverse("collection-edit", kwargs={"public_id": collection.public_id})
    assert status_of(page, edit_url) == 404
    check_page(page, status=404)
    expect(page.locator("main")).not_to_contain_text("Sport")
    assert (
        status_of(page, reverse("collection-delete", kwargs={"public_id": collection.public_id}))
        == 404
    )
    assert (
        status_of(page, reverse("award-certificate", kwargs={"public_id": award.public_id})) == 404
    )
    # Nothing changed, and the owner still reaches it.
    assert Collection.objects.filter(pk=collection.pk, owner=owner).exists()
    owner_page = new_page()
    sign_in(owner_page, owner.email)
    visit(owner_page, edit_url)
    expect(owner_page.get_by_label("Name", exact=True)).to_have_value("Sport")


# --- Signing out from a public shared page -------------------------------------------------------


def test_a_learner_signs_out_from_their_own_public_portfolio(new_page: Callable[..., Page]) -> None:
    """Under ``Referrer-Policy: no-referrer`` the header's "Sign out" form posted with
    ``Origin: null`` and Django's CSRF check answered 403; the shared pages now send
    ``same-origin``, which still keeps their address from other sites."""
    data = skilled_learner()
    user = data["user"]
    user.learner_profile.profile_public = True
    user.learner_profile.save(update_fields=["profile_public"])
    page = new_page()
    sign_in(page, user.email)
    visit(page, reverse("portfolio", kwargs={"user_public_id": user.public_id}))
    submit(page, "Sign out")
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()
