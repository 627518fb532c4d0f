"""The dashboard selectors against hand-made Figure rows and hand-computed expectations."""

from __future__ import annotations

import datetime

import pytest

from learningcity.cities.models import Area, PostcodeDistrict
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.insights import selectors
from learningcity.insights.models import Refresh
from learningcity.insights.selectors import FigureFilter, Scope
from learningcity.opportunities.tests.factories import TopicFactory
from learningcity.organisations.tests.factories import OrganisationFactory

from .dashboard_factories import FEWER, WITHHELD, fig, make_refresh

pytestmark = pytest.mark.django_db

Q4 = "q2026-4"


@pytest.fixture
def city():
    return CityFactory(slug="brightsea", name="Brightsea")


@pytest.fixture
def refresh(city):
    return make_refresh(city)


def test_status_says_no_figures_before_the_first_refresh(city):
    make_refresh(city, status=Refresh.Status.RUNNING)
    status = selectors.insights_status(city=city)
    assert status.ready is False
    assert status.as_of is None


def test_the_latest_finished_refresh_is_read_and_a_running_one_ignored(city):
    old = make_refresh(city, as_of=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC))
    fig(old, "awards", Q4, 11)
    new = make_refresh(city)
    fig(new, "awards", Q4, 22)
    running = make_refresh(
        city,
        as_of=datetime.datetime(2026, 11, 29, tzinfo=datetime.UTC),
        status=Refresh.Status.RUNNING,
    )
    fig(running, "awards", Q4, 99)

    assert selectors.insights_status(city=city).refresh == new
    awards = _headline(selectors.headline_figures(scope=Scope.for_city(city), period=Q4), "awards")
    assert awards.display == 22


def _headline(headlines, key):
    return next(h for h in headlines if h.metric.key == key)


def test_headline_compares_with_the_previous_quarter_and_hides_changes_of_small_counts(
    city, refresh
):
    fig(refresh, "awards", Q4, 30)
    fig(refresh, "awards", "q2026-3", 20)
    fig(refresh, "learners_reached", Q4, FEWER)
    fig(refresh, "learners_reached", "q2026-3", 15)
    fig(refresh, "places_booked", "q2026-3", 12)  # none this quarter: a true zero

    headlines = selectors.headline_figures(scope=Scope.for_city(city), period=Q4)

    awards = _headline(headlines, "awards")
    assert (awards.display, awards.previous_display, awards.change) == (30, 20, 10)
    assert awards.change_display == "+10"
    assert awards.previous_period.key == "q2026-3"
    learners = _headline(headlines, "learners_reached")
    assert learners.display == "fewer than 10"
    assert learners.change is None and learners.change_display == ""
    booked = _headline(headlines, "places_booked")
    assert (booked.display, booked.change_display) == (0, "−12")
    assert [h.metric.key for h in headlines][:3] == ["learners_reached", "new_learners", "awards"]


def test_headline_has_no_comparison_when_the_previous_period_was_not_computed(city, refresh):
    fig(refresh, "awards", "m2026-11", 14)
    fig(refresh, "awards", "r12", 140)

    monthly = selectors.headline_figures(scope=Scope.for_city(city), period="m2026-11")
    assert _headline(monthly, "awards").previous_period is None  # m2026-10 not computed
    rolling = selectors.headline_figures(scope=Scope.for_city(city), period="r12")
    assert _headline(rolling, "awards").display == 140
    assert _headline(rolling, "awards").change is None


def test_headline_of_a_metric_that_cannot_take_the_filter_says_so(city, refresh):
    topic = TopicFactory(city=city)
    chosen = FigureFilter("topic", str(topic.pk))
    fig(refresh, "awards", Q4, 12, filter_kind="topic", filter_value=str(topic.pk))
    fig(refresh, "awards", Q4, 50)

    headlines = selectors.headline_figures(scope=Scope.for_city(city), period=Q4, filter=chosen)

    assert _headline(headlines, "awards").display == 12
    assert _headline(headlines, "new_learners").display == selectors.NOT_AVAILABLE


def test_trend_lists_computed_months_oldest_first_with_missing_months_as_zero(city, refresh):
    fig(refresh, "awards", "m2026-11", 40)
    fig(refresh, "awards", "m2026-09", FEWER)
    fig(refresh, "learners_reached", "m2026-10", 18)  # m2026-10 computed, no awards: zero
    fig(refresh, "awards", Q4, 40)
    fig(refresh, "awards", "q2026-3", 31)

    months = selectors.trend(scope=Scope.for_city(city), metric="awards")
    assert [(p.period.key, p.display) for p in months] == [
        ("m2026-09", "fewer than 10"),
        ("m2026-10", 0),
        ("m2026-11", 40),
    ]
    quarters = selectors.trend(scope=Scope.for_city(city), metric="awards", kind="quarter")
    assert [(p.period.key, p.display) for p in quarters] == [("q2026-3", 31), (Q4, 40)]


