"""The benchmark's world: 33 borough-sized cities and as many opportunities as asked for.

Everything comes from one seeded ``random.Random``, so two runs make the same rows and ask the
same searches. Rows are made with ``bulk_create`` in batches (public ids are made here too:
``secrets``-based ids cost more than the rows), then indexed with
``search.opportunities_reindex_bulk``. Used by ``bench/opportunities.py``.
"""

from __future__ import annotations

import datetime
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

BOROUGHS = (
    ("Barking and Dagenham", 51.546, 0.129),
    ("Barnet", 51.625, -0.152),
    ("Bexley", 51.455, 0.150),
    ("Brent", 51.559, -0.282),
    ("Bromley", 51.402, 0.014),
    ("Camden", 51.529, -0.125),
    ("City of London", 51.515, -0.092),
    ("Croydon", 51.372, -0.099),
    ("Ealing", 51.513, -0.305),
    ("Enfield", 51.652, -0.081),
    ("Greenwich", 51.482, 0.005),
    ("Hackney", 51.545, -0.055),
    ("Hammersmith and Fulham", 51.492, -0.223),
    ("Haringey", 51.590, -0.110),
    ("Harrow", 51.580, -0.334),
    ("Havering", 51.577, 0.213),
    ("Hillingdon", 51.535, -0.448),
    ("Hounslow", 51.468, -0.361),
    ("Islington", 51.538, -0.102),
    ("Kensington and Chelsea", 51.502, -0.194),
    ("Kingston upon Thames", 51.412, -0.300),
    ("Lambeth", 51.457, -0.123),
    ("Lewisham", 51.445, -0.020),
    ("Merton", 51.410, -0.188),
    ("Newham", 51.525, 0.035),
    ("Redbridge", 51.559, 0.074),
    ("Richmond upon Thames", 51.461, -0.303),
    ("Southwark", 51.474, -0.080),
    ("Sutton", 51.361, -0.194),
    ("Tower Hamlets", 51.515, -0.032),
    ("Waltham Forest", 51.588, -0.012),
    ("Wandsworth", 51.457, -0.192),
    ("Westminster", 51.497, -0.137),
)
WARDS_PER_CITY = 20
DISTRICTS_PER_CITY = 15
ORGANISATIONS_PER_CITY = 50
BATCH = 5000

ORGANISATION_KINDS = (
    ("Youth Centre", "youth_group"),
    ("Academy", "school"),
    ("Library", "library"),
    ("College", "fe_college"),
    ("Museum", "museum"),
    ("Trust", "charity"),
    ("Community Garden", "other"),
    ("Council Youth Service", "council_service"),
    ("Studios", "employer"),
)
PLACES = (
    "Riverside", "Northfield", "Kingsway", "Parkside", "St Mark's", "Eastgate", "Hillview",
    "Canal Street", "Victoria", "Old Town", "Greenway", "Market", "Abbey", "Westbrook", "Fairfield",
)  # fmt: skip

