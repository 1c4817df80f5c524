"""The public calculation API: monthly cost, cost per request, break-even, cheapest, compare, curve, hybrid.

All of them resolve the scenario once (:func:`plan_for`) and evaluate the piecewise-linear cost
functions of :mod:`costengine.plan`. ``sweep`` (:mod:`costengine.sweeps`) does the same for a DataFrame of
scenarios with numpy over columns.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np
import pandas as pd

from .binding import binding_notes
from .catalogs import Catalog, load_catalog
from .columns import TEXT_KEYS, scenario_columns
from .crossing import PAIRS, breakeven_arrays
from .errors import CostModelError, Infeasible
from .hybrid_split import hourly_split, hybrid_arrays
from .plan import (
    OPTIONS,
    OptionCost,
    Plan,
    cheapest_options,
    cold_share_at,
    cost_at,
    cost_split,
    option_costs,
    replicas_at,
    units_at,
)
from .price_rules import stale_note
from .profiles import profile_weights
from .resolve import resolve
from .scenario import Scenario
from .serving.parameters import ESTIMATED, GIVEN
from .sweeps import sweep

__all__ = [
    "OPTIONS",
    "TEXT_KEYS",
    "plan_for",
    "monthly_cost",
    "cost_per_request",
    "breakeven",
    "cheapest",
    "compare",
    "curve",
    "sweep",
    "hybrid",
    "recommend",
    "check_option",
    "check_feasible",
    "scenario_columns",
    "PAIRS",
]


#: A hybrid is recommended over the cheapest single option only when it costs less by more than this share.
RECOMMEND_MARGIN = 1e-9


def check_option(option: Any, key: str = "option") -> str:
    """The option name (``api``, ``cloud`` or ``onprem``), case-insensitive; raises naming ``key``."""
    name = option.strip().lower().replace("-", "").replace("_", "") if isinstance(option, str) else None
    aliases = {"api": "api", "cloud": "cloud", "onprem": "onprem", "onpremises": "onprem", "onpremise": "onprem"}
    if name not in aliases:
        raise CostModelError(key, f"must be one of api, cloud, onprem (got {option!r})")
    return aliases[name]


def check_feasible(plan: Plan, option: str) -> None:
    """Raise :class:`~costengine.errors.Infeasible` ("not feasible: <option>: <reason>") when the plan's ``option``
    cannot be served (``docs/model.md#infeasible-options``)."""
    reason = str(plan.options[option].problem[0])
    if reason:
        raise Infeasible(None, f"not feasible: {option}: {reason}")


@functools.lru_cache(maxsize=2048)
def _cached_plan(s: Scenario, catalog: Catalog) -> Plan:
    return resolve(scenario_columns(s), catalog)


@functools.lru_cache(maxsize=512)
def _noted_plan(s: Scenario, catalog: Catalog) -> Plan:
    return binding_notes(_cached_plan(s, catalog), scenario_columns(s), catalog)


def plan_for(s: Scenario | dict, catalog: Catalog | None = None) -> Plan:
    """The resolved plan of one scenario (cached: scenarios are immutable)."""
    s = Scenario.parse(s)
    return _cached_plan(s, catalog or load_catalog())


def _volume(s: Scenario, requests_per_month: float | None) -> float:
    if requests_per_month is None:
        return float(s.requests_per_month)
    try:
        r = float(requests_per_month)
    except (TypeError, ValueError):
        raise CostModelError("requests_per_month", f"must be a number (got {requests_per_month!r})") from None
    if not np.isfinite(r) or r < 0:
        raise CostModelError("requests_per_month", f"must be a finite number >= 0 (got {requests_per_month!r})")
    return r


def monthly_cost(
    s: Scenario | dict, option: str, requests_per_month: float | None = None, catalog: Catalog | None = None
) -> float:
    """Monthly cost [money/month] of ``option`` at the scenario's volume (or ``requests_per_month``).

    Notes
    -----
    ``cost = fixed + variable * R + step * max(min_replicas, ceil(R * peak / capacity))``, with the
    coefficients of each option given in :mod:`costengine.plan` (``docs/model.md#cost-function``).

    Examples
    --------
    >>> s = Scenario(api_input_price_per_mtok=25, api_output_price_per_mtok=25, api_batch_share=0)
    >>> round(monthly_cost(s, "api", 1_000_000), 2)   # docs/model.md#seed-000: 0.0375 per request
    37500.0
    """
    s = Scenario.parse(s)
    opt = check_option(option)
    plan = plan_for(s, catalog)
    check_feasible(plan, opt)
    return float(cost_at(plan.options[opt], plan.peak, _volume(s, requests_per_month))[0])


def cost_per_request(
    s: Scenario | dict, option: str, requests_per_month: float | None = None, catalog: Catalog | None = None
) -> float:
    """Cost per request [money/request] = monthly cost / R (NaN at R = 0)."""
    s = Scenario.parse(s)
    r = _volume(s, requests_per_month)
    cost = monthly_cost(s, option, r, catalog)
    return cost / r if r > 0 else float("nan")


def breakeven(s: Scenario | dict, option_a: str, option_b: str, catalog: Catalog | None = None) -> float | None:
    """Smallest volume R > 0 [requests/month] at which the two options' monthly costs cross.

    Exact on the piecewise-linear cost functions (a crossing can happen on a replica step).
    Returns ``None`` when they never cross up to 1e12 requests/month, and 0.0 when the two costs
    are equal from the lowest volumes. Raises "not feasible: ..." when either option cannot be served.
    """
    a, b = check_option(option_a, "option_a"), check_option(option_b, "option_b")
    if a == b:
        raise CostModelError("option_b", f"must differ from option_a (both {a!r})")
    plan = plan_for(s, catalog)
    check_feasible(plan, a)
    check_feasible(plan, b)
    r = breakeven_arrays(plan.options[a], plan.options[b], plan.peak)[0]
    return None if np.isnan(r) else float(r)


def cheapest(s: Scenario | dict, requests_per_month: float | None = None, catalog: Catalog | None = None) -> str:
    """The cheapest option at the volume: ``"api"``, ``"cloud"`` or ``"onprem"`` (ties: in that order), among the
    options that can be served; when none can, raises naming each one's reason."""
    s = Scenario.parse(s)
    plan = plan_for(s, catalog)
    best = str(cheapest_options(option_costs(plan, _volume(s, requests_per_month)))[0])
    if not best:
        reasons = "; ".join(f"{o}: {plan.options[o].problem[0]}" for o in OPTIONS)
        raise Infeasible(None, f"not feasible: no option can be served ({reasons})")
    return best


def compare(
    s: Scenario | dict, requests_per_month: float | None = None, catalog: Catalog | None = None
) -> pd.DataFrame:
    """One row per option (index ``option``) with columns:

    ``monthly_cost`` [money/month], ``cost_per_request`` [money], ``cost_per_mtok`` [money/MTok of the
    visible prompt + output tokens: hidden reasoning tokens are a cost, not tokens the user receives], ``gpus``
    (paid for) [count], ``replicas`` [count], ``utilization`` [0..1: busy share of the
    GPUs paid for; NaN for the API], ``gpus_per_replica`` [count], ``units`` (instances or servers bought; 0 for
    per-second billing) [count], ``batch`` [sequences: the concurrency the peak traffic brings each replica,
    Little's law], ``max_batch`` [sequences: the largest batch that fits and meets the targets, which sets the
    capacity], ``ttft_s`` [s], ``tpot_ms`` [ms/token] (at ``batch``; NaN where seconds_per_request was typed),
    ``offer`` (cloud offer or server id; "" when priced from typed inputs), ``status`` ("ok", or "not feasible:
    <reason>" where the option cannot be served: its numbers are NaN) and ``notes`` (what a reader must know
    about the option's figures, "; "-joined; "" when nothing; a cloud offer's or server's price that is undated or older
    than 180 days at the catalog's date is noted with its age: :func:`price_age_note`), then the monthly cost in
    parts that add up to it [money/month] (:func:`costengine.plan.cost_split`): ``usage_cost`` (API tokens, cloud
    GPU time), ``capital_cost`` (servers' capital), ``running_cost`` (their energy, colocation and support),
    ``overhead_cost`` (API monthly fee, cloud overhead) and ``staff_cost``; ``serving_basis``: what the serving
    figures rest on (:func:`serving_basis`: estimated, with its typical error, or given).
    """
    s = Scenario.parse(s)
    catalog = catalog or load_catalog()
    plan = _noted_plan(s, catalog)  # with a note where a latency target binds hard
    r = _volume(s, requests_per_month)
    rows = []
    for name in OPTIONS:
        opt = plan.options[name]
        cost = float(cost_at(opt, plan.peak, r)[0])
        reps = float(replicas_at(opt, plan.peak, r)[0]) if not opt.problem[0] else np.nan
        units = float(units_at(opt, plan.peak, r)[0]) if not opt.problem[0] else np.nan
        g = float(opt.gpus_per_replica[0])
        gpus = units * float(opt.gpus_per_unit[0]) if np.isfinite(opt.capacity[0]) else reps * g
        busy = r * float(opt.seconds_per_request[0]) * g / (float(plan.hours[0]) * 3600.0)
        mtok = r * float(plan.tokens[0]) / 1e6
        rows.append(
            {
                "option": name,
                "monthly_cost": cost,
                "cost_per_request": cost / r if r > 0 else np.nan,
                "cost_per_mtok": cost / mtok if mtok > 0 else np.nan,
                "gpus": gpus,
                "replicas": reps,
                "utilization": busy / gpus if gpus > 0 else np.nan,
                "gpus_per_replica": g if name != "api" else np.nan,
                "units": units,
                "batch": float(opt.batch[0]),
                "max_batch": float(opt.max_batch[0]),
                "ttft_s": float(opt.ttft_s[0]),
                "tpot_ms": float(opt.tpot_s[0]) * 1000.0,
                "offer": str(opt.source[0]),
                "status": f"not feasible: {opt.problem[0]}" if opt.problem[0] else "ok",
                "notes": "; ".join(
                    n
                    for n in (
                        str(opt.notes[0]),
                        cold_start_note(opt, r),
                        price_age_note(name, str(opt.source[0]), catalog),
                    )
                    if n
                ),
                **{f"{k}_cost": float(v[0]) for k, v in cost_split(opt, plan.peak, r).items()},
                "serving_basis": serving_basis(name, opt),
            }
        )
    return pd.DataFrame(rows).set_index("option")


def serving_basis(option: str, opt: OptionCost) -> str:
    """What a self-hosted option's serving figures (seconds per request, batch, TTFT, TPOT) rest on (one-row
    ``opt``): :data:`~costengine.serving.parameters.ESTIMATED` for a layout the serving model derived (with how far
    such estimates typically are from published measurements), :data:`~costengine.serving.parameters.GIVEN` for a
    typed seconds_per_request; "" for the API and an option not feasible."""
    if option == "api" or opt.problem[0]:
        return ""
    return ESTIMATED if np.isfinite(opt.tp[0]) else GIVEN


def cold_start_note(opt: OptionCost, requests: float) -> str:
    """Per-second billing (one-row ``opt``): the share of requests that wait for a cold start and its length, which
    their time to first token adds to ``ttft_s`` (docs/model.md#per-second-billing); "" elsewhere or when none."""
    if not np.isfinite(opt.burst_rate[0]):
        return ""
    share = float(cold_share_at(opt, [requests])[0])
    if share <= 0:
        return ""
    return f"{share:.1%} of requests wait for a cold start: TTFT + {float(opt.cold_start_s[0]):g} s for them"


def price_age_note(option: str, source: str, catalog: Catalog) -> str:
    """The staleness note of the catalog price an option uses (:func:`costengine.price_rules.stale_note`: undated,
    or older than ``STALE_DAYS`` at the catalog's date); "" for the API (token prices carry the genai-prices version,
    which records no date), for typed prices and for a server without a catalog price (estimated from the GPU's)."""
    key = str(source).strip().lower()
    if option == "cloud" and key in catalog.offers:
        o = catalog.offers[key]
        return stale_note("offer", o.id, o.price_date)
    if option == "onprem" and key in catalog.servers and not math.isnan(catalog.servers[key].price_usd):
        sv = catalog.servers[key]
        return stale_note("server", sv.id, sv.price_date)
    return ""


def curve(
    s: Scenario | dict, start: float = 1e3, stop: float = 1e8, points: int = 50, catalog: Catalog | None = None
) -> pd.DataFrame:
    """Monthly cost of each option at ``points`` log-spaced volumes from ``start`` to ``stop``.

    Columns: ``requests_per_month``, ``api``, ``cloud``, ``onprem`` [money/month]; NaN for an option that cannot
    be served (see :func:`compare`'s ``status``).
    """
    if not (np.isfinite(start) and start > 0):
        raise CostModelError("from", f"must be a number > 0 (got {start!r})")
    if not (np.isfinite(stop) and stop > start):
        raise CostModelError("to", f"must be a number > from ({start:g}) (got {stop!r})")
    if int(points) != points or not 2 <= points <= 10_000:
        raise CostModelError("points", f"must be a whole number from 2 to 10000 (got {points!r})")
    plan = plan_for(s, catalog)
    vols = np.logspace(np.log10(start), np.log10(stop), int(points))
    out = {"requests_per_month": vols}
    for name in OPTIONS:
        out[name] = cost_at(plan.options[name], plan.peak[0], vols)
    return pd.DataFrame(out)


def hybrid(
    s: Scenario | dict,
    option: str | None = None,
    requests_per_month: float | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Self-host the base load, send the overflow to the API (:mod:`costengine.hybrid_split`).

    ``option`` is cloud or onprem; None = the one whose hybrid is cheaper. Returns ``option``, ``replicas``
    [count], ``self_hosted_share`` [0..1 of requests], ``monthly_cost``, ``api_only``, ``self_hosted_only``
    [money/month], ``hours``: the day's split, ``self_hosted`` and ``api`` requests per hour of the day
    [requests/month in that hour], 24 each, and ``note``: "same as the API" when no replica pays for itself, or
    that the API is the failover when the hybrid keeps fewer replicas or units than min_replicas and
    ``redundancy`` ask of the pure option ("" otherwise). An option that cannot be served is left out (None: the
    other one); raises "not feasible: ..." when the API or every candidate cannot be served.
    """
    s = Scenario.parse(s)
    plan = plan_for(s, catalog)
    r = _volume(s, requests_per_month)
    shares = np.array([profile_weights(s.load_profile)])
    names = ("cloud", "onprem") if option is None else (check_option(option, "option_name"),)
    if "api" in names:
        raise CostModelError("option_name", "must be cloud or onprem (the hybrid self-hosts part of the load)")
    check_feasible(plan, "api")
    if len(names) > 1:
        names = tuple(o for o in names if not plan.options[o].problem[0]) or names
    for o in names:
        check_feasible(plan, o)
    results = {o: hybrid_arrays(plan, o, shares, r) for o in names}
    best = min(names, key=lambda o: float(results[o]["monthly_cost"][0]))  # ties: cloud first
    h = {k: float(v[0]) for k, v in results[best].items()}
    o = plan.options[best]
    units = h.pop("units")
    note = ""
    if h["replicas"] == 0:
        note = "same as the API: no self-hosted replica pays for itself at this volume"
    elif h["replicas"] < s.min_replicas or units < float(o.min_units[0]):
        where = "one unit" if units == 1 else f"{units:g} units"
        note = (
            f"the API is its failover: {h['replicas']:g} replica(s) in {where}, below min_replicas={s.min_replicas} "
            f"with redundancy={s.redundancy}"
        )
    split = hourly_split(r, shares[0], h["replicas"], float(o.replica_capacity[0]))
    if h["self_hosted_share"] == 1.0 and h["monthly_cost"] == h["self_hosted_only"]:
        split = {"hour": split["hour"], "self_hosted": list(r * shares[0]), "api": [0.0] * 24}
    return {"option": best, **h, "hours": split, "note": note}


def recommend(
    s: Scenario | dict, requests_per_month: float | None = None, catalog: Catalog | None = None
) -> dict[str, Any]:
    """The option to show first at the volume: :func:`cheapest` of the three, unless a hybrid (some self-hosted
    replicas for the base load, the API for the rest) costs less.

    Returns ``option`` (api, cloud, onprem, hybrid_cloud or hybrid_onprem), ``monthly_cost`` [money/month],
    ``cheapest`` (the cheapest of the three single options), ``saving`` [0..1: below the cheapest single
    option's cost; 0 when it is the recommendation] and ``text`` (one line for people). :func:`cheapest` keeps its
    meaning; the hybrid is recommended when it self-hosts something (replicas > 0) and costs less than the
    cheapest single option by more than a relative :data:`RECOMMEND_MARGIN` (float noise is no saving).
    """
    s = Scenario.parse(s)
    r = _volume(s, requests_per_month)
    plan = plan_for(s, catalog)
    best = cheapest(s, r, catalog)
    best_cost = float(cost_at(plan.options[best], plan.peak, r)[0])
    try:
        h = hybrid(s, None, r, catalog)
    except CostModelError:  # no self-hosted option (or no API) to split with: the cheapest single option
        h = {"replicas": 0.0, "monthly_cost": np.inf}
    if h["replicas"] > 0 and h["monthly_cost"] < best_cost * (1.0 - RECOMMEND_MARGIN):
        saving = 1.0 - h["monthly_cost"] / best_cost if best_cost > 0 else 0.0
        api_share = 1.0 - h["self_hosted_share"]
        share = "under 0.1%" if api_share < 0.001 else f"{api_share:.1%}"
        rest = f"the API for {share} of requests" if api_share > 0 else "the API only as failover"
        text = (
            f"hybrid {h['option']}: {h['replicas']:g} self-hosted replica(s) for the base load, {rest}; "
            f"{h['monthly_cost']:,.0f} {s.currency}/month, {saving:.0%} below {best} alone"
        )
        if h["note"] and api_share > 0:
            text += f" ({h['note']})"
        return {
            "option": f"hybrid_{h['option']}",
            "monthly_cost": h["monthly_cost"],
            "cheapest": best,
            "saving": saving,
            "text": text,
        }
    text = f"{best}: {best_cost:,.0f} {s.currency}/month, the cheapest option; no hybrid split costs less"
    return {"option": best, "monthly_cost": best_cost, "cheapest": best, "saving": 0.0, "text": text}
