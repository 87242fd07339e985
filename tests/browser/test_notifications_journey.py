"""Journey: follow an organisation with the button, then read a notification in the centre."""

from __future__ import annotations

import re

import pytest

from mediane.notifications.models import Follow
from mediane.notifications.services import notify
from tests.accounts.factories import PASSWORD, OrganisationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_follow_then_read_a_notification(page, screenshot):
    user = UserFactory(email="suivi@example.org", full_name="Sonia Suivi")
    org = OrganisationFactory(name="Laines des Gaves", slug="laines-des-gaves")
    page.goto(page.base_url + "/comptes/connexion/")
    page.fill("input[name='username']", user.email)
    page.fill("input[name='password']", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(page.base_url + "/")

    page.goto(page.base_url + org.get_absolute_url())
    page.get_by_role("button", name=re.compile("^Suivre")).click()
    page.get_by_role("button", name=re.compile("^Ne plus suivre")).wait_for()
    assert page.url.endswith(org.get_absolute_url())  # swapped in place by htmx
    assert Follow.objects.filter(user=user, organisation=org).exists()
    screenshot(page, "followed")

    notify(recipients=[user], topic="challenge", verb="opened", title="Nouveau défi : laine")
    page.goto(page.base_url + "/")
    page.get_by_role("link", name=re.compile("Notifications")).click()
    page.wait_for_url(re.compile(r"/notifications/$"))
    assert page.get_by_text("1 notification non lue").is_visible()
    page.get_by_role("button", name=re.compile("Marquer comme lue")).click()
    page.get_by_role("button", name=re.compile("Marquer comme lue")).wait_for(state="detached")
    screenshot(page, "centre")
    assert not page.js_errors
