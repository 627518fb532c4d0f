"""Verify any badge a stranger hands over, and say what it is: one entry point, :func:`verify`.

``source`` may be JSON text or bytes (an OB 3.0 credential, an OB 2.0 or OB 1.x assertion), a
compact JWS (an OB 3.0 VC-JWT or an OB 2.0 signed assertion), a baked PNG or SVG, or an
``http(s)`` link. Everything remote is fetched through the caller's :class:`~.fetch.Fetcher`
(in production the guarded one), and every failure becomes a :class:`Verdict` with reasons a
person can read: :func:`verify` never raises for anything in ``source``.

Statuses (:class:`Status`), most severe first — a verdict carries the first that applies:

``error``          our own fault: an unexpected exception (logged); never caused by input alone.
``malformed``      not a badge we can read (not JSON/JWS/PNG/SVG/link, a missing proof, an
                   undefined JSON-LD term, an unreachable link given by the person, …).
``unsupported``    a badge of a kind this checker cannot verify (another proof type, a DID
                   method other than did:key / did:web, an unknown JSON-LD context, OB 0.5, …).
``tampered``       the content does not match its signature, or the hosted copy differs from the
                   one given, or its vocabulary (``@context``) was changed from a standard one.
``unknown_issuer`` the content is intact as far as we can tell, but we cannot confirm the named
                   issuer made it: its key or profile cannot be fetched, the key is not one the
                   issuer lists, belongs to someone else, or the badge is hosted off the issuer's
                   site.
``revoked``        the issuer revoked (or suspended) it.
``expired``        ``validUntil`` / ``expires`` has passed.
``not_yet_valid``  ``validFrom`` (OB 2.0: ``issuedOn``) is in the future.
``status_unknown`` genuine and in date, but its revocation list could not be fetched or checked —
                   never reported as valid.
``valid``          genuine, in date and not revoked.

Checks, in order: read the container (PNG/SVG/link) → parse → recognise the format → JSON-LD
safe mode (OB 3.0) → resolve the issuer's key and check it is bound to the issuer → signature
(or, for hosted OB 2.0/1.x, the hosted copy and its origin) → dates → revocation. See
``docs/verification.md``.

Pure: no Django, no settings. The caller passes the fetcher, the clock and the lookup of issuers
known to this installation.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urldefrag, urlsplit

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from . import baking, data_integrity, documents, jsonld, keys, status_list, vcjwt
from .fetch import Fetcher, FetchError, FetchResult
from .rdfc import check_safe

__all__ = [
    "HEADLINES",
    "Container",
    "Format",
    "Reason",
    "Status",
    "Verdict",
    "verify",
]

logger = logging.getLogger(__name__)


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


# --- messages (plain language; tests assert on them) --------------------------------------------

INTERNAL_ERROR = (
    "Something unexpected went wrong while checking this badge. It has been logged; please try "
    "again later."
)
TOO_LARGE = "This is larger than {limit_mb} MB, which is more than any badge needs."
EMPTY = "There was nothing to check."
NOT_A_BADGE = (
    "This doesn't look like a badge. We can check a link to a badge, a badge image (PNG or SVG), "
    "or a badge file (JSON or a signed token)."
)
NOT_TEXT = "This isn't a PNG or SVG image, and it isn't text we can read."
NOT_JSON = "We can't read this as JSON: {detail}."
NESTED_TOO_DEEPLY = "it is nested more than 64 levels deep"
NOT_AN_OBJECT = "This JSON isn't a badge: a badge is a JSON object."
UNRECOGNISED_JSON = (
    "This JSON isn't a badge we recognise: it has neither an Open Badges nor a Verifiable "
    "Credentials context."
)
NO_BAKED_BADGE = "This {kind} image doesn't have a badge baked into it."
BAD_IMAGE = "We couldn't read the badge in this image: {detail}."
LINK_FAILED = "We couldn't open the link: {detail}"
LINK_STATUS = "The link didn't lead to a badge: the site answered with an error (HTTP {status})."
LINK_IS_A_WEB_PAGE = (
    "The link leads to a web page, not to the badge itself. Look on that page for a link to the "
    "badge's data (often called 'verify', 'JSON' or 'download'), or download the badge image and "
    "check that instead."
)
TOO_DEEP = "The badge points to another badge, which points to another: we stopped following."
NO_FETCHER = "checking online is turned off here."
TOO_MANY_FETCHES = "Checking this badge needed more documents than we allow, so we stopped."

NO_PROOF = (
    "The credential has no signature (proof), so nothing shows who issued it or that it is "
    "unchanged."
)
SEVERAL_PROOFS = "The credential has {count} signatures (proofs); we check credentials with one."
PROOF_NOT_OBJECT = "The credential's signature (proof) isn't in a form we can read."
PROOF_TYPE_UNSUPPORTED = (
    "The credential is signed with {kind}, which this checker doesn't support (it checks "
    "DataIntegrityProof with eddsa-rdfc-2022)."
)
PROOF_PURPOSE = (
    "The signature was made for '{purpose}', not for issuing credentials (assertionMethod)."
)
SIGNATURE_MISMATCH = (
    "The signature does not match the credential: it may have been changed after it was issued."
)
NO_ISSUER = "The badge doesn't say who issued it."
ENVELOPED = "Enveloped credentials aren't supported; check the signed token (VC-JWT) instead."

UNDEFINED_TERM = (
    "The credential uses '{term}'{where}, which its vocabulary (JSON-LD @context) doesn't "
    "define. Information outside the vocabulary isn't covered by the signature, so the badge "
    "can't be trusted as it is."
)
UNKNOWN_CONTEXT = (
    "The credential uses a vocabulary (JSON-LD context) we don't know: {url}. We only check "
    "badges written with the standard Open Badges and Verifiable Credentials vocabularies."
)
CONTEXT_CHANGED = (
    "The credential's vocabulary (JSON-LD @context) isn't one of the standard ones: {detail}. "
    "Changing the vocabulary changes what the signed words mean."
)
UNSAFE_JSONLD = "The credential contains data that can't be checked safely: {detail}."

KEY_UNREACHABLE = "We couldn't fetch the issuer's keys from {url}: {detail}"
KEY_DOCUMENT_STATUS = "We couldn't fetch the issuer's keys from {url} (HTTP {status})."
KEY_DOCUMENT_INVALID = "The issuer's key document at {url} isn't valid: {detail}."
KEY_NOT_FOUND = "The issuer's key document at {url} doesn't contain the key {key}."
KEY_NOT_ASSERTION = (
    "The badge was signed with the key {key}, which its issuer doesn't list as a key it issues "
    "credentials with."
)
KEY_OTHER_CONTROLLER = (
    "The badge was signed with a key that belongs to {controller}, not to its issuer {issuer}."
)
KEY_INVALID = "The signing key {key} isn't a valid Ed25519 key: {detail}."
KEY_METHOD_UNSUPPORTED = (
    "The signing key {key} uses an identifier type we can't look up (we support did:key, "
    "did:web and https)."
)
DOCUMENT_ID_MISMATCH = "The document at {url} says its address is {id}, not {url}."

JWT_EMBEDDED_KEY = (
    "The token carries its own public key instead of naming one its issuer publishes, so anyone "
    "could have signed it."
)
JWT_KEY_OFF_ISSUER = (
    "The token's signing key is published at {host}, not on its issuer's site ({issuer_host})."
)
JWT_KEY_INVALID = "The signing key {key} isn't a public key we can use: {detail}."
JWT_ALG_NONE = (
    "The token's signature was removed or replaced with one that proves nothing (algorithm "
    "'{alg}')."
)
JWT_ALG_UNSUPPORTED = "The token is signed with algorithm '{alg}', which we don't accept."

NOT_YET_VALID = "The badge only becomes valid on {date}."
EXPIRED = "The badge expired on {date}."
BAD_DATE = "'{value}' isn't a date we can read."

STATUS_REVOKED = "The issuer has revoked this badge."
STATUS_SUSPENDED = "The issuer has suspended this badge."
STATUS_LIST_UNREACHABLE = "We couldn't fetch the issuer's revocation list from {url}: {detail}"
STATUS_LIST_HTTP = "We couldn't fetch the issuer's revocation list from {url} (HTTP {status})."
STATUS_LIST_INVALID = "The issuer's revocation list at {url} can't be trusted: {detail}"
STATUS_LIST_OTHER_ISSUER = (
    "The revocation list at {url} was issued by {other}, not by this badge's issuer."
)
STATUS_LIST_EXPIRED = "The issuer's revocation list at {url} is out of date (it expired {date})."
STATUS_ENTRY_INVALID = "The badge's revocation entry isn't valid: {detail}."
STATUS_TYPE_UNSUPPORTED = "We can't read revocation entries of type '{kind}'."

OB2_VERIFICATION_TYPE = (
    "The assertion's verification type '{kind}' isn't one we know (hosted or signed)."
)
OB2_SIGNED_WITHOUT_SIGNATURE = (
    "This assertion says it is signed, but the signature isn't included. Check the signed badge "
    "file (a signed token or the baked image) instead."
)
OB2_NO_ID = "The assertion doesn't give the web address it is hosted at."
OB2_HOSTED_UNREACHABLE = "We couldn't fetch the badge from its issuer's site at {url}: {detail}"
OB2_HOSTED_STATUS = "The issuer's site doesn't have this badge at {url} any more (HTTP {status})."
OB2_HOSTED_DIFFERS = (
    "The badge given differs from the copy its issuer hosts at {url} (in: {fields})."
)
OB2_HOSTED_ID_DIFFERS = "The badge hosted at {url} says its address is {id}."
OB2_OFF_ORIGIN = (
    "The badge is hosted at {host}, which isn't its issuer's site ({issuer_host}). Anyone can "
    "put a badge file on their own site, so this one can't be traced to the issuer."
)
OB2_BADGE_UNREACHABLE = "We couldn't fetch the badge's description from {url}: {detail}"
OB2_ISSUER_UNREACHABLE = "We couldn't fetch the issuer's profile from {url}: {detail}"
OB2_NOT_JSON = "The document at {url} isn't valid JSON."
OB2_REVOKED_410 = "The issuer's site says this badge has been revoked (HTTP 410 Gone)."
OB2_REVOKED_FLAG = "The issuer marks this badge as revoked."
OB2_REVOKED_LIST = "The issuer's revocation list includes this badge."
OB2_REVOCATION_REASON = "The issuer's reason: {reason}"
OB2_REVOCATION_LIST_UNREACHABLE = (
    "We couldn't fetch the issuer's revocation list from {url}: {detail}"
)
OB2_SIGNED_KEY_MISSING = "The issuer's profile lists no public key to check the signature with."
OB2_SIGNED_KEY_OWNER = "The signing key at {url} belongs to {owner}, not to the issuer {issuer}."
OB2_SIGNED_KEY_OFF_ORIGIN = "The signing key is published at {host}, not on the issuer's site."
OB2_SIGNED_KEY_INVALID = "The key at {url} isn't an RSA public key we can use."
OB2_SIGNED_ALG = "Signed Open Badges 2.0 must use RS256, not '{alg}'."
OB1_SIGNED = "Signed Open Badges 1.0 badges can't be checked here."
OB1_NO_URL = "The badge doesn't give the web address it is hosted at (verify.url)."
OB05 = (
    "This is an Open Badges 0.5 badge (from before 2013), which can't be verified any more: "
    "it has no hosted or signed verification."
)

# --- limits -------------------------------------------------------------------------------------

MAX_SOURCE_BYTES = 8 * 1024 * 1024
MAX_FETCHES = 24
MAX_DEPTH = 3
MAX_TEXT = 5000
MAX_NESTING = 64

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JWS = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_URL = re.compile(r"^https?://\S+$", re.IGNORECASE)
_OB2_CONTEXT = "https://w3id.org/openbadges/v2"
_OB1_CONTEXT = "https://w3id.org/openbadges/v1"
_VC_CONTEXTS = frozenset({jsonld.VC_V2_CONTEXT, jsonld.VC_V1_CONTEXT})
_JSON_ACCEPT = "application/ld+json, application/json;q=0.9, */*;q=0.1"
_CREDENTIAL_ACCEPT = (
    "application/vc+ld+json, application/ld+json, application/vc+jwt;q=0.9, "
    "application/json;q=0.9, */*;q=0.1"
)
_ANY_BADGE_ACCEPT = (
    "application/ld+json, application/vc+ld+json, application/vc+jwt, application/json;q=0.9, "
    "image/png;q=0.8, image/svg+xml;q=0.8, */*;q=0.1"
)
_STATUS_ENTRY_TYPES = frozenset({"BitstringStatusListEntry", "StatusList2021Entry"})
_STATUS_LIST_TYPES = frozenset({"BitstringStatusListCredential", "StatusList2021Credential"})


# --- small helpers -------------------------------------------------------------------------------


def _empty_summary() -> dict[str, Any]:
    return {
        "name": None,
        "description": None,
        "criteria": {"narrative": None, "url": None},
        "image": None,
        "achievement_type": None,
        "skills": [],
        "level": None,
        "tags": [],
        "issuer": {"id": None, "name": None, "url": None, "email": None},
        "recipient": None,
        "issued": None,
        "expires": None,
        "endorsements": [],
    }


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any, limit: int = MAX_TEXT) -> str | None:
    """A string fit for display, or None. OB 3.0 allows language maps for some texts; the
    first entry is taken."""
    if isinstance(value, Mapping):
        value = next((v for v in value.values() if isinstance(v, str)), None)
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value:
        return None
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _id_of(value: Any) -> str | None:
    if isinstance(value, str) and value:
        return value
    if isinstance(value, Mapping) and isinstance(value.get("id"), str) and value["id"]:
        return str(value["id"])
    return None


def _types(document: Mapping[str, Any]) -> list[str]:
    return [t for t in _as_list(document.get("type")) if isinstance(t, str)]


def _contexts(document: Mapping[str, Any]) -> list[str]:
    """The context URLs (embedded context objects left out)."""
    return [c for c in _as_list(document.get("@context")) if isinstance(c, str)]


def _host(url: str | None) -> str | None:
    if not isinstance(url, str):
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:
        return None


def _origin(url: str | None) -> tuple[str, str, int] | None:
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return (parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _nesting(value: Any) -> int:
    """How deeply ``value`` nests lists and objects (without recursion)."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children = list(item.values())
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > MAX_NESTING:
            break
        stack.extend((child, depth + 1) for child in children)
    return deepest


