"""Property-based tests of every parser of user files (hypothesis).

Organisations import (CSV/XLSX), plan import preview, data hub upload reader (`open_table` and the
rows), scheduler instance (JSON or .dzn, as the `schedule` command reads it): arbitrary bytes and
structured-but-wrong inputs give the parser's own clear error — never another exception (a 500 on
the web, a traceback in the CLI) — each example within a time limit, and a file over the
documented size limit is refused.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mediane.core.errors import MedianeError
from mediane.datahub.tabular import TabularError, open_table
from mediane.directory.importer import ImportFileError, import_organisations
from mediane.plans import imports as plan_imports
from mediane.scheduling.management.commands.schedule import read_instance
from mediane.scheduling.model import InstanceError

SECONDS_PER_EXAMPLE = 2.0
FUZZ = settings(
    max_examples=60,
    deadline=None,  # measured below, with a clearer message than hypothesis' flaky deadline
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


class timed:
    def __enter__(self) -> timed:
        self.start = time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.monotonic() - self.start
        assert elapsed < SECONDS_PER_EXAMPLE, f"one example took {elapsed:.2f} s"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


XLSX_PARTS = [
    "[Content_Types].xml",
    "xl/workbook.xml",
    "xl/worksheets/sheet1.xml",
    "xl/sharedStrings.xml",
    "xl/_rels/workbook.xml.rels",
    "_rels/.rels",
    "mimetype",
    "content.xml",
]
CSV_ALPHABET = st.sampled_from(list(";,\t|\"'\r\n =+-@é\x00ab01"))

# Arbitrary bytes; text that looks like CSV; zip archives that look like spreadsheets but are not.
arbitrary_bytes = st.binary(max_size=4000)
csv_like = st.text(CSV_ALPHABET, max_size=600).map(lambda text: text.encode("utf-8"))
headed_csv = st.tuples(
    st.sampled_from([b"nom;type;pays\n", b"name,kind,country\n", b"titre,axe,numero\n"]),
    st.binary(max_size=600),
).map(lambda parts: parts[0] + parts[1])
spreadsheet_like = st.dictionaries(
    st.sampled_from(XLSX_PARTS), st.binary(max_size=300), min_size=1, max_size=5
).map(_zip)
files = st.one_of(arbitrary_bytes, csv_like, headed_csv, spreadsheet_like)


# --- Organisations import ---------------------------------------------------------------------
@pytest.mark.django_db
@FUZZ
@given(data=files, extension=st.sampled_from([".csv", ".xlsx", ".txt"]))
def test_organisations_import_gives_a_clear_error_or_a_report(data, extension):
    with timed():
        try:
            report = import_organisations(
                io.BytesIO(data), filename=f"fichier{extension}", dry_run=True
            )
        except ImportFileError as error:
            assert error.message
        else:
            assert report.written == 0


@pytest.mark.django_db
def test_organisations_import_refuses_a_file_over_the_limit(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(ImportFileError, match="trop volumineux"):
        import_organisations(io.BytesIO(b"nom;type\n" + b"x" * 1000), filename="a.csv")


# --- Plan import ------------------------------------------------------------------------------
@pytest.fixture
def plan(db):
    from tests.plans.factories import make_world

    return make_world().plan()


@pytest.mark.django_db
@FUZZ
@given(data=files, extension=st.sampled_from([".csv", ".xlsx", ".bin"]))
def test_plan_import_preview_gives_a_clear_error_or_a_preview(plan, data, extension):
    upload = SimpleUploadedFile(f"plan{extension}", data)
    with timed():
        try:
            plan_imports.preview(plan, upload)
        except MedianeError as error:
            assert error.message


@pytest.mark.django_db
def test_plan_import_refuses_a_file_over_the_limit(plan):
    upload = SimpleUploadedFile("plan.csv", b"x" * (plan_imports.MAX_BYTES + 1))
    with pytest.raises(MedianeError, match="trop volumineux"):
        plan_imports.preview(plan, upload)


# --- Data hub upload --------------------------------------------------------------------------
@FUZZ
@given(data=files)
def test_open_table_and_rows_give_a_tabular_error_or_rows(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("upload") / "envoi"
    path.write_bytes(data)
    with timed():
        try:
            with open_table(
                path, filename="envoi.csv", max_cell_bytes=2000, max_columns=50
            ) as table:
                assert isinstance(table.header, list)
                for row in table.rows():
                    assert all(isinstance(cell, str) for cell in row)
        except TabularError as error:
            assert error.code and error.message


def test_open_table_refuses_a_file_over_the_limit(tmp_path):
    path = tmp_path / "gros.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 300)
    with pytest.raises(TabularError) as caught:
        open_table(path, max_bytes=1000)
    assert caught.value.code == "too-large"


def test_open_table_refuses_a_line_over_the_cell_limit(tmp_path):
    path = tmp_path / "long.csv"
    path.write_bytes(b"a,b\n" + b"x" * 5000 + b",1\n")
    with pytest.raises(TabularError) as caught, open_table(path, max_cell_bytes=1000) as table:
        list(table.rows())
    assert caught.value.code == "line-too-long"


# --- Scheduler instance -----------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = ["slots", "tables", "participants", "meetings", "name", "breaks_within", "id", "session"]
instance_like = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=6)
instance_files = st.one_of(
    arbitrary_bytes,
    instance_like.map(lambda d: json.dumps(d).encode()),
    st.text(max_size=300).map(lambda t: ("int: n = " + t).encode("utf-8", "replace")),
)


@FUZZ
@given(data=instance_files, suffix=st.sampled_from([".json", ".dzn", ".txt"]))
def test_scheduler_instance_gives_an_instance_error_or_an_instance(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("instance") / f"instance{suffix}"
    path.write_bytes(data)
    with timed():
        try:
            read_instance(path)
        except InstanceError as error:
            assert str(error)


def test_scheduler_instance_refuses_a_file_over_the_limit(tmp_path, monkeypatch):
    from mediane.scheduling.management.commands import schedule

    monkeypatch.setattr(schedule, "MAX_FILE_BYTES", 100)
    path = tmp_path / "gros.json"
    path.write_text(json.dumps({"slots": ["x" * 200]}))
    with pytest.raises(InstanceError, match="trop gros"):
        read_instance(Path(path))
