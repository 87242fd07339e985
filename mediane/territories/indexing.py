"""Search documents for territories: municipalities and groupings (EPCI / MRC) are indexed.

Départements, régions and countries are few and reached by browsing; they are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from mediane.territories.models import ACTIVE_STATUSES, KIND_LABELS, Kind, Territory

SEARCH_KIND = "territory"
INDEXED_KINDS = (Kind.MUNICIPALITY, Kind.GROUPING)
_FIELDS = (
    "pk",
    "slug",
    "name",
    "country",
    "kind",
    "code",
    "designation",
    "population",
    "postal_codes",
    "description",
    "parent__name",
    "grouping__name",
)


def _document(row: dict[str, Any], *, is_member: bool, url_prefix: str):  # type: ignore[no-untyped-def]
    from mediane.search.services import SearchDocument

    label = str(KIND_LABELS.get((row["country"], row["kind"]), ""))
    keywords = [label]
    if row["designation"] and row["designation"] != label:
        keywords.append(row["designation"])
    keywords.append(row["code"])
    population = row["population"]
    if (
        row["kind"] == Kind.MUNICIPALITY
        and population is not None
        and settings.MEDIUM_CITY_MIN <= population <= settings.MEDIUM_CITY_MAX
    ):
        keywords.append(_("ville médiane"))
    if is_member:
        keywords.append(_("membre du réseau"))
    body = [row["postal_codes"], row["parent__name"], row["grouping__name"], row["description"]]
    return SearchDocument(
        kind=SEARCH_KIND,
        object_id=row["pk"],
        title=row["name"],
        body=" ".join(b for b in body if b),
        keywords=" ".join(str(k) for k in keywords if k),
        url=f"{url_prefix}{row['slug']}/",
    )


def _url_prefix() -> str:
    # reverse() once: it is costly when called for each of ~37,000 territories.
    return reverse("territories:detail", kwargs={"slug": "x"})[:-2]


def territory_document(territory: Territory):  # type: ignore[no-untyped-def]
    """The search document of one territory (public data)."""
    membership = getattr(territory, "network_membership", None)
    row = {name: getattr(territory, name) for name in _FIELDS if "__" not in name}
    parent, grouping = territory.parent, territory.grouping
    row["parent__name"] = parent.name if parent is not None else ""
    row["grouping__name"] = grouping.name if grouping is not None else ""
    is_member = membership is not None and membership.status in ACTIVE_STATUSES
    return _document(row, is_member=is_member, url_prefix=_url_prefix())


def iter_territory_documents() -> Iterator:
    """Every indexed territory, streamed as plain rows (used by `mediane reindex`)."""
    members = set(Territory.objects.network_members().values_list("pk", flat=True))
    url_prefix = _url_prefix()
    rows = Territory.objects.filter(kind__in=INDEXED_KINDS).order_by("pk").values(*_FIELDS)
    for row in rows.iterator(chunk_size=2000):
        yield _document(row, is_member=row["pk"] in members, url_prefix=url_prefix)


def index_territory(territory: Territory) -> None:
    """Refresh the document of one territory; call inside the writing service's transaction."""
    if territory.kind not in INDEXED_KINDS:
        return
    from mediane.search.services import index_document

    index_document(territory_document(territory))


def reindex_territories() -> int:
    """Rebuild the territory documents; returns how many were written."""
    from mediane.search.services import reindex

    return reindex([SEARCH_KIND])


def register() -> None:
    """Declare the territory indexer to the search app (from TerritoriesConfig.ready)."""
    from mediane.search.services import register_indexer

    register_indexer(SEARCH_KIND, iter_territory_documents)