def _parse_json(text: str | bytes) -> Any:
    """JSON, or raise ValueError with a short readable detail.

    Nesting is capped: badges are a dozen levels deep, and the JSON-LD processing downstream
    recurses, so a deeply nested document must stop here.
    """
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise ValueError(f"{error.msg} at line {error.lineno}, column {error.colno}") from None
    except UnicodeDecodeError:
        raise ValueError("it isn't UTF-8 text") from None
    except RecursionError:
        raise ValueError(NESTED_TOO_DEEPLY) from None
    if _nesting(value) > MAX_NESTING:
        raise ValueError(NESTED_TOO_DEEPLY)
    return value


def _parse_datetime(value: Any) -> datetime | None:
    """An aware datetime from an XSD dateTime / date or (OB 1.0) a Unix timestamp.

    None when absent; raises ValueError when present and unreadable. A date-time without a time
    zone is read as UTC.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            raise ValueError(value) from None
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        raise ValueError(value)
    text = value.strip()
    if text.isdigit():
        return _parse_datetime(int(text))
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed


def _display_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%-d %B %Y")


def _b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


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


# --- the entry point -----------------------------------------------------------------------------


def verify(
    source: bytes | str,
    *,
    fetcher: Fetcher | None,
    now: datetime,
    known_issuers: Callable[[str], str | None] | None = None,
) -> Verdict:
    """Check ``source`` and return a :class:`Verdict`; never raises for anything in ``source``.

    ``fetcher`` fetches every remote document (``None``: nothing is fetched, and anything that
    needs a fetch cannot be confirmed). ``now`` must be timezone-aware. ``known_issuers(id)``
    returns the name this installation knows an issuer id by, or None; it is consulted only
    when the issuer was confirmed.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    try:
        verdict = _Check(fetcher=fetcher, now=now).run(source)
    except Exception:
        logger.exception("Unexpected error while verifying a badge")
        return Verdict(status=Status.ERROR, reasons=(Reason("", INTERNAL_ERROR),))
    if known_issuers is not None and verdict.issuer_id and verdict.issuer_confirmed:
        try:
            known = known_issuers(verdict.issuer_id)
        except Exception:
            logger.exception("known_issuers failed for %r", verdict.issuer_id)
            known = None
        verdict = replace(verdict, issuer_known=known)
    return verdict


