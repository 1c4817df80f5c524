"""The worksheet functions' bodies: check the Excel values, call the engine, shape the result for a cell.

Each function here takes the arguments exactly as Excel hands them over (see :mod:`addin.cells`) and
returns a float, a text or a table (list of rows with a header). Errors are raised as
:class:`~costengine.CostModelError`; :mod:`addin.udfs` turns them into the ``#LLM!`` cell text.
The arithmetic lives in :mod:`costengine`; nothing is computed here that the engine computes.
"""

from __future__ import annotations

import functools
from typing import Any

from costengine import CostModelError, Scenario, engine, finetune, key_info, load_catalog, token_price
from costengine.catalogs import HARDWARE_COLUMNS, MODEL_COLUMNS
from costengine.crossing import linear_breakeven
from costengine.serving import memory
from costengine.serving.memory import PRECISIONS, parse_precision
from costengine.serving.throughput import replica_throughput
from costengine.token_prices import SERVICE_TIERS

from . import cells
from .cells import number, option, out, table, text

__all__ = [
    "NONE",
    "SAME_AS_API",
    "cost",
    "cost_per_request",
    "breakeven",
    "cheapest",
    "compare",
    "curve",
    "scenario_keys",
    "api_cost",
    "breakeven_linear",
    "weights_gb",
    "gpus_needed",
    "kv_cache_gb",
    "throughput",
    "finetune_memory_gb",
    "tokens_from_words",
    "price",
    "gpu",
    "model",
]

NONE = "none"  #: what LLM_BREAKEVEN and LLM_PAYBACK_MONTH show when there is no crossing
#: What LLM_PAYBACK_MONTH returns for a hybrid that self-hosts nothing in any month: it is the API.
SAME_AS_API = "same as API"
COMPARE_HEADER = [
    "option",
    "monthly_cost",
    "cost_per_request",
    "cost_per_mtok",
    "gpus",
    "replicas",
    "utilization",
    "gpus_per_replica",
    "units",
    "batch",
    "ttft_s",
    "tpot_ms",
    "offer",
    "status",
    "usage_cost",
    "capital_cost",
    "running_cost",
    "overhead_cost",
    "staff_cost",
    "serving_basis",
]
HYBRID_HEADER = [
    "option",
    "self_hosted_replicas",
    "self_hosted_share",
    "hybrid_monthly_cost",
    "api_only",
    "self_hosted_only",
]
LAYOUT_HEADER = [
    "gpus_per_replica",
    "tensor_parallel",
    "pipeline_stages",
    "replicas",
    "instances_or_servers",
    "batch",
    "ttft_s",
    "tpot_ms",
    "offer_or_server",
    "serving_basis",
]
CURVE_HEADER = ["requests_per_month", "api", "cloud", "onprem"]
KEYS_HEADER = ["key", "default", "unit", "meaning"]
PROJECTION_HEADER = [
    "month",
    "requests",
    "api",
    "cloud",
    "onprem",
    "cumulative_api",
    "cumulative_cloud",
    "cumulative_onprem",
    "hybrid_cloud",
    "hybrid_onprem",
    "cumulative_hybrid_cloud",
    "cumulative_hybrid_onprem",
]
PRICE_KINDS = ("input", "output", "cache_read", "cache_write")
#: Short field names ``LLM_GPU`` accepts (docs/excel-addin.md, "The functions") mapped to the catalog's column
#: names.
GPU_FIELD_ALIASES = {"price": "price_usd", "cloud_price_per_hour": "cloud_price_per_hour_usd"}
_DEFAULTS = {k: f.default for k, f in Scenario.model_fields.items()}


def _volume(value: Any) -> float | None:
    return number(value, "requests_per_month", None, ge=0)


def _precision(value: Any, name: str = "precision") -> str:
    value = cells._scalar(value, name)
    if cells._blank(value):
        return "bf16"
    if isinstance(value, bool):
        raise CostModelError(
            name, f"must be one of {', '.join(PRECISIONS)} or bytes 4, 2, 1, 0.5 (got {cells.fmt(value)})"
        )
    return parse_precision(value)


# --- scenario functions ----------------------------------------------------------------------------


