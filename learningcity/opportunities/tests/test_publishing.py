"""The publishing services: topics, writing opportunities, their places and sessions (in the
city's time zone, across clock changes), the lifecycle under each moderation rule, and who may
do each."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from learningcity.badges.models import BadgeStatus
from learningcity.badges.skills import skill_list
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.models import City
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.opportunities import publishing
from learningcity.opportunities.models import (
    BookingMode,
    BookingStatus,
    Delivery,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Session,
    Topic,
)
from learningcity.opportunities.publishing import SESSIONS_PER_CALL, SessionPattern
from learningcity.organisations.models import Organisation, Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BookingFactory, OpportunityFactory, SessionFactory, TopicFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
SIX_PM = datetime.time(18, 0)
EIGHT_PM = datetime.time(20, 0)


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton-hove", timezone="Europe/London")


@pytest.fixture
def area(city):
    return AreaFactory(
        city=city, code="BN2", name="Kemptown", latitude="50.82100", longitude="-0.12000"
    )


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def editor(organisation):
    return MembershipFactory(organisation=organisation, role=Role.EDITOR).user


@pytest.fixture
def viewer(organisation):
    return MembershipFactory(organisation=organisation, role=Role.VIEWER).user


@pytest.fixture
def city_admin(city):
    return CityAdminFactory(city=city).user


@pytest.fixture
def reindexed(monkeypatch):
    """The opportunities passed to search.opportunity_reindex, in order."""
    calls: list[Opportunity] = []
    monkeypatch.setattr(publishing.search, "opportunity_reindex", calls.append)
    return calls


def data(**overrides):
    values = {
        "title": "Saturday coding club",
        "summary": "Make games and websites with friendly mentors.",
        "description": "Bring a laptop if you have one.",
        "type": OpportunityType.CLUB,
        "min_age": 11,
        "max_age": 18,
        "price": None,
        "capacity": 12,
        "booking_mode": BookingMode.BOOK_HERE,
        "booking_url": "",
        "delivery": Delivery.IN_PERSON,
        "venue_name": "Community hall",
        "address": "1 Sea Road",
        "postcode": "bn2 4gl",
        "online_url": "",
        "award_on_check_in": False,
        "topics": [],
        "skills": [],
        "badge_classes": [],
        "partners": [],
    }
    values.update(overrides)
    return values


@pytest.fixture
def draft(organisation, editor, area):
    return publishing.opportunity_create(organisation=organisation, by=editor, data=data())


def next_week() -> datetime.date:
    return timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=7)


def next_clock_change() -> datetime.date:
    """The next date (at least three weeks away) on which London's clocks change."""
    day = timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=21)
    for _ in range(400):
        before = datetime.datetime.combine(day, datetime.time(0), tzinfo=LONDON).utcoffset()
        after = datetime.datetime.combine(day, datetime.time(12), tzinfo=LONDON).utcoffset()
        if before != after:
            return day
        day += datetime.timedelta(days=1)
    raise AssertionError("No clock change within a year")


# --- Topics --------------------------------------------------------------------------------------


def test_a_city_gets_the_default_topics_once(city):
    first = publishing.topics_ensure_defaults(city=city)
    again = publishing.topics_ensure_defaults(city=city)
    assert [t.name for t in first] == sorted(publishing.DEFAULT_TOPICS)
    assert len(again) == len(publishing.DEFAULT_TOPICS)
    assert Topic.objects.filter(city=city).count() == len(publishing.DEFAULT_TOPICS)


def test_topics_a_city_renamed_or_added_are_kept(city):
    Topic.objects.create(city=city, name="Music and sound", slug="music")
    Topic.objects.create(city=city, name="Cooking", slug="cooking")
    topics = publishing.topics_ensure_defaults(city=city)
    names = {t.name for t in topics}
    assert {"Music and sound", "Cooking"} <= names
    assert "Music" not in names
    assert len(topics) == len(publishing.DEFAULT_TOPICS) + 1


def test_topic_list_gives_a_new_city_the_defaults(city):
    assert publishing.topic_list(city=city).count() == len(publishing.DEFAULT_TOPICS)


