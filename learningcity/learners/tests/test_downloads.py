"""The learner's downloads: certificate PDF, signed credential, baked PNG, CLR record and skills
CV; each for its owner only."""

from __future__ import annotations

import json
import re
import zlib

import pytest
from django.template.loader import render_to_string
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.html import escape

from learningcity.accounts.tests.factories import LearnerProfileFactory, UserFactory
from learningcity.badges import publishing
from learningcity.badges.models import Level
from learningcity.badges.services import award_issue, award_revoke
from learningcity.badges.tests.factories import BadgeClassFactory
from learningcity.core import errors
from learningcity.credentials import baking, data_integrity
from learningcity.learners import downloads
from learningcity.learners.models import DeclaredSkill
from learningcity.organisations.tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

SITE = "http://testserver"
NAME = "Zoë Łukasz"


@pytest.fixture(autouse=True)
def site_url():
    with override_settings(SITE_URL=SITE):
        yield


# --- Reading text back out of a PDF ------------------------------------------------------------
# fpdf2 writes text with embedded TrueType subsets: each string is 2-byte glyph codes that the
# font's ToUnicode CMap maps back to characters. This reads that much of PDF, and no more.

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TEXT_OP = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", re.S)
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(literal: bytes) -> bytes:
    out, i = bytearray(), 0
    while i < len(literal):
        byte = literal[i : i + 1]
        if byte != b"\\":
            out += byte
            i += 1
            continue
        following = literal[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", literal[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(), 8))
            i += 1 + len(octal.group())
        else:
            out += _ESCAPES.get(following, following)
            i += 2
    return bytes(out)


def pdf_objects(body: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Each object number → (its dictionary, its stream decompressed, or b"")."""
    objects = {}
    for number, content in _OBJECT.findall(body):
        stream = _STREAM.search(content)
        data = stream.group(1) if stream else b""
        if stream and b"/FlateDecode" in content[: stream.start()]:
            data = zlib.decompress(data)
        objects[int(number)] = (content[: stream.start()] if stream else content, data)
    return objects


def pdf_text(body: bytes) -> str:
    objects = pdf_objects(body)
    fonts: dict[bytes, dict[int, str] | None] = {}
    for dictionary, _ in objects.values():
        for name, number in re.findall(rb"/(F\d+) (\d+) 0 R", dictionary):
            font = objects[int(number)][0]
            to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", font)
            if to_unicode is None:
                fonts[name] = None  # a core font: Latin-1 bytes
                continue
            cmap = objects[int(to_unicode.group(1))][1]
            fonts[name] = {
                int(code, 16): bytes.fromhex(target.decode()).decode("utf-16-be")
                for code, target in re.findall(rb"<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>", cmap)
            }
    pieces, font = [], None
    for _, content in objects.values():
        if b" Tj" not in content:
            continue
        for name, literal in _TEXT_OP.findall(content):
            if name:
                font = fonts.get(name)
                continue
            raw = _unescape(literal)
            if font is None:
                pieces.append(raw.decode("latin-1"))
            else:
                codes = [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]
                pieces.append("".join(font.get(code, "\ufffd") for code in codes))
    return "\n".join(pieces)


def pdf_page_count(body: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", body))


# --- Fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def learner():
    profile = LearnerProfileFactory(user=UserFactory(display_name=NAME))
    return profile.user


@pytest.fixture
def organisation(learner):
    return OrganisationFactory(name="Riverside Youth Club", city=learner.learner_profile.city)


def give(badge_class, user):
    return award_issue(
        badge_class=badge_class, recipient_email=user.email, issued_by=None, notify=False
    )


@pytest.fixture
def award(learner, organisation):
    badge_class = BadgeClassFactory(
        organisation=organisation,
        name="Team Captain",
        level=Level.LEAD,
        status="published",
        criteria="Led the team through a whole season of matches.",
        skills=[{"name": "Teamwork"}, {"name": "Leadership"}],
    )
    return give(badge_class, learner)


def url(name, **kwargs):
    return reverse(name, kwargs=kwargs or None)


# --- The certificate -----------------------------------------------------------------------------


def test_the_certificate_is_a_one_page_pdf_with_who_what_and_where_to_check_it(client, award):
    client.force_login(award.recipient)
    response = client.get(url("award-certificate", public_id=award.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Team Captain certificate.pdf"'
    body = response.content
    assert body.startswith(b"%PDF-")
    assert pdf_page_count(body) == 1
    text = pdf_text(body)
    for expected in [
        NAME,
        "Team Captain",
        "Riverside Youth Club",
        "Level: Lead",
        "Led the team through a whole season",
        "Teamwork, Leadership",
        publishing.award_url(award),
        "Verify at",
    ]:
        assert expected in text, expected


def test_a_name_no_loaded_font_can_draw_is_marked_not_dropped(award):
    award.recipient.display_name = "Zoë Łukasz 李"
    page = downloads._Page(orientation="L", title="t")
    drawn = page.text("Zoë Łukasz 李")
    if page.covered is not None and ord("李") in page.covered:
        assert drawn == "Zoë Łukasz 李"  # a CJK fallback font is installed
    else:
        assert drawn.startswith("Zoë Łukasz ") and drawn[-1] == "?"
    body = downloads.award_certificate_pdf(award=award, learner=award.recipient)
    assert pdf_page_count(body) == 1
    assert "Zoë Łukasz" in pdf_text(body)


def test_a_revoked_award_has_no_certificate(client, award):
    award_revoke(award=award, by=None, reason="Given by mistake")
    client.force_login(award.recipient)
    response = client.get(url("award-certificate", public_id=award.public_id))
    assert response.status_code == 410
    message = errors.CERTIFICATE_REVOKED.format(organisation="Riverside Youth Club")
    assert escape(message) in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


# --- The signed credential and the baked image ---------------------------------------------------


def test_the_signed_credential_downloads_as_a_json_file_exactly_as_signed(client, award):
    client.force_login(award.recipient)
    response = client.get(url("award-credential-download", public_id=award.public_id))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response["Content-Disposition"] == 'attachment; filename="Team Captain.json"'
    assert json.loads(response.content) == award.ob3_credential


def test_the_baked_png_downloads_with_the_credential_inside(client, award):
    client.force_login(award.recipient)
    response = client.get(url("award-png-download", public_id=award.public_id))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'attachment; filename="Team Captain.png"'
    baked = baking.unbake_png(response.content)
    assert json.loads(baked["openbadgecredential"]) == award.ob3_credential
    public = Client().get(url("award-png", public_id=award.public_id)).content
    assert response.content == public


def test_a_badge_name_with_other_letters_is_kept_in_the_file_name():
    assert downloads.attachment_filename('Café / "Ünïcode"', "json") == "Café Ünïcode.json"
    assert downloads.attachment_filename("   ", "pdf") == "badge.pdf"


@pytest.mark.parametrize(
    "name", ["award-certificate", "award-credential-download", "award-png-download"]
)
def test_another_learner_gets_404_for_an_award_download(client, award, name):
    client.force_login(LearnerProfileFactory().user)
    assert client.get(url(name, public_id=award.public_id)).status_code == 404


@pytest.mark.parametrize(
    "name", ["award-certificate", "award-credential-download", "award-png-download"]
)
def test_an_unknown_award_is_404(client, learner, name):
    client.force_login(learner)
    assert client.get(url(name, public_id="nosuchaward")).status_code == 404


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("award-certificate", True),
        ("award-credential-download", True),
        ("award-png-download", True),
        ("backpack-record", False),
        ("backpack-cv", False),
    ],
)
def test_every_download_needs_a_sign_in(client, award, name, kwargs):
    response = client.get(url(name, **({"public_id": award.public_id} if kwargs else {})))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- The CLR 2.0 record --------------------------------------------------------------------------


def _verify_record(client, record):
    issuer_did = record["issuer"]["id"]
    public_id = issuer_did.rsplit(":", 1)[1]
    did_document = json.loads(client.get(url("issuer-did", public_id=public_id)).content)
    return data_integrity.verify(
        record,
        resolve_verification_method=data_integrity.verification_method_resolver([did_document]),
    )


def test_the_record_is_a_signed_clr_of_every_live_award_that_verifies(client, award, organisation):
    other = give(
        BadgeClassFactory(organisation=organisation, name="Referee", status="published"),
        award.recipient,
    )
    revoked = give(
        BadgeClassFactory(organisation=organisation, name="Withdrawn", status="published"),
        award.recipient,
    )
    award_revoke(award=revoked, by=None, reason="Given by mistake")
    client.force_login(award.recipient)
    response = client.get(url("backpack-record"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vc+ld+json")
    assert response["Content-Disposition"] == (
        'attachment; filename="Learning record Zoe ukasz.json"; '
        "filename*=utf-8''Learning%20record%20Zo%C3%AB%20%C5%81ukasz.json"
    )
    record = json.loads(response.content)
    assert "ClrCredential" in record["type"]
    included = {c["id"] for c in record["credentialSubject"]["verifiableCredential"]}
    assert included == {award.ob3_credential["id"], other.ob3_credential["id"]}
    # Signed by the learner's city, and the proof holds.
    city = award.recipient.learner_profile.city
    assert record["issuer"]["name"] == city.name
    check = _verify_record(client, record)
    assert check.ok, check.reasons
    # The check can fail: a changed record does not verify.
    record["name"] = "Something else"
    assert not _verify_record(client, record).ok


def test_a_learner_without_awards_is_told_there_is_no_record_yet(client, learner):
    client.force_login(learner)
    response = client.get(url("backpack-record"))
    assert response.status_code == 404
    assert escape(errors.RECORD_NO_AWARDS) in response.content.decode()
    assert response["Content-Type"].startswith("text/html")


# --- The skills CV -------------------------------------------------------------------------------


def test_the_cv_is_one_page_with_verified_skills_and_declared_ones_apart(client, award):
    DeclaredSkill.objects.create(owner=award.recipient, name="Baking", level="expert")
    client.force_login(award.recipient)
    response = client.get(url("backpack-cv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="Skills CV Zoe')
    assert response["Content-Disposition"].endswith(
        "filename*=utf-8''Skills%20CV%20Zo%C3%AB%20%C5%81ukasz.pdf"
    )
    body = response.content
    assert body.startswith(b"%PDF-")
    assert pdf_page_count(body) == 1
    text = pdf_text(body)
    city = award.recipient.learner_profile.city
    for expected in [NAME, city.name, "Teamwork", "Leadership", "Team Captain"]:
        assert expected in text, expected
    assert publishing.award_url(award) in text
    verified, _, declared = text.partition("Skills I say I have")
    assert "Baking (Could teach it)" in declared
    assert "Baking" not in verified
    assert "Teamwork" not in declared


def test_a_long_cv_stays_on_one_page_and_counts_what_it_leaves_out(learner, organisation):
    for n in range(16):
        give(
            BadgeClassFactory(
                organisation=organisation,
                name=f"Badge {n:02d} with a name long enough to need shortening on the page",
                status="published",
                skills=[{"name": f"Skill {k:02d}"} for k in range(n % 6 + 1)]
                + [{"name": f"Own skill {n:02d}"}],
            ),
            learner,
        )
    for n in range(40):
        DeclaredSkill.objects.create(owner=learner, name=f"Declared {n:02d}", level="learning")
    body = downloads.skills_cv_pdf(user=learner)
    assert pdf_page_count(body) == 1
    text = pdf_text(body)
    assert re.search(r"and \d+ more verified skills", text)
    assert re.search(r"• and \d+ more", text)
    assert "Skill 00" in text  # the most supported skill comes first
    assert "Skills I say I have" in text


def test_a_learner_with_nothing_to_show_gets_a_message_not_a_cv(client, learner):
    client.force_login(learner)
    response = client.get(url("backpack-cv"))
    assert response.status_code == 404
    assert escape(errors.CV_NO_SKILLS) in response.content.decode()


def test_the_cv_of_declared_skills_only_says_no_badges_yet(learner):
    DeclaredSkill.objects.create(owner=learner, name="Baking", level="expert")
    text = pdf_text(downloads.skills_cv_pdf(user=learner))
    assert "No badges with skills yet." in text
    assert "Baking" in text


def test_the_award_downloads_snippet_links_each_download(award):
    html = render_to_string("learners/downloads/_award_downloads.html", {"award": award})
    for name in ["award-certificate", "award-credential-download", "award-png-download"]:
        assert url(name, public_id=award.public_id) in html
    revoked = award_revoke(award=award, by=None, reason="Given by mistake")
    html = render_to_string("learners/downloads/_award_downloads.html", {"award": revoked})
    assert url("award-certificate", public_id=award.public_id) not in html
