"""Every surface that lists, shows, exports or feeds the world's objects: pages, htmx fragments,
exports (CSV, XLSX, JSON, PDF), feeds (Atom, iCalendar, GeoJSON), DCAT in each serialisation,
search and suggestions, and every read operation of the API.

A `Surface` names the URL pattern (`namespace:name`) or the API operation (`api:<operationId>`)
it fetches, so that `test_surface_matrix.py` can check that no list, export or feed URL and no
read operation of the API is left out. `subject` is the marker of the one object a detail page
or a download is about (it must answer 200 exactly to those who may see it); `complete` lists
the markers a list must show to everyone allowed to see them (it never shows others: that is
checked on every surface).

A new app registers its surfaces by adding a function to `SURFACE_BUILDERS`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from tests.core.surface_parts.world import World


@dataclass(frozen=True)
class Surface:
    name: str  # URL name ("market:challenge_list") or "api:<operationId>"
    url: str
    subject: str = ""  # marker key of the object shown (detail pages, downloads)
    complete: frozenset[str] = frozenset()  # marker keys this list shows to all who may see them
    roles: frozenset[str] | None = None  # only these roles fetch it (personal secret addresses)
    narrower: bool = False  # may refuse `subject` to some who may see it (never the reverse)
    method: str = "get"
    headers: tuple[tuple[str, str], ...] = ()


def page(name: str, *args: Any, query: str = "", **options: Any) -> Surface:
    url = reverse(name, args=args)
    return Surface(name=name, url=url + (f"?{query}" if query else ""), **options)


def keys(*names: str) -> frozenset[str]:
    return frozenset(names)


def _slug(world: World, key: str) -> str:
    return str(world.objects[key].slug)


def _pk(world: World, key: str) -> int:
    return int(world.objects[key].pk)


def core_surfaces(world: World) -> Iterator[Surface]:
    yield page("core:home")
    yield page("core:map")
    yield page("core:map_points")
    territory = world.refs["territory"].slug
    yield page("territories:list")
    yield page("territories:detail", territory)


def directory_surfaces(world: World) -> Iterator[Surface]:
    orgs = keys("org_network", "org_private", "city_label_expired")
    experts = keys("expert_public", "expert_network", "expert_private")
    yield page("directory:list", complete=orgs)
    yield page("directory:export", complete=orgs)
    yield page("directory:expert_list", complete=experts)
    for key in sorted(orgs):
        yield page("directory:organisation", _slug(world, key), subject=key)
    yield page("directory:organisation", world.refs["o"].slug)
    for key in sorted(experts):
        yield page("directory:expert", _slug(world, key), subject=key)


CHALLENGES = keys(
    "challenge_draft",
    "challenge_submitted",
    "challenge_open",
    "challenge_evaluation",
    "challenge_of_other_open",
    "replicated_challenge_draft",
    "replicated_challenge_open",
)


def market_surfaces(world: World) -> Iterator[Surface]:
    public_challenges = keys(
        "challenge_open", "challenge_evaluation", "challenge_of_other_open",
        "replicated_challenge_open",
    )  # fmt: skip
    yield page("market:challenge_list", complete=public_challenges)
    yield page("market:challenge_list", query="status=draft&status=submitted")
    for name in ("market:export_csv", "market:export_xlsx", "market:export_json", "market:feed"):
        yield page(name)
    yield page("market:challenge_review_queue")
    yield page("market:my_answers")
    for key in sorted(CHALLENGES):
        yield page("market:challenge", _slug(world, key), subject=key)
    for key in ("answer_of_o", "answer_to_o"):
        yield page("market:answer_detail", _pk(world, key), subject=key)
    evaluation = _slug(world, "challenge_evaluation")
    for name in ("market:evaluation", "market:ranking", "market:decision", "market:jury"):
        yield page(name, evaluation)
    opened = _slug(world, "challenge_open")
    yield page("market:recommend_organisations", opened)
    yield page("market:recommend_challenges", world.refs["o"].slug)
    offers = keys("offer_published", "offer_draft", "offer_of_other")
    yield page("market:offer_list", complete=keys("offer_published", "offer_of_other"))
    yield page("market:offer_references_to_confirm")
    for key in sorted(offers):
        yield page("market:offer_detail", _slug(world, key), subject=key)


def summit_surfaces(world: World) -> Iterator[Surface]:
    yield page("summit:list", complete=keys("edition_published"))
    for key in ("edition_published", "edition_draft"):
        yield page("summit:edition", _slug(world, key), subject=key)
    slug = _slug(world, "edition_published")
    for name in (
        "summit:participants",
        "summit:requests",
        "summit:agenda",
        "summit:agenda_pdf",
        "summit:my_registration",
        "summit:badge",
        "summit:roi",
        "summit:dashboard",
        "summit:registrations",
        "summit:badges",
        "summit:planning",
        "summit:checkin",
    ):
        yield page(name, slug)
    for role, registration in world.refs["registrations"].items():
        yield page(
            "summit:agenda_ics", slug, registration.feed_token, roles=frozenset({role})
        )  # its owner's secret address


def datahub_surfaces(world: World) -> Iterator[Surface]:
    datasets = keys("dataset_public", "dataset_network", "dataset_private")
    yield page("datahub:catalogue", complete=datasets)
    yield page("datahub:schemas")
    for fmt in ("ttl", "jsonld", "rdf"):
        yield page("datahub_catalogue_dcat", fmt, complete=keys("dataset_public"))
    yield page("datahub_catalogue_ttl")
    for key in sorted(datasets):
        slug = _slug(world, key)
        yield page("datahub:dataset", slug, subject=key)
        yield page("datahub:publish", slug)
        for fmt in ("ttl", "jsonld", "rdf"):  # DCAT describes public datasets only
            yield page("datahub_dataset_dcat", slug, fmt, subject=key, narrower=True)
    for key in ("rows_public", "rows_network", "rows_private", "rows_blocked"):
        version = world.objects[key]
        args = (version.dataset.slug, version.number)
        yield page("datahub:version", *args, subject=key)
        yield page("datahub:progress", *args)
        yield page("datahub:original", *args, subject=key)
        yield page("datahub:points", *args)
        for fmt in ("csv", "json", "xlsx", "parquet"):
            yield page("datahub:download", *args, fmt, subject=key)
        for fmt in ("json", "csv"):
            yield page("datahub:report", *args, fmt)
    yield page("datahub:portals", world.refs["o"].pk)


def cooperation_surfaces(world: World) -> Iterator[Surface]:
    projects = keys(
        "project_public", "project_draft", "project_network", "replicated_project_draft"
    )
    yield page("cooperation:hub")
    yield page("cooperation:project_list", complete=projects)
    yield page("cooperation:export_csv", complete=projects)
    yield page("cooperation:export_xlsx", complete=projects)
    for key in sorted(projects):
        yield page("cooperation:project", _slug(world, key), subject=key)
    public = _slug(world, "project_public")
    yield page("cooperation:workspace", public)
    document = world.objects["document_of_public_project"]
    yield page("cooperation:document", public, document.pk)
    yield page("cooperation:thread", public, _pk(world, "thread_of_public_project"))
    yield page("cooperation:needs")
    yield page("cooperation:similar", query="title=ZQXLEAK&summary=ZQXLEAK")
    yield page("cooperation:similar", query="need_kind=challenge&title=ZQXLEAK&problem=ZQXLEAK")
    yield page("cooperation:proposals")


def solutions_surfaces(world: World) -> Iterator[Surface]:
    sheets = keys("solution_public", "solution_network", "solution_private", "solution_draft")
    yield page("solutions:list", complete=sheets)
    published = sheets - {"solution_draft"}  # exports, API and network page: published sheets
    yield page("solutions:export", "csv", complete=published)
    yield page("solutions:export", "xlsx", complete=published)
    yield page("solutions:network")
    yield page("solutions:network_geojson")
    for key in sorted(sheets):
        yield page("solutions:detail", _slug(world, key), subject=key)


def incubation_surfaces(world: World) -> Iterator[Surface]:
    agreements = keys("agreement_signed", "agreement_proposed_to_o")
    yield page("incubation:agreements", complete=agreements)
    for key in sorted(agreements):
        yield page("incubation:agreement", _pk(world, key), subject=key)
    yield page("incubation:requests")
    yield page("incubation:request", _pk(world, "soft_landing_to_o"), subject="soft_landing_to_o")
    yield page("incubation:inbox")
    yield page("incubation:capacity")
    yield page("incubation:export_csv")
    yield page("incubation:export_xlsx")


def tierslieux_surfaces(world: World) -> Iterator[Surface]:
    resources = keys("resource_network", "resource_inactive", "resource_of_private_org")
    yield page("tierslieux:list")
    yield page("tierslieux:mine")
    yield page("tierslieux:person_ics", world.refs["feed"].token, roles=frozenset({"member"}))
    for organisation in (world.refs["o"], world.refs["o_private"]):
        yield page("tierslieux:organisation_bookings", organisation.pk)
        for fmt in ("csv", "xlsx"):
            yield page("tierslieux:organisation_export", organisation.pk, fmt)
    for key in sorted(resources):
        slug = _slug(world, key)
        yield page("tierslieux:resource", slug, subject=key)
        yield page("tierslieux:week", slug, headers=(("HX-Request", "true"),))
        yield page("tierslieux:resource_ics", slug)


def support_surfaces(world: World) -> Iterator[Surface]:
    for name in (
        "support:mine",
        "support:inbox",
        "support:follow_up",
        "support:staff_list",
        "support:export_csv",
        "support:export_xlsx",
    ):
        yield page(name)
    for status in ("offered", "declined", "taken"):
        key = f"support_request_{status}"
        yield page("support:detail", _pk(world, key), subject=key)


def diagnostic_surfaces(world: World) -> Iterator[Surface]:
    for name in ("diagnostic:list", "diagnostic:hub", "diagnostic:network"):
        yield page(name)
    yield page("diagnostic:questionnaire")
    for status in ("draft", "submitted", "validated"):
        key = f"diagnostic_{status}"
        yield page("diagnostic:detail", _pk(world, key), subject=key)
        yield page("diagnostic:pdf", _pk(world, key), subject=key)
        yield page("diagnostic:answer", _pk(world, key))


def plans_surfaces(world: World) -> Iterator[Surface]:
    plans = keys("plan_public", "plan_draft", "plan_network", "plan_private")
    yield page("plans:list", complete=plans)
    for key in sorted(plans):
        slug = _slug(world, key)
        yield page("plans:plan", slug, subject=key)
        yield page("plans:public", slug)
        for fmt in ("csv", "xlsx"):
            yield page("plans:export", slug, fmt, subject=key)
    yield page("plans:action", _slug(world, "plan_private"), 1, subject="action_of_private_plan")


def labels_surfaces(world: World) -> Iterator[Surface]:
    yield page("labels:index")
    yield page("labels:evaluations")
    refused = world.objects["label_evaluation_refused"]
    yield page("labels:evaluation", refused.pk, subject="label_evaluation_refused")
    for organisation in (world.refs["o"], world.refs["expired_city"]):
        yield page("labels:city", organisation.slug)
        yield page("labels:badge", organisation.slug)
    label = world.refs["o"].labels.get()
    yield page("labels:verify", label.reference)
    yield page("labels:certificate", label.reference)


def search_surfaces(world: World) -> Iterator[Surface]:
    from mediane.search.services import registered_kinds

    yield page("search:search", query="q=ZQXLEAK")
    for kind in registered_kinds():
        yield page("search:search", query=f"q=ZQXLEAK&type={kind}")
    yield page("search:suggestions", query="q=ZQXLEAK")
    yield page("search:suggestions", query="q=zqxleak")


def account_surfaces(world: World) -> Iterator[Surface]:
    yield page("accounts:profile")
    yield page("accounts:personal_data_export", method="post")  # the user's own data (ZIP)
    yield page("accounts:audit_log")
    yield page("accounts:organisation_members", world.refs["o"].slug)
    yield page("notifications:centre")
    yield page("notifications:follows")
    yield page("notifications:preferences")


def form_surfaces(world: World) -> Iterator[Surface]:
    """Forms that offer the user's organisations, challenges, projects or resources to pick."""
    for name in (
        "directory:organisation_create",
        "market:challenge_create",
        "market:offer_create",
        "datahub:create",
        "datahub:schema_add",
        "cooperation:project_create",
        "solutions:create",
        "incubation:agreement_create",
        "support:file",
        "plans:create",
        "accounts:account_delete",
    ):
        yield page(name)


