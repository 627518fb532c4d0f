"""The skills summary (verified skills from the badges that count, declared skills apart), its
chart and table, and declaring skills."""

from __future__ import annotations

import datetime
import itertools
import re

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges.models import Level
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.learners.charts import Bar, bar_chart_svg
from learningcity.learners.models import DeclaredSkill, ImportedBadge
from learningcity.learners.skills import (
    declared_skill_add,
    declared_skill_remove,
    skills_summary,
)
from learningcity.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SBUF = "Skills Builder Universal Framework"


@pytest.fixture(autouse=True)
def site_url():
    with override_settings(SITE_URL="http://testserver"):
        yield


def skill(name: str, framework: str = SBUF) -> dict[str, str]:
    return {"name": name, "framework": framework}


_numbers = itertools.count(1)


def imported(owner, *, name, skills, level="", status="valid", expires_at=None):
    number = next(_numbers)
    return ImportedBadge.objects.create(
        owner=owner,
        source="text",
        original="{}",
        fingerprint=f"fingerprint-{number}",
        format="ob3",
        status=status,
        checked_at=timezone.now(),
        name=name,
        issuer_name="Another City Council",
        issued_at=timezone.now() - datetime.timedelta(days=30),
        expires_at=expires_at,
        skills=skills,
        level=level,
        source_url=f"https://elsewhere.example/badges/{number}",
    )


def give(badge_class, user, **kwargs):
    return award_issue(
        badge_class=badge_class, recipient_email=user.email, issued_by=None, notify=False, **kwargs
    )


@pytest.fixture
def learner():
    profile = LearnerProfileFactory(user=UserFactory(display_name="Sam Learner"))
    return profile.user


@pytest.fixture
def backpack(learner):
    """A hand-built backpack: what counts and what must not."""
    organisation = OrganisationFactory(city=learner.learner_profile.city)

    def badge(name, level, skills):
        return BadgeClassFactory(
            organisation=organisation, name=name, level=level, skills=skills, status="published"
        )

    # Counted: two live awards.
    give(badge("Team Captain", Level.LEAD, [skill("Teamwork"), skill("Leadership")]), learner)
    # The same skill twice in one badge counts once; a missing framework is the SBUF one.
    give(
        badge(
            "Youth Club",
            Level.PARTICIPATE,
            [skill("Teamwork"), {"name": "Listening"}, skill("teamwork ")],
        ),
        learner,
    )
    # Not counted: revoked, expired, someone else's.
    revoked = give(badge("Kitchen Crew", Level.LEAD, [skill("Cooking")]), learner)
    award_revoke(award=revoked, by=None, reason="Given by mistake")
    give(
        badge("Old Course", Level.LEAD, [skill("Expired skill")]),
        learner,
        issued_at=timezone.now() - datetime.timedelta(days=400),
        expires_at=timezone.now() - datetime.timedelta(days=35),
    )
    give(badge("Secret", Level.LEAD, [skill("Someone else's skill")]), UserFactory())
    # Imported: valid ones count (any case of name and level), others do not.
    imported(
        learner,
        name="Volunteering",
        skills=[skill("TEAMWORK"), skill("Listening")],
        level="demonstrate",
    )
    imported(learner, name="First Aid", skills=[skill("First aid", "Red Cross")], level="Gold")
    imported(learner, name="Revoked import", skills=[skill("Juggling")], status="revoked")
    imported(learner, name="Tampered import", skills=[skill("Juggling")], status="tampered")
    imported(
        learner,
        name="Expired import",
        skills=[skill("Juggling")],
        expires_at=timezone.now() - datetime.timedelta(days=1),
    )
    DeclaredSkill.objects.create(owner=learner, name="Baking", level="expert")
    return learner


# --- The summary ----------------------------------------------------------------------------------


