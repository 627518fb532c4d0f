"""Reads of the learner's own record. Other areas add their selectors at the end, each under a
comment naming the area."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Value, When
from django.urls import Resolver404, resolve
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.badges.models import Award
from learningcity.credentials.verify import Status

from .models import Collection, CollectionItem, ImportedBadge
from .sharing import sharing_default_for

# --- backpack --------------------------------------------------------------------------------

#: Each verification status as a person would say it.
STATUS_WORDS: dict[str, str] = {
    Status.VALID: "Valid",
    Status.EXPIRED: "Expired",
    Status.NOT_YET_VALID: "Not valid yet",
    Status.REVOKED: "Revoked by its issuer",
    Status.STATUS_UNKNOWN: "Couldn't check whether it has been revoked",
    Status.TAMPERED: "Changed since it was issued",
    Status.UNKNOWN_ISSUER: "Can't confirm who issued it",
    Status.MALFORMED: "Can't be read any more",
    Status.UNSUPPORTED: "A kind of badge we can't check",
    Status.ERROR: "Couldn't be checked (a problem on our side)",
}


def status_words(status: str) -> str:
    return STATUS_WORDS.get(status, status)


def backpack_awards(*, user: User) -> QuerySet[Award]:
    """The awards on ``user``'s account, newest first, revoked, expired and replaced ones
    included, with badge class, organisation and city joined."""
    return (
        Award.objects.filter(recipient=user)
        .select_related("badge_class__organisation__city")
        .order_by("-issued_at", "-pk")
    )


def backpack_imported(*, user: User) -> QuerySet[ImportedBadge]:
    """The badges ``user`` imported, newest issued first, each with ``status_label`` (its
    verification status in words)."""
    return (
        ImportedBadge.objects.filter(owner=user)
        .annotate(
            status_label=Case(
                *(When(status=status, then=Value(words)) for status, words in STATUS_WORDS.items()),
                default=F("status"),
                output_field=CharField(),
            )
        )
        .order_by("-issued_at", "-created_at")
    )


# Award URLs of this site whose ``public_id`` names an award (docs/urls.md).
_AWARD_URL_NAMES = frozenset(
    {"award-page", "award-ob3", "award-jwt", "award-ob2", "award-png", "award-svg"}
)


def award_here_on_account(*, user: User, credential_id: str) -> bool:
    """Whether ``credential_id`` (a credential's or assertion's id) is one of this site's
    awards already on ``user``'s account."""
    if not credential_id.startswith(settings.SITE_URL + "/"):
        return False
    try:
        match = resolve(urlsplit(credential_id).path)
    except Resolver404:
        return False
    if match.url_name not in _AWARD_URL_NAMES:
        return False
    return Award.objects.filter(public_id=match.kwargs.get("public_id"), recipient=user).exists()


def imported_badges_due_for_recheck(*, older_than: datetime.timedelta) -> list[int]:
    """Ids of imported badges (anyone's) last checked more than ``older_than`` ago, oldest
    first."""
    cutoff = timezone.now() - older_than
    return list(
        ImportedBadge.objects.filter(checked_at__lt=cutoff)
        .order_by("checked_at")
        .values_list("pk", flat=True)
    )


# --- sharing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedBadge:
    """One badge of a learner, made here (``award``) or imported, with the learner's choices
    about it already resolved (the age default where an award has no choice recorded)."""

    award: Award | None
    imported: ImportedBadge | None
    is_shared: bool
    on_portfolio: bool

    @property
    def key(self) -> str:
        """The value a form uses for this badge: ``award:<public id>`` or ``imported:<…>``."""
        if self.award is not None:
            return f"award:{self.award.public_id}"
        assert self.imported is not None
        return f"imported:{self.imported.public_id}"

    @property
    def name(self) -> str:
        if self.award is not None:
            return self.award.badge_class.name
        assert self.imported is not None
        return self.imported.name

    @property
    def issuer_name(self) -> str:
        if self.award is not None:
            return self.award.badge_class.organisation.name
        assert self.imported is not None
        return self.imported.issuer_name

    @property
    def issued_at(self) -> datetime.datetime | None:
        if self.award is not None:
            return self.award.issued_at
        assert self.imported is not None
        return self.imported.issued_at


def _award_badges(*, user: User, default: bool) -> list[SharedBadge]:
    awards = (
        Award.objects.filter(recipient=user, revoked_at__isnull=True, replaced_at__isnull=True)
        .select_related("badge_class__organisation", "holder_choice")
        .order_by("-issued_at")
    )
    badges = []
    for award in awards:
        choice = getattr(award, "holder_choice", None)
        badges.append(
            SharedBadge(
                award=award,
                imported=None,
                is_shared=choice.is_shared if choice else default,
                on_portfolio=choice.on_portfolio if choice else default,
            )
        )
    return badges


