"""The worksheet functions called the way Excel calls them: through xlwings' own ``call_udf``.

Arguments go through ``conversion.read`` (cell references as COM delivers them: floats, None for empty
cells, error codes for error cells, datetimes) and results through ``conversion.write``, so each test
sees exactly what Excel would get back. Expected values come from the seed articles' arithmetic.
"""

import datetime as dt
import math

import pytest
from test_worked_examples import SEED_000

from costengine import SCENARIO_KEYS

import xlwings_harness as harness

MODULE = "addin.udfs"
NA, DIV0 = -2146826246, -2146826281  # how COM hands over #N/A and #DIV/0! cells

# seed 000 (see tests/test_worked_examples.py): 1M requests of 1000 + 500 tokens at 25 EUR/MTok,
# cloud 0.10 EUR per GPU-minute at 2 s per request + 2000 EUR/month, on-prem 2500 EUR/month
API_PER_REQUEST = 0.0375
CLOUD_PER_REQUEST = 2 / 60 * 0.10


@pytest.fixture(scope="module", autouse=True)
def addin():
    return harness.load_udf_module(MODULE)


def seed_range(**changes):
    """The seed 000 scenario as an Inputs range: header, key | value | unit | note, blank rows between."""
    data = {**SEED_000, **changes}
    rows = [("key", "value", "unit", "note")]
    for i, (k, v) in enumerate(data.items()):
        number = isinstance(v, (int, float)) and v not in (NA, DIV0)  # COM hands errors over as int codes
        value = float(v) if number else v  # Excel numbers are floats
        rows.append((k, value, "", "seed 000"))
        if i % 5 == 4:
            rows.append((None, None, None, None))  # blank rows are skipped
    return harness.XlRange(rows)


def call(name, *args):
    return harness.call_udf(MODULE, name, *args)


def test_seed_000_costs_through_a_scenario_range():
    inputs = seed_range()
    assert call("LLM_COST", inputs, "api") == [[pytest.approx(1e6 * API_PER_REQUEST, rel=1e-12)]]
    assert call("LLM_COST", inputs, "onprem") == [[pytest.approx(2500, rel=1e-12)]]
    cloud = call("LLM_COST", inputs, "Cloud")  # option names are case-insensitive
    assert cloud == [[pytest.approx(1e6 * CLOUD_PER_REQUEST + 2000, rel=1e-12)]]
    assert type(cloud[0][0]) is float
    assert call("LLM_COST_PER_REQUEST", inputs, "api") == [[pytest.approx(API_PER_REQUEST, rel=1e-12)]]
    assert call("LLM_COST_PER_REQUEST", inputs, "onprem") == [[pytest.approx(0.0025, rel=1e-12)]]
    # at another volume (a literal argument): 20,000 requests
    assert call("LLM_COST", inputs, "api", 20_000.0) == [[pytest.approx(20_000 * API_PER_REQUEST, rel=1e-12)]]


def test_seed_000_ranking_and_breakevens():
    inputs = seed_range()
    assert call("LLM_CHEAPEST", inputs) == [["onprem"]]
    assert call("LLM_CHEAPEST", inputs, 20_000.0) == [["api"]]  # the article: API below ~100k/month
    assert call("LLM_BREAKEVEN", inputs, "api", "cloud") == [
        [pytest.approx(2000 / (API_PER_REQUEST - CLOUD_PER_REQUEST), rel=1e-12)]
    ]
    assert call("LLM_BREAKEVEN", inputs, "api", "onprem") == [[pytest.approx(2500 / API_PER_REQUEST, rel=1e-12)]]
    assert call("LLM_BREAKEVEN", inputs, "cloud", "onprem") == [[pytest.approx(500 / CLOUD_PER_REQUEST, rel=1e-12)]]


def test_no_crossing_shows_none():
    # a dearer on-prem with no per-request cost advantage: API at 0 per token never costs more
    inputs = seed_range(api_input_price_per_mtok=0, api_output_price_per_mtok=0)
    assert call("LLM_BREAKEVEN", inputs, "api", "onprem") == [["none"]]
    assert call("LLM_BREAKEVEN_LINEAR", 100.0, 1.0, 200.0, 1.0) == [["none"]]


