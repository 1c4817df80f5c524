"""Every serving precision through every function that takes one: a number, never an exception or an error cell.

One precision table (``costengine.serving.memory.PRECISIONS``) gives a precision's meaning; a number of bytes per
parameter (4, 2, 1, 0.5) stands for a name of it (``PRECISION_BY_BYTES``). Regression: ``fp4`` once raised a bare
KeyError in ``LLM_KV_CACHE_GB`` because a second table lacked it.
"""

from __future__ import annotations

import inspect
import math

import pytest

import addin.udfs as u
from costengine import Scenario, plan_for
from costengine.serving.memory import PRECISION_BY_BYTES, PRECISIONS

#: The other arguments of each worksheet function that takes a precision (made-up, small figures).
CALLS = {
    "LLM_WEIGHTS_GB": lambda p: u.LLM_WEIGHTS_GB(8.0, p),
    "LLM_GPUS_NEEDED": lambda p: u.LLM_GPUS_NEEDED(70.0, 80.0, p),
    "LLM_KV_CACHE_GB": lambda p: u.LLM_KV_CACHE_GB("llama-3.1-8b", 1000.0, p),
    "LLM_THROUGHPUT": lambda p: u.LLM_THROUGHPUT("llama-3.1-8b", "H100-SXM", 1.0, p, 8.0),
    "LLM_FINETUNE_MEMORY_GB": lambda p: u.LLM_FINETUNE_MEMORY_GB(8.0, None, p),
}
#: Every way a precision can be given: each name, in two cases, and each number of bytes.
SPELLINGS = [*PRECISIONS, *(name.upper() for name in PRECISIONS), *PRECISION_BY_BYTES]


def test_the_table_covers_every_function_that_takes_a_precision():
    takes = {name for name in u.__all__ if "precision" in inspect.signature(getattr(u, name)).parameters}
    assert takes == set(CALLS)


@pytest.mark.parametrize("function", sorted(CALLS))
@pytest.mark.parametrize("precision", SPELLINGS, ids=str)
def test_every_precision_gives_a_number(function, precision):
    value = CALLS[function](precision)
    assert isinstance(value, float) and math.isfinite(value) and value > 0, (function, precision, value)


@pytest.mark.parametrize("function", sorted(CALLS))
def test_a_number_of_bytes_means_its_name(function):
    for number, name in PRECISION_BY_BYTES.items():
        assert CALLS[function](number) == CALLS[function](name) == CALLS[function](name.upper()), (function, number)


@pytest.mark.parametrize("precision", SPELLINGS, ids=str)
def test_every_precision_plans_a_scenario(precision):
    s = Scenario(model="llama-3.1-8b", precision=precision, cloud_gpu="H100-SXM", onprem_gpu="H100-SXM")
    p = plan_for(s)
    for option in ("cloud", "onprem"):
        assert math.isfinite(p.options[option].seconds_per_request[0]) and p.options[option].seconds_per_request[0] > 0


def test_an_unknown_precision_is_a_one_line_message():
    for function, call in CALLS.items():
        got = call("fp6")
        assert isinstance(got, str) and got.startswith("#LLM! precision") and "\n" not in got, (function, got)
