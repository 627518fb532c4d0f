"""The state of one verification, fetching, and how findings combine into a verdict."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urldefrag

from ..fetch import Fetcher, FetchError, FetchResult
from .helpers import _JSON_ACCEPT, MAX_FETCHES, _display_date, _parse_datetime, _parse_json
from .messages import BAD_DATE, EXPIRED, NO_FETCHER, NOT_YET_VALID, OB2_NOT_JSON, TOO_MANY_FETCHES
from .summary import _empty_summary
from .verdict import (
    _SEVERITY,
    Container,
    Format,
    Reason,
    Status,
    Verdict,
    _fail,
    _FetchFailed,
    _Outcome,
)


class _CheckBase:
    """One verification's state, fetching and verdict arithmetic; the checks for each format
    are the other parts of :class:`~.check._Check` (``sniff``, ``ob3``, ``ob3_status``,
    ``ob3_jwt``, ``ob2``)."""

    def __init__(self, *, fetcher: Fetcher | None, now: datetime) -> None:
        self.fetcher = fetcher
        self.now = now
        self.format: Format | None = None
        self.container: Container | None = None
        self.credential: dict[str, Any] | None = None
        self.summary: dict[str, Any] = _empty_summary()
        self.issuer_id: str | None = None
        self._fetched: dict[str, FetchResult] = {}
        self._fetch_count = 0

    # --- running -------------------------------------------------------------------------------

    def run(self, source: bytes | str) -> Verdict:
        try:
            status, reasons = self._read_source(source)
        except _Outcome as outcome:
            status, reasons = outcome.status, list(outcome.reasons)
        return Verdict(
            status=status,
            reasons=tuple(reasons),
            format=self.format,
            container=self.container,
            credential=self.credential,
            summary=self.summary,
            issuer_id=self.issuer_id,
        )

    # --- fetching ------------------------------------------------------------------------------

    def _fetch(self, url: str, *, accept: str) -> FetchResult:
        """Fetch through the caller's fetcher, once per URL per verification."""
        key = urldefrag(url)[0]
        if key in self._fetched:
            return self._fetched[key]
        if self.fetcher is None:
            raise _FetchFailed(NO_FETCHER)
        self._fetch_count += 1
        if self._fetch_count > MAX_FETCHES:
            raise _FetchFailed(TOO_MANY_FETCHES)
        try:
            result = self.fetcher.get(key, accept=accept)
        except FetchError as error:
            raise _FetchFailed(error.message) from None
        self._fetched[key] = result
        return result

    def _fetch_json(
        self,
        url: str,
        *,
        status: Status,
        unreachable: str,
        http_error: str | None = None,
        accept: str = _JSON_ACCEPT,
    ) -> dict[str, Any]:
        """A JSON object fetched from ``url``; any failure stops with ``status``."""
        try:
            result = self._fetch(url, accept=accept)
        except _FetchFailed as failed:
            raise _fail(status, unreachable.format(url=url, detail=failed.detail)) from None
        if result.status != 200:
            message = (http_error or unreachable).format(
                url=url, status=result.status, detail=f"HTTP {result.status}."
            )
            raise _fail(status, message)
        try:
            document = _parse_json(result.body)
        except ValueError:
            raise _fail(status, OB2_NOT_JSON.format(url=url)) from None
        if not isinstance(document, dict):
            raise _fail(status, OB2_NOT_JSON.format(url=url))
        return document

    # --- dates and findings --------------------------------------------------------------------

    def _dates(
        self, valid_from: Any, valid_until: Any, *, from_field: str, until_field: str
    ) -> tuple[Status, list[Reason]] | None:
        try:
            start = _parse_datetime(valid_from)
        except ValueError:
            raise _fail(Status.MALFORMED, BAD_DATE.format(value=valid_from), from_field) from None
        try:
            end = _parse_datetime(valid_until)
        except ValueError:
            raise _fail(Status.MALFORMED, BAD_DATE.format(value=valid_until), until_field) from None
        if end is not None and end < self.now:
            return Status.EXPIRED, [Reason(until_field, EXPIRED.format(date=_display_date(end)))]
        if start is not None and start > self.now:
            message = NOT_YET_VALID.format(date=_display_date(start))
            return Status.NOT_YET_VALID, [Reason(from_field, message)]
        return None

    def _conclude(
        self, *findings: tuple[Status, list[Reason]] | None
    ) -> tuple[Status, list[Reason]]:
        """The most severe finding, with every finding's reasons (most severe first)."""
        present = sorted((f for f in findings if f is not None), key=lambda f: _SEVERITY[f[0]])
        if not present:
            return Status.VALID, []
        reasons = [reason for _, found in present for reason in found]
        return present[0][0], reasons

    if TYPE_CHECKING:
        # Checks defined by the other parts of :class:`~.check._Check`, named here so each
        # part can call the others.
        def _read_source(self, source: bytes | str) -> tuple[Status, list[Reason]]: ...

        def _check_ob3(self, credential: dict[str, Any]) -> tuple[Status, list[Reason]]: ...

        def _check_proof(self, document: dict[str, Any], issuer_id: str) -> None: ...

        def _start_ob3(self, credential: dict[str, Any], format: Format) -> str: ...

        def _safe_mode(self, document: Mapping[str, Any], *, signed_as_json_ld: bool) -> None: ...

        def _controller_document(self, controller: str) -> dict[str, Any]: ...

        def _method_in(
            self, document: dict[str, Any], method_id: str, url: str
        ) -> dict[str, Any]: ...

        def _check_credential_status(
            self, credential: Mapping[str, Any], issuer_id: str
        ) -> tuple[Status, list[Reason]] | None: ...

        def _check_vc_jwt(self, token: str) -> tuple[Status, list[Reason]]: ...

        def _jwt_key_resolver(
            self, issuer_id: str, problems: list[_Outcome] | None = None
        ) -> Callable[[dict[str, Any], dict[str, Any]], Any]: ...

        def _check_ob2_document(
            self, assertion: dict[str, Any], *, fetched_from: str | None
        ) -> tuple[Status, list[Reason]]: ...

        def _check_ob2_signed(self, token: str) -> tuple[Status, list[Reason]]: ...

        def _check_ob1(
            self, assertion: dict[str, Any], *, fetched_from: str | None
        ) -> tuple[Status, list[Reason]]: ...

        @staticmethod
        def _revocation_reasons(first: str, document: Mapping[str, Any]) -> list[Reason]: ...
