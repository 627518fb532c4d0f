"""Skills frameworks: the Skills Builder default, importing from CSV (all or nothing)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from learningcity.badges.models import Skill, SkillFramework
from learningcity.badges.skills import (
    SKILLS_BUILDER_NAME,
    skill_list,
    skills_builder_ensure,
    skills_import,
)
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors

pytestmark = pytest.mark.django_db

EIGHT = {
    "Listening",
    "Speaking",
    "Problem Solving",
    "Creativity",
    "Staying Positive",
    "Aiming High",
    "Leadership",
    "Teamwork",
}


@pytest.fixture
def city():
    return CityFactory(slug="brighton", name="Brighton")


def test_skills_builder_ships_its_eight_essential_skills(city) -> None:
    framework = skills_builder_ensure(city=city)
    assert framework.name == SKILLS_BUILDER_NAME
    assert framework.is_default
    skills = {skill.name: skill for skill in framework.skills.all()}
    assert set(skills) == EIGHT
    assert skills["Problem Solving"].url == (
        "https://www.skillsbuilder.org/universal-framework/problem-solving"
    )


def test_ensuring_twice_changes_nothing_and_restores_a_deleted_skill(city) -> None:
    skills_builder_ensure(city=city)
    Skill.objects.filter(name="Teamwork").delete()
    skills_builder_ensure(city=city)
    skills_builder_ensure(city=city)
    assert SkillFramework.objects.filter(city=city).count() == 1
    assert Skill.objects.filter(framework__city=city).count() == 8


def test_the_skill_list_gives_a_new_city_the_default_framework(city) -> None:
    other = CityFactory(slug="plymouth")
    skills = list(skill_list(city=city))
    assert {skill.name for skill in skills} == EIGHT
    assert not SkillFramework.objects.filter(city=other).exists()


def test_a_skill_is_stored_on_a_badge_in_the_alignment_shape(city) -> None:
    skill = skill_list(city=city).get(name="Teamwork")
    assert skill.as_alignment() == {
        "name": "Teamwork",
        "framework": SKILLS_BUILDER_NAME,
        "url": "https://www.skillsbuilder.org/universal-framework/teamwork",
        "code": "teamwork",
    }


CSV = (
    "name,code,description,url\n"
    "Digital making,DM1,Build things with code,https://example.org/dm\n"
    "Cooking,,Feed people well,\n"
)


def test_importing_creates_a_framework_and_its_skills_then_changes_nothing(city) -> None:
    report = skills_import(
        city=city,
        framework_name="Maker Skills",
        framework_url="https://example.org/",
        csv_data=CSV.encode(),
    )
    assert report.ok and (report.created, report.updated) == (2, 0)
    framework = SkillFramework.objects.get(city=city, name="Maker Skills")
    assert framework.url == "https://example.org/"
    assert not framework.is_default
    again = skills_import(city=city, framework_name="Maker Skills", csv_data=CSV.encode())
    assert (again.created, again.updated) == (0, 0)


def test_importing_updates_a_changed_skill(city) -> None:
    skills_import(city=city, framework_name="Maker Skills", csv_data=CSV.encode())
    report = skills_import(
        city=city,
        framework_name="Maker Skills",
        csv_data=b"name,description\nCooking,Feed people very well\n",
    )
    assert (report.created, report.updated) == (0, 1)
    assert Skill.objects.get(name="Cooking").description == "Feed people very well"


def test_a_file_with_bad_rows_writes_nothing_and_names_every_problem(city) -> None:
    bad = (
        "name,code,url\n"
        "Good skill,G1,https://example.org\n"
        ",X,\n"
        "Good skill,G2,\n"
        "Linked,L," + "not a url\n"
        "Long," + "c" * 41 + ",\n"
    )
    report = skills_import(city=city, framework_name="Maker Skills", csv_data=bad.encode())
    assert [(e.line, e.column) for e in report.errors] == [
        (3, "name"),
        (4, "name"),
        (5, "url"),
        (6, "code"),
    ]
    assert report.errors[0].message == errors.SKILL_IMPORT_NAME_REQUIRED
    assert report.errors[1].message == errors.SKILL_IMPORT_NAME_DUPLICATE.format(
        name="Good skill", line=2
    )
    assert not SkillFramework.objects.filter(name="Maker Skills").exists()


def test_file_level_problems_are_refused(city) -> None:
    missing = skills_import(city=city, framework_name="F", csv_data=b"title\nX\n")
    assert missing.errors[0].message == errors.SKILL_IMPORT_COLUMN_MISSING.format(column="name")
    latin1 = skills_import(
        city=city, framework_name="F", csv_data="name\nCaf\xe9\n".encode("latin-1")
    )
    assert latin1.errors[0].message == errors.SKILL_IMPORT_NOT_UTF8
    empty = skills_import(city=city, framework_name="F", csv_data=b"name\n\n")
    assert empty.errors[0].message == errors.SKILL_IMPORT_NO_ROWS


def test_the_command_imports_a_file(city, tmp_path, capsys) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(CSV)
    call_command(
        "import_skills",
        "brighton",
        str(path),
        "--framework",
        "Maker Skills",
        "--url",
        "https://example.org/",
    )
    assert "2 skills added" in capsys.readouterr().out
    assert Skill.objects.filter(framework__name="Maker Skills").count() == 2


def test_the_command_fails_with_every_problem_and_writes_nothing(city, tmp_path, capsys) -> None:
    path = tmp_path / "skills.csv"
    path.write_text("name\n\nok\nok\n")
    with pytest.raises(CommandError, match="1 problem in"):
        call_command("import_skills", "brighton", str(path), "--framework", "Maker Skills")
    assert "line 4, column name" in capsys.readouterr().err
    assert not SkillFramework.objects.filter(name="Maker Skills").exists()


def test_the_command_names_an_unknown_city(city, tmp_path) -> None:
    path = tmp_path / "skills.csv"
    path.write_text(CSV)
    with pytest.raises(CommandError, match="no city with the slug “nowhere”"):
        call_command("import_skills", "nowhere", str(path), "--framework", "F")
