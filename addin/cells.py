"""Excel cell values -> checked Python values, and results -> cell values.

What arrives from Excel through xlwings (classic UDFs on Windows): numbers as ``float``, empty cells as
``None``, text as ``str``, TRUE/FALSE as ``bool``, dates as ``datetime``, error cells as their text
(``"#N/A"``, with ``err_to_str=True``), a multi-cell range as a list (of lists with ``ndim=2``).
xlwings Lite / Server deliver whole numbers as ``int`` and dates as serial numbers; both are accepted.

Every problem raises :class:`~costengine.CostModelError` naming the argument or scenario key; how it reaches
the cell (the one-line message, or Excel's ``#VALUE!``) is :mod:`addin.messages`, whose names this module
re-exports.

Whole-column ranges (``A:B``, 1,048,576 rows) are trimmed to the last row with a key or value before they are
read (:func:`used_rows`), without a Python loop over the blank tail.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from numbers import Real
from typing import Any

import numpy as np

from costengine import CostModelError, Scenario
from costengine.engine import check_option

from .messages import ERROR_MODES, ERROR_VALUE, MAX_MESSAGE, PREFIX, error_mode, fmt, message, run

__all__ = [
    "PREFIX",
    "EXCEL_ERRORS",
    "REQUIRED",
    "MAX_MESSAGE",
    "ERROR_MODES",
    "ERROR_VALUE",
    "message",
    "run",
    "error_mode",
    "used_rows",
    "number",
    "text",
    "option",
    "scenario",
    "ranges_cell",
    "out",
    "table",
    "fmt",
]

#: Excel error values, as xlwings hands them over with ``err_to_str=True``.
EXCEL_ERRORS = frozenset(
    {
        "#DIV/0!",
        "#N/A",
        "#NAME?",
        "#NULL!",
        "#NUM!",
        "#REF!",
        "#VALUE!",
        "#SPILL!",
        "#CALC!",
        "#GETTING_DATA",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)
#: Marks an argument without a default.
REQUIRED: Any = object()


# --- single values ---------------------------------------------------------------------------------


def _scalar(value: Any, name: str) -> Any:
    """The one value of a cell argument; a range of several cells is an error, a 1x1 range is unwrapped."""
    while isinstance(value, (list, tuple)):
        if len(value) != 1:
            raise CostModelError(name, f"must be a single value, not a range ({_shape(value)})")
        value = value[0]
    if isinstance(value, str) and value.strip() in EXCEL_ERRORS:
        raise CostModelError(name, f"refers to a cell showing {value.strip()}")
    return value


def _shape(value: Any) -> str:
    rows = len(value)
    cols = len(value[0]) if rows and isinstance(value[0], (list, tuple)) else 1
    return f"{rows}x{cols} cells" if rows else "empty"


def _what(value: Any) -> str:
    return "a range" if isinstance(value, (list, tuple)) else fmt(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def number(
    value: Any,
    name: str,
    default: Any = REQUIRED,
    *,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    whole: bool = False,
) -> float:
    """A finite number from a cell (numeric text accepted); blank gives ``default``.

    Raises :class:`CostModelError` naming ``name`` for text, TRUE/FALSE, dates, error cells, ranges,
    NaN/infinity and values outside ``ge``/``gt``/``le``.
    """
    value = _scalar(value, name)
    if _blank(value):
        if default is REQUIRED:
            raise CostModelError(name, "is required (the argument or cell is empty)")
        return default
    if isinstance(value, bool) or isinstance(value, (dt.date, dt.datetime)):
        raise CostModelError(name, f"must be a number (got {fmt(value)})")
    if isinstance(value, str):
        try:
            if "_" in value:  # float() would read "1_000"; Excel does not
                raise ValueError(value)
            x = float(value.strip())  # numbers stored as text: "1000", "1e6"
        except ValueError:
            raise CostModelError(name, f"must be a number (got {fmt(value)})") from None
    elif isinstance(value, Real):
        x = float(value)
    else:
        raise CostModelError(name, f"must be a number (got {type(value).__name__})")
    if not math.isfinite(x):
        raise CostModelError(name, f"must be a finite number (got {fmt(value)})")
    if ge is not None and x < ge:
        raise CostModelError(name, f"must be >= {fmt(float(ge))} (got {fmt(x)})")
    if gt is not None and x <= gt:
        raise CostModelError(name, f"must be > {fmt(float(gt))} (got {fmt(x)})")
    if le is not None and x > le:
        raise CostModelError(name, f"must be <= {fmt(float(le))} (got {fmt(x)})")
    if whole and x != math.floor(x):
        raise CostModelError(name, f"must be a whole number (got {fmt(x)})")
    return x


def text(value: Any, name: str, default: Any = REQUIRED) -> Any:
    """Trimmed text from a cell; blank gives ``default``; numbers, TRUE/FALSE and dates are errors."""
    value = _scalar(value, name)
    if _blank(value):
        if default is REQUIRED:
            raise CostModelError(name, "is required (the argument or cell is empty)")
        return default
    if not isinstance(value, str):
        raise CostModelError(name, f"must be text (got {fmt(value)})")
    return value.strip()


def option(value: Any, name: str, default: Any = REQUIRED) -> str:
    """An option name: ``api``, ``cloud`` or ``onprem`` (case-insensitive)."""
    value = _scalar(value, name)
    if _blank(value) and default is not REQUIRED:
        return default
    return check_option(value, name)


# --- the scenario range ----------------------------------------------------------------------------


def _blank_tail(rows: list, blank: Any) -> int:
    """How many rows at the end of ``rows`` equal ``blank``, counted by ``list.count`` on slices (C loops).

    Usually every blank row is in the tail (a used range, then empty rows to the end of the column): one count
    over all rows and one over the tail. Otherwise an exponential then binary search, still O(rows) in C.
    """
    n = len(rows)
    total = rows.count(blank)
    if not total or rows[n - total :].count(blank) == total:
        return total
    lo, hi = 0, 1  # the last lo rows are blank; hi: first size that may not be
    while hi <= n and rows[n - hi : n - lo].count(blank) == hi - lo:
        lo, hi = hi, hi * 2
    hi = min(hi, n)
    while hi - lo > 1:  # only the rows between lo and mid are compared
        mid = (lo + hi) // 2
        if rows[n - mid : n - lo].count(blank) == mid - lo:
            lo = mid
        else:
            hi = mid
    return lo


def used_rows(rows: Any) -> Any:
    """``rows`` without its trailing empty rows (every cell ``None``), for whole-column references.

    ``=LLM_COST(A:B, ...)`` arrives as 1,048,576 rows; this cuts it to the used range in about 20 ms (no Python
    loop over the empty rows). Anything that is not a list of equally long rows is returned as it is.
    """
    if not isinstance(rows, list) or len(rows) < 64 or type(rows[-1]) not in (list, tuple):
        return rows
    blank = type(rows[-1])([None] * len(rows[-1]))
    if rows[-1] != blank:
        return rows
    return rows[: len(rows) - _blank_tail(rows, blank)]


def _rows(value: Any) -> list:
    """A scenario argument as a list of rows (a 2-D range; a single cell or a 1-D list is one row)."""
    if not isinstance(value, (list, tuple)):
        return [[value]]
    value = used_rows(value)
    if value and not any(isinstance(r, (list, tuple)) for r in value):
        return [list(value)]
    return [r if isinstance(r, (list, tuple)) else [r] for r in value]


def _cell(v: Any, key: str, row: int, table_name: str = "scenario") -> Any:
    """A value cell of a key | value table: number, text or blank; anything else names the key and row."""
    where = f" ({table_name} row {row})"
    if v is None or isinstance(v, str) or (isinstance(v, (int, float)) and not isinstance(v, bool)):
        if isinstance(v, str) and v.strip() in EXCEL_ERRORS:
            raise CostModelError(key, f"the value cell shows {v.strip()}{where}")
        if isinstance(v, float) and not math.isfinite(v):
            raise CostModelError(key, f"must be a finite number (got {fmt(v)}){where}")
        return v
    if isinstance(v, Real) and not isinstance(v, bool):  # numpy numbers
        return _cell(float(v), key, row, table_name)
    kind = "a date" if isinstance(v, (dt.date, dt.datetime)) else fmt(v) if isinstance(v, bool) else "a range"
    raise CostModelError(key, f"must be a number or text, not {kind}{where}")


def ranges_cell(v: Any, key: str, row: int) -> Any:
    """A value cell of a ranges table (key | low | likely | high), checked like a scenario value."""
    return _cell(v, key, row, "ranges")


def scenario(value: Any, name: str = "scenario") -> Scenario:
    """The scenario of a key | value [| ignored ...] range.

    Blank rows are skipped, as is a first row whose key is ``key`` (a header); a value without a key,
    a key that is not text, error cells and dates are errors naming the row (1-based, within the
    range). Validated scenarios are cached on the (key, value) cells, so recalculating many formulas
    that share one range parses it once.
    """
    rows = _rows(value)
    if not rows or not isinstance(rows[0], (list, tuple)) or max(len(r) for r in rows) < 2:
        raise CostModelError(name, "must be a range of 2 or more columns: key | value (| unit | note ...)")
    pairs: list[tuple[str, Any]] = []
    where: dict[str, int] = {}
    header_done = False
    for i, r in enumerate(rows, start=1):
        n = len(r)
        k = r[0] if n else None
        v = r[1] if n > 1 else None
        if type(k) is str:
            key = k.strip().lower()
        elif k is None:
            key = ""
        else:
            raise CostModelError(name, f"row {i}: a key must be text (got {_what(k)})")
        if not key:
            if not _blank(v):
                raise CostModelError(name, f"row {i} has the value {_what(v)} but no key")
            continue
        if not header_done:
            header_done = True
            if key == "key":
                continue
        # fast path for the usual cells (plain numbers, text, blanks); anything else is checked by _cell
        t = type(v)
        if (t is float and v - v == 0) or v is None or t is int or (t is str and v[:1] != "#"):
            pairs.append((key, v))
        else:
            pairs.append((key, _cell(v, key, i)))
        if key not in where:
            where[key] = i
    try:
        return _parse(tuple(pairs))
    except CostModelError as exc:
        rows_of = [(k, f"{p} (scenario row {where[k]})" if k in where else p) for k, p in exc.problems]
        raise CostModelError(rows_of[0][0], rows_of[0][1], rows_of) from None


@functools.lru_cache(maxsize=1024)
def _parse(pairs: tuple[tuple[str, Any], ...]) -> Scenario:
    data: dict[str, Any] = {}
    for k, v in pairs:
        if k in data:
            raise CostModelError(k, "is given twice")
        data[k] = v
    return Scenario.parse(data)


# --- results ---------------------------------------------------------------------------------------


def out(x: Any, name: str = "result") -> Any:
    """A number for a cell: ``float``; NaN becomes ``""`` (an empty-looking cell); infinity is an error."""
    if x is None:
        return ""
    if isinstance(x, str):
        return x
    f = float(x)
    if math.isnan(f):
        return ""
    if math.isinf(f):
        raise CostModelError(name, "is too large to compute (overflow): check the inputs' magnitudes")
    return f


def table(header: list[str], rows: list[list[Any]]) -> list[list[Any]]:
    """A header row plus data rows: numbers as ``float``, NaN and None as ``""``, text and TRUE/FALSE as they are."""
    return [list(header)] + [[_value(v) for v in r] for r in rows]


def _value(v: Any) -> Any:
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    return out(v)
