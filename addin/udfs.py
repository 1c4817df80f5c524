"""The Excel worksheet functions (xlwings UDFs): ``=LLM_COST(Inputs!A2:B40, "api")`` and the rest.

Set ``UDF Modules`` to ``addin.udfs`` in the xlwings add-in (or an ``xlwings.conf`` sheet) and click
*Import Functions*; see ``docs/excel-addin.md``. Each function is a thin adapter: the body is in
:mod:`addin.adapters` / :mod:`addin.decision`, the arithmetic in :mod:`costengine`.

Conventions (``docs/excel-addin.md``, "The scenario range", "Errors" and "Tables"):

- a *scenario* is a range of two or more columns, key | value (| unit | note, ignored); blank rows are
  skipped; blank values take the defaults;
- bad input returns one line of text, ``#LLM! <argument or key> <problem>``, never a traceback: only the
  engine's :class:`~costengine.CostModelError` is caught, so real bugs still surface;
- numbers are returned as floats; tables as a header row plus rows, which spill as dynamic arrays.

The function's docstring is its description in Excel's function wizard (255 characters at most; one line,
because xlwings passes it on as written), each ``doc=`` the description of an argument. ``@xw.func`` must stay the outermost decorator (``xw.arg``
resets the category otherwise), and no argument may be named after a VBA keyword (``option``, ``to``).
"""

from __future__ import annotations

import xlwings as xw

from . import adapters as a
from . import decision as d
from .messages import run

__all__ = [
    "LLM_COST",
    "LLM_COST_PER_REQUEST",
    "LLM_BREAKEVEN",
    "LLM_CHEAPEST",
    "LLM_COMPARE",
    "LLM_CURVE",
    "LLM_SCENARIO_KEYS",
    "LLM_PROJECTION",
    "LLM_PAYBACK_MONTH",
    "LLM_SENSITIVITY",
    "LLM_PROB_CHEAPEST",
    "LLM_API_COST",
    "LLM_BREAKEVEN_LINEAR",
    "LLM_WEIGHTS_GB",
    "LLM_GPUS_NEEDED",
    "LLM_KV_CACHE_GB",
    "LLM_THROUGHPUT",
    "LLM_LAYOUT",
    "LLM_HYBRID",
    "LLM_FINETUNE_MEMORY_GB",
    "LLM_TOKENS_FROM_WORDS",
    "LLM_PRICE",
    "LLM_GPU",
    "LLM_MODEL",
]

#: The Excel function category of every function (classic xlwings; Lite and Server do not use categories).
CATEGORY = "LLM Cost"

SCENARIO = (
    "Range of 2+ columns: key | value (| unit | note, ignored). Blank rows are skipped, blank values take "
    "the defaults. Keys: see LLM_SCENARIO_KEYS()."
)
OPTION = 'Option: "api", "cloud" or "onprem".'
VOLUME = "Requests per month [requests/month]; blank = the scenario's requests_per_month."
PRECISION = (
    'Precision: "fp32", "bf16", "fp16", "fp8", "int8", "fp4", "int4" or bytes per parameter 4, 2, 1, 0.5; '
    "blank = bf16 (LLM_THROUGHPUT: the model's native format)."
)
PARAMS = "Model size [billions of parameters], e.g. 70."
VIEW = 'On-prem cost view: "cash" (capex in the month servers are bought; default) or "amortised".'


def _scenario(f):
    return xw.arg("scenario", ndim=2, err_to_str=True, doc=SCENARIO)(f)


def _args(**docs):
    """``@xw.arg(name, err_to_str=True, doc=...)`` for each keyword: error cells arrive as their text."""

    def wrap(f):
        for name, doc in reversed(docs.items()):
            f = xw.arg(name, err_to_str=True, doc=doc)(f)
        return f

    return wrap


# --- scenario functions ----------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@_scenario
@_args(option_name=OPTION, requests_per_month=VOLUME)
def LLM_COST(scenario, option_name, requests_per_month=None):
    """Monthly cost [money/month] of one option: fixed + variable x R + step x replicas(R), at the scenario's volume or requests_per_month."""
    return run(a.cost, scenario, option_name, requests_per_month)


