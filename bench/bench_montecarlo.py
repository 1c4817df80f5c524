"""Benchmark: Monte Carlo uncertainty() over 100,000 draws, and its speed-up over row-by-row evaluation.

Run:  python bench/bench_montecarlo.py [N] [SUBSET]      (defaults N = 100,000, SUBSET = 300)

For two scenarios with made-up prices (one with every input given, one leaving the GPU counts and
seconds_per_request to be derived by the sizing model) and five uncertain inputs, prints:
- the wall time of ``uncertainty(s, ranges, draws=N)`` (draws, vectorised sweep, probabilities and
  percentiles), first call and best of three;
- the time per draw of the scalar path (Scenario + monthly_cost x3 + cheapest per draw) measured on
  the first SUBSET draws, extrapolated to N, and the ratio of the two.
Target: N = 100,000 in under 1 s.
"""

from __future__ import annotations

import sys
import time

from costengine import Scenario, cheapest, monthly_cost
from costengine.uncertainty import draw_scenarios, uncertainty

SCENARIOS = {
    "all inputs given": Scenario(
        requests_per_month=8e6,
        prompt_tokens=1200,
        output_tokens=400,
        api_input_price_per_mtok=1.5,
        api_output_price_per_mtok=6.0,
        api_cached_input_price_per_mtok=0.15,
        seconds_per_request=0.4,
        cloud_price_per_gpu_hour=3.0,
        cloud_gpus_per_replica=2,
        onprem_gpus_per_server=2,
        onprem_capex_per_server=90_000,
        onprem_power_kw=2.0,
        growth_rate_monthly=0.03,
    ),
    "throughput derived": Scenario(
        requests_per_month=8e6,
        prompt_tokens=1200,
        output_tokens=400,
        api_input_price_per_mtok=1.5,
        api_output_price_per_mtok=6.0,
        api_cached_input_price_per_mtok=0.15,
        cloud_price_per_gpu_hour=3.0,
        onprem_capex_per_server=90_000,
        onprem_gpu="H200",
    ),
}
RANGES = [
    ("key", "low", "likely", "high"),
    ("requests_per_month", 3e6, 8e6, 2.5e7),
    ("api_output_price_per_mtok", 3.0, 6.0, 9.0),
    ("onprem_capex_per_server", 70_000, 90_000, 140_000),
    ("output_tokens", 200, 400, 900),
    ("min_replicas", 1, 2, 3),
]


def row_by_row(s: Scenario, n: int, subset: int) -> float:
    """Seconds per draw of the scalar path, on the first ``subset`` of N draws (same seed)."""
    drawn = draw_scenarios(s, RANGES, n, seed=0).head(subset)
    base = s.model_dump()
    t0 = time.perf_counter()
    for row in drawn.to_dict("records"):
        one = Scenario(**{**base, **row, "min_replicas": int(row.get("min_replicas", s.min_replicas))})
        for option in ("api", "cloud", "onprem"):
            monthly_cost(one, option)
        cheapest(one)
    return (time.perf_counter() - t0) / len(drawn)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    subset = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    uncertainty(SCENARIOS["all inputs given"], RANGES, draws=1_000)  # load catalogs and token prices once
    worst = 0.0
    for name, s in SCENARIOS.items():
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            u = uncertainty(s, RANGES, draws=n, seed=0)
            times.append(time.perf_counter() - t0)
        per_draw = row_by_row(s, n, subset)
        best = min(times)
        worst = max(worst, times[0])
        print(f"{name}: {n:,} draws in {times[0]:.3f} s first, {best:.3f} s best of 3 ({n / best:,.0f} draws/s)")
        print(
            f"  row by row: {per_draw * 1e3:.2f} ms per draw on {subset} draws -> {per_draw * n:.1f} s "
            f"for {n:,} (extrapolated); vectorised is {per_draw * n / best:,.0f}x faster"
        )
        probs = ", ".join(f"{o} {u.loc[o, 'prob_cheapest']:.3f}" for o in u.index)
        print(f"  P(cheapest): {probs}")
    print(
        f"target: {n:,} draws in under 1 s -> {'met' if worst < 1.0 else 'NOT met'} (slowest first call {worst:.3f} s)"
    )


if __name__ == "__main__":
    main()
