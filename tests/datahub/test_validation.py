"""Table Schema validation in one streaming pass (mediane.datahub.validation): same errors as
frictionless, the SCDL custom checks, the report and its French summary."""

import csv
import datetime as dt
import io
import json
from pathlib import Path

import frictionless
import openpyxl
import pytest

from mediane.datahub import validation
from mediane.datahub.tabular import open_table
from mediane.datahub.validation import (
    SchemaError,
    load_schema,
    shipped_schemas,
    validate,
    validate_file,
)

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "scdl"
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="the SCDL examples of ../shared/data/scdl are not available"
)
SUBVENTIONS = SHARED / "subventions-2.1.1" / "exemples"
DELIBERATIONS = SHARED / "deliberations-2.1.5" / "exemples"


def frictionless_errors(path, schema):
    """(row, column, code) of every error frictionless reports, in a sorted list."""
    with frictionless.system.use_context(trusted=True):
        report = frictionless.validate(
            str(path), schema=frictionless.Schema.from_descriptor(schema)
        )
    assert report.tasks, report.errors
    return sorted(
        (row or 0, column or 0, code)
        for row, column, code in report.flatten(["rowNumber", "fieldNumber", "type"])
    )


def our_errors(report):
    return sorted((issue.row or 0, issue.column or 0, issue.code) for issue in report.errors)


def write_csv(tmp_path, rows, name="data.csv"):
    path = tmp_path / name
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        for row in rows:
            writer.writerow(row)
    return path


def check(schema, header, rows, **options):
    return validate(header, iter(rows), schema, **options)


# --- Schemas --------------------------------------------------------------------------------


def test_shipped_schemas():
    infos = {info.id: info for info in shipped_schemas()}
    assert infos["scdl/subventions"].version == "2.1.1"
    assert infos["scdl/subventions"].title == "Subventions"
    assert infos["scdl/deliberations"].version == "2.1.5"
    assert infos["scdl/deliberations"].ref == "scdl/deliberations@2.1.5"
    for info in infos.values():
        assert info.path.is_file()
    assert (validation.SCHEMAS_DIR / "SOURCE.md").is_file()


def test_load_schema_by_id_version_path_and_dict():
    latest = load_schema("scdl/subventions")
    assert (latest.id, latest.version, latest.title) == ("scdl/subventions", "2.1.1", "Subventions")
    assert load_schema("scdl/subventions@2.1.1").schema.field_names == latest.schema.field_names
    info = next(i for i in shipped_schemas() if i.id == "scdl/deliberations")
    by_path = load_schema(info.path)
    assert by_path.schema.field_names[0] == "COLL_NOM"
    assert [check["name"] for check in by_path.custom_checks].count("compare-columns-value") == 5
    by_dict = load_schema({"fields": [{"name": "a", "type": "integer"}]})
    assert by_dict.custom_checks == [] and by_dict.id is None
    assert load_schema(by_dict) is by_dict


@pytest.mark.parametrize("ref", ["scdl/inconnu", "scdl/subventions@9.9", "/nulle/part.json", 42])
def test_unknown_schema(ref):
    with pytest.raises(SchemaError) as caught:
        load_schema(ref)
    assert caught.value.code == "unknown-schema"
    assert "schéma" in caught.value.message


@pytest.mark.parametrize(
    "descriptor",
    [
        {"title": "sans champs"},
        {"fields": [{"name": "a", "type": "nombre"}]},
        {"fields": [{"name": "a", "constraints": {"pattern": "(["}}]},
        {"fields": [{"name": "a"}], "custom_checks": [{"name": "one-of-required", "params": {}}]},
        {
            "fields": [{"name": "a"}],
            "custom_checks": [{"name": "french-siret-value", "params": {"column": "b"}}],
        },
        {
            "fields": [{"name": "a"}, {"name": "b"}],
            "custom_checks": [
                {
                    "name": "compare-columns-value",
                    "params": {"column": "a", "op": "~", "column2": "b"},
                }
            ],
        },
    ],
)
def test_invalid_schema(descriptor):
    with pytest.raises(SchemaError) as caught:
        load_schema(descriptor)
    assert caught.value.code == "invalid-schema"
    assert caught.value.message.startswith("Ce schéma n'est pas un Table Schema valide")


def test_invalid_json_file(tmp_path):
    path = tmp_path / "schema.json"
    path.write_text("{pas du json", encoding="utf-8")
    with pytest.raises(SchemaError) as caught:
        load_schema(path)
    assert caught.value.code == "invalid-schema"


