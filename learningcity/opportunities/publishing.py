"""Publishing opportunities: organisations write them and add their dates; the city moderates.

Writes are services named ``<entity>_<action>`` with keyword-only arguments. Each checks who may
act, so every caller (views, the API, the shell) gets the same rules:

- an organisation's editors, issuers and owners create and change its opportunities and sessions;
- the city's admins approve what is waiting for review, or send it back with a reason.

The lifecycle is draft → (submitted →) published → archived. Submitting applies the city's
moderation rule (``City.opportunity_review``). Editing a **published** opportunity keeps it
published: going back to review on every typo fix would hide an opportunity learners may already
have booked, and the city team can still send it back (which unpublishes it) if an edit breaks
its rules.

Every write that changes what search shows (text, topics, status) ends with
:func:`learningcity.opportunities.search.opportunity_reindex`, inside the transaction, so the
index never disagrees with a committed opportunity.

Reads for the staff pages and the review queue are at the end of the module.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.text import slugify

from learningcity.accounts.models import User
from learningcity.badges.models import BadgeClass, BadgeStatus, Skill
from learningcity.badges.sanitise import raster_sanitise
from learningcity.cities.access import user_is_city_admin
from learningcity.cities.models import City
from learningcity.cities.selectors import area_for_postcode, outward_code_from_postcode
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import role_at_least
from learningcity.organisations.models import Membership, Organisation, Role

from . import search
from .models import (
    Booking,
    BookingMode,
    BookingStatus,
    Delivery,
    Opportunity,
    OpportunityStatus,
    Session,
    Topic,
)
from .tasks import booking_email_send, opportunity_review_notify

DEFAULT_TOPICS: tuple[str, ...] = (
    "Arts and culture",
    "Careers and enterprise",
    "Community and volunteering",
    "Digital and tech",
    "Environment",
    "Health and care",
    "Languages and culture",
    "Life skills",
    "Maths and English",
    "Music",
    "Science and nature",
    "Sport and wellbeing",
)

# The most sessions one call may add: a year of weekly sessions fits twice over, and a slip of
# the year in a "weekly until" date cannot make thousands.
SESSIONS_PER_CALL = 100

# What opportunity_create / opportunity_update accept in ``data``: the form's cleaned_data.
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "summary",
        "description",
        "type",
        "level",
        "min_age",
        "max_age",
        "price",
        "bursary_info",
        "capacity",
        "waitlist_enabled",
        "booking_mode",
        "booking_url",
        "award_on_check_in",
        "step_free",
        "accessible_toilet",
        "hearing_loop",
        "bsl",
        "quiet_space",
        "large_print",
        "accessibility_notes",
        "contact_name",
        "contact_email",
        "contact_phone",
        "delivery",
        "venue_name",
        "address",
        "postcode",
        "online_url",
        "image_alt",
    }
)
# ``image`` in data: an uploaded file (sanitised and stored), or None / False to remove the picture.
IMAGE_FIELD = "image"
RELATION_FIELDS = frozenset({"topics", "skills", "badge_classes", "partners"})


# --- Who may act ---------------------------------------------------------------------------------


def _require_editor(*, user: User, organisation: Organisation) -> None:
    """``user`` is an editor or above of ``organisation`` (or a superuser), else AccessDenied."""
    if user.is_superuser:
        return
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None or not role_at_least(membership.role, Role.EDITOR):
        raise AccessDenied(errors.OPPORTUNITY_EDITORS_ONLY)


def _require_city_admin(*, user: User, opportunity: Opportunity) -> None:
    if not user_is_city_admin(user=user, city=opportunity.city):
        raise AccessDenied(errors.OPPORTUNITY_CITY_ADMINS_ONLY)


def _lock(opportunity: Opportunity) -> Opportunity:
    """``opportunity``'s row, locked until the transaction ends. Precondition: inside atomic."""
    return (
        Opportunity.objects.select_for_update()
        .select_related("city", "organisation")
        .get(pk=opportunity.pk)
    )


