"""Reads about the running system."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

# Backends that run tasks in the web process itself need no separate worker.
INLINE_TASK_BACKENDS = {"immediate"}


def database_is_reachable() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return False
    return True


def worker_heartbeat_live_count() -> int:
    """How many workers have reported in within ``WORKER_HEARTBEAT_MAX_AGE`` seconds."""
    cutoff = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_MAX_AGE)
    return WorkerHeartbeat.objects.filter(last_seen__gte=cutoff).count()


def system_health() -> dict[str, object]:
    """What /healthz reports: ``ok`` is true only when the database and a worker answer."""
    database_ok = database_is_reachable()
    if settings.TASK_BACKEND in INLINE_TASK_BACKENDS:
        workers: int | None = None
        worker_ok = True
    else:
        workers = worker_heartbeat_live_count() if database_ok else 0
        worker_ok = workers > 0
    return {
        "ok": database_ok and worker_ok,
        "database": "ok" if database_ok else "unreachable",
        "worker": "ok" if worker_ok else "no worker has reported in",
        "workers": workers,
        "task_backend": settings.TASK_BACKEND,
    }
