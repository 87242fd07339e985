"""Publication to data.gouv.fr (udata) and Données Québec (CKAN), against local test servers."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import date

import httpx
import pytest

from mediane.datahub.portals import (
    CkanClient,
    PortalDataset,
    PortalError,
    PortalResource,
    UdataClient,
)

from .fake_portals import FakeCkan, FakeUdata, running

LOURDES = PortalDataset(
    local_id="lourdes-budget-primitif",
    title="Budget primitif de Lourdes",
    description='Budget voté : « chapitres » et "opérations" <b>2024</b>.',
    licence="lov2",
    organisation="org-1",
    keywords=["budget", "finances publiques", "Données ouvertes", "x"],
    frequency="annual",
    temporal=(date(2024, 1, 1), date(2024, 12, 31)),
    spatial_label="Lourdes",
    spatial_zones=["fr:commune:65286"],
    resources=[
        PortalResource(
            "Budget 2024 (CSV)", "https://mediane.example.org/d/budget.csv", "csv", "Fichier"
        ),
        PortalResource("API tabulaire", "https://mediane.example.org/api/budget/", "json"),
    ],
)
THETFORD = PortalDataset(
    local_id="thetford-arenas",
    title="Arénas de Thetford Mines",
    description="Arénas et patinoires municipales.",
    licence="cc-by",
    organisation="ville-1",
    keywords=["sports", "hiver", "l'aréna"],
    frequency="irregular",
    temporal=(date(2023, 9, 1), None),
    spatial_label="Thetford Mines",
    resources=[
        PortalResource("Arénas (CSV)", "https://mediane.example.org/d/arenas.csv", "CSV"),
    ],
)
FAST = httpx.Timeout(2.0, connect=1.0)


@pytest.fixture
def udata():
    with running(FakeUdata()) as portal:
        yield portal


@pytest.fixture
def ckan():
    with running(FakeCkan()) as portal:
        yield portal


def udata_client(portal, **kwargs) -> UdataClient:
    kwargs.setdefault("timeout", FAST)
    return UdataClient(portal.url, kwargs.pop("api_key", portal.api_key), **kwargs)


def ckan_client(portal, **kwargs) -> CkanClient:
    kwargs.setdefault("timeout", FAST)
    return CkanClient(portal.url + "/recherche", kwargs.pop("api_key", portal.api_key), **kwargs)


class PrefixStripper(httpx.BaseTransport):
    """CKAN runs under /recherche on Données Québec: the fake serves it at the root."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(path=request.url.path.removeprefix("/recherche"))
        return self.inner.handle_request(request)


@pytest.fixture
def ckan_http():
    with httpx.Client(transport=PrefixStripper()) as http:
        yield http


# --- data.gouv.fr --------------------------------------------------------------------------------


