"""The similar-needs panel answers each pause in typing from a cached corpus: a few cheap queries
and no text analysed again, while what each reader sees stays decided per reader, at once."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediane.cooperation import needs_index, selectors, services
from mediane.directory.models import Sector
from mediane.market import services as market
from tests.market.factories import NOW, challenge_input

pytestmark = pytest.mark.django_db


def _published_challenge(world, title: str):  # type: ignore[no-untyped-def]
    challenge = market.challenge_create(
        actor=world.partner_editor,
        lead_issuer=world.nevers,
        data=challenge_input(title=title, problem="<p>Relier la gare au centre-ville.</p>"),
        now=NOW,
    )
    market.challenge_submit(actor=world.partner_editor, challenge=challenge, now=NOW)
    market.challenge_publish(actor=world.secretariat, challenge=challenge, now=NOW)
    return challenge


def _open_project(world, title: str, **kwargs):  # type: ignore[no-untyped-def]
    project = services.project_create(
        actor=world.quebec_editor, lead=world.shawinigan, title=title, **kwargs
    )
    services.project_set_status(actor=world.quebec_editor, project=project, to="setup")
    return project


@pytest.fixture
def corpus(world):  # type: ignore[no-untyped-def]
    """Six challenges of Nevers and six projects of Shawinigan about shuttles."""
    for i in range(6):
        _published_challenge(world, f"Navettes électriques vers la gare, lot {i}")
        _open_project(world, f"Navettes partagées {i}", summary="Navettes électriques en hiver")
    return world


def _ask(client, world, title: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse("cooperation:similar"),
        {"need_kind": "project", "title": title, "summary": "gare", "lead": world.lourdes.pk},
    )


def test_a_keystroke_after_the_first_reads_no_corpus_again(
    client, corpus, django_assert_max_num_queries
):
    client.force_login(corpus.lead_editor)
    with CaptureQueriesContext(connection) as cold:
        first = _ask(client, corpus, "Navettes")
    assert first.status_code == 200 and "6 besoins semblables" in first.content.decode()
    assert needs_index.counters["needs_analysed"] >= 12
    analysed, built = needs_index.counters["needs_analysed"], needs_index.counters["corpora_built"]
    # Before the cache every keystroke cost what the first one costs (the corpus read with its
    # issuers, partners, sectors and shares: 7 queries, and every text analysed); now the keys
    # of the visible needs (one query per kind) and the view's own queries.
    for text in ("Navettes électriques", "Navettes électriques vers", "Navettes électriques gare"):
        with django_assert_max_num_queries(len(cold.captured_queries) - 6):
            response = _ask(client, corpus, text)
        assert response.status_code == 200 and "lot 0" in response.content.decode()
    assert needs_index.counters["needs_analysed"] == analysed
    assert needs_index.counters["corpora_built"] == built
    # The same answer as a corpus built from scratch.
    warm = selectors.similar_needs(
        corpus.lead_editor, title="Navettes électriques", text="gare", limit=50
    )
    needs_index.clear()
    fresh = selectors.similar_needs(
        corpus.lead_editor, title="Navettes électriques", text="gare", limit=50
    )
    assert [(m.need.key, m.score) for m in warm] == [(m.need.key, m.score) for m in fresh]


def test_the_cache_never_gives_a_private_project_to_another_reader(client, corpus):
    secret = services.project_create(
        actor=corpus.lead_editor,
        lead=corpus.lourdes,
        title="Navettes électriques confidentielles",
        summary="Navettes électriques vers la gare, en brouillon",
    )
    # The secretariat reads Lourdes' draft: the cache now holds it.
    seen = selectors.similar_needs(
        corpus.secretariat, title="Navettes électriques", text="gare", limit=50
    )
    assert ("project", secret.pk) in {m.need.key for m in seen}
    for reader in (corpus.partner_editor, corpus.quebec_editor, corpus.outsider, AnonymousUser()):
        matches = selectors.similar_needs(
            reader, title="Navettes électriques", text="gare", limit=50
        )
        assert ("project", secret.pk) not in {m.need.key for m in matches}
        # Nor does it weigh in the statistics: the same scores as without the cache.
        needs_index.clear()
        fresh = selectors.similar_needs(reader, title="Navettes électriques", text="gare", limit=50)
        assert [(m.need.key, m.score) for m in matches] == [(m.need.key, m.score) for m in fresh]
        selectors.similar_needs(
            corpus.secretariat, title="Navettes électriques", text="gare", limit=50
        )
    client.force_login(corpus.partner_editor)
    body = client.post(
        reverse("cooperation:similar"),
        {"need_kind": "project", "title": "Navettes électriques", "summary": "en hiver"},
    ).content.decode()
    assert "confidentielles" not in body and "Navettes partagées" in body


def test_a_project_hidden_or_rewritten_is_seen_at_the_next_keystroke(corpus):
    project = _open_project(corpus, "Compostage collectif", summary="Composteurs de quartier")
    anonymous = AnonymousUser()
    keys = {m.need.key for m in selectors.similar_needs(anonymous, title="Compostage", text="")}
    assert ("project", project.pk) in keys
    # Members of the network only: an anonymous visitor no longer sees it, at once.
    services.project_update(
        actor=corpus.quebec_editor,
        project=project,
        title="Compostage collectif",
        summary="Composteurs de quartier",
        visibility="network",
    )
    keys = {m.need.key for m in selectors.similar_needs(anonymous, title="Compostage", text="")}
    assert ("project", project.pk) not in keys
    member = corpus.partner_member
    assert ("project", project.pk) in {
        m.need.key for m in selectors.similar_needs(member, title="Compostage", text="")
    }
    # Rewritten, with a sector: the new text and sector are what is compared.
    mobility = Sector.objects.get(slug="mobilite")
    services.project_update(
        actor=corpus.quebec_editor,
        project=project,
        title="Vélos en libre-service",
        summary="Stations de vélos",
        sectors=[mobility],
        visibility="network",
    )
    assert ("project", project.pk) not in {
        m.need.key for m in selectors.similar_needs(member, title="Compostage", text="")
    }
    matches = selectors.similar_needs(member, title="Vélos libre-service", text="")
    best = next(m for m in matches if m.need.key == ("project", project.pk))
    assert best.need.title == "Vélos en libre-service"
    only_sector = selectors.similar_needs(member, title="", text="", sectors=("mobilite",))
    assert ("project", project.pk) in {m.need.key for m in only_sector}


def test_a_new_partner_is_seen_at_once(corpus):
    project = _open_project(corpus, "Navettes fluviales", summary="Navettes sur la rivière")
    mine = corpus.partner_editor  # Nevers, drafting a need of its own
    ask = {"title": "Navettes fluviales", "text": "", "exclude_organisation": corpus.nevers.pk}
    assert ("project", project.pk) in {m.need.key for m in selectors.similar_needs(mine, **ask)}
    services.partner_add(actor=corpus.quebec_editor, project=project, organisation=corpus.nevers)
    # Nevers takes part in it now: not proposed to Nevers again.
    assert ("project", project.pk) not in {m.need.key for m in selectors.similar_needs(mine, **ask)}


def test_the_panel_waits_for_a_pause_in_typing(client, world):
    client.force_login(world.lead_editor)
    page = client.get(reverse("cooperation:project_create")).content.decode()
    trigger = re.search(r'<aside id="similar-needs"[^>]*hx-trigger="([^"]+)"', page, re.S)
    assert trigger is not None
    parts = [part.strip() for part in trigger.group(1).split(",")]
    # `input`, not `keyup`: pasting, autofill and dictation change the text without a key.
    assert "input changed delay:400ms from:#project-edit-form" in parts
    # Every other event waits too (a box ticked while typing does not start a second request).
    assert all(part == "load" or "delay:400ms" in part for part in parts)


def test_a_renamed_organisation_is_seen_at_once(corpus):
    ask = {"title": "Navettes partagées", "text": "", "limit": 50}
    names = {m.need.organisation_name for m in selectors.similar_needs(corpus.lead_editor, **ask)}
    assert "Shawinigan" in names
    corpus.shawinigan.name = "Ville de Shawinigan"
    corpus.shawinigan.save()
    names = {m.need.organisation_name for m in selectors.similar_needs(corpus.lead_editor, **ask)}
    assert names == {"Ville de Shawinigan"}
