"""Streaming reading of uploaded tables (mediane.datahub.tabular): formats recognised by their
content, encodings, delimiters, limits, and the errors a user sees."""

import codecs
import datetime as dt
import os
import zipfile
from pathlib import Path

import openpyxl
import pytest

from mediane.datahub import tabular
from mediane.datahub.tabular import TabularError, cell_text, open_table

ODS_MIMETYPE = "application/vnd.oasis.opendocument.spreadsheet"
MANIFEST = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
    'manifest:version="1.2">'
    f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{ODS_MIMETYPE}"/>'
    '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
    "</manifest:manifest>"
)


def _ods_cell(value):
    if value is None:
        return "<table:table-cell/>"
    if isinstance(value, bool):
        text = "true" if value else "false"
        return (
            f'<table:table-cell office:value-type="boolean" office:boolean-value="{text}">'
            f"<text:p>{text}</text:p></table:table-cell>"
        )
    if isinstance(value, (int, float)):
        return (
            f'<table:table-cell office:value-type="float" office:value="{value}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    if isinstance(value, dt.date):
        return (
            f'<table:table-cell office:value-type="date" office:date-value="{value.isoformat()}">'
            f"<text:p>{value}</text:p></table:table-cell>"
        )
    return (
        f'<table:table-cell office:value-type="string"><text:p>{value}</text:p></table:table-cell>'
    )


def write_ods(path, rows, *, leading_empty_rows=0):
    """A minimal ODS spreadsheet written by hand: mimetype, manifest and content.xml."""
    body = "".join(
        "<table:table-row>" + "".join(_ods_cell(value) for value in row) + "</table:table-row>"
        for row in rows
    )
    if leading_empty_rows:
        body = (
            f'<table:table-row table:number-rows-repeated="{leading_empty_rows}">'
            "<table:table-cell/></table:table-row>" + body
        )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        '<office:body><office:spreadsheet><table:table table:name="Feuille1">'
        f"{body}</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), ODS_MIMETYPE)
        archive.writestr("META-INF/manifest.xml", MANIFEST, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return path


def read_all(path, **options):
    with open_table(path, **options) as source:
        return source, source.header, list(source.rows())


def write(tmp_path, data, name="data.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --- CSV ------------------------------------------------------------------------------------


def test_utf8_with_bom(tmp_path):
    path = write(tmp_path, "nom,ville\nÉlodie,Québec\n".encode("utf-8-sig"))
    source, header, rows = read_all(path)
    assert source.format == "csv"
    assert source.encoding == "utf-8-sig"
    assert header == ["nom", "ville"]  # no BOM glued to the first label
    assert rows == [["Élodie", "Québec"]]


def test_windows_1252_with_accents_and_semicolons(tmp_path):
    text = "nom;commune;montant\nCœur d'Élan;Trois-Rivières;12,5 €\nÉcole;Béziers;3\n"
    source, header, rows = read_all(write(tmp_path, text.encode("cp1252")))
    assert source.encoding == "cp1252"
    assert source.delimiter == ";"
    assert header == ["nom", "commune", "montant"]
    assert rows == [["Cœur d'Élan", "Trois-Rivières", "12,5 €"], ["École", "Béziers", "3"]]


def test_accents_after_an_ascii_start_are_read(tmp_path):
    """The encoding is guessed on the first 64 KB: a Windows-1252 accent further down is still
    read as such, not as an error."""
    lines = ["id,nom"] + [f"{i},ligne {i}" for i in range(8000)] + ["9999,Élodie Séguin"]
    data = ("\n".join(lines) + "\n").encode("cp1252")
    assert len(data) > 70_000
    source, _header, rows = read_all(write(tmp_path, data))
    assert source.encoding == "utf-8"
    assert rows[-1] == ["9999", "Élodie Séguin"]


def test_tab_and_pipe_delimiters(tmp_path):
    source, header, rows = read_all(write(tmp_path, b"a\tb\tc\n1\t2,5\t3\n"))
    assert (source.delimiter, header, rows) == ("\t", ["a", "b", "c"], [["1", "2,5", "3"]])
    source, header, rows = read_all(write(tmp_path, b"a|b\nx, y|z\n", "pipe.txt"))
    assert (source.delimiter, header, rows) == ("|", ["a", "b"], [["x, y", "z"]])


def test_header_only(tmp_path):
    with open_table(write(tmp_path, b"a;b;c\r\n")) as source:
        assert source.header == ["a", "b", "c"]
        assert list(source.rows()) == []
        assert source.progress() == 1.0


def test_single_column_falls_back_to_comma(tmp_path):
    source, header, rows = read_all(write(tmp_path, b"nom\nAlice\nBob\n"))
    assert source.delimiter == ","
    assert rows == [["Alice"], ["Bob"]]


def test_utf16_excel_unicode_text(tmp_path):
    """Excel's "texte Unicode" export: UTF-16 with a BOM, tab-separated."""
    data = "commune\tpopulation\nSaint-Étienne\t172565\n".encode("utf-16")
    source, header, rows = read_all(write(tmp_path, data, "export.txt"))
    assert source.encoding == "utf-16"
    assert header == ["commune", "population"]
    assert rows == [["Saint-Étienne", "172565"]]


def test_quoted_newlines_row_and_line_numbers(tmp_path):
    data = b'id,texte\n1,"premiere ligne\ndeuxieme ligne"\n2,simple\n'
    with open_table(write(tmp_path, data)) as source:
        seen = []
        for row in source.rows():
            seen.append((source.row_number, source.line_number, row))
    assert seen == [
        (2, 2, ["1", "premiere ligne\ndeuxieme ligne"]),
        (3, 4, ["2", "simple"]),
    ]


def test_ragged_and_blank_rows_are_yielded_as_they_are(tmp_path):
    data = b"a,b,c\n1,2\n1,2,3,4\n\n,,\n5,6,7\n"
    _source, _header, rows = read_all(write(tmp_path, data))
    assert rows == [["1", "2"], ["1", "2", "3", "4"], [], ["", "", ""], ["5", "6", "7"]]


def test_cells_are_kept_exactly_formula_looking_ones_included(tmp_path):
    data = b'formule,tel,espace\n=SUM(A1:A9),+33 6 12 34 56 78,"  x  "\n@cmd,-1,\n'
    _source, _header, rows = read_all(write(tmp_path, data))
    assert rows == [["=SUM(A1:A9)", "+33 6 12 34 56 78", "  x  "], ["@cmd", "-1", ""]]


def test_rows_can_be_read_again_and_progress_reaches_the_end(tmp_path):
    data = ("a,b\n" + "".join(f"{i},{i * 2}\n" for i in range(20000))).encode()
    with open_table(write(tmp_path, data)) as source:
        assert source.bytes_total == len(data)
        assert source.progress() == 0
        halfway = None
        for count, _row in enumerate(source.rows(), start=1):
            if count == 10000:
                halfway = source.bytes_read()
        assert 0 < halfway < len(data)
        assert source.progress() == 1.0
        assert source.row_number == 20001
        assert sum(1 for _ in source.rows()) == 20000


def test_empty_and_blank_files(tmp_path):
    for data in (b"", b"   \r\n\n\t\n", codecs.BOM_UTF8 + b"\n\n"):
        with pytest.raises(TabularError) as caught:
            open_table(write(tmp_path, data))
        assert caught.value.code == "empty"
        assert "vide" in caught.value.message


def test_blank_first_line_is_no_header(tmp_path):
    with pytest.raises(TabularError) as caught:
        open_table(write(tmp_path, b"\na,b\n1,2\n"))
    assert caught.value.code == "no-header"
    assert caught.value.line == 1


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj",
        os.urandom(4096),
        bytes(range(1, 9)) * 40,  # control characters, no NUL
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512),  # Excel 97-2003
    ],
    ids=["png", "pdf", "random", "controls", "xls"],
)
def test_binary_disguised_as_csv(tmp_path, data):
    with pytest.raises(TabularError) as caught:
        open_table(write(tmp_path, data, "donnees.csv"))
    assert caught.value.code == "binary"
    assert "« donnees.csv »" in caught.value.message
    assert "CSV" in caught.value.message  # says what to do


