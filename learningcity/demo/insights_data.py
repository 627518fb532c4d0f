"""A year and a half of activity in each demo city, so that the insights dashboards show real
figures rather than a page of "fewer than 10".

:func:`demo_insights_load` runs at the end of ``demo_load``: for each demo city it adds the
history (:func:`demo_history_load`) and then refreshes the city's insights, so the dashboards are
ready when the server starts.

The history of a city, over the :data:`HISTORY_MONTHS` months before the load:

- **Learners** (``DEMO_HISTORY_LEARNERS`` a city, 700 by default), joining more often towards
  now, living in every postcode district of the city (each has at least a share, however small
  its population, so every decile where people live has people), mostly aged 11 to 25 when they
  joined, some adults. Their addresses follow the demo's scheme (``<name>.h<n>@<city>.learners.
  demo.learningcity.test``: ``h`` for history, so they never meet the demo's numbered learners);
  the guardian of one who joined under 13 said yes within two days.
- **Past runs** of the programme: each bookable opportunity ran in two to four earlier terms,
  each run an *archived* opportunity of its own ("Intro to Python (spring 2026)") with the
  template's sessions, place and badges — so today's opportunities keep their dates and places
  in discovery. Learners of the right age book every session of a run (most from the venue's
  area), a few cancel, most are checked in.
- **Awards**: the badges a run links, to those who came to most of its sessions; other badges
  of the city's organisations, at any time after a learner joined; and badges for the steps of
  the city's pathways. All are issued by ``badges.services.award_issue`` (signed, with a
  status-list entry), in one :class:`~learningcity.badges.services.AwardIssueCache` batch.
- **Pathway enrolments**: some learners join each pathway of the city; what they then hold is
  evaluated by the pathways' own evaluator (``pathways.completion``), and those who completed
  get the completion badge, issued on the day they completed.

Dates are what the insights facts read (``insights.facts``): a learner joined on
``LearnerProfile.created_at``, an award on ``issued_at``, a booking on ``created_at``, an
attendance on its session's start, an enrolment on ``joined_at`` / ``completed_at``, an offer on
its session's start. Rows are written in bulk with those dates, as ``demo.opportunities`` writes
the demo's programme (the booking and enrolment services stamp "now" and send emails). What the
services keep is kept here too: ``Session.booked_count`` from the bookings, ``first_starts_at`` /
``last_ends_at`` from the sessions, ``Enrolment.steps_done`` and ``completed_at`` from the
evaluator, and an enrolment's completion award.

Run again, it adds nothing: a city whose first history learner exists has its history.
``DEMO_HISTORY_LEARNERS = 0`` adds no history and skips the refresh (the test suite's demo tests
need neither).
"""

from __future__ import annotations

import dataclasses
import datetime
import math
import random
import secrets
import zoneinfo
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, TypeVar

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from learningcity.accounts.models import GuardianConsent, LearnerProfile, User, age_on
from learningcity.accounts.services import privacy_defaults_for
from learningcity.badges import publishing
from learningcity.badges.models import BadgeClass, BadgeStatus
from learningcity.badges.services import AwardEvidence, AwardIssueCache, award_issue
from learningcity.cities.models import Area, City
from learningcity.insights.models import Refresh
from learningcity.insights.refresh import insights_refresh
from learningcity.opportunities.models import (
    Booking,
    BookingMode,
    BookingStatus,
    Opportunity,
    OpportunityStatus,
    Session,
)
from learningcity.organisations.models import Organisation
from learningcity.pathways import completion
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus
from learningcity.pathways.selectors import (
    StepBadges,
    completion_pathway,
    held_badges_for_users,
    pathway_steps_with_badges,
)
from learningcity.pathways.services import COMPLETION_NARRATIVE

from . import data

if TYPE_CHECKING:
    from .services import DemoReport

__all__ = [
    "HISTORY_MONTHS",
    "DemoHistory",
    "demo_history_load",
    "demo_insights_load",
    "history_learner_count",
]

