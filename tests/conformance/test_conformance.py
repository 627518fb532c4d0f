"""The independent referee: third-party verifiers from ../shared/conformance check what the
platform publishes, fetched over HTTP from a live test server.

Each tool is skipped, with the reason printed, only when its runtime is absent (no node, no
Python 3.7, the kit not installed). `.ci/run` installs the kit, so in CI nothing is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.test import override_settings

from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory

REPO = Path(__file__).resolve().parents[2]
KIT_SOURCE = Path(os.environ.get("CONFORMANCE_SOURCE", REPO.parent / "shared" / "conformance"))
KIT = Path(os.environ.get("CONFORMANCE_KIT", REPO / ".conformance"))

pytestmark = [pytest.mark.conformance, pytest.mark.django_db(transaction=True)]


def _tool(name: str) -> list[str]:
    tool = KIT_SOURCE / "bin" / name
    if not tool.exists():
        pytest.skip(f"conformance kit not found at {KIT_SOURCE}")
    if not (KIT / "node_modules").exists() and name != "validate-ob3-schema":
        pytest.skip(f"conformance kit not installed in {KIT} (run {KIT_SOURCE}/setup.sh {KIT})")
    if name in {"verify-ob3", "verify-vcjwt"} and shutil.which("node") is None:
        pytest.skip("node is not installed: the JavaScript verifiers cannot run")
    if name == "validate-ob2" and not (KIT / "venv-ob2").exists():
        pytest.skip("Python 3.7 was not found when the kit was installed: validate-ob2 cannot run")
    return [str(tool)]


def run_tool(name: str, *args: str) -> dict:
    result = subprocess.run(
        [*_tool(name), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CONFORMANCE_KIT": str(KIT)},
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(
            f"{name} printed no JSON (exit {result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    report["exit"] = result.returncode
    report["stderr"] = result.stderr
    return report


def accepted(report: dict) -> bool:
    return report["exit"] == 0 and report["result"] == "accepted"


@pytest.fixture
def site(live_server):
    with override_settings(SITE_URL=live_server.url):
        yield live_server.url


@pytest.fixture
def awards(site):
    badge_class = BadgeClassFactory(name="Teamwork")
    valid = award_issue(
        badge_class=badge_class,
        recipient_email="sam@example.org",
        recipient_name="Sam",
        issued_by=None,
    )
    revoked = award_issue(
        badge_class=badge_class,
        recipient_email="kai@example.org",
        recipient_name="Kai",
        issued_by=None,
    )
    award_revoke(award=revoked, by=None, reason="Issued by mistake")
    return {"valid": valid, "revoked": revoked, "site": site}


def award_url(site: str, award, suffix: str) -> str:
    return f"{site}/awards/{award.public_id}/{suffix}"


def download(url: str, tmp_path: Path, name: str) -> Path:
    import urllib.request

    path = tmp_path / name
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 — the live test server
        path.write_bytes(response.read())
    return path


def test_verify_ob3_accepts_the_hosted_data_integrity_credential(awards):
    site, award = awards["site"], awards["valid"]
    report = run_tool("verify-ob3", "--origin", site, award_url(site, award, "credential.json"))
    assert accepted(report), report


def test_verify_ob3_accepts_the_credential_at_its_negotiated_id(awards, tmp_path):
    site, award = awards["site"], awards["valid"]
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(award.ob3_credential))
    report = run_tool("verify-ob3", "--origin", site, str(path))
    assert accepted(report), report
    assert report["details"]["status"][0]["bitSet"] is False


def test_verify_ob3_reports_a_revoked_credential_as_revoked(awards):
    site, award = awards["site"], awards["revoked"]
    report = run_tool("verify-ob3", "--origin", site, award_url(site, award, "credential.json"))
    assert report["result"] == "rejected", report
    assert report["details"]["status"][0]["bitSet"] is True


@pytest.mark.parametrize("image", ["badge.png", "badge.svg"])
def test_verify_ob3_accepts_the_baked_images(awards, tmp_path, image):
    site, award = awards["site"], awards["valid"]
    path = download(award_url(site, award, image), tmp_path, image)
    report = run_tool("verify-ob3", "--origin", site, str(path))
    assert accepted(report), report


def test_verify_vcjwt_accepts_the_jwt(awards, tmp_path):
    site, award = awards["site"], awards["valid"]
    path = download(award_url(site, award, "credential.jwt"), tmp_path, "credential.jwt")
    report = run_tool("verify-vcjwt", "--origin", site, str(path))
    assert accepted(report), report


def test_verify_vcjwt_reports_a_revoked_jwt_as_rejected(awards, tmp_path):
    site, award = awards["site"], awards["revoked"]
    path = download(award_url(site, award, "credential.jwt"), tmp_path, "credential.jwt")
    report = run_tool("verify-vcjwt", "--origin", site, str(path))
    assert report["result"] == "rejected", report


def test_the_credential_matches_the_1edtech_json_schema(awards, tmp_path):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(awards["valid"].ob3_credential))
    report = run_tool("validate-ob3-schema", str(path))
    assert accepted(report), report


def test_the_jwt_payload_matches_the_1edtech_json_schema(awards, tmp_path):
    path = tmp_path / "credential.jwt"
    path.write_text(awards["valid"].ob3_jwt)
    report = run_tool("validate-ob3-schema", str(path))
    assert accepted(report), report


def test_validate_ob2_accepts_the_hosted_assertion(awards):
    site, award = awards["site"], awards["valid"]
    report = run_tool(
        "validate-ob2",
        award_url(site, award, "ob2.json"),
        "--recipient",
        json.dumps({"email": "sam@example.org"}),
    )
    assert accepted(report), report


OB2_SVG_VALIDATOR_BUG = (
    "openbadges 1.1.2 (the 1EdTech validator) reads an SVG's verify attribute as bytes on "
    "Python 3 (openbadges_bakery/svg_bakery.py: .encode('utf-8')) and then refuses its own "
    "input with 'only URL, JSON, or JWS input implemented so far'. Its own bakery writes the "
    "same verify attribute we do, so it cannot read SVGs it baked itself. Strict: if a fixed "
    "validator accepts ours, this test fails and the marker must go."
)


@pytest.mark.parametrize(
    "image",
    [
        "ob2-badge.png",
        pytest.param(
            "ob2-badge.svg", marks=pytest.mark.xfail(reason=OB2_SVG_VALIDATOR_BUG, strict=True)
        ),
    ],
)
def test_validate_ob2_accepts_the_baked_assertion(awards, tmp_path, image):
    site, award = awards["site"], awards["valid"]
    path = download(award_url(site, award, image), tmp_path, image)
    report = run_tool(
        "validate-ob2", str(path), "--recipient", json.dumps({"email": "sam@example.org"})
    )
    assert accepted(report), report


def test_verify_ob3_and_the_schema_accept_a_city_endorsement(awards, tmp_path):
    from learningcity.badges.services import badge_class_endorse

    site, award = awards["site"], awards["valid"]
    badge_class = award.badge_class
    endorsement = badge_class_endorse(
        badge_class=badge_class,
        city=badge_class.organisation.city,
        by=None,
        comment="Meets the city's quality standard for youth badges.",
    )
    report = run_tool(
        "verify-ob3", "--origin", site, f"{site}/endorsements/{endorsement.public_id}"
    )
    assert accepted(report), report
    path = tmp_path / "endorsement.json"
    path.write_text(json.dumps(endorsement.credential))
    schema = run_tool("validate-ob3-schema", "--as", "endorsement", str(path))
    assert accepted(schema), schema


def test_verify_ob3_accepts_a_learners_clr(awards, tmp_path):
    from learningcity.accounts.tests.factories import UserFactory
    from learningcity.badges.services import learner_clr

    site, award = awards["site"], awards["valid"]
    learner = UserFactory(email="sam@example.org")
    award.recipient = learner
    award.save(update_fields=["recipient"])
    clr = learner_clr(user=learner, city=award.badge_class.organisation.city)
    assert len(clr["credentialSubject"]["verifiableCredential"]) == 1
    path = tmp_path / "clr.json"
    path.write_text(json.dumps(clr))
    report = run_tool("verify-ob3", "--origin", site, str(path))
    assert accepted(report), report


def test_the_ob2_svg_is_baked_as_the_reference_bakery_bakes_it(awards):
    """What the validator cannot read (see OB2_SVG_VALIDATOR_BUG) we check against the OB 2.0
    baking rules directly: a verify attribute with the hosted URL, the assertion JSON in CDATA."""
    import urllib.request

    from learningcity.credentials import baking

    site, award = awards["site"], awards["valid"]
    with urllib.request.urlopen(award_url(site, award, "ob2-badge.svg"), timeout=30) as response:  # noqa: S310
        svg = response.read().decode()
    assert 'xmlns:openbadges="http://openbadges.org"' in svg
    assert f'verify="{award_url(site, award, "ob2.json")}"' in svg
    assert "<![CDATA[" in svg
    baked = baking.unbake_svg(svg)
    assert award_url(site, award, "ob2.json") in json.dumps(baked)
