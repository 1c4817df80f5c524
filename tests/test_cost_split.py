"""The monthly cost in the parts a finance reader asks for (costengine.plan.cost_split; docs/model.md#cost-split):
usage, capital, running, overhead and staff add up to the cost, in compare(), the CLI's table and JSON and
summary.csv; made-up numbers."""

import json

import numpy as np
import pytest
from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario, compare
from costengine.plan import COST_PARTS
from workbook.cli import app

PARTS = [f"{p}_cost" for p in COST_PARTS]


def test_the_parts_add_up_to_the_cost_on_random_scenarios():
    rng = np.random.default_rng(7)
    for _ in range(25):
        s = Scenario(
            **{
                **MADE_UP,
                "requests_per_month": float(rng.uniform(1e4, 1e8)),
                "staff_monthly": float(rng.uniform(0, 20_000)),
                "cloud_monthly_overhead": float(rng.uniform(0, 3000)),
                "api_monthly_fixed": float(rng.uniform(0, 3000)),
                "cloud_billing": str(rng.choice(["always_on", "per_second"])),
                "min_replicas": int(rng.integers(0, 3)),
            }
        )
        t = compare(s)
        assert np.allclose(t[PARTS].sum(axis=1), t["monthly_cost"], rtol=1e-12)


def test_each_part_is_what_it_says():
    s = Scenario(**MADE_UP)
    t = compare(s)
    # MADE_UP: staff 3000 a month on each self-hosted option, cloud overhead 400, 3 servers of 80,000 over 36 months
    assert t.loc["cloud", "staff_cost"] == 3000 and t.loc["onprem", "staff_cost"] == 3000
    assert t.loc["api", "staff_cost"] == 0
    assert t.loc["cloud", "overhead_cost"] == 400 and t.loc["api", "overhead_cost"] == s.api_monthly_fixed
    assert t.loc["onprem", "capital_cost"] == pytest.approx(3 * 80_000 / 36, rel=1e-12)
    assert t.loc["onprem", "running_cost"] == pytest.approx(3 * (2.0 * 1.4 * 730 * 0.2 + 500), rel=1e-12)
    assert t.loc["onprem", "usage_cost"] == pytest.approx(0, abs=1e-9)
    assert t.loc["cloud", "capital_cost"] == 0 and t.loc["cloud", "running_cost"] == 0
    assert t.loc["api", "usage_cost"] == pytest.approx(t.loc["api", "monthly_cost"] - s.api_monthly_fixed)


def test_a_not_feasible_option_has_no_parts():
    t = compare(Scenario(cloud_gpu="L4", model="llama-3.3-70b"))
    assert t.loc["cloud", "status"].startswith("not feasible")
    assert t.loc["cloud", PARTS].isna().all()
    assert np.allclose(t.loc["onprem", PARTS].sum(), t.loc["onprem", "monthly_cost"])


def test_the_cli_prints_and_writes_the_split(tmp_path):
    runner = CliRunner()
    out = runner.invoke(app, ["compare", "--set", "staff_monthly=6000"], terminal_width=120)
    assert out.exit_code == 0, out.output
    assert "cloud: cost split: GPU time" in out.output and "staff 6,000" in out.output
    assert "onprem: cost split: capital" in out.output
    js = runner.invoke(app, ["compare", "--format", "json", "--set", "staff_monthly=6000"])
    records = {r["option"]: r for r in json.loads(js.output)}
    assert records["onprem"]["staff_cost"] == 6000
    assert sum(records["cloud"][p] for p in PARTS) == pytest.approx(records["cloud"]["monthly_cost"])


def test_summary_values_carry_the_split():
    from workbook.cli.report import answers, summary_values

    values = summary_values(answers(Scenario(**MADE_UP)))
    for o in ("api", "cloud", "onprem"):
        assert sum(values[f"{o}_cost_{p}"] for p in COST_PARTS) == pytest.approx(values[f"{o}_monthly_cost"])
