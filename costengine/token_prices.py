"""Token prices of closed models, from the ``genai-prices`` package's bundled snapshot (no network access);
no price is copied into this project. Ids are matched as genai-prices matches them; an unknown id raises
:class:`~costengine.errors.CostModelError` listing the closest ids.

Prices are those in force on the current UTC date (genai-prices dates price changes) at the model's
**standard** time of day: a model whose catalog price depends on the hour (DeepSeek's off-peak discount, a
``TimeOfDateConstraint``) is priced at its dearest hour, whatever the clock says, and is flagged
(:attr:`TokenPrice.time_of_day`, with its off-peak prices). A cache price the catalog does not list falls back
to the input price and is flagged too (:attr:`TokenPrice.cache_read_listed`). docs/pricing.md, "Token prices".
A service tier other than standard (``api_service_tier``) takes the catalog's prices for that tier, where it has
them (:func:`service_tiers`); the batch discount stays the batch price's discount on the standard price.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any

from .acceptance import api_model_base
from .errors import CostModelError, Infeasible, closest

__all__ = [
    "TokenPrice",
    "token_price",
    "token_price_table",
    "token_prices_version",
    "token_prices_as_of",
    "token_prices_source",
    "tier_starts",
    "clear_caches",
    "scenario_price_note",
    "SERVICE_TIERS",
    "service_tiers",
]

#: The API service tiers (scenario key ``api_service_tier``); "standard" is the catalog's list price, the others
#: its price variants ``{"service_tier": tier}`` (genai-prices >= 0.2: OpenAI's flex and priority processing,
#: Google's flex and priority). docs/pricing.md#service-tiers.
SERVICE_TIERS: tuple[str, ...] = ("standard", "flex", "priority")


@dataclass(frozen=True)
class TokenPrice:
    """Token prices of one closed model [USD/MTok], from genai-prices.

    ``cache_read`` falls back to ``input`` and ``cache_write`` to ``input`` when the catalog has none
    (``cache_read_listed`` / ``cache_write_listed`` say whether it has one); ``batch_discount`` is derived from
    the catalog's batch price variant when it has one. ``time_of_day`` is True when the catalog's price
    depends on the hour: the prices are then the dearest hour's (the standard price) and ``off_peak_input`` /
    ``off_peak_output`` the cheapest hour's, in ``off_peak_hours`` (UTC), which the engine does not use.
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
    cache_read_listed: bool = True
    cache_write_listed: bool = True
    time_of_day: bool = False
    off_peak_input: float | None = None
    off_peak_output: float | None = None
    off_peak_hours: str = ""

    @property
    def off_peak_note(self) -> str:
        """The off-peak price not used, "" when the price does not vary with the time of day."""
        if not self.time_of_day:
            return ""
        return (
            f"price varies with the time of day: standard price used; off-peak ({self.off_peak_hours} UTC) "
            f"input {self.off_peak_input:g}, output {self.off_peak_output:g} USD/MTok not used"
        )

    @property
    def note(self) -> str:
        """What a reader should know about these prices ("" when nothing): an off-peak price not used, a cache
        price not listed."""
        parts = [self.off_peak_note] if self.time_of_day else []
        if not self.cache_read_listed:
            parts.append("cache read price not listed: the input price is used")
        return "; ".join(parts)


def _snapshot() -> Any:
    from genai_prices.data_snapshot import get_snapshot

    return get_snapshot()


def token_prices_version() -> str:
    """The genai-prices version the token prices come from."""
    import genai_prices

    return str(getattr(genai_prices, "__version__", "unknown"))


def token_prices_as_of() -> str | None:
    """The date of the token-price data, or None when none is recorded, which is the case of genai-prices'
    bundled snapshot: its ``DataSnapshot.timestamp`` is when the data was loaded into memory, not when it was
    collected, and the package metadata carries no release date. No date is guessed; the version identifies
    the data (:func:`token_prices_version`)."""
    return None


def token_prices_source() -> str:
    """One line naming the token prices' source: the genai-prices version and the as-of date (or that none is
    recorded)."""
    as_of = token_prices_as_of()
    return f"genai-prices {token_prices_version()} " + (
        f"(as of {as_of})" if as_of else "(as-of date not recorded by the package)"
    )


def _now() -> datetime:
    """The clock (a function so tests can fix it): only its UTC date is used."""
    return datetime.now(timezone.utc)


