"""The demo learners' records for issue 6: full backpacks, badges imported from the other demo
city, and pathways with learners at every stage.

:func:`demo_learner_records_load` runs once the cities, their people, awards and opportunities
are loaded. Every award goes through ``badges.services.award_issue``, every import through the
backpack's ``imported_badge_add``, and every pathway, step, enrolment and completion through the
pathways services — so the demo shows what those really produce.

Run again, it adds nothing: a filled backpack is recognised by its withdrawn award, an import by
its achievement id, and a pathway by its name in its city (one that exists is left as it is,
with its learners).

**Imports and the network.** The verifier confirms an OB 3.0 badge by fetching its issuer's
``did:web`` DID document and its status list from the issuer's site — here, this installation,
which is not serving HTTP while ``load_demo`` runs (and whose new rows are not committed yet).
So during the demo's imports the verifier is given a fetcher that answers requests for this
installation's own URLs *in-process*, through the same views that serve them over HTTP, and
refuses every other URL. The verification itself is the real one: signature, issuer binding,
dates and the revocation status list are all checked, and the rows are what
``imported_badge_add`` writes from the verdict.
"""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.test import Client
from django.utils import timezone

from learningcity.accounts.models import LearnerProfile, User
from learningcity.accounts.services import privacy_defaults_for
from learningcity.badges import images
from learningcity.badges.authoring import badge_class_publish
from learningcity.badges.delivery import award_delivery_mark_claimed
from learningcity.badges.models import Award, BadgeClass, BadgeStatus, Level
from learningcity.badges.services import award_issue, award_revoke
from learningcity.cities.models import City
from learningcity.core.errors import ServiceError
from learningcity.credentials import baking
from learningcity.credentials.fetch import FetchError, FetchResult
from learningcity.learners import backpack
from learningcity.learners.models import ImportedBadge, ImportSource
from learningcity.opportunities.models import Opportunity, OpportunityStatus, Topic
from learningcity.organisations.models import Organisation
from learningcity.pathways import completion
from learningcity.pathways.models import Enrolment, Pathway
from learningcity.pathways.selectors import (
    StepBadges,
    completion_pathway,
    held_badges_for_users,
    pathway_steps_with_badges,
)
from learningcity.pathways.services import (
    enrolment_join,
    enrolments_evaluate,
    pathway_create,
    pathway_publish,
    pathway_step_add,
)

from . import data
from . import learner_data as spec

if TYPE_CHECKING:
    from .services import DemoReport, DemoSignIn

logger = logging.getLogger(__name__)

# Enrolments on demo pathways start this long ago; step badges are earned after it.
JOINED_DAYS_AGO = 45


@dataclass
class DemoLearnerRecords:
    awards: int = 0
    imported: int = 0
    pathways: int = 0
    enrolments: int = 0
    stages: dict[str, list[str]] = field(default_factory=dict)


def demo_learner_records_load(*, report: DemoReport) -> DemoLearnerRecords:
    """Fill backpacks, import a badge from the other city and build the pathways, for every
    city in ``report`` (which counts the new awards and lists the sign-ins to try)."""
    records = DemoLearnerRecords()
    now = timezone.now()
    cities = list(report.cities)
    learners = {city.pk: _learners(city) for city in cities}
    for city in cities:
        for index in spec.FULL_BACKPACK_LEARNERS:
            learner = learners[city.pk].get(index)
            if learner is not None:
                records.awards += _backpack_fill(city=city, learner=learner, now=now)
    for city in cities:
        other = next((c for c in cities if c.pk != city.pk), None)
        learner = learners[city.pk].get(spec.IMPORTING_LEARNER)
        if other is not None and learner is not None:
            _imports(city=city, other=other, learner=learner, records=records, now=now)
    for city in cities:
        newcomer = _newcomer(city=city, password_from=next(iter(learners[city.pk].values()), None))
        _pathways(
            city=city,
            learners=list(learners[city.pk].values()),
            newcomer=newcomer,
            records=records,
            now=now,
        )
    report.awards += records.awards
    for city in cities:
        learner = learners[city.pk].get(spec.IMPORTING_LEARNER)
        if learner is not None:
            report.sign_ins.append(
                _sign_in(
                    f"Learner with a full backpack, an imported badge and pathways ({city.name})",
                    learner.email,
                )
            )
    if cities:
        report.sign_ins.append(
            _sign_in(
                f"Learner aged {spec.NEWCOMER_AGE} who has just joined two pathways "
                f"({cities[0].name})",
                _newcomer_email(cities[0]),
            )
        )
    return records


