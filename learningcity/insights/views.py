"""The dashboards: the city team's under ``/<city>/admin/insights/``, an organisation's own under
``/<city>/organisations/<org>/insights/``. GET only; every choice is in the query string, and
``?format=csv`` on any page downloads its table (the overview: ``&table=trend`` for the trend).

Each view checks access, reads the page's selectors for one scope and renders. The pages are
the same for both scopes, so a view is a small wrapper around one ``_page`` function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from learningcity.cities.models import Area, City
from learningcity.organisations.models import Organisation

from . import charts, exports, selectors
from .access import access_insights_for_city_admin, access_insights_for_organisation
from .catalogue import DIMENSIONS, FINE_DIMENSIONS, METRICS, plan
from .forms import InsightsForm, Query, insights_query
from .templatetags.insights_numbers import grouped

CITY_PAGES = (
    ("overview", "Overview"),
    ("breakdowns", "Breakdowns"),
    ("equity", "Equity"),
    ("deserts", "Opportunity deserts"),
    ("progression", "Progression"),
    ("definitions", "Definitions"),
)
_FILTER_LABELS = {"organisation_type": "organisation type", "topic": "topic"}
ORGANISATION_PAGES = tuple(p for p in CITY_PAGES if p[0] != "deserts")
# Pages of breakdowns (and the report, which has them): their period menus offer the
# periods with breakdowns only.
BREAKDOWN_PAGES = frozenset({"breakdowns", "equity", "deserts", "report"})


@dataclass
class Dashboard:
    """One scope's dashboard, as a page needs it: who, which pages, what refresh, what query."""

    scope: selectors.Scope
    organisation: Organisation | None
    status: selectors.InsightsStatus
    form: InsightsForm
    query: Query
    page: str

    @property
    def city(self) -> City:
        return self.scope.city

    @property
    def pages(self) -> tuple[tuple[str, str], ...]:
        return CITY_PAGES if self.organisation is None else ORGANISATION_PAGES

    def url(self, page: str) -> str:
        if self.organisation is None:
            return reverse(f"insights-city-{page}", kwargs={"city_slug": self.city.slug})
        return reverse(
            f"insights-organisation-{page}",
            kwargs={"city_slug": self.city.slug, "org_slug": self.organisation.slug},
        )

    @property
    def nav(self) -> list[dict[str, object]]:
        params = self.query.params(metric="", dimension="", kind="")
        suffix = "?" + urlencode(params) if params else ""
        return [
            {"url": self.url(key) + suffix, "label": label, "current": key == self.page}
            for key, label in self.pages
        ]

    def csv_url(self, **extra: str) -> str:
        return "?" + urlencode({**self.query.params(), "format": "csv", **extra})

    @property
    def title_prefix(self) -> str:
        return (
            f"{self.organisation.name}: " if self.organisation else f"{self.city.name} city team: "
        )

    def filename(self, table: str) -> str:
        return exports.csv_filename(
            "insights",
            self.city.slug,
            self.organisation.slug if self.organisation else "",
            table,
            self.query.period_key,
            self.query.filter.key.replace(":", "-"),
        )


def dashboard_for(
    request: HttpRequest,
    page: str,
    scope: selectors.Scope,
    organisation: Organisation | None = None,
) -> Dashboard:
    request.city = scope.city  # type: ignore[attr-defined]
    available = selectors.available_periods(scope=scope, breakdowns=page in BREAKDOWN_PAGES)
    form, query = insights_query(data=request.GET, scope=scope, available=available)
    return Dashboard(
        scope=scope,
        organisation=organisation,
        status=selectors.insights_status(city=scope.city),
        form=form,
        query=query,
        page=page,
    )


def _wants_csv(request: HttpRequest) -> bool:
    return request.GET.get("format") == "csv"


def chart_point(
    label: str, cell: selectors.suppression.Cell | None, shown: int | str
) -> charts.Point:
    """A chart point as the table shows it (thousands grouped): a suppressed cell has no value,
    only its words."""
    value = None if cell is None or cell.suppressed else cell.value
    return charts.Point(label, value, str(grouped(shown)))


def _svg(svg: str) -> SafeString:
    # insights.charts escapes every text it is given and emits no script.
    return mark_safe(svg)  # noqa: S308


