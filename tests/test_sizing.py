"""Memory, KV cache, GPUs, the throughput of one replica and fine-tuning: arithmetic on published architectures,
the seed article's figures, monotonic properties and bad input."""

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from costengine import CostModelError, Scenario, compare, monthly_cost, sizing, sweep
from costengine.catalogs import GPU, OpenModel, load_catalog
from costengine.finetune import finetune_breakeven_words_per_day, finetune_cost, finetune_memory_gb, tokens_from_words
from costengine.serving import memory, throughput
from costengine.serving.memory import gpus_needed, kv_bytes_per_token, kv_cache_gb, weights_gb
from costengine.serving.throughput import replica_throughput

# made-up hardware and model, so the arithmetic does not depend on catalog updates
TOY_GPU = GPU(
    "TOY",
    "toy",
    "none",
    memory_gb=100,
    bandwidth_tbps=2.0,
    bf16_tflops=500,
    fp8_tflops=1000,
    tdp_w=500,
    price_usd=10_000,
    cloud_price_per_hour_usd=2,
    spec_source="made up",
    price_source="made up",
    cloud_price_source="made up",
    as_of="2026-01-01",
)
TOY_MODEL = OpenModel(
    "toy-10b",
    "toy",
    params_billion=10,
    active_params_billion=10,
    layers=40,
    attention_heads=32,
    kv_heads=8,
    head_dim=128,
    hidden_size=4096,
    context_length=8192,
    license="none",
    source="made up",
    as_of="2026-01-01",
)


def test_the_sizing_names_of_the_python_api_are_the_serving_functions():
    # PRODUCT.md "Python API" names costengine.sizing.replica_throughput (and the memory arithmetic)
    assert sizing.replica_throughput is throughput.replica_throughput
    for name in ("weights_gb", "kv_bytes_per_token", "kv_cache_gb", "serving_memory_gb", "gpus_needed"):
        assert getattr(sizing, name) is getattr(memory, name)


def test_kv_cache_of_published_architectures():
    # Llama 3.1 70B: 80 layers, 8 KV heads of 128 -> 327,680 bytes per token at 16 bits; 8B: 131,072
    assert kv_bytes_per_token(80, 8, 128, 2) == 327_680
    assert kv_bytes_per_token(32, 8, 128, 2) == 131_072
    # grouped-query attention matters: with 64 attention heads instead of 8 KV heads it would be 8x more
    assert kv_bytes_per_token(80, 64, 128, 2) == 8 * 327_680
    assert float(kv_cache_gb(80, 8, 128, 1_000_000, 2)) == pytest.approx(327.68)


def test_seed_004_memory_figures():
    assert float(weights_gb(70, 2)) == 140.0  # bfloat16: 2 bytes per parameter
    assert float(finetune_memory_gb(70, 0.001, 2, 5)) == pytest.approx(140.7)  # 140 + 0.14 x 5
    assert float(finetune_cost(24, 2.80)) == pytest.approx(67.2)  # ~67 $ per day
    # break-even of API fine-tuning at 0.008 $/1k tokens, 2 tokens per word, 67 $/day: ~4.2M words/day
    assert float(finetune_breakeven_words_per_day(67.2, 8.0, 2)) == pytest.approx(4.2e6)
    assert float(tokens_from_words(1000)) == pytest.approx(1330)


def test_seed_003_eight_billion_fits_16gb_at_8_bits_not_16():
    assert float(weights_gb(8, 1)) < 16 <= float(weights_gb(8, 2))  # 16 GB of weights leave nothing for KV
    assert float(gpus_needed(8, 16, 1, 1.2)) == 1
    assert float(gpus_needed(8, 16, 2, 1.2)) == 2


def test_moe_keeps_all_parameters_in_memory_but_computes_active_ones():
    mix = load_catalog().model("mixtral-8x7b")
    dense_like = OpenModel(**{**mix.__dict__, "active_params_billion": mix.params_billion})
    h100 = load_catalog().gpu("H100-SXM")
    moe = replica_throughput(mix, h100, 2, "bf16", 2000, 100)
    dense = replica_throughput(dense_like, h100, 2, "bf16", 2000, 100)
    assert moe["max_batch"] == dense["max_batch"]  # same memory
    assert moe["prefill_s"] < dense["prefill_s"] / 3  # 12.9B active of 46.7B


