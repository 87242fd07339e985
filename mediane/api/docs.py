"""Documentation pages of the API, both working under our strict CSP with no CDN.

- `/api/v1/docs`: a server-rendered reference built from the OpenAPI document (operations,
  parameters, bodies, responses, an example `curl`); readable without JavaScript.
- `/api/v1/docs/console`: Swagger UI, served from the assets shipped in the django-ninja package.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja.openapi.docs import DocsBase, Swagger

if TYPE_CHECKING:
    from ninja import NinjaAPI

METHODS = ("get", "post", "put", "patch", "delete")


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if ref:
        return components.get(ref.rsplit("/", 1)[-1], {})
    return schema


def _type_label(schema: dict[str, Any], components: dict[str, Any]) -> str:
    """A short human label for a JSON schema: `string`, `integer | null`, `array of Sector`…"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(_type_label(option, components) for option in schema["anyOf"])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _type_label(schema["allOf"][0], components)
    if "enum" in schema:
        return " | ".join(json.dumps(value) for value in schema["enum"])
    kind = schema.get("type", "object")
    if kind == "array":
        return f"array[{_type_label(schema.get('items', {}), components)}]"
    if schema.get("format"):
        return f"{kind} ({schema['format']})"
    return str(kind)


def _fields(schema: dict[str, Any], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type_label(prop, components),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _token_required(operation: dict[str, Any]) -> bool:
    """True when every security alternative needs a token (`{}` marks optional auth)."""
    security = operation.get("security") or []
    return bool(security) and {} not in security


def _curl(method: str, path: str, operation: dict[str, Any], base: str) -> str:
    parts = ["curl"]
    if method != "get":
        parts.append(f"-X {method.upper()}")
    if _token_required(operation):
        parts.append('-H "Authorization: Bearer $MEDIANE_TOKEN"')
    if "requestBody" in operation:
        parts.append("-H \"Content-Type: application/json\" -d '{…}'")
    parts.append(f'"{base}{path}"')
    return " ".join(parts)


def reference(api: NinjaAPI, *, path_params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The OpenAPI document reshaped for the reference template, grouped by tag."""
    schema = api.get_openapi_schema(path_params=path_params or {})
    components = schema.get("components", {}).get("schemas", {})
    base = settings.SITE_URL
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if not operation:
                continue
            body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
            responses = []
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "type": _type_label(content["schema"], components) if content else "",
                        "fields": _fields(content["schema"], components) if content else [],
                    }
                )
            entry = {
                "id": operation.get("operationId", ""),
                "method": method.upper(),
                "path": path,
                "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "auth": _token_required(operation),
                "parameters": [
                    {
                        "name": param["name"],
                        "in": param["in"],
                        "type": _type_label(param.get("schema", {}), components),
                        "required": param.get("required", False),
                        "description": param.get("description")
                        or param.get("schema", {}).get("description", ""),
                    }
                    for param in operation.get("parameters", [])
                ],
                "body": _fields(body["schema"], components) if body else [],
                "responses": responses,
                "curl": _curl(method, path, operation, base),
            }
            for tag in operation.get("tags") or ["API"]:
                groups.setdefault(tag, []).append(entry)
    return {
        "title": schema["info"]["title"],
        "version": schema["info"]["version"],
        "description": schema["info"].get("description", ""),
        "groups": [{"tag": tag, "operations": ops} for tag, ops in groups.items()],
    }


class ReferenceDocs(DocsBase):
    """The server-rendered reference page (ninja's `docs` hook)."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        context = {
            "api": reference(api, path_params=kwargs),
            "openapi_url": self.get_openapi_url(api, kwargs),
            "rate_anon": settings.API_RATE_ANON,
            "rate_token": settings.API_RATE_TOKEN,
        }
        return render(request, "api/reference.html", context)


class LocalSwagger(Swagger):
    """Swagger UI from django-ninja's packaged assets (no CDN), with no external validator."""

    template = "api/swagger.html"

    def __init__(self) -> None:
        super().__init__(settings={"validatorUrl": None, "tryItOutEnabled": False})
