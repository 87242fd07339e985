"""Search documents for territories: municipalities and groupings (EPCI / MRC) are indexed.

Départements, régions and countries are few and reached by browsing; they are not indexed.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils.translation import gettext as _

from mediane.territories.models import ACTIVE_STATUSES, Kind, Territory

SEARCH_KIND = "territory"
INDEXED_KINDS = (Kind.MUNICIPALITY, Kind.GROUPING)


def territory_document(territory: Territory, *, is_member: bool | None = None):  # type: ignore[no-untyped-def]
    """The search document of one territory (public data)."""
    from mediane.search.services import SearchDocument

    if is_member is None:
        membership = getattr(territory, "network_membership", None)
        is_member = membership is not None and membership.status in ACTIVE_STATUSES
    keywords = [territory.kind_label, territory.designation, territory.code]
    if territory.is_medium_city:
        keywords.append(_("ville médiane"))
    if is_member:
        keywords.append(_("membre du réseau"))
    body = [territory.postal_codes]
    parent = territory.parent
    if parent is not None:
        body.append(parent.name)
    grouping = territory.grouping
    if grouping is not None:
        body.append(grouping.name)
    if territory.description:
        body.append(territory.description)
    return SearchDocument(
        kind=SEARCH_KIND,
        object_id=territory.pk,
        title=territory.name,
        body=" ".join(b for b in body if b),
        keywords=" ".join(str(k) for k in keywords if k),
        url=territory.get_absolute_url(),
    )


def iter_territory_documents() -> Iterator:
    """Every indexed territory, streamed (used by `mediane reindex`)."""
    members = set(Territory.objects.network_members().values_list("pk", flat=True))
    qs = (
        Territory.objects.filter(kind__in=INDEXED_KINDS)
        .select_related("parent", "grouping")
        .order_by("pk")
    )
    for territory in qs.iterator(chunk_size=2000):
        yield territory_document(territory, is_member=territory.pk in members)


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
