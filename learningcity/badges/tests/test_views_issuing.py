"""The issuing pages: one award, bulk upload → preview → confirm → progress, the award list,
export and revocation; and who may reach each of them."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges import issuing
from learningcity.badges.models import Award, BulkIssue
from learningcity.badges.services import award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

CSV = "email,name,evidence_narrative\namara@example.org,Amara,Led a session\nbad,Kai,\n"


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(organisation=organisation, name="Teamwork", status="published")


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user


@pytest.fixture
def issuer(organisation):
    return member(organisation, Role.ISSUER)


def url(name, organisation, **kwargs):
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def upload(organisation, badge_class, text=CSV):
    return issuing.bulk_issue_create(
        organisation=organisation, badge_class=badge_class, created_by=None, data=text.encode()
    )


# --- One award -----------------------------------------------------------------------------------


def test_an_issuer_awards_one_badge_with_evidence(client, organisation, badge_class, issuer):
    client.force_login(issuer)
    response = client.post(
        url("award-create", organisation),
        {
            "badge_class": badge_class.pk,
            "recipient_email": "amara@example.org",
            "recipient_name": "Amara",
            "evidence_narrative": "Ran the stall.",
            "evidence_url": "",
        },
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.recipient_email == "amara@example.org"
    assert award.issued_by == issuer
    assert award.evidence == [{"narrative": "Ran the stall.", "url": ""}]


def test_awarding_a_badge_already_held_is_refused_with_a_clear_message(
    client, organisation, badge_class, issuer
):
    award_issue(badge_class=badge_class, recipient_email="amara@example.org", issued_by=None)
    client.force_login(issuer)
    response = client.post(
        url("award-create", organisation),
        {"badge_class": badge_class.pk, "recipient_email": "amara@example.org"},
    )
    assert response.status_code == 200
    assert escape(errors.AWARD_ALREADY_HELD.format(email="amara@example.org")) in (
        response.content.decode()
    )
    assert Award.objects.count() == 1


def test_only_published_badges_of_the_organisation_can_be_chosen(
    client, organisation, badge_class, issuer
):
    draft = BadgeClassFactory(organisation=organisation, name="Draft one", status="draft")
    client.force_login(issuer)
    response = client.post(
        url("award-create", organisation),
        {"badge_class": draft.pk, "recipient_email": "amara@example.org"},
    )
    assert response.status_code == 200
    assert not Award.objects.exists()


# --- Bulk ----------------------------------------------------------------------------------------


def test_upload_preview_confirm_and_progress(
    client, organisation, badge_class, issuer, django_capture_on_commit_callbacks
):
    client.force_login(issuer)
    response = client.post(
        url("bulk-issue-upload", organisation),
        {"badge_class": badge_class.pk, "file": SimpleUploadedFile("a.csv", CSV.encode())},
    )
    bulk_issue = BulkIssue.objects.get()
    preview = url("bulk-issue-preview", organisation, public_id=bulk_issue.public_id)
    assert response.status_code == 302 and response["Location"] == preview

    page = client.get(preview).content.decode()
    assert escape(errors.BULK_ISSUE_EMAIL_INVALID.format(value="bad")) in page
    assert not Award.objects.exists()

    confirm = url("bulk-issue-confirm", organisation, public_id=bulk_issue.public_id)
    progress = url("bulk-issue-progress", organisation, public_id=bulk_issue.public_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(confirm)["Location"] == progress
        assert client.post(confirm)["Location"] == progress  # a double submit changes nothing
    assert Award.objects.count() == 1

    page = client.get(progress).content.decode()
    assert "1 of 1 awarded" in page
    assert '<progress id="bulk-progress-bar" max="1" value="1">' in page
    status = client.get(url("bulk-issue-status", organisation, public_id=bulk_issue.public_id))
    assert status.json()["status"] == "done"
    assert status.json()["issued"] == 1


def test_a_bad_file_is_refused_on_the_upload_form(client, organisation, badge_class, issuer):
    client.force_login(issuer)
    response = client.post(
        url("bulk-issue-upload", organisation),
        {"file": SimpleUploadedFile("a.csv", "email\n".encode("utf-16"))},
    )
    assert response.status_code == 200
    assert escape(errors.BULK_ISSUE_NOT_UTF8) in response.content.decode()
    assert not BulkIssue.objects.exists()


def test_the_preview_of_a_confirmed_run_goes_to_its_progress(
    client, organisation, badge_class, issuer
):
    bulk_issue = upload(organisation, badge_class)
    issuing.bulk_issue_confirm(bulk_issue=bulk_issue)
    client.force_login(issuer)
    response = client.get(url("bulk-issue-preview", organisation, public_id=bulk_issue.public_id))
    assert response["Location"] == url(
        "bulk-issue-progress", organisation, public_id=bulk_issue.public_id
    )


# --- List, export, revoke ------------------------------------------------------------------------


def test_the_award_list_filters_by_status_and_email(client, organisation, badge_class, issuer):
    from learningcity.badges.services import award_revoke

    award_issue(badge_class=badge_class, recipient_email="amara@example.org", issued_by=None)
    kai = award_issue(badge_class=badge_class, recipient_email="kai@example.org", issued_by=None)
    award_revoke(award=kai, by=None, reason="Mistake.")
    client.force_login(issuer)
    page = client.get(url("award-list", organisation), {"status": "revoked"}).content.decode()
    assert "kai@example.org" in page and "amara@example.org" not in page
    page = client.get(url("award-list", organisation), {"q": "amara"}).content.decode()
    assert "amara@example.org" in page and "kai@example.org" not in page


def test_the_export_quotes_cells_that_look_like_formulas(client, organisation, badge_class, issuer):
    award_issue(
        badge_class=badge_class,
        recipient_email="amara@example.org",
        recipient_name='=HYPERLINK("http://evil")',
        issued_by=None,
    )
    client.force_login(issuer)
    response = client.get(url("award-export", organisation))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["badge", "email", "name"]
    assert rows[1][2] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_csv_safe_quotes_every_formula_prefix(value):
    assert issuing.csv_safe(value) == "'" + value
    assert issuing.csv_safe("amara@example.org") == "amara@example.org"


def test_revoking_needs_a_reason_and_a_confirmation(client, organisation, badge_class, issuer):
    award = award_issue(badge_class=badge_class, recipient_email="a@example.org", issued_by=None)
    revoke = url("award-revoke", organisation, public_id=award.public_id)
    client.force_login(issuer)
    assert client.get(revoke).status_code == 200
    assert client.post(revoke, {"reason": ""}).status_code == 200
    award.refresh_from_db()
    assert award.revoked_at is None
    assert client.post(revoke, {"reason": "Given by mistake."}).status_code == 302
    award.refresh_from_db()
    assert award.revocation_reason == "Given by mistake."


# --- Access --------------------------------------------------------------------------------------

ISSUER_ROUTES = [
    ("get", "award-create", False),
    ("get", "bulk-issue-upload", False),
    ("get", "bulk-issue-preview", "bulk"),
    ("post", "bulk-issue-confirm", "bulk"),
    ("get", "bulk-issue-progress", "bulk"),
    ("get", "bulk-issue-status", "bulk"),
    ("get", "award-revoke", "award"),
    ("post", "award-revoke", "award"),
]
VIEWER_ROUTES = [("get", "award-list", False), ("get", "award-export", False)]


@pytest.fixture
def other_organisation_things(db):
    """Organisation B with a badge, an award and a bulk issue, none of A's business."""
    other = OrganisationFactory(name="Other", slug="other")
    badge = BadgeClassFactory(organisation=other, status="published")
    award = award_issue(badge_class=badge, recipient_email="b@example.org", issued_by=None)
    bulk = upload(other, badge)
    return other, {"award": award.public_id, "bulk": bulk.public_id}


