"""Announcements to apps above this one (the layering rule forbids calling up to them).

``award_landed`` is sent, after commit, whenever an award lands on an account: when it is issued
to an address an account has verified, and when an account verifies an address that already had
awards. ``pathways`` listens, to award a completion badge the moment a last step is satisfied.
Arguments: ``user_id`` (int) and ``award_ids`` (list of int).
"""

from __future__ import annotations

from django.dispatch import Signal

award_landed = Signal()


def award_landed_send(*, user_id: int, award_ids: list[int]) -> None:
    award_landed.send(sender=None, user_id=user_id, award_ids=award_ids)
