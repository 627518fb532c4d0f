import json

import pytest
from django.test import override_settings
from django.urls import reverse

from learningcity.badges import publishing
from learningcity.badges.services import award_issue, award_revoke, issuer_key_rotate
from learningcity.core import errors
from learningcity.credentials import baking

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


@pytest.fixture(autouse=True)
def site_url():
    with override_settings(SITE_URL=SITE):
        yield


@pytest.fixture
def award():
    return award_issue(
        badge_class=BadgeClassFactory(name="Teamwork"),
        recipient_email="sam@example.org",
        recipient_name="Sam",
        issued_by=None,
    )


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs)


def test_the_award_page_is_for_people_by_default(client, award):
    response = client.get(url("award-page", public_id=award.public_id))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Teamwork" in page
    assert "Sam" in page
    assert "Accept" in [part.strip() for part in response["Vary"].split(",")]


@pytest.mark.parametrize("accept", ["application/ld+json", "application/vc+ld+json"])
def test_the_award_url_negotiates_the_signed_credential(client, award, accept):
    response = client.get(url("award-page", public_id=award.public_id), HTTP_ACCEPT=accept)
    assert response["Content-Type"].startswith(accept)
    assert json.loads(response.content) == award.ob3_credential


def test_the_award_url_negotiates_the_jwt(client, award):
    response = client.get(
        url("award-page", public_id=award.public_id), HTTP_ACCEPT="application/vc+jwt"
    )
    assert response.content.decode() == award.ob3_jwt


def test_every_document_is_served_at_exactly_its_id(client, award):
    """Verifiers compare the id with where they fetched it: no redirects, no other URL."""
    credential = award.ob3_credential
    assert credential["id"] == SITE + url("award-page", public_id=award.public_id)
    status_url = credential["credentialStatus"]["statusListCredential"]
    status = client.get(status_url.removeprefix(SITE))
    assert status.status_code == 200
    assert json.loads(status.content)["id"] == status_url

    ob2 = client.get(url("award-ob2", public_id=award.public_id))
    assert json.loads(ob2.content)["id"] == SITE + url("award-ob2", public_id=award.public_id)
    badge = json.loads(ob2.content)["badge"]
    badge_doc = json.loads(client.get(badge.removeprefix(SITE)).content)
    assert badge_doc["id"] == badge
    issuer_doc = json.loads(client.get(badge_doc["issuer"].removeprefix(SITE)).content)
    assert issuer_doc["id"] == badge_doc["issuer"]


def test_the_did_document_lists_the_signing_key(client, award):
    issuer = award.badge_class.organisation.issuer
    response = client.get(url("issuer-did", public_id=issuer.public_id))
    document = json.loads(response.content)
    assert document["id"] == publishing.issuer_did(issuer)
    method = award.ob3_credential["proof"][0]["verificationMethod"]
    assert method in document["assertionMethod"]
    assert method in [vm["id"] for vm in document["verificationMethod"]]


def test_after_rotation_the_old_keys_are_still_published(client, award):
    issuer = award.badge_class.organisation.issuer
    old_method = award.ob3_credential["proof"][0]["verificationMethod"]
    issuer_key_rotate(issuer=issuer)
    did = json.loads(client.get(url("issuer-did", public_id=issuer.public_id)).content)
    assert old_method in did["assertionMethod"]
    assert len(did["verificationMethod"]) == 2
    jwks = json.loads(client.get(url("issuer-jwks", public_id=issuer.public_id)).content)
    assert len(jwks["keys"]) == 2
    assert all("d" not in key for key in jwks["keys"])


def test_a_key_document_is_served_for_each_ed25519_key(client, award):
    issuer = award.badge_class.organisation.issuer
    key_id = award.ob3_credential["proof"][0]["verificationMethod"].split("#")[1]
    response = client.get(url("issuer-key", public_id=issuer.public_id, key_id=key_id))
    assert json.loads(response.content)["publicKeyMultibase"] == key_id
    missing = client.get(url("issuer-key", public_id=issuer.public_id, key_id="z6MkNope"))
    assert missing.status_code == 404


def test_a_revoked_ob2_assertion_is_gone_and_listed(client, award):
    award_revoke(award=award, by=None, reason="Issued by mistake")
    response = client.get(url("award-ob2", public_id=award.public_id))
    assert response.status_code == 410
    assert json.loads(response.content)["revoked"] is True
    issuer = award.badge_class.organisation.issuer
    revocations = json.loads(
        client.get(url("issuer-ob2-revocations", public_id=issuer.public_id)).content
    )
    assert revocations["revokedAssertions"][0]["id"] == SITE + url(
        "award-ob2", public_id=award.public_id
    )


def test_a_revoked_award_page_says_so(client, award):
    award_revoke(award=award, by=None, reason="Issued by mistake")
    page = client.get(url("award-page", public_id=award.public_id)).content.decode()
    assert "This badge has been revoked" in page
    assert "Issued by mistake" in page


