"""How self-hosting is billed: cloud offers and price terms, servers, packing replicas, staff in people.

Equations: ``docs/model.md#cloud-cost``, ``#on-premises-cost``, ``#staff`` and ``#replicas-and-units``.
Pure functions of catalog rows and numbers.

Packing: a replica of n GPUs on instances (or servers) of G GPUs takes ``floor(G / n)`` replicas per instance
when n <= G, and ``ceil(n / G)`` whole instances per replica when n > G. The unit that is bought is then
one instance (n <= G) or the instances of one replica (n > G), so every option keeps the form
``fixed + variable * R + step * units(R)`` with ``units(R) = max(min units, ceil(R * peak / unit capacity))``.
"""

from __future__ import annotations

import math

import numpy as np

from .catalogs import PRICE_TERMS, Catalog, CloudOffer, Server
from .errors import CostModelError, Infeasible
from .offer_filter import filter_label, filter_offers
from .price_rules import RULE, eligible, superseded

__all__ = [
    "price_per_gpu_hour",
    "replica_capacity",
    "always_on_step",
    "server_month",
    "choose_offer",
    "eligible_offers",
    "server_for",
    "packing",
    "min_units",
    "staff_monthly",
    "SUPPORT_SHARE_PER_YEAR",
    "CAPEX_HOST_FACTOR",
    "SERVER_POWER_PER_GPU_TDP",
    "server_terms",
]

#: Vendor support per year as a share of the server price, where the catalog has no support figure:
#: NVIDIA's DGX H100 support (the server catalog's dgx-h100 row, 20% of the base price a year).
SUPPORT_SHARE_PER_YEAR = 0.20
#: Server price = GPUs x GPU price x this factor where the catalog has no published price (the server of the
#: worked example docs/model.md#seed-000: the non-GPU parts add about 15% to the GPUs' price). Such prices are
#: marked as estimates.
CAPEX_HOST_FACTOR = 1.15
#: Typical server draw [kW] per kW of GPU TDP where the catalog has no typical power: DGX H100, 7.5 kW typical
#: (midpoint of the published 6.5-8.5 kW) for 8 x 700 W of GPUs.
SERVER_POWER_PER_GPU_TDP = 7.5 / 5.6


def choose_offer(
    catalog: Catalog,
    gpu_id: str,
    pricing: str,
    per_second: bool,
    n_min: float,
    offer_id: str | None = None,
    region: str = "any",
    tier: str = "production",
) -> CloudOffer:
    """The offer a scenario uses.

    A typed ``offer_id`` is checked against the GPU, the billing and the term. Blank: among the offers for
    ``gpu_id`` in ``region`` and ``tier`` (``cloud_region``, ``cloud_tier``: :mod:`costengine.offer_filter`) that
    have a price at the term (per-second offers for per-second billing) and pass the blank-choice rule
    (:func:`eligible_offers`), the cheapest per GPU-hour whose instance holds a replica of ``n_min`` GPUs; when none
    holds it, the one with the most GPUs.
    """
    if offer_id is not None:
        offer = catalog.offer(offer_id)
        if offer.gpu.lower() != gpu_id.lower():
            raise CostModelError("cloud_offer", f"offer {offer.id!r} has {offer.gpu} GPUs, not cloud_gpu {gpu_id}")
        if per_second and not offer.per_second:
            raise CostModelError(
                "cloud_billing", f"offer {offer.id!r} is not billed per second; choose a serverless offer or always_on"
            )
        if not per_second and math.isnan(offer.price_per_hour(pricing)):
            have = [t for t in PRICE_TERMS if not math.isnan(offer.price_per_hour(t))]
            raise Infeasible(
                "cloud_pricing",
                f"offer {offer.id!r} publishes no {pricing} price (it has: {', '.join(have) or 'per-second only'})",
            )
        return offer
    offers = filter_offers(catalog.offers_for(gpu_id), region, tier)  # cloud_region, cloud_tier
    if per_second:
        cands = [o for o in offers if o.per_second]
        what = "per-second (serverless)"
    else:
        cands = [o for o in offers if not math.isnan(o.price_per_hour(pricing))]
        what = pricing
    if not cands:
        raise Infeasible(
            "cloud_offer",
            f"the cloud-offer catalog has no {what} offer for {gpu_id}"
            + (f" {filter_label(region, tier)}" if filter_label(region, tier) else "")
            + "; choose another GPU, pricing or billing"
            + (", cloud_region or cloud_tier" if filter_label(region, tier) else "")
            + ", or type cloud_price_per_gpu_hour",
        )
    cands = eligible_offers(cands, per_second, pricing)
    if not cands:
        raise Infeasible(
            "cloud_offer",
            f"no {what} offer for {gpu_id} passes the blank-choice rule ({RULE}); type a cloud_offer "
            "(any row) or cloud_price_per_gpu_hour",
        )

    def per_gpu_hour(o: CloudOffer) -> float:
        return (o.per_second_usd * 3600.0 if per_second else o.price_per_hour(pricing)) / o.gpus_per_instance

    # ties go to the first offer in catalog order (min and max keep the first of equal keys), as in the workbook
    holding = [o for o in cands if o.gpus_per_instance >= n_min]
    if holding:
        return min(holding, key=per_gpu_hour)
    return max(cands, key=lambda o: (o.gpus_per_instance, -per_gpu_hour(o)))