def test_zip_that_is_not_a_spreadsheet(tmp_path):
    path = tmp_path / "archive.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "bonjour")
    with pytest.raises(TabularError) as caught:
        open_table(path)
    assert caught.value.code == "binary"


def test_damaged_spreadsheet(tmp_path):
    with pytest.raises(TabularError) as caught:
        open_table(write(tmp_path, b"PK\x03\x04" + os.urandom(300), "classeur.xlsx"))
    assert caught.value.code == "unreadable-spreadsheet"


def test_huge_line_is_refused_with_its_number(tmp_path):
    data = b"a,b\n1,2\n3," + b"x" * 5000 + b"\n5,6\n"
    with (
        open_table(write(tmp_path, data), max_cell_bytes=1000) as source,
        pytest.raises(TabularError) as caught,
    ):
        list(source.rows())
    assert caught.value.code == "line-too-long"
    assert caught.value.line == 3
    assert "ligne 3" in caught.value.message


def test_file_without_line_breaks_is_refused_without_reading_it_whole(tmp_path):
    path = write(tmp_path, b"a," + b"y" * 3_000_000)
    with pytest.raises(TabularError) as caught:
        open_table(path, max_cell_bytes=10_000)
    assert caught.value.code == "line-too-long"


def test_unclosed_quote_points_at_its_line(tmp_path):
    data = b'a,b\n1,2\n3,"debut\n' + b"suite,de,texte\n" * 200
    with (
        open_table(write(tmp_path, data), max_cell_bytes=1000) as source,
        pytest.raises(TabularError) as caught,
    ):
        list(source.rows())
    assert caught.value.code == "line-too-long"
    assert caught.value.line == 3
    assert "guillemet" in caught.value.message


