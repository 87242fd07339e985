"""API of the market: challenges, own answers, offers, recommendations — anonymous vs token,
private data never leaking, 404 for hidden objects and 403 for readable but forbidden ones."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from mediane.accounts.services import api_token_create
from mediane.market import services
from tests.market.factories import offer_input

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


def auth(user) -> dict[str, str]:
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


# --- challenges ----------------------------------------------------------------------------------


def test_anonymous_sees_published_challenges_never_drafts(client, world):
    public = world.open_challenge()
    draft = world.draft(title="Brouillon confidentiel de Nevers")
    body = client.get("/api/v1/challenges").json()
    assert [c["slug"] for c in body["results"]] == [public.slug]
    assert body["count"] == 1
    item = body["results"][0]
    assert item["status"] == "open" and item["status_label"] == "Publié"
    assert item["issuers"] == [
        {"slug": world.city.slug, "name": "Ville de Nevers", "role": "lead", "country": "FR"}
    ]
    assert item["time_zone"] == "Europe/Paris"
    # 09:00 in Paris on 1 March is 08:00 UTC.
    assert item["opens_at"].startswith("2025-03-01T08:00:00")
    response = client.get(f"/api/v1/challenges/{draft.slug}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_issuer_editor_token_sees_own_draft(client, world):
    draft = world.draft(title="Brouillon de Nevers")
    assert draft.slug in slugs(client.get("/api/v1/challenges", **auth(world.city_editor)))
    assert draft.slug not in slugs(client.get("/api/v1/challenges", **auth(world.company_editor)))
    detail = client.get(f"/api/v1/challenges/{draft.slug}", **auth(world.city_editor))
    assert detail.status_code == 200
    assert detail.json()["status"] == "draft"


def test_challenge_detail_has_content_grid_and_timeline(client, world):
    challenge = world.open_challenge()
    body = client.get(f"/api/v1/challenges/{challenge.slug}").json()
    assert "<strong>hiver</strong>" in body["problem"]
    assert [c["label"] for c in body["criteria"]][0] == "Adéquation au problème"
    assert sum(c["weight"] for c in body["criteria"]) == 100
    assert [e["to_status"] for e in body["timeline"]] == ["draft", "submitted", "open"]
    assert body["pilot_report"] is None
    assert body["budget_max"] == 40_000 and body["currency"] == "EUR"


def test_challenge_filters_and_unknown_values(client, world):
    open_one = world.open_challenge(sectors=[world.sector.slug])
    world.open_challenge(title="Billettique des transports")
    assert slugs(client.get(f"/api/v1/challenges?sector={world.sector.slug}")) == [open_one.slug]
    assert slugs(client.get("/api/v1/challenges?country=QC")) == []
    assert len(slugs(client.get("/api/v1/challenges?status=open&country=fr"))) == 2
    assert len(slugs(client.get(f"/api/v1/challenges?issuer={world.city.slug}"))) == 2
    response = client.get("/api/v1/challenges?status=bogus&sector=nope&issuer=inconnue")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "validation_error"
    assert {e["field"] for e in body["errors"]} == {"status", "sector", "issuer"}
    paged = client.get("/api/v1/challenges?limit=1&offset=1").json()
    assert paged["count"] == 2 and len(paged["results"]) == 1


def test_a_draft_status_filter_never_widens_the_answer(client, world):
    world.draft()
    assert slugs(client.get("/api/v1/challenges?status=draft")) == []


# --- own answers ---------------------------------------------------------------------------------


def test_answers_mine_needs_a_token_and_shows_only_own_answers(client, world):
    challenge = world.open_challenge()
    mine = world.answer(challenge, world.company)
    world.answer(challenge, world.rival)
    response = client.get("/api/v1/answers/mine")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"

    body = client.get("/api/v1/answers/mine", **auth(world.company_member)).json()
    assert [a["id"] for a in body["results"]] == [mine.pk]
    answer = body["results"][0]
    assert answer["organisation"]["name"] == "Flux Pyrénées"
    assert answer["challenge"]["slug"] == challenge.slug
    assert answer["awarded"] is None  # not decided yet
    assert "Capteurs anonymes" in answer["approach"]
    # The issuer's editor has no answer of their own and reads no one else's here.
    assert client.get("/api/v1/answers/mine", **auth(world.city_editor)).json()["count"] == 0


def test_answers_mine_shows_the_decision_once_taken(client, world):
    challenge, answers = world.evaluation(jurors=[world.city_editor])
    services.jury_close(actor=world.city_editor, challenge=challenge)
    services.challenge_decide(
        actor=world.city_editor, challenge=challenge, awarded={answers[0].pk: "La plus sobre."}
    )
    body = client.get("/api/v1/answers/mine", **auth(world.company_editor)).json()
    assert body["results"][0]["awarded"] is True
    assert body["results"][0]["decision_reason"] == "La plus sobre."
    rival = client.get("/api/v1/answers/mine", **auth(world.rival_editor)).json()
    assert rival["results"][0]["awarded"] is False


# --- offers --------------------------------------------------------------------------------------


def test_offers_published_for_everyone_drafts_for_members(client, world):
    published = world.offer()
    draft = services.offer_create(
        actor=world.company_editor,
        organisation=world.company,
        data=offer_input(title="Offre en préparation"),
    )
    assert slugs(client.get("/api/v1/offers")) == [published.slug]
    assert client.get(f"/api/v1/offers/{draft.slug}").status_code == 404
    assert set(slugs(client.get("/api/v1/offers", **auth(world.company_member)))) == {
        published.slug,
        draft.slug,
    }
    assert (
        client.get(f"/api/v1/offers/{draft.slug}", **auth(world.company_member)).status_code == 200
    )
    assert client.get("/api/v1/offers?target_kind=martien").status_code == 422


def test_offer_references_confirmed_only_by_the_city(client, world):
    offer = world.offer()
    reference = services.offer_reference_add(
        actor=world.company_editor, offer=offer, organisation=world.city, description="Pilote"
    )
    body = client.get(f"/api/v1/offers/{offer.slug}").json()
    assert body["references"] == []  # not confirmed yet: shown to the offer's editors only
    assert body["confirmed_references"] == 0
    own = client.get(f"/api/v1/offers/{offer.slug}", **auth(world.company_editor)).json()
    assert own["references"][0]["confirmed"] is False
    services.offer_reference_confirm(actor=world.city_editor, reference=reference)
    body = client.get(f"/api/v1/offers/{offer.slug}").json()
    assert body["references"][0]["confirmed"] is True
    assert body["references"][0]["organisation"]["name"] == "Ville de Nevers"
    assert client.get("/api/v1/offers").json()["results"][0]["confirmed_references"] == 1


# --- recommendations -----------------------------------------------------------------------------


def test_challenge_recommendations_for_issuers_editors_and_secretariat(client, world):
    challenge = world.open_challenge()
    world.offer()  # the company offers visitor counting: a relevant candidate
    url = f"/api/v1/challenges/{challenge.slug}/recommendations"
    assert client.get(url).status_code == 401
    forbidden = client.get(url, **auth(world.company_editor))
    assert forbidden.status_code == 403
    assert forbidden.json()["code"] == "forbidden"
    for user in (world.city_editor, world.secretariat):
        response = client.get(url, **auth(user))
        assert response.status_code == 200, response.content
        names = [r["organisation"]["name"] for r in response.json()["results"]]
        assert "Flux Pyrénées" in names
        assert "Ville de Nevers" not in names  # never the issuer itself
        first = response.json()["results"][names.index("Flux Pyrénées")]
        assert (
            first["reasons"] and first["offers"][0]["title"] == "Comptage de fréquentation anonyme"
        )


def test_recommendations_of_a_hidden_draft_are_a_404(client, world):
    draft = world.draft()
    url = f"/api/v1/challenges/{draft.slug}/recommendations"
    assert client.get(url, **auth(world.company_editor)).status_code == 404
    assert client.get(url, **auth(world.city_editor)).status_code == 200


def test_recommended_challenges_for_the_organisations_members(client, world):
    challenge = world.open_challenge(closes_at="2099-04-01T17:00")
    world.offer()
    url = f"/api/v1/organisations/{world.company.slug}/recommended-challenges"
    assert client.get(url, **auth(world.rival_editor)).status_code == 403
    response = client.get(url, **auth(world.company_member))
    assert response.status_code == 200, response.content
    results = response.json()["results"]
    assert [r["challenge"]["slug"] for r in results] == [challenge.slug]
    assert results[0]["reasons"]
    missing = client.get(
        "/api/v1/organisations/inconnue/recommended-challenges", **auth(world.company_member)
    )
    assert missing.status_code == 404


# --- invitations to answer -----------------------------------------------------------------------


def test_invite_list_and_withdraw_through_the_api(client, world):
    from mediane.market.models import ChallengeInvitation

    challenge = world.open_challenge(closes_at="2099-04-01T17:00")
    url = f"/api/v1/challenges/{challenge.slug}/invitations"
    one = f"{url}/{world.company.slug}"
    body = {"message": "Votre offre nous intéresse."}
    assert client.put(one, body, content_type="application/json").status_code == 401
    forbidden = client.put(one, body, content_type="application/json", **auth(world.company_editor))
    assert forbidden.status_code == 403 and forbidden.json()["code"] == "forbidden"
    editor = auth(world.city_editor)
    created = client.put(one, body, content_type="application/json", **editor)
    assert created.status_code == 201, created.content
    assert created.json()["organisation"]["slug"] == world.company.slug
    assert created.json()["message"] == body["message"] and created.json()["notified_at"]
    again = client.put(one, {}, content_type="application/json", **editor)
    assert again.status_code == 200  # idempotent: the existing invitation
    assert ChallengeInvitation.objects.count() == 1
    listed = client.get(url, **editor)
    assert listed.status_code == 200 and listed.json()["count"] == 1
    assert client.get(url, **auth(world.company_editor)).status_code == 403
    received = client.get(
        f"/api/v1/organisations/{world.company.slug}/invitations", **auth(world.company_member)
    )
    assert received.status_code == 200
    assert [r["challenge"]["slug"] for r in received.json()["results"]] == [challenge.slug]
    assert (
        client.get(
            f"/api/v1/organisations/{world.company.slug}/invitations", **auth(world.rival_editor)
        ).status_code
        == 403
    )
    # The issuer cannot be invited; a message too long is a 422 with a stable code.
    issuer = client.put(f"{url}/{world.city.slug}", {}, content_type="application/json", **editor)
    assert issuer.status_code == 422
    too_long = client.put(
        f"{url}/{world.rival.slug}",
        {"message": "x" * 1001},
        content_type="application/json",
        **editor,
    )
    assert too_long.status_code == 422 and too_long.json()["code"]
    # Withdraw: 204, then 404 (none left).
    assert client.delete(one, **auth(world.company_editor)).status_code == 403
    assert client.delete(one, **editor).status_code == 204
    assert not ChallengeInvitation.objects.exists()
    gone = client.delete(one, **editor)
    assert gone.status_code == 404 and gone.json()["code"]
