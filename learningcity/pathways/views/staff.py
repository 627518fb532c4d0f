"""The pages that build pathways and show their owners how learners get on: an organisation's
staff here, and — through the same page functions — the city team for city-wide pathways
(``views/city_admin.py``).

Any member of an organisation's staff sees its pathways and their progress reports; editors and
above change them (a viewer gets 403 on every page that changes something). Everyone else gets
404 from the ``access_*`` helpers, and another organisation's pathway is a 404 too. Each view
parses, checks access, calls one service or selector and renders; a :class:`ServiceError` is
shown to the person as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.accounts.models import User
from learningcity.cities.models import City
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations.access import access_organisation_for_staff, role_at_least
from learningcity.organisations.models import Membership, Organisation, Role

from .. import access, reports, selectors, services
from ..forms import PathwayForm, StepForm
from ..models import Pathway, PathwayStatus, PathwayStep

# The order the list shows its groups in.
STATUS_ORDER = (PathwayStatus.DRAFT, PathwayStatus.PUBLISHED, PathwayStatus.ARCHIVED)


# --- Whose pathways: an organisation's, or the city team's ---------------------------------------


@dataclass(frozen=True)
class Owner:
    """Whose pathways a page is about, and how its URLs are named: an organisation's
    (``staff-pathway-*``) or, with ``organisation`` None, the city team's (``city-pathway-*``)."""

    city: City
    organisation: Organisation | None
    can_edit: bool

    @property
    def prefix(self) -> str:
        return "city-pathway" if self.organisation is None else "staff-pathway"

    @property
    def name(self) -> str:
        if self.organisation is None:
            return f"{self.city.name}'s city team"
        return self.organisation.name

    def kwargs(self) -> dict[str, str]:
        kwargs = {"city_slug": self.city.slug}
        if self.organisation is not None:
            kwargs["org_slug"] = self.organisation.slug
        return kwargs

    def url(
        self, page: str, pathway: Pathway | None = None, step: PathwayStep | None = None
    ) -> str:
        kwargs: dict[str, Any] = self.kwargs()
        if pathway is not None:
            kwargs["public_id"] = pathway.public_id
        if step is not None:
            kwargs["step_id"] = step.pk
        return reverse(f"{self.prefix}-{page}", kwargs=kwargs)

    @property
    def list_url(self) -> str:
        return self.url("list")

    def links(self, pathway: Pathway) -> dict[str, str]:
        """Every page of one pathway, for templates."""
        pages = ("detail", "edit", "step-add", "publish", "archive", "report")
        return {page.replace("-", "_"): self.url(page, pathway) for page in pages}

    def home_url(self) -> str | None:
        """The page above the list in the breadcrumbs: the organisation's dashboard, or for the
        city team the city's home page."""
        if self.organisation is None:
            return self.city.get_absolute_url()
        try:
            return reverse(
                "organisation-dashboard",
                kwargs={"city_slug": self.city.slug, "org_slug": self.organisation.slug},
            )
        except NoReverseMatch:
            return None


def can_edit(membership: Membership | None) -> bool:
    return membership is None or role_at_least(membership.role, Role.EDITOR)


def _staff_owner(
    request: HttpRequest, city_slug: str, org_slug: str, min_role: Role = Role.VIEWER
) -> Owner:
    organisation, membership = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=min_role
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    return Owner(city=organisation.city, organisation=organisation, can_edit=can_edit(membership))


def _staff_pathway(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str, min_role: Role
) -> tuple[Owner, Pathway]:
    owner = _staff_owner(request, city_slug, org_slug, min_role)
    pathway = access.access_pathway_of_owner(
        city=owner.city, organisation=owner.organisation, public_id=public_id
    )
    return owner, pathway


def _step(pathway: Pathway, step_id: int) -> PathwayStep:
    return access.access_pathway_step(pathway=pathway, step_id=step_id)


# --- Page functions shared with the city team's views --------------------------------------------


def list_page(request: HttpRequest, owner: Owner) -> HttpResponse:
    pathways = list(
        reports.pathway_list_for_owner(city=owner.city, organisation=owner.organisation)
    )
    groups = [
        (
            status.label,
            status.value,
            [(p, owner.url("detail", p)) for p in pathways if p.status == status],
        )
        for status in STATUS_ORDER
    ]
    return render(
        request,
        "pathways/staff/list.html",
        {
            "owner": owner,
            "groups": [group for group in groups if group[2]],
            "total": len(pathways),
            "create_url": owner.url("create"),
        },
    )


