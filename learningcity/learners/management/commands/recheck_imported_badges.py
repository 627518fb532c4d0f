"""Re-check imported badges not checked for a while, so a revocation at their issuer shows.

There is no periodic scheduler in the worker: run this daily (cron or the platform's scheduler),
``manage.py recheck_imported_badges --days 7``. It queues one task per badge for the workers.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learningcity.learners.tasks import RECHECK_AFTER_DAYS, imported_badges_recheck_enqueue


class Command(BaseCommand):
    help = "Queue a re-check of every imported badge not checked for N days."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=RECHECK_AFTER_DAYS,
            help=f"Re-check badges last checked at least this many days ago "
            f"(default {RECHECK_AFTER_DAYS}).",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        queued = imported_badges_recheck_enqueue(older_than_days=days)
        self.stdout.write(f"Queued {queued} imported badge(s) to be checked again.")