def cost(scenario: Any, option_name: Any, requests_per_month: Any = None) -> float:
    """Monthly cost [money/month] of one option."""
    s = cells.scenario(scenario)
    return out(engine.monthly_cost(s, option(option_name, "option_name"), _volume(requests_per_month)))


def cost_per_request(scenario: Any, option_name: Any, requests_per_month: Any = None) -> Any:
    """Cost per request [money/request]; ``""`` at 0 requests (undefined)."""
    s = cells.scenario(scenario)
    return out(engine.cost_per_request(s, option(option_name, "option_name"), _volume(requests_per_month)))


def breakeven(scenario: Any, option_a: Any, option_b: Any) -> Any:
    """Break-even volume [requests/month] or ``"none"``."""
    s = cells.scenario(scenario)
    r = engine.breakeven(s, option(option_a, "option_a"), option(option_b, "option_b"))
    return NONE if r is None else out(r)


def cheapest(scenario: Any, requests_per_month: Any = None) -> str:
    """Name of the cheapest option."""
    return engine.cheapest(cells.scenario(scenario), _volume(requests_per_month))


def compare(scenario: Any, requests_per_month: Any = None) -> list[list[Any]]:
    """Table of :func:`costengine.compare` with a header row."""
    df = engine.compare(cells.scenario(scenario), _volume(requests_per_month))
    return table(COMPARE_HEADER, [[name, *df.loc[name, COMPARE_HEADER[1:]].tolist()] for name in df.index])


def curve(scenario: Any, from_requests: Any = None, to_requests: Any = None, points: Any = None) -> list[list[Any]]:
    """Table of :func:`costengine.curve` (log-spaced volumes) with a header row."""
    s = cells.scenario(scenario)
    start = number(from_requests, "from_requests", 1e3, gt=0)
    stop = number(to_requests, "to_requests", max(1e8, start * 10), gt=start)
    n = number(points, "points", 50.0, ge=2, le=10_000, whole=True)
    df = engine.curve(s, start, stop, int(n))
    return table(CURVE_HEADER, df[CURVE_HEADER].to_numpy().tolist())


@functools.cache
def _keys_table() -> tuple[tuple[Any, ...], ...]:
    rows = [[r["key"], "" if r["default"] is None else r["default"], r["unit"], r["meaning"]] for r in key_info()]
    return tuple(tuple(r) for r in table(KEYS_HEADER, rows))


def scenario_keys() -> list[list[Any]]:
    """Table of the scenario keys: key, default, unit, meaning."""
    return [list(r) for r in _keys_table()]


# --- formulas without a scenario -------------------------------------------------------------------


def api_cost(
    requests_per_month: Any,
    prompt_tokens: Any,
    output_tokens: Any,
    input_price_per_mtok: Any,
    output_price_per_mtok: Any,
    cached_share: Any = None,
    cached_price_per_mtok: Any = None,
) -> float:
    """Monthly API cost [money/month], by the engine's API formula (no batch share, no fixed fee)."""
    r = number(requests_per_month, "requests_per_month", ge=0)
    p = number(prompt_tokens, "prompt_tokens", ge=0)
    o = number(output_tokens, "output_tokens", ge=0)
    pin = number(input_price_per_mtok, "input_price_per_mtok", ge=0)
    pout = number(output_price_per_mtok, "output_price_per_mtok", ge=0)
    c = number(cached_share, "cached_share", 0.0, ge=0, le=1)
    pc = number(cached_price_per_mtok, "cached_price_per_mtok", pin, ge=0)
    # Every self-hosted input is given, so resolving this scenario looks nothing up in the catalogs;
    # only the API option of it is read.
    s = Scenario(
        requests_per_month=r,
        prompt_tokens=p,
        output_tokens=o,
        api_input_price_per_mtok=pin,
        api_output_price_per_mtok=pout,
        api_cached_input_share=c,
        api_cached_input_price_per_mtok=pc,
        api_reasoning_tokens=0.0,  # the prices are typed, of no model: hidden tokens go into output_tokens
        api_batch_share=0.0,
        api_monthly_fixed=0.0,
        seconds_per_request=1.0,
        model_params_billion=1.0,
        cloud_gpus_per_replica=1,
        cloud_price_per_gpu_hour=0.0,
        onprem_gpus_per_server=1,
        onprem_capex_per_server=0.0,
        onprem_power_kw=1.0,
    )
    return out(engine.monthly_cost(s, "api"))