# --- Creating and places -------------------------------------------------------------------------


def test_an_editor_creates_a_draft_placed_by_its_postcode(organisation, editor, area, reindexed):
    topic = TopicFactory(city=organisation.city)
    skill = skill_list(city=organisation.city).first()
    opportunity = publishing.opportunity_create(
        organisation=organisation, by=editor, data=data(topics=[topic], skills=[skill])
    )
    assert opportunity.status == OpportunityStatus.DRAFT
    assert opportunity.city == organisation.city
    assert opportunity.created_by == editor
    assert opportunity.postcode == "BN2 4GL"
    assert opportunity.area == area
    assert opportunity.latitude == Decimal("50.82100")
    assert opportunity.longitude == Decimal("-0.12000")
    assert list(opportunity.topics.all()) == [topic]
    assert list(opportunity.skills.all()) == [skill]
    assert reindexed == [opportunity]


def test_an_unknown_postcode_is_refused_naming_it_and_the_city(organisation, editor, area):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(postcode="pl4 8aa")
        )
    assert refused.value.field == "postcode"
    assert refused.value.message == errors.OPPORTUNITY_POSTCODE_UNKNOWN.format(
        postcode="PL4 8AA", city="Brighton & Hove"
    )
    assert not Opportunity.objects.exists()


def test_a_malformed_postcode_is_refused(organisation, editor, area):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(postcode="not a postcode")
        )
    assert refused.value.message == errors.POSTCODE_INVALID


@pytest.mark.parametrize("delivery", [Delivery.IN_PERSON, Delivery.BOTH])
def test_in_person_needs_a_postcode(organisation, editor, delivery):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(delivery=delivery, postcode="")
        )
    assert refused.value.message == errors.OPPORTUNITY_POSTCODE_REQUIRED


def test_online_needs_no_postcode_and_has_no_place(organisation, editor):
    opportunity = publishing.opportunity_create(
        organisation=organisation,
        by=editor,
        data=data(delivery=Delivery.ONLINE, postcode="", online_url=""),
    )
    assert opportunity.area is None
    assert opportunity.latitude is None
    assert opportunity.venue_name == ""


def test_the_age_range_must_be_in_order(organisation, editor, area):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(min_age=16, max_age=12)
        )
    assert (refused.value.message, refused.value.field) == (errors.OPPORTUNITY_AGE_RANGE, "max_age")


def test_booking_elsewhere_needs_a_booking_address(organisation, editor, area):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(booking_mode=BookingMode.EXTERNAL)
        )
    assert refused.value.message == errors.OPPORTUNITY_BOOKING_URL_REQUIRED
    opportunity = publishing.opportunity_create(
        organisation=organisation,
        by=editor,
        data=data(booking_mode=BookingMode.EXTERNAL, booking_url="https://example.org/book"),
    )
    assert opportunity.booking_url == "https://example.org/book"


def test_only_the_organisations_own_published_badges_can_be_linked(organisation, editor, area):
    own = BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED)
    draft_badge = BadgeClassFactory(organisation=organisation, status=BadgeStatus.DRAFT)
    other = BadgeClassFactory(
        organisation=OrganisationFactory(city=organisation.city), status=BadgeStatus.PUBLISHED
    )
    for badge in (draft_badge, other):
        with pytest.raises(ServiceError) as refused:
            publishing.opportunity_create(
                organisation=organisation, by=editor, data=data(badge_classes=[badge])
            )
        assert refused.value.message == errors.OPPORTUNITY_BADGE_NOT_OURS
    opportunity = publishing.opportunity_create(
        organisation=organisation,
        by=editor,
        data=data(badge_classes=[own], award_on_check_in=True),
    )
    assert list(opportunity.badge_classes.all()) == [own]
    assert opportunity.award_on_check_in


def test_awarding_at_check_in_needs_a_linked_badge(organisation, editor, area):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(award_on_check_in=True)
        )
    assert refused.value.message == errors.OPPORTUNITY_AWARD_NEEDS_BADGE


