"""Helpers for discovery tests: opportunities with sessions, kept in step with the search index
and with ``first_starts_at``/``last_ends_at`` (which the publishing service keeps in the app)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db.models import Max, Min
from django.utils import timezone

from learningcity.opportunities import search
from learningcity.opportunities.models import Opportunity, Session

from .factories import OpportunityFactory, SessionFactory


def sync_dates(opportunity: Opportunity) -> Opportunity:
    """Copy the first start and last end of the sessions onto the opportunity."""
    bounds = opportunity.sessions.filter(is_cancelled=False).aggregate(
        first=Min("starts_at"), last=Max("ends_at")
    )
    Opportunity.objects.filter(pk=opportunity.pk).update(
        first_starts_at=bounds["first"], last_ends_at=bounds["last"]
    )
    opportunity.refresh_from_db()
    return opportunity


def opportunity_with_sessions(
    *,
    starts: Sequence[datetime.datetime] | None = None,
    hours: float = 2,
    topics: Sequence[Any] = (),
    skills: Sequence[Any] = (),
    index: bool = True,
    **fields: Any,
) -> Opportunity:
    """An opportunity (published unless told) with a session at each of ``starts`` (default:
    one a week from now), its dates synced and its row in the search index."""
    opportunity = OpportunityFactory(**fields)
    if topics:
        opportunity.topics.set(topics)
    if skills:
        opportunity.skills.set(skills)
    if starts is None:
        starts = [(timezone.now() + datetime.timedelta(days=7)).replace(microsecond=0)]
    for start in starts:
        SessionFactory(
            opportunity=opportunity,
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=hours),
        )
    sync_dates(opportunity)
    if index:
        search.opportunity_reindex(opportunity)
    return opportunity


def session_at(opportunity: Opportunity, start: datetime.datetime, **fields: Any) -> Session:
    session = SessionFactory(
        opportunity=opportunity,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
        **fields,
    )
    sync_dates(opportunity)
    return session
