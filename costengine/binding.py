"""When a latency target binds hard: a note, with its price, on the self-hosted options it binds
(``docs/model.md#latency-targets``).

A target binds hard on an option (cloud, onprem) whose layout is derived (``seconds_per_request`` blank) when

- its monthly cost at the scenario's volume with the targets is more than :data:`BIND_RATIO` times its cost with
  both targets doubled (the scenario resolved a second time, targets x 2); or
- the largest batch its targets allow (``max_batch``) is under :data:`SMALL_BATCH` while the traffic would fill
  more: the layout's memory holds
  :data:`SMALL_BATCH` sequences or more (:func:`costengine.serving.memory.memory_batch`) and the load, not
  ``min_replicas``, sets the replica count (``ceil(R x peak / replica capacity) > min_replicas``).

The note names the target(s) the plan is at (estimate >= 90% of the target; both when neither is) and the cost
with the targets doubled. Computed for one scenario (:func:`costengine.engine.compare`); a sweep does not compute it.
"""

from __future__ import annotations

import numpy as np

from .catalogs import Catalog
from .lookup import Columns, lookup
from .plan import Plan, cost_at, replicas_at, with_note
from .problems import Problems
from .resolve import resolve_cloud, resolve_onprem
from .selfhosted import decoded_tokens, row_replica
from .serving.memory import memory_batch

__all__ = ["BIND_RATIO", "SMALL_BATCH", "AT_TARGET", "binding_notes"]

#: Cost at the targets over the cost with the targets doubled above which a target binds hard [ratio].
BIND_RATIO = 1.25
#: A planned batch under this many sequences binds hard when memory and traffic would fill it [sequences].
SMALL_BATCH = 8
#: An estimate at this share of its target or more is "at" the target (named in the note) [ratio].
AT_TARGET = 0.9
_GPU_KEYS = {"cloud": "cloud_gpu", "onprem": "onprem_gpu"}


def binding_notes(plan: Plan, f: Columns, catalog: Catalog) -> Plan:
    """``plan`` (resolved from the columns ``f``) with a note on each self-hosted option where a target binds hard.

    Resolves the self-hosted options a second time, targets doubled (none stays none), where a row has a target and
    a derived layout."""
    ttft, tpot = np.asarray(f["max_ttft_s"], dtype=float), np.asarray(f["max_tpot_ms"], dtype=float)
    rows = (np.isfinite(ttft) | np.isfinite(tpot)) & np.isnan(f["seconds_per_request"])
    if not rows.any():
        return plan
    marks = Problems(len(rows))  # an option the doubled targets cannot serve either is marked, not raised
    rep = row_replica(f, catalog, None, marks)  # the replica does not depend on the targets: built once
    doubled_f = {**f, "max_ttft_s": ttft * 2.0, "max_tpot_ms": tpot * 2.0}
    cloud, shared = resolve_cloud(doubled_f, catalog, None, rep, marks)
    onprem = resolve_onprem(doubled_f, catalog, None, rep, shared, marks)
    loose = {"cloud": marks.apply("cloud", cloud), "onprem": marks.apply("onprem", onprem)}
    r = plan.requests
    options = dict(plan.options)
    for name, gpu_key in _GPU_KEYS.items():
        opt = plan.options[name]
        ok = rows & (opt.problem == "") & np.isfinite(opt.max_batch)
        if not ok.any():
            continue
        cost, doubled = cost_at(opt, plan.peak, r), cost_at(loose[name], plan.peak, r)
        gpus = lookup(f[gpu_key], ok, lambda g, k=gpu_key: catalog.gpu(g, k), None)
        held = memory_batch(
            opt.gpus_per_replica,
            gpus.attr("memory_gb"),
            rep.w_bytes,
            rep.kv(np.arange(len(r)), f["prompt_tokens"], decoded_tokens(f)),
            f["prompt_tokens"],
            decoded_tokens(f),
        )
        with np.errstate(divide="ignore", invalid="ignore"):
            by_load = np.ceil(r * plan.peak / opt.replica_capacity) > opt.min_replicas
            costly = cost > BIND_RATIO * doubled
        small = (opt.max_batch < SMALL_BATCH) & (held >= SMALL_BATCH) & by_load
        reps = replicas_at(opt, plan.peak, r)
        for i in np.flatnonzero(ok & (costly | small)):
            which = _named(
                float(ttft[i]), float(tpot[i]), float(opt.max_batch_ttft_s[i]), float(opt.max_batch_tpot_s[i])
            )
            why = (
                f"batch {opt.max_batch[i]:,.0f} where memory holds {held[i]:,.0f} and the load needs {reps[i]:,.0f} "
                "replicas; "
                if small[i]
                else ""
            )
            options[name] = with_note(
                options[name],
                np.arange(len(r)) == i,
                f"{which} {'binds' if ' and ' not in which else 'bind'}: {why}{name} costs {cost[i]:,.0f} vs "
                f"{doubled[i]:,.0f} {f['currency'][i]}/month with targets doubled ({cost[i] / doubled[i] - 1:+.0%})",
            )
    return Plan(plan.requests, plan.tokens, plan.peak, plan.hours, options)


def _named(ttft: float, tpot_ms: float, ttft_s: float, tpot_s: float) -> str:
    """The target(s) the plan is at: ``max_ttft_s=0.45``, ``max_tpot_ms=40`` or both joined by "and"."""
    at = {
        f"max_ttft_s={ttft:g}": ttft_s / ttft if np.isfinite(ttft) else np.nan,
        f"max_tpot_ms={tpot_ms:g}": tpot_s * 1000.0 / tpot_ms if np.isfinite(tpot_ms) else np.nan,
    }
    close = [k for k, v in at.items() if v >= AT_TARGET]
    return " and ".join(close or [k for k, v in at.items() if np.isfinite(v)])
