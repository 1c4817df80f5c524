"""The Comparison sheet's API workings: the price per request of ``api_model`` (``costengine.resolve.resolve_api``).

The id is looked up on the Token Pricing sheet as typed, else without its date (as
:func:`costengine.acceptance.api_model_base` removes it); the price tier is the last whose start is at most the prompt
size; a typed price overrides the catalog's. Defines ``api_variable``, ``api_fixed`` and ``api_step`` (the Comparison
table reads them), ``api_model_row``, the prices used, ``api_price_note``, the hidden reasoning tokens used
(``api_reasoning_tokens_used``) and ``api_reasoning_note`` (a blank for a reasoning model, never a silent 0).
"""

from __future__ import annotations

from costengine.token_prices import SERVICE_TIERS

from ..kit import Rows, escape_lookup
from .inputs import API_OK
from .token_pricing import TierColumns

__all__ = ["api_rows"]


def _tiered(kind: str, tiers: int) -> str:
    """The catalog price of ``kind`` for the prompt size at the service tier's row (``[srow]``): the last tier
    whose start <= prompt_tokens."""
    expr = "INDEX(tp_" + kind + ",[srow])"
    for t in range(1, tiers + 1):
        start = f"INDEX(tp_tier{t}_from,[srow])"
        expr = f"IF(AND(ISNUMBER({start}),prompt_tokens_used>={start}),INDEX(tp_tier{t}_{kind},[srow]),{expr})"
    return f'=IF(ISNUMBER([srow]),{expr},"n/a")'


def _only(expr: str, chars: str) -> str:
    """True when ``expr`` holds only the characters ``chars``."""
    for ch in chars:
        expr = f'SUBSTITUTE({expr},"{ch}","")'
    return f"LEN({expr})=0"


def _undated(m: str) -> str:
    """``m`` without a trailing date: -YYYYMMDD or @YYYYMMDD, or -YYYY-MM-DD (ten digits-or-dashes with two
    dashes), as :func:`costengine.acceptance.api_model_base` removes it."""
    digits = "0123456789"
    short, long_ = "c_date_suffix_short", "c_date_suffix_long"
    is_short = (
        f'AND(LEN({m})>{short},OR(LEFT(RIGHT({m},{short}),1)="-",LEFT(RIGHT({m},{short}),1)="@"),'
        f"{_only(f'RIGHT({m},{short}-1)', digits)})"
    )
    tail = f"RIGHT({m},{long_}-1)"
    is_long = (
        f'AND(LEN({m})>{long_},LEFT(RIGHT({m},{long_}),1)="-",{_only(tail, digits + "-")},'
        f'LEN({tail})-LEN(SUBSTITUTE({tail},"-",""))=2)'
    )
    return f"IF({is_short},LEFT({m},LEN({m})-{short}),IF({is_long},LEFT({m},LEN({m})-{long_}),{m}))"


def _tier_start(tiers: int) -> str:
    expr = "0"
    for t in range(1, tiers + 1):
        start = f"INDEX(tp_tier{t}_from,[srow])"
        expr = f"IF(AND(ISNUMBER({start}),prompt_tokens_used>={start}),{start},{expr})"
    return f'=IF(ISNUMBER([srow]),{expr},"n/a")'


