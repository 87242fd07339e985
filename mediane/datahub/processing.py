"""Processing of one version, in the worker: read the file once (streaming), and in that single
pass validate it against the dataset's schema, scan it for personal data and write the stored
copy (normalised CSV and Parquet); then profile it and compare it with the current version.

A version that cannot be read is marked failed with its reason; the dataset's current version is
not touched. A version that can be read becomes the current one, unless the dataset is open
(public or members-only) and the new version has a blocking personal-data finding without a
legal basis: it is then held (processed, visible to the organisation only) until someone
transforms it, records a legal basis or makes the dataset private.
"""

from __future__ import annotations

import contextlib
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mediane.core.models import Visibility
from mediane.datahub.models import (
    Dataset,
    DatasetVersion,
    PrivacyStatus,
    ValidationStatus,
    VersionStatus,
)

log = logging.getLogger(__name__)


def _progress_writer(version_id: int) -> Callable[[float, str], None]:
    """Write the progress at most twice a second (outside any transaction of the caller)."""
    last = [0.0]

    def write(fraction: float, message: str) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and fraction < 1:
            return
        last[0] = now
        DatasetVersion.objects.filter(pk=version_id).update(
            progress=max(0.0, min(1.0, fraction)), progress_message=message[:200]
        )

    return write


@contextlib.contextmanager
def _local_original(version: DatasetVersion) -> Iterator[Path]:
    """A local path to the version's input: the uploaded file (copied from the storage when it
    is remote), or the stored CSV of the version it is derived from."""
    from mediane.datahub.services import version_directory

    if version.derived_from_id:  # type: ignore[attr-defined]
        parent = version.derived_from
        assert parent is not None
        yield version_directory(parent) / "data.csv"
        return
    storage = storages["private"]
    name = str(version.original.name)
    try:
        yield Path(storage.path(name))
        return
    except NotImplementedError:
        pass
    with tempfile.TemporaryDirectory(prefix="mediane-upload-") as tmp:
        local = Path(tmp) / Path(name).name
        with storage.open(name, "rb") as src, local.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1024 * 1024)
        yield local


def commune_lookup() -> Callable[[float, float], str | None]:
    """(latitude, longitude) -> name of the nearest municipality centre (France and Québec),
    or None farther than 30 km: the generalisation of precise coordinates."""
    import numpy as np

    from mediane.territories.models import Territory

    rows = list(
        Territory.objects.municipalities()  # type: ignore[attr-defined]
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list("name", "code", "latitude", "longitude")
    )
    if not rows:
        return lambda lat, lon: None
    names = [f"{name} ({code})" for name, code, _lat, _lon in rows]
    lat = np.radians(np.array([r[2] for r in rows], dtype=float))
    lon = np.radians(np.array([r[3] for r in rows], dtype=float))

    def nearest(latitude: float, longitude: float) -> str | None:
        phi, lam = np.radians(latitude), np.radians(longitude)
        x = (lon - lam) * np.cos((lat + phi) / 2)
        y = lat - phi
        d2 = x * x + y * y
        i = int(np.argmin(d2))
        if np.sqrt(d2[i]) * 6371 > 30:
            return None
        return names[i]

    return nearest


def _transformed(version: DatasetVersion, header: list[str], rows: Any) -> tuple[list[str], Any]:
    from mediane.datahub import privacy

    spec = version.transform or {}
    operation, column = spec.get("operation"), spec.get("column", "")
    if operation == "drop":
        return privacy.drop_column(header, rows, column)
    if operation == "pseudonymise":
        key = version.dataset.pseudonym_key.encode()
        return privacy.pseudonymise_column(header, rows, column, key)
    if operation == "year":
        return privacy.generalise_dates(header, rows, column)
    if operation == "commune":
        return privacy.generalise_coordinates(
            header, rows, column, spec.get("column2", ""), commune_lookup()
        )
    return header, rows


def _schema_key(definition: dict[str, Any] | None) -> list[str] | None:
    if not definition:
        return None
    key = definition.get("primaryKey")
    if isinstance(key, str):
        return [key]
    if isinstance(key, list) and key:
        return [str(k) for k in key]
    return None


def _types(definition: dict[str, Any] | None) -> dict[str, str] | None:
    if not definition:
        return None
    return {
        str(f.get("name")): str(f.get("type", "string"))
        for f in definition.get("fields", [])
        if f.get("name")
    }


