"""Resolution: scenarios (as columns) -> the cost coefficients of the three options (:mod:`costengine.plan`).

Three stages, each callable alone: :func:`resolve_api` (token prices; :mod:`costengine.api_stage`),
:func:`resolve_cloud` (the offer, the layout, the prices) and :func:`resolve_onprem` (the server, the layout,
capital, energy, colocation, support). The cloud stage hands the on-premises stage its layouts as a
:class:`~costengine.selfhosted.SharedLayout`, so rows with the same layout inputs search once. Blank inputs are
filled from the catalogs, the serving model (:mod:`costengine.serving`) and the billing rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import billing
from .api_stage import CACHE_SHARES, api_hidden_tokens, resolve_api
from .catalogs import PRICE_TERMS, Catalog
from .errors import Infeasible
from .lookup import Columns
from .lookup import blank as _blank
from .lookup import combined as _combined
from .lookup import lookup as _lookup
from .lookup import where as _where
from .plan import OptionCost, Plan, capital_per_month, cost_at
from .problems import Problems
from .selfhosted import (
    CANDIDATES,
    DerivedLayout,
    SharedLayout,
    at_traffic,
    cheapest_candidate,
    chosen,
    derive,
    fewest_gpus,
    hour_shares,
    one_request_latency,
    reasoning_notes,
    row_replica,
    same_layout,
)
from .serving.parameters import TP_SIZES
from .serving.replica import Replica

__all__ = [
    "resolve",
    "resolve_api",
    "api_hidden_tokens",
    "resolve_cloud",
    "resolve_onprem",
    "CACHE_SHARES",
    "SERVERLESS_MAX_GPUS",
]

#: GPUs one serverless worker may hold (Modal's containers take up to 8 GPUs, https://modal.com/docs/guide/gpu,
#: read 2026-12-01).
SERVERLESS_MAX_GPUS = 8


def resolve(cols: Columns, catalog: Catalog, rows: np.ndarray | None = None, problems: Problems | None = None) -> Plan:
    """Fill blanks from the catalogs, the serving model and the billing rules; compute each option's coefficients.

    ``cols`` maps every scenario key to an array (floats, NaN for blank; objects for text keys).
    ``rows`` (1-based row numbers) makes errors name the row they come from. ``problems``
    (:class:`~costengine.problems.Problems`, default: mode "mark") collects the rows where an option cannot be
    served: that option's coefficients are NaN there and its ``problem`` says why
    (``docs/model.md#infeasible-options``).
    """
    f = {k: v for k, v in cols.items()}
    problems = Problems(len(f["requests_per_month"])) if problems is None else problems
    api = resolve_api(f, rows, problems)
    model = row_replica(f, catalog, rows, problems)
    cloud, shared = resolve_cloud(f, catalog, rows, model, problems)
    onprem = resolve_onprem(f, catalog, rows, model, shared, problems)
    api, cloud, onprem = (problems.apply(o, x) for o, x in (("api", api), ("cloud", cloud), ("onprem", onprem)))
    return Plan(
        requests=f["requests_per_month"],
        tokens=f["prompt_tokens"] + f["output_tokens"],
        peak=f["peak_to_average"],
        hours=f["hours_per_month"],
        options={"api": api, "cloud": cloud, "onprem": onprem},
    )


def resolve_cloud(
    f: Columns,
    catalog: Catalog,
    rows: np.ndarray | None = None,
    model: Replica | None = None,
    problems: Problems | None = None,
) -> tuple[OptionCost, SharedLayout]:
    """The cloud option, and its layouts with what they were derived from (for the on-premises rows that share
    them). ``model``: the rows' replica (:func:`costengine.selfhosted.row_replica`), built here when None.
    ``problems``: where the cloud cannot be served (no layout, no offer at the pricing or billing), marked."""
    model = row_replica(f, catalog, rows, problems) if model is None else model
    mark = None if problems is None else lambda i, exc: problems.handle(("cloud",), i, exc)
    staff = billing.staff_monthly(f["staff_monthly"], f["cloud_staff_fte"], f["staff_cost_per_fte_year"])
    n = len(staff)
    hours, util = f["hours_per_month"], f["target_utilization"]
    price_typed = ~_blank(f["cloud_price_per_gpu_hour"])
    need_hw = _blank(f["cloud_gpus_per_replica"]) | _blank(f["seconds_per_request"]) | ~price_typed
    hw = _lookup(f["cloud_gpu"], need_hw, lambda g: catalog.gpu(g, "cloud_gpu"), rows, mark)
    per_second = np.asarray(f["cloud_billing"] == "per_second", dtype=bool)
    pricing = f["cloud_pricing"]  # a Categorical in a sweep: comparisons work on its codes
    typed_n = f["cloud_gpus_per_replica"].astype(float)
    # --- the offer (rows without a typed price) ----------------------------------------------------
    node = np.full(n, float(max(TP_SIZES)))  # a typed per-GPU price: GPUs one by one, up to 8 per node
    offer_rows = ~price_typed
    n_min = typed_n.copy()  # memory only, any node: the fewest GPUs of a valid layout that holds the model
    derive_n = np.isnan(typed_n)
    if derive_n.any():
        n_min[derive_n] = fewest_gpus(f, model, hw, np.full(n, 1e9))[derive_n]
    n_min = np.where(np.isnan(n_min), max(TP_SIZES), n_min)
    keys = _combined(
        f["cloud_gpu"], f["cloud_pricing"], per_second, n_min, f["cloud_offer"], f["cloud_region"], f["cloud_tier"]
    )

    def pick(key: tuple):
        g, t, ps, m, oid, region, tier = key
        return billing.choose_offer(catalog, g, t, bool(ps), float(m), oid or None, region, tier)

    offers = _lookup(keys, offer_rows, pick, rows, mark)
    np.copyto(node, offers.attr("gpus_per_instance"), where=offer_rows)
    # serverless offers are priced per GPU; a worker may hold up to 8 GPUs (Modal: up to 8 per container)
    node = np.where(offer_rows & per_second, float(SERVERLESS_MAX_GPUS), node)
    spot = offer_rows & (pricing == "spot")
    bad = np.flatnonzero(per_second & (pricing != "on_demand"))
    for term in np.unique(np.asarray(pricing[bad], dtype=object)) if len(bad) else ():
        at = bad[np.asarray(pricing[bad], dtype=object) == term]
        exc = Infeasible("cloud_pricing", f"per-second (serverless) billing has no {term} term: use on_demand")
        if mark is None or not mark(at, exc):
            raise Infeasible(exc.key, f"{exc.problem}{_where(rows, at[0])}")
    lay = derive(f, model, hw, node, typed_n, "cloud", "cloud_gpus_per_replica", rows, problems=problems)
    # --- prices ---------------------------------------------------------------------------------------
    per_gpu_hour = billing.price_per_gpu_hour(
        np.where(price_typed, f["cloud_price_per_gpu_hour"], np.nan),
        pricing,
        per_second,
        {term: offers.attr(column) for term, column in PRICE_TERMS.items()},
        offers.attr("per_second_usd"),
        offers.attr("gpus_per_instance"),
        f["usd_to_currency"],
    )
    spare = np.where(spot, f["cloud_spot_spare"], np.nan)
    m_rep = f["min_replicas"]
    across = np.asarray(f["redundancy"] == "unit", dtype=bool)  # (a Categorical in a sweep: compares codes)
    source = np.array([r.id for r in offers.results] + [""], dtype=object)[offers.codes]
    notes = reasoning_notes(f, model)
    ps_rows = np.flatnonzero(per_second)
    typed_s = ~_blank(f["seconds_per_request"])
    if ps_rows.size:
        window, cold, notes = _serverless_terms(f, offers, ps_rows, notes)
        shares = hour_shares(f, ps_rows)

    def _burst_terms(lay: DerivedLayout, g: np.ndarray, per_gpu_hour: np.ndarray) -> dict[str, np.ndarray]:
        rate = np.full(n, np.nan)
        rate[ps_rows] = (g * per_gpu_hour / 3600.0)[ps_rows]
        latency = one_request_latency(f, model, hw, lay, ps_rows)
        alone = typed_s  # a typed seconds_per_request: requests served one at a time (costengine.serverless)
        return {
            "burst_rate": rate,
            "burst_seconds": lay.seconds_per_request / util,
            "burst_span_s": np.where(alone, 0.0, latency) + window,
            "burst_busy_s": np.where(alone, lay.seconds_per_request, 0.0),
            "cold_start_s": cold,
            "month_s": hours * 3600.0,
            "hour_shares": shares,
        }

    def option_for(lay: DerivedLayout) -> OptionCost:
        g, s = lay.gpus, lay.seconds_per_request
        replica_cap = billing.replica_capacity(hours, s, util, spare)
        per_unit, nodes = billing.packing(g, node)
        per_unit = np.where(price_typed | per_second, 1.0, per_unit)
        nodes = np.where(price_typed | per_second, 1.0, nodes)
        gpus_per_unit = np.where(price_typed | per_second, g, nodes * node)
        warm = m_rep * g * per_gpu_hour * hours  # per second: min_replicas warm all month
        burst = _burst_terms(lay, g, per_gpu_hour) if ps_rows.size else {}
        return OptionCost(
            fixed=f["cloud_monthly_overhead"] + staff + np.where(per_second, warm, 0.0),
            staff=staff,
            overhead=f["cloud_monthly_overhead"],
            variable=np.zeros(n),
            step=np.where(per_second, 0.0, billing.always_on_step(gpus_per_unit, per_gpu_hour, hours)),
            capacity=np.where(per_second, np.inf, replica_cap * per_unit),
            min_units=np.where(per_second, 0.0, billing.min_units(m_rep, per_unit, across)),
            gpus_per_replica=g,
            seconds_per_request=s,
            **burst,
            replica_capacity=replica_cap,
            min_replicas=m_rep,
            replicas_per_unit=per_unit,
            nodes_per_unit=nodes,
            gpus_per_unit=gpus_per_unit,
            **lay.split(),
            source=source,
            notes=notes,
        )

    return at_traffic(f, model, hw, _cheapest_plan(option_for, lay, f)), SharedLayout(hw, node, typed_n, lay)


def _serverless_terms(
    f: Columns, offers: Any, rows: np.ndarray, notes: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scale-down window and cold start [s] of the per-second ``rows``: typed (``serverless_window_s``,
    ``serverless_cold_start_s``), else the offer's (``scaledown_s``, ``cold_start_s``); a figure neither gives
    counts 0, with a note naming the key. Returns (window, cold start, notes)."""
    n = len(notes)
    notes = notes.copy()
    out = []
    for key, column, what in (
        ("serverless_window_s", "scaledown_s", "scale-down window"),
        ("serverless_cold_start_s", "cold_start_s", "cold start"),
    ):
        v = np.full(n, np.nan)
        v[rows] = np.asarray(f[key], dtype=float)[rows]
        fill = rows[np.isnan(v[rows])]
        v[fill] = np.asarray(offers.attr(column), dtype=float)[fill]
        unknown = rows[np.isnan(v[rows])]
        for i in unknown:
            text = f"{what} unknown (the offer publishes none): 0 s counted; type {key}"
            notes[i] = f"{notes[i]}; {text}" if notes[i] else text
        v[unknown] = 0.0
        out.append(v)
    return out[0], out[1], notes


def resolve_onprem(
    f: Columns,
    catalog: Catalog,
    rows: np.ndarray | None = None,
    model: Replica | None = None,
    shared: SharedLayout | None = None,
    problems: Problems | None = None,
) -> OptionCost:
    """The on-premises option; ``shared``: another stage's layouts, taken by the rows with the same inputs.
    ``model``: the rows' replica (:func:`costengine.selfhosted.row_replica`), built here when None.
    ``problems``: where it cannot be served (no layout, no server for the GPU), marked."""
    model = row_replica(f, catalog, rows, problems) if model is None else model
    mark = None if problems is None else lambda i, exc: problems.handle(("onprem",), i, exc)
    staff = billing.staff_monthly(f["staff_monthly"], f["onprem_staff_fte"], f["staff_cost_per_fte_year"])
    n = len(staff)
    hours, util, usd = f["hours_per_month"], f["target_utilization"], f["usd_to_currency"]
    typed = {
        k: ~_blank(f[k])
        for k in ("onprem_gpus_per_server", "onprem_capex_per_server", "onprem_power_kw", "onprem_maintenance_monthly")
    }
    need_server = ~(
        typed["onprem_gpus_per_server"]
        & typed["onprem_capex_per_server"]
        & typed["onprem_power_kw"]
        & typed["onprem_maintenance_monthly"]
    )
    need_hw = need_server | _blank(f["seconds_per_request"]) | _blank(f["onprem_gpus_per_replica"])
    hw = _lookup(f["onprem_gpu"], need_hw, lambda g: catalog.gpu(g, "onprem_gpu"), rows, mark)
    keys = _combined(f["onprem_gpu"], f["onprem_server"])

    def pick(key: tuple):
        g, sid = key
        server = billing.server_for(catalog, g, sid or None)
        gpu = catalog.gpu(g, "onprem_gpu")
        return _ServerTerms(server, billing.server_terms(server, gpu.price_usd, gpu.tdp_w))

    servers = _lookup(keys, need_server, pick, rows, mark)
    node = np.where(typed["onprem_gpus_per_server"], f["onprem_gpus_per_server"], servers.attr("gpus_per_server"))
    typed_n = f["onprem_gpus_per_replica"].astype(float)
    # the worked examples' servers (docs/model.md#replicas-and-units): a typed server size with a typed
    # seconds_per_request is one replica per server
    seed = typed["onprem_gpus_per_server"] & ~_blank(f["seconds_per_request"]) & np.isnan(typed_n)
    typed_n = np.where(seed, node, typed_n)
    take = None if shared is None else (same_layout(hw, node, typed_n, shared), shared.layout)
    if take is not None and problems is not None:  # a cloud row that was not served searches again
        take = (take[0] & ~problems.any("cloud"), take[1])
    lay = derive(f, model, hw, node, typed_n, "onprem", "onprem_gpus_per_replica", rows, take, problems)
    capex = np.where(typed["onprem_capex_per_server"], f["onprem_capex_per_server"], servers.attr("price_usd") * usd)
    power = np.where(typed["onprem_power_kw"], f["onprem_power_kw"], servers.attr("typical_kw"))
    max_kw = np.where(typed["onprem_power_kw"], f["onprem_power_kw"], servers.attr("max_kw"))
    support = np.where(
        typed["onprem_maintenance_monthly"],
        f["onprem_maintenance_monthly"],
        servers.attr("support_per_year_usd") * usd / 12.0,
    )
    capital = capital_per_month(capex, f["onprem_amortization_months"], f["onprem_interest_rate"])
    server = billing.server_month(
        capital,
        power,
        f["onprem_pue"],
        hours,
        f["onprem_price_per_kwh"],
        max_kw,
        f["onprem_colo_per_kw_month"],
        support,
    )
    m_rep = f["min_replicas"]
    across = np.asarray(f["redundancy"] == "unit", dtype=bool)  # (a Categorical in a sweep: compares codes)
    source = np.array([r.id for r in servers.results] + [""], dtype=object)[servers.codes]
    notes = reasoning_notes(f, model)
    estimated = np.array([r.estimated for r in servers.results] + [""], dtype=object)[servers.codes]

    def option_for(lay: DerivedLayout) -> OptionCost:
        g, s = lay.gpus, lay.seconds_per_request
        per_unit, nodes = billing.packing(g, node)
        replica_cap = billing.replica_capacity(hours, s, util)
        return OptionCost(
            fixed=staff,
            staff=staff,
            variable=np.zeros(n),
            step=nodes * server,
            step_capital=nodes * capital,
            step_running=nodes * server - nodes * capital,  # the rest of the unit's cost: nothing is left as usage
            capacity=replica_cap * per_unit,
            min_units=billing.min_units(m_rep, per_unit, across),
            gpus_per_replica=g,
            seconds_per_request=s,
            replica_capacity=replica_cap,
            min_replicas=m_rep,
            replicas_per_unit=per_unit,
            nodes_per_unit=nodes,
            gpus_per_unit=nodes * node,
            **lay.split(),
            source=source,
            estimated=estimated,
            notes=notes,
        )

    return at_traffic(f, model, hw, _cheapest_plan(option_for, lay, f))


def _cheapest_plan(option_for: Callable[[DerivedLayout], OptionCost], lay: DerivedLayout, f: Columns) -> OptionCost:
    """The option at the plan with the lowest monthly cost at the scenario's volume, over the rows' candidate
    layouts (``docs/model.md#layouts``): each candidate priced by ``option_for``, the cheapest kept per row
    (:func:`costengine.selfhosted.cheapest_candidate`: ties go to the fewest GPUs)."""
    cands, rows = lay.candidates, lay.cand_rows
    alive = np.flatnonzero(~np.isnan(cands["gpus"]).all(axis=1))  # candidates some derived row has
    if len(alive) <= 1:  # nothing to choose: every row has one plan
        return option_for(lay if not len(alive) else chosen(lay, alive[0]))
    volume, peak = f["requests_per_month"], f["peak_to_average"]
    costs = np.full((CANDIDATES, len(rows)), np.nan)
    for c in alive:
        costs[c] = cost_at(option_for(chosen(lay, c)), peak, volume)[rows]
    k = cheapest_candidate(costs)
    unpriced = np.isnan(costs).all(axis=0)  # no price to compare (the option's check names why): most work/GPU
    if unpriced.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            per_gpu = 1.0 / (cands["seconds_per_request"] * cands["gpus"])
        k = np.where(unpriced, np.argmax(np.where(np.isnan(per_gpu), -np.inf, per_gpu), axis=0), k)
    return option_for(chosen(lay, k))


class _ServerTerms:
    """A server row with its (possibly estimated) terms, as attributes for :class:`Lookup`."""

    def __init__(self, server: Any, terms: dict[str, Any]):
        self.id = server.id
        self.gpus_per_server = server.gpus_per_server
        for k, v in terms.items():
            setattr(self, k, v)
        self.estimated = ", ".join(
            k.removesuffix("_estimated") for k, v in terms.items() if k.endswith("_estimated") and v
        )
