"""Staff pages for an organisation's opportunities: the list, create and edit, the staff's view of
one opportunity with its sessions, adding and cancelling sessions, submitting and archiving.

Any member of staff sees the pages; editors and above change things (a viewer gets 403 on every
page that changes something). Everyone else gets 404 from the ``access_*`` helpers, and another
organisation's opportunity is a 404 too. Each view parses, checks access, calls one service or
selector and renders; a :class:`ServiceError` is shown to the person as it is.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import access_organisation_for_staff, role_at_least
from learningcity.organisations.models import Membership, Organisation, Role

from .. import publishing
from ..access import access_opportunity_for_staff, access_session_for_staff
from ..forms_publishing import SESSION_FORMS, OpportunityForm
from ..models import Opportunity, OpportunityStatus, Session

# The order the staff's list shows its groups in.
STATUS_ORDER = (
    OpportunityStatus.DRAFT,
    OpportunityStatus.SUBMITTED,
    OpportunityStatus.PUBLISHED,
    OpportunityStatus.ARCHIVED,
)


def reverse_or_none(name: str, **kwargs: Any) -> str | None:
    """The URL of ``name``, or None while the page does not exist (pages other parts of the app
    provide: the public opportunity page, attendees and check-in)."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _can_edit(membership: Membership | None) -> bool:
    return membership is None or role_at_least(membership.role, Role.EDITOR)


def _kwargs(opportunity: Opportunity) -> dict[str, str]:
    return {
        "city_slug": opportunity.city.slug,
        "org_slug": opportunity.organisation.slug,
        "public_id": opportunity.public_id,
    }


def detail_url(opportunity: Opportunity) -> str:
    return reverse("opportunity-staff-detail", kwargs=_kwargs(opportunity))


def public_url(opportunity: Opportunity) -> str | None:
    """The public page, for a published opportunity only."""
    if opportunity.status != OpportunityStatus.PUBLISHED:
        return None
    return reverse_or_none(
        "opportunity-detail", city_slug=opportunity.city.slug, public_id=opportunity.public_id
    )


def _session_links(organisation: Organisation, session: Session) -> dict[str, str | None]:
    kwargs = {
        "city_slug": organisation.city.slug,
        "org_slug": organisation.slug,
        "session_id": session.public_id,
    }
    return {
        "attendees": reverse_or_none("session-attendees", **kwargs),
        "check_in": reverse_or_none("session-check-in", **kwargs),
        "csv": reverse_or_none("session-attendees-csv", **kwargs),
    }


def _review_outcome(opportunity: Opportunity) -> str:
    """What submitting will do, in a sentence, under the city's rule."""
    city, organisation = opportunity.city, opportunity.organisation
    rule = city.opportunity_review
    if rule == city.OpportunityReview.NONE or (
        rule == city.OpportunityReview.UNTRUSTED and organisation.is_trusted
    ):
        return "It will be published straight away."
    return (
        f"{city.name}'s city team will check it before it is published. "
        "It usually takes a day or two."
    )


# --- The list and the staff's view of one opportunity --------------------------------------------


@login_required
@require_GET
def opportunity_staff_list(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, membership = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.VIEWER
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    opportunities = list(publishing.opportunity_list_for_staff(organisation=organisation))
    groups = [(status, [o for o in opportunities if o.status == status]) for status in STATUS_ORDER]
    return render(
        request,
        "opportunities/staff/list.html",
        {
            "organisation": organisation,
            "groups": [(status.label, status.value, items) for status, items in groups if items],
            "total": len(opportunities),
            "can_edit": _can_edit(membership),
        },
    )


@login_required
@require_GET
def opportunity_staff_detail(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    opportunity, membership = access_opportunity_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, public_id=public_id
    )
    request.city = opportunity.city  # type: ignore[attr-defined]
    organisation = opportunity.organisation
    sessions = [
        (session, _session_links(organisation, session))
        for session in publishing.session_list_for_staff(opportunity=opportunity)
    ]
    return render(
        request,
        "opportunities/staff/detail.html",
        {
            "organisation": organisation,
            "opportunity": opportunity,
            "sessions": sessions,
            "can_edit": _can_edit(membership),
            "public_url": public_url(opportunity),
            "review_outcome": _review_outcome(opportunity),
            "topics": opportunity.topics.all(),
            "badge_classes": opportunity.badge_classes.all(),
        },
    )


# --- Create and edit -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest,
    organisation: Organisation,
    form: OpportunityForm,
    opportunity: Opportunity | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "opportunities/staff/form.html",
        {"organisation": organisation, "form": form, "opportunity": opportunity},
        status=status,
    )


