"""Many scenarios at once: :func:`sweep` evaluates a DataFrame of scenarios with numpy over columns.

The rows are validated into columns (:func:`costengine.columns.frame_columns`), resolved into one plan and
evaluated by the same piecewise-linear cost functions as the single-scenario API (:mod:`costengine.engine`);
large frames are split into chunks of rows evaluated on the machine's cores.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd

from .catalogs import Catalog, load_catalog
from .columns import frame_columns
from .crossing import MAX_VOLUME, PAIRS, breakeven_arrays
from .errors import CostModelError
from .hybrid_split import hybrid_arrays
from .plan import OPTIONS, cheapest_options, option_costs
from .problems import Problems
from .profiles import profile_weights
from .resolve import resolve
from .scenario import SCENARIO_KEYS

__all__ = ["sweep"]


def sweep(
    df: pd.DataFrame, catalog: Catalog | None = None, hybrid: bool = False, errors: str = "coerce"
) -> pd.DataFrame:
    """Evaluate many scenarios at once, vectorised over columns.

    ``df`` has one scenario per row, columns = scenario keys (missing columns and blank cells take the
    defaults; an optional ``name`` column is carried through). Returns the same rows plus
    ``api_monthly_cost``, ``cloud_monthly_cost``, ``onprem_monthly_cost`` [money/month], ``cheapest``,
    and ``breakeven_api_cloud``, ``breakeven_api_onprem``, ``breakeven_cloud_onprem``
    [requests/month; NaN where they never cross up to 1e12]. With ``hybrid``, also
    ``hybrid_cloud_monthly_cost``, ``hybrid_cloud_replicas``, ``hybrid_cloud_share`` and the same for onprem
    (:func:`costengine.engine.hybrid`). Agrees with the scalar functions.

    ``errors="coerce"`` (default): a row where an option cannot be served (not feasible: no layout meets the
    targets, the model does not fit, no offer...) or with a bad value gets NaN in the answer columns concerned
    (the option's cost, the break-evens with it, its hybrid; ``cheapest`` among the others, "" when none) and its
    reasons in a ``problems`` column ("" when none; "key: problem" for a bad value, "cloud: not feasible: reason"
    for an option; "; "-joined). ``errors="raise"``: raises :class:`CostModelError` naming the key and the
    first bad row (1-based) instead, with no ``problems`` column. See ``docs/model.md#infeasible-options``.
    """
    if errors not in ("coerce", "raise"):
        raise CostModelError("errors", f"must be coerce or raise (got {errors!r})")
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
            *(("problems",) if errors == "coerce" else ()),
        ):
            out[col] = pd.Series(dtype=object if col in ("cheapest", "problems") else float)
        return out
    problems = Problems(len(df), errors)
    cols = frame_columns(df, problems)
    catalog = catalog or load_catalog()
    n = len(df)
    # numpy releases the GIL on large arrays: evaluate chunks of rows on the machine's cores
    chunks = min(os.cpu_count() or 1, 8) if n >= _CHUNK_ROWS else 1
    bounds = np.linspace(0, n, chunks + 1).astype(int)
    parts = [(lo, hi) for lo, hi in zip(bounds[:-1], bounds[1:]) if hi > lo]
    if len(parts) == 1:
        results = [_evaluate(cols, catalog, 0, n, hybrid, problems)]
    else:
        with ThreadPoolExecutor(len(parts)) as pool:
            futures = [pool.submit(_evaluate, cols, catalog, lo, hi, hybrid, problems) for lo, hi in parts]
            results = [f.result() for f in futures]  # in row order: the first bad row's error is raised
    for k, name in enumerate(OPTIONS):
        out[f"{name}_monthly_cost"] = np.concatenate([r[0][k] for r in results])
    out["cheapest"] = cheapest_options(np.hstack([r[0] for r in results]))
    for j, (a, b) in enumerate(PAIRS):
        out[f"breakeven_{a}_{b}"] = np.concatenate([r[1][j] for r in results])
    if hybrid:
        for col in hybrid_cols:
            out[col] = np.concatenate([r[2][col] for r in results])
    if errors == "coerce":
        out["problems"] = np.concatenate([r[3] for r in results])
    return out


#: Sweeps of at least this many rows are split over the cores.
_CHUNK_ROWS = 100_000


def _evaluate(cols: dict[str, Any], catalog: Catalog, lo: int, hi: int, hybrid: bool, problems: Problems) -> tuple:
    """Costs (3, rows), the break-evens of each pair, (with ``hybrid``) the hybrid columns and the problems column
    for rows lo..hi-1 of the validated columns (``problems``: what validation marked, all rows)."""
    part = {k: v[lo:hi] for k, v in cols.items()}
    mine = problems.take(lo, hi)
    plan = resolve(part, catalog, rows=np.arange(lo + 1, hi + 1) if mine.mode == "raise" else None, problems=mine)
    costs = option_costs(plan, plan.requests)
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
    return costs, crossings, extra, mine.column()


def _profile_shares(profiles) -> np.ndarray:
    """The hourly shares (rows, 24) of a column of canonical load profiles ("" or None = the default)."""
    if isinstance(profiles, pd.Categorical):
        table = np.array([profile_weights(c or None) for c in profiles.categories], dtype=float)
        return table[profiles.codes]
    codes, uniques = pd.factorize(np.asarray(profiles, dtype=object), use_na_sentinel=False)
    table = np.array([profile_weights(u if isinstance(u, str) and u else None) for u in uniques], dtype=float)
    return table[codes]
