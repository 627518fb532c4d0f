"""The claim poster as a printable A4 PDF: what is on it, and who may download it.

``pypdf`` is not installed, so the page's text is read from the content streams themselves
(inflated with zlib): the code and the URL are set in the core Helvetica, so they stand there as
plain PDF strings.
"""

from __future__ import annotations

import datetime
import re
import zlib
from urllib.parse import quote

import pytest
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges import claims, posters
from learningcity.badges.models import BadgeStatus
from learningcity.cities.tests.factories import CityFactory
from learningcity.organisations.models import Role
from learningcity.organisations.tests.factories import MembershipFactory, OrganisationFactory

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


def page_text(pdf: bytes) -> bytes:
    """Every stream of the PDF, inflated where it is compressed."""
    parts = []
    # Each stream is read by its /Length: a compressed stream may itself end in a CR byte (or
    # hold "endstream"), which a search for the end marker would cut off — a 1-in-256 flake.
    for match in re.finditer(rb"/Length (\d+)[^>]*>>\s*stream\r?\n", pdf):
        start = match.end()
        stream = pdf[start : start + int(match.group(1))]
        try:
            parts.append(zlib.decompress(stream))
        except zlib.error:
            parts.append(stream)
    return b"\n".join(parts)


def pdf_string(text: str) -> bytes:
    """``text`` as a PDF literal string operand, as fpdf2 writes it for a core font."""
    escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"({escaped})".encode("latin-1")


@pytest.fixture
def organisation():
    return OrganisationFactory(
        city=CityFactory(slug="brighton"), slug="hove-youth-club", name="Hove Youth Club"
    )


@pytest.fixture
def badge_class(organisation):
    return BadgeClassFactory(
        organisation=organisation, name="First Aid", status=BadgeStatus.PUBLISHED
    )


@pytest.fixture
def code(badge_class):
    return claims.claim_code_create(
        badge_class=badge_class,
        created_by=None,
        max_uses=30,
        expires_at=timezone.now() + datetime.timedelta(days=10),
    )


def member(organisation, role):
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory()).user


def poster_url(organisation, code) -> str:
    return reverse(
        "claim-code-poster-pdf",
        kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug, "code": code},
    )


class TestTheBuilder:
    FIELDS = {
        "badge_name": "Teamwork & Trust",
        "organisation_name": "Hove Youth Club",
        "claim_url": "https://learning.example/claim/ABCDEFGH/",
        "display_code": "ABCD-EFGH",
        "site": "learning.example",
        "expires": "5 December 2026, 18:00",
    }

    def test_it_is_one_a4_page(self):
        pdf = posters.claim_poster_pdf(**self.FIELDS)
        assert pdf.startswith(b"%PDF")
        assert re.search(rb"/Count 1\b", pdf)
        # A4 is 595.28 × 841.89 points.
        assert re.search(rb"/MediaBox ?\[0 0 595\.2\d* 841\.8\d*\]", pdf)

    def test_the_code_url_and_expiry_are_on_the_page_uncompressed(self):
        pdf = posters.claim_poster_pdf(**self.FIELDS, compress=False)
        assert pdf_string("ABCD-EFGH") in pdf
        assert pdf_string("https://learning.example/claim/ABCDEFGH/") in pdf

    def test_the_qr_code_is_drawn_as_vector_squares_not_an_image(self):
        pdf = posters.claim_poster_pdf(**self.FIELDS, compress=False)
        assert b"/Subtype /Image" not in pdf
        # One filled rectangle per run of dark modules: hundreds of them.
        assert len(re.findall(rb" re f\b", pdf)) > 100

    def test_a_name_in_any_script_does_not_break_it(self):
        pdf = posters.claim_poster_pdf(**{**self.FIELDS, "badge_name": "Ŵyth “Gwaith” — 团队 ✓"})
        assert pdf.startswith(b"%PDF")

    def test_without_an_expiry_it_says_nothing_about_one(self):
        pdf = posters.claim_poster_pdf(**{**self.FIELDS, "expires": ""}, compress=False)
        assert pdf_string("ABCD-EFGH") in pdf
        assert b"works until" not in page_text(pdf)


class TestTheDownload:
    def test_an_issuer_gets_a_pdf_with_the_short_code(self, client, settings, organisation, code):
        settings.SITE_URL = "https://learning.example"
        client.force_login(member(organisation, Role.ISSUER))
        response = client.get(poster_url(organisation, code.code))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="claim-poster-{code.code}.pdf"'
        )
        assert response["Cache-Control"] == "private, no-store"
        assert response.content.startswith(b"%PDF")
        text = page_text(response.content)
        assert pdf_string(code.display_code) in text
        assert pdf_string(f"https://learning.example/claim/{code.code}/") in text

    def test_the_builder_is_given_the_badge_organisation_and_expiry(
        self, client, settings, organisation, code, monkeypatch
    ):
        settings.SITE_URL = "https://learning.example"
        settings.TIME_ZONE = "Europe/London"
        seen = {}

        def fake(**fields):
            seen.update(fields)
            return b"%PDF-fake"

        monkeypatch.setattr(posters, "claim_poster_pdf", fake)
        client.force_login(member(organisation, Role.OWNER))
        assert client.get(poster_url(organisation, code.code)).content == b"%PDF-fake"
        local = timezone.localtime(code.expires_at)
        assert seen == {
            "badge_name": "First Aid",
            "organisation_name": "Hove Youth Club",
            "claim_url": f"https://learning.example/claim/{code.code}/",
            "display_code": code.display_code,
            "site": "learning.example",
            "expires": f"{local.day} {local:%B %Y, %H:%M}",
        }

    def test_the_code_list_links_to_both_posters(self, client, organisation, code):
        client.force_login(member(organisation, Role.ISSUER))
        response = client.get(
            reverse(
                "claim-code-list",
                kwargs={"city_slug": organisation.city.slug, "org_slug": organisation.slug},
            )
        )
        page = response.content.decode()
        assert f'href="{poster_url(organisation, code.code)}"' in page
        assert "Download PDF" in page
        assert "(PNG)" in page


class TestAccess:
    def test_anonymous_visitors_are_sent_to_sign_in(self, client, organisation, code):
        url = poster_url(organisation, code.code)
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('account_login')}?next={quote(url)}"

    def test_a_learner_gets_404(self, client, organisation, code):
        client.force_login(UserFactory())
        assert client.get(poster_url(organisation, code.code)).status_code == 404

    def test_staff_of_another_organisation_get_404(self, client, organisation, code):
        client.force_login(member(OrganisationFactory(city=organisation.city), Role.OWNER))
        assert client.get(poster_url(organisation, code.code)).status_code == 404

    def test_a_viewer_gets_403(self, client, organisation, code):
        client.force_login(member(organisation, Role.VIEWER))
        assert client.get(poster_url(organisation, code.code)).status_code == 403

    def test_an_editor_gets_403(self, client, organisation, code):
        client.force_login(member(organisation, Role.EDITOR))
        assert client.get(poster_url(organisation, code.code)).status_code == 403

    def test_another_organisations_code_is_404_here(self, client, organisation):
        other = claims.claim_code_create(badge_class=BadgeClassFactory(), created_by=None)
        client.force_login(member(organisation, Role.ISSUER))
        assert client.get(poster_url(organisation, other.code)).status_code == 404

    def test_it_refuses_writes(self, client, organisation, code):
        client.force_login(member(organisation, Role.ISSUER))
        assert client.post(poster_url(organisation, code.code)).status_code == 405
