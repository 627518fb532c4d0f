import datetime
from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.core import errors
from learningcity.organisations.models import (
    ROLE_DESCRIPTIONS,
    Invitation,
    Membership,
    Organisation,
    Role,
)
from learningcity.organisations.views import ORGANISATIONS_PER_PAGE, QUEUE_PER_PAGE

from .factories import InvitationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db

LOWER_ROLES = [Role.ISSUER, Role.EDITOR, Role.VIEWER]


def org_url(name, organisation, **kwargs):
    return reverse(
        name,
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs},
    )


def assert_sent_to_login(response, url):
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


def shows(response, text):
    """True when the page shows ``text`` (as the template escaped it)."""
    return escape(text) in response.content.decode()


def page_messages(response):
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def other_owner(city, make_member):
    """The owner of a different organisation in the same city."""
    return make_member(OrganisationFactory(city=city), Role.OWNER)


# --- The public directory ----------------------------------------------------------------------


class TestDirectory:
    def test_anyone_sees_the_active_organisations_of_the_city(self, client, organisation):
        response = client.get(reverse("organisation-list", kwargs={"city_slug": "brighton"}))
        assert response.status_code == 200
        assert list(response.context["page"]) == [organisation]
        assert b"Organisations in Brighton" in response.content
        assert organisation.get_absolute_url().encode() in response.content

    def test_the_page_carries_the_citys_brand(self, client, organisation):
        response = client.get(reverse("organisation-list", kwargs={"city_slug": "brighton"}))
        assert response.context["current_city"] == organisation.city

    def test_waiting_and_suspended_organisations_are_not_listed(self, client, city):
        OrganisationFactory(city=city, name="Waiting Club", status=Organisation.Status.PENDING)
        OrganisationFactory(city=city, name="Banned Club", status=Organisation.Status.SUSPENDED)
        response = client.get(reverse("organisation-list", kwargs={"city_slug": "brighton"}))
        assert b"Waiting Club" not in response.content
        assert b"Banned Club" not in response.content
        assert b"No organisations yet" in response.content

    def test_a_search_and_type_filter_narrow_the_list_and_can_be_shared(self, client, city):
        chess = OrganisationFactory(city=city, name="Chess Club", type=Organisation.Type.CHARITY)
        OrganisationFactory(city=city, name="Chess Library", type=Organisation.Type.LIBRARY)
        OrganisationFactory(city=city, name="Drama Group", type=Organisation.Type.CHARITY)
        url = reverse("organisation-list", kwargs={"city_slug": "brighton"})
        response = client.get(url, {"q": "chess", "type": "charity"})
        assert list(response.context["page"]) == [chess]
        assert b"1 organisation matches your search." in response.content
        assert b'value="chess"' in response.content

    def test_a_search_that_finds_nothing_says_so(self, client, organisation):
        url = reverse("organisation-list", kwargs={"city_slug": "brighton"})
        response = client.get(url, {"q": "underwater basket weaving"})
        assert b"No organisations found" in response.content

    def test_an_unknown_type_is_ignored(self, client, organisation):
        url = reverse("organisation-list", kwargs={"city_slug": "brighton"})
        response = client.get(url, {"type": "spaceship"})
        assert response.status_code == 200
        assert list(response.context["page"]) == [organisation]

    def test_the_list_is_split_into_pages_that_keep_the_search(self, client, city):
        for number in range(ORGANISATIONS_PER_PAGE + 1):
            OrganisationFactory(city=city, name=f"Club {number:02d}")
        url = reverse("organisation-list", kwargs={"city_slug": "brighton"})
        first = client.get(url, {"q": "club"})
        assert len(first.context["page"]) == ORGANISATIONS_PER_PAGE
        assert b'href="?q=club&amp;page=2"' in first.content
        second = client.get(url, {"q": "club", "page": 2})
        assert [o.name for o in second.context["page"]] == ["Club 24"]
        assert b"Page 2 of 2" in second.content

    def test_an_unknown_city_is_not_found(self, client, db):
        assert client.get("/atlantis/organisations/").status_code == 404


