"""The Constants sheet: every number the formulas use that is not an input, the precision table,
the lists behind the dropdowns and the rules the Inputs checks apply.

The values come from the engine's own constants (``costengine.plan``, ``costengine.resolve``, ``costengine.serving``,
``costengine.crossing``, ``costengine.rules``) so the workbook and the engine cannot drift apart silently.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass
from datetime import date

from costengine import SCENARIO_KEYS, Scenario
from costengine import billing as _billing
from costengine import binding as _binding
from costengine import plan as _plan
from costengine import price_rules as _price_rules
from costengine import resolve as _resolve
from costengine import serving as _serving
from costengine import workloads as _workloads
from costengine.acceptance import DATE_SUFFIX_LENGTHS, SANITY_RANGES
from costengine.crossing import MAX_VOLUME
from costengine.engine import RECOMMEND_MARGIN
from costengine.rules import is_whole, key_bounds
from costengine.selfhosted import PLAN_TIE
from costengine.serving.memory import PRECISION_BY_BYTES, PRECISIONS

from ..kit import Book, header_row, heading, put, put_text, setup_sheet
from .hybrid_candidates import OVERFLOW_NOISE as _HYBRID_OVERFLOW_NOISE
from .hybrid_cost import MIN_SPAN as _HYBRID_MIN_SPAN
from .hybrid_cost import POINTS as _HYBRID_POINTS
from .hybrid_day import MAX_PROFILE_CHARS as _PROFILE_MAX_CHARS

__all__ = ["SHEET", "SEGMENT_ROWS", "JUMP_MARGIN", "LN_MAX_NUMBER", "ConstantsLayout", "build", "literal_choices"]

SHEET = "Constants"
#: Rows of the Break-even sheet's segment table (the engine's walk, one step per row).
SEGMENT_ROWS = 120
#: The engine's break-even walk jumps to ``bound * (1 - margin)``, just short of the bound (costengine/crossing.py).
JUMP_MARGIN = 1e-12
#: ln(9.99e307), Excel's largest number: a grown volume above it would overflow (the engine raises then).
LN_MAX_NUMBER = math.log(9.99e307)


def _catalog_day() -> int:
    """The catalog's date as a spreadsheet day number (Excel's and LibreOffice's DATE: days since 1899-12-30)."""
    return (date.fromisoformat(_price_rules.catalog_date()) - date(1899, 12, 30)).days