def test_baked_images_carry_the_credentials(client, award):
    png = client.get(url("award-png", public_id=award.public_id)).content
    assert json.loads(baking.unbake_png(png)["openbadgecredential"]) == award.ob3_credential
    ob2_png = client.get(url("award-ob2-png", public_id=award.public_id)).content
    assert json.loads(baking.unbake_png(ob2_png)["openbadges"])["id"].endswith("/ob2.json")
    svg = client.get(url("award-svg", public_id=award.public_id))
    assert svg["Content-Type"].startswith("image/svg+xml")
    assert "default-src 'none'" in svg["Content-Security-Policy"]


@pytest.mark.parametrize(
    "name",
    [
        "award-page",
        "award-ob3",
        "award-jwt",
        "award-ob2",
        "award-png",
        "award-svg",
        "award-ob2-png",
        "award-ob2-svg",
    ],
)
def test_an_unknown_award_is_404_in_every_format(client, name):
    assert client.get(url(name, public_id="nosuchaward")).status_code == 404


@pytest.mark.parametrize(
    "name",
    ["badge-class-page", "badge-class-ob2", "badge-class-image-png", "badge-class-image-svg"],
)
def test_badge_class_urls(client, award, name):
    assert client.get(url(name, public_id=award.badge_class.public_id)).status_code == 200
    assert client.get(url(name, public_id="nosuchbadge")).status_code == 404


@pytest.mark.parametrize(
    "name", ["issuer-page", "issuer-did", "issuer-jwks", "issuer-ob2", "issuer-ob2-revocations"]
)
def test_issuer_urls(client, award, name):
    issuer = award.badge_class.organisation.issuer
    assert client.get(url(name, public_id=issuer.public_id)).status_code == 200
    assert client.get(url(name, public_id="nosuchissuer")).status_code == 404


def test_an_unknown_status_list_is_404(client, award):
    issuer = award.badge_class.organisation.issuer
    assert (
        client.get(url("issuer-status-list", public_id=issuer.public_id, list_id="x")).status_code
        == 404
    )


def test_public_documents_refuse_writes(client, award):
    assert client.post(url("award-ob3", public_id=award.public_id)).status_code == 405


def test_the_checker_names_an_issuer_this_installation_knows(award):
    from learningcity.badges.selectors import issuer_name_for_id

    issuer = award.badge_class.organisation.issuer
    name = award.badge_class.organisation.name
    assert issuer_name_for_id(issuer_id=publishing.issuer_did(issuer)) == name
    assert issuer_name_for_id(issuer_id=publishing.ob2_issuer_id(issuer)) == name
    assert issuer_name_for_id(issuer_id="did:web:example.org:issuers:abc") is None
    assert issuer_name_for_id(issuer_id=SITE + "/issuers/nosuch/ob2.json") is None
    assert issuer_name_for_id(issuer_id=SITE + "/awards/x/ob2.json") is None


def test_a_shared_award_link_previews_with_the_badge_name_and_image(client, award):
    page = client.get(url("award-page", public_id=award.public_id)).content.decode()
    assert '<meta property="og:title" content="Teamwork">' in page
    image = SITE + url("badge-class-image-png", public_id=award.badge_class.public_id)
    assert f'<meta property="og:image" content="{image}">' in page
    assert "sam@example.org" not in page  # the preview never names or addresses the learner


def test_city_endorsements_show_on_the_badge_and_award_pages(client, award):
    from learningcity.badges.services import badge_class_endorse

    badge_class = award.badge_class
    endorsement = badge_class_endorse(
        badge_class=badge_class,
        city=badge_class.organisation.city,
        by=None,
        comment="Meets the city's youth quality mark.",
    )
    for name, public_id in (
        ("badge-class-page", badge_class.public_id),
        ("award-page", award.public_id),
    ):
        page = client.get(url(name, public_id=public_id)).content.decode()
        assert "Endorsed by" in page
        assert "youth quality mark" in page
        assert endorsement.get_absolute_url() in page


def _withdraw(award):
    """What ``learners.privacy.account_delete`` leaves of an award: revoked, no signed files."""
    award_revoke(award=award, by=None, reason="The holder closed their account")
    award.ob3_credential = {}
    award.ob3_jwt = ""
    award.save(update_fields=["ob3_credential", "ob3_jwt"])
    return award


@pytest.mark.parametrize(
    "name", ["award-ob3", "award-jwt", "award-png", "award-svg", "award-ob2-png", "award-ob2-svg"]
)
def test_an_erased_awards_documents_are_gone_not_empty(client, award, name):
    _withdraw(award)
    response = client.get(url(name, public_id=award.public_id))
    assert response.status_code == 410
    assert response.json()["error"] == errors.AWARD_WITHDRAWN


@pytest.mark.parametrize("accept", ["application/ld+json", "application/vc+jwt"])
def test_an_erased_award_is_gone_when_its_credential_is_negotiated(client, award, accept):
    _withdraw(award)
    response = client.get(url("award-page", public_id=award.public_id), HTTP_ACCEPT=accept)
    assert response.status_code == 410


def test_an_erased_award_page_says_it_was_withdrawn_and_offers_no_files(client, award):
    _withdraw(award)
    response = client.get(url("award-page", public_id=award.public_id))
    assert response.status_code == 200
    body = response.content.decode()
    assert "withdrawn when the person who held it closed their account" in body
    assert url("award-png", public_id=award.public_id) not in body
