"""The Constants sheet's table: every number a formula uses, with its unit and its source (the engine's own
constants), and the Break-even walk's sizes. Written by :mod:`workbook.sheets.constants`.
"""

from __future__ import annotations

import math
from datetime import date

from costengine import billing as _billing
from costengine import binding as _binding
from costengine import price_rules as _price_rules
from costengine import resolve as _resolve
from costengine import serving as _serving
from costengine.acceptance import DATE_SUFFIX_LENGTHS
from costengine.crossing import GRID, GRID_PER_DECADE, MAX_VOLUME
from costengine.engine import RECOMMEND_MARGIN
from costengine.selfhosted import PLAN_TIE
from costengine.serving.memory import PRECISIONS

from .hybrid_candidates import OVERFLOW_NOISE as _HYBRID_OVERFLOW_NOISE
from .hybrid_cost import MIN_SPAN as _HYBRID_MIN_SPAN
from .hybrid_cost import POINTS as _HYBRID_POINTS
from .hybrid_day import MAX_PROFILE_CHARS as _PROFILE_MAX_CHARS

__all__ = ["CONSTANTS", "SEGMENT_ROWS", "JUMP_MARGIN", "LN_MAX_NUMBER"]

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
        "(the worked example of a source article, docs/model.md: ~15% for CPU, board and RAM)",
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
    ("c_grid_first", float(GRID[0]), "requests/month", "first volume of the bisection's bracketing grid"),
    ("c_grid_per_decade", GRID_PER_DECADE, "count", "volumes a decade in the bisection's bracketing grid"),
    ("c_decade", 10, "ratio", "a decade"),
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
