import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.organisations.models import Organisation, Role
from learningcity.organisations.selectors import (
    invitation_get_open,
    invitation_list_open,
    membership_list,
    organisation_list_for_city_admin,
    organisation_list_for_user,
    organisation_list_pending,
    organisation_list_public,
    organisation_status_counts,
)

from .factories import InvitationFactory, MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


class TestPublicList:
    def test_only_active_organisations_of_the_city_are_listed(self, city, other_city):
        active = OrganisationFactory(city=city)
        OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        OrganisationFactory(city=city, status=Organisation.Status.SUSPENDED)
        OrganisationFactory(city=other_city)
        assert list(organisation_list_public(city=city)) == [active]

    def test_every_word_of_the_search_must_match_the_name_or_description(self, city):
        club = OrganisationFactory(city=city, name="Hove Chess Club", description="Weekly games")
        OrganisationFactory(city=city, name="Hove Library", description="Books and games")
        assert list(organisation_list_public(city=city, query="chess GAMES")) == [club]
        assert organisation_list_public(city=city, query="hove games").count() == 2
        assert not organisation_list_public(city=city, query="football").exists()

    def test_the_list_can_be_narrowed_to_one_type(self, city):
        library = OrganisationFactory(city=city, type=Organisation.Type.LIBRARY)
        OrganisationFactory(city=city, type=Organisation.Type.CHARITY)
        assert list(organisation_list_public(city=city, type="library")) == [library]
        assert not organisation_list_public(city=city, type="nonsense").exists()

    def test_the_list_is_in_name_order(self, city):
        OrganisationFactory(city=city, name="Zebra Arts")
        OrganisationFactory(city=city, name="Apple Tree Nursery")
        names = [organisation.name for organisation in organisation_list_public(city=city)]
        assert names == ["Apple Tree Nursery", "Zebra Arts"]


class TestUserMemberships:
    def test_a_user_sees_their_memberships_with_organisations_in_one_query(
        self, city, django_assert_num_queries
    ):
        user = UserFactory()
        for name in ("B Club", "A Club"):
            MembershipFactory(user=user, organisation=OrganisationFactory(city=city, name=name))
        MembershipFactory(organisation=OrganisationFactory(city=city, name="Not mine"))
        with django_assert_num_queries(1):
            rows = [
                (m.organisation.name, m.organisation.city.slug)
                for m in organisation_list_for_user(user=user)
            ]
        assert rows == [("A Club", "brighton"), ("B Club", "brighton")]

    def test_an_anonymous_visitor_has_no_memberships(self):
        assert not organisation_list_for_user(user=AnonymousUser()).exists()


class TestCityAdminLists:
    def test_waiting_organisations_come_first_then_active_then_suspended(self, city, other_city):
        suspended = OrganisationFactory(city=city, name="A", status=Organisation.Status.SUSPENDED)
        active = OrganisationFactory(city=city, name="B", status=Organisation.Status.ACTIVE)
        pending = OrganisationFactory(city=city, name="C", status=Organisation.Status.PENDING)
        OrganisationFactory(city=other_city, status=Organisation.Status.PENDING)
        assert list(organisation_list_for_city_admin(city=city)) == [pending, active, suspended]

    def test_the_list_can_be_narrowed_to_one_status(self, city):
        OrganisationFactory(city=city, status=Organisation.Status.ACTIVE)
        pending = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        assert list(organisation_list_for_city_admin(city=city, status="pending")) == [pending]
        assert list(organisation_list_pending(city=city)) == [pending]

    def test_each_organisation_carries_its_staff_count(self, organisation, make_member):
        make_member(organisation, Role.OWNER)
        make_member(organisation, Role.VIEWER)
        listed = organisation_list_for_city_admin(city=organisation.city).get()
        assert listed.staff_count == 2

    def test_the_status_counts_include_every_status(self, city, other_city):
        OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        OrganisationFactory(city=city, status=Organisation.Status.ACTIVE)
        OrganisationFactory(city=other_city, status=Organisation.Status.SUSPENDED)
        assert organisation_status_counts(city=city) == {"pending": 2, "active": 1, "suspended": 0}

    def test_waiting_organisations_are_listed_oldest_first(self, city):
        newer = OrganisationFactory(city=city, name="A", status=Organisation.Status.PENDING)
        older = OrganisationFactory(
            city=city,
            name="B",
            status=Organisation.Status.PENDING,
            created_at=timezone.now() - datetime.timedelta(days=3),
        )
        assert list(organisation_list_pending(city=city)) == [older, newer]


class TestStaffLists:
    def test_staff_are_listed_owners_first_then_by_email(self, organisation, make_member):
        make_member(organisation, Role.VIEWER, email="a-viewer@example.org")
        make_member(organisation, Role.OWNER, email="z-owner@example.org")
        make_member(organisation, Role.EDITOR, email="b-editor@example.org")
        make_member(organisation, Role.ISSUER, email="c-issuer@example.org")
        emails = [m.user.email for m in membership_list(organisation=organisation)]
        assert emails == [
            "z-owner@example.org",
            "c-issuer@example.org",
            "b-editor@example.org",
            "a-viewer@example.org",
        ]

    def test_open_invitations_leave_out_accepted_withdrawn_and_expired_ones(self, organisation):
        now = timezone.now()
        open_invitation = InvitationFactory(organisation=organisation)
        InvitationFactory(organisation=organisation, accepted_at=now)
        InvitationFactory(organisation=organisation, revoked_at=now)
        InvitationFactory(organisation=organisation, expires_at=now - datetime.timedelta(days=1))
        InvitationFactory(organisation=OrganisationFactory(city=organisation.city))
        assert list(invitation_list_open(organisation=organisation)) == [open_invitation]

    def test_an_open_invitation_is_found_by_its_token(self, organisation):
        invitation = InvitationFactory(organisation=organisation)
        used = InvitationFactory(organisation=organisation, accepted_at=timezone.now())
        assert invitation_get_open(token=invitation.token) == invitation
        assert invitation_get_open(token=used.token) is None
        assert invitation_get_open(token="") is None
