"""PostgreSQL backend: a generated, weighted `tsvector` column on SearchEntry with a GIN index.

Configuration `french_unaccent` (French stemming after `unaccent`) for title (A), keywords (B)
and body (C); unaccented, unstemmed title words with the `simple` configuration (D) for prefix
matching, since a stemmed prefix is not a prefix of the stem. Ranking is `ts_rank_cd` with
weights. Queries are built from parsed terms only, each passed as a quoted tsquery literal.
"""

# SQL here interpolates module constants and quoted column names only; every value from a
# user is a bound parameter (the match expression or tsquery literals built from parsed words).
# ruff: noqa: S608, S610, S611

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from mediane.search.query import ParsedQuery

ENTRY_TABLE = "search_searchentry"
VECTOR = f"{ENTRY_TABLE}.search_vector"
RANK_CAP = 2000  # rank with ts_rank_cd up to this many matches (as the SQLite backend)
WEIGHTS = "'{0.1, 0.2, 0.4, 1.0}'"  # D (title prefixes), C (body), B (keywords), A (title)


def _literal(word: str) -> str:
    return "'" + word.replace("'", "''").replace("\\", "") + "'"


def tsquery_sql(parsed: ParsedQuery, *, titles_only: bool = False) -> tuple[str, list[str]]:
    """SQL of a tsquery matching every term of `parsed`, and its parameters."""
    parts: list[str] = []
    params: list[str] = []
    for term in parsed.terms:
        prefix = _literal(term.word) + ":*D"
        if titles_only:
            parts.append("to_tsquery('simple', %s)")
            params.append(prefix if term.prefix else _literal(term.word) + ":D")
        elif term.prefix:
            parts.append("(to_tsquery('french_unaccent', %s) || to_tsquery('simple', %s))")
            params += [_literal(term.word), prefix]
        else:
            parts.append("to_tsquery('french_unaccent', %s)")
            params.append(_literal(term.word))
    return "(" + " && ".join(parts) + ")", params


class PostgresBackend:
    vendor = "postgresql"

    # The generated column follows SearchEntry: nothing to write or delete.
    def write(self, entries: list, *, fresh: bool = False) -> None:
        return None

    def delete(self, entry_ids: list[int]) -> None:
        return None

    def delete_kind(self, kind: str) -> None:
        return None

    def optimize(self) -> None:
        return None

    def search_ids(
        self,
        qs: QuerySet,
        parsed: ParsedQuery,
        *,
        scope: object,
        kinds: list[str] | None,
        limit: int,
        offset: int,
        titles_only: bool = False,
    ) -> tuple[list[tuple[int, float]], int]:
        """([(entry id, rank)] of one page, best first; total) among the rows of `qs`."""
        matches = self.filter_entries(qs, parsed, titles_only=titles_only)
        total = matches.count()
        if not total or offset >= total:
            return [], total
        page = matches.order_by("-search_rank", "pk").values_list("pk", "search_rank")
        return [(pk, float(rank)) for pk, rank in page[offset : offset + limit]], total

    def filter_entries(self, qs: QuerySet, parsed: ParsedQuery, *, titles_only=False) -> QuerySet:
        sql, params = tsquery_sql(parsed, titles_only=titles_only)
        return qs.extra(where=[f"{VECTOR} @@ {sql}"], params=params).annotate(
            search_rank=RawSQL(f"ts_rank_cd({WEIGHTS}, {VECTOR}, {sql})", params)
        )

    def match_ranks(self, parsed: ParsedQuery, *, kind: str) -> list[tuple[int, float]]:
        """(entry id, rank) of every entry of `kind` matching `parsed`. Up to RANK_CAP matches
        the rank is `filter_objects`' `ts_rank_cd`; above, ranking reads every matching vector
        (350 ms for 30,000 matches), so the rank is 1.0 for a match in the title and 0.0
        otherwise, as the SQLite backend does: two index scans, no vector read."""
        from django.db import connection

        sql, params = tsquery_sql(parsed)
        where = f"FROM {ENTRY_TABLE} WHERE kind = %s AND {VECTOR} @@ {sql}"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 {where} LIMIT %s) AS capped",
                [kind, *params, RANK_CAP + 1],
            )
            if cursor.fetchone()[0] <= RANK_CAP:
                cursor.execute(
                    f"SELECT id, ts_rank_cd({WEIGHTS}, {VECTOR}, {sql}) {where}",
                    [*params, kind, *params],
                )
                return [(row[0], float(row[1])) for row in cursor.fetchall()]
            title_sql, title_params = tsquery_sql(parsed, titles_only=True)
            cursor.execute(
                f"SELECT id FROM {ENTRY_TABLE} WHERE kind = %s AND {VECTOR} @@ {title_sql}",
                [kind, *title_params],
            )
            titled = {row[0] for row in cursor.fetchall()}
            cursor.execute(f"SELECT id {where}", [kind, *params])
            return [(row[0], 1.0 if row[0] in titled else 0.0) for row in cursor.fetchall()]

    def filter_objects(
        self, qs: QuerySet, parsed: ParsedQuery, *, kind: str, column: str
    ) -> QuerySet:
        sql, params = tsquery_sql(parsed)
        return qs.extra(
            tables=[ENTRY_TABLE],
            where=[
                f"{ENTRY_TABLE}.kind = %s",
                f"{ENTRY_TABLE}.object_id = {column}",
                f"{VECTOR} @@ {sql}",
            ],
            params=[kind, *params],
        ).annotate(search_rank=RawSQL(f"ts_rank_cd({WEIGHTS}, {VECTOR}, {sql})", params))
