"""Throughput of one replica from catalog rows: the serving model of :mod:`costengine.serving` for a model
on a GPU, as the worksheet function ``LLM_THROUGHPUT`` and notebooks call it."""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

import numpy as np

from . import serving
from .catalogs import GPU, Catalog, OpenModel
from .plan import _derive, _lookup, _ModelColumns
from .scenario import Scenario

__all__ = ["replica_throughput"]


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


