"""Writes about organisations: registration, the city's approval, staff roles and invitations.

Every change to an organisation's staff (roles, removals, invitations) first locks the
organisation's row (:func:`_organisation_lock`), so two owners acting at the same moment are
handled one after the other. That is what keeps the "at least one owner" rule true: without the
lock, two owners could each demote the other, both seeing two owners, and leave none.

Emails go out through background tasks enqueued after the transaction commits, so nobody is told
about a change that was rolled back.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from learningcity.accounts.models import User
from learningcity.cities.access import user_is_city_admin
from learningcity.cities.models import Area, City
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError

from .access import organisation_register_refusal
from .models import ROLE_RANK, Invitation, Membership, Organisation, Role
from .tasks import invitation_send, organisation_registered_notify, organisation_status_notify

INVITATION_VALID_FOR = datetime.timedelta(days=14)

# Paths under /<city>/organisations/ that an organisation's slug must not shadow.
RESERVED_ORGANISATION_SLUGS = frozenset({"register"})

# What an owner may change with organisation_update. The slug stays put so links keep working.
EDITABLE_FIELDS = frozenset(
    {"name", "type", "description", "website", "contact_email", "logo", "areas_served"}
)

SLUG_MAX_LENGTH = 80
SLUG_ATTEMPTS = 5


# --- Helpers ------------------------------------------------------------------------------------


def _organisation_lock(organisation: Organisation) -> Organisation:
    """Lock ``organisation``'s row until the transaction ends, and return it fresh.

    Precondition: the caller is inside ``transaction.atomic``. On SQLite ``select_for_update`` does
    nothing, but writes are serialised anyway (``transaction_mode=IMMEDIATE``).
    """
    return Organisation.objects.select_for_update().select_related("city").get(pk=organisation.pk)


def _is_owner(*, user: User, organisation: Organisation) -> bool:
    if user.is_superuser:
        return True
    return Membership.objects.filter(organisation=organisation, user=user, role=Role.OWNER).exists()


def _require_owner(*, user: User, organisation: Organisation) -> None:
    if not _is_owner(user=user, organisation=organisation):
        raise AccessDenied(errors.ORGANISATION_OWNERS_ONLY)


def _owner_count(*, organisation: Organisation) -> int:
    return Membership.objects.filter(organisation=organisation, role=Role.OWNER).count()


def _check_role(role: str) -> Role:
    if role not in Role.values:
        raise ServiceError(errors.ROLE_INVALID, field="role")
    return Role(role)


def _check_areas(*, city: City, areas: Iterable[Area]) -> list[Area]:
    areas = list(areas)
    if any(area.city_id != city.pk for area in areas):
        raise ServiceError(
            errors.ORGANISATION_AREA_NOT_IN_CITY.format(city=city.name), field="areas_served"
        )
    return areas


def organisation_slug_for(*, city: City, name: str) -> str:
    """A slug for ``name`` that no other organisation of ``city`` has: “Hove Youth Club” becomes
    ``hove-youth-club``, then ``hove-youth-club-2`` for the second one, and so on."""
    base = slugify(name)[: SLUG_MAX_LENGTH - 4].strip("-") or "organisation"
    taken = set(
        Organisation.objects.filter(city=city, slug__startswith=base).values_list("slug", flat=True)
    )
    taken |= RESERVED_ORGANISATION_SLUGS
    candidate, number = base, 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


# --- Organisations ------------------------------------------------------------------------------


@transaction.atomic
def organisation_register(
    *,
    user: User,
    city: City,
    name: str,
    type: str,
    description: str = "",
    website: str = "",
    contact_email: str = "",
    areas_served: Iterable[Area] = (),
) -> Organisation:
    """Register a new organisation in ``city``, waiting for the city team's approval.

    ``user`` becomes its first owner. Children may not register one
    (:func:`~learningcity.organisations.access.organisation_register_refusal`). The city's admins
    are emailed once the transaction commits.
    """
    refusal = organisation_register_refusal(user=user)
    if refusal:
        raise AccessDenied(refusal)
    areas = _check_areas(city=city, areas=areas_served)
    # Two people registering the same name at once can both pick the same free slug; the
    # unique constraint stops the second, which then tries the next number.
    for attempt in range(SLUG_ATTEMPTS):
        try:
            with transaction.atomic():
                organisation = Organisation.objects.create(
                    city=city,
                    name=name,
                    slug=organisation_slug_for(city=city, name=name),
                    type=type,
                    description=description,
                    website=website,
                    contact_email=contact_email,
                    status=Organisation.Status.PENDING,
                )
            break
        except IntegrityError:
            if attempt == SLUG_ATTEMPTS - 1:
                raise
    organisation.areas_served.set(areas)
    Membership.objects.create(organisation=organisation, user=user, role=Role.OWNER)
    organisation_id = organisation.pk
    transaction.on_commit(
        lambda: organisation_registered_notify.enqueue(organisation_id=organisation_id)
    )
    return organisation


def _organisation_status_change(
    *,
    organisation: Organisation,
    by: User,
    allowed_from: set[str],
    status: str,
    reason: str,
    event: str,
) -> Organisation:
    """Move ``organisation`` to ``status`` if ``by`` runs its city and its status allows it.

    Precondition: the caller is inside ``transaction.atomic``.
    """
    if not user_is_city_admin(user=by, city=organisation.city):
        raise AccessDenied(errors.ORGANISATION_CITY_ADMINS_ONLY)
    locked = _organisation_lock(organisation)
    if locked.status not in allowed_from:
        raise ServiceError(
            errors.ORGANISATION_STATUS_CHANGE_INVALID.format(
                name=locked.name, status=locked.get_status_display().lower()
            )
        )
    locked.status = status
    locked.status_reason = reason
    locked.status_changed_at = timezone.now()
    locked.status_changed_by = by
    locked.save(
        update_fields=[
            "status",
            "status_reason",
            "status_changed_at",
            "status_changed_by",
            "updated_at",
        ]
    )
    organisation_id = locked.pk
    transaction.on_commit(
        lambda: organisation_status_notify.enqueue(organisation_id=organisation_id, event=event)
    )
    return locked


@transaction.atomic
def organisation_approve(*, organisation: Organisation, by: User) -> Organisation:
    """The city team approves a waiting organisation: it appears in the public directory and its
    owners are emailed. Only an admin of the organisation's city (or a superuser) may."""
    return _organisation_status_change(
        organisation=organisation,
        by=by,
        allowed_from={Organisation.Status.PENDING},
        status=Organisation.Status.ACTIVE,
        reason="",
        event="approved",
    )


