"""Claim codes: making, typing, limits, expiry, revocation and who may claim."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges import claims
from learningcity.badges.models import (
    Award,
    AwardDelivery,
    BadgeStatus,
    ClaimCode,
    ClaimRedemption,
    DeliveryStatus,
)
from learningcity.badges.services import award_issue, award_revoke
from learningcity.core import errors
from learningcity.core.errors import ServiceError

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def badge_class():
    return BadgeClassFactory(name="First Aid", status=BadgeStatus.PUBLISHED)


@pytest.fixture
def learner():
    return UserFactory(email="amara@example.org", display_name="Amara")


def make_code(badge_class, **kwargs):
    return claims.claim_code_create(badge_class=badge_class, created_by=None, **kwargs)


def redeem_error(code, user) -> str:
    with pytest.raises(ServiceError) as caught:
        claims.claim_code_redeem(code=code, user=user)
    return caught.value.message


class TestCodes:
    def test_a_code_is_eight_characters_with_no_look_alikes(self, badge_class):
        for _ in range(50):
            code = make_code(badge_class).code
            assert len(code) == 8
            assert set(code) <= set(claims.ALPHABET)
            assert not set(code) & set("01OIL")

    def test_a_code_is_shown_in_two_groups_of_four(self, badge_class):
        code = make_code(badge_class)
        assert code.display_code == f"{code.code[:4]}-{code.code[4:]}"

    def test_typing_ignores_case_spaces_and_dashes(self):
        assert claims.claim_code_normalise(" 7kqm-3xpa ") == "7KQM3XPA"
        assert claims.claim_code_normalise("7KQM 3XPA") == "7KQM3XPA"
        assert claims.claim_code_normalise("7kqm–3xpa") == "7KQM3XPA"

    def test_codes_are_single_use_by_default(self, badge_class):
        assert make_code(badge_class).is_single_use

    def test_an_expiry_in_the_past_is_refused(self, badge_class):
        with pytest.raises(ServiceError) as caught:
            make_code(badge_class, expires_at=timezone.now() - datetime.timedelta(minutes=1))
        assert caught.value.message == errors.CLAIM_CODE_EXPIRY_PAST

    def test_the_database_refuses_more_uses_than_the_limit(self, badge_class):
        code = make_code(badge_class, max_uses=2)
        with pytest.raises(IntegrityError), transaction.atomic():
            ClaimCode.objects.filter(pk=code.pk).update(uses=3)


class TestRedeem:
    def test_claiming_gives_the_badge_to_the_learners_primary_email(self, badge_class, learner):
        code = make_code(badge_class)
        award = claims.claim_code_redeem(code=code.display_code.lower(), user=learner)
        assert award.badge_class == badge_class
        assert award.recipient_email == "amara@example.org"
        assert award.recipient == learner
        assert award.recipient_name == "Amara"
        code.refresh_from_db()
        assert code.uses == 1
        assert ClaimRedemption.objects.get(claim_code=code).award == award

    def test_a_claimed_award_is_marked_claimed_not_emailed(self, badge_class, learner):
        award = claims.claim_code_redeem(code=make_code(badge_class).code, user=learner)
        delivery = AwardDelivery.objects.get(award=award)
        assert delivery.status == DeliveryStatus.CLAIMED
        assert delivery.claimed_at is not None

    def test_an_unknown_code_is_refused(self, learner):
        assert redeem_error("ZZZZ-ZZZZ", learner) == errors.CLAIM_CODE_INVALID

    def test_a_used_up_single_use_code_is_refused(self, badge_class, learner):
        code = make_code(badge_class)
        claims.claim_code_redeem(code=code.code, user=UserFactory())
        assert redeem_error(code.code, learner) == errors.CLAIM_CODE_USED_UP

    def test_a_multi_use_code_works_up_to_its_limit_and_no_further(self, badge_class):
        code = make_code(badge_class, max_uses=3)
        for _ in range(3):
            claims.claim_code_redeem(code=code.code, user=UserFactory())
        assert redeem_error(code.code, UserFactory()) == errors.CLAIM_CODE_USED_UP
        code.refresh_from_db()
        assert code.uses == 3
        assert Award.objects.filter(badge_class=badge_class).count() == 3

    def test_a_code_with_no_limit_keeps_working(self, badge_class):
        code = make_code(badge_class, max_uses=None)
        for _ in range(5):
            claims.claim_code_redeem(code=code.code, user=UserFactory())
        code.refresh_from_db()
        assert code.uses == 5

    def test_an_expired_code_is_refused_with_its_date(self, badge_class, learner):
        code = make_code(badge_class, max_uses=None)
        ClaimCode.objects.filter(pk=code.pk).update(
            expires_at=timezone.now() - datetime.timedelta(hours=1)
        )
        message = redeem_error(code.code, learner)
        assert message.startswith("This claim code stopped working on ")

    def test_a_switched_off_code_is_refused(self, badge_class, learner):
        code = make_code(badge_class, max_uses=None)
        claims.claim_code_revoke(claim_code=code)
        assert redeem_error(code.code, learner) == errors.CLAIM_CODE_REVOKED

    def test_switching_off_twice_is_refused(self, badge_class):
        code = make_code(badge_class)
        claims.claim_code_revoke(claim_code=code)
        with pytest.raises(ServiceError) as caught:
            claims.claim_code_revoke(claim_code=code)
        assert caught.value.message == errors.CLAIM_CODE_ALREADY_REVOKED

    def test_the_same_person_cannot_claim_twice_with_one_code(self, badge_class, learner):
        code = make_code(badge_class, max_uses=None)
        claims.claim_code_redeem(code=code.code, user=learner)
        assert redeem_error(code.code, learner) == errors.CLAIM_CODE_ALREADY_CLAIMED
        code.refresh_from_db()
        assert code.uses == 1

    def test_someone_who_already_holds_the_badge_is_told_so(self, badge_class, learner):
        award_issue(badge_class=badge_class, recipient_email=learner.email, issued_by=None)
        code = make_code(badge_class)
        assert redeem_error(code.code, learner) == errors.CLAIM_BADGE_ALREADY_HELD
        code.refresh_from_db()
        assert code.uses == 0

    def test_after_a_revocation_the_badge_can_be_claimed_again(self, badge_class, learner):
        held = award_issue(badge_class=badge_class, recipient_email=learner.email, issued_by=None)
        award_revoke(award=held, by=None, reason="Issued by mistake.")
        award = claims.claim_code_redeem(code=make_code(badge_class).code, user=learner)
        assert award.pk != held.pk

    def test_an_archived_badge_cannot_be_claimed(self, badge_class, learner):
        code = make_code(badge_class)
        badge_class.status = BadgeStatus.ARCHIVED
        badge_class.save()
        assert redeem_error(code.code, learner) == errors.CLAIM_BADGE_ARCHIVED

    def test_an_under_13_waiting_for_consent_may_still_claim(self, badge_class):
        child = LearnerProfileFactory(age=11).user
        assert child.learner_profile.needs_guardian_consent
        award = claims.claim_code_redeem(code=make_code(badge_class).code, user=child)
        assert award.recipient == child

    def test_a_refused_claim_uses_nothing_up(self, badge_class, learner):
        code = make_code(badge_class, max_uses=2)
        claims.claim_code_redeem(code=code.code, user=learner)
        redeem_error(code.code, learner)
        code.refresh_from_db()
        assert code.uses == 1


class TestSelectors:
    def test_the_list_holds_only_the_organisations_codes(self, badge_class):
        mine = make_code(badge_class)
        make_code(BadgeClassFactory())
        assert list(claims.claim_code_list(organisation=badge_class.organisation)) == [mine]

    @pytest.mark.parametrize(
        ("change", "state"),
        [
            ({}, "working"),
            ({"revoked_at": timezone.now()}, "switched off"),
            ({"uses": 1}, "used up"),
            ({"expires_at": timezone.now() - datetime.timedelta(days=1)}, "expired"),
        ],
    )
    def test_each_code_has_a_state_in_words(self, badge_class, change, state):
        code = make_code(badge_class)
        ClaimCode.objects.filter(pk=code.pk).update(**change)
        code.refresh_from_db()
        assert claims.claim_code_state(code) == state


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks and concurrent connections"
)
def test_many_people_claiming_at_once_never_exceed_the_limit():
    badge_class = BadgeClassFactory(status=BadgeStatus.PUBLISHED)
    code = make_code(badge_class, max_uses=3)
    people = [UserFactory() for _ in range(8)]
    start = threading.Barrier(len(people))
    outcomes: list[str] = []

    def claim(user):
        try:
            start.wait(timeout=10)
            claims.claim_code_redeem(code=code.code, user=user)
            outcomes.append("claimed")
        except ServiceError as refused:
            outcomes.append(refused.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=claim, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted(["claimed"] * 3 + [errors.CLAIM_CODE_USED_UP] * 5)
    code.refresh_from_db()
    assert code.uses == 3
    assert Award.objects.filter(badge_class=badge_class).count() == 3
