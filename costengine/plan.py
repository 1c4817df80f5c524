"""Resolution: scenarios (as columns) -> the cost coefficients of the three options.

Every option's monthly cost is a piecewise-linear function of the volume R [requests/month]::

    cost(R) = fixed + variable * max(0, R - free_volume) + step * units(R)
    units(R) = max(min_units, ceil(R * peak_to_average / capacity))

A unit is what is bought: an instance or server holding ``replicas_per_unit`` replicas, or the instances or
servers of one replica that spans several (see :mod:`costengine.billing`); ``capacity`` is what one unit
serves [requests/month] at the target utilisation, ``hours_per_month * 3600 / seconds_per_request *
target_utilization`` per replica.

- API: fixed = monthly fee; variable = cost per request; no units.
- Cloud, always on: fixed = overhead + staff; step = the unit's instances x price per instance-hour x hours.
- Cloud, per second (serverless): fixed = overhead + staff + min_replicas warm all month; variable = busy
  GPU-seconds per request x the per-second rate, for the requests above the warm replicas' capacity
  (``free_volume``); no units.
- On-premises: fixed = staff; step = capital + energy + colocation + support per server and month.

Blank inputs are filled here from the catalogs, the serving model (:mod:`costengine.serving`) and the
billing rules. One implementation serves one scenario (arrays of length 1) and a vectorised sweep of millions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import billing, serving, sizing
from .catalogs import Catalog, tier_starts, token_price
from .errors import CostModelError
from .scenario import PRECISION_BYTES

__all__ = ["OPTIONS", "OptionCost", "Plan", "resolve", "replicas_at", "units_at", "cost_at", "capital_per_month"]

OPTIONS: tuple[str, ...] = ("api", "cloud", "onprem")
#: GPUs one serverless worker may hold (Modal's containers take up to 8 GPUs, https://modal.com/docs/guide/gpu).
SERVERLESS_MAX_GPUS = 8


def _nan_like(a: np.ndarray) -> np.ndarray:
    return np.full(np.shape(a), np.nan)


@dataclass(frozen=True)
class OptionCost:
    """Coefficients of one option's monthly cost, one array element per scenario (see module doc),
    and the serving layout behind them (NaN or empty where the option has none)."""

    fixed: np.ndarray             # [money/month]
    variable: np.ndarray          # [money/request]
    step: np.ndarray              # [money/month/unit]
    capacity: np.ndarray          # [requests/month/unit], at target utilisation
    min_units: np.ndarray         # [count]
    gpus_per_replica: np.ndarray  # [count]
    seconds_per_request: np.ndarray  # [replica-s/request]
    free_volume: np.ndarray = None  # [requests/month] served before ``variable`` applies (warm replicas)
    replica_capacity: np.ndarray = None  # [requests/month/replica]
    min_replicas: np.ndarray = None  # [count]
    replicas_per_unit: np.ndarray = None  # [count]
    nodes_per_unit: np.ndarray = None  # instances or servers in one unit [count]
    gpus_per_unit: np.ndarray = None  # GPUs paid per unit [count]
    tp: np.ndarray = None         # tensor-parallel size [count]
    pp: np.ndarray = None         # pipeline stages [count]
    batch: np.ndarray = None      # planned batch [sequences]
    ttft_s: np.ndarray = None     # [s]
    tpot_s: np.ndarray = None     # [s/token]
    source: np.ndarray = None     # offer or server id (object array; "" when priced from typed inputs)
    estimated: np.ndarray = None  # text naming catalog figures that are estimates ("" when none)

    def __post_init__(self) -> None:
        n = np.shape(self.fixed)
        defaults = {"free_volume": np.zeros(n), "replica_capacity": self.capacity, "min_replicas": self.min_units,
                    "replicas_per_unit": np.ones(n), "nodes_per_unit": np.ones(n),
                    "gpus_per_unit": self.gpus_per_replica, "tp": _nan_like(self.fixed), "pp": _nan_like(self.fixed),
                    "batch": _nan_like(self.fixed), "ttft_s": _nan_like(self.fixed), "tpot_s": _nan_like(self.fixed),
                    "source": np.full(n, "", dtype=object), "estimated": np.full(n, "", dtype=object)}
        for name, value in defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)


@dataclass(frozen=True)
class Plan:
    """Resolved scenarios: volume, tokens and the coefficients of each option."""

    requests: np.ndarray        # [requests/month]
    tokens: np.ndarray          # p + o [tokens/request]
    peak: np.ndarray            # peak-to-average [ratio]
    hours: np.ndarray           # [h/month]
    options: Mapping[str, OptionCost]

    def __len__(self) -> int:
        return len(self.requests)


def units_at(opt: OptionCost, peak: np.ndarray, requests) -> np.ndarray:
    """Units bought [count] = max(min_units, ceil(R * peak_to_average / capacity)); 0 without units."""
    r = np.asarray(requests, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.ceil(r * peak / opt.capacity)
    return np.where(np.isfinite(opt.capacity), np.maximum(opt.min_units, load), 0.0)


def replicas_at(opt: OptionCost, peak: np.ndarray, requests) -> np.ndarray:
    """Replicas serving the volume [count] = max(min_replicas, ceil(R * peak / replica capacity)); 0 for the API."""
    r = np.asarray(requests, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.ceil(r * peak / opt.replica_capacity)
    return np.where(np.isfinite(opt.replica_capacity), np.maximum(opt.min_replicas, load), 0.0)


def cost_at(opt: OptionCost, peak: np.ndarray, requests) -> np.ndarray:
    """Monthly cost [money/month] = fixed + variable * max(0, R - free_volume) + step * units(R)."""
    r = np.asarray(requests, dtype=float)
    return opt.fixed + opt.variable * np.maximum(r - opt.free_volume, 0.0) + opt.step * units_at(opt, peak, r)


def capital_per_month(capex, months, annual_rate):
    """Capital cost per server and month [money/month].

    Straight line ``capex / months`` when the rate is 0; the annuity payment
    ``capex * i / (1 - (1 + i)**-months)`` with ``i = annual_rate / 12`` otherwise; 0 when months is 0
    (capex treated as sunk).
    """
    capex, months, rate = (np.asarray(x, dtype=float) for x in (capex, months, annual_rate))
    i = rate / 12.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        straight = capex / months
        annuity = capex * i / (1.0 - (1.0 + i) ** -months)
    out = np.where(i > 0, annuity, straight)
    return np.where(months > 0, out, 0.0)


# --- resolution ------------------------------------------------------------------------------------

Columns = Mapping[str, np.ndarray]


class Lookup:
    """Catalog rows looked up once per distinct value: ``codes[i]`` indexes ``results`` (-1 = not looked up)."""

    def __init__(self, codes: np.ndarray, results: list):
        self.codes = codes
        self.results = results

    def attr(self, name: str) -> np.ndarray:
        """One float per row: the attribute of the row's catalog entry (NaN where not looked up)."""
        table = np.array([getattr(r, name) for r in self.results] + [np.nan], dtype=float)
        return table[self.codes]  # code -1 picks the trailing NaN

    def row(self, i: int) -> Any:
        return self.results[self.codes[i]] if self.codes[i] >= 0 else None

    def take(self, idx: np.ndarray) -> "Lookup":
        return Lookup(self.codes[idx], self.results)


