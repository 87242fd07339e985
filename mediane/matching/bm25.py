"""BM25F over a few weighted fields, with corpus statistics given or computed.

Fields of a document are bags of token keys with a weight each (name, offers, description…).
The weighted term frequency is saturated once (BM25F), so a word repeated in every field does
not outweigh several distinct words of the query.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

K1 = 1.2
B = 0.75


@dataclass(frozen=True)
class Fields:
    """Token counts per field and the length of the document (weighted)."""

    counts: Mapping[str, Counter[str]]
    length: float
    weighted: Mapping[str, float]  # Σ over fields of field weight × count, per token key


@dataclass(frozen=True)
class CorpusStats:
    """How many documents there are, their average length, and document frequencies."""

    total: int
    average_length: float
    doc_freq: Mapping[str, int]

    def idf(self, key: str) -> float:
        df = min(self.doc_freq.get(key, 0), self.total)
        return math.log(1.0 + (self.total - df + 0.5) / (df + 0.5))


def make_fields(
    tokens_by_field: Mapping[str, Iterable[str]], weights: Mapping[str, float]
) -> Fields:
    counts = {name: Counter(tokens) for name, tokens in tokens_by_field.items()}
    length = sum(weights.get(name, 1.0) * sum(c.values()) for name, c in counts.items())
    weighted: dict[str, float] = {}
    for name, field_counts in counts.items():
        weight = weights.get(name, 1.0)
        for key, count in field_counts.items():
            weighted[key] = weighted.get(key, 0.0) + weight * count
    return Fields(counts=counts, length=length, weighted=weighted)


def fields_from_counts(
    counts: Mapping[str, Mapping[str, int]], weights: Mapping[str, float]
) -> Fields:
    """`make_fields` from token counts already made (a stored analysis)."""
    return make_fields(counts, weights)  # Counter(a mapping) keeps its counts


def corpus_stats(documents: Iterable[Fields]) -> CorpusStats:
    doc_freq: Counter[str] = Counter()
    total = 0
    lengths = 0.0
    for doc in documents:
        total += 1
        lengths += doc.length
        keys: set[str] = set()
        for counts in doc.counts.values():
            keys.update(counts)
        doc_freq.update(keys)
    return CorpusStats(
        total=total, average_length=(lengths / total if total else 1.0), doc_freq=doc_freq
    )


def score(
    query: Mapping[str, float],
    doc: Fields,
    stats: CorpusStats,
    *,
    k1: float = K1,
    b: float = B,
) -> tuple[float, dict[str, float]]:
    """BM25F score of `doc` for `query` (token key -> query weight), and the part of each key.

    Field weights are those given to `make_fields` for `doc`."""
    norm = 1.0 - b + b * (doc.length / stats.average_length if stats.average_length else 1.0)
    parts: dict[str, float] = {}
    weighted = doc.weighted
    for key, query_weight in query.items():
        tf = weighted.get(key)
        if not tf:
            continue
        tf = tf / norm
        parts[key] = query_weight * stats.idf(key) * tf * (k1 + 1.0) / (tf + k1)
    return sum(parts.values()), parts
