"""Bad input never spreads error values, and the workbook accepts what the engine accepts.

Regression tests of the issue "text in prompt_tokens fills thousands of cells with #VALUE!": a workbook per
number key with text typed into it, and workbooks with negative and out-of-range values, recalculated by
LibreOffice: no error value anywhere, the key's check (column G) says what is wrong, the status names the first
problem. The shared acceptance rule (costengine.acceptance) is checked against the engine here too.
"""

from __future__ import annotations

import openpyxl
import pytest

from costengine import SCENARIO_KEYS, CostModelError, Scenario
from costengine.acceptance import SANITY_RANGES, api_model_base, number_from_text, sanity_warnings
from costengine.catalogs import token_price
from costengine.rules import key_bounds
from workbook.sheets.inputs import is_number_key

from recalc_store import chart_gap

NUMBER_KEYS = [k for k in SCENARIO_KEYS if is_number_key(k)]


@pytest.mark.parametrize(
    "text,want",
    [
        (" 1000 ", 1000.0),
        ("1e3", 1000.0),
        ("+.5", 0.5),
        ("5.", 5.0),
        ("about 1000", None),
        ("1,000", None),
        ("5%", None),
        ("1_000", None),
        ("1-2", None),
        ("0x10", None),
    ],
)
def test_numbers_typed_as_text_one_rule(text, want):
    read = number_from_text(text)
    assert read == (text if want is None else want)
    if want is None:
        with pytest.raises(CostModelError, match="prompt_tokens: must be a number"):
            Scenario(prompt_tokens=text)
    else:
        assert Scenario(prompt_tokens=text).prompt_tokens == want


def test_whole_number_typed_as_text():
    assert Scenario(min_replicas="3").min_replicas == 3
    with pytest.raises(CostModelError, match="whole number"):
        Scenario(min_replicas="2.5")


@pytest.mark.parametrize("dated", ["claude-sonnet-4-5-20250929", "claude-sonnet-4-5@20250929", "GPT-5-MINI-2025-08-07"])
def test_dated_model_ids_are_priced_as_their_base(dated):
    base = api_model_base(dated)
    assert token_price(dated).input == token_price(base).input
    assert token_price(dated).output == token_price(base).output


def test_sanity_ranges_warn_not_fail():
    s = Scenario(growth_rate_monthly=5)  # accepted by the model ...
    assert [k for k, _ in sanity_warnings(s.model_dump())] == ["growth_rate_monthly"]  # ... and flagged
    assert not sanity_warnings(Scenario().model_dump())  # the defaults are plausible
    for key, rng in SANITY_RANGES.items():
        assert key in SCENARIO_KEYS and rng.low < rng.high, key


def _bad_values(key: str) -> dict[str, object]:
    """Bad values of a number key: text, a negative number and an out-of-range one (where bounds give one)."""
    bounds = key_bounds(key)
    out: dict[str, object] = {"text": "about 1000"}
    low = bounds.get("ge", bounds.get("gt"))
    if low is not None:
        out["negative"] = float(low) - 5 if low <= 0 else -5.0
    if "le" in bounds:
        out["high"] = float(bounds["le"]) * 10 + 10
    return out


@pytest.fixture(scope="module")
def bad_books(tmp_path_factory):
    from workbook.builder import write_workbook

    from recalc_store import recalculate
    from typed_over import type_over

    src = tmp_path_factory.mktemp("bad")
    template = write_workbook(src / "template.xlsx", Scenario())
    wb0 = openpyxl.load_workbook(template, read_only=True)
    rows = {
        row[0].value: row[0].row
        for row in wb0["Inputs"].iter_rows(min_row=2, max_row=1 + len(SCENARIO_KEYS), max_col=1)
    }
    wb0.close()
    cases = []
    for key in NUMBER_KEYS:
        for kind, value in _bad_values(key).items():
            cases.append((f"{key}__{kind}", key, value))
    # each value typed over the template as a user would (tests/typed_over.py: the cell replaced in the file)
    paths = [type_over(template, src / f"{name}.xlsx", {f"B{rows[key]}": value}) for name, key, value in cases]
    return [(key, value, r, rows[key]) for (_, key, value), r in zip(cases, recalculate(paths, sheets=("Inputs",)))]


def test_typed_over_reads_back_as_typed(tmp_path):
    # the fast way of typing into a template gives the cells openpyxl would have written
    from workbook.builder import write_workbook

    from typed_over import type_over

    template = write_workbook(tmp_path / "t.xlsx", Scenario())
    values = {"B2": "about 1000", "B3": 2.5, "B4": "  1e3 ", "B5": "a&b<c>", "B6": 7}
    wb = openpyxl.load_workbook(type_over(template, tmp_path / "o.xlsx", values))
    before = openpyxl.load_workbook(template)
    assert {ref: wb["Inputs"][ref].value for ref in values} == values
    assert all(wb["Inputs"][ref].style_id == before["Inputs"][ref].style_id for ref in values)
    with pytest.raises(ValueError, match="Inputs!ZZ9"):
        type_over(template, tmp_path / "x.xlsx", {"ZZ9": 1})


@pytest.mark.libreoffice
def test_bad_number_inputs_give_reasons_never_error_values(bad_books):
    for key, value, book, row in bad_books:
        # every cell of every sheet but the Curve chart's own series cells (#N/A is how a chart skips a point:
        # a text would be drawn as 0 on its log axes; recalc_store.chart_gap)
        errors = [e for e in book.errors if not chart_gap(e[0], e[1])]
        assert not errors, (key, value, errors[:5])
        check = book.values["Inputs"].get((row, 7))
        assert check, (key, value)
        status = book.values["Inputs"].get((3, 10))
        assert f"{key}: {check}" in status, (key, value, status)
