"""Backup and restore of a whole Médiane site: database and files, in one archive.

`write_backup(path)` takes a consistent snapshot while the site runs and writes one `.tar.gz`:

- `manifest.json` — format version, Médiane version, database vendor, date, applied migrations,
  and per table its columns, row count and the SHA-256 of its data file; per file its size and
  SHA-256;
- `db/<table>.jsonl` — one JSON array per row, in primary-key order, values in a portable form
  (ISO dates, decimals as text, binary as base64), so that a backup of SQLite restores on
  PostgreSQL and back;
- `files/<storage>/<name>` — the files of the `default` (public media) and `private` storages,
  read through Django's storage API (local folders or S3 alike), and of the data hub's processed
  versions (`datahub`, the local folder `DATAHUB_ROOT`).

Consistency: on SQLite the live database is first copied with SQLite's online backup API into a
temporary file, which is then read; on PostgreSQL every table is read inside one
`REPEATABLE READ, READ ONLY` transaction, i.e. from one snapshot. Files are copied after the
database snapshot: a file uploaded meanwhile may be included (unreferenced, harmless).

`restore_backup(path)` checks the whole archive first (manifest, checksums, row counts, files),
refuses a non-empty database unless `force=True`, then replaces the content of every table in
one transaction (all or nothing), resets PostgreSQL's sequences, rebuilds SQLite's full-text
index from the restored search entries and writes the files back.
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import hashlib
import io
import json
import os
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.core.management.color import no_style
from django.db import connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.translation import gettext as _

from mediane.core.errors import MedianeError

FORMAT = "mediane-backup"
FORMAT_VERSION = 1
STORAGE_NAMES = ("default", "private", "datahub")
# Tables that `mediane migrate` fills by itself (content types, permissions, and the reference
# data seeded by data migrations): rows there do not make a database "non-empty".
MIGRATE_FILLED = {
    "auth_permission",
    "datahub_tableschema",
    "diagnostic_dimension",
    "diagnostic_question",
    "diagnostic_questionnaireversion",
    "directory_sector",
    "django_content_type",
    "labels_labelcriterion",
}
_SNAPSHOT_ALIAS = "mediane_backup_snapshot"
_BATCH = 1000


class BackupError(MedianeError):
    code = "backup_error"


@dataclass
class TableReport:
    table: str
    rows: int
    checksum: str


@dataclass
class Report:
    tables: list[TableReport] = field(default_factory=list)
    files: int = 0
    file_bytes: int = 0


def mediane_version() -> str:
    try:
        return version("mediane")
    except PackageNotFoundError:  # pragma: no cover - always installed in a checkout
        return "inconnue"


# --- Tables and values ----------------------------------------------------------------------


def backup_models() -> list[type[models.Model]]:
    """Every model that owns a table, many-to-many tables included, sorted by table name."""
    found: dict[str, type[models.Model]] = {}
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.swapped:
            continue
        found.setdefault(meta.db_table, model)
    return [found[table] for table in sorted(found)]


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [
        f
        for f in model._meta.local_concrete_fields
        if not getattr(f, "generated", False) and f.column
    ]


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    raise TypeError(f"valeur non sauvegardable : {type(value).__name__}")


def _row_line(row: tuple) -> bytes:
    text = json.dumps(list(row), default=_encode, ensure_ascii=False, separators=(",", ":"))
    return text.encode("utf-8") + b"\n"


def _decode(field_: models.Field, value: Any) -> Any:
    if value is None or isinstance(field_, models.JSONField):
        return value
    if isinstance(field_, models.BinaryField):
        return base64.b64decode(value)
    return field_.to_python(value)


def dump_table(model: type[models.Model], alias: str) -> Iterator[bytes]:
    """The rows of `model`'s table read on `alias`, one JSON line each, in primary-key order."""
    names = [f.attname for f in _columns(model)]
    rows = model._base_manager.using(alias).order_by("pk").values_list(*names)
    for row in rows.iterator(chunk_size=_BATCH):
        yield _row_line(row)


# --- Backup ---------------------------------------------------------------------------------


