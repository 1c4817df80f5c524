"""The throughput estimate of one replica (:func:`costengine.serving.throughput.replica_throughput`, the serving
model) against published measurements (docs/validation.md).

Each case: model, GPU, GPUs per replica (tensor parallel), precision, input/output tokens, and the measured
output tokens/s of the whole replica at maximum load, with its source. The estimate uses the engine's
defaults (``costengine.serving.parameters.DEFAULT_EFFICIENCIES``: 90% of memory for weights, activations and KV
cache, at most 256 concurrent sequences, no latency target). Target band: 0.5x to 2x.

Sources (read 2026-11):
- TRT17: NVIDIA TensorRT-LLM "Performance Overview", data generated with version 0.17 (trtllm-bench, FP8
  engines with FP8 KV cache; A100 rows in FP16), repository NVIDIA/TensorRT-LLM,
  docs/source/performance/perf-overview.md at commit 258c7540c03517def55d9a5aadfa9288af474e1b (early 2025).
- TRT14: the same page with data generated with version 0.14.0 (H100 FP16 column), late 2024.
- NIM: NVIDIA NIM benchmarking guide 1.0.0, https://docs.nvidia.com/nim/benchmarking/llm/1.0.0/performance.md,
  Llama 3.3 70B Instruct on 2 x H100 80 GB, FP8, TP2, 5000 input / 500 output tokens, saturated at concurrency 150.
Run ``python tests/test_throughput_validation.py`` to print the table of docs/validation.md.
"""

import pytest

from costengine.catalogs import load_catalog
from costengine.serving.throughput import replica_throughput

TRT17 = "TensorRT-LLM perf overview v0.17 data"
TRT14 = "TensorRT-LLM perf overview v0.14.0 data"
NIM = "NVIDIA NIM LLM benchmarking guide 1.0.0 (NIM 1.8.0, concurrency 150)"

# (model, gpu, gpus, precision, prompt, output, measured output tokens/s per replica, source)
CASES = [
    ("llama-3.1-8b", "H100-SXM", 1, "fp8", 128, 2048, 21109.38, TRT17),
    ("llama-3.1-8b", "H100-SXM", 1, "fp8", 2048, 128, 3556.73, TRT17),
    ("llama-3.1-8b", "H100-SXM", 1, "fp8", 1000, 1000, 15244.78, TRT17),
    ("llama-3.1-8b", "H100-SXM", 1, "bf16", 128, 128, 15571.65, TRT14),
    ("llama-3.1-8b", "H200", 1, "fp8", 2048, 2048, 11968.5, TRT17),
    ("llama-3.1-8b", "A100-80GB", 1, "bf16", 128, 2048, 5255.99, TRT17),
    ("llama-3.1-8b", "L40S", 1, "fp8", 128, 2048, 5365.81, TRT17),
    ("llama-3.1-70b", "H100-SXM", 2, "fp8", 128, 2048, 6169.58, TRT17),
    ("llama-3.1-70b", "H100-SXM", 2, "fp8", 1000, 1000, 4390.53, TRT17),
    ("llama-3.1-70b", "H100-SXM", 2, "fp8", 5000, 500, 919.73, TRT17),
    ("llama-3.3-70b", "H100-SXM", 2, "fp8", 5000, 500, 920.9, NIM),
    ("llama-3.1-70b", "H100-SXM", 4, "fp8", 2048, 128, 1302.6, TRT17),
    ("llama-3.1-70b", "H200", 1, "fp8", 128, 2048, 4165.68, TRT17),
    ("llama-3.1-70b", "H200", 2, "fp8", 1000, 1000, 5164.76, TRT17),
    ("llama-3.1-70b", "A100-80GB", 4, "bf16", 2048, 2048, 1393.64, TRT17),
]
# Outside the model's reach, kept to show it: 70B in FP8 on ONE 80 GB GPU leaves ~1 GB for the KV cache
# under the 90%-of-memory rule, so the estimate allows 3 sequences; TensorRT-LLM gives the KV cache 95% of the
# memory left after the weights and pages it on demand, and reaches 912 tokens/s. The engine itself never
# chooses this layout (GPUs from memory with 1.2x overhead gives 2 GPUs).
KV_STARVED = ("llama-3.1-70b", "H100-SXM", 1, "fp8", 128, 2048, 911.62, TRT17)


def estimate(case):
    model, gpu, n, precision, p, o, _, _ = case
    cat = load_catalog()
    return replica_throughput(cat.model(model), cat.gpu(gpu), n, precision, p, o)["output_tokens_per_s"]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[1]}x{c[2]}-{c[3]}-{c[4]}/{c[5]}")
def test_estimate_within_half_to_double_of_measurement(case):
    ratio = estimate(case) / case[6]
    assert 0.5 <= ratio <= 2.0, f"estimate / measurement = {ratio:.2f}"


@pytest.mark.xfail(strict=True, reason="KV-starved layout: the 90%-of-memory rule leaves room for 3 sequences")
def test_kv_starved_single_gpu_is_outside_the_band():
    ratio = estimate(KV_STARVED) / KV_STARVED[6]
    assert 0.5 <= ratio <= 2.0


def markdown_table() -> str:
    rows = [
        "| model | GPU x n | precision | in/out tokens | estimate tok/s | measured tok/s | ratio | source |",
        "|---|---|---|---|---:|---:|---:|---|",
    ]
    for case in CASES + [KV_STARVED]:
        est = estimate(case)
        model, gpu, n, precision, p, o, meas, src = case
        rows.append(
            f"| {model} | {gpu} x {n} | {precision} | {p}/{o} | {est:,.0f} | {meas:,.0f} | {est / meas:.2f} | {src} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    print(markdown_table())
