"""The demo cities' opportunities, their sessions and some bookings by the demo learners.

:func:`demo_opportunities_load` turns the programme in ``opportunity_data`` into rows. Dates are
relative to the day of the first load, so a fresh demo always has sessions coming up, some in
the past and some this weekend. An opportunity is known by its organisation and title: one that
exists already is left exactly as it is (with its sessions and bookings), so loading the demo
again adds nothing.

Rows are written in bulk, not through the publishing and booking services: those refuse dates in
the past, and submitting, approving and booking send emails that a demo load must not send. The
rules the services keep are kept here too — the place comes from
``publishing.opportunity_place_resolve``, ``first_starts_at``/``last_ends_at`` from the sessions,
``booked_count`` from the bookings — and the search index is rebuilt for what was added.
"""

from __future__ import annotations

import datetime
import hashlib
import re
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from learningcity.accounts.models import LearnerProfile, User, age_on
from learningcity.badges.authoring import badge_class_publish
from learningcity.badges.models import Award, BadgeClass, BadgeStatus
from learningcity.badges.services import award_issue
from learningcity.badges.skills import skills_builder_ensure
from learningcity.cities.models import City
from learningcity.opportunities import search
from learningcity.opportunities.models import (
    Booking,
    BookingMode,
    BookingStatus,
    Delivery,
    Opportunity,
    OpportunityStatus,
    Session,
)
from learningcity.opportunities.publishing import opportunity_place_resolve, topics_ensure_defaults
from learningcity.organisations.models import Organisation

from . import data
from .opportunity_data import COMMUNITY_VENUES as COMMUNITY
from .opportunity_data import ORGANISATION_OFFERS, VENUES, WHAT_TO_EXPECT, Offer, Venue

# Markers spread up to about 400 m around their district's centroid, so they do not stack.
JITTER_DEGREES = Decimal("0.0035")

ACCESSIBILITY_SENTENCES = {
    "step_free": "There is step-free access throughout",
    "accessible_toilet": "an accessible toilet",
    "hearing_loop": "a hearing loop",
    "bsl": "a British Sign Language interpreter",
    "quiet_space": "a quiet room you can use at any time",
    "large_print": "large-print materials on request",
}


@dataclass
class DemoOpportunityReport:
    opportunities: int = 0
    sessions: int = 0
    bookings: int = 0
    awards: int = 0


