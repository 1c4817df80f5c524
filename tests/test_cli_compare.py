"""`llmcost compare`: the hand-off to the engine, the JSON for scripts and the one-line errors.

Expected costs are worked by hand from docs/model.md's formulas with the made-up prices of conftest.MADE_UP
(R = 2e6 requests/month, p = 800, o = 400, peak 1.5, 1.5 s/request, utilisation 0.6, 2 GPUs/replica):

- api per request = (800 * (0.75 * 3 + 0.25 * 0.3) + 400 * 12) / 1e6 * (1 - 0.2 * 0.5) = 0.005994;
  monthly = 2e6 * 0.005994 + 100 = 12,088.
- replica capacity = 730 * 3600 / 1.5 * 0.6 = 1,051,200 requests/month; replicas = ceil(2e6 * 1.5 / 1,051,200) = 3.
- cloud (reserved) = 3 * 2 * 2.5 * 730 + 400 + 3000 = 14,350.
- onprem = 3 * 80,000 / 36 + 3 * 2 * 1.4 * 730 * 0.2 + 3 * 500 + 3000 = 12,393.07.
At R = 1e7: 15 replicas; api 60,040, cloud 58,150, onprem 49,965.33 (onprem cheapest).
"""

import json

import pytest
from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario, breakeven, compare
from workbook.cli import app

runner = CliRunner()


def _sets(values: dict) -> list[str]:
    args = []
    for k, v in values.items():
        args += ["--set", f"{k}={v}"]
    return args


def _strict_json(text: str):
    def no_constants(name):
        raise AssertionError(f"JSON holds {name}, which strict parsers reject")

    return json.loads(text, parse_constant=no_constants)


