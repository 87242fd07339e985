"""Journey: accept a soft-landing request. The host incubator's editor logs in, opens the
requests received, opens the pending one, accepts it, and sees the stay scheduled; the start-up's
editor then finds the notification and the accepted stay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from mediane.incubation import services
from mediane.incubation.models import RequestStatus, SoftLandingRequest
from mediane.notifications.models import Notification
from tests.accounts.factories import PASSWORD
from tests.browser.test_summit_journey import log_out
from tests.incubation.factories import agreement, incubator, person, startup

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, user) -> None:  # type: ignore[no-untyped-def]
    """As the summit journey's, with the password of tests/accounts/factories.py."""
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")


def test_accept_a_soft_landing_request(page, screenshot):
    today = timezone.localdate()
    inkub = incubator("Inkub")
    host = incubator("Incubateur de Shawinigan", "QC")
    deal = agreement(inkub, host, start=today - timedelta(days=60))
    young = startup("Laine connectée")
    founder = person(young, "editor")
    host_editor = person(host, "editor")
    services.capacity_set(
        actor=host_editor, host=host, start=today, end=today + timedelta(days=120), places=1
    )
    start = today + timedelta(days=14)
    pending = services.request_create(
        actor=founder,
        startup=young,
        agreement=deal,
        home=inkub,
        start=start,
        end=start + timedelta(days=9),
        needs=["desk", "mentoring"],
        message="Nous voulons rencontrer les filatures de la Mauricie.",
    )

    log_in(page, host_editor)
    page.goto(page.base_url + "/incubateurs/")
    page.get_by_role("link", name="Demandes reçues").click()
    page.get_by_role("heading", name="Demandes d’accueil reçues").wait_for()
    screenshot(page, "inbox")
    to_decide = page.locator("table", has=page.get_by_text("Demandes en attente de votre décision"))
    to_decide.get_by_role("link", name="Laine connectée").click()
    page.get_by_role("heading", name="Laine connectée chez Incubateur de Shawinigan").wait_for()
    assert page.locator("#request-status").inner_text().strip() == "Demandé"
    page.get_by_label("Message à la start-up (facultatif)").fill("Bienvenue en Mauricie !")
    page.get_by_role("button", name="Accepter la demande").click()
    page.get_by_text("Séjour accepté : il est planifié et la start-up est prévenue.").wait_for()
    assert page.locator("#request-status").inner_text().strip() == "Accepté"
    assert page.get_by_role("term").filter(has_text="Séjour").count() == 1
    assert "10 jours" in page.locator("#stay-dates").inner_text()
    assert page.get_by_role("button", name="Accepter la demande").count() == 0
    screenshot(page, "accepted")
    assert not page.js_errors

    pending.refresh_from_db()
    assert pending.status == RequestStatus.ACCEPTED
    notice = Notification.objects.get(recipient=founder, verb="request_accepted")
    assert notice.topic == "incubation" and notice.url == pending.get_absolute_url()

    # the inbox now lists the stay as scheduled
    page.goto(page.base_url + "/incubateurs/accueil/")
    scheduled = page.locator("table", has=page.get_by_text("Start-up attendues ou présentes"))
    assert scheduled.get_by_role("link", name="Laine connectée").count() == 1

    log_out(page)
    log_in(page, founder)
    page.goto(page.base_url + "/notifications/")
    page.get_by_text("Incubateur de Shawinigan accueille Laine connectée").first.click()
    page.get_by_role("heading", name="Laine connectée chez Incubateur de Shawinigan").wait_for()
    assert page.locator("#request-status").inner_text().strip() == "Accepté"
    assert "Bienvenue en Mauricie !" in page.content()
    screenshot(page, "startup")
    assert SoftLandingRequest.objects.filter(status=RequestStatus.ACCEPTED).count() == 1
