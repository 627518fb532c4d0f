"""Sign-in: throttled on account and address together, and never revealing who has an account."""

import pytest
from django.core import mail
from django.urls import reverse

from .factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SCHOOL = "203.0.113.10"
ELSEWHERE = "198.51.100.7"


def sign_in(client, email, password, address):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=address,
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_a_verified_user_signs_in_with_email_and_password(client):
    UserFactory(email="sam@example.org")
    response = sign_in(client, "sam@example.org", PASSWORD, SCHOOL)
    assert response.status_code == 302
    assert signed_in(client)


def test_five_wrong_passwords_from_one_address_pause_that_account_there(client):
    UserFactory(email="sam@example.org")
    for _ in range(5):
        sign_in(client, "sam@example.org", "wrong-password", SCHOOL)
    response = sign_in(client, "sam@example.org", PASSWORD, SCHOOL)
    assert not signed_in(client)
    assert "Too many failed login attempts" in response.content.decode()


def test_guessing_from_one_address_does_not_lock_the_owner_out_elsewhere(client):
    UserFactory(email="sam@example.org")
    for _ in range(6):
        sign_in(client, "sam@example.org", "wrong-password", ELSEWHERE)
    sign_in(client, "sam@example.org", PASSWORD, SCHOOL)
    assert signed_in(client)


def test_one_pupils_mistakes_do_not_lock_out_the_rest_of_the_school(client):
    UserFactory(email="sam@example.org")
    classmates = [UserFactory() for _ in range(3)]
    for _ in range(6):
        sign_in(client, "sam@example.org", "wrong-password", SCHOOL)
    for classmate in classmates:
        client.logout()
        sign_in(client, classmate.email, PASSWORD, SCHOOL)
        assert signed_in(client)


def test_a_wrong_password_and_an_unknown_email_get_the_same_message(client):
    UserFactory(email="sam@example.org")
    wrong_password = sign_in(client, "sam@example.org", "wrong-password", SCHOOL)
    unknown = sign_in(client, "nobody@example.org", "wrong-password", ELSEWHERE)
    message = "The email address and/or password you specified are not correct."
    assert message in wrong_password.content.decode()
    assert message in unknown.content.decode()


def test_password_reset_looks_the_same_for_known_and_unknown_addresses(client):
    UserFactory(email="sam@example.org")
    known = client.post(reverse("account_reset_password"), {"email": "sam@example.org"})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    # The owner gets a reset link; the unknown address gets a note that it has no account.
    assert {tuple(message.to) for message in mail.outbox} == {
        ("sam@example.org",),
        ("nobody@example.org",),
    }


def test_the_sign_in_and_reset_pages_render(client):
    assert client.get(reverse("account_login")).status_code == 200
    assert client.get(reverse("account_reset_password")).status_code == 200
    assert client.get(reverse("account_signup")).status_code == 200
