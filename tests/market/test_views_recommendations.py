"""Recommendation pages: organisations to invite (reasons, filters, "Inviter à répondre"),
challenges recommended to an organisation, permissions, invitations and their notifications."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mediane.core.errors import Conflict, NotFound, ValidationFailed
from mediane.core.models import AuditEntry
from mediane.directory.services import organisation_create
from mediane.market import services
from mediane.market.inputs import OfferInput
from mediane.market.models import ChallengeInvitation
from mediane.notifications.models import Notification
from tests.directory.factories import member_of, org_input

FUTURE = {"closes_at": "2030-04-01T17:00"}


def _org(world, **changes):
    return organisation_create(actor=world.secretariat, make_admin=False, data=org_input(**changes))


@pytest.fixture
def market(world):
    """An open challenge about pilgrims' flows (closing in 2030) and organisations around it."""
    counter = _org(
        world,
        name="Compteurs Pyrénées",
        description="Mesure anonyme de la fréquentation et de l'achalandage des visiteurs.",
    )
    quebec = _org(
        world,
        name="Flux Québec",
        country="QC",
        kind="pme",
        description="Comptage des flux de visiteurs et de la fréquentation touristique en hiver.",
    )
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
    challenge = world.open_challenge(**FUTURE)
    return {
        "challenge": challenge,
        "counter": counter,
        "counter_editor": member_of(counter, "editor"),
        "counter_member": member_of(counter, "member"),
        "quebec": quebec,
        "hidden": hidden,
    }


def page(challenge):
    return reverse("market:recommend_organisations", args=[challenge.slug])


def invite_url(challenge, organisation):
    return reverse("market:recommend_invite", args=[challenge.slug, organisation.slug])


def recommended(organisation):
    return reverse("market:recommend_challenges", args=[organisation.slug])


# --- Organisations to invite ---------------------------------------------------------------------


