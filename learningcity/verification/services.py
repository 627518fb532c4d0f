"""Checking a badge for a visitor: the verifier wired to this installation, and a per-address
limit on how often anyone may ask (every check may fetch documents from other sites)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from learningcity.credentials.fetch import Fetcher, GuardedFetcher
from learningcity.credentials.verify import Verdict, verify

from .selectors import known_issuer_name

#: Checks one address may ask for per minute, on the page and the API together.
CHECKS_PER_MINUTE = 30
#: Seconds one check may spend fetching documents from other sites, all fetches together.
FETCH_BUDGET_SECONDS = 20


def badge_check(*, source: bytes | str, fetcher: Fetcher | None = None) -> Verdict:
    """Verify ``source`` (a link, pasted text or an uploaded file's bytes). Never raises for
    anything in ``source``.

    ``fetcher`` replaces the guarded network fetcher — only for callers that must verify without
    the network, such as the demo loader, which answers this installation's own URLs in-process.
    """
    if fetcher is None:
        fetcher = GuardedFetcher(
            allow_private=getattr(settings, "CREDENTIALS_FETCH_ALLOW_PRIVATE", False),
            budget=FETCH_BUDGET_SECONDS,
        )
    return verify(source, fetcher=fetcher, now=timezone.now(), known_issuers=known_issuer_name)


def check_rate_limit_hit(*, address: str) -> bool:
    """Count one check from ``address``; True when it is over the limit for this minute.

    A fixed one-minute window in the shared cache: simple, holds across processes, and at worst
    lets twice the limit through across a window boundary.
    """
    limit = getattr(settings, "VERIFICATION_CHECKS_PER_MINUTE", CHECKS_PER_MINUTE)
    key = f"verification:checks:{address}:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=120)
        count = 1
    return count > limit
