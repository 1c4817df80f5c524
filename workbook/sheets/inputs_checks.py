"""The formulas of a key's row on the Inputs sheet: the number read, the value used, the check and the warning.

Each applies, in native formulas, a rule the engine applies to the same value, so the sheet and the engine cannot
disagree: a number typed as text is read as :mod:`costengine.acceptance` reads it; the bounds and whole-number
rules come from the Constants sheet (written from :mod:`costengine.rules`); billing and pricing names are
normalised as :class:`costengine.Scenario` normalises them (``BILLING_ALIASES``); an id looked up in a catalog is
flagged only when the engine would need it; a value outside its plausible range is a warning
(``costengine.acceptance.SANITY_RANGES``). The sheet's layout (columns, names, the status box) is
:mod:`workbook.sheets.inputs`'s.
"""

from __future__ import annotations

from costengine import Scenario
from costengine.acceptance import NUMBER_CHARS, SANITY_RANGES
from costengine.resolve import CACHE_SHARES
from costengine.scenario import BILLING_ALIASES

from ..kit import value_of_point_text
from .constants import SHEET as CONSTANTS
from .constants import literal_choices

__all__ = [
    "DERIVED",
    "SELF_HOSTING_OK",
    "API_OK",
    "TARGETS",
    "CATALOG_CHECKS",
    "blank",
    "is_number_key",
    "check_formula",
    "warning_formula",
    "used_formula",
    "read_formula",
    "CHOICES",
    "SPREAD_UNITS",
    "target_default",
]

#: Keys whose blank means "derive it"; the name ``<key>_used`` points at the cell (on a calculation sheet)
#: that holds the typed or derived value; the other keys' ``<key>_used`` is column F of the Inputs sheet.
DERIVED = (
    "api_input_price_per_mtok",
    "api_output_price_per_mtok",
    "api_cached_input_price_per_mtok",
    "model_params_billion",
    "seconds_per_request",
    "cloud_price_per_gpu_hour",
    "cloud_gpus_per_replica",
    "onprem_gpus_per_server",
    "onprem_capex_per_server",
    "onprem_power_kw",
    "precision",
    "cloud_offer",
    "onprem_server",
    "onprem_gpus_per_replica",
    "onprem_maintenance_monthly",
    "load_profile",
    "api_cache_write_price_per_mtok",
    "api_reasoning_tokens",
    "reasoning_tokens",
)
#: Keys whose blank is warned about where the model reasons: the name of the note (Comparison, Sizing).
REASONING_NOTES = {"api_reasoning_tokens": "api_reasoning_note", "reasoning_tokens": "reasoning_note"}
#: The name that is TRUE while every input the self-hosting sheets read directly is valid (the Sizing sheet's
#: formulas are guarded by it: :meth:`workbook.kit.Book.guard`).
SELF_HOSTING_OK = "self_hosting_inputs_ok"
#: Keys whose value is one of a few names, and the Constants sheet's list of them (``literal_choices``).
CHOICES = {
    "cloud_billing": "list_billing",
    "cloud_pricing": "list_pricing",
    "redundancy": "list_redundancy",
    "cloud_region": "list_cloud_regions",
    "cloud_tier": "list_cloud_tiers",
    "api_service_tier": "list_service_tiers",
}
#: Fewest units that min_replicas occupy for redundancy across units (``costengine.billing.min_units``): two when
#: ``redundancy`` is "unit" and min_replicas >= 2.
SPREAD_UNITS = 'IF(AND(redundancy_used="unit",min_replicas_used>=2),2,0)'
#: The name that is TRUE while every input the API workings read directly is valid.
API_OK = "api_inputs_ok"
#: Latency targets: a number, or the text "none" (no target).
TARGETS = ("max_ttft_s", "max_tpot_ms")
#: Text keys looked up in a catalog: the check flags an unknown id only when the engine would need it.
CATALOG_CHECKS = {
    "api_model": (
        "OR("
        + ",".join(f"LEN(TRIM({k}))=0" for k in DERIVED[:3])
        + ",AND(ISNUMBER(api_cache_write_share_used),api_cache_write_share_used>0,"
        "LEN(TRIM(api_cache_write_price_per_mtok))=0))",
        "api_model_row",
        "not in the Token Pricing sheet's api_model list: pick an id from the list or type the three api prices",
    ),
    "model": (
        "OR(LEN(TRIM(model_params_billion))=0,LEN(TRIM(seconds_per_request))=0)",
        "model_row",
        "unknown model: pick an id of the Models sheet (or give model_params_billion and seconds_per_request)",
    ),
    "cloud_gpu": (
        "OR(LEN(TRIM(cloud_gpus_per_replica))=0,LEN(TRIM(seconds_per_request))=0,"
        "LEN(TRIM(cloud_price_per_gpu_hour))=0)",
        "cloud_gpu_row",
        "unknown GPU: pick an id of the Hardware sheet",
    ),
    "onprem_gpu": (
        "OR(LEN(TRIM(onprem_gpus_per_server))=0,LEN(TRIM(seconds_per_request))=0,"
        "LEN(TRIM(onprem_capex_per_server))=0,LEN(TRIM(onprem_power_kw))=0)",
        "onprem_gpu_row",
        "unknown GPU: pick an id of the Hardware sheet",
    ),
}


