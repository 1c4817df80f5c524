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
- Cloud, per second (serverless): fixed = overhead + staff + min_replicas warm all month; the replicas above
  them are billed as providers bill (:mod:`costengine.serverless`: busy time, the scale-down window after each
  busy period, cold starts), a cost that is not piecewise linear in R (``burst_*`` fields, :func:`burst_at`);
  no units.
- On-premises: fixed = staff; step = capital + energy + colocation + support per server and month.

The coefficients are filled from the scenario, the catalogs, the serving model (:mod:`costengine.serving`) and
the billing rules by :mod:`costengine.resolve`. One implementation serves one scenario (arrays of length 1) and a
vectorised sweep of millions. The equations, with their units and sources:
``docs/model.md#cost-function`` and the sections it links.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .serverless import burst_cold_share, burst_cost

__all__ = [
    "OPTIONS",
    "OptionCost",
    "COST_PARTS",
    "cost_split",
    "burst_at",
    "cold_share_at",
    "Plan",
    "replicas_at",
    "units_at",
    "cost_at",
    "option_costs",
    "cheapest_options",
    "capital_per_month",
    "with_note",
]

OPTIONS: tuple[str, ...] = ("api", "cloud", "onprem")


@functools.lru_cache(maxsize=16)
def _filled(n: int, value: Any) -> np.ndarray:
    """A read-only array of ``n`` copies of ``value`` (NaN, 0, 1 or ""), shared by the coefficients that default to
    it (the coefficients are never written in place: a change makes a new array)."""
    key = (n, "nan" if isinstance(value, float) and math.isnan(value) else value)
    a = _FILLED.get(key)
    if a is None:
        a = np.full(n, value, dtype=object if isinstance(value, str) else float)
        a.flags.writeable = False
        if len(_FILLED) < 256:  # one scenario's lengths, a sweep's chunks: a few keys
            _FILLED[key] = a
    return a


_FILLED: dict[tuple, np.ndarray] = {}


@dataclass(frozen=True)
class OptionCost:
    """Coefficients of one option's monthly cost, one array element per scenario (see module doc),
    and the serving layout behind them (NaN or empty where the option has none)."""

    fixed: np.ndarray  # [money/month]
    variable: np.ndarray  # [money/request]
    step: np.ndarray  # [money/month/unit]
    capacity: np.ndarray  # [requests/month/unit], at target utilisation
    min_units: np.ndarray  # [count]
    gpus_per_replica: np.ndarray  # [count]
    seconds_per_request: np.ndarray  # [replica-s/request]
    free_volume: np.ndarray = None  # [requests/month] served before ``variable`` applies (warm replicas)
    replica_capacity: np.ndarray = None  # [requests/month/replica]
    min_replicas: np.ndarray = None  # [count]
    replicas_per_unit: np.ndarray = None  # [count]
    nodes_per_unit: np.ndarray = None  # instances or servers in one unit [count]
    gpus_per_unit: np.ndarray = None  # GPUs paid per unit [count]
    tp: np.ndarray = None  # tensor-parallel size [count]
    pp: np.ndarray = None  # pipeline stages [count]
    batch: np.ndarray = None  # planned batch: the concurrency the peak traffic brings a replica [sequences]
    max_batch: np.ndarray = None  # the largest batch that fits and meets the targets (sets capacity) [sequences]
    max_batch_ttft_s: np.ndarray = None  # TTFT at max_batch [s]
    max_batch_tpot_s: np.ndarray = None  # TPOT at max_batch [s/token]
    ttft_s: np.ndarray = None  # [s]
    tpot_s: np.ndarray = None  # [s/token]
    source: np.ndarray = None  # offer or server id (object array; "" when priced from typed inputs)
    estimated: np.ndarray = None  # text naming catalog figures that are estimates ("" when none)
    problem: np.ndarray = None  # why the option cannot be served ("" when it can): its costs are NaN there
    notes: np.ndarray = None  # what a reader must know about the figures, "; "-joined ("" when nothing)
    # per-second billing of the replicas above the warm ones (costengine.serverless; NaN rate: none)
    burst_rate: np.ndarray = None  # [money/replica-s]
    burst_seconds: np.ndarray = None  # s / target utilisation [replica-s/request]
    burst_span_s: np.ndarray = None  # overlapping requests: latency + the scale-down window; one at a time: window [s]
    burst_busy_s: np.ndarray = None  # one at a time (typed s): the seconds each takes; overlapping: 0 [s]
    cold_start_s: np.ndarray = None  # [s]
    month_s: np.ndarray = None  # [s/month]
    hour_shares: np.ndarray = None  # shares of a day's requests per hour, shape (n, H) (H = 1: a flat day)
    # the parts of the cost a finance reader asks for (compare()'s split): of ``fixed``, the staff and the overhead
    # (API monthly fee, cloud overhead) [money/month]; of ``step``, the capital and the running cost (energy,
    # colocation, support) of a unit's servers [money/month/unit]; the rest is usage (tokens, GPU time)
    staff: np.ndarray = None
    overhead: np.ndarray = None
    step_capital: np.ndarray = None
    step_running: np.ndarray = None

    def __post_init__(self) -> None:
        n = np.shape(self.fixed)
        n = n[0] if n else 1
        for name in _DEFAULTS:  # only the fields left None are built (a plan is made for every scenario)
            if getattr(self, name) is None:
                kind = _DEFAULTS[name]
                if isinstance(kind, tuple):  # another field's value
                    value = getattr(self, kind[0])
                elif kind is _NAN:
                    value = _filled(n, np.nan)
                elif kind is _SHARES:
                    value = np.ones((n, 1))
                else:
                    value = _filled(n, kind)
                object.__setattr__(self, name, value)


