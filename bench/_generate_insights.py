"""The insights benchmark's world: ONE large city (a London-sized region) with years of activity.

Everything is written by set-based SQL — ``INSERT … SELECT … FROM`` a series of numbers — with
deterministic pseudo-random columns (a quadratic hash of the row number, below), so no row
travels through Python and two runs make the same rows. The same statements run on PostgreSQL
(``generate_series``) and SQLite (a numbers table); only a few expressions differ (``_Dialect``).

The shape, at full size (``Shape.for_awards(5_000_000)``):

- ~600 areas (postcode districts) with IMD deciles 1–10 drawn evenly; young population larger in
  deprived areas (1,500 + 300 per decile below 11, + up to 3,000).
- 1,000,000 learners (accounts with profiles): 90% aged 11–25, 10% 26–55; 85% with a home area,
  drawn evenly over areas — so, per young resident, deprived areas are reached less: the gap the
  equity page must show. Joined over three years, more recently more (a triangular skew).
- ~2,000 organisations of every ``Organisation.Type`` (schools and youth groups most), each with
  an issuer and a status list; activity is skewed to a few (min-of-two draws).
- ~8,000 badge classes: levels (10% none), 0–2 Skills Builder skills; a few popular.
- 5,000,000 awards over three years, more recent more; per learner heavy-tailed (a product of
  two uniform draws: the busiest learners hold ~70 badges, many hold one or two); 2% to an
  address with no account; 1% revoked. Not skewed by decile (the skew is in who is reached).
- ~50,000 opportunities (90% published; 8% online; venues skewed to less deprived areas, so
  deprived ones are "opportunity deserts"), one or two topics, most awarding a badge class;
  10 weekly sessions each (~500,000), from three years ago to a month ahead; 2% cancelled.
- ~2,000,000 bookings (90% booked, 7% cancelled, 3% waitlisted), ~70% of past booked places
  checked in (~1,200,000 attendances).
- ~300 pathways (20% the city team's) with 3 steps, ~400,000 enrolments, ~80,000 completed.

Smaller sizes scale every count by ``awards / 5,000,000`` (areas: at least 100). Used by
``bench/insights.py``, which can keep the database and find the city again (``world_find``).
"""

# Every statement here is built from this module's own numbers and table names (S608): no value
# from outside reaches the SQL text.
# ruff: noqa: S608

from __future__ import annotations

import datetime
import json
import time
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

FULL_AWARDS = 5_000_000
CITY_SLUG = "bench-london"
ADMIN_EMAIL = "city-admin@bench.invalid"
STAFF_EMAIL = "org-staff@bench.invalid"  # a viewer of the organisation with most awards
P = 2_147_483_647  # 2**31 - 1, a prime: hashes stay below it, products below 2**62
ORG_TYPES = (  # (type, share in percent)
    ("school", 25),
    ("youth_group", 20),
    ("charity", 15),
    ("library", 7),
    ("fe_college", 6),
    ("museum", 5),
    ("council_service", 7),
    ("employer", 10),
    ("other", 5),
)
OPPORTUNITY_TYPES = (
    "workshop",
    "course",
    "event",
    "volunteering",
    "work_experience",
    "club",
    "online_course",
    "other",
)
LEVELS = ("Engage", "Participate", "Demonstrate", "Lead")
DAYS = 1095  # three years of history
BULK_TABLES = (
    "accounts_user",
    "accounts_learnerprofile",
    "badges_award",
    "opportunities_session",
    "opportunities_booking",
    "pathways_enrolment",
)


@dataclass(frozen=True)
class Shape:
    areas: int
    learners: int
    organisations: int
    badge_classes: int
    awards: int
    opportunities: int
    sessions_per_opportunity: int
    bookings: int
    pathways: int
    enrolments: int

    @classmethod
    def for_awards(cls, awards: int) -> Shape:
        f = awards / FULL_AWARDS
        return cls(
            areas=max(100, min(600, round(600 * f))) if f < 1 else 600,
            learners=max(100, round(1_000_000 * f)),
            organisations=max(20, round(2_000 * f)),
            badge_classes=max(50, round(8_000 * f)),
            awards=awards,
            opportunities=max(100, round(50_000 * f)),
            sessions_per_opportunity=10,
            bookings=max(200, round(2_000_000 * f)),
            pathways=max(10, round(300 * f)),
            enrolments=max(100, round(400_000 * f)),
        )


