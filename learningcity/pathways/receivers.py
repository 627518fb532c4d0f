"""Listeners for the announcements of lower apps: a badge landing on an account (made here or
imported from elsewhere) may satisfy a learner's last step, so their open enrolments are
evaluated — in the background, as evaluation may sign and award a completion badge.

Both signals are sent after commit, so the task sees the new badge.
"""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from learningcity.badges.signals import award_landed
from learningcity.learners.signals import badge_imported

from .models import Enrolment
from .tasks import learner_enrolments_evaluate


def _evaluate_if_enrolled(user_id: int) -> None:
    if Enrolment.objects.filter(learner_id=user_id, completed_at__isnull=True).exists():
        learner_enrolments_evaluate.enqueue(user_id=user_id)


@receiver(award_landed, dispatch_uid="pathways.award_landed")
def on_award_landed(sender: Any, *, user_id: int, award_ids: list[int], **kwargs: Any) -> None:
    _evaluate_if_enrolled(user_id)


@receiver(badge_imported, dispatch_uid="pathways.badge_imported")
def on_badge_imported(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    _evaluate_if_enrolled(user_id)
