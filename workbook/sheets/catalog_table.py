"""Catalog tables: a header row and data rows written fast, and the catalog sheets built from them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..kit import FORMULA_LEADS, Book, header_row, put_text, setup_sheet, style_cell, wrap_rows
from .catalog_user import UserBlock, user_block, user_checks

__all__ = ["write_table", "catalog_sheet", "Extent"]


def write_table(
    ws: Worksheet,
    top: int,
    columns: Sequence[tuple[str, str | None]],
    rows: Sequence[Sequence[Any]],
    first_col: int = 1,
    kind: str = "data",
) -> int:
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


class Extent(NamedTuple):
    """Where a catalog sheet's rows are: the last shipped row, the user block, the check column's letter."""

    shipped: int
    block: UserBlock
    check: str


def catalog_sheet(
    book: Book,
    title: str,
    columns: tuple[str, ...],
    rows: list,
    units: dict[str, str],
    prefix: str,
    numeric_fmt: dict[str, str],
    widths: dict[str, float],
    list_name: str,
    check_col: int | None = None,
) -> Extent:
    """A catalog sheet: one row per catalog row, then the user's rows (:mod:`.catalog_user`; their check in
    column ``check_col``, default the second after the table); a defined name per numeric column
    (``prefix_column``) and the id list ``list_name``, both over the shipped and the user's rows."""
    ws = book.sheet(title)
    cols = [(units.get(c, c.replace("_", " ")), numeric_fmt.get(c, "General")) for c in columns]
    data = [[getattr(row, c) for c in columns] for row in rows]
    last = write_table(ws, 1, cols, data)
    block = user_block(last)
    end = block.last
    chk = user_checks(book, title, columns, prefix, block, list_name, check_col or len(columns) + 2, numeric_fmt)
    for j, c in enumerate(columns):
        col = get_column_letter(j + 1)
        if c not in (
            "name",
            "vendor",
            "license",
            "source",
            "spec_source",
            "price_source",
            "cloud_price_source",
            "as_of",
            "notes",
        ):
            book.name(f"{prefix}_{c}", title, f"{col}2:{col}{end}")
    book.name(list_name, title, f"A2:A{end}")
    setup_sheet(ws, widths=widths, freeze="B2", print_area=None, title_rows="1:1", in_book=False)
    ws.row_dimensions[1].height = 45
    wrapped = [
        get_column_letter(j + 1)
        for j, c in enumerate(columns)
        if c in ("spec_source", "price_source", "cloud_price_source", "notes", "source", "name")
    ]
    wrap_rows(ws, range(2, last + 1), wrapped, widths, chars_per_width=1.05)  # URLs break late
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"
    return Extent(last, block, chk)