def _render(request: HttpRequest, template: str, dashboard: Dashboard, **context: object):
    return render(request, template, {"dashboard": dashboard, **context})


# --- Pages, for either scope ----------------------------------------------------------------


def _overview(request: HttpRequest, d: Dashboard) -> HttpResponse:
    headlines = (
        selectors.headline_figures(scope=d.scope, period=d.query.period_key, filter=d.query.filter)
        if d.query.period
        else []
    )
    metric = METRICS[d.query.metric]
    points = selectors.trend(
        scope=d.scope, metric=metric.key, kind=d.query.kind, filter=d.query.filter
    )
    if _wants_csv(request):
        if request.GET.get("table") == "trend":
            rows = exports.trend_table(points, label=metric.label)
            return exports.csv_response(rows=rows, filename=d.filename(f"trend-{metric.key}"))
        return exports.csv_response(
            rows=exports.headline_table(headlines), filename=d.filename("headlines")
        )
    return _render(
        request,
        "insights/overview.html",
        d,
        headlines=headlines,
        compared=any(h.previous_period for h in headlines),
        metric=metric,
        points=points,
        filter_applies=d.query.filter.applies_to(metric),
        trend_chart=_trend_chart(points, metric.label) if points else None,
    )


def _trend_chart(points: list[selectors.TrendPoint], label: str) -> SafeString:
    return _svg(
        charts.trend_chart(
            [chart_point(p.period.label, p.cell, p.display) for p in points],
            title=f"{label}: trend",
            description=f"{label} in each period, oldest first. The table below gives the "
            "same figures.",
            id_prefix="trend",
        )
    )


def _breakdowns(request: HttpRequest, d: Dashboard) -> HttpResponse:
    table = (
        selectors.breakdown(
            scope=d.scope,
            period=d.query.period_key,
            metric=d.query.metric,
            dimension=d.query.dimension,
            filter=d.query.filter,
        )
        if d.query.period
        else None
    )
    dimension = DIMENSIONS[d.query.dimension]
    if _wants_csv(request):
        if table is None:
            raise Http404("No such table.")
        rows = exports.breakdown_table(table, dimension_label=dimension.label)
        name = f"{d.query.metric}-by-{d.query.dimension}"
        return exports.csv_response(rows=rows, filename=d.filename(name))
    chart = None
    if table is not None and d.query.period is not None:
        chart = _svg(
            charts.bar_chart(
                [chart_point(r.label, r.cell, r.display) for r in table.rows],
                title=f"{table.metric.label} by {dimension.label.lower()}",
                description=f"{table.metric.label}, {d.query.period.phrase}, one bar for each "
                f"{dimension.label.lower()}. The table below gives the same figures.",
                id_prefix="breakdown",
            )
        )
    return _render(
        request,
        "insights/breakdowns.html",
        d,
        table=table,
        metric=METRICS[d.query.metric],
        dimension=dimension,
        chart=chart,
    )


def _equity(request: HttpRequest, d: Dashboard) -> HttpResponse:
    table = (
        selectors.equity(scope=d.scope, period=d.query.period_key, filter=d.query.filter)
        if d.query.period
        else None
    )
    if _wants_csv(request):
        if table is None:
            raise Http404("No such table.")
        return exports.csv_response(rows=exports.equity_table(table), filename=d.filename("equity"))
    return _render(request, "insights/equity.html", d, table=table)


def _deserts(request: HttpRequest, d: Dashboard) -> HttpResponse:
    rows = (
        selectors.opportunity_deserts(city=d.city, period=d.query.period_key, filter=d.query.filter)
        if d.query.period
        else None
    )
    if _wants_csv(request):
        if rows is None:
            raise Http404("No such table.")
        return exports.csv_response(
            rows=exports.desert_table(rows), filename=d.filename("opportunity-deserts")
        )
    chart = None
    if rows:
        chart = _svg(
            charts.area_map(
                [
                    charts.MapArea(
                        _map_label(r.area),
                        float(r.area.latitude),
                        float(r.area.longitude),
                        None if r.rate is None else float(r.rate),
                        r.per_thousand,
                    )
                    for r in rows
                ],
                title="Opportunities per 1,000 young residents, by area",
                description="A circle on each area, larger where more is on offer; the areas "
                "with least on offer are named. The ranked table below gives the same figures.",
                id_prefix="deserts",
            )
        )
    return _render(request, "insights/deserts.html", d, rows=rows, chart=chart)