@dataclass
class World:
    city: Any
    admin: Any
    shape: Shape
    topic_ids: list[int]
    organisation_staff: Any = None
    largest_organisation: Any = None


class _Dialect:
    def __init__(self, vendor: str) -> None:
        self.pg = vendor == "postgresql"

    def series(self, n: int) -> str:
        if self.pg:
            return f"generate_series(1::bigint, {int(n)}::bigint) AS s(i)"
        return f"(SELECT i FROM bench_seq WHERE i <= {int(n)}) AS s"

    def ts(self, seconds: str) -> str:
        """A timestamp from Unix seconds."""
        return f"to_timestamp({seconds})" if self.pg else f"datetime({seconds}, 'unixepoch')"

    def json(self, text: str) -> str:
        return f"'{text}'::jsonb" if self.pg else f"'{text}'"

    def jsonb(self, column: str) -> str:
        return f"CAST({column} AS jsonb)" if self.pg else column

    @property
    def bytes0(self) -> str:
        return "'\\x00'::bytea" if self.pg else "X'00'"

    def ignore(self, insert: str) -> str:
        """``INSERT`` that skips rows breaking a unique constraint."""
        if self.pg:
            return f"{insert} ON CONFLICT DO NOTHING"
        return insert.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)


def r(k: int, i: str = "s.i") -> str:
    """A pseudo-random integer in [0, P) from row number ``i``: a quadratic hash, different
    for each ``k`` (so two columns of one row are not in step)."""
    a = (k * 2_654_435_761 + 97) % 1_000_003 + 1_000
    c = (k * 40_503 + 12_345) % 1_000_000_007
    return f"(((({i}) * {a} + {c}) % {P}) * ((({i}) + {c}) % {P} + 1) % {P})"


def uniform(k: int, n: int, i: str = "s.i") -> str:
    """0 .. n-1."""
    return f"({r(k, i)} % {int(n)})"


def low_skew(k: int, n: int, i: str = "s.i") -> str:
    """0 .. n-1, the smaller of two draws: low values about twice as likely as the mean."""
    a, b = uniform(k, n, i), uniform(k + 50, n, i)
    return f"(CASE WHEN {a} < {b} THEN {a} ELSE {b} END)"


def recent_days_ago(k: int, days: int = DAYS, i: str = "s.i") -> str:
    """0 .. days-1 days ago, recent days more likely (the larger of two draws, reversed)."""
    a, b = uniform(k, days, i), uniform(k + 50, days, i)
    return f"({days - 1} - (CASE WHEN {a} > {b} THEN {a} ELSE {b} END))"