def sharing_badges_for(*, user: User) -> list[SharedBadge]:
    """Every badge ``user`` can share, with their choices: live awards made here (revoked and
    replaced ones left out), newest first, then imported badges."""
    default = sharing_default_for(user=user)
    imported = [
        SharedBadge(award=None, imported=i, is_shared=i.is_shared, on_portfolio=i.on_portfolio)
        for i in ImportedBadge.objects.filter(owner=user)
    ]
    return _award_badges(user=user, default=default) + imported


def portfolio_badges_for(*, user: User) -> list[SharedBadge]:
    """The badges ``user`` chose to show on their public portfolio, leaving out any revoked
    (awards or imported): a public page never shows a revoked badge."""
    return [
        badge
        for badge in sharing_badges_for(user=user)
        if badge.on_portfolio and (badge.imported is None or badge.imported.status != "revoked")
    ]


def collection_list_for(*, owner: User) -> QuerySet[Collection]:
    """The learner's collections in their chosen order, each with ``item_count``."""
    return (
        Collection.objects.filter(owner=owner)
        .annotate(item_count=Count("items"))
        .order_by("position", "created_at", "pk")
    )


def collection_list_shared(*, owner: User) -> QuerySet[Collection]:
    """The learner's shared collections, for their public portfolio."""
    return collection_list_for(owner=owner).filter(is_shared=True)


def collection_items_for(*, collection: Collection) -> QuerySet[CollectionItem]:
    """A collection's badges in order, for its owner: revoked ones included (and marked)."""
    return (
        CollectionItem.objects.filter(collection=collection)
        .select_related("award__badge_class__organisation", "imported")
        .order_by("position", "pk")
    )


def collection_items_public(*, collection: Collection) -> QuerySet[CollectionItem]:
    """A shared collection's badges as the public sees them: revoked awards and imported
    badges whose issuer revoked them are left out."""
    return collection_items_for(collection=collection).exclude(
        Q(award__revoked_at__isnull=False) | Q(imported__status="revoked")
    )


def collection_addable_badges(*, collection: Collection) -> list[SharedBadge]:
    """The owner's badges that are not yet in ``collection`` (live awards, imported badges)."""
    items = CollectionItem.objects.filter(collection=collection)
    award_ids = set(items.exclude(award=None).values_list("award_id", flat=True))
    imported_ids = set(items.exclude(imported=None).values_list("imported_id", flat=True))
    return [
        badge
        for badge in sharing_badges_for(user=collection.owner)
        if (badge.award is not None and badge.award.pk not in award_ids)
        or (badge.imported is not None and badge.imported.pk not in imported_ids)
    ]


# --- skills and downloads ----------------------------------------------------------------------
# (This section imports what it needs itself, so it was appended without touching the imports
# above.)
from typing import TYPE_CHECKING  # noqa: E402

if TYPE_CHECKING:
    from .models import DeclaredSkill


def skills_awards_live_for(*, user: User, now: datetime.datetime) -> QuerySet[Award]:
    """The awards on ``user``'s account that still count for their skills: not revoked, not
    replaced by a re-issue, not expired at ``now``. Oldest first."""
    return (
        Award.objects.filter(recipient=user, revoked_at__isnull=True, replaced_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("badge_class__organisation")
        .order_by("issued_at", "pk")
    )


def skills_imported_valid_for(*, user: User, now: datetime.datetime) -> QuerySet[ImportedBadge]:
    """``user``'s imported badges that their last check found valid and that have not expired
    since."""
    return (
        ImportedBadge.objects.filter(owner=user, status="valid")
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by("issued_at", "pk")
    )


def declared_skill_list_for(*, owner: User) -> QuerySet[DeclaredSkill]:
    """The skills ``owner`` says they have, by name whatever its case."""
    from django.db.models.functions import Lower

    from .models import DeclaredSkill

    return DeclaredSkill.objects.filter(owner=owner).order_by(Lower("name"), "pk")


def record_awards_for(*, user: User) -> QuerySet[Award]:
    """The awards a learning record (CLR) of ``user`` includes: every award not revoked, as
    ``badges.services.learner_clr`` chooses them."""
    return Award.objects.filter(recipient=user, revoked_at__isnull=True).select_related(
        "badge_class__organisation__city"
    )


def declared_skill_for_owner(*, owner: User, skill_id: int) -> DeclaredSkill | None:
    """One of ``owner``'s declared skills, or ``None`` (someone else's counts as none)."""
    from .models import DeclaredSkill

    return DeclaredSkill.objects.filter(owner=owner, pk=skill_id).first()
