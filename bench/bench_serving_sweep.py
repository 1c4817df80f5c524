"""Benchmark: sweep() over scenarios that derive their layouts and batches, and its speed-up over row by row.

Run:  python bench/bench_serving_sweep.py [N]      (default N = 500,000)

Every row leaves seconds_per_request and GPUs per replica blank, so the engine picks the layout (tensor/pipeline
split, offer or server packing) and the largest batch meeting the latency targets for both self-hosted options.
Mixed models (dense and MoE), GPUs, precisions, billing and pricing terms; half the rows with latency targets
(a TPOT target from 60 to 200 ms and a TTFT target from 3 to 10 s, which every layout mix here can meet), half without
("none").
Prints the sweep time, the scalar functions' time per scenario on a sample, and the ratio, in one run.
Targets (issue "Serving capacity"): N = 500,000 in under 4 s; at least 50x faster per scenario than row by row.

Measured on the 2-core development machine (Python 3.11, numpy 2.4, 2026-12-02), shared with other jobs (load
average 5 to 9 throughout): N = 500,000 in 4.5 s at load 5.9 (the previous version: 11.4 s, run right after),
8 to 10 s at load 6 to 8; 600x to 1,100x faster per scenario than row by row. At load 1.7 (one other job), three
runs in a row: 3.17 s, 3.21 s and 3.61 s, 940x to 1,030x faster per scenario than row by row. CPU time for 250,000
rows in one
thread: 1.5 s (previous version 2.7 s), of which about 55% the layout search (costengine.serving.layouts) and 22% the
three break-even walks. Scenarios here rarely share a layout search: tokens, utilisation and targets are drawn
per row; the on-premises rows with the cloud's GPU and node size (about 17%) reuse the cloud's.
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pandas as pd
from bench_sweep import scalar_row

from costengine import CostModelError, Scenario, sweep


def random_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    targets = rng.random(n) < 0.5
    return pd.DataFrame(
        {
            "requests_per_month": 10 ** rng.uniform(4, 9, n),
            "prompt_tokens": rng.integers(100, 4000, n).astype(float),
            "output_tokens": rng.integers(50, 1500, n).astype(float),
            "peak_to_average": rng.uniform(1, 3, n),
            "api_input_price_per_mtok": rng.uniform(0.05, 15, n),
            "api_output_price_per_mtok": rng.uniform(0.2, 75, n),
            "api_cached_input_price_per_mtok": rng.uniform(0.01, 1.5, n),
            "model": rng.choice(
                ["llama-3.1-8b", "llama-3.3-70b", "qwen2.5-32b", "mixtral-8x7b", "gpt-oss-120b", "gpt-oss-20b"], n
            ),
            "precision": rng.choice(["", "bf16", "fp8"], n),
            "cloud_gpu": rng.choice(["H100-SXM", "H200", "B200", "A100-80GB"], n),
            "onprem_gpu": rng.choice(["H100-SXM", "H200", "B200", "MI300X"], n),
            "cloud_billing": rng.choice(["always_on", "per_second"], n, p=[0.8, 0.2]),
            "max_tpot_ms": np.where(targets, rng.uniform(60, 200, n), 0.0),
            "max_ttft_s": np.where(targets, rng.uniform(3, 10, n), 0.0),
            "target_utilization": rng.uniform(0.4, 0.9, n),
            "min_replicas": rng.integers(0, 3, n).astype(float),
        }
    )


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    df = random_frame(n)
    sweep(df.head(2000))  # warm up catalogs and token prices
    t0 = time.perf_counter()
    out = sweep(df)
    t_sweep = time.perf_counter() - t0
    sample = random_frame(300, seed=1)
    rows = [Scenario(**{k: (None if v == "" else v) for k, v in r.items()}) for r in sample.to_dict("records")]
    t0 = time.perf_counter()
    for s in rows:
        scalar_row(s)
    per_row = (time.perf_counter() - t0) / len(rows)
    per_sweep = t_sweep / n
    print(f"sweep: {n:,} scenarios deriving layouts in {t_sweep:.2f} s ({per_sweep * 1e6:.2f} us per scenario)")
    print(f"row by row: {per_row * 1e3:.2f} ms per scenario (300 scenarios)")
    print(f"ratio: {per_row / per_sweep:,.0f}x faster per scenario")
    print(f"cheapest: {out['cheapest'].value_counts().to_dict()}")


if __name__ == "__main__":
    try:
        main()
    except CostModelError as exc:
        sys.exit(f"{exc}")
