"""The answer over the horizon: which option costs least over ``horizon_months`` as the volume grows by
``growth_rate_monthly``, by net present value at ``discount_rate_annual`` (``docs/model.md#horizon-verdict``).

The month's answer (:func:`costengine.recommend`) prices one month at the scenario's volume; a finance reader
decides over years, with the volume growing and servers bought once. The horizon's answer ranks the five options
of :func:`costengine.projection.decision_summary` (api, cloud, onprem, hybrid_cloud, hybrid_onprem) by NPV, the
on-premises ones in the cash view (capex paid in the month servers are bought: the flows a budget pays). Ties go
to the first of that order (the simpler one to run); an option that cannot be served is left out.
"""

from __future__ import annotations

import math
from typing import Any

from .catalogs import Catalog
from .errors import CostModelError
from .projection import PROJECTION_OPTIONS, decision_summary
from .scenario import Scenario

__all__ = ["horizon_verdict", "HORIZON_COLUMNS"]

#: The NPV column of each option that the horizon's answer ranks (on premises: the cash view).
HORIZON_COLUMNS: dict[str, str] = {
    "api": "npv",
    "cloud": "npv",
    "onprem": "npv_cash",
    "hybrid_cloud": "npv",
    "hybrid_onprem": "npv_cash",
}


def horizon_verdict(s: Scenario | dict, catalog: Catalog | None = None) -> dict[str, Any]:
    """The option with the lowest net present value over the horizon.

    Returns ``option`` ("" when none can be costed), ``npv`` [money], ``npvs`` (option -> NPV [money], NaN where
    not feasible), ``months``, and ``text`` (one line for people: the ranking with each NPV, leaving out a hybrid
    that self-hosts nothing in any month: it is the API).
    """
    s = Scenario.parse(s)
    try:
        summary = decision_summary(s, catalog)
    except CostModelError as exc:  # the projection cannot be made (e.g. the volume overflows)
        return {"option": "", "npv": math.nan, "npvs": {}, "months": s.horizon_months, "text": str(exc)}
    npvs = {o: float(summary.loc[o, HORIZON_COLUMNS[o]]) for o in PROJECTION_OPTIONS}
    ranked = sorted((o for o in PROJECTION_OPTIONS if math.isfinite(npvs[o])), key=lambda o: npvs[o])
    # sorted() is stable: ties keep PROJECTION_OPTIONS' order
    head = (
        f"over {s.horizon_months} months (volume {s.growth_rate_monthly:+.1%}/month, NPV at "
        f"{s.discount_rate_annual:.1%}/year, on premises in cash)"
    )
    if not ranked:
        return {"option": "", "npv": math.nan, "npvs": npvs, "months": s.horizon_months, "text": f"{head}: none"}
    best = ranked[0]
    shown = [
        o for o in ranked if not bool(summary.loc[o, "same_as_api"])
    ]  # a hybrid that self-hosts nothing is the API
    order = ", ".join(f"{o} {npvs[o]:,.0f}" for o in shown)
    return {
        "option": best,
        "npv": npvs[best],
        "npvs": npvs,
        "months": s.horizon_months,
        "text": f"{head}: {best} ({order} {s.currency})",
    }
