"""The Token Pricing sheet (genai-prices).

A reference sheet: hidden and not printed with the workbook (:mod:`workbook.kit.page`).
A header names the source (genai-prices' version and its as-of date, or that none is recorded) and how the
prices are read. Three tables follow, side by side:

- on the left, the Inputs ``api_model`` dropdown (:func:`dropdown_models`): chat models only, those of
  the well-known providers first (:data:`WELL_KNOWN`), with their prices, whether the cache price is listed and
  a note (an off-peak price not used);
- in the middle, every priced text model of genai-prices (base-tier prices, for reading);
- on the right, the ``api_model`` lookup list: one row per id that the engine resolves by itself
  (``token_price(id)`` without a provider), with the provider and model the engine picks and the prices of every
  prompt-size tier, so the workbook's INDEX/MATCH gives the engine's price for the same ``api_model`` and
  ``prompt_tokens``, and whether the model reasons by default (``templates/api_reasoning.csv``, matched at build
  time by :func:`costengine.catalogs.api_reasoning`) with its typical hidden tokens where the file has a figure.
  Ids the engine matches by pattern only (dated variants and other aliases) are not listed; with such an id
  the api prices must be typed (the Inputs check says so). The lookup list keeps the ids the
  dropdown leaves out (image, speech, embedding models): typed, they are priced as the engine prices them.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from typing import Any

from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter

from costengine import CostModelError
from costengine.catalogs import TokenPrice, api_reasoning, tier_starts, token_price, token_price_table
from costengine.token_prices import SERVICE_TIERS, service_tiers, token_prices_source

from ..kit import Book, put_text, setup_sheet
from .catalog_table import write_table

__all__ = [
    "SHEET",
    "ApiModel",
    "api_model_list",
    "dropdown_models",
    "not_chat",
    "build",
    "TierColumns",
    "WELL_KNOWN",
    "CACHE_NOT_LISTED",
    "TOP",
]

SHEET = "Token Pricing"
#: The tables' header row (rows above: the title, the source and how to read the prices).
TOP = 4
#: Providers (genai-prices ids) whose chat models the dropdown lists first, in this order: the model makers a
#: scenario is most often compared with. The other providers (platforms reselling others' models, such as
#: Cloudflare and Databricks, and smaller labs) follow, by provider id.
WELL_KNOWN = ("openai", "anthropic", "google", "mistral", "deepseek", "x-ai", "meta")
#: Words (split at any character that is not a letter or digit) of a model id that name a task other than chat.
NOT_CHAT_WORDS = frozenset(
    {
        "embed",
        "embedding",
        "embeddings",
        "tts",
        "transcribe",
        "whisper",
        "speech",
        "audio",
        "realtime",
        "image",
        "dall",
        "imagen",
        "moderation",
        "rerank",
        "guard",
        "safeguard",
    }
)
#: genai-prices price keys of a non-text output, or of audio billed by the hour: a model priced so is not chat.
NOT_CHAT_PRICES = ("output_image_mtok", "output_audio_mtok", "output_video_mtok", "audio_hours", "input_audio_hours")
#: What the sheet shows where the catalog lists no cache read price.
CACHE_NOT_LISTED = "not listed (input price used)"


@dataclass(frozen=True)
class ApiModel:
    """One id of the api_model list: what the engine resolves it to, with its tiers (start, prices)."""

    ref: str
    base: TokenPrice
    tiers: tuple[tuple[float, TokenPrice], ...]
    #: genai-prices' price keys of the model (those with a value), e.g. ``input_mtok``, ``output_image_mtok``.
    price_keys: frozenset[str] = frozenset()
    deprecated: bool = False
    #: The other service tiers the catalog prices (``api_service_tier``): (tier, base prices, prompt-size tiers).
    services: tuple[tuple[str, TokenPrice, tuple[tuple[float, TokenPrice], ...]], ...] = ()


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
            _, info = snap.find_provider_model(ref, None, None, None)
        except LookupError:
            continue
        try:
            base = token_price(ref)
            tiers = tuple((start, token_price(ref, None, start)) for start in tier_starts(ref))
        except CostModelError:  # e.g. a model without per-token input and output prices
            continue
        entries = [info.prices] if not isinstance(info.prices, list) else [c.prices for c in info.prices]
        keys = frozenset(k for e in entries for k, v in vars(e).items() if v is not None)
        services = tuple(
            (
                st,
                token_price(ref, None, 0.0, "api_model", st),
                tuple((start, token_price(ref, None, start, "api_model", st)) for start in tier_starts(ref)),
            )
            for st in service_tiers(ref)[1:]
        )
        out.append(ApiModel(ref, base, tiers, keys, bool(info.deprecated), services))
    return tuple(out)


def not_chat(a: ApiModel) -> str:
    """Why ``a`` is not a chat (text-generation) model, "" when it is one: the catalog prices a non-text output
    or audio by the hour (:data:`NOT_CHAT_PRICES`), or a word of its id names another task
    (:data:`NOT_CHAT_WORDS`: embeddings, speech, transcription, images, moderation)."""
    priced = sorted(a.price_keys & set(NOT_CHAT_PRICES))
    if priced:
        return f"priced by {priced[0]}"
    words = set(re.split(r"[^a-z0-9]+", a.ref.lower())) & NOT_CHAT_WORDS
    return f"id names {sorted(words)[0]}" if words else ""


def _tier_cells(tiers: tuple[tuple[float, TokenPrice], ...], n_tiers: int) -> list[Any]:
    """The prompt-size tier columns of a lookup row: start and prices of each tier, blank past the model's."""
    out: list[Any] = []
    for t in range(n_tiers):
        if t < len(tiers):
            start, tp = tiers[t]
            out += [start, tp.input, tp.output, tp.cache_read, tp.cache_write]
        else:
            out += [None] * 5
    return out