def test_verified_skills_count_the_badges_that_support_them_and_their_highest_level(backpack):
    summary = skills_summary(user=backpack)
    rows = [(s.name, s.framework, s.count, s.highest_level) for s in summary.verified]
    assert rows == [
        ("Teamwork", SBUF, 3, "Lead"),
        ("Listening", SBUF, 2, "Demonstrate"),
        ("First aid", "Red Cross", 1, ""),
        ("Leadership", SBUF, 1, "Lead"),
    ]
    teamwork = summary.verified[0]
    assert {b.name for b in teamwork.badges} == {"Team Captain", "Youth Club", "Volunteering"}
    assert {b.kind for b in teamwork.badges} == {"award", "imported"}
    # Two live awards and two valid imported badges count; nothing else.
    assert summary.badge_count == 4


def test_revoked_expired_and_other_peoples_badges_support_no_skill(backpack):
    names = {s.name for s in skills_summary(user=backpack).verified}
    assert not names & {"Cooking", "Expired skill", "Someone else's skill", "Juggling"}


def test_an_imported_badge_counts_only_while_it_is_valid(backpack):
    ImportedBadge.objects.filter(owner=backpack, name="Volunteering").update(status="revoked")
    rows = {s.name: s.count for s in skills_summary(user=backpack).verified}
    assert rows["Teamwork"] == 2
    assert rows["Listening"] == 1


def test_declared_skills_are_kept_apart_from_verified_ones(backpack):
    DeclaredSkill.objects.create(owner=backpack, name="Teamwork", level="learning")
    summary = skills_summary(user=backpack)
    assert [s.name for s in summary.declared] == ["Baking", "Teamwork"]
    teamwork = next(s for s in summary.verified if s.name == "Teamwork")
    assert teamwork.count == 3  # declaring a skill adds no support to the verified one


def test_a_learner_with_nothing_has_an_empty_summary(learner):
    summary = skills_summary(user=learner)
    assert summary.is_empty
    assert summary.badge_count == 0


# --- Declared skills: the services ----------------------------------------------------------------


def test_declaring_a_skill_records_it_with_its_level(learner):
    skill_row = declared_skill_add(owner=learner, name="  Public   speaking ", level="learning")
    assert skill_row.name == "Public speaking"
    assert DeclaredSkill.objects.get(owner=learner).level == "learning"


def test_declaring_the_same_skill_twice_is_refused_whatever_its_case(learner):
    declared_skill_add(owner=learner, name="Cooking", level="confident")
    with pytest.raises(ServiceError) as refusal:
        declared_skill_add(owner=learner, name="COOKING", level="expert")
    assert refusal.value.message == errors.DECLARED_SKILL_DUPLICATE.format(name="COOKING")
    assert DeclaredSkill.objects.filter(owner=learner).count() == 1


def test_two_learners_may_declare_the_same_skill(learner):
    declared_skill_add(owner=learner, name="Cooking", level="confident")
    declared_skill_add(owner=UserFactory(), name="Cooking", level="confident")
    assert DeclaredSkill.objects.filter(name="Cooking").count() == 2


@pytest.mark.parametrize(
    ("name", "level", "message"),
    [
        ("   ", "confident", errors.DECLARED_SKILL_NAME_REQUIRED),
        ("Cooking", "wizard", errors.DECLARED_SKILL_LEVEL_UNKNOWN),
        ("x" * 121, "confident", errors.DECLARED_SKILL_NAME_TOO_LONG.format(limit=120)),
    ],
)
def test_a_declared_skill_needs_a_name_and_a_known_level(learner, name, level, message):
    with pytest.raises(ServiceError) as refusal:
        declared_skill_add(owner=learner, name=name, level=level)
    assert refusal.value.message == message
    assert not DeclaredSkill.objects.exists()


def test_removing_a_declared_skill_forgets_it(learner):
    skill_row = declared_skill_add(owner=learner, name="Cooking", level="confident")
    declared_skill_remove(skill=skill_row)
    assert not DeclaredSkill.objects.exists()


# --- The chart ------------------------------------------------------------------------------------


