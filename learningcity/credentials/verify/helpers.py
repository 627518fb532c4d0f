"""Limits, patterns and small pure helpers shared by the checks."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from .. import jsonld
from .messages import NESTED_TOO_DEEPLY

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