@xw.func(category=CATEGORY)
@_scenario
@_args(option_name=OPTION, requests_per_month=VOLUME)
def LLM_COST_PER_REQUEST(scenario, option_name, requests_per_month=None):
    """Cost per request [money/request] = monthly cost / requests per month; empty at 0 requests."""
    return run(a.cost_per_request, scenario, option_name, requests_per_month)


@xw.func(category=CATEGORY)
@_scenario
@_args(option_a="First option: api, cloud or onprem.", option_b="Second option: api, cloud or onprem.")
def LLM_BREAKEVEN(scenario, option_a, option_b):
    """Break-even [requests/month]: smallest volume at which the two options' monthly costs cross; "none" when they never cross up to 1e12."""
    return run(a.breakeven, scenario, option_a, option_b)


@xw.func(category=CATEGORY)
@_scenario
@_args(requests_per_month=VOLUME)
def LLM_CHEAPEST(scenario, requests_per_month=None):
    """Name of the cheapest option at the volume: api, cloud or onprem (ties go to the first)."""
    return run(a.cheapest, scenario, requests_per_month)


@xw.func(category=CATEGORY)
@_scenario
@_args(requests_per_month=VOLUME)
def LLM_COMPARE(scenario, requests_per_month=None):
    """Table (spills): per option the monthly cost, per request and per MTok, GPUs, replicas, utilisation, layout, batch, TTFT, TPOT, offer, status, the cost split (usage, capital, running, overhead, staff) and serving_basis (estimated or given)."""
    return run(a.compare, scenario, requests_per_month)


@xw.func(category=CATEGORY)
@_scenario
@_args(
    from_requests="First volume [requests/month] > 0; blank = 1000.",
    to_requests="Last volume [requests/month]; blank = 1e8 (or 10 x from_requests when that is larger).",
    points="Number of log-spaced volumes, 2 to 10000; blank = 50.",
)
def LLM_CURVE(scenario, from_requests=None, to_requests=None, points=None):
    """Table (spills): requests_per_month (log-spaced) and the monthly cost [money/month] of api, cloud and onprem."""
    return run(a.curve, scenario, from_requests, to_requests, points)


@xw.func(category=CATEGORY)
def LLM_SCENARIO_KEYS():
    """Table (spills): every scenario key with its default, unit and meaning."""
    return run(a.scenario_keys)


# --- decision analysis -----------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@_scenario
@_args(view=VIEW)
def LLM_PROJECTION(scenario, view=None):
    """Table (spills): month, requests, monthly cost of api, cloud, onprem and their cumulative costs [money], then hybrid_cloud, hybrid_onprem and theirs (self-hosted base load, API overflow), volume growing by growth_rate_monthly over horizon_months."""
    return run(d.projection, scenario, view)


@xw.func(category=CATEGORY)
@_scenario
@_args(
    option_name="Option that must pay back: cloud, onprem, hybrid_cloud or hybrid_onprem (or api).",
    versus='Option it is compared with; blank = "api".',
    view=VIEW,
)
def LLM_PAYBACK_MONTH(scenario, option_name, versus=None, view=None):
    """First month (1 = first) in which the option's cumulative cost is at most that of versus; "none" when that does not happen within horizon_months."""
    return run(d.payback_month, scenario, option_name, versus, view)


@xw.func(category=CATEGORY)
@_scenario
@_args(swing="Relative swing of each input, 0 to below 1; blank = 0.25 (low = base x 0.75, high = base x 1.25).")
def LLM_SENSITIVITY(scenario, swing=None):
    """Table (spills): each input's base, low and high values, the change of each option's monthly cost [money/month] at low and high, whether the cheapest option flips, notes, and the hybrids' changes. Largest effect first."""
    return run(d.sensitivity, scenario, swing)


@xw.func(category=CATEGORY)
@_scenario
@xw.arg(
    "ranges",
    ndim=2,
    err_to_str=True,
    doc="Range of 4 columns: key | low | likely | high (a header row and blank rows are skipped).",
)
@_args(option_name=OPTION, draws="Number of draws, 1 to 100,000; blank = 10,000.")
def LLM_PROB_CHEAPEST(scenario, ranges, option_name, draws=None):
    """Probability [0..1] that the option is the cheapest when the inputs of ranges vary (triangular draws, reproducible)."""
    return run(d.prob_cheapest, scenario, ranges, option_name, draws)


