"""What the cloud and on-premises stages of the resolution share: the replica of each scenario row's model
(:mod:`costengine.serving.replica`, built from the columns), the layout derived for the rows that leave
``seconds_per_request`` blank, and the layout one stage hands the other as a typed value (:class:`SharedLayout`).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalogs import Catalog
from .lookup import Columns, Lookup, blank, lookup, text_blank
from .plan import OptionCost, replicas_at
from .problems import Problems
from .profiles import HOURS, profile_weights
from .serving.layouts import fewest_tp, memory_only_gpus
from .serving.parameters import DEFAULT_EFFICIENCIES, TP_SIZES
from .serving.replica import Replica, replica
from .serving.step import prepare, step_times, traffic_batch

__all__ = [
    "DerivedLayout",
    "SharedLayout",
    "row_replica",
    "decoded_tokens",
    "reasoning_notes",
    "fewest_gpus",
    "derive",
    "same_layout",
    "cheapest_candidate",
    "chosen",
    "PLAN_TIE",
    "CANDIDATES",
    "at_traffic",
    "one_request_latency",
    "hour_shares",
]


#: Candidate plans whose monthly costs at the volume are within this share of the cheapest tie; the first
#: (fewest GPUs) wins, as in the workbook.
PLAN_TIE = 1e-9
#: Candidate layouts per row: tensor-parallel sizes in a node, whole nodes, a typed count.
CANDIDATES = len(TP_SIZES) + 2
_FIELDS = ("gpus", "seconds_per_request", "tp", "pp", "batch", "ttft_s", "tpot_s")
_CAND_KEYS = ("n", "seconds_per_request", "tp", "pp", "batch", "ttft_s", "tpot_s")


@dataclass(frozen=True)
class DerivedLayout:
    """A self-hosted option's replica per row: ``gpus`` [count], ``seconds_per_request`` [replica-s], the split
    ``tp`` x ``pp`` [count], ``batch`` [sequences], ``ttft_s`` [s], ``tpot_s`` [s/token] (NaN where typed).

    ``candidates``: the same fields, shape (:data:`CANDIDATES`, len(``cand_rows``)), for every layout that fits
    and meets the targets (NaN elsewhere), of the rows ``cand_rows`` whose layout was derived (a row with typed
    seconds has one plan, its own). The plan chooses among them by cost at the volume (:func:`cheapest_candidate`,
    :func:`chosen`)."""

    gpus: np.ndarray
    seconds_per_request: np.ndarray
    tp: np.ndarray
    pp: np.ndarray
    batch: np.ndarray
    ttft_s: np.ndarray
    tpot_s: np.ndarray
    candidates: dict[str, np.ndarray] | None = None
    cand_rows: np.ndarray | None = None

    def split(self) -> dict[str, np.ndarray]:
        """The layout's fields an :class:`~costengine.plan.OptionCost` carries: ``tp``, ``pp``, ``batch``,
        ``ttft_s``, ``tpot_s``."""
        return {k: getattr(self, k) for k in ("tp", "pp", "batch", "ttft_s", "tpot_s")}


def cheapest_candidate(costs: np.ndarray) -> np.ndarray:
    """Index of the cheapest candidate per row [index], ``costs`` shape (candidates, rows) [money/month], NaN =
    not a candidate: the first whose cost is within :data:`PLAN_TIE` of the lowest."""
    c = np.where(np.isnan(costs), np.inf, costs)
    low = c.min(axis=0)
    return np.argmax(c <= low * (1.0 + PLAN_TIE), axis=0)


def chosen(lay: DerivedLayout, k) -> DerivedLayout:
    """``lay`` with candidate ``k`` (one index, or one per row of ``lay.cand_rows``) as the layout of its derived
    rows; the other rows keep theirs."""
    rows = lay.cand_rows
    k = np.broadcast_to(np.asarray(k), (len(rows),))
    col = np.arange(len(rows))
    out = {}
    for f in _FIELDS:
        a = getattr(lay, f).copy()
        a[rows] = lay.candidates[f][k, col]
        out[f] = a
    return DerivedLayout(**out, candidates=lay.candidates, cand_rows=rows)


@dataclass(frozen=True)
class SharedLayout:
    """The layouts one stage derived, with their inputs (``gpus`` looked up, ``node`` [GPUs per instance or
    server], ``typed_n`` [GPUs per replica, NaN = derived]), for another stage's rows that have the same."""

    gpus: Lookup
    node: np.ndarray
    typed_n: np.ndarray
    layout: DerivedLayout


