"""Importing badges from elsewhere into the backpack, and checking them again.

The badges are real signed credentials: made by this codebase's ``award_issue`` for an
organisation in a second city, sent to someone else's address, and checked over HTTP by the real
verifier. The issuer's documents (did:web DID document, status list) are served by
pytest-django's live server (a real HTTP server in a thread); ``SITE_URL`` points at it, so the
issuer is ``did:web:localhost%3A<port>:issuers:…``, which resolves over plain http on loopback.
A badge from a wholly independent issuer is served by the credentials tests' local server.
Nothing remote is mocked.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import publishing
from learningcity.badges.models import Award
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials.tests.test_fetch import Server, running_server
from learningcity.credentials.tests.test_verify import serve_did_web_badge
from learningcity.credentials.verify import HEADLINES, Status
from learningcity.credentials.verify.messages import (
    NOT_A_BADGE,
    SIGNATURE_MISMATCH,
    STATUS_REVOKED,
)
from learningcity.learners import backpack
from learningcity.learners.models import ImportedBadge, ImportSource
from learningcity.learners.signals import badge_imported
from learningcity.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db(transaction=True)

IMPORT = "/me/backpack/import/"


@pytest.fixture
def site(live_server, settings) -> str:
    """This site's issuers, reachable over HTTP by the verifier's guarded fetcher."""
    settings.SITE_URL = live_server.url
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = True  # the live server is on localhost
    return str(live_server.url)


@pytest.fixture
def http_server() -> Iterator[Server]:
    with running_server() as running:
        yield running


@pytest.fixture
def learner():
    return UserFactory(email="learner@example.org")


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


@pytest.fixture
def badge_class():
    """A badge class of an organisation in a second city."""
    plymouth = CityFactory(name="Plymouth", slug="plymouth")
    organisation = OrganisationFactory(city=plymouth, name="Plymouth Sea Scouts")
    return BadgeClassFactory(organisation=organisation, name="Sailing Basics")


@pytest.fixture
def award(site, badge_class) -> Award:
    """A real signed award made for someone else's address (the learner holds a copy)."""
    return award_issue(
        badge_class=badge_class,
        recipient_email="sam.elsewhere@example.net",
        recipient_name="Sam",
        issued_by=None,
        notify=False,
    )


@pytest.fixture
def imported_signals() -> Iterator[list[int]]:
    received: list[int] = []

    def receiver(sender, *, user_id, **kwargs):
        received.append(user_id)

    badge_imported.connect(receiver, dispatch_uid="test-backpack-import")
    yield received
    badge_imported.disconnect(dispatch_uid="test-backpack-import")


def document(client, name: str, award: Award) -> bytes:
    response = client.get(reverse(name, kwargs={"public_id": award.public_id}))
    assert response.status_code == 200
    return response.content


def upload(client, data: bytes, name: str):
    return client.post(
        IMPORT, {"way": "file", "file": SimpleUploadedFile(name, data, "application/octet-stream")}
    )


def page(response) -> str:
    return response.content.decode()


def assert_imported_from(imported: ImportedBadge, award: Award) -> None:
    assert imported.status == Status.VALID
    assert imported.reasons == []
    assert imported.name == "Sailing Basics"
    assert imported.issuer_name == "Plymouth Sea Scouts"
    assert imported.issuer_confirmed is True
    assert imported.issuer_id == award.ob3_credential["issuer"]["id"]
    assert imported.achievement_id == publishing.badge_class_url(award.badge_class)
    assert imported.description == award.badge_class.description
    assert imported.criteria == award.badge_class.criteria
    assert [s["name"] for s in imported.skills] == ["Teamwork", "Listening"]
    assert imported.level == "Participate"
    assert imported.issued_at is not None
    assert abs(imported.issued_at - award.issued_at) < datetime.timedelta(seconds=1)


# --- each way in -------------------------------------------------------------------------------


def test_a_baked_png_from_another_issuer_is_imported(signed_in, learner, award, imported_signals):
    png = document(signed_in, "award-png", award)
    response = upload(signed_in, png, "sailing.png")
    imported = ImportedBadge.objects.get(owner=learner)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "backpack-imported", kwargs={"public_id": imported.public_id}
    )
    assert_imported_from(imported, award)
    assert imported.source == ImportSource.FILE
    # The credential text is extracted from the image and kept, and so is the image.
    assert json.loads(imported.original)["id"] == award.ob3_credential["id"]
    assert imported.image.name.endswith(".png")
    with imported.image.open("rb") as handle:
        assert handle.read() == png
    assert imported_signals == [learner.pk]
    detail = page(signed_in.get(response["Location"]))
    assert escape(errors.BACKPACK_IMPORTED.format(name="Sailing Basics")) in detail


def test_a_baked_svg_from_another_issuer_is_imported(signed_in, learner, award):
    svg = document(signed_in, "award-svg", award)
    assert upload(signed_in, svg, "sailing.svg").status_code == 302
    imported = ImportedBadge.objects.get(owner=learner)
    assert_imported_from(imported, award)
    assert json.loads(imported.original)["id"] == award.ob3_credential["id"]
    assert imported.image.name.endswith(".svg")


