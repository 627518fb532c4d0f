"""Export all my data: one ZIP with every part, the signed credentials as issued, no one else's."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest
from allauth.account.models import EmailAddress

from learningcity.badges.models import Award
from learningcity.badges.services import award_issue
from learningcity.learners.privacy import learner_export_zip

from .privacy_factories import EMAIL, NAME, SECOND_EMAIL, learner_with_everything

pytestmark = pytest.mark.django_db

EXPECTED_FILES = {
    "README.txt",
    "profile.json",
    "awards.json",
    "imported.json",
    "collections.json",
    "declared_skills.json",
    "applications.json",
    "bookings.json",
    "saved_opportunities.json",
    "pathways.json",
}


def _open(body: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(body))
    assert archive.testzip() is None
    return archive


def _json(archive: zipfile.ZipFile, name: str):
    return json.loads(archive.read(name))


def test_the_zip_holds_every_part_with_a_readme_for_each():
    learner = learner_with_everything()
    archive = _open(learner_export_zip(user=learner.user))
    names = set(archive.namelist())
    assert names >= EXPECTED_FILES
    readme = archive.read("README.txt").decode()
    for name in EXPECTED_FILES - {"README.txt"}:
        assert name in readme
    assert "awards/" in readme and "imported/" in readme


def test_each_award_is_the_stored_signed_credential_and_its_jwt():
    learner = learner_with_everything()
    archive = _open(learner_export_zip(user=learner.user))
    for award in learner.awards:
        assert _json(archive, f"awards/{award.public_id}.json") == award.ob3_credential
        assert archive.read(f"awards/{award.public_id}.jwt").decode() == award.ob3_jwt
    listed = {entry["id"]: entry for entry in _json(archive, "awards.json")}
    assert set(listed) == {award.public_id for award in learner.awards}
    assert listed[learner.awards[1].public_id]["revoked_at"] is not None
    assert listed[learner.awards[0].public_id]["shared"] is True


def test_profile_applications_bookings_and_the_rest_are_the_learners_own():
    learner = learner_with_everything()
    archive = _open(learner_export_zip(user=learner.user))
    profile = _json(archive, "profile.json")
    assert profile["account"]["email"] == EMAIL
    assert profile["account"]["display_name"] == NAME
    assert {entry["email"] for entry in profile["emails"]} == {EMAIL, SECOND_EMAIL}
    assert profile["learner_profile"]["interests"] == ["robots"]
    assert set(profile["settings"]) >= {
        "profile_public",
        "recommendations_enabled",
        "suggest_opportunities",
        "suggest_pathways",
    }
    (application,) = _json(archive, "applications.json")
    assert application["text"] == learner.extra["application"].text
    assert application["links"] == ["https://example.org/zyxwv.deleteme/photos"]
    assert archive.read(application["files"][0]["file"]) == b"%PDF-1.4"
    bookings = _json(archive, "bookings.json")
    assert len(bookings) == 2
    assert any(booking["checked_in_at"] for booking in bookings)
    assert all(booking["session"]["starts_at"] for booking in bookings)
    assert len(_json(archive, "saved_opportunities.json")) == 1
    (collection,) = _json(archive, "collections.json")
    assert collection["shared"] is True and len(collection["items"]) == 2
    assert [skill["name"] for skill in _json(archive, "declared_skills.json")] == ["Juggling"]
    (enrolment,) = _json(archive, "pathways.json")
    assert enrolment["pathway"] == "Into engineering"
    (imported,) = _json(archive, "imported.json")
    original = learner.extra["imported"].original
    assert archive.read(f"imported/{imported['id']}.json").decode() == original
    assert f"imported/{imported['id']}.png" in imported["files"]


def test_another_learners_data_never_appears():
    learner = learner_with_everything()
    body = learner_export_zip(user=learner.user)
    archive = _open(body)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    assert learner.other.email.encode() not in everything
    assert b"Other Learner" not in everything
    assert b"Welding" not in everything
    assert b"Other's collection" not in everything
    assert f"awards/{learner.other_award.public_id}.json" not in archive.namelist()
    # And the other learner's own export holds none of the first one's.
    other_archive = _open(learner_export_zip(user=learner.other))
    other_everything = b"".join(other_archive.read(n) for n in other_archive.namelist())
    assert EMAIL.encode() not in other_everything
    assert NAME.encode() not in other_everything


def test_two_hundred_awards_export_in_well_under_a_minute():
    learner = learner_with_everything()
    template = learner.awards[0]
    # Copies of a real signed award (signing 200 would only time the signing).
    copies = [
        Award(
            badge_class=template.badge_class,
            recipient=learner.user,
            recipient_email=f"copy{n}@example.org",
            recipient_name=NAME,
            salt=template.salt,
            issued_at=template.issued_at,
            status_list=template.status_list,
            status_index=10_000 + n,
            revoked_at=template.issued_at,  # revoked: outside the "one live award" constraint
            ob3_credential=template.ob3_credential,
            ob3_jwt=template.ob3_jwt,
        )
        for n in range(200)
    ]
    Award.objects.bulk_create(copies)
    assert Award.objects.filter(recipient=learner.user).count() >= 200

    started = time.perf_counter()
    body = learner_export_zip(user=learner.user)
    elapsed = time.perf_counter() - started

    archive = _open(body)
    assert len([n for n in archive.namelist() if n.startswith("awards/")]) >= 2 * 200
    print(
        f"export of {Award.objects.filter(recipient=learner.user).count()} awards: {elapsed:.2f}s"
    )
    assert elapsed < 10


def test_the_zip_does_not_change_the_stored_credentials():
    learner = learner_with_everything()
    before = list(Award.objects.order_by("pk").values_list("ob3_jwt", "updated_at"))
    learner_export_zip(user=learner.user)
    assert list(Award.objects.order_by("pk").values_list("ob3_jwt", "updated_at")) == before


def test_awards_to_an_address_never_verified_are_not_exported():
    learner = learner_with_everything()
    EmailAddress.objects.create(user=learner.user, email="typo.address@example.org", verified=False)
    theirs = award_issue(
        badge_class=learner.badge_classes[2],
        recipient_email="typo.address@example.org",
        issued_by=None,
        notify=False,
    )
    archive = _open(learner_export_zip(user=learner.user))
    assert f"awards/{theirs.public_id}.json" not in archive.namelist()
