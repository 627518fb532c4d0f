from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from learningcity.badges.selectors import award_list_for_learner
from learningcity.cities.models import CityAdmin
from learningcity.core.errors import ServiceError
from learningcity.organisations.selectors import organisation_list_for_user

from .forms import GuardianEmailForm, LearnerProfileForm
from .http import AuthenticatedHttpRequest
from .models import LearnerProfile
from .selectors import guardian_consent_is_confirmed, verified_emails
from .services import (
    guardian_consent_confirm,
    guardian_consent_for_token,
    guardian_consent_request,
    learner_profile_update,
)


def _profile_or_none(request: AuthenticatedHttpRequest) -> LearnerProfile | None:
    return (
        LearnerProfile.objects.select_related("city", "area", "user__guardian_consent")
        .filter(user=request.user)
        .first()
    )


@login_required
def learner_home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A signed-in person's home: their learning, and the organisations and cities they run."""
    profile = _profile_or_none(request)
    if profile is not None:
        request.city = profile.city  # type: ignore[attr-defined]
    city_admin_of = CityAdmin.objects.filter(user=request.user).select_related("city")
    return render(
        request,
        "accounts/learner_home.html",
        {
            "profile": profile,
            "memberships": organisation_list_for_user(user=request.user),
            "city_admin_of": [membership.city for membership in city_admin_of],
            "guardian_form": GuardianEmailForm(),
            "awards": award_list_for_learner(user=request.user),
        },
    )


@login_required
def account_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = _profile_or_none(request)
    return render(
        request,
        "accounts/account_overview.html",
        {"profile": profile, "emails": verified_emails(user=request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest) -> HttpResponse:
    profile = _profile_or_none(request)
    if profile is None:
        messages.info(request, "Your account has no learner profile to edit.")
        return redirect("account-overview")
    request.city = profile.city  # type: ignore[attr-defined]
    initial = {
        "postcode": profile.postcode_district,
        "interests": ", ".join(profile.interests),
        "profile_public": profile.profile_public,
        "recommendations_enabled": profile.recommendations_enabled,
        "share_area_with_organisations": profile.share_area_with_organisations,
    }
    form = LearnerProfileForm(request.POST or None, initial=initial, city=profile.city)
    if request.method == "POST" and form.is_valid():
        try:
            learner_profile_update(
                profile=profile,
                postcode_district=form.cleaned_data["postcode"],
                area=form.cleaned_data["area"],
                interests=form.cleaned_data["interests"],
                profile_public=form.cleaned_data["profile_public"],
                recommendations_enabled=form.cleaned_data["recommendations_enabled"],
                share_area_with_organisations=form.cleaned_data["share_area_with_organisations"],
            )
        except ServiceError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(request, "Your profile and privacy settings are saved.")
            return redirect("learner-home")
    return render(request, "accounts/profile_edit.html", {"form": form, "profile": profile})


@login_required
@require_POST
def guardian_consent_resend(request: AuthenticatedHttpRequest) -> HttpResponse:
    """An under-13 sends the consent request again, perhaps to a different address."""
    profile = _profile_or_none(request)
    if profile is None or not profile.needs_guardian_consent:
        return redirect("learner-home")
    form = GuardianEmailForm(request.POST)
    if form.is_valid():
        try:
            guardian_consent_request(
                child=request.user,
                guardian_email=form.cleaned_data["guardian_email"],
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "We've sent the email again.")
    else:
        messages.error(
            request, "Enter your parent or carer's email address, like name@example.org."
        )
    return redirect("learner-home")


@require_http_methods(["GET", "POST"])
def guardian_consent(request: HttpRequest, token: str) -> HttpResponse:
    """The page a guardian reaches from the emailed link. No account needed: the link is proof.

    Once the guardian has said yes, the same link opens their view of the child's account
    (``learners``: what the child has earned and shared, and the switch to close it).
    """
    if guardian_consent_is_confirmed(token=token):
        return redirect("guardian-view", token=token)
    try:
        consent = guardian_consent_for_token(token=token)
    except ServiceError as exc:
        return render(
            request, "accounts/guardian_consent_invalid.html", {"message": exc.message}, status=404
        )
    if request.method == "POST":
        guardian = request.user if request.user.is_authenticated else None
        try:
            guardian_consent_confirm(token=token, guardian=guardian)  # type: ignore[arg-type]
        except ServiceError as exc:
            return render(
                request,
                "accounts/guardian_consent_invalid.html",
                {"message": exc.message},
                status=404,
            )
        return render(request, "accounts/guardian_consent_done.html", {"consent": consent})
    return render(request, "accounts/guardian_consent.html", {"consent": consent})
