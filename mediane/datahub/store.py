"""Stored versions of a dataset, and everything read from them: tabular API, profiles, chart
data and the differences between two versions.

A version lives in its own directory and never changes once written:

- `data.csv`: the rows as received, normalised to UTF-8 CSV (RFC 4180: comma, double quotes,
  CRLF), with the original header labels; its SHA-256 identifies the version;
- `data.parquet`: the same rows, typed, built by DuckDB from `data.csv`; every read goes through
  it. Column names there are safe identifiers (`nom_de_l_ecole`), the labels stay in the metadata;
- `meta.json`: row count, columns (name, label, type), sizes and checksum. It is written last:
  a directory without it holds no version;
- `profile.json`: the column profiles, computed on first request and then reused.

Types: a column gets the Table Schema type given in `types`, else the one inferred from all its
values (boolean, integer, number, ISO or French date, datetime, else string). A value is never
lost: when one cell does not fit the type, the whole column stays text (`Column.type` is then
"string", `declared_type` and `invalid_cells` say why). Inference is deliberately strict —
"007" or "01000" keep their zeros, a 20-digit identifier is not rounded.

DuckDB runs in memory with a memory limit and a thread count (`configure`), spills to a private
temporary directory, may read and write only the version directories it is given, and loads no
extension. Every value of a request is a bound parameter; column names are checked against the
stored columns before they reach SQL. Errors are `StoreError` (writing) and `QueryError` (bad
request), with a French message and a stable code.

No Django import: the data hub's services call this module, views and the API use its results.
"""

# SQL here interpolates module constants and identifiers checked against the stored columns
# (`_quote`); every value from a request is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import decimal
import hashlib
import io
import json
import math
import os
import re
import shutil
import tempfile
import threading
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Literal

import duckdb

from mediane.core import spreadsheet
from mediane.core.errors import MedianeError

FORMAT_VERSION = 1
DATA_CSV = "data.csv"
DATA_PARQUET = "data.parquet"
META_JSON = "meta.json"
PROFILE_JSON = "profile.json"

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000
MAX_IN_VALUES = 1000
MAX_POINTS = 50_000
EXAMPLES = 5
TOP_VALUES = 10
PROGRESS_EVERY = 50_000
SAMPLE_ROWS = 10_000  # rows on which inference first tries the candidate types
FETCH_SIZE = 2048

# Columns the readers add next to the stored ones; a stored column never takes these names.
_ROW = "file_row_number"
_RESERVED_NAMES = {_ROW}
_NAME_MAX = 60


# --- Configuration ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EngineConfig:
    """DuckDB limits. `temp_directory` is where a private spill directory is created for each
    connection (the system's temporary directory when None). Sorting a large version needs
    about 64 MB per thread; below that DuckDB gives up with an out-of-memory error."""

    memory_limit: str = "256MB"
    threads: int = 2
    temp_directory: Path | None = None
    max_line_size: int = (
        4 * 1024 * 1024
    )  # longest CSV record (bytes), line breaks in cells included


_config = EngineConfig()


def configure(**changes: Any) -> EngineConfig:
    """Changes the engine limits for the whole process (the app calls it once from its settings)
    and returns the new configuration."""
    global _config
    _config = dataclasses.replace(_config, **changes)
    return _config


# --- Errors ------------------------------------------------------------------------------------


class StoreError(MedianeError):
    """A version cannot be written or read; the message is in French, `code` is stable."""

    code = "store-error"


class QueryError(StoreError):
    """A request on a version is invalid (unknown column, bad value, bad operator…)."""

    code = "bad-query"


# --- Types -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Kind:
    """One way of reading text cells as a type: `check` and `convert` take the SQL expression of
    a VARCHAR cell."""

    type: str  # Table Schema type
    sql_type: str
    check: Callable[[str], str]
    convert: Callable[[str], str]


_INT_STRICT = r"0|-?[1-9][0-9]{0,17}"
_INT_LENIENT = r"\s*[-+]?[0-9]{1,18}\s*"
_NUM_STRICT = r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]{1,3})?"
_NUM_LENIENT = r"\s*[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*"
_NUM_SPECIAL = r"(?i)\s*([-+]?inf(inity)?|nan)\s*"
_DATE_ISO = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
_DATE_FR = r"[0-9]{2}/[0-9]{2}/[0-9]{4}"
_DATETIME_NAIVE = r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?Z?"
_DATETIME = (
    r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?"
    r"(Z|[-+][0-9]{2}(:?[0-9]{2})?)?\s*"
)
_TIME = r"\s*[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?\s*"
_YEAR = r"\s*-?[0-9]{1,4}\s*"


def _match(v: str, pattern: str) -> str:
    return f"regexp_full_match({v}, '{pattern}')"


def _significant_digits(v: str) -> str:
    return (
        f"length(ltrim(regexp_replace(regexp_replace({v}, '[eE].*$', ''), '[^0-9]', '', 'g'), '0'))"
    )


_KINDS: dict[str, _Kind] = {
    # Inference: strict forms only, so that the stored value prints back as it was written.
    "boolean_strict": _Kind(
        "boolean",
        "BOOLEAN",
        lambda v: f"lower({v}) IN ('true', 'false')",
        lambda v: f"lower({v}) = 'true'",
    ),
    "integer_strict": _Kind(
        "integer", "BIGINT", lambda v: _match(v, _INT_STRICT), lambda v: f"CAST({v} AS BIGINT)"
    ),
    "number_strict": _Kind(
        "number",
        "DOUBLE",
        lambda v: (
            f"{_match(v, _NUM_STRICT)} AND {_significant_digits(v)} <= 15"
            f" AND isfinite(TRY_CAST({v} AS DOUBLE))"
        ),
        lambda v: f"CAST({v} AS DOUBLE)",
    ),
    "date": _Kind(
        "date",
        "DATE",
        lambda v: f"{_match(f'trim({v})', _DATE_ISO)} AND TRY_CAST(trim({v}) AS DATE) IS NOT NULL",
        lambda v: f"CAST(trim({v}) AS DATE)",
    ),
    "date_fr": _Kind(
        "date",
        "DATE",
        lambda v: (
            f"{_match(f'trim({v})', _DATE_FR)} AND try_strptime(trim({v}), '%d/%m/%Y') IS NOT NULL"
        ),
        lambda v: f"CAST(strptime(trim({v}), '%d/%m/%Y') AS DATE)",
    ),
    "datetime_strict": _Kind(
        "datetime",
        "TIMESTAMP",
        lambda v: f"{_match(v, _DATETIME_NAIVE)} AND TRY_CAST({v} AS TIMESTAMP) IS NOT NULL",
        lambda v: f"CAST({v} AS TIMESTAMP)",
    ),
    # Declared types: the lexical forms of Table Schema; numbers must still fit exactly.
    "boolean": _Kind(
        "boolean",
        "BOOLEAN",
        lambda v: f"lower(trim({v})) IN ('true', 'false', '1', '0')",
        lambda v: f"lower(trim({v})) IN ('true', '1')",
    ),
    "integer": _Kind(
        "integer",
        "BIGINT",
        lambda v: f"{_match(v, _INT_LENIENT)} AND TRY_CAST(trim({v}) AS BIGINT) IS NOT NULL",
        lambda v: f"CAST(trim({v}) AS BIGINT)",
    ),
    "number": _Kind(
        "number",
        "DOUBLE",
        lambda v: (
            f"(({_match(v, _NUM_LENIENT)} AND isfinite(TRY_CAST(trim({v}) AS DOUBLE)))"
            f" OR {_match(v, _NUM_SPECIAL)})"
        ),
        lambda v: f"CAST(trim({v}) AS DOUBLE)",
    ),
    "datetime": _Kind(
        "datetime",
        "TIMESTAMP",
        lambda v: f"{_match(v, _DATETIME)} AND TRY_CAST(trim({v}) AS TIMESTAMPTZ) IS NOT NULL",
        # Offsets are applied: the stored instant is in UTC.
        lambda v: f"CAST(timezone('UTC', CAST(trim({v}) AS TIMESTAMPTZ)) AS TIMESTAMP)",
    ),
    "time": _Kind(
        "time",
        "TIME",
        lambda v: f"{_match(v, _TIME)} AND TRY_CAST(trim({v}) AS TIME) IS NOT NULL",
        lambda v: f"CAST(trim({v}) AS TIME)",
    ),
    "year": _Kind(
        "year", "INTEGER", lambda v: _match(v, _YEAR), lambda v: f"CAST(trim({v}) AS INTEGER)"
    ),
}

