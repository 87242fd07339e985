"""Text analysis of matching: folding and stemming as the search index, synonym concepts."""

import pytest

from mediane.matching.text import (
    RELATED,
    SYNONYM,
    analyse,
    load_thesaurus,
    parse_thesaurus,
    stem_phrase,
)
from mediane.search.query import stems


def keys(text, thesaurus=None):
    return [token.key for token in analyse(text, thesaurus)]


def test_plain_words_are_stemmed_like_the_search_index():
    empty = parse_thesaurus([])
    assert keys("Énergie renouvelable des bâtiments", empty) == stems(
        "Énergie renouvelable bâtiments"
    )


def test_numbers_and_fillers_are_dropped():
    assert keys("13 000 habitants et plusieurs ans", parse_thesaurus([])) == stems("habitants ans")


def test_synonym_phrases_become_one_shared_token():
    thesaurus = parse_thesaurus(["courriel, e-mail, adresse électronique"])
    group = next(iter(thesaurus.groups))
    assert keys("un courriel", thesaurus) == [group]
    assert keys("un e-mail", thesaurus)[0] == group
    assert keys("son adresse électronique", thesaurus) == [group, *stems("adresse électronique")]
    assert keys("une adresse postale", thesaurus) == stems("adresse postale")


def test_related_terms_add_a_weaker_token_and_keep_the_word():
    thesaurus = parse_thesaurus(["~ foule, affluence"])
    (group,) = thesaurus.groups
    assert group.startswith(RELATED)
    assert keys("la foule", thesaurus) == [group, *stems("foule")]


def test_parse_rejects_a_group_of_one_term():
    with pytest.raises(ValueError, match="line 2"):
        parse_thesaurus(["# comment", "courriel"])


def test_proper_nouns_are_flagged_inside_sentences_only():
    tokens = analyse("Les pèlerins arrivent à Lourdes. Gare pleine, comme la DEL.")
    proper = {t.surface: t.proper for t in tokens}
    assert proper["Lourdes"] is True
    assert proper["Gare"] is False  # starts a sentence
    assert proper.get("DEL", False) is False  # an acronym is a term


def test_project_list_loads_with_the_france_quebec_pairs():
    thesaurus = load_thesaurus()
    pairs = [
        ("courriel", "email"),
        ("achalandage", "fréquentation"),
        ("DEL", "LED"),
        ("MRC", "intercommunalité"),
        ("stationnement", "parking"),
        ("texto", "SMS"),
    ]
    for left, right in pairs:
        (a,) = [t.key for t in analyse(left, thesaurus) if t.key.startswith(SYNONYM)]
        (b,) = [t.key for t in analyse(right, thesaurus) if t.key.startswith(SYNONYM)]
        assert a == b, (left, right)


def test_every_phrase_of_the_list_keeps_words():
    for group in load_thesaurus().groups.values():
        for phrase in group.phrases:
            assert stem_phrase(phrase), phrase
