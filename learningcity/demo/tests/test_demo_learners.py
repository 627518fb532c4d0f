"""The demo's learner records (issue 6): full backpacks, badges imported from the other demo
city, and pathways with learners at every stage — made through the real services, once."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.badges.models import Award
from learningcity.cities.models import City
from learningcity.demo import data
from learningcity.demo import learner_data as spec
from learningcity.learners.models import ImportedBadge, ImportSource
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus, PathwayStep
from learningcity.pathways.recommendations import recommendations_for, suggestions_set

pytestmark = pytest.mark.django_db

CITIES = ("brighton-and-hove", "plymouth")


def learner(city_slug: str, index: int) -> User:
    first_name = data.FIRST_NAMES[index % len(data.FIRST_NAMES)].lower()
    key = city_slug.split("-")[0]
    return User.objects.get(email=f"{first_name}.{index}@{key}.learners.demo.learningcity.test")


def load_demo() -> None:
    call_command("load_demo", stdout=io.StringIO())


def stages_of(pathway: Pathway) -> set[str]:
    total = pathway.steps.count()
    found = set()
    for enrolment in pathway.enrolments.all():
        if enrolment.completed_at is not None:
            found.add("completed")
        elif enrolment.steps_done == 0:
            found.add("not started")
        elif enrolment.steps_done == total - 1:
            found.add("one step left")
        else:
            found.add("part way")
    return found


def test_the_demo_has_backpacks_imports_and_pathways_at_every_stage(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        load_demo()
    assert mail.outbox == []
    now = timezone.now()
    cities = {city.slug: city for city in City.objects.filter(slug__in=CITIES)}
    assert set(cities) == set(CITIES)

    for slug, city in cities.items():
        # Full backpacks: several awards each, one withdrawn, one lapsed.
        for index in spec.FULL_BACKPACK_LEARNERS:
            awards = Award.objects.filter(recipient=learner(slug, index))
            assert awards.count() >= 6
            assert awards.filter(revoked_at__isnull=False).exists()
            assert awards.filter(expires_at__lt=now, revoked_at__isnull=True).exists()

        # A badge from the other city, under a second address, imported and verified.
        other = next(c for s, c in cities.items() if s != slug)
        owner = learner(slug, spec.IMPORTING_LEARNER)
        imported = ImportedBadge.objects.filter(owner=owner)
        valid = imported.get(status="valid")
        assert valid.source == ImportSource.FILE
        assert valid.issuer_confirmed is True
        assert valid.issuer_name == spec.IMPORTED_FROM[slug][0]
        assert valid.name == spec.IMPORTED_FROM[slug][1]
        assert valid.image.name.endswith(".png")
        source_award = Award.objects.get(
            badge_class__organisation__city=other,
            badge_class__name=valid.name,
            badge_class__organisation__name=valid.issuer_name,
            recipient_email__endswith=".schools.demo.learningcity.test",
        )
        assert source_award.recipient is None  # not an address of the learner's account
        assert valid.achievement_id.endswith(f"/{source_award.badge_class.public_id}/")
        # The second import was withdrawn by its issuer since: the re-check shows it.
        withdrawn = imported.get(status="revoked")
        assert withdrawn.name == spec.IMPORTED_THEN_REVOKED[slug][1]

        # An organisation's ordered pathway and the city-wide City Explorer, both published.
        plan = spec.ORGANISATION_PATHWAYS[slug]
        organisational = Pathway.objects.get(city=city, name=plan.name)
        assert organisational.organisation.name == plan.organisation
        assert organisational.ordered is True
        assert organisational.destination
        assert organisational.completion_badge is not None
        assert 3 <= organisational.steps.count() <= 4
        explorer = Pathway.objects.get(city=city, name=spec.CITY_EXPLORER_NAME)
        assert explorer.organisation is None
        assert explorer.ordered is False
        steps = PathwayStep.objects.filter(pathway=explorer)
        assert sorted(steps.values_list("topic__name", flat=True)) == sorted(
            spec.CITY_EXPLORER_TOPICS
        )
        for pathway in (organisational, explorer):
            assert pathway.status == PathwayStatus.PUBLISHED
            assert stages_of(pathway) == set(spec.STAGES)
            for enrolment in pathway.enrolments.filter(completed_at__isnull=False):
                award = enrolment.completion_award
                assert award is not None
                assert award.badge_class_id == pathway.completion_badge_id
                assert award.recipient_id == enrolment.learner_id
                assert award.revoked_at is None


def test_demo_learners_on_the_way_are_suggested_their_next_step(db):
    load_demo()
    on_the_way = Enrolment.objects.filter(
        completed_at__isnull=True, steps_done__gt=0, pathway__ordered=True
    ).select_related("pathway", "learner__learner_profile")
    reasons = set()
    for enrolment in on_the_way:
        profile = enrolment.learner.learner_profile
        suggestions_set(profile=profile, enabled=True, opportunities=True, pathways=True)
        result = recommendations_for(user=enrolment.learner)
        reasons |= {suggestion.why for suggestion in result.opportunities}
    expected = {
        f"Next step on your pathway {plan.name}" for plan in spec.ORGANISATION_PATHWAYS.values()
    }
    assert reasons & expected


def test_loading_the_demo_twice_adds_no_learner_records(db):
    load_demo()

    def counts() -> dict[str, int]:
        models = (User, Award, ImportedBadge, Pathway, PathwayStep, Enrolment)
        return {model.__name__: model.objects.count() for model in models}

    before = counts()
    load_demo()
    assert counts() == before
