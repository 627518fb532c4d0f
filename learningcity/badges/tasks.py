"""Background tasks of the badges app. Each takes ids (task arguments must be JSON)."""

from __future__ import annotations

from django_tasks import task

from . import delivery
from .issuing import bulk_issue_process


# Above the default (0) so that a resumed run is not stuck behind the award emails its own
# first part queued.
@task(priority=10)
def bulk_issue_run(*, bulk_issue_id: int) -> None:
    """Issue the pending rows of a confirmed bulk issue. Safe to run twice, or after a crash."""
    bulk_issue_process(bulk_issue_id=bulk_issue_id)


@task()
def award_emails_send(*, award_ids: list[int]) -> None:
    """Send the emails of the awards of one bulk-issue batch (each skipped if already sent)."""
    delivery.award_deliveries_send(award_ids=award_ids)