def _status_error(opportunity: Opportunity, action: str) -> ServiceError:
    return ServiceError(
        errors.OPPORTUNITY_STATUS_CHANGE_INVALID.format(
            title=opportunity.title,
            status=opportunity.get_status_display().lower(),
            action=action,
        )
    )


# --- Topics --------------------------------------------------------------------------------------


def topics_ensure_defaults(*, city: City) -> list[Topic]:
    """Give ``city`` the :data:`DEFAULT_TOPICS` it does not have yet (matched by slug), and return
    all its topics. Idempotent: topics a city renamed or added are left alone."""
    with transaction.atomic():
        have = set(Topic.objects.filter(city=city).values_list("slug", flat=True))
        Topic.objects.bulk_create(
            [
                Topic(city=city, name=name, slug=slugify(name))
                for name in DEFAULT_TOPICS
                if slugify(name) not in have
            ],
            ignore_conflicts=True,
        )
    return list(Topic.objects.filter(city=city).order_by("name"))


# --- Checking an opportunity's details -----------------------------------------------------------


@dataclass
class Place:
    """Where an opportunity happens, resolved from its delivery and postcode."""

    postcode: str = ""
    area: Any = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _normalise_postcode(value: str) -> str:
    """“bn24gl” → “BN2 4GL”; an outward code alone stays as it is (“bn2” → “BN2”)."""
    compact = "".join(value.upper().split())
    outward = outward_code_from_postcode(value)
    inward = compact[len(outward) :]
    return f"{outward} {inward}" if inward else outward


def opportunity_place_resolve(*, city: City, delivery: str, postcode: str) -> Place:
    """The place of an opportunity delivered as ``delivery`` at ``postcode`` in ``city``.

    In person (or both): the postcode is required and must be one of the city's postcode
    districts; the area and its centroid give the map position (learners see a district, never
    a door). Online: no place at all. Raises ``ServiceError(field="postcode")`` naming the
    postcode and the city when it is unknown.
    """
    if delivery == Delivery.ONLINE:
        return Place()
    postcode = (postcode or "").strip()
    if not postcode:
        raise ServiceError(errors.OPPORTUNITY_POSTCODE_REQUIRED, field="postcode")
    try:
        normalised = _normalise_postcode(postcode)
        _, area = area_for_postcode(city=city, postcode=postcode)
    except ServiceError as exc:
        if exc.message == errors.POSTCODE_INVALID:
            raise
        raise ServiceError(
            errors.OPPORTUNITY_POSTCODE_UNKNOWN.format(postcode=postcode.upper(), city=city.name),
            field="postcode",
        ) from None
    return Place(postcode=normalised, area=area, latitude=area.latitude, longitude=area.longitude)


