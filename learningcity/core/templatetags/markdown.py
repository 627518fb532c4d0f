"""``{{ text|markdown }}``: Markdown written by staff, shown safely.

Markdown passes raw HTML through, so its output is untrusted: nh3 (the ammonia sanitiser) keeps
a small allow-list of tags, only http(s) and mailto links, and marks every link
``rel="nofollow noopener"`` so a badge page lends no ranking to, and no window handle to, the
sites it links to.
"""

from __future__ import annotations

import markdown as markdown_lib  # type: ignore[import-untyped]
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code", "pre", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def markdown_render(text: str) -> str:
    """``text`` as sanitised HTML."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="nofollow noopener",
    )


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return mark_safe(markdown_render(text))  # noqa: S308 — sanitised by nh3 just above
