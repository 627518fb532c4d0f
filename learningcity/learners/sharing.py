"""Collections, sharing by link and the public portfolio: every write about what a learner shows.

Defaults follow the learner's age: an adult's badges and new collections are shared, an
under-18's are not until they choose (the Age Appropriate Design Code's "high privacy by
default"). An under-13 whose guardian has not yet said yes cannot share anything at all, the
same rule ``accounts.services.learner_profile_update`` applies to ``profile_public``; the public
pages also hide what such a learner shared (``learners.access``).

A badge's choices live in ``AwardChoice`` (awards made here; no row means the age default) or
on the ``ImportedBadge`` itself.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Max

from learningcity.accounts.models import LearnerProfile, User
from learningcity.badges.models import Award
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .models import AwardChoice, Collection, CollectionItem, ImportedBadge

UP = -1
DOWN = 1


def _profile(user: User) -> LearnerProfile | None:
    try:
        return user.learner_profile  # type: ignore[attr-defined, no-any-return]
    except LearnerProfile.DoesNotExist:
        return None


def sharing_default_for(*, user: User) -> bool:
    """Whether a new collection, or an award with no choice recorded, is shared: adults yes;
    under-18s and accounts without a learner profile (no age known) no."""
    profile = _profile(user)
    return profile is not None and not profile.is_child


def sharing_allowed_for(*, user: User) -> bool:
    """False while an under-13's guardian has not said yes: nothing of theirs may be shared."""
    profile = _profile(user)
    return profile is None or not profile.needs_guardian_consent


def _refuse_unless_allowed(*, user: User, turning_on: bool) -> None:
    if turning_on and not sharing_allowed_for(user=user):
        raise ServiceError(errors.SHARING_NEEDS_GUARDIAN_CONSENT, field="is_shared")


# --- Badges -------------------------------------------------------------------------------------


def award_choice_set(
    *,
    award: Award,
    owner: User,
    is_shared: bool | None = None,
    on_portfolio: bool | None = None,
) -> AwardChoice:
    """Record what ``owner`` chooses to do with ``award``; ``None`` keeps the current value (the
    age default when nothing was chosen before). Only the award's own recipient may choose."""
    if award.recipient_id != owner.pk:
        raise ServiceError(errors.SHARING_BADGE_NOT_YOURS)
    _refuse_unless_allowed(user=owner, turning_on=bool(is_shared) or bool(on_portfolio))
    default = sharing_default_for(user=owner)
    with transaction.atomic():
        choice, _ = AwardChoice.objects.select_for_update().get_or_create(
            award=award,
            defaults={"owner": owner, "is_shared": default, "on_portfolio": default},
        )
        if is_shared is not None:
            choice.is_shared = is_shared
        if on_portfolio is not None:
            choice.on_portfolio = on_portfolio
        choice.owner = owner
        choice.save()
    return choice


def imported_badge_choice_set(
    *,
    imported: ImportedBadge,
    is_shared: bool | None = None,
    on_portfolio: bool | None = None,
) -> ImportedBadge:
    """Record whether an imported badge is shared by link and shown on the portfolio; ``None``
    keeps the current value. The caller has checked that the badge is the learner's own."""
    _refuse_unless_allowed(user=imported.owner, turning_on=bool(is_shared) or bool(on_portfolio))
    fields = []
    if is_shared is not None:
        imported.is_shared = is_shared
        fields.append("is_shared")
    if on_portfolio is not None:
        imported.on_portfolio = on_portfolio
        fields.append("on_portfolio")
    if fields:
        imported.save(update_fields=[*fields, "updated_at"])
    return imported


def portfolio_visibility_set(*, user: User, public: bool) -> LearnerProfile:
    """Turn the learner's public portfolio on or off (``LearnerProfile.profile_public``, and
    nothing else on the profile)."""
    profile = _profile(user)
    if profile is None:
        raise ServiceError(errors.PORTFOLIO_NEEDS_PROFILE, field="profile_public")
    _refuse_unless_allowed(user=user, turning_on=public)
    profile.profile_public = public
    profile.save(update_fields=["profile_public", "updated_at"])
    return profile


# --- Collections --------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError(errors.COLLECTION_NAME_REQUIRED, field="name")
    return name