def _sign_in(role: str, email: str) -> DemoSignIn:
    from .services import DemoSignIn  # services imports this module

    return DemoSignIn(role, email)


# --- People ---------------------------------------------------------------------------------------


def _city_key(city: City) -> str:
    return city.slug.split("-")[0]


def _learner_email(city: City, index: int) -> str:
    first_name = data.FIRST_NAMES[index % len(data.FIRST_NAMES)]
    return f"{first_name.lower()}.{index}@{_city_key(city)}.learners.demo.learningcity.test"


def _learners(city: City) -> dict[int, User]:
    """The city's demo learners by their index, as ``demo_load`` made them."""
    emails = {_learner_email(city, index): index for index in range(len(data.LEARNER_AGES))}
    users = User.objects.filter(email__in=list(emails))
    return dict(sorted((emails[user.email], user) for user in users))


def _newcomer_email(city: City) -> str:
    return f"{spec.NEWCOMER_NAME.lower()}.new@{_city_key(city)}.learners.demo.learningcity.test"


def _newcomer(*, city: City, password_from: User | None) -> User:
    """A learner who has just joined (no badges yet): on both pathways, not started."""
    email = _newcomer_email(city)
    user = User.objects.filter(email=email).first()
    if user is None:
        # The same password hash as every demo account (hashing again would be slow).
        user = User(
            email=email,
            display_name=spec.NEWCOMER_NAME,
            password=password_from.password if password_from else "!",
        )
        user.save()
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    today = timezone.localdate()
    date_of_birth = datetime.date(today.year - spec.NEWCOMER_AGE - 1, today.month, 1)
    if not LearnerProfile.objects.filter(user=user).exists():
        area = city.areas.filter(kind="postcode_district").order_by("code").first()
        LearnerProfile.objects.create(
            user=user,
            city=city,
            date_of_birth=date_of_birth,
            postcode_district=area.code if area else "",
            area=area,
            interests=list(spec.NEWCOMER_INTERESTS),
            **privacy_defaults_for(date_of_birth=date_of_birth),
        )
    return user


# --- Full backpacks -------------------------------------------------------------------------------


def _city_badges(city: City) -> list[BadgeClass]:
    """The published badge classes of the city's active organisations, in a stable order (the
    pathways' completion badges left out: those are earned only by completing)."""
    completion_names = {p.completion_badge for p in spec.ORGANISATION_PATHWAYS.values()}
    completion_names.add(spec.CITY_EXPLORER_NAME)
    return list(
        BadgeClass.objects.filter(
            organisation__city=city,
            organisation__status=Organisation.Status.ACTIVE,
            status=BadgeStatus.PUBLISHED,
        )
        .exclude(name__in=completion_names)
        .select_related("organisation")
        .order_by("organisation__slug", "name")
    )


def _award(
    badge_class: BadgeClass,
    email: str,
    *,
    name: str,
    issued_at: datetime.datetime,
    expires_at: datetime.datetime | None = None,
) -> Award:
    return award_issue(
        badge_class=badge_class,
        recipient_email=email,
        recipient_name=name,
        issued_by=None,
        issued_at=issued_at,
        expires_at=expires_at,
        notify=False,
    )


