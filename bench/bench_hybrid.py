"""Benchmark: hybrid serving in sweep() (self-hosted base load + API overflow over the day), its rate and its
cost relative to the plain sweep, measured in one run on the same scenarios.

Run:  python bench/bench_hybrid.py [N]      (default N = 1,000,000)

Scenarios as in bench_sweep.py (half deriving seconds_per_request) without latency targets, with a load profile
drawn per row: the three shipped profiles and random 24-hour shapes.

Measured (one run, N = 1,000,000, on a 2-core machine shared with other jobs; 3.4 GB peak memory, so no chunking
is needed beyond sweep's own):

    plain sweep:  1,000,000 scenarios in 20.08 s (49,803 scenarios/s)
    with hybrid:  1,000,000 scenarios in 31.83 s (31,421 scenarios/s), 1.59x the plain sweep
    scenarios whose cloud hybrid splits the load: 13.0%
"""

from __future__ import annotations

import sys
import time

import numpy as np
from bench_sweep import random_frame

from costengine import sweep
from costengine.profiles import load_profiles


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = np.random.default_rng(5)
    df = random_frame(n)
    # no latency targets: with them, some random rows (a 70B model in bf16 on A100s) have no layout that meets
    # them, and sweep() stops at the first such row
    df["max_tpot_ms"] = 0.0
    df["max_ttft_s"] = 0.0
    shapes = list(load_profiles()) + [",".join(f"{x:.2f}" for x in rng.uniform(0.1, 3, 24)) for _ in range(20)]
    df["load_profile"] = rng.choice(np.array(shapes, dtype=object), n)
    sweep(df.head(1000), hybrid=True)  # warm up
    t0 = time.perf_counter()
    sweep(df)
    t_plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    out = sweep(df, hybrid=True)
    t_hybrid = time.perf_counter() - t0
    split = ((out["hybrid_cloud_share"] > 0) & (out["hybrid_cloud_share"] < 1)).mean()
    print(f"plain sweep:  {n:,} scenarios in {t_plain:.2f} s ({n / t_plain:,.0f} scenarios/s)")
    print(
        f"with hybrid:  {n:,} scenarios in {t_hybrid:.2f} s ({n / t_hybrid:,.0f} scenarios/s), "
        f"{t_hybrid / t_plain:.2f}x the plain sweep"
    )
    print(f"scenarios whose cloud hybrid splits the load: {split:.1%}")


if __name__ == "__main__":
    main()
