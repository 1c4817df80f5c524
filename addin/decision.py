"""Bodies of the decision-analysis worksheet functions (projection, payback; see :mod:`addin.adapters`).

The engine is :mod:`costengine.projection`; this module only checks the Excel values and shapes tables.
"""

from __future__ import annotations

from typing import Any

from costengine import CostModelError
from costengine import projection as proj

from . import cells
from .adapters import NONE, PROJECTION_HEADER
from .cells import option, out, table, text

__all__ = ["projection", "payback_month"]


def _view(value: Any) -> str:
    name = text(value, "view", "cash").lower().replace("amortized", "amortised")
    if name not in proj.VIEWS:
        raise CostModelError("view", f"must be one of {', '.join(proj.VIEWS)} (got {cells.fmt(value)})")
    return name


def projection(scenario: Any, view: Any = None) -> list[list[Any]]:
    """Month-by-month table; on-premises columns in the ``cash`` (default) or ``amortised`` view."""
    s = cells.scenario(scenario)
    v = _view(view)
    df = proj.projection(s)
    onprem, cumulative = ("onprem_cash", "cumulative_onprem_cash") if v == "cash" else ("onprem", "cumulative_onprem")
    cols = ["month", "requests", "api", "cloud", onprem, "cumulative_api", "cumulative_cloud", cumulative]
    return table(PROJECTION_HEADER, df[cols].to_numpy(dtype=float).tolist())


def payback_month(scenario: Any, option_name: Any, versus: Any = None, view: Any = None) -> Any:
    """First month in which the option's cumulative cost is at most ``versus``'s, or ``"none"``."""
    s = cells.scenario(scenario)
    a = option(option_name, "option_name")
    b = option(versus, "versus", "api")
    if a == b:
        raise CostModelError("versus", f"must differ from option_name (both {a!r})")
    month = proj.payback_month(s, a, b, _view(view))
    return NONE if month is None else out(month)
