"""The public badge checker page and its JSON API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from learningcity.credentials import baking
from learningcity.credentials.tests.test_fetch import Server, running_server
from learningcity.credentials.tests.test_verify import (
    Issuer,
    png,
    serve_did_web_badge,
    unsigned_badge,
)
from learningcity.credentials.verify import HEADLINES, Status
from learningcity.verification import forms, views
from learningcity.verification.selectors import known_issuer_name

pytestmark = pytest.mark.django_db

PAGE = "/verify/"
API = "/verify/api"


@pytest.fixture
def http_server() -> Iterator[Server]:
    with running_server() as running:
        yield running


@pytest.fixture
def signed() -> dict:
    issuer = Issuer()
    return issuer.sign(unsigned_badge(issuer.id))


def html(response) -> str:
    return response.content.decode()


# --- the page ------------------------------------------------------------------------------------


def test_the_urls_are_where_the_docs_say():
    assert reverse("verification-page") == PAGE
    assert reverse("verification-api") == API


def test_the_page_renders_without_an_account(client):
    response = client.get(PAGE)
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert "<h1>Check a badge</h1>" in page
    assert 'enctype="multipart/form-data"' in page
    for name in ("link", "credential", "file"):
        assert f'name="{name}"' in page


def test_pasting_a_valid_credential_shows_it_is_genuine(client, signed):
    response = client.post(PAGE, {"credential": json.dumps(signed)})
    assert response.status_code == 200
    page = html(response)
    assert page.count("<h1") == 1
    assert f'<h1 id="verdict-title">{HEADLINES[Status.VALID]}</h1>' in page
    assert 'aria-labelledby="verdict-title"' in page
    assert "Digital Storytelling" in page
    assert "Brighton Youth Arts" in page
    assert "Participate" in page
    assert "Creativity" in page
    assert "What the badge says" in page
    assert "Check another badge" in page
    # The badge's own raster data: image is shown.
    assert '<img class="badge-image" src="data:image/png;base64,iVBORw0KGgo="' in page


def test_a_changed_credential_is_shown_as_changed_and_its_claims_as_unconfirmed(client, signed):
    signed["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    page = html(client.post(PAGE, {"credential": json.dumps(signed)}))
    assert HEADLINES[Status.TAMPERED] in page
    assert escape("it may have been changed after it was issued") in page
    assert "What the badge claims (not confirmed)" in page
    assert "We only say whether an issuer is known here" in page


def test_an_uploaded_baked_png_is_checked(client, signed):
    image = baking.bake_png(png(), keyword=baking.OB3_KEYWORD, text=json.dumps(signed))
    upload = SimpleUploadedFile("badge.png", image, content_type="image/png")
    page = html(client.post(PAGE, {"file": upload}))
    assert HEADLINES[Status.VALID] in page


def test_a_file_of_the_wrong_type_gets_a_clear_message(client):
    upload = SimpleUploadedFile("cv.pdf", b"%PDF-1.7 ...", content_type="application/pdf")
    response = client.post(PAGE, {"file": upload})
    assert response.status_code == 200
    assert escape(forms.WRONG_FILE_TYPE.format(name="cv.pdf")) in html(response)
    assert "There is a problem" in html(response)


def test_a_file_renamed_to_png_that_is_not_a_badge_gets_a_clear_message(client):
    upload = SimpleUploadedFile("badge.png", b"MZ\x90\x00 not an image", content_type="image/png")
    page = html(client.post(PAGE, {"file": upload}))
    assert escape(forms.WRONG_FILE_TYPE.format(name="badge.png")) in page


def test_a_file_larger_than_2_mb_gets_a_clear_message(client):
    upload = SimpleUploadedFile("badge.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 2_000_000)
    page = html(client.post(PAGE, {"file": upload}))
    assert escape(forms.TOO_LARGE.format(what="file")) in page


def test_an_empty_form_asks_for_something_to_check(client):
    page = html(client.post(PAGE, {}))
    assert escape(forms.NOTHING_GIVEN) in page


def test_two_things_at_once_are_refused(client, signed):
    page = html(
        client.post(PAGE, {"credential": json.dumps(signed), "link": "https://a.example/b"})
    )
    assert escape(forms.MORE_THAN_ONE) in page


def test_a_link_to_a_badge_is_fetched_and_checked_over_http(client, settings, http_server):
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = True  # the badge is served on 127.0.0.1
    url, _ = serve_did_web_badge(http_server)
    page = html(client.post(PAGE, {"link": url}))
    assert HEADLINES[Status.VALID] in page
    assert "Digital Storytelling" in page


def test_a_link_in_the_address_is_checked_straight_away(client, settings, http_server):
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = True
    url, _ = serve_did_web_badge(http_server)
    response = client.get(PAGE, {"url": url})
    assert response.status_code == 200
    assert HEADLINES[Status.VALID] in html(response)


def test_a_bad_link_in_the_address_shows_the_form_with_the_problem(client):
    page = html(client.get(PAGE, {"url": "javascript:alert(1)"}))
    assert escape(forms.LINK_INVALID) in page
    assert "<h1>Check a badge</h1>" in page


def test_a_link_that_is_not_a_web_address_is_refused(client):
    page = html(client.post(PAGE, {"link": "file:///etc/passwd"}))
    assert escape(forms.LINK_INVALID) in page


def test_a_link_to_a_private_address_is_refused_in_plain_language(client, settings):
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = False
    page = html(client.post(PAGE, {"link": "http://169.254.169.254/latest/meta-data/"}))
    assert escape(HEADLINES[Status.MALFORMED]) in page
    assert escape("a link-local address (169.254.169.254), which is not allowed.") in page


def test_pasted_text_that_is_not_a_badge_is_explained(client):
    page = html(client.post(PAGE, {"credential": "hello, I am a badge"}))
    assert escape(HEADLINES[Status.MALFORMED]) in page
    assert "This doesn&#x27;t look like a badge" in page


def test_a_remote_badge_image_is_never_hot_linked(client):
    issuer = Issuer()
    credential = unsigned_badge(issuer.id)
    credential["credentialSubject"]["achievement"]["image"]["id"] = "https://tracker.example/p.png"
    page = html(client.post(PAGE, {"credential": json.dumps(issuer.sign(credential))}))
    assert HEADLINES[Status.VALID] in page
    assert "tracker.example" not in page
    assert "<img" not in page


@pytest.mark.parametrize(
    ("image", "shown"),
    [
        ("data:image/png;base64,iVBORw0KGgo=", True),
        ("data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=", False),
        ("data:text/html;base64,PHNjcmlwdD4=", False),
        ("http://testserver/media/badges/1.png", True),
        ("https://elsewhere.example/badge.png", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_only_raster_data_images_and_this_sites_images_are_shown(image, shown):
    origins = {("http", "testserver")}
    assert (views.displayable_image(image, origins=origins) == image) is shown
    assert views.displayable_image(None, origins=origins) is None


def test_the_page_is_rate_limited_per_address(client, settings, signed):
    settings.VERIFICATION_CHECKS_PER_MINUTE = 2
    for _ in range(2):
        assert client.post(PAGE, {"credential": json.dumps(signed)}).status_code == 200
    response = client.post(PAGE, {"credential": json.dumps(signed)})
    assert response.status_code == 429
    assert escape(views.RATE_LIMITED) in html(response)


def test_only_get_and_post_are_allowed(client):
    assert client.put(PAGE).status_code == 405


# --- the API -------------------------------------------------------------------------------------


@pytest.fixture
def api() -> Client:
    # A machine client: no CSRF token, and CSRF checks on, as in production.
    return Client(enforce_csrf_checks=True)


def post_json(api: Client, body) -> object:
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return api.post(API, data=data, content_type="application/json")


def test_the_api_checks_a_credential_object(api, signed):
    response = post_json(api, {"credential": signed})
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert body["headline"] == HEADLINES[Status.VALID]
    assert body["format"] == "ob3-data-integrity"
    assert body["container"] == "json"
    assert body["summary"]["name"] == "Digital Storytelling"
    assert body["issuer_id"] == signed["issuer"]["id"]
    assert body["issuer_known"] is None
    assert body["reasons"] == []


def test_the_api_checks_credential_text(api, signed):
    signed["name"] = "Changed"
    body = post_json(api, {"credential": json.dumps(signed)}).json()
    assert body["status"] == "tampered"
    assert body["reasons"][0]["field"] == "proof"


def test_the_api_checks_an_uploaded_file(api, signed):
    image = baking.bake_png(png(), keyword=baking.OB3_KEYWORD, text=json.dumps(signed))
    upload = SimpleUploadedFile("badge.png", image, content_type="image/png")
    response = api.post(API, {"file": upload})
    assert response.status_code == 200
    assert response.json()["container"] == "png"


def test_the_api_refuses_a_private_link_with_a_verdict(api, settings):
    settings.CREDENTIALS_FETCH_ALLOW_PRIVATE = False
    body = post_json(api, {"url": "http://10.0.0.5/badge"}).json()
    assert body["status"] == "malformed"
    assert "a private network (10.0.0.5)" in body["reasons"][0]["message"]


@pytest.mark.parametrize(
    ("body", "status", "code", "message"),
    [
        ("{not json", 400, "invalid_json", views.API_INVALID_JSON),
        ("[1, 2]", 400, "invalid_json", views.API_NOT_AN_OBJECT),
        ({}, 400, "missing_input", forms.NOTHING_GIVEN),
        (
            {"url": "https://a.example/b", "credential": "{}"},
            400,
            "too_many_inputs",
            forms.MORE_THAN_ONE,
        ),
        ({"url": "ftp://a.example/b"}, 400, "invalid_url", forms.LINK_INVALID),
        (
            {"credential": "x" * 2_000_001},
            413,
            "too_large",
            forms.TOO_LARGE.format(what="pasted text"),
        ),
    ],
)
def test_bad_api_requests_get_one_error_shape(api, body, status, code, message):
    response = post_json(api, body)
    assert response.status_code == status
    assert response.json() == {"error": {"code": code, "message": message}}


def test_the_api_refuses_other_media_types(api):
    response = api.post(API, data="url=https://a.example", content_type="text/plain")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_the_api_only_takes_post(api):
    response = api.get(API)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json() == {"error": {"code": "method_not_allowed", "message": views.API_METHOD}}


def test_the_api_refuses_a_wrong_file_type(api):
    upload = SimpleUploadedFile("notes.docx", b"PK\x03\x04", content_type="application/zip")
    response = api.post(API, {"file": upload})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "wrong_file_type"


def test_the_api_is_rate_limited_per_address_with_429(api, settings, signed):
    settings.VERIFICATION_CHECKS_PER_MINUTE = 3
    for _ in range(3):
        assert post_json(api, {"credential": signed}).status_code == 200
    response = post_json(api, {"credential": signed})
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert response.json() == {"error": {"code": "rate_limited", "message": views.RATE_LIMITED}}
    # Another address is not affected.
    other = api.post(
        API,
        json.dumps({"credential": signed}),
        content_type="application/json",
        REMOTE_ADDR="192.0.2.9",
    )
    assert other.status_code == 200


def test_the_default_limit_is_modest():
    from learningcity.verification.services import CHECKS_PER_MINUTE

    assert CHECKS_PER_MINUTE == 30


# --- selectors -----------------------------------------------------------------------------------


def test_no_issuer_is_known_until_the_badges_app_publishes_issuers():
    assert known_issuer_name("did:web:learning.example:issuers:abc") is None
