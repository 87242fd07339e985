"""The ranker: features, reasons, eligibility, look-alikes kept below the relevant ones."""

from dataclasses import replace
from pathlib import Path

import pytest

from mediane.matching import bm25, dataset, metrics
from mediane.matching.ranker import (
    BASELINE_WEIGHTS,
    DEFAULT_WEIGHTS,
    Candidate,
    ChallengeProfile,
    ReferenceCity,
    Weights,
    bm25_baseline,
    challenge_corpus,
    challenge_vector,
    rank,
    rank_challenges,
    scene_and_statement,
)
from mediane.matching.text import Thesaurus

HELDOUT = Path(__file__).parent / "heldout"
BLIND = Path(__file__).parent / "heldout2"  # written blind on 2026-11-28 (docs/matching.md)
UNSEEN = Path(__file__).parent / "heldout3"  # written blind after the last weight change
AFTER_SCENE = Path(__file__).parent / "heldout4"  # written blind after the scene rule
FOURTH = Path(__file__).parent / "heldout5"  # written blind on 2026-11-29, after the scene rule
FIFTH = Path(__file__).parent / "heldout6"  # written blind after meaning in the other list

CHALLENGE = ChallengeProfile(
    id="c",
    title="Prévenir les résidents par courriel lors d'un avis d'ébullition",
    description=(
        "Lors d'un bris d'aqueduc, la municipalité doit joindre vite les résidents d'un secteur "
        "par courriel et par texto, puis annoncer la levée de l'avis."
    ),
    sectors=("numerique",),
    country="CA-QC",
    issuer_name="Shawinigan",
)

RELEVANT = Candidate(
    id="alert",
    name="AlerteCitoyen",
    kind="startup",
    country="FR",
    description="Notification des habitants par SMS et e-mail sur une zone tracée sur la carte.",
    offers=("Alertes multicanales géociblées",),
    sectors=("eau-dechets",),
)
LOOK_ALIKE = Candidate(
    id="news",
    name="Infolettre Commerce",
    kind="pme",
    country="CA-QC",
    description="Marketing pour les boutiques: campagnes, concours, fidélisation sur Facebook.",
    offers=("Gestion des réseaux sociaux",),
    sectors=("numerique",),
)
FILLER = [
    Candidate(id=f"f{i}", name=f"Fromagerie {i}", kind="pme", description=text)
    for i, text in enumerate(
        ["Fromages affinés au lait cru.", "Pain au levain et viennoiseries.", "Bières de garde."]
    )
]


def ids(recommendations):
    return [r.candidate.id for r in recommendations]


def test_synonyms_find_an_organisation_using_other_words_above_a_look_alike():
    ranked = rank(CHALLENGE, [LOOK_ALIKE, RELEVANT, *FILLER])
    assert ids(ranked)[0] == "alert"
    baseline = bm25_baseline(CHALLENGE, [LOOK_ALIKE, RELEVANT, *FILLER])
    assert baseline[0].score == 0.0  # no shared word without synonyms
    reason = next(r for r in ranked[0].reasons if r.code == "synonyms")
    assert ("courriel", "e-mail") in reason.params["pairs"]
    assert ("texto", "SMS") in reason.params["pairs"]


def test_a_city_saying_the_same_stays_below_a_company():
    city = Candidate(**{**RELEVANT.__dict__, "id": "city", "kind": "collectivite"})
    ranked = rank(CHALLENGE, [city, RELEVANT])
    assert ids(ranked) == ["alert", "city"]
    assert ranked[0].features["kind"] > ranked[1].features["kind"]


def test_sectors_and_structure_cannot_lift_an_organisation_without_the_problem_words():
    same_sector = Candidate(
        id="same",
        name="Studio",
        kind="startup",
        country="CA-QC",
        sectors=("numerique",),
        description="Jeux vidéo éducatifs.",
        references=(ReferenceCity("Shawinigan"),),
    )
    ranked = rank(CHALLENGE, [same_sector, RELEVANT])
    assert ids(ranked) == ["alert", "same"]
    assert ranked[1].features["lexical"] == 0.0
    assert ranked[1].score == 0.0


