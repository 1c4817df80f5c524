"""Writing cells safely: text that stays text, formulas, units, styles and filled-down formula columns.

Every cell is styled through its sheet's :class:`~workbook.kit.book.Book`, which remembers the style indices
of each (kind, format) so that thousands of cells do not re-register the same style objects.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..xlsx.cells import fill_formula_column, set_style_array, style_array
from .limits import check_formula
from .styles import FMT, STYLE

__all__ = [
    "FORMULA_LEADS",
    "put",
    "put_text",
    "put_unit",
    "put_formula_column",
    "style_cell",
    "quote_sheet",
    "absolute",
    "escape_lookup",
    "gated",
    "LOCALE_POINT",
    "value_of_point_text",
    "point_text",
]

#: The locale's decimal separator: the second character of 0.5 as text ("." in en-US, "," in de-DE). Excel and
#: LibreOffice turn a number into text, and VALUE reads a text, with the locale's separator.
LOCALE_POINT = "MID(1/2,2,1)"

#: Characters that make Excel (or LibreOffice) read typed text as a formula.
FORMULA_LEADS = ("=", "+", "-", "@")
_EXCEL_MAX_TEXT = 32767


def quote_sheet(title: str) -> str:
    """A sheet name as it appears in a formula (quoted when it holds spaces or punctuation)."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", title):
        return title
    return "'" + title.replace("'", "''") + "'"


def absolute(sheet: str, ref: str) -> str:
    """``'Sheet'!$A$1`` for a cell or ``'Sheet'!$A$1:$B$9`` for a range given as ``A1`` or ``A1:B9``."""
    parts = []
    for cell in ref.split(":"):
        m = re.fullmatch(r"([A-Z]{1,3})(\d+)", cell)
        if not m:
            raise ValueError(f"not a cell reference: {cell!r}")
        parts.append(f"${m.group(1)}${m.group(2)}")
    return f"{quote_sheet(sheet)}!{':'.join(parts)}"


def escape_lookup(expr: str) -> str:
    """An Excel expression for ``expr`` with the MATCH wildcards ~ * ? escaped (exact, literal matching)."""
    return f'SUBSTITUTE(SUBSTITUTE(SUBSTITUTE({expr},"~","~~"),"*","~*"),"?","~?")'


def style_cell(cell, kind: str | None, fmt: str | None) -> None:
    """Apply a kind of cell (font, fill, border, protection) and a number format.

    openpyxl registers each style object by hashing it, which is slow for thousands of cells; the style
    indices of each (kind, format) are therefore computed once per workbook (kept by the sheet's Book,
    ``cell.parent.book``) and copied to later cells.
    """
    if not kind and not fmt:
        return
    cache = cell.parent.book.style_ids
    fresh = not cell.has_style
    known = cache.get((kind, fmt))
    if fresh and known is not None:
        set_style_array(cell, known)
        return
    if kind:
        for attr, value in STYLE[kind].items():
            setattr(cell, attr, value)
    if fmt:
        cell.number_format = FMT.get(fmt, fmt)
    if fresh:
        cache[(kind, fmt)] = style_array(cell)


