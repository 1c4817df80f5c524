"""Break-even against an independent brute-force search over every replica step.

The reference enumerates all segment boundaries (replica steps of both options) up to a limit, finds
the first segment on which the cost difference changes sign using only the public ``monthly_cost``,
and solves that segment's line. It is slow and simple, so it only runs on scenarios with few steps.
"""

import math

import numpy as np
import pytest
from conftest import MADE_UP

from costengine import Scenario, breakeven, monthly_cost, plan_for
from costengine.crossing import linear_breakeven


def _steps(s: Scenario, option: str, limit: float) -> list[float]:
    """Volumes where the option's cost changes slope or jumps: unit steps and the free-volume kink."""
    opt = plan_for(s).options[option]
    kinks = [float(opt.free_volume[0])] if opt.free_volume[0] > 0 else []
    if opt.step[0] == 0:
        return kinks
    per_unit = float(opt.capacity[0] / plan_for(s).peak[0])
    m = max(int(opt.min_units[0]), 1)
    return kinks + [j * per_unit for j in range(m, int(limit / per_unit) + 2)]


def _curved_reference(diff, limit: float) -> float | None:
    """Per-second billing is not piecewise linear: the first of the engine's grid volumes (0.01 to 1e12, 16 a
    decade) where the sign of the difference changes brackets the crossing, then bisection by ``monthly_cost``
    alone (a crossing and re-crossing between two grid volumes is not seen: docs/model.md#break-even)."""
    grid = np.geomspace(1e-2, 1e12, 16 * 14 + 1)
    sign = np.sign(diff(grid[0]))
    for lo, hi in zip(grid[:-1], grid[1:]):
        if lo >= limit:
            return None
        if np.sign(diff(hi)) != sign:
            for _ in range(80):
                mid = 0.5 * (lo + hi)
                lo, hi = (mid, hi) if np.sign(diff(mid)) == sign else (lo, mid)
            return hi
    return None


def reference_breakeven(s: Scenario, a: str, b: str, limit: float) -> float | None:
    def diff(r):
        return monthly_cost(s, a, r) - monthly_cost(s, b, r)

    if s.cloud_billing == "per_second" and "cloud" in (a, b):
        return _curved_reference(diff, limit)

    points = sorted({x for x in _steps(s, a, limit) + _steps(s, b, limit) if 0 < x < limit} | {limit})
    eps = 1e-9
    start = diff(1e-6)
    if start == 0:
        start = diff(points[0] * 0.5)
    sign = np.sign(start)
    lo = 0.0
    for hi in points:
        right_of_lo = diff(lo * (1 + eps) + 1e-6) if lo > 0 else start
        if np.sign(right_of_lo) != sign and lo > 0:
            return lo  # crossing on the step at lo
        end = diff(hi * (1 - 1e-9))  # the step at hi itself may already show (float rounding)
        if np.sign(end) != sign or end == 0:
            # linear on (lo, hi]: solve from two interior points
            x1, x2 = lo + (hi - lo) * 0.25, lo + (hi - lo) * 0.75
            y1, y2 = diff(x1), diff(x2)
            slope = (y2 - y1) / (x2 - x1)
            return x1 - y1 / slope
        lo = hi
    return None


def random_scenarios(n: int, seed: int):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield Scenario(
            **{
                **MADE_UP,
                "requests_per_month": 1e6,
                "api_input_price_per_mtok": float(rng.uniform(0.1, 40)),
                "api_output_price_per_mtok": float(rng.uniform(0.1, 80)),
                "api_monthly_fixed": float(rng.uniform(0, 5000)),
                "seconds_per_request": float(rng.uniform(0.5, 20)),
                "target_utilization": float(rng.uniform(0.3, 1)),
                "min_replicas": int(rng.integers(0, 4)),
                "peak_to_average": float(rng.uniform(1, 3)),
                "cloud_billing": str(rng.choice(["reserved", "per_second"])),
                "cloud_price_per_gpu_hour": float(rng.uniform(0.5, 8)),
                "cloud_gpus_per_replica": int(rng.integers(1, 9)),
                "cloud_monthly_overhead": float(rng.uniform(0, 3000)),
                "onprem_capex_per_server": float(rng.uniform(1e4, 4e5)),
                "onprem_maintenance_monthly": float(rng.uniform(0, 3000)),
                "staff_monthly": float(rng.uniform(0, 10000)),
            }
        )


