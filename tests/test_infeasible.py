"""No option hides another: an option not served is not feasible alone (docs/model.md#infeasible-options)."""

import time

import numpy as np
import pandas as pd
import pytest

from costengine import (
    CostModelError,
    Infeasible,
    Scenario,
    breakeven,
    cheapest,
    compare,
    curve,
    hybrid,
    monthly_cost,
    sweep,
)
from costengine.projection import decision_summary, projection
from costengine.sensitivity import sensitivity
from costengine.uncertainty import uncertainty

# made-up prices so the API and on-premises answers are checked by hand; cloud asks more than its GPU can do
TARGETS = dict(max_tpot_ms=0.5, max_ttft_s=0.01)  # no layout reaches 0.5 ms per token
BASE = dict(
    requests_per_month=2_000_000,
    prompt_tokens=1000,
    output_tokens=500,
    api_input_price_per_mtok=2.0,
    api_output_price_per_mtok=4.0,
    api_cached_input_share=0.0,
    api_batch_share=0.0,
    api_monthly_fixed=100.0,
    model="llama-3.1-8b",
    onprem_gpu="H100-SXM",
    seconds_per_request=None,
)


def _scenario(**kw) -> Scenario:
    # the cloud on an L4 with a typed 1-GPU replica of a 70B model: the model does not fit
    return Scenario(**{**BASE, "cloud_gpu": "L4", "cloud_gpus_per_replica": 1, "model": "llama-3.3-70b", **kw})


def test_an_infeasible_cloud_leaves_api_and_onprem_computed():
    s = _scenario()
    table = compare(s)
    assert table.loc["cloud", "status"].startswith("not feasible: the model does not fit")
    assert "on L4" in table.loc["cloud", "status"]
    assert np.isnan(table.loc["cloud", "monthly_cost"]) and np.isnan(table.loc["cloud", "gpus"])
    api = 100.0 + 2e6 * (1000 * 2.0 + 500 * 4.0) / 1e6
    assert table.loc["api", "monthly_cost"] == pytest.approx(api, rel=1e-12)
    assert table.loc["api", "status"] == "ok" and table.loc["onprem", "status"] == "ok"
    assert np.isfinite(table.loc["onprem", "monthly_cost"])
    assert monthly_cost(s, "api") == pytest.approx(api, rel=1e-12)
    assert cheapest(s) in ("api", "onprem")


def test_an_infeasible_option_raises_not_feasible_naming_it():
    s = _scenario()
    for call in (
        lambda: monthly_cost(s, "cloud"),
        lambda: breakeven(s, "api", "cloud"),
        lambda: breakeven(s, "cloud", "onprem"),
        lambda: hybrid(s, "cloud"),
    ):
        with pytest.raises(CostModelError, match=r"^not feasible: cloud: the model does not fit"):
            call()
    assert hybrid(s)["option"] == "onprem"  # the feasible candidate
    assert breakeven(s, "api", "onprem") is None or breakeven(s, "api", "onprem") >= 0


def test_unreachable_targets_name_the_best_latency_reachable():
    s = Scenario(**{**BASE, **TARGETS, "cloud_gpu": "L4"})
    table = compare(s)
    for o in ("cloud", "onprem"):
        assert table.loc[o, "status"].startswith(f"not feasible: no {o} layout on ")
        assert "the best reachable is TPOT" in table.loc[o, "status"]
    assert cheapest(s) == "api"
    assert np.isnan(curve(s, 1e3, 1e6, 5)["cloud"]).all()


def test_no_feasible_option_raises_with_every_reason(monkeypatch):
    import costengine.api_stage

    def no_price(model, provider=None, prompt_tokens=0.0, key="api_model", service_tier="standard"):
        raise Infeasible("api_model", f"{model!r} has no per-token input and output price in the catalog")

    monkeypatch.setattr(costengine.api_stage, "token_price", no_price)  # a catalog model without a price
    monkeypatch.setattr(costengine.api_stage, "tier_starts", lambda model: ())
    s = Scenario(**{**BASE, **TARGETS, "api_model": "made-up-unpriced-1", "api_input_price_per_mtok": None})
    assert (
        compare(s).loc["api", "status"]
        == "not feasible: 'made-up-unpriced-1' has no per-token input and output price in the catalog"
    )
    with pytest.raises(CostModelError, match=r"^not feasible: no option can be served \(api: .*cloud: .*onprem: "):
        cheapest(s)


def test_an_unknown_api_model_is_a_bad_value_naming_the_key():
    s = Scenario(**{**BASE, "api_model": "no-such-model-xyz", "api_input_price_per_mtok": None})
    with pytest.raises(CostModelError, match="^api_model: unknown model 'no-such-model-xyz'"):
        compare(s)
    out = sweep(pd.DataFrame({"api_model": ["no-such-model-xyz", "gpt-5-mini"], "seconds_per_request": [1.0, 1.0]}))
    assert out["problems"].iloc[0].startswith("api_model: unknown model") and out["problems"].iloc[1] == ""
    assert np.isnan(out["api_monthly_cost"].iloc[0]) and np.isfinite(out["cloud_monthly_cost"].iloc[0])


