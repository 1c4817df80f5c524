"""Excel's specification limits, checked on every formula as the workbook is built (workbook/kit/limits.py).

The limits are Excel's ("Excel specifications and limits", Microsoft Support): 8,192 characters in a formula, 64
levels of nested functions, 255 arguments to a function; the build stays under each. No LibreOffice needed.
"""

import pytest

from costengine import Scenario
from workbook.builder import build_book
from workbook.kit import (
    ALLOWED_FUNCTIONS,
    LIMITS,
    Book,
    FormulaLimitError,
    check_formula,
    deepest_nesting,
    formula_shape,
    put,
    put_formula_column,
)
from workbook.xlsx.cells import formula_cells
from workbook.xlsx.template_cache import PROBE

#: The deepest nesting of function calls the built workbooks may have: well under Excel's 64, so a longer
#: rule list or a guard around a sheet does not bring a formula near the limit unnoticed (22 at Inputs!AO25 when
#: the catalog sheets' row checks were split into parts; 56 on the Models sheet before).
NESTING_BUDGET = 24


def _nested(levels: int) -> str:
    return "=" + "MAX(" * levels + "1" + ")" * levels


def _sheet():
    return Book.new(["Sheet 1"]).sheet("Sheet 1")


@pytest.fixture(scope="module")
def default_book():
    return build_book(Scenario())


def _every_formula_within_limits(book) -> int:
    """Check each formula cell of the built workbook (those of a shared column too); returns how many."""
    n = 0
    for ws in book.wb.worksheets:
        for ref, formula in formula_cells(ws):
            check_formula(formula, ws.title, ref)
            n += 1
    return n


def test_the_default_workbook_is_within_the_limits(default_book):
    assert _every_formula_within_limits(default_book) > 50_000


@pytest.mark.parametrize(
    "scenario",
    [
        PROBE,
        Scenario(
            currency="EUR",
            usd_to_currency=0.92,
            horizon_months=60,
            model="llama-3.3-70b",
            precision="fp8",
            cloud_gpu="H100-SXM",
            onprem_gpu="H100-SXM",
            cloud_billing="per_second",
        ),
    ],
    ids=["every-key-given", "eur-60-months-70b"],
)
def test_scenarios_are_within_the_limits(scenario):
    assert _every_formula_within_limits(build_book(scenario)) > 50_000


def test_the_deepest_nesting_of_the_default_workbook_is_reported(default_book, record_property, capsys):
    depth, where = deepest_nesting(default_book.wb)
    record_property("deepest_nesting", f"{depth} at {where}")
    with capsys.disabled():
        print(
            f"\ndeepest nesting of function calls: {depth} levels at {where} "
            f"(Excel's limit {LIMITS['nesting']}, budget {NESTING_BUDGET})"
        )
    assert 0 < depth <= NESTING_BUDGET, (depth, where)


@pytest.mark.parametrize(
    "formula, limit, value",
    [
        (_nested(64), "nesting", 64),
        ('="' + "x" * (8192 - 3) + '"', "length", 8192),
        ("=MAX(" + ",".join(["1"] * 255) + ")", "arguments", 255),
        ("=XLOOKUP(1,A1:A3,B1:B3)", "functions", "XLOOKUP"),
        ("=LET(x,1,x+1)", "functions", "LET"),
        ("=_xlfn.XLOOKUP(1,A1:A3,B1:B3)", "functions", "_XLFN.XLOOKUP"),
        ("=IF(A1,ATAN2(1,1),0)", "functions", "ATAN2"),  # named with its digits, though they are set aside for caching
    ],
)
def test_a_formula_just_past_a_limit_fails_naming_the_cell(formula, limit, value):
    ws = _sheet()
    with pytest.raises(FormulaLimitError) as exc:
        put(ws, "C7", formula)
    err = exc.value
    assert (err.sheet, err.cell, err.limit, err.value) == ("Sheet 1", "C7", limit, value)
    assert str(err).startswith("Sheet 1!C7: ") and str(value) in str(err)


@pytest.mark.parametrize(
    "formula",
    [
        _nested(63),
        '="' + "x" * (8191 - 3) + '"',
        "=MAX(" + ",".join(["1"] * 254) + ")",
    ],
)
def test_a_formula_just_under_each_limit_is_written(formula):
    ws = _sheet()
    assert put(ws, "C7", formula).value == formula


