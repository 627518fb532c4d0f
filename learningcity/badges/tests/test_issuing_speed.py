"""Bulk issuing reads once per batch what its awards share (AwardIssueCache), and still makes
exactly what one award at a time makes: the same credentials, status bits, accounts, refusals.

Speed is pinned by counting queries, never by timing.
"""

from __future__ import annotations

import copy
import datetime
import json

import pytest
from allauth.account.models import EmailAddress
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import issuing
from learningcity.badges.delivery import award_deliveries_retry, award_deliveries_send
from learningcity.badges.models import (
    Award,
    AwardDelivery,
    BulkIssue,
    BulkIssueRow,
    DeliveryStatus,
    IssuerKey,
    StatusList,
)
from learningcity.badges.services import (
    AwardEvidence,
    AwardIssueCache,
    award_issue,
    award_revoke,
    issuer_ensure,
    issuer_key_rotate,
)
from learningcity.badges.signals import award_landed
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.badges.tests.smtp_server import fake_smtp_server
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials.verify import Status, verify
from learningcity.verification.tests.test_platform_badges import SITE, SiteFetcher

pytestmark = pytest.mark.django_db

HEADER = "email,name,issue_date,expiry,evidence_narrative,evidence_url,badge\n"


@pytest.fixture
def badge_class():
    return BadgeClassFactory(name="Teamwork", status="published")


def _bulk(badge_class, emails, *, narrative="Came to every session"):
    rows = "".join(f"{email},Person {n},,,{narrative},,\n" for n, email in enumerate(emails))
    bulk_issue = issuing.bulk_issue_create(
        organisation=badge_class.organisation,
        badge_class=badge_class,
        created_by=None,
        data=(HEADER + rows).encode(),
    )
    BulkIssue.objects.filter(pk=bulk_issue.pk).update(status=BulkIssue.Status.QUEUED)
    return bulk_issue


def issue(badge_class, email, **kwargs):
    return award_issue(badge_class=badge_class, recipient_email=email, issued_by=None, **kwargs)


def _emails(count, prefix="learner"):
    return [f"{prefix}{n}@example.org" for n in range(count)]


# --- Queries -------------------------------------------------------------------------------------


def test_a_bulk_issue_takes_a_handful_of_queries_per_row_not_a_dozen(
    badge_class, django_assert_max_num_queries
):
    """Per row: the award's insert inside the row's savepoint. Per batch of 50: the rows,
    issuer, keys, accounts, awards held, status list, deliveries, rows saved. Before the cache,
    each row took 23 statements (2,313 for these 100)."""
    issuer_ensure(organisation=badge_class.organisation)  # the keys are made once, not per run
    bulk_issue = _bulk(badge_class, _emails(100))
    with django_assert_max_num_queries(3 * 100 + 2 * 20 + 10):
        assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk) == 100
    assert Award.objects.count() == AwardDelivery.objects.count() == 100


def test_one_award_on_its_own_takes_fewer_queries_than_before(
    badge_class, django_assert_max_num_queries
):
    issuer_ensure(organisation=badge_class.organisation)
    award_issue(badge_class=badge_class, recipient_email="first@example.org", issued_by=None)
    with django_assert_max_num_queries(14):  # 20 before
        award_issue(badge_class=badge_class, recipient_email="sam@example.org", issued_by=None)


# --- The same result -----------------------------------------------------------------------------


def _shape(credential: dict) -> dict:
    """A credential without what differs from award to award (ids, salt, dates, proof, bit)."""
    shape = copy.deepcopy(credential)
    for key in ("id", "proof", "validFrom", "credentialStatus"):
        shape.pop(key, None)
    shape["credentialSubject"].pop("identifier")
    return shape