def test_a_bad_value_still_raises_naming_the_key():
    with pytest.raises(CostModelError, match="^cloud_gpu: unknown GPU"):
        compare(Scenario(cloud_gpu="NOPE"))


def test_decision_tables_survive_an_infeasible_option():
    s = _scenario(horizon_months=6)
    p = projection(s)
    assert p["cloud"].isna().all() and np.isfinite(p["onprem"]).all() and np.isfinite(p["api"]).all()
    d = decision_summary(s)
    assert np.isnan(d.loc["cloud", "total_cost"]) and np.isfinite(d.loc["onprem", "total_cost"])
    sens = sensitivity(s)
    assert len(sens) and not (sens["cheapest_low"] == "cloud").any()
    u = uncertainty(s, {"requests_per_month": (1e6, 2e6, 3e6)}, draws=50)
    assert u.loc["cloud", "prob_cheapest"] == 0 and np.isnan(u.loc["cloud", "cost_p50"])
    assert np.isfinite(u.loc["api", "cost_p50"])


def test_a_sweep_with_unreachable_targets_completes_with_problems_filled():
    n = 100_000
    rng = np.random.default_rng(5)
    df = pd.DataFrame(
        {
            "requests_per_month": 10 ** rng.uniform(3, 8, n),
            "prompt_tokens": rng.integers(100, 4000, n).astype(float),
            "output_tokens": rng.integers(50, 1000, n).astype(float),
            "model": rng.choice(["llama-3.1-8b", "llama-3.3-70b"], n),
            "cloud_gpu": rng.choice(["H100-SXM", "L40S", "L4"], n),
            "max_tpot_ms": rng.uniform(0.5, 60, n),  # from unreachable to easy
            "max_ttft_s": rng.uniform(0.01, 2, n),
            "api_input_price_per_mtok": rng.uniform(0.1, 10, n),
            "api_output_price_per_mtok": rng.uniform(0.1, 40, n),
        }
    )
    t0 = time.perf_counter()
    out = sweep(df)
    elapsed = time.perf_counter() - t0
    marked = out["problems"] != ""
    assert 0.05 * n < marked.sum() < n  # some rows unreachable, some not
    cloud_bad = out["problems"].str.contains("cloud: not feasible: no cloud layout on ")
    assert out.loc[cloud_bad, "cloud_monthly_cost"].isna().all()
    assert out.loc[cloud_bad, "breakeven_api_cloud"].isna().all()
    assert out.loc[~marked, ["api_monthly_cost", "cloud_monthly_cost", "onprem_monthly_cost"]].notna().all().all()
    assert out["api_monthly_cost"].notna().all() and (out["cheapest"] != "").all()
    assert (out.loc[cloud_bad, "cheapest"] != "cloud").all()
    assert elapsed < 60
    with pytest.raises(CostModelError, match=r"meets the latency targets.*\(row \d+\)"):
        sweep(df, errors="raise")
    # the marked rows agree with the scalar engine
    for i in np.flatnonzero(cloud_bad.to_numpy())[:3]:
        s = Scenario(**df.iloc[i].to_dict())
        assert compare(s).loc["cloud", "status"] == out["problems"].iloc[i].split("cloud: ", 1)[1].split("; ")[0]
        assert monthly_cost(s, "api") == pytest.approx(out["api_monthly_cost"].iloc[i], rel=1e-12)


def test_a_bad_value_in_one_row_leaves_the_others_computed():
    df = pd.DataFrame(
        {
            "onprem_gpu": ["H100-SXM", "H9000", "H100-SXM"],
            "target_utilization": [0.5, 0.5, 7.0],
            "seconds_per_request": [1.0, 1.0, 1.0],
        }
    )
    out = sweep(df)
    assert out["problems"].tolist()[0] == ""
    assert out["problems"].iloc[1].startswith("onprem_gpu: unknown GPU 'H9000'")
    assert out["problems"].iloc[2].startswith("target_utilization: must be <= 1 (got 7)")
    assert np.isnan(out["onprem_monthly_cost"].iloc[1]) and np.isfinite(out["cloud_monthly_cost"].iloc[1])
    # target_utilization is read by the self-hosted options only: the API stands
    assert out.iloc[2][["cloud_monthly_cost", "onprem_monthly_cost"]].isna().all()
    assert np.isfinite(out["api_monthly_cost"].iloc[2]) and out["cheapest"].iloc[2] == "api"
    assert np.isnan(out["breakeven_api_cloud"].iloc[2]) and np.isfinite(out.iloc[0]["onprem_monthly_cost"])
    bad = sweep(pd.DataFrame({"requests_per_month": [1e6, -1.0], "seconds_per_request": [1.0, 1.0]}))
    assert bad.iloc[1][["api_monthly_cost", "cloud_monthly_cost", "onprem_monthly_cost"]].isna().all()
    assert bad["cheapest"].iloc[1] == "" and bad["cheapest"].iloc[0] != ""
    with pytest.raises(CostModelError, match=r"target_utilization: must be <= 1 \(got 7\) \(row 3\)"):
        sweep(df, errors="raise")
