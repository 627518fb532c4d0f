"""Public, permanent URLs of awards, badge classes and issuers (docs/urls.md).

Every document is served at exactly its id, with no redirects: verifiers compare the two.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote, urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from learningcity.core import errors
from learningcity.credentials import baking, documents, keys, ob2

from .. import images, publishing
from ..access import (
    access_award_public,
    access_badge_class_public,
    access_endorsement_public,
    access_issuer_public,
)
from ..models import Award, IssuerKey
from ..selectors import (
    award_list_revoked_for_issuer,
    endorsement_list_for_badge_class,
    issuer_keys_published,
    status_list_for_issuer,
)

LD_JSON = "application/ld+json"
VC_LD_JSON = "application/vc+ld+json"
JWT_TYPES = ("application/vc+jwt", "application/jwt")
# Documents are public and cacheable; a revocation shows within this many seconds.
PUBLIC_CACHE = "public, max-age=60"


def _json(
    document: dict[str, Any], *, content_type: str = LD_JSON, status: int = 200
) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2),
        content_type=f"{content_type}; charset=utf-8",
        status=status,
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = PUBLIC_CACHE
    return response


def _wants(request: HttpRequest, *types: str) -> bool:
    accept = request.headers.get("Accept", "")
    return any(kind in accept for kind in types)


# --- Sharing ------------------------------------------------------------------------------------


def _query(**params: str) -> str:
    # %20 rather than "+" for spaces: mailto: (RFC 6068) and several share endpoints read "+"
    # literally.
    return urlencode(params, quote_via=quote)


def share_links(*, url: str, title: str, text: str) -> list[dict[str, Any]]:
    """Plain links that share ``url`` on the big networks and by email: no script of theirs
    runs on our pages and nothing is sent anywhere until the person follows one."""
    return [
        {
            "label": "Share on LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?" + _query(url=url),
            "new_tab": True,
        },
        {
            "label": "Share on X (Twitter)",
            "href": "https://twitter.com/intent/tweet?" + _query(text=text, url=url),
            "new_tab": True,
        },
        {
            "label": "Share on Facebook",
            "href": "https://www.facebook.com/sharer/sharer.php?" + _query(u=url),
            "new_tab": True,
        },
        {
            "label": "Share on WhatsApp",
            "href": "https://wa.me/?" + _query(text=f"{text} {url}"),
            "new_tab": True,
        },
        {
            "label": "Share by email",
            "href": "mailto:?" + _query(subject=title, body=f"{text}\n\n{url}"),
            "new_tab": False,
        },
    ]


def linkedin_add_to_profile_url(award: Award, *, page_url: str) -> str:
    """LinkedIn's "Add to profile" link for a certification, filled in from the award."""
    params = {
        "startTask": "CERTIFICATION_NAME",
        "name": award.badge_class.name,
        "organizationName": award.badge_class.organisation.name,
        "issueYear": str(award.issued_at.year),
        "issueMonth": str(award.issued_at.month),
    }
    if award.expires_at:
        params["expirationYear"] = str(award.expires_at.year)
        params["expirationMonth"] = str(award.expires_at.month)
    params |= {"certUrl": page_url, "certId": award.public_id}
    return "https://www.linkedin.com/profile/add?" + _query(**params)


# --- Awards -------------------------------------------------------------------------------------