def api_rows(w: Rows, tiers: TierColumns) -> None:
    """The API's rows of the workings: the catalog row, its prices at the prompt size, the cost per request."""
    w.section("API: price per request", gap=2)
    w.guard = API_OK
    w.add("model", "api_model", "id", "=api_model_used", kind="link")
    w.add("key", "lookup key", "text", "=" + escape_lookup("[model]"), note="the id with MATCH wildcards escaped")
    w.add(
        "base",
        "id without its date",
        "text",
        "=" + _undated("[model]"),
        note="a dated id (-YYYYMMDD, @YYYYMMDD, -YYYY-MM-DD) not in the list is priced as its base id",
    )
    w.add("base_key", "lookup key of the base id", "text", "=" + escape_lookup("[base]"))
    w.add(
        "row",
        "row in the api_model list (Token Pricing)",
        "row",
        '=IF(ISNA(MATCH([key],tp_ref,0)),IF(ISNA(MATCH([base_key],tp_ref,0)),"not in list",'
        "MATCH([base_key],tp_ref,0)),MATCH([key],tp_ref,0))",
        fmt="int",
        names="api_model_row",
        note="the id, else its base id (costengine.acceptance.api_model_base), case-insensitive",
    )
    w.add(
        "srow",
        "row of the service tier's prices",
        "row",
        '=IF(NOT(ISNUMBER([row])),"n/a",IF(api_service_tier_used="standard",[row],'
        + "".join(
            f'IF(AND(api_service_tier_used="{st}",ISNUMBER(INDEX(tp_{st}_row,[row]))),INDEX(tp_{st}_row,[row]),'
            for st in SERVICE_TIERS[1:]
        )
        + '"api_service_tier: "&INDEX(tp_model,[row])&" has no "&api_service_tier_used&" price in the token-price '
        + 'catalog (it has: "&INDEX(tp_service_tiers,[row])&")"'
        + ")" * len(SERVICE_TIERS[1:])
        + "))",
        fmt="int",
        names="api_service_row",
        note="api_service_tier: standard = the row above, else that tier's row (costengine.token_prices)",
    )
    w.add("provider", "provider (catalog)", "id", '=IF(ISNUMBER([row]),INDEX(tp_provider,[row]),"n/a")', kind="link")
    w.add("cat_model", "model (catalog)", "id", '=IF(ISNUMBER([row]),INDEX(tp_model,[row]),"n/a")', kind="link")
    w.add(
        "tier",
        "price tier from",
        "prompt tokens",
        _tier_start(tiers.tiers),
        fmt="count",
        note="0 = base prices; some models charge more above a prompt size",
    )
    w.add("cat_in", "input price (catalog)", "USD/MTok", _tiered("input", tiers.tiers), kind="link", fmt="price")
    w.add("cat_out", "output price (catalog)", "USD/MTok", _tiered("output", tiers.tiers), kind="link", fmt="price")
    w.add(
        "cat_cache",
        "cached input price (catalog)",
        "USD/MTok",
        _tiered("cache_read", tiers.tiers),
        kind="link",
        fmt="price",
    )
    w.add(
        "cat_write",
        "cache write price (catalog)",
        "USD/MTok",
        _tiered("cache_write", tiers.tiers),
        kind="link",
        fmt="price",
        note="the input price where the catalog lists none",
    )
    for key, src, label in (
        ("pin", "cat_in", "input"),
        ("pout", "cat_out", "output"),
        ("pcache", "cat_cache", "cached_input"),
        ("pwrite", "cat_write", "cache_write"),
    ):
        given = f"api_{label}_price_per_mtok"
        w.add(
            key,
            f"{label.replace('_', ' ')} price used",
            "money/MTok",
            f'=IF(LEN(TRIM({given}))=0,IF(ISNUMBER([{src}]),[{src}]*usd_to_currency_used,"n/a"),{given}_typed)',
            fmt="price",
            names=f"{given}_used",
            note=f"typed {given}, or catalog x usd_to_currency",
        )
    blank_io = "OR(LEN(TRIM(api_input_price_per_mtok))=0,LEN(TRIM(api_output_price_per_mtok))=0)"
    cache_note = (
        "IF(AND(api_cached_input_share_used>0,LEN(TRIM(api_cached_input_price_per_mtok))=0,"
        'NOT(INDEX(tp_cache_listed,[row]))),"cache read price not listed: cached input is priced as '
        'input","")'
    )
    w.add(
        "price_note",
        "catalog price note",
        "text",
        f'=IF(AND(ISNUMBER([row]),NOT(ISNUMBER([srow]))),[srow]&"",'
        f'IF(ISNUMBER([row]),IF({blank_io},INDEX(tp_note,[row])&"","")'
        f'&IF(AND({blank_io},LEN(INDEX(tp_note,[row])&"")>0,LEN({cache_note})>0),"; ","")&{cache_note},""))',
        kind="link",
        names="api_price_note",
        note="an off-peak price not used (Token Pricing note), a cache price the catalog does not list; a service "
        "tier the model has no price for",
    )
    reasons = "IF(ISNUMBER([row]),INDEX(tp_reasons,[row]),FALSE)"  # (AND would evaluate INDEX of a text row)
    typical = "INDEX(tp_hidden_tokens,[row])"
    w.add(
        "hidden",
        "hidden reasoning tokens used",
        "tokens/request",
        f"=IF(LEN(TRIM(api_reasoning_tokens))=0,IF({reasons},IF(ISNUMBER({typical}),{typical},0),0),"
        "api_reasoning_tokens_typed)",
        fmt="count",
        names="api_reasoning_tokens_used",
        note="typed api_reasoning_tokens; blank: the typical figure of a reasoning model (Token Pricing), else 0",
    )
    w.add(
        "hidden_note",
        "reasoning note",
        "text",
        f'=IF(AND(LEN(TRIM(api_reasoning_tokens))=0,{reasons}),"api_reasoning_tokens blank: "&[model]&'
        f'IF(ISNUMBER({typical})," reasons; estimated "&TEXT({typical},"#,##0")&" hidden tokens per request billed '
        f'as output ("&INDEX(tp_reasoning_source,[row])&"): type yours"," reasons; its hidden tokens are billed as '
        'output and are not counted: type an estimate"),"")',
        names="api_reasoning_note",
        note="costengine.resolve.api_hidden_tokens",
    )
    w.add(
        "api_var",
        "cost per request",
        "money/request",
        "=IF(AND(ISNUMBER([pin]),ISNUMBER([pout]),ISNUMBER([pcache]),ISNUMBER([hidden]),"
        "OR(api_cache_write_share_used=0,ISNUMBER([pwrite]))),"
        "(prompt_tokens_used*((1-api_cached_input_share_used-api_cache_write_share_used)*[pin]"
        "+api_cached_input_share_used*[pcache]+IF(api_cache_write_share_used>0,api_cache_write_share_used*[pwrite],0))"
        "+(output_tokens_used+[hidden])*[pout])/c_tokens_per_mtok"
        '*(1-api_batch_share_used*api_batch_discount_used),"n/a")',
        fmt="money_small",
        names="api_variable",
        note="(p x ((1-c-w) x input + c x cached + w x cache write) + (o + h) x output) / 1e6 x (1 - batch share x "
        "discount)",
    )
    w.add(
        "api_fixed", "fixed cost", "money/month", "=api_monthly_fixed_used", kind="link", fmt="money", names="api_fixed"
    )
    w.add(
        "api_step",
        "cost per replica",
        "money/month/replica",
        0,
        fmt="money",
        names="api_step",
        note="pay per token: no replicas",
    )
