"""A process killed with SIGKILL in the middle of long work leaves no half-written state: the
task is run again or marked failed with its reason, nothing is sent twice
(core/recovery.py, core/task_recovery.py, core/atomic_files.py; docs/operations.md,
« Interruption et reprise des tâches »).

The end-to-end tests start real `mediane worker` / `mediane serve` processes on the test's own
database (a copy of SQLite's in-memory test database into a file, or PostgreSQL's test database),
kill them with SIGKILL while the work is observably under way, start a new worker and look at
the database, the files and the e-mails.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from mediane.core import heartbeat, recovery, task_recovery
from mediane.core.atomic_files import PARTIAL_SUFFIX, save_atomically
from mediane.datahub import services as datahub_services
from mediane.datahub.models import DatasetVersion, VersionStatus
from mediane.datahub.tasks import process_version
from tests.datahub.factories import dataset, make_hub
from tests.processes import alive, descendants, free_port, session_database_url

pytestmark = pytest.mark.django_db(transaction=True)

PROJECT = Path(__file__).resolve().parents[2]
STALE = 2  # MEDIANE_WORKER_STALE_SECONDS of the processes: a dead worker is found in 2-3 s
DB_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


# --- the decision alone ---------------------------------------------------------------------

NOW = timezone.now()


def running(worker_ids: tuple[str, ...], started_ago: float = 60, path: str = "a.b.c"):  # type: ignore[no-untyped-def]
    return recovery.RunningTask(
        id="t",
        task_path=path,
        worker_ids=worker_ids,
        started_at=NOW - timedelta(seconds=started_ago),
    )


def decide(tasks, heartbeats, retryable=("a.b.c",), max_attempts=3):  # type: ignore[no-untyped-def]
    return recovery.decide(
        tasks,
        heartbeats=heartbeats,
        retryable=retryable,
        now=NOW,
        stale=timedelta(seconds=120),
        max_attempts=max_attempts,
    )


def test_decision_leaves_the_tasks_of_living_workers_alone():
    alive = {"w1": NOW - timedelta(seconds=10)}
    assert decide([running(("w1",))], alive) == []
    # A worker that has just claimed a task may not have beaten yet.
    assert decide([running(("w2",), started_ago=5)], alive) == []


def test_decision_retries_a_retryable_task_of_a_dead_worker_until_the_maximum():
    dead = {"w1": NOW - timedelta(seconds=500)}
    [decision] = decide([running(("w1",))], dead)
    assert (decision.action, decision.attempts) == (recovery.Action.RETRY, 1)
    # A worker with no heartbeat row long after the claim is gone too.
    [decision] = decide([running(("w0", "w9"), started_ago=500)], {})
    assert (decision.action, decision.attempts) == (recovery.Action.RETRY, 2)
    [decision] = decide([running(("w0", "w8", "w1"))], dead)
    assert (decision.action, decision.attempts) == (recovery.Action.FAIL, 3)
    [decision] = decide([running(("w1",), path="x.y.z")], dead)  # not declared retryable
    assert decision.action == recovery.Action.FAIL


def test_heartbeat_is_frequent_enough_for_the_stale_delay(settings):
    settings.WORKER_STALE_SECONDS = 2
    assert heartbeat.heartbeat_seconds() <= 0.5
    settings.WORKER_STALE_SECONDS = 120
    assert heartbeat.heartbeat_seconds() == heartbeat.HEARTBEAT_SECONDS
    assert len(heartbeat.worker_id()) <= 64  # django_tasks_db's limit for a worker id


# --- the service, in process -----------------------------------------------------------------


def _claim(task_result: Any, worker: str, *, ago: float) -> DBTaskResult:
    row = DBTaskResult.objects.get(pk=task_result.id)
    row.claim(worker)
    DBTaskResult.objects.filter(pk=row.pk).update(
        started_at=timezone.now() - timedelta(seconds=ago)
    )
    row.refresh_from_db()
    return row


def test_recovery_requeues_then_fails_a_version_whose_worker_died(settings):
    settings.TASKS = DB_BACKEND
    settings.TASK_MAX_ATTEMPTS = 2
    hub = make_hub()
    version = datahub_services.version_upload(
        actor=hub.editor, dataset=dataset(hub), file=io.BytesIO(b"a,b\n1,2\n"), filename="d.csv"
    )
    row = DBTaskResult.objects.get(task_path=process_version.module_path)
    old = timezone.now() - timedelta(hours=1)
    heartbeat.beat(worker="host:1", started_at=old, now=old)  # a worker silent for an hour
    heartbeat.beat(worker="host:3", started_at=timezone.now())  # a living one
    row = _claim(row.task_result, "host:1", ago=3600)
    DatasetVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PROCESSING)

    report = task_recovery.recover()
    assert report.retried == [str(row.pk)] and report.failed == []
    row.refresh_from_db()
    version.refresh_from_db()
    assert row.status == TaskResultStatus.READY
    assert version.status == VersionStatus.PENDING
    assert task_recovery.recover().retried == []  # nothing more to do

    # Second attempt, the worker dies again: the maximum is reached.
    row = _claim(row.task_result, "host:2", ago=3600)
    DatasetVersion.objects.filter(pk=version.pk).update(status=VersionStatus.PROCESSING)
    report = task_recovery.recover()
    assert report.failed == [str(row.pk)]
    row.refresh_from_db()
    version.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == task_recovery.INTERRUPTED_EXCEPTION
    assert "Interrompu : le processus de travail s'est arrêté" in row.traceback
    assert row.worker_ids == ["host:1", "host:2"]
    assert version.status == VersionStatus.FAILED
    assert version.error == "Interrompu : le processus de travail s'est arrêté"

    # The task of the living worker is not touched.
    other = datahub_services.version_upload(
        actor=hub.editor,
        dataset=dataset(hub, "Autre"),
        file=io.BytesIO(b"a\n1\n"),
        filename="e.csv",
    )
    live = DBTaskResult.objects.filter(status=TaskResultStatus.READY).get()
    _claim(live.task_result, "host:3", ago=3600)
    assert not task_recovery.recover().failed
    assert DBTaskResult.objects.get(pk=live.pk).status == TaskResultStatus.RUNNING
    assert DatasetVersion.objects.get(pk=other.pk).status == VersionStatus.PENDING


def test_a_version_committed_without_its_task_is_queued(settings):
    settings.TASKS = DB_BACKEND
    hub = make_hub()
    version = datahub_services.version_upload(
        actor=hub.editor, dataset=dataset(hub), file=io.BytesIO(b"a,b\n1,2\n"), filename="d.csv"
    )
    DBTaskResult.objects.all().delete()  # the process died between the commit and the queueing
    DatasetVersion.objects.filter(pk=version.pk).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    assert task_recovery.recover().swept["datahub.versions"] == 1
    assert DBTaskResult.objects.get().args_kwargs["args"] == [version.pk]
    assert task_recovery.recover().swept["datahub.versions"] == 0  # queued once


def test_scheduler_run_of_a_dead_worker_fails_with_its_reason(settings):
    from mediane.summit.models import RunStatus
    from mediane.summit.scheduling import schedule_run_start
    from mediane.summit.tasks import run_scheduler
    from tests.summit.factories import make_summit

    settings.TASKS = DB_BACKEND
    summit = make_summit(people=2)
    run = schedule_run_start(actor=summit.secretariat, edition=summit.edition, time_limit=10)
    row = DBTaskResult.objects.get(task_path=run_scheduler.module_path)
    _claim(row.task_result, "gone:1", ago=3600)  # no heartbeat row at all
    type(run).objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    assert task_recovery.recover().failed == [str(row.pk)]  # not retryable
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "Interrompu : le processus de travail s'est arrêté"


def test_atomic_save_and_the_clean_up_of_leftovers(settings, tmp_path):
    from django.core.files.storage import storages

    from mediane.datahub.interruptions import uploads_sweep

    storage = storages["private"]
    name = save_atomically(storage, "datahub/1/1/donnees.csv", io.BytesIO(b"x" * 100_000))
    assert name == "datahub/1/1/donnees.csv"
    assert Path(storage.path(name)).read_bytes() == b"x" * 100_000
    again = save_atomically(storage, "datahub/1/1/donnees.csv", io.BytesIO(b"y"))
    assert again != name and Path(storage.path(again)).read_bytes() == b"y"  # never replaced
    folder = Path(storage.path("datahub/1/1"))
    assert not [p for p in folder.iterdir() if p.name.endswith(PARTIAL_SUFFIX)]

    # What a killed process leaves: half a file under its temporary name, a whole file whose
    # row was never committed; a version's file is kept.
    partial = folder / f".donnees.csv.0123456789ab{PARTIAL_SUFFIX}"
    partial.write_bytes(b"half")
    hub = make_hub()
    version = datahub_services.version_upload(
        actor=hub.editor, dataset=dataset(hub), file=io.BytesIO(b"a\n1\n"), filename="k.csv"
    )
    kept = Path(storage.path(version.original.name))
    settings.ORPHAN_FILE_SECONDS = 3600
    assert uploads_sweep(now=timezone.now(), stale=timedelta(seconds=1)) == 0  # too recent
    settings.ORPHAN_FILE_SECONDS = 0
    later = timezone.now() + timedelta(seconds=5)
    assert uploads_sweep(now=later, stale=timedelta(seconds=1)) == 3
    assert not partial.exists() and not Path(storage.path(name)).exists()
    assert kept.exists()


# --- real processes ------------------------------------------------------------------------


@dataclass
class Site:
    env: dict[str, str]
    tmp: Path
    processes: list[subprocess.Popen]

    def start(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        log = (self.tmp / f"process-{len(self.processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "mediane.cli", *args],
            env={**self.env, **(env or {})},
            cwd=PROJECT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        return process

    def worker(self, **env: str) -> subprocess.Popen:
        return self.start("worker", "--no-periodic", "--interval", "0.2", env=env)

    def log(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}"
            for p in sorted(self.tmp.glob("process-*.log"))
        )

    def kill(self, process: subprocess.Popen) -> None:
        """SIGKILL to the process and every process it started (`mediane serve` starts gunicorn
        in sessions of its own): no signal handler, no `finally`, no clean-up of any kind."""
        tree = [process.pid, *descendants(process.pid)]
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(alive(pid) for pid in tree) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(alive(pid) for pid in tree)

    def wait_until(self, check: Callable[[], Any], what: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.05)
        pytest.fail(f"{what}: not within {timeout} s\n{self.log()}")


def _database_url(tmp: Path) -> Iterator[str]:
    """The test database for the processes (tests/processes.py); on SQLite this process uses
    the file copy too for the test's duration."""
    url = session_database_url(tmp)
    if connection.vendor == "postgresql":
        yield url
        return
    original = connections["default"]
    shared = type(original)(
        {**original.settings_dict, "NAME": str(tmp / "mediane.sqlite3")}, alias="default"
    )
    connections["default"] = shared
    try:
        yield url
    finally:
        shared.close()
        connections["default"] = original