def test_issuer_sees_ranked_organisations_with_reasons_offers_and_buttons(client, world, market):
    client.force_login(world.city_editor)
    response = client.get(page(market["challenge"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Organisations à inviter" in html
    # both counting companies (close in words and meaning) above one sharing only "flux"
    assert html.index("Compteurs Pyrénées") < html.index("Flux Pyrénées")
    assert html.index("Flux Québec") < html.index("Flux Pyrénées")
    assert "Mots en commun" in html and "Pertinence" in html and "<meter" in html
    assert "Comptage des flux touristiques" in html  # its published offer
    assert html.count("Inviter à répondre") >= 2
    assert "Flux Secrets" not in html  # private: the city's editor may not see it
    assert world.city.name not in html.split("results-title")[1]  # never the issuer itself


def test_secretariat_sees_private_organisations(client, world, market):
    client.force_login(world.secretariat)
    html = client.get(page(market["challenge"])).content.decode()
    assert "Flux Secrets" in html


def test_who_may_open_the_list(client, world, market):
    url = page(market["challenge"])
    response = client.get(url)
    assert response.status_code == 302 and "/comptes/" in response["Location"]
    for user in (world.company_editor, world.city_member, world.outsider):
        client.force_login(user)
        assert client.get(url).status_code == 403
    draft = world.draft(title="Un brouillon de la ville")
    client.force_login(world.company_editor)
    assert client.get(page(draft)).status_code == 404  # a draft is hidden from others
    assert client.get("/defis/inconnu/a-inviter/").status_code == 404


def test_filters_by_country_and_kind(client, world, market):
    client.force_login(world.city_editor)
    url = page(market["challenge"])
    html = client.get(url + "?country=QC").content.decode()
    assert "Flux Québec" in html and "Compteurs Pyrénées" not in html
    assert 'name="country"' in html and 'name="kind"' in html
    html = client.get(url + "?kind=startup").content.decode()
    assert "Compteurs Pyrénées" in html and "Flux Québec" not in html


@pytest.mark.parametrize(
    "query",
    ["?country=ZZ&kind=zzz", "?country=%00", "?kind=<script>alert(1)</script>", "?country=&kind="],
)
def test_bad_filters_never_500(client, world, market, query):
    client.force_login(world.city_editor)
    response = client.get(page(market["challenge"]) + query)
    assert response.status_code == 200
    assert b"<script>alert(1)" not in response.content


def test_list_query_count_does_not_grow(client, world, market):
    client.force_login(world.city_editor)
    url = page(market["challenge"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(6):
        org = _org(world, name=f"Capteurs {i}", description="Comptage des flux de visiteurs.")
        services.challenge_invite(
            actor=world.city_editor, challenge=market["challenge"], organisation=org
        )
    client.get(url)  # profiles of the new organisations enter the cache
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Capteurs 5" in html and "Invitée le" in html
    assert len(many) <= len(few) + 2, [q["sql"] for q in many.captured_queries]


# --- Inviting ------------------------------------------------------------------------------------


def test_invite_notifies_the_organisation_once_and_the_row_says_invited(client, world, market):
    challenge, counter = market["challenge"], market["counter"]
    client.force_login(world.city_editor)
    response = client.post(
        invite_url(challenge, counter),
        {"message": "Votre offre nous intéresse.", "kind": "startup"},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"?kind=startup#org-{counter.pk}")
    invitation = ChallengeInvitation.objects.get(challenge=challenge, organisation=counter)
    assert invitation.message == "Votre offre nous intéresse."
    assert invitation.invited_by == world.city_editor and invitation.notified_at is not None
    sent = Notification.objects.filter(topic="invitation")
    assert {n.recipient for n in sent} == {market["counter_editor"]}  # editors, not members
    assert challenge.title in sent.get().title and sent.get().url == challenge.get_absolute_url()
    assert AuditEntry.objects.filter(action="challenge.invite").count() == 1
    html = client.get(response["Location"]).content.decode()
    assert "est invitée à répondre" in html and "Invitée le" in html
    row = html.split(f'id="org-{counter.pk}"')[1].split('class="card recommend-row"')[0]
    assert "Invitée le" in row and "Inviter à répondre" not in row
    # Again (a second click, another editor): nothing new.
    client.post(invite_url(challenge, counter))
    services.challenge_invite(actor=world.secretariat, challenge=challenge, organisation=counter)
    assert ChallengeInvitation.objects.count() == 1
    assert Notification.objects.filter(topic="invitation").count() == 1
    assert AuditEntry.objects.filter(action="challenge.invite").count() == 1


def test_invited_while_submitted_notified_at_publication(world, market):
    challenge = world.draft(title="Éclairage public des quartiers", **FUTURE)
    services.challenge_submit(actor=world.city_editor, challenge=challenge, now=world.now)
    invitation = services.challenge_invite(
        actor=world.city_editor, challenge=challenge, organisation=market["counter"]
    )
    assert invitation.notified_at is None
    assert not Notification.objects.filter(topic="invitation").exists()
    services.challenge_publish(actor=world.secretariat, challenge=challenge, now=world.now)
    invitation.refresh_from_db()
    assert invitation.notified_at is not None
    assert Notification.objects.filter(topic="invitation").count() == 1


def test_invitation_refusals(world, market):
    challenge = market["challenge"]
    with pytest.raises(ValidationFailed):  # an issuer
        services.challenge_invite(
            actor=world.city_editor, challenge=challenge, organisation=world.city
        )
    with pytest.raises(NotFound):  # an organisation the actor may not see
        services.challenge_invite(
            actor=world.city_editor, challenge=challenge, organisation=market["hidden"]
        )
    with pytest.raises(ValidationFailed):
        services.challenge_invite(
            actor=world.city_editor,
            challenge=challenge,
            organisation=market["counter"],
            message="x" * 1001,
        )
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.challenge_invite(
            actor=world.company_editor, challenge=challenge, organisation=market["counter"]
        )
    closed = world.open_challenge(title="Défi déjà clos")  # closed on 1 April 2025
    with pytest.raises(Conflict):
        services.challenge_invite(
            actor=world.city_editor, challenge=closed, organisation=market["counter"]
        )
    eligible_qc = world.open_challenge(title="Pour le Québec", eligible_countries=["QC"], **FUTURE)
    with pytest.raises(ValidationFailed):
        services.challenge_invite(
            actor=world.city_editor, challenge=eligible_qc, organisation=market["counter"]
        )
    assert not ChallengeInvitation.objects.exists()


def test_invite_view_errors_never_500(client, world, market):
    challenge = market["challenge"]
    client.force_login(world.city_editor)
    assert client.get(invite_url(challenge, market["counter"])).status_code == 405
    assert client.post(invite_url(challenge, market["hidden"])).status_code == 404
    response = client.post(invite_url(challenge, world.city), follow=True)
    assert response.status_code == 200
    assert "ne peut pas être invitée" in response.content.decode()
    response = client.post(invite_url(challenge, market["counter"]), {"message": "x" * 1001})
    assert response.status_code == 302 and not ChallengeInvitation.objects.exists()
    client.force_login(world.company_editor)
    assert client.post(invite_url(challenge, market["counter"])).status_code == 403
    client.logout()
    assert client.post(invite_url(challenge, market["counter"])).status_code == 302
    assert not ChallengeInvitation.objects.exists()


def test_closed_challenge_list_without_buttons(client, world, market):
    closed = world.open_challenge(title="Mesurer les flux des visiteurs (clos)")
    client.force_login(world.city_editor)
    html = client.get(page(closed)).content.decode()
    assert "Les invitations sont possibles quand" in html
    assert "Inviter à répondre" not in html


# --- Challenges recommended to an organisation ---------------------------------------------------


def test_members_see_recommended_challenges_with_reasons_and_invitations(client, world, market):
    challenge, counter = market["challenge"], market["counter"]
    services.challenge_invite(
        actor=world.city_editor, challenge=challenge, organisation=counter, message="À vous !"
    )
    client.force_login(market["counter_editor"])
    html = client.get(recommended(counter)).content.decode()
    assert challenge.title in html and "Mots en commun" in html
    assert "Invitations reçues" in html and "À vous !" in html
    assert "Votre organisation est invitée à répondre" in html
    assert reverse("market:answer_create", args=[challenge.slug]) in html
    client.force_login(market["counter_member"])  # a member reads, only editors answer
    html = client.get(recommended(counter)).content.decode()
    assert challenge.title in html
    assert reverse("market:answer_create", args=[challenge.slug]) not in html


def test_who_may_see_recommended_challenges(client, world, market):
    url = recommended(market["counter"])
    assert client.get(url).status_code == 302
    client.force_login(world.company_editor)  # another company
    assert client.get(url).status_code == 403
    client.force_login(world.secretariat)
    assert client.get(url).status_code == 200
    client.force_login(world.company_editor)
    assert client.get(recommended(market["hidden"])).status_code == 404
    assert client.get("/annuaire/inconnue/defis-recommandes/").status_code == 404


def test_recommended_challenges_query_count(client, world, market):
    client.force_login(market["counter_editor"])
    url = recommended(market["counter"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(5):
        world.open_challenge(title=f"Compter les visiteurs {i}", **FUTURE)
    client.get(url)
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    assert "Compter les visiteurs 4" in html
    assert len(many) <= len(few) + 2, [q["sql"] for q in many.captured_queries]


# --- Links on the organisation and challenge pages -----------------------------------------------


def test_links_only_for_those_who_may_use_them(client, world, market):
    counter, challenge = market["counter"], market["challenge"]
    link = recommended(counter)
    assert link not in client.get(counter.get_absolute_url()).content.decode()
    client.force_login(world.company_editor)
    assert link not in client.get(counter.get_absolute_url()).content.decode()
    assert page(challenge) not in client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(market["counter_member"])
    assert link in client.get(counter.get_absolute_url()).content.decode()
    client.force_login(world.city_editor)
    assert page(challenge) in client.get(challenge.get_absolute_url()).content.decode()


def test_score_levels():
    from mediane.market.views_recommendations import score_level

    assert score_level(0.8).label == "Très pertinente" and score_level(0.8).percent == 100
    # The bar agrees with the word: a very relevant match fills most of it, and the colour
    # changes where the word does.
    assert score_level(0.5).percent == 62 and score_level(0.5).high == 62
    assert score_level(0.3).percent == 37 and score_level(0.3).low == 37
    assert score_level(0.4).percent == 50
    # Rounding never puts a bar on the other side of its word's colour threshold.
    assert score_level(0.497).percent == 61 and score_level(0.2999).percent == 36
    assert score_level(0.8, of_challenge=True).label == "Très pertinent"
    assert score_level(0.35).css == "medium" and score_level(0.1).css == "low"
    assert score_level(0.0).percent == 4 and score_level(3.0).percent == 100


def withdraw_url(challenge, organisation):
    return reverse("market:recommend_withdraw", args=[challenge.slug, organisation.slug])


def test_withdraw_an_invitation_after_a_confirmation(client, world, market):
    """The invited row offers to withdraw; a confirmation page first, then the invitation is
    gone, audited, and the organisation's editors (told of it) are told of the withdrawal; it
    can be invited again."""
    challenge, counter = market["challenge"], market["counter"]
    client.force_login(world.city_editor)
    client.post(invite_url(challenge, counter))
    html = client.get(reverse("market:recommend_organisations", args=[challenge.slug])).content
    assert withdraw_url(challenge, counter) in html.decode()
    page = client.get(withdraw_url(challenge, counter))
    assert page.status_code == 200 and "seront prévenus de son retrait" in page.content.decode()
    assert ChallengeInvitation.objects.filter(organisation=counter).exists()  # GET changes nothing
    response = client.post(withdraw_url(challenge, counter))
    assert response.status_code == 302 and response["Location"].endswith(f"#org-{counter.pk}")
    assert not ChallengeInvitation.objects.filter(organisation=counter).exists()
    assert AuditEntry.objects.filter(action="challenge.invitation_withdraw").count() == 1
    told = Notification.objects.filter(verb="invitation_withdrawn")
    assert {n.recipient for n in told} == {market["counter_editor"]}
    # Withdrawing again: a message, not a 500; inviting again works.
    again = client.post(withdraw_url(challenge, counter), follow=True)
    assert "pas invitée" in again.content.decode()
    client.post(invite_url(challenge, counter))
    assert ChallengeInvitation.objects.filter(organisation=counter).exists()


def test_withdraw_refusals(client, world, market):
    challenge, counter = market["challenge"], market["counter"]
    services.challenge_invite(actor=world.secretariat, challenge=challenge, organisation=counter)
    # Only who may invite: the invited company's editor may not withdraw.
    client.force_login(market["counter_editor"])
    assert client.post(withdraw_url(challenge, counter)).status_code == 403
    with pytest.raises(PermissionDenied):
        services.invitation_withdraw(
            actor=market["counter_editor"], challenge=challenge, organisation=counter
        )
    # After the closing time, invitations no longer change.
    with pytest.raises(Conflict):
        services.invitation_withdraw(
            actor=world.city_editor,
            challenge=challenge,
            organisation=counter,
            now=challenge.closes_at,
        )
    assert ChallengeInvitation.objects.filter(organisation=counter).exists()
    with pytest.raises(NotFound):
        services.invitation_withdraw(
            actor=world.city_editor, challenge=challenge, organisation=market["quebec"]
        )
