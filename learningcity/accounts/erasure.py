"""The accounts app's part of deleting a person's account (``learners.privacy.account_delete``):
the last step, once every app above has dealt with its own rows.

The user row itself is deleted, not anonymised: what must outlive it (anonymised awards) no
longer points at it, and everything else that points at it either goes with it (``CASCADE``:
learner profile, guardian consent, verified addresses, memberships) or forgets it
(``SET_NULL``: "issued by", "checked in by" and the like).
"""

from __future__ import annotations

from collections.abc import Collection

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from .models import GuardianConsent, LearnerProfile, User
from .selectors import verified_emails

DATABASE_SESSION_ENGINES = (
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
)


def account_emails(*, user: User) -> set[str]:
    """The addresses that are the account's own, lower-cased: its sign-in address and every
    address it has verified. An address only typed in (never verified) may be someone else's,
    so nothing sent to it is treated as this person's."""
    return {user.email.lower(), *verified_emails(user=user)}


def sessions_end_for(*, user: User) -> int:
    """Delete ``user``'s sessions (signed in anywhere). Only database-backed sessions can be
    found; a session stored elsewhere dies on its next use, because its user no longer exists.
    """
    if settings.SESSION_ENGINE not in DATABASE_SESSION_ENGINES:
        return 0
    mine = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator(chunk_size=500):
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            mine.append(session.pk)
    deleted, _ = Session.objects.filter(pk__in=mine).delete()
    return deleted


def account_erase(*, user: User, emails: Collection[str]) -> None:
    """Delete ``user`` and what still names them in this app's and the framework's tables:
    sessions, admin history about them, background-task records that mention their address.

    Precondition: inside the caller's ``transaction.atomic``, after the apps above have erased
    their own rows (the award rows must already have let go of the user).
    """
    sessions_end_for(user=user)
    # The admin's history names each object it records in ``object_repr``: drop the entries
    # about this person's account rows, and any other entry quoting one of their addresses.
    about_them = Q(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk))
    for model, pks in (
        (LearnerProfile, LearnerProfile.objects.filter(user=user).values_list("pk", flat=True)),
        (GuardianConsent, GuardianConsent.objects.filter(child=user).values_list("pk", flat=True)),
    ):
        content_type = ContentType.objects.get_for_model(model)
        about_them |= Q(content_type=content_type, object_id__in=[str(pk) for pk in pks])
    for email in emails:
        about_them |= Q(object_repr__icontains=email)
    LogEntry.objects.filter(about_them).delete()
    # Task arguments are ids, but a failed email task's traceback can quote the address.
    task_results = DBTaskResult.objects.annotate(
        args_text=Cast("args_kwargs", TextField()),
        return_text=Cast("return_value", TextField()),
    )
    task_match = Q()
    for email in emails:
        task_match |= (
            Q(args_text__icontains=email)
            | Q(return_text__icontains=email)
            | Q(traceback__icontains=email)
        )
    if task_match:
        task_results.filter(task_match).delete()
    user.delete()
