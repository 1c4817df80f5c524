"""Each worksheet function hands the right values to the right engine call and shapes the answer for a cell.

Plain calls of addin.udfs (as the functions run once xlwings has converted the arguments); the numbers are
made up or derived by hand, catalog values are read from the catalog objects, never typed in.
"""

import math

import numpy as np
import pytest
from conftest import MADE_UP

from addin import udfs as u
from addin.decision import SENSITIVITY_HEADER
from costengine import Scenario, compare, cost_per_request, load_catalog, monthly_cost, plan_for, token_price
from costengine import projection as proj
from costengine.sensitivity import sensitivity
from costengine.token_prices import service_tiers
from costengine.uncertainty import prob_cheapest

MADE_UP_RANGE = [["key", "value"]] + [[k, float(v) if isinstance(v, (int, float)) else v] for k, v in MADE_UP.items()]


def made_up(**changes):
    return [["key", "value"]] + [[k, v] for k, v in {**MADE_UP, **changes}.items()]


def test_scenario_functions_match_the_engine():
    s = Scenario(**MADE_UP)
    for opt in ("api", "cloud", "onprem"):
        assert u.LLM_COST(MADE_UP_RANGE, opt) == monthly_cost(s, opt)
        assert u.LLM_COST(MADE_UP_RANGE, opt, 3e6) == monthly_cost(s, opt, 3e6)
        assert u.LLM_COST_PER_REQUEST(MADE_UP_RANGE, opt, 5e5) == cost_per_request(s, opt, 5e5)
    table = compare(s, 1e5)
    got = u.LLM_COMPARE(MADE_UP_RANGE, 1e5)
    for row in got[1:]:
        assert (
            row[1:6]
            == table.loc[row[0], ["monthly_cost", "cost_per_request", "cost_per_mtok", "gpus", "replicas"]].tolist()
        )


def test_cost_per_request_at_zero_volume_is_empty_not_nan():
    assert u.LLM_COST_PER_REQUEST(MADE_UP_RANGE, "api", 0.0) == ""


def test_api_cost_formula():
    # 2e6 requests x (800 x (0.75 x 3 + 0.25 x 0.3) + 400 x 12) / 1e6 = 2 x 6660 = 13,320
    assert u.LLM_API_COST(2e6, 800.0, 400.0, 3.0, 12.0, 0.25, 0.3) == pytest.approx(13_320, rel=1e-12)
    # blank cached price = the input price: caching changes nothing
    assert u.LLM_API_COST(2e6, 800.0, 400.0, 3.0, 12.0, 0.5) == pytest.approx(2 * (2400 + 4800), rel=1e-12)
    assert u.LLM_API_COST(2e6, 800.0, 400.0, 3.0, 12.0, 2.0) == "#LLM! cached_share must be <= 1 (got 2)"
    assert u.LLM_API_COST(None, 800.0, 400.0, 3.0, 12.0).startswith("#LLM! requests_per_month is required")


def test_breakeven_linear():
    # 1000 + 0.01 R = 0.05 R  ->  R = 1000 / 0.04 = 25,000
    assert u.LLM_BREAKEVEN_LINEAR(1000.0, 0.01, 0.0, 0.05) == pytest.approx(25_000, rel=1e-12)
    assert u.LLM_BREAKEVEN_LINEAR(0.0, 0.05, 1000.0, 0.01) == pytest.approx(25_000, rel=1e-12)  # symmetric
    assert u.LLM_BREAKEVEN_LINEAR(1000.0, 0.05, 0.0, 0.01) == "none"  # A dearer at every volume
    assert u.LLM_BREAKEVEN_LINEAR(500.0, 0.02, 500.0, 0.02) == 0.0  # equal everywhere
    assert u.LLM_BREAKEVEN_LINEAR(1000.0, 0.0, 0.0, 1e-10) == "none"  # crossing beyond 1e12 requests/month
    assert u.LLM_BREAKEVEN_LINEAR(-1.0, 0.0, 0.0, 1.0) == "#LLM! fixed_a must be >= 0 (got -1)"


@pytest.mark.parametrize(
    "precision, bytes_per_param",
    [
        (None, 2.0),
        ("bf16", 2.0),
        ("FP16", 2.0),
        ("fp32", 4.0),
        ("fp8", 1.0),
        ("int8", 1.0),
        ("int4", 0.5),
        (2.0, 2.0),
        (1.0, 1.0),
        (0.5, 0.5),
        (4.0, 4.0),
        ("0.5", 0.5),
    ],
)
def test_weights_gb_for_every_precision(precision, bytes_per_param):
    assert u.LLM_WEIGHTS_GB(13.0, precision) == 13.0 * bytes_per_param