def breakeven_linear(fixed_a: Any, per_request_a: Any, fixed_b: Any, per_request_b: Any) -> Any:
    """Volume [requests/month] where ``fixed_a + per_request_a*R = fixed_b + per_request_b*R``; ``"none"``."""
    names = ("fixed_a", "per_request_a", "fixed_b", "per_request_b")
    fa, va, fb, vb = (number(v, n, ge=0) for v, n in zip((fixed_a, per_request_a, fixed_b, per_request_b), names))
    r = linear_breakeven(fa, va, fb, vb)
    return NONE if r is None else out(r)


def weights_gb(params_billion: Any, precision: Any = None) -> float:
    """Weights [GB] = params [billions] * bytes per parameter."""
    params = number(params_billion, "params_billion", gt=0)
    return out(memory.weights_gb(params, PRECISIONS[_precision(precision)].weight_bytes))


def gpus_needed(params_billion: Any, gpu_memory_gb: Any, precision: Any = None, memory_overhead: Any = None) -> float:
    """GPUs for one replica = ceil(weights * overhead / GPU memory); ``gpu_memory_gb`` may be a GPU id."""
    params = number(params_billion, "params_billion", gt=0)
    mem = cells._scalar(gpu_memory_gb, "gpu_memory_gb")
    if isinstance(mem, str) and not cells._blank(mem):
        try:
            float(mem)
        except ValueError:
            mem = load_catalog().gpu(mem, "gpu_memory_gb").memory_gb
    mem = number(mem, "gpu_memory_gb", gt=0)
    overhead = number(memory_overhead, "memory_overhead", _DEFAULTS["memory_overhead"], ge=1)
    return out(memory.gpus_needed(params, mem, PRECISIONS[_precision(precision)].weight_bytes, overhead))


def kv_cache_gb(model: Any, tokens: Any, precision: Any = None) -> float:
    """KV cache [GB] of ``tokens`` tokens of ``model`` (catalog architecture)."""
    m = load_catalog().model(text(model, "model"), "model")
    n = number(tokens, "tokens", ge=0)
    kv = PRECISIONS[_precision(precision)].kv_bytes
    return out(
        memory.kv_cache_gb(
            m.layers,
            m.kv_heads,
            m.head_dim,
            n,
            kv,
            kv_lora_rank=m.kv_lora_rank,
            qk_rope_head_dim=m.qk_rope_head_dim,
            sliding_layers=m.sliding_layers,
            sliding_window=m.sliding_window,
            linear_layers=m.linear_layers,
        )
    )


def throughput(
    model: Any,
    gpu: Any,
    gpus: Any = None,
    precision: Any = None,
    concurrency: Any = None,
    prompt_tokens: Any = None,
    output_tokens: Any = None,
    max_ttft_s: Any = None,
    max_tpot_ms: Any = None,
) -> float:
    """Output tokens/s of one replica (:func:`costengine.serving.throughput.replica_throughput`)."""
    catalog = load_catalog()
    m = catalog.model(text(model, "model"), "model")
    g = catalog.gpu(text(gpu, "gpu"), "gpu")
    prec = None if cells._blank(cells._scalar(precision, "precision")) else _precision(precision)
    n = number(gpus, "gpus", None, ge=1, le=1024, whole=True)
    batch = number(concurrency, "concurrency", None, ge=1, whole=True)
    p = number(prompt_tokens, "prompt_tokens", float(_DEFAULTS["prompt_tokens"]), ge=0)
    o = number(output_tokens, "output_tokens", float(_DEFAULTS["output_tokens"]), gt=0)
    ttft = number(max_ttft_s, "max_ttft_s", None, gt=0)
    tpot = number(max_tpot_ms, "max_tpot_ms", None, gt=0)
    res = replica_throughput(m, g, n, prec, p, o, batch, ttft, tpot, memory_overhead=_DEFAULTS["memory_overhead"])
    return out(res["output_tokens_per_s"])


