"""Token prices of closed models, from the ``genai-prices`` package's bundled snapshot (no network access);
no price is copied into this project. Ids are matched as genai-prices matches them; an unknown id raises
:class:`~costengine.errors.CostModelError` listing the closest ids."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .errors import CostModelError, closest
from .acceptance import api_model_base

__all__ = ["TokenPrice", "token_price", "token_price_table", "token_prices_version", "tier_starts"]


@dataclass(frozen=True)
class TokenPrice:
    """Token prices of one closed model [USD/MTok], from genai-prices.

    ``cache_read`` falls back to ``input`` and ``cache_write`` to ``input`` when the catalog has none;
    ``batch_discount`` is derived from the catalog's batch price variant when it has one.
    """

    provider: str
    model: str
    name: str
    input: float
    output: float
    cache_read: float
    cache_write: float
    batch_discount: float | None
    context_window: int | None


def _snapshot() -> Any:
    from genai_prices.data_snapshot import get_snapshot

    return get_snapshot()


def token_prices_version() -> str:
    """The genai-prices version the token prices come from."""
    import genai_prices

    return str(getattr(genai_prices, "__version__", "unknown"))


def _price_at(value: Any, prompt_tokens: float) -> float | None:
    """A price [USD/MTok] from a plain or tiered genai-prices value, the tier chosen by prompt size."""
    if value is None:
        return None
    tiers = getattr(value, "tiers", None)
    if tiers is None:
        return float(value)
    price = float(value.base)
    for tier in tiers:
        if prompt_tokens >= tier.start:
            price = float(tier.price)
    return price


def _from_model_info(provider: Any, info: Any, prompt_tokens: float, when: datetime) -> TokenPrice | None:
    prices = info.get_prices(when)
    pin = _price_at(getattr(prices, "input_mtok", None), prompt_tokens)
    pout = _price_at(getattr(prices, "output_mtok", None), prompt_tokens)
    if pin is None or pout is None:
        return None
    cache_read = _price_at(getattr(prices, "cache_read_mtok", None), prompt_tokens)
    cache_write = _price_at(getattr(prices, "cache_write_mtok", None), prompt_tokens)
    discount = None
    batch = info.get_prices(when, {"processing": "batch"})
    bin_ = _price_at(getattr(batch, "input_mtok", None), prompt_tokens)
    if bin_ is not None and pin > 0 and bin_ < pin:
        discount = round(1.0 - bin_ / pin, 6)
    return TokenPrice(provider=provider.id, model=info.id, name=info.name or info.id, input=pin, output=pout,
                      cache_read=pin if cache_read is None else cache_read,
                      cache_write=pin if cache_write is None else cache_write,
                      batch_discount=discount, context_window=info.context_window)


def _find(snap: Any, model: str, provider: str | None) -> Any:
    """genai-prices' provider and model for an id, else for the id without its date suffix
    (:func:`costengine.acceptance.api_model_base`, the rule the workbook's api_model lookup applies too)."""
    try:
        return snap.find_provider_model(model.strip(), None, provider, None)
    except LookupError:
        base = api_model_base(model)
        if base == model.strip():
            raise
        return snap.find_provider_model(base, None, provider, None)


@functools.lru_cache(maxsize=4096)
def token_price(model: str, provider: str | None = None, prompt_tokens: float = 0.0,
                key: str = "api_model") -> TokenPrice:
    """Current token prices of ``model`` (optionally at ``provider``) from genai-prices.

    Raises :class:`CostModelError` naming ``key`` with the closest model ids when it is unknown.
    """
    if not isinstance(model, str) or not model.strip():
        raise CostModelError(key, f"must be a model id of the token-price catalog (got {model!r})")
    snap = _snapshot()
    when = datetime.now(timezone.utc)
    try:
        prov, info = _find(snap, model, provider.strip() if provider else None)
    except LookupError:
        if provider:
            ids = [p.id for p in snap.providers]
            if provider.strip().lower() not in ids:
                near = closest(provider, ids)
                raise CostModelError("provider", f"unknown provider {provider!r}; closest: {', '.join(near)}") \
                    from None
        ids = sorted({m.id for p in snap.providers for m in p.models})
        near = closest(model, ids)
        raise CostModelError(key, f"unknown model {model!r} in the token-price catalog"
                             + (f"; closest: {', '.join(near)}" if near else "")) from None
    price = _from_model_info(prov, info, prompt_tokens, when)
    if price is None:
        raise CostModelError(key, f"{model!r} has no per-token input and output price in the catalog")
    return price


@functools.lru_cache(maxsize=4096)
def tier_starts(model: str, provider: str | None = None) -> tuple[float, ...]:
    """Prompt sizes [tokens] at which the model's tiered prices change (empty when it has no tiers)."""
    token_price(model, provider)  # raises the engine's error for an unknown model
    _, info = _find(_snapshot(), model, provider)
    prices = info.get_prices(datetime.now(timezone.utc))
    starts = {float(t.start) for v in vars(prices).values() for t in (getattr(v, "tiers", None) or [])}
    return tuple(sorted(starts))


@functools.cache
def token_price_table() -> tuple[TokenPrice, ...]:
    """Every text model of the token-price catalog with an input and output price, by provider and id."""
    snap = _snapshot()
    when = datetime.now(timezone.utc)
    rows = []
    for prov in snap.providers:
        for info in prov.models:
            price = _from_model_info(prov, info, 0.0, when)
            if price is not None:
                rows.append(price)
    rows.sort(key=lambda r: (r.provider, r.model))
    return tuple(rows)


