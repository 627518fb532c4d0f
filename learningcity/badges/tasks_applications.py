"""The email telling a learner their application was approved or not."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from .models import Application, ApplicationStatus


@task()
def application_decided_notify(*, application_id: int) -> None:
    application = Application.objects.select_related("badge_class", "applicant", "award").get(
        pk=application_id
    )
    approved = application.status == ApplicationStatus.APPROVED
    subject = (
        f"Your application for {application.badge_class.name} was approved"
        if approved
        else f"Your application for {application.badge_class.name}"
    )
    body = render_to_string(
        "badges/applications/email/decided.txt",
        {
            "application": application,
            "approved": approved,
            "link": settings.SITE_URL + reverse("application-mine"),
        },
    )
    get_connection().send_messages(
        [EmailMessage(subject=subject, body=body, to=[application.applicant.email])]
    )