def test_topics_and_skills_of_another_city_are_refused(organisation, editor, area):
    elsewhere = CityFactory()
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(topics=[TopicFactory(city=elsewhere)])
        )
    assert refused.value.field == "topics"
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation,
            by=editor,
            data=data(skills=[skill_list(city=elsewhere).first()]),
        )
    assert refused.value.field == "skills"


def test_partners_are_other_active_organisations_of_the_city(organisation, editor, area):
    partner = OrganisationFactory(city=organisation.city)
    opportunity = publishing.opportunity_create(
        organisation=organisation, by=editor, data=data(partners=[partner])
    )
    assert list(opportunity.partners.all()) == [partner]
    pending = OrganisationFactory(city=organisation.city, status=Organisation.Status.PENDING)
    for wrong in (organisation, OrganisationFactory(), pending):
        with pytest.raises(ServiceError) as refused:
            publishing.opportunity_create(
                organisation=organisation, by=editor, data=data(partners=[wrong])
            )
        assert refused.value.field == "partners"


def test_a_price_of_nothing_is_free(organisation, editor, area):
    opportunity = publishing.opportunity_create(
        organisation=organisation, by=editor, data=data(price=Decimal("0"))
    )
    assert opportunity.price is None
    assert opportunity.is_free


def test_problems_are_all_listed_at_once(organisation):
    problems = publishing.opportunity_problems(
        organisation=organisation,
        data=data(postcode="", min_age=20, max_age=12, booking_mode=BookingMode.EXTERNAL),
    )
    assert {p.field for p in problems} == {"postcode", "max_age", "booking_url"}


def test_a_viewer_or_an_outsider_cannot_create(organisation, viewer, area):
    outsider = MembershipFactory(role=Role.OWNER).user
    for person in (viewer, outsider):
        with pytest.raises(AccessDenied):
            publishing.opportunity_create(organisation=organisation, by=person, data=data())
    assert not Opportunity.objects.exists()


def test_a_waiting_organisation_can_prepare_drafts(city, area):
    waiting = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
    owner = MembershipFactory(organisation=waiting, role=Role.OWNER).user
    opportunity = publishing.opportunity_create(organisation=waiting, by=owner, data=data())
    assert opportunity.status == OpportunityStatus.DRAFT


def png_upload(name="club.png", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "orange").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_a_picture_is_stored_as_a_clean_png_with_its_description(organisation, editor, area):
    opportunity = publishing.opportunity_create(
        organisation=organisation,
        by=editor,
        data=data(image=png_upload(), image_alt="Young people coding"),
    )
    assert opportunity.image.name.endswith(".png")
    with Image.open(opportunity.image) as stored:
        assert (stored.format, stored.size) == ("PNG", (40, 30))
    assert opportunity.image_alt == "Young people coding"
    removed = publishing.opportunity_update(
        opportunity=opportunity, by=editor, data={"image": None}
    )
    assert not removed.image
    assert removed.image_alt == ""


def test_a_picture_needs_a_description_and_must_be_an_image(organisation, editor, area):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation, by=editor, data=data(image=png_upload(), image_alt=" ")
        )
    assert refused.value.message == errors.OPPORTUNITY_IMAGE_ALT_REQUIRED
    not_an_image = SimpleUploadedFile("club.png", b"<script>alert(1)</script>")
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_create(
            organisation=organisation,
            by=editor,
            data=data(image=not_an_image, image_alt="A picture"),
        )
    assert refused.value.message == errors.OPPORTUNITY_IMAGE_FORMAT
    assert refused.value.field == "image"
    assert not Opportunity.objects.exists()


# --- Updating ------------------------------------------------------------------------------------


def test_editing_a_published_opportunity_keeps_it_published(draft, editor, reindexed):
    Opportunity.objects.filter(pk=draft.pk).update(status=OpportunityStatus.PUBLISHED)
    draft.refresh_from_db()
    updated = publishing.opportunity_update(
        opportunity=draft, by=editor, data=data(title="Sunday coding club")
    )
    assert updated.status == OpportunityStatus.PUBLISHED
    assert Opportunity.objects.get(pk=draft.pk).title == "Sunday coding club"
    assert reindexed == [updated]


