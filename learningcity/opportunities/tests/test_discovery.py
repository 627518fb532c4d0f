"""Discovery's selector and query-string parser: every filter, counts per filter, sorting,
pagination and what may never appear. Runs on SQLite and on PostgreSQL."""

import datetime
import zoneinfo
from decimal import Decimal

import pytest
from django.http import QueryDict

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges.models import Level, SkillFramework
from learningcity.cities.models import Area
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.core import errors
from learningcity.opportunities import search
from learningcity.opportunities.forms_search import discovery_request_parse
from learningcity.opportunities.models import (
    Delivery,
    OpportunityStatus,
    OpportunityType,
)
from learningcity.opportunities.selectors import (
    DiscoveryQuery,
    opportunities_discover,
    weekend_range,
)
from learningcity.organisations.models import Organisation
from learningcity.organisations.tests.factories import OrganisationFactory

from .factories import SessionFactory, TopicFactory
from .factories_discovery import opportunity_with_sessions, sync_dates

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")
# A Wednesday, well in the future so nothing real is "past".
NOW = datetime.datetime(2030, 1, 9, 12, 0, tzinfo=LONDON)


def at(days: float, hour: int = 10) -> datetime.datetime:
    """``days`` after NOW's date at ``hour`` o'clock, London time."""
    day = NOW.date() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton")


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city, name="Hove Youth Project", slug="hove-youth")


def make(organisation, title, *, starts=None, **fields):
    return opportunity_with_sessions(
        organisation=organisation,
        title=title,
        starts=[at(3)] if starts is None else starts,
        **fields,
    )


def discover(city, now=NOW, page_size=20, **query):
    return opportunities_discover(
        city=city, query=DiscoveryQuery(**query), now=now, page_size=page_size
    )


def titles(result):
    return [item.title for item in result.items]


def counts(result, group):
    return {option.value: option.count for option in result.facets[group]}


# --- What discovery may show ----------------------------------------------------------------------


def test_only_published_opportunities_of_active_organisations_of_the_city_appear(
    city, organisation
):
    make(organisation, "Visible")
    make(organisation, "Draft", status=OpportunityStatus.DRAFT)
    make(organisation, "Submitted", status=OpportunityStatus.SUBMITTED)
    make(organisation, "Archived", status=OpportunityStatus.ARCHIVED)
    suspended = OrganisationFactory(city=city, status=Organisation.Status.SUSPENDED)
    make(suspended, "Suspended organisation's")
    pending = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
    make(pending, "Pending organisation's")
    make(OrganisationFactory(), "Another city's")
    result = discover(city)
    assert titles(result) == ["Visible"]
    assert result.total == 1


def test_drafts_never_appear_even_when_indexed_by_text(city, organisation):
    draft = make(organisation, "Hidden pottery", status=OpportunityStatus.DRAFT, index=False)
    # Even a stale index row (written while it was published) does not make it appear.
    draft.status = OpportunityStatus.PUBLISHED
    draft.save()
    search.opportunity_reindex(draft)
    draft.status = OpportunityStatus.DRAFT
    draft.save()
    assert titles(discover(city, text="pottery")) == []


def test_past_only_opportunities_drop_out(city, organisation):
    make(organisation, "Last week", starts=[at(-7)])
    make(organisation, "Next week", starts=[at(7)])
    assert titles(discover(city)) == ["Next week"]


def test_an_opportunity_with_no_dates_stays(city, organisation):
    make(organisation, "Self-paced", starts=[])
    assert titles(discover(city)) == ["Self-paced"]


def test_an_opportunity_running_now_stays(city, organisation):
    make(organisation, "Started last week", starts=[at(-7), at(7)])
    assert titles(discover(city)) == ["Started last week"]


# --- Text -----------------------------------------------------------------------------------------


def test_text_narrows_and_ranks_title_matches_first(city, organisation):
    make(organisation, "Youth club", description="Games, music and some drumming.")
    make(organisation, "Drumming circle", starts=[at(20)])
    make(organisation, "Football")
    result = discover(city, text="drumming")
    assert titles(result) == ["Drumming circle", "Youth club"]
    assert result.sort == "relevance"


