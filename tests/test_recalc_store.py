"""The store of LibreOffice's recalculated values (tests/recalc_store.py): keys, the cell reader, the entries."""

from __future__ import annotations

import datetime
import json
import lzma
import re
import zipfile

import openpyxl

from recalc_store import FORMAT, STORE, read_cells, workbook_key


def _book(path, value, saved=datetime.datetime(2026, 1, 1)):
    wb = openpyxl.Workbook()
    wb.properties.created = saved
    ws = wb.active
    ws.title = "My sheet"
    ws["A1"], ws["B1"], ws["C1"], ws["D1"] = value, "text & <more>", "=A1*2", True
    ws["A2"] = ""
    wb.defined_names["answer"] = openpyxl.workbook.defined_name.DefinedName("answer", attr_text="'My sheet'!$C$1")
    wb.save(path)
    return path


def test_the_key_follows_the_content_not_the_time_of_saving(tmp_path):
    a = _book(tmp_path / "a.xlsx", 1.5)
    b = _book(tmp_path / "b.xlsx", 1.5, saved=datetime.datetime(2027, 5, 5))  # docProps/core.xml differs
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.read("docProps/core.xml") != zb.read("docProps/core.xml")
    assert workbook_key(a) == workbook_key(b)
    assert workbook_key(a) != workbook_key(_book(tmp_path / "c.xlsx", 2.5))
    assert workbook_key(a, "de-DE") != workbook_key(a)  # another LibreOffice profile, another entry
    assert re.fullmatch(r"[0-9a-f]{64}", workbook_key(a))


def test_the_cell_reader_reads_what_openpyxl_reads(tmp_path):
    path = _book(tmp_path / "a.xlsx", 7)
    cells, names = read_cells(path)
    wb = openpyxl.load_workbook(path)
    want = {(c.row, c.column): c.value for row in wb["My sheet"].iter_rows() for c in row if c.value is not None}
    got = {rc: v for rc, (v, formula, _) in cells["My sheet"].items() if not formula and v != ""}
    assert got == {rc: v for rc, v in want.items() if not (isinstance(v, str) and v.startswith("="))}
    assert type(got[(1, 1)]) is int and got[(1, 4)] is True
    assert cells["My sheet"][(1, 3)][1]  # the formula cell is known as one
    assert names["answer"] == ("My sheet", "C1")
    constants, _ = read_cells(path, constants_only=True, sheets=("My sheet",))
    assert (1, 3) not in constants["My sheet"] and constants["My sheet"][(1, 2)][0] == "text & <more>"


def test_every_stored_entry_is_readable_and_of_this_format():
    for path in sorted(STORE.glob("*")):
        assert re.fullmatch(r"[0-9a-f]{64}\.json\.xz", path.name), path.name
        entry = json.loads(lzma.decompress(path.read_bytes()))
        assert entry["format"] == FORMAT, path.name
        assert set(entry) == {"format", "formulas", "errors"}, path.name
        for title, cells in entry["formulas"].items():
            assert all(len(c) == 3 and isinstance(c[0], int) and isinstance(c[1], int) for c in cells), (path, title)