class TestProfile:
    def test_anyone_sees_an_active_organisations_profile(self, client, organisation):
        response = client.get(organisation.get_absolute_url())
        assert response.status_code == 200
        assert b"Hove Youth Club" in response.content
        assert b"Go to your dashboard" not in response.content

    @pytest.mark.parametrize("status", [Organisation.Status.PENDING, Organisation.Status.SUSPENDED])
    def test_a_hidden_organisation_is_not_found_by_the_public(
        self, client, city, learner, city_admin, status
    ):
        hidden = OrganisationFactory(city=city, status=status)
        assert client.get(hidden.get_absolute_url()).status_code == 404
        for user in (learner, city_admin):
            client.force_login(user)
            assert client.get(hidden.get_absolute_url()).status_code == 404

    def test_staff_see_their_suspended_organisation_with_the_reason(
        self, client, city, make_member
    ):
        suspended = OrganisationFactory(
            city=city, status=Organisation.Status.SUSPENDED, status_reason="Unsafe venue."
        )
        client.force_login(make_member(suspended, Role.VIEWER))
        response = client.get(suspended.get_absolute_url())
        assert response.status_code == 200
        assert b"Unsafe venue." in response.content
        assert b"Go to your dashboard" in response.content

    def test_an_organisation_is_not_found_under_another_city(
        self, client, organisation, other_city
    ):
        url = reverse(
            "organisation-detail", kwargs={"city_slug": "plymouth", "org_slug": organisation.slug}
        )
        assert client.get(url).status_code == 404


# --- Registration ------------------------------------------------------------------------------


class TestRegister:
    url = "/brighton/organisations/register/"

    def form(self, **overrides):
        return {
            "name": "Kemptown Code Club",
            "type": "youth_group",
            "description": "Coding for 11 to 16 year olds.",
            "website": "https://example.org",
            "contact_email": "hello@example.org",
            **overrides,
        }

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, city):
        assert_sent_to_login(client.get(self.url), self.url)

    def test_an_adult_learner_sees_the_form(self, client, learner):
        client.force_login(learner)
        response = client.get(self.url)
        assert response.status_code == 200
        assert b"Register your organisation in Brighton" in response.content

    def test_registering_creates_a_waiting_organisation_and_tells_the_city_team(
        self, client, learner, city_admin, django_capture_on_commit_callbacks
    ):
        client.force_login(learner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self.url, self.form(), follow=True)
        organisation = Organisation.objects.get()
        assert response.redirect_chain[-1][0] == org_url("organisation-dashboard", organisation)
        assert organisation.status == Organisation.Status.PENDING
        assert Membership.objects.get(organisation=organisation).user == learner
        assert any(
            "waiting for the city team to approve it" in text for text in page_messages(response)
        )
        assert [message.to for message in mail.outbox] == [[city_admin.email]]

    def test_an_account_without_a_learner_profile_can_register(self, client, city):
        client.force_login(UserFactory())
        response = client.post(self.url, self.form())
        assert response.status_code == 302
        assert Organisation.objects.filter(name="Kemptown Code Club").exists()

    def test_a_missing_name_is_shown_as_an_error(self, client, learner):
        client.force_login(learner)
        response = client.post(self.url, self.form(name=""))
        assert response.status_code == 200
        assert b"There is a problem" in response.content
        assert not Organisation.objects.exists()

    def test_a_16_year_old_is_refused_with_a_clear_message(self, client, city):
        client.force_login(LearnerProfileFactory(city=city, age=16).user)
        response = client.get(self.url)
        assert response.status_code == 403
        assert shows(response, errors.ORGANISATION_REGISTER_ADULTS_ONLY)
        assert client.post(self.url, self.form()).status_code == 403
        assert not Organisation.objects.exists()

    def test_an_under_13_without_consent_is_refused(self, client, city):
        child = LearnerProfileFactory(city=city, age=11).user
        GuardianConsentFactory(child=child)
        client.force_login(child)
        response = client.get(self.url)
        assert response.status_code == 403
        assert shows(response, errors.GUARDIAN_CONSENT_NEEDED)


# --- The staff's pages -------------------------------------------------------------------------