def test_a_partial_update_is_checked_against_what_is_saved(draft, editor):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_update(opportunity=draft, by=editor, data={"max_age": 5})
    assert refused.value.message == errors.OPPORTUNITY_AGE_RANGE
    updated = publishing.opportunity_update(opportunity=draft, by=editor, data={"max_age": 19})
    assert (updated.max_age, updated.postcode, updated.area_id) == (19, "BN2 4GL", draft.area_id)


def test_moving_online_clears_the_place(draft, editor):
    updated = publishing.opportunity_update(
        opportunity=draft, by=editor, data={"delivery": Delivery.ONLINE}
    )
    assert (updated.area, updated.postcode, updated.venue_name) == (None, "", "")


def test_an_archived_opportunity_cannot_be_edited(draft, editor):
    publishing.opportunity_archive(opportunity=draft, by=editor)
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_update(opportunity=draft, by=editor, data={"title": "New"})
    assert refused.value.message == errors.OPPORTUNITY_ARCHIVED.format(title=draft.title)


def test_a_linked_badge_archived_since_does_not_block_edits(organisation, editor, area):
    badge = BadgeClassFactory(organisation=organisation, status=BadgeStatus.PUBLISHED)
    opportunity = publishing.opportunity_create(
        organisation=organisation,
        by=editor,
        data=data(badge_classes=[badge], award_on_check_in=True),
    )
    badge.status = BadgeStatus.ARCHIVED
    badge.save()
    updated = publishing.opportunity_update(
        opportunity=opportunity, by=editor, data={"title": "Coding club"}
    )
    assert updated.title == "Coding club"
    assert updated.award_on_check_in


def test_a_new_capacity_applies_to_upcoming_sessions_but_never_below_their_bookings(draft, editor):
    busy = SessionFactory(opportunity=draft, capacity=12, booked_count=9)
    quiet = SessionFactory(
        opportunity=draft,
        starts_at=busy.starts_at + datetime.timedelta(days=7),
        ends_at=busy.ends_at + datetime.timedelta(days=7),
        capacity=12,
        booked_count=2,
    )
    past = SessionFactory(
        opportunity=draft,
        starts_at=timezone.now() - datetime.timedelta(days=7),
        ends_at=timezone.now() - datetime.timedelta(days=7, hours=-2),
        capacity=12,
        booked_count=12,
    )
    publishing.opportunity_update(opportunity=draft, by=editor, data={"capacity": 6})
    for session in (busy, quiet, past):
        session.refresh_from_db()
    assert (busy.capacity, quiet.capacity, past.capacity) == (9, 6, 12)
    publishing.opportunity_update(opportunity=draft, by=editor, data={"capacity": None})
    quiet.refresh_from_db()
    assert quiet.capacity is None


def test_raising_the_capacity_moves_people_up_from_the_waitlist(
    draft, editor, django_capture_on_commit_callbacks
):
    full = SessionFactory(opportunity=draft, capacity=1, booked_count=1)
    BookingFactory(session=full)
    waiting = BookingFactory(session=full, status=BookingStatus.WAITLISTED)
    with django_capture_on_commit_callbacks(execute=True):
        publishing.opportunity_update(opportunity=draft, by=editor, data={"capacity": 2})
    waiting.refresh_from_db()
    full.refresh_from_db()
    assert waiting.status == BookingStatus.BOOKED
    assert (full.capacity, full.booked_count) == (2, 2)


def test_a_viewer_cannot_edit(draft, viewer):
    with pytest.raises(AccessDenied):
        publishing.opportunity_update(opportunity=draft, by=viewer, data={"title": "New"})


# --- Sessions ------------------------------------------------------------------------------------


def test_a_one_off_session_is_in_the_citys_time_with_the_opportunitys_capacity(draft, editor):
    day = next_week()
    (session,) = publishing.sessions_add(
        opportunity=draft, by=editor, pattern=SessionPattern.one_off(day, SIX_PM, EIGHT_PM)
    )
    local = session.starts_at.astimezone(LONDON)
    assert (local.date(), local.time()) == (day, SIX_PM)
    assert session.ends_at - session.starts_at == datetime.timedelta(hours=2)
    assert session.capacity == 12
    draft.refresh_from_db()
    assert draft.first_starts_at == session.starts_at
    assert draft.last_ends_at == session.ends_at


