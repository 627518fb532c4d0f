"""The discovery pages: the searchable list, an opportunity's public page, its calendar file."""

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from learningcity.accounts.tests.factories import LearnerProfileFactory
from learningcity.badges.models import BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.core.middleware import content_security_policy, map_tile_origin
from learningcity.opportunities.models import Delivery, OpportunityStatus
from learningcity.organisations.models import Organisation
from learningcity.organisations.tests.factories import OrganisationFactory

from .factories import SessionFactory, TopicFactory
from .factories_discovery import opportunity_with_sessions

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return CityFactory(name="Brighton & Hove", slug="brighton")


@pytest.fixture
def organisation(city):
    return OrganisationFactory(city=city, name="Hove Youth Project", slug="hove-youth")


def soon(days=7, hour=18):
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def list_url(city, query=""):
    url = reverse("opportunity-list", kwargs={"city_slug": city.slug})
    return f"{url}?{query}" if query else url


def detail_url(opportunity, name="opportunity-detail"):
    return reverse(
        name, kwargs={"city_slug": opportunity.city.slug, "public_id": opportunity.public_id}
    )


# --- The list -------------------------------------------------------------------------------------


def test_anyone_can_search_and_see_results(client, city, organisation):
    opportunity_with_sessions(organisation=organisation, title="Street dance", starts=[soon()])
    opportunity_with_sessions(organisation=organisation, title="Chess club", starts=[soon()])
    response = client.get(list_url(city, "q=dance"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Street dance" in content
    assert "Chess club" not in content
    assert "1 opportunity" in content


def test_the_list_shows_counts_per_filter(client, city, organisation):
    arts = TopicFactory(city=city, name="Arts", slug="arts")
    opportunity_with_sessions(organisation=organisation, title="Painting", topics=[arts])
    opportunity_with_sessions(organisation=organisation, title="Drawing", topics=[arts])
    content = client.get(list_url(city)).content.decode()
    assert re.search(
        r'name="topic" value="arts"[^>]*>\s*<label[^>]*>Arts <span class="facet-count">2', content
    )


def test_a_chosen_filter_stays_checked(client, city, organisation):
    opportunity_with_sessions(organisation=organisation, title="Painting")
    content = client.get(list_url(city, "type=workshop")).content.decode()
    assert re.search(r'name="type" value="workshop" form="discover" checked', content)


def test_an_unknown_city_is_404(client):
    assert client.get("/nowhere/opportunities/").status_code == 404


def test_a_city_that_is_not_live_is_404(client, city):
    city.is_live = False
    city.save()
    assert client.get(list_url(city)).status_code == 404


def test_bad_parameters_give_the_page_with_a_message(client, city, organisation):
    opportunity_with_sessions(organisation=organisation, title="Painting")
    response = client.get(list_url(city, "age=ancient&from=yesterday&topic=x&page=-4&sort=zzz"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Painting" in content
    assert "The age must be a whole number" in content
    assert "“yesterday” is not a date" in content
    assert "no longer exist" in content


def test_an_unknown_postcode_shows_the_message_and_unfiltered_results(client, city, organisation):
    AreaFactory(city=city, code="BN2", name="Kemptown")
    opportunity_with_sessions(
        organisation=organisation, title="Online coding", delivery=Delivery.ONLINE
    )
    response = client.get(list_url(city, "near=ZZ9+9ZZ"))
    content = response.content.decode()
    assert "We couldn&#x27;t find the postcode ZZ9 9ZZ in Brighton &amp; Hove" in content
    assert "Online coding" in content


def test_a_known_postcode_filters_by_place_and_says_where(client, city, organisation):
    AreaFactory(city=city, code="BN2", name="Kemptown", latitude="50.82", longitude="-0.11")
    opportunity_with_sessions(
        organisation=organisation, title="Near", latitude="50.82100", longitude="-0.11100"
    )
    opportunity_with_sessions(
        organisation=organisation, title="Far", latitude="50.90000", longitude="-0.40000"
    )
    content = client.get(list_url(city, "near=BN2+4GL")).content.decode()
    assert "near BN2 (Kemptown)" in content
    assert ">Near<" in content
    assert ">Far<" not in content
    assert "km away" in content


def test_pagination_links_keep_the_query(client, city, organisation):
    for n in range(23):
        opportunity_with_sessions(organisation=organisation, title=f"Session {n}")
    content = client.get(list_url(city, "q=session")).content.decode()
    assert 'href="?q=session&amp;page=2"' in content
    second = client.get(list_url(city, "q=session&page=2")).content.decode()
    assert 'href="?q=session"' in second
    assert "Page 2 of 2" in second


def test_a_learners_own_age_applies_with_a_way_out(client, city, organisation):
    profile = LearnerProfileFactory(city=city, age=15)
    opportunity_with_sessions(organisation=organisation, title="For teens", min_age=13, max_age=17)
    opportunity_with_sessions(organisation=organisation, title="For adults", min_age=18, max_age=99)
    client.force_login(profile.user)
    content = client.get(list_url(city)).content.decode()
    assert "For teens" in content
    assert "For adults" not in content
    assert "Show everything, not just for my age" in content
    content = client.get(list_url(city, "all_ages=1")).content.decode()
    assert "For adults" in content


def test_the_map_gets_markers_for_results_with_a_place(client, city, organisation):
    opportunity_with_sessions(
        organisation=organisation, title="Placed <b>", latitude="50.82", longitude="-0.11"
    )
    opportunity_with_sessions(organisation=organisation, title="Online", delivery=Delivery.ONLINE)
    content = client.get(list_url(city)).content.decode()
    data = re.search(
        r'<script id="opportunity-map-markers" type="application/json">(.*?)</script>', content
    ).group(1)
    markers = json.loads(data)
    assert [marker["title"] for marker in markers] == ["Placed <b>"]
    assert 'aria-hidden="true"' in content
    assert 'data-tile-url=""' in content  # the tests never fetch tiles
    assert "vendor/leaflet/leaflet.js" in content


def test_no_map_when_nothing_has_a_place(client, city, organisation):
    opportunity_with_sessions(organisation=organisation, title="Online", delivery=Delivery.ONLINE)
    content = client.get(list_url(city)).content.decode()
    assert "opportunity-map-markers" not in content
    assert "leaflet.js" not in content


def test_the_list_refuses_post(client, city):
    assert client.post(list_url(city)).status_code == 405


def test_the_main_nav_links_to_the_opportunities_on_city_pages(client, city):
    content = client.get(reverse("city-home", kwargs={"city_slug": city.slug})).content.decode()
    assert f'href="{list_url(city)}"' in content
    assert 'role="search"' in content


# --- The public page ------------------------------------------------------------------------------


def test_a_published_opportunity_has_a_public_page(client, city, organisation):
    partner = OrganisationFactory(city=city, name="Brighton Library")
    opportunity = opportunity_with_sessions(
        organisation=organisation,
        title="Film making",
        description="Make a film.<script>alert(1)</script> **Bold**",
        bursary_info="Ask about free places.",
        step_free=True,
        price="4.00",
        latitude="50.82",
        longitude="-0.11",
        starts=[soon(3), soon(10)],
    )
    opportunity.partners.add(partner)
    badge = BadgeClassFactory(
        organisation=organisation, name="Film maker", status=BadgeStatus.PUBLISHED
    )
    draft_badge = BadgeClassFactory(organisation=organisation, name="Secret badge")
    opportunity.badge_classes.add(badge, draft_badge)
    response = client.get(detail_url(opportunity))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<h1 id="page-title">Film making</h1>' in content
    assert "<strong>Bold</strong>" in content
    assert "<script>alert" not in content
    assert "Ask about free places." in content
    assert "Step-free access" in content
    assert "£4.00" in content
    assert "Brighton Library" in content
    assert badge.get_absolute_url() in content
    assert "Secret badge" not in content
    assert 'property="og:title" content="Film making"' in content
    assert detail_url(opportunity, "opportunity-calendar") in content
    assert "all 2 dates" in content
    assert response.context["sessions"] == list(opportunity.sessions.order_by("starts_at"))


def test_the_page_lists_only_upcoming_sessions_that_are_not_cancelled(client, city, organisation):
    opportunity = opportunity_with_sessions(organisation=organisation, starts=[soon(-3), soon(3)])
    SessionFactory(
        opportunity=opportunity, starts_at=soon(5), ends_at=soon(5, 20), is_cancelled=True
    )
    response = client.get(detail_url(opportunity))
    assert [s.starts_at for s in response.context["sessions"]] == [soon(3)]


@pytest.mark.parametrize(
    "status", [OpportunityStatus.DRAFT, OpportunityStatus.SUBMITTED, OpportunityStatus.ARCHIVED]
)
def test_an_unpublished_opportunity_is_404(client, organisation, status):
    opportunity = opportunity_with_sessions(organisation=organisation, status=status)
    assert client.get(detail_url(opportunity)).status_code == 404
    assert client.get(detail_url(opportunity, "opportunity-calendar")).status_code == 404


def test_a_suspended_organisations_opportunity_is_404(client, organisation):
    opportunity = opportunity_with_sessions(organisation=organisation)
    Organisation.objects.filter(pk=organisation.pk).update(status=Organisation.Status.SUSPENDED)
    assert client.get(detail_url(opportunity)).status_code == 404


def test_another_citys_opportunity_is_404_under_this_city(client, city):
    elsewhere = opportunity_with_sessions(organisation=OrganisationFactory())
    url = reverse(
        "opportunity-detail", kwargs={"city_slug": city.slug, "public_id": elsewhere.public_id}
    )
    assert client.get(url).status_code == 404
    url = reverse(
        "opportunity-calendar", kwargs={"city_slug": city.slug, "public_id": elsewhere.public_id}
    )
    assert client.get(url).status_code == 404


def test_an_unknown_opportunity_is_404(client, city):
    url = reverse("opportunity-detail", kwargs={"city_slug": city.slug, "public_id": "nope"})
    assert client.get(url).status_code == 404


def test_the_page_is_public_for_a_signed_in_learner_too(client, city, organisation):
    opportunity = opportunity_with_sessions(organisation=organisation)
    client.force_login(LearnerProfileFactory(city=city).user)
    assert client.get(detail_url(opportunity)).status_code == 200


# --- The calendar file ----------------------------------------------------------------------------


def test_the_calendar_has_every_upcoming_session_in_utc(client, organisation):
    opportunity = opportunity_with_sessions(
        organisation=organisation, title="Weekly club", starts=[soon(-7), soon(3), soon(10)]
    )
    SessionFactory(
        opportunity=opportunity, starts_at=soon(5), ends_at=soon(5, 20), is_cancelled=True
    )
    response = client.get(detail_url(opportunity, "opportunity-calendar"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    calendar = Calendar.from_ical(response.content)
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    starts = [event.decoded("dtstart") for event in events]
    assert starts == [soon(3), soon(10)]
    assert all(start.utcoffset() == datetime.timedelta(0) for start in starts)
    assert str(events[0]["summary"]) == "Weekly club"
    assert b"DTSTART:" in response.content and b"Z\r\n" in response.content


# --- The map's tiles and the Content-Security-Policy ----------------------------------------------


def test_the_tile_origin_is_added_to_img_src_only():
    policy = content_security_policy("https://tile.openstreetmap.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://tile.openstreetmap.org;" in policy
    assert "script-src 'self';" in policy


def test_a_subdomain_placeholder_becomes_a_wildcard():
    assert (
        map_tile_origin("https://{s}.tiles.example.org/{z}/{x}/{y}.png")
        == "https://*.tiles.example.org"
    )


def test_no_tile_url_leaves_the_policy_alone():
    assert "img-src 'self' data:;" in content_security_policy("")
    assert map_tile_origin("javascript:alert(1)") == ""


def test_the_pages_send_the_policy_with_the_tile_host(client, city, settings):
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    response = client.get(list_url(city))
    assert "img-src 'self' data: https://tiles.example.org;" in response["Content-Security-Policy"]