def blank(key: str) -> str:
    """An Excel test for "this input is blank" (empty or only spaces), as the engine reads it."""
    return f"LEN(TRIM({key}))=0"


def is_number_key(key: str) -> bool:
    """True for the keys that take a number (the latency targets included: a number or "none")."""
    return Scenario.model_fields[key].annotation in (float, int, float | None, int | None)


def _number_read(b: str) -> str:
    """The number in ``b``: a number, or a text that is a plain decimal number (costengine.acceptance:
    only the characters of NUMBER_CHARS, one point, a sign only in front or after the exponent, and VALUE
    reads it with the point as the locale's decimal separator: the same in every locale); otherwise the text
    "not a number"."""
    t = f"LOWER(TRIM({b}))"
    rest = t
    for ch in NUMBER_CHARS:
        rest = f'SUBSTITUTE({rest},"{ch}","")'
    u = f'SUBSTITUTE(SUBSTITUTE({t},"e-","e"),"e+","e")'
    tail = f"RIGHT({u},LEN({u})-1)"
    signs = f'LEN(SUBSTITUTE(SUBSTITUTE({tail},"-",""),"+",""))=LEN({tail})'
    point = f'LEN({t})-LEN(SUBSTITUTE({t},".",""))<2'
    value = value_of_point_text(t)  # the point read as a decimal point in every locale (de-DE too)
    ok = f"AND(LEN({rest})=0,{signs},{point},ISNUMBER({value}))"
    ok1 = f'AND(LEN({t})>0,LEN({rest})=0,{t}<>".",{t}<>"e",{t}<>"+",{t}<>"-")'  # one character: a digit
    return f'IF(ISNUMBER({b}),{b},IF(LEN({t})<2,IF({ok1},{value},"not a number"),IF({ok},{value},"not a number")))'


