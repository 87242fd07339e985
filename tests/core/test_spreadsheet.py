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
