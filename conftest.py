"""Fixtures shared by every test module."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    # Rate limits live in the cache; one test's failed logins must not throttle the next.
    cache.clear()
