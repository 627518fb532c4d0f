"""The learner's own collections and sharing choices, under ``/me/collections/``.

Each view parses, checks access (someone else's collection or badge is a 404), calls one service
or selector and renders. Changes are POSTs that redirect back; reordering is plain up/down
buttons, so nothing here needs JavaScript.
"""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from learningcity.accounts.models import LearnerProfile, User
from learningcity.badges.publishing import absolute
from learningcity.badges.views.public import share_links
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .. import sharing as services
from ..access import (
    access_award_for_sharing,
    access_collection_for_owner,
    access_collection_item_for_owner,
    access_imported_for_sharing,
)
from ..forms_sharing import BadgeSharingForm, CollectionForm, CollectionItemAddForm, PortfolioForm
from ..selectors import (
    collection_addable_badges,
    collection_items_for,
    collection_list_for,
    sharing_badges_for,
)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _back(request: HttpRequest, default: str) -> str:
    """The form's ``next`` when it is one of ours, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _direction(request: HttpRequest) -> int:
    return services.UP if request.POST.get("direction") == "up" else services.DOWN


def _share_box(*, url: str, title: str, text: str) -> dict[str, Any]:
    """The context ``badges/_share.html`` expects."""
    return {
        "url": url,
        "title": title,
        "text": text,
        "links": share_links(url=url, title=title, text=text),
    }


def _form_error(form: Any, error: ServiceError) -> None:
    field = error.field if error.field in form.fields else None
    form.add_error(field, error.message)


# --- Collections --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def collection_list(request: HttpRequest) -> HttpResponse:
    """The learner's collections in order, with a form to start a new one."""
    user = _user(request)
    form = CollectionForm(
        request.POST if request.method == "POST" else None,
        initial={"is_shared": services.sharing_default_for(user=user)},
    )
    if request.method == "POST" and form.is_valid():
        try:
            collection = services.collection_create(owner=user, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, f"Collection “{collection.name}” made. Now add badges to it.")
            return redirect("collection-edit", public_id=collection.public_id)
    return render(
        request,
        "learners/collections/list.html",
        {
            "collections": collection_list_for(owner=user),
            "form": form,
            "sharing_allowed": services.sharing_allowed_for(user=user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    """One collection: change its name, description and sharing; its badges in order, to
    reorder or remove; a form to add another of the learner's badges."""
    user = _user(request)
    collection = access_collection_for_owner(user=user, public_id=public_id)
    form = CollectionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "name": collection.name,
            "description": collection.description,
            "is_shared": collection.is_shared,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.collection_update(collection=collection, **form.cleaned_data)
        except ServiceError as exc:
            _form_error(form, exc)
            collection.refresh_from_db()
        else:
            messages.success(request, "Collection saved.")
            return redirect("collection-edit", public_id=collection.public_id)
    addable = collection_addable_badges(collection=collection)
    share = None
    if collection.is_shared:
        share = _share_box(
            url=absolute(reverse("collection-shared", kwargs={"public_id": collection.public_id})),
            title=collection.name,
            text=f"My badge collection “{collection.name}”",
        )
    return render(
        request,
        "learners/collections/edit.html",
        {
            "collection": collection,
            "form": form,
            "items": list(collection_items_for(collection=collection)),
            "add_form": CollectionItemAddForm(badges=addable) if addable else None,
            "share": share,
            "sharing_allowed": services.sharing_allowed_for(user=user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collection_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    """Ask, then delete the collection (the badges stay in the backpack)."""
    collection = access_collection_for_owner(user=_user(request), public_id=public_id)
    if request.method == "POST":
        services.collection_delete(collection=collection)
        messages.success(
            request,
            f"Collection “{collection.name}” deleted. Its badges are still in your backpack.",
        )
        return redirect("collections")
    return render(request, "learners/collections/delete.html", {"collection": collection})


@login_required
@require_POST
def collection_move(request: HttpRequest, public_id: str) -> HttpResponse:
    collection = access_collection_for_owner(user=_user(request), public_id=public_id)
    services.collection_move(collection=collection, direction=_direction(request))
    return redirect(reverse("collections") + f"#collection-{collection.public_id}")


@login_required
@require_POST
def collection_item_add(request: HttpRequest, public_id: str) -> HttpResponse:
    user = _user(request)
    collection = access_collection_for_owner(user=user, public_id=public_id)
    back = reverse("collection-edit", kwargs={"public_id": collection.public_id}) + "#badges"
    kind, _, badge_id = request.POST.get("badge", "").partition(":")
    # Someone else's badge (or a made-up id) is a 404, as everywhere else.
    if kind == "award" and badge_id:
        badge: dict[str, Any] = {"award": access_award_for_sharing(user=user, public_id=badge_id)}
    elif kind == "imported" and badge_id:
        badge = {"imported": access_imported_for_sharing(user=user, public_id=badge_id)}
    else:
        messages.error(request, errors.COLLECTION_BADGE_CHOOSE_ONE)
        return redirect(back)
    try:
        item = services.collection_item_add(collection=collection, **badge)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        name = item.award.badge_class.name if item.award else item.imported.name  # type: ignore[union-attr]
        messages.success(request, f"“{name}” added to {collection.name}.")
    return redirect(back)


@login_required
@require_POST
def collection_item_remove(request: HttpRequest, public_id: str, item_id: int) -> HttpResponse:
    item = access_collection_item_for_owner(
        user=_user(request), public_id=public_id, item_id=item_id
    )
    services.collection_item_remove(item=item)
    messages.success(request, "Badge taken out of the collection. It's still in your backpack.")
    return redirect(reverse("collection-edit", kwargs={"public_id": public_id}) + "#badges")


@login_required
@require_POST
def collection_item_move(request: HttpRequest, public_id: str, item_id: int) -> HttpResponse:
    item = access_collection_item_for_owner(
        user=_user(request), public_id=public_id, item_id=item_id
    )
    services.collection_item_move(item=item, direction=_direction(request))
    return redirect(
        reverse("collection-edit", kwargs={"public_id": public_id}) + f"#item-{item.pk}"
    )


# --- Per-badge choices and the portfolio --------------------------------------------------------


def _badge_sharing_saved(request: HttpRequest, error: ServiceError | None) -> HttpResponse:
    if error is not None:
        messages.error(request, error.message)
    else:
        messages.success(request, "Sharing choices saved.")
    return redirect(_back(request, reverse("portfolio-settings")))


@login_required
@require_POST
def award_sharing(request: HttpRequest, award_public_id: str) -> HttpResponse:
    """Set whether one of the learner's awards is shared and shown on their portfolio."""
    user = _user(request)
    award = access_award_for_sharing(user=user, public_id=award_public_id)
    form = BadgeSharingForm(request.POST)
    form.is_valid()  # two checkboxes: always valid
    try:
        services.award_choice_set(award=award, owner=user, **form.cleaned_data)
    except ServiceError as exc:
        return _badge_sharing_saved(request, exc)
    return _badge_sharing_saved(request, None)


@login_required
@require_POST
def imported_sharing(request: HttpRequest, imported_public_id: str) -> HttpResponse:
    """Set whether one of the learner's imported badges is shared and on their portfolio."""
    imported = access_imported_for_sharing(user=_user(request), public_id=imported_public_id)
    form = BadgeSharingForm(request.POST)
    form.is_valid()
    try:
        services.imported_badge_choice_set(imported=imported, **form.cleaned_data)
    except ServiceError as exc:
        return _badge_sharing_saved(request, exc)
    return _badge_sharing_saved(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def portfolio_settings(request: HttpRequest) -> HttpResponse:
    """Turn the public portfolio on or off, choose its badges, see its link."""
    user = _user(request)
    try:
        profile: LearnerProfile | None = user.learner_profile  # type: ignore[attr-defined]
    except LearnerProfile.DoesNotExist:
        profile = None
    is_public = bool(profile and profile.profile_public)
    form = PortfolioForm(
        request.POST if request.method == "POST" else None, initial={"profile_public": is_public}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.portfolio_visibility_set(user=user, public=form.cleaned_data["profile_public"])
        except ServiceError as exc:
            _form_error(form, exc)
        else:
            on = form.cleaned_data["profile_public"]
            messages.success(
                request, "Your public portfolio is on." if on else "Your public portfolio is off."
            )
            return redirect("portfolio-settings")
    share = None
    if is_public:
        share = _share_box(
            url=absolute(reverse("portfolio", kwargs={"user_public_id": user.public_id})),
            title=f"{user.display_name}'s badges" if user.display_name else "My badges",
            text="The badges I've earned",
        )
    return render(
        request,
        "learners/collections/portfolio.html",
        {
            "form": form,
            "profile": profile,
            "is_public": is_public,
            "share": share,
            "badges": sharing_badges_for(user=user),
            "sharing_allowed": services.sharing_allowed_for(user=user),
            "shared_collections": [c for c in collection_list_for(owner=user) if c.is_shared],
        },
    )
