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

- **hybrid_cloud** (:mod:`costengine.hybrid_split`): rented replicas follow demand, so the cheapest split is chosen
  again every month at ``R_t`` (its N re-optimised per month): ``hybrid_cloud_t = hybrid monthly cost at R_t``,
  never dearer than ``api`` or ``cloud`` in the same month.
- **hybrid_onprem**: the hybrid's servers are bought and kept as the pure option's are. Each month the cheapest
  split at ``R_t`` asks for ``u_t`` servers (0 when all-API is cheapest); the installed count is the running
  maximum ``H_t = max(H_{t-1}, u_t)``, ``H_0 = 0``. While ``H_t = u_t`` (always when volume does not fall) the
  month costs the hybrid monthly cost at ``R_t`` (amortised view), never dearer than ``api`` or ``onprem``;
  when volume falls and servers are left over, they serve what they can: all of it when they cover the volume
  sized with ``peak_to_average``, otherwise each hour up to their capacity with the rest sent to the API. Cash
  view as for onprem: ``capex x (servers added)`` plus staff, the API's part and ``(energy + maintenance) x
  servers``.

Discounting (:func:`npv`): the annual rate r becomes the monthly rate ``i = (1 + r) ** (1/12) - 1``; the
cost of month t is paid at the end of month t and discounted by ``(1 + i) ** t``, so month 1 is discounted
by one month (end-of-period convention; ``numpy_financial.npv(i, [0, C_1, ..., C_H])`` gives the same).
See ``docs/model.md#projection``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .catalogs import Catalog
from .engine import OPTIONS, check_option, plan_for
from .errors import CostModelError
from .hybrid_split import hybrid_arrays, served
from .plan import OptionCost, Plan, cost_at, replicas_at, units_at
from .profiles import profile_weights
from .scenario import Scenario

__all__ = [
    "VIEWS",
    "HYBRIDS",
    "PROJECTION_OPTIONS",
    "PROJECTION_UNITS",
    "projection",
    "payback_month",
    "payback_month_of",
    "same_as_api",
    "npv",
    "decision_summary",
    "monthly_discount_rate",
    "onprem_cash_terms",
    "check_projection_option",
]

#: The two views of on-premises cost (see the module docstring).
VIEWS: tuple[str, ...] = ("cash", "amortised")

#: The hybrid options of the projection (self-hosted base load, API overflow; :mod:`costengine.hybrid_split`).
HYBRIDS: tuple[str, ...] = ("hybrid_cloud", "hybrid_onprem")
#: Every option :func:`payback_month`, :func:`npv` and :func:`decision_summary` know.
PROJECTION_OPTIONS: tuple[str, ...] = (*OPTIONS, *HYBRIDS)

