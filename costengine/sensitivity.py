"""Sensitivity: one input at a time to a low and a high value; the effect on each option's monthly cost,
on the break-even volumes and on which option is cheapest (the data of a tornado chart).
See ``docs/model.md#sensitivity``.

Which inputs swing
------------------
Every numeric scenario key except the decision-analysis keys (``growth_rate_monthly``, ``horizon_months``,
``discount_rate_annual``), which do not enter the monthly cost. A key left blank to be derived is swung
around its *resolved* value, the one the single-month model uses:

- api prices: the catalog price (genai-prices) x ``usd_to_currency``;
- ``model_params_billion``: the model catalog; ``onprem_capex_per_server``: from the resolved plan (see
  :func:`costengine.projection.onprem_cash_terms`); ``onprem_power_kw``: the server's typical power, from the
  server catalog or estimated from GPU TDP (:func:`costengine.billing.server_terms`); a blank
  ``cloud_price_per_gpu_hour`` is not swung (the offer's instance price applies; typing a per-GPU price would
  drop the offer's packing);
- ``seconds_per_request``: the serving model's estimate (``docs/model.md#serving-capacity``) in
  :func:`costengine.plan_for`. When cloud and on-premises
  resolve to different values (different GPUs), each gets its own row, ``seconds_per_request (cloud)`` and
  ``seconds_per_request (onprem)``, swinging only that option's throughput.

Only the swung key changes: other blanks are derived again (a larger ``model_params_billion`` may need
more GPUs per replica and a slower ``seconds_per_request``). Blank GPU counts
(``cloud_gpus_per_replica``, ``onprem_gpus_per_server``) follow from memory and are not swung (swing
``model_params_billion`` or give the count).

Low and high values
-------------------
``low = base * (1 - swing)``, ``high = base * (1 + swing)`` (a base of 0 does not move: give a range), or
the values of ``ranges`` for the keys it names. Swung values are kept within the scenario's bounds and the
``note`` column says when one was clipped: shares and discounts to 0..1, ``target_utilization`` to (0, 1],
``peak_to_average`` and ``memory_overhead`` >= 1, ``onprem_pue`` to 1..5, ``hours_per_month`` <= 744.
Whole-number keys (``min_replicas``, ``onprem_amortization_months``, GPU counts) round the change to the
nearest whole number, halves away from the base (2 +- 25% gives 1 and 3).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from . import billing
from .catalogs import Catalog, load_catalog, token_price
from .columns import TEXT_KEYS
from .crossing import PAIRS, breakeven_arrays
from .engine import OPTIONS, plan_for
from .errors import CostModelError, closest
from .hybrid_split import hybrid_arrays
from .plan import Plan, cheapest_options, cost_at
from .profiles import profile_weights
from .projection import onprem_cash_terms
from .rules import check_value
from .rules import is_whole as _is_count
from .rules import numeric_bounds as _bounds
from .scenario import SCENARIO_KEYS, Scenario

__all__ = ["DEFAULT_SWING", "HYBRIDS", "SENSITIVITY_KEYS", "sensitivity", "resolved_value"]

#: Default relative swing (+-25%).
DEFAULT_SWING = 0.25
_NOT_SWUNG = frozenset({"growth_rate_monthly", "horizon_months", "discount_rate_annual"})
#: The keys :func:`sensitivity` swings, in scenario order.
SENSITIVITY_KEYS: tuple[str, ...] = tuple(k for k in SCENARIO_KEYS if k not in TEXT_KEYS and k not in _NOT_SWUNG)
#: The hybrid options (:mod:`costengine.hybrid_split`) whose cost is given under each swing, N re-optimised.
HYBRIDS: tuple[str, ...] = ("hybrid_cloud", "hybrid_onprem")
_COUNTS_FROM_MEMORY = frozenset({"cloud_gpus_per_replica", "onprem_gpus_per_server"})
_API_PRICE = {
    "api_input_price_per_mtok": "input",
    "api_output_price_per_mtok": "output",
    "api_cached_input_price_per_mtok": "cache_read",
    "api_cache_write_price_per_mtok": "cache_write",
}


_COLUMNS = [
    "input",
    "key",
    "base",
    "low",
    "high",
    *(f"{n}_cost_{side}" for n in OPTIONS for side in ("low", "high")),
    *(f"{n}_change_{side}" for n in OPTIONS for side in ("low", "high")),
    *(f"breakeven_{a}_{b}_{side}" for a, b in PAIRS for side in ("low", "high")),
    "cheapest_low",
    "cheapest_high",
    "flips_cheapest",
    "size",
    "note",
    *(f"{h}_{kind}_{side}" for h in HYBRIDS for kind in ("cost", "change") for side in ("low", "high")),
]


def resolved_value(s: Scenario | dict, key: str, catalog: Catalog | None = None) -> float | None:
    """The value the model uses for ``key``: as given, or as derived when blank [the key's unit].

    ``None`` for blank GPU counts and, when cloud and on-premises derive different values, for
    ``seconds_per_request`` (see the module docstring).
    """
    s = Scenario.parse(s)
    cat = catalog or load_catalog()
    given = getattr(s, key)
    if given is not None:
        return float(given)
    if key in _API_PRICE:
        tp = token_price(s.api_model, None, s.prompt_tokens, "api_model", s.api_service_tier)
        price = getattr(tp, _API_PRICE[key])
        return None if price is None else float(price) * s.usd_to_currency
    if key in ("max_ttft_s", "max_tpot_ms"):  # blank: the workload's target (None: no target to swing)
        return s.targets()[0 if key == "max_ttft_s" else 1]
    if key == "model_params_billion":
        return float(cat.model(s.model, "model").params_billion)
    if key == "cloud_price_per_gpu_hour":
        return None  # blank: the cloud offer's instance price (typing a per-GPU price drops the offer's packing)
    if key == "onprem_capex_per_server":
        return onprem_cash_terms(s, cat)[0]
    if key == "onprem_power_kw":
        gpu = cat.gpu(s.onprem_gpu, "onprem_gpu")
        server = billing.server_for(cat, s.onprem_gpu, s.onprem_server)
        return float(billing.server_terms(server, gpu.price_usd, gpu.tdp_w)["typical_kw"])
    if key == "seconds_per_request":
        opts = plan_for(s, cat).options
        sc, so = float(opts["cloud"].seconds_per_request[0]), float(opts["onprem"].seconds_per_request[0])
        return sc if math.isclose(sc, so, rel_tol=1e-12) else None
    return None


def _swung(key: str, base: float, raw: float) -> tuple[float, str]:
    """``raw`` made whole (counts) and clipped to the key's bounds; and a note when clipped."""
    v = raw
    if _is_count(key):
        d = raw - base
        v = base + math.copysign(math.floor(abs(d) + 0.5), d)
    b = _bounds(key)
    clipped = v
    if "ge" in b:
        clipped = max(clipped, b["ge"])
    if "le" in b:
        clipped = min(clipped, b["le"])
    if "gt" in b and clipped <= b["gt"]:
        clipped = base
    if "lt" in b and clipped >= b["lt"]:
        clipped = base
    note = f"{raw:g} clipped to {clipped:g}" if clipped != v else ""
    return clipped, note


def _parse_ranges(ranges: Any) -> dict[str, tuple[float, float]]:
    """Per-input (low, high) from a mapping key -> (low, high), rows (key, low, high) or (key, low, likely,
    high), or a DataFrame with columns key, low, high."""
    if ranges is None:
        return {}
    if isinstance(ranges, pd.DataFrame):
        cols = {str(c).strip().lower(): c for c in ranges.columns}
        if not {"key", "low", "high"} <= set(cols):
            raise CostModelError("ranges", "needs columns key, low, high")
        rows: Iterable[Any] = zip(ranges[cols["key"]], ranges[cols["low"]], ranges[cols["high"]])
    elif isinstance(ranges, Mapping):
        rows = ((k, *v) for k, v in ranges.items())
    else:
        rows = [(r[0], r[1], r[-1]) if len(r) == 4 else tuple(r) for r in ranges]
    out: dict[str, tuple[float, float]] = {}
    for row in rows:
        if len(row) != 3:
            raise CostModelError("ranges", f"each row must be key, low, high (got {row!r})")
        key = str(row[0]).strip().lower()
        if key not in SENSITIVITY_KEYS:
            near = closest(key, SENSITIVITY_KEYS, n=1)
            why = "is not a numeric input of the monthly cost" if key in SCENARIO_KEYS else "unknown key"
            raise CostModelError(key, why + (f"; did you mean {near[0]}?" if near and key not in SCENARIO_KEYS else ""))
        try:
            lo, hi = float(row[1]), float(row[2])
        except (TypeError, ValueError):
            raise CostModelError(key, f"low and high must be numbers (got {row[1]!r}, {row[2]!r})") from None
        if not (math.isfinite(lo) and math.isfinite(hi)) or lo > hi:
            raise CostModelError(key, f"needs finite low <= high (got {lo:g}, {hi:g})")
        for v in (lo, hi):
            check_value(key, v)  # raises naming the key
        if key in out:
            raise CostModelError(key, "is given twice in ranges")
        out[key] = (lo, hi)
    return out


def _scaled(plan: Plan, options: tuple[str, ...], factor: float) -> Plan:
    """The plan with ``seconds_per_request`` of ``options`` multiplied by ``factor`` (capacity / factor,
    per-second cost x factor): the same as typing that value in the scenario."""
    opts = dict(plan.options)
    for name in options:
        o = opts[name]
        opts[name] = dataclasses.replace(
            o,
            capacity=o.capacity / factor,
            variable=o.variable * factor,
            seconds_per_request=o.seconds_per_request * factor,
            replica_capacity=o.replica_capacity / factor,
            free_volume=o.free_volume / factor,
        )
    return dataclasses.replace(plan, options=opts)


def _evaluate(plan: Plan, shares: np.ndarray) -> dict[str, float]:
    costs = {name: float(cost_at(plan.options[name], plan.peak, plan.requests)[0]) for name in OPTIONS}
    out: dict[str, Any] = {f"{n}_cost": c for n, c in costs.items()}
    for h in HYBRIDS:  # the cheapest split at the swung inputs: N chosen again
        out[f"{h}_cost"] = float(hybrid_arrays(plan, h.removeprefix("hybrid_"), shares)["monthly_cost"][0])
    out["cheapest"] = str(cheapest_options(np.array([[costs[n]] for n in OPTIONS]))[0]) or None  # not NaN ones
    for a, b in PAIRS:
        out[f"breakeven_{a}_{b}"] = float(breakeven_arrays(plan.options[a], plan.options[b], plan.peak)[0])
    return out


def _check_swing(swing: Any) -> float:
    try:
        x = float(swing)
    except (TypeError, ValueError):
        raise CostModelError("swing", f"must be a number from 0 to below 1 (got {swing!r})") from None
    if not (0.0 <= x < 1.0):
        raise CostModelError("swing", f"must be a number from 0 to below 1, e.g. 0.25 for +-25% (got {swing!r})")
    return x


def sensitivity(
    s: Scenario | dict,
    swing: float = DEFAULT_SWING,
    ranges: Any = None,
    keys: Iterable[str] | None = None,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """One-at-a-time sensitivity of each option's monthly cost and the break-even volumes.

    Parameters
    ----------
    s : Scenario or mapping
        The base scenario, evaluated at its ``requests_per_month``.
    swing : float
        Relative swing, 0 <= swing < 1 (default 0.25: low = base x 0.75, high = base x 1.25).
    ranges : mapping, rows or DataFrame, optional
        Per-input (low, high) values that replace the swing for those keys: ``{key: (low, high)}``, rows
        ``(key, low, high)`` or ``(key, low, likely, high)``, or a DataFrame with columns key, low, high.
    keys : iterable of str, optional
        Restrict to these keys (default :data:`SENSITIVITY_KEYS`).

    Returns
    -------
    pandas.DataFrame
        One row per input, largest effect first. Columns: ``input`` (label), ``key``, ``base``, ``low``,
        ``high`` [the key's unit]; ``{option}_cost_low``, ``{option}_cost_high`` and ``{option}_change_low``,
        ``{option}_change_high`` [money/month; change = cost - base cost]; ``breakeven_{a}_{b}_low`` and
        ``_high`` [requests/month; NaN = no crossing]; ``cheapest_low``, ``cheapest_high``,
        ``flips_cheapest`` (either differs from the base's cheapest); ``size`` [money/month] = the largest
        absolute change of any of the three options' cost (the sort key); ``note`` (clipping, errors); then
        ``hybrid_cloud_cost_low``, ``_high``, ``hybrid_cloud_change_low``, ``_high`` and the same for
        ``hybrid_onprem`` [money/month]: the hybrid's cost with its replicas chosen again at the swung inputs
        (:mod:`costengine.hybrid_split`; the hybrids enter neither ``size`` nor ``cheapest``). ``attrs["base"]``
        holds the base costs (hybrids too), cheapest and break-evens.

    Notes
    -----
    ``change = cost(s with key = low or high) - cost(s)``; every other input stays at its base value.
    A swing that makes the scenario infeasible (e.g. too few GPUs for the model) leaves NaN in that row
    and says why in ``note``.
    """
    s = Scenario.parse(s)
    cat = catalog or load_catalog()
    sw = _check_swing(swing)
    given = _parse_ranges(ranges)
    if keys is None:
        wanted = list(SENSITIVITY_KEYS)
    else:
        wanted = [str(k).strip().lower() for k in keys]
        for k in wanted:
            if k not in SENSITIVITY_KEYS:
                raise CostModelError(k, "is not a numeric input of the monthly cost; see SENSITIVITY_KEYS")
    for k in given:
        if k not in wanted:
            wanted.append(k)
    base_plan = plan_for(s, cat)
    shares = np.array([profile_weights(s.load_profile)], dtype=float)
    base = _evaluate(base_plan, shares)

    rows = []
    for key in wanted:
        blank = getattr(s, key) is None
        if blank and key in _COUNTS_FROM_MEMORY:
            continue
        targets: list[tuple[str, tuple[str, ...], float | None]]
        if blank and key == "seconds_per_request":
            opts = base_plan.options
            sc, so = float(opts["cloud"].seconds_per_request[0]), float(opts["onprem"].seconds_per_request[0])
            if math.isclose(sc, so, rel_tol=1e-12):
                targets = [(key, ("cloud", "onprem"), sc)]
            else:
                targets = [(f"{key} (cloud)", ("cloud",), sc), (f"{key} (onprem)", ("onprem",), so)]
        else:
            targets = [(key, (), resolved_value(s, key, cat))]
        for label, scale_opts, value in targets:
            if value is None or not math.isfinite(value):
                continue
            rows.append(_row(s, cat, key, label, scale_opts, value, sw, given.get(key), base_plan, base, shares))
    df = pd.DataFrame(rows, columns=_COLUMNS)
    if len(df):
        df = df.sort_values("size", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
    df.attrs["base"] = base
    df.attrs["swing"] = sw
    return df


def _row(
    s: Scenario,
    cat: Catalog,
    key: str,
    label: str,
    scale_opts: tuple[str, ...],
    base_value: float,
    sw: float,
    explicit: tuple[float, float] | None,
    base_plan: Plan,
    base: dict[str, Any],
    shares: np.ndarray,
) -> dict[str, Any]:
    notes: list[str] = []
    if explicit is not None:
        lo, hi = explicit
    else:
        lo, n_lo = _swung(key, base_value, base_value * (1.0 - sw))
        hi, n_hi = _swung(key, base_value, base_value * (1.0 + sw))
        notes += [f"{side} {n}" for side, n in (("low", n_lo), ("high", n_hi)) if n]
    row: dict[str, Any] = {"input": label, "key": key, "base": base_value, "low": lo, "high": hi}
    for side, value in (("low", lo), ("high", hi)):
        try:
            if scale_opts:
                plan = _scaled(base_plan, scale_opts, value / base_value)
            else:
                plan = plan_for(s.replace(**{key: int(value) if _is_count(key) else value}), cat)
            res = _evaluate(plan, shares)
        except CostModelError as exc:
            notes.append(f"{side}: {exc}")
            res = (
                {f"{n}_cost": np.nan for n in (*OPTIONS, *HYBRIDS)}
                | {"cheapest": None}
                | {f"breakeven_{a}_{b}": np.nan for a, b in PAIRS}
            )
        for name in (*OPTIONS, *HYBRIDS):
            row[f"{name}_cost_{side}"] = res[f"{name}_cost"]
            row[f"{name}_change_{side}"] = res[f"{name}_cost"] - base[f"{name}_cost"]
        for a, b in PAIRS:
            row[f"breakeven_{a}_{b}_{side}"] = res[f"breakeven_{a}_{b}"]
        row[f"cheapest_{side}"] = res["cheapest"]
    row["flips_cheapest"] = any(row[f"cheapest_{side}"] not in (None, base["cheapest"]) for side in ("low", "high"))
    changes = [abs(row[f"{n}_change_{side}"]) for n in OPTIONS for side in ("low", "high")]
    finite = [c for c in changes if math.isfinite(c)]
    row["size"] = max(finite) if finite else np.nan
    row["note"] = "; ".join(notes)
    return row
