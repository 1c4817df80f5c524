"""Per-second (serverless) billing as providers bill it (docs/model.md#per-second-billing): the closed form of
costengine.serverless checked against a simulation of Poisson arrivals, the hours of a day, and the break-even
found by bisection where the cost is not piecewise linear."""

import math
from types import MappingProxyType

import numpy as np
import pytest
from conftest import SERVERLESS_PILOT

from costengine import Scenario, breakeven, load_catalog, monthly_cost, plan_for
from costengine.catalogs import Catalog, CloudOffer
from costengine.serverless import billed_share, burst_cold_share, burst_cost, cold_share

SHIPPED = load_catalog()


def simulate(lam: float, latency: float, window: float, cold: float, n: int = 200_000, seed: int = 1):
    """Billed share of time and share of requests that wait for a start, of one replica: Poisson arrivals at
    ``lam``; a request arriving when the replica is down starts it (``cold`` s, billed); requests are served
    together (each ``latency`` s from when the replica is ready); the replica stays up ``window`` s after the last
    request ends."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1 / lam, n))
    billed, colds = 0.0, 0
    start = end = ready = -math.inf
    for t in times:
        if t >= end:  # down: a cold start
            if end > -math.inf:
                billed += end - start
            start, ready, colds = t, t + cold, colds + 1
            end = ready + latency + window
        else:
            end = max(end, max(t, ready) + latency + window)
    billed += end - start
    return billed / end, colds / n


def simulate_one_at_a_time(lam: float, service: float, window: float, cold: float, n: int = 200_000, seed: int = 2):
    """As :func:`simulate`, but requests are served one at a time (a queue), each for ``service`` s."""
    rng = np.random.default_rng(seed)
    times = np.cumsum(rng.exponential(1 / lam, n))
    billed, colds = 0.0, 0
    start = down = -math.inf  # the current billed stretch, and when the replica goes down
    free = -math.inf  # when the server finishes the work it has
    for t in times:
        if t >= down:  # down: a cold start, then the request
            if down > -math.inf:
                billed += down - start
            start, colds = t, colds + 1
            free = t + cold + service
        else:
            free = max(free, t) + service
        down = free + window
    billed += down - start
    return billed / down, colds / n


@pytest.mark.parametrize(
    "lam, service, window, cold",
    [
        (1 / 60, 2.0, 60.0, 0.0),
        (1 / 60, 2.0, 60.0, 95.7),
        (0.2, 3.0, 5.0, 20.0),
        (0.3, 1.5, 0.0, 0.0),
        (1e-3, 4, 900, 60),
    ],
)
def test_one_at_a_time_agrees_with_a_simulation(lam, service, window, cold):
    share, cold_req = simulate_one_at_a_time(lam, service, window, cold)
    assert float(billed_share(lam, window, cold, service)) == pytest.approx(share, rel=0.01, abs=2e-3)
    assert float(cold_share(lam, window, cold, service)) == pytest.approx(cold_req, rel=0.02, abs=2e-3)


@pytest.mark.parametrize(
    "lam, latency, window, cold",
    [
        (1 / 60, 2.0, 60.0, 0.0),
        (1 / 60, 2.0, 60.0, 95.7),
        (0.2, 3.0, 5.0, 20.0),
        (2.0, 1.5, 5.0, 0.0),
        (1e-3, 4, 900, 60),
    ],
)
def test_the_closed_form_agrees_with_a_simulation(lam, latency, window, cold):
    share, cold_req = simulate(lam, latency, window, cold)
    assert float(billed_share(lam, latency + window, cold)) == pytest.approx(share, rel=0.01, abs=2e-3)
    assert float(cold_share(lam, latency + window, cold)) == pytest.approx(cold_req, rel=0.02, abs=2e-3)


def test_the_hours_of_a_day_each_bill_at_their_own_rate():
    # two "hours" (half a month each): one idle, one with 1 request/s; s/u = 0.5 s so k = max(1, 0.5) = 1
    month_s = 1000.0
    shares = np.array([[0.0, 1.0]])
    requests = 1.0 * month_s / 2  # 1/s during the busy half
    got = burst_cost([requests], shares, [month_s], [2.0], [0.5], [0], [10.0], [0.0])
    assert got[0] == pytest.approx(2.0 * month_s / 2 * (1 - math.exp(-1.0 * 10.0)))
    # ten times the traffic needs 5 replicas (10/s x 0.5 s), each at 2/s: always up
    got = burst_cost([10 * requests], shares, [month_s], [2.0], [0.5], [0], [10.0], [0.0])
    assert got[0] == pytest.approx(2.0 * month_s / 2 * 5 * (1 - math.exp(-2.0 * 10.0)))
    # 3 warm replicas (paid elsewhere) leave 2 above them
    got = burst_cost([10 * requests], shares, [month_s], [2.0], [0.5], [3], [10.0], [0.0])
    assert got[0] == pytest.approx(2.0 * month_s / 2 * 2 * (1 - math.exp(-2.0 * 10.0)))
    assert burst_cold_share([10 * requests], shares, [month_s], [0.5], [6], [10.0], [5.0])[0] == 0.0


def _offer(ps: float, window: float, cold: float) -> CloudOffer:
    return CloudOffer(
        id="fn",
        provider="made up",
        instance="fn",
        region="r",
        gpu="H100-SXM",
        gpus_per_instance=1,
        on_demand_per_hour_usd=math.nan,
        spot_per_hour_usd=math.nan,
        commit_1y_per_hour_usd=math.nan,
        commit_3y_per_hour_usd=math.nan,
        per_second_usd=ps,
        source="made up",
        as_of="2026-01-01",
        price_date="2026-11-01",
        read_on="2026-11-01",
        grade="provider",
        scaledown_s=window,
        cold_start_s=cold,
    )


CAT = Catalog(
    gpus=SHIPPED.gpus,
    models=SHIPPED.models,
    offers=MappingProxyType({"fn": _offer(0.001, 60.0, 95.7)}),
    servers=SHIPPED.servers,
)
PILOT = dict(SERVERLESS_PILOT, api_input_price_per_mtok=0.25, api_output_price_per_mtok=2.0)


def test_a_pilot_pays_the_windows_not_a_share_of_a_full_batch():
    s = Scenario(**PILOT)
    opt = plan_for(s, CAT).options["cloud"]
    cost = monthly_cost(s, "cloud", catalog=CAT)
    always_up = 0.001 * 3600 * 730 * opt.gpus_per_replica[0]
    # about one request a minute with a 60 s window: most of the month is billed, far above the busy seconds
    busy = 50_000 * opt.seconds_per_request[0] * opt.gpus_per_replica[0] * 0.001
    assert cost > 100 * busy
    assert 0.4 * always_up < cost < always_up
    # the offer's figures are used, and typed ones replace them
    shorter = monthly_cost(s.replace(serverless_window_s=5, serverless_cold_start_s=0), "cloud", catalog=CAT)
    assert shorter < 0.5 * cost


def test_the_break_even_with_per_second_billing_is_bisected_to_the_crossing():
    s = Scenario(**{**PILOT, "requests_per_month": 1e6})
    r = breakeven(s, "api", "cloud", catalog=CAT)
    assert r is not None
    api, cloud = (monthly_cost(s, o, r, catalog=CAT) for o in ("api", "cloud"))
    assert api == pytest.approx(cloud, rel=1e-9)
    # below it the API is cheaper, above it the cloud (the first crossing)
    for v in np.geomspace(10, r * 0.999, 12):
        assert monthly_cost(s, "api", v, catalog=CAT) < monthly_cost(s, "cloud", v, catalog=CAT)
    assert monthly_cost(s, "api", r * 1.01, catalog=CAT) > monthly_cost(s, "cloud", r * 1.01, catalog=CAT)