def opportunity_problems(
    *, organisation: Organisation, data: dict[str, Any], linked_badge_count: int = 0
) -> list[ServiceError]:
    """Every reason ``data`` (a form's cleaned_data) cannot be saved for ``organisation``, each
    with the field it belongs to. Empty when all is well. The form shows them all at once; the
    services raise the first.

    ``linked_badge_count`` is how many badges an opportunity being changed already links, for
    when ``data`` leaves its badges as they are.
    """
    city = organisation.city
    problems: list[ServiceError] = []
    try:
        opportunity_place_resolve(
            city=city,
            delivery=data.get("delivery", Delivery.IN_PERSON),
            postcode=data.get("postcode", ""),
        )
    except ServiceError as exc:
        problems.append(exc)
    min_age, max_age = data.get("min_age"), data.get("max_age")
    if min_age is not None and max_age is not None and min_age > max_age:
        problems.append(ServiceError(errors.OPPORTUNITY_AGE_RANGE, field="max_age"))
    if data.get("booking_mode") == BookingMode.EXTERNAL and not data.get("booking_url"):
        problems.append(ServiceError(errors.OPPORTUNITY_BOOKING_URL_REQUIRED, field="booking_url"))
    badge_classes = list(data.get("badge_classes") or ())
    if any(
        badge.organisation_id != organisation.pk or badge.status != BadgeStatus.PUBLISHED
        for badge in badge_classes
    ):
        problems.append(ServiceError(errors.OPPORTUNITY_BADGE_NOT_OURS, field="badge_classes"))
    has_badges = bool(badge_classes) if "badge_classes" in data else linked_badge_count > 0
    if data.get("award_on_check_in") and not has_badges:
        problems.append(
            ServiceError(errors.OPPORTUNITY_AWARD_NEEDS_BADGE, field="award_on_check_in")
        )
    topics: Iterable[Topic] = data.get("topics") or ()
    if any(topic.city_id != city.pk for topic in topics):
        problems.append(
            ServiceError(
                errors.OPPORTUNITY_TOPIC_NOT_IN_CITY.format(city=city.name), field="topics"
            )
        )
    skills: Iterable[Skill] = data.get("skills") or ()
    if any(skill.framework.city_id != city.pk for skill in skills):
        problems.append(
            ServiceError(
                errors.OPPORTUNITY_SKILL_NOT_IN_CITY.format(city=city.name), field="skills"
            )
        )
    if data.get(IMAGE_FIELD) and not (data.get("image_alt") or "").strip():
        problems.append(ServiceError(errors.OPPORTUNITY_IMAGE_ALT_REQUIRED, field="image_alt"))
    partners: Iterable[Organisation] = data.get("partners") or ()
    if any(
        partner.pk == organisation.pk or partner.city_id != city.pk or not partner.is_active
        for partner in partners
    ):
        problems.append(
            ServiceError(
                errors.OPPORTUNITY_PARTNER_INVALID.format(city=city.name), field="partners"
            )
        )
    return problems


# The fields opportunity_problems reads, so an update's partial data is checked with the rest.
_CHECKED_FIELDS = (
    "delivery",
    "postcode",
    "min_age",
    "max_age",
    "booking_mode",
    "booking_url",
    "image_alt",
)


def _prepare(
    *, organisation: Organisation, data: dict[str, Any], current: Opportunity | None = None
) -> tuple[dict, dict, bytes | bool | None]:
    """Split ``data`` into column values (with the place resolved), relations and the picture
    (PNG bytes to store, False to remove it, None to leave it), or raise the first problem.
    ``current`` is the opportunity being changed: what ``data`` leaves out is checked as it is
    now."""
    unknown = set(data) - EDITABLE_FIELDS - RELATION_FIELDS - {IMAGE_FIELD}
    if unknown:
        raise TypeError(f"Opportunities have no editable field {', '.join(sorted(unknown))}")
    full = dict(data)
    if current is not None:
        for name in _CHECKED_FIELDS:
            full.setdefault(name, getattr(current, name))
        full.setdefault("award_on_check_in", current.award_on_check_in)
    # Badges already linked are not checked again: one archived since must not block every edit.
    linked = current.badge_classes.count() if current is not None else 0
    problems = opportunity_problems(organisation=organisation, data=full, linked_badge_count=linked)
    if problems:
        raise problems[0]
    values = {name: value for name, value in data.items() if name in EDITABLE_FIELDS}
    relations = {name: list(value or ()) for name, value in data.items() if name in RELATION_FIELDS}
    # A price of 0 is free, which the model spells None (a check constraint keeps prices > 0).
    if "price" in values and not values["price"]:
        values["price"] = None
    for name in ("title", "summary", "venue_name", "address", "contact_name", "contact_phone"):
        if isinstance(values.get(name), str):
            values[name] = values[name].strip()
    if current is None or "delivery" in data or "postcode" in data:
        delivery = full.get("delivery", Delivery.IN_PERSON)
        place = opportunity_place_resolve(
            city=organisation.city, delivery=delivery, postcode=full.get("postcode", "")
        )
        values.update(
            postcode=place.postcode,
            area=place.area,
            latitude=place.latitude,
            longitude=place.longitude,
        )
        if delivery == Delivery.ONLINE:
            values.update(venue_name="", address="")
    picture: bytes | bool | None = None
    if IMAGE_FIELD in data:
        upload = data[IMAGE_FIELD]
        picture = _picture_clean(upload) if upload else False
        if picture is False:
            values["image_alt"] = ""
    return values, relations, picture