def test_the_kept_image_is_served_to_its_owner_only_and_cannot_run_script(
    signed_in, client, learner, award
):
    upload(signed_in, document(signed_in, "award-svg", award), "sailing.svg")
    imported = ImportedBadge.objects.get(owner=learner)
    url = reverse("backpack-imported-image", kwargs={"public_id": imported.public_id})
    response = signed_in.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"]
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_pasted_json_is_imported(signed_in, learner, award, imported_signals):
    response = signed_in.post(
        IMPORT, {"way": "text", "credential": json.dumps(award.ob3_credential)}
    )
    assert response.status_code == 302
    imported = ImportedBadge.objects.get(owner=learner)
    assert_imported_from(imported, award)
    assert imported.source == ImportSource.TEXT
    assert imported.format == "ob3-data-integrity"
    assert not imported.image
    assert imported_signals == [learner.pk]


def test_a_pasted_jwt_is_imported(signed_in, learner, award):
    response = signed_in.post(IMPORT, {"way": "text", "credential": award.ob3_jwt})
    assert response.status_code == 302
    imported = ImportedBadge.objects.get(owner=learner)
    assert_imported_from(imported, award)
    assert imported.format == "ob3-vc-jwt"
    assert imported.original == award.ob3_jwt


def test_a_link_to_a_badge_from_an_independent_issuer_is_imported(
    signed_in, learner, settings, http_server
):
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = True  # the issuer's server is on 127.0.0.1
    url, _issuer = serve_did_web_badge(http_server)
    response = signed_in.post(IMPORT, {"way": "link", "link": url})
    assert response.status_code == 302, page(response)
    imported = ImportedBadge.objects.get(owner=learner)
    assert imported.status == Status.VALID
    assert imported.source == ImportSource.URL
    assert imported.source_url == url
    assert imported.name == "Digital Storytelling"
    assert imported.issuer_name == "Brighton Youth Arts"
    assert imported.issuer_id.startswith("did:web:127.0.0.1")
    assert json.loads(imported.original)["id"]


def test_a_link_to_an_award_page_here_is_imported_and_a_revocation_shows_on_recheck(
    signed_in, learner, award, site
):
    link = site + award.get_absolute_url()
    assert signed_in.post(IMPORT, {"way": "link", "link": link}).status_code == 302
    imported = ImportedBadge.objects.get(owner=learner)
    assert_imported_from(imported, award)
    award_revoke(award=award, by=None, reason="Issued in error")
    response = signed_in.post(
        reverse("backpack-imported-recheck", kwargs={"public_id": imported.public_id})
    )
    assert response.status_code == 302
    imported.refresh_from_db()
    assert imported.status == Status.REVOKED


def test_a_badge_whose_revocation_list_cannot_be_reached_is_imported_with_a_note(
    signed_in, learner, settings, http_server, imported_signals
):
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = True
    url, _issuer = serve_did_web_badge(http_server)
    del http_server.routes["/status/1"]
    response = signed_in.post(IMPORT, {"way": "link", "link": url}, follow=True)
    imported = ImportedBadge.objects.get(owner=learner)
    assert imported.status == Status.STATUS_UNKNOWN
    assert imported.reasons  # why it couldn't be checked, kept for the detail page
    expected = errors.BACKPACK_IMPORTED_STATUS_UNKNOWN.format(name="Digital Storytelling")
    assert escape(expected) in page(response)
    # Only a valid badge may complete a pathway step: nothing is announced yet.
    assert imported_signals == []


# --- refusals ----------------------------------------------------------------------------------


def test_a_credential_changed_after_signing_is_refused_with_the_reason(signed_in, learner, award):
    changed = json.loads(json.dumps(award.ob3_credential))
    changed["credentialSubject"]["achievement"]["name"] = "Captain's Licence"
    response = signed_in.post(IMPORT, {"way": "text", "credential": json.dumps(changed)})
    assert response.status_code == 200
    text = page(response)
    assert "There is a problem" in text
    assert escape(HEADLINES[Status.TAMPERED]) in text
    assert escape(SIGNATURE_MISMATCH) in text
    assert not ImportedBadge.objects.filter(owner=learner).exists()


def test_pasted_text_that_is_not_a_badge_is_refused_with_the_reason(signed_in, learner):
    response = signed_in.post(IMPORT, {"way": "text", "credential": "my sailing certificate"})
    assert response.status_code == 200
    assert escape(NOT_A_BADGE) in page(response)
    assert not ImportedBadge.objects.exists()


def test_a_file_that_is_not_a_badge_is_refused_by_its_content_not_its_name(signed_in):
    response = upload(signed_in, b"MZ\x90\x00\x03 garbage bytes \xff\xfe", "badge.png")
    assert response.status_code == 200
    expected = errors.BACKPACK_UPLOAD_WRONG_TYPE.format(name="badge.png")
    assert escape(expected) in page(response)
    assert not ImportedBadge.objects.exists()