@pytest.mark.parametrize("text", ["NEAR(", '"', "*", "coding OR", "'; --", "ñandú 😀", "a AND"])
def test_any_text_gives_results_not_errors(city, organisation, text):
    make(organisation, "Coding club")
    result = discover(city, text=text)
    assert result.total >= 0


# --- Faceted filters ------------------------------------------------------------------------------


def test_topics_filter_matches_any_chosen_topic(city, organisation):
    arts = TopicFactory(city=city, name="Arts", slug="arts")
    sport = TopicFactory(city=city, name="Sport", slug="sport")
    digital = TopicFactory(city=city, name="Digital", slug="digital")
    make(organisation, "Painting", topics=[arts])
    make(organisation, "Football", topics=[sport])
    make(organisation, "Coding", topics=[digital])
    result = discover(city, topics=("arts", "sport"))
    assert sorted(titles(result)) == ["Football", "Painting"]
    # Each topic's count ignores the topic filter itself.
    assert counts(result, "topics") == {"arts": 1, "digital": 1, "sport": 1}
    assert {o.value for o in result.facets["topics"] if o.selected} == {"arts", "sport"}


def test_counts_per_filter_apply_the_other_filters(city, organisation):
    arts = TopicFactory(city=city, name="Arts", slug="arts")
    sport = TopicFactory(city=city, name="Sport", slug="sport")
    make(organisation, "Painting workshop", topics=[arts], type=OpportunityType.WORKSHOP)
    make(organisation, "Drawing course", topics=[arts], type=OpportunityType.COURSE)
    make(organisation, "Football club", topics=[sport], type=OpportunityType.CLUB)
    make(organisation, "Paid painting", topics=[arts], type=OpportunityType.WORKSHOP, price=5)
    result = discover(city, topics=("arts",), types=("workshop",))
    assert sorted(titles(result)) == ["Paid painting", "Painting workshop"]
    # Types counted among arts; topics counted among workshops.
    type_counts = counts(result, "types")
    assert type_counts["workshop"] == 2
    assert type_counts["course"] == 1
    assert type_counts["club"] == 0
    assert counts(result, "topics") == {"arts": 2, "sport": 0}
    assert counts(result, "free") == {"free": 1}


def test_types_filter(city, organisation):
    make(organisation, "A course", type=OpportunityType.COURSE)
    make(organisation, "A club", type=OpportunityType.CLUB)
    make(organisation, "Volunteering", type=OpportunityType.VOLUNTEERING)
    result = discover(city, types=("course", "club"))
    assert sorted(titles(result)) == ["A club", "A course"]
    assert counts(result, "types")["volunteering"] == 1


def test_free_only(city, organisation):
    make(organisation, "Free one")
    make(organisation, "Paid one", price=Decimal("3.50"))
    assert titles(discover(city, free_only=True)) == ["Free one"]


@pytest.mark.parametrize(
    ("delivery", "expected"),
    [
        ("online", ["Both", "Online"]),
        ("in_person", ["Both", "In person"]),
        ("", ["Both", "In person", "Online"]),
    ],
)
def test_delivery_filter_includes_both(city, organisation, delivery, expected):
    make(organisation, "Online", delivery=Delivery.ONLINE)
    make(organisation, "In person", delivery=Delivery.IN_PERSON)
    make(organisation, "Both", delivery=Delivery.BOTH)
    assert sorted(titles(discover(city, delivery=delivery))) == expected


def test_levels_filter(city, organisation):
    make(organisation, "Engage", level=Level.ENGAGE)
    make(organisation, "Lead", level=Level.LEAD)
    make(organisation, "No level")
    result = discover(city, levels=(Level.LEAD,))
    assert titles(result) == ["Lead"]
    assert counts(result, "levels")[Level.ENGAGE] == 1


