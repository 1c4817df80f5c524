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
billing rules. The equations, with their units and sources: ``docs/model.md#cost-function`` and the sections
it links. One implementation serves one scenario (arrays of length 1) and a vectorised sweep of millions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import billing, serving
from .lookup import Columns, blank as _blank, combined as _combined, factorize, lookup as _lookup
from .lookup import where as _where
from .replicas import ModelColumns as _ModelColumns, derive as _derive
from .catalogs import Catalog, tier_starts, token_price
from .errors import CostModelError

__all__ = ["OPTIONS", "OptionCost", "Plan", "resolve", "replicas_at", "units_at", "cost_at", "capital_per_month"]

OPTIONS: tuple[str, ...] = ("api", "cloud", "onprem")
#: GPUs one serverless worker may hold (Modal's containers take up to 8 GPUs, https://modal.com/docs/guide/gpu,
#: read 2026-12-01).
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
    ``capex * i / (1 - (1 + i)**-months)`` with ``i = annual_rate / 12`` otherwise (the spreadsheet's PMT);
    0 when months is 0 (capex treated as sunk). See ``docs/model.md#on-premises-cost``.
    """
    capex, months, rate = (np.asarray(x, dtype=float) for x in (capex, months, annual_rate))
    i = rate / 12.0
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        straight = capex / months
        annuity = capex * i / (1.0 - (1.0 + i) ** -months)
    out = np.where(i > 0, annuity, straight)
    return np.where(months > 0, out, 0.0)


# --- resolution ------------------------------------------------------------------------------------


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
    cloud, cloud_layouts = _cloud(f, catalog, model, staff_c, rows)
    onprem = _onprem(f, catalog, model, staff_o, rows, cloud_layouts)
    return Plan(requests=f["requests_per_month"], tokens=p + o, peak=f["peak_to_average"], hours=f["hours_per_month"],
                options={"api": api, "cloud": cloud, "onprem": onprem})


def _cloud(f: Columns, catalog: Catalog, model: _ModelColumns, staff: np.ndarray, rows) -> tuple[OptionCost, dict]:
    """The cloud option, and what its layouts were derived from (for the on-premises rows that share them)."""
    n = len(staff)
    hours, util = f["hours_per_month"], f["target_utilization"]
    price_typed = ~_blank(f["cloud_price_per_gpu_hour"])
    need_hw = _blank(f["cloud_gpus_per_replica"]) | _blank(f["seconds_per_request"]) | ~price_typed
    hw = _lookup(f["cloud_gpu"], need_hw, lambda g: catalog.gpu(g, "cloud_gpu"), rows)
    per_second = np.asarray(f["cloud_billing"] == "per_second", dtype=bool)
    pricing = f["cloud_pricing"]  # a Categorical in a sweep: comparisons work on its codes
    typed_n = f["cloud_gpus_per_replica"].astype(float)
    # --- the offer (rows without a typed price) ----------------------------------------------------
    node = np.full(n, float(max(serving.TP_SIZES)))  # a typed per-GPU price: GPUs one by one, up to 8 per node
    offer_rows = ~price_typed
    n_min = np.where(np.isnan(typed_n), model.min_tp(hw, np.full(n, 1e9)), typed_n)  # memory only, any node
    n_min = np.where(np.isnan(n_min), max(serving.TP_SIZES), n_min)
    keys = _combined(f["cloud_gpu"], f["cloud_pricing"], per_second, n_min, f["cloud_offer"])

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
    derived_from = {"hw": hw, "node": node, "typed_n": typed_n, "layout": lay}
    return OptionCost(
        fixed=f["cloud_monthly_overhead"] + staff + warm,
        variable=np.where(per_second, s * g * per_gpu_hour / 3600.0, 0.0),
        step=np.where(per_second, 0.0, gpus_per_unit * per_gpu_hour * hours),
        capacity=np.where(per_second, np.inf, replica_cap * per_unit),
        min_units=np.where(per_second, 0.0, np.ceil(m_rep / per_unit)), gpus_per_replica=g, seconds_per_request=s,
        free_volume=np.where(per_second, m_rep * replica_cap, 0.0), replica_capacity=replica_cap, min_replicas=m_rep,
        replicas_per_unit=per_unit, nodes_per_unit=nodes, gpus_per_unit=gpus_per_unit, tp=lay["tp"], pp=lay["pp"],
        batch=lay["batch"], ttft_s=lay["ttft_s"], tpot_s=lay["tpot_s"], source=source), derived_from


def _same_layout(hw, node: np.ndarray, typed_n: np.ndarray, cloud: dict) -> np.ndarray:
    """Rows whose layout search has the cloud's inputs: the same GPU, node size and typed GPUs per replica (the
    model, tokens, utilisation and targets are the row's)."""
    ids = {r.id: i for i, r in enumerate(cloud["hw"].results)}
    to_cloud = np.array([ids.get(r.id, -2) for r in hw.results] + [-3])[hw.codes]  # -1 (not looked up): -3
    same_n = (typed_n == cloud["typed_n"]) | (np.isnan(typed_n) & np.isnan(cloud["typed_n"]))
    return (to_cloud == cloud["hw"].codes) & (node == cloud["node"]) & same_n


def _onprem(f: Columns, catalog: Catalog, model: _ModelColumns, staff: np.ndarray, rows,
            cloud: dict | None = None) -> OptionCost:
    n = len(staff)
    hours, util, usd = f["hours_per_month"], f["target_utilization"], f["usd_to_currency"]
    typed = {k: ~_blank(f[k]) for k in ("onprem_gpus_per_server", "onprem_capex_per_server", "onprem_power_kw",
                                         "onprem_maintenance_monthly")}
    need_server = ~(typed["onprem_gpus_per_server"] & typed["onprem_capex_per_server"] & typed["onprem_power_kw"]
                    & typed["onprem_maintenance_monthly"])
    need_hw = need_server | _blank(f["seconds_per_request"]) | _blank(f["onprem_gpus_per_replica"])
    hw = _lookup(f["onprem_gpu"], need_hw, lambda g: catalog.gpu(g, "onprem_gpu"), rows)
    keys = _combined(f["onprem_gpu"], f["onprem_server"])

    def pick(key: tuple):
        g, sid = key
        server = billing.server_for(catalog, g, sid or None)
        gpu = catalog.gpu(g, "onprem_gpu")
        return _ServerTerms(server, billing.server_terms(server, gpu.price_usd, gpu.tdp_w))

    servers = _lookup(keys, need_server, pick, rows)
    node = np.where(typed["onprem_gpus_per_server"], f["onprem_gpus_per_server"], servers.attr("gpus_per_server"))
    typed_n = f["onprem_gpus_per_replica"].astype(float)
    # the worked examples' servers (docs/model.md#replicas-and-units): a typed server size with a typed
    # seconds_per_request is one replica per server
    seed = typed["onprem_gpus_per_server"] & ~_blank(f["seconds_per_request"]) & np.isnan(typed_n)
    typed_n = np.where(seed, node, typed_n)
    shared = None if cloud is None else (_same_layout(hw, node, typed_n, cloud), cloud["layout"])
    lay = _derive(f, model, hw, node, typed_n, "onprem", "onprem_gpus_per_replica", shared)
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