def test_serving_estimate_by_hand():
    # toy 10B in bf16 on one 100 GB GPU (no interconnect needed at TP1), p = 1000, o = 200, batch 64
    from costengine.serving import DEFAULT_EFFICIENCIES as E

    r = replica_throughput(TOY_MODEL, TOY_GPU, 1, "bf16", 1000, 200, batch=64)
    w, k, b = 10e9 * 2, 2 * 40 * 8 * 128 * 2, 64
    decode = max((w + b * k * (1000 + 100)) / (2e12 * E.bandwidth), 2 * 10e9 * b / (500e12 * E.compute))
    prefill = (2 * 10e9 * 1000 + 2 * 40 * 1000**2 * 32 * 128) / (500e12 * E.compute)
    tpot = decode + b / 200 * prefill  # prefill interleaved with the decode steps
    rps = b / (200 * tpot)
    assert r["tpot_ms"] == pytest.approx(tpot * 1000, rel=1e-12)
    assert r["requests_per_s"] == pytest.approx(rps, rel=1e-12)
    assert r["seconds_per_request"] == pytest.approx(1 / rps, rel=1e-12)
    assert r["output_tokens_per_s"] == pytest.approx(200 * rps, rel=1e-12)
    # the memory batch: (100 GB x 0.9 - 20 GB - 1 GB of activations) / (k x (1000 + 200/2))
    assert r["max_batch"] == min(math.floor((100e9 * 0.9 - w - 1e9) / (k * 1100)), 256)


def test_model_that_does_not_fit_says_how_much_memory_it_needs():
    cat = load_catalog()
    with pytest.raises(CostModelError) as err:
        replica_throughput(cat.model("llama-3.1-405b"), cat.gpu("L4"), 2, "bf16", 1000, 500)
    msg = str(err.value)
    assert msg.startswith("gpus: the model does not fit: one replica needs")
    assert "on L4" in msg


def test_scenario_with_blank_seconds_gives_costs_for_all_three_options():
    s = Scenario(
        model="llama-3.1-8b",
        precision="fp8",
        cloud_gpu="L40S",
        onprem_gpu="H100-SXM",
        prompt_tokens=1500,
        output_tokens=300,
        seconds_per_request=None,
    )
    table = compare(s)
    assert (table["monthly_cost"] > 0).all()
    assert table.loc["cloud", "gpus"] >= 2 and table.loc["onprem", "gpus"] >= 2  # two replicas by default


def test_measured_seconds_win_over_the_estimate():
    s = Scenario(seconds_per_request=None, requests_per_month=5e7)
    measured = s.replace(seconds_per_request=30.0)
    assert monthly_cost(measured, "onprem") > monthly_cost(s, "onprem")


def test_unknown_model_or_gpu_in_a_scenario_names_the_closest():
    with pytest.raises(CostModelError, match=r"model: unknown model 'lama-3.1-8b'; closest: llama-3.1-8b"):
        monthly_cost(Scenario(model="lama-3.1-8b"), "cloud")
    with pytest.raises(CostModelError, match=r"onprem_gpu: unknown GPU 'A100'; closest:"):
        monthly_cost(Scenario(onprem_gpu="A100"), "onprem")


def test_forced_gpu_count_too_small_is_reported_with_the_key():
    s = Scenario(model="llama-3.1-70b", precision="bf16", cloud_gpu="H100-SXM", cloud_gpus_per_replica=1)
    with pytest.raises(CostModelError, match=r"^not feasible: cloud: the model does not fit: one replica needs"):
        monthly_cost(s, "cloud")
    with pytest.raises(CostModelError, match=r"^cloud_gpus_per_replica: the model does not fit: one replica needs"):
        sweep(pd.DataFrame([s.model_dump(exclude_none=True)]), errors="raise")  # the key that decides it


@settings(max_examples=60, deadline=None)
@given(st.sampled_from([1, 2, 4, 8]), st.sampled_from([1, 2, 4, 8]), st.integers(16, 4000), st.integers(16, 4000))
def test_more_gpus_never_lower_throughput(n1, n2, p, o):
    lo, hi = sorted((n1, n2))
    a = replica_throughput(TOY_MODEL, TOY_GPU, lo, "bf16", p, o)["output_tokens_per_s"]
    b = replica_throughput(TOY_MODEL, TOY_GPU, hi, "bf16", p, o)["output_tokens_per_s"]
    assert b >= a * (1 - 1e-12)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(16, 6000), st.integers(16, 6000), st.integers(16, 2000))
def test_longer_prompts_never_raise_throughput(n, p1, p2, o):
    lo, hi = sorted((p1, p2))
    a = replica_throughput(TOY_MODEL, TOY_GPU, n, "bf16", lo, o)["output_tokens_per_s"]
    b = replica_throughput(TOY_MODEL, TOY_GPU, n, "bf16", hi, o)["output_tokens_per_s"]
    assert b <= a * (1 + 1e-12)


@pytest.mark.parametrize(
    "call, key",
    [
        (lambda: finetune_memory_gb(-1), "params_billion"),
        (lambda: finetune_memory_gb(7, trainable_fraction=2), "trainable_fraction"),
        (lambda: tokens_from_words(100, 0), "tokens_per_word"),
        (lambda: finetune_breakeven_words_per_day(67, 0), "api_price_per_mtok"),
    ],
)
def test_finetune_bad_input_names_argument(call, key):
    with pytest.raises(CostModelError) as err:
        call()
    assert err.value.key == key