def detail_page(request: HttpRequest, owner: Owner, pathway: Pathway) -> HttpResponse:
    steps = [
        (
            item,
            {
                "edit": owner.url("step-edit", pathway, item.step),
                "remove": owner.url("step-remove", pathway, item.step),
                "move": owner.url("step-move", pathway, item.step),
            },
        )
        for item in selectors.pathway_steps_with_badges(pathway=pathway)
    ]
    return render(
        request,
        "pathways/staff/detail.html",
        {
            "owner": owner,
            "pathway": pathway,
            "links": owner.links(pathway),
            "steps": steps,
            "public_url": _public_url(pathway),
        },
    )


def _public_url(pathway: Pathway) -> str | None:
    if pathway.status != PathwayStatus.PUBLISHED:
        return None
    try:
        return pathway.get_absolute_url()
    except NoReverseMatch:
        return None


def _add_service_error(form: Any, error: ServiceError) -> None:
    form.add_error(error.field if error.field in form.fields else None, error.message)


def _refuse_if_archived(
    request: HttpRequest, owner: Owner, pathway: Pathway
) -> HttpResponse | None:
    if pathway.status == PathwayStatus.ARCHIVED:
        messages.error(request, errors.PATHWAY_ARCHIVED)
        return redirect(owner.url("detail", pathway))
    return None


def _pathway_form_page(
    request: HttpRequest,
    owner: Owner,
    form: PathwayForm,
    pathway: Pathway | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    cancel_url = owner.url("detail", pathway) if pathway else owner.url("list")
    return render(
        request,
        "pathways/staff/form.html",
        {"owner": owner, "form": form, "pathway": pathway, "cancel_url": cancel_url},
        status=status,
    )


def _pathway_form(owner: Owner, *args: Any, **kwargs: Any) -> PathwayForm:
    return PathwayForm(*args, city=owner.city, organisation=owner.organisation, **kwargs)


def _by(request: HttpRequest) -> User:
    """The signed-in person (every view here is behind ``login_required``)."""
    return cast(User, request.user)


def create_page(request: HttpRequest, owner: Owner) -> HttpResponse:
    if request.method == "GET":
        return _pathway_form_page(request, owner, _pathway_form(owner))
    form = _pathway_form(owner, request.POST)
    if form.is_valid():
        try:
            pathway = services.pathway_create(
                city=owner.city,
                organisation=owner.organisation,
                by=_by(request),
                **form.values(),
            )
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"{pathway.name} is saved as a draft. Now add its steps.")
            return redirect(owner.url("detail", pathway))
    return _pathway_form_page(request, owner, form, status=400)


def edit_page(request: HttpRequest, owner: Owner, pathway: Pathway) -> HttpResponse:
    if refused := _refuse_if_archived(request, owner, pathway):
        return refused
    if request.method == "GET":
        form = _pathway_form(owner, instance=pathway)
        return _pathway_form_page(request, owner, form, pathway)
    form = _pathway_form(owner, request.POST, instance=pathway)
    if form.is_valid():
        try:
            pathway = services.pathway_update(pathway=pathway, by=_by(request), **form.values())
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"Your changes to {pathway.name} are saved.")
            return redirect(owner.url("detail", pathway))
    return _pathway_form_page(request, owner, form, pathway, status=400)


def _step_form_page(
    request: HttpRequest,
    owner: Owner,
    pathway: Pathway,
    form: StepForm,
    step: PathwayStep | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "pathways/staff/step_form.html",
        {
            "owner": owner,
            "pathway": pathway,
            "step": step,
            "form": form,
            "links": owner.links(pathway),
        },
        status=status,
    )


def step_add_page(request: HttpRequest, owner: Owner, pathway: Pathway) -> HttpResponse:
    if refused := _refuse_if_archived(request, owner, pathway):
        return refused
    if request.method == "GET":
        return _step_form_page(request, owner, pathway, StepForm(city=owner.city))
    form = StepForm(request.POST, city=owner.city)
    if form.is_valid():
        try:
            step = services.pathway_step_add(pathway=pathway, **form.values())
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"Step {step.position}, {step.title}, is added.")
            return redirect(owner.url("detail", pathway))
    return _step_form_page(request, owner, pathway, form, status=400)


def step_edit_page(
    request: HttpRequest, owner: Owner, pathway: Pathway, step: PathwayStep
) -> HttpResponse:
    if refused := _refuse_if_archived(request, owner, pathway):
        return refused
    if request.method == "GET":
        form = StepForm(initial=StepForm.initial_for(step), city=owner.city)
        return _step_form_page(request, owner, pathway, form, step)
    form = StepForm(request.POST, city=owner.city)
    if form.is_valid():
        try:
            step = services.pathway_step_update(step=step, **form.values())
        except AccessDenied as exc:
            raise PermissionDenied(exc.message) from None
        except ServiceError as exc:
            _add_service_error(form, exc)
        else:
            messages.success(request, f"Your changes to step {step.position} are saved.")
            return redirect(owner.url("detail", pathway))
    return _step_form_page(request, owner, pathway, form, step, status=400)


def _run(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Call ``action``; show ``success`` or the service's message. True when it worked."""
    try:
        action()
    except AccessDenied as exc:
        raise PermissionDenied(exc.message) from None
    except ServiceError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


def step_remove_action(
    request: HttpRequest, owner: Owner, pathway: Pathway, step: PathwayStep
) -> HttpResponse:
    if refused := _refuse_if_archived(request, owner, pathway):
        return refused
    _run(
        request,
        lambda: services.pathway_step_remove(step=step),
        f"The step {step.title} is removed.",
    )
    return redirect(owner.url("detail", pathway))


def step_move_action(
    request: HttpRequest, owner: Owner, pathway: Pathway, step: PathwayStep
) -> HttpResponse:
    if refused := _refuse_if_archived(request, owner, pathway):
        return refused
    direction = {"up": -1, "down": 1}.get(request.POST.get("direction", ""))
    if direction is not None:
        _run(
            request,
            lambda: services.pathway_step_move(step=step, direction=direction),
            f"The step {step.title} is moved {'up' if direction < 0 else 'down'}.",
        )
    return redirect(f"{owner.url('detail', pathway)}#step-{step.pk}")


def publish_action(request: HttpRequest, owner: Owner, pathway: Pathway) -> HttpResponse:
    _run(
        request,
        lambda: services.pathway_publish(pathway=pathway, by=_by(request)),
        f"{pathway.name} is published. Learners can find it and join it now.",
    )
    return redirect(owner.url("detail", pathway))


def archive_action(request: HttpRequest, owner: Owner, pathway: Pathway) -> HttpResponse:
    _run(
        request,
        lambda: services.pathway_archive(pathway=pathway, by=_by(request)),
        f"{pathway.name} is archived. Learners can no longer join it.",
    )
    return redirect(owner.url("detail", pathway))


def report_page(request: HttpRequest, owner: Owner, pathway: Pathway) -> HttpResponse:
    report = selectors.pathway_owner_report(pathway=pathway)
    # Each step's share of the enrolled learners, for the bar (the numbers are shown as text).
    steps = [
        (step, round(100 * step.satisfied_count / report.enrolled) if report.enrolled else 0)
        for step in report.steps
    ]
    return render(
        request,
        "pathways/staff/report.html",
        {
            "owner": owner,
            "pathway": pathway,
            "links": owner.links(pathway),
            "report": report,
            "steps": steps,
        },
    )


# --- An organisation's staff ---------------------------------------------------------------------


@login_required
@require_GET
def pathway_list(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    return list_page(request, _staff_owner(request, city_slug, org_slug))


@login_required
@require_http_methods(["GET", "POST"])
def pathway_create(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    return create_page(request, _staff_owner(request, city_slug, org_slug, Role.EDITOR))


@login_required
@require_GET
def pathway_detail(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return detail_page(
        request, *_staff_pathway(request, city_slug, org_slug, public_id, Role.VIEWER)
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_edit(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return edit_page(request, *_staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR))


@login_required
@require_POST
def pathway_publish(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return publish_action(
        request, *_staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR)
    )


@login_required
@require_POST
def pathway_archive(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return archive_action(
        request, *_staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR)
    )


@login_required
@require_GET
def pathway_report(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return report_page(
        request, *_staff_pathway(request, city_slug, org_slug, public_id, Role.VIEWER)
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_step_add(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    return step_add_page(
        request, *_staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR)
    )


@login_required
@require_http_methods(["GET", "POST"])
def pathway_step_edit(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str, step_id: int
) -> HttpResponse:
    owner, pathway = _staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR)
    return step_edit_page(request, owner, pathway, _step(pathway, step_id))


@login_required
@require_POST
def pathway_step_remove(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str, step_id: int
) -> HttpResponse:
    owner, pathway = _staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR)
    return step_remove_action(request, owner, pathway, _step(pathway, step_id))


@login_required
@require_POST
def pathway_step_move(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str, step_id: int
) -> HttpResponse:
    owner, pathway = _staff_pathway(request, city_slug, org_slug, public_id, Role.EDITOR)
    return step_move_action(request, owner, pathway, _step(pathway, step_id))
