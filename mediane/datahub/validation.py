"""Validation of a table against a Table Schema, in one streaming pass.

`validate(header, rows, schema)` checks what `frictionless.validate` checks, with the same codes,
positions and semantics: the header is compared with frictionless's own `Header` (blank,
duplicate, missing, extra and incorrect labels; the schema's `fieldsMatch` is honoured) and each
cell is read by the cell reader of its frictionless `Field` (`field.create_cell_reader()`:
missing values, type-error, constraint-error for required, minimum/maximum, minLength/maxLength,
pattern, enum). What frictionless builds a `Row` object for is done here directly, which is
several times faster: extra-cell, missing-cell, blank-row, unique-error and primary-key.
Uniqueness keeps a set of 64-bit hashes of the values, not the values (a hash collision, about
one chance in 10^7 for a million distinct values, would report a false duplicate).

The SCDL schemas carry a `custom_checks` block that frictionless ignores; it is implemented here
(see `CUSTOM_CHECKS`): french-siret-value, one-of-required, year-interval-value,
cohesive-columns-value, compare-columns-value, sum-columns-value and nomenclature-actes-value.
A custom check skips the cells already reported by the schema (a SIRET that fails the pattern is
not reported twice) and the columns that are absent from the file or not labelled with the field's
name (the header errors report them). Other custom check names are listed in
`ValidationReport.skipped_checks`.

Errors beyond `max_errors` are counted (totals per code and per field, `summary_fr()`) but not
kept (`truncated`). Rows are numbered as in frictionless: the header is row 1, the first list of
`rows` is row 2. Messages are in French for non-specialists; `code` is the stable English key.
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

import frictionless
from frictionless.table import Header
from stdnum.fr import siret as stdnum_siret

from mediane.core.spreadsheet import neutralise

__all__ = [
    "CUSTOM_CHECKS",
    "SCHEMAS_DIR",
    "LoadedSchema",
    "SchemaError",
    "SchemaInfo",
    "ValidationIssue",
    "ValidationReport",
    "load_schema",
    "shipped_schemas",
    "validate",
    "validate_file",
]

SCHEMAS_DIR = Path(__file__).resolve().parent / "schemas"
CELL_DISPLAY_CHARS = 100
SUMMARY_ROWS = 10
PROGRESS_EVERY = 10_000
# Cell readers are pure functions of the text: remember the results for the repeated texts of a
# column (dates, enums, amounts), at most this many per column.
READ_CACHE_SIZE = 20_000
READ_CACHE_MAX_CHARS = 200

HEADER_CODES = (
    "blank-header",
    "blank-label",
    "duplicate-label",
    "missing-label",
    "extra-label",
    "incorrect-label",
    "unmatched-header",
)
CUSTOM_CHECKS = (
    "french-siret-value",
    "one-of-required",
    "year-interval-value",
    "cohesive-columns-value",
    "compare-columns-value",
    "sum-columns-value",
    "nomenclature-actes-value",
)
# The level-1 subjects of the ACTES nomenclature (contrôle de légalité).
ACTES_SUBJECTS = (
    "Commande publique",
    "Urbanisme",
    "Domaine et patrimoine",
    "Fonction publique",
    "Institutions et vie politique",
    "Libertés publiques et pouvoirs de police",
    "Finances locales",
    "Domaines de compétences par thèmes",
    "Autres domaines de compétences",
)
COMPARISONS: dict[str, tuple[Callable[[Any, Any], bool], str]] = {
    ">": (lambda a, b: a > b, "strictement supérieur à"),
    ">=": (lambda a, b: a >= b, "supérieur ou égal à"),
    "<": (lambda a, b: a < b, "strictement inférieur à"),
    "<=": (lambda a, b: a <= b, "inférieur ou égal à"),
    "==": (lambda a, b: a == b, "égal à"),
    "=": (lambda a, b: a == b, "égal à"),
    "!=": (lambda a, b: a != b, "différent de"),
}


# --- Schemas --------------------------------------------------------------------------------


class SchemaError(ValueError):
    """A schema that cannot be used: `code` is "unknown-schema" or "invalid-schema", `message`
    is French."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class SchemaInfo:
    """A schema shipped with Médiane (`mediane/datahub/schemas/<id>/<version>/schema.json`)."""

    id: str
    version: str
    title: str
    path: Path

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass
class LoadedSchema:
    """A checked Table Schema: the frictionless `Schema`, its descriptor and custom checks."""

    schema: Any
    descriptor: dict[str, Any]
    custom_checks: list[dict[str, Any]]
    skipped_checks: list[str]
    id: str | None = None
    version: str | None = None

    @property
    def title(self) -> str:
        return str(self.descriptor.get("title") or self.descriptor.get("name") or self.id or "")


def _version_key(version: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(part), "") if part.isdigit() else (-1, part) for part in version.split("."))


def shipped_schemas() -> list[SchemaInfo]:
    """The schemas shipped with Médiane, by id then version (oldest first)."""
    infos = []
    for path in SCHEMAS_DIR.glob("*/*/*/schema.json"):
        version_dir = path.parent
        identifier = f"{version_dir.parent.parent.name}/{version_dir.parent.name}"
        try:
            descriptor = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        title = str(descriptor.get("title") or identifier)
        infos.append(SchemaInfo(identifier, version_dir.name, title, path))
    return sorted(infos, key=lambda info: (info.id, _version_key(info.version)))


def load_schema(ref: Any) -> LoadedSchema:
    """A schema from "scdl/subventions@2.1.1", "scdl/subventions" (latest shipped version),
    a path to a JSON file, a descriptor (dict), a frictionless `Schema` or a `LoadedSchema`.
    Raises `SchemaError` ("unknown-schema", "invalid-schema")."""
    if isinstance(ref, LoadedSchema):
        return ref
    if isinstance(ref, frictionless.Schema):
        return _load_descriptor(ref.to_descriptor())
    if isinstance(ref, Mapping):
        return _load_descriptor(dict(ref))
    if not isinstance(ref, (str, os.PathLike)):
        raise SchemaError(
            "unknown-schema",
            "Le schéma doit être désigné par son identifiant (par exemple "
            "« scdl/subventions@2.1.1 »), un fichier JSON ou un descripteur.",
        )
    text = os.fspath(ref)
    identifier, _, version = str(text).partition("@")
    shipped = [info for info in shipped_schemas() if info.id == identifier]
    if shipped:
        if version:
            shipped = [info for info in shipped if info.version == version]
            if not shipped:
                known = ", ".join(i.version for i in shipped_schemas() if i.id == identifier)
                raise SchemaError(
                    "unknown-schema",
                    f"La version « {version} » du schéma « {identifier} » n'est pas disponible "
                    f"(versions disponibles : {known}).",
                )
        info = shipped[-1]
        loaded = _load_path(info.path)
        loaded.id, loaded.version = info.id, info.version
        return loaded
    path = Path(text)
    if path.is_file():
        return _load_path(path)
    known = ", ".join(info.ref for info in shipped_schemas())
    raise SchemaError(
        "unknown-schema",
        f"Le schéma « {text} » est inconnu. Schémas disponibles : {known} ; ou bien donnez le "
        "fichier JSON du schéma.",
    )


