"""Announcements to apps above this one. ``badge_imported`` is sent, after commit, when a learner
imports a badge from elsewhere that verified as valid; ``pathways`` listens (an imported badge
may complete a pathway that allows external badges). Arguments: ``user_id`` (int)."""

from __future__ import annotations

from django.dispatch import Signal

badge_imported = Signal()


def badge_imported_send(*, user_id: int) -> None:
    badge_imported.send(sender=None, user_id=user_id)
