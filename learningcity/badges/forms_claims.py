"""Forms for claim codes and award deliveries. They parse and validate; the services write."""

from __future__ import annotations

from typing import Any

from django import forms

from learningcity.core import errors
from learningcity.organisations.models import Organisation

from .claims import ALPHABET, CODE_LENGTH, claim_code_normalise
from .models import BadgeClass, BadgeStatus, DeliveryStatus

STATUS_CHOICES_WITH_ALL = [("", "All"), *DeliveryStatus.choices]


class ClaimCodeCreateForm(forms.Form):
    badge_class = forms.ModelChoiceField(
        label="Badge", queryset=BadgeClass.objects.none(), empty_label=None
    )
    max_uses = forms.IntegerField(
        label="How many people can use it",
        required=False,
        min_value=1,
        max_value=100_000,
        initial=1,
        help_text="1 makes a single-use code for one person. Leave it empty for no limit.",
    )
    expires_at = forms.DateTimeField(
        label="Stops working at",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Leave it empty for a code that works until you switch it off.",
    )

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["badge_class"].queryset = BadgeClass.objects.filter(  # type: ignore[attr-defined]
            organisation=organisation
        ).exclude(status=BadgeStatus.ARCHIVED)


class ClaimForm(forms.Form):
    """The code a learner types. Case, spaces and dashes don't matter."""

    show_optional_marker = False

    code = forms.CharField(
        label="Claim code",
        max_length=20,
        help_text="It's on the poster or card, like 7KQM-3XPA.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def clean_code(self) -> str:
        code = claim_code_normalise(self.cleaned_data["code"])
        if len(code) != CODE_LENGTH or any(ch not in ALPHABET for ch in code):
            raise forms.ValidationError(errors.CLAIM_CODE_INVALID)
        return code


class DeliveryFilterForm(forms.Form):
    show_optional_marker = False

    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES_WITH_ALL)