_INFERENCE = [
    "boolean_strict",
    "integer_strict",
    "number_strict",
    "date",
    "date_fr",
    "datetime_strict",
]
# Table Schema type -> the kinds tried, in order; an empty list stores text.
_DECLARED: dict[str, list[str]] = {
    "string": [],
    "any": [],
    "object": [],
    "array": [],
    "geopoint": [],
    "geojson": [],
    "duration": [],
    "yearmonth": [],
    "integer": ["integer"],
    "number": ["number"],
    "boolean": ["boolean"],
    "date": ["date", "date_fr"],
    "datetime": ["datetime"],
    "time": ["time"],
    "year": ["year"],
}
# Reading a filter value for a stored SQL type: the lenient kinds, French dates accepted.
_VALUE_KINDS: dict[str, list[str]] = {
    "BIGINT": ["integer"],
    "INTEGER": ["year"],
    "DOUBLE": ["number"],
    "BOOLEAN": ["boolean"],
    "DATE": ["date", "date_fr"],
    "TIMESTAMP": ["datetime"],
    "TIME": ["time"],
}
_NUMERIC = {"BIGINT", "INTEGER", "DOUBLE"}
_TEMPORAL = {"DATE", "TIMESTAMP"}
_EXPECTED = {
    "BIGINT": "un nombre entier",
    "INTEGER": "une année",
    "DOUBLE": "un nombre",
    "BOOLEAN": "true ou false",
    "DATE": "une date AAAA-MM-JJ",
    "TIMESTAMP": "une date et heure AAAA-MM-JJTHH:MM:SS",
    "TIME": "une heure HH:MM:SS",
}


# --- Versions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A stored column: `name` is the safe identifier used by the API, `label` the header as
    received, `type` the Table Schema type of the stored values. `declared_type` is the type
    asked for when it could not be kept, with the number of cells that did not fit it."""

    name: str
    label: str
    type: str
    sql_type: str
    declared_type: str | None = None
    invalid_cells: int = 0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class StoredVersion:
    directory: Path
    row_count: int
    columns: list[Column]
    csv_bytes: int
    parquet_bytes: int
    sha256: str

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise QueryError(f"Colonne inconnue : « {name} ».", code="unknown-column")

    @property
    def parquet(self) -> Path:
        return self.directory / DATA_PARQUET


@dataclass(frozen=True)
class WriteProgress:
    """Sent to `write_version`'s `progress`: phase "csv" (every 50,000 rows), "types",
    "parquet", then "done"."""

    phase: str
    rows: int


def safe_names(labels: Sequence[str]) -> list[str]:
    """Unique SQL-safe identifiers for header labels: lower-case ASCII letters, digits and
    underscores, not starting with a digit or an underscore, at most 60 characters."""
    names: list[str] = []
    used: set[str] = set()
    for position, label in enumerate(labels, start=1):
        text = (
            str(label).replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("ß", "ss")
        )
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
        base = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:_NAME_MAX].strip("_")
        if not base:
            base = f"colonne_{position}"
        elif base[0].isdigit():
            base = f"c_{base}"[:_NAME_MAX]
        name, suffix = base, 1
        while name in used or name in _RESERVED_NAMES:
            suffix += 1
            name = f"{base[: _NAME_MAX - len(str(suffix)) - 1]}_{suffix}"
        used.add(name)
        names.append(name)
    return names


def write_version(
    header: list[str],
    rows: Iterable[Sequence[Any]],
    directory: Path,
    *,
    types: dict[str, str] | None = None,
    progress: Callable[[WriteProgress], None] | None = None,
) -> StoredVersion:
    """Stores a version in `directory` (created if needed, must not already hold one).

    `rows` is consumed once: cells are text (None is an empty cell); a short row is padded
    with empty cells, a longer one is refused unless its extra cells are empty. `types` maps
    header labels (or safe names) to Table Schema types; unknown keys are ignored. Memory stays
    bounded whatever the size: Python holds 1,000 rows at a time, DuckDB works within its
    memory limit. `VersionWriter` does the same row by row (push), for a caller that reads,
    validates and stores in one pass.
    """
    writer = VersionWriter(header, directory, types=types, progress=progress)
    try:
        for row in rows:
            writer.write(row)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


class VersionWriter:
    """Push interface of `write_version`: `write(row)` for each row, then `finish()` (or
    `abort()` to leave nothing behind)."""

    def __init__(
        self,
        header: list[str],
        directory: Path,
        *,
        types: dict[str, str] | None = None,
        progress: Callable[[WriteProgress], None] | None = None,
    ) -> None:
        directory = Path(directory)
        _check_path(directory)
        if not header:
            raise StoreError("Le fichier n'a aucune colonne.", code="no-columns")
        if (directory / META_JSON).exists() or (directory / DATA_CSV).exists():
            raise StoreError(
                "Cette version est déjà enregistrée : une version stockée ne se modifie pas.",
                code="version-exists",
            )
        self.directory = directory
        self.progress = progress
        self.labels = ["" if label is None else str(label) for label in header]
        self.names = safe_names(self.labels)
        self.kinds = _declared_kinds(self.labels, self.names, types or {})
        directory.mkdir(parents=True, exist_ok=True)
        self.csv_part = directory / (DATA_CSV + ".part")
        self.parquet_part = directory / (DATA_PARQUET + ".part")
        try:
            self._csv = _CsvWriter(self.labels, self.csv_part, progress)
        except BaseException:
            self.csv_part.unlink(missing_ok=True)
            raise

    def write(self, row: Sequence[Any]) -> None:
        self._csv.write(row)

    def abort(self) -> None:
        self._csv.close()
        self.csv_part.unlink(missing_ok=True)
        self.parquet_part.unlink(missing_ok=True)

    def finish(self) -> StoredVersion:
        directory, progress = self.directory, self.progress
        try:
            row_count, csv_bytes, sha256 = self._csv.close()
            if progress:
                progress(WriteProgress("types", row_count))
            columns = _write_parquet(
                self.csv_part,
                self.parquet_part,
                self.labels,
                self.names,
                self.kinds,
                row_count,
                progress,
            )
            self.csv_part.replace(directory / DATA_CSV)
            self.parquet_part.replace(directory / DATA_PARQUET)
        except BaseException:
            self.abort()
            raise
        version = StoredVersion(
            directory=directory,
            row_count=row_count,
            columns=columns,
            csv_bytes=csv_bytes,
            parquet_bytes=(directory / DATA_PARQUET).stat().st_size,
            sha256=sha256,
        )
        _write_json(
            directory / META_JSON,
            {
                "format": FORMAT_VERSION,
                "row_count": version.row_count,
                "columns": [column.to_json() for column in columns],
                "csv_bytes": version.csv_bytes,
                "parquet_bytes": version.parquet_bytes,
                "sha256": version.sha256,
            },
        )
        if progress:
            progress(WriteProgress("done", row_count))
        return version


def open_version(directory: Path) -> StoredVersion:
    """The stored version of `directory`, read from its metadata."""
    directory = Path(directory)
    _check_path(directory)
    try:
        meta = json.loads((directory / META_JSON).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StoreError("Version introuvable ou incomplète.", code="missing-version") from error
    if meta.get("format") != FORMAT_VERSION:
        raise StoreError("Format de version stockée inconnu.", code="unknown-format")
    return StoredVersion(
        directory=directory,
        row_count=meta["row_count"],
        columns=[Column(**column) for column in meta["columns"]],
        csv_bytes=meta["csv_bytes"],
        parquet_bytes=meta["parquet_bytes"],
        sha256=meta["sha256"],
    )


def _declared_kinds(labels: list[str], names: list[str], types: dict[str, str]) -> list[str | None]:
    """For each column, its declared Table Schema type (None: to infer). Keys are labels or
    safe names; a key matching no column is ignored (a schema field missing from the file is
    the validation's business, not a reason to refuse storing the file)."""
    declared: list[str | None] = [None] * len(labels)
    for key, type_name in types.items():
        positions = [i for i, label in enumerate(labels) if label == key] or [
            i for i, name in enumerate(names) if name == key
        ]
        for i in positions:
            declared[i] = str(type_name)
    return declared


class _CsvWriter:
    """Writes the normalised CSV by blocks of rows, hashing and counting the bytes on the way;
    `close()` returns the row count, the size and the SHA-256."""

    def __init__(
        self,
        labels: list[str],
        path: Path,
        progress: Callable[[WriteProgress], None] | None,
    ) -> None:
        self.width = len(labels)
        self.count = self.size = 0
        self.sha256 = hashlib.sha256()
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, lineterminator="\r\n")  # None: an empty cell
        self.limit = int(_config.max_line_size)
        self.progress = progress
        self.raw: BinaryIO | None = path.open("wb")
        self.result: tuple[int, int, str] | None = None
        self.writer.writerow(labels)
        try:
            self._check_length(0, 0)
        except StoreError:
            self.raw.close()
            raise

    def _flush(self) -> None:
        assert self.raw is not None
        data = self.buffer.getvalue().encode("utf-8", errors="replace")
        self.sha256.update(data)
        self.size += len(data)
        self.raw.write(data)
        self.buffer.seek(0)
        self.buffer.truncate()

    def _check_length(self, start: int, line: int) -> None:
        # StringIO positions count characters; a UTF-8 character takes at most 4 bytes.
        end = self.buffer.tell()
        if (
            4 * (end - start) >= self.limit
            and len(self.buffer.getvalue()[start:end].encode()) >= self.limit
        ):
            where = f"La ligne {line} des données" if line else "L'en-tête"
            raise StoreError(
                f"{where} dépasse la longueur permise ({self.limit:,} octets).".replace(",", " "),
                code="line-too-long",
            )

    def write(self, row: Sequence[Any]) -> None:
        width = self.width
        if len(row) != width:
            cells = list(row)
            if len(cells) < width:
                cells.extend([""] * (width - len(cells)))
            elif any(cell not in ("", None) for cell in cells[width:]):
                raise StoreError(
                    f"La ligne {self.count + 1} des données a {len(cells)} cellules pour "
                    f"{width} colonnes.",
                    code="too-many-cells",
                )
            row = cells[:width]
        start = self.buffer.tell()
        self.writer.writerow(row)
        self.count += 1
        self._check_length(start, self.count)
        if self.count % 1000 == 0:
            self._flush()
            if self.progress and self.count % PROGRESS_EVERY == 0:
                self.progress(WriteProgress("csv", self.count))

    def close(self) -> tuple[int, int, str]:
        if self.raw is not None:
            try:
                self._flush()
            finally:
                self.raw.close()
                self.raw = None
            self.result = (self.count, self.size, self.sha256.hexdigest())
        return self.result or (self.count, self.size, self.sha256.hexdigest())


