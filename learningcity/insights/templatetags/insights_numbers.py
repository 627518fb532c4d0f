"""``{{ value|grouped }}``: a count with its thousands grouped ("4,120"), anything else (the
words of a suppressed count, "12 days") as it is. Pages only: CSV exports keep plain numbers."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def grouped(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return value
