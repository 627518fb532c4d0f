"""Writes about accounts: completing sign-up, privacy settings, guardian consent."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from learningcity.cities.models import Area, City
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .models import GuardianConsent, LearnerProfile, User, age_on
from .tasks import GUARDIAN_LINK_VALID_DAYS, guardian_consent_email_send

# A guardian has this long to answer before the child must ask for a new email.
GUARDIAN_LINK_VALID_FOR = datetime.timedelta(days=GUARDIAN_LINK_VALID_DAYS)


def privacy_defaults_for(*, date_of_birth: datetime.date) -> dict[str, bool]:
    """The Age Appropriate Design Code's defaults: high privacy for under-18s, off until chosen.

    Adults get recommendations by default (they can switch them off); nobody's profile is
    public until they choose, and no one's area is shared with organisations by default.
    """
    adult = age_on(date_of_birth, timezone.localdate()) >= 18
    return {
        "profile_public": False,
        "recommendations_enabled": adult,
        "share_area_with_organisations": False,
    }


def learner_profile_create(
    *,
    user: User,
    city: City,
    date_of_birth: datetime.date,
    postcode_district: str = "",
    area: Area | None = None,
    interests: Sequence[str] = (),
) -> LearnerProfile:
    return LearnerProfile.objects.create(
        user=user,
        city=city,
        date_of_birth=date_of_birth,
        postcode_district=postcode_district,
        area=area,
        interests=list(interests),
        **privacy_defaults_for(date_of_birth=date_of_birth),
    )


@transaction.atomic
def learner_signup_complete(
    *,
    user: User,
    display_name: str,
    city: City,
    date_of_birth: datetime.date,
    postcode_district: str = "",
    area: Area | None = None,
    guardian_email: str = "",
) -> LearnerProfile:
    """Finish a learner's sign-up: name, profile with age-right defaults, guardian request.

    For an under-13 the guardian is emailed a consent link after the transaction commits;
    until they confirm, ``profile.needs_guardian_consent`` is true and the account is limited.
    """
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    profile = learner_profile_create(
        user=user,
        city=city,
        date_of_birth=date_of_birth,
        postcode_district=postcode_district,
        area=area,
    )
    if profile.is_under_13:
        if not guardian_email:
            raise ServiceError(errors.GUARDIAN_EMAIL_REQUIRED, field="guardian_email")
        guardian_consent_request(child=user, guardian_email=guardian_email)
    return profile


def guardian_consent_request(*, child: User, guardian_email: str) -> GuardianConsent:
    """Create (or renew) the consent request for ``child`` and email the guardian a link."""
    guardian_email = guardian_email.strip().lower()
    if guardian_email == child.email.lower():
        raise ServiceError(errors.GUARDIAN_EMAIL_SAME_AS_CHILD, field="guardian_email")
    consent, _ = GuardianConsent.objects.update_or_create(
        child=child,
        defaults={
            "guardian_email": guardian_email,
            "token": secrets.token_urlsafe(32),
            "confirmed_at": None,
            "sent_at": timezone.now(),
        },
    )
    consent_id = consent.pk
    transaction.on_commit(lambda: guardian_consent_email_send.enqueue(consent_id=consent_id))
    return consent


def guardian_consent_for_token(*, token: str) -> GuardianConsent:
    """The open consent request for ``token``; ``ServiceError(GUARDIAN_LINK_INVALID)`` if none."""
    consent = (
        GuardianConsent.objects.select_related("child__learner_profile")
        .filter(token=token, confirmed_at__isnull=True)
        .first()
    )
    if consent is None or consent.sent_at is None:
        raise ServiceError(errors.GUARDIAN_LINK_INVALID)
    if timezone.now() - consent.sent_at > GUARDIAN_LINK_VALID_FOR:
        raise ServiceError(errors.GUARDIAN_LINK_INVALID)
    return consent


@transaction.atomic
def guardian_consent_confirm(*, token: str, guardian: User | None = None) -> GuardianConsent:
    """The guardian says yes. The token works once; the child's account is fully opened."""
    consent = guardian_consent_for_token(token=token)
    consent = GuardianConsent.objects.select_for_update().get(pk=consent.pk)
    if consent.confirmed_at is not None:
        raise ServiceError(errors.GUARDIAN_LINK_INVALID)
    consent.confirmed_at = timezone.now()
    consent.guardian = guardian
    consent.save(update_fields=["confirmed_at", "guardian", "updated_at"])
    return consent


def learner_profile_update(
    *,
    profile: LearnerProfile,
    postcode_district: str,
    area: Area | None,
    interests: Sequence[str],
    profile_public: bool,
    recommendations_enabled: bool,
    share_area_with_organisations: bool,
) -> LearnerProfile:
    """Save a learner's own changes to their profile and privacy settings.

    An under-13 whose guardian has not yet said yes cannot make their profile public.
    """
    if profile_public and profile.needs_guardian_consent:
        raise ServiceError(errors.GUARDIAN_CONSENT_NEEDED, field="profile_public")
    profile.postcode_district = postcode_district
    profile.area = area
    profile.interests = list(interests)
    profile.profile_public = profile_public
    profile.recommendations_enabled = recommendations_enabled
    profile.share_area_with_organisations = share_area_with_organisations
    profile.save()
    return profile
