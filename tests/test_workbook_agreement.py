"""The workbook and ``llmcost evaluate`` accept and reject alike (issue "Trust", the shared acceptance rule).

Random inputs typed over the default template as a spreadsheet stores them (numbers, numbers typed as text with
spaces or exponents, bad texts, out-of-range values, catalog ids in other cases, dated API ids:
``recalc_cases.typed_cases``), recalculated by LibreOffice in the session's one soffice run. For each file either
both accept, with equal monthly costs for every option, or both reject, naming the same keys.
"""

from __future__ import annotations

import math
import re

import pytest

from costengine import SCENARIO_KEYS, CostModelError
from workbook.cli.evaluate import evaluate

from recalc_cases import TYPED_SOURCES, typed_books, typed_cases

# LibreOffice's values come from tests/data/recalc_store where stored (recalc_store.py skips without soffice otherwise)
pytestmark = pytest.mark.libreoffice

OPTIONS = ("api", "cloud", "onprem")
_KEY_AT_START = re.compile(r"^([a-z0-9_]+)[ :(]")


def _engine(name: str):
    """evaluate()'s answer: ('ok', monthly costs, keys flagged unusual) or ('rejected', keys named)."""
    try:
        ev = evaluate(TYPED_SOURCES[name])
    except CostModelError as exc:
        return "rejected", {_KEY_AT_START.match(k + " ").group(1) for k, _ in exc.problems}
    table = ev.answers.table  # an option valid inputs cannot serve: its status, as the workbook shows it
    costs = {
        o: float(table.loc[o, "monthly_cost"]) if table.loc[o, "status"] == "ok" else table.loc[o, "status"]
        for o in OPTIONS
    }
    return "ok", costs, {_KEY_AT_START.match(line).group(1) for line in ev.unusual}


def _workbook(book):
    """The recalculated workbook's answer: ('ok', monthly costs, keys warned) or ('rejected', keys its checks name)."""
    rows = {book.at("Inputs", r, 1): r for r in range(2, 2 + len(SCENARIO_KEYS))}
    if book.name("input_problems") == 0:
        # (a blank reasoning key of a reasoning model shows the engine's note there: compared in test_reasoning.py)
        warned = {
            k
            for k, r in rows.items()
            if book.at("Inputs", r, 8) and not str(book.at("Inputs", r, 8)).startswith(f"{k} blank:")
        }
        return "ok", {o: book.name(f"{o}_monthly_cost") for o in OPTIONS}, warned
    keys = {k for k, r in rows.items() if book.at("Inputs", r, 7)}
    status = str(book.name("input_problems_status"))
    sizing = re.search(r"Sizing \([^)]*\): ([a-z0-9_]+):", status)
    if sizing:
        keys.add(sizing.group(1))
    for option in ("cloud", "onprem"):  # billing checks name their key first
        text = book.name(f"{option}_billing_check")
        if text:
            keys.add(_KEY_AT_START.match(str(text) + " ").group(1))
    return "rejected", keys


@pytest.fixture(scope="module")
def typed(tmp_path_factory):
    return typed_books(tmp_path_factory)


def test_typed_cases_cover_both_outcomes(typed):
    # the draw must exercise acceptance and rejection, and accept a dated id and a number typed as text
    outcomes = {name: _engine(name)[0] for name in typed_cases()}
    assert set(outcomes.values()) == {"ok", "rejected"}, outcomes
    accepted = [typed_cases()[n] for n, o in outcomes.items() if o == "ok"]
    assert any(re.search(r"\d{8}$|\d{4}-\d{2}-\d{2}$", str(t.get("api_model", ""))) for t in accepted)
    assert any(isinstance(v, str) and v.strip()[:1].isdigit() for t in accepted for v in t.values())


@pytest.mark.parametrize("name", sorted(typed_cases()))
def test_workbook_and_evaluate_agree_on_typed_inputs(typed, name):
    book = typed[name]
    engine, wb = _engine(name), _workbook(book)
    assert engine[0] == wb[0], (name, typed_cases()[name], engine, wb, book.name("input_problems_status"))
    if engine[0] == "ok":
        for o in OPTIONS:
            if isinstance(engine[1][o], str):  # not feasible
                assert wb[1][o] == engine[1][o], (name, o, wb[1], engine[1])
                continue
            assert math.isclose(wb[1][o], engine[1][o], rel_tol=1e-9, abs_tol=1e-9), (name, o, wb[1], engine[1])
        assert wb[2] == engine[2], (name, "warnings", wb[2], engine[2])  # the same plausible ranges
    else:
        assert engine[1] == wb[1], (name, typed_cases()[name], engine[1], wb[1])
