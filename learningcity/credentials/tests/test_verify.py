"""verify(): every way a badge reaches the checker, and every verdict it can give.

Credentials are made fresh with the real builders and signers (documents, data_integrity,
vcjwt, ob2, baking, status_list); the issuers' documents are served by :class:`FakeWeb`, an
in-memory :class:`~learningcity.credentials.fetch.Fetcher` (a fake, not a mock: it answers like
a web server and records what was asked).
"""

from __future__ import annotations

import base64
import copy
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from learningcity.credentials import (
    baking,
    data_integrity,
    documents,
    keys,
    ob2,
    status_list,
    vcjwt,
)
from learningcity.credentials import verify as v
from learningcity.credentials.fetch import FetchError, FetchResult
from learningcity.credentials.tests.test_fetch import Server, running_server
from learningcity.credentials.verify import Container, Format, Status, Verdict, verify

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
ISSUED = NOW - timedelta(days=30)
KIT = Path("/work/shared/conformance/testdata/ob3-testvector")
LOCAL_DATA = Path(__file__).with_name("data")


# --- a fake web -----------------------------------------------------------------------------------


class FakeWeb:
    """An in-memory web: ``serve`` a document at a URL, then ``get`` it like GuardedFetcher."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[int, str, bytes]] = {}
        self.requested: list[str] = []

    def serve(
        self,
        url: str,
        body: Any,
        *,
        status: int = 200,
        content_type: str = "application/json",
    ) -> None:
        if isinstance(body, dict | list):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.pages[url] = (status, content_type, body)

    def get(self, url: str, *, accept: str) -> FetchResult:
        self.requested.append(url)
        if url not in self.pages:
            try:
                host = urlsplit(url).hostname
            except ValueError:
                raise FetchError("That isn't a valid web link.") from None
            raise FetchError(f"We couldn't connect to {host}.")
        status, content_type, body = self.pages[url]
        return FetchResult(url=url, status=status, content_type=content_type, body=body)


@pytest.fixture
def web() -> FakeWeb:
    return FakeWeb()


def check(source: bytes | str, web: FakeWeb | None, **kwargs: Any) -> Verdict:
    verdict = verify(source, fetcher=web, now=kwargs.pop("now", NOW), **kwargs)
    assert isinstance(verdict, Verdict)
    assert verdict.status is not Status.ERROR, verdict.reasons
    return verdict


def messages(verdict: Verdict) -> str:
    return " ".join(reason.message for reason in verdict.reasons)


# --- issuers and credentials ----------------------------------------------------------------------


class Issuer:
    """A signing issuer: a did:key, a did:web or an https id, with its key document."""

    def __init__(self, issuer_id: str | None = None, *, key: Ed25519PrivateKey | None = None):
        self.key = key or keys.ed25519_generate()
        public = self.key.public_key()
        self.id = issuer_id or keys.did_key_for(public)
        self.method = documents.verification_method_id(self.id, public)

    def publish(self, web: FakeWeb, *, listed: list[Ed25519PrivateKey] | None = None) -> None:
        public_keys = [k.public_key() for k in (listed or [self.key])]
        if self.id.startswith("did:web:"):
            url = documents.did_web_to_url(self.id)
            web.serve(url, documents.did_web_document(did=self.id, ed25519_keys=public_keys))
        else:
            web.serve(self.id, documents.controller_document(id=self.id, ed25519_keys=public_keys))

    def sign(self, document: dict[str, Any], *, method: str | None = None) -> dict[str, Any]:
        return data_integrity.sign(
            document,
            private_key=self.key,
            verification_method=method or self.method,
            created=ISSUED,
        )


def unsigned_badge(
    issuer_id: str,
    *,
    valid_from: datetime = ISSUED,
    valid_until: datetime | None = None,
    status: documents.StatusEntry | None = None,
) -> dict[str, Any]:
    return documents.open_badge_credential(
        id="https://learning.example/credentials/41",
        issuer=documents.Issuer(
            id=issuer_id, name="Brighton Youth Arts", url="https://bya.example/"
        ),
        achievement=documents.Achievement(
            id="https://learning.example/achievements/storytelling",
            name="Digital Storytelling",
            description="Made a three-minute film about a place in the city.",
            criteria_narrative="Attend four sessions and show a finished film.",
            level="Participate",
            alignments=(
                documents.Alignment(
                    target_name="Creativity",
                    target_url="https://www.skillsbuilder.org/universal-framework/creativity",
                    target_framework="Skills Builder Universal Framework",
                ),
            ),
            tags=("film",),
            image_id="data:image/png;base64,iVBORw0KGgo=",
        ),
        recipient=documents.recipient_for_email("learner@example.org", salt="pepper"),
        valid_from=valid_from,
        valid_until=valid_until,
        name="Digital Storytelling",
        status=status,
    )


@pytest.fixture
def issuer() -> Issuer:
    return Issuer()


@pytest.fixture
def signed(issuer: Issuer) -> dict[str, Any]:
    return issuer.sign(unsigned_badge(issuer.id))


def test_vector() -> dict[str, Any]:
    for folder in (LOCAL_DATA, KIT):
        if (folder / "credential.json").exists():
            return json.loads((folder / "credential.json").read_text())
    pytest.skip("the 1EdTech OB 3.0 test vector is not available")


test_vector.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def vector_web(web: FakeWeb) -> FakeWeb:
    issuer_doc = KIT / "docs" / "issuer.json"
    if not issuer_doc.exists():
        pytest.skip("the 1EdTech test vector's issuer document is not available")
    web.serve("https://example.edu/issuers/565049", issuer_doc.read_bytes())
    return web


# --- the 1EdTech test vector ----------------------------------------------------------------------


def test_the_1edtech_test_vector_is_valid_when_its_issuer_document_is_served(vector_web):
    verdict = check(json.dumps(test_vector()), vector_web)
    assert verdict.status is Status.VALID
    assert verdict.reasons == ()
    assert verdict.format is Format.OB3_DATA_INTEGRITY
    assert verdict.container is Container.JSON
    assert verdict.issuer_id == "https://example.edu/issuers/565049"
    assert verdict.summary["name"] == "Teamwork"
    assert verdict.summary["issuer"]["name"] == "Example Corp"
    assert verdict.summary["criteria"]["narrative"].startswith("Team members are nominated")
    assert vector_web.requested == ["https://example.edu/issuers/565049"]


def test_a_changed_field_in_the_test_vector_is_tampered(vector_web):
    credential = test_vector()
    credential["credentialSubject"]["achievement"]["name"] = "Leadership"
    verdict = check(json.dumps(credential), vector_web)
    assert verdict.status is Status.TAMPERED
    assert verdict.reasons[0].message == (
        "The signature does not match the credential: it may have been changed after it was issued."
    )
    # What the badge claims is still shown (as a claim), so a person sees what was altered.
    assert verdict.summary["name"] == "Leadership"


def test_the_test_vector_cannot_be_confirmed_when_its_issuer_is_unreachable():
    verdict = check(json.dumps(test_vector()), FakeWeb())
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert "We couldn't fetch the issuer's keys from https://example.edu/issuers/565049" in (
        messages(verdict)
    )


def test_without_a_fetcher_a_did_web_issuer_cannot_be_confirmed():
    verdict = check(json.dumps(test_vector()), None)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert "checking online is turned off here" in messages(verdict)


# --- OB 3.0 Data Integrity ------------------------------------------------------------------------


def test_a_fresh_did_key_credential_is_valid_without_fetching_anything(signed, web):
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.VALID
    assert web.requested == []
    summary = verdict.summary
    assert summary["name"] == "Digital Storytelling"
    assert summary["level"] == "Participate"
    assert summary["tags"] == ["Level: Participate", "film"]
    assert summary["skills"][0]["name"] == "Creativity"
    assert summary["skills"][0]["framework"] == "Skills Builder Universal Framework"
    assert summary["issuer"] == {
        "id": signed["issuer"]["id"],
        "name": "Brighton Youth Arts",
        "url": "https://bya.example/",
        "email": None,
    }
    assert summary["recipient"].startswith("A hashed email address")
    assert summary["issued"] == ISSUED.isoformat()
    assert summary["image"] == "data:image/png;base64,iVBORw0KGgo="


def test_bytes_and_text_give_the_same_verdict(signed, web):
    assert check(json.dumps(signed).encode(), web).status is Status.VALID
    assert check("\ufeff  " + json.dumps(signed) + "\n", web).status is Status.VALID


def test_a_tampered_field_is_detected(issuer, signed, web):
    signed["credentialSubject"]["achievement"]["description"] = "Ran the whole festival."
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.TAMPERED
    assert verdict.reasons[0] == v.Reason("proof", v.SIGNATURE_MISMATCH)


def test_a_tampered_proof_value_is_detected(signed, web):
    value = signed["proof"][0]["proofValue"]
    signed["proof"][0]["proofValue"] = value[:-2] + ("11" if value[-2:] != "11" else "22")
    assert check(json.dumps(signed), web).status in (Status.TAMPERED, Status.MALFORMED)


def test_an_extra_context_is_refused_as_tampering(signed, web):
    signed["@context"] = [*signed["@context"], "https://www.w3.org/ns/did/v1"]
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.TAMPERED
    assert verdict.reasons[0].field == "@context"
    assert "isn't one of the standard ones" in verdict.reasons[0].message


def test_a_swapped_context_is_refused(signed, web):
    signed["@context"] = list(reversed(signed["@context"]))
    assert check(json.dumps(signed), web).status is Status.TAMPERED


def test_an_embedded_context_that_redefines_terms_is_refused_as_tampering(signed, web):
    signed["@context"] = [
        *signed["@context"],
        {"name": "https://evil.example/ignored", "title": "https://schema.org/name"},
    ]
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.TAMPERED
    assert "embedded @context objects are not accepted" in messages(verdict)


def test_a_context_this_platform_does_not_ship_is_unsupported(signed, web):
    signed["@context"] = [*signed["@context"], "https://contexts.example/my-badges.jsonld"]
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.UNSUPPORTED
    assert "https://contexts.example/my-badges.jsonld" in messages(verdict)
    assert web.requested == []  # contexts are never fetched


def test_an_undefined_term_is_malformed_and_named(issuer, web):
    credential = unsigned_badge(issuer.id)
    signed = issuer.sign(credential)
    signed["credentialSubject"]["favouriteColour"] = "green"
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.MALFORMED
    assert "'favouriteColour'" in verdict.reasons[0].message
    assert verdict.reasons[0].field == "credentialSubject.favouriteColour"


def test_a_credential_without_a_proof_is_malformed(issuer, web):
    verdict = check(json.dumps(unsigned_badge(issuer.id)), web)
    assert verdict.status is Status.MALFORMED
    assert verdict.reasons[0].message == v.NO_PROOF


def test_another_proof_type_is_unsupported(signed, web):
    signed["proof"][0]["type"] = "Ed25519Signature2020"
    del signed["proof"][0]["cryptosuite"]
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.UNSUPPORTED
    assert "Ed25519Signature2020" in messages(verdict)


def test_an_expired_credential_is_expired(issuer, web):
    credential = unsigned_badge(issuer.id, valid_until=NOW - timedelta(days=1))
    verdict = check(json.dumps(issuer.sign(credential)), web)
    assert verdict.status is Status.EXPIRED
    assert verdict.reasons == (v.Reason("validUntil", "The badge expired on 31 May 2025."),)
    assert verdict.summary["expires"] == (NOW - timedelta(days=1)).isoformat()


def test_a_credential_valid_from_the_future_is_not_yet_valid(issuer, web):
    credential = unsigned_badge(issuer.id, valid_from=NOW + timedelta(days=2))
    verdict = check(json.dumps(issuer.sign(credential)), web)
    assert verdict.status is Status.NOT_YET_VALID
    assert verdict.reasons == (
        v.Reason("validFrom", "The badge only becomes valid on 3 June 2025."),
    )


def test_a_did_web_issuer_is_resolved_through_the_fetcher(web):
    issuer = Issuer("did:web:badges.example:issuers:7")
    issuer.publish(web)
    verdict = check(json.dumps(issuer.sign(unsigned_badge(issuer.id))), web)
    assert verdict.status is Status.VALID
    assert web.requested == ["https://badges.example/issuers/7/did.json"]


def test_an_https_issuer_document_is_resolved_through_the_fetcher(web):
    issuer = Issuer("https://badges.example/issuers/7")
    issuer.publish(web)
    assert check(json.dumps(issuer.sign(unsigned_badge(issuer.id))), web).status is Status.VALID


def test_a_key_the_issuer_does_not_list_is_refused(web):
    issuer = Issuer("did:web:badges.example")
    issuer.publish(web, listed=[keys.ed25519_generate()])  # publishes some other key
    verdict = check(json.dumps(issuer.sign(unsigned_badge(issuer.id))), web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert "doesn't contain the key" in messages(verdict)


def test_a_key_listed_but_not_for_issuing_is_refused(web):
    issuer = Issuer("https://badges.example/issuers/7")
    document = documents.controller_document(id=issuer.id, ed25519_keys=[issuer.key.public_key()])
    document["assertionMethod"] = []
    web.serve(issuer.id, document)
    verdict = check(json.dumps(issuer.sign(unsigned_badge(issuer.id))), web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert verdict.reasons[0].message == v.KEY_NOT_ASSERTION.format(key=issuer.method)


def test_a_key_from_another_controller_is_refused(web):
    impostor = Issuer()  # a did:key of someone else
    credential = unsigned_badge("did:web:badges.example")
    verdict = check(json.dumps(impostor.sign(credential)), web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert verdict.reasons[0].message == v.KEY_OTHER_CONTROLLER.format(
        controller=impostor.id, issuer="did:web:badges.example"
    )
    assert web.requested == []


def test_a_key_document_served_at_the_wrong_address_is_refused(web):
    issuer = Issuer("https://badges.example/issuers/7")
    document = documents.controller_document(
        id="https://elsewhere.example/me", ed25519_keys=[issuer.key.public_key()]
    )
    web.serve(issuer.id, document)
    verdict = check(json.dumps(issuer.sign(unsigned_badge(issuer.id))), web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert "says its address is https://elsewhere.example/me" in messages(verdict)


def test_an_unsupported_did_method_is_unsupported(issuer, web):
    credential = unsigned_badge("did:example:123")
    signed = issuer.sign(credential, method="did:example:123#key-1")
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.UNSUPPORTED


# --- status lists ---------------------------------------------------------------------------------

LIST_URL = "https://badges.example/status/1"


def status_entry(index: int) -> documents.StatusEntry:
    return documents.StatusEntry(
        id=f"{LIST_URL}#{index}", status_list_credential=LIST_URL, status_list_index=index
    )


def publish_status_list(
    web: FakeWeb, signer: Issuer, *, revoked: tuple[int, ...] = (), issuer_id: str | None = None
) -> None:
    bits = status_list.new()
    for index in revoked:
        status_list.set_bit(bits, index)
    document = documents.bitstring_status_list_credential(
        id=LIST_URL,
        issuer_id=issuer_id or signer.id,
        encoded_list=status_list.encode(bits),
        status_purpose="revocation",
        valid_from=ISSUED,
    )
    web.serve(LIST_URL, signer.sign(document))


def test_a_credential_whose_status_bit_is_clear_is_valid(issuer, web):
    publish_status_list(web, issuer, revoked=(7,))
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    assert check(json.dumps(signed), web).status is Status.VALID
    assert web.requested == [LIST_URL]


def test_a_credential_whose_status_bit_is_set_is_revoked(issuer, web):
    publish_status_list(web, issuer, revoked=(42,))
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.REVOKED
    assert verdict.reasons == (v.Reason("credentialStatus", v.STATUS_REVOKED),)


def test_revoked_wins_over_expired(issuer, web):
    publish_status_list(web, issuer, revoked=(42,))
    credential = unsigned_badge(
        issuer.id, valid_until=NOW - timedelta(days=1), status=status_entry(42)
    )
    verdict = check(json.dumps(issuer.sign(credential)), web)
    assert verdict.status is Status.REVOKED
    assert [r.field for r in verdict.reasons] == ["credentialStatus", "validUntil"]


def test_an_unreachable_status_list_gives_status_unknown_never_valid(issuer, web):
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.STATUS_UNKNOWN
    assert messages(verdict).startswith(
        f"We couldn't fetch the issuer's revocation list from {LIST_URL}"
    )


def test_a_status_list_answering_with_an_error_gives_status_unknown(issuer, web):
    web.serve(LIST_URL, "down for maintenance", status=503, content_type="text/plain")
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.STATUS_UNKNOWN
    assert "(HTTP 503)" in messages(verdict)


def test_a_status_list_signed_by_another_issuer_gives_status_unknown(issuer, web):
    other = Issuer()
    publish_status_list(web, other)  # says nothing is revoked, but it isn't the issuer's list
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.STATUS_UNKNOWN
    assert f"was issued by {other.id}" in messages(verdict)


def test_a_status_list_claiming_the_issuer_but_signed_by_another_key_gives_status_unknown(
    issuer, web
):
    other = Issuer()
    publish_status_list(web, other, issuer_id=issuer.id)
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    verdict = check(json.dumps(signed), web)
    assert verdict.status is Status.STATUS_UNKNOWN
    assert "can't be trusted" in messages(verdict)


def test_a_tampered_status_list_gives_status_unknown(issuer, web):
    publish_status_list(web, issuer, revoked=(42,))
    _, _, body = web.pages[LIST_URL]
    document = json.loads(body)
    document["credentialSubject"]["encodedList"] = status_list.encode(status_list.new())
    web.serve(LIST_URL, document)
    signed = issuer.sign(unsigned_badge(issuer.id, status=status_entry(42)))
    assert check(json.dumps(signed), web).status is Status.STATUS_UNKNOWN


# --- VC-JWT ---------------------------------------------------------------------------------------

JWT_ISSUER = "https://badges.example/issuers/7"
JWKS_URL = "https://badges.example/issuers/7/jwks.json"
KID = JWKS_URL + "#key-1"


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    return keys.rsa_generate()


@pytest.fixture
def jwt_web(web: FakeWeb, rsa_key: rsa.RSAPrivateKey) -> FakeWeb:
    web.serve(JWKS_URL, documents.jwks([("key-1", rsa_key.public_key())]))
    return web


def b64(value: Any) -> str:
    data = value if isinstance(value, bytes) else json.dumps(value).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_vc_jwt_is_valid(rsa_key, jwt_web):
    token = vcjwt.sign_vc_jwt(unsigned_badge(JWT_ISSUER), private_key=rsa_key, kid=KID)
    verdict = check(token, jwt_web)
    assert verdict.status is Status.VALID, verdict.reasons
    assert verdict.format is Format.OB3_VC_JWT
    assert verdict.container is Container.JWT
    assert verdict.summary["name"] == "Digital Storytelling"
    assert jwt_web.requested == [JWKS_URL]


def test_a_tampered_vc_jwt_is_tampered(rsa_key, jwt_web):
    token = vcjwt.sign_vc_jwt(unsigned_badge(JWT_ISSUER), private_key=rsa_key, kid=KID)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    verdict = check(f"{header}.{b64(claims)}.{signature}", jwt_web)
    assert verdict.status is Status.TAMPERED
    assert verdict.reasons[0].message == v.SIGNATURE_MISMATCH


def test_an_expired_vc_jwt_is_expired(rsa_key, jwt_web):
    credential = unsigned_badge(JWT_ISSUER, valid_until=NOW - timedelta(hours=1))
    token = vcjwt.sign_vc_jwt(credential, private_key=rsa_key, kid=KID)
    verdict = check(token, jwt_web)
    assert verdict.status is Status.EXPIRED
    assert verdict.reasons[0].field == "validUntil"


def test_a_vc_jwt_with_alg_none_is_refused(jwt_web):
    header = {"alg": "none", "typ": "JWT", "kid": KID}
    payload = {**unsigned_badge(JWT_ISSUER), "iss": JWT_ISSUER}
    verdict = check(f"{b64(header)}.{b64(payload)}.", jwt_web)
    assert verdict.status is Status.TAMPERED
    assert verdict.reasons[0].message == v.JWT_ALG_NONE.format(alg="none")


def test_a_vc_jwt_signed_with_hmac_over_the_public_key_is_refused(rsa_key, jwt_web):
    header = {"alg": "HS256", "typ": "JWT", "kid": KID}
    payload = {**unsigned_badge(JWT_ISSUER), "iss": JWT_ISSUER}
    verdict = check(f"{b64(header)}.{b64(payload)}.{b64(b'x' * 32)}", jwt_web)
    assert verdict.status is Status.TAMPERED


def test_a_vc_jwt_key_published_off_the_issuers_site_is_refused(rsa_key, web):
    kid = "https://keys.attacker.example/jwks.json#key-1"
    web.serve(kid.split("#")[0], documents.jwks([("key-1", rsa_key.public_key())]))
    token = vcjwt.sign_vc_jwt(unsigned_badge(JWT_ISSUER), private_key=rsa_key, kid=kid)
    verdict = check(token, web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert verdict.reasons[0].message == v.JWT_KEY_OFF_ISSUER.format(
        host="keys.attacker.example", issuer_host="badges.example"
    )


def test_a_vc_jwt_carrying_its_own_key_is_refused(rsa_key, web):
    header = {"alg": "RS256", "typ": "JWT", "jwk": keys.rsa_public_jwk(rsa_key.public_key())}
    credential = unsigned_badge(JWT_ISSUER)
    payload = {**credential, "iss": JWT_ISSUER, "jti": credential["id"]}
    signing_input = f"{b64(header)}.{b64(payload)}"
    signature = rsa_key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    verdict = check(f"{signing_input}.{b64(signature)}", web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert verdict.reasons[0].message == v.JWT_EMBEDDED_KEY


def test_a_vc_jwt_signed_with_a_key_the_issuer_does_not_publish_is_tampered(jwt_web):
    stranger = keys.rsa_generate()
    token = vcjwt.sign_vc_jwt(unsigned_badge(JWT_ISSUER), private_key=stranger, kid=KID)
    assert check(token, jwt_web).status is Status.TAMPERED


def test_a_vc_jwt_status_list_is_checked_too(rsa_key, jwt_web):
    signer = Issuer(JWT_ISSUER)
    signer.publish(jwt_web)
    publish_status_list(jwt_web, signer, revoked=(3,))
    credential = unsigned_badge(JWT_ISSUER, status=status_entry(3))
    token = vcjwt.sign_vc_jwt(credential, private_key=rsa_key, kid=KID)
    assert check(token, jwt_web).status is Status.REVOKED


# --- baked images ---------------------------------------------------------------------------------


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (8, 8), (30, 90, 160, 255)).save(buffer, "PNG")
    return buffer.getvalue()


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><circle r="4"/></svg>'


def test_a_baked_png_round_trips(signed, web):
    image = baking.bake_png(png(), keyword=baking.OB3_KEYWORD, text=json.dumps(signed))
    verdict = check(image, web)
    assert verdict.status is Status.VALID
    assert verdict.container is Container.PNG


def test_a_baked_svg_round_trips(signed, web):
    image = baking.bake_svg(SVG, assertion_json_or_url=json.dumps(signed), ob3=True)
    verdict = check(image.encode(), web)
    assert verdict.status is Status.VALID
    assert verdict.container is Container.SVG
    assert check(image, web).status is Status.VALID  # as text too


def test_a_baked_png_with_a_tampered_credential_is_tampered(signed, web):
    signed["name"] = "Something Else"
    image = baking.bake_png(png(), keyword=baking.OB3_KEYWORD, text=json.dumps(signed))
    assert check(image, web).status is Status.TAMPERED


def test_a_vc_jwt_baked_in_a_png_is_checked(rsa_key, jwt_web):
    token = vcjwt.sign_vc_jwt(unsigned_badge(JWT_ISSUER), private_key=rsa_key, kid=KID)
    image = baking.bake_png(png(), keyword=baking.OB3_KEYWORD, text=token)
    verdict = check(image, jwt_web)
    assert (verdict.status, verdict.format, verdict.container) == (
        Status.VALID,
        Format.OB3_VC_JWT,
        Container.PNG,
    )


def test_a_png_without_a_badge_is_malformed(web):
    verdict = check(png(), web)
    assert verdict.status is Status.MALFORMED
    assert verdict.reasons[0].message == v.NO_BAKED_BADGE.format(kind="PNG")


def test_a_broken_png_is_malformed_with_the_reason(web):
    verdict = check(png()[:40], web)
    assert verdict.status is Status.MALFORMED
    assert "truncated" in messages(verdict)


def test_an_svg_with_an_entity_bomb_is_malformed(web):
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
        '<svg xmlns="http://www.w3.org/2000/svg">&b;</svg>'
    )
    assert check(bomb, web).status is Status.MALFORMED


# --- links ----------------------------------------------------------------------------------------


def test_a_link_to_a_credential_is_fetched_and_checked(signed, web):
    web.serve("https://badges.example/c/41", signed, content_type="application/ld+json")
    verdict = check("  https://badges.example/c/41\n", web)
    assert verdict.status is Status.VALID
    assert verdict.container is Container.URL


def test_a_link_to_a_baked_image_is_checked(signed, web):
    image = baking.bake_png(png(), keyword=baking.OB3_KEYWORD, text=json.dumps(signed))
    web.serve("https://badges.example/c/41.png", image, content_type="image/png")
    verdict = check("https://badges.example/c/41.png", web)
    assert (verdict.status, verdict.container) == (Status.VALID, Container.URL)


def test_a_link_to_a_web_page_explains_what_to_do(web):
    web.serve("https://badges.example/page", "<!doctype html><p>hi</p>", content_type="text/html")
    verdict = check("https://badges.example/page", web)
    assert verdict.status is Status.MALFORMED
    assert verdict.reasons[0].message == v.LINK_IS_A_WEB_PAGE


def test_a_link_that_cannot_be_opened_says_why(web):
    verdict = check("https://nowhere.example/badge", web)
    assert verdict.status is Status.MALFORMED
    assert verdict.reasons[0].message == (
        "We couldn't open the link: We couldn't connect to nowhere.example."
    )


def test_a_link_answering_404_is_malformed(web):
    web.serve("https://badges.example/missing", "no", status=404, content_type="text/plain")
    verdict = check("https://badges.example/missing", web)
    assert verdict.reasons[0].message == v.LINK_STATUS.format(status=404)


# --- OB 2.0 hosted --------------------------------------------------------------------------------

OB2_ORIGIN = "https://org.example"
OB2_ISSUER = f"{OB2_ORIGIN}/ob2/issuer"
OB2_BADGE = f"{OB2_ORIGIN}/ob2/badges/1"
OB2_ASSERTION = f"{OB2_ORIGIN}/ob2/assertions/1"
OB2_REVOCATIONS = f"{OB2_ORIGIN}/ob2/revocations"


def ob2_assertion(assertion_id: str = OB2_ASSERTION, **kwargs: Any) -> dict[str, Any]:
    return ob2.assertion(
        id=assertion_id,
        badge_class_id=OB2_BADGE,
        recipient_hash=ob2.hashed_email("learner@example.org", "salt"),
        salt="salt",
        issued_on=ISSUED,
        **kwargs,
    )


@pytest.fixture
def ob2_web(web: FakeWeb) -> FakeWeb:
    web.serve(
        OB2_ISSUER,
        ob2.issuer_profile(
            id=OB2_ISSUER, name="Plymouth Library", url=OB2_ORIGIN, revocation_list=OB2_REVOCATIONS
        ),
    )
    web.serve(
        OB2_BADGE,
        ob2.badge_class(
            id=OB2_BADGE,
            issuer_id=OB2_ISSUER,
            name="Code Club",
            description="Built a game in Scratch.",
            image=f"{OB2_ORIGIN}/ob2/badges/1.png",
            criteria_narrative="Come to six sessions.",
            tags=[documents.level_tag("Demonstrate")],
        ),
    )
    web.serve(
        OB2_REVOCATIONS, ob2.revocation_list(id=OB2_REVOCATIONS, issuer_id=OB2_ISSUER, revoked=[])
    )
    web.serve(OB2_ASSERTION, ob2_assertion())
    return web


def test_an_ob2_hosted_assertion_is_valid(ob2_web):
    verdict = check(json.dumps(ob2_assertion()), ob2_web)
    assert verdict.status is Status.VALID, verdict.reasons
    assert verdict.format is Format.OB2_HOSTED
    assert verdict.issuer_id == OB2_ISSUER
    assert verdict.summary["name"] == "Code Club"
    assert verdict.summary["level"] == "Demonstrate"
    assert verdict.summary["issuer"]["name"] == "Plymouth Library"
    assert verdict.summary["recipient"].startswith("A hashed email address")


def test_an_ob2_assertion_given_by_link_is_valid(ob2_web):
    verdict = check(OB2_ASSERTION, ob2_web)
    assert (verdict.status, verdict.container) == (Status.VALID, Container.URL)
    assert ob2_web.requested.count(OB2_ASSERTION) == 1


def test_an_ob2_assertion_hosted_off_the_issuers_origin_is_refused(ob2_web):
    forged_id = "https://badges.attacker.example/a/1"
    ob2_web.serve(forged_id, ob2_assertion(forged_id))
    verdict = check(json.dumps(ob2_assertion(forged_id)), ob2_web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert verdict.reasons[0].message == v.OB2_OFF_ORIGIN.format(
        host="badges.attacker.example", issuer_host="org.example"
    )


def test_an_ob2_assertion_on_an_allowed_origin_is_accepted(ob2_web):
    other_id = "https://cdn.example/a/1"
    ob2_web.serve(other_id, ob2_assertion(other_id))
    ob2_web.serve(
        OB2_ISSUER,
        ob2.issuer_profile(
            id=OB2_ISSUER, name="Plymouth Library", url=OB2_ORIGIN, allowed_origins=["cdn.example"]
        ),
    )
    assert check(json.dumps(ob2_assertion(other_id)), ob2_web).status is Status.VALID


def test_an_ob2_assertion_answering_410_is_revoked(ob2_web):
    ob2_web.serve(
        OB2_ASSERTION,
        ob2.revoked_assertion(id=OB2_ASSERTION, revocation_reason="Awarded by mistake"),
        status=410,
    )
    verdict = check(json.dumps(ob2_assertion()), ob2_web)
    assert verdict.status is Status.REVOKED
    assert messages(verdict) == (f"{v.OB2_REVOKED_410} The issuer's reason: Awarded by mistake")


def test_an_ob2_link_answering_410_is_revoked(ob2_web):
    ob2_web.serve(OB2_ASSERTION, ob2.revoked_assertion(id=OB2_ASSERTION), status=410)
    assert check(OB2_ASSERTION, ob2_web).status is Status.REVOKED


def test_an_ob2_assertion_in_the_issuers_revocation_list_is_revoked(ob2_web):
    ob2_web.serve(
        OB2_REVOCATIONS,
        ob2.revocation_list(
            id=OB2_REVOCATIONS, issuer_id=OB2_ISSUER, revoked=[(OB2_ASSERTION, "Duplicate")]
        ),
    )
    verdict = check(json.dumps(ob2_assertion()), ob2_web)
    assert verdict.status is Status.REVOKED
    assert verdict.reasons[0].message == v.OB2_REVOKED_LIST


def test_an_ob2_assertion_marked_revoked_is_revoked(ob2_web):
    ob2_web.serve(OB2_ASSERTION, ob2_assertion(revoked=True))
    assert check(json.dumps(ob2_assertion()), ob2_web).status is Status.REVOKED


def test_an_unreachable_ob2_revocation_list_gives_status_unknown(ob2_web):
    del ob2_web.pages[OB2_REVOCATIONS]
    assert check(json.dumps(ob2_assertion()), ob2_web).status is Status.STATUS_UNKNOWN


def test_an_expired_ob2_assertion_is_expired(ob2_web):
    hosted = ob2_assertion(expires=NOW - timedelta(days=3))
    ob2_web.serve(OB2_ASSERTION, hosted)
    verdict = check(json.dumps(hosted), ob2_web)
    assert verdict.status is Status.EXPIRED
    assert verdict.reasons[0].field == "expires"


def test_an_ob2_assertion_that_differs_from_the_hosted_copy_is_tampered(ob2_web):
    given = ob2_assertion(expires=NOW + timedelta(days=3650))
    verdict = check(json.dumps(given), ob2_web)
    assert verdict.status is Status.TAMPERED
    assert verdict.reasons[0].message == v.OB2_HOSTED_DIFFERS.format(
        url=OB2_ASSERTION, fields="expires"
    )


def test_an_ob2_assertion_the_issuer_no_longer_hosts_cannot_be_confirmed(ob2_web):
    ob2_web.serve(OB2_ASSERTION, "not found", status=404, content_type="text/plain")
    verdict = check(json.dumps(ob2_assertion()), ob2_web)
    assert verdict.status is Status.UNKNOWN_ISSUER
    assert "(HTTP 404)" in messages(verdict)


def test_a_baked_ob2_svg_is_fetched_from_its_hosted_url(ob2_web):
    image = baking.bake_svg(SVG, assertion_json_or_url=json.dumps(ob2_assertion()), ob3=False)
    verdict = check(image, ob2_web)
    assert (verdict.status, verdict.container, verdict.format) == (
        Status.VALID,
        Container.SVG,
        Format.OB2_HOSTED,
    )


def test_a_baked_ob2_png_round_trips(ob2_web):
    image = baking.bake_png(png(), keyword=baking.OB2_KEYWORD, text=json.dumps(ob2_assertion()))
    assert check(image, ob2_web).status is Status.VALID


def test_an_ob2_signed_assertion_given_as_plain_json_is_unsupported(ob2_web):
    assertion = ob2_assertion()
    assertion["verification"] = {"type": "SignedBadge"}
    verdict = check(json.dumps(assertion), ob2_web)
    assert verdict.status is Status.UNSUPPORTED
    assert verdict.reasons[0].message == v.OB2_SIGNED_WITHOUT_SIGNATURE


# --- OB 2.0 signed --------------------------------------------------------------------------------

OB2_KEY = f"{OB2_ORIGIN}/ob2/key"


def signed_ob2(key: rsa.RSAPrivateKey, **changes: Any) -> tuple[str, dict[str, Any]]:
    assertion = ob2_assertion()
    assertion["verification"] = {"type": "SignedBadge", "creator": OB2_KEY}
    assertion.update(changes)
    signing_input = f"{b64({'alg': 'RS256'})}.{b64(assertion)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64(signature)}", assertion


@pytest.fixture
def ob2_signed_web(ob2_web: FakeWeb, rsa_key: rsa.RSAPrivateKey) -> FakeWeb:
    pem = rsa_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    ob2_web.serve(
        OB2_KEY,
        {
            "@context": ob2.OB2_CONTEXT,
            "type": "CryptographicKey",
            "id": OB2_KEY,
            "owner": OB2_ISSUER,
            "publicKeyPem": pem.decode(),
        },
    )
    return ob2_web


def test_an_ob2_signed_assertion_is_valid(rsa_key, ob2_signed_web):
    token, _ = signed_ob2(rsa_key)
    verdict = check(token, ob2_signed_web)
    assert (verdict.status, verdict.format) == (Status.VALID, Format.OB2_SIGNED), verdict.reasons
    assert verdict.summary["name"] == "Code Club"


def test_a_tampered_ob2_signed_assertion_is_tampered(rsa_key, ob2_signed_web):
    token, assertion = signed_ob2(rsa_key)
    header, _, signature = token.split(".")
    assertion["issuedOn"] = "2001-01-01T00:00:00Z"
    assert check(f"{header}.{b64(assertion)}.{signature}", ob2_signed_web).status is (
        Status.TAMPERED
    )


def test_an_ob2_signed_assertion_with_a_key_off_the_issuers_origin_is_refused(
    rsa_key, ob2_signed_web
):
    token, _ = signed_ob2(
        rsa_key, verification={"type": "SignedBadge", "creator": "https://evil.example/key"}
    )
    verdict = check(token, ob2_signed_web)
    assert verdict.status is Status.UNKNOWN_ISSUER


# --- OB 1.x and older -----------------------------------------------------------------------------


def test_an_ob1_hosted_assertion_is_recognised_and_checked(web):
    web.serve(
        f"{OB2_ORIGIN}/ob1/issuer",
        {"name": "Old Library", "url": OB2_ORIGIN, "revocationList": f"{OB2_ORIGIN}/ob1/rev"},
    )
    web.serve(
        f"{OB2_ORIGIN}/ob1/badge",
        {
            "name": "Reader",
            "description": "Read ten books.",
            "image": f"{OB2_ORIGIN}/ob1/badge.png",
            "criteria": f"{OB2_ORIGIN}/ob1/criteria",
            "issuer": f"{OB2_ORIGIN}/ob1/issuer",
        },
    )
    web.serve(f"{OB2_ORIGIN}/ob1/rev", {"other-uid": "Mistake"})
    assertion = {
        "@context": "https://w3id.org/openbadges/v1",
        "uid": "abc123",
        "recipient": {"type": "email", "hashed": True, "identity": "sha256$" + "0" * 64},
        "badge": f"{OB2_ORIGIN}/ob1/badge",
        "verify": {"type": "hosted", "url": f"{OB2_ORIGIN}/ob1/assertions/abc123"},
        "issuedOn": 1359217910,
    }
    web.serve(f"{OB2_ORIGIN}/ob1/assertions/abc123", assertion)
    verdict = check(json.dumps(assertion), web)
    assert (verdict.status, verdict.format) == (Status.VALID, Format.OB1_HOSTED), verdict.reasons
    assert verdict.summary["name"] == "Reader"
    assert verdict.summary["criteria"]["url"] == f"{OB2_ORIGIN}/ob1/criteria"

    web.serve(f"{OB2_ORIGIN}/ob1/rev", {"abc123": "Mistake"})
    web2 = FakeWeb()
    web2.pages = dict(web.pages)
    assert check(json.dumps(assertion), web2).status is Status.REVOKED


def test_an_ob1_signed_badge_is_unsupported_with_a_reason(web):
    assertion = {
        "uid": "x",
        "recipient": "sha256$00",
        "badge": "https://a.example/b",
        "verify": {"type": "signed", "url": "https://a.example/key.pem"},
        "issuedOn": "2014-01-01",
    }
    verdict = check(json.dumps(assertion), web)
    assert verdict.status is Status.UNSUPPORTED
    assert verdict.reasons[0].message == v.OB1_SIGNED


def test_an_ob05_badge_is_unsupported_with_a_reason(web):
    old = {"recipient": "someone@example.org", "badge": {"name": "Old", "issuer": {}}}
    verdict = check(json.dumps(old), web)
    assert verdict.status is Status.UNSUPPORTED
    assert verdict.reasons[0].message == v.OB05


# --- unreadable input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", v.EMPTY),
        ("   \n", v.EMPTY),
        ("hello there", v.NOT_A_BADGE),
        ("[1, 2]", v.NOT_AN_OBJECT),
        ('{"name": "no context"}', v.UNRECOGNISED_JSON),
        (b"\xff\xfe\x00garbage", v.NOT_TEXT),
        ("{not json", "We can't read this as JSON: Expecting property name"),
        ('{"a": NaN}', "We can't read this as JSON: NaN is not valid JSON"),
        ("[" * 100_000, v.NOT_AN_OBJECT),
        ("{" + '"a":{' * 100_000, "We can't read this as JSON: it is nested more than 64"),
        ('{"a":' * 70 + "1" + "}" * 70, "We can't read this as JSON: it is nested more than 64"),
        ("a.b.c", "The signed token can't be read"),
    ],
)
def test_unreadable_input_is_malformed_with_a_reason(source, message, web):
    verdict = check(source, web)
    assert verdict.status is Status.MALFORMED
    assert verdict.reasons[0].message.startswith(message)


def test_a_deeply_nested_signed_token_is_malformed(web):
    payload = {"iss": "x", "vc": json.loads('{"a":' * 70 + "1" + "}" * 70)}
    verdict = check(f"{b64({'alg': 'RS256'})}.{b64(payload)}.c2ln", web)
    assert verdict.status is Status.MALFORMED
    assert v.NESTED_TOO_DEEPLY in messages(verdict)


def test_input_larger_than_the_limit_is_refused(web):
    verdict = check(b"{" + b" " * (v.MAX_SOURCE_BYTES + 1), web)
    assert verdict.status is Status.MALFORMED
    assert verdict.reasons[0].message == v.TOO_LARGE.format(limit_mb=8)


# --- the boundary ---------------------------------------------------------------------------------


class ExplodingWeb:
    def get(self, url: str, *, accept: str) -> FetchResult:
        raise RuntimeError("a bug in the fetcher")


def test_an_unexpected_error_becomes_an_error_verdict_not_an_exception(caplog):
    verdict = verify(json.dumps(test_vector()), fetcher=ExplodingWeb(), now=NOW)
    assert verdict.status is Status.ERROR
    assert verdict.reasons == (v.Reason("", v.INTERNAL_ERROR),)
    assert "Unexpected error while verifying a badge" in caplog.text


def test_a_naive_clock_is_a_programming_error():
    with pytest.raises(ValueError, match="timezone-aware"):
        verify("{}", fetcher=None, now=datetime(2025, 1, 1))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)

prefixes = st.sampled_from(
    [b"", b"\x89PNG\r\n\x1a\n", b"<svg", b"{", b"eyJ", b"https://", b"\xef\xbb\xbf{"]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=prefixes, data=st.binary(max_size=300))
def test_arbitrary_bytes_always_give_a_verdict(prefix, data):
    check(prefix + data, FakeWeb())


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300))
def test_arbitrary_text_always_gives_a_verdict(text):
    check(text, FakeWeb())


@settings(max_examples=200, deadline=None)
@given(
    value=st.dictionaries(
        st.sampled_from(
            [
                "@context",
                "type",
                "id",
                "issuer",
                "proof",
                "credentialSubject",
                "badge",
                "verification",
                "verify",
                "recipient",
                "validFrom",
                "credentialStatus",
                "uid",
            ]
        ),
        json_values,
        max_size=8,
    )
)
def test_arbitrary_badge_shaped_json_always_gives_a_verdict(value):
    check(json.dumps(value), FakeWeb())


FUZZ_ISSUER = Issuer()
FUZZ_SIGNED = FUZZ_ISSUER.sign(unsigned_badge(FUZZ_ISSUER.id))


def _string_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _string_paths(child, (*path, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _string_paths(child, (*path, index))
    elif isinstance(value, str):
        yield path


STRING_PATHS = list(_string_paths(FUZZ_SIGNED))


@settings(max_examples=150, deadline=None)
@given(path=st.sampled_from(STRING_PATHS), replacement=st.text(min_size=1, max_size=30))
def test_changing_any_string_in_a_signed_credential_never_leaves_it_valid(path, replacement):
    credential = copy.deepcopy(FUZZ_SIGNED)
    target = credential
    for step in path[:-1]:
        target = target[step]
    if target[path[-1]] == replacement:
        return
    target[path[-1]] = replacement
    verdict = check(json.dumps(credential), FakeWeb())
    assert verdict.status is not Status.VALID, (path, replacement)


# --- known issuers --------------------------------------------------------------------------------


def test_a_known_issuer_is_named_separately_from_validity(signed, web):
    asked: list[str] = []

    def known(issuer_id: str) -> str | None:
        asked.append(issuer_id)
        return "Brighton Youth Arts (Brighton & Hove)"

    verdict = check(json.dumps(signed), web, known_issuers=known)
    assert verdict.issuer_known == "Brighton Youth Arts (Brighton & Hove)"
    assert asked == [signed["issuer"]["id"]]


def test_an_unconfirmed_issuer_is_never_looked_up(signed, web):
    signed["name"] = "Forged"

    def known(issuer_id: str) -> str | None:
        raise AssertionError("a forged issuer must not be looked up")

    verdict = check(json.dumps(signed), web, known_issuers=known)
    assert (verdict.status, verdict.issuer_known) == (Status.TAMPERED, None)


def test_a_failing_known_issuers_lookup_does_not_spoil_the_verdict(signed, web):
    def known(issuer_id: str) -> str | None:
        raise RuntimeError("database down")

    verdict = check(json.dumps(signed), web, known_issuers=known)
    assert (verdict.status, verdict.issuer_known) == (Status.VALID, None)


def test_a_verdict_serialises_to_plain_json(signed, web):
    data = check(json.dumps(signed), web).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["status"] == "valid"
    assert data["headline"] == "This badge is genuine and current"
    assert data["format"] == "ob3-data-integrity"
    assert data["issuer_confirmed"] is True


class HostileWeb:
    """Answers every URL with whatever hypothesis draws: any status, any type, any body."""

    def __init__(self, data: st.DataObject) -> None:
        self.data = data

    def get(self, url: str, *, accept: str) -> FetchResult:
        status = self.data.draw(st.sampled_from([200, 200, 200, 404, 410, 500]))
        body = self.data.draw(
            st.one_of(
                json_values.map(lambda value: json.dumps(value).encode()),
                st.binary(max_size=100),
                st.just(b'{"id": "' + url.encode() + b'", "keys": [{}], "revokedAssertions": [1]}'),
            )
        )
        content_type = self.data.draw(st.sampled_from(["application/json", "text/html", ""]))
        return FetchResult(url=url, status=status, content_type=content_type, body=body)


HOSTILE_SOURCES = [
    json.dumps(ob2_assertion()),
    OB2_ASSERTION,
    json.dumps(Issuer("did:web:hostile.example").sign(unsigned_badge("did:web:hostile.example"))),
    json.dumps(FUZZ_ISSUER.sign(unsigned_badge(FUZZ_ISSUER.id, status=status_entry(5)))),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(source=st.sampled_from(HOSTILE_SOURCES), data=st.data())
def test_a_hostile_web_never_breaks_the_checker_and_never_confirms_a_badge(source, data):
    verdict = check(source, HostileWeb(data))  # type: ignore[arg-type]
    assert verdict.status is not Status.VALID or "hostile.example" not in source


# --- end to end, over real HTTP -------------------------------------------------------------------


@pytest.fixture
def http_server() -> Iterator[Server]:
    with running_server() as running:
        yield running


def serve_did_web_badge(server: Server, *, revoked: bool = False) -> tuple[str, Issuer]:
    """A did:web issuer on the local test server, with a signed credential and status list;
    returns the credential's URL."""
    from learningcity.credentials.tests.test_fetch import send

    did = documents.did_web_for(f"127.0.0.1:{server.port}")
    issuer = Issuer(did)
    list_url = server.url("/status/1")
    bits = status_list.new()
    if revoked:
        status_list.set_bit(bits, 9)
    status_document = issuer.sign(
        documents.bitstring_status_list_credential(
            id=list_url,
            issuer_id=did,
            encoded_list=status_list.encode(bits),
            status_purpose="revocation",
            valid_from=ISSUED,
        )
    )
    entry = documents.StatusEntry(
        id=f"{list_url}#9", status_list_credential=list_url, status_list_index=9
    )
    credential = issuer.sign(unsigned_badge(did, status=entry))
    did_document = documents.did_web_document(did=did, ed25519_keys=[issuer.key.public_key()])
    for path, document in (
        ("/.well-known/did.json", did_document),
        ("/status/1", status_document),
        ("/credentials/1", credential),
    ):
        body = json.dumps(document).encode()
        server.routes[path] = lambda h, body=body: send(h, 200, body, "application/ld+json")
    return server.url("/credentials/1"), issuer


