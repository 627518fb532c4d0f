import datetime
import threading

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.cities.tests.factories import AreaFactory, CityAdminFactory
from learningcity.core import errors
from learningcity.core.errors import AccessDenied, ServiceError
from learningcity.organisations import services
from learningcity.organisations.models import Invitation, Membership, Organisation, Role
from learningcity.organisations.services import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    membership_remove,
    membership_role_change,
    organisation_approve,
    organisation_register,
    organisation_reinstate,
    organisation_suspend,
    organisation_update,
)

from .factories import InvitationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def register(user, city, name="Hove Youth Club", **fields):
    return organisation_register(
        user=user,
        city=city,
        name=name,
        type=fields.pop("type", Organisation.Type.YOUTH_GROUP),
        description=fields.pop("description", "Clubs for young people."),
        website=fields.pop("website", ""),
        contact_email=fields.pop("contact_email", ""),
        areas_served=fields.pop("areas_served", ()),
    )


class TestRegistering:
    def test_a_new_organisation_waits_for_approval_with_its_registrant_as_owner(self, city):
        user = UserFactory()
        organisation = register(user, city)
        assert organisation.status == Organisation.Status.PENDING
        assert organisation.slug == "hove-youth-club"
        assert Membership.objects.get(organisation=organisation).user == user
        assert Membership.objects.get(organisation=organisation).role == Role.OWNER

    def test_two_organisations_with_the_same_name_get_different_slugs(self, city):
        first = register(UserFactory(), city, name="Hove Youth Club")
        second = register(UserFactory(), city, name="Hove Youth Club")
        third = register(UserFactory(), city, name="Hove  youth club!")
        assert [first.slug, second.slug, third.slug] == [
            "hove-youth-club",
            "hove-youth-club-2",
            "hove-youth-club-3",
        ]

    def test_the_same_name_in_two_cities_gets_the_same_slug(self, city, other_city):
        assert register(UserFactory(), city).slug == register(UserFactory(), other_city).slug

    def test_an_organisation_called_register_does_not_take_the_register_pages_address(self, city):
        assert register(UserFactory(), city, name="Register").slug == "register-2"

    def test_a_name_with_no_latin_letters_still_gets_a_slug(self, city):
        assert register(UserFactory(), city, name="Клуб").slug == "organisation"

    def test_the_citys_admins_are_emailed_that_it_awaits_approval(
        self, city, other_city, django_capture_on_commit_callbacks
    ):
        admins = [CityAdminFactory(city=city).user for _ in range(2)]
        CityAdminFactory(city=other_city)
        with django_capture_on_commit_callbacks(execute=True):
            register(UserFactory(), city)
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            admin.email for admin in admins
        )
        message = mail.outbox[0]
        assert "Hove Youth Club" in message.subject
        assert "http://127.0.0.1:8000/brighton/admin/organisations/" in message.body

    def test_nobody_is_emailed_before_the_transaction_commits(
        self, city, city_admin, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            register(UserFactory(), city)
        assert len(callbacks) == 1
        assert mail.outbox == []

    def test_the_areas_served_are_recorded(self, city):
        area = AreaFactory(city=city)
        organisation = register(UserFactory(), city, areas_served=[area])
        assert list(organisation.areas_served.all()) == [area]

    def test_an_area_of_another_city_is_refused(self, city, other_city):
        with pytest.raises(ServiceError) as refused:
            register(UserFactory(), city, areas_served=[AreaFactory(city=other_city)])
        assert refused.value.message == "Choose areas in Brighton only."
        assert not Organisation.objects.exists()

    def test_a_child_cannot_register_an_organisation(self, city):
        child = LearnerProfileFactory(city=city, age=15).user
        with pytest.raises(AccessDenied) as refused:
            register(child, city)
        assert refused.value.message == errors.ORGANISATION_REGISTER_ADULTS_ONLY
        assert not Organisation.objects.exists()


class TestApproval:
    @pytest.fixture
    def pending(self, city, make_member):
        organisation = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        make_member(organisation, Role.OWNER, email="boss@example.org")
        make_member(organisation, Role.EDITOR, email="editor@example.org")
        return organisation

    def test_the_citys_admin_approves_and_the_owners_are_emailed(
        self, pending, city_admin, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            approved = organisation_approve(organisation=pending, by=city_admin)
        assert approved.status == Organisation.Status.ACTIVE
        assert approved.status_changed_by == city_admin
        assert approved.status_changed_at is not None
        assert [message.to for message in mail.outbox] == [["boss@example.org"]]
        assert "approved" in mail.outbox[0].subject
        assert (
            f"http://127.0.0.1:8000/brighton/organisations/{pending.slug}/dashboard/"
            in mail.outbox[0].body
        )

    def test_another_citys_admin_cannot_approve(self, pending, other_city_admin):
        with pytest.raises(AccessDenied) as refused:
            organisation_approve(organisation=pending, by=other_city_admin)
        assert refused.value.message == errors.ORGANISATION_CITY_ADMINS_ONLY
        pending.refresh_from_db()
        assert pending.status == Organisation.Status.PENDING

    def test_an_organisations_own_owner_cannot_approve_it(self, pending):
        owner = Membership.objects.get(organisation=pending, role=Role.OWNER).user
        with pytest.raises(AccessDenied):
            organisation_approve(organisation=pending, by=owner)

    def test_approving_an_active_organisation_is_refused(self, organisation, city_admin):
        with pytest.raises(ServiceError) as refused:
            organisation_approve(organisation=organisation, by=city_admin)
        assert refused.value.message == errors.ORGANISATION_STATUS_CHANGE_INVALID.format(
            name="Hove Youth Club", status="active"
        )

    def test_suspending_needs_a_reason(self, organisation, city_admin):
        with pytest.raises(ServiceError) as refused:
            organisation_suspend(organisation=organisation, by=city_admin, reason="   ")
        assert refused.value.message == errors.ORGANISATION_SUSPEND_REASON_REQUIRED

    def test_suspending_records_the_reason_and_emails_it_to_the_owners(
        self, organisation, owner, city_admin, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            suspended = organisation_suspend(
                organisation=organisation, by=city_admin, reason="No safeguarding policy & DBS."
            )
        assert suspended.status == Organisation.Status.SUSPENDED
        assert suspended.status_reason == "No safeguarding policy & DBS."
        assert mail.outbox[0].to == [owner.email]
        assert "No safeguarding policy & DBS." in mail.outbox[0].body

    def test_a_waiting_organisation_can_be_turned_down_by_suspending_it(self, pending, city_admin):
        suspended = organisation_suspend(organisation=pending, by=city_admin, reason="Not local.")
        assert suspended.status == Organisation.Status.SUSPENDED

    def test_reinstating_makes_a_suspended_organisation_active_and_clears_the_reason(
        self, organisation, owner, city_admin, django_capture_on_commit_callbacks
    ):
        organisation_suspend(organisation=organisation, by=city_admin, reason="Complaint.")
        with django_capture_on_commit_callbacks(execute=True):
            reinstated = organisation_reinstate(organisation=organisation, by=city_admin)
        assert reinstated.status == Organisation.Status.ACTIVE
        assert reinstated.status_reason == ""
        assert "active again" in mail.outbox[-1].subject

    def test_only_a_suspended_organisation_can_be_reinstated(self, pending, city_admin):
        with pytest.raises(ServiceError):
            organisation_reinstate(organisation=pending, by=city_admin)

    def test_a_superuser_can_approve_in_any_city(self, pending, superuser):
        assert organisation_approve(organisation=pending, by=superuser).is_active


class TestUpdating:
    def test_an_owner_changes_the_profile_but_not_the_slug(self, organisation, owner):
        organisation_update(
            organisation=organisation, by=owner, name="Hove Young People's Club", website=""
        )
        organisation.refresh_from_db()
        assert organisation.name == "Hove Young People's Club"
        assert organisation.slug == "hove-youth-club"

    def test_an_owner_sets_the_areas_served(self, organisation, owner, city):
        area = AreaFactory(city=city)
        organisation_update(organisation=organisation, by=owner, areas_served=[area])
        assert list(organisation.areas_served.all()) == [area]

    @pytest.mark.parametrize("role", [Role.ISSUER, Role.EDITOR, Role.VIEWER])
    def test_staff_below_owner_cannot_change_the_profile(self, organisation, make_member, role):
        with pytest.raises(AccessDenied):
            organisation_update(
                organisation=organisation, by=make_member(organisation, role), name="Mine now"
            )

    def test_the_status_cannot_be_changed_through_an_update(self, organisation, owner):
        with pytest.raises(TypeError):
            organisation_update(organisation=organisation, by=owner, status="active")


class TestInviting:
    def test_an_owner_invites_someone_and_they_are_emailed_the_link(
        self, organisation, owner, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            invitation = invitation_create(
                organisation=organisation,
                invited_by=owner,
                email=" New.Colleague@Example.org ",
                role=Role.EDITOR,
            )
        assert invitation.email == "new.colleague@example.org"
        assert len(invitation.token) >= 40
        assert invitation.expires_at - timezone.now() > datetime.timedelta(days=13, hours=23)
        assert [message.to for message in mail.outbox] == [["new.colleague@example.org"]]
        assert f"http://127.0.0.1:8000/invitations/{invitation.token}/" in mail.outbox[0].body
        assert "Hove Youth Club" in mail.outbox[0].subject

    @pytest.mark.parametrize("role", [Role.ISSUER, Role.EDITOR, Role.VIEWER])
    def test_staff_below_owner_cannot_invite(self, organisation, make_member, role):
        with pytest.raises(AccessDenied):
            invitation_create(
                organisation=organisation,
                invited_by=make_member(organisation, role),
                email="friend@example.org",
                role=Role.VIEWER,
            )

    def test_inviting_a_member_of_staff_is_refused(self, organisation, owner, make_member):
        make_member(organisation, Role.VIEWER, email="viewer@example.org")
        with pytest.raises(ServiceError) as refused:
            invitation_create(
                organisation=organisation,
                invited_by=owner,
                email="Viewer@example.org",
                role=Role.EDITOR,
            )
        assert refused.value.message == errors.ALREADY_STAFF.format(email="viewer@example.org")

    def test_inviting_a_member_of_staff_at_their_verified_second_address_is_refused(
        self, organisation, owner, make_member
    ):
        viewer = make_member(organisation, Role.VIEWER)
        EmailAddress.objects.create(user=viewer, email="work@example.org", verified=True)
        with pytest.raises(ServiceError):
            invitation_create(
                organisation=organisation, invited_by=owner, email="work@example.org", role="editor"
            )

    def test_inviting_again_withdraws_the_open_invitation_and_sends_a_new_link(
        self, organisation, owner, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            first = invitation_create(
                organisation=organisation, invited_by=owner, email="a@example.org", role="viewer"
            )
            second = invitation_create(
                organisation=organisation, invited_by=owner, email="a@example.org", role="editor"
            )
        first.refresh_from_db()
        assert first.revoked_at is not None
        assert second.token != first.token
        assert second.role == Role.EDITOR
        # The first email's task finds its invitation withdrawn and sends nothing.
        assert len(mail.outbox) == 1
        assert second.token in mail.outbox[0].body

    def test_an_unknown_role_is_refused(self, organisation, owner):
        with pytest.raises(ServiceError) as refused:
            invitation_create(
                organisation=organisation, invited_by=owner, email="a@example.org", role="admin"
            )
        assert refused.value.message == errors.ROLE_INVALID

    def test_an_owner_withdraws_an_invitation(self, organisation, owner):
        invitation = InvitationFactory(organisation=organisation)
        assert invitation_revoke(invitation=invitation, by=owner).revoked_at is not None

    def test_an_editor_cannot_withdraw_an_invitation(self, organisation, make_member):
        invitation = InvitationFactory(organisation=organisation)
        with pytest.raises(AccessDenied):
            invitation_revoke(invitation=invitation, by=make_member(organisation, Role.EDITOR))

    def test_an_accepted_invitation_cannot_be_withdrawn(self, organisation, owner):
        invitation = InvitationFactory(organisation=organisation, accepted_at=timezone.now())
        with pytest.raises(ServiceError) as refused:
            invitation_revoke(invitation=invitation, by=owner)
        assert refused.value.message == errors.INVITATION_NOT_OPEN


class TestAccepting:
    def test_accepting_with_the_invited_primary_address_joins_the_staff(self, organisation):
        invitee = UserFactory(email="invitee@example.org")
        invitation = InvitationFactory(
            organisation=organisation, email="invitee@example.org", role=Role.ISSUER
        )
        membership = invitation_accept(invitation_token=invitation.token, user=invitee)
        assert (membership.organisation, membership.user, membership.role) == (
            organisation,
            invitee,
            Role.ISSUER,
        )
        invitation.refresh_from_db()
        assert invitation.accepted_by == invitee
        assert invitation.accepted_at is not None

    def test_accepting_with_a_verified_secondary_address_works(self, organisation):
        invitee = UserFactory(email="home@example.org")
        EmailAddress.objects.create(user=invitee, email="Work@Example.org", verified=True)
        invitation = InvitationFactory(organisation=organisation, email="work@example.org")
        assert invitation_accept(invitation_token=invitation.token, user=invitee).user == invitee

    def test_accepting_with_an_unverified_address_is_refused(self, organisation):
        invitee = UserFactory(email="home@example.org")
        EmailAddress.objects.create(user=invitee, email="work@example.org", verified=False)
        invitation = InvitationFactory(organisation=organisation, email="work@example.org")
        with pytest.raises(ServiceError) as refused:
            invitation_accept(invitation_token=invitation.token, user=invitee)
        assert refused.value.message == errors.INVITATION_WRONG_ACCOUNT
        assert not Membership.objects.filter(user=invitee).exists()

    def test_accepting_from_someone_elses_account_is_refused(self, organisation):
        invitation = InvitationFactory(organisation=organisation, email="invitee@example.org")
        with pytest.raises(ServiceError) as refused:
            invitation_accept(invitation_token=invitation.token, user=UserFactory())
        assert refused.value.message == errors.INVITATION_WRONG_ACCOUNT

    def test_an_expired_invitation_is_refused(self, organisation):
        invitee = UserFactory(email="invitee@example.org")
        invitation = InvitationFactory(
            organisation=organisation,
            email="invitee@example.org",
            expires_at=timezone.now() - datetime.timedelta(minutes=1),
        )
        with pytest.raises(ServiceError) as refused:
            invitation_accept(invitation_token=invitation.token, user=invitee)
        assert refused.value.message == errors.INVITATION_INVALID

    def test_accepting_twice_is_refused(self, organisation):
        invitee = UserFactory(email="invitee@example.org")
        invitation = InvitationFactory(organisation=organisation, email="invitee@example.org")
        invitation_accept(invitation_token=invitation.token, user=invitee)
        with pytest.raises(ServiceError) as refused:
            invitation_accept(invitation_token=invitation.token, user=invitee)
        assert refused.value.message == errors.INVITATION_INVALID

    def test_a_withdrawn_invitation_is_refused(self, organisation):
        invitee = UserFactory(email="invitee@example.org")
        invitation = InvitationFactory(
            organisation=organisation, email="invitee@example.org", revoked_at=timezone.now()
        )
        with pytest.raises(ServiceError):
            invitation_accept(invitation_token=invitation.token, user=invitee)

    def test_an_unknown_token_is_refused(self):
        with pytest.raises(ServiceError) as refused:
            invitation_accept(invitation_token="no-such-token", user=UserFactory())
        assert refused.value.message == errors.INVITATION_INVALID

    def test_a_member_invited_to_a_lower_role_keeps_their_higher_role(
        self, organisation, make_member
    ):
        issuer = make_member(organisation, Role.ISSUER, email="issuer@example.org")
        invitation = InvitationFactory(
            organisation=organisation, email="issuer@example.org", role=Role.VIEWER
        )
        assert invitation_accept(invitation_token=invitation.token, user=issuer).role == Role.ISSUER

    def test_a_member_invited_to_a_higher_role_gets_it(self, organisation, make_member):
        viewer = make_member(organisation, Role.VIEWER, email="viewer@example.org")
        invitation = InvitationFactory(
            organisation=organisation, email="viewer@example.org", role=Role.EDITOR
        )
        assert invitation_accept(invitation_token=invitation.token, user=viewer).role == Role.EDITOR


class TestRoles:
    def test_an_owner_changes_another_members_role(
        self, organisation, owner, make_member, membership_of
    ):
        editor = make_member(organisation, Role.EDITOR)
        changed = membership_role_change(
            membership=membership_of(editor, organisation), role=Role.ISSUER, by=owner
        )
        assert changed.role == Role.ISSUER

    def test_an_owner_cannot_change_their_own_role(self, organisation, owner, membership_of):
        with pytest.raises(ServiceError) as refused:
            membership_role_change(
                membership=membership_of(owner, organisation), role=Role.EDITOR, by=owner
            )
        assert refused.value.message == errors.ROLE_CANNOT_RAISE_OWN

    @pytest.mark.parametrize("role", [Role.ISSUER, Role.EDITOR, Role.VIEWER])
    def test_nobody_below_owner_can_raise_their_own_role(
        self, organisation, owner, make_member, membership_of, role
    ):
        user = make_member(organisation, role)
        with pytest.raises(AccessDenied):
            membership_role_change(
                membership=membership_of(user, organisation), role=Role.OWNER, by=user
            )
        assert membership_of(user, organisation).role == role

    def test_an_issuer_cannot_change_someone_elses_role(
        self, organisation, make_member, membership_of
    ):
        viewer = make_member(organisation, Role.VIEWER)
        issuer = make_member(organisation, Role.ISSUER)
        with pytest.raises(AccessDenied):
            membership_role_change(
                membership=membership_of(viewer, organisation), role=Role.EDITOR, by=issuer
            )

    def test_the_last_owner_cannot_be_demoted(self, organisation, owner, superuser, membership_of):
        with pytest.raises(ServiceError) as refused:
            membership_role_change(
                membership=membership_of(owner, organisation), role=Role.VIEWER, by=superuser
            )
        assert refused.value.message == errors.ROLE_LAST_OWNER

    def test_an_owner_can_demote_another_owner(
        self, organisation, owner, make_member, membership_of
    ):
        second = make_member(organisation, Role.OWNER)
        changed = membership_role_change(
            membership=membership_of(second, organisation), role=Role.VIEWER, by=owner
        )
        assert changed.role == Role.VIEWER

    def test_an_owner_demoted_by_another_can_no_longer_change_roles(
        self, organisation, owner, make_member, membership_of
    ):
        second = make_member(organisation, Role.OWNER)
        editor = make_member(organisation, Role.EDITOR)
        membership = membership_of(editor, organisation)
        membership_role_change(
            membership=membership_of(owner, organisation), role="viewer", by=second
        )
        with pytest.raises(AccessDenied):
            membership_role_change(membership=membership, role=Role.OWNER, by=owner)


class TestRemoving:
    def test_an_owner_removes_a_member_of_staff(
        self, organisation, owner, make_member, membership_of
    ):
        editor = make_member(organisation, Role.EDITOR)
        membership_remove(membership=membership_of(editor, organisation), by=owner)
        assert not Membership.objects.filter(user=editor).exists()

    @pytest.mark.parametrize("role", [Role.ISSUER, Role.EDITOR, Role.VIEWER])
    def test_staff_below_owner_cannot_remove_others(
        self, organisation, owner, make_member, membership_of, role
    ):
        with pytest.raises(AccessDenied):
            membership_remove(
                membership=membership_of(owner, organisation), by=make_member(organisation, role)
            )

    def test_anyone_may_leave(self, organisation, owner, make_member, membership_of):
        viewer = make_member(organisation, Role.VIEWER)
        membership_remove(membership=membership_of(viewer, organisation), by=viewer)
        assert not Membership.objects.filter(user=viewer).exists()

    def test_the_last_owner_cannot_leave(self, organisation, owner, membership_of):
        with pytest.raises(ServiceError) as refused:
            membership_remove(membership=membership_of(owner, organisation), by=owner)
        assert refused.value.message == errors.ROLE_LAST_OWNER
        assert Membership.objects.filter(user=owner).exists()

    def test_the_last_owner_cannot_be_removed(self, organisation, owner, superuser, membership_of):
        with pytest.raises(ServiceError) as refused:
            membership_remove(membership=membership_of(owner, organisation), by=superuser)
        assert refused.value.message == errors.ROLE_LAST_OWNER

    def test_an_owner_may_leave_when_another_owner_remains(
        self, organisation, owner, make_member, membership_of
    ):
        make_member(organisation, Role.OWNER)
        membership_remove(membership=membership_of(owner, organisation), by=owner)
        assert not Membership.objects.filter(user=owner).exists()

    def test_removing_someone_who_already_left_says_so(
        self, organisation, owner, make_member, membership_of
    ):
        viewer = make_member(organisation, Role.VIEWER)
        membership = membership_of(viewer, organisation)
        membership_remove(membership=membership, by=viewer)
        with pytest.raises(ServiceError) as refused:
            membership_remove(membership=membership, by=owner)
        assert refused.value.message == errors.STAFF_MEMBER_GONE


def test_the_database_keeps_one_open_invitation_per_address(organisation):
    InvitationFactory(organisation=organisation, email="a@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        InvitationFactory(organisation=organisation, email="a@example.org")
    assert Invitation.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks and concurrent connections"
)
def test_two_owners_demoting_each_other_at_once_leave_one_owner(city, make_member, monkeypatch):
    organisation = OrganisationFactory(city=city)
    first, second = make_member(organisation, Role.OWNER), make_member(organisation, Role.OWNER)
    both_ready = threading.Barrier(2)
    lock = services._organisation_lock

    def lock_together(organisation):
        both_ready.wait(timeout=5)
        return lock(organisation)

    monkeypatch.setattr(services, "_organisation_lock", lock_together)
    outcomes = []

    def demote(target, by):
        try:
            membership = Membership.objects.get(organisation=organisation, user=target)
            membership_role_change(membership=membership, role=Role.VIEWER, by=by)
            outcomes.append("changed")
        except ServiceError as refused:
            outcomes.append(refused.message)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=demote, args=(second, first)),
        threading.Thread(target=demote, args=(first, second)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert sorted(outcomes) == sorted(["changed", errors.ORGANISATION_OWNERS_ONLY])
    assert Membership.objects.filter(organisation=organisation, role=Role.OWNER).count() == 1
