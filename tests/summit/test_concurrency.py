"""Manual moves under concurrency: two organisers move two meetings of the same participant into
the same free slot at the same moment; only one move may pass, else that participant has two
meetings at once (found by the mixed load test, bench/load/).

PostgreSQL only: each thread has its own connection and both checks really run side by side.
On SQLite every write transaction starts IMMEDIATE and already waits for the other to end."""

from __future__ import annotations

import contextlib
import threading

import pytest
from django.db import connection

from mediane.core.errors import ValidationFailed
from mediane.summit import scheduling, services
from mediane.summit.models import Meeting
from tests.summit.factories import make_summit

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgresql_only():  # type: ignore[no-untyped-def]
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises write transactions (BEGIN IMMEDIATE)")


def test_two_moves_into_one_slot_do_not_double_book_a_participant(monkeypatch):
    summit = make_summit()
    p = summit.people
    for other in (p[1], p[2]):
        request = services.request_send(actor=p[0].user, sender=p[0], recipient=other)
        services.request_answer(actor=other.user, request=request, accept=True)
    started = scheduling.schedule_run_start(
        actor=summit.secretariat, edition=summit.edition, time_limit=10, fairness=2
    )
    result = scheduling.run_execute(started.pk)
    meetings = list(result.meetings.select_related("edition", "first", "second"))
    assert len(meetings) == 2 and all(m.slot_id for m in meetings)
    busy = {m.slot_id for m in meetings}
    target = next(
        s
        for s in summit.edition.slots.order_by("starts_at")
        if s.pk not in busy and all(not scheduling.move_problems(m, s, None) for m in meetings)
    )

    # Both checks run before either move is written, as they would under load.
    barrier = threading.Barrier(2)
    original = scheduling._move_check

    def check_then_wait(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = original(*args, **kwargs)
        # Broken barrier: the other move waits for this one (the run's lock), go on alone.
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait(timeout=3)
        return found

    monkeypatch.setattr(scheduling, "_move_check", check_then_wait)
    outcomes: list[str] = []

    def move(meeting: Meeting) -> None:
        try:
            scheduling.meeting_move(actor=summit.host_editor, meeting=meeting, slot=target)
            outcomes.append("moved")
        except ValidationFailed as error:
            outcomes.append(error.message)
        except Exception as error:  # e.g. both took the same free table: IntegrityError
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=move, args=(m,)) for m in meetings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes)[-1] == "moved" and outcomes.count("moved") == 1, outcomes
    assert any("a déjà un rendez-vous" in o for o in outcomes), outcomes
    in_target = Meeting.objects.filter(run=result, slot=target)
    assert in_target.count() == 1
