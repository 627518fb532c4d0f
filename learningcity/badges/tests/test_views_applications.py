"""The application pages, with an access test for every route."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from PIL import Image

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import applications
from learningcity.badges.applications import Upload
from learningcity.badges.models import Application, ApplicationStatus, BadgeStatus
from learningcity.cities.models import RESERVED_CITY_SLUGS
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user


@pytest.fixture
def organisation():
    return OrganisationFactory(city=CityFactory(slug="brighton"), slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, name="First Aid", status=BadgeStatus.PUBLISHED
    )


@pytest.fixture
def learner():
    return UserFactory(email="amara@example.org")


@pytest.fixture
def issuer(organisation):
    return member(organisation, Role.ISSUER)


@pytest.fixture
def viewer(organisation):
    return member(organisation, Role.VIEWER)


@pytest.fixture
def stranger_staff(organisation):
    return member(OrganisationFactory(city=organisation.city), Role.OWNER)


@pytest.fixture
def application(badge_class, learner):
    return applications.application_submit(
        badge_class=badge_class,
        applicant=learner,
        text="I ran the session.",
        links=["https://example.org/x"],
        files=[Upload(name="photo.png", data=png_bytes())],
    )


def staff_url(name, organisation, **kwargs):
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def file_url(application):
    return reverse(
        "application-file",
        kwargs={"public_id": application.public_id, "file_id": application.files.get().pk},
    )


def test_apply_is_a_reserved_city_slug():
    assert "apply" in RESERVED_CITY_SLUGS


def test_the_public_badge_page_links_to_apply_only_when_published(
    client, badge_class, organisation
):
    apply_url = reverse("application-create", kwargs={"badge_public_id": badge_class.public_id})
    assert apply_url in client.get(badge_class.get_absolute_url()).content.decode()
    draft = BadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT)
    page = client.get(draft.get_absolute_url())
    draft_url = reverse("application-create", kwargs={"badge_public_id": draft.public_id})
    assert draft_url not in page.content.decode()


def test_a_learner_applies_with_text_a_link_and_a_file(client, badge_class, learner):
    client.force_login(learner)
    url = reverse("application-create", kwargs={"badge_public_id": badge_class.public_id})
    assert client.get(url).status_code == 200
    upload = io.BytesIO(png_bytes())
    upload.name = "photo.png"
    response = client.post(
        url, {"text": "I did it", "links": "https://example.org/a\n", "attachments": [upload]}
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.links == ["https://example.org/a"]
    assert application.files.count() == 1
    assert "First Aid" in client.get(reverse("application-mine")).content.decode()


def test_a_hostile_file_is_refused_on_the_form(client, badge_class, learner):
    client.force_login(learner)
    url = reverse("application-create", kwargs={"badge_public_id": badge_class.public_id})
    upload = io.BytesIO(b"<html><script>alert(1)</script></html>")
    upload.name = "photo.png"
    response = client.post(url, {"text": "I did it", "attachments": [upload]})
    assert response.status_code == 200
    assert "isn&#x27;t a PDF, PNG or JPEG" in response.content.decode()
    assert not Application.objects.exists()


def test_apply_for_a_draft_badge_is_404(client, organisation, learner):
    client.force_login(learner)
    draft = BadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT)
    url = reverse("application-create", kwargs={"badge_public_id": draft.public_id})
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "name", ["create", "mine", "withdraw", "file", "list", "detail", "approve", "reject"]
)
def test_anonymous_visitors_are_sent_to_sign_in(client, application, organisation, name):
    urls = {
        "create": (
            "get",
            reverse(
                "application-create", kwargs={"badge_public_id": application.badge_class.public_id}
            ),
        ),
        "mine": ("get", reverse("application-mine")),
        "withdraw": (
            "post",
            reverse("application-withdraw", kwargs={"public_id": application.public_id}),
        ),
        "file": ("get", file_url(application)),
        "list": ("get", staff_url("application-list", organisation)),
        "detail": (
            "get",
            staff_url("application-detail", organisation, public_id=application.public_id),
        ),
        "approve": (
            "post",
            staff_url("application-approve", organisation, public_id=application.public_id),
        ),
        "reject": (
            "post",
            staff_url("application-reject", organisation, public_id=application.public_id),
        ),
    }
    method, url = urls[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert "/login" in response["Location"] or "login" in response["Location"]


def test_the_file_is_served_to_the_applicant_as_an_attachment(client, application, learner):
    client.force_login(learner)
    response = client.get(file_url(application))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_file_is_served_to_any_of_the_organisations_staff(client, application, viewer):
    client.force_login(viewer)
    assert client.get(file_url(application)).status_code == 200


@pytest.mark.parametrize("who", ["another_learner", "stranger_staff"])
def test_the_file_is_404_for_everyone_else(client, application, stranger_staff, who):
    client.force_login(UserFactory() if who == "another_learner" else stranger_staff)
    assert client.get(file_url(application)).status_code == 404


def test_a_learner_cannot_withdraw_someone_elses_application(client, application):
    client.force_login(UserFactory())
    url = reverse("application-withdraw", kwargs={"public_id": application.public_id})
    assert client.post(url).status_code == 404
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_the_applicant_withdraws(client, application, learner):
    client.force_login(learner)
    url = reverse("application-withdraw", kwargs={"public_id": application.public_id})
    assert client.post(url).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def test_an_issuer_sees_the_queue_and_the_detail(client, application, issuer, organisation):
    client.force_login(issuer)
    assert (
        application.public_id
        in client.get(staff_url("application-list", organisation)).content.decode()
    )
    detail = client.get(
        staff_url("application-detail", organisation, public_id=application.public_id)
    )
    assert detail.status_code == 200
    assert "I ran the session." in detail.content.decode()


@pytest.mark.parametrize(
    "name", ["application-list", "application-detail", "application-approve", "application-reject"]
)
def test_staff_of_another_organisation_get_404(
    client, application, organisation, stranger_staff, name
):
    client.force_login(stranger_staff)
    kwargs = {} if name == "application-list" else {"public_id": application.public_id}
    url = staff_url(name, organisation, **kwargs)
    response = (
        client.post(url, {"feedback": "x"})
        if name.endswith(("approve", "reject"))
        else client.get(url)
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["application-list", "application-detail", "application-approve", "application-reject"]
)
def test_a_learner_gets_404_on_staff_pages(client, application, organisation, name):
    client.force_login(UserFactory())
    kwargs = {} if name == "application-list" else {"public_id": application.public_id}
    url = staff_url(name, organisation, **kwargs)
    response = (
        client.post(url, {"feedback": "x"})
        if name.endswith(("approve", "reject"))
        else client.get(url)
    )
    assert response.status_code == 404


@pytest.mark.parametrize("name", ["application-approve", "application-reject"])
def test_a_viewer_gets_403_to_decide(client, application, organisation, viewer, name):
    client.force_login(viewer)
    url = staff_url(name, organisation, public_id=application.public_id)
    assert client.post(url, {"feedback": "x"}).status_code == 403
    application.refresh_from_db()
    assert application.status == ApplicationStatus.PENDING


def test_an_issuer_approves(client, application, issuer, organisation):
    client.force_login(issuer)
    url = staff_url("application-approve", organisation, public_id=application.public_id)
    assert client.post(url, {"feedback": ""}).status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.award is not None


def test_rejecting_without_feedback_shows_the_error(client, application, issuer, organisation):
    client.force_login(issuer)
    url = staff_url("application-reject", organisation, public_id=application.public_id)
    response = client.post(url, {"feedback": ""})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()


def test_an_issuer_cannot_approve_their_own_application_on_the_page(
    client, badge_class, organisation, issuer
):
    own = applications.application_submit(badge_class=badge_class, applicant=issuer, text="Me")
    client.force_login(issuer)
    url = staff_url("application-approve", organisation, public_id=own.public_id)
    assert client.post(url).status_code == 403
    own.refresh_from_db()
    assert own.status == ApplicationStatus.PENDING
