"""Every worksheet function of docs/excel-addin.md registers with xlwings, with its documentation, as Excel would
see it.

Runs xlwings' own Windows code (``xlfunc``/``xlarg`` metadata, ``generate_vba_wrapper``, ``import_udfs``
with its ``Application.MacroOptions`` calls) through tests/xlwings_harness.py.
"""

import inspect
import sys

import pytest
import xlwings as xw

import xlwings_harness as harness

MODULE = "addin.udfs"
CATEGORY = "LLM Cost"

#: docs/excel-addin.md "The functions": name -> (required arguments, optional arguments). Argument names differ
#: from the product's where its name is a VBA keyword (option -> option_name; from/to -> from_requests/
#: to_requests); LLM_PROJECTION and LLM_PAYBACK_MONTH add an optional on-prem cost ``view``.
SIGNATURES = {
    "LLM_COST": (["scenario", "option_name"], ["requests_per_month"]),
    "LLM_COST_PER_REQUEST": (["scenario", "option_name"], ["requests_per_month"]),
    "LLM_BREAKEVEN": (["scenario", "option_a", "option_b"], []),
    "LLM_CHEAPEST": (["scenario"], ["requests_per_month"]),
    "LLM_COMPARE": (["scenario"], ["requests_per_month"]),
    "LLM_CURVE": (["scenario"], ["from_requests", "to_requests", "points"]),
    "LLM_SCENARIO_KEYS": ([], []),
    "LLM_PROJECTION": (["scenario"], ["view"]),
    "LLM_PAYBACK_MONTH": (["scenario", "option_name"], ["versus", "view"]),
    "LLM_SENSITIVITY": (["scenario"], ["swing"]),
    "LLM_PROB_CHEAPEST": (["scenario", "ranges", "option_name"], ["draws"]),
    "LLM_API_COST": (
        ["requests_per_month", "prompt_tokens", "output_tokens", "input_price_per_mtok", "output_price_per_mtok"],
        ["cached_share", "cached_price_per_mtok"],
    ),
    "LLM_BREAKEVEN_LINEAR": (["fixed_a", "per_request_a", "fixed_b", "per_request_b"], []),
    "LLM_WEIGHTS_GB": (["params_billion"], ["precision"]),
    "LLM_GPUS_NEEDED": (["params_billion", "gpu_memory_gb"], ["precision", "memory_overhead"]),
    "LLM_KV_CACHE_GB": (["model", "tokens"], ["precision"]),
    "LLM_THROUGHPUT": (
        ["model", "gpu"],
        ["gpus", "precision", "concurrency", "prompt_tokens", "output_tokens", "max_ttft_s", "max_tpot_ms"],
    ),
    "LLM_LAYOUT": (["scenario", "option_name"], []),
    "LLM_HYBRID": (["scenario"], ["option_name"]),
    "LLM_FINETUNE_MEMORY_GB": (["params_billion"], ["trainable_fraction", "precision", "optimizer_factor"]),
    "LLM_TOKENS_FROM_WORDS": (["words"], ["tokens_per_word"]),
    "LLM_PRICE": (["model"], ["kind", "provider", "tier"]),
    "LLM_GPU": (["gpu", "field"], []),
    "LLM_MODEL": (["model", "field"], []),
}
TABLE_INPUTS = {"scenario", "ranges"}


@pytest.fixture(scope="module")
def udfs():
    return harness.load_udfs()


@pytest.fixture(scope="module")
def addin(udfs):
    return harness.load_udf_module(MODULE)


def registered(module):
    return {name: obj.__xlfunc__ for name, obj in vars(module).items() if hasattr(obj, "__xlfunc__")}


def test_every_product_function_registers_and_nothing_else(addin):
    assert set(registered(addin)) == set(SIGNATURES)
    import addin.udfs as plain

    assert sorted(plain.__all__) == sorted(SIGNATURES)


@pytest.mark.parametrize("name", sorted(SIGNATURES))
def test_signature_category_and_docs(addin, name):
    xlf = registered(addin)[name]
    required, optional = SIGNATURES[name]
    assert [a["name"] for a in xlf["args"]] == required + optional
    assert [a["name"] for a in xlf["args"] if "optional" in a] == optional
    assert all(a["optional"] is None for a in xlf["args"] if "optional" in a)  # blank = the documented default
    assert (xlf["category"], xlf["sub"], xlf["volatile"], xlf["async_mode"]) == (CATEGORY, False, False, None)
    # the description and each argument's description as the function wizard shows them (255 characters at most)
    assert xlf["ret"]["doc"] == inspect.getdoc(getattr(addin, name))
    assert 20 <= len(xlf["ret"]["doc"]) <= 255 and "\n" not in xlf["ret"]["doc"]
    assert xlf["ret"]["options"] == {}  # no legacy expand='table': tables spill as native dynamic arrays
    for a in xlf["args"]:
        assert not a["doc"].startswith("Positional argument"), a["name"]
        assert 10 <= len(a["doc"]) <= 255, a["name"]
        assert a["vba"] is None and not a["vararg"]
        assert a["options"].get("err_to_str") is True, a["name"]  # an error cell arrives as its text
        if a["name"] in TABLE_INPUTS:
            assert a["options"]["ndim"] == 2  # a single cell or a row still arrives as a 2-D list
        else:
            assert "ndim" not in a["options"] and "convert" not in a["options"]