@require_GET
def award_page(request: HttpRequest, public_id: str) -> HttpResponse:
    """The award's permanent URL and its OB 3.0 credential id.

    Content negotiation: ``application/ld+json`` or ``application/vc+ld+json`` → the signed
    credential; ``application/vc+jwt`` → the VC-JWT; anything else → the page for people.
    """
    award = access_award_public(public_id=public_id)
    request.city = award.badge_class.organisation.city  # type: ignore[attr-defined]
    if _wants(request, VC_LD_JSON, LD_JSON, *JWT_TYPES) and (gone := _withdrawn(award)):
        return gone
    if _wants(request, VC_LD_JSON, LD_JSON):
        content_type = VC_LD_JSON if _wants(request, VC_LD_JSON) else LD_JSON
        response = _json(award.ob3_credential, content_type=content_type)
        response["Vary"] = "Accept"
        return response
    if _wants(request, *JWT_TYPES):
        return award_jwt(request, public_id)
    urls = award_urls(award)
    badge_class = award.badge_class
    share = None
    if not award.is_revoked:
        text = f"The {badge_class.name} badge from {badge_class.organisation.name}"
        share = {
            "url": urls["page"],
            "title": badge_class.name,
            "text": text,
            "links": share_links(url=urls["page"], title=badge_class.name, text=text),
            # Only the learner adds it to their own profile.
            "linkedin_profile": linkedin_add_to_profile_url(award, page_url=urls["page"])
            if request.user.is_authenticated and award.recipient_id == request.user.pk
            else "",
        }
    response = render(
        request,
        "badges/award.html",
        {
            "award": award,
            "urls": urls,
            "share": share,
            "badge_class": award.badge_class,
            "now": timezone.now(),
            "endorsements": endorsement_list_for_badge_class(badge_class=award.badge_class),
            "image_url": publishing.badge_class_image_url(award.badge_class),
        },
    )
    response["Vary"] = "Accept"
    return response


def award_urls(award: Award) -> dict[str, str]:
    names = {
        "page": "award-page",
        "ob3_json": "award-ob3",
        "ob3_jwt": "award-jwt",
        "ob2_json": "award-ob2",
        "png": "award-png",
        "svg": "award-svg",
        "ob2_png": "award-ob2-png",
        "ob2_svg": "award-ob2-svg",
    }
    return {key: publishing.award_url(award, name) for key, name in names.items()}


def _withdrawn(award: Award) -> HttpResponse | None:
    """410 Gone for the documents of an award whose holder closed their account: its signed
    credential was erased with their personal data (``learners.privacy.account_delete``)."""
    if award.ob3_credential:
        return None
    response = _json({"error": errors.AWARD_WITHDRAWN}, content_type="application/json", status=410)
    response["Vary"] = "Accept"
    return response


@require_GET
def award_ob3(request: HttpRequest, public_id: str) -> HttpResponse:
    award = access_award_public(public_id=public_id)
    if (gone := _withdrawn(award)) is not None:
        return gone
    return _json(award.ob3_credential, content_type=VC_LD_JSON)


@require_GET
def award_jwt(request: HttpRequest, public_id: str) -> HttpResponse:
    award = access_award_public(public_id=public_id)
    if (gone := _withdrawn(award)) is not None:
        return gone
    response = HttpResponse(award.ob3_jwt, content_type="application/vc+jwt")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = PUBLIC_CACHE
    return response


def _ob2_assertion(award: Award) -> dict[str, Any]:
    badge_class = award.badge_class
    return ob2.assertion(
        id=publishing.award_url(award, "award-ob2"),
        badge_class_id=publishing.ob2_badge_class_id(badge_class),
        recipient_hash=ob2.hashed_email(award.recipient_email, award.salt),
        salt=award.salt,
        issued_on=award.issued_at,
        expires=award.expires_at,
        image=publishing.award_url(award, "award-ob2-png"),
    )


@require_GET
def award_ob2(request: HttpRequest, public_id: str) -> HttpResponse:
    """The OB 2.0 hosted assertion. Revoked: 410 Gone with ``revoked: true`` (OB 2.0 §Hosted
    Verification)."""
    award = access_award_public(public_id=public_id)
    if award.is_revoked:
        return _json(
            ob2.revoked_assertion(
                id=publishing.award_url(award, "award-ob2"),
                revocation_reason=award.revocation_reason,
            ),
            status=410,
        )
    return _json(_ob2_assertion(award))


def _png(body: bytes) -> HttpResponse:
    response = HttpResponse(body, content_type="image/png")
    response["Cache-Control"] = PUBLIC_CACHE
    return response


