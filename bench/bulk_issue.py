"""Bulk-issue 10,000 awards end to end: CSV bytes in → checked preview → confirmed → every row
signed (OB 3.0 Data Integrity proof + VC-JWT) and stored, award emails sent (the task backend
runs inline here, with the in-memory email backend).

Baked PNG/SVG images are not part of it: they are made when someone asks for them, not at issue.

Runs on a throwaway database made by Django's test utilities (a temporary SQLite file, or
``test_<name>`` when ``DATABASE_URL`` points at PostgreSQL); the site's own database is never
touched. ``BENCH_BULK_ROWS`` changes the row count.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    rows = int(os.environ.get("BENCH_BULK_ROWS", "10000"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    with tempfile.TemporaryDirectory() as scratch:
        import django

        django.setup()
        from django.db import connection

        database = connection.settings_dict
        # No migrations: tables straight from the models, like the test suite's --no-migrations.
        database["TEST"]["MIGRATE"] = False
        if database["ENGINE"] == "django.db.backends.sqlite3":
            database["TEST"]["NAME"] = str(Path(scratch) / "bench.sqlite3")

        from django.test.utils import (
            setup_databases,
            setup_test_environment,
            teardown_databases,
            teardown_test_environment,
        )

        setup_test_environment()
        old_config = setup_databases(verbosity=0, interactive=False)
        try:
            _run(rows)
        finally:
            teardown_databases(old_config, verbosity=0)
            teardown_test_environment()


def _run(rows: int) -> None:
    import logging

    logging.getLogger("django_tasks").setLevel(logging.WARNING)  # one line per task otherwise
    from django.db import connection

    from learningcity.badges import issuing
    from learningcity.badges.models import Award, BulkIssue
    from learningcity.badges.tests.factories import BadgeClassFactory

    badge_class = BadgeClassFactory(status="published")
    data = (
        "email,name,evidence_narrative\n"
        + "".join(
            f"learner{n}@example.org,Learner {n},Came to {n % 7 + 1} sessions\n"
            for n in range(rows)
        )
    ).encode()

    started, started_cpu = time.perf_counter(), time.process_time()
    bulk_issue = issuing.bulk_issue_create(
        organisation=badge_class.organisation, badge_class=badge_class, created_by=None, data=data
    )
    checked = time.perf_counter()
    issuing.bulk_issue_confirm(bulk_issue=bulk_issue)
    finished, finished_cpu = time.perf_counter(), time.process_time()

    bulk_issue.refresh_from_db()
    assert bulk_issue.status == BulkIssue.Status.DONE, bulk_issue.status
    assert Award.objects.filter(badge_class=badge_class).count() == rows
    total = finished - started
    print(f"database: {connection.vendor}")
    print(f"rows: {rows:,}")
    print(f"check (preview): {checked - started:.2f} s")
    print(f"issue (sign + store + email): {finished - checked:.2f} s")
    print(f"total: {total:.2f} s, {rows / total:.0f} rows/s")
    # This process's CPU time: steadier than the wall clock on a shared machine (on SQLite it
    # is all the work; PostgreSQL's own work is not in it).
    cpu = finished_cpu - started_cpu
    print(f"cpu (this process): {cpu:.2f} s, {rows / cpu:.0f} rows per cpu-second")
