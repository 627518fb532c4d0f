"""OB 2.0 hosted and signed assertions, and OB 1.x hosted assertions."""

from __future__ import annotations

import binascii
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .base import _CheckBase
from .helpers import (
    _JSON_ACCEPT,
    _as_list,
    _b64url_decode,
    _host,
    _id_of,
    _origin,
    _parse_json,
    _text,
)
from .messages import (
    DOCUMENT_ID_MISMATCH,
    JWT_ALG_NONE,
    KEY_DOCUMENT_STATUS,
    KEY_UNREACHABLE,
    NO_ISSUER,
    OB1_NO_URL,
    OB1_SIGNED,
    OB2_BADGE_UNREACHABLE,
    OB2_HOSTED_DIFFERS,
    OB2_HOSTED_ID_DIFFERS,
    OB2_HOSTED_STATUS,
    OB2_HOSTED_UNREACHABLE,
    OB2_ISSUER_UNREACHABLE,
    OB2_NO_ID,
    OB2_NOT_JSON,
    OB2_OFF_ORIGIN,
    OB2_REVOCATION_LIST_UNREACHABLE,
    OB2_REVOCATION_REASON,
    OB2_REVOKED_410,
    OB2_REVOKED_FLAG,
    OB2_REVOKED_LIST,
    OB2_SIGNED_ALG,
    OB2_SIGNED_KEY_INVALID,
    OB2_SIGNED_KEY_MISSING,
    OB2_SIGNED_KEY_OFF_ORIGIN,
    OB2_SIGNED_KEY_OWNER,
    OB2_SIGNED_WITHOUT_SIGNATURE,
    OB2_VERIFICATION_TYPE,
    SIGNATURE_MISMATCH,
)
from .summary import _summarise_ob2
from .verdict import Format, Reason, Status, _fail, _FetchFailed, _Outcome


