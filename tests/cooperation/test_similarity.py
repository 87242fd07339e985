"""The similarity alone (no database): ranking with reasons, thresholds, greedy groups."""

from mediane.cooperation.similarity import Corpus, Need, group_needs


def need(id, title, body="", sectors=(), org=1, members=(), kind="project"):  # type: ignore[no-untyped-def]
    return Need(
        kind, id, title, body, tuple(sectors), org, f"Ville {org}", members=frozenset(members)
    )


NEEDS = [
    need(1, "Navettes électriques vers la gare", "Relier la gare au centre", ["mobilite"], org=1),
    need(
        2,
        "Bus électriques pour les visiteurs",
        "Des navettes électriques gare centre",
        ["mobilite"],
        org=2,
    ),
    need(3, "Compostage des biodéchets", "Collecte des déchets verts", ["environnement"], org=3),
    need(
        4,
        "Navettes électriques hivernales",
        "Navettes par grand froid",
        ["mobilite"],
        org=4,
        members=[1],
    ),
]


def test_similar_ranks_other_organisations_with_shared_terms_and_sectors():
    corpus = Corpus(NEEDS)
    matches = corpus.similar(
        title="Navette électrique", body="gare", sectors=["mobilite"], exclude_organisation=1
    )
    ids = [m.need.id for m in matches]
    assert 1 not in ids and 4 not in ids  # its own need, and one it takes part in
    assert ids == [2]
    assert {"gare", "navettes"} <= set(matches[0].shared_terms) or "gare" in matches[0].shared_terms
    assert matches[0].shared_sectors == ("mobilite",)
    assert 0 < matches[0].score <= 1


def test_sectors_alone_match_only_when_nothing_is_written():
    corpus = Corpus(NEEDS)
    # Only a sector chosen: needs of that very sector.
    assert {m.need.id for m in corpus.similar(title="", sectors=["mobilite"])} == {1, 2, 4}
    # A related sector alone (environnement ~ mobilité) is not enough.
    assert [m.need.id for m in corpus.similar(title="", sectors=["energie"])] == []
    # Written text sharing nothing: no match, whatever the sector.
    assert corpus.similar(title="Tri sélectif", sectors=["mobilite"]) == []


def test_groups_join_organisations_but_never_one_with_itself():
    groups = group_needs(NEEDS)
    assert len(groups) == 1
    ids = {n.id for n in groups[0].needs}
    assert {1, 2} <= ids and 3 not in ids
    assert not ({1, 4} <= ids)  # Ville 1 is a partner of need 4: no pooling with oneself
    assert group_needs([NEEDS[0], NEEDS[2]]) == []
