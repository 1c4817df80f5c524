"""Serialise a workbook to ``.xlsx`` bytes, fast and deterministically.

openpyxl writes each cell through a generic XML serialiser (tens of microseconds a cell without lxml);
the template has ~25,000 cells, most of them in the token-price catalog. Here the cell data of each
sheet (``<sheetData>``) is written as text in one pass, everything else (styles, names, views, page
setup, validations, charts) by openpyxl as usual. Zip entries carry a fixed date, so the same
workbook gives the same bytes.

Only what the template uses is supported: numbers, booleans, text and formulas without cached values
(a sheet's ``shared_formulas``, the (column, first row, last row) ranges of its filled-down columns
that :meth:`workbook.kit.Book.share_formulas` registered, are stored as one shared formula each, as Excel
stores them); no comments, hyperlinks, dates or rich text (they raise ``ValueError``).
"""

from __future__ import annotations

import io
import math
import os
import zipfile
from collections import defaultdict
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from openpyxl import Workbook
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.writer.excel import ExcelWriter

__all__ = ["xlsx_bytes", "ZIP_DATE"]

#: The date of every zip entry (the earliest a zip file can hold), so files do not depend on the clock.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_MARK = "llmcost-sheet-data"
_PLACEHOLDER = f"<sheetData>{_MARK}</sheetData>".encode()


class _FixedDateZip(zipfile.ZipFile):
    """A zip archive whose entries all carry :data:`ZIP_DATE` (openpyxl adds files with the current time)."""

    def writestr(
        self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None, compresslevel: int | None = None
    ) -> None:
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            info = zipfile.ZipInfo(str(zinfo_or_arcname), date_time=ZIP_DATE)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(
        self, filename: Any, arcname: Any = None, compress_type: int | None = None, compresslevel: int | None = None
    ) -> None:
        with open(filename, "rb") as f:
            self.writestr(arcname or os.path.basename(filename), f.read(), compress_type, compresslevel)


class _SheetWriter(WorksheetWriter):
    """openpyxl's worksheet writer with the cell data left as a placeholder."""

    def write_rows(self) -> None:
        xf = self.xf.send(True)
        with xf.element("sheetData"):
            xf.write(_MARK)
        self.xf.send(None)


class _Writer(ExcelWriter):
    def write_worksheet(self, ws) -> None:  # as openpyxl's ExcelWriter.write_worksheet, with our cell data
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SheetWriter(ws)
        writer.write()
        ws._rels = writer._rels
        with open(writer.out, "rb") as f:
            xml = f.read()
        if xml.count(_PLACEHOLDER) != 1:
            raise ValueError(f"sheet {ws.title!r}: cell data placeholder not found once")
        self._archive.writestr(ws.path[1:], xml.replace(_PLACEHOLDER, sheet_data(ws).encode("utf-8")))
        self.manifest.append(ws)
        writer.cleanup()


def _number(value: Any) -> str | None:
    if isinstance(value, int):
        return str(value)
    f = float(value)
    return repr(f) if math.isfinite(f) else None  # shortest text that reads back to the same double


def sheet_data(ws) -> str:
    """The ``<sheetData>`` element of a worksheet as text."""
    rows: dict[int, list] = defaultdict(list)
    for (r, _), cell in sorted(ws._cells.items()):
        rows[r].append(cell)
    for r in ws.row_dimensions.keys() - rows.keys():
        rows[r] = []
    out = ["<sheetData>"]
    shared: dict[tuple[int, int], tuple[int, str | None]] = {}  # (row, column) -> (index, range of the first)
    for si, (col, first, last) in enumerate(sorted(getattr(ws, "shared_formulas", ()))):
        letter = get_column_letter(col)
        shared[(first, col)] = (si, f"{letter}{first}:{letter}{last}")
        for r in range(first + 1, last + 1):
            shared[(r, col)] = (si, None)
    style_ids: dict[bytes, int] = {}  # a style's index, looked up once per distinct style (same order as before)
    for r, cells in sorted(rows.items()):
        attrs = {"r": str(r)}
        attrs.update(ws.row_dimensions.get(r, {}))
        out.append("<row" + "".join(f" {k}={quoteattr(str(v))}" for k, v in attrs.items()) + ">")
        for cell in cells:
            out.append(_cell(cell, style_ids, shared))
        out.append("</row>")
    out.append("</sheetData>")
    return "".join(out)


def _cell(cell, style_ids: dict[bytes, int], shared: dict[tuple[int, int], tuple[int, str | None]]) -> str:
    if cell._comment is not None or cell.hyperlink is not None:
        raise ValueError(f"{cell.coordinate}: comments and hyperlinks are not supported")
    head = f'<c r="{cell.coordinate}"'
    if cell.has_style:
        key = cell._style.tobytes()
        sid = style_ids.get(key)
        if sid is None:
            sid = style_ids[key] = cell.style_id  # registers the style in the workbook's table
        head += f' s="{sid}"'
    value, kind = cell._value, cell.data_type
    if value is None or value == "":
        return head + "/>"
    if kind == "f":
        if not isinstance(value, str):
            raise ValueError(f"{cell.coordinate}: only plain formulas are supported")
        share = shared.get((cell.row, cell.column))
        if share is None:
            return f"{head}><f>{escape(value[1:])}</f><v></v></c>"
        si, ref = share
        if ref is None:  # Excel derives this cell's formula from the first cell of the range
            return f'{head}><f t="shared" si="{si}"/><v></v></c>'
        return f'{head}><f t="shared" ref="{ref}" si="{si}">{escape(value[1:])}</f><v></v></c>'
    if kind == "s":
        if not isinstance(value, str):
            raise ValueError(f"{cell.coordinate}: rich text is not supported")
        space = ' xml:space="preserve"' if value != value.strip() else ""
        return f'{head} t="inlineStr"><is><t{space}>{escape(value)}</t></is></c>'
    if kind == "b":
        return f'{head} t="b"><v>{int(bool(value))}</v></c>'
    if kind == "n":
        text = _number(value)
        return head + "/>" if text is None else f'{head} t="n"><v>{text}</v></c>'
    raise ValueError(f"{cell.coordinate}: cells of type {kind!r} are not supported")


def xlsx_bytes(wb: Workbook) -> bytes:
    """The workbook as ``.xlsx`` bytes (deterministic for a deterministic workbook)."""
    buf = io.BytesIO()
    with _FixedDateZip(buf, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
        _Writer(wb, archive).write_data()
    return buf.getvalue()