def _svg(body: str) -> HttpResponse:
    response = HttpResponse(body, content_type="image/svg+xml; charset=utf-8")
    response["Cache-Control"] = PUBLIC_CACHE
    # An SVG opened on its own must not run anything, even if it were hostile.
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@require_GET
def award_png(request: HttpRequest, public_id: str) -> HttpResponse:
    """The badge image with the OB 3.0 credential baked in (``iTXt`` ``openbadgecredential``)."""
    award = access_award_public(public_id=public_id)
    if (gone := _withdrawn(award)) is not None:
        return gone
    return _png(
        baking.bake_png(
            images.badge_png(award.badge_class),
            keyword="openbadgecredential",
            text=json.dumps(award.ob3_credential, ensure_ascii=False),
        )
    )


@require_GET
def award_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    award = access_award_public(public_id=public_id)
    if (gone := _withdrawn(award)) is not None:
        return gone
    return _svg(
        baking.bake_svg(
            images.badge_svg(award.badge_class),
            assertion_json_or_url=json.dumps(award.ob3_credential, ensure_ascii=False),
            ob3=True,
        )
    )


@require_GET
def award_ob2_png(request: HttpRequest, public_id: str) -> HttpResponse:
    """The badge image with the OB 2.0 assertion baked in (``iTXt`` ``openbadges``)."""
    award = access_award_public(public_id=public_id)
    if (gone := _withdrawn(award)) is not None:
        return gone
    return _png(
        baking.bake_png(
            images.badge_png(award.badge_class),
            keyword="openbadges",
            text=json.dumps(_ob2_assertion(award), ensure_ascii=False),
        )
    )


@require_GET
def award_ob2_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    award = access_award_public(public_id=public_id)
    if (gone := _withdrawn(award)) is not None:
        return gone
    return _svg(
        baking.bake_svg(
            images.badge_svg(award.badge_class),
            assertion_json_or_url=json.dumps(_ob2_assertion(award), ensure_ascii=False),
            ob3=False,
        )
    )


# --- Badge classes ------------------------------------------------------------------------------


@require_GET
def badge_class_page(request: HttpRequest, public_id: str) -> HttpResponse:
    badge_class = access_badge_class_public(public_id=public_id)
    request.city = badge_class.organisation.city  # type: ignore[attr-defined]
    if _wants(request, LD_JSON):
        return badge_class_ob2(request, public_id)
    page_url = publishing.badge_class_url(badge_class)
    text = f"{badge_class.name}: a badge from {badge_class.organisation.name}"
    return render(
        request,
        "badges/badge_class.html",
        {
            "badge_class": badge_class,
            "endorsements": endorsement_list_for_badge_class(badge_class=badge_class),
            "page_url": page_url,
            "share": {
                "url": page_url,
                "title": badge_class.name,
                "text": text,
                "links": share_links(url=page_url, title=badge_class.name, text=text),
            },
            "image_url": publishing.badge_class_image_url(badge_class),
        },
    )


@require_GET
def badge_class_ob2(request: HttpRequest, public_id: str) -> HttpResponse:
    badge_class = access_badge_class_public(public_id=public_id)
    issuer = badge_class.organisation.issuer
    achievement = publishing.achievement(badge_class, issuer)
    return _json(
        ob2.badge_class(
            id=publishing.ob2_badge_class_id(badge_class),
            issuer_id=publishing.ob2_issuer_id(issuer),
            name=badge_class.name,
            description=badge_class.description,
            image=publishing.badge_class_image_url(badge_class),
            criteria_narrative=badge_class.criteria,
            criteria_url=publishing.badge_class_url(badge_class),
            alignments=achievement.alignments,
            tags=achievement.tags,
        )
    )


@require_GET
def badge_class_image_png(request: HttpRequest, public_id: str) -> HttpResponse:
    return _png(images.badge_png(access_badge_class_public(public_id=public_id)))


@require_GET
def badge_class_image_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    return _svg(images.badge_svg(access_badge_class_public(public_id=public_id)))


# --- Issuers ------------------------------------------------------------------------------------


