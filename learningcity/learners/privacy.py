"""Privacy and control: the learner's suggestion switches, "export all my data", "delete my
account", and what a guardian of an under-13 sees and can do from their emailed link.

Deletion follows the layering rule: each app erases its own rows (``badges.erasure``,
``opportunities.erasure``, ``accounts.erasure``); this module decides the order, holds the one
transaction around them, and erases the ``learners`` rows itself.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.text import get_valid_filename

from learningcity.accounts.erasure import account_emails, account_erase
from learningcity.accounts.models import GuardianConsent, LearnerProfile, User
from learningcity.badges import publishing
from learningcity.badges.erasure import badges_erase_for
from learningcity.badges.models import Application, Award
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.opportunities.erasure import opportunities_erase_for
from learningcity.opportunities.models import Booking, SavedOpportunity
from learningcity.organisations.models import Invitation, Membership, Organisation, Role

from .models import AwardChoice, Collection, CollectionItem, DeclaredSkill, ImportedBadge
from .selectors import SharedBadge, backpack_awards, collection_list_shared, sharing_badges_for

# --- Settings ------------------------------------------------------------------------------------


def privacy_settings_update(
    *,
    profile: LearnerProfile,
    recommendations_enabled: bool,
    suggest_opportunities: bool,
    suggest_pathways: bool,
) -> LearnerProfile:
    """Save the learner's "what next" switches: the main one, then each kind on its own."""
    profile.recommendations_enabled = recommendations_enabled
    profile.suggest_opportunities = suggest_opportunities
    profile.suggest_pathways = suggest_pathways
    profile.save(
        update_fields=[
            "recommendations_enabled",
            "suggest_opportunities",
            "suggest_pathways",
            "updated_at",
        ]
    )
    return profile


@dataclass(frozen=True)
class SharingSummary:
    """What a learner (or their guardian) sees of what is shared, for the privacy pages."""

    profile_public: bool
    shared_collections: list[Collection]
    # Live awards and imported badges shared by link, with the age default resolved.
    shared_badges: list[SharedBadge]
    # Every award on the account, revoked and expired ones included.
    awards: list[Award]


def sharing_summary(*, user: User) -> SharingSummary:
    """Everything ``user`` holds that anyone with a link can see, and all their awards."""
    profile = LearnerProfile.objects.filter(user=user).first()
    return SharingSummary(
        profile_public=bool(profile and profile.profile_public),
        shared_collections=list(collection_list_shared(owner=user)),
        shared_badges=[badge for badge in sharing_badges_for(user=user) if badge.is_shared],
        awards=list(backpack_awards(user=user)),
    )


# --- Export --------------------------------------------------------------------------------------

README = """\
Everything Learning City holds about you, exported on {date}.

profile.json
    Your account (email addresses, name, when you joined), your learner profile (city, date of
    birth, the first part of your postcode, your interests) and your privacy settings.
awards/
    One file pair per badge you were given here. <id>.json is the signed Open Badges 3.0
    credential exactly as it was issued; <id>.jwt is the same credential signed as a JWT. Both
    can be checked by any Open Badges 3.0 verifier, and imported into another backpack.
awards.json
    A list of those badges: name, issuer, dates, whether revoked, and your sharing choices.
imported/
    Badges you brought in from elsewhere, as you gave them to us (<id>.json or <id>.jwt, and
    the image if you uploaded one).
imported.json
    What we read from each imported badge, and when it was last checked.
collections.json
    Your collections, what is in them and whether they are shared.
declared_skills.json
    Skills you said you have.
applications.json
    Your badge applications: what you wrote, your links, the decision and any feedback. Files
    you uploaded are in applications/<application id>/.
bookings.json
    Your bookings of sessions, with their dates, status and whether you were checked in.
saved_opportunities.json
    Opportunities you saved.
pathways.json
    Pathways you joined and your progress.
"""


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _awards_for_export(*, user: User, emails: set[str]) -> QuerySet[Award]:
    return (
        Award.objects.filter(Q(recipient=user) | Q(recipient_email__in=emails))
        .select_related("badge_class__organisation", "holder_choice")
        .order_by("issued_at", "pk")
    )


