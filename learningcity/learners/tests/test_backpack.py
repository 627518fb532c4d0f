"""The backpack pages: what a learner sees of their awards and imported badges, and who may see
them. (Importing itself, with real credentials over HTTP: ``test_backpack_import.py``.)"""

from __future__ import annotations

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from learningcity.accounts.tests.factories import UserFactory
from learningcity.badges.models import Award
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.credentials.verify import Status
from learningcity.learners import selectors
from learningcity.learners.models import Collection, CollectionItem, ImportedBadge, ImportSource

pytestmark = pytest.mark.django_db

BACKPACK = "/me/backpack/"


@pytest.fixture
def learner():
    return UserFactory(email="learner@example.org")


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client


def give(learner, name: str, **kwargs) -> Award:
    return award_issue(
        badge_class=BadgeClassFactory(name=name),
        recipient_email=learner.email,
        issued_by=None,
        notify=False,
        **kwargs,
    )


def imported_badge(owner, **fields) -> ImportedBadge:
    values = {
        "source": ImportSource.TEXT,
        "original": "{}",
        "fingerprint": f"fp-{ImportedBadge.objects.count()}",
        "status": Status.VALID,
        "checked_at": timezone.now(),
        "name": "Bread Baking",
        "issuer_name": "Bristol Bakery School",
        "issued_at": timezone.now() - datetime.timedelta(days=30),
        "skills": [{"name": "Kneading", "url": "", "framework": "Baking", "code": "K1"}],
    }
    values.update(fields)
    return ImportedBadge.objects.create(owner=owner, **values)


def page(response) -> str:
    return response.content.decode()


def urls_of(imported: ImportedBadge) -> dict[str, str]:
    kwargs = {"public_id": imported.public_id}
    return {
        "detail": reverse("backpack-imported", kwargs=kwargs),
        "recheck": reverse("backpack-imported-recheck", kwargs=kwargs),
        "remove": reverse("backpack-imported-remove", kwargs=kwargs),
        "image": reverse("backpack-imported-image", kwargs=kwargs),
    }


def test_the_urls_are_where_the_issue_says():
    assert reverse("backpack") == BACKPACK
    assert reverse("backpack-import") == "/me/backpack/import/"
    assert reverse("backpack-imported", kwargs={"public_id": "abc"}) == (
        "/me/backpack/imported/abc/"
    )


# --- the backpack page -------------------------------------------------------------------------


def test_an_empty_backpack_says_what_to_do(signed_in):
    response = signed_in.get(BACKPACK)
    assert response.status_code == 200
    text = page(response)
    assert text.count("<h1") == 1
    assert "You haven't earned any badges here yet." in text
    assert "Upload the badge image, paste its link, or paste its data" in text
    assert reverse("backpack-import") in text
    assert "learners/learners.css" in text


def test_the_backpack_shows_each_award_with_its_status_and_links(signed_in, learner):
    valid = give(learner, "First Aid")
    revoked = give(learner, "Knots")
    award_revoke(award=revoked, by=None, reason="Awarded by mistake")
    expired = give(
        learner,
        "Lifeguard",
        issued_at=timezone.now() - datetime.timedelta(days=400),
        expires_at=timezone.now() - datetime.timedelta(days=35),
    )
    text = page(signed_in.get(BACKPACK))
    for award in (valid, revoked, expired):
        assert award.badge_class.name in text
        assert award.badge_class.organisation.name in text
        for name in ("award-page", "award-ob3", "award-png"):
            assert reverse(name, kwargs={"public_id": award.public_id}) in text
        image = reverse("badge-class-image-png", kwargs={"public_id": award.badge_class.public_id})
        assert image in text
    assert ">Valid<" in text
    assert ">Revoked<" in text
    assert "Reason: Awarded by mistake" in text
    assert ">Expired<" in text
    # "Add to LinkedIn" only for the valid one, filled in from it.
    assert text.count("Add to LinkedIn") == 1
    start = text.index("https://www.linkedin.com/profile/add?")
    link = text[start : text.index('"', start)].replace("&amp;", "&")
    params = parse_qs(urlsplit(link).query)
    assert params["name"] == ["First Aid"]
    assert params["certId"] == [valid.public_id]


def test_a_replaced_award_says_so(signed_in, learner):
    badge_class = BadgeClassFactory(name="Lifeguard")
    old = award_issue(
        badge_class=badge_class,
        recipient_email=learner.email,
        issued_by=None,
        notify=False,
        issued_at=timezone.now() - datetime.timedelta(days=400),
        expires_at=timezone.now() - datetime.timedelta(days=35),
    )
    award_issue(
        badge_class=badge_class, recipient_email=learner.email, issued_by=None, notify=False
    )
    old.refresh_from_db()
    assert old.replaced_at is not None
    text = page(signed_in.get(BACKPACK))
    assert "Replaced by a newer award" in text
    assert text.count("Add to LinkedIn") == 1


