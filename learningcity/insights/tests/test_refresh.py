"""Raw figures, the funnel and the refresh over the small city (``factories.small_city``: every
expected number below is counted by hand from its docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.insights.catalogue import METRICS
from learningcity.insights.facts import facts_rebuild
from learningcity.insights.models import Figure, Refresh
from learningcity.insights.periods import Period
from learningcity.insights.refresh import (
    city_periods,
    figures_raw,
    funnel_raw,
    insights_refresh,
)
from learningcity.insights.tasks import insights_refresh_run

from .factories import SmallCity, small_city

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def town(django_db_setup: None, django_db_blocker: Any) -> Iterator[SmallCity]:
    """Built once for the module (signing its awards is the slow part), rolled back after;
    each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        built = small_city(slug="figureton")
        facts_rebuild(city=built.city, as_of=built.as_of)
        yield built
        transaction.set_rollback(True)


def periods_of(town: SmallCity) -> list[Period]:
    return city_periods(city=town.city, as_of=town.as_of)


def raw(
    town: SmallCity, metric: str, organisation_ids: list[int] | None = None
) -> dict[tuple, int]:
    return figures_raw(
        city=town.city,
        metric=METRICS[metric],
        periods=periods_of(town),
        organisation_ids=organisation_ids,
    )


def breakdown(
    figures: dict[tuple, int],
    *,
    period: str,
    dimension: str,
    scope: int | None = None,
    filter_kind: str = "",
    filter_value: str = "",
) -> dict[str, int]:
    return {
        key[6]: count
        for key, count in figures.items()
        if key[0] == scope
        and key[1] == period
        and key[3] == filter_kind
        and key[4] == filter_value
        and key[5] == dimension
    }


def test_periods_run_from_the_first_fact_to_as_of(town: SmallCity) -> None:
    keys = [p.key for p in periods_of(town)]
    assert keys[:4] == ["r12", "y2026", "q2026-2", "q2026-1"]
    assert keys[4:] == [f"m2026-{m:02d}" for m in (6, 5, 4, 3, 2, 1)]


def test_awards_by_home_decile_for_a_quarter_and_a_month_total(town: SmallCity) -> None:
    awards = raw(town, "awards")
    # April: a1 (l1, decile 2), a2 (l2, 2), a3 (l3, 9). A month has its total only.
    assert breakdown(awards, period="m2026-04", dimension="total") == {"": 3}
    assert breakdown(awards, period="m2026-04", dimension="home_decile") == {}
    # April to June adds a4 (l1, 2), a5 (l4, 9), a6 (l5, no area).
    assert breakdown(awards, period="q2026-2", dimension="home_decile") == {
        "2": 3,
        "9": 2,
        "unknown": 1,
    }
    assert breakdown(awards, period="q2026-2", dimension="total") == {"": 6}
    assert breakdown(awards, period="q2026-1", dimension="total") == {"": 1}  # a7 only
    assert breakdown(awards, period="y2026", dimension="total") == {"": 7}


def test_awards_by_age_band_level_and_skill(town: SmallCity) -> None:
    awards = raw(town, "awards")
    assert breakdown(awards, period="q2026-2", dimension="age_band") == {
        "16_17": 3,  # a1 a2 a4
        "18_25": 1,  # a3
        "under_13": 1,  # a5
        "26_plus": 1,  # a6
    }
    assert breakdown(awards, period="q2026-2", dimension="level") == {
        "Participate": 3,
        "none": 2,
        "Lead": 1,
    }
    # b1 (a1 a2 a3) has two skills, b2 (a4 a5) one, b3 none: skills do not add up to the total.
    assert breakdown(awards, period="q2026-2", dimension="skill") == {
        "Teamwork": 3,
        "Listening": 3,
        "Creativity": 2,
    }


def test_categories_that_do_not_occur_are_not_stored_but_totals_always_are(
    town: SmallCity,
) -> None:
    awards = raw(town, "awards")
    assert breakdown(awards, period="m2026-01", dimension="total") == {"": 0}
    assert breakdown(awards, period="m2026-01", dimension="home_decile") == {}
    assert all(count > 0 for key, count in awards.items() if key[5] != "total")