def test_weights_gb_refuses_unknown_precisions():
    assert u.LLM_WEIGHTS_GB(13.0, 3.0) == "#LLM! precision: bytes per parameter must be 4, 2, 1 or 0.5 (got 3.0)"
    assert u.LLM_WEIGHTS_GB(13.0, "fp9").startswith("#LLM! precision must be one of fp32, bf16")
    assert u.LLM_WEIGHTS_GB(0.0) == "#LLM! params_billion must be > 0 (got 0)"


def test_gpus_needed():
    assert u.LLM_GPUS_NEEDED(70.0, 80.0) == 3.0  # 70 x 2 x 1.2 = 168 GB -> 3 x 80 GB
    # a memory rule of thumb, said in its description, which names the function that gives the planned layout
    assert "rule of thumb" in u.LLM_GPUS_NEEDED.__doc__ and "LLM_LAYOUT" in u.LLM_GPUS_NEEDED.__doc__
    assert u.LLM_GPUS_NEEDED(70.0, 80.0, "fp8") == 2.0  # 84 GB
    assert u.LLM_GPUS_NEEDED(40.0, 80.0, "bf16", 1.0) == 1.0  # exactly 80 GB fits one
    memory = load_catalog().gpu("L40S").memory_gb
    assert u.LLM_GPUS_NEEDED(70.0, "l40s") == math.ceil(70 * 2 * 1.2 / memory)  # a GPU id instead of GB
    assert u.LLM_GPUS_NEEDED(70.0, "L40").startswith("#LLM! gpu_memory_gb: unknown GPU 'L40'")
    assert u.LLM_GPUS_NEEDED(70.0, 80.0, None, 0.9) == "#LLM! memory_overhead must be >= 1 (got 0.9)"


def test_kv_cache_gb_from_the_model_architecture():
    m = load_catalog().model("llama-3.1-70b")
    per_token_16bit = 2 * m.layers * m.kv_heads * m.head_dim * 2
    assert u.LLM_KV_CACHE_GB("Llama-3.1-70B", 4096.0) == pytest.approx(per_token_16bit * 4096 / 1e9, rel=1e-12)
    assert u.LLM_KV_CACHE_GB("llama-3.1-70b", 4096.0, "fp8") == pytest.approx(per_token_16bit / 2 * 4096 / 1e9)
    assert u.LLM_KV_CACHE_GB("llama-3.1-70b", 4096.0, "int4") == u.LLM_KV_CACHE_GB("llama-3.1-70b", 4096.0)


def test_kv_cache_gb_at_fp4_regression_key_error():
    # regression: fp4 (or 0.5 bytes) raised a bare KeyError; 4-bit weights keep a 16-bit KV cache (PRECISIONS)
    sixteen = u.LLM_KV_CACHE_GB("llama-3.1-8b", 1000.0)
    assert u.LLM_KV_CACHE_GB("llama-3.1-8b", 1000.0, "fp4") == sixteen
    assert u.LLM_KV_CACHE_GB("llama-3.1-8b", 1000.0, 0.5) == sixteen
    assert u.LLM_KV_CACHE_GB("llama-9", 1.0).startswith("#LLM! model: unknown model 'llama-9'")


def test_throughput_agrees_with_the_cost_model():
    # the cost model's seconds per request comes from the same roofline: output tokens/s = o / s
    s = Scenario(model="llama-3.1-8b", cloud_gpu="H100-SXM", precision="fp8", prompt_tokens=600, output_tokens=300)
    seconds = float(plan_for(s).options["cloud"].seconds_per_request[0])
    got = u.LLM_THROUGHPUT("llama-3.1-8b", "H100-SXM", None, "fp8", None, 600.0, 300.0)
    assert got == pytest.approx(300 / seconds, rel=1e-12)
    fewer = u.LLM_THROUGHPUT("llama-3.1-8b", "H100-SXM", None, "fp8", 8.0, 600.0, 300.0)
    assert 0 < fewer < got  # fewer concurrent sequences, less throughput


def test_throughput_when_the_model_does_not_fit():
    got = u.LLM_THROUGHPUT("llama-3.1-70b", "L4", 1.0)
    assert got.startswith("#LLM! gpus: the model does not fit: one replica needs")
    assert u.LLM_THROUGHPUT("llama-3.1-8b", "H100-SXM", 1.5).startswith("#LLM! gpus must be a whole number")


