"""Staff pages for designing badges: who gets in (and who must not), creating and editing with
the designer and uploads, the preview, publishing and archiving."""

from __future__ import annotations

import html
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import BadgeClass, BadgeStatus, ImageSource
from learningcity.badges.skills import SKILLS_BUILDER_NAME
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def organisation():
    return OrganisationFactory(
        city=CityFactory(slug="brighton", name="Brighton"), slug="hove-youth-club"
    )


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(organisation=organisation, name="Teamwork")


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role).user


def org_url(name, organisation, **kwargs):
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def as_user(client, user):
    client.force_login(user)
    return client


VALID = {
    "name": "Young Curator",
    "description": "Helped curate an exhibition.",
    "criteria": "Took part in **four** sessions.",
    "level": "Participate",
    "tags": "museum, history, museum",
    "expiry_months": "",
    "evidence_prompt": "",
    "image_source": "designed",
    "design_shape": "shield",
    "design_icon": "book",
    "design_title": "Curator",
    "image_colour": "#7A1F5C",
}


# --- Who gets in ----------------------------------------------------------------------------------

PAGES = [
    ("badge-class-list", "get", False),
    ("badge-class-create", "get", False),
    ("badge-class-preview", "get", False),
    ("badge-class-edit", "get", True),
    ("badge-class-publish", "post", True),
    ("badge-class-archive", "post", True),
]


def page_url(name, organisation, badge_class, needs_badge):
    if needs_badge:
        return org_url(name, organisation, public_id=badge_class.public_id)
    return org_url(name, organisation)


