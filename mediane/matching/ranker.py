"""The ranker: documented features, weighted, with the reasons of every recommendation.

score = Σ weight × feature, each feature in [0, 1]:

- `lexical`: BM25F of the challenge's words (title boosted) over the organisation's name,
  offers and description, stemmed, with synonym groups as shared terms and related terms as
  weaker ones; divided by the best score of the list.
- `semantic`: closeness in meaning of the challenge and the organisation's text (a packaged
  multilingual sentence encoder, `mediane.matching.semantic`), less a floor, divided by the
  best of the list. The text score is `(1 - semantic weight) × lexical + semantic weight ×
  semantic`: the `lexical` weight applies to both, and the text score gates the others.
- `sectors`: for each sector of the challenge, 1 if the organisation has it, the relatedness
  table's value for a related sector; averaged.
- `kind`: how likely that kind of organisation answers a call for solutions; it multiplies
  the score (`1 - kind weight × (1 - suitability)`), so a city or an investor stays below
  companies that say the same.
- `references`: 1 when the organisation already served the issuer, 0.7 for a reference in a
  city of similar size in the same country, 0.4 for a reference in the same country.
- `past_answers`: answers to earlier challenges sharing a sector (2 or more count fully).
- `proximity`: same country, and closer when both places are known.

The text score also gates the structured ones (`gate`): an organisation that shares the
sectors but not the problem's words (a look-alike) cannot climb on sectors and kind alone.

The challenge's scene (its "context and figures", or the opening sentence of a longer
statement: the place, the public, the figures) says where the problem is, not what is needed:
its words weigh `scene` in the query, and the challenge's meaning is moved away from the
scene's (`scene_contrast`), so that a firm of the scene's trade (the coach company of a
crowded town, the oyster farm of a shell-waste problem) does not pass the ones that answer.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np

from mediane.matching import bm25, semantic, signals
from mediane.matching.text import (
    RELATED,
    Thesaurus,
    Token,
    analyse,
    load_thesaurus,
    stem_phrase,
)


@dataclass(frozen=True)
class ReferenceCity:
    """A city an organisation already served; country and population when known."""

    name: str
    country: str = ""
    population: int | None = None


@dataclass(frozen=True)
class ChallengeProfile:
    id: Any
    title: str
    description: str = ""
    sectors: tuple[str, ...] = ()
    country: str = ""
    context: str = ""  # the scene: context and figures (else the statement's opening sentence)
    issuer_name: str = ""
    issuer_population: int | None = None
    location: tuple[float, float] | None = None
    eligible_countries: tuple[str, ...] = ()  # empty: every country
    eligible_kinds: tuple[str, ...] = ()  # empty: every kind


@dataclass(frozen=True)
class Analysis:
    """A candidate's analysed text, computed once and stored (`analyse_candidate`): token key
    counts per field (name, offers, description) and a word of the text behind each key.
    Valid for the analyser of `mediane.matching.text.analyser_version()`."""

    counts: Mapping[str, Mapping[str, int]]
    surfaces: Mapping[str, str]

    def to_json(self) -> dict[str, Any]:
        return {"counts": {k: dict(v) for k, v in self.counts.items()}, "surfaces": self.surfaces}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Analysis:
        return cls(counts=data["counts"], surfaces=data["surfaces"])


@dataclass(frozen=True)
class Candidate:
    """An organisation (or one of its offers) that could answer. `analysis`, when given, is
    its text already analysed with the project's synonyms list (the text is then not read
    again by the lexical feature)."""

    id: Any
    name: str
    kind: str = ""
    country: str = ""
    description: str = ""
    offers: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    references: tuple[ReferenceCity, ...] = ()
    location: tuple[float, float] | None = None
    past_answer_sectors: tuple[str, ...] = ()  # one entry per sector of each past answer
    analysis: Analysis | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Weights:
    lexical: float = 0.60
    sectors: float = 0.15
    kind: float = 0.30  # multiplier: score × (1 - kind × (1 - suitability))
    references: float = 0.10
    past_answers: float = 0.05
    proximity: float = 0.05
    gate: float = 0.25  # text level under which structured features are scaled down
    semantic: float = 0.4  # share of meaning in the text score (the rest: lexical)
    semantic_floor: float = 0.2  # cosine of unrelated texts (or the list's median when lower)
    semantic_reason: float = 0.5  # semantic feature from which "close in meaning" is a reason
    title_boost: float = 2.0
    related_term: float = 0.5
    proper_noun: float = 0.3  # places and names in a challenge say little about the need
    scene: float = 0.25  # query weight of the scene's words (context, opening sentence)
    scene_contrast: float = 0.25  # the challenge's vector less this share of the scene's
    scene_min_sentences: int = 3  # a shorter statement has no opening scene: all of it counts
    semantic_pool: int = 200  # challenges for an organisation: meaning of the best by words
    field_name: float = 1.5
    field_offers: float = 2.0
    field_description: float = 1.0
    k1: float = 1.2
    b: float = 0.75

    def field_weights(self) -> dict[str, float]:
        return {
            "name": self.field_name,
            "offers": self.field_offers,
            "description": self.field_description,
        }


DEFAULT_WEIGHTS = Weights()
BASELINE_WEIGHTS = Weights(
    lexical=1.0,
    sectors=0.0,
    kind=0.0,
    references=0.0,
    past_answers=0.0,
    proximity=0.0,
    gate=0.0,
    semantic=0.0,
    title_boost=1.0,
    proper_noun=1.0,
    scene=1.0,
    scene_contrast=0.0,
    field_name=1.0,
    field_offers=1.0,
    field_description=1.0,
)


@dataclass(frozen=True)
class Reason:
    """Why a recommendation: a stable `code`, its share of the score, and plain parameters."""

    code: str  # terms, synonyms, semantic, sectors, related_sectors, reference_issuer,
    # references_similar, references_country, past_answers, same_country, distance
    contribution: float
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    candidate: Candidate
    score: float
    features: Mapping[str, float]
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class _Doc:
    fields: bm25.Fields
    surfaces: Mapping[str, str]  # token key -> a word of the document that produced it


def analyse_candidate(candidate: Candidate, thesaurus: Thesaurus | None = None) -> Analysis:
    """The analysis of a candidate's name, offers and description, to store with it."""
    thesaurus = load_thesaurus() if thesaurus is None else thesaurus
    parts = _analysed_parts(candidate.name, candidate.offers, candidate.description, thesaurus)
    surfaces: dict[str, str] = {}
    for tokens in parts.values():
        for token in tokens:
            surfaces.setdefault(token.key, token.surface)
    counts = {name: dict(Counter(t.key for t in tokens)) for name, tokens in parts.items()}
    return Analysis(counts=counts, surfaces=surfaces)


