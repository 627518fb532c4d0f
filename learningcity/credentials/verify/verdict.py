"""What :func:`~learningcity.credentials.verify.verify` returns: status, reasons, verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from .summary import _empty_summary


class Status(StrEnum):
    ERROR = "error"
    MALFORMED = "malformed"
    UNSUPPORTED = "unsupported"
    TAMPERED = "tampered"
    UNKNOWN_ISSUER = "unknown_issuer"
    REVOKED = "revoked"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    STATUS_UNKNOWN = "status_unknown"
    VALID = "valid"


# The order of Status above is the order of severity: a verdict carries the most severe one.
_SEVERITY = {status: rank for rank, status in enumerate(Status)}

#: Statuses under which the issuer's identity was confirmed (signature or hosted copy checked).
ISSUER_CONFIRMED = frozenset(
    {Status.VALID, Status.EXPIRED, Status.NOT_YET_VALID, Status.REVOKED, Status.STATUS_UNKNOWN}
)


class Format(StrEnum):
    OB3_DATA_INTEGRITY = "ob3-data-integrity"
    OB3_VC_JWT = "ob3-vc-jwt"
    OB2_HOSTED = "ob2-hosted"
    OB2_SIGNED = "ob2-signed"
    OB1_HOSTED = "ob1-hosted"


class Container(StrEnum):
    JSON = "json"
    PNG = "png"
    SVG = "svg"
    URL = "url"
    JWT = "jwt"


#: One plain sentence per status, for a person who has never heard of Open Badges.
HEADLINES: dict[Status, str] = {
    Status.VALID: "This badge is genuine and current",
    Status.EXPIRED: "This badge is genuine, but it has expired",
    Status.NOT_YET_VALID: "This badge is genuine, but it isn't valid yet",
    Status.REVOKED: "This badge has been revoked by its issuer",
    Status.STATUS_UNKNOWN: "We couldn't check whether this badge has been revoked",
    Status.TAMPERED: "This badge has been changed since it was issued",
    Status.UNKNOWN_ISSUER: "We couldn't confirm who issued this badge",
    Status.MALFORMED: "We couldn't read a badge from this",
    Status.UNSUPPORTED: "We can't check this kind of badge",
    Status.ERROR: "Something went wrong on our side while checking this badge",
}


@dataclass(frozen=True)
class Reason:
    """Why: ``field`` says where (a JSON path, or ``""`` for the whole badge); ``message`` is a
    sentence for a person."""

    field: str
    message: str


@dataclass(frozen=True)
class Verdict:
    """The outcome of :func:`verify`.

    ``credential`` is the document that was checked (OB 3.0 credential, OB 2.0/1.x assertion)
    once it could be parsed — *not* a sign that it is genuine: look at ``status``. ``summary`` is
    plain, JSON-ready data for display (see :func:`_empty_summary` for the keys), filled in as
    far as the badge could be read. ``issuer_known`` is the name this installation knows the
    issuer by, looked up only when the issuer was confirmed; it says nothing about validity.
    """

    status: Status
    reasons: tuple[Reason, ...] = ()
    format: Format | None = None
    container: Container | None = None
    credential: dict[str, Any] | None = None
    summary: dict[str, Any] = field(default_factory=lambda: _empty_summary())
    issuer_id: str | None = None
    issuer_known: str | None = None

    @property
    def headline(self) -> str:
        return HEADLINES[self.status]

    @property
    def issuer_confirmed(self) -> bool:
        return self.status in ISSUER_CONFIRMED

    def to_json(self) -> dict[str, Any]:
        return {
            "status": self.status.value,
            "headline": self.headline,
            "reasons": [{"field": r.field, "message": r.message} for r in self.reasons],
            "format": self.format.value if self.format else None,
            "container": self.container.value if self.container else None,
            "issuer_id": self.issuer_id,
            "issuer_confirmed": self.issuer_confirmed,
            "issuer_known": self.issuer_known,
            "summary": self.summary,
            "credential": self.credential,
        }


class _Outcome(Exception):
    """Stops the checks with a verdict status and reasons."""

    def __init__(self, status: Status, *reasons: Reason) -> None:
        super().__init__(status.value)
        self.status = status
        self.reasons = reasons


class _FetchFailed(Exception):
    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


def _fail(status: Status, message: str, field: str = "") -> _Outcome:
    return _Outcome(status, Reason(field, message))