def _backpack_fill(*, city: City, learner: User, now: datetime.datetime) -> int:
    """Several more awards, one withdrawn by its organisation and one lapsed. A backpack with the
    withdrawn award is filled already."""
    if Award.objects.filter(
        recipient_email=learner.email, revocation_reason=spec.REVOKED_REASON
    ).exists():
        return 0
    held = set(
        Award.objects.filter(recipient_email=learner.email).values_list("badge_class_id", flat=True)
    )
    badges = [badge for badge in _city_badges(city) if badge.pk not in held]
    if not badges:
        return 0
    # Each learner starts at a different place in the list, so backpacks differ.
    start = (learner.pk * 7) % len(badges)
    badges = badges[start:] + badges[:start]
    made = 0
    for number, badge_class in enumerate(badges[: spec.FULL_BACKPACK_EXTRA_AWARDS]):
        issued_at = now - datetime.timedelta(days=30 + 21 * number)
        _award(badge_class, learner.email, name=learner.display_name, issued_at=issued_at)
        made += 1
    rest = badges[spec.FULL_BACKPACK_EXTRA_AWARDS :]
    if rest:
        award = _award(
            rest[0],
            learner.email,
            name=learner.display_name,
            issued_at=now - datetime.timedelta(days=90),
        )
        award_revoke(award=award, by=None, reason=spec.REVOKED_REASON)
        made += 1
    if len(rest) > 1:
        issued_at = now - datetime.timedelta(days=spec.EXPIRED_ISSUED_DAYS_AGO)
        _award(
            rest[1],
            learner.email,
            name=learner.display_name,
            issued_at=issued_at,
            expires_at=issued_at + datetime.timedelta(days=spec.EXPIRED_VALID_DAYS),
        )
        made += 1
    return made


# --- Imported badges ------------------------------------------------------------------------------


class InstallationFetcher:
    """Answers the verifier's requests for this installation's own URLs (``SITE_URL``: DID
    documents, status lists, hosted credentials) in-process, through the views that serve them
    over HTTP; refuses every other URL. For use while this site is not serving HTTP."""

    def __init__(self) -> None:
        site = urlsplit(settings.SITE_URL)
        self.netloc = site.netloc
        self.secure = site.scheme == "https"
        self.client = Client()

    def get(self, url: str, *, accept: str) -> FetchResult:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != self.netloc:
            raise FetchError(f"{url} is not on this installation.")
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        response = self.client.get(
            path, HTTP_ACCEPT=accept, HTTP_HOST=self.netloc, secure=self.secure
        )
        body = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        return FetchResult(
            url=url, status=response.status_code, content_type=content_type, body=body
        )


def _baked_png(award: Award) -> bytes:
    """The award's baked PNG, exactly as the ``award-png`` URL serves it."""
    return baking.bake_png(
        images.badge_png(award.badge_class),
        keyword="openbadgecredential",
        text=json.dumps(award.ob3_credential, ensure_ascii=False),
    )


def _other_city_badge(other: City, organisation: str, name: str) -> BadgeClass | None:
    return (
        BadgeClass.objects.filter(
            organisation__city=other,
            organisation__name=organisation,
            name=name,
            status=BadgeStatus.PUBLISHED,
        )
        .select_related("organisation")
        .first()
    )


def _award_to_second_address(
    badge_class: BadgeClass, address: str, name: str, issued_at: datetime.datetime
) -> tuple[Award, bool]:
    """The award of ``badge_class`` to ``address`` (made now if there is none), and whether it
    was made now."""
    existing = (
        Award.objects.filter(badge_class=badge_class, recipient_email=address)
        .order_by("-issued_at")
        .first()
    )
    if existing is not None:
        return existing, False
    return _award(badge_class, address, name=name, issued_at=issued_at), True