def test_learners_reached_counts_each_learner_once_across_kinds(town: SmallCity) -> None:
    reached = raw(town, "learners_reached")
    # April: awards l1 l2 l3, bookings l1 l2, attended l1 — 6 facts, 3 learners.
    assert breakdown(reached, period="m2026-04", dimension="total") == {"": 3}
    # The quarter: l1 l2 (decile 2), l3 l4 (9), l5 (no area).
    assert breakdown(reached, period="q2026-2", dimension="home_decile") == {
        "2": 2,
        "9": 2,
        "unknown": 1,
    }
    # May: awards l1 l4, bookings l4 l5, attended l4.
    assert breakdown(reached, period="m2026-05", dimension="total") == {"": 3}
    assert breakdown(reached, period="m2026-06", dimension="total") == {"": 1}  # a6, l5
    # The quarter counts l1 … l5 once each: not the sum of its months (3 + 3 + 1).
    assert breakdown(reached, period="q2026-2", dimension="total") == {"": 5}
    assert breakdown(reached, period="r12", dimension="total") == {"": 5}
    assert breakdown(reached, period="q2026-1", dimension="total") == {"": 1}  # l4, a7


def test_organisation_scope_sees_only_its_own_facts(town: SmallCity) -> None:
    school, youth = town.school.pk, town.youth.pk
    awards = raw(town, "awards", [school, youth])
    assert {key[0] for key in awards} == {school, youth}
    assert breakdown(awards, scope=school, period="q2026-2", dimension="total") == {"": 3}
    assert breakdown(awards, scope=youth, period="q2026-2", dimension="total") == {"": 3}
    assert breakdown(awards, scope=school, period="q2026-1", dimension="total") == {"": 1}
    assert breakdown(awards, scope=youth, period="q2026-1", dimension="total") == {"": 0}
    # An organisation's breakdowns are for years and the rolling year, never by home area,
    # and never filtered.
    assert breakdown(awards, scope=youth, period="y2026", dimension="organisation_type") == {
        "youth_group": 3
    }
    assert breakdown(awards, scope=youth, period="q2026-2", dimension="organisation_type") == {}
    assert not [key for key in awards if key[5] == "home_area"]
    assert {key[3] for key in awards} == {""}
    booked = raw(town, "places_booked", [school, youth])
    assert breakdown(booked, scope=school, period="q2026-2", dimension="total") == {"": 3}
    assert breakdown(booked, scope=youth, period="q2026-2", dimension="total") == {"": 1}
    reached = raw(town, "learners_reached", [school, youth])
    # Youth in May: l1 (a4), l4 (a5, booking, attendance).
    assert breakdown(reached, scope=youth, period="m2026-05", dimension="total") == {"": 2}
    assert breakdown(reached, scope=youth, period="m2026-04", dimension="total") == {"": 0}


@pytest.mark.parametrize("metric", ["awards", "places_booked", "places_attended"])
def test_figures_filtered_by_topic_sum_to_the_unfiltered_ones(town: SmallCity, metric: str) -> None:
    figures = raw(town, metric)
    sums: dict[tuple, int] = defaultdict(int)
    for key, count in figures.items():
        if key[3] == "topic":
            sums[(key[1], key[5], key[6])] += count
    # Breakdowns by home area and skill (many categories) are published unfiltered only.
    fine = {"home_area", "venue_area", "skill"}
    assert sums and not [key for key in sums if key[1] in fine]
    unfiltered = {
        (k[1], k[5], k[6]): c for k, c in figures.items() if k[3] == "" and k[5] not in fine
    }
    assert {k: v for k, v in unfiltered.items() if v} == {k: v for k, v in sums.items() if v}
    assert [key for key in figures if key[3] == "" and key[5] == "home_area"]


