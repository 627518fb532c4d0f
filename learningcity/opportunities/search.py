"""The opportunities' full-text index: SQLite FTS5 or PostgreSQL ``tsvector``.

The interface the rest of the app uses:

- :func:`opportunity_reindex` after any write that changes a published opportunity's text,
  topics, organisation or status (removes it from the index when it is not published).
- :func:`opportunities_reindex_bulk` for many at once (the demo, the benchmark generator).
- :func:`ranked_matches` in discovery: the queryset narrowed to matches of ``text`` and
  annotated with ``search_rank`` (higher is better). :func:`text_matches` narrows only.
- :func:`rank_table_sql` in discovery's page query: every match with its rank, computed in one
  pass (a ``MATERIALIZED`` CTE joined to the page's rows) rather than one rank subquery per row.

The table (``opportunities_search``, made by migration 0002) holds three weighted parts: the
title; the summary with the topics' and organisation's names; the description. A title match
outranks a summary match, which outranks a description match, on both databases.

**One query language on both databases.** What people type is never handed to FTS5's ``MATCH``
grammar or to ``websearch_to_tsquery`` as is: both have operators (``NEAR(``, ``*``, quotes,
``OR``, ``-``) that would either raise syntax errors (FTS5) or behave differently from the other
database. Instead :func:`search_terms` keeps the words only (letters and digits), folds accents,
drops English stop words (PostgreSQL's ``english`` configuration drops them; FTS5 would not),
and every word must match — the last one also as a prefix, so “photog” finds “photography”
while someone is still typing. Each word is then quoted for FTS5 (``"word"``) or quoted as a
lexeme for ``to_tsquery`` (``'word'``), where no character of a word can be an operator.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.db import connection
from django.db.models import F, FloatField, Func, QuerySet
from django.db.models.expressions import RawSQL

from .models import Opportunity, OpportunityStatus

TABLE = "opportunities_search"
BATCH_SIZE = 1000
MAX_TERMS = 12
# A prefix shorter than this matches too much to be useful (“a*”); it is matched as a word.
MIN_PREFIX_LENGTH = 3
# bm25 weights per FTS5 column: title, summary (+ topics + organisation), body (description).
FTS5_WEIGHTS = "10.0, 4.0, 1.0"

# PostgreSQL's english.stop (the Snowball list), so SQLite ignores the same words.
_STOP_WORDS_TEXT = """
    i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now
"""
ENGLISH_STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
WORD_RE = re.compile(r"\w+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents (“Café” → “cafe”), as FTS5's unicode61 tokenizer sees it."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(char for char in decomposed if not unicodedata.combining(char)).lower()


def search_terms(text: str) -> list[str]:
    """The words of ``text`` that are searched for: folded, no stop words, at most 12.

    Underscores count as separators (both engines split on them).
    """
    words = [word for word in WORD_RE.findall(fold(text).replace("_", " "))]
    return [word for word in words if word not in ENGLISH_STOP_WORDS][:MAX_TERMS]


def fts5_query(terms: Sequence[str]) -> str:
    """An FTS5 query requiring every term (``"a" "b" "c"*``); terms are quoted, never parsed."""
    parts = [f'"{term}"' for term in terms]
    if terms and len(terms[-1]) >= MIN_PREFIX_LENGTH:
        parts[-1] += "*"
    return " ".join(parts)


def tsquery_text(terms: Sequence[str]) -> str:
    """A ``to_tsquery('english', …)`` argument requiring every term (``'a' & 'b' & 'c':*``)."""
    parts = [f"'{term}'" for term in terms]
    if terms and len(terms[-1]) >= MIN_PREFIX_LENGTH:
        parts[-1] += ":*"
    return " & ".join(parts)


# --- Writing the index ----------------------------------------------------------------------------


def search_index_ensure(*, using: str = "default", **_signal_kwargs: Any) -> None:
    """Create the index table (and its delete trigger) if missing.

    Migration 0002 makes it; a database built without migrations (``pytest --no-migrations``
    runs ``migrate --run-syncdb``) has only the models' tables. Safe to connect to
    ``post_migrate``: every statement is ``IF NOT EXISTS`` or ``OR REPLACE``.
    """
    from importlib import import_module

    from django.db import connections

    migration = import_module("learningcity.opportunities.migrations.0002_search_index")
    target = connections[using]
    statements = {
        "sqlite": migration.SQLITE_CREATE,
        "postgresql": migration.POSTGRES_CREATE,
    }.get(target.vendor, ())
    with target.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def opportunity_reindex(opportunity: Opportunity) -> None:
    """Write (or remove) ``opportunity``'s row in the search index."""
    opportunities_reindex_bulk([opportunity.pk])