def _imports(
    *, city: City, other: City, learner: User, records: DemoLearnerRecords, now: datetime.datetime
) -> None:
    """The learner's badge from the other city, awarded there to their old school address and
    imported here from its baked PNG; and a second one, imported and withdrawn since, which the
    backpack's re-check shows as revoked."""
    address = spec.second_address(
        first_name=learner.display_name,
        index=spec.IMPORTING_LEARNER,
        other_city_key=_city_key(other),
    )
    # Known by name and issuer (not achievement id: that needs the URLconf, slow to load on
    # a second run that otherwise reverses no URL).
    held = set(ImportedBadge.objects.filter(owner=learner).values_list("name", "issuer_name"))
    plans = [
        (spec.IMPORTED_FROM.get(city.slug), 240, False),
        (spec.IMPORTED_THEN_REVOKED.get(city.slug), 150, True),
    ]
    fetcher = InstallationFetcher()
    for plan, days_ago, revoke in plans:
        if plan is None:
            continue
        badge_class = _other_city_badge(other, *plan)
        if badge_class is None or (badge_class.name, badge_class.organisation.name) in held:
            continue
        award, made = _award_to_second_address(
            badge_class,
            address,
            learner.display_name,
            now - datetime.timedelta(days=days_ago),
        )
        records.awards += int(made)
        if award.revoked_at is not None:
            continue  # withdrawn before it was imported: nothing to import
        try:
            imported = backpack.imported_badge_add(
                owner=learner,
                source=ImportSource.FILE,
                data=_baked_png(award),
                filename=f"{badge_class.name}.png",
                fetcher=fetcher,
            )
        except ServiceError as refused:
            logger.warning("Demo import of %s refused: %s", badge_class, refused.message)
            continue
        records.imported += 1
        if revoke:
            award_revoke(award=award, by=None, reason=spec.IMPORTED_REVOKED_REASON)
            backpack.imported_badge_recheck(imported=imported, fetcher=fetcher)


# --- Pathways -------------------------------------------------------------------------------------


def _completion_badge(
    organisation: Organisation, *, name: str, description: str, criteria: str
) -> BadgeClass:
    badge_class, _ = BadgeClass.objects.get_or_create(
        organisation=organisation,
        name=name,
        defaults={
            "level": Level.DEMONSTRATE,
            "description": description,
            "criteria": criteria,
            "skills": [],
            "tags": ["pathway"],
            "image_colour": organisation.city.primary_colour,
            "design_icon": "star",
        },
    )
    if badge_class.status == BadgeStatus.DRAFT:
        badge_class = badge_class_publish(badge_class=badge_class)
    return badge_class


def _owner(organisation: Organisation) -> User | None:
    return User.objects.filter(email=f"owner@{organisation.slug}.demo.learningcity.test").first()


def _organisation_pathway(city: City) -> Pathway | None:
    plan = spec.ORGANISATION_PATHWAYS.get(city.slug)
    if plan is None or Pathway.objects.filter(city=city, name=plan.name).exists():
        return None
    organisation = Organisation.objects.filter(city=city, name=plan.organisation).first()
    if organisation is None:
        return None
    badges = []
    for step in plan.steps:
        badge_class = BadgeClass.objects.filter(
            organisation__city=city,
            organisation__name=step.organisation,
            name=step.badge,
            status=BadgeStatus.PUBLISHED,
        ).first()
        if badge_class is None:
            return None
        badges.append(badge_class)
    by = _owner(organisation)
    pathway = pathway_create(
        city=city,
        organisation=organisation,
        by=by,
        name=plan.name,
        summary=plan.summary,
        description=plan.description,
        destination_kind=plan.destination_kind,
        destination=plan.destination,
        destination_url=plan.destination_url,
        ordered=True,
        completion_badge=_completion_badge(
            organisation,
            name=plan.completion_badge,
            description=plan.completion_description,
            criteria=plan.completion_criteria,
        ),
    )
    for step, badge_class in zip(plan.steps, badges, strict=True):
        linked = Opportunity.objects.filter(
            city=city, status=OpportunityStatus.PUBLISHED, badge_classes=badge_class
        ).order_by("first_starts_at", "title")[:2]
        pathway_step_add(
            pathway=pathway,
            title=step.title,
            description=step.description or f"Earn {badge_class.name} with {step.organisation}.",
            badge_classes=[badge_class],
            opportunities=list(linked),
        )
    return pathway_publish(pathway=pathway, by=by)


