"""Recommendations for a diagnostic's weakest dimensions: solution sheets of other cities,
experts, offers and open challenges matched by the dimension's sectors, and the suggested plan
action — all read through the other apps' permission-aware selectors."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from mediane.diagnostic import scoring
from mediane.diagnostic.models import Diagnostic, Dimension

PER_KIND = 3


@dataclass
class DimensionRecommendations:
    dimension: Dimension
    score: float
    solutions: list[Any] = field(default_factory=list)
    experts: list[Any] = field(default_factory=list)
    offers: list[Any] = field(default_factory=list)
    challenges: list[Any] = field(default_factory=list)
    #: The question of the dimension with the lowest level (linked to the suggested action).
    weakest_question: str = ""


def _keyword_q(fields: list[str], keywords: list[str]) -> Q:
    q = Q()
    for word in keywords:
        for name in fields:
            q |= Q(**{f"{name}__icontains": word})
    return q


def for_diagnostic(
    user: Any, diagnostic: Diagnostic, result: scoring.Result, *, count: int = 3
) -> list[DimensionRecommendations]:
    from mediane.directory.selectors import _visible_experts
    from mediane.market.models import ChallengeStatus
    from mediane.market.selectors import challenges_list_for, offers_list_for
    from mediane.solutions.selectors import solutions_published

    dims = {d.code: d for d in diagnostic.version.dimensions.all()}
    city_id = diagnostic.organisation_id  # type: ignore[attr-defined]
    out = []
    seen: set[tuple[str, int]] = set()

    def fresh(kind: str, rows: Any) -> list[Any]:
        """Rows not already recommended for a weaker dimension, PER_KIND at most."""
        kept: list[Any] = []
        for row in rows:
            if (kind, row.pk) not in seen and len(kept) < PER_KIND:
                seen.add((kind, row.pk))
                kept.append(row)
        return kept

    for code in scoring.weakest(result.dimensions, count=count):
        dim = dims[code]
        sectors = list(dim.sectors or [])
        keywords = list(dim.keywords or [])
        by_sector = Q(sectors__slug__in=sectors) if sectors else Q(pk__in=[])
        solutions = list(
            solutions_published(user)
            .filter(by_sector | _keyword_q(["title", "summary", "problem"], keywords))
            .exclude(organisation_id=city_id)
            .select_related("organisation")
            .distinct()
            .order_by("-published_at")[: PER_KIND * 4]
        )
        experts = list(
            _visible_experts(user)
            .filter(by_sector | _keyword_q(["skills__name", "headline"], keywords))
            .distinct()
            .order_by("name")[: PER_KIND * 4]
        )
        offers = list(
            offers_list_for(user)
            .filter(by_sector | _keyword_q(["title", "summary"], keywords))
            .distinct()[: PER_KIND * 4]
        )
        challenges = list(
            challenges_list_for(user)
            .filter(status=ChallengeStatus.OPEN)
            .filter(by_sector | _keyword_q(["title", "summary"], keywords))
            .distinct()[: PER_KIND * 4]
        )
        levels = {
            q: lvl
            for q, lvl in result.question_levels.items()
            if q.split(".")[0] == code.lstrip("D")
        }
        weakest_question = min(levels, key=lambda q: (levels[q], q)) if levels else ""
        out.append(
            DimensionRecommendations(
                dimension=dim,
                score=result.dimensions[code],
                solutions=fresh("solution", solutions),
                experts=fresh("expert", experts),
                offers=fresh("offer", offers),
                challenges=fresh("challenge", challenges),
                weakest_question=weakest_question,
            )
        )
    return out


def plans_for(user: Any, diagnostic: Diagnostic) -> list[Any]:
    """The city's plans the user may add an action to."""
    from mediane.core.permissions import can
    from mediane.plans.selectors import plans_of

    return [p for p in plans_of(user, diagnostic.organisation) if can(user, "change", p)]