class TestDashboard:
    def test_an_owner_sees_the_dashboard_with_links_to_manage_the_organisation(
        self, client, organisation, owner
    ):
        client.force_login(owner)
        response = client.get(org_url("organisation-dashboard", organisation))
        assert response.status_code == 200
        assert shows(response, ROLE_DESCRIPTIONS[Role.OWNER])
        assert f'href="{org_url("organisation-staff", organisation)}"' in response.text
        assert org_url("organisation-edit", organisation).encode() in response.content
        assert org_url("badge-class-list", organisation).encode() in response.content
        assert org_url("bulk-issue-upload", organisation).encode() in response.content

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_every_role_sees_the_dashboard_without_the_owners_links(
        self, client, organisation, make_member, role
    ):
        client.force_login(make_member(organisation, role))
        response = client.get(org_url("organisation-dashboard", organisation))
        assert response.status_code == 200
        assert shows(response, ROLE_DESCRIPTIONS[role])
        assert f'href="{org_url("organisation-staff", organisation)}"' not in response.text

    def test_a_waiting_organisations_staff_see_that_it_awaits_approval(
        self, client, city, make_member
    ):
        pending = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        client.force_login(make_member(pending, Role.OWNER))
        response = client.get(org_url("organisation-dashboard", pending))
        assert b"waiting for the city team to approve it" in response.content

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation):
        url = org_url("organisation-dashboard", organisation)
        assert_sent_to_login(client.get(url), url)

    def test_a_learner_not_on_the_staff_gets_404(self, client, organisation, learner):
        client.force_login(learner)
        assert client.get(org_url("organisation-dashboard", organisation)).status_code == 404

    def test_another_organisations_owner_gets_404(self, client, organisation, other_owner):
        client.force_login(other_owner)
        assert client.get(org_url("organisation-dashboard", organisation)).status_code == 404

    def test_the_citys_admin_gets_404(self, client, organisation, city_admin):
        client.force_login(city_admin)
        assert client.get(org_url("organisation-dashboard", organisation)).status_code == 404


class TestEdit:
    def test_an_owner_edits_the_profile(self, client, organisation, owner):
        client.force_login(owner)
        url = org_url("organisation-edit", organisation)
        assert client.get(url).status_code == 200
        response = client.post(
            url,
            {
                "name": "Hove Youth Club CIC",
                "type": "charity",
                "description": "New words.",
                "website": "",
                "contact_email": "",
            },
        )
        assert response.status_code == 302
        organisation.refresh_from_db()
        assert (organisation.name, organisation.type) == ("Hove Youth Club CIC", "charity")
        assert organisation.slug == "hove-youth-club"

    def test_a_logo_that_is_too_large_is_refused(self, client, organisation, owner, settings):
        settings.MAX_LOGO_BYTES = 10
        client.force_login(owner)
        logo = _png("logo.png")
        response = client.post(
            org_url("organisation-edit", organisation),
            {"name": "Hove Youth Club", "type": "youth_group", "logo": logo},
        )
        assert response.status_code == 200
        assert b"The logo must be smaller than" in response.content

    def test_an_owner_uploads_a_logo_that_the_profile_shows(self, client, organisation, owner):
        client.force_login(owner)
        client.post(
            org_url("organisation-edit", organisation),
            {"name": "Hove Youth Club", "type": "youth_group", "logo": _png("logo.png")},
        )
        organisation.refresh_from_db()
        assert organisation.logo.name.startswith("organisations/logos/logo")
        assert organisation.logo.url in client.get(organisation.get_absolute_url()).text

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_staff_below_owner_are_refused_with_403(self, client, organisation, make_member, role):
        client.force_login(make_member(organisation, role))
        assert client.get(org_url("organisation-edit", organisation)).status_code == 403
        response = client.post(org_url("organisation-edit", organisation), {"name": "Mine"})
        assert response.status_code == 403

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation):
        url = org_url("organisation-edit", organisation)
        assert_sent_to_login(client.get(url), url)

    def test_a_learner_and_another_organisations_owner_get_404(
        self, client, organisation, learner, other_owner
    ):
        for user in (learner, other_owner):
            client.force_login(user)
            assert client.get(org_url("organisation-edit", organisation)).status_code == 404


