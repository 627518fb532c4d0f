"""award_issue's evidence, expiry and re-issue rules; awards landing on a later account; bulk
issuing from CSV (checks, confirm once, exactly once)."""

from __future__ import annotations

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import PASSWORD, UserFactory
from learningcity.badges import issuing
from learningcity.badges.models import Award, BulkIssue, BulkIssueRow
from learningcity.badges.services import AwardEvidence, award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import AreaFactory
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HEADER = "email,name,issue_date,expiry,evidence_narrative,evidence_url,badge\n"


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(organisation=organisation, name="Teamwork", status="published")


def issue(badge_class, email="amara@example.org", **kwargs):
    return award_issue(badge_class=badge_class, recipient_email=email, issued_by=None, **kwargs)


# --- award_issue ---------------------------------------------------------------------------------


def test_evidence_is_stored_on_the_award_and_put_in_the_credential(badge_class):
    award = issue(
        badge_class,
        evidence=[AwardEvidence(narrative="Led the litter pick.", url="https://example.org/p")],
    )
    assert award.evidence == [{"narrative": "Led the litter pick.", "url": "https://example.org/p"}]
    evidence = (
        award.ob3_credential["credentialSubject"].get("evidence")
        or award.ob3_credential["evidence"]
    )
    assert evidence[0]["narrative"] == "Led the litter pick."
    assert evidence[0]["id"] == "https://example.org/p"


def test_evidence_needs_a_narrative_or_a_url():
    with pytest.raises(ValueError):
        AwardEvidence()


def test_the_expiry_defaults_to_the_badge_class_expiry_period(organisation):
    badge_class = BadgeClassFactory(organisation=organisation, status="published")
    if not hasattr(badge_class, "expiry_months"):
        pytest.skip("BadgeClass.expiry_months is not there yet")
    badge_class.expiry_months = 12
    badge_class.save()
    issued_at = timezone.make_aware(datetime.datetime(2026, 1, 31, 10, 0))
    award = issue(badge_class, issued_at=issued_at)
    assert award.expires_at == timezone.make_aware(datetime.datetime(2027, 1, 31, 10, 0))


def test_an_explicit_expiry_wins_over_the_badge_class_period(badge_class):
    expires_at = timezone.now() + datetime.timedelta(days=3)
    assert issue(badge_class, expires_at=expires_at).expires_at == expires_at


def test_issuing_twice_to_the_same_learner_is_refused(badge_class):
    issue(badge_class)
    with pytest.raises(ServiceError) as refusal:
        issue(badge_class, email=" Amara@Example.org ")
    assert refusal.value.message == errors.AWARD_ALREADY_HELD.format(email="amara@example.org")


def test_a_revoked_award_can_be_issued_again(badge_class):
    first = issue(badge_class)
    award_revoke(award=first, by=None, reason="Wrong person.")
    second = issue(badge_class)
    assert second.pk != first.pk


def test_an_expired_award_is_replaced_when_issued_again(badge_class):
    past = timezone.now() - datetime.timedelta(days=400)
    first = issue(badge_class, issued_at=past, expires_at=past + datetime.timedelta(days=30))
    second = issue(badge_class)
    first.refresh_from_db()
    assert first.replaced_at is not None
    assert second.replaced_at is None


def test_the_database_refuses_a_second_live_award(badge_class):
    award = issue(badge_class)
    award.pk = None
    award.public_id = "other"
    award.status_index += 1
    with pytest.raises(IntegrityError):
        award.save()


def test_an_award_to_a_verified_address_lands_on_its_account(badge_class):
    user = UserFactory(email="amara@example.org")
    assert issue(badge_class).recipient == user


