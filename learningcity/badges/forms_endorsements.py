"""Forms for endorsement requests."""

from __future__ import annotations

from django import forms


class EndorsementRequestForm(forms.Form):
    message = forms.CharField(
        label="A note for the city team (optional)",
        help_text="Who the badge is for and how you check the criteria are met.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
