"""Designing badge classes: the staff's fetch-or-404, the list, and the writes (create, update,
publish, archive).

Permission to call these is the caller's business (the views check the organisation role with
``access_organisation_for_staff``); what the services guard is the badge class's own lifecycle:
draft → published → archived, and archived is final.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.organisations.models import Organisation

from .models import BadgeClass, BadgeStatus, ImageSource
from .sanitise import CleanImage

# The fields a badge class form may set directly.
EDITABLE_FIELDS = (
    "name",
    "description",
    "criteria",
    "level",
    "tags",
    "skills",
    "expiry_months",
    "evidence_required",
    "evidence_prompt",
    "image_source",
    "image_colour",
    "design_shape",
    "design_icon",
    "design_title",
)


def access_badge_class_for_staff(*, organisation: Organisation, public_id: str) -> BadgeClass:
    """``organisation``'s badge class with this public id, or 404 (another organisation's
    included). Call it only after ``access_organisation_for_staff``."""
    badge_class = (
        BadgeClass.objects.select_related("organisation__city")
        .filter(organisation=organisation, public_id=public_id)
        .first()
    )
    if badge_class is None:
        raise Http404("No such badge.")
    return badge_class


def badge_class_list(*, organisation: Organisation) -> QuerySet[BadgeClass]:
    """``organisation``'s badge classes: drafts and published ones first, archived last."""
    return (
        BadgeClass.objects.filter(organisation=organisation)
        .select_related("organisation__city")
        .order_by(
            # draft < published < archived alphabetically happens to be the order wanted
            "status",
            "name",
        )
    )


def _apply(badge_class: BadgeClass, values: Mapping[str, Any], image: CleanImage | None) -> None:
    for name in EDITABLE_FIELDS:
        if name in values:
            setattr(badge_class, name, values[name])
    if image is not None:
        if image.svg:
            badge_class.image_svg = image.svg
            badge_class.image_upload.save(
                f"{badge_class.public_id}.svg", ContentFile(image.svg.encode()), save=False
            )
        else:
            badge_class.image_svg = ""
            badge_class.image_upload.save(
                f"{badge_class.public_id}.png", ContentFile(image.png), save=False
            )
    if badge_class.image_source == ImageSource.UPLOADED and not badge_class.image_upload:
        raise ServiceError(errors.BADGE_UPLOAD_REQUIRED, field="image_file")


def badge_class_create(
    *, organisation: Organisation, values: Mapping[str, Any], image: CleanImage | None = None
) -> BadgeClass:
    """A new draft badge class of ``organisation``. ``image`` has been through
    :func:`learningcity.badges.sanitise.badge_image_clean`."""
    badge_class = BadgeClass(organisation=organisation, status=BadgeStatus.DRAFT)
    with transaction.atomic():
        _apply(badge_class, values, image)
        badge_class.full_clean(exclude=["image_upload"])
        badge_class.save()
    return badge_class


def badge_class_update(
    *, badge_class: BadgeClass, values: Mapping[str, Any], image: CleanImage | None = None
) -> BadgeClass:
    """Change a badge class. Awards already made keep the credential they were signed with."""
    if badge_class.status == BadgeStatus.ARCHIVED:
        raise ServiceError(
            errors.BADGE_STATUS_CHANGE_INVALID.format(
                name=badge_class.name, status="archived", action="changed"
            )
        )
    with transaction.atomic():
        _apply(badge_class, values, image)
        badge_class.full_clean(exclude=["image_upload"])
        badge_class.save()
    return badge_class


def _status_change(
    badge_class: BadgeClass, *, to: str, allowed_from: set[str], action: str
) -> BadgeClass:
    with transaction.atomic():
        current = BadgeClass.objects.select_for_update().get(pk=badge_class.pk)
        if current.status not in allowed_from:
            raise ServiceError(
                errors.BADGE_STATUS_CHANGE_INVALID.format(
                    name=current.name, status=current.get_status_display().lower(), action=action
                )
            )
        current.status = to
        current.save(update_fields=["status", "updated_at"])
    badge_class.status = to
    return badge_class


def badge_class_publish(*, badge_class: BadgeClass) -> BadgeClass:
    """Make a draft badge class awardable."""
    return _status_change(
        badge_class, to=BadgeStatus.PUBLISHED, allowed_from={BadgeStatus.DRAFT}, action="published"
    )


def badge_class_archive(*, badge_class: BadgeClass) -> BadgeClass:
    """Stop a badge class being awarded. Awards already made stay valid."""
    return _status_change(
        badge_class,
        to=BadgeStatus.ARCHIVED,
        allowed_from={BadgeStatus.DRAFT, BadgeStatus.PUBLISHED},
        action="archived",
    )
