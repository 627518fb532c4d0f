"""A learner's own record: badges brought in from elsewhere, how they arrange and share what
they hold, the skills they declare. Awards made here live in ``badges``; this app only records
the learner's choices about them.

Privacy defaults follow the learner's age (``accounts``): nothing an under-18 holds is shared
until they choose to share it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from learningcity.core.models import TimeStampedModel, new_public_id


def share_link_id() -> str:
    """An id for a link that is itself the permission to look: 20 characters, ~98 bits."""
    return new_public_id(20)


class ImportSource(models.TextChoices):
    FILE = "file", "Uploaded image or file"
    URL = "url", "Link"
    TEXT = "text", "Pasted JSON or JWT"


class ImportedBadge(TimeStampedModel):
    """A badge from another issuer (or another holder's address), verified by the credential
    core when it came in and re-checked since. What was given is kept (``original``) so the
    check can be repeated: a later revocation shows."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imported_badges"
    )
    source = models.CharField(max_length=8, choices=ImportSource.choices)
    # The link given (source=url), fetched again on each re-check.
    source_url = models.URLField(max_length=2000, blank=True)
    # The credential as text (JSON or compact JWS), as given or as extracted from a baked image.
    original = models.TextField(blank=True)
    # A baked image as uploaded, shown in the backpack and offered back as a download.
    image = models.FileField(upload_to="backpack/", blank=True)
    # sha256 of the credential's id (or of its content when it has none): one copy per learner.
    fingerprint = models.CharField(max_length=64)
    # From the verifier (credentials.verify): its Format, Status and reasons a person can read.
    format = models.CharField(max_length=24, blank=True)
    status = models.CharField(max_length=20)
    reasons = models.JSONField(default=list, blank=True)
    checked_at = models.DateTimeField()
    # What the credential says, copied out for listing and for pathways.
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    criteria = models.TextField(blank=True)
    issuer_name = models.CharField(max_length=300, blank=True)
    issuer_id = models.CharField(max_length=2000, blank=True)
    issuer_confirmed = models.BooleanField(default=False)
    achievement_id = models.CharField(max_length=2000, blank=True)
    image_url = models.CharField(max_length=2000, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # [{"name", "url", "framework", "code"}], from the achievement's alignments.
    skills = models.JSONField(default=list, blank=True)
    level = models.CharField(max_length=40, blank=True)
    # The learner's choices.
    is_shared = models.BooleanField(default=False)
    on_portfolio = models.BooleanField(default=False)

    class Meta:
        ordering = ["-issued_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "fingerprint"], name="one_import_per_credential_per_learner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (imported by {self.owner_id})"

    @property
    def is_valid(self) -> bool:
        return self.status == "valid"


class AwardChoice(TimeStampedModel):
    """What the holder has chosen to do with one award made here: share its link, show it on
    their public portfolio. No row means the age default (see ``learners.sharing``)."""

    award = models.OneToOneField(
        "badges.Award", on_delete=models.CASCADE, related_name="holder_choice"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="award_choices"
    )
    is_shared = models.BooleanField(default=False)
    on_portfolio = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Choices for award {self.award_id}"


class Collection(TimeStampedModel):
    """A named, ordered set of the learner's badges (made here or imported), shareable by an
    unguessable link."""

    # Longer than other public ids: this one is the whole of the protection of a shared link.
    public_id = models.CharField(max_length=24, unique=True, default=share_link_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collections"
    )
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True, max_length=1000)
    position = models.PositiveIntegerField(default=0)
    is_shared = models.BooleanField(default=False)

    class Meta:
        ordering = ["position", "created_at"]
        constraints = [
            models.UniqueConstraint(
                "owner", Lower("name"), name="collection_names_unique_per_learner"
            )
        ]

    def __str__(self) -> str:
        return self.name


class CollectionItem(models.Model):
    """One badge in a collection: an award made here or an imported badge, never both."""

    collection = models.ForeignKey(Collection, on_delete=models.CASCADE, related_name="items")
    award = models.ForeignKey(
        "badges.Award", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    imported = models.ForeignKey(
        ImportedBadge, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(award__isnull=False, imported__isnull=True)
                    | models.Q(award__isnull=True, imported__isnull=False)
                ),
                name="collection_item_is_one_badge",
            ),
            models.UniqueConstraint(
                fields=["collection", "award"], name="award_once_per_collection"
            ),
            models.UniqueConstraint(
                fields=["collection", "imported"], name="import_once_per_collection"
            ),
        ]

    def __str__(self) -> str:
        return f"Item {self.pk} of {self.collection_id}"


class DeclaredSkill(TimeStampedModel):
    """A skill the learner says they have, shown beside (never mixed with) verified skills."""

    class Level(models.TextChoices):
        LEARNING = "learning", "Learning it"
        CONFIDENT = "confident", "Confident"
        EXPERT = "expert", "Could teach it"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="declared_skills"
    )
    name = models.CharField(max_length=120)
    level = models.CharField(max_length=12, choices=Level.choices, default=Level.CONFIDENT)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint("owner", Lower("name"), name="declared_skill_once_per_learner")
        ]

    def __str__(self) -> str:
        return self.name
