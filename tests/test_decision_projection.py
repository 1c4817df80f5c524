"""Projection, payback month and NPV (costengine.projection), on made-up prices worked by hand."""

import numpy as np
import numpy_financial as npf
import pytest
from conftest import MADE_UP
from hypothesis import given, settings
from hypothesis import strategies as st

from costengine import CostModelError, Scenario, load_catalog, monthly_cost, plan_for
from costengine.projection import (
    decision_summary,
    monthly_discount_rate,
    npv,
    onprem_cash_terms,
    payback_month,
    projection,
)

# Every number is made up and given, so the arithmetic below can be done by hand:
#   api    = 1e6 requests x (500 + 500 tokens) x 10 /MTok = 10_000 a month
#   cloud  = capacity per replica 720 h x 3600 s / 1 s x 1.0 = 2_592_000 requests -> 1 replica at 1e6;
#            reserved: 1 replica x 1 GPU x 2.0 /GPU-h x 720 h = 1_440 a month
#   onprem = 1 server; amortised: 50_000 / 36 + 1_000 maintenance + 0 energy = 2_388.89 a month;
#            cash: 50_000 + 1_000 in month 1, then 1_000 a month
HAND = dict(
    requests_per_month=1_000_000,
    prompt_tokens=500,
    output_tokens=500,
    peak_to_average=1.0,
    api_input_price_per_mtok=10.0,
    api_output_price_per_mtok=10.0,
    api_cached_input_price_per_mtok=1.0,
    api_cached_input_share=0.0,
    api_batch_share=0.0,
    api_monthly_fixed=0.0,
    model_params_billion=7,
    seconds_per_request=1.0,
    target_utilization=1.0,
    min_replicas=1,
    hours_per_month=720,
    staff_monthly=0.0,
    cloud_price_per_gpu_hour=2.0,
    cloud_gpus_per_replica=1,
    cloud_billing="reserved",
    cloud_monthly_overhead=0.0,
    onprem_gpus_per_server=1,
    onprem_capex_per_server=50_000.0,
    onprem_amortization_months=36,
    onprem_interest_rate=0.0,
    onprem_maintenance_monthly=1_000.0,
    onprem_power_kw=1.0,
    onprem_pue=1.0,
    onprem_price_per_kwh=0.0,
    growth_rate_monthly=0.0,
    horizon_months=36,
    discount_rate_annual=0.08,
)


@pytest.fixture
def hand() -> Scenario:
    return Scenario(**HAND)


def test_hand_costs_month_by_month(hand):
    df = projection(hand)
    assert len(df) == 36 and df["month"].tolist() == list(range(1, 37))
    assert np.allclose(df["api"], 10_000.0)
    assert np.allclose(df["cloud"], 1_440.0)
    assert np.allclose(df["onprem"], 50_000 / 36 + 1_000)
    assert df["onprem_capex"].tolist() == [50_000.0] + [0.0] * 35
    assert np.allclose(df["onprem_cash"], [51_000.0] + [1_000.0] * 35)
    assert np.allclose(df["cumulative_api"], 10_000.0 * df["month"])
    assert df["cumulative_onprem_cash"].iloc[-1] == pytest.approx(50_000 + 36 * 1_000)


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"peak_to_average": 2.5, "min_replicas": 2, "staff_monthly": 3000},
        {"cloud_billing": "per_second", "onprem_interest_rate": 0.06},
        {"requests_per_month": 9e6, "onprem_amortization_months": 0},
    ],
)
def test_zero_growth_every_month_equals_monthly_cost(hand, changes):
    s = hand.replace(**changes)
    df = projection(s)
    for option in ("api", "cloud", "onprem"):
        assert np.allclose(df[option], monthly_cost(s, option), rtol=1e-12), option


def test_zero_growth_equals_monthly_cost_with_derived_inputs():
    # blanks (GPUs from memory, seconds_per_request from the roofline, capex from the GPU price) resolved
    s = Scenario(
        requests_per_month=3e7,
        api_input_price_per_mtok=1.0,
        api_output_price_per_mtok=4.0,
        api_cached_input_price_per_mtok=0.1,
        cloud_price_per_gpu_hour=2.5,
        horizon_months=12,
    )
    df = projection(s)
    for option in ("api", "cloud", "onprem"):
        assert np.allclose(df[option], monthly_cost(s, option), rtol=1e-12), option


