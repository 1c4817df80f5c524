"""Step times of one replica: the decode step, TPOT, TTFT and throughput at a batch, and the largest batch that
meets latency targets.

``docs/model.md#decode-step``, ``#mixture-of-experts`` and ``#prefill-tpot-and-ttft``. Every function works on numpy
arrays
(one element per scenario, or per scenario and candidate layout), so one implementation serves a worksheet
call and a sweep of millions.

Notation: n GPUs per replica as ``tp`` (tensor-parallel size) x ``pp`` (pipeline stages), B sequences in the
batch, p prompt and o output tokens per request, W weight bytes, k KV-cache bytes per token. Per GPU:
BW memory bandwidth, F dense peak FLOP/s at the compute precision. All times in seconds.

The model is an *estimate*, validated against published measurements in ``docs/validation.md``; a measured
``seconds_per_request`` always overrides it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from .parameters import DEFAULT_EFFICIENCIES, Efficiencies

__all__ = [
    "ReplicaModel",
    "Prepared",
    "prepare",
    "prefill_s",
    "step_times",
    "largest_batch",
    "traffic_batch",
    "compact",
]


@dataclass(frozen=True)
class ReplicaModel:
    """Everything the step-time model needs, as arrays that broadcast against each other.

    Hardware (per GPU): ``bw`` [B/s], ``flops`` [FLOP/s at the compute precision], ``link`` [B/s per
    direction], ``allreduce_s`` [s], ``sw_eff`` [ratio]. Layout: ``tp``, ``pp`` [count].
    Model: ``w_bytes`` [B, all weights], ``w_expert_bytes`` [B, routed experts], ``experts``, ``top_k``
    [count; 0 for dense], ``active`` [parameters computed per token], ``kv`` [B/token], ``layers``,
    ``hidden``, ``attn_width`` (attention heads x head dim). Work: ``p``, ``o`` [tokens], ``util`` [0..1].
    """

    bw: np.ndarray
    flops: np.ndarray
    link: np.ndarray
    allreduce_s: np.ndarray
    sw_eff: np.ndarray
    tp: np.ndarray
    pp: np.ndarray
    w_bytes: np.ndarray
    w_expert_bytes: np.ndarray
    experts: np.ndarray
    top_k: np.ndarray
    active: np.ndarray
    kv: np.ndarray
    layers: np.ndarray
    hidden: np.ndarray
    attn_width: np.ndarray
    p: np.ndarray
    o: np.ndarray
    util: np.ndarray
    compute_eff: np.ndarray  # compute efficiency including the MoE factor [ratio]


def prefill_s(m: ReplicaModel) -> np.ndarray:
    """Prefill compute of one request [s] = (2*active*p + 2*layers*p^2*attn_width) / (n*F*eff_f*sw_eff).

    The second term is causal attention over the prompt (QK^T and AV, half of the p x p pairs).
    """
    return _prefill_work(m) / (m.tp * m.pp * m.flops * m.compute_eff * m.sw_eff)


def _prefill_work(m: ReplicaModel) -> np.ndarray:
    return 2.0 * m.active * m.p + 2.0 * m.layers * m.p * m.p * m.attn_width


@dataclass(frozen=True)
class Prepared:
    """The batch-independent parts of :func:`step_times`, computed once per element (1-D or broadcast arrays)."""

    pp: np.ndarray
    mem_fixed: np.ndarray  # (W - W_exp) / (tp*BW*eff_bw) [s]
    mem_expert: np.ndarray  # W_exp / (tp*BW*eff_bw) [s]
    keep: np.ndarray  # 1 - top_k/experts (NaN for dense)
    moe: np.ndarray  # bool
    mem_per_seq: np.ndarray  # k*c / (tp*BW*eff_bw) [s/sequence of a micro-batch]
    cmp_per_seq: np.ndarray  # 2*active / (tp*F*eff_f) [s/sequence]
    scale: np.ndarray  # tp**tp_exponent / sw_eff
    ar_fixed: np.ndarray  # 2*layers*latency (tp > 1) [s]
    ar_per_seq: np.ndarray  # 2*layers*2*(tp-1)/tp*hidden*2/link (tp > 1) [s/sequence]
    fixed: np.ndarray  # (pp-1)*hop + step overhead [s]
    pf: np.ndarray  # prefill of one request [s]
    o: np.ndarray  # output tokens [tokens]
    util: np.ndarray
    chunks: np.ndarray  # ceil(p / chunk)


def prepare(m: ReplicaModel, eff: Efficiencies, at: tuple[np.ndarray, np.ndarray] | None = None) -> Prepared:
    """The prepared model of ``m`` (its arrays broadcast against each other), or with ``at`` = (candidates, rows)
    of the elements ``m.tp[c, r]``, ``m.pp[c, r]`` of a model whose other arrays are per row: what does not depend
    on the layout is then computed once per row."""
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = np.where(m.experts > 0, 1.0 - m.top_k / np.where(m.experts > 0, m.experts, 1.0), np.nan)
    x = dict(
        w_fixed=m.w_bytes - m.w_expert_bytes,
        w_expert=m.w_expert_bytes,
        keep=keep,
        moe=m.experts > 0,
        kv_c=m.kv * (m.p + m.o / 2.0),
        active2=2.0 * m.active,
        ar=2.0 * m.layers * m.allreduce_s,
        layers4=2.0 * m.layers * 2.0,
        work=_prefill_work(m),
        o=m.o,
        util=m.util,
        bw=m.bw,
        flops=m.flops,
        compute_eff=m.compute_eff,
        sw_eff=m.sw_eff,
        hidden=m.hidden,
        link=m.link,
        chunks=np.ceil(m.p / eff.prefill_chunk_tokens),
    )
    tp, pp = m.tp, m.pp
    if at is not None:
        c, r = at
        tp, pp = tp[c, r], pp[c, r]
        x = {k: v[r] if np.ndim(v) else v for k, v in x.items()}
    den = tp * x["bw"] * eff.bandwidth
    tp_wide = tp > 1
    return Prepared(
        pp=pp,
        mem_fixed=x["w_fixed"] / den,
        mem_expert=x["w_expert"] / den,
        keep=x["keep"],
        moe=x["moe"],
        mem_per_seq=x["kv_c"] / den,
        cmp_per_seq=x["active2"] / (tp * x["flops"] * x["compute_eff"]),
        scale=tp**eff.tp_exponent / x["sw_eff"],
        ar_fixed=np.where(tp_wide, x["ar"], 0.0),
        ar_per_seq=np.where(tp_wide, x["layers4"] * (tp - 1) / tp * x["hidden"] * 2.0 / x["link"], 0.0),
        fixed=(pp - 1) * eff.pp_hop_s + eff.step_overhead_s,
        pf=x["work"] / (tp * pp * x["flops"] * x["compute_eff"] * x["sw_eff"]),
        o=x["o"],
        util=x["util"],
        chunks=x["chunks"],
    )


def step_times(m, batch, eff: Efficiencies = DEFAULT_EFFICIENCIES) -> dict[str, np.ndarray]:
    """Decode step, TPOT, TTFT and throughput of a replica at ``batch`` sequences.

    ``m`` is a :class:`ReplicaModel` (or its prepared form, internal).

    Notes
    -----
    With micro-batch b = B/pp (pipeline stages hold B/pp sequences each), context c = p + o/2::

        expert share touched  x = 1 - (1 - top_k/experts)^b                    (uniform routing; 1 for dense)
        memory time           = (W - W_exp + W_exp*x + b*k*c) / (tp*BW*eff_bw)
        compute time          = 2*active*b / (tp*F*eff_f)
        all-reduce time       = 2*layers*(latency + 2*(tp-1)/tp * b*hidden*2 B / link)   (tp > 1)
        decode step           = max(memory, compute) * tp^tp_exponent / sw_eff + all-reduce + (pp-1)*hop
                                + step overhead
        TPOT                  = decode step + (B/o) * prefill            (prefill interleaved with decode)
        requests/s            = B / (o * TPOT)
        TTFT                  = queue + prefill + ceil(p/chunk) * decode step
        queue                 = rho/(2(1-rho)) * prefill,  rho = util * B*prefill / (o*TPOT)   (M/D/1)

    A sequence gets one token per pass of its micro-batch through all stages, so TPOT is the pass time.
    Every term grows with B, so TPOT and TTFT rise with the batch (the batch search relies on it).
    """
    q = m if isinstance(m, Prepared) else prepare(m, eff)
    b_total = np.asarray(batch, dtype=float)
    b = b_total / q.pp
    moe = np.broadcast_to(q.moe, np.broadcast_shapes(np.shape(q.moe), np.shape(b)))
    mem_t = q.mem_fixed + b * q.mem_per_seq
    if moe.any():  # the power only where there are experts
        extra = np.zeros(moe.shape)
        extra[moe] = np.broadcast_to(q.mem_expert, moe.shape)[moe] * (
            1.0 - np.broadcast_to(q.keep, moe.shape)[moe] ** np.broadcast_to(b, moe.shape)[moe]
        )
        mem_t = mem_t + extra
    mem_t = mem_t + np.where(moe, 0.0, q.mem_expert)  # a dense model reads every weight
    step = np.maximum(mem_t, b * q.cmp_per_seq) * q.scale + q.ar_fixed + b * q.ar_per_seq + q.fixed
    with np.errstate(divide="ignore", invalid="ignore"):
        tpot = step + b_total / q.o * q.pf
        rps = b_total / (q.o * tpot)
        rho = np.clip(q.util * b_total * q.pf / (q.o * tpot), 0.0, 0.999999)
    queue = rho / (2.0 * (1.0 - rho)) * q.pf
    ttft = queue + q.pf + q.chunks * step
    return {
        "decode_step_s": step,
        "prefill_s": q.pf * np.ones_like(step),
        "tpot_s": tpot,
        "ttft_s": ttft,
        "requests_per_s": rps,
    }


def largest_batch(
    m: ReplicaModel, b_max, tpot_max_s, ttft_max_s, eff: Efficiencies = DEFAULT_EFFICIENCIES
) -> np.ndarray:
    """Largest whole batch in [1, b_max] whose TPOT and TTFT meet the targets; 0 where none does.

    ``tpot_max_s`` and ``ttft_max_s`` are arrays with inf for "no target". Exact for the model of
    :func:`step_times` (both latencies rise with the batch): a bisection over whole numbers.
    """
    hi = np.floor(np.asarray(b_max, dtype=float))
    hi = np.where(np.isfinite(hi), hi, eff.max_batch)
    lo = np.zeros_like(hi)
    no_target = ~np.isfinite(tpot_max_s) & ~np.isfinite(ttft_max_s)
    if no_target.all():
        return hi

    lo = np.where(no_target, hi, lo)
    shape = lo.shape
    tpot_max = np.broadcast_to(tpot_max_s, shape)
    ttft_max = np.broadcast_to(ttft_max_s, shape)
    idx = np.flatnonzero(hi > lo)  # the elements still searching, and their model
    sub = compact(m if isinstance(m, Prepared) else prepare(m, eff), hi > lo)
    lo_s, hi_s, tp_s, tt_s = lo[idx], hi[idx], tpot_max[idx], ttft_max[idx]
    first = True
    while len(idx):
        # the largest batch first (it often meets the targets already), then halves
        mid = hi_s if first else np.floor((lo_s + hi_s + 1.0) / 2.0)
        t = step_times(sub, np.maximum(mid, 1.0), eff)
        good = (t["tpot_s"] <= tp_s) & (t["ttft_s"] <= tt_s)
        lo_s = np.where(good, mid, lo_s)
        hi_s = np.where(good, hi_s, mid - 1.0)
        done = hi_s <= lo_s
        if done.all():
            lo.flat[idx] = lo_s
            break
        if first or done.mean() > 0.4:  # shrink the arrays once enough are done (compaction costs a copy)
            lo.flat[idx[done]] = lo_s[done]
            keep = ~done
            idx, lo_s, hi_s, tp_s, tt_s = idx[keep], lo_s[keep], hi_s[keep], tp_s[keep], tt_s[keep]
            sub = compact(sub, keep)
        else:  # finished elements stay, frozen: lo = hi
            hi_s = np.where(done, lo_s, hi_s)
        first = False
    return lo


def traffic_batch(m, requests_per_s, b_max, eff: Efficiencies = DEFAULT_EFFICIENCIES) -> np.ndarray:
    """The concurrency the traffic brings to a replica [sequences]: the smallest whole batch B in [1, b_max] with
    requests/s(B) >= ``requests_per_s`` (the replica's arrival rate at the peak [1/s]).

    Little's law: L = lambda x T(L), with T(B) = o x TPOT(B) = B / requests/s(B) the time a request spends in the
    batch, holds where requests/s(B) = lambda; requests/s rises with B (:func:`step_times`), so a bisection over
    whole numbers finds it. A replica at one request a minute serves each request alone (B = 1).
    """
    q = m if isinstance(m, Prepared) else prepare(m, eff)
    lam = np.asarray(requests_per_s, dtype=float)
    top = np.maximum(np.floor(np.asarray(b_max, dtype=float)), 1.0) * np.ones_like(lam)
    # TPOT rises with B, so B / (o TPOT(b_max)) <= requests/s(B) <= B / (o TPOT(1)): the answer lies in
    # (ceil(lambda o TPOT(1)) - 1, ceil(lambda o TPOT(b_max))], a few bisection steps wide
    with np.errstate(invalid="ignore", over="ignore"):
        need = lam * q.o
        lo = np.clip(np.ceil(need * step_times(q, 1.0, eff)["tpot_s"]) - 1.0, 0.0, top - 1.0)
        hi = np.clip(np.ceil(need * step_times(q, top, eff)["tpot_s"]), lo + 1.0, top)
    lo, hi = np.where(np.isfinite(lo), lo, 0.0), np.where(np.isfinite(hi), hi, top)
    while (hi - lo > 1.0).any():
        mid = np.floor((lo + hi) / 2.0)
        live = hi - lo > 1.0
        at = np.where(live, np.maximum(mid, 1.0), hi)
        enough = step_times(q, at, eff)["requests_per_s"] >= lam
        hi = np.where(live & enough, mid, hi)
        lo = np.where(live & ~enough, mid, lo)
    return hi


def compact(m, mask: np.ndarray):
    """The model (or prepared model) of the elements where ``mask`` is true, as 1-D arrays."""
    shape = np.shape(mask)
    return type(m)(**{f.name: np.broadcast_to(getattr(m, f.name), shape)[mask] for f in dataclasses.fields(m)})
