"""Opportunities: what organisations offer, where and when (sessions), who booked, who came.

An :class:`Opportunity` belongs to one organisation of one city and has any number of
:class:`Session` s (dates). Learners book a session (:class:`Booking`); when it is full they join
its waitlist. Staff check attendees in with each learner's personal :class:`AttendeeCode`, which
can award the opportunity's linked badges at once (issue 4's attendance route).

Search is kept in a separate per-database index (``opportunities.search``): an FTS5 table on
SQLite, a ``tsvector`` table with a GIN index on PostgreSQL. ``first_starts_at`` and
``last_ends_at`` are kept by the publishing service from the sessions so discovery can drop past
opportunities with an indexed comparison.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from learningcity.badges.models import Level
from learningcity.core.models import TimeStampedModel, new_public_id


class Topic(TimeStampedModel):
    """A city's own list of subjects (“Arts and culture”, “Digital and tech”…)."""

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="topics")
    name = models.CharField(max_length=80)
    slug = models.SlugField(max_length=80)

    class Meta:
        ordering = ["city", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "slug"], name="unique_topic_slug_per_city"),
        ]

    def __str__(self) -> str:
        return self.name


class OpportunityType(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    COURSE = "course", "Course"
    EVENT = "event", "Event"
    VOLUNTEERING = "volunteering", "Volunteering"
    WORK_EXPERIENCE = "work_experience", "Work experience"
    CLUB = "club", "Club"
    ONLINE_COURSE = "online_course", "Online course"
    OTHER = "other", "Other"


class OpportunityStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for review"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class BookingMode(models.TextChoices):
    BOOK_HERE = "book_here", "Book a place here"
    EXTERNAL = "external", "Book on another website"
    DROP_IN = "drop_in", "Drop in, no booking"


class Delivery(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    BOTH = "both", "In person and online"


# The accessibility features a provider can say an opportunity has, as (field, label). Each is a
# boolean column so discovery can filter on them with plain indexed comparisons.
ACCESSIBILITY_FEATURES: tuple[tuple[str, str], ...] = (
    ("step_free", "Step-free access"),
    ("accessible_toilet", "Accessible toilet"),
    ("hearing_loop", "Hearing loop"),
    ("bsl", "British Sign Language interpreter"),
    ("quiet_space", "Quiet space"),
    ("large_print", "Large print materials"),
)

MAX_AGE = 99


class Opportunity(TimeStampedModel):
    city = models.ForeignKey("cities.City", on_delete=models.PROTECT, related_name="opportunities")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="opportunities"
    )
    partners = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="partner_opportunities"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    title = models.CharField(max_length=140)
    summary = models.CharField(max_length=280, help_text="One or two sentences for search results.")
    description = models.TextField(blank=True, help_text="Markdown; sanitised when shown.")
    type = models.CharField(max_length=20, choices=OpportunityType.choices)
    topics = models.ManyToManyField(Topic, blank=True, related_name="opportunities")
    skills = models.ManyToManyField("badges.Skill", blank=True, related_name="opportunities")
    level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    badge_classes = models.ManyToManyField(
        "badges.BadgeClass", blank=True, related_name="opportunities"
    )
    award_on_check_in = models.BooleanField(
        default=False,
        help_text="Award the linked badges to each learner the moment they are checked in.",
    )
    min_age = models.PositiveSmallIntegerField(
        default=11, validators=[MinValueValidator(0), MaxValueValidator(MAX_AGE)]
    )
    max_age = models.PositiveSmallIntegerField(
        default=25, validators=[MinValueValidator(0), MaxValueValidator(MAX_AGE)]
    )
    # Cost: None is free. Pounds and pence, shown with the city's currency.
    price = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    bursary_info = models.TextField(blank=True, help_text="Help with the cost, if any.")
    # Capacity per session; None is unlimited. The waitlist opens when a session is full.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    waitlist_enabled = models.BooleanField(default=True)
    booking_mode = models.CharField(
        max_length=12, choices=BookingMode.choices, default=BookingMode.BOOK_HERE
    )
    booking_url = models.URLField(blank=True)
    # Accessibility (see ACCESSIBILITY_FEATURES) and anything else a visitor should know.
    step_free = models.BooleanField(default=False)
    accessible_toilet = models.BooleanField(default=False)
    hearing_loop = models.BooleanField(default=False)
    bsl = models.BooleanField(default=False)
    quiet_space = models.BooleanField(default=False)
    large_print = models.BooleanField(default=False)
    accessibility_notes = models.TextField(blank=True)
    image = models.ImageField(upload_to="opportunities/images/", blank=True)
    image_alt = models.CharField(max_length=200, blank=True)
    contact_name = models.CharField(max_length=120, blank=True)
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    # Place.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IN_PERSON)
    venue_name = models.CharField(max_length=160, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    area = models.ForeignKey(
        "cities.Area",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opportunities",
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)
    online_url = models.URLField(blank=True, help_text="Shown to people with a booking.")
    # Lifecycle.
    status = models.CharField(
        max_length=10, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    review_note = models.TextField(blank=True, help_text="The city team's reason, if sent back.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept by the publishing service from the sessions (None: no dates, e.g. self-paced).
    first_starts_at = models.DateTimeField(null=True, blank=True)
    last_ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["first_starts_at", "title"]
        verbose_name_plural = "opportunities"
        constraints = [
            models.CheckConstraint(
                condition=Q(min_age__lte=F("max_age")), name="opportunity_age_range_ordered"
            ),
            models.CheckConstraint(
                condition=Q(price__isnull=True) | Q(price__gt=0),
                name="opportunity_price_positive_or_free",
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0),
                name="opportunity_capacity_positive",
            ),
        ]
        indexes = [
            # Discovery reads every column it filters, counts and sorts on from this index
            # alone (an index-only scan on PostgreSQL; SQLite ignores INCLUDE).
            models.Index(
                fields=["city", "status", "last_ends_at"],
                include=[
                    "id",
                    "organisation",
                    "type",
                    "level",
                    "delivery",
                    "price",
                    *(name for name, _label in ACCESSIBILITY_FEATURES),
                    "min_age",
                    "max_age",
                    "first_starts_at",
                    "published_at",
                    "latitude",
                    "longitude",
                ],
                name="opportunity_discovery_covering",
            ),
            models.Index(fields=["city", "status", "published_at"]),
            models.Index(fields=["city", "status", "type"]),
            models.Index(fields=["latitude", "longitude"]),
            models.Index(fields=["organisation", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse(
            "opportunity-detail",
            kwargs={"city_slug": self.city.slug, "public_id": self.public_id},
        )

    @property
    def age_range_display(self) -> str:
        """“11 to 25”, “18 and over”, “Up to 12” or “All ages”."""
        if self.max_age >= MAX_AGE:
            return "All ages" if self.min_age == 0 else f"{self.min_age} and over"
        if self.min_age == 0:
            return f"Up to {self.max_age}"
        return f"{self.min_age} to {self.max_age}"

    @property
    def is_free(self) -> bool:
        return self.price is None

    @property
    def accessibility_features(self) -> list[str]:
        return [label for field, label in ACCESSIBILITY_FEATURES if getattr(self, field)]


class Session(TimeStampedModel):
    """One date of an opportunity. ``booked_count`` is the number of confirmed places, moved only
    by a conditional ``UPDATE … WHERE booked_count < capacity`` so two people never take the last
    place (and a check constraint backs it)."""

    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="sessions")
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    # Copied from the opportunity when the session is made; None is unlimited.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    booked_count = models.PositiveIntegerField(default=0)
    is_cancelled = models.BooleanField(default=False)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="session_ends_after_it_starts"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(booked_count__lte=F("capacity")),
                name="session_never_over_capacity",
            ),
        ]
        indexes = [
            models.Index(fields=["opportunity", "starts_at"]),
            models.Index(fields=["starts_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} on {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int | None:
        if self.capacity is None:
            return None
        return max(self.capacity - self.booked_count, 0)

    @property
    def is_full(self) -> bool:
        return self.capacity is not None and self.booked_count >= self.capacity


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    WAITLISTED = "waitlisted", "On the waitlist"
    CANCELLED = "cancelled", "Cancelled"


class Booking(TimeStampedModel):
    """A learner's place (or waitlist place) on one session, and whether they came."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookings")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookings"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    status = models.CharField(max_length=12, choices=BookingStatus.choices)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Promoted from the waitlist: when, so the learner can be told.
    promoted_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # One live booking (booked or waitlisted) per learner per session.
            models.UniqueConstraint(
                fields=["session", "learner"],
                condition=~Q(status="cancelled"),
                name="one_live_booking_per_learner_per_session",
            ),
        ]
        indexes = [
            models.Index(fields=["session", "status", "created_at"]),
            models.Index(fields=["learner", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.learner} — {self.session} ({self.get_status_display()})"


class SavedOpportunity(TimeStampedModel):
    """A learner's “liked” opportunity."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_opportunities"
    )
    opportunity = models.ForeignKey(Opportunity, on_delete=models.CASCADE, related_name="saves")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["learner", "opportunity"], name="unique_saved_opportunity"
            ),
        ]


# Eight characters from an alphabet with no look-alikes: 31^8 ≈ 8.5e11 codes.
ATTENDEE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
ATTENDEE_CODE_LENGTH = 8


def new_attendee_code() -> str:
    return "".join(secrets.choice(ATTENDEE_CODE_ALPHABET) for _ in range(ATTENDEE_CODE_LENGTH))


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class AttendeeCode(TimeStampedModel):
    """A learner's personal check-in code (shown as a QR code and as eight typed characters), and
    the secret token of their private iCalendar feed. Made the first time either is needed."""

    learner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendee_code"
    )
    code = models.CharField(max_length=ATTENDEE_CODE_LENGTH, unique=True, default=new_attendee_code)
    calendar_token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self) -> str:
        return f"Check-in code of {self.learner}"