@pytest.mark.parametrize(("name", "method", "needs_badge"), PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(
    client, organisation, badge_class, name, method, needs_badge
):
    response = getattr(client, method)(page_url(name, organisation, badge_class, needs_badge))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(("name", "method", "needs_badge"), PAGES)
def test_a_learner_gets_404(client, organisation, badge_class, name, method, needs_badge):
    as_user(client, UserFactory())
    response = getattr(client, method)(page_url(name, organisation, badge_class, needs_badge))
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method", "needs_badge"), PAGES)
def test_another_organisations_owner_gets_404(
    client, organisation, badge_class, name, method, needs_badge
):
    other = OrganisationFactory(city=organisation.city)
    as_user(client, member(other, Role.OWNER))
    response = getattr(client, method)(page_url(name, organisation, badge_class, needs_badge))
    assert response.status_code == 404
    badge_class.refresh_from_db()
    assert badge_class.status == BadgeStatus.DRAFT


@pytest.mark.parametrize(
    ("name", "method"),
    [("badge-class-edit", "get"), ("badge-class-publish", "post"), ("badge-class-archive", "post")],
)
def test_staff_cannot_reach_another_organisations_badge_through_their_own(
    client, organisation, name, method
):
    other_badge = BadgeClassFactory(organisation=OrganisationFactory(city=organisation.city))
    as_user(client, member(organisation, Role.OWNER))
    response = getattr(client, method)(org_url(name, organisation, public_id=other_badge.public_id))
    assert response.status_code == 404
    other_badge.refresh_from_db()
    assert other_badge.status == BadgeStatus.DRAFT


@pytest.mark.parametrize(("name", "method", "needs_badge"), PAGES[1:])
def test_a_viewer_is_refused_everything_but_the_list(
    client, organisation, badge_class, name, method, needs_badge
):
    as_user(client, member(organisation, Role.VIEWER))
    response = getattr(client, method)(page_url(name, organisation, badge_class, needs_badge))
    assert response.status_code == 403
    badge_class.refresh_from_db()
    assert badge_class.status == BadgeStatus.DRAFT


def test_a_viewer_sees_the_list_without_edit_buttons(client, organisation, badge_class):
    as_user(client, member(organisation, Role.VIEWER))
    response = client.get(org_url("badge-class-list", organisation))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Teamwork" in page
    assert "Design a new badge" not in page
    assert "Publish" not in page


def test_an_editor_sees_the_list_with_actions(client, organisation, badge_class):
    as_user(client, member(organisation, Role.EDITOR))
    page = client.get(org_url("badge-class-list", organisation)).content.decode()
    assert "Design a new badge" in page
    assert org_url("badge-class-publish", organisation, public_id=badge_class.public_id) in page


@pytest.mark.parametrize("name", ["badge-class-publish", "badge-class-archive"])
def test_publish_and_archive_refuse_get(client, organisation, badge_class, name):
    as_user(client, member(organisation, Role.EDITOR))
    response = client.get(org_url(name, organisation, public_id=badge_class.public_id))
    assert response.status_code == 405


def test_the_dashboard_links_to_the_badges(client, organisation):
    as_user(client, member(organisation, Role.VIEWER))
    page = client.get(
        reverse(
            "organisation-dashboard",
            kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
        )
    ).content.decode()
    assert org_url("badge-class-list", organisation) in page


# --- Creating and editing -------------------------------------------------------------------------


def test_the_create_page_offers_the_citys_skills_and_the_designer(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    response = client.get(org_url("badge-class-create", organisation))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("Problem Solving", "Staying Positive", "Shield", "Spanner", "badge-designer.js"):
        assert text in page
    assert org_url("badge-class-preview", organisation) in page


def test_a_new_badge_starts_with_the_shape_of_the_organisations_type(client, organisation):
    organisation.type = "museum"
    organisation.save()
    as_user(client, member(organisation, Role.EDITOR))
    page = client.get(org_url("badge-class-create", organisation)).content.decode()
    assert re.search(r'value="octagon"[^>]*checked', page)


def test_an_editor_designs_a_badge_with_skills(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    client.get(org_url("badge-class-create", organisation))  # the city's skills now exist
    from learningcity.badges.models import Skill

    teamwork = Skill.objects.get(framework__city=organisation.city, name="Teamwork")
    response = client.post(
        org_url("badge-class-create", organisation),
        {
            **VALID,
            "skills": [teamwork.pk],
            "expiry_months": "24",
            "evidence_required": "on",
            "evidence_prompt": "A photo of the display.",
        },
    )
    badge_class = BadgeClass.objects.get(name="Young Curator")
    assert response.status_code == 302
    assert response["Location"] == org_url(
        "badge-class-edit", organisation, public_id=badge_class.public_id
    )
    assert badge_class.organisation == organisation
    assert badge_class.status == BadgeStatus.DRAFT
    assert (badge_class.design_shape, badge_class.design_icon, badge_class.design_title) == (
        "shield",
        "book",
        "Curator",
    )
    assert badge_class.image_colour == "#7a1f5c"
    assert badge_class.tags == ["museum", "history"]
    assert badge_class.expiry_months == 24
    assert badge_class.evidence_required
    assert badge_class.skills == [
        {
            "name": "Teamwork",
            "framework": SKILLS_BUILDER_NAME,
            "url": "https://www.skillsbuilder.org/universal-framework/teamwork",
            "code": "teamwork",
        }
    ]
    edit = client.get(response["Location"]).content.decode()
    assert "is saved as a draft" in edit
    assert "<strong>four</strong>" in edit  # criteria rendered from Markdown
    assert re.search(rf'value="{teamwork.pk}"[^>]*checked', edit)


def test_a_form_with_problems_is_shown_again_with_them(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    response = client.post(
        org_url("badge-class-create", organisation),
        {
            **VALID,
            "name": "",
            "design_shape": "pentagram",
            "image_colour": "red",
            "expiry_months": "0",
            "design_title": "x" * 19,
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Choose a colour, like #0b5cad." in page
    assert "Use a number of months from 1 to 120" in page
    # Without JavaScript the preview shows the choices as last submitted.
    assert "preview.svg?shape=pentagram&amp;icon=book&amp;title=" in page
    assert not BadgeClass.objects.exists()


def test_uploading_needs_a_file(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    response = client.post(
        org_url("badge-class-create", organisation), {**VALID, "image_source": "uploaded"}
    )
    assert response.status_code == 400
    assert errors.BADGE_UPLOAD_REQUIRED in response.content.decode()


def test_an_uploaded_svg_is_sanitised_before_it_is_saved(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    hostile = (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
        b"<script>alert(2)</script><rect width='9' height='9'/></svg>"
    )
    response = client.post(
        org_url("badge-class-create", organisation),
        {
            **VALID,
            "image_source": "uploaded",
            "image_file": SimpleUploadedFile("b.svg", hostile, "image/svg+xml"),
        },
    )
    assert response.status_code == 302
    badge_class = BadgeClass.objects.get()
    assert badge_class.image_source == ImageSource.UPLOADED
    assert "alert" not in badge_class.image_svg
    assert "<rect" in badge_class.image_svg
    served = client.get(
        reverse("badge-class-image-svg", kwargs={"public_id": badge_class.public_id})
    )
    assert served.content.decode() == badge_class.image_svg


def test_an_uploaded_png_is_re_encoded(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    out = io.BytesIO()
    Image.new("RGB", (120, 120), "green").save(out, format="JPEG")
    response = client.post(
        org_url("badge-class-create", organisation),
        {
            **VALID,
            "image_source": "uploaded",
            "image_file": SimpleUploadedFile("b.jpg", out.getvalue(), "image/jpeg"),
        },
    )
    assert response.status_code == 302
    badge_class = BadgeClass.objects.get()
    assert badge_class.image_upload.name.endswith(".png")
    served = client.get(
        reverse("badge-class-image-png", kwargs={"public_id": badge_class.public_id})
    )
    assert Image.open(io.BytesIO(served.content)).size == (120, 120)


def test_a_hostile_upload_is_refused_with_its_reason(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    bomb = b'<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>'
    response = client.post(
        org_url("badge-class-create", organisation),
        {**VALID, "image_source": "uploaded", "image_file": SimpleUploadedFile("b.svg", bomb)},
    )
    assert response.status_code == 400
    assert "declares XML entities" in response.content.decode()
    assert not BadgeClass.objects.exists()


def test_an_editor_changes_a_badge(client, organisation, badge_class):
    as_user(client, member(organisation, Role.EDITOR))
    url = org_url("badge-class-edit", organisation, public_id=badge_class.public_id)
    page = client.get(url).content.decode()
    assert 'value="Teamwork"' in page
    response = client.post(url, {**VALID, "name": "Team Player", "design_icon": "people"})
    assert response.status_code == 302
    badge_class.refresh_from_db()
    assert (badge_class.name, badge_class.design_icon) == ("Team Player", "people")


def test_an_archived_badge_cannot_be_changed(client, organisation, badge_class):
    badge_class.status = BadgeStatus.ARCHIVED
    badge_class.save()
    as_user(client, member(organisation, Role.EDITOR))
    url = org_url("badge-class-edit", organisation, public_id=badge_class.public_id)
    response = client.post(url, {**VALID, "name": "Renamed"})
    assert response.status_code == 400
    badge_class.refresh_from_db()
    assert badge_class.name == "Teamwork"


# --- Preview, publish, archive --------------------------------------------------------------------


def test_the_preview_draws_the_choices_in_the_query(client, organisation):
    as_user(client, member(organisation, Role.EDITOR))
    response = client.get(
        org_url("badge-class-preview", organisation),
        {
            "shape": "hexagon",
            "icon": "code",
            "title": "<b>Coder</b>",
            "level": "Lead",
            "colour": "#123456",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    body = response.content.decode()
    assert "&lt;b&gt;Coder&lt;/b&gt;" in body
    assert 'fill="#123456"' in body
    assert ">LEAD<" in body


def test_publishing_then_archiving(client, organisation, badge_class):
    as_user(client, member(organisation, Role.EDITOR))
    publish = org_url("badge-class-publish", organisation, public_id=badge_class.public_id)
    archive = org_url("badge-class-archive", organisation, public_id=badge_class.public_id)
    response = client.post(publish, follow=True)
    assert "Teamwork is published" in response.content.decode()
    badge_class.refresh_from_db()
    assert badge_class.status == BadgeStatus.PUBLISHED

    again = client.post(publish, follow=True)
    assert "Teamwork is published, so it can't be published." in html.unescape(
        again.content.decode()
    )

    client.post(archive)
    badge_class.refresh_from_db()
    assert badge_class.status == BadgeStatus.ARCHIVED
    refused = client.post(publish, follow=True)
    assert "Teamwork is archived, so it can't be published." in html.unescape(
        refused.content.decode()
    )
