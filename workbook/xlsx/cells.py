"""Cell internals of openpyxl used for speed: style arrays and formula cells made without parsing."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from openpyxl.cell.cell import Cell
from openpyxl.styles.cell_style import StyleArray
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["style_array", "set_style_array", "fill_formula_column", "formula_cells"]


def style_array(cell: Cell) -> StyleArray:
    """A copy of the style indices of ``cell``."""
    return StyleArray(cell._style)


def set_style_array(cell: Cell, style: StyleArray) -> None:
    """Give ``cell`` (a copy of) the style indices ``style``."""
    cell._style = StyleArray(style)


def fill_formula_column(
    ws: Worksheet,
    column: int,
    first_row: int,
    last_row: int,
    template: str,
    style: StyleArray,
    restyle: Callable[[Cell], None],
) -> None:
    """Formula cells ``template.format(r=row, p=row - 1)`` from ``first_row`` to ``last_row`` of ``column``.

    New cells get the style indices ``style``; existing cells are passed to ``restyle``.
    """
    cells = ws._cells
    for row in range(first_row, last_row + 1):
        cell = cells.get((row, column))
        if cell is None:
            cell = cells[(row, column)] = Cell(ws, row=row, column=column, style_array=StyleArray(style))
        else:
            restyle(cell)
        cell._value = template.format(r=row, p=row - 1)
        cell.data_type = "f"


def formula_cells(ws: Worksheet) -> Iterator[tuple[str, str]]:
    """(reference, formula) of every formula cell of ``ws`` that holds its text, without creating empty cells."""
    for cell in ws._cells.values():
        if cell.data_type == "f" and isinstance(cell._value, str):
            yield cell.coordinate, cell._value