def _picture_clean(upload: Any) -> bytes:
    """An uploaded picture re-encoded as a PNG with no metadata (uploads are hostile: the
    badges' sanitiser decodes within pixel limits and writes fresh bytes)."""
    try:
        return raster_sanitise(upload.read())
    except ServiceError as exc:
        message = (
            errors.OPPORTUNITY_IMAGE_FORMAT
            if exc.message == errors.BADGE_IMAGE_FORMAT
            else exc.message
        )
        raise ServiceError(message, field=IMAGE_FIELD) from None


def _picture_store(opportunity: Opportunity, picture: bytes | bool | None) -> None:
    """Store or remove the picture; the old file goes once the transaction commits."""
    if picture is None:
        return
    old = opportunity.image.name if opportunity.image else ""
    if picture is False:
        opportunity.image = None  # type: ignore[assignment]
    else:
        assert isinstance(picture, bytes)
        opportunity.image.save(f"{opportunity.public_id}.png", ContentFile(picture), save=False)
    opportunity.save(update_fields=["image", "image_alt", "updated_at"])
    if old and old != opportunity.image.name:
        storage = opportunity.image.storage
        transaction.on_commit(lambda: storage.delete(old))


def _set_relations(opportunity: Opportunity, relations: dict[str, list]) -> None:
    for name, objects in relations.items():
        getattr(opportunity, name).set(objects)


# --- Writing opportunities -----------------------------------------------------------------------


@transaction.atomic
def opportunity_create(
    *, organisation: Organisation, by: User, data: dict[str, Any]
) -> Opportunity:
    """A new draft opportunity of ``organisation`` from ``data`` (a form's cleaned_data, with the
    relations ``topics``, ``skills``, ``badge_classes`` and ``partners`` as lists of objects).

    ``by`` must be an editor or above. Problems raise ``ServiceError`` with the field they
    belong to (see :func:`opportunity_problems`). The organisation need not be active yet:
    staff can prepare drafts while the city looks at their registration.
    """
    _require_editor(user=by, organisation=organisation)
    values, relations, picture = _prepare(organisation=organisation, data=data)
    opportunity = Opportunity(
        city=organisation.city,
        organisation=organisation,
        created_by=by,
        status=OpportunityStatus.DRAFT,
        **values,
    )
    opportunity.save()
    _set_relations(opportunity, relations)
    _picture_store(opportunity, picture)
    search.opportunity_reindex(opportunity)
    return opportunity


@transaction.atomic
def opportunity_update(*, opportunity: Opportunity, by: User, data: dict[str, Any]) -> Opportunity:
    """Change ``opportunity`` from ``data`` (as for :func:`opportunity_create`; missing keys are
    left as they are). Its status does not change: a published opportunity stays published (see
    the module docstring). Archived opportunities are read-only."""
    _require_editor(user=by, organisation=opportunity.organisation)
    locked = _lock(opportunity)
    if locked.status == OpportunityStatus.ARCHIVED:
        raise ServiceError(errors.OPPORTUNITY_ARCHIVED.format(title=locked.title))
    values, relations, picture = _prepare(
        organisation=locked.organisation, data=data, current=locked
    )
    capacity_before = locked.capacity
    for name, value in values.items():
        setattr(locked, name, value)
    locked.save()
    _set_relations(locked, relations)
    _picture_store(locked, picture)
    if locked.capacity != capacity_before:
        _sessions_capacity_follow(opportunity=locked)
    search.opportunity_reindex(locked)
    return locked


