"""Projection: each option's cost month by month as volume grows, cumulative cost, payback month and NPV.

Volume in month t (t = 1 .. horizon_months) [requests/month]::

    R_t = requests_per_month * (1 + growth_rate_monthly) ** (t - 1)

Each month is costed with the piecewise-linear cost functions of :mod:`costengine.plan`:

- **api**: ``fixed + variable * R_t``.
- **cloud**: rented replicas follow demand, ``replicas_t = max(min_replicas, ceil(R_t * peak / capacity))``,
  added when capacity runs out and released when volume falls; ``cost = fixed + variable * R_t + step * replicas_t``.
- **onprem**: servers are bought when first needed and never sold, so the installed count is the running
  maximum ``N_t = max(N_{t-1}, servers needed at R_t)`` with ``N_0 = 0`` (month 1 buys the initial servers,
  at least ``min_replicas``). Two views of the same fleet:

  * *amortised view* (columns ``onprem``, ``cumulative_onprem``): ``staff + N_t * (capital + energy +
    maintenance)`` per month, the per-server charge of the single-month model (capex / amortisation months,
    or the annuity when ``onprem_interest_rate > 0``; 0 when amortisation months is 0). It is the steady cost
    of keeping the fleet, servers being renewed at the end of their life; with no growth every month equals
    :func:`costengine.monthly_cost`.
  * *cash view* (columns ``onprem_capex``, ``onprem_running``, ``onprem_cash``, ``cumulative_onprem_cash``):
    ``capex_per_server * (N_t - N_{t-1})`` paid in the month the count rises, plus ``staff + N_t * (energy +
    maintenance)``. Capex is paid in cash (``onprem_interest_rate`` and ``onprem_amortization_months`` do not
    apply) and servers are not replaced within the horizon.

Discounting (:func:`npv`): the annual rate r becomes the monthly rate ``i = (1 + r) ** (1/12) - 1``; the
cost of month t is paid at the end of month t and discounted by ``(1 + i) ** t``, so month 1 is discounted
by one month (end-of-period convention; ``numpy_financial.npv(i, [0, C_1, ..., C_H])`` gives the same).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .catalogs import Catalog
from .engine import OPTIONS, check_option, plan_for
from .errors import CostModelError
from .plan import cost_at, replicas_at, units_at
from .rules import payback_month_of
from .scenario import Scenario

__all__ = ["VIEWS", "PROJECTION_UNITS", "projection", "payback_month", "npv", "decision_summary",
           "monthly_discount_rate", "onprem_cash_terms"]

#: The two views of on-premises cost (see the module docstring).
VIEWS: tuple[str, ...] = ("cash", "amortised")

#: Unit of each column of :func:`projection` (also in ``DataFrame.attrs["units"]``).
PROJECTION_UNITS: dict[str, str] = {
    "month": "month number, 1 = first month",
    "requests": "requests/month",
    "api": "money/month", "cloud": "money/month", "onprem": "money/month (amortised view)",
    "cloud_replicas": "count", "onprem_servers": "count (installed)", "onprem_servers_added": "count",
    "onprem_capex": "money/month (cash view)", "onprem_running": "money/month (cash view)",
    "onprem_cash": "money/month (cash view)",
    "cumulative_api": "money", "cumulative_cloud": "money", "cumulative_onprem": "money (amortised view)",
    "cumulative_onprem_cash": "money (cash view)",
    "discount_factor": "ratio, 1 / (1 + i)^month",
}


def monthly_discount_rate(annual_rate: float) -> float:
    """Monthly rate equivalent to an annual one [per month].

    Notes
    -----
    ``i = (1 + r) ** (1 / 12) - 1`` (compound, so twelve months at i make one year at r).

    Examples
    --------
    >>> round(monthly_discount_rate(0.08), 6)
    0.006434
    """
    return float((1.0 + annual_rate) ** (1.0 / 12.0) - 1.0)


def onprem_cash_terms(s: Scenario | dict, catalog: Catalog | None = None) -> tuple[float, float]:
    """Capex per server [money] and running cost per server [money/month] (energy + maintenance).

    Taken from the resolved plan so that blanks are filled exactly as in the single-month model:
    the per-server step with ``onprem_amortization_months = 0`` is energy + maintenance, and with one
    amortisation month at zero interest it is capex + energy + maintenance. A capex typed in the scenario
    is used as given.
    """
    s = Scenario.parse(s)
    zero = plan_for(s.replace(onprem_amortization_months=0), catalog).options["onprem"]
    running = float(zero.step[0] / zero.nodes_per_unit[0])  # per server (a unit may span several servers)
    if s.onprem_capex_per_server is not None:
        return float(s.onprem_capex_per_server), running
    one = plan_for(s.replace(onprem_amortization_months=1, onprem_interest_rate=0.0), catalog).options["onprem"]
    return float(one.step[0] / one.nodes_per_unit[0]) - running, running


def projection(s: Scenario | dict, catalog: Catalog | None = None) -> pd.DataFrame:
    """Month-by-month cost of each option over ``horizon_months`` with volume growing at ``growth_rate_monthly``.

    Parameters
    ----------
    s : Scenario or mapping
        The scenario; uses ``requests_per_month`` (month 1), ``growth_rate_monthly`` [fraction/month],
        ``horizon_months`` [months] and ``discount_rate_annual`` [per year].
    catalog : Catalog, optional
        Catalogs to fill blanks from (default: the shipped ones).

    Returns
    -------
    pandas.DataFrame
        One row per month, columns (units in ``attrs["units"]`` and :data:`PROJECTION_UNITS`):
        ``month``, ``requests`` [requests/month], ``api``, ``cloud``, ``onprem`` [money/month; onprem in the
        amortised view], ``cloud_replicas``, ``onprem_servers`` (installed), ``onprem_servers_added`` [count],
        ``onprem_capex``, ``onprem_running``, ``onprem_cash`` [money/month; cash view],
        ``cumulative_api``, ``cumulative_cloud``, ``cumulative_onprem``, ``cumulative_onprem_cash`` [money],
        ``discount_factor`` [ratio].

    Notes
    -----
    ``R_t = R * (1 + g) ** (t - 1)``; cloud replicas follow demand; on-prem servers installed
    ``N_t = max(N_{t-1}, needed_t)``; cash view pays ``capex * (N_t - N_{t-1})`` in month t.
    See the module docstring for both on-premises views.

    Examples
    --------
    >>> s = Scenario(requests_per_month=1000, api_input_price_per_mtok=1, api_output_price_per_mtok=1,
    ...              prompt_tokens=500, output_tokens=500, seconds_per_request=1, horizon_months=3)
    >>> projection(s)["api"].tolist()        # 1000 requests x 1000 tokens x 1/MTok = 1.0 a month
    [1.0, 1.0, 1.0]
    """
    s = Scenario.parse(s)
    plan = plan_for(s, catalog)
    months = np.arange(1, s.horizon_months + 1)
    with np.errstate(over="ignore"):
        requests = s.requests_per_month * (1.0 + s.growth_rate_monthly) ** (months - 1)
    if not np.isfinite(requests[-1]):
        raise CostModelError("growth_rate_monthly", f"makes the volume overflow within {s.horizon_months} months "
                             f"({s.requests_per_month:g} x (1 + {s.growth_rate_monthly:g})^{s.horizon_months - 1}); "
                             "lower it or shorten horizon_months")
    out: dict[str, np.ndarray] = {"month": months, "requests": requests}
    for name in OPTIONS:
        if name != "onprem":
            out[name] = cost_at(plan.options[name], plan.peak, requests)
    out["cloud_replicas"] = replicas_at(plan.options["cloud"], plan.peak, requests)

    onp = plan.options["onprem"]
    units = np.maximum.accumulate(units_at(onp, plan.peak, requests))
    installed = units * onp.nodes_per_unit[0]  # servers
    added = np.diff(installed, prepend=0.0)
    capex, running = onprem_cash_terms(s, catalog)
    out["onprem"] = onp.fixed[0] + onp.variable[0] * requests + onp.step[0] * units
    out["onprem_servers"] = installed
    out["onprem_servers_added"] = added
    out["onprem_capex"] = capex * added
    out["onprem_running"] = onp.fixed[0] + onp.variable[0] * requests + running * installed
    out["onprem_cash"] = out["onprem_capex"] + out["onprem_running"]
    for name in OPTIONS:
        out[f"cumulative_{name}"] = np.cumsum(out[name])
    out["cumulative_onprem_cash"] = np.cumsum(out["onprem_cash"])
    out["discount_factor"] = (1.0 + monthly_discount_rate(s.discount_rate_annual)) ** -months.astype(float)
    df = pd.DataFrame(out)
    df.attrs["units"] = dict(PROJECTION_UNITS)
    return df


def _check_view(view: str) -> str:
    name = view.strip().lower().replace("amortized", "amortised") if isinstance(view, str) else None
    if name not in VIEWS:
        raise CostModelError("view", f"must be one of {', '.join(VIEWS)} (got {view!r})")
    return name


def _monthly_column(option: str, view: str) -> str:
    return "onprem_cash" if option == "onprem" and view == "cash" else option


def payback_month(s: Scenario | dict, option: str, versus: str = "api", view: str = "cash",
                  catalog: Catalog | None = None) -> int | None:
    """First month in which ``option``'s cumulative cost is at most ``versus``'s; None if none within the horizon.

    Parameters
    ----------
    s : Scenario or mapping
        The scenario (see :func:`projection`).
    option, versus : {"api", "cloud", "onprem"}
        The option that must pay back, and the one it is compared with (default ``"api"``).
    view : {"cash", "amortised"}
        On-premises cost view (default ``"cash"``: capex paid when servers are bought, which is what
        "paying back" the capex means). api and cloud are the same in both views.

    Returns
    -------
    int or None
        Month number t (1-based) of the first ``C_option(t) <= C_versus(t)``, with ``C(t)`` the
        cumulative cost through month t [money]; ``None`` when it never happens within ``horizon_months``.
        Month 1 means ``option`` is no dearer from the start.
    """
    a, b = check_option(option, "option"), check_option(versus, "versus")
    if a == b:
        raise CostModelError("versus", f"must differ from option (both {a!r})")
    v = _check_view(view)
    df = projection(s, catalog)
    ca = np.cumsum(df[_monthly_column(a, v)].to_numpy())
    cb = np.cumsum(df[_monthly_column(b, v)].to_numpy())
    return payback_month_of(ca, cb)


def npv(s: Scenario | dict, option: str, view: str = "cash", catalog: Catalog | None = None) -> float:
    """Net present value of ``option``'s costs over the horizon [money, positive = cost].

    Notes
    -----
    ``NPV = sum_{t=1..H} C_t / (1 + i) ** t`` with ``i = (1 + discount_rate_annual) ** (1/12) - 1`` and
    ``C_t`` the cost of month t (paid at the end of the month), in the chosen on-premises ``view``.
    Equals ``numpy_financial.npv(i, [0, C_1, ..., C_H])``.
    """
    opt = check_option(option, "option")
    v = _check_view(view)
    df = projection(s, catalog)
    return float(np.sum(df[_monthly_column(opt, v)].to_numpy() * df["discount_factor"].to_numpy()))


def decision_summary(s: Scenario | dict, catalog: Catalog | None = None) -> pd.DataFrame:
    """Horizon totals per option (index ``option``).

    Columns: ``total_cost`` and ``npv`` [money; amortised view], ``total_cost_cash`` and ``npv_cash``
    [money; cash view: equal to the former for api and cloud], ``payback_month_vs_api`` (cash view) and
    ``payback_month_vs_api_amortised`` [month number; NaN when none within the horizon, and for the API].
    """
    df = projection(s, catalog)
    disc = df["discount_factor"].to_numpy()
    rows = []
    for name in OPTIONS:
        row: dict[str, object] = {"option": name}
        for suffix, view in (("", "amortised"), ("_cash", "cash")):
            col = df[_monthly_column(name, view)].to_numpy()
            row[f"total_cost{suffix}"] = float(col.sum())
            row[f"npv{suffix}"] = float((col * disc).sum())
        for suffix, view in (("", "cash"), ("_amortised", "amortised")):
            if name == "api":
                row[f"payback_month_vs_api{suffix}"] = np.nan
                continue
            ca = df[f"cumulative_{name}" + ("_cash" if name == "onprem" and view == "cash" else "")].to_numpy()
            month = payback_month_of(ca, df["cumulative_api"].to_numpy())
            row[f"payback_month_vs_api{suffix}"] = np.nan if month is None else float(month)
        rows.append(row)
    return pd.DataFrame(rows).set_index("option")
