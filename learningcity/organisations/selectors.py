"""Reads about organisations, their staff and their invitations."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.cities.models import City

from .models import ROLE_RANK, Invitation, Membership, Organisation

# The city team's queue shows what needs them first.
STATUS_ORDER = Case(
    When(status=Organisation.Status.PENDING, then=Value(0)),
    When(status=Organisation.Status.ACTIVE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)

# Owners first, then issuers, editors and viewers.
ROLE_ORDER = Case(
    *(When(role=role, then=Value(-rank)) for role, rank in ROLE_RANK.items()),
    default=Value(0),
    output_field=IntegerField(),
)


def organisation_list_public(
    *, city: City, query: str = "", type: str = ""
) -> QuerySet[Organisation]:
    """Active organisations of ``city``, as anyone may see them.

    ``query`` keeps organisations whose name or description contains every word of it (any
    case); ``type`` keeps one :class:`Organisation.Type`. Unknown types match nothing.
    """
    organisations = Organisation.objects.filter(city=city, status=Organisation.Status.ACTIVE)
    for word in query.split():
        organisations = organisations.filter(
            Q(name__icontains=word) | Q(description__icontains=word)
        )
    if type:
        organisations = organisations.filter(type=type)
    return organisations.select_related("city").order_by("name", "pk")


def organisation_list_for_user(*, user: User | AnonymousUser) -> QuerySet[Membership]:
    """The memberships of ``user``, each with its organisation and city, by organisation name."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.filter(user=user)
        .select_related("organisation", "organisation__city")
        .order_by("organisation__name", "organisation__pk")
    )


def organisation_list_for_city_admin(
    *, city: City, status: str | None = None
) -> QuerySet[Organisation]:
    """Every organisation of ``city`` whatever its status: waiting first, then active, then
    suspended, and by name within each. Each carries ``staff_count``."""
    organisations = Organisation.objects.filter(city=city)
    if status:
        organisations = organisations.filter(status=status)
    return (
        organisations.select_related("city", "status_changed_by")
        .annotate(status_order=STATUS_ORDER, staff_count=Count("memberships", distinct=True))
        .order_by("status_order", "name", "pk")
    )


def organisation_status_counts(*, city: City) -> dict[str, int]:
    """How many organisations of ``city`` have each status (every status present, maybe 0)."""
    counts = dict.fromkeys(Organisation.Status.values, 0)
    rows = Organisation.objects.filter(city=city).values_list("status").annotate(n=Count("pk"))
    counts.update(dict(rows))
    return counts


def organisation_list_pending(*, city: City) -> QuerySet[Organisation]:
    """Organisations of ``city`` waiting for the city team, oldest first."""
    return organisation_list_for_city_admin(city=city, status=Organisation.Status.PENDING).order_by(
        "created_at", "pk"
    )


def membership_list(*, organisation: Organisation) -> QuerySet[Membership]:
    """The staff of ``organisation``, owners first, then by email."""
    return (
        Membership.objects.filter(organisation=organisation)
        .select_related("user")
        .annotate(role_order=ROLE_ORDER)
        .order_by("role_order", "user__email")
    )


def invitation_list_open(*, organisation: Organisation) -> QuerySet[Invitation]:
    """Invitations to ``organisation`` that can still be accepted, newest first."""
    return (
        Invitation.objects.filter(
            organisation=organisation,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("invited_by")
        .order_by("-created_at", "-pk")
    )


def invitation_get_open(*, token: str) -> Invitation | None:
    """The invitation with ``token`` if it can still be accepted, else ``None``."""
    if not token:
        return None
    return (
        Invitation.objects.filter(
            token=token,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organisation", "organisation__city", "invited_by")
        .first()
    )