def _read_csv_sql() -> str:
    """A read of the normalised CSV, every column as text; parameters: path, columns.

    The record separator is given: with DuckDB 2.0 guessing it, a quoted line break in the
    first record (a header label on two lines) made the read fail or return no row, and an
    explicit `strict_mode = true` did the same. `write_version` checks the row count anyway.
    """
    size = int(_config.max_line_size)
    return (
        "read_csv(?, header = true, auto_detect = false, delim = ',', quote = '\"', "
        "escape = '\"', new_line = '\\r\\n', columns = ?, null_padding = false, "
        f"max_line_size = {size}, buffer_size = {2 * size})"
    )


def _write_parquet(
    csv_path: Path,
    parquet_path: Path,
    labels: list[str],
    names: list[str],
    declared: list[str | None],
    row_count: int,
    progress: Callable[[WriteProgress], None] | None,
) -> list[Column]:
    source = _read_csv_sql()
    params = [str(csv_path), {name: "VARCHAR" for name in names}]
    tried = [_INFERENCE if kind is None else _DECLARED.get(kind, []) for kind in declared]
    with _connect(csv_path.parent) as con:
        # Candidate types for inference are first tried on the first rows: most columns are
        # text and lose every candidate there, so the pass over the whole file checks few.
        sample = f"(SELECT * FROM {source} LIMIT {SAMPLE_ROWS})"
        _rows, early = _rejections(con, sample, params, names, tried)
        tried = [
            kinds if kind is not None else [k for k, n in zip(kinds, bad, strict=True) if n == 0]
            for kinds, kind, (_filled, bad) in zip(tried, declared, early, strict=True)
        ]
        rows, counts = _rejections(con, source, params, names, tried)
        if rows != row_count:
            raise StoreError(
                "Le fichier normalisé n'a pas pu être relu à l'identique.", code="storage-failed"
            )
        columns: list[Column] = []
        selects: list[str] = []
        for name, label, kinds, kind_declared, (filled, bad) in zip(
            names, labels, tried, declared, counts, strict=True
        ):
            chosen = next((k for k, n in zip(kinds, bad, strict=True) if n == 0), None)
            if not filled and kind_declared is None:
                chosen = None  # nothing to infer from: text
            v = _quote(name)
            if chosen is None:
                if kind_declared is None:
                    column = Column(name, label, "string", "VARCHAR")
                elif kind_declared in _DECLARED and not _DECLARED[kind_declared]:
                    column = Column(name, label, kind_declared, "VARCHAR")  # geopoint, object…
                else:  # some cells do not fit, or a type this module does not know
                    invalid = min(bad) if bad else 0
                    column = Column(name, label, "string", "VARCHAR", kind_declared, invalid)
                columns.append(column)
                selects.append(f"{v} AS {v}")
            else:
                kind = _KINDS[chosen]
                columns.append(Column(name, label, kind.type, kind.sql_type))
                selects.append(f"{kind.convert(v)} AS {v}")
        if progress:
            progress(WriteProgress("parquet", row_count))
        _execute(
            con,
            f"COPY (SELECT {', '.join(selects)} FROM {source}) TO {_literal(str(parquet_path))} "
            "(FORMAT parquet, COMPRESSION zstd)",
            params,
        )
        stored = _fetchone(con, "SELECT count(*) FROM read_parquet(?)", [str(parquet_path)])[0]
    if stored != row_count:
        raise StoreError("La version typée n'a pas toutes les lignes.", code="storage-failed")
    return columns


