"""Request types for views behind ``login_required``, so the type checker knows ``user``."""

from __future__ import annotations

from django.http import HttpRequest

from .models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # type: ignore[assignment]