def test_udata_create_update_unpublish_republish(udata):
    with udata_client(udata) as client:
        created = client.publish(LOURDES)
        assert created.action == "created"
        assert created.url == f"{udata.url}/fr/datasets/budget-primitif-de-lourdes/"
        assert created.requests == [
            "POST /api/1/datasets/",
            f"POST /api/1/datasets/{created.remote_id}/resources/",
            f"POST /api/1/datasets/{created.remote_id}/resources/",
        ]
        stored = udata.datasets[created.remote_id]
        assert stored["license"] == "lov2" and stored["frequency"] == "annual"
        assert stored["organization"]["id"] == "org-1"
        assert stored["tags"] == ["budget", "donnees-ouvertes", "finances-publiques"]
        assert stored["temporal_coverage"] == {"start": "2024-01-01", "end": "2024-12-31"}
        assert stored["spatial"] == {"zones": ["fr:commune:65286"]}
        assert stored["description"] == LOURDES.description
        assert [r["filetype"] for r in stored["resources"]] == ["remote", "remote"]

        unchanged = client.publish(LOURDES, created.remote_id)
        assert unchanged.action == "unchanged"
        assert unchanged.requests == [f"GET /api/1/datasets/{created.remote_id}/"]

        changed = replace(
            LOURDES,
            title="Budget primitif 2024 de Lourdes",
            resources=[
                LOURDES.resources[0]._replace(title="Budget 2024, version 2 (CSV)"),
                PortalResource(
                    "Budget (Parquet)", "https://mediane.example.org/d/b.parquet", "parquet"
                ),
            ],
        )
        updated = client.publish(changed, created.remote_id)
        assert updated.action == "updated"
        assert updated.remote_id == created.remote_id
        assert len(udata.datasets) == 1
        stored = udata.datasets[created.remote_id]
        assert stored["title"] == "Budget primitif 2024 de Lourdes"
        assert sorted(r["title"] for r in stored["resources"]) == [
            "Budget (Parquet)",
            "Budget 2024, version 2 (CSV)",
        ]
        methods = [r.split()[0] for r in updated.requests]
        assert methods == ["GET", "PUT", "PUT", "POST", "DELETE"]

        gone = client.unpublish(created.remote_id)
        assert gone.action == "deleted"
        assert udata.live() == []
        assert client.unpublish(created.remote_id).action == "absent"

        again = client.publish(changed, created.remote_id)
        assert again.action == "created"
        assert again.remote_id != created.remote_id
        assert [d["id"] for d in udata.live()] == [again.remote_id]
        assert len(udata.live()[0]["resources"]) == 2


def test_udata_remote_deleted_behind_our_back_is_recreated(udata):
    client = udata_client(udata)
    first = client.publish(LOURDES)
    udata.delete_behind_our_back(first.remote_id)
    second = client.publish(LOURDES, first.remote_id)
    assert second.action == "created"
    assert second.remote_id != first.remote_id
    assert len(udata.live()) == 1
    # An id the portal never knew (purged) is treated the same way.
    third = client.publish(LOURDES, "0123456789abcdef01234567")
    assert third.action == "created"


def test_udata_dry_run_sends_no_write(udata):
    dry = udata_client(udata, dry_run=True)
    planned = dry.publish(LOURDES)
    assert planned.action == "planned" and planned.remote_id is None
    assert planned.requests == [
        "POST /api/1/datasets/ (simulation, non envoyée)",
        "POST /api/1/datasets/{id}/resources/ (simulation, non envoyée)",
        "POST /api/1/datasets/{id}/resources/ (simulation, non envoyée)",
    ]
    assert udata.requests == [] and udata.datasets == {}

    created = udata_client(udata).publish(LOURDES)
    udata.requests.clear()
    planned_update = dry.publish(
        replace(LOURDES, description="Nouvelle description"), created.remote_id
    )
    assert planned_update.action == "planned"
    assert planned_update.requests[1].startswith(f"PUT /api/1/datasets/{created.remote_id}/")
    assert dry.publish(LOURDES, created.remote_id).action == "unchanged"
    planned_delete = dry.unpublish(created.remote_id)
    assert planned_delete.action == "planned"
    assert planned_delete.requests[-1].startswith("DELETE")
    assert udata.writes() == []
    assert udata.datasets[created.remote_id]["description"] == LOURDES.description
    assert udata.live()


def test_udata_wrong_key_is_an_auth_error(udata):
    with pytest.raises(PortalError) as caught:
        udata_client(udata, api_key="wrong").publish(LOURDES)
    assert caught.value.code == "auth" and caught.value.status == 401
    assert "clé d'API" in caught.value.message_fr
    assert "Invalid API Key" in caught.value.message_fr
    assert udata.datasets == {}


def test_udata_validation_error_carries_the_portal_message(udata):
    with pytest.raises(PortalError) as caught:
        udata_client(udata).publish(replace(LOURDES, organisation="org-inconnue"))
    assert caught.value.code == "validation" and caught.value.status == 400
    assert "organization" in caught.value.message_fr
    assert "pas membre" in caught.value.message_fr


def test_udata_unknown_licence_is_refused_before_sending(udata):
    with pytest.raises(PortalError) as caught:
        udata_client(udata).publish(replace(LOURDES, licence="proprietaire"))
    assert caught.value.code == "validation" and caught.value.status is None
    assert udata.requests == []