def put_text(ws: Worksheet, ref: str, text: str, kind: str | None = None, fmt: str | None = None):
    """Write ``text`` as text, never as a formula (text from users or catalogs).

    Control characters Excel rejects are dropped; a leading ``= + - @`` keeps the cell a text cell
    (and sets Excel's quote prefix, so editing the cell keeps it text).
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", str(text))[:_EXCEL_MAX_TEXT]
    cell = ws[ref]
    cell.value = text
    cell.data_type = "s"
    style_cell(cell, kind, fmt)
    if text.startswith(FORMULA_LEADS):
        cell.quotePrefix = True
    return cell


def put(ws: Worksheet, ref: str, value: Any, kind: str | None = None, fmt: str | None = None):
    """Write a number, a boolean, a formula (a str starting with ``=``, written by this package only) or None.

    A formula past one of Excel's limits raises :class:`~workbook.kit.limits.FormulaLimitError`.
    """
    cell = ws[ref]
    if isinstance(value, str) and not value.startswith("="):
        return put_text(ws, ref, value, kind, fmt)
    if isinstance(value, str):
        book = getattr(ws, "book", None)
        if book is not None:
            value = book.guarded(ws.title, value)
        check_formula(value, ws.title, ref)
    cell.value = value
    style_cell(cell, kind, fmt)
    return cell


def put_formula_column(
    ws: Worksheet,
    column: int,
    first_row: int,
    last_row: int,
    template: str,
    kind: str | None = None,
    fmt: str | None = None,
) -> None:
    """One formula per row of ``column`` from ``first_row`` to ``last_row``, for large tables.

    ``template`` is the formula of row ``{r}``, with ``{p}`` for the row above (``"=B{r}+C{p}"``); every
    cell gets the same kind and format. The cells are those :func:`put` would write, made without parsing
    references or checking types, and the file stores them as one *shared formula* (as Excel does for a
    filled-down column: :meth:`workbook.kit.book.Book.share_formulas`), which keeps the Projection sheet's
    thousands of formulas small on disk. The formula of the last row (the longest: the rows differ only in their
    row numbers) is checked against Excel's limits (:func:`~workbook.kit.limits.check_formula`).
    """
    if not template.startswith("="):
        raise ValueError(f"not a formula: {template!r}")
    book = getattr(ws, "book", None)
    if book is not None:
        template = book.guarded(ws.title, template)
    letter = get_column_letter(column)
    check_formula(template.format(r=last_row, p=last_row - 1), ws.title, f"{letter}{first_row}:{letter}{last_row}")
    cell = ws.cell(row=first_row, column=column)
    style_cell(cell, kind, fmt)
    fill_formula_column(
        ws, column, first_row, last_row, template, style_array(cell), restyle=lambda c: style_cell(c, kind, fmt)
    )
    if last_row > first_row:
        ws.book.share_formulas(ws.title, column, first_row, last_row)


def put_unit(ws: Worksheet, ref: str, unit: str):
    """A unit cell; "money" becomes the scenario's currency (a formula on ``currency_used``)."""
    if "money" not in unit:
        return put_text(ws, ref, unit, "unit")
    parts = [f'"{p}"' for p in unit.split("money")]
    expr = "&currency_used&".join(parts).replace('""&', "").replace('&""', "")
    return put(ws, ref, "=" + expr, "unit")


def units_needed(requests: str, capacity: str, least: str) -> str:
    """The formula of ``costengine.plan.units_at`` / ``replicas_at``: ``MAX(least, ROUNDUP(R x peak / capacity))``
    (units or replicas bought for ``requests`` when one serves ``capacity`` [requests/month]); callers gate it."""
    return f"MAX({least},ROUNDUP({requests}*peak_to_average_used/{capacity},0))"


def gated(expr: str, *cells: str) -> str:
    """The formula ``=IF(AND(ISNUMBER(cell), ...),expr,"n/a")``: ``expr`` when every cell holds a number, else "n/a"
    (a quantity whose inputs are missing shows "n/a", never an error)."""
    return f'=IF(AND({",".join(f"ISNUMBER({c})" for c in cells)}),{expr},"n/a")'


def value_of_point_text(text: str) -> str:
    """VALUE of ``text``, a number written with a decimal point (as typed into the scenario and the engine reads it),
    the same in every locale: the point becomes the locale's separator first, so comma-decimal locales (de-DE)
    read "0.5" as 0.5, not as an error or a date. Test the characters before (no comma: "1,5" is not a number, as
    in the engine)."""
    return f'VALUE(SUBSTITUTE({text},".",{LOCALE_POINT}))'


def point_text(number: str) -> str:
    """A number as text with a decimal point in every locale (the locale's separator replaced by a point)."""
    return f'SUBSTITUTE({number},{LOCALE_POINT},".")'