def _load_path(path: Path) -> LoadedSchema:
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise SchemaError(
            "invalid-schema",
            f"Le fichier de schéma « {path.name} » n'est pas un JSON lisible ({error}).",
        ) from error
    return _load_descriptor(descriptor)


def _invalid(detail: str) -> SchemaError:
    return SchemaError("invalid-schema", f"Ce schéma n'est pas un Table Schema valide : {detail}")


def _load_descriptor(descriptor: Any) -> LoadedSchema:
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("fields"), list):
        raise _invalid("il doit contenir une liste « fields » décrivant les colonnes.")
    report = frictionless.Schema.validate_descriptor(descriptor)
    if not report.valid:
        notes = [error.note or error.message for error in report.errors]
        raise _invalid("; ".join(notes[:3]) + ".")
    try:
        schema = frictionless.Schema.from_descriptor(descriptor)
        for schema_field in schema.fields:
            schema_field.create_cell_reader()  # compiles patterns, casts bounds and enums
    except frictionless.FrictionlessException as error:
        raise _invalid(f"{error.error.note}.") from error
    except Exception as error:  # a pattern that is not a regular expression, a bad bound
        raise _invalid(f"{error}.") from error
    checks, skipped = _read_custom_checks(descriptor.get("custom_checks"), schema)
    return LoadedSchema(schema, descriptor, checks, skipped, version=descriptor.get("version"))


_CHECK_PARAMS: dict[str, tuple[str, ...]] = {
    "french-siret-value": ("column",),
    "one-of-required": ("column1", "column2"),
    "year-interval-value": ("column",),
    "cohesive-columns-value": ("column", "othercolumns"),
    "compare-columns-value": ("column", "op", "column2"),
    "sum-columns-value": ("column", "columns"),
    "nomenclature-actes-value": ("column",),
}


def _read_custom_checks(block: Any, schema: Any) -> tuple[list[dict[str, Any]], list[str]]:
    if block is None:
        return [], []
    if not isinstance(block, list):
        raise _invalid("le bloc « custom_checks » doit être une liste.")
    names = set(schema.field_names)
    checks: list[dict[str, Any]] = []
    skipped: list[str] = []
    for item in block:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise _invalid("chaque contrôle de « custom_checks » doit avoir un nom (« name »).")
        name = item["name"]
        params = item.get("params") or {}
        if name not in _CHECK_PARAMS:
            skipped.append(name)
            continue
        missing = [key for key in _CHECK_PARAMS[name] if key not in params]
        if missing:
            raise _invalid(f"le contrôle « {name} » n'a pas de paramètre « {missing[0]} ».")
        columns = [params[key] for key in ("column", "column1", "column2") if key in params]
        for key in ("othercolumns", "columns"):
            if key in params:
                if not isinstance(params[key], list) or not params[key]:
                    raise _invalid(
                        f"le paramètre « {key} » du contrôle « {name} » doit être une "
                        "liste de colonnes."
                    )
                columns.extend(params[key])
        unknown = [column for column in columns if column not in names]
        if unknown:
            raise _invalid(
                f"le contrôle « {name} » porte sur la colonne « {unknown[0]} », absente du schéma."
            )
        if name == "compare-columns-value" and params["op"] not in COMPARISONS:
            raise _invalid(f"l'opérateur « {params['op']} » du contrôle « {name} » est inconnu.")
        checks.append({"name": name, "params": dict(params)})
    return checks, skipped


# --- Report ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ValidationIssue:
    """One error: `row` is None for the header, `column` is the 1-based position in the file
    (None for a whole-row error), `value` is the cell as read (truncated)."""

    code: str
    row: int | None
    column: int | None
    field: str
    value: str
    message: str
    constraint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "row": self.row,
            "column": self.column,
            "field": self.field,
            "value": self.value,
            "constraint": self.constraint,
            "message": self.message,
        }


CSV_COLUMNS = ("code", "row", "column", "field", "value", "constraint", "message")


@dataclass
class _Group:
    code: str
    detail: str | None
    field: str
    count: int = 0
    rows: list[int] = dataclass_field(default_factory=list)
    columns: list[int] = dataclass_field(default_factory=list)
    labels: list[str] = dataclass_field(default_factory=list)
    expected: list[str] = dataclass_field(default_factory=list)
    context: Any = None


