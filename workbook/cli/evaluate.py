"""``llmcost evaluate``: recompute a filled template with the engine and flag unusual inputs.

Two kinds of problem are told apart:

- *invalid* inputs break the scenario's rules (a negative volume, a utilisation above 1, an unknown
  GPU): the engine cannot compute, so they are errors (``key (Inputs!B5): problem``, exit code 1);
- *unusual* inputs are valid but outside the range seen in practice (:data:`USUAL_RANGES`), which is
  most often a typing slip (0.13 typed as 13 for the price of a kWh); they are flagged beside the answers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from costengine import CostModelError, Scenario

from ..xlsx.catalog_rows import workbook_catalog
from ..xlsx.reader import InputCells, read_inputs
from .report import Answers, answers, answers_json

__all__ = ["Evaluation", "evaluate", "unusual_inputs", "USUAL_RANGES", "MONEY_KEYS", "evaluation_json"]

#: Usual range (low, high) of numeric inputs, in USD for money keys (scaled by usd_to_currency).
#: Wider than any realistic deployment, so that a value outside it is worth a second look.
USUAL_RANGES: dict[str, tuple[float, float]] = {
    "requests_per_month": (1.0, 1e11),
    "prompt_tokens": (1.0, 1_000_000.0),
    "output_tokens": (1.0, 100_000.0),
    "peak_to_average": (1.0, 20.0),
    "api_input_price_per_mtok": (0.01, 200.0),
    "api_output_price_per_mtok": (0.01, 1_000.0),
    "api_cached_input_price_per_mtok": (0.0, 200.0),
    "api_monthly_fixed": (0.0, 1e6),
    "model_params_billion": (0.1, 3_000.0),
    "memory_overhead": (1.0, 4.0),
    "seconds_per_request": (0.001, 600.0),
    "target_utilization": (0.1, 0.95),
    "hours_per_month": (600.0, 744.0),
    "staff_monthly": (0.0, 1e6),
    "cloud_price_per_gpu_hour": (0.05, 30.0),
    "cloud_monthly_overhead": (0.0, 1e6),
    "onprem_capex_per_server": (500.0, 5e6),
    "onprem_interest_rate": (0.0, 0.3),
    "onprem_maintenance_monthly": (0.0, 1e5),
    "onprem_power_kw": (0.05, 30.0),
    "onprem_pue": (1.0, 3.0),
    "onprem_price_per_kwh": (0.01, 1.0),
    "growth_rate_monthly": (-0.5, 1.0),
    "discount_rate_annual": (0.0, 0.3),
}
#: Keys in money, whose usual range is in USD and scales with usd_to_currency.
MONEY_KEYS: frozenset[str] = frozenset({
    "api_input_price_per_mtok", "api_output_price_per_mtok", "api_cached_input_price_per_mtok",
    "api_monthly_fixed", "staff_monthly", "cloud_price_per_gpu_hour", "cloud_monthly_overhead",
    "onprem_capex_per_server", "onprem_maintenance_monthly", "onprem_price_per_kwh"})


@dataclass(frozen=True)
class Evaluation:
    """The answers of a filled template, the inputs read and the unusual ones (``key: note`` lines)."""

    path: Path
    inputs: InputCells
    answers: Answers
    unusual: tuple[str, ...]


def unusual_inputs(s: Scenario, given: set[str] | None = None, cells: dict[str, str] | None = None) -> list[str]:
    """``key (cell): note`` lines for the values of ``s`` outside :data:`USUAL_RANGES`.

    Only the keys in ``given`` (default: all) are checked: defaults are usual by construction.
    """
    out = []
    fx = float(s.usd_to_currency)
    for key, (low, high) in USUAL_RANGES.items():
        v = getattr(s, key)
        if v is None or (given is not None and key not in given):
            continue
        scale = fx if key in MONEY_KEYS else 1.0
        lo, hi = low * scale, high * scale
        if not lo <= float(v) <= hi:
            unit = f" {s.currency}" if key in MONEY_KEYS else ""
            where = f" ({cells[key]})" if cells and key in cells else ""
            out.append(f"{key}{where}: {float(v):,.6g}{unit} is outside the usual range "
                       f"{lo:,.6g} to {hi:,.6g}; check it")
    return out


def evaluate(path: str | Path, requests_per_month: float | None = None) -> Evaluation:
    """Read the Inputs sheet of ``path`` and the user's catalog rows, validate them and compute the answers
    (with the shipped catalogs extended by the user's rows: :func:`workbook.xlsx.catalog_rows.workbook_catalog`).

    Raises :class:`CostModelError` with one problem per bad cell, each naming the key (or catalog column) and
    its cell.
    """
    path = Path(path)
    inputs = read_inputs(path)
    problems = list(inputs.problems)
    try:
        s = Scenario.parse(inputs.values)
    except CostModelError as exc:
        problems += exc.problems
        s = None
    try:
        catalog = workbook_catalog(path)
    except CostModelError as exc:
        problems += exc.problems
    if problems:
        named = [(f"{k} ({inputs.cells[k]})" if k in inputs.cells else k, p) for k, p in problems]
        raise CostModelError(named[0][0], named[0][1], named)
    try:
        ans = answers(s, requests_per_month, catalog)
    except CostModelError as exc:
        named = [(f"{k} ({inputs.cells[k]})" if k in inputs.cells else k, p) for k, p in exc.problems]
        raise CostModelError(named[0][0], named[0][1], named) from None
    return Evaluation(path=path, inputs=inputs, answers=ans,
                      unusual=tuple(unusual_inputs(s, set(inputs.values), inputs.cells)))


def evaluation_json(ev: Evaluation) -> str:
    """The evaluation for scripts: workbook, inputs read, cheapest option, break-evens [requests/month or
    null], one object per option (as ``llmcost compare --format json``) and the unusual-input notes."""
    doc = {"workbook": str(ev.path), "inputs": ev.inputs.values, "cheapest": ev.answers.cheapest,
           "breakevens": {f"{a}_{b}": v for (a, b), v in ev.answers.breakevens.items()},
           "options": json.loads(answers_json(ev.answers)), "unusual": list(ev.unusual)}
    return json.dumps(doc, indent=2)