def test_a_bulk_issued_credential_is_the_one_award_issue_makes_alone(badge_class):
    alone = award_issue(
        badge_class=badge_class,
        recipient_email="alone@example.org",
        issued_by=None,
        evidence=[AwardEvidence(narrative="Came to every session")],
    )
    bulk_issue = _bulk(badge_class, ["bulk@example.org"])
    issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk)
    bulk = Award.objects.get(recipient_email="bulk@example.org")
    assert _shape(bulk.ob3_credential) == _shape(alone.ob3_credential)
    status = bulk.ob3_credential["credentialStatus"]
    assert (
        status["statusListCredential"]
        == alone.ob3_credential["credentialStatus"]["statusListCredential"]
    )
    assert status["statusListIndex"] == str(bulk.status_index)
    assert (
        bulk.ob3_credential["proof"][0]["verificationMethod"]
        == (alone.ob3_credential["proof"][0]["verificationMethod"])
    )


def _check(source):
    if isinstance(source, dict):
        source = json.dumps(source)
    return verify(source, fetcher=SiteFetcher(), now=timezone.now())


@override_settings(SITE_URL=SITE)
def test_every_bulk_issued_award_verifies_both_ways_and_can_be_revoked(badge_class):
    bulk_issue = _bulk(badge_class, _emails(3))
    issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk)
    awards = list(Award.objects.filter(badge_class=badge_class).order_by("pk"))
    assert len(awards) == 3
    for award in awards:
        for source in (award.ob3_credential, award.ob3_jwt):
            verdict = _check(source)
            assert verdict.status is Status.VALID, verdict.reasons
    award_revoke(award=awards[1], by=None, reason="Wrong person")
    assert _check(awards[1].ob3_credential).status is Status.REVOKED
    assert _check(awards[0].ob3_credential).status is Status.VALID


def test_bulk_awards_take_consecutive_bits_and_a_refused_row_leaves_no_gap(badge_class):
    first = issue(badge_class, "first@example.org")
    bulk_issue = _bulk(badge_class, _emails(5))
    # Someone gives learner2 the badge between the preview and the run: that row is refused.
    award_issue(badge_class=badge_class, recipient_email="learner2@example.org", issued_by=None)
    assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk, batch_size=3) == 4
    refused = BulkIssueRow.objects.get(bulk_issue=bulk_issue, email="learner2@example.org")
    assert refused.issue_error == errors.AWARD_ALREADY_HELD.format(email="learner2@example.org")
    assert refused.award is None
    indexes = sorted(Award.objects.values_list("status_index", flat=True))
    assert indexes == list(range(first.status_index, first.status_index + 6))
    assert StatusList.objects.get().next_index == first.status_index + 6
    after = issue(badge_class, "after@example.org")
    assert after.status_index == first.status_index + 6


def test_a_full_status_list_mid_batch_goes_on_in_a_new_one(badge_class):
    issuer = issuer_ensure(organisation=badge_class.organisation)
    award_issue(badge_class=badge_class, recipient_email="first@example.org", issued_by=None)
    StatusList.objects.filter(issuer=issuer).update(next_index=StatusList.LENGTH - 2)
    bulk_issue = _bulk(badge_class, _emails(5))
    assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk) == 5
    lists = list(StatusList.objects.filter(issuer=issuer).order_by("created_at"))
    assert [status.next_index for status in lists] == [StatusList.LENGTH, 3]
    bits = set(Award.objects.values_list("status_list_id", "status_index"))
    assert len(bits) == 6


def test_bulk_awards_land_on_the_accounts_that_verified_their_addresses(badge_class):
    sam = UserFactory(email="sam@example.org")
    EmailAddress.objects.update_or_create(
        user=sam, email="sam@example.org", defaults={"verified": True, "primary": True}
    )
    kim = UserFactory(email="kim.work@example.org")
    EmailAddress.objects.create(user=kim, email="Kim@Example.ORG", verified=True)
    lee = UserFactory(email="lee@example.org")
    EmailAddress.objects.create(user=lee, email="lee.unverified@example.org", verified=False)
    # Not ASCII: looked up on its own, exactly as user_for_email does.
    zoe = UserFactory(email="zoe@example.org")
    EmailAddress.objects.create(user=zoe, email="Zoe@Exämple.org", verified=True)
    bulk_issue = _bulk(
        badge_class,
        [
            "sam@example.org",
            "kim@example.org",
            "lee.unverified@example.org",
            "zoe@exämple.org",
            "nobody@exämple.org",
        ],
    )
    issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk)
    recipients = dict(Award.objects.values_list("recipient_email", "recipient_id"))
    assert recipients == {
        "sam@example.org": sam.pk,
        "kim@example.org": kim.pk,
        "lee.unverified@example.org": None,
        "zoe@exämple.org": zoe.pk,
        "nobody@exämple.org": None,
    }