@dataclass
class ValidationReport:
    """The result of `validate`: `valid`, `rows_checked`, the kept `errors` (at most
    `max_errors`, `truncated` when more were found), `error_count` and the totals of all the
    errors per code and per field; `to_dict()`, `write_csv()`, `summary_fr()`.
    `labels_matched` is the number of labels of the file that name a field of the schema."""

    valid: bool
    rows_checked: int
    errors: list[ValidationIssue]
    error_count: int
    totals_by_code: dict[str, int]
    totals_by_field: dict[str, int]
    truncated: bool
    max_errors: int
    schema_title: str = ""
    schema_id: str | None = None
    schema_version: str | None = None
    skipped_checks: list[str] = dataclass_field(default_factory=list)
    labels_matched: int | None = None
    _groups: list[_Group] = dataclass_field(default_factory=list, repr=False)
    _fields: dict[str, Any] = dataclass_field(default_factory=dict, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-serialisable dict with stable keys."""
        return {
            "valid": self.valid,
            "rows_checked": self.rows_checked,
            "error_count": self.error_count,
            "truncated": self.truncated,
            "max_errors": self.max_errors,
            "schema": {
                "id": self.schema_id,
                "version": self.schema_version,
                "title": self.schema_title,
            },
            "totals": {
                "by_code": dict(self.totals_by_code),
                "by_field": dict(self.totals_by_field),
            },
            "skipped_checks": list(self.skipped_checks),
            "labels_matched": self.labels_matched,
            "errors": [issue.to_dict() for issue in self.errors],
            "summary": self.summary_lines(),
        }

    def write_csv(self, file: IO[str]) -> None:
        """The kept errors as CSV (`CSV_COLUMNS`), values that a spreadsheet would run as a
        formula prefixed with an apostrophe. Open the file with encoding "utf-8-sig" for Excel."""
        writer = csv.writer(file)
        writer.writerow(CSV_COLUMNS)
        for issue in self.errors:
            record = issue.to_dict()
            writer.writerow([_neutralise(record[key]) for key in CSV_COLUMNS])

    def summary_lines(self) -> list[str]:
        """The errors grouped by kind and column, one French sentence each."""
        lines = []
        if self.labels_matched == 0 and self._fields:
            title = f" {_q(self.schema_title)}" if self.schema_title else ""
            lines.append(
                f"Aucun nom de colonne du fichier ne correspond au schéma{title} : vérifiez que "
                "ce fichier est bien destiné à ce schéma."
            )
        return lines + [_group_sentence(group, self._fields) for group in self._groups]

    def summary_fr(self) -> str:
        """A plain-French summary: the verdict, then one line per kind of error and column."""
        rows = _plural(self.rows_checked, "ligne vérifiée", "lignes vérifiées")
        title = f" « {self.schema_title} »" if self.schema_title else ""
        if self.valid:
            return f"Le fichier est conforme au schéma{title} ({rows})."
        errors = _plural(self.error_count, "erreur", "erreurs")
        lines = [f"Le fichier n'est pas conforme au schéma{title} : {errors} ({rows})."]
        lines += [f"- {line}" for line in self.summary_lines()]
        if self.truncated:
            lines.append(
                f"Seules les {_number(self.max_errors)} premières erreurs sont détaillées dans le "
                "rapport ; les décomptes ci-dessus portent sur tout le fichier."
            )
        return "\n".join(lines)


def _neutralise(value: Any) -> str:
    return str(neutralise("" if value is None else str(value)))


# --- French wording -------------------------------------------------------------------------


def _number(value: int | float | Decimal) -> str:
    if isinstance(value, int):
        return f"{value:,}".replace(",", " ")
    return str(value).replace(".", ",")


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{_number(count)} {singular if count == 1 else plural}"


def _q(name: str) -> str:
    return f"« {name} »"


def _qlist(names: Iterable[str], last: str = "et") -> str:
    quoted = [_q(name) for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + f" {last} " + quoted[-1]


def _display(cell: Any) -> str:
    text = "" if cell is None else str(cell)
    if len(text) > CELL_DISPLAY_CHARS:
        return text[:CELL_DISPLAY_CHARS] + "…"
    return text


_DATE_PARTS = {"%Y": "AAAA", "%m": "MM", "%d": "JJ", "%H": "HH", "%M": "MM", "%S": "SS", "%y": "AA"}


def _strftime_fr(pattern: str) -> str:
    for token, text in _DATE_PARTS.items():
        pattern = pattern.replace(token, text)
    return pattern


def _number_hint(schema_field: Any) -> str:
    """How a number of this field is written, for the messages."""
    decimal_char = getattr(schema_field, "decimal_char", ".")
    group_char = getattr(schema_field, "group_char", "")
    if decimal_char == ".":
        hint = "Séparateur décimal attendu : le point"
        example = " (par exemple 1234.56)"
    else:
        hint = f"Séparateur décimal attendu : {_q(decimal_char)}"
        example = ""
    return hint + ("" if group_char else ", sans espace") + example + "."


def _type_phrase(schema_field: Any) -> tuple[str, str]:
    """What a cell of this field must be: (singular, plural), e.g. ("un nombre", "des nombres")."""
    kind = getattr(schema_field, "type", "any")
    fmt = getattr(schema_field, "format", "default") or "default"
    if kind == "number":
        return "un nombre", "des nombres"
    if kind == "integer":
        return "un nombre entier", "des nombres entiers"
    if kind in ("date", "datetime", "time"):
        noun = {"date": "date", "datetime": "date et heure", "time": "heure"}[kind]
        default = {"date": "AAAA-MM-JJ", "datetime": "AAAA-MM-JJTHH:MM:SS", "time": "HH:MM:SS"}
        shape = default[kind] if fmt == "default" else _strftime_fr(fmt)
        plural_noun = {"date": "dates", "datetime": "dates et heures", "time": "heures"}[kind]
        if fmt == "any":
            return f"une {noun} valide", f"des {plural_noun} valides"
        return f"une {noun} au format {shape}", f"des {plural_noun} au format {shape}"
    if kind == "boolean":
        accepted = list(getattr(schema_field, "true_values", [])) + list(
            getattr(schema_field, "false_values", [])
        )
        choices = _qlist(accepted[:6], last="ou")
        return (
            f"une valeur autorisée ({choices})",
            f"des valeurs autorisées ({choices})",
        )
    if kind == "year":
        return "une année (AAAA)", "des années (AAAA)"
    if kind == "yearmonth":
        return "un mois au format AAAA-MM", "des mois au format AAAA-MM"
    if kind == "duration":
        return "une durée ISO 8601 (par exemple P1D)", "des durées ISO 8601 (par exemple P1D)"
    if kind == "geopoint":
        return "des coordonnées géographiques", "des coordonnées géographiques"
    if kind in ("object", "geojson"):
        return "un objet JSON valide", "des objets JSON valides"
    if kind in ("array", "list"):
        return "une liste valide", "des listes valides"
    if kind == "string":
        phrases = {
            "uri": ("une adresse web valide (commençant par https://)", "des adresses web valides"),
            "email": ("une adresse électronique valide", "des adresses électroniques valides"),
            "uuid": ("un identifiant UUID valide", "des identifiants UUID valides"),
            "binary": ("un contenu base64 valide", "des contenus base64 valides"),
        }
        if fmt in phrases:
            return phrases[fmt]
    return f"une valeur de type {kind}", f"des valeurs de type {kind}"


def _example(schema_field: Any) -> str:
    """ " Exemple de valeur correcte : « … »." when the schema gives an example, else ""."""
    example = getattr(schema_field, "example", None)
    if example in (None, ""):
        return ""
    return f" Exemple de valeur correcte : {_q(str(example))}."


def _type_hint(schema_field: Any) -> str:
    if getattr(schema_field, "type", "") == "number":
        return " " + _number_hint(schema_field)
    return ""


def _constraint_value(schema_field: Any, name: str) -> Any:
    return (getattr(schema_field, "constraints", None) or {}).get(name)


def _cell_message(
    code: str, detail: str | None, row: int, label: str, cell: str, schema_field: Any
) -> str:
    """The message of one cell error of the schema (type or constraint)."""
    where = f"Ligne {row}, colonne {_q(label)} : "
    shown = _q(_display(cell))
    if code == "type-error":
        return (
            where + f"{shown} n'est pas {_type_phrase(schema_field)[0]}." + _type_hint(schema_field)
        )
    value = _constraint_value(schema_field, detail or "")
    if detail == "required":
        return where + "la cellule est vide alors que cette colonne est obligatoire."
    if detail == "pattern":
        return where + f"{shown} ne respecte pas le format attendu." + _example(schema_field)
    if detail == "enum":
        allowed = _qlist([str(item) for item in (value or [])[:12]], last="ou")
        return where + f"{shown} ne fait pas partie des valeurs autorisées : {allowed}."
    if detail == "minimum":
        return where + f"{shown} est en dessous du minimum autorisé ({value})."
    if detail == "maximum":
        return where + f"{shown} dépasse le maximum autorisé ({value})."
    if detail == "exclusiveMinimum":
        return where + f"{shown} doit être strictement supérieur à {value}."
    if detail == "exclusiveMaximum":
        return where + f"{shown} doit être strictement inférieur à {value}."
    if detail == "minLength":
        return where + (
            f"la valeur compte {_plural(len(cell), 'caractère', 'caractères')}, "
            f"moins que le minimum de {value}."
        )
    if detail == "maxLength":
        return where + (
            f"la valeur compte {_plural(len(cell), 'caractère', 'caractères')}, "
            f"plus que le maximum de {value}."
        )
    return where + f"{shown} ne respecte pas la contrainte {_q(detail or '')} ({value})."


def _rows_text(group: _Group) -> str:
    rows = group.rows
    if not rows:
        return ""
    shown = ", ".join(_number(row) for row in rows)
    others = group.count - len(rows)
    word = "ligne" if group.count == 1 else "lignes"
    if others > 0:
        return f" ({word} {shown} et {_plural(others, 'autre', 'autres')})"
    return f" ({word} {shown})"


def _group_sentence(group: _Group, fields: dict[str, Any]) -> str:
    """One line of the summary, e.g. "La colonne « montant » contient 3 valeurs qui ne sont pas
    des nombres (lignes 4, 9, 12)."."""
    code, detail, n = group.code, group.detail, group.count
    column = _q(group.field)
    schema_field = fields.get(group.field)
    lines = _rows_text(group)
    values = "valeur" if n == 1 else "valeurs"
    qui = f"{_number(n)} {values} qui"

    def contains(text_one: str, text_many: str, hint: str = "") -> str:
        text = text_one if n == 1 else text_many
        return f"La colonne {column} contient {qui} {text}{lines}.{hint}"

    labels = group.labels
    if code == "blank-header":
        return (
            "L'en-tête du fichier est vide : la première ligne doit contenir les noms des colonnes."
        )
    if code == "missing-label":
        if len(labels) == 1:
            return f"La colonne {_qlist(labels)} prévue par le schéma est absente du fichier."
        return f"Les colonnes {_qlist(labels)} prévues par le schéma sont absentes du fichier."
    if code == "extra-label":
        if len(labels) == 1:
            return f"La colonne {_qlist(labels)} n'est pas prévue par le schéma."
        return f"Les colonnes {_qlist(labels)} ne sont pas prévues par le schéma."
    if code == "blank-label":
        positions = ", ".join(f"n°{col}" for col in group.columns)
        return f"{_plural(n, 'colonne n’a', 'colonnes n’ont')} pas de nom ({positions})."
    if code == "duplicate-label":
        names = _qlist(labels)
        return f"Des noms de colonnes apparaissent plusieurs fois dans l'en-tête : {names}."
    if code == "incorrect-label":
        if n == 1:
            return (
                f"La colonne n°{group.columns[0]} s'appelle {_q(labels[0])} alors que le "
                f"schéma attend {_q(group.expected[0])} à cette position."
            )
        pairs = [
            f"{_q(label)} au lieu de {_q(expected)}"
            for label, expected in zip(labels[:8], group.expected[:8], strict=True)
        ]
        more = " …" if n > len(pairs) else ""
        return (
            f"{_number(n)} colonnes ne portent pas le nom attendu par le schéma à leur position "
            f"({', '.join(pairs)}{more}) : vérifiez l'ordre et l'orthographe des noms de colonnes."
        )
    if code == "unmatched-header":
        return "Aucune colonne du fichier ne correspond au schéma."
    if code == "blank-row":
        return f"Le fichier contient {_plural(n, 'ligne vide', 'lignes vides')}{lines}."
    if code == "extra-cell":
        return (
            f"{_plural(n, 'valeur dépasse', 'valeurs dépassent')} la dernière colonne de "
            f"l'en-tête{lines}."
        )
    if code == "missing-cell":
        return (
            f"{_plural(n, 'ligne est trop courte et n’a', 'lignes sont trop courtes et n’ont')}"
            f" pas de valeur pour la colonne {column}{lines}."
        )
    if code == "type-error":
        one, many = _type_phrase(schema_field)
        return contains(f"n'est pas {one}", f"ne sont pas {many}", _type_hint(schema_field))
    if code == "constraint-error":
        value = _constraint_value(schema_field, detail or "")
        if detail == "required":
            cells = _plural(n, "cellule vide", "cellules vides")
            return f"La colonne obligatoire {column} a {cells}{lines}."
        if detail == "pattern":
            return contains(
                "ne respecte pas le format attendu",
                "ne respectent pas le format attendu",
                _example(schema_field),
            )
        if detail == "enum":
            allowed = _qlist([str(item) for item in (value or [])[:12]], last="ou")
            return contains(
                "ne fait pas partie des valeurs autorisées",
                "ne font pas partie des valeurs autorisées",
                f" Valeurs autorisées : {allowed}.",
            )
        if detail in ("minimum", "exclusiveMinimum"):
            minimum = _number(value) if isinstance(value, (int, float, Decimal)) else value
            return contains(
                f"est en dessous du minimum autorisé de {minimum}",
                f"sont en dessous du minimum autorisé de {minimum}",
            )
        if detail in ("maximum", "exclusiveMaximum"):
            maximum = _number(value) if isinstance(value, (int, float, Decimal)) else value
            return contains(
                f"dépasse le maximum autorisé de {maximum}",
                f"dépassent le maximum autorisé de {maximum}",
            )
        if detail == "minLength":
            return contains(
                f"compte moins de {value} caractères",
                f"comptent moins de {value} caractères",
            )
        if detail == "maxLength":
            return contains(
                f"dépasse {value} caractères",
                f"dépassent {value} caractères",
            )
        return contains(
            f"ne respecte pas la contrainte {_q(detail or '')}",
            f"ne respectent pas la contrainte {_q(detail or '')}",
        )
    if code == "unique-error":
        return contains(
            "est en double alors que chaque valeur doit être unique",
            "sont en double alors que chaque valeur doit être unique",
        )
    if code == "primary-key":
        keys = _qlist(group.context or [])
        return (
            f"{_plural(n, 'ligne a', 'lignes ont')} une clé ({keys}) vide ou déjà utilisée "
            f"par une ligne précédente{lines}."
        )
    if code == "french-siret-value":
        return contains("n'est pas un numéro SIRET valide", "ne sont pas des numéros SIRET valides")
    if code == "one-of-required":
        first, second = group.context
        if n == 0 or not group.rows:
            either = f"{_q(first)} ou {_q(second)}"
            return f"Le fichier doit contenir au moins une des colonnes {either}."
        return (
            f"{_plural(n, 'ligne ne renseigne', 'lignes ne renseignent')} ni {_q(first)} ni "
            f"{_q(second)}, alors qu'au moins une des deux est obligatoire{lines}."
        )
    if code == "year-interval-value":
        return contains(
            "n'est pas une année ou un intervalle d'années valide (AAAA ou AAAA/AAAA)",
            "ne sont pas des années ou intervalles d'années valides (AAAA ou AAAA/AAAA)",
        )
    if code == "cohesive-columns-value":
        names = _qlist(group.context, last="et")
        return (
            f"{_plural(n, 'ligne ne renseigne', 'lignes ne renseignent')} pas toutes les "
            f"colonnes {names}, qui doivent être toutes remplies ou toutes vides{lines}."
        )
    if code == "compare-columns-value":
        other, wording = group.context
        return (
            f"{_plural(n, 'ligne où', 'lignes où')} {column} n'est pas {wording} "
            f"{_q(other)}{lines}."
        )
    if code == "sum-columns-value":
        return (
            f"{_plural(n, 'ligne où', 'lignes où')} {column} n'est pas égal à la somme de "
            f"{_qlist(group.context)}{lines}."
        )
    if code == "nomenclature-actes-value":
        return contains(
            "ne suit pas la nomenclature ACTES (« matière/sous-matière »)",
            "ne suivent pas la nomenclature ACTES (« matière/sous-matière »)",
        )
    return f"{_plural(n, 'erreur', 'erreurs')} {_q(code)} dans la colonne {column}{lines}."


# --- Validation -----------------------------------------------------------------------------

_INVALID = object()


class _Collector:
    """Counts every error, keeps the first `max_errors` and the groups of the summary."""

    def __init__(self, max_errors: int, fields: dict[str, Any]) -> None:
        self.max_errors = max_errors
        self.errors: list[ValidationIssue] = []
        self.count = 0
        self.by_code: Counter[str] = Counter()
        self.by_field: Counter[str] = Counter()
        self.groups: dict[tuple[str, str | None, str], _Group] = {}
        self.fields = fields

    def add(
        self,
        code: str,
        row: int | None,
        column: int | None,
        field_name: str,
        cell: Any,
        message: Callable[[], str] | str,
        *,
        detail: str | None = None,
        label: str | None = None,
        expected: str | None = None,
        context: Any = None,
    ) -> None:
        self.count += 1
        self.by_code[code] += 1
        if field_name:
            self.by_field[field_name] += 1
        # The header errors make one group per kind, the others one per kind and column.
        key = (code, detail, "" if code in HEADER_CODES else field_name)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(code, detail, field_name, context=context)
        group.count += 1
        if row is not None and len(group.rows) < SUMMARY_ROWS:
            group.rows.append(row)
        if column is not None and len(group.columns) < 50:
            group.columns.append(column)
        if label is not None and len(group.labels) < 50:
            group.labels.append(label)
        if expected is not None and len(group.expected) < 50:
            group.expected.append(expected)
        if len(self.errors) < self.max_errors:
            text = message if isinstance(message, str) else message()
            constraint = detail if code == "constraint-error" else None
            self.errors.append(
                ValidationIssue(
                    code, row, column, field_name, _display(cell), text, constraint=constraint
                )
            )


class _Spec:
    """How the cells of one column are read: `plain` columns (text, no format, no constraint)
    only need the missing values, the others go through frictionless's cell reader, whose
    results are cached per text."""

    __slots__ = ("cache", "missing", "plain", "read")

    def __init__(self, schema_field: Any) -> None:
        self.read = schema_field.create_cell_reader()
        missing_values = schema_field.missing_values
        if not schema_field.has_defined("missing_values") and schema_field.schema:
            missing_values = schema_field.schema.missing_values
        # What frictionless's reader returns for the text of a plain string field: the text, or
        # None for a missing value (the reader compares str(cell), so "None" stays with it).
        self.plain = (
            schema_field.type == "string"
            and (schema_field.format or "default") == "default"
            and not any(
                schema_field.constraints.get(name) is not None
                for name in schema_field.supported_constraints
            )
            and "None" not in missing_values
        )
        self.missing = frozenset(missing_values)
        self.cache: dict[Any, tuple[Any, Any]] = {}


@lru_cache(maxsize=65_536)
def _siret_valid(value: str) -> bool:
    return bool(stdnum_siret.is_valid(value))


_YEAR = re.compile(r"^\d{4}$")
_YEAR_INTERVAL = re.compile(r"^(\d{4})/(\d{4})$")
_SPACES = re.compile(r"\s+")


def _fold(text: str) -> str:
    """Lower case, no accents, single spaces: how ACTES subjects are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _SPACES.sub(" ", bare).strip().casefold()


_ACTES_FOLDED = frozenset(_fold(subject) for subject in ACTES_SUBJECTS)


def _comparable(value: Any) -> Any:
    """A value for compare/sum checks: numbers and dates as they are, texts parsed as numbers
    then ISO dates, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float, Decimal, date)):
        return value
    if isinstance(value, str):
        text = value.strip()
        try:
            return Decimal(text)
        except InvalidOperation:
            pass
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    return None


