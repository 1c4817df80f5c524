"""Throughput of one replica from catalog rows: the serving model for a model on a GPU, as the worksheet function
``LLM_THROUGHPUT`` and notebooks call it (:func:`replica_throughput`, with the layout search), and at a given
layout (:func:`estimate`, :func:`replica_model`: the validation cases and benchmarks)."""

from __future__ import annotations

import math

import numpy as np

from ..catalogs import GPU, OpenModel
from ..errors import CostModelError
from ..lookup import Lookup
from .memory import PRECISIONS, memory_batch, parse_precision
from .parameters import DEFAULT_EFFICIENCIES, Efficiencies
from .replica import Replica, replica
from .step import ReplicaModel, largest_batch, step_times

__all__ = ["replica_throughput", "replica_model", "estimate"]

_ONE = np.zeros(1, dtype=np.intp)


def _check_arguments(precision, numbers: dict[str, tuple[float | None, tuple[tuple[str, float], ...], bool]]):
    """The precision name, after checking it and the numbers against the bounds the scenario keys of the same
    meaning have (``key: (value, ((op, bound), ...), whole)``); raises :class:`CostModelError` naming the key."""
    if precision is not None and precision != "":
        precision = parse_precision(precision, strict=False)
        if precision not in PRECISIONS:
            names = list(PRECISIONS)
            raise CostModelError(
                "precision", f"must be one of {', '.join(names[:-1])} or {names[-1]} (got {precision!r})"
            )
    for key, (value, bounds, whole) in numbers.items():
        if value is None:
            continue
        if not math.isfinite(value):
            raise CostModelError(key, f"must be a finite number (got {value})")
        for op, bound in bounds:
            if (op == ">=" and value < bound) or (op == ">" and value <= bound) or (op == "<=" and value > bound):
                raise CostModelError(key, f"must be {op} {bound:g} (got {value:g})")
        if whole and value != int(value):
            raise CostModelError(key, f"must be a whole number (got {value:g})")
    return precision or None


def _one_row(model: OpenModel, gpu: GPU, precision: str | None) -> tuple[Replica, Lookup]:
    """The :class:`Replica` of one catalog model row at ``precision`` (None: native), and the GPU as a lookup."""
    prec = np.array(["" if precision is None else precision], dtype=object)
    return replica(Lookup(_ONE, [model]), prec, np.array([np.nan])), Lookup(_ONE, [gpu])


def replica_throughput(
    model: OpenModel,
    gpu: GPU,
    n_gpus: float | None = None,
    precision: str | None = None,
    prompt_tokens: float = 1000,
    output_tokens: float = 500,
    batch: float | None = None,
    max_ttft_s: float | None = None,
    max_tpot_ms: float | None = None,
    *,
    node_gpus: int = 8,
    target_utilization: float = 0.7,
    memory_overhead: float = 1.2,
) -> dict[str, float]:
    """Serving estimate for one replica of ``model`` on ``gpu`` (catalog rows).

    ``n_gpus`` blank: the layout with the highest throughput per GPU on a node of ``node_gpus``
    (``docs/model.md#layouts``); ``batch`` blank: the largest that fits and meets ``max_ttft_s`` [s] and ``max_tpot_ms``
    [ms/token] (None = no target). Returns floats: ``output_tokens_per_s`` [tokens/s], ``requests_per_s``,
    ``seconds_per_request`` [replica-s], ``batch`` [sequences], ``max_batch`` (memory) [sequences], ``ttft_s`` [s],
    ``tpot_ms`` [ms], ``decode_step_s`` [s], ``n_gpus``, ``tp``, ``pp`` [count].

    Raises :class:`~costengine.errors.CostModelError` naming the key when nothing fits or no batch meets a
    target (with the best reachable TPOT/TTFT), or when the prompt overflows the context window.
    """
    precision = _check_arguments(
        precision,
        {
            "prompt_tokens": (prompt_tokens, ((">=", 0),), False),
            "output_tokens": (output_tokens, ((">=", 0),), False),
            "memory_overhead": (memory_overhead, ((">=", 1),), False),
            "max_ttft_s": (max_ttft_s, ((">=", 0),), False),
            "max_tpot_ms": (max_tpot_ms, ((">=", 0),), False),
            "target_utilization": (target_utilization, ((">", 0), ("<=", 1)), False),
            "cloud_gpus_per_replica": (n_gpus, ((">=", 1), ("<=", 1024)), True),
        },
    )
    rep, hw = _one_row(model, gpu, precision)
    a = lambda v: np.array([float(v)])  # noqa: E731
    p, o, util = a(prompt_tokens), a(output_tokens), a(target_utilization)
    rep.check_context(p, o, np.ones(1, dtype=bool), None)
    floor = rep.w_bytes * memory_overhead
    typed_n = a(np.nan if n_gpus is None else n_gpus)
    lay = rep.layouts(
        hw,
        _ONE,
        p=p,
        o=o,
        util=util,
        memory_floor=floor,
        node_gpus=a(node_gpus),
        typed_n=typed_n,
        max_tpot_ms=a(max_tpot_ms or 0.0),
        max_ttft_s=a(max_ttft_s or 0.0),
        prefix="replica",
        gpus_key="gpus",
        rows=None,
    )
    n, tp, pp = float(lay.n[0]), float(lay.tp[0]), float(lay.pp[0])
    args = rep.layout_arguments(hw, _ONE, p, o, util, floor)
    m = rep.step_model(args, np.array([tp]), np.array([pp]))
    b_mem = float(memory_batch(n, gpu.memory_gb, args["w_bytes"], args["kv"], args["p"], args["o"])[0])
    b = float(lay.batch[0]) if batch is None else min(float(batch), b_mem)
    if batch is not None and b < 1:
        raise CostModelError("batch", f"not one sequence fits on {n:g} x {gpu.id}")
    t = step_times(m, np.array([b]))
    rps = float(t["requests_per_s"][0])
    return {
        "output_tokens_per_s": rps * output_tokens,
        "requests_per_s": rps,
        "seconds_per_request": 1.0 / rps,
        "batch": b,
        "max_batch": min(b_mem, DEFAULT_EFFICIENCIES.max_batch),
        "ttft_s": float(t["ttft_s"][0]),
        "tpot_ms": float(t["tpot_s"][0]) * 1000.0,
        "decode_step_s": float(t["decode_step_s"][0]),
        "prefill_s": float(t["prefill_s"][0]),
        "n_gpus": n,
        "tp": tp,
        "pp": pp,
    }


