"""Integrity of the shipped catalogs (the data, not the arithmetic): ids, positive numbers, sources, dates."""

import csv
from importlib import resources

import pytest

from costengine import CostModelError
from costengine.catalogs import HARDWARE_COLUMNS, MODEL_COLUMNS, load_catalog, token_price, token_price_table
from costengine.serving.memory import kv_bytes_per_token

GPU_IDS = ["H100-SXM", "H100-PCIe", "H200", "A100-80GB", "L40S", "L4", "A10G", "MI300X", "B200", "RTX-4090"]
MODEL_IDS = [
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.3-70b",
    "llama-3.1-405b",
    "llama-2-7b",
    "llama-2-13b",
    "llama-2-70b",
    "mistral-7b",
    "mixtral-8x7b",
    "qwen2.5-7b",
    "qwen2.5-72b",
    "deepseek-v3",
    "gpt-oss-20b",
    "gpt-oss-120b",
]


def _raw(name):
    return list(csv.DictReader(resources.files("costengine.data").joinpath(name).open(encoding="utf-8")))


def test_files_have_the_fixed_columns():
    assert tuple(_raw("hardware.csv")[0]) == HARDWARE_COLUMNS
    assert tuple(_raw("models.csv")[0]) == MODEL_COLUMNS


def test_product_ids_are_present():
    cat = load_catalog()
    for gpu_id in GPU_IDS:
        assert cat.gpu(gpu_id).id == gpu_id
    for model_id in MODEL_IDS:
        assert cat.model(model_id).id == model_id


def test_no_duplicate_ids_case_insensitively():
    for name in ("hardware.csv", "models.csv"):
        ids = [r["id"].lower() for r in _raw(name)]
        assert len(ids) == len(set(ids)), name


def test_gpu_rows_are_consistent():
    for gpu in load_catalog().gpus.values():
        assert 8 <= gpu.memory_gb <= 512, gpu.id
        assert 0.1 <= gpu.bandwidth_tbps <= 20, gpu.id
        assert gpu.fp8_tflops >= gpu.bf16_tflops, gpu.id  # 8-bit is never slower than 16-bit
        assert gpu.fp8_tflops <= 2.5 * gpu.bf16_tflops, gpu.id  # dense figures, not sparse ones
        assert 50 <= gpu.tdp_w <= 2000, gpu.id
        assert gpu.cloud_price_per_hour_usd < gpu.price_usd / 1000, gpu.id  # renting 1,000 h costs less than buying
        assert gpu.spec_source and gpu.price_source and gpu.cloud_price_source and gpu.as_of


def test_model_rows_are_consistent():
    for m in load_catalog().models.values():
        assert m.active_params_billion <= m.params_billion, m.id
        assert m.kv_heads <= m.attention_heads, m.id
        assert m.attention_heads % m.kv_heads == 0, m.id  # grouped-query attention groups evenly
        assert m.context_length >= 2048, m.id
        assert m.source and m.license and m.as_of
        # parameters roughly match the architecture: at least the attention + MLP of each layer
        assert m.params_billion * 1e9 > m.layers * m.hidden_size**2, m.id


def test_published_kv_cache_sizes():
    cat = load_catalog()
    # Llama 3.1 70B: 2 x 80 layers x 8 KV heads x 128 x 2 bytes; Llama 3.1 8B: 2 x 32 x 8 x 128 x 2
    m70, m8 = cat.model("llama-3.1-70b"), cat.model("llama-3.1-8b")
    assert kv_bytes_per_token(m70.layers, m70.kv_heads, m70.head_dim, 2) == 327_680
    assert kv_bytes_per_token(m8.layers, m8.kv_heads, m8.head_dim, 2) == 131_072


def test_unknown_ids_name_the_closest():
    cat = load_catalog()
    with pytest.raises(CostModelError, match=r"cloud_gpu: unknown GPU 'h100'; closest: .*H100-SXM"):
        cat.gpu("h100", "cloud_gpu")
    with pytest.raises(CostModelError, match=r"model: unknown model 'llama3-70b'; closest: .*llama-"):
        cat.model("llama3-70b")


def test_token_price_catalog_is_usable():
    rows = token_price_table()
    assert len(rows) > 100
    assert all(r.input >= 0 and r.output >= 0 and r.cache_read >= 0 for r in rows)
    price = token_price("GPT-5-MINI")  # ids are case-insensitive
    assert price.output >= price.input > 0
    with pytest.raises(CostModelError, match="api_model: unknown model 'gpt-4oo'"):
        token_price("gpt-4oo")
