"""``llmcost evaluate``: recompute a filled template with the engine and flag unusual inputs.

Two kinds of problem are told apart:

- *invalid* inputs break the scenario's rules (a negative volume, a utilisation above 1, an unknown
  GPU): the engine cannot compute, so they are errors (``key (Inputs!B5): problem``, exit code 1);
- *unusual* inputs are valid but outside their plausible range (the workbook's warning column, from
  :data:`costengine.acceptance.SANITY_RANGES`), which is most often a typing slip (0.13 typed as 13 for the
  price of a kWh); they are flagged beside the answers, as the workbook flags them beside the value.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from costengine import CostModelError, Scenario
from costengine.acceptance import SANITY_RANGES, sanity_warnings

from ..xlsx.catalog_rows import workbook_catalog
from ..xlsx.reader import InputCells, read_inputs
from .report import Answers, answers, answers_json

__all__ = ["Evaluation", "evaluate", "unusual_inputs", "evaluation_json"]


@dataclass(frozen=True)
class Evaluation:
    """The answers of a filled template, the inputs read and the unusual ones (``key: note`` lines)."""

    path: Path
    inputs: InputCells
    answers: Answers
    unusual: tuple[str, ...]


def unusual_inputs(s: Scenario, given: set[str] | None = None, cells: dict[str, str] | None = None) -> list[str]:
    """``key (cell): note`` lines for the values of ``s`` outside their plausible ranges.

    The ranges and the rule are the workbook's warning column's (:data:`costengine.acceptance.SANITY_RANGES`,
    money ranges scaled by ``usd_to_currency``). Only the keys in ``given`` (default: all) are checked, as the
    workbook warns on typed values only: defaults are plausible by construction.
    """
    values = s.model_dump()
    out = []
    for key, msg in sanity_warnings(values, given):
        unit = f" {s.currency}" if SANITY_RANGES[key].money else ""
        where = f" ({cells[key]})" if cells and key in cells else ""
        out.append(f"{key}{where}: {float(values[key]):,.6g}{unit} is {msg.removeprefix('unusual: ')}; check it")
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
    return Evaluation(
        path=path, inputs=inputs, answers=ans, unusual=tuple(unusual_inputs(s, set(inputs.values), inputs.cells))
    )


def evaluation_json(ev: Evaluation) -> str:
    """The evaluation for scripts: workbook, inputs read, cheapest option, break-evens [requests/month or
    null], one object per option (as ``llmcost compare --format json``) and the unusual-input notes."""
    doc = {
        "workbook": str(ev.path),
        "inputs": ev.inputs.values,
        "cheapest": ev.answers.cheapest,
        "breakevens": {f"{a}_{b}": v for (a, b), v in ev.answers.breakevens.items()},
        "options": json.loads(answers_json(ev.answers)),
        "unusual": list(ev.unusual),
    }
    return json.dumps(doc, indent=2)
