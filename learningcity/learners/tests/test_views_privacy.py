"""The privacy pages: settings, export and delete, for the signed-in learner only."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse
from django.utils.html import escape

from learningcity.accounts.models import LearnerProfile, User
from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.core import errors
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory

from .privacy_factories import EMAIL, learner_with_everything

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["privacy-settings", "privacy-export", "privacy-delete"])
def test_signed_out_visitors_are_sent_to_sign_in(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_settings_page_shows_switches_sharing_and_links(client):
    profile = LearnerProfileFactory(age=16)
    client.force_login(profile.user)
    response = client.get(reverse("privacy-settings"))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count("<h1") == 1
    for field in ("recommendations_enabled", "suggest_opportunities", "suggest_pathways"):
        assert f'name="{field}"' in page
    assert reverse("privacy-export") in page
    assert reverse("privacy-delete") in page
    assert "switched off" in page  # the portfolio


def test_saving_the_switches_changes_the_profile(client):
    profile = LearnerProfileFactory(age=16)
    client.force_login(profile.user)
    response = client.post(
        reverse("privacy-settings"), {"recommendations_enabled": "on", "suggest_pathways": "on"}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.recommendations_enabled is True
    assert profile.suggest_opportunities is False
    assert profile.suggest_pathways is True
    page = client.get(reverse("privacy-settings")).content.decode()
    assert errors.PRIVACY_SETTINGS_SAVED in page


def test_an_account_without_a_learner_profile_sees_the_page_without_switches(client):
    user = UserFactory()
    client.force_login(user)
    response = client.get(reverse("privacy-settings"))
    assert response.status_code == 200
    assert 'name="recommendations_enabled"' not in response.content.decode()
    assert (
        client.post(reverse("privacy-settings"), {"recommendations_enabled": "on"}).status_code
        == 302
    )
    assert not LearnerProfile.objects.filter(user=user).exists()


def test_export_page_explains_and_post_downloads_my_own_zip(client):
    learner = learner_with_everything()
    client.force_login(learner.user)
    assert client.get(reverse("privacy-export")).status_code == 200
    response = client.post(reverse("privacy-export"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="learning-city-')
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert EMAIL.encode() in archive.read("profile.json")
    assert learner.other.email.encode() not in archive.read("profile.json")


def test_another_learner_signed_in_gets_only_their_own_export(client):
    learner = learner_with_everything()
    client.force_login(learner.other)
    archive = zipfile.ZipFile(io.BytesIO(client.post(reverse("privacy-export")).content))
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert EMAIL.encode() not in everything
    assert learner.awards[0].public_id.encode() not in everything


def test_the_delete_page_says_plainly_what_happens(client):
    learner = learner_with_everything()
    client.force_login(learner.user)
    page = client.get(reverse("privacy-delete")).content.decode()
    assert "Your profile and personal data are erased" in page
    assert "Badges you were given here are revoked" in page
    assert "Organisations keep anonymous records" in page
    assert "Copies you have already downloaded stay as they are" in page
    assert EMAIL in page


def test_a_wrong_email_does_not_delete(client):
    learner = learner_with_everything()
    client.force_login(learner.user)
    response = client.post(reverse("privacy-delete"), {"email": "someone.else@example.org"})
    assert response.status_code == 200
    assert escape(errors.PRIVACY_DELETE_EMAIL_MISMATCH) in response.content.decode()
    assert User.objects.filter(pk=learner.user.pk).exists()


def test_typing_my_email_deletes_signs_out_and_says_goodbye(client):
    learner = learner_with_everything()
    client.force_login(learner.user)
    response = client.post(reverse("privacy-delete"), {"email": f"  {EMAIL.upper()} "})
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy-goodbye")
    assert not User.objects.filter(pk=learner.user.pk).exists()
    goodbye = client.get(reverse("privacy-goodbye"))
    assert goodbye.status_code == 200
    assert "Your account has been deleted" in goodbye.content.decode()
    assert client.get(reverse("privacy-settings")).status_code == 302  # signed out


def test_the_only_owner_of_an_organisation_is_told_why_not(client):
    learner = learner_with_everything()
    MembershipFactory(organisation=learner.organisation, user=learner.user, role=Role.OWNER)
    client.force_login(learner.user)
    assert (
        "You can't delete your account yet"
        in client.get(reverse("privacy-delete")).content.decode()
    )
    response = client.post(reverse("privacy-delete"), {"email": EMAIL})
    assert response.status_code == 200
    assert (
        escape(errors.PRIVACY_DELETE_SOLE_OWNER.format(names="“Harbour Youth Hub”"))
        in response.content.decode()
    )
    assert User.objects.filter(pk=learner.user.pk).exists()
