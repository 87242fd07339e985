"""SQLite backend: an FTS5 table holding Python-stemmed text, rowid = SearchEntry.id.

FTS5 has no French stemmer, so documents and queries are stemmed by `mediane.search.query`
before they reach it; the `unicode61` tokenizer then only splits on spaces. Columns: `title`,
`keywords`, `body` (stems), `prefix` (unstemmed title words, for prefix matching) and `meta`
(tokens `kind_<kind>`, `vis_<visibility>`, `owner_<id>`), so that kind and visibility filters,
counts and ranking of the global search run inside the FTS index, with no per-match join.

Ranking is `bm25` with column weights while the words of a query match at most `RANK_CAP`
entries; filters then come from joining SearchEntry. Above that, bm25 (which also reads the
whole list of every word to weigh it) would cost tens to hundreds of milliseconds, so filters
run inside the index (`meta` tokens) and results come in two tiers, each in index order:
entries with a query word in their title first, then the others.
"""

# SQL here interpolates module constants and quoted column names only; every value from a
# user is a bound parameter (the match expression built from parsed words).
# ruff: noqa: S608, S610, S611

from __future__ import annotations

import re

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from mediane.search import query as q
from mediane.search.backends import Scope
from mediane.search.query import ParsedQuery

TABLE = "search_fts"
ENTRY_TABLE = "search_searchentry"
RANK_CAP = 2000  # rank with bm25 up to this many matches
# bm25 weights of the columns title, keywords, body, prefix, meta.
BM25 = f"bm25({TABLE}, 10.0, 4.0, 1.0, 5.0, 0.0)"

_STEMMED = "{title keywords body}"
_TITLE = "{title prefix}"
_TOKEN_RE = re.compile(r"[^0-9a-z]+")


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _token(prefix: str, value: object) -> str:
    return prefix + "_" + _TOKEN_RE.sub("_", str(value).lower())


def meta_text(kind: str, visibility: str, owner_id: int | None) -> str:
    tokens = [_token("kind", kind), _token("vis", visibility)]
    if owner_id is not None:
        tokens.append(_token("owner", owner_id))
    return " ".join(tokens)


def match_expression(parsed: ParsedQuery, *, titles_only: bool = False) -> str:
    """An FTS5 MATCH expression for `parsed`: every term must match (AND).

    A term matches its stem in the stemmed columns; a prefix term also matches the start of a
    title word. `titles_only` (autocomplete) matches prefixes of title words only.
    """
    parts = []
    for term in parsed.terms:
        if titles_only:
            parts.append(f"prefix : {_quote(term.word)}" + ("*" if term.prefix else ""))
        elif term.prefix:
            parts.append(f"({_STEMMED} : {_quote(term.stem)} OR prefix : {_quote(term.word)}*)")
        else:
            parts.append(f"{_STEMMED} : {_quote(term.stem)}")
    return " AND ".join(parts)


def _title_tier(parsed: ParsedQuery) -> str:
    """Entries with at least one query word in their title."""
    atoms = []
    for term in parsed.terms:
        atoms.append(_quote(term.stem))
        atoms.append(_quote(term.word) + ("*" if term.prefix else ""))
    return f"{_TITLE} : ({' OR '.join(atoms)})"


def _filters(scope: Scope | None, kinds: list[str] | None) -> list[str]:
    parts = []
    if kinds:
        parts.append("meta : (" + " OR ".join(_token("kind", k) for k in kinds) + ")")
    if scope is not None and not scope.everything:
        tokens = [_token("vis", "public")]
        if scope.network:
            tokens.append(_token("vis", "network"))
        tokens += [_token("owner", owner) for owner in scope.owner_ids]
        parts.append("meta : (" + " OR ".join(tokens) + ")")
    return parts


def _and(*parts: str) -> str:
    return " AND ".join(f"({part})" for part in parts if part)


