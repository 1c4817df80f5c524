"""Hybrid serving (costengine/hybrid_split.py) against an independent brute force over every replica count, with
made-up prices; never dearer than either pure option; flat and spiky profiles behave as they should."""

import math

import numpy as np
import pytest
from conftest import MADE_UP

from costengine import CostModelError, Scenario, monthly_cost, plan_for
from costengine.hybrid_split import hybrid_arrays
from costengine.profiles import load_profiles, parse_profile, peak_to_average_of, profile_weights


def _shares(s):
    return np.array([profile_weights(s.load_profile)])


def brute_force(s: Scenario, option: str) -> float:
    """min over N = 0 .. enough of: N replicas' cost + the API cost of each hour's overflow (docs/model.md#hybrid)."""
    p = plan_for(s)
    o, api = p.options[option], p.options["api"]
    r, c, per_unit = s.requests_per_month, float(o.replica_capacity[0]), float(o.replicas_per_unit[0])
    hourly = r * np.array(profile_weights(s.load_profile))
    best = monthly_cost(s, "api")  # N = 0
    n_max = int(math.ceil(hourly.max() * 24 / c)) + int(per_unit) + 1
    for n in range(1, n_max + 1):
        got = np.minimum(hourly, n * c / 24).sum()
        over = r - got
        cost = float(
            o.fixed[0]
            + o.step[0] * math.ceil(n / per_unit)
            + (api.fixed[0] if over > 1e-9 * r else 0)
            + api.variable[0] * max(over, 0.0)
        )
        best = min(best, cost)
    return min(best, monthly_cost(s, option))  # and all self-hosted as priced


@pytest.mark.parametrize("seed", range(40))
def test_hybrid_equals_a_brute_force_on_random_profiles(seed):
    rng = np.random.default_rng(seed)
    profile = ",".join(f"{x:.3f}" for x in rng.uniform(0.0, 3, 24) ** rng.uniform(1, 4))
    s = Scenario(
        **{
            **MADE_UP,
            "load_profile": profile,
            "requests_per_month": float(10 ** rng.uniform(5, 7.5)),
            "seconds_per_request": float(rng.uniform(0.5, 5)),
            "cloud_billing": "always_on",
            "cloud_gpus_per_replica": int(rng.choice([1, 2])),
            "min_replicas": int(rng.integers(0, 3)),
            "api_output_price_per_mtok": float(rng.uniform(0.5, 80)),
            "api_monthly_fixed": float(rng.choice([0.0, 500.0, 20_000.0])),
        }
    )
    for option in ("cloud", "onprem"):
        got = hybrid_arrays(plan_for(s), option, _shares(s))
        assert float(got["monthly_cost"][0]) == pytest.approx(brute_force(s, option), rel=1e-12), (seed, option)


def test_never_dearer_than_either_pure_option():
    rng = np.random.default_rng(11)
    for _ in range(30):
        s = Scenario(
            **{
                **MADE_UP,
                "requests_per_month": float(10 ** rng.uniform(4, 8)),
                "load_profile": str(rng.choice(list(load_profiles()))),
            }
        )
        for option in ("cloud", "onprem"):
            h = hybrid_arrays(plan_for(s), option, _shares(s))
            assert h["monthly_cost"][0] <= min(h["api_only"][0], h["self_hosted_only"][0]) * (1 + 1e-12)


def test_a_flat_profile_has_nothing_to_spill_and_a_spiky_one_spills_its_peak():
    base = {
        **{k: v for k, v in MADE_UP.items() if k != "peak_to_average"},
        "requests_per_month": 4e6,
        "api_output_price_per_mtok": 30.0,
        "cloud_gpus_per_replica": 1,
        "min_replicas": 0,
    }
    flat = Scenario(**{**base, "load_profile": ",".join(["1"] * 24)})
    assert flat.peak_to_average == 1
    h = hybrid_arrays(plan_for(flat), "cloud", _shares(flat))
    assert float(h["self_hosted_share"][0]) in (0.0, 1.0)  # all or nothing: no hour differs from another
    spiky = Scenario(**{**base, "load_profile": ",".join(["1"] * 23 + ["40"])})
    assert spiky.peak_to_average == pytest.approx(24 * 40 / 63)
    h = hybrid_arrays(plan_for(spiky), "cloud", _shares(spiky))
    assert 0 < float(h["self_hosted_share"][0]) < 1  # the base load self-hosted, the peak hour to the API
    assert h["monthly_cost"][0] < min(h["api_only"][0], h["self_hosted_only"][0])


