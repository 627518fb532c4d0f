import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from learningcity.accounts.models import GuardianConsent, LearnerProfile, User
from learningcity.cities.tests.factories import AreaFactory, CityFactory
from learningcity.core import errors

from .factories import PASSWORD, UserFactory, date_of_birth_for_age

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    city = CityFactory(name="Brighton & Hove", slug="brighton-and-hove")
    AreaFactory(city=city, code="BN2", name="BN2 — Kemptown")
    return city


def signup_data(city, *, age=20, **overrides):
    data = {
        "display_name": "Sam",
        "email": "sam@example.org",
        "city": city.pk,
        "date_of_birth": date_of_birth_for_age(age).isoformat(),
        "postcode": "BN2 4GL",
        "guardian_email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_an_adult_signs_up_with_a_private_profile_and_recommendations_on(client, city):
    response = client.post(reverse("account_signup"), signup_data(city))
    assert response.status_code == 302

    user = User.objects.get(email="sam@example.org")
    profile = user.learner_profile
    assert user.display_name == "Sam"
    assert profile.city == city
    assert profile.postcode_district == "BN2"
    assert profile.area.code == "BN2"
    assert profile.profile_public is False
    assert profile.recommendations_enabled is True
    assert profile.share_area_with_organisations is False
    assert not profile.needs_guardian_consent


def test_signing_up_sends_an_email_verification_link(client, city):
    client.post(reverse("account_signup"), signup_data(city))
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["sam@example.org"]
    assert "/accounts/confirm-email/" in mail.outbox[0].body
    assert not EmailAddress.objects.get(email="sam@example.org").verified


@pytest.mark.parametrize("age", [13, 15, 17])
def test_an_under_18_starts_private_with_no_recommendations(client, city, age):
    client.post(reverse("account_signup"), signup_data(city, age=age))
    profile = LearnerProfile.objects.get(user__email="sam@example.org")
    assert profile.is_child
    assert profile.profile_public is False
    assert profile.recommendations_enabled is False
    assert profile.share_area_with_organisations is False


def test_an_under_13_must_give_a_guardian_email(client, city):
    response = client.post(reverse("account_signup"), signup_data(city, age=11))
    assert response.status_code == 200
    assert escape(errors.GUARDIAN_EMAIL_REQUIRED) in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()


def test_an_under_13_cannot_give_their_own_email_as_the_guardians(client, city):
    response = client.post(
        reverse("account_signup"), signup_data(city, age=11, guardian_email="SAM@example.org")
    )
    assert escape(errors.GUARDIAN_EMAIL_SAME_AS_CHILD) in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()


def test_an_under_13_account_stays_limited_until_the_guardian_says_yes(
    client, city, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("account_signup"),
            signup_data(city, age=11, guardian_email="parent@example.org"),
        )
    profile = LearnerProfile.objects.get(user__email="sam@example.org")
    assert profile.is_under_13
    assert profile.needs_guardian_consent

    guardian_emails = [message for message in mail.outbox if message.to == ["parent@example.org"]]
    assert len(guardian_emails) == 1
    link = re.search(r"http://\S+/accounts/guardian/(\S+)/", guardian_emails[0].body)
    assert link is not None
    token = link.group(1)

    page = client.get(reverse("guardian-consent", kwargs={"token": token}))
    assert page.status_code == 200
    assert "Yes, open the account" in page.content.decode()
    profile.refresh_from_db()
    assert profile.needs_guardian_consent  # looking at the page is not consent

    done = client.post(reverse("guardian-consent", kwargs={"token": token}))
    assert done.status_code == 200
    profile = LearnerProfile.objects.get(user__email="sam@example.org")
    assert not profile.needs_guardian_consent
    assert GuardianConsent.objects.get(child=profile.user).confirmed_at is not None


def test_a_postcode_outside_the_city_is_refused_with_a_clear_message(client, city):
    response = client.post(reverse("account_signup"), signup_data(city, postcode="PL4 8AA"))
    expected = errors.POSTCODE_UNKNOWN.format(outward="PL4", city=city.name)
    assert response.status_code == 200
    assert escape(expected) in response.content.decode()
    assert not User.objects.filter(email="sam@example.org").exists()


def test_something_that_is_not_a_postcode_is_refused(client, city):
    response = client.post(reverse("account_signup"), signup_data(city, postcode="hello"))
    assert escape(errors.POSTCODE_INVALID) in response.content.decode()


def test_the_postcode_is_optional(client, city):
    client.post(reverse("account_signup"), signup_data(city, postcode=""))
    profile = LearnerProfile.objects.get(user__email="sam@example.org")
    assert profile.area is None
    assert profile.postcode_district == ""


def test_a_date_of_birth_in_the_future_is_refused(client, city):
    data = signup_data(city)
    data["date_of_birth"] = "2999-01-01"
    response = client.post(reverse("account_signup"), data)
    assert escape(errors.DATE_OF_BIRTH_FUTURE) in response.content.decode()


def test_signing_up_with_a_taken_email_looks_the_same_as_a_new_one(client, city):
    """No account enumeration: the person sees the same page; the owner gets an email."""
    UserFactory(email="sam@example.org")
    fresh = client.post(reverse("account_signup"), signup_data(city, email="new@example.org"))
    client.logout()
    taken = client.post(reverse("account_signup"), signup_data(city))
    assert fresh.status_code == taken.status_code == 302
    assert fresh["Location"] == taken["Location"]
    assert User.objects.filter(email="sam@example.org").count() == 1
