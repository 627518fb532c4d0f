"""OB 3.0 / CLR 2.0 / status list / controller documents, checked against the conformance kit.

The kit helpers at the top (``run_tool``, ``safe_mode_errors``) are shared by the other test
modules of this package; each skips, saying why, when node, Python 3.7 or the kit is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from learningcity.credentials import documents as d
from learningcity.credentials import keys, status_list

# --- conformance kit helpers -------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[3]
KIT_TOOLS = REPO.parent / "shared" / "conformance" / "bin"
KIT = Path(os.environ.get("CONFORMANCE_KIT") or REPO / ".conformance")


def kit_or_skip(*, node: bool = True) -> None:
    if not KIT_TOOLS.is_dir():
        pytest.skip(f"conformance kit tools not found at {KIT_TOOLS}")
    if not KIT.is_dir() or (node and not (KIT / "node_modules").is_dir()):
        pytest.skip(f"conformance kit not installed at {KIT} (run shared/conformance/setup.sh)")
    if node and shutil.which("node") is None:
        pytest.skip("node is not on PATH: the conformance kit's verifiers need it")


def run_tool(tool: str, *args: str | Path) -> dict[str, Any]:
    """Run one kit tool; return its JSON report. Skips when the tool cannot run here."""
    kit_or_skip(node=tool != "validate-ob2" and tool != "validate-ob3-schema")
    env = {**os.environ, "CONFORMANCE_KIT": str(KIT)}
    completed = subprocess.run(
        [str(KIT_TOOLS / tool), *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    try:
        report: dict[str, Any] = json.loads(completed.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"{tool} printed no JSON report:\n{completed.stdout}\n{completed.stderr}")
    if report["result"] == "error":
        message = "; ".join(report["errors"])
        if "not installed" in message or "not found" in message or "not importable" in message:
            pytest.skip(f"{tool} cannot run here: {message}")
    return report


_SAFE_MODE_SCRIPT = """
import {createRequire} from 'node:module';
import fs from 'node:fs';
const [kit, docsDir, ...files] = process.argv.slice(2);
const {createLoader, errorMessages} = await import(kit + '/js/loader.mjs');
const jsonld = createRequire(kit + '/js/loader.mjs')('jsonld');
const loader = createLoader({docsDirs: docsDir ? [docsDir] : []});
const out = [];
for (const file of files) {
  try {
    const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    await jsonld.expand(doc, {documentLoader: loader.documentLoader, safe: true});
    out.push(null);
  } catch (e) { out.push(errorMessages(e).join('; ') || String(e)); }
}
process.stdout.write(JSON.stringify(out));
"""


def safe_mode_errors(tmp_path: Path, *documents: dict[str, Any]) -> list[str | None]:
    """JSON-LD safe-mode expansion of each document by the kit's ``jsonld`` (Digital Bazaar)
    with only the kit's bundled contexts: ``None`` per document that expands cleanly."""
    kit_or_skip()
    script = tmp_path / "safe_mode.mjs"
    script.write_text(_SAFE_MODE_SCRIPT)
    files = []
    for number, document in enumerate(documents):
        path = tmp_path / f"doc{number}.json"
        path.write_text(json.dumps(document))
        files.append(str(path))
    completed = subprocess.run(
        ["node", str(script), str(KIT), "", *files],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        pytest.fail(f"safe-mode script failed:\n{completed.stderr}")
    result: list[str | None] = json.loads(completed.stdout)
    return result


def write_docs(folder: Path, documents: dict[str, Any]) -> Path:
    """A ``--docs`` folder serving ``{url: document}`` offline."""
    folder.mkdir(parents=True, exist_ok=True)
    urls = {}
    for number, (url, document) in enumerate(documents.items()):
        name = f"doc{number}.json"
        (folder / name).write_text(json.dumps(document))
        urls[url] = name
    (folder / "urls.json").write_text(json.dumps(urls))
    return folder


# --- fixtures ----------------------------------------------------------------------------------

ISSUED = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)
ISSUER = d.Issuer(
    id="https://brighton.example/issuers/7",
    name="Brighton Youth Hub",
    url="https://brighton.example",
    email="badges@brighton.example",
    description="Youth club",
    image="https://brighton.example/logo.png",
)
ACHIEVEMENT = d.Achievement(
    id="https://brighton.example/achievements/42",
    name="Team Player",
    description="Worked with others to deliver a project.",
    criteria_narrative="Took part in all four sessions and presented the group project.",
    image_id="https://brighton.example/achievements/42/image.png",
    image_caption="A blue hexagon",
    level="Participate",
    alignments=(
        d.Alignment(
            target_name="Teamwork",
            target_url="https://www.skillsbuilder.org/universal-framework/teamwork",
            target_framework="Skills Builder Universal Framework",
            target_code="TW",
        ),
    ),
    tags=("teamwork",),
    creator=ISSUER,
)
RECIPIENT = d.recipient_for_email("Learner@Example.org", salt="s4lt")
STATUS = d.StatusEntry(
    id="https://brighton.example/status/1#94567",
    status_list_credential="https://brighton.example/status/1",
    status_list_index=94567,
)


