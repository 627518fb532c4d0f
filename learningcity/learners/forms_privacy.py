"""Forms for the privacy pages: the suggestion switches, confirming a deletion. They parse and
check; ``learners.privacy`` does the writing."""

from __future__ import annotations

from typing import Any

from django import forms

from learningcity.accounts.models import User
from learningcity.core import errors


class PrivacySettingsForm(forms.Form):
    recommendations_enabled = forms.BooleanField(
        label="Show me suggestions of what to do next",
        required=False,
        help_text=(
            "Suggestions use your interests, your badges, the pathways you've joined and your "
            "area. Nothing is shared with anyone to make them."
        ),
    )
    suggest_opportunities = forms.BooleanField(
        label="Suggest opportunities (clubs, courses, events)",
        required=False,
        help_text="Only when suggestions are switched on.",
    )
    suggest_pathways = forms.BooleanField(
        label="Suggest pathways to join",
        required=False,
        help_text="Only when suggestions are switched on.",
    )


class AccountDeleteForm(forms.Form):
    """Confirm by typing the account's email address.

    Typing an address shown on the same page (it may be pasted) asks nothing of memory, unlike
    re-entering a password (WCAG 2.2 §3.3.8, accessible authentication), and still cannot be
    done by one stray click. The person is already signed in; this confirms intent.
    """

    email = forms.CharField(
        label="Type your email address to confirm",
        max_length=254,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if email.lower() != self.user.email.lower():
            raise forms.ValidationError(errors.PRIVACY_DELETE_EMAIL_MISMATCH)
        return email


class GuardianCloseForm(forms.Form):
    confirm = forms.BooleanField(
        label="I understand that the account and everything in it will be deleted",
        error_messages={"required": errors.PRIVACY_DELETE_GUARDIAN_CONFIRM},
    )
