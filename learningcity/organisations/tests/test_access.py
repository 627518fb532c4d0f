import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.core import errors
from learningcity.organisations.access import (
    access_invitation,
    access_membership,
    access_organisation_for_city_admin,
    access_organisation_for_staff,
    access_organisation_public,
    access_organisation_public_or_staff,
    organisation_register_refusal,
    role_at_least,
)
from learningcity.organisations.models import Organisation, Role

from .factories import InvitationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role", "min_role", "expected"),
    [
        (Role.OWNER, Role.VIEWER, True),
        (Role.OWNER, Role.OWNER, True),
        (Role.ISSUER, Role.EDITOR, True),
        (Role.EDITOR, Role.ISSUER, False),
        (Role.VIEWER, Role.EDITOR, False),
        ("viewer", "viewer", True),
    ],
)
def test_role_at_least_ranks_owner_over_issuer_over_editor_over_viewer(role, min_role, expected):
    assert role_at_least(role, min_role) is expected


class TestPublicAccess:
    def test_an_active_organisation_is_public(self, organisation, city):
        assert access_organisation_public(city=city, org_slug=organisation.slug) == organisation

    @pytest.mark.parametrize("status", [Organisation.Status.PENDING, Organisation.Status.SUSPENDED])
    def test_a_pending_or_suspended_organisation_does_not_exist_for_the_public(self, city, status):
        hidden = OrganisationFactory(city=city, status=status)
        with pytest.raises(Http404):
            access_organisation_public(city=city, org_slug=hidden.slug)

    def test_an_organisation_is_not_found_under_another_city(self, organisation, other_city):
        with pytest.raises(Http404):
            access_organisation_public(city=other_city, org_slug=organisation.slug)

    def test_staff_see_their_pending_organisations_profile(self, city, make_member):
        pending = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        viewer = make_member(pending, Role.VIEWER)
        found, membership = access_organisation_public_or_staff(
            user=viewer, city=city, org_slug=pending.slug
        )
        assert found == pending
        assert membership.role == Role.VIEWER

    def test_others_do_not_see_a_pending_organisations_profile(self, city, learner, city_admin):
        pending = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        for user in (learner, city_admin, AnonymousUser()):
            with pytest.raises(Http404):
                access_organisation_public_or_staff(user=user, city=city, org_slug=pending.slug)

    def test_anyone_sees_an_active_organisations_profile_without_a_membership(
        self, organisation, city
    ):
        found, membership = access_organisation_public_or_staff(
            user=AnonymousUser(), city=city, org_slug=organisation.slug
        )
        assert (found, membership) == (organisation, None)


class TestStaffAccess:
    def test_an_owner_gets_the_organisation_and_their_membership(self, organisation, owner, city):
        found, membership = access_organisation_for_staff(
            user=owner, city_slug=city.slug, org_slug=organisation.slug, min_role=Role.OWNER
        )
        assert found == organisation
        assert membership.user == owner

    def test_staff_reach_their_organisation_whatever_its_status(self, city, make_member):
        for status in Organisation.Status.values:
            organisation = OrganisationFactory(city=city, status=status)
            viewer = make_member(organisation, Role.VIEWER)
            found, _ = access_organisation_for_staff(
                user=viewer, city_slug=city.slug, org_slug=organisation.slug
            )
            assert found == organisation

    @pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.ISSUER])
    def test_staff_below_the_role_needed_are_refused_with_403(
        self, organisation, city, make_member, role
    ):
        user = make_member(organisation, role)
        with pytest.raises(PermissionDenied):
            access_organisation_for_staff(
                user=user, city_slug=city.slug, org_slug=organisation.slug, min_role=Role.OWNER
            )

    def test_someone_not_on_the_staff_gets_404(self, organisation, city, learner):
        with pytest.raises(Http404):
            access_organisation_for_staff(
                user=learner, city_slug=city.slug, org_slug=organisation.slug
            )

    def test_another_organisations_owner_gets_404(self, organisation, city, make_member):
        other_owner = make_member(OrganisationFactory(city=city), Role.OWNER)
        with pytest.raises(Http404):
            access_organisation_for_staff(
                user=other_owner, city_slug=city.slug, org_slug=organisation.slug
            )

    def test_the_citys_admins_get_404_on_staff_pages(self, organisation, city, city_admin):
        with pytest.raises(Http404):
            access_organisation_for_staff(
                user=city_admin, city_slug=city.slug, org_slug=organisation.slug
            )

    def test_an_anonymous_visitor_gets_404(self, organisation, city):
        with pytest.raises(Http404):
            access_organisation_for_staff(
                user=AnonymousUser(), city_slug=city.slug, org_slug=organisation.slug
            )

    def test_a_superuser_passes_with_no_membership(self, organisation, city, superuser):
        found, membership = access_organisation_for_staff(
            user=superuser, city_slug=city.slug, org_slug=organisation.slug, min_role=Role.OWNER
        )
        assert (found, membership) == (organisation, None)

    def test_a_member_is_found_by_their_public_id_only_within_the_organisation(
        self, organisation, owner, city, make_member
    ):
        assert access_membership(organisation=organisation, member_public_id=owner.public_id)
        stranger = make_member(OrganisationFactory(city=city))
        with pytest.raises(Http404):
            access_membership(organisation=organisation, member_public_id=stranger.public_id)

    def test_an_invitation_is_found_only_within_its_organisation(self, organisation, city):
        mine = InvitationFactory(organisation=organisation)
        theirs = InvitationFactory(organisation=OrganisationFactory(city=city))
        assert access_invitation(organisation=organisation, invitation_id=mine.pk) == mine
        with pytest.raises(Http404):
            access_invitation(organisation=organisation, invitation_id=theirs.pk)


class TestCityAdminAccess:
    def test_the_citys_admin_reaches_its_organisations(self, organisation, city, city_admin):
        found = access_organisation_for_city_admin(
            user=city_admin, city_slug=city.slug, public_id=organisation.public_id
        )
        assert found == organisation

    def test_another_citys_admin_is_refused_with_403(self, organisation, city, other_city_admin):
        with pytest.raises(PermissionDenied):
            access_organisation_for_city_admin(
                user=other_city_admin, city_slug=city.slug, public_id=organisation.public_id
            )

    def test_an_organisation_of_another_city_is_not_found(self, city, other_city, city_admin):
        elsewhere = OrganisationFactory(city=other_city)
        with pytest.raises(Http404):
            access_organisation_for_city_admin(
                user=city_admin, city_slug=city.slug, public_id=elsewhere.public_id
            )


class TestWhoMayRegister:
    def test_an_adult_learner_may_register_an_organisation(self, learner):
        assert organisation_register_refusal(user=learner) is None

    def test_an_account_without_a_learner_profile_may_register_an_organisation(self):
        assert organisation_register_refusal(user=UserFactory()) is None

    def test_a_16_year_old_may_not_register_an_organisation(self):
        child = LearnerProfileFactory(age=16).user
        assert organisation_register_refusal(user=child) == errors.ORGANISATION_REGISTER_ADULTS_ONLY

    def test_an_under_13_waiting_for_consent_is_told_about_the_consent_first(self):
        child = LearnerProfileFactory(age=11).user
        GuardianConsentFactory(child=child)
        assert organisation_register_refusal(user=child) == errors.GUARDIAN_CONSENT_NEEDED
