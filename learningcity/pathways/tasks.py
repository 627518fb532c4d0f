"""Background tasks of the pathways app. Each takes ids (task arguments must be JSON)."""

from __future__ import annotations

from django_tasks import task

from .models import Pathway


@task()
def learner_enrolments_evaluate(*, user_id: int) -> None:
    """Evaluate the learner's open enrolments and award any completion badge now earned."""
    from .services import enrolments_evaluate

    enrolments_evaluate(user_id=user_id)


@task()
def pathway_enrolments_evaluate(*, pathway_id: int) -> None:
    """Evaluate every open enrolment on a pathway whose definition has changed."""
    from .services import pathway_enrolments_evaluate as evaluate

    pathway = Pathway.objects.filter(pk=pathway_id).first()
    if pathway is not None:
        evaluate(pathway=pathway)