def _sessions_capacity_follow(*, opportunity: Opportunity) -> None:
    """Give the opportunity's upcoming sessions its new capacity, never below the places already
    booked on each (those bookings stand; the session is simply full). One UPDATE, so it cannot
    interleave with a booking's conditional ``booked_count`` update.

    Sessions with people waiting are handed to the booking service after commit, which gives
    any places that opened to the waitlist in order and emails each person moved up.
    """
    upcoming = Session.objects.filter(
        opportunity=opportunity, is_cancelled=False, starts_at__gt=timezone.now()
    )
    if opportunity.capacity is None:
        upcoming.update(capacity=None, updated_at=timezone.now())
    else:
        upcoming.update(
            capacity=Greatest(Value(opportunity.capacity), F("booked_count")),
            updated_at=timezone.now(),
        )
    waiting = list(
        upcoming.filter(bookings__status=BookingStatus.WAITLISTED)
        .distinct()
        .values_list("pk", flat=True)
    )
    if waiting:
        transaction.on_commit(lambda: _waitlists_fill(session_ids=waiting))


def _waitlists_fill(*, session_ids: list[int]) -> None:
    from .booking import session_waitlist_fill  # booking builds on publishing, not the reverse

    for session in Session.objects.filter(pk__in=session_ids):
        session_waitlist_fill(session=session)


@transaction.atomic
def opportunity_submit(*, opportunity: Opportunity, by: User) -> Opportunity:
    """Put a draft forward under the city's moderation rule (``City.opportunity_review``):

    - ``none``: published at once;
    - ``untrusted`` (the default): published at once if the organisation is trusted, otherwise
      waiting for review;
    - ``all``: always waiting for review.

    ``by`` must be an editor or above, and the organisation must be active.
    """
    _require_editor(user=by, organisation=opportunity.organisation)
    locked = _lock(opportunity)
    organisation = locked.organisation
    if not organisation.is_active:
        raise ServiceError(
            errors.OPPORTUNITY_ORGANISATION_NOT_ACTIVE.format(name=organisation.name)
        )
    if locked.status != OpportunityStatus.DRAFT:
        raise _status_error(locked, "submitted")
    rule = locked.city.opportunity_review
    publish_now = rule == City.OpportunityReview.NONE or (
        rule == City.OpportunityReview.UNTRUSTED and organisation.is_trusted
    )
    now = timezone.now()
    locked.submitted_at = now
    if publish_now:
        locked.status = OpportunityStatus.PUBLISHED
        locked.published_at = now
        locked.review_note = ""
    else:
        locked.status = OpportunityStatus.SUBMITTED
    locked.save(
        update_fields=["status", "submitted_at", "published_at", "review_note", "updated_at"]
    )
    search.opportunity_reindex(locked)
    return locked


@transaction.atomic
def opportunity_approve(*, opportunity: Opportunity, by: User) -> Opportunity:
    """An admin of the opportunity's city publishes an opportunity waiting for review. The
    organisation's editors and owners are emailed after commit."""
    _require_city_admin(user=by, opportunity=opportunity)
    locked = _lock(opportunity)
    if locked.status != OpportunityStatus.SUBMITTED:
        raise _status_error(locked, "approved")
    locked.status = OpportunityStatus.PUBLISHED
    locked.published_at = timezone.now()
    locked.reviewed_by = by
    locked.review_note = ""
    locked.save(
        update_fields=["status", "published_at", "reviewed_by", "review_note", "updated_at"]
    )
    search.opportunity_reindex(locked)
    _notify_staff_after_commit(locked, event="approved")
    return locked


