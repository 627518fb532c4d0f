import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from learningcity.core.models import WorkerHeartbeat

from .tasks_for_tests import record_run

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def database_task_backend():
    # django-tasks resets its backend handler when TASKS changes.
    with override_settings(TASKS=DATABASE_TASKS, TASK_BACKEND="database"):
        yield


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_a_queued_task_from_the_database_and_leaves_no_heartbeat_behind(
    database_task_backend,
):
    result = record_run.enqueue(marker="one")
    assert DBTaskResult.objects.get(id=result.id).status == "READY"

    call_command("worker", max_tasks=1, interval=0.1)

    assert DBTaskResult.objects.get(id=result.id).status == "SUCCESSFUL"
    assert WorkerHeartbeat.objects.filter(worker_id="ran-one").exists()
    assert not WorkerHeartbeat.objects.exclude(backend="test").exists()


def test_the_worker_refuses_to_start_when_tasks_run_inline():
    with pytest.raises(CommandError, match="no worker"):
        call_command("worker", max_tasks=1)
