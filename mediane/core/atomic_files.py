"""Files written whole or not at all, and the clean-up of what a killed process leaves behind.

`save_atomically` writes an upload under a hidden temporary name (`.<name>.<random>.part`) in
its final folder, flushes it to disk, then links it under its final name (a hard link never
replaces an existing file) and removes the temporary name: a reader, or the row that points to
the file, never sees half a file. Object stores (S3) need none of this: an object appears whole
when its upload completes. What a SIGKILL can still leave — a `.part` file, a complete file whose
row was never committed, Django's spool file of a request cut short — is removed by the
recovery's clean-up once older than MEDIANE_ORPHAN_FILE_SECONDS (core/task_recovery.py).
"""

from __future__ import annotations

import errno
import logging
import os
import re
import uuid
from collections.abc import Collection
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File

logger = logging.getLogger(__name__)

PARTIAL_SUFFIX = ".part"
# Django's TemporaryUploadedFile: tempfile.NamedTemporaryFile(suffix=".upload" + extension).
_SPOOL_NAME = re.compile(r"^tmp[A-Za-z0-9_]+\.upload(\.[^/]*)?$")


def local_root(storage: Any) -> Path | None:
    """The folder of a file-system storage; None for a remote one (S3)."""
    try:
        return Path(storage.path(""))
    except NotImplementedError:
        return None


def save_atomically(storage: Any, name: str, content: Any, *, max_length: int = 300) -> str:
    """Save `content` (a file-like object or a django File) under `name` or the free name the
    storage proposes; returns the name used. The file is complete under that name or absent."""
    if not isinstance(content, File):
        content = File(content)
    if local_root(storage) is None:
        return str(storage.save(name, content, max_length=max_length))
    name = storage.get_available_name(storage.generate_filename(name), max_length=max_length)
    final = Path(storage.path(name))
    final.parent.mkdir(parents=True, exist_ok=True)
    partial = final.with_name(f".{final.name}.{uuid.uuid4().hex[:12]}{PARTIAL_SUFFIX}")
    try:
        with partial.open("xb") as out:
            for chunk in content.chunks():
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if storage.file_permissions_mode is not None:
            os.chmod(partial, storage.file_permissions_mode)
        while True:
            try:
                os.link(partial, final)
                break
            except FileExistsError:  # taken meanwhile by another upload: next free name
                name = storage.get_available_name(name, max_length=max_length)
                final = Path(storage.path(name))
            except OSError as error:  # a file system without hard links
                if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV):
                    raise
                if final.exists():
                    name = storage.get_available_name(name, max_length=max_length)
                    final = Path(storage.path(name))
                    continue
                os.replace(partial, final)
                break
    finally:
        partial.unlink(missing_ok=True)
    return name


def _older(path: Path, before: float) -> bool:
    try:
        return path.stat().st_mtime < before
    except FileNotFoundError:
        return False


def remove_leftovers(
    root: Path, *, prefix: str, keep: Collection[str], older_than: datetime
) -> list[str]:
    """Under `root / prefix`, remove partial files and files not named in `keep` (names
    relative to `root`) last written before `older_than`; returns the names removed."""
    before = older_than.timestamp()
    removed: list[str] = []
    base = root / prefix
    if not base.is_dir():
        return removed
    for path in sorted(base.rglob("*")):
        if not path.is_file() or not _older(path, before):
            continue
        relative = path.relative_to(root).as_posix()
        if path.name.endswith(PARTIAL_SUFFIX) or relative not in keep:
            path.unlink(missing_ok=True)
            removed.append(relative)
    if removed:
        logger.warning("removed %d partial or orphaned file(s) under %s", len(removed), base)
    return removed


def remove_stale_upload_spools(*, older_than: datetime) -> list[str]:
    """Remove Django's spool files of uploads cut short (FILE_UPLOAD_TEMP_DIR; only names
    Django gives them, in case that folder is shared)."""
    folder = getattr(settings, "FILE_UPLOAD_TEMP_DIR", None)
    if not folder or not Path(folder).is_dir():
        return []
    before = older_than.timestamp()
    removed = []
    for path in Path(folder).iterdir():
        if path.is_file() and _SPOOL_NAME.match(path.name) and _older(path, before):
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed
