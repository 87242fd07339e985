"""Structured signals of matching: sector relatedness, kind suitability, similar cities, distance.

Tables here are general knowledge of the network's domains, not fitted to any data set.
"""

from __future__ import annotations

import math

# Pairs of sectors of the taxonomy that often meet in one project (symmetric), with strength.
_RELATED_SECTORS: dict[tuple[str, str], float] = {
    ("tourisme", "sport"): 0.5,
    ("tourisme", "culture"): 0.5,
    ("tourisme", "commerce"): 0.4,
    ("tourisme", "mobilite"): 0.3,
    ("sante", "sport"): 0.4,
    ("sante", "agriculture-alimentation"): 0.3,
    ("energie", "batiment"): 0.6,
    ("energie", "environnement"): 0.5,
    ("energie", "industrie"): 0.3,
    ("environnement", "eau-dechets"): 0.6,
    ("environnement", "agriculture-alimentation"): 0.4,
    ("environnement", "mobilite"): 0.4,
    ("environnement", "batiment"): 0.3,
    ("eau-dechets", "industrie"): 0.3,
    ("artisanat", "laine-textile"): 0.6,
    ("artisanat", "commerce"): 0.4,
    ("artisanat", "culture"): 0.3,
    ("laine-textile", "industrie"): 0.4,
    ("laine-textile", "agriculture-alimentation"): 0.3,
    ("agriculture-alimentation", "commerce"): 0.4,
    ("batiment", "industrie"): 0.3,
    ("education", "culture"): 0.4,
    ("education", "numerique"): 0.3,
    ("commerce", "numerique"): 0.2,
    ("mobilite", "numerique"): 0.2,
}

# How likely an organisation of each kind is to answer a call for solutions (0..1). Companies
# answer; experts and research centres contribute; incubators, tiers-lieux and associations
# sometimes; public bodies and investors rarely. Both the benchmark's and the project's names.
KIND_SUITABILITY: dict[str, float] = {
    "startup": 1.0,
    "pme": 1.0,
    "expert": 0.85,
    "conseil": 0.85,
    "centre-recherche": 0.8,
    "recherche": 0.8,
    "association": 0.7,
    "tiers-lieu": 0.5,
    "incubateur": 0.5,
    "accelerateur": 0.4,
    "french-tech": 0.3,
    "investisseur": 0.2,
    "collectivite": 0.1,
}
DEFAULT_SUITABILITY = 0.5


def sector_relatedness(a: str, b: str) -> float:
    """1 for the same sector, the table's strength for related ones, else 0."""
    if a == b:
        return 1.0
    return _RELATED_SECTORS.get((a, b)) or _RELATED_SECTORS.get((b, a)) or 0.0


def sector_overlap(wanted: tuple[str, ...], offered: tuple[str, ...]) -> tuple[float, list, list]:
    """Mean over `wanted` of the best relatedness in `offered`; shared and related pairs."""
    if not wanted or not offered:
        return 0.0, [], []
    total = 0.0
    shared: list[str] = []
    related: list[tuple[str, str]] = []
    for sector in wanted:
        best, best_other = 0.0, ""
        for other in offered:
            value = sector_relatedness(sector, other)
            if value > best:
                best, best_other = value, other
        total += best
        if best == 1.0:
            shared.append(sector)
        elif best > 0:
            related.append((sector, best_other))
    return total / len(wanted), shared, related


def kind_suitability(kind: str) -> float:
    return KIND_SUITABILITY.get(kind, DEFAULT_SUITABILITY)


def similar_size(a: int | None, b: int | None) -> bool:
    """Populations within a factor of three of each other (a medium city and its peers)."""
    if not a or not b:
        return False
    return max(a, b) / min(a, b) <= 3.0


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
