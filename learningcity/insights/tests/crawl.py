"""A reader's crawl of the dashboards, for ``test_differencing``: start at one page, follow every
link under the dashboards' address, submit every option of every GET form (one select changed at
a time, the others as the page chose them, which reaches every combination the forms offer) and
download every CSV — and keep what each response showed: its tables' cells as text, or the CSV's
rows. Nothing here knows which pages exist; the test maps what was shown back to figures.
"""

from __future__ import annotations

import csv
import io
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.test import Client

__all__ = ["Crawl", "Page", "Table", "crawl"]


@dataclass
class Table:
    """One ``<table>``: its caption, the header cells, then each row's cells (row headers first),
    every cell as its whitespace-collapsed text."""

    caption: str = ""
    headers: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Page:
    """One response of the crawl. ``choices`` are the GET form's selected values (what the page
    actually shows, after any fallback); ``params`` the query string asked for."""

    url: str
    path: str
    params: dict[str, str]
    content_type: str
    choices: dict[str, str] = field(default_factory=dict)
    options: dict[str, list[str]] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    cards: list[list[str]] = field(default_factory=list)  # the texts of each ``li.panel``
    links: list[str] = field(default_factory=list)
    csv_rows: list[list[str]] = field(default_factory=list)
    text: str = ""

    @property
    def is_csv(self) -> bool:
        return self.content_type.startswith("text/csv")

    @property
    def is_html(self) -> bool:
        return self.content_type.startswith("text/html")


def _collapse(text: str) -> str:
    return " ".join(text.split())


class _Reader(HTMLParser):
    """Links, the GET forms' selects, tables and headline cards of one HTML page. Charts (SVG)
    are skipped: each draws the figures of the table beside it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.selects: dict[str, list[str]] = {}
        self.selected: dict[str, str] = {}
        self.tables: list[Table] = []
        self.cards: list[list[str]] = []
        self.texts: list[str] = []
        self._select: str | None = None
        self._option: str | None = None
        self._table: Table | None = None
        self._section = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None
        self._card: list[str] | None = None
        self._card_text: list[str] | None = None
        self._svg = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        if tag == "svg":
            self._svg += 1
        if self._svg:
            return
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        elif tag == "select":
            self._select = attributes.get("name", "")
            self.selects.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            value = attributes.get("value", "")
            self.selects[self._select].append(value)
            if "selected" in attributes:
                self.selected[self._select] = value
        elif tag == "table":
            self._table = Table()
        elif tag == "caption" and self._table is not None:
            self._caption = []
        elif tag in ("thead", "tbody", "tfoot"):
            self._section = tag
        elif tag == "tr" and self._table is not None:
            self._row = []
        elif tag in ("th", "td") and self._row is not None:
            self._cell = []
        elif tag == "li" and "panel" in attributes.get("class", "").split():
            self._card = []
        elif tag == "p" and self._card is not None:
            self._card_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg -= 1
            return
        if self._svg:
            return
        if tag == "select":
            self._select = None
        elif tag == "caption" and self._table is not None and self._caption is not None:
            self._table.caption = _collapse("".join(self._caption))
            self._caption = None
        elif tag in ("th", "td") and self._row is not None and self._cell is not None:
            self._row.append(_collapse("".join(self._cell)))
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row is not None:
            if self._section == "thead":
                self._table.headers = self._row
            else:
                self._table.rows.append(self._row)
            self._row = None
        elif tag == "table" and self._table is not None:
            self.tables.append(self._table)
            self._table = None
            self._section = ""
        elif tag == "p" and self._card is not None and self._card_text is not None:
            self._card.append(_collapse("".join(self._card_text)))
            self._card_text = None
        elif tag == "li" and self._card is not None:
            self.cards.append(self._card)
            self._card = None

    def handle_data(self, data: str) -> None:
        if self._svg:
            return
        self.texts.append(data)
        for sink in (self._caption, self._cell, self._card_text):
            if sink is not None:
                sink.append(data)


def _canonical(path: str, params: Iterable[tuple[str, str]]) -> str:
    """One spelling per address: parameters sorted, empty ones dropped."""
    query = sorted((k, v) for k, v in params if v)
    return path + ("?" + urlencode(query) if query else "")


@dataclass
class Crawl:
    """Everything one reader fetched, by canonical address, and how long it took."""

    pages: dict[str, Page]
    seconds: float
    # Reached but not fetched: the address → the sampled one fetched in its place.
    sampled: dict[str, str] = field(default_factory=dict)

    def of_kind(self, kind: str) -> list[Page]:
        return [p for p in self.pages.values() if p.content_type.startswith(kind)]


def crawl(
    client: Client,
    *,
    start: str,
    prefix: str,
    limit: int,
    sample: Callable[[str], str | None] = lambda address: None,
) -> Crawl:
    """Fetch ``start`` and everything reachable from it under ``prefix`` (links and GET forms),
    each address once. Fails if a response is not 200 or more than ``limit`` addresses are
    reachable (the crawl must be complete to mean anything, and bounded to stay fast).

    ``sample`` bounds it further: addresses it puts in the same group (not None) are reached
    but only the first of each group is fetched — for downloads made of tables fetched anyway
    (the PDF report), or a filter the caller knows selects nothing (all its figures are zero).
    """
    started = time.perf_counter()
    pages: dict[str, Page] = {}
    sampled: dict[str, str] = {}
    first_of: dict[str, str] = {}
    queue = deque([_canonical(urlsplit(start).path, parse_qsl(urlsplit(start).query))])
    queued = set(queue)

    def enqueue(url: str) -> None:
        parts = urlsplit(url)
        if not parts.path.startswith(prefix):
            return
        address = _canonical(parts.path, parse_qsl(parts.query))
        if address not in queued:
            queued.add(address)
            queue.append(address)
            assert len(queued) <= limit, f"more than {limit} addresses reachable from {start}"

    while queue:
        address = queue.popleft()
        group = sample(address)
        if group is not None:
            if group in first_of:
                sampled[address] = first_of[group]
                continue
            first_of[group] = address
        response = client.get(address)
        assert response.status_code == 200, (address, response.status_code)
        parts = urlsplit(address)
        page = Page(
            url=address,
            path=parts.path,
            params=dict(parse_qsl(parts.query)),
            content_type=response["Content-Type"],
        )
        pages[address] = page
        if page.is_csv:
            page.csv_rows = list(csv.reader(io.StringIO(response.content.decode())))
            continue
        if not page.is_html:
            continue
        reader = _Reader()
        reader.feed(response.content.decode())
        page.tables, page.cards = reader.tables, reader.cards
        # A select with no option marked selected submits its first option, as a browser does.
        page.choices = {
            name: reader.selected.get(name, values[0] if values else "")
            for name, values in reader.selects.items()
        }
        page.options = reader.selects
        page.text = _collapse(" ".join(reader.texts))
        page.links = [urljoin(address, href) for href in reader.links]
        for link in page.links:
            enqueue(link)
        for name, values in reader.selects.items():
            for value in values:
                enqueue(_canonical(parts.path, {**page.choices, name: value}.items()))
    return Crawl(pages=pages, seconds=time.perf_counter() - started, sampled=sampled)
