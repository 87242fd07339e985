"""Read-only API: resources, one resource, free slots, my bookings; errors as JSON."""

from __future__ import annotations

import pytest

from mediane.accounts.services import api_token_create
from mediane.tierslieux import services
from tests.tierslieux.factories import at, make_resource

pytestmark = pytest.mark.django_db


def bearer(user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    _token, raw = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_resources_list_and_get(client, space, room):
    make_resource(space, name="Poste", kind="desk", capacity=6)
    make_resource(space, name="Fermée", is_active=False)
    body = client.get("/api/v1/tierslieux/resources").json()
    assert body["count"] == 2 and {r["name"] for r in body["results"]} == {"Salle Adour", "Poste"}
    body = client.get("/api/v1/tierslieux/resources?kind=desk").json()
    assert [r["capacity"] for r in body["results"]] == [6]
    response = client.get("/api/v1/tierslieux/resources?kind=piscine")
    assert response.status_code == 422 and response.json()["code"] == "validation_error"
    body = client.get("/api/v1/tierslieux/resources", **bearer(space.editor)).json()
    assert body["count"] == 3
    detail = client.get(f"/api/v1/tierslieux/resources/{room.slug}").json()
    assert detail["time_zone"] == "Europe/Paris" and len(detail["opening_hours"]) == 7
    missing = client.get("/api/v1/tierslieux/resources/nulle-part")
    assert missing.status_code == 404 and "message" in missing.json()


def test_availability_leaves_out_booked_slots(client, space, room):
    services.booking_create(
        actor=space.member, resource=room, starts_at=at(room, 10), ends_at=at(room, 11)
    )
    day = at(room, 10).date().isoformat()
    url = f"/api/v1/tierslieux/resources/{room.slug}/availability?start={day}&end={day}"
    slots = client.get(url).json()["slots"]
    assert len(slots) == 24 - 2  # 08:00–20:00 by 30 minutes, less the booked hour
    starts = {s["starts_at"] for s in slots}
    assert at(room, 10).astimezone().isoformat() not in starts
    assert all(s["free_units"] == 1 for s in slots)
    bad = client.get(
        f"/api/v1/tierslieux/resources/{room.slug}/availability?start={day}&end=2000-01-01"
    )
    assert bad.status_code == 422


def test_bookings_mine_are_the_token_owner_s(client, space, room):
    services.booking_create(
        actor=space.member, resource=room, starts_at=at(room, 10), ends_at=at(room, 11)
    )
    url = "/api/v1/tierslieux/bookings/mine"
    empty = {"count": 0, "limit": 20, "offset": 0, "results": []}
    assert client.get(url).json() == empty  # no token, nothing
    mine = client.get(url, **bearer(space.member)).json()
    assert mine["count"] == 1 and [b["resource"] for b in mine["results"]] == [room.slug]
    assert client.get(url, {"offset": 1}, **bearer(space.member)).json()["results"] == []
    assert client.get(url, **bearer(space.network)).json() == empty
    bad = client.get(url, {"limit": -1}, **bearer(space.member))
    assert bad.status_code == 422 and bad.json()["code"] == "validation_error"
