"""Resolution: scenarios (as columns) -> the cost coefficients of the three options.

Every option's monthly cost is a piecewise-linear function of the volume R [requests/month]::

    cost(R) = fixed + variable * R + step * replicas(R)
    replicas(R) = max(min_replicas, ceil(R * peak_to_average / capacity))
    capacity = hours_per_month * 3600 / seconds_per_request * target_utilization   [requests/month/replica]

- API: fixed = monthly fee; variable = cost per request; step = 0.
- Cloud, per-second billing: fixed = overhead + staff; variable = s * GPUs * price per GPU-hour / 3600; step = 0.
- Cloud, reserved: fixed = overhead + staff; variable = 0; step = GPUs * price per GPU-hour * hours per month.
- On-premises: fixed = staff; variable = 0; step = capital + energy + maintenance per server and month.

Blank inputs are filled here from the catalogs and the sizing model. One implementation serves one
scenario (arrays of length 1) and a vectorised sweep of millions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from . import sizing
from .catalogs import Catalog, tier_starts, token_price
from .errors import CostModelError
from .scenario import PRECISION_BYTES

__all__ = ["OPTIONS", "OptionCost", "Plan", "resolve", "replicas_at", "cost_at", "capital_per_month",
           "CAPEX_HOST_FACTOR", "HOST_POWER_KW"]

OPTIONS: tuple[str, ...] = ("api", "cloud", "onprem")
#: Server price = GPUs x GPU price x this factor when onprem_capex_per_server is blank (seed 000: ~15% for
#: CPU, board, RAM and other parts on top of the GPUs).
CAPEX_HOST_FACTOR = 1.15
#: Power of a server's non-GPU parts [kW] when onprem_power_kw is blank.
HOST_POWER_KW = 0.5


@dataclass(frozen=True)
class OptionCost:
    """Coefficients of one option's monthly cost, one array element per scenario (see module doc)."""

    fixed: np.ndarray             # [money/month]
    variable: np.ndarray          # [money/request]
    step: np.ndarray              # [money/month/replica]
    capacity: np.ndarray          # [requests/month/replica], at target utilisation
    min_replicas: np.ndarray      # [count]
    gpus_per_replica: np.ndarray  # [count]
    seconds_per_request: np.ndarray  # [replica-s/request]


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


