"""The cost formulas of docs/model.md, with made-up prices, and their identities and properties."""

import math

import numpy as np
import pytest
from conftest import MADE_UP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from costengine import CostModelError, Scenario, breakeven, cheapest, curve, monthly_cost
from costengine.plan import capital_per_month


def test_api_formula(made_up):
    s = made_up
    p, o, c, b, d = 800, 400, 0.25, 0.2, 0.5
    per_request = (p * ((1 - c) * 3.0 + c * 0.3) + o * 12.0) / 1e6 * (1 - b * d)
    assert monthly_cost(s, "api") == pytest.approx(2e6 * per_request + 100, rel=1e-12)


def test_cloud_reserved_formula(made_up):
    # capacity per replica = 730*3600/1.5*0.6 = 1,051,200 requests; peak load 3e6 -> ceil(2.85) = 3 replicas
    replicas = math.ceil(2e6 * 1.5 / (730 * 3600 / 1.5 * 0.6))
    assert replicas == 3
    expected = replicas * 2 * 2.5 * 730 + 400 + 3000
    assert monthly_cost(made_up, "cloud") == pytest.approx(expected, rel=1e-12)


FLAT = ",".join(["1"] * 24)  # every hour at the month's average rate


def test_cloud_per_second_formula(made_up):
    # scale to zero: lambda = 2M / (730 x 3600) per s over k = lambda x s / u = 1.90 replicas, each seeing 0.4/s;
    # with a 60 s window each is up all the time: k replicas x the month, i.e. R x s / u x the rate per second
    s = made_up.replace(cloud_billing="per_second", min_replicas=0, load_profile=FLAT, serverless_window_s=60)
    rate = 2 * 2.5 / 3600  # per replica-second
    up = 1 - (1 - 0.4 * 1.5) * math.exp(-0.4 * 60)  # one at a time (typed s), a 60 s window: up all the time
    expected = 2e6 * 1.5 / 0.6 * rate * up + 400 + 3000
    assert monthly_cost(s, "cloud") == pytest.approx(expected, rel=1e-12)


def test_per_second_bills_the_warm_minimum(made_up):
    # 2 warm replicas x 2 GPUs x 2.5 /GPU-h x 730 h = 7,300 a month; 2M requests keep 1.90 replicas busy at the target
    # utilisation, so they pay nothing more; 3M keep 2.85 busy: the 0.85 above the warm ones are billed
    s = made_up.replace(cloud_billing="per_second", load_profile=FLAT, serverless_window_s=60)
    warm = 2 * 2 * 2.5 * 730
    assert monthly_cost(s, "cloud") == pytest.approx(warm + 3400, rel=1e-12)
    month_s = 730 * 3600
    above = 3e6 / month_s * 1.5 / 0.6 - 2
    up = 1 - (1 - 0.4 * 1.5) * math.exp(-0.4 * 60)  # one at a time (typed s), a 60 s window: up all the time
    assert monthly_cost(s, "cloud", 3e6) == pytest.approx(
        warm + above * 2 * 2.5 / 3600 * month_s * up + 3400, rel=1e-12
    )


def test_onprem_formula(made_up):
    per_server = 80_000 / 36 + 2.0 * 1.4 * 730 * 0.2 + 500
    assert monthly_cost(made_up, "onprem") == pytest.approx(3 * per_server + 3000, rel=1e-12)


def test_onprem_capex_excluded_and_annuity(made_up):
    sunk = made_up.replace(onprem_amortization_months=0)
    assert monthly_cost(sunk, "onprem") == pytest.approx(3 * (2.0 * 1.4 * 730 * 0.2 + 500) + 3000, rel=1e-12)
    # annuity at 6%/year over 36 months: payment = P*i/(1-(1+i)^-n), i = 0.005
    i = 0.06 / 12
    payment = 80_000 * i / (1 - (1 + i) ** -36)
    assert float(capital_per_month(80_000, 36, 0.06)) == pytest.approx(payment, rel=1e-12)
    assert payment == pytest.approx(2433.75, abs=0.01)  # spreadsheet PMT(0.5%, 36, -80000)


def test_blank_power_from_the_server_catalog(made_up):
    from costengine.billing import server_terms
    from costengine.catalogs import load_catalog

    cat = load_catalog()
    server = cat.standard_server(made_up.onprem_gpu)
    gpu = cat.gpu(made_up.onprem_gpu)
    typical_kw = server_terms(server, gpu.price_usd, gpu.tdp_w)["typical_kw"]  # the catalog's, or its estimate
    s = made_up.replace(onprem_power_kw=None)
    energy_per_server = typical_kw * 1.4 * 730 * 0.2
    assert monthly_cost(s, "onprem") == pytest.approx(3 * (80_000 / 36 + energy_per_server + 500) + 3000, rel=1e-12)


