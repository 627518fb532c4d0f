"""Reads the badge checker needs from the rest of the platform."""

from __future__ import annotations

from learningcity.badges.selectors import issuer_name_for_id


def known_issuer_name(issuer_id: str) -> str | None:
    """The name this installation knows an issuer by (an organisation or city), or None.

    ``issuer_id`` is the issuer's id as it appears in the badge: an OB 3.0 issuer DID or an
    OB 2.0 issuer profile URL. Only called for issuers the checker has confirmed.
    """
    return issuer_name_for_id(issuer_id=issuer_id)