def _sqlite_snapshot(directory: Path) -> str:
    """Copy the live SQLite database with the online backup API; return a connection alias."""
    path = directory / "snapshot.sqlite3"
    connection.ensure_connection()
    import sqlite3

    target = sqlite3.connect(path)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    settings_dict = dict(connections.settings["default"])
    settings_dict["NAME"] = str(path)
    settings_dict["OPTIONS"] = {
        k: v for k, v in settings_dict.get("OPTIONS", {}).items() if k != "init_command"
    }
    settings_dict["CONN_MAX_AGE"] = 0
    # A connection of this thread only, never added to the settings' databases.
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, _SNAPSHOT_ALIAS)
    connections[_SNAPSHOT_ALIAS] = wrapper
    return _SNAPSHOT_ALIAS


def _drop_alias(alias: str) -> None:
    if alias == "default":
        return
    connections[alias].close()
    del connections[alias]


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    tar.addfile(info, io.BytesIO(data))


def _storage(name: str) -> Storage:
    """`default`/`private` are Django storages; `datahub` is the processed versions' folder."""
    if name == "datahub":
        from django.conf import settings

        return FileSystemStorage(location=settings.DATAHUB_ROOT, base_url=None)
    return storages[name]


def _walk(storage: Storage, prefix: str = "") -> Iterator[str]:
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{prefix}{name}"
    for folder in sorted(folders):
        yield from _walk(storage, f"{prefix}{folder}/")


def _add_tables(tar: tarfile.TarFile, alias: str, work: Path, report: Report) -> list[dict]:
    tables = []
    for model in backup_models():
        table = model._meta.db_table
        digest = hashlib.sha256()
        count = 0
        data_path = work / "table.jsonl"
        with data_path.open("wb") as out:
            for line in dump_table(model, alias):
                digest.update(line)
                out.write(line)
                count += 1
        tar.add(data_path, arcname=f"db/{table}.jsonl")
        checksum = digest.hexdigest()
        entry = {
            "table": table,
            "model": model._meta.label_lower,
            "columns": [f.column for f in _columns(model)],
            "rows": count,
            "sha256": checksum,
        }
        tables.append(entry)
        report.tables.append(TableReport(table, count, checksum))
    return tables


def _add_files(tar: tarfile.TarFile, work: Path, report: Report) -> list[dict]:
    files = []
    for storage_name in STORAGE_NAMES:
        storage = _storage(storage_name)
        for name in _walk(storage):
            digest = hashlib.sha256()
            copy = work / "file"
            with storage.open(name, "rb") as source, copy.open("wb") as out:
                while chunk := source.read(1024 * 1024):
                    digest.update(chunk)
                    out.write(chunk)
            size = copy.stat().st_size
            tar.add(copy, arcname=f"files/{storage_name}/{name}")
            files.append(
                {"storage": storage_name, "name": name, "size": size, "sha256": digest.hexdigest()}
            )
            report.files += 1
            report.file_bytes += size
    return files


def _applied_migrations(alias: str) -> list[str]:
    recorder = MigrationRecorder(connections[alias])
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def write_backup(path: Path, *, include_files: bool = True) -> Report:
    """Write a consistent backup of the database (and files) to `path`, atomically."""
    path = Path(path)
    report = Report()
    vendor = connection.vendor
    if vendor not in {"sqlite", "postgresql"}:
        raise BackupError(_("Base de données non prise en charge : %s.") % vendor)
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mediane-backup-") as tmp:
        work = Path(tmp)
        partial = path.with_name(f".{path.name}.partial")
        try:
            with tarfile.open(partial, "w:gz") as tar:
                if vendor == "sqlite":
                    alias = _sqlite_snapshot(work)
                    try:
                        migrations = _applied_migrations(alias)
                        tables = _add_tables(tar, alias, work, report)
                    finally:
                        _drop_alias(alias)
                else:
                    if connection.in_atomic_block:
                        raise BackupError(
                            _("La sauvegarde doit être lancée hors de toute transaction.")
                        )
                    with transaction.atomic():
                        with connection.cursor() as cursor:
                            cursor.execute(
                                "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY"
                            )
                        migrations = _applied_migrations("default")
                        tables = _add_tables(tar, "default", work, report)
                files = _add_files(tar, work, report) if include_files else []
                manifest = {
                    "format": FORMAT,
                    "format_version": FORMAT_VERSION,
                    "mediane_version": mediane_version(),
                    "vendor": vendor,
                    "created_at": timezone.now().isoformat(),
                    "migrations": migrations,
                    "tables": tables,
                    "files_included": include_files,
                    "files": files,
                }
                _add_bytes(tar, "manifest.json", json.dumps(manifest, indent=1).encode())
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
    return report