def _document(candidate: Candidate, weights: Weights, thesaurus: Thesaurus) -> _Doc:
    if thesaurus is load_thesaurus():  # the usual case: documents analysed once, cached
        if candidate.analysis is not None:
            fields = bm25.fields_from_counts(candidate.analysis.counts, weights.field_weights())
            return _Doc(fields=fields, surfaces=candidate.analysis.surfaces)
        return _cached_document(candidate.name, candidate.offers, candidate.description, weights)
    return _analysed_document(
        candidate.name, candidate.offers, candidate.description, weights, thesaurus
    )


@lru_cache(maxsize=20_000)
def _cached_document(
    name: str, offers: tuple[str, ...], description: str, weights: Weights
) -> _Doc:
    return _analysed_document(name, offers, description, weights, load_thesaurus())


def _analysed_parts(
    name: str, offers: tuple[str, ...], description: str, thesaurus: Thesaurus
) -> dict[str, list[Token]]:
    return {
        "name": analyse(name, thesaurus),
        "offers": analyse(" . ".join(offers), thesaurus),
        "description": analyse(description, thesaurus),
    }


def _analysed_document(
    name: str,
    offers: tuple[str, ...],
    description: str,
    weights: Weights,
    thesaurus: Thesaurus,
) -> _Doc:
    parts = _analysed_parts(name, offers, description, thesaurus)
    surfaces: dict[str, str] = {}
    for tokens in parts.values():
        for token in tokens:
            surfaces.setdefault(token.key, token.surface)
    fields = bm25.make_fields(
        {name: [t.key for t in tokens] for name, tokens in parts.items()}, weights.field_weights()
    )
    return _Doc(fields=fields, surfaces=surfaces)


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+")


