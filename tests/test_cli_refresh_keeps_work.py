"""`llmcost refresh` never loses work: a new file unless --force, every input cell kept (Inputs values and
notes, the Curve's from and to, the Fine-tuning inputs), sheets and names the user added copied, and a number
typed as text kept as typed and named in a note.
"""

import datetime as dt

import openpyxl
from conftest import MADE_UP
from openpyxl.workbook.defined_name import DefinedName
from typer.testing import CliRunner

from costengine import SCENARIO_KEYS, Scenario
from workbook.builder import build_workbook, write_workbook
from workbook.cli import app

runner = CliRunner()


def _row(key: str) -> int:
    return 2 + SCENARIO_KEYS.index(key)


def _filled(tmp_path):
    """A template the user worked in, as Excel would save it (openpyxl here)."""
    path = write_workbook(tmp_path / "plan.xlsx", Scenario(**MADE_UP))
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    ws.cell(_row("requests_per_month"), 2).value = "20000000"  # a number typed as text
    ws.cell(_row("prompt_tokens"), 2).value = 900
    ws.cell(_row("prompt_tokens"), 4).value = "measured in March"
    wb["Curve"]["B3"], wb["Curve"]["B4"] = 5_000, 5e7
    ft = build_workbook().defined_names["ft_price_per_hour"]
    ((sheet, ref),) = ft.destinations
    wb[sheet][ref.replace("$", "")] = 3.25
    mine = wb.create_sheet("Budget")
    mine["A1"], mine["B1"], mine["C1"] = "yearly", "=api_monthly_cost*12", "=Budget!B1/2"
    mine["A2"], mine["B2"] = dt.date(2026, 1, 31), '=HYPERLINK("x")'
    mine["A3"] = "=not a formula"
    mine["A3"].data_type = "s"
    mine.column_dimensions["A"].width = 33
    wb.defined_names["my_budget"] = DefinedName("my_budget", attr_text="Budget!$B$1")
    wb.save(path)
    return path, (sheet, ref.replace("$", ""))


def test_refresh_keeps_the_users_work_in_a_new_file(tmp_path):
    path, ft_cell = _filled(tmp_path)
    before = path.read_bytes()
    result = runner.invoke(app, ["refresh", str(path)])
    assert result.exit_code == 0, result.output
    new = tmp_path / "plan-refreshed.xlsx"
    assert path.read_bytes() == before  # the original is untouched
    assert f"wrote {new}" in result.stdout and "1 sheet of yours (Budget)" in result.stdout
    assert result.stderr.strip() == (
        f"note: requests_per_month (Inputs!B{_row('requests_per_month')}): holds the "
        "text '20000000', which is read as the number 20,000,000; kept as text: type "
        "it as a number"
    )
    wb = openpyxl.load_workbook(new)
    ws = wb["Inputs"]
    cell = ws.cell(_row("requests_per_month"), 2)
    assert cell.value == "20000000" and cell.data_type == "s"  # kept as typed: the workbook's check still sees it
    assert ws.cell(_row("prompt_tokens"), 2).value == 900
    assert ws.cell(_row("prompt_tokens"), 4).value == "measured in March"
    assert ws.cell(_row("output_tokens"), 4).value  # the other notes stay
    assert (wb["Curve"]["B3"].value, wb["Curve"]["B4"].value) == (5_000, 5e7)
    assert wb[ft_cell[0]][ft_cell[1]].value == 3.25
    assert wb.sheetnames[-1] == "Budget"
    b = wb["Budget"]
    assert (b["A1"].value, b["B1"].value, b["C1"].value) == ("yearly", "=api_monthly_cost*12", "=Budget!B1/2")
    assert b["A2"].value == dt.datetime(2026, 1, 31) and b["B2"].value == '=HYPERLINK("x")'
    assert b["A3"].value == "=not a formula" and b["A3"].data_type == "s"
    assert b.column_dimensions["A"].width == 33
    assert wb.defined_names["my_budget"].attr_text == "Budget!$B$1"
    # the regenerated parts are the template's: the Comparison sheet's formulas, the sheet order
    assert wb.sheetnames[:-1] == build_workbook().sheetnames


def test_refresh_in_place_only_with_force_and_keeps_the_work_again(tmp_path):
    path, _ = _filled(tmp_path)
    other = tmp_path / "plan-refreshed.xlsx"
    other.write_bytes(b"keep me")
    refused = runner.invoke(app, ["refresh", str(path)])
    assert refused.exit_code == 1 and refused.stderr.strip() == f"{other}: exists; use --force to overwrite"
    assert other.read_bytes() == b"keep me"
    same = runner.invoke(app, ["refresh", str(path), "-o", str(path)])
    assert same.exit_code == 1 and "exists; use --force" in same.stderr
    forced = runner.invoke(app, ["refresh", str(path), "--force"])
    assert forced.exit_code == 0 and f"wrote {path}" in forced.stdout
    assert other.read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan-refreshed.xlsx", "plan.xlsx"]  # no temporary file
    again = runner.invoke(app, ["refresh", str(path), "--force"])  # a second refresh loses nothing either
    assert again.exit_code == 0
    wb = openpyxl.load_workbook(path)
    assert wb["Inputs"].cell(_row("prompt_tokens"), 4).value == "measured in March"
    assert wb["Budget"]["B1"].value == "=api_monthly_cost*12" and wb["Curve"]["B3"].value == 5_000


def test_refresh_follows_the_names_when_rows_were_inserted(tmp_path):
    path = write_workbook(tmp_path / "w.xlsx", Scenario(**MADE_UP))
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    r = _row("prompt_tokens")
    ws.cell(r, 2).value, ws.cell(r, 4).value = 700, "mine"
    ws.insert_rows(2)  # openpyxl moves the cells, not the names: move them as Excel would
    for key in SCENARIO_KEYS:
        wb.defined_names[key] = DefinedName(key, attr_text=f"Inputs!$B${_row(key) + 1}")
    wb.save(path)
    result = runner.invoke(app, ["refresh", str(path), "-o", str(tmp_path / "new.xlsx")])
    assert result.exit_code == 0, result.output
    new = openpyxl.load_workbook(tmp_path / "new.xlsx")["Inputs"]
    assert (new.cell(r, 2).value, new.cell(r, 4).value) == (700, "mine")