# --- Restore --------------------------------------------------------------------------------


def _corrupt(detail: str) -> BackupError:
    return BackupError(
        _("Archive de sauvegarde illisible ou incomplète (%s) : rien n'a été modifié.") % detail,
        code="backup_corrupt",
    )


def _extract(path: Path, work: Path) -> dict:
    """Unpack the archive into `work` and check it fully; return its manifest."""
    if not path.is_file():
        raise BackupError(_("Fichier introuvable : %s.") % path, code="backup_missing")
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(work, filter="data")
    except (tarfile.TarError, EOFError, OSError, ValueError) as exc:
        raise _corrupt(str(exc) or type(exc).__name__) from None
    try:
        manifest = json.loads((work / "manifest.json").read_text("utf-8"))
    except (OSError, ValueError):
        raise _corrupt(_("manifeste absent ou invalide")) from None
    if manifest.get("format") != FORMAT:
        raise _corrupt(_("ce n'est pas une sauvegarde Médiane"))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("Version de format %(found)s non prise en charge (attendue : %(expected)s).")
            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION},
            code="backup_version",
        )
    for entry in manifest["tables"]:
        data = work / "db" / f"{entry['table']}.jsonl"
        if not data.is_file():
            raise _corrupt(_("table %s absente") % entry["table"])
        digest, count = hashlib.sha256(), 0
        with data.open("rb") as handle:
            for line in handle:
                digest.update(line)
                count += 1
        if digest.hexdigest() != entry["sha256"] or count != entry["rows"]:
            raise _corrupt(_("somme de contrôle de la table %s") % entry["table"])
    for entry in manifest["files"]:
        file_path = work / "files" / entry["storage"] / entry["name"]
        if not file_path.is_file() or _file_sha256(file_path) != entry["sha256"]:
            raise _corrupt(_("fichier %s") % entry["name"])
    return manifest


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def nonempty_tables() -> list[str]:
    """Tables of the current database holding rows, besides those `migrate` fills itself."""
    return [
        model._meta.db_table
        for model in backup_models()
        if model._meta.db_table not in MIGRATE_FILLED and model._base_manager.exists()
    ]


def _check_compatible(manifest: dict) -> dict[str, type[models.Model]]:
    by_table = {model._meta.db_table: model for model in backup_models()}
    here = set(_applied_migrations("default"))
    there = set(manifest["migrations"])
    if here != there:
        missing, extra = sorted(there - here), sorted(here - there)
        raise BackupError(
            _(
                "La sauvegarde ne correspond pas au schéma de cette base (migrations absentes "
                "ici : %(missing)s ; en plus ici : %(extra)s). Restaurez avec la version de "
                "Médiane qui l'a faite (%(version)s), sur une base migrée (`mediane migrate`)."
            )
            % {
                "missing": ", ".join(missing[:5]) or "—",
                "extra": ", ".join(extra[:5]) or "—",
                "version": manifest.get("mediane_version", "?"),
            },
            code="backup_schema",
        )
    for entry in manifest["tables"]:
        model = by_table.get(entry["table"])
        if model is None or [f.column for f in _columns(model)] != entry["columns"]:
            raise BackupError(
                _("La table %s de la sauvegarde ne correspond pas à cette version.")
                % entry["table"],
                code="backup_schema",
            )
    return by_table


