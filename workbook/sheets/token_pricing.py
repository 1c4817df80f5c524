"""The Token Pricing sheet (genai-prices).

Token Pricing holds two tables. On the left, every priced text model of genai-prices (base-tier prices,
for reading). On the right, the ``api_model`` lookup list: one row per id that the engine resolves by
itself (``token_price(id)`` without a provider), with the provider and model the engine picks and the
prices of every prompt-size tier, so the workbook's INDEX/MATCH gives the engine's price for the same
``api_model`` and ``prompt_tokens``. Ids the engine matches by pattern only (dated variants and other
aliases) are not listed; with such an id the api prices must be typed (the Inputs check says so).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from openpyxl.utils import get_column_letter

from costengine import CostModelError
from costengine.catalogs import TokenPrice, tier_starts, token_price, token_price_table

from ..kit import Book, setup_sheet
from .catalog_table import write_table

__all__ = ["SHEET", "ApiModel", "api_model_list", "build", "TierColumns"]

SHEET = "Token Pricing"


@dataclass(frozen=True)
class ApiModel:
    """One id of the api_model list: what the engine resolves it to, with its tiers (start, prices)."""

    ref: str
    base: TokenPrice
    tiers: tuple[tuple[float, TokenPrice], ...]


@dataclass(frozen=True)
class TierColumns:
    """Names of the lookup list's columns: base prices and, per tier, its start and prices."""

    tiers: int


@functools.cache
def api_model_list() -> tuple[ApiModel, ...]:
    """Every catalog model id that ``token_price(id)`` resolves without a provider, sorted case-insensitively.

    The pre-check uses genai-prices' own lookup (as ``costengine.catalogs`` does) so that ids the engine
    rejects cost nothing; the prices then come from the engine's :func:`token_price`.
    """
    from genai_prices.data_snapshot import get_snapshot

    snap = get_snapshot()
    refs = sorted({row.model.lower(): row.model for row in token_price_table()}.values(), key=str.lower)
    out = []
    for ref in refs:
        try:
            snap.find_provider_model(ref, None, None, None)
        except LookupError:
            continue
        try:
            base = token_price(ref)
            tiers = tuple((start, token_price(ref, None, start)) for start in tier_starts(ref))
        except CostModelError:  # e.g. a model without per-token input and output prices
            continue
        out.append(ApiModel(ref, base, tiers))
    return tuple(out)


def build(book: Book) -> TierColumns:
    """The full catalog on the left, the ``api_model`` lookup list (one row per id, every tier) on the right."""
    ws = book.sheet(SHEET)
    table = token_price_table()
    cols = [("provider", None), ("model", None), ("name", None), ("input [USD/MTok]", "price"),
            ("output [USD/MTok]", "price"), ("cache read [USD/MTok]", "price"), ("cache write [USD/MTok]", "price"),
            ("context window [tokens]", "count")]
    rows = [(t.provider, t.model, t.name, t.input, t.output, t.cache_read, t.cache_write, t.context_window)
            for t in table]
    last = write_table(ws, 1, cols, rows)

    refs = api_model_list()
    n_tiers = max([len(a.tiers) for a in refs] + [1])
    lk = [("api_model (id)", None), ("provider", None), ("model", None), ("input [USD/MTok]", "price"),
          ("output [USD/MTok]", "price"), ("cache read [USD/MTok]", "price")]
    for t in range(1, n_tiers + 1):
        lk += [(f"tier {t} from [prompt tokens]", "count"), (f"tier {t} input [USD/MTok]", "price"),
               (f"tier {t} output [USD/MTok]", "price"), (f"tier {t} cache read [USD/MTok]", "price")]
    lrows = []
    for a in refs:
        row: list[Any] = [a.ref, a.base.provider, a.base.model, a.base.input, a.base.output, a.base.cache_read]
        for t in range(n_tiers):
            if t < len(a.tiers):
                start, tp = a.tiers[t]
                row += [start, tp.input, tp.output, tp.cache_read]
            else:
                row += [None] * 4
        lrows.append(row)
    first_col = len(cols) + 2
    llast = write_table(ws, 1, lk, lrows, first_col=first_col)
    letters = [get_column_letter(first_col + j) for j in range(len(lk))]
    names = ["tp_ref", "tp_provider", "tp_model", "tp_input", "tp_output", "tp_cache_read"]
    for t in range(1, n_tiers + 1):
        names += [f"tp_tier{t}_from", f"tp_tier{t}_input", f"tp_tier{t}_output", f"tp_tier{t}_cache_read"]
    for name, col in zip(names, letters):
        book.name(name, SHEET, f"{col}2:{col}{max(llast, 2)}")
    book.name("list_api_models", SHEET, f"{letters[0]}2:{letters[0]}{max(llast, 2)}")
    widths = {"A": 14, "B": 44, "C": 36, "D": 11, "E": 11, "F": 11, "G": 11, "H": 12,
              get_column_letter(len(cols) + 1): 3}
    for j, col in enumerate(letters):
        widths[col] = 30 if j == 0 else 14 if j < 3 else 12
    setup_sheet(ws, widths=widths, freeze="C2", print_area=f"A1:H{last}", landscape=False, title_rows="1:1")
    ws.row_dimensions[1].height = 45
    ws.auto_filter.ref = f"A1:H{last}"
    return TierColumns(tiers=n_tiers)
