"""Similar needs between cities: one similarity for the drafting hint and the network page.

No Django import. Texts are analysed by the matching's French analyser
(`mediane.matching.text.analyse`: the search index's folding and stemming plus the synonym
concepts), scored with its BM25F (`mediane.matching.bm25`) against the corpus of needs, and
sectors compared with `mediane.matching.signals.sector_overlap` (same or related sectors).

The text part is normalised by the query's score against itself, so a score is in [0, 1]
whatever the corpus; the final score is `TEXT_WEIGHT × text + SECTOR_WEIGHT × sectors`.
Each result says why: the shared terms (as written in the other need) and the shared sectors.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from mediane.matching import bm25
from mediane.matching.signals import sector_overlap
from mediane.matching.text import Token, analyse

TEXT_WEIGHT = 0.7
SECTOR_WEIGHT = 0.3
#: Below this score a need is not shown as similar; nor is one whose text shares too little
#: with the query's when the query has text (a shared sector alone is not a similar need).
THRESHOLD = 0.15
MIN_TEXT = 0.08
#: Two needs are grouped on the network page above this (symmetric) score, with this much text.
GROUP_THRESHOLD = 0.25
GROUP_MIN_TEXT = 0.15
#: Words every need of the network uses (on top of the matching's stop words): no reason to
#: pool two needs. Compared folded (lower case, no accents).
NEED_STOP_WORDS = frozenset(
    [
        "quel",
        "quelle",
        "quels",
        "quelles",
        "voir",
        "savoir",
        "connaitre",
        "ville",
        "villes",
        "commune",
        "communes",
        "municipalite",
        "municipalites",
        "fictif",
        "fictifs",
        "fictive",
        "fictives",
        "demo",
        "brouillon",
        "solution",
        "solutions",
        "deployee",
        "deploye",
        "projet",
        "projets",
        "besoin",
        "besoins",
        "combien",
        "ensemble",
        "commun",
        "appels",
        "appel",
        "medianes",
        "mediane",
        "quatre",
        "trois",
        "deux",
    ]
)


def _fold(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


FIELD_WEIGHTS = {"title": 2.0, "body": 1.0}


@dataclass(frozen=True)
class Need:
    """A challenge or a project of one organisation, as the similarity sees it."""

    kind: str  # "challenge" or "project"
    id: int
    title: str
    body: str
    sectors: tuple[str, ...]  # sector slugs
    organisation_id: int | None
    organisation_name: str = ""
    city: str = ""
    country: str = ""
    url: str = ""
    sector_names: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    #: Every organisation behind the need (a project's partners, a challenge's issuers).
    members: frozenset[int] = frozenset()

    @property
    def organisations(self) -> frozenset[int]:
        own = {self.organisation_id} if self.organisation_id is not None else set()
        return self.members | own

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)


@dataclass(frozen=True)
class Match:
    need: Need
    score: float
    shared_terms: tuple[str, ...]
    shared_sectors: tuple[str, ...]  # names
    text: float = 0.0  # the text part of the score, in [0, 1]


@dataclass
class AnalysedNeed:
    """A need with its analysed text: what a corpus is made of. It depends on the need alone,
    so it can be kept and shared by the corpora of several readers."""

    need: Need
    tokens: list[Token]
    fields: bm25.Fields
    surfaces: dict[str, str]


def _analyse(title: str, body: str) -> tuple[list[Token], bm25.Fields, dict[str, str]]:
    title_tokens = [t for t in analyse(title) if _fold(t.surface) not in NEED_STOP_WORDS]
    body_tokens = [t for t in analyse(body) if _fold(t.surface) not in NEED_STOP_WORDS]
    fields = bm25.make_fields(
        {
            "title": [t.key for t in title_tokens],
            "body": [t.key for t in body_tokens],
        },
        FIELD_WEIGHTS,
    )
    surfaces: dict[str, str] = {}
    for token in [*title_tokens, *body_tokens]:
        surfaces.setdefault(token.key, token.surface.lower())
    return [*title_tokens, *body_tokens], fields, surfaces


def _without_parts(terms: list[str]) -> list[str]:
    """Drop a term whose words are all in a longer shared phrase ("air" beside "plein air")."""
    phrases = [set(t.split()) for t in terms]
    return [
        term
        for term, words in zip(terms, phrases, strict=True)
        if not any(words < other for other in phrases)
    ]


def analyse_need(need: Need) -> AnalysedNeed:
    """The costly part of a corpus, per need: its text analysed and weighted."""
    tokens, fields, surfaces = _analyse(need.title, need.body)
    return AnalysedNeed(need, tokens, fields, surfaces)


class Corpus:
    """Needs analysed once, with their BM25 statistics."""

    def __init__(self, needs: Sequence[Need] = (), *, analysed: Sequence[AnalysedNeed] = ()):
        """From `needs`, or from needs already analysed (`analyse_need`), in that order."""
        self.items: list[AnalysedNeed] = [*analysed, *(analyse_need(need) for need in needs)]
        self.stats = bm25.corpus_stats(item.fields for item in self.items)

    def _query(self, title: str, body: str) -> tuple[dict[str, float], bm25.Fields]:
        _tokens, fields, _surfaces = _analyse(title, body)
        query = {key: 1.0 for key in fields.weighted}
        return query, fields

    def _text_score(
        self, query: dict[str, float], own: bm25.Fields, other: bm25.Fields
    ) -> tuple[float, dict[str, float]]:
        best, _parts = bm25.score(query, own, self.stats)
        if best <= 0:
            return 0.0, {}
        value, parts = bm25.score(query, other, self.stats)
        return min(1.0, value / best), parts

    def similar(
        self,
        *,
        title: str,
        body: str = "",
        sectors: Sequence[str] = (),
        exclude_organisation: int | None = None,
        exclude: set[tuple[str, int]] | None = None,
        limit: int = 8,
        threshold: float = THRESHOLD,
    ) -> list[Match]:
        """Needs of other organisations closest to the text and sectors, best first."""
        query, own = self._query(title, body)
        matches: list[Match] = []
        for item in self.items:
            need = item.need
            if exclude and need.key in exclude:
                continue
            if exclude_organisation is not None and exclude_organisation in need.organisations:
                continue
            match = self._match(query, own, tuple(sectors), item)
            enough_text = match.text >= MIN_TEXT if query else bool(match.shared_sectors)
            if match.score >= threshold and enough_text:
                matches.append(match)
        matches.sort(key=lambda m: (-m.score, m.need.title, m.need.key))
        return matches[:limit]

    def _match(
        self,
        query: dict[str, float],
        own: bm25.Fields,
        sectors: tuple[str, ...],
        item: AnalysedNeed,
    ) -> Match:
        text, parts = self._text_score(query, own, item.fields) if query else (0.0, {})
        overlap, shared, _related = sector_overlap(sectors, item.need.sectors)
        if sectors and item.need.sectors:
            back, _s, _r = sector_overlap(item.need.sectors, sectors)
            overlap = (overlap + back) / 2
        terms = [
            item.surfaces[key]
            for key, _value in sorted(parts.items(), key=lambda kv: -kv[1])
            if key in item.surfaces
        ]
        terms = _without_parts(list(dict.fromkeys(terms)))
        names = item.need.sector_names
        return Match(
            need=item.need,
            score=round(TEXT_WEIGHT * text + SECTOR_WEIGHT * overlap, 4),
            shared_terms=tuple(dict.fromkeys(terms))[:6],
            shared_sectors=tuple(names.get(slug, slug) for slug in shared),
            text=text,
        )

    def pair_score(self, a: int, b: int) -> Match:
        """Symmetric similarity of items `a` and `b` (mean of both directions)."""
        first, second = self.items[a], self.items[b]
        q1 = {key: 1.0 for key in first.fields.weighted}
        q2 = {key: 1.0 for key in second.fields.weighted}
        m1 = self._match(q1, first.fields, first.need.sectors, second)
        m2 = self._match(q2, second.fields, second.need.sectors, first)
        terms = m2.shared_terms  # as written in the first need: one spelling per group
        return Match(
            need=second.need,
            score=round((m1.score + m2.score) / 2, 4),
            shared_terms=terms,
            shared_sectors=m1.shared_sectors,
            text=(m1.text + m2.text) / 2,
        )


@dataclass
class Group:
    """Similar needs of several organisations."""

    needs: list[Need]
    score: float  # mean similarity of the members to the group's first need
    shared_terms: list[str]
    shared_sectors: list[str]

    @property
    def organisations(self) -> list[str]:
        return list(dict.fromkeys(n.organisation_name for n in self.needs))

    @property
    def cities(self) -> list[str]:
        return list(dict.fromkeys(n.city or n.organisation_name for n in self.needs))


def group_needs(
    needs: Sequence[Need], *, threshold: float = GROUP_THRESHOLD, corpus: Corpus | None = None
) -> list[Group]:
    """Greedy clustering: each need, in order, starts a group that takes every not yet grouped
    need of another organisation whose similarity to it is above `threshold`. Groups of needs of
    a single organisation are dropped; bigger and closer groups come first."""
    corpus = corpus or Corpus(needs)
    taken: set[int] = set()
    groups: list[Group] = []
    for i, seed in enumerate(corpus.items):
        if i in taken:
            continue
        members: list[tuple[int, Match]] = []
        for j in range(len(corpus.items)):
            if j == i or j in taken:
                continue
            if corpus.items[j].need.organisations & seed.need.organisations:
                continue
            match = corpus.pair_score(i, j)
            if match.score >= threshold and match.text >= GROUP_MIN_TEXT:
                members.append((j, match))
        if not members:
            continue
        taken.add(i)
        taken.update(j for j, _m in members)
        terms: Counter[str] = Counter()
        sectors: Counter[str] = Counter()
        for _j, match in members:
            terms.update(match.shared_terms)
            sectors.update(match.shared_sectors)
        members.sort(key=lambda jm: -jm[1].score)
        groups.append(
            Group(
                needs=[seed.need, *(corpus.items[j].need for j, _m in members)],
                score=round(sum(m.score for _j, m in members) / len(members), 4),
                shared_terms=[t for t, _n in terms.most_common(6)],
                shared_sectors=[s for s, _n in sectors.most_common(4)],
            )
        )
    groups.sort(key=lambda g: (-len(g.organisations), -g.score))
    return groups
