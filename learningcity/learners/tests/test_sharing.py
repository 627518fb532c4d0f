"""Sharing services: age defaults, the guardian-consent rule, collections and their order, and
only a learner's own live badges going into their collections."""

from __future__ import annotations

import pytest
from django.utils import timezone

from learningcity.accounts.tests.factories import (
    GuardianConsentFactory,
    LearnerProfileFactory,
    UserFactory,
)
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.learners import sharing
from learningcity.learners.models import AwardChoice, Collection, CollectionItem, ImportedBadge
from learningcity.learners.selectors import (
    collection_addable_badges,
    portfolio_badges_for,
    sharing_badges_for,
)

pytestmark = pytest.mark.django_db


def learner(age: int = 20):
    return LearnerProfileFactory(age=age).user


def award_for(user, **badge):
    badge_class = BadgeClassFactory(status="published", **badge)
    return award_issue(
        badge_class=badge_class, recipient_email=user.email, issued_by=None, notify=False
    )


def imported_for(user, name: str = "First Aid", status: str = "valid") -> ImportedBadge:
    return ImportedBadge.objects.create(
        owner=user,
        source="text",
        fingerprint=f"{user.pk}-{name}",
        status=status,
        checked_at=timezone.now(),
        name=name,
        issuer_name="St John Ambulance",
    )


def child_without_consent():
    user = learner(age=11)
    GuardianConsentFactory(child=user)  # asked, not yet confirmed
    return user


# --- Defaults by age ----------------------------------------------------------------------------


def test_adults_share_by_default_and_under_18s_do_not():
    assert sharing.sharing_default_for(user=learner(age=30)) is True
    assert sharing.sharing_default_for(user=learner(age=18)) is True
    assert sharing.sharing_default_for(user=learner(age=17)) is False
    assert sharing.sharing_default_for(user=learner(age=12)) is False


def test_an_account_without_a_learner_profile_does_not_share_by_default():
    assert sharing.sharing_default_for(user=UserFactory()) is False


def test_a_16_year_olds_new_collection_is_private_and_an_adults_is_shared():
    teen = sharing.collection_create(owner=learner(age=16), name="Sport")
    adult = sharing.collection_create(owner=learner(age=30), name="Sport")
    assert teen.is_shared is False
    assert adult.is_shared is True


def test_an_award_with_no_choice_follows_the_age_default():
    adult, teen = learner(age=30), learner(age=16)
    award_for(adult)
    award_for(teen)
    [adult_badge] = sharing_badges_for(user=adult)
    [teen_badge] = sharing_badges_for(user=teen)
    assert (adult_badge.is_shared, adult_badge.on_portfolio) == (True, True)
    assert (teen_badge.is_shared, teen_badge.on_portfolio) == (False, False)
    assert not AwardChoice.objects.exists()


# --- The guardian-consent rule ------------------------------------------------------------------


def test_a_child_without_guardian_consent_cannot_share_a_collection():
    child = child_without_consent()
    collection = sharing.collection_create(owner=child, name="Art")
    assert collection.is_shared is False
    with pytest.raises(ServiceError) as refused:
        sharing.collection_update(collection=collection, name="Art", description="", is_shared=True)
    assert refused.value.message == errors.SHARING_NEEDS_GUARDIAN_CONSENT
    with pytest.raises(ServiceError) as refused:
        sharing.collection_create(owner=child, name="Music", is_shared=True)
    assert refused.value.message == errors.SHARING_NEEDS_GUARDIAN_CONSENT
    collection.refresh_from_db()
    assert collection.is_shared is False


def test_a_child_without_guardian_consent_cannot_share_a_badge_or_open_a_portfolio():
    child = child_without_consent()
    award = award_for(child)
    imported = imported_for(child)
    for call in (
        lambda: sharing.award_choice_set(award=award, owner=child, is_shared=True),
        lambda: sharing.award_choice_set(award=award, owner=child, on_portfolio=True),
        lambda: sharing.imported_badge_choice_set(imported=imported, is_shared=True),
        lambda: sharing.portfolio_visibility_set(user=child, public=True),
    ):
        with pytest.raises(ServiceError) as refused:
            call()
        assert refused.value.message == errors.SHARING_NEEDS_GUARDIAN_CONSENT
    imported.refresh_from_db()
    assert imported.is_shared is False
    assert child.learner_profile.profile_public is False


def test_a_child_whose_guardian_said_yes_can_share():
    child = learner(age=11)
    GuardianConsentFactory(child=child, confirmed_at=timezone.now())
    collection = sharing.collection_create(owner=child, name="Art", is_shared=True)
    assert collection.is_shared is True
    assert sharing.portfolio_visibility_set(user=child, public=True).profile_public is True


# --- Badge choices ------------------------------------------------------------------------------


def test_choosing_for_an_award_records_it_and_keeps_what_was_not_given():
    teen = learner(age=16)
    award = award_for(teen)
    sharing.award_choice_set(award=award, owner=teen, is_shared=True)
    choice = AwardChoice.objects.get(award=award)
    assert (choice.is_shared, choice.on_portfolio, choice.owner) == (True, False, teen)
    sharing.award_choice_set(award=award, owner=teen, on_portfolio=True)
    choice.refresh_from_db()
    assert (choice.is_shared, choice.on_portfolio) == (True, True)


def test_nobody_chooses_for_someone_elses_award():
    owner, other = learner(), learner()
    award = award_for(owner)
    with pytest.raises(ServiceError) as refused:
        sharing.award_choice_set(award=award, owner=other, is_shared=False)
    assert refused.value.message == errors.SHARING_BADGE_NOT_YOURS
    assert not AwardChoice.objects.exists()


def test_portfolio_badges_are_only_the_chosen_ones_and_never_revoked():
    adult = learner(age=30)
    shown = award_for(adult, name="Shown")
    hidden = award_for(adult, name="Hidden")
    revoked = award_for(adult, name="Revoked")
    sharing.award_choice_set(award=hidden, owner=adult, on_portfolio=False)
    award_revoke(award=revoked, by=None, reason="Issued by mistake")
    imported = imported_for(adult, name="Imported shown")
    sharing.imported_badge_choice_set(imported=imported, on_portfolio=True)
    gone = imported_for(adult, name="Imported revoked", status="revoked")
    sharing.imported_badge_choice_set(imported=gone, on_portfolio=True)
    names = {badge.name for badge in portfolio_badges_for(user=adult)}
    assert names == {shown.badge_class.name, "Imported shown"}


def test_portfolio_visibility_changes_only_that_field():
    user = learner(age=30)
    profile = user.learner_profile
    profile.recommendations_enabled = True
    profile.save()
    sharing.portfolio_visibility_set(user=user, public=True)
    profile.refresh_from_db()
    assert profile.profile_public is True
    assert profile.recommendations_enabled is True
    sharing.portfolio_visibility_set(user=user, public=False)
    profile.refresh_from_db()
    assert profile.profile_public is False


def test_a_portfolio_needs_a_learner_profile():
    with pytest.raises(ServiceError) as refused:
        sharing.portfolio_visibility_set(user=UserFactory(), public=True)
    assert refused.value.message == errors.PORTFOLIO_NEEDS_PROFILE


# --- Collections --------------------------------------------------------------------------------


def test_collection_names_are_unique_per_learner_ignoring_case():
    owner = learner()
    sharing.collection_create(owner=owner, name="Sport")
    with pytest.raises(ServiceError) as refused:
        sharing.collection_create(owner=owner, name="  sPORT ")
    assert refused.value.message == errors.COLLECTION_NAME_TAKEN.format(name="sPORT")
    sharing.collection_create(owner=learner(), name="Sport")  # someone else's may share it
    assert Collection.objects.filter(owner=owner).count() == 1


