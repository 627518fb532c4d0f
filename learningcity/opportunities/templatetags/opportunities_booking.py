"""Per-visitor state for the public opportunity page: ``{% load opportunities_booking %}``.

``{% session_rows sessions user as rows %}`` gives each session with the visitor's booking (one
query for all of them) and the reason they can't book, if any; ``{% is_saved opportunity user %}``
says whether they saved the opportunity.
"""

from __future__ import annotations

from django import template
from django.contrib.auth.models import AnonymousUser

from learningcity.accounts.models import User

from ..booking import SessionRow, session_rows_for_visitor
from ..models import Opportunity, SavedOpportunity, Session

register = template.Library()


@register.simple_tag
def session_rows(sessions: list[Session], user: User | AnonymousUser) -> list[SessionRow]:
    return session_rows_for_visitor(sessions=list(sessions), user=user)


@register.simple_tag
def is_saved(opportunity: Opportunity, user: User | AnonymousUser) -> bool:
    if not user.is_authenticated:
        return False
    return SavedOpportunity.objects.filter(learner=user, opportunity=opportunity).exists()