@transaction.atomic
def organisation_suspend(*, organisation: Organisation, by: User, reason: str) -> Organisation:
    """The city team suspends an organisation, waiting or active, with a reason its staff see.

    Suspending a waiting organisation is how the city turns a registration down. It disappears
    from public pages; its staff keep their dashboard and can read the reason there.
    """
    reason = reason.strip()
    if not reason:
        raise ServiceError(errors.ORGANISATION_SUSPEND_REASON_REQUIRED, field="reason")
    return _organisation_status_change(
        organisation=organisation,
        by=by,
        allowed_from={Organisation.Status.PENDING, Organisation.Status.ACTIVE},
        status=Organisation.Status.SUSPENDED,
        reason=reason,
        event="suspended",
    )


@transaction.atomic
def organisation_reinstate(*, organisation: Organisation, by: User) -> Organisation:
    """The city team makes a suspended organisation active again and clears the reason."""
    return _organisation_status_change(
        organisation=organisation,
        by=by,
        allowed_from={Organisation.Status.SUSPENDED},
        status=Organisation.Status.ACTIVE,
        reason="",
        event="reinstated",
    )


@transaction.atomic
def organisation_set_trusted(
    *, organisation: Organisation, by: User, trusted: bool
) -> Organisation:
    """The city team marks an active organisation trusted (its opportunities are published
    without review, under the city's "untrusted" rule) or takes that trust away."""
    if not user_is_city_admin(user=by, city=organisation.city):
        raise AccessDenied(errors.ORGANISATION_CITY_ADMINS_ONLY)
    locked = _organisation_lock(organisation)
    if trusted and locked.status != Organisation.Status.ACTIVE:
        raise ServiceError(errors.ORGANISATION_TRUST_NEEDS_ACTIVE.format(name=locked.name))
    locked.is_trusted = trusted
    locked.save(update_fields=["is_trusted", "updated_at"])
    return locked


@transaction.atomic
def organisation_update(*, organisation: Organisation, by: User, **fields: Any) -> Organisation:
    """An owner changes the organisation's profile: any of :data:`EDITABLE_FIELDS`.

    ``logo=None`` (or ``False``, as a cleared file input gives) removes the logo. The slug and
    the status do not change: an approved organisation stays approved.
    """
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise TypeError(f"organisation_update() can't change {', '.join(sorted(unknown))}")
    _require_owner(user=by, organisation=organisation)
    areas = fields.pop("areas_served", None)
    if "logo" in fields and not fields["logo"]:
        fields["logo"] = None
    for name, value in fields.items():
        setattr(organisation, name, value)
    if fields:
        organisation.save(update_fields=[*fields, "updated_at"])
    if areas is not None:
        organisation.areas_served.set(_check_areas(city=organisation.city, areas=areas))
    return organisation


# --- Invitations --------------------------------------------------------------------------------