def test_the_chart_is_an_image_with_a_title_a_description_and_every_number_as_text():
    svg = bar_chart_svg(
        [Bar("Teamwork", 3, "Lead"), Bar("<Listening>", 1, "")],
        title="Your skills",
        description="Teamwork: 3 badges",
    )
    assert 'role="img"' in svg
    assert re.search(r'aria-labelledby="chart-title chart-desc"', svg)
    assert '<title id="chart-title">Your skills</title>' in svg
    assert '<desc id="chart-desc">Teamwork: 3 badges</desc>' in svg
    assert "3 badges · Lead" in svg
    assert "1 badge<" in svg
    assert "&lt;Listening&gt;" in svg and "<Listening>" not in svg
    # The level is told by pattern too, not by colour alone.
    assert 'fill="url(#chart-solid)"' in svg


# --- The page -------------------------------------------------------------------------------------


def test_the_skills_page_needs_a_sign_in(client):
    response = client.get(reverse("skills"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_the_skills_page_shows_a_chart_and_a_table_with_the_same_numbers(client, backpack):
    client.force_login(backpack)
    response = client.get(reverse("skills"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert 'role="img"' in svg and "<title" in svg and "<desc" in svg
    chart_numbers = [int(n) for n in re.findall(r'<g class="bar" data-value="(\d+)"', svg)]
    table = page[page.index("<table") : page.index("</table>")]
    table_numbers = [int(n) for n in re.findall(r'<td data-label="Badges">(\d+)</td>', table)]
    assert chart_numbers == table_numbers == [3, 2, 1, 1]
    for name, text in [("Teamwork", "3 badges · Lead"), ("Listening", "2 badges · Demonstrate")]:
        assert f">{name}</text>" in svg
        assert text in svg
        assert name in table
    # Declared skills are listed in their own section, not in the table.
    declared = page[page.index('id="declared-heading"') :]
    assert "Baking" in declared and "Baking" not in table
    assert reverse("backpack-cv") in page


def test_a_learner_with_no_skills_is_pointed_to_earning_badges(client, learner):
    client.force_login(learner)
    page = client.get(reverse("skills")).content.decode()
    assert "No verified skills yet" in page
    assert "<svg" not in page
    city = learner.learner_profile.city
    assert reverse("opportunity-list", kwargs={"city_slug": city.slug}) in page


def test_a_skill_is_declared_from_the_page(client, learner):
    client.force_login(learner)
    response = client.post(
        reverse("skills-declared-add"), {"name": "Cooking", "level": "expert"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("skills")
    assert DeclaredSkill.objects.get(owner=learner).name == "Cooking"
    assert escape(errors.DECLARED_SKILL_ADDED.format(name="Cooking")) in response.content.decode()


def test_declaring_a_duplicate_from_the_page_shows_why(client, learner):
    DeclaredSkill.objects.create(owner=learner, name="Cooking", level="expert")
    client.force_login(learner)
    response = client.post(reverse("skills-declared-add"), {"name": "cooking", "level": "expert"})
    assert response.status_code == 400
    message = escape(errors.DECLARED_SKILL_DUPLICATE.format(name="cooking"))
    assert message in response.content.decode()
    assert DeclaredSkill.objects.filter(owner=learner).count() == 1


def test_a_learner_removes_their_own_declared_skill(client, learner):
    skill_row = DeclaredSkill.objects.create(owner=learner, name="Cooking", level="expert")
    client.force_login(learner)
    response = client.post(reverse("skills-declared-remove", kwargs={"skill_id": skill_row.pk}))
    assert response.status_code == 302
    assert not DeclaredSkill.objects.exists()


def test_another_learners_declared_skill_cannot_be_removed(client, learner):
    skill_row = DeclaredSkill.objects.create(owner=learner, name="Cooking", level="expert")
    client.force_login(UserFactory())
    response = client.post(reverse("skills-declared-remove", kwargs={"skill_id": skill_row.pk}))
    assert response.status_code == 404
    assert DeclaredSkill.objects.filter(pk=skill_row.pk).exists()


def test_removing_needs_a_post(client, learner):
    skill_row = DeclaredSkill.objects.create(owner=learner, name="Cooking", level="expert")
    client.force_login(learner)
    response = client.get(reverse("skills-declared-remove", kwargs={"skill_id": skill_row.pk}))
    assert response.status_code == 405
    assert DeclaredSkill.objects.exists()
