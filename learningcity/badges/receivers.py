"""Signal receivers of the badges app: only for other packages' integration seams.

allauth announces a verified address with ``email_confirmed`` and offers no other hook, so
awards sent to an address before it had an account land on that account from here.
"""

from __future__ import annotations

from typing import Any

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from .services import awards_attach_for_email


@receiver(email_confirmed, dispatch_uid="badges_awards_attach_for_email")
def attach_awards_on_email_confirmed(*, email_address: Any, **kwargs: Any) -> None:
    awards_attach_for_email(user=email_address.user, email=email_address.email)