def _same_kind(first: Any, second: Any) -> bool:
    if isinstance(first, datetime) or isinstance(second, datetime):
        return isinstance(first, datetime) and isinstance(second, datetime)
    if isinstance(first, date) or isinstance(second, date):
        return isinstance(first, date) and isinstance(second, date)
    return True


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    comparable = _comparable(value)
    return comparable if isinstance(comparable, Decimal) else None


RowCheck = Callable[[int, list[str], list[Any], "set[int] | None"], None]


def _custom_checks(
    loaded: LoadedSchema, positions: dict[str, int], collect: _Collector
) -> tuple[list[RowCheck], list[Callable[[], None]]]:
    """The row functions of the custom checks, and the header-level ones (run once)."""
    row_checks: list[RowCheck] = []
    header_checks: list[Callable[[], None]] = []

    def present(*names: str) -> bool:
        return all(name in positions for name in names)

    for check in loaded.custom_checks:
        name, params = check["name"], check["params"]
        if name == "french-siret-value":
            column = params["column"]
            if not present(column):
                continue
            row_checks.append(_siret_check(column, positions[column] - 1, collect))
        elif name == "one-of-required":
            first, second = params["column1"], params["column2"]
            if not present(first) and not present(second):

                def header_check(first: str = first, second: str = second) -> None:
                    collect.add(
                        "one-of-required",
                        None,
                        None,
                        "",
                        "",
                        f"Le fichier doit contenir au moins une des colonnes {_q(first)} ou "
                        f"{_q(second)}.",
                        context=(first, second),
                    )

                header_checks.append(header_check)
                continue
            row_checks.append(_one_of_check(first, second, positions, collect))
        elif name == "year-interval-value":
            column = params["column"]
            if present(column):
                allow = str(params.get("allow-year-only", "no")).lower() in ("yes", "true", "1")
                row_checks.append(
                    _year_interval_check(column, positions[column] - 1, allow, collect)
                )
        elif name == "cohesive-columns-value":
            names = [params["column"], *params["othercolumns"]]
            kept = [column for column in names if present(column)]
            if len(kept) > 1:
                row_checks.append(_cohesive_check(params["column"], kept, positions, collect))
        elif name == "compare-columns-value":
            column, other = params["column"], params["column2"]
            if present(column, other):
                row_checks.append(_compare_check(column, params["op"], other, positions, collect))
        elif name == "sum-columns-value":
            column, terms = params["column"], list(params["columns"])
            if present(column, *terms):
                row_checks.append(_sum_check(column, terms, positions, collect))
        elif name == "nomenclature-actes-value":
            column = params["column"]
            if present(column):
                row_checks.append(_actes_check(column, positions[column] - 1, collect))
    return row_checks, header_checks


