"""Uncertainty: ranges (low, likely, high) for uncertain inputs, many draws, and the odds of each answer.

Each uncertain input is drawn independently from a triangular distribution with its low, likely (mode)
and high values; every other input keeps the scenario's value. The N drawn scenarios are one DataFrame of
N rows evaluated at once by the vectorised :func:`costengine.sweep` (no Python loop per draw). The result
is the probability that each option is the cheapest and percentiles of each option's monthly cost at the
scenario's volume (or at the drawn volume when ``requests_per_month`` has a range).

A range is ``(key, low, likely, high)`` with ``low <= likely <= high`` in the key's unit; ``low == high``
fixes the key. Whole-number keys (``min_replicas``, GPU counts, ...) round each draw to the nearest whole
number. Draws are reproducible: the same ``seed`` gives the same draws (numpy ``Generator``, PCG64); the
default seed is 0 so that a workbook recalculates to the same figures; pass ``seed=None`` for fresh draws.

The sampling error of a probability p estimated from N draws is about ``sqrt(p * (1 - p) / N)``
(at most 0.005 with the default 10,000 draws). See ``docs/model.md#uncertainty``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from .catalogs import Catalog
from .columns import TEXT_KEYS
from .engine import OPTIONS, check_option
from .errors import CostModelError, closest
from .rules import check_value
from .rules import is_whole as _is_count
from .scenario import SCENARIO_KEYS, Scenario
from .sweeps import sweep

__all__ = [
    "DEFAULT_DRAWS",
    "MAX_DRAWS",
    "RANGE_COLUMNS",
    "parse_ranges",
    "triangular",
    "draw_scenarios",
    "simulate",
    "uncertainty",
    "prob_cheapest",
]

#: Default number of draws.
DEFAULT_DRAWS = 10_000
#: Most draws in one call (memory: about 1 kB per draw).
MAX_DRAWS = 1_000_000
#: Columns of a ranges table.
RANGE_COLUMNS: tuple[str, ...] = ("key", "low", "likely", "high")


def _range_rows(ranges: Any) -> list[tuple[Any, ...]]:
    if ranges is None:
        return []
    if isinstance(ranges, pd.DataFrame):
        cols = {str(c).strip().lower(): c for c in ranges.columns}
        if set(RANGE_COLUMNS) <= set(cols):
            return list(zip(*(ranges[cols[c]] for c in RANGE_COLUMNS)))
        if ranges.shape[1] == 4:
            return [tuple(r) for r in ranges.itertuples(index=False)]
        raise CostModelError("ranges", "needs columns key, low, likely, high")
    if isinstance(ranges, Mapping):
        return [(k, *v) if isinstance(v, (list, tuple)) else (k, v) for k, v in ranges.items()]
    if isinstance(ranges, (str, bytes)) or not hasattr(ranges, "__iter__"):
        raise CostModelError("ranges", f"must be a table of key, low, likely, high (got {type(ranges).__name__})")
    rows = [tuple(r) if isinstance(r, (list, tuple)) else (r,) for r in ranges]
    if rows and isinstance(rows[0][0], str) and rows[0][0].strip().lower() == "key":
        rows = rows[1:]  # a header row, as an Excel range often has
    return rows


def parse_ranges(ranges: Any) -> list[tuple[str, float, float, float]]:
    """Validated ranges as ``(key, low, likely, high)`` tuples.

    ``ranges`` is rows ``(key, low, likely, high)`` (a first row starting with ``key`` is a header and is
    skipped), a DataFrame with columns key, low, likely, high, or a mapping ``key -> (low, likely, high)``.
    Raises :class:`CostModelError` naming the key for an unknown or text key, a value that is not a number
    or breaks the key's bounds, ``low > likely`` or ``likely > high``, or a key given twice.
    """
    out: list[tuple[str, float, float, float]] = []
    seen: set[str] = set()
    for row in _range_rows(ranges):
        if len(row) == 0 or row[0] is None or (isinstance(row[0], str) and not row[0].strip()):
            if all(v is None or (isinstance(v, float) and math.isnan(v)) for v in row[1:]):
                continue  # an empty row of an Excel range
            raise CostModelError("ranges", f"a row has no key (got {row!r})")
        key = str(row[0]).strip().lower()
        if key not in SCENARIO_KEYS:
            near = closest(key, SCENARIO_KEYS, n=1)
            raise CostModelError(key, "unknown key" + (f"; did you mean {near[0]}?" if near else ""))
        if key in TEXT_KEYS:
            raise CostModelError(key, "is a text key; ranges take numeric keys only")
        if len(row) != 4:
            raise CostModelError(key, f"needs low, likely, high (got {len(row) - 1} values)")
        vals = []
        for name, v in zip(RANGE_COLUMNS[1:], row[1:]):
            try:
                x = float(v)
            except (TypeError, ValueError):
                raise CostModelError(key, f"{name} must be a number (got {v!r})") from None
            if not math.isfinite(x):
                raise CostModelError(key, f"{name} must be a finite number (got {v!r})")
            vals.append(x)
        lo, likely, hi = vals
        if lo > likely:
            raise CostModelError(key, f"low must be <= likely (got low {lo:g} > likely {likely:g})")
        if likely > hi:
            raise CostModelError(key, f"likely must be <= high (got likely {likely:g} > high {hi:g})")
        for x in (lo, hi):
            check_value(key, x)  # bounds; raises naming the key
        if key in seen:
            raise CostModelError(key, "is given twice in ranges")
        seen.add(key)
        out.append((key, lo, likely, hi))
    return out


def triangular(u: np.ndarray, low: float, likely: float, high: float) -> np.ndarray:
    """Triangular draws from uniform numbers ``u`` in [0, 1) by the inverse CDF.

    Notes
    -----
    With a = low, c = likely, b = high and ``F_c = (c - a) / (b - a)``::

        x = a + sqrt(u * (b - a) * (c - a))          for u < F_c
        x = b - sqrt((1 - u) * (b - a) * (b - c))    otherwise

    and ``x = a`` when ``a == b`` (a fixed value; numpy's own triangular refuses that case).

    Examples
    --------
    >>> triangular(np.array([0.0, 0.5, 0.999999]), 0.0, 1.0, 2.0).round(3).tolist()
    [0.0, 1.0, 1.999]
    """
    u = np.asarray(u, dtype=float)
    width = high - low
    if width == 0:
        return np.full(u.shape, float(low))
    fc = (likely - low) / width
    left = low + np.sqrt(u * width * (likely - low))
    right = high - np.sqrt((1.0 - u) * width * (high - likely))
    return np.where(u < fc, left, right)


def _check_draws(draws: Any) -> int:
    try:
        n = float(draws)
    except (TypeError, ValueError):
        raise CostModelError("draws", f"must be a whole number from 1 to {MAX_DRAWS} (got {draws!r})") from None
    if not (math.isfinite(n) and n == int(n) and 1 <= n <= MAX_DRAWS):
        raise CostModelError("draws", f"must be a whole number from 1 to {MAX_DRAWS} (got {draws!r})")
    return int(n)


def draw_scenarios(
    s: Scenario | dict, ranges: Any, draws: int = DEFAULT_DRAWS, seed: int | np.random.Generator | None = 0
) -> pd.DataFrame:
    """N scenarios, one per row, for :func:`costengine.sweep`.

    Columns: every key whose value differs from the default (the scenario's own values, constant) and
    every key of ``ranges`` (the draws, in the key's unit). Keys of ``ranges`` are drawn in the order
    given, one uniform array of length N each, from ``numpy.random.default_rng(seed)``.
    """
    s = Scenario.parse(s)
    rows = parse_ranges(ranges)
    n = _check_draws(draws)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    fields = Scenario.model_fields
    cols: dict[str, Any] = {}
    for key, value in s.model_dump().items():
        if value is not None and value != fields[key].default:
            cols[key] = np.full(n, value, dtype=object if key in TEXT_KEYS else float)
    for key, lo, likely, hi in rows:
        x = triangular(rng.random(n), lo, likely, hi)
        cols[key] = np.rint(x) if _is_count(key) else x
    if not cols:
        cols["requests_per_month"] = np.full(n, float(s.requests_per_month))
    return pd.DataFrame(cols)


def simulate(
    s: Scenario | dict,
    ranges: Any,
    draws: int = DEFAULT_DRAWS,
    seed: int | np.random.Generator | None = 0,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """The drawn scenarios evaluated by :func:`costengine.sweep`: N rows with the drawn inputs and
    ``api_monthly_cost``, ``cloud_monthly_cost``, ``onprem_monthly_cost`` [money/month], ``cheapest`` and
    the break-even columns [requests/month]."""
    return sweep(draw_scenarios(s, ranges, draws, seed), catalog)


def uncertainty(
    s: Scenario | dict,
    ranges: Any,
    draws: int = DEFAULT_DRAWS,
    seed: int | np.random.Generator | None = 0,
    catalog: Catalog | None = None,
) -> pd.DataFrame:
    """Probability that each option is cheapest and percentiles of its monthly cost over N draws.

    Parameters
    ----------
    s : Scenario or mapping
        The scenario; keys without a range keep its values.
    ranges : table
        ``(key, low, likely, high)`` rows, a DataFrame or a mapping (see :func:`parse_ranges`).
    draws : int
        Number of draws N (1 to 1,000,000; default 10,000).
    seed : int, numpy Generator or None
        Seed of the draws (default 0: reproducible); None draws fresh numbers.

    Returns
    -------
    pandas.DataFrame
        Index ``option``; columns ``prob_cheapest`` [0..1; ties go to the first of api, cloud, onprem, as in
        :func:`costengine.cheapest`], ``cost_p5``, ``cost_p50``, ``cost_p95``, ``cost_mean`` [money/month] over
        the draws where the option can be served (NaN when it can be in none).
        ``attrs`` holds ``draws``, ``seed`` and the parsed ``ranges``.

    Notes
    -----
    ``prob_cheapest(o) = #{draws where o is cheapest} / N``; percentiles by linear interpolation
    (``numpy.percentile``, default method).
    """
    sim = simulate(s, ranges, draws, seed, catalog)
    n = len(sim)
    counts = sim["cheapest"].value_counts()
    rows = []
    for name in OPTIONS:
        cost = sim[f"{name}_monthly_cost"].to_numpy(dtype=float)
        cost = cost[~np.isnan(cost)]  # the draws where the option can be served (NaN: not feasible)
        if not len(cost):
            cost = np.full(1, np.nan)
        p5, p50, p95 = np.percentile(cost, [5, 50, 95])
        rows.append(
            {
                "option": name,
                "prob_cheapest": float(counts.get(name, 0)) / n,
                "cost_p5": p5,
                "cost_p50": p50,
                "cost_p95": p95,
                "cost_mean": float(cost.mean()),
            }
        )
    out = pd.DataFrame(rows).set_index("option")
    out.attrs.update(
        draws=n, seed=seed if not isinstance(seed, np.random.Generator) else "generator", ranges=parse_ranges(ranges)
    )
    return out


def prob_cheapest(
    s: Scenario | dict,
    ranges: Any,
    option: str,
    draws: int = DEFAULT_DRAWS,
    seed: int | np.random.Generator | None = 0,
    catalog: Catalog | None = None,
) -> float:
    """Probability [0..1] that ``option`` is the cheapest over ``draws`` draws of ``ranges``.

    See :func:`uncertainty` for the arguments; ``option`` is ``"api"``, ``"cloud"`` or ``"onprem"``.
    """
    opt = check_option(option)
    return float(uncertainty(s, ranges, draws, seed, catalog).loc[opt, "prob_cheapest"])
