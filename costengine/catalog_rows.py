"""The catalogs' rows: a GPU, an open model, a cloud offer, a server, each a typed row that checks itself.

Each class is one CSV file's schema (``templates/hardware.csv``, ``models.csv``, ``cloud_offers.csv``,
``servers.csv``): its fields are the file's columns, in order (``HARDWARE_COLUMNS``, ...), so the format cannot
drift; a row checks its own invariants on construction (positive figures, a source for each figure, a date) and
raises :class:`~costengine.errors.CostModelError` naming the row's id. Reading the files and looking rows up by id:
:mod:`costengine.catalogs`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, NamedTuple

from .errors import CostModelError


class RowFields(NamedTuple):
    """The checks a catalog row's fields get (:func:`check_row`; the workbook's user-row checks read the same):
    ``positive`` figures finite and > 0, ``text`` not empty, ``optional`` figures blank (NaN) or > 0."""

    positive: tuple[str, ...]
    text: tuple[str, ...]
    optional: tuple[str, ...] = ()


GPU_FIELDS = RowFields(
    positive=(
        "memory_gb",
        "bandwidth_tbps",
        "bf16_tflops",
        "fp8_tflops",
        "tdp_w",
        "price_usd",
        "cloud_price_per_hour_usd",
        "interconnect_gbps",
        "serving_efficiency",
    ),
    text=("spec_source", "price_source", "cloud_price_source"),
    optional=("fp4_tflops",),
)
MODEL_FIELDS = RowFields(
    positive=(
        "params_billion",
        "active_params_billion",
        "layers",
        "attention_heads",
        "kv_heads",
        "head_dim",
        "hidden_size",
        "context_length",
    ),
    text=("source", "license", "native_precision"),
)
#: Whole-number architecture columns of a model row that may be 0 (0 = absent: full attention, dense, ...); the
#: columns after ``experts_per_token`` may also be left blank in a CSV or a user row (blank = 0).
MODEL_COUNTS: tuple[str, ...] = (
    "experts",
    "experts_per_token",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "sliding_window",
    "sliding_layers",
    "linear_layers",
    "vocab_size",
    "intermediate_size",
    "moe_intermediate_size",
    "shared_experts",
    "dense_layers",
    "q_lora_rank",
)
OFFER_FIELDS = RowFields(
    positive=("gpus_per_instance",),
    text=("provider", "instance", "gpu", "source"),
    optional=(
        "on_demand_per_hour_usd",
        "spot_per_hour_usd",
        "commit_1y_per_hour_usd",
        "commit_3y_per_hour_usd",
        "per_second_usd",
    ),
)
SERVER_FIELDS = RowFields(
    positive=("gpus_per_server",),
    text=("name", "vendor", "gpu"),
    optional=("price_usd", "typical_kw", "max_kw", "support_per_year_usd"),
)

__all__ = [
    "RowFields",
    "GPU_FIELDS",
    "MODEL_FIELDS",
    "MODEL_COUNTS",
    "OFFER_FIELDS",
    "SERVER_FIELDS",
    "GPU",
    "OpenModel",
    "CloudOffer",
    "Server",
    "check_row",
    "HARDWARE_COLUMNS",
    "MODEL_COLUMNS",
    "OFFER_COLUMNS",
    "SERVER_COLUMNS",
    "PRICE_TERMS",
    "INTERCONNECTS",
]


@dataclass(frozen=True)
class GPU:
    """One GPU of the hardware catalog.

    Attributes: memory_gb [GB], bandwidth_tbps [TB/s], bf16_tflops and fp8_tflops [dense TFLOP/s; on GPUs
    without FP8 tensor cores (``fp8_hardware`` = no) fp8_tflops holds the dense INT8 TOPS], tdp_w [W],
    price_usd [USD], cloud_price_per_hour_usd [USD/GPU-h], sources and date (as_of).
    Serving columns (used by :mod:`costengine.serving`): ``fp4_tflops`` [dense TFLOP/s, NaN (blank) without
    FP4 tensor cores], ``interconnect`` (``nvlink``, ``xgmi`` or ``pcie``) and ``interconnect_gbps`` [GB/s per
    GPU and direction, what a tensor-parallel all-reduce can use], ``serving_efficiency`` [ratio: the share of
    the roofline published runs of current serving software reach on this GPU family; 1 where they match].
    """

    id: str
    name: str
    vendor: str
    memory_gb: float
    bandwidth_tbps: float
    bf16_tflops: float
    fp8_tflops: float
    tdp_w: float
    price_usd: float
    cloud_price_per_hour_usd: float
    spec_source: str
    price_source: str
    cloud_price_source: str
    as_of: str
    notes: str = ""
    fp8_hardware: str = "yes"
    fp4_tflops: float = math.nan
    interconnect: str = "pcie"
    interconnect_gbps: float = 32.0
    serving_efficiency: float = 1.0
    interconnect_source: str = ""

    def __post_init__(self) -> None:
        check_row(self, *GPU_FIELDS)
        if self.interconnect not in INTERCONNECTS:
            raise CostModelError(
                self.id, f"interconnect must be one of {', '.join(INTERCONNECTS)} (got {self.interconnect!r})"
            )
        if self.fp8_hardware not in ("yes", "no"):
            raise CostModelError(self.id, f"fp8_hardware must be yes or no (got {self.fp8_hardware!r})")
        if self.serving_efficiency > 1:
            raise CostModelError(self.id, "serving_efficiency must be at most 1")

    def tflops(self, compute: str) -> float:
        """Dense peak [TFLOP/s] for a compute precision (``bf16``, ``fp8``, ``fp4``).

        A precision without tensor cores on this GPU runs at the bf16 rate (weight-only kernels dequantise
        to 16 bits: FP8 on A100, FP4 before Blackwell).
        """
        if compute == "fp8":
            return self.fp8_tflops if self.fp8_hardware == "yes" else self.bf16_tflops
        if compute == "fp4":
            return self.bf16_tflops if math.isnan(self.fp4_tflops) else self.fp4_tflops
        return self.bf16_tflops


#: Interconnects of the hardware catalog: NVIDIA NVLink, AMD Infinity Fabric (xGMI), plain PCIe.
INTERCONNECTS: tuple[str, ...] = ("nvlink", "xgmi", "pcie")


@dataclass(frozen=True)
class OpenModel:
    """One open model of the model catalog (architecture from its config.json or paper).

    Attention (the KV cache, :func:`costengine.serving.memory.kv_bytes_per_token`): a full-attention layer caches
    2 * kv_heads * head_dim values per token; with multi-head latent attention (``kv_lora_rank`` > 0: DeepSeek-V3,
    Kimi K2) kv_lora_rank + qk_rope_head_dim values (the latent and the shared RoPE key). ``sliding_layers`` of the
    layers attend over the last ``sliding_window`` tokens only, so they hold at most that many; ``linear_layers``
    (linear attention or a recurrent state: Qwen3-Next) hold no per-token cache (their fixed state per sequence
    is neglected). 0 = full attention on every layer.

    Parameter count (:func:`costengine.model_config.params_from_row`): ``vocab_size``, ``tied_embeddings``
    (true: one matrix for input and output), ``intermediate_size`` (the dense MLP width of the dense layers),
    ``moe_intermediate_size`` (one expert's width; shared experts have the same), ``shared_experts``,
    ``dense_layers`` (layers of a MoE model with a dense MLP instead of experts), ``q_lora_rank`` (MLA's
    low-rank query; 0 = full-rank). For MLA rows ``head_dim`` is the value head width (= the no-RoPE part of a
    query/key head). ``reasoning`` (true/false): the model emits hidden thinking tokens by default.
    """

    id: str
    name: str
    params_billion: float
    active_params_billion: float
    layers: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    hidden_size: int
    context_length: int
    license: str
    source: str
    as_of: str
    notes: str = ""
    native_precision: str = "bf16"
    experts: int = 0
    experts_per_token: int = 0
    expert_params_billion: float = 0.0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    sliding_window: int = 0
    sliding_layers: int = 0
    linear_layers: int = 0
    vocab_size: int = 0
    tied_embeddings: str = "false"
    intermediate_size: int = 0
    moe_intermediate_size: int = 0
    shared_experts: int = 0
    dense_layers: int = 0
    q_lora_rank: int = 0
    reasoning: str = "false"

    def __post_init__(self) -> None:
        check_row(self, *MODEL_FIELDS)
        for name in ("tied_embeddings", "reasoning"):  # blank: false
            object.__setattr__(self, name, str(getattr(self, name)).strip().lower() or "false")
        for name in MODEL_COUNTS:
            if getattr(self, name) < 0:
                raise CostModelError(self.id, f"{name} must be >= 0 (got {getattr(self, name)!r})")
        for name in ("tied_embeddings", "reasoning"):
            if getattr(self, name) not in ("true", "false"):
                raise CostModelError(self.id, f"{name} must be true or false (got {getattr(self, name)!r})")
        if self.sliding_layers + self.linear_layers > self.layers:
            raise CostModelError(self.id, "sliding_layers + linear_layers exceed layers")
        if (self.sliding_layers > 0) != (self.sliding_window > 0):
            raise CostModelError(self.id, "sliding_window and sliding_layers must both be 0 or both > 0")
        if self.qk_rope_head_dim > 0 and self.kv_lora_rank == 0:
            raise CostModelError(self.id, "qk_rope_head_dim needs kv_lora_rank (multi-head latent attention)")
        if self.dense_layers > self.layers or (self.dense_layers > 0 and self.experts == 0):
            raise CostModelError(self.id, "dense_layers must be at most layers, and 0 for a dense model")
        if self.active_params_billion > self.params_billion:
            raise CostModelError(self.id, "active parameters exceed total parameters")
        if self.experts < 0 or self.experts_per_token < 0 or not 0 <= self.expert_params_billion < self.params_billion:
            raise CostModelError(
                self.id,
                "experts, experts_per_token and expert_params_billion must be >= 0 (expert parameters below the total)",
            )
        if (self.experts > 0) != (self.experts_per_token > 0) or self.experts_per_token > self.experts:
            raise CostModelError(
                self.id, "a mixture of experts needs experts >= experts_per_token > 0 (both 0 for a dense model)"
            )

    @property
    def is_moe(self) -> bool:
        """Whether the model is a mixture of experts."""
        return self.experts > 0

    @property
    def reasons(self) -> bool:
        """Whether the model reasons (emits hidden thinking tokens) by default."""
        return self.reasoning == "true"


def check_row(
    row: Any, positive: tuple[str, ...], required_text: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
    """Check a catalog row: the ``positive`` figures are finite and > 0, the ``optional`` ones blank (NaN) or > 0,
    the ``required_text`` and ``as_of`` not empty, ``as_of`` a date ``YYYY-MM-DD``; raises naming the row's id."""
    for name in positive:
        v = getattr(row, name)
        if not (isinstance(v, (int, float)) and math.isfinite(v) and v > 0):
            raise CostModelError(row.id, f"{name} must be a positive number (got {v!r})")
    for name in optional:  # blank (NaN) or positive
        v = getattr(row, name)
        if not (isinstance(v, (int, float)) and (math.isnan(v) or (math.isfinite(v) and v > 0))):
            raise CostModelError(row.id, f"{name} must be blank or a positive number (got {v!r})")
    for name in required_text + ("as_of",):
        if not str(getattr(row, name)).strip():
            raise CostModelError(row.id, f"{name} is empty")
    try:
        datetime.strptime(row.as_of, "%Y-%m-%d")
    except ValueError:
        raise CostModelError(row.id, f"as_of must be a date YYYY-MM-DD (got {row.as_of!r})") from None


#: Price terms of a cloud offer and the column holding each [USD per instance-hour].
PRICE_TERMS: dict[str, str] = {
    "on_demand": "on_demand_per_hour_usd",
    "commit_1y": "commit_1y_per_hour_usd",
    "commit_3y": "commit_3y_per_hour_usd",
    "spot": "spot_per_hour_usd",
}


@dataclass(frozen=True)
class CloudOffer:
    """One instance offer of the cloud-offer catalog.

    Prices are per instance-hour [USD] for the whole instance (``gpus_per_instance`` GPUs); a term the
    provider does not publish is NaN (blank in the CSV). ``per_second_usd`` [USD per instance-second] is the
    rate of serverless offers billed by the second (NaN for instances billed by the hour).
    """

    id: str
    provider: str
    instance: str
    region: str
    gpu: str
    gpus_per_instance: int
    on_demand_per_hour_usd: float
    spot_per_hour_usd: float
    commit_1y_per_hour_usd: float
    commit_3y_per_hour_usd: float
    per_second_usd: float
    source: str
    as_of: str
    notes: str = ""

    def __post_init__(self) -> None:
        check_row(self, *OFFER_FIELDS)
        if all(math.isnan(self.price_per_hour(t)) for t in PRICE_TERMS) and math.isnan(self.per_second_usd):
            raise CostModelError(self.id, "has no price")

    def price_per_hour(self, term: str) -> float:
        """Price of the whole instance [USD/h] at a term; NaN when the offer has none."""
        return getattr(self, PRICE_TERMS[term])

    @property
    def per_second(self) -> bool:
        """Whether the offer is billed by the second (serverless)."""
        return not math.isnan(self.per_second_usd)


@dataclass(frozen=True)
class Server:
    """One on-premises server configuration of the server catalog.

    price_usd [USD], typical_kw and max_kw [kW of the whole server], support_per_year_usd [USD/year];
    a figure with no published source is NaN (blank in the CSV) and must then be typed in the scenario.
    ``standard`` marks the server used for its GPU when ``onprem_server`` is blank.
    """

    id: str
    name: str
    vendor: str
    gpu: str
    gpus_per_server: int
    price_usd: float
    typical_kw: float
    max_kw: float
    support_per_year_usd: float
    standard: str
    price_source: str
    power_source: str
    support_source: str
    as_of: str
    notes: str = ""

    def __post_init__(self) -> None:
        check_row(self, *SERVER_FIELDS)
        if self.standard not in ("yes", "no"):
            raise CostModelError(self.id, f"standard must be yes or no (got {self.standard!r})")
        for value, source in (
            (self.price_usd, "price_source"),
            (self.typical_kw, "power_source"),
            (self.max_kw, "power_source"),
            (self.support_per_year_usd, "support_source"),
        ):
            if not math.isnan(value) and not getattr(self, source).strip():
                raise CostModelError(self.id, f"{source} is empty for a figure it should source")
        if self.typical_kw > self.max_kw:
            raise CostModelError(self.id, "typical_kw exceeds max_kw")

    @property
    def is_standard(self) -> bool:
        return self.standard == "yes"


#: The CSV columns, fixed here so the file format cannot drift.
HARDWARE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(GPU))
MODEL_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(OpenModel))
OFFER_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(CloudOffer))
SERVER_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Server))
