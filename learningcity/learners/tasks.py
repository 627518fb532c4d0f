"""Background tasks of the learners app. Each takes ids (task arguments must be JSON)."""

from __future__ import annotations

import datetime

from django_tasks import task

from .backpack import imported_badge_recheck
from .models import ImportedBadge
from .selectors import imported_badges_due_for_recheck

#: An imported badge is re-checked when its last check is older than this.
RECHECK_AFTER_DAYS = 7


@task()
def imported_badge_recheck_run(*, imported_id: int) -> None:
    """Check one imported badge again (gone since it was queued: nothing to do)."""
    imported = ImportedBadge.objects.filter(pk=imported_id).first()
    if imported is not None:
        imported_badge_recheck(imported=imported)


def imported_badges_recheck_enqueue(*, older_than_days: int = RECHECK_AFTER_DAYS) -> int:
    """Queue a re-check of every imported badge not checked for ``older_than_days``; returns how
    many. One task per badge: each may fetch from another site, so they run spread over the
    workers and one slow issuer holds up nothing else."""
    ids = imported_badges_due_for_recheck(older_than=datetime.timedelta(days=older_than_days))
    for imported_id in ids:
        imported_badge_recheck_run.enqueue(imported_id=imported_id)
    return len(ids)
