"""`mediane demo`, support part: requests in every state through the real services, the
overdue ones on the follow-up page, and a second load that changes nothing."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from mediane.demo import summit_data
from mediane.demo.loader import Loader
from mediane.support import selectors
from mediane.support.models import SupportRequest

pytestmark = pytest.mark.django_db


def run_demo() -> None:
    # The other cooperation apps' steps are theirs to test; the summit schedule is slow.
    with (
        mock.patch.object(summit_data, "load_summit_schedule", lambda loader: None),
        mock.patch.object(Loader, "load_cooperation", lambda self: None),
        mock.patch.object(Loader, "load_solutions", lambda self: None),
        mock.patch.object(Loader, "load_incubation", lambda self: None),
        mock.patch.object(Loader, "load_tierslieux", lambda self: None),
    ):
        call_command("demo", territories="minimal", stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    folder = tmp_path_factory.mktemp("support-demo")
    storages = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "private"), "base_url": None},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
            DATAHUB_ROOT=folder / "datahub",
            STORAGES=storages,
        ),
        transaction.atomic(),
    ):
        run_demo()
        yield
        transaction.set_rollback(True)


def test_requests_in_every_state(loaded):
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


def test_follow_up_shows_untaken_and_silent_requests(loaded):
    from mediane.accounts.models import User

    secretariat = User.objects.get(email="secretariat@example.org")
    page = selectors.follow_up_for(secretariat)
    assert {r.subject for r in page["untaken"]} == {
        "Tableau de bord de la fréquentation touristique",
        "Designer textile anglophone pour une collection export",
    }
    assert [r.subject for r in page["stale"]] == ["Schéma directeur de la donnée"]


def test_second_load_changes_nothing(loaded):
    before = SupportRequest.objects.count()
    run_demo()
    assert SupportRequest.objects.count() == before