def test_organisations_filter(city, organisation):
    other = OrganisationFactory(city=city, name="Brighton Library", slug="library")
    make(organisation, "Youth project's")
    make(other, "Library's")
    result = discover(city, organisations=("library",))
    assert titles(result) == ["Library's"]
    assert counts(result, "organisations") == {"library": 1, "hove-youth": 1}


def test_skills_filter(city, organisation):
    framework = SkillFramework.objects.create(city=city, name="Essential skills")
    teamwork = framework.skills.create(name="Teamwork")
    speaking = framework.skills.create(name="Speaking")
    make(organisation, "Team game", skills=[teamwork])
    make(organisation, "Debate", skills=[speaking])
    result = discover(city, skills=(teamwork.pk,))
    assert titles(result) == ["Team game"]
    assert counts(result, "skills") == {str(teamwork.pk): 1, str(speaking.pk): 1}


def test_accessibility_filter_needs_every_chosen_feature(city, organisation):
    make(organisation, "Step-free only", step_free=True)
    make(organisation, "Step-free with loop", step_free=True, hearing_loop=True)
    make(organisation, "Nothing said")
    result = discover(city, accessibility=("step_free", "hearing_loop"))
    assert titles(result) == ["Step-free with loop"]
    result = discover(city, accessibility=("step_free",))
    assert sorted(titles(result)) == ["Step-free only", "Step-free with loop"]
    assert counts(result, "accessibility")["hearing_loop"] == 1


# --- Narrowing filters ----------------------------------------------------------------------------


def test_age_filter_is_inclusive_at_both_ends(city, organisation):
    make(organisation, "Teens", min_age=13, max_age=17)
    make(organisation, "Young adults", min_age=18, max_age=25)
    assert titles(discover(city, age=13)) == ["Teens"]
    assert titles(discover(city, age=17)) == ["Teens"]
    assert titles(discover(city, age=18)) == ["Young adults"]
    assert titles(discover(city, age=30)) == []


def test_date_range_matches_a_session_inside_it(city, organisation):
    make(organisation, "In three days", starts=[at(3)])
    make(organisation, "In ten days", starts=[at(10)])
    make(organisation, "Both", starts=[at(1), at(12)])
    result = discover(city, date_from=at(2).date(), date_to=at(4).date())
    assert titles(result) == ["In three days"]
    result = discover(city, date_from=at(9).date())
    assert sorted(titles(result)) == ["Both", "In ten days"]
    result = discover(city, date_to=at(1).date())
    assert titles(result) == ["Both"]


def test_a_date_range_ignores_cancelled_sessions(city, organisation):
    opportunity = make(organisation, "Cancelled in range", starts=[at(10)])
    SessionFactory(opportunity=opportunity, starts_at=at(3), ends_at=at(3, 12), is_cancelled=True)
    sync_dates(opportunity)
    assert titles(discover(city, date_from=at(2).date(), date_to=at(4).date())) == []


def test_the_next_session_shown_is_in_the_date_range(city, organisation):
    make(organisation, "Weekly", starts=[at(1), at(8), at(15)])
    result = discover(city, date_from=at(7).date())
    assert result.items[0].next_session.starts_at == at(8)
    assert discover(city).items[0].next_session.starts_at == at(1)


def test_this_weekend_on_a_wednesday_is_the_coming_saturday_and_sunday(city, organisation):
    make(organisation, "Friday", starts=[at(2)])
    make(organisation, "Saturday", starts=[at(3)])
    make(organisation, "Sunday evening", starts=[at(4, 21)])
    make(organisation, "Monday", starts=[at(5)])
    assert sorted(titles(discover(city, this_weekend=True))) == ["Saturday", "Sunday evening"]


def test_this_weekend_on_a_sunday_is_the_current_weekend(city):
    sunday = datetime.datetime(2030, 1, 13, 9, 0, tzinfo=LONDON)
    start, end = weekend_range(city=city, now=sunday)
    assert start == datetime.datetime(2030, 1, 12, 0, 0, tzinfo=LONDON)
    assert end == datetime.datetime(2030, 1, 14, 0, 0, tzinfo=LONDON)