class SQLiteBackend:
    vendor = "sqlite"

    # --- writes -------------------------------------------------------------------------------
    def write(self, entries: list, *, fresh: bool = False) -> None:
        rows = [
            (
                entry.pk,
                q.stemmed_text(entry.title),
                q.stemmed_text(entry.keywords),
                q.stemmed_text(entry.body),
                q.raw_text(entry.title),
                meta_text(entry.kind, entry.visibility, entry.owner_id),
            )
            for entry in entries
        ]
        with connection.cursor() as cursor:
            if not fresh:
                self._delete(cursor, [row[0] for row in rows])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, keywords, body, prefix, meta) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                rows,
            )

    def delete(self, entry_ids: list[int]) -> None:
        with connection.cursor() as cursor:
            self._delete(cursor, entry_ids)

    @staticmethod
    def _delete(cursor, entry_ids: list[int]) -> None:
        for start in range(0, len(entry_ids), 500):
            chunk = entry_ids[start : start + 500]
            placeholders = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({placeholders})", chunk)

    def delete_kind(self, kind: str) -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TABLE} WHERE rowid IN "
                f"(SELECT id FROM {ENTRY_TABLE} WHERE kind = %s)",
                [kind],
            )

    def optimize(self) -> None:
        """Merge the index segments into one (after a rebuild): faster queries."""
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE} ({TABLE}) VALUES ('optimize')")

    # --- reads --------------------------------------------------------------------------------
    @staticmethod
    def _count(cursor, expression: str, *, cap: int | None = None) -> int:
        """Matches of `expression`; with `cap`, stop counting past it (cheap on huge sets)."""
        if cap is None:
            cursor.execute(f"SELECT count(*) FROM {TABLE} WHERE {TABLE} MATCH %s", [expression])
        else:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s LIMIT %s)",
                [expression, cap + 1],
            )
        return cursor.fetchone()[0]

    def _small(self, cursor, expression: str) -> bool:
        return self._count(cursor, expression, cap=RANK_CAP) <= RANK_CAP

    @staticmethod
    def _page(cursor, expression: str, *, ranked: bool, limit: int, offset: int) -> list:
        rank = f"-{BM25}" if ranked else "0.0"
        order = f"{BM25}, rowid" if ranked else "rowid"
        cursor.execute(
            f"SELECT rowid, {rank} FROM {TABLE} WHERE {TABLE} MATCH %s "
            f"ORDER BY {order} LIMIT %s OFFSET %s",
            [expression, limit, offset],
        )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]

    def _ranked(self, qs: QuerySet, expression: str, *, limit: int, offset: int):
        """bm25-ranked page of the entries of `qs` matching `expression`, and their count.

        Filters are applied by joining SearchEntry (`qs`, through `visible_q`), not by `meta`
        tokens: bm25 would compute the weight of those very common tokens on every query.
        """
        matches = qs.extra(
            tables=[TABLE],
            where=[f"{TABLE} MATCH %s", f"{ENTRY_TABLE}.id = +{TABLE}.rowid"],
            params=[expression],
        ).annotate(search_rank=RawSQL(f"-{BM25}", ()))
        rows = matches.order_by("-search_rank", "pk").values_list("pk", "search_rank")
        page = [(pk, float(rank)) for pk, rank in rows[offset : offset + limit]]
        # Count only when the page is full (or empty past the start): most searches skip it.
        full = len(page) == limit or (not page and offset)
        return page, (matches.count() if full else offset + len(page))

    def search_ids(
        self,
        qs: QuerySet,
        parsed: ParsedQuery,
        *,
        scope: Scope,
        kinds: list[str] | None,
        limit: int,
        offset: int,
        titles_only: bool = False,
    ) -> tuple[list[tuple[int, float]], int]:
        """([(entry id, rank)] of one page, best first; total), among the entries of `qs`."""
        terms = match_expression(parsed, titles_only=titles_only)
        with connection.cursor() as cursor:
            if self._small(cursor, terms):
                return self._ranked(qs, terms, limit=limit, offset=offset)
            # Too many matches to rank them all: filters inside the index (meta tokens), title
            # matches first, then the rest in index order.
            expression = _and(terms, *_filters(scope, kinds))
            total = self._count(cursor, expression)
            if titles_only or not total:
                page = self._page(cursor, expression, ranked=False, limit=limit, offset=offset)
                return page, total
            tier = _title_tier(parsed)
            first = _and(expression, tier)
            page = self._page(cursor, first, ranked=False, limit=limit, offset=offset)
            page = [(pk, 1.0) for pk, _rank in page]  # above the second tier (rank 0)
            if len(page) < limit:
                # Where the second tier starts: count the first only when this page missed it.
                known = page or not offset
                first_total = offset + len(page) if known else self._count(cursor, first)
                page += self._page(
                    cursor,
                    f"({expression}) NOT ({tier})",
                    ranked=False,
                    limit=limit - len(page),
                    offset=max(0, offset - first_total),
                )
            return page, total

    def match_ranks(self, parsed: ParsedQuery, *, kind: str) -> list[tuple[int, float]]:
        """(entry id, rank) of every entry matching `parsed`, with the rank `filter_objects`
        gives (bm25 while small, else 1.0 for a title match and 0.0 otherwise), read from the
        FTS index alone: no join, so callers holding an entry-to-object map count facets and
        order pages without touching the entry and object tables. Small sets may include
        entries of other kinds (callers map the ids of `kind` only)."""
        expression = match_expression(parsed)
        with connection.cursor() as cursor:
            if self._small(cursor, expression):
                cursor.execute(
                    f"SELECT rowid, -{BM25} FROM {TABLE} WHERE {TABLE} MATCH %s", [expression]
                )
                return [(row[0], float(row[1])) for row in cursor.fetchall()]
            expression = _and(expression, *_filters(None, [kind]))
            titled = set(self._rowids(cursor, _and(expression, _title_tier(parsed))))
            return [(pk, 1.0 if pk in titled else 0.0) for pk in self._rowids(cursor, expression)]

    @staticmethod
    def _rowids(cursor, expression: str) -> list[int]:
        """Matching rowids as one string: ten times cheaper than a row per match in Python."""
        cursor.execute(
            f"SELECT group_concat(rowid) FROM {TABLE} WHERE {TABLE} MATCH %s", [expression]
        )
        text = cursor.fetchone()[0]
        return [int(pk) for pk in text.split(",")] if text else []

    def filter_objects(
        self, qs: QuerySet, parsed: ParsedQuery, *, kind: str, column: str
    ) -> QuerySet:
        expression = match_expression(parsed)
        with connection.cursor() as cursor:
            small = self._small(cursor, expression)
        if small:
            rank = RawSQL(f"-{BM25}", ())
        else:  # cheap rank: 1 for a title match, 0 otherwise; kind filtered inside the index
            expression = _and(expression, *_filters(None, [kind]))
            rank = RawSQL(
                f"(CASE WHEN {TABLE}.rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) "
                "THEN 1.0 ELSE 0.0 END)",
                (_and(expression, _title_tier(parsed)),),
            )
        # "+rowid": the FTS table must drive the join; offered a rowid lookup, SQLite would
        # rather scan every entry of the kind and run MATCH once per entry.
        return qs.extra(
            tables=[TABLE, ENTRY_TABLE],
            where=[
                f"{TABLE} MATCH %s",
                f"{ENTRY_TABLE}.id = +{TABLE}.rowid",
                f"{ENTRY_TABLE}.kind = %s",
                f"{ENTRY_TABLE}.object_id = {column}",
            ],
            params=[expression, kind],
        ).annotate(search_rank=rank)