def scene_and_statement(challenge: ChallengeProfile, weights: Weights) -> tuple[str, str]:
    """The challenge's scene and the rest of its statement. The scene is its context when
    given; else the opening sentence of a statement of `scene_min_sentences` sentences or
    more (a short statement is all problem); else none."""
    if challenge.context.strip():
        return challenge.context.strip(), challenge.description
    if weights.scene == 1.0 and weights.scene_contrast == 0.0:
        return "", challenge.description
    sentences = [s for s in _SENTENCE_END.split(challenge.description.strip()) if s]
    if len(sentences) < max(2, weights.scene_min_sentences):
        return "", challenge.description
    return sentences[0], " ".join(sentences[1:])


def _query(
    title: Iterable[Token],
    body: Iterable[Token],
    weights: Weights,
    scene: Iterable[Token] = (),
) -> tuple[dict[str, float], dict[str, str]]:
    """Query weight of each token key (title boosted, scene lowered, log-damped) and its
    surface word."""
    counts: dict[str, float] = {}
    surfaces: dict[str, str] = {}
    for tokens, boost in ((title, weights.title_boost), (body, 1.0), (scene, weights.scene)):
        for token in tokens:
            weight = boost * (weights.proper_noun if token.proper else 1.0)
            counts[token.key] = counts.get(token.key, 0.0) + weight
            surfaces.setdefault(token.key, token.surface)
    query = {}
    for key, count in counts.items():
        value = 1.0 + math.log(count) if count >= 1 else count
        query[key] = value * (weights.related_term if key.startswith(RELATED) else 1.0)
    return query, surfaces


def _eligible(challenge: ChallengeProfile, candidate: Candidate) -> bool:
    if challenge.eligible_countries and candidate.country not in challenge.eligible_countries:
        return False
    return not (challenge.eligible_kinds and candidate.kind not in challenge.eligible_kinds)


def _references(challenge: ChallengeProfile, candidate: Candidate) -> tuple[float, Reason | None]:
    if not candidate.references:
        return 0.0, None
    issuer = challenge.issuer_name.strip().casefold()
    for ref in candidate.references:
        if issuer and ref.name.strip().casefold() == issuer:
            return 1.0, Reason("reference_issuer", 0.0, {"city": ref.name})
    similar = [
        ref.name
        for ref in candidate.references
        if (ref.country or candidate.country) == challenge.country
        and signals.similar_size(ref.population, challenge.issuer_population)
    ]
    if similar:
        return 0.7, Reason("references_similar", 0.0, {"cities": similar})
    same = [
        r.name
        for r in candidate.references
        if (r.country or candidate.country) == challenge.country
    ]
    if same:
        return 0.4, Reason("references_country", 0.0, {"cities": same})
    return 0.0, None


def _proximity(challenge: ChallengeProfile, candidate: Candidate) -> tuple[float, Reason | None]:
    if not challenge.country or candidate.country != challenge.country:
        return 0.0, None
    if challenge.location and candidate.location:
        km = signals.distance_km(challenge.location, candidate.location)
        return 0.5 + 0.5 * math.exp(-km / 300.0), Reason("distance", 0.0, {"km": round(km)})
    return 0.75, Reason("same_country", 0.0, {"country": challenge.country})


def _past_answers(challenge: ChallengeProfile, candidate: Candidate) -> tuple[float, Reason | None]:
    wanted = set(challenge.sectors)
    count = sum(1 for sector in candidate.past_answer_sectors if sector in wanted)
    if not count:
        return 0.0, None
    return min(1.0, count / 2.0), Reason("past_answers", 0.0, {"count": count})


