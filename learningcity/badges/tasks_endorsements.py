"""Emails about endorsement requests, sent after commit by ``badges.endorsements``."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from learningcity.accounts.models import User
from learningcity.organisations.models import Role

from .models import EndorsementRequest


@task()
def endorsement_request_decided_notify(*, request_id: int) -> None:
    """Tell the organisation's owners that the city endorsed or declined their badge."""
    request = EndorsementRequest.objects.select_related(
        "badge_class__organisation__city", "endorsement"
    ).get(pk=request_id)
    badge_class = request.badge_class
    organisation = badge_class.organisation
    city = organisation.city
    owners = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.OWNER, is_active=True
    )
    link = settings.SITE_URL + reverse(
        "endorsement-request-create",
        kwargs={
            "city_slug": city.slug,
            "org_slug": organisation.slug,
            "public_id": badge_class.public_id,
        },
    )
    endorsed = request.status == EndorsementRequest.Status.ENDORSED
    subject = (
        f"{city.name} endorses {badge_class.name}"
        if endorsed
        else f"{city.name} declined to endorse {badge_class.name}"
    )
    body = render_to_string(
        "badges/endorsements/email/request_decided.txt",
        {"request": request, "badge_class": badge_class, "city": city, "link": link},
    )
    messages = [
        EmailMessage(subject=subject, body=body, to=[address])
        for address in sorted({owner.email for owner in owners})
    ]
    if messages:
        get_connection().send_messages(messages)
