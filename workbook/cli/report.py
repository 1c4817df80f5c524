"""The answers of one scenario, for the terminal (rich tables) and for scripts (JSON).

:func:`answers` asks the engine once; :func:`render_answers` and :func:`answers_json` only format.
Used by ``llmcost compare`` and ``llmcost evaluate``; :func:`summary_values` gives the same answers as
the flat columns of ``summary.csv`` in ``llmcost batch``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

import pandas as pd
from rich.console import Console

from costengine import (
    OPTIONS,
    Catalog,
    CostModelError,
    Scenario,
    breakeven,
    cheapest,
    compare,
    hybrid,
    recommend,
    token_price,
)
from costengine.engine import PAIRS
from costengine.errors import Infeasible
from costengine.offer_filter import offer_where
from costengine.plan import COST_PARTS
from costengine.price_rules import catalog_date
from costengine.token_prices import scenario_price_note, token_prices_source
from costengine.verdict import horizon_verdict

from .fit import KEY, MONEY, Col, print_fitted

__all__ = [
    "Answers",
    "answers",
    "render_answers",
    "answers_json",
    "answer_records",
    "summary_values",
    "SUMMARY_ANSWERS",
    "fmt_volume",
    "api_price_note",
]

#: The answer columns of summary.csv (and the workbook's defined names of the same answers).
SUMMARY_ANSWERS: tuple[str, ...] = (
    *(f"{o}_monthly_cost" for o in OPTIONS),
    *(f"{o}_cost_{part}" for o in OPTIONS for part in COST_PARTS),
    "cheapest_option",
    "recommendation",
    "horizon_option",
    *(f"breakeven_{a}_{b}" for a, b in PAIRS),
    "hybrid_option",
    "hybrid_monthly_cost",
    "hybrid_replicas",
)


@dataclass(frozen=True)
class Answers:
    """What the engine says about one scenario at one volume.

    ``table`` is :func:`costengine.compare` (index ``option``; its ``status`` says "not feasible: <reason>" for
    an option that cannot be served, whose numbers are NaN); ``cheapest`` is among the feasible options ("" when
    none is); ``breakevens`` maps ``(a, b)`` to the break-even volume [requests/month], ``None`` when the two
    options never cross up to 1e12, NaN when either is not feasible; ``catalog`` is the one the engine used
    (``None``: the shipped catalogs).
    """

    scenario: Scenario
    requests_per_month: float
    table: pd.DataFrame
    cheapest: str
    breakevens: dict[tuple[str, str], float | None]
    recommendation: dict[str, Any]
    catalog: Catalog | None = None
    horizon: dict[str, Any] | None = None


def answers(s: Scenario, requests_per_month: float | None = None, catalog: Catalog | None = None) -> Answers:
    """The comparison, cheapest option and break-even volumes of ``s`` (at ``requests_per_month``
    [requests/month] when given, else at the scenario's volume), with ``catalog`` (default: the shipped one)."""
    r = float(s.requests_per_month if requests_per_month is None else requests_per_month)
    table = compare(s, r, catalog)
    ok = {o for o in OPTIONS if table.loc[o, "status"] == "ok"}
    return Answers(
        scenario=s,
        requests_per_month=r,
        table=table,
        cheapest=cheapest(s, r, catalog) if ok else "",
        breakevens={(a, b): breakeven(s, a, b, catalog) if {a, b} <= ok else math.nan for a, b in PAIRS},
        recommendation=recommend(s, r, catalog) if ok else {"option": "", "text": "no option can be served"},
        catalog=catalog,
        horizon=horizon_verdict(s, catalog),
    )


def _not_feasible(ans: Answers, a: str, b: str) -> str:
    """ "not feasible: <option>" for a break-even with an option that cannot be served."""
    return "not feasible: " + " and ".join(o for o in (a, b) if ans.table.loc[o, "status"] != "ok")


def api_price_note(s: Scenario) -> str:
    """The note on the catalog's token prices the scenario uses ("" when none, or when its api_model is not in
    the catalog and every api price is typed): :func:`costengine.token_prices.scenario_price_note`."""
    try:
        p = token_price(s.api_model, None, s.prompt_tokens, "api_model", s.api_service_tier)
    except CostModelError:
        return ""
    typed_io = s.api_input_price_per_mtok is not None and s.api_output_price_per_mtok is not None
    return scenario_price_note(p, typed_io, s.api_cached_input_share, s.api_cached_input_price_per_mtok is not None)


def summary_values(ans: Answers) -> dict[str, Any]:
    """The answers as flat values: monthly costs [money/month], cheapest option, break-evens
    [requests/month; ``None`` where there is none]. An option that cannot be served has its status ("not
    feasible: <reason>") in place of its cost ("not feasible" in its cost's parts), and the break-evens with it "not
    feasible: <option>"."""
    out: dict[str, Any] = {}
    for o in OPTIONS:
        status = ans.table.loc[o, "status"]
        out[f"{o}_monthly_cost"] = float(ans.table.loc[o, "monthly_cost"]) if status == "ok" else status
        for part in COST_PARTS:
            out[f"{o}_cost_{part}"] = float(ans.table.loc[o, f"{part}_cost"]) if status == "ok" else "not feasible"
    out["cheapest_option"] = ans.cheapest or "not feasible: no option can be served"
    out["recommendation"] = ans.recommendation["option"] or "not feasible: no option can be served"
    out["horizon_option"] = (ans.horizon or {}).get("option") or "n/a"
    for (a, b), v in ans.breakevens.items():
        out[f"breakeven_{a}_{b}"] = _not_feasible(ans, a, b) if v is not None and math.isnan(v) else v
    try:  # the cheaper self-hosted option's hybrid (the feasible one)
        h = hybrid(ans.scenario, None, ans.requests_per_month, ans.catalog)
    except Infeasible as exc:
        out.update(hybrid_option=str(exc), hybrid_monthly_cost=None, hybrid_replicas=None)
    else:
        out.update(hybrid_option=h["option"], hybrid_monthly_cost=h["monthly_cost"], hybrid_replicas=h["replicas"])
    return out


def _clean(v: Any) -> Any:
    """A JSON-safe number: NaN and infinities become ``None``, whole floats stay floats."""
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def answer_records(ans: Answers) -> list[dict[str, Any]]:
    """One object per option: ``option``, the ``compare()`` columns (NaN -> ``None``), ``offer_where`` (the cloud
    offer's regions and tier, e.g. "eu, production"; "" elsewhere), ``cheapest`` (True for the
    cheapest option at this volume, False for the others), ``recommendation`` (:func:`costengine.recommend`: its
    ``option`` and ``text``, the same in every object) and the three break-even volumes
    ``breakeven_<a>_<b>`` [requests/month; ``None`` when the two options never cross up to 1e12], the same in
    every object, so that a script reading any one object has the whole answer."""
    crossings = {f"breakeven_{a}_{b}": _clean(v) for (a, b), v in ans.breakevens.items()}
    rows = []
    for option, rec in ans.table.iterrows():
        rows.append(
            {
                "option": str(option),
                **{k: v if isinstance(v, str) else _clean(float(v)) for k, v in rec.items()},
                "offer_where": offer_where(ans.catalog, rec["offer"]) if option == "cloud" and rec["offer"] else "",
                "cheapest": option == ans.cheapest,
                "recommendation": {k: ans.recommendation[k] for k in ("option", "text")},
                "horizon": {k: _clean(v) if isinstance(v, float) else v for k, v in _horizon(ans).items()},
                **crossings,
            }
        )
    return rows


def _horizon(ans: Answers) -> dict[str, Any]:
    """The answer over the horizon as JSON wants it: ``option``, ``npv``, ``months``, ``text``."""
    h = ans.horizon or {"option": "", "npv": math.nan, "months": ans.scenario.horizon_months, "text": ""}
    return {k: h[k] for k in ("option", "npv", "months", "text")}


def answers_json(ans: Answers) -> str:
    """:func:`answer_records` as a JSON list (``null`` for NaN and for a break-even without a crossing)."""
    return json.dumps(answer_records(ans), indent=2, allow_nan=False)


def fmt_volume(v: float | None) -> str:
    """A volume [requests/month] for people: ``1,234,567``; ``None`` -> ``never (up to 1e12)``."""
    if v is None:
        return "never (up to 1e12)"
    return f"{v:,.0f}"


def _money(v: float, digits: int = 2) -> str:
    return "-" if not math.isfinite(v) else f"{v:,.{digits}f}"


def _count(v: float) -> str:
    return "-" if not math.isfinite(v) else f"{v:,.0f}"


def _share(v: float) -> str:
    return "-" if not math.isfinite(v) else f"{v:.1%}"


#: The words of each part of a monthly cost (``costengine.plan.COST_PARTS``); usage is the API's tokens, the
#: cloud's GPU time.
PART_WORDS = {
    "usage": "usage",
    "capital": "capital",
    "running": "energy, colocation, support",
    "overhead": "overhead",
    "staff": "staff",
}


def cost_split_text(rec: Any, option: str = "") -> str:
    """The parts of an option's monthly cost with their shares, e.g. "GPU time 45,552 (73%); staff 16,667 (27%)";
    the parts that are 0 left out; "" when the cost is not a positive number."""
    total = rec.get("monthly_cost")
    if total is None or not math.isfinite(total) or total <= 0:
        return ""
    usage = {"api": "tokens", "cloud": "GPU time"}.get(option, PART_WORDS["usage"])
    parts = [(usage if k == "usage" else w, rec.get(f"{k}_cost", 0.0)) for k, w in PART_WORDS.items()]
    return "; ".join(f"{w} {v:,.0f} ({v / total:.0%})" for w, v in parts if math.isfinite(v) and abs(v) >= 0.005)


def render_answers(console: Console, ans: Answers, title: str | None = None) -> None:
    """Print the comparison table, the cheapest option and the break-even volumes."""
    cur = ans.scenario.currency
    cols = [
        Col("option", KEY, "left"),
        Col(f"{cur}/month", MONEY),
        Col(f"{cur}/request", MONEY),
        Col(f"{cur}/MTok", MONEY),
        Col("GPUs", drop=3),
        Col("replicas", drop=4),
        Col("utilisation", drop=5),
        Col("GPUs/replica", drop=6),
        Col("batch", drop=7),
        Col("TTFT s", drop=8),
        Col("TPOT ms", drop=9),
    ]
    rows = []
    for option, rec in ans.table.iterrows():
        mark = " *" if option == ans.cheapest else ""
        rows.append(
            [
                f"{option}{mark}",
                _money(rec["monthly_cost"]),
                _money(rec["cost_per_request"], 6),
                _money(rec["cost_per_mtok"], 3),
                _count(rec["gpus"]),
                _count(rec["replicas"]),
                _share(rec["utilization"]),
                _count(rec["gpus_per_replica"]),
                _count(rec["batch"]),
                _money(rec["ttft_s"], 2),
                _money(rec["tpot_ms"], 1),
            ]
        )
    print_fitted(console, cols, rows, title or f"Monthly cost at {fmt_volume(ans.requests_per_month)} requests/month")
    bases: dict[str, list[str]] = {}
    for option, rec in ans.table.iterrows():
        if rec.get("serving_basis"):
            bases.setdefault(rec["serving_basis"], []).append(str(option))
    for basis, options in bases.items():  # what the layout columns rest on: estimated (how far off) or given
        console.print(f"{', '.join(options)}: serving figures {basis}", markup=False)
    for option, rec in ans.table.iterrows():
        split = cost_split_text(rec, str(option))
        if split:
            console.print(f"{option}: cost split: {split}", markup=False)
    for option, rec in ans.table.iterrows():
        if rec.get("offer"):
            what = "cloud offer" if option == "cloud" else "server"
            where = f" ({offer_where(ans.catalog, rec['offer'])})" if option == "cloud" else ""
            console.print(f"{option}: {what} {rec['offer']}{where}", markup=False)
    console.print(  # token prices carry a package version, not a date: said, never invented
        f"prices: token prices from {token_prices_source()}; offer and server prices aged at the catalog's "
        f"date {catalog_date()}",
        markup=False,
    )
    for option, rec in ans.table.iterrows():
        if rec.get("status", "ok") != "ok":
            console.print(f"{option}: {rec['status']}", markup=False)
        if rec.get("notes"):
            console.print(f"{option}: {rec['notes']}", markup=False)
    note = api_price_note(ans.scenario)
    if note:
        console.print(f"api: {ans.scenario.api_model}: {note}", markup=False)
    if ans.cheapest:
        console.print(f"cheapest: [bold]{ans.cheapest}[/bold] (*)")
    else:
        console.print("cheapest: none (no option can be served)")
    if ans.cheapest and ans.recommendation["option"] != ans.cheapest:
        console.print(f"recommendation: {ans.recommendation['text']}", markup=False)
    if ans.horizon and ans.horizon["option"]:  # the answer over the horizon: NPV as the volume grows
        console.print(f"lowest cost {ans.horizon['text']}", markup=False)
    console.print("break-even (requests/month):")
    for (a, b), v in ans.breakevens.items():
        shown = _not_feasible(ans, a, b) if v is not None and math.isnan(v) else fmt_volume(v)
        console.print(f"  {a} = {b}: {shown}")