class _Check:
    """One verification: the state gathered so far, and the checks for each format."""

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


# --- module helpers ------------------------------------------------------------------------------


def _capitalise(message: str) -> str:
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def _reason_pairs(reasons: Any) -> list[tuple[str, str]]:
    """(field, message) pairs from a check's reasons, whether pairs or objects."""
    pairs: list[tuple[str, str]] = []
    for reason in _as_list(list(reasons) if reasons is not None else None):
        if isinstance(reason, tuple) and len(reason) == 2:
            pairs.append((str(reason[0]), _capitalise(str(reason[1]))))
        else:
            where = getattr(reason, "field", "") or ""
            message = getattr(reason, "message", None) or str(reason)
            pairs.append((str(where), _capitalise(str(message))))
    return pairs


def _sentence(reasons: Any) -> str:
    return " ".join(message for _, message in _reason_pairs(reasons)) or "it didn't verify."


def _comparable(value: Any) -> Any:
    """A value as compared between a given and a hosted assertion: embedded objects by id."""
    if isinstance(value, dict) and isinstance(value.get("id"), str) and "identity" not in value:
        return value["id"]
    return value


def _same_site(host: str, site: str) -> bool:
    host, site = host.lower(), site.lower()
    return host == site or host.endswith("." + site) or site.endswith("." + host)


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