def generate(*, awards: int, now: datetime.datetime | None = None) -> World:
    """Make the city and everything in it; print what was made and how long it took."""
    from django.contrib.auth import get_user_model

    from learningcity.badges.skills import skills_builder_ensure
    from learningcity.cities.models import City, CityAdmin
    from learningcity.opportunities.publishing import topics_ensure_defaults

    shape = Shape.for_awards(awards)
    now = now or timezone.now()
    epoch = f"CAST({int(now.timestamp())} AS BIGINT)"
    d = _Dialect(connection.vendor)
    User = get_user_model()
    started = time.perf_counter()
    timings: list[tuple[str, int, float]] = []

    city = City.objects.create(name="Greater London (bench)", slug=CITY_SLUG)
    admin = User.objects.create_user(email=ADMIN_EMAIL, password=None)
    CityAdmin.objects.create(city=city, user=admin)
    staff = User.objects.create_user(email=STAFF_EMAIL, password=None)
    topic_ids = [t.pk for t in topics_ensure_defaults(city=city)]
    framework = skills_builder_ensure(city=city)
    skill_json = [
        {"name": s.name, "framework": framework.name, "url": s.url, "code": s.code}
        for s in framework.skills.order_by("pk")
    ]
    skillsets: list[list[dict[str, str]]] = [[], []]
    skillsets += [[s] for s in skill_json]
    skillsets += [[skill_json[n], skill_json[(n + 3) % len(skill_json)]] for n in range(6)]

    def run(label: str, sql: str, params: tuple[Any, ...] | None = None) -> int:
        t0 = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            count = cursor.rowcount
        timings.append((label, count, time.perf_counter() - t0))
        return count

    def base(table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            return int(cursor.fetchone()[0])

    c = city.pk
    s = shape
    stamp = d.ts(str(epoch))
    deferred_indexes: list[tuple[str, str]] = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            if d.pg:
                cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
                # No foreign-key triggers while loading (every key is made to point at a row made
                # here; the database is thrown away afterwards): queuing millions of deferred
                # checks would cost more than the rows.
                cursor.execute("SET LOCAL session_replication_role = replica")
                # A bulk load builds each index once at the end, sorted, rather than row by row:
                # the non-unique secondary indexes of the big tables are dropped and made again
                # below (the unique ones stay: the inserts skip rows that would break them).
                cursor.execute(
                    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) "
                    "FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
                    "WHERE NOT i.indisunique AND NOT i.indisprimary AND t.relname = ANY(%s)",
                    [list(BULK_TABLES)],
                )
                deferred_indexes = cursor.fetchall()
                for name, _ in deferred_indexes:
                    cursor.execute(f"DROP INDEX {name}")
            else:
                biggest = max(s.awards, s.learners, s.bookings, s.enrolments) + 10
                cursor.execute("DROP TABLE IF EXISTS bench_seq")
                cursor.execute("CREATE TABLE bench_seq (i INTEGER PRIMARY KEY)")
                cursor.execute(
                    "INSERT INTO bench_seq (i) WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL "
                    f"SELECT i + 1 FROM n WHERE i < {biggest}) SELECT i FROM n"
                )
            for table in ("bench_topic", "bench_skillset", "bench_area_rank"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            cursor.execute("CREATE TABLE bench_topic (k INTEGER PRIMARY KEY, topic_id BIGINT)")
            cursor.executemany(
                "INSERT INTO bench_topic (k, topic_id) VALUES (%s, %s)",
                list(enumerate(topic_ids)),
            )
            cursor.execute("CREATE TABLE bench_skillset (k INTEGER PRIMARY KEY, skills TEXT)")
            cursor.executemany(
                "INSERT INTO bench_skillset (k, skills) VALUES (%s, %s)",
                [(k, json.dumps(v)) for k, v in enumerate(skillsets)],
            )

        # --- Areas, least deprived ranked first ---------------------------------------------
        a0 = base("cities_area")
        run(
            "areas",
            "INSERT INTO cities_area (id, created_at, updated_at, code, name, kind, imd_decile, "
            "latitude, longitude, young_population, city_id) "
            f"SELECT {a0} + t.i, {stamp}, {stamp}, 'E' || t.i, 'Bench district ' || t.i, "
            "'postcode_district', t.dec, "
            f"51.3 + {uniform(2, 40000, 't.i')} / 100000.0, "
            f"-0.5 + {uniform(3, 80000, 't.i')} / 100000.0, "
            f"1500 + (11 - t.dec) * 300 + {uniform(4, 3000, 't.i')}, {c} "
            f"FROM (SELECT s.i AS i, 1 + {uniform(1, 10)} AS dec FROM {d.series(s.areas)}) AS t",
        )
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE bench_area_rank (k INTEGER PRIMARY KEY, area_id BIGINT)")
            cursor.execute(
                "SELECT id FROM cities_area WHERE city_id = %s ORDER BY imd_decile DESC, id", [c]
            )
            ranked = [row[0] for row in cursor.fetchall()]
            cursor.executemany(
                "INSERT INTO bench_area_rank (k, area_id) VALUES (%s, %s)", list(enumerate(ranked))
            )

        # --- Learners -----------------------------------------------------------------------
        u0, p0 = base("accounts_user"), base("accounts_learnerprofile")
        joined = f"({epoch} - {recent_days_ago(10)} * 86400 - {uniform(11, 86400)})"
        run(
            "learner accounts",
            "INSERT INTO accounts_user (id, password, last_login, is_superuser, public_id, email, "
            "display_name, is_active, is_staff, date_joined) "
            f"SELECT {u0} + s.i, '!', NULL, false, 'L' || s.i, 'learner' || s.i || "
            f"'@bench.invalid', 'Learner ' || s.i, true, false, {d.ts(joined)} "
            f"FROM {d.series(s.learners)}",
        )
        age_days = (
            f"(CASE WHEN {uniform(12, 10)} = 0 THEN 26 + {uniform(13, 30)} "
            f"ELSE 11 + {uniform(13, 15)} END) * 365 + {uniform(14, 365)}"
        )
        run(
            "learner profiles",
            "INSERT INTO accounts_learnerprofile (id, created_at, updated_at, date_of_birth, "
            "postcode_district, interests, profile_public, recommendations_enabled, "
            "share_area_with_organisations, area_id, city_id, user_id, suggest_opportunities, "
            "suggest_pathways) "
            f"SELECT {p0} + s.i, {d.ts(joined)}, {d.ts(joined)}, "
            f"{_date(d, f'{epoch} - ({age_days}) * 86400')}, '', {d.json('[]')}, false, false, "
            f"false, CASE WHEN {uniform(15, 100)} < 15 THEN NULL "
            f"ELSE {a0} + 1 + {uniform(16, s.areas)} END, {c}, {u0} + s.i, true, true "
            f"FROM {d.series(s.learners)}",
        )

        # --- Organisations, issuers, status lists ---------------------------------------------
        o0, i0, l0 = (
            base("organisations_organisation"),
            base("badges_issuer"),
            base("badges_statuslist"),
        )
        cases, edge = [], 0
        for kind, share in ORG_TYPES:
            edge += share
            cases.append(f"WHEN {uniform(20, 100)} < {edge} THEN '{kind}'")
        run(
            "organisations",
            "INSERT INTO organisations_organisation (id, created_at, updated_at, public_id, name, "
            "slug, type, description, website, contact_email, logo, status, status_reason, "
            "status_changed_at, city_id, status_changed_by_id, is_trusted) "
            f"SELECT {o0} + s.i, {stamp}, {stamp}, 'O' || s.i, 'Organisation ' || s.i, "
            f"'org-' || s.i, CASE {' '.join(cases)} ELSE 'other' END, '', '', '', '', 'active', "
            f"'', NULL, {c}, NULL, true FROM {d.series(s.organisations)}",
        )
        run(
            "issuers",
            "INSERT INTO badges_issuer (id, created_at, updated_at, public_id, city_id, "
            f"organisation_id) SELECT {i0} + s.i, {stamp}, {stamp}, 'I' || s.i, NULL, {o0} + s.i "
            f"FROM {d.series(s.organisations)}",
        )
        run(
            "status lists",
            "INSERT INTO badges_statuslist (id, created_at, updated_at, public_id, purpose, bits, "
            f"next_index, credential, issuer_id) SELECT {l0} + s.i, {stamp}, {stamp}, "
            f"'SL' || s.i, 'revocation', {d.bytes0}, 0, NULL, {i0} + s.i "
            f"FROM {d.series(s.organisations)}",
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO organisations_membership (created_at, updated_at, role, user_id, "
                f"organisation_id) VALUES ({stamp}, {stamp}, 'viewer', %s, {o0} + 1)",
                [staff.pk],
            )

        # --- Badge classes ---------------------------------------------------------------------
        b0 = base("badges_badgeclass")
        level = (
            f"CASE {uniform(21, 10)} WHEN 0 THEN '' WHEN 1 THEN 'Lead' WHEN 2 THEN 'Demonstrate' "
            "WHEN 3 THEN 'Demonstrate' WHEN 4 THEN 'Participate' WHEN 5 THEN 'Participate' "
            "ELSE 'Engage' END"
        )
        run(
            "badge classes",
            "INSERT INTO badges_badgeclass (id, created_at, updated_at, public_id, name, "
            "description, criteria, level, skills, tags, image_colour, status, expiry_months, "
            "evidence_required, evidence_prompt, image_source, design_shape, design_icon, "
            "design_title, image_upload, image_svg, organisation_id) "
            f"SELECT {b0} + s.i, {stamp}, {stamp}, 'B' || s.i, 'Badge ' || s.i, '', '', "
            f"{level}, {d.jsonb('k.skills')}, {d.json('[]')}, '#0b5cad', 'published', NULL, "
            "false, '', 'designed', 'circle', 'star', '', '', '', "
            f"{o0} + 1 + {low_skew(22, s.organisations)} "
            f"FROM {d.series(s.badge_classes)} "
            f"JOIN bench_skillset k ON k.k = {uniform(23, len(skillsets))}",
        )

        # --- Awards ------------------------------------------------------------------------------
        w0 = base("badges_award")
        learner = f"(1 + {uniform(30, s.learners)} * {uniform(31, 1000)} / 1000)"
        issued = f"({epoch} - {recent_days_ago(32)} * 86400 - {uniform(34, 86400)})"
        no_account = f"{uniform(35, 100)} < 2"

        def award_rows(first: int, count: int) -> str:
            i = f"(s.i + {first})"
            rows = (
                f"SELECT {i} AS n, {learner.replace('s.i', i)} AS u, "
                f"{issued.replace('s.i', i)} AS t, "
                f"{b0} + 1 + {low_skew(33, s.badge_classes, i)} AS b, "
                f"{no_account.replace('s.i', i)} AS guest, {uniform(36, 100, i)} AS rv "
                f"FROM {d.series(count)}"
            )
            return d.ignore(
                "INSERT INTO badges_award (id, created_at, updated_at, public_id, "
                "recipient_email, recipient_name, salt, issued_at, expires_at, status_index, "
                "revoked_at, revocation_reason, replaced_at, evidence, ob3_credential, ob3_jwt, "
                "issued_by_id, recipient_id, badge_class_id, status_list_id) "
                f"SELECT {w0} + w.n, {d.ts('w.t')}, {d.ts('w.t')}, 'W' || w.n, "
                "CASE WHEN w.guest THEN 'guest' || w.n ELSE 'learner' || w.u END "
                "|| '@bench.invalid', 'Learner ' || w.u, 'bench', "
                f"{d.ts('w.t')}, NULL, w.n, CASE WHEN w.rv = 0 THEN {d.ts('w.t + 86400')} "
                f"ELSE NULL END, '', NULL, {d.json('[]')}, {d.json('{}')}, '', NULL, "
                f"CASE WHEN w.guest THEN NULL ELSE {u0} + w.u END, w.b, "
                f"{l0} - {o0} + bc.organisation_id "
                f"FROM ({rows}) AS w JOIN badges_badgeclass bc ON bc.id = w.b"
            )

        made = run("awards", award_rows(0, s.awards))
        attempted = s.awards
        for _ in range(6):  # a learner drawn twice for one badge class: draw again
            if made >= s.awards:
                break
            missing = s.awards - made
            made += run("awards (again)", award_rows(attempted, missing))
            attempted += missing
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE badges_statuslist SET next_index = {attempted + 1} "
                f"WHERE id > {l0} AND id <= {l0 + s.organisations}"
            )

        # --- Opportunities, topics, badge links, sessions -----------------------------------------
        x0, se0 = base("opportunities_opportunity"), base("opportunities_session")
        # From three years ago to a month ahead, recent more likely.
        first_start = f"({epoch} - ({recent_days_ago(40, DAYS + 30)} - 30) * 86400)"
        online = f"{uniform(41, 100)} < 8"
        status = (
            f"CASE WHEN {uniform(42, 100)} < 90 THEN 'published' WHEN {uniform(42, 100)} < 94 "
            f"THEN 'archived' WHEN {uniform(42, 100)} < 97 THEN 'draft' ELSE 'submitted' END"
        )
        types = " ".join(f"WHEN {n} THEN '{t}'" for n, t in enumerate(OPPORTUNITY_TYPES))
        weeks = s.sessions_per_opportunity
        start_day = f"(({first_start} / 86400) * 86400 + 17 * 3600)"
        run(
            "opportunities",
            "INSERT INTO opportunities_opportunity (id, created_at, updated_at, public_id, title, "
            "summary, description, type, level, award_on_check_in, min_age, max_age, price, "
            "bursary_info, capacity, waitlist_enabled, booking_mode, booking_url, step_free, "
            "accessible_toilet, hearing_loop, bsl, quiet_space, large_print, "
            "accessibility_notes, image, image_alt, contact_name, contact_email, contact_phone, "
            "delivery, venue_name, address, postcode, latitude, longitude, online_url, status, "
            "review_note, submitted_at, published_at, first_starts_at, last_ends_at, area_id, "
            "city_id, created_by_id, organisation_id, reviewed_by_id) "
            f"SELECT {x0} + s.i, {d.ts(f'{start_day} - 30 * 86400')}, "
            f"{d.ts(f'{start_day} - 30 * 86400')}, 'X' || s.i, 'Opportunity ' || s.i, '', '', "
            f"CASE WHEN {online} THEN 'online_course' ELSE "
            f"CASE {uniform(43, len(OPPORTUNITY_TYPES))} {types} END END, '', false, 11, 25, "
            "NULL, '', NULL, false, "
            "'book_here', '', false, false, false, false, false, false, '', '', '', '', '', '', "
            f"CASE WHEN {online} THEN 'online' ELSE 'in_person' END, '', '', '', NULL, NULL, '', "
            f"{status}, '', NULL, {d.ts(f'{start_day} - 30 * 86400')}, {d.ts(start_day)}, "
            f"{d.ts(f'{start_day} + {(weeks - 1) * 7} * 86400 + 7200')}, "
            f"CASE WHEN {online} THEN NULL ELSE ar.area_id END, {c}, NULL, "
            f"{o0} + 1 + {low_skew(44, s.organisations)}, NULL "
            f"FROM {d.series(s.opportunities)} "
            f"JOIN bench_area_rank ar ON ar.k = {low_skew(45, s.areas)}",
        )
        run(
            "opportunity topics",
            "INSERT INTO opportunities_opportunity_topics (opportunity_id, topic_id) "
            f"SELECT {x0} + s.i, t.topic_id FROM {d.series(s.opportunities)} "
            f"JOIN bench_topic t ON t.k = {uniform(46, len(topic_ids))} "
            f"UNION ALL SELECT {x0} + s.i, t.topic_id FROM {d.series(s.opportunities)} "
            f"JOIN bench_topic t ON t.k = ({uniform(46, len(topic_ids))} + 1) % {len(topic_ids)} "
            f"WHERE {uniform(47, 100)} < 30",
        )
        spread = round(s.badge_classes * 1.15)
        run(
            "opportunity badge links",
            "INSERT INTO opportunities_opportunity_badge_classes (opportunity_id, badgeclass_id) "
            f"SELECT {x0} + s.i, {b0} + 1 + {uniform(48, spread)} FROM {d.series(s.opportunities)} "
            f"WHERE {uniform(48, spread)} < {s.badge_classes}",
        )
        ot = _epoch(d, "o.first_starts_at")
        run(
            "sessions",
            "INSERT INTO opportunities_session (id, created_at, updated_at, public_id, starts_at, "
            "ends_at, capacity, booked_count, is_cancelled, opportunity_id) "
            f"SELECT {se0} + s.i, o.created_at, o.created_at, 'S' || s.i, "
            f"{d.ts(f'{ot} + ((s.i - 1) % {weeks}) * 7 * 86400')}, "
            f"{d.ts(f'{ot} + ((s.i - 1) % {weeks}) * 7 * 86400 + 7200')}, NULL, 0, "
            f"{uniform(49, 100)} < 2, o.id "
            f"FROM {d.series(s.opportunities * weeks)} "
            f"JOIN opportunities_opportunity o ON o.id = {x0} + 1 + (s.i - 1) / {weeks}",
        )

        # --- Bookings and attendances -----------------------------------------------------------
        k0 = base("opportunities_booking")
        st = _epoch(d, "se.starts_at")
        booker = f"(1 + {uniform(50, s.learners)} * {uniform(51, 1000)} / 1000)"
        run(
            "bookings",
            d.ignore(
                "INSERT INTO opportunities_booking (id, created_at, updated_at, public_id, status, "
                "cancelled_at, promoted_at, checked_in_at, checked_in_by_id, learner_id, "
                "session_id) "
                f"SELECT {k0} + b.n, {d.ts('b.made')}, {d.ts('b.made')}, 'K' || b.n, b.status, "
                f"CASE WHEN b.status = 'cancelled' THEN {d.ts('b.made + 3600')} ELSE NULL END, "
                "NULL, CASE WHEN b.status = 'booked' AND b.t < "
                f"{epoch} AND b.show < 70 THEN {d.ts('b.t + 600')} ELSE NULL END, NULL, "
                f"{u0} + b.u, b.sid FROM (SELECT s.i AS n, {booker} AS u, se.id AS sid, "
                f"{st} AS t, CASE WHEN {st} - {uniform(52, 14)} * 86400 - 3600 > {epoch} "
                f"THEN {epoch} ELSE {st} - {uniform(52, 14)} * 86400 - 3600 END AS made, "
                f"CASE WHEN {uniform(53, 100)} < 90 THEN 'booked' WHEN {uniform(53, 100)} < 97 "
                f"THEN 'cancelled' ELSE 'waitlisted' END AS status, {uniform(54, 100)} AS show "
                f"FROM {d.series(s.bookings)} JOIN opportunities_session se "
                f"ON se.id = {se0} + 1 + {uniform(55, s.opportunities * weeks)}) AS b",
            ),
        )

        # --- Pathways, steps, enrolments --------------------------------------------------------
        y0 = base("pathways_pathway")
        run(
            "pathways",
            "INSERT INTO pathways_pathway (id, created_at, updated_at, public_id, name, summary, "
            "description, destination_kind, destination, destination_url, ordered, "
            "allow_external, status, city_id, completion_badge_id, created_by_id, "
            f"organisation_id) SELECT {y0} + s.i, {stamp}, {stamp}, 'P' || s.i, "
            f"'Pathway ' || s.i, '', '', 'career', '', '', false, false, 'published', {c}, NULL, "
            f"NULL, CASE WHEN {uniform(60, 100)} < 20 THEN NULL "
            f"ELSE {o0} + 1 + {uniform(61, s.organisations)} END FROM {d.series(s.pathways)}",
        )
        run(
            "pathway steps",
            "INSERT INTO pathways_pathwaystep (position, title, description, required, "
            "external_achievement_ids, pathway_id, topic_id) "
            f"SELECT (s.i - 1) % 3 + 1, 'Step', '', 1, {d.json('[]')}, "
            f"{y0} + 1 + (s.i - 1) / 3, t.topic_id FROM {d.series(s.pathways * 3)} "
            f"JOIN bench_topic t ON t.k = {uniform(62, len(topic_ids))}",
        )
        # Learner (i * 104729) mod L: distinct for i < L, so (pathway, learner) is unique.
        joined_path = f"({epoch} - {recent_days_ago(63)} * 86400 - {uniform(64, 86400)})"
        done = f"({joined_path} + (7 + {uniform(65, 120)}) * 86400)"
        run(
            "enrolments",
            "INSERT INTO pathways_enrolment (created_at, updated_at, joined_at, steps_done, "
            "evaluated_at, completed_at, completion_award_id, learner_id, pathway_id) "
            f"SELECT {d.ts(joined_path)}, {d.ts(joined_path)}, {d.ts(joined_path)}, "
            f"CASE WHEN s.i % 5 = 0 THEN 3 ELSE {uniform(66, 3)} END, NULL, "
            f"CASE WHEN s.i % 5 = 0 AND {done} < {epoch} THEN {d.ts(done)} ELSE NULL END, NULL, "
            f"{u0} + 1 + (s.i * 104729) % {s.learners}, {y0} + 1 + s.i % {s.pathways} "
            f"FROM {d.series(min(s.enrolments, s.learners - 1))}",
        )

        with connection.cursor() as cursor:
            if d.pg:
                t0 = time.perf_counter()
                for _, definition in deferred_indexes:
                    cursor.execute(definition)
                timings.append(
                    ("indexes made again", len(deferred_indexes), time.perf_counter() - t0)
                )
            for table in ("bench_topic", "bench_skillset", "bench_area_rank", "bench_seq"):
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            if d.pg:
                for table in (
                    "cities_area",
                    "accounts_user",
                    "accounts_learnerprofile",
                    "organisations_organisation",
                    "badges_issuer",
                    "badges_statuslist",
                    "badges_badgeclass",
                    "badges_award",
                    "opportunities_opportunity",
                    "opportunities_session",
                    "opportunities_booking",
                    "pathways_pathway",
                ):
                    cursor.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT MAX(id) FROM {table}))"
                    )
    written = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum does after a bulk load
    analysed = time.perf_counter()

    from learningcity.organisations.models import Organisation

    world = World(city=city, admin=admin, shape=shape, topic_ids=topic_ids)
    world.organisation_staff = staff
    world.largest_organisation = _largest_organisation(Organisation)
    if world.largest_organisation.pk != o0 + 1:
        from learningcity.organisations.models import Membership

        Membership.objects.filter(user=staff).update(organisation=world.largest_organisation)
    counts = _counts()
    for label, count, seconds in timings:
        print(f"  {label}: {count:,} rows in {seconds:.1f} s", flush=True)
    print(
        f"generated in {written - started:.1f} s (+ ANALYZE {analysed - written:.1f} s): "
        + ", ".join(f"{n:,} {label}" for label, n in counts.items()),
        flush=True,
    )
    return world