def test_unknown_custom_check_is_skipped_and_reported():
    schema = {"fields": [{"name": "a"}], "custom_checks": [{"name": "french-gps", "params": {}}]}
    report = check(schema, ["a"], [["x"]])
    assert report.valid
    assert report.skipped_checks == ["french-gps"]
    assert report.to_dict()["skipped_checks"] == ["french-gps"]


# --- The SCDL examples ----------------------------------------------------------------------


@needs_shared
def test_valid_subventions_example_has_no_error():
    report = validate_file(SUBVENTIONS / "exemple_valide.csv", "scdl/subventions")
    assert report.valid, report.summary_fr()
    assert report.rows_checked == 29
    assert report.error_count == 0
    assert report.summary_fr() == (
        "Le fichier est conforme au schéma « Subventions » (29 lignes vérifiées)."
    )


@needs_shared
def test_invalid_subventions_example_matches_frictionless():
    path = SUBVENTIONS / "exemple_invalide_erreurs_cellules.csv"
    schema = load_schema("scdl/subventions")
    expected = frictionless_errors(path, schema.descriptor)
    assert len(expected) == 16
    report = validate_file(path, schema, custom_checks=False)
    assert our_errors(report) == expected
    assert report.totals_by_code == {"missing-label": 1, "constraint-error": 10, "type-error": 5}
    by_position = {(issue.row, issue.column): issue for issue in report.errors}
    assert by_position[(6, 9)].value == "100000,1"
    assert by_position[(6, 9)].field == "montant"
    assert "n'est pas un nombre" in by_position[(6, 9)].message
    assert by_position[(2, 15)].constraint == "maximum"
    assert by_position[(None, 16)].field == "dispositifAide"


@needs_shared
def test_invalid_subventions_example_with_the_custom_checks():
    path = SUBVENTIONS / "exemple_invalide_erreurs_cellules.csv"
    report = validate_file(path, "scdl/subventions")
    schema_errors = [issue for issue in report.errors if issue.code in validation.HEADER_CODES]
    assert len(schema_errors) == 1
    custom = {issue.code for issue in report.errors} - {
        "missing-label",
        "constraint-error",
        "type-error",
    }
    assert custom == {"french-siret-value", "one-of-required"}
    # "21860194600000" fails the SIRET checksum on every row; the malformed "218601946" (row 7)
    # is reported once, by the pattern.
    siret_rows = {i.row for i in report.errors if i.code == "french-siret-value" and i.column == 2}
    assert 7 not in siret_rows and {2, 3, 30} <= siret_rows
    one_of = [issue for issue in report.errors if issue.code == "one-of-required"]
    assert [issue.row for issue in one_of] == [9]


@needs_shared
def test_deliberations_example_has_no_error():
    report = validate_file(DELIBERATIONS / "exemple_synthetique_valide.csv", "scdl/deliberations")
    assert report.valid, report.summary_fr()
    assert report.rows_checked == 2


@needs_shared
def test_subventions_example_as_xlsx_has_no_error(tmp_path):
    """Dates, amounts and shares typed in a spreadsheet become ISO text that validates."""
    with open(SUBVENTIONS / "exemple_valide.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(rows[0])
    for row in rows[1:]:
        typed: list = list(row)
        typed[2] = dt.date.fromisoformat(row[2])
        typed[8] = float(row[8])
        typed[14] = float(row[14])
        sheet.append([value if value != "" else None for value in typed])
    path = tmp_path / "subventions.xlsx"
    workbook.save(path)
    report = validate_file(path, "scdl/subventions")
    assert report.valid, report.summary_fr()
    assert report.rows_checked == 29


# --- Same semantics as frictionless -----------------------------------------------------------

TRICKY_SCHEMA = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "nom", "type": "string", "constraints": {"required": True, "minLength": 2}},
        {"name": "montant", "type": "number", "constraints": {"minimum": 0, "maximum": 1000}},
        {"name": "code", "type": "string", "constraints": {"pattern": "[A-Z]{2}", "unique": True}},
        {"name": "genre", "type": "string", "constraints": {"enum": ["a", "b"]}},
        {"name": "jour", "type": "date"},
        {"name": "actif", "type": "boolean"},
        {"name": "note", "type": "string", "constraints": {"maxLength": 5}},
    ],
    "primaryKey": ["id"],
}