def test_compare_spills_a_header_and_one_row_per_option():
    got = call("LLM_COMPARE", seed_range())
    assert got[0] == [
        "option",
        "monthly_cost",
        "cost_per_request",
        "cost_per_mtok",
        "gpus",
        "replicas",
        "utilization",
        "gpus_per_replica",
        "units",
        "batch",
        "ttft_s",
        "tpot_ms",
        "offer",
        "status",
        "usage_cost",
        "capital_cost",
        "running_cost",
        "overhead_cost",
        "staff_cost",
        "serving_basis",
    ]
    assert [r[0] for r in got[1:]] == ["api", "cloud", "onprem"]
    assert {len(r) for r in got} == {20}
    assert [r[13] for r in got[1:]] == ["ok", "ok", "ok"]
    api, cloud, onprem = got[1:]
    assert api[1:4] == [pytest.approx(37_500), pytest.approx(API_PER_REQUEST), pytest.approx(25.0)]
    assert api[6] == ""  # utilisation means nothing for the API: NaN arrives as an empty-looking cell
    # 1M requests x 2 s on one replica of 730 h: 76.1% busy; the seed's server has 2 GPUs
    assert onprem[4:7] == [2.0, 1.0, pytest.approx(2e6 / (730 * 3600), rel=1e-12)]
    assert cloud[1] == pytest.approx(1e6 * CLOUD_PER_REQUEST + 2000, rel=1e-12)
    assert all(type(v) is float for r in got[1:] for v in r[1:12] if v != "")
    assert [r[12] for r in got[1:]] == ["", "", ""]  # typed prices and servers: no catalog offer or server


def test_curve_is_log_spaced_with_the_costs_at_each_volume():
    got = call("LLM_CURVE", seed_range(), 1_000.0, 1_000_000.0, 4.0)
    assert got[0] == ["requests_per_month", "api", "cloud", "onprem"]
    volumes = [r[0] for r in got[1:]]
    assert volumes == [pytest.approx(v, rel=1e-12) for v in (1e3, 1e4, 1e5, 1e6)]
    for r, api, cloud, onprem in got[1:]:
        assert api == pytest.approx(r * API_PER_REQUEST, rel=1e-12)
        assert cloud == pytest.approx(r * CLOUD_PER_REQUEST + 2000, rel=1e-12)
        assert onprem == pytest.approx(2500, rel=1e-12)
    # left-out arguments (VBA's "missing" value) take the defaults: 50 points from 1e3 to 1e8
    default = call("LLM_CURVE", seed_range())
    assert len(default) == 51 and default[1][0] == pytest.approx(1e3) and default[-1][0] == pytest.approx(1e8)


def test_scenario_keys_table():
    got = call("LLM_SCENARIO_KEYS")
    assert got[0] == ["key", "default", "unit", "meaning"]
    assert [r[0] for r in got[1:]] == list(SCENARIO_KEYS)
    by_key = {r[0]: r for r in got[1:]}
    assert by_key["hours_per_month"][1] == 730.0
    assert by_key["seconds_per_request"][1] == ""  # blank default: derived
    assert by_key["precision"][1] == ""  # blank default: the model's native format


def test_empty_cell_for_an_optional_argument_means_blank():
    inputs = seed_range()
    assert call("LLM_COST", inputs, "api", harness.XlRange([[None]])) == call("LLM_COST", inputs, "api")


def test_error_cells_name_the_argument_or_key():
    got = call("LLM_COST", seed_range(), "api", harness.XlRange([[DIV0]]))
    assert got == [["#LLM! requests_per_month refers to a cell showing #DIV/0!"]]
    got = call("LLM_COST", seed_range(prompt_tokens=NA), "api")[0][0]
    assert got.startswith("#LLM! prompt_tokens: the value cell shows #N/A (scenario row")


def test_bad_values_name_the_key_and_row():
    got = call("LLM_COST", seed_range(), "api", -5.0)
    assert got == [["#LLM! requests_per_month must be >= 0 (got -5)"]]
    got = call("LLM_COST", harness.XlRange([("prompt_tokens", -5.0), ("output_tokens", 10.0)]), "api")
    assert got == [["#LLM! prompt_tokens must be >= 0 (got -5) (scenario row 1)"]]
    got = call("LLM_COST", harness.XlRange([("output_tokens", 10.0), ("promt_tokens", 5.0)]), "api")[0][0]
    assert got == "#LLM! promt_tokens: unknown key; did you mean prompt_tokens? (scenario row 2)"
    got = call("LLM_COST", seed_range(), "option")
    assert got == [["#LLM! option_name must be one of api, cloud, onprem (got 'option')"]]
    got = call("LLM_COST", seed_range(requests_per_month=dt.datetime(2024, 5, 1)), "api")[0][0]
    assert got.startswith("#LLM! requests_per_month must be a number or text, not a date (scenario row")