@pytest.fixture
def site(settings, tmp_path) -> Iterator[Site]:
    if not sys.platform.startswith("linux"):
        pytest.skip("process groups and SIGKILL as on Linux")
    settings.TASKS = DB_BACKEND
    settings.WORKER_STALE_SECONDS = STALE
    var = tmp_path / "var"
    var.mkdir()
    for url in _database_url(tmp_path):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.core.kill_settings",
            "DATABASE_URL": url,
            "MEDIANE_VAR_DIR": str(var),
            "SECRET_KEY": settings.SECRET_KEY,
            "MEDIANE_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
            "MEDIANE_WORKER_STALE_SECONDS": str(STALE),
            "MEDIANE_PRIVATE_MEDIA_ROOT": settings.STORAGES["private"]["OPTIONS"]["location"],
            "MEDIANE_DATAHUB_ROOT": str(settings.DATAHUB_ROOT),
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "MEDIANE_TEST_MAIL_DIR": str(tmp_path / "mail"),
            "MEDIANE_LOG_FORMAT": "text",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("PORT", None)
        site = Site(env=env, tmp=tmp_path, processes=[])
        try:
            yield site
        finally:
            for process in site.processes:
                site.kill(process)


def _version(pk: int) -> DatasetVersion:
    return DatasetVersion.objects.get(pk=pk)


