"""Fixtures for the organisations tests: a city, an active organisation and its staff."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from learningcity.accounts.models import User
from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.cities.models import City
from learningcity.cities.tests.factories import CityAdminFactory, CityFactory
from learningcity.organisations.models import Membership, Organisation, Role

from .factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def city(db) -> City:
    return CityFactory(name="Brighton", slug="brighton")


@pytest.fixture
def other_city(db) -> City:
    return CityFactory(name="Plymouth", slug="plymouth")


@pytest.fixture
def organisation(city) -> Organisation:
    return OrganisationFactory(city=city, name="Hove Youth Club", slug="hove-youth-club")


@pytest.fixture
def make_member() -> Callable[..., User]:
    """Add a new user to an organisation's staff with a role, and return the user."""

    def make(organisation: Organisation, role: str = Role.OWNER, **user_fields) -> User:
        return MembershipFactory(
            organisation=organisation, role=role, user=UserFactory(**user_fields)
        ).user

    return make


@pytest.fixture
def owner(organisation, make_member) -> User:
    return make_member(organisation, Role.OWNER, email="owner@example.org")


@pytest.fixture
def membership_of() -> Callable[[User, Organisation], Membership]:
    def get(user: User, organisation: Organisation) -> Membership:
        return Membership.objects.get(user=user, organisation=organisation)

    return get


@pytest.fixture
def learner(city) -> User:
    """An adult learner with no staff role anywhere."""
    return LearnerProfileFactory(city=city, age=20).user


@pytest.fixture
def city_admin(city) -> User:
    return CityAdminFactory(city=city).user


@pytest.fixture
def other_city_admin(other_city) -> User:
    return CityAdminFactory(city=other_city).user


@pytest.fixture
def superuser(db) -> User:
    user = UserFactory(email="root@example.org")
    user.is_superuser = True
    user.is_staff = True
    user.save()
    return user
