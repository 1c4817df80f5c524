"""Building blocks of the template workbook: styles, safe cell writing, defined names and page setup.

Colour conventions (shown on the README sheet): inputs are blue on light yellow and unlocked;
calculations are black; links to other sheets are green; catalog data is dark grey; the key answers
are bold on light blue. Formula cells are locked and every sheet is protected without a password, so
a user can only type into input cells (and can unprotect a sheet from the menu when they need to).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import Series
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.drawing.spreadsheet_drawing import AnchorMarker, TwoCellAnchor
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from .xlsx_writer import share_formulas

__all__ = ["FMT", "Book", "Rows", "put", "put_text", "put_unit", "wrap_rows", "style_cell", "quote_sheet", "absolute",
           "header_row", "setup_sheet", "escape_lookup", "cell_span_anchor", "put_formula_column"]

# --- number formats -------------------------------------------------------------------------------
FMT = {
    "money": "#,##0.00",
    "money0": "#,##0",
    "money_small": "#,##0.000000",
    "price": "#,##0.000",
    "count": "#,##0",
    "int": "0",
    "ratio": "0.00",
    "ratio4": "0.0000",
    "share": "0.0%",
    "gb": "#,##0.00",
    "seconds": "0.00000",
    "sci": "0.000E+00",
    "volume": "#,##0",
    "text": "@",
    "general": "General",
}

# --- styles ---------------------------------------------------------------------------------------
_THIN = Side(style="thin", color="B4B4B4")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "Calibri"

STYLE: dict[str, dict[str, Any]] = {
    "input": dict(font=Font(name=_FONT, color="0000FF"), fill=PatternFill("solid", fgColor="FFF2CC"),
                  border=_BOX, protection=Protection(locked=False)),
    "calc": dict(font=Font(name=_FONT, color="000000")),
    "link": dict(font=Font(name=_FONT, color="008000")),
    "data": dict(font=Font(name=_FONT, color="404040")),
    "const": dict(font=Font(name=_FONT, color="7F6000")),
    "answer": dict(font=Font(name=_FONT, bold=True, color="000000"), fill=PatternFill("solid", fgColor="DDEBF7"),
                   border=_BOX),
    "check": dict(font=Font(name=_FONT, color="C00000")),
    "label": dict(font=Font(name=_FONT, color="000000")),
    "unit": dict(font=Font(name=_FONT, color="595959", italic=True)),
    "note": dict(font=Font(name=_FONT, color="595959"), alignment=Alignment(wrap_text=False)),
    "header": dict(font=Font(name=_FONT, bold=True, color="FFFFFF"), fill=PatternFill("solid", fgColor="1F4E78"),
                   alignment=Alignment(vertical="center", wrap_text=True)),
    "section": dict(font=Font(name=_FONT, bold=True, color="1F4E78", size=12)),
    "title": dict(font=Font(name=_FONT, bold=True, color="1F4E78", size=16)),
    "subtitle": dict(font=Font(name=_FONT, italic=True, color="595959")),
    "bold": dict(font=Font(name=_FONT, bold=True)),
}

STYLE.update({f"{k}_r": {**STYLE[k], "alignment": Alignment(horizontal="right")}  # right-aligned variants
              for k in ("calc", "link", "const", "answer", "check", "bold")})

#: Characters that make Excel (or LibreOffice) read typed text as a formula.
FORMULA_LEADS = ("=", "+", "-", "@")
_EXCEL_MAX_TEXT = 32767
_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*)$")
_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


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


_STYLE_IDS: "weakref.WeakKeyDictionary[Workbook, dict[tuple[str | None, str | None], StyleArray]]" = \
    weakref.WeakKeyDictionary()


def style_cell(cell, kind: str | None, fmt: str | None) -> None:
    """Apply a kind of cell (font, fill, border, protection) and a number format.

    openpyxl registers each style object by hashing it, which is slow for thousands of cells; the style
    indices of each (kind, format) are therefore computed once per workbook and copied to later cells.
    """
    if not kind and not fmt:
        return
    cache = _STYLE_IDS.setdefault(cell.parent.parent, {})
    fresh = not cell.has_style
    known = cache.get((kind, fmt))
    if fresh and known is not None:
        cell._style = StyleArray(known)
        return
    if kind:
        for attr, value in STYLE[kind].items():
            setattr(cell, attr, value)
    if fmt:
        cell.number_format = FMT.get(fmt, fmt)
    if fresh:
        cache[(kind, fmt)] = StyleArray(cell._style)


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
    """Write a number, a boolean, a formula (a str starting with ``=``, written by this package only) or None."""
    cell = ws[ref]
    if isinstance(value, str) and not value.startswith("="):
        return put_text(ws, ref, value, kind, fmt)
    cell.value = value
    style_cell(cell, kind, fmt)
    return cell


def put_formula_column(ws: Worksheet, column: int, first_row: int, last_row: int, template: str,
                       kind: str | None = None, fmt: str | None = None) -> None:
    """One formula per row of ``column`` from ``first_row`` to ``last_row``, for large tables.

    ``template`` is the formula of row ``{r}``, with ``{p}`` for the row above (``"=B{r}+C{p}"``); every
    cell gets the same kind and format. The cells are those :func:`put` would write, made without parsing
    references or checking types, and the file stores them as one *shared formula* (as Excel does for a
    filled-down column: :func:`workbook.xlsx_writer.share_formulas`), which keeps the Projection sheet's
    thousands of formulas small on disk.
    """
    if not template.startswith("="):
        raise ValueError(f"not a formula: {template!r}")
    cell = ws.cell(row=first_row, column=column)
    style_cell(cell, kind, fmt)
    style = cell._style
    cells = ws._cells
    for row in range(first_row, last_row + 1):
        cell = cells.get((row, column))
        if cell is None:
            cell = cells[(row, column)] = Cell(ws, row=row, column=column, style_array=StyleArray(style))
        else:
            style_cell(cell, kind, fmt)
        cell._value = template.format(r=row, p=row - 1)
        cell.data_type = "f"
    if last_row > first_row:
        share_formulas(ws, column, first_row, last_row)


def put_unit(ws: Worksheet, ref: str, unit: str):
    """A unit cell; "money" becomes the scenario's currency (a formula on ``currency_used``)."""
    if "money" not in unit:
        return put_text(ws, ref, unit, "unit")
    parts = [f'"{p}"' for p in unit.split("money")]
    expr = "&currency_used&".join(parts).replace('""&', "").replace('&""', "")
    return put(ws, ref, "=" + expr, "unit")


