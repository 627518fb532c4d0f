"""City insights at London scale: how long the precomputed figures take to rebuild, and how long
the city dashboard pages take to render, with 1,000,000 learners and 5,000,000 awards on
PostgreSQL and 100,000 awards (20,000 learners) on SQLite. The issue's target: p95 under 500 ms
at 5M awards on PostgreSQL (printed as a ratio; nothing here asserts a time).

The data: one London-sized city, made by ``_generate_insights`` with set-based SQL (its
docstring gives the shape). Then ``insights.refresh.insights_refresh`` rebuilds the city's facts
and figures once (timed), and the dashboards are rendered through Django's test client as a city
admin: each page once to warm up, then a fixed mix of requests over periods, filters, metrics and
dimensions, timed per page; then the dashboard of the organisation with most awards, as one of
its staff. If the refresh or the pages are not there yet, that part is skipped, saying so.

Each database runs in its own process, on its own throwaway database: a temporary SQLite file,
and ``lc_bench_insights_dash`` on the PostgreSQL server of ``BENCH_POSTGRES_URL`` (its database
name replaced; or ``BENCH_INSIGHTS_POSTGRES_URL`` as it is), created and dropped here (unless
kept, below). The developer's data is never touched. The refresh runs in a process of its own
and is stopped after ``BENCH_INSIGHTS_REFRESH_TIMEOUT`` seconds (default 1800);
``BENCH_INSIGHTS_THRESHOLD`` replaces the suppression threshold (1: suppression off, to time
the pages at full figure volume).

Generating the PostgreSQL city takes 4 to 15 minutes, so it can be done once:
``BENCH_INSIGHTS_KEEP=1`` keeps the PostgreSQL database at the end instead of dropping it, and a
later run with ``BENCH_INSIGHTS_KEEP=1`` that finds a generated city of the size asked for in it
reuses it: it runs ``migrate`` on the database (so a database made before newer migrations still
works) and skips generation, finding the city, its admin and the organisation's staff member
again. A kept database holding another size (or a generation cut short) is dropped and made
afresh. Facts and figures left by the last run are rebuilt by the refresh. SQLite is never kept.
Drop a kept database by hand when done (``dropdb lc_bench_insights_dash``).

    .venv/bin/python bench/run.py insights          # or: make bench
    BENCH_INSIGHTS_DATABASES=sqlite BENCH_INSIGHTS_SQLITE_AWARDS=20000 \\
        .venv/bin/python bench/run.py insights
    BENCH_INSIGHTS_DATABASES=postgresql BENCH_INSIGHTS_THRESHOLD=1 \\
        BENCH_INSIGHTS_REFRESH_TIMEOUT=2400 .venv/bin/python bench/run.py insights
    BENCH_INSIGHTS_DATABASES=postgresql BENCH_INSIGHTS_KEEP=1 BENCH_INSIGHTS_REFRESH_TIMEOUT=1 \\
        .venv/bin/python bench/run.py insights   # generate once, keep, stop after generating
    BENCH_INSIGHTS_DATABASES=postgresql BENCH_INSIGHTS_KEEP=1 \\
        .venv/bin/python bench/run.py insights   # then: reuse it, time the refresh and pages
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATABASES = "sqlite,postgresql"
DEFAULT_SQLITE_AWARDS = 100_000
DEFAULT_POSTGRES_AWARDS = 5_000_000
DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/lc_bench_insights_dash"
DATABASE_NAME = "lc_bench_insights_dash"
TARGET_MS = 500.0
DEFAULT_REFRESH_TIMEOUT = 1800.0
MIX = 60  # timed requests in the city mix
EXPORT_WORDS = ("csv", "export", "pdf", "report", "download", "print")


def main() -> None:
    databases = os.environ.get("BENCH_INSIGHTS_DATABASES", DEFAULT_DATABASES)
    for database in [name.strip() for name in databases.split(",") if name.strip()]:
        if database == "sqlite":
            awards = int(os.environ.get("BENCH_INSIGHTS_SQLITE_AWARDS", DEFAULT_SQLITE_AWARDS))
        else:
            awards = int(os.environ.get("BENCH_INSIGHTS_POSTGRES_AWARDS", DEFAULT_POSTGRES_AWARDS))
        # One process per database: Django's settings are made once per process.
        print(f"--- {database}, {awards:,} awards", flush=True)
        completed = subprocess.run(  # noqa: S603 - this file, with our own arguments
            [sys.executable, str(Path(__file__).resolve()), database, str(awards)], check=False
        )
        if completed.returncode:
            print(f"({database} run failed with exit code {completed.returncode})", flush=True)


def _postgres_url() -> str:
    own = os.environ.get("BENCH_INSIGHTS_POSTGRES_URL")
    if own:  # used as it is: name a database of your own, it is dropped afterwards
        return own
    explicit = os.environ.get("BENCH_POSTGRES_URL")
    if not explicit:
        return DEFAULT_POSTGRES
    parts = urlsplit(explicit)  # the server given; our own database on it
    return urlunsplit(parts._replace(path=f"/{DATABASE_NAME}"))


# --- One database, in its own process --------------------------------------------------------


def _worker(database: str, awards: int) -> None:
    sys.path[:0] = [str(REPO), str(REPO / "bench")]
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    with tempfile.TemporaryDirectory() as scratch:
        if database == "sqlite":
            os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
        elif database in ("postgresql", "postgres"):
            os.environ["DATABASE_URL"] = _postgres_url()
        else:
            raise SystemExit(f"Unknown database {database!r}: use sqlite or postgresql.")
        import django

        django.setup()
        from django.db import connection

        settings_dict = connection.settings_dict
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

        keep = connection.vendor == "postgresql" and os.environ.get("BENCH_INSIGHTS_KEEP") == "1"
        setup_test_environment()
        started = time.perf_counter()
        # Not serialized: Django would dump a kept database's millions of rows into a string.
        old_config = setup_databases(
            verbosity=0, interactive=False, keepdb=keep, serialized_aliases=set()
        )
        print(
            f"database: {connection.vendor} ({settings_dict['NAME']}"
            f"{', kept' if keep else ''}), migrated in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        world = None
        if keep:
            from _generate_insights import world_find

            from learningcity.cities.models import City

            world = world_find(awards=awards)
            if world is None and City.objects.exists():  # another size, or a run cut short
                print("dropping the kept database and generating afresh", flush=True)
                teardown_databases(old_config, verbosity=0)
                old_config = setup_databases(
                    verbosity=0, interactive=False, serialized_aliases=set()
                )
        try:
            _run(awards, world=world)
        finally:
            teardown_databases(old_config, verbosity=0, keepdb=keep)
            teardown_test_environment()


def _run(awards: int, *, world: Any = None) -> None:
    """Generate the city (unless ``world`` is one found in a kept database), refresh, render."""
    import logging

    from django.conf import settings

    _threshold_override()
    threshold = getattr(settings, "INSIGHTS_SUPPRESSION_THRESHOLD", 10)
    if os.environ.get("BENCH_INSIGHTS_THRESHOLD"):
        print(
            f"SUPPRESSION THRESHOLD {threshold} (BENCH_INSIGHTS_THRESHOLD), not the site's: "
            "figures as many as at the real threshold, suppression work not timed",
            flush=True,
        )

    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # the PDF report subsets fonts
    from _generate_insights import generate

    if world is None:
        world = generate(awards=awards)
    if not _refresh(world):
        return
    _render_city(world)
    _render_organisation(world)


# --- The refresh -------------------------------------------------------------------------------


def _refresh(world: Any) -> bool:
    """Run the refresh in a process of its own, as the task worker would, so that a refresh
    slower than ``BENCH_INSIGHTS_REFRESH_TIMEOUT`` seconds can be stopped and reported."""
    try:
        from learningcity.insights.refresh import insights_refresh  # noqa: F401
    except ImportError as error:
        print(f"refresh: skipped, insights.refresh.insights_refresh is not there yet ({error})")
        return False
    from django.db import connection
    from django.db.models import Count

    from learningcity.insights.models import Fact, Figure, Refresh

    timeout = float(os.environ.get("BENCH_INSIGHTS_REFRESH_TIMEOUT", DEFAULT_REFRESH_TIMEOUT))
    if connection.vendor == "sqlite":
        url = f"sqlite:///{connection.settings_dict['NAME']}"
    else:
        url = os.environ["DATABASE_URL"]
    connection.close()
    started = time.perf_counter()
    child = subprocess.Popen(  # noqa: S603 - this file, with our own arguments
        [sys.executable, str(Path(__file__).resolve()), "--refresh", url, str(world.city.pk)]
    )
    try:
        child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
        print(
            f"refresh: stopped after {timeout:.0f} s without finishing "
            "(BENCH_INSIGHTS_REFRESH_TIMEOUT); the dashboards are not timed",
            flush=True,
        )
        return False
    seconds = time.perf_counter() - started
    refresh = Refresh.objects.filter(city=world.city).order_by("-started_at", "-pk").first()
    if child.returncode or refresh is None or refresh.status != Refresh.Status.DONE:
        print(
            f"refresh: did not finish (exit {child.returncode}, "
            f"{getattr(refresh, 'status', 'no Refresh row')}): "
            f"{getattr(refresh, 'error', '')[:500]}"
        )
        return False
    figures = Figure.objects.filter(refresh=refresh)
    by_status = dict(figures.order_by().values_list("status").annotate(n=Count("id")))
    print(
        f"refresh: {seconds:.1f} s in its own process (the refresh row says "
        f"{refresh.seconds:.1f} s); {Fact.objects.filter(city_id=world.city.pk).count():,} "
        f"facts (row: {refresh.facts:,}), {figures.count():,} figures (row: "
        f"{refresh.figures:,}): "
        + ", ".join(f"{n:,} {status}" for status, n in sorted(by_status.items())),
        flush=True,
    )
    organisations = (
        figures.exclude(organisation_id__isnull=True)
        .order_by()
        .values("organisation_id")
        .distinct()
        .count()
    )
    print(f"  figures for the city and for {organisations:,} organisations", flush=True)
    phases = getattr(refresh, "phase_seconds", None) or {}
    if phases:
        print(
            "  phases: " + ", ".join(f"{name} {sec:.1f} s" for name, sec in phases.items()),
            flush=True,
        )
    return True


# --- Measuring -----------------------------------------------------------------------------------


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _figures(label: str, timings: list[float], *, target: bool = False) -> None:
    ms = [t * 1000 for t in timings]
    p95 = _percentile(ms, 0.95)
    extra = f"; p95 is {p95 / TARGET_MS:.2f}× the {TARGET_MS:.0f} ms target" if target else ""
    print(
        f"{label}: p50 {_percentile(ms, 0.5):.1f} ms, p95 {p95:.1f} ms, "
        f"max {max(ms):.1f} ms, mean {statistics.fmean(ms):.1f} ms (n={len(ms)}){extra}",
        flush=True,
    )


def _routes(module: str, **kwargs: str) -> list[tuple[str, str]]:
    """(name, url) of each named page of ``module`` that takes exactly ``kwargs``."""
    import importlib

    from django.urls import NoReverseMatch, URLPattern, reverse

    found = []
    for pattern in importlib.import_module(module).urlpatterns:
        if not isinstance(pattern, URLPattern) or not pattern.name:
            continue
        try:
            found.append((pattern.name, reverse(pattern.name, kwargs=kwargs)))
        except NoReverseMatch:
            print(f"  (page {pattern.name!r} needs more than {sorted(kwargs)}: not timed)")
    return found


def _mix(world: Any, pages: list[tuple[str, str]], scope: Any) -> list[tuple[str, str, dict]]:
    """A fixed mix: every page in turn, over periods, filters, metrics and dimensions."""
    from learningcity.insights.selectors import available_periods

    available = [p.key for p in available_periods(scope=scope)]
    months = [k for k in available if k.startswith("m")]
    quarters = [k for k in available if k.startswith("q")]
    years = [k for k in available if k.startswith("y")]
    chosen_periods = [""] + [k for k in ("r12",) if k in available]
    chosen_periods += years[:2] + quarters[:2] + months[:3] + months[12:13]
    filters = [
        "",
        "organisation_type:school",
        f"topic:{world.topic_ids[0]}",
        "organisation_type:youth_group",
        f"topic:{world.topic_ids[-1]}",
    ]
    if not scope.is_city:
        filters = [f for f in filters if not f.startswith("organisation_type")]
    metrics = [
        "",
        "awards",
        "places_booked",
        "learners_reached",
        "places_attended",
        "pathways_started",
    ]
    dimensions = [
        "",
        "home_decile",
        "age_band",
        "topic",
        "skill",
        "level",
        "organisation_type",
        "home_area",
    ]
    out = []
    for n in range(MIX):
        name, url = pages[n % len(pages)]
        params = {
            "period": chosen_periods[n % len(chosen_periods)],
            "filter": filters[(n // 2) % len(filters)],
            "metric": metrics[(n // 3) % len(metrics)],
            "dimension": dimensions[(n * 5) % len(dimensions)],
            "kind": "quarter" if n % 4 == 3 else "",
        }
        out.append((name, url, {k: v for k, v in params.items() if v}))
    return out


def _time_pages(
    client: Any, requests: list[tuple[str, str, dict]], *, label: str, target: bool
) -> list[tuple[float, str, dict, list[dict]]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    by_page: dict[str, list[float]] = {}
    every: list[float] = []
    captures = []
    for name, url, params in requests:
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            print(f"  {name} answered {response.status_code} for {params}", flush=True)
            continue
        by_page.setdefault(name, []).append(elapsed)
        every.append(elapsed)
        captures.append((elapsed, name, params, list(captured.captured_queries)))
    if not every:
        print(f"{label}: no page answered 200")
        return captures
    for name, values in sorted(by_page.items()):
        _figures(f"  {name}", values)
    _figures(f"{label}, all pages", every, target=target)
    sql_ms = [sum(float(q["time"]) for q in c[3]) * 1000 for c in captures]
    print(
        f"  in the database: p50 {_percentile(sql_ms, 0.5):.1f} ms, "
        f"p95 {_percentile(sql_ms, 0.95):.1f} ms of each page "
        f"({statistics.median(len(c[3]) for c in captures):.0f} statements, "
        f"max {max(len(c[3]) for c in captures)}); the rest is Python and templates",
        flush=True,
    )
    for elapsed, name, params, statements in sorted(captures, key=lambda c: -c[0])[:3]:
        print(f"  slow: {elapsed * 1000:.0f} ms {name} {params} ({len(statements)} statements)")
    return captures


def _explain_slowest(captures: list[tuple[float, str, dict, list[dict]]]) -> None:
    from django.db import connection

    statements = [(float(q["time"]), name, q["sql"]) for _, name, _, qs in captures for q in qs]
    if not statements:
        return
    seconds, name, sql = max(statements, key=lambda row: row[0])
    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS) "
        if connection.vendor == "postgresql"
        else ("EXPLAIN QUERY PLAN ")
    )
    print(f"  slowest statement ({seconds * 1000:.0f} ms, page {name}):\n    {sql}")
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql)
        plan = "\n".join(f"    {row[-1]}" for row in cursor.fetchall())
    print(f"  {prefix.strip()}:\n{plan}", flush=True)


def _render_city(world: Any) -> None:
    from django.test import Client

    from learningcity.insights.selectors import Scope

    pages = _routes("learningcity.insights.urls_city", city_slug=world.city.slug)
    exports = [(n, u) for n, u in pages if any(w in n.lower() for w in EXPORT_WORDS)]
    pages = [(n, u) for n, u in pages if (n, u) not in exports]
    if not pages:
        print("city dashboard: skipped, insights.urls_city routes no page yet")
        return
    client = Client()
    client.force_login(world.admin)
    name, url = pages[0]
    started = time.perf_counter()
    response = client.get(url)
    print(
        f"city dashboard {name} ({url}), first render (cold): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms, status {response.status_code}",
        flush=True,
    )
    for _, other in pages[1:]:
        client.get(other)  # warm: templates compiled, as on a running site
    overview = [(name, url, {})] * 10
    _time_pages(client, overview, label=f"city {name}, default period (warm)", target=True)
    requests = _mix(world, pages, Scope.for_city(world.city))
    captures = _time_pages(client, requests, label="city dashboard mix", target=True)
    csv = [(n, u, {"format": "csv"}) for n, u in pages] + [(n, u, {}) for n, u in exports]
    _time_pages(client, csv, label="city CSV exports (not in the target)", target=False)
    if captures:
        _explain_slowest(captures)


def _render_organisation(world: Any) -> None:
    from django.test import Client

    from learningcity.insights.selectors import Scope

    organisation = world.largest_organisation
    pages = _routes(
        "learningcity.insights.urls_organisation",
        city_slug=world.city.slug,
        org_slug=organisation.slug,
    )
    pages = [(n, u) for n, u in pages if not any(w in n.lower() for w in EXPORT_WORDS)]
    if not pages:
        print("organisation dashboard: skipped, insights.urls_organisation routes no page yet")
        return
    client = Client()
    client.force_login(world.organisation_staff)
    for _, url in pages:
        client.get(url)
    requests = _mix(world, pages, Scope.for_organisation(organisation))[:30]
    print(f"organisation {organisation.name} ({organisation.type}), the one with most awards:")
    _time_pages(client, requests, label="organisation dashboard mix", target=False)


def _threshold_override() -> None:
    """``BENCH_INSIGHTS_THRESHOLD``, when set, replaces the suppression threshold (1 turns
    suppression off: no count is below it) — to time the pages at full figure volume when a
    refresh at the real threshold takes too long."""
    value = os.environ.get("BENCH_INSIGHTS_THRESHOLD")
    if value:
        from django.conf import settings

        settings.INSIGHTS_SUPPRESSION_THRESHOLD = int(value)


def _refresh_child(url: str, city_id: int) -> None:
    sys.path[:0] = [str(REPO)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings_test"
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    _threshold_override()
    from learningcity.cities.models import City
    from learningcity.insights.refresh import insights_refresh

    insights_refresh(city=City.objects.get(pk=city_id))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--refresh"]:  # the refresh, started by _refresh()
        _refresh_child(sys.argv[2], int(sys.argv[3]))
    elif len(sys.argv) > 2:  # one database's worker, started by main()
        _worker(sys.argv[1], int(sys.argv[2]))
    else:  # run directly: every database, as bench/run.py does
        main()
