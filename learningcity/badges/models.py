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


class BadgeStatus(models.TextChoices):
    """A badge class is drafted, then published (it can be awarded), then maybe archived."""

    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class ImageSource(models.TextChoices):
    DESIGNED = "designed", "Designed here"
    UPLOADED = "uploaded", "Uploaded"


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
    # --- Design (issue 4): lifecycle, expiry, evidence, and the image -------------------------
    status = models.CharField(max_length=10, choices=BadgeStatus.choices, default=BadgeStatus.DRAFT)
    expiry_months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Months an award stays valid; empty for never."
    )
    evidence_required = models.BooleanField(default=False)
    evidence_prompt = models.TextField(blank=True)
    image_source = models.CharField(
        max_length=10, choices=ImageSource.choices, default=ImageSource.DESIGNED
    )
    # Validated against learningcity.badges.design.SHAPES / ICONS by the form: the built-in
    # sets grow without a migration.
    design_shape = models.CharField(max_length=16, default="circle")
    design_icon = models.CharField(max_length=16, default="star")
    design_title = models.CharField(max_length=18, blank=True)
    # An uploaded PNG (re-encoded by learningcity.badges.sanitise) or SVG (then the sanitised
    # text is in image_svg and is what is served).
    image_upload = models.FileField(upload_to="badges/images/", blank=True)
    image_svg = models.TextField(blank=True)

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
    # Set when an expired award is superseded by a re-issue: it leaves the "one live award"
    # constraint but keeps its URLs and its (expired) credential.
    replaced_at = models.DateTimeField(null=True, blank=True)
    # As given at issue and as put in the credential: [{"narrative": ..., "url": ...}].
    evidence = models.JSONField(default=list, blank=True)
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
                condition=models.Q(revoked_at__isnull=True, replaced_at__isnull=True),
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

    @property
    def is_expired(self) -> bool:
        from django.utils import timezone

        return self.expires_at is not None and self.expires_at <= timezone.now()


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


# --- Skills frameworks (issue 4, design) ---------------------------------------------------------


class SkillFramework(TimeStampedModel):
    """A city's list of skills that badge classes align to (an OB alignment's framework)."""

    city = models.ForeignKey(
        "cities.City", on_delete=models.CASCADE, related_name="skill_frameworks"
    )
    name = models.CharField(max_length=120)
    url = models.URLField(blank=True)
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["city", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["city", "name"], name="unique_framework_name_per_city"),
        ]

    def __str__(self) -> str:
        return self.name


class Skill(TimeStampedModel):
    """One skill of a framework."""

    framework = models.ForeignKey(SkillFramework, on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=120)
    code = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)
    url = models.URLField(blank=True)

    class Meta:
        ordering = ["framework", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "name"], name="unique_skill_name_per_framework"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.framework})"

    def as_alignment(self) -> dict[str, str]:
        """The shape ``BadgeClass.skills`` stores: ``{"name", "framework", "url", "code"}``."""
        return {
            "name": self.name,
            "framework": self.framework.name,
            "url": self.url,
            "code": self.code,
        }


# --- Claim codes and award delivery (issue 4, claims) ---------------------------------------------


class ClaimCode(TimeStampedModel):
    """A short code (and the QR poster that carries it) that gives a badge to whoever types it.

    ``code`` is stored normalised (8 characters, no dash); people see it as ``XXXX-XXXX``.
    ``max_uses`` is 1 for a single-use code, ``None`` for no limit; ``uses`` only grows, under a
    row lock, so the limit holds however many people claim at once.
    """

    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, related_name="claim_codes"
    )
    code = models.CharField(max_length=8, unique=True)
    max_uses = models.PositiveIntegerField(null=True, blank=True)
    uses = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True)
                | models.Q(uses__lte=models.F("max_uses")),
                name="claim_code_uses_within_limit",
            ),
            models.CheckConstraint(
                condition=models.Q(max_uses__isnull=True) | models.Q(max_uses__gte=1),
                name="claim_code_limit_at_least_one",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} for {self.badge_class}"

    def get_absolute_url(self) -> str:
        return reverse("claim-code", kwargs={"code": self.code})

    @property
    def display_code(self) -> str:
        return f"{self.code[:4]}-{self.code[4:]}"

    @property
    def is_single_use(self) -> bool:
        return self.max_uses == 1


class ClaimRedemption(TimeStampedModel):
    """One person's use of a claim code, and the award it gave them."""

    claim_code = models.ForeignKey(ClaimCode, on_delete=models.CASCADE, related_name="redemptions")
    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="claim_redemption")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="claim_redemptions"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["claim_code", "user"], name="one_redemption_per_person_per_code"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} used {self.claim_code.display_code}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    SENT = "sent", "Sent"
    BOUNCED = "bounced", "Bounced"
    CLAIMED = "claimed", "Claimed"