def opportunities_reindex_bulk(ids: Iterable[int]) -> None:
    """Reindex many opportunities by primary key, in batches of 1,000.

    Each batch costs three queries to read (opportunities with their organisation's name, their
    topics) and two statements to write: a set-based delete and one ``executemany`` insert.
    Opportunities that are not published (or no longer exist) are removed from the index.
    """
    for batch in _batches(ids, BATCH_SIZE):
        _reindex_batch(batch)


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(int(pk))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _documents(ids: list[int]) -> list[tuple[int, int, str, str, str]]:
    """(id, city id, title, summary + topics + organisation, description) of the published."""
    rows = list(
        Opportunity.objects.filter(pk__in=ids, status=OpportunityStatus.PUBLISHED)
        .order_by()
        .values_list("pk", "city_id", "title", "summary", "description", "organisation__name")
    )
    topics: dict[int, list[str]] = defaultdict(list)
    through = Opportunity.topics.through
    for opportunity_id, name in (
        through.objects.filter(opportunity_id__in=[row[0] for row in rows])
        .order_by()
        .values_list("opportunity_id", "topic__name")
    ):
        topics[opportunity_id].append(name)
    return [
        (
            pk,
            city_id,
            fold(title),
            fold(" ".join([summary, *topics[pk], organisation_name or ""])),
            fold(description),
        )
        for pk, city_id, title, summary, description, organisation_name in rows
    ]


def _reindex_batch(ids: list[int]) -> None:
    documents = _documents(ids)
    placeholders = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE opportunity_id IN ({placeholders})",  # noqa: S608
                ids,
            )
            if documents:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (opportunity_id, city_id, document) "  # noqa: S608
                    "VALUES (%s, %s, "
                    "setweight(to_tsvector('english', %s), 'A') || "
                    "setweight(to_tsvector('english', %s), 'B') || "
                    "setweight(to_tsvector('english', %s), 'C'))",
                    documents,
                )
        else:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})",  # noqa: S608
                ids,
            )
            if documents:
                cursor.executemany(
                    f"INSERT INTO {TABLE} (rowid, title, summary, body) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s)",
                    [(pk, title, summary, body) for pk, _city, title, summary, body in documents],
                )


# --- Querying -------------------------------------------------------------------------------------


def _match_ids_sql(terms: Sequence[str], city_id: int | None) -> RawSQL:
    """The ids of opportunities matching every term, as an uncorrelated subquery.

    ``city_id`` (PostgreSQL only) narrows the index to one city's rows first.
    """
    if connection.vendor == "postgresql":
        if city_id is not None:
            return RawSQL(  # noqa: S611 — only constants in the SQL; values are parameters
                f"SELECT opportunity_id FROM {TABLE} "  # noqa: S608
                "WHERE city_id = %s AND document @@ to_tsquery('english', %s)",
                [city_id, tsquery_text(terms)],
            )
        return RawSQL(  # noqa: S611 — only constants in the SQL; the query is a parameter
            f"SELECT opportunity_id FROM {TABLE} "  # noqa: S608
            "WHERE document @@ to_tsquery('english', %s)",
            [tsquery_text(terms)],
        )
    return RawSQL(  # noqa: S611 — only constants in the SQL; the query is a parameter
        f"SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s",  # noqa: S608
        [fts5_query(terms)],
    )


