"""Bodies of the decision-analysis worksheet functions (see :mod:`addin.adapters` for the conventions).

The engine is :mod:`costengine.projection`, :mod:`costengine.sensitivity` and :mod:`costengine.uncertainty`;
this module only checks the Excel values and shapes the tables.
"""

from __future__ import annotations

from typing import Any

from costengine import CostModelError
from costengine import projection as proj
from costengine import sensitivity as sens
from costengine import uncertainty as unc

from . import cells
from .adapters import NONE, PROJECTION_HEADER, SAME_AS_API
from .cells import number, option, out, table, text

__all__ = ["projection", "payback_month", "sensitivity", "prob_cheapest", "SENSITIVITY_HEADER", "MAX_CELL_DRAWS"]

#: Most draws one LLM_PROB_CHEAPEST cell may ask for (about a quarter of a second and 100 MB; the Python API
#: allows :data:`costengine.uncertainty.MAX_DRAWS`).
MAX_CELL_DRAWS = 100_000

#: Columns of LLM_SENSITIVITY: the input, its base, low and high values [the key's unit], the change of each
#: option's monthly cost at low and high [money/month], whether the cheapest option changes, and notes.
SENSITIVITY_HEADER = [
    "input",
    "base",
    "low",
    "high",
    "api_change_low",
    "api_change_high",
    "cloud_change_low",
    "cloud_change_high",
    "onprem_change_low",
    "onprem_change_high",
    "flips_cheapest",
    "note",
    "hybrid_cloud_change_low",
    "hybrid_cloud_change_high",
    "hybrid_onprem_change_low",
    "hybrid_onprem_change_high",
]


def _view(value: Any) -> str:
    name = text(value, "view", "cash").lower().replace("amortized", "amortised")
    if name not in proj.VIEWS:
        raise CostModelError("view", f"must be one of {', '.join(proj.VIEWS)} (got {cells.fmt(value)})")
    return name


def projection(scenario: Any, view: Any = None) -> list[list[Any]]:
    """Month-by-month table; on-premises columns (the hybrid's too) in the ``cash`` (default) or ``amortised``
    view; the hybrids (self-hosted base load, API overflow) after the three options."""
    s = cells.scenario(scenario)
    v = _view(view)
    df = proj.projection(s)
    cash = "_cash" if v == "cash" else ""
    cols = [
        "month",
        "requests",
        "api",
        "cloud",
        f"onprem{cash}",
        "cumulative_api",
        "cumulative_cloud",
        f"cumulative_onprem{cash}",
        "hybrid_cloud",
        f"hybrid_onprem{cash}",
        "cumulative_hybrid_cloud",
        f"cumulative_hybrid_onprem{cash}",
    ]
    return table(PROJECTION_HEADER, df[cols].to_numpy(dtype=float).tolist())


def _projection_option(value: Any, name: str, default: str | None = None) -> str:
    """api, cloud, onprem, hybrid_cloud or hybrid_onprem (case-insensitive); blank = ``default`` if given."""
    value = cells._scalar(value, name)
    if cells._blank(value) and default is not None:
        return default
    return proj.check_projection_option(value, name)


def payback_month(scenario: Any, option_name: Any, versus: Any = None, view: Any = None) -> Any:
    """First month in which the option's cumulative cost is at most ``versus``'s, or ``"none"``."""
    s = cells.scenario(scenario)
    a = _projection_option(option_name, "option_name")
    b = _projection_option(versus, "versus", "api")
    if a == b:
        raise CostModelError("versus", f"must differ from option_name (both {a!r})")
    df = proj.projection(s)
    if proj.same_as_api(df, a) or proj.same_as_api(df, b):
        return SAME_AS_API
    month = proj.payback_month(s, a, b, _view(view))
    return NONE if month is None else out(month)


def sensitivity(scenario: Any, swing: Any = None) -> list[list[Any]]:
    """One-at-a-time sensitivity table, largest effect first (:func:`costengine.sensitivity.sensitivity`)."""
    s = cells.scenario(scenario)
    sw = number(swing, "swing", sens.DEFAULT_SWING, ge=0)
    df = sens.sensitivity(s, sw)
    return table(SENSITIVITY_HEADER, [list(r) for r in df[SENSITIVITY_HEADER].itertuples(index=False)])


def _range_rows(value: Any) -> list[tuple[Any, ...]]:
    """The rows of a key | low | likely | high range (further columns ignored), cells checked as in a scenario."""
    if (
        not isinstance(value, (list, tuple))
        or not value
        or not isinstance(value[0], (list, tuple))
        or max(len(r) if isinstance(r, (list, tuple)) else 1 for r in value) < 4
    ):
        raise CostModelError("ranges", "must be a range of 4 columns: key | low | likely | high")
    rows = []
    for i, r in enumerate(cells.used_rows(value), start=1):  # a whole-column reference: its used rows
        cells_ = (list(r) if isinstance(r, (list, tuple)) else [r]) + [None] * 4
        key = cells_[0]
        label = key.strip().lower() if isinstance(key, str) and key.strip() else "ranges"
        rows.append((key, *(cells.ranges_cell(v, label, i) for v in cells_[1:4])))
    return rows


def prob_cheapest(scenario: Any, ranges: Any, option_name: Any, draws: Any = None) -> float:
    """Probability [0..1] that the option is cheapest over draws of the ranges (seed 0: reproducible)."""
    s = cells.scenario(scenario)
    rows = _range_rows(ranges)
    opt = option(option_name, "option_name")
    n = number(draws, "draws", float(unc.DEFAULT_DRAWS), ge=1, le=MAX_CELL_DRAWS, whole=True)
    return out(unc.prob_cheapest(s, rows, opt, int(n)))
