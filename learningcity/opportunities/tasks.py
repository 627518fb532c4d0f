"""Background jobs of the opportunities app: the emails about bookings and reviews. Each is
enqueued after commit by the service that decides it (``booking.py``, ``publishing.py``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from learningcity.accounts.models import User
from learningcity.organisations.models import Role

from .calendar import opportunity_absolute_url
from .models import Booking, BookingStatus, Opportunity

# --- Booking emails ---------------------------------------------------------------------------

EMAIL_SUBJECTS = {
    "booked": "Your place at {title} is booked",
    "waitlisted": "You're on the waitlist for {title}",
    "promoted": "You've got a place at {title}",
    "session_cancelled": "Cancelled: {title}",
}


@task()
def booking_email_send(*, booking_id: int, kind: str) -> None:
    """Email the learner about their booking: ``kind`` is booked, waitlisted or promoted."""
    booking = (
        Booking.objects.select_related("learner", "session__opportunity__city")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None or booking.status == BookingStatus.CANCELLED:
        return
    opportunity = booking.session.opportunity
    context = {
        "booking": booking,
        "session": booking.session,
        "opportunity": opportunity,
        "name": booking.learner.get_short_name(),
        "opportunity_url": opportunity_absolute_url(booking.session),
        "bookings_url": settings.SITE_URL + reverse("learner-bookings"),
    }
    send_mail(
        subject=EMAIL_SUBJECTS[kind].format(title=opportunity.title),
        message=render_to_string(f"opportunities/booking/email/{kind}.txt", context),
        from_email=None,
        recipient_list=[booking.learner.email],
    )


# --- Review emails ----------------------------------------------------------------------------


REVIEW_SUBJECTS = {
    "approved": "{title} is published on {city} Learning City",
    "sent_back": "{title} needs changes before {city} Learning City publishes it",
}


@task()
def opportunity_review_notify(*, opportunity_id: int, event: str) -> None:
    """Email the organisation's editors, issuers and owners the city team's decision, one message
    per person so no one sees anyone else's address. A background task, enqueued after commit."""
    opportunity = Opportunity.objects.select_related("city", "organisation").get(pk=opportunity_id)
    organisation = opportunity.organisation
    staff = User.objects.filter(
        memberships__organisation=organisation,
        memberships__role__in=[Role.OWNER, Role.ISSUER, Role.EDITOR],
        is_active=True,
    )
    link = settings.SITE_URL + reverse(
        "opportunity-staff-detail",
        kwargs={
            "city_slug": opportunity.city.slug,
            "org_slug": organisation.slug,
            "public_id": opportunity.public_id,
        },
    )
    subject = REVIEW_SUBJECTS[event].format(title=opportunity.title, city=opportunity.city.name)
    body = render_to_string(
        f"opportunities/moderation/email/{event}.txt",
        {"opportunity": opportunity, "city": opportunity.city, "link": link},
    )
    addresses = sorted({person.email for person in staff})
    if addresses:
        get_connection().send_messages(
            [EmailMessage(subject=subject, body=body, to=[address]) for address in addresses]
        )
