"""Background tasks for award emails. Each takes ids (task arguments must be JSON) and reads
the current rows, so a task that runs late or twice does the right thing."""

from __future__ import annotations

from django_tasks import task

from . import delivery


@task()
def award_email_send(*, award_id: int, kind: str = "award", force: bool = False) -> str:
    """Send the email about one award (or its reminder) and record the delivery status."""
    return delivery.award_delivery_send(award_id=award_id, kind=kind, force=force)