@pytest.mark.parametrize("a, b", [("api", "cloud"), ("api", "onprem"), ("cloud", "onprem")])
def test_matches_brute_force_on_random_scenarios(a, b):
    limit = 3e7
    checked = found = 0
    for s in random_scenarios(60, seed=len(a) * 10 + len(b)):
        ref = reference_breakeven(s, a, b, limit)
        got = breakeven(s, a, b)
        checked += 1
        if ref is None:
            assert got is None or got >= limit * (1 - 1e-9)
        else:
            found += 1
            assert got == pytest.approx(ref, rel=1e-6), (s, a, b)
    assert found >= 5  # the random cases do exercise crossings


def test_both_stepping_at_different_capacities():
    # cloud reserved on L4s and on-prem on H100s: seconds_per_request is derived per GPU, so the replicas
    # step at different volumes; cloud starts cheaper but costs more per request at scale.
    s = Scenario(
        **{
            **MADE_UP,
            "seconds_per_request": None,
            "model": "llama-3.1-8b",
            "precision": "bf16",
            "cloud_gpu": "L4",
            "onprem_gpu": "H100-SXM",
            "cloud_gpus_per_replica": 1,
            "onprem_gpus_per_server": 1,
            "cloud_price_per_gpu_hour": 0.8,
            "onprem_capex_per_server": 300_000,
            "staff_monthly": 0,
            "cloud_monthly_overhead": 0,
            "min_replicas": 1,
            "max_tpot_ms": "none",
            "max_ttft_s": "none",
        }
    )
    cap_c = plan_for(s).options["cloud"].capacity[0]
    cap_o = plan_for(s).options["onprem"].capacity[0]
    assert not math.isclose(cap_c, cap_o)
    limit = 60 * max(cap_c, cap_o)
    ref = reference_breakeven(s, "cloud", "onprem", limit)
    got = breakeven(s, "cloud", "onprem")
    assert ref is not None
    assert got == pytest.approx(ref, rel=1e-6)


def test_equal_costs_from_the_start_is_zero():
    # two costs without steps that are the same line: equal from the lowest volumes
    assert linear_breakeven(100.0, 0.01, 100.0, 0.01) == 0.0
    assert linear_breakeven(100.0, 0.01, 50.0, 0.02) == pytest.approx(5000.0)


def test_same_grid_with_nearly_equal_replica_costs_is_fast_and_exact():
    # regression: with seconds_per_request typed, cloud and on-prem add replicas at the same volumes; when their
    # per-replica costs were nearly equal the search walked replica by replica up to 1e12.
    base = {
        **MADE_UP,
        "cloud_billing": "reserved",
        "staff_monthly": 0,
        "cloud_monthly_overhead": 0,
        "onprem_maintenance_monthly": 0,
        "onprem_price_per_kwh": 0,
        "onprem_amortization_months": 36,
        "min_replicas": 1,
        "seconds_per_request": 0.01,
    }
    per_replica_cloud = 2 * 2.5 * 730
    s = Scenario(**{**base, "onprem_capex_per_server": per_replica_cloud * 36 * (1 + 1e-9)})
    assert breakeven(s, "cloud", "onprem") is None  # on-prem is always a hair dearer: never cross
    # cloud starts dearer by 1; on-prem's replica costs delta more, so they cross when n * delta >= 1,
    # on the step from n* - 1 to n* replicas: R = (n* - 1) x volume per replica
    s2 = Scenario(**{**base, "cloud_monthly_overhead": 1.0, "onprem_capex_per_server": per_replica_cloud * 36 * 1.0001})
    plan = plan_for(s2)
    delta = plan.options["onprem"].step[0] - plan.options["cloud"].step[0]
    per_replica_volume = plan.options["cloud"].capacity[0] / plan.peak[0]
    n_star = math.ceil(1 / delta)
    assert breakeven(s2, "cloud", "onprem") == pytest.approx((n_star - 1) * per_replica_volume, rel=1e-9)
