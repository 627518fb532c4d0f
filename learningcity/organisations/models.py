"""Organisations that teach and recognise learning, their staff roles and invitations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from learningcity.core.models import TimeStampedModel, new_public_id


class Organisation(TimeStampedModel):
    class Type(models.TextChoices):
        SCHOOL = "school", "School"
        CHARITY = "charity", "Charity"
        FE_COLLEGE = "fe_college", "FE college"
        YOUTH_GROUP = "youth_group", "Youth group"
        EMPLOYER = "employer", "Employer"
        LIBRARY = "library", "Library"
        MUSEUM = "museum", "Museum"
        COUNCIL_SERVICE = "council_service", "Council service"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    city = models.ForeignKey("cities.City", on_delete=models.PROTECT, related_name="organisations")
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=160)
    slug = models.SlugField(max_length=80)
    type = models.CharField(max_length=20, choices=Type.choices)
    description = models.TextField(blank=True)
    website = models.URLField(blank=True)
    contact_email = models.EmailField(blank=True)
    logo = models.ImageField(upload_to="organisations/logos/", blank=True)
    areas_served = models.ManyToManyField("cities.Area", blank=True, related_name="organisations")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    is_trusted = models.BooleanField(
        default=False,
        help_text="Trusted organisations publish opportunities without the city team's review.",
    )
    status_reason = models.TextField(
        blank=True, help_text="Why the city team suspended the organisation, shown to its staff."
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    staff: models.ManyToManyField = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="organisations"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["city", "slug"], name="unique_organisation_slug_per_city"
            ),
        ]
        indexes = [models.Index(fields=["city", "status", "type"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "organisation-detail", kwargs={"city_slug": self.city.slug, "org_slug": self.slug}
        )

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Role(models.TextChoices):
    """Staff roles, from most to least powerful. Each role can do all that those below it can."""

    OWNER = "owner", "Owner"
    ISSUER = "issuer", "Issuer"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


ROLE_RANK = {Role.VIEWER: 1, Role.EDITOR: 2, Role.ISSUER: 3, Role.OWNER: 4}

ROLE_DESCRIPTIONS = {
    Role.OWNER: "Everything, including inviting staff and changing roles.",
    Role.ISSUER: "Award and revoke badges, and everything an editor can do.",
    Role.EDITOR: "Create and edit opportunities and badge designs.",
    Role.VIEWER: "See the organisation's dashboard and reports.",
}


class Membership(TimeStampedModel):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices)

    class Meta:
        ordering = ["organisation", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} of {self.organisation}"


class Invitation(TimeStampedModel):
    """An owner's invitation to join the staff, sent by email and accepted from the link."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organisation} as {self.role}"

    def get_absolute_url(self) -> str:
        return reverse("invitation-accept", kwargs={"token": self.token})
