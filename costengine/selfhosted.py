"""What the cloud and on-premises stages of the resolution share: the replica of each scenario row's model
(:mod:`costengine.serving.replica`, built from the columns), the layout derived for the rows that leave
``seconds_per_request`` blank, and the layout one stage hands the other as a typed value (:class:`SharedLayout`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .catalogs import Catalog
from .lookup import Columns, Lookup, blank, lookup, text_blank
from .problems import Problems
from .serving.layouts import fewest_tp, memory_only_gpus
from .serving.replica import Replica, replica

__all__ = ["DerivedLayout", "SharedLayout", "row_replica", "fewest_gpus", "derive", "same_layout"]


@dataclass(frozen=True)
class DerivedLayout:
    """A self-hosted option's replica per row: ``gpus`` [count], ``seconds_per_request`` [replica-s], the split
    ``tp`` x ``pp`` [count], ``batch`` [sequences], ``ttft_s`` [s], ``tpot_s`` [s/token] (NaN where typed)."""

    gpus: np.ndarray
    seconds_per_request: np.ndarray
    tp: np.ndarray
    pp: np.ndarray
    batch: np.ndarray
    ttft_s: np.ndarray
    tpot_s: np.ndarray


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
    rep.check_context(f["prompt_tokens"], f["output_tokens"], need & (models.codes >= 0), rows, mark_rows)
    return rep


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
    if shared is not None and len(need_s):
        same, other = shared
        take = need_s[same[need_s]]
        s[take], gpus_n[take] = other.seconds_per_request[take], other.gpus[take]
        for k in out:
            out[k][take] = getattr(other, k)[take]
        need_s = need_s[~same[need_s]]
    if len(need_s):
        lay = rep.layouts(
            gpus,
            need_s,
            p=f["prompt_tokens"],
            o=f["output_tokens"],
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
    memory_only = np.flatnonzero(blank(gpus_n))
    if len(memory_only):  # seconds typed, GPUs blank: the fewest GPUs of a valid layout that holds the model
        i = memory_only
        gpus_n[i] = memory_only_gpus(gpus.attr("memory_gb")[i], rep.heads[i], _memory_floor(f, rep)[i], node[i])
    return DerivedLayout(gpus=gpus_n, seconds_per_request=s, **out)


def same_layout(gpus: Lookup, node: np.ndarray, typed_n: np.ndarray, other: SharedLayout) -> np.ndarray:
    """Rows whose layout search has ``other``'s inputs: the same GPU, node size and typed GPUs per replica (the
    model, tokens, utilisation and targets are the row's)."""
    ids = {r.id: i for i, r in enumerate(other.gpus.results)}
    to_other = np.array([ids.get(r.id, -2) for r in gpus.results] + [-3])[gpus.codes]  # -1 (not looked up): -3
    same_n = (typed_n == other.typed_n) | (np.isnan(typed_n) & np.isnan(other.typed_n))
    return (to_other == other.gpus.codes) & (node == other.node) & same_n