def test_an_expired_award_held_already_is_replaced_by_the_bulk_one(badge_class):
    old = award_issue(
        badge_class=badge_class,
        recipient_email="learner0@example.org",
        issued_by=None,
        issued_at=timezone.now() - datetime.timedelta(days=10),
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    bulk_issue = _bulk(badge_class, _emails(2))
    assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk) == 2
    old.refresh_from_db()
    assert old.replaced_at is not None
    assert Award.objects.filter(recipient_email="learner0@example.org").count() == 2


def test_a_key_rotated_between_batches_signs_the_next_batch(badge_class):
    issuer = issuer_ensure(organisation=badge_class.organisation)
    bulk_issue = _bulk(badge_class, _emails(4))
    assert issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk, batch_size=2) == 4
    before = IssuerKey.objects.get(issuer=issuer, kind="ed25519", retired_at__isnull=True)
    issuer_key_rotate(issuer=issuer)
    bulk_issue = _bulk(badge_class, _emails(2, prefix="later"))
    issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk)
    after = IssuerKey.objects.get(issuer=issuer, kind="ed25519", retired_at__isnull=True)
    methods = {
        award.recipient_email: award.ob3_credential["proof"][0]["verificationMethod"]
        for award in Award.objects.all()
    }
    assert methods["learner0@example.org"].endswith("#" + before.key_id)
    assert methods["later0@example.org"].endswith("#" + after.key_id)


# --- The cache's own rules -----------------------------------------------------------------------


def test_the_cache_is_used_only_inside_one_batch_at_a_time(badge_class):
    cache = AwardIssueCache()
    with pytest.raises(RuntimeError):
        award_issue(
            badge_class=badge_class, recipient_email="a@example.org", issued_by=None, cache=cache
        )
    with (
        transaction.atomic(),
        cache.batch(awards=[]),
        pytest.raises(RuntimeError),
        cache.batch(awards=[]),
    ):
        pass


def test_an_award_given_elsewhere_after_the_batch_was_read_is_refused_not_doubled(badge_class):
    bulk_issue = _bulk(badge_class, ["sam@example.org"])
    row = bulk_issue.rows.get()
    cache = AwardIssueCache()
    with transaction.atomic(), cache.batch(awards=[(badge_class, "sam@example.org")]):
        # Another request's award, after the batch read that Sam held none.
        award_issue(badge_class=badge_class, recipient_email="sam@example.org", issued_by=None)
        issuing._issue_row_unsaved(row, issued_by=None, cache=cache)
        assert row.award is None
        assert row.issue_error == errors.AWARD_ALREADY_HELD.format(email="sam@example.org")
        # Asked again, the cache now asks the database.
        with pytest.raises(ServiceError):
            award_issue(
                badge_class=badge_class,
                recipient_email="sam@example.org",
                issued_by=None,
                cache=cache,
            )
    assert Award.objects.filter(recipient_email="sam@example.org").count() == 1
    assert AwardDelivery.objects.count() == 1


def test_an_award_undone_by_its_callers_savepoint_gets_no_delivery(badge_class):
    cache = AwardIssueCache()
    with transaction.atomic(), cache.batch(awards=[(badge_class, "sam@example.org")]):
        try:
            with transaction.atomic():
                award_issue(
                    badge_class=badge_class,
                    recipient_email="sam@example.org",
                    issued_by=None,
                    cache=cache,
                )
                raise ValueError("the caller changes its mind")
        except ValueError:
            pass
        kept = award_issue(
            badge_class=badge_class, recipient_email="kim@example.org", issued_by=None, cache=cache
        )
    assert list(Award.objects.all()) == [kept]
    assert list(AwardDelivery.objects.values_list("award_id", flat=True)) == [kept.pk]