def test_finetune_and_tokens():
    # seed 004: 70B in bf16 = 140 GB + 0.1% x 140 GB x 5 = 140.7 GB
    assert u.LLM_FINETUNE_MEMORY_GB(70.0) == pytest.approx(140.7, rel=1e-12)
    assert u.LLM_FINETUNE_MEMORY_GB(70.0, 0.01, "int4", 4.0) == pytest.approx(35 + 35 * 0.01 * 4, rel=1e-12)
    assert u.LLM_FINETUNE_MEMORY_GB(70.0, 1.5) == "#LLM! trainable_fraction must be <= 1 (got 1.5)"
    assert u.LLM_TOKENS_FROM_WORDS(1000.0) == pytest.approx(1330.0, rel=1e-12)
    assert u.LLM_TOKENS_FROM_WORDS(1000.0, 2.0) == 2000.0
    assert u.LLM_TOKENS_FROM_WORDS(-1.0) == "#LLM! words must be >= 0 (got -1.0)"


def test_price_hands_off_to_the_token_price_catalog():
    tp = token_price("gpt-5-mini")
    assert u.LLM_PRICE("gpt-5-mini") == tp.input
    for kind in ("input", "output", "cache_read", "cache_write"):
        assert u.LLM_PRICE("gpt-5-mini", kind) == getattr(tp, kind)
    assert u.LLM_PRICE("gpt-5-mini", "Cache Read") == tp.cache_read
    assert u.LLM_PRICE("gpt-5-mini", "output", tp.provider) == tp.output
    assert u.LLM_PRICE("gpt-5-mini", "batch") == (
        "#LLM! kind must be one of input, output, cache_read, cache_write (got 'batch')"
    )
    assert u.LLM_PRICE("no-such-model-xyz").startswith("#LLM! model: unknown model 'no-such-model-xyz'")
    flex = token_price("gpt-5-mini", None, 0.0, "api_model", "flex")  # the catalog's flex tier
    assert u.LLM_PRICE("gpt-5-mini", "output", None, "Flex") == flex.output != tp.output
    assert u.LLM_PRICE("gpt-5-mini", "input", None, "") == tp.input
    missing = [t for t in ("flex", "priority") if t not in service_tiers("claude-sonnet-4-5")][0]
    msg = u.LLM_PRICE("claude-sonnet-4-5", "input", None, missing)
    assert msg.startswith("#LLM! ") and "tier" in msg and f"no {missing} price" in msg and "standard" in msg
    assert "must be one of standard, flex, priority" in u.LLM_PRICE("gpt-5-mini", "input", None, "turbo")


def test_catalog_fields():
    gpu = load_catalog().gpu("H100-SXM")
    assert u.LLM_GPU("h100-sxm", "memory_gb") == gpu.memory_gb
    assert u.LLM_GPU("H100-SXM", "price") == gpu.price_usd  # LLM_GPU's short field name
    assert u.LLM_GPU("H100-SXM", "cloud_price_per_hour") == gpu.cloud_price_per_hour_usd
    assert u.LLM_GPU("H100-SXM", "as_of") == gpu.as_of  # text stays text
    assert u.LLM_GPU("H100-SXM", "speed").startswith("#LLM! field must be one of id, name, vendor, memory_gb")
    model = load_catalog().model("mixtral-8x7b")
    assert u.LLM_MODEL("Mixtral-8x7B", "active_params_billion") == model.active_params_billion
    assert u.LLM_MODEL("mixtral-8x7b", "layers") == float(model.layers)
    assert type(u.LLM_MODEL("mixtral-8x7b", "layers")) is float
    assert u.LLM_MODEL("mixtral-8x7b", "license") == model.license