def badge(**overrides: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "id": "https://brighton.example/credentials/1001",
        "issuer": ISSUER,
        "achievement": ACHIEVEMENT,
        "recipient": RECIPIENT,
        "valid_from": ISSUED,
        "name": "Team Player",
    }
    arguments.update(overrides)
    return d.open_badge_credential(**arguments)


def walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


# --- OpenBadgeCredential -----------------------------------------------------------------------


def test_open_badge_credential_has_exactly_the_vc_and_ob3_contexts_and_types() -> None:
    credential = badge()
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "credentialSchema" not in credential


def test_dates_are_utc_seconds_with_z() -> None:
    plus_two = timezone(timedelta(hours=2))
    credential = badge(
        valid_from=datetime(2025, 3, 1, 11, 30, 15, 999_999, tzinfo=plus_two),
        valid_until=datetime(2026, 3, 1, tzinfo=UTC),
    )
    assert credential["validFrom"] == "2025-03-01T09:30:15Z"
    assert credential["validUntil"] == "2026-03-01T00:00:00Z"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        badge(valid_from=datetime(2025, 3, 1))


def test_valid_until_must_follow_valid_from() -> None:
    with pytest.raises(ValueError, match="after"):
        badge(valid_until=ISSUED)


def test_a_learner_known_by_email_has_an_identifier_and_no_subject_id() -> None:
    subject = badge()["credentialSubject"]
    assert "id" not in subject
    assert subject["type"] == ["AchievementSubject"]
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "identityHash": d.email_identity_hash("learner@example.org", "s4lt"),
            "identityType": "emailAddress",
            "hashed": True,
            "salt": "s4lt",
        }
    ]


def test_a_learner_with_a_did_also_gets_a_subject_id() -> None:
    recipient = d.recipient_for_email("a@example.org", salt="x", id="did:example:learner")
    assert badge(recipient=recipient)["credentialSubject"]["id"] == "did:example:learner"


def test_the_achievement_carries_criteria_image_alignment_creator_and_the_level_tag() -> None:
    achievement = badge()["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Badge"
    assert achievement["criteria"] == {"narrative": ACHIEVEMENT.criteria_narrative}
    assert achievement["image"] == {
        "id": ACHIEVEMENT.image_id,
        "type": "Image",
        "caption": "A blue hexagon",
    }
    assert achievement["tag"] == ["Level: Participate", "teamwork"]
    assert achievement["alignment"][0]["type"] == ["Alignment"]
    assert achievement["alignment"][0]["targetCode"] == "TW"
    assert achievement["creator"]["id"] == ISSUER.id


def test_the_level_round_trips_through_the_tags() -> None:
    tags = badge()["credentialSubject"]["achievement"]["tag"]
    assert d.level_from_tags(tags) == "Participate"
    assert d.level_from_tags(["teamwork", "Level: Wizard"]) is None


def test_an_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="Engage, Participate, Demonstrate, Lead"):
        d.Achievement(id="x", name="n", description="d", criteria_narrative="c", level="Expert")


