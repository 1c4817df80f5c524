"""The first scenario keys (volume and traffic, money, API) as a pydantic model that
:class:`costengine.scenario_keys.ScenarioKeys` extends, with the key types and the field helper both use.

Split from :mod:`costengine.scenario_keys` to keep each module short; the order of the keys is the base's, then
the extension's.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .serving.memory import PRECISIONS
from .workloads import WORKLOAD_NAMES

__all__ = [
    "BaseKeys",
    "STAFF_DEFAULTS",
    "Billing",
    "Pricing",
    "Precision",
    "Redundancy",
    "CloudRegion",
    "CloudTier",
    "ServiceTier",
    "WorkloadName",
]

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


class BaseKeys(BaseModel):
    """The volume, money and API keys (see :class:`costengine.scenario_keys.ScenarioKeys`)."""

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