def _refuse_duplicate_name(*, owner: User, name: str, exclude_pk: int | None = None) -> None:
    clash = Collection.objects.filter(owner=owner, name__iexact=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ServiceError(errors.COLLECTION_NAME_TAKEN.format(name=name), field="name")


def collection_create(
    *, owner: User, name: str, description: str = "", is_shared: bool | None = None
) -> Collection:
    """A new collection at the end of the learner's list, shared by the age default unless
    ``is_shared`` says otherwise. Names are unique per learner, ignoring case."""
    name = _clean_name(name)
    if is_shared is None:
        is_shared = sharing_default_for(user=owner) and sharing_allowed_for(user=owner)
    _refuse_unless_allowed(user=owner, turning_on=is_shared)
    _refuse_duplicate_name(owner=owner, name=name)
    last = Collection.objects.filter(owner=owner).aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            return Collection.objects.create(
                owner=owner,
                name=name,
                description=description.strip(),
                is_shared=is_shared,
                position=0 if last is None else last + 1,
            )
    except IntegrityError:  # the same name created at the same moment from another tab
        raise ServiceError(errors.COLLECTION_NAME_TAKEN.format(name=name), field="name") from None


def collection_update(
    *, collection: Collection, name: str, description: str, is_shared: bool
) -> Collection:
    name = _clean_name(name)
    _refuse_unless_allowed(user=collection.owner, turning_on=is_shared)
    _refuse_duplicate_name(owner=collection.owner, name=name, exclude_pk=collection.pk)
    collection.name = name
    collection.description = description.strip()
    collection.is_shared = is_shared
    try:
        with transaction.atomic():
            collection.save(update_fields=["name", "description", "is_shared", "updated_at"])
    except IntegrityError:
        raise ServiceError(errors.COLLECTION_NAME_TAKEN.format(name=name), field="name") from None
    return collection


def collection_delete(*, collection: Collection) -> None:
    """Delete the collection and its items; the badges themselves stay in the backpack."""
    collection.delete()


def _swap(rows: list, index: int, direction: int) -> list:
    """``rows`` with the row at ``index`` moved one place in ``direction``; positions
    renumbered 0..n-1 so that gaps and ties left by deletions do not matter."""
    target = index + direction
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
    changed = []
    for position, row in enumerate(rows):
        if row.position != position:
            row.position = position
            changed.append(row)
    return changed


def collection_move(*, collection: Collection, direction: int) -> None:
    """Move a collection one place up (``UP``, -1) or down (``DOWN``, 1) in its owner's list;
    at either end it stays where it is."""
    with transaction.atomic():
        rows = list(
            Collection.objects.select_for_update()
            .filter(owner_id=collection.owner_id)
            .order_by("position", "created_at", "pk")
        )
        index = next(i for i, row in enumerate(rows) if row.pk == collection.pk)
        changed = _swap(rows, index, 1 if direction > 0 else -1)
        Collection.objects.bulk_update(changed, ["position"])


def collection_item_add(
    *,
    collection: Collection,
    award: Award | None = None,
    imported: ImportedBadge | None = None,
) -> CollectionItem:
    """Put one of the owner's own badges at the end of the collection: a live award made here
    (not revoked) or an imported badge."""
    if (award is None) == (imported is None):
        raise ServiceError(errors.COLLECTION_BADGE_CHOOSE_ONE, field="badge")
    if award is not None:
        if award.recipient_id != collection.owner_id:
            raise ServiceError(errors.COLLECTION_BADGE_NOT_YOURS, field="badge")
        # Asked of the database: the caller's copy may predate a revocation.
        if award.is_revoked or not Award.objects.filter(pk=award.pk, revoked_at=None).exists():
            raise ServiceError(errors.COLLECTION_BADGE_REVOKED, field="badge")
        name = award.badge_class.name
        already = collection.items.filter(award=award)
    else:
        assert imported is not None
        if imported.owner_id != collection.owner_id:
            raise ServiceError(errors.COLLECTION_BADGE_NOT_YOURS, field="badge")
        name = imported.name
        already = collection.items.filter(imported=imported)
    if already.exists():
        raise ServiceError(errors.COLLECTION_BADGE_ALREADY_IN.format(name=name), field="badge")
    last = collection.items.aggregate(last=Max("position"))["last"]
    try:
        with transaction.atomic():
            return CollectionItem.objects.create(
                collection=collection,
                award=award,
                imported=imported,
                position=0 if last is None else last + 1,
            )
    except IntegrityError:  # added at the same moment from another tab
        raise ServiceError(
            errors.COLLECTION_BADGE_ALREADY_IN.format(name=name), field="badge"
        ) from None


def collection_item_remove(*, item: CollectionItem) -> None:
    """Take a badge out of a collection (the badge itself stays in the backpack)."""
    item.delete()


def collection_item_move(*, item: CollectionItem, direction: int) -> None:
    """Move a badge one place up (-1) or down (1) within its collection."""
    with transaction.atomic():
        rows = list(
            CollectionItem.objects.select_for_update()
            .filter(collection_id=item.collection_id)
            .order_by("position", "pk")
        )
        index = next(i for i, row in enumerate(rows) if row.pk == item.pk)
        changed = _swap(rows, index, 1 if direction > 0 else -1)
        CollectionItem.objects.bulk_update(changed, ["position"])
