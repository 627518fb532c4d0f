"""Forms for organisations. They parse and validate; the services do the writing."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile

from learningcity.cities.models import Area, City
from learningcity.core import errors

from .models import ROLE_DESCRIPTIONS, Organisation, Role

TYPE_CHOICES_WITH_ALL = [("", "All types"), *Organisation.Type.choices]
LOGO_FORMATS = frozenset({"PNG", "JPEG", "WEBP"})
LOGO_CONTENT_TYPES = ("image/png", "image/jpeg", "image/webp")
ROLE_CHOICES_DESCRIBED = [(role.value, f"{role.label}: {ROLE_DESCRIPTIONS[role]}") for role in Role]


def _logo_limit_mb() -> str:
    return f"{round(settings.MAX_LOGO_BYTES / 1_048_576, 1):g}"


class AreaChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Area) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.get_kind_display().lower()})"


class OrganisationSearchForm(forms.Form):
    """The directory's search box and type filter. Every value is optional; bad ones are ignored."""

    # Every search field is optional; saying so on each is noise.
    show_optional_marker = False

    q = forms.CharField(
        label="Search by name or what they do",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    type = forms.ChoiceField(
        label="Type of organisation", required=False, choices=TYPE_CHOICES_WITH_ALL
    )

    def filters(self) -> dict[str, str]:
        """The search and type to filter by, leaving out any value that isn't valid."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {"query": cleaned.get("q") or "", "type": cleaned.get("type") or ""}


class OrganisationForm(forms.ModelForm):
    """What an organisation tells the city and the public about itself."""

    areas_served = AreaChoiceField(
        label="Areas you work in",
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose the areas where you run activities. Leave them all empty if you work "
        "across the whole city or online.",
    )

    website = forms.URLField(
        label="Website",
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text="The full address, like https://example.org",
        widget=forms.URLInput(attrs={"autocomplete": "url"}),
    )

    class Meta:
        model = Organisation
        fields = ["name", "type", "description", "website", "contact_email", "areas_served"]
        labels = {
            "name": "Name of the organisation",
            "type": "Type of organisation",
            "description": "What you do",
            "contact_email": "Email for the public to contact you",
        }
        help_texts = {
            "description": "A few sentences for learners and parents: who you work with and "
            "what people can learn with you.",
            "contact_email": "Shown on your public profile.",
        }
        widgets = {
            "name": forms.TextInput(attrs={"autocomplete": "organization"}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "contact_email": forms.EmailInput(attrs={"autocomplete": "email"}),
        }

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.filter(city=city).order_by("kind", "name")
        if areas.exists():
            cast(AreaChoiceField, self.fields["areas_served"]).queryset = areas
        else:  # A city with no areas yet: nothing to choose from.
            del self.fields["areas_served"]
        type_field = cast(forms.ChoiceField, self.fields["type"])
        type_field.choices = [("", "Choose a type"), *Organisation.Type.choices]


class OrganisationEditForm(OrganisationForm):
    """The profile form, with the logo."""

    class Meta(OrganisationForm.Meta):
        fields = [*OrganisationForm.Meta.fields, "logo"]
        labels = {**OrganisationForm.Meta.labels, "logo": "Logo"}
        help_texts = {
            **OrganisationForm.Meta.help_texts,
            "logo": "A PNG, JPEG or WebP image, smaller than {limit_mb} MB. "
            "Square logos look best.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        logo = self.fields["logo"]
        logo.help_text = logo.help_text.format(limit_mb=_logo_limit_mb())
        logo.widget.attrs["accept"] = ",".join(LOGO_CONTENT_TYPES)

    def clean_logo(self) -> UploadedFile | None:
        logo = self.cleaned_data.get("logo")
        if not isinstance(logo, UploadedFile):
            return logo
        if logo.size and logo.size > settings.MAX_LOGO_BYTES:
            raise forms.ValidationError(
                errors.ORGANISATION_LOGO_TOO_LARGE.format(limit_mb=_logo_limit_mb())
            )
        image = getattr(logo, "image", None)  # set by forms.ImageField once Pillow has read it
        if image is not None and image.format not in LOGO_FORMATS:
            raise forms.ValidationError(errors.ORGANISATION_LOGO_FORMAT)
        return logo


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        help_text="We'll email them a link. It works for 14 days, and only for this address.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label="Their role",
        choices=ROLE_CHOICES_DESCRIBED,
        initial=Role.VIEWER,
        widget=forms.RadioSelect,
    )


class RoleChangeForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SuspendForm(forms.Form):
    reason = forms.CharField(max_length=2000)
