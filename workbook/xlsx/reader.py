"""Read the scenario back from a filled template workbook, treating the file as untrusted.

An ``.xlsx`` file is a zip archive of XML parts. Before any XML is parsed this module checks the file's
size, the archive's member count, the declared uncompressed sizes and the compression ratios (zip
bombs), and it reads at most a fixed number of bytes of each part it needs (a member whose header
lies about its size cannot inflate past that). The XML is parsed with :mod:`defusedxml`, which rejects
DTDs, entity declarations (billion laughs) and external references. Only four parts are read:
``xl/workbook.xml`` (sheets and defined names), its relationships, ``xl/sharedStrings.xml`` and the
Inputs sheet. Nothing is written.

:func:`load_untrusted` opens the whole file with openpyxl (for ``llmcost refresh``, which carries the user's
cells and sheets over), after the same archive checks; openpyxl parses with :mod:`defusedxml` when it is
installed (it is a dependency of the ``cli`` extra), and Python's :mod:`zipfile` never inflates a member past
the size its header declares, which the checks bounded.

Every problem raises :class:`WorkbookFileError` naming the file (a file problem, not the engine's), so the
CLI prints one line and exits 1.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from costengine import SCENARIO_KEYS

from .files import FileProblem

__all__ = [
    "InputCells",
    "WorkbookFileError",
    "read_inputs",
    "load_untrusted",
    "MAX_FILE_BYTES",
    "MAX_PART_BYTES",
    "MAX_TOTAL_BYTES",
    "MAX_RATIO",
    "MAX_MEMBERS",
    "INPUTS_SHEET",
]

#: Largest workbook accepted [bytes]; a filled template is well under 1 MB.
MAX_FILE_BYTES = 25_000_000
#: Most members an accepted archive may hold.
MAX_MEMBERS = 2_000
#: Largest uncompressed size of one XML part that is read [bytes].
MAX_PART_BYTES = 10_000_000
#: Largest total declared uncompressed size of all members [bytes].
MAX_TOTAL_BYTES = 250_000_000
#: Largest compression ratio (uncompressed / compressed) of a member above 1 MB uncompressed.
MAX_RATIO = 200.0
#: The sheet that holds the scenario (key | value | unit | note).
INPUTS_SHEET = "Inputs"

_NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_R_ID = f"{{{_NS['r']}}}id"
_REF = re.compile(r"^\s*(?:'(?P<q>(?:[^']|'')+)'|(?P<s>[^'!]+))!\$?(?P<col>[A-Z]{1,3})\$?(?P<row>\d+)\s*$")
_CELL = re.compile(r"^(?P<col>[A-Z]{1,3})(?P<row>\d+)$")


@dataclass(frozen=True)
class InputCells:
    """The scenario values found in the Inputs sheet.

    ``values`` maps each key to its cell's value (blank cells are left out: default/derive);
    ``cells`` maps each key found to its cell reference (``Inputs!B5``); ``missing`` lists the keys the
    workbook has no cell for; ``problems`` lists ``(key, problem)`` for cells that hold an Excel error or
    a formula without a saved result.
    """

    values: dict[str, Any]
    cells: dict[str, str]
    missing: tuple[str, ...]
    problems: tuple[tuple[str, str], ...]


class WorkbookFileError(FileProblem):
    """A file that is not a readable llmcost template (``path: problem``): a file problem, not the engine's."""


def _fail(path: Path, problem: str) -> WorkbookFileError:
    return WorkbookFileError(str(path), problem)


def _open_archive(path: Path) -> zipfile.ZipFile:
    """Open the archive after checking the file and every member's declared sizes."""
    if not path.exists():
        raise _fail(path, "no such file")
    if not path.is_file():
        raise _fail(path, "is not a file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _fail(
            path, f"is too large for a template workbook ({size / 1e6:,.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB)"
        )
    if size == 0:
        raise _fail(path, "is empty")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != b"PK\x03\x04":
        hint = "an old .xls file; save it as .xlsx" if magic == b"\xd0\xcf\x11\xe0" else "not a zip archive"
        raise _fail(path, f"is not an .xlsx workbook ({hint})")
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _fail(path, f"is not a readable .xlsx workbook (corrupt zip archive: {exc})") from None
    infos = zf.infolist()
    if len(infos) > MAX_MEMBERS:
        zf.close()
        raise _fail(path, f"has too many parts for a workbook ({len(infos)} > {MAX_MEMBERS})")
    total = sum(i.file_size for i in infos)
    if total > MAX_TOTAL_BYTES:
        zf.close()
        raise _fail(path, f"would inflate to {total / 1e6:,.0f} MB (zip bomb?); refused")
    for info in infos:
        if info.file_size > 1_000_000 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            zf.close()
            raise _fail(
                path,
                f"part {info.filename} is compressed {info.file_size / max(info.compress_size, 1):,.0f}"
                " times (zip bomb?); refused",
            )
    return zf


