"""`llmcost evaluate`: a filled workbook is read back and recomputed; hostile files get one line, fast.

The workbooks here are made with openpyxl by the tests (the Inputs layout of the template: key | value |
unit | note with a defined name per key), so the reader is tested apart from the template builder.
Hostile files: a zip bomb, a billion-laughs sheet, a member whose header lies about its size, random
bytes, a CSV renamed to .xlsx, a huge file, foreign workbooks. None may print a traceback or write a file.
"""

import os
import shutil
import struct
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import MADE_UP
from openpyxl.workbook.defined_name import DefinedName
from typer.testing import CliRunner

from costengine import SCENARIO_KEYS
from workbook.cli import app
from workbook.xlsx import reader
from workbook.xlsx.reader import WorkbookFileError

runner = CliRunner()


def make_workbook(path: Path, values: dict, *, shift: int = 0, names: bool = True) -> Path:
    """An Inputs sheet with every key (values in column B), rows pushed down by ``shift`` blank rows."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Inputs"
    ws.append(["key", "value", "unit", "note"])
    for _ in range(shift):
        ws.append([])
    for key in SCENARIO_KEYS:
        ws.append([key, values.get(key), "", ""])
        if names:
            wb.defined_names[key] = DefinedName(key, attr_text=f"Inputs!$B${ws.max_row}")
    wb.create_sheet("Comparison")["A1"] = "formulas live here"
    wb.save(path)
    return path


def _listing(folder: Path) -> dict:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def _evaluate(path: Path, *args):
    before = _listing(path.parent)
    result = runner.invoke(app, ["evaluate", str(path), *args])
    assert _listing(path.parent) == before, "evaluate wrote or changed a file"
    assert "Traceback" not in result.output
    return result


def test_recomputes_the_typed_numbers(tmp_path):
    # costs worked by hand in test_cli_compare: api 12,088; cloud 14,350; onprem 12,393.07
    wb = make_workbook(tmp_path / "filled.xlsx", MADE_UP)
    result = _evaluate(wb)
    assert result.exit_code == 0, result.output
    assert "12,088.00" in result.stdout and "14,350.00" in result.stdout and "12,393.07" in result.stdout
    assert "cheapest: api" in result.stdout
    assert f"{len(MADE_UP)} inputs read" in result.stdout


def test_json_lists_inputs_and_options(tmp_path):
    import json

    wb = make_workbook(tmp_path / "filled.xlsx", MADE_UP)
    doc = json.loads(_evaluate(wb, "--format", "json", "--requests", "1e7").stdout)
    assert doc["cheapest"] == "onprem"
    assert {o["option"]: o["monthly_cost"] for o in doc["options"]}["cloud"] == pytest.approx(58_150.0)
    assert doc["inputs"]["onprem_pue"] == 1.4


def test_an_infeasible_cloud_is_said_with_the_others_computed(tmp_path):
    import json

    values = {k: v for k, v in MADE_UP.items() if k != "seconds_per_request"}  # derived from the model
    values.update(cloud_gpu="L4", cloud_gpus_per_replica=1, model="llama-3.3-70b")  # a 70B model on one L4
    wb = make_workbook(tmp_path / "filled.xlsx", values)
    result = _evaluate(wb)
    assert result.exit_code == 0, result.output
    assert "cloud: not feasible: the model does not fit" in result.stdout and "12,088.00" in result.stdout
    doc = json.loads(_evaluate(wb, "--format", "json").stdout)
    options = {o["option"]: o for o in doc["options"]}
    assert options["cloud"]["monthly_cost"] is None and options["cloud"]["status"].startswith("not feasible: ")
    assert options["api"]["monthly_cost"] == pytest.approx(12_088.0) and doc["cheapest"] in ("api", "onprem")


def test_defined_names_find_moved_rows(tmp_path):
    # the user inserted rows above the inputs: Excel moved the names with them
    wb = make_workbook(tmp_path / "moved.xlsx", MADE_UP, shift=3)
    assert "12,088.00" in _evaluate(wb).stdout


def test_without_names_column_a_is_used(tmp_path):
    wb = make_workbook(tmp_path / "plain.xlsx", MADE_UP, names=False)
    assert "14,350.00" in _evaluate(wb).stdout


def test_invalid_inputs_name_key_and_cell(tmp_path):
    values = {**MADE_UP, "target_utilization": 1.5, "prompt_tokens": -1}
    wb = make_workbook(tmp_path / "bad.xlsx", values)
    result = _evaluate(wb)
    assert result.exit_code == 1
    row = {k: i for i, k in enumerate(SCENARIO_KEYS, start=2)}
    assert result.stderr.splitlines() == [
        f"prompt_tokens (Inputs!B{row['prompt_tokens']}): must be >= 0 (got -1)",
        f"target_utilization (Inputs!B{row['target_utilization']}): must be <= 1 (got 1.5)",
    ]
    assert result.stdout == ""


def test_unusual_inputs_are_flagged_beside_the_answers(tmp_path):
    # 13 per kWh is valid but far outside any electricity price: most likely 0.13 mistyped
    wb = make_workbook(tmp_path / "odd.xlsx", {**MADE_UP, "onprem_price_per_kwh": 13})
    result = _evaluate(wb)
    assert result.exit_code == 0
    flagged = [ln for ln in result.stdout.splitlines() if ln.startswith("unusual")]
    assert len(flagged) == 1 and "onprem_price_per_kwh" in flagged[0] and "13 USD" in flagged[0]


def test_excel_error_and_unsaved_formula_cells(tmp_path):
    path = make_workbook(tmp_path / "err.xlsx", MADE_UP)
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    row = {k: i for i, k in enumerate(SCENARIO_KEYS, start=2)}
    ws[f"B{row['prompt_tokens']}"] = "=1/0"  # openpyxl saves formulas without a result
    ws[f"B{row['onprem_pue']}"] = "#DIV/0!"
    assert ws[f"B{row['onprem_pue']}"].data_type == "e"
    wb.save(path)
    result = _evaluate(path)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"prompt_tokens (Inputs!B{row['prompt_tokens']}): holds a formula "
        "without a saved result; open and save the workbook in Excel first",
        f"onprem_pue (Inputs!B{row['onprem_pue']}): holds the Excel error #DIV/0!",
    ]


# --- hostile and foreign files ------------------------------------------------------------------------


def _copy_with(src: Path, dst: Path, replace: dict[str, bytes] | None = None, extra=None) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, (replace or {}).get(info.filename, zin.read(info.filename)))
        if extra:
            extra(zout)
    return dst


def _one_line_error(path: Path) -> str:
    result = _evaluate(path)
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"{path}: ")
    return lines[0]


def test_zip_bomb_is_refused_before_inflating(tmp_path, monkeypatch):
    good = make_workbook(tmp_path / "good.xlsx", MADE_UP)

    def bomb(zout):  # 300 MB of zeros, about 300 KB compressed
        with zout.open("xl/media/image1.bin", "w") as fh:
            zeros = bytes(1 << 20)
            for _ in range(300):
                fh.write(zeros)

    path = _copy_with(good, tmp_path / "bomb.xlsx", extra=bomb)
    opened = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile, "open", lambda self, name, *a, **k: (opened.append(name), real_open(self, name, *a, **k))[1]
    )
    assert "zip bomb" in _one_line_error(path)
    assert opened == []  # refused from the directory alone: nothing was inflated


def test_highly_compressed_member_is_refused(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx", MADE_UP)
    path = _copy_with(
        good, tmp_path / "ratio.xlsx", extra=lambda z: z.writestr("xl/sharedStrings.xml", b" " * 20_000_000)
    )
    assert "compressed" in _one_line_error(path) and "zip bomb" in _one_line_error(path)


def _lying_sizes(path: Path, member: str, declared: int) -> None:
    """Patch the uncompressed size of ``member`` in its local header and central directory entry."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        offset = zf.getinfo(member).header_offset
    struct.pack_into("<I", data, offset + 22, declared)
    pos = data.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", data, pos + 28)[0]
        if data[pos + 46 : pos + 46 + name_len].decode() == member:
            struct.pack_into("<I", data, pos + 24, declared)
        pos = data.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(data))