@transaction.atomic
def invitation_create(
    *, organisation: Organisation, invited_by: User, email: str, role: str
) -> Invitation:
    """An owner invites ``email`` to the staff as ``role``; the invitation is emailed after commit.

    Refused with ``ALREADY_STAFF`` when a member of staff has that address (as their sign-in
    email or any verified one). If an invitation to that address is still open, it is withdrawn
    and a new one, with a new link and a fresh 14 days, replaces it: inviting again is how an
    owner re-sends.
    """
    organisation = _organisation_lock(organisation)
    _require_owner(user=invited_by, organisation=organisation)
    role = _check_role(role)
    email = email.strip().lower()
    already_staff = Membership.objects.filter(organisation=organisation).filter(
        Q(user__email__iexact=email)
        | Q(user__emailaddress__email__iexact=email, user__emailaddress__verified=True)
    )
    if already_staff.exists():
        raise ServiceError(errors.ALREADY_STAFF.format(email=email), field="email")
    now = timezone.now()
    Invitation.objects.filter(
        organisation=organisation,
        email__iexact=email,
        accepted_at__isnull=True,
        revoked_at__isnull=True,
    ).update(revoked_at=now, updated_at=now)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        token=secrets.token_urlsafe(32),
        invited_by=invited_by,
        expires_at=now + INVITATION_VALID_FOR,
    )
    invitation_id = invitation.pk
    transaction.on_commit(lambda: invitation_send.enqueue(invitation_id=invitation_id))
    return invitation


@transaction.atomic
def invitation_accept(*, invitation_token: str, user: User) -> Membership:
    """``user`` accepts the invitation with this token and joins the staff.

    The invitation's address must be one of ``user``'s verified email addresses
    (``INVITATION_WRONG_ACCOUNT`` otherwise): holding the link is not enough, since links get
    forwarded. An unknown, expired, accepted or withdrawn token gives ``INVITATION_INVALID``.
    Someone already on the staff keeps the higher of their role and the invited one.
    """
    found = Invitation.objects.filter(token=invitation_token).only("organisation_id").first()
    if found is None:
        raise ServiceError(errors.INVITATION_INVALID)
    # Lock the organisation before the invitation, in the same order as invitation_create.
    organisation = Organisation.objects.select_for_update().get(pk=found.organisation_id)
    invitation = Invitation.objects.select_for_update().get(pk=found.pk)
    now = timezone.now()
    if (
        invitation.accepted_at is not None
        or invitation.revoked_at is not None
        or invitation.expires_at <= now
    ):
        raise ServiceError(errors.INVITATION_INVALID)
    if not EmailAddress.objects.filter(
        user=user, email__iexact=invitation.email, verified=True
    ).exists():
        raise ServiceError(errors.INVITATION_WRONG_ACCOUNT)
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": invitation.role}
    )
    if not created and ROLE_RANK[Role(invitation.role)] > ROLE_RANK[Role(membership.role)]:
        membership.role = invitation.role
        membership.save(update_fields=["role", "updated_at"])
    invitation.accepted_at = now
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    """An owner withdraws an invitation that has not been accepted; its link stops working."""
    organisation = _organisation_lock(invitation.organisation)
    _require_owner(user=by, organisation=organisation)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise ServiceError(errors.INVITATION_NOT_OPEN)
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    return invitation


# --- Memberships --------------------------------------------------------------------------------


def _membership_lock(membership: Membership) -> Membership:
    """The membership, locked and fresh; ``STAFF_MEMBER_GONE`` if it was removed meanwhile."""
    locked = Membership.objects.select_for_update().filter(pk=membership.pk).first()
    if locked is None:
        raise ServiceError(errors.STAFF_MEMBER_GONE)
    return locked


@transaction.atomic
def membership_role_change(*, membership: Membership, role: str, by: User) -> Membership:
    """An owner gives another member of staff a new role.

    Nobody changes their own role, owners included (``ROLE_CANNOT_RAISE_OWN``): one owner can
    always ask another, and an account taken over cannot quietly promote itself. The last owner
    cannot be demoted (``ROLE_LAST_OWNER``).
    """
    organisation = _organisation_lock(membership.organisation)
    role = _check_role(role)
    _require_owner(user=by, organisation=organisation)
    membership = _membership_lock(membership)
    if membership.user_id == by.pk:
        raise ServiceError(errors.ROLE_CANNOT_RAISE_OWN)
    if membership.role == role:
        return membership
    if (
        membership.role == Role.OWNER
        and role != Role.OWNER
        and _owner_count(organisation=organisation) <= 1
    ):
        raise ServiceError(errors.ROLE_LAST_OWNER)
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, by: User) -> None:
    """Take someone off the staff. Owners may remove anyone else; anyone may leave themselves.

    The last owner can do neither (``ROLE_LAST_OWNER``): they must make someone else an owner
    first, so an organisation is never left with nobody to run it.
    """
    organisation = _organisation_lock(membership.organisation)
    membership = _membership_lock(membership)
    if membership.user_id != by.pk:
        _require_owner(user=by, organisation=organisation)
    if membership.role == Role.OWNER and _owner_count(organisation=organisation) <= 1:
        raise ServiceError(errors.ROLE_LAST_OWNER)
    membership.delete()