# --- formulas without a scenario -------------------------------------------------------------------


@xw.func(category=CATEGORY)
@_args(
    requests_per_month="Requests per month [requests/month].",
    prompt_tokens="Prompt (input) tokens per request [tokens].",
    output_tokens="Output tokens per request [tokens].",
    input_price_per_mtok="Input price [money per million tokens].",
    output_price_per_mtok="Output price [money per million tokens].",
    cached_share="Share of prompt tokens read from the cache, 0..1; blank = 0.",
    cached_price_per_mtok="Cached-input price [money/MTok]; blank = the input price.",
)
def LLM_API_COST(
    requests_per_month,
    prompt_tokens,
    output_tokens,
    input_price_per_mtok,
    output_price_per_mtok,
    cached_share=None,
    cached_price_per_mtok=None,
):
    """Monthly API cost [money/month] = R x (p x ((1-c) x Pin + c x Pcache) + o x Pout) / 1e6."""
    return run(
        a.api_cost,
        requests_per_month,
        prompt_tokens,
        output_tokens,
        input_price_per_mtok,
        output_price_per_mtok,
        cached_share,
        cached_price_per_mtok,
    )


@xw.func(category=CATEGORY)
@_args(
    fixed_a="Fixed cost of A [money/month].",
    per_request_a="Variable cost of A [money/request].",
    fixed_b="Fixed cost of B [money/month].",
    per_request_b="Variable cost of B [money/request].",
)
def LLM_BREAKEVEN_LINEAR(fixed_a, per_request_a, fixed_b, per_request_b):
    """Volume [requests/month] where fixed_a + per_request_a x R = fixed_b + per_request_b x R; "none" when the lines never cross for R >= 0."""
    return run(a.breakeven_linear, fixed_a, per_request_a, fixed_b, per_request_b)


@xw.func(category=CATEGORY)
@_args(params_billion=PARAMS, precision=PRECISION)
def LLM_WEIGHTS_GB(params_billion, precision=None):
    """Weights [GB, 1e9 bytes] = parameters [billions] x bytes per parameter (bf16 2, fp8 1, int4 0.5)."""
    return run(a.weights_gb, params_billion, precision)


@xw.func(category=CATEGORY)
@_args(
    params_billion=PARAMS,
    gpu_memory_gb="Memory of one GPU [GB], or a GPU id of the catalog (e.g. H100-SXM).",
    precision=PRECISION,
    memory_overhead="Serving memory / weights, >= 1; blank = 1.2.",
)
def LLM_GPUS_NEEDED(params_billion, gpu_memory_gb, precision=None, memory_overhead=None):
    """Memory rule of thumb: ceil(weights GB x memory_overhead / GPU GB), the fewest GPUs that hold one replica; not the layout engines run (1, 2, 4, 8 GPUs: LLM_LAYOUT)."""
    return run(a.gpus_needed, params_billion, gpu_memory_gb, precision, memory_overhead)


@xw.func(category=CATEGORY)
@_args(
    model="Open model id of the catalog, e.g. llama-3.1-70b.",
    tokens="Tokens of one sequence held in the cache [tokens].",
    precision=PRECISION,
)
def LLM_KV_CACHE_GB(model, tokens, precision=None):
    """KV cache [GB] of one sequence of tokens (MLA latent, sliding-window and linear layers per the catalog)."""
    return run(a.kv_cache_gb, model, tokens, precision)


