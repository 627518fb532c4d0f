"""The “What next” switches form: the main switch and each kind of suggestion."""

from __future__ import annotations

from django import forms


class SuggestionsForm(forms.Form):
    enabled = forms.BooleanField(
        label="Show me suggestions of what to do next",
        required=False,
        help_text="Worked out from your interests, your badges, your pathways and your area. "
        "Nobody else sees them.",
    )
    opportunities = forms.BooleanField(label="Suggest opportunities", required=False)
    pathways = forms.BooleanField(label="Suggest pathways", required=False)
