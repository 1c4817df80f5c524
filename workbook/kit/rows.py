"""Blocks of rows: the ``label | unit | value | note`` rows of a calculation, header rows, wrapped text rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .book import Book
from .cells import put, put_text, put_unit
from .styles import STYLE

__all__ = ["Rows", "header_row", "heading", "wrap_ids", "wrap_rows"]


def wrap_rows(
    ws: Worksheet,
    rows: Iterable[int],
    cols: Sequence[str],
    widths: dict[str, float],
    line_height: float = 15.0,
    chars_per_width: float = 1.25,
    words: bool = False,
) -> None:
    """Wrap the text of ``cols`` and make each row tall enough for it (LibreOffice does not refit on load).

    Cells of a taller row are aligned to the top, so labels and values stay level with the text. ``words``: count
    the lines as the text wraps, whole words to a line (:func:`_word_lines`), not characters over the width.
    """
    wrap = Alignment(wrap_text=True, vertical="top")
    for r in rows:
        lines = 1
        for col in cols:
            cell = ws[f"{col}{r}"]
            if isinstance(cell.value, str) and not cell.value.startswith("="):
                cell.alignment = wrap
                per_line = max(1, int(widths[col] * chars_per_width))
                count = _word_lines if words else _char_lines
                lines = max(lines, sum(count(part, per_line) for part in cell.value.split("\n")))
        if lines > 1:
            ws.row_dimensions[r].height = line_height * lines
            for cell in ws[r]:
                if not cell.alignment.wrap_text:
                    cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top")


def _char_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` at ``per_line`` characters a line, cut anywhere."""
    return -(-max(len(text), 1) // per_line)


def _word_lines(text: str, per_line: int) -> int:
    """Lines of ``text`` wrapped whole words to a line at ``per_line`` characters (a longer word is cut)."""
    lines, used = 1, 0
    for word in text.split():
        need = len(word) + (1 if used else 0)
        if used and used + need > per_line:
            lines, used = lines + 1, 0
            need = len(word)
        while need > per_line:  # a word longer than a line
            lines, need = lines + 1, need - per_line
        used += need
    return lines


def wrap_ids(ws: Worksheet, row: int, cols: str, span: str = "ABCDEF") -> None:
    """Catalog ids run to ~40 characters: the cells of ``cols`` wrapped on up to three lines (right-aligned), not cut
    by the next column in print; the other cells of ``span`` (the label, the note) level with the first line."""
    for col in span:
        ws[f"{col}{row}"].alignment = Alignment(
            wrap_text=col in cols, vertical="top", horizontal="right" if col in cols else None
        )
    ws.row_dimensions[row].height = 45


def header_row(ws: Worksheet, row: int, labels: Sequence[str], first_col: int = 1, height: float | None = None):
    """A header row (white on dark blue)."""
    for j, label in enumerate(labels):
        put_text(ws, f"{get_column_letter(first_col + j)}{row}", label, "header")
    if height:
        ws.row_dimensions[row].height = height


_PLACEHOLDER = re.compile(r"\[(\$?)([A-Za-z_][A-Za-z0-9_]*)\]")


class Rows:
    """Writes a block of ``label | unit | value columns | note`` rows, one quantity (one formula) per row.

    Formula templates refer to other rows of the block as ``[key]`` (same column as the cell being
    written) or ``[$key]`` (the block's first value column, absolute): ``"=[weights_gb]*memory_overhead"``.
    """

    def __init__(
        self,
        book: Book,
        ws: Worksheet,
        row: int,
        value_cols: Sequence[str] = ("C",),
        label_col: str = "A",
        unit_col: str = "B",
        note_col: str | None = None,
    ):
        self.book, self.ws, self.row = book, ws, row
        self.cols = list(value_cols)
        self.label_col, self.unit_col = label_col, unit_col
        self.note_col = note_col or get_column_letter(max(column_index_from_string(c) for c in self.cols) + 1)
        self.at: dict[str, int] = {}
        #: A condition (a template: ``[key]`` allowed) every formula added waits for, showing ``guard_text``
        #: while it is not TRUE (e.g. "the inputs of this option are valid"); None = no guard.
        self.guard: str | None = None
        #: The text shown while the guard is not TRUE; starting with "=": a formula (a template) giving it.
        self.guard_text = "check Inputs"

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

    def add(
        self,
        key: str | None,
        label: str,
        unit: str,
        values: Any,
        *,
        kind: str = "calc",
        fmt: str | None = None,
        note: str = "",
        names: Sequence[str | None] | str | None = None,
    ) -> int:
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
                if self.guard:
                    shown = self.guard_text[1:] if self.guard_text.startswith("=") else f'"{self.guard_text}"'
                    v = f"=IF({self.guard},{v[1:]},{shown})"
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


def heading(ws: Worksheet, title: str, subtitle: str) -> None:
    """The sheet's title in A1 and its subtitle in A2 (text, or a formula starting with ``=``)."""
    put_text(ws, "A1", title, "title")
    put(ws, "A2", subtitle, "subtitle")