#: name, value, unit, meaning and source
CONSTANTS: tuple[tuple[str, float, str, str], ...] = (
    ("c_tokens_per_mtok", 1e6, "tokens/MTok", "prices are per million tokens"),
    (
        "c_small_batch",
        _binding.SMALL_BATCH,
        "sequences",
        "a planned batch under this, while memory holds it and the load sets the replicas, means a latency "
        "target binds (costengine.binding)",
    ),
    ("c_seconds_per_hour", 3600, "s/h", ""),
    ("c_watts_per_kw", 1000, "W/kW", ""),
    ("c_bytes_per_gb", 1e9, "B/GB", "GB means 10^9 bytes everywhere"),
    ("c_per_tera", 1e12, "1/T", "TB/s and TFLOP/s to B/s and FLOP/s"),
    ("c_per_billion", 1e9, "1/billion", "parameters in billions to parameters"),
    ("c_months_per_year", 12, "months/year", "monthly rate of an annual interest rate"),
    ("c_hours_per_day", 24, "h/day", "a served model runs around the clock"),
    ("c_millions_per_billion", 1000, "million/billion", ""),
    (
        "c_capex_host_factor",
        _billing.CAPEX_HOST_FACTOR,
        "ratio",
        "server price = GPUs x GPU price x this, where the server catalog has no price "
        "(docs/model.md#seed-000: ~15% for CPU, board and RAM)",
    ),
    (
        "c_server_power_per_gpu_tdp",
        _billing.SERVER_POWER_PER_GPU_TDP,
        "kW/kW",
        "typical server draw per kW of GPU TDP, where the server catalog has no typical power (DGX H100)",
    ),
    (
        "c_support_share",
        _billing.SUPPORT_SHARE_PER_YEAR,
        "per year",
        "vendor support per year as a share of the server price, where the catalog has none (DGX H100)",
    ),
    ("c_serverless_max_gpus", _resolve.SERVERLESS_MAX_GPUS, "GPUs", "GPUs one serverless worker may hold"),
    (
        "c_offer_score_scale",
        1e6,
        "USD/GPU-h",
        "the fallback offer is the one with the most GPUs, then the cheapest: score = GPUs - price per GPU-hour / this",
    ),
    (
        "c_catalog_day",
        _catalog_day(),
        "day number",
        f"the catalog's own date ({_price_rules.catalog_date()}, templates/catalog_date.txt) as a day number "
        "(days since 1899-12-30, as DATE gives); price ages count from it, never from today",
    ),
    ("c_max_price_age", _price_rules.MAX_AGE_DAYS, "days", "a blank choice uses only prices dated within this"),
    (
        "c_server_key_scale",
        10000,
        "rows",
        "the standard-server pick key: rank x 2 x this + (this if not standard) + row",
    ),
    ("c_stale_days", _price_rules.STALE_DAYS, "days", "a price older than this (or undated) gets a staleness note"),
    ("c_max_tp", max(_serving.TP_SIZES), "GPUs", "widest tensor-parallel layout inside one node (typed per-GPU price)"),
    ("c_kv_tensors", 2, "count", "a key and a value are cached per layer, KV head and token"),
    # the serving model (costengine.serving.DEFAULT_EFFICIENCIES; evidence in docs/validation.md)
    ("c_srv_bandwidth", _serving.DEFAULT_EFFICIENCIES.bandwidth, "0..1", "achieved share of peak bandwidth in decode"),
    ("c_srv_compute", _serving.DEFAULT_EFFICIENCIES.compute, "0..1", "achieved share of dense peak FLOP/s"),
    (
        "c_srv_moe_compute",
        _serving.DEFAULT_EFFICIENCIES.moe_compute,
        "ratio",
        "grouped expert GEMMs relative to dense GEMMs (mixture of experts)",
    ),
    (
        "c_srv_kv_fraction",
        _serving.DEFAULT_EFFICIENCIES.kv_memory_fraction,
        "0..1",
        "share of GPU memory the serving engine uses for weights, activations and KV cache (vLLM default 0.9)",
    ),
    (
        "c_srv_activation_gb",
        _serving.DEFAULT_EFFICIENCIES.activation_gb_per_gpu,
        "GB/GPU",
        "memory an engine reserves per GPU for activations and CUDA graphs",
    ),
    (
        "c_srv_max_batch",
        _serving.DEFAULT_EFFICIENCIES.max_batch,
        "sequences",
        "most concurrent sequences of one replica (vLLM default max_num_seqs)",
    ),
    (
        "c_srv_chunk_tokens",
        _serving.DEFAULT_EFFICIENCIES.prefill_chunk_tokens,
        "tokens",
        "prompt tokens processed per engine step (chunked prefill)",
    ),
    ("c_srv_step_overhead_s", _serving.DEFAULT_EFFICIENCIES.step_overhead_s, "s", "fixed time of one engine step"),
    ("c_srv_pp_hop_s", _serving.DEFAULT_EFFICIENCIES.pp_hop_s, "s", "hand-off of a micro-batch between stages"),
    (
        "c_srv_tp_exponent",
        _serving.DEFAULT_EFFICIENCIES.tp_exponent,
        "1",
        "per-GPU work time grows as TP ^ this (wide tensor parallelism loses per-GPU throughput)",
    ),
    ("c_srv_rho_max", 0.999999, "0..1", "queueing: planned load / prefill capacity is capped just below 1"),
    *(
        (f"c_allreduce_{k}_s", v, "s", f"latency of one small all-reduce over {k}")
        for k, v in _serving.ALLREDUCE_LATENCY_S.items()
    ),
    *((f"c_tp{t}", t, "GPUs", "a tensor-parallel size serving engines run inside one node") for t in _serving.TP_SIZES),
    (
        "c_four_bit_bytes",
        PRECISIONS["fp4"].weight_bytes,
        "B",
        "bytes per parameter of 4-bit weights (MoE checkpoints: the routed experts; the rest stays at 16 bits)",
    ),
    ("c_ms_per_s", 1000, "ms/s", ""),
    ("c_max_volume", MAX_VOLUME, "requests/month", "break-evens are searched up to this volume"),
    (
        "c_beyond_volume",
        MAX_VOLUME * 10,
        "requests/month",
        "a segment end beyond the search (an option that does not step, a free volume already passed)",
    ),
    ("c_jump_margin", JUMP_MARGIN, "share", "the break-even walk jumps to just short of the proven bound"),
    ("c_segment_rows", SEGMENT_ROWS, "rows", "steps of the Break-even sheet's segment table"),
    ("c_plan_tie", PLAN_TIE, "share", "candidate plans within this share of the cheapest tie: the first wins"),
    (
        "c_recommend_margin",
        RECOMMEND_MARGIN,
        "share",
        "a hybrid is recommended over the cheapest option when it costs less by more than this share",
    ),
    (
        "c_date_suffix_short",
        DATE_SUFFIX_LENGTHS[0],
        "characters",
        "a model id's date suffix -YYYYMMDD or @YYYYMMDD (costengine.acceptance: the id is priced without it)",
    ),
    ("c_date_suffix_long", DATE_SUFFIX_LENGTHS[1], "characters", "a model id's date suffix -YYYY-MM-DD"),
    (
        "c_ln_max_number",
        LN_MAX_NUMBER,
        "ln",
        "natural log of the largest number a spreadsheet holds (9.99E+307): the Projection's volume must stay below it",
    ),
    (
        "c_profile_max_chars",
        _PROFILE_MAX_CHARS,
        "characters",
        "longest load_profile text the Hybrid "
        "sheet splits into 24 values (24 x this fits in a cell's 32,767 characters)",
    ),
    ("c_hybrid_points", _HYBRID_POINTS, "rows", "rows of the Hybrid sheet's table of the cost against N"),
    (
        "c_hybrid_min_span",
        _HYBRID_MIN_SPAN,
        "replicas",
        "the Hybrid sheet's table of the cost against N spans at least this",
    ),
    (
        "c_hybrid_overflow_noise",
        _HYBRID_OVERFLOW_NOISE,
        "share",
        "an API overflow up to this share of the volume "
        "is the float noise of the hourly sum, no traffic (costengine.hybrid)",
    ),
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
    header_row(ws, r, ["cloud_billing", "options", "cloud_pricing", "redundancy"])
    lists = {
        "A": ("list_billing", literal_choices("cloud_billing")),
        "B": ("list_options", _plan.OPTIONS),
        "C": ("list_pricing", literal_choices("cloud_pricing")),
        "D": ("list_redundancy", literal_choices("redundancy")),
    }
    for col, (_, items) in lists.items():
        for i, item in enumerate(items):
            put_text(ws, f"{col}{r + 1 + i}", item, "const")
    book.names_many([(name, SHEET, f"{col}{r + 1}:{col}{r + len(items)}") for col, (name, items) in lists.items()])
    r += max(len(items) for _, items in lists.values()) + 2

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
        print_area=f"A1:I{r}",
        landscape=False,
    )
    return ConstantsLayout(rules_row=rules_row)