def test_reasons_name_sectors_references_and_country():
    known = Candidate(
        id="known",
        name="Avis Municipal",
        kind="pme",
        country="CA-QC",
        description="Appels automatisés, textos et courriels aux résidents d'une rue.",
        sectors=("numerique", "education"),
        references=(ReferenceCity("Rouyn-Noranda"), ReferenceCity("Shawinigan")),
        past_answer_sectors=("numerique", "numerique"),
    )
    (result,) = rank(CHALLENGE, [known])
    reasons = {r.code: r for r in result.reasons}
    assert reasons["sectors"].params == {"sectors": ["numerique"]}
    assert reasons["reference_issuer"].params == {"city": "Shawinigan"}
    assert reasons["past_answers"].params == {"count": 2}
    assert reasons["same_country"].params == {"country": "CA-QC"}
    # "courriel" / "courriels" is one word (a shared term), not a pair of related terms
    assert "courriel" in reasons["terms"].params["terms"]
    assert ("courriel", "courriels") not in reasons.get("synonyms", reasons["terms"]).params.get(
        "pairs", []
    )
    assert result.features["references"] == 1.0
    contributions = [r.contribution for r in result.reasons]
    assert contributions == sorted(contributions, reverse=True)


def test_similar_city_reference_and_distance():
    challenge = ChallengeProfile(
        id="c",
        title="Éclairage public",
        country="FR",
        issuer_name="Nevers",
        issuer_population=33_000,
        location=(46.99, 3.16),
    )
    org = Candidate(
        id="o",
        name="Lumen",
        kind="pme",
        country="FR",
        description="Éclairage public LED.",
        references=(ReferenceCity("Blois", "FR", 45_000), ReferenceCity("Paris", "FR", 2_100_000)),
        location=(47.59, 1.33),
    )
    (result,) = rank(challenge, [org])
    reasons = {r.code: r for r in result.reasons}
    assert reasons["references_similar"].params == {"cities": ["Blois"]}
    assert 140 < reasons["distance"].params["km"] < 160
    assert result.features["references"] == 0.7


def test_related_sectors_count_less_than_shared_ones():
    challenge = ChallengeProfile(id="c", title="laine", sectors=("laine-textile",))
    related = Candidate(id="r", name="laine", sectors=("artisanat",), kind="pme")
    shared = Candidate(id="s", name="laine", sectors=("laine-textile",), kind="pme")
    ranked = rank(challenge, [related, shared])
    assert ids(ranked) == ["s", "r"]
    assert 0 < ranked[1].features["sectors"] < ranked[0].features["sectors"] == 1.0
    codes = [r.code for r in ranked[1].reasons]
    assert "related_sectors" in codes


def test_ineligible_candidates_are_left_out_and_limit_applies():
    challenge = ChallengeProfile(
        id="c", title="courriel", eligible_countries=("FR",), eligible_kinds=("startup",)
    )
    ranked = rank(challenge, [LOOK_ALIKE, RELEVANT, *FILLER], limit=5)
    assert ids(ranked) == ["alert"]
    assert (
        rank(CHALLENGE, [LOOK_ALIKE, RELEVANT, *FILLER], limit=2)
        == rank(CHALLENGE, [LOOK_ALIKE, RELEVANT, *FILLER])[:2]
    )


def test_given_corpus_statistics_are_used():
    stats = bm25.CorpusStats(total=1000, average_length=40.0, doc_freq={})
    rare = rank(CHALLENGE, [RELEVANT, LOOK_ALIKE], stats=stats)
    assert rare[0].candidate.id == "alert" and rare[0].features["lexical"] == 1.0


def test_empty_inputs():
    assert rank(CHALLENGE, []) == []
    (result,) = rank(ChallengeProfile(id="e", title=""), [RELEVANT])
    assert result.score == 0.0


