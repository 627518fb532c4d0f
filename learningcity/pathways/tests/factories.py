import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from learningcity.badges.models import BadgeStatus
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.pathways.models import Enrolment, Pathway, PathwayStatus, PathwayStep


class PublishedBadgeClassFactory(BadgeClassFactory):
    status = BadgeStatus.PUBLISHED


class PathwayFactory(DjangoModelFactory):
    """A draft, unordered pathway of an organisation (pass ``organisation=None`` with a
    ``city`` for a city-wide one)."""

    class Meta:
        model = Pathway

    organisation = factory.SubFactory(
        "learningcity.organisations.tests.factories.OrganisationFactory"
    )
    city = factory.LazyAttribute(lambda o: o.organisation.city)
    name = factory.Sequence(lambda n: f"Into digital {n}")
    summary = "From your first coding club to an apprenticeship."
    destination = "Level 3 Digital apprenticeship"
    status = PathwayStatus.DRAFT


class PathwayStepFactory(DjangoModelFactory):
    class Meta:
        model = PathwayStep
        skip_postgeneration_save = True

    pathway = factory.SubFactory(PathwayFactory)
    position = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Step {n}")

    @factory.post_generation
    def badge_classes(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.badge_classes.set(extracted)


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    pathway = factory.SubFactory(PathwayFactory, status=PathwayStatus.PUBLISHED)
    learner = factory.SubFactory("learningcity.accounts.tests.factories.UserFactory")
    joined_at = factory.LazyFunction(timezone.now)
