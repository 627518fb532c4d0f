"""The demo's year and a half of activity: loaded once, dated in the past, signed like any award,
and large enough that the insights dashboards show real figures rather than "fewer than 10"."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.test import override_settings
from django.utils import timezone

from learningcity.accounts.models import LearnerProfile
from learningcity.badges.models import Award
from learningcity.cities.demo import demo_cities_load
from learningcity.cities.models import City
from learningcity.demo.insights_data import (
    HISTORY_MONTHS,
    demo_history_load,
    demo_insights_load,
    history_learner_count,
)
from learningcity.demo.services import DemoReport
from learningcity.insights.models import Figure, Refresh
from learningcity.insights.periods import ROLLING_12
from learningcity.insights.selectors import latest_refresh
from learningcity.opportunities.models import Booking, BookingStatus, Session
from learningcity.pathways.models import Enrolment

pytestmark = pytest.mark.django_db

CITIES = ("brighton-and-hove", "plymouth")
# Small enough to load quickly, large enough that the headline figures clear the threshold.
LEARNERS = 300


def city_figures(city: City, **lookup: object) -> list[Figure]:
    refresh = latest_refresh(city=city)
    assert refresh is not None
    return list(
        Figure.objects.filter(
            refresh=refresh, organisation_id__isnull=True, filter_kind="", **lookup
        )
    )


def history_profiles(city: City):
    return LearnerProfile.objects.filter(city=city, user__email__regex=r"^[a-z]+\.h[0-9]+@")


@override_settings(DEMO_HISTORY_LEARNERS=LEARNERS)
def test_the_demo_dashboards_show_a_year_and_a_half_of_a_real_city():
    call_command("load_demo", stdout=io.StringIO())
    now = timezone.now()
    start = now - datetime.timedelta(days=round(HISTORY_MONTHS * 30.44) + 1)

    for slug in CITIES:
        city = City.objects.get(slug=slug)
        profiles = history_profiles(city)
        assert history_learner_count(city=city) == profiles.count() == LEARNERS
        # Joined over the history, more of them lately.
        assert not profiles.filter(Q(created_at__lt=start) | Q(created_at__gt=now)).exists()
        halfway = start + (now - start) / 2
        assert profiles.filter(created_at__gte=halfway).count() > profiles.count() / 2

        # Real awards, signed on the day they are dated, all in the past.
        awards = Award.objects.filter(recipient__learner_profile__in=profiles)
        assert awards.count() >= LEARNERS * 2
        assert not awards.filter(issued_at__gt=now).exists()
        award = awards.order_by("issued_at").first()
        assert award is not None and award.issued_at < now - datetime.timedelta(days=180)
        assert award.ob3_credential["validFrom"].startswith(award.issued_at.strftime("%Y-%m-%d"))
        assert award.ob3_credential["proof"][0]["type"] == "DataIntegrityProof"
        assert award.ob3_jwt and award.status_list_id is not None

        # Bookings on past sessions, counted on their sessions; most of them came.
        bookings = Booking.objects.filter(learner__learner_profile__in=profiles)
        assert not bookings.filter(session__starts_at__gt=now).exists()
        assert not bookings.filter(created_at__gt=now).exists()
        assert bookings.filter(checked_in_at__isnull=False).count() > bookings.count() / 2
        assert bookings.filter(status=BookingStatus.CANCELLED).exists()
        wrong_counts = (
            Session.objects.filter(pk__in=bookings.values("session_id"))
            .annotate(booked=Count("bookings", filter=Q(bookings__status=BookingStatus.BOOKED)))
            .exclude(booked_count=F("booked"))
        )
        assert not wrong_counts.exists()

        # Pathways: started and completed, each completion with its badge.
        enrolments = Enrolment.objects.filter(learner__learner_profile__in=profiles)
        completed = enrolments.filter(completed_at__isnull=False)
        assert enrolments.filter(completed_at__isnull=True).exists()
        assert completed.exists()
        assert not completed.filter(completion_award__isnull=True).exists()

        # The dashboards: refreshed by the load, with real figures for the rolling year.
        refresh = latest_refresh(city=city)
        assert refresh is not None and refresh.status == Refresh.Status.DONE
        totals = {
            figure.metric: figure
            for figure in city_figures(city, period=ROLLING_12, dimension="total")
        }
        reached = totals["learners_reached"]
        assert reached.status == Figure.Status.SHOWN and reached.count >= 100
        for metric in ("awards", "places_booked", "places_attended", "pathways_started"):
            assert totals[metric].status == Figure.Status.SHOWN, metric
        deciles = [
            figure
            for figure in city_figures(
                city, period=ROLLING_12, metric="learners_reached", dimension="home_decile"
            )
            if figure.value != "unknown"
        ]
        lived_in = set(
            profiles.exclude(area=None).values_list("area__imd_decile", flat=True).distinct()
        )
        assert {figure.value for figure in deciles} == {str(decile) for decile in lived_in}
        shown = [figure for figure in deciles if figure.status == Figure.Status.SHOWN]
        assert len(shown) >= len(deciles) * 3 / 4
        # A trend: most of the last twelve months show how many learners were reached.
        months = [
            figure
            for figure in city_figures(city, metric="learners_reached", dimension="total")
            if figure.period.startswith("m")
        ]
        months = sorted(months, key=lambda figure: figure.period)[-12:]
        assert sum(figure.status == Figure.Status.SHOWN for figure in months) >= 9

    # Loaded once: the history of a city that has one is not added again.
    counts = (LearnerProfile.objects.count(), Award.objects.count(), Booking.objects.count())
    for slug in CITIES:
        again = demo_history_load(city=City.objects.get(slug=slug), learners=LEARNERS, now=now)
        assert again.learners == again.awards == again.bookings == 0
    assert (
        LearnerProfile.objects.count(),
        Award.objects.count(),
        Booking.objects.count(),
    ) == counts


@override_settings(DEMO_HISTORY_LEARNERS=0)
def test_no_history_means_no_history_and_no_refresh():
    cities = demo_cities_load()
    assert demo_insights_load(report=DemoReport(cities=cities)) == []
    assert not Refresh.objects.exists()
    assert all(history_learner_count(city=city) == 0 for city in cities)