def _stable_fraction(*parts: object) -> float:
    """A number in [0, 1) that depends only on ``parts``: the same on every load and machine."""
    digest = hashlib.sha256("|".join(str(part) for part in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def _jitter(value: Decimal, *parts: object) -> Decimal:
    offset = (Decimal(_stable_fraction(*parts)) * 2 - 1) * JITTER_DEGREES
    return (value + offset).quantize(Decimal("0.00001"))


def _times(offer: Offer) -> tuple[datetime.time, datetime.time]:
    """A plausible time of day for the offer's sessions."""
    text = f"{offer.summary} {offer.details}".lower()
    if "morning" in text or (_weekday(offer) or 0) >= 5:
        return datetime.time(10, 0), datetime.time(12, 30)
    if offer.type == "work_experience":
        return datetime.time(9, 0), datetime.time(16, 0)
    if offer.delivery == "online":
        return datetime.time(19, 0), datetime.time(20, 30)
    if offer.schedule in ("dates", "weekend"):
        return datetime.time(10, 0), datetime.time(12, 30)
    if offer.type in ("club", "course"):
        return datetime.time(17, 30), datetime.time(19, 30)
    if offer.type == "event":
        return datetime.time(18, 0), datetime.time(20, 30)
    return datetime.time(16, 30), datetime.time(18, 30)


def _saturday_of_this_weekend(today: datetime.date) -> datetime.date:
    """As discovery's "this weekend": the coming Saturday, or yesterday on a Sunday."""
    if today.weekday() == 6:
        return today - datetime.timedelta(days=1)
    return today + datetime.timedelta(days=(5 - today.weekday()) % 7)


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
# "six weeks", "eight-week", "four live sessions", "six Saturday morning sessions", "two-session"
COUNT_RE = re.compile(
    rf"\b({'|'.join(NUMBER_WORDS)})[ -](?:(?:weekly|live|online|short|saturday|morning) )*"
    r"(?:weeks?|sessions?|evenings)\b"
)


def _weekday(offer: Offer) -> int | None:
    """The day of the week the offer's text names ("every Tuesday"), if any."""
    text = f"{offer.summary} {offer.details}".lower()
    for number, name in enumerate(WEEKDAYS):
        if name in text:
            return number
    return None


def _count(offer: Offer, default: int) -> int:
    """How many sessions the offer's text promises ("over five weeks"), else ``default``."""
    found = COUNT_RE.search(f"{offer.summary} {offer.details}".lower())
    return NUMBER_WORDS.index(found.group(1)) + 2 if found else default


def _session_dates(offer: Offer, number: int, today: datetime.date) -> list[datetime.date]:
    """The local dates of an offer's sessions; ``number`` varies them between offers."""
    day = datetime.timedelta(days=1)
    week = datetime.timedelta(days=7)
    saturday = _saturday_of_this_weekend(today)
    if offer.schedule == "weekly":
        # The day its text names (else a weekday), started a few weeks ago (some start next
        # week): clubs run all term, courses as many weeks as they say.
        weekday = _weekday(offer)
        monday = today - today.weekday() * day
        first = monday + (number % 5 if weekday is None else weekday) * day
        first -= (3 if number % 3 else -1) * week
        count = _count(offer, 10 if offer.type in ("club", "other", "volunteering") else 6)
        return [first + n * week for n in range(count)]
    if offer.schedule == "once":
        return [today + (4 + (number * 11) % 52) * day]
    if offer.schedule == "dates":
        offsets = (-2, 1, 4, 7, 10) if number % 2 else (1, 3, 5, 7, 9)
        return [saturday + n * week for n in offsets[: min(_count(offer, 3), 5)]]
    if offer.schedule == "week":
        monday = today - today.weekday() * day + (2 + number % 4) * week
        return [monday + n * day for n in range(5)]
    if offer.schedule == "weekend":
        # This weekend's Saturday (Sunday for some), and the same day a fortnight later.
        first = saturday + (number % 2) * day
        return [first, first + 2 * week]
    if offer.schedule == "past":
        return [today - (10 + (number * 7) % 40) * day]
    return []  # self-paced


def _session_times(
    offer: Offer, number: int, today: datetime.date, zone: zoneinfo.ZoneInfo
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    start, end = _times(offer)
    return [
        (
            datetime.datetime.combine(date, start, tzinfo=zone).astimezone(datetime.UTC),
            datetime.datetime.combine(date, end, tzinfo=zone).astimezone(datetime.UTC),
        )
        for date in _session_dates(offer, number, today)
    ]


def _description(offer: Offer, venue: Venue | None) -> str:
    parts = [offer.details, WHAT_TO_EXPECT[offer.type]]
    if venue is not None:
        parts.append(f"**Where:** {venue.name}, {venue.address}, {venue.postcode}.")
    if offer.delivery in ("online", "both"):
        parts.append("**Online:** the joining link is shown on your booking once you have a place.")
    if offer.price:
        parts.append(f"**Cost:** £{offer.price}. {offer.bursary}".strip())
    else:
        parts.append("**Cost:** free.")
    return "\n\n".join(parts)


def _accessibility_notes(offer: Offer) -> str:
    if offer.delivery == Delivery.ONLINE:
        if "large_print" not in offer.access:
            return ""
        return (
            "Slides and handouts come in large print on request, and live sessions have "
            "captions switched on."
        )
    if not offer.access:
        return ""
    sentences = [ACCESSIBILITY_SENTENCES[name] for name in offer.access]
    if sentences[0][0].islower():
        sentences[0] = "There is " + sentences[0]
    text = sentences[0] if len(sentences) == 1 else ", ".join(sentences[:-1])
    if len(sentences) > 1:
        text += f" and {sentences[-1]}"
    return text + ". Tell us about anything else you need and we will do our best to help."


def _badge_classes(organisation: Organisation) -> list[BadgeClass]:
    """The organisation's demo badge classes in the order of ``data.BADGES_BY_TYPE``, published
    (an opportunity may link only published badges of its own organisation)."""
    names = [name for name, *_ in data.BADGES_BY_TYPE.get(organisation.type, [])]
    by_name = {badge.name: badge for badge in organisation.badge_classes.filter(name__in=names)}
    badges = [by_name[name] for name in names if name in by_name]
    for badge in badges:
        if badge.status == BadgeStatus.DRAFT:
            badge_class_publish(badge_class=badge)
    return badges


def _learner_ages(learners: list[User]) -> dict[int, int]:
    today = timezone.localdate()
    ages = {}
    for profile in LearnerProfile.objects.filter(user__in=learners):
        if profile.date_of_birth is None or profile.needs_guardian_consent:
            continue
        ages[profile.user_id] = age_on(profile.date_of_birth, today)
    return ages


@transaction.atomic
def demo_opportunities_load(*, city: City, learners: list[User]) -> DemoOpportunityReport:
    """Add the demo programme's opportunities of ``city`` that are not there yet, with their
    sessions, links and some bookings by ``learners``; then index what was added."""
    report = DemoOpportunityReport()
    zone = zoneinfo.ZoneInfo(city.timezone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    topics = {topic.name: topic for topic in topics_ensure_defaults(city=city)}
    framework = skills_builder_ensure(city=city)
    skills = {skill.name: skill for skill in framework.skills.all()}
    existing = set(Opportunity.objects.filter(city=city).values_list("organisation_id", "title"))

    planned: list[tuple[Opportunity, Offer, list[BadgeClass], list]] = []
    for organisation in Organisation.objects.filter(city=city).order_by("pk"):
        offers = ORGANISATION_OFFERS.get(organisation.name, [])
        if not offers or all((organisation.pk, o.title) in existing for o in offers):
            continue
        badges = _badge_classes(organisation)
        editor = User.objects.filter(email=f"editor@{organisation.slug}.demo.learningcity.test")
        for number, offer in enumerate(offers):
            if (organisation.pk, offer.title) in existing:
                continue
            opportunity = _opportunity(
                city=city,
                organisation=organisation,
                offer=offer,
                number=number,
                created_by=editor.first(),
                now=now,
            )
            linked = [badges[i] for i in offer.badges if i < len(badges)]
            times = _session_times(offer, number + organisation.pk, today, zone)
            if times:
                opportunity.first_starts_at = min(starts for starts, _ in times)
                opportunity.last_ends_at = max(ends for _, ends in times)
            opportunity.award_on_check_in = offer.award_on_check_in and bool(linked)
            planned.append((opportunity, offer, linked, times))
    if not planned:
        return report

    created = Opportunity.objects.bulk_create([opportunity for opportunity, *_ in planned])
    report.opportunities = len(created)
    topic_links, skill_links, badge_links, sessions = [], [], [], []
    for opportunity, offer, linked, times in planned:
        topic_links += [
            Opportunity.topics.through(opportunity_id=opportunity.pk, topic_id=topics[name].pk)
            for name in offer.topics
            if name in topics
        ]
        skill_names = {skill["name"] for badge in linked for skill in badge.skills}
        skill_links += [
            Opportunity.skills.through(opportunity_id=opportunity.pk, skill_id=skills[name].pk)
            for name in sorted(skill_names)
            if name in skills
        ]
        badge_links += [
            Opportunity.badge_classes.through(opportunity_id=opportunity.pk, badgeclass_id=b.pk)
            for b in linked
        ]
        sessions += [
            Session(
                opportunity=opportunity, starts_at=starts, ends_at=ends, capacity=offer.capacity
            )
            for starts, ends in times
        ]
    Opportunity.topics.through.objects.bulk_create(topic_links)
    Opportunity.skills.through.objects.bulk_create(skill_links)
    Opportunity.badge_classes.through.objects.bulk_create(badge_links)
    report.sessions = len(Session.objects.bulk_create(sessions))

    _bookings(planned=planned, learners=learners, now=now, report=report)
    search.opportunities_reindex_bulk([opportunity.pk for opportunity in created])
    return report


def _opportunity(
    *,
    city: City,
    organisation: Organisation,
    offer: Offer,
    number: int,
    created_by: User | None,
    now: datetime.datetime,
) -> Opportunity:
    venue = None
    if offer.delivery != Delivery.ONLINE:
        venue = COMMUNITY[offer.venue] if offer.venue else VENUES[organisation.name]
    place = opportunity_place_resolve(
        city=city, delivery=offer.delivery, postcode=venue.postcode if venue else ""
    )
    slug = slugify(offer.title)
    status = offer.status
    # Published a while ago (earlier offers more recently); submitted ones wait since yesterday.
    published_at = None
    if status in (OpportunityStatus.PUBLISHED, OpportunityStatus.ARCHIVED):
        published_at = now - datetime.timedelta(days=3 + number * 4, hours=number)
    submitted_at = None
    if status != OpportunityStatus.DRAFT:
        submitted_at = (published_at or now) - datetime.timedelta(days=1, hours=number)
    # Online, only large print means anything (a venue's ramps and toilets do not).
    features = {
        name: name in offer.access and (offer.delivery != Delivery.ONLINE or name == "large_print")
        for name in ACCESSIBILITY_SENTENCES
    }
    return Opportunity(
        city=city,
        organisation=organisation,
        title=offer.title,
        summary=offer.summary,
        description=_description(offer, venue),
        type=offer.type,
        level=offer.level,
        min_age=offer.ages[0],
        max_age=offer.ages[1],
        price=Decimal(offer.price) if offer.price else None,
        bursary_info=offer.bursary,
        capacity=offer.capacity,
        waitlist_enabled=offer.booking == BookingMode.BOOK_HERE,
        booking_mode=offer.booking,
        booking_url=(
            f"https://{organisation.slug}.example.org/book/{slug}"
            if offer.booking == BookingMode.EXTERNAL
            else ""
        ),
        accessibility_notes=_accessibility_notes(offer),
        contact_name=f"{organisation.name} team",
        contact_email=organisation.contact_email,
        delivery=offer.delivery,
        venue_name=venue.name if venue else "",
        address=venue.address if venue else "",
        postcode=place.postcode,
        area=place.area,
        latitude=(
            _jitter(place.latitude, organisation.slug, slug, "lat") if place.latitude else None
        ),
        longitude=(
            _jitter(place.longitude, organisation.slug, slug, "lng") if place.longitude else None
        ),
        online_url=(
            f"https://meet.example.org/{organisation.slug}/{slug}"
            if offer.delivery != Delivery.IN_PERSON
            else ""
        ),
        status=status,
        submitted_at=submitted_at,
        published_at=published_at,
        created_by=created_by,
        **features,
    )


def _bookings(
    *,
    planned: list[tuple[Opportunity, Offer, list[BadgeClass], list]],
    learners: list[User],
    now: datetime.datetime,
    report: DemoOpportunityReport,
) -> None:
    """Bookings by the learners of the right age: a few on most bookable published sessions,
    small sessions filled up with a waitlist, past sessions checked in (with the badge awarded
    when the opportunity awards on check-in)."""
    ages = _learner_ages(learners)
    bookings: list[Booking] = []
    awards: list[tuple[BadgeClass, User, datetime.datetime]] = []
    for index, (opportunity, _offer, linked, _times) in enumerate(planned):
        if (
            opportunity.status != OpportunityStatus.PUBLISHED
            or opportunity.booking_mode != BookingMode.BOOK_HERE
        ):
            continue
        eligible = [
            learner
            for learner in learners
            if learner.pk in ages and opportunity.min_age <= ages[learner.pk] <= opportunity.max_age
        ]
        if not eligible:
            continue
        sessions = list(opportunity.sessions.order_by("starts_at"))
        upcoming = [s for s in sessions if s.starts_at > now]
        past = [s for s in sessions if s.ends_at <= now]
        chosen: list[Session] = upcoming[:1] + past[-1:]
        for session in chosen:
            # Small sessions fill up (and grow a waitlist); others get a handful of bookings.
            if session.capacity is not None and session.capacity <= 6:
                wanted = session.capacity + (2 if session.starts_at > now else 0)
            else:
                wanted = 1 + index % 3
            start = index % len(eligible)
            picked = (eligible[start:] + eligible[:start])[:wanted]
            booked = 0
            for learner in picked:
                full = session.capacity is not None and booked >= session.capacity
                if full and session.starts_at <= now:
                    break
                checked_in = session.ends_at <= now and (booked + index) % 3 != 0
                bookings.append(
                    Booking(
                        session=session,
                        learner=learner,
                        status=BookingStatus.WAITLISTED if full else BookingStatus.BOOKED,
                        checked_in_at=session.starts_at + datetime.timedelta(minutes=5)
                        if checked_in
                        else None,
                    )
                )
                if not full:
                    booked += 1
                if checked_in and opportunity.award_on_check_in:
                    awards += [(badge, learner, session.ends_at) for badge in linked]
            if booked:
                session.booked_count = booked
                session.save(update_fields=["booked_count"])
    report.bookings = len(Booking.objects.bulk_create(bookings))
    for badge, learner, issued_at in awards:
        if Award.objects.filter(badge_class=badge, recipient_email=learner.email).exists():
            continue
        award_issue(
            badge_class=badge,
            recipient_email=learner.email,
            recipient_name=learner.display_name,
            issued_by=None,
            issued_at=issued_at,
            notify=False,
        )
        report.awards += 1