def _png(name):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "#1d4ed8").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


class TestStaffPage:
    def test_an_owner_sees_the_staff_and_open_invitations(
        self, client, organisation, owner, make_member
    ):
        make_member(organisation, Role.EDITOR, email="editor@example.org")
        InvitationFactory(organisation=organisation, email="invited@example.org")
        client.force_login(owner)
        response = client.get(org_url("organisation-staff", organisation))
        assert response.status_code == 200
        assert b"editor@example.org" in response.content
        assert b"invited@example.org" in response.content
        assert shows(response, ROLE_DESCRIPTIONS[Role.ISSUER])

    def test_an_owner_is_offered_no_way_to_change_their_own_role(self, client, organisation, owner):
        client.force_login(owner)
        response = client.get(org_url("organisation-staff", organisation))
        own_role_url = org_url("organisation-staff-role", organisation, member_id=owner.public_id)
        assert own_role_url.encode() not in response.content

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_staff_below_owner_are_refused_with_403(self, client, organisation, make_member, role):
        client.force_login(make_member(organisation, role))
        assert client.get(org_url("organisation-staff", organisation)).status_code == 403

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation):
        url = org_url("organisation-staff", organisation)
        assert_sent_to_login(client.get(url), url)

    def test_a_learner_and_another_organisations_owner_get_404(
        self, client, organisation, learner, other_owner
    ):
        for user in (learner, other_owner):
            client.force_login(user)
            assert client.get(org_url("organisation-staff", organisation)).status_code == 404


class TestChangingRoles:
    def url(self, organisation, user):
        return org_url("organisation-staff-role", organisation, member_id=user.public_id)

    def test_an_owner_changes_someones_role(
        self, client, organisation, owner, make_member, membership_of
    ):
        editor = make_member(organisation, Role.EDITOR)
        client.force_login(owner)
        response = client.post(self.url(organisation, editor), {"role": "issuer"}, follow=True)
        assert membership_of(editor, organisation).role == Role.ISSUER
        assert f"{editor}'s role is now Issuer." in page_messages(response)

    def test_an_owner_cannot_change_their_own_role(
        self, client, organisation, owner, membership_of
    ):
        client.force_login(owner)
        response = client.post(self.url(organisation, owner), {"role": "viewer"}, follow=True)
        assert errors.ROLE_CANNOT_RAISE_OWN in page_messages(response)
        assert membership_of(owner, organisation).role == Role.OWNER

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_nobody_below_owner_can_raise_their_own_role(
        self, client, organisation, owner, make_member, membership_of, role
    ):
        user = make_member(organisation, role)
        client.force_login(user)
        response = client.post(self.url(organisation, user), {"role": "owner"})
        assert response.status_code == 403
        assert membership_of(user, organisation).role == role

    def test_an_unknown_role_is_refused(self, client, organisation, owner, make_member):
        editor = make_member(organisation, Role.EDITOR)
        client.force_login(owner)
        response = client.post(self.url(organisation, editor), {"role": "king"}, follow=True)
        assert errors.ROLE_INVALID in page_messages(response)

    def test_get_is_not_allowed(self, client, organisation, owner, make_member):
        client.force_login(owner)
        response = client.get(self.url(organisation, make_member(organisation, Role.VIEWER)))
        assert response.status_code == 405

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation, owner):
        url = self.url(organisation, owner)
        assert_sent_to_login(client.post(url, {"role": "viewer"}), url)

    def test_a_learner_and_another_organisations_owner_get_404(
        self, client, organisation, owner, learner, other_owner, membership_of
    ):
        for user in (learner, other_owner):
            client.force_login(user)
            response = client.post(self.url(organisation, owner), {"role": "viewer"})
            assert response.status_code == 404
        assert membership_of(owner, organisation).role == Role.OWNER

    def test_a_member_of_another_organisation_is_not_found(
        self, client, organisation, owner, other_owner
    ):
        client.force_login(owner)
        response = client.post(self.url(organisation, other_owner), {"role": "viewer"})
        assert response.status_code == 404