def _hour_bounds(info: Any) -> list[time]:
    """The times of day [UTC] at which the model's catalog price may change (00:00 always)."""
    from genai_prices.types import TimeOfDateConstraint

    entries = list(info.prices) if isinstance(info.prices, list) else []
    entries += list(info.price_variants or [])
    out = {time(0, 0)}
    for e in entries:
        c = getattr(e, "constraint", None)
        if isinstance(c, TimeOfDateConstraint):
            for t in (c.start_time, c.end_time):
                if t.tzinfo is not None:
                    t = datetime.combine(date(2000, 1, 1), t).astimezone(timezone.utc).time()
                out.add(t.replace(tzinfo=None))
    return sorted(out)


def _key(prices: Any) -> tuple[float, float]:
    return (
        _price_at(getattr(prices, "input_mtok", None), 0.0) or 0.0,
        _price_at(getattr(prices, "output_mtok", None), 0.0) or 0.0,
    )


def _day_regimes(info: Any, day: date) -> list[tuple[datetime, Any]]:
    """(start instant, prices) of each stretch of ``day`` between two hour bounds."""
    return [
        (at, info.get_prices(at)) for at in (datetime.combine(day, t, tzinfo=timezone.utc) for t in _hour_bounds(info))
    ]


def _standard_instant(info: Any, day: date) -> tuple[datetime, tuple[Any, str] | None]:
    """The instant of ``day`` whose prices are the standard ones (the dearest hour's, the first such); and, when
    the price varies by hour, the cheapest hour's prices with the hours [UTC] they hold, else None."""
    regimes = _day_regimes(info, day)
    dear = max(regimes, key=lambda r: _key(r[1]))
    cheap = min(regimes, key=lambda r: _key(r[1]))
    if _key(dear[1]) == _key(cheap[1]):
        return datetime.combine(day, time(12, 0), tzinfo=timezone.utc), None
    minutes = [at.hour * 60 + at.minute for at, _ in regimes] + [24 * 60]
    spans: list[list[int]] = []
    for k, (_, p) in enumerate(regimes):
        if _key(p) == _key(cheap[1]):
            if spans and spans[-1][1] == minutes[k]:
                spans[-1][1] = minutes[k + 1]
            else:
                spans.append([minutes[k], minutes[k + 1]])
    if len(spans) > 1 and spans[0][0] == 0 and spans[-1][1] == 24 * 60:  # wraps past midnight
        spans = spans[1:-1] + [[spans[-1][0], spans[0][1]]]
    hours = ", ".join(f"{a // 60:02d}:{a % 60:02d}-{b // 60:02d}:{b % 60:02d}" for a, b in spans)
    return dear[0], (cheap[1], hours)


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


def _tier_context(service_tier: str) -> dict[str, str] | None:
    return None if service_tier == "standard" else {"service_tier": service_tier}


def _tiers_of(info: Any, when: datetime) -> tuple[str, ...]:
    """The service tiers of :data:`SERVICE_TIERS` the model's catalog entry prices at ``when``."""
    have = {"standard"}
    for v in info.price_variants or ():
        if v.constraint is not None and not v.constraint.active(when):
            continue
        if set(v.when) == {"service_tier"} and v.when["service_tier"] in SERVICE_TIERS:
            have.add(v.when["service_tier"])
    return tuple(t for t in SERVICE_TIERS if t in have)


