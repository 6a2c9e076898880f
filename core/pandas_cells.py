"""What the reference evaluators' pandas makes of a file's cells, so that every reader of ours keys and
reads rows as they do.

The reference reads releases and prediction files with `pandas.read_csv` / `read_excel` and then takes
`str()` of each value. Two things follow: a cell pandas reads as missing is the text "nan", and a
column is typed as a whole before `str()` sees it, so an `index` column of `001`, `2` is the integers
1 and 2 ("1", "2"), while one blank among integers makes every value a float ("1.0", "nan").
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# Cells pandas reads as missing (its default na_values).
PANDAS_MISSING = frozenset(
    {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A", "NA"}
    | {"NULL", "NaN", "None", "n/a", "nan", "null"}
)

# What the reference evaluator makes of a blank cell: pandas reads NaN, and str() of it is "nan".
BLANK_TEXT = "nan"

# pandas' C parser: an integer may carry a sign and surrounding spaces; a float the usual forms and inf.
_INT = re.compile(r"^\s*[+-]?\d+\s*$")
_FLOAT = re.compile(r"^\s*[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity)\s*$", re.IGNORECASE)
_INT64 = 2**63


def is_blank(value: object) -> bool:
    """A cell the reference's pandas reads as missing."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return isinstance(value, str) and value in PANDAS_MISSING


def reference_text(value: object) -> str:
    """A cell as the reference's str() of a pandas value sees it: a missing one is the text "nan"."""
    return BLANK_TEXT if is_blank(value) else str(value)


def _as_number(value: object) -> int | float | None:
    """The number pandas would read from one non-missing cell, or None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    text = str(value)
    if _INT.match(text):
        number = int(text)
        return number if -_INT64 <= number < _INT64 else float(number)
    if _FLOAT.match(text):
        return float(text)
    return None


def column_texts(values: Sequence[object]) -> list[str]:
    """str() of each value of one column as pandas types it: all integers (and no blank) stay
    integers; integers and floats, or numbers with blanks, become floats; any other text keeps the
    column as text. Missing cells are "nan" in every case."""
    numbers = [None if is_blank(v) else _as_number(v) for v in values]
    present = [(v, n) for v, n in zip(values, numbers, strict=True) if not is_blank(v)]
    if not present or any(n is None for _, n in present):
        return [reference_text(v) for v in values]
    integral = all(isinstance(n, int) for _, n in present) and len(present) == len(values)
    if integral:
        return [str(n) for n in numbers]
    return [BLANK_TEXT if n is None else str(float(n)) for n in numbers]