_NAN, _SHARES = object(), object()
#: The default of each optional field of :class:`OptionCost`: a fill value, (another field's name,), NaN, or a flat
#: day.
_DEFAULTS: dict[str, Any] = {
    "free_volume": 0.0,
    "replica_capacity": ("capacity",),
    "min_replicas": ("min_units",),
    "replicas_per_unit": 1.0,
    "nodes_per_unit": 1.0,
    "gpus_per_unit": ("gpus_per_replica",),
    **dict.fromkeys(
        ("tp", "pp", "batch", "max_batch", "max_batch_ttft_s", "max_batch_tpot_s", "ttft_s", "tpot_s"), _NAN
    ),
    "source": "",
    "estimated": "",
    "problem": "",
    "notes": "",
    **dict.fromkeys(("burst_rate", "burst_seconds", "burst_span_s", "burst_busy_s", "cold_start_s", "month_s"), _NAN),
    "hour_shares": _SHARES,
    **dict.fromkeys(("staff", "overhead", "step_capital", "step_running"), 0.0),
}


@dataclass(frozen=True)
class Plan:
    """Resolved scenarios: volume, tokens and the coefficients of each option."""

    requests: np.ndarray  # [requests/month]
    tokens: np.ndarray  # p + o [tokens/request]
    peak: np.ndarray  # peak-to-average [ratio]
    hours: np.ndarray  # [h/month]
    options: Mapping[str, OptionCost]

    def __len__(self) -> int:
        return len(self.requests)


def with_note(opt: OptionCost, rows: np.ndarray, text: str) -> OptionCost:
    """``opt`` with ``text`` added to the notes of the ``rows`` (a mask) ("; " between notes)."""
    notes = opt.notes.copy()
    for i in np.flatnonzero(rows):
        notes[i] = f"{notes[i]}; {text}" if notes[i] else text
    return dataclasses.replace(opt, notes=notes)


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
    """Monthly cost [money/month] = fixed + variable * max(0, R - free_volume) + step * units(R) + the per-second
    replicas above the warm ones (:func:`burst_at`)."""
    r = np.asarray(requests, dtype=float)
    out = opt.fixed + opt.variable * np.maximum(r - opt.free_volume, 0.0) + opt.step * units_at(opt, peak, r)
    return burst_at(opt, r, out)


def _burst_rows(opt: OptionCost, requests) -> tuple[tuple[int, ...], np.ndarray, np.ndarray, np.ndarray]:
    """Where per-second billing applies: the result's shape, the positions billed per second, each one's row of
    ``opt`` and its volume. ``requests``: one volume per row, or many volumes of a one-row ``opt`` (a curve)."""
    r = np.asarray(requests, dtype=float)
    shape = np.broadcast(r, opt.fixed).shape
    n = shape[0] if shape else 1
    pick = np.zeros(n, dtype=int) if len(opt.fixed) == 1 else np.arange(n)  # the row of each result
    rows = np.flatnonzero(np.isfinite(opt.burst_rate[pick]))
    return shape, rows, pick[rows], np.broadcast_to(r, shape).reshape(-1)[rows]


def _serverless_terms(opt: OptionCost, at: np.ndarray) -> dict[str, np.ndarray]:
    """The per-second terms of the rows ``at`` of ``opt``, as :mod:`costengine.serverless` takes them."""
    return {
        "shares": opt.hour_shares[at],
        "month_s": opt.month_s[at],
        "seconds_at_util": opt.burst_seconds[at],
        "min_replicas": opt.min_replicas[at],
        "span_s": opt.burst_span_s[at],
        "cold_s": opt.cold_start_s[at],
        "busy_s": opt.burst_busy_s[at],
    }