@pytest.mark.parametrize("directory", [HELDOUT])
def test_ranker_beats_the_baseline_on_the_held_out_set(directory):
    bench = dataset.load(directory)
    candidates = [dataset.candidate_from(r) for r in bench.organisations]
    ours, base = {}, {}
    for record in bench.challenges:
        challenge = dataset.challenge_from(record)
        ours[challenge.id] = ids(rank(challenge, candidates))
        base[challenge.id] = ids(bm25_baseline(challenge, candidates))
    assert (
        metrics.evaluate(ours, bench.qrels)["ndcg@10"]
        > metrics.evaluate(base, bench.qrels)["ndcg@10"]
    )
    # look-alikes (stage lighting, car repair, parking builders, refuse trucks…) stay below
    # the best ideal answer of their challenge (known weakness, docs/matching.md: the local
    # water lab comes third, above one ideal answer, for the boil-water notice challenge)
    for cid, ranking in ours.items():
        ideal = [o for o, g in bench.qrels[cid].items() if g == 3]
        best_ideal = min(ranking.index(o) for o in ideal)
        for look_alike in ("ho-04", "ho-10", "ho-11", "ho-15", "ho-16", "ho-20", "ho-21"):
            if look_alike in ranking[: best_ideal + 1]:
                pytest.fail(f"{look_alike} above the best answer for {cid}")


def test_challenges_ranked_for_an_organisation():
    other = ChallengeProfile(
        id="other",
        title="Valoriser la laine des brebis",
        description="Filière laine locale.",
        sectors=("laine-textile",),
        country="FR",
    )
    closed_to_fr = ChallengeProfile(
        id="qc",
        title="Avis aux résidents par courriel",
        eligible_countries=("CA-QC",),
    )
    ranked = rank_challenges(RELEVANT, [other, CHALLENGE, closed_to_fr])
    # "other" shares no word with the organisation: gated, it would score 0 and is left out.
    assert [c.id for c, _r in ranked] == ["c"]
    challenge, best = ranked[0]
    assert best.features["lexical"] == 1.0
    assert any(r.code == "synonyms" for r in best.reasons)
    assert rank_challenges(RELEVANT, [closed_to_fr]) == []
    # Without the gate, structured signals count alone: every eligible challenge is scored.
    ungated = rank_challenges(RELEVANT, [other, CHALLENGE, closed_to_fr], weights=Weights(gate=0))
    assert [c.id for c, _r in ungated] == ["c", "other"]


def test_a_challenge_corpus_ranks_as_the_list_and_honours_exclusions():
    """A corpus built once (as the adapter keeps it) gives the same ranking as the list, only
    the challenges sharing a word are scored, and excluded ids are left out."""
    challenges = [
        ChallengeProfile(id=n, title=title, description=text, country="FR")
        for n, (title, text) in enumerate(
            [
                ("Prévenir les habitants par courriel", "Avis de travaux et de coupures."),
                ("Valoriser la laine des brebis", "Filière laine locale."),
                ("Alerter les résidents par SMS", "Messages aux habitants inscrits."),
                ("Compter les visiteurs", "Fréquentation des sentiers."),
            ]
        )
    ]
    corpus = challenge_corpus(challenges)
    assert corpus.postings  # token key -> challenges holding it
    from_list = rank_challenges(RELEVANT, challenges)
    from_corpus = rank_challenges(RELEVANT, corpus=corpus)
    assert [(c.id, r.score) for c, r in from_corpus] == [(c.id, r.score) for c, r in from_list]
    assert from_corpus and all(r.score > 0 for _c, r in from_corpus)
    assert 1 not in [c.id for c, _r in from_corpus]  # the wool challenge shares no word
    kept = rank_challenges(RELEVANT, corpus=corpus, exclude=[from_corpus[0][0].id])
    assert from_corpus[0][0].id not in [c.id for c, _r in kept]