def test_alignment_target_type_must_be_in_the_ob3_vocabulary() -> None:
    d.Alignment(target_name="t", target_url="https://x.example", target_type="ceasn:Competency")
    d.Alignment(target_name="t", target_url="https://x.example", target_type="ext:SkillsBuilder")
    with pytest.raises(ValueError, match="AlignmentTargetType"):
        d.Alignment(target_name="t", target_url="https://x.example", target_type="Skill")


def test_status_entry_is_a_bitstring_entry_with_a_string_index() -> None:
    assert badge(status=STATUS)["credentialStatus"] == {
        "id": "https://brighton.example/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://brighton.example/status/1",
    }


def test_status_entry_refuses_bad_indexes_and_purposes() -> None:
    with pytest.raises(ValueError):
        d.StatusEntry(id="x", status_list_credential="y", status_list_index=-1)
    with pytest.raises(TypeError):
        d.StatusEntry(id="x", status_list_credential="y", status_list_index="5")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        d.StatusEntry(id="x", status_list_credential="y", status_list_index=1, status_purpose="x")


def test_evidence_is_listed_with_its_type() -> None:
    credential = badge(
        evidence=(d.Evidence(id="https://brighton.example/e/1", name="Photo", narrative="Built"),)
    )
    assert credential["evidence"] == [
        {
            "id": "https://brighton.example/e/1",
            "type": ["Evidence"],
            "name": "Photo",
            "narrative": "Built",
        }
    ]
    with pytest.raises(ValueError):
        d.Evidence(name="nothing to point at")


def test_documents_never_contain_nulls_or_empty_lists() -> None:
    minimal = d.Achievement(id="x", name="n", description="d", criteria_narrative="c")
    credential = badge(achievement=minimal, issuer=d.Issuer(id="https://i.example", name="I"))
    for value in walk(credential):
        assert value is not None
        assert value != []


def test_recipient_identity_hash_must_be_sha256_hex() -> None:
    with pytest.raises(ValueError, match="sha256"):
        d.Recipient(identity_hash="md5$abc", salt="x")


def test_email_identity_hash_normalises_case_and_whitespace() -> None:
    import hashlib

    expected = "sha256$" + hashlib.sha256(b"learner@example.orgs4lt").hexdigest()
    assert d.email_identity_hash("  Learner@Example.ORG ", "s4lt") == expected


# --- endorsement, status list, CLR -------------------------------------------------------------


def test_endorsement_credential_names_the_endorsed_achievement() -> None:
    endorsement = d.endorsement_credential(
        id="https://brighton.example/endorsements/3",
        issuer=d.Issuer(id="https://city.example/issuers/1", name="Brighton City Council"),
        endorsed_id=ACHIEVEMENT.id,
        comment="Meets the city's youth work standard.",
        valid_from=ISSUED,
    )
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["name"] == "Endorsement by Brighton City Council"
    assert endorsement["credentialSubject"] == {
        "id": ACHIEVEMENT.id,
        "type": ["EndorsementSubject"],
        "endorsementComment": "Meets the city's youth work standard.",
    }


def test_bitstring_status_list_credential_shape() -> None:
    encoded = status_list.encode(status_list.new())
    credential = d.bitstring_status_list_credential(
        id="https://brighton.example/status/1",
        issuer_id=ISSUER.id,
        encoded_list=encoded,
        status_purpose="revocation",
        valid_from=ISSUED,
    )
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["issuer"] == ISSUER.id
    assert credential["credentialSubject"] == {
        "id": "https://brighton.example/status/1#list",
        "type": "BitstringStatusList",
        "statusPurpose": "revocation",
        "encodedList": encoded,
    }


def clr() -> dict[str, Any]:
    return d.clr_credential(
        id="https://brighton.example/clr/learner-9",
        issuer=ISSUER,
        learner=RECIPIENT,
        credentials=[badge(), badge(id="https://brighton.example/credentials/1002")],
        valid_from=ISSUED,
        name="Learning record",
    )


