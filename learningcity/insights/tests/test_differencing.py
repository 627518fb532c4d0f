"""Issue 7: "A test tries to recover suppressed cells from every export and view by differencing,
and fails if it can."

A city with real events (``busy_city``) is refreshed for real; then a city admin and an
organisation's staff crawl their dashboards as a reader would (``crawl``: every link, every
option of every control, every CSV), every number shown is mapped back to the figure it is,
checked against the published ``Figure`` rows and the true counts, and everything each reader
collected is handed to the independent attacker (``insights.attack``).
"""

from __future__ import annotations

import datetime
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import resolve, reverse

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges.models import BadgeClass, BadgeStatus, Level
from learningcity.badges.services import AwardIssueCache, award_issue
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.models import Area, City
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory, CityFactory
from learningcity.insights import attack, selectors, suppression, urls_city, urls_organisation
from learningcity.insights.catalogue import DIMENSIONS, FUNNEL_STEPS, METRICS, plan
from learningcity.insights.linked import FEWER, SHOWN, WITHHELD
from learningcity.insights.models import Figure, Refresh
from learningcity.insights.periods import parse
from learningcity.insights.refresh import city_periods, figures_raw, funnel_raw, insights_refresh
from learningcity.opportunities.models import BookingStatus, Delivery, OpportunityType
from learningcity.opportunities.tests.factories import (
    BookingFactory,
    OpportunityFactory,
    SessionFactory,
    TopicFactory,
)
from learningcity.organisations.models import Organisation
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory
from learningcity.pathways.models import PathwayStatus
from learningcity.pathways.tests.factories import EnrolmentFactory, PathwayFactory

from .crawl import Crawl, Page, crawl

pytestmark = pytest.mark.django_db

THRESHOLD = 5
AS_OF = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC)
FIRST_DAY = datetime.datetime(2026, 4, 1, 10, 0, tzinfo=datetime.UTC)


@dataclass
class BusyCity:
    city: City
    organisation: Organisation  # the one whose staff crawl its dashboard
    admin: Any
    staff: Any
    refresh: Refresh


def _day(rng: random.Random, after: datetime.datetime) -> datetime.datetime:
    """A moment between ``after`` and a day before "as of"."""
    span = (AS_OF - datetime.timedelta(days=1) - after).days
    return after + datetime.timedelta(days=rng.randint(0, max(span, 0)), hours=rng.randint(0, 8))