def row_replica(f: Columns, catalog: Catalog, rows: np.ndarray | None, problems: Problems | None = None) -> Replica:
    """The replica of each row's open model (``model``, ``model_params_billion``, ``precision``), looked up where
    a self-hosted option needs it; checks that the prompt and output fit the model's context window (a row where
    they do not: cloud and on-premises not feasible, marked in ``problems``)."""
    need = (
        blank(f["model_params_billion"])
        | blank(f["seconds_per_request"])
        | text_blank(f["precision"])
        | blank(f["cloud_gpus_per_replica"])
        | blank(f["onprem_gpus_per_replica"])
    )
    selfhosted = ("cloud", "onprem")
    mark = None if problems is None else lambda i, exc: problems.handle(selfhosted, i, exc)
    models = lookup(f["model"], need, lambda m: catalog.model(m, "model"), rows, mark)
    rep = replica(models, f["precision"], f["model_params_billion"])
    mark_rows = None
    if problems is not None and problems.marks:
        mark_rows = lambda i, texts: problems.infeasible(selfhosted, i, texts) or True  # noqa: E731
    rep.check_context(f["prompt_tokens"], decoded_tokens(f), need & (models.codes >= 0), rows, mark_rows)
    return rep


def decoded_tokens(f: Columns) -> np.ndarray:
    """Tokens the open model decodes per request [tokens] = output_tokens + reasoning_tokens (blank = 0): hidden
    reasoning tokens cost decode steps and KV memory like output tokens (docs/model.md#reasoning-tokens)."""
    return f["output_tokens"] + np.nan_to_num(np.asarray(f["reasoning_tokens"], dtype=float))


def reasoning_notes(f: Columns, rep: Replica) -> np.ndarray:
    """The note of each row whose open model reasons (model catalog column ``reasoning``) while
    ``reasoning_tokens`` is blank and the layout is derived: its hidden tokens are not counted ("" elsewhere)."""
    warn = (rep.models.attr("reasoning") == 1.0) & blank(f["reasoning_tokens"]) & blank(f["seconds_per_request"])
    if not warn.any():
        return np.full(len(warn), "", dtype=object)
    texts = [
        f"reasoning_tokens blank: {m.id} reasons; its hidden tokens are decoded on your GPUs and are not counted: "
        "type an estimate"
        for m in rep.models.results
    ]
    return np.where(warn, np.array(texts + [""], dtype=object)[rep.models.codes], "").astype(object)


def _memory_floor(f: Columns, rep: Replica) -> np.ndarray:
    """Usable memory a derived layout needs [B] = weights x memory_overhead."""
    return rep.w_bytes * f["memory_overhead"]


def fewest_gpus(f: Columns, rep: Replica, gpus: Lookup, node: np.ndarray) -> np.ndarray:
    """Fewest GPUs of a valid single-node layout that holds the model (weights x memory_overhead) per row; NaN
    where it needs more than one node (:func:`costengine.serving.layouts.fewest_tp`)."""
    return fewest_tp(gpus.attr("memory_gb"), rep.heads, _memory_floor(f, rep), node)


