"""The error vocabulary: message texts shown to people, kept as constants that tests assert on.

A service raises :class:`ServiceError` with one of these messages; a view shows ``error.message``
as it is. Texts are plain language, say what happened and what to do next.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request that cannot be carried out, with a message fit to show the person who asked."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class AccessDenied(ServiceError):
    """The person may know the thing exists but may not do this to it (shown as 403)."""


# Places
POSTCODE_INVALID = "That doesn't look like a UK postcode. Try the first part, like BN2 or PL4."
POSTCODE_UNKNOWN = (
    "We don't know the postcode area {outward} in {city}. Check it, or choose your area from the list."
)

# Organisations
ORGANISATION_NOT_ACTIVE = "This organisation is waiting for the city team to approve it."
ROLE_CANNOT_RAISE_OWN = "You can't change your own role. Ask another owner."
ROLE_LAST_OWNER = "An organisation needs at least one owner. Make someone else an owner first."
INVITATION_INVALID = "This invitation link has expired or has already been used."
INVITATION_WRONG_ACCOUNT = (
    "This invitation was sent to a different email address. Sign in with that address, "
    "or add it to your account, then open the link again."
)
ALREADY_STAFF = "{email} is already a member of this organisation's staff."

# Accounts
GUARDIAN_CONSENT_NEEDED = (
    "Your account is waiting for your parent or carer to say yes. We've emailed them a link."
)
GUARDIAN_LINK_INVALID = "This consent link has expired or has already been used."
GUARDIAN_EMAIL_SAME_AS_CHILD = "Your parent or carer's email must be different from your own."
GUARDIAN_EMAIL_REQUIRED = "You're under 13, so we need a parent or carer's email address."
DATE_OF_BIRTH_FUTURE = "Your date of birth can't be in the future."
DATE_OF_BIRTH_TOO_YOUNG = "You need to be at least 8 years old to have an account."
