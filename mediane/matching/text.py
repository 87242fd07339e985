"""Text analysis for matching: the search index's French analyzer plus synonym concepts.

Words are folded (lower case, accents stripped) and stemmed exactly as `mediane.search.query`
does, so the lexical relevance computed here agrees with the search index. On top of that,
phrases of the synonyms list (`synonyms.txt`) become concept tokens: "courriel" and "e-mail"
both yield the token of their group, and a related-term group yields a weaker token.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from mediane.search.query import STOP_WORDS, normalize, stem

SYNONYMS_PATH = Path(__file__).with_name("synonyms.txt")

_WORD_RE = re.compile(r"[^\W_]+")  # the same word boundaries as the search index

# Words with no topical value in challenges and profiles (auxiliaries, quantifiers, fillers),
# on top of the search index's stop words. Compared after folding.
_EXTRA_STOP_TEXT = """
    ai ainsi alors apres as assez aucun aucune aupres aussi autre autres avant avez avoir avons
    bien cela chaque comme comment dont deja deux donc encore entre est et etaient etait ete
    etre faire fait font ici jusqu lors lorsque moins non ont or parfois peu peut peuvent plus
    plusieurs pour pourquoi quand quelque quelques sans selon sera seront si sont souvent tant
    tous tout toute toutes tres trop vers via voire ni car puis quoi chez
"""
MATCH_STOP_WORDS = STOP_WORDS | frozenset(_EXTRA_STOP_TEXT.split())

SYNONYM = "="  # kinds of concept groups
RELATED = "~"


@dataclass(frozen=True)
class Token:
    """One analysed token: the stem (or concept key), the word it came from, and whether that
    word looks like a proper noun (capitalised inside a sentence: a place, a person, a brand)."""

    key: str
    surface: str
    proper: bool = False


@dataclass(frozen=True)
class ConceptGroup:
    key: str  # token key: "=12" for a synonym group, "~7" for related terms
    kind: str  # SYNONYM or RELATED
    phrases: tuple[str, ...]  # as written in the list


@dataclass
class Thesaurus:
    """Concept groups indexed by the stems of their phrases."""

    groups: dict[str, ConceptGroup] = field(default_factory=dict)
    # first stem -> [(stems of the phrase, group key)], longest phrases first
    by_first_stem: dict[str, list[tuple[tuple[str, ...], str]]] = field(default_factory=dict)

    def add(self, kind: str, phrases: list[str]) -> None:
        key = f"{kind}{len(self.groups) + 1}"
        stemmed = [(stem_phrase(p), p) for p in phrases]
        stemmed = [(s, p) for s, p in stemmed if s]
        if len(stemmed) < 2:
            raise ValueError(f"a group needs two terms or more: {phrases!r}")
        self.groups[key] = ConceptGroup(key=key, kind=kind, phrases=tuple(p for _s, p in stemmed))
        for stems, _phrase in stemmed:
            entries = self.by_first_stem.setdefault(stems[0], [])
            if (stems, key) not in entries:
                entries.append((stems, key))
                entries.sort(key=lambda entry: -len(entry[0]))


@lru_cache(maxsize=200_000)
def _fold(word: str) -> str:
    return normalize(word)


def fold_words(text: str) -> list[tuple[str, str]]:
    """(folded word, word as written) for each word of `text`; numbers are left out."""
    found = _WORD_RE.findall(unicodedata.normalize("NFC", text or ""))
    return [(_fold(word), word) for word in found if not word.isdigit()]


_SENTENCE_END = frozenset('.!?:;«»"()[]—–-•\n')


def _proper_nouns(text: str) -> set[str]:
    """Words of `text` written with a capital inside a sentence, never in lower case."""
    text = unicodedata.normalize("NFC", text or "")
    capitalised: set[str] = set()
    lower: set[str] = set()
    for match in _WORD_RE.finditer(text):
        word = match.group()
        if word[:1].islower():
            lower.add(word.lower())
            continue
        if word.isupper() and len(word) > 1:
            continue  # acronyms (DEL, MRC, PME) are terms, not names
        before = text[: match.start()].rstrip(" '’\t")
        if before and before[-1] not in _SENTENCE_END:
            capitalised.add(word.lower())
    return capitalised - lower


def stem_phrase(phrase: str) -> tuple[str, ...]:
    """Stems of a phrase of the synonyms list, stop words dropped."""
    return tuple(stem(w) for w, _s in fold_words(phrase) if w not in MATCH_STOP_WORDS)


def parse_thesaurus(lines: Iterable[str]) -> Thesaurus:
    """Read the synonyms format: comma-separated groups, "~" for related terms, "#" comments."""
    thesaurus = Thesaurus()
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        kind = SYNONYM
        if line.startswith(RELATED):
            kind, line = RELATED, line[1:]
        phrases = [part.strip() for part in line.split(",") if part.strip()]
        try:
            thesaurus.add(kind, phrases)
        except ValueError as error:
            raise ValueError(f"synonyms line {number}: {error}") from None
    return thesaurus


@lru_cache(maxsize=4)
def load_thesaurus(path: Path = SYNONYMS_PATH) -> Thesaurus:
    """The project's synonyms list (cached)."""
    return parse_thesaurus(path.read_text(encoding="utf-8").splitlines())


# Raise when the analysis changes (tokenising, stemming, proper nouns, concept keys): stored
# analyses of another version are then made again.
ANALYSER_REVISION = 1


@lru_cache(maxsize=4)
def analyser_version(path: Path = SYNONYMS_PATH) -> str:
    """Identifies the analysis `analyse` gives with the synonyms list at `path` (its content,
    the stop words and `ANALYSER_REVISION`): stored analyses are valid for one version."""
    digest = hashlib.sha256(path.read_bytes())
    digest.update(" ".join(sorted(MATCH_STOP_WORDS)).encode())
    return f"{ANALYSER_REVISION}.{digest.hexdigest()[:16]}"


def analyse(text: str, thesaurus: Thesaurus | None = None) -> list[Token]:
    """Tokens of `text`: stems of its words; a synonym word becomes its group's token, a
    synonym phrase or a related term adds its group's token before the words."""
    thesaurus = load_thesaurus() if thesaurus is None else thesaurus
    text = unicodedata.normalize("NFC", text or "")
    proper = _proper_nouns(text)
    spans = [
        (_fold(m.group()), m.group(), m.start(), m.end())
        for m in _WORD_RE.finditer(text)
        if not m.group().isdigit()
    ]
    spans = [span for span in spans if span[0] not in MATCH_STOP_WORDS]
    pairs = [(w, s) for w, s, _a, _b in spans]
    stems = [stem(w) for w, _s in pairs]
    tokens: list[Token] = []
    for i, (_word, surface) in enumerate(pairs):
        replaced = False
        for phrase, key in thesaurus.by_first_stem.get(stems[i], ()):
            n = len(phrase)
            if tuple(stems[i : i + n]) != phrase:
                continue
            tokens.append(Token(key=key, surface=text[spans[i][2] : spans[i + n - 1][3]]))
            # A one-word synonym stands for the word; a phrase ("éclairage de rue") adds its
            # concept and keeps its words, which still match the general term ("éclairage").
            replaced = replaced or (n == 1 and key.startswith(SYNONYM))
        if not replaced:
            tokens.append(Token(key=stems[i], surface=surface, proper=surface.lower() in proper))
    return tokens


def sequence_keys(tokens: list[Token]) -> list[str]:
    return [token.key for token in tokens]
