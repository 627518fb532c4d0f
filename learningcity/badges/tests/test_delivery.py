"""Award emails through a real (local, fake) SMTP server: sent, bounced, retried, claimed,
resent and reminded."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import delivery
from learningcity.badges.models import AwardDelivery, DeliveryStatus
from learningcity.badges.services import award_issue, award_revoke
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .factories import BadgeClassFactory
from .smtp_server import fake_smtp_server

pytestmark = pytest.mark.django_db


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
            SITE_URL="https://learning.example",
        ),
    ):
        yield server


@pytest.fixture
def badge_class():
    return BadgeClassFactory(name="First Aid", organisation__name="Hove Youth Club")


@pytest.fixture
def issue(badge_class, django_capture_on_commit_callbacks):
    """Issue an award and run what happens after commit (the email task) as production does."""

    def issue_to(email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return award_issue(badge_class=badge_class, recipient_email=email, issued_by=None)

    return issue_to


def status_of(award) -> AwardDelivery:
    return AwardDelivery.objects.get(award=award)


def link_in(body: str) -> str:
    match = re.search(r"https://learning\.example(/claim/award/[^\s]+/)", body)
    assert match, body
    return match.group(1)


class TestAwardEmail:
    def test_issuing_queues_a_delivery_in_the_same_transaction(self, badge_class):
        award = award_issue(
            badge_class=badge_class, recipient_email="a@example.org", issued_by=None
        )
        assert status_of(award).status == DeliveryStatus.QUEUED

    def test_the_email_is_sent_after_commit_and_marked_sent(self, smtp, issue):
        award = issue("amara@example.org")
        delivery_row = status_of(award)
        assert delivery_row.status == DeliveryStatus.SENT
        assert delivery_row.sent_at is not None
        assert delivery_row.attempts == 1
        (message,) = smtp.to("amara@example.org")
        assert message.message["Subject"] == (
            "You've earned the First Aid badge from Hove Youth Club"
        )
        assert "/claim/award/" in message.body

    def test_a_refused_recipient_is_bounced_with_the_servers_answer(self, smtp, issue):
        smtp.reject("nobody@example.org")
        award = issue("nobody@example.org")
        delivery_row = status_of(award)
        assert delivery_row.status == DeliveryStatus.BOUNCED
        assert "550" in delivery_row.last_error
        assert "Recipient address rejected" in delivery_row.last_error
        assert smtp.messages == []

    def test_a_server_that_is_down_leaves_it_queued_for_a_retry(self, smtp, issue):
        smtp.down = True
        award = issue("amara@example.org")
        delivery_row = status_of(award)
        assert delivery_row.status == DeliveryStatus.QUEUED
        assert delivery_row.attempts == 1
        assert "421" in delivery_row.last_error

        smtp.down = False
        assert delivery.award_deliveries_retry() == 1
        delivery_row.refresh_from_db()
        assert delivery_row.status == DeliveryStatus.SENT
        assert delivery_row.attempts == 2
        assert delivery_row.last_error == ""
        assert len(smtp.to("amara@example.org")) == 1

    def test_retrying_stops_after_the_last_attempt(self, smtp, issue):
        smtp.down = True
        award = issue("amara@example.org")
        AwardDelivery.objects.filter(award=award).update(attempts=delivery.MAX_ATTEMPTS)
        assert delivery.award_deliveries_retry() == 0

    def test_a_task_that_runs_twice_sends_once(self, smtp, issue):
        award = issue("amara@example.org")
        delivery.award_delivery_send(award_id=award.pk)
        assert len(smtp.to("amara@example.org")) == 1

    def test_a_revoked_award_is_not_emailed(
        self, smtp, badge_class, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            award = award_issue(
                badge_class=badge_class, recipient_email="a@example.org", issued_by=None
            )
            award_revoke(award=award, by=None, reason="Wrong person.")
        assert smtp.messages == []


class TestClaimLink:
    def test_opening_the_link_shows_the_award_but_does_not_mark_it_claimed(
        self, smtp, issue, client
    ):
        # Mail scanners and link previewers open every link in an email: a bare GET is not
        # the learner acting.
        award = issue("amara@example.org")
        response = client.get(link_in(smtp.to("amara@example.org")[0].body))
        assert response.status_code == 200
        assert award.get_absolute_url().encode() in response.content
        assert b"Accept my badge" in response.content
        delivery_row = status_of(award)
        assert delivery_row.status == DeliveryStatus.SENT
        assert delivery_row.claimed_at is None

    def test_pressing_the_button_marks_it_claimed(self, smtp, issue, client):
        award = issue("amara@example.org")
        path = link_in(smtp.to("amara@example.org")[0].body)
        response = client.post(path)
        assert response.status_code == 302
        assert response["Location"] == path
        delivery_row = status_of(award)
        assert delivery_row.status == DeliveryStatus.CLAIMED
        assert delivery_row.claimed_at is not None
        page = client.get(path)
        assert b"Accept my badge" not in page.content
        assert b"accepted this badge." in page.content

    def test_opening_the_link_signed_in_as_the_recipient_marks_it_claimed(
        self, smtp, issue, client
    ):
        learner = UserFactory(email="amara@example.org")
        award = issue("amara@example.org")
        assert award.recipient == learner
        client.force_login(learner)
        response = client.get(link_in(smtp.to("amara@example.org")[0].body))
        assert response.status_code == 200
        assert status_of(award).status == DeliveryStatus.CLAIMED
        assert b"Accept my badge" not in response.content

    def test_opening_the_link_signed_in_as_someone_else_does_not_mark_it_claimed(
        self, smtp, issue, client
    ):
        award = issue("amara@example.org")
        client.force_login(UserFactory(email="kai@example.org"))
        client.get(link_in(smtp.to("amara@example.org")[0].body))
        assert status_of(award).status == DeliveryStatus.SENT

    def test_a_revoked_award_is_never_marked_claimed(self, smtp, issue, client):
        award = issue("amara@example.org")
        path = link_in(smtp.to("amara@example.org")[0].body)
        award_revoke(award=award, by=None, reason="Wrong person.")
        response = client.get(path)
        assert b"Accept my badge" not in response.content
        client.post(path)
        assert status_of(award).status == DeliveryStatus.SENT

    def test_an_altered_link_is_refused(self, smtp, issue, client):
        award = issue("amara@example.org")
        path = link_in(smtp.to("amara@example.org")[0].body)
        response = client.get(path.replace("/claim/award/", "/claim/award/x"))
        assert response.status_code == 404
        assert errors.CLAIM_LINK_INVALID.encode() in response.content.replace(b"&#x27;", b"'")
        assert status_of(award).status == DeliveryStatus.SENT

    def test_the_token_names_the_award(self, badge_class):
        award = award_issue(
            badge_class=badge_class, recipient_email="a@example.org", issued_by=None
        )
        assert delivery.award_for_claim_token(token=delivery.award_claim_token(award)) == award


class TestResend:
    def test_resending_a_bounced_email_after_the_address_is_fixed_sends_it(
        self, smtp, issue, django_capture_on_commit_callbacks
    ):
        smtp.reject("amara@example.org")
        award = issue("amara@example.org")
        assert status_of(award).status == DeliveryStatus.BOUNCED
        smtp.rejected.clear()
        with django_capture_on_commit_callbacks(execute=True):
            delivery.award_delivery_resend(award=award)
        assert status_of(award).status == DeliveryStatus.SENT
        assert len(smtp.to("amara@example.org")) == 1

    def test_resending_a_sent_email_sends_it_again(
        self, smtp, issue, django_capture_on_commit_callbacks
    ):
        award = issue("amara@example.org")
        with django_capture_on_commit_callbacks(execute=True):
            delivery.award_delivery_resend(award=award)
        assert len(smtp.to("amara@example.org")) == 2
        assert status_of(award).attempts == 2

    def test_resending_a_claimed_email_keeps_it_claimed(
        self, smtp, issue, django_capture_on_commit_callbacks
    ):
        award = issue("amara@example.org")
        delivery.award_delivery_mark_claimed(award=award)
        with django_capture_on_commit_callbacks(execute=True):
            delivery.award_delivery_resend(award=award)
        assert len(smtp.to("amara@example.org")) == 2
        assert status_of(award).status == DeliveryStatus.CLAIMED

    def test_a_revoked_award_cannot_be_resent(self, smtp, issue):
        award = issue("amara@example.org")
        award_revoke(award=award, by=None, reason="Wrong person.")
        award.refresh_from_db()
        with pytest.raises(ServiceError) as caught:
            delivery.award_delivery_resend(award=award)
        assert caught.value.message == errors.DELIVERY_AWARD_REVOKED


class TestReminders:
    def age(self, award, days: int) -> None:
        AwardDelivery.objects.filter(award=award).update(
            sent_at=timezone.now() - datetime.timedelta(days=days)
        )

    def test_an_unclaimed_award_is_reminded_once(self, smtp, issue):
        award = issue("amara@example.org")
        self.age(award, 8)
        out = StringIO()
        call_command("send_award_reminders", "--days", "7", stdout=out)
        assert "sent 1 reminder(s)" in out.getvalue()
        reminder = smtp.to("amara@example.org")[-1]
        assert reminder.message["Subject"].startswith("Reminder: your First Aid badge")
        assert "/claim/award/" in reminder.body
        assert status_of(award).reminded_at is not None

        call_command("send_award_reminders", "--days", "7", stdout=StringIO())
        assert len(smtp.to("amara@example.org")) == 2

    def test_recent_claimed_and_revoked_awards_are_not_reminded(self, smtp, issue):
        recent = issue("recent@example.org")
        self.age(recent, 2)
        claimed = issue("claimed@example.org")
        self.age(claimed, 10)
        delivery.award_delivery_mark_claimed(award=claimed)
        revoked = issue("revoked@example.org")
        self.age(revoked, 10)
        award_revoke(award=revoked, by=None, reason="Wrong person.")
        assert delivery.award_reminders_send(older_than=datetime.timedelta(days=7)) == 0
        assert len(smtp.messages) == 3  # the three award emails, no reminders

    def test_a_reminder_that_bounces_marks_the_delivery_bounced(self, smtp, issue):
        award = issue("amara@example.org")
        self.age(award, 8)
        smtp.reject("amara@example.org")
        assert delivery.award_reminders_send(older_than=datetime.timedelta(days=7)) == 0
        assert status_of(award).status == DeliveryStatus.BOUNCED
