import pytest
from django.core.management import call_command
from django.utils import timezone

from learningcity.cities.models import City
from learningcity.demo.opportunity_data import TOPICS
from learningcity.opportunities.models import (
    Booking,
    BookingMode,
    BookingStatus,
    Delivery,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Session,
)
from learningcity.opportunities.selectors import DiscoveryQuery, opportunities_discover

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    return capsys.readouterr().out


def published():
    return Opportunity.objects.filter(status=OpportunityStatus.PUBLISHED)


def test_the_demo_has_over_150_opportunities_in_both_cities(demo):
    assert Opportunity.objects.count() >= 150
    for city in City.objects.filter(slug__in=["brighton-and-hove", "plymouth"]):
        assert published().filter(city=city).count() >= 60


def test_every_type_and_every_topic_is_published(demo):
    assert set(published().values_list("type", flat=True)) == set(OpportunityType.values)
    for city in City.objects.all():
        names = set(published().filter(city=city).values_list("topics__name", flat=True))
        assert names == set(TOPICS), city


def test_every_age_finds_something(demo):
    for age in (11, 12, 13, 14, 15, 16, 17, 18, 21, 25, 40):
        assert published().filter(min_age__lte=age, max_age__gte=age).count() >= 5, age


def test_there_are_past_upcoming_weekend_and_undated_sessions(demo):
    now = timezone.now()
    assert Session.objects.filter(ends_at__lt=now).exists()
    assert Session.objects.filter(starts_at__gt=now).count() >= 200
    assert published().filter(first_starts_at__isnull=True).exists()
    assert published().filter(first_starts_at__lt=now, last_ends_at__gt=now).exists()
    assert published().filter(last_ends_at__lt=now).exists()
    for opportunity in published().exclude(first_starts_at=None)[:40]:
        sessions = opportunity.sessions.all()
        assert opportunity.first_starts_at == min(s.starts_at for s in sessions)
        assert opportunity.last_ends_at == max(s.ends_at for s in sessions)


def test_free_and_paid_with_bursaries(demo):
    assert published().filter(price__isnull=True).count() > 100
    paid = published().filter(price__isnull=False)
    assert paid.count() >= 10
    assert not paid.filter(bursary_info="").exists()


def test_online_and_in_person_places_resolve_to_the_citys_districts(demo):
    assert published().filter(delivery=Delivery.ONLINE, area__isnull=True).count() >= 10
    assert published().filter(delivery=Delivery.BOTH).exists()
    in_person = published().exclude(delivery=Delivery.ONLINE)
    assert in_person.count() >= 100
    for opportunity in in_person.select_related("area"):
        assert opportunity.area is not None and opportunity.area.city_id == opportunity.city_id
        assert abs(opportunity.latitude - opportunity.area.latitude) < 0.01
        assert abs(opportunity.longitude - opportunity.area.longitude) < 0.01
    # Jittered: opportunities in one district do not all sit on one point.
    points = set(in_person.values_list("latitude", "longitude"))
    assert len(points) > in_person.count() * 0.9


def test_booking_modes_accessibility_capacity_and_badges(demo):
    assert set(published().values_list("booking_mode", flat=True)) == set(BookingMode.values)
    external = published().filter(booking_mode=BookingMode.EXTERNAL)
    assert external.exists() and not external.filter(booking_url="").exists()
    for feature in ("step_free", "accessible_toilet", "hearing_loop", "bsl", "quiet_space"):
        assert published().filter(**{feature: True}).exists(), feature
    assert published().filter(capacity__lte=6).exists()
    assert published().filter(capacity__isnull=True).exists()
    linked = published().filter(badge_classes__isnull=False).distinct()
    assert linked.count() >= 30
    assert linked.filter(award_on_check_in=True).exists()
    for opportunity in linked[:30]:
        for badge in opportunity.badge_classes.all():
            assert badge.organisation_id == opportunity.organisation_id
            assert badge.status == "published"


def test_the_moderation_queue_has_submitted_and_draft_opportunities(demo):
    assert Opportunity.objects.filter(status=OpportunityStatus.SUBMITTED).count() >= 2
    assert Opportunity.objects.filter(status=OpportunityStatus.DRAFT).count() >= 2
    submitted = Opportunity.objects.filter(status=OpportunityStatus.SUBMITTED)
    assert not submitted.filter(submitted_at__isnull=True).exists()


def test_learners_have_bookings_waitlists_and_check_ins(demo):
    now = timezone.now()
    assert Booking.objects.filter(status=BookingStatus.BOOKED, session__starts_at__gt=now).exists()
    assert Booking.objects.filter(status=BookingStatus.WAITLISTED).exists()
    assert Booking.objects.filter(checked_in_at__isnull=False, session__ends_at__lt=now).exists()
    assert not Booking.objects.filter(checked_in_at__isnull=False, session__starts_at__gt=now)
    # booked_count is the number of booked places, and never more than the capacity.
    for session in Session.objects.filter(bookings__isnull=False).distinct():
        booked = session.bookings.filter(status=BookingStatus.BOOKED).count()
        assert session.booked_count == booked
        assert session.capacity is None or booked <= session.capacity
    assert Session.objects.filter(starts_at__gt=now, capacity__lte=6).exclude(booked_count__lt=1)


def test_discovery_finds_the_demo_by_text_and_this_weekend(demo):
    city = City.objects.get(slug="brighton-and-hove")
    result = opportunities_discover(city=city, query=DiscoveryQuery(text="python"))
    assert "Intro to Python" in [item.title for item in result.items]
    assert opportunities_discover(city=city, query=DiscoveryQuery(this_weekend=True)).total >= 3
    assert opportunities_discover(city=city, query=DiscoveryQuery()).total >= 60


def test_loading_the_demo_again_adds_no_opportunities_sessions_or_bookings(demo):
    before = (Opportunity.objects.count(), Session.objects.count(), Booking.objects.count())
    call_command("load_demo")
    after = (Opportunity.objects.count(), Session.objects.count(), Booking.objects.count())
    assert after == before
