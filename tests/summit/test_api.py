"""The summit's API: editions (drafts hidden), programme, one's own agenda only."""

from __future__ import annotations

import datetime as dt

import pytest

from mediane.summit.models import EditionStatus, Meeting, MeetingSlot, MeetingTable, ScheduleRun
from tests.api.conftest import token_headers
from tests.summit.factories import session

pytestmark = pytest.mark.django_db


def test_editions_and_programme(client, summit):
    session(summit, dt.time(9, 0), dt.time(10, 0), "Plénière d'ouverture")
    body = client.get("/api/v1/summit/editions").json()
    assert [e["slug"] for e in body] == [summit.edition.slug]
    detail = client.get(f"/api/v1/summit/editions/{summit.edition.slug}").json()
    assert detail["programme"][0]["title"] == "Plénière d'ouverture"
    assert detail["time_zone"] == "America/Toronto"


def test_draft_edition_is_404_except_for_its_organisers(client, summit):
    summit.edition.status = EditionStatus.DRAFT
    summit.edition.save()
    assert client.get("/api/v1/summit/editions").json() == []
    response = client.get(f"/api/v1/summit/editions/{summit.edition.slug}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    headers = token_headers(summit.host_editor)
    assert (
        client.get(f"/api/v1/summit/editions/{summit.edition.slug}", **headers).status_code == 200
    )


def test_agenda_is_ones_own(client, summit):
    a, b, c = summit.people[:3]
    run = ScheduleRun.objects.create(edition=summit.edition, status="done")
    slot = MeetingSlot.objects.get(edition=summit.edition, number=2)
    table = MeetingTable.objects.get(edition=summit.edition, number=1)
    Meeting.objects.create(
        run=run,
        edition=summit.edition,
        first=a,
        second=b,
        priority="required",
        slot=slot,
        table=table,
    )
    path = f"/api/v1/summit/editions/{summit.edition.slug}/agenda"
    assert client.get(path).status_code == 401
    before = client.get(path, **token_headers(a.user)).json()
    assert before == {"edition": summit.edition.slug, "published": False, "meetings": []}
    summit.edition.published_run = run
    summit.edition.save()
    mine = client.get(path, **token_headers(a.user)).json()["meetings"]
    assert len(mine) == 1 and mine[0]["with_name"] == b.display_name and mine[0]["table"] == 1
    assert mine[0]["requested"] is True
    assert client.get(path, **token_headers(c.user)).json()["meetings"] == []
    from tests.directory.factories import UserFactory

    assert client.get(path, **token_headers(UserFactory())).status_code == 404