def wrap_rows(ws: Worksheet, rows: Iterable[int], cols: Sequence[str], widths: dict[str, float],
              line_height: float = 15.0, chars_per_width: float = 1.25) -> None:
    """Wrap the text of ``cols`` and make each row tall enough for it (LibreOffice does not refit on load).

    Cells of a taller row are aligned to the top, so labels and values stay level with the text.
    """
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        lines = 1
        for col in cols:
            cell = ws[f"{col}{r}"]
            if isinstance(cell.value, str) and not cell.value.startswith("="):
                cell.alignment = wrap
                per_line = max(1, int(widths[col] * chars_per_width))
                lines = max(lines, sum(-(-max(len(part), 1) // per_line) for part in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[r].height = line_height * lines
            for cell in ws[r]:
                if not cell.alignment.wrap_text:
                    cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top")


def cell_span_anchor(top_left: str, bottom_right: str) -> TwoCellAnchor:
    """An anchor that makes a chart cover exactly the cells ``top_left:bottom_right`` (inclusive).

    A chart anchored by cells keeps to its cells in Excel and LibreOffice alike, whatever their sizes in cm.
    """
    (r1, c1), (r2, c2) = (coordinate_to_tuple(ref) for ref in (top_left, bottom_right))
    anchor = TwoCellAnchor()
    anchor._from = AnchorMarker(col=c1 - 1, row=r1 - 1)
    anchor.to = AnchorMarker(col=c2, row=r2)
    return anchor


def header_row(ws: Worksheet, row: int, labels: Sequence[str], first_col: int = 1, height: float | None = None):
    """A header row (white on dark blue)."""
    for j, label in enumerate(labels):
        put_text(ws, f"{get_column_letter(first_col + j)}{row}", label, "header")
    if height:
        ws.row_dimensions[row].height = height


def setup_sheet(ws: Worksheet, *, widths: dict[str, float], freeze: str | None, print_area: str,
                landscape: bool = True, protect: bool = True, title_rows: str | None = None,
                fit_height: bool = False) -> None:
    """Column widths, frozen panes, print area (fit to one page wide), gridlines off, protection."""
    for col, width in widths.items():
        ws.column_dimensions[col].width = width
    if freeze:
        ws.freeze_panes = freeze
    ws.print_area = print_area
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if fit_height else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = False
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows
    ws.sheet_view.showGridLines = False
    if protect:
        p = ws.protection
        p.sheet = True
        # a protected sheet still lets the user resize, sort and filter
        p.formatColumns = False
        p.formatRows = False
        p.formatCells = False
        p.sort = False
        p.autoFilter = False
        p.selectLockedCells = False
        p.selectUnlockedCells = False


@dataclass
class Book:
    """The workbook being built and its defined names (added at the end, in a fixed order)."""

    wb: Workbook
    names: dict[str, str] = field(default_factory=dict)

    def sheet(self, title: str, index: int | None = None) -> Worksheet:
        ws = self.wb.create_sheet(title, index)
        return ws

    def name(self, name: str, sheet: str, ref: str) -> str:
        """Define the workbook-level name ``name`` -> ``sheet!ref`` (absolute); returns the name."""
        if not _NAME_OK.match(name) or _CELL_LIKE.match(name) or len(name) > 255:
            raise ValueError(f"not a valid Excel name: {name!r}")
        if name in self.names:
            raise ValueError(f"name defined twice: {name!r}")
        self.names[name] = absolute(sheet, ref)
        return name

    def names_many(self, pairs: Iterable[tuple[str, str, str]]) -> None:
        for name, sheet, ref in pairs:
            self.name(name, sheet, ref)

    def finish(self) -> None:
        """Write the defined names into the workbook (sorted, so the file does not depend on build order)."""
        for name in sorted(self.names, key=str.lower):
            self.wb.defined_names[name] = DefinedName(name, attr_text=self.names[name])


_PLACEHOLDER = re.compile(r"\[(\$?)([A-Za-z_][A-Za-z0-9_]*)\]")


class Rows:
    """Writes a block of ``label | unit | value columns | note`` rows, one quantity (one formula) per row.

    Formula templates refer to other rows of the block as ``[key]`` (same column as the cell being
    written) or ``[$key]`` (the block's first value column, absolute): ``"=[weights_gb]*memory_overhead"``.
    """

    def __init__(self, book: Book, ws: Worksheet, row: int, value_cols: Sequence[str] = ("C",),
                 label_col: str = "A", unit_col: str = "B", note_col: str | None = None):
        self.book, self.ws, self.row = book, ws, row
        self.cols = list(value_cols)
        self.label_col, self.unit_col = label_col, unit_col
        self.note_col = note_col or get_column_letter(max(_col_index(c) for c in self.cols) + 1)
        self.at: dict[str, int] = {}

    def ref(self, key: str, col: str | None = None, absolute_ref: bool = False) -> str:
        col = col or self.cols[0]
        r = self.at[key]
        return f"${col}${r}" if absolute_ref else f"{col}{r}"

    def expand(self, template: str, col: str) -> str:
        def sub(m: re.Match) -> str:
            if m.group(2) not in self.at:
                raise KeyError(f"formula refers to unknown row {m.group(2)!r}: {template}")
            if m.group(1):
                return f"${self.cols[0]}${self.at[m.group(2)]}"
            return f"{col}{self.at[m.group(2)]}"
        return _PLACEHOLDER.sub(sub, template)

    def section(self, text: str, gap: int = 1) -> int:
        self.row += gap
        put_text(self.ws, f"{self.label_col}{self.row}", text, "section")
        self.row += 1
        return self.row - 1

    def add(self, key: str | None, label: str, unit: str, values: Any, *, kind: str = "calc",
            fmt: str | None = None, note: str = "", names: Sequence[str | None] | str | None = None) -> int:
        """One row. ``values`` is one template for every value column or a list, one per column."""
        r = self.row
        if key:
            if key in self.at:
                raise ValueError(f"row {key!r} defined twice")
            self.at[key] = r
        put_text(self.ws, f"{self.label_col}{r}", label, "label")
        if unit:
            put_unit(self.ws, f"{self.unit_col}{r}", unit)
        per_col = values if isinstance(values, list) else [values] * len(self.cols)
        for col, v in zip(self.cols, per_col):
            if v is None:
                continue
            ref = f"{col}{r}"
            k = kind if kind != "calc" or (isinstance(v, str) and v.startswith("=")) else "const"
            if f"{k}_r" in STYLE:
                k = f"{k}_r"  # numbers and text answers line up on the right
            if isinstance(v, str) and v.startswith("="):
                put(self.ws, ref, self.expand(v, col), k, fmt)
            else:
                put(self.ws, ref, v, k, fmt)
        if note:
            put_text(self.ws, f"{self.note_col}{r}", note, "note")
        if names:
            for col, name in zip(self.cols, [names] if isinstance(names, str) else names):
                if name:
                    self.book.name(name, self.ws.title, f"{col}{r}")
        self.row += 1
        return r


def _col_index(col: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(col)


#: Line colour of each option in every chart of the workbook.
OPTION_COLOURS = {"api": "2E75B6", "cloud": "C55A11", "onprem": "548235"}


def option_line(ys, xs, option: str, title: str | None = None) -> Series:
    """A plain line series (no markers, not smoothed) in ``option``'s colour; titled from the data when no title."""
    s = Series(ys, xs, title=title, title_from_data=title is None)
    s.marker.symbol = "none"
    s.smooth = False
    s.graphicalProperties = GraphicalProperties(ln=LineProperties(solidFill=OPTION_COLOURS[option], w=28575))
    return s

