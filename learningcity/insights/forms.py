"""The dashboards' controls, read from the query string so that every view is a shareable URL:
``?period=q2026-4&filter=topic:12&metric=awards&dimension=home_area``.

A value that is not on offer (an old link, a hand-edited address) falls back to the default
rather than failing: the page then shows what it did choose, in the same controls.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms

from learningcity.opportunities.models import Topic
from learningcity.organisations.models import Organisation

from . import periods
from .catalogue import DIMENSIONS, METRICS, plan
from .selectors import NO_FILTER, FigureFilter, Scope, scope_metrics

DEFAULT_METRIC = "learners_reached"
_EPOCH = datetime.date(2000, 1, 1)  # parse() needs a day; only "r12" depends on it
DEFAULT_DIMENSION = "home_area"
TREND_KINDS = (("month", "Month by month"), ("quarter", "Quarter by quarter"))


@dataclass(frozen=True)
class Query:
    """What a page shows, as chosen (or defaulted)."""

    period: periods.Period | None
    filter: FigureFilter
    metric: str
    dimension: str
    kind: str

    @property
    def period_key(self) -> str:
        return self.period.key if self.period else ""

    def params(self, **overrides: str) -> dict[str, str]:
        values = {
            "period": self.period_key,
            "filter": self.filter.key,
            "metric": self.metric,
            "dimension": self.dimension,
            "kind": self.kind,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v}


def filter_choices(*, scope: Scope) -> list[tuple[str, object]]:
    """Nothing, or one organisation type, or one topic of the city — for the city only: an
    organisation's figures are not filtered (``catalogue.Plan``)."""
    choices: list[tuple[str, object]] = [("", "Everything")]
    if not scope.is_city:
        return choices
    # "none": what no organisation offered (a city-team pathway) and badges no opportunity
    # awards — published like any other value, so offered like one (the values of a filter add
    # up to the unfiltered figure only with it).
    choices.append(
        (
            "Organisation type",
            [(f"organisation_type:{v}", str(label)) for v, label in Organisation.Type.choices]
            + [("organisation_type:none", "None (the city team)")],
        )
    )
    topics = list(Topic.objects.filter(city=scope.city).values_list("pk", "name"))
    choices.append(
        ("Topic", [(f"topic:{pk}", name) for pk, name in topics] + [("topic:none", "No topic")])
    )
    return choices


def _flat(choices: list[tuple[str, object]]) -> set[str]:
    values: set[str] = set()
    for value, label in choices:
        if isinstance(label, list):
            values.update(v for v, _ in label)
        else:
            values.add(value)
    return values


def metric_choices(*, scope: Scope) -> list[tuple[str, str]]:
    return [(m.key, m.label) for m in scope_metrics(scope=scope)]


def dimension_choices(metric: str, *, scope: Scope) -> list[tuple[str, str]]:
    dimensions = plan(city=scope.is_city).dimensions(METRICS[metric])
    return [(d, DIMENSIONS[d].label) for d in dimensions if d != "total"]


class InsightsForm(forms.Form):
    period = forms.ChoiceField(label="Period", required=False)
    filter = forms.ChoiceField(label="Only", required=False)
    metric = forms.ChoiceField(label="Figure", required=False)
    dimension = forms.ChoiceField(label="Broken down by", required=False)
    kind = forms.ChoiceField(label="Trend", required=False, choices=TREND_KINDS)

    def __init__(
        self,
        *args: object,
        period_choices: list[tuple[str, str]],
        filters: list[tuple[str, object]],
        metric: str,
        scope: Scope,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for name, choices in (
            ("period", period_choices),
            ("filter", filters),
            ("metric", metric_choices(scope=scope)),
            ("dimension", dimension_choices(metric, scope=scope)),
        ):
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = choices


def _period(key: str, available: list[periods.Period]) -> periods.Period | None:
    """The period ``key`` names if on offer; else the shortest on offer that contains it (a
    month on a page with breakdowns by quarter only: its quarter); else the first on offer."""
    by_key = {p.key: p for p in available}
    if key in by_key:
        return by_key[key]
    wanted = periods.parse(key, as_of=_EPOCH)
    if wanted is not None:
        containing = [
            p
            for p in available
            if p.kind != "rolling" and p.start <= wanted.start and wanted.end <= p.end
        ]
        if containing:
            return min(containing, key=lambda p: p.end - p.start)
    return available[0] if available else None


def insights_query(
    *, data: Mapping[str, str], scope: Scope, available: list[periods.Period]
) -> tuple[InsightsForm, Query]:
    """The page's choices from ``data`` (request.GET), each falling back to its default, and a
    form bound to the values actually used (so the controls show them)."""
    period = _period(data.get("period", ""), available)

    filters = filter_choices(scope=scope)
    filter_key = data.get("filter", "")
    chosen_filter = NO_FILTER
    if filter_key in _flat(filters) and filter_key:
        kind, _, value = filter_key.partition(":")
        chosen_filter = FigureFilter(kind=kind, value=value)

    metric = data.get("metric", "")
    if metric not in dict(metric_choices(scope=scope)):
        metric = DEFAULT_METRIC
    dimensions = dict(dimension_choices(metric, scope=scope))
    dimension = data.get("dimension", "")
    if dimension not in dimensions:
        dimension = DEFAULT_DIMENSION if DEFAULT_DIMENSION in dimensions else next(iter(dimensions))
    kind = data.get("kind", "")
    if kind not in dict(TREND_KINDS):
        kind = "month"

    query = Query(
        period=period, filter=chosen_filter, metric=metric, dimension=dimension, kind=kind
    )
    form = InsightsForm(
        {
            "period": query.period_key,
            "filter": chosen_filter.key,
            "metric": metric,
            "dimension": dimension,
            "kind": kind,
        },
        period_choices=[(p.key, p.label) for p in available],
        filters=filters,
        metric=metric,
        scope=scope,
    )
    return form, query