def test_a_png_with_no_badge_inside_is_refused_with_the_reason(signed_in):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    response = upload(signed_in, png, "photo.png")
    assert response.status_code == 200
    assert escape("We couldn't add this badge") in page(response)
    assert escape(HEADLINES[Status.MALFORMED]) in page(response)
    assert not ImportedBadge.objects.exists()


def test_an_upload_over_the_limit_is_refused_naming_the_limit(signed_in):
    big = b"\x89PNG\r\n\x1a\n" + b"\0" * backpack.MAX_IMPORT_BYTES
    response = upload(signed_in, big, "huge.png")
    assert response.status_code == 200
    message = errors.BACKPACK_UPLOAD_TOO_LARGE.format(limit="2 MB")
    assert "2 MB" in message
    assert escape(message) in page(response)
    assert not ImportedBadge.objects.exists()


def test_a_link_that_is_not_a_web_address_is_refused(signed_in):
    response = signed_in.post(IMPORT, {"way": "link", "link": "javascript:alert(1)"})
    assert response.status_code == 200
    assert escape(errors.BACKPACK_LINK_INVALID) in page(response)


def test_the_same_badge_twice_is_refused_even_in_another_form(signed_in, learner, award):
    signed_in.post(IMPORT, {"way": "text", "credential": award.ob3_jwt})
    png = document(signed_in, "award-png", award)
    response = upload(signed_in, png, "again.png")
    assert response.status_code == 200
    assert "This badge is already in your backpack" in page(response)
    assert ImportedBadge.objects.filter(owner=learner).count() == 1
    with pytest.raises(ServiceError) as refused:
        backpack.imported_badge_add(owner=learner, source=ImportSource.FILE, data=png)
    assert refused.value.message.startswith("This badge is already in your backpack")


def test_another_learner_may_import_the_same_badge(award):
    first, second = UserFactory(), UserFactory()
    for owner in (first, second):
        backpack.imported_badge_add(owner=owner, source=ImportSource.TEXT, data=award.ob3_jwt)
    assert ImportedBadge.objects.count() == 2


def test_an_award_already_on_the_account_here_is_refused(signed_in, learner, site, badge_class):
    own = award_issue(
        badge_class=badge_class, recipient_email=learner.email, issued_by=None, notify=False
    )
    assert own.recipient == learner
    response = signed_in.post(IMPORT, {"way": "text", "credential": own.ob3_jwt})
    assert response.status_code == 200
    assert escape(errors.BACKPACK_IMPORT_OWN_AWARD) in page(response)
    assert not ImportedBadge.objects.exists()


def test_a_revoked_badge_is_refused(signed_in, award):
    award_revoke(award=award, by=None, reason="Issued in error")
    response = signed_in.post(IMPORT, {"way": "text", "credential": award.ob3_jwt})
    assert response.status_code == 200
    assert escape(HEADLINES[Status.REVOKED]) in page(response)
    assert escape(STATUS_REVOKED) in page(response)
    assert not ImportedBadge.objects.exists()


# --- checking again ----------------------------------------------------------------------------


def test_a_recheck_after_the_issuer_revokes_shows_it_revoked(signed_in, learner, award):
    upload(signed_in, document(signed_in, "award-png", award), "sailing.png")
    imported = ImportedBadge.objects.get(owner=learner)
    award_revoke(award=award, by=None, reason="Issued in error")
    response = signed_in.post(
        reverse("backpack-imported-recheck", kwargs={"public_id": imported.public_id}),
        follow=True,
    )
    imported.refresh_from_db()
    assert imported.status == Status.REVOKED
    assert STATUS_REVOKED in imported.reasons
    assert imported.name == "Sailing Basics"
    text = page(response)
    assert "Revoked by its issuer" in text
    assert escape(STATUS_REVOKED) in text
    assert "Revoked by its issuer" in page(signed_in.get(reverse("backpack")))


def test_the_daily_command_rechecks_badges_not_checked_for_a_week(learner, award):
    stale = backpack.imported_badge_add(owner=learner, source=ImportSource.TEXT, data=award.ob3_jwt)
    fresh_award = award_issue(
        badge_class=BadgeClassFactory(organisation=award.badge_class.organisation),
        recipient_email="sam.elsewhere@example.net",
        issued_by=None,
        notify=False,
    )
    fresh = backpack.imported_badge_add(
        owner=learner, source=ImportSource.TEXT, data=fresh_award.ob3_jwt
    )
    week_ago = timezone.now() - datetime.timedelta(days=8)
    ImportedBadge.objects.filter(pk=stale.pk).update(checked_at=week_ago)
    fresh_checked = ImportedBadge.objects.get(pk=fresh.pk).checked_at
    award_revoke(award=award, by=None, reason="Issued in error")
    award_revoke(award=fresh_award, by=None, reason="Issued in error")

    call_command("recheck_imported_badges")

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == Status.REVOKED
    assert stale.checked_at > week_ago
    # Checked yesterday or later: left for another day.
    assert fresh.status == Status.VALID
    assert fresh.checked_at == fresh_checked
