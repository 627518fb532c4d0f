"""OB 3.0 Data Integrity: JSON-LD safe mode, the proof, and the issuer's key and its binding."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urldefrag

from .. import data_integrity, documents, jsonld, keys
from ..rdfc import check_safe
from .base import _CheckBase
from .helpers import _as_list, _capitalise, _contexts, _id_of, _origin
from .messages import (
    CONTEXT_CHANGED,
    DOCUMENT_ID_MISMATCH,
    KEY_DOCUMENT_INVALID,
    KEY_DOCUMENT_STATUS,
    KEY_INVALID,
    KEY_METHOD_UNSUPPORTED,
    KEY_NOT_ASSERTION,
    KEY_NOT_FOUND,
    KEY_OTHER_CONTROLLER,
    KEY_UNREACHABLE,
    NESTED_TOO_DEEPLY,
    NO_ISSUER,
    NO_PROOF,
    PROOF_NOT_OBJECT,
    PROOF_PURPOSE,
    PROOF_TYPE_UNSUPPORTED,
    SEVERAL_PROOFS,
    SIGNATURE_MISMATCH,
    UNDEFINED_TERM,
    UNKNOWN_CONTEXT,
    UNSAFE_JSONLD,
)
from .summary import _summarise_ob3
from .verdict import Format, Reason, Status, _fail, _Outcome


class _Ob3DataIntegrity(_CheckBase):
    """OB 3.0 credentials secured with an eddsa-rdfc-2022 Data Integrity proof."""

    # --- OB 3.0: shared pieces -----------------------------------------------------------------

    def _start_ob3(self, credential: dict[str, Any], format: Format) -> str:
        self.format = format
        self.credential = credential
        self.summary = _summarise_ob3(credential)
        issuer_id = _id_of(credential.get("issuer"))
        if issuer_id is None:
            raise _fail(Status.MALFORMED, NO_ISSUER, "issuer")
        self.issuer_id = issuer_id
        return issuer_id

    def _safe_mode(self, document: Mapping[str, Any], *, signed_as_json_ld: bool) -> None:
        """JSON-LD safe-mode expansion before anything in the document is trusted.

        An unknown context URL cannot be loaded (nothing is fetched), so the badge cannot be
        checked: ``unsupported``. A context list that is not one of the standard ones (an
        embedded context object, a reordered or extra context) re-contextualises signed data —
        for a Data Integrity proof, which signs the RDF meaning and not the JSON text, that is
        how a forger changes what a badge says while keeping its signature: ``tampered``. In a
        VC-JWT the JSON bytes are signed, so the same finding is only ``malformed``.
        """
        # The proof is checked on its own terms (its type, then its configuration inside the
        # signature check), as Data Integrity §4.3 separates it from the unsecured document.
        unsecured = {key: value for key, value in document.items() if key != "proof"}
        try:
            check_safe(unsecured)
        except jsonld.UndefinedTerm as error:
            where = f" (at {error.path})" if error.path else ""
            message = UNDEFINED_TERM.format(term=error.term, where=where)
            raise _fail(Status.MALFORMED, message, error.path or "@context") from None
        except jsonld.UnknownContext as error:
            raise _fail(
                Status.UNSUPPORTED, UNKNOWN_CONTEXT.format(url=error.url), "@context"
            ) from None
        except jsonld.ContextNotAllowed as error:
            status = Status.TAMPERED if signed_as_json_ld else Status.MALFORMED
            raise _fail(status, CONTEXT_CHANGED.format(detail=error.message), "@context") from None
        except RecursionError:
            message = UNSAFE_JSONLD.format(detail=NESTED_TOO_DEEPLY)
            raise _fail(Status.MALFORMED, message) from None
        except jsonld.JsonLdRefused as error:
            detail = error.message.rstrip(".")
            raise _fail(
                Status.MALFORMED, UNSAFE_JSONLD.format(detail=detail), error.field
            ) from None

    # --- OB 3.0 Data Integrity -----------------------------------------------------------------

    def _check_ob3(self, credential: dict[str, Any]) -> tuple[Status, list[Reason]]:
        issuer_id = self._start_ob3(credential, Format.OB3_DATA_INTEGRITY)
        if "proof" not in credential:
            raise _fail(Status.MALFORMED, NO_PROOF, "proof")
        self._safe_mode(credential, signed_as_json_ld=True)
        self._check_proof(credential, issuer_id)
        is_v1 = jsonld.VC_V1_CONTEXT in _contexts(credential)
        dates = self._dates(
            credential.get("issuanceDate" if is_v1 else "validFrom"),
            credential.get("expirationDate" if is_v1 else "validUntil"),
            from_field="issuanceDate" if is_v1 else "validFrom",
            until_field="expirationDate" if is_v1 else "validUntil",
        )
        status = self._check_credential_status(credential, issuer_id)
        return self._conclude(dates, status)

    def _check_proof(self, document: dict[str, Any], issuer_id: str) -> None:
        """Resolve the proof's key (bound to ``issuer_id``), then check the signature with
        :func:`data_integrity.verify`. Everything that stops the check is an :class:`_Outcome`.
        """
        proofs = _as_list(document.get("proof"))
        if not proofs:
            raise _fail(Status.MALFORMED, NO_PROOF, "proof")
        if len(proofs) > 1:
            raise _fail(Status.UNSUPPORTED, SEVERAL_PROOFS.format(count=len(proofs)), "proof")
        proof = proofs[0]
        if not isinstance(proof, dict):
            raise _fail(Status.MALFORMED, PROOF_NOT_OBJECT, "proof")
        kind = proof.get("type")
        suite = proof.get("cryptosuite")
        if kind != data_integrity.PROOF_TYPE or suite != data_integrity.CRYPTOSUITE:
            name = f"{kind} ({suite})" if suite else str(kind)
            raise _fail(Status.UNSUPPORTED, PROOF_TYPE_UNSUPPORTED.format(kind=name), "proof")
        purpose = proof.get("proofPurpose")
        if purpose != "assertionMethod":
            message = PROOF_PURPOSE.format(purpose=purpose)
            raise _fail(Status.TAMPERED, message, "proof.proofPurpose")
        method_id = proof.get("verificationMethod")
        if not isinstance(method_id, str) or not method_id:
            raise _fail(Status.MALFORMED, PROOF_NOT_OBJECT, "proof.verificationMethod")
        resolved = self._verification_method(method_id, issuer_id)

        def resolve(requested: str) -> data_integrity.VerificationMethod:
            if requested != method_id:
                raise LookupError(requested)
            return resolved

        check = data_integrity.verify(document, resolve_verification_method=resolve)
        if check.ok:
            return
        # The key was resolved and bound above, so what remains is mostly the signature.
        findings: list[tuple[Status, list[Reason]]] = []
        for where, message in check.reasons:
            if where == "proof.proofValue" and message == data_integrity.BAD_SIGNATURE:
                findings.append((Status.TAMPERED, [Reason("proof", SIGNATURE_MISMATCH)]))
            elif where.startswith("proof.verificationMethod"):
                findings.append((Status.UNKNOWN_ISSUER, [Reason(where, _capitalise(message))]))
            elif where in ("proof.type", "proof.cryptosuite"):
                findings.append((Status.UNSUPPORTED, [Reason(where, _capitalise(message))]))
            elif where == "proof.@context":
                findings.append((Status.TAMPERED, [Reason(where, _capitalise(message))]))
            else:
                findings.append((Status.MALFORMED, [Reason(where, _capitalise(message))]))
        status, reasons = self._conclude(*findings)
        raise _Outcome(status, *reasons)

    def _verification_method(
        self, method_id: str, issuer_id: str
    ) -> data_integrity.VerificationMethod:
        """The verification method ``method_id``, checked to be an issuing key of ``issuer_id``.

        did:key is decoded locally; did:web and https ids are fetched. The method must be a
        Multikey, its controller must be the issuer, and the controller's document must list
        it under assertionMethod (Controlled Identifiers v1.0 §2.2, §3.2).
        """
        base, fragment = urldefrag(method_id)
        if method_id.startswith("did:key:"):
            method = self._did_key_method(method_id)
        elif method_id.startswith("did:web:"):
            try:
                url = documents.did_web_to_url(base)
            except ValueError as error:
                message = KEY_DOCUMENT_INVALID.format(url=base, detail=error)
                raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod") from None
            controller_doc = self._key_document(url, expected_id=base)
            method = self._method_in(controller_doc, method_id, url)
            self._require_assertion_method(controller_doc, method_id)
        elif _origin(base) is not None:
            document = self._key_document(base, expected_id=base if fragment else None)
            if fragment:
                method = self._method_in(document, method_id, base)
                self._require_assertion_method(document, method_id)
            else:
                # The key is its own document; its controller's document must list it.
                if _id_of(document.get("id")) != method_id:
                    message = DOCUMENT_ID_MISMATCH.format(url=base, id=document.get("id"))
                    raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod")
                method = document
                controller = _id_of(document.get("controller"))
                if controller is not None and controller == issuer_id:
                    controller_doc = self._controller_document(controller)
                    self._require_assertion_method(controller_doc, method_id)
        else:
            message = KEY_METHOD_UNSUPPORTED.format(key=method_id)
            raise _fail(Status.UNSUPPORTED, message, "proof.verificationMethod")

        controller = _id_of(method.get("controller"))
        if controller != issuer_id:
            message = KEY_OTHER_CONTROLLER.format(controller=controller, issuer=issuer_id)
            raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod")
        if method.get("type") != "Multikey":
            message = KEY_INVALID.format(
                key=method_id, detail=f"its type is {method.get('type')!r}"
            )
            raise _fail(Status.UNSUPPORTED, message, "proof.verificationMethod")
        try:
            keys.ed25519_public_key_from_multibase(method.get("publicKeyMultibase"))  # type: ignore[arg-type]
        except keys.KeyFormatError as error:
            message = KEY_INVALID.format(key=method_id, detail=error)
            raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod") from None
        return data_integrity.VerificationMethod(dict(method, id=method_id), (method_id,))

    def _did_key_method(self, method_id: str) -> dict[str, Any]:
        did, _, fragment = method_id.partition("#")
        multibase = did[len("did:key:") :]
        try:
            keys.ed25519_public_key_from_multibase(multibase)
        except keys.KeyFormatError as error:
            message = KEY_INVALID.format(key=method_id, detail=error)
            raise _fail(Status.UNSUPPORTED, message, "proof.verificationMethod") from None
        if fragment != multibase:
            # did:key v0.7 §3.1.2: the only verification method is did:key:X#X, and the DID
            # document lists it under assertionMethod.
            message = KEY_NOT_FOUND.format(url=did, key=method_id)
            raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod")
        return {
            "id": method_id,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multibase,
        }

    def _key_document(self, url: str, *, expected_id: str | None) -> dict[str, Any]:
        document = self._fetch_json(
            url,
            status=Status.UNKNOWN_ISSUER,
            unreachable=KEY_UNREACHABLE,
            http_error=KEY_DOCUMENT_STATUS,
        )
        if expected_id is not None and document.get("id") != expected_id:
            message = DOCUMENT_ID_MISMATCH.format(url=url, id=document.get("id"))
            raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod")
        if "publicKeyJwk" in str(document.get("verificationMethod", "")) or "keys" in document:
            return document  # VC-JWT keys: JWKs are not read as JSON-LD
        try:
            # As the conformance verifiers read it: JSON-LD safe mode, with the DID v1 and
            # Multikey v1 contexts (and OB 3.0 when the issuer document is also its Profile).
            check_safe(document, accepted=jsonld.CONTROLLER_DOCUMENT_CONTEXTS)
        except jsonld.JsonLdRefused as refusal:
            message = KEY_DOCUMENT_INVALID.format(url=url, detail=refusal.message.rstrip("."))
            raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod") from None
        return document

    def _controller_document(self, controller: str) -> dict[str, Any]:
        if controller.startswith("did:web:"):
            try:
                url = documents.did_web_to_url(controller)
            except ValueError as error:
                message = KEY_DOCUMENT_INVALID.format(url=controller, detail=error)
                raise _fail(Status.UNKNOWN_ISSUER, message) from None
            return self._key_document(url, expected_id=controller)
        if _origin(controller) is None:
            raise _fail(Status.UNSUPPORTED, KEY_METHOD_UNSUPPORTED.format(key=controller))
        return self._key_document(controller, expected_id=controller)

    @staticmethod
    def _absolute(reference: str, document_id: str) -> str:
        return document_id + reference if reference.startswith("#") else reference

    def _method_in(self, document: dict[str, Any], method_id: str, url: str) -> dict[str, Any]:
        document_id = str(document.get("id"))
        candidates = _as_list(document.get("verificationMethod")) + [
            m for m in _as_list(document.get("assertionMethod")) if isinstance(m, dict)
        ]
        for method in candidates:
            if not isinstance(method, dict) or not isinstance(method.get("id"), str):
                continue
            if self._absolute(method["id"], document_id) == method_id:
                method = dict(method, id=method_id)
                if isinstance(method.get("controller"), str):
                    method["controller"] = self._absolute(method["controller"], document_id)
                return method
        message = KEY_NOT_FOUND.format(url=url, key=method_id)
        raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod")

    def _require_assertion_method(self, document: dict[str, Any], method_id: str) -> None:
        document_id = str(document.get("id"))
        listed = {
            self._absolute(_id_of(entry) or "", document_id)
            for entry in _as_list(document.get("assertionMethod"))
        }
        if method_id not in listed:
            message = KEY_NOT_ASSERTION.format(key=method_id)
            raise _fail(Status.UNKNOWN_ISSUER, message, "proof.verificationMethod")
