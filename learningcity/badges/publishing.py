"""The public identity of everything a verifier dereferences: ids, URLs and the plain data the
credential builders take. docs/urls.md is the contract; these URLs never change.

Ids are absolute, built from ``settings.SITE_URL``. Organisation and city issuers are
``did:web`` identifiers on the platform's host (``did:web:<host>:issuers:<public_id>``), which
resolve to ``<SITE_URL>/issuers/<public_id>/did.json``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from learningcity.credentials import documents

from .models import Award, BadgeClass, Issuer, IssuerKey, StatusList

SKILLS_BUILDER_FRAMEWORK = "Skills Builder Universal Framework"


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def issuer_did(issuer: Issuer) -> str:
    host = urlsplit(settings.SITE_URL).netloc
    return documents.did_web_for(host, ["issuers", issuer.public_id])


def issuer_public_id_from_did(did: str) -> str | None:
    """The public id in one of this site's issuer DIDs, or ``None`` for any other identifier."""
    prefix = documents.did_web_for(urlsplit(settings.SITE_URL).netloc, ["issuers"]) + ":"
    if not did.startswith(prefix):
        return None
    public_id = did[len(prefix) :]
    return public_id if public_id and ":" not in public_id and "#" not in public_id else None


def issuer_public_id_from_ob2_id(url: str) -> str | None:
    """The public id in one of this site's OB 2.0 issuer profile URLs, or ``None``."""
    try:
        match = resolve(urlsplit(url).path) if url.startswith(settings.SITE_URL + "/") else None
    except Resolver404:
        return None
    if match is None or match.url_name != "issuer-ob2":
        return None
    return str(match.kwargs["public_id"])


def issuer_name(issuer: Issuer) -> str:
    return str(issuer.owner)


def issuer_page_url(issuer: Issuer) -> str:
    return absolute(reverse("issuer-page", kwargs={"public_id": issuer.public_id}))


def issuer_profile(issuer: Issuer) -> documents.Issuer:
    """The OB 3.0 Profile of an issuer: its DID, name and a page about it."""
    organisation = issuer.organisation
    url = (organisation.website if organisation and organisation.website else None) or (
        issuer_page_url(issuer)
    )
    email = organisation.contact_email if organisation and organisation.contact_email else None
    return documents.Issuer(id=issuer_did(issuer), name=issuer_name(issuer), url=url, email=email)


def verification_method(issuer: Issuer, key: IssuerKey) -> str:
    """``<did>#<publicKeyMultibase>``: the DID URL of an Ed25519 key (OB 3.0 §8.3)."""
    return f"{issuer_did(issuer)}#{key.key_id}"


def jwks_url(issuer: Issuer) -> str:
    return absolute(reverse("issuer-jwks", kwargs={"public_id": issuer.public_id}))


def jwt_kid(issuer: Issuer, key: IssuerKey) -> str:
    """The VC-JWT ``kid``: the issuer's JWK Set URL with the key's id as fragment."""
    return f"{jwks_url(issuer)}#{key.key_id}"


def status_list_url(status_list: StatusList) -> str:
    return absolute(
        reverse(
            "issuer-status-list",
            kwargs={
                "public_id": status_list.issuer.public_id,
                "list_id": status_list.public_id,
            },
        )
    )


def badge_class_url(badge_class: BadgeClass) -> str:
    return absolute(reverse("badge-class-page", kwargs={"public_id": badge_class.public_id}))


def badge_class_image_url(badge_class: BadgeClass, kind: str = "png") -> str:
    return absolute(
        reverse(f"badge-class-image-{kind}", kwargs={"public_id": badge_class.public_id})
    )


def achievement(
    badge_class: BadgeClass, issuer: Issuer, *, creator: documents.Issuer | None = None
) -> documents.Achievement:
    """The OB 3.0 Achievement of ``badge_class``. ``creator`` is ``issuer``'s profile when the
    caller has it already (:func:`issuer_profile` reads the issuer's owner)."""
    alignments = tuple(
        documents.Alignment(
            target_name=skill["name"],
            target_url=skill.get("url") or badge_class_url(badge_class) + "#skills",
            target_framework=skill.get("framework") or SKILLS_BUILDER_FRAMEWORK,
            target_code=skill.get("code") or None,
        )
        for skill in badge_class.skills
    )
    return documents.Achievement(
        id=badge_class_url(badge_class),
        name=badge_class.name,
        description=badge_class.description,
        criteria_narrative=badge_class.criteria,
        image_id=badge_class_image_url(badge_class),
        image_caption=badge_class.name,
        level=badge_class.level or None,
        alignments=alignments,
        tags=tuple(badge_class.tags),
        creator=creator or issuer_profile(issuer),
    )


def award_url(award: Award, name: str = "award-page") -> str:
    return absolute(reverse(name, kwargs={"public_id": award.public_id}))


def award_credential_id(award: Award) -> str:
    """The OB 3.0 credential id: the award's permanent page (content-negotiated)."""
    return award_url(award)


def ob2_issuer_id(issuer: Issuer) -> str:
    return absolute(reverse("issuer-ob2", kwargs={"public_id": issuer.public_id}))


def ob2_badge_class_id(badge_class: BadgeClass) -> str:
    return absolute(reverse("badge-class-ob2", kwargs={"public_id": badge_class.public_id}))


def ob2_revocation_list_id(issuer: Issuer) -> str:
    return absolute(reverse("issuer-ob2-revocations", kwargs={"public_id": issuer.public_id}))
