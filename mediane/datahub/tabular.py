"""Streaming reading of the tables the cities upload: CSV, XLSX and ODS.

`open_table(path)` looks at the *content* of the file (never at its name), picks the reader and
returns a `TableSource`: its `header`, then `rows()` as lists of texts, one row at a time, so that
a 200 MB file is read with a memory independent of its size. Anything unreadable raises a
`TabularError` with a stable English `code` and a French `message` telling the user what to do;
no parser exception escapes.

Row numbers follow frictionless: the header is row 1, the first data row is row 2, and the n-th
list yielded by `rows()` is row n + 1 (`TableSource.row_number` holds the number of the last row
yielded). In a CSV a row is a record: a quoted cell holding line breaks makes a row span several
lines of the file, so rows and lines may differ (`TableSource.line_number` gives the line).

Cells are texts as in the file: no trimming, "" for an empty cell, formula-looking texts kept as
they are (escaping them is the export's job). CSV rows are yielded as they are, ragged or blank
(`[]` for an empty line), for the validator to report. A spreadsheet is a grid: its rows are padded
with "" to the width of the header, the empty cells beyond are dropped, and the empty rows at the
end of the sheet are skipped. Spreadsheet values become text in ISO form: dates `YYYY-MM-DD`,
date-times `YYYY-MM-DDTHH:MM:SS`, integers without ".0", decimals without float noise
(15 significant digits, as the spreadsheet shows them), booleans `true`/`false`. Only the first
sheet of a workbook is read.

Memory: CSV is decoded and parsed line by line; a line (or a record spanning several lines) is
never longer than `max_cell_bytes`, checked *before* it is held whole. XLSX is read with openpyxl
in read-only mode, which streams the sheet XML but holds the shared-strings table in memory (the
distinct texts of the workbook); it is slow (a few thousand rows of 16 columns per second).
ODS is read with python-calamine: `iter_rows()` converts rows to Python lazily, but calamine
parses the whole `content.xml` (every sheet) into Rust memory when the workbook is opened, so
memory grows with the number of cells (about 150 bytes a cell); the uncompressed XML parts held
in memory are therefore capped (`MAX_XML_BYTES`) against zip bombs.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Generator, Iterator
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import IO, Any

__all__ = ["FORMATS", "MAX_XML_BYTES", "TableSource", "TabularError", "cell_text", "open_table"]

FORMATS = ("csv", "xlsx", "ods")
SAMPLE_BYTES = 64 * 1024
SNIFF_LINES = 100
DELIMITERS = ",;\t|"
# Uncompressed size allowed for the XML parts a spreadsheet reader holds in memory (the shared
# strings of an XLSX, the content of an ODS, which takes about 1.6 times its size in memory):
# a guard against zip bombs.
MAX_XML_BYTES = 400_000_000
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "un document PDF"),
    (b"\x89PNG", "une image PNG"),
    (b"\xff\xd8\xff", "une image JPEG"),
    (b"GIF8", "une image GIF"),
    (b"\x1f\x8b", "une archive gzip"),
    (b"7z\xbc\xaf\x27\x1c", "une archive 7-Zip"),
    (b"Rar!", "une archive RAR"),
    (b"BZh", "une archive bzip2"),
    (b"\x7fELF", "un programme"),
    (b"MZ", "un programme"),
)
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
# Control bytes that never appear in a text table (tab, line feed, form feed and carriage
# return aside).
_CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})
_LATIN_ENCODINGS = {
    "cp1252",
    "latin_1",
    "iso8859_15",
    "iso8859_9",
    "cp1250",
    "iso8859_2",
    "iso8859_3",
    "iso8859_4",
    "iso8859_10",
    "iso8859_13",
    "iso8859_14",
    "iso8859_16",
    "mac_roman",
    "mac_iceland",
    "mac_latin2",
    "cp850",
    "cp437",
}


class TabularError(Exception):
    """A file that cannot be read as a table.

    `code` is stable English ("empty", "binary", "encoding", "line-too-long", "too-many-columns",
    "too-large", "unreadable-spreadsheet", "no-header", "malformed-csv"); `message` is French and
    says what to do; `line` is the line (CSV) or row (spreadsheet) concerned, when there is one.
    """

    def __init__(self, code: str, message: str, *, line: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.line = line

    def __str__(self) -> str:
        return self.message


# --- Decoding -------------------------------------------------------------------------------


def _utf8_fallback(error: UnicodeError) -> tuple[str, int]:
    """Decode the bytes that are not UTF-8 as Windows-1252 (a file whose first 64 KB are
    ASCII and whose accents further down are in Windows-1252, or a stray byte)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    chunk = error.object[error.start : error.end]
    return chunk.decode("cp1252", errors="_mediane_latin1"), error.end


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """The five bytes Windows-1252 leaves undefined are read as Latin-1 (control characters)."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error("_mediane_latin1", _latin1_fallback)
codecs.register_error("_mediane_utf8", _utf8_fallback)


def _decode_errors(encoding: str) -> str:
    if encoding in ("utf-8", "utf-8-sig"):
        return "_mediane_utf8"
    if encoding == "cp1252":
        return "_mediane_latin1"
    return "strict"


# --- Spreadsheet values -----------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A spreadsheet value as text, in ISO form (see the module docstring)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value.is_integer() and abs(value) < 1e21:
            return str(int(value))
        text = format(value, ".15g")
        if "e" in text:
            text = format(Decimal(text), "f")
        return text
    if isinstance(value, dt.datetime):
        if value.hour == value.minute == value.second == value.microsecond == 0:
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return _iso_duration(value)
    return str(value)


def _iso_duration(value: dt.timedelta) -> str:
    seconds = value.total_seconds()
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{sign}P{int(days)}D" if days else f"{sign}P"
    text += f"T{int(hours)}H{int(minutes)}M{cell_text(round(secs, 6))}S"
    return text


# --- Messages -------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    value = size / 1_000_000
    text = f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", ",")
    return f"{text} Mo"


def _quote(name: str) -> str:
    return f"« {name} »"


def _binary_error(name: str, kind: str | None = None) -> TabularError:
    what = f" ({kind})" if kind else ""
    return TabularError(
        "binary",
        f"Le fichier {_quote(name)} n'est pas un tableau lisible : il semble s'agir d'un fichier "
        f"binaire{what}. Enregistrez vos données au format CSV (UTF-8), XLSX ou ODS depuis votre "
        "tableur, puis déposez-les à nouveau.",
    )


def _empty_error(name: str) -> TabularError:
    return TabularError(
        "empty",
        f"Le fichier {_quote(name)} est vide. Vérifiez que vous avez déposé le bon fichier : il "
        "doit contenir une ligne d'en-tête (les noms des colonnes) puis les données.",
    )


def _no_header_error(name: str) -> TabularError:
    return TabularError(
        "no-header",
        f"La première ligne du fichier {_quote(name)} est vide alors qu'elle doit contenir les "
        "noms des colonnes. Supprimez les lignes vides ou de titre situées au-dessus de l'en-tête, "
        "puis déposez le fichier à nouveau.",
        line=1,
    )


def _unreadable_spreadsheet(name: str, detail: str = "") -> TabularError:
    why = f" ({detail})" if detail else ""
    return TabularError(
        "unreadable-spreadsheet",
        f"Le classeur {_quote(name)} n'a pas pu être lu{why} : il est peut-être endommagé, "
        "incomplet ou protégé par un mot de passe. Ouvrez-le dans votre tableur, enregistrez-le à "
        "nouveau (sans mot de passe) au format XLSX, ODS ou CSV, puis déposez-le.",
    )


def _too_many_columns(name: str, count: int, limit: int, line: int) -> TabularError:
    return TabularError(
        "too-many-columns",
        f"La ligne {line} du fichier {_quote(name)} compte {count} colonnes, au-delà du maximum "
        f"de {limit}. Vérifiez que le séparateur de colonnes est le bon et que le fichier ne "
        "contient pas de colonnes vides superflues.",
        line=line,
    )


# --- Table source ---------------------------------------------------------------------------


class TableSource:
    """An opened table: `format`, `encoding` and `delimiter` (CSV only, else None), `header`,
    `rows()`, and the progress of the reading (`bytes_total`, `bytes_read()`, `progress()`).

    Use it as a context manager (or call `close()`). Each call to `rows()` starts again from the
    first data row; `row_number` is the number of the last row yielded (header = 1).
    """

    format: str = ""
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def __init__(self, path: Path, name: str, *, max_cell_bytes: int, max_columns: int) -> None:
        self.path = path
        self.name = name
        self.max_cell_bytes = max_cell_bytes
        self.max_columns = max_columns
        self.bytes_total = path.stat().st_size
        self.header: list[str] = []
        self.row_number = 1
        self.line_number = 1
        self._closers: list[Callable[[], Any]] = []

    def rows(self) -> Iterator[list[str]]:
        raise NotImplementedError

    def bytes_read(self) -> int:
        """Bytes of the file read so far (an estimate for spreadsheets)."""
        return 0

    def progress(self) -> float:
        """Share of the file read so far, from 0 to 1."""
        if not self.bytes_total:
            return 1.0
        return min(1.0, self.bytes_read() / self.bytes_total)

    def close(self) -> None:
        while self._closers:
            closer = self._closers.pop()
            try:
                closer()
            except Exception:  # noqa: S112 - closing is best effort
                continue

    def __enter__(self) -> TableSource:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<TableSource {self.format} {self.name!r} {len(self.header)} columns>"


# --- CSV ------------------------------------------------------------------------------------


class _CsvSource(TableSource):
    format = "csv"

    def __init__(
        self,
        path: Path,
        name: str,
        *,
        encoding: str,
        sample: str,
        max_cell_bytes: int,
        max_columns: int,
    ) -> None:
        super().__init__(path, name, max_cell_bytes=max_cell_bytes, max_columns=max_columns)
        self.encoding = encoding
        self._dialect = _sniff_dialect(sample)
        self.delimiter = self._dialect.delimiter
        self._raw: IO[bytes] | None = None
        self._done = False
        if csv.field_size_limit() <= max_cell_bytes:
            # Our own limit is enforced line by line, before the csv module sees the text.
            csv.field_size_limit(max_cell_bytes + 1)
        records = self._records()
        try:
            header = next(records, None)
        finally:
            records.close()
        if header is None or not any(cell.strip() for cell in header):
            raise _no_header_error(name)
        self.header = header

    def bytes_read(self) -> int:
        raw = self._raw
        if raw is None or raw.closed:
            return self.bytes_total if self._done else 0
        try:
            return raw.tell()
        except (OSError, ValueError):
            return 0

    def rows(self) -> Iterator[list[str]]:
        records = self._records()
        self._closers.append(records.close)
        next(records, None)  # the header
        self.row_number = 1
        self._done = False
        for row in records:
            self.row_number += 1
            yield row
        self._done = True

    def _records(self) -> Generator[list[str], None, None]:
        """Every record of the file, header included, with the limits enforced."""
        limit = self.max_cell_bytes
        max_columns = self.max_columns
        name = self.name
        encoding = self.encoding or "utf-8"
        # (physical lines read, first line of the current record, characters of the record)
        state = [0, 1, 0]

        def too_long(line: int, multiline: bool) -> TabularError:
            hint = (
                " Un guillemet (\") ouvert et jamais refermé fait souvent d'une grande partie du "
                "fichier une seule cellule : vérifiez les guillemets à partir de cette ligne."
                if multiline
                else " Vérifiez que le fichier est bien un tableau (une ligne par enregistrement)."
            )
            return TabularError(
                "line-too-long",
                f"La ligne {line} du fichier {_quote(name)} dépasse la taille maximale "
                f"autorisée ({_megabytes(limit)}).{hint}",
                line=line,
            )

        def lines(text: IO[str]) -> Iterator[str]:
            readline = text.readline
            quarter = limit // 4
            while True:
                line = readline(limit + 1)
                if not line:
                    return
                state[0] += 1
                size = len(line)
                if size > quarter:
                    size = len(line.encode(encoding, errors="replace"))
                state[2] += size
                if state[2] > limit:
                    raise too_long(state[1], state[0] > state[1])
                yield line

        raw = open(self.path, "rb")  # noqa: SIM115 - closed in the finally clause below
        self._raw = raw
        try:
            text = io.TextIOWrapper(
                raw, encoding=encoding, errors=_decode_errors(encoding), newline=""
            )
            reader = csv.reader(lines(text), self._dialect)
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except UnicodeDecodeError as error:
                    line = state[0] + 1
                    raise TabularError(
                        "encoding",
                        f"Le fichier {_quote(name)} contient des caractères illisibles vers la "
                        f"ligne {line} (encodage détecté : {encoding}). Enregistrez-le au format "
                        "« CSV UTF-8 » depuis votre tableur, puis déposez-le à nouveau.",
                        line=line,
                    ) from error
                except csv.Error as error:
                    raise TabularError(
                        "malformed-csv",
                        f"Le fichier {_quote(name)} n'a pas pu être lu comme un tableau CSV à la "
                        f"ligne {state[0]} ({error}). Enregistrez-le à nouveau au format CSV "
                        "depuis votre tableur, puis déposez-le.",
                        line=state[0],
                    ) from error
                self.line_number = state[1]
                if len(cells) > max_columns:
                    raise _too_many_columns(name, len(cells), max_columns, state[1])
                state[1] = state[0] + 1
                state[2] = 0
                yield cells
        finally:
            raw.close()


def _sniff_dialect(sample: str) -> type[csv.Dialect]:
    """The delimiter among `,;<tab>|` (csv.Sniffer on the first lines, as frictionless does,
    checked against the header line), with a double quote as quote character."""
    lines = sample.splitlines(keepends=True)[:SNIFF_LINES]
    text = "".join(lines)
    first = lines[0] if lines else ""
    delimiter = None
    skip_initial_space = False
    try:
        sniffed = csv.Sniffer().sniff(text, DELIMITERS)
        if sniffed.delimiter in DELIMITERS and sniffed.delimiter in first:
            delimiter = sniffed.delimiter
            skip_initial_space = bool(sniffed.skipinitialspace)
    except csv.Error:
        pass
    if delimiter is None:
        unquoted = re.sub(r'"[^"]*"', "", first)
        counts = {candidate: unquoted.count(candidate) for candidate in DELIMITERS}
        best = max(counts, key=lambda candidate: counts[candidate])
        delimiter = best if counts[best] else ","

    class Dialect(csv.Dialect):
        quotechar = '"'
        doublequote = True
        escapechar = None
        lineterminator = "\r\n"
        quoting = csv.QUOTE_MINIMAL
        strict = False

    Dialect.delimiter = delimiter
    Dialect.skipinitialspace = skip_initial_space
    return Dialect


# --- Spreadsheets ---------------------------------------------------------------------------


class _SpreadsheetSource(TableSource):
    """Common grid handling: header trimmed of its trailing empty cells, rows padded to it."""

    _estimated_rows: int | None = None

    def _raw_rows(self) -> Generator[Any, None, None]:
        raise NotImplementedError

    def _open_header(self) -> None:
        raw_rows = self._raw_rows()
        try:
            first = next(raw_rows, None)
        except TabularError:
            raise
        except Exception as error:
            raise _unreadable_spreadsheet(self.name) from error
        finally:
            raw_rows.close()
        if first is None:
            raise _empty_error(self.name)
        header = _trim(first)
        if not any(label.strip() for label in header):
            raise _no_header_error(self.name)
        if len(header) > self.max_columns:
            raise _too_many_columns(self.name, len(header), self.max_columns, 1)
        self.header = header

    def bytes_read(self) -> int:
        if self.row_number <= 1:
            return 0
        estimated = self._estimated_rows
        if not estimated:
            return 0
        return int(self.bytes_total * min(1.0, self.row_number / estimated))

    def rows(self) -> Iterator[list[str]]:
        width = len(self.header)
        max_columns = self.max_columns
        self.row_number = 1
        pending_blank = 0
        raw_rows = self._raw_rows()
        try:
            next(raw_rows, None)  # the header
            number = 1
            while True:
                try:
                    values = next(raw_rows)
                except StopIteration:
                    break
                except TabularError:
                    raise
                except Exception as error:
                    raise _unreadable_spreadsheet(self.name, f"ligne {number + 1}") from error
                number += 1
                cells = _trim(values)
                if not cells:
                    pending_blank += 1
                    continue
                if len(cells) > max_columns:
                    raise _too_many_columns(self.name, len(cells), max_columns, number)
                while pending_blank:
                    pending_blank -= 1
                    self.row_number += 1
                    self.line_number = self.row_number
                    yield [""] * width
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
                self.row_number += 1
                self.line_number = self.row_number
                yield cells
        finally:
            raw_rows.close()
        self._estimated_rows = self.row_number


def _trim(values: Any) -> list[str]:
    """Texts of a spreadsheet row, without the empty cells at its end."""
    cells = [cell_text(value) for value in values]
    end = len(cells)
    while end and cells[end - 1] == "":
        end -= 1
    del cells[end:]
    return cells


class _XlsxSource(_SpreadsheetSource):
    format = "xlsx"

    def __init__(self, path: Path, name: str, *, max_cell_bytes: int, max_columns: int) -> None:
        super().__init__(path, name, max_cell_bytes=max_cell_bytes, max_columns=max_columns)
        import openpyxl

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:
            raise _unreadable_spreadsheet(name) from error
        self._closers.append(workbook.close)
        sheets = workbook.worksheets
        if not sheets:
            self.close()
            raise _empty_error(name)
        sheet = sheets[0]
        self.sheet = sheet.title
        try:
            self._estimated_rows = sheet.max_row
        except Exception:
            self._estimated_rows = None
        # The dimensions some tools write are wrong: read the cells actually present.
        sheet.reset_dimensions()
        self._sheet = sheet
        try:
            self._open_header()
        except TabularError:
            self.close()
            raise

    def _raw_rows(self) -> Generator[Any, None, None]:
        yield from self._sheet.iter_rows(values_only=True)


class _OdsSource(_SpreadsheetSource):
    format = "ods"

    def __init__(self, path: Path, name: str, *, max_cell_bytes: int, max_columns: int) -> None:
        super().__init__(path, name, max_cell_bytes=max_cell_bytes, max_columns=max_columns)
        import python_calamine

        try:
            workbook = python_calamine.CalamineWorkbook.from_path(str(path))
            sheet = workbook.get_sheet_by_index(0)
        except Exception as error:
            raise _unreadable_spreadsheet(name) from error
        self._closers.append(workbook.close)
        self.sheet = sheet.name
        self._sheet = sheet
        end = sheet.end
        self._estimated_rows = end[0] + 1 if end else None
        try:
            self._open_header()
        except TabularError:
            self.close()
            raise

    def _raw_rows(self) -> Generator[Any, None, None]:
        # calamine 0.9 yields the rows from the first row of the sheet, but the columns from the
        # first non-empty one: put the empty columns back so that positions are the sheet's.
        start = self._sheet.start
        if start is None:
            return
        offset: list[Any] = [""] * start[1]
        for values in self._sheet.iter_rows():
            yield [*offset, *values] if offset else values


# --- Opening --------------------------------------------------------------------------------


def open_table(
    path: str | os.PathLike[str],
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_cell_bytes: int = 1_000_000,
    max_columns: int = 2000,
) -> TableSource:
    """Open a CSV, XLSX or ODS file, recognised by its content, and read its header.

    `filename` is the name the user gave the file (shown in messages; the format never depends
    on it). Raises `TabularError` when the file cannot be read as a table.
    """
    file_path = Path(path)
    name = filename or file_path.name
    try:
        size = file_path.stat().st_size
        with open(file_path, "rb") as handle:
            head = handle.read(SAMPLE_BYTES)
    except OSError as error:
        raise TabularError(
            "unreadable",
            f"Le fichier {_quote(name)} n'a pas pu être ouvert. Déposez-le à nouveau.",
        ) from error
    if max_bytes is not None and size > max_bytes:
        raise TabularError(
            "too-large",
            f"Le fichier {_quote(name)} pèse {_megabytes(size)}, au-delà de la limite de "
            f"{_megabytes(max_bytes)}. Découpez-le en plusieurs fichiers ou retirez les colonnes "
            "inutiles, puis déposez-le à nouveau.",
        )
    if not head:
        raise _empty_error(name)
    options: dict[str, Any] = {"max_cell_bytes": max_cell_bytes, "max_columns": max_columns}

    if head.startswith(_ZIP):
        kind = _zip_kind(file_path, name)
        if kind == "ods":
            return _OdsSource(file_path, name, **options)
        return _XlsxSource(file_path, name, **options)
    if head.startswith(_OLE2):
        raise TabularError(
            "binary",
            f"Le fichier {_quote(name)} est au format Excel 97-2003 (.xls) ou protégé par un mot "
            "de passe. Ouvrez-le dans votre tableur et enregistrez-le au format XLSX (sans mot de "
            "passe), ODS ou CSV, puis déposez-le à nouveau.",
        )
    for signature, kind_name in _BINARY_SIGNATURES:
        if head.startswith(signature):
            raise _binary_error(name, kind_name)

    encoding = _detect_encoding(head, complete=size <= len(head), name=name)
    decoder = codecs.getincrementaldecoder(encoding)(errors=_decode_errors(encoding))
    try:
        sample = decoder.decode(head, final=size <= len(head))
    except UnicodeDecodeError as error:
        raise _binary_error(name) from error
    if not sample.strip() and _blank_file(file_path, encoding):
        raise _empty_error(name)
    return _CsvSource(file_path, name, encoding=encoding, sample=sample, **options)


def _zip_kind(path: Path, name: str) -> str:
    """ "ods" or "xlsx" for a zip file, else a TabularError."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").strip()
                if mimetype == ODS_MIMETYPE:
                    _check_xml_size(archive, "content.xml", name)
                    return "ods"
                raise _binary_error(name, "un document OpenDocument qui n'est pas un classeur")
            if "xl/workbook.xml" in names:
                _check_xml_size(archive, "xl/sharedStrings.xml", name)
                return "xlsx"
    except zipfile.BadZipFile as error:
        raise _unreadable_spreadsheet(name, "archive endommagée") from error
    except (OSError, RuntimeError, ValueError, NotImplementedError) as error:
        raise _unreadable_spreadsheet(name) from error
    raise _binary_error(name, "une archive zip qui n'est pas un classeur")


