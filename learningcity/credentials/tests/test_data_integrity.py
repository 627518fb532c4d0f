"""eddsa-rdfc-2022 Data Integrity proofs: the 1EdTech test vector verifies, what we sign verifies
here and in the independent verifier (the conformance kit's ``verify-ob3``), and every way of
getting it wrong is refused with a reason a person can read."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import base58
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from learningcity.credentials import data_integrity, jsonld
from learningcity.credentials.data_integrity import (
    ProofCheck,
    SortOrderConflict,
    VerificationMethod,
    resolve_did_key,
    sign,
    verification_method_resolver,
    verify,
)
from learningcity.credentials.jsonld import UndefinedTerm
from learningcity.credentials.keys import ed25519_public_key_to_multibase

DATA = Path(__file__).parent / "data" / "ob3-testvector"
REPO = Path(__file__).parents[3]
KIT = Path(os.environ.get("CONFORMANCE_KIT", REPO / ".conformance"))
VERIFY_OB3 = REPO.parent / "shared" / "conformance" / "bin" / "verify-ob3"
ISSUER = "https://example.edu/issuers/565049"
CREATED = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)


def unsigned_vector() -> dict[str, Any]:
    credential = json.loads((DATA / "credential.json").read_text())
    del credential["proof"]
    return credential


def method_id(controller: str, key: Ed25519PrivateKey) -> str:
    return f"{controller}#{ed25519_public_key_to_multibase(key.public_key())}"


def controller_document(
    controller: str, key: Ed25519PrivateKey, *, method: str | None = None
) -> dict[str, Any]:
    method = method or method_id(controller, key)
    return {
        "@context": [jsonld.DID_V1_CONTEXT, jsonld.MULTIKEY_V1_CONTEXT],
        "id": controller,
        "verificationMethod": [
            {
                "id": method,
                "type": "Multikey",
                "controller": controller,
                "publicKeyMultibase": ed25519_public_key_to_multibase(key.public_key()),
            }
        ],
        "assertionMethod": [method],
    }


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def signed(key: Ed25519PrivateKey) -> dict[str, Any]:
    return sign(
        unsigned_vector(),
        private_key=key,
        verification_method=method_id(ISSUER, key),
        created=CREATED,
    )


def check(credential: dict[str, Any], *documents: dict[str, Any]) -> ProofCheck:
    return verify(credential, resolve_verification_method=verification_method_resolver(documents))


def fields(result: ProofCheck) -> list[str]:
    return [field for field, _message in result.reasons]


# --- accepted --------------------------------------------------------------------------------


def test_the_1edtech_test_vector_verifies() -> None:
    credential = json.loads((DATA / "credential.json").read_text())
    issuer = json.loads((DATA / "issuer.json").read_text())
    result = check(credential, issuer)
    assert result == ProofCheck(
        ok=True,
        reasons=[],
        verification_method=f"{ISSUER}#z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi",
        controller=ISSUER,
    )


def test_a_credential_we_sign_verifies(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    result = check(signed, controller_document(ISSUER, key))
    assert result.ok, result.reasons
    assert result.controller == ISSUER


def test_the_proof_is_an_array_of_one_data_integrity_proof(
    key: Ed25519PrivateKey, signed: dict[str, Any]
) -> None:
    # OB 3.0 §8.3: proof must be an array.
    [proof] = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["proofPurpose"] == "assertionMethod"
    assert proof["verificationMethod"] == method_id(ISSUER, key)
    assert proof["created"] == "2024-05-01T12:30:00Z"
    assert proof["proofValue"].startswith("z")
    assert len(base58.b58decode(proof["proofValue"][1:])) == 64
    assert {k: v for k, v in signed.items() if k != "proof"} == unsigned_vector()


def test_signing_does_not_change_the_input_and_is_deterministic(key: Ed25519PrivateKey) -> None:
    document = unsigned_vector()
    before = copy.deepcopy(document)
    first = sign(
        document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED
    )
    assert document == before
    again = sign(
        document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED
    )
    assert first == again  # Ed25519 signatures are deterministic (RFC 8032 §5.1.6)


def test_created_is_written_in_utc(key: Ed25519PrivateKey) -> None:
    plus_two = datetime(2024, 5, 1, 14, 30, 59, 999999, tzinfo=timezone(timedelta(hours=2)))
    credential = sign(
        unsigned_vector(),
        private_key=key,
        verification_method=method_id(ISSUER, key),
        created=plus_two,
    )
    assert credential["proof"][0]["created"] == "2024-05-01T12:30:59Z"


def test_a_did_key_issuer_verifies_without_documents(key: Ed25519PrivateKey) -> None:
    did = f"did:key:{ed25519_public_key_to_multibase(key.public_key())}"
    document = unsigned_vector()
    document["issuer"]["id"] = did
    credential = sign(
        document, private_key=key, verification_method=method_id(did, key), created=CREATED
    )
    assert check(credential).ok


def test_a_vc_v1_credential_round_trips(key: Ed25519PrivateKey) -> None:
    document = unsigned_vector()
    document["@context"] = [jsonld.VC_V1_CONTEXT, jsonld.OB_V3P0_3_0_2]
    document["issuanceDate"] = document.pop("validFrom")
    credential = sign(
        document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED
    )
    result = check(credential, controller_document(ISSUER, key))
    assert result.ok, result.reasons


def test_a_signature_made_in_utf16_order_verifies(key: Ed25519PrivateKey) -> None:
    """A JavaScript (rdf-canonize) signer sorts N-Quads by UTF-16 code unit; for text where that
    differs from RDFC-1.0's code point order its signature still verifies here."""
    document = unsigned_vector()
    document["credentialSubject"]["achievement"]["tag"] = ["\ufb33", "\U0001f602"]
    proof = {
        "type": "DataIntegrityProof",
        "created": "2024-05-01T12:30:00Z",
        "verificationMethod": method_id(ISSUER, key),
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
    }
    forms = data_integrity._canonical_forms(
        document, {"@context": document["@context"], **proof}, code_unit_order=True
    )
    signature = key.sign(data_integrity._hash_data(forms))
    credential = {
        **document,
        "proof": [{**proof, "proofValue": "z" + base58.b58encode(signature).decode()}],
    }
    assert check(credential, controller_document(ISSUER, key)).ok


