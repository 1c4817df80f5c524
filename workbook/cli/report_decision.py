"""Decision analysis in the terminal: ``llmcost compare --projection`` and ``--sensitivity``.

Formatting only: the figures come from :mod:`costengine.projection` and :mod:`costengine.sensitivity`.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from rich.console import Console

from costengine import OPTIONS, Scenario, decision_summary
from costengine.projection import HYBRIDS, PROJECTION_OPTIONS, projection
from costengine.sensitivity import sensitivity

from .fit import KEY, MONEY, Col, print_fitted
from .report import _clean, _money, fmt_volume

__all__ = ["render_projection", "render_sensitivity", "projection_records", "sensitivity_records", "SENSITIVITY_ROWS"]

#: Inputs shown in the terminal's sensitivity table (the largest swings first); JSON has them all.
SENSITIVITY_ROWS = 15


def _shown_months(horizon: int) -> list[int]:
    """Every month up to 24; beyond that every 12th month and the last (0-based row positions)."""
    if horizon <= 24:
        return list(range(horizon))
    rows = sorted(set(range(11, horizon, 12)) | {0, horizon - 1})
    return rows


def render_projection(console: Console, s: Scenario) -> None:
    """Month-by-month costs (cash view for on-prem and its hybrid), cumulative costs, payback months and NPVs,
    the hybrids (self-hosted base load, API overflow) included."""
    df = projection(s)
    cur = s.currency
    title = (
        f"Projection over {s.horizon_months} months, volume growing "
        f"{s.growth_rate_monthly:.1%}/month, {cur} (on-prem: cash view, capex when servers are bought)"
    )
    cols = [
        Col("month", KEY),
        Col("requests/month", drop=1),
        *(Col(o, MONEY) for o in ("api", "cloud", "onprem")),
        Col("servers", drop=2),
        *(Col(f"cum. {o}", MONEY) for o in ("api", "cloud", "onprem")),
        Col("hybrid cloud", MONEY),
        Col("hybrid onprem", MONEY),
    ]
    rows = []
    for i in _shown_months(len(df)):
        r = df.iloc[i]
        rows.append(
            [
                str(int(r["month"])),
                fmt_volume(r["requests"]),
                _money(r["api"], 0),
                _money(r["cloud"], 0),
                _money(r["onprem_cash"], 0),
                f"{int(r['onprem_servers'])}",
                _money(r["cumulative_api"], 0),
                _money(r["cumulative_cloud"], 0),
                _money(r["cumulative_onprem_cash"], 0),
                _money(r["hybrid_cloud"], 0),
                _money(r["hybrid_onprem_cash"], 0),
            ]
        )
    print_fitted(console, cols, rows, title)
    summary = decision_summary(s)
    console.print(f"net present value at {s.discount_rate_annual:.1%}/year (cash view):")
    for option in PROJECTION_OPTIONS:
        console.print(f"  {option}: {_money(summary.loc[option, 'npv_cash'], 0)} {cur}")
    for option in PROJECTION_OPTIONS[1:]:
        month = summary.loc[option, "payback_month_vs_api"]
        said = f"month {int(month)}" if not math.isnan(month) else f"not within {s.horizon_months} months"
        if summary.loc[option, "same_as_api"]:
            said = "it is the API (no self-hosted replica in any month)"
        console.print(f"{option} pays back against the API: {said}")


def _change(v: float) -> str:
    """A signed change [money/month]; "-" where the option is not feasible (NaN)."""
    return "-" if not math.isfinite(v) else f"{v:+,.0f}"


def render_sensitivity(console: Console, s: Scenario, swing: float) -> None:
    """The inputs whose low/high swing moves the costs most, and whether they flip the cheapest option."""
    df = sensitivity(s, swing=swing)
    cur = s.currency
    title = (
        f"Sensitivity: each input at -{swing:.0%} / +{swing:.0%}, the others unchanged "
        f"(change in monthly cost, {cur}; largest first)"
    )
    changes = [f"{o} low/high" for o in (*OPTIONS, *HYBRIDS)]
    cols = [
        Col("input", KEY, "left"),
        Col("base", drop=3),
        Col("low", drop=2),
        Col("high", drop=1),
        *(Col(head, MONEY) for head in changes),
        Col("cheapest low/high", MONEY),
    ]
    rows = []
    for _, r in df.head(SENSITIVITY_ROWS).iterrows():
        cells = [f"{_change(r[f'{o}_change_low'])} / {_change(r[f'{o}_change_high'])}" for o in (*OPTIONS, *HYBRIDS)]
        flip = f"{r['cheapest_low']} / {r['cheapest_high']}" + (" !" if r["flips_cheapest"] else "")
        rows.append([str(r["input"]), f"{r['base']:,.4g}", f"{r['low']:,.4g}", f"{r['high']:,.4g}", *cells, flip])
    print_fitted(console, cols, rows, title)
    flips = df.loc[df["flips_cheapest"], "input"].tolist()
    console.print("inputs that flip the cheapest option (!): " + (", ".join(flips) if flips else "none"))


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in rec.items()} for rec in df.to_dict("records")]


def projection_records(s: Scenario) -> dict[str, Any]:
    """The projection for JSON: ``months`` (one object per month) and ``summary`` (per option)."""
    summary = decision_summary(s).reset_index()
    return {"months": _records(projection(s)), "summary": _records(summary)}


def sensitivity_records(s: Scenario, swing: float) -> list[dict[str, Any]]:
    """The sensitivity table for JSON, one object per input (largest swing first)."""
    return _records(sensitivity(s, swing=swing))


def hybrid_records(s, requests: float | None = None) -> dict:
    """The hybrid of each self-hosted option (:func:`costengine.hybrid`) as plain data: per option the replicas,
    the self-hosted share, the monthly costs of the hybrid, of all-API and of all-self-hosted, the day's split, and
    ``status`` ("ok", or "not feasible: ..." when the option or the API cannot be served: the numbers are None)."""
    from costengine import hybrid
    from costengine.errors import Infeasible

    out = {}
    keys = ("replicas", "self_hosted_share", "monthly_cost", "api_only", "self_hosted_only")
    for option in ("cloud", "onprem"):
        try:
            h = hybrid(s, option, requests)
        except Infeasible as exc:
            out[option] = {**dict.fromkeys(keys), "hours": None, "status": str(exc)}
            continue
        out[option] = {k: h[k] for k in keys}
        out[option]["hours"] = h["hours"]
        out[option]["status"] = "ok"
    ok = [o for o in ("cloud", "onprem") if out[o]["status"] == "ok"]
    out["cheapest_hybrid"] = min(ok, key=lambda o: out[o]["monthly_cost"]) if ok else None
    return out


def render_hybrid(console, s, requests: float | None = None) -> None:
    """Print the hybrid of each self-hosted option."""
    rec = hybrid_records(s, requests)
    cur = s.currency
    title = f"Hybrid: self-hosted base load, API overflow (load_profile: {s.load_profile or 'azure-2024-conversation'})"
    cols = [
        Col("option", KEY, "left"),
        Col("replicas", drop=2),
        Col("self-hosted share", drop=1),
        Col(f"hybrid {cur}/month", MONEY),
        Col(f"all API {cur}/month", MONEY),
        Col(f"all self-hosted {cur}/month", MONEY),
    ]
    rows = []
    for option in ("cloud", "onprem"):
        h = rec[option]
        mark = " *" if option == rec["cheapest_hybrid"] else ""
        if h["status"] != "ok":
            rows.append([f"{option}{mark}", *["-"] * 5])
            continue
        rows.append(
            [
                f"{option}{mark}",
                f"{h['replicas']:,.0f}",
                f"{h['self_hosted_share']:.1%}",
                f"{h['monthly_cost']:,.2f}",
                f"{h['api_only']:,.2f}",
                f"{h['self_hosted_only']:,.2f}",
            ]
        )
    print_fitted(console, cols, rows, title)
    for option in ("cloud", "onprem"):
        if rec[option]["status"] != "ok":
            console.print(rec[option]["status"], markup=False)
