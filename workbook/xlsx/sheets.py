"""Adding a worksheet object of our own class to a workbook (openpyxl only creates its own class)."""

from __future__ import annotations

from typing import TypeVar

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

__all__ = ["add_sheet"]

W = TypeVar("W", bound=Worksheet)


def add_sheet(wb: Workbook, ws: W, index: int | None = None) -> W:
    """Insert ``ws`` (created with ``wb`` as its parent) at ``index`` (the end when None) and return it."""
    wb._add_sheet(ws, index)
    return ws