def test_row_errors_match_frictionless(tmp_path):
    header = ["id", "nom", "montant", "code", "genre", "jour", "actif", "note"]
    rows = [
        ["1", "Alice", "10.5", "AB", "a", "2020-01-31", "true", "ok"],
        ["2", "B", "-1", "ab", "c", "31/01/2020", "oui", "beaucoup trop long"],
        ["1", "", "abc", "AB", "", "", "", ""],  # duplicate key and code, required, type
        [],  # blank row
        ["", "", "", "", "", "", "", ""],  # blank row too
        ["3", "Carl"],  # missing cells, among them nothing required
        ["4", "Dora", "5", "CD", "b", "2021-02-03", "false", "x", "en trop", ""],  # extra cells
        ["x", "Eve", "1e3", "EF", "a", "2021-02-30", "1", "y"],
        ["", "Fred", "2000", "GH", "b", "", "", ""],  # empty key
        ["6", "Gil", "3", "CD", "b", "", "", "", ""],  # duplicate code, an empty extra cell
    ]
    path = write_csv(tmp_path, [header, *rows])
    expected = frictionless_errors(path, TRICKY_SCHEMA)
    report = check(TRICKY_SCHEMA, header, rows)
    assert our_errors(report) == expected
    codes = set(report.totals_by_code)
    assert {"primary-key", "unique-error", "blank-row", "missing-cell", "extra-cell"} <= codes
    assert {"type-error", "constraint-error"} <= codes
    assert report.rows_checked == len(rows)


def test_header_errors_match_frictionless(tmp_path):
    header = ["id", "", "montant", "montant", "Genre", "jour", "actif", "note", "bonus"]
    rows = [["1", "x", "1", "AB", "a", "2020-01-01", "true", "n", "z"], ["2", "y"]]
    path = write_csv(tmp_path, [header, *rows])
    expected = frictionless_errors(path, TRICKY_SCHEMA)
    report = check(TRICKY_SCHEMA, header, rows)
    assert our_errors(report) == expected
    assert {"blank-label", "duplicate-label", "incorrect-label", "extra-label"} <= set(
        report.totals_by_code
    )


def test_schema_that_does_not_match_the_file_at_all(tmp_path):
    """A file meant for another schema: every label is wrong, the report says so clearly."""
    header = ["commune", "population", "surface"]
    rows = [["Lourdes", "13234", "36.94"], ["Thetford Mines", "26072", "226.81"]]
    path = write_csv(tmp_path, [header, *rows])
    schema = load_schema("scdl/subventions")
    report = validate_file(path, schema, custom_checks=False)
    assert not report.valid
    assert our_errors(report) == frictionless_errors(path, schema.descriptor)
    assert report.totals_by_code["incorrect-label"] == 3
    assert report.totals_by_code["missing-label"] == 13
    assert report.labels_matched == 0
    lines = report.summary_lines()
    assert lines[0].startswith("Aucun nom de colonne du fichier ne correspond au schéma")
    summary = report.summary_fr()
    assert "3 colonnes ne portent pas le nom attendu" in summary
    assert "« commune » au lieu de « nomAttribuant »" in summary
    assert "Les colonnes « referenceDecision », « nomBeneficiaire »" in summary
    assert "« dispositifAide » prévues par le schéma sont absentes du fichier." in summary
    # The custom checks leave the mislabelled columns alone (no SIRET check on "population"),
    # and say once that neither idBeneficiaire nor rnaBeneficiaire is in the file.
    with_checks = validate_file(path, schema)
    custom = set(with_checks.totals_by_code) - set(report.totals_by_code)
    assert custom == {"one-of-required"}
    assert with_checks.totals_by_code["one-of-required"] == 1
    json.dumps(with_checks.to_dict())


def test_labels_are_stripped_like_frictionless():
    schema = {"fields": [{"name": "a"}, {"name": "b"}]}
    assert check(schema, [" a", "b "], [["1", "2"]]).valid


def test_missing_values_of_the_schema_are_honoured():
    schema = {
        "fields": [{"name": "id"}, {"name": "n", "type": "integer"}],
        "missingValues": ["", "NA", "-"],
    }
    report = check(schema, ["id", "n"], [["a", "1"], ["b", "NA"], ["c", "-"], ["d", "x"]])
    assert our_errors(report) == [(5, 2, "type-error")]
    # A row with only missing values is blank, as in frictionless.
    assert our_errors(check(schema, ["id", "n"], [["NA", "-"]])) == [(2, 0, "blank-row")]


# --- Custom checks: one passing and one failing case each -------------------------------------


def custom_schema(fields, *checks):
    """A schema with the given fields, then an "id" column that keeps rows from being blank."""
    return {
        "fields": [
            field if isinstance(field, dict) else {"name": field, "type": "string"}
            for field in fields
        ]
        + [{"name": "id"}],
        "custom_checks": [{"name": name, "params": params} for name, params in checks],
    }


