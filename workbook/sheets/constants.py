"""The Constants sheet: every number the formulas use that is not an input, the precision table,
the lists behind the dropdowns and the rules the Inputs checks apply.

The values come from the engine's own constants (``costengine.plan``, ``costengine.sizing``,
``costengine.crossing``, ``costengine.rules``) so the workbook and the engine cannot drift apart silently.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass

from costengine import SCENARIO_KEYS, Scenario
from costengine import plan as _plan
from costengine import sizing as _sizing
from costengine.crossing import MAX_VOLUME
from costengine.rules import PRECISION_BY_BYTES, is_whole, key_bounds
from costengine.scenario import PRECISION_BYTES

from ..kit import Book, header_row, heading, put, put_text, setup_sheet

__all__ = ["SHEET", "SEGMENT_ROWS", "JUMP_MARGIN", "LN_MAX_NUMBER", "ConstantsLayout", "build", "literal_choices"]

SHEET = "Constants"
#: Rows of the Break-even sheet's segment table (the engine's walk, one step per row).
SEGMENT_ROWS = 120
#: The engine's break-even walk jumps to ``bound * (1 - margin)``, just short of the bound (costengine/crossing.py).
JUMP_MARGIN = 1e-12
#: ln(9.99e307), Excel's largest number: a grown volume above it would overflow (the engine raises then).
LN_MAX_NUMBER = math.log(9.99e307)

#: name, value, unit, meaning and source
CONSTANTS: tuple[tuple[str, float, str, str], ...] = (
    ("c_tokens_per_mtok", 1e6, "tokens/MTok", "prices are per million tokens"),
    ("c_seconds_per_hour", 3600, "s/h", ""),
    ("c_watts_per_kw", 1000, "W/kW", ""),
    ("c_bytes_per_gb", 1e9, "B/GB", "GB means 10^9 bytes everywhere"),
    ("c_per_tera", 1e12, "1/T", "TB/s and TFLOP/s to B/s and FLOP/s"),
    ("c_per_billion", 1e9, "1/billion", "parameters in billions to parameters"),
    ("c_months_per_year", 12, "months/year", "monthly rate of an annual interest rate"),
    ("c_hours_per_day", 24, "h/day", "a served model runs around the clock"),
    ("c_millions_per_billion", 1000, "million/billion", ""),
    ("c_capex_host_factor", _plan.CAPEX_HOST_FACTOR, "ratio",
     "server price = GPUs x GPU price x this, when onprem_capex_per_server is blank (seed 000: ~15% for "
     "CPU, board and RAM)"),
    ("c_host_power_kw", _plan.HOST_POWER_KW, "kW/server",
     "power of a server's non-GPU parts, when onprem_power_kw is blank"),
    ("c_eff_bandwidth", _sizing.EFF_BANDWIDTH, "0..1", "achieved share of peak memory bandwidth in decode"),
    ("c_eff_compute", _sizing.EFF_COMPUTE, "0..1", "achieved share of dense peak FLOP/s"),
    ("c_kv_memory_fraction", _sizing.KV_MEMORY_FRACTION, "0..1",
     "share of GPU memory the serving engine may use (vLLM default 0.9)"),
    ("c_max_batch", _sizing.MAX_BATCH, "sequences", "largest batch per replica (vLLM default max_num_seqs)"),
    ("c_kv_tensors", 2, "count", "a key and a value are cached per layer, KV head and token"),
    ("c_flops_per_param", 2, "FLOP/param/token", "a multiply and an add per parameter and token"),
    ("c_output_in_cache", 0.5, "share", "on average half the output is in the KV cache during decode"),
    ("c_gpu_round_digits", 9, "digits", "GPUs per replica: rounding away float noise before the ceiling"),
    ("c_max_volume", MAX_VOLUME, "requests/month", "break-evens are searched up to this volume"),
    ("c_jump_margin", JUMP_MARGIN, "share", "the break-even walk jumps to just short of the proven bound"),
    ("c_segment_rows", SEGMENT_ROWS, "rows", "steps of the Break-even sheet's segment table"),
    ("c_ln_max_number", LN_MAX_NUMBER, "ln", "natural log of the largest number a spreadsheet holds "
     "(9.99E+307): the Projection's volume must stay below it"),
)


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
    heading(ws, "Constants, lists and input rules",
            "Numbers the formulas use that are not scenario inputs; taken from the cost engine "
             "(costengine/plan.py, sizing.py, breakeven.py).")
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
    header_row(ws, r, ["precision (as typed)", "precision", "bytes per parameter [B]", "KV-cache bytes per value [B]",
                       "bf16 peak weight", "fp8 peak weight"], height=30)
    first = r + 1
    entries = [(p, p) for p in PRECISION_BYTES] + [(b, p) for b, p in PRECISION_BY_BYTES.items()]
    for typed, canon in entries:
        r += 1
        put(ws, f"A{r}", typed, "const")
        put_text(ws, f"B{r}", canon, "const")
        put(ws, f"C{r}", PRECISION_BYTES[canon], "const")
        put(ws, f"D{r}", float(_sizing.kv_bytes_for(canon)), "const")
        # flops_for(p, bf16, fp8) = (bf16 or fp8) * factor * 1e12: recover each weight from the engine
        put(ws, f"E{r}", float(_sizing.flops_for(canon, 1.0, 0.0)) / 1e12, "const")
        put(ws, f"F{r}", float(_sizing.flops_for(canon, 0.0, 1.0)) / 1e12, "const")
    last = r
    n_names = len(PRECISION_BYTES)
    book.names_many([("prec_keys", SHEET, f"A{first}:A{last}"), ("prec_names", SHEET, f"B{first}:B{last}"),
                     ("prec_bytes", SHEET, f"C{first}:C{last}"), ("prec_kv_bytes", SHEET, f"D{first}:D{last}"),
                     ("prec_bf16_weight", SHEET, f"E{first}:E{last}"), ("prec_fp8_weight", SHEET, f"F{first}:F{last}"),
                     ("list_precisions", SHEET, f"B{first}:B{first + n_names - 1}")])
    put_text(ws, f"G{first}", "peak FLOP/s = bf16 TFLOP/s x bf16 weight + fp8 TFLOP/s x fp8 weight (x 1e12)", "note")

    # --- lists -------------------------------------------------------------------------------------
    r += 2
    put_text(ws, f"A{r}", "Lists", "section")
    r += 1
    header_row(ws, r, ["cloud_billing", "options"])
    billing = literal_choices("cloud_billing")
    options = _plan.OPTIONS
    for i in range(max(len(billing), len(options))):
        if i < len(billing):
            put_text(ws, f"A{r + 1 + i}", billing[i], "const")
        if i < len(options):
            put_text(ws, f"B{r + 1 + i}", options[i], "const")
    book.names_many([("list_billing", SHEET, f"A{r + 1}:A{r + len(billing)}"),
                     ("list_options", SHEET, f"B{r + 1}:B{r + len(options)}")])
    r += max(len(billing), len(options)) + 2

    # --- input rules (one row per key, in the Inputs order) ---------------------------------------------
    put_text(ws, f"A{r}", "Input rules (the Inputs sheet's check column applies them)", "section")
    r += 1
    header_row(ws, r, ["key", "at least", "more than", "at most", "whole number", "at most characters"], height=30)
    rules_row = {}
    for key in SCENARIO_KEYS:
        r += 1
        b = _bounds(key)
        put_text(ws, f"A{r}", key, "label")
        for col, value in (("B", b["ge"]), ("C", b["gt"]), ("D", b["le"]), ("F", b["max_length"])):
            if value is not None:
                put(ws, f"{col}{r}", value, "const")
        put(ws, f"E{r}", is_whole(key), "const")
        rules_row[key] = r
    setup_sheet(ws, widths={"A": 30, "B": 16, "C": 20, "D": 20, "E": 16, "F": 16, "G": 60}, freeze="A5",
                print_area=f"A1:G{r}", landscape=False)
    return ConstantsLayout(rules_row=rules_row)
