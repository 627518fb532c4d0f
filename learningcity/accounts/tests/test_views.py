import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.models import GuardianConsent
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.core import errors

from .factories import GuardianConsentFactory, LearnerProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNED_IN_PAGES = ["learner-home", "account-overview", "profile-edit"]


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", SIGNED_IN_PAGES)
def test_a_learner_can_open_their_own_pages(client, name):
    profile = LearnerProfileFactory()
    client.force_login(profile.user)
    assert client.get(reverse(name)).status_code == 200


def test_the_learner_home_greets_the_learner_and_shows_their_privacy(client):
    profile = LearnerProfileFactory(user__display_name="Amara", age=15)
    client.force_login(profile.user)
    page = client.get(reverse("learner-home")).content.decode()
    assert "Hello, Amara" in page
    assert "Private" in page
    assert "13 to 15" in page


def test_a_waiting_under_13_sees_the_guardian_notice(client):
    profile = LearnerProfileFactory(age=11)
    GuardianConsentFactory(child=profile.user, sent_at=timezone.now())
    client.force_login(profile.user)
    page = client.get(reverse("learner-home")).content.decode()
    assert "Waiting for your parent or carer" in page


def test_a_consented_under_13_does_not_see_the_notice(client):
    profile = LearnerProfileFactory(age=11)
    GuardianConsentFactory(child=profile.user, sent_at=timezone.now(), confirmed_at=timezone.now())
    client.force_login(profile.user)
    assert "Waiting for your parent" not in client.get(reverse("learner-home")).content.decode()


def test_a_staff_only_account_without_a_profile_still_has_a_home(client):
    client.force_login(UserFactory())
    response = client.get(reverse("learner-home"))
    assert response.status_code == 200
    assert "no learner profile" in response.content.decode()


def test_a_staff_only_account_is_sent_from_profile_edit_to_the_account_page(client):
    client.force_login(UserFactory())
    response = client.get(reverse("profile-edit"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account-overview")


def test_a_learner_changes_their_area_interests_and_privacy(client):
    city = CityFactory()
    area = AreaFactory(city=city, code="PL4")
    profile = LearnerProfileFactory(city=city, age=30)
    client.force_login(profile.user)
    response = client.post(
        reverse("profile-edit"),
        {
            "postcode": "pl4 8aa",
            "interests": "Music, coding,  music , ",
            "profile_public": "on",
            "recommendations_enabled": "",
        },
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.area == area
    assert profile.postcode_district == "PL4"
    assert profile.interests == ["music", "coding"]
    assert profile.profile_public is True
    assert profile.recommendations_enabled is False


def test_a_waiting_under_13_cannot_make_their_profile_public(client):
    profile = LearnerProfileFactory(age=11)
    GuardianConsentFactory(child=profile.user, sent_at=timezone.now())
    client.force_login(profile.user)
    response = client.post(reverse("profile-edit"), {"profile_public": "on"})
    assert response.status_code == 200
    assert escape(errors.GUARDIAN_CONSENT_NEEDED) in response.content.decode()
    profile.refresh_from_db()
    assert profile.profile_public is False


def test_an_unknown_postcode_on_the_profile_is_refused_with_a_message(client):
    profile = LearnerProfileFactory()
    client.force_login(profile.user)
    response = client.post(reverse("profile-edit"), {"postcode": "ZZ9"})
    assert response.status_code == 200
    assert "We don&#x27;t know the postcode area ZZ9" in response.content.decode()


def test_a_waiting_under_13_can_send_the_consent_email_to_another_address(
    client, django_capture_on_commit_callbacks
):
    profile = LearnerProfileFactory(age=12)
    old = GuardianConsentFactory(child=profile.user, sent_at=timezone.now())
    client.force_login(profile.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("guardian-consent-resend"), {"guardian_email": "carer@example.org"}
        )
    assert response.status_code == 302
    consent = GuardianConsent.objects.get(child=profile.user)
    assert consent.guardian_email == "carer@example.org"
    assert consent.token != old.token  # the old link no longer works
    assert mail.outbox[-1].to == ["carer@example.org"]


def test_consent_resend_accepts_only_post(client):
    client.force_login(LearnerProfileFactory(age=12).user)
    assert client.get(reverse("guardian-consent-resend")).status_code == 405


def test_an_unknown_consent_link_is_a_friendly_404(client):
    response = client.get(reverse("guardian-consent", kwargs={"token": "nope"}))
    assert response.status_code == 404
    assert escape(errors.GUARDIAN_LINK_INVALID) in response.content.decode()


def test_an_expired_consent_link_does_not_work(client):
    profile = LearnerProfileFactory(age=11)
    consent = GuardianConsentFactory(
        child=profile.user, sent_at=timezone.now() - datetime.timedelta(days=15)
    )
    response = client.post(reverse("guardian-consent", kwargs={"token": consent.token}))
    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.confirmed_at is None


def test_a_consent_link_confirms_once_and_then_opens_the_guardians_view(client):
    profile = LearnerProfileFactory(age=11)
    consent = GuardianConsentFactory(child=profile.user, sent_at=timezone.now())
    url = reverse("guardian-consent", kwargs={"token": consent.token})
    assert client.post(url).status_code == 200
    consent.refresh_from_db()
    confirmed_at = consent.confirmed_at
    assert confirmed_at is not None
    again = client.post(url)
    assert again.status_code == 302
    assert again["Location"] == reverse("guardian-view", kwargs={"token": consent.token})
    consent.refresh_from_db()
    assert consent.confirmed_at == confirmed_at


def test_the_learner_home_lists_the_badges_that_landed_on_the_account(client):
    from learningcity.badges.services import award_issue
    from learningcity.badges.tests.factories import BadgeClassFactory

    profile = LearnerProfileFactory(user__email="amara@example.org")
    award_issue(
        badge_class=BadgeClassFactory(name="Young Curator"),
        recipient_email="amara@example.org",
        issued_by=None,
    )
    award_issue(
        badge_class=BadgeClassFactory(name="Someone Else's"),
        recipient_email="other@example.org",
        issued_by=None,
    )
    client.force_login(profile.user)
    page = client.get(reverse("learner-home")).content.decode()
    assert "Young Curator" in page
    assert "Someone Else" not in page
