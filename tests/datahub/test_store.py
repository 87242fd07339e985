"""Stored versions (mediane.datahub.store): writing, typed reads, filters, exports, profiles,
chart data and differences. Plain pytest on temporary directories, no database."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import resource
import time
from pathlib import Path

import duckdb
import pytest

from mediane.datahub import store
from mediane.datahub.store import Filter, QueryError, StoreError

slow = pytest.mark.skipif(
    os.environ.get("MEDIANE_SLOW") != "1", reason="slow measurement: set MEDIANE_SLOW=1"
)

HEADER = ["Nom de l'école", "Nom de l'école", 'Le "quoted"', "", "Ligne\nsur deux", "montant"]
ROWS = [
    ["École Jules-Verne", "a", 'dit "bonjour", puis part', "1", "x", "-12.5"],
    ["Collège Œuvre", "b", "deux\nlignes\r\net retour", "", "", "3"],
    ["", "", "", "", "", ""],
    ["lycée", "d", "é,à;ü\t", "4", "z", "1e3"],
]


def write(tmp_path: Path, header, rows, name="v1", **kwargs) -> Path:
    directory = tmp_path / name
    store.write_version(header, iter(rows), directory, **kwargs)
    return directory


def rows_of(directory: Path, **kwargs) -> list[list]:
    return store.query(directory, limit=1000, **kwargs).rows


def column_values(directory: Path, column: str, **kwargs) -> list:
    return [row[0] for row in store.query(directory, columns=[column], limit=1000, **kwargs).rows]


# --- Writing -----------------------------------------------------------------------------------


def test_round_trip_keeps_every_cell_and_label(tmp_path):
    progress: list[store.WriteProgress] = []
    version = store.write_version(HEADER, iter(ROWS), tmp_path / "v", progress=progress.append)

    assert version.row_count == 4
    assert [c.label for c in version.columns] == HEADER
    assert [c.name for c in version.columns] == [
        "nom_de_l_ecole",
        "nom_de_l_ecole_2",
        "le_quoted",
        "colonne_4",
        "ligne_sur_deux",
        "montant",
    ]
    assert [p.phase for p in progress] == ["types", "parquet", "done"]
    data = (tmp_path / "v" / "data.csv").read_bytes()
    assert data.startswith("Nom de l'école,".encode())
    assert b"\r\n" in data
    assert version.sha256 == hashlib.sha256(data).hexdigest()
    assert version.csv_bytes == len(data)
    assert version.parquet_bytes == (tmp_path / "v" / "data.parquet").stat().st_size
    with (tmp_path / "v" / "data.csv").open(encoding="utf-8", newline="") as f:
        assert list(csv.reader(f)) == [HEADER, *ROWS]
    # The typed copy: the same text, empty cells read as null, numbers as numbers.
    assert rows_of(tmp_path / "v") == [
        ["École Jules-Verne", "a", 'dit "bonjour", puis part', 1, "x", -12.5],
        ["Collège Œuvre", "b", "deux\nlignes\r\net retour", None, None, 3.0],
        [None, None, None, None, None, None],
        ["lycée", "d", "é,à;ü\t", 4, "z", 1000.0],
    ]
    assert store.open_version(tmp_path / "v") == version
    assert not list((tmp_path / "v").glob("*.part"))


def test_random_text_round_trips(tmp_path):
    """Cells and labels made of the characters that break CSV readers (quotes, separators, bare
    CR or LF, CRLF, NUL, tabs) come back unchanged in data.csv and in the text columns."""
    pieces = ["a", "é", ",", ";", '"', "'", "\n", "\r", "\r\n", " ", "\x00", "\t", "1", "-", "="]
    rnd = random.Random(20261127)
    for trial in range(60):
        width = rnd.randint(1, 4)

        def cell():
            return "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 6)))

        header = [cell() for _ in range(width)]
        rows = [[cell() for _ in range(width)] for _ in range(rnd.randint(0, 8))]
        directory = write(tmp_path, header, rows, name=f"v{trial}")
        with (directory / "data.csv").open(encoding="utf-8", newline="") as f:
            assert list(csv.reader(f)) == [header, *rows]
        version = store.open_version(directory)
        assert [c.label for c in version.columns] == header
        text = [i for i, c in enumerate(version.columns) if c.sql_type == "VARCHAR"]
        assert [[row[i] for i in text] for row in rows_of(directory)] == [
            [row[i] or None for i in text] for row in rows
        ], (header, rows)


def test_safe_names_are_unique_identifiers():
    names = store.safe_names(
        ["", "Prénom", "prenom", "Prénom", "2024", "   ", "x" * 80, "file_row_number", "Cœur"]
    )
    assert names == [
        "colonne_1",
        "prenom",
        "prenom_2",
        "prenom_3",
        "c_2024",
        "colonne_6",
        "x" * 60,
        "file_row_number_2",
        "coeur",
    ]
    assert len(set(names)) == len(names)


def test_types_are_inferred_from_every_value(tmp_path):
    header = ["entier", "nombre", "oui", "jour", "jour_fr", "horodatage", "code", "siret", "mixte"]
    rows = [
        [
            "1",
            "1.5",
            "true",
            "2024-01-31",
            "31/01/2024",
            "2024-01-31T10:15:00",
            "01000",
            "1" * 20,
            "1",
        ],
        ["-20", "-2", "FALSE", "2024-02-29", "29/02/2024", "2024-02-29 08:00", "75001", "2", "2"],
        ["", "", "", "", "", "", "", "", "deux"],
    ]
    directory = write(tmp_path, header, rows)
    version = store.open_version(directory)
    assert {c.name: (c.type, c.sql_type) for c in version.columns} == {
        "entier": ("integer", "BIGINT"),
        "nombre": ("number", "DOUBLE"),
        "oui": ("boolean", "BOOLEAN"),
        "jour": ("date", "DATE"),
        "jour_fr": ("date", "DATE"),
        "horodatage": ("datetime", "TIMESTAMP"),
        "code": ("string", "VARCHAR"),  # leading zero kept
        "siret": ("string", "VARCHAR"),  # 20 digits would not fit exactly
        "mixte": ("string", "VARCHAR"),
    }
    assert rows_of(directory)[:2] == [
        [1, 1.5, True, "2024-01-31", "2024-01-31", "2024-01-31T10:15:00", "01000", "1" * 20, "1"],
        [-20, -2.0, False, "2024-02-29", "2024-02-29", "2024-02-29T08:00:00", "75001", "2", "2"],
    ]


def test_declared_types_and_a_cell_that_breaks_its_type(tmp_path):
    header = ["population", "surface", "ouvert", "créé", "maj", "lieu", "année", "code"]
    rows = [
        [
            "1200",
            "12.5",
            "1",
            "31/12/2023",
            "2024-01-01T10:00:00+02:00",
            "48.1, -1.6",
            "2023",
            "07",
        ],
        ["environ 300", "NaN", "false", "01/01/2024", "2024-01-01T10:00:00Z", "", "2024", "12"],
        ["", "", "TRUE", "", "", "", "", ""],
    ]
    types = {
        "population": "integer",
        "surface": "number",
        "ouvert": "boolean",
        "créé": "date",
        "maj": "datetime",
        "lieu": "geopoint",
        "annee": "year",  # a safe name works too
        "code": "integer",
    }
    directory = write(tmp_path, header, rows, types=types)
    columns = {c.name: c for c in store.open_version(directory).columns}
    # One cell is not an integer: the column stays text, nothing is lost, the reason is kept.
    assert columns["population"].type == "string"
    assert columns["population"].sql_type == "VARCHAR"
    assert columns["population"].declared_type == "integer"
    assert columns["population"].invalid_cells == 1
    assert column_values(directory, "population") == ["1200", "environ 300", None]
    assert (columns["surface"].type, columns["surface"].sql_type) == ("number", "DOUBLE")
    assert columns["ouvert"].type == "boolean"
    assert columns["cree"].type == "date"
    assert columns["maj"].type == "datetime"
    assert (columns["lieu"].type, columns["lieu"].sql_type) == ("geopoint", "VARCHAR")
    assert (columns["annee"].type, columns["annee"].sql_type) == ("year", "INTEGER")
    assert columns["code"].type == "integer"  # declared: "07" is the integer 7
    assert rows_of(directory) == [
        ["1200", 12.5, True, "2023-12-31", "2024-01-01T08:00:00", "48.1, -1.6", 2023, 7],
        ["environ 300", "NaN", False, "2024-01-01", "2024-01-01T10:00:00", None, 2024, 12],
        [None, None, True, None, None, None, None, None],
    ]


def test_types_of_fields_missing_or_unknown(tmp_path):
    # A schema field absent from the file is the validator's business; an unknown type keeps
    # the text and says what was asked.
    types = {"absent": "integer", "a": "entier", "b": "list"}
    directory = write(tmp_path, ["a", "b"], [["1", "x,y"]], types=types)
    columns = store.open_version(directory).columns
    assert [(c.type, c.sql_type, c.declared_type) for c in columns] == [
        ("string", "VARCHAR", "entier"),
        ("string", "VARCHAR", "list"),
    ]
    assert rows_of(directory) == [["1", "x,y"]]


def test_integers_are_never_rounded(tmp_path):
    directory = write(tmp_path, ["n"], [["1.5"], ["2"]], types={"n": "integer"})
    column = store.open_version(directory).columns[0]
    assert (column.type, column.declared_type, column.invalid_cells) == ("string", "integer", 1)
    assert column_values(directory, "n") == ["1.5", "2"]


def test_rows_of_uneven_length(tmp_path):
    directory = write(tmp_path, ["a", "b", "c"], [["1"], ["1", "2", "3", "", ""], [None, "x"]])
    assert rows_of(directory) == [[1, None, None], [1, "2", 3], [None, "x", None]]
    with pytest.raises(StoreError) as error:
        write(tmp_path, ["a", "b"], [["1", "2"], ["1", "2", "3"]], name="v2")
    assert error.value.code == "too-many-cells"
    assert "ligne 2" in error.value.message
    assert not (tmp_path / "v2" / "data.csv").exists()
    assert not list((tmp_path / "v2").glob("*"))


@pytest.fixture
def engine():
    """Engine settings changed by a test are restored after it."""
    saved = store._config
    yield store
    store._config = saved


def test_line_length_limit(tmp_path, engine):
    engine.configure(max_line_size=1000, memory_limit="64MB", threads=1)
    directory = write(tmp_path, ["a", "b"], [["é" * 450, "1"], ["x", "2"]])
    assert column_values(directory, "a")[0] == "é" * 450
    with pytest.raises(StoreError) as error:
        write(tmp_path, ["a", "b"], [["x", "1"], ["é" * 500, "2"]], name="v2")
    assert error.value.code == "line-too-long"
    assert (
        error.value.message == "La ligne 2 des données dépasse la longueur permise (1 000 octets)."
    )
    with pytest.raises(StoreError) as error:
        write(tmp_path, ["a" * 1000], [], name="v3")
    assert error.value.message.startswith("L'en-tête dépasse")
    assert not list((tmp_path / "v2").glob("*"))


def test_write_refusals(tmp_path):
    directory = write(tmp_path, ["a"], [["1"]])
    with pytest.raises(StoreError) as error:
        store.write_version(["a"], iter([["2"]]), directory)
    assert error.value.code == "version-exists"
    assert column_values(directory, "a") == [1]
    with pytest.raises(StoreError) as error:
        store.write_version([], iter([]), tmp_path / "other")
    assert error.value.code == "no-columns"
    with pytest.raises(StoreError) as error:
        store.open_version(tmp_path / "missing")
    assert error.value.code == "missing-version"


def test_empty_version(tmp_path):
    directory = write(tmp_path, ["a", "b"], [])
    result = store.query(directory)
    assert (result.rows, result.total) == ([], 0)
    assert [p.count for p in store.profile(directory)] == [0, 0]
    assert store.diff(directory, directory).rows_unchanged == 0


def test_duckdb_touches_only_the_version_directory(tmp_path):
    directory = write(tmp_path, ["a"], [["1"]])
    outside = tmp_path / "secret.csv"
    outside.write_text("s\n1\n")
    with store._connect(directory) as con:
        assert con.execute(
            "SELECT count(*) FROM read_parquet(?)", [str(directory / "data.parquet")]
        ).fetchone() == (1,)
        with pytest.raises(duckdb.Error):
            con.execute("SELECT * FROM read_csv(?)", [str(outside)]).fetchall()
        with pytest.raises(duckdb.Error):
            con.execute("SET enable_external_access = true")


# --- Queries -----------------------------------------------------------------------------------

CITIES = ["ville", "population", "superficie", "fondée", "région", "note"]
CITY_ROWS = [
    ["Évreux", "46000", "28.1", "1000-01-01", "Normandie", "ok"],
    ["Saint-Jérôme", "80000", "90.2", "1834-05-01", "Laurentides", ""],
    ["Drummondville", "79000", "250", "1815-01-01", "Centre-du-Québec", "ok"],
    ["Cholet", "54000", "87.4", "1062-01-01", "Pays de la Loire", ""],
    ["Bourges", "64000", "68.7", "0052-01-01", "Centre-Val de Loire", "ok"],
    ["Shawinigan", "50000", "781", "1901-01-01", "Mauricie", "à revoir"],
]


@pytest.fixture
def cities(tmp_path) -> Path:
    return write(tmp_path, CITIES, CITY_ROWS, name="cities")


def names(directory: Path, filters=(), sort=()) -> list[str]:
    return column_values(directory, "ville", filters=filters, sort=sort)


def test_every_filter_operator(cities):
    def only(*filters):
        return names(cities, filters=list(filters))

    assert only(Filter("ville", "eq", "Cholet")) == ["Cholet"]
    assert only(Filter("population", "eq", "54000")) == ["Cholet"]
    assert only(Filter("population", "eq", 54000)) == ["Cholet"]
    assert only(Filter("note", "ne", "ok")) == ["Saint-Jérôme", "Cholet", "Shawinigan"]
    assert only(Filter("population", "lt", "54000")) == ["Évreux", "Shawinigan"]
    assert only(Filter("population", "lte", "54000")) == ["Évreux", "Cholet", "Shawinigan"]
    assert only(Filter("superficie", "gt", 250)) == ["Shawinigan"]
    assert only(Filter("superficie", "gte", "250")) == ["Drummondville", "Shawinigan"]
    # A range is two filters; dates compare as dates (French form accepted for the value).
    assert only(Filter("fondee", "gte", "1000-01-01"), Filter("fondee", "lt", "01/01/1834")) == [
        "Évreux",
        "Drummondville",
        "Cholet",
    ]
    assert only(Filter("region", "contains", "QUEBEC")) == ["Drummondville"]
    assert only(Filter("ville", "contains", "jero")) == ["Saint-Jérôme"]
    assert only(Filter("region", "contains", "loire"), Filter("population", "gt", 60000)) == [
        "Bourges"
    ]
    assert only(Filter("ville", "in", ["Cholet", "Bourges", "Nulle part"])) == ["Cholet", "Bourges"]
    assert only(Filter("population", "in", ["46000", 80000])) == ["Évreux", "Saint-Jérôme"]
    assert only(Filter("ville", "in", [])) == []
    assert only(Filter("note", "isnull", True)) == ["Saint-Jérôme", "Cholet"]
    assert only(Filter("note", "isnull")) == ["Saint-Jérôme", "Cholet"]
    assert only(Filter("note", "isnull", "false")) == [
        "Évreux",
        "Drummondville",
        "Bourges",
        "Shawinigan",
    ]


def test_filter_refusals(cities):
    cases = [
        (Filter("inconnue", "eq", "x"), "unknown-column"),
        (Filter("population", "eq", "beaucoup"), "bad-value"),
        (Filter("population", "eq", "1.5"), "bad-value"),
        (Filter("fondee", "gt", "hier"), "bad-value"),
        (Filter("population", "in", ["1", "deux"]), "bad-value"),
        (Filter("population", "in", "1,2"), "bad-value"),
        (Filter("ville", "eq", None), "bad-value"),
        (Filter("ville", "isnull", "peut-être"), "bad-value"),
        (Filter("ville", "like", "x"), "bad-operator"),
        (Filter("ville", "in", [str(i) for i in range(1001)]), "too-many-values"),
    ]
    for item, code in cases:
        with pytest.raises(QueryError) as error:
            store.query(cities, filters=[item])
        assert error.value.code == code, item
        assert error.value.message
    with pytest.raises(QueryError) as error:
        store.query(cities, filters=[Filter("population", "eq", "beaucoup")])
    assert error.value.message == (
        "Valeur « beaucoup » invalide pour la colonne « population » : "
        "un nombre entier est attendu."
    )


def test_sort_pagination_and_total(cities):
    assert names(cities, sort=[("population", "desc")]) == [
        "Saint-Jérôme",
        "Drummondville",
        "Bourges",
        "Cholet",
        "Shawinigan",
        "Évreux",
    ]
    # Text sorts ignoring case and accents; empty cells last, ties in stored order.
    assert names(cities, sort=[("ville", "asc")]) == [
        "Bourges",
        "Cholet",
        "Drummondville",
        "Évreux",
        "Saint-Jérôme",
        "Shawinigan",
    ]
    assert names(cities, sort=[("note", "asc"), ("population", "asc")]) == [
        "Shawinigan",
        "Évreux",
        "Bourges",
        "Drummondville",
        "Cholet",
        "Saint-Jérôme",
    ]
    page = store.query(cities, columns=["ville"], sort=[("ville", "asc")], limit=2, offset=2)
    assert page.rows == [["Drummondville"], ["Évreux"]]
    assert (page.total, page.limit, page.offset) == (6, 2, 2)
    assert [c.name for c in page.columns] == ["ville"]
    page = store.query(cities, filters=[Filter("note", "eq", "ok")], limit=1, offset=1)
    assert (page.total, page.rows[0][0]) == (3, "Drummondville")
    assert store.query(cities, offset=10).rows == []
    assert len(store.query(cities).rows) == 6
    for kwargs, code in [
        ({"limit": 1001}, "bad-pagination"),
        ({"limit": -1}, "bad-pagination"),
        ({"offset": -1}, "bad-pagination"),
        ({"sort": [("ville", "up")]}, "bad-sort"),
        ({"sort": [("nope", "asc")]}, "unknown-column"),
        ({"sort": ["ville"]}, "bad-sort"),
        ({"columns": []}, "no-columns"),
        ({"columns": ["ville", "nope"]}, "unknown-column"),
    ]:
        with pytest.raises(QueryError) as error:
            store.query(cities, **kwargs)
        assert error.value.code == code, kwargs


INJECTIONS = [
    "ville; DROP TABLE x",
    "ville\" FROM read_csv('/etc/passwd') --",
    "ville) OR (1=1",
    "*",
    "file_row_number",
    "Ville",
]


def test_sql_injection_in_column_names_is_refused(cities):
    for name in INJECTIONS:
        for kwargs in (
            {"filters": [Filter(name, "eq", "x")]},
            {"sort": [(name, "asc")]},
            {"columns": [name]},
        ):
            with pytest.raises(QueryError) as error:
                store.query(cities, **kwargs)
            assert error.value.code == "unknown-column"
        with pytest.raises(QueryError):
            store.aggregate(cities, by=name)
        with pytest.raises(QueryError):
            store.diff(cities, cities, key=[name])


def test_sql_injection_in_values_does_nothing(cities):
    for value in [
        "' OR '1'='1",
        "x'); COPY (SELECT 1) TO 'pwned.csv'; --",
        "%",
        "_",
        "\\",
        "'; SELECT * FROM read_csv('/etc/passwd') --",
    ]:
        assert names(cities, filters=[Filter("ville", "eq", value)]) == []
        assert names(cities, filters=[Filter("ville", "contains", value)]) == []
        assert names(cities, filters=[Filter("ville", "in", [value])]) == []
    assert names(cities, filters=[Filter("ville", "contains", "-")]) == [
        "Saint-Jérôme"
    ]  # the text itself, not a pattern
    assert not list(cities.parent.rglob("pwned*"))
    assert store.query(cities).total == 6


def test_headers_made_of_sql_are_only_labels(tmp_path):
    header = ['a" VARCHAR); DROP TABLE t; --', "'); COPY x TO 'y'; --"]
    directory = write(tmp_path, header, [["1", "2"]])
    version = store.open_version(directory)
    assert [c.name for c in version.columns] == ["a_varchar_drop_table_t", "copy_x_to_y"]
    assert [c.label for c in version.columns] == header
    assert rows_of(directory) == [[1, 2]]


# --- Exports -----------------------------------------------------------------------------------


def test_csv_export_neutralises_formulas(tmp_path):
    header = ["texte", "montant"]
    rows = [
        ["=cmd|' /C calc'!A0", "-12.5"],
        ["+SUM(1)", "3"],
        ["@x", "-1e3"],
        ["-1+2", "0"],
        ["\tcaché", ""],
        ["-7", "1"],
        ["normal", "2"],
    ]
    directory = write(tmp_path, header, rows)
    out = io.BytesIO()
    assert store.export(directory, "csv", out=out) == 7
    text = out.getvalue().decode("utf-8")
    assert not text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text))) == [
        ["texte", "montant"],
        ["'=cmd|' /C calc'!A0", "-12.5"],
        ["'+SUM(1)", "3.0"],
        ["'@x", "-1000.0"],
        ["'-1+2", "0.0"],
        ["'\tcaché", ""],
        ["-7", "1.0"],
        ["normal", "2.0"],
    ]
    assert store.neutralise("-12.5") == "-12.5"
    assert store.neutralise("=1+1") == "'=1+1"
    assert store.neutralise("\rx") == "'\rx"
    assert store.neutralise("a=b") == "a=b"


def test_csv_export_options(cities):
    out = io.BytesIO()
    count = store.export(
        cities,
        "csv",
        out=out,
        columns=["ville", "population"],
        filters=[Filter("population", "gte", 64000)],
        sort=[("population", "asc")],
        bom=True,
        delimiter=";",
        header="name",
    )
    assert count == 3
    data = out.getvalue()
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig") == (
        "ville;population\r\nBourges;64000\r\nDrummondville;79000\r\nSaint-Jérôme;80000\r\n"
    )
    out = io.BytesIO()
    store.export(cities, "csv", out=out, columns=["region"], limit=1)
    assert out.getvalue().decode() == "région\r\nNormandie\r\n"
    for kwargs, code in [
        ({"fmt": "xlsx"}, "bad-format"),
        ({"fmt": "csv", "delimiter": "|"}, "bad-format"),
        ({"fmt": "csv", "filters": [Filter("nope", "eq", "1")]}, "unknown-column"),
    ]:
        with pytest.raises(QueryError) as error:
            store.export(cities, out=io.BytesIO(), **kwargs)
        assert error.value.code == code


def test_json_export_is_valid_json(tmp_path):
    header = ["nom", "n", "x", "jour", "vrai"]
    rows = [
        ['dit "oui"\n', "1", "1.5", "2024-03-01", "true"],
        ["</script>", "", "NaN", "", "false"],
    ]
    directory = write(tmp_path, header, rows, types={"x": "number"})
    out = io.BytesIO()
    assert store.export(directory, "json", out=out) == 2
    assert json.loads(out.getvalue()) == [
        {"nom": 'dit "oui"\n', "n": 1, "x": 1.5, "jour": "2024-03-01", "vrai": True},
        {"nom": "</script>", "n": None, "x": "NaN", "jour": None, "vrai": False},
    ]
    out = io.BytesIO()
    assert store.export(directory, "json", out=out, filters=[Filter("n", "eq", 5)]) == 0
    assert json.loads(out.getvalue()) == []


# --- Profiles and charts -----------------------------------------------------------------------


def test_profiles_are_computed_and_cached(tmp_path):
    header = ["catégorie", "montant", "id", "jour"]
    rows = [
        ["A", "10", "1", "2024-01-15"],
        ["B", "20", "2", "2024-01-20"],
        ["A", "", "3", "2024-02-01"],
        ["", "30", "4", "2024-03-10"],
        ["A", "40", "5", ""],
    ]
    directory = write(tmp_path, header, rows)
    profiles = store.profile(directory)
    by_name = {p.name: p for p in profiles}
    category = by_name["categorie"]
    assert (category.label, category.type) == ("catégorie", "string")
    assert (category.count, category.nulls, category.distinct) == (4, 1, 2)
    assert (category.min, category.max, category.mean) == ("A", "B", None)
    assert category.top_values == [("A", 3), ("B", 1)]
    amount = by_name["montant"]
    assert (amount.count, amount.nulls, amount.min, amount.max, amount.mean) == (4, 1, 10, 40, 25.0)
    assert by_name["id"].top_values == []  # every value distinct
    assert (by_name["jour"].min, by_name["jour"].max) == ("2024-01-15", "2024-03-10")
    cache = directory / "profile.json"
    assert cache.exists()
    data = json.loads(cache.read_text())
    data["columns"][0]["count"] = 999  # the cache is what is read next time
    cache.write_text(json.dumps(data))
    assert store.profile(directory)[0].count == 999
    assert store.profile(directory)[1:] == profiles[1:]


def test_aggregate_by_category_and_over_time(tmp_path):
    header = ["catégorie", "montant", "jour", "année"]
    rows = [
        ["A", "10", "2024-01-15", "2022"],
        ["B", "20", "2024-01-20", "2023"],
        ["A", "5", "2024-02-01", "2023"],
        ["", "30", "2024-03-10", "2023"],
        ["A", "40", "", "2024"],
        ["C", "1", "2023-12-31", "2024"],
    ]
    directory = write(tmp_path, header, rows, types={"année": "year"})
    assert store.aggregate(directory, by="categorie") == [("A", 3), ("B", 1), ("C", 1), (None, 1)]
    assert store.aggregate(directory, by="categorie", measure="montant", fn="sum", limit=2) == [
        ("A", 55),
        (None, 30),
    ]
    averages = dict(store.aggregate(directory, by="categorie", measure="montant", fn="avg"))
    assert averages == {None: 30.0, "B": 20.0, "A": pytest.approx(55 / 3), "C": 1.0}
    assert store.aggregate(directory, by="categorie", measure="montant", fn="max")[0] == ("A", 40)
    assert store.aggregate(
        directory, by="jour", time_bucket="month", measure="montant", fn="sum"
    ) == [("2023-12", 1), ("2024-01", 30), ("2024-02", 5), ("2024-03", 30)]
    # The most recent periods, oldest first.
    assert store.aggregate(directory, by="jour", time_bucket="month", limit=2) == [
        ("2024-02", 1),
        ("2024-03", 1),
    ]
    assert store.aggregate(directory, by="jour", time_bucket="year") == [("2023", 1), ("2024", 4)]
    assert store.aggregate(directory, by="annee", time_bucket="year") == [
        ("2022", 1),
        ("2023", 3),
        ("2024", 2),
    ]
    assert store.aggregate(directory, by="categorie", filters=[Filter("montant", "gte", 10)]) == [
        ("A", 2),
        ("B", 1),
        (None, 1),
    ]
    for kwargs, code in [
        ({"by": "categorie", "measure": "categorie", "fn": "sum"}, "bad-aggregate"),
        ({"by": "categorie", "fn": "median"}, "bad-aggregate"),
        ({"by": "categorie", "fn": "sum"}, "bad-aggregate"),
        ({"by": "categorie", "time_bucket": "month"}, "bad-bucket"),
        ({"by": "jour", "time_bucket": "week"}, "bad-bucket"),
        ({"by": "categorie", "limit": 0}, "bad-pagination"),
        ({"by": "nope"}, "unknown-column"),
    ]:
        with pytest.raises(QueryError) as error:
            store.aggregate(directory, **kwargs)
        assert error.value.code == code, kwargs


def test_points_and_coordinate_columns(tmp_path):
    header = ["nom", "Latitude", "Longitude", "x", "y", "lat_texte", "lon_texte"]
    rows = [
        ["Rennes", "48.11", "-1.68", "351000", "6789000", "48,11", "-1,68"],
        ["Sherbrooke", "45.40", "-71.89", "352000", "6788000", "45,40", "-71,89"],
        ["Nulle part", "0", "0", "353000", "6787000", "", ""],
        ["Ailleurs", "95", "10", "354000", "6786000", "n/a", "n/a"],
        ["Vide", "", "", "", "", "", ""],
        ["Brest", "48.39", "-4.49", "355000", "6785000", "", ""],
        ["Trois-Rivières", "46.34", "-72.54", "356000", "6784000", "", ""],
    ]
    directory = write(tmp_path, header, rows)
    assert store.coordinate_columns(directory) == [
        ("latitude", "longitude"),
        ("lat_texte", "lon_texte"),
    ]  # x/y are Lambert-like metres, not degrees
    found = store.points(directory, "latitude", "longitude")
    assert found.total == 4  # (0, 0) and a latitude of 95 are left out
    assert found.points == [
        store.Point(lat=48.11, lon=-1.68, row_number=1),
        store.Point(lat=45.40, lon=-71.89, row_number=2),
        store.Point(lat=48.39, lon=-4.49, row_number=6),
        store.Point(lat=46.34, lon=-72.54, row_number=7),
    ]
    assert store.points(directory, "lat_texte", "lon_texte").points == found.points[:2]
    assert (
        store.points(
            directory, "latitude", "longitude", filters=[Filter("nom", "eq", "Rennes")]
        ).points
        == found.points[:1]
    )
    with pytest.raises(QueryError):
        store.points(directory, "latitude", "nope")


def test_points_over_the_limit_are_a_stable_spread(tmp_path):
    rows = [[str(45 + i / 1000), str(-70 + i / 1000)] for i in range(500)]
    directory = write(tmp_path, ["lat", "lon"], rows)
    first = store.points(directory, "lat", "lon", limit=50)
    assert first.total == 500
    assert len(first.points) == 50
    assert first == store.points(directory, "lat", "lon", limit=50)
    assert max(p.row_number for p in first.points) > 250  # not just the first rows


# --- Differences -------------------------------------------------------------------------------

OLD = [
    ["1", "Évreux", "46000"],
    ["2", "Cholet", "54000"],
    ["3", "Bourges", "64000"],
    ["4", "Bourges", "64000"],
]


def test_diff_without_key_counts_rows_as_a_multiset(tmp_path):
    header = ["id", "ville", "population"]
    old = write(tmp_path, header[1:], [row[1:] for row in OLD], name="old")
    new_rows = [["Évreux", "46000"], ["Bourges", "64000"], ["Cholet", "55000"], ["Sens", "26000"]]
    new = write(tmp_path, header[1:], new_rows, name="new")
    result = store.diff(old, new)
    assert (result.rows_added, result.rows_removed, result.rows_unchanged) == (2, 2, 2)
    assert result.rows_changed is None
    assert result.key is None
    assert (result.columns_added, result.columns_removed) == ([], [])
    assert [e.values for e in result.examples_added] == [
        {"ville": "Cholet", "population": 55000},
        {"ville": "Sens", "population": 26000},
    ]
    assert [e.row_number for e in result.examples_added] == [3, 4]
    assert [e.values["ville"] for e in result.examples_removed] == ["Cholet", "Bourges"]
    assert result.examples_changed == []
    same = store.diff(old, old)
    assert (same.rows_added, same.rows_removed, same.rows_unchanged) == (0, 0, 4)


def test_diff_with_key(tmp_path):
    old = write(tmp_path, ["id", "ville", "population", "maire"], OLD, name="old")
    new_rows = [
        ["2", "Cholet", "55000", "4"],
        ["1", "Évreux", "46000", "1"],
        ["5", "Sens", "26000", "2"],
        ["4", "Bourges", "64000", "3"],
    ]
    new = write(tmp_path, ["id", "ville", "population", "région"], new_rows, name="new")
    assert store.guess_key(old, new) == ["id"]
    result = store.diff(old, new, key=["id"])
    assert (result.columns_added, result.columns_removed) == (["region"], ["maire"])
    assert (result.rows_added, result.rows_removed) == (1, 1)
    assert (result.rows_changed, result.rows_unchanged) == (1, 2)
    assert result.key == ["id"]
    assert [e.values for e in result.examples_added] == [
        {"id": 5, "ville": "Sens", "population": 26000, "region": 2}
    ]
    assert [(e.row_number, e.values["id"]) for e in result.examples_removed] == [(3, 3)]
    assert result.examples_changed == [
        store.ChangedRow(
            key={"id": 2},
            old_row_number=2,
            new_row_number=1,
            changes=[store.CellChange("population", 54000, 55000)],
        )
    ]
    # Columns only in one version do not make a row "changed"; a key of two columns works, and
    # so does a key given by header labels (a Table Schema primaryKey).
    assert store.diff(old, new, key=["ville", "id"]).rows_changed == 1
    renamed = write(tmp_path, ["Identifiant", "ville", "population", "x"], new_rows, name="renamed")
    with pytest.raises(QueryError) as error:
        store.diff(old, renamed, key=["id"])
    assert error.value.code == "unknown-column"
    assert store.diff(renamed, renamed, key=["Identifiant"]).key == ["identifiant"]


def test_diff_compares_a_column_whose_type_changed(tmp_path):
    old = write(tmp_path, ["id", "n"], [["1", "10"], ["2", "20"]], name="old")
    new = write(tmp_path, ["id", "n"], [["1", "10"], ["2", "vingt"]], name="new")
    result = store.diff(old, new, key=["id"])
    assert (result.rows_changed, result.rows_unchanged) == (1, 1)
    assert result.examples_changed[0].changes == [store.CellChange("n", "20", "vingt")]


def test_diff_refusals_and_key_guess(tmp_path):
    old = write(tmp_path, ["id", "ville"], [["1", "A"], ["1", "B"], ["2", ""]], name="old")
    new = write(tmp_path, ["id", "ville"], [["1", "A"], ["2", "B"]], name="new")
    with pytest.raises(QueryError) as error:
        store.diff(old, new, key=["id"])
    assert error.value.code == "key-not-unique"
    assert "l'ancienne version (1 doublon(s), 0 clé(s) vide(s))" in error.value.message
    with pytest.raises(QueryError) as error:
        store.diff(old, new, key=["ville"])
    assert error.value.code == "key-not-unique"
    with pytest.raises(QueryError) as error:
        store.diff(old, new, key="id")
    assert error.value.code == "bad-key"
    assert store.guess_key(old) is None
    assert store.guess_key(new) == ["id"]
    assert store.guess_key(old, new) is None
    other = write(
        tmp_path,
        ["nom", "montant", "code_insee"],
        [["Rennes", "1.5", "35238"], ["Brest", "2.5", "29019"]],
        name="other",
    )
    assert store.guess_key(other) == ["code_insee"]  # identifier-like name before "nom"


def test_column_names_never_clash_with_internal_aliases(tmp_path):
    header = ["n", "_g", "_v", "h", "c", "r", "first", "k0", "lat", "lon", "file_row_number"]
    rows = [[str(i), "a", "b", "h", "c", "r", "f", str(i), "45.5", "-73.5", "x"] for i in range(3)]
    directory = write(tmp_path, header, rows)
    names = [c.name for c in store.open_version(directory).columns]
    assert names[:3] == ["n", "g", "v"] and names[-1] == "file_row_number_2"
    assert [p.distinct for p in store.profile(directory)][:2] == [3, 1]
    for name in names:
        assert sum(n for _g, n in store.aggregate(directory, by=name)) == 3
        assert store.query(directory, sort=[(name, "desc")]).total == 3
    assert store.aggregate(directory, by="g", measure="n", fn="sum") == [("a", 3)]
    assert store.points(directory, "lat", "lon").total == 3
    changed = write(tmp_path, header, [[*rows[0][:6], "g", *rows[0][7:]]], name="changed")
    result = store.diff(directory, changed, key=["n"])
    assert (result.rows_changed, result.rows_removed) == (1, 2)
    assert result.examples_changed[0].changes == [store.CellChange("first", "f", "g")]
    assert store.diff(directory, changed).rows_unchanged == 0


def test_diff_without_common_columns(tmp_path):
    old = write(tmp_path, ["a"], [["1"], ["2"]], name="old")
    new = write(tmp_path, ["b"], [["1"]], name="new")
    result = store.diff(old, new)
    assert (result.rows_added, result.rows_removed, result.rows_unchanged) == (1, 2, 0)
    assert (result.columns_added, result.columns_removed) == (["b"], ["a"])
    assert len(result.examples_removed) == 2


# --- Scale -------------------------------------------------------------------------------------

REGIONS = ["Normandie", "Bretagne", "Québec", "Île-de-France", "Occitanie", "Grand Est"]


def generated_rows(count: int, *, shift: int = 0):
    """~100 bytes a row: identifier, postcode with a leading zero, name, amount, date, point."""
    for i in range(count):
        yield [
            str(i),
            f"{(i * 7) % 100000:05d}",
            f"Établissement n°{i} « {REGIONS[i % 6]} », rue de l'Église",
            f"{((i + shift) * 37) % 100000 / 100:.2f}",
            f"20{10 + i % 15}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            f"{43 + (i % 500) / 100:.5f}",
            f"{-1.5 + (i % 700) / 100:.5f}",
            REGIONS[i % 6],
        ]


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@slow
def test_one_million_rows_in_bounded_memory(tmp_path):
    header = ["id", "code postal", "nom", "montant", "date", "lat", "lon", "région"]
    count = 1_000_000
    timings: dict[str, float] = {}
    before = peak_rss_mb()

    started = time.perf_counter()
    version = store.write_version(header, generated_rows(count), tmp_path / "v1")
    timings["write"] = time.perf_counter() - started
    assert version.row_count == count
    assert version.csv_bytes > 90_000_000
    types = {c.name: c.type for c in version.columns}
    assert types["code_postal"] == "string" and types["montant"] == "number"
    after_write = peak_rss_mb()

    started = time.perf_counter()
    page = store.query(
        tmp_path / "v1",
        filters=[Filter("region", "eq", "Québec"), Filter("nom", "contains", "N°99")],
        sort=[("montant", "desc")],
        limit=100,
        offset=100,
    )
    timings["query"] = time.perf_counter() - started
    assert page.total > 1000 and len(page.rows) == 100

    started = time.perf_counter()
    with (tmp_path / "export.csv").open("wb") as out:
        assert store.export(tmp_path / "v1", "csv", out=out) == count
    timings["export csv"] = time.perf_counter() - started

    started = time.perf_counter()
    store.profile(tmp_path / "v1")
    timings["profile"] = time.perf_counter() - started

    started = time.perf_counter()
    assert len(store.aggregate(tmp_path / "v1", by="date", time_bucket="month")) == 50
    timings["aggregate"] = time.perf_counter() - started

    store.write_version(header, generated_rows(count, shift=1), tmp_path / "v2")
    started = time.perf_counter()
    result = store.diff(tmp_path / "v1", tmp_path / "v2", key=["id"])
    timings["diff by key"] = time.perf_counter() - started
    assert result.rows_changed == count

    started = time.perf_counter()
    result = store.diff(tmp_path / "v1", tmp_path / "v2")
    timings["diff by rows"] = time.perf_counter() - started
    assert result.rows_unchanged + result.rows_added == count

    after = peak_rss_mb()
    report = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
    print(
        f"\n1,000,000 rows, data.csv {version.csv_bytes / 1e6:.0f} MB, "
        f"data.parquet {version.parquet_bytes / 1e6:.0f} MB: {report}; peak RSS "
        f"{before:.0f} MB before, {after_write:.0f} MB after writing, {after:.0f} MB at the end"
    )
    assert after - before < 1024