def check_custom(schema, header, rows, **options):
    """`check` with the "id" column of `custom_schema` filled in."""
    rows = [[*row, str(number)] for number, row in enumerate(rows, start=1)]
    return validate([*header, "id"], iter(rows), schema, **options)


def custom_codes(report):
    return [
        (issue.row, issue.code)
        for issue in report.errors
        if issue.code not in ("type-error", "constraint-error")
    ]


def test_french_siret_value():
    schema = custom_schema(["siret"], ("french-siret-value", {"column": "siret"}))
    valid = [["21060004500392"], ["35600000000048"], ["35600000000001"], [""]]  # La Poste: sum
    assert check_custom(schema, ["siret"], valid).valid
    report = check_custom(schema, ["siret"], [["21060004500393"], ["2106000450039"], ["abc"]])
    assert custom_codes(report) == [(2, "french-siret-value")] * 1 + [
        (3, "french-siret-value"),
        (4, "french-siret-value"),
    ]
    assert "SIRET" in report.errors[0].message


def test_one_of_required():
    schema = custom_schema(
        ["siret", "rna"], ("one-of-required", {"column1": "siret", "column2": "rna"})
    )
    assert check_custom(
        schema, ["siret", "rna"], [["21060004500392", ""], ["", "W123456789"]]
    ).valid
    report = check_custom(schema, ["siret", "rna"], [["", ""], ["1", "W1"]])
    assert custom_codes(report) == [(2, "one-of-required")]
    assert "au moins une des colonnes" in report.errors[0].message
    # Neither column in the file: one error for the file, not one per row.
    schema = {
        "fields": [{"name": "nom"}, {"name": "siret"}, {"name": "rna"}],
        "custom_checks": [
            {"name": "one-of-required", "params": {"column1": "siret", "column2": "rna"}}
        ],
    }
    report = check(schema, ["nom"], [["x"], ["y"]])
    assert report.totals_by_code == {"missing-label": 2, "one-of-required": 1}


def test_year_interval_value():
    schema = custom_schema(
        ["annee"], ("year-interval-value", {"column": "annee", "allow-year-only": "yes"})
    )
    assert check_custom(schema, ["annee"], [["2017/2018"], ["2017"], [""], ["2015/2020"]]).valid
    report = check_custom(schema, ["annee"], [["2018/2017"], ["2017-2018"], ["2017/2017"], ["17"]])
    assert [row for row, _code in custom_codes(report)] == [2, 3, 4, 5]
    strict = custom_schema(
        ["annee"], ("year-interval-value", {"column": "annee", "allow-year-only": "no"})
    )
    assert custom_codes(check_custom(strict, ["annee"], [["2017"]])) == [(2, "year-interval-value")]


def test_cohesive_columns_value():
    schema = custom_schema(
        ["annee", "budget", "autre"],
        ("cohesive-columns-value", {"column": "annee", "othercolumns": ["budget"]}),
    )
    header = ["annee", "budget", "autre"]
    assert check_custom(schema, header, [["2017", "Principal", ""], ["", "", "x"]]).valid
    report = check_custom(schema, header, [["2017", "", ""], ["", "Annexe", ""]])
    assert custom_codes(report) == [(2, "cohesive-columns-value"), (3, "cohesive-columns-value")]
    assert "« budget » est vide" in report.errors[0].message


def test_compare_columns_value():
    schema = custom_schema(
        [{"name": "delib", "type": "date"}, {"name": "pref", "type": "date"}, "n1", "n2"],
        ("compare-columns-value", {"column": "pref", "op": ">=", "column2": "delib"}),
        ("compare-columns-value", {"column": "n1", "op": ">", "column2": "n2"}),
    )
    header = ["delib", "pref", "n1", "n2"]
    good = [["2017-10-15", "2017-10-20", "10", "9.5"], ["2017-10-15", "2017-10-15", "", "3"]]
    assert check_custom(schema, header, good).valid
    bad = [["2017-10-15", "2017-10-01", "9", "10"], ["2017-10-15", "pas une date", "2", "2"]]
    report = check_custom(schema, header, bad)
    # Row 3: the type error of "pref" is reported once, the comparison is skipped.
    assert custom_codes(report) == [
        (2, "compare-columns-value"),
        (2, "compare-columns-value"),
        (3, "compare-columns-value"),
    ]
    assert "supérieur ou égal à « delib »" in report.errors[0].message