def test_clr_credential_bundles_credentials_in_a_clr_subject() -> None:
    record = clr()
    assert record["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert record["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = record["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert len(subject["verifiableCredential"]) == 2
    with pytest.raises(ValueError):
        d.clr_credential(
            id="x", issuer=ISSUER, learner=RECIPIENT, credentials=[], valid_from=ISSUED, name="n"
        )


# --- did:web, controller documents, JWKS -------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "path", "did"),
    [
        ("brighton.example", [], "did:web:brighton.example"),
        ("Brighton.Example", ["issuers", "7"], "did:web:brighton.example:issuers:7"),
        ("localhost:8000", ["orgs", "7"], "did:web:localhost%3A8000:orgs:7"),
        ("127.0.0.1:8000", [], "did:web:127.0.0.1%3A8000"),
        ("example.org", ["a b", "c:d"], "did:web:example.org:a%20b:c%3Ad"),
    ],
)
def test_did_web_for(host: str, path: list[str], did: str) -> None:
    assert d.did_web_for(host, path) == did


@pytest.mark.parametrize("host", ["", "a/b", "ex ample.org", "example.org:port", "user@host"])
def test_did_web_for_refuses_what_is_not_a_host(host: str) -> None:
    with pytest.raises(ValueError):
        d.did_web_for(host, [])


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:brighton.example", "https://brighton.example/.well-known/did.json"),
        ("did:web:brighton.example:issuers:7", "https://brighton.example/issuers/7/did.json"),
        ("did:web:example.org%3A8443:orgs:7", "https://example.org:8443/orgs/7/did.json"),
        ("did:web:localhost%3A8000:orgs:7", "http://localhost:8000/orgs/7/did.json"),
        ("did:web:127.0.0.1%3A8000", "http://127.0.0.1:8000/.well-known/did.json"),
        ("did:web:brighton.example#key-1", "https://brighton.example/.well-known/did.json"),
        ("did:web:127.0.0.1.example.org", "https://127.0.0.1.example.org/.well-known/did.json"),
        ("did:web:example.org:a%20b", "https://example.org/a%20b/did.json"),
    ],
)
def test_did_web_to_url(did: str, url: str) -> None:
    assert d.did_web_to_url(did) == url


@pytest.mark.parametrize(
    "did",
    ["did:key:z6Mk", "did:web:", "did:web:example.org::x", "https://x", "did:web:a.example:b/c"],
)
def test_did_web_to_url_refuses_other_identifiers(did: str) -> None:
    with pytest.raises(ValueError):
        d.did_web_to_url(did)


def test_did_web_round_trip() -> None:
    did = d.did_web_for("localhost:8000", ["issuers", "7"])
    assert d.did_web_to_url(did) == "http://localhost:8000/issuers/7/did.json"


def test_did_document_lists_every_ed25519_key_as_an_assertion_method() -> None:
    did = "did:web:brighton.example:issuers:7"
    old, new = keys.ed25519_generate().public_key(), keys.ed25519_generate().public_key()
    document = d.did_web_document(did=did, ed25519_keys=[old, new])
    assert document["@context"] == [
        "https://www.w3.org/ns/did/v1",
        "https://w3id.org/security/multikey/v1",
    ]
    assert document["id"] == did
    multibase = keys.ed25519_public_key_to_multibase(old)
    assert document["verificationMethod"][0] == {
        "id": f"{did}#{multibase}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multibase,
    }
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]
    assert len(document["assertionMethod"]) == 2


def test_did_document_refuses_no_keys_and_duplicate_keys() -> None:
    key = keys.ed25519_generate().public_key()
    with pytest.raises(ValueError):
        d.did_web_document(did="did:web:x.example", ed25519_keys=[])
    with pytest.raises(ValueError):
        d.did_web_document(did="did:web:x.example", ed25519_keys=[key, key])


def test_controller_document_can_carry_the_issuer_profile() -> None:
    key = keys.ed25519_generate().public_key()
    document = d.controller_document(id=ISSUER.id, ed25519_keys=[key], profile=ISSUER)
    assert document["@context"][-1] == d.OB3_CONTEXT
    assert document["type"] == ["Profile"]
    assert document["name"] == ISSUER.name
    with pytest.raises(ValueError):
        d.controller_document(id="https://other.example", ed25519_keys=[key], profile=ISSUER)