SURFACE_BUILDERS: tuple[Callable[[World], Iterable[Surface]], ...] = (
    core_surfaces,
    directory_surfaces,
    market_surfaces,
    summit_surfaces,
    datahub_surfaces,
    cooperation_surfaces,
    solutions_surfaces,
    incubation_surfaces,
    tierslieux_surfaces,
    support_surfaces,
    diagnostic_surfaces,
    plans_surfaces,
    labels_surfaces,
    search_surfaces,
    account_surfaces,
    form_surfaces,
)


def page_surfaces(world: World) -> list[Surface]:
    return [surface for build in SURFACE_BUILDERS for surface in build(world)]


def _api_arguments(world: World) -> dict[str, list[tuple[dict[str, Any], str]]]:
    """Path parameters of each API read operation: (values, subject marker key)."""
    objects = world.objects

    def by_slug(*names: str) -> list[tuple[dict[str, Any], str]]:
        return [({"slug": objects[k].slug}, k) for k in names]

    versions = [
        ({"slug": objects[k].dataset.slug, "number": objects[k].number}, k)
        for k in ("rows_public", "rows_network", "rows_private", "rows_blocked")
    ]
    o = world.refs["o"].slug
    return {
        "territory_get": [({"slug": world.refs["territory"].slug}, "")],
        "organisation_get": [
            *by_slug("org_network", "org_private", "city_label_expired"),
            ({"slug": o}, ""),
        ],
        "challenge_get": by_slug(*sorted(CHALLENGES)),
        "offer_get": by_slug("offer_published", "offer_draft", "offer_of_other"),
        "challenge_recommendations": by_slug("challenge_open", "challenge_draft"),
        "organisation_recommended_challenges": [({"slug": o}, "")],
        "challenge_invitations": by_slug("challenge_open", "challenge_of_other_open"),
        "organisation_invitations": [({"slug": o}, "")],
        "summit_edition_get": by_slug("edition_published", "edition_draft"),
        "summit_agenda": by_slug("edition_published"),
        "datasets_get": by_slug("dataset_public", "dataset_network", "dataset_private"),
        "datasets_rows": versions,
        "datasets_rows_csv": versions,
        "datasets_profile": versions,
        "project_get": by_slug(
            "project_public", "project_draft", "project_network", "replicated_project_draft"
        ),
        "solution_get": by_slug(
            "solution_public", "solution_network", "solution_private", "solution_draft"
        ),
        "solution_replications": by_slug("solution_public"),
        "twinning_agreement_get": [
            ({"agreement_id": objects[k].pk}, k)
            for k in ("agreement_signed", "agreement_proposed_to_o")
        ],
        "resource_get": by_slug("resource_network", "resource_inactive", "resource_of_private_org"),
        "resource_availability": by_slug(
            "resource_network", "resource_inactive", "resource_of_private_org"
        ),
        "support_request_get": [
            ({"request_id": objects[f"support_request_{s}"].pk}, f"support_request_{s}")
            for s in ("offered", "declined", "taken")
        ],
        "diagnostic_get": [
            ({"diagnostic_id": objects[f"diagnostic_{s}"].pk}, f"diagnostic_{s}")
            for s in ("draft", "submitted", "validated")
        ],
        "plan_get": by_slug("plan_public", "plan_draft", "plan_network", "plan_private"),
        "label_evaluation_get": [
            ({"evaluation_id": objects["label_evaluation_refused"].pk}, "label_evaluation_refused")
        ],
    }