def test_renaming_onto_another_collections_name_is_refused():
    owner = learner()
    sharing.collection_create(owner=owner, name="Sport")
    art = sharing.collection_create(owner=owner, name="Art")
    with pytest.raises(ServiceError) as refused:
        sharing.collection_update(collection=art, name="sport", description="", is_shared=False)
    assert refused.value.message == errors.COLLECTION_NAME_TAKEN.format(name="sport")
    sharing.collection_update(collection=art, name="ART", description="Drawing", is_shared=False)
    art.refresh_from_db()
    assert (art.name, art.description) == ("ART", "Drawing")


def test_a_collection_needs_a_name():
    with pytest.raises(ServiceError) as refused:
        sharing.collection_create(owner=learner(), name="   ")
    assert refused.value.message == errors.COLLECTION_NAME_REQUIRED


def test_collections_move_up_and_down_and_stay_put_at_the_ends():
    owner = learner()
    a, b, c = (sharing.collection_create(owner=owner, name=n) for n in "ABC")

    def order():
        return list(Collection.objects.filter(owner=owner).values_list("name", flat=True))

    assert order() == ["A", "B", "C"]
    sharing.collection_move(collection=c, direction=sharing.UP)
    assert order() == ["A", "C", "B"]
    sharing.collection_move(collection=a, direction=sharing.DOWN)
    assert order() == ["C", "A", "B"]
    sharing.collection_move(collection=c, direction=sharing.UP)
    assert order() == ["C", "A", "B"]
    sharing.collection_move(collection=b, direction=sharing.DOWN)
    assert order() == ["C", "A", "B"]


def test_deleting_a_collection_keeps_the_badges():
    owner = learner()
    award = award_for(owner)
    collection = sharing.collection_create(owner=owner, name="Sport")
    sharing.collection_item_add(collection=collection, award=award)
    sharing.collection_delete(collection=collection)
    assert not CollectionItem.objects.exists()
    award.refresh_from_db()
    assert award.recipient == owner


# --- Items --------------------------------------------------------------------------------------


def test_adding_awards_and_imported_badges_in_order_and_moving_them():
    owner = learner()
    first, second = award_for(owner), award_for(owner)
    imported = imported_for(owner)
    collection = sharing.collection_create(owner=owner, name="Everything")
    items = [
        sharing.collection_item_add(collection=collection, award=first),
        sharing.collection_item_add(collection=collection, imported=imported),
        sharing.collection_item_add(collection=collection, award=second),
    ]
    assert list(collection.items.all()) == items
    sharing.collection_item_move(item=items[2], direction=sharing.UP)
    assert list(collection.items.all()) == [items[0], items[2], items[1]]
    sharing.collection_item_remove(item=items[0])
    assert list(collection.items.all()) == [items[2], items[1]]
    assert collection_addable_badges(collection=collection)[0].award == first


def test_the_same_badge_goes_into_a_collection_once():
    owner = learner()
    award = award_for(owner, name="Teamwork")
    collection = sharing.collection_create(owner=owner, name="Sport")
    sharing.collection_item_add(collection=collection, award=award)
    with pytest.raises(ServiceError) as refused:
        sharing.collection_item_add(collection=collection, award=award)
    assert refused.value.message == errors.COLLECTION_BADGE_ALREADY_IN.format(name="Teamwork")
    assert collection.items.count() == 1


def test_someone_elses_badges_never_go_into_my_collection():
    owner, other = learner(), learner()
    theirs = award_for(other)
    their_import = imported_for(other)
    collection = sharing.collection_create(owner=owner, name="Sport")
    for badge in ({"award": theirs}, {"imported": their_import}):
        with pytest.raises(ServiceError) as refused:
            sharing.collection_item_add(collection=collection, **badge)
        assert refused.value.message == errors.COLLECTION_BADGE_NOT_YOURS
    assert not collection.items.exists()


def test_a_revoked_award_cannot_be_added():
    owner = learner()
    award = award_for(owner)
    award_revoke(award=award, by=None, reason="Issued by mistake")
    collection = sharing.collection_create(owner=owner, name="Sport")
    with pytest.raises(ServiceError) as refused:
        sharing.collection_item_add(collection=collection, award=award)
    assert refused.value.message == errors.COLLECTION_BADGE_REVOKED
    assert not collection.items.exists()