def test_udata_server_error(udata):
    udata.fail_next = [500]
    with pytest.raises(PortalError) as caught:
        udata_client(udata).publish(LOURDES)
    assert caught.value.code == "server" and caught.value.status == 500


def test_udata_failed_resource_keeps_the_new_remote_id(udata):
    udata.fail_next = []
    client = udata_client(udata)
    original_send = client.send

    def send(log, method, path, **kwargs):
        if "/resources/" in path:
            udata.fail_next.append(503)
        return original_send(log, method, path, **kwargs)

    client.send = send  # type: ignore[method-assign]
    with pytest.raises(PortalError) as caught:
        client.publish(LOURDES)
    assert caught.value.code == "server"
    assert caught.value.remote_id in udata.datasets
    udata.fail_next.clear()
    client.send = original_send  # type: ignore[method-assign]
    assert client.publish(LOURDES, caught.value.remote_id).action == "updated"
    assert len(udata.datasets) == 1


def test_udata_timeout(udata):
    udata.delay = 0.6
    client = UdataClient(udata.url, udata.api_key, timeout=0.2)
    with pytest.raises(PortalError) as caught:
        client.publish(LOURDES, "abc")
    assert caught.value.code == "timeout"
    assert "à temps" in caught.value.message_fr


def test_unreachable_portal_is_a_network_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed once out of the block: nobody listens
    for client in (
        UdataClient(f"http://127.0.0.1:{port}", "k", timeout=FAST),
        CkanClient(f"http://127.0.0.1:{port}", "k", timeout=FAST),
    ):
        with pytest.raises(PortalError) as caught:
            client.unpublish("abc")
        assert caught.value.code == "network"
        assert caught.value.status is None


def test_injected_http_client_is_used_and_not_closed(udata):
    with httpx.Client() as http:
        client = UdataClient(udata.url, udata.api_key, http=http, timeout=FAST)
        with client:
            assert client.publish(LOURDES).action == "created"
        assert not http.is_closed


# --- Données Québec (CKAN) ------------------------------------------------------------------------


def test_ckan_create_update_unpublish_republish(ckan, ckan_http):
    client = ckan_client(ckan, http=ckan_http)
    created = client.publish(THETFORD)
    assert created.action == "created"
    assert created.url == f"{ckan.url}/recherche/dataset/thetford-arenas"
    assert created.requests == [
        "GET /api/3/action/package_show?id=thetford-arenas",
        "POST /api/3/action/package_create",
    ]
    stored = ckan.packages[created.remote_id]
    assert stored["name"] == "thetford-arenas" and stored["license_id"] == "cc-by"
    assert stored["organization"]["name"] == "ville-1"
    assert [t["name"] for t in stored["tags"]] == ["hiver", "l aréna", "sports"]
    extras = {e["key"]: e["value"] for e in stored["extras"]}
    assert extras == {
        "frequency": "irregular",
        "temporal_start": "2023-09-01",
        "spatial_text": "Thetford Mines",
    }
    assert [(r["name"], r["format"]) for r in stored["resources"]] == [("Arénas (CSV)", "CSV")]
    resource_id = stored["resources"][0]["id"]

    # Without the remote id: the slug finds the package, no duplicate.
    assert client.publish(THETFORD).action == "unchanged"
    ckan.packages[created.remote_id]["extras"].append({"key": "portal_note", "value": "gardé"})
    changed = replace(
        THETFORD,
        title="Arénas et patinoires de Thetford Mines",
        resources=[*THETFORD.resources, PortalResource("API", "https://m.example.org/api", "json")],
    )
    updated = client.publish(changed)
    assert updated.action == "updated" and updated.remote_id == created.remote_id
    assert len(ckan.packages) == 1
    stored = ckan.packages[created.remote_id]
    assert stored["title"] == "Arénas et patinoires de Thetford Mines"
    assert stored["resources"][0]["id"] == resource_id  # same resource, not recreated
    assert len(stored["resources"]) == 2
    assert {"key": "portal_note", "value": "gardé"} in stored["extras"]  # set on the portal
    assert client.publish(changed, created.remote_id).action == "unchanged"

    assert client.unpublish(created.remote_id).action == "deleted"
    assert ckan.live() == []
    assert client.unpublish(created.remote_id).action == "absent"

    again = client.publish(changed, created.remote_id)
    assert again.action == "created"  # reactivated: CKAN keeps a deleted package's name and id
    assert [p["id"] for p in ckan.live()] == [again.remote_id]


