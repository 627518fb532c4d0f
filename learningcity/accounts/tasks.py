"""Background tasks for accounts: the emails their services send after commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from .models import GuardianConsent

GUARDIAN_LINK_VALID_DAYS = 14


@task()
def guardian_consent_email_send(*, consent_id: int) -> None:
    """Email the guardian the link that opens their child's account."""
    consent = GuardianConsent.objects.select_related("child__learner_profile__city").get(
        pk=consent_id
    )
    context = {
        "child_name": consent.child.display_name or "Your child",
        "city": consent.child.learner_profile.city,
        "link": settings.SITE_URL + consent.get_absolute_url(),
        "valid_days": GUARDIAN_LINK_VALID_DAYS,
    }
    send_mail(
        subject=f"{context['child_name']} would like a Learning City account",
        message=render_to_string("accounts/email/guardian_consent.txt", context),
        from_email=None,
        recipient_list=[consent.guardian_email],
    )