def _usable(index: int, values: list[Any], bad: set[int] | None) -> bool:
    """Whether a cell is filled and was not already reported by the schema."""
    return values[index] is not None and not (bad and index in bad)


def _siret_check(column: str, index: int, collect: _Collector) -> RowCheck:
    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        if values[index] is None or (bad and index in bad):
            return
        cell = cells[index]
        if not _siret_valid(cell):
            collect.add(
                "french-siret-value",
                row,
                index + 1,
                column,
                cell,
                lambda: (
                    f"Ligne {row}, colonne {_q(column)} : {_q(_display(cell))} n'est pas un "
                    "numéro SIRET valide (14 chiffres dont le dernier est une clé de contrôle)."
                ),
            )

    return check


def _one_of_check(
    first: str, second: str, positions: dict[str, int], collect: _Collector
) -> RowCheck:
    indexes = [positions[name] - 1 for name in (first, second) if name in positions]
    field_name = first if first in positions else second

    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        for index in indexes:
            if values[index] is not None or (bad and index in bad):
                return
        collect.add(
            "one-of-required",
            row,
            None,
            field_name,
            "",
            f"Ligne {row} : renseignez au moins une des colonnes {_q(first)} ou {_q(second)}.",
            context=(first, second),
        )

    return check


def _year_interval_check(
    column: str, index: int, allow_year: bool, collect: _Collector
) -> RowCheck:
    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        if not _usable(index, values, bad):
            return
        cell = cells[index]
        match = _YEAR_INTERVAL.match(cell)
        if match:
            if int(match.group(1)) < int(match.group(2)):
                return
            why = "la seconde année de l'intervalle doit être postérieure à la première"
        elif allow_year and _YEAR.match(cell):
            return
        else:
            why = "le format attendu est AAAA/AAAA" + (" ou AAAA" if allow_year else "")
        collect.add(
            "year-interval-value",
            row,
            index + 1,
            column,
            cell,
            f"Ligne {row}, colonne {_q(column)} : {_q(_display(cell))} n'est pas valide ({why}).",
        )

    return check