def derive(
    f: Columns,
    rep: Replica,
    gpus: Lookup,
    node: np.ndarray,
    typed_n: np.ndarray,
    prefix: str,
    gpus_key: str,
    rows: np.ndarray | None,
    shared: tuple[np.ndarray, DerivedLayout] | None = None,
    problems: Problems | None = None,
) -> DerivedLayout:
    """GPUs per replica, seconds per request and the layout of a self-hosted option.

    ``shared`` = (rows, layout): the rows (a mask) whose layout search has the same inputs as another option's
    take its ``layout`` instead of searching again. ``problems``: rows already marked for the option (``prefix``)
    are not searched; rows no layout serves are marked not feasible there (raised without it)."""
    n_rows = len(node)
    s = f["seconds_per_request"].copy()
    gpus_n = typed_n.copy()
    out = {k: np.full(n_rows, np.nan) for k in ("tp", "pp", "batch", "ttft_s", "tpot_s")}
    need_s = np.flatnonzero(blank(s))
    mark = None
    if problems is not None:
        need_s = need_s[~problems.any(prefix)[need_s]]
        if problems.mode == "coerce":  # no tokens to derive from: a bad value of the row
            empty = need_s[(f["prompt_tokens"] + f["output_tokens"])[need_s] <= 0]
            problems.bad_value(
                "seconds_per_request", empty, "is blank and prompt_tokens + output_tokens is 0", ("cloud", "onprem")
            )
            need_s = need_s[~problems.any(prefix)[need_s]]
        if problems.marks:
            mark = lambda j, texts: problems.infeasible((prefix,), need_s[j], texts) or True  # noqa: E731
    cands = {k: np.full((CANDIDATES, len(need_s)), np.nan) for k in _FIELDS}
    at = np.full(n_rows, -1)
    at[need_s] = np.arange(len(need_s))  # a derived row's column in the candidate arrays
    if shared is not None and len(need_s):
        same, other = shared
        theirs = np.full(n_rows, -1)
        theirs[other.cand_rows] = np.arange(len(other.cand_rows))
        same = same & (theirs >= 0)  # the rows the other stage searched
        take = need_s[same[need_s]]
        s[take], gpus_n[take] = other.seconds_per_request[take], other.gpus[take]
        for k in out:
            out[k][take] = getattr(other, k)[take]
        for k in _FIELDS:
            cands[k][:, at[take]] = other.candidates[k][:, theirs[take]]
        need_s = need_s[~same[need_s]]
    if len(need_s):
        lay = rep.layouts(
            gpus,
            need_s,
            p=f["prompt_tokens"],
            o=decoded_tokens(f),
            util=f["target_utilization"],
            memory_floor=_memory_floor(f, rep),
            node_gpus=node,
            typed_n=typed_n,
            max_tpot_ms=f["max_tpot_ms"],
            max_ttft_s=f["max_ttft_s"],
            prefix=prefix,
            gpus_key=gpus_key,
            rows=rows,
            mark=mark,
        )
        s[need_s] = lay.seconds_per_request
        gpus_n[need_s] = lay.n
        for k in out:
            out[k][need_s] = getattr(lay, k)
        for f_key, c_key in zip(_FIELDS, _CAND_KEYS, strict=True):
            found = lay.candidates[c_key]
            cands[f_key][: len(found), at[need_s]] = found
    memory_only = np.flatnonzero(blank(gpus_n))
    if len(memory_only):  # seconds typed, GPUs blank: the fewest GPUs of a valid layout that holds the model
        i = memory_only
        gpus_n[i] = memory_only_gpus(gpus.attr("memory_gb")[i], rep.heads[i], _memory_floor(f, rep)[i], node[i])
    derived = np.flatnonzero(at >= 0)
    return DerivedLayout(gpus=gpus_n, seconds_per_request=s, **out, candidates=cands, cand_rows=derived)