def _map_label(area: Area) -> str:
    """A postcode district by its code on the map ("BN41"; the table beside gives its name),
    a ward by its name: short labels do not run into each other."""
    if area.kind == Area.Kind.POSTCODE_DISTRICT and area.code:
        return area.code
    return area.name


def _progression(request: HttpRequest, d: Dashboard) -> HttpResponse:
    funnel = selectors.funnel(scope=d.scope, period=d.query.period_key) if d.query.period else None
    if _wants_csv(request):
        if funnel is None:
            raise Http404("No such table.")
        return exports.csv_response(
            rows=exports.funnel_table(funnel), filename=d.filename("progression")
        )
    chart = None
    if funnel and funnel.steps:
        chart = _svg(
            charts.funnel_chart(
                [chart_point(s.metric.label, s.cell, s.display) for s in funnel.steps],
                title="From a first badge to a completed pathway",
                description="Learners whose first badge was in the period, and how many went "
                "on to each later step. The table below gives the same figures.",
                id_prefix="funnel",
            )
        )
    return _render(request, "insights/progression.html", d, funnel=funnel, chart=chart)


_PERIOD_KINDS = (
    ("month", "months"),
    ("quarter", "quarters"),
    ("year", "years"),
    ("rolling", "the last 12 months"),
)


def _definitions(request: HttpRequest, d: Dashboard) -> HttpResponse:
    scope_plan = plan(city=d.scope.is_city)
    return _render(
        request,
        "insights/definitions.html",
        d,
        metrics=[
            (
                m,
                ", ".join(
                    DIMENSIONS[k].label.lower() for k in scope_plan.dimensions(m) if k != "total"
                ),
                " or ".join(_FILTER_LABELS[k] for k in scope_plan.filters(m)),
            )
            for m in METRICS.values()
            if d.scope.is_city or m.key not in selectors.CITY_ONLY_METRICS
        ],
        scope_plan=scope_plan,
        breakdown_periods=" and ".join(
            label for kind, label in _PERIOD_KINDS if kind in scope_plan.breakdown_kinds
        ),
        unfiltered=", ".join(
            DIMENSIONS[k].label.lower() for k in sorted(FINE_DIMENSIONS) if k in DIMENSIONS
        ),
        dimensions=list(DIMENSIONS.values()),
        threshold=selectors.threshold(),
        fewer_than=selectors.display(
            selectors.suppression.Cell(
                selectors.suppression.Status.FEWER_THAN, None, selectors.threshold()
            )
        ),
        withheld=selectors.suppression.WITHHELD,
    )


_PAGES: dict[str, Callable[[HttpRequest, Dashboard], HttpResponse]] = {
    "overview": _overview,
    "breakdowns": _breakdowns,
    "equity": _equity,
    "deserts": _deserts,
    "progression": _progression,
    "definitions": _definitions,
}


def _city_view(page: str) -> Callable[..., HttpResponse]:
    @login_required
    @require_GET
    def view(request: HttpRequest, city_slug: str) -> HttpResponse:
        scope = access_insights_for_city_admin(user=request.user, city_slug=city_slug)
        return _PAGES[page](request, dashboard_for(request, page, scope))

    view.__name__ = f"city_{page}"
    view.__doc__ = f"The city team's {page} page."
    return view


def _organisation_view(page: str) -> Callable[..., HttpResponse]:
    @login_required
    @require_GET
    def view(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
        organisation, scope = access_insights_for_organisation(
            user=request.user, city_slug=city_slug, org_slug=org_slug
        )
        return _PAGES[page](request, dashboard_for(request, page, scope, organisation))

    view.__name__ = f"organisation_{page}"
    view.__doc__ = f"An organisation's own {page} page."
    return view


city_overview = _city_view("overview")
city_breakdowns = _city_view("breakdowns")
city_equity = _city_view("equity")
city_deserts = _city_view("deserts")
city_progression = _city_view("progression")
city_definitions = _city_view("definitions")

organisation_overview = _organisation_view("overview")
organisation_breakdowns = _organisation_view("breakdowns")
organisation_equity = _organisation_view("equity")
organisation_progression = _organisation_view("progression")
organisation_definitions = _organisation_view("definitions")
