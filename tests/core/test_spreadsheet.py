"""One rule for every export: formula-looking text gets an apostrophe, numbers stay numbers."""

from mediane.core.spreadsheet import neutralise


def test_formula_starts_are_quoted_and_other_values_kept():
    for value in ("=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"):
        assert neutralise(value) == "'" + value
    assert neutralise("Lourdes") == "Lourdes" and neutralise(12) == 12 and neutralise(None) is None


def test_plain_numbers_kept_only_when_asked():
    assert neutralise("-12.5") == "'-12.5"
    assert neutralise("-12.5", keep_numbers=True) == "-12.5"
    assert neutralise("-1e5", keep_numbers=True) == "-1e5"
    assert neutralise("-1+cmd|' /C calc'!A0", keep_numbers=True).startswith("'")


def test_shared_writers_neutralise_cells_with_the_given_columns():
    import io

    from openpyxl import load_workbook

    from mediane.core.spreadsheet import rows_to_csv, rows_to_xlsx

    rows = [{"name": "=cmd", "count": 3, "note": None, "ignored": "x"}]
    assert rows_to_csv(rows, ("name", "count", "note")) == (
        "\ufeffname,count,note\r\n'=cmd,3,\r\n".encode()
    )
    content = rows_to_xlsx(rows, ("name", "count", "note"), sheet_title="x" * 40)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "x" * 31 and sheet.freeze_panes == "A2"
    assert [c.value for c in sheet[2]] == ["'=cmd", 3, None]


def test_export_response_is_a_download_of_the_format():
    from mediane.core.spreadsheet import CONTENT_TYPES, export_response

    response = export_response(b"a", "xlsx", "f.xlsx", private=True)
    assert response["Content-Type"] == CONTENT_TYPES["xlsx"]
    assert response["Content-Disposition"] == 'attachment; filename="f.xlsx"'
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    public = export_response(b"a", "csv", "f.csv", private=False, nosniff=False)
    assert "Cache-Control" not in public and "X-Content-Type-Options" not in public
