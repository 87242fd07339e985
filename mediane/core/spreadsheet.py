"""Spreadsheet safety of exported cells (CSV, XLSX): one rule for every export of Médiane.

A text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage return would be run as a
formula by a spreadsheet ("CSV injection"): it gets a leading apostrophe. No Django import.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?[0-9]+([.,][0-9]+)?([eE][-+]?[0-9]+)?")


def neutralise(value: Any, *, keep_numbers: bool = False) -> Any:
    """`value` as a spreadsheet will not run it; values that are not text are returned as they
    are. `keep_numbers`: a text that is a plain number ("-12.5") is left alone (data exports,
    where such cells are numbers)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        if keep_numbers and _PLAIN_NUMBER.fullmatch(value):
            return value
        return "'" + value
    return value