def test_json_is_the_compare_columns_plus_option_worked_by_hand():
    result = runner.invoke(app, ["compare", *_sets(MADE_UP), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = _strict_json(result.stdout)
    assert [r["option"] for r in rows] == ["api", "cloud", "onprem"]
    columns = set(compare(Scenario(**MADE_UP)).columns)
    assert {"monthly_cost", "cost_per_request", "cost_per_mtok", "gpus", "replicas", "utilization"} <= columns
    assert set(rows[0]) == columns | {
        "option",
        "offer_where",
        "cheapest",
        "recommendation",
        "horizon",
        "breakeven_api_cloud",
        "breakeven_api_onprem",
        "breakeven_cloud_onprem",
    }
    by = {r["option"]: r for r in rows}
    assert by["api"]["monthly_cost"] == pytest.approx(12_088.0)
    assert by["cloud"]["monthly_cost"] == pytest.approx(14_350.0)
    assert by["onprem"]["monthly_cost"] == pytest.approx(12_393.0667, rel=1e-6)
    assert by["cloud"]["replicas"] == 3 and by["cloud"]["gpus"] == 6
    assert by["api"]["cost_per_request"] == pytest.approx(12_088.0 / 2e6)
    # cost per MTok: monthly cost / (R * (p + o) / 1e6)
    assert by["onprem"]["cost_per_mtok"] == pytest.approx(12_393.0667 / (2e6 * 1200 / 1e6), rel=1e-6)
    assert by["api"]["utilization"] is None  # NaN -> null
    # utilisation = R * s / (hours * 3600) / replicas = 2e6 * 1.5 / 2,628,000 / 3
    assert by["cloud"]["utilization"] == pytest.approx(2e6 * 1.5 / (730 * 3600) / 3)


def test_json_carries_the_cheapest_option_and_the_breakevens():
    # api cheapest at 2e6 (12,088 against 14,350 and 12,393.07; worked by hand above); onprem at 1e7
    s = Scenario(**MADE_UP)
    expected = {
        f"breakeven_{a}_{b}": breakeven(s, a, b) for a, b in (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem"))
    }
    for volume, cheapest in (("2e6", "api"), ("1e7", "onprem")):
        result = runner.invoke(app, ["compare", *_sets(MADE_UP), "--requests", volume, "--format", "json"])
        assert result.exit_code == 0, result.output
        rows = _strict_json(result.stdout)
        assert [r["option"] for r in rows if r["cheapest"]] == [cheapest]
        assert all(r["cheapest"] is False for r in rows if r["option"] != cheapest)
        for r in rows:  # the same break-evens in every object; null = no crossing up to 1e12
            assert {k: r[k] for k in expected} == pytest.approx(expected)
    assert any(v is not None for v in expected.values())
    # with --projection the list is under "comparison", with the same fields
    result = runner.invoke(app, ["compare", *_sets(MADE_UP), "--format", "json", "--projection"])
    assert result.exit_code == 0, result.output
    doc = _strict_json(result.stdout)
    assert [r["option"] for r in doc["comparison"] if r["cheapest"]] == ["api"]
    assert doc["comparison"][0]["breakeven_api_cloud"] == pytest.approx(expected["breakeven_api_cloud"])


def test_requests_option_moves_the_volume():
    result = runner.invoke(app, ["compare", *_sets(MADE_UP), "--requests", "1e7", "--format", "json"])
    assert result.exit_code == 0, result.output
    by = {r["option"]: r for r in _strict_json(result.stdout)}
    assert by["api"]["monthly_cost"] == pytest.approx(60_040.0)
    assert by["cloud"]["monthly_cost"] == pytest.approx(58_150.0)
    assert by["onprem"]["monthly_cost"] == pytest.approx(49_965.3333, rel=1e-6)
    assert by["onprem"]["replicas"] == 15


def test_table_shows_costs_cheapest_and_breakevens():
    result = runner.invoke(app, ["compare", *_sets(MADE_UP), "--requests", "1e7"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "60,040.00" in out and "58,150.00" in out and "49,965.33" in out
    assert "cheapest: onprem" in out
    for pair in ("api = cloud", "api = onprem", "cloud = onprem"):
        assert pair in out


def test_breakeven_line_is_where_the_costs_cross():
    # api costs 0.005994/request + 100; onprem is flat at 2 servers (2 * (2222.22 + 500 + 408.8) + 3000)
    # until R * 1.5 exceeds 2 replicas' capacity; the volume printed must make both costs equal.
    result = runner.invoke(app, ["compare", *_sets(MADE_UP)])
    line = next(ln for ln in result.stdout.splitlines() if "api = onprem" in ln)
    volume = float(line.split(":")[1].replace(",", ""))
    api = volume * 0.005994 + 100
    servers = max(2, -(-volume * 1.5 // 1_051_200))
    onprem = servers * (80_000 / 36 + 500 + 2 * 1.4 * 730 * 0.2) + 3000
    assert api == pytest.approx(onprem, rel=1e-6)


def test_scenario_file_and_set_override(tmp_path):
    f = tmp_path / "s.yaml"
    f.write_text(
        "".join(f"{k}: {v}\n" for k, v in MADE_UP.items()).replace(
            "requests_per_month: 2000000", "requests_per_month: 5"
        )
    )
    result = runner.invoke(
        app, ["compare", "--scenario", str(f), "--set", "requests_per_month=1e7", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    by = {r["option"]: r for r in _strict_json(result.stdout)}
    assert by["cloud"]["monthly_cost"] == pytest.approx(58_150.0)


def test_key_value_csv_as_in_the_inputs_sheet(tmp_path):
    f = tmp_path / "inputs.csv"
    f.write_text("key,value,unit\n" + "".join(f"{k},{v},x\n" for k, v in MADE_UP.items()))
    result = runner.invoke(app, ["compare", "-s", str(f), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert _strict_json(result.stdout)[0]["monthly_cost"] == pytest.approx(12_088.0)


def test_unknown_set_key_gets_the_closest_key():
    result = runner.invoke(app, ["compare", "--set", "requets_per_month=5"])
    assert result.exit_code == 1
    assert "requets_per_month" in result.stderr and "did you mean requests_per_month?" in result.stderr
    assert "Traceback" not in result.output


def test_set_without_equals_is_one_line():
    result = runner.invoke(app, ["compare", "--set", "requests_per_month"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "--set: must be KEY=VALUE (got 'requests_per_month')"


def test_every_bad_value_is_one_key_problem_line():
    result = runner.invoke(
        app, ["compare", "--set", "prompt_tokens=-5", "--set", "target_utilization=2", "--set", "cloud_billing=monthly"]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 3
    assert [ln.split(":")[0] for ln in lines] == ["prompt_tokens", "target_utilization", "cloud_billing"]
    assert result.stdout == ""


def test_unknown_catalog_id_is_an_engine_error():
    result = runner.invoke(app, ["compare", "--set", "cloud_gpu=H1OO"])
    assert result.exit_code == 1
    assert result.stderr.startswith("cloud_gpu: unknown GPU 'H1OO'")


def test_negative_requests_is_refused_naming_the_option():
    result = runner.invoke(app, ["compare", "--requests", "-1"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "--requests: must be >= 0 (got '-1')"


def test_scenario_file_with_many_rows_is_refused_with_its_line(tmp_path):
    f = tmp_path / "many.csv"
    f.write_text("name,requests_per_month\na,1\nb,2\n")
    result = runner.invoke(app, ["compare", "--scenario", str(f)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{f} line 3: holds more than one scenario")


def test_compare_hybrid_table_and_json():
    import json

    from costengine import Scenario, hybrid

    args = [
        "compare",
        "--set",
        "api_model=claude-haiku-4-5",
        "--set",
        "load_profile=burstgpt-chatgpt-conversation",
        "--set",
        "requests_per_month=3e7",
        "--set",
        "min_replicas=1",
        "--hybrid",
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "Hybrid: self-hosted base load" in res.output
    res = runner.invoke(app, [*args, "--format", "json"])
    doc = json.loads(res.output)
    s = Scenario(
        api_model="claude-haiku-4-5",
        load_profile="burstgpt-chatgpt-conversation",
        requests_per_month=3e7,
        min_replicas=1,
    )
    for option in ("cloud", "onprem"):
        assert doc["hybrid"][option]["monthly_cost"] == hybrid(s, option)["monthly_cost"]
    assert doc["hybrid"]["cheapest_hybrid"] in ("cloud", "onprem")


def test_an_infeasible_cloud_is_said_and_the_others_are_computed_exit_0():
    # a 1-GPU L4 replica of a 70B model: the cloud cannot hold it; the API and on-premises answers stand
    values = {k: v for k, v in MADE_UP.items() if k != "seconds_per_request"}  # derived from the model
    values.update(cloud_gpu="L4", cloud_gpus_per_replica=1, model="llama-3.3-70b")
    s = Scenario.parse(values)
    res = runner.invoke(app, ["compare", *_sets(values)])
    assert res.exit_code == 0, res.output
    assert "cloud: not feasible: the model does not fit" in res.output
    assert "api = cloud: not feasible: cloud" in res.output
    api_row = next(line for line in res.output.splitlines() if line.startswith("│ api"))
    assert f"{compare(s).loc['api', 'monthly_cost']:,.2f}" in api_row
    cloud_row = next(line for line in res.output.splitlines() if line.startswith("│ cloud"))
    assert cloud_row.replace("│", "").split()[1:4] == ["-", "-", "-"]
    res = runner.invoke(app, ["compare", *_sets(values), "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {r["option"]: r for r in _strict_json(res.output)}
    assert rows["cloud"]["monthly_cost"] is None and rows["cloud"]["status"].startswith("not feasible: ")
    assert rows["api"]["status"] == "ok" and rows["onprem"]["monthly_cost"] == pytest.approx(
        compare(s).loc["onprem", "monthly_cost"], rel=1e-12
    )
    res = runner.invoke(app, ["compare", *_sets(values), "--hybrid", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert _strict_json(res.output)["hybrid"]["cloud"]["status"].startswith("not feasible: cloud: ")
