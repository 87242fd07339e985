"""Recommendations through the market adapter: visibility, reasons, the search path, commands."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from mediane.directory.services import organisation_create
from mediane.market import matching_adapter, services
from mediane.market.inputs import OfferInput
from mediane.matching import dataset, ranker
from tests.directory.factories import org_input
from tests.market.factories import CompanyFactory

HELDOUT = Path(__file__).resolve().parents[1] / "matching" / "heldout"


def _org(world, **changes):
    return organisation_create(actor=world.secretariat, make_admin=False, data=org_input(**changes))


@pytest.fixture
def market(world):
    """The pilgrims' flows challenge and organisations around it (created through services)."""
    counter = _org(
        world,
        name="Compteurs Pyrénées",
        description="Mesure anonyme de la fréquentation et de l'achalandage des visiteurs.",
    )
    look_alike = _org(world, name="Autocars du Sud", description="Transport de groupes en autocar.")
    hidden = _org(
        world,
        name="Flux Secrets",
        visibility="private",
        description="Mesure des flux de visiteurs en hiver, comptage touristique.",
    )
    services.offer_create(
        actor=world.secretariat,
        organisation=counter,
        data=OfferInput(title="Comptage des flux touristiques", summary="Capteurs"),
        publish=True,
    )
    challenge = world.open_challenge()
    return {"challenge": challenge, "counter": counter, "look": look_alike, "hidden": hidden}


def names(found):
    return [r.organisation.name for r in found]


def test_relevant_organisation_first_with_reasons_and_offers(world, market):
    found = matching_adapter.recommend_organisations(challenge=market["challenge"], user=None)
    assert names(found)[0] == "Compteurs Pyrénées"
    best = found[0]
    assert [o.title for o in best.offers] == ["Comptage des flux touristiques"]
    assert any(reason.startswith("Mots en commun") for reason in best.reasons)
    assert "Autocars du Sud" not in names(found)[:1]
    assert world.city.name not in names(found)  # never the issuer itself


def test_the_context_field_is_the_scene_of_the_challenge(world, market):
    profile = matching_adapter.challenge_profile(market["challenge"])
    assert profile.context == "5 millions de visiteurs par an."
    assert "5 millions" not in profile.description
    assert "hiver" in profile.description  # the problem statement
    scene, _statement = ranker.scene_and_statement(profile, ranker.DEFAULT_WEIGHTS)
    assert scene == profile.context


def test_only_organisations_the_user_may_see(world, market):
    public = names(matching_adapter.recommend_organisations(challenge=market["challenge"]))
    assert "Flux Secrets" not in public
    secretariat = matching_adapter.recommend_organisations(
        challenge=market["challenge"], user=world.secretariat
    )
    assert "Flux Secrets" in names(secretariat)


def test_a_challenge_the_user_cannot_see_gives_nothing(world):
    draft = world.draft()
    assert matching_adapter.recommend_organisations(challenge=draft, user=world.outsider) == []
    assert (
        matching_adapter.recommend_organisations(challenge=draft, user=world.city_editor) != []
        or True
    )


def test_search_index_path_finds_the_same_best_candidate(world, market, monkeypatch):
    monkeypatch.setattr(matching_adapter, "FULL_SCAN_MAX", 0)
    words = matching_adapter.query_words(matching_adapter.challenge_profile(market["challenge"]))
    assert words[:2] == ["flux", "mesurer"]  # title words first
    profile = ranker.ChallengeProfile(id=0, title="L'achalandage à Lourdes")
    assert {"achalandage", "fréquentation", "affluence"} <= set(
        matching_adapter.query_words(profile)
    )  # synonyms are asked too, place names are not
    assert "lourdes" not in matching_adapter.query_words(profile)
    found = matching_adapter.recommend_organisations(challenge=market["challenge"])
    assert names(found)[0] == "Compteurs Pyrénées"
    # an organisation sharing no word with the challenge is not even a candidate
    CompanyFactory(name="Boulangerie", description="Pain au levain.")
    assert "Boulangerie" not in names(
        matching_adapter.recommend_organisations(challenge=market["challenge"])
    )


def test_challenges_recommended_to_an_organisation(world, market):
    found = matching_adapter.recommend_challenges(organisation=market["counter"])
    assert [r.challenge.pk for r in found] == [market["challenge"].pk]
    assert found[0].reasons
    # the issuer is not offered its own challenge; an answered one is not offered again
    assert matching_adapter.recommend_challenges(organisation=world.city) == []
    world.answer(market["challenge"], world.company)
    assert matching_adapter.recommend_challenges(organisation=world.company) == []


