"""The public calculation API: monthly cost, cost per request, break-even, cheapest, compare, curve, sweep.

All of them resolve the scenario once (:func:`plan_for`) and evaluate the piecewise-linear cost
functions of :mod:`costengine.plan`. ``sweep`` does the same for a DataFrame of scenarios with numpy
over columns.
"""

from __future__ import annotations

import functools
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .catalogs import Catalog, load_catalog
from .crossing import MAX_VOLUME, breakeven_arrays
from .errors import CostModelError
from .hybrid_split import hourly_split, hybrid_arrays
from .plan import OPTIONS, Plan, cost_at, replicas_at, units_at
from .profiles import profile_weights
from .resolve import resolve
from .rules import check_column
from .scenario import SCENARIO_KEYS, Scenario

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
    "check_option",
    "scenario_columns",
    "PAIRS",
]

#: Keys whose values are text.
TEXT_KEYS: frozenset[str] = frozenset(
    {
        "currency",
        "api_model",
        "model",
        "precision",
        "cloud_billing",
        "cloud_gpu",
        "onprem_gpu",
        "cloud_offer",
        "cloud_pricing",
        "onprem_server",
        "load_profile",
    }
)
#: The option pairs of the break-even columns, in order.
PAIRS: tuple[tuple[str, str], ...] = (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem"))


def check_option(option: Any, key: str = "option") -> str:
    """The option name (``api``, ``cloud`` or ``onprem``), case-insensitive; raises naming ``key``."""
    name = option.strip().lower().replace("-", "").replace("_", "") if isinstance(option, str) else None
    aliases = {"api": "api", "cloud": "cloud", "onprem": "onprem", "onpremises": "onprem", "onpremise": "onprem"}
    if name not in aliases:
        raise CostModelError(key, f"must be one of api, cloud, onprem (got {option!r})")
    return aliases[name]


#: Latency targets: "none" (0 in a Scenario) is +inf in columns (NaN would mean "blank, take the default").
TARGET_KEYS: frozenset[str] = frozenset({"max_ttft_s", "max_tpot_ms"})


def scenario_columns(s: Scenario) -> dict[str, np.ndarray]:
    """A scenario as one-row columns (NaN for blank numbers, "" for blank text, inf for no latency target)."""
    cols: dict[str, np.ndarray] = {}
    for k, v in s.model_dump().items():
        if k in TEXT_KEYS:
            cols[k] = np.array(["" if v is None else v], dtype=object)
        elif k in TARGET_KEYS:
            cols[k] = np.array([np.inf if not v else v], dtype=float)
        else:
            cols[k] = np.array([np.nan if v is None else v], dtype=float)
    return cols


@functools.lru_cache(maxsize=2048)
def _cached_plan(s: Scenario, catalog: Catalog) -> Plan:
    return resolve(scenario_columns(s), catalog)


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
    are equal from the lowest volumes.
    """
    a, b = check_option(option_a, "option_a"), check_option(option_b, "option_b")
    if a == b:
        raise CostModelError("option_b", f"must differ from option_a (both {a!r})")
    plan = plan_for(s, catalog)
    r = breakeven_arrays(plan.options[a], plan.options[b], plan.peak)[0]
    return None if np.isnan(r) else float(r)


def _costs(plan: Plan, requests) -> np.ndarray:
    """Monthly costs, shape (3, n) in OPTIONS order."""
    return np.vstack([cost_at(plan.options[o], plan.peak, requests) for o in OPTIONS])


def _cheapest_names(costs: np.ndarray) -> np.ndarray:
    # ties go to the first option in OPTIONS order (the simpler one to run)
    return np.array(OPTIONS, dtype=object)[np.argmin(costs, axis=0)]


def cheapest(s: Scenario | dict, requests_per_month: float | None = None, catalog: Catalog | None = None) -> str:
    """The cheapest option at the volume: ``"api"``, ``"cloud"`` or ``"onprem"`` (ties: in that order)."""
    s = Scenario.parse(s)
    plan = plan_for(s, catalog)
    return str(_cheapest_names(_costs(plan, _volume(s, requests_per_month)))[0])


def compare(
    s: Scenario | dict, requests_per_month: float | None = None, catalog: Catalog | None = None
) -> pd.DataFrame:
    """One row per option (index ``option``) with columns:

    ``monthly_cost`` [money/month], ``cost_per_request`` [money], ``cost_per_mtok`` [money/MTok of
    prompt + output], ``gpus`` (paid for) [count], ``replicas`` [count], ``utilization`` [0..1: busy share of the
    GPUs paid for; NaN for the API], ``gpus_per_replica`` [count], ``units`` (instances or servers bought; 0 for
    per-second billing) [count], ``batch`` [sequences], ``ttft_s`` [s], ``tpot_ms`` [ms/token] (NaN where
    seconds_per_request was typed), ``offer`` (cloud offer or server id; "" when priced from typed inputs).
    """
    s = Scenario.parse(s)
    plan = plan_for(s, catalog)
    r = _volume(s, requests_per_month)
    rows = []
    for name in OPTIONS:
        opt = plan.options[name]
        cost = float(cost_at(opt, plan.peak, r)[0])
        reps = float(replicas_at(opt, plan.peak, r)[0])
        units = float(units_at(opt, plan.peak, r)[0])
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
                "ttft_s": float(opt.ttft_s[0]),
                "tpot_ms": float(opt.tpot_s[0]) * 1000.0,
                "offer": str(opt.source[0]),
            }
        )
    return pd.DataFrame(rows).set_index("option")


def curve(
    s: Scenario | dict, start: float = 1e3, stop: float = 1e8, points: int = 50, catalog: Catalog | None = None
) -> pd.DataFrame:
    """Monthly cost of each option at ``points`` log-spaced volumes from ``start`` to ``stop``.

    Columns: ``requests_per_month``, ``api``, ``cloud``, ``onprem`` [money/month].
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


# --- sweep ----------------------------------------------------------------------------------------


def _sweep_columns(df: pd.DataFrame) -> dict[str, np.ndarray]:
    """Validate a DataFrame of scenarios column by column (vectorised) into resolution columns."""
    unknown = [c for c in df.columns if str(c).strip().lower() not in SCENARIO_KEYS and str(c) != "name"]
    if unknown:
        Scenario.parse({unknown[0]: None})  # raises with the closest key
    n = len(df)
    fields = Scenario.model_fields
    cols: dict[str, np.ndarray] = {}
    for key in SCENARIO_KEYS:
        default = fields[key].default
        series = df[key] if key in df.columns else None
        if key in TEXT_KEYS:
            blank = "" if default is None else default
            cols[key] = (
                pd.Categorical.from_codes(np.zeros(n, dtype=np.int8), categories=[blank])
                if series is None
                else _check_text(key, series, blank)
            )
            continue
        if key in TARGET_KEYS and series is not None and not pd.api.types.is_numeric_dtype(series):  # "none": 0
            text = series.astype(str).str.strip().str.lower()
            series = series.where(~text.isin(["none", "no", "off"]), 0.0)
        if series is None:
            # a read-only broadcast: no memory per row for a column the frame does not have
            cols[key] = np.broadcast_to(np.float64(np.nan if default is None else default), (n,))
            continue
        num = pd.to_numeric(series, errors="coerce").to_numpy(dtype=float)
        suspects = np.flatnonzero(np.isnan(num) & ~pd.isna(series).to_numpy())
        for j in suspects:
            v = series.iloc[j]
            if not (isinstance(v, str) and not v.strip()):
                raise CostModelError(key, f"must be a number (got {v!r}) (row {j + 1})")
        if default is not None:
            num = np.where(np.isnan(num), float(default), num)
        check_column(key, num)
        cols[key] = np.where(num == 0, np.inf, num) if key in TARGET_KEYS else num
    if "load_profile" in df.columns:  # a typed profile gives the peak where peak_to_average is blank
        from .profiles import peak_to_average_of

        typed = ~pd.isna(df["load_profile"]).to_numpy() & (df["load_profile"].astype(str).str.strip() != "").to_numpy()
        no_peak = (
            pd.isna(df["peak_to_average"]).to_numpy() if "peak_to_average" in df.columns else np.ones(n, dtype=bool)
        )
        rows = np.flatnonzero(typed & no_peak)
        if len(rows):
            lp = cols["load_profile"]
            peaks = np.array([peak_to_average_of(c or None) for c in lp.categories], dtype=float)
            peak = np.array(cols["peak_to_average"], dtype=float)
            peak[rows] = peaks[lp.codes[rows]]
            cols["peak_to_average"] = peak
    return cols


def _check_text(key: str, series: pd.Series, default: str) -> np.ndarray:
    """Validate a text column once per distinct value; blanks take the default."""
    # an object array factorizes faster than a str Series (a Categorical keeps its codes)
    values = series.array if isinstance(series.dtype, pd.CategoricalDtype) else series.to_numpy()
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    canon = []
    for u_i, u in enumerate(uniques):
        if isinstance(u, str) and not u.strip():
            canon.append(default)
            continue
        try:
            value = getattr(Scenario(**{key: u}), key)
            canon.append(default if value is None else value)
        except CostModelError as exc:
            j = int(np.flatnonzero(codes == u_i)[0])
            raise CostModelError(key, f"{exc.problem} (row {j + 1})") from None
    # a categorical keeps one copy per distinct value: later lookups factorize it for free
    canon.append(default)
    cat_codes, categories = pd.factorize(np.asarray(canon, dtype=object))
    return pd.Categorical.from_codes(cat_codes[codes], categories=categories)


def sweep(df: pd.DataFrame, catalog: Catalog | None = None, hybrid: bool = False) -> pd.DataFrame:
    """Evaluate many scenarios at once, vectorised over columns.

    ``df`` has one scenario per row, columns = scenario keys (missing columns and blank cells take the
    defaults; an optional ``name`` column is carried through). Returns the same rows plus
    ``api_monthly_cost``, ``cloud_monthly_cost``, ``onprem_monthly_cost`` [money/month], ``cheapest``,
    and ``breakeven_api_cloud``, ``breakeven_api_onprem``, ``breakeven_cloud_onprem``
    [requests/month; NaN where they never cross up to 1e12]. With ``hybrid``, also
    ``hybrid_cloud_monthly_cost``, ``hybrid_cloud_replicas``, ``hybrid_cloud_share`` and the same for onprem
    (:func:`hybrid`). Agrees with the scalar functions.

    Raises :class:`CostModelError` naming the key and the first bad row (1-based).
    """
    if not isinstance(df, pd.DataFrame):
        raise CostModelError("scenarios", f"must be a pandas DataFrame (got {type(df).__name__})")
    df = df.rename(columns=lambda c: str(c).strip().lower() if str(c).strip().lower() in SCENARIO_KEYS else c)
    out = df.copy(deep=False)  # copy-on-write: the new columns never reach the caller's frame
    hybrid_cols = [f"hybrid_{o}_{k}" for o in ("cloud", "onprem") for k in ("monthly_cost", "replicas", "share")]
    if len(df) == 0:
        for col in (
            "api_monthly_cost",
            "cloud_monthly_cost",
            "onprem_monthly_cost",
            "cheapest",
            *(f"breakeven_{a}_{b}" for a, b in PAIRS),
            *(hybrid_cols if hybrid else ()),
        ):
            out[col] = pd.Series(dtype=object if col == "cheapest" else float)
        return out
    cols = _sweep_columns(df)
    catalog = catalog or load_catalog()
    n = len(df)
    # numpy releases the GIL on large arrays: evaluate chunks of rows on the machine's cores
    chunks = min(os.cpu_count() or 1, 8) if n >= _CHUNK_ROWS else 1
    bounds = np.linspace(0, n, chunks + 1).astype(int)
    parts = [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]
    if len(parts) == 1:
        results = [_evaluate(cols, catalog, 0, n, hybrid)]
    else:
        with ThreadPoolExecutor(len(parts)) as pool:
            futures = [pool.submit(_evaluate, cols, catalog, lo, hi, hybrid) for lo, hi in parts]
            results = [f.result() for f in futures]  # in row order: the first bad row's error is raised
    for k, name in enumerate(OPTIONS):
        out[f"{name}_monthly_cost"] = np.concatenate([r[0][k] for r in results])
    out["cheapest"] = _cheapest_names(np.hstack([r[0] for r in results]))
    for j, (a, b) in enumerate(PAIRS):
        out[f"breakeven_{a}_{b}"] = np.concatenate([r[1][j] for r in results])
    if hybrid:
        for col in hybrid_cols:
            out[col] = np.concatenate([r[2][col] for r in results])
    return out


#: Sweeps of at least this many rows are split over the cores.
_CHUNK_ROWS = 100_000


def _evaluate(cols: dict[str, Any], catalog: Catalog, lo: int, hi: int, hybrid: bool = False) -> tuple:
    """Costs (3, rows), the break-evens of each pair and (with ``hybrid``) the hybrid columns for rows
    lo..hi-1 of the validated columns."""
    part = {k: v[lo:hi] for k, v in cols.items()}
    plan = resolve(part, catalog, rows=np.arange(lo + 1, hi + 1))
    costs = _costs(plan, plan.requests)
    crossings = [breakeven_arrays(plan.options[a], plan.options[b], plan.peak, MAX_VOLUME) for a, b in PAIRS]
    extra = {}
    if hybrid:
        shares = _profile_shares(part["load_profile"])
        for o in ("cloud", "onprem"):
            h = hybrid_arrays(plan, o, shares)
            extra.update(
                {
                    f"hybrid_{o}_monthly_cost": h["monthly_cost"],
                    f"hybrid_{o}_replicas": h["replicas"],
                    f"hybrid_{o}_share": h["self_hosted_share"],
                }
            )
    return costs, crossings, extra


def _profile_shares(profiles) -> np.ndarray:
    """The hourly shares (rows, 24) of a column of canonical load profiles ("" or None = the default)."""
    if isinstance(profiles, pd.Categorical):
        table = np.array([profile_weights(c or None) for c in profiles.categories], dtype=float)
        return table[profiles.codes]
    codes, uniques = pd.factorize(np.asarray(profiles, dtype=object), use_na_sentinel=False)
    table = np.array([profile_weights(u if isinstance(u, str) and u else None) for u in uniques], dtype=float)
    return table[codes]


def hybrid(
    s: Scenario | dict,
    option: str | None = None,
    requests_per_month: float | None = None,
    catalog: Catalog | None = None,
) -> dict[str, Any]:
    """Self-host the base load, send the overflow to the API (:mod:`costengine.hybrid_split`).

    ``option`` is cloud or onprem; None = the one whose hybrid is cheaper. Returns ``option``, ``replicas``
    [count], ``self_hosted_share`` [0..1 of requests], ``monthly_cost``, ``api_only``, ``self_hosted_only``
    [money/month], and ``hours``: the day's split, ``self_hosted`` and ``api`` requests per hour of the day
    [requests/month in that hour], 24 each.
    """
    s = Scenario.parse(s)
    plan = plan_for(s, catalog)
    r = _volume(s, requests_per_month)
    shares = np.array([profile_weights(s.load_profile)])
    names = ("cloud", "onprem") if option is None else (check_option(option, "option_name"),)
    if "api" in names:
        raise CostModelError("option_name", "must be cloud or onprem (the hybrid self-hosts part of the load)")
    results = {o: hybrid_arrays(plan, o, shares, r) for o in names}
    best = min(names, key=lambda o: float(results[o]["monthly_cost"][0]))  # ties: cloud first
    h = {k: float(v[0]) for k, v in results[best].items() if k != "units"}
    o = plan.options[best]
    split = hourly_split(r, shares[0], h["replicas"], float(o.replica_capacity[0]))
    if h["self_hosted_share"] == 1.0 and h["monthly_cost"] == h["self_hosted_only"]:
        split = {"hour": split["hour"], "self_hosted": list(r * shares[0]), "api": [0.0] * 24}
    return {"option": best, **h, "hours": split}