def test_too_many_columns_and_too_large(tmp_path):
    path = write(tmp_path, (",".join(f"c{i}" for i in range(10)) + "\n").encode())
    with pytest.raises(TabularError) as caught:
        open_table(path, max_columns=5)
    assert caught.value.code == "too-many-columns"
    with pytest.raises(TabularError) as caught:
        open_table(path, max_bytes=10)
    assert caught.value.code == "too-large"
    assert "Mo" in caught.value.message


# --- Spreadsheets ---------------------------------------------------------------------------


def test_xlsx_values_become_iso_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Subventions"
    sheet.append(["date", "montant", "part", "quand", "oui", "texte", "vide"])
    # "=x" is a formula: the reader takes its cached result, and openpyxl wrote none.
    sheet.append(
        [dt.date(2017, 6, 27), 47800, 0.45, dt.datetime(2020, 1, 2, 10, 30), True, "=x", None]
    )
    sheet.append([dt.datetime(2016, 12, 5), 12800.2, 0.1 + 0.2, None, False, "007", None])
    sheet.append([])
    sheet.append([None, 3, None, None, None, None, None, None, "au-delà"])
    sheet["A12"].number_format = "0.00"  # formatting far below: trailing empty rows
    path = tmp_path / "subventions.xlsx"
    workbook.save(path)

    source, header, rows = read_all(path, filename="Subventions 2017.xlsx")
    assert source.format == "xlsx"
    assert source.sheet == "Subventions"
    assert source.encoding is None and source.delimiter is None
    assert header == ["date", "montant", "part", "quand", "oui", "texte", "vide"]
    assert rows == [
        ["2017-06-27", "47800", "0.45", "2020-01-02T10:30:00", "true", "", ""],
        ["2016-12-05", "12800.2", "0.3", "", "false", "007", ""],
        ["", "", "", "", "", "", ""],
        ["", "3", "", "", "", "", "", "", "au-delà"],
    ]


def test_xlsx_string_that_looks_like_a_formula_stays_text(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["formule"])
    sheet["A2"].value = "=1+1"
    sheet["A2"].data_type = "s"
    path = tmp_path / "f.xlsx"
    workbook.save(path)
    assert read_all(path)[2] == [["=1+1"]]


