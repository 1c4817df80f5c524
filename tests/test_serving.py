"""The serving model (costengine/serving/): latency and throughput of one replica, the batch that meets
latency targets, layouts. Properties the model must have whatever its parameters, and hand arithmetic."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costengine import serving
from costengine.catalogs import load_catalog
from costengine.serving import throughput

CAT = load_catalog()


def _est(model, gpu, tp, **kw):
    return throughput.estimate(CAT.model(model), CAT.gpu(gpu), tp=tp, **kw)


def test_memory_batch_by_hand():
    # 2 GPUs x 80 GB x 0.9 = 144 GB; minus 70 GB of weights and 2 x 1 GB of activations = 72 GB for the cache;
    # 327,680 B/token x (1000 + 500/2) tokens = 0.4096 GB per sequence -> 175 sequences
    b = serving.memory_batch(2, 80, 70e9, 327_680, 1000, 500)
    assert float(b) == math.floor(72e9 / (327_680 * 1250))


def test_latency_rises_with_the_batch():
    m, b_mem = throughput.replica_model(CAT.model("llama-3.3-70b"), CAT.gpu("H100-SXM"), tp=4, precision="fp8")
    b = np.arange(1, 257, dtype=float)
    t = serving.step_times(m, b)
    assert np.all(np.diff(t["tpot_s"]) > 0) and np.all(np.diff(t["ttft_s"]) >= 0)
    assert np.all(np.diff(t["requests_per_s"]) > 0)  # but throughput rises too: the trade-off targets settle


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["llama-3.1-8b", "llama-3.3-70b", "mixtral-8x7b", "qwen2.5-32b", "gpt-oss-120b"]),
    st.sampled_from(["H100-SXM", "H200", "B200", "L40S", "A100-80GB"]),
    st.sampled_from([1, 2, 4, 8]),
    st.floats(100, 8000),
    st.floats(50, 2000),
    st.floats(10, 200),
)
def test_largest_batch_is_exact_and_meets_the_target(model, gpu, tp, p, o, tpot_ms):
    m, b_mem = throughput.replica_model(CAT.model(model), CAT.gpu(gpu), tp=tp, prompt_tokens=p, output_tokens=o)
    cap = min(b_mem, 256.0)
    b = float(serving.largest_batch(m, np.array([cap]), np.array([tpot_ms / 1000]), np.array([np.inf]))[0])
    if cap < 1:
        assert b == 0
        return
    every = np.arange(1, int(cap) + 1, dtype=float)
    meets = serving.step_times(m, every)["tpot_s"] <= tpot_ms / 1000
    assert b == (every[meets].max() if meets.any() else 0.0)  # brute force over every batch


@pytest.mark.parametrize("model", ["llama-3.3-70b", "llama-3.1-70b", "qwen2.5-72b"])
def test_tighter_targets_never_raise_throughput(model):
    loose, tight = (_est(model, "H100-SXM", 4, precision="fp8", max_tpot_ms=t) for t in (50, 20))
    assert tight["output_tokens_per_s"] <= loose["output_tokens_per_s"]
    assert tight["tpot_ms"] <= 20 + 1e-9 and loose["tpot_ms"] <= 50 + 1e-9


def test_per_gpu_throughput_falls_from_tp2_to_tp4_for_70b():
    tp2 = _est("llama-3.3-70b", "H100-SXM", 2, precision="fp8")["output_tokens_per_s"] / 2
    tp4 = _est("llama-3.3-70b", "H100-SXM", 4, precision="fp8")["output_tokens_per_s"] / 4
    assert tp4 <= tp2


def test_fp8_on_a100_runs_at_the_bf16_rate_and_fp4_only_on_blackwell():
    a100 = CAT.gpu("A100-80GB")
    assert a100.tflops("fp8") == a100.bf16_tflops
    assert CAT.gpu("H100-SXM").tflops("fp4") == CAT.gpu("H100-SXM").bf16_tflops
    assert CAT.gpu("B200").tflops("fp4") > CAT.gpu("B200").tflops("fp8")


def test_gpt_oss_native_format_fits_one_80gb_gpu():
    est = _est("gpt-oss-120b", "H100-SXM", 1)  # native: MXFP4 experts, 16-bit attention
    assert est["max_batch"] >= 1 and est["output_tokens_per_s"] > 0
    assert math.isnan(_est("gpt-oss-120b", "H100-SXM", 1, precision="bf16")["output_tokens_per_s"])


def test_moe_reads_fewer_weights_at_small_batch():
    m, _ = throughput.replica_model(CAT.model("deepseek-v3"), CAT.gpu("H200"), tp=8)
    one, many = (float(serving.step_times(m, np.array([b]))["decode_step_s"][0]) for b in (1.0, 64.0))
    dense_read = m.w_bytes[0] / (8 * m.bw[0] * serving.DEFAULT_EFFICIENCIES.bandwidth)
    assert one < dense_read < many * 4
