"""Journey: a juror declares no conflict and scores an answer; the jury is closed; the ranking
shows. The challenge, its answers and its jury are set up through the market services."""

from __future__ import annotations

import re

import pytest

from tests.directory.factories import PASSWORD
from tests.market.factories import make_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")


def test_juror_scores_then_jury_closes_and_ranking_shows(page, screenshot):
    world = make_world()
    challenge, (answer, _rival_answer) = world.evaluation(jurors=[world.expert])
    base = page.base_url + f"/defis/{challenge.slug}"

    # The juror declares no conflict with one candidate and a conflict with the other.
    log_in(page, world.expert)
    page.goto(base + "/evaluation/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Mon évaluation"
    assert page.get_by_text("0 / 0 réponses notées").is_visible()
    company = page.locator("fieldset.market-declaration", has_text="Flux Pyrénées")
    company.get_by_label("Aucun conflit d'intérêts").check()
    rival = page.locator("fieldset.market-declaration", has_text="Compteurs du Nord")
    rival.get_by_label(re.compile("^Conflit d'intérêts")).check()
    screenshot(page, "declarations")
    page.get_by_role("button", name="Enregistrer mes déclarations").click()
    page.get_by_text("0 / 1 réponses notées").wait_for()
    assert page.get_by_role("link", name="Compteurs du Nord").count() == 0

    # One answer at a time: a mark per criterion, and a comment.
    page.get_by_role("link", name="Flux Pyrénées").click()
    page.wait_for_url(re.compile(r"/evaluation/reponses/\d+/$"))
    assert page.get_by_text("Capteurs anonymes").is_visible()  # the answer is readable
    marks = page.locator("fieldset.market-mark")
    assert marks.count() == 5
    for i in range(marks.count()):
        marks.nth(i).get_by_label("4", exact=True).check()
    page.get_by_label("Commentaire sur « Prix »").fill("Prix raisonnable pour une ville moyenne")
    screenshot(page, "scoring")
    page.get_by_role("button", name="Enregistrer mes notes").click()
    page.get_by_text("1 / 1 réponses notées").wait_for()
    # Before the jury closes, the juror has no ranking.
    assert page.goto(base + "/classement/").status == 403
    page.get_by_role("button", name="Se déconnecter").click()

    # The city's editor closes the jury after a confirmation step.
    log_in(page, world.city_editor)
    page.goto(base + "/jury/")
    page.get_by_role("link", name="Clore le jury").click()
    page.wait_for_url(re.compile(r"/jury/clore/$"))
    screenshot(page, "close")
    page.get_by_role("button", name="Clore le jury définitivement").click()
    page.wait_for_url(re.compile(r"/classement/$"))

    # The ranking: the weighted mean, the juror's marks and comments.
    table = page.get_by_role("table", name="Classement")
    row = table.get_by_role("row", name=re.compile("Flux Pyrénées"))
    assert "4,00" in row.inner_text()
    page.get_by_text(re.compile("Flux Pyrénées — 1 juré")).click()
    assert page.get_by_text("Prix raisonnable pour une ville moyenne").is_visible()
    screenshot(page, "ranking")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "ranking-narrow")
    assert not page.js_errors