def eligible_offers(cands: list[CloudOffer], per_second: bool, pricing: str) -> list[CloudOffer]:
    """The offers a blank choice may use (``docs/pricing.md#the-blank-choice-rule``): those of ``cands`` (the
    offers with a price at the term) whose price is :func:`~costengine.price_rules.eligible` (a primary grade,
    dated within a year of the catalog's date) and not :func:`~costengine.price_rules.superseded` by a newer
    price of the same provider and instance at that term. Catalog order is kept."""

    def priced(o: CloudOffer) -> bool:
        return o.per_second if per_second else not math.isnan(o.price_per_hour(pricing))

    return [o for o in cands if eligible(o) and not superseded(o, cands, priced)]


def server_for(catalog: Catalog, gpu_id: str, server_id: str | None = None) -> Server:
    """The typed server (checked against the GPU) or the standard server of ``gpu_id``."""
    if server_id is not None:
        server = catalog.server(server_id)
        if server.gpu.lower() != gpu_id.lower():
            raise CostModelError(
                "onprem_server", f"server {server.id!r} has {server.gpu} GPUs, not onprem_gpu {gpu_id}"
            )
        return server
    return catalog.standard_server(gpu_id)


def server_terms(server: Server, gpu_price_usd: float, gpu_tdp_w: float) -> dict[str, float | bool]:
    """A server's price [USD], typical and maximum power [kW] and support [USD/year], with estimate flags.

    Blank catalog figures are estimated from sourced ratios: price = GPUs x GPU price x
    :data:`CAPEX_HOST_FACTOR`; typical power = GPUs x TDP x :data:`SERVER_POWER_PER_GPU_TDP` (maximum power
    when typical is blank and maximum is not); support = :data:`SUPPORT_SHARE_PER_YEAR` x price.
    """
    g = server.gpus_per_server
    price, est_price = server.price_usd, math.isnan(server.price_usd)
    if est_price:
        price = g * gpu_price_usd * CAPEX_HOST_FACTOR
    typical, est_power = server.typical_kw, math.isnan(server.typical_kw)
    if est_power:
        typical = g * gpu_tdp_w / 1000.0 * SERVER_POWER_PER_GPU_TDP
        if not math.isnan(server.max_kw):
            typical = min(typical, server.max_kw)
    max_kw = typical if math.isnan(server.max_kw) else server.max_kw
    support, est_support = server.support_per_year_usd, math.isnan(server.support_per_year_usd)
    if est_support:
        support = SUPPORT_SHARE_PER_YEAR * price
    return {
        "price_usd": price,
        "typical_kw": typical,
        "max_kw": max_kw,
        "support_per_year_usd": support,
        "price_estimated": est_price,
        "power_estimated": est_power,
        "support_estimated": est_support,
    }


def packing(n_gpus, node_gpus):
    """Replicas per unit and instances (servers) per unit for replicas of ``n_gpus`` on nodes of ``node_gpus``.

    >>> packing(4, 8)     # two 4-GPU replicas share an 8-GPU instance
    (2.0, 1.0)
    >>> packing(16, 8)    # a 16-GPU replica takes two whole instances
    (1.0, 2.0)
    """
    n, g = np.asarray(n_gpus, dtype=float), np.asarray(node_gpus, dtype=float)
    per_unit = np.where(n <= g, np.floor(g / n), 1.0)
    nodes = np.where(n <= g, 1.0, np.ceil(n / g))
    if per_unit.ndim == 0:
        return float(per_unit), float(nodes)
    return per_unit, nodes


