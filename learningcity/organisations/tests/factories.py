import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from learningcity.organisations.models import Invitation, Membership, Organisation, Role


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    city = factory.SubFactory("learningcity.cities.tests.factories.CityFactory")
    name = factory.Sequence(lambda n: f"Youth Project {n}")
    slug = factory.Sequence(lambda n: f"youth-project-{n}")
    type = Organisation.Type.YOUTH_GROUP
    description = "Clubs and projects for young people."
    status = Organisation.Status.ACTIVE


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory("learningcity.accounts.tests.factories.UserFactory")
    role = Role.OWNER


class InvitationFactory(DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.org")
    role = Role.EDITOR
    token = factory.Sequence(lambda n: f"invite-token-{n:040d}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