def replica_model(
    model: OpenModel,
    gpu: GPU,
    *,
    tp: float,
    pp: float = 1.0,
    precision: str | None = None,
    prompt_tokens: float = 1000,
    output_tokens: float = 500,
    util: float = 0.7,
    eff: Efficiencies = DEFAULT_EFFICIENCIES,
) -> tuple[ReplicaModel, float]:
    """The step-time model of one replica of catalog rows ``model`` on ``gpu`` at ``tp`` x ``pp`` GPUs, and its
    memory batch [sequences] (:func:`~costengine.serving.memory.memory_batch`)."""
    rep, hw = _one_row(model, gpu, precision)
    a = lambda v: np.array([float(v)])  # noqa: E731
    args = rep.layout_arguments(hw, _ONE, a(prompt_tokens), a(output_tokens), a(util), rep.w_bytes, eff)
    m = rep.step_model(args, a(tp), a(pp))
    kv = args["kv"][0]
    b_mem = float(memory_batch(tp * pp, gpu.memory_gb, rep.w_bytes[0], kv, prompt_tokens, output_tokens, eff))
    return m, b_mem


def estimate(
    model,
    gpu,
    *,
    tp: float,
    pp: float = 1.0,
    precision: str | None = None,
    prompt_tokens: float = 1000,
    output_tokens: float = 500,
    batch: float | None = None,
    max_tpot_ms: float | None = None,
    max_ttft_s: float | None = None,
    util: float = 0.7,
    eff: Efficiencies = DEFAULT_EFFICIENCIES,
) -> dict[str, float]:
    """Serving estimate of one replica at ``batch`` (default: the largest that fits, capped at ``max_batch``, and
    meets the targets). Returns floats: ``batch``, ``max_batch`` (memory), ``output_tokens_per_s``,
    ``requests_per_s``, ``seconds_per_request``, ``tpot_ms``, ``ttft_s``, ``decode_step_s``; NaN throughputs
    when no batch fits or meets the targets."""
    m, b_mem = replica_model(
        model,
        gpu,
        tp=tp,
        pp=pp,
        precision=precision,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        util=util,
        eff=eff,
    )
    cap = min(b_mem, eff.max_batch)
    if batch is None:
        tpot = np.inf if max_tpot_ms is None else max_tpot_ms / 1000.0
        ttft = np.inf if max_ttft_s is None else max_ttft_s
        b = float(largest_batch(m, np.array([cap]), np.array([tpot]), np.array([ttft]), eff)[0])
    else:
        b = min(float(batch), b_mem)
    if b < 1:
        nan = float("nan")
        return {
            "batch": 0.0,
            "max_batch": b_mem,
            "output_tokens_per_s": nan,
            "requests_per_s": nan,
            "seconds_per_request": nan,
            "tpot_ms": nan,
            "ttft_s": nan,
            "decode_step_s": nan,
        }
    t = step_times(m, np.array([b]), eff)
    rps = float(t["requests_per_s"][0])
    return {
        "batch": b,
        "max_batch": b_mem,
        "output_tokens_per_s": rps * output_tokens,
        "requests_per_s": rps,
        "seconds_per_request": 1.0 / rps,
        "tpot_ms": float(t["tpot_s"][0]) * 1000.0,
        "ttft_s": float(t["ttft_s"][0]),
        "decode_step_s": float(t["decode_step_s"][0]),
    }