def test_a_related_terms_reason_never_pairs_a_word_with_itself():
    """A synonym group matched through the same word on both sides is reported as a shared
    term ("courriel"), and only different words as related terms ("courriel ≈ e-mail")."""
    same_word = Candidate(
        id="same",
        name="Courriel Express",
        kind="startup",
        country="CA-QC",
        description="Envoi de courriels et de texto aux résidents lors d'un avis d'ébullition.",
        sectors=("numerique",),
    )
    found = rank(CHALLENGE, [same_word, RELEVANT, LOOK_ALIKE, *FILLER])
    for recommendation in found:
        for reason in recommendation.reasons:
            if reason.code == "synonyms":
                assert all(a.lower() != b.lower() for a, b in reason.params["pairs"]), reason
                # nor a word with its plural ("courriel ≈ courriels")
                assert all(
                    a.lower().rstrip("s") != b.lower().rstrip("s")
                    for a, b in reason.params["pairs"]
                ), reason
    reasons = {r.candidate.id: r.reasons for r in found}
    assert any(
        reason.code == "terms" and "courriel" in [t.lower() for t in reason.params["terms"]]
        for reason in reasons["same"]
    )


def test_a_limited_list_of_challenges_is_the_head_of_the_full_ranking():
    """With a limit, scoring stops early (a bound on the other signals), yet the list is
    exactly the first entries of the full ranking, ties included."""
    import random

    rng = random.Random(3)
    words = [
        "courriel", "avis", "habitants", "laine", "brebis", "comptage", "visiteurs",
        "sentiers", "éclairage", "stationnement", "eau", "travaux", "collecte", "déchets",
    ]  # fmt: skip
    sectors = ["numerique", "tourisme", "environnement", "energie"]
    challenges = [
        ChallengeProfile(
            id=n,
            title=" ".join(rng.sample(words, 3)),
            description=" ".join(rng.choices(words, k=12)),
            sectors=tuple(rng.sample(sectors, rng.choice([0, 1, 2]))),
            country=rng.choice(["FR", "CA-QC"]),
        )
        for n in range(300)
    ]
    corpus = challenge_corpus(challenges)
    for organisation in (RELEVANT, replace(RELEVANT, sectors=("tourisme",), country="CA-QC")):
        full = rank_challenges(organisation, corpus=corpus)
        for limit in (1, 5, 20):
            head = rank_challenges(organisation, corpus=corpus, limit=limit)
            assert [(c.id, r.score) for c, r in head] == [(c.id, r.score) for c, r in full[:limit]]


@pytest.mark.parametrize("directory", [BLIND, UNSEEN, AFTER_SCENE, FOURTH, FIFTH])
def test_ranker_beats_the_baseline_on_the_blind_sets(directory):
    """On the sets written without reading the ranker, above plain BM25 (on the first it was
    below, 0.748 against 0.786, while "already served the issuer" weighed 0.20; the second
    was written after that change, the third after the scene, the fourth on 2026-11-29)."""
    bench = dataset.load(directory)
    candidates = [dataset.candidate_from(r) for r in bench.organisations]
    ours, base = {}, {}
    for record in bench.challenges:
        challenge = dataset.challenge_from(record)
        ours[challenge.id] = ids(rank(challenge, candidates))
        base[challenge.id] = ids(bm25_baseline(challenge, candidates))
    ndcg = metrics.evaluate(ours, bench.qrels)["ndcg@10"]
    assert ndcg > metrics.evaluate(base, bench.qrels)["ndcg@10"] + 0.02


