"""The surface matrix: the permission matrix (test_permission_matrix.py) seen through every
surface that lists, shows, exports or feeds objects — pages and their fragments, the API, search
and suggestions, CSV/XLSX/JSON/PDF exports, Atom/iCalendar/GeoJSON feeds, DCAT in every
serialisation, the label's public list and badges, territory pages.

The world (surface_parts/world.py) holds, for each object type and each of its non-public
states, one object carrying a unique marker `ZQXLEAK-<key>`. For every role, every surface
(surface_parts/surfaces.py) is fetched and:

- a marker shows only where `core.permissions.can` lets the role see its object (a leak fails);
- a list that is complete for its kind shows every marker the role may see;
- a detail page or download answers 200 exactly to the roles that may see its object.

`test_every_listing_url_is_covered` fails when a list, export or feed URL, or an API read
operation, appears that no surface covers: register it in surfaces.py (or say in NOT_SURFACES
why it shows no object).
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.core.matrix_roles import ROLES
from tests.core.surface_parts.oracle import allowed_keys, allowed_on
from tests.core.surface_parts.surfaces import (
    Surface,
    _api_arguments,
    api_surfaces,
    page_surfaces,
)
from tests.core.surface_parts.world import PREFIX, World, build_world

#: The module's tests run in one process (`--dist loadgroup` in the Makefile): the closing check
#: `test_every_surface_answers_someone` reads the statuses the role tests gathered, and would
#: otherwise see only the part of them that ran beside it.
pytestmark = pytest.mark.xdist_group("surface_matrix")

SURFACE_ROLES = tuple(role for role in ROLES if role != "superuser")  # superusers pass every rule

#: URLs that list, export or feed nothing of the world, and why (any other list, export or feed
#: URL must be fetched by a surface of surface_parts/surfaces.py).
NOT_SURFACES = {
    "set_language": "POST only: switches the language",
    "admin_login": "Django admin login form",
    "core:healthz": "liveness probe, no data",
    "core:readyz": "readiness probe, no data",
    "core:metrics": "Prometheus counters behind a token, no object",
    "privacy": "static privacy notice",
    "accounts:login": "login form",
    "accounts:login_verify": "second login step, needs a pending login in the session",
    "accounts:logout": "POST only",
    "accounts:register": "sign-up form",
    "accounts:resend_verification": "asks for an e-mail address",
    "accounts:api_token_create": "POST only: creates a token",
    "accounts:two_factor_setup": "creates a secret for the user's own account",
    "accounts:two_factor_recovery_codes": "the user's own recovery codes",
    "accounts:two_factor_disable": "POST form of the user's own account",
    "accounts:password_change": "password form",
    "accounts:password_change_done": "static confirmation",
    "accounts:password_reset": "asks for an e-mail address",
    "accounts:password_reset_done": "static confirmation",
    "accounts:password_reset_complete": "static confirmation",
    "notifications:mark_all_read": "POST only",
    "tierslieux:feed_reset": "POST only: renews the feed's secret address",
    "market:challenge_checklist": "POST only: checks a draft being written",
    "cooperation:proposal_create": "POST only: sends a pooling proposal",
    "diagnostic:start": "POST only: opens a diagnostic",
    "labels:request": "POST only: asks for an evaluation",
    "incubation:request_create": "a start-up's form (a member of a start-up only); no list",
}

#: Status codes seen per surface over all roles (a surface nobody may read checks nothing).
STATUSES: dict[tuple[str, str], set[int]] = {}
#: Surfaces narrower than the rule (they may rightly answer nobody).
NARROWER: set[tuple[str, str]] = set()
#: (role, api) whose surfaces this process fetched, and so counted in STATUSES.
FETCHED: set[tuple[str, bool]] = set()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):  # type: ignore[no-untyped-def]
    """The world, built once for the module inside a transaction rolled back at its end."""
    folder = tmp_path_factory.mktemp("surfaces")
    storages = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(folder / "private"), "base_url": None},
        },
    }
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=folder / "media",
            DATAHUB_ROOT=folder / "datahub",
            STORAGES=storages,
            API_RATE_ANON="100000/min",
            API_RATE_TOKEN="100000/min",
        ),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _media_root():  # type: ignore[no-untyped-def]
    """The world's files stay where the module fixture put them (overrides tests/conftest.py)."""
    yield