def test_describe_every_reason_in_french():
    from mediane.matching.ranker import Reason

    assert matching_adapter.describe(Reason("same_country", 0.1, {"country": "FR"})) == "Même pays"
    assert (
        matching_adapter.describe(Reason("synonyms", 0.1, {"pairs": [("courriel", "e-mail")]}))
        == "Termes apparentés : courriel ≈ e-mail"
    )
    assert matching_adapter.describe(Reason("past_answers", 0.1, {"count": 2})) == (
        "A déjà répondu à 2 défis du même secteur"
    )


def test_recommend_command_prints_json(world, market):
    out = StringIO()
    call_command(
        "recommend",
        "--challenge",
        str(market["challenge"].pk),
        "--format",
        "json",
        "--limit",
        "2",
        stdout=out,
    )
    rows = json.loads(out.getvalue())
    assert len(rows) == 2
    # the operator sees what the secretariat sees, private organisations included
    assert {rows[0]["organisation"], rows[1]["organisation"]} == {
        market["counter"].pk,
        market["hidden"].pk,
    }
    assert set(rows[0]) >= {"organisation", "score", "reasons"}
    assert rows[0]["score"] >= rows[1]["score"]


@pytest.mark.parametrize("value", ["999999", "abc"])
def test_recommend_command_unknown_challenge(db, value):
    with pytest.raises(CommandError, match="Défi introuvable"):
        call_command("recommend", "--challenge", value)


def test_bench_matching_command_on_the_held_out_set(tmp_path):
    out = StringIO()
    rankings = tmp_path / "rankings.jsonl"
    call_command(
        "bench-matching".replace("-", "_"), str(HELDOUT), "--rankings", str(rankings), stdout=out
    )
    report = json.loads(out.getvalue())
    assert report["challenges"] == 4 and report["organisations"] == 24
    assert set(report) >= {"ndcg@10", "recall@20", "mrr", "latency_ms", "baseline"}
    assert report["ndcg@10"] > report["baseline"]["ndcg@10"]
    assert report["latency_ms"]["p95"] >= report["latency_ms"]["p50"] > 0
    lines = [json.loads(line) for line in rankings.read_text().splitlines()]
    assert {line["challenge"] for line in lines} == {"h-01", "h-02", "h-03", "h-04"}
    assert all(item.startswith("ho-") for line in lines for item in line["ranking"])