def test_the_backpack_shows_imported_badges_with_their_status_in_words(signed_in, learner):
    good = imported_badge(learner, name="Bread Baking")
    gone = imported_badge(learner, name="Cake Decorating", status=Status.REVOKED)
    unsure = imported_badge(learner, name="Pastry", status=Status.STATUS_UNKNOWN)
    text = page(signed_in.get(BACKPACK))
    for imported in (good, gone, unsure):
        assert imported.name in text
        assert urls_of(imported)["recheck"] in text
        assert urls_of(imported)["remove"] in text
    assert "Bristol Bakery School" in text
    assert selectors.STATUS_WORDS[Status.VALID] in text
    assert selectors.STATUS_WORDS[Status.REVOKED] in text
    assert escape(selectors.STATUS_WORDS[Status.STATUS_UNKNOWN]) in text
    assert "Last checked" in text
    assert "Check again" in text


def test_the_backpack_shows_only_the_learners_own_things(signed_in, learner):
    other = UserFactory(email="other@example.org")
    give(other, "Someone Else's Award")
    imported_badge(other, name="Someone Else's Import")
    text = page(signed_in.get(BACKPACK))
    assert escape("Someone Else's Award") not in text
    assert escape("Someone Else's Import") not in text
    assert list(selectors.backpack_imported(user=learner)) == []
    assert list(selectors.backpack_awards(user=learner)) == []


# --- an imported badge's page ------------------------------------------------------------------


def test_an_imported_badge_page_shows_what_it_says_and_the_reasons(signed_in, learner):
    imported = imported_badge(
        learner,
        status=Status.EXPIRED,
        reasons=["The badge expired on 1 March 2026."],
        description="Baked six kinds of bread.",
        criteria="Passed the practical.",
        level="Develop",
    )
    response = signed_in.get(urls_of(imported)["detail"])
    assert response.status_code == 200
    text = page(response)
    assert text.count("<h1") == 1
    assert "<h1>Bread Baking</h1>" in text
    assert "Expired" in text
    assert "The badge expired on 1 March 2026." in text
    assert "Baked six kinds of bread." in text
    assert "Passed the practical." in text
    assert "Kneading" in text
    assert "Develop" in text


def test_removing_asks_first_then_removes_it_and_its_collection_places(signed_in, learner):
    imported = imported_badge(learner)
    collection = Collection.objects.create(owner=learner, name="Cooking")
    CollectionItem.objects.create(collection=collection, imported=imported)
    confirm = signed_in.get(urls_of(imported)["remove"])
    assert confirm.status_code == 200
    assert ImportedBadge.objects.filter(pk=imported.pk).exists()
    response = signed_in.post(urls_of(imported)["remove"], follow=True)
    assert response.redirect_chain[-1][0] == BACKPACK
    assert not ImportedBadge.objects.filter(pk=imported.pk).exists()
    assert not CollectionItem.objects.filter(collection=collection).exists()
    assert escape(errors.BACKPACK_REMOVED.format(name="Bread Baking")) in page(response)


def test_the_import_page_offers_three_ways(signed_in):
    response = signed_in.get(reverse("backpack-import"))
    assert response.status_code == 200
    text = page(response)
    assert text.count("<h1") == 1
    assert 'enctype="multipart/form-data"' in text
    for name in ('name="file"', 'name="link"', 'name="credential"'):
        assert name in text
    for way in ("file", "link", "text"):
        assert f'name="way" value="{way}"' in text


def test_an_empty_form_asks_for_something(signed_in):
    response = signed_in.post(reverse("backpack-import"), {"way": "text", "credential": ""})
    assert response.status_code == 200
    assert escape(errors.BACKPACK_NOTHING_GIVEN) in page(response)


def test_too_many_checks_in_a_minute_are_refused(signed_in, settings):
    settings.VERIFICATION_CHECKS_PER_MINUTE = 0
    response = signed_in.post(
        reverse("backpack-import"), {"way": "text", "credential": '{"id": "x"}'}
    )
    assert response.status_code == 429
    assert escape(errors.BACKPACK_TOO_MANY_CHECKS) in page(response)
    assert not ImportedBadge.objects.exists()


def test_an_unknown_way_is_not_found(signed_in):
    assert signed_in.post(reverse("backpack-import"), {"way": "fax"}).status_code == 404


# --- access ------------------------------------------------------------------------------------


def test_every_page_sends_someone_signed_out_to_sign_in(client, learner):
    imported = imported_badge(learner)
    pages = [BACKPACK, reverse("backpack-import"), *urls_of(imported).values()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("account_login")), url
    response = client.post(urls_of(imported)["recheck"])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    response = client.post(urls_of(imported)["remove"])
    assert response["Location"].startswith(reverse("account_login"))
    assert ImportedBadge.objects.filter(pk=imported.pk).exists()


def test_another_learners_imported_badge_is_not_found(client, learner):
    imported = imported_badge(learner)
    client.force_login(UserFactory(email="nosy@example.org"))
    urls = urls_of(imported)
    assert client.get(urls["detail"]).status_code == 404
    assert client.get(urls["remove"]).status_code == 404
    assert client.get(urls["image"]).status_code == 404
    assert client.post(urls["recheck"]).status_code == 404
    assert client.post(urls["remove"]).status_code == 404
    imported.refresh_from_db()
    assert imported.status == Status.VALID
    assert ImportedBadge.objects.filter(pk=imported.pk).exists()


def test_an_unknown_imported_badge_is_not_found(signed_in):
    assert signed_in.get("/me/backpack/imported/nosuchbadge/").status_code == 404