class TestRemovingStaff:
    def url(self, organisation, user):
        return org_url("organisation-staff-remove", organisation, member_id=user.public_id)

    def test_an_owner_removes_someone(self, client, organisation, owner, make_member):
        editor = make_member(organisation, Role.EDITOR)
        client.force_login(owner)
        response = client.post(self.url(organisation, editor))
        assert response["Location"] == org_url("organisation-staff", organisation)
        assert not Membership.objects.filter(user=editor).exists()

    def test_a_viewer_leaves_from_the_dashboard(self, client, organisation, owner, make_member):
        viewer = make_member(organisation, Role.VIEWER)
        client.force_login(viewer)
        dashboard = client.get(org_url("organisation-dashboard", organisation))
        assert self.url(organisation, viewer).encode() in dashboard.content
        response = client.post(self.url(organisation, viewer))
        assert response["Location"] == reverse("learner-home")
        assert not Membership.objects.filter(user=viewer).exists()

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_staff_below_owner_cannot_remove_others(
        self, client, organisation, owner, make_member, role
    ):
        client.force_login(make_member(organisation, role))
        assert client.post(self.url(organisation, owner)).status_code == 403
        assert Membership.objects.filter(user=owner).exists()

    def test_the_last_owner_cannot_leave(self, client, organisation, owner):
        client.force_login(owner)
        response = client.post(self.url(organisation, owner), follow=True)
        assert errors.ROLE_LAST_OWNER in page_messages(response)
        assert Membership.objects.filter(user=owner).exists()

    def test_get_is_not_allowed(self, client, organisation, owner):
        client.force_login(owner)
        assert client.get(self.url(organisation, owner)).status_code == 405

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation, owner):
        url = self.url(organisation, owner)
        assert_sent_to_login(client.post(url), url)

    def test_a_learner_and_another_organisations_owner_get_404(
        self, client, organisation, owner, learner, other_owner
    ):
        for user in (learner, other_owner):
            client.force_login(user)
            assert client.post(self.url(organisation, owner)).status_code == 404
        assert Membership.objects.filter(user=owner).exists()


class TestInviting:
    def test_an_owner_invites_a_colleague_who_is_emailed_the_link(
        self, client, organisation, owner, django_capture_on_commit_callbacks
    ):
        client.force_login(owner)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                org_url("organisation-invite", organisation),
                {"email": "colleague@example.org", "role": "editor"},
            )
        assert response["Location"] == org_url("organisation-staff", organisation)
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.invited_by) == (
            "colleague@example.org",
            Role.EDITOR,
            owner,
        )
        assert mail.outbox[0].to == ["colleague@example.org"]
        assert f"http://127.0.0.1:8000/invitations/{invitation.token}/" in mail.outbox[0].body

    def test_inviting_a_member_of_staff_is_refused_on_the_form(
        self, client, organisation, owner, make_member
    ):
        make_member(organisation, Role.VIEWER, email="viewer@example.org")
        client.force_login(owner)
        response = client.post(
            org_url("organisation-invite", organisation),
            {"email": "viewer@example.org", "role": "editor"},
        )
        assert response.status_code == 400
        assert shows(response, errors.ALREADY_STAFF.format(email="viewer@example.org"))
        assert not Invitation.objects.exists()

    def test_an_invalid_address_is_refused_on_the_form(self, client, organisation, owner):
        client.force_login(owner)
        response = client.post(
            org_url("organisation-invite", organisation), {"email": "nope", "role": "editor"}
        )
        assert response.status_code == 400
        assert b"There is a problem" in response.content

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_staff_below_owner_cannot_invite(self, client, organisation, make_member, role):
        client.force_login(make_member(organisation, role))
        response = client.post(
            org_url("organisation-invite", organisation),
            {"email": "friend@example.org", "role": "owner"},
        )
        assert response.status_code == 403
        assert not Invitation.objects.exists()

    def test_get_is_not_allowed(self, client, organisation, owner):
        client.force_login(owner)
        assert client.get(org_url("organisation-invite", organisation)).status_code == 405

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation):
        url = org_url("organisation-invite", organisation)
        assert_sent_to_login(client.post(url, {"email": "a@example.org", "role": "viewer"}), url)

    def test_a_learner_and_another_organisations_owner_get_404(
        self, client, organisation, learner, other_owner
    ):
        for user in (learner, other_owner):
            client.force_login(user)
            response = client.post(
                org_url("organisation-invite", organisation),
                {"email": "a@example.org", "role": "viewer"},
            )
            assert response.status_code == 404