def _city_explorer(city: City) -> Pathway | None:
    if Pathway.objects.filter(city=city, name=spec.CITY_EXPLORER_NAME).exists():
        return None
    issuer = Organisation.objects.filter(
        city=city, name=spec.CITY_EXPLORER_ISSUER.get(city.slug, "")
    ).first()
    topics = {topic.name: topic for topic in Topic.objects.filter(city=city)}
    if issuer is None or any(name not in topics for name in spec.CITY_EXPLORER_TOPICS):
        return None
    pathway = pathway_create(
        city=city,
        organisation=None,
        by=None,
        name=spec.CITY_EXPLORER_NAME,
        summary=spec.CITY_EXPLORER_SUMMARY,
        description=spec.CITY_EXPLORER_DESCRIPTION,
        destination_kind="other",
        destination=f"The {city.name} City Explorer badge",
        ordered=False,
        completion_badge=_completion_badge(
            issuer,
            name=spec.CITY_EXPLORER_NAME,
            description=spec.CITY_EXPLORER_BADGE_DESCRIPTION,
            criteria=spec.CITY_EXPLORER_BADGE_CRITERIA,
        ),
    )
    for name in spec.CITY_EXPLORER_TOPICS:
        pathway_step_add(
            pathway=pathway,
            title=f"A badge in {name}",
            description=f"Any badge from an opportunity in {name}.",
            topic=topics[name],
        )
    return pathway_publish(pathway=pathway, by=None)


def _pathways(
    *,
    city: City,
    learners: list[User],
    newcomer: User,
    records: DemoLearnerRecords,
    now: datetime.datetime,
) -> None:
    eligible = _eligible(learners)
    for pathway in (_organisation_pathway(city), _city_explorer(city)):
        if pathway is None:
            continue
        records.pathways += 1
        _stages(pathway=pathway, learners=eligible, newcomer=newcomer, records=records, now=now)


def _eligible(learners: list[User]) -> list[User]:
    """Learners who may be put on a pathway: 13 or older (so no guardian's yes is pending)."""
    profiles = {
        profile.user_id: profile
        for profile in LearnerProfile.objects.filter(user__in=learners).select_related(
            "user__guardian_consent"
        )
    }
    return [
        user
        for user in learners
        if user.pk in profiles
        and profiles[user.pk].age >= 13
        and not profiles[user.pk].needs_guardian_consent
    ]


def _evaluate(
    pathway: Pathway, steps: list[StepBadges], held: list[completion.HeldBadge]
) -> completion.Progress:
    return completion.evaluate(completion_pathway(pathway=pathway, steps=steps), held)


