"""OB 3.0 revocation: Bitstring Status List entries and the status list credential."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .. import status_list, vcjwt
from .base import _CheckBase
from .helpers import (
    _CREDENTIAL_ACCEPT,
    _JWS,
    _STATUS_ENTRY_TYPES,
    _STATUS_LIST_TYPES,
    _as_list,
    _display_date,
    _id_of,
    _origin,
    _parse_datetime,
    _parse_json,
    _sentence,
    _types,
)
from .messages import (
    STATUS_ENTRY_INVALID,
    STATUS_LIST_EXPIRED,
    STATUS_LIST_HTTP,
    STATUS_LIST_INVALID,
    STATUS_LIST_OTHER_ISSUER,
    STATUS_LIST_UNREACHABLE,
    STATUS_REVOKED,
    STATUS_SUSPENDED,
    STATUS_TYPE_UNSUPPORTED,
)
from .verdict import Reason, Status, _fail, _FetchFailed, _Outcome


class _Ob3Status(_CheckBase):
    """OB 3.0 ``credentialStatus``: revocation and suspension."""

    # --- OB 3.0 status -------------------------------------------------------------------------

    def _check_credential_status(
        self, credential: Mapping[str, Any], issuer_id: str
    ) -> tuple[Status, list[Reason]] | None:
        """Bitstring Status List v1.0 §3.2: a set bit for ``revocation`` (or ``suspension``)
        means revoked. A list that cannot be fetched or trusted gives ``status_unknown``."""
        findings: list[tuple[Status, list[Reason]] | None] = []
        for index, entry in enumerate(_as_list(credential.get("credentialStatus"))):
            where = "credentialStatus" + (
                f"[{index}]" if isinstance(credential.get("credentialStatus"), list) else ""
            )
            try:
                findings.append(self._status_entry(entry, issuer_id, where))
            except _Outcome as outcome:
                findings.append((Status.STATUS_UNKNOWN, list(outcome.reasons)))
        return self._conclude(*findings) if any(findings) else None

    def _status_entry(
        self, entry: Any, issuer_id: str, where: str
    ) -> tuple[Status, list[Reason]] | None:
        def unknown(message: str) -> _Outcome:
            return _fail(Status.STATUS_UNKNOWN, message, where)

        if not isinstance(entry, dict):
            raise unknown(STATUS_ENTRY_INVALID.format(detail="it isn't an object"))
        kind = entry.get("type")
        if kind not in _STATUS_ENTRY_TYPES:
            raise unknown(STATUS_TYPE_UNSUPPORTED.format(kind=kind))
        purpose = entry.get("statusPurpose")
        if purpose not in ("revocation", "suspension"):
            return None  # e.g. "message" or "refresh": not about validity
        raw_index = entry.get("statusListIndex")
        text_index = str(raw_index) if isinstance(raw_index, int | str) else ""
        if isinstance(raw_index, bool) or not text_index.isdigit() or len(text_index) > 12:
            raise unknown(STATUS_ENTRY_INVALID.format(detail="statusListIndex isn't a number"))
        list_url = entry.get("statusListCredential")
        if not isinstance(list_url, str) or _origin(list_url) is None:
            raise unknown(STATUS_ENTRY_INVALID.format(detail="statusListCredential isn't a link"))

        status_list_credential = self._status_list_credential(list_url, issuer_id, where)
        subject = status_list_credential.get("credentialSubject")
        if not isinstance(subject, dict) or subject.get("statusPurpose") != purpose:
            detail = f"it isn't a {purpose} list."
            raise unknown(STATUS_LIST_INVALID.format(url=list_url, detail=detail))
        try:
            bits = status_list.decode(subject.get("encodedList"))  # type: ignore[arg-type]
            is_set = status_list.bit_is_set(bits, int(text_index))
        except status_list.StatusListError as error:
            raise unknown(STATUS_LIST_INVALID.format(url=list_url, detail=f"{error}.")) from None
        if not is_set:
            return None
        message = STATUS_REVOKED if purpose == "revocation" else STATUS_SUSPENDED
        return Status.REVOKED, [Reason(where, message)]

    def _status_list_credential(self, url: str, issuer_id: str, where: str) -> dict[str, Any]:
        """The status list credential at ``url``, with its own proof verified and the same
        issuer as the credential (Bitstring Status List v1.0 §3.2 steps 4-6)."""
        try:
            result = self._fetch(url, accept=_CREDENTIAL_ACCEPT)
        except _FetchFailed as failed:
            message = STATUS_LIST_UNREACHABLE.format(url=url, detail=failed.detail)
            raise _fail(Status.STATUS_UNKNOWN, message, where) from None
        if result.status != 200:
            message = STATUS_LIST_HTTP.format(url=url, status=result.status)
            raise _fail(Status.STATUS_UNKNOWN, message, where)

        def untrusted(detail: str) -> _Outcome:
            return _fail(
                Status.STATUS_UNKNOWN, STATUS_LIST_INVALID.format(url=url, detail=detail), where
            )

        body = result.body.strip()
        try:
            if _JWS.match(body.decode("ascii", "replace")):
                check = vcjwt.verify_vc_jwt(
                    body.decode("ascii"),
                    resolve_key=self._jwt_key_resolver(issuer_id),
                    now=self.now,
                )
                if not check.ok or check.credential is None:
                    raise untrusted(_sentence(check.reasons))
                document = check.credential
            else:
                try:
                    parsed = _parse_json(body)
                except ValueError as error:
                    raise untrusted(f"it isn't valid JSON ({error}).") from None
                if not isinstance(parsed, dict):
                    raise untrusted("it isn't a credential.")
                document = parsed
                if "proof" not in document:
                    raise untrusted("it has no signature (proof).")
                self._safe_mode(document, signed_as_json_ld=True)
                self._check_proof(document, _id_of(document.get("issuer")) or "")
        except _Outcome as outcome:
            if outcome.status == Status.STATUS_UNKNOWN:
                raise
            raise untrusted(" ".join(r.message for r in outcome.reasons)) from None

        list_issuer = _id_of(document.get("issuer"))
        if list_issuer != issuer_id:
            message = STATUS_LIST_OTHER_ISSUER.format(url=url, other=list_issuer)
            raise _fail(Status.STATUS_UNKNOWN, message, where)
        if not set(_types(document)) & _STATUS_LIST_TYPES:
            raise untrusted("it isn't a BitstringStatusListCredential.")
        if document.get("id") is not None and document.get("id") != url:
            raise untrusted(f"it says its address is {document.get('id')}.")
        try:
            until = _parse_datetime(document.get("validUntil"))
        except ValueError:
            raise untrusted("its validUntil date can't be read.") from None
        if until is not None and until < self.now:
            message = STATUS_LIST_EXPIRED.format(url=url, date=_display_date(until))
            raise _fail(Status.STATUS_UNKNOWN, message, where)
        return document
