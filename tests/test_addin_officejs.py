"""The worksheet functions through xlwings' Office.js code path: what xlwings Lite and xlwings Server run.

Both add-ins register the functions with ``custom_functions_meta(module)`` and call them with
``custom_functions_call(data, module)`` (``xlwings/pro/udfs_officejs.py``), converting arguments and results with
xlwings' ``officejs`` engine. These tests run that code on CPython: the functions decorated with the Office.js
``xw.func``/``xw.arg`` (what ``xlwings.server`` binds when ``XLWINGS_ON_SERVER=true``), called with the arguments as
the add-in's JavaScript sends them (every parameter a 2-D matrix, empty cells as ``""`` or ``null``, omitted
optional arguments as ``null``), the results converted as Excel receives them.

Not covered: the JavaScript side (Excel's custom-functions runtime, the HTTP or Pyodide bridge), Pyodide itself
(see ``bench/pyodide_wheel.mjs``), streaming and object handles (the functions use neither).

``xlwings.pro`` is under the PolyForm Noncommercial licence (or xlwings' commercial licence). The tests run only
when ``XLWINGS_LICENSE_KEY`` is set, the way xlwings asks users to declare their use: ``noncommercial`` (what
``.ci/run`` sets for this open-source project's CI) or a commercial key.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("XLWINGS_LICENSE_KEY"),
    reason="xlwings.pro (Office.js) needs XLWINGS_LICENSE_KEY: 'noncommercial' or a key",
)

RUNTIME = "1.4"  # CustomFunctionsRuntime of current Excel 365 / 2021 (error values as data types)


@pytest.fixture(scope="module")
def officejs():
    """A private copy of ``addin.udfs`` executed with the Office.js decorators, and xlwings' Office.js module."""
    import xlwings
    from xlwings.pro import udfs_officejs as ojs

    assert "officejs" in xlwings.engines.engines_by_name, "xlwings' officejs engine is not registered"
    real = {"func": ojs.xlfunc, "arg": ojs.xlarg, "ret": ojs.xlret}
    saved = {k: xlwings.__dict__[k] for k in real}
    xlwings.__dict__.update(real)
    try:
        spec = importlib.util.find_spec("addin.udfs")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        xlwings.__dict__.update(saved)
    return module, ojs


def call(officejs, name, *args, runtime=RUNTIME):
    """What the add-in's JavaScript sends for ``=NAME(args...)``, through xlwings' custom_functions_call."""
    import xlwings

    module, ojs = officejs
    n_params = len(getattr(module, name).__xlfunc__["args"])
    sent = [a if isinstance(a, list) and a and isinstance(a[0], list) else [[a]] for a in args]
    sent += [None] * (n_params - len(sent))  # omitted optional arguments arrive as null
    data = {
        "func_name": name,
        "args": sent,
        "version": xlwings.__version__,
        "client": "Office.js",
        "runtime": runtime,
        "caller_address": None,
        "content_language": "en-US",
    }
    return asyncio.run(ojs.custom_functions_call(data, module))


SCENARIO = [
    ["key", "value", "unit"],
    ["requests_per_month", 1_000_000, "requests/month"],  # Office.js sends whole numbers as int
    ["prompt_tokens", 1000, ""],
    ["output_tokens", 500, ""],
    ["api_input_price_per_mtok", 25, ""],
    ["api_output_price_per_mtok", 25, ""],
    ["seconds_per_request", "", "s"],  # an empty value cell: "" from Excel, None after xlwings
    ["", "", ""],  # a blank row
    ["api_model", None, None],
]  # null cells (Pyodide >= 0.28 sends JsNull, xlwings maps it to None)


def test_every_function_registers_with_its_descriptions_and_no_namespace(officejs):
    module, ojs = officejs
    meta = ojs.custom_functions_meta(module)
    names = [f["name"] for f in meta["functions"]]
    assert sorted(names) == sorted(module.__all__)  # the star import of main.py / custom_functions/ gets them all
    assert meta["allowErrorForDataTypeAny"] is True
    by_name = {f["name"]: f for f in meta["functions"]}
    cost = by_name["LLM_COST"]
    assert cost["description"].startswith("Monthly cost")
    assert [p["name"] for p in cost["parameters"]] == ["scenario", "option_name", "requests_per_month"]
    assert [p.get("optional", False) for p in cost["parameters"]] == [False, False, True]
    assert cost["parameters"][0]["description"] == module.SCENARIO
    assert all(len(f["description"]) <= 255 for f in meta["functions"])


def test_scenario_range_with_empty_cells_and_ints(officejs):
    # seed 000 (tests/test_worked_examples.py): 1M requests x 1500 tokens x 25 per MTok = 37,500 per month
    assert call(officejs, "LLM_COST", SCENARIO, "api") == [[37500.0]]
    assert call(officejs, "LLM_COST", SCENARIO, "API", 2_000_000) == [[75000.0]]
    assert call(officejs, "LLM_COST", SCENARIO, "api", "") == [[37500.0]]  # an optional argument on an empty cell


def test_tables_spill_as_2d_results(officejs):
    got = call(officejs, "LLM_COMPARE", SCENARIO)
    assert got[0][:3] == ["option", "monthly_cost", "cost_per_request"]
    assert [r[0] for r in got[1:]] == ["api", "cloud", "onprem"]
    assert all(len(r) == len(got[0]) for r in got)
    curve = call(officejs, "LLM_CURVE", SCENARIO, 1000, 1e6, 4)
    assert len(curve) == 5 and curve[0] == ["requests_per_month", "api", "cloud", "onprem"]
    keys = call(officejs, "LLM_SCENARIO_KEYS")
    assert keys[0] == ["key", "default", "unit", "meaning"] and len(keys) > 30


def test_scalars_without_a_scenario(officejs):
    assert call(officejs, "LLM_WEIGHTS_GB", 70, "fp8") == [[70.0]]
    assert call(officejs, "LLM_BREAKEVEN_LINEAR", 100, 0, 0, 1) == [[100.0]]
    assert call(officejs, "LLM_GPU", "h100-sxm", "memory_gb") == [[80.0]]


def test_bad_input_is_an_excel_error_value_under_office_js(officejs, monkeypatch):
    """The contract: a real #VALUE! (IFERROR catches it) under Lite/Server; the message goes to the log."""
    monkeypatch.delenv("LLMCOST_ERRORS", raising=False)
    monkeypatch.setenv("XLWINGS_ON_SERVER", "true")
    value_error = {"type": "Error", "errorType": "Value"}
    assert call(officejs, "LLM_COST", SCENARIO, "on prem") == [[value_error]]
    assert call(officejs, "LLM_WEIGHTS_GB", -1) == [[value_error]]
    assert call(officejs, "LLM_COST", SCENARIO, "on prem", runtime="1.3") == [["#VALUE!"]]  # older runtimes: text
    monkeypatch.setenv("LLMCOST_ERRORS", "text")
    got = call(officejs, "LLM_COST", SCENARIO, "on prem")
    assert got[0][0].startswith("#LLM! option_name must be one of")


def test_a_tall_range_with_an_empty_tail(officejs):
    # 2,000 rows: xlwings' own Office.js conversion took 9.7 s for 20,000 rows and minutes for a whole column here
    column = SCENARIO + [[None, None, None] for _ in range(2_000)]
    assert call(officejs, "LLM_COST", column, "api") == [[37500.0]]
