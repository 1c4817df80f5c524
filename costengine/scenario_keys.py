"""The scenario's keys: each key's type, bounds, default, unit, meaning and the source of its default.

One table, written as the fields of a pydantic model (:class:`ScenarioKeys`), so that a key's bounds and type are
stated once, beside its default and the source of that default. :class:`costengine.scenario.Scenario` adds the
reading of values (blanks, numbers typed as text, old spellings) and raises a
:class:`~costengine.errors.CostModelError` naming the key: build scenarios with it, never with this table alone.
Money is in the scenario's currency; catalog prices (USD) are converted with ``usd_to_currency``.
"""

from __future__ import annotations

from typing import Any

from .scenario_keys_base import (
    STAFF_DEFAULTS,
    BaseKeys,
    Billing,
    CloudRegion,
    CloudTier,
    Precision,
    Pricing,
    Redundancy,
    WorkloadName,
    _f,
)
from .serving.memory import PRECISIONS
from .workloads import WORKLOAD_NAMES, WORKLOADS, workload_source

__all__ = ["ScenarioKeys", "SCENARIO_KEYS", "STAFF_DEFAULTS", "key_info"]


class ScenarioKeys(BaseKeys):
    """The scenario's keys, in order: type and bounds, default, unit, meaning and source.

    The fields of :class:`costengine.scenario.Scenario`, which reads and validates the values
    (``docs/model.md#scenario-keys``). The volume, money and API keys come first, from
    :class:`costengine.scenario_keys_base.BaseKeys`.
    """

    # --- open model -------------------------------------------------------------------------------
    model: str = _f(
        "llama-3.3-70b", "text", "open model id in the model catalog", "a current 70B open model", min_length=1
    )
    reasoning_tokens: float | None = _f(
        None,
        "tokens/request",
        "hidden reasoning tokens of the open model per request, decoded like output tokens on your GPUs (the "
        "serving model's output length is output_tokens + reasoning_tokens); blank = 0, with a warning for a model "
        "the model catalog marks as reasoning",
        "templates/models.csv column reasoning (the model cards)",
        ge=0,
    )
    model_params_billion: float | None = _f(None, "billions", "parameters; blank = from model", gt=0)
    precision: Precision | None = _f(
        None,
        "|".join(PRECISIONS),
        "serving precision of the weights; blank = the model's native format",
        "the model catalog's native_precision (bf16 for most, fp8 for DeepSeek-V3, fp4 (MXFP4 experts) for gpt-oss)",
    )
    memory_overhead: float = _f(
        1.2,
        "ratio",
        "smallest serving memory / weights a derived layout may have "
        "(room for KV cache and activations); typed GPU counts are taken as given",
        "common sizing rule: weights + 20%",
        ge=1,
    )
    seconds_per_request: float | None = _f(None, "s", "replica-seconds per request at saturation; blank = derive", gt=0)
    target_utilization: float = _f(
        0.7, "0..1", "planned load / capacity", "headroom commonly planned for latency-sensitive serving", gt=0, le=1
    )
    min_replicas: int = _f(
        2,
        "count",
        "redundancy floor (2 = one spare; 0 = scale to zero)",
        "docs/model.md#seed-004: keep a redundant replica",
        ge=0,
        le=100_000,
    )
    redundancy: Redundancy = _f(
        "unit",
        "unit|replica",
        "unit: min_replicas >= 2 are spread over at least two instances or servers, so one box failing is not an "
        "outage; replica: they may share one",
        "a spare in the same instance or server fails with it",
    )
    hours_per_month: float = _f(730.0, "h", "hours in a month", "8760 h / 12", gt=0, le=744)
    workload: WorkloadName = _f(
        WORKLOAD_NAMES[0],
        "|".join(WORKLOAD_NAMES),
        "kind of work: sets the latency targets left blank (batch = no target)",
        "; ".join(f"{k}: {w.why}" for k, w in WORKLOADS.items()),
    )
    max_ttft_s: float | None = _f(
        None,
        "s",
        "latency target: time to first token; blank = the workload's; none or 0 = no target",
        workload_source(),
        ge=0,
    )
    max_tpot_ms: float | None = _f(
        None,
        "ms/token",
        "latency target: time per output token of one user; blank = the workload's; none or 0 = no target",
        workload_source(),
        ge=0,
    )
    staff_monthly: float | None = _f(
        None,
        "money/month",
        "people running the self-hosted stack; typed, it overrides the FTE keys for both cloud and onprem",
        ge=0,
    )
    cloud_staff_fte: float = _f(
        STAFF_DEFAULTS["cloud_staff_fte"][0],
        "FTE",
        "people running the cloud stack, 24/7 on call included",
        STAFF_DEFAULTS["cloud_staff_fte"][1],
        ge=0,
        le=10_000,
    )
    onprem_staff_fte: float = _f(
        STAFF_DEFAULTS["onprem_staff_fte"][0],
        "FTE",
        "people running the on-premises stack (hardware included), 24/7 on call included",
        STAFF_DEFAULTS["onprem_staff_fte"][1],
        ge=0,
        le=10_000,
    )
    staff_cost_per_fte_year: float = _f(
        STAFF_DEFAULTS["staff_cost_per_fte_year"][0],
        "money/year",
        "loaded cost of one person (salary, benefits, overhead)",
        STAFF_DEFAULTS["staff_cost_per_fte_year"][1],
        ge=0,
    )
    # --- cloud ------------------------------------------------------------------------------------
    cloud_gpu: str = _f("H100-SXM", "text", "GPU id in the hardware catalog", min_length=1)
    cloud_offer: str | None = _f(
        None, "text", "offer id in the cloud-offer catalog; blank = the cheapest offer for cloud_gpu at cloud_pricing"
    )
    cloud_pricing: Pricing = _f(
        "on_demand", "on_demand|commit_1y|commit_3y|spot", "price term of the offer", "list prices without a commitment"
    )
    cloud_region: CloudRegion = _f(
        "any",
        "us|eu|apac|any",
        "region of the offers a blank cloud_offer is chosen from (an offer's region column mapped to us, eu, apac "
        "by costengine.offer_filter; any = every offer)",
        "no restriction unless the company has one; docs/pricing.md#region-and-tier",
    )
    cloud_tier: CloudTier = _f(
        "production",
        "production|any",
        "production: a blank cloud_offer is chosen among the providers' own secure or dedicated offers; any adds "
        "community marketplaces (third-party hosts, no data-centre SLA)",
        "a production service is not put on third-party hosts; docs/pricing.md#region-and-tier",
    )
    cloud_spot_spare: float = _f(
        0.2,
        "0..1",
        "extra capacity kept to ride out spot interruptions (spot pricing only)",
        "assumption sized on AWS Spot Instance Advisor's interruption-frequency bands (<5% to >20% per month)",
        ge=0,
        le=5,
    )
    cloud_price_per_gpu_hour: float | None = _f(
        None, "money/GPU-h", "rental price per GPU; typed, GPUs are priced one by one (no offer, no packing)", ge=0
    )
    cloud_gpus_per_replica: int | None = _f(
        None,
        "count",
        "GPUs per replica; blank = the valid layout with the lowest monthly cost at the volume",
        ge=1,
        le=1024,
    )
    cloud_billing: Billing = _f(
        "always_on",
        "always_on|per_second",
        "always_on: instances run all month "
        "(reserved means this); per_second: serverless, warm min_replicas all month and "
        "busy seconds above them",
    )
    serverless_window_s: float | None = _f(
        None,
        "s",
        "per_second billing: how long an idle replica stays up (billed) after its last request; blank = the "
        "offer's scale-down window",
        "the offer catalog's scaledown_s (Modal 60 s, RunPod 5 s by their docs)",
        ge=0,
        le=86400,
    )
    serverless_cold_start_s: float | None = _f(
        None,
        "s",
        "per_second billing: a replica's start from zero, weights loaded (billed, and added to the first "
        "token of the requests that wait for it); blank = the offer's figure",
        "the offer catalog's cold_start_s (Modal 95.7 s: vLLM on a 1 GiB model, Modal's 2026 measurement)",
        ge=0,
        le=86400,
    )
    cloud_monthly_overhead: float = _f(
        500.0,
        "money/month",
        "storage, egress, admin",
        "docs/model.md#seed-000 uses 2000 EUR; a lean deployment needs less",
        ge=0,
    )
    # --- on-premises ------------------------------------------------------------------------------
    onprem_gpu: str = _f("H100-SXM", "text", "GPU id in the hardware catalog", min_length=1)
    onprem_server: str | None = _f(
        None, "text", "server id in the server catalog; blank = the standard server for onprem_gpu"
    )
    onprem_gpus_per_replica: int | None = _f(
        None,
        "count",
        "GPUs per replica; blank = the valid layout with the lowest monthly cost at the volume",
        ge=1,
        le=1024,
    )
    onprem_gpus_per_server: int | None = _f(
        None, "count", "GPUs per server; blank = from the server catalog", ge=1, le=1024
    )
    onprem_capex_per_server: float | None = _f(
        None, "money", "purchase price of one server; blank = from the server catalog", ge=0
    )
    onprem_amortization_months: int = _f(
        36,
        "months",
        "straight-line or annuity period; 0 = capex excluded",
        "three-year depreciation of servers",
        ge=0,
        le=600,
    )
    onprem_interest_rate: float = _f(0.0, "per year", "financing rate; 0 = straight line", ge=0, le=1)
    onprem_maintenance_monthly: float | None = _f(
        None,
        "money/month/server",
        "vendor support and maintenance per server; blank = the server catalog's support per year / 12",
        ge=0,
    )
    onprem_power_kw: float | None = _f(None, "kW/server", "typical draw; blank = from the server catalog", gt=0)
    onprem_colo_per_kw_month: float = _f(
        0.0,
        "money/kW/month",
        "rented rack space and cooling per kW of the servers' maximum power (0 = own data centre)",
        "own data centre; renting: CBRE North America Data Center Trends H2 2024, 184.06 USD/kW/month for 250-500 kW",
        ge=0,
    )
    onprem_pue: float = _f(
        1.56,
        "ratio",
        "data-centre overhead on power",
        "Uptime Institute Global Data Center Survey 2024: average PUE 1.56",
        ge=1,
        le=5,
    )
    onprem_price_per_kwh: float = _f(
        0.13,
        "money/kWh",
        "electricity price",
        "US EIA Electric Power Monthly 2025: average commercial price ~0.13 $/kWh",
        ge=0,
    )
    # --- decision analysis ------------------------------------------------------------------------
    growth_rate_monthly: float = _f(0.0, "fraction/month", "volume growth per month", ge=-0.99, le=10)
    horizon_months: int = _f(36, "months", "projection horizon", ge=1, le=600)
    discount_rate_annual: float = _f(
        0.08, "per year", "discount rate for net present value", "a typical corporate cost of capital", ge=0, le=1
    )


def key_info() -> list[dict[str, Any]]:
    """One dict per scenario key: key, default, unit, meaning, source (in the model's order)."""
    rows = []
    for name, f in ScenarioKeys.model_fields.items():
        extra = f.json_schema_extra or {}
        rows.append(
            {
                "key": name,
                "default": f.default,
                "unit": extra.get("unit", ""),
                "meaning": f.description or "",
                "source": extra.get("source", ""),
            }
        )
    return rows


#: The scenario keys, in order.
SCENARIO_KEYS: tuple[str, ...] = tuple(ScenarioKeys.model_fields)