def _profile_document(*, user: User) -> dict[str, Any]:
    profile = LearnerProfile.objects.select_related("city", "area").filter(user=user).first()
    consent = GuardianConsent.objects.filter(child=user).first()
    document: dict[str, Any] = {
        "account": {
            "id": user.public_id,
            "email": user.email,
            "display_name": user.display_name,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
        },
        "emails": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        "learner_profile": None,
        "settings": None,
        "guardian": None,
    }
    if profile is not None:
        document["learner_profile"] = {
            "city": profile.city.name,
            "date_of_birth": profile.date_of_birth.isoformat(),
            "postcode_district": profile.postcode_district,
            "area": profile.area.name if profile.area else None,
            "interests": profile.interests,
        }
        document["settings"] = {
            "profile_public": profile.profile_public,
            "recommendations_enabled": profile.recommendations_enabled,
            "suggest_opportunities": profile.suggest_opportunities,
            "suggest_pathways": profile.suggest_pathways,
            "share_area_with_organisations": profile.share_area_with_organisations,
        }
    if consent is not None:
        document["guardian"] = {
            "guardian_email": consent.guardian_email,
            "confirmed_at": _iso(consent.confirmed_at),
        }
    return document


def _award_entry(award: Award) -> dict[str, Any]:
    choice = getattr(award, "holder_choice", None)
    return {
        "id": award.public_id,
        "url": publishing.award_url(award),
        "badge": award.badge_class.name,
        "issuer": award.badge_class.organisation.name,
        "issued_at": _iso(award.issued_at),
        "expires_at": _iso(award.expires_at),
        "revoked_at": _iso(award.revoked_at),
        "revocation_reason": award.revocation_reason,
        "evidence": award.evidence,
        "shared": choice.is_shared if choice else None,
        "on_portfolio": choice.on_portfolio if choice else None,
        "files": [f"awards/{award.public_id}.json", f"awards/{award.public_id}.jwt"],
    }


def _imported_file_name(imported: ImportedBadge) -> str:
    text = imported.original.lstrip()
    extension = "json" if text.startswith(("{", "[")) else "jwt"
    return f"imported/{imported.public_id}.{extension}"


def _write_imported(archive: zipfile.ZipFile, imported: ImportedBadge) -> list[str]:
    files = []
    if imported.original:
        name = _imported_file_name(imported)
        archive.writestr(name, imported.original)
        files.append(name)
    if imported.image:
        extension = (
            imported.image.name.rsplit(".", 1)[-1].lower() if "." in imported.image.name else "bin"
        )
        name = f"imported/{imported.public_id}.{get_valid_filename(extension)}"
        try:
            with imported.image.open("rb") as image:
                archive.writestr(name, image.read())
        except (FileNotFoundError, OSError):
            return files
        files.append(name)
    return files


def _imported_entry(imported: ImportedBadge, files: list[str]) -> dict[str, Any]:
    return {
        "id": imported.public_id,
        "name": imported.name,
        "issuer": imported.issuer_name,
        "issuer_id": imported.issuer_id,
        "source": imported.source,
        "source_url": imported.source_url,
        "format": imported.format,
        "status": imported.status,
        "reasons": imported.reasons,
        "checked_at": _iso(imported.checked_at),
        "issued_at": _iso(imported.issued_at),
        "expires_at": _iso(imported.expires_at),
        "shared": imported.is_shared,
        "on_portfolio": imported.on_portfolio,
        "files": files,
    }


def _collections_document(*, user: User) -> list[dict[str, Any]]:
    collections = Collection.objects.filter(owner=user).prefetch_related(
        "items__award__badge_class", "items__imported"
    )
    return [
        {
            "id": collection.public_id,
            "name": collection.name,
            "description": collection.description,
            "shared": collection.is_shared,
            "items": [_collection_item_entry(item) for item in collection.items.all()],
        }
        for collection in collections
    ]


def _collection_item_entry(item: CollectionItem) -> dict[str, str]:
    if item.award is not None:
        return {"award": item.award.public_id, "badge": item.award.badge_class.name}
    assert item.imported is not None  # the check constraint: exactly one of the two
    return {"imported": item.imported.public_id, "badge": item.imported.name}


