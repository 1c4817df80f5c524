"""A model's parameter count from its architecture, and a Hugging Face ``config.json`` turned into a model row.

:func:`param_counts` is the one formula for the parameter count of a catalog row (or of any object with the
row's architecture columns); the catalog's integrity test holds every shipped row to it within 3%, and
``llmcost catalog add-model`` (:func:`row_from_config`) fills a new row's counts with it. No network: the
config is a dict the caller has read.

Equation (docs/model.md#parameter-count), in parameters, with h = hidden_size, L = layers, H = attention heads,
G = KV heads, d = head_dim, V = vocab_size:

- embeddings: V * h, twice unless ``tied_embeddings`` (input and output matrices);
- attention per layer: GQA 2*h*H*d (query, output) + 2*h*G*d (key, value); MLA (``kv_lora_rank`` r > 0, rope
  width e, query rank q): q*(h + H*(d + e)) (or h*H*(d + e) when q = 0) + h*(r + e) + r*H*2*d + H*d*h;
  linear-attention layers are counted as attention layers (their projections are of the same order);
- norms: 2*h per layer (+ q + r with MLA) and h at the end;
- MLP: 3*h*i per dense layer (gated: gate, up, down), i = intermediate_size; a MoE layer holds
  (experts + shared_experts) * 3*h*m (m = moe_intermediate_size) + a router h*experts; ``dense_layers`` of a
  MoE model are dense; active = total - MoE layers * (experts - experts_per_token) * 3*h*m.

Biases, attention sinks, the MTP module of DeepSeek-V3 and vision encoders are not counted (under 1.5% for
every shipped row).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NamedTuple

from .errors import CostModelError

__all__ = ["ParamCounts", "param_counts", "row_from_config", "CONFIG_KEYS"]


class ParamCounts(NamedTuple):
    """Parameter counts [1e9]: all, active per token, routed experts, and the input embedding matrix (a lookup
    that does no arithmetic: some publishers leave it out of the active count, e.g. gpt-oss's model card)."""

    total: float
    active: float
    experts: float
    embedding: float


def _attention(a: Any) -> float:
    h, n, d = a.hidden_size, a.attention_heads, a.head_dim
    if a.kv_lora_rank > 0:
        r, e, q = a.kv_lora_rank, a.qk_rope_head_dim, a.q_lora_rank
        query = q * (h + n * (d + e)) if q > 0 else h * n * (d + e)
        return query + h * (r + e) + r * n * 2 * d + n * d * h
    return 2 * h * n * d + 2 * h * a.kv_heads * d


def param_counts(a: Any) -> ParamCounts:
    """Parameter counts [1e9] of an architecture (a catalog row or any object with its columns), by the equation of
    the module docstring."""
    h, layers = a.hidden_size, a.layers
    embed = a.vocab_size * h * (1 if a.tied_embeddings == "true" else 2)
    norms = 2 * h + (a.q_lora_rank + a.kv_lora_rank if a.kv_lora_rank > 0 else 0)
    dense_mlp = 3 * h * a.intermediate_size
    if a.experts > 0:
        moe_layers = layers - a.dense_layers
        expert = 3 * h * a.moe_intermediate_size
        routed = moe_layers * a.experts * expert
        moe = routed + moe_layers * (a.shared_experts * expert + h * a.experts)
        mlp = a.dense_layers * dense_mlp + moe
        idle = moe_layers * (a.experts - a.experts_per_token) * expert
    else:
        routed, idle, mlp = 0, 0, layers * dense_mlp
    total = embed + layers * (_attention(a) + norms) + mlp + h
    return ParamCounts(total / 1e9, (total - idle) / 1e9, routed / 1e9, a.vocab_size * h / 1e9)


#: What :func:`row_from_config` reads from a config (``text_config`` of multimodal configs), by row column.
CONFIG_KEYS: dict[str, tuple[str, ...]] = {
    "layers": ("num_hidden_layers",),
    "attention_heads": ("num_attention_heads",),
    "kv_heads": ("num_key_value_heads",),
    "hidden_size": ("hidden_size",),
    "vocab_size": ("vocab_size",),
    "context_length": ("max_position_embeddings",),
    "intermediate_size": ("intermediate_size_mlp", "intermediate_size"),
    "experts": ("num_local_experts", "n_routed_experts", "num_experts"),
    "experts_per_token": ("num_experts_per_tok", "experts_per_token"),
}


def _sig(x: float) -> float:
    """``x`` to 5 significant digits (a count in billions, small models included)."""
    return float(f"{x:.5g}")


class _Arch:
    """The architecture columns of a row under construction (attribute access for :func:`param_counts`)."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.__dict__.update(values)


def _get(cfg: Mapping[str, Any], keys: tuple[str, ...], default: Any = None, where: str = "config.json") -> Any:
    for k in keys:
        if cfg.get(k) is not None:
            return cfg[k]
    if default is None:
        raise CostModelError(where, f"{keys[-1]}: missing")
    return default


def _count(cfg: Mapping[str, Any], key: str, value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or not float(value).is_integer():
        raise CostModelError(where, f"{key}: must be a whole number >= 0 (got {value!r})")
    return int(value)


def _layer_kinds(cfg: Mapping[str, Any], layers: int, where: str) -> tuple[int, int, int]:
    """(sliding_window, sliding_layers, linear_layers) from ``layer_types`` (gpt-oss, Gemma 3, Qwen3-Next),
    ``sliding_window_pattern`` (Gemma 3: every n-th layer global), ``full_attention_interval`` (Qwen3-Next),
    ``attention_chunk_size`` with ``no_rope_layers``/interval 4 (Llama 4: 3 of 4 layers chunked)."""
    window = cfg.get("sliding_window") or 0
    kinds = cfg.get("layer_types")
    if isinstance(kinds, list) and kinds:
        sliding = sum(1 for k in kinds if "sliding" in str(k) or "chunked" in str(k))
        linear = sum(1 for k in kinds if "linear" in str(k))
        return (int(window) if sliding else 0), (sliding if window else 0), linear
    if cfg.get("full_attention_interval"):
        n = _count(cfg, "full_attention_interval", cfg["full_attention_interval"], where)
        return 0, 0, layers - layers // n
    if cfg.get("sliding_window_pattern") and window:
        n = _count(cfg, "sliding_window_pattern", cfg["sliding_window_pattern"], where)
        return int(window), layers - layers // n, 0
    if cfg.get("attention_chunk_size"):  # Llama 4 iRoPE: every 4th layer global (NoPE), the others chunked
        return int(cfg["attention_chunk_size"]), layers - layers // 4, 0
    if window and cfg.get("use_sliding_window", True) and int(window) < int(cfg.get("max_position_embeddings", 0)):
        return int(window), layers, 0
    return 0, 0, 0


def row_from_config(
    config: Mapping[str, Any],
    *,
    id: str,
    name: str,
    license: str,
    source: str,
    as_of: str,
    where: str = "config.json",
) -> dict[str, Any]:
    """The model row (by catalog column) a Hugging Face ``config.json`` describes; the parameter counts by
    :func:`param_counts`. Raises :class:`CostModelError` ``config.json: <key>: missing`` for a key it needs."""
    cfg = config.get("text_config") if isinstance(config.get("text_config"), Mapping) else config
    if not isinstance(cfg, Mapping):
        raise CostModelError(where, "not a JSON object")
    v: dict[str, Any] = {}
    for col, keys in CONFIG_KEYS.items():
        optional = col in ("experts", "experts_per_token")
        raw = _get(cfg, keys, 0 if optional else None, where)
        v[col] = _count(cfg, keys[0], raw, where)
    heads = v["attention_heads"]
    if heads == 0 or v["layers"] == 0 or v["hidden_size"] == 0:
        raise CostModelError(where, "num_attention_heads, num_hidden_layers and hidden_size must be > 0")
    v["kv_lora_rank"] = _count(cfg, "kv_lora_rank", cfg.get("kv_lora_rank") or 0, where)
    if v["kv_lora_rank"]:
        v["qk_rope_head_dim"] = _count(cfg, "qk_rope_head_dim", _get(cfg, ("qk_rope_head_dim",), None, where), where)
        v["head_dim"] = _count(cfg, "v_head_dim", _get(cfg, ("v_head_dim", "qk_nope_head_dim"), None, where), where)
        v["q_lora_rank"] = _count(cfg, "q_lora_rank", cfg.get("q_lora_rank") or 0, where)
    else:
        v["qk_rope_head_dim"] = v["q_lora_rank"] = 0
        v["head_dim"] = _count(cfg, "head_dim", cfg.get("head_dim") or v["hidden_size"] // heads, where)
    if v["kv_heads"] == 0 or heads % v["kv_heads"]:
        raise CostModelError(where, f"num_key_value_heads: must divide num_attention_heads ({heads})")
    v["sliding_window"], v["sliding_layers"], v["linear_layers"] = _layer_kinds(cfg, v["layers"], where)
    v["tied_embeddings"] = "true" if cfg.get("tie_word_embeddings", False) else "false"
    moe = v["experts"] > 0
    if moe and not v["experts_per_token"]:
        raise CostModelError(where, "num_experts_per_tok: missing")
    width = cfg.get("moe_intermediate_size") or (cfg.get("intermediate_size") if moe else 0) or 0
    v["moe_intermediate_size"] = _count(cfg, "moe_intermediate_size", width, where) if moe else 0
    shared = cfg.get("n_shared_experts") or cfg.get("num_shared_experts") or 0
    if moe and cfg.get("shared_expert_intermediate_size"):  # Qwen3-Next: one shared expert of that width
        shared = cfg["shared_expert_intermediate_size"] / v["moe_intermediate_size"]
    if moe and cfg.get("model_type") in ("llama4_text", "llama4"):
        shared = 1  # Llama 4: one shared expert per MoE layer (intermediate_size wide)
    v["shared_experts"] = _count(cfg, "n_shared_experts", shared, where) if moe else 0
    dense = cfg.get("first_k_dense_replace") or 0
    step = cfg.get("interleave_moe_layer_step") or 1
    if moe and step > 1:  # Llama 4 Maverick: every step-th layer is MoE, the others dense
        dense = v["layers"] - v["layers"] // step
    v["dense_layers"] = _count(cfg, "first_k_dense_replace", dense, where) if moe else 0
    counts = param_counts(_Arch(v))
    q = cfg.get("quantization_config") or {}
    fmt = str(q.get("quant_method", "") if isinstance(q, Mapping) else "").lower()
    precision = {"fp8": "fp8", "mxfp4": "fp4", "nvfp4": "fp4"}.get(fmt, "bf16")
    row = {
        "id": id,
        "name": name,
        "params_billion": _sig(counts.total),
        "active_params_billion": _sig(counts.active),
        "layers": v["layers"],
        "attention_heads": heads,
        "kv_heads": v["kv_heads"],
        "head_dim": v["head_dim"],
        "hidden_size": v["hidden_size"],
        "context_length": v["context_length"],
        "license": license,
        "source": source,
        "as_of": as_of,
        "notes": "from config.json by llmcost catalog add-model; parameter counts computed (costengine.model_config)",
        "native_precision": precision,
        "experts": v["experts"],
        "experts_per_token": v["experts_per_token"] if moe else 0,
        "expert_params_billion": _sig(counts.experts),
    }
    for col in (
        "kv_lora_rank",
        "qk_rope_head_dim",
        "sliding_window",
        "sliding_layers",
        "linear_layers",
        "vocab_size",
        "tied_embeddings",
        "intermediate_size",
        "moe_intermediate_size",
        "shared_experts",
        "dense_layers",
        "q_lora_rank",
    ):
        row[col] = v[col]
    row["reasoning"] = "false"
    if not math.isfinite(counts.total) or counts.total <= 0:
        raise CostModelError(where, "vocab_size/intermediate_size: the parameter count is not positive")
    return row
