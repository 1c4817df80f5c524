"""The catalog sheets: Token Pricing (genai-prices), Hardware and Models (the shipped CSV files).

Token Pricing holds two tables. On the left, every priced text model of genai-prices (base-tier prices,
for reading). On the right, the ``api_model`` lookup list: one row per id that the engine resolves by
itself (``token_price(id)`` without a provider), with the provider and model the engine picks and the
prices of every prompt-size tier, so the workbook's INDEX/MATCH gives the engine's price for the same
``api_model`` and ``prompt_tokens``. Ids the engine matches by pattern only (dated variants and other
aliases) are not listed; with such an id the api prices must be typed (the Inputs check says so).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from costengine import CostModelError, load_catalog
from costengine.catalogs import HARDWARE_COLUMNS, MODEL_COLUMNS, TokenPrice, tier_starts, token_price, \
    token_price_table

from .layout import FORMULA_LEADS, Book, header_row, put_text, setup_sheet, style_cell, wrap_rows

__all__ = ["TOKEN_SHEET", "HARDWARE_SHEET", "MODELS_SHEET", "ApiModel", "api_model_list", "build_token_pricing",
           "build_hardware", "build_models", "TierColumns"]

TOKEN_SHEET, HARDWARE_SHEET, MODELS_SHEET = "Token Pricing", "Hardware", "Models"


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


def write_table(ws: Worksheet, top: int, columns: Sequence[tuple[str, str | None]], rows: Sequence[Sequence[Any]],
                first_col: int = 1, kind: str = "data") -> int:
    """A header and data rows, fast: ``columns`` are (header, number format). Returns the last row."""
    header_row(ws, top, [c[0] for c in columns], first_col)
    fmts = [f for _, f in columns]
    r = top
    for r, values in enumerate(rows, start=top + 1):
        for j, v in enumerate(values):
            if v is None or v == "":
                continue
            if isinstance(v, str) and (v.startswith(FORMULA_LEADS) or ILLEGAL_CHARACTERS_RE.search(v)):
                put_text(ws, f"{get_column_letter(first_col + j)}{r}", v, kind)  # text stays text, cleaned
                continue
            cell = ws.cell(row=r, column=first_col + j, value=v)
            style_cell(cell, kind, fmts[j] if not isinstance(v, str) else None)
    return r


def build_token_pricing(book: Book) -> TierColumns:
    ws = book.sheet(TOKEN_SHEET)
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
        book.name(name, TOKEN_SHEET, f"{col}2:{col}{max(llast, 2)}")
    book.name("list_api_models", TOKEN_SHEET, f"{letters[0]}2:{letters[0]}{max(llast, 2)}")
    widths = {"A": 14, "B": 44, "C": 36, "D": 11, "E": 11, "F": 11, "G": 11, "H": 12,
              get_column_letter(len(cols) + 1): 3}
    for j, col in enumerate(letters):
        widths[col] = 30 if j == 0 else 14 if j < 3 else 12
    setup_sheet(ws, widths=widths, freeze="C2", print_area=f"A1:H{last}", landscape=False, title_rows="1:1")
    ws.row_dimensions[1].height = 45
    ws.auto_filter.ref = f"A1:H{last}"
    return TierColumns(tiers=n_tiers)


_HW_UNITS = {"memory_gb": "memory [GB]", "bandwidth_tbps": "bandwidth [TB/s]", "bf16_tflops": "bf16 dense [TFLOP/s]",
             "fp8_tflops": "fp8 dense [TFLOP/s]", "tdp_w": "TDP [W]", "price_usd": "price [USD]",
             "cloud_price_per_hour_usd": "cloud price [USD/GPU-h]"}
_MD_UNITS = {"params_billion": "params [billion]", "active_params_billion": "active params [billion]",
             "context_length": "context length [tokens]"}


def _catalog_sheet(book: Book, title: str, columns: tuple[str, ...], rows: list, units: dict[str, str],
                   prefix: str, numeric_fmt: dict[str, str], widths: dict[str, float], list_name: str) -> None:
    ws = book.sheet(title)
    cols = [(units.get(c, c.replace("_", " ")), numeric_fmt.get(c, "General")) for c in columns]
    data = [[getattr(row, c) for c in columns] for row in rows]
    last = write_table(ws, 1, cols, data)
    for j, c in enumerate(columns):
        col = get_column_letter(j + 1)
        if c not in ("name", "vendor", "license", "source", "spec_source", "price_source", "cloud_price_source",
                     "as_of", "notes"):
            book.name(f"{prefix}_{c}", title, f"{col}2:{col}{last}")
    book.name(list_name, title, f"A2:A{last}")
    setup_sheet(ws, widths=widths, freeze="B2", print_area=f"A1:{get_column_letter(len(columns))}{last}",
                title_rows="1:1")
    ws.row_dimensions[1].height = 45
    wrapped = [get_column_letter(j + 1) for j, c in enumerate(columns)
               if c in ("spec_source", "price_source", "cloud_price_source", "notes", "source", "name")]
    wrap_rows(ws, range(2, last + 1), wrapped, widths, chars_per_width=1.05)  # URLs break late
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{last}"



def build_hardware(book: Book) -> None:
    cat = load_catalog()
    fmt = {"memory_gb": "General", "bandwidth_tbps": "0.000", "bf16_tflops": "#,##0.0", "fp8_tflops": "#,##0.0",
           "tdp_w": "#,##0", "price_usd": "#,##0", "cloud_price_per_hour_usd": "0.00"}
    widths = {"A": 11, "B": 18, "C": 8, "D": 8, "E": 10, "F": 10, "G": 10, "H": 8, "I": 9, "J": 10,
              "K": 34, "L": 34, "M": 34, "N": 11, "O": 34}
    _catalog_sheet(book, HARDWARE_SHEET, HARDWARE_COLUMNS, list(cat.gpus.values()), _HW_UNITS, "hw", fmt, widths,
                   "list_gpus")


def build_models(book: Book) -> None:
    cat = load_catalog()
    fmt = {"params_billion": "#,##0.00", "active_params_billion": "#,##0.00", "context_length": "#,##0"}
    widths = {"A": 18, "B": 22, "C": 10, "D": 10, "E": 8, "F": 10, "G": 9, "H": 9, "I": 9, "J": 11,
              "K": 22, "L": 40, "M": 11, "N": 44}
    _catalog_sheet(book, MODELS_SHEET, MODEL_COLUMNS, list(cat.models.values()), _MD_UNITS, "md", fmt, widths,
                   "list_models")