def replicas_at(opt: OptionCost, peak: np.ndarray, requests) -> np.ndarray:
    """Replicas [count] = max(min_replicas, ceil(R * peak_to_average / capacity)); 0 for the API."""
    r = np.asarray(requests, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        load = np.ceil(r * peak / opt.capacity)
    return np.where(np.isfinite(opt.capacity), np.maximum(opt.min_replicas, load), 0.0)


def cost_at(opt: OptionCost, peak: np.ndarray, requests) -> np.ndarray:
    """Monthly cost [money/month] = fixed + variable * R + step * replicas(R)."""
    r = np.asarray(requests, dtype=float)
    return opt.fixed + opt.variable * r + opt.step * replicas_at(opt, peak, r)


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
    """Fill blanks from the catalogs and the sizing model; compute each option's cost coefficients.

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
                     min_replicas=np.zeros(n), gpus_per_replica=np.zeros(n), seconds_per_request=np.full(n, np.nan))

    # --- the open model --------------------------------------------------------------------------
    s_given = f["seconds_per_request"]
    params = f["model_params_billion"].copy()
    prec = f["precision"]
    bpp = sizing.per_precision(prec, PRECISION_BYTES)
    need_model = _blank(params) | _blank(s_given)
    models = _lookup(f["model"], need_model, lambda m: catalog.model(m, "model"), rows)
    np.copyto(params, models.attr("params_billion"), where=_blank(params))
    weights_gb = sizing.weights_gb(params, bpp)
    hours = f["hours_per_month"]
    util = f["target_utilization"]
    peak = f["peak_to_average"]

    def self_hosted(prefix: str, gpus_key: str) -> tuple[np.ndarray, np.ndarray, Lookup]:
        gpus = f[gpus_key].copy()
        gpu_key = f"{prefix}_gpu"
        need_gpu = _blank(gpus) | _blank(s_given)
        if prefix == "cloud":
            need_gpu |= _blank(f["cloud_price_per_gpu_hour"])
        else:
            need_gpu |= _blank(f["onprem_capex_per_server"]) | _blank(f["onprem_power_kw"])
        hw = _lookup(f[gpu_key], need_gpu, lambda g: catalog.gpu(g, gpu_key), rows)
        mem = hw.attr("memory_gb")
        np.copyto(gpus, sizing.gpus_needed(params, mem, bpp, f["memory_overhead"]), where=_blank(gpus))
        s = s_given.copy()
        need_s = _blank(s)
        if need_s.any():
            s_est = _derive_seconds(need_s, gpus, hw, models, params, bpp, prec, p, o, gpus_key, rows)
            np.copyto(s, s_est, where=need_s)
        return gpus, s, hw

    def capacity(s: np.ndarray) -> np.ndarray:
        return hours * 3600.0 / s * util

    # --- cloud -----------------------------------------------------------------------------------
    g_c, s_c, hw_c = self_hosted("cloud", "cloud_gpus_per_replica")
    price_c = f["cloud_price_per_gpu_hour"].copy()
    np.copyto(price_c, hw_c.attr("cloud_price_per_hour_usd") * usd, where=_blank(price_c))
    per_second = np.asarray(f["cloud_billing"] == "per_second", dtype=bool)
    fixed_c = f["cloud_monthly_overhead"] + f["staff_monthly"]
    cloud = OptionCost(
        fixed=fixed_c,
        variable=np.where(per_second, s_c * g_c * price_c / 3600.0, 0.0),
        step=np.where(per_second, 0.0, g_c * price_c * hours),
        capacity=capacity(s_c), min_replicas=f["min_replicas"], gpus_per_replica=g_c, seconds_per_request=s_c)

    # --- on-premises ------------------------------------------------------------------------------
    g_o, s_o, hw_o = self_hosted("onprem", "onprem_gpus_per_server")
    capex = f["onprem_capex_per_server"].copy()
    np.copyto(capex, g_o * hw_o.attr("price_usd") * CAPEX_HOST_FACTOR * usd, where=_blank(capex))
    power = f["onprem_power_kw"].copy()
    np.copyto(power, hw_o.attr("tdp_w") * g_o / 1000.0 + HOST_POWER_KW, where=_blank(power))
    capital = capital_per_month(capex, f["onprem_amortization_months"], f["onprem_interest_rate"])
    energy = power * f["onprem_pue"] * hours * f["onprem_price_per_kwh"]
    onprem = OptionCost(
        fixed=f["staff_monthly"], variable=np.zeros(n), step=capital + energy + f["onprem_maintenance_monthly"],
        capacity=capacity(s_o), min_replicas=f["min_replicas"], gpus_per_replica=g_o, seconds_per_request=s_o)

    return Plan(requests=f["requests_per_month"], tokens=p + o, peak=peak, hours=hours,
                options={"api": api, "cloud": cloud, "onprem": onprem})


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


def _derive_seconds(need: np.ndarray, gpus, hw: Lookup, models: Lookup, params, bpp, prec, p, o, key: str,
                    rows: np.ndarray | None) -> np.ndarray:
    """seconds_per_request from the roofline model, for the rows that left it blank."""
    idx = np.flatnonzero(need)
    hw_i, md_i = hw.take(idx), models.take(idx)
    prec_i = prec[idx]
    tokens = p[idx] + o[idx]
    bad = np.flatnonzero(tokens <= 0)
    if len(bad):
        where = f" (row {int(rows[idx[bad[0]]])})" if rows is not None else ""
        raise CostModelError("seconds_per_request", "is blank and prompt_tokens + output_tokens is 0: give "
                             f"seconds_per_request or a token count{where}")
    kv = sizing.kv_bytes_per_token(md_i.attr("layers"), md_i.attr("kv_heads"), md_i.attr("head_dim"),
                                   sizing.kv_bytes_for(prec_i))
    # the model's own parameter count scales active parameters when the user overrides the total
    active = md_i.attr("active_params_billion") / md_i.attr("params_billion") * params[idx]
    res = sizing.roofline(
        n_gpus=gpus[idx], gpu_memory_gb=hw_i.attr("memory_gb"), bandwidth_tbps=hw_i.attr("bandwidth_tbps"),
        peak_flops=sizing.flops_for(prec_i, hw_i.attr("bf16_tflops"), hw_i.attr("fp8_tflops")),
        params_billion=params[idx], active_params_billion=active, bytes_per_param=bpp[idx], kv_per_token=kv,
        prompt_tokens=p[idx], output_tokens=o[idx])
    bmax = res["max_batch"]
    lacking = np.flatnonzero(bmax < 1)
    if len(lacking):
        j = lacking[0]
        gpu = hw_i.row(j)
        try:
            sizing.check_fits(float(bmax[j]), key=key, n_gpus=float(gpus[idx][j]),
                              gpu_memory_gb=float(gpu.memory_gb),
                              weight_gb=float(params[idx][j] * bpp[idx][j]),
                              kv_gb_per_sequence=float(kv[j] * tokens[j] / 1e9), gpu_id=gpu.id)
        except CostModelError as exc:
            where = f" (row {int(rows[idx[j]])})" if rows is not None else ""
            raise CostModelError(exc.key, exc.problem + where) from None
    out = np.full(len(need), np.nan)
    out[idx] = res["seconds_per_request"]
    return out
