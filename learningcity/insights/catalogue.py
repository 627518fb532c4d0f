"""Every figure the dashboards show: what it counts, how, which breakdowns and filters apply,
and whether it counts people (suppressed) or what organisations offer (shown exactly).

This is the one place a figure is defined: the refresh computes from it, the pages and exports
label from it, and the definitions page prints its ``definition`` texts. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DIMENSIONS",
    "FILTERS",
    "FUNNEL_DAYS",
    "FUNNEL_STEPS",
    "METRICS",
    "Dimension",
    "Metric",
    "Plan",
    "plan",
]


@dataclass(frozen=True)
class Dimension:
    key: str
    label: str
    # True when every fact falls in exactly one category (or "unknown"): the categories then sum
    # to the total, which suppression must take into account. Skills are not: a badge may carry
    # several.
    partition: bool
    definition: str


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    fact_kind: str  # insights.models.Fact.Kind value
    # Count distinct values of this Fact column instead of counting facts ("" = count facts).
    distinct: str
    # People are counted (small-number suppression applies) or what organisations offer is
    # counted (shown exactly: a count of opportunities identifies nobody).
    people: bool
    dimensions: tuple[str, ...]
    filters: tuple[str, ...]
    definition: str
    # What ``Figure.count`` holds: "count" (people or things, summable) or "days" (a median
    # number of days — the funnel's times between steps; never suppressed as a count, see
    # ``insights.refresh``).
    unit: str = "count"

    @property
    def additive(self) -> bool:
        """Facts counted, not distinct values: a quarter is then the sum of its months."""
        return not self.distinct


_PEOPLE_DIMS = ("total", "home_area", "home_decile", "age_band")
# The progression page shows the funnel's totals; a breakdown no page shows is not published.
_FUNNEL_DIMS = ("total",)
_OFFER_DIMS = (
    "total",
    "venue_area",
    "venue_decile",
    "topic",
    "opportunity_type",
    "organisation_type",
)

DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("total", "Total", True, "Everything in the period and filter."),
        Dimension(
            "home_area",
            "Home area",
            True,
            "The area of the learner's home, from the first part of the postcode they gave "
            "(“unknown” if they gave none).",
        ),
        Dimension(
            "home_decile",
            "Deprivation decile of home area",
            True,
            "The Index of Multiple Deprivation decile of the learner's home area: 1 is the most "
            "deprived tenth of areas in England, 10 the least.",
        ),
        Dimension(
            "age_band",
            "Age band",
            True,
            "The learner's age on the day of the event, in the platform's bands.",
        ),
        Dimension(
            "topic",
            "Topic",
            True,
            "The city's topic of the opportunity. A badge's topic is the topic of the published "
            "opportunities that award it (the most common one; “none” if no opportunity does).",
        ),
        Dimension("opportunity_type", "Type", True, "The kind of opportunity: workshop, club, …"),
        Dimension("level", "Level", True, "The badge's level, if its issuer gave one."),
        Dimension(
            "skill",
            "Skill",
            False,
            "A skill the badge is aligned to. A badge with several skills counts once for each, "
            "so these do not add up to the total.",
        ),
        Dimension(
            "organisation_type",
            "Organisation type",
            True,
            "The kind of organisation that offered it or issued the badge.",
        ),
        Dimension(
            "venue_area",
            "Area of the venue",
            True,
            "The area the opportunity takes place in (“online” for online-only ones).",
        ),
        Dimension(
            "venue_decile",
            "Deprivation decile of the venue's area",
            True,
            "The IMD decile of the area the opportunity takes place in.",
        ),
    )
}

FILTERS = ("organisation_type", "topic")

METRICS: dict[str, Metric] = {
    m.key: m
    for m in (
        Metric(
            "learners_reached",
            "Learners reached",
            "*",
            "learner_id",
            True,
            _PEOPLE_DIMS,
            FILTERS,
            "Different learners who earned a badge, booked a place or attended a session in the "
            "period. Each learner counts once however much they did.",
        ),
        Metric(
            "new_learners",
            "New learners",
            "joined",
            "",
            True,
            _PEOPLE_DIMS,
            (),
            "Learner accounts opened in the period (accounts since closed are not counted).",
        ),
        Metric(
            "awards",
            "Badges awarded",
            "award",
            "",
            True,
            (*_PEOPLE_DIMS, "topic", "level", "skill", "organisation_type"),
            FILTERS,
            "Badges issued in the period to learners with an account in the city, revoked ones "
            "included (they were awarded). Badges sent to an address with no account yet are "
            "counted in the total only once the address has an account.",
        ),
        Metric(
            "places_booked",
            "Places booked",
            "booking",
            "",
            True,
            (*_PEOPLE_DIMS, "topic", "opportunity_type", "organisation_type"),
            FILTERS,
            "Places booked in the period (by booking date), including later cancelled ones; "
            "waitlist places are not counted.",
        ),
        Metric(
            "places_attended",
            "Places attended",
            "attended",
            "",
            True,
            (*_PEOPLE_DIMS, "topic", "opportunity_type", "organisation_type"),
            FILTERS,
            "Learners checked in at a session in the period (by session date).",
        ),
        Metric(
            "pathways_started",
            "Pathways started",
            "p_started",
            "",
            True,
            _PEOPLE_DIMS,
            ("organisation_type",),
            "Learners joining a pathway in the period.",
        ),
        Metric(
            "pathways_completed",
            "Pathways completed",
            "p_done",
            "",
            True,
            _PEOPLE_DIMS,
            ("organisation_type",),
            "Pathways completed in the period.",
        ),
        Metric(
            "organisations_active",
            "Organisations active",
            "*",
            "organisation_id",
            False,
            ("total", "organisation_type"),
            (),
            "Organisations that issued a badge or ran a session in the period.",
        ),
        Metric(
            "opportunities_offered",
            "Opportunities offered",
            "opportunity",
            "opportunity_id",
            False,
            _OFFER_DIMS,
            FILTERS,
            "Published opportunities with at least one session starting in the period.",
        ),
        Metric(
            "sessions_offered",
            "Sessions offered",
            "opportunity",
            "",
            False,
            _OFFER_DIMS,
            FILTERS,
            "Sessions of published opportunities starting in the period (cancelled ones not "
            "counted).",
        ),
        # --- Progression (issue 7: "a funnel from first badge → second → pathway started →
        # completed, and time between"). The cohort of a period is the learners whose first
        # badge in the city was awarded in it; each later step counts the members of that
        # cohort who had reached it by the refresh's "as of", whenever that was. A learner's
        # first badge falls in exactly one month, so these add up across months like counts of
        # events do (additive).
        Metric(
            "funnel_first_badge",
            "Earned a first badge",
            "award",
            "",
            True,
            _FUNNEL_DIMS,
            (),
            "Learners whose first badge in the city was awarded in the period: the cohort the "
            "other progression figures follow.",
        ),
        Metric(
            "funnel_second_badge",
            "Went on to a second badge",
            "award",
            "",
            True,
            _FUNNEL_DIMS,
            (),
            "Learners of the period's cohort (first badge in the period) who have since earned "
            "a second badge — any badge, from any organisation in the city.",
        ),
        Metric(
            "funnel_pathway_started",
            "Went on to start a pathway",
            "p_started",
            "",
            True,
            _FUNNEL_DIMS,
            (),
            "Learners of the period's cohort (first badge in the period) who have joined a "
            "pathway in the city, before or after their first badge.",
        ),
        Metric(
            "funnel_pathway_completed",
            "Went on to complete a pathway",
            "p_done",
            "",
            True,
            _FUNNEL_DIMS,
            (),
            "Learners of the period's cohort (first badge in the period) who have completed a "
            "pathway in the city.",
        ),
        Metric(
            "days_first_to_second",
            "Days from first to second badge",
            "award",
            "",
            True,
            ("total",),
            (),
            "The median number of whole days between the first and the second badge, among "
            "the period's cohort who earned both. Not shown when fewer learners than the "
            "small-number threshold contribute.",
            unit="days",
        ),
        Metric(
            "days_second_to_started",
            "Days from second badge to a pathway",
            "p_started",
            "",
            True,
            ("total",),
            (),
            "The median number of whole days from the second badge to joining a first pathway, "
            "among the period's cohort who did both in that order (a pathway joined before the "
            "second badge is left out). Not shown when fewer learners than the small-number "
            "threshold contribute.",
            unit="days",
        ),
        Metric(
            "days_started_to_done",
            "Days from starting to completing a pathway",
            "p_done",
            "",
            True,
            ("total",),
            (),
            "The median number of whole days from joining a first pathway to completing a first "
            "pathway, among the period's cohort who did both. Not shown when fewer learners "
            "than the small-number threshold contribute.",
            unit="days",
        ),
    )
}

# The funnel's steps, in order, and the times between them (keys of METRICS).
FUNNEL_STEPS = (
    "funnel_first_badge",
    "funnel_second_badge",
    "funnel_pathway_started",
    "funnel_pathway_completed",
)
FUNNEL_DAYS = ("days_first_to_second", "days_second_to_started", "days_started_to_done")


# --- What is published ------------------------------------------------------------------------
#
# Not every combination of period, filter and breakdown is computed: at London scale (600 areas,
# 2,000 organisations, 36 months, 30 filter values) that would be tens of millions of figures,
# nearly all of them "fewer than 10" — suppressed, so of no use to anyone, and each one more
# relation an attacker could difference. What is published instead:
#
# - Every period has its totals (the headline figures and the month-by-month trends).
# - Breakdowns (any dimension but the total) are for quarters, years and the last 12 months for
#   the city, years and the last 12 months for an organisation: a month's figures by area are
#   almost all small.
# - The breakdowns with many categories (``FINE_DIMENSIONS``: home area, venue area, skill) are
#   not filtered: under a filter they would be almost all small too.
# - An organisation's figures have no filters (its own breakdown by topic shows the same) and no
#   breakdown by home area (one organisation's learners by postcode district are mostly single
#   people; its reach by deprivation decile and age band is there).

FINE_DIMENSIONS = frozenset({"home_area", "venue_area", "skill"})
_ORGANISATION_EXCLUDED = frozenset({"home_area"})


@dataclass(frozen=True)
class Plan:
    """Which figures one scope publishes (see above)."""

    city: bool
    # Period kinds (``periods.Period.kind``) with breakdowns; every kind has totals.
    breakdown_kinds: frozenset[str]

    def dimensions(self, metric: Metric) -> tuple[str, ...]:
        """The metric's dimensions in this scope, "total" first as in the catalogue."""
        if self.city:
            return metric.dimensions
        return tuple(d for d in metric.dimensions if d not in _ORGANISATION_EXCLUDED)

    def filters(self, metric: Metric) -> tuple[str, ...]:
        """The filter kinds of the metric in this scope (none for an organisation)."""
        return metric.filters if self.city else ()

    def filtered(self, dimension: str) -> bool:
        """Whether ``dimension``'s figures are published under filters as well."""
        return self.city and dimension not in FINE_DIMENSIONS

    def publishes(self, *, period_kind: str, dimension: str, filtered: bool = False) -> bool:
        """Whether figures of ``dimension`` for a period of ``period_kind`` (filtered or not)
        exist — ignoring whether the metric has that dimension or filter at all."""
        if filtered and not self.city:
            return False
        if dimension == "total":
            return True
        if period_kind not in self.breakdown_kinds:
            return False
        if not self.city and dimension in _ORGANISATION_EXCLUDED:
            return False
        return not (filtered and dimension in FINE_DIMENSIONS)


CITY_PLAN = Plan(city=True, breakdown_kinds=frozenset({"quarter", "year", "rolling"}))
ORGANISATION_PLAN = Plan(city=False, breakdown_kinds=frozenset({"year", "rolling"}))


def plan(*, city: bool) -> Plan:
    """What the city (``city`` True) or one organisation publishes."""
    return CITY_PLAN if city else ORGANISATION_PLAN