def busy_city() -> BusyCity:
    """Forty learners in four areas and five age bands (some with no home area), badges of three
    organisations of two types on two topics, sessions with bookings and check-ins, a pathway —
    April to June 2026, drawn from a seeded generator: enough for many shown counts, and small
    enough that many cells are "fewer than 5" and some are withheld to protect them."""
    rng = random.Random(7)
    city = CityFactory(slug="diffton", name="Diffton", timezone="Europe/London")
    areas = [
        AreaFactory(city=city, name="Ashby", imd_decile=1, young_population=3000),
        AreaFactory(city=city, name="Brook", imd_decile=3, young_population=2500),
        AreaFactory(city=city, name="Cliff", imd_decile=7, young_population=2000),
        AreaFactory(city=city, name="Dene", imd_decile=10, young_population=1500),
    ]
    school_a = OrganisationFactory(city=city, name="Ashby School", type=Organisation.Type.SCHOOL)
    school_b = OrganisationFactory(city=city, name="Brook Academy", type=Organisation.Type.SCHOOL)
    youth = OrganisationFactory(city=city, name="Dene Youth", type=Organisation.Type.YOUTH_GROUP)
    coding, art = (TopicFactory(city=city, name=n) for n in ("Coding", "Art"))

    births = [
        datetime.date(2015, 3, 1),  # under 13
        datetime.date(2011, 9, 1),  # 13 to 15
        datetime.date(2009, 11, 1),  # 16 to 17
        datetime.date(2004, 5, 1),  # 18 to 25
        datetime.date(1990, 1, 1),  # 26 and over
    ]
    homes = [areas[0]] * 14 + [areas[1]] * 12 + [areas[2]] * 7 + [areas[3]] * 3 + [None] * 4
    learners = []
    for n, area in enumerate(homes):
        user = UserFactory(email=f"l{n}@diffton.example.org")
        joined = FIRST_DAY + datetime.timedelta(days=int(n * 1.8))
        LearnerProfileFactory(
            user=user,
            city=city,
            date_of_birth=births[rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4])],
            area=area,
            created_at=joined,
        )
        learners.append((user, joined))

    def badge(organisation: Organisation, level: str, skills: list[str]) -> BadgeClass:
        return BadgeClassFactory(
            organisation=organisation,
            status=BadgeStatus.PUBLISHED,
            level=level,
            skills=[{"name": s} for s in skills],
        )

    badges = {
        "a1": badge(school_a, Level.PARTICIPATE, ["Teamwork", "Listening"]),
        "a2": badge(school_a, Level.LEAD, ["Creativity"]),
        "b1": badge(school_b, "", ["Teamwork"]),
        "y1": badge(youth, Level.PARTICIPATE, ["Creativity"]),
        "y2": badge(youth, "", []),  # awarded by no opportunity: topic "none"
    }
    odds = {"a1": 0.6, "a2": 0.25, "b1": 0.45, "y1": 0.35, "y2": 0.15}

    places = {
        "a": OpportunityFactory(
            organisation=school_a, type=OpportunityType.WORKSHOP, area=areas[0]
        ),
        "b": OpportunityFactory(organisation=school_b, type=OpportunityType.COURSE, area=areas[1]),
        "y": OpportunityFactory(
            organisation=youth, type=OpportunityType.CLUB, delivery=Delivery.ONLINE, area=None
        ),
    }
    for key, topic, awarded in (("a", coding, "a1 a2"), ("b", art, "b1"), ("y", art, "y1")):
        places[key].topics.set([topic])
        places[key].badge_classes.set([badges[b] for b in awarded.split()])
    sessions = []
    for key, opportunity in places.items():
        for month in (4, 5, 6):
            for day in (5, 19) if key == "a" else (12,):
                start = datetime.datetime(2026, month, day, 16, 0, tzinfo=datetime.UTC)
                sessions.append(
                    SessionFactory(
                        opportunity=opportunity,
                        starts_at=start,
                        ends_at=start + datetime.timedelta(hours=2),
                    )
                )

    awards = [
        (badges[key], user.email, _day(rng, joined))
        for user, joined in learners
        for key in badges
        if rng.random() < odds[key]
    ]
    cache = AwardIssueCache()
    with transaction.atomic(), cache.batch(awards=[(b, email) for b, email, _ in awards]):
        for badge_class, email, when in awards:
            award_issue(
                badge_class=badge_class,
                recipient_email=email,
                issued_by=None,
                issued_at=when,
                notify=False,
                cache=cache,
            )

    for user, joined in learners:
        for session in rng.sample(sessions, rng.choice([0, 0, 1, 1, 2, 3])):
            booked = session.starts_at - datetime.timedelta(days=rng.randint(1, 10))
            BookingFactory(
                session=session,
                learner=user,
                status=BookingStatus.BOOKED,
                created_at=max(booked, joined),
                checked_in_at=session.starts_at if rng.random() < 0.6 else None,
            )

    pathway = PathwayFactory(organisation=school_a, status=PathwayStatus.PUBLISHED)
    for user, joined in learners:
        if rng.random() < 0.4:
            start = _day(rng, joined)
            done = start + datetime.timedelta(days=rng.randint(5, 40))
            EnrolmentFactory(
                pathway=pathway,
                learner=user,
                joined_at=start,
                completed_at=done if done < AS_OF and rng.random() < 0.5 else None,
            )

    admin = CityAdminFactory(city=city).user
    staff = MembershipFactory(organisation=school_a).user
    refresh = insights_refresh(city=city, as_of=AS_OF)
    return BusyCity(city=city, organisation=school_a, admin=admin, staff=staff, refresh=refresh)


LIMIT = 12_000


def _sampler(city: City) -> Callable[[str], str | None]:
    """The crawl's bound (``crawl.crawl``'s ``sample``): one PDF report per reader (it prints
    the export tables the CSVs give), and one page for each organisation type that no
    organisation of the city has (every figure under it is a true zero, which the reader
    learns from that one page as the attacker assumes of every figure not shown)."""
    present = set(Organisation.objects.filter(city=city).values_list("type", flat=True))
    empty = {f"organisation_type:{t}" for t in Organisation.Type.values if t not in present}

    def sample(address: str) -> str | None:
        parts = urlsplit(address)
        if parts.path.endswith(".pdf"):
            return "pdf"
        chosen = dict(parse_qsl(parts.query)).get("filter", "")
        return chosen if chosen in empty else None

    return sample


