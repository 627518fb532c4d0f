"""Every URL name means one page. Two patterns sharing a name make ``{% url %}`` silently link
to whichever Django finds first — the site's privacy notice once became the learner's privacy
settings that way."""

from __future__ import annotations

from collections import Counter

from django.urls import URLPattern, URLResolver, get_resolver


def _names(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _names(pattern.url_patterns, namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{prefix}{pattern.name}"


def test_no_two_url_patterns_share_a_name():
    counts = Counter(_names(get_resolver().url_patterns))
    assert sorted(name for name, count in counts.items() if count > 1) == []
