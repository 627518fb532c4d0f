import datetime
import json

import pytest
from django.utils import timezone

from learningcity.badges.models import Award, IssuerKey, StatusList
from learningcity.badges.services import (
    award_issue,
    award_revoke,
    issuer_ensure,
    issuer_key_rotate,
)
from learningcity.core import errors
from learningcity.core.errors import ServiceError
from learningcity.credentials import status_list as bitstring

from .factories import BadgeClassFactory

pytestmark = pytest.mark.django_db


def test_issuing_signs_the_credential_both_ways_and_takes_a_status_bit():
    badge_class = BadgeClassFactory()
    award = award_issue(badge_class=badge_class, recipient_email="Sam@Example.org ", issued_by=None)
    assert award.recipient_email == "sam@example.org"
    credential = award.ob3_credential
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"].endswith(f"/awards/{award.public_id}/")
    assert isinstance(credential["proof"], list)
    assert credential["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert credential["credentialStatus"]["statusListIndex"] == str(award.status_index)
    assert award.ob3_jwt.count(".") == 2
    assert "sam@example.org" not in json.dumps(credential)  # only the salted hash


def test_two_awards_take_different_status_bits():
    badge_class = BadgeClassFactory()
    first = award_issue(badge_class=badge_class, recipient_email="a@example.org", issued_by=None)
    second = award_issue(badge_class=badge_class, recipient_email="b@example.org", issued_by=None)
    assert (first.status_list_id, first.status_index) != (
        second.status_list_id,
        second.status_index,
    )


def test_the_same_badge_twice_to_the_same_person_is_refused():
    badge_class = BadgeClassFactory()
    award_issue(badge_class=badge_class, recipient_email="sam@example.org", issued_by=None)
    with pytest.raises(ServiceError) as refused:
        award_issue(badge_class=badge_class, recipient_email="SAM@example.org", issued_by=None)
    assert refused.value.message == errors.AWARD_ALREADY_HELD.format(email="sam@example.org")
    assert Award.objects.count() == 1


def test_revoking_sets_the_bit_and_re_signs_the_status_list():
    badge_class = BadgeClassFactory()
    award = award_issue(badge_class=badge_class, recipient_email="sam@example.org", issued_by=None)
    before = StatusList.objects.get(pk=award.status_list_id).credential

    award_revoke(award=award, by=None, reason="Issued by mistake")

    status_list = StatusList.objects.get(pk=award.status_list_id)
    assert bitstring.bit_is_set(bytes(status_list.bits), award.status_index)
    encoded = status_list.credential["credentialSubject"]["encodedList"]
    assert bitstring.bit_is_set(bitstring.decode(encoded), award.status_index)
    assert status_list.credential["proof"] != before["proof"]
    award.refresh_from_db()
    assert award.revocation_reason == "Issued by mistake"


def test_revoking_needs_a_reason_and_happens_once():
    award = award_issue(
        badge_class=BadgeClassFactory(), recipient_email="s@example.org", issued_by=None
    )
    with pytest.raises(ServiceError) as no_reason:
        award_revoke(award=award, by=None, reason="  ")
    assert no_reason.value.message == errors.AWARD_REVOKE_REASON_REQUIRED
    award_revoke(award=award, by=None, reason="Mistake")
    with pytest.raises(ServiceError) as twice:
        award_revoke(award=award, by=None, reason="Mistake")
    assert twice.value.message == errors.AWARD_ALREADY_REVOKED


def test_after_revocation_the_badge_can_be_given_again():
    badge_class = BadgeClassFactory()
    award = award_issue(badge_class=badge_class, recipient_email="s@example.org", issued_by=None)
    award_revoke(award=award, by=None, reason="Wrong date")
    again = award_issue(badge_class=badge_class, recipient_email="s@example.org", issued_by=None)
    assert again.pk != award.pk


def test_an_issuer_has_one_active_key_of_each_kind_and_rotation_keeps_old_ones():
    issuer = issuer_ensure(organisation=BadgeClassFactory().organisation)
    first_ed = IssuerKey.objects.get(issuer=issuer, kind="ed25519", retired_at__isnull=True)
    issuer_key_rotate(issuer=issuer)
    keys = IssuerKey.objects.filter(issuer=issuer)
    assert keys.count() == 4
    assert keys.filter(retired_at__isnull=True).count() == 2
    first_ed.refresh_from_db()
    assert first_ed.retired_at is not None


def test_private_keys_are_encrypted_at_rest():
    issuer = issuer_ensure(organisation=BadgeClassFactory().organisation)
    for key in IssuerKey.objects.filter(issuer=issuer):
        blob = bytes(key.private_key_encrypted)
        assert b"PRIVATE KEY" not in blob
        assert len(blob) > 32


def test_an_award_with_an_expiry_carries_valid_until():
    award = award_issue(
        badge_class=BadgeClassFactory(),
        recipient_email="s@example.org",
        issued_by=None,
        expires_at=timezone.now() + datetime.timedelta(days=365),
    )
    assert "validUntil" in award.ob3_credential


def test_a_city_endorses_a_badge_class_of_its_own_organisation():
    from learningcity.badges.services import badge_class_endorse

    badge_class = BadgeClassFactory()
    endorsement = badge_class_endorse(
        badge_class=badge_class, city=badge_class.organisation.city, by=None, comment="Good."
    )
    credential = endorsement.credential
    assert "EndorsementCredential" in credential["type"]
    assert credential["credentialSubject"]["endorsementComment"] == "Good."
    assert credential["issuer"]["id"].endswith(endorsement.endorser.public_id)


def test_a_city_cannot_endorse_another_citys_badge():
    from learningcity.badges.services import badge_class_endorse
    from learningcity.cities.tests.factories import CityFactory

    with pytest.raises(ServiceError) as refused:
        badge_class_endorse(
            badge_class=BadgeClassFactory(), city=CityFactory(), by=None, comment="x"
        )
    assert refused.value.message == errors.ENDORSEMENT_OTHER_CITY


def test_an_endorsement_needs_a_comment():
    from learningcity.badges.services import badge_class_endorse

    badge_class = BadgeClassFactory()
    with pytest.raises(ServiceError) as refused:
        badge_class_endorse(
            badge_class=badge_class, city=badge_class.organisation.city, by=None, comment=" "
        )
    assert refused.value.message == errors.ENDORSEMENT_COMMENT_REQUIRED