HISTORY_MONTHS = 18
# Learners a city, unless ``settings.DEMO_HISTORY_LEARNERS`` says otherwise.
DEFAULT_LEARNERS = 700
# Each postcode district gets at least this share of the learners, however few live there.
MIN_AREA_SHARE = 0.05
# Share of learners who gave no postcode (their home area is "unknown").
NO_AREA_SHARE = 0.04
# Age on the day they joined: (youngest, oldest, weight).
AGES_AT_JOINING = ((11, 12, 12), (13, 15, 30), (16, 17, 20), (18, 25, 28), (26, 45, 10))
# Terms of the year, by the month they start (a past run keeps to one term).
TERMS = ((1, "spring"), (5, "summer"), (9, "autumn"))
# Fewer runs start in August and around Christmas.
QUIET_MONTHS = {8: 0.4, 12: 0.6}
# Badges a learner earns beyond those of the runs they came to: how many, with what weight.
EXTRA_AWARDS = ((0, 10), (1, 18), (2, 22), (3, 20), (4, 14), (5, 9), (6, 7))
# Share of learners (13 or older) who join each pathway, and how many steps they are steered
# towards (their own badges may take them further): (steps short of the end, weight).
PATHWAY_SHARE = 0.16
STEERED_SHORT = ((0, 50), (1, 15), (2, 15), (99, 20))  # 99: no step badge given, just joined
# Days between one step's badge and the next.
STEP_GAP_DAYS = (7, 35)
BOOKING_CANCELLED = 0.06
# How likely each learner is to come to a session they booked (so, on average, 80%).
RELIABILITY = (0.6, 1.0)
RUN_BADGE_AWARDED = 0.85
SURNAME_INITIALS = "ABCDEFGHJKLMNPRSTW"

T = TypeVar("T")


@dataclasses.dataclass
class DemoHistory:
    """What one city's history added."""

    learners: int = 0
    opportunities: int = 0
    sessions: int = 0
    bookings: int = 0
    attendances: int = 0
    awards: int = 0
    enrolments: int = 0
    completed: int = 0


def history_learners_per_city() -> int:
    """``settings.DEMO_HISTORY_LEARNERS`` (read when the demo loads), else the default."""
    return int(getattr(settings, "DEMO_HISTORY_LEARNERS", DEFAULT_LEARNERS))


def demo_insights_load(*, report: DemoReport) -> list[Refresh]:
    """Add the history of each city of ``report`` that has none yet (counted in ``report``),
    then refresh each city's insights. Returns the refreshes (none when the history is switched
    off)."""
    size = history_learners_per_city()
    if size <= 0:
        return []
    now = timezone.now()
    for city in report.cities:
        history = demo_history_load(city=city, learners=size, now=now)
        report.learners += history_learner_count(city=city)
        report.awards += history.awards
        report.opportunities += history.opportunities
        report.bookings += history.bookings
    return [insights_refresh(city=city) for city in report.cities]


def history_learner_count(*, city: City) -> int:
    """How many history learners ``city`` has (known by their addresses)."""
    return User.objects.filter(
        email__endswith=f"@{_city_key(city)}.learners.demo.learningcity.test",
        email__regex=r"^[a-z]+\.h[0-9]+@",
    ).count()


@transaction.atomic
def demo_history_load(*, city: City, learners: int, now: datetime.datetime) -> DemoHistory:
    """Add ``learners`` learners to ``city`` with their history over the :data:`HISTORY_MONTHS`
    months before ``now``, unless the city has its history already. The randomness is seeded by
    the city, so a city's history looks the same on every fresh load."""
    history = DemoHistory()
    if learners <= 0 or User.objects.filter(email=_email(city, 0)).exists():
        return history
    plan = _Plan(city=city, now=now, rng=random.Random(f"learning-city-demo:{city.slug}"))
    people = plan.learners(learners)
    history.learners = len(people)
    runs = plan.past_runs()
    history.opportunities = len(runs)
    history.sessions = sum(len(run.sessions) for run in runs)
    bookings = plan.bookings(runs, people)
    history.bookings = len(bookings)
    history.attendances = sum(booking.checked_in_at is not None for booking in bookings)
    awards = plan.run_awards(runs, bookings, people)
    plan.extra_awards(people, awards)
    joiners = plan.pathway_joiners(people, awards)
    history.awards = _issue(awards)
    enrolments, completions = plan.enrolments(joiners)
    history.enrolments = len(enrolments)
    history.completed = len(completions)
    history.awards += _issue(completions)
    Enrolment.objects.bulk_create(enrolments)
    return history


# --- Planning -------------------------------------------------------------------------------------


