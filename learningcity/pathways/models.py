"""Pathways: ordered or unordered steps towards a destination, each satisfied by badges, with a
completion badge awarded through the issuing service when the last step is satisfied.

The rules of completion are the pure evaluator's (``pathways.completion``); these models only
store a pathway's definition and each learner's place on it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse

from learningcity.core.models import TimeStampedModel, new_public_id


class PathwayStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Destination(models.TextChoices):
    CAREER = "career", "A career"
    COURSE = "course", "A course"
    APPRENTICESHIP = "apprenticeship", "An apprenticeship"
    VOLUNTEERING = "volunteering", "Volunteering"
    OTHER = "other", "Something else"


class Pathway(TimeStampedModel):
    """A route to a destination, owned by an organisation or (``organisation`` empty) by the city
    team, when it may span organisations."""

    public_id = models.CharField(max_length=16, unique=True, default=new_public_id, editable=False)
    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="pathways")
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pathways",
    )
    name = models.CharField(max_length=120)
    summary = models.CharField(max_length=200, help_text="One line shown in lists.")
    description = models.TextField(blank=True)
    destination_kind = models.CharField(
        max_length=16, choices=Destination.choices, default=Destination.OTHER
    )
    destination = models.CharField(
        max_length=200,
        blank=True,
        help_text="Where it leads, e.g. “Level 3 Digital apprenticeship”.",
    )
    destination_url = models.URLField(max_length=500, blank=True)
    ordered = models.BooleanField(
        default=False,
        help_text="Steps must be done in order: a badge counts only after the step before.",
    )
    allow_external = models.BooleanField(
        default=False, help_text="Badges a learner imports from other issuers count towards steps."
    )
    completion_badge = models.ForeignKey(
        "badges.BadgeClass",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="completion_of_pathways",
    )
    status = models.CharField(
        max_length=10, choices=PathwayStatus.choices, default=PathwayStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["city", "status"])]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(
            "pathway-detail", kwargs={"city_slug": self.city.slug, "public_id": self.public_id}
        )

    @property
    def is_city_wide(self) -> bool:
        return self.organisation_id is None


class PathwayStep(models.Model):
    """One step: hold ``required`` of its badges. Its badges are the ones chosen here, plus —
    when ``topic`` is set — every badge linked to an opportunity in that topic (the city-wide
    "a badge in each of six topics" kind), plus achievement ids of badges from elsewhere."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    required = models.PositiveSmallIntegerField(default=1)
    badge_classes = models.ManyToManyField("badges.BadgeClass", blank=True, related_name="+")
    topic = models.ForeignKey(
        "opportunities.Topic", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Achievement ids (URLs) of badges from other issuers that count, when the pathway allows.
    external_achievement_ids = models.JSONField(default=list, blank=True)
    opportunities = models.ManyToManyField(
        "opportunities.Opportunity", blank=True, related_name="pathway_steps"
    )

    class Meta:
        ordering = ["pathway", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "position"], name="one_step_per_position"),
            models.CheckConstraint(condition=models.Q(required__gte=1), name="step_requires_one"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id}/{self.position}: {self.title}"


class Enrolment(TimeStampedModel):
    """A learner on a pathway. ``steps_done`` is kept by the evaluation service so the owner's
    progress view needs no evaluation per learner."""

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="enrolments")
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pathway_enrolments"
    )
    joined_at = models.DateTimeField()
    steps_done = models.PositiveSmallIntegerField(default=0)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_award = models.ForeignKey(
        "badges.Award", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["pathway", "learner"], name="one_enrolment_per_pathway")
        ]
        indexes = [models.Index(fields=["pathway", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.learner_id} on {self.pathway_id}"
