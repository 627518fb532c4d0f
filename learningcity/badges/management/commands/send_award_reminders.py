"""Remind recipients, once, of awards whose email they haven't opened; retry failed sends.

Run it daily (cron or the platform's scheduler): ``manage.py send_award_reminders --days 7``.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from learningcity.badges.delivery import award_deliveries_retry, award_reminders_send


class Command(BaseCommand):
    help = "Email a reminder for each award not claimed N days after its email was sent."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=int,
            default=7,
            help="Remind when the email was sent at least this many days ago (default 7).",
        )

    def handle(self, *args: Any, days: int, **options: Any) -> None:
        retried = award_deliveries_retry()
        reminded = award_reminders_send(older_than=datetime.timedelta(days=days))
        self.stdout.write(f"Retried {retried} failed email(s); sent {reminded} reminder(s).")