def burst_at(opt: OptionCost, requests, base: np.ndarray | None = None) -> np.ndarray:
    """``base`` (zeros when None) plus, on the rows billed per second, the monthly cost of the replicas above the
    warm ones at ``requests`` [money/month] (:func:`costengine.serverless.burst_cost`). ``requests``: one volume
    per row, or many volumes of a one-row ``opt`` (a curve)."""
    shape = np.broadcast(np.asarray(requests, dtype=float), opt.fixed).shape
    out = np.zeros(shape) if base is None else np.array(np.broadcast_to(base, shape), dtype=float)
    if np.isfinite(opt.burst_rate).any():  # (a hot path: most plans bill no row per second)
        _, rows, at, r = _burst_rows(opt, requests)
        out.reshape(-1)[rows] += burst_cost(r, rate=opt.burst_rate[at], **_serverless_terms(opt, at))
    return out


def cold_share_at(opt: OptionCost, requests) -> np.ndarray:
    """Share of requests [fraction] that wait for a cold start at ``requests``, on the rows billed per second (0
    elsewhere) (:func:`costengine.serverless.burst_cold_share`)."""
    shape, rows, at, r = _burst_rows(opt, requests)
    out = np.zeros(shape)
    if len(rows):
        out.reshape(-1)[rows] = burst_cold_share(r, **_serverless_terms(opt, at))
    return out


#: The parts of a monthly cost (:func:`cost_split`), in order.
COST_PARTS: tuple[str, ...] = ("usage", "capital", "running", "overhead", "staff")


def cost_split(opt: OptionCost, peak: np.ndarray, requests) -> dict[str, np.ndarray]:
    """The monthly cost [money/month] in parts that add up to :func:`cost_at`: ``capital`` (servers' capital),
    ``running`` (their energy, colocation and support), ``overhead`` (the API's monthly fee, the cloud's overhead),
    ``staff``, and ``usage`` (API tokens, cloud GPU time: instances, per-second replicas; 0 on premises)."""
    r = np.asarray(requests, dtype=float)
    units = units_at(opt, peak, r)
    shape = np.broadcast(r, opt.fixed).shape
    usage = (
        (opt.fixed - opt.staff - opt.overhead)
        + opt.variable * np.maximum(r - opt.free_volume, 0.0)
        + (opt.step - opt.step_capital - opt.step_running) * units
    )
    return {
        "usage": burst_at(opt, r, np.broadcast_to(usage, shape)),
        "capital": np.broadcast_to(opt.step_capital * units, shape).astype(float),
        "running": np.broadcast_to(opt.step_running * units, shape).astype(float),
        "overhead": np.broadcast_to(opt.overhead, shape).astype(float),
        "staff": np.broadcast_to(opt.staff, shape).astype(float),
    }


def option_costs(plan: Plan, requests) -> np.ndarray:
    """Monthly costs [money/month] of the three options, shape (3, n) in OPTIONS order."""
    return np.vstack([cost_at(plan.options[o], plan.peak, requests) for o in OPTIONS])


def cheapest_options(costs: np.ndarray) -> np.ndarray:
    """The cheapest option's name of each column of :func:`option_costs`, among the options with a cost (NaN: not
    feasible); "" where none has one.

    Ties go to the first option in OPTIONS order (the simpler one to run).
    """
    nan = np.isnan(costs)
    best = np.argmin(np.where(nan, np.inf, costs), axis=0)
    return np.array(OPTIONS + ("",), dtype=object)[np.where(nan.all(axis=0), len(OPTIONS), best)]


def capital_per_month(capex, months, annual_rate):
    """Capital cost per server and month [money/month].

    Straight line ``capex / months`` when the rate is 0; the annuity payment
    ``capex * i / (1 - (1 + i)**-months)`` with ``i = annual_rate / 12`` otherwise (the spreadsheet's PMT);
    0 when months is 0 (capex treated as sunk). See ``docs/model.md#on-premises-cost``.
    """
    capex, months, rate = (np.asarray(x, dtype=float) for x in (capex, months, annual_rate))
    shape = np.broadcast(capex, months, rate).shape
    c, m, i = (np.broadcast_to(x, shape).ravel() for x in (capex, months, rate / 12.0))
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = c / m
        rated = np.flatnonzero(i > 0)
        if len(rated):  # the annuity where a rate is given (the power is the costly part)
            ir = i[rated]
            out[rated] = c[rated] * ir / (1.0 - (1.0 + ir) ** -m[rated])
    out = np.where(m > 0, out, 0.0).reshape(shape)
    return out if shape else float(out)
