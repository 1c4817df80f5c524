"""Catalog tables: a header row and data rows written fast, and the catalog sheets built from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..kit import FORMULA_LEADS, Book, header_row, put_text, setup_sheet, style_cell, wrap_rows

__all__ = ["write_table", "catalog_sheet"]


def write_table(ws: Worksheet, top: int, columns: Sequence[tuple[str, str | None]], rows: Sequence[Sequence[Any]],
                first_col: int = 1, kind: str = "data") -> int:
    """A header and data rows, fast: ``columns`` are (header, number format). Returns the last row."""
    header_row(ws, top, [c[0] for c in columns], first_col)
    fmts = [f for _, f in columns]
    r = top
    for r, values in enumerate(rows, start=top + 1):
        for j, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str) and (v.startswith(FORMULA_LEADS) or ILLEGAL_CHARACTERS_RE.search(v)):
                put_text(ws, f"{get_column_letter(first_col + j)}{r}", v, kind)  # text stays text, cleaned
                continue
            cell = ws.cell(row=r, column=first_col + j, value=v)
            style_cell(cell, kind, fmts[j] if not isinstance(v, str) else None)
    return r


def catalog_sheet(book: Book, title: str, columns: tuple[str, ...], rows: list, units: dict[str, str],
                   prefix: str, numeric_fmt: dict[str, str], widths: dict[str, float], list_name: str) -> None:
    """A catalog sheet: one row per catalog row, a defined name per numeric column (``prefix_column``)."""
    ws = book.sheet(title)
    cols = [(units.get(c, c.replace("_", " ")), numeric_fmt.get(c, "General")) for c in columns]
    data = [[getattr(row, c) for c in columns] for row in rows]
    last = write_table(ws, 1, cols, data)
    for j, c in enumerate(columns):
        col = get_column_letter(j + 1)
        if c not in ("name", "vendor", "license", "source", "spec_source", "price_source", "cloud_price_source",
                     "as_of", "notes"):
            book.name(f"{prefix}_{c}", title, f"{col}2:{col}{last}")
    book.name(list_name, title, f"A2:A{last}")
    setup_sheet(ws, widths=widths, freeze="B2", print_area=f"A1:{get_column_letter(len(columns))}{last}",
                title_rows="1:1")
    ws.row_dimensions[1].height = 45
    wrapped = [get_column_letter(j + 1) for j, c in enumerate(columns)
               if c in ("spec_source", "price_source", "cloud_price_source", "notes", "source", "name")]
    wrap_rows(ws, range(2, last + 1), wrapped, widths, chars_per_width=1.05)  # URLs break late
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