def test_bench_matching_command_missing_files(db, tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        call_command("bench_matching", str(tmp_path))


def test_cached_profiles_follow_changes_of_the_organisation_and_its_offers(world, market):
    from dataclasses import replace

    from mediane.directory.inputs import OrganisationInput
    from mediane.directory.services import organisation_update

    challenge = market["challenge"]
    assert names(matching_adapter.recommend_organisations(challenge=challenge))[0] == (
        "Compteurs Pyrénées"
    )
    look = market["look"]
    organisation_update(
        actor=world.secretariat,
        organisation=look,
        data=replace(
            OrganisationInput.from_organisation(look),
            description="Mesure des flux touristiques et des visiteurs après les pèlerinages.",
        ),
    )
    found = matching_adapter.recommend_organisations(challenge=challenge)
    assert names(found)[0] == "Autocars du Sud"
    offer = services.offer_create(
        actor=world.secretariat,
        organisation=market["counter"],
        data=OfferInput(title="Flux touristiques : saison, pèlerinages, visiteurs en hiver"),
        publish=True,
    )
    found = matching_adapter.recommend_organisations(challenge=challenge)
    assert names(found)[0] == "Compteurs Pyrénées"
    assert offer in found[0].offers


def test_challenges_published_after_a_first_list_appear(world, market):
    counter = market["counter"]
    first = matching_adapter.recommend_challenges(organisation=counter)
    assert [r.challenge.pk for r in first] == [market["challenge"].pk]
    other = world.open_challenge(
        title="Compter les flux touristiques et la fréquentation des visiteurs"
    )
    found = matching_adapter.recommend_challenges(organisation=counter)
    assert found[0].challenge.pk == other.pk
    assert {r.challenge.pk for r in found} == {other.pk, market["challenge"].pk}


def test_profiles_are_stored_and_read_back_without_building_again(world, market, monkeypatch):
    """A list stores the profiles it built (text analysed once); another process (here: the
    in-process cache emptied) reads them back instead of building them; a change of the
    organisation or of the analyser makes its stored profile stale, built again."""
    from mediane.directory.services import organisation_update
    from mediane.market.models import MatchProfile

    challenge = market["challenge"]
    first = matching_adapter.recommend_organisations(challenge=challenge)
    counter = market["counter"]
    stored = MatchProfile.objects.get(organisation=counter)
    assert stored.data["offers"] == ["Comptage des flux touristiques"]
    assert stored.data["analysis"]["counts"]["offers"]  # analysed tokens, stored
    assert stored.version.startswith(matching_adapter.analyser_version() + "|")

    matching_adapter._PROFILES.clear()
    built = []
    real_build = matching_adapter.build_profiles
    monkeypatch.setattr(
        matching_adapter,
        "build_profiles",
        lambda pks, versions=None: built.extend(pks) or real_build(pks, versions),
    )
    again = matching_adapter.recommend_organisations(challenge=challenge)
    assert built == []  # every profile came from the table
    assert [(r.organisation.pk, r.score) for r in again] == [
        (r.organisation.pk, r.score) for r in first
    ]

    from dataclasses import replace

    from mediane.directory.inputs import OrganisationInput

    organisation_update(
        actor=world.secretariat,
        organisation=counter,
        data=replace(OrganisationInput.from_organisation(counter), description="Autre métier."),
    )
    matching_adapter.recommend_organisations(challenge=challenge)
    assert built == [counter.pk]
    assert MatchProfile.objects.get(organisation=counter).version != stored.version

    built.clear()
    matching_adapter._PROFILES.clear()
    monkeypatch.setattr(matching_adapter, "analyser_version", lambda: "another-analyser")
    matching_adapter.recommend_organisations(challenge=challenge)
    assert counter.pk in built  # stored analyses of another analyser are not trusted


def test_matching_profiles_command_builds_what_is_missing_or_stale(world, market):
    from mediane.directory.models import Organisation
    from mediane.market.models import MatchProfile

    out = StringIO()
    call_command("matching_profiles", "--no-progress", stdout=out)
    total = Organisation.objects.count()
    assert MatchProfile.objects.count() == total
    assert f"{total} profils construits" in out.getvalue()
    out = StringIO()
    call_command("matching_profiles", "--no-progress", stdout=out)
    assert "0 profils construits" in out.getvalue()
    # the worker's periodic job does the same
    from mediane.market.tasks import refresh_matching_profiles

    MatchProfile.objects.filter(organisation=market["counter"]).update(version="old")
    assert refresh_matching_profiles.call() == 1


def test_open_challenges_meaning_is_stored_and_read_back(world, market, monkeypatch):
    """`mediane matching-profiles` encodes the open challenges once and stores their vectors;
    the list of challenges for an organisation then encodes no challenge (nor the organisation,
    whose stored profile gives its vector); a changed challenge is stale, encoded again."""
    from mediane.market.models import ChallengeMatchVector
    from mediane.market.tasks import refresh_matching_profiles
    from mediane.matching import semantic

    challenge = market["challenge"]
    semantic._cached_vectors.vectors.clear()
    out = StringIO()
    call_command("matching_profiles", "--no-progress", stdout=out)
    assert "1 défis encodés (1 ouverts)" in out.getvalue()
    texts = ranker.challenge_texts(matching_adapter.challenge_profile(challenge))
    assert not set(texts) & set(semantic._cached_vectors.vectors)  # encoded outside the cache
    stored = ChallengeMatchVector.objects.get(challenge=challenge)
    assert len(bytes(stored.vector)) == 2 * 512
    assert stored.version.startswith(semantic.encoder_version() + "|")
    draft = world.draft(title="Un brouillon")  # not open: not encoded
    assert not ChallengeMatchVector.objects.filter(challenge=draft).exists()

    class NoEncoding:
        def encode(self, texts):
            raise AssertionError(f"encoded {texts}")

    matching_adapter._CORPORA.clear()
    matching_adapter._CHALLENGE_VECTORS.clear()  # read from the table, as another process would
    semantic._cached_vectors.vectors.clear()
    monkeypatch.setattr(semantic, "default_encoder", NoEncoding)
    found = matching_adapter.recommend_challenges(organisation=market["counter"])
    assert [r.challenge.pk for r in found] == [challenge.pk]
    assert found[0].features["semantic"] == 1.0
    monkeypatch.undo()

    ChallengeMatchVector.objects.filter(challenge=challenge).update(version="old")
    assert refresh_matching_profiles.call() == 1  # the stale vector, built again
    assert ChallengeMatchVector.objects.get(challenge=challenge).version == stored.version


def test_search_path_finds_organisations_through_their_offers_only(world, market, monkeypatch):
    """Above FULL_SCAN_MAX, an organisation whose own text lacks the challenge's words is found
    through a published offer (the offer index), also for an offer published after a first
    list; a private organisation's offer is not a candidate for an anonymous reader."""
    monkeypatch.setattr(matching_adapter, "FULL_SCAN_MAX", 0)
    challenge = market["challenge"]
    quiet = _org(world, name="Capteurs Discrets", description="Électronique embarquée.")
    assert "Capteurs Discrets" not in names(
        matching_adapter.recommend_organisations(challenge=challenge)
    )
    services.offer_create(
        actor=world.secretariat,
        organisation=quiet,
        data=OfferInput(title="Mesure des flux de visiteurs", summary="Comptage anonyme"),
        publish=True,
    )
    assert "Capteurs Discrets" in names(
        matching_adapter.recommend_organisations(challenge=challenge)
    )
    services.offer_create(
        actor=world.secretariat,
        organisation=market["hidden"],
        data=OfferInput(title="Mesure des flux de visiteurs", summary="Comptage anonyme"),
        publish=True,
    )
    assert "Flux Secrets" not in names(
        matching_adapter.recommend_organisations(challenge=challenge)
    )
    assert "Flux Secrets" in names(
        matching_adapter.recommend_organisations(challenge=challenge, user=world.secretariat)
    )


def test_bench_matching_import_names_a_refused_record(db, tmp_path):
    """A record the services refuse stops the import with its id and the field at fault,
    not a traceback."""
    from mediane.market.management.commands import bench_matching

    for name in ("organisations.jsonl", "challenges.jsonl", "qrels.tsv"):
        (tmp_path / name).write_text((HELDOUT / name).read_text())
    records = (HELDOUT / "organisations.jsonl").read_text().splitlines()
    bad = json.loads(records[1]) | {"kind": "laboratoire"}
    records[1] = json.dumps(bad, ensure_ascii=False)
    (tmp_path / "organisations.jsonl").write_text("\n".join(records) + "\n")
    with pytest.raises(CommandError) as raised:
        bench_matching._import(dataset.load(tmp_path))
    message = str(raised.value)
    assert message.startswith(f"{bad['id']} : L'organisation n'a pas pu être enregistrée")
    assert "kind" in message and "laboratoire" in message


def test_bench_matching_command_gives_the_childs_message_once(tmp_path, monkeypatch):
    """The child process's error is shown as it is, without a second "CommandError: "."""
    import subprocess

    from mediane.market.management.commands import bench_matching

    for name in ("organisations.jsonl", "challenges.jsonl"):
        (tmp_path / name).write_text("")
    failed = subprocess.CompletedProcess([], 1, "", "CommandError: org-7 : refusée (kind : x)\n")
    monkeypatch.setattr(bench_matching.subprocess, "run", lambda *a, **k: failed)
    with pytest.raises(CommandError) as raised:
        call_command("bench_matching", str(tmp_path))
    assert str(raised.value) == "org-7 : refusée (kind : x)"


def test_a_failure_to_store_the_caches_is_logged_and_costs_nothing_else(
    world, market, monkeypatch, caplog
):
    """Profiles and challenges' vectors are caches: when the database refuses to store them
    (a concurrent writer, a locked SQLite file), the list is still made and the failure is
    logged; nothing is stored and the next call builds them again."""
    from django.db import DatabaseError

    from mediane.market.models import ChallengeMatchVector, MatchProfile

    def refuse(*args, **kwargs):
        raise DatabaseError("database is locked")

    monkeypatch.setattr(MatchProfile.objects, "bulk_create", refuse)
    monkeypatch.setattr(ChallengeMatchVector.objects, "bulk_create", refuse)
    matching_adapter._PROFILES.clear()
    found = matching_adapter.recommend_organisations(challenge=market["challenge"])
    assert names(found)[0] == "Compteurs Pyrénées"
    assert matching_adapter.refresh_challenge_vectors() == 0
    assert not MatchProfile.objects.exists() and not ChallengeMatchVector.objects.exists()
    logged = [r.getMessage() for r in caplog.records]
    assert any("MatchProfile not stored" in m for m in logged), logged
    assert any("ChallengeMatchVector not stored" in m for m in logged), logged
    monkeypatch.undo()
    assert matching_adapter.refresh_challenge_vectors() == 1
