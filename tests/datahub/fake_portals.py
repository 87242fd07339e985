"""Local stand-ins for data.gouv.fr (udata API v1) and Données Québec (CKAN action API).

Real HTTP servers on 127.0.0.1 (a free port), served from a thread, with in-memory state,
API-key checks and the portals' JSON shapes for the endpoints Médiane uses. Faults can be
injected: `fail_next` (statuses for the next requests) and `delay` (seconds before answering).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

Answer = tuple[int, Any]


class FakePortal:
    """The HTTP plumbing; subclasses implement `answer`."""

    def __init__(self, api_key: str) -> None:
        self.api_key = api_key
        self.requests: list[tuple[str, str]] = []  # (method, path)
        self.fail_next: list[int] = []
        self.delay = 0.0
        self.lock = threading.Lock()
        portal = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - silence
                pass

            def handle_any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                split = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(split.query).items()}
                with portal.lock:
                    portal.requests.append((self.command, split.path))
                    failure = portal.fail_next.pop(0) if portal.fail_next else None
                    delay = portal.delay
                if delay:
                    time.sleep(delay)
                if failure is not None:
                    status, payload = failure, {"message": "Internal Server Error"}
                else:
                    try:
                        body = json.loads(raw) if raw else None
                    except ValueError:
                        status, payload = 400, {"message": "Invalid JSON"}
                    else:
                        with portal.lock:
                            status, payload = portal.answer(
                                self.command, split.path, query, dict(self.headers), body
                            )
                data = b"" if payload is None else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout test)

            do_GET = do_POST = do_PUT = do_DELETE = handle_any  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.block_on_close = False
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def start(self) -> FakePortal:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def writes(self) -> list[tuple[str, str]]:
        return [r for r in self.requests if r[0] != "GET"]

    def answer(
        self, method: str, path: str, query: dict[str, str], headers: dict[str, str], body: Any
    ) -> Answer:
        raise NotImplementedError


@contextmanager
def running(portal: FakePortal) -> Iterator[FakePortal]:
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()


def _now() -> str:
    return datetime.now(UTC).isoformat()


# --- udata ---------------------------------------------------------------------------------------

UDATA_LICENCES = {"lov2", "odc-odbl", "cc-by", "cc-by-sa", "cc-zero", "fr-lo", "notspecified"}
UDATA_FREQUENCIES = {
    "unknown", "punctual", "continuous", "hourly", "daily", "weekly", "biweekly", "monthly",
    "quarterly", "semiannual", "annual", "biennial", "irregular",
}  # fmt: skip


class FakeUdata(FakePortal):
    """data.gouv.fr: /api/1/datasets/ and their resources."""

    def __init__(self, api_key: str = "udata-key", organisations: tuple[str, ...] = ("org-1",)):
        super().__init__(api_key)
        self.organisations = set(organisations)
        self.datasets: dict[str, dict[str, Any]] = {}

    def live(self) -> list[dict[str, Any]]:
        return [d for d in self.datasets.values() if not d["deleted"]]

    def delete_behind_our_back(self, dataset_id: str) -> None:
        self.datasets[dataset_id]["deleted"] = _now()

    def answer(self, method, path, query, headers, body):  # noqa: C901 - one router
        key = headers.get("X-API-KEY") or headers.get("X-Api-Key")
        if key is not None and key != self.api_key:
            return 401, {"message": "Invalid API Key"}
        authorised = key == self.api_key
        if method != "GET" and not authorised:
            return 401, {"message": "Unauthorized"}
        match = re.fullmatch(r"/api/1/datasets/(?:([^/]+)/(?:resources/(?:([^/]+)/)?)?)?", path)
        if not match:
            return 404, {"message": "The requested URL was not found on the server."}
        dataset_id, resource_id = match.groups()
        resources = path.endswith("/resources/") or resource_id is not None
        if dataset_id is None:
            if method != "POST":
                return 405, {"message": "Method not allowed"}
            return self.create(body)
        dataset = self.datasets.get(dataset_id) or next(
            (d for d in self.datasets.values() if d["slug"] == dataset_id), None
        )
        if dataset is None:
            return 404, {"message": "Not found"}
        if dataset["deleted"] and not (method == "GET" and authorised):
            return 410, {"message": "Dataset has been deleted"}
        if resources:
            return self.resource(method, dataset, resource_id, body)
        if method == "GET":
            return 200, dataset
        if method == "PUT":
            errors = self.errors(body)
            if errors:
                return 400, {"message": "Validation error", "errors": errors}
            self.apply(dataset, body)
            return 200, dataset
        if method == "DELETE":
            dataset["deleted"] = _now()
            return 204, None
        return 405, {"message": "Method not allowed"}

    def errors(self, body: Any) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if not isinstance(body, dict) or not str(body.get("title") or "").strip():
            errors["title"] = ["Ce champ est obligatoire."]
            return errors
        if body.get("organization") not in self.organisations:
            errors["organization"] = ["Organisation inconnue ou dont vous n'êtes pas membre."]
        if body.get("license") not in UDATA_LICENCES:
            errors["license"] = ["Licence inconnue."]
        if body.get("frequency", "unknown") not in UDATA_FREQUENCIES:
            errors["frequency"] = ["Fréquence inconnue."]
        if any(len(t) < 3 or t != t.lower() for t in body.get("tags") or []):
            errors["tags"] = ["Étiquette invalide."]
        return errors

    def create(self, body: Any) -> Answer:
        errors = self.errors(body)
        if errors:
            return 400, {"message": "Validation error", "errors": errors}
        dataset_id = uuid.uuid4().hex[:24]
        slug = re.sub(r"[^a-z0-9]+", "-", body["title"].lower()).strip("-") or dataset_id
        if any(d["slug"] == slug for d in self.datasets.values()):
            slug = f"{slug}-{len(self.datasets)}"
        dataset: dict[str, Any] = {
            "id": dataset_id,
            "slug": slug,
            "page": f"{self.url}/fr/datasets/{slug}/",
            "uri": f"{self.url}/api/1/datasets/{slug}/",
            "created_at": _now(),
            "deleted": None,
            "private": False,
            "resources": [],
            "extras": {},
        }
        self.apply(dataset, body)
        self.datasets[dataset_id] = dataset
        return 201, dataset

    def apply(self, dataset: dict[str, Any], body: dict[str, Any]) -> None:
        dataset.update(
            title=body["title"],
            description=body.get("description", ""),
            license=body["license"],
            frequency=body.get("frequency", "unknown"),
            tags=list(body.get("tags") or []),
            organization={"id": body["organization"], "name": body["organization"]},
            temporal_coverage=body.get("temporal_coverage"),
            spatial=body.get("spatial"),
            last_modified=_now(),
        )

    def resource(self, method, dataset, resource_id, body) -> Answer:
        if resource_id is None:
            if method != "POST":
                return 405, {"message": "Method not allowed"}
            if not isinstance(body, dict) or not body.get("url") or not body.get("title"):
                return 400, {"message": "Validation error", "errors": {"url": ["Requis."]}}
            resource = {"id": str(uuid.uuid4()), **body, "created_at": _now()}
            dataset["resources"].append(resource)
            return 201, resource
        found = next((r for r in dataset["resources"] if r["id"] == resource_id), None)
        if found is None:
            return 404, {"message": "Resource not found"}
        if method == "PUT":
            found.update(body)
            return 200, found
        if method == "DELETE":
            dataset["resources"].remove(found)
            return 204, None
        if method == "GET":
            return 200, found
        return 405, {"message": "Method not allowed"}


# --- CKAN ----------------------------------------------------------------------------------------

CKAN_LICENCES = {"cc-by", "odc-odbl", "other-open", "cc-by-sa", "cc-zero", "notspecified"}


def _ckan_error(status: int, kind: str, **details: Any) -> Answer:
    return status, {
        "help": "http://127.0.0.1/api/3/action/help_show",
        "success": False,
        "error": {"__type": kind, **details},
    }


def _ckan_ok(result: Any) -> Answer:
    return 200, {
        "help": "http://127.0.0.1/api/3/action/help_show",
        "success": True,
        "result": result,
    }


class FakeCkan(FakePortal):
    """Données Québec: package_show / package_create / package_update / package_delete."""

    def __init__(self, api_key: str = "ckan-token", organisations: tuple[str, ...] = ("ville-1",)):
        super().__init__(api_key)
        self.organisations = {name: str(uuid.uuid4()) for name in organisations}
        self.packages: dict[str, dict[str, Any]] = {}

    def live(self) -> list[dict[str, Any]]:
        return [p for p in self.packages.values() if p["state"] == "active"]

    def find(self, id_or_name: str | None) -> dict[str, Any] | None:
        return self.packages.get(id_or_name or "") or next(
            (p for p in self.packages.values() if p["name"] == id_or_name), None
        )

    def delete_behind_our_back(self, id_or_name: str) -> None:
        self.find(id_or_name)["state"] = "deleted"

    def purge(self, id_or_name: str) -> None:
        del self.packages[self.find(id_or_name)["id"]]

    def answer(self, method, path, query, headers, body):
        authorised = headers.get("Authorization") == self.api_key
        match = re.fullmatch(r"/api/3/action/(\w+)", path)
        if not match:
            return 404, {"message": "Not found"}
        action = match.group(1)
        if action == "package_show" and method == "GET":
            package = self.find(query.get("id"))
            if package is None or (package["state"] == "deleted" and not authorised):
                return _ckan_error(404, "Not Found Error", message="Not found")
            return _ckan_ok(package)
        if method != "POST" or action not in ("package_create", "package_update", "package_delete"):
            return _ckan_error(400, "Bad request", message=f"Bad request - Action {action}")
        if not authorised:
            return _ckan_error(
                403, "Authorization Error", message=f"Access denied: not authorized to {action}"
            )
        body = body or {}
        if action == "package_delete":
            package = self.find(body.get("id"))
            if package is None:
                return _ckan_error(404, "Not Found Error", message="Not found")
            package["state"] = "deleted"
            return _ckan_ok(None)
        current = None
        if action == "package_update":
            current = self.find(body.get("id"))
            if current is None:
                return _ckan_error(404, "Not Found Error", message="Not found")
        errors = self.errors(body, current)
        if errors:
            return _ckan_error(409, "Validation Error", **errors)
        package = self.save(body, current)
        return _ckan_ok(package)

    def errors(self, body: dict[str, Any], current: dict[str, Any] | None) -> dict[str, list]:
        errors: dict[str, list] = {}
        name = body.get("name") or ""
        if not re.fullmatch(r"[a-z0-9_-]{2,100}", name):
            errors["name"] = ["Must be purely lowercase alphanumeric (ascii) characters"]
        other = self.find(name)
        if other is not None and (current is None or other["id"] != current["id"]):
            errors["name"] = ["That URL is already in use."]
        if not str(body.get("title") or "").strip():
            errors["title"] = ["Missing value"]
        org = body.get("owner_org")
        if org not in self.organisations and org not in self.organisations.values():
            errors["owner_org"] = ["Organization does not exist"]
        if body.get("license_id") not in CKAN_LICENCES:
            errors["license_id"] = ["Invalid license"]
        return errors

    def save(self, body: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        org = self.organisations.get(body["owner_org"], body["owner_org"])
        package_id = current["id"] if current else str(uuid.uuid4())
        old_resources = {r["id"]: r for r in (current or {}).get("resources", [])}
        resources = []
        for position, resource in enumerate(body.get("resources") or []):
            kept = old_resources.get(resource.get("id") or "")
            resources.append(
                {
                    **(kept or {}),
                    **resource,
                    "id": kept["id"] if kept else str(uuid.uuid4()),
                    "package_id": package_id,
                    "position": position,
                }
            )
        name_of_org = next(n for n, i in self.organisations.items() if i == org)
        package = {
            **body,
            "id": package_id,
            "type": "dataset",
            "state": body.get("state") or (current or {}).get("state") or "active",
            "owner_org": org,
            "organization": {"id": org, "name": name_of_org},
            "resources": resources,
            "num_resources": len(resources),
            "tags": [{"name": t["name"], "display_name": t["name"]} for t in body.get("tags", [])],
            "extras": list(body.get("extras") or []),
            "metadata_created": (current or {}).get("metadata_created") or _now(),
            "metadata_modified": _now(),
        }
        self.packages[package_id] = package
        return package