def _body(response: Any) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return bytes(response.content)


def _parquet_text(content: bytes) -> str:
    import tempfile

    import duckdb

    with tempfile.NamedTemporaryFile(suffix=".parquet") as handle:
        handle.write(content)
        handle.flush()
        rows = duckdb.connect().execute("SELECT * FROM read_parquet(?)", [handle.name]).fetchall()
    return "\n".join(" ".join(str(value) for value in row) for row in rows)


def text_of(response: Any) -> str:
    """What a reader of the response sees, as text: pages and feeds as they are, XLSX and ZIP
    members unpacked, PDF and Parquet read back."""
    content = _body(response)
    if content.startswith(b"PK\x03\x04"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    if content.startswith(b"%PDF-"):
        from pypdf import PdfReader

        pages = PdfReader(io.BytesIO(content)).pages
        return "".join(page.extract_text() or "" for page in pages).replace("\n", "")
    if content.startswith(b"PAR1"):
        return _parquet_text(content)
    text = content.decode("utf-8", "replace")
    text = text.replace("\r\n ", "").replace("\n ", "")  # unfold iCalendar lines
    return re.sub(r"</?mark>", "", text)  # search highlights split the words


def markers_in(text: str, pattern: re.Pattern[str]) -> set[str]:
    return set(pattern.findall(text))


def _client(world: World, role: str, api: bool) -> Client:
    client = Client(raise_request_exception=False)
    user = world.users[role]
    if api:
        if role != "anonymous":
            client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[role]}"
    elif role != "anonymous":
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def check_surfaces(world: World, role: str, surfaces: list[Surface], api: bool) -> list[str]:
    user = world.users[role]
    may_see = allowed_keys(user, world.objects)
    pattern = re.compile(
        re.escape(PREFIX) + "(" + "|".join(sorted(world.objects, key=len, reverse=True)) + ")"
    )
    client = _client(world, role, api)
    wrong: list[str] = []
    NARROWER.update((s.name, s.url) for s in surfaces if s.narrower)
    FETCHED.add((role, api))
    for surface in surfaces:
        if surface.roles is not None and role not in surface.roles:
            continue
        fetch = client.post if surface.method == "post" else client.get
        response = fetch(surface.url, headers=dict(surface.headers))
        STATUSES.setdefault((surface.name, surface.url), set()).add(response.status_code)
        where = f"{role} {surface.name} {surface.url} ({response.status_code})"
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            wrong.append(f"ERROR {where}: {error[1]!r}" if error else f"ERROR {where}")
            continue
        allowed = allowed_on(may_see, surface.name, user, world.objects)
        try:
            shown = markers_in(text_of(response), pattern)
        except Exception as error:  # a download nobody can read back is a failure too
            wrong.append(f"UNREADABLE {where}: {error!r}")
            continue
        for key in sorted(shown - allowed):
            wrong.append(f"LEAK {where}: {key}")
        if response.status_code == 200:
            for key in sorted((surface.complete & allowed) - shown):
                wrong.append(f"MISSING {where}: {key}")
        if surface.subject:
            ok = response.status_code == 200
            if ok and surface.subject not in allowed:
                wrong.append(f"LEAK {where}: the page of {surface.subject}")
            # A deactivated account's token is refused outright, even for public objects.
            dead_token = api and role == "inactive_admin" and response.status_code == 401
            if not ok and surface.subject in allowed and not (surface.narrower or dead_token):
                wrong.append(f"REFUSED {where}: the page of {surface.subject}")
    return wrong


@pytest.mark.parametrize("role", SURFACE_ROLES)
def test_pages_show_only_what_the_role_may_see(world, role, db):
    cache.clear()
    wrong = check_surfaces(world, role, page_surfaces(world), api=False)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", SURFACE_ROLES)
def test_api_shows_only_what_the_role_may_see(world, role, db):
    cache.clear()
    wrong = check_surfaces(world, role, api_surfaces(world), api=True)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("role", SURFACE_ROLES)
