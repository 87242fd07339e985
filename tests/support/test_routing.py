"""The routing function alone (no database): language filter, skills × territory, order."""

from __future__ import annotations

from mediane.support.routing import ExpertProfile, RequestProfile, rank_experts, score_expert

# Lourdes (1) in its EPCI (2), département 65 (3), Occitanie (4), France (5).
CHAIN = ((1, "same"), (2, "grouping"), (3, "departement"), (4, "region"), (5, "country"))
REQUEST = RequestProfile(language="fr", territory_chain=CHAIN, skills=frozenset({10, 11}))


def expert(pk: int, *, territories: set[int], skills: set[int], languages: str = "fr", **kw):
    return ExpertProfile(
        id=pk,
        name=kw.get("name", f"E{pk}"),
        languages=frozenset(languages.split(",")),
        territories=frozenset(territories),
        skills=frozenset(skills),
        sectors=frozenset(kw.get("sectors", set())),
    )


def test_language_is_required():
    assert score_expert(REQUEST, expert(1, territories={1}, skills={10}, languages="en")) is None
    assert score_expert(REQUEST, expert(1, territories={1}, skills={10}, languages="es,fr"))


def test_skills_overlap_times_territory_level():
    same = score_expert(REQUEST, expert(1, territories={1, 3, 4, 5}, skills={10, 11}))
    half = score_expert(REQUEST, expert(2, territories={1}, skills={10}))
    departement = score_expert(REQUEST, expert(3, territories={9, 3, 4, 5}, skills={10, 11}))
    region = score_expert(REQUEST, expert(4, territories={8, 4, 5}, skills={10, 11}))
    country = score_expert(REQUEST, expert(5, territories={7, 5}, skills={10, 11}))
    assert same and half and departement and region and country
    assert same.score == 1.0
    assert half.score == 0.5
    assert departement.score == 0.6
    assert region.score == 0.4
    assert country.score == 0.2
    assert ("territory", "departement") in departement.reasons
    assert ("language", "fr") in same.reasons


def test_no_common_territory_or_topic_leaves_the_expert_out():
    assert score_expert(REQUEST, expert(1, territories={42}, skills={10})) is None
    assert score_expert(REQUEST, expert(1, territories={1}, skills={99})) is None


def test_a_shared_sector_stands_for_missing_skills():
    request = RequestProfile(
        language="fr", territory_chain=CHAIN, skills=frozenset({10}), sectors=frozenset({7})
    )
    match = score_expert(request, expert(1, territories={1}, skills=set(), sectors={7}))
    assert match is not None and match.score == 0.3
    no_skill = RequestProfile(language="fr", territory_chain=CHAIN)
    assert score_expert(no_skill, expert(1, territories={1}, skills=set())).score == 0.5


def test_rank_orders_by_score_then_name_excludes_and_limits():
    experts = [
        expert(1, territories={3}, skills={10, 11}, name="Zoé"),  # 0.6
        expert(2, territories={1}, skills={10, 11}, name="Yves"),  # 1.0
        expert(3, territories={3}, skills={10, 11}, name="Anne"),  # 0.6, before Zoé
        expert(4, territories={1}, skills={10}, languages="en"),  # left out
    ]
    assert [m.expert_id for m in rank_experts(REQUEST, experts)] == [2, 3, 1]
    assert [m.expert_id for m in rank_experts(REQUEST, experts, exclude=[2], limit=1)] == [3]
