"""What kind of input this is (JSON, JWS, PNG, SVG, link), unbaking, and which check applies."""

from __future__ import annotations

from typing import Any

from .. import baking, vcjwt
from .base import _CheckBase
from .helpers import (
    _ANY_BADGE_ACCEPT,
    _JWS,
    _OB1_CONTEXT,
    _OB2_CONTEXT,
    _PNG_SIGNATURE,
    _URL,
    _VC_CONTEXTS,
    MAX_DEPTH,
    MAX_NESTING,
    MAX_SOURCE_BYTES,
    _contexts,
    _nesting,
    _parse_json,
    _types,
)
from .messages import (
    BAD_IMAGE,
    EMPTY,
    ENVELOPED,
    LINK_FAILED,
    LINK_IS_A_WEB_PAGE,
    LINK_STATUS,
    NESTED_TOO_DEEPLY,
    NO_BAKED_BADGE,
    NOT_A_BADGE,
    NOT_AN_OBJECT,
    NOT_JSON,
    NOT_TEXT,
    OB05,
    OB2_REVOKED_410,
    TOO_DEEP,
    TOO_LARGE,
    UNRECOGNISED_JSON,
)
from .verdict import Container, Format, Reason, Status, _fail, _FetchFailed


class _Reading(_CheckBase):
    """Read the container and recognise the format."""

    def _read_source(self, source: bytes | str) -> tuple[Status, list[Reason]]:
        if isinstance(source, bytearray | memoryview):
            source = bytes(source)
        if not isinstance(source, bytes | str):
            raise _fail(Status.MALFORMED, NOT_A_BADGE)
        size = len(source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source)
        if size > MAX_SOURCE_BYTES:
            raise _fail(Status.MALFORMED, TOO_LARGE.format(limit_mb=MAX_SOURCE_BYTES // 2**20))
        return self._read(source, depth=0)

    def _read(self, data: bytes | str, *, depth: int) -> tuple[Status, list[Reason]]:
        """Recognise what ``data`` is and check it. ``depth`` counts links followed."""
        if depth > MAX_DEPTH:
            raise _fail(Status.MALFORMED, TOO_DEEP)
        if isinstance(data, bytes):
            if data.startswith(_PNG_SIGNATURE):
                self.container = self.container or Container.PNG
                return self._read_baked(data, "PNG", depth)
            stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
            if stripped.startswith(b"<"):
                self.container = self.container or Container.SVG
                return self._read_baked(stripped, "SVG", depth)
            try:
                text = stripped.decode("utf-8")
            except UnicodeDecodeError:
                raise _fail(Status.MALFORMED, NOT_TEXT) from None
        else:
            text = data
        text = text.lstrip("\ufeff").strip()
        if not text:
            raise _fail(Status.MALFORMED, EMPTY)
        if text.startswith("<"):
            self.container = self.container or Container.SVG
            return self._read_baked(text, "SVG", depth)
        if text.startswith("{"):
            self.container = self.container or Container.JSON
            try:
                document = _parse_json(text)
            except ValueError as error:
                raise _fail(Status.MALFORMED, NOT_JSON.format(detail=error)) from None
            return self._check_document(document, fetched_from=None)
        if _JWS.match(text):
            self.container = self.container or Container.JWT
            return self._check_jws(text)
        if _URL.match(text):
            self.container = self.container or Container.URL
            return self._read_url(text, depth)
        if text.startswith("["):
            raise _fail(Status.MALFORMED, NOT_AN_OBJECT)
        raise _fail(Status.MALFORMED, NOT_A_BADGE)

    def _read_baked(self, image: bytes | str, kind: str, depth: int) -> tuple[Status, list[Reason]]:
        try:
            if isinstance(image, bytes) and kind == "PNG":
                found = baking.unbake_png(image)
            else:
                found = baking.unbake_svg(image)
        except baking.BakingError as error:
            raise _fail(Status.MALFORMED, BAD_IMAGE.format(detail=str(error).rstrip("."))) from None
        value = found.get(baking.OB3_KEYWORD) or found.get(baking.OB2_KEYWORD)
        if not value or not value.strip():
            raise _fail(Status.MALFORMED, NO_BAKED_BADGE.format(kind=kind))
        return self._read(value.strip(), depth=depth + 1)

    def _read_url(self, url: str, depth: int) -> tuple[Status, list[Reason]]:
        try:
            result = self._fetch(url, accept=_ANY_BADGE_ACCEPT)
        except _FetchFailed as failed:
            raise _fail(Status.MALFORMED, LINK_FAILED.format(detail=failed.detail)) from None
        if result.status == 410:
            # OB 2.0 "Hosted Verification": a revoked hosted assertion answers 410 Gone.
            try:
                gone = _parse_json(result.body)
            except ValueError:
                gone = None
            is_assertion = isinstance(gone, dict) and (
                gone.get("revoked") is True or "Assertion" in _types(gone)
            )
            if is_assertion:
                assert isinstance(gone, dict)
                self.format = Format.OB2_HOSTED
                self.credential = gone
                return Status.REVOKED, self._revocation_reasons(OB2_REVOKED_410, gone)
        if result.status != 200:
            raise _fail(Status.MALFORMED, LINK_STATUS.format(status=result.status))
        body = result.body
        if result.content_type in ("text/html", "application/xhtml+xml"):
            raise _fail(Status.MALFORMED, LINK_IS_A_WEB_PAGE)
        stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped.startswith(b"{"):
            try:
                document = _parse_json(stripped)
            except ValueError as error:
                raise _fail(Status.MALFORMED, NOT_JSON.format(detail=error)) from None
            return self._check_document(document, fetched_from=result.url)
        if stripped[:15].lower().startswith((b"<!doctype html", b"<html")):
            raise _fail(Status.MALFORMED, LINK_IS_A_WEB_PAGE)
        return self._read(body, depth=depth + 1)

    # --- recognising ---------------------------------------------------------------------------

    def _check_document(
        self, document: Any, *, fetched_from: str | None
    ) -> tuple[Status, list[Reason]]:
        if not isinstance(document, dict):
            raise _fail(Status.MALFORMED, NOT_AN_OBJECT)
        contexts = _contexts(document)
        types = _types(document)
        if "EnvelopedVerifiableCredential" in types:
            raise _fail(Status.UNSUPPORTED, ENVELOPED)
        if "VerifiableCredential" in types or any(c in _VC_CONTEXTS for c in contexts):
            return self._check_ob3(document)
        if _OB2_CONTEXT in contexts or "Assertion" in types or "verification" in document:
            return self._check_ob2_document(document, fetched_from=fetched_from)
        if _OB1_CONTEXT in contexts or isinstance(document.get("verify"), dict):
            return self._check_ob1(document, fetched_from=fetched_from)
        if "recipient" in document and isinstance(document.get("badge"), dict):
            raise _fail(Status.UNSUPPORTED, OB05)
        raise _fail(Status.MALFORMED, UNRECOGNISED_JSON)

    def _check_jws(self, token: str) -> tuple[Status, list[Reason]]:
        try:
            _, payload, _ = vcjwt.decode_vc_jwt(token)
        except vcjwt.VcJwtError as error:
            raise _fail(Status.MALFORMED, f"The signed token can't be read: {error}.") from None
        if _nesting(payload) > MAX_NESTING:
            message = f"The signed token can't be read: {NESTED_TOO_DEEPLY}."
            raise _fail(Status.MALFORMED, message)
        contexts = _contexts(payload)
        is_ob2 = "vc" not in payload and (
            _OB2_CONTEXT in contexts
            or "Assertion" in _types(payload)
            or (isinstance(payload.get("verification"), dict) and "badge" in payload)
        )
        if is_ob2:
            return self._check_ob2_signed(token)
        return self._check_vc_jwt(token)