def test_an_award_waits_and_lands_on_the_account_that_verifies_the_address(client, badge_class):
    city = badge_class.organisation.city
    AreaFactory(city=city, code="BN2", name="BN2 — Kemptown")
    award = issue(badge_class, email="sam@example.org")
    assert award.recipient is None
    client.post(
        reverse("account_signup"),
        {
            "display_name": "Sam",
            "email": "sam@example.org",
            "city": city.pk,
            "date_of_birth": "1990-01-01",
            "postcode": "BN2 4GL",
            "guardian_email": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    award.refresh_from_db()
    assert award.recipient is None  # not verified yet
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", mail.outbox[-1].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    client.post("/" + path)
    assert EmailAddress.objects.get(email="sam@example.org").verified
    award.refresh_from_db()
    assert award.recipient is not None
    assert award.recipient.email == "sam@example.org"


# --- Bulk: checking the file ---------------------------------------------------------------------


def create(organisation, badge_class, text: str | bytes) -> BulkIssue:
    data = text.encode() if isinstance(text, str) else text
    return issuing.bulk_issue_create(
        organisation=organisation, badge_class=badge_class, created_by=None, data=data
    )


def row_errors(bulk_issue) -> dict[int, str]:
    return {row.line: row.error for row in bulk_issue.rows.exclude(error="")}


def test_a_clean_file_is_stored_with_no_errors_and_nothing_issued(organisation, badge_class):
    bulk_issue = create(
        organisation,
        badge_class,
        HEADER
        + "amara@example.org,Amara,2026-03-01,2027-03-01,Led a session,https://example.org/a,\n"
        + "kai@example.org,Kai,,,,,\n",
    )
    assert bulk_issue.status == BulkIssue.Status.PREVIEW
    assert row_errors(bulk_issue) == {}
    assert bulk_issue.rows.count() == 2
    assert not Award.objects.exists()


def test_each_bad_row_gets_its_own_error(organisation, badge_class):
    issue(badge_class, email="held@example.org")
    bulk_issue = create(
        organisation,
        badge_class,
        HEADER
        + "not-an-email,A,,,,,\n"  # line 2
        + "ok@example.org,B,,,,,\n"
        + "ok@example.org,B again,,,,,\n"  # line 4
        + "held@example.org,C,,,,,\n"  # line 5
        + "d@example.org,D,,,,,No Such Badge\n"  # line 6
        + "e@example.org,E,31/02/2026,,,,\n"  # line 7
        + "f@example.org,F,,,,not a url,\n",  # line 8
    )
    assert row_errors(bulk_issue) == {
        2: errors.BULK_ISSUE_EMAIL_INVALID.format(value="not-an-email"),
        4: errors.BULK_ISSUE_DUPLICATE_ROW.format(email="ok@example.org", line=3),
        5: errors.BULK_ISSUE_ALREADY_AWARDED.format(email="held@example.org"),
        6: errors.BULK_ISSUE_BADGE_UNKNOWN.format(value="No Such Badge"),
        7: errors.BULK_ISSUE_DATE_INVALID.format(value="31/02/2026"),
        8: errors.AWARD_EVIDENCE_URL_INVALID.format(value="not a url"),
    }


def test_the_badge_column_names_a_badge_by_name_or_public_id(organisation, badge_class):
    other = BadgeClassFactory(organisation=organisation, name="Leadership", status="published")
    bulk_issue = create(
        organisation,
        None,
        HEADER
        + "a@example.org,A,,,,,leadership\n"
        + f"b@example.org,B,,,,,{badge_class.public_id}\n"
        "c@example.org,C,,,,,\n",
    )
    rows = list(bulk_issue.rows.order_by("line"))
    assert [row.badge_class for row in rows[:2]] == [other, badge_class]
    assert rows[2].error == errors.BULK_ISSUE_BADGE_MISSING


def test_another_organisations_badge_is_unknown(organisation, badge_class):
    stranger = BadgeClassFactory(name="Elsewhere", status="published")
    bulk_issue = create(
        organisation, badge_class, HEADER + f"a@example.org,A,,,,,{stranger.public_id}\n"
    )
    assert row_errors(bulk_issue) == {
        2: errors.BULK_ISSUE_BADGE_UNKNOWN.format(value=stranger.public_id)
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ("email,name\n".encode("utf-16"), errors.BULK_ISSUE_NOT_UTF8),
        (b"", errors.BULK_ISSUE_EMPTY),
        (b"email,name\n", errors.BULK_ISSUE_NO_ROWS),
        (
            b"email,full name\na@example.org,A\n",
            errors.BULK_ISSUE_COLUMN_MISSING.format(column="name", required="email, name"),
        ),
    ],
)
def test_a_bad_file_is_refused_whole(organisation, badge_class, data, message):
    with pytest.raises(ServiceError) as refusal:
        create(organisation, badge_class, data)
    assert refusal.value.message == message
    assert not BulkIssue.objects.exists()


def test_more_than_the_row_limit_is_refused(organisation, badge_class, monkeypatch):
    monkeypatch.setattr(issuing, "MAX_ROWS", 3)
    rows = "".join(f"p{n}@example.org,P,,,,,\n" for n in range(4))
    with pytest.raises(ServiceError) as refusal:
        create(organisation, badge_class, HEADER + rows)
    assert refusal.value.message == errors.BULK_ISSUE_TOO_MANY_ROWS.format(limit=3)


# --- Bulk: confirming and issuing ----------------------------------------------------------------


def test_confirming_issues_every_good_row_once(
    organisation, badge_class, django_capture_on_commit_callbacks
):
    bulk_issue = create(
        organisation,
        badge_class,
        HEADER
        + "amara@example.org,Amara,2026-03-01,,Led a session,https://example.org/a,\n"
        + "bad,B,,,,,\n"
        + "kai@example.org,Kai,,,,,\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert issuing.bulk_issue_confirm(bulk_issue=bulk_issue) is True
    bulk_issue.refresh_from_db()
    assert bulk_issue.status == BulkIssue.Status.DONE
    awards = Award.objects.order_by("recipient_email")
    assert [award.recipient_email for award in awards] == ["amara@example.org", "kai@example.org"]
    assert awards[0].evidence == [{"narrative": "Led a session", "url": "https://example.org/a"}]
    assert awards[0].recipient_name == "Amara"
    assert timezone.localdate(awards[0].issued_at) == datetime.date(2026, 3, 1)
    counts = issuing.bulk_issue_counts(bulk_issue=bulk_issue)
    assert counts == {
        "total": 3,
        "invalid": 1,
        "issued": 2,
        "refused": 0,
        "to_issue": 2,
        "finished": 2,
        "percent": 100,
    }


def test_confirming_twice_starts_one_run(
    organisation, badge_class, django_capture_on_commit_callbacks, monkeypatch
):
    from learningcity.badges import tasks

    enqueued = []

    class CountingTask:
        def enqueue(self, **kwargs):
            enqueued.append(kwargs)

    monkeypatch.setattr(tasks, "bulk_issue_run", CountingTask())
    bulk_issue = create(organisation, badge_class, HEADER + "amara@example.org,Amara,,,,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        assert issuing.bulk_issue_confirm(bulk_issue=bulk_issue) is True
        assert issuing.bulk_issue_confirm(bulk_issue=bulk_issue) is False
    assert enqueued == [{"bulk_issue_id": bulk_issue.pk}]


def test_running_the_task_again_issues_nothing_twice(
    organisation, badge_class, django_capture_on_commit_callbacks
):
    bulk_issue = create(organisation, badge_class, HEADER + "amara@example.org,Amara,,,,,\n")
    with django_capture_on_commit_callbacks(execute=True):
        issuing.bulk_issue_confirm(bulk_issue=bulk_issue)
    BulkIssue.objects.filter(pk=bulk_issue.pk).update(status=BulkIssue.Status.RUNNING)
    assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk) == 0
    assert Award.objects.count() == 1


def test_a_run_cut_short_is_finished_by_the_next_worker(organisation, badge_class):
    rows = "".join(f"p{n}@example.org,P{n},,,,,\n" for n in range(5))
    bulk_issue = create(organisation, badge_class, HEADER + rows)
    BulkIssue.objects.filter(pk=bulk_issue.pk).update(status=BulkIssue.Status.QUEUED)
    # The first two rows were issued before the worker died.
    for row in bulk_issue.rows.order_by("line")[:2]:
        issuing._issue_row(row, issued_by=None)
    assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk, batch_size=2) == 3
    assert Award.objects.count() == 5
    assert BulkIssueRow.objects.filter(award__isnull=True).count() == 0


def test_a_row_issued_elsewhere_meanwhile_is_refused_not_duplicated(
    organisation, badge_class, django_capture_on_commit_callbacks
):
    bulk_issue = create(organisation, badge_class, HEADER + "amara@example.org,Amara,,,,,\n")
    issue(badge_class)
    with django_capture_on_commit_callbacks(execute=True):
        issuing.bulk_issue_confirm(bulk_issue=bulk_issue)
    row = bulk_issue.rows.get()
    assert row.issue_error == errors.AWARD_ALREADY_HELD.format(email="amara@example.org")
    assert Award.objects.count() == 1


def test_a_file_with_no_good_rows_cannot_be_confirmed(organisation, badge_class):
    bulk_issue = create(organisation, badge_class, HEADER + "bad,B,,,,,\n")
    with pytest.raises(ServiceError) as refusal:
        issuing.bulk_issue_confirm(bulk_issue=bulk_issue)
    assert refusal.value.message == errors.BULK_ISSUE_NOTHING_TO_ISSUE


def test_resume_enqueues_unfinished_runs_only(
    organisation, badge_class, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    bulk_issue = create(organisation, badge_class, HEADER + "amara@example.org,Amara,,,,,\n")
    BulkIssue.objects.filter(pk=bulk_issue.pk).update(status=BulkIssue.Status.RUNNING)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("bulk_issue_resume")
    bulk_issue.refresh_from_db()
    assert bulk_issue.status == BulkIssue.Status.DONE
    assert Award.objects.count() == 1
