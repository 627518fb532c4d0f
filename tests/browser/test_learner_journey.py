"""One learner's whole record, in a real browser on a 390 px phone.

Amara (19) holds a badge from another issuer: an organisation in a second city (Plymouth) made
it, signed, for her old college address — not on her account. She joins a Brighton pathway that
accepts badges from elsewhere, brings the badge in by uploading its baked PNG (the real verifier
resolves the issuer's did:web on the live server), sees it count as step 1, claims the badge for
step 2 with a code, and is awarded the pathway's badge automatically. She puts both badges in a
collection, shares it by link (someone else opens it), downloads everything as a ZIP, and deletes
her account: she can't sign in again and the shared link is gone.

Every page goes through axe-core with the conftest helpers. Nothing remote is mocked: the issuer's
documents are served by the live server, which ``SITE_URL`` points at.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from learningcity.accounts.models import User
from learningcity.accounts.tests.factories import PASSWORD, LearnerProfileFactory, UserFactory
from learningcity.badges import publishing
from learningcity.badges.claims import claim_code_create
from learningcity.badges.models import Award, BadgeStatus
from learningcity.badges.services import award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.credentials.verify import Status
from learningcity.learners.models import Collection, CollectionItem, ImportedBadge
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Destination, Enrolment
from learningcity.pathways.services import pathway_create, pathway_publish, pathway_step_add

from .conftest import check_page, screenshot, visit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
EMAIL = "amara@example.org"
OLD_EMAIL = "amara.o@old-college.example.net"  # where the other issuer sent it; not on the account


def submit(page: Page, name: str | re.Pattern[str], *, status: int | None = None) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()
    check_page(page, status=status)


def sign_in(page: Page, email: str, then: str) -> None:
    visit(page, f"{reverse('account_login')}?next={then}")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    submit(page, re.compile("^Sign in$", re.I))


def assert_reflows(page: Page, what: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{what} scrolls sideways on a {PHONE['width']} px phone "
        f"(scrollWidth {page.evaluate('document.documentElement.scrollWidth')})"
    )


@pytest.fixture
def issuers_reachable(site_url: str, settings: Any) -> str:
    """The live server is on localhost: let the verifier's guarded fetcher reach it."""
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = True
    return site_url


