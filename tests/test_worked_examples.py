"""The seed articles' worked examples, reproduced with their own inputs.

Seed 000 (Spanish, "Alojar tu propio modelo abierto o utilizar modelos cerrados a traves de API"):
1M requests/month of 1000 prompt + 500 output tokens.
- API: 0.0375 EUR per request (average of 0.045 and 0.03) -> 25 EUR/MTok on every token.
- On-prem: 45,000 EUR server, 2,500 EUR/month maintenance and electricity, capex left out of the monthly figure.
- Cloud: 0.10 EUR per GPU-minute (6 EUR/h), 2 s per request, 2,000 EUR/month of storage and admin, pay per use
  (per-second billing with no warm replica: min_replicas = 0).
Seed 004 (French, on self-hosting Llama 2 70B): 140 GB of weights in bf16; a serving instance at about
3.70 $/h is ~2,700 $/month, 5,400 $/month with a redundant replica.
"""

import pytest

from costengine import Scenario, breakeven, cheapest, compare, cost_per_request, monthly_cost
from costengine.serving.memory import weights_gb

SEED_000 = dict(
    currency="EUR",
    requests_per_month=1_000_000,
    prompt_tokens=1000,
    output_tokens=500,
    api_input_price_per_mtok=25,
    api_output_price_per_mtok=25,
    api_batch_share=0,
    api_cached_input_share=0,
    seconds_per_request=2,
    peak_to_average=1,
    target_utilization=1,
    min_replicas=0,
    staff_monthly=0,
    cloud_billing="per_second",
    cloud_price_per_gpu_hour=6.0,
    cloud_gpus_per_replica=1,
    cloud_monthly_overhead=2000,
    onprem_capex_per_server=45_000,
    onprem_amortization_months=0,
    onprem_maintenance_monthly=2500,
    onprem_price_per_kwh=0,
    onprem_gpus_per_server=2,
    onprem_power_kw=1.0,
)


def test_seed_000_three_options_at_one_million():
    s = Scenario(**SEED_000)
    # API: 0.0375 EUR/request x 1M = 37,500 EUR
    assert monthly_cost(s, "api") == pytest.approx(37_500, rel=1e-12)
    assert cost_per_request(s, "api") == pytest.approx(0.0375, rel=1e-12)
    # On-prem: maintenance + electricity 2,500 EUR -> 0.0025 EUR/request
    assert monthly_cost(s, "onprem") == pytest.approx(2_500, rel=1e-12)
    assert cost_per_request(s, "onprem") == pytest.approx(0.0025, rel=1e-12)
    # Cloud: (2 s / 60 s) x 0.10 EUR = 0.00333 EUR/request + 2,000 EUR/month -> 0.00533 EUR/request
    assert cost_per_request(s, "cloud") == pytest.approx(2 / 60 * 0.10 + 0.002, rel=1e-12)
    assert cheapest(s) == "onprem"


def test_seed_000_ranking_by_volume():
    # the article: API below ~100k requests/month, cloud in between, local above ~1M
    s = Scenario(**SEED_000)
    assert cheapest(s, 20_000) == "api"
    # break-evens: API = cloud at 2000 / (0.0375 - 0.003333); API = on-prem at 2500 / 0.0375
    assert breakeven(s, "api", "cloud") == pytest.approx(2000 / (0.0375 - 2 / 60 * 0.10), rel=1e-12)
    assert breakeven(s, "api", "onprem") == pytest.approx(2500 / 0.0375, rel=1e-12)
    assert breakeven(s, "cloud", "onprem") == pytest.approx(500 / (2 / 60 * 0.10), rel=1e-12)


def test_seed_004_weights_and_reserved_instance():
    assert weights_gb(70, 2) == 140.0
    s = Scenario(
        seconds_per_request=10,
        cloud_billing="reserved",
        cloud_price_per_gpu_hour=3.70,
        cloud_gpus_per_replica=1,
        min_replicas=1,
        cloud_monthly_overhead=0,
        staff_monthly=0,
        requests_per_month=1000,
        hours_per_month=730,
    )
    assert monthly_cost(s, "cloud") == pytest.approx(3.70 * 730, rel=1e-12)  # ~2,700 $/month
    assert 2_650 < monthly_cost(s, "cloud") < 2_750
    redundant = s.replace(min_replicas=2)
    assert monthly_cost(redundant, "cloud") == pytest.approx(2 * 3.70 * 730, rel=1e-12)  # ~5,400 $/month


def test_compare_table_has_product_columns():
    table = compare(Scenario(**SEED_000))
    assert list(table.index) == ["api", "cloud", "onprem"]
    assert list(table.columns) == [
        "monthly_cost",
        "cost_per_request",
        "cost_per_mtok",
        "gpus",
        "replicas",
        "utilization",
        "gpus_per_replica",
        "units",
        "batch",
        "max_batch",
        "ttft_s",
        "tpot_ms",
        "offer",
        "status",
        "notes",
        "usage_cost",
        "capital_cost",
        "running_cost",
        "overhead_cost",
        "staff_cost",
        "serving_basis",
    ]
    assert set(table["status"]) == {"ok"}
    # cost per MTok of the API equals the 25 EUR/MTok list price when every token costs the same
    assert table.loc["api", "cost_per_mtok"] == pytest.approx(25, rel=1e-12)
    # 1M requests x 2 s = 2e6 replica-seconds of 730 h x 3600 s = 76.1% busy on one replica
    assert table.loc["onprem", "utilization"] == pytest.approx(2e6 / (730 * 3600), rel=1e-12)
    assert table.loc["onprem", "gpus"] == 2