# --- refused when signing ----------------------------------------------------------------------


def test_signing_refuses_a_term_the_contexts_do_not_define(key: Ed25519PrivateKey) -> None:
    document = unsigned_vector()
    document["credentialSubject"]["favouriteColour"] = "green"
    with pytest.raises(UndefinedTerm) as refused:
        sign(document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED)
    assert refused.value.path == "credentialSubject.favouriteColour"


def test_signing_refuses_a_naive_datetime(key: Ed25519PrivateKey) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        sign(
            unsigned_vector(),
            private_key=key,
            verification_method=method_id(ISSUER, key),
            created=datetime(2024, 5, 1),
        )


def test_signing_refuses_a_signed_document(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="already has a proof"):
        sign(signed, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED)


def test_signing_refuses_text_verifiers_would_sort_differently(key: Ed25519PrivateKey) -> None:
    document = unsigned_vector()
    document["credentialSubject"]["achievement"]["tag"] = [
        "\U0001f44d\ufe0f",
        "\U0001f44d\U0001f3fd",
    ]
    with pytest.raises(SortOrderConflict, match="U\\+FE0F"):
        sign(document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED)
    document["credentialSubject"]["achievement"]["tag"] = ["\U0001f44d", "\U0001f44d\U0001f3fd"]
    sign(document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED)


# --- refused when verifying --------------------------------------------------------------------


