"""Hybrid serving: self-host the base load, send the overflow to the API (``docs/model.md#hybrid``).

With the day's load profile (24 hourly shares f_h of a day's requests, :mod:`costengine.profiles`), N
self-hosted replicas of capacity C [requests/month each, at the target utilisation] serve in each hour of the
day up to N x C / 24 of that hour's R x f_h requests; the API takes the rest::

    served(N)  = sum_h min(R f_h, N C / 24)
    cost(N)    = [N > 0] (fixed + step x ceil(N / replicas per unit)) + [R > served(N)] api_fixed
                 + api cost per request x (R - served(N))

The answer is the cheapest N, compared also with the pure self-hosted option as :mod:`costengine.plan` prices
it (sized for ``peak_to_average``), so the hybrid is never dearer than all-API (N = 0) or all-self-hosted.

Exact without a grid: inside one unit (instance or server) the cost of replicas is constant and ``served``
rises with N, so the best N of unit k is its last, k x r (r replicas per unit). Over k, the self-hosted cost is
linear and the API cost convex piecewise linear (``served`` is concave, with a kink where N C / 24 = R f_h), so
the minimum lies at one kink: the hourly capacity rises while the API cost it saves (the API cost per request x
the hours still above it) exceeds its cost (step x 24 / (C r)), so it stops at the j-th busiest hour's demand,
j = floor(step x 24 / (C r x API cost per request)) + 1; the best whole unit is the floor or the ceiling of that
point (or one unit). The API's fixed fee stops only when no hour overflows, which breaks the convexity once: the
fewest units that serve the busiest hour are a fourth candidate. Four candidates per scenario, evaluated with
numpy over scenarios; the brute force over every N in the tests agrees. Per-second billing has nothing to
split (it already pays only for what it serves): its hybrid is the cheaper of the two pure options.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .plan import OptionCost, Plan, cost_at, replicas_at, units_at

__all__ = ["hybrid_arrays", "served"]


def served(n_replicas, requests, shares, replica_capacity) -> np.ndarray:
    """Requests the self-hosted replicas serve in a month [requests/month] = sum_h min(R f_h, N C / 24).

    ``n_replicas`` has shape (rows, k) (k candidates per scenario), ``shares`` (rows, 24), ``requests`` and
    ``replica_capacity`` (rows,).
    """
    hourly = np.asarray(requests, dtype=float)[:, None, None] * shares[:, None, :]
    cap = np.asarray(n_replicas, dtype=float) * np.asarray(replica_capacity, dtype=float)[:, None] / 24.0
    return np.minimum(hourly, cap[:, :, None]).sum(axis=2)


def hybrid_arrays(plan: Plan, option: str, shares: np.ndarray, requests=None) -> dict[str, np.ndarray]:
    """The cheapest split between ``option`` (cloud or onprem) and the API, per scenario.

    Returns arrays: ``replicas`` [count], ``units`` [instances or servers bought, count], ``self_hosted_share``
    [0..1 of requests], ``monthly_cost``, ``api_only``, ``self_hosted_only`` [money/month]. ``requests`` (one
    volume, or one per scenario) replaces the plan's volume. NaN where the option or the API cannot be served.
    """
    api: OptionCost = plan.options["api"]
    o: OptionCost = plan.options[option]
    r = plan.requests if requests is None else np.asarray(requests, dtype=float) * np.ones(len(plan))
    rows = len(r)
    api_only = cost_at(api, plan.peak, r)
    pure = cost_at(o, plan.peak, r)
    pure_replicas = replicas_at(o, plan.peak, r)
    c = o.replica_capacity
    per_unit = o.replicas_per_unit
    always_on = np.isfinite(o.capacity) & (o.step > 0)
    # the continuous optimum: raise the hourly capacity x = N C / 24 while the API cost it saves (api cost per
    # request x the hours still above x) exceeds what it costs (step x 24 / (C x replicas per unit)); it stops
    # at the j-th largest hour's demand, j = floor(threshold) + 1
    hourly = r[:, None] * shares
    desc = -np.sort(-hourly, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        threshold = o.step * 24.0 / (c * per_unit * api.variable)
        j = np.floor(np.where(np.isfinite(threshold), threshold, 24.0)).astype(np.int64)
        x_star = np.where(j < 24, desc[np.arange(rows), np.clip(j, 0, 23)], 0.0)
        k_star = x_star * 24.0 / c / per_unit
        k_full = desc[:, 0] * 24.0 / c / per_unit  # the fewest units that serve every hour: no API fee
    k = np.stack([np.floor(k_star), np.ceil(k_star), np.ones(rows), np.ceil(k_full)], axis=1)
    k = np.where(np.isfinite(k) & (k >= 1), k, 1.0)
    n = k * per_unit[:, None]
    got = served(n, r, shares, c)
    overflow = r[:, None] - got
    overflow = np.where(overflow > 1e-9 * r[:, None], overflow, 0.0)  # float noise of the hourly sum is no traffic
    cost = (
        o.fixed[:, None]
        + o.step[:, None] * k
        + np.where(overflow > 0, api.fixed[:, None], 0.0)
        + api.variable[:, None] * overflow
    )
    best = np.argmin(cost, axis=1)
    col = np.arange(rows)
    best_cost = cost[col, best]
    best_n = n[col, best]
    best_share = np.where(r > 0, got[col, best] / np.where(r > 0, r, 1.0), 0.0)
    # the pure options: all API (N = 0) and all self-hosted as the plan prices it
    best_cost = np.where(always_on, best_cost, np.inf)
    choice = np.argmin(np.vstack([api_only, best_cost, pure]), axis=0)  # ties: all-API first, then the split
    monthly = np.choose(choice, [api_only, best_cost, pure])
    replicas = np.choose(choice, [np.zeros(rows), best_n, pure_replicas])
    units = np.choose(choice, [np.zeros(rows), k[col, best], units_at(o, plan.peak, r)])
    share = np.choose(choice, [np.zeros(rows), best_share, np.ones(rows)])
    unserved = np.isnan(pure) | np.isnan(api_only)  # the option or the API not feasible: no split
    replicas, units, share, monthly = (np.where(unserved, np.nan, x) for x in (replicas, units, share, monthly))
    return {
        "replicas": replicas,
        "units": units,
        "self_hosted_share": share,
        "monthly_cost": monthly,
        "api_only": api_only,
        "self_hosted_only": pure,
    }


def hourly_split(requests: float, shares: np.ndarray, replicas: float, replica_capacity: float) -> dict[str, Any]:
    """Requests per hour of the day [requests/month in that hour] served self-hosted and by the API."""
    hourly = requests * np.asarray(shares, dtype=float)
    cap = replicas * replica_capacity / 24.0
    self_hosted = np.minimum(hourly, cap)
    return {"hour": list(range(24)), "self_hosted": self_hosted.tolist(), "api": (hourly - self_hosted).tolist()}