def test_member_lying_about_its_size_is_not_inflated(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx", MADE_UP)
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + b" " * 30_000_000
        + b"<sheetData/></worksheet>"
    )
    path = _copy_with(good, tmp_path / "liar.xlsx", replace={"xl/worksheets/sheet1.xml": sheet})
    _lying_sizes(path, "xl/worksheets/sheet1.xml", 1000)
    line = _one_line_error(path)
    assert "xl/worksheets/sheet1.xml" in line and "corrupt" in line


def test_billion_laughs_in_a_sheet_is_refused(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx", MADE_UP)
    lol = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10)
        )
        + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>'
    )
    path = _copy_with(good, tmp_path / "lol.xlsx", replace={"xl/worksheets/sheet1.xml": lol.encode()})
    line = _one_line_error(path)
    assert "xl/worksheets/sheet1.xml" in line and "refused" in line


def test_entities_without_dtd_check_still_refused():
    with pytest.raises(WorkbookFileError, match="entities|DTD"):
        reader._parse_xml(b'<!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', Path("w.xlsx"), "xl/workbook.xml")


def test_random_bytes_csv_and_old_xls(tmp_path):
    rnd = tmp_path / "random.xlsx"
    rnd.write_bytes(os.urandom(64_000))
    assert _one_line_error(rnd).endswith("is not an .xlsx workbook (not a zip archive)")
    csv = tmp_path / "renamed.xlsx"
    csv.write_text("name,requests_per_month\na,5\n")
    assert _one_line_error(csv).endswith("is not an .xlsx workbook (not a zip archive)")
    xls = tmp_path / "old.xlsx"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000))
    assert "old .xls file" in _one_line_error(xls)