def _rejections(
    con: duckdb.DuckDBPyConnection,
    source: str,
    params: list[Any],
    names: list[str],
    tried: list[list[str]],
) -> tuple[int, list[tuple[int, list[int]]]]:
    """One pass over text columns: the row count and, for each column, its filled cells and
    the number of them that each of its candidate kinds rejects."""
    aggregates = ["count(*)"]
    for name, kinds in zip(names, tried, strict=True):
        v = _quote(name)
        aggregates.append(f"count({v})")
        aggregates += [
            f"count_if({v} IS NOT NULL AND NOT coalesce({_KINDS[k].check(v)}, false))"
            for k in kinds
        ]
    counts = _fetchone(con, f"SELECT {', '.join(aggregates)} FROM {source}", params)
    result = []
    position = 1
    for kinds in tried:
        result.append((counts[position], list(counts[position + 1 : position + 1 + len(kinds)])))
        position += 1 + len(kinds)
    return counts[0], result


# --- Queries -----------------------------------------------------------------------------------

_COMPARISONS = {"eq": "=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


@dataclass(frozen=True)
class Filter:
    """`column` `op` `value`. Ranges are two filters (gte and lt); `in` takes a list of values;
    `isnull` takes True (empty cells) or False (filled cells); `contains` searches text ignoring
    case and accents; `ne` keeps empty cells."""

    column: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class QueryResult:
    """`rows` hold JSON-ready values (ISO strings for dates, "NaN"/"INF"/"-INF" for those
    numbers), in the order of `columns`; `total` counts the rows matching the filters."""

    columns: list[Column]
    rows: list[list[Any]]
    total: int
    limit: int
    offset: int


Sort = Sequence[tuple[str, str]]


def query(
    version_dir: Path,
    *,
    columns: Sequence[str] | None = None,
    filters: Sequence[Filter] = (),
    sort: Sort = (),
    limit: int = DEFAULT_LIMIT,
    offset: int = 0,
) -> QueryResult:
    """A page of rows of a version, filtered and sorted, with the total of matching rows."""
    version = open_version(version_dir)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 <= limit <= MAX_LIMIT:
        raise QueryError(
            f"La limite doit être un entier entre 0 et {MAX_LIMIT}.", code="bad-pagination"
        )
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise QueryError("Le décalage doit être un entier positif ou nul.", code="bad-pagination")
    selected = _selected_columns(version, columns)
    with _connect(version.directory) as con:
        where, where_params = _where(con, version, filters)
        order = _order_by(version, sort)
        source = "read_parquet(?, file_row_number = true)"
        total = _fetchone(
            con, f"SELECT count(*) FROM {source}{where}", [str(version.parquet), *where_params]
        )[0]
        rows = _fetchall(
            con,
            f"SELECT {_select_list(selected)} FROM {source}{where}{order} LIMIT ? OFFSET ?",
            [str(version.parquet), *where_params, limit, offset],
        )
    return QueryResult(
        columns=selected,
        rows=[[jsonable(value) for value in row] for row in rows],
        total=total,
        limit=limit,
        offset=offset,
    )


def export(
    version_dir: Path,
    fmt: Literal["csv", "json"],
    *,
    out: BinaryIO,
    columns: Sequence[str] | None = None,
    filters: Sequence[Filter] = (),
    sort: Sort = (),
    limit: int | None = None,
    bom: bool = False,
    delimiter: str = ",",
    header: Literal["label", "name"] = "label",
) -> int:
    """Writes the matching rows to `out` as CSV (header of labels or names; `bom` for Excel;
    cells that a spreadsheet would run as a formula get a leading apostrophe) or as a JSON array
    of objects keyed by column name. Streams by batches; returns the number of rows written."""
    if fmt not in ("csv", "json"):
        raise QueryError(f"Format d'export inconnu : « {fmt} » (csv ou json).", code="bad-format")
    if delimiter not in (",", ";", "\t"):
        raise QueryError(
            "Séparateur inconnu (virgule, point-virgule ou tabulation).", code="bad-format"
        )
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise QueryError("La limite doit être un entier positif ou nul.", code="bad-pagination")
    version = open_version(version_dir)
    selected = _selected_columns(version, columns)
    with _connect(version.directory) as con:
        where, where_params = _where(con, version, filters)
        order = _order_by(version, sort)
        if fmt == "csv":
            select = ", ".join(f"CAST({_quote(c.name)} AS VARCHAR)" for c in selected)
        else:
            select = _select_list(selected)
        sql = f"SELECT {select} FROM read_parquet(?, file_row_number = true){where}{order}"
        params: list[Any] = [str(version.parquet), *where_params]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        cursor = _execute(con, sql, params)
        if fmt == "csv":
            return _write_csv_export(cursor, selected, out, bom, delimiter, header)
        return _write_json_export(cursor, selected, out, bom)


def neutralise(cell: str) -> str:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe; plain numbers
    ("-12.5") are left alone (`core.spreadsheet`, the rule of every export)."""
    return str(spreadsheet.neutralise(cell, keep_numbers=True))


def _write_csv_export(
    cursor: duckdb.DuckDBPyConnection,
    columns: list[Column],
    out: BinaryIO,
    bom: bool,
    delimiter: str,
    header: str,
) -> int:
    text_columns = [i for i, c in enumerate(columns) if c.sql_type not in _NUMERIC]
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([neutralise(c.label if header == "label" else c.name) for c in columns])
    out.write(("\ufeff" if bom else "").encode("utf-8") + buffer.getvalue().encode("utf-8"))
    count = 0
    while batch := _fetchmany(cursor):
        buffer.seek(0)
        buffer.truncate()
        for row in batch:
            cells = ["" if value is None else value for value in row]
            for i in text_columns:
                if cells[i]:
                    cells[i] = neutralise(cells[i])
            writer.writerow(cells)
        out.write(buffer.getvalue().encode("utf-8"))
        count += len(batch)
    return count


def _write_json_export(
    cursor: duckdb.DuckDBPyConnection, columns: list[Column], out: BinaryIO, bom: bool
) -> int:
    names = [c.name for c in columns]
    out.write(("\ufeff[" if bom else "[").encode("utf-8"))
    count = 0
    while batch := _fetchmany(cursor):
        parts = []
        for row in batch:
            record = dict(zip(names, (jsonable(value) for value in row), strict=True))
            parts.append(("\n" if count == 0 else ",\n") + json.dumps(record, ensure_ascii=False))
            count += 1
        out.write("".join(parts).encode("utf-8"))
    out.write(b"\n]\n" if count else b"]\n")
    return count


def _selected_columns(version: StoredVersion, names: Sequence[str] | None) -> list[Column]:
    if names is None:
        return list(version.columns)
    if isinstance(names, str) or not names:
        raise QueryError("Choisissez au moins une colonne.", code="no-columns")
    return [version.column(name) for name in names]


def _select_list(columns: list[Column]) -> str:
    return ", ".join(_quote(c.name) for c in columns)


def _order_by(version: StoredVersion, sort: Sort) -> str:
    """ORDER BY clause (empty: the stored order). Ties keep the stored order, so pages are
    stable; empty cells come last; text is sorted ignoring case and accents."""
    if not sort:
        return ""
    terms = []
    for item in sort:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise QueryError("Tri invalide : une colonne et un sens.", code="bad-sort")
        name, direction = item
        column = version.column(name)
        if direction not in ("asc", "desc"):
            raise QueryError(
                f"Sens de tri inconnu : « {direction} » (asc ou desc).", code="bad-sort"
            )
        collate = " COLLATE noaccent.nocase" if column.sql_type == "VARCHAR" else ""
        terms.append(f"{_quote(column.name)}{collate} {direction.upper()} NULLS LAST")
    return f" ORDER BY {', '.join(terms)}, {_ROW}"


def _where(
    con: duckdb.DuckDBPyConnection, version: StoredVersion, filters: Sequence[Filter]
) -> tuple[str, list[Any]]:
    """WHERE clause and its parameters; every value is bound, cast to its column's type."""
    conditions: list[str] = []
    params: list[Any] = []
    for item in filters:
        if not isinstance(item, Filter):
            raise QueryError("Filtre invalide.", code="bad-filter")
        column = version.column(item.column)
        col = _quote(column.name)
        typed = f"CAST(? AS {column.sql_type})"
        if item.op in _COMPARISONS:
            conditions.append(f"{col} {_COMPARISONS[item.op]} {typed}")
            params.append(_cast_values(con, column, [item.value])[0])
        elif item.op == "ne":
            conditions.append(f"{col} IS DISTINCT FROM {typed}")
            params.append(_cast_values(con, column, [item.value])[0])
        elif item.op == "in":
            values = item.value
            if isinstance(values, (str, bytes)) or not isinstance(values, (list, tuple, set)):
                raise QueryError(
                    f"Le filtre « in » sur « {column.name} » attend une liste de valeurs.",
                    code="bad-value",
                )
            if len(values) > MAX_IN_VALUES:
                raise QueryError(
                    f"Au plus {MAX_IN_VALUES} valeurs dans un filtre « in ».",
                    code="too-many-values",
                )
            if not values:
                conditions.append("false")
                continue
            cast = _cast_values(con, column, list(values))
            conditions.append(f"{col} IN ({', '.join([typed] * len(cast))})")
            params.extend(cast)
        elif item.op == "contains":
            if item.value is None or isinstance(item.value, (list, tuple, dict, set)):
                raise QueryError(
                    f"Le filtre « contains » sur « {column.name} » attend un texte.",
                    code="bad-value",
                )
            conditions.append(
                f"contains(strip_accents(lower(CAST({col} AS VARCHAR))), "
                "strip_accents(lower(CAST(? AS VARCHAR))))"
            )
            params.append(_text(item.value))
        elif item.op == "isnull":
            wanted = True if item.value is None else item.value
            if isinstance(wanted, str) and wanted.lower() in ("true", "1", "false", "0"):
                wanted = wanted.lower() in ("true", "1")
            if not isinstance(wanted, bool):
                raise QueryError(
                    f"Le filtre « isnull » sur « {column.name} » attend true ou false.",
                    code="bad-value",
                )
            conditions.append(f"{col} IS {'' if wanted else 'NOT '}NULL")
        else:
            raise QueryError(f"Opérateur de filtre inconnu : « {item.op} ».", code="bad-operator")
    if not conditions:
        return "", []
    return " WHERE " + " AND ".join(f"({c})" for c in conditions), params


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _cast_values(con: duckdb.DuckDBPyConnection, column: Column, values: list[Any]) -> list[Any]:
    """The values read as the column's type, by DuckDB itself (the rules used when storing)."""
    texts = []
    for value in values:
        if value is None or isinstance(value, (list, tuple, dict, set)):
            raise QueryError(
                f"Valeur manquante ou invalide pour la colonne « {column.name} ».", code="bad-value"
            )
        texts.append(_text(value))
    kinds = _VALUE_KINDS.get(column.sql_type)
    if not kinds:
        return texts
    cases = " ".join(
        f"WHEN coalesce({_KINDS[k].check('v')}, false) THEN {_KINDS[k].convert('v')}" for k in kinds
    )
    rows = _fetchall(
        con,
        f"SELECT CASE {cases} END FROM (SELECT unnest(CAST(? AS VARCHAR[])) AS v)",
        [texts],
    )
    result = [row[0] for row in rows]
    for text, value in zip(texts, result, strict=True):
        if value is None:
            raise QueryError(
                f"Valeur « {text[:100]} » invalide pour la colonne « {column.name} » : "
                f"{_EXPECTED[column.sql_type]} est attendu.",
                code="bad-value",
            )
    return result


def jsonable(value: Any) -> Any:
    """A value read from DuckDB as JSON can carry it."""
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "INF" if value > 0 else "-INF"
        return value
    if isinstance(value, (dt.date, dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, dt.timedelta):
        return str(value)
    return value


# --- Profiles ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ColumnProfile:
    """`count` filled cells, `nulls` empty ones, `distinct` distinct filled values; `min`, `max`
    (JSON-ready, text compared alphabetically), `mean` for numbers; `top_values`: the 10 most
    frequent values with their counts (empty when every value is distinct)."""

    name: str
    label: str
    type: str
    count: int
    nulls: int
    distinct: int
    min: Any
    max: Any
    mean: float | None
    top_values: list[tuple[Any, int]] = field(default_factory=list)


def profile(version_dir: Path) -> list[ColumnProfile]:
    """The profile of every column, computed by DuckDB once and cached in profile.json."""
    version = open_version(version_dir)
    cache = version.directory / PROFILE_JSON
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        data = json.loads(cache.read_text(encoding="utf-8"))
        if data["format"] == FORMAT_VERSION and data["sha256"] == version.sha256:
            return [
                ColumnProfile(**{**p, "top_values": [tuple(t) for t in p["top_values"]]})
                for p in data["columns"]
            ]
    profiles = _compute_profiles(version)
    with contextlib.suppress(OSError):  # a read-only store still answers, uncached
        _write_json(
            cache,
            {
                "format": FORMAT_VERSION,
                "sha256": version.sha256,
                "columns": [dataclasses.asdict(p) for p in profiles],
            },
        )
    return profiles


def _compute_profiles(version: StoredVersion) -> list[ColumnProfile]:
    source = "read_parquet(?)"
    path = str(version.parquet)
    profiles = []
    with _connect(version.directory) as con:
        for column in version.columns:
            col = _quote(column.name)
            mean = f"avg({col})" if column.sql_type in _NUMERIC else "NULL"
            count, distinct, low, high, average = _fetchone(
                con,
                f"SELECT count({col}), count(DISTINCT {col}), min({col}), max({col}), {mean} "
                f"FROM {source}",
                [path],
            )
            top: list[tuple[Any, int]] = []
            if count and distinct < count:
                top = [
                    (jsonable(value), n)
                    for value, n in _fetchall(
                        con,
                        f"SELECT {col}, count(*) AS _n FROM {source} WHERE {col} IS NOT NULL "
                        f"GROUP BY {col} ORDER BY _n DESC, {col} LIMIT {TOP_VALUES}",
                        [path],
                    )
                ]
            profiles.append(
                ColumnProfile(
                    name=column.name,
                    label=column.label,
                    type=column.type,
                    count=count,
                    nulls=version.row_count - count,
                    distinct=distinct,
                    min=jsonable(low),
                    max=jsonable(high),
                    mean=None if average is None else jsonable(float(average)),
                    top_values=top,
                )
            )
    return profiles


# --- Chart data --------------------------------------------------------------------------------

_BUCKETS = {"year": "%Y", "month": "%Y-%m", "day": "%Y-%m-%d"}
_FUNCTIONS = ("sum", "avg", "count", "min", "max")


def aggregate(
    version_dir: Path,
    *,
    by: str,
    measure: str | None = None,
    fn: str = "count",
    time_bucket: str | None = None,
    limit: int = DEFAULT_LIMIT,
    filters: Sequence[Filter] = (),
) -> list[tuple[Any, Any]]:
    """(group, value) pairs for a chart: `fn` of `measure` (rows counted when None) by the
    values of `by` — the `limit` largest groups, largest first, an empty group as None — or,
    with `time_bucket` (year, month, day) on a date column, by period: the `limit` most recent
    periods, oldest first, labelled "2024", "2024-03" or "2024-03-15"."""
    version = open_version(version_dir)
    group = version.column(by)
    if fn not in _FUNCTIONS:
        raise QueryError(f"Fonction inconnue : « {fn} ».", code="bad-aggregate")
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise QueryError(f"La limite doit être entre 1 et {MAX_LIMIT}.", code="bad-pagination")
    if measure is None:
        if fn != "count":
            raise QueryError(f"La fonction « {fn} » demande une mesure.", code="bad-aggregate")
        value = "count(*)"
    else:
        measured = version.column(measure)
        if fn in ("sum", "avg") and measured.sql_type not in _NUMERIC:
            raise QueryError(
                f"La colonne « {measured.name} » n'est pas numérique.", code="bad-aggregate"
            )
        value = f"{fn}({_quote(measured.name)})"
    col = _quote(group.name)
    if time_bucket is None:
        key, where_extra, order, outer = col, "", "_v DESC NULLS LAST, _g NULLS LAST", ""
    else:
        if time_bucket not in _BUCKETS:
            raise QueryError(f"Période inconnue : « {time_bucket} ».", code="bad-bucket")
        if group.sql_type in _TEMPORAL:
            key = f"strftime(date_trunc('{time_bucket}', {col}), '{_BUCKETS[time_bucket]}')"
        elif group.type == "year" and time_bucket == "year":
            key = f"CAST({col} AS VARCHAR)"
        else:
            raise QueryError(f"La colonne « {group.name} » n'est pas une date.", code="bad-bucket")
        where_extra, order, outer = f"{col} IS NOT NULL", "_g DESC", " ORDER BY _g"
    with _connect(version.directory) as con:
        where, params = _where(con, version, filters)
        if where_extra:
            where = f"{where} AND {where_extra}" if where else f" WHERE {where_extra}"
        rows = _fetchall(
            con,
            f"SELECT * FROM (SELECT {key} AS _g, {value} AS _v FROM read_parquet(?){where} "
            f"GROUP BY _g ORDER BY {order} LIMIT ?){outer}",
            [str(version.parquet), *params, limit],
        )
    return [(jsonable(grp), jsonable(val)) for grp, val in rows]


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float
    row_number: int  # 1-based position in the version


@dataclass(frozen=True)
class PointSet:
    """At most `limit` points (an even spread of them when `total` is larger)."""

    points: list[Point]
    total: int


def _coordinate(column: Column) -> str:
    col = _quote(column.name)
    if column.sql_type in _NUMERIC:
        return f"CAST({col} AS DOUBLE)"
    if column.sql_type == "VARCHAR":  # decimal commas are common in French files
        return f"TRY_CAST(replace(trim({col}), ',', '.') AS DOUBLE)"
    raise QueryError(f"La colonne « {column.name} » n'est pas une coordonnée.", code="bad-column")


def points(
    version_dir: Path,
    lat_col: str,
    lon_col: str,
    limit: int = 5000,
    *,
    filters: Sequence[Filter] = (),
) -> PointSet:
    """WGS 84 points for a map: rows whose latitude and longitude are numbers in range (0, 0
    excluded: a placeholder more often than a place)."""
    version = open_version(version_dir)
    lat = _coordinate(version.column(lat_col))
    lon = _coordinate(version.column(lon_col))
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_POINTS:
        raise QueryError(f"La limite doit être entre 1 et {MAX_POINTS}.", code="bad-pagination")
    with _connect(version.directory) as con:
        where, params = _where(con, version, filters)
        valid = (
            "_lat BETWEEN -90 AND 90 AND _lon BETWEEN -180 AND 180 AND NOT (_lat = 0 AND _lon = 0)"
        )
        base = (
            f"SELECT {lat} AS _lat, {lon} AS _lon, {_ROW} AS _r "
            f"FROM read_parquet(?, file_row_number = true){where}"
        )
        source_params = [str(version.parquet), *params]
        total = _fetchone(con, f"SELECT count(*) FROM ({base}) WHERE {valid}", source_params)[0]
        # Over the limit, a pseudo-random but stable spread (top-N by hash, bounded memory).
        order = "_r" if total <= limit else "hash(_r), _r"
        rows = _fetchall(
            con,
            f"SELECT _lat, _lon, _r FROM ({base}) WHERE {valid} ORDER BY {order} LIMIT ?",
            [*source_params, limit],
        )
    found = [Point(lat=a, lon=b, row_number=r + 1) for a, b, r in rows]
    found.sort(key=lambda p: p.row_number)
    return PointSet(points=found, total=total)


_LAT = re.compile(r"(^|_)(lat|latitude|y_wgs84|lat_wgs84)(_|$)")
_LON = re.compile(r"(^|_)(lon|lng|long|longitude|x_wgs84|lon_wgs84)(_|$)")
_LAT_WEAK = re.compile(r"(^|_)(y|coord_y|coordonnee_y)$")
_LON_WEAK = re.compile(r"(^|_)(x|coord_x|coordonnee_x)$")


def coordinate_columns(version_dir: Path) -> list[tuple[str, str]]:
    """(latitude, longitude) column pairs, best first: names that say so (lat, latitude, lon,
    lng, longitude; x and y only as a last resort) and values that are WGS 84 degrees for at
    least 80 % of the rows where both are filled."""
    version = open_version(version_dir)
    usable = [c for c in version.columns if c.sql_type in _NUMERIC or c.sql_type == "VARCHAR"]

    def score(column: Column, strong: re.Pattern[str], weak: re.Pattern[str]) -> int | None:
        if strong.search(column.name):
            return 0
        if weak.search(column.name):
            return 1
        return None

    pairs = []
    for lat in usable:
        for lon in usable:
            if lat.name == lon.name:
                continue
            a, b = score(lat, _LAT, _LAT_WEAK), score(lon, _LON, _LON_WEAK)
            if a is not None and b is not None:
                positions = version.columns.index(lat), version.columns.index(lon)
                pairs.append((a + b, abs(positions[0] - positions[1]), positions[0], lat, lon))
    if not pairs:
        return []
    result: list[tuple[str, str]] = []
    used: set[str] = set()
    with _connect(version.directory) as con:
        for *_rank, lat, lon in sorted(pairs, key=lambda p: p[:3]):
            if lat.name in used or lon.name in used:
                continue
            filled, in_range = _fetchone(
                con,
                "SELECT count(*), count_if(_lat BETWEEN -90 AND 90 AND _lon BETWEEN -180 AND 180) "
                f"FROM (SELECT {_coordinate(lat)} AS _lat, {_coordinate(lon)} AS _lon "
                "FROM read_parquet(?)) WHERE _lat IS NOT NULL AND _lon IS NOT NULL",
                [str(version.parquet)],
            )
            if filled and in_range >= 0.8 * filled:
                result.append((lat.name, lon.name))
                used.update((lat.name, lon.name))
    return result


# --- Differences between versions --------------------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    row_number: int  # 1-based position in its version
    values: dict[str, Any]


@dataclass(frozen=True)
class CellChange:
    column: str
    old: Any
    new: Any


@dataclass(frozen=True)
class ChangedRow:
    key: dict[str, Any]
    old_row_number: int
    new_row_number: int
    changes: list[CellChange]


@dataclass(frozen=True)
class VersionDiff:
    """Rows are compared on the columns both versions have. With a key, rows are matched by
    key: `rows_changed` counts matched rows with a different value. Without, whole rows are
    compared as a multiset (a row present twice before and once now counts one removal) and
    `rows_changed` is None. Examples: up to 5 of each kind, in the order of the versions."""

    columns_added: list[str]
    columns_removed: list[str]
    rows_added: int
    rows_removed: int
    rows_changed: int | None
    rows_unchanged: int
    key: list[str] | None
    examples_added: list[DiffRow]
    examples_removed: list[DiffRow]
    examples_changed: list[ChangedRow]


def _key_column(old: StoredVersion, new: StoredVersion, name: str) -> str:
    """The safe name of a key column given by name or by label (a Table Schema primaryKey
    names the fields as the header does), present in both versions."""
    for version in (new, old):
        if any(c.name == name for c in version.columns):
            continue
        labelled = [c.name for c in version.columns if c.label == name]
        if len(labelled) == 1:
            name = labelled[0]
    if not all(any(c.name == name for c in v.columns) for v in (old, new)):
        raise QueryError(
            f"La colonne clé « {name} » n'est pas dans les deux versions.", code="unknown-column"
        )
    return name


def _comparable(old: Column, new: Column) -> tuple[str, str]:
    """SQL expressions of a common column in each version that compare equal when the values
    are: numbers as numbers, other types as text when they differ between the versions."""
    if old.sql_type == new.sql_type:
        return _quote(old.name), _quote(new.name)
    if old.sql_type in _NUMERIC and new.sql_type in _NUMERIC:
        return f"CAST({_quote(old.name)} AS DOUBLE)", f"CAST({_quote(new.name)} AS DOUBLE)"
    return f"CAST({_quote(old.name)} AS VARCHAR)", f"CAST({_quote(new.name)} AS VARCHAR)"


def diff(old_dir: Path, new_dir: Path, *, key: Sequence[str] | None = None) -> VersionDiff:
    """What changed from the version in `old_dir` to the one in `new_dir`."""
    old, new = open_version(old_dir), open_version(new_dir)
    old_names = {c.name for c in old.columns}
    new_names = {c.name for c in new.columns}
    common = [(old.column(c.name), c) for c in new.columns if c.name in old_names]
    added_columns = [c.name for c in new.columns if c.name not in old_names]
    removed_columns = [c.name for c in old.columns if c.name not in new_names]
    if key is not None:
        if isinstance(key, str) or not key:
            raise QueryError("La clé doit être une liste de colonnes.", code="bad-key")
        key = [_key_column(old, new, name) for name in key]
    with _connect(old.directory, new.directory) as con:
        if key is None:
            counts, examples = _diff_multiset(con, old, new, common)
            changed: list[ChangedRow] = []
        else:
            counts, examples, changed = _diff_by_key(con, old, new, common, list(key))
    return VersionDiff(
        columns_added=added_columns,
        columns_removed=removed_columns,
        rows_added=counts[0],
        rows_removed=counts[1],
        rows_changed=counts[2],
        rows_unchanged=counts[3],
        key=None if key is None else list(key),
        examples_added=examples[0],
        examples_removed=examples[1],
        examples_changed=changed,
    )


def _diff_multiset(
    con: duckdb.DuckDBPyConnection,
    old: StoredVersion,
    new: StoredVersion,
    common: list[tuple[Column, Column]],
) -> tuple[tuple[int, int, int | None, int], tuple[list[DiffRow], list[DiffRow]]]:
    if not common:  # nothing to compare on: every row went, every row came
        examples = (_rows_at(con, new, None), _rows_at(con, old, None))
        return (new.row_count, old.row_count, None, 0), examples
    exprs = [_comparable(o, n) for o, n in common]
    old_row = ", ".join(o for o, _n in exprs)
    new_row = ", ".join(n for _o, n in exprs)
    # Each side: the 64-bit hash of every row, counted, with its first position.
    counted = (
        f"_o AS (SELECT hash(row({old_row})) AS _h, count(*) AS _c, min({_ROW}) AS _first "
        "FROM read_parquet($old, file_row_number = true) GROUP BY _h), "
        f"_n AS (SELECT hash(row({new_row})) AS _h, count(*) AS _c, min({_ROW}) AS _first "
        "FROM read_parquet($new, file_row_number = true) GROUP BY _h), "
        "_j AS (SELECT coalesce(_o._c, 0) AS _oc, coalesce(_n._c, 0) AS _nc, "
        "_o._first AS _ofirst, _n._first AS _nfirst FROM _o FULL JOIN _n ON _o._h = _n._h)"
    )
    paths = {"old": str(old.parquet), "new": str(new.parquet)}
    added, removed, unchanged = _fetchone(
        con,
        f"WITH {counted} SELECT coalesce(sum(greatest(_nc - _oc, 0)), 0), "
        "coalesce(sum(greatest(_oc - _nc, 0)), 0), coalesce(sum(least(_oc, _nc)), 0) FROM _j",
        paths,
    )

    def first(select: str, condition: str) -> list[int]:
        sql = f"WITH {counted} SELECT {select} FROM _j WHERE {condition} ORDER BY 1 LIMIT $limit"
        return [row[0] for row in _fetchall(con, sql, {**paths, "limit": EXAMPLES})]

    examples = (
        _rows_at(con, new, first("_nfirst", "_nc > _oc")),
        _rows_at(con, old, first("_ofirst", "_oc > _nc")),
    )
    return (int(added), int(removed), None, int(unchanged)), examples


def _diff_by_key(
    con: duckdb.DuckDBPyConnection,
    old: StoredVersion,
    new: StoredVersion,
    common: list[tuple[Column, Column]],
    key: list[str],
) -> tuple[tuple[int, int, int | None, int], tuple[list[DiffRow], list[DiffRow]], list[ChangedRow]]:
    for version, which in ((old, "l'ancienne"), (new, "la nouvelle")):
        cols = ", ".join(_quote(name) for name in key)
        nulls = " OR ".join(f"{_quote(name)} IS NULL" for name in key)
        rows, distinct, empty = _fetchone(
            con,
            f"SELECT count(*), count(DISTINCT row({cols})), count_if({nulls}) FROM read_parquet(?)",
            [str(version.parquet)],
        )
        if distinct != rows or empty:
            raise QueryError(
                f"La clé « {', '.join(key)} » n'identifie pas chaque ligne de {which} version "
                f"({rows - distinct} doublon(s), {empty} clé(s) vide(s)).",
                code="key-not-unique",
            )
    pairs = {n.name: _comparable(o, n) for o, n in common}
    others = [name for name in pairs if name not in key]

    def side(position: int, parameter: str) -> str:
        keys = ", ".join(f"{pairs[k][position]} AS _k{i}" for i, k in enumerate(key))
        values = ", ".join(pairs[n][position] for n in others)
        digest = f"hash(row({values}))" if others else "0"
        return (
            f"SELECT {keys}, {digest} AS _h, {_ROW} AS _r "
            f"FROM read_parquet(${parameter}, file_row_number = true)"
        )

    on = " AND ".join(f"_o._k{i} = _n._k{i}" for i in range(len(key)))
    matched = (
        f"_o AS ({side(0, 'old')}), _n AS ({side(1, 'new')}), "
        "_j AS (SELECT _o._r AS _orow, _n._r AS _nrow, _o._h AS _oh, _n._h AS _nh "
        f"FROM _o FULL JOIN _n ON {on})"
    )
    both = "_orow IS NOT NULL AND _nrow IS NOT NULL"
    paths = {"old": str(old.parquet), "new": str(new.parquet)}
    added, removed, changed, unchanged = _fetchone(
        con,
        f"WITH {matched} SELECT count_if(_orow IS NULL), count_if(_nrow IS NULL), "
        f"count_if({both} AND _oh <> _nh), count_if({both} AND _oh = _nh) FROM _j",
        paths,
    )

    def first(select: str, condition: str) -> list[tuple[Any, ...]]:
        sql = f"WITH {matched} SELECT {select} FROM _j WHERE {condition} ORDER BY 1, 2 LIMIT $limit"
        return _fetchall(con, sql, {**paths, "limit": EXAMPLES})

    examples = (
        _rows_at(con, new, [r for r, _ in first("_nrow, 0", "_orow IS NULL")]),
        _rows_at(con, old, [r for r, _ in first("_orow, 0", "_nrow IS NULL")]),
    )
    positions = [(o, n) for n, o in first("_nrow, _orow", f"{both} AND _oh <> _nh")]
    changed_rows: list[ChangedRow] = []
    if positions:
        names = list(pairs)
        before_at = _values_at(con, old, [pairs[n][0] for n in names], [o for o, _ in positions])
        after_at = _values_at(con, new, [pairs[n][1] for n in names], [n for _, n in positions])
        for orow, nrow in positions:
            before = dict(zip(names, before_at[orow], strict=True))
            after = dict(zip(names, after_at[nrow], strict=True))
            changes = [
                CellChange(name, jsonable(before[name]), jsonable(after[name]))
                for name in others
                if jsonable(before[name]) != jsonable(after[name])
            ]
            changed_rows.append(
                ChangedRow(
                    key={k: jsonable(after[k]) for k in key},
                    old_row_number=orow + 1,
                    new_row_number=nrow + 1,
                    changes=changes,
                )
            )
    counts = (int(added), int(removed), int(changed), int(unchanged))
    return counts, examples, changed_rows


def _values_at(
    con: duckdb.DuckDBPyConnection, version: StoredVersion, exprs: list[str], rows: list[int]
) -> dict[int, tuple[Any, ...]]:
    """Values of some expressions at some row positions, by position."""
    found = _fetchall(
        con,
        f"SELECT {_ROW}, {', '.join(exprs)} FROM read_parquet(?, file_row_number = true) "
        f"WHERE {_ROW} IN (SELECT unnest(CAST(? AS BIGINT[])))",
        [str(version.parquet), rows],
    )
    return {row[0]: tuple(row[1:]) for row in found}


def _rows_at(
    con: duckdb.DuckDBPyConnection, version: StoredVersion, rows: list[int] | None
) -> list[DiffRow]:
    """Whole rows at some positions (0-based; the first ones when None), as examples."""
    if rows is None:
        rows = list(range(min(EXAMPLES, version.row_count)))
    if not rows:
        return []
    names = [c.name for c in version.columns]
    values = _values_at(con, version, [_quote(n) for n in names], rows)
    return [
        DiffRow(
            row_number=r + 1,
            values={n: jsonable(v) for n, v in zip(names, values[r], strict=True)},
        )
        for r in rows
    ]


_KEY_NAMES = re.compile(r"^(id|identifiant|uid|uuid|cle|key|code|ref|reference)$")
_KEY_PARTS = re.compile(
    r"(^(id|code|num|numero|ref|siret|siren|insee)_)|(_(id|code)$)|^(siret|siren)$"
)


def guess_key(*version_dirs: Path) -> list[str] | None:
    """A column usable as key in every given version: filled and unique in each, integer, date
    or text (never a decimal number or a boolean); identifier-like names first (id, code,
    identifiant, *_id, siret…), then the leftmost column. None when there is none."""
    if not version_dirs:
        return None
    profiles = [{p.name: p for p in profile(d)} for d in version_dirs]
    versions = [open_version(d) for d in version_dirs]
    if any(v.row_count < 2 for v in versions):
        return None
    candidates = []
    for position, column in enumerate(versions[-1].columns):
        if column.sql_type not in ("BIGINT", "INTEGER", "VARCHAR", "DATE"):
            continue
        found = [p.get(column.name) for p in profiles]
        if all(f is not None and f.nulls == 0 and f.distinct == f.count for f in found) and all(
            v.column(column.name).sql_type == column.sql_type for v in versions
        ):
            rank = (
                0 if _KEY_NAMES.match(column.name) else 1 if _KEY_PARTS.search(column.name) else 2
            )
            candidates.append((rank, position, column.name))
    if not candidates:
        return None
    return [min(candidates)[2]]


# --- DuckDB ------------------------------------------------------------------------------------


def _quote(name: str) -> str:
    """A checked identifier (a stored column's safe name) between double quotes."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        raise QueryError(f"Colonne inconnue : « {name} ».", code="unknown-column")
    return f'"{name}"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _check_path(directory: Path) -> None:
    # DuckDB reads file names as glob patterns; version directories are chosen by the app.
    if any(char in str(directory) for char in "*?[]{}"):
        raise StoreError("Dossier de version invalide.", code="bad-directory")


@contextlib.contextmanager
def _connect(*directories: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB limited to the configured memory and threads, spilling to a private
    temporary directory, allowed to touch only `directories`, loading no extension."""
    config = _config
    base = None if config.temp_directory is None else str(config.temp_directory)
    spill = tempfile.mkdtemp(prefix="mediane-duckdb-", dir=base)
    con = None
    try:
        con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": config.memory_limit,
                "threads": int(config.threads),
                "temp_directory": spill,
                "preserve_insertion_order": True,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        # Each directory as given (made absolute) and with its links resolved.
        allowed = sorted(
            {
                os.path.join(form, "")
                for d in (*directories, Path(spill))
                for form in (os.path.abspath(d), str(Path(d).resolve()))
            }
        )
        con.execute(f"SET allowed_directories = [{', '.join(_literal(d) for d in allowed)}]")
        con.execute("SET enable_external_access = false")
        con.execute("SET TimeZone = 'UTC'")
        con.execute("SET lock_configuration = true")
        yield con
    finally:
        if con is not None:
            con.close()
        shutil.rmtree(spill, ignore_errors=True)


def _engine_error(error: duckdb.Error) -> StoreError:
    if isinstance(error, duckdb.OutOfMemoryException):
        return StoreError(
            "Mémoire insuffisante pour traiter ce jeu de données ; réessayez plus tard.",
            code="out-of-memory",
        )
    return StoreError("Le moteur de données a échoué sur cette version.", code="engine-error")


def _execute(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any]
) -> duckdb.DuckDBPyConnection:
    try:
        return con.execute(sql, params)
    except duckdb.Error as error:
        raise _engine_error(error) from error


def _fetchone(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any]
) -> tuple[Any, ...]:
    try:
        row = con.execute(sql, params).fetchone()
    except duckdb.Error as error:
        raise _engine_error(error) from error
    assert row is not None
    return tuple(row)


def _fetchall(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] | dict[str, Any]
) -> list[tuple[Any, ...]]:
    try:
        return [tuple(row) for row in con.execute(sql, params).fetchall()]
    except duckdb.Error as error:
        raise _engine_error(error) from error


def _fetchmany(cursor: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    try:
        return [tuple(row) for row in cursor.fetchmany(FETCH_SIZE)]
    except duckdb.Error as error:
        raise _engine_error(error) from error


def _write_json(path: Path, data: Any) -> None:
    """Writes a JSON file atomically (readers see the old file or the new one, and two writers
    do not share a temporary file)."""
    part = path.with_name(f"{path.name}.{os.getpid()}.{threading.get_ident()}.part")
    try:
        with part.open("w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False, indent=1)
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