def test_breakdown_by_area_resolves_names_orders_them_lists_zeros_and_puts_unknown_last(
    city, refresh
):
    beech = AreaFactory(city=city, name="Beech")
    ash = AreaFactory(city=city, name="Ash")
    cedar = AreaFactory(city=city, name="Cedar")
    fig(refresh, "awards", Q4, 60)
    fig(refresh, "awards", Q4, 25, dimension="home_area", value=str(ash.pk))
    fig(refresh, "awards", Q4, FEWER, dimension="home_area", value=str(beech.pk))
    fig(refresh, "awards", Q4, WITHHELD, dimension="home_area", value="unknown")

    table = selectors.breakdown(
        scope=Scope.for_city(city), period=Q4, metric="awards", dimension="home_area"
    )

    assert [(r.label, r.display) for r in table.rows] == [
        ("Ash", 25),
        ("Beech", "fewer than 10"),
        ("Cedar", 0),
        ("Unknown", "withheld"),
    ]
    assert table.total_display == 60
    assert str(cedar.pk) in [r.value for r in table.rows]


def test_breakdown_labels_deciles_age_bands_and_organisation_types(city, refresh):
    scope = Scope.for_city(city)
    fig(refresh, "awards", Q4, 12, dimension="home_decile", value="1")
    fig(refresh, "awards", Q4, 13, dimension="age_band", value="16_17")
    fig(refresh, "awards", Q4, 14, dimension="organisation_type", value="youth_group")

    deciles = selectors.breakdown(scope=scope, period=Q4, metric="awards", dimension="home_decile")
    assert deciles.rows[0].label == "1 (most deprived)" and deciles.rows[0].display == 12
    assert deciles.rows[9].label == "10 (least deprived)"
    assert len(deciles.rows) == 10
    bands = selectors.breakdown(scope=scope, period=Q4, metric="awards", dimension="age_band")
    assert [r.label for r in bands.rows] == [
        "Under 13",
        "13 to 15",
        "16 to 17",
        "18 to 25",
        "26 and over",
    ]
    assert bands.rows[2].display == 13
    types = selectors.breakdown(
        scope=scope, period=Q4, metric="awards", dimension="organisation_type"
    )
    assert ("Youth group", 14) in [(r.label, r.display) for r in types.rows]


def test_breakdown_by_topic_names_topics_and_puts_none_last(city, refresh):
    topic = TopicFactory(city=city, name="Digital")
    fig(refresh, "places_booked", Q4, 30, dimension="topic", value=str(topic.pk))
    fig(refresh, "places_booked", Q4, 11, dimension="topic", value="none")
    table = selectors.breakdown(
        scope=Scope.for_city(city), period=Q4, metric="places_booked", dimension="topic"
    )
    assert [(r.label, r.display) for r in table.rows] == [("Digital", 30), ("None", 11)]


def test_breakdown_by_a_dimension_the_metric_lacks_is_none(city, refresh):
    assert (
        selectors.breakdown(
            scope=Scope.for_city(city), period=Q4, metric="new_learners", dimension="topic"
        )
        is None
    )


def test_an_organisation_reads_only_its_own_figures(city, refresh):
    mine = OrganisationFactory(city=city)
    other = OrganisationFactory(city=city)
    fig(refresh, "awards", Q4, 500)
    fig(refresh, "awards", Q4, 21, organisation_id=mine.pk)
    fig(refresh, "awards", Q4, 33, organisation_id=other.pk)

    headlines = selectors.headline_figures(scope=Scope.for_organisation(mine), period=Q4)

    assert _headline(headlines, "awards").display == 21


def test_equity_sets_shares_of_learners_beside_population_and_withholds_small_ratios(city, refresh):
    AreaFactory(city=city, imd_decile=1, young_population=3000)
    AreaFactory(city=city, imd_decile=1, young_population=1000)
    AreaFactory(city=city, imd_decile=5, young_population=4000)
    AreaFactory(city=city, imd_decile=10, young_population=2000)
    AreaFactory(city=city, imd_decile=3, young_population=None)  # not counted in population
    fig(refresh, "learners_reached", Q4, 100)
    fig(refresh, "learners_reached", Q4, 40, dimension="home_decile", value="1")
    fig(refresh, "learners_reached", Q4, FEWER, dimension="home_decile", value="5")
    fig(refresh, "learners_reached", Q4, 50, dimension="home_decile", value="10")
    fig(refresh, "learners_reached", Q4, WITHHELD, dimension="home_decile", value="unknown")
    fig(refresh, "awards", Q4, 200)
    fig(refresh, "awards", Q4, 30, dimension="home_decile", value="1")

    table = selectors.equity(scope=Scope.for_city(city), period=Q4)

    assert table.population_total == 10000
    rows = {r.decile: r for r in table.rows}
    first = rows["1"]
    assert first.label == "1 (most deprived)"
    assert (first.measure("learners_reached").display, first.measure("learners_reached").share) == (
        40,
        "40.0",
    )
    assert first.measure("awards").share == "15.0"
    assert (first.population, first.population_share, first.reach_ratio) == (4000, "40.0", "1.00")
    assert rows["10"].reach_ratio == "2.50"
    assert rows["10"].population_share == "20.0"
    fifth = rows["5"]
    assert fifth.measure("learners_reached").display == "fewer than 10"
    assert fifth.measure("learners_reached").share == "withheld"
    assert fifth.reach_ratio == "withheld"
    assert fifth.population_share == "40.0"  # public data, shown exactly
    assert rows["3"].reach_ratio == "not applicable"  # no young residents known
    assert rows["2"].measure("learners_reached").display == 0
    assert rows["unknown"].measure("learners_reached").display == "withheld"
    assert rows["unknown"].population is None
    assert [m.metric.key for m in table.totals] == ["learners_reached", "awards", "places_booked"]
    assert table.total("learners_reached").value == 100


