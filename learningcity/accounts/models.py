"""Users, learner profiles with age-appropriate defaults, and guardian consent for under-13s."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.urls import reverse
from django.utils import timezone

from learningcity.core.models import TimeStampedModel, new_public_id


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in. The primary email signs in; more verified emails can be added."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    email = models.EmailField(unique=True)
    display_name = models.CharField(
        max_length=80, blank=True, help_text="The name other people see."
    )
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="Can use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class AgeBand(models.TextChoices):
    UNDER_13 = "under_13", "Under 13"
    AGE_13_15 = "13_15", "13 to 15"
    AGE_16_17 = "16_17", "16 to 17"
    AGE_18_25 = "18_25", "18 to 25"
    OVER_25 = "26_plus", "26 and over"


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Whole years from ``date_of_birth`` to ``day``; a 29 February birthday counts on 1 March."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def age_band_for(age: int) -> AgeBand:
    if age < 13:
        return AgeBand.UNDER_13
    if age < 16:
        return AgeBand.AGE_13_15
    if age < 18:
        return AgeBand.AGE_16_17
    if age <= 25:
        return AgeBand.AGE_18_25
    return AgeBand.OVER_25


class LearnerProfile(TimeStampedModel):
    """What a learner tells us about themselves, and what they let us do with it.

    The privacy fields start at the Age Appropriate Design Code's defaults for the learner's age
    (set by ``learner_profile_create``): under-18s are private, with no recommendations and no
    location more precise than their area.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner_profile"
    )
    city = models.ForeignKey(
        "cities.City", on_delete=models.PROTECT, related_name="learner_profiles"
    )
    date_of_birth = models.DateField()
    postcode_district = models.CharField(max_length=4, blank=True)
    area = models.ForeignKey(
        "cities.Area", on_delete=models.SET_NULL, null=True, blank=True, related_name="learners"
    )
    interests = models.JSONField(default=list, blank=True)
    # Privacy settings.
    profile_public = models.BooleanField(default=False)
    # "What next" suggestions: the main switch (on for adults, off for under-18s at sign-up),
    # then each kind on its own.
    recommendations_enabled = models.BooleanField(default=False)
    suggest_opportunities = models.BooleanField(default=True)
    suggest_pathways = models.BooleanField(default=True)
    share_area_with_organisations = models.BooleanField(default=False)

    class Meta:
        indexes = [models.Index(fields=["city", "date_of_birth"])]

    def __str__(self) -> str:
        return f"Learner profile of {self.user}"

    @property
    def age(self) -> int:
        return age_on(self.date_of_birth, timezone.localdate())

    @property
    def age_band(self) -> AgeBand:
        return age_band_for(self.age)

    @property
    def is_under_13(self) -> bool:
        return self.age < 13

    @property
    def is_child(self) -> bool:
        return self.age < 18

    @property
    def needs_guardian_consent(self) -> bool:
        """True while an under-13's guardian has not said yes: the account stays limited."""
        if not self.is_under_13:
            return False
        consent = getattr(self.user, "guardian_consent", None)
        return consent is None or consent.confirmed_at is None


class GuardianConsent(TimeStampedModel):
    """A parent or carer's yes for an under-13's account, given from an emailed link."""

    child = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="guardian_consent"
    )
    guardian_email = models.EmailField()
    token = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    guardian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="guarded_children",
        help_text="The guardian's own account, once they have one.",
    )

    class Meta:
        verbose_name = "guardian consent"

    def __str__(self) -> str:
        state = "confirmed" if self.confirmed_at else "waiting"
        return f"Consent for {self.child} from {self.guardian_email} ({state})"

    def get_absolute_url(self) -> str:
        return reverse("guardian-consent", kwargs={"token": self.token})
