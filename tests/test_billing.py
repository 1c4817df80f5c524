"""How self-hosting is billed (docs/model.md#cloud-cost, #per-second-billing, #on-premises-cost, #staff), with
made-up offers and servers so the arithmetic never depends on a catalog update: packing into whole instances,
price terms, spot spare, per-second warm minimum, scale to zero, servers from the catalog with colocation and
support, staff in FTEs."""

import math
from types import MappingProxyType

import numpy as np
import pytest

from costengine import CostModelError, Scenario, billing, load_catalog, monthly_cost, plan_for
from costengine.billing import CAPEX_HOST_FACTOR, SUPPORT_SHARE_PER_YEAR, choose_offer, packing
from costengine.catalogs import Catalog, CloudOffer, Server

NAN = math.nan
SHIPPED = load_catalog()
DATED = "2026-11-01"  # a price date the blank-choice rule accepts at the shipped catalog's date


def offer(id, gpus, od, spot=NAN, c1=NAN, c3=NAN, ps=NAN, gpu="H100-SXM"):
    return CloudOffer(
        id=id,
        provider="made up",
        instance=id,
        region="r",
        gpu=gpu,
        gpus_per_instance=gpus,
        on_demand_per_hour_usd=od,
        spot_per_hour_usd=spot,
        commit_1y_per_hour_usd=c1,
        commit_3y_per_hour_usd=c3,
        per_second_usd=ps,
        source="made up",
        as_of="2026-01-01",
        price_date=DATED,
        read_on=DATED,
        grade="provider",
    )


def server(id, gpus, price, typical, max_kw, support, standard="yes", gpu="H100-SXM"):
    return Server(
        id=id,
        name=id,
        vendor="v",
        gpu=gpu,
        gpus_per_server=gpus,
        price_usd=price,
        typical_kw=typical,
        max_kw=max_kw,
        support_per_year_usd=support,
        standard=standard,
        price_source="made up",
        power_source="made up",
        support_source="made up",
        as_of="2026-01-01",
        price_date=DATED,
        read_on=DATED,
        grade="vendor",
    )


OFFERS = [
    offer("eight", 8, 16.0, spot=8.0, c1=12.0, c3=10.0),
    offer("one", 1, 3.0),
    offer("serverless", 1, NAN, ps=0.001),
]
SERVERS = [server("box8", 8, 240_000.0, 6.0, 10.0, 24_000.0), server("bare", 8, NAN, NAN, NAN, NAN, "no")]
CAT = Catalog(
    gpus=SHIPPED.gpus,
    models=SHIPPED.models,
    offers=MappingProxyType({o.id: o for o in OFFERS}),
    servers=MappingProxyType({s.id: s for s in SERVERS}),
)

# seconds and GPUs typed: a replica of 4 GPUs serves 730*3600/2*1 = 1,314,000 requests a month at full load
BASE = dict(
    seconds_per_request=2.0,
    cloud_gpus_per_replica=4,
    onprem_gpus_per_replica=4,
    target_utilization=1.0,
    peak_to_average=1.0,
    min_replicas=1,
    hours_per_month=730,
    staff_monthly=0,
    cloud_monthly_overhead=0,
    onprem_amortization_months=48,
    onprem_pue=1.5,
    onprem_price_per_kwh=0.1,
    requests_per_month=1e6,
)
CAP = 730 * 3600 / 2.0


def cost(option, requests=None, **kw):
    return monthly_cost(Scenario(**{**BASE, **kw}), option, requests, catalog=CAT)


def test_two_four_gpu_replicas_share_an_eight_gpu_instance_a_third_takes_a_second():
    per_instance = 16.0 * 730
    assert cost("cloud", 1.0 * CAP) == pytest.approx(per_instance)  # one replica: one instance
    assert cost("cloud", 2.0 * CAP) == pytest.approx(per_instance)  # two replicas: still one
    assert cost("cloud", 2.5 * CAP) == pytest.approx(2 * per_instance)  # a third: a second instance
    assert packing(4, 8) == (2.0, 1.0) and packing(16, 8) == (1.0, 2.0)