def test_this_weekend_is_in_the_citys_time_zone(organisation):
    city = organisation.city
    city.timezone = "America/New_York"
    city.save()
    # 02:00 Saturday in London is still Friday evening in New York.
    make(
        organisation,
        "Friday night in New York",
        starts=[datetime.datetime(2030, 1, 12, 2, 0, tzinfo=LONDON)],
    )
    assert titles(discover(city, this_weekend=True)) == []


@pytest.fixture
def places(city):
    """Two areas about 6 km apart, and opportunities in each and online."""
    kemptown = AreaFactory(
        city=city, code="BN2", name="Kemptown", latitude="50.8200", longitude="-0.1100"
    )
    hove = AreaFactory(city=city, code="BN3", name="Hove", latitude="50.8300", longitude="-0.1900")
    return kemptown, hove


def test_near_keeps_places_within_the_radius_and_drops_online_only(city, organisation, places):
    make(organisation, "Kemptown", latitude=Decimal("50.82100"), longitude=Decimal("-0.11200"))
    make(organisation, "Hove", latitude=Decimal("50.83000"), longitude=Decimal("-0.19000"))
    make(organisation, "Online only", delivery=Delivery.ONLINE)
    make(
        organisation,
        "Both near",
        delivery=Delivery.BOTH,
        latitude=Decimal("50.81900"),
        longitude=Decimal("-0.10500"),
    )
    result = discover(city, near=(50.82, -0.11), radius_km=2)
    assert sorted(titles(result)) == ["Both near", "Kemptown"]
    assert all(item.distance_km < 2 for item in result.items)
    result = discover(city, near=(50.82, -0.11), radius_km=10, sort="nearest")
    assert titles(result) == ["Kemptown", "Both near", "Hove"]
    assert 5 < result.items[-1].distance_km < 7
    # Without "near", the online-only one is there.
    assert "Online only" in titles(discover(city))


def test_near_uses_the_circle_not_just_the_box(city, organisation):
    # About 2.5 km north-east: inside a 2.6 km box's corner region test, outside 2 km.
    make(organisation, "Corner", latitude=Decimal("50.83600"), longitude=Decimal("-0.08500"))
    assert titles(discover(city, near=(50.82, -0.11), radius_km=2)) == []
    assert titles(discover(city, near=(50.82, -0.11), radius_km=5)) == ["Corner"]


# --- Sorting and paging ---------------------------------------------------------------------------


def test_default_sort_is_soonest_with_undated_last(city, organisation):
    make(organisation, "Later", starts=[at(9)])
    make(organisation, "Sooner", starts=[at(2)])
    make(organisation, "Undated", starts=[])
    result = discover(city)
    assert result.sort == "soonest"
    assert titles(result) == ["Sooner", "Later", "Undated"]


def test_newest_sort(city, organisation):
    make(organisation, "Old", published_at=NOW - datetime.timedelta(days=10))
    make(organisation, "New", published_at=NOW - datetime.timedelta(days=1))
    assert titles(discover(city, sort="newest")) == ["New", "Old"]


def test_nearest_without_a_place_falls_back_to_soonest(city, organisation):
    make(organisation, "Later", starts=[at(9)])
    make(organisation, "Sooner", starts=[at(2)])
    result = discover(city, sort="nearest")
    assert result.sort == "soonest"
    assert titles(result) == ["Sooner", "Later"]


def test_relevance_without_text_is_soonest(city, organisation):
    assert discover(city, sort="relevance").sort == "soonest"


def test_pagination(city, organisation):
    for day in range(1, 6):
        make(organisation, f"Day {day}", starts=[at(day)])
    first = discover(city, page_size=2)
    assert (first.total, first.page, first.page_count) == (5, 1, 3)
    assert titles(first) == ["Day 1", "Day 2"]
    assert first.has_next and not first.has_previous
    last = discover(city, page_size=2, page=3)
    assert titles(last) == ["Day 5"]
    assert (last.first_index, last.last_index) == (5, 5)
    beyond = discover(city, page_size=2, page=99)
    assert beyond.page == 3


