"""Forms for collections, per-badge sharing choices and the public portfolio. They parse and
validate; the services in ``learners.sharing`` write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms

from .models import Collection
from .selectors import SharedBadge


class CollectionForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=Collection._meta.get_field("name").max_length,
        help_text="For example “Sport and fitness” or “For my college application”.",
    )
    description = forms.CharField(
        label="Description",
        required=False,
        max_length=Collection._meta.get_field("description").max_length,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="A sentence or two for whoever you share it with.",
    )
    is_shared = forms.BooleanField(
        label="Share by link",
        required=False,
        help_text="Anyone you give the link to can see this collection and its badges.",
    )


class CollectionItemAddForm(forms.Form):
    badge = forms.ChoiceField(label="Badge to add")

    def __init__(self, *args: Any, badges: Sequence[SharedBadge], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["badge"].choices = [
            (badge.key, f"{badge.name} ({badge.issuer_name})" if badge.issuer_name else badge.name)
            for badge in badges
        ]


class BadgeSharingForm(forms.Form):
    is_shared = forms.BooleanField(label="Share by link", required=False)
    on_portfolio = forms.BooleanField(label="Show on my public portfolio", required=False)


class PortfolioForm(forms.Form):
    profile_public = forms.BooleanField(
        label="Turn on my public portfolio",
        required=False,
        help_text="A page anyone with its link can see, showing the badges you choose below.",
    )