def test_weekly_sessions_stay_at_six_in_the_evening_across_the_clock_change(draft, editor):
    change = next_clock_change()
    first, until = change - datetime.timedelta(days=14), change + datetime.timedelta(days=14)
    sessions = publishing.sessions_add(
        opportunity=draft, by=editor, pattern=SessionPattern.weekly(first, until, SIX_PM, EIGHT_PM)
    )
    assert len(sessions) == 5
    local = [s.starts_at.astimezone(LONDON) for s in sessions]
    assert all(t.time() == SIX_PM for t in local)
    assert [t.date() for t in local] == [first + datetime.timedelta(weeks=n) for n in range(5)]
    assert {t.weekday() for t in local} == {first.weekday()}
    # In UTC the sessions move by an hour at the change: 17:00 in summer time, 18:00 in winter.
    utc_hours = [s.starts_at.astimezone(datetime.UTC).hour for s in sessions]
    assert set(utc_hours) == {17, 18}
    assert len({s.starts_at.astimezone(datetime.UTC).hour for s in sessions[:2]}) == 1
    assert utc_hours[0] != utc_hours[-1]


def test_sessions_follow_the_citys_own_time_zone(editor, draft):
    city = draft.city
    City.objects.filter(pk=city.pk).update(timezone="America/New_York")
    draft.refresh_from_db()
    draft.city.refresh_from_db()
    day = next_week()
    (session,) = publishing.sessions_add(
        opportunity=draft, by=editor, pattern=SessionPattern.one_off(day, SIX_PM, EIGHT_PM)
    )
    local = session.starts_at.astimezone(zoneinfo.ZoneInfo("America/New_York"))
    assert local.time() == SIX_PM


def test_several_dates_are_sorted_and_each_added_once(draft, editor):
    a, b = next_week(), next_week() + datetime.timedelta(days=3)
    sessions = publishing.sessions_add(
        opportunity=draft,
        by=editor,
        pattern=SessionPattern.several([b, a, b], SIX_PM, EIGHT_PM),
    )
    assert [s.starts_at.astimezone(LONDON).date() for s in sessions] == [a, b]
    draft.refresh_from_db()
    assert draft.first_starts_at == sessions[0].starts_at
    assert draft.last_ends_at == sessions[1].ends_at


def test_adding_the_same_sessions_twice_adds_them_once(draft, editor):
    pattern = SessionPattern.one_off(next_week(), SIX_PM, EIGHT_PM)
    publishing.sessions_add(opportunity=draft, by=editor, pattern=pattern)
    assert publishing.sessions_add(opportunity=draft, by=editor, pattern=pattern) == []
    assert Session.objects.filter(opportunity=draft).count() == 1


def test_no_more_than_a_hundred_sessions_at_once(draft, editor):
    first = next_week()
    with pytest.raises(ServiceError) as refused:
        publishing.sessions_add(
            opportunity=draft,
            by=editor,
            pattern=SessionPattern.weekly(
                first, first + datetime.timedelta(weeks=SESSIONS_PER_CALL), SIX_PM, EIGHT_PM
            ),
        )
    assert refused.value.message == errors.SESSIONS_TOO_MANY.format(
        count=SESSIONS_PER_CALL + 1, limit=SESSIONS_PER_CALL
    )
    with pytest.raises(ServiceError):
        publishing.sessions_add(
            opportunity=draft,
            by=editor,
            pattern=SessionPattern.several(
                [first + datetime.timedelta(days=n) for n in range(101)], SIX_PM, EIGHT_PM
            ),
        )
    assert not Session.objects.exists()
    hundred = publishing.sessions_add(
        opportunity=draft,
        by=editor,
        pattern=SessionPattern.weekly(
            first, first + datetime.timedelta(weeks=SESSIONS_PER_CALL - 1), SIX_PM, EIGHT_PM
        ),
    )
    assert len(hundred) == SESSIONS_PER_CALL