def rank(
    challenge: ChallengeProfile,
    candidates: Sequence[Candidate],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    stats: bm25.CorpusStats | None = None,
    thesaurus: Thesaurus | None = None,
    limit: int | None = None,
    encoder: semantic.Encoder | None = None,
    document_vectors: Mapping[Any, Any] | None = None,
) -> list[Recommendation]:
    """Candidates ranked for `challenge`, best first, each with its features and reasons.

    `stats` are the corpus statistics of all organisations (document frequencies); without
    them they are computed over `candidates`, which is right when they are the whole corpus.
    Ineligible candidates (countries, kinds) are left out. Ties keep the input order.
    `encoder` replaces the packaged sentence encoder of the semantic feature (tests); no text
    is encoded when `weights.semantic` is 0. `document_vectors` gives, by candidate id, vectors
    already made (`semantic.unpack` of a stored `semantic.pack`); the others are encoded.
    """
    thesaurus = load_thesaurus() if thesaurus is None else thesaurus
    eligible = [c for c in candidates if _eligible(challenge, c)]
    docs = [_document(c, weights, thesaurus) for c in eligible]
    if stats is None:
        stats = bm25.corpus_stats(d.fields for d in docs)
    scene, statement = scene_and_statement(challenge, weights)
    query, query_surfaces = _query(
        analyse(challenge.title, thesaurus),
        analyse(statement, thesaurus),
        weights,
        analyse(scene, thesaurus),
    )
    lexical = [bm25.score(query, d.fields, stats, k1=weights.k1, b=weights.b) for d in docs]
    best = max((s for s, _p in lexical), default=0.0) or 1.0
    meanings: list[float | None] = [None] * len(eligible)
    query_vector = None
    if weights.semantic > 0 and eligible:
        query_vector = challenge_vector(challenge, weights, encoder)
        cosines = semantic.document_matrix(eligible, document_vectors or {}, encoder) @ query_vector
        meanings = list(semantic.normalised(cosines.tolist(), weights.semantic_floor))
    results = []
    for candidate, doc, (raw, parts), meaning in zip(
        eligible, docs, lexical, meanings, strict=True
    ):
        results.append(
            _recommend(
                challenge,
                candidate,
                doc,
                raw / best,
                parts,
                query_surfaces,
                thesaurus,
                weights,
                meaning=meaning,
            )
        )
    order = sorted(range(len(results)), key=lambda i: -results[i].score)
    ranked = [results[i] for i in order]
    ranked = ranked if limit is None else ranked[:limit]
    if query_vector is not None:
        ranked = [_closest_offer(r, query_vector, encoder) for r in ranked]
    return ranked


def challenge_vector(
    challenge: ChallengeProfile, weights: Weights = DEFAULT_WEIGHTS, encoder: Any = None
) -> Any:
    """The challenge's meaning: its whole text encoded, moved away from its scene's meaning
    by `scene_contrast` (then of unit length again)."""
    return _contrasted(semantic.vectors(challenge_texts(challenge, weights), encoder), weights)


def challenges_matrix(
    challenges: Sequence[ChallengeProfile],
    weights: Weights = DEFAULT_WEIGHTS,
    encoder: Any = None,
    given: Mapping[Any, Any] | None = None,
) -> Any:
    """One row per challenge: its meaning (`challenge_vector`), from `given` (by id) when
    there, else encoded; the texts of all the missing ones are encoded together."""
    given = given or {}
    missing = [c for c in challenges if c.id not in given]
    texts: list[str] = []
    spans: list[tuple[int, int]] = []
    for challenge in missing:
        parts = challenge_texts(challenge, weights)
        spans.append((len(texts), len(parts)))
        texts.extend(parts)
    encoded = semantic.vectors(texts, encoder) if texts else np.zeros((0, 1), dtype=np.float32)
    made = {
        c.id: _contrasted(encoded[start : start + count], weights)
        for c, (start, count) in zip(missing, spans, strict=True)
    }
    rows = [given[c.id] if c.id in given else made[c.id] for c in challenges]
    if not rows:
        return np.zeros((0, 1), dtype=np.float32)
    return np.stack([np.asarray(r, dtype=np.float32) for r in rows])


def challenge_texts(challenge: ChallengeProfile, weights: Weights = DEFAULT_WEIGHTS) -> list[str]:
    """The texts of a challenge's meaning: its whole text, then its scene when it counts."""
    scene, _statement = scene_and_statement(challenge, weights)
    whole = " ".join(p for p in (challenge.description.strip(), challenge.context.strip()) if p)
    texts = [semantic.challenge_text(challenge.title, whole)]
    if scene and weights.scene_contrast > 0:
        texts.append(scene)
    return texts


def _contrasted(rows: Any, weights: Weights) -> Any:
    if len(rows) == 1:
        return rows[0]
    moved = rows[0] - weights.scene_contrast * rows[1]
    norm = float(np.linalg.norm(moved))
    return moved / norm if norm > 1e-9 else rows[0]