def test_ods_written_by_hand(tmp_path):
    path = write_ods(
        tmp_path / "donnees.ods",
        [
            ["commune", "population", "date", "ok", "note"],
            ["Thetford Mines", 26072, dt.date(2021, 5, 1), True, 12.5],
            ["Lourdes", 13234.0, None, False, None],
            [None, None, None, None, None],
            ["Ajaccio", 1, None, None, "x", "en trop"],
        ],
    )
    source, header, rows = read_all(path)
    assert source.format == "ods"
    assert source.sheet == "Feuille1"
    assert header == ["commune", "population", "date", "ok", "note"]
    assert rows == [
        ["Thetford Mines", "26072", "2021-05-01", "true", "12.5"],
        ["Lourdes", "13234", "", "false", ""],
        ["", "", "", "", ""],
        ["Ajaccio", "1", "", "", "x", "en trop"],
    ]
    assert source.progress() == 1.0


def test_ods_named_csv_is_read_as_ods_and_keeps_positions(tmp_path):
    """The format comes from the content; an empty first column stays a column."""
    path = write_ods(tmp_path / "mal-nomme.csv", [[None, "a", "b"], [None, 1, 2]])
    source, header, rows = read_all(path)
    assert source.format == "ods"
    assert header == ["", "a", "b"]
    assert rows == [["", "1", "2"]]


def test_ods_with_an_empty_first_row_has_no_header(tmp_path):
    path = write_ods(tmp_path / "titre.ods", [["a", "b"], [1, 2]], leading_empty_rows=2)
    with pytest.raises(TabularError) as caught:
        open_table(path)
    assert caught.value.code == "no-header"


def test_spreadsheet_too_large_once_uncompressed(tmp_path, monkeypatch):
    """The XML parts held in memory are capped (zip bombs)."""
    path = write_ods(tmp_path / "bombe.ods", [["a"], ["x" * 5000]])
    monkeypatch.setattr(tabular, "MAX_XML_BYTES", 4000)
    with pytest.raises(TabularError) as caught:
        open_table(path)
    assert caught.value.code == "too-large"
    assert "CSV" in caught.value.message


def test_spreadsheet_without_any_cell_is_empty(tmp_path):
    path = tmp_path / "vide.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(TabularError) as caught:
        open_table(path)
    assert caught.value.code == "empty"


def test_cell_text_iso_forms():
    assert cell_text(None) == ""
    assert cell_text(5.0) == "5"
    assert cell_text(-3) == "-3"
    assert cell_text(0.1 + 0.2) == "0.3"
    assert cell_text(1e-7) == "0.0000001"
    assert cell_text(123456789012.5) == "123456789012.5"
    assert cell_text(dt.datetime(2020, 2, 29)) == "2020-02-29"
    assert cell_text(dt.datetime(2020, 2, 29, 8, 5, 3)) == "2020-02-29T08:05:03"
    assert cell_text(dt.time(8, 30)) == "08:30:00"
    assert cell_text(True) == "true"
    assert cell_text(dt.timedelta(hours=1, minutes=30)) == "PT1H30M0S"


def test_errors_are_never_bare_parser_exceptions(tmp_path):
    garbage = [b"PK\x03\x04garbage", b"\x00\x01\x02", b"\n\n", b""]
    for index, data in enumerate(garbage):
        path = Path(tmp_path / f"f{index}.csv")
        path.write_bytes(data)
        with pytest.raises(TabularError) as caught, open_table(path) as source:
            list(source.rows())
        assert caught.value.code and caught.value.message


def test_cyrillic_windows_1251_is_not_taken_for_latin(tmp_path):
    text = "город;население\n" + "Москва, столица России;13000000\nСанкт-Петербург;5600000\n" * 5
    source, header, rows = read_all(write(tmp_path, text.encode("cp1251")))
    assert source.encoding == "cp1251"
    assert header == ["город", "население"]
    assert rows[0] == ["Москва, столица России", "13000000"]
