"""The semantic feature: closeness in meaning, its normalisation, reason, cache and encoder."""

from dataclasses import replace

import numpy as np
import pytest

from mediane.matching import semantic
from mediane.matching.ranker import (
    Candidate,
    ChallengeProfile,
    Weights,
    bm25_baseline,
    rank,
    rank_challenges,
)

CONCEPTS = {
    "people": ("personnes", "piéton", "passants", "foule"),
    "cars": ("automobile", "moteur", "garage"),
    "cheese": ("fromage", "lait"),
}


class FakeEncoder:
    """One dimension per concept (and one for anything else): texts naming the same concept
    with different words get the same direction."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts):
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            low = text.lower()
            row = [sum(low.count(w) for w in words) for words in CONCEPTS.values()]
            row.append(0.2)
            vector = np.array(row, dtype=np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows)


class FailingEncoder:
    def encode(self, texts):
        raise AssertionError("no text should be encoded")


CHALLENGE = ChallengeProfile(
    id="c",
    title="Savoir combien de personnes dans chaque quartier",
    description="Le samedi, nous ne savons pas où se trouvent les gens au centre-ville.",
    country="FR",
)
MEANING = Candidate(
    id="meaning",
    name="Flux Urbains",
    kind="startup",
    country="FR",
    description="Capteurs anonymes. Densité piétonne heure par heure.",
    offers=("Installation de capteurs", "Tableau de bord des passants"),
)
CARS = Candidate(
    id="cars", name="Garage Central", kind="pme", description="Réparation automobile, moteur."
)
CHEESE = Candidate(id="cheese", name="Fromagerie", kind="pme", description="Fromage au lait cru.")


def ids(recommendations):
    return [r.candidate.id for r in recommendations]


def test_normalised_takes_the_floor_off_and_divides_by_the_best():
    cosines = [0.7, 0.45, 0.3, 0.25, 0.2, 0.1, 0.0]  # median 0.25: the floor stays 0.2
    assert semantic.normalised(cosines, floor=0.2) == pytest.approx(
        [1.0, 0.5, 0.2, 0.1, 0.0, 0.0, 0.0]
    )
    # short texts: cosines all low, the median is the floor
    assert semantic.normalised([0.1, 0.0, -0.05], floor=0.2) == pytest.approx([1.0, 0.0, 0.0])
    assert semantic.normalised([0.1, 0.1], floor=0.2) == [0.0, 0.0]
    assert semantic.normalised([], floor=0.2) == []


def test_meaning_ranks_an_organisation_sharing_no_word_first_and_says_why():
    encoder = FakeEncoder()
    ranked = rank(CHALLENGE, [CARS, CHEESE, MEANING], encoder=encoder)
    assert ids(ranked)[0] == "meaning"
    best = ranked[0]
    assert best.features["lexical"] == 0.0
    assert best.features["semantic"] == 1.0
    assert best.score > 0
    reason = next(r for r in best.reasons if r.code == "semantic")
    # the offer closest in meaning to the challenge is named
    assert reason.params == {"text": "Tableau de bord des passants"}
    assert best.reasons[0] == reason  # the largest contribution
    assert all(r.features["semantic"] == 0.0 for r in ranked[1:])
    assert not any(r.code == "semantic" for rec in ranked[1:] for r in rec.reasons)


def test_without_offers_the_reason_names_the_closest_sentence():
    no_offers = Candidate(**{**MEANING.__dict__, "id": "plain", "offers": ()})
    (result,) = rank(CHALLENGE, [no_offers], encoder=FakeEncoder())
    reason = next(r for r in result.reasons if r.code == "semantic")
    assert reason.params == {"text": "Densité piétonne heure par heure."}


def test_text_score_mixes_lexical_and_semantic_by_the_semantic_weight():
    words = Candidate(
        id="words", name="Quartier", kind="startup", description="Personnes, quartier, garage."
    )
    for share in (0.2, 0.4, 1.0):
        weights = Weights(semantic=share, gate=0.0, kind=0.0, sectors=0.0, references=0.0)
        ranked = rank(CHALLENGE, [words, MEANING, CARS], weights=weights, encoder=FakeEncoder())
        result = next(r for r in ranked if r.candidate.id == "words")
        assert 0 < result.features["semantic"] < 1 == result.features["lexical"]
        text = (1 - share) * result.features["lexical"] + share * result.features["semantic"]
        assert result.score == pytest.approx(weights.lexical * text, abs=1e-5)


def test_no_text_is_encoded_without_semantic_weight_nor_for_the_baseline():
    ranked = rank(
        CHALLENGE, [CARS, MEANING], weights=Weights(semantic=0.0), encoder=FailingEncoder()
    )
    assert all("semantic" not in r.features for r in ranked)
    assert bm25_baseline(CHALLENGE, [CARS, MEANING])[0].score == 0.0


CROWDS = ChallengeProfile(
    id="crowds",
    title="Mieux connaître la fréquentation du quartier",
    description="Le samedi, combien de personnes, et à quelle heure ?",
    country="FR",
)
GARAGES = ChallengeProfile(
    id="garages",
    title="Mieux connaître la fréquentation du quartier",
    description="Moteurs automobile.",
    country="FR",
)


def test_challenges_for_an_organisation_are_ranked_by_meaning_too():
    """Two challenges with the same title: the organisation's text shares no other word with
    either, and meaning puts first the one it answers (the other, shorter, is first by words),
    with the reason naming its offer."""
    encoder = FakeEncoder()
    organisation = replace(MEANING, description="Capteurs anonymes du quartier.")
    ranked = rank_challenges(organisation, [GARAGES, CROWDS], encoder=encoder)
    assert [c.id for c, _r in ranked] == ["crowds", "garages"]
    best = ranked[0][1]
    assert best.features["semantic"] == 1.0 > ranked[1][1].features["semantic"]
    assert best.features["lexical"] < ranked[1][1].features["lexical"] == 1.0
    meaning = next(r for r in best.reasons if r.code == "semantic")
    assert meaning.params["text"] == "Tableau de bord des passants"
    # Without the semantic weight the list is lexical, and nothing is encoded.
    lexical = rank_challenges(
        organisation, [GARAGES, CROWDS], weights=Weights(semantic=0.0), encoder=FailingEncoder()
    )
    assert all("semantic" not in rec.features for _c, rec in lexical)
    assert [c.id for c, _r in lexical] == ["garages", "crowds"]


def test_challenges_beyond_the_pool_have_no_meaning_and_stored_vectors_are_used():
    encoder = FakeEncoder()
    organisation = replace(MEANING, description="Capteurs anonymes du quartier.")
    stored = {"crowds": encoder.encode(["foule"])[0]}
    vector = encoder.encode(["foule passants"])[0]
    encoder.calls.clear()
    ranked = rank_challenges(
        organisation,
        [GARAGES, CROWDS],
        encoder=encoder,
        organisation_vector=vector,
        challenge_vectors=stored,
    )
    encoded = [text for call in encoder.calls for text in call]
    assert not any("Capteurs" in text for text in encoded)  # the organisation's vector given
    assert not any("samedi" in text for text in encoded)  # the stored challenge's vector used
    assert any("Moteurs" in text for text in encoded)  # the other one encoded
    assert ranked[0][0].id == "crowds"
    # A pool of one: only the best by words (garages) is measured; the other challenge has a
    # semantic feature of 0, and words decide.
    weights = Weights(semantic_pool=1)
    one = rank_challenges(organisation, [GARAGES, CROWDS], weights=weights, encoder=encoder)
    assert [c.id for c, _r in one] == ["garages", "crowds"]
    assert one[1][1].features["semantic"] == 0.0


def test_vectors_are_cached_by_text():
    cache = semantic._VectorCache(size=2)
    encoder = FakeEncoder()
    first = cache.get(["fromage", "moteur", "fromage"], encoder)
    assert encoder.calls == [["fromage", "moteur"]]
    assert np.allclose(first[0], first[2])
    cache.get(["moteur"], encoder)
    assert len(encoder.calls) == 1
    cache.get(["foule"], encoder)  # a third text drops the least recently used ("fromage")
    assert set(cache.vectors) == {"moteur", "foule"}


def test_stored_vectors_are_used_instead_of_encoding_the_text():
    encoder = FakeEncoder()
    stored = {"meaning": semantic.unpack(semantic.pack(encoder.encode(["foule"])[0]))}
    encoder.calls.clear()
    ranked = rank(CHALLENGE, [CARS, MEANING], encoder=encoder, document_vectors=stored)
    assert ids(ranked)[0] == "meaning" and ranked[0].features["semantic"] == 1.0
    encoded = [text for call in encoder.calls for text in call]
    assert not any("Densité piétonne" in text for text in encoded)  # its text was not encoded
    assert any("Garage Central" in text for text in encoded)  # the one without a vector was


def test_pack_keeps_a_vector_in_a_kilobyte():
    vector = FakeEncoder().encode(["foule et moteur"])[0]
    data = semantic.pack(vector)
    assert len(data) == 2 * len(vector)
    assert np.allclose(semantic.unpack(data), vector, atol=1e-3)
    assert semantic.encoder_version().startswith("use-multilingual-v3/")


def test_the_packaged_encoder_understands_french_paraphrases():
    """The model ships with its package: a French paraphrase with no word in common is closer
    than a text on another subject."""
    query, paraphrase, other = semantic.vectors(
        [
            "Combien de personnes passent dans chaque quartier ?",
            "Mesure de la densité piétonne et de la fréquentation des rues",
            "Réparation de moteurs et entretien de véhicules",
        ]
    )
    assert query.shape == (512,)
    assert float(np.linalg.norm(query)) == pytest.approx(1.0, abs=1e-3)
    assert float(query @ paraphrase) > float(query @ other) + 0.1


def test_the_packaged_encoder_ranks_a_solution_described_in_other_words_first():
    ranked = rank(CHALLENGE, [CARS, CHEESE, MEANING])
    assert ids(ranked)[0] == "meaning"
    assert ranked[0].features["lexical"] == 0.0
    assert any(r.code == "semantic" for r in ranked[0].reasons)
