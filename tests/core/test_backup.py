"""`mediane backup` / `mediane restore`: a round trip through the archive gives back every table,
row for row, and the files; a damaged archive changes nothing."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from mediane.core.backup import _storage, backup_models
from mediane.directory.models import Organisation
from tests.datahub.factories import PLAIN_CSV, dataset, make_hub, upload
from tests.market.factories import make_world

pytestmark = pytest.mark.django_db(transaction=True)


def tables_content() -> dict[str, list[tuple]]:
    """Every table of a model, its rows in primary-key order, every column."""
    content = {}
    for model in backup_models():
        names = [f.attname for f in model._meta.local_concrete_fields]
        content[model._meta.db_table] = list(model._base_manager.order_by("pk").values_list(*names))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT rowid, title, meta FROM search_fts ORDER BY rowid")
            content["search_fts"] = cursor.fetchall()
    return content


def files_content() -> dict[tuple[str, str], bytes]:
    found = {}
    for storage_name in ("default", "private", "datahub"):
        storage = _storage(storage_name)

        def walk(prefix: str, storage=storage, storage_name=storage_name) -> None:
            try:
                folders, files = storage.listdir(prefix)
            except FileNotFoundError:
                return
            for name in files:
                with storage.open(prefix + name, "rb") as handle:
                    found[(storage_name, prefix + name)] = handle.read()
            for folder in folders:
                walk(prefix + folder + "/")

        walk("")
    return found


def wipe_files() -> None:
    for storage_name, name in files_content():
        _storage(storage_name).delete(name)


@pytest.fixture
def site() -> None:
    """Data across apps: people and organisations, a published challenge with an answer, a
    dataset version with its uploaded file, a logo in the public media."""
    if connection.vendor == "sqlite":
        # A flush (transactional tests before this one) leaves SQLite's full-text virtual table
        # as it was: start from an index that matches the database, as a real site's does.
        from mediane.search.backends.sqlite import TABLE

        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608 - a constant
    world = make_world()
    challenge = world.open_challenge()
    world.answer(challenge)
    world.offer()
    hub = make_hub()
    upload(hub, dataset(hub), PLAIN_CSV)
    name = storages["default"].save("logos/nevers.png", ContentFile(b"\x89PNG-logo\x00\xff"))
    Organisation.objects.filter(pk=world.city.pk).update(logo=name)


def test_round_trip_gives_back_every_table_and_file(site, tmp_path: Path) -> None:
    before = tables_content()
    files_before = files_content()
    assert sum(len(rows) for rows in before.values()) > 50
    assert any(storage == "private" for storage, _ in files_before)
    assert any(storage == "datahub" for storage, _ in files_before)
    assert ("default", "logos/nevers.png") in files_before
    archive = tmp_path / "sauvegarde.tar.gz"
    out = io.StringIO()
    call_command("backup", str(archive), stdout=out)
    assert "Sauvegarde écrite" in out.getvalue()

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))  # type: ignore[arg-type]
    assert manifest["vendor"] == connection.vendor
    counts = {t["table"]: t["rows"] for t in manifest["tables"]}
    assert counts["directory_organisation"] == len(before["directory_organisation"])
    assert all(len(t["sha256"]) == 64 for t in manifest["tables"])

    # A database with content is not replaced without --force.
    with pytest.raises(CommandError, match="n'est pas vide.*--force"):
        call_command("restore", str(archive))

    # Changes after the backup are undone by a forced restore.
    Organisation.objects.filter(pk=Organisation.objects.order_by("pk")[0].pk).update(name="Autre")
    Organisation.objects.create(name="Créée après", slug="creee-apres", kind="entreprise")
    storages["default"].delete("logos/nevers.png")
    out = io.StringIO()
    call_command("restore", str(archive), "--force", stdout=out)
    assert "Restauration terminée" in out.getvalue()
    assert "directory_organisation" in out.getvalue()
    assert tables_content() == before
    assert files_content() == files_before

    # Into an emptied database (flush, no files): no --force needed, same content.
    call_command("flush", interactive=False, verbosity=0)
    wipe_files()
    call_command("restore", str(archive), verbosity=0)
    after = tables_content()
    for table, rows in before.items():
        assert after[table] == rows, table
    assert after == before
    assert files_content() == files_before

    # Sequences follow the restored rows: a new row gets a fresh id.
    created = Organisation.objects.create(name="Nouvelle", slug="nouvelle", kind="entreprise")
    assert created.pk > max(row[0] for row in before["directory_organisation"])


def _rewrite(archive: Path, target: Path, change) -> None:  # type: ignore[no-untyped-def]
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read()  # type: ignore[union-attr]
            data = change(member.name, data)
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))


def test_damaged_archive_is_refused_and_changes_nothing(site, tmp_path: Path) -> None:
    archive = tmp_path / "sauvegarde.tar.gz"
    call_command("backup", str(archive), verbosity=0)
    Organisation.objects.create(name="Après", slug="apres", kind="entreprise")
    before, files_before = tables_content(), files_content()

    truncated = tmp_path / "tronquee.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    garbage = tmp_path / "n-importe-quoi.tar.gz"
    garbage.write_bytes(gzip.compress(b"pas une archive"))
    tampered = tmp_path / "modifiee.tar.gz"
    _rewrite(
        archive,
        tampered,
        lambda name, data: (
            data.replace(b"Ville de Nevers", b"Ville de Never")
            if name == "db/directory_organisation.jsonl"
            else data
        ),
    )
    for damaged, message in [
        (truncated, "illisible ou incomplète"),
        (garbage, "illisible ou incomplète"),
        (tampered, "somme de contrôle de la table directory_organisation"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(damaged), "--force")
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(damaged), "--check")
    with pytest.raises(CommandError, match="introuvable"):
        call_command("restore", str(tmp_path / "absente.tar.gz"), "--force")
    assert tables_content() == before
    assert files_content() == files_before

    out = io.StringIO()
    call_command("restore", str(archive), "--check", stdout=out)
    assert "Archive valide" in out.getvalue()
