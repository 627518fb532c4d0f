"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server.

Every page a journey reaches goes through :func:`visit` (when the test navigates to it) or
:func:`check_page` (when a click or a form submission brought the browser there). Both assert
the page's status, its single ``h1``, the skip link and ``main`` landmark, and run axe-core with
the WCAG 2.2 AA rules; a violation fails the test with a readable list.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

BROWSER_DIR = Path(__file__).resolve().parent
SCREENSHOT_DIR = BROWSER_DIR.parent.parent / "test-artifacts" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
# The machine has no internet: everything that would phone home stays off.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
DESKTOP = {"width": 1280, "height": 800}
_axe = Axe()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is a browser test, whichever module it lives in."""
    for item in items:
        if BROWSER_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


# --- Browser and pages ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium, for every test of one module.

    The sync Playwright API keeps an asyncio loop running in this thread while it is started, so
    Django refuses ORM calls from the test body ("You cannot call this from an async context")
    unless ``DJANGO_ALLOW_ASYNC_UNSAFE`` is set. It is set only while Playwright runs, and
    Playwright stops after each module: set for the whole session, it leaks into subprocesses
    (``manage.py check --deploy`` then fails with async.E001), and a loop left running would
    break any non-browser test that pytest-xdist schedules after a browser one.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def site_url(live_server: Any, settings: Any) -> str:
    """The live server's origin, also used for links in emails (``SITE_URL``)."""
    settings.SITE_URL = live_server.url
    return str(live_server.url)


@pytest.fixture
def new_page(browser: Browser, site_url: str) -> Iterator[Callable[..., Page]]:
    """Make a page in a fresh browser context (its own cookies: a different person).

    Keyword arguments go to ``browser.new_context``; the default is a 1280 x 800 desktop in en-GB.
    """
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> Page:
        options = {"viewport": DESKTOP, "locale": "en-GB", "base_url": site_url, **options}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        _watch(page)
        return page

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    return new_page()


def _watch(page: Page) -> None:
    """Record the status of each document the page loads, and any script errors."""
    state: dict[str, Any] = {"status": None, "url": None, "errors": []}

    def on_response(response: Any) -> None:
        if response.request.resource_type == "document" and response.frame == page.main_frame:
            state["status"], state["url"] = response.status, response.url

    def on_console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            state["errors"].append(f"CSP: {message.text}")

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: state["errors"].append(f"Script error: {error}"))
    page._lc_state = state  # type: ignore[attr-defined]


# --- Checks every page passes ---------------------------------------------------------------------


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(
            f"- {violation['id']} ({violation.get('impact') or 'no impact'}): {violation['help']}"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(f"    at {target}")
            summary = (node.get("failureSummary") or "").strip().replace("\n", " / ")
            if summary:
                lines.append(f"       {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA, 2.2 AA) on the page as it is now."""
    results = _axe.run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    if violations:
        pytest.fail(
            f"{len(violations)} accessibility violation(s) on {page.url}:\n"
            + format_violations(violations),
            pytrace=False,
        )


def check_page(page: Page, *, status: int | None = None) -> None:
    """The checks every page must pass, on the page the browser is showing now.

    The page must have answered below 400, or exactly ``status`` when one is given (a form shown
    again with its errors may answer 400).
    """
    state = page._lc_state  # type: ignore[attr-defined]
    page.wait_for_load_state()
    assert state["status"] is not None, f"No document was loaded for {page.url}"
    if status is None:
        assert state["status"] < 400, f"{state['url']} answered {state['status']}"
    else:
        assert state["status"] == status, f"{state['url']} answered {state['status']}, not {status}"
    assert not state["errors"], "\n".join(state["errors"])
    h1_count = page.locator("h1").count()
    assert h1_count == 1, f"{page.url} has {h1_count} h1 elements; a page needs exactly one"
    assert page.locator('a[href="#main"]').count() >= 1, f"{page.url} has no skip link to #main"
    assert page.locator("main#main").count() == 1, f"{page.url} has no <main id='main'> landmark"
    assert page.get_by_role("main").count() == 1, f"{page.url} needs exactly one main landmark"
    assert_accessible(page)


def visit(page: Page, url: str) -> Page:
    """Go to ``url`` (relative to the live server) and run :func:`check_page` on it."""
    response = page.goto(url)
    assert response is not None, f"No response for {url}"
    assert response.status < 400, f"{url} answered {response.status}"
    check_page(page)
    return page


def screenshot(page: Page, name: str) -> None:
    """A full-page PNG for people to look at: test-artifacts/screenshots/<name>.png."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"{name}.png", full_page=True)


# --- Email ----------------------------------------------------------------------------------------


def email_to(address: str) -> mail.EmailMessage:
    """The latest email sent to ``address`` (the live server shares this process's outbox)."""
    sent = [message for message in mail.outbox if address in message.to]
    assert sent, f"No email to {address}; outbox has: {[m.to for m in mail.outbox]}"
    return sent[-1]


def link_in(message: mail.EmailMessage, path_pattern: str) -> str:
    """The path (with query) of the first link in ``message`` whose path matches the pattern."""
    match = re.search(r"https?://[^/\s]+(" + path_pattern + r"[^\s]*)", message.body)
    assert match, f"No link matching {path_pattern} in:\n{message.body}"
    return match.group(1)