def test_a_learner_imports_completes_a_pathway_shares_exports_and_leaves(
    issuers_reachable: str, new_page: Callable[..., Page], tmp_path: Path
) -> None:
    # --- Another issuer, in another city, made a badge for Amara's old college address.
    plymouth = CityFactory(name="Plymouth", slug="plymouth")
    sea_scouts = OrganisationFactory(city=plymouth, name="Plymouth Sea Scouts")
    sailing = BadgeClassFactory(organisation=sea_scouts, name="Sailing Basics")
    elsewhere = award_issue(
        badge_class=sailing,
        recipient_email=OLD_EMAIL,
        recipient_name="Amara",
        issued_by=None,
        notify=False,
    )
    png_response = Client().get(reverse("award-png", kwargs={"public_id": elsewhere.public_id}))
    assert png_response.status_code == 200
    assert png_response["Content-Type"] == "image/png"
    png = tmp_path / "sailing-basics.png"
    png.write_bytes(png_response.content)

    # --- Brighton: Amara's city, a pathway that takes badges from elsewhere, and a claim code.
    brighton = CityFactory(name="Brighton & Hove", slug="brighton-hove")
    hub = OrganisationFactory(city=brighton, name="Hove Digital Hub", slug="hove-digital-hub")
    finish = BadgeClassFactory(
        organisation=hub, name="Out to sea and online", status=BadgeStatus.PUBLISHED
    )
    club = BadgeClassFactory(
        organisation=hub, name="Code club regular", status=BadgeStatus.PUBLISHED
    )
    pathway = pathway_create(
        city=brighton,
        organisation=hub,
        by=None,
        name="Sea to screen",
        summary="Bring a badge from anywhere, add a coding club, finish with our badge.",
        destination="Level 2 Digital skills course",
        destination_kind=Destination.COURSE,
        allow_external=True,
        completion_badge=finish,
    )
    pathway_step_add(
        pathway=pathway,
        title="Bring a sailing badge",
        external_achievement_ids=[publishing.badge_class_url(sailing)],
    )
    pathway_step_add(pathway=pathway, title="Come to a coding club", badge_classes=[club])
    pathway_publish(pathway=pathway, by=None)
    code = claim_code_create(badge_class=club, created_by=None).code

    amara = LearnerProfileFactory(
        age=19,
        city=brighton,
        user=UserFactory(email=EMAIL, display_name="Amara Okafor"),
    ).user
    assert not Award.objects.filter(recipient=amara).exists()

    # --- On her phone: she finds the pathway and joins it.
    page = new_page(viewport=PHONE)
    sign_in(page, EMAIL, reverse("pathway-list", kwargs={"city_slug": brighton.slug}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pathways")
    assert_reflows(page, "The pathway list")
    with page.expect_navigation():
        page.get_by_role("link", name="Sea to screen").click()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sea to screen")
    expect(page.get_by_text("Badges you import from other issuers count")).to_be_visible()
    submit(page, "Join this pathway")
    expect(page.get_by_text("You've joined “Sea to screen”.")).to_be_visible()
    enrolment = Enrolment.objects.get(pathway=pathway, learner=amara)
    assert enrolment.steps_done == 0 and enrolment.completed_at is None
    expect(page.get_by_text("0 of 2 steps done")).to_be_visible()
    pathway_url = page.url

    # --- The backpack, then "Add a badge from elsewhere": the baked PNG, uploaded.
    visit(page, reverse("backpack"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your backpack")
    with page.expect_navigation():
        page.get_by_role("link", name="Add a badge from elsewhere").first.click()
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a badge from elsewhere")
    assert_reflows(page, "The import page")
    upload = page.locator("section", has=page.get_by_role("heading", name="Upload the badge"))
    upload.get_by_label("Badge image or file").set_input_files(str(png))
    screenshot(page, "learner-journey-import-form")
    with page.expect_navigation():
        upload.get_by_role("button", name="Check and add").click()
    check_page(page)
    imported = ImportedBadge.objects.get(owner=amara)
    assert imported.status == Status.VALID, imported.reasons
    assert imported.issuer_confirmed is True
    assert imported.name == "Sailing Basics"
    assert imported.issuer_name == "Plymouth Sea Scouts"
    assert imported.achievement_id == publishing.badge_class_url(sailing)
    assert page.url.endswith(reverse("backpack-imported", kwargs={"public_id": imported.public_id}))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sailing Basics")
    expect(page.locator(".tag").first).to_have_text(re.compile("valid", re.I))
    expect(page.get_by_text("(confirmed by its signature)")).to_be_visible()
    assert_reflows(page, "The imported badge")
    screenshot(page, "learner-journey-import-result")

    visit(page, reverse("backpack"))
    from_elsewhere = page.locator("section", has=page.get_by_role("heading", name="From elsewhere"))
    expect(from_elsewhere.get_by_role("link", name="Sailing Basics", exact=True)).to_be_visible()
    expect(from_elsewhere).to_contain_text("From Plymouth Sea Scouts")
    assert_reflows(page, "The backpack")
    screenshot(page, "learner-journey-backpack-imported")

    # --- The import counted: step 1 of 2 is done, and the next step is the coding club.
    enrolment.refresh_from_db()
    assert enrolment.steps_done == 1 and enrolment.completed_at is None
    visit(page, pathway_url)
    progress = page.locator("section", has=page.get_by_role("heading", name="Your progress"))
    expect(progress.get_by_text("1 of 2 steps done")).to_be_visible()
    expect(progress).to_contain_text("Next: Come to a coding club.")
    steps = page.locator(".pathway-step")
    expect(steps.nth(0)).to_contain_text("Done")
    expect(steps.nth(0)).to_contain_text("You have this")
    expect(steps.nth(0)).to_contain_text(
        "Sailing Basics · Plymouth Sea Scouts (from another issuer)"
    )
    expect(steps.nth(1)).to_contain_text("Next")
    assert_reflows(page, "The pathway's progress")
    screenshot(page, "learner-journey-pathway-progress")

    # --- She claims the coding club badge with its code, typed in small letters.
    visit(page, reverse("claim-enter"))
    page.get_by_label("Claim code").fill(code.lower())
    submit(page, "Claim the badge")
    expect(page.get_by_role("heading", level=1)).to_have_text("Code club regular")
    club_award = Award.objects.get(recipient=amara, badge_class=club)
    assert club_award.revoked_at is None

    # The last step is done: the pathway's badge was awarded through the issuing service.
    enrolment.refresh_from_db()
    assert enrolment.steps_done == 2
    assert enrolment.completed_at is not None
    completion = Award.objects.get(recipient=amara, badge_class=finish)
    assert enrolment.completion_award == completion
    assert completion.ob3_credential, "the completion badge is a signed credential"
    visit(page, pathway_url)
    expect(page.get_by_text(re.compile(r"^You completed this pathway on "))).to_be_visible()
    expect(page.get_by_role("link", name="See your badge")).to_have_attribute(
        "href", completion.get_absolute_url()
    )
    screenshot(page, "learner-journey-pathway-completed")

    visit(page, reverse("backpack"))
    earned = page.locator("section", has=page.get_by_role("heading", name="Earned here"))
    expect(earned.get_by_role("link", name="Out to sea and online", exact=True)).to_be_visible()
    expect(earned.get_by_role("link", name="Code club regular", exact=True)).to_be_visible()
    expect(earned).to_contain_text("From Hove Digital Hub")
    assert_reflows(page, "The full backpack")
    screenshot(page, "learner-journey-backpack")

    # --- A collection with the pathway's badge and the imported one, shared by link.
    visit(page, reverse("collections"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My collections")
    page.get_by_label("Name", exact=True).fill("For my college application")
    page.get_by_label("Description").fill("What I did at sea and at the code club.")
    submit(page, "Make collection")
    collection = Collection.objects.get(owner=amara)
    expect(page.get_by_role("heading", level=1)).to_have_text("For my college application")
    for badge in (
        "Out to sea and online (Hove Digital Hub)",
        "Sailing Basics (Plymouth Sea Scouts)",
    ):
        page.get_by_label("Badge to add").select_option(label=badge)
        submit(page, "Add to collection")
    items = CollectionItem.objects.filter(collection=collection)
    assert {item.award_id for item in items if item.award_id} == {completion.pk}
    assert {item.imported_id for item in items if item.imported_id} == {imported.pk}
    share_box = page.get_by_label("Share by link")
    if not share_box.is_checked():
        share_box.check()
    submit(page, "Save changes")
    collection.refresh_from_db()
    assert collection.is_shared is True
    expect(page.get_by_text("Anyone with the link can see this collection.")).to_be_visible()
    link = page.get_by_label("Link to this page").input_value()
    shared_path = reverse("collection-shared", kwargs={"public_id": collection.public_id})
    assert link == f"{issuers_reachable}{shared_path}"
    assert_reflows(page, "The collection")
    screenshot(page, "learner-journey-collection")

    # Someone else — an admissions tutor, not signed in — opens the link.
    tutor = new_page()
    visit(tutor, link)
    expect(tutor.get_by_role("heading", level=1)).to_have_text("For my college application")
    expect(tutor.get_by_text("A collection of badges shared by Amara Okafor")).to_be_visible()
    shared = tutor.locator(".shared-badge")
    expect(shared).to_have_count(2)
    expect(shared.filter(has_text="Out to sea and online")).to_contain_text("Valid")
    expect(shared.filter(has_text="Sailing Basics")).to_contain_text("From Plymouth Sea Scouts")
    expect(tutor.get_by_role("button")).to_have_count(0)  # nothing to change here
    screenshot(tutor, "learner-journey-shared-collection")
    # On a desktop the pathway's steps get the wide column, its facts the narrow one.
    visit(tutor, pathway_url)
    steps_box = tutor.locator("section", has=tutor.get_by_role("heading", name="The steps"))
    about_box = tutor.get_by_role("complementary", name="About this pathway")
    steps_width = steps_box.bounding_box()["width"]  # type: ignore[index]
    about_width = about_box.bounding_box()["width"]  # type: ignore[index]
    assert steps_width > about_width, (steps_width, about_width)
    # A visitor holds no import, so the step can't name the badge; it says so once.
    expect(steps_box.get_by_text("A badge from another issuer")).to_have_count(1)
    expect(steps_box.get_by_text("(from another issuer)")).to_have_count(0)
    screenshot(tutor, "learner-journey-pathway-desktop")
    phone_tutor = new_page(viewport=PHONE)
    visit(phone_tutor, link)
    assert_reflows(phone_tutor, "The shared collection")
    screenshot(phone_tutor, "learner-journey-shared-collection-phone")

    # --- Everything, downloaded as one ZIP.
    visit(page, "/me/privacy/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy and your data")
    expect(page.get_by_text("1 collection shared by link.")).to_be_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Download everything we hold about you").click()
    check_page(page)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data (ZIP)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as archive:
        names = set(archive.namelist())
        awards_index = json.loads(archive.read("awards.json"))
        imported_index = json.loads(archive.read("imported.json"))
        collections_index = json.loads(archive.read("collections.json"))
        for award in (completion, club_award):
            assert f"awards/{award.public_id}.json" in names
            assert f"awards/{award.public_id}.jwt" in names
            credential = json.loads(archive.read(f"awards/{award.public_id}.json"))
            assert credential == award.ob3_credential
            assert credential["proof"], "the credential in the export is signed"
            assert archive.read(f"awards/{award.public_id}.jwt").decode() == award.ob3_jwt
        assert {entry["id"] for entry in awards_index} >= {
            completion.public_id,
            club_award.public_id,
        }
        assert len(imported_index) == 1
        assert imported_index[0]["name"] == "Sailing Basics"
        imported_files = [n for n in names if n.startswith(f"imported/{imported.public_id}.")]
        assert imported_files, f"no file for the imported badge in {sorted(names)}"
        assert "For my college application" in json.dumps(collections_index)
    check_page(page)  # still on the export page, which passes its checks

    # --- She deletes her account.
    visit(page, reverse("privacy-delete"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete your account")
    expect(page.get_by_text("Copies you have already downloaded stay as they are.")).to_be_visible()
    assert_reflows(page, "The delete page")
    page.get_by_label("Type your email address to confirm").fill(EMAIL)
    submit(page, "Delete my account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been deleted")
    expect(page.get_by_text("Any copies you downloaded stay as they are")).to_be_visible()
    screenshot(page, "learner-journey-goodbye")
    assert not User.objects.filter(email__iexact=EMAIL).exists()
    assert not ImportedBadge.objects.filter(pk=imported.pk).exists()
    assert not Collection.objects.filter(pk=collection.pk).exists()
    completion.refresh_from_db()
    assert completion.revoked_at is not None

    # Signing in again fails, with a reason on the page.
    visit(page, reverse("account_login"))
    page.get_by_label("Email", exact=True).fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile("^Sign in$", re.I)).click()
    check_page(page)  # the form, shown again with the reason
    expect(page.locator(".error-summary, .errorlist, .message-error").first).to_be_visible()
    assert page.url.split("?")[0].endswith(reverse("account_login"))
    visit(page, "/me/privacy/")  # a signed-out visitor is sent to sign in
    assert reverse("account_login") in page.url

    # The shared collection's link is gone.
    gone = new_page()
    response = gone.goto(link)
    assert response is not None and response.status == 404
    check_page(gone, status=404)