def test_redundancy_puts_two_replicas_in_two_units():
    # two 4-GPU replicas fit one 8-GPU instance (or server); with redundancy = unit the spare takes a second one
    per_instance = 16.0 * 730
    assert cost("cloud", 1.0, min_replicas=2) == pytest.approx(2 * per_instance)
    assert cost("cloud", 1.0, min_replicas=2, redundancy="replica") == pytest.approx(per_instance)
    assert cost("cloud", 3.5 * CAP, min_replicas=2) == pytest.approx(2 * per_instance)  # the load fills both
    server_month = cost("onprem", 1.0, min_replicas=1)
    assert cost("onprem", 1.0, min_replicas=2) == pytest.approx(2 * server_month)
    assert cost("onprem", 1.0, min_replicas=2, redundancy="replica") == pytest.approx(server_month)
    # a replica that fills its unit already has its spare in another; one replica has none to spread
    assert billing.min_units(3, 1.0, True) == 3.0 and billing.min_units(1, 2.0, True) == 1.0
    plan = plan_for(Scenario(**{**BASE, "min_replicas": 2}), CAT)
    assert plan.options["cloud"].min_units[0] == 2 and plan.options["onprem"].min_units[0] == 2


def test_a_blank_offer_is_the_cheapest_per_gpu_hour_that_holds_a_replica():
    # "eight" costs 16/8 = 2.0 per GPU-hour, "one" 3.0; only "eight" holds a 4-GPU replica
    assert choose_offer(CAT, "H100-SXM", "on_demand", False, 4).id == "eight"
    assert choose_offer(CAT, "H100-SXM", "on_demand", False, 1).id == "eight"  # 2.0 < 3.0 per GPU-hour
    assert choose_offer(CAT, "H100-SXM", "on_demand", True, 1).id == "serverless"
    with pytest.raises(CostModelError, match="cloud_offer: the cloud-offer catalog has no commit_1y offer for L4"):
        choose_offer(CAT, "L4", "commit_1y", False, 1)


def test_terms_are_ordered_and_spot_adds_its_spare_capacity():
    costs = {t: cost("cloud", 2.0 * CAP, cloud_pricing=t) for t in ("on_demand", "commit_1y", "commit_3y")}
    assert costs["commit_3y"] < costs["commit_1y"] < costs["on_demand"]
    assert costs["commit_1y"] == pytest.approx(12.0 * 730)
    # spot at 8.0 an instance-hour with 20% spare: two replicas' load needs 2 x 1.2 = 2.4 -> 3 replicas -> 2 instances
    assert cost("cloud", 2.0 * CAP, cloud_pricing="spot", cloud_spot_spare=0.2) == pytest.approx(2 * 8.0 * 730)
    assert cost("cloud", 2.0 * CAP, cloud_pricing="spot", cloud_spot_spare=0.0) == pytest.approx(8.0 * 730)


def test_a_typed_offer_without_the_term_makes_the_cloud_not_feasible():
    with pytest.raises(CostModelError, match="^not feasible: cloud: offer 'one' publishes no commit_3y price"):
        cost("cloud", cloud_offer="one", cloud_pricing="commit_3y", cloud_gpus_per_replica=1)


FLAT = ",".join(["1"] * 24)  # a flat day: every hour at the month's average rate


def test_per_second_bills_the_warm_minimum_and_scales_to_zero():
    # rate 0.001 per GPU-second, 4 GPUs; s = 2 s; utilisation 1; a 60 s window, no cold start
    ps = dict(cloud_billing="per_second", load_profile=FLAT, serverless_window_s=60, serverless_cold_start_s=0)
    rate, month_s = 4 * 0.001, 730 * 3600
    warm = rate * month_s  # one warm replica all month
    assert cost("cloud", 0.5 * CAP, **ps) == pytest.approx(warm)  # it serves the traffic alone
    # 1.5 replicas' worth of traffic: the half replica above the warm one sees arrivals every 2 s, so a 60 s window
    # keeps it up: billed like busy seconds
    assert cost("cloud", 1.5 * CAP, **ps) == pytest.approx(warm + 0.5 * rate * month_s)
    assert cost("cloud", 1.5 * CAP, **ps, min_replicas=0) == pytest.approx(1.5 * CAP * 2.0 * 4 * 0.001)
    assert cost("cloud", 0.0, **ps, min_replicas=0) == 0


def test_per_second_at_one_request_a_minute_bills_the_window_and_the_cold_starts():
    # lambda = 1/60 per s; each request takes 2 s of the replica (typed s: one at a time), window 60 s, cold start
    # 30 s, no warm replica: E = e^(-lambda w), billed share 1 - (1 - lambda s) E / (1 + lambda c E)
    lam, cold = 1 / 60, 30.0
    ps = dict(cloud_billing="per_second", load_profile=FLAT, serverless_window_s=60, serverless_cold_start_s=cold)
    e = math.exp(-lam * 60.0)
    billed = 1 - (1 - lam * 2.0) * e / (1 + lam * cold * e)
    month_s = 730 * 3600
    got = cost("cloud", lam * month_s, **ps, min_replicas=0)
    assert got == pytest.approx(4 * 0.001 * month_s * billed)
    # each request's own 2 s would bill 3% of the month: the window and the starts are most of the bill
    assert got > 20 * (lam * month_s) * 2.0 * 4 * 0.001
    # without the window and the start, the bill is the busy seconds
    none = {**ps, "serverless_window_s": 0, "serverless_cold_start_s": 0}
    bare = cost("cloud", lam * month_s, **none, min_replicas=0)
    assert bare == pytest.approx(lam * month_s * 2.0 * 4 * 0.001)