SUBJECTS = (
    ("coding", "Digital and tech"),
    ("Python", "Digital and tech"),
    ("robotics", "Digital and tech"),
    ("web design", "Digital and tech"),
    ("game design", "Digital and tech"),
    ("photography", "Arts and culture"),
    ("drama", "Arts and culture"),
    ("painting", "Arts and culture"),
    ("film making", "Arts and culture"),
    ("football", "Sport and wellbeing"),
    ("climbing", "Sport and wellbeing"),
    ("boxing fitness", "Sport and wellbeing"),
    ("yoga", "Health and care"),
    ("first aid", "Health and care"),
    ("marine biology", "Science and nature"),
    ("astronomy", "Science and nature"),
    ("chemistry", "Science and nature"),
    ("tree planting", "Environment"),
    ("beach cleaning", "Environment"),
    ("recycling", "Environment"),
    ("CV writing", "Careers and enterprise"),
    ("interview skills", "Careers and enterprise"),
    ("starting a business", "Careers and enterprise"),
    ("befriending", "Community and volunteering"),
    ("food bank", "Community and volunteering"),
    ("Spanish", "Languages and culture"),
    ("British Sign Language", "Languages and culture"),
    ("guitar", "Music"),
    ("DJ skills", "Music"),
    ("choir", "Music"),
    ("GCSE maths", "Maths and English"),
    ("creative writing", "Maths and English"),
    ("cooking", "Life skills"),
    ("money management", "Life skills"),
    ("bike maintenance", "Life skills"),
)
FORMATS = {
    "workshop": ("workshop", "taster", "masterclass"),
    "course": ("course", "for beginners", "level 1"),
    "event": ("open day", "festival", "showcase"),
    "volunteering": ("volunteers", "volunteering", "helpers wanted"),
    "work_experience": ("work experience", "insight week", "placement"),
    "club": ("club", "night", "group"),
    "online_course": ("online", "online course", "webinar series"),
    "other": ("drop-in", "mentoring", "advice session"),
}
OPENINGS = (
    "Friendly sessions for complete beginners",
    "Learn from people who do it for a living",
    "Make new friends and try something different",
    "Build skills employers look for",
    "Small groups with plenty of one-to-one help",
)
DETAILS = (
    "All equipment is provided. Bring a drink and wear comfortable clothes.",
    "Sessions are led by qualified staff with up-to-date safeguarding training.",
    "You can earn a digital badge to show what you have learned.",
    "Snacks are provided and travel costs can be refunded.",
    "Parents and carers are welcome to stay for the first session.",
)
AGE_RANGES = ((11, 13), (13, 16), (16, 18), (18, 25), (11, 18), (11, 25), (14, 19), (0, 99))
ACCESSIBILITY = ("step_free", "accessible_toilet", "hearing_loop", "bsl", "quiet_space")


