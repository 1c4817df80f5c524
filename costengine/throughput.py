"""Throughput of one replica from catalog rows: the serving model of :mod:`costengine.serving` for a model
on a GPU, as the worksheet function ``LLM_THROUGHPUT`` and notebooks call it."""

from __future__ import annotations

from types import MappingProxyType
import numpy as np

from . import serving
from .catalogs import GPU, Catalog, OpenModel
from .lookup import lookup as _lookup
from .replicas import ModelColumns as _ModelColumns, derive as _derive
from .scenario import Scenario

__all__ = ["replica_throughput", "replica_from_rows", "estimate"]


def replica_throughput(model: OpenModel, gpu: GPU, n_gpus: float | None = None, precision: str | None = None,
                       prompt_tokens: float = 1000, output_tokens: float = 500, batch: float | None = None,
                       max_ttft_s: float | None = None, max_tpot_ms: float | None = None, *, node_gpus: int = 8,
                       target_utilization: float = 0.7, memory_overhead: float = 1.2) -> dict[str, float]:
    """Serving estimate for one replica of ``model`` on ``gpu`` (catalog rows).

    ``n_gpus`` blank: the layout with the highest throughput per GPU on a node of ``node_gpus`` (PRODUCT.md,
    "Serving"); ``batch`` blank: the largest that fits and meets ``max_ttft_s`` [s] and ``max_tpot_ms``
    [ms/token] (None = no target). Returns floats: ``output_tokens_per_s`` [tokens/s], ``requests_per_s``,
    ``seconds_per_request`` [replica-s], ``batch`` [sequences], ``max_batch`` (memory) [sequences], ``ttft_s`` [s],
    ``tpot_ms`` [ms], ``decode_step_s`` [s], ``n_gpus``, ``tp``, ``pp`` [count].

    Raises :class:`~costengine.errors.CostModelError` naming the key when nothing fits or no batch meets a
    target (with the best reachable TPOT/TTFT), or when the prompt overflows the context window.
    """
    cat = Catalog(gpus=MappingProxyType({gpu.id.lower(): gpu}), models=MappingProxyType({model.id.lower(): model}))
    s = Scenario(model=model.id, precision=precision, prompt_tokens=prompt_tokens, output_tokens=output_tokens,
                 max_ttft_s=max_ttft_s or 0.0, max_tpot_ms=max_tpot_ms or 0.0, cloud_gpu=gpu.id,
                 cloud_price_per_gpu_hour=1.0, cloud_gpus_per_replica=n_gpus, target_utilization=target_utilization,
                 memory_overhead=memory_overhead)
    from .engine import scenario_columns

    cols = scenario_columns(s)
    mc = _ModelColumns(cols, cat, None)
    hw = _lookup(np.asarray(cols["cloud_gpu"], dtype=object), np.ones(1, dtype=bool), lambda g: cat.gpu(g), None)
    node = np.array([float(node_gpus)])
    typed_n = cols["cloud_gpus_per_replica"].astype(float)
    lay = _derive(cols, mc, hw, node, typed_n, "replica", "gpus")
    n, tp, pp = float(lay["gpus"][0]), float(lay["tp"][0]), float(lay["pp"][0])
    args = mc.serving_args(hw, np.array([0]))
    m = serving.ReplicaModel(bw=args["hw"]["bw"], flops=args["hw"]["flops"], link=args["hw"]["link"],
                             allreduce_s=args["hw"]["allreduce_s"], sw_eff=args["hw"]["sw_eff"], tp=np.array([tp]),
                             pp=np.array([pp]), w_bytes=args["w_bytes"], w_expert_bytes=args["w_expert_bytes"],
                             experts=args["md"]["experts"], top_k=args["md"]["top_k"], active=args["md"]["active"],
                             kv=args["kv"], layers=args["md"]["layers"], hidden=args["md"]["hidden"],
                             attn_width=args["md"]["attn_width"], p=args["p"], o=args["o"], util=args["util"],
                             compute_eff=args["compute_eff"])
    b_mem = float(serving.memory_batch(n, gpu.memory_gb, args["w_bytes"], args["kv"], args["p"], args["o"])[0])
    b = float(lay["batch"][0]) if batch is None else min(float(batch), b_mem)
    if batch is not None and b < 1:
        from .errors import CostModelError
        raise CostModelError("batch", f"not one sequence fits on {n:g} x {gpu.id}")
    t = serving.step_times(m, np.array([b]))
    rps = float(t["requests_per_s"][0])
    return {"output_tokens_per_s": rps * output_tokens, "requests_per_s": rps, "seconds_per_request": 1.0 / rps,
            "batch": b, "max_batch": min(b_mem, serving.DEFAULT_EFFICIENCIES.max_batch),
            "ttft_s": float(t["ttft_s"][0]), "tpot_ms": float(t["tpot_s"][0]) * 1000.0,
            "decode_step_s": float(t["decode_step_s"][0]), "prefill_s": float(t["prefill_s"][0]), "n_gpus": n,
            "tp": tp, "pp": pp}


