"""Telling people about their awards: the email, its delivery status, resending and reminders.

Every award gets an :class:`AwardDelivery` in the transaction that issues it (queued); the
email is sent by a task after commit. What the mail server says decides the status:

- accepted → ``sent``;
- the recipient refused (``SMTPRecipientsRefused``, e.g. 550 no such user) → ``bounced``, with
  the server's answer, so staff can fix the address and resend;
- anything else (server down, timeout, 4xx) → stays ``queued`` with ``attempts`` + 1 and the
  error; ``send_award_reminders`` retries those later, up to :data:`MAX_ATTEMPTS`.

The email's link is a signed token (``django.core.signing``) of the award's public id. It never
expires: the award page behind it is public by design. Merely opening it does *not* mark the
delivery ``claimed``: mail scanners and link previewers open every link in an email. "Claimed"
means the learner acted — they opened it signed in as the award's recipient, or pressed the
page's button (a POST, which scanners don't send): see :func:`award_delivery_claim_from_link`.
"""

from __future__ import annotations

import contextlib
import datetime
import smtplib

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.organisations.models import Organisation

from .models import Award, AwardDelivery, DeliveryStatus

TOKEN_SALT = "learningcity.badges.award-claim"  # noqa: S105 (a namespace, not a secret)
MAX_ATTEMPTS = 5


class EmailKind:
    AWARD = "award"
    REMINDER = "reminder"


def award_claim_token(award: Award) -> str:
    return signing.dumps(award.public_id, salt=TOKEN_SALT, compress=True)


def award_claim_url(award: Award) -> str:
    return settings.SITE_URL + reverse("claim-award", kwargs={"token": award_claim_token(award)})


def award_for_claim_token(*, token: str) -> Award:
    """The award a signed link names; ``ServiceError`` when the link was altered or is unknown."""
    try:
        public_id = signing.loads(token, salt=TOKEN_SALT)
    except signing.BadSignature as exc:
        raise ServiceError(errors.CLAIM_LINK_INVALID) from exc
    award = (
        Award.objects.select_related("badge_class__organisation__city")
        .filter(public_id=public_id)
        .first()
    )
    if award is None:
        raise ServiceError(errors.CLAIM_LINK_INVALID)
    return award


# --- Services ------------------------------------------------------------------------------------


def _enqueue(*, award_id: int, kind: str = EmailKind.AWARD, force: bool = False) -> None:
    from .tasks_delivery import award_email_send  # the task module imports this one

    transaction.on_commit(
        lambda: award_email_send.enqueue(award_id=award_id, kind=kind, force=force)
    )


def award_delivery_queue(*, award: Award, new: bool = False) -> AwardDelivery:
    """Record the award's email as queued and send it after commit. ``award_issue`` calls this
    inside its transaction, so an award never exists without its delivery row. ``new``: the
    award was made in this transaction, so it has no delivery row yet (one query, not two)."""
    if new:
        delivery = AwardDelivery.objects.create(award=award)
        _enqueue(award_id=award.pk)
        return delivery
    delivery, _ = AwardDelivery.objects.get_or_create(award=award)
    _enqueue(award_id=award.pk)
    return delivery


def award_deliveries_queue_new(*, awards: list[Award]) -> list[AwardDelivery]:
    """:func:`award_delivery_queue` for many awards made in this transaction (a bulk issue's
    batch), with one query; their emails go out after commit in one task
    (:func:`award_deliveries_send`)."""
    from .tasks import award_emails_send  # the task module imports this one

    deliveries = AwardDelivery.objects.bulk_create([AwardDelivery(award=a) for a in awards])
    award_ids = [award.pk for award in awards]
    if award_ids:
        transaction.on_commit(lambda: award_emails_send.enqueue(award_ids=award_ids))
    return deliveries


def award_delivery_mark_claimed(*, award: Award) -> AwardDelivery:
    """The recipient has the award in hand (acted on the email's link, or claimed it with a
    code)."""
    delivery, _ = AwardDelivery.objects.get_or_create(award=award)
    if delivery.status != DeliveryStatus.CLAIMED:
        delivery.status = DeliveryStatus.CLAIMED
        delivery.claimed_at = timezone.now()
        delivery.save(update_fields=["status", "claimed_at", "updated_at"])
    return delivery


def award_delivery_claim_from_link(*, award: Award, user: User | None, pressed: bool) -> bool:
    """Someone is on the page the email's link opens. Mark the delivery claimed when a person
    acted on it: ``pressed`` the page's button (a POST), or is signed in as the award's
    recipient. A bare GET by anyone else — a mail scanner, a link preview — changes nothing.
    A revoked award is never claimed. Returns whether the delivery is now claimed."""
    if award.revoked_at is not None:
        return False
    is_recipient = (
        user is not None and award.recipient_id is not None and (award.recipient_id == user.pk)
    )
    if not (pressed or is_recipient):
        return AwardDelivery.objects.filter(award=award, status=DeliveryStatus.CLAIMED).exists()
    award_delivery_mark_claimed(award=award)
    return True


@transaction.atomic
def award_delivery_resend(*, award: Award) -> AwardDelivery:
    """Send the award's email again, whatever became of the last one (a fixed bounce, a lost
    email). A claimed delivery stays claimed."""
    if award.revoked_at is not None:
        raise ServiceError(errors.DELIVERY_AWARD_REVOKED)
    delivery, _ = AwardDelivery.objects.select_for_update().get_or_create(award=award)
    if delivery.status != DeliveryStatus.CLAIMED:
        delivery.status = DeliveryStatus.QUEUED
        delivery.save(update_fields=["status", "updated_at"])
    _enqueue(award_id=award.pk, force=True)
    return delivery