def _write_applications(archive: zipfile.ZipFile, *, user: User) -> list[dict[str, Any]]:
    applications = (
        Application.objects.filter(applicant=user)
        .select_related("badge_class__organisation", "award")
        .prefetch_related("files")
        .order_by("created_at")
    )
    entries = []
    for application in applications:
        files = []
        for number, upload in enumerate(application.files.all(), start=1):
            name = (
                f"applications/{application.public_id}/"
                f"{number}-{get_valid_filename(upload.original_name) or 'file'}"
            )
            try:
                with upload.file.open("rb") as handle:
                    archive.writestr(name, handle.read())
            except (FileNotFoundError, OSError):
                continue
            files.append({"name": upload.original_name, "file": name})
        entries.append(
            {
                "id": application.public_id,
                "badge": application.badge_class.name,
                "organisation": application.badge_class.organisation.name,
                "text": application.text,
                "links": application.links,
                "status": application.status,
                "feedback": application.feedback,
                "applied_at": _iso(application.created_at),
                "decided_at": _iso(application.decided_at),
                "award": application.award.public_id if application.award else None,
                "files": files,
            }
        )
    return entries


def _bookings_document(*, user: User) -> list[dict[str, Any]]:
    bookings = (
        Booking.objects.filter(learner=user)
        .select_related("session__opportunity__organisation")
        .order_by("session__starts_at", "pk")
    )
    return [
        {
            "id": booking.public_id,
            "opportunity": booking.session.opportunity.title,
            "organisation": booking.session.opportunity.organisation.name,
            "session": {
                "starts_at": _iso(booking.session.starts_at),
                "ends_at": _iso(booking.session.ends_at),
                "cancelled": booking.session.is_cancelled,
            },
            "status": booking.status,
            "booked_at": _iso(booking.created_at),
            "promoted_at": _iso(booking.promoted_at),
            "cancelled_at": _iso(booking.cancelled_at),
            "checked_in_at": _iso(booking.checked_in_at),
        }
        for booking in bookings
    ]


def _saved_document(*, user: User) -> list[dict[str, Any]]:
    saved = SavedOpportunity.objects.filter(learner=user).select_related(
        "opportunity__organisation", "opportunity__city"
    )
    return [
        {
            "opportunity": item.opportunity.title,
            "organisation": item.opportunity.organisation.name,
            "url": publishing.absolute(item.opportunity.get_absolute_url()),
            "saved_at": _iso(item.created_at),
        }
        for item in saved
    ]


def _pathways_document(*, user: User) -> list[dict[str, Any]]:
    # ``pathways`` sits above this app, so its rows are reached through the reverse relation
    # on the user rather than by importing its models.
    enrolments = user.pathway_enrolments.select_related(  # type: ignore[attr-defined]
        "pathway__organisation", "completion_award"
    ).order_by("joined_at")
    return [
        {
            "pathway": enrolment.pathway.name,
            "organisation": enrolment.pathway.organisation.name
            if enrolment.pathway.organisation
            else None,
            "destination": enrolment.pathway.destination,
            "joined_at": _iso(enrolment.joined_at),
            "steps_done": enrolment.steps_done,
            "completed_at": _iso(enrolment.completed_at),
            "completion_award": enrolment.completion_award.public_id
            if enrolment.completion_award
            else None,
        }
        for enrolment in enrolments
    ]


def learner_export_zip(*, user: User) -> bytes:
    """Everything held about ``user``, as a ZIP of JSON documents and credential files.

    Synchronous: it only reads rows and stored documents (nothing is signed), so even a full
    backpack takes well under a second. See ``README`` for what each file holds.
    """
    emails = account_emails(user=user)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(date=timezone.localdate().isoformat()))
        archive.writestr("profile.json", _dump(_profile_document(user=user)))
        award_entries = []
        for award in _awards_for_export(user=user, emails=emails):
            if award.ob3_credential:
                archive.writestr(f"awards/{award.public_id}.json", _dump(award.ob3_credential))
            if award.ob3_jwt:
                archive.writestr(f"awards/{award.public_id}.jwt", award.ob3_jwt)
            award_entries.append(_award_entry(award))
        archive.writestr("awards.json", _dump(award_entries))
        imported_entries = []
        for imported in ImportedBadge.objects.filter(owner=user).order_by("created_at"):
            files = _write_imported(archive, imported)
            imported_entries.append(_imported_entry(imported, files))
        archive.writestr("imported.json", _dump(imported_entries))
        archive.writestr("collections.json", _dump(_collections_document(user=user)))
        archive.writestr(
            "declared_skills.json",
            _dump(
                [
                    {"name": skill.name, "level": skill.level, "added_at": _iso(skill.created_at)}
                    for skill in DeclaredSkill.objects.filter(owner=user)
                ]
            ),
        )
        archive.writestr("applications.json", _dump(_write_applications(archive, user=user)))
        archive.writestr("bookings.json", _dump(_bookings_document(user=user)))
        archive.writestr("saved_opportunities.json", _dump(_saved_document(user=user)))
        archive.writestr("pathways.json", _dump(_pathways_document(user=user)))
    return buffer.getvalue()


