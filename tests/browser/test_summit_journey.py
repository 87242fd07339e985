"""Journey: a participant marks another "must meet" (htmx, no reload); the organiser runs the
scheduler (the progress fragment polls until the run ends, then the review shows) and
publishes; the participant reads their agenda and downloads it."""

from __future__ import annotations

import re

import pytest

from mediane.summit import services
from mediane.summit.models import MeetingWish, RunStatus, ScheduleRun
from tests.directory.factories import PASSWORD
from tests.summit.factories import make_summit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:  # type: ignore[no-untyped-def]
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")


def log_out(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Se déconnecter").click()


def test_mark_run_publish_and_read_agenda(page, screenshot):
    summit = make_summit(people=5)
    me, other, third = summit.people[:3]
    request = services.request_send(actor=third.user, sender=third, recipient=me)
    services.request_answer(actor=me.user, request=request, accept=True)
    base = page.base_url + f"/sommet/{summit.edition.slug}"

    # The participant marks another one "must meet" from the participants' list.
    log_in(page, me.user)
    page.goto(base + "/participants/")
    assert page.get_by_role("heading", level=1).inner_text().strip() == "Qui rencontrer ?"
    row = page.locator("li.summit-participant", has_text=other.display_name).last
    row.get_by_label("À rencontrer absolument").check()
    row.get_by_role("status").wait_for(state="attached")
    screenshot(page, "participants")
    assert MeetingWish.objects.get(author=me, target=other).level == "must"
    assert not page.js_errors, page.js_errors
    log_out(page)

    # The organiser runs the scheduler; the worker (here: this test) runs the queued task.
    log_in(page, summit.host_editor)
    page.goto(base + "/organisation/planning/")
    page.get_by_label("Temps de calcul maximal (secondes)").fill("10")
    page.get_by_role("button", name="Lancer le calcul").click()
    page.locator("#run-progress").wait_for()
    screenshot(page, "running")
    from mediane.summit.scheduling import run_execute

    run = ScheduleRun.objects.get(edition=summit.edition)
    run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.error
    # The polling fragment notices the end and reloads the page: the draft shows.
    page.get_by_role("heading", name="Brouillon à relire").wait_for()
    assert page.get_by_text(f"{run.scheduled} / {run.requested}").is_visible()
    screenshot(page, "review")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Publier le planning").click()
    page.get_by_text("Planning publié : chaque participant voit son agenda.").wait_for()
    log_out(page)

    # The participant reads the agenda: both meetings, with the other party and the table.
    log_in(page, me.user)
    page.goto(base + "/agenda/")
    table = page.locator("table.table")
    table.first.wait_for()
    text = page.locator("main").inner_text()
    assert other.display_name in text and third.display_name in text
    assert re.search(r"Table \d+", text)
    screenshot(page, "agenda")
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger en PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert not page.js_errors, page.js_errors