def _stages(
    *,
    pathway: Pathway,
    learners: list[User],
    newcomer: User,
    records: DemoLearnerRecords,
    now: datetime.datetime,
) -> None:
    """Put learners on ``pathway`` at every stage: not started (the newcomer, who has no badges
    yet), part way, one step left and completed (the last by the pathways service awarding the
    completion badge)."""
    steps = pathway_steps_with_badges(pathway=pathway)
    total = len(steps)
    targets = {
        "completed": total,
        "one step left": total - 1,
        "part way": max(1, total // 2),
        "not started": 0,
    }
    step_ids = {badge_id for item in steps for badge_id in item.all_ids()}
    step_class_ids = {bc.pk for item in steps for bc in item.badge_classes.values()}
    everyone = [newcomer, *learners]
    # What each learner holds and was ever awarded, read once and kept up to date here.
    held = held_badges_for_users(user_ids=[user.pk for user in everyone])
    awarded: dict[str, set[int]] = {user.email: set() for user in everyone}
    for email, badge_class_id in Award.objects.filter(
        recipient_email__in=list(awarded)
    ).values_list("recipient_email", "badge_class_id"):
        awarded[email].add(badge_class_id)
    used: set[int] = set()
    for stage in ("completed", "one step left", "part way", "not started"):
        target = targets[stage]
        preferred = set(spec.PREFERRED.get(stage, ()))
        candidates = sorted(
            (user for user in learners if user.pk not in used),
            key=lambda user: 0 if _index_of(user) in preferred else 1,
        )
        if target == 0:
            candidates.insert(0, newcomer)
        chosen = None
        for user in candidates:
            progress = _evaluate(pathway, steps, held[user.pk])
            done = len(progress.satisfied)
            if pathway.ordered:
                # Topped up in order from a clean start (no step badge held or ever awarded:
                # a lapsed one cannot be given again), so the order rule is kept.
                fits = not any(badge.badge_id in step_ids for badge in held[user.pk]) and not (
                    step_class_ids & awarded[user.email]
                )
            else:
                fits = done <= target and _can_top_up(
                    steps, progress, awarded[user.email], target - done
                )
            if fits and (target > 0 or done == 0):
                chosen = user
                break
        if chosen is None:
            logger.warning("No demo learner fits %r on %s", stage, pathway)
            continue
        used.add(chosen.pk)
        enrolment = enrolment_join(pathway=pathway, learner=chosen)
        Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(
            joined_at=now - datetime.timedelta(days=JOINED_DAYS_AGO)
        )
        records.awards += _top_up(
            pathway=pathway,
            steps=steps,
            user=chosen,
            held=held[chosen.pk],
            awarded=awarded[chosen.email],
            target=target,
            now=now,
        )
        enrolments_evaluate(user_id=chosen.pk)
        _completion_email_not_sent(pathway=pathway, learner=chosen)
        records.enrolments += 1
        records.stages.setdefault(stage, []).append(f"{pathway.name}: {chosen.email}")


def _completion_email_not_sent(*, pathway: Pathway, learner: User) -> None:
    """The pathways service awards the completion badge with its email, queued to go after
    commit. The demo sends no email: the award is recorded as already in the learner's hands
    (it is on their account), which the email task skips."""
    award = (
        Enrolment.objects.filter(pathway=pathway, learner=learner, completion_award__isnull=False)
        .values_list("completion_award", flat=True)
        .first()
    )
    if award is not None:
        award_delivery_mark_claimed(award=Award.objects.get(pk=award))


def _can_top_up(
    steps: list[StepBadges], progress: completion.Progress, awarded: set[int], needed: int
) -> bool:
    """Whether ``needed`` more steps can be satisfied with badges the learner was never awarded
    (one live award per badge class: a lapsed one cannot be given again)."""
    if needed <= 0:
        return True
    satisfied = set(progress.satisfied)
    open_steps = [
        item
        for item in steps
        if str(item.step.pk) not in satisfied
        and any(badge_class.pk not in awarded for badge_class in item.badge_classes.values())
    ]
    return len(open_steps) >= needed


def _index_of(user: User) -> int | None:
    local = user.email.split("@", 1)[0]
    number = local.rsplit(".", 1)[-1]
    return int(number) if number.isdigit() else None


def _top_up(
    *,
    pathway: Pathway,
    steps: list[StepBadges],
    user: User,
    held: list[completion.HeldBadge],
    awarded: set[int],
    target: int,
    now: datetime.datetime,
) -> int:
    """Award ``user`` badges for unsatisfied steps (in an ordered pathway, the next one) until
    ``target`` steps are done, each a few days after the last; for a topic step, the badge that
    counts towards the fewest other missing steps, so the learner stops where intended.
    ``held`` and ``awarded`` (badge class ids) are the learner's, and are kept up to date."""
    made = 0
    for _attempt in range(len(steps)):
        satisfied = set(_evaluate(pathway, steps, held).satisfied)
        if len(satisfied) >= target:
            break
        missing = [item for item in steps if str(item.step.pk) not in satisfied]
        held_ids = {badge.badge_id for badge in held}
        choice = None
        for item in missing[:1] if pathway.ordered else missing:
            options = [
                (badge_id, badge_class)
                for badge_id, badge_class in item.badge_classes.items()
                if badge_id not in held_ids
                and badge_class.pk not in awarded
                and badge_class.status == BadgeStatus.PUBLISHED
            ]
            if options:
                others = [other.all_ids() for other in missing if other is not item]
                choice = (
                    item,
                    min(
                        options,
                        key=lambda option: (
                            sum(option[0] in ids for ids in others),
                            option[1].name,
                        ),
                    ),
                )
                break
        if choice is None:
            break
        item, (badge_id, badge_class) = choice
        issued_at = now - datetime.timedelta(days=JOINED_DAYS_AGO - 6 * item.step.position)
        _award(badge_class, user.email, name=user.display_name, issued_at=issued_at)
        held.append(completion.HeldBadge(badge_id=badge_id, earned_at=issued_at))
        awarded.add(badge_class.pk)
        made += 1
    return made
