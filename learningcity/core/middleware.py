"""Response headers that Django's SecurityMiddleware does not set."""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse

# Every asset is served by the app itself (no CDN), so the policy can be strict: no inline
# script, no third-party origins. Inline style attributes are allowed for the city brand colours.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; frame-ancestors 'none'; "
    "form-action 'self'; base-uri 'self'; object-src 'none'"
)


def map_tile_origin(tile_url: str) -> str:
    """The origin the browser fetches map tiles from (``MAP_TILE_URL``), for img-src.

    Leaflet's ``{s}`` subdomain placeholder becomes a wildcard: ``https://{s}.tile.example``
    → ``https://*.tile.example``. Anything else unparseable gives "" (no source is added).
    """
    parts = urlsplit(tile_url.replace("{s}", "a"))
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return ""
    host = parts.netloc
    if "{s}" in tile_url:
        host = "*" + host[1:]
    return f"{parts.scheme}://{host}"


@functools.lru_cache(maxsize=8)
def content_security_policy(tile_url: str) -> str:
    """The policy, with the map tile server (and nothing else) added to img-src. Cached per tile
    URL: it runs on every response, and the setting changes only in tests."""
    origin = map_tile_origin(tile_url)
    if not origin:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {origin}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = content_security_policy(getattr(settings, "MAP_TILE_URL", ""))
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "geolocation=(), camera=(self)")
        return response