def _load_table(model: type[models.Model], columns: list[str], data: Path) -> int:
    fields = {f.column: f for f in _columns(model)}
    ordered = [fields[c] for c in columns]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - quoted model names
        qn(model._meta.db_table),
        ", ".join(qn(c) for c in columns),
        ", ".join(["%s"] * len(columns)),
    )
    count = 0
    with data.open("rb") as handle, connection.cursor() as cursor:
        batch: list[list] = []
        for line in handle:
            values = json.loads(line)
            batch.append(
                [
                    f.get_db_prep_save(_decode(f, v), connection)
                    for f, v in zip(ordered, values, strict=True)
                ]
            )
            if len(batch) >= _BATCH:
                cursor.executemany(sql, batch)
                count += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _rebuild_fulltext() -> None:
    """SQLite keeps full-text rows in a virtual table outside the models: rebuild it."""
    if connection.vendor != "sqlite":
        return
    from mediane.search.backends import get_backend
    from mediane.search.backends.sqlite import TABLE
    from mediane.search.models import SearchEntry

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - a constant
    backend = get_backend()
    batch: list = []
    for entry in SearchEntry.objects.order_by("pk").iterator(chunk_size=_BATCH):
        batch.append(entry)
        if len(batch) >= _BATCH:
            backend.write(batch, fresh=True)
            batch = []
    if batch:
        backend.write(batch, fresh=True)


def _restore_files(manifest: dict, work: Path) -> None:
    for entry in manifest["files"]:
        storage = _storage(entry["storage"])
        name = entry["name"]
        if storage.exists(name):
            storage.delete(name)
        with (work / "files" / entry["storage"] / name).open("rb") as handle:
            saved = storage.save(name, ContentFile(handle.read()))
        if saved != name:
            raise BackupError(_("Le fichier %s n'a pas pu être restauré à l'identique.") % name)


def restore_backup(
    path: Path, *, force: bool = False, progress: Callable[[TableReport], object] | None = None
) -> Report:
    """Restore the archive at `path`: everything or, on any error, nothing."""
    report = Report()
    with tempfile.TemporaryDirectory(prefix="mediane-restore-") as tmp:
        work = Path(tmp)
        manifest = _extract(Path(path), work)
        by_table = _check_compatible(manifest)
        if not force:
            filled = nonempty_tables()
            if filled:
                raise BackupError(
                    _(
                        "La base de données n'est pas vide (%(tables)s…) : la restauration "
                        "remplacerait tout son contenu. Relancez avec --force pour l'accepter."
                    )
                    % {"tables": ", ".join(filled[:5])},
                    code="backup_not_empty",
                )
        models_ = [by_table[entry["table"]] for entry in manifest["tables"]]
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            tables = [m._meta.db_table for m in backup_models()]
            flush = connection.ops.sql_flush(no_style(), tables, allow_cascade=False)
            with connection.cursor() as cursor:
                for statement in flush:
                    cursor.execute(statement)
            for entry, model in zip(manifest["tables"], models_, strict=True):
                count = _load_table(
                    model, entry["columns"], work / "db" / f"{entry['table']}.jsonl"
                )
                if count != entry["rows"]:
                    raise BackupError(
                        _("Table %(table)s : %(count)d lignes restaurées sur %(rows)d.")
                        % {"table": entry["table"], "count": count, "rows": entry["rows"]}
                    )
                table_report = TableReport(entry["table"], count, entry["sha256"])
                report.tables.append(table_report)
                if progress:
                    progress(table_report)
            reset = connection.ops.sequence_reset_sql(no_style(), models_)
            with connection.cursor() as cursor:
                for statement in reset:
                    cursor.execute(statement)
                if connection.vendor == "sqlite":
                    cursor.execute("PRAGMA foreign_key_check")
                    broken = cursor.fetchall()
                    if broken:
                        raise BackupError(
                            _("Références cassées après restauration (table %s).") % broken[0][0]
                        )
            _rebuild_fulltext()
            ContentType.objects.clear_cache()
            _restore_files(manifest, work)
            report.files = len(manifest["files"])
            report.file_bytes = sum(entry["size"] for entry in manifest["files"])
    return report


def read_manifest(path: Path) -> dict:
    """The manifest of the archive at `path`, checked (used by `mediane restore --check`)."""
    with tempfile.TemporaryDirectory(prefix="mediane-restore-") as tmp:
        return _extract(Path(path), Path(tmp))


__all__ = ["BackupError", "read_manifest", "restore_backup", "write_backup"]