# --- summaries -----------------------------------------------------------------------------------


def _image_of(value: Any) -> str | None:
    image = _id_of(value)
    if image is None or len(image) > 3_000_000:
        return None
    return image.strip()


def _criteria(value: Any) -> dict[str, str | None]:
    if isinstance(value, str):
        return {"narrative": None, "url": value if _origin(value) else None}
    if isinstance(value, Mapping):
        url = value.get("id") if isinstance(value.get("id"), str) else value.get("url")
        return {
            "narrative": _text(value.get("narrative")),
            "url": url if isinstance(url, str) and _origin(url) else None,
        }
    return {"narrative": None, "url": None}


def _skills(alignments: Any) -> list[dict[str, str | None]]:
    skills = []
    for item in _as_list(alignments)[:100]:
        if not isinstance(item, Mapping):
            continue
        name = _text(item.get("targetName"), 300)
        if not name:
            continue
        url = item.get("targetUrl")
        skills.append(
            {
                "name": name,
                "url": url if isinstance(url, str) and _origin(url) else None,
                "framework": _text(item.get("targetFramework"), 300),
                "code": _text(item.get("targetCode"), 100),
                "description": _text(item.get("targetDescription"), 1000),
            }
        )
    return skills


def _tags(value: Any) -> list[str]:
    return [t for t in (_text(v, 100) for v in _as_list(value)[:50]) if t]


