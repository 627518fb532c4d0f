"""Enqueue again every confirmed bulk issue that has not finished (after a worker crash)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from learningcity.badges.issuing import bulk_issue_list_unfinished, bulk_issue_resume


class Command(BaseCommand):
    help = "Re-enqueue unfinished bulk issues; rows already issued are never issued again."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        with transaction.atomic():
            for bulk_issue in bulk_issue_list_unfinished():
                count += bulk_issue_resume(bulk_issue=bulk_issue)
        self.stdout.write(f"Re-enqueued {count} bulk issue{'s' if count != 1 else ''}.")
