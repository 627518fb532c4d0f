"""The badge class form: what it means, who can earn it, and its image (designed or uploaded)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .design import (
    HEX_COLOUR_RE,
    ICON_CHOICES,
    SHAPE_CHOICES,
    SHAPE_FOR_ORGANISATION_TYPE,
    TITLE_MAX_LENGTH,
    Design,
)
from .models import BadgeClass, ImageSource, Level
from .sanitise import RASTER_MAX_BYTES, badge_image_clean
from .skills import skill_list, skills_as_alignments


class SkillChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return obj.name if obj.framework.is_default else f"{obj.name} ({obj.framework.name})"


class BadgeClassForm(forms.ModelForm):
    """Create or edit a badge class. ``cleaned_data["image"]`` is the sanitised upload, if any;
    ``cleaned_data["skills"]`` is in ``BadgeClass.skills``'s JSON shape."""

    level = forms.ChoiceField(
        label="Level",
        choices=Level.choices,
        widget=forms.RadioSelect,
        help_text="The RSA badging standard's levels, from taking part (Engage) to leading others.",
    )
    skills = SkillChoiceField(
        label="Skills",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The skills a learner shows by earning this badge.",
    )
    tags = forms.CharField(
        label="Tags",
        required=False,
        max_length=300,
        help_text="Words people might search for, separated by commas.",
    )
    image_source = forms.ChoiceField(
        label="Badge image",
        choices=ImageSource.choices,
        initial=ImageSource.DESIGNED,
        widget=forms.RadioSelect,
    )
    design_shape = forms.ChoiceField(
        label="Shape",
        choices=SHAPE_CHOICES,
        initial="circle",
        widget=forms.RadioSelect,
        help_text="Choose by the kind of activity.",
    )
    design_icon = forms.ChoiceField(
        label="Icon", choices=ICON_CHOICES, initial="star", widget=forms.RadioSelect
    )
    design_title = forms.CharField(
        label="Short title on the badge",
        max_length=TITLE_MAX_LENGTH,
        required=False,
        help_text=f"Up to {TITLE_MAX_LENGTH} characters. Leave it empty to use the badge's name.",
    )
    image_colour = forms.CharField(
        label="Badge colour",
        initial="#0b5cad",
        widget=forms.TextInput(attrs={"type": "color"}),
        help_text="The level band below the title has its own colour.",
    )
    image_file = forms.FileField(
        label="Upload an image instead",
        required=False,
        help_text=(
            f"A PNG, JPEG or SVG, smaller than {RASTER_MAX_BYTES // 1_048_576} MB "
            "(SVG: 512 KB). Square images work best."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/svg+xml"}),
    )

    class Meta:
        model = BadgeClass
        fields = [
            "name",
            "description",
            "criteria",
            "level",
            "skills",
            "tags",
            "expiry_months",
            "evidence_required",
            "evidence_prompt",
            "image_source",
            "design_shape",
            "design_icon",
            "design_title",
            "image_colour",
        ]
        labels = {
            "name": "Name",
            "description": "What this badge means",
            "criteria": "How to earn it",
            "expiry_months": "Valid for (months)",
            "evidence_required": "Learners must send evidence to earn it",
            "evidence_prompt": "What evidence to send",
        }
        help_texts = {
            "description": "One or two sentences a stranger will understand.",
            "criteria": "What a learner does to earn it. You can use Markdown: **bold**, lists, "
            "and [links](https://example.org).",
            "expiry_months": "Leave it empty if the badge never expires.",
            "evidence_prompt": "For example: a photo of what you made, or a link to it.",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "criteria": forms.Textarea(attrs={"rows": 6}),
            "evidence_prompt": forms.Textarea(attrs={"rows": 3}),
            "expiry_months": forms.NumberInput(attrs={"min": 1, "max": 120}),
        }

    def __init__(self, *args: Any, city: City, organisation_type: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.instance.pk:
            self.initial.setdefault(
                "design_shape", SHAPE_FOR_ORGANISATION_TYPE.get(organisation_type, "circle")
            )
        skills = skill_list(city=city)
        self.fields["skills"].queryset = skills  # type: ignore[attr-defined]
        if self.instance.pk:
            chosen = {(s.get("framework"), s.get("name")) for s in self.instance.skills}
            self.initial["skills"] = [
                skill.pk for skill in skills if (skill.framework.name, skill.name) in chosen
            ]
            self.initial["tags"] = ", ".join(self.instance.tags)

    def clean_image_colour(self) -> str:
        colour = self.cleaned_data["image_colour"]
        if not HEX_COLOUR_RE.match(colour):
            raise forms.ValidationError("Choose a colour, like #0b5cad.")
        return colour.lower()

    def clean_expiry_months(self) -> int | None:
        months = self.cleaned_data.get("expiry_months")
        if months is not None and not 1 <= months <= 120:
            raise forms.ValidationError("Use a number of months from 1 to 120, or leave it empty.")
        return months

    def clean_tags(self) -> list[str]:
        raw = self.cleaned_data.get("tags") or ""
        return list(dict.fromkeys(tag.strip() for tag in raw.split(",") if tag.strip()))

    def clean_skills(self) -> list[dict[str, str]]:
        return skills_as_alignments(self.cleaned_data.get("skills") or [])

    def clean_image_file(self) -> Any:
        upload = self.cleaned_data.get("image_file")
        if not isinstance(upload, UploadedFile):
            return None
        # Read one byte past the largest limit: enough to refuse, without reading a huge file.
        data = upload.read(RASTER_MAX_BYTES + 1)
        try:
            return badge_image_clean(name=upload.name or "", data=data)
        except ServiceError as exc:
            raise forms.ValidationError(exc.message) from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if (
            cleaned.get("image_source") == ImageSource.UPLOADED
            and not cleaned.get("image_file")
            and not self.instance.image_upload
            and "image_file" not in self.errors
        ):
            self.add_error("image_file", errors.BADGE_UPLOAD_REQUIRED)
        return cleaned

    def values(self) -> dict[str, Any]:
        """The cleaned values the services take (the image goes separately)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "image_file"}


class DesignPreviewForm(forms.Form):
    """The designer's choices from a query string, for the live preview. Anything unknown is
    replaced by a default rather than refused: a preview never fails."""

    shape = forms.CharField(required=False)
    icon = forms.CharField(required=False)
    title = forms.CharField(required=False)
    level = forms.CharField(required=False)
    colour = forms.CharField(required=False)

    def design(self) -> Design:
        data = self.cleaned_data if self.is_valid() else {}
        return Design(
            shape=data.get("shape") or "circle",
            icon=data.get("icon") or "star",
            title=data.get("title") or "",
            level=data.get("level") or "",
            colour=data.get("colour") or "",
        ).normalised()