def _issuer_summary(issuer: Any) -> dict[str, str | None]:
    if isinstance(issuer, str):
        return {"id": issuer, "name": None, "url": None, "email": None}
    if not isinstance(issuer, Mapping):
        return {"id": None, "name": None, "url": None, "email": None}
    url = issuer.get("url")
    return {
        "id": _id_of(issuer.get("id")),
        "name": _text(issuer.get("name"), 300),
        "url": url if isinstance(url, str) and _origin(url) else None,
        "email": _text(issuer.get("email"), 300),
    }


def _iso(value: Any) -> str | None:
    try:
        parsed = _parse_datetime(value)
    except ValueError:
        return None
    return parsed.isoformat() if parsed else None


def _recipient_hint(identity: Any, hashed: bool, kind: Any) -> str | None:
    kind_name = {
        "emailAddress": "email address",
        "email": "email address",
        "url": "web address",
        "telephone": "phone number",
    }.get(str(kind), "identifier")
    if hashed or (isinstance(identity, str) and identity.startswith(("sha256$", "md5$"))):
        return f"A hashed {kind_name} (the badge names its holder without showing it)"
    if isinstance(identity, str) and identity:
        return _text(identity, 300)
    return None


def _endorsements(*holders: Any) -> list[dict[str, str | None]]:
    found = []
    for holder in holders:
        if not isinstance(holder, Mapping):
            continue
        for endorsement in _as_list(holder.get("endorsement"))[:20]:
            if not isinstance(endorsement, Mapping):
                continue
            subject = endorsement.get("credentialSubject") or endorsement.get("claim")
            subject = subject if isinstance(subject, Mapping) else {}
            found.append(
                {
                    "issuer": _issuer_summary(endorsement.get("issuer")).get("name")
                    or _id_of(endorsement.get("issuer")),
                    "comment": _text(
                        subject.get("endorsementComment") or subject.get("endorsementComment"), 2000
                    ),
                    "issued": _iso(endorsement.get("validFrom") or endorsement.get("issuedOn")),
                }
            )
    return found


