"""Forms for sign-up and the learner's profile. They parse and validate; services do the writing."""

from __future__ import annotations

import datetime

from django import forms
from django.http import HttpRequest
from django.utils import timezone

from learningcity.cities.models import City
from learningcity.cities.selectors import area_for_postcode
from learningcity.core import errors

from .models import User, age_on

MINIMUM_AGE = 8


class DateOfBirthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})

    def validate(self, value: datetime.date | None) -> None:
        super().validate(value)
        if value is None:
            return
        today = timezone.localdate()
        if value > today:
            raise forms.ValidationError(errors.DATE_OF_BIRTH_FUTURE)
        if age_on(value, today) < MINIMUM_AGE:
            raise forms.ValidationError(errors.DATE_OF_BIRTH_TOO_YOUNG)


class LearnerSignupForm(forms.Form):
    """Extra sign-up fields, merged by allauth into its own sign-up form."""

    display_name = forms.CharField(
        label="Your first name or a nickname",
        max_length=80,
        help_text="This is the name organisations see on your badges.",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    city = forms.ModelChoiceField(
        label="Your city",
        queryset=City.objects.filter(is_live=True),
        empty_label="Choose your city",
    )
    date_of_birth = DateOfBirthField(
        label="Date of birth",
        help_text="We use this to keep your account right for your age. We never show it.",
    )
    postcode = forms.CharField(
        label="The first part of your postcode",
        max_length=8,
        required=False,
        help_text="Like BN2 or PL4. We never ask for your full address.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    guardian_email = forms.EmailField(
        label="Your parent or carer's email",
        required=False,
        help_text=(
            "Only if you're under 13: we'll ask them to say yes before your account is fully open."
        ),
    )

    field_order = ["display_name", "email", "city", "date_of_birth", "postcode", "guardian_email"]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        dob = cleaned.get("date_of_birth")
        city = cleaned.get("city")
        postcode = (cleaned.get("postcode") or "").strip()
        if postcode and city is not None:
            try:
                cleaned["postcode"], cleaned["area"] = area_for_postcode(
                    city=city, postcode=postcode
                )
            except errors.ServiceError as exc:
                self.add_error("postcode", exc.message)
        if dob and age_on(dob, timezone.localdate()) < 13:
            guardian_email = (cleaned.get("guardian_email") or "").lower()
            if not guardian_email:
                self.add_error("guardian_email", errors.GUARDIAN_EMAIL_REQUIRED)
            elif guardian_email == (self.data.get("email") or "").strip().lower():
                self.add_error("guardian_email", errors.GUARDIAN_EMAIL_SAME_AS_CHILD)
        return cleaned

    def signup(self, request: HttpRequest, user: User) -> None:
        """Called by allauth once the user row exists, inside the sign-up transaction."""
        from .services import learner_signup_complete

        learner_signup_complete(
            user=user,
            display_name=self.cleaned_data["display_name"],
            city=self.cleaned_data["city"],
            date_of_birth=self.cleaned_data["date_of_birth"],
            postcode_district=self.cleaned_data.get("postcode") or "",
            area=self.cleaned_data.get("area"),
            guardian_email=self.cleaned_data.get("guardian_email") or "",
        )


class LearnerProfileForm(forms.Form):
    """A learner's own profile and privacy settings."""

    postcode = forms.CharField(
        label="The first part of your postcode",
        max_length=8,
        required=False,
        help_text="Like BN2 or PL4. We use it to show things near you, never your address.",
    )
    interests = forms.CharField(
        label="Things you're interested in",
        required=False,
        max_length=300,
        help_text="Separate them with commas, like: music, coding, football.",
    )
    profile_public = forms.BooleanField(
        label="Let anyone with the link see my profile",
        required=False,
    )
    recommendations_enabled = forms.BooleanField(
        label="Suggest things I might like, based on my interests and badges",
        required=False,
    )
    share_area_with_organisations = forms.BooleanField(
        label="Let organisations I join see which area I live in",
        required=False,
    )

    def __init__(self, *args: object, city: City, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.city = city

    def clean_postcode(self) -> str:
        return (self.cleaned_data.get("postcode") or "").strip()

    def clean_interests(self) -> list[str]:
        raw = self.cleaned_data.get("interests") or ""
        seen: dict[str, None] = {}
        for item in raw.split(","):
            item = " ".join(item.split())[:40]
            if item:
                seen.setdefault(item.lower(), None)
        return list(seen)[:20]

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        postcode = cleaned.get("postcode") or ""
        cleaned["area"] = None
        if postcode:
            try:
                cleaned["postcode"], cleaned["area"] = area_for_postcode(
                    city=self.city, postcode=postcode
                )
            except errors.ServiceError as exc:
                self.add_error("postcode", exc.message)
        return cleaned


class GuardianEmailForm(forms.Form):
    guardian_email = forms.EmailField(label="Your parent or carer's email")