def test_sum_columns_value():
    fields = [{"name": name, "type": "integer"} for name in ("reel", "pour", "contre", "abst")]
    schema = custom_schema(
        fields, ("sum-columns-value", {"column": "reel", "columns": ["pour", "contre", "abst"]})
    )
    header = ["reel", "pour", "contre", "abst"]
    assert check_custom(schema, header, [["40", "25", "10", "5"], ["", "1", "2", "3"]]).valid
    report = check_custom(schema, header, [["41", "25", "10", "5"]])
    assert custom_codes(report) == [(2, "sum-columns-value")]
    assert "(40)" in report.errors[0].message


def test_nomenclature_actes_value():
    schema = custom_schema(["matiere"], ("nomenclature-actes-value", {"column": "matiere"}))
    good = [
        ["Finances locales/décisions budgétaires"],
        ["domaines de competences par themes/amenagement du territoire"],
        ["'domaines de compétences par thèmes/aménagement du territoire"],
        [""],
    ]
    assert check_custom(schema, ["matiere"], good).valid
    bad = [["Finances locales"], ["Sport/football"], ["Urbanisme/"]]
    report = check_custom(schema, ["matiere"], bad)
    assert [row for row, _code in custom_codes(report)] == [2, 3, 4]
    assert "barre oblique" in report.errors[0].message
    assert "nomenclature ACTES" in report.errors[1].message


# --- Report ---------------------------------------------------------------------------------

AMOUNTS = {"fields": [{"name": "objet"}, {"name": "montant", "type": "number"}]}


def test_summary_groups_errors_by_kind_and_column():
    rows = [["a", "1"], ["b", "2"], ["c", "1,5"], ["d", "3"], ["e", "4"]]
    rows += [["f", "n/a"], ["g", "5"], ["h", "6"], ["i", "1 000"]]
    report = check(AMOUNTS, ["objet", "montant"], rows)
    summary = report.summary_fr()
    assert summary.startswith("Le fichier n'est pas conforme au schéma : 3 erreurs (9 lignes")
    assert (
        "La colonne « montant » contient 3 valeurs qui ne sont pas des nombres (lignes 4, 7, 10)."
        in summary
    )
    assert report.totals_by_field == {"montant": 3}


def test_max_errors_truncates_but_keeps_counting():
    rows = [["x", "pas un nombre"]] * 30
    report = check(AMOUNTS, ["objet", "montant"], rows, max_errors=5)
    assert len(report.errors) == 5
    assert report.error_count == 30
    assert report.truncated
    assert report.totals_by_code == {"type-error": 30}
    summary = report.summary_fr()
    assert "30 valeurs" in summary and "et 20 autres" in summary
    assert "Seules les 5 premières erreurs" in summary


def test_to_dict_is_json_with_stable_keys():
    report = check(AMOUNTS, ["objet", "montant"], [["=HYPERLINK()", "x" * 300]])
    data = json.loads(json.dumps(report.to_dict()))
    assert set(data) == {
        "valid",
        "rows_checked",
        "error_count",
        "truncated",
        "max_errors",
        "schema",
        "totals",
        "skipped_checks",
        "labels_matched",
        "errors",
        "summary",
    }
    error = data["errors"][0]
    assert set(error) == {"code", "row", "column", "field", "value", "constraint", "message"}
    assert (error["code"], error["row"], error["column"], error["field"]) == (
        "type-error",
        2,
        2,
        "montant",
    )
    assert len(error["value"]) == validation.CELL_DISPLAY_CHARS + 1  # truncated, with "…"
    assert data["totals"] == {"by_code": {"type-error": 1}, "by_field": {"montant": 1}}


def test_write_csv_neutralises_formulas():
    schema = {"fields": [{"name": "n", "type": "integer"}]}
    report = check(schema, ["n"], [["=1+1"], ["@SUM(A1)"], ["ok"]])
    out = io.StringIO()
    report.write_csv(out)
    lines = list(csv.reader(io.StringIO(out.getvalue())))
    assert lines[0] == list(validation.CSV_COLUMNS)
    assert [line[4] for line in lines[1:]] == ["'=1+1", "'@SUM(A1)", "ok"]


def test_progress_is_reported():
    calls = []
    rows = [["x", "1"]] * 25_000
    check(AMOUNTS, ["objet", "montant"], rows, progress=calls.append)
    assert calls == [10_000, 20_000, 25_000]


def test_pipeline_from_a_table_source(tmp_path):
    path = tmp_path / "montants.csv"
    path.write_text("objet;montant\nlivres;12.5\nrepas;12,5\n", encoding="cp1252")
    with open_table(path) as source:
        report = validate(source.header, source.rows(), AMOUNTS)
    assert our_errors(report) == [(3, 2, "type-error")]
