"""Forms for building pathways: the pathway itself and one step at a time.

Forms parse and check; they never write. ``values()`` gives exactly the keyword arguments the
pathway services take (``pathway_create``/``pathway_update``, ``pathway_step_add``/
``pathway_step_update``), so a view passes them straight on.

The choices follow who owns the pathway:

- an organisation's pathway finishes with one of *its own* published badges; a city-wide pathway
  (``organisation`` empty) with any published badge in the city;
- a step of either kind may count any published badge in the city — pathways may span
  organisations — and link any of the city's published opportunities.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import QuerySet

from learningcity.badges.models import BadgeClass, BadgeStatus
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.opportunities.models import Opportunity, OpportunityStatus
from learningcity.opportunities.publishing import topic_list
from learningcity.organisations.models import Organisation

from .models import Destination, Pathway

# A step may list this many achievement ids of badges from elsewhere.
EXTERNAL_IDS_MAX = 50


# --- Choices -------------------------------------------------------------------------------------
# Small reads that only these forms need; each returns its joins made.


def completion_badge_choices(
    *, city: City, organisation: Organisation | None
) -> QuerySet[BadgeClass]:
    """The badges a pathway may award on completion: the organisation's own published ones, or
    for a city-wide pathway any published badge of an active organisation in the city."""
    badges = BadgeClass.objects.filter(status=BadgeStatus.PUBLISHED).select_related("organisation")
    if organisation is not None:
        return badges.filter(organisation=organisation).order_by("name")
    return badges.filter(
        organisation__city=city, organisation__status=Organisation.Status.ACTIVE
    ).order_by("organisation__name", "name")


def step_badge_choices(*, city: City) -> QuerySet[BadgeClass]:
    """The badges a step may count: any published badge of an active organisation in ``city``,
    by organisation, then name."""
    return (
        BadgeClass.objects.filter(
            status=BadgeStatus.PUBLISHED,
            organisation__city=city,
            organisation__status=Organisation.Status.ACTIVE,
        )
        .select_related("organisation")
        .order_by("organisation__name", "name")
    )


def step_opportunity_choices(*, city: City) -> QuerySet[Opportunity]:
    """The opportunities a step may point learners to: ``city``'s published ones."""
    return (
        Opportunity.objects.filter(
            city=city,
            status=OpportunityStatus.PUBLISHED,
            organisation__status=Organisation.Status.ACTIVE,
        )
        .select_related("organisation")
        .order_by("title")
    )


class BadgeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return obj.name


class CompletionBadgeField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return f"{obj.name} ({obj.organisation.name})"


class OpportunityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:  # type: ignore[override]
        return f"{obj.title} ({obj.organisation.name})"


# --- The pathway ---------------------------------------------------------------------------------

# The pathway form's sections, in order: (legend, hint, fields).
PATHWAY_FIELDSETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "What it is",
        "Tell learners where it leads and why it is worth it, in plain words.",
        ("name", "summary", "description"),
    ),
    (
        "Where it leads",
        "A career, a course, an apprenticeship: something a learner can aim for.",
        ("destination_kind", "destination", "destination_url"),
    ),
    (
        "How it works",
        "You add the steps on the next page.",
        ("ordered", "allow_external", "completion_badge"),
    ),
)

PATHWAY_FIELDS = tuple(name for _, _, names in PATHWAY_FIELDSETS for name in names)


