"""`llmcost batch`'s two summaries: every problem of a bad row, "none" for a break-even without a crossing,
rounded numbers in summary.csv and full precision in summary_raw.csv, and no CSV formula injection
(CWE-1236) from scenario names or from values quoted in error messages.
"""

import csv
from pathlib import Path

import pytest
from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario, breakeven
from workbook.cli import app
from workbook.cli.csv_safe import FORMULA_LEADS, SafeCsvWriter, cell, text_cell

runner = CliRunner()

#: Scenario names a spreadsheet would run as formulas if written verbatim (OWASP's examples and the issue's).
EVIL_NAMES = [
    '=HYPERLINK("http://evil","x")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|calc",
    "\t=1+1",
    "\r=1+1",
]


def _write(path: Path, rows: list[dict]) -> Path:
    cols = list(dict.fromkeys(k for r in rows for k in r))
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=cols)
        w.writeheader()
        w.writerows(rows)
    return path


def _cells(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _rows(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@A1", "\t=1", "\r=1"])
def test_text_cells_with_a_formula_lead_get_a_quote(text):
    assert text_cell(text) == "'" + text
    assert cell(text) == "'" + text


def test_plain_text_and_numbers_are_left_alone():
    assert text_cell("support-bot") == "support-bot" and text_cell("a=b") == "a=b"
    assert cell(None) == "" and cell(3) == "3" and cell(True) == "true" and cell(float("nan")) == ""
    assert cell(-1.5) == "-1.5" and cell(2.0, "{:.2f}".format) == "2.00"  # the product's own numbers


def test_the_writer_neutralises_header_and_text_cells(tmp_path):
    path = tmp_path / "x.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = SafeCsvWriter(fh, ["name", "value"], {"value": "{:.1f}".format})
        w.writeheader()
        w.writerow({"name": "=cmd", "value": -2.25})
        w.writerow({"name": 'a,"b"\nc'})
    assert _cells(path) == [["name", "value"], ["'=cmd", "-2.2"], ['a,"b"\nc', ""]]


def test_evil_names_and_quoted_values_never_start_a_cell_with_a_formula_lead(tmp_path):
    rows = [{**MADE_UP, "name": n} for n in EVIL_NAMES]
    rows += [
        {
            **MADE_UP,
            "name": "=bad-gpu",
            "cloud_gpu": '=HYPERLINK("http://evil","x")',
            "cloud_price_per_gpu_hour": "",
            "seconds_per_request": "",
        },
        {**MADE_UP, "name": "@bad-value", "requests_per_month": "-1+cmd|calc"},
    ]
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(_write(tmp_path / "s.csv", rows)), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1, result.output
    for name in ("summary.csv", "summary_raw.csv"):
        table = _cells(out / name)
        assert len(table) == 1 + len(rows)
        for row in table:
            for value in row:
                assert not value.startswith(FORMULA_LEADS), (name, value)
        got = _rows(out / name)
        assert [r["name"] for r in got] == ["'" + n.strip() for n in EVIL_NAMES] + [
            "'=bad-gpu",
            "'@bad-value",
        ]  # names are trimmed
        assert [r["status"] for r in got] == ["ok"] * len(EVIL_NAMES) + ["error", "error"]
        assert "HYPERLINK" in got[-2]["errors"] and got[-2]["errors"].startswith("cloud_gpu:")
    for f in out.glob("*.xlsx"):  # the file names are safe too
        assert not f.name.startswith(FORMULA_LEADS) and "|" not in f.name


def test_every_problem_of_a_row_is_a_line_and_in_the_summary(tmp_path):
    rows = [{**MADE_UP, "name": "three", "requests_per_month": -3, "prompt_tokens": -1, "target_utilization": 1.5}]
    out = tmp_path / "out"
    result = runner.invoke(app, ["batch", str(_write(tmp_path / "s.csv", rows)), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "row 1 (line 2, 'three'): requests_per_month: must be >= 0 (got -3)",
        "row 1 (line 2, 'three'): prompt_tokens: must be >= 0 (got -1)",
        "row 1 (line 2, 'three'): target_utilization: must be <= 1 (got 1.5)",
    ]
    (got,) = _rows(out / "summary.csv")
    assert got["errors"] == (
        "requests_per_month: must be >= 0 (got -3); prompt_tokens: must be >= 0 (got -1); "
        "target_utilization: must be <= 1 (got 1.5)"
    )
    assert all(got[k] == "" for k in got if k.endswith("_monthly_cost") or k.startswith("breakeven_"))


def test_no_crossing_is_none_and_numbers_are_rounded_with_raw_beside(tmp_path):
    s = Scenario(**MADE_UP)
    pairs = {
        "breakeven_api_cloud": ("api", "cloud"),
        "breakeven_api_onprem": ("api", "onprem"),
        "breakeven_cloud_onprem": ("cloud", "onprem"),
    }
    expected = {col: breakeven(s, a, b) for col, (a, b) in pairs.items()}
    out = tmp_path / "out"
    rows = [{**MADE_UP, "name": "made-up"}, {**MADE_UP, "name": "error", "prompt_tokens": -1}]
    result = runner.invoke(app, ["batch", str(_write(tmp_path / "s.csv", rows)), "-o", str(out), "-j", "1"])
    assert result.exit_code == 1
    assert f"{out / 'summary.csv'} and summary_raw.csv (full precision)" in result.stdout
    (nice, bad), (raw, raw_bad) = _rows(out / "summary.csv"), _rows(out / "summary_raw.csv")
    # worked by hand in test_cli_compare: 12,088 / 14,350 / 12,393.0667 a month at 2e6
    assert nice["api_monthly_cost"] == "12088.00" and nice["cloud_monthly_cost"] == "14350.00"
    assert nice["onprem_monthly_cost"] == "12393.07"
    assert float(raw["onprem_monthly_cost"]) == pytest.approx(12_393.0667, rel=1e-6)
    assert raw["onprem_monthly_cost"] != "12393.07"
    for col, v in expected.items():
        if v is None:
            assert nice[col] == raw[col] == "none"
        else:
            assert nice[col] == f"{v:.0f}" and float(raw[col]) == v
    for row in (bad, raw_bad):  # an error row: empty answers, never "none"
        assert row["status"] == "error" and all(row[c] == "" for c in pairs)


def test_an_infeasible_option_is_said_in_its_cells_and_the_row_is_ok(tmp_path):
    base = {k: v for k, v in MADE_UP.items() if k != "seconds_per_request"}
    bad = {**base, "name": "l4", "cloud_gpu": "L4", "cloud_gpus_per_replica": 1, "model": "llama-3.3-70b"}
    src = _write(tmp_path / "s.csv", [bad])
    res = runner.invoke(app, ["batch", str(src), "-o", str(tmp_path / "out"), "-j", "1"])
    assert res.exit_code == 0, res.output
    (row,) = _rows(tmp_path / "out" / "summary_raw.csv")
    s = Scenario.parse({k: v for k, v in bad.items() if k != "name"})
    assert row["status"] == "ok" and row["errors"] == ""
    assert row["cloud_monthly_cost"].startswith("not feasible: the model does not fit")
    assert row["breakeven_api_cloud"] == row["breakeven_cloud_onprem"] == "not feasible: cloud"
    assert float(row["api_monthly_cost"]) == pytest.approx(100 + 2e6 * 0.005994, rel=1e-12)
    assert row["cheapest_option"] in ("api", "onprem") and row["hybrid_option"] == "onprem"
    assert (tmp_path / "out" / "l4.xlsx").exists() and s.cloud_gpu == "L4"