class TestWithdrawingInvitations:
    def url(self, invitation):
        return org_url(
            "organisation-invite-revoke", invitation.organisation, invitation_id=invitation.pk
        )

    def test_an_owner_withdraws_an_invitation(self, client, organisation, owner):
        invitation = InvitationFactory(organisation=organisation)
        client.force_login(owner)
        response = client.post(self.url(invitation))
        assert response["Location"] == org_url("organisation-staff", organisation)
        invitation.refresh_from_db()
        assert invitation.revoked_at is not None

    @pytest.mark.parametrize("role", LOWER_ROLES)
    def test_staff_below_owner_cannot_withdraw(self, client, organisation, make_member, role):
        invitation = InvitationFactory(organisation=organisation)
        client.force_login(make_member(organisation, role))
        assert client.post(self.url(invitation)).status_code == 403

    def test_another_organisations_invitation_is_not_found(self, client, organisation, owner, city):
        theirs = InvitationFactory(organisation=OrganisationFactory(city=city))
        client.force_login(owner)
        url = org_url("organisation-invite-revoke", organisation, invitation_id=theirs.pk)
        assert client.post(url).status_code == 404

    def test_get_is_not_allowed(self, client, organisation, owner):
        client.force_login(owner)
        assert client.get(self.url(InvitationFactory(organisation=organisation))).status_code == 405

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, organisation):
        url = self.url(InvitationFactory(organisation=organisation))
        assert_sent_to_login(client.post(url), url)

    def test_a_learner_and_another_organisations_owner_get_404(
        self, client, organisation, learner, other_owner
    ):
        invitation = InvitationFactory(organisation=organisation)
        for user in (learner, other_owner):
            client.force_login(user)
            assert client.post(self.url(invitation)).status_code == 404


# --- Accepting an invitation -------------------------------------------------------------------


