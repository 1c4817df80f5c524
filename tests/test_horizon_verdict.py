"""The answer over the horizon (costengine.verdict; docs/model.md#horizon-verdict): the option with the lowest NPV as
the volume grows, beside the month's answer, in the engine, the CLI, its JSON and summary.csv."""

import json
import math

import pytest
from conftest import MADE_UP
from typer.testing import CliRunner

from costengine import Scenario, decision_summary, horizon_verdict, recommend
from workbook.cli import app
from workbook.cli.report import answers, summary_values

GROWING = dict(MADE_UP, requests_per_month=3e5, growth_rate_monthly=0.08, horizon_months=36)


def test_it_is_the_lowest_npv_of_the_five_options():
    for kw in (MADE_UP, GROWING, dict(GROWING, discount_rate_annual=0.3), dict(MADE_UP, requests_per_month=5e7)):
        s = Scenario(**kw)
        v = horizon_verdict(s)
        d = decision_summary(s)
        npvs = {o: d.loc[o, "npv_cash" if o.endswith("onprem") else "npv"] for o in d.index}
        assert v["npv"] == pytest.approx(min(npvs.values()), rel=1e-12)
        assert npvs[v["option"]] == v["npv"]
        # ties go to the first of api, cloud, onprem, hybrid_cloud, hybrid_onprem
        first = next(o for o in ("api", "cloud", "onprem", "hybrid_cloud", "hybrid_onprem") if npvs[o] == v["npv"])
        assert v["option"] == first


def test_growth_can_turn_the_answer_that_one_month_gives():
    s = Scenario(**GROWING)
    month, horizon = recommend(s)["option"], horizon_verdict(s)["option"]
    assert month != horizon, (month, horizon)
    assert f"over 36 months (volume +8.0%/month, NPV at {s.discount_rate_annual:.1%}/year" in horizon_verdict(s)["text"]


def test_a_hybrid_that_is_the_api_is_not_listed_twice():
    s = Scenario(**dict(MADE_UP, requests_per_month=1e3))
    v = horizon_verdict(s)
    assert v["option"] == "api"
    assert "hybrid_cloud" not in v["text"] or not decision_summary(s).loc["hybrid_cloud", "same_as_api"]


def test_the_cli_json_and_summary_carry_it():
    args = ["compare", "--set", "growth_rate_monthly=0.08", "--set", "requests_per_month=3M"]
    out = CliRunner().invoke(app, args, terminal_width=200)
    assert out.exit_code == 0 and "lowest cost over 36 months" in out.output
    js = json.loads(CliRunner().invoke(app, [*args, "--format", "json"]).output)
    s = Scenario(growth_rate_monthly=0.08, requests_per_month=3e6)
    v = horizon_verdict(s)
    assert all(r["horizon"]["option"] == v["option"] for r in js)
    assert math.isclose(js[0]["horizon"]["npv"], v["npv"], rel_tol=1e-12)
    assert summary_values(answers(s))["horizon_option"] == v["option"]