def test_an_empty_city_has_one_empty_page(city):
    result = discover(city)
    assert (result.total, result.page, result.page_count, result.items) == (0, 1, 1, [])


def test_the_number_of_queries_does_not_grow_with_results_or_options(
    city, organisation, django_assert_max_num_queries
):
    topics = [TopicFactory(city=city, slug=f"topic-{n}", name=f"Topic {n}") for n in range(8)]
    for n in range(12):
        make(organisation, f"Thing {n}", topics=topics[: n % 8 + 1])
    with django_assert_max_num_queries(10):
        result = discover(city, text="thing", topics=("topic-1",))
        assert result.total == 10  # all but the two with only topic-0
        shown = [
            (item.organisation.name, [topic.name for topic in item.topics.all()])
            for item in result.items
        ]
        assert len(shown) == 10


# --- Parsing the query string ---------------------------------------------------------------------


def parse(city, query_string, user=None, **allowed):
    from django.contrib.auth.models import AnonymousUser

    return discovery_request_parse(
        data=QueryDict(query_string),
        city=city,
        user=user or AnonymousUser(),
        topic_slugs=allowed.get("topics", {"arts", "sport"}),
        organisation_slugs=allowed.get("organisations", {"hove-youth"}),
        skill_ids=allowed.get("skills", {1, 2}),
    )


def test_parsing_a_full_query(city, places):
    parsed = parse(
        city,
        "q=coding&topic=arts&topic=sport&type=course&age=15&free=1&delivery=online"
        "&from=2030-01-10&to=2030-01-20&weekend=1&near=BN2&radius=10&skill=2&level=Lead"
        "&org=hove-youth&access=bsl&sort=nearest&page=3",
    )
    assert parsed.messages == []
    query = parsed.query
    assert query.text == "coding"
    assert query.topics == ("arts", "sport")
    assert query.types == ("course",)
    assert query.age == 15
    assert query.free_only and query.this_weekend
    assert query.delivery == "online"
    assert query.date_from == datetime.date(2030, 1, 10)
    assert query.date_to == datetime.date(2030, 1, 20)
    assert query.near == (50.82, -0.11)
    assert query.radius_km == 10
    assert query.skills == (2,)
    assert query.levels == ("Lead",)
    assert query.organisations == ("hove-youth",)
    assert query.accessibility == ("bsl",)
    assert (query.sort, query.page) == ("nearest", 3)
    assert parsed.near_label == "BN2 (Kemptown)"


def test_a_full_postcode_finds_its_district(city, places):
    parsed = parse(city, "near=bn3 1aa")
    assert parsed.query.near == (50.83, -0.19)
    assert parsed.messages == []


def test_an_area_name_is_a_place(city, places):
    assert parse(city, "near=kemptown").query.near == (50.82, -0.11)


def test_an_unknown_postcode_says_so_and_does_not_filter_by_place(city, places):
    parsed = parse(city, "near=ZZ9 9ZZ")
    assert parsed.query.near is None
    assert parsed.messages == [
        errors.DISCOVERY_POSTCODE_UNKNOWN.format(
            postcode="ZZ9 9ZZ", city="Brighton & Hove", example="BN2"
        )
    ]
    assert "We couldn't find the postcode ZZ9 9ZZ in Brighton & Hove" in parsed.messages[0]


def test_an_unknown_place_name_says_so(city, places):
    parsed = parse(city, "near=Atlantis")
    assert parsed.query.near is None
    assert parsed.messages[0].startswith("We couldn't find a place called “Atlantis”")


