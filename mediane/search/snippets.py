"""Highlighted excerpts of search results, computed in Python (same output on every backend).

No Django import: the output is HTML-escaped text with matching words wrapped in `<mark>`.
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from mediane.search.query import STOP_WORDS, ParsedQuery, normalize, stem

_WORD_RE = re.compile(r"[^\W_]+")


MAX_TEXT = 5000  # characters of a text scanned for a snippet


@lru_cache(maxsize=100_000)
def _word_key(word: str) -> tuple[str, str | None]:
    """(normalised word, stem or None for a stop word), cached: texts repeat words."""
    norm = normalize(word)
    return norm, (None if norm in STOP_WORDS else stem(norm))


def _is_match(word: str, parsed: ParsedQuery) -> bool:
    norm, word_stem = _word_key(word)
    if parsed.prefixes and norm.startswith(parsed.prefixes):
        return True
    return word_stem is not None and word_stem in parsed.stems


def _spans(text: str, parsed: ParsedQuery) -> list[tuple[int, int, bool]]:
    return [(m.start(), m.end(), _is_match(m.group(), parsed)) for m in _WORD_RE.finditer(text)]


def _render(text: str, spans: list[tuple[int, int, bool]], start: int, end: int) -> str:
    out, cursor = [], start
    for begin, finish, matched in spans:
        if begin < start or finish > end:
            continue
        if matched:
            out.append(html.escape(text[cursor:begin]))
            out.append("<mark>" + html.escape(text[begin:finish]) + "</mark>")
            cursor = finish
    out.append(html.escape(text[cursor:end]))
    return "".join(out)


def highlight(text: str, parsed: ParsedQuery) -> str:
    """The whole of `text`, escaped, with the words matching `parsed` in `<mark>`."""
    text = unicodedata.normalize("NFC", text or "")
    return _render(text, _spans(text, parsed), 0, len(text))


def snippet(text: str, parsed: ParsedQuery, *, size: int = 30) -> str:
    """About `size` words of `text` around the densest group of matches, highlighted."""
    text = unicodedata.normalize("NFC", " ".join((text or "")[:MAX_TEXT].split()))
    spans = _spans(text, parsed)
    if not spans:
        return html.escape(text[:200])
    if len(spans) <= size:
        return _render(text, spans, 0, len(text))
    hits = [i for i, span in enumerate(spans) if span[2]]
    best_first, best_count = 0, 0
    for first in hits:  # window starting a few words before each match
        first = max(0, min(first - 3, len(spans) - size))
        count = sum(1 for i in hits if first <= i < first + size)
        if count > best_count:
            best_first, best_count = first, count
    last = min(len(spans), best_first + size) - 1
    start = spans[best_first][0]
    end = spans[last][1]
    prefix = "… " if best_first > 0 else ""
    suffix = " …" if last < len(spans) - 1 else ""
    return prefix + _render(text, spans, start, end) + suffix