def test_a_session_must_end_after_it_starts(draft, editor):
    with pytest.raises(ServiceError) as refused:
        publishing.sessions_add(
            opportunity=draft,
            by=editor,
            pattern=SessionPattern.one_off(next_week(), EIGHT_PM, SIX_PM),
        )
    assert refused.value.message == errors.SESSION_END_BEFORE_START


def test_sessions_cannot_start_in_the_past(draft, editor):
    yesterday = timezone.now().astimezone(LONDON).date() - datetime.timedelta(days=1)
    with pytest.raises(ServiceError) as refused:
        publishing.sessions_add(
            opportunity=draft,
            by=editor,
            pattern=SessionPattern.one_off(yesterday, SIX_PM, EIGHT_PM),
        )
    assert refused.value.message == errors.SESSION_IN_THE_PAST.format(
        date=f"{yesterday.day} {yesterday:%B %Y}"
    )


def test_weekly_sessions_need_the_last_date_after_the_first(draft, editor):
    first = next_week()
    with pytest.raises(ServiceError) as refused:
        publishing.sessions_add(
            opportunity=draft,
            by=editor,
            pattern=SessionPattern.weekly(
                first, first - datetime.timedelta(days=1), SIX_PM, EIGHT_PM
            ),
        )
    assert refused.value.message == errors.SESSION_UNTIL_BEFORE_FIRST


def test_several_dates_need_at_least_one(draft, editor):
    with pytest.raises(ServiceError) as refused:
        publishing.sessions_add(
            opportunity=draft, by=editor, pattern=SessionPattern.several([], SIX_PM, EIGHT_PM)
        )
    assert refused.value.message == errors.SESSION_DATES_REQUIRED


def test_no_sessions_for_an_archived_opportunity_or_from_a_viewer(draft, editor, viewer):
    pattern = SessionPattern.one_off(next_week(), SIX_PM, EIGHT_PM)
    with pytest.raises(AccessDenied):
        publishing.sessions_add(opportunity=draft, by=viewer, pattern=pattern)
    publishing.opportunity_archive(opportunity=draft, by=editor)
    with pytest.raises(ServiceError):
        publishing.sessions_add(opportunity=draft, by=editor, pattern=pattern)


def test_cancelling_a_session_keeps_it_and_its_bookings_and_moves_the_dates(draft, editor):
    first, second = publishing.sessions_add(
        opportunity=draft,
        by=editor,
        pattern=SessionPattern.several(
            [next_week(), next_week() + datetime.timedelta(days=7)], SIX_PM, EIGHT_PM
        ),
    )
    booking = BookingFactory(session=first)
    cancelled = publishing.session_cancel(session=first, by=editor)
    assert cancelled.is_cancelled
    booking.refresh_from_db()
    assert booking.status == BookingStatus.BOOKED
    draft.refresh_from_db()
    assert draft.first_starts_at == second.starts_at
    with pytest.raises(ServiceError) as refused:
        publishing.session_cancel(session=first, by=editor)
    assert refused.value.message == errors.SESSION_ALREADY_CANCELLED
    publishing.session_cancel(session=second, by=editor)
    draft.refresh_from_db()
    assert (draft.first_starts_at, draft.last_ends_at) == (None, None)


def test_a_past_session_cannot_be_cancelled_nor_by_a_viewer(draft, editor, viewer):
    past = SessionFactory(
        opportunity=draft,
        starts_at=timezone.now() - datetime.timedelta(days=2),
        ends_at=timezone.now() - datetime.timedelta(days=2, hours=-2),
    )
    with pytest.raises(ServiceError) as refused:
        publishing.session_cancel(session=past, by=editor)
    assert refused.value.message == errors.SESSION_ALREADY_ENDED
    upcoming = SessionFactory(opportunity=draft)
    with pytest.raises(AccessDenied):
        publishing.session_cancel(session=upcoming, by=viewer)