@pytest.mark.parametrize(
    ("query_string", "message"),
    [
        ("age=old", errors.DISCOVERY_AGE_INVALID),
        ("age=150", errors.DISCOVERY_AGE_INVALID),
        ("age=-3", errors.DISCOVERY_AGE_INVALID),
        ("from=31/12/2030", errors.DISCOVERY_DATE_INVALID.format(value="31/12/2030")),
        ("to=2030-02-30", errors.DISCOVERY_DATE_INVALID.format(value="2030-02-30")),
        ("topic=knitting", errors.DISCOVERY_FILTER_UNKNOWN),
        ("type=rave", errors.DISCOVERY_FILTER_UNKNOWN),
        ("skill=abc", errors.DISCOVERY_FILTER_UNKNOWN),
        ("access=is_superuser", errors.DISCOVERY_FILTER_UNKNOWN),
        ("sort=price", errors.DISCOVERY_FILTER_UNKNOWN),
        ("delivery=teleport", errors.DISCOVERY_FILTER_UNKNOWN),
        ("radius=1000", errors.DISCOVERY_FILTER_UNKNOWN),
        ("sort=nearest", errors.DISCOVERY_NEAREST_NEEDS_PLACE),
    ],
)
def test_bad_values_are_left_out_with_a_message(city, query_string, message):
    parsed = parse(city, query_string)
    assert message in parsed.messages
    assert parsed.query == DiscoveryQuery(sort=parsed.query.sort)


def test_garbage_page_numbers_are_page_one(city):
    for value in ("0", "-1", "x", "99999999999999999999"):
        assert parse(city, f"page={value}").query.page == 1


def test_reversed_dates_are_swapped(city):
    parsed = parse(city, "from=2030-02-01&to=2030-01-01")
    assert parsed.query.date_from == datetime.date(2030, 1, 1)
    assert parsed.query.date_to == datetime.date(2030, 2, 1)
    assert parsed.messages == [errors.DISCOVERY_DATES_REVERSED]


def test_long_text_is_cut(city):
    parsed = parse(city, "q=" + "a" * 500)
    assert len(parsed.query.text) == 200


def test_a_signed_in_learners_own_age_applies_by_default(city):
    profile = LearnerProfileFactory(city=city, age=15)
    parsed = parse(city, "q=art", user=profile.user)
    assert parsed.query.age == 15
    assert parsed.age_from_profile == 15


def test_all_ages_turns_the_learners_age_off(city):
    profile = LearnerProfileFactory(city=city, age=15)
    parsed = parse(city, "all_ages=1", user=profile.user)
    assert parsed.query.age is None
    assert parsed.age_from_profile is None


def test_an_age_typed_in_wins_over_the_learners_own(city):
    profile = LearnerProfileFactory(city=city, age=15)
    parsed = parse(city, "age=19", user=profile.user)
    assert parsed.query.age == 19
    assert parsed.age_from_profile is None


def test_a_user_without_a_learner_profile_gets_no_age(city):
    assert parse(city, "", user=UserFactory()).query.age is None


def test_areas_are_matched_within_the_city_only(city, places):
    other = CityFactory()
    AreaFactory(city=other, code="XX1", name="Elsewhere", kind=Area.Kind.WARD)
    assert parse(city, "near=Elsewhere").query.near is None


def test_a_session_must_start_in_the_range_and_not_be_over(city, organisation):
    make(organisation, "Overnight from Friday", starts=[at(2, 22)], hours=5)
    make(organisation, "Saturday morning", starts=[at(3, 9)])
    make(organisation, "Saturday evening", starts=[at(3, 18)])
    saturday_afternoon = at(3, 15)
    result = discover(city, now=saturday_afternoon, this_weekend=True)
    assert titles(result) == ["Saturday evening"]


@pytest.mark.parametrize("sort", ["soonest", "relevance"])
def test_ties_are_broken_by_id_as_a_number_not_as_text(city, organisation, sort):
    # As text, "100000" < "1000000" < "99999"; as numbers the order is the reverse's rotation.
    for pk in (1_000_000, 99_999, 100_000):
        make(organisation, f"Pottery taster {pk}", id=pk)
    text = "pottery" if sort == "relevance" else ""
    pages = [discover(city, text=text, sort=sort, page=n, page_size=1) for n in (1, 2, 3)]
    assert [page.items[0].pk for page in pages] == [99_999, 100_000, 1_000_000]
