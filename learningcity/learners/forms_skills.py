"""The form for a skill the learner declares. It parses; ``learners.skills`` writes."""

from __future__ import annotations

from django import forms

from .models import DeclaredSkill
from .skills import NAME_MAX_LENGTH


class DeclaredSkillForm(forms.Form):
    name = forms.CharField(
        label="Skill",
        max_length=NAME_MAX_LENGTH,
        help_text="Something you can do that none of your badges shows yet, like “Cooking”.",
    )
    level = forms.ChoiceField(
        label="How well you know it",
        choices=DeclaredSkill.Level.choices,
        initial=DeclaredSkill.Level.CONFIDENT,
    )
