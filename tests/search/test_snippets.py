"""Highlighted excerpts, computed in Python."""

from __future__ import annotations

from mediane.search.query import parse_query
from mediane.search.snippets import highlight, snippet


def test_highlight_marks_stem_matches_ignoring_accents_and_case():
    parsed = parse_query("energies", prefix_last=False)
    assert highlight("Énergie & climat", parsed) == "<mark>Énergie</mark> &amp; climat"


def test_highlight_marks_prefixes():
    assert highlight("Village numérique", parse_query("numér")) == "Village <mark>numérique</mark>"


def test_snippet_escapes_html():
    parsed = parse_query("laine", prefix_last=False)
    out = snippet("<script>alert(1)</script> laine", parsed)
    assert "<script>" not in out
    assert "&lt;script&gt;" in out
    assert "<mark>laine</mark>" in out


def test_snippet_centres_on_matches_of_a_long_text():
    text = " ".join(["remplissage"] * 100 + ["filature", "de", "laine"] + ["fin"] * 100)
    out = snippet(text, parse_query("laine", prefix_last=False), size=20)
    assert "<mark>laine</mark>" in out
    assert out.startswith("… ") and out.endswith(" …")
    assert len(out.split()) < 30


def test_snippet_without_match_gives_the_start():
    out = snippet("Un texte sans rapport", parse_query("laine"))
    assert out == "Un texte sans rapport"
