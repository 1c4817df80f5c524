"""Benchmark of the plan search and the break-even walk (the speed targets of the workload issue).

Run:  python bench/bench_plans.py [--rows N] [--derived M]

Three measurements, in one run (the machine is shared: compare ratios, not absolute times):

1. ``sweep()`` over N = 1,000,000 random scenarios with ``seconds_per_request`` given (0.05-5 s), random API
   prices (0.05-60 / 0.1-120 per MTok), per-GPU cloud prices (0.5-8 per GPU-hour), server prices (10k-500k) and
   peak factors (1-4): costs, cheapest option and the three break-even volumes. Target: under 2 s. Printed with
   its ratio to the numpy floor: the same frame's three monthly costs at its volume as plain array arithmetic
   (one pass of ``fixed + variable x R + step x ceil(R x peak / capacity)`` per option), the least any
   vectorised evaluation of these rows costs.
2. ``sweep()`` over M = 500,000 scenarios that derive their plans (``seconds_per_request`` blank: the layout
   search, the plan at the volume, the traffic's batch). Target: under 4 s.
3. One new-scenario worksheet call with a derived plan (``LLM_COST`` on a scenario never seen before: parsing,
   validation, resolution): median of 300. Target: no slower than ~2 ms (the figure before the plan search).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_sweep import random_frame  # noqa: E402

from costengine import Scenario, monthly_cost, sweep  # noqa: E402


def given_frame(n: int, seed: int = 0) -> pd.DataFrame:
    """The workload issue's frame: seconds per request given, random prices and peaks."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "requests_per_month": 10 ** rng.uniform(3, 9, n),
            "prompt_tokens": rng.integers(50, 4000, n).astype(float),
            "output_tokens": rng.integers(50, 2000, n).astype(float),
            "peak_to_average": rng.uniform(1, 4, n),
            "seconds_per_request": rng.uniform(0.05, 5, n),
            "api_input_price_per_mtok": rng.uniform(0.05, 60, n),
            "api_output_price_per_mtok": rng.uniform(0.1, 120, n),
            "api_cached_input_price_per_mtok": rng.uniform(0.01, 1, n),
            "cloud_price_per_gpu_hour": rng.uniform(0.5, 8, n),
            "cloud_gpus_per_replica": rng.choice([1, 2, 4, 8], n).astype(float),
            "onprem_gpus_per_replica": rng.choice([1, 2, 4, 8], n).astype(float),
            "onprem_gpus_per_server": np.full(n, 8.0),
            "onprem_capex_per_server": rng.uniform(10_000, 500_000, n),
            "onprem_power_kw": rng.uniform(1, 12, n),
            "onprem_maintenance_monthly": rng.uniform(0, 3000, n),
            "min_replicas": rng.integers(0, 4, n).astype(float),
            "staff_monthly": rng.uniform(0, 20000, n),
        }
    )


def numpy_floor(df: pd.DataFrame) -> float:
    """Seconds for the three monthly costs at the frame's volume as bare array arithmetic (see module doc)."""
    r, peak, s = (df[k].to_numpy() for k in ("requests_per_month", "peak_to_average", "seconds_per_request"))
    t0 = time.perf_counter()
    cap = 730 * 3600 / s * 0.7
    api = r * (df["prompt_tokens"].to_numpy() * df["api_input_price_per_mtok"].to_numpy()) / 1e6
    step = df["cloud_gpus_per_replica"].to_numpy() * df["cloud_price_per_gpu_hour"].to_numpy() * 730
    cloud = df["staff_monthly"].to_numpy() + step * np.maximum(1, np.ceil(r * peak / cap))
    onprem = df["staff_monthly"].to_numpy() + df["onprem_capex_per_server"].to_numpy() / 36 * np.maximum(
        1, np.ceil(r * peak / cap)
    )
    np.argmin(np.vstack([api, cloud, onprem]), axis=0)
    return time.perf_counter() - t0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--derived", type=int, default=500_000)
    args = ap.parse_args()

    df = given_frame(args.rows)
    sweep(df.head(1000))
    t0 = time.perf_counter()
    out = sweep(df)
    t_given = time.perf_counter() - t0
    floor = min(numpy_floor(df) for _ in range(3))
    print(
        f"1. sweep, seconds given: {args.rows:,} rows in {t_given:.2f} s (target < 2 s: "
        f"{'met' if t_given < 2 else 'NOT met'}); numpy floor {floor:.3f} s, ratio {t_given / floor:.0f}x; "
        f"rows without a break-even api/cloud: {out['breakeven_api_cloud'].isna().mean():.1%}"
    )

    dd = random_frame(args.derived)
    dd["seconds_per_request"] = np.nan
    sweep(dd.head(500))
    t0 = time.perf_counter()
    sweep(dd)
    t_derived = time.perf_counter() - t0
    print(
        f"2. sweep, plans derived: {args.derived:,} rows in {t_derived:.2f} s (target < 4 s: "
        f"{'met' if t_derived < 4 else 'NOT met'})"
    )

    scenarios = [Scenario(requests_per_month=1e6 + i, prompt_tokens=800 + i % 400) for i in range(301)]
    monthly_cost(scenarios[0], "cloud")
    times = []
    for s in scenarios[1:]:
        t0 = time.perf_counter()
        monthly_cost(s, "cloud")
        times.append(time.perf_counter() - t0)
    med = statistics.median(times) * 1e3
    print(f"3. a new scenario, plan derived: median {med:.2f} ms (target ~2 ms: {'met' if med <= 2.2 else 'NOT met'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
