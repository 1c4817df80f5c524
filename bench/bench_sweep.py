"""Benchmark: sweep() over random scenarios, and its speed-up over row-by-row scalar calls.

Run:  python bench/bench_sweep.py [N]      (default N = 1,000,000)

Prints the time for N scenarios with sweep(), the time per scenario of the scalar functions
(monthly_cost x3 + cheapest + breakeven x3, on a sample of rows), and the ratio, measured in one run.
Targets: N = 1,000,000 in under 2 s; at least 50x faster per scenario than row by row.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd

from costengine import Scenario, breakeven, cheapest, monthly_cost, sweep
from costengine.engine import PAIRS


def random_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "requests_per_month": 10 ** rng.uniform(3, 9, n),
            "prompt_tokens": rng.integers(50, 4000, n).astype(float),
            # from 50: ~20 output tokens after a ~3,900-token prompt miss the 200 ms TPOT target on every layout
            # (the prefill interleaved with decode adds B/o x prefill to each token)
            "output_tokens": rng.integers(50, 2000, n).astype(float),
            "peak_to_average": rng.uniform(1, 4, n),
            "api_input_price_per_mtok": rng.uniform(0.05, 15, n),
            "api_output_price_per_mtok": rng.uniform(0.2, 75, n),
            "api_cached_input_price_per_mtok": rng.uniform(0.01, 1.5, n),
            "api_cached_input_share": rng.uniform(0, 0.8, n),
            "api_batch_share": rng.uniform(0, 0.5, n),
            "seconds_per_request": np.where(rng.random(n) < 0.5, rng.uniform(0.05, 10, n), np.nan),
            "model": rng.choice(["llama-3.1-8b", "llama-3.3-70b", "qwen2.5-72b", "mixtral-8x7b"], n),
            "precision": rng.choice(["bf16", "fp8", "int4"], n),
            "cloud_gpu": rng.choice(["H100-SXM", "H200", "A100-80GB", "L40S"], n),
            "onprem_gpu": rng.choice(["H100-SXM", "H200", "MI300X"], n),
            "cloud_billing": (billing := rng.choice(["always_on", "per_second"], n)),
            # per-second rows price GPUs one by one (not every GPU has a serverless offer)
            "cloud_price_per_gpu_hour": np.where(billing == "per_second", rng.uniform(1, 5, n), np.nan),
            "max_tpot_ms": np.where(rng.random(n) < 0.5, 0.0, 200.0),  # 0 = no target
            "max_ttft_s": np.where(rng.random(n) < 0.5, 0.0, 20.0),
            "target_utilization": rng.uniform(0.3, 0.95, n),
            "min_replicas": rng.integers(0, 4, n).astype(float),
            "staff_monthly": rng.uniform(0, 20000, n),
            "onprem_amortization_months": rng.choice([0, 36, 48], n).astype(float),
            "onprem_interest_rate": rng.choice([0, 0.05], n),
        }
    )


def scalar_row(s: Scenario) -> None:
    for option in ("api", "cloud", "onprem"):
        monthly_cost(s, option)
    cheapest(s)
    for a, b in PAIRS:
        breakeven(s, a, b)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    df = random_frame(n)
    sweep(df.head(1000))  # warm up catalogs and token prices
    t0 = time.perf_counter()
    out = sweep(df)
    t_sweep = time.perf_counter() - t0

    sample = df.sample(300, random_state=1)
    rows = [
        Scenario.parse({k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()})
        for r in sample.to_dict("records")
    ]
    t0 = time.perf_counter()
    for s in rows:
        scalar_row(s)
    t_row = (time.perf_counter() - t0) / len(rows)

    per_sweep = t_sweep / n
    print(f"sweep: {n:,} scenarios in {t_sweep:.2f} s ({n / t_sweep:,.0f} scenarios/s)")
    print(f"row by row (scalar functions, {len(rows)} rows): {t_row * 1e3:.3f} ms per scenario")
    print(f"speed-up per scenario: {t_row / per_sweep:,.0f}x")
    print(f"cheapest shares: {out['cheapest'].value_counts(normalize=True).round(3).to_dict()}")
    print(
        f"target: {n:,} in < 2 s -> {'met' if t_sweep < 2 or n != 1_000_000 else 'NOT met'}; "
        f">= 50x -> {'met' if t_row / per_sweep >= 50 else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
