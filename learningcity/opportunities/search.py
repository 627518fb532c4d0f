"""The opportunities' full-text index: SQLite FTS5 or PostgreSQL tsvector (to be built).

The interface the rest of the app uses:

- :func:`opportunity_reindex` after any write that changes a published opportunity's text,
  topics, organisation or status (removes it from the index when it is not published).
- :func:`opportunities_reindex_bulk` for many at once (the demo, the benchmark generator).
- :func:`ranked_matches` in discovery: the queryset narrowed to matches of ``text`` and
  annotated with ``search_rank`` (higher is better).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Opportunity


def opportunity_reindex(opportunity: Opportunity) -> None:
    """Write (or remove) ``opportunity``'s row in the search index."""


def opportunities_reindex_bulk(ids: Iterable[int]) -> None:
    """Reindex many opportunities by primary key, in batches."""


def ranked_matches(queryset: QuerySet[Opportunity], text: str) -> QuerySet[Opportunity]:
    """``queryset`` narrowed to opportunities matching ``text``, annotated with ``search_rank``."""
    return queryset