def test_currency_conversion_applies_to_catalog_prices_only(made_up):
    from costengine import compare
    from costengine.catalogs import load_catalog

    s = made_up.replace(cloud_price_per_gpu_hour=None, usd_to_currency=0.9)
    row = compare(s).loc["cloud"]
    offer = load_catalog().offer(row["offer"])
    # 3 replicas of 2 GPUs packed into instances of the offer, each at its on-demand price x 0.9
    instances = math.ceil(3 / (offer.gpus_per_instance // 2)) if offer.gpus_per_instance >= 2 else 3 * 2
    instances = max(instances, 2)  # min_replicas = 2 in two units (redundancy = unit)
    assert row["units"] == instances
    assert monthly_cost(s, "cloud") == pytest.approx(
        instances * offer.on_demand_per_hour_usd * 0.9 * 730 + 3400, rel=1e-12
    )
    # a typed price is taken as given
    assert monthly_cost(made_up.replace(usd_to_currency=0.9), "cloud") == monthly_cost(made_up, "cloud")


def test_breakeven_identity_costs_equal_on_a_line(made_up):
    s = made_up.replace(cloud_billing="per_second")
    r = breakeven(s, "api", "cloud")
    assert r is not None and r > 0
    assert monthly_cost(s, "api", r) == pytest.approx(monthly_cost(s, "cloud", r), rel=1e-9)


def test_breakeven_on_a_step(made_up):
    # API vs on-prem where the crossing happens when a server is added: just below, one is cheaper;
    # just above, the other.
    s = made_up.replace(api_input_price_per_mtok=20, api_output_price_per_mtok=60, api_monthly_fixed=0)
    r = breakeven(s, "api", "onprem")
    assert r is not None
    below, above = r * (1 - 1e-9), r * (1 + 1e-9)
    d_below = monthly_cost(s, "api", below) - monthly_cost(s, "onprem", below)
    d_above = monthly_cost(s, "api", above) - monthly_cost(s, "onprem", above)
    assert np.sign(d_below) != np.sign(d_above) or d_above == 0 or abs(d_below) < 1e-6 * monthly_cost(s, "api", r)


def test_breakeven_none_when_never_crossing(made_up):
    s = made_up.replace(
        api_input_price_per_mtok=0, api_output_price_per_mtok=0, api_monthly_fixed=0, api_cached_input_price_per_mtok=0
    )
    assert breakeven(s, "api", "onprem") is None
    assert breakeven(s, "onprem", "api") is None


def test_breakeven_is_symmetric(made_up):
    for a, b in (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem")):
        assert breakeven(made_up, a, b) == breakeven(made_up, b, a)


def test_bad_option_names_argument(made_up):
    with pytest.raises(CostModelError, match="option: must be one of api, cloud, onprem"):
        monthly_cost(made_up, "gpu")
    with pytest.raises(CostModelError, match="option_b: must differ"):
        breakeven(made_up, "api", "API")
    with pytest.raises(CostModelError, match="requests_per_month: must be a finite number >= 0"):
        monthly_cost(made_up, "api", -3)


def test_curve_is_log_spaced(made_up):
    table = curve(made_up, 1e3, 1e7, 5)
    assert list(table.columns) == ["requests_per_month", "api", "cloud", "onprem"]
    assert np.allclose(table["requests_per_month"], [1e3, 1e4, 1e5, 1e6, 1e7])
    assert table["api"].iloc[3] == pytest.approx(monthly_cost(made_up, "api", 1e6), rel=1e-12)
    with pytest.raises(CostModelError, match="points"):
        curve(made_up, 1e3, 1e7, 1)


# --- properties -------------------------------------------------------------------------------------

money = st.floats(0, 1e4, allow_nan=False)
scenarios = st.builds(
    lambda pin, pout, fee, s, util, m, price, g, capex, maint, kwh, billing, peak, months: Scenario(
        **{
            **MADE_UP,
            "api_input_price_per_mtok": pin,
            "api_output_price_per_mtok": pout,
            "api_monthly_fixed": fee,
            "seconds_per_request": s,
            "target_utilization": util,
            "min_replicas": m,
            "cloud_price_per_gpu_hour": price,
            "cloud_gpus_per_replica": g,
            "onprem_capex_per_server": capex,
            "onprem_maintenance_monthly": maint,
            "onprem_price_per_kwh": kwh,
            "cloud_billing": billing,
            "peak_to_average": peak,
            "onprem_amortization_months": months,
        }
    ),
    st.floats(0, 100),
    st.floats(0, 200),
    money,
    st.floats(0.01, 60),
    st.floats(0.05, 1),
    st.integers(1, 4),
    st.floats(0, 20),
    st.integers(1, 8),
    st.floats(0, 5e5),
    money,
    st.floats(0, 1),
    st.sampled_from(["reserved", "per_second"]),
    st.floats(1, 5),
    st.integers(0, 60),
)
volumes = st.floats(0, 1e10, allow_nan=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios, volumes, volumes)
def test_cost_never_falls_as_volume_rises_and_is_never_negative(s, r1, r2):
    lo, hi = sorted((r1, r2))
    for option in ("api", "cloud", "onprem"):
        c_lo, c_hi = monthly_cost(s, option, lo), monthly_cost(s, option, hi)
        assert c_lo >= 0
        assert c_hi >= c_lo * (1 - 1e-12)


@settings(max_examples=100, deadline=None)
@given(scenarios, volumes, st.floats(0.1, 10))
def test_costs_scale_linearly_with_all_prices(s, r, k):
    scaled = s.replace(
        **{
            key: getattr(s, key) * k
            for key in (
                "api_input_price_per_mtok",
                "api_output_price_per_mtok",
                "api_cached_input_price_per_mtok",
                "api_monthly_fixed",
                "staff_monthly",
                "cloud_price_per_gpu_hour",
                "cloud_monthly_overhead",
                "onprem_capex_per_server",
                "onprem_maintenance_monthly",
                "onprem_price_per_kwh",
            )
        }
    )
    for option in ("api", "cloud", "onprem"):
        assert monthly_cost(scaled, option, r) == pytest.approx(k * monthly_cost(s, option, r), rel=1e-9, abs=1e-9)


@settings(max_examples=100, deadline=None)
@given(scenarios)
def test_cheapest_is_the_minimum(s):
    costs = {o: monthly_cost(s, o) for o in ("api", "cloud", "onprem")}
    assert costs[cheapest(s)] == min(costs.values())
