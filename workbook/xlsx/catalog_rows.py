"""Read the user's catalog rows from a filled template (the blocks below the shipped rows of the Hardware, Models,
Cloud Offers and Servers sheets), treating the file as untrusted like :func:`workbook.xlsx.reader.read_inputs`.

Each block is found through its workbook-level defined name (``hw_user_rows``, ``md_user_rows``, ``of_user_rows``,
``sv_user_rows``: :mod:`workbook.sheets.catalog_user`); its columns are the catalog's columns in order. A workbook
without the names (written before user rows existed) has no user rows. The rows are returned as
:class:`costengine.user_rows.UserRow` objects for :func:`costengine.user_rows.extend_catalog`; blank rows are left
out. A cell holding an Excel error or a formula without a saved result is a problem naming the cell.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from costengine import Catalog, CostModelError, load_catalog
from costengine.user_rows import TABLES, UserRow, extend_catalog, is_blank_row

from .reader import (
    _NS,
    _R_ID,
    _cell_value,
    _column,
    _letters,
    _open_archive,
    _parse_xml,
    _read_part,
    _rels,
    _shared_strings,
    _sheet_cells,
)

__all__ = ["read_user_rows", "workbook_catalog", "USER_ROW_NAMES"]

#: The defined name of each catalog table's user block.
USER_ROW_NAMES: dict[str, str] = {
    "gpus": "hw_user_rows",
    "models": "md_user_rows",
    "offers": "of_user_rows",
    "servers": "sv_user_rows",
}
_RANGE = re.compile(
    r"^\s*(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^'!]+))!\$?(?P<c0>[A-Z]{1,3})\$?(?P<r0>\d+):"
    r"\$?(?P<c1>[A-Z]{1,3})\$?(?P<r1>\d+)\s*$"
)
#: Most rows read from one block (the template writes 20; a renamed range cannot make the read unbounded).
MAX_ROWS = 1_000


def read_user_rows(path: str | Path) -> tuple[dict[str, list[UserRow]], list[tuple[str, str]]]:
    """The non-blank user rows per catalog table (``gpus``, ``models``, ``offers``, ``servers``) and the
    ``(cell, problem)`` pairs of cells that cannot be read."""
    path = Path(path)
    blocks: dict[str, tuple[str, int, int, int, int]] = {}
    with _open_archive(path) as zf:
        root_rels = _rels(zf, path, "_rels/.rels", "")
        wb_name = root_rels.get("type:officeDocument", "xl/workbook.xml")
        wb = _parse_xml(_read_part(zf, path, wb_name), path, wb_name)
        base = posixpath.dirname(wb_name)
        wb_rels = _rels(zf, path, posixpath.join(base, "_rels", posixpath.basename(wb_name) + ".rels"), base)
        sheets = {s.get("name", ""): s.get(_R_ID, "") for s in wb.iter(f"{{{_NS['m']}}}sheet")}
        wanted = {v: k for k, v in USER_ROW_NAMES.items()}
        for dn in wb.iter(f"{{{_NS['m']}}}definedName"):
            table = wanted.get((dn.get("name") or "").lower())
            m = _RANGE.match(dn.text or "")
            if table is None or dn.get("localSheetId") is not None or not m:
                continue
            sheet = m["q"].replace("''", "'") if m["q"] else m["s"]
            r0, r1 = int(m["r0"]), min(int(m["r1"]), int(m["r0"]) + MAX_ROWS - 1)
            blocks[table] = (sheet, r0, r1, _column(m["c0"]), _column(m["c1"]))
        strings = _shared_strings(zf, path, wb_rels.get("type:sharedStrings")) if blocks else []
        parts = {}
        for table, (sheet, *_rest) in blocks.items():
            part = wb_rels.get(sheets.get(sheet, ""))
            if part:
                parts[table] = _parse_xml(_read_part(zf, path, part), path, part)
    out: dict[str, list[UserRow]] = {}
    problems: list[tuple[str, str]] = []
    for table, root in parts.items():
        sheet, r0, r1, c0, c1 = blocks[table]
        columns = TABLES[table][1][: c1 - c0 + 1]
        cells = _sheet_cells(root, strings, set(range(c0, c0 + len(columns))))
        rows = []
        for r in range(r0, r1 + 1):
            refs = {c: f"{sheet}!{_letters(c0 + j)}{r}" for j, c in enumerate(columns)}
            values = {}
            for j, c in enumerate(columns):
                el = cells.get((r, c0 + j))
                value, problem = _cell_value(el, strings) if el is not None else (None, None)
                if problem:
                    problems.append((f"{c} ({refs[c]})", problem))
                values[c] = value
            row = UserRow(label=f"{sheet} row {r}", cells=refs, values=values)
            if not is_blank_row(row):
                rows.append(row)
        out[table] = rows
    return out, problems


def workbook_catalog(path: str | Path, base: Catalog | None = None) -> Catalog:
    """The catalog a workbook's formulas use: ``base`` (default the shipped catalogs) extended by the user rows
    of the workbook at ``path`` (``base`` itself when it has none).

    Raises
    ------
    CostModelError
        Every problem of the user rows, each keyed ``column (Sheet!D25)``.
    """
    base = load_catalog() if base is None else base
    rows, problems = read_user_rows(path)
    if problems:
        raise CostModelError(problems[0][0], problems[0][1], problems)
    if not any(rows.values()):
        return base
    return extend_catalog(base, rows)