# --- The emails of a batch -----------------------------------------------------------------------


@pytest.fixture
def smtp():
    with (
        fake_smtp_server() as server,
        override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST=server.host,
            EMAIL_PORT=server.port,
            EMAIL_USE_TLS=False,
            EMAIL_HOST_USER="",
            EMAIL_HOST_PASSWORD="",
            EMAIL_TIMEOUT=5,
        ),
    ):
        yield server


@pytest.fixture
def connections_opened(monkeypatch):
    """How many connections to the mail server were opened (a spy on Django's SMTP backend)."""
    opened = []
    real_open = SMTPBackend.open

    def open_and_count(self):
        new = real_open(self)
        if new:
            opened.append(self)
        return new

    monkeypatch.setattr(SMTPBackend, "open", open_and_count)
    return opened


def test_a_batch_sends_its_emails_over_one_connection_each_recorded_on_its_own(
    badge_class, smtp, connections_opened, django_capture_on_commit_callbacks
):
    smtp.reject("learner3@example.org")
    bulk_issue = _bulk(badge_class, _emails(6))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk, batch_size=4)
    assert len(callbacks) == 2  # one email task per batch, not one per award
    assert len(connections_opened) == 2
    for n in (0, 1, 2, 4, 5):
        (message,) = smtp.to(f"learner{n}@example.org")
        assert message.message["Subject"] == "You've earned the Teamwork badge from " + (
            badge_class.organisation.name
        )
        assert "/claim/award/" in message.body
    statuses = dict(AwardDelivery.objects.values_list("award__recipient_email", "status"))
    assert statuses.pop("learner3@example.org") == DeliveryStatus.BOUNCED
    assert set(statuses.values()) == {DeliveryStatus.SENT}
    assert set(AwardDelivery.objects.values_list("attempts", flat=True)) == {1}
    # The task running twice sends nothing twice.
    award_deliveries_send(award_ids=list(Award.objects.values_list("pk", flat=True)))
    assert len(smtp.messages) == 5


def test_a_mail_server_that_is_down_leaves_a_batch_queued_for_the_retry(
    badge_class, smtp, django_capture_on_commit_callbacks
):
    smtp.down = True
    bulk_issue = _bulk(badge_class, _emails(3))
    with django_capture_on_commit_callbacks(execute=True):
        issuing.bulk_issue_process(bulk_issue_id=bulk_issue.pk)
    for delivery in AwardDelivery.objects.all():
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.QUEUED, 1)
        assert "421" in delivery.last_error
    smtp.down = False
    assert award_deliveries_retry() == 3
    assert set(AwardDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SENT}
    assert len(smtp.messages) == 3


def test_a_batch_sends_award_landed_once_per_account_after_commit(
    badge_class, django_capture_on_commit_callbacks
):
    """One pathways check per learner per batch, not one per award (the demo's history of
    2,700 awards queued 1,268 checks before this)."""
    sam = UserFactory(email="sam@example.org")
    second = BadgeClassFactory(organisation=badge_class.organisation, status="published")
    received: list[tuple[int, list[int]]] = []

    def on_landed(sender, *, user_id, award_ids, **kwargs):
        received.append((user_id, sorted(award_ids)))

    award_landed.connect(on_landed, dispatch_uid="test-landed-once")
    try:
        cache = AwardIssueCache()
        planned = [(badge_class, sam.email), (second, sam.email), (badge_class, "kim@example.org")]
        with (
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
            cache.batch(awards=planned),
        ):
            first = award_issue(
                badge_class=badge_class, recipient_email=sam.email, issued_by=None, cache=cache
            )
            other = award_issue(
                badge_class=second, recipient_email=sam.email, issued_by=None, cache=cache
            )
            award_issue(  # no account for Kim yet: nothing lands
                badge_class=badge_class,
                recipient_email="kim@example.org",
                issued_by=None,
                cache=cache,
            )
            assert received == []  # not before commit
        assert received == [(sam.pk, sorted([first.pk, other.pk]))]
    finally:
        award_landed.disconnect(dispatch_uid="test-landed-once")
