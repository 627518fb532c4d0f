"""What a guardian of an under-13 sees from their emailed link, and the switch to close the
child's account. The guardian has no account: the consent token in the link is the proof."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from learningcity.accounts.models import GuardianConsent
from learningcity.core.errors import ServiceError

from ..forms_privacy import GuardianCloseForm
from ..privacy import account_delete, guardian_consent_for_view, sharing_summary


def _private(response: HttpResponse) -> HttpResponse:
    # The token in the address is the key: never send it to another site in a Referer header
    # ("same-origin", not "no-referrer": under "no-referrer" browsers send "Origin: null" with
    # this page's forms — closing the account, signing out — and the CSRF check refuses them).
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _consent_or_redirect(token: str) -> GuardianConsent | HttpResponse:
    consent = guardian_consent_for_view(token=token)
    if consent.confirmed_at is None:
        # Not yet said yes: the emailed link's first job is the consent page.
        return redirect("guardian-consent", token=token)
    return consent


@never_cache
@require_http_methods(["GET"])
def guardian_view(request: HttpRequest, token: str) -> HttpResponse:
    consent = _consent_or_redirect(token)
    if isinstance(consent, HttpResponse):
        return consent
    child = consent.child
    request.city = child.learner_profile.city  # type: ignore[attr-defined]
    sharing = sharing_summary(user=child)
    return _private(
        render(
            request,
            "learners/guardian/view.html",
            {
                "consent": consent,
                "child": child,
                "sharing": sharing,
            },
        )
    )


@never_cache
@require_http_methods(["GET", "POST"])
def guardian_close(request: HttpRequest, token: str) -> HttpResponse:
    consent = _consent_or_redirect(token)
    if isinstance(consent, HttpResponse):
        return consent
    child = consent.child
    request.city = child.learner_profile.city  # type: ignore[attr-defined]
    form = GuardianCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        name = child.display_name
        try:
            account_delete(user=child, by_guardian=True)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            return _private(render(request, "learners/guardian/closed.html", {"name": name}))
    return _private(
        render(
            request,
            "learners/guardian/close.html",
            {"consent": consent, "child": child, "form": form},
        )
    )
