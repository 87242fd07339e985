"""Two hosts' editors accepting at the same time cannot both take the last place.

Runs on SQLite (writes are serialised) and on PostgreSQL (the host's organisation row is locked
with SELECT ... FOR UPDATE inside the acceptance's transaction)."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.utils import timezone

from mediane.core.errors import Conflict
from mediane.incubation import services
from mediane.incubation.models import RequestStatus, SoftLandingRequest
from tests.incubation.factories import agreement, incubator, person, startup


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_acceptances_take_one_place(monkeypatch):
    today = timezone.localdate()
    home = incubator("Inkub")
    host = incubator("Incubateur de Shawinigan", "QC")
    deal = agreement(home, host, start=today - timedelta(days=1))
    editors = [person(host, "editor"), person(host, "editor")]
    services.capacity_set(
        actor=editors[0], host=host, start=today, end=today + timedelta(days=60), places=1
    )
    requests = []
    for name in ("Première", "Seconde"):
        young = startup(name)
        requests.append(
            services.request_create(
                actor=person(young, "editor"),
                startup=young,
                agreement=deal,
                home=home,
                start=today + timedelta(days=5),
                end=today + timedelta(days=9),
                needs=["desk"],
            )
        )

    # Widen the window between the capacity check and the write: without the host's row lock,
    # both acceptances would pass their check before either is written.
    check = services.check_capacity

    def slow_check(**kwargs):  # type: ignore[no-untyped-def]
        check(**kwargs)
        time.sleep(0.3)

    monkeypatch.setattr(services, "check_capacity", slow_check)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept(editor, request) -> None:  # type: ignore[no-untyped-def]
        try:
            barrier.wait(timeout=10)
            for _attempt in range(50):
                try:
                    services.request_accept(actor=editor, request=request)
                    outcomes.append("accepted")
                    return
                except Conflict as error:
                    outcomes.append(error.code)
                    return
                except OperationalError as error:  # SQLite's shared-cache lock: try again
                    if "locked" not in str(error):
                        raise
                    time.sleep(0.05)
            outcomes.append("gave up")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=accept, args=(editor, request))
        for editor, request in zip(editors, requests, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["accepted", "capacity_exceeded"]
    statuses = sorted(SoftLandingRequest.objects.values_list("status", flat=True))
    assert statuses == sorted([RequestStatus.ACCEPTED, RequestStatus.REQUESTED])
