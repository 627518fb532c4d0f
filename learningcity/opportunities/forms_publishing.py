"""Forms for publishing opportunities: the opportunity itself, its sessions, the city's review.

Forms parse and check; they never write. :class:`OpportunityForm` asks the publishing service
for every problem at once (:func:`~learningcity.opportunities.publishing.opportunity_problems`),
so a youth worker sees each one next to its field in a single round.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.db.models import QuerySet

from learningcity.badges.forms_design import SkillChoiceField
from learningcity.badges.models import Level
from learningcity.badges.sanitise import RASTER_MAX_BYTES
from learningcity.badges.skills import skill_list
from learningcity.core import errors
from learningcity.organisations.models import Organisation

from .models import (
    ACCESSIBILITY_FEATURES,
    MAX_AGE,
    BookingMode,
    Delivery,
    Opportunity,
    OpportunityType,
)
from .publishing import (
    SESSIONS_PER_CALL,
    SessionPattern,
    badge_classes_linkable,
    opportunity_problems,
    partner_choices,
    topic_list,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")

# The form's sections, in order: (legend, hint, fields). The template renders one fieldset each.
FIELDSETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "What it is",
        "Tell learners what they will do, in plain words.",
        ("title", "summary", "description", "type", "topics", "skills", "level"),
    ),
    (
        "Who it is for",
        "Learners only see opportunities that fit their age.",
        ("min_age", "max_age", "price", "bursary_info"),
    ),
    (
        "Where it happens",
        "Learners search by area: the postcode puts it on the map of the city.",
        ("delivery", "venue_name", "address", "postcode", "online_url"),
    ),
    (
        "Booking",
        "You add the dates on the next page.",
        ("booking_mode", "booking_url", "capacity", "waitlist_enabled"),
    ),
    (
        "Badges",
        "Link badges that people can earn by taking part.",
        ("badge_classes", "award_on_check_in", "partners"),
    ),
    (
        "Accessibility",
        "Tick what is true for every session. It helps disabled learners plan.",
        (*(name for name, _ in ACCESSIBILITY_FEATURES), "accessibility_notes"),
    ),
    (
        "Picture",
        "A photo of the activity helps learners picture themselves there. Only share photos of "
        "young people you have permission to share.",
        ("image", "image_alt", "remove_image"),
    ),
    (
        "Contact",
        "Who learners and their parents or carers can ask about it.",
        ("contact_name", "contact_email", "contact_phone"),
    ),
)


class PartnerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return obj.name


class OpportunityForm(forms.ModelForm):
    """Create or edit an opportunity of ``organisation``. ``cleaned_data`` is what
    :func:`~learningcity.opportunities.publishing.opportunity_create` takes."""

    topics: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Topics",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Choose one or two: learners browse by topic.",
    )
    skills = SkillChoiceField(
        label="Skills learners use",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    level = forms.ChoiceField(
        label="Level",
        choices=[("", "Not set"), *Level.choices],
        required=False,
        help_text="The RSA badging standard's levels, from taking part (Engage) to leading others.",
    )
    badge_classes: forms.ModelMultipleChoiceField = forms.ModelMultipleChoiceField(
        label="Badges learners can earn",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only your organisation's published badges are listed.",
    )
    partners = PartnerChoiceField(
        label="Partner organisations",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Other organisations in the city that run it with you.",
    )
    delivery = forms.ChoiceField(
        label="How it happens",
        choices=Delivery.choices,
        initial=Delivery.IN_PERSON,
        widget=forms.RadioSelect,
    )
    booking_mode = forms.ChoiceField(
        label="How people book",
        choices=BookingMode.choices,
        initial=BookingMode.BOOK_HERE,
        widget=forms.RadioSelect,
    )
    price = forms.DecimalField(
        label="Price in pounds",
        required=False,
        min_value=0,
        max_digits=7,
        decimal_places=2,
        help_text="Leave it empty if it's free.",
    )
    capacity = forms.IntegerField(
        label="Places per session",
        required=False,
        min_value=1,
        help_text="Leave it empty for no limit.",
    )
    booking_url = forms.URLField(
        label="Booking web address",
        required=False,
        assume_scheme="https",
        help_text="Needed when people book on another website.",
    )
    online_url = forms.URLField(
        label="Link to join online",
        required=False,
        assume_scheme="https",
        help_text="Only people with a booking see it.",
    )
    image = forms.FileField(
        label="Picture",
        required=False,
        help_text=f"A PNG or JPEG, smaller than {RASTER_MAX_BYTES // (1024 * 1024)} MB.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_image = forms.BooleanField(label="Remove the current picture", required=False)
    min_age = forms.IntegerField(label="Youngest age", min_value=0, max_value=MAX_AGE, initial=11)
    max_age = forms.IntegerField(label="Oldest age", min_value=0, max_value=MAX_AGE, initial=25)

    class Meta:
        model = Opportunity
        fields = [
            name
            for _, _, names in FIELDSETS
            for name in names
            if name not in ("image", "remove_image")
        ]
        labels = {
            "title": "Title",
            "summary": "Short summary",
            "description": "Full description",
            "type": "Type of opportunity",
            "bursary_info": "Help with the cost",
            "venue_name": "Venue name",
            "address": "Address",
            "postcode": "Postcode",
            "online_url": "Link to join online",
            "booking_url": "Booking web address",
            "waitlist_enabled": "Open a waitlist when a session is full",
            "award_on_check_in": "Award the linked badges when a learner is checked in",
            "accessibility_notes": "Anything else about access",
            "contact_name": "Contact name",
            "contact_email": "Contact email",
            "contact_phone": "Contact phone",
            "image_alt": "Describe the picture",
            **dict(ACCESSIBILITY_FEATURES),
        }
        help_texts = {
            "title": "Like “Saturday coding club” or “Introduction to photography”.",
            "summary": "One or two sentences, shown in search results (up to 280 characters).",
            "description": (
                "What happens, what to bring, what learners get out of it. You can use "
                "Markdown: **bold**, lists with -, and links."
            ),
            "bursary_info": "For example: free places for young carers; ask us.",
            "postcode": "The venue's full postcode, like BN2 4GL. Needed unless it is only online.",
            "online_url": "Only people with a booking see it.",
            "booking_url": "Needed when people book on another website.",
            "award_on_check_in": "Learners get the badges the moment you check them in.",
            "accessibility_notes": "For example: lift to the first floor; parking at the back.",
            "image_alt": "For people who can't see it, like “Young people building a robot”.",
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 280}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "bursary_info": forms.Textarea(attrs={"rows": 2}),
            "address": forms.Textarea(attrs={"rows": 2}),
            "accessibility_notes": forms.Textarea(attrs={"rows": 2}),
            "contact_phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "postcode": forms.TextInput(attrs={"autocomplete": "postal-code", "size": 10}),
        }

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        city = organisation.city
        querysets: dict[str, QuerySet[Any]] = {
            "topics": topic_list(city=city),
            "skills": skill_list(city=city),
            "badge_classes": badge_classes_linkable(organisation=organisation),
            "partners": partner_choices(organisation=organisation),
        }
        for name, queryset in querysets.items():
            cast(forms.ModelMultipleChoiceField, self.fields[name]).queryset = queryset
        # Every opportunity has a type: no empty "---------" choice.
        cast(forms.ChoiceField, self.fields["type"]).choices = OpportunityType.choices
        # Fields with nothing to choose from would only confuse: leave them out.
        for name in ("badge_classes", "partners"):
            if not querysets[name].exists():
                del self.fields[name]
        if "badge_classes" not in self.fields:
            del self.fields["award_on_check_in"]
        if not (self.instance.pk and self.instance.image):
            del self.fields["remove_image"]

    def fieldsets(self) -> list[tuple[str, str, list[Any]]]:
        """(legend, hint, bound fields) for each section that has fields."""
        sections = []
        for legend, hint, names in FIELDSETS:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                sections.append((legend, hint, bound))
        return sections

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        for problem in opportunity_problems(organisation=self.organisation, data=cleaned):
            field = problem.field if problem.field in self.fields else None
            if field is None or not self.has_error(field):
                self.add_error(field, problem.message)
        return cleaned

    def _post_clean(self) -> None:
        # The service builds and saves the instance; the ModelForm must not touch it.
        pass

    def values(self) -> dict[str, Any]:
        """The cleaned data for the publishing services: ``image`` only when a picture was
        uploaded (or None when the current one is to go)."""
        cleaned = self.cleaned_data
        values = {
            name: cleaned[name] for name in self.fields if name not in ("image", "remove_image")
        }
        if cleaned.get("image"):
            values["image"] = cleaned["image"]
        elif cleaned.get("remove_image"):
            values["image"] = None
        return values


def _parse_date(value: str) -> datetime.date:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    raise forms.ValidationError(errors.SESSION_DATE_UNREADABLE.format(value=value))


class _TimesForm(forms.Form):
    start_time = forms.TimeField(label="Starts at", widget=TIME_INPUT)
    end_time = forms.TimeField(label="Ends at", widget=TIME_INPUT)

    kind = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", errors.SESSION_END_BEFORE_START)
        return cleaned

    def pattern(self) -> SessionPattern:
        raise NotImplementedError


class OneOffSessionForm(_TimesForm):
    kind = SessionPattern.ONE_OFF
    date = forms.DateField(label="Date", widget=DATE_INPUT)
    field_order = ["date", "start_time", "end_time"]

    def pattern(self) -> SessionPattern:
        data = self.cleaned_data
        return SessionPattern.one_off(data["date"], data["start_time"], data["end_time"])


class SeveralDatesSessionForm(_TimesForm):
    kind = SessionPattern.DATES
    dates = forms.CharField(
        label="Dates",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=(
            f"One date a line, like 14/03/2027. Up to {SESSIONS_PER_CALL}. Every date gets the "
            "same times."
        ),
    )
    field_order = ["dates", "start_time", "end_time"]

    def clean_dates(self) -> list[datetime.date]:
        lines = [line.strip() for line in self.cleaned_data["dates"].splitlines()]
        dates = [_parse_date(line) for line in lines if line]
        if not dates:
            raise forms.ValidationError(errors.SESSION_DATES_REQUIRED)
        return dates

    def pattern(self) -> SessionPattern:
        data = self.cleaned_data
        return SessionPattern.several(data["dates"], data["start_time"], data["end_time"])


class WeeklySessionForm(_TimesForm):
    kind = SessionPattern.WEEKLY
    date = forms.DateField(
        label="First date", widget=DATE_INPUT, help_text="Sessions repeat on this day each week."
    )
    until = forms.DateField(
        label="Last date", widget=DATE_INPUT, help_text="The last week it can run, included."
    )
    field_order = ["date", "until", "start_time", "end_time"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, until = cleaned.get("date"), cleaned.get("until")
        if first and until and until < first:
            self.add_error("until", errors.SESSION_UNTIL_BEFORE_FIRST)
        return cleaned

    def pattern(self) -> SessionPattern:
        data = self.cleaned_data
        return SessionPattern.weekly(
            data["date"], data["until"], data["start_time"], data["end_time"]
        )


SESSION_FORMS: dict[str, type[_TimesForm]] = {
    form.kind: form for form in (OneOffSessionForm, WeeklySessionForm, SeveralDatesSessionForm)
}


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label="What needs to change?",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The organisation's staff see this in an email and on the opportunity.",
        error_messages={"required": errors.OPPORTUNITY_SEND_BACK_REASON_REQUIRED},
    )
