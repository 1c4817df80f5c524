"""costengine: API, cloud or on-premises? The cost model behind the Excel functions, workbooks and CLI.

Pure calculation: no Excel, no file writes. The model's equations, units and sources: ``docs/model.md``.

>>> from costengine import Scenario, monthly_cost, breakeven
>>> s = Scenario(requests_per_month=1_000_000, seconds_per_request=2)
"""

from .catalogs import GPU, Catalog, OpenModel, TokenPrice, load_catalog, token_price
from .engine import (
    OPTIONS,
    breakeven,
    cheapest,
    compare,
    cost_per_request,
    curve,
    hybrid,
    monthly_cost,
    plan_for,
    recommend,
    sweep,
)
from .errors import CostModelError, Infeasible
from .projection import decision_summary, npv, payback_month
from .scenario import SCENARIO_KEYS, Scenario, key_info
from .uncertainty import prob_cheapest, simulate
from .verdict import horizon_verdict

__all__ = [
    "Scenario",
    "SCENARIO_KEYS",
    "key_info",
    "CostModelError",
    "Infeasible",
    "OPTIONS",
    "monthly_cost",
    "cost_per_request",
    "breakeven",
    "cheapest",
    "compare",
    "curve",
    "sweep",
    "hybrid",
    "recommend",
    "plan_for",
    "Catalog",
    "GPU",
    "OpenModel",
    "TokenPrice",
    "load_catalog",
    "token_price",
    # decision analysis; the tables are costengine.projection.projection, costengine.sensitivity.sensitivity
    # and costengine.uncertainty.uncertainty (the submodules keep their names)
    "payback_month",
    "npv",
    "decision_summary",
    "horizon_verdict",
    "prob_cheapest",
    "simulate",
]
