"""Excel's specification limits, checked on every formula the build writes.

Excel refuses to open a formula nested too deep, too long or with too many arguments to a function (it
reports the file as damaged, or the cell as an error), and a function that Excel 2010 or LibreOffice 7.4 lacks
shows ``#NAME?``. The build therefore checks each formula as it is written (:func:`check_formula`, called by
:func:`workbook.kit.put` and :func:`workbook.kit.put_formula_column`; the conditional formats and validations by
:func:`check_sheet_rules` when the Book finishes) and stops with a :class:`FormulaLimitError` that names the sheet,
the cell, the limit and the value. (The cells ``llmcost refresh`` carries over from a user's file hold the user's
own formulas and are not checked.)

The limits are those of Excel's specification ("Excel specifications and limits", Microsoft Support; the same
since Excel 2007): a formula of at most 8,192 characters, 64 levels of nested functions and 255 arguments to a
function. The build keeps strictly under each (:data:`LIMITS` is the first value refused), one short of
Excel's maxima, so a formula at the documented maximum is refused too.

A formula holds no raw control character either (a tab or line feed inside a string literal): Excel's formula bar
cannot show or keep them, tools that read the formula text trip on them, and XML turns a carriage return into a
line feed; ``CHAR(9)``, ``CHAR(10)`` and ``CHAR(13)`` write them.

A formula is read by a small tokenizer (string literals ``"a""b"``, quoted sheet names ``'It''s'!A1`` and array
constants ``{1,2;3,4}`` are skipped or counted as Excel reads them). The verdict of a formula does not depend
on its digits (row numbers change no nesting, argument count or length, and no allowed function has a digit in
its name), so formulas that differ only in their digits (the rows of a table) are read once.

>>> shape = formula_shape('=IF(A1>0,SUM({1,2;3,4}),"a,b(")')
>>> shape.nesting, shape.arguments, sorted(shape.functions)
(2, 3, ['IF', 'SUM'])
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from openpyxl import Workbook

from ..xlsx.cells import formula_cells

__all__ = [
    "ALLOWED_FUNCTIONS",
    "LIMITS",
    "FormulaLimitError",
    "FormulaShape",
    "formula_shape",
    "check_formula",
    "check_sheet_rules",
    "deepest_nesting",
]

#: The functions a formula of the workbook may call: those Excel 2010 and LibreOffice 7.4 both know, as the
#: workbook uses them now (collected from the default workbook and the example scenarios' workbooks; ROW gives a
#: catalog line its place for the first-match picks). A function is added here only after checking it in both
#: (no XLOOKUP, LET, IFS, SWITCH, FILTER, XMATCH, CONCAT, TEXTJOIN; no IFERROR either, the workbook tests with ISNA).
#: CHAR writes the control characters a formula's text needs (CHAR(9), CHAR(10): ASCII in every code page); NA
#: gives the gaps of a chart's series cells (both functions as old as Excel's and LibreOffice's file formats).
ALLOWED_FUNCTIONS = frozenset(
    {
        "ABS",  # max(a, b) = (a + b + ABS(a - b)) / 2 element by element in a SUMPRODUCT (per-second billing)
        "AND",
        "CHAR",
        "CHOOSE",
        "COUNT",
        "DATE",
        "EXP",
        "IF",
        "INDEX",
        "INT",
        "ISNA",
        "ISNUMBER",
        "LARGE",
        "LEFT",
        "LEN",
        "LN",
        "LOWER",
        "MATCH",
        "MAX",
        "MID",
        "MIN",
        "NA",  # a chart series cell that is not drawn (Curve); Excel 2010 and LibreOffice 7.4 have it
        "NOT",
        "OR",
        "REPT",
        "RIGHT",
        "ROUND",
        "ROUNDUP",
        "ROW",
        "SIGN",
        "SUBSTITUTE",
        "SUMPRODUCT",
        "TEXT",
        "TRIM",
        "VALUE",
    }
)

#: The first value each limit refuses: Excel allows 64 nesting levels, 8,192 characters and 255 arguments, and
#: the build stays under each (see the module docstring).
LIMITS = {"nesting": 64, "length": 8192, "arguments": 255}

_WHAT = {
    "nesting": "function calls nested {value} levels deep",
    "length": "a formula of {value} characters",
    "arguments": "a function call with {value} arguments",
    "functions": "the function {value}",
    "control": "the raw control character {value}",
}
_LIMIT_TEXT = {
    "nesting": f"under {LIMITS['nesting']} levels (Excel's specification)",
    "length": f"under {LIMITS['length']:,} characters, the = included (Excel's specification)",
    "arguments": f"under {LIMITS['arguments']} arguments to a function (Excel's specification)",
    "functions": "functions that Excel 2010 and LibreOffice 7.4 both know (ALLOWED_FUNCTIONS)",
    "control": "none in a formula: write CHAR(9), CHAR(10), CHAR(13) instead",
}

# A string literal, a quoted sheet name (both skipped), a function's name with its opening parenthesis, or one
# of the characters that open, close or separate: ( ) { } , (the row separator ; of an array constant is not one).
_TOKEN = re.compile(r""""[^"]*(?:""[^"]*)*"|'[^']*(?:''[^']*)*'|([A-Za-z_][A-Za-z0-9_.]*)\(|([(){},])""")
_DIGITS = bytes.maketrans(b"123456789", b"000000000")  # on the UTF-8 bytes: five times faster than on the str
_CONTROL = re.compile(rb"[\x00-\x1f]")  # a raw control character (tab, line feed, ...): CHAR() writes them


class FormulaLimitError(ValueError):
    """A formula of the workbook past one of Excel's limits (:data:`LIMITS`) or calling a function not allowed.

    ``sheet`` and ``cell`` say where (``cell`` is a reference such as ``T33``, or the range of a conditional
    format or validation), ``limit`` which (``"nesting"``, ``"length"``, ``"arguments"``, ``"functions"`` or
    ``"control"``), ``value`` what the formula has (a number, the names of the functions not allowed, or the
    control character).
    """

    def __init__(self, sheet: str, cell: str, limit: str, value: int | str) -> None:
        self.sheet, self.cell, self.limit, self.value = sheet, cell, limit, value
        super().__init__(f"{sheet}!{cell}: {_WHAT[limit].format(value=value)} (limit: {_LIMIT_TEXT[limit]})")


class FormulaShape(NamedTuple):
    """What of a formula Excel limits: the deepest ``nesting`` of function calls, the most ``arguments`` given
    to one call, and the names of the ``functions`` it calls (upper case)."""

    nesting: int
    arguments: int
    functions: frozenset[str]


def formula_shape(formula: str) -> FormulaShape:
    """The :class:`FormulaShape` of ``formula`` (with or without its leading ``=``).

    Raises ``ValueError`` when its parentheses or braces do not pair up.
    """
    depth = deepest = most = 0
    open_calls: list[list[int] | None] = []  # per open bracket: [arguments so far] for a call, None otherwise
    functions = set()
    for name, mark in _TOKEN.findall(formula):
        if name:
            functions.add(name.upper())
            depth += 1
            deepest = max(deepest, depth)
            open_calls.append([1])
        elif not mark:
            continue  # a string literal or a quoted sheet name
        elif mark in "({":
            open_calls.append(None)
        elif mark == ",":
            if open_calls and open_calls[-1] is not None:
                open_calls[-1][0] += 1  # an argument separator (a comma inside ( ) or { } is not one)
        else:
            if not open_calls:
                raise ValueError(f"a closing bracket {mark} without its opening one: {formula[:80]!r}")
            call = open_calls.pop()
            if call is not None:
                depth -= 1
                most = max(most, call[0])
    if open_calls:
        raise ValueError(f"a bracket not closed: {formula[:80]!r}")
    return FormulaShape(deepest, most, frozenset(functions))


def _digitless(formula: str) -> bytes:
    """``formula`` with each digit made 0, as UTF-8 (the key of the caches below)."""
    return formula.encode().translate(_DIGITS)


@lru_cache(maxsize=8192)
def _digitless_shape(digitless: bytes) -> FormulaShape:
    """:func:`formula_shape` of a formula whose digits are all zero (:func:`_digitless`), cached."""
    return formula_shape(digitless.decode())


@lru_cache(maxsize=8192)
def _problem(digitless: bytes) -> tuple[str, int | str] | None:
    """The first limit a formula whose digits are all zero passes (limit, value), or None (cached)."""
    shape = _digitless_shape(digitless)
    if shape.nesting >= LIMITS["nesting"]:
        return "nesting", shape.nesting
    if shape.arguments >= LIMITS["arguments"]:
        return "arguments", shape.arguments
    unknown = shape.functions - ALLOWED_FUNCTIONS
    if unknown:
        return "functions", ", ".join(sorted(unknown))
    control = _CONTROL.search(digitless)
    if control:
        return "control", f"U+{control.group()[0]:04X}"
    return None


def check_formula(formula: str, sheet: str, cell: str) -> None:
    """Raise :class:`FormulaLimitError` when ``formula`` (the text of cell ``sheet!cell``) passes a limit.

    Fast for repeated formulas: one read per distinct text once the digits are set aside (about 1,000 of the
    default workbook's 8,400 formula texts).
    """
    if len(formula) >= LIMITS["length"]:
        raise FormulaLimitError(sheet, cell, "length", len(formula))
    problem = _problem(_digitless(formula))
    if problem is None:
        return
    limit, value = problem
    if limit == "functions":  # the names as written (their digits were set aside)
        value = ", ".join(sorted(formula_shape(formula).functions - ALLOWED_FUNCTIONS))
    raise FormulaLimitError(sheet, cell, limit, value)


def check_sheet_rules(ws) -> None:
    """Check the formulas of ``ws``'s conditional formats and data validations (named by their cell ranges)."""
    for fmt in ws.conditional_formatting:
        for rule in fmt.rules:
            for formula in rule.formula or ():
                check_formula(formula, ws.title, str(fmt.sqref))
    for dv in ws.data_validations.dataValidation:
        for formula in (dv.formula1, dv.formula2):
            if formula:
                check_formula(formula, ws.title, str(dv.sqref))


def deepest_nesting(wb: Workbook) -> tuple[int, str]:
    """The deepest nesting of function calls among the cell formulas of ``wb`` and where it is (``Sheet!A1``,
    one such cell), to see the margin under :data:`LIMITS` ``["nesting"]``."""
    deepest, where = 0, ""
    for ws in wb.worksheets:
        for ref, formula in formula_cells(ws):
            depth = _digitless_shape(_digitless(formula)).nesting
            if depth > deepest:
                deepest, where = depth, f"{ws.title}!{ref}"
    return deepest, where
