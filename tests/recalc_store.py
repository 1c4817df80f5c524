"""LibreOffice's recalculated values, stored in the repository and keyed by the workbook's content.

Workbook generation is deterministic, so the same bytes always recalculate to the same values: what LibreOffice
computed for a workbook once is kept in ``tests/data/recalc_store/<key>.json.xz``, where the key is a sha256 of
the workbook as written (its zip members, less ``docProps/core.xml``, where openpyxl's own ``save`` stamps the
time; plus the store's format version and the profile it was recalculated under). Every test run still
generates each workbook and compares the engine with the values; only the LibreOffice run is skipped when the
key is stored. A workbook whose key is not stored (a formula or a value changed) is recalculated in that run,
slow but correct, and its entry is written to the store (commit the new files).

An entry holds what only LibreOffice knows: the value of every formula cell and the error values in any cell.
The cells typed or written as constants are read from the generated workbook itself, so a :class:`Recalculated`
has every value a reader of the recalculated file would see.

Refresh the store (recalculate every workbook of the LibreOffice tests, write their entries, delete the entries
no test used): ``LLMCOST_RECALC_STORE=refresh python -m pytest -m libreoffice``; ``prune`` in place of ``refresh``
uses the stored entries and deletes only the unused ones. Check the store against
LibreOffice without using it: ``LLMCOST_RECALC_STORE=off``.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import json
import lzma
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter, range_boundaries

__all__ = ["STORE", "Recalculated", "recalculate", "workbook_key", "read_cells", "mode", "chart_gap"]

STORE = Path(__file__).resolve().parent / "data" / "recalc_store"
#: Bumped when an entry's contents change meaning (entries of another version are not read).
FORMAT = 1
#: Keys used in this session (``refresh`` deletes the others at exit).
_USED: set[str] = set()
#: Workbooks read from the store and recalculated in this session (reported at the end of the run).
COUNTS = {"stored": 0, "recalculated": 0}

_CELL = re.compile(r'<c r="([A-Z]+)([0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)', re.S)
#: A cell with a value and no formula: its body starts with the value (``<v>`` or an inline string's ``<is>``).
_CONSTANT = re.compile(r'<c r="([A-Z]+)([0-9]+)"([^>]*?)>(<(?:v|is)>.*?)</c>', re.S)
_V = re.compile(r"<v>(.*?)</v>", re.S)
_F = re.compile(r"<f[ >/]")
_T = re.compile(r'\bt="([a-zA-Z]+)"')
_SI = re.compile(r"<si>(.*?)</si>", re.S)
_TEXT = re.compile(r"<t(?: [^>]*)?>(.*?)</t>", re.S)
_SHEET = re.compile(r'<sheet [^>]*?name="([^"]+)"[^>]*?r:id="([^"]+)"')
_NAME = re.compile(r"<definedName ([^>]*?)>(.*?)</definedName>", re.S)
ERROR_TEXTS = frozenset({"#NAME?", "#VALUE!", "#REF!", "#DIV/0!", "#N/A", "#NUM!", "#NULL!"})


def chart_gap(sheet: str, cell: tuple[int, int] | str) -> bool:
    """Whether ``sheet``'s ``cell`` ((row, col) or ``"A1"``) is one of a chart's own series cells, where ``#N/A``
    is the design, not an error: NA() is how a point is left out of a chart (a text would be drawn as 0, which
    the Curve chart's log axes cannot show). The tests that find no error value anywhere skip these cells only.
    """
    from workbook.sheets import curve

    if sheet != curve.SHEET:
        return False
    if isinstance(cell, str):
        col, row = coordinate_from_string(cell)
        cell = (row, column_index_from_string(col))
    c0, r0, c1, r1 = range_boundaries(curve.CHART_SERIES)
    return r0 <= cell[0] <= r1 and c0 <= cell[1] <= c1


def mode() -> str:
    """``use`` (default: stored values, LibreOffice for the rest), ``refresh`` or ``off`` (LibreOffice for all)."""
    value = os.environ.get("LLMCOST_RECALC_STORE", "use").strip().lower() or "use"
    if value not in ("use", "refresh", "prune", "off"):
        raise ValueError(f"LLMCOST_RECALC_STORE={value!r}: use, refresh, prune or off")
    return value


def workbook_key(path: Path | str, profile: str = "") -> str:
    """sha256 of a workbook's content (every zip member but ``docProps/core.xml``), the format and the profile."""
    h = hashlib.sha256(f"llmcost-recalc-store/{FORMAT}/{profile}\n".encode())
    with zipfile.ZipFile(path) as z:
        for name in sorted(z.namelist()):
            if name != "docProps/core.xml":
                h.update(name.encode() + b"\0" + hashlib.sha256(z.read(name)).digest())
    return h.hexdigest()


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and re.fullmatch(r"-?[0-9]+", text) else value


def read_cells(
    path: Path | str, constants_only: bool = False, sheets: Collection[str] | None = None
) -> tuple[dict[str, dict[tuple[int, int], tuple[object, bool, bool]]], dict]:
    """Every cell of a saved xlsx from its XML: ``{sheet: {(row, col): (value, is_formula, is_error)}}`` and the
    single-sheet defined names ``{name: (sheet, ref)}`` (``$`` removed).

    A regular expression per cell, no object per cell: far faster than openpyxl for the hundreds of workbooks
    the LibreOffice tests read. ``constants_only`` skips the formula cells (cells whose value comes first, as
    this project's writer and openpyxl write them); ``sheets`` reads only those sheets. Values are as
    ``openpyxl.load_workbook(data_only=True)`` gives them: numbers (whole numbers written without a point as
    int), texts, booleans, error values as their text.
    """
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            xml = z.read("xl/sharedStrings.xml").decode("utf-8")
            shared = [html.unescape("".join(_TEXT.findall(si))) for si in _SI.findall(xml)]
        book = z.read("xl/workbook.xml").decode("utf-8")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
        targets = {}
        for rel in re.findall(r"<Relationship [^>]*>", rels):
            rid, target = re.search(r'Id="([^"]+)"', rel), re.search(r'Target="([^"]+)"', rel)
            if rid and target:
                targets[rid.group(1)] = target.group(1)
        out: dict[str, dict[tuple[int, int], tuple[object, bool, bool]]] = {}
        for title, rid in _SHEET.findall(book):
            if sheets is not None and html.unescape(title) not in sheets:
                continue
            target = targets[rid]
            member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            xml = z.read(member).decode("utf-8")
            cells = {}
            for col, row, attrs, body in (_CONSTANT if constants_only else _CELL).findall(xml):
                t = _T.search(attrs) if attrs else None
                kind = t.group(1) if t else "n"
                formula = not constants_only and bool(body) and _F.search(body) is not None
                if kind == "inlineStr":
                    value: object = html.unescape("".join(_TEXT.findall(body)))
                else:
                    v = _V.search(body) if body else None
                    if v is None:
                        if formula:
                            cells[(int(row), column_index_from_string(col))] = (None, True, False)
                        continue
                    text = html.unescape(v.group(1))
                    if kind == "s":
                        value = shared[int(text)]
                    elif kind == "b":
                        value = text == "1"
                    elif kind in ("str", "e"):
                        value = text
                    else:
                        value = _number(text) if text else None
                if value is None and not formula:
                    continue
                error = kind == "e" or (isinstance(value, str) and (value in ERROR_TEXTS or value.startswith("Err:")))
                cells[(int(row), column_index_from_string(col))] = (value, formula, error)
            out[html.unescape(title)] = cells
        defined = {}
        for attrs, text in _NAME.findall(book):
            name = re.search(r'name="([^"]+)"', attrs).group(1)
            if "localSheetId" in attrs:
                continue
            ref = html.unescape(text)
            m = re.fullmatch(r"'?(.+?)'?!(\$?[A-Z]+\$?[0-9]+(?::\$?[A-Z]+\$?[0-9]+)?)", ref)
            if m:
                defined[name] = (m.group(1).replace("''", "'"), m.group(2).replace("$", ""))
        return out, defined


@dataclass
class Recalculated:
    """A workbook as LibreOffice recalculated it: ``values[sheet][(row, col)]`` (cells with a value),
    the single-sheet defined names, and the cells holding an error value."""

    source: Path
    values: dict[str, dict[tuple[int, int], object]]
    names: dict[str, tuple[str, str]]
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    stored: bool = False

    def cell(self, name: str):
        """The value of a one-cell defined name."""
        sheet, ref = self.names[name]
        col, row = coordinate_from_string(ref)
        return self.values[sheet].get((row, column_index_from_string(col)))

    def range(self, name: str) -> list[list[object]]:
        """The values of a defined range, row by row (None where empty)."""
        sheet, ref = self.names[name]
        first, _, last = ref.partition(":")
        (c0, r0), (c1, r1) = coordinate_from_string(first), coordinate_from_string(last or first)
        c0, c1 = column_index_from_string(c0), column_index_from_string(c1)
        return [[self.values[sheet].get((r, c)) for c in range(c0, c1 + 1)] for r in range(r0, r1 + 1)]


def _entry(recalculated: Path, keep: Collection[str] | None) -> dict:
    """What an entry keeps of LibreOffice's file: the formula values of the sheets in ``keep`` (all when None),
    and every error cell of every sheet."""
    sheets, _ = read_cells(recalculated)
    formulas = {
        title: [[r, c, v] for (r, c), (v, f, _) in sorted(cells.items()) if f and v is not None]
        for title, cells in sheets.items()
        if keep is None or title in keep
    }
    errors = [
        [title, f"{get_column_letter(c)}{r}", v]
        for title, cells in sheets.items()
        for (r, c), (v, _, e) in sorted(cells.items())
        if e
    ]
    return {"format": FORMAT, "formulas": formulas, "errors": errors}


def _path(key: str) -> Path:
    return STORE / f"{key}.json.xz"


def _read(key: str) -> dict | None:
    path = _path(key)
    if not path.exists():
        return None
    entry = json.loads(lzma.decompress(path.read_bytes()))
    return entry if entry.get("format") == FORMAT else None


def _write(key: str, entry: dict) -> None:
    STORE.mkdir(parents=True, exist_ok=True)
    data = lzma.compress(
        json.dumps(entry, separators=(",", ":"), ensure_ascii=False).encode("utf-8"), preset=9 | lzma.PRESET_EXTREME
    )
    tmp = _path(key).with_suffix(".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, _path(key))


def _as_saved(value: object) -> object:
    """A constant as LibreOffice saves it and openpyxl reads it back: numbers to 15 significant digits (whole
    ones as int), empty texts dropped (None)."""
    if isinstance(value, float) and math.isfinite(value):
        value = float(f"{value:.15g}")
        return int(value) if value.is_integer() and abs(value) < 1e15 else value
    return None if value == "" else value


def _combine(source: Path, entry: dict, stored: bool, sheets: Collection[str] | None) -> Recalculated:
    """The source's constant cells with the entry's formula values and errors (of ``sheets``, or all)."""
    sheets_read, names = read_cells(source, constants_only=True, sheets=sheets)
    values = {}
    for title, cells in sheets_read.items():
        saved = ((rc, _as_saved(v)) for rc, (v, _, _) in cells.items())  # constants only: no formula cell here
        values[title] = {rc: v for rc, v in saved if v is not None}
    for title, cells in entry["formulas"].items():
        if sheets is not None and title not in sheets:
            continue
        target = values.setdefault(title, {})
        for r, c, v in cells:
            if v != "":
                target[(r, c)] = v
    errors = [tuple(e) for e in entry["errors"]]
    return Recalculated(source, values, names, errors, stored)


def recalculate(
    paths: Sequence[Path | str], profile: str = "", sheets: Collection[str] | None = None
) -> list[Recalculated]:
    """LibreOffice's values of each workbook (of ``sheets`` only, when given; the error cells of all): from the store
    where its key is there, else recalculated now (in one batched soffice run for all the missing ones) and
    stored. ``profile`` is the locale of the LibreOffice profile (``lo.LOCALES``: "" LibreOffice's default,
    ``de-DE`` comma decimals); it is part of the key.

    Skips the calling test when a workbook must be recalculated and LibreOffice is not installed (CI sets
    ``LLMCOST_REQUIRE_LIBREOFFICE=1``, so there it is always installed).
    """
    from lo import recalc, soffice

    paths = [Path(p) for p in paths]
    how = mode()
    # an entry of some sheets only is its own entry (a key of its own), so a test reading all sheets never gets it
    scope = profile if sheets is None else f"{profile}|sheets:{','.join(sorted(sheets))}"
    keys = [workbook_key(p, scope) for p in paths]
    _USED.update(keys)
    entries = {k: _read(k) for k in set(keys)} if how in ("use", "prune") else {}
    missing = list(dict.fromkeys(p for p, k in zip(paths, keys) if entries.get(k) is None))
    fresh: set[str] = set()
    if missing:
        if soffice() is None:
            pytest.skip(
                f"LibreOffice (soffice) is not installed and {len(missing)} workbook(s) have no stored values "
                "in tests/data/recalc_store"
            )
        out = Path(tempfile.mkdtemp(prefix="llmcost-recalc-"))
        atexit.register(shutil.rmtree, out, ignore_errors=True)
        by_stem: dict[str, list[Path]] = {}
        for p in missing:  # soffice writes outputs by stem: one folder per clash
            by_stem.setdefault(p.stem, []).append(p)
        done = {}
        for i in range(max(len(v) for v in by_stem.values())):
            batch = [v[i] for v in by_stem.values() if len(v) > i]
            for src, dst in zip(batch, recalc(batch, out / str(i), locale=profile)):
                done[src] = dst
        for p, k in zip(paths, keys):
            if p in done and k not in fresh:
                entries[k] = _entry(done[p], sheets)
                fresh.add(k)
                _write(k, entries[k])
    COUNTS["recalculated"] += len(missing)
    COUNTS["stored"] += len(paths) - len(missing)
    return [_combine(p, entries[k], k not in fresh, sheets) for p, k in zip(paths, keys)]


def _prune() -> None:
    """At the end of a ``refresh`` or ``prune`` session: delete the entries no test used."""
    if mode() not in ("refresh", "prune") or not _USED or not STORE.exists():
        return
    for path in STORE.glob("*.json.xz"):
        if path.name.removesuffix(".json.xz") not in _USED:
            path.unlink()


atexit.register(_prune)