def _check_xml_size(archive: zipfile.ZipFile, member: str, name: str) -> None:
    try:
        info = archive.getinfo(member)
    except KeyError:
        return
    if info.file_size > MAX_XML_BYTES:
        raise TabularError(
            "too-large",
            f"Le classeur {_quote(name)} est trop volumineux une fois décompressé "
            f"({_megabytes(info.file_size)}). Enregistrez-le au format CSV, puis déposez-le à "
            "nouveau.",
        )


def _detect_encoding(head: bytes, *, complete: bool, name: str) -> str:
    """The encoding of a text file from its first bytes: the BOM, else UTF-8 when the bytes
    are UTF-8, else charset-normalizer's verdict (Windows-1252 for the Latin family)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise _binary_error(name)
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    if controls > max(2, len(head) // 100):
        raise _binary_error(name)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    import charset_normalizer

    matches = list(charset_normalizer.from_bytes(head))
    if not matches:
        raise _binary_error(name)
    if any(_latin(match.encoding) for match in matches):
        return "cp1252"
    # charset-normalizer's guesses on a few accented bytes are unreliable (Korean for "Été"):
    # follow it only for a text with enough non-ASCII bytes to tell its script, else take
    # Windows-1252, the usual encoding of a non-UTF-8 file in France and Québec.
    # Among equally plausible guesses, Windows code pages are the likely ones.
    windows = [match for match in matches if codecs.lookup(match.encoding).name[:5] == "cp125"]
    best = windows[0] if windows else matches[0]
    non_ascii = sum(1 for byte in head if byte > 127)
    if non_ascii >= 64 and best.chaos < 0.1:
        return codecs.lookup(best.encoding).name
    return "cp1252"


def _latin(encoding: str) -> bool:
    name = codecs.lookup(encoding).name.replace("-", "_")
    return name in _LATIN_ENCODINGS


def _blank_file(path: Path, encoding: str) -> bool:
    """Whether the whole file holds nothing but white space."""
    blank = b" \t\r\n\x0b\x0c"
    if encoding.startswith(("utf-16", "utf-32")):
        with open(path, encoding=encoding) as text:
            return all(not chunk.strip() for chunk in iter(lambda: text.read(1 << 20), ""))
    with open(path, "rb") as handle:
        first = True
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            if first and chunk.startswith(codecs.BOM_UTF8):
                chunk = chunk[len(codecs.BOM_UTF8) :]
            first = False
            if chunk.strip(blank):
                return False
    return True
