"""A small city whose every figure can be counted by hand: ``small_city()``.

Timezone Europe/London; everything happens in the first half of 2026 and the refresh is taken
``AS_OF`` = 30 June 2026, 12:00 UTC. Dates below are UTC unless said otherwise.

Areas (``areas``): ``north`` IMD decile 2, ``south`` decile 9, ``centre`` decile 5 (a venue only).

Organisations: ``school`` (type school), ``youth`` (type youth_group).
Topics: ``coding``, ``art``.

Learners (``learners``; profile created = "joined", all with a learner profile in the city):

==== ====== ========== ========== ==============================================================
name area   born       joined     notes
==== ====== ========== ========== ==============================================================
l1   north  2010-04-01 2026-01-10 turns 16 on 1 April 2026 (15 on 31 March)
l2   north  2008-06-15 2026-02-01 17 until 15 June 2026
l3   south  2005-01-10 2026-04-05 21
l4   south  2014-02-02 2026-01-20 12
l5   (none) 1990-05-05 2026-04-01 36, no home area ("unknown")
l6   north  2000-03-03 2026-06-05 joins, does nothing else
==== ====== ========== ========== ==============================================================

Plus ``staff`` (an account with no learner profile) and the address ``nobody@example.org``
(no account): awards to either are not facts.

Badge classes (``badges``): ``b1`` of school, level Participate, skills Teamwork + Listening,
awarded by opportunity o1 (coding) → topic coding; ``b2`` of youth, no level, skill Creativity,
awarded by o2 (art) → topic art; ``b3`` of youth, level Lead, no skills, no opportunity → topic
"none".

Awards (``awards``, issued through ``award_issue``; the true event day in Europe/London):

==  ===  =========  ================================  ============ =========================
#   bc   to         issued (UTC)                      local day    band / home decile
==  ===  =========  ================================  ============ =========================
a1  b1   l1         2026-03-31 23:30 (BST: 00:30)     2026-04-01   16_17 / 2  (TZ + birthday)
a2  b1   l2         2026-04-10 10:00                  2026-04-10   16_17 / 2
a3  b1   l3         2026-04-12 10:00, later revoked   2026-04-12   18_25 / 9
a4  b2   l1         2026-05-03 10:00                  2026-05-03   16_17 / 2
a5  b2   l4         2026-05-20 10:00                  2026-05-20   under_13 / 9
a6  b3   l5         2026-06-01 10:00                  2026-06-01   26_plus / unknown
a7  b1   l4         2026-03-15 10:00                  2026-03-15   under_13 / 9
--  b2   nobody@    2026-04-20 10:00                  not a fact (no account)
--  b3   staff      2026-04-21 10:00                  not a fact (no learner profile)
==  ===  =========  ================================  ============ =========================

So award facts: 7 — March 1 (a7), April 3 (a1 a2 a3), May 2 (a4 a5), June 1 (a6).

Opportunities: ``o1`` school workshop, topic coding, venue ``centre``, awards b1, sessions
``s1`` 2026-04-15 10:00, ``s2`` 2026-05-15 10:00 and ``s3`` 2026-05-20 (cancelled); ``o2`` youth
club, topic art, online only, awards b2, session ``s4`` 2026-05-10 18:00; ``o3`` youth, a draft,
session 2026-05-12 (not a fact). Opportunity facts: 3 (s1 April; s2, s4 May).

Bookings: l1 on s1 booked 2026-04-01, checked in; l2 on s1 booked 2026-04-02 then cancelled;
l3 on s1 waitlisted 2026-04-03 (not a fact); l4 on s4 booked 2026-05-05, checked in; l5 on s2
created 2026-04-28 on the waitlist, promoted 2026-05-02 (a May booking). Booking facts: April 2
(l1 l2), May 2 (l4 l5). Attendance facts: April 1 (l1, s1), May 1 (l4, s4).

Pathway ``pathway`` of school: l1 joined 2026-05-04, completed 2026-06-10; l2 joined 2026-06-02.

Facts in all: joined 6 + award 7 + booking 4 + attended 2 + p_started 2 + p_done 1 +
opportunity 3 = 25. The first fact day is 2026-01-10.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from learningcity.accounts.models import LearnerProfile, User
from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges.models import Award, BadgeClass, BadgeStatus, Level
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.cities.models import Area, City
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.opportunities.models import (
    Booking,
    BookingStatus,
    Delivery,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Session,
    Topic,
)
from learningcity.opportunities.tests.factories import (
    BookingFactory,
    OpportunityFactory,
    SessionFactory,
    TopicFactory,
)
from learningcity.organisations.models import Organisation
from learningcity.organisations.tests.factories import OrganisationFactory
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus
from learningcity.pathways.tests.factories import EnrolmentFactory, PathwayFactory

AS_OF = datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC)


def utc(*parts: int) -> datetime.datetime:
    return datetime.datetime(*parts, tzinfo=datetime.UTC)


@dataclass
class SmallCity:
    city: City
    areas: dict[str, Area]
    school: Organisation
    youth: Organisation
    topics: dict[str, Topic]
    learners: dict[str, User]
    profiles: dict[str, LearnerProfile]
    staff: User
    badges: dict[str, BadgeClass]
    awards: dict[str, Award]
    opportunities: dict[str, Opportunity]
    sessions: dict[str, Session]
    bookings: list[Booking] = field(default_factory=list)
    pathway: Pathway | None = None
    enrolments: list[Enrolment] = field(default_factory=list)
    as_of: datetime.datetime = AS_OF


def small_city(*, slug: str = "smallton") -> SmallCity:
    """The city described in this module's docstring, built afresh."""
    city = CityFactory(slug=slug, name="Smallton", timezone="Europe/London")
    areas = {
        "north": AreaFactory(city=city, name="North", imd_decile=2),
        "south": AreaFactory(city=city, name="South", imd_decile=9),
        "centre": AreaFactory(city=city, name="Centre", imd_decile=5),
    }
    school = OrganisationFactory(city=city, name="Smallton School", type=Organisation.Type.SCHOOL)
    youth = OrganisationFactory(
        city=city, name="Smallton Youth", type=Organisation.Type.YOUTH_GROUP
    )
    topics = {
        "coding": TopicFactory(city=city, name="Coding"),
        "art": TopicFactory(city=city, name="Art"),
    }

    people = {
        "l1": ("north", datetime.date(2010, 4, 1), utc(2026, 1, 10, 12)),
        "l2": ("north", datetime.date(2008, 6, 15), utc(2026, 2, 1, 12)),
        "l3": ("south", datetime.date(2005, 1, 10), utc(2026, 4, 5, 12)),
        "l4": ("south", datetime.date(2014, 2, 2), utc(2026, 1, 20, 12)),
        "l5": (None, datetime.date(1990, 5, 5), utc(2026, 4, 1, 12)),
        "l6": ("north", datetime.date(2000, 3, 3), utc(2026, 6, 5, 12)),
    }
    learners: dict[str, User] = {}
    profiles: dict[str, LearnerProfile] = {}
    for name, (area, born, joined) in people.items():
        user = UserFactory(email=f"{name}@{slug}.example.org")
        learners[name] = user
        profiles[name] = LearnerProfileFactory(
            user=user,
            city=city,
            date_of_birth=born,
            area=areas[area] if area else None,
            created_at=joined,
        )
    staff = UserFactory(email=f"staff@{slug}.example.org")

    badges = {
        "b1": BadgeClassFactory(
            organisation=school,
            status=BadgeStatus.PUBLISHED,
            level=Level.PARTICIPATE,
            skills=[{"name": "Teamwork"}, {"name": "Listening"}],
        ),
        "b2": BadgeClassFactory(
            organisation=youth,
            status=BadgeStatus.PUBLISHED,
            level="",
            skills=[{"name": "Creativity"}],
        ),
        "b3": BadgeClassFactory(
            organisation=youth, status=BadgeStatus.PUBLISHED, level=Level.LEAD, skills=[]
        ),
    }

    def give(badge: str, email: str, when: datetime.datetime) -> Award:
        return award_issue(
            badge_class=badges[badge],
            recipient_email=email,
            issued_by=None,
            issued_at=when,
            notify=False,
        )

    awards = {
        "a1": give("b1", learners["l1"].email, utc(2026, 3, 31, 23, 30)),
        "a2": give("b1", learners["l2"].email, utc(2026, 4, 10, 10)),
        "a3": give("b1", learners["l3"].email, utc(2026, 4, 12, 10)),
        "a4": give("b2", learners["l1"].email, utc(2026, 5, 3, 10)),
        "a5": give("b2", learners["l4"].email, utc(2026, 5, 20, 10)),
        "a6": give("b3", learners["l5"].email, utc(2026, 6, 1, 10)),
        "a7": give("b1", learners["l4"].email, utc(2026, 3, 15, 10)),
        "no_account": give("b2", "nobody@example.org", utc(2026, 4, 20, 10)),
        "staff": give("b3", staff.email, utc(2026, 4, 21, 10)),
    }
    awards["a3"] = award_revoke(award=awards["a3"], by=None, reason="Issued by mistake.")

    o1 = OpportunityFactory(
        organisation=school, type=OpportunityType.WORKSHOP, area=areas["centre"]
    )
    o1.topics.set([topics["coding"]])
    o1.badge_classes.set([badges["b1"]])
    o2 = OpportunityFactory(
        organisation=youth, type=OpportunityType.CLUB, delivery=Delivery.ONLINE, area=None
    )
    o2.topics.set([topics["art"]])
    o2.badge_classes.set([badges["b2"]])
    o3 = OpportunityFactory(organisation=youth, status=OpportunityStatus.DRAFT, published_at=None)
    o3.topics.set([topics["art"]])

    def session(opportunity: Opportunity, start: datetime.datetime, **extra: object) -> Session:
        return SessionFactory(
            opportunity=opportunity,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            **extra,
        )

    sessions = {
        "s1": session(o1, utc(2026, 4, 15, 10)),
        "s2": session(o1, utc(2026, 5, 15, 10)),
        "s3": session(o1, utc(2026, 5, 20, 10), is_cancelled=True),
        "s4": session(o2, utc(2026, 5, 10, 18)),
        "s5": session(o3, utc(2026, 5, 12, 10)),
    }

    bookings = [
        BookingFactory(
            session=sessions["s1"],
            learner=learners["l1"],
            status=BookingStatus.BOOKED,
            created_at=utc(2026, 4, 1, 9),
            checked_in_at=utc(2026, 4, 15, 10, 5),
        ),
        BookingFactory(
            session=sessions["s1"],
            learner=learners["l2"],
            status=BookingStatus.CANCELLED,
            created_at=utc(2026, 4, 2, 9),
            cancelled_at=utc(2026, 4, 3, 9),
        ),
        BookingFactory(
            session=sessions["s1"],
            learner=learners["l3"],
            status=BookingStatus.WAITLISTED,
            created_at=utc(2026, 4, 3, 9),
        ),
        BookingFactory(
            session=sessions["s4"],
            learner=learners["l4"],
            status=BookingStatus.BOOKED,
            created_at=utc(2026, 5, 5, 9),
            checked_in_at=utc(2026, 5, 10, 18, 10),
        ),
        BookingFactory(
            session=sessions["s2"],
            learner=learners["l5"],
            status=BookingStatus.BOOKED,
            created_at=utc(2026, 4, 28, 9),
            promoted_at=utc(2026, 5, 2, 9),
        ),
    ]

    pathway = PathwayFactory(organisation=school, status=PathwayStatus.PUBLISHED)
    enrolments = [
        EnrolmentFactory(
            pathway=pathway,
            learner=learners["l1"],
            joined_at=utc(2026, 5, 4, 10),
            completed_at=utc(2026, 6, 10, 10),
        ),
        EnrolmentFactory(pathway=pathway, learner=learners["l2"], joined_at=utc(2026, 6, 2, 10)),
    ]

    return SmallCity(
        city=city,
        areas=areas,
        school=school,
        youth=youth,
        topics=topics,
        learners=learners,
        profiles=profiles,
        staff=staff,
        badges=badges,
        awards=awards,
        opportunities={"o1": o1, "o2": o2, "o3": o3},
        sessions=sessions,
        bookings=bookings,
        pathway=pathway,
        enrolments=enrolments,
    )