def factorize(values: np.ndarray) -> tuple[np.ndarray, list]:
    """Integer codes and distinct values (first-seen order); fast for millions of rows."""
    if len(values) == 1:
        return np.zeros(1, dtype=np.intp), [values[0]]
    codes, uniques = pd.factorize(values)
    return codes, list(uniques)


def _lookup(values: np.ndarray, need: np.ndarray, fn: Callable[[Any], Any], rows: np.ndarray | None) -> Lookup:
    """Apply ``fn`` to each distinct value among the rows that ``need`` it.

    A :class:`CostModelError` names the first row (1-based) with the bad value when ``rows`` is given.
    """
    codes = np.full(len(values), -1, dtype=np.intp)
    idx = np.flatnonzero(need)
    if len(idx) == 0:
        return Lookup(codes, [])
    sub, uniques = factorize(values[idx])
    results = []
    for u_i, u in enumerate(uniques):
        try:
            results.append(fn(u))
        except CostModelError as exc:
            if rows is not None:
                first = int(rows[idx[np.flatnonzero(sub == u_i)[0]]])
                raise CostModelError(exc.key, f"{exc.problem} (row {first})") from None
            raise
    codes[idx] = sub
    return Lookup(codes, results)


def _blank(a: np.ndarray) -> np.ndarray:
    return np.isnan(a)


