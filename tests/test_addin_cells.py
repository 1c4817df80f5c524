"""Excel values -> checked Python values (addin.cells): scenario ranges, single cells, results; messages."""

import datetime as dt
import math

import numpy as np
import pytest

from addin import cells, messages
from costengine import CostModelError, Scenario


def test_scenario_range_skips_header_blank_rows_and_extra_columns():
    rows = [
        ["Key", "Value", "Unit", "Note"],
        [None, None, None, None],
        ["requests_per_month", 5000.0, "requests/month", "ignored note"],
        ["  Prompt_Tokens ", 800.0, None, None],
        ["", "", "", "ignored"],
        ["precision", "FP8", None, None],
        ["seconds_per_request", None, None, None],
    ]  # blank value: default / derived
    s = cells.scenario(rows)
    assert s == Scenario(requests_per_month=5000, prompt_tokens=800, precision="fp8")
    assert s.seconds_per_request is None


def test_numbers_as_text_and_whole_numbers_from_xlwings_lite():
    s = cells.scenario([["requests_per_month", "1e6"], ["min_replicas", 3], ["hours_per_month", np.float64(700)]])
    assert (s.requests_per_month, s.min_replicas, s.hours_per_month) == (1e6, 3, 700.0)


def test_empty_range_gives_the_defaults():
    assert cells.scenario([[None, None], [None, None]]) == Scenario()


@pytest.mark.parametrize(
    "rows, text",
    [
        (
            [["requests_per_month", 1.0], ["requests_per_month", 2.0]],
            "requests_per_month is given twice (scenario row 1)",
        ),
        ([["requests_per_month", 1.0], [None, 5.0]], "scenario: row 2 has the value 5 but no key"),
        ([[3.0, 5.0]], "scenario: row 1: a key must be text (got 3)"),
        ([["prompt_tokens", True]], "prompt_tokens must be a number or text, not TRUE (scenario row 1)"),
        ([["prompt_tokens", dt.datetime(2024, 1, 1)]], "prompt_tokens must be a number or text, not a date"),
        ([["prompt_tokens", "#REF!"]], "prompt_tokens: the value cell shows #REF! (scenario row 1)"),
        ([["prompt_tokens", float("nan")]], "prompt_tokens must be a finite number (got nan) (scenario row 1)"),
        ([["prompt_tokens", [1.0, 2.0]]], "prompt_tokens must be a number or text, not a range"),
        ([["min_replicas", 1.5]], "min_replicas must be a whole number (got 1.5) (scenario row 1)"),
        ([["cloud_billing", "hourly"]], "cloud_billing must be one of always_on or per_second (got 'hourly')"),
        ([[None]], "scenario must be a range of 2 or more columns"),
    ],
)
def test_bad_scenario_cells_name_key_and_row(rows, text):
    with pytest.raises(CostModelError) as err:
        cells.scenario(rows)
    assert text in cells.message(err.value)


def test_several_problems_are_counted_on_one_line():
    with pytest.raises(CostModelError) as err:
        cells.scenario([["prompt_tokens", -1.0], ["output_tokens", -1.0], ["peak_to_average", 0.5]])
    msg = cells.message(err.value)
    assert msg == "#LLM! prompt_tokens must be >= 0 (got -1) (scenario row 1) (and 2 more problems)"


def test_parsed_scenarios_are_cached_on_the_cells():
    rows = [["requests_per_month", 1234.0], ["prompt_tokens", 10.0, "unit"]]
    first = cells.scenario(rows)
    # the same (key, value) cells, other notes: the cached object comes back without validation
    assert cells.scenario([["requests_per_month", 1234.0, "note"], ["prompt_tokens", 10.0]]) is first
    assert cells.scenario([["requests_per_month", 1235.0], ["prompt_tokens", 10.0]]) is not first
    # a bool equals 1 in Python: it must not hit the cache entry of the number 1
    cells.scenario([["min_replicas", 1.0]])
    with pytest.raises(CostModelError):
        cells.scenario([["min_replicas", True]])


@pytest.mark.parametrize(
    "value, kwargs, expected",
    [
        (5.0, {}, 5.0),
        (7, {}, 7.0),
        (" 12.5 ", {}, 12.5),
        ("1e3", {}, 1000.0),
        (np.int64(4), {}, 4.0),
        (None, {"default": 3.0}, 3.0),
        ("  ", {"default": None}, None),
        ([[2.0]], {}, 2.0),
        ([9.0], {}, 9.0),
    ],
)
def test_number_accepts_what_cells_hold(value, kwargs, expected):
    assert cells.number(value, "x", **kwargs) == expected


@pytest.mark.parametrize(
    "value, kwargs, text",
    [
        (None, {}, "x is required (the argument or cell is empty)"),
        ("abc", {}, "x must be a number (got 'abc')"),
        ("1_000", {}, "x must be a number (got '1_000')"),
        (True, {}, "x must be a number (got TRUE)"),
        (dt.date(2024, 1, 2), {}, "x must be a number (got the date 2024-01-02)"),
        (math.inf, {}, "x must be a finite number (got inf)"),
        ("nan", {}, "x must be a finite number (got 'nan')"),
        (-5.0, {"ge": 0}, "x must be >= 0 (got -5)"),
        (0.0, {"gt": 0}, "x must be > 0 (got 0)"),
        (2.0, {"le": 1}, "x must be <= 1 (got 2)"),
        (2.5, {"whole": True}, "x must be a whole number (got 2.5)"),
        ([1.0, 2.0], {}, "x must be a single value, not a range (2x1 cells)"),
        ([[1.0, 2.0], [3.0, 4.0]], {}, "x must be a single value, not a range (2x2 cells)"),
        ("#NUM!", {}, "x refers to a cell showing #NUM!"),
    ],
)
def test_number_refuses_with_a_message(value, kwargs, text):
    with pytest.raises(CostModelError) as err:
        cells.number(value, "x", **kwargs)
    assert cells.message(err.value) == f"#LLM! {text}"


