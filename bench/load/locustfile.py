"""Mixed load of Médiane for locust: the public, search, map, city staff, companies, summit
participants, API clients, and writers contending for the same objects.

The targets (accounts, slugs, ids, tokens) come from the JSON written by `populate.py`
(`MEDIANE_LOAD_TARGETS`, default `bench/out/load/targets.json`); the servers from
`MEDIANE_LOAD_HOSTS` (comma-separated, one picked per request in turn) or locust's `--host`.
Every acknowledged write that `check_integrity.py` verifies afterwards is appended to
`MEDIANE_LOAD_ACKS` (JSON lines). `run.py` sets all three; run it rather than locust directly.

Request names are the keys of `ROUTES` (grouped by the part of the site in `GROUPS`), so the
report reads per endpoint; `tests/core/test_load_locustfile.py` checks that every route still
resolves to the same path with Django's `reverse()`.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import threading
import time
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from locust import HttpUser, between, events, task

HERE = Path(__file__).resolve().parent
TARGETS_FILE = Path(
    os.environ.get("MEDIANE_LOAD_TARGETS", HERE.parent / "out" / "load" / "targets.json")
)

# name -> (Django URL name, path template, sample arguments for the reverse() test).
ROUTES: dict[str, tuple[str, str, dict[str, Any]]] = {
    "home": ("core:home", "/", {}),
    "directory": ("directory:list", "/annuaire/", {}),
    "territories": ("territories:list", "/territoires/", {}),
    "territory": ("territories:detail", "/territoires/{slug}/", {"slug": "lourdes-65286"}),
    "challenges": ("market:challenge_list", "/defis/", {}),
    "challenge": ("market:challenge", "/defis/{slug}/", {"slug": "un-defi"}),
    "datasets": ("datahub:catalogue", "/donnees/", {}),
    "search": ("search:search", "/recherche/", {}),
    "suggest": ("search:suggestions", "/recherche/suggestions", {}),
    "map": ("core:map", "/carte/", {}),
    "map_points": ("core:map_points", "/carte/points.geojson", {}),
    "login": ("accounts:login", "/comptes/connexion/", {}),
    "challenge_edit": ("market:challenge_edit", "/defis/{slug}/modifier/", {"slug": "un-defi"}),
    "plan_action": (
        "plans:action",
        "/plans/{slug}/actions/{number}/",
        {"slug": "un-plan", "number": 3},
    ),
    "funding_add": (
        "plans:funding_add",
        "/plans/{slug}/actions/{number}/financements/",
        {"slug": "un-plan", "number": 3},
    ),
    "indicator_value_add": (
        "plans:indicator_value_add",
        "/plans/{slug}/actions/{number}/indicateurs/{pk}/valeurs/",
        {"slug": "un-plan", "number": 3, "pk": 4},
    ),
    "answer_edit": ("market:answer_edit", "/defis/reponses/{pk}/modifier/", {"pk": 5}),
    "agenda": ("summit:agenda", "/sommet/{slug}/agenda/", {"slug": "siivim-2027"}),
    "agenda_ics": (
        "summit:agenda_ics",
        "/sommet/{slug}/agenda/{token}.ics",
        {"slug": "siivim-2027", "token": "abc"},
    ),
    "book": ("tierslieux:book", "/tiers-lieux/{slug}/reserver/", {"slug": "salle"}),
    "resource_week": ("tierslieux:week", "/tiers-lieux/{slug}/semaine/", {"slug": "salle"}),
    "meeting_move": (
        "summit:meeting_move",
        "/sommet/{slug}/organisation/rendez-vous/{pk}/deplacer/",
        {"slug": "siivim-2027", "pk": 6},
    ),
    "planning": ("summit:planning", "/sommet/{slug}/organisation/planning/", {"slug": "s"}),
    "score": (
        "market:score",
        "/defis/{slug}/evaluation/reponses/{answer_id}/",
        {"slug": "un-defi", "answer_id": 7},
    ),
}
API_LISTS = ["organisations", "challenges", "offers", "datasets", "solutions", "plans"]
GROUPS = {
    "browse": ["home", "directory", "territories", "territory", "challenges", "challenge"],
    "browse ": ["datasets"],
    "search": ["search", "suggest"],
    "map": ["map", "map_points"],
    "staff": ["challenge_edit", "plan_action", "funding_add", "indicator_value_add"],
    "company": ["answer_edit"],
    "summit": ["agenda", "agenda_ics"],
    "api": [f"api {name}" for name in API_LISTS],
    "contested": ["book", "resource_week", "meeting_move", "planning", "score"],
    "login": ["login"],
}
FACETS = [
    "",
    "?country=FR",
    "?country=QC",
    "?kind=startup",
    "?sector=numerique",
    "?kind=pme&country=FR",
    "?network_member=1",
    "?page=2",
]
EMPTY_TARGETS: dict[str, Any] = {
    "password": "",
    "staff": [],
    "jurors": [],
    "companies": [],
    "bookers": [],
    "organisers": [],
    "participants": [],
    "api_tokens": [],
    "plan": {"slug": "", "action": 1, "indicator": 0},
    "challenge_drafts": [],
    "challenges": [],
    "evaluation": {"slug": "", "answers": [], "criteria": []},
    "edition": {"slug": "", "meetings": [], "slots": []},
    "resource": {"slug": "", "slots": []},
    "territories": [],
    "search_terms": ["laine"],
}


def load_targets() -> dict[str, Any]:
    if TARGETS_FILE.exists():
        return {**EMPTY_TARGETS, **json.loads(TARGETS_FILE.read_text())}
    return dict(EMPTY_TARGETS)


TARGETS = load_targets()
HOSTS = [h.strip().rstrip("/") for h in os.environ.get("MEDIANE_LOAD_HOSTS", "").split(",") if h]
_next_host = itertools.cycle(HOSTS) if HOSTS else None
_host_lock = threading.Lock()
_counters: dict[str, itertools.count] = {}
ACKS: list[dict[str, Any]] = []
BOOKED: list[dict[str, str]] = []  # slots booked so far: the contest moves on to the next
# Each run contends for slots further on (the earlier ones were booked by previous runs).
SLOT_BASE = random.randrange(max(1, len(TARGETS["resource"]["slots"]) - 100))


def path(name: str, **kwargs: Any) -> str:
    return ROUTES[name][1].format(**kwargs)


def pick_account(kind: str) -> Any:
    """The accounts of one kind in turn, so that N users of a kind are N distinct people."""
    pool = TARGETS[kind]
    counter = _counters.setdefault(kind, itertools.count())
    return pool[next(counter) % len(pool)]


class FormParser(HTMLParser):
    """The POST forms of a page: action and fields with their current values."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._form: dict[str, Any] | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attrs_list}
        if tag == "form":
            self._form = {"action": attrs.get("action", ""), "method": attrs.get("method", "get")}
            self._form["fields"] = {}
            self.forms.append(self._form)
        if self._form is None or not attrs.get("name"):
            return
        fields = self._form["fields"]
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"submit", "button", "file", "image"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            fields[name] = attrs.get("value", "on" if kind == "checkbox" else "")
        elif tag == "textarea":
            self._textarea = name
            fields[name] = ""
        elif tag == "select":
            self._select = name
            fields.setdefault(name, None)
        elif tag == "option" and self._select:
            pass

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form["fields"][self._textarea] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