def check_formula(key: str, b: str, rules: int, n: str) -> str:
    """The check-column formula of a key: "" when the value is fine, otherwise what is wrong."""
    if key in CATALOG_CHECKS:
        need, row_name, message = CATALOG_CHECKS[key]
        # the Sizing sheet's catalog rows wait for readable inputs: no "unknown" id meanwhile
        ready = f"{API_OK}," if key == "api_model" else f"{SELF_HOSTING_OK},"
        return f'=IF(ISNUMBER({b}),"must be text",IF(AND({need},{ready}NOT(ISNUMBER({row_name}))),"{message}",""))'
    if key == "precision":
        return (
            f'=IF(LEN(TRIM({b}))=0,"",IF(ISNA(MATCH(IF(ISNUMBER({b}),{b},TRIM({b})),prec_keys,0)),'
            f'"must be one of fp32, bf16, fp16, fp8, int8, int4 or bytes per parameter 4, 2, 1, 0.5",""))'
        )
    if key in CHOICES:
        lst = CHOICES[key]
        allowed = " or ".join(literal_choices(key))
        choice = f'IF(LEN(TRIM({b}))=0,"",IF(ISNA(MATCH({_billing(b)},{lst},0)),"must be one of {allowed}",""))'
        if key == "api_service_tier":  # a tier the catalog does not price for the model: the API workings say so
            need = CATALOG_CHECKS["api_model"][0]
            lacks = f"AND({need},{API_OK},ISNUMBER(api_model_row),NOT(ISNUMBER(api_service_row)))"
            return f'=IF(LEN({choice})>0,{choice},IF({lacks},SUBSTITUTE(api_service_row,"{key}: ",""),""))'
        return f"={choice}"
    if key == "load_profile":  # an id of the Load Profiles sheet or 24 numbers: the Hybrid sheet parses it
        return f'=IF(AND({API_OK},{SELF_HOSTING_OK},decision_problems=0),load_profile_check,"")'  # as Hybrid waits
    if key in ("cloud_offer", "onprem_server"):
        return f'=IF(ISNUMBER({b}),"must be text","")'  # unknown ids: the Comparison sheet's checks
    if key == "workload":
        allowed = ", ".join(literal_choices(key)[:-1]) + f" or {literal_choices(key)[-1]}"
        return (
            f'=IF(LEN(TRIM({b}))=0,"",IF(ISNA(MATCH(LOWER(TRIM({b})),list_workloads,0)),"must be one of {allowed}",""))'
        )
    if not is_number_key(key):
        c = f"{CONSTANTS}!$F${rules}"
        return (
            f'=IF(ISNUMBER({b}),"must be text",'
            f'IF(AND(ISNUMBER({c}),LEN(TRIM({b}))>{c}),"must be at most "&{c}&" characters",""))'
        )
    if key == "api_cache_write_share":  # with the cached share: at most the whole prompt (costengine.resolve)
        base = _number_check(b, rules, n)[1:]
        both = f"AND(ISNUMBER({n}),ISNUMBER(api_cached_input_share_used))"  # (AND would evaluate a text sum)
        over = f'IF({n}+api_cached_input_share_used>1,"{CACHE_SHARES}","")'
        return f'=IF(LEN({base})>0,{base},IF({both},{over},""))'
    return _number_check(b, rules, n)


def _number_check(b: str, rules: int, n: str) -> str:
    """The checks of a number key on ``n``, the number read from ``b`` (the bounds from the Constants sheet)."""
    ge, gt, le, whole = (f"{CONSTANTS}!${col}${rules}" for col in "BCDE")
    return (
        f'=IF(LEN(TRIM({b}))=0,"",IF(NOT(ISNUMBER({n})),"must be a number",'
        f'IF(AND(ISNUMBER({ge}),{n}<{ge}),"must be >= "&{ge},'
        f'IF(AND(ISNUMBER({gt}),{n}<={gt}),"must be > "&{gt},'
        f'IF(AND(ISNUMBER({le}),{n}>{le}),"must be <= "&{le},'
        f'IF(AND({whole},{n}<>INT({n})),"must be a whole number",""))))))'
    )


def warning_formula(key: str, b: str, f: str, rules: int) -> str:
    """The warning column: a typed value the model accepts but outside the key's plausible range (Constants
    G:I; money ranges in USD, scaled by ``usd_to_currency``), as ``costengine.acceptance.sanity_message``."""
    sanity = _sanity(key, b, f, rules)
    if key in REASONING_NOTES:  # blank for a reasoning model: the note the engine gives (never a silent 0)
        note = f'{REASONING_NOTES[key]}&""'  # only the note itself (not a guard's text while inputs are invalid)
        said = f'IF(LEFT({note},LEN("{key} "))="{key} ",{note},"")'
        return f"=IF(LEN(TRIM({b}))=0,{said},{sanity or chr(34) * 2})"
    return f"={sanity}" if sanity else ""