def test_multikey_document_for_one_key() -> None:
    key = keys.ed25519_generate().public_key()
    document = d.multikey_document(controller=ISSUER.id, public_key=key)
    assert document["@context"] == ["https://w3id.org/security/multikey/v1"]
    assert document["id"] == d.verification_method_id(ISSUER.id, key)
    assert document["type"] == "Multikey"


def test_jwks_holds_public_rsa_keys_only() -> None:
    key = keys.rsa_generate()
    published = d.jwks([("key-1", key.public_key())])
    assert [k["kid"] for k in published["keys"]] == ["key-1"]
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(published["keys"][0])
    with pytest.raises(ValueError):
        d.jwks([("a", key.public_key()), ("a", key.public_key())])


# --- conformance kit ---------------------------------------------------------------------------


def test_open_badge_credential_passes_the_1edtech_json_schema(tmp_path: Path) -> None:
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(badge(status=STATUS, evidence=(d.Evidence(narrative="Presented"),))))
    report = run_tool("validate-ob3-schema", path)
    assert report["result"] == "accepted", report["errors"]


def test_endorsement_credential_passes_the_1edtech_json_schema(tmp_path: Path) -> None:
    path = tmp_path / "endorsement.json"
    path.write_text(
        json.dumps(
            d.endorsement_credential(
                id="https://city.example/endorsements/1",
                issuer=d.Issuer(id="https://city.example/issuers/1", name="City"),
                endorsed_id=ACHIEVEMENT.id,
                comment="Good",
                valid_from=ISSUED,
                status=STATUS,
            )
        )
    )
    report = run_tool("validate-ob3-schema", path)
    assert report["result"] == "accepted", report["errors"]
    assert report["details"]["validatedAs"].startswith("EndorsementCredential")


def test_every_document_expands_in_json_ld_safe_mode_with_bundled_contexts(
    tmp_path: Path,
) -> None:
    key = keys.ed25519_generate().public_key()
    documents = {
        "credential": badge(
            status=STATUS,
            evidence=(d.Evidence(id="https://e.example/1", narrative="n", genre="Photo"),),
            recipient=d.recipient_for_email("a@example.org", salt="x", id="did:example:1"),
            valid_until=ISSUED + timedelta(days=365),
            image="https://brighton.example/a.png",
            description="d",
        ),
        "endorsement": d.endorsement_credential(
            id="https://city.example/e/1",
            issuer=ISSUER,
            endorsed_id=ISSUER.id,
            comment="c",
            valid_from=ISSUED,
        ),
        "status list": d.bitstring_status_list_credential(
            id="https://brighton.example/status/1",
            issuer_id=ISSUER.id,
            encoded_list=status_list.encode(status_list.new()),
            status_purpose="revocation",
            valid_from=ISSUED,
        ),
        "clr": clr(),
        "did document": d.did_web_document(did="did:web:brighton.example", ed25519_keys=[key]),
        "controller + profile": d.controller_document(
            id=ISSUER.id, ed25519_keys=[key], profile=ISSUER
        ),
        "multikey": d.multikey_document(controller=ISSUER.id, public_key=key),
    }
    errors = safe_mode_errors(tmp_path, *documents.values())
    assert dict(zip(documents, errors, strict=True)) == dict.fromkeys(documents)


def test_a_did_document_with_a_json_web_key_fails_safe_mode(tmp_path: Path) -> None:
    # Why RSA keys stay out of the DID document: no bundled context defines JsonWebKey.
    key = keys.ed25519_generate().public_key()
    document = d.did_web_document(did="did:web:brighton.example", ed25519_keys=[key])
    document["verificationMethod"].append(
        {
            "id": "did:web:brighton.example#rsa-1",
            "type": "JsonWebKey",
            "controller": "did:web:brighton.example",
            "publicKeyJwk": keys.rsa_public_jwk(keys.rsa_generate().public_key()),
        }
    )
    [error] = safe_mode_errors(tmp_path, document)
    assert error is not None and "Safe mode" in error


def _sign_or_skip() -> Any:
    try:
        from learningcity.credentials import data_integrity
    except ImportError:
        pytest.skip("data_integrity.sign is not available yet (written by another module)")
    return data_integrity.sign