def test_worker_killed_while_processing_a_dataset_version(site):
    rows = 400_000
    big = site.tmp / "grand.csv"
    with big.open("w", encoding="utf-8") as out:
        out.write("code,commune,annee,montant,categorie\n")
        for i in range(rows):
            out.write(f"{i},Commune {i % 500},{2000 + i % 25},{i * 1.5:.2f},c{i % 7}\n")
    hub = make_hub()
    with big.open("rb") as handle:
        version = datahub_services.version_upload(
            actor=hub.editor, dataset=dataset(hub), file=handle, filename="grand.csv"
        )
    task = DBTaskResult.objects.get(task_path=process_version.module_path)

    first = site.worker()
    site.wait_until(
        lambda: (
            _version(version.pk).status == VersionStatus.PROCESSING
            and _version(version.pk).progress > 0.05
        ),
        "processing under way",
    )
    site.kill(first)
    assert _version(version.pk).status == VersionStatus.PROCESSING  # what the kill leaves
    assert DBTaskResult.objects.get(pk=task.pk).status == TaskResultStatus.RUNNING

    site.worker()
    site.wait_until(
        lambda: (
            DBTaskResult.objects.get(pk=task.pk).status
            in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
        ),
        "version processed again",
    )
    version.refresh_from_db()
    task.refresh_from_db()
    assert version.status == VersionStatus.READY, version.error
    assert version.row_count == rows
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2 and task.worker_ids[0] != task.worker_ids[1]
    assert not DatasetVersion.objects.filter(status=VersionStatus.PROCESSING).exists()


