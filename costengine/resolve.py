"""Resolution: scenarios (as columns) -> the cost coefficients of the three options (:mod:`costengine.plan`).

Three stages, each callable alone: :func:`resolve_api` (token prices), :func:`resolve_cloud` (the offer, the
layout, the prices) and :func:`resolve_onprem` (the server, the layout, capital, energy, colocation, support).
The cloud stage hands the on-premises stage its layouts as a :class:`~costengine.selfhosted.SharedLayout`, so
rows with the same layout inputs search once. Blank inputs are filled from the catalogs, the serving model
(:mod:`costengine.serving`) and the billing rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import billing
from .catalogs import PRICE_TERMS, Catalog, api_reasoning, tier_starts, token_price
from .errors import CostModelError
from .lookup import Columns, factorize
from .lookup import blank as _blank
from .lookup import combined as _combined
from .lookup import lookup as _lookup
from .lookup import where as _where
from .plan import OptionCost, Plan, capital_per_month, cost_at
from .selfhosted import (
    CANDIDATES,
    DerivedLayout,
    SharedLayout,
    at_traffic,
    cheapest_candidate,
    chosen,
    derive,
    fewest_gpus,
    reasoning_notes,
    row_replica,
    same_layout,
)
from .serving.parameters import TP_SIZES
from .serving.replica import Replica

__all__ = ["resolve", "resolve_api", "api_hidden_tokens", "resolve_cloud", "resolve_onprem", "SERVERLESS_MAX_GPUS"]

#: The rule on the two cache shares (a prompt token is read from the cache, written to it, or neither).
CACHE_SHARES = (
    "must be at most 1 - api_cached_input_share: a prompt token is read from the cache, written to it, or neither"
)
#: GPUs one serverless worker may hold (Modal's containers take up to 8 GPUs, https://modal.com/docs/guide/gpu,
#: read 2026-12-01).
SERVERLESS_MAX_GPUS = 8


def resolve(cols: Columns, catalog: Catalog, rows: np.ndarray | None = None) -> Plan:
    """Fill blanks from the catalogs, the serving model and the billing rules; compute each option's coefficients.

    ``cols`` maps every scenario key to an array (floats, NaN for blank; objects for text keys).
    ``rows`` (1-based row numbers) makes errors name the row they come from.
    """
    f = {k: v for k, v in cols.items()}
    api = resolve_api(f, rows)
    model = row_replica(f, catalog, rows)
    cloud, shared = resolve_cloud(f, catalog, rows, model)
    onprem = resolve_onprem(f, catalog, rows, model, shared)
    return Plan(
        requests=f["requests_per_month"],
        tokens=f["prompt_tokens"] + f["output_tokens"],
        peak=f["peak_to_average"],
        hours=f["hours_per_month"],
        options={"api": api, "cloud": cloud, "onprem": onprem},
    )


def resolve_api(f: Columns, rows: np.ndarray | None = None) -> OptionCost:
    """The API option: fixed = monthly fee; variable = cost per request (catalog token prices where blank)::

        cost per request = (p*((1-c-w)*Pin + c*Pcache + w*Pwrite) + (o + h)*Pout) / 1e6 * (1 - b*d)

    with c = ``api_cached_input_share``, w = ``api_cache_write_share``, h = hidden reasoning tokens
    (``api_reasoning_tokens``; blank: :func:`api_hidden_tokens`), b, d = batch share and discount
    (PRODUCT.md "The cost model", docs/model.md#api-cost)."""
    n = len(f["requests_per_month"])
    usd = f["usd_to_currency"]
    p, o = f["prompt_tokens"], f["output_tokens"]
    pin, pout, pcache, pwrite = (f[k].copy() for k in _PRICE_KEYS)
    w = f["api_cache_write_share"]
    over = np.flatnonzero(f["api_cached_input_share"] + w > 1)
    if len(over):
        raise CostModelError("api_cache_write_share", f"{CACHE_SHARES}{_where(rows, over[0])}")
    need = _blank(pin) | _blank(pout) | _blank(pcache) | (_blank(pwrite) & (w > 0))
    if need.any():
        catalog_prices = _token_prices(f["api_model"], p, need, rows, f["api_service_tier"])
        for arr, name in zip((pin, pout, pcache, pwrite), _PRICE_KINDS):
            np.copyto(arr, catalog_prices[name] * usd, where=_blank(arr))
    c, b, d = f["api_cached_input_share"], f["api_batch_share"], f["api_batch_discount"]
    h, note = api_hidden_tokens(f["api_model"], f["api_reasoning_tokens"])
    written = np.where(w > 0, w * pwrite, 0.0)  # a blank write price is not needed without writes
    api_per_request = (p * ((1 - c - w) * pin + c * pcache + written) + (o + h) * pout) / 1e6 * (1 - b * d)
    inf = np.full(n, np.inf)
    return OptionCost(
        fixed=f["api_monthly_fixed"],
        variable=api_per_request,
        step=np.zeros(n),
        capacity=inf,
        min_units=np.zeros(n),
        gpus_per_replica=np.zeros(n),
        seconds_per_request=np.full(n, np.nan),
        replica_capacity=inf,
        min_replicas=np.zeros(n),
        notes=note,
    )


def api_hidden_tokens(models: np.ndarray, typed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden reasoning tokens of the API model [tokens/request] per row, and the note each row gets.

    Typed: as typed, no note. Blank for a model ``templates/api_reasoning.csv`` marks as reasoning by default: its
    typical figure, said as an estimate; where it has none, 0 and a warning naming the key. Blank otherwise: 0, no
    note (:func:`costengine.catalogs.api_reasoning`)."""
    h = np.where(_blank(typed), 0.0, typed)
    notes = np.full(len(h), "", dtype=object)
    idx = np.flatnonzero(_blank(typed))
    if len(idx):
        codes, uniques = factorize(models[idx])
        for u_i, model in enumerate(uniques):
            row = api_reasoning(str(model))
            if row is None or row.reasons != "yes":
                continue
            sel = idx[codes == u_i]
            if np.isnan(row.typical_hidden_tokens):
                notes[sel] = (
                    f"api_reasoning_tokens blank: {model} reasons; its hidden tokens are billed as output and are "
                    "not counted: type an estimate"
                )
            else:
                h[sel] = row.typical_hidden_tokens
                notes[sel] = (
                    f"api_reasoning_tokens blank: {model} reasons; estimated {row.typical_hidden_tokens:,.0f} hidden "
                    f"tokens per request billed as output ({row.source}): type yours"
                )
    return h, notes


def resolve_cloud(
    f: Columns, catalog: Catalog, rows: np.ndarray | None = None, model: Replica | None = None
) -> tuple[OptionCost, SharedLayout]:
    """The cloud option, and its layouts with what they were derived from (for the on-premises rows that share
    them). ``model``: the rows' replica (:func:`costengine.selfhosted.row_replica`), built here when None."""
    model = row_replica(f, catalog, rows) if model is None else model
    staff = billing.staff_monthly(f["staff_monthly"], f["cloud_staff_fte"], f["staff_cost_per_fte_year"])
    n = len(staff)
    hours, util = f["hours_per_month"], f["target_utilization"]
    price_typed = ~_blank(f["cloud_price_per_gpu_hour"])
    need_hw = _blank(f["cloud_gpus_per_replica"]) | _blank(f["seconds_per_request"]) | ~price_typed
    hw = _lookup(f["cloud_gpu"], need_hw, lambda g: catalog.gpu(g, "cloud_gpu"), rows)
    per_second = np.asarray(f["cloud_billing"] == "per_second", dtype=bool)
    pricing = f["cloud_pricing"]  # a Categorical in a sweep: comparisons work on its codes
    typed_n = f["cloud_gpus_per_replica"].astype(float)
    # --- the offer (rows without a typed price) ----------------------------------------------------
    node = np.full(n, float(max(TP_SIZES)))  # a typed per-GPU price: GPUs one by one, up to 8 per node
    offer_rows = ~price_typed
    n_min = np.where(np.isnan(typed_n), fewest_gpus(f, model, hw, np.full(n, 1e9)), typed_n)  # memory only, any node
    n_min = np.where(np.isnan(n_min), max(TP_SIZES), n_min)
    keys = _combined(
        f["cloud_gpu"], f["cloud_pricing"], per_second, n_min, f["cloud_offer"], f["cloud_region"], f["cloud_tier"]
    )

    def pick(key: tuple):
        g, t, ps, m, oid, region, tier = key
        return billing.choose_offer(catalog, g, t, bool(ps), float(m), oid or None, region, tier)

    offers = _lookup(keys, offer_rows, pick, rows)
    np.copyto(node, offers.attr("gpus_per_instance"), where=offer_rows)
    # serverless offers are priced per GPU; a worker may hold up to 8 GPUs (Modal: up to 8 per container)
    node = np.where(offer_rows & per_second, float(SERVERLESS_MAX_GPUS), node)
    spot = offer_rows & (pricing == "spot")
    bad = np.flatnonzero(per_second & (pricing != "on_demand"))
    if len(bad):
        raise CostModelError(
            "cloud_pricing",
            f"per-second (serverless) billing has no {pricing[bad[0]]} term: use on_demand{_where(rows, bad[0])}",
        )
    lay = derive(f, model, hw, node, typed_n, "cloud", "cloud_gpus_per_replica", rows)
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
    source = np.array([r.id for r in offers.results] + [""], dtype=object)[offers.codes]
    notes = reasoning_notes(f, model)

    def option_for(lay: DerivedLayout) -> OptionCost:
        g, s = lay.gpus, lay.seconds_per_request
        replica_cap = billing.replica_capacity(hours, s, util, spare)
        per_unit, nodes = billing.packing(g, node)
        per_unit = np.where(price_typed | per_second, 1.0, per_unit)
        nodes = np.where(price_typed | per_second, 1.0, nodes)
        gpus_per_unit = np.where(price_typed | per_second, g, nodes * node)
        warm, variable, free = billing.serverless_terms(m_rep, g, per_gpu_hour, hours, s, replica_cap)
        return OptionCost(
            fixed=f["cloud_monthly_overhead"] + staff + np.where(per_second, warm, 0.0),
            variable=np.where(per_second, variable, 0.0),
            step=np.where(per_second, 0.0, billing.always_on_step(gpus_per_unit, per_gpu_hour, hours)),
            capacity=np.where(per_second, np.inf, replica_cap * per_unit),
            min_units=np.where(per_second, 0.0, billing.min_units(m_rep, per_unit, f["redundancy"])),
            gpus_per_replica=g,
            seconds_per_request=s,
            free_volume=np.where(per_second, free, 0.0),
            replica_capacity=replica_cap,
            min_replicas=m_rep,
            replicas_per_unit=per_unit,
            nodes_per_unit=nodes,
            gpus_per_unit=gpus_per_unit,
            tp=lay.tp,
            pp=lay.pp,
            batch=lay.batch,
            ttft_s=lay.ttft_s,
            tpot_s=lay.tpot_s,
            source=source,
            notes=notes,
        )

    return at_traffic(f, model, hw, _cheapest_plan(option_for, lay, f)), SharedLayout(hw, node, typed_n, lay)


def resolve_onprem(
    f: Columns,
    catalog: Catalog,
    rows: np.ndarray | None = None,
    model: Replica | None = None,
    shared: SharedLayout | None = None,
) -> OptionCost:
    """The on-premises option; ``shared``: another stage's layouts, taken by the rows with the same inputs.
    ``model``: the rows' replica (:func:`costengine.selfhosted.row_replica`), built here when None."""
    model = row_replica(f, catalog, rows) if model is None else model
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
    take = None if shared is None else (same_layout(hw, node, typed_n, shared), shared.layout)
    lay = derive(f, model, hw, node, typed_n, "onprem", "onprem_gpus_per_replica", rows, take)
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
    source = np.array([r.id for r in servers.results] + [""], dtype=object)[servers.codes]
    notes = reasoning_notes(f, model)
    estimated = np.array([r.estimated for r in servers.results] + [""], dtype=object)[servers.codes]

    def option_for(lay: DerivedLayout) -> OptionCost:
        g, s = lay.gpus, lay.seconds_per_request
        per_unit, nodes = billing.packing(g, node)
        replica_cap = billing.replica_capacity(hours, s, util)
        return OptionCost(
            fixed=staff,
            variable=np.zeros(n),
            step=nodes * server,
            capacity=replica_cap * per_unit,
            min_units=billing.min_units(m_rep, per_unit, f["redundancy"]),
            gpus_per_replica=g,
            seconds_per_request=s,
            replica_capacity=replica_cap,
            min_replicas=m_rep,
            replicas_per_unit=per_unit,
            nodes_per_unit=nodes,
            gpus_per_unit=nodes * node,
            tp=lay.tp,
            pp=lay.pp,
            batch=lay.batch,
            ttft_s=lay.ttft_s,
            tpot_s=lay.tpot_s,
            source=source,
            estimated=estimated,
            notes=notes,
        )

    return at_traffic(f, model, hw, _cheapest_plan(option_for, lay, f))


def _cheapest_plan(option_for: Callable[[DerivedLayout], OptionCost], lay: DerivedLayout, f: Columns) -> OptionCost:
    """The option at the plan with the lowest monthly cost at the scenario's volume, over the rows' candidate
    layouts (``docs/model.md#layouts``): each candidate priced by ``option_for``, the cheapest kept per row
    (:func:`costengine.selfhosted.cheapest_candidate`: ties go to the fewest GPUs)."""
    cands = lay.candidates
    alive = np.flatnonzero(~np.isnan(cands["gpus"]).all(axis=1))  # candidates some row has
    if len(alive) <= 1:
        return option_for(lay if not len(alive) else chosen(lay, np.full(len(lay.gpus), alive[0])))
    volume, peak = f["requests_per_month"], f["peak_to_average"]
    costs = np.full((CANDIDATES, len(lay.gpus)), np.nan)
    for c in alive:
        costs[c] = cost_at(option_for(chosen(lay, np.full(len(lay.gpus), c))), peak, volume)
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


#: The typed API price keys and the catalog price each takes when blank.
_PRICE_KEYS = (
    "api_input_price_per_mtok",
    "api_output_price_per_mtok",
    "api_cached_input_price_per_mtok",
    "api_cache_write_price_per_mtok",
)
_PRICE_KINDS = ("input", "output", "cache_read", "cache_write")


def _token_prices(
    models: np.ndarray, prompt: np.ndarray, need: np.ndarray, rows: np.ndarray | None, service: np.ndarray
) -> dict[str, np.ndarray]:
    """Catalog token prices [USD/MTok] per row by kind (NaN where not needed) at the row's ``api_service_tier``
    (``service``); the prompt-size tier follows the prompt size."""
    out = {kind: np.full(len(models), np.nan) for kind in _PRICE_KINDS}
    idx = np.flatnonzero(need)
    codes, uniques = factorize(_combined(models, service)[idx])
    for u_i, (model, service_tier) in enumerate(uniques):
        sel = idx[codes == u_i]
        try:
            starts = (0.0,) + tier_starts(model)
            tier = np.searchsorted(np.array(starts), prompt[sel], side="right") - 1
            for t in np.unique(tier) if len(tier) > 1 else tier:
                price = token_price(model, None, starts[t], "api_model", str(service_tier))
                for kind in _PRICE_KINDS:
                    out[kind][sel[tier == t]] = getattr(price, kind)
        except CostModelError as exc:
            if rows is not None:
                raise CostModelError(exc.key, f"{exc.problem} (row {int(rows[sel[0]])})") from None
            raise
    return out