@dataclasses.dataclass
class _Person:
    user: User
    profile: LearnerProfile

    @property
    def joined(self) -> datetime.datetime:
        return self.profile.created_at

    def age_on(self, moment: datetime.datetime) -> int:
        return age_on(self.profile.date_of_birth, moment.date())


@dataclasses.dataclass
class _Run:
    template: Opportunity
    opportunity: Opportunity
    sessions: list[Session]
    badge_classes: list[BadgeClass]


@dataclasses.dataclass
class _Award:
    badge_class: BadgeClass
    person: _Person
    issued_at: datetime.datetime
    evidence: Sequence[AwardEvidence] = ()
    # The enrolment this award completes (its ``completion_award`` once issued).
    completes: Enrolment | None = None


@dataclasses.dataclass
class _Joiner:
    pathway: Pathway
    steps: list[StepBadges]
    person: _Person
    joined_at: datetime.datetime


class _Awards:
    """The awards planned so far: at most one of a badge class to a learner (the first)."""

    def __init__(self) -> None:
        self.planned: list[_Award] = []
        self.held: dict[int, set[int]] = defaultdict(set)  # user id -> badge class ids

    def add(self, award: _Award) -> bool:
        held = self.held[award.person.user.pk]
        if award.badge_class.pk in held:
            return False
        held.add(award.badge_class.pk)
        self.planned.append(award)
        return True


