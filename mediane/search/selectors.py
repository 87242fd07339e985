"""Reads of the search index, always filtered by what the user may see.

- `search(...)`: the global search (every kind), with visibility applied through
  `core.permissions.visible_q`, ranked, with highlighted snippets.
- `autocomplete(...)`: prefix matching on titles, for the search box.
- `search_filter_queryset(...)`: for other apps' selectors: restricts their own queryset to the
  objects matching a query and annotates `search_rank`; the caller applies visibility.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import FloatField, QuerySet, Value
from django.utils.translation import gettext_lazy as _

from mediane.core.permissions import is_network_member, is_secretariat, user_roles, visible_q
from mediane.search.backends import Scope, get_backend
from mediane.search.models import SearchEntry
from mediane.search.query import ParsedQuery, parse_query
from mediane.search.snippets import highlight, snippet

MAX_LIMIT = 100
MAX_OFFSET = 10_000

KIND_LABELS = {
    "organisation": _("Organisation"),
    "expert": _("Expert ou experte"),
    "territory": _("Territoire"),
    "challenge": _("Défi"),
    "offer": _("Offre"),
    "dataset": _("Jeu de données"),
    "solution": _("Solution"),
    "project": _("Projet de coopération"),
    "twinning_agreement": _("Jumelage d'incubateurs"),
}


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


@dataclass(frozen=True)
class SearchHit:
    kind: str
    object_id: int
    title: str
    url: str
    snippet: str = ""  # safe HTML: escaped text with <mark> around matching words
    rank: float = 0.0
    title_html: str = ""  # safe HTML: the title with <mark>

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    query: str = ""
    limit: int = 20
    offset: int = 0

    def __bool__(self) -> bool:
        return bool(self.hits)


def _scope(user: Any) -> Scope:
    """The same rule as `visible_q`, for backends that filter inside their own index."""
    if is_secretariat(user):
        return Scope(everything=True)
    network = is_network_member(user)
    return Scope(network=network, owner_ids=tuple(sorted(user_roles(user))) if network else ())


def _matching_ids(
    user: Any,
    parsed: ParsedQuery,
    kinds: list[str] | None,
    *,
    limit: int,
    offset: int,
    titles_only: bool = False,
) -> tuple[list[tuple[int, float]], int]:
    qs = SearchEntry.objects.filter(visible_q(user, owner_field="owner_id"))
    if kinds:
        qs = qs.filter(kind__in=list(kinds))
    return get_backend().search_ids(
        qs,
        parsed,
        scope=_scope(user),
        kinds=list(kinds) if kinds else None,
        limit=limit,
        offset=offset,
        titles_only=titles_only,
    )


def _rows(user: Any, ids: list[tuple[int, float]], fields: tuple[str, ...]) -> list[dict]:
    """Entries of `ids` in that order, read through `visible_q` again (the authority)."""
    if not ids:
        return []
    found = {
        row["pk"]: row
        for row in SearchEntry.objects.filter(
            visible_q(user, owner_field="owner_id"), pk__in=[pk for pk, _rank in ids]
        ).values("pk", *fields)
    }
    rows = []
    for pk, rank in ids:
        if pk in found:
            rows.append({**found[pk], "search_rank": rank})
    return rows


def search(
    *,
    user: Any,
    query: str,
    kinds: list[str] | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """Entries matching `query` that `user` may see, best first, with the total count."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    offset = max(0, min(int(offset), MAX_OFFSET))
    parsed = parse_query(query)
    if not parsed:
        return SearchResults(query=query, limit=limit, offset=offset)
    ids, total = _matching_ids(user, parsed, kinds, limit=limit, offset=offset)
    fields = ("kind", "object_id", "title", "url", "body", "keywords")
    hits = [_hit(row, parsed) for row in _rows(user, ids, fields)]
    return SearchResults(hits=hits, total=total, query=query, limit=limit, offset=offset)


def _hit(row: dict, parsed: ParsedQuery) -> SearchHit:
    text = row["body"] or row["keywords"]
    excerpt = snippet(text, parsed)
    if "<mark>" not in excerpt and row["keywords"] and row["body"]:
        keywords_excerpt = snippet(row["keywords"], parsed)
        if "<mark>" in keywords_excerpt:
            excerpt = keywords_excerpt
    return SearchHit(
        kind=row["kind"],
        object_id=row["object_id"],
        title=row["title"],
        url=row["url"],
        snippet=excerpt,
        rank=float(row["search_rank"] or 0.0),
        title_html=highlight(row["title"], parsed),
    )


def autocomplete(
    *, user: Any, prefix: str, kinds: list[str] | None = None, limit: int = 8
) -> list[SearchHit]:
    """Visible entries whose title has words starting with every word of `prefix`."""
    limit = max(1, min(int(limit), 20))
    parsed = parse_query(prefix, all_prefixes=True)
    if not parsed:
        return []
    ids, _total = _matching_ids(user, parsed, kinds, limit=limit, offset=0, titles_only=True)
    return [
        SearchHit(
            kind=row["kind"],
            object_id=row["object_id"],
            title=row["title"],
            url=row["url"],
            rank=row["search_rank"],
            title_html=highlight(row["title"], parsed),
        )
        for row in _rows(user, ids, ("kind", "object_id", "title", "url"))
    ]


def search_filter_queryset(
    qs: QuerySet, *, query: str, kind: str, id_field: str = "pk"
) -> QuerySet:
    """`qs` restricted to objects whose entry of `kind` matches `query`, with `search_rank`.

    `search_rank` is a float, higher is better: order with `.order_by("-search_rank")`.
    `id_field` is a concrete field of `qs.model` holding the indexed object's id. No visibility
    logic here: the caller's selector applies `core.permissions.visible_q`. An empty query
    matches nothing.
    """
    parsed = parse_query(query)
    if not parsed:
        return qs.annotate(search_rank=Value(0.0, output_field=FloatField())).none()
    meta = qs.model._meta
    field_obj = meta.pk if id_field == "pk" else meta.get_field(id_field)
    quote = connection.ops.quote_name
    column = f"{quote(meta.db_table)}.{quote(field_obj.column)}"
    return get_backend().filter_objects(qs, parsed, kind=kind, column=column)


def search_match_ranks(*, query: str, kind: str) -> list[tuple[int, float]]:
    """(SearchEntry id, search_rank) of every entry matching `query`, the rank being the one
    `search_filter_queryset` annotates, read from the full-text index without joining the
    caller's table. For selectors that keep their own entry-to-object map (the directory's
    facet index); entries of other kinds may appear. No visibility logic here."""
    parsed = parse_query(query)
    if not parsed:
        return []
    return get_backend().match_ranks(parsed, kind=kind)
