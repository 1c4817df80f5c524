"""Carry the user's work from an old template into a freshly built one (for ``llmcost refresh``).

What counts as the user's work is read from the *new* build, not listed here: every cell the builder styles as
an input (unlocked: the Inputs sheet's column B, the Curve sheet's from and to, the Fine-tuning sheet's inputs,
and any input a later version adds), plus the note column (D) of each Inputs key. A cell that is the target of a
workbook-level defined name (each scenario key, ``curve_from``, ``ft_params_billion``, ...) is looked up in the
old file through the same name, so rows the user inserted do not matter; the Inputs notes follow their key's
row; the user's catalog rows (the blocks named ``*_user_rows`` below the shipped rows of the Hardware, Models,
Cloud Offers and Servers sheets) are taken row by row from the old file's block of the same name, wherever
it starts, so a release that ships more catalog rows moves them down intact (a row that no longer fits
is named in a note); any other input cell is taken from the same address. Sheets the builder does not make are
copied whole (values, formulas, styles, column widths, row heights, merged cells), after the generated sheets, with
the defined names the user added.

Only openpyxl's public API is used. The serialiser writes no comments, hyperlinks, dates or error values
(:mod:`workbook.xlsx.writer`), so dates become Excel serial numbers with their number format (they look the
same), an error value becomes its formula (``=#N/A``), an array formula a plain one; comments and hyperlinks
of a copied sheet are not carried (a :class:`Carried` note says on how many cells), nor are its charts, images
and shapes (openpyxl does not keep them all, and the public API does not list them).
"""

from __future__ import annotations

import datetime as dt
from copy import copy
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from openpyxl import Workbook
from openpyxl.utils.cell import range_boundaries
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.formula import ArrayFormula

from costengine import SCENARIO_KEYS

__all__ = ["Carried", "carry_over", "NOTE_COLUMN"]

#: The Inputs sheet's note column (key | value | unit | note).
NOTE_COLUMN = 4
#: The defined names of the catalog sheets' user-row blocks end so (``hw_user_rows``: workbook.sheets.catalog_user).
_BLOCK_SUFFIX = "_user_rows"
#: What a user-row cell gets when the old file has no row for it.
_BLANK = SimpleNamespace(value=None, data_type="n")
_INPUTS = "Inputs"


@dataclass
class Carried:
    """What :func:`carry_over` kept: cells per generated sheet, the user's catalog rows that hold something (per
    sheet), the sheets copied, and notes on what could not be."""

    cells: dict[str, int] = field(default_factory=dict)
    catalog_rows: dict[str, int] = field(default_factory=dict)
    sheets: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _single_cells(wb: Workbook) -> dict[str, tuple[str, str]]:
    """Workbook-level names that point at one cell: name (lower case) -> (sheet, ``B5``)."""
    out = {}
    for name, dn in wb.defined_names.items():
        try:
            dests = list(dn.destinations)
        except (ValueError, TypeError, AttributeError):  # a constant or a formula, not a reference
            continue
        if len(dests) == 1 and ":" not in dests[0][1]:
            out[name.lower()] = (dests[0][0], dests[0][1].replace("$", ""))
    return out


def _blocks(wb: Workbook) -> dict[str, tuple[str, int, int, int, int]]:
    """The user-row blocks of the catalog sheets (names ``*_user_rows``): name -> (sheet, first row, first
    column, rows, last column)."""
    out = {}
    for name, dn in wb.defined_names.items():
        if not name.lower().endswith(_BLOCK_SUFFIX):
            continue
        try:
            ((sheet, ref),) = list(dn.destinations)
            c0, r0, c1, r1 = range_boundaries(ref.replace("$", ""))
        except (ValueError, TypeError, AttributeError):
            continue
        out[name.lower()] = (sheet, r0, c0, r1 - r0 + 1, c1)
    return out


def _sheet(wb: Workbook, title: str):
    """The sheet of ``wb`` named ``title`` (ignoring case), or None."""
    return next((ws for ws in wb.worksheets if ws.title.lower() == title.lower()), None)


def _value(cell) -> tuple[Any, str]:
    """(value, data type) of an old cell in a form the serialiser writes (see the module docstring)."""
    value, kind = cell.value, cell.data_type
    if isinstance(value, ArrayFormula):
        return value.text, "f"
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return to_excel(value), "n"
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400, "n"
    if kind == "e":
        return f"={value}", "f"
    if kind not in ("n", "s", "f", "b"):
        return (None, "n") if value is None else (str(value), "s")
    return value, kind


def _put(target, value: Any, kind: str) -> None:
    """Set a cell's value and keep its type (a text that starts with ``=`` stays text)."""
    target.value = value
    if value is not None:
        target.data_type = kind
        if kind == "s" and str(value).startswith(("=", "+", "-", "@")):
            target.quotePrefix = True


def _copy_cell(src, dst) -> int:
    """Copy value, type and style of ``src`` to ``dst``; returns 1 if a comment or hyperlink was left behind."""
    value, kind = _value(src)
    _put(dst, value, kind)
    if src.has_style:
        dst.font, dst.fill, dst.border = copy(src.font), copy(src.fill), copy(src.border)
        dst.alignment, dst.protection = copy(src.alignment), copy(src.protection)
        dst.number_format = src.number_format
    return int(src.comment is not None or src.hyperlink is not None)


