"""Publication of public datasets to the national open-data portals.

Pure module (no Django import): the Django layer converts a public dataset into a
`PortalDataset`, keeps the remote id returned in `PublishResult` and passes it back on the next
publication. Two clients share one interface, `publish(dataset, remote_id=None)` and
`unpublish(remote_id)`:

data.gouv.fr — `UdataClient`, udata's API v1 (base URL https://www.data.gouv.fr, or
https://demo.data.gouv.fr to try):
- authentication: header `X-API-KEY: <key>` (the key of a member of the organisation);
- `GET /api/1/datasets/{id}/`: the dataset (id or slug); 404 when unknown; a deleted dataset
  answers 410 Gone, or 200 with `"deleted": "<date>"` to its owners;
- `POST /api/1/datasets/` → 201: body `{"title", "description", "organization": "<org id>",
  "license", "frequency", "tags", "temporal_coverage": {"start", "end"},
  "spatial": {"zones": [...]}}`; the answer has `id`, `slug`, `page` (public page), `resources`;
- `PUT /api/1/datasets/{id}/` → 200, same body; `DELETE /api/1/datasets/{id}/` → 204 (a soft
  delete: the id stays dead, a new publication creates a new dataset with a new id);
- resources (links to the files and APIs of Médiane, never uploads):
  `POST /api/1/datasets/{id}/resources/` → 201 with `{"title", "url", "format", "description",
  "filetype": "remote", "type": "main"}`, `PUT /api/1/datasets/{id}/resources/{rid}/` → 200,
  `DELETE /api/1/datasets/{id}/resources/{rid}/` → 204;
- licence ids: "lov2" (Licence Ouverte 2.0), "odc-odbl", "cc-by"; frequency ids: "unknown",
  "punctual", "continuous", "hourly", "daily", "weekly", "biweekly", "monthly", "quarterly",
  "semiannual", "annual", "biennial", "irregular" (among others);
- tags are slugs (lower case, 3 to 96 characters): keywords are sent slugified;
- errors: 400 `{"message": ..., "errors": {field: [messages]}}`, 401/403 `{"message": ...}`.
The spatial coverage is sent only as geozone ids (`spatial_zones`, e.g. "fr:commune:65286"):
udata has no free-text place.

Données Québec — `CkanClient`, CKAN's action API (base URL https://www.donneesquebec.ca/recherche):
- authentication: header `Authorization: <API token>`;
- `GET /api/3/action/package_show?id=<id or name>` → `{"success": true, "result": {...}}`,
  404 `{"success": false, "error": {"__type": "Not Found Error", ...}}`;
- `POST /api/3/action/package_create`, `package_update`, `package_delete` (JSON bodies); the
  resources are inside the package (`resources: [{"id"?, "name", "url", "format",
  "description"}]`), `package_update` replaces the whole package, so the client sends back the
  package it read with its own fields changed (fields set on the portal are kept);
- `name` is the stable slug of the dataset (lower case letters, digits, "-" and "_", 2 to 100
  characters), `owner_org` the organisation (id or name); licence ids "cc-by" (CC-BY 4.0),
  "odc-odbl" and "other-open" for the Licence Ouverte 2.0, which Données Québec does not list;
- frequency, temporal and spatial coverage go in `extras` under the keys ckanext-dcat uses
  ("frequency", "temporal_start", "temporal_end", "spatial_text"); a portal with a scheming
  schema may want other fields: override `CkanClient.package_fields`;
- `package_delete` is a soft delete (state "deleted", the name stays taken): a publication
  after it reactivates the package (same id) with `package_update` and `state: "active"`;
  a purged package is created again (new id);
- errors: 409 `{"error": {"__type": "Validation Error", field: [messages]}}`, 403
  `{"error": {"__type": "Authorization Error", "message": ...}}`.

Stable identifiers: with the remote id (udata) or the slug (CKAN), a second publication
updates, never duplicates; a dataset deleted on the portal is recreated and the new id returned.
Nothing is written when the portal already holds the same metadata ("unchanged"); the
comparison is on the fields as the portal returns them, so a field the portal rewrites (a
normalised description, say) makes every publication an update, which is harmless.
Dry run: only GET requests are sent; `requests` lists the writes that would be sent and the
action is "planned" ("unchanged" when there is nothing to write).
Every failure is a `PortalError` (auth, not_found, validation, rate_limited, server, network,
timeout, protocol) with a French message, never a raw httpx exception. Timeouts are set on each
request (10 s, 5 s to connect, by default). A client is not meant to be shared across threads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, NamedTuple, Self
from urllib.parse import quote

import httpx

__all__ = [
    "FREQUENCY_CODES",
    "LICENCE_CODES",
    "CkanClient",
    "PortalDataset",
    "PortalError",
    "PortalResource",
    "PublishResult",
    "UdataClient",
]

LICENCE_CODES = ("lov2", "odc-odbl", "cc-by")
"""The platform's licence codes (data.gouv.fr's ids)."""

FREQUENCY_CODES = (
    "unknown",
    "punctual",
    "continuous",
    "hourly",
    "daily",
    "weekly",
    "biweekly",
    "monthly",
    "quarterly",
    "semiannual",
    "annual",
    "biennial",
    "irregular",
)
"""The platform's frequency codes (data.gouv.fr's ids)."""

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
USER_AGENT = "Mediane-datahub (+https://mediane.org)"

Action = Literal["created", "updated", "unchanged", "planned", "deleted", "absent"]


class PortalError(Exception):
    """A failed exchange with a portal; `code` is one of the codes of the module docstring.

    `remote_id` is set when the dataset was created before the failure (a resource refused
    after the dataset was created on data.gouv.fr): keep it, the next publication updates it.
    """

    def __init__(self, code: str, message_fr: str, status: int | None = None) -> None:
        super().__init__(message_fr)
        self.code = code
        self.message_fr = message_fr
        self.status = status
        self.remote_id: str | None = None

    def __repr__(self) -> str:
        return f"PortalError({self.code!r}, {self.message_fr!r}, {self.status!r})"


class PortalResource(NamedTuple):
    """A file or API of the dataset, published as a link."""

    title: str
    url: str
    format: str
    description: str = ""


@dataclass(frozen=True)
class PortalDataset:
    """A public dataset as the portals see it.

    `local_id`: stable slug of the dataset in Médiane (CKAN's `name`); `licence`: a code of
    LICENCE_CODES; `frequency`: a code of FREQUENCY_CODES; `organisation`: the id of the
    publishing organisation on the portal; `spatial_zones`: udata geozone ids.
    """

    local_id: str
    title: str
    description: str
    licence: str
    organisation: str
    keywords: Sequence[str] = ()
    frequency: str = "unknown"
    temporal: tuple[date | None, date | None] | None = None
    spatial_label: str | None = None
    spatial_zones: Sequence[str] = ()
    resources: Sequence[PortalResource] = ()


@dataclass
class PublishResult:
    """What a publication did (or, in dry run, would do)."""

    action: Action
    remote_id: str | None
    url: str | None
    requests: list[str] = field(default_factory=list)


# --- The HTTP layer shared by both clients -------------------------------------------------------


class _Client:
    portal_name = "le portail"

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        http: httpx.Client | None = None,
        dry_run: bool = False,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.dry_run = dry_run
        self.timeout = timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        self._owns_http = http is None
        self.http = http or httpx.Client(timeout=self.timeout, follow_redirects=False)

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def auth_headers(self) -> dict[str, str]:
        raise NotImplementedError

    def send(
        self,
        log: list[str],
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        ok: tuple[int, ...] = (200, 201, 204),
        absent: tuple[int, ...] = (),
    ) -> httpx.Response | None:
        """Send one request; None when it is a write in dry run or an `absent` status."""
        shown = path + (f"?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else "")
        if method != "GET" and self.dry_run:
            log.append(f"{method} {shown} (simulation, non envoyée)")
            return None
        log.append(f"{method} {shown}")
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json", **self.auth_headers()}
        try:
            response = self.http.request(
                method,
                self.base_url + path,
                params=params,
                json=body,
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.TimeoutException:
            raise PortalError(
                "timeout", f"{self.portal_name} n'a pas répondu à temps ({method} {path})."
            ) from None
        except httpx.HTTPError as exc:
            raise PortalError(
                "network",
                f"{self.portal_name} est injoignable ({type(exc).__name__} : {exc}).",
            ) from None
        if response.status_code in absent:
            return None
        if response.status_code not in ok:
            raise self.error(response)
        return response

    def error(self, response: httpx.Response) -> PortalError:
        status = response.status_code
        detail = _portal_message(response)
        suffix = f" Message du portail : {detail}" if detail else ""
        if status in (401, 403):
            return PortalError(
                "auth",
                f"{self.portal_name} a refusé la clé d'API ou les droits sont insuffisants "
                f"(HTTP {status}).{suffix}",
                status,
            )
        if status in (404, 410):
            return PortalError(
                "not_found", f"Jeu de données introuvable sur {self.portal_name}.{suffix}", status
            )
        if status in (400, 409, 422):
            return PortalError(
                "validation", f"{self.portal_name} a refusé les métadonnées.{suffix}", status
            )
        if status == 429:
            return PortalError(
                "rate_limited", f"Trop de requêtes envoyées à {self.portal_name}.{suffix}", status
            )
        if status >= 500:
            return PortalError(
                "server", f"{self.portal_name} est en erreur (HTTP {status}).{suffix}", status
            )
        return PortalError(
            "protocol", f"Réponse inattendue de {self.portal_name} (HTTP {status}).", status
        )

    def json(self, response: httpx.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise PortalError(
                "protocol",
                f"Réponse illisible de {self.portal_name} (JSON attendu).",
                response.status_code,
            ) from None


def _portal_message(response: httpx.Response) -> str:
    """The portal's own explanation of an error, in one line."""
    try:
        payload = response.json()
    except ValueError:
        return " ".join(response.text.split())[:300]
    if not isinstance(payload, dict):
        return str(payload)[:300]
    parts: list[str] = []
    nested = payload.get("error")
    error: dict[str, Any] = nested if isinstance(nested, dict) else payload
    for key, value in error.items():
        if key in ("__type", "help", "success", "status"):
            continue
        if key in ("message", "error") and isinstance(value, str):
            parts.insert(0, value)
        elif key == "errors" and isinstance(value, dict):
            parts.extend(f"{k} : {_join(v)}" for k, v in value.items())
        elif key not in ("message", "error"):
            parts.append(f"{key} : {_join(value)}")
    return " ; ".join(parts)[:500]


def _join(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _check_dataset(dataset: PortalDataset) -> None:
    if dataset.licence not in LICENCE_CODES:
        raise PortalError("validation", f"Licence inconnue : « {dataset.licence} ».")
    if dataset.frequency not in FREQUENCY_CODES:
        raise PortalError("validation", f"Fréquence inconnue : « {dataset.frequency} ».")


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


# --- data.gouv.fr --------------------------------------------------------------------------------


class UdataClient(_Client):
    """data.gouv.fr (udata API v1)."""

    portal_name = "data.gouv.fr"
    api = "/api/1"
    licences: Mapping[str, str] = {"lov2": "lov2", "odc-odbl": "odc-odbl", "cc-by": "cc-by"}

    def auth_headers(self) -> dict[str, str]:
        return {"X-API-KEY": self.api_key}

    def dataset_path(self, remote_id: str) -> str:
        return f"{self.api}/datasets/{quote(remote_id, safe='')}/"

    def fetch(self, log: list[str], remote_id: str) -> dict[str, Any] | None:
        """The remote dataset, or None when it is unknown or deleted."""
        response = self.send(log, "GET", self.dataset_path(remote_id), absent=(404, 410))
        if response is None:
            return None
        remote = self.json(response)
        if not isinstance(remote, dict) or remote.get("deleted"):
            return None
        return remote

    def dataset_body(self, dataset: PortalDataset) -> dict[str, Any]:
        body: dict[str, Any] = {
            "title": dataset.title,
            "description": dataset.description,
            "organization": dataset.organisation,
            "license": self.licences[dataset.licence],
            "frequency": dataset.frequency,
            "tags": sorted({t for t in map(_slug, dataset.keywords) if 3 <= len(t) <= 96}),
        }
        start, end = dataset.temporal or (None, None)
        if start or end:
            body["temporal_coverage"] = {
                k: v for k, v in (("start", _iso(start)), ("end", _iso(end))) if v
            }
        if dataset.spatial_zones:
            body["spatial"] = {"zones": list(dataset.spatial_zones)}
        return body

    @staticmethod
    def resource_body(resource: PortalResource) -> dict[str, Any]:
        return {
            "title": resource.title,
            "url": resource.url,
            "format": resource.format.lower(),
            "description": resource.description,
            "filetype": "remote",
            "type": "main",
        }

    def publish(self, dataset: PortalDataset, remote_id: str | None = None) -> PublishResult:
        _check_dataset(dataset)
        log: list[str] = []
        body = self.dataset_body(dataset)
        remote = self.fetch(log, remote_id) if remote_id else None
        if remote is None:
            return self._create(log, dataset, body)
        rid = str(remote["id"])
        dataset_changed = _udata_differs(remote, body)
        operations = _plan_resources(
            remote.get("resources") or [], dataset.resources, self.resource_body, _udata_resource
        )
        if not dataset_changed and not operations:
            return PublishResult("unchanged", rid, remote.get("page"), log)
        if dataset_changed:
            self.send(log, "PUT", self.dataset_path(rid), body=body)
        for method, resource_id, resource_body in operations:
            path = f"{self.dataset_path(rid)}resources/"
            if resource_id:
                path += f"{quote(resource_id, safe='')}/"
            self.send(log, method, path, body=resource_body)
        return PublishResult("planned" if self.dry_run else "updated", rid, remote.get("page"), log)

    def _create(
        self, log: list[str], dataset: PortalDataset, body: dict[str, Any]
    ) -> PublishResult:
        response = self.send(log, "POST", f"{self.api}/datasets/", body=body, ok=(200, 201))
        created = self.json(response) if response is not None else {}
        rid = str(created["id"]) if created.get("id") else None
        if rid is None and not self.dry_run:
            raise PortalError("protocol", "data.gouv.fr n'a pas renvoyé l'identifiant du jeu.")
        # In dry run the id is not known yet: the planned paths show "{id}".
        dataset_path = self.dataset_path(rid) if rid else f"{self.api}/datasets/{{id}}/"
        path = f"{dataset_path}resources/"
        try:
            for resource in dataset.resources:
                self.send(log, "POST", path, body=self.resource_body(resource), ok=(200, 201))
        except PortalError as exc:
            exc.remote_id = rid
            raise
        if self.dry_run:
            return PublishResult("planned", None, None, log)
        return PublishResult("created", rid, created.get("page"), log)

    def unpublish(self, remote_id: str) -> PublishResult:
        log: list[str] = []
        remote = self.fetch(log, remote_id)
        if remote is None:
            return PublishResult("absent", remote_id, None, log)
        path = self.dataset_path(str(remote["id"]))
        response = self.send(log, "DELETE", path, absent=(404, 410))
        if self.dry_run:
            return PublishResult("planned", remote_id, remote.get("page"), log)
        return PublishResult("deleted" if response is not None else "absent", remote_id, None, log)


def _udata_differs(remote: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    organisation = remote.get("organization")
    if isinstance(organisation, dict):
        organisation = organisation.get("id")
    if organisation != body["organization"]:
        return True
    for key in ("title", "description", "license", "frequency"):
        if (remote.get(key) or "") != body[key]:
            return True
    if sorted(remote.get("tags") or []) != body["tags"]:
        return True
    coverage = remote.get("temporal_coverage") or {}
    remote_coverage = {k: str(v)[:10] for k, v in coverage.items() if k in ("start", "end") and v}
    if remote_coverage != body.get("temporal_coverage", {}):
        return True
    zones = (remote.get("spatial") or {}).get("zones") or []
    return sorted(zones) != sorted(body.get("spatial", {}).get("zones", []))


def _udata_resource(remote: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "title": remote.get("title") or "",
        "url": remote.get("url") or "",
        "format": (remote.get("format") or "").lower(),
        "description": remote.get("description") or "",
    }


Operation = tuple[str, str | None, dict[str, Any] | None]


def _plan_resources(
    remote_resources: Sequence[Mapping[str, Any]],
    wanted: Sequence[PortalResource],
    to_body: Callable[[PortalResource], dict[str, Any]],
    from_remote: Callable[[Mapping[str, Any]], dict[str, Any]],
) -> list[Operation]:
    """udata resource requests: match by URL, then by title; update, create, delete the rest."""
    left = [r for r in remote_resources if r.get("id")]
    operations: list[Operation] = []
    for resource in wanted:
        body = to_body(resource)
        match = next((r for r in left if r.get("url") == resource.url), None) or next(
            (r for r in left if r.get("title") == resource.title), None
        )
        if match is None:
            operations.append(("POST", None, body))
            continue
        left.remove(match)
        current = from_remote(match)
        if any(current[k] != body[k] for k in current):
            operations.append(("PUT", str(match["id"]), body))
    operations.extend(("DELETE", str(r["id"]), None) for r in left)
    return operations


# --- Données Québec (CKAN) -----------------------------------------------------------------------

_CKAN_NAME = re.compile(r"[a-z0-9_-]{2,100}")
_CKAN_EXTRAS = ("frequency", "temporal_start", "temporal_end", "spatial_text")


class CkanClient(_Client):
    """Données Québec (CKAN action API)."""

    portal_name = "Données Québec"
    api = "/api/3/action"
    licences: Mapping[str, str] = {"lov2": "other-open", "odc-odbl": "odc-odbl", "cc-by": "cc-by"}

    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": self.api_key}

    def package_url(self, name: str) -> str:
        return f"{self.base_url}/dataset/{quote(name, safe='')}"

    def fetch(self, log: list[str], id_or_name: str) -> dict[str, Any] | None:
        """The package (deleted ones included: see `state`), or None when unknown."""
        response = self.send(
            log, "GET", f"{self.api}/package_show", params={"id": id_or_name}, absent=(404,)
        )
        if response is None:
            return None
        return self._result(response)

    def _result(self, response: httpx.Response) -> dict[str, Any]:
        payload = self.json(response)
        if not isinstance(payload, dict) or not payload.get("success"):
            raise PortalError("protocol", "Réponse inattendue de Données Québec.", 200)
        result = payload.get("result")
        return result if isinstance(result, dict) else {}

    def package_fields(self, dataset: PortalDataset) -> dict[str, Any]:
        """The package fields Médiane manages (override for a portal's own schema)."""
        start, end = dataset.temporal or (None, None)
        extras = {
            "frequency": dataset.frequency,
            "temporal_start": _iso(start),
            "temporal_end": _iso(end),
            "spatial_text": dataset.spatial_label,
        }
        tags = {" ".join(re.sub(r"[^\w .-]+", " ", k).split())[:100] for k in dataset.keywords}
        return {
            "name": dataset.local_id,
            "title": dataset.title,
            "notes": dataset.description,
            "owner_org": dataset.organisation,
            "license_id": self.licences[dataset.licence],
            "tags": [{"name": t} for t in sorted(t for t in tags if len(t) >= 2)],
            "extras": [{"key": k, "value": v} for k, v in extras.items() if v],
            "resources": [
                {
                    "name": r.title,
                    "url": r.url,
                    "format": r.format.upper(),
                    "description": r.description,
                }
                for r in dataset.resources
            ],
        }

    def publish(self, dataset: PortalDataset, remote_id: str | None = None) -> PublishResult:
        _check_dataset(dataset)
        if not _CKAN_NAME.fullmatch(dataset.local_id):
            raise PortalError(
                "validation",
                f"Identifiant « {dataset.local_id} » invalide pour Données Québec : 2 à 100 "
                "caractères parmi minuscules, chiffres, « - » et « _ ».",
            )
        log: list[str] = []
        wanted = self.package_fields(dataset)
        remote = self.fetch(log, remote_id) if remote_id else None
        if remote is None:
            remote = self.fetch(log, dataset.local_id)
        url = self.package_url(dataset.local_id)
        if remote is None:
            response = self.send(log, "POST", f"{self.api}/package_create", body=wanted)
            if response is None:
                return PublishResult("planned", None, None, log)
            created = self._result(response)
            return PublishResult("created", str(created.get("id")), url, log)
        reactivate = remote.get("state") == "deleted"
        body = _ckan_merge(remote, wanted)
        if reactivate:
            body["state"] = "active"
        elif not _ckan_differs(remote, body):
            return PublishResult("unchanged", str(remote.get("id")), url, log)
        response = self.send(log, "POST", f"{self.api}/package_update", body=body)
        if response is None:
            return PublishResult("planned", str(remote.get("id")), url, log)
        updated = self._result(response)
        action: Action = "created" if reactivate else "updated"
        return PublishResult(action, str(updated.get("id") or remote.get("id")), url, log)

    def unpublish(self, remote_id: str) -> PublishResult:
        log: list[str] = []
        remote = self.fetch(log, remote_id)
        if remote is None or remote.get("state") == "deleted":
            return PublishResult("absent", remote_id, None, log)
        response = self.send(
            log, "POST", f"{self.api}/package_delete", body={"id": remote["id"]}, absent=(404,)
        )
        if self.dry_run:
            return PublishResult("planned", remote_id, self.package_url(remote["name"]), log)
        return PublishResult("deleted" if response is not None else "absent", remote_id, None, log)


def _ckan_merge(remote: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The remote package with Médiane's fields: other fields and extras are kept."""
    body = {k: v for k, v in remote.items() if k not in ("resources", "extras", "tags")}
    body.update({k: v for k, v in wanted.items() if k not in ("resources", "extras")})
    body["id"] = remote["id"]
    kept_extras = [e for e in remote.get("extras") or [] if e.get("key") not in _CKAN_EXTRAS]
    body["extras"] = kept_extras + list(wanted["extras"])
    left = [dict(r) for r in remote.get("resources") or []]
    resources = []
    for resource in wanted["resources"]:
        match = next((r for r in left if r.get("url") == resource["url"]), None) or next(
            (r for r in left if r.get("name") == resource["name"]), None
        )
        if match is not None:
            left.remove(match)
            resources.append({**match, **resource})
        else:
            resources.append(dict(resource))
    body["resources"] = resources
    return body


def _ckan_differs(remote: Mapping[str, Any], body: Mapping[str, Any]) -> bool:
    for key in ("name", "title", "notes", "license_id"):
        if (remote.get(key) or "") != (body.get(key) or ""):
            return True
    organisation = remote.get("owner_org")
    if (
        organisation != body["owner_org"]
        and (remote.get("organization") or {}).get("name") != body["owner_org"]
    ):
        return True
    if sorted(t.get("name") for t in remote.get("tags") or []) != [t["name"] for t in body["tags"]]:
        return True

    def extras(package: Mapping[str, Any]) -> dict[str, Any]:
        return {e.get("key"): e.get("value") for e in package.get("extras") or []}

    if extras(remote) != extras(body):
        return True
    fields = ("id", "name", "url", "format", "description")
    current = [{k: r.get(k) or "" for k in fields} for r in remote.get("resources") or []]
    wanted = [{k: r.get(k) or "" for k in fields} for r in body["resources"]]
    return current != wanted