def world_find(*, awards: int) -> World | None:
    """The city a previous :func:`generate` made in this database, if it is there at the size
    ``awards`` asks for (its learners and awards counted); else ``None``. Lets a kept benchmark
    database (``BENCH_INSIGHTS_KEEP``) be timed again without generating it again."""
    from django.contrib.auth import get_user_model

    from learningcity.cities.models import City
    from learningcity.opportunities.publishing import topics_ensure_defaults
    from learningcity.organisations.models import Membership

    city = City.objects.filter(slug=CITY_SLUG).first()
    if city is None:
        return None
    shape = Shape.for_awards(awards)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM accounts_learnerprofile WHERE city_id = %s", [city.pk])
        learners = int(cursor.fetchone()[0])
        cursor.execute("SELECT COUNT(*) FROM badges_award")
        made = int(cursor.fetchone()[0])
    # The awards are drawn again until all are made; a few may still be missing after the
    # last draw, so an exact count is not required.
    if learners != shape.learners or not 0.99 * shape.awards <= made <= shape.awards:
        print(
            f"the kept database holds a city of {learners:,} learners and {made:,} awards, "
            f"not {shape.learners:,} and {shape.awards:,}",
            flush=True,
        )
        return None
    User = get_user_model()
    staff = User.objects.get(email=STAFF_EMAIL)
    membership = Membership.objects.select_related("organisation").get(user=staff)
    print(f"reusing the generated city: {learners:,} learners, {made:,} awards", flush=True)
    return World(
        city=city,
        admin=User.objects.get(email=ADMIN_EMAIL),
        shape=shape,
        topic_ids=[t.pk for t in topics_ensure_defaults(city=city)],
        organisation_staff=staff,
        largest_organisation=membership.organisation,
    )