def test_a_did_web_badge_is_verified_end_to_end_over_http(http_server):
    from learningcity.credentials.fetch import GuardedFetcher

    url, issuer = serve_did_web_badge(http_server)
    verdict = verify(url, fetcher=GuardedFetcher(allow_private=True), now=NOW)
    assert verdict.status is Status.VALID, verdict.reasons
    assert verdict.container is Container.URL
    assert verdict.issuer_id == issuer.id
    assert sorted(r["path"] for r in http_server.requests) == [
        "/.well-known/did.json",
        "/credentials/1",
        "/status/1",
    ]


def test_a_revoked_did_web_badge_is_revoked_end_to_end_over_http(http_server):
    from learningcity.credentials.fetch import GuardedFetcher

    url, _ = serve_did_web_badge(http_server, revoked=True)
    verdict = verify(url, fetcher=GuardedFetcher(allow_private=True), now=NOW)
    assert verdict.status is Status.REVOKED


def test_the_guarded_fetcher_refuses_the_same_badge_on_a_loopback_address(http_server):
    from learningcity.credentials.fetch import GuardedFetcher

    url, _ = serve_did_web_badge(http_server)
    verdict = verify(url, fetcher=GuardedFetcher(), now=NOW)
    assert verdict.status is Status.MALFORMED
    assert "loopback address" in messages(verdict)
    assert http_server.requests == []
