"""Catalogs: GPUs, open models (dated CSV files under ``templates/``) and token prices (genai-prices).

All reading of data happens here. The loaders return immutable objects; the engine receives them
as arguments. Ids are matched case-insensitively; an unknown id raises
:class:`~costengine.errors.CostModelError` listing the closest ids.

Token prices come from the ``genai-prices`` package's bundled snapshot (no network access);
no price is copied into this project.
"""

from __future__ import annotations

import csv
import dataclasses
import functools
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from importlib import resources
from types import MappingProxyType
from typing import Any

from .errors import CostModelError, closest
from .token_prices import TokenPrice, tier_starts, token_price, token_price_table, token_prices_version  # noqa: F401 (re-exported)

__all__ = [
    "GPU",
    "OpenModel",
    "CloudOffer",
    "Server",
    "TokenPrice",
    "Catalog",
    "load_catalog",
    "HARDWARE_COLUMNS",
    "MODEL_COLUMNS",
    "OFFER_COLUMNS",
    "SERVER_COLUMNS",
    "PRICE_TERMS",
    "INTERCONNECTS",
    "token_price",
    "token_price_table",
    "token_prices_version",
    "tier_starts",
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
        _check_row(
            self,
            (
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
            ("spec_source", "price_source", "cloud_price_source"),
            optional=("fp4_tflops",),
        )
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

    ``kv_heads`` and ``head_dim`` are such that 2 * kv_heads * head_dim values are cached per layer
    and token (for multi-head latent attention the latent width, see the row's notes).
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

    def __post_init__(self) -> None:
        _check_row(
            self,
            (
                "params_billion",
                "active_params_billion",
                "layers",
                "attention_heads",
                "kv_heads",
                "head_dim",
                "hidden_size",
                "context_length",
            ),
            ("source", "license", "native_precision"),
        )
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

    def kv_bytes_per_token(self, kv_bytes: float = 2.0) -> float:
        """KV-cache bytes per token [B] = 2 * layers * kv_heads * head_dim * kv_bytes."""
        return 2.0 * self.layers * self.kv_heads * self.head_dim * kv_bytes


def _check_row(
    row: Any, positive: tuple[str, ...], required_text: tuple[str, ...], optional: tuple[str, ...] = ()
) -> None:
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
        _check_row(
            self,
            ("gpus_per_instance",),
            ("provider", "instance", "gpu", "source"),
            optional=(
                "on_demand_per_hour_usd",
                "spot_per_hour_usd",
                "commit_1y_per_hour_usd",
                "commit_3y_per_hour_usd",
                "per_second_usd",
            ),
        )
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
        _check_row(
            self,
            ("gpus_per_server",),
            ("name", "vendor", "gpu"),
            optional=("price_usd", "typical_kw", "max_kw", "support_per_year_usd"),
        )
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


def _read_rows(filename: str, cls: type, columns: tuple[str, ...]) -> Mapping[str, Any]:
    # costengine.data is the templates/ folder (mapped in pyproject.toml, for the wheel and the editable install)
    text = resources.files("costengine.data").joinpath(filename).read_text(encoding="utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != columns:
        raise CostModelError(filename, f"columns must be {', '.join(columns)} (got {reader.fieldnames})")
    types = {f.name: f.type for f in fields(cls)}
    out: dict[str, Any] = {}
    for line, raw in enumerate(reader, start=2):
        values: dict[str, Any] = {}
        for name in columns:
            cell = (raw[name] or "").strip()
            try:
                if types[name] == "float" and cell == "":
                    values[name] = math.nan  # blank: the row's check says whether it may be
                else:
                    values[name] = (
                        int(cell) if types[name] == "int" else float(cell) if types[name] == "float" else cell
                    )
            except ValueError:
                raise CostModelError(f"{filename} line {line}", f"{name} must be a number (got {cell!r})") from None
        row = cls(**values)
        key = row.id.lower()
        if key in out:
            raise CostModelError(f"{filename} line {line}", f"duplicate id {row.id!r}")
        out[key] = row
    return MappingProxyType(out)


@dataclass(frozen=True, eq=False)
class Catalog:
    """The hardware, open-model, cloud-offer and server catalogs (immutable; hashed by identity)."""

    gpus: Mapping[str, GPU]
    models: Mapping[str, OpenModel]
    offers: Mapping[str, CloudOffer] = dataclasses.field(default_factory=lambda: MappingProxyType({}))
    servers: Mapping[str, Server] = dataclasses.field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        for row in (*self.offers.values(), *self.servers.values()):
            if row.gpu.lower() not in self.gpus:
                raise CostModelError(row.id, f"GPU {row.gpu!r} is not in the hardware catalog")

    def offer(self, offer_id: str, key: str = "cloud_offer") -> CloudOffer:
        """The cloud offer with this id (case-insensitive)."""
        return _lookup(self.offers, offer_id, key, "cloud offer")

    def server(self, server_id: str, key: str = "onprem_server") -> Server:
        """The server with this id (case-insensitive)."""
        return _lookup(self.servers, server_id, key, "server")

    def offers_for(self, gpu_id: str) -> tuple[CloudOffer, ...]:
        """The offers of one GPU, in catalog order."""
        g = gpu_id.strip().lower()
        return tuple(o for o in self.offers.values() if o.gpu.lower() == g)

    def standard_server(self, gpu_id: str, key: str = "onprem_server") -> Server:
        """The standard server of a GPU; raises naming ``key`` when the catalog has none."""
        g = gpu_id.strip().lower()
        rows = [r for r in self.servers.values() if r.gpu.lower() == g]
        for r in rows:
            if r.is_standard:
                return r
        if rows:
            return rows[0]
        raise CostModelError(
            key,
            f"the server catalog has no server with {gpu_id} GPUs; give onprem_server, or "
            "onprem_gpus_per_server, onprem_capex_per_server and onprem_power_kw",
        )

    def gpu(self, gpu_id: str, key: str = "gpu") -> GPU:
        """The GPU with this id (case-insensitive); ``key`` names the input in the error."""
        return _lookup(self.gpus, gpu_id, key, "GPU")

    def model(self, model_id: str, key: str = "model") -> OpenModel:
        """The open model with this id (case-insensitive); ``key`` names the input in the error."""
        return _lookup(self.models, model_id, key, "model")


def _lookup(table: Mapping[str, Any], wanted: Any, key: str, what: str) -> Any:
    if not isinstance(wanted, str) or not wanted.strip():
        raise CostModelError(key, f"must be a {what} id (got {wanted!r})")
    row = table.get(wanted.strip().lower())
    if row is None:
        ids = [r.id for r in table.values()]
        near = closest(wanted, ids)
        shown = ", ".join(ids[:8]) + (f", ... ({len(ids)} in all)" if len(ids) > 8 else "")
        hint = f"closest: {', '.join(near)}" if near else f"known: {shown}"
        raise CostModelError(key, f"unknown {what} {wanted!r}; {hint}")
    return row


@functools.cache
def load_catalog() -> Catalog:
    """The shipped catalogs (read once; immutable)."""
    return Catalog(
        gpus=_read_rows("hardware.csv", GPU, HARDWARE_COLUMNS),
        models=_read_rows("models.csv", OpenModel, MODEL_COLUMNS),
        offers=_read_rows("cloud_offers.csv", CloudOffer, OFFER_COLUMNS),
        servers=_read_rows("servers.csv", Server, SERVER_COLUMNS),
    )


def as_dict(row: Any) -> dict[str, Any]:
    """A catalog row as a plain dict."""
    return dataclasses.asdict(row)
