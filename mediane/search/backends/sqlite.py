"""SQLite backend: an FTS5 table holding Python-stemmed text, rowid = SearchEntry.id.

FTS5 has no French stemmer, so documents and queries are stemmed by `mediane.search.query`
before they reach it; the `unicode61` tokenizer then only splits on spaces. Columns: `title`,
`keywords`, `body` (stems) and `prefix` (unstemmed title words, for prefix matching).
Ranking is `bm25` with column weights.
"""

# SQL here interpolates module constants and quoted column names only; every value from a
# user is a bound parameter (the match expression or tsquery literals built from parsed words).
# ruff: noqa: S608, S610, S611

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from mediane.search import query as q
from mediane.search.query import ParsedQuery

TABLE = "search_fts"
ENTRY_TABLE = "search_searchentry"
# bm25 weights of the columns title, keywords, body, prefix.
RANK_SQL = f"-bm25({TABLE}, 10.0, 4.0, 1.0, 5.0)"

_STEMMED = "{title keywords body}"


def _quote(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


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


class SQLiteBackend:
    vendor = "sqlite"

    def write(self, entries: list, *, fresh: bool = False) -> None:
        rows = [
            (
                entry.pk,
                q.stemmed_text(entry.title),
                q.stemmed_text(entry.keywords),
                q.stemmed_text(entry.body),
                q.raw_text(entry.title),
            )
            for entry in entries
        ]
        with connection.cursor() as cursor:
            if not fresh:
                self._delete(cursor, [row[0] for row in rows])
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, keywords, body, prefix) "
                "VALUES (%s, %s, %s, %s, %s)",
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

    def filter_entries(self, qs: QuerySet, parsed: ParsedQuery, *, titles_only=False) -> QuerySet:
        return qs.extra(
            tables=[TABLE],
            where=[f"{TABLE} MATCH %s", f"{TABLE}.rowid = {ENTRY_TABLE}.id"],
            params=[match_expression(parsed, titles_only=titles_only)],
        ).annotate(search_rank=RawSQL(RANK_SQL, ()))

    def filter_objects(
        self, qs: QuerySet, parsed: ParsedQuery, *, kind: str, column: str
    ) -> QuerySet:
        return qs.extra(
            tables=[TABLE, ENTRY_TABLE],
            where=[
                f"{TABLE} MATCH %s",
                f"{TABLE}.rowid = {ENTRY_TABLE}.id",
                f"{ENTRY_TABLE}.kind = %s",
                f"{ENTRY_TABLE}.object_id = {column}",
            ],
            params=[match_expression(parsed), kind],
        ).annotate(search_rank=RawSQL(RANK_SQL, ()))