@dataclasses.dataclass
class _Plan:
    city: City
    now: datetime.datetime
    rng: random.Random

    def __post_init__(self) -> None:
        self.zone = zoneinfo.ZoneInfo(self.city.timezone)
        self.start = self.now - datetime.timedelta(days=round(HISTORY_MONTHS * 30.44))

    # --- Time --------------------------------------------------------------------------------

    def moment(
        self, *, after: datetime.datetime | None = None, growth: bool = True
    ) -> datetime.datetime:
        """A moment between ``after`` (default the start of the history) and now; with
        ``growth``, three times as likely at the end as at the start."""
        start = max(after or self.start, self.start)
        u = self.rng.random()
        if growth:
            # The density 1 + 2u on [0, 1], drawn by inverting its distribution (u + u²) / 2.
            u = (math.sqrt(1 + 8 * u) - 1) / 2
        return start + (self.now - start) * u

    def pick(self, choices: Sequence[tuple[T, float]]) -> T:
        """One of ``choices`` (value, weight), in proportion to its weight."""
        return self.rng.choices(
            [value for value, _ in choices], weights=[weight for _, weight in choices]
        )[0]

    # --- Learners ------------------------------------------------------------------------------

    def learners(self, size: int) -> list[_Person]:
        """``size`` learners with accounts, verified addresses, profiles and (for under-13s) a
        guardian's yes, joined over the history."""
        districts = list(
            Area.objects.filter(city=self.city, kind=Area.Kind.POSTCODE_DISTRICT).order_by("code")
        )
        population = [area.young_population or 1 for area in districts]
        total = sum(population) or 1
        weights = [max(people / total, MIN_AREA_SHARE) for people in population]
        password = (
            User.objects.filter(email=f"city-team@{_city_key(self.city)}.demo.learningcity.test")
            .values_list("password", flat=True)
            .first()
        ) or "!"
        users, profiles, consents = [], [], []
        for n in range(size):
            joined = self.moment()
            youngest, oldest = self.pick([((low, high), w) for low, high, w in AGES_AT_JOINING])
            age = self.rng.randint(youngest, oldest)
            born = joined.astimezone(self.zone).date() - datetime.timedelta(
                days=round((age + self.rng.random()) * 365.25)
            )
            area = None
            if districts and self.rng.random() >= NO_AREA_SHARE:
                area = self.rng.choices(districts, weights=weights)[0]
            first_name = data.FIRST_NAMES[n % len(data.FIRST_NAMES)]
            user = User(
                email=_email(self.city, n),
                display_name=f"{first_name} {SURNAME_INITIALS[n % len(SURNAME_INITIALS)]}.",
                password=password,
                date_joined=joined,
            )
            users.append(user)
            profiles.append(
                LearnerProfile(
                    user=user,
                    city=self.city,
                    date_of_birth=born,
                    postcode_district=area.code if area else "",
                    area=area,
                    interests=self.rng.sample(data.INTERESTS, 3),
                    created_at=joined,
                    **privacy_defaults_for(date_of_birth=born),
                )
            )
            if age < 13:
                consents.append(
                    GuardianConsent(
                        child=user,
                        guardian_email=(
                            f"parent.h{n}@{_city_key(self.city)}.families.demo.learningcity.test"
                        ),
                        token=secrets.token_urlsafe(32),
                        sent_at=joined,
                        confirmed_at=joined + datetime.timedelta(hours=self.rng.randint(2, 48)),
                        created_at=joined,
                    )
                )
        User.objects.bulk_create(users)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True) for user in users
        )
        for profile in profiles:
            profile.user_id = profile.user.pk
        LearnerProfile.objects.bulk_create(profiles)
        for consent in consents:
            consent.child_id = consent.child.pk
        GuardianConsent.objects.bulk_create(consents)
        return [
            _Person(user=user, profile=profile)
            for user, profile in zip(users, profiles, strict=True)
        ]

    # --- Past runs -----------------------------------------------------------------------------

    def terms(self) -> list[tuple[datetime.date, datetime.date, str]]:
        """The terms (first day, last day, name) that began in the history, oldest first."""
        first = self.start.astimezone(self.zone).date()
        last = self.now.astimezone(self.zone).date()
        found = []
        for year in range(first.year, last.year + 1):
            for number, (month, name) in enumerate(TERMS):
                begins = datetime.date(year, month, 1)
                ends = (
                    datetime.date(year, TERMS[number + 1][0], 1)
                    if number + 1 < len(TERMS)
                    else datetime.date(year + 1, 1, 1)
                ) - datetime.timedelta(days=1)
                if ends >= first and begins <= last:
                    found.append((max(begins, first), min(ends, last), f"{name} {year}"))
        return found

    def past_runs(self) -> list[_Run]:
        """Two to four earlier runs of each bookable opportunity with dates, in earlier terms
        (later terms likelier), written as archived opportunities with their sessions."""
        templates = list(
            Opportunity.objects.filter(
                city=self.city,
                status=OpportunityStatus.PUBLISHED,
                booking_mode=BookingMode.BOOK_HERE,
                first_starts_at__isnull=False,
                organisation__status=Organisation.Status.ACTIVE,
            )
            .prefetch_related("sessions", "topics", "skills", "badge_classes")
            .order_by("pk")
        )
        terms = self.terms()
        runs: list[_Run] = []
        for template in templates:
            sessions = sorted(
                (s for s in template.sessions.all() if not s.is_cancelled),
                key=lambda s: s.starts_at,
            )[:6]
            if not sessions:
                continue
            first_local = sessions[0].starts_at.astimezone(self.zone)
            offsets = [
                (s.starts_at.astimezone(self.zone).date() - first_local.date()).days
                for s in sessions
            ]
            length = sessions[0].ends_at - sessions[0].starts_at
            wanted = self.rng.choice((2, 2, 3)) if len(sessions) > 1 else self.rng.choice((3, 4))
            open_terms = list(range(len(terms)))
            for _ in range(wanted):
                if not open_terms:
                    break
                # Later terms likelier: the programme grew.
                index = self.rng.choices(open_terms, weights=[1 + i for i in open_terms])[0]
                open_terms.remove(index)
                begins, ends, name = terms[index]
                latest = min(
                    ends - datetime.timedelta(days=offsets[-1]),
                    (template.first_starts_at or self.now).astimezone(self.zone).date()
                    - datetime.timedelta(days=offsets[-1] + 7),
                    self.now.astimezone(self.zone).date()
                    - datetime.timedelta(days=offsets[-1] + 2),
                )
                day = self._run_start(begins, latest, weekday=first_local.weekday())
                if day is None:
                    continue
                starts = [
                    datetime.datetime.combine(
                        day + datetime.timedelta(days=offset),
                        first_local.time(),
                        tzinfo=self.zone,
                    ).astimezone(datetime.UTC)
                    for offset in offsets
                ]
                runs.append(self._run(template, name, starts, length))
        return self._save_runs(runs)

    def _run_start(
        self, begins: datetime.date, latest: datetime.date, *, weekday: int
    ) -> datetime.date | None:
        """A day on ``weekday`` from ``begins`` to ``latest``, quiet months less likely."""
        days = [
            begins + datetime.timedelta(days=n)
            for n in range((latest - begins).days + 1)
            if (begins + datetime.timedelta(days=n)).weekday() == weekday
        ]
        if not days:
            return None
        weights = [QUIET_MONTHS.get(day.month, 1.0) for day in days]
        return self.rng.choices(days, weights=weights)[0]

    def _run(
        self,
        template: Opportunity,
        term: str,
        starts: list[datetime.datetime],
        length: datetime.timedelta,
    ) -> _Run:
        published_at = starts[0] - datetime.timedelta(days=self.rng.randint(14, 35))
        fields = {
            field.attname: getattr(template, field.attname)
            for field in Opportunity._meta.concrete_fields
            if field.attname not in ("id", "public_id", "created_at", "updated_at")
        }
        opportunity = Opportunity(**fields)
        opportunity.title = f"{template.title} ({term})"[:140]
        opportunity.status = OpportunityStatus.ARCHIVED
        opportunity.submitted_at = published_at - datetime.timedelta(days=1)
        opportunity.published_at = published_at
        opportunity.created_at = published_at - datetime.timedelta(days=2)
        opportunity.first_starts_at = starts[0]
        opportunity.last_ends_at = starts[-1] + length
        sessions = [
            Session(
                starts_at=moment,
                ends_at=moment + length,
                capacity=template.capacity,
                created_at=opportunity.created_at,
            )
            for moment in starts
        ]
        return _Run(template, opportunity, sessions, list(template.badge_classes.all()))

    def _save_runs(self, runs: list[_Run]) -> list[_Run]:
        Opportunity.objects.bulk_create([run.opportunity for run in runs])
        topics, skills, badges, sessions = [], [], [], []
        for run in runs:
            pk = run.opportunity.pk
            topics += [
                Opportunity.topics.through(opportunity_id=pk, topic_id=topic.pk)
                for topic in run.template.topics.all()
            ]
            skills += [
                Opportunity.skills.through(opportunity_id=pk, skill_id=skill.pk)
                for skill in run.template.skills.all()
            ]
            badges += [
                Opportunity.badge_classes.through(opportunity_id=pk, badgeclass_id=badge.pk)
                for badge in run.badge_classes
            ]
            for session in run.sessions:
                session.opportunity = run.opportunity
                sessions.append(session)
        Opportunity.topics.through.objects.bulk_create(topics)
        Opportunity.skills.through.objects.bulk_create(skills)
        Opportunity.badge_classes.through.objects.bulk_create(badges)
        Session.objects.bulk_create(sessions)
        return runs

    # --- Bookings ------------------------------------------------------------------------------

    def bookings(self, runs: list[_Run], people: list[_Person]) -> list[Booking]:
        """A cohort for each run (fuller later in the history; most from the venue's area, and
        those with fewer bookings so far first) booking every session; a few cancel, most come."""
        booked_so_far: Counter[int] = Counter()
        whole = (self.now - self.start).total_seconds()
        bookings: list[Booking] = []
        for run in sorted(runs, key=lambda run: run.sessions[0].starts_at):
            opportunity = run.opportunity
            first = run.sessions[0].starts_at
            eligible = [
                person
                for person in people
                if person.joined < first - datetime.timedelta(days=1)
                and opportunity.min_age <= person.age_on(first) <= opportunity.max_age
            ]
            if not eligible:
                continue
            capacity = min(opportunity.capacity or 25, 40)
            fullness = 0.35 + 0.6 * (first - self.start).total_seconds() / whole
            size = min(len(eligible), max(2, round(capacity * fullness * self.rng.uniform(0.7, 1))))
            local = opportunity.area_id
            weights = [
                (3.0 if local and person.profile.area_id == local else 1.0)
                / (1 + booked_so_far[person.user.pk])
                for person in eligible
            ]
            cohort = _weighted_sample(self.rng, eligible, weights, size)
            for person in cohort:
                booked_so_far[person.user.pk] += 1
                earliest = max(person.joined, first - datetime.timedelta(days=28))
                booked_at = earliest + (first - earliest) * self.rng.uniform(0.1, 0.9)
                reliability = self.rng.uniform(*RELIABILITY)
                for session in run.sessions:
                    cancelled = self.rng.random() < BOOKING_CANCELLED
                    came = not cancelled and self.rng.random() < reliability
                    bookings.append(
                        Booking(
                            session=session,
                            learner=person.user,
                            status=BookingStatus.CANCELLED if cancelled else BookingStatus.BOOKED,
                            created_at=booked_at,
                            cancelled_at=(
                                booked_at + (session.starts_at - booked_at) / 2
                                if cancelled
                                else None
                            ),
                            checked_in_at=(
                                session.starts_at
                                + datetime.timedelta(minutes=self.rng.randint(0, 15))
                                if came
                                else None
                            ),
                        )
                    )
                    if not cancelled:
                        session.booked_count += 1
        Booking.objects.bulk_create(bookings)
        Session.objects.bulk_update(
            [session for run in runs for session in run.sessions], ["booked_count"]
        )
        return bookings

    # --- Awards --------------------------------------------------------------------------------

    def run_awards(
        self, runs: list[_Run], bookings: list[Booking], people: list[_Person]
    ) -> _Awards:
        """The badges each run links, to those who came to at least half its sessions, a day
        or two after its last session."""
        awards = _Awards()
        by_user = {person.user.pk: person for person in people}
        came: dict[int, Counter[int]] = defaultdict(Counter)  # opportunity id -> user id -> n
        for booking in bookings:
            if booking.checked_in_at is not None:
                came[booking.session.opportunity_id][booking.learner_id] += 1
        for run in runs:
            if not run.badge_classes:
                continue
            needed = math.ceil(len(run.sessions) / 2)
            issued_at = run.sessions[-1].ends_at + datetime.timedelta(
                days=self.rng.randint(0, 3), hours=self.rng.randint(1, 20)
            )
            if issued_at >= self.now:
                continue
            for user_id, count in came[run.opportunity.pk].items():
                if count < needed:
                    continue
                for badge_class in run.badge_classes:
                    if self.rng.random() < RUN_BADGE_AWARDED:
                        awards.add(_Award(badge_class, by_user[user_id], issued_at))
        return awards

    def badge_classes(self) -> list[BadgeClass]:
        """The published badges of the city's active organisations, pathway completion badges
        left out (those are earned only by completing)."""
        completion_ids = Pathway.objects.filter(
            city=self.city, completion_badge__isnull=False
        ).values_list("completion_badge_id", flat=True)
        return list(
            BadgeClass.objects.filter(
                organisation__city=self.city,
                organisation__status=Organisation.Status.ACTIVE,
                status=BadgeStatus.PUBLISHED,
            )
            .exclude(pk__in=list(completion_ids))
            .select_related("organisation")
            .order_by("pk")
        )

    def extra_awards(self, people: list[_Person], awards: _Awards) -> None:
        """A few more badges for most learners, at any time after they joined, likelier from
        an organisation that serves their area."""
        badge_classes = self.badge_classes()
        if not badge_classes:
            return
        serves: dict[int, set[int]] = defaultdict(set)  # organisation id -> area ids
        for organisation_id, area_id in Organisation.areas_served.through.objects.filter(
            organisation__city=self.city
        ).values_list("organisation_id", "area_id"):
            serves[organisation_id].add(area_id)
        for person in people:
            count = self.pick(EXTRA_AWARDS)
            weights = [
                3.0 if person.profile.area_id in serves[badge.organisation_id] else 1.0
                for badge in badge_classes
            ]
            for badge_class in _weighted_sample(self.rng, badge_classes, weights, count):
                issued_at = self.moment(after=person.joined, growth=False)
                awards.add(_Award(badge_class, person, issued_at))

    # --- Pathways ------------------------------------------------------------------------------

    def pathway_joiners(self, people: list[_Person], awards: _Awards) -> list[_Joiner]:
        """Some learners (13 or older) on each published pathway of the city, each given the
        badges of the first steps, one every few weeks after joining (in order). An ordered
        pathway takes learners who hold none of its step badges yet: one earned before the step
        before it would not count."""
        joiners = []
        for pathway in Pathway.objects.filter(
            city=self.city, status=PathwayStatus.PUBLISHED
        ).order_by("pk"):
            steps = pathway_steps_with_badges(pathway=pathway)
            if not steps:
                continue
            candidates = people
            if pathway.ordered:
                step_badges = {b.pk for item in steps for b in item.badge_classes.values()}
                candidates = [p for p in people if not awards.held[p.user.pk] & step_badges]
            count = min(round(len(people) * PATHWAY_SHARE), len(candidates))
            for person in self.rng.sample(candidates, count):
                joined_at = self.moment(after=person.joined + datetime.timedelta(days=3))
                if joined_at >= self.now or person.age_on(joined_at) < 13:
                    continue
                joiners.append(_Joiner(pathway, steps, person, joined_at))
                short = self.pick(STEERED_SHORT)
                earned_at = joined_at
                for item in steps[: max(len(steps) - short, 0)]:
                    earned_at += datetime.timedelta(days=self.rng.randint(*STEP_GAP_DAYS))
                    if earned_at >= self.now:
                        break
                    options = [
                        badge
                        for badge in item.badge_classes.values()
                        if badge.status == BadgeStatus.PUBLISHED
                        and badge.pk not in awards.held[person.user.pk]
                        and badge.pk != pathway.completion_badge_id
                    ]
                    for badge_class in self.rng.sample(
                        options, min(item.step.required, len(options))
                    ):
                        awards.add(_Award(badge_class, person, earned_at))
        return joiners

    def enrolments(self, joiners: list[_Joiner]) -> tuple[list[Enrolment], list[_Award]]:
        """The enrolments of ``joiners`` as the pathways' evaluator finds them against the
        badges now held, and the completion awards of those completed (on the day they
        completed, as ``pathways.services.enrolment_evaluate`` would have awarded them then)."""
        held = held_badges_for_users(
            user_ids={joiner.person.user.pk for joiner in joiners}, now=self.now
        )
        enrolments, completions = [], []
        for joiner in joiners:
            pathway = joiner.pathway
            progress = completion.evaluate(
                completion_pathway(pathway=pathway, steps=joiner.steps),
                held[joiner.person.user.pk],
            )
            enrolment = Enrolment(
                pathway=pathway,
                learner=joiner.person.user,
                joined_at=joiner.joined_at,
                steps_done=len(progress.satisfied),
                evaluated_at=self.now,
                created_at=joiner.joined_at,
            )
            if progress.complete and progress.completed_at is not None:
                enrolment.completed_at = max(progress.completed_at, joiner.joined_at)
                enrolment.evaluated_at = enrolment.completed_at
                if pathway.completion_badge is not None:
                    completions.append(
                        _Award(
                            pathway.completion_badge,
                            joiner.person,
                            enrolment.completed_at + datetime.timedelta(minutes=1),
                            evidence=[
                                AwardEvidence(
                                    narrative=COMPLETION_NARRATIVE.format(name=pathway.name),
                                    url=publishing.absolute(pathway.get_absolute_url()),
                                )
                            ],
                            completes=enrolment,
                        )
                    )
            enrolments.append(enrolment)
        return enrolments, completions