def route_url(name, organisation, kind, ids):
    return url(name, organisation, **({"public_id": ids[kind]} if kind else {}))


@pytest.mark.parametrize(("method", "name", "kind"), ISSUER_ROUTES + VIEWER_ROUTES)
def test_staff_of_another_organisation_get_404(
    client, organisation, other_organisation_things, method, name, kind
):
    other, ids = other_organisation_things
    client.force_login(member(organisation, Role.OWNER))
    assert getattr(client, method)(route_url(name, other, kind, ids)).status_code == 404


@pytest.mark.parametrize(("method", "name", "kind"), [r for r in ISSUER_ROUTES if r[2]])
def test_staff_cannot_reach_another_organisations_things_through_their_own(
    client, organisation, other_organisation_things, method, name, kind
):
    """B's award and bulk issue ids under A's URL are 404 too."""
    _, ids = other_organisation_things
    client.force_login(member(organisation, Role.OWNER))
    assert getattr(client, method)(route_url(name, organisation, kind, ids)).status_code == 404


@pytest.mark.parametrize(("method", "name", "kind"), ISSUER_ROUTES)
def test_a_viewer_cannot_issue_or_revoke(client, organisation, badge_class, method, name, kind):
    ids = {
        "award": award_issue(
            badge_class=badge_class, recipient_email="a@example.org", issued_by=None
        ).public_id,
        "bulk": upload(organisation, badge_class).public_id,
    }
    client.force_login(member(organisation, Role.VIEWER))
    assert getattr(client, method)(route_url(name, organisation, kind, ids)).status_code == 403


@pytest.mark.parametrize(("method", "name", "kind"), VIEWER_ROUTES)
def test_a_viewer_can_see_and_export_the_awards(client, organisation, method, name, kind):
    client.force_login(member(organisation, Role.VIEWER))
    assert getattr(client, method)(url(name, organisation)).status_code == 200


@pytest.mark.parametrize(("method", "name", "kind"), ISSUER_ROUTES + VIEWER_ROUTES)
def test_a_learner_gets_404(client, organisation, badge_class, method, name, kind):
    ids = {"award": "x", "bulk": "x"}
    client.force_login(LearnerProfileFactory(city=organisation.city, age=20).user)
    assert getattr(client, method)(route_url(name, organisation, kind, ids)).status_code == 404


@pytest.mark.parametrize(("method", "name", "kind"), ISSUER_ROUTES + VIEWER_ROUTES)
def test_anonymous_visitors_are_sent_to_sign_in(client, organisation, method, name, kind):
    ids = {"award": "x", "bulk": "x"}
    response = getattr(client, method)(route_url(name, organisation, kind, ids))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_export_links_awards_at_the_sites_own_address_not_the_requests_host(
    client, organisation, badge_class, issuer, settings
):
    settings.SITE_URL = "https://learning.example.org"
    settings.ALLOWED_HOSTS = ["*"]
    award = award_issue(
        badge_class=badge_class, recipient_email="amara@example.org", issued_by=None
    )
    client.force_login(issuer)
    response = client.get(url("award-export", organisation), HTTP_HOST="internal-proxy:8000")
    content = b"".join(response.streaming_content).decode()
    assert "https://learning.example.org" + award.get_absolute_url() in content
    assert "internal-proxy" not in content
