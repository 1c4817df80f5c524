"""The layout of one replica per scenario: the candidate tensor/pipeline splits, the largest batch of each that
meets the latency targets (:mod:`costengine.serving.step`'s model), and the one with the highest throughput per GPU;
and the fewest GPUs that hold a model when only memory decides (a typed ``seconds_per_request``).

Equations and candidates: ``docs/model.md#layouts``. The candidates that fit are searched as one flat array (row,
candidate) per block of rows, so a sweep of millions searches only them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .memory import memory_batch
from .parameters import DEFAULT_EFFICIENCIES, TP_SIZES, Efficiencies
from .step import ReplicaModel, compact, largest_batch, prepare, step_times

__all__ = ["Layout", "choose_layouts", "BLOCK_ROWS", "tp_for_count", "fewest_tp", "memory_only_gpus"]


@dataclass(frozen=True)
class Layout:
    """The chosen layout of one replica per scenario (arrays): GPUs ``n`` = ``tp`` x ``pp``, ``batch``
    [sequences], ``ttft_s`` [s], ``tpot_s`` [s], ``requests_per_s`` [1/s], ``seconds_per_request`` [replica-s],
    and ``status``: 0 = ok, 1 = does not fit in memory, 2 = fits but no batch meets the targets.
    ``best_tpot_s`` / ``best_ttft_s`` are the lowest latencies any candidate reaches (batch 1), for errors."""

    n: np.ndarray
    tp: np.ndarray
    pp: np.ndarray
    batch: np.ndarray
    ttft_s: np.ndarray
    tpot_s: np.ndarray
    requests_per_s: np.ndarray
    seconds_per_request: np.ndarray
    status: np.ndarray
    best_tpot_s: np.ndarray
    best_ttft_s: np.ndarray
    need_gb: np.ndarray
    #: Every candidate (shape (candidates, scenarios), NaN where it does not fit or meet the targets), for the
    #: plan that chooses among them by cost at the volume: ``n``, ``tp``, ``pp``, ``batch``, ``ttft_s``,
    #: ``tpot_s``, ``seconds_per_request`` by key.
    candidates: dict[str, np.ndarray] | None = None


_take = lambda a, idx: a[idx] if np.ndim(a) else a  # noqa: E731  (arrays by row; scalars as they are)
#: Rows searched at once: the search's temporaries stay in the CPU cache (every row is independent).
BLOCK_ROWS = 16384


def choose_layouts(
    hw: dict[str, np.ndarray],
    md: dict[str, np.ndarray],
    *,
    p,
    o,
    util,
    node_gpus,
    typed_n,
    w_bytes,
    w_expert_bytes,
    compute_eff,
    kv,
    tpot_max_s,
    ttft_max_s,
    memory_floor,
    eff: Efficiencies = DEFAULT_EFFICIENCIES,
) -> Layout:
    """The layout with the lowest cost per request that fits and meets the targets, per scenario.

    Candidates: tensor-parallel sizes of :data:`TP_SIZES` that divide the attention heads and fit in a node of
    ``node_gpus``; when no single node holds the model, whole nodes with pipeline stages across them (the
    fewest nodes that hold it). A typed count (``typed_n`` not NaN) is the only candidate, split by
    :func:`tp_for_count`. Derived candidates must also have ``memory_floor`` bytes of usable memory (weights x
    ``memory_overhead``). Within a node every candidate packs whole replicas, so the lowest cost per request
    is the highest throughput per GPU; ties go to fewer GPUs.

    ``hw`` holds per-GPU arrays ``memory_gb``, ``bw`` [B/s], ``flops``, ``link`` [B/s], ``allreduce_s``,
    ``sw_eff``; ``md`` holds ``heads``, ``layers``, ``hidden``, ``attn_width``, ``experts``, ``top_k``,
    ``active``. Everything is an array of the scenarios' length.
    """
    args = {k: v for k, v in locals().items() if k != "eff"}
    rows = len(np.atleast_1d(p))
    if rows <= BLOCK_ROWS:
        return _choose_block(**args, eff=eff)
    cut = lambda v, sl: {k: cut(x, sl) for k, x in v.items()} if isinstance(v, dict) else _take(v, sl)  # noqa: E731
    parts = [choose_layouts(**cut(args, slice(lo, lo + BLOCK_ROWS)), eff=eff) for lo in range(0, rows, BLOCK_ROWS)]
    out = {
        f.name: np.concatenate([getattr(x, f.name) for x in parts])
        for f in dataclasses.fields(Layout)
        if f.name != "candidates"
    }
    cands = {k: np.concatenate([x.candidates[k] for x in parts], axis=1) for k in parts[0].candidates}
    return Layout(**out, candidates=cands)


def _choose_block(
    hw,
    md,
    *,
    p,
    o,
    util,
    node_gpus,
    typed_n,
    w_bytes,
    w_expert_bytes,
    compute_eff,
    kv,
    tpot_max_s,
    ttft_max_s,
    memory_floor,
    eff: Efficiencies,
) -> Layout:
    rows, node, heads = len(np.atleast_1d(p)), np.asarray(node_gpus, dtype=float), md["heads"]
    # --- candidate layouts: C lists of (rows,) ------------------------------------------------------------
    tp_c, pp_c, valid = [], [], []
    usable_per_gpu = hw["memory_gb"] * 1e9 * eff.kv_memory_fraction
    for t in TP_SIZES:
        tp_c.append(np.full(rows, float(t)))
        pp_c.append(np.ones(rows))
        valid.append((t <= node) & (np.mod(heads, t) == 0) & (t * usable_per_gpu >= memory_floor))
    # whole nodes: the widest valid tensor-parallel size inside the node, pipeline stages for the rest
    t_max = np.ones(rows)
    for t in TP_SIZES[1:]:
        t_max = np.where((t <= node) & (np.mod(heads, t) == 0), float(t), t_max)
    nodes = np.maximum(np.ceil(memory_floor / (node * usable_per_gpu)), 1.0)
    with np.errstate(invalid="ignore"):
        need_more = nodes >= 2
    tp_c.append(t_max)
    pp_c.append(nodes * node / t_max)
    valid.append(need_more)
    typed = ~np.isnan(np.asarray(typed_n, dtype=float))
    if typed.any():
        tn = np.where(typed, typed_n, 1.0)
        t_typed = tp_for_count(tn, heads, node)
        tp_c.append(t_typed)
        pp_c.append(tn / t_typed)
        valid = [v & ~typed for v in valid] + [typed]
    # --- the candidates that fit, one flat element each (candidate-major): row r, candidate c ---------------
    r_c, bmax_c = [], []
    for c, v in enumerate(valid):
        idx = np.flatnonzero(v)
        b_mem = memory_batch(
            tp_c[c][idx] * pp_c[c][idx],
            _take(hw["memory_gb"], idx),
            _take(w_bytes, idx),
            _take(kv, idx),
            _take(p, idx),
            _take(o, idx),
            eff,
        )
        b_max = np.minimum(b_mem, eff.max_batch)
        fit = b_max >= 1
        r_c.append(idx[fit])
        bmax_c.append(b_max[fit])
    r = np.concatenate(r_c)
    cand = np.repeat(np.arange(len(valid)), [len(x) for x in r_c])
    TP, PP = np.vstack(tp_c), np.vstack(pp_c)
    N, col = TP * PP, np.arange(rows)
    m = ReplicaModel(
        bw=hw["bw"],
        flops=hw["flops"],
        link=hw["link"],
        allreduce_s=hw["allreduce_s"],
        sw_eff=hw["sw_eff"],
        tp=TP,
        pp=PP,
        w_bytes=w_bytes,
        w_expert_bytes=w_expert_bytes,
        experts=md["experts"],
        top_k=md["top_k"],
        active=md["active"],
        kv=kv,
        layers=md["layers"],
        hidden=md["hidden"],
        attn_width=md["attn_width"],
        p=p,
        o=o,
        util=util,
        compute_eff=compute_eff,
    )
    flat = prepare(m, eff, at=(cand, r))  # only the candidates that fit are searched
    g = lambda a: a[r] if np.ndim(a) else np.full(len(r), a, dtype=float)  # noqa: E731  (one per candidate)
    b_max, tpot_max, ttft_max = (
        np.concatenate(bmax_c),
        g(np.broadcast_to(tpot_max_s, (rows,))),
        g(np.broadcast_to(ttft_max_s, (rows,))),
    )
    # the largest batch first (as largest_batch): most meet the targets there or have none; the others search
    b_flat = np.where(np.isfinite(b_max), np.floor(b_max), eff.max_batch)
    t_flat = step_times(flat, np.maximum(b_flat, 1.0), eff)
    search = ~(
        (~np.isfinite(tpot_max) & ~np.isfinite(ttft_max))
        | ((t_flat["tpot_s"] <= tpot_max) & (t_flat["ttft_s"] <= ttft_max))
    )
    if search.any():
        sub = compact(flat, search)
        b_flat[search] = largest_batch(sub, b_max[search], tpot_max[search], ttft_max[search], eff)
        for k, v in step_times(sub, np.maximum(b_flat[search], 1.0), eff).items():
            t_flat[k][search] = v
    ok = b_flat >= 1
    with np.errstate(invalid="ignore", divide="ignore"):
        per_gpu = np.full(N.shape, -np.inf)
        per_gpu[cand, r] = np.where(ok, t_flat["requests_per_s"] / N[cand, r], -np.inf)
    best = np.argmax(per_gpu, axis=0)  # first maximum = fewest GPUs (candidates are in rising order)
    status = np.where(np.bincount(r[ok], minlength=rows) > 0, 0, np.where(np.bincount(r, minlength=rows) > 0, 2, 1))
    # the lowest latencies any candidate reaches (batch 1), for the message of rows that miss the targets
    best_tpot, best_ttft = np.full(rows, np.inf), np.full(rows, np.inf)
    missed = status[r] == 2
    if missed.any():
        one = step_times(compact(flat, missed), 1.0, eff)
        np.minimum.at(best_tpot, r[missed], one["tpot_s"])
        np.minimum.at(best_ttft, r[missed], one["ttft_s"])
    # memory a replica needs for one sequence, on the largest candidate (for the "does not fit" message)
    need = (w_bytes + kv * (p + o / 2.0)) / eff.kv_memory_fraction / 1e9
    pos = np.full(N.shape, -1)
    pos[cand, r] = np.arange(len(r))
    at = pos[best, col]  # the chosen candidate's flat element; -1 (the NaN appended) where none is ok
    good = status == 0
    pick = lambda a: np.where(good, np.append(a, np.nan)[at], np.nan)  # noqa: E731
    rps = pick(t_flat["requests_per_s"])
    # every candidate that fits and meets the targets, (candidates, rows); NaN elsewhere
    cands = {k: np.full(N.shape, np.nan) for k in ("n", "tp", "pp", "batch", "ttft_s", "tpot_s", "seconds_per_request")}
    c_ok, r_ok = cand[ok], r[ok]
    cands["n"][c_ok, r_ok], cands["tp"][c_ok, r_ok], cands["pp"][c_ok, r_ok] = (
        N[c_ok, r_ok],
        TP[c_ok, r_ok],
        PP[c_ok, r_ok],
    )
    cands["batch"][c_ok, r_ok] = b_flat[ok]
    cands["ttft_s"][c_ok, r_ok] = t_flat["ttft_s"][ok]
    cands["tpot_s"][c_ok, r_ok] = t_flat["tpot_s"][ok]
    cands["seconds_per_request"][c_ok, r_ok] = 1.0 / t_flat["requests_per_s"][ok]
    return Layout(
        n=N[best, col],
        tp=TP[best, col],
        pp=PP[best, col],
        batch=pick(b_flat),
        ttft_s=pick(t_flat["ttft_s"]),
        tpot_s=pick(t_flat["tpot_s"]),
        requests_per_s=rps,
        seconds_per_request=1.0 / rps,
        status=status,
        best_tpot_s=best_tpot,
        best_ttft_s=best_ttft,
        need_gb=need * np.ones(rows),
        candidates=cands,
    )


def tp_for_count(n_gpus, heads, node_gpus) -> np.ndarray:
    """Tensor-parallel size for a typed GPU count: the largest of 1, 2, 4, 8 that divides the count and the
    attention heads and fits in a node; the rest of the count runs as pipeline stages (pp = n / tp)."""
    n = np.asarray(n_gpus, dtype=float)
    out = np.ones_like(n * 1.0)
    for t in TP_SIZES[1:]:
        fits = (np.mod(n, t) == 0) & (np.mod(heads, t) == 0) & (t <= node_gpus)
        out = np.where(fits, float(t), out)
    return out


def fewest_tp(gpu_memory_gb, heads, memory_floor, node_gpus, eff: Efficiencies = DEFAULT_EFFICIENCIES) -> np.ndarray:
    """Fewest GPUs [count] of a valid single-node layout (a size of :data:`TP_SIZES` that divides the attention
    heads and fits in a node of ``node_gpus``) whose usable memory holds ``memory_floor`` [B]; NaN where it needs
    more than one node. Usable memory = GPUs x ``gpu_memory_gb`` [GB] x ``kv_memory_fraction``."""
    usable = gpu_memory_gb * 1e9 * eff.kv_memory_fraction
    out = np.full(len(memory_floor), np.nan)
    for t in reversed(TP_SIZES):
        ok = (t <= node_gpus) & (np.mod(heads, t) == 0) & (t * usable >= memory_floor)
        out = np.where(ok, float(t), out)
    return out


def memory_only_gpus(
    gpu_memory_gb, heads, memory_floor, node_gpus, eff: Efficiencies = DEFAULT_EFFICIENCIES
) -> np.ndarray:
    """GPUs per replica [count] when only memory decides: :func:`fewest_tp`, or whole nodes of ``node_gpus``
    (the fewest whose usable memory holds ``memory_floor`` [B]) where no single node does."""
    t = fewest_tp(gpu_memory_gb, heads, memory_floor, node_gpus, eff)
    usable = gpu_memory_gb * 1e9 * eff.kv_memory_fraction
    nodes = np.maximum(np.ceil(memory_floor / (node_gpus * usable)), 1.0)
    return np.where(np.isnan(t), nodes * node_gpus, t)
