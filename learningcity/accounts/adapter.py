"""How allauth fits Learning City: login throttling keyed on account *and* address."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        """Key the failed-login limit on the account and the client address together.

        allauth keys it on the account alone, so anyone could lock a learner out by guessing
        wrong five times; keying on the address alone would lock out a whole school behind one
        NAT address. Account + address stops guessing from one place without either harm; the
        per-address ceiling in ``ACCOUNT_RATE_LIMITS`` stops spraying many accounts.
        """
        account_key = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account_key}:{self.get_client_ip(request)}"
