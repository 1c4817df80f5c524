"""The catalogs' rows: a GPU, a cloud offer, a server, each a typed row that checks itself (an open model:
:mod:`costengine.model_rows`).

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
from .price_rules import GRADES


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
        "interconnect_gbps",
        "serving_efficiency",
    ),
    text=("spec_source",),
    optional=("fp4_tflops", "price_usd", "cloud_price_per_hour_usd"),
)
#: A GPU's two prices and the column naming each one's source (a price without a source is refused).
GPU_PRICE_SOURCES: tuple[tuple[str, str], ...] = (
    ("price_usd", "price_source"),
    ("cloud_price_per_hour_usd", "cloud_price_source"),
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
    "GPU_PRICE_SOURCES",
    "OFFER_FIELDS",
    "SERVER_FIELDS",
    "GPU",
    "CloudOffer",
    "Server",
    "ApiReasoning",
    "check_row",
    "check_dating",
    "HARDWARE_COLUMNS",
    "OFFER_COLUMNS",
    "SERVER_COLUMNS",
    "API_REASONING_COLUMNS",
    "PRICE_TERMS",
    "INTERCONNECTS",
]


@dataclass(frozen=True)
class GPU:
    """One GPU of the hardware catalog.

    Attributes: memory_gb [GB], bandwidth_tbps [TB/s], bf16_tflops and fp8_tflops [dense TFLOP/s; on GPUs
    without FP8 tensor cores (``fp8_hardware`` = no) fp8_tflops holds the dense INT8 TOPS], tdp_w [W],
    price_usd [USD], cloud_price_per_hour_usd [USD/GPU-h] (each NaN, blank in the CSV, when no source was found: a
    blank price needs a typed figure where it is used), sources and date (as_of). Each price is dated and graded
    (``docs/pricing.md#dates-and-grades``): ``price_date``, ``read_on``, ``grade`` for the purchase price and
    ``cloud_price_date``, ``cloud_read_on``, ``cloud_grade`` for the cloud price.
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
    price_date: str = ""
    read_on: str = ""
    grade: str = ""
    cloud_price_date: str = ""
    cloud_read_on: str = ""
    cloud_grade: str = ""

    def __post_init__(self) -> None:
        check_row(self, *GPU_FIELDS)
        check_dating(self)
        check_dating(self, "cloud_")
        for value, source in GPU_PRICE_SOURCES:
            if not math.isnan(getattr(self, value)) and not getattr(self, source).strip():
                raise CostModelError(self.id, f"{source} is empty for a figure it should source")
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


def check_dating(row: Any, prefix: str = "") -> None:
    """Check a price row's dating (``docs/pricing.md#dates-and-grades``): ``price_date`` (when the price was published
    or quoted) and ``read_on`` (the day it was read) blank or a date ``YYYY-MM-DD``, ``grade`` blank or one of
    :data:`~costengine.price_rules.GRADES`; ``prefix`` names another price's columns (a GPU's ``cloud_price_date``,
    ``cloud_read_on``, ``cloud_grade``). Raises naming the row's id. (The shipped rows fill ``read_on`` and
    ``grade`` on every price: a test holds it; a user's row may leave them blank, and is then never a blank
    choice.)"""
    for name in (prefix + "price_date", prefix + "read_on"):
        text = getattr(row, name)
        if text:
            try:
                datetime.strptime(text, "%Y-%m-%d")
            except ValueError:
                raise CostModelError(row.id, f"{name} must be blank or a date YYYY-MM-DD (got {text!r})") from None
    grade = getattr(row, prefix + "grade")
    if grade and grade not in GRADES:
        raise CostModelError(row.id, f"{prefix}grade must be blank or one of {', '.join(GRADES)} (got {grade!r})")


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
    rate of serverless offers billed by the second (NaN for instances billed by the hour). ``tier``:
    ``production`` (the provider's own data centres; blank = production) or ``community`` (a marketplace of
    third-party hosts); the region text maps to regions by :func:`costengine.offer_filter.offer_regions`.
    Per-second offers carry the provider's scale-down window ``scaledown_s`` [s] (how long an idle replica stays up,
    billed, after its last request) and ``cold_start_s`` [s] (a replica's start, weights loaded, billed, when it
    had scaled to zero), with their ``serverless_source`` (``docs/model.md#per-second-billing``); NaN = not
    published.
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
    price_date: str = ""
    read_on: str = ""
    grade: str = ""
    tier: str = "production"
    scaledown_s: float = math.nan
    cold_start_s: float = math.nan
    serverless_source: str = ""

    def __post_init__(self) -> None:
        check_row(self, *OFFER_FIELDS)
        for name in ("scaledown_s", "cold_start_s"):  # blank (NaN) or >= 0: a window of 0 scales down at once
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and (math.isnan(v) or (math.isfinite(v) and v >= 0))):
                raise CostModelError(self.id, f"{name} must be blank or a number >= 0 (got {v!r})")
        check_dating(self)
        tier = str(self.tier).strip().lower() or "production"
        if tier not in ("production", "community"):
            raise CostModelError(self.id, f"tier must be production or community, or blank (got {self.tier!r})")
        object.__setattr__(self, "tier", tier)
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
    price_date: str = ""
    read_on: str = ""
    grade: str = ""

    def __post_init__(self) -> None:
        check_row(self, *SERVER_FIELDS)
        check_dating(self)
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
OFFER_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(CloudOffer))
SERVER_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(Server))
API_REASONING_COLUMNS: tuple[str, ...] = ("pattern", "reasons", "typical_hidden_tokens", "source", "read_on", "notes")


@dataclass(frozen=True)
class ApiReasoning:
    """One row of ``templates/api_reasoning.csv``: API model ids matching ``pattern`` (a glob, ``*`` any text,
    case-insensitive) do (``reasons`` = yes) or do not reason by default; ``typical_hidden_tokens``
    [tokens/request] is a published typical figure (NaN when none), ``source`` the page that says so, read on
    ``read_on``."""

    pattern: str
    reasons: str
    typical_hidden_tokens: float
    source: str
    read_on: str
    notes: str = ""

    def __post_init__(self) -> None:
        if not self.pattern.strip() or not self.source.startswith("https://"):
            raise CostModelError(self.pattern or "api_reasoning.csv", "needs a pattern and a source (https://...)")
        if self.reasons not in ("yes", "no"):
            raise CostModelError(self.pattern, f"reasons must be yes or no (got {self.reasons!r})")
        h = self.typical_hidden_tokens
        if not (math.isnan(h) or (math.isfinite(h) and h > 0)):
            raise CostModelError(self.pattern, f"typical_hidden_tokens must be blank or > 0 (got {h!r})")
        try:
            datetime.strptime(self.read_on, "%Y-%m-%d")
        except ValueError:
            raise CostModelError(self.pattern, f"read_on must be a date YYYY-MM-DD (got {self.read_on!r})") from None

    @property
    def id(self) -> str:
        return self.pattern