def test_signed_credential_with_status_passes_verify_ob3(tmp_path: Path) -> None:
    sign = _sign_or_skip()
    private = keys.ed25519_generate()
    did = "did:web:brighton.example:issuers:7"
    issuer = d.Issuer(id=did, name="Brighton Youth Hub")
    method = d.verification_method_id(did, private.public_key())
    bits = status_list.new()
    status_list.set_bit(bits, 9)
    status_credential = sign(
        d.bitstring_status_list_credential(
            id="https://brighton.example/status/1",
            issuer_id=did,
            encoded_list=status_list.encode(bits),
            status_purpose="revocation",
            valid_from=ISSUED,
        ),
        private_key=private,
        verification_method=method,
        created=ISSUED,
    )
    docs = write_docs(
        tmp_path / "docs",
        {
            d.did_web_to_url(did): d.did_web_document(
                did=did, ed25519_keys=[keys.ed25519_generate().public_key(), private.public_key()]
            ),
            "https://brighton.example/status/1": status_credential,
        },
    )
    for index, expected in ((8, "accepted"), (9, "rejected")):
        entry = d.StatusEntry(
            id=f"https://brighton.example/status/1#{index}",
            status_list_credential="https://brighton.example/status/1",
            status_list_index=index,
        )
        credential = sign(
            badge(issuer=issuer, status=entry),
            private_key=private,
            verification_method=method,
            created=ISSUED,
        )
        path = tmp_path / f"credential-{index}.json"
        path.write_text(json.dumps(credential))
        report = run_tool("verify-ob3", "--docs", docs, path)
        assert report["result"] == expected, report["errors"]
        if expected == "rejected":
            assert any("revoked" in e for e in report["errors"])
        schema = run_tool("validate-ob3-schema", path)
        assert schema["result"] == "accepted", schema["errors"]


def _did_signer(tmp_path: Path) -> tuple[d.Issuer, Path, Any]:
    """A did:web issuer, a --docs folder serving its DID document, and a signing function."""
    sign = _sign_or_skip()
    private = keys.ed25519_generate()
    did = "did:web:city.example"
    method = d.verification_method_id(did, private.public_key())
    docs = write_docs(
        tmp_path / "docs",
        {d.did_web_to_url(did): d.did_web_document(did=did, ed25519_keys=[private.public_key()])},
    )

    def signed(document: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = sign(
            document, private_key=private, verification_method=method, created=ISSUED
        )
        return result

    return d.Issuer(id=did, name="Brighton City Council"), docs, signed


def test_signed_endorsement_passes_verify_ob3(tmp_path: Path) -> None:
    issuer, docs, signed = _did_signer(tmp_path)
    endorsement = signed(
        d.endorsement_credential(
            id="https://city.example/endorsements/1",
            issuer=issuer,
            endorsed_id=ACHIEVEMENT.id,
            comment="Meets the city's youth work standard.",
            valid_from=ISSUED,
        )
    )
    path = tmp_path / "endorsement.json"
    path.write_text(json.dumps(endorsement))
    report = run_tool("verify-ob3", "--docs", docs, path)
    assert report["result"] == "accepted", report["errors"]


def test_signed_clr_passes_verify_ob3(tmp_path: Path) -> None:
    issuer, docs, signed = _did_signer(tmp_path)
    from learningcity.credentials.jsonld import ContextNotAllowed

    clr_document = d.clr_credential(
        id="https://city.example/clr/1",
        issuer=issuer,
        learner=RECIPIENT,
        credentials=[signed(badge(issuer=issuer))],
        valid_from=ISSUED,
        name="Learning record",
    )
    try:
        record = signed(clr_document)
    except ContextNotAllowed:
        # Each bundled credential keeps its own @context (its proof depends on it); the
        # signer does not accept embedded contexts yet.
        pytest.skip("data_integrity.sign refuses the embedded @context of CLR credentials")
    path = tmp_path / "clr.json"
    path.write_text(json.dumps(record))
    report = run_tool("verify-ob3", "--docs", docs, path)
    assert report["result"] == "accepted", report["errors"]
