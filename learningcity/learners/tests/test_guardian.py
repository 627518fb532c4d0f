"""The guardian's view of an under-13's account, opened by the emailed consent link."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.models import GuardianConsent, LearnerProfile, User
from learningcity.accounts.tests.factories import GuardianConsentFactory, date_of_birth_for_age
from learningcity.badges.models import Award
from learningcity.core import errors

from .privacy_factories import GUARDIAN_EMAIL, NAME, learner_with_everything

pytestmark = pytest.mark.django_db


@pytest.fixture
def child():
    return learner_with_everything(age=11, guardian_email=GUARDIAN_EMAIL)


def _token(learner) -> str:
    return GuardianConsent.objects.get(child=learner.user).token


def test_an_unknown_token_is_404(client, child):
    assert client.get(reverse("guardian-view", kwargs={"token": "not-a-token"})).status_code == 404
    close = reverse("guardian-close", kwargs={"token": "not-a-token"})
    assert client.post(close, {"confirm": "on"}).status_code == 404
    assert User.objects.filter(pk=child.user.pk).exists()


def test_the_view_shows_what_the_child_earned_and_shares(client, child):
    response = client.get(reverse("guardian-view", kwargs={"token": _token(child)}))
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "same-origin"
    page = response.content.decode()
    assert page.count("<h1") == 1
    assert NAME in page
    for award in child.awards:
        assert award.badge_class.name in page
    assert "Harbour Youth Hub" in page
    assert escape(child.extra["collection"].name) in page  # shared collection, linked
    collection_url = reverse(
        "collection-shared", kwargs={"public_id": child.extra["collection"].public_id}
    )
    assert collection_url in page
    assert "Sea Kayaking" in page  # shared imported badge, linked
    imported_url = reverse(
        "imported-shared", kwargs={"imported_public_id": child.extra["imported"].public_id}
    )
    assert imported_url in page
    assert child.awards[0].get_absolute_url() in page  # shared badge, linked
    assert "switched off" in page  # portfolio not public
    assert reverse("guardian-close", kwargs={"token": _token(child)}) in page


def test_the_view_shows_a_public_portfolio(client, child):
    LearnerProfile.objects.filter(user=child.user).update(profile_public=True)
    page = client.get(reverse("guardian-view", kwargs={"token": _token(child)})).content.decode()
    assert "anyone can see the badges they chose to show" in page
    assert reverse("portfolio", kwargs={"user_public_id": child.user.public_id}) in page


def test_another_childs_things_are_not_shown(client, child):
    page = client.get(reverse("guardian-view", kwargs={"token": _token(child)})).content.decode()
    assert "Other Learner" not in page
    assert "Other&#x27;s collection" not in page


def test_before_consent_the_link_goes_to_the_consent_page(client, child):
    GuardianConsent.objects.filter(child=child.user).update(confirmed_at=None)
    token = _token(child)
    response = client.get(reverse("guardian-view", kwargs={"token": token}))
    assert response.status_code == 302
    assert response["Location"] == reverse("guardian-consent", kwargs={"token": token})


def test_a_child_who_has_turned_13_is_no_longer_shown(client, child):
    LearnerProfile.objects.filter(user=child.user).update(date_of_birth=date_of_birth_for_age(13))
    assert client.get(reverse("guardian-view", kwargs={"token": _token(child)})).status_code == 404


def test_an_adult_with_a_consent_row_is_not_shown(client):
    adult = learner_with_everything(age=30)
    consent = GuardianConsentFactory(child=adult.user, confirmed_at=timezone.now())
    response = client.get(reverse("guardian-view", kwargs={"token": consent.token}))
    assert response.status_code == 404


def test_closing_needs_the_confirmation_tick(client, child):
    url = reverse("guardian-close", kwargs={"token": _token(child)})
    page = client.get(url)
    assert page.status_code == 200
    assert "Copies already downloaded stay as they are" in page.content.decode()
    response = client.post(url, {})
    assert response.status_code == 200
    assert escape(errors.PRIVACY_DELETE_GUARDIAN_CONFIRM) in response.content.decode()
    assert User.objects.filter(pk=child.user.pk).exists()


def test_the_guardian_closes_the_account(client, child):
    token = _token(child)
    award_ids = [award.pk for award in child.awards]
    response = client.post(reverse("guardian-close", kwargs={"token": token}), {"confirm": "on"})
    assert response.status_code == 200
    assert "The account is closed" in response.content.decode()
    assert not User.objects.filter(pk=child.user.pk).exists()
    assert not GuardianConsent.objects.exists()
    for award in Award.objects.filter(pk__in=award_ids):
        assert award.revoked_at is not None and award.recipient_id is None
    assert (
        Award.objects.get(pk=award_ids[0]).revocation_reason
        == errors.PRIVACY_REVOKED_GUARDIAN_CLOSED
    )
    # The link is spent.
    assert client.get(reverse("guardian-view", kwargs={"token": token})).status_code == 404
