"""The Constants sheet: every number the formulas use that is not an input, the precision table,
the lists behind the dropdowns and the rules the Inputs checks apply.

The values come from the engine's own constants (``costengine.plan``, ``costengine.resolve``, ``costengine.serving``,
``costengine.crossing``, ``costengine.rules``) so the workbook and the engine cannot drift apart silently.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

from costengine import SCENARIO_KEYS, Scenario
from costengine import offer_filter as _offer_filter
from costengine import plan as _plan
from costengine import workloads as _workloads
from costengine.acceptance import SANITY_RANGES
from costengine.rules import is_whole, key_bounds
from costengine.serving.memory import PRECISION_BY_BYTES, PRECISIONS

from ..kit import Book, header_row, heading, put, put_text, setup_sheet
from .constants_table import CONSTANTS, JUMP_MARGIN, LN_MAX_NUMBER, SEGMENT_ROWS

__all__ = ["SHEET", "SEGMENT_ROWS", "JUMP_MARGIN", "LN_MAX_NUMBER", "ConstantsLayout", "build", "literal_choices"]

SHEET = "Constants"


@dataclass(frozen=True)
class ConstantsLayout:
    """Where the Inputs checks find each key's rules (row of the rules table)."""

    rules_row: dict[str, int]


def _bounds(key: str) -> dict[str, float | None]:
    """The key's limits with a column each in the input rules (None = no such limit)."""
    out: dict[str, float | None] = {"ge": None, "gt": None, "le": None, "lt": None, "max_length": None}
    out.update(key_bounds(key))
    if out["lt"] is not None:
        raise NotImplementedError(f"{key}: a strict upper bound has no column in the input rules")
    return out


def literal_choices(key: str) -> tuple[str, ...]:
    """The allowed values of a key whose type is a Literal (empty otherwise)."""
    ann = Scenario.model_fields[key].annotation
    return tuple(typing.get_args(ann)) if typing.get_origin(ann) is typing.Literal else ()