def _read_part(zf: zipfile.ZipFile, path: Path, name: str, required: bool = True) -> bytes | None:
    """At most MAX_PART_BYTES of one member (``None`` if absent and not required)."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        if required:
            raise _fail(path, f"is not an .xlsx workbook (no {name})") from None
        return None
    if info.file_size > MAX_PART_BYTES:
        raise _fail(path, f"part {name} is too large ({info.file_size / 1e6:,.1f} MB > {MAX_PART_BYTES / 1e6:.0f} MB)")
    try:
        with zf.open(info) as fh:
            data = fh.read(MAX_PART_BYTES + 1)
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise _fail(path, f"part {name} cannot be read (corrupt archive: {exc})") from None
    if len(data) > MAX_PART_BYTES:
        raise _fail(path, f"part {name} inflates past {MAX_PART_BYTES / 1e6:.0f} MB (zip bomb?); refused")
    return data


def _parse_xml(data: bytes, path: Path, name: str) -> Element:
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except defusedxml.DTDForbidden:
        raise _fail(path, f"part {name} declares a DTD, which a workbook never needs (XML attack?); refused") from None
    except defusedxml.EntitiesForbidden:
        raise _fail(path, f"part {name} declares XML entities (billion laughs?); refused") from None
    except defusedxml.DefusedXmlException as exc:
        raise _fail(path, f"part {name} holds forbidden XML ({type(exc).__name__}); refused") from None
    except (ParseError, ValueError) as exc:
        raise _fail(path, f"part {name} is not well-formed XML ({exc})") from None


def _rels(zf: zipfile.ZipFile, path: Path, name: str, base: str) -> dict[str, str]:
    """Relationship id -> member name for a ``.rels`` part (targets resolved against ``base``)."""
    root = _parse_xml(_read_part(zf, path, name), path, name)
    out = {}
    for rel in root.iter(f"{{{_NS['pr']}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External":
            continue
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        out[rel.get("Id", "")] = member
        out.setdefault("type:" + rel.get("Type", "").rsplit("/", 1)[-1], member)
    return out


def _shared_strings(zf: zipfile.ZipFile, path: Path, name: str | None) -> list[str]:
    data = _read_part(zf, path, name, required=False) if name else None
    if data is None:
        return []
    root = _parse_xml(data, path, name)
    return ["".join(t.text or "" for t in si.iter(f"{{{_NS['m']}}}t")) for si in root.iter(f"{{{_NS['m']}}}si")]


def _column(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _cell_value(c: Element, strings: list[str]) -> tuple[Any, str | None]:
    """(value, problem) of one ``<c>`` element; blank cells give (None, None)."""
    kind = c.get("t", "n")
    v = c.find("m:v", _NS)
    text = v.text if v is not None else None
    if kind == "inlineStr":
        return "".join(t.text or "" for t in c.iter(f"{{{_NS['m']}}}t")), None
    if text is None or text == "":
        if c.find("m:f", _NS) is not None:
            return None, "holds a formula without a saved result; open and save the workbook in Excel first"
        return None, None
    if kind == "s":
        try:
            return strings[int(text)], None
        except (ValueError, IndexError):
            return None, "refers to a shared string that does not exist (corrupt workbook)"
    if kind == "e":
        return None, f"holds the Excel error {text}"
    if kind == "b":
        return text.strip() == "1", None
    if kind in ("str", "d"):
        return text, None
    try:
        return float(text), None
    except ValueError:
        return None, f"holds a number Excel cannot have written ({text!r})"


def _sheet_cells(root: Element, strings: list[str], columns: set[int]) -> dict[tuple[int, int], Element]:
    """(row, column) -> ``<c>`` element for the wanted columns (cells without ``r`` counted in order)."""
    cells: dict[tuple[int, int], Element] = {}
    data = root.find("m:sheetData", _NS)
    if data is None:
        return cells
    row_no = 0
    for row in data.findall("m:row", _NS):
        row_no = int(row.get("r")) if (row.get("r") or "").isdigit() else row_no + 1
        col_no = 0
        for c in row.findall("m:c", _NS):
            m = _CELL.match(c.get("r") or "")
            col_no = _column(m["col"]) if m else col_no + 1
            if col_no in columns:
                cells[(row_no, col_no)] = c
    return cells


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


def read_inputs(path: str | Path) -> InputCells:
    """The scenario typed into the Inputs sheet of a template workbook (see module docstring).

    A key's cell is found from the workbook-level defined name equal to the key (so rows the user
    inserted do not matter); a key without a name is looked for in column A of the Inputs sheet, with
    its value in column B.
    """
    path = Path(path)
    with _open_archive(path) as zf:
        root_rels = _rels(zf, path, "_rels/.rels", "")
        wb_name = root_rels.get("type:officeDocument", "xl/workbook.xml")
        wb = _parse_xml(_read_part(zf, path, wb_name), path, wb_name)
        base = posixpath.dirname(wb_name)
        wb_rels = _rels(zf, path, posixpath.join(base, "_rels", posixpath.basename(wb_name) + ".rels"), base)
        sheets = {s.get("name", ""): s.get(_R_ID, "") for s in wb.iter(f"{{{_NS['m']}}}sheet")}
        sheet_name = next((n for n in sheets if n.lower() == INPUTS_SHEET.lower()), None)
        if sheet_name is None:
            listed = ", ".join(list(sheets)[:6]) or "none"
            raise _fail(path, f"is not an llmcost template: it has no {INPUTS_SHEET} sheet (sheets: {listed})")
        sheet_part = wb_rels.get(sheets[sheet_name])
        if not sheet_part:
            raise _fail(path, f"is not a readable workbook: the {sheet_name} sheet has no part")
        named: dict[str, tuple[int, int]] = {}
        for dn in wb.iter(f"{{{_NS['m']}}}definedName"):
            key = (dn.get("name") or "").lower()
            m = _REF.match(dn.text or "")
            if key in SCENARIO_KEYS and dn.get("localSheetId") is None and m:
                sheet = m["q"].replace("''", "'") if m["q"] else m["s"]
                if sheet.lower() == sheet_name.lower():
                    named[key] = (int(m["row"]), _column(m["col"]))
        strings = _shared_strings(zf, path, wb_rels.get("type:sharedStrings"))
        sheet = _parse_xml(_read_part(zf, path, sheet_part), path, sheet_part)
    wanted_cols = {1, 2} | {c for _, c in named.values()}
    cells = _sheet_cells(sheet, strings, wanted_cols)
    where: dict[str, tuple[int, int]] = {}
    for (r, c), el in sorted(cells.items()):
        if c != 1:
            continue
        label, _ = _cell_value(el, strings)
        key = str(label).strip().lower() if label is not None else ""
        if key in SCENARIO_KEYS and key not in where:
            where[key] = (r, 2)
    where.update(named)
    if not where:
        raise _fail(path, f"is not an llmcost template: its {sheet_name} sheet has no scenario keys in column A")
    values: dict[str, Any] = {}
    refs: dict[str, str] = {}
    problems: list[tuple[str, str]] = []
    for key in SCENARIO_KEYS:
        if key not in where:
            continue
        r, c = where[key]
        refs[key] = f"{sheet_name}!{_letters(c)}{r}"
        el = cells.get((r, c))
        if el is None:
            continue
        value, problem = _cell_value(el, strings)
        if problem:
            problems.append((key, problem))
        elif value is not None and not (isinstance(value, str) and not value.strip()):
            values[key] = value
    missing = tuple(k for k in SCENARIO_KEYS if k not in where)
    return InputCells(values=values, cells=refs, missing=missing, problems=tuple(problems))


def load_untrusted(path: str | Path):
    """The whole workbook at ``path`` as an :class:`openpyxl.Workbook` (formulas as text, not their results),
    after the archive checks of :func:`read_inputs`.

    Raises
    ------
    WorkbookFileError
        The file fails the checks, or openpyxl cannot read it.
    """
    import openpyxl
    import openpyxl.xml

    path = Path(path)
    if not openpyxl.xml.DEFUSEDXML:
        raise _fail(
            path, "cannot be opened safely: openpyxl would parse it without defusedxml (pip install defusedxml)"
        )
    _open_archive(path).close()
    try:
        return openpyxl.load_workbook(path, data_only=False, keep_links=False)
    except defusedxml.DefusedXmlException as exc:
        raise _fail(path, f"holds forbidden XML ({type(exc).__name__}); refused") from None
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, ParseError, EOFError, OSError) as exc:
        # openpyxl's errors on a corrupt part: a bad value in a typed attribute (TypeError, ValueError), a missing
        # part (KeyError), malformed XML (ParseError)
        raise _fail(path, f"is not a readable .xlsx workbook (openpyxl: {type(exc).__name__}: {exc})") from None
