"""Public pages of what learners share, under ``/shared/``: a shared collection, a shared
imported badge, a public portfolio. Anyone with the link may look; anything not shared (or
whose owner may not share yet) is a 404, as if it did not exist.

Revoked badges are left out of the lists here (a public page never shows one as if it held);
a shared imported badge's own page says plainly what its last check found. Pages of under-18s
(and of accounts whose age is unknown) ask search engines not to index them.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from learningcity.accounts.models import LearnerProfile, User

from ..access import access_collection_shared, access_imported_shared, access_portfolio_public
from ..selectors import (
    STATUS_WORDS,
    collection_items_public,
    collection_list_shared,
    portfolio_badges_for,
    status_words,
)


def _noindex(owner: User) -> bool:
    try:
        profile: LearnerProfile = owner.learner_profile  # type: ignore[attr-defined]
    except LearnerProfile.DoesNotExist:
        return True
    return profile.is_child


def _private(response: HttpResponse) -> HttpResponse:
    # The owner can stop sharing at any moment: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-cache"
    response["Referrer-Policy"] = "same-origin"
    return response


@require_GET
def collection_shared(request: HttpRequest, public_id: str) -> HttpResponse:
    collection = access_collection_shared(public_id=public_id)
    return _private(
        render(
            request,
            "learners/shared/collection.html",
            {
                "collection": collection,
                "owner": collection.owner,
                "items": list(collection_items_public(collection=collection)),
                "noindex": _noindex(collection.owner),
                "status_labels": STATUS_WORDS,
                "now": timezone.now(),
            },
        )
    )


@require_GET
def imported_shared(request: HttpRequest, imported_public_id: str) -> HttpResponse:
    imported = access_imported_shared(public_id=imported_public_id)
    return _private(
        render(
            request,
            "learners/shared/imported.html",
            {
                "imported": imported,
                "owner": imported.owner,
                "status_label": status_words(imported.status),
                "noindex": _noindex(imported.owner),
            },
        )
    )


@require_GET
def portfolio(request: HttpRequest, user_public_id: str) -> HttpResponse:
    owner = access_portfolio_public(user_public_id=user_public_id)
    return _private(
        render(
            request,
            "learners/shared/portfolio.html",
            {
                "owner": owner,
                "badges": portfolio_badges_for(user=owner),
                "collections": collection_list_shared(owner=owner),
                "noindex": _noindex(owner),
                "status_labels": STATUS_WORDS,
                "now": timezone.now(),
            },
        )
    )