def test_payback_month_by_hand(hand):
    # No growth: cumulative onprem (cash) = 50_000 + 1_000 t, api = 10_000 t.
    # 50_000 + 1_000 t <= 10_000 t  <=>  t >= 50_000 / 9_000 = 5.56  -> month 6
    # (month 5: 55_000 > 50_000; month 6: 56_000 <= 60_000).
    assert payback_month(hand, "onprem") == 6
    assert payback_month(hand, "onprem", "api", view="cash") == 6
    # amortised view: 2_388.89 <= 10_000 from the first month
    assert payback_month(hand, "onprem", view="amortised") == 1
    # against cloud: 50_000 + 1_000 t <= 1_440 t  <=>  t >= 113.6 -> month 114; not within 36 months
    assert payback_month(hand, "onprem", "cloud") is None
    assert payback_month(hand.replace(horizon_months=120), "onprem", "cloud") == 114
    # the API never pays back against cloud (10_000 > 1_440 every month)
    assert payback_month(hand, "api", "cloud") is None
    assert payback_month(hand, "cloud", "api") == 1


def test_payback_month_with_growth_by_hand(hand):
    # 10%/month: api cumulative = 10_000 (1.1^t - 1) / 0.1 = 100_000 (1.1^t - 1).
    # One server (capacity 2_592_000) lasts while 1e6 x 1.1^(t-1) <= 2_592_000, i.e. through month 10
    # (1.1^9 = 2.358; 1.1^10 = 2.594 > 2.592): the second server is bought in month 11.
    # t = 4: api 100_000 x 0.4641 = 46_410 < onprem 54_000; t = 5: 61_051 >= 55_000 -> month 5.
    s = hand.replace(growth_rate_monthly=0.1, horizon_months=24)
    df = projection(s)
    assert df["requests"].iloc[3] == pytest.approx(1e6 * 1.1**3)
    assert df["onprem_servers"].tolist()[:12] == [1] * 10 + [2] * 2
    assert df.loc[df["month"] == 11, "onprem_capex"].item() == 50_000.0
    assert df["onprem_servers_added"].sum() == df["onprem_servers"].iloc[-1]
    assert payback_month(s, "onprem") == 5


def test_npv_matches_numpy_financial(hand):
    s = hand.replace(growth_rate_monthly=0.05, discount_rate_annual=0.1, horizon_months=48)
    df = projection(s)
    i = (1.1) ** (1 / 12) - 1
    assert monthly_discount_rate(0.1) == pytest.approx(i)
    for option, column in (("api", "api"), ("cloud", "cloud"), ("onprem", "onprem_cash")):
        # end-of-month costs: numpy-financial discounts values[t] by (1 + i)^t, so month t sits at index t
        expected = npf.npv(i, np.r_[0.0, df[column].to_numpy()])
        assert npv(s, option) == pytest.approx(expected, rel=1e-12), option
    expected_amortised = npf.npv(i, np.r_[0.0, df["onprem"].to_numpy()])
    assert npv(s, "onprem", view="amortised") == pytest.approx(expected_amortised, rel=1e-12)


def test_npv_closed_forms(hand):
    # constant 10_000 a month for 36 months: annuity 10_000 (1 - (1 + i)^-36) / i
    i = 1.08 ** (1 / 12) - 1
    assert npv(hand, "api") == pytest.approx(10_000 * (1 - (1 + i) ** -36) / i, rel=1e-12)
    # no discounting: NPV = total cost
    s0 = hand.replace(discount_rate_annual=0.0)
    assert npv(s0, "onprem") == pytest.approx(50_000 + 36 * 1_000)
    assert npv(s0, "onprem", view="amortised") == pytest.approx(50_000 + 36 * 1_000)


def test_cash_and_amortised_views_agree_over_the_amortisation_period(hand):
    # straight line, no growth, horizon = amortisation months: capex / 36 x 36 = capex
    s = hand.replace(requests_per_month=6e6, min_replicas=2)  # 6e6 / 2_592_000 -> 3 servers
    df = projection(s)
    assert df["onprem_servers"].iloc[0] == 3
    assert df["cumulative_onprem"].iloc[-1] == pytest.approx(df["cumulative_onprem_cash"].iloc[-1])


def test_cash_view_ignores_financing(hand):
    s = hand.replace(onprem_interest_rate=0.12)
    df = projection(s)
    i = 0.01  # annuity of 50_000 over 36 months at 1%/month
    assert df["onprem"].iloc[0] == pytest.approx(50_000 * i / (1 - 1.01**-36) + 1_000)
    assert df["onprem_cash"].iloc[0] == pytest.approx(51_000)


