"""Endorsement requests: an organisation asks its city to endorse a badge class, and a city admin
endorses it (``services.badge_class_endorse`` signs the EndorsementCredential) or declines.

Services check who may act, so every caller (views, API, shell) gets the same rules.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.cities.access import user_is_city_admin
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import role_at_least
from learningcity.organisations.models import Membership, Role

from .models import BadgeClass, BadgeStatus, EndorsementRequest
from .services import badge_class_endorse


def _require_editor(*, user: User, badge_class: BadgeClass) -> None:
    if user.is_superuser:
        return
    membership = Membership.objects.filter(
        organisation_id=badge_class.organisation_id, user=user
    ).first()
    if membership is None or not role_at_least(membership.role, Role.EDITOR):
        raise AccessDenied("Only editors and above can ask the city to endorse a badge.")


def _require_city_admin(*, user: User, request: EndorsementRequest) -> None:
    if not user_is_city_admin(user=user, city=request.badge_class.organisation.city):
        raise AccessDenied("Only this city's team can decide endorsement requests.")


def endorsement_request_create(
    *, badge_class: BadgeClass, by: User, message: str
) -> EndorsementRequest:
    """Ask ``badge_class``'s city to endorse it. ``by`` must be an editor or above of its
    organisation; the badge must be published, not endorsed already, and not already waiting."""
    _require_editor(user=by, badge_class=badge_class)
    name = badge_class.name
    if badge_class.status != BadgeStatus.PUBLISHED:
        raise ServiceError(errors.ENDORSEMENT_REQUEST_NOT_PUBLISHED.format(name=name))
    if badge_class.endorsements.filter(endorser__city_id=badge_class.organisation.city_id).exists():
        raise ServiceError(errors.ENDORSEMENT_REQUEST_ALREADY_ENDORSED.format(name=name))
    pending = EndorsementRequest.objects.filter(
        badge_class=badge_class, status=EndorsementRequest.Status.PENDING
    )
    if pending.exists():
        raise ServiceError(errors.ENDORSEMENT_REQUEST_PENDING.format(name=name))
    try:
        # The partial unique constraint settles a race between two simultaneous requests.
        with transaction.atomic():
            return EndorsementRequest.objects.create(
                badge_class=badge_class, requested_by=by, message=message.strip()
            )
    except IntegrityError:
        raise ServiceError(errors.ENDORSEMENT_REQUEST_PENDING.format(name=name)) from None


def _lock_pending(request: EndorsementRequest) -> EndorsementRequest:
    locked = EndorsementRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != EndorsementRequest.Status.PENDING:
        raise ServiceError(errors.ENDORSEMENT_REQUEST_DECIDED)
    return locked


def _notify(request: EndorsementRequest) -> None:
    from .tasks_endorsements import endorsement_request_decided_notify

    transaction.on_commit(lambda: endorsement_request_decided_notify.enqueue(request_id=request.pk))


@transaction.atomic
def endorsement_request_endorse(
    *, request: EndorsementRequest, by: User, comment: str
) -> EndorsementRequest:
    """A city admin of the badge's city endorses it; the organisation's owners are emailed."""
    _require_city_admin(user=by, request=request)
    locked = _lock_pending(request)
    badge_class = request.badge_class
    locked.endorsement = badge_class_endorse(
        badge_class=badge_class, city=badge_class.organisation.city, by=by, comment=comment
    )
    locked.status = EndorsementRequest.Status.ENDORSED
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(update_fields=["endorsement", "status", "decided_by", "decided_at", "updated_at"])
    _notify(locked)
    return locked


@transaction.atomic
def endorsement_request_decline(
    *, request: EndorsementRequest, by: User, reason: str
) -> EndorsementRequest:
    """A city admin declines with a reason the organisation's owners are emailed."""
    _require_city_admin(user=by, request=request)
    reason = reason.strip()
    if not reason:
        raise ServiceError(errors.ENDORSEMENT_REQUEST_REASON_REQUIRED, field="reason")
    locked = _lock_pending(request)
    locked.status = EndorsementRequest.Status.DECLINED
    locked.decline_reason = reason
    locked.decided_by = by
    locked.decided_at = timezone.now()
    locked.save(
        update_fields=["status", "decline_reason", "decided_by", "decided_at", "updated_at"]
    )
    _notify(locked)
    return locked


# --- Selectors -----------------------------------------------------------------------------------


def endorsement_request_list_for_badge(*, badge_class: BadgeClass) -> QuerySet[EndorsementRequest]:
    return EndorsementRequest.objects.filter(badge_class=badge_class).select_related(
        "requested_by", "decided_by"
    )


def endorsement_request_queue(*, city: City) -> QuerySet[EndorsementRequest]:
    """``city``'s requests: pending first (oldest first), then decided (newest first)."""
    return (
        EndorsementRequest.objects.filter(badge_class__organisation__city=city)
        .select_related("badge_class__organisation__city", "requested_by", "decided_by")
        .annotate(
            pending_first=Case(
                When(status=EndorsementRequest.Status.PENDING, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("pending_first", "-decided_at", "created_at")
    )


def access_endorsement_request_for_city_admin(*, city: City, public_id: str) -> EndorsementRequest:
    """A request for a badge of ``city``, or 404 (another city's included). Call it only after
    ``access_city_for_admin``."""
    request = (
        EndorsementRequest.objects.select_related("badge_class__organisation__city")
        .filter(public_id=public_id, badge_class__organisation__city=city)
        .first()
    )
    if request is None:
        raise Http404("No such endorsement request.")
    return request