def test_text_and_option():
    assert cells.text("  llama-3.1-8b ", "model") == "llama-3.1-8b"
    assert cells.text(None, "kind", "input") == "input"
    with pytest.raises(CostModelError, match="model: must be text"):
        cells.text(3.0, "model")
    assert cells.option(" On-Prem ", "versus") == "onprem"
    assert cells.option(None, "versus", "api") == "api"
    with pytest.raises(CostModelError, match="option_a: must be one of api, cloud, onprem"):
        cells.option(1.0, "option_a")


def test_run_returns_engine_errors_as_text_and_lets_bugs_through():
    def engine_error():
        raise CostModelError("swing", "must be a number from 0 to below 1 (got 2)")

    def bug():
        raise ZeroDivisionError("a real bug")

    assert cells.run(engine_error) == "#LLM! swing must be a number from 0 to below 1 (got 2)"
    with pytest.raises(ZeroDivisionError):
        cells.run(bug)


def test_message_is_one_line():
    exc = CostModelError("model", "unknown model 'x';\n closest: a, b")
    assert cells.message(exc) == "#LLM! model: unknown model 'x'; closest: a, b"
    assert cells.message(CostModelError(None, "no key here")) == "#LLM! no key here"


def test_results_for_cells():
    assert cells.out(np.float64(2.5)) == 2.5 and type(cells.out(np.float64(2.5))) is float
    assert cells.out(float("nan")) == ""
    assert cells.out(None) == ""
    with pytest.raises(CostModelError, match="too large"):
        cells.out(float("inf"))
    got = cells.table(["a", "b", "c"], [[np.float64(1), np.nan, np.True_], ["x", None, False]])
    assert got == [["a", "b", "c"], [1.0, "", True], ["x", "", False]]
    assert type(got[1][2]) is bool


def test_messages_stay_under_255_characters_and_shorten_long_user_text():
    """Regression: a 300-character bad argument was echoed in full (336 characters in one cell)."""
    from addin import udfs

    long_text = "x" * 300
    for got in (
        udfs.LLM_COST([["requests_per_month", 1]], long_text),
        udfs.LLM_COST([[long_text, 1]], "api"),
        udfs.LLM_GPU(long_text, "memory_gb"),
        udfs.LLM_PRICE(long_text),
        udfs.LLM_WEIGHTS_GB(long_text),
    ):
        assert got.startswith(cells.PREFIX) and len(got) <= cells.MAX_MESSAGE, got
        assert "x" * 41 not in got
    many = CostModelError("key", "problem " * 60)
    assert len(cells.message(many)) == cells.MAX_MESSAGE and cells.message(many).endswith("...")


def test_error_mode_by_platform_and_by_variable(monkeypatch):
    from addin import udfs

    monkeypatch.delenv("LLMCOST_ERRORS", raising=False)
    monkeypatch.delenv("XLWINGS_ON_SERVER", raising=False)
    assert cells.error_mode() == "text"
    assert udfs.LLM_WEIGHTS_GB(-1).startswith("#LLM! params_billion")
    monkeypatch.setenv("XLWINGS_ON_SERVER", "true")  # what xlwings Server sets before importing xlwings
    assert cells.error_mode() == "error"
    assert udfs.LLM_WEIGHTS_GB(-1) == "#VALUE!"
    monkeypatch.setenv("LLMCOST_ERRORS", "text")
    assert udfs.LLM_WEIGHTS_GB(-1).startswith("#LLM!")
    monkeypatch.delenv("XLWINGS_ON_SERVER")
    monkeypatch.setattr(messages.sys, "platform", "emscripten")  # xlwings Lite (Pyodide)
    monkeypatch.setenv("LLMCOST_ERRORS", "")
    assert cells.error_mode() == "error"


def test_whole_column_ranges_are_trimmed_fast():
    """Regression: ``=LLM_COST(A:B, ...)`` spent over a second of Python on 1,048,576 mostly empty rows."""
    import time

    rows = [["key", "value"], ["requests_per_month", 1e6], ["prompt_tokens", 1000.0]]
    rows += [[None, None] for _ in range(1_048_576 - len(rows))]
    rows[10] = [None, None]  # a blank row inside the used range stays a blank row
    start = time.perf_counter()
    trimmed = cells.used_rows(rows)
    elapsed = time.perf_counter() - start
    assert len(trimmed) == 3
    assert elapsed < 0.5  # about 20 ms on the 2-core development machine
    assert cells.scenario(rows) == cells.scenario(rows[:3])
    gap = [["a", 1.0]] + [[None, None]] * 100 + [["b", 2.0]] + [[None, None]] * 100
    assert len(cells.used_rows(gap)) == 102
    assert cells.used_rows([["a", 1.0], [None, None]]) == [["a", 1.0], [None, None]]  # short ranges: as they are
