"""Reads about accounts."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import User


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


def verified_emails(*, user: User) -> list[str]:
    return [
        address.email.lower()
        for address in EmailAddress.objects.filter(user=user, verified=True).order_by("email")
    ]