def test_profile_values_and_errors():
    assert parse_profile("Azure-2024-Coding") == "azure-2024-coding"
    assert parse_profile(" ".join(["2"] * 24)) == ",".join(["2"] * 24)
    assert peak_to_average_of("azure-2024-conversation") == pytest.approx(
        1.318 * 24 / sum(load_profiles()["azure-2024-conversation"].weights)
    )
    for bad, words in (
        ("1,2", "24 hourly values"),
        (",".join(["-1"] * 24), ">= 0"),
        ("azur", "closest"),
        (",".join(["0"] * 24), "at least one hour"),
    ):
        with pytest.raises(CostModelError, match=words) as err:
            Scenario(load_profile=bad)
        assert err.value.key == "load_profile"


def test_shipped_profiles_are_sourced_and_dated():
    profiles = load_profiles()
    assert "azure-2024-conversation" in profiles and len(profiles) >= 3
    for p in profiles.values():
        assert p.source.strip() and p.as_of and len(p.weights) == 24 and min(p.weights) >= 0
        assert 1 <= peak_to_average_of(p.id) <= 24


def test_sweep_hybrid_columns_equal_the_scalar_function():
    import pandas as pd

    from costengine import hybrid, sweep

    rows = [
        dict(model="llama-3.1-8b", requests_per_month=r, api_model="gpt-5", load_profile=lp)
        for r in (3e5, 5e6, 5e7)
        for lp in ("", "burstgpt-chatgpt-conversation", ",".join(["1"] * 23 + ["9"]))
    ]
    out = sweep(pd.DataFrame(rows), hybrid=True)
    for i, r in enumerate(rows):
        s = Scenario(**{k: v for k, v in r.items() if v != ""})
        for option in ("cloud", "onprem"):
            h = hybrid(s, option)
            assert out[f"hybrid_{option}_monthly_cost"].iloc[i] == pytest.approx(h["monthly_cost"], rel=1e-12)
            assert out[f"hybrid_{option}_replicas"].iloc[i] == h["replicas"]


def test_a_large_api_fee_makes_serving_every_hour_the_cheapest_split():
    # regression: the fee stops only when no hour overflows, so the fewest units that serve the busiest hour
    # must be a candidate (they were not: 278,076 instead of 275,587 here)
    s = Scenario(
        requests_per_month=159837117.88565642,
        api_monthly_fixed=19434.05809838544,
        api_input_price_per_mtok=5.657540428958548,
        api_output_price_per_mtok=26.90515578236538,
        api_cached_input_price_per_mtok=0.5,
        peak_to_average=1.6449499787629775,
    )
    got = hybrid_arrays(plan_for(s), "cloud", _shares(s))
    assert float(got["monthly_cost"][0]) == pytest.approx(brute_force(s, "cloud"), rel=1e-12)


def test_the_recommendation_names_a_cheaper_hybrid_and_cheapest_keeps_its_meaning():
    from costengine import cheapest, hybrid, recommend

    said = set()
    for r in np.logspace(4, 8, 60):
        s = Scenario(**{**MADE_UP, "requests_per_month": float(r), "api_output_price_per_mtok": 20.0})
        rec, best, h = recommend(s), cheapest(s), hybrid(s)
        single = monthly_cost(s, best)
        assert rec["cheapest"] == best
        wins = h["replicas"] > 0 and h["monthly_cost"] < single * (1 - 1e-9)
        assert rec["option"] == (f"hybrid_{h['option']}" if wins else best), r
        assert rec["monthly_cost"] == pytest.approx(h["monthly_cost"] if wins else single, rel=1e-12)
        said.add(rec["option"].startswith("hybrid"))
    assert said == {True, False}  # both verdicts occur over the range


def test_a_hybrid_without_replicas_is_the_api_and_has_no_payback_month():
    from costengine import decision_summary, hybrid, payback_month

    s = Scenario(**{**MADE_UP, "api_input_price_per_mtok": 0.01, "api_output_price_per_mtok": 0.01})
    h = hybrid(s, "cloud")
    assert h["replicas"] == 0 and h["note"].startswith("same as the API")
    assert payback_month(s, "hybrid_cloud") is None
    summary = decision_summary(s)
    assert summary.loc["hybrid_cloud", "same_as_api"] and np.isnan(summary.loc["hybrid_cloud", "payback_month_vs_api"])
    assert not summary.loc["cloud", "same_as_api"]


def test_a_hybrid_below_the_redundancy_floor_says_the_api_is_its_failover():
    from costengine import hybrid

    s = Scenario(**{**MADE_UP, "requests_per_month": 3e5, "api_output_price_per_mtok": 60.0, "min_replicas": 2})
    h = hybrid(s, "cloud")
    assert h["replicas"] == 1, h
    assert "the API is its failover" in h["note"] and "min_replicas=2" in h["note"]
    roomy = hybrid(
        Scenario(**{**MADE_UP, "requests_per_month": 3e5, "api_output_price_per_mtok": 60.0, "min_replicas": 1}),
        "cloud",
    )
    assert roomy["note"] == ""
