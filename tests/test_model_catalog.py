"""The model catalog's architecture: every shipped row reproduces its parameter count, its attention columns hold
together, and the KV-cache equation and the config.json reader do their arithmetic (made-up numbers)."""

import math
from types import SimpleNamespace

import pytest

from costengine import CostModelError
from costengine.catalogs import load_catalog
from costengine.model_config import param_counts, row_from_config
from costengine.serving.memory import kv_bytes_per_layer_token, kv_bytes_per_token, kv_cache_gb

NEW_IDS = [
    "llama-4-scout",
    "llama-4-maverick",
    "qwen3-8b",
    "qwen3-32b",
    "qwen3-30b-a3b",
    "qwen3-235b-a22b",
    "qwen3-coder-480b-a35b",
    "deepseek-r1",
    "deepseek-v3.1",
    "deepseek-v3.2",
    "kimi-k2",
    "qwen3-next-80b-a3b",
    "gemma-3-27b",
]


def _independent_count(m):
    """The parameter count written out here, apart from costengine.model_config (the same equation, so the two
    cannot drift): embeddings + layers x (attention + norms) + MLP (dense, or experts + shared experts + router)."""
    h, L = m.hidden_size, m.layers
    emb = m.vocab_size * h * (1 if m.tied_embeddings == "true" else 2)
    if m.kv_lora_rank:  # MLA: low-rank query, joint KV latent + RoPE key, per-head up-projections, output
        d, e, r, q, n = m.head_dim, m.qk_rope_head_dim, m.kv_lora_rank, m.q_lora_rank, m.attention_heads
        attn = (h * q + q * n * (d + e) if q else h * n * (d + e)) + h * (r + e) + r * n * (d + d) + n * d * h
        norms = 2 * h + q + r
    else:  # GQA
        attn = h * m.attention_heads * m.head_dim * 2 + h * m.kv_heads * m.head_dim * 2
        norms = 2 * h
    if m.experts:
        moe_layers = L - m.dense_layers
        expert = 3 * h * m.moe_intermediate_size
        mlp = m.dense_layers * 3 * h * m.intermediate_size
        mlp += moe_layers * ((m.experts + m.shared_experts) * expert + h * m.experts)
        idle = moe_layers * (m.experts - m.experts_per_token) * expert
    else:
        mlp, idle = L * 3 * h * m.intermediate_size, 0
    total = emb + L * (attn + norms) + mlp + h
    return total / 1e9, (total - idle) / 1e9, m.vocab_size * h / 1e9


def test_every_row_reproduces_its_parameter_count_within_3_percent():
    for m in load_catalog().models.values():
        total, active, embedding = _independent_count(m)
        assert param_counts(m).total == pytest.approx(total, rel=1e-12), m.id
        assert total == pytest.approx(m.params_billion, rel=0.03), m.id
        # publishers count the active parameters with the input embedding (a lookup) or without it (gpt-oss)
        assert min(abs(a / m.active_params_billion - 1) for a in (active, active - embedding)) <= 0.03, m.id
        if m.experts:
            assert param_counts(m).experts == pytest.approx(m.expert_params_billion, rel=0.03), m.id


def test_rows_have_sources_licences_and_unique_ids():
    models = load_catalog().models
    assert set(NEW_IDS) <= set(models)
    assert len({m.id.lower() for m in models.values()}) == len(models)
    for m in models.values():
        assert m.source.strip() and m.license.strip() and m.as_of, m.id
    for i in NEW_IDS:  # new rows name the config they were read from: a repository path at a commit
        assert "@" in models[i].source and (".json" in models[i].source or ".py" in models[i].source), i


