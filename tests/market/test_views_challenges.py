"""Challenge and answer pages: who sees what, the guided form, deadlines in the UI, bad input."""

from __future__ import annotations

import zoneinfo
from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mediane.market import services
from mediane.market.guidance import challenge_guidance, solution_phrases
from mediane.market.models import Answer, AnswerStatus, Challenge, ChallengeStatus
from mediane.territories.sections import sections_for
from tests.market.factories import answer_input, challenge_input

pytestmark = pytest.mark.django_db


def _dates(opens: timedelta = timedelta(days=-1), closes: timedelta = timedelta(days=30)):
    """Naive local strings around the real clock (pages use the server's time)."""
    now = timezone.localtime(timezone.now())
    return {
        "opens_at": (now + opens).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + closes).strftime("%Y-%m-%dT%H:%M"),
    }


def _open(world, **changes):
    challenge = world.draft(**{**_dates(), **changes})
    services.challenge_submit(actor=world.city_editor, challenge=challenge)
    services.challenge_publish(actor=world.secretariat, challenge=challenge)
    challenge.refresh_from_db()
    return challenge


def _answer(world, challenge, organisation=None, editor=None):
    return services.answer_create(
        actor=editor or world.company_editor,
        challenge=challenge,
        organisation=organisation or world.company,
        data=answer_input(),
    )


def _close_now(challenge):
    """Move the closing time into the past (as if time had passed)."""
    Challenge.objects.filter(pk=challenge.pk).update(
        opens_at=timezone.now() - timedelta(days=10), closes_at=timezone.now() - timedelta(hours=1)
    )
    challenge.refresh_from_db()


# --- The checklist (pure function) ---------------------------------------------------------------

PROBLEM = (
    "De novembre à mars, la fréquentation de Lourdes chute après la saison des pèlerinages : "
    "nous ne savons pas quels visiteurs restent, où ils vont ni ce qu'ils cherchent, et les "
    "commerces du centre ferment faute de clients pendant cinq mois."
)


def test_guidance_all_done_for_a_well_written_problem():
    guidance = challenge_guidance(
        title="Où vont les visiteurs hors saison ?",
        problem=PROBLEM,
        context="5 millions de visiteurs par an",
        expected_outcomes="Augmenter les nuitées hors saison",
        budget_max="40000",
        opens_at="2030-01-01T09:00",
        closes_at="2030-02-01T17:00",
        sectors=["tourisme"],
    )
    assert [item.key for item in guidance.items if not item.done] == []
    assert guidance.complete and guidance.solution_phrases == []


def test_guidance_flags_each_missing_point():
    guidance = challenge_guidance(problem="Trop court", expected_outcomes="Un bel outil")
    missing = {item.key for item in guidance.items if not item.done}
    assert missing == {"problem", "figures", "outcomes", "budget", "timeline", "sectors"}
    assert guidance.done == 0


def test_guidance_warns_when_the_text_names_a_solution():
    problem = PROBLEM + " Nous voulons une application mobile pour les touristes."
    guidance = challenge_guidance(problem=problem, context="12 000 nuitées")
    assert guidance.solution_phrases == ["voulons une application"]
    assert not next(i for i in guidance.items if i.key == "problem").done
    assert guidance.items[1].done  # figures


@pytest.mark.parametrize(
    "text",
    [
        "Nous souhaitons développer une plateforme de réservation",
        "Il nous faut des capteurs connectés",
        "Nous avons besoin d’un tableau de bord",
        "DÉVELOPPER UN LOGICIEL",
    ],
)
def test_solution_phrases_found(text):
    assert solution_phrases(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nous voulons comprendre les flux de visiteurs",
        "Les habitants ne trouvent pas de place de stationnement",
        "L'application du règlement est difficile",
    ],
)
def test_solution_phrases_not_found_in_problems(text):
    assert solution_phrases(text) == []


# --- List ----------------------------------------------------------------------------------------