class TestAcceptingAnInvitation:
    @pytest.fixture
    def invitation(self, organisation, owner):
        return InvitationFactory(
            organisation=organisation,
            email="invitee@example.org",
            role=Role.ISSUER,
            invited_by=owner,
        )

    def url(self, invitation):
        return reverse("invitation-accept", kwargs={"token": invitation.token})

    def test_an_anonymous_visitor_sees_the_invitation_and_is_asked_to_sign_in(
        self, client, invitation
    ):
        response = client.get(self.url(invitation))
        assert response.status_code == 200
        assert b"Join Hove Youth Club" in response.content
        assert shows(response, ROLE_DESCRIPTIONS[Role.ISSUER])
        next_query = f"?next=%2Finvitations%2F{invitation.token}%2F"
        assert f"{reverse('account_login')}{next_query}".encode() in response.content
        assert f"{reverse('account_signup')}{next_query}".encode() in response.content

    def test_the_invited_person_accepts_and_lands_on_the_dashboard(
        self, client, invitation, organisation
    ):
        invitee = UserFactory(email="invitee@example.org")
        client.force_login(invitee)
        assert b"Accept and join" in client.get(self.url(invitation)).content
        response = client.post(self.url(invitation))
        assert response["Location"] == org_url("organisation-dashboard", organisation)
        assert Membership.objects.get(user=invitee).role == Role.ISSUER

    def test_accepting_with_a_verified_secondary_address_works(self, client, invitation):
        invitee = UserFactory(email="personal@example.org")
        EmailAddress.objects.create(user=invitee, email="invitee@example.org", verified=True)
        client.force_login(invitee)
        assert client.post(self.url(invitation)).status_code == 302
        assert Membership.objects.filter(user=invitee).exists()

    def test_an_unverified_address_is_refused_with_what_to_do(self, client, invitation):
        invitee = UserFactory(email="personal@example.org")
        EmailAddress.objects.create(user=invitee, email="invitee@example.org", verified=False)
        client.force_login(invitee)
        page = client.get(self.url(invitation))
        assert b"Accept and join" not in page.content
        assert b"but this invitation is for invitee@example.org" in page.content
        response = client.post(self.url(invitation))
        assert response.status_code == 400
        assert shows(response, errors.INVITATION_WRONG_ACCOUNT)
        assert not Membership.objects.filter(user=invitee).exists()

    def test_an_expired_invitation_shows_a_friendly_404(self, client, invitation):
        invitation.expires_at = timezone.now() - datetime.timedelta(seconds=1)
        invitation.save()
        response = client.get(self.url(invitation))
        assert response.status_code == 404
        assert shows(response, errors.INVITATION_INVALID)

    def test_accepting_twice_shows_a_friendly_404(self, client, invitation):
        client.force_login(UserFactory(email="invitee@example.org"))
        client.post(self.url(invitation))
        response = client.post(self.url(invitation))
        assert response.status_code == 404
        assert shows(response, errors.INVITATION_INVALID)

    def test_an_unknown_token_shows_a_friendly_404(self, client, db):
        response = client.get(reverse("invitation-accept", kwargs={"token": "made-up"}))
        assert response.status_code == 404
        assert shows(response, errors.INVITATION_INVALID)

    def test_an_anonymous_post_is_sent_to_sign_in(self, client, invitation):
        url = self.url(invitation)
        assert_sent_to_login(client.post(url), url)
        assert not Membership.objects.filter(role=Role.ISSUER).exists()


# --- The city team's approval queue ------------------------------------------------------------


class TestApprovalQueue:
    url = "/brighton/admin/organisations/"

    def test_the_citys_admin_sees_waiting_organisations_first(self, client, city, city_admin):
        OrganisationFactory(city=city, name="Active Arts")
        OrganisationFactory(city=city, name="Suspended Sports", status="suspended")
        OrganisationFactory(city=city, name="Waiting Woodwork", status="pending")
        client.force_login(city_admin)
        response = client.get(self.url)
        assert response.status_code == 200
        content = response.content.decode()
        assert (
            content.index("Waiting Woodwork")
            < content.index("Active Arts")
            < content.index("Suspended Sports")
        )

    def test_the_queue_can_show_one_status(self, client, city, city_admin):
        OrganisationFactory(city=city, name="Active Arts")
        OrganisationFactory(city=city, name="Waiting Woodwork", status="pending")
        client.force_login(city_admin)
        response = client.get(self.url, {"status": "pending"})
        assert b"Waiting Woodwork" in response.content
        assert b"Active Arts" not in response.content

    def test_the_queue_is_split_into_pages_with_counts_for_every_status(
        self, client, city, city_admin
    ):
        for number in range(QUEUE_PER_PAGE + 1):
            OrganisationFactory(city=city, name=f"Club {number:02d}")
        OrganisationFactory(city=city, name="Waiting Woodwork", status="pending")
        client.force_login(city_admin)
        first = client.get(self.url)
        assert len(first.context["page"]) == QUEUE_PER_PAGE
        assert "Waiting for approval (1)" in first.text
        assert f"Active ({QUEUE_PER_PAGE + 1})" in first.text
        second = client.get(self.url, {"page": 2})
        assert [o.name for o in second.context["page"]] == ["Club 49", "Club 50"]

    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, city):
        assert_sent_to_login(client.get(self.url), self.url)

    def test_a_learner_an_owner_and_another_citys_admin_are_refused_with_403(
        self, client, learner, owner, other_city_admin
    ):
        for user in (learner, owner, other_city_admin):
            client.force_login(user)
            assert client.get(self.url).status_code == 403