@require_GET
def issuer_page(request: HttpRequest, public_id: str) -> HttpResponse:
    issuer = access_issuer_public(public_id=public_id)
    if _wants(request, LD_JSON):
        return issuer_ob2(request, public_id)
    return render(
        request,
        "badges/issuer.html",
        {
            "issuer": issuer,
            "did": publishing.issuer_did(issuer),
            "name": publishing.issuer_name(issuer),
        },
    )


@require_GET
def issuer_did_document(request: HttpRequest, public_id: str) -> HttpResponse:
    """The issuer's ``did:web`` DID document: every Ed25519 key it ever signed with."""
    issuer = access_issuer_public(public_id=public_id)
    ed_keys = [
        key for key in issuer_keys_published(issuer=issuer) if key.kind == IssuerKey.Kind.ED25519
    ]
    document = documents.did_web_document(
        did=publishing.issuer_did(issuer),
        ed25519_keys=[keys.ed25519_public_key_from_multibase(key.public_key) for key in ed_keys],
    )
    return _json(document, content_type="application/did+ld+json")


@require_GET
def issuer_jwks(request: HttpRequest, public_id: str) -> HttpResponse:
    """The issuer's RSA public keys (VC-JWT), retired ones included, as a JWK Set."""
    issuer = access_issuer_public(public_id=public_id)
    rsa_keys = [
        json.loads(key.public_key)
        for key in issuer_keys_published(issuer=issuer)
        if key.kind == IssuerKey.Kind.RSA
    ]
    return _json({"keys": rsa_keys}, content_type="application/jwk-set+json")


@require_GET
def issuer_key_document(request: HttpRequest, public_id: str, key_id: str) -> HttpResponse:
    """One Ed25519 key as a Multikey document (the https key-document form)."""
    issuer = access_issuer_public(public_id=public_id)
    key = next(
        (
            key
            for key in issuer_keys_published(issuer=issuer)
            if key.kind == IssuerKey.Kind.ED25519 and key.key_id == key_id
        ),
        None,
    )
    if key is None:
        raise Http404("No such key.")
    return _json(
        documents.multikey_document(
            controller=publishing.issuer_did(issuer),
            public_key=keys.ed25519_public_key_from_multibase(key.public_key),
            id=publishing.absolute(request.path),
        )
    )


@require_GET
def issuer_status_list(request: HttpRequest, public_id: str, list_id: str) -> HttpResponse:
    issuer = access_issuer_public(public_id=public_id)
    status_list = status_list_for_issuer(issuer=issuer, list_id=list_id)
    if status_list is None or status_list.credential is None:
        raise Http404("No such status list.")
    return _json(status_list.credential, content_type=VC_LD_JSON)


@require_GET
def issuer_ob2(request: HttpRequest, public_id: str) -> HttpResponse:
    issuer = access_issuer_public(public_id=public_id)
    profile = publishing.issuer_profile(issuer)
    return _json(
        ob2.issuer_profile(
            id=publishing.ob2_issuer_id(issuer),
            name=profile.name,
            url=profile.url or publishing.issuer_page_url(issuer),
            email=profile.email,
            revocation_list=publishing.ob2_revocation_list_id(issuer),
        )
    )


@require_GET
def issuer_ob2_revocations(request: HttpRequest, public_id: str) -> HttpResponse:
    issuer = access_issuer_public(public_id=public_id)
    return _json(
        ob2.revocation_list(
            id=publishing.ob2_revocation_list_id(issuer),
            issuer_id=publishing.ob2_issuer_id(issuer),
            revoked=[
                (publishing.award_url(award, "award-ob2"), award.revocation_reason)
                for award in award_list_revoked_for_issuer(issuer=issuer)
            ],
        )
    )


@require_GET
def endorsement(request: HttpRequest, public_id: str) -> HttpResponse:
    """A city's signed EndorsementCredential, served at its id."""
    return _json(access_endorsement_public(public_id=public_id).credential, content_type=VC_LD_JSON)
