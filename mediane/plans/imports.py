"""CSV/XLSX import of a plan: one row per action (the columns of `exports.COLUMNS`).

`preview(plan, file)` reads and validates every row without writing and says, row by row, what
will be created or updated, with French errors; `apply(actor, plan, rows)` writes everything in
one transaction through the services (all or nothing). Actions are matched by number: a
re-import updates them. Axes are matched by number and created when missing. Limits: 2 MB,
1,000 rows. A bad file gives a message, never a server error.
"""

from __future__ import annotations

import csv
import datetime
import io
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from mediane.core.errors import MedianeError, ValidationFailed
from mediane.plans import services
from mediane.plans.exports import COLUMNS
from mediane.plans.models import Action, ActionStatus, Axis, Plan, Priority

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 1000
REQUIRED = ("axis_number", "number", "title")
TEXT_FIELDS = ("title", "description", "pilot_roles")


def new_token() -> str:
    return secrets.token_urlsafe(16)


@dataclass
class RowResult:
    line: int
    number: str
    title: str
    axis: str
    operation: str  # "create" | "update" | ""
    errors: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass
class Preview:
    rows: list[RowResult]
    new_axes: list[tuple[int, str]]
    token: str = ""

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(r.errors for r in self.rows)

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors)

    @property
    def created(self) -> int:
        return sum(1 for r in self.rows if r.operation == "create" and not r.errors)

    @property
    def updated(self) -> int:
        return sum(1 for r in self.rows if r.operation == "update" and not r.errors)

    def payload(self) -> list[dict[str, Any]]:
        return [r.values for r in self.rows]


@dataclass
class ApplyResult:
    created: int
    updated: int
    axes_created: int