def test_no_name_breaks_the_generated_vba(addin, udfs):
    assert harness.vba_name_problems(addin) == []
    # the check can fail: the product's own argument name `option` is a VBA keyword
    import types

    bad = types.ModuleType("bad")
    bad.F = udfs.xlfunc(lambda scenario, option: None)
    bad.F.__xlfunc__["name"] = "LLM_BAD"
    assert harness.vba_name_problems(bad) == ["LLM_BAD: argument 'option' is a reserved word in VBA"]


def test_generated_vba_has_one_function_per_udf(addin):
    vba = harness.generate_vba(MODULE, addin)
    lines = [line for line in vba.splitlines() if line.startswith("Function ")]
    expected = []
    for name in sorted(SIGNATURES):  # generate_vba_wrapper walks dir(module), i.e. sorted names
        required, optional = SIGNATURES[name]
        expected.append(f"Function {name}({', '.join(required + [f'Optional {o}' for o in optional])})")
    assert lines == expected
    assert vba.count("End Function") == len(SIGNATURES)
    assert (
        'LLM_COST = XLPy.CallUDF("addin.udfs", "LLM_COST", Array(scenario, option_name, requests_per_month), '
        "ThisWorkbook, Application.Caller)"
    ) in vba
    assert 'LLM_SCENARIO_KEYS = XLPy.CallUDF("addin.udfs", "LLM_SCENARIO_KEYS", Array()' in vba


def test_import_functions_registers_descriptions_with_macro_options(addin):
    wb = harness.import_udfs(MODULE, harness.FakeWorkbook("Costs.xlsm"))
    assert wb.removed == ["xlwings_udfs"]
    assert wb.imported_vba.startswith('Attribute VB_Name = "xlwings_udfs"')
    assert sorted(wb.macro_options) == sorted(f"'Costs.xlsm'!{n}" for n in SIGNATURES)
    for name, xlf in registered(addin).items():
        opts = wb.macro_options[f"'Costs.xlsm'!{name}"]
        assert opts["Description"] == xlf["ret"]["doc"]
        assert opts["Category"] == CATEGORY
        assert opts["ArgumentDescriptions"] == ([a["doc"] for a in xlf["args"]] or None)  # None: no arguments


def test_normal_import_is_left_alone(addin):
    import addin.udfs as plain

    assert plain.LLM_COST is not addin.LLM_COST
    assert not hasattr(plain.LLM_COST, "__xlfunc__")  # on Linux xw.func is a no-op
    assert xw.func is not harness.load_udfs().xlfunc
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client", "xlwings.udfs", "xlwings.com_server"):
        assert name not in sys.modules
    assert "excel" not in [e.name for e in xw.engines]


def test_xlwings_internals_still_there(udfs):
    """Fails loudly when an xlwings upgrade moves what the harness relies on (see tests/xlwings_harness.py)."""
    from xlwings import conversion, main

    def sig(f):
        return str(inspect.signature(f))

    assert sig(udfs.generate_vba_wrapper) == "(module_name, module, f, xl_workbook)"
    assert sig(udfs.import_udfs) == "(module_names, xl_workbook)"
    assert sig(udfs.call_udf) == "(module_name, func_name, args, this_workbook=None, caller=None)"
    assert sig(udfs.get_udf_module) == "(module_name, xl_workbook)"
    assert isinstance(udfs.udf_modules, dict) and isinstance(udfs.cache, dict)
    assert sig(conversion.read) == "(rng, value, options, engine_name=None)"
    assert sig(conversion.write).startswith("(value, rng, options, engine_name=None")
    assert {"engines", "engines_by_name"} <= set(vars(main.engines))
    assert harness.excel_engine_impl().name == "excel"
    assert xw.__version__ == harness.TESTED_WITH_XLWINGS, (
        "xlwings version changed: re-check the internals listed in tests/xlwings_harness.py, "
        "then bump harness.TESTED_WITH_XLWINGS"
    )


def test_decorator_order_keeps_the_category(udfs):
    """@xw.func must be outermost: xw.arg re-runs xlfunc() and would reset the category to "xlwings"."""

    @udfs.xlarg("x", doc="x")
    @udfs.xlfunc(category=CATEGORY)
    def WRONG(x):
        return x

    assert WRONG.__xlfunc__["category"] == "xlwings"