def hybrid(scenario: Any, option_name: Any = None) -> list[list[Any]]:
    """The hybrid (self-hosted base load, API overflow) of :func:`costengine.hybrid`, with a header row."""
    s = cells.scenario(scenario)
    blank = cells._blank(cells._scalar(option_name, "option_name"))
    h = engine.hybrid(s, None if blank else text(option_name, "option_name"))
    return table(
        HYBRID_HEADER,
        [[h["option"], h["replicas"], h["self_hosted_share"], h["monthly_cost"], h["api_only"], h["self_hosted_only"]]],
    )


def layout(scenario: Any, option_name: Any) -> list[list[Any]]:
    """The serving layout of a self-hosted option at the scenario's volume, with a header row."""
    s = cells.scenario(scenario)
    opt = engine.check_option(option_name, "option_name")
    if opt == "api":
        raise CostModelError("option_name", "must be cloud or onprem (the API has no layout)")
    o = engine.plan_for(s).options[opt]
    row = engine.compare(s).loc[opt]
    values = [
        row["gpus_per_replica"],
        float(o.tp[0]),
        float(o.pp[0]),
        row["replicas"],
        row["units"],
        row["batch"],
        row["ttft_s"],
        row["tpot_ms"],
        row["offer"],
        row["serving_basis"],
    ]
    return table(LAYOUT_HEADER, [values])


def finetune_memory_gb(
    params_billion: Any, trainable_fraction: Any = None, precision: Any = None, optimizer_factor: Any = None
) -> float:
    """Memory to fine-tune with LoRA [GB] (:func:`costengine.finetune.finetune_memory_gb`)."""
    return out(
        finetune.finetune_memory_gb(
            number(params_billion, "params_billion"),
            number(trainable_fraction, "trainable_fraction", finetune.LORA_FRACTION),
            PRECISIONS[_precision(precision)].weight_bytes,
            number(optimizer_factor, "optimizer_factor", finetune.OPTIMIZER_FACTOR),
        )
    )


def tokens_from_words(words: Any, tokens_per_word: Any = None) -> float:
    """Tokens = words * tokens per word (:func:`costengine.finetune.tokens_from_words`)."""
    return out(
        finetune.tokens_from_words(
            number(words, "words"), number(tokens_per_word, "tokens_per_word", finetune.TOKENS_PER_WORD)
        )
    )


# --- catalogs --------------------------------------------------------------------------------------


def price(model: Any, kind: Any = None, provider: Any = None, tier: Any = None) -> float:
    """Token price [USD/MTok] from genai-prices; kind input, output, cache_read or cache_write; tier standard
    (blank), flex or priority (an error naming ``tier`` and the model's tiers where the catalog has none)."""
    which = text(kind, "kind", "input").lower().replace(" ", "_").replace("-", "_")
    if which not in PRICE_KINDS:
        raise CostModelError("kind", f"must be one of {', '.join(PRICE_KINDS)} (got {cells.fmt(kind)})")
    service = text(tier, "tier", "standard").strip().lower()
    if service not in SERVICE_TIERS:
        raise CostModelError("tier", f"must be one of {', '.join(SERVICE_TIERS)} (got {cells.fmt(tier)})")
    try:
        tp = token_price(text(model, "model"), text(provider, "provider", None), 0.0, "model", service)
    except CostModelError as exc:
        if exc.key != "api_service_tier":
            raise
        raise CostModelError("tier", exc.problem) from None
    return out(getattr(tp, which))


def _field(row: Any, field: Any, columns: tuple[str, ...], aliases: dict[str, str]) -> Any:
    name = text(field, "field").lower().replace(" ", "_")
    name = aliases.get(name, name)
    if name not in columns:
        raise CostModelError("field", f"must be one of {', '.join(columns)} (got {cells.fmt(field)})")
    value = getattr(row, name)
    return value if isinstance(value, (str, bool)) else out(value)  # a flag (a model's reasoning) as TRUE/FALSE


def gpu(gpu_id: Any, field: Any) -> Any:
    """A hardware catalog value (number or text)."""
    row = load_catalog().gpu(text(gpu_id, "gpu"), "gpu")
    return _field(row, field, HARDWARE_COLUMNS, GPU_FIELD_ALIASES)


def model(model_id: Any, field: Any) -> Any:
    """A model catalog value (number or text)."""
    row = load_catalog().model(text(model_id, "model"), "model")
    return _field(row, field, MODEL_COLUMNS, {})