def _sanity(key: str, b: str, f: str, rules: int) -> str:
    """The plausible-range warning of :func:`warning_formula` as an expression ("" when the key has no range)."""
    if key not in SANITY_RANGES:
        return ""
    low, high, why = (f"{CONSTANTS}!${col}${rules}" for col in "GHI")
    if SANITY_RANGES[key].money:
        low, high = f"{low}*usd_to_currency_used", f"{high}*usd_to_currency_used"
        known = f"AND(ISNUMBER({f}),ISNUMBER(usd_to_currency_used))"
    else:
        known = f"ISNUMBER({f})"
    plausible = f'" (plausible "&{low}&" .. "&{high}&": "&{why}&")"'
    return (
        f'IF(OR(LEN(TRIM({b}))=0,NOT({known})),"",IF({f}>{high},"unusual: above "&{high}&{plausible},'
        f'IF({f}<{low},"unusual: below "&{low}&{plausible},"")))'
    )


def _billing(b: str) -> str:
    """The engine's normalisation of a billing or pricing name: trimmed, lower case, '-' and ' ' as '_', and
    the old names (reserved = always_on; serverless = per_second; see ``costengine.scenario.BILLING_ALIASES``)."""
    norm = f'SUBSTITUTE(SUBSTITUTE(LOWER(TRIM({b})),"-","_")," ","_")'
    key = f'SUBSTITUTE({norm},"_","")'
    always = ",".join(f'{key}="{a}"' for a, v in BILLING_ALIASES.items() if v == "always_on")
    second = ",".join(f'{key}="{a}"' for a, v in BILLING_ALIASES.items() if v == "per_second")
    return f'IF(OR({always}),"always_on",IF(OR({second}),"per_second",{norm}))'


def used_formula(key: str, b: str, e: str, g: str, n: str) -> str:
    """The value-used column: the typed value, the default when blank, or the derived value; "n/a" while the
    typed value is invalid (the check column says why)."""
    if key == "seconds_per_request":
        return f'=IF(LEN(TRIM({b}))=0,"see Sizing",{b})'
    if key in DERIVED:
        return f"={key}_used"
    if key == "precision":
        match = f"MATCH(IF(ISNUMBER({b}),{b},TRIM({b})),prec_keys,0)"
        return f'=IF(LEN(TRIM({b}))=0,{e},IF(ISNA({match}),"invalid",INDEX(prec_names,{match})))'
    if key in CHOICES:
        return f"=IF(LEN(TRIM({b}))=0,{e},{_billing(b)})"
    if key == "workload":
        return f'=IF(LEN(TRIM({b}))=0,{e},IF(LEN({g})=0,LOWER(TRIM({b})),"n/a"))'

    if key in CATALOG_CHECKS:  # its check looks the value up: no gate here (it would be circular)
        return f"=IF(LEN(TRIM({b}))=0,{e},TRIM({b}))"
    if not is_number_key(key):
        return f'=IF(LEN(TRIM({b}))=0,{e},IF(LEN({g})=0,TRIM({b}),"n/a"))'
    return f'=IF(LEN(TRIM({b}))=0,{e},IF(LEN({g})=0,{n},"n/a"))'


def target_default(key: str) -> str:
    """The default column of a latency target: the workload's (the Constants sheet's table), "n/a" while the
    workload is not one of the list."""
    match = "MATCH(workload_used,list_workloads,0)"
    table = "wl_ttft_s" if key == "max_ttft_s" else "wl_tpot_ms"
    return f'=IF(ISNA({match}),"n/a",INDEX({table},{match}))'


def read_formula(key: str, b: str) -> str:
    """The hidden number-read column of a number key ("none" of a latency target is 0, as in the engine)."""
    read = _number_read(b)
    if key in TARGETS:
        return f'=IF(OR(LOWER(TRIM({b}))="none",LOWER(TRIM({b}))="no",LOWER(TRIM({b}))="off"),0,{read})'
    return f"={read}"