def _date(d: _Dialect, seconds: str) -> str:
    return f"CAST(to_timestamp({seconds}) AS date)" if d.pg else f"date({seconds}, 'unixepoch')"


def _epoch(d: _Dialect, column: str) -> str:
    if d.pg:
        return f"CAST(EXTRACT(EPOCH FROM {column}) AS bigint)"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _largest_organisation(organisation_model: Any) -> Any:
    """The organisation whose badge classes were awarded most."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bc.organisation_id FROM badges_award a "
            "JOIN badges_badgeclass bc ON bc.id = a.badge_class_id "
            "GROUP BY bc.organisation_id ORDER BY COUNT(*) DESC, bc.organisation_id LIMIT 1"
        )
        return organisation_model.objects.get(pk=cursor.fetchone()[0])


def _counts() -> dict[str, int]:
    queries = {
        "areas": "SELECT COUNT(*) FROM cities_area",
        "learners": "SELECT COUNT(*) FROM accounts_learnerprofile",
        "learners with a home area": "SELECT COUNT(area_id) FROM accounts_learnerprofile",
        "organisations": "SELECT COUNT(*) FROM organisations_organisation",
        "badge classes": "SELECT COUNT(*) FROM badges_badgeclass",
        "awards": "SELECT COUNT(*) FROM badges_award",
        "opportunities": "SELECT COUNT(*) FROM opportunities_opportunity",
        "sessions": "SELECT COUNT(*) FROM opportunities_session",
        "bookings": "SELECT COUNT(*) FROM opportunities_booking",
        "attendances": "SELECT COUNT(checked_in_at) FROM opportunities_booking",
        "pathways": "SELECT COUNT(*) FROM pathways_pathway",
        "enrolments": "SELECT COUNT(*) FROM pathways_enrolment",
        "completions": "SELECT COUNT(completed_at) FROM pathways_enrolment",
    }
    out = {}
    with connection.cursor() as cursor:
        for label, sql in queries.items():
            cursor.execute(sql)
            out[label] = int(cursor.fetchone()[0])
    return out