def test_moe_and_attention_columns_hold_together():
    for m in load_catalog().models.values():
        assert m.active_params_billion < m.params_billion if m.experts else m.active_params_billion == m.params_billion
        assert (m.experts > 0) == (m.moe_intermediate_size > 0), m.id
        assert m.dense_layers < m.layers and m.shared_experts <= 2, m.id
        assert m.sliding_layers + m.linear_layers < m.layers, m.id  # at least one full-attention layer
        assert (m.sliding_layers > 0) == (m.sliding_window > 0), m.id
        assert m.sliding_window < m.context_length, m.id
        assert (m.kv_lora_rank > 0) == (m.qk_rope_head_dim > 0), m.id
        assert isinstance(m.reasoning, bool) and m.tied_embeddings in ("true", "false"), m.id
        assert m.kv_heads <= m.attention_heads and m.attention_heads % m.kv_heads == 0, m.id


def test_row_checks_name_the_column():
    base = load_catalog().model("llama-3.1-8b")
    from dataclasses import replace

    with pytest.raises(CostModelError, match="sliding_window and sliding_layers"):
        replace(base, sliding_layers=4)
    with pytest.raises(CostModelError, match="sliding_layers \\+ linear_layers exceed layers"):
        replace(base, sliding_layers=30, sliding_window=64, linear_layers=3)
    with pytest.raises(CostModelError, match="reasoning must be true or false"):
        replace(base, reasoning="maybe")
    assert replace(base, reasoning="").reasoning is False  # blank: false


# --- the KV-cache equation, made-up architectures ------------------------------------------------------------


def test_kv_per_layer_gqa_and_mla():
    assert float(kv_bytes_per_layer_token(4, 64, 2)) == 2 * 4 * 64 * 2
    assert float(kv_bytes_per_layer_token(99, 99, 2, kv_lora_rank=100, qk_rope_head_dim=20)) == 120 * 2


def test_kv_per_token_sliding_and_linear_layers():
    # 10 layers, 1 KV head of width 50, 1 byte: 100 B per layer and token
    assert float(kv_bytes_per_token(10, 1, 50, 1)) == 1000
    # 4 layers slide over 200 tokens: a 1,000-token sequence holds 6 x 1,000 + 4 x 200 layer-tokens
    k = float(kv_bytes_per_token(10, 1, 50, 1, sliding_layers=4, sliding_window=200, tokens=1000))
    assert k * 1000 == pytest.approx(100 * (6 * 1000 + 4 * 200))
    # shorter than the window: every layer holds every token
    assert float(kv_bytes_per_token(10, 1, 50, 1, sliding_layers=4, sliding_window=200, tokens=150)) == 1000
    # linear-attention layers hold no per-token cache
    assert float(kv_bytes_per_token(10, 1, 50, 1, linear_layers=7)) == 300
    # one sequence of 1,000 tokens of the sliding model [GB]
    gb = float(kv_cache_gb(10, 1, 50, 1000, 1, sliding_layers=4, sliding_window=200))
    assert gb == pytest.approx(100 * (6 * 1000 + 4 * 200) / 1e9)


def test_engine_kv_uses_the_tokens_a_sequence_holds():
    from dataclasses import replace

    import numpy as np

    from costengine.lookup import Lookup
    from costengine.serving.replica import replica

    base = load_catalog().model("llama-3.1-8b")
    slide = replace(base, id="made-up", sliding_window=100, sliding_layers=16)
    rep = replica(Lookup(np.zeros(1, dtype=np.intp), [slide]), np.array(["bf16"], dtype=object), np.array([np.nan]))
    p, o = np.array([300.0]), np.array([200.0])  # holds 300 + 200/2 = 400 tokens on average
    per_layer = 2 * 8 * 128 * 2
    expect = per_layer * (16 + 16 * 100 / 400)
    assert float(rep.kv(np.array([0]), p, o)[0]) == pytest.approx(expect, rel=1e-12)


# --- config.json -> row, made-up configs ------------------------------------------------------------------------

