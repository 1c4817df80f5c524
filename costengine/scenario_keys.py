"""The scenario's keys: each key's type, bounds, default, unit, meaning and the source of its default.

One table, written as the fields of a pydantic model (:class:`ScenarioKeys`), so that a key's bounds and type are
stated once, beside its default and the source of that default. :class:`costengine.scenario.Scenario` adds the
reading of values (blanks, numbers typed as text, old spellings) and raises a
:class:`~costengine.errors.CostModelError` naming the key: build scenarios with it, never with this table alone.
Money is in the scenario's currency; catalog prices (USD) are converted with ``usd_to_currency``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .serving.memory import PRECISIONS
from .workloads import WORKLOAD_NAMES, WORKLOADS, workload_source

__all__ = ["ScenarioKeys", "SCENARIO_KEYS", "STAFF_DEFAULTS", "key_info"]

#: The serving precisions' names (:data:`costengine.serving.memory.PRECISIONS`).
Precision = Literal[tuple(PRECISIONS)]
Billing = Literal["always_on", "per_second"]
Pricing = Literal["on_demand", "commit_1y", "commit_3y", "spot"]
Redundancy = Literal["unit", "replica"]
CloudRegion = Literal["us", "eu", "apac", "any"]  # costengine.offer_filter.CLOUD_REGIONS
CloudTier = Literal["production", "any"]  # costengine.offer_filter.CLOUD_TIERS
ServiceTier = Literal["standard", "flex", "priority"]  # costengine.token_prices.SERVICE_TIERS
#: The kinds of work (:data:`costengine.workloads.WORKLOADS`).
WorkloadName = Literal[WORKLOAD_NAMES]

#: Staff defaults [value, source]; see docs/pricing.md.
STAFF_DEFAULTS: dict[str, tuple[float, str]] = {
    "cloud_staff_fte": (
        1.0,
        "one engineer-equivalent for a rented GPU stack, on a 24/7 rotation shared with other "
        "services (a dedicated one needs at least 8 people on one site: Google SRE book, ch. 11)",
    ),
    "onprem_staff_fte": (
        2.0,
        "the cloud's engineer plus hardware, network and data-centre work; docs/model.md#seed-004 puts "
        "talent and upkeep at 200-250k USD a year",
    ),
    "staff_cost_per_fte_year": (
        200_000.0,
        "loaded cost of a US infrastructure engineer: BLS OES May 2024 software "
        "developers median 133,080 USD x 1.42 (BLS ECEC June 2025: wages are 70.2% of "
        "compensation) = 189k, rounded toward docs/model.md#seed-004's 200-250k",
    ),
}


def _f(default: Any, unit: str, meaning: str, source: str = "", **bounds: Any) -> Any:
    """A scenario field with its unit, meaning and the source of its default."""
    return Field(default, description=meaning, json_schema_extra={"unit": unit, "source": source}, **bounds)


class ScenarioKeys(BaseModel):
    """The scenario's keys, in order: type and bounds, default, unit, meaning and source.

    The fields of :class:`costengine.scenario.Scenario`, which reads and validates the values
    (``docs/model.md#scenario-keys``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, validate_default=False)

    # --- volume and traffic ---------------------------------------------------------------------
    requests_per_month: float = _f(
        1_000_000,
        "requests/month",
        "volume of requests per month",
        "docs/model.md#seed-000 worked example (1M requests/month)",
        ge=0,
    )
    prompt_tokens: float = _f(
        1000,
        "tokens/request",
        "average prompt (input) tokens per request",
        "docs/model.md#seed-000 worked example (1000 prompt tokens)",
        ge=0,
    )
    output_tokens: float = _f(
        500,
        "tokens/request",
        "average output tokens per request",
        "docs/model.md#seed-000 worked example (500 output tokens)",
        ge=0,
    )
    peak_to_average: float = _f(
        2.0,
        "ratio >= 1",
        "peak load over average load; a typed load_profile sets it "
        "(its largest hour / the mean) unless it is typed too",
        "rule of thumb for business-hours traffic (busy hours carry about twice the mean)",
        ge=1,
    )
    load_profile: str | None = _f(
        None,
        "24 numbers or id",
        "relative load of each hour of a typical day (hybrid "
        "serving): 24 numbers, or a profile id of the load-profile catalog; blank = "
        "azure-2024-conversation",
        "Azure LLM inference trace 2024, conversation, hourly shape (AzurePublicDataset)",
    )
    # --- money ----------------------------------------------------------------------------------
    currency: str = _f(
        "USD",
        "text",
        "label of the scenario's money (USD, EUR, ...)",
        "catalog prices are USD",
        min_length=1,
        max_length=12,
    )
    usd_to_currency: float = _f(
        1.0, "ratio", "converts catalog prices (USD) into the scenario's currency", "1 for USD", gt=0
    )
    # --- API --------------------------------------------------------------------------------------
    api_model: str = _f(
        "gpt-5-mini",
        "text",
        "model id in the token-price catalog (genai-prices)",
        "a current mid-priced closed model",
        min_length=1,
    )
    api_input_price_per_mtok: float | None = _f(None, "money/MTok", "input price; blank = from api_model", ge=0)
    api_output_price_per_mtok: float | None = _f(None, "money/MTok", "output price; blank = from api_model", ge=0)
    api_cached_input_share: float = _f(0.0, "0..1", "share of prompt tokens read from the prompt cache", ge=0, le=1)
    api_cached_input_price_per_mtok: float | None = _f(
        None, "money/MTok", "cached-input price; blank = from api_model", ge=0
    )
    api_cache_write_share: float = _f(
        0.0,
        "0..1",
        "share of prompt tokens written to the provider's prompt cache, charged at the cache-write price where the "
        "provider charges writes (Anthropic: 1.25x input for 5-minute writes)",
        "no cache writes; docs/pricing.md#cache-writes",
        ge=0,
        le=1,
    )
    api_cache_write_price_per_mtok: float | None = _f(
        None, "money/MTok", "cache-write price; blank = from api_model (its input price where none is listed)", ge=0
    )
    api_batch_share: float = _f(0.0, "0..1", "share of traffic sent through a batch API", ge=0, le=1)
    api_batch_discount: float = _f(
        0.5, "0..1", "discount of the batch API", "OpenAI and Anthropic batch APIs: 50% off", ge=0, le=1
    )
    api_service_tier: ServiceTier = _f(
        "standard",
        "standard|flex|priority",
        "the API's service tier: its token prices where the token-price catalog has them (an error naming the "
        "tiers the model has otherwise); typed prices are taken as given",
        "standard: the list price; docs/pricing.md#service-tiers",
    )
    api_monthly_fixed: float = _f(0.0, "money/month", "platform fee, support plan", ge=0)
    api_reasoning_tokens: float | None = _f(
        None,
        "tokens/request",
        "hidden reasoning tokens of the API model per request, billed as output; blank = the typical figure of "
        "templates/api_reasoning.csv for a reasoning model (an estimate, said in the notes), or 0 with a warning "
        "where it has none; 0 for a model that does not reason",
        "templates/api_reasoning.csv (which models reason, per provider documentation)",
        ge=0,
    )
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
