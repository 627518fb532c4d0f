"""The shipped contexts, the offline loader, the context allow-list, safe-mode expansion and the
reference canonicalisation."""

from __future__ import annotations

import copy
import json
import socket
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld

from learningcity.credentials import jsonld
from learningcity.credentials.jsonld import (
    CONTROLLER_DOCUMENT_CONTEXTS,
    CREDENTIAL_CONTEXTS,
    ContextNotAllowed,
    UndefinedTerm,
    UnknownContext,
    UnsafeValue,
)

DATA = Path(__file__).parent / "data" / "ob3-testvector"
KIT_CONTEXTS = Path(__file__).parents[3].parent / "shared" / "conformance" / "contexts"
VC_V2 = jsonld.VC_V2_CONTEXT
OB3 = jsonld.OB_V3P0_3_0_3


def unsigned_vector() -> dict[str, Any]:
    credential = json.loads((DATA / "credential.json").read_text())
    del credential["proof"]
    return credential


# --- the shipped contexts ----------------------------------------------------------------------


def test_every_shipped_context_equals_the_conformance_kit_copy() -> None:
    if not KIT_CONTEXTS.is_dir():
        pytest.skip(f"conformance kit contexts not found at {KIT_CONTEXTS}")
    urls = json.loads((jsonld.CONTEXTS_DIR / "urls.json").read_text())
    kit_urls = json.loads((KIT_CONTEXTS / "urls.json").read_text())
    for url, name in urls.items():
        assert kit_urls[url] == name
        shipped = json.loads((jsonld.CONTEXTS_DIR / name).read_text())
        assert shipped == json.loads((KIT_CONTEXTS / name).read_text()), url


def test_every_mapped_file_exists_and_every_file_is_mapped_and_sourced() -> None:
    urls = json.loads((jsonld.CONTEXTS_DIR / "urls.json").read_text())
    files = {p.name for p in jsonld.CONTEXTS_DIR.glob("*.json")} - {"urls.json"}
    assert set(urls.values()) == files
    sources = (jsonld.CONTEXTS_DIR / "SOURCES.md").read_text()
    for url in urls:
        assert f"`{url}`" in sources, f"{url} is not in contexts/SOURCES.md"


def test_the_platforms_contexts_are_all_shipped() -> None:
    for url in (
        VC_V2,
        jsonld.VC_V1_CONTEXT,
        OB3,
        jsonld.OB_V3P0_3_0_2,
        jsonld.OB_V3P0_3_0_1,
        jsonld.OB_V3P0_UNVERSIONED,
        jsonld.OB_V3P0_EXTENSIONS,
        jsonld.CLR_V2P0_2_0_1,
        jsonld.DATA_INTEGRITY_V1_CONTEXT,
        jsonld.DATA_INTEGRITY_V2_CONTEXT,
        jsonld.MULTIKEY_V1_CONTEXT,
        jsonld.DID_V1_CONTEXT,
        jsonld.STATUS_V1_CONTEXT,
        "https://w3id.org/openbadges/v2",
        "https://w3id.org/openbadges/v1",
    ):
        assert jsonld.document_loader(url)["document"]["@context"]


# --- the loader --------------------------------------------------------------------------------


def test_the_loader_refuses_a_url_it_does_not_ship() -> None:
    with pytest.raises(UnknownContext) as refused:
        jsonld.document_loader("https://example.org/evil-context.json")
    assert refused.value.url == "https://example.org/evil-context.json"


def test_the_loader_hands_out_copies() -> None:
    first = jsonld.document_loader(VC_V2)["document"]
    first["@context"]["name"] = "https://example.org/hijacked"
    assert jsonld.document_loader(VC_V2)["document"]["@context"]["name"] == (
        "https://schema.org/name"
    )


def test_nothing_touches_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    document = unsigned_vector()
    document["@context"] = [VC_V2, "https://example.org/unknown.json"]
    with pytest.raises(UnknownContext):
        jsonld.canonicalize_reference(document)
    with pytest.raises(UnknownContext):
        jsonld.expand_safe(document)


def test_an_unknown_context_is_named_even_when_pyld_wraps_the_error() -> None:
    document = unsigned_vector()
    document["@context"] = [VC_V2, OB3, "https://example.org/unknown.json"]
    with pytest.raises(UnknownContext) as refused:
        jsonld.canonicalize_reference(document)
    assert "https://example.org/unknown.json" in str(refused.value)