def _from_model_info(
    provider: Any, info: Any, prompt_tokens: float, day: date, service_tier: str = "standard"
) -> TokenPrice | None:
    """The model's prices on ``day`` at ``service_tier`` (see :func:`_standard_instant`), or None without input
    and output (or when the catalog has no price at that tier)."""
    when, off_peak = _standard_instant(info, day)
    if service_tier not in _tiers_of(info, when):
        return None
    prices = info.get_prices(when, _tier_context(service_tier))
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
    extra: dict[str, Any] = {}
    if off_peak is not None:
        cheap, hours = off_peak
        extra = dict(
            time_of_day=True,
            off_peak_input=_price_at(getattr(cheap, "input_mtok", None), prompt_tokens),
            off_peak_output=_price_at(getattr(cheap, "output_mtok", None), prompt_tokens),
            off_peak_hours=hours,
        )
    return TokenPrice(
        provider=provider.id,
        model=info.id,
        name=info.name or info.id,
        input=pin,
        output=pout,
        cache_read=pin if cache_read is None else cache_read,
        cache_write=pin if cache_write is None else cache_write,
        batch_discount=discount,
        context_window=info.context_window,
        cache_read_listed=cache_read is not None,
        cache_write_listed=cache_write is not None,
        **extra,
    )


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
def token_price(
    model: str,
    provider: str | None = None,
    prompt_tokens: float = 0.0,
    key: str = "api_model",
    service_tier: str = "standard",
) -> TokenPrice:
    """Token prices of ``model`` (optionally at ``provider``) from genai-prices: those in force on the current
    UTC date at the standard (dearest) time of day, the same at any hour, at ``service_tier`` (standard, flex,
    priority).

    Raises :class:`CostModelError` naming ``key`` with the closest model ids when it is unknown, naming
    ``api_service_tier`` with the tiers the model has when the catalog has no price at ``service_tier``, and
    :class:`~costengine.errors.Infeasible` when the catalog has the model without a per-token price (the API
    option cannot be priced: docs/model.md#infeasible-options).
    """
    if service_tier not in SERVICE_TIERS:
        raise CostModelError("api_service_tier", f"must be one of {', '.join(SERVICE_TIERS)} (got {service_tier!r})")
    if not isinstance(model, str) or not model.strip():
        raise CostModelError(key, f"must be a model id of the token-price catalog (got {model!r})")
    snap = _snapshot()
    day = _now().astimezone(timezone.utc).date()
    try:
        prov, info = _find(snap, model, provider.strip() if provider else None)
    except LookupError:
        if provider:
            ids = [p.id for p in snap.providers]
            if provider.strip().lower() not in ids:
                near = closest(provider, ids)
                raise CostModelError("provider", f"unknown provider {provider!r}; closest: {', '.join(near)}") from None
        ids = sorted({m.id for p in snap.providers for m in p.models})
        near = closest(model, ids)
        raise CostModelError(
            key,
            f"unknown model {model!r} in the token-price catalog" + (f"; closest: {', '.join(near)}" if near else ""),
        ) from None
    if service_tier != "standard":
        have = _tiers_of(info, _standard_instant(info, day)[0])
        if service_tier not in have:
            raise CostModelError(
                "api_service_tier",
                f"{model!r} has no {service_tier} price in the token-price catalog (it has: {', '.join(have)})",
            )
    price = _from_model_info(prov, info, prompt_tokens, day, service_tier)
    if price is None:
        raise Infeasible(key, f"{model!r} has no per-token input and output price in the catalog")
    return price


@functools.lru_cache(maxsize=4096)
def service_tiers(model: str, provider: str | None = None) -> tuple[str, ...]:
    """The service tiers (of :data:`SERVICE_TIERS`) the catalog prices ``model`` at today, standard first."""
    token_price(model, provider)  # raises the engine's error for an unknown model
    _, info = _find(_snapshot(), model, provider)
    return _tiers_of(info, _standard_instant(info, _now().astimezone(timezone.utc).date())[0])


@functools.lru_cache(maxsize=4096)
def tier_starts(model: str, provider: str | None = None) -> tuple[float, ...]:
    """Prompt sizes [tokens] at which the model's tiered prices change (empty when it has no tiers)."""
    token_price(model, provider)  # raises the engine's error for an unknown model
    _, info = _find(_snapshot(), model, provider)
    prices = info.get_prices(_standard_instant(info, _now().astimezone(timezone.utc).date())[0])
    starts = {float(t.start) for v in vars(prices).values() for t in (getattr(v, "tiers", None) or [])}
    return tuple(sorted(starts))


@functools.cache
def token_price_table() -> tuple[TokenPrice, ...]:
    """Every text model of the token-price catalog with an input and output price, by provider and id."""
    snap = _snapshot()
    day = _now().astimezone(timezone.utc).date()
    rows = []
    for prov in snap.providers:
        for info in prov.models:
            price = _from_model_info(prov, info, 0.0, day)
            if price is not None:
                rows.append(price)
    rows.sort(key=lambda r: (r.provider, r.model))
    return tuple(rows)


def clear_caches() -> None:
    """Forget the cached prices (after the clock or the snapshot changed, e.g. in tests)."""
    for f in (token_price, tier_starts, token_price_table, service_tiers):
        f.cache_clear()


def scenario_price_note(price: TokenPrice, typed_io: bool, cached_share: float, typed_cached: bool) -> str:
    """What a scenario priced with ``price`` should say about it ("" when nothing): the off-peak price not used
    when the catalog's input or output price is (``typed_io`` False), and the unlisted cache price when cached
    input (``cached_share`` > 0) is priced from the catalog (``typed_cached`` False). The workbook's Comparison
    sheet says the same (its "catalog price note" row)."""
    parts = [price.off_peak_note] if price.time_of_day and not typed_io else []
    if cached_share > 0 and not typed_cached and not price.cache_read_listed:
        parts.append("cache read price not listed: cached input is priced as input")
    return "; ".join(parts)