def replica_from_rows(model, gpu, *, tp: float, pp: float = 1.0, precision: str | None = None,
                      prompt_tokens: float = 1000, output_tokens: float = 500, util: float = 0.7,
                      eff: serving.Efficiencies = serving.DEFAULT_EFFICIENCIES) -> tuple[serving.ReplicaModel, float]:
    """The :class:`~costengine.serving.ReplicaModel` of one replica of catalog rows ``model`` on ``gpu``, and its memory batch.

    ``precision`` blank = the model's native format. 4-bit MoE checkpoints (MXFP4, NVFP4) quantise the routed
    experts and keep the rest at 16 bits (gpt-oss); otherwise every weight is at ``precision``. A precision
    the GPU has no tensor cores for computes at the bf16 rate (:meth:`GPU.tflops`); fp32 at half of it.
    """
    prec = precision or model.native_precision
    bpp = serving.WEIGHT_BYTES[prec]
    expert = model.expert_params_billion * 1e9
    w_expert = expert * bpp
    if bpp == 0.5 and model.experts > 0:
        w = w_expert + (model.params_billion * 1e9 - expert) * 2.0
    else:
        w = model.params_billion * 1e9 * bpp
    flops = gpu.tflops(serving.COMPUTE[prec]) * 1e12 * (0.5 if prec == "fp32" else 1.0)
    kv = 2.0 * model.layers * model.kv_heads * model.head_dim * serving.KV_BYTES[prec]
    moe = model.experts > 0
    a = lambda v: np.array([float(v)])  # noqa: E731
    m = serving.ReplicaModel(bw=a(gpu.bandwidth_tbps * 1e12), flops=a(flops), link=a(gpu.interconnect_gbps * 1e9),
                     allreduce_s=a(serving.ALLREDUCE_LATENCY_S[gpu.interconnect]), sw_eff=a(gpu.serving_efficiency),
                     tp=a(tp), pp=a(pp), w_bytes=a(w), w_expert_bytes=a(w_expert), experts=a(model.experts),
                     top_k=a(model.experts_per_token), active=a(model.active_params_billion * 1e9), kv=a(kv),
                     layers=a(model.layers), hidden=a(model.hidden_size),
                     attn_width=a(model.attention_heads * model.head_dim), p=a(prompt_tokens), o=a(output_tokens),
                     util=a(util), compute_eff=a(eff.compute * (eff.moe_compute if moe else 1.0)))
    b_mem = float(serving.memory_batch(tp * pp, gpu.memory_gb, w, kv, prompt_tokens, output_tokens, eff))
    return m, b_mem


def estimate(model, gpu, *, tp: float, pp: float = 1.0, precision: str | None = None, prompt_tokens: float = 1000,
             output_tokens: float = 500, batch: float | None = None, max_tpot_ms: float | None = None,
             max_ttft_s: float | None = None, util: float = 0.7,
             eff: serving.Efficiencies = serving.DEFAULT_EFFICIENCIES) -> dict[str, float]:
    """Serving estimate of one replica at ``batch`` (default: the largest that fits, capped at ``max_batch``, and
    meets the targets). Returns floats: ``batch``, ``max_batch`` (memory), ``output_tokens_per_s``,
    ``requests_per_s``, ``seconds_per_request``, ``tpot_ms``, ``ttft_s``, ``decode_step_s``; NaN throughputs
    when no batch fits or meets the targets."""
    m, b_mem = replica_from_rows(model, gpu, tp=tp, pp=pp, precision=precision, prompt_tokens=prompt_tokens,
                                 output_tokens=output_tokens, util=util, eff=eff)
    cap = min(b_mem, eff.max_batch)
    if batch is None:
        tpot = np.inf if max_tpot_ms is None else max_tpot_ms / 1000.0
        ttft = np.inf if max_ttft_s is None else max_ttft_s
        b = float(serving.largest_batch(m, np.array([cap]), np.array([tpot]), np.array([ttft]), eff)[0])
    else:
        b = min(float(batch), b_mem)
    if b < 1:
        nan = float("nan")
        return {"batch": 0.0, "max_batch": b_mem, "output_tokens_per_s": nan, "requests_per_s": nan,
                "seconds_per_request": nan, "tpot_ms": nan, "ttft_s": nan, "decode_step_s": nan}
    t = serving.step_times(m, np.array([b]), eff)
    rps = float(t["requests_per_s"][0])
    return {"batch": b, "max_batch": b_mem, "output_tokens_per_s": rps * output_tokens, "requests_per_s": rps,
            "seconds_per_request": 1.0 / rps, "tpot_ms": float(t["tpot_s"][0]) * 1000.0,
            "ttft_s": float(t["ttft_s"][0]), "decode_step_s": float(t["decode_step_s"][0])}