def _weighted_sample(
    rng: random.Random, items: Sequence[T], weights: Sequence[float], count: int
) -> list[T]:
    """``count`` distinct items, each drawn with chance in proportion to its weight
    (Efraimidis–Spirakis: the largest ``u ** (1 / weight)``)."""
    keyed = sorted(
        ((rng.random() ** (1 / weight), index) for index, weight in enumerate(weights)),
        reverse=True,
    )
    return [items[index] for _, index in keyed[:count]]


# --- Issuing ----------------------------------------------------------------------------------


def _issue(awards: _Awards | list[_Award]) -> int:
    """Issue ``awards`` (signed, each with its status-list bit) in one batch, without emails;
    an award that completes an enrolment is linked to it. Returns how many were issued."""
    planned = awards.planned if isinstance(awards, _Awards) else awards
    if not planned:
        return 0
    cache = AwardIssueCache()
    with (
        transaction.atomic(),
        cache.batch(awards=[(award.badge_class, award.person.user.email) for award in planned]),
    ):
        for award in planned:
            made = award_issue(
                badge_class=award.badge_class,
                recipient_email=award.person.user.email,
                recipient_name=award.person.user.display_name,
                issued_by=None,
                issued_at=award.issued_at,
                evidence=award.evidence,
                notify=False,
                cache=cache,
            )
            if award.completes is not None:
                award.completes.completion_award = made
    return len(planned)


def _city_key(city: City) -> str:
    return city.slug.split("-")[0]


def _email(city: City, n: int) -> str:
    first_name = data.FIRST_NAMES[n % len(data.FIRST_NAMES)]
    return f"{first_name.lower()}.h{n}@{_city_key(city)}.learners.demo.learningcity.test"