@transaction.atomic
def opportunity_send_back(*, opportunity: Opportunity, by: User, reason: str) -> Opportunity:
    """An admin of the opportunity's city sends it back to draft with ``reason``, which its staff
    see on the opportunity and in an email. Works on one waiting for review and on a published
    one (the city taking it down); learners' bookings are kept."""
    _require_city_admin(user=by, opportunity=opportunity)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(errors.OPPORTUNITY_SEND_BACK_REASON_REQUIRED, field="reason")
    locked = _lock(opportunity)
    if locked.status not in {OpportunityStatus.SUBMITTED, OpportunityStatus.PUBLISHED}:
        raise _status_error(locked, "sent back")
    locked.status = OpportunityStatus.DRAFT
    locked.review_note = reason
    locked.reviewed_by = by
    locked.save(update_fields=["status", "review_note", "reviewed_by", "updated_at"])
    search.opportunity_reindex(locked)
    _notify_staff_after_commit(locked, event="sent_back")
    return locked


@transaction.atomic
def opportunity_archive(*, opportunity: Opportunity, by: User) -> Opportunity:
    """Take an opportunity off the site for good (it stays in the staff's list, read-only).
    ``by`` must be an editor or above."""
    _require_editor(user=by, organisation=opportunity.organisation)
    locked = _lock(opportunity)
    if locked.status == OpportunityStatus.ARCHIVED:
        raise _status_error(locked, "archived")
    locked.status = OpportunityStatus.ARCHIVED
    locked.save(update_fields=["status", "updated_at"])
    search.opportunity_reindex(locked)
    return locked


def _notify_staff_after_commit(opportunity: Opportunity, *, event: str) -> None:
    opportunity_id = opportunity.pk
    transaction.on_commit(
        lambda: opportunity_review_notify.enqueue(opportunity_id=opportunity_id, event=event)
    )


# --- Sessions ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionPattern:
    """When sessions happen, in the city's local time.

    - ``one_off``: ``dates`` holds one date;
    - ``dates``: ``dates`` holds several;
    - ``weekly``: ``dates`` holds the first date, and sessions repeat every 7 days up to and
      including ``until``.
    """

    kind: str
    start_time: datetime.time
    end_time: datetime.time
    dates: tuple[datetime.date, ...] = field(default_factory=tuple)
    until: datetime.date | None = None

    ONE_OFF = "one_off"
    DATES = "dates"
    WEEKLY = "weekly"

    @classmethod
    def one_off(
        cls, date: datetime.date, start: datetime.time, end: datetime.time
    ) -> SessionPattern:
        return cls(kind=cls.ONE_OFF, start_time=start, end_time=end, dates=(date,))

    @classmethod
    def several(
        cls, dates: Sequence[datetime.date], start: datetime.time, end: datetime.time
    ) -> SessionPattern:
        return cls(kind=cls.DATES, start_time=start, end_time=end, dates=tuple(dates))

    @classmethod
    def weekly(
        cls,
        first: datetime.date,
        until: datetime.date,
        start: datetime.time,
        end: datetime.time,
    ) -> SessionPattern:
        return cls(kind=cls.WEEKLY, start_time=start, end_time=end, dates=(first,), until=until)


def session_dates(pattern: SessionPattern) -> list[datetime.date]:
    """The dates ``pattern`` describes, in order, each once. Raises ServiceError for a pattern
    with no dates, a last date before the first, or more than :data:`SESSIONS_PER_CALL`."""
    if not pattern.dates:
        raise ServiceError(errors.SESSION_DATES_REQUIRED, field="dates")
    if pattern.kind == SessionPattern.WEEKLY:
        first = pattern.dates[0]
        if pattern.until is None or pattern.until < first:
            raise ServiceError(errors.SESSION_UNTIL_BEFORE_FIRST, field="until")
        count = (pattern.until - first).days // 7 + 1
        if count > SESSIONS_PER_CALL:
            raise ServiceError(
                errors.SESSIONS_TOO_MANY.format(count=count, limit=SESSIONS_PER_CALL),
                field="until",
            )
        return [first + datetime.timedelta(weeks=week) for week in range(count)]
    dates = sorted(set(pattern.dates))
    if len(dates) > SESSIONS_PER_CALL:
        raise ServiceError(
            errors.SESSIONS_TOO_MANY.format(count=len(dates), limit=SESSIONS_PER_CALL),
            field="dates",
        )
    return dates


