"""The versioned API: one NinjaAPI per version, one Router per app (`<app>/api.py`).

Reads are open to anonymous callers (public data only) and to token holders (what their roles
let them see); writes need a token. Errors, authentication and rate limits live in this package
(`errors.py`, `auth.py`, `throttling.py`); docs/api.md documents every operation.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, re_path, reverse
from django.utils.translation import gettext as _
from ninja import NinjaAPI

from mediane.api.auth import optional_token
from mediane.api.docs import LocalSwagger, ReferenceDocs
from mediane.api.errors import error_response, install_error_handlers
from mediane.api.throttling import AnonThrottle, TokenThrottle


class MedianeAPI(NinjaAPI):
    """NinjaAPI plus an interactive console page and a root that leads to the docs."""

    console = LocalSwagger()

    def _get_urls(self) -> list[Any]:
        urls = [
            URLPattern(url.pattern, self._json_405(url.callback), url.default_args, url.name)
            if isinstance(url, URLPattern)
            else url
            for url in super()._get_urls()
            if getattr(url, "name", None) != "api-root"
        ]
        urls.insert(0, path("docs/console", self._console_view, name="openapi-console"))
        urls.append(path("", self._root_view, name="api-root"))
        # Last: any other path under the API answers with our JSON 404, not an HTML page.
        urls.append(re_path(r"^.+$", self._unknown_view, name="api-unknown"))
        return urls

    def _json_405(self, view: Any) -> Any:
        """ninja answers an unsupported method with a bare 405: give it our JSON body."""

        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            response = view(request, *args, **kwargs)
            if isinstance(response, HttpResponseNotAllowed):
                allowed = response["Allow"]
                response = error_response(
                    self,
                    request,
                    status=405,
                    code="method_not_allowed",
                    message=_("Méthode non autorisée ici ; méthodes possibles : %(allowed)s.")
                    % {"allowed": allowed},
                )
                response["Allow"] = allowed
            return response

        return wrapper

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        """Express optional authentication the OpenAPI way: `security: [{}, {"TokenAuth": []}]`."""
        schema = super().get_openapi_schema(*args, **kwargs)
        optional: dict[str, list[str]] = {"OptionalTokenAuth": []}
        for item in schema.get("paths", {}).values():
            for operation in item.values():
                if isinstance(operation, dict) and operation.get("security") == [optional]:
                    operation["security"] = [{}, {"TokenAuth": []}]
        schemes = schema.get("components", {}).get("securitySchemes", {})
        optional_scheme = schemes.pop("OptionalTokenAuth", None)
        if optional_scheme is not None:
            schemes.setdefault("TokenAuth", optional_scheme)
        if "TokenAuth" in schemes:
            schemes["TokenAuth"]["description"] = (
                "Jeton d'API personnel, créé sur la page de profil : "
                "« Authorization: Bearer <jeton> »."
            )
        return schema

    def _console_view(self, request: HttpRequest, **kwargs: Any) -> Any:
        return self.console.render_page(request, self, **kwargs)

    def _unknown_view(self, request: HttpRequest, **kwargs: Any) -> HttpResponse:
        return error_response(
            self,
            request,
            status=404,
            code="not_found",
            message=_("Cette adresse d'API n'existe pas."),
        )

    def _root_view(self, request: HttpRequest, **kwargs: Any) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse(f"{self.urls_namespace}:openapi-view"))


api_v1 = MedianeAPI(
    title="API de Médiane",
    version="1.0.0",
    description=(
        "API du réseau international des villes médianes (France – Québec) : territoires, "
        "annuaire des organisations, secteurs, recherche. Lecture publique ; écriture avec un "
        "jeton d'API personnel."
    ),
    urls_namespace="api-v1",
    docs=ReferenceDocs(),
    auth=optional_token,
    throttle=[AnonThrottle(), TokenThrottle()],
)
install_error_handlers(api_v1)


def _mount_routers() -> None:
    from mediane.api.me import router as me_router
    from mediane.cooperation.api import router as cooperation_router
    from mediane.datahub.api import router as datahub_router
    from mediane.diagnostic.api import router as diagnostic_router
    from mediane.directory.api import router as directory_router
    from mediane.incubation.api import router as incubation_router
    from mediane.labels.api import router as labels_router
    from mediane.market.api import router as market_router
    from mediane.plans.api import router as plans_router
    from mediane.search.api import router as search_router
    from mediane.solutions.api import router as solutions_router
    from mediane.summit.api import router as summit_router
    from mediane.support.api import router as support_router
    from mediane.territories.api import router as territories_router
    from mediane.tierslieux.api import router as tierslieux_router

    api_v1.add_router("", territories_router)
    api_v1.add_router("", directory_router)
    api_v1.add_router("", search_router)
    api_v1.add_router("", me_router)
    api_v1.add_router("", market_router)
    api_v1.add_router("", summit_router)
    api_v1.add_router("", datahub_router)
    api_v1.add_router("", cooperation_router)
    api_v1.add_router("", solutions_router)
    api_v1.add_router("", incubation_router)
    api_v1.add_router("", tierslieux_router)
    api_v1.add_router("", support_router)
    api_v1.add_router("", diagnostic_router)
    api_v1.add_router("", plans_router)
    api_v1.add_router("", labels_router)


_mount_routers()