def test_meaning_improves_the_lists_of_challenges_on_unseen_sets():
    """Challenges for an organisation: the held-out sets' 52 challenges pooled as the open
    calls; every organisation with a relevant challenge ranks them all. With meaning the
    lists are better than without, and both are above the reversed plain BM25."""
    benches = [dataset.load(d) for d in (HELDOUT, BLIND, UNSEEN, AFTER_SCENE, FOURTH, FIFTH)]
    challenges = [dataset.challenge_from(r) for b in benches for r in b.challenges]
    variants = {
        "meaning": (DEFAULT_WEIGHTS, None),
        "words": (replace(DEFAULT_WEIGHTS, semantic=0.0), None),
        "bm25": (BASELINE_WEIGHTS, Thesaurus()),
    }
    scores = {}
    for label, (weights, thesaurus) in variants.items():
        corpus = challenge_corpus(challenges, weights=weights, thesaurus=thesaurus)
        ranked, judged = {}, {}
        for bench in benches:
            rankings, judgements = dataset.challenge_rankings(
                bench, corpus, weights=weights, thesaurus=thesaurus
            )
            ranked.update(rankings)
            judged.update(judgements)
        scores[label] = metrics.evaluate(ranked, judged)["ndcg@10"]
    assert scores["meaning"] > scores["words"] + 0.02, scores  # 0.855 and 0.818, 2026-11-29
    assert scores["words"] > scores["bm25"] + 0.02, scores  # BM25: 0.763


SHELLS = ChallengeProfile(
    id="shells",
    title="Trouver un débouché aux coquilles",
    description=(
        "Sur l'étang, quarante ostréiculteurs élèvent des huîtres et des moules en tables. "
        "Chaque année, des tonnes de coquilles vides partent à la décharge. "
        "La ville veut les valoriser près d'ici au lieu de les enfouir."
    ),
    sectors=("eau-dechets",),
    country="FR",
)
OYSTER_FARM = Candidate(
    id="farm",
    name="Huîtres de l'étang",
    kind="pme",
    country="FR",
    description="Ostréiculteurs de l'étang depuis trois générations : huîtres et moules en "
    "tables, vente directe.",
    offers=("Huîtres creuses", "Moules de l'étang"),
    sectors=("agriculture-alimentation", "eau-dechets"),
)
SHELL_RECYCLER = Candidate(
    id="recycler",
    name="Nacre Circulaire",
    kind="startup",
    country="FR",
    description="Nous broyons les déchets conchylicoles pour en faire un amendement calcaire "
    "et des granulats pour les sentiers.",
    offers=("Valorisation des coquilles", "Amendement calcaire"),
    sectors=("eau-dechets",),
)


def test_the_scene_weighs_less_than_the_need():
    """The opening sentence sets the scene (oyster farmers on the lagoon): the oyster farm
    shares its words, the shell recycler answers the need. Without the scene rule the farm
    is first."""
    plain = replace(DEFAULT_WEIGHTS, scene=1.0, scene_contrast=0.0)
    assert ids(rank(SHELLS, [OYSTER_FARM, SHELL_RECYCLER, *FILLER], weights=plain))[0] == "farm"
    ranked = rank(SHELLS, [OYSTER_FARM, SHELL_RECYCLER, *FILLER])
    assert ids(ranked)[:2] == ["recycler", "farm"]


def test_the_scene_is_the_context_or_the_opening_sentence_of_a_longer_statement():
    assert scene_and_statement(SHELLS, DEFAULT_WEIGHTS) == (
        "Sur l'étang, quarante ostréiculteurs élèvent des huîtres et des moules en tables.",
        "Chaque année, des tonnes de coquilles vides partent à la décharge. "
        "La ville veut les valoriser près d'ici au lieu de les enfouir.",
    )
    short = replace(SHELLS, description="Des coquilles partent à la décharge. Les valoriser.")
    assert scene_and_statement(short, DEFAULT_WEIGHTS) == ("", short.description)
    given = replace(SHELLS, context="Quarante ostréiculteurs.")
    assert scene_and_statement(given, DEFAULT_WEIGHTS) == (
        "Quarante ostréiculteurs.",
        SHELLS.description,
    )
    plain = replace(DEFAULT_WEIGHTS, scene=1.0, scene_contrast=0.0)
    assert scene_and_statement(SHELLS, plain) == ("", SHELLS.description)
    # the challenge's meaning moves away from the scene's, and stays of unit length
    vector = challenge_vector(SHELLS)
    assert abs(float((vector**2).sum()) - 1.0) < 1e-5
    assert (challenge_vector(SHELLS, plain) != vector).any()