class TestApprovalActions:
    def url(self, organisation, action, city_slug="brighton"):
        return reverse(
            f"city-admin-organisation-{action}",
            kwargs={"city_slug": city_slug, "public_id": organisation.public_id},
        )

    @pytest.fixture
    def pending(self, city, make_member):
        organisation = OrganisationFactory(city=city, status=Organisation.Status.PENDING)
        make_member(organisation, Role.OWNER, email="boss@example.org")
        return organisation

    def test_the_citys_admin_approves_and_the_owner_is_emailed(
        self, client, pending, city_admin, django_capture_on_commit_callbacks
    ):
        client.force_login(city_admin)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(self.url(pending, "approve"))
        assert response["Location"] == "/brighton/admin/organisations/"
        pending.refresh_from_db()
        assert pending.status == Organisation.Status.ACTIVE
        assert pending.status_changed_by == city_admin
        assert mail.outbox[0].to == ["boss@example.org"]
        assert org_url("organisation-dashboard", pending) in mail.outbox[0].body

    def test_suspending_without_a_reason_is_refused(self, client, organisation, city_admin):
        client.force_login(city_admin)
        response = client.post(self.url(organisation, "suspend"), {"reason": ""}, follow=True)
        assert errors.ORGANISATION_SUSPEND_REASON_REQUIRED in page_messages(response)
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.ACTIVE

    def test_suspending_with_a_reason_hides_the_organisation(
        self, client, organisation, city_admin
    ):
        client.force_login(city_admin)
        client.post(self.url(organisation, "suspend"), {"reason": "Complaints from parents."})
        organisation.refresh_from_db()
        assert organisation.status == Organisation.Status.SUSPENDED
        assert organisation.status_reason == "Complaints from parents."
        client.logout()
        assert client.get(organisation.get_absolute_url()).status_code == 404

    def test_reinstating_makes_it_public_again(self, client, city, city_admin):
        suspended = OrganisationFactory(city=city, status="suspended", status_reason="Old.")
        client.force_login(city_admin)
        client.post(self.url(suspended, "reinstate"))
        suspended.refresh_from_db()
        assert suspended.status == Organisation.Status.ACTIVE
        client.logout()
        assert client.get(suspended.get_absolute_url()).status_code == 200

    def test_an_action_that_does_not_fit_the_status_is_explained(
        self, client, organisation, city_admin
    ):
        client.force_login(city_admin)
        response = client.post(self.url(organisation, "approve"), follow=True)
        assert errors.ORGANISATION_STATUS_CHANGE_INVALID.format(
            name=organisation.name, status="active"
        ) in page_messages(response)

    @pytest.mark.parametrize("action", ["approve", "suspend", "reinstate"])
    def test_another_citys_admin_is_refused_with_403(
        self, client, pending, other_city_admin, action
    ):
        client.force_login(other_city_admin)
        response = client.post(self.url(pending, action), {"reason": "Because."})
        assert response.status_code == 403
        pending.refresh_from_db()
        assert pending.status == Organisation.Status.PENDING

    @pytest.mark.parametrize("action", ["approve", "suspend", "reinstate"])
    def test_the_organisations_owner_and_a_learner_are_refused_with_403(
        self, client, pending, learner, action
    ):
        owner = Membership.objects.get(organisation=pending).user
        for user in (owner, learner):
            client.force_login(user)
            assert client.post(self.url(pending, action), {"reason": "x"}).status_code == 403

    def test_an_organisation_of_another_city_is_not_found(
        self, client, other_city, city_admin, other_city_admin
    ):
        elsewhere = OrganisationFactory(city=other_city, status=Organisation.Status.PENDING)
        client.force_login(city_admin)
        assert client.post(self.url(elsewhere, "approve")).status_code == 404

    @pytest.mark.parametrize("action", ["approve", "suspend", "reinstate"])
    def test_an_anonymous_visitor_is_sent_to_sign_in(self, client, pending, action):
        url = self.url(pending, action)
        assert_sent_to_login(client.post(url), url)

    @pytest.mark.parametrize("action", ["approve", "suspend", "reinstate"])
    def test_get_is_not_allowed(self, client, pending, city_admin, action):
        client.force_login(city_admin)
        assert client.get(self.url(pending, action)).status_code == 405
