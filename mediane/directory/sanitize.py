"""Rich-text and plain-text cleaning for directory content (descriptions, bios).

Rich text keeps a small safe subset of HTML (nh3, Rust's ammonia); everything else, including
`<script>` and event attributes, is removed. Plain-text fields are stripped of control
characters here and escaped by the templates.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def sanitize_html(value: str | None) -> str:
    """Return `value` reduced to the allowed tags; links get rel="noopener noreferrer nofollow"."""
    if not value:
        return ""
    cleaned = nh3.clean(
        _CONTROL.sub("", value),
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return cleaned.strip()


def clean_text(value: object, *, max_length: int | None = None) -> str:
    """A single-line plain text: control characters removed, whitespace collapsed."""
    text = "" if value is None else str(value)
    text = " ".join(_CONTROL.sub("", text).split())
    return text[:max_length] if max_length else text


_BLOCK_BOUNDARY = re.compile(
    r"<(?:br|/?(?:p|li|ul|ol|h[1-6]|blockquote|div))\b[^>]*>", re.IGNORECASE
)


def html_to_text(value: str | None) -> str:
    """Plain text of sanitised HTML, for search indexing and summaries."""
    if not value:
        return ""
    # Block boundaries become spaces first, so "<li>a</li><li>b</li>" reads "a b", not "ab".
    spaced = _BLOCK_BOUNDARY.sub(" ", value)
    return " ".join(html.unescape(nh3.clean(spaced, tags=set())).split())