def _message(award: Award, *, kind: str) -> EmailMessage:
    organisation = award.badge_class.organisation
    context = {
        "award": award,
        "badge_class": award.badge_class,
        "organisation": organisation,
        "city": organisation.city,
        "link": award_claim_url(award),
        "award_url": settings.SITE_URL + award.get_absolute_url(),
    }
    if kind == EmailKind.REMINDER:
        subject = f"Reminder: your {award.badge_class.name} badge from {organisation.name}"
    else:
        subject = f"You've earned the {award.badge_class.name} badge from {organisation.name}"
    body = render_to_string(f"badges/email/award_{kind}.txt", context)
    return EmailMessage(subject=subject, body=body, to=[award.recipient_email])


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def award_delivery_send(*, award_id: int, kind: str = EmailKind.AWARD, force: bool = False) -> str:
    """Send one award email now and record how it went; returns the delivery's status.

    Skips (unless ``force``) a delivery that is already sent or claimed, so a task that runs
    twice sends once; always skips revoked awards. The SMTP conversation happens outside any
    transaction: no row stays locked while a slow server answers.
    """
    delivery = AwardDelivery.objects.select_related("award__badge_class__organisation__city").get(
        award_id=award_id
    )
    return _delivery_send(delivery, kind=kind, force=force)


def _delivery_send(
    delivery: AwardDelivery, *, kind: str, force: bool, connection: BaseEmailBackend | None = None
) -> str:
    """:func:`award_delivery_send` of a delivery read with its award, badge class, organisation
    and city; through ``connection`` when the caller keeps one open for many emails."""
    award = delivery.award
    if award.revoked_at is not None:
        return delivery.status
    if not force and kind == EmailKind.AWARD and delivery.status != DeliveryStatus.QUEUED:
        return delivery.status
    now = timezone.now()
    fields = ["attempts", "last_error", "status", "updated_at"]
    delivery.attempts += 1
    try:
        sender = connection if connection is not None else get_connection(fail_silently=False)
        sender.send_messages([_message(award, kind=kind)])
    except smtplib.SMTPRecipientsRefused as exc:
        delivery.status = DeliveryStatus.BOUNCED
        delivery.last_error = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
    except (smtplib.SMTPException, OSError) as exc:
        # Temporary or unknown: keep it queued for the retry pass.
        if delivery.status != DeliveryStatus.CLAIMED:
            delivery.status = DeliveryStatus.QUEUED
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
    else:
        delivery.last_error = ""
        if delivery.status != DeliveryStatus.CLAIMED:
            delivery.status = DeliveryStatus.SENT
        if kind == EmailKind.REMINDER:
            delivery.reminded_at = now
            fields.append("reminded_at")
        else:
            delivery.sent_at = now
            fields.append("sent_at")
    delivery.save(update_fields=fields)
    return delivery.status


def award_deliveries_send(*, award_ids: list[int]) -> None:
    """:func:`award_delivery_send` of many award emails (a bulk issue's batch): the deliveries
    read with one query, and one connection to the mail server for all of them. Each email's
    outcome is recorded on its own delivery exactly as when sent alone; after a temporary
    failure the connection is dropped, so the next email opens its own."""
    deliveries = (
        AwardDelivery.objects.select_related("award__badge_class__organisation__city")
        .filter(award_id__in=award_ids)
        .order_by("pk")
    )
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (smtplib.SMTPException, OSError):
        _close_quietly(connection)  # each send below tries again, and records why it failed
    try:
        for delivery in deliveries:
            status = _delivery_send(
                delivery, kind=EmailKind.AWARD, force=False, connection=connection
            )
            if status == DeliveryStatus.QUEUED and delivery.last_error:
                _close_quietly(connection)
    finally:
        _close_quietly(connection)


def _close_quietly(connection: BaseEmailBackend) -> None:
    with contextlib.suppress(smtplib.SMTPException, OSError):
        connection.close()


def award_reminders_send(*, older_than: datetime.timedelta) -> int:
    """Remind, once, everyone whose award email was sent more than ``older_than`` ago and who
    has not opened its link. Returns how many reminders went out."""
    sent = 0
    for award_id in award_delivery_list_to_remind(older_than=older_than).values_list(
        "award_id", flat=True
    ):
        award_delivery_send(award_id=award_id, kind=EmailKind.REMINDER)
        if AwardDelivery.objects.filter(award_id=award_id, reminded_at__isnull=False).exists():
            sent += 1
    return sent


def award_deliveries_retry() -> int:
    """Try again every email that failed for a temporary reason. Returns how many were tried."""
    award_ids = list(award_delivery_list_to_retry().values_list("award_id", flat=True))
    for award_id in award_ids:
        award_delivery_send(award_id=award_id)
    return len(award_ids)


# --- Selectors -----------------------------------------------------------------------------------


def award_delivery_list(
    *, organisation: Organisation, status: str | None = None
) -> QuerySet[AwardDelivery]:
    deliveries = AwardDelivery.objects.filter(
        award__badge_class__organisation=organisation
    ).select_related("award__badge_class")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-award__issued_at", "-pk")


def award_delivery_list_to_remind(*, older_than: datetime.timedelta) -> QuerySet[AwardDelivery]:
    return AwardDelivery.objects.filter(
        status=DeliveryStatus.SENT,
        sent_at__lte=timezone.now() - older_than,
        reminded_at__isnull=True,
        award__revoked_at__isnull=True,
    ).order_by("sent_at")


def award_delivery_list_to_retry() -> QuerySet[AwardDelivery]:
    return AwardDelivery.objects.filter(
        status=DeliveryStatus.QUEUED,
        attempts__gte=1,
        attempts__lt=MAX_ATTEMPTS,
        award__revoked_at__isnull=True,
    ).order_by("pk")
