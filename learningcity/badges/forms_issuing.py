"""Forms of the issuing pages: one award, a bulk upload, a revocation, the award list filters."""

from __future__ import annotations

from typing import cast

from django import forms
from django.db.models import QuerySet

from .issuing import MAX_ROWS
from .models import BadgeClass

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class AwardForm(forms.Form):
    badge_class = forms.ModelChoiceField(
        queryset=BadgeClass.objects.none(), label="Badge", empty_label="Choose a badge"
    )
    recipient_email = forms.EmailField(
        label="Learner's email address",
        help_text="If they have no account yet, the badge waits for the account that verifies "
        "this address.",
    )
    recipient_name = forms.CharField(label="Learner's name", max_length=120, required=False)
    evidence_narrative = forms.CharField(
        label="What they did (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Shown on the badge as evidence.",
    )
    evidence_url = forms.URLField(
        label="Link to evidence (optional)", required=False, assume_scheme="https"
    )

    def __init__(self, *args, badge_classes: QuerySet[BadgeClass], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["badge_class"]).queryset = badge_classes


class BulkUploadForm(forms.Form):
    badge_class = forms.ModelChoiceField(
        queryset=BadgeClass.objects.none(),
        label="Badge",
        required=False,
        empty_label="Use the badge column of the file",
        help_text="Rows with an empty badge column get this badge.",
    )
    file = forms.FileField(
        label="CSV file",
        help_text=f"Columns: email, name, and optionally issue_date, expiry (2026-03-31), "
        f"evidence_narrative, evidence_url, badge. Up to {MAX_ROWS:,} rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def __init__(self, *args, badge_classes: QuerySet[BadgeClass], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["badge_class"]).queryset = badge_classes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file must be smaller than 5 MB. Split it in two.")
        return upload


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Why are you revoking this badge?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The learner will see this.",
    )


class AwardFilterForm(forms.Form):
    STATUS_CHOICES = [("", "Any"), ("live", "Live"), ("revoked", "Revoked"), ("expired", "Expired")]

    q = forms.CharField(label="Email contains", required=False)
    badge = forms.ChoiceField(label="Badge", required=False)
    status = forms.ChoiceField(label="Status", choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, badge_classes: QuerySet[BadgeClass], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["badge"]).choices = [("", "Any badge")] + [
            (badge.public_id, badge.name) for badge in badge_classes
        ]
