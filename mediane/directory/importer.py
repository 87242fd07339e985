"""Import of organisations from a CSV or XLSX file, with a report by row and column.

Used by `mediane import-organisations FILE` and reusable by an upload page: `import_organisations`
reads the file, validates every row with the same rules as the forms and the API
(`inputs.validate_organisation`), finds duplicates (within the file and against the directory,
by SIRET, NEQ, or normalised name + territory), then writes all rows in one transaction — or
nothing at all when any row is invalid, unless `valid_only=True`.

Columns (header names, case-insensitive; French aliases accepted): see docs/cli.md.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from charset_normalizer import from_bytes
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from mediane.core.errors import MedianeError
from mediane.core.models import Visibility
from mediane.core.permissions import require
from mediane.directory.inputs import OrganisationInput, validate_organisation
from mediane.directory.models import Organisation, OrganisationKind, Sector
from mediane.directory.sanitize import clean_text
from mediane.territories.models import Kind, Territory

COLUMNS = [
    "name",
    "kind",
    "country",
    "siren",
    "siret",
    "neq",
    "territory_code",
    "website",
    "email",
    "sectors",
    "summary",
    "description",
    "visibility",
    "latitude",
    "longitude",
]
REQUIRED_COLUMNS = ["name", "kind", "country"]
ALIASES = {
    "nom": "name",
    "type": "kind",
    "pays": "country",
    "territoire": "territory_code",
    "code_territoire": "territory_code",
    "code_insee": "territory_code",
    "territory": "territory_code",
    "site": "website",
    "site_web": "website",
    "courriel": "email",
    "e-mail": "email",
    "contact_email": "email",
    "secteurs": "sectors",
    "accroche": "summary",
    "visibilite": "visibility",
    "visibilité": "visibility",
}
# Field of OrganisationInput / validation error key -> column of the file.
FIELD_COLUMNS = {"territory": "territory_code", "contact_email": "email"}


class ImportFileError(MedianeError):
    """The file as a whole cannot be read (format, encoding, size, header)."""

    code = "import_file_error"


@dataclass
class Issue:
    row: int  # line of the file, the header being line 1
    column: str
    message: str
    level: str = "error"  # error, duplicate, warning


@dataclass
class ImportReport:
    rows: int = 0
    valid: int = 0
    written: int = 0
    dry_run: bool = False
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level in ("error", "duplicate")]

    @property
    def rejected_rows(self) -> int:
        return len({i.row for i in self.errors})

    def write_csv(self, target: IO[str]) -> None:
        writer = csv.writer(target)
        writer.writerow([_("ligne"), _("colonne"), _("niveau"), _("message")])
        for issue in self.issues:
            writer.writerow([issue.row, issue.column, issue.level, issue.message])


# --- Reading -----------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:200_000]).best()
    if best is None or best.encoding is None:
        raise ImportFileError(_("Encodage du fichier non reconnu : enregistrez-le en UTF-8."))
    try:
        return data.decode(best.encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportFileError(
            _("Encodage du fichier non reconnu : enregistrez-le en UTF-8.")
        ) from exc


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode(data)
    if "\x00" in text:
        raise ImportFileError(_("Le fichier n'est pas un CSV lisible (caractères binaires)."))
    # The delimiter is the candidate found most often in the header line (more reliable than
    # csv.Sniffer on rows holding HTML, URLs or free text); the sniffer only breaks ties.
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    counts = {d: first_line.count(d) for d in (";", ",", "\t", "|")}
    delimiter = max(counts, key=lambda d: counts[d])
    if counts[delimiter] == 0:
        try:
            delimiter = csv.Sniffer().sniff(text[:20_000], delimiters=",;\t|").delimiter
        except csv.Error:
            delimiter = ","

    class dialect(csv.excel):
        pass

    dialect.delimiter = delimiter
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        yield from reader
    except csv.Error as exc:
        raise ImportFileError(
            _("CSV mal formé à la ligne %(line)s : %(error)s")
            % {"line": reader.line_num, "error": exc}
        ) from exc


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    from openpyxl import load_workbook

    # openpyxl raises many kinds of errors on a broken workbook (zip, XML, missing parts), while
    # opening it and while reading its rows: all of them mean an unreadable file.
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(_("Le fichier XLSX est illisible.")) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception as exc:
                raise ImportFileError(_("Le fichier XLSX est illisible.")) from exc
            yield [_cell(v) for v in row]
    except IndexError as exc:  # a workbook without any sheet
        raise ImportFileError(_("Le fichier XLSX est illisible.")) from exc
    finally:
        workbook.close()


def read_table(
    source: str | Path | IO[bytes], *, filename: str | None = None
) -> Iterator[list[str]]:
    """Rows of a CSV or XLSX file as lists of strings (format chosen by the file name)."""
    name = filename or (
        str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
    )
    extension = Path(name or "").suffix.lower()
    if extension not in (".csv", ".txt", ".xlsx"):
        raise ImportFileError(
            _("Format de fichier non reconnu (%(ext)s) : CSV ou XLSX attendu.")
            % {"ext": extension or _("sans extension")}
        )
    limit = settings.IMPORT_MAX_BYTES
    if isinstance(source, str | Path):
        try:
            with open(source, "rb") as handle:
                data = handle.read(limit + 1)
        except OSError as exc:
            raise ImportFileError(_("Fichier illisible : %(name)s.") % {"name": name}) from exc
    else:
        data = source.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(
            _("Le fichier est trop volumineux (%(max)s Mo au maximum).")
            % {"max": limit // (1024 * 1024)}
        )
    if not data.strip():
        raise ImportFileError(_("Le fichier est vide."))
    return _xlsx_rows(data) if extension == ".xlsx" else _csv_rows(data)


def _header(row: list[str]) -> tuple[list[str], list[Issue]]:
    names, issues = [], []
    for index, raw in enumerate(row):
        key = clean_text(raw).lower().replace(" ", "_")
        key = ALIASES.get(key, key)
        if key and key not in COLUMNS:
            issues.append(Issue(1, raw, _("Colonne inconnue, ignorée."), "warning"))
        names.append(key if key in COLUMNS else f"_ignored_{index}")
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise ImportFileError(
            _("Colonnes obligatoires absentes : %(columns)s.") % {"columns": ", ".join(missing)}
        )
    return names, issues


# --- Validation --------------------------------------------------------------------------------


def normalise_name(name: str) -> str:
    """Case-, accent- and space-insensitive form of a name, for duplicate detection."""
    text = unicodedata.normalize("NFKD", name.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


class _Lookups:
    """Territories, sectors and kinds of the file, loaded in a few queries."""

    def __init__(self, records: list[tuple[int, dict[str, str]]]) -> None:
        codes = {r.get("territory_code", "").strip() for _n, r in records} - {""}
        self.territories: dict[tuple[str, str], Territory] = {}
        order: dict[str, int] = {
            Kind.MUNICIPALITY: 0,
            Kind.GROUPING: 1,
            Kind.DEPARTEMENT: 2,
            Kind.REGION: 3,
        }
        found: list[Territory] = []
        code_list = sorted(codes)
        for start in range(0, len(code_list), 500):
            found += Territory.objects.filter(code__in=code_list[start : start + 500])
        for territory in sorted(found, key=lambda t: order.get(t.kind, 9), reverse=True):
            self.territories[(territory.country, territory.code)] = territory
        self.by_id = {t.pk: t for t in self.territories.values()}
        self.sectors: dict[str, str] = {}
        for sector in Sector.objects.all():
            for key in (sector.slug, sector.name, sector.name_en):
                if key:
                    self.sectors[normalise_name(key)] = sector.slug
        self.kinds: dict[str, str] = {}
        for value, label in OrganisationKind.choices:
            self.kinds[normalise_name(value)] = value
            self.kinds[normalise_name(str(label))] = value
        self.visibilities = {normalise_name(v): v for v in Visibility.values}
        for value, label in Visibility.choices:
            self.visibilities[normalise_name(str(label))] = value


def _row_input(record: dict[str, str], lookups: _Lookups, issues: list[Issue], row: int):  # type: ignore[no-untyped-def]
    country = clean_text(record.get("country")).upper()
    country = {"FRANCE": "FR", "QUEBEC": "QC", "QUÉBEC": "QC", "CA": "QC"}.get(country, country)
    territory_id = None
    code = clean_text(record.get("territory_code"))
    if code:
        territory = lookups.territories.get((country, code))
        if territory is None:
            issues.append(
                Issue(
                    row,
                    "territory_code",
                    _(
                        "Territoire inconnu : « %(code)s » (code INSEE "
                        "ou code géographique du Québec attendu)."
                    )
                    % {"code": code},
                )
            )
        else:
            territory_id = territory.pk
    slugs = []
    for part in re.split(r"[;|,]", record.get("sectors") or ""):
        if not part.strip():
            continue
        slug = lookups.sectors.get(normalise_name(part))
        if slug is None:
            issues.append(
                Issue(
                    row,
                    "sectors",
                    _("Secteur inconnu : « %(value)s ».") % {"value": clean_text(part)},
                )
            )
        else:
            slugs.append(slug)
    latitude = _number(record, "latitude", issues, row)
    longitude = _number(record, "longitude", issues, row)
    if any(i.column in ("latitude", "longitude") for i in issues):
        latitude = longitude = None  # the pair is checked once both cells hold numbers
    kind_raw = clean_text(record.get("kind"))
    visibility_raw = clean_text(record.get("visibility"))
    return OrganisationInput(
        name=record.get("name", ""),
        kind=lookups.kinds.get(normalise_name(kind_raw), kind_raw),
        country=country,
        siren=record.get("siren", ""),
        siret=record.get("siret", ""),
        neq=record.get("neq", ""),
        territory_id=territory_id,
        latitude=latitude,
        longitude=longitude,
        website=record.get("website", ""),
        summary=record.get("summary", ""),
        description=record.get("description", ""),
        contact_email=record.get("email", ""),
        visibility=_or_default(
            lookups.visibilities.get(normalise_name(visibility_raw)), visibility_raw
        ),
        sector_slugs=slugs,
    )


def _number(record: dict[str, str], column: str, issues: list[Issue], row: int) -> float | None:
    """A decimal cell (comma or point) as a float; an issue on the row when it is not a number.

    Bounds are checked afterwards by `validate_organisation`, like for the forms and the API.
    """
    raw = clean_text(record.get(column))
    if not raw:
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        issues.append(Issue(row, column, _("Nombre attendu.")))
        return None


def _or_default(value: str | None, default: str) -> str:
    return value if value is not None else (default or Visibility.PUBLIC)


def _existing_duplicates(cleans: dict[int, Any]) -> dict[str, dict[Any, str]]:
    """Existing organisations sharing a SIRET, a NEQ, or a normalised name + territory."""
    sirets = sorted({c.values["siret"] for c in cleans.values() if c.values["siret"]})
    neqs = sorted({c.values["neq"] for c in cleans.values() if c.values["neq"]})
    result: dict[str, dict[Any, str]] = {"siret": {}, "neq": {}, "name": {}}
    for name, values in (("siret", sirets), ("neq", neqs)):
        for start in range(0, len(values), 500):
            rows = Organisation.objects.filter(**{f"{name}__in": values[start : start + 500]})
            result[name].update(rows.values_list(name, "name"))
    territory_ids = sorted(
        {c.values["territory"].pk for c in cleans.values() if c.values["territory"]}
    )
    for start in range(0, len(territory_ids), 500):
        rows = Organisation.objects.filter(territory_id__in=territory_ids[start : start + 500])
        for org_name, territory_id in rows.values_list("name", "territory_id"):
            result["name"][(normalise_name(org_name), territory_id)] = org_name
    names = sorted({c.values["name"] for c in cleans.values() if c.values["territory"] is None})
    for start in range(0, len(names), 500):
        rows = Organisation.objects.filter(territory=None, name__in=names[start : start + 500])
        for org_name in rows.values_list("name", flat=True):
            result["name"][(normalise_name(org_name), None)] = org_name
    return result


def _find_duplicates(cleans: dict[int, Any], issues: list[Issue]) -> set[int]:
    """Rows repeating an organisation of the directory or an earlier row of the file."""
    existing = _existing_duplicates(cleans)
    seen: dict[tuple[str, Any], int] = {}
    duplicates: set[int] = set()
    for row, clean in cleans.items():
        v = clean.values
        territory_id = v["territory"].pk if v["territory"] else None
        keys = [
            ("siret", v["siret"]),
            ("neq", v["neq"]),
            ("name", (normalise_name(v["name"]), territory_id)),
        ]
        keys = [(kind, key) for kind, key in keys if key]
        for kind, key in keys:
            by = _("même nom et même territoire") if kind == "name" else kind.upper()
            if key in existing[kind]:
                message = _("Doublon : « %(name)s » existe déjà dans l'annuaire (%(by)s).") % {
                    "name": existing[kind][key],
                    "by": by,
                }
            elif (kind, key) in seen:
                message = _("Doublon de la ligne %(row)s (%(by)s).") % {
                    "row": seen[(kind, key)],
                    "by": by,
                }
            else:
                continue
            issues.append(Issue(row, kind, message, "duplicate"))
            duplicates.add(row)
            break
        if row not in duplicates:
            for kind, key in keys:
                seen.setdefault((kind, key), row)
    return duplicates


# --- Import ------------------------------------------------------------------------------------


def import_organisations(
    source: str | Path | IO[bytes],
    *,
    filename: str | None = None,
    valid_only: bool = False,
    dry_run: bool = False,
    actor: Any = None,
    progress: Callable[[int], object] | None = None,
) -> ImportReport:
    """Validate the file, then write its organisations (all or nothing unless `valid_only`).

    `actor` is the user importing from a web page (permission checked); None for the CLI.
    Raises ImportFileError when the file itself cannot be read.
    """
    from mediane.directory.services import directory_changed, organisation_write_new

    if actor is not None:
        require(actor, "create", Organisation)
    report = ImportReport(dry_run=dry_run)
    rows = read_table(source, filename=filename)
    name = filename or (
        str(source) if isinstance(source, str | Path) else getattr(source, "name", "")
    )
    is_xlsx = Path(name or "").suffix.lower() == ".xlsx"
    header_row = next((r for r in rows if any(c.strip() for c in r)), None)
    if header_row is None:
        raise ImportFileError(_("Le fichier est vide."))
    names, report.issues = _header(header_row)
    records: list[tuple[int, dict[str, str]]] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if is_xlsx:  # spreadsheets leave trailing empty cells out
            row = row + [""] * (len(names) - len(row))
        if len(row) != len(names) and (
            len(row) < len(names) or any(cell.strip() for cell in row[len(names) :])
        ):
            report.issues.append(
                Issue(
                    number,
                    "",
                    _("La ligne a %(n)s colonnes au lieu de %(m)s.")
                    % {"n": len(row), "m": len(names)},
                )
            )
            records.append((number, {}))
            continue
        records.append((number, dict(zip(names, row, strict=False))))
    if not records:
        raise ImportFileError(_("Le fichier ne contient aucune ligne de données."))
    report.rows = len(records)
    lookups = _Lookups([r for r in records if r[1]])
    cleans: dict[int, Any] = {}
    invalid: set[int] = {i.row for i in report.issues if i.level == "error"}
    for number, record in records:
        if number in invalid:
            continue
        row_issues: list[Issue] = []
        data = _row_input(record, lookups, row_issues, number)
        clean, errors = validate_organisation(data, territories=lookups.by_id)
        for name, messages in errors.items():
            column = FIELD_COLUMNS.get(name, name)
            if column in ("territory_code", "sectors") and any(
                i.column == column for i in row_issues
            ):
                continue  # already reported with the value
            row_issues += [Issue(number, column, message) for message in messages]
        if row_issues:
            report.issues += row_issues
            invalid.add(number)
        elif clean is not None:
            cleans[number] = clean
    invalid |= _find_duplicates(cleans, report.issues)
    to_write = [(n, c) for n, c in cleans.items() if n not in invalid]
    report.valid = len(to_write)
    report.issues.sort(key=lambda i: (i.row, i.column))
    if dry_run or (report.errors and not valid_only) or not to_write:
        return report
    try:
        with transaction.atomic():
            for _number, clean in to_write:
                organisation_write_new(actor=actor, clean=clean, audit_action="import")
                report.written += 1
                if progress is not None:
                    progress(1)
    except IntegrityError as exc:  # a concurrent writer took an identifier: nothing is kept
        report.written = 0
        report.issues.append(
            Issue(
                0,
                "",
                _("Écriture annulée : conflit avec une modification concurrente (%(error)s).")
                % {"error": exc},
            )
        )
        return report
    transaction.on_commit(directory_changed)
    directory_changed()
    return report
