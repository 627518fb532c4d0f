"""CSV of every dashboard table, exactly as the page shows it: a suppressed cell is its words
("fewer than 10", "withheld"), never a number. Every cell goes through ``csv_safe`` (an area
named ``=HYPERLINK(…)`` must stay text in a spreadsheet).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence

from django.http import HttpResponse

from learningcity.badges.issuing import csv_safe

from . import selectors

Table = list[list[object]]


def headline_table(headlines: Sequence[selectors.Headline]) -> Table:
    rows: Table = [["figure", "this period", "previous period", "previous", "change"]]
    for h in headlines:
        rows.append(
            [
                h.metric.label,
                h.display,
                h.previous_period.label if h.previous_period and h.cell else "",
                h.previous_display,
                "" if h.change is None else h.change,
            ]
        )
    return rows


def trend_table(points: Sequence[selectors.TrendPoint], *, label: str) -> Table:
    rows: Table = [["period", label]]
    rows += [[p.period.label, p.display] for p in points]
    return rows


def breakdown_table(table: selectors.Breakdown, *, dimension_label: str) -> Table:
    rows: Table = [[dimension_label, table.metric.label]]
    rows += [[row.label, row.display] for row in table.rows]
    rows.append(["Total", table.total_display])
    return rows


def equity_table(table: selectors.Equity) -> Table:
    header: list[object] = ["home area deprivation decile"]
    for m in table.metrics:
        header += [m.label, f"{m.label}: share (%)"]
    header += ["young residents", "young residents: share (%)", "reach ratio"]
    rows: Table = [header]
    for row in table.rows:
        line: list[object] = [row.label]
        for measure in row.measures:
            line += [measure.display, measure.share]
        line += [
            "" if row.population is None else row.population,
            row.population_share,
            row.reach_ratio,
        ]
        rows.append(line)
    total: list[object] = ["Total"]
    for measure in table.totals:
        total += [measure.display, measure.share]
    total += [table.population_total, "100.0", ""]
    rows.append(total)
    return rows


def desert_table(rows_in: Sequence[selectors.DesertRow]) -> Table:
    rows: Table = [
        [
            "rank",
            "area",
            "code",
            "deprivation decile",
            "opportunities offered",
            "young residents",
            "per 1,000 young residents",
        ]
    ]
    for rank, row in enumerate(rows_in, start=1):
        rows.append(
            [
                rank,
                row.area.name,
                row.area.code,
                selectors.decile_label(str(row.area.imd_decile)),
                row.offered,
                selectors.NOT_KNOWN if row.young_population is None else row.young_population,
                row.per_thousand,
            ]
        )
    return rows


def funnel_table(funnel: selectors.Funnel) -> Table:
    rows: Table = [["step", "learners"]]
    rows += [[s.metric.label, s.display] for s in funnel.steps]
    if funnel.days:
        rows.append(["time between steps", "median"])
        rows += [[s.metric.label, s.display] for s in funnel.days]
    return rows


def _is_number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def csv_filename(*parts: str) -> str:
    """``insights-brighton-equity-q2026-4.csv``: safe characters only."""
    name = "-".join(p for p in parts if p)
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".csv"


def csv_response(*, rows: Iterable[Sequence[object]], filename: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    for row in rows:
        # Counts stay numbers (a negative change is not a formula); every text cell is made safe.
        writer.writerow([value if _is_number(value) else csv_safe(value) for value in row])
    return response
