"""The serving model against published measurements (tests/data/serving_measurements.csv; docs/validation.md).

The measurements were transcribed with their source, commit or page and date on every row. The model's
efficiencies (``costengine.serving.parameters.Efficiencies``: bandwidth, compute, tp_exponent) were fitted on the
even-numbered cases of the in-domain set below and are checked here on the odd-numbered ones, which the fit did
not see. ``python tests/test_serving_validation.py`` prints every case with its ratio.

In-domain: offline throughput tables of TensorRT-LLM's performance overview (synthetic fixed lengths, TP1 to TP8,
dense and MoE, prompts up to 32k tokens). Out of domain, printed but not asserted, with the reason in
docs/validation.md: runs whose checkpoint precision the table misstates (gpt-oss on Hopper labelled fp8 is MXFP4),
MI300X runs, DeepSeek-R1 concurrency sweeps, and latency points of closed-loop benchmarks beyond saturation.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import statistics
from pathlib import Path

from costengine import serving
from costengine.catalogs import load_catalog
from costengine.serving import throughput
from costengine.serving.parameters import HELD_OUT

DATA = Path(__file__).parent / "data" / "serving_measurements.csv"
#: Offline benchmarks let the engine batch far beyond vLLM's default of 256 sequences.
OFFLINE = dataclasses.replace(serving.DEFAULT_EFFICIENCIES, max_batch=4096.0)


def cases():
    """(row, estimate) for every measurement with a layout, lengths and a precision."""
    cat = load_catalog()
    out = []
    for r in csv.DictReader(DATA.open(encoding="utf-8")):
        if not (r["tp"] and r["prompt_tokens"] and r["output_tokens"] and r["precision"]):
            continue
        tp, pp = float(r["tp"]), float(r["pp"] or 1)
        replicas = float(r["n_gpus"] or tp) / (tp * pp)
        p, o = float(r["prompt_tokens"]), float(r["output_tokens"])
        batch = float(r["concurrency"]) / replicas if r["concurrency"] else None
        est = throughput.estimate(
            load_catalog().model(r["model"]),
            cat.gpu(r["gpu"]),
            tp=tp,
            pp=pp,
            precision="bf16" if r["precision"] == "fp16" else r["precision"],
            prompt_tokens=p,
            output_tokens=o,
            batch=batch,
            eff=OFFLINE,
        )
        value = {
            "output_tps": est["output_tokens_per_s"] * replicas,
            "tpot_ms": est["tpot_ms"],
            "ttft_s": est["ttft_s"],
            "requests_per_s": est["requests_per_s"] * replicas,
            "total_tps": est["requests_per_s"] * replicas * (p + o),
        }[r["metric"]]
        out.append((r, value))
    return out


def in_domain(r) -> bool:
    return (
        r["source_id"].startswith("trtllm")
        and r["metric"] == "output_tps"
        and not (r["model"].startswith("gpt-oss") and r["precision"] == "fp8")
    )


def held_out():
    rows = [(r, v) for r, v in cases() if in_domain(r) and math.isfinite(v)]
    return [v / float(r["value"]) for i, (r, v) in enumerate(rows) if i % 2 == 1]


def test_enough_measurements_from_enough_sources():
    rows = cases()
    assert len(rows) >= 30
    assert len({r["source_id"] for r, _ in rows}) >= 4
    assert {1, 2, 4, 8} <= {int(float(r["tp"])) for r, _ in rows}
    assert any(float(r["prompt_tokens"]) >= 20_000 for r, _ in rows)
    assert any(r["metric"] in ("tpot_ms", "ttft_s") for r, _ in rows)


def test_held_out_cases_median_and_band():
    ratios = held_out()
    assert len(ratios) >= 20
    assert 0.9 <= statistics.median(ratios) <= 1.1
    inside = sum(0.67 <= q <= 1.5 for q in ratios)
    # 0.74 since the KV cache holds only the window on sliding-window layers (gpt-oss: 128 tokens on half the
    # layers): the two held-out gpt-oss cases on B200 went from 1.16 and 1.22 to 1.81 and 1.83 (a larger memory
    # batch). TensorRT-LLM's KV manager at the measured version wrote sliding-window blocks linearly up to the
    # sequence length (github.com/NVIDIA/TensorRT-LLM pull 6768), so its runs held more; an engine-specific factor
    # belongs with serving_engine. Before the attention columns: 22 of 27 (0.81).
    assert inside / len(ratios) >= 0.74, sorted(round(q, 2) for q in ratios)
    # the label every front end shows beside an estimated figure states these counts
    assert (inside, len(ratios)) == HELD_OUT, "update costengine.serving.parameters.HELD_OUT and docs/validation.md"


def test_interactive_latency_points_of_a_dense_70b():
    # NVIDIA NIM benchmarking guide, Llama 3.3 70B on 2 x H100 FP8, 5000/500 tokens, concurrency 1 to 50
    # (below saturation): TPOT and throughput within 0.67x-1.5x
    for r, v in cases():
        if (
            r["source_id"] == "nim-bench-1.0.0"
            and r["metric"] in ("tpot_ms", "output_tps")
            and float(r["concurrency"]) <= 50
        ):
            assert 0.67 <= v / float(r["value"]) <= 1.5, (r["case_id"], v, r["value"])


if __name__ == "__main__":
    for r, v in cases():
        ratio = v / float(r["value"]) if float(r["value"]) else float("nan")
        flag = "fit/check" if in_domain(r) else "out of domain"
        print(
            f"{r['case_id']:>5} {r['source_id']:<24} {r['model']:<15} {r['gpu']:<9} tp{r['tp']:<2} "
            f"{r['precision']:<4} {r['prompt_tokens']:>6}/{r['output_tokens']:<5} c={r['concurrency'] or '-':<4} "
            f"{r['metric']:<14} est {v:>10.4g} meas {float(r['value']):>10.4g} ratio {ratio:5.2f} {flag}"
        )
    q = held_out()
    print(
        f"held-out in-domain cases: {len(q)}, median {statistics.median(q):.3f}, "
        f"within 0.67x-1.5x: {sum(0.67 <= x <= 1.5 for x in q)}"
    )