def test_single_cell_and_single_row_scenarios_arrive_two_dimensional():
    # ndim=2: a 1x2 range is one row, not a flat list
    got = call("LLM_COST", harness.XlRange([("requests_per_month", 0.0)]), "api")
    assert got == [[0.0]]
    got = call("LLM_COST", harness.XlRange([[5.0]]), "api")
    assert got == [["#LLM! scenario must be a range of 2 or more columns: key | value (| unit | note ...)"]]


def test_formulas_without_a_scenario():
    assert call("LLM_API_COST", 1e6, 1000.0, 500.0, 25.0, 25.0) == [[pytest.approx(37_500, rel=1e-12)]]
    assert call("LLM_BREAKEVEN_LINEAR", 2000.0, CLOUD_PER_REQUEST, 0.0, API_PER_REQUEST) == [
        [pytest.approx(2000 / (API_PER_REQUEST - CLOUD_PER_REQUEST), rel=1e-12)]
    ]
    assert call("LLM_WEIGHTS_GB", 70.0) == [[140.0]]  # seed 004: Llama 2 70B in bf16
    assert call("LLM_WEIGHTS_GB", 70.0, 0.5) == [[35.0]]  # precision as bytes per parameter
    assert call("LLM_GPUS_NEEDED", 70.0, 80.0) == [[3.0]]  # 168 GB on 80 GB GPUs
    assert call("LLM_FINETUNE_MEMORY_GB", 70.0) == [[pytest.approx(140.7, rel=1e-12)]]  # seed 004
    assert call("LLM_TOKENS_FROM_WORDS", 1000.0, 2.0) == [[2000.0]]


def test_results_are_already_what_excel_receives():
    """conversion.write leaves every result unchanged: only float, str and bool, no NaN, rectangular."""
    inputs = seed_range()
    for name, args in [
        ("LLM_COMPARE", (inputs,)),
        ("LLM_CURVE", (inputs, 1e3, 1e6, 5.0)),
        ("LLM_PROJECTION", (inputs,)),
        ("LLM_SCENARIO_KEYS", ()),
    ]:
        got = call(name, *args)
        assert harness.xl_write(got) == got
        assert len({len(r) for r in got}) == 1
        for v in (v for r in got for v in r):
            assert isinstance(v, (float, str, bool)) and not (isinstance(v, float) and math.isnan(v))


#: The seed with the cloud on a 1-GPU L4 replica of a 70B model: the cloud cannot hold it (layout derived).
CLOUD_TOO_SMALL = dict(seconds_per_request=None, cloud_gpu="L4", cloud_gpus_per_replica=1, model="llama-3.3-70b")


@pytest.mark.parametrize("mode", ["text", "error"])
def test_an_infeasible_cloud_says_so_and_leaves_the_others_computed(monkeypatch, mode):
    monkeypatch.setenv("LLMCOST_ERRORS", mode)  # the text is the answer in both modes, not an error value
    inputs = seed_range(**CLOUD_TOO_SMALL)
    got = call("LLM_COMPARE", inputs)
    api, cloud, onprem = got[1:]
    assert api[1] == pytest.approx(37_500, rel=1e-12) and api[13] == "ok"
    assert onprem[1] == pytest.approx(5_000, rel=1e-12) and onprem[13] == "ok"
    assert cloud[1:6] == ["", "", "", "", ""]
    assert cloud[13].startswith("not feasible: the model does not fit: one replica needs ") and "L4" in cloud[13]
    (msg,) = call("LLM_COST", inputs, "cloud")[0]
    assert msg.startswith("not feasible: cloud: the model does not fit") and len(msg) < 255
    assert call("LLM_COST_PER_REQUEST", inputs, "cloud")[0][0] == msg
    assert call("LLM_BREAKEVEN", inputs, "api", "cloud")[0][0] == msg
    assert call("LLM_COST", inputs, "onprem") == [[pytest.approx(5_000, rel=1e-12)]]
    assert call("LLM_CHEAPEST", inputs) == [["onprem"]]
