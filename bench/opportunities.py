"""Opportunity discovery at London scale: how long one search takes with 10,000 and 200,000
opportunities, on SQLite and on PostgreSQL.

The data: 33 borough-sized cities, each with 20 wards and 15 postcode districts (IMD deciles and
centroids), 50 organisations and the default topics; opportunities of every type, age range,
price, delivery and accessibility, with 1–6 sessions over the next three months (some already
past), written with ``bulk_create`` in batches and then indexed with
``search.opportunities_reindex_bulk``. The searches: a fixed, seeded set of 200 — text alone,
text with filters, filters alone, near a postcode district within a radius, this weekend, an age,
free only, every sort — run through ``selectors.opportunities_discover`` as the list page does,
plus the list page itself rendered through Django's test client.

Each database runs in its own process, on its own throwaway database: a temporary SQLite file,
and ``lc_bench_opps`` on the PostgreSQL server of ``BENCH_POSTGRES_URL`` (created and dropped
here). The developer's data is never touched. Sizes grow in one database: the 10,000 figures are
taken, then the rest is added and the 200,000 figures taken.

    .venv/bin/python bench/run.py opportunities        # or: make bench
    BENCH_OPPORTUNITY_SIZES=2000 BENCH_OPPORTUNITY_DATABASES=sqlite \\
        .venv/bin/python bench/run.py opportunities
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SIZES = "10000,200000"
DEFAULT_DATABASES = "sqlite,postgresql"
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lc_bench_opps"
QUERY_COUNT = 200
PAGE_RENDERS = 40
SEED = 20261128


def main() -> None:
    sizes = os.environ.get("BENCH_OPPORTUNITY_SIZES", DEFAULT_SIZES)
    databases = os.environ.get("BENCH_OPPORTUNITY_DATABASES", DEFAULT_DATABASES)
    for database in [name.strip() for name in databases.split(",") if name.strip()]:
        # One process per database: Django's settings are made once per process.
        print(f"--- {database}", flush=True)
        completed = subprocess.run(  # noqa: S603 - this file, with our own arguments
            [sys.executable, str(Path(__file__).resolve()), database, sizes], check=False
        )
        if completed.returncode:
            print(f"({database} run failed with exit code {completed.returncode})", flush=True)


# --- One database, in its own process --------------------------------------------------------


def _worker(database: str, sizes: list[int]) -> None:
    sys.path[:0] = [str(REPO)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    with tempfile.TemporaryDirectory() as scratch:
        if database == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
        elif database in ("postgresql", "postgres"):
            os.environ["DATABASE_URL"] = os.environ.get("BENCH_POSTGRES_URL", DEFAULT_POSTGRES)
        else:
            raise SystemExit(f"Unknown database {database!r}: use sqlite or postgresql.")
        import django

        django.setup()
        from django.db import connection

        settings_dict = connection.settings_dict
        # Migrations, not syncdb: the search index's table and triggers come from a migration.
        settings_dict["TEST"]["MIGRATE"] = True
        if connection.vendor == "sqlite":
            settings_dict["TEST"]["NAME"] = str(Path(scratch) / "bench.sqlite3")
        else:
            settings_dict["TEST"]["NAME"] = settings_dict["NAME"]
        from django.test.utils import (
            setup_databases,
            setup_test_environment,
            teardown_databases,
            teardown_test_environment,
        )

        setup_test_environment()
        started = time.perf_counter()
        old_config = setup_databases(verbosity=0, interactive=False)
        print(
            f"database: {connection.vendor} ({settings_dict['NAME']}), "
            f"migrated in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        try:
            _run(sorted(sizes))
        finally:
            teardown_databases(old_config, verbosity=0)
            teardown_test_environment()


def _run(sizes: list[int]) -> None:
    import logging

    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    from _generate_opportunities import World

    world = World.make(seed=SEED)
    made = 0
    for size in sizes:
        print(f"\n== {size:,} opportunities", flush=True)
        made = world.grow(to=size, made=made)
        _measure(world, size=size, explain=size == sizes[-1])


# --- Measuring --------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _figures(label: str, timings: list[float]) -> None:
    ms = [t * 1000 for t in timings]
    print(
        f"{label}: p50 {_percentile(ms, 0.5):.1f} ms, p95 {_percentile(ms, 0.95):.1f} ms, "
        f"max {max(ms):.1f} ms, mean {statistics.fmean(ms):.1f} ms (n={len(ms)})",
        flush=True,
    )


def _measure(world: Any, *, size: int, explain: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from learningcity.opportunities.selectors import opportunities_discover

    queries = world.queries(QUERY_COUNT)
    # Warm the caches (pages, prepared plans) the way a running site's are.
    for city, query, _ in queries[:20]:
        opportunities_discover(city=city, query=query)
    timings: list[tuple[float, Any, Any, str]] = []
    by_kind: dict[str, list[float]] = {}
    totals = []
    cpu: list[float] = []
    for city, query, kind in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = opportunities_discover(city=city, query=query)
        elapsed = time.perf_counter() - started
        cpu.append(time.process_time() - cpu_started)
        timings.append((elapsed, city, query, kind))
        by_kind.setdefault(kind, []).append(elapsed)
        totals.append(result.total)
    _figures(f"discover ({connection.vendor}, {size:,})", [t for t, *_ in timings])
    # CPU time of this process (Python, and SQLite's own work; not PostgreSQL's server): a
    # figure that stays honest on a busy machine, where wall-clock times wait for a core.
    _figures("  CPU time in this process", cpu)
    for kind, values in sorted(by_kind.items()):
        _figures(f"  {kind}", values)
    print(
        f"  results per search: median {statistics.median(totals):,.0f}, "
        f"none for {sum(1 for t in totals if not t)} of {len(totals)}",
        flush=True,
    )
    # Where the time goes: the database's share (again, with the statements captured).
    captures: list[tuple[float, Any, Any, str, list[dict[str, Any]]]] = []
    for city, query, kind in queries:
        # The log keeps 9,000 statements; a full log would make every capture look empty.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            opportunities_discover(city=city, query=query)
        statements = list(captured.captured_queries)
        in_sql = sum(float(statement["time"]) for statement in statements) * 1000
        captures.append((in_sql, city, query, kind, statements))
    sql_ms = [row[0] for row in captures]
    print(
        f"  in the database: p50 {_percentile(sql_ms, 0.5):.1f} ms, "
        f"p95 {_percentile(sql_ms, 0.95):.1f} ms of each search "
        f"({statistics.median(len(row[4]) for row in captures):.0f} statements); "
        "the rest is Python",
        flush=True,
    )
    slowest = sorted(timings, key=lambda row: row[0], reverse=True)[:3]
    for elapsed, city, query, kind in slowest:
        print(f"  slow: {elapsed * 1000:.0f} ms {kind} in {city.slug}: {_describe(query)}")

    _render_pages(world, size=size)

    # The search that spent longest in the database (steadier than wall-clock on a busy
    # machine), and its slowest statement.
    in_sql, city, query, kind, statements = max(captures, key=lambda row: row[0])
    statements = sorted(statements, key=lambda q: float(q["time"]), reverse=True)
    print(
        f"  most database time: {in_sql:.0f} ms, {kind} in {city.slug}: {_describe(query)}; "
        f"{len(statements)} statements, the slowest {float(statements[0]['time']) * 1000:.0f} ms",
        flush=True,
    )
    if explain:
        prefix = "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "sqlite":
            prefix = "EXPLAIN QUERY PLAN "
        with connection.cursor() as cursor:
            cursor.execute(prefix + statements[0]["sql"])
            plan = "\n".join(f"    {row[-1]}" for row in cursor.fetchall())
        print(f"  its slowest statement:\n    {statements[0]['sql']}\n  {prefix.strip()}:\n{plan}")


def _describe(query: Any) -> str:
    from dataclasses import fields

    parts = []
    for field in fields(query):
        value = getattr(query, field.name)
        if value != field.default and value not in ((), "", None, False):
            parts.append(f"{field.name}={value!r}")
    return ", ".join(parts) or "(everything)"


def _render_pages(world: Any, *, size: int) -> None:
    """The list page itself (search, facets, template) through the test client."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    client = Client()
    rng = random.Random(SEED + size)
    timings = []
    for number in range(PAGE_RENDERS):
        city = rng.choice(world.cities)
        try:
            url = reverse("opportunity-list", kwargs={"city_slug": city.slug})
        except NoReverseMatch:
            print("  list page: not routed yet", flush=True)
            return
        params: dict[str, str] = {}
        if number % 2:
            params["q"] = rng.choice(world.search_words)
        if number % 3 == 0:
            params["age"] = str(rng.choice((12, 14, 16, 19, 23)))
        if number % 4 == 1:
            params["near"] = rng.choice(world.outward_codes[city.pk])
            params["sort"] = "nearest"
        started = time.perf_counter()
        response = client.get(url, params)
        timings.append(time.perf_counter() - started)
        if response.status_code != 200:
            print(f"  list page answered {response.status_code} for {params}", flush=True)
            return
    _figures(f"list page ({size:,})", timings)


if __name__ == "__main__":
    if len(sys.argv) > 2:  # one database's worker, started by main()
        _worker(sys.argv[1], [int(size) for size in sys.argv[2].split(",") if size.strip()])
    else:  # run directly: every database, as bench/run.py does
        main()