def resolve(cols: Columns, catalog: Catalog, rows: np.ndarray | None = None) -> Plan:
    """Fill blanks from the catalogs, the serving model and the billing rules; compute each option's coefficients.

    ``cols`` maps every scenario key to an array (floats, NaN for blank; objects for text keys).
    ``rows`` (1-based row numbers) makes errors name the row they come from.
    """
    n = len(cols["requests_per_month"])
    f = {k: v for k, v in cols.items()}
    usd = f["usd_to_currency"]
    p, o = f["prompt_tokens"], f["output_tokens"]

    # --- API -------------------------------------------------------------------------------------
    pin, pout, pcache = (f[k].copy() for k in ("api_input_price_per_mtok", "api_output_price_per_mtok",
                                                "api_cached_input_price_per_mtok"))
    need = _blank(pin) | _blank(pout) | _blank(pcache)
    if need.any():
        catalog_prices = _token_prices(f["api_model"], p, need, rows)
        for arr, name in ((pin, "input"), (pout, "output"), (pcache, "cache_read")):
            np.copyto(arr, catalog_prices[name] * usd, where=_blank(arr))
    c, b, d = f["api_cached_input_share"], f["api_batch_share"], f["api_batch_discount"]
    api_per_request = (p * ((1 - c) * pin + c * pcache) + o * pout) / 1e6 * (1 - b * d)
    inf = np.full(n, np.inf)
    api = OptionCost(fixed=f["api_monthly_fixed"], variable=api_per_request, step=np.zeros(n), capacity=inf,
                     min_units=np.zeros(n), gpus_per_replica=np.zeros(n), seconds_per_request=np.full(n, np.nan),
                     replica_capacity=inf, min_replicas=np.zeros(n))

    # --- the open model --------------------------------------------------------------------------
    model = _ModelColumns(f, catalog, rows)
    staff_c = billing.staff_monthly(f["staff_monthly"], f["cloud_staff_fte"], f["staff_cost_per_fte_year"])
    staff_o = billing.staff_monthly(f["staff_monthly"], f["onprem_staff_fte"], f["staff_cost_per_fte_year"])
    cloud = _cloud(f, catalog, model, staff_c, rows)
    onprem = _onprem(f, catalog, model, staff_o, rows)
    return Plan(requests=f["requests_per_month"], tokens=p + o, peak=f["peak_to_average"], hours=f["hours_per_month"],
                options={"api": api, "cloud": cloud, "onprem": onprem})


class _Key(tuple):
    """A tuple of column values, hashable, as one lookup key."""


def _combined(*columns) -> np.ndarray:
    """One object per row standing for the tuple of the rows' values in ``columns``, built per distinct
    combination (fast for millions of rows): equal tuples are the same object, so lookups factorize them once."""
    n = len(columns[0])
    if n == 1:
        out = np.empty(1, dtype=object)
        out[0] = _Key(np.asarray(c, dtype=object)[0] for c in columns)
        return out
    code = np.zeros(n, dtype=np.int64)
    uniques = []
    for c in columns:
        k, u = pd.factorize(np.asarray(c, dtype=object) if not isinstance(c, pd.Categorical) else c)
        code = code * (len(u) + 1) + k
        uniques.append((k, u))
    combo, first = np.unique(code, return_index=True)
    objs = np.empty(len(combo), dtype=object)
    for j, i in enumerate(first):
        objs[j] = _Key(u[k[i]] if k[i] >= 0 else None for k, u in uniques)
    return objs[np.searchsorted(combo, code)]


def _text_blank(values) -> np.ndarray:
    """Blank text cells ("" or None) of an object column."""
    if isinstance(values, pd.Categorical):
        cats = np.array([c == "" or c is None for c in values.categories] + [True])
        return cats[values.codes]
    return np.array([v is None or v == "" or (isinstance(v, float) and np.isnan(v)) for v in values], dtype=bool)


