"""Skills frameworks: the default one every city gets, importing more from CSV, and the reads the
badge form needs.

Badge classes keep their skills as a JSON copy (``BadgeClass.skills``, the OB alignment shape),
not as foreign keys: a badge already awarded must keep meaning what it meant even if the city
later renames or deletes a skill.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import QuerySet

from learningcity.cities.models import City
from learningcity.cities.services import RowError
from learningcity.core import errors

from .models import Skill, SkillFramework

SKILLS_BUILDER_NAME = "Skills Builder Universal Framework"
SKILLS_BUILDER_URL = "https://www.skillsbuilder.org/universal-framework/"
# The framework's eight essential skills, in its own order, with the slug of each skill's page.
SKILLS_BUILDER_SKILLS = (
    ("Listening", "listening", "Receive, retain and process information or ideas."),
    ("Speaking", "speaking", "Transmit information or ideas, orally."),
    ("Problem Solving", "problem-solving", "Find a solution to a complex situation or challenge."),
    ("Creativity", "creativity", "Use imagination and generate new ideas."),
    ("Staying Positive", "staying-positive", "Use tactics and strategies to overcome setbacks."),
    ("Aiming High", "aiming-high", "Set clear, tangible goals and devise a robust route to them."),
    ("Leadership", "leadership", "Support, encourage and develop others to achieve a goal."),
    ("Teamwork", "teamwork", "Work cooperatively with others towards a shared goal."),
)

SKILL_IMPORT_MAX_BYTES = 1024 * 1024
SKILL_COLUMNS = ("name", "code", "description", "url")
_LIMITS = {"name": 120, "code": 40}
_url_valid = URLValidator(schemes=["http", "https"])


def skills_builder_ensure(*, city: City) -> SkillFramework:
    """Give ``city`` the Skills Builder framework as its default, with its eight skills.

    Idempotent: skills already there are left as they are (a city may have edited them),
    missing ones are added.
    """
    with transaction.atomic():
        framework, _ = SkillFramework.objects.get_or_create(
            city=city,
            name=SKILLS_BUILDER_NAME,
            defaults={"url": SKILLS_BUILDER_URL, "is_default": True},
        )
        have = set(framework.skills.values_list("name", flat=True))
        Skill.objects.bulk_create(
            Skill(
                framework=framework,
                name=name,
                code=slug,
                description=description,
                url=f"{SKILLS_BUILDER_URL}{slug}",
            )
            for name, slug, description in SKILLS_BUILDER_SKILLS
            if name not in have
        )
    return framework


def skill_list(*, city: City) -> QuerySet[Skill]:
    """Every skill of ``city``'s frameworks, default framework first, with the framework joined.

    Makes sure the default framework exists first, so a new city offers skills straight away.
    """
    if not SkillFramework.objects.filter(city=city).exists():
        skills_builder_ensure(city=city)
    return (
        Skill.objects.filter(framework__city=city)
        .select_related("framework")
        .order_by("-framework__is_default", "framework__name", "name")
    )


def skills_as_alignments(skills: QuerySet[Skill] | list[Skill]) -> list[dict[str, str]]:
    return [skill.as_alignment() for skill in skills]


@dataclass
class SkillImportReport:
    """What an import did. With any error, nothing was written and the counts are zero."""

    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _SkillRow:
    line: int
    name: str
    code: str
    description: str
    url: str


def _rows(text: str, report: SkillImportReport) -> list[_SkillRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "name" not in header:
        report.errors.append(
            RowError(1, None, errors.SKILL_IMPORT_COLUMN_MISSING.format(column="name"))
        )
        return []
    reader.fieldnames = header
    rows: list[_SkillRow] = []
    seen: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num  # DictReader skips blank lines: count the file's own lines
        values = {column: (raw.get(column) or "").strip() for column in SKILL_COLUMNS}
        if not any(values.values()):
            continue  # a blank line, as spreadsheets leave at the end
        problems = len(report.errors)
        if not values["name"]:
            report.errors.append(RowError(line, "name", errors.SKILL_IMPORT_NAME_REQUIRED))
        elif values["name"].lower() in seen:
            report.errors.append(
                RowError(
                    line,
                    "name",
                    errors.SKILL_IMPORT_NAME_DUPLICATE.format(
                        name=values["name"], line=seen[values["name"].lower()]
                    ),
                )
            )
        for column, limit in _LIMITS.items():
            if len(values[column]) > limit:
                report.errors.append(
                    RowError(
                        line,
                        column,
                        errors.SKILL_IMPORT_VALUE_TOO_LONG.format(
                            length=len(values[column]), limit=limit
                        ),
                    )
                )
        if values["url"]:
            try:
                _url_valid(values["url"])
            except ValidationError:
                report.errors.append(
                    RowError(
                        line, "url", errors.SKILL_IMPORT_URL_INVALID.format(value=values["url"])
                    )
                )
        if values["name"]:
            seen.setdefault(values["name"].lower(), line)
        if len(report.errors) == problems:
            rows.append(_SkillRow(line=line, **values))
    if not rows and not report.errors:
        report.errors.append(RowError(None, None, errors.SKILL_IMPORT_NO_ROWS))
    return rows


def skills_import(
    *, city: City, framework_name: str, framework_url: str = "", csv_data: bytes
) -> SkillImportReport:
    """Create or update the skills of ``city``'s framework ``framework_name`` from CSV.

    Columns: ``name`` (required), ``code``, ``description``, ``url``. Every row is checked and
    every problem reported with its line; if there is any, nothing is written. Skills are
    matched by name, so importing the same file twice changes nothing.
    """
    report = SkillImportReport()
    if len(csv_data) > SKILL_IMPORT_MAX_BYTES:
        report.errors.append(
            RowError(
                None,
                None,
                errors.AREA_IMPORT_TOO_LARGE.format(limit_mb=SKILL_IMPORT_MAX_BYTES // 1_048_576),
            )
        )
        return report
    try:
        text = csv_data.decode("utf-8-sig")
    except UnicodeDecodeError:
        report.errors.append(RowError(None, None, errors.SKILL_IMPORT_NOT_UTF8))
        return report
    rows = _rows(text, report)
    if report.errors:
        return report
    with transaction.atomic():
        framework, created = SkillFramework.objects.get_or_create(
            city=city, name=framework_name, defaults={"url": framework_url}
        )
        if framework_url and not created and framework.url != framework_url:
            framework.url = framework_url
            framework.save(update_fields=["url", "updated_at"])
        existing = {skill.name.lower(): skill for skill in framework.skills.all()}
        for row in rows:
            values = {"code": row.code, "description": row.description, "url": row.url}
            skill = existing.get(row.name.lower())
            if skill is None:
                Skill.objects.create(framework=framework, name=row.name, **values)
                report.created += 1
            elif any(getattr(skill, key) != value for key, value in values.items()):
                for key, value in values.items():
                    setattr(skill, key, value)
                skill.save()
                report.updated += 1
    return report