def _cohesive_check(
    column: str, names: list[str], positions: dict[str, int], collect: _Collector
) -> RowCheck:
    indexes = [positions[name] - 1 for name in names]

    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        filled = [values[index] is not None or bool(bad and index in bad) for index in indexes]
        if all(filled) or not any(filled):
            return
        empty = [name for name, full in zip(names, filled, strict=True) if not full]
        collect.add(
            "cohesive-columns-value",
            row,
            positions.get(column),
            column,
            "",
            lambda: (
                f"Ligne {row} : les colonnes {_qlist(names)} doivent être toutes remplies ou "
                f"toutes vides ; {_qlist(empty)} {'est vide' if len(empty) == 1 else 'sont vides'}."
            ),
            context=names,
        )

    return check


def _compare_check(
    column: str, op: str, other: str, positions: dict[str, int], collect: _Collector
) -> RowCheck:
    first, second = positions[column] - 1, positions[other] - 1
    compare, wording = COMPARISONS[op]

    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        if not (_usable(first, values, bad) and _usable(second, values, bad)):
            return
        left, right = _comparable(values[first]), _comparable(values[second])
        if left is None or right is None or not _same_kind(left, right):
            return
        try:
            if compare(left, right):
                return
        except TypeError:
            return
        collect.add(
            "compare-columns-value",
            row,
            first + 1,
            column,
            cells[first],
            lambda: (
                f"Ligne {row} : {_q(column)} ({_display(cells[first])}) doit être {wording} "
                f"{_q(other)} ({_display(cells[second])})."
            ),
            detail=f"{op}{other}",
            context=(other, wording),
        )

    return check


