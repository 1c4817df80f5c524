"""Monte Carlo over (low, likely, high) ranges (costengine.uncertainty), checked against hand-derived
triangular-distribution figures and against the scalar engine row by row."""

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_decision_projection import HAND

from costengine import CostModelError, Scenario, cheapest, monthly_cost
from costengine.uncertainty import draw_scenarios, parse_ranges, prob_cheapest, simulate, triangular, uncertainty

# ODDS: the HAND scenario with no input-token price and cloud at 10 /GPU-h, so that
#   api    = 1e6 requests x 500 output tokens x P /MTok = 500 P a month   (P = output price)
#   cloud  = 10 x 720 h                                 = 7_200
#   onprem = 50_000 / 36 + 1_000                        = 2_388.89
ODDS = {**HAND, "api_input_price_per_mtok": 0.0, "cloud_price_per_gpu_hour": 10.0}


def test_probability_and_percentiles_by_hand():
    # P ~ triangular(0, 4, 8). The API is cheapest when 500 P < 2_388.89, i.e. P < 4.7778:
    #   F(x) = 1 - (8 - x)^2 / ((8 - 0)(8 - 4)) for x >= 4 -> F(4.7778) = 1 - 3.2222^2 / 32 = 0.67554
    # Percentiles of P: p5 = sqrt(0.05 x 32) = 1.26491, p50 = 4, p95 = 8 - sqrt(0.05 x 32) = 6.73509;
    # the API's cost is 500 x those: 632.46, 2_000, 3_367.54; mean 500 x (0 + 4 + 8) / 3 = 2_000.
    # Sampling errors at 100_000 draws: probability 0.0015, p5 4.4, p50 3.2, mean 2.6 (the tolerances are ~4x).
    ranges = [("api_output_price_per_mtok", 0, 4, 8)]
    u = uncertainty(Scenario(**ODDS), ranges, draws=100_000, seed=7)
    assert u.loc["api", "prob_cheapest"] == pytest.approx(0.67554, abs=0.006)
    assert u.loc["onprem", "prob_cheapest"] == pytest.approx(1 - 0.67554, abs=0.006)
    assert u.loc["cloud", "prob_cheapest"] == 0.0
    assert u.loc["api", "cost_p5"] == pytest.approx(632.46, abs=20)
    assert u.loc["api", "cost_p50"] == pytest.approx(2_000, abs=15)
    assert u.loc["api", "cost_p95"] == pytest.approx(3_367.54, abs=20)
    assert u.loc["api", "cost_mean"] == pytest.approx(2_000, abs=12)
    # options without uncertain inputs have one cost
    assert u.loc["onprem", ["cost_p5", "cost_p50", "cost_p95"]].tolist() == pytest.approx([50_000 / 36 + 1_000] * 3)
    assert prob_cheapest(Scenario(**ODDS), ranges, "api", draws=100_000, seed=7) == u.loc["api", "prob_cheapest"]


@pytest.mark.parametrize(
    "scenario, ranges",
    [
        (ODDS, [("api_output_price_per_mtok", 3, 3, 3)]),  # api 1_500: api cheapest
        (ODDS, [("api_output_price_per_mtok", 6, 6, 6), ("staff_monthly", 0, 0, 0)]),  # api 3_000: onprem
        (ODDS, [("cloud_price_per_gpu_hour", 1, 1, 1), ("min_replicas", 2, 2, 2)]),  # cloud 1_440: cloud
        (
            {},
            [
                ("requests_per_month", 4e7, 4e7, 4e7),
                ("api_input_price_per_mtok", 1, 1, 1),
                ("api_output_price_per_mtok", 5, 5, 5),
            ],
        ),  # catalog-derived GPUs and throughput
    ],
)
def test_degenerate_ranges_give_the_deterministic_answer(scenario, ranges):
    s = Scenario(**scenario)
    fixed = s.replace(**{k: (int(lo) if k == "min_replicas" else lo) for k, lo, _, _ in ranges})
    u = uncertainty(s, ranges, draws=2_000, seed=1)
    winner = cheapest(fixed)
    assert u.loc[winner, "prob_cheapest"] == 1.0
    assert u["prob_cheapest"].sum() == 1.0
    for option in ("api", "cloud", "onprem"):
        want = monthly_cost(fixed, option)
        assert u.loc[option, ["cost_p5", "cost_p50", "cost_p95", "cost_mean"]].tolist() == pytest.approx([want] * 4)


