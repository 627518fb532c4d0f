"""Badge classes, awards, and the signing identities (issuers, keys, status lists) behind them.

``badges`` decides who gets what; ``learningcity.credentials`` decides what the bytes look like.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from learningcity.core.models import TimeStampedModel, new_public_id


class Level(models.TextChoices):
    """The RSA badging standard's four levels."""

    ENGAGE = "Engage", "Engage"
    PARTICIPATE = "Participate", "Participate"
    DEMONSTRATE = "Demonstrate", "Demonstrate"
    LEAD = "Lead", "Lead"


class Issuer(TimeStampedModel):
    """The signing identity of one organisation or one city (cities sign endorsements).

    Its public id is the last segment of its ``did:web`` identifier and of every public URL
    under ``/issuers/<public_id>/``; it never changes, so neither do those URLs.
    """

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issuer",
    )
    city = models.OneToOneField(
        "cities.City", on_delete=models.PROTECT, null=True, blank=True, related_name="issuer"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(organisation__isnull=False, city__isnull=True)
                    | models.Q(organisation__isnull=True, city__isnull=False)
                ),
                name="issuer_is_an_organisation_or_a_city",
            ),
        ]

    def __str__(self) -> str:
        return f"Issuer {self.public_id} ({self.organisation or self.city})"

    @property
    def owner(self) -> object:
        return self.organisation or self.city


class IssuerKey(TimeStampedModel):
    """One key pair of an issuer. Private halves are encrypted at rest.

    Rotation retires a key rather than deleting it: retired public keys stay published so
    credentials signed with them still verify; only the active key of each kind signs.
    """

    class Kind(models.TextChoices):
        ED25519 = "ed25519", "Ed25519 (Data Integrity proofs)"
        RSA = "rsa", "RSA (VC-JWT)"

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="keys")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    key_id = models.CharField(
        max_length=120, help_text="Ed25519: the public key multibase; RSA: the JWK kid."
    )
    public_key = models.TextField(help_text="Ed25519: multibase; RSA: JWK as JSON.")
    private_key_encrypted = models.BinaryField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["issuer", "kind", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "key_id"], name="unique_key_id_per_issuer"),
            models.UniqueConstraint(
                fields=["issuer", "kind"],
                condition=models.Q(retired_at__isnull=True),
                name="one_active_key_per_kind",
            ),
        ]

    def __str__(self) -> str:
        state = "retired" if self.retired_at else "active"
        return f"{self.get_kind_display()} key {self.key_id[:16]}… ({state})"


class StatusList(TimeStampedModel):
    """A Bitstring Status List of an issuer: one bit per award, set when the award is revoked."""

    LENGTH = 131_072  # Bitstring Status List v1.0 §6.1: at least 16 KB, for herd privacy.

    issuer = models.ForeignKey(Issuer, on_delete=models.PROTECT, related_name="status_lists")
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    purpose = models.CharField(max_length=12, default="revocation")
    bits = models.BinaryField()
    next_index = models.PositiveIntegerField(default=0)
    credential = models.JSONField(
        null=True,
        blank=True,
        help_text="The signed BitstringStatusListCredential, re-signed on change.",
    )

    class Meta:
        ordering = ["issuer", "created_at"]

    def __str__(self) -> str:
        return f"Status list {self.public_id} of {self.issuer.public_id}"

    @property
    def is_full(self) -> bool:
        return self.next_index >= self.LENGTH


class BadgeClass(TimeStampedModel):
    """What a badge means: name, criteria, level, skills. Grown by the issuing work."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="badge_classes"
    )
    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=120)
    description = models.TextField()
    criteria = models.TextField(help_text="What a learner does to earn it, in plain words.")
    level = models.CharField(max_length=12, choices=Level.choices, blank=True)
    # Each skill: {"name", "framework", "url", "code"} — an OB alignment to a skills framework.
    skills = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True)
    image_colour = models.CharField(max_length=7, default="#0b5cad")

    class Meta:
        ordering = ["organisation", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("badge-class-page", kwargs={"public_id": self.public_id})


class Award(TimeStampedModel):
    """One badge given to one person. Its public URLs (docs/urls.md) never change."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    badge_class = models.ForeignKey(BadgeClass, on_delete=models.PROTECT, related_name="awards")
    recipient_email = models.EmailField()
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="awards",
    )
    recipient_name = models.CharField(max_length=120, blank=True)
    salt = models.CharField(max_length=32)
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="awards")
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.TextField(blank=True)
    # The signed documents, made once at issue: their bytes never change afterwards.
    ob3_credential = models.JSONField()
    ob3_jwt = models.TextField()

    class Meta:
        ordering = ["-issued_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["status_list", "status_index"], name="one_award_per_status_bit"
            ),
            models.UniqueConstraint(
                fields=["badge_class", "recipient_email"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_award_per_recipient_per_badge_class",
            ),
        ]
        indexes = [models.Index(fields=["recipient_email"])]

    def __str__(self) -> str:
        return f"{self.badge_class} to {self.recipient_email}"

    def get_absolute_url(self) -> str:
        return reverse("award-page", kwargs={"public_id": self.public_id})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class Endorsement(TimeStampedModel):
    """A city's signed word that a badge class meets its quality standard (an OB 3.0
    EndorsementCredential). The request-and-review workflow arrives with the issuing work."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, related_name="endorsements"
    )
    endorser = models.ForeignKey(
        Issuer, on_delete=models.PROTECT, related_name="endorsements_given"
    )
    comment = models.TextField()
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    credential = models.JSONField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Endorsement of {self.badge_class} by {self.endorser}"

    def get_absolute_url(self) -> str:
        return reverse("endorsement", kwargs={"public_id": self.public_id})