def _closest_offer(
    recommendation: Recommendation, query_vector: Any, encoder: semantic.Encoder | None
) -> Recommendation:
    """The `semantic` reason names the offer (or, without offers, the sentence of the
    description) closest in meaning to the challenge."""
    if not any(r.code == "semantic" for r in recommendation.reasons):
        return recommendation
    candidate = recommendation.candidate
    texts = list(candidate.offers) or semantic.sentences(candidate.description)
    text = semantic.closest(query_vector, texts, encoder)
    reasons = tuple(
        replace(r, params={"text": text}) if r.code == "semantic" else r
        for r in recommendation.reasons
    )
    return replace(recommendation, reasons=reasons)


def _recommend(
    challenge: ChallengeProfile,
    candidate: Candidate,
    doc: _Doc,
    lexical: float,
    parts: Mapping[str, float],
    query_surfaces: Mapping[str, str],
    thesaurus: Thesaurus,
    weights: Weights,
    *,
    meaning: float | None = None,
) -> Recommendation:
    """`meaning` is the semantic feature; None when not measured (the text score is then the
    lexical feature alone)."""
    sectors, shared, related = signals.sector_overlap(challenge.sectors, candidate.sectors)
    kind = signals.kind_suitability(candidate.kind)
    references, reference_reason = _references(challenge, candidate)
    past, past_reason = _past_answers(challenge, candidate)
    proximity, proximity_reason = _proximity(challenge, candidate)
    features = {
        "lexical": lexical,
        "sectors": sectors,
        "kind": kind,
        "references": references,
        "past_answers": past,
        "proximity": proximity,
    }
    meaning_share = weights.semantic if meaning is not None else 0.0
    if meaning is not None:
        features["semantic"] = meaning
    text = (1.0 - meaning_share) * lexical + meaning_share * (meaning or 0.0)
    gate = min(1.0, text / weights.gate) if weights.gate > 0 else 1.0
    contributions = {
        "lexical": weights.lexical * (1.0 - meaning_share) * lexical,
        "semantic": weights.lexical * meaning_share * (meaning or 0.0),
        "sectors": weights.sectors * sectors * gate,
        "references": weights.references * references * gate,
        "past_answers": weights.past_answers * past * gate,
        "proximity": weights.proximity * proximity * gate,
    }
    score = sum(contributions.values()) * (1.0 - weights.kind * (1.0 - kind))
    reasons: list[Reason] = []
    total_parts = sum(parts.values()) or 1.0
    top = sorted(parts.items(), key=lambda item: -item[1])[:6]

    # A concept (synonym group) matched with the same word on both sides is a shared term.
    # "école" and "écoles", "région" and "Régions": the same word (stems compared).
    def _same(k: str) -> bool:
        return stem_phrase(query_surfaces.get(k, k)) == stem_phrase(doc.surfaces.get(k, k))

    literal = [k for k, _v in top if not _is_concept(k) or _same(k)]
    terms = list(dict.fromkeys(query_surfaces.get(k, k) for k in literal))
    if terms:
        share = sum(parts[k] for k in literal) / total_parts
        reasons.append(Reason("terms", contributions["lexical"] * share, {"terms": terms}))
    concepts = [k for k, _v in top if _is_concept(k) and not _same(k)]
    pairs = [
        (query_surfaces.get(k, k), doc.surfaces.get(k, k), k.startswith(RELATED)) for k in concepts
    ]
    if pairs:
        share = sum(parts[k] for k in concepts) / total_parts
        reasons.append(
            Reason(
                "synonyms",
                contributions["lexical"] * share,
                {"pairs": [(a, b) for a, b, _r in pairs], "related": [r for _a, _b, r in pairs]},
            )
        )
    if meaning is not None and meaning_share > 0 and meaning >= weights.semantic_reason:
        reasons.append(Reason("semantic", contributions["semantic"], {"text": ""}))
    if shared:
        reasons.append(Reason("sectors", contributions["sectors"], {"sectors": shared}))
    if related:
        reasons.append(
            Reason("related_sectors", contributions["sectors"] * (not shared), {"pairs": related})
        )
    for reason, feature in (
        (reference_reason, "references"),
        (past_reason, "past_answers"),
        (proximity_reason, "proximity"),
    ):
        if reason is not None:
            reasons.append(replace(reason, contribution=contributions[feature]))
    reasons.sort(key=lambda r: -r.contribution)
    return Recommendation(
        candidate=candidate, score=round(score, 6), features=features, reasons=tuple(reasons)
    )