class _Ob2(_CheckBase):
    """OB 2.0 (hosted and signed) and OB 1.x (hosted) assertions."""

    # --- OB 2.0 --------------------------------------------------------------------------------

    def _check_ob2_document(
        self, assertion: dict[str, Any], *, fetched_from: str | None
    ) -> tuple[Status, list[Reason]]:
        self.format = Format.OB2_HOSTED
        self.credential = assertion
        self.summary = _summarise_ob2(assertion, None, None)
        verification = assertion.get("verification")
        kind = verification.get("type") if isinstance(verification, dict) else None
        kind_name = str(kind or "").lower()
        if kind_name in ("signed", "signedbadge"):
            self.format = Format.OB2_SIGNED
            raise _fail(Status.UNSUPPORTED, OB2_SIGNED_WITHOUT_SIGNATURE, "verification")
        if kind_name not in ("hosted", "hostedbadge"):
            message = OB2_VERIFICATION_TYPE.format(kind=kind)
            raise _fail(Status.MALFORMED, message, "verification.type")
        assertion_id = assertion.get("id")
        if not isinstance(assertion_id, str) or _origin(assertion_id) is None:
            raise _fail(Status.MALFORMED, OB2_NO_ID, "id")

        hosted, revoked = self._hosted_copy(assertion_id, assertion, fetched_from=fetched_from)
        self.credential = hosted
        badge, issuer = self._badge_and_issuer(hosted)
        self.summary = _summarise_ob2(hosted, badge, issuer)
        self._check_hosted_origin(assertion_id, issuer)
        if revoked is not None:
            return Status.REVOKED, revoked
        return self._ob2_validity(hosted, issuer)

    def _hosted_copy(
        self,
        url: str,
        given: dict[str, Any],
        *,
        fetched_from: str | None,
        compare: tuple[str, ...] = ("recipient", "badge", "issuedOn", "expires", "evidence"),
    ) -> tuple[dict[str, Any], list[Reason] | None]:
        """The assertion as its issuer hosts it at ``url`` (OB 2.0 "Hosted Verification"), and
        revocation reasons when the host answers 410 Gone."""
        try:
            result = self._fetch(url, accept=_JSON_ACCEPT)
        except _FetchFailed as failed:
            message = OB2_HOSTED_UNREACHABLE.format(url=url, detail=failed.detail)
            raise _fail(Status.UNKNOWN_ISSUER, message, "id") from None
        if result.status == 410:
            try:
                gone = _parse_json(result.body)
            except ValueError:
                gone = {}
            gone = gone if isinstance(gone, dict) else {}
            return given, self._revocation_reasons(OB2_REVOKED_410, gone)
        if result.status != 200:
            message = OB2_HOSTED_STATUS.format(url=url, status=result.status)
            raise _fail(Status.UNKNOWN_ISSUER, message, "id")
        try:
            hosted = _parse_json(result.body)
        except ValueError:
            raise _fail(Status.UNKNOWN_ISSUER, OB2_NOT_JSON.format(url=url), "id") from None
        if not isinstance(hosted, dict):
            raise _fail(Status.UNKNOWN_ISSUER, OB2_NOT_JSON.format(url=url), "id")
        hosted_id = hosted.get("id")
        if "verify" not in hosted and hosted_id != url:
            # OB 2.0: served at exactly its id. (OB 1.x assertions have no id.)
            raise _fail(Status.TAMPERED, OB2_HOSTED_ID_DIFFERS.format(url=url, id=hosted_id), "id")
        if fetched_from != url:
            differing = [
                name
                for name in compare
                if _comparable(given.get(name)) != _comparable(hosted.get(name))
            ]
            if differing:
                message = OB2_HOSTED_DIFFERS.format(url=url, fields=", ".join(differing))
                raise _fail(Status.TAMPERED, message, differing[0])
        if hosted.get("revoked") is True:
            return hosted, self._revocation_reasons(OB2_REVOKED_FLAG, hosted)
        return hosted, None

    @staticmethod
    def _revocation_reasons(first: str, document: Mapping[str, Any]) -> list[Reason]:
        reasons = [Reason("revoked", first)]
        reason = _text(document.get("revocationReason"), 500)
        if reason:
            reasons.append(Reason("revocationReason", OB2_REVOCATION_REASON.format(reason=reason)))
        return reasons

    def _badge_and_issuer(
        self, assertion: Mapping[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        badge = assertion.get("badge")
        if isinstance(badge, str):
            badge = self._fetch_json(
                badge, status=Status.UNKNOWN_ISSUER, unreachable=OB2_BADGE_UNREACHABLE
            )
        if not isinstance(badge, dict):
            raise _fail(Status.MALFORMED, "The assertion doesn't say which badge it is.", "badge")
        issuer = badge.get("issuer")
        issuer_url = issuer if isinstance(issuer, str) else None
        if issuer_url is not None:
            issuer = self._fetch_json(
                issuer_url, status=Status.UNKNOWN_ISSUER, unreachable=OB2_ISSUER_UNREACHABLE
            )
        if not isinstance(issuer, dict):
            raise _fail(Status.MALFORMED, NO_ISSUER, "badge.issuer")
        issuer_id = _id_of(issuer.get("id")) or issuer_url
        if issuer_url is not None and issuer_id != issuer_url:
            message = DOCUMENT_ID_MISMATCH.format(url=issuer_url, id=issuer_id)
            raise _fail(Status.UNKNOWN_ISSUER, message, "badge.issuer")
        self.issuer_id = issuer_id
        return badge, issuer

    def _check_hosted_origin(self, assertion_url: str, issuer: Mapping[str, Any]) -> None:
        """OB 2.0 VerificationObject: a hosted assertion must be on the issuer id's origin,
        unless the issuer's profile widens it with ``allowedOrigins`` (host names) or
        ``startsWith`` (URL prefixes)."""
        policy = issuer.get("verification")
        policy = policy if isinstance(policy, dict) else {}
        allowed = [h for h in _as_list(policy.get("allowedOrigins")) if isinstance(h, str)]
        prefixes = [p for p in _as_list(policy.get("startsWith")) if isinstance(p, str)]
        host = _host(assertion_url)
        if allowed or prefixes:
            if (host is not None and host in {a.lower() for a in allowed}) or any(
                assertion_url.startswith(p) for p in prefixes
            ):
                return
        elif _origin(assertion_url) is not None and _origin(assertion_url) == _origin(
            self.issuer_id
        ):
            return
        message = OB2_OFF_ORIGIN.format(host=host, issuer_host=_host(self.issuer_id))
        raise _fail(Status.UNKNOWN_ISSUER, message, "id")

    def _ob2_validity(
        self, assertion: Mapping[str, Any], issuer: Mapping[str, Any]
    ) -> tuple[Status, list[Reason]]:
        dates = self._dates(
            assertion.get("issuedOn"),
            assertion.get("expires"),
            from_field="issuedOn",
            until_field="expires",
        )
        return self._conclude(dates, self._ob2_revocation_list(assertion, issuer))

    def _ob2_revocation_list(
        self, assertion: Mapping[str, Any], issuer: Mapping[str, Any]
    ) -> tuple[Status, list[Reason]] | None:
        list_url = issuer.get("revocationList")
        if not isinstance(list_url, str):
            return None
        try:
            revocations = self._fetch_json(
                list_url,
                status=Status.STATUS_UNKNOWN,
                unreachable=OB2_REVOCATION_LIST_UNREACHABLE,
            )
        except _Outcome as outcome:
            return outcome.status, [replace(r, field="revocationList") for r in outcome.reasons]
        identifiers = {assertion.get("id"), assertion.get("uid")} - {None}
        entries = revocations.get("revokedAssertions")
        if entries is None and not {"type", "id", "@context"} & set(revocations):
            # OB 1.0: the list is an object mapping each revoked uid to its reason.
            entries = [{"id": uid, "revocationReason": why} for uid, why in revocations.items()]
        for entry in _as_list(entries):
            entry_id = _id_of(entry) or (entry.get("uid") if isinstance(entry, dict) else None)
            if entry_id in identifiers:
                details = entry if isinstance(entry, dict) else {}
                return Status.REVOKED, self._revocation_reasons(OB2_REVOKED_LIST, details)
        return None

    def _check_ob2_signed(self, token: str) -> tuple[Status, list[Reason]]:
        """OB 2.0 "Signed Verification": an RS256 JWS whose payload is the assertion; the key
        is the issuer's (``verification.creator``, owned by the issuer and on its origin)."""
        self.format = Format.OB2_SIGNED
        header_b64, payload_b64, signature_b64 = token.split(".")
        header = _parse_json(_b64url_decode(header_b64))
        assertion = _parse_json(_b64url_decode(payload_b64))
        self.credential = assertion
        self.summary = _summarise_ob2(assertion, None, None)
        alg = str(header.get("alg"))
        if alg != "RS256":
            status = (
                Status.TAMPERED
                if alg.lower() == "none" or alg.upper().startswith("HS")
                else Status.UNSUPPORTED
            )
            message = (
                JWT_ALG_NONE.format(alg=alg)
                if status == Status.TAMPERED
                else OB2_SIGNED_ALG.format(alg=alg)
            )
            raise _fail(status, message, "alg")
        verification = assertion.get("verification")
        verification = verification if isinstance(verification, dict) else {}
        badge, issuer = self._badge_and_issuer(assertion)
        self.summary = _summarise_ob2(assertion, badge, issuer)
        issuer_id = self.issuer_id or ""

        creator = verification.get("creator")
        candidates: list[str] = []
        if isinstance(creator, str):
            candidates = [creator]
        else:
            candidates = [k for k in (_id_of(k) for k in _as_list(issuer.get("publicKey"))) if k]
        if not candidates:
            raise _fail(Status.UNKNOWN_ISSUER, OB2_SIGNED_KEY_MISSING, "verification.creator")
        signing_input = f"{header_b64}.{payload_b64}".encode("ascii")
        try:
            signature = _b64url_decode(signature_b64)
        except (binascii.Error, ValueError):
            raise _fail(
                Status.MALFORMED, "The token's signature isn't valid base64url.", "signature"
            ) from None
        verified = False
        for key_url in candidates:
            if _origin(key_url) != _origin(issuer_id):
                message = OB2_SIGNED_KEY_OFF_ORIGIN.format(host=_host(key_url))
                raise _fail(Status.UNKNOWN_ISSUER, message, "verification.creator")
            key_doc = self._fetch_json(
                key_url,
                status=Status.UNKNOWN_ISSUER,
                unreachable=KEY_UNREACHABLE,
                http_error=KEY_DOCUMENT_STATUS,
            )
            owner = key_doc.get("owner")
            if owner is not None and owner != issuer_id:
                message = OB2_SIGNED_KEY_OWNER.format(url=key_url, owner=owner, issuer=issuer_id)
                raise _fail(Status.UNKNOWN_ISSUER, message, "verification.creator")
            try:
                public_key = serialization.load_pem_public_key(
                    str(key_doc.get("publicKeyPem", "")).encode("ascii")
                )
            except (ValueError, UnicodeEncodeError, UnsupportedAlgorithm):
                public_key = None
            if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size < 2048:
                message = OB2_SIGNED_KEY_INVALID.format(url=key_url)
                raise _fail(Status.UNKNOWN_ISSUER, message, "verification.creator")
            try:
                public_key.verify(signature, signing_input, padding.PKCS1v15(), hashes.SHA256())
            except InvalidSignature:
                continue
            verified = True
            break
        if not verified:
            raise _fail(Status.TAMPERED, SIGNATURE_MISMATCH, "signature")
        if assertion.get("revoked") is True:
            return Status.REVOKED, self._revocation_reasons(OB2_REVOKED_FLAG, assertion)
        return self._ob2_validity(assertion, issuer)

    # --- OB 1.x --------------------------------------------------------------------------------

    def _check_ob1(
        self, assertion: dict[str, Any], *, fetched_from: str | None
    ) -> tuple[Status, list[Reason]]:
        """OB 1.0/1.1 hosted assertions: ``verify: {type: hosted, url}``; the badge and issuer
        are URLs; the issuer's ``url`` is its site."""
        self.format = Format.OB1_HOSTED
        self.credential = assertion
        self.summary = _summarise_ob2(assertion, None, None)
        check = assertion.get("verify")
        check = check if isinstance(check, dict) else {}
        if str(check.get("type", "")).lower() == "signed":
            raise _fail(Status.UNSUPPORTED, OB1_SIGNED, "verify.type")
        url = check.get("url")
        if str(check.get("type", "")).lower() != "hosted" or not isinstance(url, str):
            raise _fail(Status.MALFORMED, OB1_NO_URL, "verify.url")
        if _origin(url) is None:
            raise _fail(Status.MALFORMED, OB1_NO_URL, "verify.url")
        hosted, revoked = self._hosted_copy(
            url,
            assertion,
            fetched_from=fetched_from,
            compare=("uid", "recipient", "badge", "issuedOn", "expires", "evidence"),
        )
        self.credential = hosted
        badge, issuer = self._badge_and_issuer(hosted)
        self.summary = _summarise_ob2(hosted, badge, issuer)
        # OB 1.0: the hosted URL must be on the issuer's site (its "url", the origin in 0.5).
        issuer_site = _host(
            _text(issuer.get("url")) or _text(issuer.get("origin")) or self.issuer_id
        )
        host = _host(url)
        if not issuer_site or not host or not _same_site(host, issuer_site):
            message = OB2_OFF_ORIGIN.format(host=host, issuer_host=issuer_site)
            raise _fail(Status.UNKNOWN_ISSUER, message, "verify.url")
        if revoked is not None:
            return Status.REVOKED, revoked
        return self._ob2_validity(hosted, issuer)


def _comparable(value: Any) -> Any:
    """A value as compared between a given and a hosted assertion: embedded objects by id."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and "identity" not in value:
        return value["id"]
    return value


def _same_site(host: str, site: str) -> bool:
    host, site = host.lower(), site.lower()
    return host == site or host.endswith("." + site) or site.endswith("." + host)