class AwardDelivery(TimeStampedModel):
    """How the email telling someone about their award fared: queued, sent, bounced or claimed
    (the recipient accepted it from the link in it — pressing the button or opening it signed
    in, never a bare GET a mail scanner makes — or the award came from the learner's own claim)."""

    award = models.OneToOneField(Award, on_delete=models.CASCADE, related_name="delivery")
    status = models.CharField(
        max_length=8, choices=DeliveryStatus.choices, default=DeliveryStatus.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "sent_at"])]
        verbose_name_plural = "award deliveries"

    def __str__(self) -> str:
        return f"Delivery of {self.award}: {self.status}"


# --- Bulk issuing (issue 4, issuing) -------------------------------------------------------------


class BulkIssue(TimeStampedModel):
    """One uploaded CSV of awards: checked (preview), then confirmed and issued in the background.

    It is created at upload, so confirming is a conditional state change of an existing row:
    a second submit of the confirm form finds it already queued and starts nothing.
    """

    class Status(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Issuing"
        DONE = "done", "Done"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="bulk_issues"
    )
    # The badge for rows whose "badge" column is empty.
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, null=True, blank=True, related_name="bulk_issues"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    file_name = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PREVIEW)
    # A problem with the whole file (encoding, columns, size): then there are no rows.
    file_error = models.TextField(blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Bulk issue {self.public_id} ({self.get_status_display()})"


class BulkIssueRow(models.Model):
    """One line of a bulk issue. ``award`` is set in the same transaction that issues it, so a
    row with an award is never issued again, whatever happens to the worker."""

    bulk_issue = models.ForeignKey(BulkIssue, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField()
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=120, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    evidence_narrative = models.TextField(blank=True)
    evidence_url = models.URLField(max_length=500, blank=True)
    # Found at preview: the row is never issued.
    error = models.TextField(blank=True)
    # Issuing it was refused after confirmation (someone issued the same badge meanwhile).
    issue_error = models.TextField(blank=True)
    award = models.OneToOneField(
        Award, on_delete=models.SET_NULL, null=True, blank=True, related_name="bulk_issue_row"
    )

    class Meta:
        ordering = ["bulk_issue", "line"]
        constraints = [
            models.UniqueConstraint(fields=["bulk_issue", "line"], name="unique_bulk_issue_line"),
        ]

    def __str__(self) -> str:
        return f"Line {self.line} of {self.bulk_issue.public_id}"


# --- Endorsement requests (issue 4, endorsement) -------------------------------------------------


class EndorsementRequest(TimeStampedModel):
    """An organisation asks its city to endorse one of its badge classes; a city admin endorses
    (an :class:`Endorsement` is signed) or declines with a reason."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for the city"
        ENDORSED = "endorsed", "Endorsed"
        DECLINED = "declined", "Declined"

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.CASCADE, related_name="endorsement_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    message = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    endorsement = models.OneToOneField(
        Endorsement, on_delete=models.SET_NULL, null=True, blank=True, related_name="request"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_class"],
                condition=models.Q(status="pending"),
                name="one_pending_endorsement_request_per_badge_class",
            ),
        ]

    def __str__(self) -> str:
        return f"Endorsement request for {self.badge_class} ({self.get_status_display()})"


# --- Applications with evidence (issue 4, route 5) -----------------------------------------------


def application_file_path(instance: ApplicationFile, filename: str) -> str:
    """A random name: what the applicant called the file is kept only in ``original_name``."""
    import secrets

    extension = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}.get(
        instance.content_type, "bin"
    )
    return f"badges/applications/{secrets.token_urlsafe(24)}.{extension}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Not approved"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Application(TimeStampedModel):
    """A learner asks for a badge, with what they did as evidence; staff decide."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    badge_class = models.ForeignKey(
        BadgeClass, on_delete=models.PROTECT, related_name="applications"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="badge_applications"
    )
    text = models.TextField()
    links = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    feedback = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    award = models.OneToOneField(
        Award, on_delete=models.SET_NULL, null=True, blank=True, related_name="application"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["badge_class", "applicant"],
                condition=models.Q(status="pending"),
                name="one_pending_application_per_applicant_per_badge_class",
            ),
        ]

    def __str__(self) -> str:
        return f"Application {self.public_id} for {self.badge_class}"


class ApplicationFile(TimeStampedModel):
    """One uploaded file, checked by its content, stored under a random name."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=application_file_path)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name
