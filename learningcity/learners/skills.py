"""A learner's skills: the verified ones, read from the alignments of the badges they hold, and
the ones they declare themselves. The two are kept apart everywhere they are shown: a declared
skill is the learner's word, a verified skill is backed by at least one signed badge.

A verified skill is one (name, framework) pair. Names and frameworks are compared without
regard to case or surrounding spaces; the first spelling met is the one shown. A skill in the
alignments of a badge made here without a framework belongs to the Skills Builder Universal
Framework, as its OB 3.0 credential says (``badges.publishing.achievement``).

Only badges that still count support a skill: awards that are not revoked, not replaced and not
expired; imported badges whose last check found them valid and that have not expired since.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from learningcity.accounts.models import User
from learningcity.badges import publishing
from learningcity.badges.models import Award, Level
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .models import DeclaredSkill, ImportedBadge
from .selectors import (
    declared_skill_list_for,
    skills_awards_live_for,
    skills_imported_valid_for,
)

#: The RSA levels from lowest to highest: "highest level" means latest in this list.
LEVEL_ORDER: tuple[str, ...] = (
    Level.ENGAGE,
    Level.PARTICIPATE,
    Level.DEMONSTRATE,
    Level.LEAD,
)
_LEVEL_BY_FOLDED = {level.casefold(): level for level in LEVEL_ORDER}

NAME_MAX_LENGTH = DeclaredSkill._meta.get_field("name").max_length or 120


@dataclass(frozen=True)
class SupportingBadge:
    """One badge behind a verified skill: made here (``kind="award"``) or imported."""

    kind: str
    public_id: str
    name: str
    issuer: str
    issued_at: datetime.datetime | None
    level: str
    # Where anyone can check the badge: the award's permanent page, or the link an imported
    # badge came from (empty when it was uploaded or pasted).
    verify_url: str


@dataclass
class VerifiedSkill:
    name: str
    framework: str
    url: str = ""
    code: str = ""
    badges: list[SupportingBadge] = field(default_factory=list)

    @property
    def count(self) -> int:
        """How many badges support this skill."""
        return len(self.badges)

    @property
    def highest_level(self) -> str:
        """The highest RSA level among the supporting badges, or "" when none has one."""
        ranks = [LEVEL_ORDER.index(badge.level) for badge in self.badges if badge.level]
        return LEVEL_ORDER[max(ranks)] if ranks else ""

    @property
    def slug(self) -> str:
        """A stable id for the skill's chart bar and table row, unique within one summary."""
        key = f"{self.name.casefold()}\n{self.framework.casefold()}".encode()
        return "skill-" + hashlib.sha256(key).hexdigest()[:12]


@dataclass(frozen=True)
class SkillsSummary:
    verified: list[VerifiedSkill]
    declared: list[DeclaredSkill]
    # Badges that count (live awards and valid imports), with or without skills.
    badge_count: int

    @property
    def is_empty(self) -> bool:
        return not self.verified and not self.declared


def level_known(value: str) -> str:
    """``value`` as one of the RSA levels (case-insensitive), or "" for anything else: imported
    badges may carry any text as their level."""
    return _LEVEL_BY_FOLDED.get((value or "").strip().casefold(), "")


def _award_badge(award: Award) -> SupportingBadge:
    badge_class = award.badge_class
    return SupportingBadge(
        kind="award",
        public_id=award.public_id,
        name=badge_class.name,
        issuer=badge_class.organisation.name,
        issued_at=award.issued_at,
        level=level_known(badge_class.level),
        verify_url=publishing.award_url(award),
    )


def _imported_badge(imported: ImportedBadge) -> SupportingBadge:
    return SupportingBadge(
        kind="imported",
        public_id=imported.public_id,
        name=imported.name,
        issuer=imported.issuer_name,
        issued_at=imported.issued_at,
        level=level_known(imported.level),
        verify_url=imported.source_url,
    )


def skills_aggregate(
    sources: Iterable[tuple[SupportingBadge, list[dict[str, str]], str]],
) -> list[VerifiedSkill]:
    """Group badges by the skills they align to. Each source is ``(badge, skills, default
    framework)``; a badge counts once per skill however often it lists it. Most supported
    skills first, then by name."""
    by_key: dict[tuple[str, str], VerifiedSkill] = {}
    for badge, skills, default_framework in sources:
        seen: set[tuple[str, str]] = set()
        for skill in skills or []:
            if not isinstance(skill, dict):
                continue
            name = str(skill.get("name") or "").strip()
            if not name:
                continue
            framework = str(skill.get("framework") or "").strip() or default_framework
            key = (name.casefold(), framework.casefold())
            if key in seen:
                continue
            seen.add(key)
            entry = by_key.get(key)
            if entry is None:
                entry = by_key[key] = VerifiedSkill(
                    name=name,
                    framework=framework,
                    url=str(skill.get("url") or ""),
                    code=str(skill.get("code") or ""),
                )
            entry.badges.append(badge)
    for entry in by_key.values():
        entry.badges.sort(
            key=lambda b: (LEVEL_ORDER.index(b.level) if b.level else -1, b.issued_at or _EPOCH),
            reverse=True,
        )
    return sorted(by_key.values(), key=lambda s: (-s.count, s.name.casefold(), s.framework))


_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def skills_summary(*, user: User) -> SkillsSummary:
    """The verified skills of ``user`` (from the badges that count) and their declared skills,
    kept apart."""
    now = timezone.now()
    awards = list(skills_awards_live_for(user=user, now=now))
    imported = list(skills_imported_valid_for(user=user, now=now))
    sources: list[tuple[SupportingBadge, list[dict[str, str]], str]] = [
        (_award_badge(award), award.badge_class.skills, publishing.SKILLS_BUILDER_FRAMEWORK)
        for award in awards
    ]
    sources += [(_imported_badge(badge), badge.skills, "") for badge in imported]
    return SkillsSummary(
        verified=skills_aggregate(sources),
        declared=list(declared_skill_list_for(owner=user)),
        badge_count=len(awards) + len(imported),
    )


# --- Declared skills -----------------------------------------------------------------------------


def declared_skill_add(*, owner: User, name: str, level: str) -> DeclaredSkill:
    """Record a skill ``owner`` says they have. Refuses an empty name, an unknown level and a
    name they have already declared (in any case)."""
    name = " ".join((name or "").split())
    if not name:
        raise ServiceError(errors.DECLARED_SKILL_NAME_REQUIRED, field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise ServiceError(
            errors.DECLARED_SKILL_NAME_TOO_LONG.format(limit=NAME_MAX_LENGTH), field="name"
        )
    if level not in DeclaredSkill.Level.values:
        raise ServiceError(errors.DECLARED_SKILL_LEVEL_UNKNOWN, field="level")
    if DeclaredSkill.objects.filter(owner=owner, name__iexact=name).exists():
        raise ServiceError(errors.DECLARED_SKILL_DUPLICATE.format(name=name), field="name")
    try:
        with transaction.atomic():
            return DeclaredSkill.objects.create(owner=owner, name=name, level=level)
    except IntegrityError:  # the same name added at the same moment from another tab
        raise ServiceError(
            errors.DECLARED_SKILL_DUPLICATE.format(name=name), field="name"
        ) from None


def declared_skill_remove(*, skill: DeclaredSkill) -> None:
    """Forget a declared skill. The caller has checked that it is the learner's own."""
    skill.delete()
