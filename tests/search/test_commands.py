"""`mediane reindex`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from mediane.search.models import SearchEntry
from mediane.search.services import register_indexer, unregister_indexer
from tests.search.conftest import KIND, doc

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes():
    register_indexer(KIND, lambda: (doc(i, f"Note {i}") for i in range(1, 4)))
    yield
    unregister_indexer(KIND)


def test_reindex_one_kind(notes):
    out = StringIO()
    call_command("reindex", "--kind", KIND, "--no-progress", stdout=out)
    assert "3 documents indexés" in out.getvalue()
    call_command("reindex", "--kind", KIND, stdout=StringIO(), stderr=StringIO())
    assert SearchEntry.objects.filter(kind=KIND).count() == 3


def test_reindex_unknown_kind_is_a_clear_error(notes):
    with pytest.raises(CommandError, match="Type inconnu : nope"):
        call_command("reindex", "--kind", "nope", stdout=StringIO())


def test_console_script_name(notes, capsys):
    from mediane.cli import main

    main(["mediane", "reindex", "--kind", KIND, "--no-progress"])
    assert "3 documents indexés" in capsys.readouterr().out
