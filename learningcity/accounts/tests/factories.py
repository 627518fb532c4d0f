import datetime

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone
from factory.django import DjangoModelFactory

from learningcity.accounts.models import GuardianConsent, LearnerProfile, User

PASSWORD = "a-long-test-password-9"


class UserFactory(DjangoModelFactory):
    """A user whose primary email is verified, with the password ``PASSWORD``."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        EmailAddress.objects.create(
            user=obj, email=obj.email, primary=True, verified=extracted is not False
        )


def date_of_birth_for_age(age: int) -> datetime.date:
    today = timezone.localdate()
    try:
        return today.replace(year=today.year - age) - datetime.timedelta(days=30)
    except ValueError:  # 29 February
        return today.replace(year=today.year - age, day=28) - datetime.timedelta(days=30)


class LearnerProfileFactory(DjangoModelFactory):
    class Meta:
        model = LearnerProfile

    class Params:
        age = 20

    user = factory.SubFactory(UserFactory)
    city = factory.SubFactory("learningcity.cities.tests.factories.CityFactory")
    date_of_birth = factory.LazyAttribute(lambda o: date_of_birth_for_age(o.age))


class GuardianConsentFactory(DjangoModelFactory):
    class Meta:
        model = GuardianConsent

    child = factory.SubFactory(UserFactory)
    guardian_email = factory.Sequence(lambda n: f"guardian{n}@example.org")
    token = factory.Sequence(lambda n: f"consent-token-{n:040d}")
