"""The checker accepts every badge this platform issues, in every format it publishes.

The issuer's documents are served by this site itself: :class:`SiteFetcher` answers the
checker's fetches with Django's test client (a fake of the network, not of the site).
"""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.credentials.fetch import FetchError, FetchResult
from learningcity.credentials.verify import Container, Format, Status, verify

pytestmark = pytest.mark.django_db

SITE = "http://testserver"


class SiteFetcher:
    """Fetches ``http(s)://testserver/…`` from this site through the test client. (The site's
    issuers are ``did:web:testserver:…``, which did:web resolves over https.)"""

    def __init__(self) -> None:
        self.client = Client()
        self.requested: list[str] = []

    def get(self, url: str, *, accept: str) -> FetchResult:
        self.requested.append(url)
        path = url.removeprefix(SITE).removeprefix("https://testserver")
        if not path.startswith("/"):
            raise FetchError(f"{url} is not on this site.")
        response = self.client.get(path, HTTP_ACCEPT=accept)
        content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
        return FetchResult(
            url=url, status=response.status_code, content_type=content_type, body=response.content
        )


@pytest.fixture(autouse=True)
def site_url():
    with override_settings(SITE_URL=SITE):
        yield


@pytest.fixture
def award():
    return award_issue(
        badge_class=BadgeClassFactory(name="Teamwork"),
        recipient_email="sam@example.org",
        recipient_name="Sam",
        issued_by=None,
    )


def check(source: bytes | str) -> object:
    return verify(source, fetcher=SiteFetcher(), now=timezone.now())


def document(name: str, award) -> bytes:
    return Client().get(reverse(name, kwargs={"public_id": award.public_id})).content


@pytest.mark.parametrize(
    ("name", "format", "container"),
    [
        ("award-ob3", Format.OB3_DATA_INTEGRITY, Container.JSON),
        ("award-jwt", Format.OB3_VC_JWT, Container.JWT),
        ("award-ob2", Format.OB2_HOSTED, Container.JSON),
        ("award-png", Format.OB3_DATA_INTEGRITY, Container.PNG),
        ("award-svg", Format.OB3_DATA_INTEGRITY, Container.SVG),
        ("award-ob2-png", Format.OB2_HOSTED, Container.PNG),
        ("award-ob2-svg", Format.OB2_HOSTED, Container.SVG),
    ],
)
def test_every_published_form_of_an_award_is_valid(award, name, format, container):
    verdict = check(document(name, award))
    assert verdict.status is Status.VALID, verdict.reasons
    assert (verdict.format, verdict.container) == (format, container)
    assert verdict.summary["name"] == "Teamwork"


def test_the_award_page_link_is_valid(award):
    verdict = check(SITE + reverse("award-page", kwargs={"public_id": award.public_id}))
    assert verdict.status is Status.VALID, verdict.reasons
    assert verdict.container is Container.URL


@pytest.mark.parametrize("name", ["award-ob3", "award-jwt", "award-ob2", "award-png"])
def test_a_revoked_award_is_revoked_in_every_form(award, name):
    before = document(name, award)
    award_revoke(award=award, by=None, reason="Issued to the wrong person")
    verdict = check(before)
    assert verdict.status is Status.REVOKED, verdict.reasons
