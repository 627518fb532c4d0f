"""Pages for organisations: the public directory and profiles, registration, the staff's
dashboard and staff management, accepting an invitation, and the city team's approval queue.

Each view parses the request, checks access with an ``access_*`` helper, calls one service or
selector and renders. A service's :class:`AccessDenied` becomes a 403; any other
:class:`ServiceError` is shown to the person as it is.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts.http import AuthenticatedHttpRequest
from learningcity.accounts.selectors import verified_emails
from learningcity.badges.selectors import (
    activity_list_for_organisation,
    organisation_badge_summary,
)
from learningcity.cities.access import access_city, access_city_for_admin
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError

from .access import (
    access_invitation,
    access_membership,
    access_organisation_for_city_admin,
    access_organisation_for_staff,
    access_organisation_public_or_staff,
    organisation_register_refusal,
    role_at_least,
)
from .forms import (
    InvitationForm,
    OrganisationEditForm,
    OrganisationForm,
    OrganisationSearchForm,
    RoleChangeForm,
    SuspendForm,
)
from .models import ROLE_DESCRIPTIONS, Organisation, Role
from .selectors import (
    invitation_get_open,
    invitation_list_open,
    membership_list,
    organisation_list_for_city_admin,
    organisation_list_public,
    organisation_status_counts,
)
from .services import (
    INVITATION_VALID_FOR,
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
    organisation_approve,
    organisation_register,
    organisation_reinstate,
    organisation_set_trusted,
    organisation_suspend,
    organisation_update,
)

ORGANISATIONS_PER_PAGE = 24
QUEUE_PER_PAGE = 50


def _staff_url(organisation: Organisation) -> str:
    return reverse(
        "organisation-staff",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )


def _dashboard_url(organisation: Organisation) -> str:
    return reverse(
        "organisation-dashboard",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
    )


def _roles_described() -> list[tuple[str, str]]:
    return [(role.label, ROLE_DESCRIPTIONS[role]) for role in Role]


# --- Public pages -------------------------------------------------------------------------------


@require_GET
def directory(request: HttpRequest, city_slug: str) -> HttpResponse:
    """The city's organisations, searchable by words and type. The URL holds the search, so a
    search can be bookmarked or shared."""
    city = access_city(city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    form = OrganisationSearchForm(request.GET)
    filters = form.filters()
    organisations = organisation_list_public(city=city, **filters)
    page = Paginator(organisations, ORGANISATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/directory.html",
        {
            "city": city,
            "form": form,
            "page": page,
            "is_filtered": bool(filters["query"] or filters["type"]),
        },
    )


@require_GET
def detail(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    """An organisation's public profile. Its own staff also see it while it is not active."""
    city = access_city(city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    organisation, membership = access_organisation_public_or_staff(
        user=request.user, city=city, org_slug=org_slug
    )
    return render(
        request,
        "organisations/detail.html",
        {
            "organisation": organisation,
            "membership": membership,
            "is_staff": membership is not None or request.user.is_superuser,
        },
    )


# --- Registration -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest, city_slug: str) -> HttpResponse:
    city = access_city(city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    refusal = organisation_register_refusal(user=request.user)  # type: ignore[arg-type]
    if refusal:
        return render(
            request,
            "organisations/register_refused.html",
            {"city": city, "message": refusal},
            status=403,
        )
    form = OrganisationForm(request.POST or None, city=city)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_register(
                user=request.user,  # type: ignore[arg-type]
                city=city,
                name=form.cleaned_data["name"],
                type=form.cleaned_data["type"],
                description=form.cleaned_data["description"],
                website=form.cleaned_data["website"],
                contact_email=form.cleaned_data["contact_email"],
                areas_served=form.cleaned_data.get("areas_served", ()),
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"Thank you for registering {organisation.name}. It's waiting for the city team "
                "to approve it; we'll email you when they have.",
            )
            return redirect(_dashboard_url(organisation))
    return render(request, "organisations/register.html", {"city": city, "form": form})


# --- Staff pages --------------------------------------------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, membership = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    # A superuser has no membership and is treated as an owner, for support.
    role = Role(membership.role) if membership else Role.OWNER
    return render(
        request,
        "organisations/dashboard.html",
        {
            "organisation": organisation,
            "membership": membership,
            "role": role,
            "role_description": ROLE_DESCRIPTIONS[role],
            "is_owner": role == Role.OWNER,
            "can_issue": role_at_least(role, Role.ISSUER),
            "can_edit": role_at_least(role, Role.EDITOR),
            "roles": _roles_described(),
            # Reaching up to badges is allowed only like this: its selectors, from a view.
            "badge_summary": organisation_badge_summary(organisation=organisation),
            "badge_activity": activity_list_for_organisation(organisation=organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.OWNER
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    # The form validates a copy, so a rejected edit never shows up in the page's heading.
    form = OrganisationEditForm(
        request.POST or None,
        request.FILES or None,
        instance=copy.copy(organisation),
        city=organisation.city,
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            organisation_update(organisation=organisation, by=request.user, **changes)  # type: ignore[arg-type]
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Your changes are saved.")
            return redirect(_dashboard_url(organisation))
    return render(request, "organisations/edit.html", {"organisation": organisation, "form": form})


def _staff_page(
    request: HttpRequest, organisation: Organisation, invite_form: InvitationForm, status: int = 200
) -> HttpResponse:
    request.city = organisation.city  # type: ignore[attr-defined]
    return render(
        request,
        "organisations/staff.html",
        {
            "organisation": organisation,
            "members": membership_list(organisation=organisation),
            "invitations": invitation_list_open(organisation=organisation),
            "invite_form": invite_form,
            "role_choices": Role.choices,
            "roles": _roles_described(),
        },
        status=status,
    )


@login_required
@require_GET
def staff(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.OWNER
    )
    return _staff_page(request, organisation, InvitationForm())


@login_required
@require_POST
def staff_role(request: HttpRequest, city_slug: str, org_slug: str, member_id: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.OWNER
    )
    membership = access_membership(organisation=organisation, member_public_id=member_id)
    form = RoleChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors.ROLE_INVALID)
        return redirect(_staff_url(organisation))
    try:
        membership = membership_role_change(
            membership=membership,
            role=form.cleaned_data["role"],
            by=request.user,  # type: ignore[arg-type]
        )
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{membership.user}'s role is now {membership.get_role_display()}."
        )
    return redirect(_staff_url(organisation))


@login_required
@require_POST
def staff_remove(
    request: HttpRequest, city_slug: str, org_slug: str, member_id: str
) -> HttpResponse:
    """Owners take someone off the staff; anyone on the staff may leave (their own id)."""
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug
    )
    membership = access_membership(organisation=organisation, member_public_id=member_id)
    leaving = membership.user_id == request.user.pk
    try:
        membership_remove(membership=membership, by=request.user)  # type: ignore[arg-type]
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect(_dashboard_url(organisation) if leaving else _staff_url(organisation))
    if leaving:
        messages.success(request, f"You have left {organisation.name}.")
        return redirect("learner-home")
    messages.success(request, f"{membership.user} is no longer on the staff.")
    return redirect(_staff_url(organisation))


@login_required
@require_POST
def invite(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.OWNER
    )
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitation_create(
                organisation=organisation,
                invited_by=request.user,  # type: ignore[arg-type]
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from exc
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(
                request,
                f"We've emailed an invitation to {invitation.email}. "
                f"The link works for {INVITATION_VALID_FOR.days} days.",
            )
            return redirect(_staff_url(organisation))
    return _staff_page(request, organisation, form, status=400)


@login_required
@require_POST
def invite_revoke(
    request: HttpRequest, city_slug: str, org_slug: str, invitation_id: int
) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.OWNER
    )
    invitation = access_invitation(organisation=organisation, invitation_id=invitation_id)
    try:
        invitation_revoke(invitation=invitation, by=request.user)  # type: ignore[arg-type]
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"The invitation to {invitation.email} is withdrawn. Its link no longer works."
        )
    return redirect(_staff_url(organisation))


# --- Invitations --------------------------------------------------------------------------------


def _invitation_invalid(
    request: HttpRequest, message: str = errors.INVITATION_INVALID
) -> HttpResponse:
    return render(
        request, "organisations/invitation_invalid.html", {"message": message}, status=404
    )


@require_http_methods(["GET", "POST"])
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invited person reaches from the emailed link. Anyone with the link sees who
    invited them to what; accepting needs an account with the invited address verified."""
    invitation = invitation_get_open(token=token)
    if invitation is None:
        return _invitation_invalid(request)
    request.city = invitation.organisation.city  # type: ignore[attr-defined]
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            membership = invitation_accept(invitation_token=token, user=request.user)  # type: ignore[arg-type]
        except ServiceError as exc:
            if exc.message == errors.INVITATION_INVALID:
                return _invitation_invalid(request)
            error, status = exc.message, 400
        else:
            messages.success(
                request,
                f"Welcome to {invitation.organisation.name}. "
                f"Your role is {membership.get_role_display()}.",
            )
            return redirect(_dashboard_url(invitation.organisation))
    else:
        error, status = None, 200
    next_query = urlencode({"next": request.get_full_path()})
    email_is_verified = request.user.is_authenticated and invitation.email.lower() in (
        verified_emails(user=request.user)  # type: ignore[arg-type]
    )
    return render(
        request,
        "organisations/invitation.html",
        {
            "invitation": invitation,
            "organisation": invitation.organisation,
            "role_description": ROLE_DESCRIPTIONS[Role(invitation.role)],
            "login_url": f"{reverse('account_login')}?{next_query}",
            "signup_url": f"{reverse('account_signup')}?{next_query}",
            "email_is_verified": email_is_verified,
            "error": error,
        },
        status=status,
    )


# --- The city team's approval queue -------------------------------------------------------------


@login_required
@require_GET
def city_admin_queue(request: HttpRequest, city_slug: str) -> HttpResponse:
    """Every organisation of the city, waiting ones first, with what the city team can do."""
    city = access_city_for_admin(user=request.user, city_slug=city_slug)
    request.city = city  # type: ignore[attr-defined]
    status = request.GET.get("status", "")
    if status not in Organisation.Status.values:
        status = ""
    organisations = organisation_list_for_city_admin(city=city, status=status or None)
    page = Paginator(organisations, QUEUE_PER_PAGE).get_page(request.GET.get("page"))
    counts = organisation_status_counts(city=city)
    return render(
        request,
        "organisations/city_admin_queue.html",
        {
            "city": city,
            "page": page,
            "status": status,
            "statuses": [
                (value, label, counts[value]) for value, label in Organisation.Status.choices
            ],
            "total": sum(counts.values()),
        },
    )


def _queue_url(city_slug: str) -> str:
    return reverse("city-admin-organisations", kwargs={"city_slug": city_slug})


def _city_admin_status_change(
    request: AuthenticatedHttpRequest,
    *,
    city_slug: str,
    public_id: str,
    change: Callable[[Organisation], object],
    success: str,
) -> HttpResponse:
    """Run one of the city team's status changes and report it on the queue page."""
    organisation = access_organisation_for_city_admin(
        user=request.user, city_slug=city_slug, public_id=public_id
    )
    try:
        change(organisation)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from exc
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success.format(name=organisation.name))
    return redirect(_queue_url(city_slug))


@login_required
@require_POST
def city_admin_approve(
    request: AuthenticatedHttpRequest, city_slug: str, public_id: str
) -> HttpResponse:
    return _city_admin_status_change(
        request,
        city_slug=city_slug,
        public_id=public_id,
        change=lambda organisation: organisation_approve(
            organisation=organisation, by=request.user
        ),
        success="{name} is approved. We've emailed its owners.",
    )


@login_required
@require_POST
def city_admin_suspend(
    request: AuthenticatedHttpRequest, city_slug: str, public_id: str
) -> HttpResponse:
    form = SuspendForm(request.POST)
    if not form.is_valid():
        # Check access first: an outsider learns nothing from a validation message.
        access_organisation_for_city_admin(
            user=request.user, city_slug=city_slug, public_id=public_id
        )
        messages.error(request, errors.ORGANISATION_SUSPEND_REASON_REQUIRED)
        return redirect(_queue_url(city_slug))
    return _city_admin_status_change(
        request,
        city_slug=city_slug,
        public_id=public_id,
        change=lambda organisation: organisation_suspend(
            organisation=organisation, by=request.user, reason=form.cleaned_data["reason"]
        ),
        success="{name} is suspended. We've emailed its owners the reason.",
    )


@login_required
@require_POST
def city_admin_reinstate(
    request: AuthenticatedHttpRequest, city_slug: str, public_id: str
) -> HttpResponse:
    return _city_admin_status_change(
        request,
        city_slug=city_slug,
        public_id=public_id,
        change=lambda organisation: organisation_reinstate(
            organisation=organisation, by=request.user
        ),
        success="{name} is active again. We've emailed its owners.",
    )


@login_required
@require_POST
def city_admin_trust(
    request: AuthenticatedHttpRequest, city_slug: str, public_id: str
) -> HttpResponse:
    """Trust an active organisation to publish opportunities without review, or stop."""
    trusted = request.POST.get("trusted") == "1"
    return _city_admin_status_change(
        request,
        city_slug=city_slug,
        public_id=public_id,
        change=lambda organisation: organisation_set_trusted(
            organisation=organisation, by=request.user, trusted=trusted
        ),
        success=(
            "{name} is trusted: its opportunities are published without review."
            if trusted
            else "{name} is no longer trusted: its new opportunities wait for review."
        ),
    )