def _summarise_ob3(credential: Mapping[str, Any]) -> dict[str, Any]:
    summary = _empty_summary()
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    subject = subject if isinstance(subject, Mapping) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, Mapping) else {}
    summary["name"] = _text(achievement.get("name"), 300) or _text(credential.get("name"), 300)
    summary["description"] = _text(achievement.get("description")) or _text(
        credential.get("description")
    )
    summary["criteria"] = _criteria(achievement.get("criteria"))
    summary["image"] = _image_of(achievement.get("image")) or _image_of(credential.get("image"))
    summary["achievement_type"] = _text(achievement.get("achievementType"), 100)
    summary["skills"] = _skills(achievement.get("alignment"))
    summary["tags"] = _tags(achievement.get("tag"))
    summary["level"] = documents.level_from_tags(summary["tags"])
    summary["issuer"] = _issuer_summary(credential.get("issuer"))
    identifiers = [i for i in _as_list(subject.get("identifier")) if isinstance(i, Mapping)]
    if identifiers:
        first = identifiers[0]
        summary["recipient"] = _recipient_hint(
            first.get("identityHash"), first.get("hashed") is True, first.get("identityType")
        )
    elif isinstance(subject.get("id"), str):
        summary["recipient"] = _text(subject["id"], 300)
    summary["issued"] = _iso(
        credential.get("validFrom")
        or credential.get("awardedDate")
        or credential.get("issuanceDate")
    )
    summary["expires"] = _iso(credential.get("validUntil") or credential.get("expirationDate"))
    summary["endorsements"] = _endorsements(credential, achievement, credential.get("issuer"))
    return summary


def _summarise_ob2(
    assertion: Mapping[str, Any], badge: Mapping[str, Any] | None, issuer: Mapping[str, Any] | None
) -> dict[str, Any]:
    summary = _empty_summary()
    if badge is None:
        embedded = assertion.get("badge")
        badge = embedded if isinstance(embedded, Mapping) else {}
    if issuer is None:
        embedded = badge.get("issuer")
        issuer = embedded if isinstance(embedded, Mapping) else {}
    summary["name"] = _text(badge.get("name"), 300)
    summary["description"] = _text(badge.get("description"))
    summary["criteria"] = _criteria(badge.get("criteria"))
    summary["image"] = _image_of(badge.get("image")) or _image_of(assertion.get("image"))
    summary["skills"] = _skills(badge.get("alignment"))
    summary["tags"] = _tags(badge.get("tags"))
    summary["level"] = documents.level_from_tags(summary["tags"])
    summary["issuer"] = _issuer_summary(issuer)
    recipient = assertion.get("recipient")
    if isinstance(recipient, Mapping):
        summary["recipient"] = _recipient_hint(
            recipient.get("identity"), recipient.get("hashed") is True, recipient.get("type")
        )
    elif isinstance(recipient, str):
        summary["recipient"] = _recipient_hint(recipient, False, "email")
    summary["issued"] = _iso(assertion.get("issuedOn"))
    summary["expires"] = _iso(assertion.get("expires"))
    summary["endorsements"] = _endorsements(assertion, badge, issuer)
    return summary
