"""The printable report: ``report.pdf`` beside the dashboards, for the city team and for an
organisation. It is drawn from the same selectors and export tables as the pages, for the
period and filter in the query string, so every number in it is the number a page shows.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from . import exports, selectors
from .access import access_insights_for_city_admin, access_insights_for_organisation
from .catalogue import DIMENSIONS, METRICS
from .report_pdf import Report, ReportTable, Section, insights_report_pdf
from .views import Dashboard, chart_point, dashboard_for

NO_FILTER_LABEL = "All organisations and topics"
ONE_FILTER_NOTE = (
    "Only one filter (an organisation type or a topic) applies at a time, so that filtered and "
    "unfiltered figures can't be combined to uncover a hidden count. Counts of what "
    "organisations offer (opportunities, sessions, organisations active) identify nobody and "
    "are shown exactly."
)
BREAKDOWNS = (("awards", "home_area"), ("awards", "age_band"))


def _text(value: object) -> str:
    return "" if value is None else str(value)


def _table(rows: exports.Table, *, caption: str) -> ReportTable:
    """An export table (header row first) as the report prints it: every cell as its text."""
    header, *body = rows
    return ReportTable(
        headers=[_text(h) for h in header],
        rows=[[_text(cell) for cell in row] for row in body],
        caption=caption,
    )


def _filter_label(d: Dashboard) -> str:
    if not d.query.filter.kind:
        return NO_FILTER_LABEL
    field = d.form.fields["filter"]
    for group, options in getattr(field, "choices", []):
        if isinstance(options, Sequence) and not isinstance(options, str):
            for value, label in options:
                if value == d.query.filter.key:
                    return f"{group}: {label}"
    return d.query.filter.key


def _headline_section(d: Dashboard, period: str) -> Section:
    headlines = selectors.headline_figures(scope=d.scope, period=period, filter=d.query.filter)
    # The export's table, with the change as the overview words it ("+12", "no change").
    rows = exports.headline_table(headlines)
    rows[0] = ["Figure", "This period", "Period before", "Before", "Change"]
    for row, h in zip(rows[1:], headlines, strict=True):
        row[4] = h.change_display
    return Section(
        title="Headline figures",
        intro="Every headline figure for the period, beside the period before and the change "
        "when both are shown.",
        table=_table(rows, caption="Headline figures, with the period before"),
    )


def _columns(rows: exports.Table, keep: Sequence[int], headers: Sequence[str]) -> exports.Table:
    """Some columns of an export table, under shorter headers: a page is narrower than a CSV."""
    header: list[object] = list(headers)
    return [header] + [[row[i] for i in keep] for row in rows[1:]]


def _equity_sections(d: Dashboard, period: str) -> list[Section]:
    """The equity table, in two halves that fit a portrait page: the counts, then the shares
    and the reach ratio (the export's columns, unchanged)."""
    table = selectors.equity(scope=d.scope, period=period, filter=d.query.filter)
    if table is None:
        return []
    rows = exports.equity_table(table)
    n = len(table.metrics)
    counts = [0, *(1 + 2 * i for i in range(n)), 1 + 2 * n]
    shares = [0, *(2 + 2 * i for i in range(n)), 2 + 2 * n, 3 + 2 * n]
    labels = [m.label for m in table.metrics]
    return [
        Section(
            title="Equity: who is reached, by home deprivation decile",
            intro="Learners reached, badges awarded and places booked by the deprivation "
            "decile of the learner's home area (decile 1 is the most deprived tenth of areas in "
            "England), beside the decile's young residents (aged 11 to 25). The chart shows "
            "learners reached.",
            table=_table(
                _columns(rows, counts, ["Home area decile", *labels, "Young residents"]),
                caption="Reach by home deprivation decile",
            ),
            chart=[
                chart_point(row.label, m.cell, m.display)
                for row in table.rows
                for m in row.measures
                if m.metric.key == "learners_reached"
            ]
            or None,
        ),
        Section(
            title="Equity: shares and reach ratio",
            intro="Each decile's share of the total (%), beside its share of the city's young "
            "residents. The reach ratio is the share of learners reached divided by the share "
            "of young residents: above 1, the decile is reached more than its share.",
            table=_table(
                _columns(
                    rows,
                    shares,
                    ["Home area decile", *labels, "Young residents", "Reach ratio"],
                ),
                caption="Shares (%) by home deprivation decile",
            ),
        ),
    ]


def _deserts_section(d: Dashboard, period: str) -> Section | None:
    rows = selectors.opportunity_deserts(city=d.city, period=period, filter=d.query.filter)
    if rows is None:
        return None
    return Section(
        title="Opportunity deserts",
        intro="The city's areas, least on offer first: opportunities offered at a venue in the "
        "area per 1,000 young residents. Counts of opportunities identify nobody and are exact.",
        table=_table(
            _columns(
                exports.desert_table(rows),
                range(7),
                ["Rank", "Area", "Code", "Decile", "Offered", "Young residents", "Per 1,000"],
            ),
            caption="Opportunities per 1,000 young residents, by area",
        ),
    )


def _breakdown_section(d: Dashboard, period: str, metric: str, dimension: str) -> Section | None:
    table = selectors.breakdown(
        scope=d.scope, period=period, metric=metric, dimension=dimension, filter=d.query.filter
    )
    if table is None:
        return None
    label = DIMENSIONS[dimension].label
    return Section(
        title=f"{table.metric.label} by {label.lower()}",
        intro=f"{table.metric.label} in the period, one row for each {label.lower()}."
        + ("" if table.partition else " These don't add up to the total."),
        table=_table(
            exports.breakdown_table(table, dimension_label=label),
            caption=f"{table.metric.label} by {label.lower()}",
        ),
        chart=[chart_point(r.label, r.cell, r.display) for r in table.rows] or None,
    )


def _progression_section(d: Dashboard, period: str) -> Section | None:
    funnel = selectors.funnel(scope=d.scope, period=period)
    if funnel is None or not funnel.steps:
        return None
    return Section(
        title="Progression",
        intro="Learners whose first badge was in the period, and how many went on to each later "
        "step; then the median days between steps. The progression is not filtered.",
        table=_table(exports.funnel_table(funnel), caption="From a first badge to a pathway"),
        chart=[chart_point(s.metric.label, s.cell, s.display) for s in funnel.steps],
    )


def definitions_text() -> str:
    """How each figure is counted, from the catalogue; the report adds the small-number rule."""
    paragraphs = [f"{m.label}: {m.definition}" for m in METRICS.values()]
    paragraphs += [f"{d.label}: {d.definition}" for d in DIMENSIONS.values() if d.key != "total"]
    paragraphs.append(ONE_FILTER_NOTE)
    return "\n\n".join(paragraphs)


def build_report(d: Dashboard) -> Report:
    """The report for the dashboard's scope, period and filter (figures must exist)."""
    period = d.query.period
    refresh = d.status.refresh
    assert period is not None and refresh is not None
    key = period.key
    candidates: list[Section | None] = [_headline_section(d, key), *_equity_sections(d, key)]
    if d.scope.is_city:
        candidates.append(_deserts_section(d, key))
    candidates += [_breakdown_section(d, key, m, dim) for m, dim in BREAKDOWNS]
    if d.scope.is_city:
        candidates.append(_progression_section(d, key))
    name = d.organisation.name if d.organisation else d.city.name
    return Report(
        city_name=name if d.organisation is None else f"{name} ({d.city.name})",
        period_label=period.label,
        filter_label=_filter_label(d),
        as_of=timezone.localtime(refresh.as_of, zoneinfo.ZoneInfo(d.city.timezone)),
        sections=[s for s in candidates if s is not None],
        definitions=definitions_text(),
        threshold=selectors.threshold(),
    )


def _response(d: Dashboard) -> HttpResponse:
    if not d.status.ready or d.query.period is None:
        raise Http404("There are no figures to report yet.")
    body = insights_report_pdf(build_report(d))
    filename = d.filename("report").removesuffix(".csv") + ".pdf"
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def city_report(request: HttpRequest, city_slug: str) -> HttpResponse:
    """The city team's report of one period (``?period=…&filter=…``) as a PDF download."""
    scope = access_insights_for_city_admin(user=request.user, city_slug=city_slug)
    return _response(dashboard_for(request, "report", scope))


@login_required
@require_GET
def organisation_report(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    """An organisation's own report of one period as a PDF download."""
    organisation, scope = access_insights_for_organisation(
        user=request.user, city_slug=city_slug, org_slug=org_slug
    )
    return _response(dashboard_for(request, "report", scope, organisation))


__all__ = ["build_report", "city_report", "definitions_text", "organisation_report"]
