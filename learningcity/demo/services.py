"""Load the demo cities: places, organisations with staff, learners of every age, admins.

Everything is created or updated by a natural key (email, slug), so running it again changes
nothing and never duplicates a row. It writes rows directly rather than through the services
that send emails: a demo load must not send a hundred welcome emails.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from learningcity.accounts.models import GuardianConsent, LearnerProfile, User
from learningcity.accounts.services import privacy_defaults_for
from learningcity.badges.models import Award, BadgeClass
from learningcity.badges.publishing import SKILLS_BUILDER_FRAMEWORK
from learningcity.badges.services import award_issue, award_revoke
from learningcity.cities.demo import demo_cities_load
from learningcity.cities.models import Area, City, CityAdmin
from learningcity.organisations.models import Membership, Organisation, Role

from . import data
from .insights_data import demo_insights_load
from .learners import demo_learner_records_load
from .opportunities import demo_opportunities_load


@dataclass
class DemoSignIn:
    role: str
    email: str
    note: str = ""


@dataclass
class DemoReport:
    cities: list[City] = field(default_factory=list)
    organisations: int = 0
    learners: int = 0
    awards: int = 0
    opportunities: int = 0
    bookings: int = 0
    sign_ins: list[DemoSignIn] = field(default_factory=list)


def _user(*, email: str, display_name: str, password_hash: str, is_superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, display_name=display_name, password=password_hash)
        user.is_superuser = user.is_staff = is_superuser
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _date_of_birth(age: int, index: int) -> datetime.date:
    today = timezone.localdate()
    # Spread birthdays over the year so ages do not all tick over on the same day.
    start = datetime.date(today.year - age - 1, today.month, min(today.day, 28))
    return start + datetime.timedelta(days=30 + (index * 11) % 300)


def _district_areas(city: City) -> list[Area]:
    return list(city.areas.filter(kind=Area.Kind.POSTCODE_DISTRICT).order_by("code"))


@transaction.atomic
def demo_load() -> DemoReport:
    report = DemoReport()
    # One hash for every demo account: Argon2 is slow on purpose, and 150 hashes would make
    # the first `make run` wait half a minute for a password that is printed on screen anyway.
    password_hash = make_password(data.DEMO_PASSWORD)
    report.cities = demo_cities_load()

    superuser = _user(
        email="admin@demo.learningcity.test",
        display_name="Site admin",
        password_hash=password_hash,
        is_superuser=True,
    )
    report.sign_ins.append(DemoSignIn("Site administrator (Django admin too)", superuser.email))

    for city in report.cities:
        city_key = city.slug.split("-")[0]
        admin = _user(
            email=f"city-team@{city_key}.demo.learningcity.test",
            display_name=f"{city.name} city team",
            password_hash=password_hash,
        )
        CityAdmin.objects.get_or_create(city=city, user=admin)
        report.sign_ins.append(DemoSignIn(f"City admin, {city.name}", admin.email))

        districts = _district_areas(city)
        learners: list[User] = []
        for index, (name, org_type, description) in enumerate(data.ORGANISATIONS[city.slug]):
            slug = slugify(name)[:80]
            status = Organisation.Status.ACTIVE
            reason = ""
            if name in data.PENDING:
                status = Organisation.Status.PENDING
            elif name in data.SUSPENDED:
                status = Organisation.Status.SUSPENDED
                reason = data.SUSPENDED[name]
            organisation, _ = Organisation.objects.update_or_create(
                city=city,
                slug=slug,
                defaults={
                    "name": name,
                    "type": org_type,
                    "description": description,
                    "website": f"https://{slug}.example.org",
                    "contact_email": f"hello@{slug}.example.org",
                    "status": status,
                    "status_reason": reason,
                },
            )
            if districts:
                organisation.areas_served.set(
                    districts[index % len(districts) : index % len(districts) + 2]
                )
            for role in (Role.OWNER, Role.ISSUER, Role.EDITOR, Role.VIEWER):
                email = f"{role}@{slug}.demo.learningcity.test"
                staff = _user(
                    email=email, display_name=f"{role.label} at {name}", password_hash=password_hash
                )
                Membership.objects.update_or_create(
                    organisation=organisation, user=staff, defaults={"role": role}
                )
            report.organisations += 1
            if index == 0:
                report.sign_ins.append(
                    DemoSignIn(
                        f"Organisation owner, {name}",
                        f"owner@{slug}.demo.learningcity.test",
                        "issuer@, editor@ and viewer@ the same domain have the other roles",
                    )
                )

        for index, age in enumerate(data.LEARNER_AGES):
            first_name = data.FIRST_NAMES[index % len(data.FIRST_NAMES)]
            email = f"{first_name.lower()}.{index}@{city_key}.learners.demo.learningcity.test"
            learner = _user(email=email, display_name=first_name, password_hash=password_hash)
            date_of_birth = _date_of_birth(age, index)
            area = districts[index % len(districts)] if districts and index % 4 else None
            LearnerProfile.objects.update_or_create(
                user=learner,
                defaults={
                    "city": city,
                    "date_of_birth": date_of_birth,
                    "postcode_district": area.code if area else "",
                    "area": area,
                    "interests": data.INTERESTS[index % 7 : index % 7 + 3],
                    **privacy_defaults_for(date_of_birth=date_of_birth),
                },
            )
            if age < 13:
                consented = index % 2 == 0
                GuardianConsent.objects.update_or_create(
                    child=learner,
                    defaults={
                        "guardian_email": (
                            f"parent.{index}@{city_key}.families.demo.learningcity.test"
                        ),
                        "token": GuardianConsent.objects.filter(child=learner)
                        .values_list("token", flat=True)
                        .first()
                        or secrets.token_urlsafe(32),
                        "sent_at": timezone.now(),
                        "confirmed_at": timezone.now() if consented else None,
                    },
                )
            report.learners += 1
            learners.append(learner)
            if index in (0, 1, 12):
                label = {
                    0: "Learner aged 11, guardian has said yes",
                    1: "Learner aged 12, waiting for guardian",
                    12: "Learner aged 19",
                }[index]
                report.sign_ins.append(DemoSignIn(f"{label} ({city.name})", email))
        _demo_awards(city=city, learners=learners, report=report)
        added = demo_opportunities_load(city=city, learners=learners)
        report.opportunities += added.opportunities
        report.bookings += added.bookings
        report.awards += added.awards
    demo_learner_records_load(report=report)
    # Last: a year and a half of activity, then each city's insights refreshed over all of it.
    demo_insights_load(report=report)
    return report


def _badge_classes(organisation: Organisation) -> list[BadgeClass]:
    made = []
    for name, level, description, criteria, skills in data.BADGES_BY_TYPE[organisation.type]:
        badge_class, _ = BadgeClass.objects.update_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "level": level,
                "description": description,
                "criteria": criteria,
                "skills": [
                    {"name": skill, "framework": SKILLS_BUILDER_FRAMEWORK} for skill in skills
                ],
                "tags": [organisation.get_type_display().lower()],
                "image_colour": organisation.city.primary_colour,
            },
        )
        made.append(badge_class)
    return made


def _award_once(
    badge_class: BadgeClass,
    learner: User,
    *,
    issued_at: datetime.datetime,
    expires_at: datetime.datetime | None = None,
    revoke_reason: str = "",
) -> int:
    """Issue (and perhaps revoke) one demo award unless the learner already has it."""
    if Award.objects.filter(badge_class=badge_class, recipient_email=learner.email).exists():
        return 0
    award = award_issue(
        badge_class=badge_class,
        recipient_email=learner.email,
        recipient_name=learner.display_name,
        issued_by=None,
        issued_at=issued_at,
        expires_at=expires_at,
        notify=False,
    )
    if revoke_reason:
        award_revoke(award=award, by=None, reason=revoke_reason)
    return 1


def _demo_awards(*, city: City, learners: list[User], report: DemoReport) -> None:
    """Awards for the demo learners: mostly current, one revoked and one expired per city."""
    now = timezone.now()
    organisations = list(
        Organisation.objects.filter(city=city, status=Organisation.Status.ACTIVE).order_by("slug")
    )
    for org_index, organisation in enumerate(organisations):
        badge_classes = _badge_classes(organisation)
        for learner_index, learner in enumerate(learners):
            if (learner_index + org_index) % 4:
                continue
            days_ago = 7 + (learner_index * 13 + org_index * 5) % 300
            issued_at = now - datetime.timedelta(days=days_ago)
            report.awards += _award_once(
                badge_classes[(learner_index + org_index) % 2], learner, issued_at=issued_at
            )
    if organisations and len(learners) > 13:
        badge_class = _badge_classes(organisations[0])[1]
        report.awards += _award_once(
            badge_class,
            learners[12],
            issued_at=now - datetime.timedelta(days=40),
            revoke_reason="Awarded to the wrong learner by mistake.",
        )
        badge_class = _badge_classes(organisations[-1])[0]
        report.awards += _award_once(
            badge_class,
            learners[13],
            issued_at=now - datetime.timedelta(days=530),
            expires_at=now - datetime.timedelta(days=165),
        )