# --- the context allow-list --------------------------------------------------------------------


def test_every_accepted_credential_context_list_processes() -> None:
    for contexts in sorted(CREDENTIAL_CONTEXTS | CONTROLLER_DOCUMENT_CONTEXTS):
        jsonld.active_context(contexts)


def test_an_accepted_list_starts_with_a_vc_base_context() -> None:
    for contexts in CREDENTIAL_CONTEXTS:
        assert contexts[0] in (VC_V2, jsonld.VC_V1_CONTEXT)
        assert jsonld.OB_V3P0_3_0_3 not in contexts or contexts[0] == VC_V2


def test_the_platforms_lists_are_accepted() -> None:
    document = unsigned_vector()
    assert jsonld.context_list(document) == (VC_V2, OB3)
    for contexts in ([VC_V2], [VC_V2, jsonld.CLR_V2P0_2_0_1, OB3], [VC_V2, OB3]):
        assert jsonld.context_list({"@context": contexts}) == tuple(contexts)


def test_swapped_contexts_are_refused() -> None:
    with pytest.raises(ContextNotAllowed, match="first @context must be"):
        jsonld.context_list({"@context": [OB3, VC_V2]})


def test_an_added_context_is_refused() -> None:
    with pytest.raises(ContextNotAllowed, match="not one of the accepted lists"):
        jsonld.context_list({"@context": [VC_V2, OB3, jsonld.MULTIKEY_V1_CONTEXT]})


def test_an_embedded_context_object_is_refused() -> None:
    with pytest.raises(ContextNotAllowed, match="embedded @context objects"):
        jsonld.context_list({"@context": [VC_V2, OB3, {"name": "https://example.org/name"}]})


def test_an_old_ob_context_on_vc_v2_is_refused() -> None:
    # OB 3.0.1 redefines protected VC v2 terms; it only ever went with VC v1.
    with pytest.raises(ContextNotAllowed):
        jsonld.context_list({"@context": [VC_V2, jsonld.OB_V3P0_3_0_1]})


def test_a_missing_context_is_refused() -> None:
    with pytest.raises(ContextNotAllowed, match="no @context"):
        jsonld.context_list({"id": "https://example.org/x"})


def test_a_controller_document_list_is_not_a_credential_list() -> None:
    controller = {"@context": [jsonld.DID_V1_CONTEXT, jsonld.MULTIKEY_V1_CONTEXT]}
    with pytest.raises(ContextNotAllowed):
        jsonld.context_list(controller)
    assert jsonld.context_list(controller, accepted=CONTROLLER_DOCUMENT_CONTEXTS)


# --- safe expansion ----------------------------------------------------------------------------


def test_expand_safe_expands_a_clean_credential_as_pyld_does() -> None:
    document = unsigned_vector()
    expected = pyld_jsonld.JsonLdProcessor().expand(copy.deepcopy(document), jsonld._pyld_options())
    assert jsonld.expand_safe(document) == expected


def test_an_undefined_property_is_refused_with_its_path() -> None:
    document = unsigned_vector()
    document["credentialSubject"]["achievement"]["criteria"]["favouriteColour"] = "blue"
    with pytest.raises(UndefinedTerm) as refused:
        jsonld.expand_safe(document)
    assert refused.value.term == "favouriteColour"
    assert refused.value.path == "credentialSubject.achievement.criteria.favouriteColour"


def test_an_undefined_type_is_refused_with_its_path() -> None:
    document = unsigned_vector()
    document["credentialSubject"]["type"] = ["AchievementSubject", "1EdTechJsonSchemaValidator2019"]
    with pytest.raises(UndefinedTerm) as refused:
        jsonld.expand_safe(document)
    assert refused.value.term == "1EdTechJsonSchemaValidator2019"
    assert refused.value.path == "credentialSubject.type[1]"
    assert "type '1EdTechJsonSchemaValidator2019'" in str(refused.value)


def test_the_extensions_context_defines_the_1edtech_types() -> None:
    document = unsigned_vector()
    document["@context"] = [VC_V2, OB3, jsonld.OB_V3P0_EXTENSIONS]
    document["credentialSchema"] = [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
            "ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        }
    ]
    assert jsonld.expand_safe(document)


def test_a_term_in_the_wrong_place_is_undefined() -> None:
    # `targetName` is defined for an Alignment (a type-scoped context), not for the credential.
    document = unsigned_vector()
    document["targetName"] = "out of scope"
    with pytest.raises(UndefinedTerm) as refused:
        jsonld.expand_safe(document)
    assert refused.value.path == "targetName"


