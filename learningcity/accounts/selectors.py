"""Reads about accounts."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import Q

from .models import GuardianConsent, User


def user_for_email(*, email: str) -> User | None:
    """The account that has verified ``email`` — its primary address or any added one.

    This is how something sent to an address (a badge, an invitation) lands on the right
    account: unverified addresses never match, so nobody can claim mail by adding someone
    else's address.
    """
    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None


def users_for_emails(*, emails: list[str]) -> dict[str, User | None] | None:
    """The account of each of ``emails`` (lower-case ASCII addresses), as :func:`user_for_email`
    finds it, in one query — or ``None`` when a match went beyond ASCII case folding (then the
    caller asks :func:`user_for_email` one by one, where the database's rule is the only rule)."""
    match = Q()
    for email in emails:
        match |= Q(email__iexact=email)
    found: dict[str, User | None] = dict.fromkeys(emails)
    addresses = (
        EmailAddress.objects.filter(match, verified=True).select_related("user").order_by("pk")
    )  # ordered as user_for_email's .first()
    for address in addresses:
        if not address.email.isascii():
            return None
        email = address.email.lower()
        if email in found and found[email] is None:
            found[email] = address.user
    return found


def verified_emails(*, user: User) -> list[str]:
    return [
        address.email.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).order_by("email")
    ]


def guardian_consent_is_confirmed(*, token: str) -> bool:
    """True when ``token`` is a guardian's link they have already said yes with."""
    return GuardianConsent.objects.filter(token=token, confirmed_at__isnull=False).exists()