def test_opportunity_deserts_rank_least_offered_first_and_population_unknown_last(city, refresh):
    a = AreaFactory(city=city, name="Ash", young_population=2000, latitude="50.8")
    AreaFactory(city=city, name="Birch", young_population=4000)  # offers nothing
    c = AreaFactory(city=city, name="Cedar", young_population=None)
    d = AreaFactory(city=city, name="Damson", young_population=1000)
    for area, count in ((a, 4), (c, 3), (d, 5)):
        fig(refresh, "opportunities_offered", Q4, count, dimension="venue_area", value=str(area.pk))
    fig(refresh, "opportunities_offered", Q4, 9, dimension="venue_area", value="online")
    other_city_area = AreaFactory(name="Elsewhere")
    assert other_city_area.city != city

    rows = selectors.opportunity_deserts(city=city, period=Q4)

    assert [(r.area.name, r.offered, r.per_thousand) for r in rows] == [
        ("Birch", 0, "0.0"),
        ("Ash", 4, "2.0"),
        ("Damson", 5, "5.0"),
        ("Cedar", 3, "not known"),
    ]
    assert float(rows[1].area.latitude) == 50.8


def test_funnel_lists_steps_in_order_and_median_days_apart(city, refresh):
    fig(refresh, "funnel_first_badge", Q4, 40)
    fig(refresh, "funnel_second_badge", Q4, 22)
    fig(refresh, "funnel_pathway_started", Q4, FEWER)
    fig(refresh, "days_first_to_second", Q4, 12)
    fig(refresh, "days_second_to_started", Q4, FEWER)

    funnel = selectors.funnel(scope=Scope.for_city(city), period=Q4)

    assert [(s.metric.key, s.display) for s in funnel.steps] == [
        ("funnel_first_badge", 40),
        ("funnel_second_badge", 22),
        ("funnel_pathway_started", "fewer than 10"),
        ("funnel_pathway_completed", 0),
    ]
    assert [s.display for s in funnel.days] == [
        "12 days",
        selectors.DAYS_NOT_SHOWN,
        selectors.DAYS_NOT_SHOWN,  # no figure: no median
    ]
    headline_keys = {
        h.metric.key for h in selectors.headline_figures(scope=Scope.for_city(city), period=Q4)
    }
    assert "funnel_first_badge" not in headline_keys
    assert "days_first_to_second" not in headline_keys


def test_available_periods_are_those_computed_newest_first(city, refresh):
    for period in ("m2026-10", "r12", "q2026-4", "m2026-11", "y2026"):
        fig(refresh, "awards", period, 10)
    keys = [p.key for p in selectors.available_periods(scope=Scope.for_city(city))]
    assert keys == ["r12", "y2026", "q2026-4", "m2026-11", "m2026-10"]


def test_an_organisation_has_no_city_only_figures_and_no_funnel(city, refresh):
    organisation = OrganisationFactory(city=city)
    fig(refresh, "awards", Q4, 12, organisation_id=organisation.pk)
    fig(refresh, "funnel_first_badge", Q4, 30)
    scope = Scope.for_organisation(organisation)

    keys = [h.metric.key for h in selectors.headline_figures(scope=scope, period=Q4)]

    assert "awards" in keys
    assert "new_learners" not in keys and "organisations_active" not in keys
    assert selectors.funnel(scope=scope, period=Q4) is None
    assert selectors.trend(scope=scope, metric="new_learners") == []


def test_homes_venues_and_residents_are_counted_over_the_areas_postcodes_map_to(city, refresh):
    """A city listing wards as well as postcode districts covers its people twice: only the
    areas postcode districts map to count (where homes and venues are placed)."""
    district = AreaFactory(city=city, name="BN1", imd_decile=2, young_population=5000)
    AreaFactory(city=city, name="Ward A", kind=Area.Kind.WARD, imd_decile=2, young_population=3000)
    PostcodeDistrict.objects.create(city=city, outward_code="BN1", area=district)
    assert selectors.young_population_by_decile(city=city)["2"] == 5000
    assert selectors.category_labels(city=city, dimension="home_area") == [
        (str(district.pk), "BN1")
    ]
    fig(refresh, "opportunities_offered", "r12", 4, dimension="venue_area", value=str(district.pk))
    rows = selectors.opportunity_deserts(city=city, period="r12")
    assert [row.area for row in rows] == [district]
    # With no postcode district mapped yet, every area counts.
    PostcodeDistrict.objects.all().delete()
    assert selectors.young_population_by_decile(city=city)["2"] == 8000