def _copy_sheet(old_ws, new_wb: Workbook) -> tuple[Any, int]:
    ws = new_wb.create_sheet(old_ws.title)
    lost = 0
    for row in old_ws.iter_rows():
        for c in row:
            if c.value is None and not c.has_style:
                continue
            lost += _copy_cell(c, ws.cell(row=c.row, column=c.column))
    for key, dim in old_ws.column_dimensions.items():
        ws.column_dimensions[key].width = dim.width
        ws.column_dimensions[key].hidden = dim.hidden
    for key, dim in old_ws.row_dimensions.items():
        if dim.height is not None:
            ws.row_dimensions[key].height = dim.height
    for rng in old_ws.merged_cells.ranges:
        ws.merge_cells(str(rng))
    ws.freeze_panes = old_ws.freeze_panes
    ws.sheet_state = old_ws.sheet_state
    return ws, lost


def carry_over(old: Workbook, new: Workbook, generated: tuple[str, ...]) -> Carried:
    """Copy the user's input cells and own sheets of ``old`` into ``new`` (built for the same scenario).

    Parameters
    ----------
    old : openpyxl.Workbook
        The user's file, as loaded (formulas as text).
    new : openpyxl.Workbook
        The template just built; changed in place.
    generated : tuple of str
        The names of the sheets the builder makes (``workbook.builder.SHEET_ORDER``).
    """
    done = Carried()
    old_names, new_names = _single_cells(old), _single_cells(new)
    by_cell = {dest: name for name, dest in new_names.items()}

    def named(name: str | None):
        """The old file's cell of a name, or None."""
        sheet, ref = old_names.get(name or "", (None, None))
        old_ws = _sheet(old, sheet) if sheet else None
        return None if old_ws is None else old_ws[ref]

    old_blocks, new_blocks = _blocks(old), _blocks(new)

    def moved(ws, c):
        """The old cell of a user catalog row (its block may start elsewhere in the old file), a blank when the
        old file has no such row, or None outside the blocks."""
        for name, (sheet, r0, c0, n, c1) in new_blocks.items():
            if sheet == ws.title and r0 <= c.row < r0 + n and c0 <= c.column <= c1:
                o_sheet, o_r0, o_c0, o_n, _ = old_blocks.get(name, ("", 0, 0, 0, 0))
                o_ws = _sheet(old, o_sheet) if o_sheet else None
                if o_ws is None or c.row - r0 >= o_n:
                    return _BLANK
                return o_ws.cell(row=o_r0 + c.row - r0, column=o_c0 + c.column - c0)
        return None

    for ws in new.worksheets:
        old_ws = _sheet(old, ws.title)
        if old_ws is None:
            continue
        pairs = []
        for row in ws.iter_rows():
            for c in row:
                if c.has_style and not c.protection.locked:
                    pairs.append(
                        (c, named(by_cell.get((ws.title, c.coordinate))) or moved(ws, c) or old_ws[c.coordinate])
                    )
        if ws.title == _INPUTS:
            for key in SCENARIO_KEYS:
                if new_names.get(key, ("",))[0] == ws.title:
                    note = ws.cell(row=ws[new_names[key][1]].row, column=NOTE_COLUMN)
                    at = named(key)
                    pairs.append(
                        (
                            note,
                            old_ws[note.coordinate] if at is None else at.parent.cell(row=at.row, column=NOTE_COLUMN),
                        )
                    )
        typed_rows = set()
        for cell, source in pairs:
            _put(cell, *_value(source))
            if (
                source is not _BLANK
                and cell.value not in (None, "")
                and any(s == ws.title and r0 <= cell.row < r0 + n for s, r0, _, n, _ in new_blocks.values())
            ):
                typed_rows.add(cell.row)
        done.cells[ws.title] = len(pairs)
        if typed_rows:
            done.catalog_rows[ws.title] = len(typed_rows)
    for name, (o_sheet, o_r0, o_c0, o_n, o_c1) in old_blocks.items():
        room = new_blocks.get(name, ("", 0, 0, 0, 0))[3]
        o_ws = _sheet(old, o_sheet)
        lost = [
            r
            for r in range(o_r0 + room, o_r0 + o_n)
            if o_ws is not None
            and any(str(o_ws.cell(row=r, column=c).value or "").strip() for c in range(o_c0, o_c1 + 1))
        ]
        if lost:
            done.notes.append(
                f"sheet {o_sheet!r}: your catalog rows {', '.join(map(str, lost))} did not fit the "
                "new template's rows and were not carried"
            )
    lower = {g.lower() for g in generated}
    for old_ws in old.worksheets:
        if old_ws.title.lower() in lower:
            continue
        _, lost = _copy_sheet(old_ws, new)
        done.sheets.append(old_ws.title)
        if lost:
            done.notes.append(f"sheet {old_ws.title!r}: copied without the comments or hyperlinks of {lost} cells")
    known = {n.lower() for n in new.defined_names}
    for name, dn in old.defined_names.items():
        if name.lower() in known:
            continue
        new.defined_names[name] = DefinedName(name, attr_text=dn.attr_text)
        done.names.append(name)
    return done