def at_traffic(f: Columns, rep: Replica, gpus: Lookup, opt: OptionCost) -> OptionCost:
    """``opt`` with its batch, TTFT and TPOT at the concurrency the peak traffic brings each replica
    (:func:`costengine.serving.step.traffic_batch`), the batch the targets allow kept as ``max_batch``.

    A replica's arrival rate at the peak [1/s] = R x peak_to_average / (hours x 3600) / replicas(R); the capacity
    (``seconds_per_request``) stays at ``max_batch``: what the replicas can serve, not what they see.
    ``docs/model.md#batch``."""
    rows = np.flatnonzero(np.isfinite(opt.batch))
    at_max = {"max_batch": opt.batch, "max_batch_ttft_s": opt.ttft_s, "max_batch_tpot_s": opt.tpot_s}
    if not len(rows):
        return dataclasses.replace(opt, **at_max)
    r, peak = f["requests_per_month"][rows], f["peak_to_average"][rows]
    reps = replicas_at(opt, f["peak_to_average"], f["requests_per_month"])[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        lam = np.where(reps > 0, r * peak / (f["hours_per_month"][rows] * 3600.0) / reps, 0.0)
    args = rep.layout_arguments(
        gpus, rows, f["prompt_tokens"], decoded_tokens(f), f["target_utilization"], _memory_floor(f, rep)
    )
    prepared = prepare(rep.step_model(args, opt.tp[rows], opt.pp[rows]), DEFAULT_EFFICIENCIES)
    b = traffic_batch(prepared, lam, opt.batch[rows])
    t = step_times(prepared, b)
    out = {k: getattr(opt, k).copy() for k in ("batch", "ttft_s", "tpot_s")}
    out["batch"][rows], out["ttft_s"][rows], out["tpot_s"][rows] = b, t["ttft_s"], t["tpot_s"]
    return dataclasses.replace(opt, **at_max, **out)


def same_layout(gpus: Lookup, node: np.ndarray, typed_n: np.ndarray, other: SharedLayout) -> np.ndarray:
    """Rows whose layout search has ``other``'s inputs: the same GPU, node size and typed GPUs per replica (the
    model, tokens, utilisation and targets are the row's)."""
    ids = {r.id: i for i, r in enumerate(other.gpus.results)}
    to_other = np.array([ids.get(r.id, -2) for r in gpus.results] + [-3])[gpus.codes]  # -1 (not looked up): -3
    same_n = (typed_n == other.typed_n) | (np.isnan(typed_n) & np.isnan(other.typed_n))
    return (to_other == other.gpus.codes) & (node == other.node) & same_n


def one_request_latency(f: Columns, rep: Replica, gpus: Lookup, lay: DerivedLayout, rows: np.ndarray) -> np.ndarray:
    """A request's latency when it is served alone [s], per row (NaN outside ``rows``): TTFT(1) + o x TPOT(1) at
    batch 1 of the row's layout, o the decoded tokens; a typed ``seconds_per_request`` is taken as the latency.
    What a per-second replica is busy for at low traffic (:mod:`costengine.serverless`)."""
    out = np.full(len(lay.gpus), np.nan)
    out[rows] = lay.seconds_per_request[rows]
    d = rows[np.isfinite(lay.tp[rows])]
    if len(d):
        o = decoded_tokens(f)
        args = rep.layout_arguments(gpus, d, f["prompt_tokens"], o, f["target_utilization"], _memory_floor(f, rep))
        t = step_times(prepare(rep.step_model(args, lay.tp[d], lay.pp[d]), DEFAULT_EFFICIENCIES), 1.0)
        out[d] = t["ttft_s"] + o[d] * t["tpot_s"]
    return out


def hour_shares(f: Columns, rows: np.ndarray) -> np.ndarray:
    """The hours' shares of a day's requests [fraction], shape (n, 24), of the ``rows`` (``load_profile``, blank =
    the default profile; :func:`costengine.profiles.profile_weights`); other rows a flat day."""
    n = len(f["requests_per_month"])
    out = np.full((n, HOURS), 1.0 / HOURS)
    values = np.asarray(f["load_profile"], dtype=object)[rows]
    kinds, at = np.unique(np.where(pd.isna(values), "", values).astype(str), return_inverse=True)
    table = np.array([profile_weights(k or None) for k in kinds], dtype=float).reshape(len(kinds), HOURS)
    out[rows] = table[at.reshape(-1)]
    return out
