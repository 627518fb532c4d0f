"""One guarded HTTP client for every remote fetch: badge import, issuers' documents, status lists.

The URLs come from strangers (a pasted link, a baked image, a credential's ``issuer`` or
``statusListCredential``), so this is a server-side request forgery boundary:

- only ``http`` and ``https``, only ``GET``, no user name or password in the URL;
- the host name is resolved here and *every* address it resolves to is checked: loopback,
  private, link-local (cloud metadata at 169.254.169.254), multicast, reserved, unspecified,
  shared (100.64.0.0/10) and any IPv6 address that embeds one of those (IPv4-mapped, 6to4,
  NAT64) are refused unless ``allow_private``;
- the connection goes to the address that was checked (the resolution is *pinned*), while the
  ``Host`` header and TLS SNI / certificate check use the name, so a DNS answer that changes
  between the check and the connection (DNS rebinding) cannot redirect the request;
- the whole call, redirects included, has one deadline; the body is streamed and refused past
  ``max_bytes``; at most ``max_redirects`` redirects, each hop checked again like the first.

Standard library only (``http.client`` + ``ssl``). Any final HTTP status is returned (a caller
needs 404 and 410); only refusals and transport failures raise :class:`FetchError`, whose
message is fit to show the person who gave the link.

Known limit: the DNS lookup itself is not bounded by ``timeout`` (``getaddrinfo`` has no
timeout); the operating system's resolver timeout applies.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote, urljoin, urlsplit

__all__ = [
    "DEFAULT_USER_AGENT",
    "FetchError",
    "FetchResult",
    "Fetcher",
    "GuardedFetcher",
    "address_refusal",
]

DEFAULT_USER_AGENT = "LearningCity-BadgeVerifier/1.0 (+https://github.com/learningcity)"
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024
# RFC 6052 §2.1: the well-known NAT64 prefix embeds an IPv4 address in its last 32 bits.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], Sequence[str]]

# Messages shown to people (tests assert on them).
SCHEME_REFUSED = "Only http and https links can be checked, not {scheme}: links."
NO_HOST = "The link has no web address (host name) in it."
BAD_HOST = "The link's host name {host!r} isn't a valid internet name."
USERINFO_REFUSED = "Links with a user name or password in them can't be checked."
BAD_URL = "That isn't a valid web link."
ADDRESS_REFUSED = "The address resolves to {kind} ({ip}), which is not allowed."
DNS_FAILED = "We couldn't find the site {host}: its name doesn't resolve to an address."
CONNECT_FAILED = "We couldn't connect to {host}. The site may be down; try again later."
TIMED_OUT = "{host} took longer than {seconds:g} seconds to answer, so we stopped waiting."
TLS_FAILED = (
    "The secure connection to {host} failed: its security certificate couldn't be verified."
)
BAD_HTTP = "{host} sent an answer that isn't valid HTTP."
TOO_LARGE = "The document at {url} is larger than the {limit} limit, so it wasn't downloaded."
TOO_MANY_REDIRECTS = "The link redirected more than {limit} times, so we stopped following it."
REDIRECT_WITHOUT_LOCATION = "{host} answered with a redirect but didn't say where to."
BUDGET_SPENT = "Checking this took too long, so we stopped fetching documents for it."
UNSUPPORTED_ENCODING = "{host} sent the document in an encoding we can't read ({encoding})."


class FetchError(Exception):
    """A fetch that was refused or failed. ``message`` is plain language, fit to show."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FetchResult:
    """What a server answered. ``url`` is the final URL after redirects; ``content_type`` is
    the media type only, lower-cased, without parameters (``""`` when there was none)."""

    url: str
    status: int
    content_type: str
    body: bytes


class Fetcher(Protocol):
    """Anything that can GET a URL the way :class:`GuardedFetcher` does (tests use fakes)."""

    def get(self, url: str, *, accept: str) -> FetchResult: ...


def _describe(ip: IPAddress) -> str | None:
    """What kind of non-public address ``ip`` is, or None for a public one."""
    if ip.is_loopback:
        return "this computer (a loopback address)"
    if ip.is_unspecified:
        return "an unspecified address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_private:
        return "a private network"
    if ip.is_reserved:
        return "a reserved address"
    if not ip.is_global:
        return "an address that isn't on the public internet"
    return None