def test_servers_are_never_sold_when_volume_falls(hand):
    s = hand.replace(requests_per_month=6e6, growth_rate_monthly=-0.2, horizon_months=12)
    df = projection(s)
    # 6e6 needs 3 servers (and cloud 3 replicas); by month 12 volume is 6e6 x 0.8^11 = 0.52e6 -> 1 needed
    assert df["onprem_servers"].tolist() == [3] * 12
    assert df["cloud_replicas"].iloc[0] == 3 and df["cloud_replicas"].iloc[-1] == 1
    assert df["onprem_capex"].sum() == 3 * 50_000


def test_capex_blank_is_resolved_like_the_single_month_model():
    s = Scenario(onprem_gpu="H100-SXM", onprem_amortization_months=24, staff_monthly=0)
    capex, running = onprem_cash_terms(s)
    server = load_catalog().standard_server("H100-SXM")
    assert capex == pytest.approx(server.price_usd, rel=1e-12)  # the server catalog's price
    onp = plan_for(s).options["onprem"]
    assert capex / 24 + running == pytest.approx(onp.step[0] / onp.nodes_per_unit[0], rel=1e-12)


def test_decision_summary_agrees_with_the_projection(hand):
    s = hand.replace(growth_rate_monthly=0.1, horizon_months=24)
    summ = decision_summary(s)
    df = projection(s)
    assert summ.loc["onprem", "total_cost_cash"] == pytest.approx(df["cumulative_onprem_cash"].iloc[-1])
    assert summ.loc["cloud", "total_cost"] == pytest.approx(df["cumulative_cloud"].iloc[-1])
    assert summ.loc["onprem", "npv_cash"] == pytest.approx(npv(s, "onprem"))
    assert summ.loc["onprem", "payback_month_vs_api"] == payback_month(s, "onprem")
    assert summ.loc["onprem", "payback_month_vs_api_amortised"] == payback_month(s, "onprem", view="amortised")
    assert np.isnan(summ.loc["api", "payback_month_vs_api"])


def test_units_are_attached(hand):
    df = projection(hand)
    assert set(df.columns) <= set(df.attrs["units"])
    assert df.attrs["units"]["requests"] == "requests/month"


@pytest.mark.parametrize(
    "kwargs, key",
    [
        ({"option": "onprem", "versus": "onprem"}, "versus"),
        ({"option": "gpu", "versus": "api"}, "option"),
        ({"option": "onprem", "versus": "api", "view": "yearly"}, "view"),
    ],
)
def test_bad_arguments_name_the_argument(hand, kwargs, key):
    with pytest.raises(CostModelError) as err:
        payback_month(hand, **kwargs)
    assert err.value.key == key


def test_overflowing_growth_names_the_key(hand):
    with pytest.raises(CostModelError) as err:
        projection(hand.replace(growth_rate_monthly=10, horizon_months=600))  # 11^599 > 1e308
    assert err.value.key == "growth_rate_monthly"


@settings(max_examples=40, deadline=None)
@given(growth=st.floats(-0.5, 0.5), volume=st.floats(0, 2e7), horizon=st.integers(1, 60), peak=st.floats(1, 4))
def test_projection_properties(growth, volume, horizon, peak):
    s = Scenario(
        **{
            **HAND,
            "growth_rate_monthly": growth,
            "requests_per_month": volume,
            "horizon_months": horizon,
            "peak_to_average": peak,
        }
    )
    df = projection(s)
    assert len(df) == horizon
    assert (np.diff(df["onprem_servers"]) >= 0).all()
    assert df["onprem_servers_added"].sum() == df["onprem_servers"].iloc[-1]
    for col in ("cumulative_api", "cumulative_cloud", "cumulative_onprem", "cumulative_onprem_cash"):
        assert (np.diff(df[col]) >= -1e-9 * df[col].abs().max()).all(), col
    # each month's api and cloud cost is the single-month cost at that month's volume
    t = horizon - 1
    r = float(df["requests"].iloc[t])
    assert df["api"].iloc[t] == pytest.approx(monthly_cost(s, "api", r), rel=1e-12)
    assert df["cloud"].iloc[t] == pytest.approx(monthly_cost(s, "cloud", r), rel=1e-12)
    # on-prem (amortised) is never below the single-month cost: installed >= needed
    assert df["onprem"].iloc[t] >= monthly_cost(s, "onprem", r) - 1e-6


