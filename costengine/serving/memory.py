"""Memory of one replica: the precision table, weights, KV cache and the batch that fits.

Every function takes numbers or numpy arrays and returns the same shape, so the scalar API and the vectorised
sweep share one implementation. GB means 10**9 bytes. :data:`PRECISIONS` is the one table of what a serving
precision means (bytes per weight, bytes per cached K/V value, the tensor-core precision it computes in); the
scenario, the workbook's Constants sheet and the worksheet functions read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CostModelError
from .parameters import DEFAULT_EFFICIENCIES, Efficiencies

__all__ = [
    "Precision",
    "PRECISIONS",
    "PRECISION_BY_BYTES",
    "parse_precision",
    "per_precision",
    "weights_gb",
    "kv_bytes_per_layer_token",
    "kv_bytes_per_token",
    "kv_layers_held",
    "kv_cache_gb",
    "serving_memory_gb",
    "gpus_needed",
    "memory_batch",
]


@dataclass(frozen=True)
class Precision:
    """What a serving precision means for memory and compute.

    weight_bytes : bytes per parameter. [B]
    kv_bytes : bytes per cached K/V value: 8-bit engines cache in 8 bits; 4-bit weights keep a 16-bit cache
        (vLLM's default). [B]
    compute : the tensor-core precision it computes in (int4 is weight-only: 16-bit activations).
    """

    weight_bytes: float
    kv_bytes: float
    compute: str


#: The serving precisions. fp4 covers MXFP4 and NVFP4 (4-bit floats with a shared scale per block; the scales
#: add ~6%, not counted).
PRECISIONS: MappingProxyType[str, Precision] = MappingProxyType(
    {
        "fp32": Precision(4.0, 4.0, "bf16"),
        "bf16": Precision(2.0, 2.0, "bf16"),
        "fp16": Precision(2.0, 2.0, "bf16"),
        "fp8": Precision(1.0, 1.0, "fp8"),
        "int8": Precision(1.0, 1.0, "fp8"),
        "fp4": Precision(0.5, 2.0, "fp4"),
        "int4": Precision(0.5, 2.0, "bf16"),
    }
)
#: Numbers accepted for a precision (bytes per parameter [B]) and the precision name each stands for.
PRECISION_BY_BYTES: MappingProxyType[float, str] = MappingProxyType({4.0: "fp32", 2.0: "bf16", 1.0: "fp8", 0.5: "fp4"})


def parse_precision(v: Any, strict: bool = True) -> Any:
    """The precision name for a name (case-insensitive) or a number of bytes per parameter.

    ``2`` -> ``"bf16"``, ``1`` -> ``"fp8"``, ``0.5`` -> ``"fp4"``, ``4`` -> ``"fp32"``.
    With ``strict`` an unknown value raises :class:`CostModelError`; otherwise it is returned as is
    for pydantic to report.
    """
    if isinstance(v, str):
        name = v.strip().lower()
        if name in PRECISIONS:
            return name
        try:
            v = float(name)
        except ValueError:
            if strict:
                raise CostModelError(
                    "precision",
                    f"must be one of {', '.join(PRECISIONS)} or bytes per parameter 4, 2, 1, 0.5 (got {v!r})",
                ) from None
            return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        if float(v) in PRECISION_BY_BYTES:
            return PRECISION_BY_BYTES[float(v)]
        if strict:
            raise CostModelError("precision", f"bytes per parameter must be 4, 2, 1 or 0.5 (got {v!r})")
    elif strict:
        raise CostModelError("precision", f"must be one of {', '.join(PRECISIONS)} (got {v!r})")
    return v


def per_precision(precision, table):
    """``table[precision]`` for a name, or an array of it for an array of names (looked up once per name)."""
    if isinstance(precision, str):
        return table[precision]
    if len(precision) == 1:  # one scenario (every worksheet call): no need to factorize
        return np.array([table[precision[0]]], dtype=float)
    codes, uniques = pd.factorize(precision if hasattr(precision, "dtype") else np.asarray(precision, dtype=object))
    return np.array([table[u] for u in uniques], dtype=float)[codes]


def weights_gb(params_billion, bytes_per_param):
    """Weights [GB] = params [billions] * bytes per parameter.

    >>> float(weights_gb(70, 2))   # seed 004: Llama 2 70B in bfloat16
    140.0
    """
    return np.multiply(params_billion, bytes_per_param) * 1.0


def kv_bytes_per_layer_token(kv_heads, head_dim, kv_bytes=2.0, kv_lora_rank=0, qk_rope_head_dim=0):
    """KV-cache bytes one attention layer holds per token [B].

    = 2 (K and V) * kv_heads * head_dim * kv_bytes; with multi-head latent attention (``kv_lora_rank`` > 0,
    DeepSeek-V3 and Kimi K2) = (kv_lora_rank + qk_rope_head_dim) * kv_bytes: the compressed latent and the
    RoPE key shared by all heads (DeepSeek-V2 paper, arXiv 2405.04434, section 2.1).

    >>> float(kv_bytes_per_layer_token(8, 128, 2))   # Llama 3.1 70B at 16 bits
    4096.0
    >>> float(kv_bytes_per_layer_token(128, 128, 1, 512, 64))   # DeepSeek-V3 at 8 bits
    576.0
    """
    mla = np.asarray(kv_lora_rank) > 0
    return np.where(
        mla,
        np.multiply(np.add(kv_lora_rank, qk_rope_head_dim), kv_bytes) * 1.0,
        2.0 * np.multiply(np.multiply(kv_heads, head_dim), kv_bytes),
    )


def kv_bytes_per_token(
    layers,
    kv_heads,
    head_dim,
    kv_bytes=2.0,
    kv_lora_rank=0,
    qk_rope_head_dim=0,
    sliding_layers=0,
    sliding_window=0,
    linear_layers=0,
    tokens=np.inf,
):
    """KV-cache bytes per token [B] of a sequence that holds ``tokens`` tokens (docs/model.md#weights-and-kv-cache).

    k = per-layer bytes * (layers - sliding_layers - linear_layers + sliding_layers * min(tokens, window) / tokens):
    full-attention layers keep every token; sliding-window layers keep at most ``sliding_window`` tokens (a
    token's share of them falls as the sequence grows); linear-attention layers keep a fixed state per sequence
    and no per-token cache (neglected). The per-layer bytes are :func:`kv_bytes_per_layer_token` (MLA aware).
    The engine passes tokens = p + o/2 (what a sequence holds on average), so k * (p + o/2) is the cache of a
    sequence; ``tokens`` = inf gives the full-attention layers only (a very long sequence).

    >>> float(kv_bytes_per_token(80, 8, 128, 2))   # Llama 3.1 70B at 16 bits, any length
    327680.0
    >>> float(kv_bytes_per_token(24, 8, 64, 2, sliding_layers=12, sliding_window=128, tokens=1024))  # gpt-oss-20b
    27648.0
    """
    per_layer = kv_bytes_per_layer_token(kv_heads, head_dim, kv_bytes, kv_lora_rank, qk_rope_head_dim)
    return per_layer * kv_layers_held(layers, sliding_layers, sliding_window, linear_layers, tokens)


def kv_layers_held(layers, sliding_layers=0, sliding_window=0, linear_layers=0, tokens=np.inf):
    """Layers' worth of per-token KV cache a sequence of ``tokens`` tokens holds [layers]
    = layers - sliding_layers - linear_layers + sliding_layers * min(tokens, sliding_window) / tokens."""
    tokens = np.asarray(tokens, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(tokens > 0, np.minimum(tokens, sliding_window) / np.where(tokens > 0, tokens, 1.0), 1.0)
    share = np.where(np.asarray(sliding_layers) > 0, share, 0.0)
    return np.subtract(np.subtract(layers, sliding_layers), linear_layers) + np.multiply(sliding_layers, share)


def kv_cache_gb(layers, kv_heads, head_dim, tokens, kv_bytes=2.0, **attention):
    """KV cache [GB] of one sequence of ``tokens`` tokens = :func:`kv_bytes_per_token` at that length * tokens / 1e9
    (``attention``: the MLA, sliding-window and linear-layer columns of :func:`kv_bytes_per_token`)."""
    n = np.asarray(tokens, dtype=float)
    return kv_bytes_per_token(layers, kv_heads, head_dim, kv_bytes, tokens=n, **attention) * n / 1e9


def serving_memory_gb(params_billion, bytes_per_param, memory_overhead=1.2):
    """Serving memory [GB] = weights [GB] * memory overhead (KV cache, activations)."""
    return weights_gb(params_billion, bytes_per_param) * memory_overhead


def gpus_needed(params_billion, gpu_memory_gb, bytes_per_param=2.0, memory_overhead=1.2):
    """GPUs for one replica = ceil(serving memory [GB] / GPU memory [GB]), the quick memory-only rule.

    >>> int(gpus_needed(70, 80, 2, 1.2))   # 168 GB on 80 GB GPUs
    3
    """
    need = serving_memory_gb(params_billion, bytes_per_param, memory_overhead)
    # round away float noise (e.g. 2.0000000000000004) before the ceiling
    return np.ceil(np.round(need / np.asarray(gpu_memory_gb, dtype=float), 9))


def memory_batch(n_gpus, gpu_memory_gb, w_bytes, kv, p, o, eff: Efficiencies = DEFAULT_EFFICIENCIES) -> np.ndarray:
    """Largest batch whose KV cache fits [sequences].

    ``floor((n*memory*fraction - W - n*activations) / (k*(p + o/2)))``: engines give the KV cache what is left of
    their share of memory after weights and activations, allocated page by page, so a batch of sequences at
    every stage of their output holds on average p + o/2 tokens each. 0 when not one sequence fits.
    """
    n = np.asarray(n_gpus, dtype=float)
    free = (
        n * np.asarray(gpu_memory_gb, dtype=float) * 1e9 * eff.kv_memory_fraction
        - w_bytes
        - n * eff.activation_gb_per_gpu * 1e9
    )
    per_seq = np.asarray(kv, dtype=float) * (np.asarray(p, dtype=float) + np.asarray(o, dtype=float) / 2.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(per_seq > 0, np.floor(free / np.where(per_seq > 0, per_seq, 1.0)), np.inf)
    return np.maximum(np.where(free <= 0, 0.0, b), 0.0)