def test_list_shows_public_challenges_only_with_deadline_in_issuer_zone(client, world):
    published = _open(world, title="Flux de visiteurs hors saison")
    world.draft(title="Brouillon secret de la ville")
    response = client.get(reverse("market:challenge_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Flux de visiteurs hors saison" in body
    assert "Brouillon secret" not in body
    assert "Ville de Nevers" in body
    local = published.closes_at.astimezone(zoneinfo.ZoneInfo(published.time_zone))
    assert f"Clôture le {local.day} " in body and "(heure de Paris)" in body
    assert "10\xa0000\xa0€ à 40\xa0000\xa0€" in body


def test_list_facets_filter_and_htmx_fragment(client, world):
    _open(world, title="Défi tourisme", sectors=[world.sector.slug])
    _open(world, title="Défi sans secteur")
    response = client.get(
        reverse("market:challenge_list"), {"sector": world.sector.slug}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert "<html" not in body and 'id="challenge-body"' in body
    assert "Défi tourisme" in body and "Défi sans secteur" not in body
    assert 'value="tourisme-test" checked' in body


def test_list_issuers_see_their_drafts_in_the_list(client, world):
    world.draft(title="Brouillon de Nevers")
    client.force_login(world.city_editor)
    assert "Brouillon de Nevers" in client.get(reverse("market:challenge_list")).content.decode()
    client.force_login(world.company_editor)
    assert (
        "Brouillon de Nevers" not in client.get(reverse("market:challenge_list")).content.decode()
    )


def test_list_bad_parameters_are_ignored(client, world):
    _open(world)
    response = client.get(
        reverse("market:challenge_list"), {"page": "zzz", "status": "nope", "issuer": "x"}
    )
    assert response.status_code == 200


def test_list_query_count_does_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for i in range(3):
        _open(world, title=f"Défi {i}", sectors=[world.sector.slug])
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("market:challenge_list"))
    for i in range(3, 12):
        _open(world, title=f"Défi {i}", sectors=[world.sector.slug])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("market:challenge_list"))
    assert response.content.decode().count('class="card challenge-card"') == 12


# --- The challenge page --------------------------------------------------------------------------


def test_draft_hidden_from_anonymous_company_and_shown_to_issuer_and_secretariat(client, world):
    draft = world.draft()
    url = reverse("market:challenge", kwargs={"slug": draft.slug})
    assert client.get(url).status_code == 404
    client.force_login(world.company_editor)
    assert client.get(url).status_code == 404
    client.force_login(world.city_member)  # a member, not an editor
    assert client.get(url).status_code == 404
    for user in (world.city_editor, world.secretariat):
        client.force_login(user)
        assert client.get(url).status_code == 200


def test_buttons_follow_the_rules(client, world):
    draft = world.draft(**_dates())
    url = reverse("market:challenge", kwargs={"slug": draft.slug})
    client.force_login(world.city_editor)
    body = client.get(url).content.decode()
    assert "Soumettre au secrétariat" in body and "Publier" not in body
    services.challenge_submit(actor=world.city_editor, challenge=draft)
    body = client.get(url).content.decode()
    assert "Soumettre au secrétariat" not in body and ">Publier<" not in body
    client.force_login(world.secretariat)
    body = client.get(url).content.decode()
    assert ">Publier<" in body and "Renvoyer en brouillon" in body


def test_challenge_page_shows_viewer_zone_when_different(client, world):
    challenge = _open(world)
    world.company_editor.time_zone = "America/Toronto"
    world.company_editor.save()
    client.force_login(world.company_editor)
    body = client.get(challenge.get_absolute_url()).content.decode()
    assert "(heure de Paris)" in body and "(heure du Québec)" in body
    assert ">Répondre<" in body


def test_issuers_cannot_answer_their_own_challenge(client, world):
    challenge = _open(world)
    client.force_login(world.city_editor)
    assert ">Répondre<" not in client.get(challenge.get_absolute_url()).content.decode()
    response = client.get(reverse("market:answer_create", kwargs={"slug": challenge.slug}))
    assert response.status_code == 403


# --- Lifecycle through the pages -----------------------------------------------------------------


def test_submit_publish_through_confirmation_pages(client, world):
    draft = world.draft(**_dates())
    client.force_login(world.city_editor)
    submit = reverse("market:challenge_submit", kwargs={"slug": draft.slug})
    assert "Soumettre" in client.get(submit).content.decode()  # confirmation first
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.DRAFT
    assert client.post(submit).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.SUBMITTED
    publish = reverse("market:challenge_publish", kwargs={"slug": draft.slug})
    assert client.post(publish).status_code == 403  # issuers do not publish
    client.force_login(world.secretariat)
    queue = client.get(reverse("market:challenge_review_queue")).content.decode()
    assert draft.title in queue
    client.post(publish)
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.OPEN


def test_review_queue_is_for_the_secretariat(client, world):
    url = reverse("market:challenge_review_queue")
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(world.city_editor)
    assert client.get(url).status_code == 403


def test_return_to_draft_requires_a_reason(client, world):
    draft = world.draft(**_dates())
    services.challenge_submit(actor=world.city_editor, challenge=draft)
    client.force_login(world.secretariat)
    url = reverse("market:challenge_return", kwargs={"slug": draft.slug})
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "Ce champ est obligatoire" in response.content.decode()
    client.post(url, {"reason": "Précisez le budget."})
    draft.refresh_from_db()
    assert draft.status == ChallengeStatus.DRAFT
    client.force_login(world.city_editor)
    assert "Précisez le budget." in client.get(draft.get_absolute_url()).content.decode()


def test_submit_of_incomplete_draft_shows_why(client, world):
    draft = world.draft(opens_at=None, closes_at=None)
    client.force_login(world.city_editor)
    response = client.post(reverse("market:challenge_submit", kwargs={"slug": draft.slug}))
    assert response.status_code == 200
    assert "Indiquez la date de clôture." in response.content.decode()


# --- The guided form -----------------------------------------------------------------------------


def _form_data(world, **changes):
    data = {
        "lead_issuer": str(world.city.pk),
        "title": "Où vont les visiteurs hors saison ?",
        "summary": "Comprendre les flux",
        "problem": PROBLEM + "\n\nDeuxième paragraphe.",
        "context": "5 millions de visiteurs par an",
        "expected_outcomes": "- Connaître les visiteurs par quartier\n- Augmenter les nuitées",
        "constraints": "",
        "budget_min": "10000",
        "budget_max": "40000",
        "currency": "EUR",
        "pilot_duration_months": "6",
        "opens_at": "2030-03-01T09:00",
        "closes_at": "2030-04-01T17:00",
        "sectors": [world.sector.slug],
        "territories": world.city.territory.code,
        "contact_name": "Service innovation",
        "contact_email": "innovation@example.org",
    }
    data.update(changes)
    return data


def test_guided_form_creates_a_draft_with_dates_in_the_issuer_zone(client, world):
    client.force_login(world.city_editor)
    page = client.get(reverse("market:challenge_create")).content.decode()
    assert "Liste de vérification" in page and "Lourdes" in page  # checklist and example
    response = client.post(reverse("market:challenge_create"), _form_data(world))
    assert response.status_code == 302
    challenge = Challenge.objects.get(title="Où vont les visiteurs hors saison ?")
    assert challenge.status == ChallengeStatus.DRAFT
    assert challenge.closes_at.isoformat() == "2030-04-01T15:00:00+00:00"  # 17:00 Paris, summer
    assert challenge.problem.startswith("<p>De novembre") and "</p><p>Deuxième" in challenge.problem
    assert "<ul><li>Connaître" in challenge.expected_outcomes
    assert list(challenge.territories.all()) == [world.city.territory]
    edit = client.get(reverse("market:challenge_edit", kwargs={"slug": challenge.slug}))
    assert 'value="2030-04-01T17:00"' in edit.content.decode()
    assert "- Connaître les visiteurs" in edit.content.decode()


def test_guided_form_in_quebec_reads_dates_in_toronto_time(client, world):
    client.force_login(world.co_city_editor)
    data = _form_data(world, lead_issuer=str(world.co_city.pk), territories="")
    assert client.post(reverse("market:challenge_create"), data).status_code == 302
    challenge = Challenge.objects.get(time_zone="America/Toronto")
    assert challenge.closes_at.isoformat() == "2030-04-01T21:00:00+00:00"


def test_guided_form_bad_input_gives_form_errors_not_500(client, world):
    client.force_login(world.city_editor)
    data = _form_data(
        world,
        title="",
        budget_min="50000",
        budget_max="100",
        closes_at="pas une date",
        territories="99999",
        sectors=["inconnu"],
        contact_email="nope",
    )
    response = client.post(reverse("market:challenge_create"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Le formulaire contient des erreurs" in body
    assert "Territoire introuvable" in body
    assert not Challenge.objects.exists()
    data = _form_data(world, budget_min="50000", budget_max="100", closes_at="n'importe quoi")
    body = client.post(reverse("market:challenge_create"), data).content.decode()
    assert "Le maximum doit être supérieur ou égal au minimum." in body
    assert "Date et heure non valides" in body


def test_guided_form_warns_about_a_named_solution(client, world):
    client.force_login(world.city_editor)
    data = _form_data(world, problem="Nous voulons une application pour les touristes.")
    response = client.post(reverse("market:challenge_checklist"), data)
    body = response.content.decode()
    assert "semble nommer une solution" in body and "voulons une application" in body
    assert "<html" not in body


def test_company_cannot_open_the_creation_form(client, world):
    client.force_login(world.company_editor)
    assert client.get(reverse("market:challenge_create")).status_code == 403
    client.force_login(world.company_member)
    assert client.get(reverse("market:challenge_create")).status_code == 403


def test_forged_lead_issuer_is_refused(client, world):
    client.force_login(world.city_editor)
    data = _form_data(world, lead_issuer=str(world.co_city.pk))
    response = client.post(reverse("market:challenge_create"), data)
    assert response.status_code == 200 and not Challenge.objects.exists()


def test_co_issuers_added_and_removed_on_a_draft(client, world):
    world.city_editor.memberships.create(organisation=world.co_city, role="editor")
    draft = world.draft()
    client.force_login(world.city_editor)
    add = reverse("market:challenge_co_issuer_add", kwargs={"slug": draft.slug})
    client.post(add, {"organisation": str(world.co_city.pk)})
    assert world.co_city in draft.issuers.all()
    client.post(
        reverse(
            "market:challenge_co_issuer_remove",
            kwargs={"slug": draft.slug, "organisation_id": world.co_city.pk},
        )
    )
    assert world.co_city not in draft.issuers.all()
    client.force_login(world.company_editor)
    assert client.post(add, {"organisation": str(world.co_city.pk)}).status_code == 404


# --- Attachments ---------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_attachment_upload_download_and_refusal(client, world):
    draft = world.draft()
    client.force_login(world.city_editor)
    url = reverse("market:challenge_attachment_add", kwargs={"slug": draft.slug})
    client.post(url, {"file": SimpleUploadedFile("cahier.pdf", PDF), "title": "Cahier"})
    attachment = draft.attachments.get()
    download = reverse(
        "market:challenge_attachment", kwargs={"slug": draft.slug, "pk": attachment.pk}
    )
    response = client.get(download)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    fake = SimpleUploadedFile("faux.pdf", b"<html><script>alert(1)</script></html>")
    response = client.post(url, {"file": fake}, follow=True)
    assert "Pièce jointe refusée" in response.content.decode()
    assert draft.attachments.count() == 1
    client.logout()
    assert client.get(download).status_code == 404  # the draft is hidden, so is its file


# --- Questions -----------------------------------------------------------------------------------


def test_questions_asked_by_members_answered_by_issuers(client, world):
    challenge = _open(world)
    client.get(challenge.get_absolute_url())
    anonymous = client.get(challenge.get_absolute_url()).content.decode()
    assert "Poser la question" not in anonymous
    client.force_login(world.company_member)
    url = reverse("market:question_ask", kwargs={"slug": challenge.slug})
    client.post(url, {"question": "Les données de billetterie sont-elles disponibles ?"})
    question = challenge.questions.get()
    client.force_login(world.rival_editor)
    assert "billetterie" not in client.get(challenge.get_absolute_url()).content.decode()
    client.force_login(world.city_editor)
    answer_url = reverse(
        "market:question_answer", kwargs={"slug": challenge.slug, "pk": question.pk}
    )
    client.post(answer_url, {"answer": "Oui, par mois."})
    client.force_login(world.rival_editor)
    body = client.get(challenge.get_absolute_url()).content.decode()
    assert "billetterie" in body and "Oui, par mois." in body
    assert client.post(answer_url, {"answer": "Intrus"}).status_code == 403
    response = client.post(url, {"question": ""}, follow=True)
    assert response.status_code == 200 and "Écrivez une question" in response.content.decode()


# --- Answers -------------------------------------------------------------------------------------


def test_company_answers_edits_and_withdraws_with_confirmation(client, world):
    challenge = _open(world)
    client.force_login(world.company_editor)
    create = reverse("market:answer_create", kwargs={"slug": challenge.slug})
    page = client.get(create).content.decode()
    assert "Clôture des réponses" in page and "(heure de Paris)" in page
    response = client.post(
        create,
        {
            "organisation": str(world.company.pk),
            "approach": "Capteurs anonymes.",
            "price_min": "1000",
            "price_max": "2000",
            "currency": "EUR",
            "attachment": SimpleUploadedFile("offre.pdf", PDF),
        },
    )
    answer = Answer.objects.get()
    assert response.status_code == 302 and answer.approach == "<p>Capteurs anonymes.</p>"
    assert answer.attachments.count() == 1
    assert "Modifier ma réponse" in client.get(challenge.get_absolute_url()).content.decode()
    assert client.get(create).status_code == 302  # to the edit form
    edit = reverse("market:answer_edit", kwargs={"pk": answer.pk})
    client.post(edit, {"approach": "Nouvelle démarche.", "currency": "EUR"})
    answer.refresh_from_db()
    assert answer.approach == "<p>Nouvelle démarche.</p>"
    withdraw = reverse("market:answer_withdraw", kwargs={"pk": answer.pk})
    assert "Retirer ma réponse ?" in client.get(withdraw).content.decode()
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.SUBMITTED  # GET only asks
    client.post(withdraw)
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.WITHDRAWN
    mine = client.get(reverse("market:my_answers")).content.decode()
    assert challenge.title in mine and "Retirée" in mine


def test_answer_bad_input_gives_form_errors(client, world):
    challenge = _open(world)
    client.force_login(world.company_editor)
    create = reverse("market:answer_create", kwargs={"slug": challenge.slug})
    response = client.post(
        create,
        {
            "organisation": str(world.company.pk),
            "approach": "",
            "price_min": "9",
            "price_max": "1",
            "currency": "XXX",
        },
    )
    assert response.status_code == 200 and not Answer.objects.exists()
    assert "Le formulaire contient des erreurs" in response.content.decode()
    forged = client.post(
        create, {"organisation": str(world.rival.pk), "approach": "x", "currency": "EUR"}
    )
    assert forged.status_code == 200 and not Answer.objects.exists()


def test_company_never_sees_another_company_answer(client, world):
    challenge = _open(world)
    theirs = _answer(world, challenge, world.rival, world.rival_editor)
    mine = _answer(world, challenge)
    client.force_login(world.company_editor)
    for url in (
        reverse("market:answer_detail", kwargs={"pk": theirs.pk}),
        reverse("market:answer_edit", kwargs={"pk": theirs.pk}),
        reverse("market:answer_withdraw", kwargs={"pk": theirs.pk}),
    ):
        assert client.get(url).status_code == 404
    pages = [
        client.get(reverse("market:my_answers")),
        client.get(challenge.get_absolute_url()),
        client.get(reverse("market:challenge_list")),
        client.get(reverse("market:answer_detail", kwargs={"pk": mine.pk})),
    ]
    for page in pages:
        assert world.rival.name not in page.content.decode()
    client.force_login(world.city_editor)  # issuers who are not jurors do not read answers
    assert client.get(reverse("market:answer_detail", kwargs={"pk": mine.pk})).status_code == 404
    client.force_login(world.company_member)
    assert client.get(reverse("market:answer_detail", kwargs={"pk": mine.pk})).status_code == 200
    assert client.post(reverse("market:answer_withdraw", kwargs={"pk": mine.pk})).status_code == 403
    client.force_login(world.secretariat)
    assert client.get(reverse("market:answer_detail", kwargs={"pk": theirs.pk})).status_code == 200


def test_deadline_is_visible_and_enforced_in_the_pages(client, world):
    challenge = _open(world)
    answer = _answer(world, challenge)
    _close_now(challenge)  # the periodic close has not run: still "open" in the database
    assert challenge.status == ChallengeStatus.OPEN
    client.force_login(world.company_editor)
    page = client.get(challenge.get_absolute_url()).content.decode()
    assert "La date de clôture est passée" in page and "Modifier ma réponse" not in page
    assert "Voir ma réponse" in page
    edit = reverse("market:answer_edit", kwargs={"pk": answer.pk})
    body = client.get(edit).content.decode()
    assert "Les réponses ne sont plus acceptées." in body and "<textarea" not in body
    client.post(edit, {"approach": "Trop tard.", "currency": "EUR"})
    answer.refresh_from_db()
    assert "Trop tard" not in answer.approach
    response = client.post(reverse("market:answer_withdraw", kwargs={"pk": answer.pk}))
    assert response.status_code == 200 and "clos" in response.content.decode()
    answer.refresh_from_db()
    assert answer.status == AnswerStatus.SUBMITTED
    client.force_login(world.rival_editor)
    create = reverse("market:answer_create", kwargs={"slug": challenge.slug})
    client.post(create, {"organisation": str(world.rival.pk), "approach": "x", "currency": "EUR"})
    assert not Answer.objects.filter(organisation=world.rival).exists()


def test_challenge_attachment_of_a_closed_challenge_cannot_be_added(client, world):
    challenge = _open(world)
    _close_now(challenge)
    services.challenges_close_due()
    client.force_login(world.city_editor)
    url = reverse("market:challenge_attachment_add", kwargs={"slug": challenge.slug})
    response = client.post(url, {"file": SimpleUploadedFile("a.pdf", PDF)}, follow=True)
    assert response.status_code == 200 and "Pièce jointe refusée" in response.content.decode()


def test_answer_attachment_download_checks_the_rule(client, world):
    challenge = _open(world)
    answer = _answer(world, challenge)
    attachment = services.answer_attach(
        actor=world.company_editor, answer=answer, file=BytesIO(PDF), name="offre.pdf"
    )
    url = reverse(
        "market:answer_attachment", kwargs={"pk": answer.pk, "attachment_pk": attachment.pk}
    )
    client.force_login(world.company_member)
    response = client.get(url)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    client.force_login(world.rival_editor)
    assert client.get(url).status_code == 404


# --- Sections ------------------------------------------------------------------------------------


def test_joint_challenge_appears_on_each_issuer_territory_and_organisation_page(client, rf, world):
    world.city_editor.memberships.create(organisation=world.co_city, role="editor")
    challenge = services.challenge_create(
        actor=world.city_editor,
        lead_issuer=world.city,
        data=challenge_input(**_dates()),
        co_issuers=[world.co_city],
    )
    services.challenge_submit(actor=world.city_editor, challenge=challenge)
    request = rf.get("/")
    from django.contrib.auth.models import AnonymousUser

    request.user = AnonymousUser()
    for territory in (world.city.territory, world.co_city.territory):
        keys = [s["key"] for s in sections_for(request, territory)]
        assert "challenges" not in keys  # submitted: not public yet
    services.challenge_publish(actor=world.secretariat, challenge=challenge)
    for territory in (world.city.territory, world.co_city.territory):
        sections = {s["key"]: s for s in sections_for(request, territory)}
        assert challenge in sections["challenges"]["context"]["challenges"]
    for organisation in (world.city, world.co_city):
        body = client.get(organisation.get_absolute_url()).content.decode()
        assert "Défis émis" in body and challenge.title in body


def test_the_decision_and_the_pilot_report_are_public_but_not_the_answers(world, client):
    from mediane.market.inputs import PilotReportInput

    challenge, (winner, other) = world.evaluation()
    services.jury_close(actor=world.city_editor, challenge=challenge)
    services.challenge_decide(
        actor=world.city_editor,
        challenge=challenge,
        awarded={winner.pk: "Meilleure adéquation au problème."},
        note="Deux réponses, une retenue.",
    )
    url = reverse("market:challenge", args=[challenge.slug])
    page = client.get(url).content.decode()
    assert "Résultat" in page and winner.organisation.name in page
    assert "Meilleure adéquation au problème." in page and "Deux réponses, une retenue." in page
    assert other.organisation.name not in page.split('id="result-title"')[1].split("</section>")[0]
    assert "Bilan de l’expérimentation" not in page

    services.challenge_start_pilot(actor=world.city_editor, challenge=challenge)
    services.pilot_report_submit(
        actor=world.city_editor,
        challenge=challenge,
        data=PilotReportInput(
            outcome="<p>Comptages fiables dès le deuxième mois.</p>",
            contract_signed=True,
            amount=38000,
            lessons="<p>Associer l'office de tourisme dès le début.</p>",
        ),
    )
    page = client.get(url).content.decode()
    assert "Comptages fiables dès le deuxième mois." in page and "Contrat signé" in page
    assert winner.approach not in page  # the answer itself stays confidential
