"""What the badge says, as plain JSON-ready data for display, filled in as far as it was read."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import documents
from .helpers import _as_list, _id_of, _origin, _parse_datetime, _text


def _empty_summary() -> dict[str, Any]:
    return {
        "name": None,
        "description": None,
        "criteria": {"narrative": None, "url": None},
        "image": None,
        "achievement_type": None,
        "skills": [],
        "level": None,
        "tags": [],
        "issuer": {"id": None, "name": None, "url": None, "email": None},
        "recipient": None,
        "issued": None,
        "expires": None,
        "endorsements": [],
    }


def _image_of(value: Any) -> str | None:
    image = _id_of(value)
    if image is None or len(image) > 3_000_000:
        return None
    return image.strip()


def _criteria(value: Any) -> dict[str, str | None]:
    if isinstance(value, str):
        return {"narrative": None, "url": value if _origin(value) else None}
    if isinstance(value, Mapping):
        url = value.get("id") if isinstance(value.get("id"), str) else value.get("url")
        return {
            "narrative": _text(value.get("narrative")),
            "url": url if isinstance(url, str) and _origin(url) else None,
        }
    return {"narrative": None, "url": None}


def _skills(alignments: Any) -> list[dict[str, str | None]]:
    skills = []
    for item in _as_list(alignments)[:100]:
        if not isinstance(item, Mapping):
            continue
        name = _text(item.get("targetName"), 300)
        if not name:
            continue
        url = item.get("targetUrl")
        skills.append(
            {
                "name": name,
                "url": url if isinstance(url, str) and _origin(url) else None,
                "framework": _text(item.get("targetFramework"), 300),
                "code": _text(item.get("targetCode"), 100),
                "description": _text(item.get("targetDescription"), 1000),
            }
        )
    return skills


def _tags(value: Any) -> list[str]:
    return [t for t in (_text(v, 100) for v in _as_list(value)[:50]) if t]


def _issuer_summary(issuer: Any) -> dict[str, str | None]:
    if isinstance(issuer, str):
        return {"id": issuer, "name": None, "url": None, "email": None}
    if not isinstance(issuer, Mapping):
        return {"id": None, "name": None, "url": None, "email": None}
    url = issuer.get("url")
    return {
        "id": _id_of(issuer.get("id")),
        "name": _text(issuer.get("name"), 300),
        "url": url if isinstance(url, str) and _origin(url) else None,
        "email": _text(issuer.get("email"), 300),
    }


def _iso(value: Any) -> str | None:
    try:
        parsed = _parse_datetime(value)
    except ValueError:
        return None
    return parsed.isoformat() if parsed else None


def _recipient_hint(identity: Any, hashed: bool, kind: Any) -> str | None:
    kind_name = {
        "emailAddress": "email address",
        "email": "email address",
        "url": "web address",
        "telephone": "phone number",
    }.get(str(kind), "identifier")
    if hashed or (isinstance(identity, str) and identity.startswith(("sha256$", "md5$"))):
        return f"A hashed {kind_name} (the badge names its holder without showing it)"
    if isinstance(identity, str) and identity:
        return _text(identity, 300)
    return None


def _endorsements(*holders: Any) -> list[dict[str, str | None]]:
    found = []
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        for endorsement in _as_list(holder.get("endorsement"))[:20]:
            if not isinstance(endorsement, Mapping):
                continue
            subject = endorsement.get("credentialSubject") or endorsement.get("claim")
            subject = subject if isinstance(subject, Mapping) else {}
            found.append(
                {
                    "issuer": _issuer_summary(endorsement.get("issuer")).get("name")
                    or _id_of(endorsement.get("issuer")),
                    "comment": _text(
                        subject.get("endorsementComment") or subject.get("endorsementComment"), 2000
                    ),
                    "issued": _iso(endorsement.get("validFrom") or endorsement.get("issuedOn")),
                }
            )
    return found


def _summarise_ob3(credential: Mapping[str, Any]) -> dict[str, Any]:
    summary = _empty_summary()
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    summary["name"] = _text(achievement.get("name"), 300) or _text(credential.get("name"), 300)
    summary["description"] = _text(achievement.get("description")) or _text(
        credential.get("description")
    )
    summary["criteria"] = _criteria(achievement.get("criteria"))
    summary["image"] = _image_of(achievement.get("image")) or _image_of(credential.get("image"))
    summary["achievement_type"] = _text(achievement.get("achievementType"), 100)
    summary["skills"] = _skills(achievement.get("alignment"))
    summary["tags"] = _tags(achievement.get("tag"))
    summary["level"] = documents.level_from_tags(summary["tags"])
    summary["issuer"] = _issuer_summary(credential.get("issuer"))
    identifiers = [i for i in _as_list(subject.get("identifier")) if isinstance(i, Mapping)]
    if identifiers:
        first = identifiers[0]
        summary["recipient"] = _recipient_hint(
            first.get("identityHash"), first.get("hashed") is True, first.get("identityType")
        )
    elif isinstance(subject.get("id"), str):
        summary["recipient"] = _text(subject["id"], 300)
    summary["issued"] = _iso(
        credential.get("validFrom")
        or credential.get("awardedDate")
        or credential.get("issuanceDate")
    )
    summary["expires"] = _iso(credential.get("validUntil") or credential.get("expirationDate"))
    summary["endorsements"] = _endorsements(credential, achievement, credential.get("issuer"))
    return summary


def _summarise_ob2(
    assertion: Mapping[str, Any], badge: Mapping[str, Any] | None, issuer: Mapping[str, Any] | None
) -> dict[str, Any]:
    summary = _empty_summary()
    if badge is None:
        embedded = assertion.get("badge")
        badge = embedded if isinstance(embedded, Mapping) else {}
    if issuer is None:
        embedded = badge.get("issuer")
        issuer = embedded if isinstance(embedded, Mapping) else {}
    summary["name"] = _text(badge.get("name"), 300)
    summary["description"] = _text(badge.get("description"))
    summary["criteria"] = _criteria(badge.get("criteria"))
    summary["image"] = _image_of(badge.get("image")) or _image_of(assertion.get("image"))
    summary["skills"] = _skills(badge.get("alignment"))
    summary["tags"] = _tags(badge.get("tags"))
    summary["level"] = documents.level_from_tags(summary["tags"])
    summary["issuer"] = _issuer_summary(issuer)
    recipient = assertion.get("recipient")
    if isinstance(recipient, Mapping):
        summary["recipient"] = _recipient_hint(
            recipient.get("identity"), recipient.get("hashed") is True, recipient.get("type")
        )
    elif isinstance(recipient, str):
        summary["recipient"] = _recipient_hint(recipient, False, "email")
    summary["issued"] = _iso(assertion.get("issuedOn"))
    summary["expires"] = _iso(assertion.get("expires"))
    summary["endorsements"] = _endorsements(assertion, badge, issuer)
    return summary
