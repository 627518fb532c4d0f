"""iCalendar (RFC 5545) documents for sessions: one session's "add to calendar" file and a
learner's private feed of their booked sessions.

Each session is one ``VEVENT`` whose ``UID`` is the session's public id at a fixed domain, so a
calendar that imports the same session twice (from the page and from the feed, or after the site
moves host) updates one event instead of adding a second. A cancelled session keeps its ``UID``
and gets ``STATUS:CANCELLED`` so subscribed calendars strike it out.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import NoReverseMatch
from django.utils import timezone
from icalendar import Calendar, Event

from .models import Delivery, Session

PRODID = "-//Learning City//Opportunities//EN"
# Used when settings has no SITE_DOMAIN: independent of the host so UIDs never change.
DEFAULT_UID_DOMAIN = "sessions.learningcity"


def uid_domain() -> str:
    return getattr(settings, "SITE_DOMAIN", "") or DEFAULT_UID_DOMAIN


def session_uid(session: Session) -> str:
    return f"{session.public_id}@{uid_domain()}"


def opportunity_absolute_url(session: Session) -> str:
    """The public page of the session's opportunity on ``SITE_URL`` ("" if not routable yet)."""
    try:
        path = session.opportunity.get_absolute_url()
    except NoReverseMatch:
        return ""
    return f"{settings.SITE_URL}{path}"


def session_location(session: Session) -> str:
    opportunity = session.opportunity
    if opportunity.delivery == Delivery.ONLINE:
        return "Online"
    parts = [opportunity.venue_name, opportunity.address, opportunity.postcode]
    place = ", ".join(part.strip() for part in parts if part and part.strip())
    if not place and opportunity.delivery == Delivery.BOTH:
        return "Online"
    return place or ""


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return timezone.localtime(moment, datetime.UTC)


def sessions_calendar(
    *,
    sessions: Iterable[Session],
    name: str,
    url_for: Callable[[Session], str] | None = None,
) -> bytes:
    """An iCalendar document (bytes, ready for ``text/calendar``) with one event per session.

    ``url_for(session)`` gives the absolute URL put in each event's description and ``URL``
    property; by default the opportunity's public page on ``SITE_URL``. Sessions should come with
    ``opportunity`` selected (``select_related("opportunity__city")``) to avoid a query each.
    """
    url_for = url_for or opportunity_absolute_url
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    stamp = _utc(timezone.now())
    for session in sessions:
        opportunity = session.opportunity
        url = url_for(session)
        event = Event()
        event.add("uid", session_uid(session))
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(session.starts_at))
        event.add("dtend", _utc(session.ends_at))
        event.add("summary", opportunity.title)
        location = session_location(session)
        if location:
            event.add("location", location)
        description = opportunity.summary
        if url:
            description = f"{description}\n\n{url}" if description else url
            event.add("url", url)
        event.add("description", description)
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        calendar.add_component(event)
    return calendar.to_ical()