@dataclass(frozen=True)
class ChallengeCorpus:
    """Challenges analysed once for `rank_challenges`: their documents, BM25 statistics and,
    per token key, the challenges holding it (so a list scores only the challenges sharing a
    word with the organisation). Build it with `challenge_corpus` and keep it while the
    challenges are unchanged."""

    challenges: tuple[ChallengeProfile, ...]
    docs: tuple[tuple[bm25.Fields, dict[str, str]], ...]
    stats: bm25.CorpusStats
    postings: Mapping[str, tuple[int, ...]]
    weights: Weights


def challenge_corpus(
    challenges: Sequence[ChallengeProfile],
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    thesaurus: Thesaurus | None = None,
) -> ChallengeCorpus:
    thesaurus = load_thesaurus() if thesaurus is None else thesaurus
    if thesaurus is load_thesaurus():
        docs = [_cached_challenge_doc(c.title, c.description, weights) for c in challenges]
    else:
        docs = [_challenge_doc(c.title, c.description, weights, thesaurus) for c in challenges]
    postings: dict[str, list[int]] = {}
    for position, (fields, _surfaces) in enumerate(docs):
        for key in fields.weighted:
            postings.setdefault(key, []).append(position)
    return ChallengeCorpus(
        challenges=tuple(challenges),
        docs=tuple(docs),
        stats=bm25.corpus_stats(fields for fields, _s in docs),
        postings={key: tuple(positions) for key, positions in postings.items()},
        weights=weights,
    )


def rank_challenges(
    organisation: Candidate,
    challenges: Sequence[ChallengeProfile] = (),
    *,
    weights: Weights = DEFAULT_WEIGHTS,
    thesaurus: Thesaurus | None = None,
    limit: int | None = None,
    corpus: ChallengeCorpus | None = None,
    exclude: Iterable[Any] = (),
    encoder: semantic.Encoder | None = None,
    organisation_vector: Any = None,
    challenge_vectors: Mapping[Any, Any] | None = None,
) -> list[tuple[ChallengeProfile, Recommendation]]:
    """Challenges ranked for one organisation, best first, with the same features and reasons.

    The lexical feature reads the other way round: the organisation's name, offers (×2) and
    description are the query, each challenge (title ×2, text) a document, BM25 statistics over
    the challenges. Challenges the organisation is not eligible for, and those of `exclude`
    (ids), are left out. With a `corpus` (`challenge_corpus`, built with the same weights) the
    challenges are those of the corpus and, when the lexical feature gates the others
    (`gate` > 0), only those sharing a word with the organisation are scored: the others score 0.

    Meaning (`weights.semantic` > 0) is measured for the `semantic_pool` challenges with the
    best lexical feature: the cosine of the organisation's text (`organisation_vector`, or
    encoded) and each challenge's meaning (`challenge_vector`; `challenge_vectors` gives, by
    challenge id, vectors already made), normalised over the pool as in `rank`. Challenges
    further down have a semantic feature of 0.
    """
    thesaurus = load_thesaurus() if thesaurus is None else thesaurus
    if corpus is None or corpus.weights != weights:
        corpus = challenge_corpus(
            list(corpus.challenges if corpus else challenges), weights=weights, thesaurus=thesaurus
        )
    org_doc = _document(organisation, weights, thesaurus)
    query: dict[str, float] = {}
    for name, counts in org_doc.fields.counts.items():
        boost = weights.field_weights().get(name, 1.0)
        for key, count in counts.items():
            query[key] = query.get(key, 0.0) + boost * count
    query = {
        key: (1.0 + math.log(value) if value >= 1 else value)
        * (weights.related_term if key.startswith(RELATED) else 1.0)
        for key, value in query.items()
    }
    if weights.gate > 0:
        positions: Iterable[int] = sorted(
            {p for key in query for p in corpus.postings.get(key, ())}
        )
    else:
        positions = range(len(corpus.challenges))
    excluded = set(exclude)
    chosen = [
        p
        for p in positions
        if corpus.challenges[p].id not in excluded and _eligible(corpus.challenges[p], organisation)
    ]
    if not chosen:
        return []
    lexical = [
        bm25.score(query, corpus.docs[p][0], corpus.stats, k1=weights.k1, b=weights.b)
        for p in chosen
    ]
    best = max((s for s, _p in lexical), default=0.0) or 1.0
    # Exact scores in decreasing order of the lexical feature; with a limit, stop once even a
    # perfect score on every other signal could not reach the list (`_score_bound`).
    order = sorted(range(len(chosen)), key=lambda i: -lexical[i][0])
    meanings: dict[int, float] = {}
    vectors: dict[int, Any] = {}
    if weights.semantic > 0:
        pool = order[: max(0, weights.semantic_pool)]
        rows = challenges_matrix(
            [corpus.challenges[chosen[i]] for i in pool], weights, encoder, challenge_vectors
        )
        if organisation_vector is None:
            text = semantic.document_text(
                organisation.name, organisation.offers, organisation.description
            )
            organisation_vector = semantic.vectors([text], encoder)[0]
        cosines = rows @ np.asarray(organisation_vector, dtype=np.float32) if pool else []
        values = semantic.normalised(list(map(float, cosines)), weights.semantic_floor)
        meanings = dict(zip(pool, values, strict=True))
        vectors = dict(zip(pool, rows, strict=True))
    scored: list[tuple[int, Recommendation]] = []
    kept: list[float] = []  # the `limit` best scores so far, as a min-heap
    for i in order:
        raw, parts = lexical[i]
        meaning = meanings.get(i, 0.0) if weights.semantic > 0 else None
        bound = _score_bound(raw / best, weights, 1.0 if i in meanings else meaning)
        if limit is not None and len(kept) >= limit and bound < kept[0] - 1e-6:
            break
        p = chosen[i]
        recommendation = _recommend(
            corpus.challenges[p],
            organisation,
            org_doc,
            raw / best,
            parts,
            corpus.docs[p][1],
            thesaurus,
            weights,
            meaning=meaning,
        )
        scored.append((i, recommendation))
        if limit is not None:
            if len(kept) < limit:
                heapq.heappush(kept, recommendation.score)
            elif recommendation.score > kept[0]:
                heapq.heapreplace(kept, recommendation.score)
    scored.sort(key=lambda pair: (-pair[1].score, pair[0]))  # ties: corpus order
    scored = scored if limit is None else scored[:limit]
    return [
        (
            corpus.challenges[chosen[i]],
            _closest_offer(r, vectors[i], encoder) if i in vectors else r,
        )
        for i, r in scored
    ]