#: Unit of each column of :func:`projection` (also in ``DataFrame.attrs["units"]``).
PROJECTION_UNITS: dict[str, str] = {
    "month": "month number, 1 = first month",
    "requests": "requests/month",
    "api": "money/month",
    "cloud": "money/month",
    "onprem": "money/month (amortised view)",
    "cloud_replicas": "count",
    "onprem_servers": "count (installed)",
    "onprem_servers_added": "count",
    "onprem_capex": "money/month (cash view)",
    "onprem_running": "money/month (cash view)",
    "onprem_cash": "money/month (cash view)",
    "cumulative_api": "money",
    "cumulative_cloud": "money",
    "cumulative_onprem": "money (amortised view)",
    "cumulative_onprem_cash": "money (cash view)",
    "discount_factor": "ratio, 1 / (1 + i)^month",
    "hybrid_cloud": "money/month",
    "hybrid_cloud_replicas": "count",
    "hybrid_cloud_share": "share of requests",
    "hybrid_onprem": "money/month (amortised view)",
    "hybrid_onprem_servers": "count (installed)",
    "hybrid_onprem_servers_added": "count",
    "hybrid_onprem_share": "share of requests",
    "hybrid_onprem_capex": "money/month (cash view)",
    "hybrid_onprem_running": "money/month (cash view)",
    "hybrid_onprem_cash": "money/month (cash view)",
    "cumulative_hybrid_cloud": "money",
    "cumulative_hybrid_onprem": "money (amortised view)",
    "cumulative_hybrid_onprem_cash": "money (cash view)",
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
        ``discount_factor`` [ratio]; the hybrids: ``hybrid_cloud`` [money/month], ``hybrid_cloud_replicas``
        [count], ``hybrid_cloud_share`` [share served self-hosted], ``hybrid_onprem`` [money/month, amortised],
        ``hybrid_onprem_servers`` (installed), ``hybrid_onprem_servers_added`` [count], ``hybrid_onprem_share``,
        ``hybrid_onprem_capex``, ``hybrid_onprem_running``, ``hybrid_onprem_cash`` [money/month, cash view],
        ``cumulative_hybrid_cloud``, ``cumulative_hybrid_onprem``, ``cumulative_hybrid_onprem_cash`` [money].

    Notes
    -----
    ``R_t = R * (1 + g) ** (t - 1)``; cloud replicas follow demand; on-prem servers installed
    ``N_t = max(N_{t-1}, needed_t)``; cash view pays ``capex * (N_t - N_{t-1})`` in month t.
    The cloud hybrid re-optimises its replicas every month; the on-premises hybrid keeps the running maximum
    of each month's cheapest split. See the module docstring for both on-premises views.

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
        raise CostModelError(
            "growth_rate_monthly",
            f"makes the volume overflow within {s.horizon_months} months "
            f"({s.requests_per_month:g} x (1 + {s.growth_rate_monthly:g})^{s.horizon_months - 1}); "
            "lower it or shorten horizon_months",
        )
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
    out.update(_hybrid_columns(plan, s.load_profile, requests, capex, running))
    df = pd.DataFrame(out)
    df.attrs["units"] = dict(PROJECTION_UNITS)
    return df


def _monthly_plan(plan: Plan, months: int) -> Plan:
    """The one-scenario ``plan`` repeated once per month (every coefficient the same)."""
    idx = np.zeros(months, dtype=int)
    opts = {
        name: OptionCost(**{f.name: getattr(o, f.name)[idx] for f in dataclasses.fields(o)})
        for name, o in plan.options.items()
    }
    return Plan(
        requests=plan.requests[idx], tokens=plan.tokens[idx], peak=plan.peak[idx], hours=plan.hours[idx], options=opts
    )


def _hybrid_columns(
    plan: Plan, load_profile: str | None, requests: np.ndarray, capex: float, running: float
) -> dict[str, np.ndarray]:
    """The hybrid columns of :func:`projection` (see the module docstring for the rules)."""
    months = len(requests)
    mplan = _monthly_plan(plan, months)
    shares = np.repeat(np.array([profile_weights(load_profile)], dtype=float), months, axis=0)
    out: dict[str, np.ndarray] = {}
    hc = hybrid_arrays(mplan, "cloud", shares, requests)
    out["hybrid_cloud"], out["hybrid_cloud_replicas"] = hc["monthly_cost"], hc["replicas"]
    out["hybrid_cloud_share"] = hc["self_hosted_share"]
    ho = hybrid_arrays(mplan, "onprem", shares, requests)
    api, onp = mplan.options["api"], mplan.options["onprem"]
    units = np.maximum.accumulate(ho["units"])
    kept = units > ho["units"]  # servers left over from a month of larger volume
    covers = units >= units_at(onp, mplan.peak, requests)  # as many as the pure option sized for the peak
    got = served((units * onp.replicas_per_unit)[:, None], requests, shares, onp.replica_capacity)[:, 0]
    overflow = requests - got
    overflow = np.where(overflow > 1e-9 * requests, overflow, 0.0)
    api_part = np.where(
        covers, onp.variable * requests, np.where(overflow > 0, api.fixed, 0.0) + api.variable * overflow
    )
    amortised = np.where(kept, onp.fixed + onp.step * units + api_part, ho["monthly_cost"])
    share = np.where(covers, 1.0, np.where(requests > 0, got / np.where(requests > 0, requests, 1.0), 0.0))
    installed = units * onp.nodes_per_unit
    added = np.diff(installed, prepend=0.0)
    out["hybrid_onprem"] = amortised
    out["hybrid_onprem_servers"], out["hybrid_onprem_servers_added"] = installed, added
    out["hybrid_onprem_share"] = np.where(kept, share, ho["self_hosted_share"])
    out["hybrid_onprem_capex"] = capex * added
    # without servers the month is all API; with them: staff, the API's part and the servers' running cost
    out["hybrid_onprem_running"] = np.where(units > 0, amortised - onp.step * units + running * installed, amortised)
    out["hybrid_onprem_cash"] = out["hybrid_onprem_capex"] + out["hybrid_onprem_running"]
    for name in (*HYBRIDS, "hybrid_onprem_cash"):
        out[f"cumulative_{name}"] = np.cumsum(out[name])
    return out


def check_projection_option(option, key: str = "option") -> str:
    """The option name: api, cloud, onprem (:func:`costengine.engine.check_option`), hybrid_cloud or
    hybrid_onprem ("hybrid-cloud", "Hybrid onprem" too); raises naming ``key``."""
    if isinstance(option, str) and option.strip().lower().startswith("hybrid"):
        rest = option.strip().lower()[len("hybrid") :].strip(" _-")
        try:
            name = check_option(rest, key)
        except CostModelError:
            name = "api"
        if name != "api":
            return f"hybrid_{name}"
    try:
        return check_option(option, key)
    except CostModelError:
        raise CostModelError(key, f"must be one of {', '.join(PROJECTION_OPTIONS)} (got {option!r})") from None


def _check_view(view: str) -> str:
    name = view.strip().lower().replace("amortized", "amortised") if isinstance(view, str) else None
    if name not in VIEWS:
        raise CostModelError("view", f"must be one of {', '.join(VIEWS)} (got {view!r})")
    return name


def _monthly_column(option: str, view: str) -> str:
    return f"{option}_cash" if option in ("onprem", "hybrid_onprem") and view == "cash" else option


def same_as_api(df: pd.DataFrame, option: str) -> bool:
    """True for a hybrid that self-hosts nothing in any month of the :func:`projection` ``df`` (the API)."""
    col = {"hybrid_cloud": "hybrid_cloud_replicas", "hybrid_onprem": "hybrid_onprem_servers"}.get(option)
    return col is not None and not (df[col].to_numpy() > 0).any()


def payback_month_of(cumulative: Sequence[float], versus: Sequence[float]) -> int | None:
    """The first month t (1-based) with ``cumulative[t] <= versus[t]`` [month]; None when there is none.

    ``cumulative`` and ``versus`` are the cumulative costs of two options through months 1, 2, ... [money].

    >>> payback_month_of([5.0, 9.0, 12.0], [3.0, 8.0, 13.0])
    3
    """
    hit = np.flatnonzero(np.asarray(cumulative) <= np.asarray(versus))
    return int(hit[0]) + 1 if len(hit) else None


def payback_month(
    s: Scenario | dict, option: str, versus: str = "api", view: str = "cash", catalog: Catalog | None = None
) -> int | None:
    """First month in which ``option``'s cumulative cost is at most ``versus``'s; None if none within the horizon.

    Parameters
    ----------
    s : Scenario or mapping
        The scenario (see :func:`projection`).
    option, versus : {"api", "cloud", "onprem", "hybrid_cloud", "hybrid_onprem"}
        The option that must pay back, and the one it is compared with (default ``"api"``).
    view : {"cash", "amortised"}
        On-premises cost view (default ``"cash"``: capex paid when servers are bought, which is what
        "paying back" the capex means). api and cloud are the same in both views.

    Returns
    -------
    int or None
        Month number t (1-based) of the first ``C_option(t) <= C_versus(t)``, with ``C(t)`` the
        cumulative cost through month t [money]; ``None`` when it never happens within ``horizon_months``, and
        for a hybrid that self-hosts nothing in any month (:func:`same_as_api`).
        Month 1 means ``option`` is no dearer from the start.
    """
    a, b = check_projection_option(option, "option"), check_projection_option(versus, "versus")
    if a == b:
        raise CostModelError("versus", f"must differ from option (both {a!r})")
    v = _check_view(view)
    df = projection(s, catalog)
    if same_as_api(df, a) or same_as_api(df, b):
        return None  # a hybrid without replicas is the API: nothing to pay back
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
    opt = check_projection_option(option, "option")
    v = _check_view(view)
    df = projection(s, catalog)
    return float(np.sum(df[_monthly_column(opt, v)].to_numpy() * df["discount_factor"].to_numpy()))


def decision_summary(s: Scenario | dict, catalog: Catalog | None = None) -> pd.DataFrame:
    """Horizon totals per option (index ``option``).

    Rows: api, cloud, onprem, hybrid_cloud, hybrid_onprem (:data:`PROJECTION_OPTIONS`). Columns:
    ``total_cost`` and ``npv`` [money; amortised view], ``total_cost_cash`` and ``npv_cash`` [money; cash
    view: equal to the former for api, cloud and hybrid_cloud], ``payback_month_vs_api`` (cash view) and
    ``payback_month_vs_api_amortised`` [month number; NaN when none within the horizon, and for the API],
    ``same_as_api`` (True for a hybrid that self-hosts nothing in any month: no payback month of its own).
    """
    df = projection(s, catalog)
    disc = df["discount_factor"].to_numpy()
    rows = []
    for name in PROJECTION_OPTIONS:
        row: dict[str, object] = {"option": name, "same_as_api": same_as_api(df, name)}
        for suffix, view in (("", "amortised"), ("_cash", "cash")):
            col = df[_monthly_column(name, view)].to_numpy()
            row[f"total_cost{suffix}"] = float(col.sum())
            row[f"npv{suffix}"] = float((col * disc).sum())
        for suffix, view in (("", "cash"), ("_amortised", "amortised")):
            if name == "api" or row["same_as_api"]:
                row[f"payback_month_vs_api{suffix}"] = np.nan
                continue
            ca = df[f"cumulative_{_monthly_column(name, view)}"].to_numpy()
            month = payback_month_of(ca, df["cumulative_api"].to_numpy())
            row[f"payback_month_vs_api{suffix}"] = np.nan if month is None else float(month)
        rows.append(row)
    return pd.DataFrame(rows).set_index("option")