def test_a_relative_id_is_refused() -> None:
    document = unsigned_vector()
    document["credentialSubject"]["achievement"]["id"] = "achievements/teamwork"
    with pytest.raises(UnsafeValue) as refused:
        jsonld.expand_safe(document)
    assert refused.value.path == "credentialSubject.achievement.id"


def test_a_relative_iri_value_is_refused() -> None:
    document = unsigned_vector()
    document["issuer"] = "issuers/565049"
    with pytest.raises(UnsafeValue) as refused:
        jsonld.expand_safe(document)
    assert refused.value.path == "issuer"


def test_an_unknown_proof_purpose_is_undefined() -> None:
    document = unsigned_vector()
    document["proof"] = {
        "type": "DataIntegrityProof",
        "proofPurpose": "bribery",
        "cryptosuite": "eddsa-rdfc-2022",
        "verificationMethod": "https://example.edu/issuers/565049#key",
    }
    with pytest.raises(UndefinedTerm) as refused:
        jsonld.expand_safe(document)
    assert refused.value.path == "proof.proofPurpose"


def test_a_null_value_object_is_refused() -> None:
    document = unsigned_vector()
    document["name"] = {"@value": None}
    with pytest.raises(UnsafeValue, match="null"):
        jsonld.expand_safe(document)


def test_an_embedded_credential_needs_an_accepted_context() -> None:
    clr = {
        "@context": [VC_V2, jsonld.CLR_V2P0_2_0_1, OB3],
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": "https://example.edu/issuers/565049",
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"type": ["ClrSubject"], "verifiableCredential": [unsigned_vector()]},
    }
    assert jsonld.expand_safe(clr)
    clr["credentialSubject"]["verifiableCredential"][0]["@context"] = [
        VC_V2,
        OB3,
        {"name": "https://example.org/name"},
    ]
    with pytest.raises(ContextNotAllowed) as refused:
        jsonld.expand_safe(clr)
    assert refused.value.field == "credentialSubject.verifiableCredential[0].@context"


def test_a_language_value_object_is_accepted() -> None:
    document = unsigned_vector()
    document["name"] = {"@value": "Gwaith tîm", "@language": "cy"}
    assert jsonld.expand_safe(document)
    document["name"] = {"@value": "Gwaith tîm", "@language": "not a tag"}
    with pytest.raises(UnsafeValue, match="BCP 47"):
        jsonld.expand_safe(document)


# --- the reference canonicalisation ------------------------------------------------------------


def test_the_reference_escapes_control_characters_as_rdfc_1_0_does() -> None:
    document = unsigned_vector()
    document["name"] = 'a\x01b\x08c\x0cd\x7fe\tf"g\\h\ni\x0bj\u2028k'
    line = next(
        line
        for line in jsonld.canonicalize_reference(document).split("\n")
        if "<http://example.com/credentials/3527> <https://schema.org/name>" in line
    )
    assert line.endswith(' "a\\u0001b\\bc\\fd\\u007Fe\\tf\\"g\\\\h\\ni\\u000Bj\u2028k" .')


def test_the_reference_differs_from_raw_pyld_only_in_escaping() -> None:
    document = unsigned_vector()
    options = {**jsonld._pyld_options(), "algorithm": "URDNA2015", "format": "application/n-quads"}
    assert jsonld.canonicalize_reference(document) == pyld_jsonld.normalize(
        copy.deepcopy(document), options
    )
    document["name"] = "bell\x07"
    assert jsonld.canonicalize_reference(document) != pyld_jsonld.normalize(
        copy.deepcopy(document), options
    )


def test_the_reference_canonical_form_of_the_test_vector() -> None:
    canonical = jsonld.canonicalize_reference(unsigned_vector())
    assert canonical.count("\n") == 16
    assert "_:c14n0 <https://purl.imsglobal.org/spec/vc/ob/vocab.html#narrative>" in canonical


def test_not_json_ld_is_reported_readably() -> None:
    document = unsigned_vector()
    document["id"] = 42
    with pytest.raises(jsonld.InvalidJsonLd, match="not valid JSON-LD"):
        jsonld.canonicalize_reference(document)


def test_format_path() -> None:
    assert jsonld.format_path(["a", "b", 1, "c"]) == "a.b[1].c"
    assert jsonld.format_path([]) == ""