def local_to_utc(
    *, date: datetime.date, time: datetime.time, tz: zoneinfo.ZoneInfo
) -> datetime.datetime:
    """The instant ``time`` on ``date`` on the wall clocks of ``tz``.

    The offset is the one in force on that date, so 18:00 stays 18:00 local across a clock
    change (17:00 UTC in British Summer Time, 18:00 UTC in winter). A time in the hour the clocks
    skip (01:30 on the spring-forward night in London) is read with the offset before the change
    (PEP 495, fold=0), so it lands an hour later on the new clock; a time in the repeated autumn
    hour is its first occurrence.
    """
    return datetime.datetime.combine(date, time, tzinfo=tz).astimezone(datetime.UTC)


@transaction.atomic
def sessions_add(*, opportunity: Opportunity, by: User, pattern: SessionPattern) -> list[Session]:
    """Add the sessions ``pattern`` describes to ``opportunity``, in its city's time zone, each
    with the opportunity's capacity. ``by`` must be an editor or above.

    A session that already exists at the same start (a double-clicked form) is not added twice.
    Refused: archived opportunities, an end time not after the start time, dates in the past
    (in the city's time zone), more than :data:`SESSIONS_PER_CALL` sessions at once.
    """
    _require_editor(user=by, organisation=opportunity.organisation)
    locked = _lock(opportunity)
    if locked.status == OpportunityStatus.ARCHIVED:
        raise ServiceError(errors.OPPORTUNITY_ARCHIVED.format(title=locked.title))
    if pattern.end_time <= pattern.start_time:
        raise ServiceError(errors.SESSION_END_BEFORE_START, field="end_time")
    tz = zoneinfo.ZoneInfo(locked.city.timezone)
    today = timezone.now().astimezone(tz).date()
    dates = session_dates(pattern)
    for date in dates:
        if date < today:
            raise ServiceError(
                errors.SESSION_IN_THE_PAST.format(date=f"{date.day} {date:%B %Y}"),
                field="dates" if pattern.kind == SessionPattern.DATES else "date",
            )
    wanted = [
        (
            local_to_utc(date=date, time=pattern.start_time, tz=tz),
            local_to_utc(date=date, time=pattern.end_time, tz=tz),
        )
        for date in dates
    ]
    existing = set(
        Session.objects.filter(
            opportunity=locked,
            is_cancelled=False,
            starts_at__in=[starts for starts, _ in wanted],
        ).values_list("starts_at", flat=True)
    )
    sessions = Session.objects.bulk_create(
        [
            Session(opportunity=locked, starts_at=starts, ends_at=ends, capacity=locked.capacity)
            for starts, ends in wanted
            if starts not in existing
        ]
    )
    opportunity_sync_dates(opportunity=locked)
    return sessions


@transaction.atomic
def session_cancel(*, session: Session, by: User) -> Session:
    """Cancel one session of an opportunity: it stays listed as cancelled, takes no more
    bookings, and its bookings are kept so the people who booked can be told
    (:func:`session_cancelled_tell_bookers`). ``by`` must be an editor or above."""
    opportunity = session.opportunity
    _require_editor(user=by, organisation=opportunity.organisation)
    locked = Session.objects.select_for_update().get(pk=session.pk)
    if locked.is_cancelled:
        raise ServiceError(errors.SESSION_ALREADY_CANCELLED)
    if locked.ends_at <= timezone.now():
        raise ServiceError(errors.SESSION_ALREADY_ENDED)
    locked.is_cancelled = True
    locked.save(update_fields=["is_cancelled", "updated_at"])
    opportunity_sync_dates(opportunity=opportunity)
    session_id = locked.pk
    transaction.on_commit(lambda: session_cancelled_tell_bookers(session_id=session_id))
    return locked