class PathwayForm(forms.ModelForm):
    """Create or edit a pathway owned by ``organisation`` (or, when it is None, by the city team
    of ``city``). ``values()`` is what ``pathway_create``/``pathway_update`` take as fields."""

    destination_url = forms.URLField(
        label="Web address about it",
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text="A page about the career, course or apprenticeship, if there is one.",
    )
    completion_badge = CompletionBadgeField(
        label="Completion badge",
        queryset=None,
        required=False,
        empty_label="None yet",
        help_text="Awarded automatically the moment a learner completes the last step.",
    )

    class Meta:
        model = Pathway
        fields = list(PATHWAY_FIELDS)
        labels = {
            "name": "Name",
            "summary": "Short summary",
            "description": "Full description",
            "destination_kind": "Kind of destination",
            "destination": "Destination",
            "ordered": "Learners do the steps in order",
            "allow_external": "Badges from other issuers count",
        }
        help_texts = {
            "name": "Like “Into digital careers” or “City Explorer”.",
            "summary": "One line, shown in lists (up to 200 characters).",
            "description": "What learners will do and what it leads to.",
            "destination": "Where it leads, like “Level 3 Digital apprenticeship”.",
            "ordered": "A badge then counts only once the step before it is done.",
            "allow_external": (
                "Badges a learner imports from elsewhere count towards steps that name them."
            ),
        }
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2, "maxlength": 200}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "destination_kind": forms.RadioSelect,
        }

    def __init__(
        self, *args: Any, city: City, organisation: Organisation | None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.city = city
        self.organisation = organisation
        badges = completion_badge_choices(city=city, organisation=organisation)
        field = cast(CompletionBadgeField, self.fields["completion_badge"])
        field.queryset = badges
        if organisation is not None:
            field.help_text = (
                f"{field.help_text} Only {organisation.name}'s published badges are listed."
            )
        # Every pathway has a kind of destination: no empty "---------" choice.
        cast(forms.ChoiceField, self.fields["destination_kind"]).choices = Destination.choices

    def fieldsets(self) -> list[tuple[str, str, list[Any]]]:
        """(legend, hint, bound fields) for each section that has fields."""
        return [
            (legend, hint, [self[name] for name in names if name in self.fields])
            for legend, hint, names in PATHWAY_FIELDSETS
        ]

    def _post_clean(self) -> None:
        # The service builds and saves the pathway; the ModelForm must not touch the instance.
        pass

    def values(self) -> dict[str, Any]:
        """The cleaned fields, as ``pathway_create(**fields)`` takes them."""
        return {name: self.cleaned_data[name] for name in PATHWAY_FIELDS}


# --- A step --------------------------------------------------------------------------------------


def parse_achievement_ids(text: str) -> list[str]:
    """One achievement id a line: blank lines dropped, duplicates kept once, in order.

    Raises :class:`ValidationError` naming the first line that is not an http(s) URL.
    """
    validate = URLValidator(schemes=["http", "https"])
    ids: list[str] = []
    for line in text.splitlines():
        value = line.strip()
        if not value:
            continue
        try:
            validate(value)
        except ValidationError:
            raise ValidationError(
                errors.PATHWAY_STEP_EXTERNAL_URL_INVALID.format(value=value[:100])
            ) from None
        if value not in ids:
            ids.append(value)
    if len(ids) > EXTERNAL_IDS_MAX:
        raise ValidationError(
            errors.PATHWAY_STEP_EXTERNAL_IDS_TOO_MANY.format(max=EXTERNAL_IDS_MAX)
        )
    return ids


STEP_FIELDS = (
    "title",
    "description",
    "required",
    "badge_classes",
    "topic",
    "external_achievement_ids",
    "opportunities",
)


class StepForm(forms.Form):
    """Add or edit one step of a pathway in ``city``. ``values()`` is what ``pathway_step_add``
    takes besides the pathway (and ``pathway_step_update`` besides the step)."""

    title = forms.CharField(
        label="Title",
        max_length=120,
        help_text="What the learner does, like “Try a coding workshop”.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Anything that helps a learner choose how to do it.",
    )
    required = forms.IntegerField(
        label="How many of its badges a learner needs",
        min_value=1,
        max_value=100,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "size": 4}),
        help_text="1 means any one of them; 2 means any two, and so on.",
    )
    badge_classes = BadgeChoiceField(
        label="Badges that count",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Published badges of any organisation in the city, listed by organisation.",
    )
    topic: forms.ModelChoiceField = forms.ModelChoiceField(
        label="Or any badge in a topic",
        queryset=None,
        required=False,
        empty_label="No topic",
        help_text="Any badge linked to an opportunity in this topic counts too.",
    )
    external_achievement_ids = forms.CharField(
        label="Badges from other issuers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false", "autocapitalize": "off"}),
        help_text=(
            "Achievement ids (web addresses), one a line. They count only if the pathway lets "
            "badges from other issuers count."
        ),
    )
    opportunities = OpportunityChoiceField(
        label="Opportunities to suggest",
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Shown to learners as ways to do this step.",
    )

    def __init__(self, *args: Any, city: City, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.city = city
        self.badge_queryset = step_badge_choices(city=city)
        cast(BadgeChoiceField, self.fields["badge_classes"]).queryset = self.badge_queryset
        cast(forms.ModelChoiceField, self.fields["topic"]).queryset = topic_list(city=city)
        opportunities = step_opportunity_choices(city=city)
        cast(OpportunityChoiceField, self.fields["opportunities"]).queryset = opportunities

    @classmethod
    def initial_for(cls, step: Any) -> dict[str, Any]:
        """The form's initial values for an existing :class:`~pathways.models.PathwayStep`."""
        return {
            "title": step.title,
            "description": step.description,
            "required": step.required,
            "badge_classes": list(step.badge_classes.values_list("pk", flat=True)),
            "topic": step.topic_id,
            "external_achievement_ids": "\n".join(step.external_achievement_ids or []),
            "opportunities": list(step.opportunities.values_list("pk", flat=True)),
        }

    def clean_external_achievement_ids(self) -> list[str]:
        return parse_achievement_ids(self.cleaned_data.get("external_achievement_ids") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None
        required = cleaned.get("required")
        badges = cleaned.get("badge_classes")
        external = cleaned.get("external_achievement_ids")
        # A topic step may count any number of badges; otherwise the count is known here.
        if (
            required
            and badges is not None
            and external is not None
            and cleaned.get("topic") is None
            and (badges or external)
            and required > len(badges) + len(external)
        ):
            self.add_error(
                "required",
                errors.PATHWAY_STEP_REQUIRED_TOO_MANY.format(count=len(badges) + len(external)),
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        """The cleaned fields, as ``pathway_step_add(pathway=…, **values)`` takes them."""
        data = self.cleaned_data
        return {
            "title": data["title"],
            "description": data["description"],
            "required": data["required"],
            "badge_classes": list(data["badge_classes"]),
            "topic": data["topic"],
            "external_achievement_ids": list(data["external_achievement_ids"]),
            "opportunities": list(data["opportunities"]),
        }

    def badge_groups(self) -> list[tuple[str, list[Any]]]:
        """The badge checkboxes grouped by organisation: ``[(organisation name, [bound
        checkbox, …]), …]``, for a template that shows one small group per organisation."""
        organisation_of = {badge.pk: badge.organisation.name for badge in self.badge_queryset}
        groups: dict[str, list[Any]] = {}
        for checkbox in self["badge_classes"]:
            pk = int(str(checkbox.data["value"]))
            groups.setdefault(organisation_of.get(pk, ""), []).append(checkbox)
        return list(groups.items())