def test_replication_counts_follow_what_the_role_may_read(world, role, db):
    """The count of a sheet's replications shown on the list page, its export and the API is the
    number of replications the role may read (`solutions.selectors.replications_of`)."""
    import csv

    from mediane.solutions.selectors import replications_of

    sheet = world.objects["solution_public"]
    user = world.users[role]
    expected = replications_of(user, sheet).count()
    assert 0 < expected <= sheet.replications.count()
    pages, api = _client(world, role, api=False), _client(world, role, api=True)
    listed = pages.get(reverse("solutions:list")).content.decode()
    shown = re.search(
        re.escape(sheet.title) + r".*?(?:reproduite (\d+) fois|</article>|</li>|</tr>)",
        listed,
        re.S,
    )
    assert shown is not None
    assert int(shown.group(1) or 0) == expected, shown.group(0)
    exported = pages.get(reverse("solutions:export", args=["csv"]))
    rows = {r["slug"]: r for r in csv.DictReader(io.StringIO(text_of(exported).lstrip("\ufeff")))}
    assert int(rows[sheet.slug]["replication_count"]) == expected
    if role == "inactive_admin":
        return  # a deactivated account's token is refused (401)
    results = api.get("/api/v1/solutions?limit=100").json()["results"]
    assert {r["slug"]: r["replication_count"] for r in results}[sheet.slug] == expected
    assert api.get(f"/api/v1/solutions/{sheet.slug}").json()["replication_count"] == expected
    assert api.get(f"/api/v1/solutions/{sheet.slug}/replications").json()["count"] == expected


LISTING = re.compile(
    r"export|flux|feed|\.ics|\.atom|\.csv|\.xlsx|\.json|geojson|dcat|catalogue|sitemap|\.svg"
    r"|\.pdf|\.xml|\.<str:fmt>|rss"
)


def _routes(patterns: list[Any], prefix: str = "", namespace: str = "") -> Any:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), namespace + pattern.name


def listing_url_names() -> set[str]:
    """Names of the URLs with no parameter (lists, forms) or that export or feed (by route)."""
    return {
        name
        for route, name in _routes(get_resolver().url_patterns)
        if not name.startswith(("admin:", "api-v1:"))
        and ("<" not in route or LISTING.search(route))
    }


def test_every_listing_url_is_covered(world):
    covered = {surface.name for surface in page_surfaces(world)}
    listing = listing_url_names()
    missing = sorted(listing - covered - set(NOT_SURFACES))
    assert not missing, f"lists, exports or feeds no surface fetches: {missing}"
    stale = sorted(set(NOT_SURFACES) - listing)
    assert not stale, f"NOT_SURFACES names no such URL: {stale}"


def test_every_api_read_operation_is_covered(world):
    from mediane.api.api import api_v1

    operations = {
        item["get"]["operationId"]
        for item in api_v1.get_openapi_schema()["paths"].values()
        if "get" in item
    }
    surfaces = api_surfaces(world)
    assert {surface.name.removeprefix("api:") for surface in surfaces} == operations
    unfilled = [surface.url for surface in surfaces if "{" in surface.url]
    assert not unfilled, f"path parameters to fill in surfaces._api_arguments: {unfilled}"
    assert set(_api_arguments(world)) <= operations


def test_every_surface_answers_someone(world, db):
    """A surface that answers nobody (a wrong address) checks nothing. The statuses are those the
    role tests of this process gathered; the roles they did not fetch (the suite spread over
    several processes, or this test run alone) are fetched here (what they show is the role
    tests' concern)."""
    for role in SURFACE_ROLES:
        for api, surfaces in ((False, page_surfaces), (True, api_surfaces)):
            if (role, api) not in FETCHED:
                cache.clear()
                check_surfaces(world, role, surfaces(world), api=api)
    assert {(role, api) for role in SURFACE_ROLES for api in (False, True)} <= FETCHED
    silent = sorted(
        f"{name} {url} {codes}"
        for (name, url), codes in STATUSES.items()
        if 200 not in codes and (name, url) not in NARROWER
    )
    assert not silent, "\n".join(silent)