# --- Deletion ------------------------------------------------------------------------------------


def organisations_solely_owned_by(*, user: User) -> list[Organisation]:
    """Organisations where ``user`` is an owner and no one else is."""
    owned = Membership.objects.filter(user=user, role=Role.OWNER).values("organisation")
    other_owners = Membership.objects.filter(role=Role.OWNER).exclude(user=user)
    return list(
        Organisation.objects.filter(pk__in=owned)
        .exclude(pk__in=other_owners.values("organisation"))
        .order_by("name")
    )


def _learner_rows_erase(*, user: User) -> list[str]:
    """Delete this app's rows of ``user``; returns the stored image names to remove after
    commit."""
    images = [
        name
        for name in ImportedBadge.objects.filter(owner=user).values_list("image", flat=True)
        if name
    ]
    Collection.objects.filter(owner=user).delete()  # their items go with them
    AwardChoice.objects.filter(owner=user).delete()
    ImportedBadge.objects.filter(owner=user).delete()
    DeclaredSkill.objects.filter(owner=user).delete()
    return images


def _images_delete(names: list[str]) -> None:
    storage = ImportedBadge._meta.get_field("image").storage  # type: ignore[attr-defined]
    for name in names:
        storage.delete(name)


def account_delete(*, user: User, by_guardian: bool = False) -> None:
    """Delete ``user``'s account and personal data, all or nothing.

    - Refused (``ServiceError``) while they are the only owner of an organisation.
    - Awards made here are revoked (so copies anywhere check as revoked) and kept by their
      organisations with the person taken out: no email, name, account or credential.
    - Their applications (and files), bookings (places still to come are given back first),
      saved opportunities, check-in code, imported badges, collections, declared skills,
      pathway enrolments, verified addresses, guardian consent and sessions are deleted, and
      then the user row itself.

    ``by_guardian``: the guardian of an under-13 closed it (only the revocation reason differs).
    """
    reason = (
        errors.PRIVACY_REVOKED_GUARDIAN_CLOSED
        if by_guardian
        else errors.PRIVACY_REVOKED_HOLDER_CLOSED
    )
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        sole = organisations_solely_owned_by(user=user)
        if sole:
            names = ", ".join(f"“{organisation.name}”" for organisation in sole)
            raise ServiceError(errors.PRIVACY_DELETE_SOLE_OWNER.format(names=names))
        emails = account_emails(user=user)
        badges_erase_for(user=user, emails=emails, reason=reason)
        opportunities_erase_for(user=user)
        images = _learner_rows_erase(user=user)
        # Invitations to join an organisation's staff name the address they were sent to.
        email_match = Q()
        for email in emails:
            email_match |= Q(email__iexact=email)
        Invitation.objects.filter(email_match).delete()
        account_erase(user=user, emails=emails)
        if images:
            transaction.on_commit(lambda: _images_delete(images))


# --- The guardian's view -------------------------------------------------------------------------


def guardian_consent_for_view(*, token: str) -> GuardianConsent:
    """The consent row behind a guardian's link, for an under-13 who still has an account.

    The emailed link is the guardian's only proof, so anything else is a plain 404: an unknown
    token, a child who has turned 13 (their account is their own now), no learner profile.
    """
    consent = (
        GuardianConsent.objects.select_related("child__learner_profile__city")
        .filter(token=token)
        .first()
    )
    if consent is None:
        raise Http404("No such guardian link.")
    profile = getattr(consent.child, "learner_profile", None)
    if profile is None or not profile.is_under_13:
        raise Http404("No such guardian link.")
    return consent
