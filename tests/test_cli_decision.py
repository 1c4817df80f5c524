"""`llmcost compare --projection / --sensitivity`: the hand-off to the decision-analysis engine.

With the made-up prices of conftest.MADE_UP and no growth, every month of the projection costs what the
single-month comparison costs (worked by hand in tests/test_cli_compare.py: api 12,088, cloud 14,350,
onprem amortised 12,393.07), so the cumulative API cost after 12 months is 12 x 12,088 = 145,056.
"""

import json

from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario
from costengine.sensitivity import sensitivity
from workbook.cli import app

runner = CliRunner()
SETS = [a for k, v in MADE_UP.items() for a in ("--set", f"{k}={v}")]


def test_projection_json_months_and_summary():
    result = runner.invoke(app, ["compare", *SETS, "--set", "horizon_months=12", "--projection", "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    months = doc["projection"]["months"]
    assert [m["month"] for m in months] == list(range(1, 13))
    assert all(abs(m["api"] - 12_088) < 1e-6 for m in months)
    assert abs(months[-1]["cumulative_api"] - 12 * 12_088) < 1e-6
    assert abs(months[0]["onprem"] - 12_393.0666667) < 1e-4  # amortised view
    options = [row["option"] for row in doc["projection"]["summary"]]
    assert options == ["api", "cloud", "onprem", "hybrid_cloud", "hybrid_onprem"]
    assert [row["option"] for row in doc["comparison"]] == ["api", "cloud", "onprem"]
    for m in months:  # the hybrids are never dearer than all-API or their pure option in any month
        assert m["hybrid_cloud"] <= min(m["api"], m["cloud"]) * (1 + 1e-12)
        assert m["hybrid_onprem"] <= min(m["api"], m["onprem"]) * (1 + 1e-12)


def test_sensitivity_json_is_the_engine_table():
    result = runner.invoke(app, ["compare", *SETS, "--sensitivity", "--swing", "0.1", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["sensitivity"]
    expected = sensitivity(Scenario(**MADE_UP), swing=0.1)
    assert [r["input"] for r in rows] == list(expected["input"])
    assert rows[0]["size"] == expected["size"].iloc[0]


def test_tables_in_the_terminal():
    result = runner.invoke(app, ["compare", *SETS, "--projection", "--sensitivity"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "Projection over 36 months" in result.stdout
    assert "pays back against the API" in result.stdout
    assert "hybrid_onprem pays back against the API" in result.stdout and "hybrid_cloud: " in result.stdout
    assert "Sensitivity: each input at -25% / +25%" in result.stdout
    assert "inputs that flip the cheapest option" in result.stdout


def test_bad_swing_is_a_usage_error():
    result = runner.invoke(app, ["compare", "--sensitivity", "--swing", "2"])
    assert result.exit_code == 2


def test_refresh_rewrites_a_template_and_refuses_to_overwrite_another_file(tmp_path):
    from openpyxl import load_workbook

    from workbook.builder import write_workbook

    src = write_workbook(tmp_path / "filled.xlsx", Scenario(**MADE_UP))
    other = tmp_path / "other.xlsx"
    result = runner.invoke(app, ["refresh", str(src), "--output", str(other)])
    assert result.exit_code == 0, result.output
    assert other.exists() and f"wrote {other}" in result.stdout
    values = {
        r[0]: r[1]
        for r in load_workbook(other, read_only=True)["Inputs"].iter_rows(min_row=2, max_col=2, values_only=True)
    }
    assert values["requests_per_month"] == MADE_UP["requests_per_month"]
    again = runner.invoke(app, ["refresh", str(src), "--output", str(other)])
    assert again.exit_code == 1 and "exists" in again.stderr
    plain = runner.invoke(app, ["refresh", str(src)])
    assert plain.exit_code == 0 and f"wrote {tmp_path / 'filled-refreshed.xlsx'}" in plain.stdout
    missing = runner.invoke(app, ["refresh", str(tmp_path / "nope.xlsx")])
    assert missing.exit_code == 1