def test_award_filter_values_are_the_topics_that_occur(town: SmallCity) -> None:
    awards = raw(town, "awards")
    coding, art = str(town.topics["coding"].pk), str(town.topics["art"].pk)
    assert {key[4] for key in awards if key[3] == "topic"} == {coding, art, "none"}
    assert breakdown(
        awards, period="q2026-2", dimension="total", filter_kind="topic", filter_value=coding
    ) == {"": 3}
    assert breakdown(
        awards, period="q2026-2", dimension="total", filter_kind="topic", filter_value="none"
    ) == {"": 1}
    assert breakdown(
        awards,
        period="q2026-2",
        dimension="total",
        filter_kind="organisation_type",
        filter_value="school",
    ) == {"": 3}


def test_new_learners_and_what_was_offered(town: SmallCity) -> None:
    joined = raw(town, "new_learners")
    assert breakdown(joined, period="m2026-01", dimension="total") == {"": 2}
    assert breakdown(joined, period="q2026-1", dimension="age_band") == {
        "13_15": 1,  # l1, 15 on 10 January
        "under_13": 1,  # l4, 20 January
        "16_17": 1,  # l2, 17 on 1 February
    }
    assert breakdown(joined, period="y2026", dimension="total") == {"": 6}
    sessions = raw(town, "sessions_offered")
    assert breakdown(sessions, period="q2026-2", dimension="total") == {"": 3}
    assert breakdown(sessions, period="q2026-2", dimension="venue_area") == {
        str(town.areas["centre"].pk): 2,
        "online": 1,
    }
    offered = raw(town, "opportunities_offered")
    assert breakdown(offered, period="q2026-2", dimension="total") == {"": 2}  # o1, o2
    assert breakdown(offered, period="q2026-2", dimension="opportunity_type") == {
        "workshop": 1,
        "club": 1,
    }
    active = raw(town, "organisations_active")
    assert breakdown(active, period="m2026-03", dimension="total") == {"": 1}  # school, a7
    assert breakdown(active, period="q2026-2", dimension="organisation_type") == {
        "school": 1,
        "youth_group": 1,
    }


def test_the_funnel_follows_each_first_badge_cohort(town: SmallCity) -> None:
    counts, medians = funnel_raw(city=town.city, periods=periods_of(town), threshold=1)

    def total(metric: str, period: str) -> int:
        return counts[metric][(None, period, metric, "", "", "total", "")]

    # April's cohort: l1, l2, l3 (first badges a1, a2, a3). l1 went on to a second badge (a4);
    # l1 and l2 started the pathway; l1 completed it.
    assert total("funnel_first_badge", "m2026-04") == 3
    assert total("funnel_second_badge", "m2026-04") == 1
    assert total("funnel_pathway_started", "m2026-04") == 2
    assert total("funnel_pathway_completed", "m2026-04") == 1
    # March's cohort: l4 (a7), second badge a5.
    assert total("funnel_first_badge", "m2026-03") == 1
    assert total("funnel_second_badge", "m2026-03") == 1
    assert total("funnel_first_badge", "y2026") == 5
    # The progression page shows totals only, so no breakdown of the funnel is published.
    assert {key[5] for step in counts.values() for key in step} == {"total"}
    # Days first → second: l1 1 April → 3 May = 32; l4 15 March → 20 May = 66.
    assert medians["days_first_to_second"][
        (None, "m2026-04", "days_first_to_second", "", "", "total", "")
    ] == ("shown", 32)
    assert medians["days_first_to_second"][
        (None, "y2026", "days_first_to_second", "", "", "total", "")
    ] == ("shown", 32)  # the lower middle of [32, 66]
    # l1: pathway joined 4 May, completed 10 June.
    assert medians["days_started_to_done"][
        (None, "m2026-04", "days_started_to_done", "", "", "total", "")
    ] == ("shown", 37)
    # With the usual threshold, two learners are too few for a median.
    _, guarded = funnel_raw(city=town.city, periods=periods_of(town), threshold=10)
    assert guarded["days_first_to_second"][
        (None, "y2026", "days_first_to_second", "", "", "total", "")
    ] == ("fewer", None)