def _read(upload: Any) -> list[dict[str, str]]:
    name = (getattr(upload, "name", "") or "").lower()
    size = getattr(upload, "size", None) or 0
    if size > MAX_BYTES:
        raise ValidationFailed(_("Fichier trop volumineux : 2 Mo au plus."))
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationFailed(_("Fichier trop volumineux : 2 Mo au plus."))
    if not data:
        raise ValidationFailed(_("Le fichier est vide."))
    if name.endswith(".xlsx") or data[:2] == b"PK":
        table = _read_xlsx(data)
    elif name.endswith(".csv") or name.endswith(".txt"):
        table = _read_csv(data)
    else:
        raise ValidationFailed(_("Format non reconnu : déposez un fichier .csv ou .xlsx."))
    if not table:
        raise ValidationFailed(_("Le fichier ne contient aucune ligne."))
    header = [str(h or "").strip().lower() for h in table[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(
            _(
                "Colonnes obligatoires manquantes : %(cols)s. "
                "Exportez le plan pour obtenir le modèle."
            )
            % {"cols": ", ".join(missing)}
        )
    body = [r for r in table[1:] if any(str(c or "").strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise ValidationFailed(
            _("Trop de lignes : %(n)d au plus (le fichier en a %(m)d).")
            % {"n": MAX_ROWS, "m": len(body)}
        )
    rows = []
    for cells in body:
        row = {}
        for i, column in enumerate(header):
            if column in COLUMNS:
                value = cells[i] if i < len(cells) else ""
                row[column] = value
        rows.append(row)
    return rows


def _read_csv(data: bytes) -> list[list[Any]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise ValidationFailed(_("Ce fichier n'est pas un CSV lisible."))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    try:
        return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as error:
        raise ValidationFailed(_("CSV illisible : %(e)s.") % {"e": error}) from None


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors on broken files
        raise ValidationFailed(_("Ce fichier n'est pas un classeur XLSX lisible.")) from None
    try:
        sheet = workbook.worksheets[0]
        table = []
        for i, row in enumerate(sheet.iter_rows(values_only=True)):
            if i > MAX_ROWS + 1:
                raise ValidationFailed(_("Trop de lignes : %(n)d au plus.") % {"n": MAX_ROWS})
            table.append(list(row))
        return table
    finally:
        workbook.close()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    # Undo the export's neutralisation of texts that started with a formula character.
    if text.startswith("'") and len(text) > 1 and text[1] in "=+-@":
        text = text[1:]
    return text


def _choice_code(value: str, choices: Any, default: str) -> str:
    if not value:
        return default
    lowered = value.strip().lower()
    for code, label in choices.choices:
        if lowered in (code.lower(), str(label).lower()):
            return code
    return value  # left as is: the services say it is unknown


def preview(plan: Plan, upload: Any) -> Preview:
    """Validate every row without writing (the services' checks, minus the database ones)."""
    table = _read(upload)
    axes = {a.number: a for a in Axis.objects.filter(plan=plan)}
    existing = {a.number: a for a in Action.objects.filter(plan=plan)}
    new_axes: dict[int, str] = {}
    seen: set[int] = set()
    results = []
    for index, raw in enumerate(table, start=2):
        row = {k: _cell(v) for k, v in raw.items()}
        result = RowResult(
            line=index,
            number=row.get("number", ""),
            title=row.get("title", ""),
            axis=row.get("axis_number", ""),
            operation="",
        )
        results.append(result)
        try:
            axis_number = int(row.get("axis_number", ""))
            if not 1 <= axis_number <= 999:
                raise ValueError
        except ValueError:
            result.errors.append(_("Numéro d'axe invalide (entier de 1 à 999)."))
            continue
        try:
            number = int(row.get("number", ""))
            if not 1 <= number <= 99999:
                raise ValueError
        except ValueError:
            result.errors.append(_("Numéro d'action invalide (entier de 1 à 99 999)."))
            continue
        if number in seen:
            result.errors.append(_("L'action n° %(n)d apparaît deux fois.") % {"n": number})
            continue
        seen.add(number)
        axis = axes.get(axis_number)
        if axis is None:
            title = row.get("axis_title", "")
            if not title and axis_number not in new_axes:
                result.errors.append(
                    _("L'axe n° %(n)d n'existe pas : donnez son intitulé (axis_title).")
                    % {"n": axis_number}
                )
                continue
            if len(title) > 200:
                result.errors.append(_("Intitulé d'axe : 200 caractères au plus."))
                continue
            new_axes.setdefault(axis_number, title)
            # A stand-in axis so the services' checks run; the real one is created on apply.
            axis = Axis(plan=plan, number=axis_number, title=new_axes[axis_number])
            axis.pk = -axis_number
            axis.plan_id = plan.pk
        values = {
            "axis": axis,
            "number": number,
            "title": row.get("title", ""),
            "description": row.get("description", ""),
            "status": _choice_code(row.get("status", ""), ActionStatus, ActionStatus.UPCOMING),
            "priority": _choice_code(row.get("priority", ""), Priority, Priority.NORMAL),
            "start_date": row.get("start_date", ""),
            "end_date": row.get("end_date", ""),
            "budget_planned": row.get("budget_planned", ""),
            "budget_spent": row.get("budget_spent", ""),
            "progress": row.get("progress", ""),
            "weight": row.get("weight", ""),
            "pilot_roles": row.get("pilot_roles", ""),
        }
        current = existing.get(number)
        try:
            cleaned = services.clean_action(plan, values, action=current)
            codes = services.clean_question_codes(row.get("question_codes", ""))
        except MedianeError as error:
            result.errors.append(error.message)
            continue
        result.operation = "update" if current else "create"
        result.values = {
            **{k: v for k, v in cleaned.items() if k != "axis"},
            "axis_number": axis_number,
            "axis_title": new_axes.get(axis_number, ""),
            "question_codes": codes,
            "start_date": cleaned["start_date"].isoformat() if cleaned["start_date"] else "",
            "end_date": cleaned["end_date"].isoformat() if cleaned["end_date"] else "",
            "budget_planned": _str(cleaned["budget_planned"]),
            "budget_spent": _str(cleaned["budget_spent"]),
            "weight": _str(cleaned["weight"]),
        }
    return Preview(rows=results, new_axes=sorted(new_axes.items()))


def _str(value: Any) -> str:
    return "" if value is None else str(value)


@transaction.atomic
def apply(*, actor: Any, plan: Plan, rows: list[dict[str, Any]]) -> ApplyResult:
    """Write the previewed rows in one transaction (re-validated by the services)."""
    created = updated = axes_created = 0
    axes = {a.number: a for a in Axis.objects.filter(plan=plan)}
    for values in rows:
        number = values["axis_number"]
        axis = axes.get(number)
        if axis is None:
            axis = services.axis_create(
                actor=actor,
                plan=plan,
                number=number,
                title=values.get("axis_title") or _("Axe %(n)d") % {"n": number},
            )
            axes[number] = axis
            axes_created += 1
        fields = {k: values[k] for k in services.ACTION_FIELDS if k != "axis" and k in values}
        fields["axis"] = axis
        fields["question_codes"] = values.get("question_codes", [])
        current = Action.objects.filter(plan=plan, number=values["number"]).first()
        if current is None:
            services.action_create(actor=actor, plan=plan, **fields)
            created += 1
        else:
            services.action_update(actor=actor, action=current, **fields)
            updated += 1
    return ApplyResult(created=created, updated=updated, axes_created=axes_created)