def test_truncated_workbook(tmp_path):
    good = make_workbook(tmp_path / "good.xlsx", MADE_UP)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    assert "corrupt" in _one_line_error(cut)


def test_huge_file_is_refused_from_its_size(tmp_path):
    huge = tmp_path / "huge.xlsx"
    with huge.open("wb") as fh:
        fh.truncate(reader.MAX_FILE_BYTES + 1)  # sparse: nothing is really written to disk
    assert "too large" in _one_line_error(huge)


def test_foreign_workbooks(tmp_path):
    wb = openpyxl.Workbook()
    wb.active.title = "Budget"
    wb.save(tmp_path / "budget.xlsx")
    assert _one_line_error(tmp_path / "budget.xlsx").endswith(
        "is not an llmcost template: it has no Inputs sheet (sheets: Budget)"
    )
    wb = openpyxl.Workbook()
    wb.active.title = "Inputs"
    wb.active.append(["name", "amount"])
    wb.save(tmp_path / "other.xlsx")
    assert "has no scenario keys in column A" in _one_line_error(tmp_path / "other.xlsx")


def test_missing_file_and_folder(tmp_path):
    assert _one_line_error(tmp_path / "nope.xlsx").endswith("no such file")
    (tmp_path / "dir.xlsx").mkdir()
    assert _one_line_error(tmp_path / "dir.xlsx").endswith("is not a file")


@pytest.mark.libreoffice
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_template_filled_and_saved_by_a_spreadsheet_reads_back(tmp_path):
    # the template as `llmcost template` writes it, numbers typed into column B, then opened and saved by
    # LibreOffice Calc (shared strings, cached values, its own XML): evaluate must read the typed numbers
    from workbook.sheets.inputs import key_row

    from lo import recalc

    template = tmp_path / "in" / "model.xlsx"
    template.parent.mkdir()
    assert runner.invoke(app, ["template", str(template)]).exit_code == 0
    wb = openpyxl.load_workbook(template)
    for key, value in MADE_UP.items():
        wb["Inputs"][f"B{key_row(key)}"] = value
    wb.save(template)
    saved = recalc([template], tmp_path / "saved")[0]
    result = _evaluate(saved, "--format", "json")
    assert result.exit_code == 0, result.output
    import json

    doc = json.loads(result.stdout)
    typed = {k: doc["inputs"][k] for k in MADE_UP}
    assert typed == pytest.approx({k: v if isinstance(v, str) else float(v) for k, v in MADE_UP.items()})
    by = {o["option"]: o["monthly_cost"] for o in doc["options"]}
    assert by == pytest.approx({"api": 12_088.0, "cloud": 14_350.0, "onprem": 12_393.0667}, rel=1e-6)
    # and the spreadsheet's own formulas agree with the engine
    cached = openpyxl.load_workbook(saved, data_only=True)
    for option in ("api", "cloud", "onprem"):
        dest = list(cached.defined_names[f"{option}_monthly_cost"].destinations)[0]
        assert cached[dest[0]][dest[1].replace("$", "")].value == pytest.approx(by[option], rel=1e-9)