def _rank(provider: str) -> tuple[int, str]:
    return (WELL_KNOWN.index(provider), "") if provider in WELL_KNOWN else (len(WELL_KNOWN), provider)


@functools.cache
def dropdown_models() -> tuple[ApiModel, ...]:
    """The Inputs ``api_model`` dropdown: the chat models of :func:`api_model_list` (:func:`not_chat` empty), those
    of the :data:`WELL_KNOWN` providers first in that order, the others by provider; within a provider, models
    genai-prices marks deprecated last, then by id (case-insensitive)."""
    chat = [a for a in api_model_list() if not not_chat(a)]
    return tuple(sorted(chat, key=lambda a: (_rank(a.base.provider), a.deprecated, a.ref.lower())))


def _cache(value: float, listed: bool) -> float | str:
    """A cache price for reading: the number, or :data:`CACHE_NOT_LISTED` where the catalog has none."""
    return value if listed else CACHE_NOT_LISTED


def build(book: Book) -> TierColumns:
    """The header; the dropdown, the full catalog and the ``api_model`` lookup list side by side."""
    ws = book.sheet(SHEET)
    put_text(ws, "A1", "Token prices of closed models (USD per million tokens)", "title")
    put_text(
        ws,
        "A2",
        f"Source: {token_prices_source()}; nothing is downloaded. Prices in force on the day the "
        "workbook was written, at the standard time of day: a model whose price varies with the hour "
        "(DeepSeek's off-peak discount) is priced at its dearest hour; its note gives the off-peak price, "
        "not used.",
        "note",
    )
    put_text(
        ws,
        "A3",
        f"Cache read '{CACHE_NOT_LISTED}': the catalog lists no cache price, so cached input "
        "is priced as input (a conservative assumption). Left: the api_model dropdown (chat models, "
        "well-known providers first); right: the full catalog and the lookup list.",
        "note",
    )
    drop = dropdown_models()
    dcols = [
        ("api_model (dropdown order)", None),
        ("provider", None),
        ("input [USD/MTok]", "price"),
        ("output [USD/MTok]", "price"),
        ("cache read [USD/MTok]", "price"),
        ("note", None),
    ]
    drows = [
        (
            a.ref,
            a.base.provider,
            a.base.input,
            a.base.output,
            _cache(a.base.cache_read, a.base.cache_read_listed),
            a.base.off_peak_note,
        )
        for a in drop
    ]
    dlast = write_table(ws, TOP, dcols, drows)
    book.name("list_api_models", SHEET, f"A{TOP + 1}:A{max(dlast, TOP + 1)}")

    table = token_price_table()
    first = len(dcols) + 2
    cols = [
        ("provider", None),
        ("model", None),
        ("name", None),
        ("input [USD/MTok]", "price"),
        ("output [USD/MTok]", "price"),
        ("cache read [USD/MTok]", "price"),
        ("cache write [USD/MTok]", "price"),
        ("context window [tokens]", "count"),
        ("note", None),
    ]
    rows = [
        (
            t.provider,
            t.model,
            t.name,
            t.input,
            t.output,
            _cache(t.cache_read, t.cache_read_listed),
            _cache(t.cache_write, t.cache_write_listed),
            t.context_window,
            t.off_peak_note,
        )
        for t in table
    ]
    last = write_table(ws, TOP, cols, rows, first_col=first)

    refs = api_model_list()
    n_tiers = max([len(a.tiers) for a in refs] + [1])
    lk = [
        ("api_model (id)", None),
        ("provider", None),
        ("model", None),
        ("input [USD/MTok]", "price"),
        ("output [USD/MTok]", "price"),
        ("cache read [USD/MTok]", "price"),
        ("cache read listed", None),
        ("time-of-day note", None),
        ("cache write [USD/MTok]", "price"),
        ("reasons by default (api_reasoning.csv)", None),
        ("typical hidden tokens [tokens/request]", "count"),
        ("reasoning source", None),
        ("service tiers priced (api_service_tier)", None),
        *((f"row of the {st} prices", "int") for st in SERVICE_TIERS[1:]),
        ("service tier of this row", None),
    ]
    for t in range(1, n_tiers + 1):
        lk += [
            (f"tier {t} from [prompt tokens]", "count"),
            (f"tier {t} input [USD/MTok]", "price"),
            (f"tier {t} output [USD/MTok]", "price"),
            (f"tier {t} cache read [USD/MTok]", "price"),
            (f"tier {t} cache write [USD/MTok]", "price"),
        ]
    lrows = []
    extra: list[list[Any]] = []  # one row per (model, other service tier), after the ids: not matched by id
    for a in refs:
        why = api_reasoning(a.ref)  # the engine's rule for a blank api_reasoning_tokens (costengine.resolve)
        typical = None if why is None or why.reasons != "yes" or math.isnan(why.typical_hidden_tokens) else why
        row: list[Any] = [
            a.ref,
            a.base.provider,
            a.base.model,
            a.base.input,
            a.base.output,
            a.base.cache_read,
            a.base.cache_read_listed,
            a.base.off_peak_note,
            a.base.cache_write,
            why is not None and why.reasons == "yes",
            None if typical is None else typical.typical_hidden_tokens,
            "" if why is None else why.source,
            ", ".join(("standard", *(st for st, _, _ in a.services))),
        ]
        at = {st: len(refs) + len(extra) + 1 + k for k, (st, _, _) in enumerate(a.services)}
        row += [at.get(st) for st in SERVICE_TIERS[1:]] + ["standard"]
        lrows.append(row + _tier_cells(a.tiers, n_tiers))
        for st, tp, tiers in a.services:
            head = ["", tp.provider, tp.model, tp.input, tp.output, tp.cache_read, tp.cache_read_listed]
            head += [tp.off_peak_note, tp.cache_write, None, None, "", "", *([None] * (len(SERVICE_TIERS) - 1)), st]
            extra.append(head + _tier_cells(tiers, n_tiers))
    lrows += extra
    first_col = first + len(cols) + 1
    llast = write_table(ws, TOP, lk, lrows, first_col=first_col)
    letters = [get_column_letter(first_col + j) for j in range(len(lk))]
    names = [
        "tp_ref",
        "tp_provider",
        "tp_model",
        "tp_input",
        "tp_output",
        "tp_cache_read",
        "tp_cache_listed",
        "tp_note",
        "tp_cache_write",
        "tp_reasons",
        "tp_hidden_tokens",
        "tp_reasoning_source",
        "tp_service_tiers",
        *(f"tp_{st}_row" for st in SERVICE_TIERS[1:]),
        "tp_service_tier",
    ]
    for t in range(1, n_tiers + 1):
        names += [
            f"tp_tier{t}_from",
            f"tp_tier{t}_input",
            f"tp_tier{t}_output",
            f"tp_tier{t}_cache_read",
            f"tp_tier{t}_cache_write",
        ]
    for name, col in zip(names, letters):
        book.name(name, SHEET, f"{col}{TOP + 1}:{col}{max(llast, TOP + 1)}")

    widths = {"A": 28, "B": 10, "C": 11, "D": 11, "E": 25, "F": 42, "G": 3}
    cat = {0: 14, 1: 44, 2: 36, 5: 25, 6: 25, 8: 40}
    for j in range(len(cols)):
        widths[get_column_letter(first + j)] = cat.get(j, 11)
    widths[get_column_letter(first + len(cols))] = 3
    for j, col in enumerate(letters):
        widths[col] = 30 if j == 0 else 14 if j < 3 else 40 if names[j] in ("tp_note", "tp_reasoning_source") else 12
    setup_sheet(
        ws,
        widths=widths,
        freeze=f"A{TOP + 1}",
        print_area=None,
        landscape=False,
        in_book=False,
        title_rows=f"{TOP}:{TOP}",
    )
    ws.row_dimensions[TOP].height = 45
    for r in (2, 3):
        ws.merge_cells(f"A{r}:F{r}")
        ws[f"A{r}"].alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[r].height = 42
    right = Alignment(horizontal="right")
    for k, a in enumerate(drop):
        if not a.base.cache_read_listed:  # the text in a column of numbers: aligned as they are
            ws.cell(TOP + 1 + k, 5).alignment = right
        if a.base.time_of_day:  # the note wraps: the row's cells keep level with its first line
            for c in range(1, len(dcols) + 1):
                ws.cell(TOP + 1 + k, c).alignment = Alignment(
                    wrap_text=c == len(dcols), vertical="top", horizontal="right" if c == 5 else None
                )
            ws.row_dimensions[TOP + 1 + k].height = 45
    ws.auto_filter.ref = f"{get_column_letter(first)}{TOP}:{get_column_letter(first + len(cols) - 1)}{last}"
    return TierColumns(tiers=n_tiers)