def _summit_with_long_run():  # type: ignore[no-untyped-def]
    """An edition whose scheduler run searches for its whole time limit: many wished meetings
    for few slots and tables."""
    from mediane.summit import services as summit_services
    from tests.summit.factories import make_summit

    summit = make_summit(people=16, slots_per_half=4, tables=3)
    people = summit.people
    for i, first in enumerate(people):
        for second in people[i + 1 : i + 6]:
            request = summit_services.request_send(actor=first.user, sender=first, recipient=second)
            summit_services.request_answer(actor=second.user, request=request, accept=True)
    return summit


def test_worker_killed_while_the_scheduler_runs(site):
    from mediane.summit.models import Meeting, RunStatus, ScheduleRun
    from mediane.summit.scheduling import schedule_run_start
    from mediane.summit.tasks import run_scheduler

    summit = _summit_with_long_run()
    run = schedule_run_start(actor=summit.secretariat, edition=summit.edition, time_limit=60)
    task = DBTaskResult.objects.get(task_path=run_scheduler.module_path)
    first = site.worker()
    site.wait_until(
        lambda: (
            ScheduleRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
            and ScheduleRun.objects.get(pk=run.pk).progress > 0.02
        ),
        "scheduler running",
    )
    site.kill(first)
    assert ScheduleRun.objects.get(pk=run.pk).status == RunStatus.RUNNING  # what the kill leaves

    site.worker()
    site.wait_until(
        lambda: ScheduleRun.objects.get(pk=run.pk).status != RunStatus.RUNNING,
        "run moved out of running",
    )
    run.refresh_from_db()
    task.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert run.error == "Interrompu : le processus de travail s'est arrêté"
    assert run.finished_at is not None
    assert not Meeting.objects.filter(run=run).exists()  # nothing half-written
    assert task.status == TaskResultStatus.FAILED
    assert "Interrompu" in task.traceback
    assert not ScheduleRun.objects.filter(status=RunStatus.RUNNING).exists()

    # The organisers' page shows the reason.
    from django.test import Client
    from django.urls import reverse

    client = Client()
    client.force_login(summit.secretariat)
    page = client.get(reverse("summit:planning", args=[summit.edition.slug])).content.decode()
    assert "Interrompu : le processus de travail s&#x27;est arrêté" in page


def _mail_recipients(folder: Path) -> list[str]:
    from email import message_from_bytes

    return sorted(message_from_bytes(path.read_bytes())["To"] for path in folder.glob("*.eml"))


def test_worker_killed_while_sending_digests_sends_each_digest_exactly_once(site):
    from mediane.notifications.models import EmailDelivery
    from mediane.notifications.services import notify
    from mediane.notifications.tasks import send_digests
    from tests.directory.factories import UserFactory

    people = [UserFactory(email=f"personne{n:02d}@example.org") for n in range(24)]
    for person in people:
        notify(recipients=[person], topic="market", verb="test", title="Un nouveau défi", url="/")
    send_digests.enqueue("daily")
    task = DBTaskResult.objects.get(task_path=send_digests.module_path)
    mail = site.tmp / "mail"

    first = site.worker(MEDIANE_TEST_MAIL_DELAY="0.25")
    # Killed just after the 5th e-mail went out, before it is recorded as sent.
    site.wait_until(lambda: len(list(mail.glob("*.eml"))) >= 5, "digests being sent")
    site.kill(first)
    out = len(_mail_recipients(mail))
    recorded = EmailDelivery.objects.filter(sent_at__isnull=False).count()
    assert recorded < out  # one e-mail is out and not recorded: a naive rerun would resend it

    site.worker(MEDIANE_TEST_MAIL_DELAY="0.05")
    site.wait_until(
        lambda: (
            DBTaskResult.objects.get(pk=task.pk).status
            in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)
        ),
        "digests task run again",
    )
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert len(task.worker_ids) == 2
    assert _mail_recipients(mail) == sorted(p.email for p in people)  # each exactly once