def test_projection_and_payback_match_the_engine():
    rng = made_up(growth_rate_monthly=0.05, horizon_months=24)
    s = Scenario(**{**MADE_UP, "growth_rate_monthly": 0.05, "horizon_months": 24})
    df = proj.projection(s)
    cash = u.LLM_PROJECTION(rng)
    assert cash[0] == [
        "month",
        "requests",
        "api",
        "cloud",
        "onprem",
        "cumulative_api",
        "cumulative_cloud",
        "cumulative_onprem",
        "hybrid_cloud",
        "hybrid_onprem",
        "cumulative_hybrid_cloud",
        "cumulative_hybrid_onprem",
    ]
    assert len(cash) == 25
    assert [r[9] for r in cash[1:]] == df["hybrid_onprem_cash"].tolist()
    assert [r[8] for r in cash[1:]] == df["hybrid_cloud"].tolist()
    assert [r[4] for r in cash[1:]] == df["onprem_cash"].tolist()
    assert [r[7] for r in cash[1:]] == df["cumulative_onprem_cash"].tolist()
    assert [r[2] for r in cash[1:]] == df["api"].tolist()
    amortised = u.LLM_PROJECTION(rng, "Amortized")
    assert [r[4] for r in amortised[1:]] == df["onprem"].tolist()
    assert [r[11] for r in amortised[1:]] == df["cumulative_hybrid_onprem"].tolist()
    for opt, versus, view in [
        ("onprem", None, None),
        ("cloud", "api", "amortised"),
        ("onprem", "cloud", "cash"),
        ("hybrid_onprem", None, None),
        ("Hybrid-Cloud", "onprem", "amortised"),
    ]:
        want = proj.payback_month(s, opt, versus or "api", view or "cash")
        got = u.LLM_PAYBACK_MONTH(rng, opt, versus, view)
        assert got == ("none" if want is None else float(want))
    assert u.LLM_PAYBACK_MONTH(rng, "api", "api") == "#LLM! versus must differ from option_name (both 'api')"
    assert u.LLM_PROJECTION(rng, "yearly") == "#LLM! view must be one of cash, amortised (got 'yearly')"


def test_projection_without_growth_repeats_the_monthly_cost():
    rng = made_up(horizon_months=3)
    api = monthly_cost(Scenario(**MADE_UP), "api")
    got = u.LLM_PROJECTION(rng)
    assert [r[2] for r in got[1:]] == pytest.approx([api] * 3, rel=1e-12)
    assert [r[5] for r in got[1:]] == pytest.approx([api, 2 * api, 3 * api], rel=1e-12)


def test_sensitivity_table_matches_the_engine():
    s = Scenario(**MADE_UP)
    df = sensitivity(s, 0.1)
    got = u.LLM_SENSITIVITY(MADE_UP_RANGE, 0.1)
    assert got[0] == SENSITIVITY_HEADER
    assert [r[0] for r in got[1:]] == df["input"].tolist()
    first = dict(zip(SENSITIVITY_HEADER, got[1]))
    want = df.iloc[0]
    assert first["low"] == want["low"] and first["high"] == want["high"]
    assert first["onprem_change_high"] == want["onprem_change_high"]
    assert first["flips_cheapest"] is bool(want["flips_cheapest"])
    assert first["hybrid_onprem_change_high"] == want["hybrid_onprem_change_high"]
    assert u.LLM_SENSITIVITY(MADE_UP_RANGE, 1.0).startswith("#LLM! swing must be a number from 0 to below 1")


def test_prob_cheapest_matches_the_engine_and_reads_an_excel_ranges_table():
    s = Scenario(**MADE_UP)
    rows = [("requests_per_month", 1e4, 2e6, 2e7), ("seconds_per_request", 0.5, 1.5, 4.0)]
    excel = [
        ["key", "low", "likely", "high", "note"],
        [rows[0][0], *rows[0][1:], "volume"],
        [None, None, None, None, None],
        [rows[1][0], *rows[1][1:], None],
    ]
    for opt in ("api", "cloud", "onprem"):
        assert u.LLM_PROB_CHEAPEST(MADE_UP_RANGE, excel, opt, 2000.0) == prob_cheapest(s, rows, opt, 2000)
    total = sum(u.LLM_PROB_CHEAPEST(MADE_UP_RANGE, excel, o, 2000.0) for o in ("api", "cloud", "onprem"))
    assert total == pytest.approx(1.0, abs=1e-12)
    assert u.LLM_PROB_CHEAPEST(MADE_UP_RANGE, excel, "api", 1e6).startswith("#LLM! draws must be <= 100000")
    bad = [["requests_per_month", 3.0, 2.0, 1.0]]
    assert u.LLM_PROB_CHEAPEST(MADE_UP_RANGE, bad, "api").startswith("#LLM! requests_per_month: low must be <=")


def test_numbers_come_back_as_python_floats():
    values = [
        u.LLM_COST(MADE_UP_RANGE, "cloud"),
        u.LLM_WEIGHTS_GB(7.0),
        u.LLM_GPUS_NEEDED(70.0, 80.0),
        u.LLM_KV_CACHE_GB("llama-3.1-8b", 10.0),
        u.LLM_TOKENS_FROM_WORDS(3.0),
        u.LLM_BREAKEVEN(MADE_UP_RANGE, "api", "onprem"),
    ]
    assert all(type(v) is float for v in values)
    assert not any(isinstance(v, np.generic) for r in u.LLM_CURVE(MADE_UP_RANGE) for v in r)
