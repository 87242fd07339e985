"""Periodic jobs: due jobs are enqueued once per interval, whatever the number of workers."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mediane.core import periodic
from mediane.core.models import PeriodicRun
from mediane.market.tasks import close_due_challenges

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def only_close_due(monkeypatch):
    monkeypatch.setattr(periodic, "_JOBS", {})
    periodic.register_periodic(
        "test.close_due", every=timedelta(minutes=5), task=close_due_challenges
    )


def _enqueued() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="close_due_challenges").count()


def test_a_due_job_is_enqueued_once_per_interval(only_close_due):
    now = timezone.now()
    assert periodic.tick(now) == ["test.close_due"]
    assert _enqueued() == 1
    # A second worker ticking at the same moment, or the same one a minute later: nothing.
    assert periodic.tick(now) == []
    assert periodic.tick(now + timedelta(minutes=1)) == []
    assert _enqueued() == 1
    run = PeriodicRun.objects.get(name="test.close_due")
    assert run.next_run_at == now + timedelta(minutes=5)
    assert periodic.tick(now + timedelta(minutes=5)) == ["test.close_due"]
    assert _enqueued() == 2


def test_the_apps_register_their_jobs():
    jobs = periodic.registered_jobs()
    assert jobs["market.close_due"].every == timedelta(minutes=1)
    assert jobs["market.matching_profiles"].every == timedelta(minutes=15)
    assert jobs["notifications.digests.daily"].args == ("daily",)
    assert jobs["notifications.digests.weekly"].args == ("weekly",)
