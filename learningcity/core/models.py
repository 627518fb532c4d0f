"""Base fields every app shares, and the worker heartbeat behind /healthz."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone

PUBLIC_ID_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: safe to read aloud


def new_public_id(length: int = 12) -> str:
    """A random id that is safe to show in URLs; never a database key."""
    return "".join(secrets.choice(PUBLIC_ID_ALPHABET) for _ in range(length))


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class WorkerHeartbeat(models.Model):
    """One row per running background worker, touched every few seconds while it lives."""

    worker_id = models.CharField(max_length=64, unique=True)
    backend = models.CharField(max_length=32)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_seen"]

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.backend}), last seen {self.last_seen:%Y-%m-%d %H:%M:%S}"
