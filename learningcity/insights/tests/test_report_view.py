"""The PDF report download: what it says comes from the same published figures as the pages,
suppressed figures only as their words, and only those who may see the pages may download it."""

from __future__ import annotations

import re
import zlib

import pytest
from django.urls import reverse

from learningcity.accounts.tests.factories import LearnerProfileFactory
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.insights import periods
from learningcity.insights.refresh import insights_refresh
from learningcity.opportunities.tests.factories import TopicFactory
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from . import test_report_pdf
from .dashboard_factories import AS_OF, FEWER, WITHHELD, fig, make_refresh
from .factories import small_city

pytestmark = pytest.mark.django_db

Q4 = "q2026-4"


@pytest.fixture
def city():
    return CityFactory(slug="brightsea", name="Brightsea")


def city_report_url(city, **query: str) -> str:
    url = reverse("insights-city-report", kwargs={"city_slug": city.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def org_report_url(organisation, **query: str) -> str:
    url = reverse(
        "insights-organisation-report",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


_OBJ_START = re.compile(rb"(\d+) 0 obj")
_STREAM_START = re.compile(rb"stream\r?\n")


def _objects(body: bytes) -> dict[int, tuple[bytes, bytes]]:
    """test_report_pdf's object reader, but slicing each stream by its ``/Length``: a compressed
    stream may hold the bytes "endobj" or "endstream", which ends the regex's match early."""
    objects = {}
    position = 0
    while match := _OBJ_START.search(body, position):
        start = match.end()
        end = body.index(b"endobj", start)
        stream = _STREAM_START.search(body, start, end)
        dictionary = body[start : stream.start() if stream else end]
        length = re.search(rb"/Length (\d+)", dictionary)
        data = b""
        if stream and length:
            data = body[stream.end() : stream.end() + int(length.group(1))]
            end = body.index(b"endobj", stream.end() + int(length.group(1)))
            if b"/FlateDecode" in dictionary:
                data = zlib.decompress(data)
        objects[int(match.group(1))] = (dictionary, data)
        position = end + len(b"endobj")
    return objects


def pdf_text(response, monkeypatch) -> str:
    monkeypatch.setattr(test_report_pdf, "_objects", _objects)
    pages = test_report_pdf.pdf_pages(response.content)
    return re.sub(r"\s+", " ", "\n".join(text for text, _ in pages))


def test_city_report_is_a_pdf_attachment_named_for_city_and_period(client, city):
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 37)
    client.force_login(CityAdminFactory(city=city).user)

    response = client.get(city_report_url(city, period=Q4))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="insights-brightsea-report-q2026-4.pdf"' in disposition


def test_report_prints_the_pages_figures_and_suppressed_ones_as_words(client, city, monkeypatch):
    refresh = make_refresh(city)
    north = AreaFactory(city=city, name="Northgate", imd_decile=2)
    south = AreaFactory(city=city, name="Southmere", imd_decile=9)
    fig(refresh, "awards", Q4, 4321)
    fig(refresh, "awards", "q2026-3", 4300)
    fig(refresh, "learners_reached", Q4, FEWER)
    fig(refresh, "awards", Q4, 4317, dimension="home_area", value=str(north.pk))
    fig(refresh, "awards", Q4, FEWER, dimension="home_area", value=str(south.pk))
    fig(refresh, "awards", Q4, WITHHELD, dimension="age_band", value="16_17")
    client.force_login(CityAdminFactory(city=city).user)

    response = client.get(city_report_url(city, period=Q4))

    text = pdf_text(response, monkeypatch)
    assert "Brightsea" in text and periods.parse(Q4, as_of=AS_OF.date()).label in text
    # Headline: the awarded count, the one before and the change (+21), as the overview shows.
    assert "4321" in text and "4300" in text and "+21" in text
    # Breakdown by home area: the shown row, the suppressed row as its words, never 4.
    assert "Northgate" in text and "4317" in text
    assert "Southmere" in text
    assert "fewer than 10" in text
    assert "withheld" in text
    # Each section is there, and the definitions come from the catalogue.
    for title in (
        "Headline figures",
        "Equity",
        "Opportunity deserts",
        "Badges awarded by home area",
        "Badges awarded by age band",
        "Definitions",
    ):
        assert title in text, title
    assert "Only one filter" in text


def test_report_from_a_real_refresh_shows_small_counts_as_fewer_than_10(client, monkeypatch):
    town = small_city()
    insights_refresh(city=town.city, as_of=town.as_of)
    client.force_login(CityAdminFactory(city=town.city).user)

    response = client.get(city_report_url(town.city, period="q2026-2"))

    assert response.status_code == 200
    text = pdf_text(response, monkeypatch)
    # April to June: 6 award facts, 1 to 9 — shown only as "fewer than 10", never the count.
    assert "fewer than 10" in text
    assert "North" in text and "South" in text
    assert not re.search(r"Badges awarded\s+6\b", text)


def test_report_keeps_the_filter_and_says_which(client, city, monkeypatch):
    topic = TopicFactory(city=city, name="Digital making")
    refresh = make_refresh(city)
    fig(refresh, "awards", Q4, 55, filter_kind="topic", filter_value=str(topic.pk))
    fig(refresh, "awards", Q4, 99)
    client.force_login(CityAdminFactory(city=city).user)

    response = client.get(city_report_url(city, period=Q4, filter=f"topic:{topic.pk}"))

    text = pdf_text(response, monkeypatch)
    assert "Topic: Digital making" in text
    assert "55" in text and "99" not in text
    assert "topic-" in response["Content-Disposition"]


def test_report_is_404_before_the_first_refresh(client, city):
    client.force_login(CityAdminFactory(city=city).user)
    assert client.get(city_report_url(city)).status_code == 404


def test_city_report_refuses_everyone_but_the_citys_admins(client, city):
    fig(make_refresh(city), "awards", Q4, 12)
    target = city_report_url(city, period=Q4)

    anonymous = client.get(target)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]

    client.force_login(LearnerProfileFactory(city=city).user)
    assert client.get(target).status_code == 403

    other = CityFactory(slug="elsewhere")
    client.force_login(CityAdminFactory(city=other).user)
    assert client.get(target).status_code == 403

    staff = MembershipFactory(organisation=OrganisationFactory(city=city)).user
    client.force_login(staff)
    assert client.get(target).status_code == 403


def test_organisation_report_for_its_staff_only_without_city_sections(client, city, monkeypatch):
    organisation = OrganisationFactory(city=city, name="Harbour Youth", slug="harbour")
    other = OrganisationFactory(city=city, slug="other")
    refresh = make_refresh(city)
    fig(refresh, "awards", "y2026", 23, organisation_id=organisation.pk)
    fig(refresh, "awards", "y2026", 500)
    fig(refresh, "awards", "y2026", 23, organisation_id=other.pk)

    client.force_login(MembershipFactory(organisation=organisation).user)
    response = client.get(org_report_url(organisation, period="y2026"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert (
        'filename="insights-brightsea-harbour-report-y2026.pdf"'
        in (response["Content-Disposition"])
    )
    text = pdf_text(response, monkeypatch)
    assert "Harbour Youth" in text and "23" in text and "500" not in text
    assert "Opportunity deserts" not in text and "Progression" not in text

    # Another organisation's staff, and the city's admins, get 404 as on every staff page.
    client.force_login(MembershipFactory(organisation=other).user)
    assert client.get(org_report_url(organisation, period="y2026")).status_code == 404
    client.force_login(CityAdminFactory(city=city).user)
    assert client.get(org_report_url(organisation, period="y2026")).status_code == 404


def test_every_page_links_to_the_report_for_its_period_and_filter(client, city):
    topic = TopicFactory(city=city)
    fig(make_refresh(city), "awards", Q4, 12)
    client.force_login(CityAdminFactory(city=city).user)
    page = reverse("insights-city-equity", kwargs={"city_slug": city.slug})

    body = client.get(page, {"period": Q4, "filter": f"topic:{topic.pk}"}).content.decode()

    expected = city_report_url(city, period=Q4) + f"&amp;filter=topic%3A{topic.pk}"
    assert f'href="{expected}"' in body
