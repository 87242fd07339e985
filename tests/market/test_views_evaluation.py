"""Evaluation pages: grid, jury, interests, marks, ranking, decision, pilot (views and rights)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from mediane.market import services
from mediane.market.models import ChallengeStatus, ConflictDeclaration, JuryMember, Score
from mediane.notifications.models import Notification
from tests.directory.factories import UserFactory, member_of


def url(name, challenge, *args):
    return reverse(f"market:{name}", args=[challenge.slug, *args])


def future_draft(world):
    """A draft opening in five days (its grid still editable today)."""
    now = timezone.now()
    return world.draft(
        opens_at=(now + timedelta(days=5)).replace(tzinfo=None).isoformat(timespec="minutes"),
        closes_at=(now + timedelta(days=30)).replace(tzinfo=None).isoformat(timespec="minutes"),
    )


def criteria_of(challenge):
    return list(challenge.criteria.order_by("position", "pk"))


def declare_and_score(world, user, challenge, answer, value=4):
    services.conflicts_declare_none(actor=user, challenge=challenge)
    for criterion in criteria_of(challenge):
        services.score_set(
            actor=user,
            answer=answer,
            criterion=criterion,
            value=value,
            comment="note de " + str(user),
        )


@pytest.fixture
def evaluation(world):
    """A challenge in evaluation with two jurors: the city member and the invited expert."""
    challenge, answers = world.evaluation(jurors=[world.city_member, world.expert])
    return challenge, answers


# --- Grid ------------------------------------------------------------------------------------


def test_grid_shows_defaults_and_shares(client, world):
    challenge = future_draft(world)
    client.force_login(world.city_editor)
    response = client.get(url("criteria", challenge))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Adéquation au problème" in html and "30 %" in html
    assert 'name="label_0"' in html  # editable before opening


def test_grid_edit_and_bad_weights(client, world):
    challenge = future_draft(world)
    client.force_login(world.city_editor)
    bad = {"label_0": "Impact", "weight_0": "0", "label_1": "", "weight_1": "12"}
    response = client.post(url("criteria", challenge), bad)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nommez ce critère" in html and "form-errors" in html
    assert len(criteria_of(challenge)) == 5  # unchanged
    response = client.post(
        url("criteria", challenge),
        {"label_0": "Impact", "weight_0": "3", "label_1": "Prix", "weight_1": "1"},
    )
    assert response.status_code == 302
    assert [(c.label, c.weight) for c in criteria_of(challenge)] == [("Impact", 3), ("Prix", 1)]
    assert "75 %" in client.get(url("criteria", challenge)).content.decode()


def test_grid_locked_after_opening_and_refused_to_others(client, world):
    challenge = world.open_challenge()  # opened on 1 March 2025, long ago
    client.force_login(world.city_editor)
    response = client.get(url("criteria", challenge))
    assert 'name="label_0"' not in response.content.decode()
    response = client.post(url("criteria", challenge), {"label_0": "X", "weight_0": "1"})
    assert response.status_code == 302 and len(criteria_of(challenge)) == 5
    client.force_login(world.company_editor)
    assert (
        client.post(url("criteria", challenge), {"label_0": "X", "weight_0": "1"}).status_code
        == 403
    )
    draft = world.draft()
    client.force_login(world.outsider)
    assert client.get(url("criteria", draft)).status_code == 404


# --- Jury ------------------------------------------------------------------------------------


def test_jury_page_add_and_remove(client, world):
    challenge = world.draft()
    client.force_login(world.city_editor)
    html = client.get(url("jury", challenge)).content.decode()
    assert world.city_member.get_full_name() in html and "Experte invitée" in html
    assert world.outsider.get_full_name() not in html  # neither an issuer's member nor an expert
    response = client.post(url("jury", challenge), {"user": world.expert.pk})
    assert response.status_code == 302
    juror = JuryMember.objects.get(challenge=challenge, user=world.expert)
    # Someone not on the list: a form error, not a 500.
    response = client.post(url("jury", challenge), {"user": world.outsider.pk})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = client.post(url("jury", challenge), {"user": "abc"})
    assert response.status_code == 200
    assert client.get(url("jury_remove", challenge, juror.pk)).status_code == 200
    assert client.post(url("jury_remove", challenge, juror.pk)).status_code == 302
    assert not JuryMember.objects.filter(pk=juror.pk).exists()


def test_jury_page_refused_to_non_members(client, world):
    challenge = world.open_challenge()
    client.force_login(world.company_editor)
    assert client.get(url("jury", challenge)).status_code == 404
    assert client.post(url("jury", challenge), {"user": world.expert.pk}).status_code == 404
    assert not JuryMember.objects.filter(challenge=challenge).exists()
    client.logout()
    assert client.get(url("jury", challenge)).status_code == 302  # to the login page


# --- Juror's work ------------------------------------------------------------------------------


def test_juror_declares_before_seeing_answers(client, world, evaluation):
    challenge, (mine, theirs) = evaluation
    client.force_login(world.expert)
    html = client.get(url("evaluation", challenge)).content.decode()
    assert "Flux Pyrénées" in html and "Compteurs du Nord" in html
    assert "0 / 0 réponses notées" in html
    assert client.get(url("score", challenge, mine.pk)).status_code == 404
    response = client.post(
        url("conflicts", challenge),
        {f"org_{world.company.pk}": "none", f"org_{world.rival.pk}": "conflict"},
    )
    assert response.status_code == 302
    assert ConflictDeclaration.objects.get(organisation=world.rival).has_conflict
    html = client.get(url("evaluation", challenge)).content.decode()
    assert "0 / 1 réponses notées" in html
    assert client.get(url("score", challenge, mine.pk)).status_code == 200
    # A juror with a conflict never sees that answer, through any page.
    assert client.get(url("score", challenge, theirs.pk)).status_code == 404
    assert reverse("market:score", args=[challenge.slug, theirs.pk]) not in html


def test_bad_declaration_is_a_form_error(client, world, evaluation):
    challenge, _answers = evaluation
    client.force_login(world.expert)
    response = client.post(url("conflicts", challenge), {f"org_{world.company.pk}": "peut-être"})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not ConflictDeclaration.objects.exists()


def test_declare_none_for_all(client, world, evaluation):
    challenge, _answers = evaluation
    client.force_login(world.expert)
    assert client.post(url("conflicts", challenge), {"all_none": "1"}).status_code == 302
    assert ConflictDeclaration.objects.filter(has_conflict=False).count() == 2


def test_scoring_one_answer_and_progress(client, world, evaluation):
    challenge, (mine, theirs) = evaluation
    services.conflicts_declare_none(actor=world.expert, challenge=challenge)
    client.force_login(world.expert)
    criteria = criteria_of(challenge)
    data = {f"mark_{c.pk}": "4" for c in criteria}
    data[f"comment_{criteria[0].pk}"] = "Solide"
    response = client.post(url("score", challenge, mine.pk), data)
    assert response.status_code == 302
    assert response["Location"] == url("score", challenge, theirs.pk)  # next answer to score
    assert Score.objects.filter(juror__user=world.expert, answer=mine).count() == len(criteria)
    html = client.get(url("evaluation", challenge)).content.decode()
    assert "1 / 2 réponses notées" in html


@pytest.mark.parametrize("value", ["6", "-1", "x", ""])
def test_bad_marks_are_form_errors(client, world, evaluation, value):
    challenge, (mine, _theirs) = evaluation
    services.conflicts_declare_none(actor=world.expert, challenge=challenge)
    client.force_login(world.expert)
    data = {f"mark_{c.pk}": "3" for c in criteria_of(challenge)}
    data[f"mark_{criteria_of(challenge)[0].pk}"] = value
    response = client.post(url("score", challenge, mine.pk), data)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not Score.objects.exists()  # all or nothing


def test_juror_never_sees_another_jurors_marks_before_closing(client, world, evaluation):
    challenge, (mine, theirs) = evaluation
    declare_and_score(world, world.city_member, challenge, mine, value=1)
    services.conflicts_declare_none(actor=world.expert, challenge=challenge)
    client.force_login(world.expert)
    pages = [
        url("evaluation", challenge),
        url("score", challenge, mine.pk),
        url("score", challenge, theirs.pk),
        url("jury", challenge),
        url("criteria", challenge),
        url("pilot_report", challenge),
    ]
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.content.decode()
        assert "note de " + str(world.city_member) not in html, page
        assert 'value="1" checked' not in html, page
    for page in (url("ranking", challenge), url("decision", challenge)):
        assert client.get(page).status_code == 403
    # The issuers' editor does not see the marks before the closing either.
    client.force_login(world.city_editor)
    assert client.get(url("ranking", challenge)).status_code == 403


def test_non_jurors_cannot_reach_the_evaluation(client, world, evaluation):
    challenge, (mine, _theirs) = evaluation
    for user in (world.outsider, world.rival_editor, world.city_editor):
        client.force_login(user)
        assert client.get(url("evaluation", challenge)).status_code == 403
        assert client.get(url("score", challenge, mine.pk)).status_code == 403
        assert client.post(url("conflicts", challenge), {"all_none": "1"}).status_code == 403
    assert not ConflictDeclaration.objects.exists()


def test_close_jury_then_ranking_and_marks_of_everyone(client, world, evaluation):
    challenge, (mine, theirs) = evaluation
    declare_and_score(world, world.city_member, challenge, mine, value=2)
    declare_and_score(world, world.expert, challenge, mine, value=4)
    declare_and_score(world, world.expert, challenge, theirs, value=5)
    client.force_login(world.city_editor)
    assert client.get(url("jury_close", challenge)).status_code == 200  # confirmation step
    challenge.refresh_from_db()
    assert challenge.jury_closed_at is None
    response = client.post(url("jury_close", challenge))
    assert response.status_code == 302 and response["Location"] == url("ranking", challenge)
    client.force_login(world.expert)
    html = client.get(url("ranking", challenge)).content.decode()
    assert html.index("Compteurs du Nord") < html.index("Flux Pyrénées")  # 5 before 3
    assert "3,00" in html or "3.00" in html  # mean of 2 and 4
    assert "2,00" in html or "2.00" in html  # spread
    assert "note de " + str(world.city_member) in html  # everyone's marks after closing
    # Scoring is over.
    data = {f"mark_{c.pk}": "0" for c in criteria_of(challenge)}
    client.post(url("score", challenge, mine.pk), data)
    assert not Score.objects.filter(value=0).exists()


def test_shortlist_toggle(client, world, evaluation):
    challenge, (mine, _theirs) = evaluation
    services.jury_close(actor=world.city_editor, challenge=challenge)
    client.force_login(world.city_editor)
    assert (
        client.post(url("shortlist", challenge, mine.pk), {"shortlisted": "1"}).status_code == 302
    )
    mine.refresh_from_db()
    assert mine.shortlisted
    client.force_login(world.expert)  # a juror reads the ranking but does not shortlist
    assert (
        client.post(url("shortlist", challenge, mine.pk), {"shortlisted": "0"}).status_code == 403
    )
    client.force_login(world.city_editor)
    assert client.post(url("shortlist", challenge, 999999), {"shortlisted": "1"}).status_code == 404


def test_decision_with_confirmation_notifies_every_candidate(client, world, evaluation):
    challenge, (mine, theirs) = evaluation
    client.force_login(world.city_editor)
    assert "Clôturez d’abord le jury" in client.get(url("decision", challenge)).content.decode()
    services.jury_close(actor=world.city_editor, challenge=challenge)
    # A chosen answer without a reason: a form error.
    response = client.post(url("decision", challenge), {f"award_{mine.pk}": "on"})
    assert (
        response.status_code == 200
        and "Motivez chaque réponse retenue" in response.content.decode()
    )
    data = {
        f"award_{mine.pk}": "on",
        f"reason_{mine.pk}": "Meilleure adéquation",
        "note": "Unanime",
    }
    response = client.post(url("decision", challenge), data)
    assert response.status_code == 200 and "Confirmer la décision" in response.content.decode()
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.EVALUATION  # nothing decided before confirming
    response = client.post(url("decision", challenge), {**data, "confirm": "1"})
    assert response.status_code == 302
    challenge.refresh_from_db()
    mine.refresh_from_db()
    assert challenge.status == ChallengeStatus.AWARDED and mine.awarded
    assert Notification.objects.filter(recipient=world.company_editor, verb="awarded").exists()
    assert Notification.objects.filter(recipient=world.rival_editor, verb="not_awarded").exists()
    assert "Meilleure adéquation" in client.get(url("decision", challenge)).content.decode()


def test_not_awarded_needs_a_reason(client, world, evaluation):
    challenge, _answers = evaluation
    services.jury_close(actor=world.city_editor, challenge=challenge)
    client.force_login(world.city_editor)
    response = client.post(url("decision", challenge), {"confirm": "1"})
    assert response.status_code == 200 and "expliquez pourquoi" in response.content.decode()
    response = client.post(
        url("decision", challenge), {"note": "Aucune réponse au niveau", "confirm": "1"}
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.NOT_AWARDED


def test_decision_refused_to_jurors_and_companies(client, world, evaluation):
    challenge, (mine, _theirs) = evaluation
    services.jury_close(actor=world.city_editor, challenge=challenge)
    data = {f"award_{mine.pk}": "on", f"reason_{mine.pk}": "x", "confirm": "1"}
    for user in (world.expert, world.company_editor):
        client.force_login(user)
        assert client.post(url("decision", challenge), data).status_code == 403
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.EVALUATION


def test_pilot_start_and_report(client, world, evaluation):
    challenge, (mine, _theirs) = evaluation
    services.jury_close(actor=world.city_editor, challenge=challenge)
    services.challenge_decide(actor=world.city_editor, challenge=challenge, awarded={mine.pk: "ok"})
    client.force_login(world.city_editor)
    assert client.get(url("pilot_start", challenge)).status_code == 200
    assert client.post(url("pilot_start", challenge)).status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.PILOT
    response = client.post(
        url("pilot_report", challenge),
        {"outcome": "<p>Bien</p>", "contract_signed": "on", "amount": "", "currency": "EUR"},
    )
    assert response.status_code == 200
    assert "Indiquez le montant du contrat signé" in response.content.decode()
    response = client.post(
        url("pilot_report", challenge),
        {
            "outcome": "<p>Bien</p><script>x()</script>",
            "contract_signed": "on",
            "amount": "25000",
            "currency": "EUR",
            "lessons": "Associer les agents",
        },
    )
    assert response.status_code == 302
    client.logout()
    html = client.get(url("pilot_report", challenge)).content.decode()
    assert "25" in html and "Associer les agents" in html and "<script>x()" not in html


def test_pilot_report_refused_to_others(client, world, evaluation):
    challenge, _answers = evaluation
    client.force_login(world.company_editor)
    assert client.post(url("pilot_report", challenge), {"outcome": "x"}).status_code == 403
    assert client.post(url("pilot_start", challenge)).status_code == 403


def test_start_evaluation_page(client, world):
    challenge = world.open_challenge()
    world.answer(challenge)
    services.challenges_close_due(now=world.after_closing(challenge))
    member_of(world.city, "member")
    client.force_login(world.city_editor)
    assert client.get(reverse("market:evaluation_start", args=[challenge.slug])).status_code == 200
    response = client.post(reverse("market:evaluation_start", args=[challenge.slug]))
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == ChallengeStatus.EVALUATION
    # Twice: a message, not a 500.
    response = client.post(reverse("market:evaluation_start", args=[challenge.slug]), follow=True)
    assert response.status_code == 200


def test_unknown_challenge_and_answer_are_404(client, world, evaluation):
    challenge, _answers = evaluation
    client.force_login(UserFactory())
    assert client.get(reverse("market:ranking", args=["inconnu"])).status_code == 404
    client.force_login(world.expert)
    assert client.get(url("score", challenge, 999999)).status_code == 404


def test_jury_picker_puts_the_experts_of_the_challenges_sectors_first(client, world):
    from mediane.directory.models import Expert, Sector

    challenge = world.draft()
    sector = Sector.objects.order_by("pk").first()
    challenge.sectors.set([sector])
    other_sector = Sector.objects.exclude(pk=sector.pk).order_by("pk").first()
    specialist = UserFactory(full_name="Zoé Spécialiste")
    Expert.objects.create(name="Zoé Spécialiste", slug="zoe", user=specialist).sectors.set([sector])
    elsewhere = UserFactory(full_name="Alain Ailleurs")
    Expert.objects.create(name="Alain Ailleurs", slug="alain", user=elsewhere).sectors.set(
        [other_sector]
    )
    client.force_login(world.city_editor)
    html = client.get(url("jury", challenge)).content.decode()
    in_sectors = html.index("Experts des secteurs du défi")
    others = html.index("Autres experts")
    assert in_sectors < html.index("Zoé Spécialiste") < others  # despite the name order
    assert others < html.index("Alain Ailleurs") and others < html.index("Experte invitée")
    assert client.post(url("jury", challenge), {"user": specialist.pk}).status_code == 302


def test_a_closed_challenge_page_leads_to_the_same_evaluation_opening_as_the_jury_page(
    client, world
):
    challenge = world.open_challenge()
    services.challenges_close_due(now=world.after_closing(challenge))
    challenge.refresh_from_db()
    client.force_login(world.city_editor)
    start = reverse("market:evaluation_start", args=[challenge.slug])
    for page in (challenge.get_absolute_url(), url("jury", challenge)):
        html = client.get(page).content.decode()
        assert f'href="{start}"' in html and "Ouvrir l’évaluation" in html
        assert "Lancer l’évaluation" not in html  # one name for one action
