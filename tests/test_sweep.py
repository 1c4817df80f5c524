"""sweep() against the scalar functions, and its handling of bad columns."""

import numpy as np
import pandas as pd
import pytest
from test_breakeven import random_scenarios

from costengine import CostModelError, Scenario, breakeven, cheapest, monthly_cost, sweep
from costengine.acceptance import options_of_key


def _frame(scenarios):
    return pd.DataFrame([s.model_dump() for s in scenarios])


def test_sweep_agrees_with_scalar_functions():
    scenarios = list(random_scenarios(60, seed=7))
    # mix in rows that derive seconds_per_request and prices from the catalogs
    scenarios += [
        Scenario(),
        Scenario(
            model="llama-3.1-8b",
            cloud_gpu="L4",
            onprem_gpu="A100-80GB",
            onprem_server="dgx-a100-640gb",  # no A100 server passes the blank-choice rule: a typed id
            cloud_billing="per_second",
            requests_per_month=3e5,
            max_tpot_ms=100,
        ),
        Scenario(
            model="mixtral-8x7b",
            cloud_gpu="A100-80GB",
            onprem_gpu="MI300X",
            max_tpot_ms="none",
            max_ttft_s="none",
            cloud_pricing="commit_1y",
            onprem_colo_per_kw_month=190,
        ),
        Scenario(
            model="gpt-oss-120b", cloud_gpu="H100-SXM", cloud_pricing="spot", min_replicas=1, requests_per_month=5e7
        ),
    ]
    out = sweep(_frame(scenarios))
    for i, s in enumerate(scenarios):
        for option in ("api", "cloud", "onprem"):
            assert out[f"{option}_monthly_cost"].iloc[i] == pytest.approx(monthly_cost(s, option), rel=1e-9)
        assert out["cheapest"].iloc[i] == cheapest(s)
        for a, b in (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem")):
            got, want = out[f"breakeven_{a}_{b}"].iloc[i], breakeven(s, a, b)
            if want is None:
                assert np.isnan(got)
            else:
                assert got == pytest.approx(want, rel=1e-9)


def test_missing_columns_take_defaults_and_name_is_kept():
    df = pd.DataFrame(
        {
            "name": ["a", "b"],
            "requests_per_month": [1e5, 1e7],
            "seconds_per_request": [2, np.nan],
            "cloud_billing": ["reserved", None],
        }
    )
    out = sweep(df)
    assert list(out["name"]) == ["a", "b"]
    assert out["api_monthly_cost"].iloc[0] == pytest.approx(
        monthly_cost(Scenario(requests_per_month=1e5, seconds_per_request=2), "api"), rel=1e-9
    )
    assert out["onprem_monthly_cost"].iloc[1] == pytest.approx(
        monthly_cost(Scenario(requests_per_month=1e7), "onprem"), rel=1e-9
    )


@pytest.mark.parametrize(
    "column, values, words",
    [
        ("requests_per_month", [1, -5], "requests_per_month: must be >= 0 (got -5) (row 2)"),
        ("api_batch_share", [0.5, 1.5], "api_batch_share: must be <= 1 (got 1.5) (row 2)"),
        ("min_replicas", [1, 2.5], "min_replicas: must be a whole number (got 2.5) (row 2)"),
        ("prompt_tokens", ["10", "lots"], "prompt_tokens: must be a number (got 'lots') (row 2)"),
        ("cloud_gpu", ["H100-SXM", "H1OO"], "cloud_gpu: unknown GPU 'H1OO'"),
        ("precision", ["bf16", "fp7"], "precision: must be one of"),
        ("request_per_month", [1, 2], "did you mean requests_per_month?"),
    ],
)
def test_bad_columns_name_key_and_row(column, values, words):
    df = pd.DataFrame({column: values, "seconds_per_request": [1.0, 1.0]})
    with pytest.raises(CostModelError) as err:
        sweep(df, errors="raise")
    assert words in str(err.value)
    if column == "request_per_month":  # an unknown column is the frame's problem, not a row's
        with pytest.raises(CostModelError, match="did you mean"):
            sweep(df)
        return
    out = sweep(df)  # by default the bad row is marked and the other computed
    assert out["problems"].iloc[0] == ""
    assert words.removesuffix(" (row 2)") in out["problems"].iloc[1]
    assert np.isfinite(out["api_monthly_cost"].iloc[0]) and out["cheapest"].iloc[0] != ""
    concerned = options_of_key(column)  # the options whose cost reads the key
    for o in ("api", "cloud", "onprem"):
        assert np.isnan(out[f"{o}_monthly_cost"].iloc[1]) == (o in concerned), o


def test_empty_frame():
    out = sweep(pd.DataFrame({"requests_per_month": []}))
    assert len(out) == 0 and "cheapest" in out.columns


def test_chunked_sweep_equals_single_chunk_and_reports_global_rows(monkeypatch):
    import costengine.sweeps as sweeps

    df = _frame(list(random_scenarios(30, seed=11)))
    whole = sweep(df)
    monkeypatch.setattr(sweeps, "_CHUNK_ROWS", 5)
    monkeypatch.setattr(sweeps.os, "cpu_count", lambda: 3)
    chunked = sweep(df)
    pd.testing.assert_frame_equal(whole, chunked)
    bad = df.assign(cloud_gpu=["H100-SXM"] * 25 + ["NOPE"] * 5, cloud_price_per_gpu_hour=np.nan)
    with pytest.raises(CostModelError, match=r"unknown GPU 'NOPE'.*\(row 26\)"):
        sweep(bad, errors="raise")
    marked = sweep(bad)
    assert (marked["problems"].iloc[25:].str.startswith("cloud_gpu: unknown GPU 'NOPE'")).all()
    assert marked["cloud_monthly_cost"].iloc[25:].isna().all() and (marked["problems"].iloc[:25] == "").all()
