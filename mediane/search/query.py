"""Query and text processing for search, with no Django import.

The same functions turn documents and user queries into terms, so both sides agree:
lower-case, strip accents, split into words, drop French stop words, stem with the Snowball
French stemmer (stemming after accent removal, so "energie" and "Énergie" give the same stem).
User input only ever yields plain words: no character of it reaches a full-text engine as
syntax, so `"laine`, `a AND (` or `*` cannot cause an error.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache

import snowballstemmer

MAX_TERMS = 12  # more words than this in a query are ignored (bounds the cost of a query)
MAX_TERM_LENGTH = 40  # longer "words" are cut (nobody types them; protects the index)
MIN_PREFIX_LENGTH = 2  # a shorter last word is matched whole, not as a prefix

# Letters and digits; "_" and every punctuation mark separate words, as in FTS5's unicode61.
_WORD_RE = re.compile(r"[^\W_]+")
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d"})

# French stop words, written without accents (they are compared after normalisation).
_STOP_WORDS_TEXT = """
    a au aux avec c ce ces cet cette d dans de des du elle en et eux il ils j je l la le les
    leur leurs lui m ma mais me meme mes moi mon n ne nos notre nous on ou par pas pour qu que
    qui s sa se ses son sur t ta te tes toi ton tu un une vos votre vous y
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())

# A Snowball stemmer keeps the word being stemmed in its own fields: one per thread, since
# gunicorn threads stem at the same time (a shared one gave IndexError under load).
_stemmers = threading.local()


def normalize(text: str) -> str:
    """Lower-case `text` and strip its accents ("Énergie" -> "energie")."""
    text = text.lower().translate(_LIGATURES)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@lru_cache(maxsize=200_000)
def _fold(word: str) -> str:
    return normalize(word)[:MAX_TERM_LENGTH]


def words(text: str) -> list[str]:
    """Normalised words of `text`, in order, stop words included.

    Split first (after composing accents, so "e" + combining acute stays one word), then fold
    each word through a cache: texts repeat their words, and this runs on every document.
    """
    return [_fold(word) for word in _WORD_RE.findall(unicodedata.normalize("NFC", text))]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball French stem of a normalised word (cached: vocabularies are small)."""
    stemmer = getattr(_stemmers, "french", None)
    if stemmer is None:
        stemmer = _stemmers.french = snowballstemmer.stemmer("french")
    return stemmer.stemWord(word)


def stems(text: str) -> list[str]:
    """Stems of the words of `text`, stop words dropped: what the stemmed index holds."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def stemmed_text(text: str) -> str:
    """`stems(text)` joined by spaces, ready for a full-text index."""
    return " ".join(stems(text))


def raw_text(text: str) -> str:
    """Normalised words joined by spaces (the unstemmed index used for prefixes)."""
    return " ".join(words(text))


@dataclass(frozen=True)
class Term:
    """One word of a query: its normalised form, its stem, and whether it is a prefix."""

    word: str
    stem: str
    prefix: bool = False


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]

    def __bool__(self) -> bool:
        return bool(self.terms)

    @cached_property
    def stems(self) -> frozenset[str]:
        return frozenset(term.stem for term in self.terms)

    @cached_property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(term.word for term in self.terms if term.prefix)


def parse_query(text: str, *, prefix_last: bool = True, all_prefixes: bool = False) -> ParsedQuery:
    """Turn user text into terms that must all match.

    With `prefix_last`, the last word also matches as a prefix (search-as-you-type), unless the
    text ends with a space; `all_prefixes` makes every word a prefix (autocomplete of titles).
    Stop words are dropped except when they are a prefix being typed.
    """
    text = (text or "")[:1000]
    found = words(text)
    terms: list[Term] = []
    seen: set[tuple[str, bool]] = set()
    last_typed = prefix_last and bool(text) and not text[-1].isspace()
    for index, word in enumerate(found):
        is_last = index == len(found) - 1
        prefix = len(word) >= MIN_PREFIX_LENGTH and (all_prefixes or (is_last and last_typed))
        if word in STOP_WORDS and not prefix:
            continue
        key = (word, prefix)
        if key in seen:
            continue
        seen.add(key)
        terms.append(Term(word=word, stem=stem(word), prefix=prefix))
    return ParsedQuery(terms=tuple(terms[:MAX_TERMS]))