def min_units(min_replicas, replicas_per_unit, across_units):
    """Fewest units (instances or servers) bought [count] = ceil(min replicas / replicas per unit), and at least
    two where ``across_units`` (``redundancy`` is ``"unit"``) and min replicas >= 2: the spare sits in another
    box, so one box failing is not an outage (``docs/model.md#replicas-and-units``).

    >>> float(min_units(2, 2.0, True)), float(min_units(2, 2.0, False)), float(min_units(1, 2.0, True))
    (2.0, 1.0, 1.0)
    """
    m = np.asarray(min_replicas, dtype=float)
    packed = np.ceil(m / np.asarray(replicas_per_unit, dtype=float))
    return np.where(np.asarray(across_units, dtype=bool) & (m >= 2), np.maximum(packed, 2.0), packed)


def staff_monthly(typed, fte, cost_per_fte_year):
    """Staff cost [money/month] = FTE x loaded cost per FTE-year / 12, or the typed ``staff_monthly``.

    >>> float(staff_monthly(np.nan, 1.5, 240_000))
    30000.0
    """
    typed = np.asarray(typed, dtype=float)
    return np.where(np.isnan(typed), np.asarray(fte, dtype=float) * cost_per_fte_year / 12.0, typed)


def price_per_gpu_hour(typed, pricing, per_second, term_prices, per_second_usd, gpus_per_instance, usd_to_currency):
    """Price of one GPU-hour [money/GPU-h] for each row.

    The typed ``cloud_price_per_gpu_hour`` where there is one (not NaN); else the offer's price in the scenario's
    currency divided by its GPUs: its per-second rate x 3600 for serverless rows (``per_second``), its price per
    instance-hour at the row's ``pricing`` term otherwise (``term_prices``: term -> column of [USD/instance-h],
    the terms of ``costengine.catalogs.PRICE_TERMS``).

    >>> float(price_per_gpu_hour(np.nan, np.array(["spot"]), np.array([False]),
    ...                          {"on_demand": np.array([24.0]), "spot": np.array([12.0])}, np.nan, 8.0, 1.0)[0])
    1.5
    """
    typed = np.asarray(typed, dtype=float)
    term_price = np.full(len(pricing), np.nan)  # pricing may be a Categorical (a sweep): == compares its codes
    for term, column in term_prices.items():
        np.copyto(term_price, column, where=pricing == term)
    offer = np.where(per_second, np.asarray(per_second_usd, dtype=float) * 3600.0, term_price)
    return np.where(~np.isnan(typed), typed, offer * usd_to_currency / gpus_per_instance)


def replica_capacity(hours, seconds_per_request, utilization, spare=None):
    """Requests one replica serves a month [requests/month] = hours x 3600 / s x utilisation / (1 + spare).

    ``spare``: the share of extra replicas kept for interruptions (spot rows; None or NaN elsewhere), so each
    paid-for replica serves ``1 / (1 + spare)`` of its own capacity.

    >>> float(replica_capacity(730, 2.0, 0.5))
    657000.0
    """
    cap = np.asarray(hours, dtype=float) * 3600.0 / seconds_per_request * utilization
    if spare is None:
        return cap
    spare = np.asarray(spare, dtype=float)
    return cap / np.where(np.isnan(spare), 1.0, 1.0 + spare)


def always_on_step(gpus_per_unit, per_gpu_hour, hours):
    """Always-on instances: the cost of one unit (an instance, or the instances of one replica) [money/month]."""
    return gpus_per_unit * per_gpu_hour * hours


def server_month(capital, typical_kw, pue, hours, price_per_kwh, max_kw, colo_per_kw_month, support):
    """Running cost of one server [money/month] = capital + energy + colocation + support, with
    energy = typical kW x PUE x hours x price per kWh and colocation = maximum kW x price per kW and month.

    >>> float(server_month(1000.0, 10.0, 1.5, 730, 0.2, 12.0, 100.0, 500.0))
    4890.0
    """
    energy = typical_kw * pue * hours * price_per_kwh
    colo = max_kw * colo_per_kw_month
    return capital + energy + colo + support
