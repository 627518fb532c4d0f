"""OB 3.0 VC-JWT: the token's signature and the issuer's JWK."""

from __future__ import annotations

import binascii
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urldefrag

from cryptography.hazmat.primitives.asymmetric import ec

from .. import documents, jsonld, keys, vcjwt
from .base import _CheckBase
from .helpers import _as_list, _b64url_decode, _capitalise, _contexts, _host, _origin
from .messages import (
    JWT_ALG_NONE,
    JWT_ALG_UNSUPPORTED,
    JWT_EMBEDDED_KEY,
    JWT_KEY_INVALID,
    JWT_KEY_OFF_ISSUER,
    KEY_DOCUMENT_STATUS,
    KEY_METHOD_UNSUPPORTED,
    KEY_NOT_FOUND,
    KEY_OTHER_CONTROLLER,
    KEY_UNREACHABLE,
    SIGNATURE_MISMATCH,
)
from .verdict import Format, Reason, Status, _fail, _Outcome


class _Ob3Jwt(_CheckBase):
    """OB 3.0 credentials secured as a VC-JWT."""

    # --- OB 3.0 VC-JWT -------------------------------------------------------------------------

    def _check_vc_jwt(self, token: str) -> tuple[Status, list[Reason]]:
        header, _, credential = vcjwt.decode_vc_jwt(token)
        issuer_id = self._start_ob3(credential, Format.OB3_VC_JWT)
        key_problems: list[_Outcome] = []
        check = vcjwt.verify_vc_jwt(
            token, resolve_key=self._jwt_key_resolver(issuer_id, key_problems), now=self.now
        )
        malformed: list[Reason] = []
        for where, message in check.reasons:
            if where == "alg":
                alg = str(header.get("alg"))
                if alg.lower() == "none" or alg.upper().startswith("HS"):
                    raise _fail(Status.TAMPERED, JWT_ALG_NONE.format(alg=alg), "alg")
                raise _fail(Status.UNSUPPORTED, JWT_ALG_UNSUPPORTED.format(alg=alg), "alg")
            if where == "crit":
                raise _fail(Status.UNSUPPORTED, _capitalise(message), where)
            if where == "kid":
                if key_problems:
                    raise key_problems[0]
                raise _fail(Status.UNKNOWN_ISSUER, _capitalise(message), where)
            if where == "signature":
                raise _fail(Status.TAMPERED, SIGNATURE_MISMATCH, "signature")
            if where == "token":
                raise _fail(Status.MALFORMED, _capitalise(message), where)
            if where in ("nbf", "exp") and ("not valid yet" in message or "expired" in message):
                continue  # the dates are judged below, from the credential itself
            malformed.append(Reason(where, _capitalise(message)))
        if check.credential is None:
            raise _fail(Status.TAMPERED, SIGNATURE_MISMATCH, "signature")
        self.credential = check.credential
        if malformed:
            raise _Outcome(Status.MALFORMED, *malformed)
        self._safe_mode(check.credential, signed_as_json_ld=False)
        is_v1 = jsonld.VC_V1_CONTEXT in _contexts(check.credential)
        dates = self._dates(
            check.credential.get("issuanceDate" if is_v1 else "validFrom"),
            check.credential.get("expirationDate" if is_v1 else "validUntil"),
            from_field="issuanceDate" if is_v1 else "validFrom",
            until_field="expirationDate" if is_v1 else "validUntil",
        )
        status = self._check_credential_status(check.credential, issuer_id)
        return self._conclude(dates, status)

    def _jwt_key_resolver(
        self, issuer_id: str, problems: list[_Outcome] | None = None
    ) -> Callable[[dict[str, Any], dict[str, Any]], Any]:
        """A ``resolve_key`` for :func:`vcjwt.verify_vc_jwt`: the key named by ``kid``, published
        by the issuer (an https URL on the issuer's host, or a DID URL of the issuer's DID).
        Refusals are recorded in ``problems`` (as :class:`_Outcome`) for the verdict."""

        def resolve(header: dict[str, Any], payload: dict[str, Any]) -> Any:
            try:
                return self._jwt_key(header, issuer_id)
            except _Outcome as outcome:
                if problems is not None:
                    problems.append(outcome)
                raise vcjwt.KeyResolutionError(
                    " ".join(r.message for r in outcome.reasons)
                ) from None

        return resolve

    def _jwt_key(self, header: Mapping[str, Any], issuer_id: str) -> Any:
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise _fail(Status.UNKNOWN_ISSUER, JWT_EMBEDDED_KEY, "jwk")
        base, fragment = urldefrag(kid)
        if kid.startswith("did:"):
            if base != issuer_id:
                message = KEY_OTHER_CONTROLLER.format(controller=base, issuer=issuer_id)
                raise _fail(Status.UNKNOWN_ISSUER, message, "kid")
            document = self._controller_document(base)
            method = self._method_in(document, kid, base)
            jwk = method.get("publicKeyJwk")
        else:
            if _origin(base) is None:
                raise _fail(Status.UNSUPPORTED, KEY_METHOD_UNSUPPORTED.format(key=kid), "kid")
            issuer_host = self._issuer_host(issuer_id)
            if _host(base) != issuer_host:
                message = JWT_KEY_OFF_ISSUER.format(host=_host(base), issuer_host=issuer_host)
                raise _fail(Status.UNKNOWN_ISSUER, message, "kid")
            document = self._fetch_json(
                base,
                status=Status.UNKNOWN_ISSUER,
                unreachable=KEY_UNREACHABLE,
                http_error=KEY_DOCUMENT_STATUS,
                accept="application/jwk+json, application/jwk-set+json, application/json",
            )
            jwk = _jwk_in(document, kid, fragment)
        if not isinstance(jwk, dict):
            raise _fail(Status.UNKNOWN_ISSUER, KEY_NOT_FOUND.format(url=base, key=kid), "kid")
        try:
            return _public_key_from_jwk(jwk)
        except (keys.KeyFormatError, ValueError) as error:
            message = JWT_KEY_INVALID.format(key=kid, detail=str(error).rstrip("."))
            raise _fail(Status.UNKNOWN_ISSUER, message, "kid") from None

    def _issuer_host(self, issuer_id: str) -> str | None:
        if issuer_id.startswith("did:web:"):
            try:
                return _host(documents.did_web_to_url(issuer_id))
            except ValueError:
                return None
        return _host(issuer_id)


