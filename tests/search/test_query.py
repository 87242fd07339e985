"""The query parser and text processing, alone (no database)."""

from __future__ import annotations

import pytest

from mediane.search.query import (
    MAX_TERMS,
    normalize,
    parse_query,
    raw_text,
    stem,
    stemmed_text,
    words,
)


def test_normalize_lowers_and_strips_accents():
    assert normalize("ÉnErGie Québec cœur") == "energie quebec coeur"


def test_words_split_on_punctuation_apostrophes_and_underscores():
    assert words("L'innovation, c'est_ça ! Made-in-Pyrénées") == [
        "l",
        "innovation",
        "c",
        "est",
        "ca",
        "made",
        "in",
        "pyrenees",
    ]


def test_plural_and_singular_share_a_stem():
    assert stem("laines") == stem("laine")
    assert stem("innovations") == stem("innovation")
    assert stem(normalize("Énergie")) == stem("energie")


def test_stemmed_text_drops_stop_words():
    assert stemmed_text("La laine des Pyrénées") == f"{stem('laine')} {stem('pyrenees')}"
    assert raw_text("La laine des Pyrénées") == "la laine des pyrenees"


def test_last_word_is_a_prefix_while_typing():
    parsed = parse_query("tourisme numér")
    assert [(t.word, t.prefix) for t in parsed.terms] == [("tourisme", False), ("numer", True)]


def test_trailing_space_ends_the_prefix():
    parsed = parse_query("numérique ")
    assert [t.prefix for t in parsed.terms] == [False]


def test_prefix_last_can_be_disabled():
    assert not any(t.prefix for t in parse_query("numér", prefix_last=False).terms)


def test_all_prefixes_for_autocomplete_keep_stop_words():
    parsed = parse_query("ville de", all_prefixes=True)
    assert [(t.word, t.prefix) for t in parsed.terms] == [("ville", True), ("de", True)]


def test_stop_words_alone_give_an_empty_query():
    assert not parse_query("le la les ", prefix_last=True)
    assert not parse_query("")
    assert not parse_query("   ")


def test_one_letter_last_word_is_not_a_prefix():
    parsed = parse_query("laine x")
    assert [(t.word, t.prefix) for t in parsed.terms] == [("laine", False), ("x", False)]


@pytest.mark.parametrize(
    "text",
    ['"laine', "a AND (", "*", "NEAR(a b)", "title:foo", "^x", "-", "'; DROP TABLE x; --", "\x00"],
)
def test_operators_and_punctuation_become_plain_words(text):
    for term in parse_query(text).terms:
        assert term.word.isalnum()
        assert term.stem.isalnum()


def test_duplicates_removed_and_terms_bounded():
    parsed = parse_query("laine laine " + " ".join(f"mot{i}" for i in range(50)))
    assert [t.word for t in parsed.terms].count("laine") == 1
    assert len(parsed.terms) == MAX_TERMS


def test_very_long_words_are_cut():
    (term,) = parse_query("a" * 500, prefix_last=False).terms
    assert len(term.word) == 40


def test_decomposed_accents_stay_in_one_word():
    assert words("E\u0301nergie cre\u0301e\u0301e") == ["energie", "creee"]
