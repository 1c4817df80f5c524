"""The build's whole state: the workbook, its sheets, defined names, style ids and shared-formula ranges.

A :class:`Book` is created with the titles of its sheets in their final (tab) order; each sheet builder then
fills its sheet (:meth:`Book.sheet`). Cell writers reach the Book through the sheet (``ws.book``), so no
state lives outside it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import Workbook
from openpyxl.styles.cell_style import StyleArray
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.worksheet import Worksheet

from ..xlsx.sheets import add_sheet
from .cells import absolute
from .limits import check_sheet_rules

__all__ = ["Book", "Sheet", "GUARD_TEXT"]

#: What a guarded formula shows while the inputs it reads are invalid (:meth:`Book.guard`).
GUARD_TEXT = "check Inputs"

_CELL_LIKE = re.compile(r"^([A-Za-z]{1,3}\d+|[RrCc]\d*|[Rr]\d*[Cc]\d*)$")
_NAME_OK = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Sheet(Worksheet):
    """A worksheet that knows the :class:`Book` it belongs to (``ws.book``)."""

    def __init__(self, book: Book, title: str) -> None:
        super().__init__(book.wb, title)
        self.book = book

    @property
    def shared_formulas(self) -> list[tuple[int, int, int]]:
        """The (column, first row, last row) ranges stored as one shared formula each (read by the serialiser)."""
        return self.book.shared.get(self.title, [])


@dataclass
class Book:
    """The workbook being built and what the build remembers about it.

    ``names``: the workbook-level defined names (written at the end, in a fixed order); ``style_ids``: the
    style indices of each (kind, number format) already applied; ``shared``: per sheet title, the column
    ranges (column, first row, last row) stored as one shared formula each; ``guards``: per sheet title, the
    condition every formula of the sheet waits for (:meth:`guard`).
    """

    wb: Workbook
    names: dict[str, str] = field(default_factory=dict)
    style_ids: dict[tuple[str | None, str | None], StyleArray] = field(default_factory=dict)
    shared: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)
    guards: dict[str, str] = field(default_factory=dict)
    #: The scenario's currency label, for the static texts a chart cannot take from a cell (axis titles).
    currency: str = "USD"
    #: The scenario's projection horizon [months] (the Projection sheet prints at least this many months).
    horizon_months: int = 36
    #: The catalogs the Sensitivity values are computed with (a ``costengine.Catalog``; None: the shipped ones).
    catalog: Any = None

    @classmethod
    def new(cls, titles: Iterable[str]) -> Book:
        """A new workbook holding one empty :class:`Sheet` per title, in that order."""
        wb = Workbook()
        wb.remove(wb.active)
        book = cls(wb)
        for title in titles:
            book.add_sheet(title)
        return book

    def add_sheet(self, title: str, index: int | None = None) -> Sheet:
        """Add an empty sheet at ``index`` (the end when None)."""
        return add_sheet(self.wb, Sheet(self, title), index)

    def sheet(self, title: str) -> Sheet:
        """The sheet ``title`` (created by :meth:`new`)."""
        return self.wb[title]

    def replace_sheet(self, title: str) -> Sheet:
        """An empty sheet in place of the sheet ``title`` (same tab position), to be built again.

        The Book forgets the sheet's shared formulas and the names that point into it (its builder defines
        them again); the workbook's defined names, written by :meth:`finish`, stay as they are.
        """
        index = self.wb.sheetnames.index(title)
        self.wb.remove(self.wb[title])
        self.shared.pop(title, None)
        prefix = absolute(title, "A1").split("!")[0] + "!"
        self.names = {k: v for k, v in self.names.items() if not v.startswith(prefix)}
        return self.add_sheet(title, index)

    def share_formulas(self, title: str, column: int, first_row: int, last_row: int) -> None:
        """Store ``column``'s formulas from ``first_row`` to ``last_row`` of sheet ``title`` as one shared formula.

        The caller guarantees that each cell's formula is the first one with its relative row references moved
        down by the cell's distance from the first row (a filled-down formula); the file then holds the first
        formula once and a reference to it in the other cells, as Excel writes such columns.
        """
        self.shared.setdefault(title, []).append((column, first_row, last_row))

    def guard(self, title: str, condition: str) -> None:
        """Guard every formula written afterwards on sheet ``title``: while ``condition`` (a formula expression,
        e.g. a defined name) is not TRUE the cell shows "check Inputs" instead of computing on an invalid input.

        One rule for a whole sheet that reads the inputs directly, so no cell of it can show an error value.
        """
        self.guards[title] = condition

    def guarded(self, title: str, formula: str) -> str:
        """``formula`` (``=...``) under sheet ``title``'s guard (unchanged when the sheet has none)."""
        condition = self.guards.get(title)
        if condition is None or not formula.startswith("="):
            return formula
        return f'=IF({condition},{formula[1:]},"{GUARD_TEXT}")'

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
        """Write the defined names into the workbook (sorted, so the file does not depend on build order), after
        checking the formulas of the conditional formats and validations against Excel's limits (the cells'
        formulas were checked as they were written: :func:`~workbook.kit.limits.check_formula`)."""
        for ws in self.wb.worksheets:
            check_sheet_rules(ws)
        for name in sorted(self.names, key=str.lower):
            self.wb.defined_names[name] = DefinedName(name, attr_text=self.names[name])
