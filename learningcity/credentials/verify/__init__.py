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

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from ..fetch import Fetcher
from .check import _Check

# Every message text and limit stays importable from here: tests assert on them by name.
from .helpers import MAX_DEPTH, MAX_FETCHES, MAX_NESTING, MAX_SOURCE_BYTES, MAX_TEXT  # noqa: F401
from .messages import *  # noqa: F403
from .messages import INTERNAL_ERROR
from .verdict import (
    HEADLINES,
    ISSUER_CONFIRMED,  # noqa: F401
    Container,
    Format,
    Reason,
    Status,
    Verdict,
)

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
