import factory
from factory.django import DjangoModelFactory

from learningcity.badges.models import BadgeClass, Level


class BadgeClassFactory(DjangoModelFactory):
    class Meta:
        model = BadgeClass

    organisation = factory.SubFactory(
        "learningcity.organisations.tests.factories.OrganisationFactory"
    )
    name = factory.Sequence(lambda n: f"Teamwork {n}")
    description = "Worked well with others on a shared project."
    criteria = "Took part in four team sessions and helped the team finish its project."
    level = Level.PARTICIPATE
    skills = factory.LazyFunction(
        lambda: [
            {"name": "Teamwork", "framework": "Skills Builder Universal Framework"},
            {"name": "Listening", "framework": "Skills Builder Universal Framework"},
        ]
    )
    tags = factory.LazyFunction(lambda: ["youth group"])