def test_a_filled_down_column_names_its_range():
    ws = _sheet()
    with pytest.raises(FormulaLimitError, match=r"^Sheet 1!D5:D900: .*LET"):
        put_formula_column(ws, 4, 5, 900, "=LET(x,A{r},x+B{p})")


def test_a_filled_down_column_is_checked_at_its_longest_row():
    formula = '="' + "x" * (8192 - 7) + '"&A{r}'  # 8,191 characters at row 9, 8,192 at row 10
    put_formula_column(_sheet(), 1, 2, 9, formula, "calc")
    with pytest.raises(FormulaLimitError, match="8192 characters"):
        put_formula_column(_sheet(), 1, 2, 10, formula, "calc")


def test_conditional_formats_and_validations_are_checked_when_the_book_finishes():
    from openpyxl.formatting.rule import FormulaRule

    book = Book.new(["Sheet 1"])
    book.sheet("Sheet 1").conditional_formatting.add("B2:B9", FormulaRule(formula=["XLOOKUP(1,A1:A3,B1:B3)>0"]))
    with pytest.raises(FormulaLimitError, match=r"^Sheet 1!B2:B9: .*XLOOKUP"):
        book.finish()


@pytest.mark.parametrize(
    "formula, nesting, arguments, functions",
    [
        (
            '=IF(A1>0,SUM({1,2;3,4}),"a,b(")',
            2,
            3,
            {"IF", "SUM"},
        ),  # commas of an array constant and a text: no arguments
        ("='It''s (x), y'!A1+MAX('My(S)'!B2,1)", 1, 2, {"MAX"}),  # quoted sheet names with brackets and quotes
        ('="say ""IF(""&MAX(1,2,3)', 1, 3, {"MAX"}),  # doubled quotes inside a text
        ("=SUMPRODUCT((A1:A3,B1:B3))", 1, 1, {"SUMPRODUCT"}),  # a union in brackets is one argument
        ("=ROW()", 1, 1, {"ROW"}),
        ("=A1+B2", 0, 0, set()),
    ],
)
def test_the_tokenizer_reads_texts_sheet_names_and_array_constants(formula, nesting, arguments, functions):
    shape = formula_shape(formula)
    assert (shape.nesting, shape.arguments, set(shape.functions)) == (nesting, arguments, functions)


@pytest.mark.parametrize("formula", ["=MAX(1", "=MAX(1))", "={1,2"])
def test_unpaired_brackets_are_refused(formula):
    with pytest.raises(ValueError, match="bracket"):
        formula_shape(formula)


def test_no_allowed_function_has_a_digit_in_its_name():
    # the cache reads formulas with their digits set aside (workbook/kit/limits.py), which needs this
    assert not any(ch.isdigit() for name in ALLOWED_FUNCTIONS for ch in name)


def test_the_row_checks_are_split_into_parts_that_keep_the_rules_in_order(default_book):
    """The first user row of Models: the hidden part cells right of the check column, then the check column, hold
    every message of the row's rules once, in the order of the rules (so the first problem found is the one a single
    chain finds)."""
    from costengine.catalogs import MODEL_COLUMNS
    from workbook.sheets.catalog_user import PART_NESTING, RULES, _row_rules

    ws = default_book.wb["Models"]
    headers = {c.value: c.column_letter for c in ws[1] if c.value}
    check = headers["check (your rows)"]
    parts = [col for label, col in headers.items() if label.startswith("check, part ")]
    assert len(parts) >= 2 and all(ws.column_dimensions[col].hidden for col in parts)
    marker = int(default_book.names["md_user_first"].rsplit("$", 1)[1])
    row = marker + 2  # the first user row, below the shipped rows and the marker
    text = "".join(ws[f"{col}{row}"].value for col in [*parts, check])
    messages = [m for _, m in _row_rules(RULES["md"], MODEL_COLUMNS, "Models", row, marker, "list_models")]
    where = [text.find(m) for m in messages]
    assert -1 not in where and where == sorted(where)
    assert all(formula_shape(ws[f"{col}{row}"].value).nesting <= PART_NESTING for col in [*parts, check])
