"""One-at-a-time sensitivity (costengine.sensitivity), on made-up prices worked by hand."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_decision_projection import HAND

from costengine import CostModelError, Scenario, breakeven, cheapest, hybrid, load_catalog, monthly_cost, plan_for
from costengine.sensitivity import SENSITIVITY_KEYS, resolved_value, sensitivity

# FLIP: the HAND scenario with api prices 2.6 /MTok and cloud at 10 /GPU-h, so that
#   api    = 1e6 x 1000 tokens x 2.6 /MTok            = 2_600 a month
#   cloud  = 1 replica x 1 GPU x 10 x 720 h            = 7_200
#   onprem = 50_000 / 36 + 1_000                        = 2_388.89  <- cheapest, close to the API
FLIP = {
    **HAND,
    "api_input_price_per_mtok": 2.6,
    "api_output_price_per_mtok": 2.6,
    "api_cached_input_price_per_mtok": 0.26,
    "cloud_price_per_gpu_hour": 10.0,
}


def _row(df, label):
    return df.set_index("input").loc[label]


def _assert_no_change(df):
    base = df.attrs["base"]
    changes = df.filter(like="_change_").to_numpy(dtype=float)
    scale = max(abs(base[f"{o}_cost"]) for o in ("api", "cloud", "onprem"))
    assert np.nanmax(np.abs(changes)) <= 1e-9 * scale
    assert not df["flips_cheapest"].any()
    assert (df["cheapest_low"] == base["cheapest"]).all() and (df["cheapest_high"] == base["cheapest"]).all()
    for pair in ("api_cloud", "api_onprem", "cloud_onprem"):
        for side in ("low", "high"):
            got, want = df[f"breakeven_{pair}_{side}"].to_numpy(dtype=float), base[f"breakeven_{pair}"]
            if np.isnan(want):
                assert np.isnan(got).all(), pair
            else:
                assert np.allclose(got, want, rtol=1e-9), pair


@pytest.mark.parametrize(
    "scenario",
    [
        HAND,
        FLIP,
        {},  # every blank derived from the catalogs: zero swing must reproduce the resolved values exactly
        {"onprem_gpu": "H200", "requests_per_month": 3e7},  # seconds_per_request split per option
        {"cloud_billing": "per_second", "onprem_interest_rate": 0.05, "api_cached_input_share": 0.4},
    ],
)
def test_zero_swing_changes_nothing(scenario):
    df = sensitivity(Scenario(**scenario), swing=0.0)
    assert len(df) > 10
    assert (df["low"] == df["base"]).all() and (df["high"] == df["base"]).all()
    _assert_no_change(df)


def test_linear_effects_by_hand():
    df = sensitivity(Scenario(**FLIP))
    # api output price 2.6 +-25%: 1e6 requests x 500 tokens x 0.65 /MTok = +-325 on the API only
    r = _row(df, "api_output_price_per_mtok")
    assert (r["low"], r["high"]) == pytest.approx((1.95, 3.25))
    assert (r["api_change_low"], r["api_change_high"]) == pytest.approx((-325.0, 325.0))
    assert r["cloud_change_low"] == 0 and r["onprem_change_high"] == 0
    # maintenance 1_000 +-25%: +-250 on one server
    r = _row(df, "onprem_maintenance_monthly")
    assert (r["onprem_change_low"], r["onprem_change_high"]) == pytest.approx((-250.0, 250.0))
    # amortisation 36 months +-25% -> 27 and 45: 50_000/27 - 50_000/36 = +462.96, 50_000/45 - 50_000/36 = -277.78
    r = _row(df, "onprem_amortization_months")
    assert (r["low"], r["high"]) == (27, 45)
    assert (r["onprem_change_low"], r["onprem_change_high"]) == pytest.approx((462.963, -277.778), abs=1e-3)
    # hours 720 -> 540 and 900, clipped to 744: cloud 10 x 540 = 5_400 (-1_800) and 10 x 744 = 7_440 (+240)
    r = _row(df, "hours_per_month")
    assert (r["low"], r["high"]) == (540, 744)
    assert "clipped to 744" in r["note"]
    assert (r["cloud_change_low"], r["cloud_change_high"]) == pytest.approx((-1_800.0, 240.0))


def test_flips_by_hand():
    # onprem 2_388.89 vs api 2_600 (cloud 7_200 stays out of reach: -25% is 5_400):
    #   api price, tokens or volume -25%  -> api 2_275 (or 1_950 for volume) < 2_388.89: api cheapest
    #   maintenance +25% -> 2_638.89; capex +25% -> 62_500/36 + 1_000 = 2_736.11;
    #   amortisation 27 months -> 2_851.85: all > 2_600, api cheapest
    # nothing else moves onprem or api (energy is 0, the single server keeps up with +-25% throughput)
    df = sensitivity(Scenario(**FLIP))
    flipped = set(df.loc[df["flips_cheapest"], "input"])
    assert flipped == {
        "api_input_price_per_mtok",
        "api_output_price_per_mtok",
        "prompt_tokens",
        "output_tokens",
        "requests_per_month",
        "onprem_maintenance_monthly",
        "onprem_capex_per_server",
        "onprem_amortization_months",
    }
    assert df.attrs["base"]["cheapest"] == "onprem"
    r = _row(df, "onprem_capex_per_server")
    assert (r["cheapest_low"], r["cheapest_high"]) == ("onprem", "api")
    # the break-even moves with the input: at the high capex it is the API volume costing 2_736.11
    assert r["breakeven_api_onprem_high"] == pytest.approx(
        breakeven(Scenario(**FLIP).replace(onprem_capex_per_server=62_500), "api", "onprem")
    )
    assert r["breakeven_api_onprem_high"] == pytest.approx((62_500 / 36 + 1_000) / 0.0026)


def test_sorted_by_largest_effect():
    df = sensitivity(Scenario(**FLIP))
    assert (np.diff(df["size"].to_numpy()) <= 0).all()
    # the largest: cloud price or hours, each moving cloud by 1_800 (see test_linear_effects_by_hand)
    assert df["size"].iloc[0] == pytest.approx(1_800.0)
    assert set(df["input"].iloc[:2]) == {"cloud_price_per_gpu_hour", "hours_per_month"}


def test_bounds_are_respected_and_reported():
    s = Scenario(**{**HAND, "target_utilization": 0.9, "api_batch_share": 0.9, "onprem_pue": 1.2})
    df = sensitivity(s).set_index("input")
    assert df.loc["target_utilization", "high"] == 1.0 and "clipped to 1" in df.loc["target_utilization", "note"]
    assert df.loc["api_batch_share", "high"] == 1.0
    assert df.loc["peak_to_average", "low"] == 1.0 and "low 0.75 clipped to 1" in df.loc["peak_to_average", "note"]
    assert df.loc["onprem_pue", "low"] == 1.0
    assert df.loc["min_replicas", ["low", "high"]].tolist() == [1, 1]  # 1 +- 0.25 rounds back to 1
    df2 = sensitivity(s.replace(min_replicas=2)).set_index("input")
    assert df2.loc["min_replicas", ["low", "high"]].tolist() == [1, 3]  # 2 +- 0.5: halves away from the base


@settings(max_examples=25, deadline=None)
@given(swing=st.floats(0, 0.99))
def test_swung_values_are_valid_inputs(swing):
    df = sensitivity(Scenario(**{**HAND, "target_utilization": 0.8, "api_batch_share": 0.5}), swing=swing)
    counts = {"min_replicas", "onprem_amortization_months", "cloud_gpus_per_replica", "onprem_gpus_per_server"}
    for key, lo, hi in zip(df["key"], df["low"], df["high"]):
        for v in (lo, hi):
            assert key not in counts or float(v).is_integer(), (key, v)
            Scenario(**{key: int(v) if key in counts else v})  # raises CostModelError when out of bounds


def test_explicit_ranges_override_the_swing():
    s = Scenario(**HAND)
    for ranges in (
        {"api_monthly_fixed": (0, 500)},
        [("api_monthly_fixed", 0, 500)],
        [("api_monthly_fixed", 0, 100, 500)],
        pd.DataFrame({"Key": ["api_monthly_fixed"], "Low": [0], "High": [500]}),
    ):
        r = _row(sensitivity(s, ranges=ranges), "api_monthly_fixed")
        assert (r["low"], r["high"]) == (0, 500)
        assert (r["api_change_low"], r["api_change_high"]) == (0.0, 500.0)


def test_keys_restricts_the_rows():
    df = sensitivity(Scenario(**HAND), keys=["staff_monthly", "onprem_capex_per_server"])
    assert set(df["input"]) == {"staff_monthly", "onprem_capex_per_server"}


def test_blank_inputs_swing_their_resolved_values():
    from costengine.billing import server_terms

    s = Scenario(onprem_gpu="H100-SXM", cloud_gpu="H100-SXM")
    cat = load_catalog()
    server = cat.standard_server("H100-SXM")
    gpu = cat.gpu("H100-SXM")
    terms = server_terms(server, gpu.price_usd, gpu.tdp_w)  # the catalog's figures, or their sourced estimates
    assert resolved_value(s, "onprem_capex_per_server") == pytest.approx(terms["price_usd"])
    assert resolved_value(s, "onprem_power_kw") == pytest.approx(terms["typical_kw"])
    # the cloud price comes from an offer's instance price: typing a per-GPU price would drop the packing
    assert resolved_value(s, "cloud_price_per_gpu_hour") is None
    assert resolved_value(s, "model_params_billion") == cat.model(s.model).params_billion
    df = sensitivity(s).set_index("input")
    # same GPU on both sides: one seconds_per_request row, its base the roofline estimate
    assert df.loc["seconds_per_request", "base"] == pytest.approx(plan_for(s).options["cloud"].seconds_per_request[0])
    assert "cloud_gpus_per_replica" not in df.index  # blank counts follow from memory and are not swung


def test_split_seconds_per_request_rows_equal_typing_the_value():
    # different GPUs: each option has its own derived seconds_per_request and its own row; swinging the
    # cloud row is the same as typing that value with the derived layout kept (cloud's cost depends on cloud's
    # value only). Always-on billing: per-second billing also reads a request's latency, which a typed
    # seconds_per_request replaces and a swing of the derived one keeps (docs/model.md#per-second-billing)
    s0 = Scenario(onprem_gpu="H200", cloud_gpu="H100-SXM", requests_per_month=5e7)
    opts = plan_for(s0).options
    s = s0.replace(
        cloud_gpus_per_replica=int(opts["cloud"].gpus_per_replica[0]),
        onprem_gpus_per_replica=int(opts["onprem"].gpus_per_replica[0]),
    )
    df = sensitivity(s).set_index("input")
    assert {"seconds_per_request (cloud)", "seconds_per_request (onprem)"} <= set(df.index)
    r = df.loc["seconds_per_request (cloud)"]
    assert r["cloud_cost_high"] == pytest.approx(monthly_cost(s.replace(seconds_per_request=r["high"]), "cloud"))
    assert r["onprem_change_high"] == 0 and r["api_change_high"] == 0
    r = df.loc["seconds_per_request (onprem)"]
    assert r["onprem_cost_low"] == pytest.approx(monthly_cost(s.replace(seconds_per_request=r["low"]), "onprem"))
    assert r["cloud_change_low"] == 0


def test_base_matches_the_single_month_answers():
    s = Scenario(**FLIP)
    base = sensitivity(s).attrs["base"]
    assert base["cheapest"] == cheapest(s)
    for option in ("api", "cloud", "onprem"):
        assert base[f"{option}_cost"] == pytest.approx(monthly_cost(s, option))


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"swing": 1.0}, "swing"),
        ({"swing": -0.1}, "swing"),
        ({"swing": "a lot"}, "swing"),
        ({"ranges": [("not_a_key", 1, 2)]}, "not_a_key"),
        ({"ranges": [("model", 1, 2)]}, "model"),
        ({"ranges": [("staff_monthly", 5, 2)]}, "staff_monthly"),
        ({"ranges": [("api_batch_share", 0, 2)]}, "api_batch_share"),
        ({"keys": ["horizon_months"]}, "horizon_months"),
    ],
)
def test_bad_arguments_name_the_key(kwargs, key):
    with pytest.raises(CostModelError) as err:
        sensitivity(Scenario(**HAND), **kwargs)
    assert err.value.key == key


def test_sensitivity_keys_are_the_numeric_cost_inputs():
    assert "growth_rate_monthly" not in SENSITIVITY_KEYS and "model" not in SENSITIVITY_KEYS
    assert "seconds_per_request" in SENSITIVITY_KEYS and "requests_per_month" in SENSITIVITY_KEYS


def test_hybrid_cost_under_each_swing_is_the_hybrid_of_the_swung_scenario():
    from test_hybrid import brute_force

    s = Scenario(
        **{
            **HAND,
            "load_profile": "burstgpt-chatgpt-conversation",
            "peak_to_average": None,
            "requests_per_month": 4e6,
            "api_output_price_per_mtok": 3.0,
            "api_input_price_per_mtok": 1.0,
        }
    )
    df = sensitivity(s)
    base = df.attrs["base"]
    assert base["hybrid_cloud_cost"] == pytest.approx(hybrid(s, "cloud")["monthly_cost"], rel=1e-12)
    moved = 0
    for rec in df.to_dict("records"):
        for side in ("low", "high"):
            value = rec[side]
            swung = s.replace(
                **{
                    rec["key"]: int(value)
                    if float(value).is_integer() and rec["key"] in ("min_replicas", "onprem_amortization_months")
                    else value
                }
            )
            for option in ("cloud", "onprem"):
                got = rec[f"hybrid_{option}_cost_{side}"]
                assert got <= min(rec[f"api_cost_{side}"], rec[f"{option}_cost_{side}"]) * (1 + 1e-12)
                assert got == pytest.approx(brute_force(swung, option), rel=1e-12), (rec["key"], side, option)
                assert rec[f"hybrid_{option}_change_{side}"] == pytest.approx(got - base[f"hybrid_{option}_cost"])
                moved += abs(rec[f"hybrid_{option}_change_{side}"]) > 0
    assert moved > 10
