import pytest
from django.core.management import call_command

from learningcity.accounts.models import AgeBand, GuardianConsent, LearnerProfile, User
from learningcity.cities.models import Area, City, CityAdmin
from learningcity.demo.data import DEMO_PASSWORD
from learningcity.organisations.models import Membership, Organisation, Role

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    models = [
        City,
        Area,
        CityAdmin,
        User,
        LearnerProfile,
        GuardianConsent,
        Organisation,
        Membership,
    ]
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture
def demo(capsys):
    call_command("load_demo")
    return capsys.readouterr().out


def test_the_demo_has_brighton_and_plymouth_with_wards_and_postcode_districts(demo):
    assert set(City.objects.values_list("slug", flat=True)) >= {"brighton-and-hove", "plymouth"}
    for city in City.objects.all():
        assert city.areas.filter(kind=Area.Kind.WARD).count() >= 15
        assert city.areas.filter(kind=Area.Kind.POSTCODE_DISTRICT).count() >= 5
        assert city.admin_memberships.exists()


def test_the_demo_has_twenty_organisations_of_every_type_with_every_role(demo):
    assert Organisation.objects.count() >= 20
    assert set(Organisation.objects.values_list("type", flat=True)) == set(Organisation.Type.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
    assert Organisation.objects.filter(status=Organisation.Status.PENDING).exists()
    assert Organisation.objects.filter(status=Organisation.Status.SUSPENDED).exists()


def test_the_demo_has_fifty_learners_in_every_age_band(demo):
    profiles = list(LearnerProfile.objects.all())
    assert len(profiles) >= 50
    assert {profile.age_band for profile in profiles} == set(AgeBand)


def test_the_demo_has_under_13s_with_and_without_guardian_consent(demo):
    under_13s = [p for p in LearnerProfile.objects.all() if p.is_under_13]
    assert any(p.needs_guardian_consent for p in under_13s)
    assert any(not p.needs_guardian_consent for p in under_13s)


def test_children_in_the_demo_have_the_private_defaults(demo):
    for profile in LearnerProfile.objects.all():
        if profile.is_child:
            assert not profile.profile_public
            assert not profile.recommendations_enabled


def test_loading_the_demo_twice_changes_nothing(demo):
    before = row_counts()
    call_command("load_demo")
    assert row_counts() == before


def test_the_printed_sign_ins_work_with_the_printed_password(demo, client):
    assert DEMO_PASSWORD in demo
    printed = [
        word for line in demo.splitlines() for word in line.split() if "@" in word and "." in word
    ]
    assert len(printed) >= 5
    for email in printed:
        assert client.login(email=email, password=DEMO_PASSWORD), email
        client.logout()


def test_loading_the_demo_sends_no_email(db, django_capture_on_commit_callbacks):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo")
    assert mail.outbox == []