def _where(rows: np.ndarray | None, i: int) -> str:
    return f" (row {int(rows[i])})" if rows is not None else ""


_COMPUTE_CODES = {"bf16": 0, "fp8": 1, "fp4": 2}


class _ModelColumns:
    """The open model's columns: parameters, precision, weight bytes and architecture, per row."""

    def __init__(self, f: Columns, catalog: Catalog, rows: np.ndarray | None):
        n = len(f["requests_per_month"])
        self.f, self.rows = f, rows
        prec = np.asarray(f["precision"], dtype=object)
        prec_blank = _text_blank(prec)
        self.params = f["model_params_billion"].copy()
        need = (_blank(self.params) | _blank(f["seconds_per_request"]) | prec_blank
                | _blank(f["cloud_gpus_per_replica"]) | _blank(f["onprem_gpus_per_replica"]))
        self.lookup = _lookup(np.asarray(f["model"], dtype=object), need, lambda m: catalog.model(m, "model"), rows)
        m = self.lookup
        np.copyto(self.params, m.attr("params_billion"), where=_blank(self.params))
        if prec_blank.any():
            native = np.array([r.native_precision for r in m.results] + ["bf16"], dtype=object)[m.codes]
            prec = np.where(prec_blank, native, prec)
        self.precision = prec
        self.bpp = sizing.per_precision(prec, PRECISION_BYTES)
        scale = self.params / m.attr("params_billion")  # a typed parameter count scales the catalog's
        self.found = ~np.isnan(m.attr("params_billion"))
        self.experts = np.nan_to_num(m.attr("experts"))
        self.top_k = np.nan_to_num(m.attr("experts_per_token"))
        expert_params = np.nan_to_num(m.attr("expert_params_billion") * scale)
        four_bit = sizing.per_precision(prec, {k: float(v == 0.5) for k, v in PRECISION_BYTES.items()}) == 1.0
        # 4-bit MoE checkpoints (MXFP4, NVFP4) quantise the experts; attention and the rest stay at 16 bits
        keep16 = four_bit & (self.experts > 0)
        self.w_expert_bytes = expert_params * 1e9 * self.bpp
        self.w_bytes = np.where(keep16, self.w_expert_bytes + (self.params - expert_params) * 1e9 * 2.0,
                                self.params * 1e9 * self.bpp)
        self.active = m.attr("active_params_billion") * scale * 1e9
        self.kv = sizing.kv_bytes_per_token(m.attr("layers"), m.attr("kv_heads"), m.attr("head_dim"),
                                            sizing.per_precision(prec, serving.KV_BYTES))
        self.md = {"heads": m.attr("attention_heads"), "layers": m.attr("layers"), "hidden": m.attr("hidden_size"),
                   "attn_width": m.attr("attention_heads") * m.attr("head_dim"), "experts": self.experts,
                   "top_k": self.top_k, "active": self.active}
        self.compute = sizing.per_precision(prec, {k: float(_COMPUTE_CODES[v]) for k, v in serving.COMPUTE.items()})
        self.fp32 = sizing.per_precision(prec, {k: float(k == "fp32") for k in PRECISION_BYTES}) == 1.0
        ctx = m.attr("context_length")
        over = np.flatnonzero(need & ((f["prompt_tokens"] + f["output_tokens"]) > ctx))
        if len(over):
            i = over[0]
            raise CostModelError("prompt_tokens", f"prompt_tokens + output_tokens = "
                                 f"{f['prompt_tokens'][i] + f['output_tokens'][i]:,.0f} exceeds the context window of "
                                 f"{m.row(i).id} ({ctx[i]:,.0f} tokens){_where(rows, i)}")

    def hardware(self, hw: Lookup) -> dict[str, np.ndarray]:
        """Per-row GPU arrays for :func:`costengine.serving.choose_layouts`."""
        # a precision without tensor cores on the GPU computes at the bf16 rate (GPU.tflops); fp32 at half of it
        peaks = [np.array([r.tflops(c) for r in hw.results] + [np.nan])[hw.codes] for c in _COMPUTE_CODES]
        peak = np.choose(self.compute.astype(int), peaks) * np.where(self.fp32, 0.5, 1.0)
        codes = np.array([serving.INTERCONNECT_CODES.get(r.interconnect, 2) for r in hw.results] + [2])[hw.codes]
        latency = np.array([serving.ALLREDUCE_LATENCY_S[k] for k in serving.INTERCONNECT_CODES])[codes]
        return {"memory_gb": hw.attr("memory_gb"), "bw": hw.attr("bandwidth_tbps") * 1e12, "flops": peak * 1e12,
                "link": hw.attr("interconnect_gbps") * 1e9, "allreduce_s": latency,
                "sw_eff": hw.attr("serving_efficiency")}

    def memory_floor(self) -> np.ndarray:
        """Usable memory a derived layout needs [B] = weights x memory_overhead."""
        return self.w_bytes * self.f["memory_overhead"]

    def min_tp(self, hw: Lookup, node: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """Fewest GPUs of a valid single-node layout that holds the model, for the rows ``idx`` (all rows when
        None; ``hw`` and ``node`` are then full length too); NaN where it needs more than one node."""
        idx = np.arange(len(self.w_bytes)) if idx is None else idx
        usable = hw.attr("memory_gb")[idx] * 1e9 * serving.DEFAULT_EFFICIENCIES.kv_memory_fraction
        node = np.asarray(node, dtype=float)[idx] if np.ndim(node) else node
        out = np.full(len(idx), np.nan)
        floor = self.memory_floor()[idx]
        heads = self.md["heads"][idx]
        for t in reversed(serving.TP_SIZES):
            ok = (t <= node) & (np.mod(heads, t) == 0) & (t * usable >= floor)
            out = np.where(ok, float(t), out)
        return out

    def serving_args(self, hw: Lookup, idx: np.ndarray) -> dict[str, Any]:
        """Keyword arguments of :func:`costengine.serving.choose_layouts` for the rows ``idx`` (targets aside)."""
        f = self.f
        md = {k: v[idx] for k, v in self.md.items()}
        eff = serving.DEFAULT_EFFICIENCIES
        return dict(hw={k: v[idx] for k, v in self.hardware(hw).items()}, md=md, p=f["prompt_tokens"][idx],
                    o=f["output_tokens"][idx], util=f["target_utilization"][idx], w_bytes=self.w_bytes[idx],
                    w_expert_bytes=self.w_expert_bytes[idx], kv=self.kv[idx],
                    compute_eff=np.where(md["experts"] > 0, eff.compute * eff.moe_compute, eff.compute),
                    memory_floor=self.memory_floor()[idx])

    def layouts(self, hw: Lookup, node: np.ndarray, typed_n: np.ndarray, idx: np.ndarray, prefix: str,
                gpus_key: str) -> serving.Layout:
        """Chosen layouts for the rows ``idx`` (that derive seconds_per_request); errors name the key."""
        f = self.f
        eff = serving.DEFAULT_EFFICIENCIES
        tokens = f["prompt_tokens"][idx] + f["output_tokens"][idx]
        bad = np.flatnonzero(tokens <= 0)
        if len(bad):
            raise CostModelError("seconds_per_request", "is blank and prompt_tokens + output_tokens is 0: give "
                                 f"seconds_per_request or a token count{_where(self.rows, idx[bad[0]])}")
        tpot = f["max_tpot_ms"][idx] / 1000.0
        ttft = f["max_ttft_s"][idx]
        lay = serving.choose_layouts(**self.serving_args(hw, idx), node_gpus=node[idx], typed_n=typed_n[idx],
                                     tpot_max_s=np.where(np.isnan(tpot) | (tpot <= 0), np.inf, tpot),
                                     ttft_max_s=np.where(np.isnan(ttft) | (ttft <= 0), np.inf, ttft))
        for code in (1, 2):
            hit = np.flatnonzero(lay.status == code)
            if not len(hit):
                continue
            j = hit[0]
            where = _where(self.rows, idx[j])
            gpu = hw.row(idx[j])
            if code == 1:
                key = gpus_key if not np.isnan(typed_n[idx[j]]) else f"{prefix}_gpu"
                raise CostModelError(key, f"the model does not fit: one replica needs {lay.need_gb[j]:,.1f} GB "
                                     f"(weights + one sequence's KV cache, at "
                                     f"{eff.kv_memory_fraction:.0%} usable) on {gpu.id}{where}")
            t_ms, t_s = lay.best_tpot_s[j] * 1000.0, lay.best_ttft_s[j]
            key = "max_tpot_ms" if t_ms > tpot[j] else "max_ttft_s"
            raise CostModelError(key, f"no {prefix} layout on {gpu.id} meets the latency targets: the best "
                                 f"reachable is TPOT {t_ms:,.1f} ms and TTFT {t_s:,.2f} s{where}")
        return lay


def _derive(f: Columns, model: _ModelColumns, hw: Lookup, node: np.ndarray, typed_n: np.ndarray, prefix: str,
            gpus_key: str) -> dict[str, np.ndarray]:
    """GPUs per replica, seconds per request and the layout columns of a self-hosted option."""
    n_rows = len(node)
    s = f["seconds_per_request"].copy()
    gpus = typed_n.copy()
    out = {k: np.full(n_rows, np.nan) for k in ("tp", "pp", "batch", "ttft_s", "tpot_s")}
    need_s = np.flatnonzero(_blank(s))
    if len(need_s):
        lay = model.layouts(hw, node, typed_n, need_s, prefix, gpus_key)
        s[need_s] = lay.seconds_per_request
        gpus[need_s] = lay.n
        for k in out:
            out[k][need_s] = getattr(lay, k)
    memory_only = np.flatnonzero(_blank(gpus))
    if len(memory_only):  # seconds typed, GPUs blank: the fewest GPUs of a valid layout that holds the model
        t = model.min_tp(hw, node, memory_only)
        usable = hw.attr("memory_gb")[memory_only] * 1e9 * serving.DEFAULT_EFFICIENCIES.kv_memory_fraction
        nodes = np.maximum(np.ceil(model.memory_floor()[memory_only] / (node[memory_only] * usable)), 1.0)
        gpus[memory_only] = np.where(np.isnan(t), nodes * node[memory_only], t)
    out["gpus"], out["seconds_per_request"] = gpus, s
    return out


def _cloud(f: Columns, catalog: Catalog, model: _ModelColumns, staff: np.ndarray, rows) -> OptionCost:
    n = len(staff)
    hours, util = f["hours_per_month"], f["target_utilization"]
    price_typed = ~_blank(f["cloud_price_per_gpu_hour"])
    need_hw = _blank(f["cloud_gpus_per_replica"]) | _blank(f["seconds_per_request"]) | ~price_typed
    hw = _lookup(np.asarray(f["cloud_gpu"], dtype=object), need_hw, lambda g: catalog.gpu(g, "cloud_gpu"), rows)
    per_second = np.asarray(f["cloud_billing"] == "per_second", dtype=bool)
    pricing = np.asarray(f["cloud_pricing"], dtype=object)
    typed_n = f["cloud_gpus_per_replica"].astype(float)
    # --- the offer (rows without a typed price) ----------------------------------------------------
    node = np.full(n, float(max(serving.TP_SIZES)))  # a typed per-GPU price: GPUs one by one, up to 8 per node
    offer_rows = ~price_typed
    n_min = np.where(np.isnan(typed_n), model.min_tp(hw, np.full(n, 1e9)), typed_n)  # memory only, any node
    n_min = np.where(np.isnan(n_min), max(serving.TP_SIZES), n_min)
    keys = _combined(f["cloud_gpu"], pricing, per_second, n_min, f["cloud_offer"])

    def pick(key: tuple):
        g, t, ps, m, oid = key
        return billing.choose_offer(catalog, g, t, bool(ps), float(m), oid or None)

    offers = _lookup(keys, offer_rows, pick, rows)
    np.copyto(node, offers.attr("gpus_per_instance"), where=offer_rows)
    # serverless offers are priced per GPU; a worker may hold up to 8 GPUs (Modal: up to 8 per container)
    node = np.where(offer_rows & per_second, float(SERVERLESS_MAX_GPUS), node)
    spot = offer_rows & (pricing == "spot")
    bad = np.flatnonzero(per_second & (pricing != "on_demand"))
    if len(bad):
        raise CostModelError("cloud_pricing", f"per-second (serverless) billing has no {pricing[bad[0]]} term: use "
                             f"on_demand{_where(rows, bad[0])}")
    lay = _derive(f, model, hw, node, typed_n, "cloud", "cloud_gpus_per_replica")
    g, s = lay["gpus"], lay["seconds_per_request"]
    # --- prices ---------------------------------------------------------------------------------------
    term_price = np.full(n, np.nan)
    for term in ("on_demand", "commit_1y", "commit_3y", "spot"):
        col = offers.attr({"on_demand": "on_demand_per_hour_usd", "commit_1y": "commit_1y_per_hour_usd",
                           "commit_3y": "commit_3y_per_hour_usd", "spot": "spot_per_hour_usd"}[term])
        np.copyto(term_price, col, where=pricing == term)
    usd = f["usd_to_currency"]
    per_gpu_hour = np.where(price_typed, f["cloud_price_per_gpu_hour"],
                            np.where(per_second, offers.attr("per_second_usd") * 3600.0, term_price) * usd
                            / offers.attr("gpus_per_instance"))
    replica_cap = hours * 3600.0 / s * util / np.where(spot, 1.0 + f["cloud_spot_spare"], 1.0)
    per_unit, nodes = billing.packing(g, node)
    per_unit = np.where(price_typed | per_second, 1.0, per_unit)
    nodes = np.where(price_typed | per_second, 1.0, nodes)
    gpus_per_unit = np.where(price_typed | per_second, g, nodes * node)
    m_rep = f["min_replicas"]
    warm = np.where(per_second, m_rep * g * per_gpu_hour * hours, 0.0)
    source = np.array([r.id for r in offers.results] + [""], dtype=object)[offers.codes]
    return OptionCost(
        fixed=f["cloud_monthly_overhead"] + staff + warm,
        variable=np.where(per_second, s * g * per_gpu_hour / 3600.0, 0.0),
        step=np.where(per_second, 0.0, gpus_per_unit * per_gpu_hour * hours),
        capacity=np.where(per_second, np.inf, replica_cap * per_unit),
        min_units=np.where(per_second, 0.0, np.ceil(m_rep / per_unit)), gpus_per_replica=g, seconds_per_request=s,
        free_volume=np.where(per_second, m_rep * replica_cap, 0.0), replica_capacity=replica_cap, min_replicas=m_rep,
        replicas_per_unit=per_unit, nodes_per_unit=nodes, gpus_per_unit=gpus_per_unit, tp=lay["tp"], pp=lay["pp"],
        batch=lay["batch"], ttft_s=lay["ttft_s"], tpot_s=lay["tpot_s"], source=source)


def _onprem(f: Columns, catalog: Catalog, model: _ModelColumns, staff: np.ndarray, rows) -> OptionCost:
    n = len(staff)
    hours, util, usd = f["hours_per_month"], f["target_utilization"], f["usd_to_currency"]
    typed = {k: ~_blank(f[k]) for k in ("onprem_gpus_per_server", "onprem_capex_per_server", "onprem_power_kw",
                                         "onprem_maintenance_monthly")}
    need_server = ~(typed["onprem_gpus_per_server"] & typed["onprem_capex_per_server"] & typed["onprem_power_kw"]
                    & typed["onprem_maintenance_monthly"])
    need_hw = need_server | _blank(f["seconds_per_request"]) | _blank(f["onprem_gpus_per_replica"])
    hw = _lookup(np.asarray(f["onprem_gpu"], dtype=object), need_hw, lambda g: catalog.gpu(g, "onprem_gpu"), rows)
    keys = _combined(f["onprem_gpu"], f["onprem_server"])

    def pick(key: tuple):
        g, sid = key
        server = billing.server_for(catalog, g, sid or None)
        gpu = catalog.gpu(g, "onprem_gpu")
        return _ServerTerms(server, billing.server_terms(server, gpu.price_usd, gpu.tdp_w))

    servers = _lookup(keys, need_server, pick, rows)
    node = np.where(typed["onprem_gpus_per_server"], f["onprem_gpus_per_server"], servers.attr("gpus_per_server"))
    typed_n = f["onprem_gpus_per_replica"].astype(float)
    # the seed articles' servers: a typed server size with a typed seconds_per_request is one replica per server
    seed = typed["onprem_gpus_per_server"] & ~_blank(f["seconds_per_request"]) & np.isnan(typed_n)
    typed_n = np.where(seed, node, typed_n)
    lay = _derive(f, model, hw, node, typed_n, "onprem", "onprem_gpus_per_replica")
    g, s = lay["gpus"], lay["seconds_per_request"]
    capex = np.where(typed["onprem_capex_per_server"], f["onprem_capex_per_server"], servers.attr("price_usd") * usd)
    power = np.where(typed["onprem_power_kw"], f["onprem_power_kw"], servers.attr("typical_kw"))
    max_kw = np.where(typed["onprem_power_kw"], f["onprem_power_kw"], servers.attr("max_kw"))
    support = np.where(typed["onprem_maintenance_monthly"], f["onprem_maintenance_monthly"],
                       servers.attr("support_per_year_usd") * usd / 12.0)
    per_unit, nodes = billing.packing(g, node)
    capital = capital_per_month(capex, f["onprem_amortization_months"], f["onprem_interest_rate"])
    energy = power * f["onprem_pue"] * hours * f["onprem_price_per_kwh"]
    colo = max_kw * f["onprem_colo_per_kw_month"]
    replica_cap = hours * 3600.0 / s * util
    m_rep = f["min_replicas"]
    source = np.array([r.id for r in servers.results] + [""], dtype=object)[servers.codes]
    estimated = np.array([r.estimated for r in servers.results] + [""], dtype=object)[servers.codes]
    return OptionCost(
        fixed=staff, variable=np.zeros(n), step=nodes * (capital + energy + colo + support),
        capacity=replica_cap * per_unit, min_units=np.ceil(m_rep / per_unit), gpus_per_replica=g,
        seconds_per_request=s, replica_capacity=replica_cap, min_replicas=m_rep, replicas_per_unit=per_unit,
        nodes_per_unit=nodes, gpus_per_unit=nodes * node, tp=lay["tp"], pp=lay["pp"], batch=lay["batch"],
        ttft_s=lay["ttft_s"], tpot_s=lay["tpot_s"], source=source, estimated=estimated)


class _ServerTerms:
    """A server row with its (possibly estimated) terms, as attributes for :class:`Lookup`."""

    def __init__(self, server: Any, terms: dict[str, Any]):
        self.id = server.id
        self.gpus_per_server = server.gpus_per_server
        for k, v in terms.items():
            setattr(self, k, v)
        self.estimated = ", ".join(k.removesuffix("_estimated") for k, v in terms.items()
                                   if k.endswith("_estimated") and v)


_PRICE_KINDS = ("input", "output", "cache_read")


def _token_prices(models: np.ndarray, prompt: np.ndarray, need: np.ndarray,
                  rows: np.ndarray | None) -> dict[str, np.ndarray]:
    """Catalog token prices [USD/MTok] per row by kind (NaN where not needed); the tier follows the prompt size."""
    out = {kind: np.full(len(models), np.nan) for kind in _PRICE_KINDS}
    idx = np.flatnonzero(need)
    codes, uniques = factorize(models[idx])
    for u_i, model in enumerate(uniques):
        sel = idx[codes == u_i]
        try:
            starts = (0.0,) + tier_starts(model)
            tier = np.searchsorted(np.array(starts), prompt[sel], side="right") - 1
            for t in (np.unique(tier) if len(tier) > 1 else tier):
                price = token_price(model, None, starts[t])
                for kind in _PRICE_KINDS:
                    out[kind][sel[tier == t]] = getattr(price, kind)
        except CostModelError as exc:
            if rows is not None:
                raise CostModelError(exc.key, f"{exc.problem} (row {int(rows[sel[0]])})") from None
            raise
    return out
