"""The mixed load test (bench/load/locustfile.py) cannot rot silently: it imports, and every
page it requests is still where Django's URL configuration puts it. Skipped when locust (the
optional `bench` dependencies) is not installed; the load itself is a benchmark, not a test.

The locustfile is imported in a child process: locust patches the standard library with gevent
when imported, which must not happen inside the test run."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

if importlib.util.find_spec("locust") is None:
    pytest.skip("locust is in the optional `bench` dependencies", allow_module_level=True)

LOAD_DIR = Path(__file__).resolve().parents[2] / "bench" / "load"
FORM = """<form method="get"><input name="q"></form>
<form method="post" action="">
  <input type="hidden" name="csrfmiddlewaretoken" value="t">
  <input name="title" value="Défi">
  <input type="checkbox" name="public" checked><input type="checkbox" name="draft">
  <textarea name="summary">Un besoin</textarea>
  <select name="currency"><option value="EUR">EUR</option>
    <option value="CAD" selected>CAD</option></select>
  <input type="submit" name="go" value="Enregistrer">
</form>"""
PROBE = """
import json, sys
import locustfile as lf
users = {
    name: cls.weight for name, cls in vars(lf).items()
    if isinstance(cls, type) and issubclass(cls, lf.MedianeUser)
    and not cls.__dict__.get("abstract")
}
print(json.dumps({
    "routes": lf.ROUTES, "api": lf.API_LISTS, "groups": lf.GROUPS, "users": users,
    "form": lf.post_forms(sys.stdin.read()),
}))
"""


@pytest.fixture(scope="module")
def locustfile() -> dict:
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        input=FORM,
        cwd=LOAD_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        env={"MEDIANE_LOAD_TARGETS": str(LOAD_DIR / "absent.json"), "PATH": ""},
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_route_resolves_to_its_path(locustfile):  # type: ignore[no-untyped-def]
    for name, (url_name, template, sample) in locustfile["routes"].items():
        assert reverse(url_name, kwargs=sample or None) == template.format(**sample), name


def test_every_api_list_is_an_operation(client, locustfile):  # type: ignore[no-untyped-def]
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for name in locustfile["api"]:
        assert "get" in paths[f"/api/v1/{name}"], name


def test_every_request_name_belongs_to_a_group(locustfile):  # type: ignore[no-untyped-def]
    grouped = {name for names in locustfile["groups"].values() for name in names}
    names = set(locustfile["routes"]) | {f"api {n}" for n in locustfile["api"]}
    assert names <= grouped, names - grouped
    assert len(locustfile["users"]) >= 10 and all(w > 0 for w in locustfile["users"].values())


def test_forms_are_read_as_a_browser_submits_them(locustfile):  # type: ignore[no-untyped-def]
    (form,) = locustfile["form"]
    assert form["fields"] == {
        "csrfmiddlewaretoken": "t",
        "title": "Défi",
        "public": "on",
        "summary": "Un besoin",
        "currency": "CAD",
    }