def run_pipeline(
    path: Path,
    *,
    filename: str,
    directory: Path | None,
    schema: dict[str, Any] | None,
    transform: Callable[[list[str], Any], tuple[list[str], Any]] | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> dict[str, Any]:
    """Read `path` once: validate (when `schema`), scan, and store into `directory` (when
    given). Returns the facts of the version. The same code serves the web upload, the CLI
    (`mediane dataset validate|scan`) and the benchmark. Raises `tabular.TabularError` for an
    unreadable file."""
    from mediane.datahub import privacy, store, tabular, validation

    started = time.monotonic()
    with tabular.open_table(
        path, filename=filename, max_bytes=settings.DATAHUB_MAX_UPLOAD_BYTES
    ) as source:
        header = list(source.header)
        rows: Any = source.rows()
        if transform is not None:
            header, rows = transform(header, rows)
        scanner = privacy.TableScanner(header)
        total = max(1, int(source.bytes_total or 1))
        writer: store.VersionWriter | None = None
        if directory is not None:
            declared = _types(schema)
            if declared is not None:  # the schema's columns the file actually has
                declared = {k: v for k, v in declared.items() if header.count(k) == 1}
            writer = store.VersionWriter(header, directory, types=declared)

        # One thread, one pass: each row is scanned and written to the stored copy as the
        # validator pulls it (two threads sharing the GIL cost 60 % more on 1M rows).
        def tapped() -> Iterator[list[str]]:
            feed = scanner.feed
            write = writer.write if writer is not None else None
            for count, row in enumerate(rows, start=1):
                feed(row)
                if write is not None:
                    write(row)
                if progress is not None and count % 5000 == 0:
                    progress(
                        0.9 * source.bytes_read() / total,
                        _("Lecture, validation et analyse : %(n)s lignes…")
                        % {"n": f"{count:,}".replace(",", " ")},
                    )
                yield row

        try:
            if schema is not None:
                report = validation.validate(header, tapped(), schema)
                validation_dict: dict[str, Any] | None = report.to_dict()
            else:
                for _row in tapped():
                    pass
                validation_dict = None
            stored = writer.finish() if writer is not None else None
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        scan = scanner.finish()
        facts: dict[str, Any] = {
            "format": source.format,
            "encoding": getattr(source, "encoding", "") or "",
            "delimiter": getattr(source, "delimiter", "") or "",
            "header": header,
            "validation": validation_dict,
            "scan": scan.to_dict(),
            "privacy": str(scan.verdict),
            "seconds_read": time.monotonic() - started,
        }
    if stored is not None:
        facts["stored"] = stored
    return facts


def process_version(version_id: int) -> DatasetVersion:
    """Process a queued version (worker). Idempotent: a version already claimed is left."""
    from mediane.datahub import store, tabular
    from mediane.datahub.services import version_directory

    claimed = DatasetVersion.objects.filter(pk=version_id, status=VersionStatus.PENDING).update(
        status=VersionStatus.PROCESSING, progress=0.01, progress_message=_("Préparation…")
    )
    version = DatasetVersion.objects.select_related("dataset", "schema", "derived_from").get(
        pk=version_id
    )
    if not claimed:
        return version
    started = time.monotonic()
    in_transaction = transaction.get_connection().in_atomic_block
    progress = None if in_transaction else _progress_writer(version.pk)
    directory = version_directory(version)
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)
    schema = version.schema.definition if version.schema else None
    try:
        with _local_original(version) as path:
            facts = run_pipeline(
                path,
                filename=version.original_name,
                directory=directory,
                schema=schema,
                transform=(lambda h, r: _transformed(version, h, r))
                if version.derived_from_id  # type: ignore[attr-defined]
                else None,
                progress=progress,
            )
        if progress:
            progress(0.93, _("Profil des colonnes…"))
        store.profile(directory)
        dataset = version.dataset
        previous = dataset.current_version
        changes: dict[str, Any] = {}
        if previous is not None and previous.status == VersionStatus.READY:
            if progress:
                progress(0.96, _("Comparaison avec la version précédente…"))
            changes = _changes(previous, directory, schema)
    except tabular.TabularError as exc:
        return _fail(version, exc.code, exc.message, started, directory)
    except Exception as exc:  # an unexpected failure must not leave the version "processing"
        log.exception("datahub: version %s failed", version_id)
        return _fail(
            version,
            "internal",
            _("Le traitement a échoué (%(e)s). Le fichier est conservé ; réessayez ou signalez-le.")
            % {"e": type(exc).__name__},
            started,
            directory,
        )
    stored = facts["stored"]
    return _finish(version, facts, stored, changes, started)


