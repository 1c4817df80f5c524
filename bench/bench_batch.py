"""Benchmark of ``llmcost batch``: workbooks per second with 1 and 2 jobs, and peak memory.

Usage::

    python bench/bench_batch.py            # 1,000 scenarios; 200 and 1,000 for the memory check
    python bench/bench_batch.py --n 300    # a quicker run

Each measurement runs ``llmcost batch`` as a subprocess from a fresh measuring process that makes itself
the "child subreaper" (Linux ``PR_SET_CHILD_SUBREAPER``), so that the batch's fork server, and through it
the worker processes, are reaped by it when the batch ends. ``ru_maxrss`` of ``RUSAGE_CHILDREN`` is then
the peak resident memory of the largest process of the batch (main process or worker). Memory that
grows with the number of scenarios would show as a larger peak at 1,000 scenarios than at 200.

Target (issue 6): 1,000 workbooks in under 2 minutes on a 2-core machine.

Measured on the 2-core development machine (Python 3.11, 2026-11-25, other jobs mostly idle): 1,000
workbooks in 63 s with 1 job and 39 s with 2 jobs (26 workbooks/s); peak memory 112 MB at both 200 and
1,000 scenarios (2 jobs), 128 MB with 1 job (no workers: the main process builds). A workbook takes about
65 ms from the template cache (:mod:`workbook.xlsx.template_cache`) against about 0.6 s for a full build.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS_PER_1000 = 120.0

MODELS = [
    "llama-3.1-8b",
    "llama-3.3-70b",
    "qwen2.5-7b",
    "qwen2.5-72b",
    "mistral-7b",
    "mixtral-8x7b",
    "gpt-oss-20b",
    "gpt-oss-120b",
]
GPUS = ["H100-SXM", "H100-PCIe", "H200", "A100-80GB", "L40S", "MI300X", "B200"]
API_MODELS = ["gpt-5-mini", "gpt-5", "claude-haiku-4-5", "claude-sonnet-4-5", "gemini-2.5-flash"]


def write_scenarios(path: Path, n: int, seed: int = 6) -> Path:
    """``n`` varied, valid scenarios as a CSV with a name column."""
    rng = random.Random(seed)
    cols = [
        "name",
        "requests_per_month",
        "prompt_tokens",
        "output_tokens",
        "peak_to_average",
        "api_model",
        "api_cached_input_share",
        "model",
        "precision",
        "cloud_gpu",
        "cloud_billing",
        "onprem_gpu",
        "staff_monthly",
    ]
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(cols)
        for i in range(n):
            w.writerow(
                [
                    f"scenario {i:05d}",
                    round(10 ** rng.uniform(4, 8)),
                    rng.choice([300, 800, 1500, 4000]),
                    rng.choice([100, 300, 600, 1200]),
                    rng.choice([1.2, 2, 3]),
                    rng.choice(API_MODELS),
                    rng.choice([0, 0.3, 0.6]),
                    rng.choice(MODELS),
                    rng.choice(["bf16", "fp8", "int4"]),
                    rng.choice(GPUS),
                    rng.choice(["reserved", "per_second"]),
                    rng.choice(GPUS),
                    rng.choice([0, 2000, 8000]),
                ]
            )
    return path


def measure(scenarios: Path, jobs: int) -> dict:
    """Run one batch (in this process's children) and return seconds, workbooks and peak memory."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1)  # PR_SET_CHILD_SUBREAPER: orphaned descendants (the fork server) come to us
    out = Path(tempfile.mkdtemp(prefix="llmcost-bench-"))
    try:
        exe = shutil.which("llmcost") or "llmcost"
        t0 = time.perf_counter()
        proc = subprocess.run(
            [exe, "batch", str(scenarios), "-o", str(out), "--jobs", str(jobs)], capture_output=True, text=True
        )
        seconds = time.perf_counter() - t0
        main_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        while True:  # reap the fork server (and, through it, the workers' peak)
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
        all_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        written = len(list(out.glob("*.xlsx")))
        return {
            "jobs": jobs,
            "exit": proc.returncode,
            "stderr": proc.stderr[-500:],
            "seconds": seconds,
            "workbooks": written,
            "main_mb": main_kb / 1024,
            "peak_mb": all_kb / 1024,
        }
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _run_child(scenarios: Path, jobs: int) -> dict:
    """:func:`measure` in a fresh process, so each peak is its own."""
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", str(scenarios), str(jobs)], capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="scenarios for the speed runs (default 1000)")
    ap.add_argument("--small", type=int, default=200, help="scenarios for the small memory run (default 200)")
    ap.add_argument("--measure", nargs=2, metavar=("CSV", "JOBS"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.measure[0]), int(args.measure[1]))))
        return
    tmp = Path(tempfile.mkdtemp(prefix="llmcost-bench-src-"))
    try:
        big = write_scenarios(tmp / "big.csv", args.n)
        small = write_scenarios(tmp / "small.csv", args.small)
        print(f"llmcost batch: {args.n} scenarios, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        print(f"{'scenarios':>9} {'jobs':>4} {'seconds':>8} {'workbooks/s':>11} {'main MB':>8} {'peak MB':>8}")
        runs = [(small, args.small, 2), (big, args.n, 1), (big, args.n, 2)]
        results = {}
        for path, n, jobs in runs:
            r = _run_child(path, jobs)
            if r["exit"] != 0 or r["workbooks"] != n:
                raise SystemExit(f"batch failed (exit {r['exit']}, {r['workbooks']} of {n} workbooks): {r['stderr']}")
            results[(n, jobs)] = r
            print(
                f"{n:>9} {jobs:>4} {r['seconds']:>8.1f} {n / r['seconds']:>11.1f} {r['main_mb']:>8.0f} "
                f"{r['peak_mb']:>8.0f}"
            )
        best = results[(args.n, 2)]["seconds"] * 1000 / args.n
        verdict = "meets" if best < TARGET_SECONDS_PER_1000 else "MISSES"
        growth = results[(args.n, 2)]["peak_mb"] / results[(args.small, 2)]["peak_mb"]
        scaled = "" if args.n == 1000 else f", scaled from {args.n}"
        print(
            f"1,000 workbooks with 2 jobs: {best:.0f} s ({verdict} the {TARGET_SECONDS_PER_1000:.0f} s target{scaled})"
        )
        print(f"peak memory {args.n} vs {args.small} scenarios (2 jobs): x{growth:.2f} (flat is about x1.0)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