@xw.func(category=CATEGORY)
@_args(
    model="Open model id of the catalog, e.g. llama-3.1-70b.",
    gpu="GPU id of the catalog, e.g. H100-SXM.",
    gpus="GPUs in the replica (1, 2, 4, 8 or whole nodes); blank = the layout with the most throughput per GPU.",
    precision=PRECISION,
    concurrency="Concurrent sequences; blank = the largest batch that fits (at most 256) and meets the targets.",
    prompt_tokens="Prompt tokens per request; blank = 1000.",
    output_tokens="Output tokens per request; blank = 500.",
    max_ttft_s="Time-to-first-token target [s]; blank = none.",
    max_tpot_ms="Time-per-output-token target [ms]; blank = none.",
)
def LLM_THROUGHPUT(
    model,
    gpu,
    gpus=None,
    precision=None,
    concurrency=None,
    prompt_tokens=None,
    output_tokens=None,
    max_ttft_s=None,
    max_tpot_ms=None,
):
    """Output tokens/s of one replica at the largest batch meeting the latency targets (an estimate: LLM_COMPARE's and LLM_LAYOUT's serving_basis says how far such estimates typically are from published measurements)."""
    return run(
        a.throughput, model, gpu, gpus, precision, concurrency, prompt_tokens, output_tokens, max_ttft_s, max_tpot_ms
    )


@xw.func(category=CATEGORY)
@_scenario
@_args(option_name='Option: "cloud" or "onprem"; blank = the one whose hybrid is cheaper.')
def LLM_HYBRID(scenario, option_name=None):
    """Table (spills): self-hosted replicas, share of requests self-hosted, monthly cost of the hybrid, of all-API and of all-self-hosted."""
    return run(a.hybrid, scenario, option_name)


@xw.func(category=CATEGORY)
@_scenario
@_args(option_name='Option: "cloud" or "onprem".')
def LLM_LAYOUT(scenario, option_name):
    """Table (spills): GPUs per replica, tensor/pipeline split, replicas, instances or servers, batch, TTFT s, TPOT ms, offer or server, and what these figures rest on (estimated, with its typical error, or given)."""
    return run(a.layout, scenario, option_name)


@xw.func(category=CATEGORY)
@_args(
    params_billion=PARAMS,
    trainable_fraction="Share of parameters trained (LoRA), 0..1; blank = 0.001.",
    precision=PRECISION,
    optimizer_factor="Memory of trainable parameters' optimiser state, x their size; blank = 5.",
)
def LLM_FINETUNE_MEMORY_GB(params_billion, trainable_fraction=None, precision=None, optimizer_factor=None):
    """Memory to fine-tune with LoRA [GB] = weights + weights x trainable_fraction x optimizer_factor."""
    return run(a.finetune_memory_gb, params_billion, trainable_fraction, precision, optimizer_factor)


@xw.func(category=CATEGORY)
@_args(words="Number of words.", tokens_per_word="Tokens per word; blank = 1.33 (English rule of thumb).")
def LLM_TOKENS_FROM_WORDS(words, tokens_per_word=None):
    """Tokens = words x tokens per word."""
    return run(a.tokens_from_words, words, tokens_per_word)


# --- catalogs --------------------------------------------------------------------------------------


@xw.func(category=CATEGORY)
@_args(
    model="Model id of the token-price catalog (genai-prices), e.g. gpt-5-mini.",
    kind='"input" (blank), "output", "cache_read" or "cache_write".',
    provider="Provider id (e.g. openai, anthropic); blank = the catalog's match.",
    tier='Service tier: "standard" (blank), "flex" or "priority", where the catalog prices it.',
)
def LLM_PRICE(model, kind=None, provider=None, tier=None):
    """Token price [USD per million tokens] from the genai-prices catalog."""
    return run(a.price, model, kind, provider, tier)


@xw.func(category=CATEGORY)
@_args(
    gpu="GPU id of the hardware catalog, e.g. H100-SXM.",
    field="memory_gb, bandwidth_tbps, bf16_tflops, fp8_tflops, tdp_w, price, cloud_price_per_hour, name, as_of ...",
)
def LLM_GPU(gpu, field):
    """A value of the hardware catalog (price in USD, cloud price in USD/GPU-hour)."""
    return run(a.gpu, gpu, field)


@xw.func(category=CATEGORY)
@_args(
    model="Open model id of the model catalog, e.g. llama-3.1-70b.",
    field="params_billion, active_params_billion, layers, kv_heads, head_dim, context_length, license ...",
)
def LLM_MODEL(model, field):
    """A value of the open-model catalog (architecture, licence, source)."""
    return run(a.model, model, field)