_OPTION = re.compile(r"<option([^>]*)>", re.S)


def post_forms(html: str) -> list[dict[str, Any]]:
    parser = FormParser()
    parser.feed(html)
    forms = [f for f in parser.forms if f["method"].lower() == "post"]
    # Selects: the selected option, else the first (HTMLParser gives no easy option context).
    for form in forms:
        for name, value in list(form["fields"].items()):
            if value is None:
                form["fields"][name] = _selected(html, name)
    return forms


def _selected(html: str, name: str) -> str:
    block = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', html, re.S)
    if not block:
        return ""
    first = ""
    for match in _OPTION.finditer(block.group(1)):
        value = re.search(r'value="([^"]*)"', match.group(1))
        current = value.group(1) if value else ""
        if "selected" in match.group(1):
            return current
        first = first or current
    return first


class MedianeUser(HttpUser):
    """Common helpers: several hosts in turn, CSRF, log in, forms."""

    abstract = True
    wait_time = between(1, 3)
    host = HOSTS[0] if HOSTS else "http://127.0.0.1:8000"

    def on_start(self) -> None:
        # One connection per request. gunicorn closes a kept-alive connection after 2 idle
        # seconds, which races with the next request of a user who waited 1-3 s; in production
        # the reverse proxy retries such a request on a new connection, locust would count it
        # as an error of the site.
        self.client.headers["Connection"] = "close"

    def url(self, relative: str) -> str:
        if _next_host is None:
            return relative
        with _host_lock:
            return next(_next_host) + relative

    def get(self, name: str, relative: str, **kwargs: Any) -> Any:
        return self.client.get(self.url(relative), name=name, **kwargs)

    def csrf(self) -> str:
        return self.client.cookies.get("csrftoken", "")

    def post(
        self, name: str, relative: str, data: dict[str, Any], ok: frozenset[int] = frozenset({302})
    ) -> Any:
        """POST a form (no redirect followed); a status outside `ok` counts as a failure."""
        token = self.csrf()
        with self.client.post(
            self.url(relative),
            data={**data, "csrfmiddlewaretoken": token},
            name=name,
            headers={"X-CSRFToken": token, "Referer": self.url(relative)},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if "/comptes/connexion/" in response.headers.get("Location", ""):
                response.failure(f"{name}: redirected to the login page")
            elif response.status_code in ok:
                response.success()
            else:
                response.failure(f"{name}: {response.status_code}")
        return response

    def log_in(self, email: str) -> None:
        self.get("login", path("login"))
        with self.client.post(
            self.url(path("login")),
            data={
                "username": email,
                "password": TARGETS["password"],
                "csrfmiddlewaretoken": self.csrf(),
            },
            headers={"X-CSRFToken": self.csrf(), "Referer": self.url(path("login"))},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login {email}: {response.status_code}")

    def form_round_trip(
        self, name: str, relative: str, changes: dict[str, str], *, field: str
    ) -> Any:
        """GET a page, take its POST form holding `field`, change some fields, POST it back."""
        page = self.get(name, relative)
        if page.status_code != 200:
            return None
        for form in post_forms(page.text):
            if field in form["fields"]:
                return self.post(name, relative, {**form["fields"], **changes})
        return None


class AnonymousVisitor(MedianeUser):
    """The public: home, directory with facets, territories, challenges, data catalogue."""

    weight = 30

    @task(3)
    def home(self) -> None:
        self.get("home", path("home"))

    @task(4)
    def directory(self) -> None:
        self.get("directory", path("directory") + random.choice(FACETS))

    @task(2)
    def territories(self) -> None:
        if random.random() < 0.3 or not TARGETS["territories"]:
            self.get("territories", path("territories"))
        else:
            slug = random.choice(TARGETS["territories"])
            self.get("territory", path("territory", slug=slug))

    @task(3)
    def challenges(self) -> None:
        self.get("challenges", path("challenges"))
        if TARGETS["challenges"]:
            self.get("challenge", path("challenge", slug=random.choice(TARGETS["challenges"])))

    @task(1)
    def datasets(self) -> None:
        self.get("datasets", path("datasets"))


class Searcher(MedianeUser):
    """Global search and its autocomplete, with words of the demo data."""

    weight = 15

    @task(2)
    def search(self) -> None:
        self.get("search", path("search"), params={"q": random.choice(TARGETS["search_terms"])})

    @task(3)
    def suggest(self) -> None:
        word = random.choice(TARGETS["search_terms"])
        for length in (3, 4, len(word)):
            self.get("suggest", path("suggest"), params={"q": word[:length]})


class MapVisitor(MedianeUser):
    """The map page and its GeoJSON."""

    weight = 8

    @task
    def map(self) -> None:
        self.get("map", path("map"))
        self.get("map_points", path("map_points"))


class CityStaff(MedianeUser):
    """Editors of a city: a challenge draft, the plan's action, its funding and indicator."""

    weight = 10

    def on_start(self) -> None:
        super().on_start()
        self.log_in(pick_account("staff"))

    @task(2)
    def edit_draft(self) -> None:
        if not TARGETS["challenge_drafts"]:
            return
        slug = random.choice(TARGETS["challenge_drafts"])
        stamp = uuid.uuid4().hex[:8]
        self.form_round_trip(
            "challenge_edit",
            path("challenge_edit", slug=slug),
            {"summary": f"Besoin reformulé pendant le banc d'essai ({stamp})."},
            field="summary",
        )

    @task(2)
    def view_action(self) -> None:
        plan = TARGETS["plan"]
        self.get("plan_action", path("plan_action", slug=plan["slug"], number=plan["action"]))

    @task(2)
    def add_funding(self) -> None:
        """An append-only write whose acknowledgement is checked afterwards (lost updates)."""
        plan = TARGETS["plan"]
        token = f"bench-{uuid.uuid4().hex}"
        response = self.post(
            "funding_add",
            path("funding_add", slug=plan["slug"], number=plan["action"]),
            {"funder": token, "amount": "10", "currency": "EUR"},
        )
        if response.status_code == 302 and "/comptes/" not in response.headers["Location"]:
            ACKS.append({"kind": "funding", "token": token})

    @task(1)
    def indicator_value(self) -> None:
        """Several writers set the value of the same few dates (an upsert on one row)."""
        plan = TARGETS["plan"]
        pk = plan["indicator"]
        day = random.choice(["2026-01-01", "2026-02-01", "2026-03-01"])
        self.post(
            "indicator_value_add",
            path("indicator_value_add", slug=plan["slug"], number=plan["action"], pk=pk),
            {f"ind{pk}-date": day, f"ind{pk}-value": str(random.randint(1, 100))},
        )


class Company(MedianeUser):
    """Start-ups edit and save their answer to an open challenge."""

    weight = 10

    def on_start(self) -> None:
        super().on_start()
        account = pick_account("companies")
        self.answer = account["answer"]
        self.log_in(account["email"])

    @task
    def edit_answer(self) -> None:
        stamp = uuid.uuid4().hex[:8]
        relative = path("answer_edit", pk=self.answer)
        page = self.get("answer_edit", relative)
        if page.status_code != 200:
            return
        for form in post_forms(page.text):
            text_fields = [k for k in form["fields"] if k in {"approach", "summary", "pitch"}]
            if text_fields:
                text = re.sub(r" \[[0-9a-f]{8}\]$", "", form["fields"][text_fields[0]])
                changes = {text_fields[0]: f"{text} [{stamp}]"}
                self.post("answer_edit", relative, {**form["fields"], **changes})
                return


class Participant(MedianeUser):
    """Summit participants read their agenda (page and iCalendar feed)."""

    weight = 12

    def on_start(self) -> None:
        super().on_start()
        account = pick_account("participants")
        self.feed_token = account["feed_token"]
        self.log_in(account["email"])

    @task(3)
    def agenda(self) -> None:
        self.get("agenda", path("agenda", slug=TARGETS["edition"]["slug"]))

    @task(1)
    def agenda_ics(self) -> None:
        slug = TARGETS["edition"]["slug"]
        self.get("agenda_ics", path("agenda_ics", slug=slug, token=self.feed_token))


class ApiClient(MedianeUser):
    """API clients with a token: list endpoints, page after page."""

    weight = 8

    def on_start(self) -> None:
        super().on_start()
        self.token = pick_account("api_tokens")

    @task
    def lists(self) -> None:
        name = random.choice(API_LISTS)
        headers = {"Authorization": f"Bearer {self.token}"}
        for offset in (0, 20):
            self.get(
                f"api {name}",
                f"/api/v1/{name}",
                params={"limit": 20, "offset": offset},
                headers=headers,
            )


class Booker(MedianeUser):
    """Members of the tiers-lieu booking the same meeting room slots at the same time."""

    weight = 3

    def on_start(self) -> None:
        super().on_start()
        self.log_in(pick_account("bookers"))

    @task
    def book(self) -> None:
        resource = TARGETS["resource"]
        # A few slots at a time, so that several bookers contend for each.
        slot = random.choice(resource["slots"][SLOT_BASE : SLOT_BASE + 4 + len(BOOKED)])
        relative = path("book", slug=resource["slug"])
        # 302: booked; 422: the slot was taken meanwhile (the expected refusal).
        response = self.post(
            "book",
            relative,
            {**slot, "note": "banc d'essai", "action": "confirm"},
            ok=frozenset({302, 422}),
        )
        if response.status_code == 302:
            BOOKED.append(slot)
        if random.random() < 0.2:
            self.get("resource_week", path("resource_week", slug=resource["slug"]))


class Organiser(MedianeUser):
    """Organisers moving meetings into the same few slots at the same time."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.log_in(pick_account("organisers"))

    @task
    def move(self) -> None:
        edition = TARGETS["edition"]
        meeting = random.choice(edition["meetings"])
        slot = random.choice(edition["slots"][:3])
        # 302: moved; 200: refused with its reasons (participant busy, no free table...).
        self.post(
            "meeting_move",
            path("meeting_move", slug=edition["slug"], pk=meeting),
            {"slot": str(slot), "table": ""},
            ok=frozenset({200, 302}),
        )
        if random.random() < 0.2:
            self.get("planning", path("planning", slug=edition["slug"]))


class Juror(MedianeUser):
    """Jurors saving their marks; several sessions of one juror save the same marks at once."""

    weight = 2

    def on_start(self) -> None:
        super().on_start()
        self.log_in(pick_account("jurors"))

    @task
    def score(self) -> None:
        evaluation = TARGETS["evaluation"]
        answer = random.choice(evaluation["answers"])
        data = {}
        for criterion in evaluation["criteria"]:
            data[f"mark_{criterion}"] = str(random.randint(0, 5))
            data[f"comment_{criterion}"] = "banc d'essai"
        self.post("score", path("score", slug=evaluation["slug"], answer_id=answer), data)


GROUP_OF = {name: group.strip() for group, names in GROUPS.items() for name in names}
# Every request: (time, group, milliseconds, failed); written out at the end for run.py.
SAMPLES: list[tuple[float, str, float, bool]] = []


@events.request.add_listener
def _record(name: str, response_time: float, exception: Any = None, **_kwargs: Any) -> None:
    SAMPLES.append((time.time(), GROUP_OF.get(name, "other"), response_time, exception is not None))


@events.quitting.add_listener
def _write_results(environment: Any, **_kwargs: Any) -> None:
    acks = os.environ.get("MEDIANE_LOAD_ACKS")
    if acks:
        with open(acks, "a", encoding="utf-8") as out:
            for ack in ACKS:
                out.write(json.dumps(ack) + "\n")
    samples = os.environ.get("MEDIANE_LOAD_SAMPLES")
    if samples:
        Path(samples).write_text(json.dumps(SAMPLES))