@dataclass
class Readers:
    town: BusyCity
    city: Crawl
    organisation: Crawl


@pytest.fixture(scope="module")
def readers(django_db_setup: None, django_db_blocker: Any) -> Iterator[Readers]:
    """The city, refreshed, and both readers' crawls — built once for the module and rolled
    back after."""
    with (
        override_settings(INSIGHTS_SUPPRESSION_THRESHOLD=THRESHOLD),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        town = busy_city()
        sample = _sampler(town.city)
        client = Client()
        client.force_login(town.admin)
        city_start = reverse("insights-city-overview", kwargs={"city_slug": town.city.slug})
        city_crawl = crawl(client, start=city_start, prefix=city_start, limit=LIMIT, sample=sample)
        client = Client()
        client.force_login(town.staff)
        org_start = reverse(
            "insights-organisation-overview",
            kwargs={"city_slug": town.city.slug, "org_slug": town.organisation.slug},
        )
        org_crawl = crawl(client, start=org_start, prefix=org_start, limit=LIMIT, sample=sample)
        yield Readers(town=town, city=city_crawl, organisation=org_crawl)
        transaction.set_rollback(True)


# --- What a reader saw, as figures --------------------------------------------------------------

Key = tuple[int | None, str, str, str, str, str, str]
Seen = tuple[str, int | None]  # (status, count): what one cell said


@dataclass
class Observation:
    key: Key
    seen: Seen
    where: str


class Mapper:
    """Turns every table of every crawled page back into figures, using the page's choices (the
    GET form's selected values, else the query string) and the row and column labels."""

    def __init__(self, town: BusyCity, scope: int | None) -> None:
        self.scope = scope
        self.fewer = f"fewer than {THRESHOLD}"
        self.metrics = {m.label: m.key for m in METRICS.values()}
        self.periods = {
            p.label: p.key for p in city_periods(city=town.city, as_of=town.refresh.as_of)
        }
        self.areas = {a.name: str(a.pk) for a in Area.objects.filter(city=town.city)}
        self.dimension_labels = {d.label: d.key for d in DIMENSIONS.values()}
        self.city = town.city
        self.observations: list[Observation] = []
        self.unmapped: list[str] = []
        self.derived_problems: list[str] = []

    # Cells ---------------------------------------------------------------------------------

    def cell(self, text: str) -> Seen | None:
        text = text.strip().removesuffix("%")
        if text == self.fewer:
            return (FEWER, None)
        if text == WITHHELD:
            return (WITHHELD, None)
        if re.fullmatch(r"\d{1,3}(?:,\d{3})*|\d+", text):
            return (SHOWN, int(text.replace(",", "")))
        return None

    def see(self, key: Key, text: str, where: str) -> Seen | None:
        seen = self.cell(text)
        if seen is None:
            self.unmapped.append(f"{where}: {key} shows {text!r}")
            return None
        self.observations.append(Observation(key, seen, where))
        return seen

    def key(self, period: str, metric: str, filter_key: str, dimension: str, value: str) -> Key:
        kind, _, filter_value = filter_key.partition(":")
        return (self.scope, period, metric, kind, filter_value, dimension, value)

    def category(self, dimension: str, label: str) -> str:
        labels = {
            label: value
            for value, label in selectors.category_labels(city=self.city, dimension=dimension) or []
        }
        labels.update({"Online": "online", "None": "none", "Unknown": "unknown"})
        if label in labels:
            return labels[label]
        return label.removesuffix(" (no longer listed)")

    @staticmethod
    def decile(label: str) -> str:
        return "unknown" if label.lower().startswith("unknown") else label.split()[0]

    def share(self, shown: str, part: Seen | None, whole: Seen | None, where: str) -> None:
        """A percentage must be "withheld" unless both counts behind it are shown, and then be
        their exact ratio."""
        shown = shown.strip().removesuffix("%")
        if part is None or whole is None:
            return
        if part[0] != SHOWN or whole[0] != SHOWN:
            if shown != WITHHELD:
                self.derived_problems.append(f"{where}: share {shown!r} from {part} / {whole}")
            return
        expected = suppression.ratio_display(part[1] or 0, whole[1] or 0, scale=100, places=1)
        if shown != expected:
            self.derived_problems.append(f"{where}: share {shown!r}, expected {expected!r}")

    # Pages ---------------------------------------------------------------------------------

    def page(self, page: Page) -> None:
        choices = {**page.params, **page.choices}
        period, filter_key = choices.get("period", ""), choices.get("filter", "")
        if "filter" not in page.choices and not page.is_csv:
            filter_key = ""  # a page without the filter control (progression) is unfiltered
        if page.is_csv:
            self.table(page, page.csv_rows[0], page.csv_rows[1:], period, filter_key, choices)
            return
        for table in page.tables:
            self.table(page, table.headers, table.rows, period, filter_key, choices)
        for card in page.cards:
            label, value = card[0], card[1]
            if label in self.metrics and value != selectors.NOT_AVAILABLE:
                key = self.key(period, self.metrics[label], filter_key, "total", "")
                self.see(key, value, page.url + " (card)")

    def table(
        self,
        page: Page,
        header: list[str],
        rows: list[list[str]],
        period: str,
        filter_key: str,
        choices: dict[str, str],
    ) -> None:
        where = page.url
        first = header[0].lower() if header else ""
        if first == "figure":
            for row in rows:
                if row[1] == selectors.NOT_AVAILABLE:
                    continue
                metric = self.metrics[row[0]]
                this = self.see(self.key(period, metric, filter_key, "total", ""), row[1], where)
                if page.is_csv:
                    before_label, before_text, change = row[2], row[3], row[4]
                elif len(row) > 3:  # the page drops these columns when nothing is compared
                    (before_label, before_text), change = self._before(row[2]), row[3]
                else:
                    before_label, before_text, change = "", "", ""
                before = None
                if before_label:
                    before_key = self.key(
                        self.periods[before_label], metric, filter_key, "total", ""
                    )
                    before = self.see(before_key, before_text, where)
                self._change(change, this, before, where, csv=page.is_csv)
        elif first == "period":
            metric = self.metrics[header[1]]
            for label, value in rows:
                key = self.key(self.periods[label], metric, filter_key, "total", "")
                self.see(key, value, where)
        elif first in ("step", "between"):
            days = first == "between"
            for label, value in rows:
                if label.lower() == "time between steps":
                    days = True
                    continue
                metric = self.metrics[label]
                key = (self.scope, period, metric, "", "", "total", "")
                if days:
                    match = re.fullmatch(r"(\d+) days?", value)
                    seen: Seen = (SHOWN, int(match.group(1))) if match else (FEWER, None)
                    self.observations.append(Observation(key, seen, where))
                else:
                    self.see(key, value, where)
        elif first in ("decile", "home area deprivation decile"):
            self._equity(header, rows, period, filter_key, where)
        elif first == "rank":
            offered = 4 if page.is_csv else 3  # the CSV has the area's code as well
            for row in rows:
                area = self.areas[row[1]]
                key = self.key(period, selectors.DESERT_METRIC, filter_key, "venue_area", area)
                self.see(key, row[offered], where)
        elif header and header[0] in self.dimension_labels and len(header) == 2:
            metric, dimension = self.metrics[header[1]], self.dimension_labels[header[0]]
            assert choices.get("metric", metric) == metric, where
            for label, value in rows:
                category = "" if label == "Total" else self.category(dimension, label)
                key = self.key(
                    period, metric, filter_key, "total" if label == "Total" else dimension, category
                )
                self.see(key, value, where)
        else:
            self.unmapped.append(f"{where}: a table the test cannot read: {header}")

    def _before(self, text: str) -> tuple[str, str]:
        match = re.fullmatch(r"(.*) \((.*)\)", text)
        return (match.group(2), match.group(1)) if match else ("", "")

    def _change(
        self, change: str, this: Seen | None, before: Seen | None, where: str, *, csv: bool
    ) -> None:
        """A change is shown only when both counts are, and is their difference."""
        if this is None or before is None or this[0] != SHOWN or before[0] != SHOWN:
            if change.strip():
                self.derived_problems.append(f"{where}: change {change!r} from {this}, {before}")
            return
        difference = (this[1] or 0) - (before[1] or 0)
        words = {0: "no change"}.get(difference) or (
            f"+{difference}" if difference > 0 else f"−{-difference}"
        )
        if change.strip() not in ({str(difference), words} if csv else {words}):
            self.derived_problems.append(f"{where}: change {change!r}, expected {difference}")

    def _equity(
        self, header: list[str], rows: list[list[str]], period: str, filter_key: str, where: str
    ) -> None:
        metrics = [self.metrics[h] for h in header[1:] if h in self.metrics]
        body, total_row = rows[:-1], rows[-1]
        totals: dict[str, Seen | None] = {}
        for i, metric in enumerate(metrics):
            key = self.key(period, metric, filter_key, "total", "")
            totals[metric] = self.see(key, total_row[1 + 2 * i], where)
        for row in body:
            decile = self.decile(row[0])
            learners: Seen | None = None
            for i, metric in enumerate(metrics):
                key = self.key(period, metric, filter_key, "home_decile", decile)
                seen = self.see(key, row[1 + 2 * i], where)
                self.share(row[2 + 2 * i], seen, totals[metric], f"{where} {row[0]}")
                if metric == "learners_reached":
                    learners = seen
            ratio = row[-1].strip()
            total = totals.get("learners_reached")
            hidden = any(s is not None and s[0] != SHOWN for s in (learners, total))
            if hidden and ratio not in (WITHHELD, ""):  # "": no population figure
                self.derived_problems.append(f"{where} {row[0]}: reach ratio {ratio!r} shown")


def observations_of(town: BusyCity, crawled: Crawl, scope: int | None) -> Mapper:
    mapper = Mapper(town, scope)
    for page in crawled.pages.values():
        if page.is_html or page.is_csv:
            mapper.page(page)
    return mapper


def published_of(town: BusyCity, scope: int | None) -> dict[Key, Seen]:
    """The refresh's ``Figure`` rows of the scope, by key."""
    fields = ("period", "metric", "filter_kind", "filter_value", "dimension", "value")
    rows = Figure.objects.filter(refresh=town.refresh, organisation_id=scope)
    return {
        (scope, *(getattr(f, name) for name in fields)): (f.status, f.count)  # type: ignore[misc]
        for f in rows
    }


def truth_of(town: BusyCity, scope: int | None) -> dict[Key, int]:
    """The true counts, from the facts, for the scope: what suppression must not give away."""
    period_list = city_periods(city=town.city, as_of=town.refresh.as_of)
    raw: dict[Key, int] = {}
    for metric in METRICS.values():
        if metric.unit != "count" or metric.key in FUNNEL_STEPS:
            continue
        raw.update(
            figures_raw(
                city=town.city,
                metric=metric,
                periods=period_list,
                organisation_ids=None if scope is None else [scope],
            )
        )
    if scope is None:
        counts, _ = funnel_raw(city=town.city, periods=period_list, threshold=THRESHOLD)
        for each in counts.values():
            raw.update(each)
    return raw


# --- The tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seen(readers: Readers) -> dict[str, tuple[Mapper, dict[Key, Seen], dict[Key, int]]]:
    """Per reader: what was mapped from the crawl, what the refresh published, the truth."""
    town = readers.town
    result = {}
    with override_settings(INSIGHTS_SUPPRESSION_THRESHOLD=THRESHOLD):
        for name, crawled, scope in (
            ("city", readers.city, None),
            ("organisation", readers.organisation, town.organisation.pk),
        ):
            result[name] = (
                observations_of(town, crawled, scope),
                published_of(town, scope),
                truth_of(town, scope),
            )
    return result


def _page_names(crawled: Crawl) -> set[str]:
    addresses = set(crawled.pages) | set(crawled.sampled)
    return {resolve(a.split("?")[0]).url_name or "" for a in addresses}


def test_the_crawl_reaches_every_dashboard_page_and_every_control(readers: Readers) -> None:
    city_names = {p.name for p in urls_city.urlpatterns}
    organisation_names = {p.name for p in urls_organisation.urlpatterns}
    assert _page_names(readers.city) == city_names
    assert _page_names(readers.organisation) == organisation_names
    for crawled in (readers.city, readers.organisation):
        # Every option of every control was chosen on some page fetched.
        offered: dict[str, set[str]] = defaultdict(set)
        chosen: dict[str, set[str]] = defaultdict(set)
        for page in crawled.pages.values():
            for name, values in page.options.items():
                offered[name].update(values)
            for name, value in page.choices.items():
                chosen[name].add(value)
        for name, values in offered.items():
            missing = values - chosen[name]
            sampled = {dict(parse_qsl(a.partition("?")[2])).get(name, "") for a in crawled.sampled}
            assert missing <= sampled, (name, missing)
        assert crawled.of_kind("text/csv") and crawled.of_kind("application/pdf")
    print(
        f"\ncity: {len(readers.city.pages)} fetched, {len(readers.city.sampled)} sampled, "
        f"{readers.city.seconds:.1f} s; organisation: {len(readers.organisation.pages)} fetched, "
        f"{readers.organisation.seconds:.1f} s"
    )


def test_suppression_happens_in_what_readers_see(seen) -> None:
    mapper, published, _ = seen["city"]
    statuses = {o.seen[0] for o in mapper.observations}
    assert statuses == {SHOWN, FEWER, WITHHELD}
    assert {s for s, _ in published.values()} == {SHOWN, FEWER, WITHHELD}
    assert {o.seen[0] for o in seen["organisation"][0].observations} >= {SHOWN, FEWER}


@pytest.mark.parametrize("reader", ["city", "organisation"])
def test_every_number_shown_is_the_published_figure_and_true(seen, reader: str) -> None:
    mapper, published, truth = seen[reader]
    assert mapper.unmapped == []
    assert mapper.derived_problems == []
    wrong, untrue = [], []
    for o in mapper.observations:
        expected = published.get(o.key, (SHOWN, 0))
        if o.seen != expected:
            wrong.append((o.where, o.key, o.seen, expected))
        if o.key[2] not in METRICS or METRICS[o.key[2]].unit != "count":
            continue
        actual = truth.get(o.key, 0)
        status, count = o.seen
        if (status == SHOWN and count != actual) or (
            status == FEWER and not 1 <= actual < THRESHOLD
        ):
            untrue.append((o.where, o.key, o.seen, actual))
    assert wrong == []
    assert untrue == []
    distinct = {o.key for o in mapper.observations}
    hidden_from_reader = set(published) - distinct
    never = {k for k in hidden_from_reader if k[5] != "total" or k[2] in FUNNEL_STEPS}
    print(
        f"\n{reader}: {len(mapper.observations)} numbers read, {len(distinct)} figures; "
        f"{len(hidden_from_reader)} of {len(published)} published figures never shown "
        f"({len(never)} of them breakdowns or funnel)"
    )


def _collected(mapper: Mapper) -> dict[tuple[int | None, str], dict[Key, Seen]]:
    """What the reader knows, by scope and metric (the days between steps are medians, not
    counts: no relation holds between them)."""
    by_metric: dict[tuple[int | None, str], dict[Key, Seen]] = defaultdict(dict)
    for o in mapper.observations:
        if METRICS[o.key[2]].unit == "count":
            by_metric[(o.key[0], o.key[2])][o.key] = o.seen
    return by_metric


def _r12(town: BusyCity) -> list[str]:
    rolling = parse("r12", as_of=town.refresh.as_of.date())
    assert rolling is not None
    return list(rolling.months())


def _recovered(
    known: dict[Key, Seen], truth: dict[Key, int], metric: str, r12: list[str]
) -> list[tuple[Key, int]]:
    """Small cells (true count 1 … threshold − 1) the attacker pins to one value."""
    scope = next(iter(known))[0]
    bounds = attack.recover(
        known,
        metric=METRICS[metric],
        threshold=THRESHOLD,
        r12_months=r12,
        breakdown_kinds=plan(city=scope is None).breakdown_kinds,
    )
    return [
        (key, truth.get(key, 0))
        for key, (low, high) in bounds.items()
        if high is not None and low == high and 1 <= truth.get(key, 0) < THRESHOLD
    ]


@pytest.mark.parametrize("reader", ["city", "organisation"])
def test_no_small_cell_can_be_recovered_by_differencing(readers, seen, reader: str) -> None:
    mapper, _, truth = seen[reader]
    r12 = _r12(readers.town)
    recovered = []
    for (_, metric), known in _collected(mapper).items():
        recovered += _recovered(known, truth, metric, r12)
    assert recovered == []


def test_the_attack_would_catch_one_withheld_cell_shown(readers, seen) -> None:
    """The same attack on a weakened publication: one withheld cell shown with its true count
    gives a small cell away — so a leak in the pages would not go unnoticed."""
    mapper, _, truth = seen["city"]
    r12 = _r12(readers.town)
    for (_, metric), known in _collected(mapper).items():
        for key, (status, _) in known.items():
            if status != WITHHELD:
                continue
            weakened = {**known, key: (SHOWN, truth.get(key, 0))}
            if _recovered(weakened, truth, metric, r12):
                return
    pytest.fail("No withheld cell, shown, lets the attacker recover a small cell.")