def test_the_dates_follow_sessions_made_elsewhere(draft):
    session = SessionFactory(opportunity=draft)
    publishing.opportunity_sync_dates(opportunity=draft)
    stored = Opportunity.objects.get(pk=draft.pk)
    assert (stored.first_starts_at, stored.last_ends_at) == (session.starts_at, session.ends_at)


# --- The lifecycle -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "trusted", "expected"),
    [
        (City.OpportunityReview.NONE, False, OpportunityStatus.PUBLISHED),
        (City.OpportunityReview.UNTRUSTED, False, OpportunityStatus.SUBMITTED),
        (City.OpportunityReview.UNTRUSTED, True, OpportunityStatus.PUBLISHED),
        (City.OpportunityReview.ALL, True, OpportunityStatus.SUBMITTED),
    ],
)
def test_submitting_follows_the_citys_rule(draft, editor, reindexed, rule, trusted, expected):
    City.objects.filter(pk=draft.city_id).update(opportunity_review=rule)
    Organisation.objects.filter(pk=draft.organisation_id).update(is_trusted=trusted)
    draft = Opportunity.objects.get(pk=draft.pk)
    submitted = publishing.opportunity_submit(opportunity=draft, by=editor)
    assert submitted.status == expected
    assert submitted.submitted_at is not None
    assert (submitted.published_at is not None) == (expected == OpportunityStatus.PUBLISHED)
    assert reindexed[-1] == submitted


def test_a_waiting_organisation_cannot_submit(draft, editor):
    Organisation.objects.filter(pk=draft.organisation_id).update(status=Organisation.Status.PENDING)
    draft = Opportunity.objects.get(pk=draft.pk)
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_submit(opportunity=draft, by=editor)
    assert refused.value.message == errors.OPPORTUNITY_ORGANISATION_NOT_ACTIVE.format(
        name="Hove Youth Club"
    )


def test_only_a_draft_can_be_submitted_and_only_by_an_editor(draft, editor, viewer):
    with pytest.raises(AccessDenied):
        publishing.opportunity_submit(opportunity=draft, by=viewer)
    publishing.opportunity_submit(opportunity=draft, by=editor)
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_submit(opportunity=draft, by=editor)
    assert "waiting for review" in refused.value.message


@pytest.fixture
def submitted(draft, editor):
    return publishing.opportunity_submit(opportunity=draft, by=editor)


def test_a_city_admin_approves_and_the_staff_hear_of_it(
    submitted, city_admin, organisation, editor, viewer, django_capture_on_commit_callbacks
):
    owner = MembershipFactory(organisation=organisation, role=Role.OWNER).user
    with django_capture_on_commit_callbacks(execute=True):
        approved = publishing.opportunity_approve(opportunity=submitted, by=city_admin)
    assert approved.status == OpportunityStatus.PUBLISHED
    assert approved.reviewed_by == city_admin
    assert approved.published_at is not None
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([editor.email, owner.email])
    assert "Saturday coding club is published" in mail.outbox[0].subject


def test_another_citys_admin_or_the_organisation_cannot_approve(submitted, editor):
    other_admin = CityAdminFactory().user
    for person in (other_admin, editor):
        with pytest.raises(AccessDenied):
            publishing.opportunity_approve(opportunity=submitted, by=person)


def test_only_what_waits_for_review_can_be_approved(draft, city_admin):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_approve(opportunity=draft, by=city_admin)
    assert refused.value.message == errors.OPPORTUNITY_STATUS_CHANGE_INVALID.format(
        title=draft.title, status="draft", action="approved"
    )


def test_sending_back_needs_a_reason_and_returns_it_to_draft(
    submitted, city_admin, editor, django_capture_on_commit_callbacks
):
    with pytest.raises(ServiceError) as refused:
        publishing.opportunity_send_back(opportunity=submitted, by=city_admin, reason="  ")
    assert refused.value.message == errors.OPPORTUNITY_SEND_BACK_REASON_REQUIRED
    with django_capture_on_commit_callbacks(execute=True):
        sent_back = publishing.opportunity_send_back(
            opportunity=submitted, by=city_admin, reason="Say where to meet."
        )
    assert sent_back.status == OpportunityStatus.DRAFT
    assert sent_back.review_note == "Say where to meet."
    assert mail.outbox[0].to == [editor.email]
    assert "Say where to meet." in mail.outbox[0].body
    # Submitting again and being approved clears the note.
    again = publishing.opportunity_submit(opportunity=sent_back, by=editor)
    assert again.review_note == "Say where to meet."
    assert publishing.opportunity_approve(opportunity=again, by=city_admin).review_note == ""


