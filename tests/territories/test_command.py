"""The `import-territories` command: summary, search index, --only, errors."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mediane.search.models import SearchEntry
from mediane.territories.models import Territory

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("import_territories", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_command_imports_indexes_and_summarises(data_dir):
    output = run("--data-dir", str(data_dir))
    assert "FR municipality : 4 créés, 0 modifiés, 0 inchangés" in output
    assert "ignorés (Réserve indienne) : 1" in output
    assert "Import terminé" in output
    # Municipalities and groupings are searchable; régions and départements are not indexed.
    indexed = Territory.objects.filter(kind__in=["municipality", "grouping"]).count()
    assert SearchEntry.objects.filter(kind="territory").count() == indexed == 10
    output = run("--data-dir", str(data_dir))
    assert "FR municipality : 0 créés, 0 modifiés, 4 inchangés" in output
    assert Territory.objects.count() == 18


def test_command_only_option(data_dir):
    run("--data-dir", str(data_dir), "--only", "fr:65286,QC:36033", "--no-index")
    assert set(Territory.objects.filter(kind="municipality").values_list("name", flat=True)) == {
        "Lourdes",
        "Shawinigan",
    }
    assert not SearchEntry.objects.exists()


def test_command_errors_are_clear(data_dir, tmp_path):
    with pytest.raises(CommandError, match="--only invalide"):
        run("--data-dir", str(data_dir), "--only", "65286")
    with pytest.raises(CommandError, match="introuvable"):
        run("--data-dir", str(tmp_path / "nothing"))


def test_search_finds_an_imported_territory(data_dir):
    from mediane.search.selectors import search

    run("--data-dir", str(data_dir))
    results = search(user=None, query="shawinigan", kinds=["territory"])
    assert results.total == 1 and results.hits[0].url == "/territoires/shawinigan-36033/"
