"""Staff pages for giving badges: one award, a bulk CSV issue (upload, preview, confirm,
progress), the award list with its CSV export, and revoking an award.

Every view checks access with ``access_organisation_for_staff`` first: staff of another
organisation, learners and city admins get 404; viewers and editors may look at the award
list but issuing and revoking need the issuer role (403).
"""

from __future__ import annotations

import csv

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from learningcity.core.errors import ServiceError
from learningcity.organisations.access import access_organisation_for_staff
from learningcity.organisations.models import Organisation, Role

from .. import issuing
from ..access import access_award_for_staff
from ..forms_issuing import AwardFilterForm, AwardForm, BulkUploadForm, RevokeForm
from ..models import Award, BulkIssue
from ..services import AwardEvidence, award_issue, award_revoke

AWARDS_PER_PAGE = 50
PREVIEW_ERRORS_SHOWN = 500


def _organisation(request: HttpRequest, city_slug: str, org_slug: str, role: Role) -> Organisation:
    organisation, _ = access_organisation_for_staff(
        user=request.user, city_slug=city_slug, org_slug=org_slug, min_role=role
    )
    request.city = organisation.city  # type: ignore[attr-defined]
    return organisation


def _url(name: str, organisation: Organisation, **kwargs: str) -> str:
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


@login_required
@require_http_methods(["GET", "POST"])
def award_create(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    badge_classes = issuing.badge_classes_awardable(organisation=organisation)
    form = AwardForm(request.POST or None, badge_classes=badge_classes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        evidence = []
        if data["evidence_narrative"] or data["evidence_url"]:
            evidence.append(
                AwardEvidence(narrative=data["evidence_narrative"], url=data["evidence_url"])
            )
        try:
            award = award_issue(
                badge_class=data["badge_class"],
                recipient_email=data["recipient_email"],
                recipient_name=data["recipient_name"],
                issued_by=request.user,  # type: ignore[arg-type]
                evidence=evidence,
            )
        except ServiceError as refusal:
            form.add_error(refusal.field if refusal.field in form.fields else None, refusal.message)
        else:
            messages.success(
                request, f"{award.badge_class.name} was awarded to {award.recipient_email}."
            )
            return redirect(_url("award-list", organisation))
    return render(
        request,
        "badges/issuing/award_create.html",
        {"organisation": organisation, "form": form, "has_badges": badge_classes.exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def bulk_issue_upload(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    badge_classes = issuing.badge_classes_awardable(organisation=organisation)
    form = BulkUploadForm(request.POST or None, request.FILES or None, badge_classes=badge_classes)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            bulk_issue = issuing.bulk_issue_create(
                organisation=organisation,
                badge_class=form.cleaned_data["badge_class"],
                created_by=request.user,  # type: ignore[arg-type]
                data=upload.read(),
                file_name=upload.name,
            )
        except ServiceError as refusal:
            form.add_error("file", refusal.message)
        else:
            return redirect(
                _url("bulk-issue-preview", organisation, public_id=bulk_issue.public_id)
            )
    return render(
        request, "badges/issuing/bulk_upload.html", {"organisation": organisation, "form": form}
    )


@login_required
@require_GET
def bulk_issue_preview(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    bulk_issue = issuing.access_bulk_issue(organisation=organisation, public_id=public_id)
    if bulk_issue.status != BulkIssue.Status.PREVIEW:
        return redirect(_url("bulk-issue-progress", organisation, public_id=public_id))
    problems = bulk_issue.rows.exclude(error="").order_by("line")[:PREVIEW_ERRORS_SHOWN]
    return render(
        request,
        "badges/issuing/bulk_preview.html",
        {
            "organisation": organisation,
            "bulk_issue": bulk_issue,
            "counts": issuing.bulk_issue_counts(bulk_issue=bulk_issue),
            "problems": problems,
            "shown_limit": PREVIEW_ERRORS_SHOWN,
        },
    )


@login_required
@require_POST
def bulk_issue_confirm(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    bulk_issue = issuing.access_bulk_issue(organisation=organisation, public_id=public_id)
    try:
        issuing.bulk_issue_confirm(bulk_issue=bulk_issue)
    except ServiceError as refusal:
        messages.error(request, refusal.message)
        return redirect(_url("bulk-issue-preview", organisation, public_id=public_id))
    return redirect(_url("bulk-issue-progress", organisation, public_id=public_id))


@login_required
@require_GET
def bulk_issue_progress(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    bulk_issue = issuing.access_bulk_issue(organisation=organisation, public_id=public_id)
    if bulk_issue.status == BulkIssue.Status.PREVIEW:
        return redirect(_url("bulk-issue-preview", organisation, public_id=public_id))
    return render(
        request,
        "badges/issuing/bulk_progress.html",
        {
            "organisation": organisation,
            "bulk_issue": bulk_issue,
            "counts": issuing.bulk_issue_counts(bulk_issue=bulk_issue),
            "refused": bulk_issue.rows.exclude(issue_error="").order_by("line")[:100],
            "running": bulk_issue.status != BulkIssue.Status.DONE,
        },
    )


@login_required
@require_GET
def bulk_issue_status(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> JsonResponse:
    """The progress of a run as JSON, for the page's progress poller."""
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    bulk_issue = issuing.access_bulk_issue(organisation=organisation, public_id=public_id)
    return JsonResponse(
        {"status": bulk_issue.status, **issuing.bulk_issue_counts(bulk_issue=bulk_issue)}
    )


def _filtered_awards(
    request: HttpRequest, organisation: Organisation
) -> tuple[AwardFilterForm, QuerySet[Award]]:
    """The award list and its filter form, as the list page and the CSV export share them."""
    badge_classes = issuing.badge_classes_awardable(organisation=organisation)
    form = AwardFilterForm(request.GET or None, badge_classes=badge_classes)
    filters = form.cleaned_data if form.is_valid() else {}
    awards = issuing.award_list_for_organisation(
        organisation=organisation,
        badge_public_id=filters.get("badge", ""),
        status=filters.get("status", ""),
        query=filters.get("q", ""),
    )
    return form, awards


@login_required
@require_GET
def award_list(request: HttpRequest, city_slug: str, org_slug: str) -> HttpResponse:
    organisation = _organisation(request, city_slug, org_slug, Role.VIEWER)
    form, awards = _filtered_awards(request, organisation)
    page = Paginator(awards, AWARDS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "badges/issuing/award_list.html",
        {
            "organisation": organisation,
            "form": form,
            "page": page,
            "rows": [(award, issuing.award_status(award)) for award in page],
            "query": query.urlencode(),
        },
    )


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def award_export(request: HttpRequest, city_slug: str, org_slug: str) -> StreamingHttpResponse:
    """The filtered award list as CSV; cells that a spreadsheet would run as formulas are
    quoted (:func:`issuing.csv_safe`)."""
    organisation = _organisation(request, city_slug, org_slug, Role.VIEWER)
    _, awards = _filtered_awards(request, organisation)
    writer = csv.writer(_Echo())
    header = ["badge", "email", "name", "issued_at", "expires_at", "status", "award_url"]

    def lines():
        yield writer.writerow(header)
        for award in awards.iterator(chunk_size=500):
            yield writer.writerow(
                [
                    issuing.csv_safe(value)
                    for value in (
                        award.badge_class.name,
                        award.recipient_email,
                        award.recipient_name,
                        award.issued_at.isoformat(),
                        award.expires_at.isoformat() if award.expires_at else "",
                        issuing.award_status(award),
                        settings.SITE_URL + award.get_absolute_url(),
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="awards-{organisation.slug}.csv"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def award_revoke_page(
    request: HttpRequest, city_slug: str, org_slug: str, public_id: str
) -> HttpResponse:
    """GET shows the confirmation step with the reason field; POST revokes."""
    organisation = _organisation(request, city_slug, org_slug, Role.ISSUER)
    award = access_award_for_staff(organisation=organisation, public_id=public_id)
    form = RevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award_revoke(award=award, by=request.user, reason=form.cleaned_data["reason"])  # type: ignore[arg-type]
        except ServiceError as refusal:
            form.add_error("reason" if refusal.field == "reason" else None, refusal.message)
        else:
            messages.success(request, f"The badge of {award.recipient_email} was revoked.")
            return redirect(_url("award-list", organisation))
    return render(
        request,
        "badges/issuing/award_revoke.html",
        {"organisation": organisation, "award": award, "form": form},
    )
