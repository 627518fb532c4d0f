"""Fetch-or-deny for the learner's own things: anything not the user's own is a 404 (they may
not know it exists). Other areas add their helpers at the end."""

from __future__ import annotations

from django.http import Http404

from learningcity.accounts.models import User
from learningcity.badges.models import Award

from .models import Collection, CollectionItem, ImportedBadge
from .sharing import sharing_allowed_for

# --- backpack --------------------------------------------------------------------------------


def access_imported_badge(*, user: User, public_id: str) -> ImportedBadge:
    """One of ``user``'s imported badges; 404 for anyone else's, or none."""
    if not user.is_authenticated:
        raise Http404("No such badge.")
    try:
        return ImportedBadge.objects.get(owner=user, public_id=public_id)
    except ImportedBadge.DoesNotExist:
        raise Http404("No such badge.") from None


# --- sharing ---------------------------------------------------------------------------------


def access_collection_for_owner(*, user: User, public_id: str) -> Collection:
    try:
        return Collection.objects.select_related("owner").get(public_id=public_id, owner=user)
    except Collection.DoesNotExist:
        raise Http404("No such collection.") from None


def access_collection_item_for_owner(*, user: User, public_id: str, item_id: int) -> CollectionItem:
    try:
        return CollectionItem.objects.select_related("collection").get(
            pk=item_id, collection__public_id=public_id, collection__owner=user
        )
    except CollectionItem.DoesNotExist:
        raise Http404("No such badge in this collection.") from None


def access_award_for_sharing(*, user: User, public_id: str) -> Award:
    """An award on ``user``'s own account, to choose how it is shared or to collect it."""
    try:
        return Award.objects.select_related("badge_class__organisation").get(
            public_id=public_id, recipient=user
        )
    except Award.DoesNotExist:
        raise Http404("No such award.") from None


def access_imported_for_sharing(*, user: User, public_id: str) -> ImportedBadge:
    """An imported badge of ``user``'s own, to choose how it is shared or to collect it."""
    try:
        return ImportedBadge.objects.select_related("owner").get(public_id=public_id, owner=user)
    except ImportedBadge.DoesNotExist:
        raise Http404("No such badge.") from None


def access_collection_shared(*, public_id: str) -> Collection:
    """A collection anyone with its link may see: shared, and its owner allowed to share."""
    try:
        collection = Collection.objects.select_related("owner__learner_profile").get(
            public_id=public_id, is_shared=True, owner__is_active=True
        )
    except Collection.DoesNotExist:
        raise Http404("No such collection.") from None
    if not sharing_allowed_for(user=collection.owner):
        raise Http404("No such collection.")
    return collection


def access_imported_shared(*, public_id: str) -> ImportedBadge:
    """An imported badge anyone with its link may see: shared, its owner allowed to share."""
    try:
        imported = ImportedBadge.objects.select_related("owner__learner_profile").get(
            public_id=public_id, is_shared=True, owner__is_active=True
        )
    except ImportedBadge.DoesNotExist:
        raise Http404("No such badge.") from None
    if not sharing_allowed_for(user=imported.owner):
        raise Http404("No such badge.")
    return imported


def access_portfolio_public(*, user_public_id: str) -> User:
    """The owner of a public portfolio: their profile is public and they may share."""
    try:
        owner = User.objects.select_related("learner_profile").get(
            public_id=user_public_id, is_active=True, learner_profile__profile_public=True
        )
    except User.DoesNotExist:
        raise Http404("No such portfolio.") from None
    if not sharing_allowed_for(user=owner):
        raise Http404("No such portfolio.")
    return owner
