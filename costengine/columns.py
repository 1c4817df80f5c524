"""Scenarios as columns: the form :func:`costengine.resolve.resolve` reads, one array per scenario key.

One scenario (:func:`scenario_columns`: arrays of length 1) or a DataFrame of scenarios (:func:`frame_columns`,
validated column by column, vectorised). Blank numbers are NaN (take the default, or derive), blank text is "",
and a latency target of "none" is +inf (NaN would mean "blank, take the default").
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import CostModelError
from .problems import Problems
from .profiles import peak_to_average_of
from .rules import check_column
from .scenario import SCENARIO_KEYS, Scenario
from .workloads import workload_targets

__all__ = ["TEXT_KEYS", "TARGET_KEYS", "scenario_columns", "frame_columns"]

#: Keys whose values are text.
TEXT_KEYS: frozenset[str] = frozenset(
    {
        "currency",
        "api_model",
        "model",
        "precision",
        "cloud_billing",
        "redundancy",
        "cloud_region",
        "cloud_tier",
        "api_service_tier",
        "cloud_gpu",
        "onprem_gpu",
        "cloud_offer",
        "cloud_pricing",
        "onprem_server",
        "load_profile",
        "workload",
    }
)

#: Latency targets: "none" (0 in a Scenario) is +inf in columns; a blank takes the workload's target
#: (:data:`costengine.workloads.WORKLOADS`; batch work: +inf).
TARGET_KEYS: frozenset[str] = frozenset({"max_ttft_s", "max_tpot_ms"})


def scenario_columns(s: Scenario) -> dict[str, np.ndarray]:
    """A scenario as one-row columns (NaN for blank numbers, "" for blank text, inf for no latency target)."""
    cols: dict[str, np.ndarray] = {}
    targets = dict(zip(("max_ttft_s", "max_tpot_ms"), s.targets()))
    for k, v in s.model_dump().items():
        if k in TEXT_KEYS:
            cols[k] = np.array(["" if v is None else v], dtype=object)
        elif k in TARGET_KEYS:
            cols[k] = np.array([targets[k] or np.inf], dtype=float)
        else:
            cols[k] = np.array([np.nan if v is None else v], dtype=float)
    return cols


def frame_columns(df: pd.DataFrame, problems: Problems | None = None) -> dict[str, np.ndarray]:
    """Validate a DataFrame of scenarios column by column (vectorised) into resolution columns.

    A bad value raises naming the key and its row, unless ``problems`` is in mode "coerce": then the value is
    marked there (:meth:`~costengine.problems.Problems.bad_value`) and replaced by the key's default."""
    coerce = problems is not None and problems.mode == "coerce"
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
                else _check_text(key, series, blank, problems if coerce else None)
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
                if not coerce:
                    raise CostModelError(key, f"must be a number (got {v!r}) (row {j + 1})")
                problems.bad_value(key, j, f"must be a number (got {v!r})")
        if default is not None:
            num = np.where(np.isnan(num), float(default), num)
        if coerce:
            num = num.copy()

            def bad_rows(idx, texts, key=key, num=num, default=default):
                problems.bad_value(key, idx, texts)
                num[idx] = np.nan if default is None else float(default)

            check_column(key, num, bad_rows)
        else:
            check_column(key, num)
        cols[key] = np.where(num == 0, np.inf, num) if key in TARGET_KEYS else num
    if "load_profile" in df.columns:  # a typed profile gives the peak where peak_to_average is blank
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
    _workload_targets(cols)
    return cols


def _workload_targets(cols: dict[str, np.ndarray]) -> None:
    """Blank latency targets (NaN) take the row's workload's (:func:`costengine.workloads.workload_targets`; 0, no
    target, is +inf), once per distinct workload."""
    wl = cols["workload"]
    for i, key in enumerate(("max_ttft_s", "max_tpot_ms")):
        num = cols[key]
        blank = np.isnan(num)
        if not blank.any():
            continue
        per_kind = np.array([workload_targets(c)[i] or np.inf for c in wl.categories], dtype=float)
        if blank.all() and len(per_kind) == 1:  # one kind, nothing typed: a read-only broadcast
            cols[key] = np.broadcast_to(per_kind[0], num.shape)
        else:
            cols[key] = np.where(blank, per_kind[wl.codes], num)


def _check_text(key: str, series: pd.Series, default: str, problems: Problems | None = None) -> np.ndarray:
    """Validate a text column once per distinct value; blanks take the default. A bad value raises naming the key
    and its first row, or (``problems`` given) is marked on its rows and replaced by the default."""
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
            if problems is not None:
                problems.bad_value(key, np.flatnonzero(codes == u_i), exc.problem)
                canon.append(default)
                continue
            j = int(np.flatnonzero(codes == u_i)[0])
            raise CostModelError(key, f"{exc.problem} (row {j + 1})") from None
    # a categorical keeps one copy per distinct value: later lookups factorize it for free
    canon.append(default)
    cat_codes, categories = pd.factorize(np.asarray(canon, dtype=object))
    return pd.Categorical.from_codes(cat_codes[codes], categories=categories)