def test_import_killed_mid_write_leaves_none_then_imports_all(site):
    from mediane.directory.models import Organisation

    rows = 500
    source = site.tmp / "organisations.csv"
    with source.open("w", encoding="utf-8") as out:
        out.write("name,kind,country\n")
        for n in range(rows):
            out.write(f"Entreprise importée {n:05d},startup,FR\n")
    before = Organisation.objects.count()

    process = site.start("import-organisations", str(source))
    log = site.tmp / f"process-{len(site.processes) - 1}.log"

    def written() -> int:
        # tqdm's progress line: "Écriture: 312 org. [...]"
        import re

        counts = re.findall(r"Écriture: (\d+) org", log.read_text(errors="replace"))
        return int(counts[-1]) if counts else 0

    site.wait_until(lambda: written() >= 100, "import writing")
    site.kill(process)
    assert written() < rows
    assert Organisation.objects.count() == before  # all or nothing: nothing

    again = site.start("import-organisations", str(source))
    assert again.wait(timeout=120) == 0, site.log()
    assert Organisation.objects.count() == before + rows
    assert Organisation.objects.filter(name__startswith="Entreprise importée").count() == rows


def test_web_server_killed_mid_upload_leaves_no_version_and_no_file(site, settings):
    import re
    import urllib.request

    from django.core.files.storage import storages
    from django.test import Client

    hub = make_hub()
    ds = dataset(hub)
    client = Client()
    client.force_login(hub.editor)
    session = client.cookies["sessionid"].value
    port = free_port()
    spool = Path(site.env["MEDIANE_VAR_DIR"]) / "tmp" / "uploads"
    server = site.start(
        "serve", "--port", str(port), "--no-worker", "--no-collectstatic", "--workers", "1"
    )
    url = f"http://127.0.0.1:{port}/donnees/{ds.slug}/deposer/"

    def form() -> tuple[str, str] | None:
        request = urllib.request.Request(url, headers={"Cookie": f"sessionid={session}"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 - loopback
                cookie = response.headers.get("Set-Cookie", "")
                page = response.read().decode()
        except OSError:
            return None
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        csrf = re.search(r"csrftoken=([^;]+)", cookie)
        return (token.group(1), csrf.group(1)) if token and csrf else None

    token, csrf = site.wait_until(form, "server answering", timeout=40)
    boundary = "----mediane-kill-test"
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="file"; filename="gros.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n"
    ).encode()
    body_size = 40 * 1024 * 1024
    total = len(head) + body_size + len(f"\r\n--{boundary}--\r\n")
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    try:
        sock.sendall(
            (
                f"POST /donnees/{ds.slug}/deposer/ HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
                f"Cookie: sessionid={session}; csrftoken={csrf}\r\n"
                f"Referer: http://127.0.0.1:{port}/\r\n"
                f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
                f"Content-Length: {total}\r\n\r\n"
            ).encode()
            + head
        )
        line = b"a,b,c\n" + b"1,2,3\n" * 100_000
        sent = 0
        while sent < body_size // 2:  # half the file, then the server dies
            sock.sendall(line)
            sent += len(line)
        site.wait_until(
            lambda: any(p.stat().st_size > 0 for p in spool.glob("tmp*.upload*")),
            "upload being received",
        )
        site.kill(server)
    finally:
        sock.close()

    assert not DatasetVersion.objects.filter(dataset=ds).exists()  # no row
    private = Path(storages["private"].path("datahub"))
    assert not private.exists() or not [p for p in private.rglob("*") if p.is_file()]
    leftovers = list(spool.glob("tmp*.upload*"))
    assert leftovers  # the spool file of the request cut short
    # The clean-up run by every worker removes it once old enough.
    settings.FILE_UPLOAD_TEMP_DIR = str(spool)
    settings.ORPHAN_FILE_SECONDS = 0
    report = task_recovery.recover(now=timezone.now() + timedelta(seconds=5))
    assert report.swept["core.upload_spools"] == len(leftovers)
    assert not list(spool.glob("tmp*.upload*"))