def test_the_city_can_take_down_a_published_opportunity(submitted, city_admin):
    approved = publishing.opportunity_approve(opportunity=submitted, by=city_admin)
    taken_down = publishing.opportunity_send_back(
        opportunity=approved, by=city_admin, reason="The venue has closed."
    )
    assert taken_down.status == OpportunityStatus.DRAFT


def test_another_citys_admin_cannot_send_back(submitted):
    with pytest.raises(AccessDenied):
        publishing.opportunity_send_back(
            opportunity=submitted, by=CityAdminFactory().user, reason="No."
        )


def test_archiving(draft, editor, viewer, reindexed):
    with pytest.raises(AccessDenied):
        publishing.opportunity_archive(opportunity=draft, by=viewer)
    archived = publishing.opportunity_archive(opportunity=draft, by=editor)
    assert archived.status == OpportunityStatus.ARCHIVED
    assert reindexed[-1] == archived
    with pytest.raises(ServiceError):
        publishing.opportunity_archive(opportunity=draft, by=editor)


# --- Selectors -----------------------------------------------------------------------------------


def test_the_staff_list_counts_upcoming_sessions_and_bookings(organisation):
    opportunity = OpportunityFactory(organisation=organisation, capacity=10)
    soon = SessionFactory(opportunity=opportunity, booked_count=3)
    SessionFactory(
        opportunity=opportunity,
        starts_at=soon.starts_at + datetime.timedelta(days=7),
        ends_at=soon.ends_at + datetime.timedelta(days=7),
        booked_count=2,
    )
    SessionFactory(opportunity=opportunity, is_cancelled=True, booked_count=4)
    SessionFactory(
        opportunity=opportunity,
        starts_at=timezone.now() - datetime.timedelta(days=3),
        ends_at=timezone.now() - datetime.timedelta(days=3, hours=-1),
    )
    OpportunityFactory()  # another organisation's
    (listed,) = publishing.opportunity_list_for_staff(organisation=organisation)
    assert (listed.next_starts_at, listed.upcoming_count, listed.booked_total) == (
        soon.starts_at,
        2,
        5,
    )


def test_the_review_queue_holds_the_citys_submitted_opportunities_oldest_first(city):
    now = timezone.now()
    later = OpportunityFactory(
        organisation__city=city,
        status=OpportunityStatus.SUBMITTED,
        submitted_at=now,
    )
    earlier = OpportunityFactory(
        organisation__city=city,
        status=OpportunityStatus.SUBMITTED,
        submitted_at=now - datetime.timedelta(days=1),
    )
    OpportunityFactory(organisation__city=city, status=OpportunityStatus.DRAFT)
    OpportunityFactory(status=OpportunityStatus.SUBMITTED, submitted_at=now)  # another city
    assert list(publishing.opportunity_review_queue(city=city)) == [earlier, later]


def test_cancelling_a_session_emails_everyone_booked_or_waiting_once_it_commits(
    draft, editor, django_capture_on_commit_callbacks, mailoutbox
):
    (session,) = publishing.sessions_add(
        opportunity=draft, by=editor, pattern=SessionPattern.one_off(next_week(), SIX_PM, EIGHT_PM)
    )
    booked = BookingFactory(session=session)
    waiting = BookingFactory(session=session, status=BookingStatus.WAITLISTED)
    BookingFactory(session=session, status=BookingStatus.CANCELLED)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publishing.session_cancel(session=session, by=editor)
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [booked.learner.email, waiting.learner.email]
    )
    assert all(message.subject == f"Cancelled: {draft.title}" for message in mailoutbox)
    assert "has been cancelled" in mailoutbox[0].body