def _score_bound(lexical: float, weights: Weights, meaning: float | None = None) -> float:
    """The highest score a challenge with this lexical feature (and at most this semantic
    one, when measured) can have, every structured signal at 1 and the best kind: in the order
    of the lexical feature, with meaning measured first for the best, bounds only decrease."""
    share = weights.semantic if meaning is not None else 0.0
    text = (1.0 - share) * lexical + share * (meaning or 0.0)
    gate = min(1.0, text / weights.gate) if weights.gate > 0 else 1.0
    structured = weights.sectors + weights.references + weights.past_answers + weights.proximity
    return weights.lexical * text + structured * gate


def _challenge_doc(
    title: str, description: str, weights: Weights, thesaurus: Thesaurus
) -> tuple[bm25.Fields, dict[str, str]]:
    """A challenge as a document (title boosted), and the word behind each token."""
    title_tokens = analyse(title, thesaurus)
    body_tokens = analyse(description, thesaurus)
    surfaces: dict[str, str] = {}
    for token in (*title_tokens, *body_tokens):
        surfaces.setdefault(token.key, token.surface)
    fields = bm25.make_fields(
        {"title": [t.key for t in title_tokens], "body": [t.key for t in body_tokens]},
        {"title": weights.title_boost, "body": 1.0},
    )
    return fields, surfaces


@lru_cache(maxsize=20_000)
def _cached_challenge_doc(
    title: str, description: str, weights: Weights
) -> tuple[bm25.Fields, dict[str, str]]:
    return _challenge_doc(title, description, weights, load_thesaurus())


def _is_concept(key: str) -> bool:
    return key[:1] in ("=", "~") and key[1:].isdigit()


def bm25_baseline(
    challenge: ChallengeProfile, candidates: Sequence[Candidate], *, limit: int | None = None
) -> list[Recommendation]:
    """Plain BM25 (French stemming, accents folded, no synonyms, no structured signal) over
    name, offers and description: the reference the ranker is measured against."""
    return rank(challenge, candidates, weights=BASELINE_WEIGHTS, thesaurus=Thesaurus(), limit=limit)
