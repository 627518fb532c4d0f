"""A task the worker tests enqueue: it records that it ran, so the test can see it did."""

from django_tasks import task

from learningcity.core.models import WorkerHeartbeat


@task()
def record_run(*, marker: str) -> str:
    WorkerHeartbeat.objects.create(worker_id=f"ran-{marker}", backend="test")
    return marker
