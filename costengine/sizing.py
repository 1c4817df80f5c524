"""Sizing from hardware physics: weights, KV cache, GPUs per replica and a roofline throughput estimate.

Every function takes numbers or numpy arrays and returns the same shape, so the scalar API and the
vectorised sweep share one implementation. GB means 10**9 bytes.

The throughput model is an *estimate* (see ``docs/validation.md`` for how it compares with published
measurements); a measured ``seconds_per_request`` always overrides it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import CostModelError

__all__ = [
    "EFF_BANDWIDTH", "EFF_COMPUTE", "KV_MEMORY_FRACTION", "MAX_BATCH",
    "weights_gb", "kv_bytes_per_token", "kv_cache_gb", "serving_memory_gb", "gpus_needed", "kv_bytes_for",
    "flops_for", "max_batch", "roofline", "replica_throughput", "check_fits", "per_precision",
]

#: Achieved share of peak memory bandwidth in decode (vLLM / TensorRT-LLM reach 70-85%).
EFF_BANDWIDTH = 0.8
#: Achieved share of dense peak FLOP/s in prefill and compute-bound decode (model FLOP utilisation ~40-60%).
EFF_COMPUTE = 0.5
#: Share of GPU memory the serving engine may use (vLLM's default gpu_memory_utilization is 0.9).
KV_MEMORY_FRACTION = 0.9
#: Largest number of concurrent sequences per replica (vLLM's default max_num_seqs is 256).
MAX_BATCH = 256


def weights_gb(params_billion, bytes_per_param):
    """Weights [GB] = params [billions] * bytes per parameter.

    >>> float(weights_gb(70, 2))   # seed 004: Llama 2 70B in bfloat16
    140.0
    """
    return np.multiply(params_billion, bytes_per_param) * 1.0


def kv_bytes_for(precision):
    """Bytes per cached K/V value for a serving precision [B].

    The KV cache is kept at 16 bits unless the weights are 8-bit (fp8/int8 engines cache in 8 bits);
    fp32 serving caches at 32 bits; int4 weight-only quantisation keeps a 16-bit cache.
    """
    return per_precision(precision, {"fp32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 2.0})


def per_precision(precision, table):
    """``table[precision]`` for a name, or an array of it for an array of names (looked up once per name)."""
    if isinstance(precision, str):
        return table[precision]
    if len(precision) == 1:  # one scenario (every worksheet call): no need to factorize
        return np.array([table[precision[0]]], dtype=float)
    codes, uniques = pd.factorize(precision if hasattr(precision, "dtype") else np.asarray(precision, dtype=object))
    return np.array([table[u] for u in uniques], dtype=float)[codes]


def kv_bytes_per_token(layers, kv_heads, head_dim, kv_bytes=2.0):
    """KV-cache bytes per token [B] = 2 (K and V) * layers * kv_heads * head_dim * kv_bytes.

    Grouped-query attention aware: ``kv_heads`` is the number of key/value heads, not attention heads.

    >>> float(kv_bytes_per_token(80, 8, 128, 2))   # Llama 3.1 70B at 16 bits
    327680.0
    """
    return 2.0 * np.multiply(np.multiply(np.multiply(layers, kv_heads), head_dim), kv_bytes)


def kv_cache_gb(layers, kv_heads, head_dim, tokens, kv_bytes=2.0):
    """KV cache [GB] for ``tokens`` tokens in flight."""
    return kv_bytes_per_token(layers, kv_heads, head_dim, kv_bytes) * np.asarray(tokens, dtype=float) / 1e9


def serving_memory_gb(params_billion, bytes_per_param, memory_overhead=1.2):
    """Serving memory [GB] = weights [GB] * memory overhead (KV cache, activations)."""
    return weights_gb(params_billion, bytes_per_param) * memory_overhead


def gpus_needed(params_billion, gpu_memory_gb, bytes_per_param=2.0, memory_overhead=1.2):
    """GPUs for one replica = ceil(serving memory [GB] / GPU memory [GB]).

    >>> int(gpus_needed(70, 80, 2, 1.2))   # 168 GB on 80 GB GPUs
    3
    """
    need = serving_memory_gb(params_billion, bytes_per_param, memory_overhead)
    # round away float noise (e.g. 2.0000000000000004) before the ceiling
    return np.ceil(np.round(need / np.asarray(gpu_memory_gb, dtype=float), 9))


def flops_for(precision, bf16_tflops, fp8_tflops):
    """Dense peak FLOP/s used for a serving precision [FLOP/s].

    bf16/fp16: the bf16 tensor peak; fp8/int8: the 8-bit peak; int4 (weight-only, 16-bit activations):
    the bf16 peak; fp32: half the bf16 peak (TF32 tensor cores).
    """
    factor = {"fp32": ("bf16", 0.5), "bf16": ("bf16", 1.0), "fp16": ("bf16", 1.0), "fp8": ("fp8", 1.0),
              "int8": ("fp8", 1.0), "int4": ("bf16", 1.0)}
    eight = per_precision(precision, {k: float(v[0] == "fp8") for k, v in factor.items()})
    f = per_precision(precision, {k: v[1] for k, v in factor.items()})
    return np.where(eight == 1.0, fp8_tflops, bf16_tflops) * f * 1e12


def max_batch(n_gpus, gpu_memory_gb, weight_bytes, kv_per_token, context_tokens,
              memory_fraction=KV_MEMORY_FRACTION):
    """Largest batch whose KV cache fits [sequences] = floor((n * memory * fraction - W) / (k * (p + o))).

    Can be < 1 when the model does not fit (callers report it).
    """
    free = np.asarray(n_gpus, dtype=float) * np.asarray(gpu_memory_gb, dtype=float) * 1e9 * memory_fraction
    free = free - weight_bytes
    per_seq = np.asarray(kv_per_token, dtype=float) * np.asarray(context_tokens, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = np.where(per_seq > 0, np.floor(free / np.where(per_seq > 0, per_seq, 1.0)), np.inf)
    return np.where(free <= 0, 0.0, b)


def roofline(*, n_gpus, gpu_memory_gb, bandwidth_tbps, peak_flops, params_billion, active_params_billion,
             bytes_per_param, kv_per_token, prompt_tokens, output_tokens, batch=None,
             eff_bandwidth=EFF_BANDWIDTH, eff_compute=EFF_COMPUTE, batch_cap=MAX_BATCH,
             memory_fraction=KV_MEMORY_FRACTION):
    """Roofline throughput of one replica of ``n_gpus`` GPUs (tensor parallel).

    Parameters
    ----------
    n_gpus : numeric  GPUs in the replica. [count]
    gpu_memory_gb : numeric  memory of one GPU. [GB]
    bandwidth_tbps : numeric  memory bandwidth of one GPU. [TB/s]
    peak_flops : numeric  dense peak of one GPU at the serving precision. [FLOP/s]
    params_billion, active_params_billion : numeric  total (in memory) and active (computed) parameters. [1e9]
    bytes_per_param : numeric  bytes per weight. [B]
    kv_per_token : numeric  KV-cache bytes per token. [B]
    prompt_tokens, output_tokens : numeric  p and o per request. [tokens]
    batch : numeric, optional  concurrent sequences; default min(largest that fits, ``batch_cap``).
    eff_bandwidth, eff_compute : float  achieved shares of peak bandwidth and FLOP/s.

    Returns
    -------
    dict of arrays: ``batch`` [sequences], ``max_batch`` [sequences], ``decode_step_s`` [s],
    ``prefill_s`` [s/request], ``requests_per_s`` [1/s], ``output_tokens_per_s`` [tokens/s],
    ``seconds_per_request`` [replica-s].

    Notes
    -----
    With W weight bytes, k KV bytes per token, BW bandwidth and F peak FLOP/s (PRODUCT.md, "Throughput model")::

        decode step  = max((W + B*k*(p + o/2)) / (n*BW*eff_bw), 2*active*B / (n*F*eff_f))
        prefill      = 2*active*p / (n*F*eff_f)                       (per request)
        B           <= (n*memory*0.9 - W) / (k*(p + o))
        requests/s   = B / (B*prefill + o*decode step);  seconds per request = 1 / requests/s

    Decode reads all weights once per step plus each sequence's KV cache (on average half the output
    has been generated); prefill is compute-bound. It ignores scheduling gaps, communication between
    tensor-parallel GPUs and speculative decoding: an estimate, not a benchmark.
    """
    n = np.asarray(n_gpus, dtype=float)
    p = np.asarray(prompt_tokens, dtype=float)
    o = np.asarray(output_tokens, dtype=float)
    w_bytes = np.asarray(params_billion, dtype=float) * 1e9 * np.asarray(bytes_per_param, dtype=float)
    active = np.asarray(active_params_billion, dtype=float) * 1e9
    k = np.asarray(kv_per_token, dtype=float)
    bw = n * np.asarray(bandwidth_tbps, dtype=float) * 1e12 * eff_bandwidth
    fl = n * np.asarray(peak_flops, dtype=float) * eff_compute
    b_max = max_batch(n, gpu_memory_gb, w_bytes, k, p + o, memory_fraction)
    b = np.minimum(b_max, batch_cap) if batch is None else np.minimum(np.asarray(batch, dtype=float), b_max)
    b = np.where(b >= 1, b, np.nan)
    decode = np.maximum((w_bytes + b * k * (p + o / 2.0)) / bw, 2.0 * active * b / fl)
    prefill = 2.0 * active * p / fl
    with np.errstate(divide="ignore", invalid="ignore"):
        rps = b / (b * prefill + o * decode)
    return {"batch": b, "max_batch": b_max, "decode_step_s": decode, "prefill_s": prefill,
            "requests_per_s": rps, "output_tokens_per_s": rps * o, "seconds_per_request": 1.0 / rps}


def check_fits(b_max: float, *, key: str, n_gpus: float, gpu_memory_gb: float, weight_gb: float,
               kv_gb_per_sequence: float, gpu_id: str) -> None:
    """Raise a :class:`CostModelError` saying how much memory is needed when not one sequence fits."""
    if b_max >= 1:
        return
    need = (weight_gb + kv_gb_per_sequence) / KV_MEMORY_FRACTION
    have = n_gpus * gpu_memory_gb
    raise CostModelError(key, f"the model does not fit: it needs {need:,.1f} GB ({weight_gb:,.1f} GB of weights "
                         f"+ {kv_gb_per_sequence:,.2f} GB of KV cache per sequence, at "
                         f"{KV_MEMORY_FRACTION:.0%} usable) but {n_gpus:g} x {gpu_id} have {have:,.0f} GB")


def replica_throughput(model, gpu, n_gpus=None, precision=None, prompt_tokens=1000, output_tokens=500,
                       batch=None, max_ttft_s=None, max_tpot_ms=None, **options):
    """Serving estimate of one replica of catalog rows ``model`` on ``gpu``: see
    :func:`costengine.throughput.replica_throughput` (layouts, latency targets, the serving model)."""
    from .throughput import replica_throughput as estimate

    return estimate(model, gpu, n_gpus, precision, prompt_tokens, output_tokens, batch, max_ttft_s, max_tpot_ms,
                    **options)