DENSE = {
    "num_hidden_layers": 4,
    "num_attention_heads": 8,
    "num_key_value_heads": 2,
    "hidden_size": 256,
    "intermediate_size": 1024,
    "vocab_size": 1000,
    "max_position_embeddings": 8192,
    "tie_word_embeddings": True,
}
MOE = {
    **DENSE,
    "tie_word_embeddings": False,
    "num_local_experts": 8,
    "num_experts_per_tok": 2,
    "moe_intermediate_size": 512,
    "layer_types": ["sliding_attention", "full_attention"] * 2,
    "sliding_window": 64,
    "quantization_config": {"quant_method": "mxfp4"},
}
MLA = {
    **DENSE,
    "tie_word_embeddings": False,
    "kv_lora_rank": 64,
    "q_lora_rank": 96,
    "qk_rope_head_dim": 16,
    "qk_nope_head_dim": 32,
    "v_head_dim": 32,
    "n_routed_experts": 16,
    "n_shared_experts": 1,
    "num_experts_per_tok": 4,
    "moe_intermediate_size": 128,
    "first_k_dense_replace": 1,
    "quantization_config": {"quant_method": "fp8"},
}
KW = dict(id="x", name="X", license="MIT", source="cfg", as_of="2026-01-01")


def test_dense_gqa_config():
    r = row_from_config(DENSE, **KW)
    h = 256
    attn = 2 * h * 8 * 32 + 2 * h * 2 * 32  # head_dim = hidden / heads = 32
    total = 1000 * h + 4 * (attn + 2 * h + 3 * h * 1024) + h
    assert r["head_dim"] == 32 and r["tied_embeddings"] == "true" and r["native_precision"] == "bf16"
    assert (
        r["params_billion"] == pytest.approx(total / 1e9, rel=1e-4) and r["experts"] == 0 and r["sliding_layers"] == 0
    )
    load_catalog().model("llama-3.1-8b").__class__(**r)  # a valid row


def test_moe_config_with_sliding_layers():
    r = row_from_config(MOE, **KW)
    assert (r["experts"], r["experts_per_token"], r["moe_intermediate_size"]) == (8, 2, 512)
    assert (r["sliding_window"], r["sliding_layers"], r["native_precision"]) == (64, 2, "fp4")
    h = 256
    counts = param_counts(SimpleNamespace(**{**r, "hidden_size": h}))
    assert counts.experts == pytest.approx(4 * 8 * 3 * h * 512 / 1e9)
    assert counts.total - counts.active == pytest.approx(4 * 6 * 3 * h * 512 / 1e9)


def test_mla_config():
    r = row_from_config(MLA, **KW)
    assert (r["kv_lora_rank"], r["qk_rope_head_dim"], r["q_lora_rank"], r["head_dim"]) == (64, 16, 96, 32)
    assert (r["shared_experts"], r["dense_layers"], r["native_precision"]) == (1, 1, "fp8")
    h, n = 256, 8
    attn = 96 * (h + n * 48) + h * 80 + 64 * n * 64 + n * 32 * h
    mlp = 3 * h * 1024 + 3 * (17 * 3 * h * 128 + h * 16)
    total = 2 * 1000 * h + 4 * (attn + 2 * h + 96 + 64) + mlp + h
    assert param_counts(SimpleNamespace(**r)).total == pytest.approx(total / 1e9, rel=1e-12)


@pytest.mark.parametrize(
    "drop, message",
    [
        ("num_key_value_heads", "config.json: num_key_value_heads: missing"),
        ("vocab_size", "config.json: vocab_size: missing"),
        ("intermediate_size", "config.json: intermediate_size: missing"),
    ],
)
def test_missing_keys_are_named(drop, message):
    cfg = {k: v for k, v in DENSE.items() if k != drop}
    with pytest.raises(CostModelError) as e:
        row_from_config(cfg, **KW)
    assert str(e.value) == message


def test_mla_config_without_rope_width_is_named():
    cfg = {k: v for k, v in MLA.items() if k != "qk_rope_head_dim"}
    with pytest.raises(CostModelError, match="config.json: qk_rope_head_dim: missing"):
        row_from_config(cfg, **KW)
    assert math.isfinite(row_from_config(MLA, **KW)["params_billion"])