def test_vectorised_draws_agree_with_the_scalar_engine_row_by_row():
    # blank seconds_per_request and GPU counts: the derived path, plus a whole-number key and text keys
    # that differ from the defaults (they must travel to the sweep as columns)
    s = Scenario(
        api_input_price_per_mtok=1.0,
        api_output_price_per_mtok=6.0,
        api_cached_input_price_per_mtok=0.1,
        cloud_price_per_gpu_hour=3.0,
        onprem_capex_per_server=200_000,
        cloud_billing="per_second",
        onprem_gpu="H200",
    )
    ranges = [
        ("requests_per_month", 1e6, 2e7, 8e7),
        ("output_tokens", 200, 500, 900),
        ("min_replicas", 1, 2, 4),
        ("onprem_price_per_kwh", 0.05, 0.13, 0.3),
    ]
    sim = simulate(s, ranges, draws=30, seed=3)
    assert set(sim["min_replicas"]) <= {1, 2, 3, 4}
    for _, row in sim.iterrows():
        drawn = s.replace(
            requests_per_month=row["requests_per_month"],
            output_tokens=row["output_tokens"],
            min_replicas=int(row["min_replicas"]),
            onprem_price_per_kwh=row["onprem_price_per_kwh"],
        )
        for option in ("api", "cloud", "onprem"):
            assert row[f"{option}_monthly_cost"] == pytest.approx(monthly_cost(drawn, option), rel=1e-12)
        assert row["cheapest"] == cheapest(drawn)


def test_seed_makes_draws_reproducible():
    s, ranges = Scenario(**ODDS), [("api_output_price_per_mtok", 0, 4, 8), ("onprem_capex_per_server", 4e4, 5e4, 8e4)]
    a = draw_scenarios(s, ranges, draws=500, seed=42)
    pd.testing.assert_frame_equal(a, draw_scenarios(s, ranges, draws=500, seed=42))
    assert not a.equals(draw_scenarios(s, ranges, draws=500, seed=43))
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    pd.testing.assert_frame_equal(draw_scenarios(s, ranges, 100, seed=g1), draw_scenarios(s, ranges, 100, seed=g2))
    assert len(draw_scenarios(s, ranges, 10, seed=None)) == 10
    # the scenario's values that differ from the defaults go along as constant columns
    assert (a["api_input_price_per_mtok"] == 0.0).all() and (a["onprem_maintenance_monthly"] == 1_000).all()
    assert "cloud_billing" not in a.columns  # "reserved" is the default: sweep fills it in


def test_triangular_inverse_cdf():
    u = np.array([0.0, 0.125, 0.5, 0.875])
    # a=0, c=4, b=8: F_c = 0.5; u=0.125 -> sqrt(0.125 x 32) = 2; u=0.875 -> 8 - sqrt(0.125 x 32) = 6
    assert triangular(u, 0, 4, 8).tolist() == pytest.approx([0, 2, 4, 6])
    assert triangular(u, 3, 3, 3).tolist() == [3, 3, 3, 3]
    # mode at an end: a=c=0, b=1 -> x = 1 - sqrt(1 - u)
    assert triangular(u, 0, 0, 1).tolist() == pytest.approx((1 - np.sqrt(1 - u)).tolist())