def test_ckan_purged_behind_our_back_is_recreated(ckan, ckan_http):
    client = ckan_client(ckan, http=ckan_http)
    first = client.publish(THETFORD)
    ckan.purge(first.remote_id)
    second = client.publish(THETFORD, first.remote_id)
    assert second.action == "created"
    assert second.remote_id != first.remote_id
    assert len(ckan.packages) == 1


def test_ckan_deleted_behind_our_back_is_restored(ckan, ckan_http):
    client = ckan_client(ckan, http=ckan_http)
    first = client.publish(THETFORD)
    ckan.delete_behind_our_back(first.remote_id)
    second = client.publish(THETFORD, first.remote_id)
    assert second.action == "created"
    assert ckan.packages[second.remote_id]["state"] == "active"
    assert len(ckan.packages) == 1


def test_ckan_dry_run_sends_no_write(ckan, ckan_http):
    dry = ckan_client(ckan, http=ckan_http, dry_run=True)
    planned = dry.publish(THETFORD)
    assert planned.action == "planned"
    assert planned.requests[-1] == "POST /api/3/action/package_create (simulation, non envoyée)"
    assert ckan.packages == {}
    created = ckan_client(ckan, http=ckan_http).publish(THETFORD)
    ckan.requests.clear()
    assert dry.publish(replace(THETFORD, title="Autre titre")).action == "planned"
    assert dry.unpublish(created.remote_id).action == "planned"
    assert ckan.writes() == []
    assert ckan.packages[created.remote_id]["title"] == THETFORD.title
    assert ckan.packages[created.remote_id]["state"] == "active"


def test_ckan_wrong_key_is_an_auth_error(ckan, ckan_http):
    with pytest.raises(PortalError) as caught:
        ckan_client(ckan, http=ckan_http, api_key="wrong").publish(THETFORD)
    assert caught.value.code == "auth" and caught.value.status == 403
    assert "Access denied" in caught.value.message_fr


def test_ckan_validation_error_carries_the_portal_message(ckan, ckan_http):
    with pytest.raises(PortalError) as caught:
        ckan_client(ckan, http=ckan_http).publish(replace(THETFORD, organisation="inconnue"))
    assert caught.value.code == "validation" and caught.value.status == 409
    assert "owner_org : Organization does not exist" in caught.value.message_fr


def test_ckan_invalid_slug_is_refused_before_sending(ckan, ckan_http):
    with pytest.raises(PortalError) as caught:
        ckan_client(ckan, http=ckan_http).publish(replace(THETFORD, local_id="Arénas Thetford"))
    assert caught.value.code == "validation"
    assert ckan.requests == []


def test_ckan_server_error_and_timeout(ckan, ckan_http):
    ckan.fail_next = [502]
    with pytest.raises(PortalError) as caught:
        ckan_client(ckan, http=ckan_http).publish(THETFORD)
    assert caught.value.code == "server" and caught.value.status == 502
    ckan.delay = 0.6
    with pytest.raises(PortalError) as caught:
        ckan_client(ckan, http=ckan_http, timeout=0.2).unpublish("thetford-arenas")
    assert caught.value.code == "timeout"


def test_ckan_non_json_answer_is_a_protocol_error(ckan):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text="<html>maintenance</html>")

    transport = httpx.MockTransport(handler)
    with httpx.Client(transport=transport) as http, pytest.raises(PortalError) as caught:
        CkanClient("https://portail.example", "k", http=http).unpublish("x")
    assert caught.value.code == "protocol"
