"""The learner's skills page: verified skills as a chart and a table, and the skills they
declare, kept apart."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from learningcity.accounts.models import User
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from ..charts import Bar, bar_chart_svg
from ..forms_skills import DeclaredSkillForm
from ..selectors import declared_skill_for_owner
from ..skills import SkillsSummary, declared_skill_add, declared_skill_remove, skills_summary

#: Bars in the chart; the table below it always lists every skill.
CHART_LIMIT = 12


def skills_chart(summary: SkillsSummary, *, limit: int = CHART_LIMIT) -> str:
    """The verified skills as an accessible SVG bar chart (the most supported first)."""
    shown = summary.verified[:limit]
    total = len(summary.verified)
    description = "; ".join(
        f"{skill.name}: {skill.count} {'badge' if skill.count == 1 else 'badges'}"
        + (f", highest level {skill.highest_level}" if skill.highest_level else "")
        for skill in shown
    )
    if total > len(shown):
        description += f". {total - len(shown)} more skills are in the table."
    return bar_chart_svg(
        [Bar(label=skill.name, value=skill.count, level=skill.highest_level) for skill in shown],
        title=f"How many badges show each of your {total} verified skills",
        description=description,
        id_prefix="skills-chart",
    )


def _page(request: HttpRequest, *, form: DeclaredSkillForm, status: int = 200) -> HttpResponse:
    user = cast(User, request.user)
    summary = skills_summary(user=user)
    profile = getattr(user, "learner_profile", None)
    context: dict[str, Any] = {
        "summary": summary,
        "chart": skills_chart(summary) if summary.verified else "",
        "chart_limited": len(summary.verified) > CHART_LIMIT,
        "chart_limit": CHART_LIMIT,
        "form": form,
        "city": profile.city if profile is not None else None,
    }
    return render(request, "learners/skills/skills.html", context, status=status)


@login_required
@require_GET
def skills_page(request: HttpRequest) -> HttpResponse:
    return _page(request, form=DeclaredSkillForm())


@login_required
@require_POST
def declared_skill_add_view(request: HttpRequest) -> HttpResponse:
    form = DeclaredSkillForm(request.POST)
    if form.is_valid():
        try:
            skill = declared_skill_add(
                owner=cast(User, request.user),
                name=form.cleaned_data["name"],
                level=form.cleaned_data["level"],
            )
        except ServiceError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, errors.DECLARED_SKILL_ADDED.format(name=skill.name))
            return redirect("skills")
    return _page(request, form=form, status=400)


@login_required
@require_POST
def declared_skill_remove_view(request: HttpRequest, skill_id: int) -> HttpResponse:
    skill = declared_skill_for_owner(owner=cast(User, request.user), skill_id=skill_id)
    if skill is None:
        raise Http404("No such skill.")
    name = skill.name
    declared_skill_remove(skill=skill)
    messages.success(request, errors.DECLARED_SKILL_REMOVED.format(name=name))
    return redirect("skills")
