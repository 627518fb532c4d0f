"""The guarded fetcher: what it fetches, what it refuses, and how it fails.

Success cases run against a real HTTP server on 127.0.0.1 (with ``allow_private=True``, or an
address policy that allows exactly that server); refusals never open a connection.
"""

from __future__ import annotations

import contextlib
import gzip
import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from learningcity.credentials import fetch
from learningcity.credentials.fetch import FetchError, GuardedFetcher, address_refusal

Route = Callable[[BaseHTTPRequestHandler], None]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        server = self.server
        server.requests.append({"path": self.path, "headers": dict(self.headers)})  # type: ignore[attr-defined]
        route = server.routes.get(self.path.split("?", 1)[0])  # type: ignore[attr-defined]
        if route is None:
            send(self, 404, b"not here", "text/plain")
            return
        route(self)

    def do_POST(self) -> None:  # pragma: no cover - the fetcher never posts
        raise AssertionError("the fetcher must only GET")

    def log_message(self, format: str, *args: object) -> None:
        pass


def send(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that gave up (timeout, size cap) leaves a broken pipe here: expected.
        pass


class Server:
    def __init__(self) -> None:
        self.httpd = _QuietServer(("127.0.0.1", 0), _Handler)
        self.httpd.routes = {}  # type: ignore[attr-defined]
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def routes(self) -> dict[str, Route]:
        return self.httpd.routes  # type: ignore[attr-defined]

    @property
    def requests(self) -> list[dict[str, object]]:
        return self.httpd.requests  # type: ignore[attr-defined]

    def url(self, path: str, host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"


@contextlib.contextmanager
def running_server() -> Iterator[Server]:
    """A local HTTP server for the length of a ``with`` block (other test modules use it)."""
    running = Server()
    running.thread.start()
    try:
        yield running
    finally:
        running.httpd.shutdown()
        running.httpd.server_close()


@pytest.fixture
def server() -> Iterator[Server]:
    with running_server() as running:
        yield running


def local(**kwargs: object) -> GuardedFetcher:
    return GuardedFetcher(allow_private=True, **kwargs)  # type: ignore[arg-type]


def only_the_test_server(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """The default policy, except that 127.0.0.1 (the test server) is allowed."""
    return None if str(ip) == "127.0.0.1" else address_refusal(ip)


# --- success -------------------------------------------------------------------------------------


def test_a_document_is_fetched_with_its_status_type_and_body(server):
    server.routes["/badge"] = lambda h: send(
        h, 200, b'{"ok": true}', "application/ld+json; charset=utf-8"
    )
    result = local().get(server.url("/badge"), accept="application/ld+json")
    assert result.status == 200
    assert result.body == b'{"ok": true}'
    assert result.content_type == "application/ld+json"
    assert result.url == server.url("/badge")


def test_the_request_carries_accept_user_agent_and_no_compression(server):
    server.routes["/badge"] = lambda h: send(h, 200, b"{}")
    local(user_agent="TestAgent/1").get(server.url("/badge"), accept="application/json")
    headers = server.requests[0]["headers"]
    assert headers["Accept"] == "application/json"
    assert headers["User-Agent"] == "TestAgent/1"
    assert headers["Accept-Encoding"] == "identity"


def test_an_error_status_is_returned_not_raised(server):
    server.routes["/gone"] = lambda h: send(h, 410, b'{"revoked": true}')
    result = local().get(server.url("/gone"), accept="application/json")
    assert result.status == 410
    assert result.body == b'{"revoked": true}'
    assert local().get(server.url("/missing"), accept="*/*").status == 404


def test_a_missing_content_type_is_an_empty_string(server):
    def no_type(h):
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"{}")

    server.routes["/plain"] = no_type
    assert local().get(server.url("/plain"), accept="*/*").content_type == ""


def test_the_connection_is_pinned_to_the_checked_address_and_speaks_to_the_name(server):
    # "badges.example" is never looked up in DNS: the resolver's answer is the address that was
    # checked and connected to, while the Host header names the site.
    looked_up: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        looked_up.append(host)
        return ["127.0.0.1"]

    fetcher = GuardedFetcher(resolver=resolver, address_policy=only_the_test_server)
    server.routes["/badge"] = lambda h: send(h, 200, b"{}")
    result = fetcher.get(server.url("/badge", host="badges.example"), accept="*/*")
    assert result.status == 200
    assert looked_up == ["badges.example"]
    assert server.requests[0]["headers"]["Host"] == f"badges.example:{server.port}"


def test_a_compressed_answer_is_inflated_even_though_identity_was_asked_for(server):
    body = gzip.compress(b'{"compressed": true}')
    server.routes["/gz"] = lambda h: send(h, 200, body, headers={"Content-Encoding": "gzip"})
    assert local().get(server.url("/gz"), accept="*/*").body == b'{"compressed": true}'


def test_an_unknown_content_encoding_is_refused(server):
    server.routes["/br"] = lambda h: send(h, 200, b"xx", headers={"Content-Encoding": "br"})
    with pytest.raises(FetchError, match="encoding we can't read"):
        local().get(server.url("/br"), accept="*/*")


# --- redirects -----------------------------------------------------------------------------------


def redirect(to: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", "text/plain", headers={"Location": to})


def test_redirects_are_followed_and_the_final_url_is_reported(server):
    server.routes["/a"] = redirect("/b", 301)
    server.routes["/b"] = redirect(server.url("/c"), 308)
    server.routes["/c"] = lambda h: send(h, 200, b"{}")
    result = local().get(server.url("/a"), accept="*/*")
    assert result.status == 200
    assert result.url == server.url("/c")


def test_more_redirects_than_the_limit_are_refused(server):
    for hop in range(5):
        server.routes[f"/{hop}"] = redirect(f"/{hop + 1}")
    server.routes["/5"] = lambda h: send(h, 200, b"{}")
    assert local(max_redirects=5).get(server.url("/0"), accept="*/*").status == 200
    with pytest.raises(FetchError) as refused:
        local(max_redirects=3).get(server.url("/0"), accept="*/*")
    assert refused.value.message == fetch.TOO_MANY_REDIRECTS.format(limit=3)


def test_a_redirect_to_a_private_address_is_refused(server):
    server.routes["/a"] = redirect("http://169.254.169.254/latest/meta-data/")
    fetcher = GuardedFetcher(address_policy=only_the_test_server)
    with pytest.raises(FetchError, match=r"link-local address \(169\.254\.169\.254\)"):
        fetcher.get(server.url("/a"), accept="*/*")


def test_a_redirect_to_a_name_that_resolves_privately_is_refused(server):
    server.routes["/a"] = redirect("http://internal.example/admin")

    def resolver(host: str, port: int) -> list[str]:
        return {"internal.example": ["10.0.0.5"]}.get(host, ["127.0.0.1"])

    fetcher = GuardedFetcher(resolver=resolver, address_policy=only_the_test_server)
    with pytest.raises(FetchError) as refused:
        fetcher.get(server.url("/a"), accept="*/*")
    assert refused.value.message == (
        "The address resolves to a private network (10.0.0.5), which is not allowed."
    )


def test_a_redirect_to_another_scheme_is_refused(server):
    server.routes["/a"] = redirect("file:///etc/passwd")
    with pytest.raises(FetchError, match="not file: links"):
        local().get(server.url("/a"), accept="*/*")


def test_a_redirect_without_a_location_is_an_error(server):
    server.routes["/a"] = lambda h: send(h, 302, b"", "text/plain")
    with pytest.raises(FetchError, match="didn't say where"):
        local().get(server.url("/a"), accept="*/*")


# --- size ----------------------------------------------------------------------------------------


def test_a_body_larger_than_the_limit_is_refused_by_its_declared_length(server):
    server.routes["/big"] = lambda h: send(h, 200, b"x" * 3000)
    with pytest.raises(FetchError) as refused:
        local(max_bytes=1000).get(server.url("/big"), accept="*/*")
    assert refused.value.message == fetch.TOO_LARGE.format(url=server.url("/big"), limit="1 kB")


def test_a_body_larger_than_the_limit_is_refused_while_streaming(server):
    def undeclared(h):
        # No Content-Length: the body runs until the connection closes.
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(b"x" * 5000)
        h.close_connection = True

    server.routes["/big"] = undeclared
    with pytest.raises(FetchError, match="larger than the 1 kB limit"):
        local(max_bytes=1000).get(server.url("/big"), accept="*/*")


def test_a_body_exactly_at_the_limit_is_accepted(server):
    server.routes["/edge"] = lambda h: send(h, 200, b"y" * 1000)
    assert len(local(max_bytes=1000).get(server.url("/edge"), accept="*/*").body) == 1000


def test_a_compression_bomb_is_refused(server):
    bomb = gzip.compress(b"\0" * 5_000_000)
    server.routes["/bomb"] = lambda h: send(h, 200, bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(FetchError, match="larger than the 1 MB limit"):
        local(max_bytes=1_000_000).get(server.url("/bomb"), accept="*/*")


# --- time ----------------------------------------------------------------------------------------


def test_a_server_that_does_not_answer_in_time_is_abandoned(server):
    def slow(h):
        time.sleep(2)
        send(h, 200, b"{}")

    server.routes["/slow"] = slow
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"took longer than 0\.5 seconds"):
        local(timeout=0.5).get(server.url("/slow"), accept="*/*")
    assert time.monotonic() - started < 1.5


def test_a_server_dripping_its_body_is_stopped_by_the_overall_deadline(server):
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "100")
        h.end_headers()
        for _ in range(100):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip"] = drip
    started = time.monotonic()
    with pytest.raises(FetchError, match="took longer than"):
        local(timeout=0.6).get(server.url("/drip"), accept="*/*")
    assert time.monotonic() - started < 1.5


def test_a_budget_caps_the_time_spent_across_calls(server):
    def slow(h):
        time.sleep(0.4)
        send(h, 200, b"{}")

    server.routes["/slow"] = slow
    fetcher = local(timeout=5, budget=0.6)
    assert fetcher.get(server.url("/slow"), accept="*/*").status == 200
    with pytest.raises(FetchError, match="took longer than"):
        fetcher.get(server.url("/slow"), accept="*/*")
    with pytest.raises(FetchError) as refused:
        fetcher.get(server.url("/slow"), accept="*/*")
    assert refused.value.message == fetch.BUDGET_SPENT


def test_a_closed_port_is_a_readable_connection_error():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match=r"couldn't connect to 127\.0\.0\.1"):
        local().get(f"http://127.0.0.1:{port}/", accept="*/*")


def test_a_name_that_does_not_resolve_is_a_readable_error():
    def resolver(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    with pytest.raises(FetchError) as refused:
        GuardedFetcher(resolver=resolver).get("https://no-such-site.example/", accept="*/*")
    assert refused.value.message == fetch.DNS_FAILED.format(host="no-such-site.example")


# --- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://127.0.0.1/", "this computer (a loopback address) (127.0.0.1)"),
        ("http://127.1.2.3:8000/x", "this computer (a loopback address) (127.1.2.3)"),
        ("http://10.0.0.5/", "a private network (10.0.0.5)"),
        ("http://192.168.1.1/", "a private network (192.168.1.1)"),
        ("http://172.16.0.1/", "a private network (172.16.0.1)"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address (169.254.169.254)"),
        ("http://[::1]/", "this computer (a loopback address) (::1)"),
        ("http://[fe80::1]/", "a link-local address (fe80::1)"),
        ("http://[fd00::1]/", "a private network (fd00::1)"),
        ("http://0.0.0.0/", "an unspecified address (0.0.0.0)"),
        ("http://224.0.0.1/", "a multicast address (224.0.0.1)"),
        ("http://240.0.0.1/", "a private network (240.0.0.1)"),
        ("http://100.64.0.1/", "an address that isn't on the public internet (100.64.0.1)"),
        ("http://[::ffff:127.0.0.1]/", "(::ffff:7f00:1)"),
        ("http://[::ffff:10.0.0.5]/", "(::ffff:a00:5)"),
        ("http://[2002:a00:5::]/", "(2002:a00:5::)"),
        ("http://[64:ff9b::a9fe:a9fe]/", "(64:ff9b::a9fe:a9fe)"),
    ],
)
def test_non_public_addresses_are_refused(url, message):
    with pytest.raises(FetchError) as refused:
        GuardedFetcher().get(url, accept="*/*")
    assert message in refused.value.message
    assert refused.value.message.endswith("which is not allowed.")


def test_the_message_for_a_private_address_reads_plainly():
    with pytest.raises(FetchError) as refused:
        GuardedFetcher().get("https://10.0.0.5/badge", accept="*/*")
    assert refused.value.message == (
        "The address resolves to a private network (10.0.0.5), which is not allowed."
    )


def test_a_host_name_resolving_to_loopback_is_refused():
    with pytest.raises(FetchError, match="loopback address"):
        GuardedFetcher().get("http://localhost/", accept="*/*")


def test_decimal_and_hex_spellings_of_loopback_are_refused():
    for url in ("http://2130706433/", "http://0x7f000001/", "http://127.1/"):
        with pytest.raises(FetchError, match="loopback address"):
            GuardedFetcher().get(url, accept="*/*")


def test_a_name_with_one_private_address_among_public_ones_is_refused():
    def resolver(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.1.2.3"]

    with pytest.raises(FetchError, match=r"private network \(10\.1\.2\.3\)"):
        GuardedFetcher(resolver=resolver).get("https://rebind.example/", accept="*/*")


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "ftp://example.org/badge.json",
        "gopher://example.org:70/1",
        "data:application/json,{}",
        "javascript:alert(1)",
        "/relative/path",
    ],
)
def test_schemes_other_than_http_and_https_are_refused(url):
    with pytest.raises(FetchError, match="Only http and https links can be checked"):
        GuardedFetcher(allow_private=True).get(url, accept="*/*")


def test_a_user_name_in_the_link_is_refused():
    with pytest.raises(FetchError) as refused:
        GuardedFetcher().get("https://user:secret@example.org/", accept="*/*")
    assert refused.value.message == fetch.USERINFO_REFUSED


@pytest.mark.parametrize("url", ["http://", "https:///path", "http://[::1/", "http://a b/"])
def test_links_without_a_valid_host_are_refused(url):
    with pytest.raises(FetchError):
        GuardedFetcher().get(url, accept="*/*")


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111", "2002:5db8:d822::1"],
)
def test_public_addresses_are_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) is None