def test_a_tampered_value_is_rejected(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    credential = copy.deepcopy(signed)
    credential["credentialSubject"]["achievement"]["name"] = "Leadership"
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert result.reasons == [("proof.proofValue", data_integrity.BAD_SIGNATURE)]


def test_swapped_contexts_are_rejected(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    credential = copy.deepcopy(signed)
    credential["@context"].reverse()
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert fields(result) == ["@context"]


def test_an_added_context_is_rejected(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    # Re-contextualising: the same JSON, read through another context, says something else.
    credential = copy.deepcopy(signed)
    credential["@context"].append(jsonld.DATA_INTEGRITY_V1_CONTEXT)
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert fields(result) == ["@context"]


def test_an_undefined_term_is_rejected_before_the_signature(signed: dict[str, Any]) -> None:
    credential = copy.deepcopy(signed)
    credential["credentialSubject"]["achievement"]["grade"] = "A*"

    def must_not_resolve(method: str) -> VerificationMethod:
        raise AssertionError("the key was looked up for an unsafe document")

    result = verify(credential, resolve_verification_method=must_not_resolve)
    assert not result.ok
    assert result.reasons == [
        (
            "credentialSubject.achievement.grade",
            "property 'grade' at credentialSubject.achievement.grade is not defined by the "
            "document's @context",
        )
    ]


def test_a_key_controlled_by_someone_else_is_rejected(key: Ed25519PrivateKey) -> None:
    # A real key of another controller, signing a credential that names ISSUER as issuer.
    other = "https://mallory.example/issuer"
    credential = sign(
        unsigned_vector(),
        private_key=key,
        verification_method=method_id(other, key),
        created=CREATED,
    )
    result = check(credential, controller_document(other, key))
    assert not result.ok
    assert result.reasons == [
        (
            "proof.verificationMethod",
            data_integrity.NOT_ISSUERS_KEY.format(controller=other, issuer=ISSUER),
        )
    ]


def test_a_wrong_key_is_rejected(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    impostor = Ed25519PrivateKey.generate()
    document = controller_document(ISSUER, impostor, method=method_id(ISSUER, key))
    result = check(signed, document)
    assert not result.ok
    assert fields(result) == ["proof.proofValue"]


def test_a_proof_purpose_other_than_assertion_method_is_rejected(key: Ed25519PrivateKey) -> None:
    credential = sign(
        unsigned_vector(),
        private_key=key,
        verification_method=method_id(ISSUER, key),
        created=CREATED,
        proof_purpose="authentication",
    )
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert result.reasons == [
        ("proof.proofPurpose", data_integrity.WRONG_PURPOSE.format(value="authentication"))
    ]


def test_an_unknown_context_url_is_rejected(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    credential = copy.deepcopy(signed)
    credential["@context"][1] = "https://purl.imsglobal.org/spec/ob/v3p0/context-9.9.9.json"
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert result.reasons == [
        (
            "@context",
            "the context 'https://purl.imsglobal.org/spec/ob/v3p0/context-9.9.9.json' is not "
            "one this platform knows",
        )
    ]


def test_a_key_that_is_not_an_assertion_method_is_rejected(
    key: Ed25519PrivateKey, signed: dict[str, Any]
) -> None:
    document = controller_document(ISSUER, key)
    document["assertionMethod"] = []
    result = check(signed, document)
    assert result.reasons == [("proof.verificationMethod", data_integrity.NOT_ASSERTION_METHOD)]


def test_an_unresolvable_key_is_rejected(signed: dict[str, Any]) -> None:
    result = check(signed)
    assert not result.ok
    assert fields(result) == ["proof.verificationMethod"]
    assert "could not be resolved" in result.reasons[0][1]


def test_a_changed_proof_option_is_rejected(key: Ed25519PrivateKey, signed: dict[str, Any]) -> None:
    credential = copy.deepcopy(signed)
    credential["proof"][0]["created"] = "2024-05-02T12:30:00Z"
    assert fields(check(credential, controller_document(ISSUER, key))) == ["proof.proofValue"]


def test_an_undefined_term_in_the_proof_is_rejected(
    key: Ed25519PrivateKey, signed: dict[str, Any]
) -> None:
    credential = copy.deepcopy(signed)
    credential["proof"][0]["note"] = "trust me"
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert result.reasons[0][0] == "proof.note"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (lambda c: c.pop("proof"), "proof", data_integrity.NO_PROOF),
        (lambda c: c["proof"].append(c["proof"][0]), "proof", "2 proofs"),
        (lambda c: c.update(proof=["not a proof"]), "proof", data_integrity.NOT_A_PROOF),
        (lambda c: c["proof"][0].update(type="Ed25519Signature2020"), "proof.type", "expected"),
        (lambda c: c["proof"][0].update(cryptosuite="ecdsa-rdfc-2019"), "proof.cryptosuite", ""),
        (lambda c: c["proof"][0].update(proofValue="uABC"), "proof.proofValue", "base58-btc"),
        (lambda c: c["proof"][0].update(created="yesterday"), "proof.created", "dateTime"),
        (lambda c: c["proof"][0].pop("verificationMethod"), "proof.verificationMethod", ""),
    ],
)
def test_malformed_proofs_are_rejected_readably(
    key: Ed25519PrivateKey, signed: dict[str, Any], change: Any, field: str, message: str
) -> None:
    credential = copy.deepcopy(signed)
    change(credential)
    result = check(credential, controller_document(ISSUER, key))
    assert not result.ok
    assert any(f == field and message in m for f, m in result.reasons), result.reasons


def test_a_key_that_is_not_a_string_is_rejected(
    key: Ed25519PrivateKey, signed: dict[str, Any]
) -> None:
    document = controller_document(ISSUER, key)
    document["verificationMethod"][0]["publicKeyMultibase"] = ["z6Mk"]
    result = check(signed, document)
    assert not result.ok
    assert fields(result) == ["proof.verificationMethod"]


def test_a_deeply_nested_credential_is_rejected_not_raised(signed: dict[str, Any]) -> None:
    credential = copy.deepcopy(signed)
    nested: dict[str, Any] = {"type": "Profile", "name": "x"}
    for _ in range(5000):
        nested = {"type": "Profile", "name": "x", "parentOrg": nested}
    credential["issuer"]["parentOrg"] = nested
    result = verify(credential, resolve_verification_method=resolve_did_key)
    assert result.reasons == [("", "the document is nested too deeply to process")]


def test_verify_never_raises_on_junk() -> None:
    for junk in (None, [], "credential", {"proof": {}}, {"@context": 5, "proof": {"type": 1}}):
        assert not verify(junk, resolve_verification_method=resolve_did_key).ok  # type: ignore[arg-type]


# --- resolvers ---------------------------------------------------------------------------------


def test_resolve_did_key(key: Ed25519PrivateKey) -> None:
    multibase = ed25519_public_key_to_multibase(key.public_key())
    resolved = resolve_did_key(f"did:key:{multibase}#{multibase}")
    assert resolved.method["controller"] == f"did:key:{multibase}"
    assert resolved.assertion_method == (f"did:key:{multibase}#{multibase}",)
    with pytest.raises(LookupError):
        resolve_did_key(f"did:key:{multibase}#other")


def test_a_controller_document_must_use_the_controller_contexts(key: Ed25519PrivateKey) -> None:
    document = controller_document(ISSUER, key)
    document["@context"] = [jsonld.MULTIKEY_V1_CONTEXT]  # no DID v1: assertionMethod undefined
    with pytest.raises(ValueError, match="not acceptable"):
        verification_method_resolver([document])(method_id(ISSUER, key))


def test_a_relative_method_id_is_refused(key: Ed25519PrivateKey) -> None:
    # Resolved against no base (as the Data Integrity verifiers do), "#key-1" is not signed.
    document = controller_document(ISSUER, key)
    document["verificationMethod"][0]["id"] = "#key-1"
    document["assertionMethod"] = ["#key-1"]
    with pytest.raises(ValueError, match="not an absolute IRI"):
        verification_method_resolver([document])(f"{ISSUER}#key-1")


# --- the independent verifier ------------------------------------------------------------------


def verify_ob3(credential: dict[str, Any], tmp_path: Path, *docs: dict[str, Any]) -> dict[str, Any]:
    if shutil.which("node") is None:
        pytest.skip("node is not installed: verify-ob3 needs it")
    if not VERIFY_OB3.exists() or not (KIT / "node_modules").is_dir():
        pytest.skip(f"the conformance kit is not installed ({VERIFY_OB3}, {KIT})")
    arguments = [str(VERIFY_OB3)]
    if docs:
        folder = tmp_path / "docs"
        folder.mkdir()
        urls = {}
        for number, document in enumerate(docs):
            (folder / f"{number}.json").write_text(json.dumps(document))
            urls[document["id"]] = f"{number}.json"
        (folder / "urls.json").write_text(json.dumps(urls))
        arguments += ["--docs", str(folder)]
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(credential, ensure_ascii=False))
    result = subprocess.run(
        [*arguments, str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "CONFORMANCE_KIT": str(KIT)},
        timeout=120,
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_independent_verifier_accepts_what_we_sign(
    key: Ed25519PrivateKey, signed: dict[str, Any], tmp_path: Path
) -> None:
    report = verify_ob3(signed, tmp_path, controller_document(ISSUER, key))
    assert report["result"] == "accepted", report["errors"]


def test_the_independent_verifier_accepts_a_did_key_issuer(
    key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    did = f"did:key:{ed25519_public_key_to_multibase(key.public_key())}"
    document = unsigned_vector()
    document["issuer"]["id"] = did
    credential = sign(
        document, private_key=key, verification_method=method_id(did, key), created=CREATED
    )
    report = verify_ob3(credential, tmp_path)
    assert report["result"] == "accepted", report["errors"]


def test_the_independent_verifier_accepts_hostile_text(
    key: Ed25519PrivateKey, tmp_path: Path
) -> None:
    # Control characters are where PyLD's own N-Quads escaping and RDFC-1.0 part ways.
    document = unsigned_vector()
    document["name"] = 'Bell\x07 back\x08 form\x0c del\x7f tab\t "quote" \\ new\nline \u2028 é 😀'
    document["credentialSubject"]["achievement"]["description"] = "\u05d0\u202e\u0301\x00"
    credential = sign(
        document, private_key=key, verification_method=method_id(ISSUER, key), created=CREATED
    )
    assert check(credential, controller_document(ISSUER, key)).ok
    report = verify_ob3(credential, tmp_path, controller_document(ISSUER, key))
    assert report["result"] == "accepted", report["errors"]


def test_the_independent_verifier_rejects_what_we_reject(
    key: Ed25519PrivateKey, signed: dict[str, Any], tmp_path: Path
) -> None:
    credential = copy.deepcopy(signed)
    credential["name"] = "Teamwork Badge (edited)"
    report = verify_ob3(credential, tmp_path, controller_document(ISSUER, key))
    assert report["result"] == "rejected"
    assert not check(credential, controller_document(ISSUER, key)).ok