#: Query strings of some read operations (a wide page; a text to search for).
API_QUERIES = {
    "search": "q=ZQXLEAK&limit=100",
    "similar_needs": "title=ZQXLEAK&text=ZQXLEAK&limit=20",
    "resource_availability": "",
    "challenge_recommendations": "limit=50",
    "organisation_recommended_challenges": "limit=50",
}


#: Operations answering about one object (200 exactly when its reader may see it); the others
#: are parts of an object for some of its readers (agenda, invitations, recommendations).
SUBJECT_OPERATIONS = frozenset(
    {"datasets_rows", "datasets_rows_csv", "datasets_profile", "resource_get"}
) | {f"{name}_get" for name in ("territory", "organisation", "challenge", "offer")} | {
    "summit_edition_get", "datasets_get", "project_get", "solution_get", "twinning_agreement_get",
    "support_request_get", "diagnostic_get", "plan_get", "label_evaluation_get",
}  # fmt: skip
#: The API serves published solution sheets only (drafts are read on their page).
NARROWER = frozenset({"solution_get"})


def api_surfaces(world: World) -> list[Surface]:
    """Every GET operation of the OpenAPI document, with each of its objects of the world."""
    from mediane.api.api import api_v1

    schema = api_v1.get_openapi_schema()
    arguments = _api_arguments(world)
    found = []
    for path, item in schema["paths"].items():
        operation = item.get("get")
        if operation is None:
            continue
        op = operation["operationId"]
        query = API_QUERIES.get(op, "limit=100")
        for values, subject in arguments.get(op, [({}, "")]):
            url = path
            for name, value in values.items():
                url = url.replace("{" + name + "}", str(value))
            url = f"{url}?{query}" if query else url
            if op not in SUBJECT_OPERATIONS:
                subject = ""
            found.append(
                Surface(name=f"api:{op}", url=url, subject=subject, narrower=op in NARROWER)
            )
    return found
