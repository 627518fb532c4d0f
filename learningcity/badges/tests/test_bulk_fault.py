"""The fault test: a real ``manage.py worker`` killed with SIGKILL in the middle of a 5,000-row
bulk issue, then restarted, leaves exactly 5,000 awards and none twice.

The worker is a subprocess, so it must see the test's database. On PostgreSQL it is handed the
test database's name. SQLite's test database lives in this process's memory, where no other
process can reach it, so there the test copies it (schema and seed rows) into a file with
SQLite's backup API and points both this process and the worker at that file for its duration
(:func:`worker_database`); the rest of the suite keeps its fast in-memory database.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django_tasks_db.models import DBTaskResult

from learningcity.badges import issuing
from learningcity.badges.models import Award, BulkIssue, BulkIssueRow
from learningcity.badges.tests.factories import BadgeClassFactory

ROWS = 5_000
ROOT = Path(__file__).resolve().parents[3]
LOG = ROOT / "test-artifacts" / "bulk-fault-worker.log"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_database(transactional_db, tmp_path):
    """On SQLite, move this test onto a file database another process can open.

    The in-memory test database is copied (migrated schema and seed rows) with
    ``sqlite3.Connection.backup``; the ``default`` connection is swapped for one to the copy
    and put back afterwards, so pytest-django's flush and every later test use the in-memory
    database as before. On PostgreSQL nothing changes.
    """
    if connection.vendor != "sqlite":
        yield
        return
    path = tmp_path / "bulk-fault.sqlite3"
    in_memory = connections["default"]
    in_memory.ensure_connection()
    target = sqlite3.connect(path)
    try:
        in_memory.connection.backup(target)
    finally:
        target.close()
    on_file = in_memory.__class__({**in_memory.settings_dict, "NAME": str(path)}, alias="default")
    connections["default"] = on_file
    try:
        yield
    finally:
        on_file.close()
        connections["default"] = in_memory


def _database_url() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings_dict['NAME']}"
    return (
        f"postgres://{settings_dict['USER']}:{settings_dict['PASSWORD']}@"
        f"{settings_dict['HOST'] or 'localhost'}:{settings_dict['PORT'] or 5432}/"
        f"{settings_dict['NAME']}"
    )


def _worker_env() -> dict[str, str]:
    url = _database_url()
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": url,
        "TASK_BACKEND": "database",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "DJANGO_ALLOW_ASYNC_UNSAFE": "",
    }


def _start_worker() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "manage.py", "worker", "--interval", "0.2"],
        cwd=ROOT,
        env=_worker_env(),
        stdout=LOG.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait_for(condition, *, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_killed_mid_run_and_restarted_issues_every_row_exactly_once(
    settings, worker_database
):
    print("bulk fault test: worker subprocess on", connection.settings_dict["NAME"], "log:", LOG)
    LOG.parent.mkdir(exist_ok=True)
    LOG.write_bytes(b"")
    settings.TASKS = DATABASE_TASKS
    badge_class = BadgeClassFactory(status="published")
    rows = "".join(f"learner{n}@example.org,Learner {n}\n" for n in range(ROWS))
    bulk_issue = issuing.bulk_issue_create(
        organisation=badge_class.organisation,
        badge_class=badge_class,
        created_by=None,
        data=("email,name\n" + rows).encode(),
    )
    assert issuing.bulk_issue_confirm(bulk_issue=bulk_issue) is True
    assert DBTaskResult.objects.count() == 1, "the run was not queued for a worker"

    def issued() -> int:
        return BulkIssueRow.objects.filter(bulk_issue=bulk_issue, award__isnull=False).count()

    worker = _start_worker()
    try:
        assert _wait_for(lambda: issued() >= ROWS // 10, timeout=60), "the worker never started"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    killed_at = issued()
    assert killed_at < ROWS, "the worker finished before it could be killed"

    call_command("bulk_issue_resume")
    worker = _start_worker()
    try:
        finished = _wait_for(
            lambda: BulkIssue.objects.get(pk=bulk_issue.pk).status == BulkIssue.Status.DONE,
            timeout=400,
        )
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait()
    print(f"bulk fault test: killed at {killed_at} rows, then finished: {finished}")

    assert finished
    awards = Award.objects.filter(badge_class=badge_class)
    assert awards.count() == ROWS
    assert not awards.values("recipient_email").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert issued() == ROWS
