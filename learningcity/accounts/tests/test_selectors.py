import pytest
from allauth.account.models import EmailAddress

from learningcity.accounts.models import AgeBand, age_band_for, age_on
from learningcity.accounts.selectors import user_for_email, verified_emails

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_mail_to_any_verified_address_finds_the_same_account():
    user = UserFactory(email="sam@example.org")
    EmailAddress.objects.create(user=user, email="sam@school.example.org", verified=True)
    assert user_for_email(email="sam@example.org") == user
    assert user_for_email(email="SAM@School.example.org ") == user
    assert verified_emails(user=user) == ["sam@example.org", "sam@school.example.org"]


def test_an_unverified_address_finds_no_one():
    user = UserFactory(email="sam@example.org")
    EmailAddress.objects.create(user=user, email="claimed@example.org", verified=False)
    assert user_for_email(email="claimed@example.org") is None
    assert user_for_email(email="nobody@example.org") is None


def test_age_bands_cover_every_age():
    assert [age_band_for(age) for age in (8, 12, 13, 15, 16, 17, 18, 25, 26, 80)] == [
        AgeBand.UNDER_13,
        AgeBand.UNDER_13,
        AgeBand.AGE_13_15,
        AgeBand.AGE_13_15,
        AgeBand.AGE_16_17,
        AgeBand.AGE_16_17,
        AgeBand.AGE_18_25,
        AgeBand.AGE_18_25,
        AgeBand.OVER_25,
        AgeBand.OVER_25,
    ]


def test_age_counts_a_birthday_only_once_it_has_come():
    import datetime

    born = datetime.date(2010, 6, 15)
    assert age_on(born, datetime.date(2023, 6, 14)) == 12
    assert age_on(born, datetime.date(2023, 6, 15)) == 13
    leapling = datetime.date(2012, 2, 29)
    assert age_on(leapling, datetime.date(2025, 2, 28)) == 12
    assert age_on(leapling, datetime.date(2025, 3, 1)) == 13