def _jwk_in(document: Mapping[str, Any], kid: str, fragment: str) -> Any:
    """The JWK a ``kid`` URL names: the document itself, one of a JWK Set's keys (matched by
    kid or fragment, or the only key), or a verification method's ``publicKeyJwk``."""
    if "kty" in document:
        return document
    keys_ = document.get("keys")
    if isinstance(keys_, list):
        wanted = {kid, fragment} - {""}
        matches = [k for k in keys_ if isinstance(k, dict) and k.get("kid") in wanted]
        if not matches and len(keys_) == 1 and not fragment:
            matches = [keys_[0]]
        return matches[0] if len(matches) == 1 else None
    if isinstance(document.get("publicKeyJwk"), dict):
        return document["publicKeyJwk"]
    for method in _as_list(document.get("verificationMethod")):
        if isinstance(method, dict) and method.get("id") in (kid, f"#{fragment}"):
            return method.get("publicKeyJwk")
    return None


def _public_key_from_jwk(jwk: Mapping[str, Any]) -> Any:
    if jwk.get("kty") == "EC":
        if "d" in jwk:
            raise ValueError("the JWK contains a private key")
        if jwk.get("crv") != "P-256":
            raise ValueError(f"curve {jwk.get('crv')!r} isn't supported")
        try:
            x = int.from_bytes(_b64url_decode(str(jwk.get("x"))), "big")
            y = int.from_bytes(_b64url_decode(str(jwk.get("y"))), "big")
        except (binascii.Error, ValueError):
            raise ValueError("the JWK isn't valid base64url") from None
        return ec.EllipticCurvePublicNumbers(x, y, ec.SECP256R1()).public_key()
    return keys.rsa_public_key_from_jwk(jwk)
