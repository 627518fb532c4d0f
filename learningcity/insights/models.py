"""What the city dashboards read: facts rebuilt from the other apps, and the figures computed
from them — counts already suppressed, for each period, filter and breakdown a dashboard can
show. Both are rebuilt by the refresh task (``insights.refresh``); nothing here is written by a
request, and every page shows the ``Refresh`` it was read from ("as of").

Layering: ``insights`` reads every app below it and is read by none.
"""

from __future__ import annotations

from django.db import models


class Refresh(models.Model):
    """One rebuild of a city's facts and figures."""

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    city = models.ForeignKey("cities.City", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Events up to this moment are counted: the "as of" every page shows.
    as_of = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    facts = models.PositiveIntegerField(default=0)
    figures = models.PositiveIntegerField(default=0)
    seconds = models.FloatField(default=0)
    error = models.TextField(blank=True)
    # The period keys the refresh computed figures for, newest first as ``periods.available``
    # orders them: every page's period menu, without reading the figures.
    period_keys = models.JSONField(default=list, blank=True)
    # Seconds spent in each phase: {"facts": …, "counting": …, "suppression": …, "writing": …}.
    phase_seconds = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["city", "status", "-started_at"])]

    def __str__(self) -> str:
        return f"Refresh of {self.city_id} as of {self.as_of:%Y-%m-%d %H:%M}"


class Fact(models.Model):
    """One event, flattened: a badge awarded, a place booked, a session attended, a pathway
    started or completed, a learner joining, an opportunity or session offered. Rebuilt whole
    for a city by each refresh. ``learner_id`` is a plain integer (not a key) so deleting an
    account never waits on this table; a refresh forgets the person the next night."""

    class Kind(models.TextChoices):
        LEARNER_JOINED = "joined", "Learner joined"
        AWARD = "award", "Badge awarded"
        BOOKING = "booking", "Place booked"
        ATTENDANCE = "attended", "Session attended"
        PATHWAY_STARTED = "p_started", "Pathway started"
        PATHWAY_COMPLETED = "p_done", "Pathway completed"
        OPPORTUNITY = "opportunity", "Opportunity offered (one per session)"

    city_id = models.IntegerField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    day = models.DateField()
    learner_id = models.IntegerField(null=True)
    # The learner's home, and age at the event (people facts only).
    home_area_id = models.IntegerField(null=True)
    home_decile = models.PositiveSmallIntegerField(null=True)
    age_band = models.CharField(max_length=10, blank=True)
    # Who offered it and what it was about.
    organisation_id = models.IntegerField(null=True)
    organisation_type = models.CharField(max_length=20, blank=True)
    topic_id = models.IntegerField(null=True)
    opportunity_type = models.CharField(max_length=20, blank=True)
    opportunity_id = models.IntegerField(null=True)
    badge_class_id = models.IntegerField(null=True)
    level = models.CharField(max_length=12, blank=True)
    # Where it happened (opportunity facts).
    venue_area_id = models.IntegerField(null=True)
    venue_decile = models.PositiveSmallIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["city_id", "kind", "day"]),
            models.Index(fields=["organisation_id", "kind", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.day}"


class Figure(models.Model):
    """One published number: a count for a city (or one organisation), a period, a filter and one
    cell of a breakdown — already through small-number suppression. The true count of a
    suppressed cell is not stored, so no page or export can leak it."""

    class Status(models.TextChoices):
        SHOWN = "shown", "Shown"
        FEWER = "fewer", "Fewer than the threshold"
        WITHHELD = "withheld", "Withheld to protect another count"

    refresh = models.ForeignKey(Refresh, on_delete=models.CASCADE, related_name="+")
    city_id = models.IntegerField()
    # Empty: the whole city; otherwise that organisation's own activity.
    organisation_id = models.IntegerField(null=True)
    period = models.CharField(max_length=12)  # see insights.periods: m2026-10, q2026-4, y2026, r12
    metric = models.CharField(max_length=32)
    filter_kind = models.CharField(max_length=20, blank=True)  # "", "organisation_type", "topic"
    filter_value = models.CharField(max_length=40, blank=True)
    dimension = models.CharField(max_length=20)  # "total", "home_area", "age_band", …
    value = models.CharField(max_length=120, blank=True)  # the breakdown's category ("" for total)
    status = models.CharField(max_length=8, choices=Status.choices)
    count = models.PositiveIntegerField(null=True)  # only when shown

    class Meta:
        indexes = [
            models.Index(
                fields=[
                    "refresh",
                    "organisation_id",
                    "period",
                    "filter_kind",
                    "filter_value",
                    "metric",
                    "dimension",
                ],
                name="insights_figure_lookup",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(status="shown", count__isnull=False)
                    | (~models.Q(status="shown") & models.Q(count__isnull=True))
                ),
                name="figure_count_only_when_shown",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric} {self.dimension}={self.value} {self.period}: {self.status}"
