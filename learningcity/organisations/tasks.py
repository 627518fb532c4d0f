"""Background tasks for organisations: the emails their services send after commit.

Each task takes ids, not objects (task arguments must be JSON), reads the current rows and sends
one message per recipient, so no one sees anyone else's address.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from learningcity.accounts.models import User

from .models import ROLE_DESCRIPTIONS, Invitation, Organisation, Role

STATUS_SUBJECTS = {
    "approved": "{name} is approved on {city} Learning City",
    "suspended": "{name} has been suspended on {city} Learning City",
    "reinstated": "{name} is active again on {city} Learning City",
}


def _send(*, subject: str, template: str, context: dict[str, object], to: list[str]) -> None:
    body = render_to_string(template, context)
    messages = [EmailMessage(subject=subject, body=body, to=[address]) for address in to]
    if messages:
        get_connection().send_messages(messages)


@task()
def organisation_registered_notify(*, organisation_id: int) -> None:
    """Tell the admins of the organisation's city that it is waiting for their approval."""
    organisation = Organisation.objects.select_related("city").get(pk=organisation_id)
    city = organisation.city
    admins = User.objects.filter(city_admin_memberships__city=city, is_active=True)
    queue = reverse("city-admin-organisations", kwargs={"city_slug": city.slug})
    _send(
        subject=f"{organisation.name} is waiting for approval on {city.name} Learning City",
        template="organisations/email/organisation_registered.txt",
        context={"organisation": organisation, "city": city, "link": settings.SITE_URL + queue},
        to=sorted({admin.email for admin in admins}),
    )


@task()
def organisation_status_notify(*, organisation_id: int, event: str) -> None:
    """Tell the organisation's owners that the city team approved, suspended or reinstated it."""
    organisation = Organisation.objects.select_related("city").get(pk=organisation_id)
    owners = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.OWNER, is_active=True
    )
    dashboard = reverse(
        "organisation-dashboard",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )
    _send(
        subject=STATUS_SUBJECTS[event].format(name=organisation.name, city=organisation.city.name),
        template=f"organisations/email/organisation_{event}.txt",
        context={
            "organisation": organisation,
            "city": organisation.city,
            "link": settings.SITE_URL + dashboard,
        },
        to=sorted({owner.email for owner in owners}),
    )


@task()
def invitation_send(*, invitation_id: int) -> None:
    """Email an invitation with its accept link, unless it was withdrawn before this ran."""
    invitation = Invitation.objects.select_related("organisation__city", "invited_by").get(
        pk=invitation_id
    )
    if invitation.revoked_at or invitation.accepted_at or invitation.expires_at <= timezone.now():
        return
    organisation = invitation.organisation
    _send(
        subject=f"You're invited to join {organisation.name} on Learning City",
        template="organisations/email/invitation.txt",
        context={
            "invitation": invitation,
            "organisation": organisation,
            "city": organisation.city,
            "role_description": ROLE_DESCRIPTIONS[Role(invitation.role)],
            "link": settings.SITE_URL + invitation.get_absolute_url(),
        },
        to=[invitation.email],
    )