def _sum_check(
    column: str, terms: list[str], positions: dict[str, int], collect: _Collector
) -> RowCheck:
    total_index = positions[column] - 1
    indexes = [positions[name] - 1 for name in terms]

    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        if not _usable(total_index, values, bad):
            return
        total = _as_decimal(values[total_index])
        if total is None:
            return
        parts = []
        for index in indexes:
            if not _usable(index, values, bad):
                return
            part = _as_decimal(values[index])
            if part is None:
                return
            parts.append(part)
        computed = sum(parts, Decimal(0))
        if computed == total:
            return
        collect.add(
            "sum-columns-value",
            row,
            total_index + 1,
            column,
            cells[total_index],
            lambda: (
                f"Ligne {row} : {_q(column)} ({_display(cells[total_index])}) doit être égal "
                f"à la somme de {_qlist(terms)} ({computed})."
            ),
            detail="+".join(terms),
            context=terms,
        )

    return check


def _actes_check(column: str, index: int, collect: _Collector) -> RowCheck:
    def check(row: int, cells: list[str], values: list[Any], bad: set[int] | None) -> None:
        if not _usable(index, values, bad):
            return
        cell = cells[index]
        subject, slash, rest = cell.strip().lstrip("'’").partition("/")
        if slash and rest.strip() and _fold(subject) in _ACTES_FOLDED:
            return
        if not slash:
            why = "la matière et la sous-matière doivent être séparées par une barre oblique « / »"
        elif _fold(subject) not in _ACTES_FOLDED:
            why = f"{_q(subject.strip())} n'est pas une matière de la nomenclature ACTES"
        else:
            why = "la sous-matière manque après la barre oblique « / »"
        collect.add(
            "nomenclature-actes-value",
            row,
            index + 1,
            column,
            cell,
            f"Ligne {row}, colonne {_q(column)} : {_q(_display(cell))} n'est pas valide ({why} ; "
            "par exemple « Finances locales/décisions budgétaires »).",
        )

    return check


def _header_message(error: Any) -> str:
    code = error.type
    label = getattr(error, "label", "") or ""
    field_name = getattr(error, "field_name", "") or ""
    number = getattr(error, "field_number", None)
    if code == "blank-label":
        return (
            f"La colonne n°{number} n'a pas de nom : le schéma attend {_q(field_name)} à cette "
            "position."
        )
    if code == "duplicate-label":
        return f"Le nom de colonne {_q(label)} (colonne n°{number}) apparaît plusieurs fois."
    if code == "missing-label":
        return f"La colonne {_q(field_name)} prévue par le schéma est absente du fichier."
    if code == "extra-label":
        return f"La colonne {_q(label)} (n°{number}) n'est pas prévue par le schéma."
    if code == "incorrect-label":
        return (
            f"La colonne n°{number} s'appelle {_q(label)} alors que le schéma attend "
            f"{_q(field_name)} à cette position."
        )
    if code == "blank-header":
        return "L'en-tête du fichier est vide."
    if code == "unmatched-header":
        return "Aucune colonne du fichier ne correspond au schéma."
    return str(error.message)