def _add_service_error(form: OpportunityForm, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_staff_create(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=Role.EDITOR
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    if request.method == "GET":
        return _form_page(request, organisation, OpportunityForm(organisation=organisation))
    form = OpportunityForm(request.POST, request.FILES, organisation=organisation)
    if form.is_valid():
        try:
            opportunity = publishing.opportunity_create(
                organisation=organisation,
                by=request.user,  # type: ignore[arg-type]
                data=form.values(),
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(
                request, f"{opportunity.title} is saved as a draft. Now add its dates."
            )
            return redirect(detail_url(opportunity))
    return _form_page(request, organisation, form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_staff_edit(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    opportunity, _ = access_opportunity_for_staff(
        user=request.user,
        city_slug=city_slug,
        org_slug=org_slug,
        public_id=public_id,
        min_role=Role.EDITOR,
    )
    organisation = opportunity.organisation
    request.city = opportunity.city  # type: ignore[attr-defined]
    if opportunity.status == OpportunityStatus.ARCHIVED:
        messages.error(request, f"{opportunity.title} is archived, so it can't be changed.")
        return redirect(detail_url(opportunity))
    if request.method == "GET":
        form = OpportunityForm(instance=opportunity, organisation=organisation)
        return _form_page(request, organisation, form, opportunity)
    form = OpportunityForm(
        request.POST, request.FILES, instance=opportunity, organisation=organisation
    )
    if form.is_valid():
        try:
            opportunity = publishing.opportunity_update(
                opportunity=opportunity,
                by=request.user,  # type: ignore[arg-type]
                data=form.values(),
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"Your changes to {opportunity.title} are saved.")
            return redirect(detail_url(opportunity))
    return _form_page(request, organisation, form, opportunity, status=400)


# --- Sessions ------------------------------------------------------------------------------------


def _session_forms(data: Any = None, kind: str | None = None) -> list[Any]:
    """The three ways to add sessions, each its own small form; ``data`` binds the one of
    ``kind``."""
    return [
        form_class(data if kind == form_class.kind else None, prefix=form_class.kind)
        for form_class in SESSION_FORMS.values()
    ]


@login_required
@require_http_methods(["GET", "POST"])
def opportunity_staff_sessions_add(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    opportunity, _ = access_opportunity_for_staff(
        user=request.user,
        city_slug=city_slug,
        org_slug=org_slug,
        public_id=public_id,
        min_role=Role.EDITOR,
    )
    request.city = opportunity.city  # type: ignore[attr-defined]
    if opportunity.status == OpportunityStatus.ARCHIVED:
        messages.error(request, f"{opportunity.title} is archived, so it can't be changed.")
        return redirect(detail_url(opportunity))
    kind = request.POST.get("kind") if request.method == "POST" else None
    if request.method == "POST" and kind not in SESSION_FORMS:
        kind = None
    forms = _session_forms(request.POST if kind else None, kind)
    status = 200
    if kind:
        form = next(f for f in forms if f.kind == kind)
        if form.is_valid():
            try:
                added = publishing.sessions_add(
                    opportunity=opportunity,
                    by=request.user,  # type: ignore[arg-type]
                    pattern=form.pattern(),
                )
            except AccessDenied as exc:
                raise PermissionDenied(exc.message) from None
            except ServiceError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                count = len(added)
                if count:
                    messages.success(
                        request,
                        f"{count} session{'s' if count != 1 else ''} added to {opportunity.title}.",
                    )
                else:
                    messages.info(request, "Those sessions were already there; nothing was added.")
                return redirect(detail_url(opportunity))
        status = 400
    return render(
        request,
        "opportunities/staff/sessions_add.html",
        {
            "organisation": opportunity.organisation,
            "opportunity": opportunity,
            "forms": forms,
            "open_kind": kind or "weekly",
            "timezone": opportunity.city.timezone,
        },
        status=status,
    )


@login_required
@require_POST
def opportunity_staff_session_cancel(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str, session_id: str
) -> HttpResponse:
    session, _ = access_session_for_staff(
        user=request.user,
        city_slug=city_slug,
        org_slug=org_slug,
        session_id=session_id,
        min_role=Role.EDITOR,
    )
    opportunity = session.opportunity
    if opportunity.public_id != public_id:
        raise Http404("No such session.")
    try:
        publishing.session_cancel(session=session, by=request.user)  # type: ignore[arg-type]
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The session is cancelled.")
    return redirect(detail_url(opportunity))


# --- Lifecycle -----------------------------------------------------------------------------------


def _lifecycle(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str, service: Any
) -> tuple[Opportunity | None, Opportunity]:
    opportunity, _ = access_opportunity_for_staff(
        user=request.user,
        city_slug=city_slug,
        org_slug=org_slug,
        public_id=public_id,
        min_role=Role.EDITOR,
    )
    try:
        changed = service(opportunity=opportunity, by=request.user)
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return None, opportunity
    return changed, opportunity


@login_required
@require_POST
def opportunity_staff_submit(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    changed, opportunity = _lifecycle(
        request, city_slug, org_slug, public_id, publishing.opportunity_submit
    )
    if changed is not None and changed.status == OpportunityStatus.PUBLISHED:
        messages.success(request, f"{changed.title} is published. Learners can find it now.")
    elif changed is not None:
        messages.success(
            request,
            f"{changed.title} is waiting for {changed.city.name}'s city team to check it. "
            "We'll email you when they have.",
        )
    return redirect(detail_url(opportunity))


@login_required
@require_POST
def opportunity_staff_archive(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    changed, opportunity = _lifecycle(
        request, city_slug, org_slug, public_id, publishing.opportunity_archive
    )
    if changed is not None:
        messages.success(request, f"{changed.title} is archived. Learners no longer see it.")
    return redirect(detail_url(opportunity))