def rank_table_sql(terms: Sequence[str], city_id: int | None = None) -> tuple[str, list[Any]]:
    """``SELECT id, rank`` of every opportunity matching every term (rank: higher is better),
    for use as a derived table joined to the opportunities.

    The rank is computed once per match in one pass over the index — the same value
    :class:`SearchRank` gives one row, without a search per row (on SQLite each ``bm25()`` in a
    correlated subquery re-reads the term's whole match list). Use it as a ``MATERIALIZED``
    common table expression so the planner cannot fold it into a per-row lookup.
    """
    if connection.vendor == "postgresql":
        tsquery = tsquery_text(terms)
        city_sql, city_params = (
            ("city_id = %s AND ", [city_id]) if city_id is not None else ("", [])
        )
        return (
            f"SELECT opportunity_id AS id, ts_rank(document, to_tsquery('english', %s)) AS rank "  # noqa: S608
            f"FROM {TABLE} WHERE {city_sql}document @@ to_tsquery('english', %s)",
            [tsquery, *city_params, tsquery],
        )
    # bm25() is lower for better matches (it is negative), so it is negated.
    return (
        f"SELECT rowid AS id, -bm25({TABLE}, {FTS5_WEIGHTS}) AS rank "  # noqa: S608
        f"FROM {TABLE} WHERE {TABLE} MATCH %s",
        [fts5_query(terms)],
    )


class SearchRank(Func):
    """How well one opportunity matches (higher is better), as a correlated subquery.

    A ``Func`` over the outer row's primary key rather than raw SQL naming the table, so Django
    relabels the reference when the queryset is nested in another query.
    """

    output_field = FloatField()

    def __init__(self, terms: Sequence[str]) -> None:
        super().__init__(F("pk"))
        self.terms = tuple(terms)

    def as_sql(  # type: ignore[override]
        self, compiler: Any, connection: Any, **extra_context: Any
    ) -> tuple[str, list[Any]]:
        pk_sql, pk_params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            sql = (
                f"(SELECT ts_rank(document, to_tsquery('english', %s)) FROM {TABLE} "  # noqa: S608
                f"WHERE opportunity_id = {pk_sql})"
            )
            return sql, [tsquery_text(self.terms), *pk_params]
        # bm25() is lower for better matches (it is negative), so it is negated.
        sql = (
            f"(SELECT -bm25({TABLE}, {FTS5_WEIGHTS}) FROM {TABLE} "  # noqa: S608
            f"WHERE {TABLE} MATCH %s AND rowid = {pk_sql})"
        )
        return sql, [fts5_query(self.terms), *pk_params]


def text_matches(
    queryset: QuerySet[Opportunity], text: str, *, city_id: int | None = None
) -> QuerySet[Opportunity]:
    """``queryset`` narrowed to opportunities matching ``text`` (unchanged if it has no words).

    Pass ``city_id`` when ``queryset`` is one city's: the search then reads that city's part of
    the index only.
    """
    terms = search_terms(text)
    if not terms:
        return queryset
    return queryset.filter(pk__in=_match_ids_sql(terms, city_id))


def ranked_matches(
    queryset: QuerySet[Opportunity], text: str, *, city_id: int | None = None
) -> QuerySet[Opportunity]:
    """``queryset`` narrowed to opportunities matching ``text``, annotated with ``search_rank``.

    Text with no searchable words (only punctuation or stop words) narrows nothing and ranks
    everything equally (``search_rank`` 0). ``city_id`` as for :func:`text_matches`.
    """
    terms = search_terms(text)
    if not terms:
        return queryset.annotate(search_rank=RawSQL("0.0", [], output_field=FloatField()))
    return queryset.filter(pk__in=_match_ids_sql(terms, city_id)).annotate(
        search_rank=SearchRank(terms)
    )
