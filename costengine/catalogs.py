"""Catalogs: GPUs, open models (dated CSV files under ``templates/``) and token prices (genai-prices).

All reading of data happens here. The loaders return immutable objects; the engine receives them
as arguments. Ids are matched case-insensitively; an unknown id raises
:class:`~costengine.errors.CostModelError` listing the closest ids. The rows' classes, each a CSV file's
schema checking its own invariants, are those of :mod:`costengine.catalog_rows` (re-exported here).

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
from fnmatch import fnmatchcase
from importlib import resources
from types import MappingProxyType
from typing import Any

from .acceptance import api_model_base
from .catalog_rows import (
    API_REASONING_COLUMNS,
    GPU,
    HARDWARE_COLUMNS,
    INTERCONNECTS,
    OFFER_COLUMNS,
    PRICE_TERMS,
    SERVER_COLUMNS,
    ApiReasoning,
    CloudOffer,
    Server,
)
from .errors import CostModelError, Infeasible, closest
from .model_rows import MODEL_COLUMNS, MODEL_COUNTS, OpenModel
from .price_rules import RULE, server_rank
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
    "ApiReasoning",
    "api_reasoning_table",
    "api_reasoning",
]


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
                if cell == "" and name in MODEL_COUNTS[2:]:
                    values[name] = 0  # an attention or architecture column left blank: absent
                elif types[name] == "float" and cell == "":
                    values[name] = math.nan  # blank: the row's check says whether it may be
                elif types[name] == "bool":
                    if cell.lower() not in ("true", "false"):
                        raise ValueError
                    values[name] = cell.lower() == "true"
                else:
                    values[name] = (
                        int(cell) if types[name] == "int" else float(cell) if types[name] == "float" else cell
                    )
            except ValueError:
                what = "true or false" if types[name] == "bool" else "a number"
                raise CostModelError(f"{filename} line {line}", f"{name} must be {what} (got {cell!r})") from None
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
        """The server with this id (case-insensitive); raises naming ``key`` when neither it nor its GPU has a price
        (:meth:`priceable`)."""
        row = _lookup(self.servers, server_id, key, "server")
        if not self.priceable(row):
            raise Infeasible(key, _UNPRICED.format(server=row.id, gpu=row.gpu))
        return row

    def priceable(self, server: Server) -> bool:
        """Whether a server has a price: its own, or one estimated from its GPU's catalog price
        (``docs/pricing.md``: GPUs x GPU price x 1.15). A GPU whose purchase price is blank (no source was found)
        cannot price a server without one."""
        gpu = self.gpus.get(server.gpu.lower())
        return not math.isnan(server.price_usd) or (gpu is not None and not math.isnan(gpu.price_usd))

    def offers_for(self, gpu_id: str) -> tuple[CloudOffer, ...]:
        """The offers of one GPU, in catalog order."""
        g = gpu_id.strip().lower()
        return tuple(o for o in self.offers.values() if o.gpu.lower() == g)

    def standard_server(self, gpu_id: str, key: str = "onprem_server") -> Server:
        """The standard server of a GPU (``docs/pricing.md#the-blank-choice-rule``): among the rows of that GPU, by
        :func:`~costengine.price_rules.server_rank` (a price that passes the rule, or no price, first; then a
        primary, dated price older than a year, which the option's staleness note shows), the row marked standard
        first, then catalog order; raises naming ``key`` when no row has a usable price."""
        g = gpu_id.strip().lower()
        rows = [r for r in self.servers.values() if r.gpu.lower() == g]
        ranked = [
            (server_rank(r), not r.is_standard, j, r)
            for j, r in enumerate(rows)
            if server_rank(r) and self.priceable(r)
        ]
        if ranked:
            return min(ranked, key=lambda t: t[:3])[3]
        unpriced = [r for r in rows if not self.priceable(r)]
        if unpriced:
            raise Infeasible(key, _UNPRICED.format(server=unpriced[0].id, gpu=unpriced[0].gpu))
        if rows:
            raise Infeasible(
                key,
                f"no server with {gpu_id} GPUs has a price a blank choice may use ({RULE}); type an onprem_server "
                f"(any row: {', '.join(r.id for r in rows)}) or onprem_capex_per_server",
            )
        raise Infeasible(
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


#: Why a server cannot be priced (:meth:`Catalog.priceable`).
_UNPRICED = (
    "server {server} has no price and GPU {gpu} has no catalog price to estimate it from; give the server a price "
    "(a catalog row of yours), or type onprem_gpus_per_server, onprem_capex_per_server, onprem_power_kw and "
    "onprem_maintenance_monthly"
)


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


@functools.cache
def api_reasoning_table() -> tuple[ApiReasoning, ...]:
    """The rows of ``templates/api_reasoning.csv``: which API models reason by default, in file order."""
    return tuple(_read_rows("api_reasoning.csv", ApiReasoning, API_REASONING_COLUMNS).values())


@functools.lru_cache(maxsize=4096)
def api_reasoning(model: str) -> ApiReasoning | None:
    """The first row of :func:`api_reasoning_table` whose pattern matches the API model id (case-insensitive; a
    date suffix is ignored, as the price lookup ignores it); None when
    no row does (a model the file does not list is taken as not reasoning)."""
    wanted = str(model).strip().lower()
    for name in dict.fromkeys((wanted, api_model_base(wanted))):
        for row in api_reasoning_table():
            if fnmatchcase(name, row.pattern.lower()):
                return row
    return None