def session_cancelled_tell_bookers(*, session_id: int) -> None:
    """Run after a session's cancellation commits: email everyone with a live booking (booked or
    waitlisted) that the date is off. Their bookings are kept as they were, so the attendee list
    still shows who was expecting to come (``Session.is_cancelled`` tells them apart)."""
    booking_ids = Booking.objects.filter(session_id=session_id).exclude(
        status=BookingStatus.CANCELLED
    )
    for booking_id in booking_ids.values_list("pk", flat=True):
        booking_email_send.enqueue(booking_id=booking_id, kind="session_cancelled")


def opportunity_sync_dates(*, opportunity: Opportunity) -> Opportunity:
    """Set ``first_starts_at`` and ``last_ends_at`` from the opportunity's sessions that are not
    cancelled (both None when there are none). Call it after every change to the sessions."""
    dates = Session.objects.filter(opportunity=opportunity, is_cancelled=False).aggregate(
        first=Min("starts_at"), last=Max("ends_at")
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        first_starts_at=dates["first"], last_ends_at=dates["last"], updated_at=timezone.now()
    )
    opportunity.first_starts_at = dates["first"]
    opportunity.last_ends_at = dates["last"]
    return opportunity


# --- Selectors -----------------------------------------------------------------------------------


def topic_list(*, city: City) -> QuerySet[Topic]:
    """``city``'s topics by name, giving it the defaults first if it has none at all."""
    if not Topic.objects.filter(city=city).exists():
        topics_ensure_defaults(city=city)
    return Topic.objects.filter(city=city).order_by("name")


def opportunity_list_for_staff(*, organisation: Organisation) -> QuerySet[Opportunity]:
    """``organisation``'s opportunities with their next session, how many upcoming sessions they
    have and how many places are booked on them (``next_starts_at``, ``upcoming_count``,
    ``booked_total``), newest changes first."""
    upcoming = Q(sessions__is_cancelled=False, sessions__ends_at__gt=timezone.now())
    return (
        Opportunity.objects.filter(organisation=organisation)
        .select_related("city", "area")
        .annotate(
            next_starts_at=Min("sessions__starts_at", filter=upcoming),
            upcoming_count=Count("sessions", filter=upcoming),
            booked_total=Sum("sessions__booked_count", filter=upcoming),
        )
        .order_by("-updated_at")
    )


def session_list_for_staff(*, opportunity: Opportunity) -> QuerySet[Session]:
    """The opportunity's sessions in date order, each with ``waitlist_count``."""
    return (
        Session.objects.filter(opportunity=opportunity)
        .annotate(
            waitlist_count=Count("bookings", filter=Q(bookings__status=BookingStatus.WAITLISTED))
        )
        .order_by("starts_at")
    )


def opportunity_review_queue(*, city: City) -> QuerySet[Opportunity]:
    """``city``'s opportunities waiting for review, the longest-waiting first."""
    return (
        Opportunity.objects.filter(city=city, status=OpportunityStatus.SUBMITTED)
        .select_related("organisation", "area")
        .order_by("submitted_at", "pk")
    )


def opportunity_recently_reviewed(*, city: City, limit: int = 10) -> QuerySet[Opportunity]:
    """``city``'s opportunities a city admin decided on, latest first (for the queue's history)."""
    return (
        Opportunity.objects.filter(city=city, reviewed_by__isnull=False)
        .select_related("organisation", "reviewed_by")
        .order_by("-updated_at")[:limit]
    )


def badge_classes_linkable(*, organisation: Organisation) -> QuerySet[BadgeClass]:
    """The badges an opportunity of ``organisation`` may link to: its own published ones."""
    return BadgeClass.objects.filter(
        organisation=organisation, status=BadgeStatus.PUBLISHED
    ).order_by("name")


def partner_choices(*, organisation: Organisation) -> QuerySet[Organisation]:
    """The organisations that may be named as partners: the city's other active ones."""
    return (
        Organisation.objects.filter(city_id=organisation.city_id, status=Organisation.Status.ACTIVE)
        .exclude(pk=organisation.pk)
        .order_by("name")
    )