def _changes(
    previous: DatasetVersion, directory: Path, schema: dict[str, Any] | None
) -> dict[str, Any]:
    """What changed since `previous`: rows matched by the schema's primary key when both
    versions have it, else by a key both versions share, else whole rows compared. A comparison
    that fails is reported, never fatal: the version itself is fine."""
    from mediane.datahub import store
    from mediane.datahub.services import version_directory

    old_dir = version_directory(previous)
    try:
        old_names = {c.label: c.name for c in store.open_version(old_dir).columns}
        new_names = {c.label: c.name for c in store.open_version(directory).columns}
        key: list[str] | None = None
        declared = _schema_key(schema) or []
        if declared and all(
            k in old_names and k in new_names and old_names[k] == new_names[k] for k in declared
        ):
            key = [new_names[k] for k in declared]
        if key is None:
            key = store.guess_key(old_dir, directory)
        try:
            diff = store.diff(old_dir, directory, key=key)
        except store.QueryError:
            if key is None:
                raise
            diff = store.diff(old_dir, directory, key=None)  # the key is not unique in the data
    except (store.StoreError, OSError) as error:
        log.warning("datahub: no comparison with version %s: %s", previous.number, error)
        return {"from": previous.number, "error": str(getattr(error, "message", error))}
    return {"from": previous.number, **_asdict(diff)}


def _asdict(obj: Any) -> dict[str, Any]:
    """A JSON-safe dict of a report object (dates and paths as text)."""
    import dataclasses
    import json

    if hasattr(obj, "to_dict"):
        data = obj.to_dict()
    elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        data = dataclasses.asdict(obj)
    else:
        data = dict(obj)
    return json.loads(json.dumps(data, default=str))  # type: ignore[no-any-return]


def _fail(
    version: DatasetVersion, code: str, message: str, started: float, directory: Path
) -> DatasetVersion:
    shutil.rmtree(directory, ignore_errors=True)
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=VersionStatus.FAILED,
        error_code=str(code)[:40],
        error=message,
        progress=1.0,
        progress_message="",
        processed_at=timezone.now(),
        seconds=time.monotonic() - started,
    )
    version.refresh_from_db()
    _notify(version, failed=True)
    return version


@transaction.atomic
def _finish(
    version: DatasetVersion,
    facts: dict[str, Any],
    stored: Any,
    changes: dict[str, Any],
    started: float,
) -> DatasetVersion:
    from mediane.datahub import search

    validation = facts["validation"]
    version.status = VersionStatus.READY
    version.file_format = facts["format"]
    version.encoding = facts["encoding"][:32]
    version.delimiter = facts["delimiter"][:4]
    version.row_count = stored.row_count
    version.columns = [column.to_json() for column in stored.columns]
    version.sha256 = stored.sha256[:64]
    if validation is None:
        version.validation_status = ValidationStatus.NONE
        version.validation = {}
    else:
        version.validation_status = (
            ValidationStatus.VALID if validation.get("valid") else ValidationStatus.INVALID
        )
        version.validation = validation
    version.scan = facts["scan"]
    version.privacy_status = {
        "block": PrivacyStatus.BLOCK,
        "warn": PrivacyStatus.WARN,
    }.get(facts["privacy"], PrivacyStatus.OK)
    version.changes = changes
    version.progress = 1.0
    version.progress_message = ""
    version.processed_at = timezone.now()
    version.seconds = time.monotonic() - started
    version.save()
    dataset = Dataset.objects.select_for_update().get(pk=version.dataset_id)  # type: ignore[attr-defined]
    version.dataset = dataset
    from mediane.datahub.selectors import standing_blocks

    held = dataset.visibility != Visibility.PRIVATE and bool(standing_blocks(version))
    current = dataset.current_version
    newer = current is None or current.number < version.number
    if not held and newer:
        dataset.current_version = version
        dataset.save(update_fields=["current_version", "updated_at"])
        transaction.on_commit(lambda: search.index(dataset))
    _notify(version, held=held)
    return version


def _notify(version: DatasetVersion, *, failed: bool = False, held: bool = False) -> None:
    from django.urls import reverse

    from mediane.notifications.services import notify

    user = version.created_by
    if user is None:
        return
    if failed:
        title = _("La version %(n)d de « %(t)s » n'a pas pu être traitée.")
    elif held:
        title = _(
            "La version %(n)d de « %(t)s » contient des données personnelles : elle n'est pas "
            "publiée."
        )
    else:
        title = _("La version %(n)d de « %(t)s » est prête.")
    notify(
        recipients=[user],
        topic="data",
        verb="version.failed" if failed else "version.ready",
        title=title % {"n": version.number, "t": version.dataset.title},
        url=reverse("datahub:version", args=[version.dataset.slug, version.number]),
        target=version.dataset,
    )
