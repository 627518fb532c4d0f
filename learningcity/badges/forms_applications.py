"""Forms for badge applications. They parse; :mod:`learningcity.badges.applications` validates
files and links and writes."""

from __future__ import annotations

from typing import Any

from django import forms

from .applications import FILE_MAX_BYTES, FILES_MAX, Upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


class ApplicationForm(forms.Form):
    text = forms.CharField(
        label="What did you do?",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
        help_text="Say what you did and what you learned.",
    )
    links = forms.CharField(
        label="Links (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One link a line, starting with https://",
    )
    attachments = MultipleFileField(
        label="Files (optional)",
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"}
        ),
        help_text=(
            f"PDF, PNG or JPEG, up to {FILE_MAX_BYTES // 2**20} MB each, {FILES_MAX} files at most."
        ),
    )

    def uploads(self) -> list[Upload]:
        result = []
        for item in self.cleaned_data["attachments"]:
            # Read one byte past the cap so an oversized file is refused without reading it all.
            result.append(Upload(name=item.name or "file", data=item.read(FILE_MAX_BYTES + 1)))
        return result

    def link_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class DecisionForm(forms.Form):
    feedback = forms.CharField(
        label="Feedback for the learner",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
