"""The API stage of the resolution (:mod:`costengine.resolve`): token prices from the catalog where blank, cache
reads and writes, hidden reasoning tokens, batch share; the cost per request of each row
(``docs/model.md#api-cost``).
"""

from __future__ import annotations

import numpy as np

from .catalogs import api_reasoning, tier_starts, token_price
from .errors import CostModelError
from .lookup import Columns, factorize
from .lookup import blank as _blank
from .lookup import combined as _combined
from .lookup import where as _where
from .plan import OptionCost
from .problems import Problems

__all__ = ["resolve_api", "api_hidden_tokens", "CACHE_SHARES"]

#: The rule on the two cache shares (a prompt token is read from the cache, written to it, or neither).
CACHE_SHARES = (
    "must be at most 1 - api_cached_input_share: a prompt token is read from the cache, written to it, or neither"
)


def resolve_api(f: Columns, rows: np.ndarray | None = None, problems: Problems | None = None) -> OptionCost:
    """The API option: fixed = monthly fee; variable = cost per request (catalog token prices where blank)::

        cost per request = (p*((1-c-w)*Pin + c*Pcache + w*Pwrite) + (o + h)*Pout) / 1e6 * (1 - b*d)

    with c = ``api_cached_input_share``, w = ``api_cache_write_share``, h = hidden reasoning tokens
    (``api_reasoning_tokens``; blank: :func:`api_hidden_tokens`), b, d = batch share and discount
    (PRODUCT.md "The cost model", docs/model.md#api-cost). A catalog model without a per-token price: the API not
    feasible (marked in ``problems``; raised without it); an unknown model id is a bad value."""
    n = len(f["requests_per_month"])
    usd = f["usd_to_currency"]
    p, o = f["prompt_tokens"], f["output_tokens"]
    pin, pout, pcache, pwrite = (f[k].copy() for k in _PRICE_KEYS)
    w = f["api_cache_write_share"]
    over = np.flatnonzero(f["api_cached_input_share"] + w > 1)
    if len(over):
        raise CostModelError("api_cache_write_share", f"{CACHE_SHARES}{_where(rows, over[0])}")
    need = _blank(pin) | _blank(pout) | _blank(pcache) | (_blank(pwrite) & (w > 0))
    if need.any():
        catalog_prices = _token_prices(f["api_model"], p, need, rows, f["api_service_tier"], problems)
        for arr, name in zip((pin, pout, pcache, pwrite), _PRICE_KINDS):
            np.copyto(arr, catalog_prices[name] * usd, where=_blank(arr))
    c, b, d = f["api_cached_input_share"], f["api_batch_share"], f["api_batch_discount"]
    h, note = api_hidden_tokens(f["api_model"], f["api_reasoning_tokens"])
    written = np.where(w > 0, w * pwrite, 0.0)  # a blank write price is not needed without writes
    api_per_request = (p * ((1 - c - w) * pin + c * pcache + written) + (o + h) * pout) / 1e6 * (1 - b * d)
    inf = np.full(n, np.inf)
    return OptionCost(
        fixed=f["api_monthly_fixed"],
        overhead=f["api_monthly_fixed"],
        variable=api_per_request,
        step=np.zeros(n),
        capacity=inf,
        min_units=np.zeros(n),
        gpus_per_replica=np.zeros(n),
        seconds_per_request=np.full(n, np.nan),
        replica_capacity=inf,
        min_replicas=np.zeros(n),
        notes=note,
    )


def api_hidden_tokens(models: np.ndarray, typed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hidden reasoning tokens of the API model [tokens/request] per row, and the note each row gets.

    Typed: as typed, no note. Blank for a model ``templates/api_reasoning.csv`` marks as reasoning by default: its
    typical figure, said as an estimate; where it has none, 0 and a warning naming the key. Blank otherwise: 0, no
    note (:func:`costengine.catalogs.api_reasoning`)."""
    h = np.where(_blank(typed), 0.0, typed)
    notes = np.full(len(h), "", dtype=object)
    idx = np.flatnonzero(_blank(typed))
    if len(idx):
        codes, uniques = factorize(models[idx])
        for u_i, model in enumerate(uniques):
            row = api_reasoning(str(model))
            if row is None or row.reasons != "yes":
                continue
            sel = idx[codes == u_i]
            if np.isnan(row.typical_hidden_tokens):
                notes[sel] = (
                    f"api_reasoning_tokens blank: {model} reasons; its hidden tokens are billed as output and are "
                    "not counted: type an estimate"
                )
            else:
                h[sel] = row.typical_hidden_tokens
                notes[sel] = (
                    f"api_reasoning_tokens blank: {model} reasons; estimated {row.typical_hidden_tokens:,.0f} hidden "
                    f"tokens per request billed as output ({row.source}): type yours"
                )
    return h, notes


#: The typed API price keys and the catalog price each takes when blank.
_PRICE_KEYS = (
    "api_input_price_per_mtok",
    "api_output_price_per_mtok",
    "api_cached_input_price_per_mtok",
    "api_cache_write_price_per_mtok",
)
_PRICE_KINDS = ("input", "output", "cache_read", "cache_write")


def _token_prices(
    models: np.ndarray,
    prompt: np.ndarray,
    need: np.ndarray,
    rows: np.ndarray | None,
    service: np.ndarray,
    problems: Problems | None,
) -> dict[str, np.ndarray]:
    """Catalog token prices [USD/MTok] per row by kind (NaN where not needed) at the row's ``api_service_tier``
    (``service``); the prompt-size tier follows the prompt size.
    A model the catalog has without a price: the API is not feasible there (:class:`Infeasible`)."""
    out = {kind: np.full(len(models), np.nan) for kind in _PRICE_KINDS}
    idx = np.flatnonzero(need)
    codes, uniques = factorize(_combined(models, service)[idx])
    for u_i, (model, service_tier) in enumerate(uniques):
        sel = idx[codes == u_i]
        try:
            starts = (0.0,) + tier_starts(model)
            tier = np.searchsorted(np.array(starts), prompt[sel], side="right") - 1
            for t in np.unique(tier) if len(tier) > 1 else tier:
                price = token_price(model, None, starts[t], "api_model", str(service_tier))
                for kind in _PRICE_KINDS:
                    out[kind][sel[tier == t]] = getattr(price, kind)
        except CostModelError as exc:  # an unknown id: a bad value; a model without a price: not feasible
            if problems is not None and problems.handle(("api",), sel, exc):
                continue
            if rows is not None:
                raise type(exc)(exc.key, f"{exc.problem} (row {int(rows[sel[0]])})") from None
            raise
    return out
