"""Property: whatever a cell holds, no worksheet function raises or returns NaN.

Random text, None, NaN, infinities, negatives, huge numbers, booleans, dates, Excel error texts and nested or
jagged ranges are thrown at every argument of every function (plain calls, as after xlwings' conversion).
The answer must be a finite float, one line of text, or a rectangular table of those (and TRUE/FALSE).
Only CostModelError is turned into text, so any other exception here is a real bug.
"""

import datetime as dt
import inspect
import math

import pytest
from conftest import MADE_UP
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addin import udfs as u
from addin.cells import EXCEL_ERRORS
from costengine import SCENARIO_KEYS

WORDS = [
    "api",
    "cloud",
    "onprem",
    "bf16",
    "int4",
    "fp8",
    "fp4",
    "H100-SXM",
    "L4",
    "llama-3.1-8b",
    "llama-3.1-405b",
    "gpt-5-mini",
    "memory_gb",
    "layers",
    "output",
    "cash",
    "amortised",
    "key",
    "",
    "  ",
    "1e6",
    "-3",
    "nan",
    "inf",
    "per_second",
    "reserved",
]
SPECIAL = [
    0.0,
    -0.0,
    -1.0,
    -5.0,
    0.5,
    1.0,
    2.0,
    1e-300,
    1e300,
    -1e300,
    1.7976931348623157e308,
    1e12,
    1e15,
    float("nan"),
    float("inf"),
    float("-inf"),
]

scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.sampled_from(SPECIAL),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.text(max_size=8),
    st.sampled_from(WORDS),
    st.sampled_from(sorted(EXCEL_ERRORS)),
    st.datetimes(min_value=dt.datetime(1900, 1, 1)),
)
key = st.one_of(st.sampled_from(SCENARIO_KEYS), scalar)
ranges = st.lists(st.lists(st.one_of(key, scalar), max_size=5), max_size=6)  # jagged and empty ones too
nested = st.recursive(scalar, lambda inner: st.lists(inner, max_size=3), max_leaves=8)
value = st.one_of(scalar, scalar, ranges, nested)


@st.composite
def scenario(draw):
    """Random ranges, or the made-up scenario (as Excel would hold it) with a few cells spoiled."""
    if draw(st.booleans()):
        return draw(ranges)
    rows = [[k, float(v) if isinstance(v, (int, float)) else v] for k, v in MADE_UP.items()]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(rows) - 1))
        rows[i] = [draw(key), draw(scalar)]
    if draw(st.booleans()):
        rows.insert(0, ["key", "value", "unit"])  # a header and a jagged first row
    return rows


@st.composite
def ranges_table(draw):
    """Random tables, or a key | low | likely | high table with random cells."""
    if draw(st.booleans()):
        return draw(value)
    return [[draw(key), draw(scalar), draw(scalar), draw(scalar)] for _ in range(draw(st.integers(0, 3)))]


#: A valid value for each argument, so that one spoiled argument is met where the others are good.
GOOD = {
    "scenario": [[k, float(v) if isinstance(v, (int, float)) else v] for k, v in MADE_UP.items()],
    "ranges": [["key", "low", "likely", "high"], ["requests_per_month", 1e5, 1e6, 1e7]],
    "option_name": "cloud",
    "option_a": "api",
    "option_b": "onprem",
    "versus": "api",
    "view": "cash",
    "requests_per_month": 1e6,
    "from_requests": 1e3,
    "to_requests": 1e7,
    "points": 5.0,
    "swing": 0.2,
    "draws": 100.0,
    "prompt_tokens": 800.0,
    "output_tokens": 400.0,
    "input_price_per_mtok": 3.0,
    "output_price_per_mtok": 12.0,
    "cached_share": 0.2,
    "cached_price_per_mtok": 0.3,
    "fixed_a": 100.0,
    "per_request_a": 0.01,
    "fixed_b": 0.0,
    "per_request_b": 0.02,
    "params_billion": 8.0,
    "precision": "bf16",
    "gpu_memory_gb": 80.0,
    "memory_overhead": 1.2,
    "model": "llama-3.1-8b",
    "tokens": 1000.0,
    "gpu": "H100-SXM",
    "gpus": 1.0,
    "concurrency": 16.0,
    "trainable_fraction": 0.001,
    "optimizer_factor": 5.0,
    "words": 1000.0,
    "tokens_per_word": 1.33,
    "kind": "output",
    "provider": None,
    "tier": "flex",
    "field": "memory_gb",
    "max_ttft_s": 2.0,
    "max_tpot_ms": 100.0,
    ("LLM_PRICE", "model"): "gpt-5-mini",
    ("LLM_MODEL", "field"): "layers",
}


def argument(name):
    if name == "scenario":
        return scenario()
    if name == "ranges":
        return ranges_table()
    if name == "draws":  # keep the Monte Carlo small: its size is not what is under test here
        return st.one_of(scalar, st.sampled_from([1.0, 10.0, 100.0]))
    return value


def check_cell(v):
    if isinstance(v, bool) or isinstance(v, str):
        assert "\n" not in str(v)
        return
    assert type(v) is float, repr(v)
    assert math.isfinite(v), v


def check_result(got):
    if isinstance(got, list):
        assert got and all(isinstance(r, list) for r in got), got
        assert len({len(r) for r in got}) == 1, "ragged table"
        assert all(isinstance(h, str) for h in got[0]), "header row"
        for row in got:
            for v in row:
                check_cell(v)
    else:
        check_cell(got)


FUNCTIONS = [getattr(u, name) for name in u.__all__]


@pytest.mark.parametrize("fn", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_no_exception_and_no_nan(fn, data):
    params = list(inspect.signature(fn).parameters.items())
    n = data.draw(st.integers(min(1, len(params)), len(params)), label="arguments given")
    if any(p.default is inspect.Parameter.empty for _, p in params[n:]):
        n = len(params)  # required arguments are always given (Excel refuses the formula otherwise)
    spoil_all = data.draw(st.booleans(), label="every argument random")
    spoiled = data.draw(st.integers(0, max(n - 1, 0)), label="spoiled argument")
    args = []
    for i, (name, _) in enumerate(params[:n]):
        if spoil_all or i == spoiled:
            args.append(data.draw(argument(name), label=name))
        else:
            args.append(GOOD.get((fn.__name__, name), GOOD[name]))
    check_result(fn(*args))


def test_error_texts_start_with_the_marker():
    assert u.LLM_COST([["requests_per_month", float("inf")]], "api").startswith("#LLM! requests_per_month")
    assert u.LLM_WEIGHTS_GB([[1.0, 2.0]]).startswith("#LLM! params_billion must be a single value")
    assert u.LLM_CHEAPEST([[None, None, None]]) in ("api", "cloud", "onprem")  # an empty range = the defaults


@pytest.mark.parametrize("fn", FUNCTIONS, ids=[f.__name__ for f in FUNCTIONS])
def test_the_good_arguments_are_good(fn):
    """So that in the property test the spoiled argument is the one that is bad."""
    args = [GOOD.get((fn.__name__, name), GOOD[name]) for name in inspect.signature(fn).parameters]
    got = fn(*args)
    check_result(got)
    assert not (isinstance(got, str) and got.startswith("#LLM!")), got