_HYBRID_CASES = [
    {
        **MADE_UP,
        "load_profile": "burstgpt-chatgpt-conversation",
        "growth_rate_monthly": 0.15,
        "horizon_months": 30,
        "requests_per_month": 3e5,
        "cloud_billing": "always_on",
        "api_output_price_per_mtok": 30.0,
    },
    {
        **HAND,
        "growth_rate_monthly": 0.08,
        "horizon_months": 40,
        "requests_per_month": 2e5,
        "load_profile": "azure-2024-coding",
        "api_monthly_fixed": 2_000.0,
    },
    {
        **MADE_UP,
        "load_profile": ",".join(["1"] * 20 + ["9"] * 4),
        "growth_rate_monthly": 0.0,
        "horizon_months": 6,
        "requests_per_month": 6e6,
        "cloud_billing": "always_on",
    },
]


@pytest.mark.parametrize("case", range(len(_HYBRID_CASES)))
def test_hybrid_month_by_month_is_the_brute_force_and_never_dearer(case):
    from test_hybrid import brute_force

    s = Scenario(**_HYBRID_CASES[case])
    df = projection(s)
    assert (np.diff(df["hybrid_onprem_servers"]) >= 0).all()
    splits = 0
    for t in range(len(df)):
        month = s.replace(requests_per_month=float(df["requests"].iloc[t]))
        for name, pure in (("hybrid_cloud", "cloud"), ("hybrid_onprem", "onprem")):
            got = float(df[name].iloc[t])
            assert got <= min(df["api"].iloc[t], df[pure].iloc[t]) * (1 + 1e-12), (t, name)
            # volume does not fall: the running maximum is each month's own optimum, the brute force over N
            assert got == pytest.approx(brute_force(month, pure), rel=1e-12), (t, name)
        splits += 0 < df["hybrid_cloud_share"].iloc[t] < 1
    assert splits > 0  # the cases exercise real splits, not only the pure options
    # the cash view pays the servers' capex when they are bought, the amortised view spreads it
    capex, _ = onprem_cash_terms(s)
    assert df["hybrid_onprem_capex"].sum() == pytest.approx(capex * df["hybrid_onprem_servers"].iloc[-1])
    assert df["cumulative_hybrid_onprem_cash"].iloc[-1] == pytest.approx(df["hybrid_onprem_cash"].sum())


def test_hybrid_onprem_keeps_its_servers_when_volume_falls():
    s = Scenario(
        **{
            **MADE_UP,
            "load_profile": "burstgpt-chatgpt-conversation",
            "requests_per_month": 2e7,
            "growth_rate_monthly": -0.3,
            "horizon_months": 12,
        }
    )
    df = projection(s)
    servers = df["hybrid_onprem_servers"].to_numpy()
    assert servers[0] > 0 and (servers == servers[0]).all()
    assert df["hybrid_onprem_servers_added"].tolist() == [servers[0]] + [0.0] * 11
    assert df["hybrid_cloud_replicas"].iloc[-1] < df["hybrid_cloud_replicas"].iloc[0]  # rented ones are released
    onp = plan_for(s).options["onprem"]
    last = df.iloc[-1]
    # the kept servers cover the last month's small volume: no API part, staff + the fleet's amortised cost
    assert last["hybrid_onprem_share"] == 1.0
    assert last["hybrid_onprem"] == pytest.approx(onp.fixed[0] + onp.step[0] * servers[0] / onp.nodes_per_unit[0])


def test_hybrids_in_payback_npv_and_summary(hand):
    s = hand.replace(growth_rate_monthly=0.1, horizon_months=24, load_profile="azure-2024-coding")
    df, summ = projection(s), decision_summary(s)
    assert list(summ.index) == ["api", "cloud", "onprem", "hybrid_cloud", "hybrid_onprem"]
    assert summ.loc["hybrid_onprem", "total_cost_cash"] == pytest.approx(df["hybrid_onprem_cash"].sum())
    assert summ.loc["hybrid_onprem", "total_cost"] == pytest.approx(df["hybrid_onprem"].sum())
    assert summ.loc["hybrid_cloud", "npv"] == pytest.approx(npv(s, "Hybrid-Cloud"))
    assert npv(s, "hybrid_onprem", view="amortised") == pytest.approx(
        float((df["hybrid_onprem"] * df["discount_factor"]).sum())
    )
    month = payback_month(s, "hybrid_onprem")
    assert summ.loc["hybrid_onprem", "payback_month_vs_api"] == (np.nan if month is None else month)
    cum, api = df["cumulative_hybrid_onprem_cash"].to_numpy(), df["cumulative_api"].to_numpy()
    assert month is not None and cum[month - 1] <= api[month - 1] and (cum[: month - 1] > api[: month - 1]).all()
    with pytest.raises(CostModelError, match="hybrid_cloud") as err:
        npv(s, "hybrid_gpu")
    assert err.value.key == "option"