def test_per_second_without_a_published_window_counts_zero_and_says_so():
    s = Scenario(**{**BASE, "cloud_billing": "per_second", "min_replicas": 0})
    notes = plan_for(s, CAT).options["cloud"].notes[0]
    assert "scale-down window unknown" in notes and "serverless_window_s" in notes
    assert "cold start unknown" in notes and "serverless_cold_start_s" in notes


def test_servers_from_the_catalog_with_colocation_and_support():
    # two 4-GPU replicas per 8-GPU server; per server: 240,000/48 + 6 kW x 1.5 x 730 x 0.1 + 10 kW x 150 + 24,000/12
    per_server = 240_000 / 48 + 6.0 * 1.5 * 730 * 0.1 + 10.0 * 150 + 24_000 / 12
    assert cost("onprem", 2.0 * CAP, onprem_colo_per_kw_month=150) == pytest.approx(per_server)
    assert cost("onprem", 2.5 * CAP, onprem_colo_per_kw_month=150) == pytest.approx(2 * per_server)
    assert plan_for(Scenario(**BASE), CAT).options["onprem"].source[0] == "box8"


def test_blank_server_figures_are_estimated_from_sourced_ratios():
    gpu = SHIPPED.gpu("H100-SXM")
    s = Scenario(**{**BASE, "onprem_server": "bare"})
    o = plan_for(s, CAT).options["onprem"]
    price = 8 * gpu.price_usd * CAPEX_HOST_FACTOR
    typical = 8 * gpu.tdp_w / 1000 * 7.5 / 5.6
    per_server = price / 48 + typical * 1.5 * 730 * 0.1 + SUPPORT_SHARE_PER_YEAR * price / 12
    assert float(o.step[0]) == pytest.approx(per_server)
    assert "price" in o.estimated[0] and "power" in o.estimated[0] and "support" in o.estimated[0]


def test_typed_server_figures_override_and_the_seed_server_is_one_replica():
    # seed 000: a typed 2-GPU server with a typed seconds_per_request is one replica per server
    s = Scenario(
        **{
            **BASE,
            "onprem_gpus_per_replica": None,
            "onprem_gpus_per_server": 2,
            "onprem_capex_per_server": 45_000,
            "onprem_power_kw": 1.0,
            "onprem_maintenance_monthly": 2500,
            "onprem_amortization_months": 0,
            "onprem_price_per_kwh": 0,
        }
    )
    o = plan_for(s, CAT).options["onprem"]
    assert float(o.gpus_per_replica[0]) == 2 and float(o.step[0]) == pytest.approx(2500)


def test_staff_in_people_and_a_typed_monthly_figure_overrides():
    s = Scenario(
        **{
            **BASE,
            "staff_monthly": None,
            "cloud_staff_fte": 1.5,
            "onprem_staff_fte": 2.5,
            "staff_cost_per_fte_year": 180_000,
        }
    )
    p = plan_for(s, CAT).options
    assert float(p["cloud"].fixed[0]) == pytest.approx(1.5 * 180_000 / 12)
    assert float(p["onprem"].fixed[0]) == pytest.approx(2.5 * 180_000 / 12)
    typed = plan_for(s.replace(staff_monthly=9_000), CAT).options
    assert float(typed["cloud"].fixed[0]) == float(typed["onprem"].fixed[0]) == 9_000


def test_a_typed_per_gpu_price_prices_gpus_one_by_one():
    # seed 004: one 3.70 $/h GPU, ~2,700 $/month; its redundant twin doubles it
    s = Scenario(**{**BASE, "cloud_price_per_gpu_hour": 3.70, "cloud_gpus_per_replica": 1, "requests_per_month": 1})
    assert monthly_cost(s, "cloud", catalog=CAT) == pytest.approx(3.70 * 730)
    assert monthly_cost(s.replace(min_replicas=2), "cloud", catalog=CAT) == pytest.approx(2 * 3.70 * 730)


def test_always_on_terms_made_up():
    assert billing.always_on_step(8, 3.0, 730.0) == 8 * 3.0 * 730.0
    # spot: a spare share of 0.25 leaves each paid replica 1 / 1.25 of its capacity; NaN = no spare
    assert billing.replica_capacity(730.0, 2.0, 0.5, np.array([0.25, np.nan])).tolist() == [525_600.0, 657_000.0]
