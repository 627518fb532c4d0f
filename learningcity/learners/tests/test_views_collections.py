"""The learner's collection pages, per-badge sharing, portfolio settings and the public shared
pages: what they show, what they change, and that nobody reaches another learner's things."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.learners import sharing
from learningcity.learners.models import AwardChoice, Collection, CollectionItem, ImportedBadge

pytestmark = pytest.mark.django_db

NOINDEX = '<meta name="robots" content="noindex">'
SITE = "https://learning.example"


@pytest.fixture(autouse=True)
def site_url():
    with override_settings(SITE_URL=SITE):
        yield


def learner(age: int = 20, **user):
    return LearnerProfileFactory(age=age, **{f"user__{k}": v for k, v in user.items()}).user


def award_for(user, **badge):
    badge_class = BadgeClassFactory(status="published", **badge)
    return award_issue(
        badge_class=badge_class, recipient_email=user.email, issued_by=None, notify=False
    )


def imported_for(user, name: str = "First Aid", **fields) -> ImportedBadge:
    return ImportedBadge.objects.create(
        owner=user,
        source="text",
        fingerprint=f"{user.pk}-{name}",
        status=fields.pop("status", "valid"),
        checked_at=timezone.now(),
        name=name,
        issuer_name=fields.pop("issuer_name", "St John Ambulance"),
        **fields,
    )


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def owner(client):
    user = learner(age=30, display_name="Priya Shah")
    client.force_login(user)
    return user


# --- The learner's own pages --------------------------------------------------------------------


def test_signed_out_people_are_sent_to_sign_in(client):
    for name in ("collections", "portfolio-settings"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


def test_the_list_shows_my_collections_in_order(client, owner):
    sharing.collection_create(owner=owner, name="Sport")
    sharing.collection_create(owner=owner, name="Art")
    sharing.collection_create(owner=learner(), name="Not mine")
    page = text(client.get(reverse("collections")))
    assert page.index("Sport") < page.index("Art")
    assert "Not mine" not in page
    assert page.count("<h1") == 1


def test_making_a_collection(client, owner):
    response = client.post(
        reverse("collection-create"), {"name": "For college", "description": "My best"}
    )
    collection = Collection.objects.get(owner=owner)
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "collection-edit", kwargs={"public_id": collection.public_id}
    )
    assert (collection.name, collection.description) == ("For college", "My best")
    # The box was unticked: that is the learner's choice, whatever the default.
    assert collection.is_shared is False


def test_the_new_collection_form_is_ticked_to_share_for_adults_only(client, owner):
    page = text(client.get(reverse("collections")))
    assert 'id="id_is_shared" checked' in page
    teen = learner(age=16)
    client.force_login(teen)
    page = text(client.get(reverse("collections")))
    assert 'id="id_is_shared" checked' not in page
    assert 'id="id_is_shared"' in page


def test_a_duplicate_name_is_shown_on_the_form(client, owner):
    sharing.collection_create(owner=owner, name="Sport")
    response = client.post(reverse("collection-create"), {"name": "SPORT"})
    assert response.status_code == 200
    assert errors.COLLECTION_NAME_TAKEN.format(name="SPORT") in text(response).replace(
        "&#x27;", "'"
    ).replace("&quot;", '"')
    assert Collection.objects.filter(owner=owner).count() == 1


def test_editing_a_collection_and_sharing_it_shows_the_link(client, owner):
    collection = sharing.collection_create(owner=owner, name="Sport", is_shared=False)
    url = reverse("collection-edit", kwargs={"public_id": collection.public_id})
    assert "data-share-url" not in text(client.get(url))
    response = client.post(url, {"name": "Sport and fitness", "description": "", "is_shared": "on"})
    assert response.status_code == 302
    collection.refresh_from_db()
    assert (collection.name, collection.is_shared) == ("Sport and fitness", True)
    page = text(client.get(url))
    shared_url = SITE + reverse("collection-shared", kwargs={"public_id": collection.public_id})
    assert f'data-share-url="{shared_url}"' in page
    assert "data-share-copy" in page


def test_a_child_without_consent_is_told_why_sharing_was_refused(client):
    child = learner(age=11)
    GuardianConsentFactory(child=child)
    client.force_login(child)
    collection = sharing.collection_create(owner=child, name="Art")
    response = client.post(
        reverse("collection-edit", kwargs={"public_id": collection.public_id}),
        {"name": "Art", "is_shared": "on"},
    )
    assert response.status_code == 200
    assert "once your parent or carer has said yes" in text(response)
    collection.refresh_from_db()
    assert collection.is_shared is False


def test_reordering_collections(client, owner):
    _a, b = (sharing.collection_create(owner=owner, name=n) for n in ("A", "B"))
    response = client.post(
        reverse("collection-move", kwargs={"public_id": b.public_id}), {"direction": "up"}
    )
    assert response.status_code == 302
    assert list(Collection.objects.filter(owner=owner).values_list("name", flat=True)) == [
        "B",
        "A",
    ]
    client.post(
        reverse("collection-move", kwargs={"public_id": b.public_id}), {"direction": "down"}
    )
    assert list(Collection.objects.filter(owner=owner).values_list("name", flat=True)) == [
        "A",
        "B",
    ]


def test_adding_removing_and_reordering_badges(client, owner):
    first = award_for(owner, name="Teamwork")
    imported = imported_for(owner, name="First Aid")
    collection = sharing.collection_create(owner=owner, name="Sport")
    edit = reverse("collection-edit", kwargs={"public_id": collection.public_id})
    page = text(client.get(edit))
    assert f'value="award:{first.public_id}"' in page
    assert f'value="imported:{imported.public_id}"' in page

    add = reverse("collection-item-add", kwargs={"public_id": collection.public_id})
    client.post(add, {"badge": f"award:{first.public_id}"})
    client.post(add, {"badge": f"imported:{imported.public_id}"})
    items = list(collection.items.all())
    assert [(i.award, i.imported) for i in items] == [(first, None), (None, imported)]
    # Once in, a badge is no longer offered.
    assert f'value="award:{first.public_id}"' not in text(client.get(edit))

    move = reverse(
        "collection-item-move", kwargs={"public_id": collection.public_id, "item_id": items[1].pk}
    )
    client.post(move, {"direction": "up"})
    assert list(collection.items.all()) == [items[1], items[0]]

    remove = reverse(
        "collection-item-remove",
        kwargs={"public_id": collection.public_id, "item_id": items[0].pk},
    )
    assert client.post(remove).status_code == 302
    assert list(collection.items.all()) == [items[1]]


def test_adding_the_same_badge_twice_says_so(client, owner):
    award = award_for(owner, name="Teamwork")
    collection = sharing.collection_create(owner=owner, name="Sport")
    sharing.collection_item_add(collection=collection, award=award)
    add = reverse("collection-item-add", kwargs={"public_id": collection.public_id})
    response = client.post(add, {"badge": f"award:{award.public_id}"}, follow=True)
    assert "is already in this collection" in text(response)
    assert collection.items.count() == 1


def test_deleting_a_collection_asks_first(client, owner):
    collection = sharing.collection_create(owner=owner, name="Sport")
    url = reverse("collection-delete", kwargs={"public_id": collection.public_id})
    assert "Delete “Sport”?" in text(client.get(url))
    assert Collection.objects.filter(pk=collection.pk).exists()
    assert client.post(url)["Location"] == reverse("collections")
    assert not Collection.objects.filter(pk=collection.pk).exists()


def test_badge_sharing_choices_are_saved_from_the_small_form(client, owner):
    award = award_for(owner)
    imported = imported_for(owner)
    page = text(client.get(reverse("portfolio-settings")))
    assert reverse("award-sharing", kwargs={"award_public_id": award.public_id}) in page
    assert reverse("imported-sharing", kwargs={"imported_public_id": imported.public_id}) in page

    response = client.post(
        reverse("award-sharing", kwargs={"award_public_id": award.public_id}),
        {"is_shared": "on", "next": reverse("collections")},
    )
    assert response["Location"] == reverse("collections")
    choice = AwardChoice.objects.get(award=award)
    assert (choice.is_shared, choice.on_portfolio) == (True, False)

    client.post(
        reverse("imported-sharing", kwargs={"imported_public_id": imported.public_id}),
        {"is_shared": "on", "on_portfolio": "on", "next": "https://elsewhere.example/"},
    )
    imported.refresh_from_db()
    assert (imported.is_shared, imported.on_portfolio) == (True, True)


def test_turning_the_portfolio_on_shows_its_link(client, owner):
    url = reverse("portfolio-settings")
    assert client.post(url, {"profile_public": "on"}).status_code == 302
    owner.learner_profile.refresh_from_db()
    assert owner.learner_profile.profile_public is True
    portfolio_url = SITE + reverse("portfolio", kwargs={"user_public_id": owner.public_id})
    assert f'data-share-url="{portfolio_url}"' in text(client.get(url))
    client.post(url, {})
    owner.learner_profile.refresh_from_db()
    assert owner.learner_profile.profile_public is False


def test_a_child_without_consent_cannot_turn_on_the_portfolio(client):
    child = learner(age=11)
    GuardianConsentFactory(child=child)
    client.force_login(child)
    response = client.post(reverse("portfolio-settings"), {"profile_public": "on"})
    assert response.status_code == 200
    assert "once your parent or carer has said yes" in text(response)
    child.learner_profile.refresh_from_db()
    assert child.learner_profile.profile_public is False


# --- Another learner gets nowhere ---------------------------------------------------------------


def test_another_learner_gets_404_on_every_private_collection_url(client, owner):
    award = award_for(owner)
    imported = imported_for(owner)
    collection = sharing.collection_create(owner=owner, name="Sport", is_shared=True)
    item = sharing.collection_item_add(collection=collection, award=award)
    client.force_login(learner())
    pid = collection.public_id
    gets = [
        reverse("collection-edit", kwargs={"public_id": pid}),
        reverse("collection-delete", kwargs={"public_id": pid}),
    ]
    posts = [
        (reverse("collection-edit", kwargs={"public_id": pid}), {"name": "Taken"}),
        (reverse("collection-delete", kwargs={"public_id": pid}), {}),
        (reverse("collection-move", kwargs={"public_id": pid}), {"direction": "up"}),
        (
            reverse("collection-item-add", kwargs={"public_id": pid}),
            {"badge": f"award:{award.public_id}"},
        ),
        (reverse("collection-item-remove", kwargs={"public_id": pid, "item_id": item.pk}), {}),
        (
            reverse("collection-item-move", kwargs={"public_id": pid, "item_id": item.pk}),
            {"direction": "down"},
        ),
        (
            reverse("award-sharing", kwargs={"award_public_id": award.public_id}),
            {"is_shared": "on"},
        ),
        (
            reverse("imported-sharing", kwargs={"imported_public_id": imported.public_id}),
            {"is_shared": "on"},
        ),
    ]
    for url in gets:
        assert client.get(url).status_code == 404, url
    for url, data in posts:
        assert client.post(url, data).status_code == 404, url
    collection.refresh_from_db()
    assert collection.name == "Sport"
    assert CollectionItem.objects.filter(pk=item.pk).exists()
    assert not AwardChoice.objects.exists()
    imported.refresh_from_db()
    assert imported.is_shared is False


def test_i_cannot_put_someone_elses_badge_in_my_collection(client, owner):
    other = learner()
    theirs = award_for(other)
    their_import = imported_for(other)
    mine = sharing.collection_create(owner=owner, name="Sport")
    add = reverse("collection-item-add", kwargs={"public_id": mine.public_id})
    assert client.post(add, {"badge": f"award:{theirs.public_id}"}).status_code == 404
    assert client.post(add, {"badge": f"imported:{their_import.public_id}"}).status_code == 404
    assert not mine.items.exists()
    # And someone else's badge is not even offered.
    page = text(client.get(reverse("collection-edit", kwargs={"public_id": mine.public_id})))
    assert theirs.public_id not in page


# --- Public pages -------------------------------------------------------------------------------


def test_a_shared_collection_shows_its_badges_in_order(client):
    owner = learner(age=30, display_name="Priya Shah")
    teamwork = award_for(owner, name="Teamwork", organisation__name="Hove Youth Club")
    imported = imported_for(owner, name="First Aid", issuer_name="St John Ambulance")
    revoked = award_for(owner, name="Withdrawn")
    collection = sharing.collection_create(
        owner=owner, name="For college", description="My best work", is_shared=True
    )
    for badge in ({"imported": imported}, {"award": teamwork}, {"award": revoked}):
        sharing.collection_item_add(collection=collection, **badge)
    award_revoke(award=revoked, by=None, reason="Issued by mistake")

    response = client.get(reverse("collection-shared", kwargs={"public_id": collection.public_id}))
    assert response.status_code == 200
    page = text(response)
    assert "For college" in page and "My best work" in page and "Priya Shah" in page
    assert owner.email not in page
    assert page.index("First Aid") < page.index("Teamwork")
    assert "Hove Youth Club" in page and "St John Ambulance" in page
    assert teamwork.get_absolute_url() in page
    assert "Valid" in page
    # Revoked awards are left out of public pages.
    assert "Withdrawn" not in page
    assert NOINDEX not in page  # an adult's page may be indexed


def test_a_collection_that_is_not_shared_is_404(client):
    owner = learner(age=30)
    collection = sharing.collection_create(owner=owner, name="Private", is_shared=False)
    url = reverse("collection-shared", kwargs={"public_id": collection.public_id})
    assert client.get(url).status_code == 404
    client.force_login(learner())
    assert client.get(url).status_code == 404
    assert (
        client.get(reverse("collection-shared", kwargs={"public_id": "x" * 20})).status_code == 404
    )


def test_a_childs_shared_collection_is_not_indexed_and_hidden_while_consent_is_pending(client):
    teen = learner(age=15)
    collection = sharing.collection_create(owner=teen, name="Drama", is_shared=True)
    url = reverse("collection-shared", kwargs={"public_id": collection.public_id})
    response = client.get(url)
    assert response.status_code == 200
    assert NOINDEX in text(response)
    # An under-13 whose guardian has not said yes shares nothing, whatever the row says.
    child = learner(age=11)
    GuardianConsentFactory(child=child)
    hidden = Collection.objects.create(owner=child, name="Art", is_shared=True)
    assert (
        client.get(reverse("collection-shared", kwargs={"public_id": hidden.public_id})).status_code
        == 404
    )


def test_a_shared_imported_badge_page(client):
    owner = learner(age=16, display_name="Sam")
    imported = imported_for(owner, name="Lifeguard", issuer_name="Swim England")
    url = reverse("imported-shared", kwargs={"imported_public_id": imported.public_id})
    assert client.get(url).status_code == 404
    sharing.imported_badge_choice_set(imported=imported, is_shared=True)
    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Lifeguard" in page and "Swim England" in page and "Valid" in page
    assert "Last checked" in page
    assert NOINDEX in page


def test_the_portfolio_is_404_until_turned_on_and_shows_only_chosen_badges(client):
    owner = learner(age=30, display_name="Priya Shah")
    shown = award_for(owner, name="Teamwork")
    hidden = award_for(owner, name="Cooking")
    sharing.award_choice_set(award=hidden, owner=owner, on_portfolio=False)
    kept_private = imported_for(owner, name="Secret import")
    chosen_import = imported_for(owner, name="First Aid")
    sharing.imported_badge_choice_set(imported=chosen_import, on_portfolio=True)
    shared = sharing.collection_create(owner=owner, name="Shared set", is_shared=True)
    sharing.collection_create(owner=owner, name="Private set", is_shared=False)

    url = reverse("portfolio", kwargs={"user_public_id": owner.public_id})
    assert client.get(url).status_code == 404
    sharing.portfolio_visibility_set(user=owner, public=True)
    response = client.get(url)
    assert response.status_code == 200
    page = text(response)
    assert "Priya Shah" in page
    assert shown.badge_class.name in page and "First Aid" in page
    assert "Cooking" not in page and kept_private.name not in page
    assert reverse("collection-shared", kwargs={"public_id": shared.public_id}) in page
    assert "Private set" not in page
    assert owner.email not in page


def test_a_revoked_award_never_shows_on_the_portfolio(client):
    owner = learner(age=30)
    award = award_for(owner, name="Withdrawn")
    sharing.portfolio_visibility_set(user=owner, public=True)
    url = reverse("portfolio", kwargs={"user_public_id": owner.public_id})
    assert "Withdrawn" in text(client.get(url))
    award_revoke(award=award, by=None, reason="Issued by mistake")
    assert "Withdrawn" not in text(client.get(url))


def test_a_teenagers_portfolio_is_not_indexed(client):
    teen = learner(age=17)
    sharing.portfolio_visibility_set(user=teen, public=True)
    response = client.get(reverse("portfolio", kwargs={"user_public_id": teen.public_id}))
    assert response.status_code == 200
    assert NOINDEX in text(response)


def test_no_portfolio_for_an_account_without_a_profile(client):
    user = UserFactory()
    assert (
        client.get(reverse("portfolio", kwargs={"user_public_id": user.public_id})).status_code
        == 404
    )