def build(book: Book) -> ConstantsLayout:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Constants, lists and input rules",
        "Numbers the formulas use that are not scenario inputs; taken from the cost engine "
        "(costengine/plan.py, sizing.py, breakeven.py).",
    )
    header_row(ws, 4, ["name", "value", "unit", "meaning / source"])
    r = 5
    for name, value, unit, meaning in CONSTANTS:
        put_text(ws, f"A{r}", name, "label")
        put(ws, f"B{r}", value, "const", "General")
        put_text(ws, f"C{r}", unit, "unit")
        put_text(ws, f"D{r}", meaning, "note")  # long notes run on over the empty columns to the right
        book.name(name, SHEET, f"B{r}")
        r += 1

    # --- precision table: name or bytes per parameter -> canonical name, bytes, KV bytes, peak weights ----
    r += 1
    put_text(ws, f"A{r}", "Precision", "section")
    r += 1
    header_row(
        ws,
        r,
        [
            "precision (as typed)",
            "precision",
            "bytes per parameter [B]",
            "KV-cache bytes per value [B]",
            "bf16 peak weight",
            "fp8 peak weight",
            "fp4 peak weight",
            "computes in",
        ],
        height=30,
    )
    first = r + 1
    entries = [(p, p) for p in PRECISIONS] + [(b, p) for b, p in PRECISION_BY_BYTES.items()]
    for typed, canon in entries:
        r += 1
        put(ws, f"A{r}", typed, "const")
        put_text(ws, f"B{r}", canon, "const")
        put(ws, f"C{r}", PRECISIONS[canon].weight_bytes, "const")
        put(ws, f"D{r}", PRECISIONS[canon].kv_bytes, "const")
        compute = PRECISIONS[canon].compute
        factor = 0.5 if canon == "fp32" else 1.0  # fp32 runs at half the bf16 tensor rate
        for col, kind in (("E", "bf16"), ("F", "fp8"), ("G", "fp4")):
            put(ws, f"{col}{r}", factor if compute == kind else 0.0, "const")
        put_text(ws, f"H{r}", compute, "const")
    last = r
    n_names = len(PRECISIONS)
    book.names_many(
        [
            ("prec_keys", SHEET, f"A{first}:A{last}"),
            ("prec_names", SHEET, f"B{first}:B{last}"),
            ("prec_bytes", SHEET, f"C{first}:C{last}"),
            ("prec_kv_bytes", SHEET, f"D{first}:D{last}"),
            ("prec_bf16_weight", SHEET, f"E{first}:E{last}"),
            ("prec_fp8_weight", SHEET, f"F{first}:F{last}"),
            ("prec_fp4_weight", SHEET, f"G{first}:G{last}"),
            ("prec_compute", SHEET, f"H{first}:H{last}"),
            ("list_precisions", SHEET, f"B{first}:B{first + n_names - 1}"),
        ]
    )
    put_text(
        ws,
        f"A{last + 1}",
        "peak FLOP/s = bf16 x bf16 weight + fp8 x fp8 weight + fp4 x fp4 weight (TFLOP/s x 1e12); "
        "a GPU without tensor cores for the precision computes at its bf16 rate",
        "note",
    )

    # --- lists -------------------------------------------------------------------------------------
    r += 3
    put_text(ws, f"A{r}", "Lists", "section")
    r += 1
    header_row(
        ws,
        r,
        ["cloud_billing", "options", "cloud_pricing", "redundancy", "cloud_region", "cloud_tier", "api_service_tier"],
    )
    lists = {
        "A": ("list_billing", literal_choices("cloud_billing")),
        "B": ("list_options", _plan.OPTIONS),
        "C": ("list_pricing", literal_choices("cloud_pricing")),
        "D": ("list_redundancy", literal_choices("redundancy")),
        "E": ("list_cloud_regions", literal_choices("cloud_region")),
        "F": ("list_cloud_tiers", literal_choices("cloud_tier")),
        "G": ("list_service_tiers", literal_choices("api_service_tier")),
    }
    for col, (_, items) in lists.items():
        for i, item in enumerate(items):
            put_text(ws, f"{col}{r + 1 + i}", item, "const")
    book.names_many([(name, SHEET, f"{col}{r + 1}:{col}{r + len(items)}") for col, (name, items) in lists.items()])
    r += max(len(items) for _, items in lists.values()) + 2

    # --- the words that put an offer's region text in a region (costengine.offer_filter) ---------------------
    put_text(ws, f"A{r}", "Offer regions: a region text containing a word is in its region", "section")
    r += 1
    header_row(ws, r, ["region", "word (* = start of a word)", "pattern (in the lower-case text)"])
    words = [(region, w) for region, ws_ in _offer_filter.REGION_WORDS.items() for w in ws_]
    for i, (region, w) in enumerate(words):
        put_text(ws, f"A{r + 1 + i}", region, "const")
        put_text(ws, f"B{r + 1 + i}", w, "const")
        b = f"B{r + 1 + i}"
        put(ws, f"C{r + 1 + i}", f'=" "&SUBSTITUTE({b},"*","")&IF(RIGHT({b},1)="*",""," ")', "calc")
    span = f"{r + 1}:{{}}{r + len(words)}"
    book.names_many(
        [
            (n, SHEET, f"{c}{span.format(c)}")
            for n, c in (("c_region_of_word", "A"), ("c_region_word", "B"), ("c_region_pattern", "C"))
        ]
    )
    r += len(words) + 2

    # --- the kinds of work and their default latency targets (costengine.workloads; 0 = no target) ------------
    put_text(ws, f"A{r}", "Workloads: the targets a blank max_ttft_s / max_tpot_ms takes (0 = no target)", "section")
    r += 1
    header_row(ws, r, ["workload", "max_ttft_s [s]", "max_tpot_ms [ms/token]", "benchmark (source)"])
    for i, (name, w) in enumerate(_workloads.WORKLOADS.items()):
        put_text(ws, f"A{r + 1 + i}", name, "const")
        put(ws, f"B{r + 1 + i}", w.ttft_s, "const")
        put(ws, f"C{r + 1 + i}", w.tpot_ms, "const")
        put_text(ws, f"D{r + 1 + i}", f"{w.benchmark}: {w.why}", "note")
    n_wl = len(_workloads.WORKLOADS)
    book.names_many(
        [
            ("list_workloads", SHEET, f"A{r + 1}:A{r + n_wl}"),
            ("wl_ttft_s", SHEET, f"B{r + 1}:B{r + n_wl}"),
            ("wl_tpot_ms", SHEET, f"C{r + 1}:C{r + n_wl}"),
        ]
    )
    put_text(ws, f"A{r + n_wl + 1}", f"read from {_workloads.MLPERF_CONF} (2026-12-07)", "note")
    r += n_wl + 3

    # --- input rules (one row per key, in the Inputs order) ---------------------------------------------
    put_text(ws, f"A{r}", "Input rules (the Inputs sheet's check column applies them)", "section")
    r += 1
    header_row(
        ws,
        r,
        [
            "key",
            "at least",
            "more than",
            "at most",
            "whole number",
            "at most characters",
            "plausible from (money: USD, x usd_to_currency)",
            "plausible to",
            "why (a typed value outside is a warning)",
        ],
        height=30,
    )
    rules_row = {}
    for key in SCENARIO_KEYS:
        r += 1
        b = _bounds(key)
        put_text(ws, f"A{r}", key, "label")
        for col, value in (("B", b["ge"]), ("C", b["gt"]), ("D", b["le"]), ("F", b["max_length"])):
            if value is not None:
                put(ws, f"{col}{r}", value, "const")
        put(ws, f"E{r}", is_whole(key), "const")
        if key in SANITY_RANGES:  # costengine.acceptance: plausible ranges, warnings not errors
            rng = SANITY_RANGES[key]
            put(ws, f"G{r}", rng.low, "const")
            put(ws, f"H{r}", rng.high, "const")
            put_text(ws, f"I{r}", rng.why, "note")
        rules_row[key] = r
    setup_sheet(
        ws,
        widths={"A": 30, "B": 16, "C": 20, "D": 20, "E": 16, "F": 16, "G": 14, "H": 14, "I": 50},
        freeze="A5",
        print_area=None,
        landscape=False,
        in_book=False,
    )
    return ConstantsLayout(rules_row=rules_row)
