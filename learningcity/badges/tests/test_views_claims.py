"""The claim pages and the staff's claim-code and award-email pages, with an access test for
every route."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils.html import escape
from PIL import Image, ImageChops

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import claims
from learningcity.badges.models import (
    Award,
    AwardDelivery,
    BadgeStatus,
    ClaimCode,
    DeliveryStatus,
)
from learningcity.badges.posters import claim_qr_image
from learningcity.badges.services import award_issue
from learningcity.cities.models import RESERVED_CITY_SLUGS
from learningcity.cities.tests.factories import CityFactory
from learningcity.core import errors
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisation():
    return OrganisationFactory(city=CityFactory(slug="brighton"), slug="hove-youth-club")


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, name="First Aid", status=BadgeStatus.PUBLISHED
    )


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user


@pytest.fixture
def issuer(organisation):
    return member(organisation, Role.ISSUER)


@pytest.fixture
def viewer(organisation):
    return member(organisation, Role.VIEWER)


@pytest.fixture
def stranger_staff(organisation):
    """An owner of another organisation in the same city."""
    return member(OrganisationFactory(city=organisation.city), Role.OWNER)


@pytest.fixture
def learner():
    return UserFactory(email="amara@example.org")


@pytest.fixture
def code(badge_class):
    return claims.claim_code_create(badge_class=badge_class, created_by=None, max_uses=5)


@pytest.fixture
def award(badge_class):
    return award_issue(badge_class=badge_class, recipient_email="kai@example.org", issued_by=None)


def org_url(name, organisation, **kwargs):
    return reverse(
        name, kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, **kwargs}
    )


def shows(response, text):
    return escape(text) in response.content.decode()


def assert_sent_to_login(response, url):
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"


# --- Access for every staff route --------------------------------------------------------------

# (url name, method, extra kwargs from fixtures, lowest role allowed)
STAFF_ROUTES = [
    ("claim-code-list", "get", None, Role.ISSUER),
    ("claim-code-create", "get", None, Role.ISSUER),
    ("claim-code-create", "post", None, Role.ISSUER),
    ("claim-code-revoke", "post", "code", Role.ISSUER),
    ("claim-code-poster", "get", "code", Role.ISSUER),
    ("award-deliveries", "get", None, Role.VIEWER),
    ("award-resend", "post", "award", Role.ISSUER),
]


@pytest.fixture
def route_url(organisation, code, award):
    def make(name, extra):
        kwargs = {}
        if extra == "code":
            kwargs["code"] = code.code
        elif extra == "award":
            kwargs["public_id"] = award.public_id
        return org_url(name, organisation, **kwargs)

    return make


@pytest.mark.parametrize(("name", "method", "extra", "min_role"), STAFF_ROUTES)
class TestStaffRouteAccess:
    def test_anonymous_visitors_are_sent_to_sign_in(
        self, client, route_url, name, method, extra, min_role
    ):
        url = route_url(name, extra)
        assert_sent_to_login(getattr(client, method)(url), url)

    def test_staff_of_another_organisation_get_404(
        self, client, route_url, stranger_staff, name, method, extra, min_role
    ):
        client.force_login(stranger_staff)
        assert getattr(client, method)(route_url(name, extra)).status_code == 404

    def test_a_learner_gets_404(self, client, route_url, learner, name, method, extra, min_role):
        client.force_login(learner)
        assert getattr(client, method)(route_url(name, extra)).status_code == 404

    def test_a_viewer_gets_403_where_issuers_are_needed(
        self, client, route_url, viewer, name, method, extra, min_role
    ):
        client.force_login(viewer)
        status = getattr(client, method)(route_url(name, extra)).status_code
        assert status == (403 if min_role == Role.ISSUER else 200)

    def test_an_issuer_may(self, client, route_url, issuer, name, method, extra, min_role):
        client.force_login(issuer)
        assert getattr(client, method)(route_url(name, extra)).status_code in (200, 302, 400)


def test_another_organisations_code_is_404_under_this_organisation(client, organisation, issuer):
    other = claims.claim_code_create(badge_class=BadgeClassFactory(), created_by=None)
    client.force_login(issuer)
    for name in ("claim-code-poster",):
        assert client.get(org_url(name, organisation, code=other.code)).status_code == 404
    assert (
        client.post(org_url("claim-code-revoke", organisation, code=other.code)).status_code == 404
    )
    other.refresh_from_db()
    assert other.revoked_at is None


def test_another_organisations_award_cannot_be_resent_from_here(client, organisation, issuer):
    other = award_issue(
        badge_class=BadgeClassFactory(), recipient_email="x@example.org", issued_by=None
    )
    client.force_login(issuer)
    url = org_url("award-resend", organisation, public_id=other.public_id)
    assert client.post(url).status_code == 404


# --- Staff pages -------------------------------------------------------------------------------


class TestStaffPages:
    def test_an_issuer_makes_a_multi_use_code(self, client, organisation, badge_class, issuer):
        client.force_login(issuer)
        response = client.post(
            org_url("claim-code-create", organisation),
            {"badge_class": badge_class.pk, "max_uses": "30", "expires_at": ""},
        )
        assert response.status_code == 302
        code = ClaimCode.objects.get()
        assert (code.badge_class, code.max_uses, code.created_by) == (badge_class, 30, issuer)

    def test_an_empty_limit_makes_a_code_with_no_limit(
        self, client, organisation, badge_class, issuer
    ):
        client.force_login(issuer)
        client.post(org_url("claim-code-create", organisation), {"badge_class": badge_class.pk})
        assert ClaimCode.objects.get().max_uses is None

    def test_another_organisations_badge_cannot_be_chosen(self, client, organisation, issuer):
        client.force_login(issuer)
        response = client.post(
            org_url("claim-code-create", organisation), {"badge_class": BadgeClassFactory().pk}
        )
        assert response.status_code == 400
        assert not ClaimCode.objects.exists()

    def test_an_expiry_in_the_past_is_shown_as_an_error(
        self, client, organisation, badge_class, issuer
    ):
        client.force_login(issuer)
        response = client.post(
            org_url("claim-code-create", organisation),
            {"badge_class": badge_class.pk, "max_uses": "1", "expires_at": "2001-01-01T10:00"},
        )
        assert response.status_code == 400
        assert shows(response, errors.CLAIM_CODE_EXPIRY_PAST)

    def test_the_list_shows_each_code_with_its_uses(self, client, organisation, code, issuer):
        client.force_login(issuer)
        response = client.get(org_url("claim-code-list", organisation))
        assert shows(response, code.display_code)
        assert shows(response, "0 of 5")

    def test_revoking_switches_the_code_off(self, client, organisation, code, issuer):
        client.force_login(issuer)
        client.post(org_url("claim-code-revoke", organisation, code=code.code))
        code.refresh_from_db()
        assert code.revoked_at is not None

    def test_the_poster_is_an_a4_png_at_150_dpi(self, client, organisation, code, issuer):
        client.force_login(issuer)
        response = client.get(org_url("claim-code-poster", organisation, code=code.code))
        assert response["Content-Type"] == "image/png"
        image = Image.open(io.BytesIO(response.content))
        assert image.size == (1240, 1754)
        assert round(image.info["dpi"][0]) == 150

    def test_the_poster_carries_the_qr_code_of_the_absolute_claim_url(
        self, client, settings, organisation, code, issuer
    ):
        settings.SITE_URL = "https://learning.example"
        client.force_login(issuer)
        response = client.get(org_url("claim-code-poster", organisation, code=code.code))
        poster = Image.open(io.BytesIO(response.content)).convert("RGB")
        qr = claim_qr_image(f"https://learning.example/claim/{code.code}/")
        left = (poster.width - qr.width) // 2
        found = any(
            ImageChops.difference(
                poster.crop((left, top, left + qr.width, top + qr.height)), qr
            ).getbbox()
            is None
            for top in range(poster.height - qr.height)
        )
        assert found, "the poster does not contain the QR code of the claim URL"

    def test_deliveries_can_be_filtered_by_status(
        self, client, organisation, award, viewer, badge_class
    ):
        bounced = award_issue(
            badge_class=badge_class, recipient_email="b@example.org", issued_by=None
        )
        AwardDelivery.objects.filter(award=bounced).update(
            status=DeliveryStatus.BOUNCED, last_error="550 no such user"
        )
        client.force_login(viewer)
        response = client.get(org_url("award-deliveries", organisation), {"status": "bounced"})
        assert [d.award for d in response.context["page"]] == [bounced]
        assert shows(response, "550 no such user")
        assert not shows(response, "Resend")  # a viewer may look, not resend

    def test_an_issuer_resends_an_email(
        self, client, organisation, award, issuer, django_capture_on_commit_callbacks, mailoutbox
    ):
        client.force_login(issuer)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(org_url("award-resend", organisation, public_id=award.public_id))
        assert response.status_code == 302
        assert [m.to for m in mailoutbox] == [["kai@example.org"]]
        assert AwardDelivery.objects.get(award=award).status == DeliveryStatus.SENT


# --- Learners claiming --------------------------------------------------------------------------


class TestClaimPages:
    def test_claim_is_a_reserved_city_slug(self):
        assert "claim" in RESERVED_CITY_SLUGS

    def test_the_poster_url_never_changes(self):
        assert reverse("claim-code", kwargs={"code": "7KQM3XPA"}) == "/claim/7KQM3XPA/"
        assert reverse("claim-enter") == "/claim/"

    @pytest.mark.parametrize("name", ["claim-enter", "claim-code"])
    def test_anonymous_visitors_are_sent_to_sign_in_and_back(self, client, code, name):
        url = reverse(name, kwargs={"code": code.code} if name == "claim-code" else {})
        assert_sent_to_login(client.get(url), url)

    def test_a_learner_claims_by_typing_the_code(self, client, code, learner, badge_class):
        client.force_login(learner)
        assert client.get(reverse("claim-enter")).status_code == 200
        typed = code.display_code.lower().replace("-", " ")
        response = client.post(reverse("claim-enter"), {"code": typed}, follow=True)
        award = Award.objects.get(recipient=learner)
        assert response.redirect_chain[-1][0] == award.get_absolute_url()
        assert award.badge_class == badge_class

    def test_a_mistyped_code_is_explained(self, client, learner):
        client.force_login(learner)
        response = client.post(reverse("claim-enter"), {"code": "0000-OOOO"})
        assert response.status_code == 200
        assert shows(response, errors.CLAIM_CODE_INVALID)

    def test_a_second_claim_is_explained(self, client, code, learner):
        client.force_login(learner)
        client.post(reverse("claim-enter"), {"code": code.code})
        response = client.post(reverse("claim-enter"), {"code": code.code})
        assert shows(response, errors.CLAIM_CODE_ALREADY_CLAIMED)

    def test_the_qr_page_shows_the_badge_and_claims_on_post(self, client, code, learner):
        client.force_login(learner)
        url = reverse("claim-code", kwargs={"code": code.code})
        response = client.get(url)
        assert response.status_code == 200
        assert shows(response, "Claim First Aid")
        assert shows(response, code.display_code)
        assert client.post(url).status_code == 302
        assert Award.objects.filter(recipient=learner).exists()

    def test_the_qr_page_explains_a_used_up_code(self, client, badge_class, learner):
        code = claims.claim_code_create(badge_class=badge_class, created_by=None)
        claims.claim_code_redeem(code=code.code, user=UserFactory())
        client.force_login(learner)
        response = client.post(reverse("claim-code", kwargs={"code": code.code}))
        assert response.status_code == 400
        assert shows(response, errors.CLAIM_CODE_USED_UP)

    def test_an_unknown_qr_code_is_404(self, client, learner):
        client.force_login(learner)
        assert client.get(reverse("claim-code", kwargs={"code": "ZZZZZZZZ"})).status_code == 404

    def test_staff_can_claim_too_but_cannot_make_codes_as_learners(
        self, client, organisation, code, learner
    ):
        client.force_login(learner)
        assert client.post(reverse("claim-enter"), {"code": code.code}).status_code == 302
        assert client.get(org_url("claim-code-create", organisation)).status_code == 404

    def test_a_damaged_email_link_is_404(self, client):
        response = client.get(reverse("claim-award", kwargs={"token": "not-a-token"}))
        assert response.status_code == 404
        assert shows(response, errors.CLAIM_LINK_INVALID)
