"""Double bookings under concurrency: several people POST the same slot at the same moment
through a live server (one session each, parallel threads); exactly one booking per unit is
made, the others get the clear French message, and the slot table holds no duplicate.

On PostgreSQL (DATABASE_URL=postgresql://...) each request thread of the live server has its
own connection and the requests really run side by side: the unique constraint decides. The
SQLite test database lives in memory and the live server shares ONE connection between its
threads (Django's documented limitation), which cannot run two transactions at once: there the
server takes the requests one at a time (as SQLite's single writer would), the clients still
send them together."""

from __future__ import annotations

import re
import threading

import pytest
import requests
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connection
from django.test import Client

from mediane.tierslieux.models import Booking, BookingSlot, BookingStatus
from tests.accounts.factories import MembershipFactory
from tests.tierslieux.factories import at, make_resource, make_space

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 6


def session_for(user, base: str, path: str) -> tuple[requests.Session, str]:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    session = requests.Session()
    session.headers["Connection"] = "close"  # one request per connection and server thread
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    page = session.get(base + path, timeout=30)
    assert page.status_code == 200
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    return session, token.group(1)


@pytest.fixture
def one_writer_on_memory_sqlite(monkeypatch):  # type: ignore[no-untyped-def]
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        lock = threading.Lock()
        original = ThreadedWSGIServer.process_request_thread

        def one_at_a_time(self, request, client_address):  # type: ignore[no-untyped-def]
            with lock:
                original(self, request, client_address)

        monkeypatch.setattr(ThreadedWSGIServer, "process_request_thread", one_at_a_time)


@pytest.mark.parametrize("capacity", [1, 2])
def test_parallel_requests_for_the_same_slot(live_server, one_writer_on_memory_sqlite, capacity):
    space = make_space()
    resource = make_resource(space, name=f"Salle {capacity}", capacity=capacity)
    people = [MembershipFactory(organisation=space.organisation).user for _ in range(PEOPLE)]
    path = f"/tiers-lieux/{resource.slug}/reserver/"
    sessions = [session_for(person, live_server.url, path) for person in people]
    start = at(resource, 10)
    data = {"date": start.date().isoformat(), "start": "10:00", "end": "11:00", "action": "confirm"}
    barrier = threading.Barrier(PEOPLE)
    results: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post(session: requests.Session, token: str) -> None:
        barrier.wait()
        for attempt in (1, 2):
            try:
                response = session.post(
                    live_server.url + path,
                    data={**data, "csrfmiddlewaretoken": token},
                    allow_redirects=False,
                    timeout=60,
                )
            except requests.ConnectionError:
                # The test server once dropped a connection without answering on a loaded
                # machine: the person sends the form again, as a browser would let them.
                if attempt == 2:
                    raise
                continue
            with lock:
                results.append((response.status_code, response.text))
            return

    threads = [threading.Thread(target=post, args=pair) for pair in sessions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    codes = sorted(code for code, _text in results)
    assert codes == [302] * capacity + [422] * (PEOPLE - capacity), codes
    for code, text in results:
        if code == 422:
            assert "Ce créneau" in text and "réservé" in text
    assert (
        Booking.objects.filter(resource=resource, status=BookingStatus.CONFIRMED).count()
        == capacity
    )
    slots = list(BookingSlot.objects.filter(resource=resource).values_list("unit", "start"))
    assert len(slots) == len(set(slots)) == 2 * capacity
    assert {unit for unit, _start in slots} == set(range(1, capacity + 1))