def address_refusal(ip: IPAddress) -> str | None:
    """Why a connection to ``ip`` is refused, or None when it is a public address.

    IPv6 forms that carry an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``, 6to4 ``2002::/16``,
    NAT64 ``64:ff9b::/96``) are judged by that IPv4 address too: ``::ffff:127.0.0.1`` reaches
    loopback on a dual-stack host although Python does not call it loopback.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None:
            kind = _describe(embedded)
            if kind is not None:
                return ADDRESS_REFUSED.format(kind=kind, ip=ip)
    kind = _describe(ip)
    return ADDRESS_REFUSED.format(kind=kind, ip=ip) if kind is not None else None


def _size(limit: int) -> str:
    if limit >= 1_000_000:
        return f"{limit / 1_000_000:g} MB"
    if limit >= 1_000:
        return f"{limit / 1_000:g} kB"
    return f"{limit} bytes"


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _system_resolver(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str  # IDNA-encoded, lower-case, IPv6 without brackets
    port: int
    path: str  # path and query, as sent on the request line


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to a fixed IP address, speaking to ``host`` (Host header, SNI and
    certificate name). Never goes through a proxy."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        ip: str,
        timeout: float,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip
        self._ssl_context = ssl_context

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ssl_context is not None:
                sock = self._ssl_context.wrap_socket(sock, server_hostname=self.host)
        except BaseException:
            sock.close()
            raise
        self.sock = sock


class GuardedFetcher:
    """GET remote documents safely (see the module docstring for every guard).

    ``timeout`` is the time allowed for the whole call, redirects included; ``max_bytes`` caps
    the body of the final answer; ``resolver`` (host, port) → addresses replaces the system
    DNS lookup (tests use it to point a public-looking name at a local server);
    ``address_policy`` (address → refusal message or None) replaces :func:`address_refusal`
    when ``allow_private`` is off (tests use it to allow exactly one local server);
    ``budget`` caps the seconds spent across *all* calls on this instance, from the first one
    (one verification may fetch many documents: use one fetcher per verification).
    """

    def __init__(
        self,
        *,
        allow_private: bool = False,
        timeout: float = 10,
        max_bytes: int = 2_000_000,
        max_redirects: int = 3,
        user_agent: str = DEFAULT_USER_AGENT,
        resolver: Resolver | None = None,
        address_policy: Callable[[IPAddress], str | None] | None = None,
        ssl_context: ssl.SSLContext | None = None,
        budget: float | None = None,
    ) -> None:
        self.allow_private = allow_private
        self.timeout = float(timeout)
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.user_agent = user_agent
        self._resolve = resolver or _system_resolver
        self._address_policy = address_policy or address_refusal
        self._ssl_context = ssl_context
        self.budget = budget
        self._budget_ends: float | None = None

    # --- public --------------------------------------------------------------------------------

    def get(self, url: str, *, accept: str) -> FetchResult:
        """GET ``url`` and return the final answer, whatever its status.

        Raises :class:`FetchError` when the URL or an address is refused, the connection fails
        or times out, the body is too large, or there are too many redirects.
        """
        started = time.monotonic()
        deadline = started + self.timeout
        if self.budget is not None:
            if self._budget_ends is None:
                self._budget_ends = started + self.budget
            if started >= self._budget_ends:
                raise FetchError(BUDGET_SPENT)
            deadline = min(deadline, self._budget_ends)
        redirects = 0
        while True:
            target = self._parse(url)
            status, headers, response, connection = self._open(target, accept, deadline)
            try:
                if status in _REDIRECT_STATUSES:
                    location = headers.get("location")
                    if not location:
                        raise FetchError(REDIRECT_WITHOUT_LOCATION.format(host=target.host))
                    redirects += 1
                    if redirects > self.max_redirects:
                        raise FetchError(TOO_MANY_REDIRECTS.format(limit=self.max_redirects))
                    url = urljoin(url, location.strip())
                    continue
                body = self._read_body(target, url, headers, response, connection, deadline)
            finally:
                connection.close()
            content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
            return FetchResult(url=url, status=status, content_type=content_type, body=body)

    # --- steps ---------------------------------------------------------------------------------

    def _parse(self, url: str) -> _Target:
        if not isinstance(url, str):
            raise FetchError(BAD_URL)
        url = url.strip()
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError:
            raise FetchError(BAD_URL) from None
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise FetchError(SCHEME_REFUSED.format(scheme=scheme or "relative"))
        if parts.username is not None or parts.password is not None:
            raise FetchError(USERINFO_REFUSED)
        host = parts.hostname or ""
        if not host:
            raise FetchError(NO_HOST)
        if not _is_ip_literal(host):
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                raise FetchError(BAD_HOST.format(host=host)) from None
            if not all(c.isalnum() or c in "-." for c in host):
                raise FetchError(BAD_HOST.format(host=host))
        if port is None:
            port = 443 if scheme == "https" else 80
        path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
        if parts.query:
            path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
        return _Target(scheme=scheme, host=host, port=port, path=path)

    def _addresses(self, target: _Target) -> list[str]:
        try:
            literal = ipaddress.ip_address(target.host)
        except ValueError:
            literal = None
        if literal is not None:
            candidates = [str(literal)]
        else:
            try:
                candidates = list(dict.fromkeys(self._resolve(target.host, target.port)))
            except (OSError, UnicodeError):
                raise FetchError(DNS_FAILED.format(host=target.host)) from None
            if not candidates:
                raise FetchError(DNS_FAILED.format(host=target.host))
        addresses: list[str] = []
        for candidate in candidates:
            # A scoped IPv6 address ("fe80::1%eth0") is link-local anyway; drop the scope.
            ip = ipaddress.ip_address(candidate.split("%", 1)[0])
            if not self.allow_private:
                refusal = self._address_policy(ip)
                if refusal is not None:
                    # One bad address among several is enough to refuse: an attacker who
                    # controls the DNS answer would otherwise pick which one is used.
                    raise FetchError(refusal)
            addresses.append(str(ip))
        return addresses

    def _open(
        self, target: _Target, accept: str, deadline: float
    ) -> tuple[int, dict[str, str], http.client.HTTPResponse, _PinnedConnection]:
        addresses = self._addresses(target)
        context = None
        if target.scheme == "https":
            context = self._ssl_context or ssl.create_default_context()
        for ip in addresses:
            remaining = self._remaining(target, deadline)
            connection = _PinnedConnection(
                target.host, target.port, ip=ip, timeout=remaining, ssl_context=context
            )
            try:
                connection.putrequest("GET", target.path, skip_accept_encoding=True)
                connection.putheader("Accept", accept)
                connection.putheader("Accept-Encoding", "identity")
                connection.putheader("User-Agent", self.user_agent)
                connection.putheader("Connection", "close")
                connection.endheaders()
                response = connection.getresponse()
            except TimeoutError:
                connection.close()
                raise FetchError(TIMED_OUT.format(host=target.host, seconds=self.timeout)) from None
            except ssl.SSLError:
                connection.close()
                raise FetchError(TLS_FAILED.format(host=target.host)) from None
            except http.client.HTTPException:
                connection.close()
                raise FetchError(BAD_HTTP.format(host=target.host)) from None
            except OSError:
                # Refused or unreachable: try the next address the name resolved to.
                connection.close()
                continue
            headers = {name.lower(): value for name, value in response.getheaders()}
            return response.status, headers, response, connection
        raise FetchError(CONNECT_FAILED.format(host=target.host))

    def _remaining(self, target: _Target, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise FetchError(TIMED_OUT.format(host=target.host, seconds=self.timeout))
        return remaining

    def _read_body(
        self,
        target: _Target,
        url: str,
        headers: dict[str, str],
        response: http.client.HTTPResponse,
        connection: _PinnedConnection,
        deadline: float,
    ) -> bytes:
        too_large = FetchError(TOO_LARGE.format(url=url, limit=_size(self.max_bytes)))
        declared = headers.get("content-length", "").strip()
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise too_large
        chunks: list[bytes] = []
        total = 0
        try:
            while True:
                if connection.sock is not None:
                    connection.sock.settimeout(self._remaining(target, deadline))
                # read1: whatever has arrived (one socket read), so the deadline is checked often.
                chunk = response.read1(min(_CHUNK, self.max_bytes + 1 - total))
                if not chunk:
                    break
                chunks.append(chunk)
                total += len(chunk)
                if total > self.max_bytes:
                    raise too_large
                # A server dripping one byte at a time stays under the socket timeout on every
                # read; the overall deadline still stops it.
                self._remaining(target, deadline)
        except TimeoutError:
            raise FetchError(TIMED_OUT.format(host=target.host, seconds=self.timeout)) from None
        except http.client.HTTPException:
            raise FetchError(BAD_HTTP.format(host=target.host)) from None
        except ssl.SSLError:
            raise FetchError(TLS_FAILED.format(host=target.host)) from None
        except OSError:
            raise FetchError(CONNECT_FAILED.format(host=target.host)) from None
        body = b"".join(chunks)
        encoding = headers.get("content-encoding", "").strip().lower()
        if encoding in ("", "identity"):
            return body
        if encoding in ("gzip", "x-gzip", "deflate"):
            # Asked for identity, got compression anyway: inflate, with the same cap (a small
            # compressed body can inflate enormously).
            wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
            inflater = zlib.decompressobj(wbits=wbits)
            try:
                inflated = inflater.decompress(body, self.max_bytes + 1)
            except zlib.error:
                raise FetchError(BAD_HTTP.format(host=target.host)) from None
            if len(inflated) > self.max_bytes:
                raise too_large
            return inflated
        raise FetchError(UNSUPPORTED_ENCODING.format(host=target.host, encoding=encoding))