def validate(
    source_header: list[str],
    rows_iterable: Iterable[list[str]],
    schema: Any,
    *,
    max_errors: int = 1000,
    progress: Callable[[int], None] | None = None,
    custom_checks: bool = True,
) -> ValidationReport:
    """Validate a header and its rows (lists of texts, as `tabular.TableSource` gives them)
    against a schema (anything `load_schema` accepts). `progress(rows_checked)` is called every
    `PROGRESS_EVERY` rows and at the end. `custom_checks=False` runs only what frictionless runs.
    """
    loaded = load_schema(schema)
    frictionless_schema = loaded.schema
    fields_by_name = {f.name: f for f in frictionless_schema.fields}
    collect = _Collector(max(0, int(max_errors)), fields_by_name)

    # Header, with frictionless's own comparison.
    labels = ["" if label is None else str(label).strip() for label in source_header]
    fields_match: Any = (
        frictionless_schema.fields_match
        if frictionless_schema.has_defined("fields_match")
        else "exact"
    )
    expected: list[Any]
    try:
        header = Header(
            labels,
            fields=frictionless_schema.fields,
            row_numbers=[1],
            ignore_case=False,
            fields_match=fields_match,
        )
        header_errors = list(header.errors)
        expected = header.get_expected_fields()
    except frictionless.FrictionlessException as failure:
        collect.add(
            "duplicate-label",
            None,
            None,
            "",
            "",
            "Des noms de colonnes apparaissent plusieurs fois dans l'en-tête : chaque colonne doit "
            f"avoir un nom unique ({failure.error.note}).",
        )
        return _report(collect, 0, loaded, fields_by_name)
    for error in header_errors:
        label = getattr(error, "label", "") or ""
        field_name = getattr(error, "field_name", "") or ""
        collect.add(
            error.type,
            None,
            getattr(error, "field_number", None),
            field_name,
            label,
            _header_message(error),
            label=field_name if error.type == "missing-label" else label,
            expected=field_name if error.type == "incorrect-label" else None,
        )
    schema_names = set(frictionless_schema.field_names)
    labels_matched = sum(1 for label in labels if label in schema_names)

    width = len(expected)
    specs = [
        (spec.plain, spec.missing, spec.cache, spec.read)
        for spec in (_Spec(schema_field) for schema_field in expected)
    ]
    padding: list[Any] = [None] * width
    names = [f.name for f in expected]
    positions = {name: index + 1 for index, name in enumerate(names)}

    unique_indexes = [i for i, f in enumerate(expected) if f.constraints.get("unique")]
    unique_seen: list[set[int]] = [set() for _ in unique_indexes]
    primary_key = list(frictionless_schema.primary_key)
    pk_indexes = (
        [positions[name] - 1 for name in primary_key]
        if primary_key and all(name in positions for name in primary_key)
        else []
    )
    pk_seen: set[int] = set()

    row_checks: list[RowCheck] = []
    if custom_checks:
        # Only the columns whose label is the field's name: when the labels are wrong, the
        # header errors say so, and checking a SIRET in a "population" column would be noise.
        labelled = {
            name: position
            for name, position in positions.items()
            if position <= len(labels) and labels[position - 1] == name
        }
        row_checks, header_checks = _custom_checks(loaded, labelled, collect)
        for run in header_checks:
            run()

    add = collect.add
    row_number = 1
    next_progress = PROGRESS_EVERY
    for cells in rows_iterable:
        row_number += 1
        ncells = len(cells)
        if ncells == width:
            row_cells = cells
        elif ncells > width:
            row_cells = cells[:width]
        else:
            row_cells = [*cells, *padding[ncells:]]
        values: list[Any] = []
        append = values.append
        blank = 0
        pending: list[tuple[Any, ...]] | None = None
        bad: set[int] | None = None
        index = -1
        for cell, (plain, missing, cache, read) in zip(row_cells, specs, strict=True):
            index += 1
            if plain:
                if cell is None or cell in missing:
                    append(None)
                    blank += 1
                else:
                    append(cell)
                continue
            result = cache.get(cell)
            if result is None:
                result = read(cell)
                if len(cache) < READ_CACHE_SIZE and (
                    cell is None or len(cell) <= READ_CACHE_MAX_CHARS
                ):
                    cache[cell] = result
            value, notes = result
            append(value)
            if notes is None:
                if value is None:
                    blank += 1
                continue
            if pending is None:
                pending = []
                bad = set()
            assert bad is not None
            bad.add(index)
            if "type" in notes:
                pending.append(("type-error", index, cell, None))
            else:
                if value is None:
                    blank += 1
                for constraint in notes:
                    pending.append(("constraint-error", index, cell, constraint))
        if ncells != width:
            if pending is None:
                pending = []
            if ncells > width:
                for index in range(width, ncells):
                    pending.append(("extra-cell", index, cells[index], None))
            else:
                for index in range(ncells, width):
                    pending.append(("missing-cell", index, "", None))
        blank_row = blank == width and width > 0
        if blank_row:
            # As in frictionless, a blank row is one error, whatever its cells' errors.
            add("blank-row", row_number, None, "", "", f"La ligne {row_number} est vide.")
        elif pending:
            for code, index, cell, constraint in pending:
                _add_cell_error(collect, code, row_number, index, cell, constraint, expected)
        if unique_indexes:
            for slot, index in enumerate(unique_indexes):
                value = values[index]
                if value is None:
                    continue
                digest = hash(value)
                seen = unique_seen[slot]
                if digest in seen:
                    cell = cells[index]
                    label = names[index]
                    add(
                        "unique-error",
                        row_number,
                        index + 1,
                        label,
                        cell,
                        f"Ligne {row_number}, colonne {_q(label)} : {_q(_display(cell))} "
                        "apparaît déjà plus haut alors que chaque valeur doit être unique.",
                    )
                else:
                    seen.add(digest)
        if pk_indexes:
            key = tuple(values[index] for index in pk_indexes)
            if all(part is None for part in key):
                add(
                    "primary-key",
                    row_number,
                    None,
                    "",
                    "",
                    f"Ligne {row_number} : la clé {_qlist(primary_key)} est vide.",
                    context=primary_key,
                )
            else:
                digest = hash(key)
                if digest in pk_seen:
                    add(
                        "primary-key",
                        row_number,
                        None,
                        "",
                        ", ".join(cells[index] if index < ncells else "" for index in pk_indexes),
                        f"Ligne {row_number} : la clé {_qlist(primary_key)} est déjà utilisée par "
                        "une ligne précédente.",
                        context=primary_key,
                    )
                else:
                    pk_seen.add(digest)
        if row_checks and not blank_row:
            if ncells < width:
                cells = list(cells) + [""] * (width - ncells)
            for row_check in row_checks:
                row_check(row_number, cells, values, bad)
        if progress is not None and row_number - 1 >= next_progress:
            next_progress += PROGRESS_EVERY
            progress(row_number - 1)
    if progress is not None:
        progress(row_number - 1)
    return _report(collect, row_number - 1, loaded, fields_by_name, labels_matched)


def _add_cell_error(
    collect: _Collector,
    code: str,
    row: int,
    index: int,
    cell: Any,
    constraint: str | None,
    expected: list[Any],
) -> None:
    text = "" if cell is None else str(cell)
    if code == "extra-cell":
        collect.add(
            code,
            row,
            index + 1,
            "",
            text,
            lambda: (
                f"Ligne {row} : la valeur {_q(_display(text))} en colonne n°{index + 1} "
                "dépasse la dernière colonne de l'en-tête."
            ),
        )
        return
    schema_field = expected[index]
    label = schema_field.name
    if code == "missing-cell":
        collect.add(
            code,
            row,
            index + 1,
            label,
            "",
            lambda: (
                f"Ligne {row} : la ligne s'arrête avant la colonne {_q(label)} (n°{index + 1})."
            ),
        )
        return
    collect.add(
        code,
        row,
        index + 1,
        label,
        text,
        lambda: _cell_message(code, constraint, row, label, text, schema_field),
        detail=constraint,
    )


def _report(
    collect: _Collector,
    rows_checked: int,
    loaded: LoadedSchema,
    fields: dict[str, Any],
    labels_matched: int | None = None,
) -> ValidationReport:
    return ValidationReport(
        valid=collect.count == 0,
        rows_checked=rows_checked,
        errors=collect.errors,
        error_count=collect.count,
        totals_by_code=dict(collect.by_code),
        totals_by_field=dict(collect.by_field),
        truncated=collect.count > len(collect.errors),
        max_errors=collect.max_errors,
        schema_title=loaded.title,
        schema_id=loaded.id,
        schema_version=loaded.version,
        skipped_checks=list(loaded.skipped_checks),
        labels_matched=labels_matched,
        _groups=list(collect.groups.values()),
        _fields=fields,
    )


def validate_file(
    path: str | os.PathLike[str],
    schema: Any,
    *,
    filename: str | None = None,
    max_bytes: int | None = None,
    max_errors: int = 1000,
    progress: Callable[[int], None] | None = None,
    custom_checks: bool = True,
) -> ValidationReport:
    """Open a CSV, XLSX or ODS file with `tabular.open_table` and validate it (raises
    `tabular.TabularError` for an unreadable file)."""
    from mediane.datahub.tabular import open_table

    loaded = load_schema(schema)
    with open_table(path, filename=filename, max_bytes=max_bytes) as source:
        return validate(
            source.header,
            source.rows(),
            loaded,
            max_errors=max_errors,
            progress=progress,
            custom_checks=custom_checks,
        )
