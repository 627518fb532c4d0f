"""Cities (the tenants of one installation), their areas and postcode districts, their admins."""

from __future__ import annotations

import re
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse

from learningcity.core.colours import contrast_ratio
from learningcity.core.models import TimeStampedModel

# Slugs that the root URLconf uses for site-wide pages; a city may not take one.
RESERVED_CITY_SLUGS = frozenset(
    {
        "accounts",
        "admin",
        "api",
        "apply",
        "django-admin",
        "healthz",
        "static",
        "media",
        "me",
        "invitations",
        "guardian",
        "organisations",
        "verify",
        "claim",
        "ob2",
        "ob3",
        "credentials",
        "did",
        "awards",
        "badge-classes",
        "issuers",
        "verification",
        "endorsements",
        ".well-known",
        "about",
        "help",
        "privacy",
    }
)

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
colour_validator = RegexValidator(COLOUR_RE, "Use a colour like #1d4ed8.")


def validate_city_slug(value: str) -> None:
    if value in RESERVED_CITY_SLUGS:
        raise ValidationError(f"“{value}” is used by the site itself; choose another slug.")


MINIMUM_BRAND_CONTRAST = 4.5  # WCAG 2.2 AA for normal text


def validate_brand_colour_contrast(value: str) -> None:
    """Brand colours sit behind white text (the header, buttons): they must reach 4.5:1."""
    if not COLOUR_RE.match(value):
        return
    ratio = contrast_ratio(value, "#ffffff")
    if ratio < MINIMUM_BRAND_CONTRAST:
        raise ValidationError(
            f"White text on {value} has a contrast of {ratio:.1f}:1; it needs at least "
            f"{MINIMUM_BRAND_CONTRAST}:1 to be readable. Choose a darker colour."
        )


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone (for example Europe/London).")


class City(TimeStampedModel):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_city_slug])
    tagline = models.CharField(max_length=200, blank=True)
    description = models.TextField(blank=True)
    timezone = models.CharField(
        max_length=64, default="Europe/London", validators=[validate_timezone]
    )
    # Branding. White text sits on both colours, so both must contrast with white.
    primary_colour = models.CharField(
        max_length=7,
        default="#1d4ed8",
        validators=[colour_validator, validate_brand_colour_contrast],
    )
    accent_colour = models.CharField(
        max_length=7,
        default="#b45309",
        validators=[colour_validator, validate_brand_colour_contrast],
    )
    logo = models.ImageField(upload_to="cities/logos/", blank=True)
    is_live = models.BooleanField(default=True, help_text="Shown on the home page.")

    class OpportunityReview(models.TextChoices):
        UNTRUSTED = "untrusted", "Review opportunities from organisations that are not trusted"
        ALL = "all", "Review every opportunity before it is published"
        NONE = "none", "Publish every approved organisation's opportunities directly"

    opportunity_review = models.CharField(
        max_length=10,
        choices=OpportunityReview.choices,
        default=OpportunityReview.UNTRUSTED,
        help_text="The city's moderation rule for new opportunities.",
    )
    admins: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="CityAdmin", related_name="administered_cities"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "cities"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("city-home", kwargs={"city_slug": self.slug})


class CityAdmin(TimeStampedModel):
    """A user who runs one city: approves organisations, moderates, sees the city's figures."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="admin_memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="city_admin_memberships"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["city", "user"], name="unique_city_admin"),
        ]

    def __str__(self) -> str:
        return f"{self.user} runs {self.city}"


class Area(TimeStampedModel):
    """A ward or postcode district, with its Index of Multiple Deprivation decile."""

    class Kind(models.TextChoices):
        WARD = "ward", "Ward"
        POSTCODE_DISTRICT = "postcode_district", "Postcode district"

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="areas")
    code = models.CharField(max_length=20, help_text="ONS ward code or outward postcode.")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # IMD: 1 = most deprived tenth of areas in England, 10 = least deprived.
    imd_decile = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10)]
    )
    latitude = models.DecimalField(max_digits=8, decimal_places=5)
    longitude = models.DecimalField(max_digits=8, decimal_places=5)
    young_population = models.PositiveIntegerField(
        null=True, blank=True, help_text="Residents aged 11–25, for per-population figures."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "code"], name="unique_area_code_per_city"),
            models.CheckConstraint(
                condition=models.Q(imd_decile__gte=1, imd_decile__lte=10),
                name="area_imd_decile_1_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90)
                & models.Q(longitude__gte=-180, longitude__lte=180),
                name="area_centroid_on_earth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class PostcodeDistrict(models.Model):
    """An outward postcode (“BN2”) and the area it is counted in, within one city."""

    city = models.ForeignKey(City, on_delete=models.CASCADE, related_name="postcode_districts")
    outward_code = models.CharField(max_length=4)
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="postcode_districts")

    class Meta:
        ordering = ["outward_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "outward_code"], name="unique_outward_code_per_city"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.outward_code} → {self.area.name}"


# A UK outward code: area letters, district digit(s), optional letter (“BN2”, “PL4”, “EC1A”).
OUTWARD_CODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
# A full postcode: outward code, then inward code digit + two letters (“BN2 4GL”).
FULL_POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9][A-Z]{2})$")