@dataclass
class World:
    rng: random.Random
    cities: list[Any] = field(default_factory=list)
    districts: dict[int, list[Any]] = field(default_factory=dict)
    outward_codes: dict[int, list[str]] = field(default_factory=dict)
    organisations: dict[int, list[int]] = field(default_factory=dict)
    topics: dict[int, dict[str, int]] = field(default_factory=dict)
    topic_slugs: dict[int, list[str]] = field(default_factory=dict)
    skills: dict[int, list[int]] = field(default_factory=dict)
    search_words: list[str] = field(default_factory=list)
    now: datetime.datetime = field(default_factory=timezone.now)

    @classmethod
    def make(cls, *, seed: int) -> World:
        from learningcity.badges.skills import skills_builder_ensure
        from learningcity.cities.models import Area, City, PostcodeDistrict
        from learningcity.opportunities.publishing import topics_ensure_defaults
        from learningcity.organisations.models import Organisation

        started = time.perf_counter()
        world = cls(rng=random.Random(seed))
        rng = world.rng
        with transaction.atomic():
            for number, (name, lat, lng) in enumerate(BOROUGHS):
                slug = name.lower().replace(" ", "-")
                city = City.objects.create(name=name, slug=slug, timezone="Europe/London")
                prefix = "".join(word[0] for word in name.split()).upper()[:2]
                areas = [
                    Area(
                        city=city,
                        code=f"E05{number:03d}{ward:03d}",
                        name=f"{PLACES[ward % len(PLACES)]} {ward // len(PLACES) + 1}",
                        kind=Area.Kind.WARD,
                        imd_decile=rng.randint(1, 10),
                        latitude=Decimal(f"{lat + rng.uniform(-0.03, 0.03):.5f}"),
                        longitude=Decimal(f"{lng + rng.uniform(-0.045, 0.045):.5f}"),
                        young_population=rng.randint(1500, 9000),
                    )
                    for ward in range(WARDS_PER_CITY)
                ]
                codes = [f"{prefix}{district + 1}" for district in range(DISTRICTS_PER_CITY)]
                areas += [
                    Area(
                        city=city,
                        code=code,
                        name=f"{code} — {PLACES[index % len(PLACES)]}",
                        kind=Area.Kind.POSTCODE_DISTRICT,
                        imd_decile=rng.randint(1, 10),
                        latitude=Decimal(f"{lat + rng.uniform(-0.03, 0.03):.5f}"),
                        longitude=Decimal(f"{lng + rng.uniform(-0.045, 0.045):.5f}"),
                        young_population=rng.randint(3000, 20000),
                    )
                    for index, code in enumerate(codes)
                ]
                Area.objects.bulk_create(areas)
                districts = [area for area in areas if area.kind == Area.Kind.POSTCODE_DISTRICT]
                PostcodeDistrict.objects.bulk_create(
                    PostcodeDistrict(city=city, outward_code=area.code, area=area)
                    for area in districts
                )
                organisations = Organisation.objects.bulk_create(
                    Organisation(
                        city=city,
                        name=f"{PLACES[index % len(PLACES)]} {kind} {index // len(PLACES) + 1}",
                        slug=f"org-{number}-{index}",
                        type=org_type,
                        status=Organisation.Status.ACTIVE,
                        public_id=f"o{number:03d}{index:05d}",
                    )
                    for index, (kind, org_type) in (
                        (index, ORGANISATION_KINDS[index % len(ORGANISATION_KINDS)])
                        for index in range(ORGANISATIONS_PER_CITY)
                    )
                )
                topics = topics_ensure_defaults(city=city)
                framework = skills_builder_ensure(city=city)
                world.cities.append(city)
                world.districts[city.pk] = districts
                world.outward_codes[city.pk] = codes
                world.organisations[city.pk] = [organisation.pk for organisation in organisations]
                world.topics[city.pk] = {topic.name: topic.pk for topic in topics}
                world.topic_slugs[city.pk] = [topic.slug for topic in topics]
                world.skills[city.pk] = list(framework.skills.values_list("pk", flat=True))
        words = {word.lower() for subject, _ in SUBJECTS for word in subject.split()}
        words |= {"club", "volunteering", "workshop", "beginners", "online", "badge", "friends"}
        world.search_words = sorted(words)
        print(
            f"world: {len(world.cities)} cities, {len(world.cities) * WARDS_PER_CITY} wards, "
            f"{len(world.cities) * DISTRICTS_PER_CITY} postcode districts, "
            f"{len(world.cities) * ORGANISATIONS_PER_CITY} organisations "
            f"in {time.perf_counter() - started:.1f} s",
            flush=True,
        )
        return world

    # --- Opportunities ---------------------------------------------------------------------

    def grow(self, *, to: int, made: int) -> int:
        """Add opportunities numbered ``made`` to ``to`` and index them; returns ``to``."""
        from learningcity.opportunities import search

        if to <= made:
            return made
        started = time.perf_counter()
        ids: list[int] = []
        sessions = links = 0
        for first in range(made, to, BATCH):
            batch_ids, batch_sessions, batch_links = self._batch(first, min(first + BATCH, to))
            ids += batch_ids
            sessions += batch_sessions
            links += batch_links
        written = time.perf_counter()
        search.opportunities_reindex_bulk(ids)
        indexed = time.perf_counter()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
        print(
            f"generated {len(ids):,} opportunities, {sessions:,} sessions, {links:,} topic and "
            f"skill links in {written - started:.1f} s "
            f"({len(ids) / (written - started):,.0f} opportunities/s); "
            f"indexed in {indexed - written:.1f} s",
            flush=True,
        )
        return to

    def _batch(self, first: int, last: int) -> tuple[list[int], int, int]:
        from learningcity.opportunities.models import (
            Delivery,
            Opportunity,
            OpportunityStatus,
            OpportunityType,
            Session,
        )

        rng = self.rng
        types = list(OpportunityType.values)
        opportunities: list[Any] = []
        plans: list[tuple[list[tuple[datetime.datetime, datetime.datetime]], list[int]]] = []
        for number in range(first, last):
            city = self.cities[number % len(self.cities)]
            kind = rng.choices(types, weights=(20, 14, 14, 10, 4, 18, 10, 10))[0]
            subject, topic = rng.choice(SUBJECTS)
            place = rng.choice(PLACES)
            title = f"{subject[0].upper()}{subject[1:]} {rng.choice(FORMATS[kind])}"
            if rng.random() < 0.5:
                title += f" in {place}"
            delivery = (
                Delivery.ONLINE
                if kind == "online_course" or rng.random() < 0.05
                else Delivery.BOTH
                if rng.random() < 0.04
                else Delivery.IN_PERSON
            )
            district = rng.choice(self.districts[city.pk])
            in_person = delivery != Delivery.ONLINE
            min_age, max_age = rng.choice(AGE_RANGES)
            status = rng.choices(
                (
                    OpportunityStatus.PUBLISHED,
                    OpportunityStatus.DRAFT,
                    OpportunityStatus.SUBMITTED,
                    OpportunityStatus.ARCHIVED,
                ),
                weights=(90, 4, 2, 4),
            )[0]
            capacity = rng.choice((None, None, 8, 12, 16, 20, 30))
            times = self._sessions(kind)
            opportunity = Opportunity(
                city=city,
                organisation_id=rng.choice(self.organisations[city.pk]),
                public_id=f"b{number:011d}",
                title=title,
                summary=f"{rng.choice(OPENINGS)}: {subject} for {min_age}–{max_age} year olds.",
                description=" ".join(rng.sample(DETAILS, 3)),
                type=kind,
                min_age=min_age,
                max_age=max_age,
                price=None if rng.random() < 0.7 else Decimal(rng.choice((2, 5, 10, 25, 60))),
                capacity=capacity,
                delivery=delivery,
                venue_name=f"{place} Community Centre" if in_person else "",
                postcode=f"{district.code} {rng.randint(1, 9)}AB" if in_person else "",
                area_id=district.pk if in_person else None,
                latitude=(
                    (district.latitude + Decimal(f"{rng.uniform(-0.006, 0.006):.5f}"))
                    if in_person
                    else None
                ),
                longitude=(
                    (district.longitude + Decimal(f"{rng.uniform(-0.009, 0.009):.5f}"))
                    if in_person
                    else None
                ),
                status=status,
                published_at=self.now - datetime.timedelta(days=rng.randint(1, 400)),
                first_starts_at=min(start for start, _ in times) if times else None,
                last_ends_at=max(end for _, end in times) if times else None,
                **{name: in_person and rng.random() < 0.3 for name in ACCESSIBILITY},
            )
            opportunities.append(opportunity)
            topic_ids = [self.topics[city.pk][topic]]
            if rng.random() < 0.4:
                topic_ids.append(rng.choice(list(self.topics[city.pk].values())))
            plans.append((times, sorted(set(topic_ids))))
        adapt = connection.ops.adapt_datetimefield_value
        stamp = adapt(self.now)
        with transaction.atomic():
            Opportunity.objects.bulk_create(opportunities, batch_size=1000)
            # Sessions and links go in with plain executemany: model instances would cost more
            # than the rows (hundreds of thousands of them).
            sessions = [
                (
                    stamp,
                    stamp,
                    opportunity.pk,
                    f"s{opportunity.pk:09d}{index:02d}",
                    adapt(start),
                    adapt(end),
                    opportunity.capacity,
                    0,
                    False,
                )
                for opportunity, (times, _) in zip(opportunities, plans, strict=True)
                for index, (start, end) in enumerate(times)
            ]
            _insert(
                Session,
                (
                    "created_at",
                    "updated_at",
                    "opportunity_id",
                    "public_id",
                    "starts_at",
                    "ends_at",
                    "capacity",
                    "booked_count",
                    "is_cancelled",
                ),
                sessions,
            )
            topic_links = [
                (opportunity.pk, topic_id)
                for opportunity, (_, topic_ids) in zip(opportunities, plans, strict=True)
                for topic_id in topic_ids
            ]
            _insert(Opportunity.topics.through, ("opportunity_id", "topic_id"), topic_links)
            skill_links = [
                (opportunity.pk, rng.choice(self.skills[opportunity.city_id]))
                for opportunity in opportunities
                if rng.random() < 0.3
            ]
            _insert(Opportunity.skills.through, ("opportunity_id", "skill_id"), skill_links)
        return (
            [opportunity.pk for opportunity in opportunities],
            len(sessions),
            len(topic_links) + len(skill_links),
        )

    def _sessions(self, kind: str) -> list[tuple[datetime.datetime, datetime.datetime]]:
        """1–6 sessions: most over the next three months, about one opportunity in eight over
        already, a few online courses self-paced (no dates)."""
        rng = self.rng
        if kind == "online_course" and rng.random() < 0.3:
            return []
        count = rng.randint(1, 6)
        offset_days = rng.uniform(-100, -20) if rng.random() < 0.12 else rng.uniform(-14, 90)
        start = (self.now + datetime.timedelta(days=offset_days)).replace(
            minute=0, second=0, microsecond=0
        )
        gap = datetime.timedelta(days=rng.choice((1, 7, 7, 14)))
        length = datetime.timedelta(hours=rng.choice((1, 2, 2, 3, 6)))
        return [(start + n * gap, start + n * gap + length) for n in range(count)]

    # --- Searches ---------------------------------------------------------------------------

    def queries(self, count: int) -> list[tuple[Any, Any, str]]:
        """``count`` searches, the same on every run: (city, DiscoveryQuery, kind)."""
        from learningcity.opportunities.models import ACCESSIBILITY_FEATURES, OpportunityType
        from learningcity.opportunities.selectors import DiscoveryQuery

        rng = random.Random(7)
        kinds = (
            "text",
            "text+filters",
            "filters",
            "near",
            "weekend",
            "age",
            "free",
            "sort",
        )
        made = []
        for number in range(count):
            city = rng.choice(self.cities)
            kind = kinds[number % len(kinds)]
            values: dict[str, Any] = {}
            words = rng.sample(self.search_words, rng.choice((1, 1, 2)))
            if kind in ("text", "text+filters"):
                text = " ".join(words)
                if rng.random() < 0.2:
                    text = text[: max(3, len(text) - 2)]  # still typing
                values["text"] = text
            if kind in ("text+filters", "filters"):
                if rng.random() < 0.6:
                    values["topics"] = tuple(rng.sample(self.topic_slugs[city.pk], 1))
                if rng.random() < 0.5:
                    values["types"] = tuple(rng.sample(list(OpportunityType.values), 2))
                if rng.random() < 0.4:
                    values["age"] = rng.randint(11, 25)
                if rng.random() < 0.3:
                    values["free_only"] = True
                if rng.random() < 0.3:
                    values["delivery"] = rng.choice(("online", "in_person"))
                if rng.random() < 0.2:
                    values["accessibility"] = (rng.choice(ACCESSIBILITY_FEATURES)[0],)
            if kind == "near":
                district = rng.choice(self.districts[city.pk])
                values["near"] = (float(district.latitude), float(district.longitude))
                values["radius_km"] = rng.choice((1, 2, 5, 10))
                values["sort"] = rng.choice(("nearest", "nearest", "soonest"))
                if rng.random() < 0.3:
                    values["text"] = words[0]
            if kind == "weekend":
                values["this_weekend"] = True
                if rng.random() < 0.5:
                    values["age"] = rng.randint(11, 25)
            if kind == "age":
                values["age"] = rng.randint(11, 25)
                values["sort"] = "soonest"
            if kind == "free":
                values["free_only"] = True
                values["age"] = rng.randint(11, 25)
            if kind == "sort":
                values["sort"] = rng.choice(("soonest", "newest", "relevance"))
            if rng.random() < 0.1:
                values["page"] = rng.randint(2, 4)
            made.append((city, DiscoveryQuery(**values), kind))
        return made


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """``INSERT`` ``rows`` into ``model``'s table in one ``executemany``."""
    quote = connection.ops.quote_name
    # Our own table and column names, quoted; the values are parameters.
    table = quote(model._meta.db_table)
    names = ", ".join(quote(column) for column in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