def test_a_refresh_writes_suppressed_figures_and_never_a_count_of_three(
    town: SmallCity,
) -> None:
    refresh = insights_refresh(city=town.city, as_of=town.as_of)
    assert refresh.status == Refresh.Status.DONE
    assert (refresh.facts, refresh.error) == (25, "")
    figures = Figure.objects.filter(city_id=town.city.pk)
    assert figures.count() == refresh.figures > 0
    assert set(figures.values_list("refresh_id", flat=True)) == {refresh.pk}
    assert set(figures.values_list("status", flat=True)) <= {"shown", "fewer", "withheld"}
    april = figures.get(
        organisation_id=None,
        period="m2026-04",
        metric="awards",
        filter_kind="",
        dimension="total",
    )
    assert (april.status, april.count) == ("fewer", None)  # truly 3
    people = [key for key, metric in METRICS.items() if metric.people and metric.unit == "count"]
    assert not figures.filter(metric__in=people, count__gte=1, count__lte=9).exists()
    # What organisations offer is shown exactly, small or not.
    sessions = figures.get(
        organisation_id=None,
        period="q2026-2",
        metric="sessions_offered",
        filter_kind="",
        dimension="total",
    )
    assert (sessions.status, sessions.count) == ("shown", 3)
    assert figures.filter(organisation_id=town.school.pk, metric="awards").exists()
    assert not figures.filter(organisation_id=town.school.pk, metric="new_learners").exists()
    assert figures.filter(metric="days_first_to_second", status="fewer").exists()


def test_a_new_refresh_replaces_the_figures_and_a_failed_one_keeps_them(
    town: SmallCity,
) -> None:
    first = insights_refresh(city=town.city, as_of=town.as_of)
    second = insights_refresh(city=town.city, as_of=town.as_of)
    figures = Figure.objects.filter(city_id=town.city.pk)
    assert set(figures.values_list("refresh_id", flat=True)) == {second.pk}
    assert second.figures == first.figures
    City.objects.filter(pk=town.city.pk).update(timezone="Nowhere/Atlantis")
    # A fresh copy: the module's shared ``town.city`` must keep its real timezone.
    broken = City.objects.get(pk=town.city.pk)
    with pytest.raises(Exception, match="Atlantis"):
        insights_refresh(city=broken, as_of=town.as_of)
    failed = Refresh.objects.filter(city=town.city).first()
    assert failed is not None and failed.status == Refresh.Status.FAILED
    assert "Atlantis" in failed.error
    assert set(figures.values_list("refresh_id", flat=True)) == {second.pk}
    assert figures.count() == second.figures


def test_the_task_refreshes_one_city(town: SmallCity) -> None:
    insights_refresh_run.enqueue(city_id=town.city.pk)  # the immediate backend in tests
    latest = Refresh.objects.filter(city=town.city).first()
    assert latest is not None and latest.status == Refresh.Status.DONE


def test_the_command_refreshes_the_cities_named_and_says_how_long(
    town: SmallCity, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("refresh_insights", town.city.slug)
    out = capsys.readouterr().out
    assert f"{town.city.slug}: " in out and " facts, " in out and " s (as of " in out
    assert "Refreshed 1 of 1 city in" in out
    with pytest.raises(CommandError, match=errors.INSIGHTS_CITY_UNKNOWN.format(slug="nope")):
        call_command("refresh_insights", "nope")


def test_every_figure_fits_its_columns(town: SmallCity) -> None:
    # SQLite does not check lengths; PostgreSQL refuses the whole refresh.
    insights_refresh(city=town.city, as_of=town.as_of)
    too_long = set()
    for name in ("period", "metric", "filter_kind", "filter_value", "dimension", "value"):
        limit = Figure._meta.get_field(name).max_length
        for text in Figure.objects.values_list(name, flat=True).distinct():
            if len(text) > limit:
                too_long.add((name, text))
    assert too_long == set()
