"""`mediane demo`, support part: requests in every state through the real services, the
overdue ones on the follow-up page, and a second load that changes nothing."""

from __future__ import annotations

import pytest

from mediane.support import selectors
from mediane.support.models import SupportRequest
from tests.demo.loading import run_demo

pytestmark = pytest.mark.django_db


def test_requests_in_every_state(demo_loaded):
    requests = SupportRequest.objects.filter(is_demo=True)
    assert set(requests.values_list("status", flat=True)) == {
        "new",
        "routed",
        "taken",
        "closed",
        "cancelled",
    }
    closed = requests.get(status="closed")
    assert closed.satisfaction == 5 and closed.expert.user.email == "expert@example.org"
    assert requests.filter(status="taken").first().messages.exists()


def test_follow_up_shows_untaken_and_silent_requests(demo_loaded):
    from mediane.accounts.models import User

    secretariat = User.objects.get(email="secretariat@example.org")
    page = selectors.follow_up_for(secretariat)
    assert {r.subject for r in page["untaken"]} == {
        "Tableau de bord de la fréquentation touristique",
        "Designer textile anglophone pour une collection export",
    }
    assert [r.subject for r in page["stale"]] == ["Schéma directeur de la donnée"]


def test_second_load_changes_nothing(demo_loaded):
    before = SupportRequest.objects.count()
    run_demo()
    assert SupportRequest.objects.count() == before
