"""Forms for booking and attendance. They parse; the services in ``booking.py`` and
``checkin.py`` decide."""

from __future__ import annotations

from django import forms


class CheckInForm(forms.Form):
    """The check-in page's one field, built for a phone: no autocorrect, capitals on."""

    code = forms.CharField(
        label="Check-in code",
        max_length=64,
        help_text="Eight letters and numbers, from the learner's phone or card.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "autocorrect": "off",
                "spellcheck": "false",
                "inputmode": "text",
                "enterkeyhint": "go",
                "class": "check-in-input",
                "autofocus": True,
            }
        ),
    )