@settings(max_examples=30, deadline=None)
@given(lo=st.floats(0, 100), a=st.floats(0, 100), b=st.floats(0, 100))
def test_triangular_draws_stay_in_range_and_have_the_right_mean(lo, a, b):
    likely, high = lo + min(a, b), lo + max(a, b)
    x = triangular(np.random.default_rng(0).random(20_000), lo, likely, high)
    assert x.min() >= lo - 1e-9 and x.max() <= high + 1e-9
    sd = math.sqrt(max(0.0, (lo**2 + likely**2 + high**2 - lo * likely - lo * high - likely * high) / 18))
    assert x.mean() == pytest.approx((lo + likely + high) / 3, abs=5 * sd / math.sqrt(20_000) + 1e-9)


@pytest.mark.parametrize(
    "ranges",
    [
        [("key", "low", "likely", "high"), ("staff_monthly", 1, 2, 3)],  # header row skipped
        pd.DataFrame({"Key": ["staff_monthly"], "Low": [1], "Likely": [2], "High": [3]}),
        pd.DataFrame([["staff_monthly", 1, 2, 3]]),  # four unnamed columns
        {"staff_monthly": (1, 2, 3)},
        [("staff_monthly", 1, 2, 3), (None, None, None, None)],  # an empty Excel row
        [[" Staff_Monthly ", "1", "2", "3"]],  # text cells from Excel
    ],
)
def test_range_tables_in_every_form(ranges):
    assert parse_ranges(ranges) == [("staff_monthly", 1.0, 2.0, 3.0)]


@pytest.mark.parametrize(
    "ranges, key",
    [
        ([("prompt_tokenz", 1, 2, 3)], "prompt_tokenz"),  # unknown key
        ([("api_model", 1, 2, 3)], "api_model"),  # text key
        ([("prompt_tokens", 5, 2, 9)], "prompt_tokens"),  # low > likely
        ([("prompt_tokens", 1, 12, 9)], "prompt_tokens"),  # likely > high
        ([("prompt_tokens", 1, "two", 9)], "prompt_tokens"),  # not a number
        ([("api_batch_share", 0, 0.5, 1.2)], "api_batch_share"),  # out of the key's bounds
        ([("min_replicas", 1, 2, 2.5)], "min_replicas"),  # a count must be whole
        ([("prompt_tokens", 1, 2, 3), ("prompt_tokens", 1, 2, 4)], "prompt_tokens"),  # twice
        ([("prompt_tokens", 1, 2)], "prompt_tokens"),  # too few values
        ("prompt_tokens", "ranges"),  # not a table
    ],
)
def test_bad_ranges_name_the_key(ranges, key):
    with pytest.raises(CostModelError) as err:
        uncertainty(Scenario(**HAND), ranges, draws=10)
    assert err.value.key == key


@pytest.mark.parametrize("draws", [0, 2.5, "many", 10_000_000])
def test_bad_draws(draws):
    with pytest.raises(CostModelError) as err:
        uncertainty(Scenario(**HAND), [("staff_monthly", 1, 2, 3)], draws=draws)
    assert err.value.key == "draws"


def test_bad_option():
    with pytest.raises(CostModelError) as err:
        prob_cheapest(Scenario(**HAND), [("staff_monthly", 1, 2, 3)], "mainframe", draws=10)
    assert err.value.key == "option"


def test_probabilities_sum_to_one_and_percentiles_are_ordered():
    s = Scenario(**ODDS)
    u = uncertainty(
        s,
        [
            ("api_output_price_per_mtok", 1, 5, 20),
            ("onprem_capex_per_server", 2e4, 5e4, 3e5),
            ("cloud_price_per_gpu_hour", 1, 3, 12),
        ],
        draws=5_000,
        seed=11,
    )
    assert u["prob_cheapest"].sum() == pytest.approx(1.0)
    assert (u["cost_p5"] <= u["cost_p50"]).all() and (u["cost_p50"] <= u["cost_p95"]).all()
    assert u.attrs["draws"] == 5_000 and u.attrs["seed"] == 11
