"""Scenario validation: bounds, enumerations, blanks, unknown keys (docs/model.md#scenario-keys)."""

import math

import pytest
from pydantic import ValidationError

from costengine import SCENARIO_KEYS, CostModelError, Scenario, key_info

PRODUCT_KEYS = """requests_per_month prompt_tokens output_tokens peak_to_average currency usd_to_currency api_model
api_input_price_per_mtok api_output_price_per_mtok api_cached_input_share api_cached_input_price_per_mtok
api_batch_share api_batch_discount api_monthly_fixed model model_params_billion precision memory_overhead
seconds_per_request target_utilization min_replicas hours_per_month staff_monthly cloud_gpu cloud_price_per_gpu_hour
cloud_gpus_per_replica cloud_billing cloud_monthly_overhead onprem_gpu onprem_gpus_per_server onprem_capex_per_server
onprem_amortization_months onprem_interest_rate onprem_maintenance_monthly onprem_power_kw onprem_pue
onprem_price_per_kwh growth_rate_monthly horizon_months discount_rate_annual max_ttft_s max_tpot_ms cloud_staff_fte
onprem_staff_fte staff_cost_per_fte_year cloud_offer cloud_pricing onprem_server onprem_colo_per_kw_month
onprem_gpus_per_replica load_profile redundancy workload reasoning_tokens api_reasoning_tokens api_cache_write_share
cloud_region cloud_tier api_service_tier
""".split()
#: Keys the product's key table leaves to prose: spot's spare capacity (docs/model.md#cloud-cost), the cache-write
#: price (the API formula's Pwrite, docs/model.md#api-cost), the scale-down window and cold start that replace the
#: offer catalog's (docs/model.md#per-second-billing).
PROSE_KEYS = [
    "cloud_spot_spare",
    "api_cache_write_price_per_mtok",
    "serverless_window_s",
    "serverless_cold_start_s",
]


def test_every_product_key_and_no_other():
    assert sorted(SCENARIO_KEYS) == sorted(PRODUCT_KEYS + PROSE_KEYS)


def test_every_key_has_unit_and_meaning():
    for row in key_info():
        assert row["unit"] and row["meaning"], row["key"]


@pytest.mark.parametrize(
    "key, value, words",
    [
        ("requests_per_month", -5, "must be >= 0 (got -5)"),
        ("prompt_tokens", -1, "must be >= 0"),
        ("api_input_price_per_mtok", -0.1, "must be >= 0"),
        ("api_cached_input_share", 1.5, "must be <= 1"),
        ("api_batch_share", -0.2, "must be >= 0"),
        ("target_utilization", 0, "must be > 0"),
        ("target_utilization", 1.01, "must be <= 1"),
        ("peak_to_average", 0.5, "must be >= 1"),
        ("precision", "fp9", "must be one of fp32, bf16, fp16, fp8, int8, fp4 or int4"),
        ("cloud_billing", "monthly", "must be one of always_on or per_second"),
        ("min_replicas", 2.5, "must be a whole number"),
        ("prompt_tokens", "many", "must be a number (got 'many')"),
        ("requests_per_month", math.nan, "must be a finite number"),
        ("requests_per_month", math.inf, "must be a finite number"),
        ("model", 7, "must be text"),
    ],
)
def test_bad_value_names_key_and_rule(key, value, words):
    with pytest.raises(CostModelError) as err:
        Scenario(**{key: value})
    assert err.value.key == key
    assert words in str(err.value)
    assert str(err.value).startswith(f"{key}: ")


def test_unknown_key_suggests_closest():
    with pytest.raises(CostModelError) as err:
        Scenario(request_per_month=10)
    assert err.value.key == "request_per_month"
    assert "did you mean requests_per_month?" in str(err.value)


def test_several_problems_are_all_reported():
    with pytest.raises(CostModelError) as err:
        Scenario(requests_per_month=-1, api_batch_share=2)
    keys = [k for k, _ in err.value.problems]
    assert keys == ["requests_per_month", "api_batch_share"]


def test_blank_means_default_or_derive():
    s = Scenario.parse({"requests_per_month": "", "seconds_per_request": None, " Prompt_Tokens ": 10})
    assert s.requests_per_month == Scenario().requests_per_month
    assert s.seconds_per_request is None
    assert s.prompt_tokens == 10


def test_excel_floats_and_text_numbers_are_accepted():
    s = Scenario.parse(
        {"min_replicas": 3.0, "requests_per_month": "1500", "precision": 1.0, "cloud_billing": "Per-Second"}
    )
    assert s.min_replicas == 3 and s.requests_per_month == 1500
    assert s.precision == "fp8" and s.cloud_billing == "per_second"


def test_duplicate_key_is_an_error():
    with pytest.raises(CostModelError, match="requests_per_month: is given twice"):
        Scenario.parse({"requests_per_month": 1, "REQUESTS_PER_MONTH": 2})


def test_scenario_is_immutable_and_hashable():
    s = Scenario()
    with pytest.raises(ValidationError):
        s.requests_per_month = 5  # type: ignore[misc]
    assert hash(s) == hash(Scenario())
    assert s.replace(requests_per_month=5).requests_per_month == 5


def test_old_billing_name_and_no_target():
    assert Scenario(cloud_billing="reserved").cloud_billing == "always_on"
    assert Scenario(cloud_billing="Per-Second").cloud_billing == "per_second"
    s = Scenario(max_tpot_ms="none", max_ttft_s=0)
    assert s.max_tpot_ms == 0 and s.max_ttft_s == 0  # 0 = no target
    assert s.replace(min_replicas=1).max_tpot_ms == 0  # kept through a copy
    assert Scenario().max_tpot_ms is None and Scenario().targets() == (0.45, 40)  # blank: the workload's (chat)
    assert Scenario(min_replicas=0).min_replicas == 0  # scale to zero
