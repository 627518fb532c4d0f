"""Deleting an account: nothing that names the person is left anywhere in the database."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session as DjangoSession
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client

from learningcity.accounts.models import GuardianConsent, User
from learningcity.badges.models import Application, ApplicationFile, Award, ClaimRedemption
from learningcity.badges.services import award_issue
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.learners.models import Collection, DeclaredSkill, ImportedBadge
from learningcity.learners.privacy import account_delete
from learningcity.opportunities.models import Booking, BookingStatus
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory
from learningcity.pathways.models import Enrolment

from .privacy_factories import (
    EMAIL,
    GUARDIAN_EMAIL,
    NAME,
    SECOND_EMAIL,
    booking_count,
    learner_with_everything,
)

pytestmark = pytest.mark.django_db


def database_mentions(*needles: str) -> list[str]:
    """Every ``table.column`` in the database whose value contains one of ``needles`` (case
    insensitive). Reads every table the database has, not only the models' — framework and
    third-party tables included. Binary columns are skipped (encrypted keys, status-list bits).

    Works on SQLite and PostgreSQL: identifiers are quoted by the connection, and values are
    compared in Python, so no dialect's cast or ``LIKE`` rules matter.
    """
    lowered = [needle.lower() for needle in needles]
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (names from the catalogue)
            columns = [column[0] for column in cursor.description]
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if value is None or isinstance(value, bytes | bytearray | memoryview):
                        continue
                    text = str(value).lower()
                    for needle in lowered:
                        if needle in text:
                            found.append(f"{table}.{column} contains {needle!r}")
    return sorted(set(found))


def _needles(*emails: str) -> list[str]:
    local_parts = [email.split("@")[0] for email in emails]
    return [*emails, *local_parts, NAME, *NAME.split()]


def test_the_scan_finds_the_person_before_deletion():
    learner_with_everything()
    found = database_mentions(*_needles(EMAIL, SECOND_EMAIL))
    # The scan itself works: the person is in many places to begin with.
    assert any(hit.startswith("accounts_user.") for hit in found)
    assert any(hit.startswith("badges_award.recipient_email") for hit in found)
    assert any(hit.startswith("badges_application.text") for hit in found)


def test_after_deletion_no_table_mentions_the_persons_email_or_name():
    learner = learner_with_everything()
    client = Client()
    client.force_login(learner.user)
    assert DjangoSession.objects.exists()
    session_key = client.session.session_key

    account_delete(user=learner.user)

    found = database_mentions(*_needles(EMAIL, SECOND_EMAIL))
    assert found == [], "still in the database:\n" + "\n".join(found)
    assert not User.objects.filter(pk=learner.user.pk).exists()
    assert not DjangoSession.objects.filter(session_key=session_key).exists()
    # Signed out: the old session no longer opens a private page.
    assert client.get("/me/privacy/").status_code == 302


def test_organisations_keep_anonymised_revoked_awards():
    learner = learner_with_everything()
    award_ids = [award.pk for award in learner.awards]
    awards_before = Award.objects.filter(badge_class__organisation=learner.organisation).count()

    account_delete(user=learner.user)

    assert (
        Award.objects.filter(badge_class__organisation=learner.organisation).count()
        == awards_before
    )
    for award in Award.objects.filter(pk__in=award_ids):
        assert award.revoked_at is not None
        assert award.recipient_id is None
        assert award.recipient_name == ""
        assert award.recipient_email == f"deleted-{award.public_id.lower()}@invalid"
        assert award.ob3_credential == {}
        assert award.ob3_jwt == ""
        assert award.evidence == []
    live, already_revoked = (Award.objects.get(pk=pk) for pk in award_ids)
    assert live.revocation_reason == errors.PRIVACY_REVOKED_HOLDER_CLOSED
    assert already_revoked.revocation_reason == "Issued by mistake"  # the first reason stays
    # The other learner's award of the same badge is untouched.
    other = Award.objects.get(pk=learner.other_award.pk)
    assert other.recipient_id == learner.other.pk
    assert other.revoked_at is None
    assert other.ob3_credential


def test_everything_of_the_persons_own_is_deleted_and_files_removed(
    django_capture_on_commit_callbacks,
):
    learner = learner_with_everything()
    file_name = ApplicationFile.objects.get().file.name
    image_name = ImportedBadge.objects.get(owner=learner.user).image.name
    assert default_storage.exists(file_name)
    assert default_storage.exists(image_name)

    with django_capture_on_commit_callbacks(execute=True):
        account_delete(user=learner.user)

    assert not Application.objects.exists()
    assert not ApplicationFile.objects.exists()
    assert not ClaimRedemption.objects.exists()
    assert not ImportedBadge.objects.exists()
    assert list(Collection.objects.values_list("name", flat=True)) == ["Other's collection"]
    assert list(DeclaredSkill.objects.values_list("name", flat=True)) == ["Welding"]
    assert not Enrolment.objects.exists()
    assert not default_storage.exists(file_name)
    assert not default_storage.exists(image_name)


def test_a_place_to_come_goes_to_the_waitlist_and_past_counts_stay():
    learner = learner_with_everything()
    assert booking_count(learner.upcoming) == 1
    waiting = Booking.objects.get(session=learner.upcoming, learner=learner.other)
    assert waiting.status == BookingStatus.WAITLISTED

    account_delete(user=learner.user)

    waiting.refresh_from_db()
    assert waiting.status == BookingStatus.BOOKED
    assert booking_count(learner.upcoming) == 1  # the freed place went to the waitlist
    assert booking_count(learner.past) == 1  # the organisation's count of who came stays
    assert not Booking.objects.filter(session=learner.past).exists()


def test_the_only_owner_of_an_organisation_is_refused_and_nothing_changes():
    learner = learner_with_everything()
    MembershipFactory(organisation=learner.organisation, user=learner.user, role=Role.OWNER)

    with pytest.raises(ServiceError) as refused:
        account_delete(user=learner.user)

    assert refused.value.message == errors.PRIVACY_DELETE_SOLE_OWNER.format(
        names="“Harbour Youth Hub”"
    )
    assert User.objects.filter(pk=learner.user.pk).exists()
    assert Award.objects.filter(recipient=learner.user, revoked_at__isnull=True).count() == 1


def test_an_owner_with_a_co_owner_may_delete():
    learner = learner_with_everything()
    MembershipFactory(organisation=learner.organisation, user=learner.user, role=Role.OWNER)
    MembershipFactory(organisation=learner.organisation, role=Role.OWNER)

    account_delete(user=learner.user)

    assert not User.objects.filter(pk=learner.user.pk).exists()
    assert learner.organisation.memberships.count() == 1


def test_an_under_13_closed_by_their_guardian_leaves_no_trace_of_child_or_guardian():
    learner = learner_with_everything(age=11, guardian_email=GUARDIAN_EMAIL)
    assert GuardianConsent.objects.filter(guardian_email=GUARDIAN_EMAIL).exists()

    account_delete(user=learner.user, by_guardian=True)

    found = database_mentions(*_needles(EMAIL, SECOND_EMAIL, GUARDIAN_EMAIL))
    assert found == [], "still in the database:\n" + "\n".join(found)
    assert not GuardianConsent.objects.exists()
    revoked = Award.objects.get(pk=learner.awards[0].pk)
    assert revoked.revocation_reason == errors.PRIVACY_REVOKED_GUARDIAN_CLOSED


def test_awards_to_an_address_never_verified_are_someone_elses_and_stay():
    learner = learner_with_everything()
    EmailAddress.objects.create(user=learner.user, email="typo.address@example.org", verified=False)
    theirs = award_issue(
        badge_class=learner.badge_classes[2],
        recipient_email="typo.address@example.org",
        recipient_name="The Real Owner",
        issued_by=None,
        notify=False,
    )

    account_delete(user=learner.user)

    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert theirs.recipient_email == "typo.address@example.org"
    assert theirs.recipient_name == "The Real Owner"
    assert not EmailAddress.objects.filter(email="typo.address@example.org").exists()
