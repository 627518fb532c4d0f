import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from learningcity.opportunities.models import (
    Booking,
    BookingStatus,
    Opportunity,
    OpportunityStatus,
    OpportunityType,
    Session,
    Topic,
)


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic

    city = factory.SubFactory("learningcity.cities.tests.factories.CityFactory")
    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.Sequence(lambda n: f"topic-{n}")


class OpportunityFactory(DjangoModelFactory):
    """A published, free, in-person workshop for 11–25s (no area unless given)."""

    class Meta:
        model = Opportunity

    organisation = factory.SubFactory(
        "learningcity.organisations.tests.factories.OrganisationFactory"
    )
    city = factory.SelfAttribute("organisation.city")
    title = factory.Sequence(lambda n: f"Coding club {n}")
    summary = "Make games and websites with friendly mentors."
    description = "Bring a laptop if you have one; we have spares."
    type = OpportunityType.WORKSHOP
    status = OpportunityStatus.PUBLISHED
    published_at = factory.LazyFunction(timezone.now)


class SessionFactory(DjangoModelFactory):
    """A two-hour session a week from now, with the opportunity's capacity."""

    class Meta:
        model = Session

    opportunity = factory.SubFactory(OpportunityFactory)
    starts_at = factory.LazyFunction(
        lambda: (timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)
    )
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(hours=2))
    capacity = factory.LazyAttribute(lambda o: o.opportunity.capacity)


class BookingFactory(DjangoModelFactory):
    class Meta:
        model = Booking

    session = factory.SubFactory(SessionFactory)
    learner = factory.SubFactory("learningcity.accounts.tests.factories.UserFactory")
    status = BookingStatus.BOOKED
