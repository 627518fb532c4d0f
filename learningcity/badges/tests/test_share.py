"""Share buttons on the public badge-class and award pages: plain links to the networks with the
page's URL encoded in them, our own script for "Copy link", and LinkedIn's "Add to profile" only
for the award's own learner."""

from __future__ import annotations

import datetime
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.services import award_issue, award_revoke

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db

SITE = "https://learning.example"
NETWORKS = {
    "Share on LinkedIn": ("www.linkedin.com", "/sharing/share-offsite/", "url"),
    "Share on X (Twitter)": ("twitter.com", "/intent/tweet", "url"),
    "Share on Facebook": ("www.facebook.com", "/sharer/sharer.php", "u"),
}


@pytest.fixture(autouse=True)
def site_url():
    with override_settings(SITE_URL=SITE):
        yield


class Links(HTMLParser):
    """Every <a> of a page, with its attributes and its text (its accessible name)."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.scripts: list[str] = []
        self._open: dict[str, str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open = {**{k: v or "" for k, v in attrs}, "text": ""}
            self.links.append(self._open)
        if tag == "script":
            self.scripts.append(dict(attrs).get("src") or "inline")

    def handle_data(self, data):
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._open = None


def links_of(response) -> Links:
    parser = Links()
    parser.feed(response.content.decode())
    return parser


def link(parser: Links, starts: str) -> dict[str, str]:
    found = [item for item in parser.links if item.get("href", "").startswith(starts)]
    assert len(found) == 1, [item.get("href") for item in parser.links]
    return found[0]


@pytest.fixture
def badge_class():
    return BadgeClassFactory(
        name="Teamwork & Trust",
        organisation__name="Hove Youth Club",
        status="published",
    )


@pytest.fixture
def learner():
    return UserFactory(email="sam@example.org")


@pytest.fixture
def award(badge_class, learner):
    return award_issue(
        badge_class=badge_class,
        recipient_email="sam@example.org",
        recipient_name="Sam",
        issued_by=None,
        issued_at=datetime.datetime(2026, 3, 14, 10, 0, tzinfo=datetime.UTC),
        expires_at=datetime.datetime(2028, 3, 14, 10, 0, tzinfo=datetime.UTC),
    )


def assert_share_links(parser: Links, page_url: str) -> None:
    for label, (host, path, key) in NETWORKS.items():
        item = link(parser, f"https://{host}{path}")
        assert item["text"].strip().startswith(label)
        assert item["rel"] == "noopener noreferrer"
        assert item["target"] == "_blank"
        assert parse_qs(urlsplit(item["href"]).query)[key] == [page_url]
    whatsapp = link(parser, "https://wa.me/")
    assert whatsapp["rel"] == "noopener noreferrer"
    assert parse_qs(urlsplit(whatsapp["href"]).query)["text"][0].endswith(" " + page_url)
    email = link(parser, "mailto:")
    assert email["text"].strip() == "Share by email"
    assert email["rel"] == "noopener noreferrer"
    # RFC 6068: spaces are %20 in a mailto: URI, never "+".
    assert "+" not in email["href"]
    assert page_url in parse_qs(urlsplit(email["href"]).query)["body"][0]


class TestBadgeClassPage:
    def test_it_has_share_links_with_the_page_url_encoded(self, client, badge_class):
        response = client.get(
            reverse("badge-class-page", kwargs={"public_id": badge_class.public_id})
        )
        page_url = f"{SITE}/badge-classes/{badge_class.public_id}/"
        parser = links_of(response)
        assert_share_links(parser, page_url)
        encoded = "url=https%3A%2F%2Flearning.example%2Fbadge-classes%2F"
        assert encoded in link(parser, "https://www.linkedin.com/sharing/")["href"]
        assert not [item for item in parser.links if "profile/add" in item.get("href", "")]

    def test_copy_link_is_our_own_script_with_a_read_only_field_to_fall_back_on(
        self, client, badge_class
    ):
        response = client.get(
            reverse("badge-class-page", kwargs={"public_id": badge_class.public_id})
        )
        page = response.content.decode()
        page_url = f"{SITE}/badge-classes/{badge_class.public_id}/"
        assert f'value="{page_url}" readonly' in page
        assert "data-share-copy hidden>Copy link</button>" in page
        assert "data-share-native hidden>" in page
        scripts = links_of(response).scripts
        assert scripts == ["/static/js/share.js"]


class TestAwardPage:
    def url(self, award) -> str:
        return reverse("award-page", kwargs={"public_id": award.public_id})

    def test_it_has_share_links_with_the_award_url_encoded(self, client, award):
        parser = links_of(client.get(self.url(award)))
        assert_share_links(parser, f"{SITE}/awards/{award.public_id}/")

    def test_the_learner_signed_in_gets_linkedin_add_to_profile(self, client, award, learner):
        client.force_login(learner)
        parser = links_of(client.get(self.url(award)))
        item = link(parser, "https://www.linkedin.com/profile/add?")
        assert item["rel"] == "noopener noreferrer"
        assert item["text"].strip().startswith("Add to your LinkedIn profile")
        query = parse_qs(urlsplit(item["href"]).query)
        assert query == {
            "startTask": ["CERTIFICATION_NAME"],
            "name": ["Teamwork & Trust"],
            "organizationName": ["Hove Youth Club"],
            "issueYear": ["2026"],
            "issueMonth": ["3"],
            "expirationYear": ["2028"],
            "expirationMonth": ["3"],
            "certUrl": [f"{SITE}/awards/{award.public_id}/"],
            "certId": [award.public_id],
        }
        assert "name=Teamwork%20%26%20Trust" in item["href"]

    @pytest.mark.parametrize("who", ["anonymous", "someone else", "staff"])
    def test_nobody_else_gets_add_to_profile(self, client, award, who):
        if who == "someone else":
            client.force_login(UserFactory())
        if who == "staff":
            client.force_login(UserFactory(is_superuser=True, is_staff=True))
        response = client.get(self.url(award))
        assert response.status_code == 200
        assert b"linkedin.com/profile/add" not in response.content
        assert b"linkedin.com/sharing/share-offsite" in response.content

    def test_the_recipient_of_an_award_without_an_account_yet_has_no_add_to_profile(
        self, client, badge_class
    ):
        award = award_issue(
            badge_class=badge_class, recipient_email="new@example.org", issued_by=None
        )
        assert award.recipient is None
        client.force_login(UserFactory())
        assert b"profile/add" not in client.get(self.url(award)).content

    def test_a_revoked_award_offers_no_sharing(self, client, award, learner):
        award_revoke(award=award, by=None, reason="Issued by mistake.")
        client.force_login(learner)
        response = client.get(self.url(award))
        assert response.status_code == 200
        assert b"Share it" not in response.content
        assert b"linkedin.com" not in response.content

    def test_an_award_without_expiry_has_no_expiration_in_the_link(
        self, client, badge_class, learner
    ):
        badge_class.expiry_months = None
        badge_class.save()
        award = award_issue(
            badge_class=BadgeClassFactory(organisation=badge_class.organisation),
            recipient_email="sam@example.org",
            issued_by=None,
            issued_at=timezone.now(),
        )
        client.force_login(learner)
        item = link(links_of(client.get(self.url(award))), "https://www.linkedin.com/profile/add?")
        assert "expirationYear" not in item["href"]
