"""The Inputs sheet: the scenario as ``key | value | unit | note``, one row per key, plus the default,
the value the formulas use and a check of each value against the engine's rules.

Contract (the reader and the add-in rely on it): row 1 is the header ``key | value | unit | note``;
from row 2 one row per key in ``costengine.SCENARIO_KEYS`` order; values in column B, blanks left
empty ("use the default" or "derive"); each key is a workbook-level name pointing at its B cell.
Hidden columns L:AL hold the sensitivity table computed for the scenario (:mod:`workbook.sheets.sensitivity_data`):
the only scenario-dependent values outside column B, kept here so that this stays the one sheet that
depends on the scenario.
"""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

from costengine import SCENARIO_KEYS, Scenario, key_info
from costengine.scenario import BILLING_ALIASES

from ..kit import Book, header_row, put, put_text, setup_sheet, wrap_rows
from .sensitivity_data import snapshot_value as _value
from .sensitivity_data import write_sensitivity_block
from .constants import SHEET as CONSTANTS, ConstantsLayout, literal_choices

__all__ = ["SHEET", "FIRST_ROW", "DERIVED", "build", "key_row", "blank"]

SHEET = "Inputs"
FIRST_ROW = 2
#: Keys whose blank means "derive it"; the name ``<key>_used`` points at the cell (on a calculation sheet)
#: that holds the typed or derived value; the other keys' ``<key>_used`` is column F of the Inputs sheet.
DERIVED = ("api_input_price_per_mtok", "api_output_price_per_mtok", "api_cached_input_price_per_mtok",
           "model_params_billion", "seconds_per_request", "cloud_price_per_gpu_hour", "cloud_gpus_per_replica",
           "onprem_gpus_per_server", "onprem_capex_per_server", "onprem_power_kw", "precision", "cloud_offer",
           "onprem_server", "onprem_gpus_per_replica", "onprem_maintenance_monthly", "load_profile")
#: Latency targets: a number, or the text "none" (no target).
TARGETS = ("max_ttft_s", "max_tpot_ms")
#: Text keys looked up in a catalog: the check flags an unknown id only when the engine would need it.
_CATALOG_CHECKS = {
    "api_model": ("OR(" + ",".join(f"LEN(TRIM({k}))=0" for k in DERIVED[:3]) + ")", "api_model_row",
                  "not in the Token Pricing sheet's api_model list: pick an id from the list or type the three "
                  "api prices"),
    "model": ("OR(LEN(TRIM(model_params_billion))=0,LEN(TRIM(seconds_per_request))=0)", "model_row",
              "unknown model: pick an id of the Models sheet (or give model_params_billion and "
              "seconds_per_request)"),
    "cloud_gpu": ("OR(LEN(TRIM(cloud_gpus_per_replica))=0,LEN(TRIM(seconds_per_request))=0,"
                  "LEN(TRIM(cloud_price_per_gpu_hour))=0)", "cloud_gpu_row",
                  "unknown GPU: pick an id of the Hardware sheet"),
    "onprem_gpu": ("OR(LEN(TRIM(onprem_gpus_per_server))=0,LEN(TRIM(seconds_per_request))=0,"
                   "LEN(TRIM(onprem_capex_per_server))=0,LEN(TRIM(onprem_power_kw))=0)", "onprem_gpu_row",
                   "unknown GPU: pick an id of the Hardware sheet"),
}
_LISTS = {"api_model": "list_api_models", "model": "list_models", "cloud_gpu": "list_gpus",
          "onprem_gpu": "list_gpus", "precision": "list_precisions", "cloud_billing": "list_billing",
          "cloud_pricing": "list_pricing", "cloud_offer": "list_offers", "onprem_server": "list_servers"}
_FORMATS = {"requests/month": "count", "tokens/request": "count", "money/MTok": "price", "money/GPU-h": "price",
            "money/month": "money", "money/month/server": "money", "money": "money0", "money/kWh": "price",
            "0..1": "ratio", "ratio": "ratio", "ratio >= 1": "ratio", "s": "seconds", "count": "int",
            "months": "int", "h": "General", "per year": "share", "billions": "General", "kW/server": "ratio",
            "fraction/month": "share"}


def key_row(key: str) -> int:
    """The Inputs row of a scenario key."""
    return FIRST_ROW + SCENARIO_KEYS.index(key)


def blank(key: str) -> str:
    """An Excel test for "this input is blank" (empty or only spaces), as the engine reads it."""
    return f"LEN(TRIM({key}))=0"


def _check_formula(key: str, b: str, rules: int) -> str:
    """The check-column formula of a key: "" when the value is fine, otherwise what is wrong."""
    if key in _CATALOG_CHECKS:
        need, row_name, message = _CATALOG_CHECKS[key]
        return (f'=IF(ISNUMBER({b}),"must be text",IF(AND({need},NOT(ISNUMBER({row_name}))),'
                f'"{message}",""))')
    if key == "precision":
        return (f'=IF(LEN(TRIM({b}))=0,"",IF(ISNA(MATCH(IF(ISNUMBER({b}),{b},TRIM({b})),prec_keys,0)),'
                f'"must be one of fp32, bf16, fp16, fp8, int8, int4 or bytes per parameter 4, 2, 1, 0.5",""))')
    if key in ("cloud_billing", "cloud_pricing"):
        lst = "list_billing" if key == "cloud_billing" else "list_pricing"
        allowed = " or ".join(literal_choices(key))
        return (f'=IF(LEN(TRIM({b}))=0,"",IF(ISNA(MATCH({_billing(b)},{lst},0)),'
                f'"must be one of {allowed}",""))')
    if key == "load_profile":  # an id of the Load Profiles sheet or 24 numbers: the Hybrid sheet parses it
        return "=load_profile_check"
    if key in ("cloud_offer", "onprem_server"):
        return f'=IF(ISNUMBER({b}),"must be text","")'  # unknown ids: the Comparison sheet's checks
    if key in TARGETS:
        b = f'IF(OR(LOWER(TRIM({b}))="none",LOWER(TRIM({b}))="no",LOWER(TRIM({b}))="off"),0,{b})'
        return _number_check(key, b, rules)
    if Scenario.model_fields[key].annotation is str:
        c = f"{CONSTANTS}!$F${rules}"
        return f'=IF(ISNUMBER({b}),"must be text",IF(LEN(TRIM({b}))>{c},"must be at most "&{c}&" characters",""))'
    return _number_check(key, b, rules)


def _number_check(key: str, b: str, rules: int) -> str:
    ge, gt, le, whole = (f"{CONSTANTS}!${col}${rules}" for col in "BCDE")
    return (f'=IF(LEN(TRIM({b}))=0,"",IF(NOT(ISNUMBER({b})),"must be a number",'
            f'IF(AND(ISNUMBER({ge}),{b}<{ge}),"must be >= "&{ge},'
            f'IF(AND(ISNUMBER({gt}),{b}<={gt}),"must be > "&{gt},'
            f'IF(AND(ISNUMBER({le}),{b}>{le}),"must be <= "&{le},'
            f'IF(AND({whole},{b}<>INT({b})),"must be a whole number",""))))))')


def _billing(b: str) -> str:
    """The engine's normalisation of a billing or pricing name: trimmed, lower case, '-' and ' ' as '_', and
    the old names (reserved = always_on; serverless = per_second; see ``costengine.scenario.BILLING_ALIASES``)."""
    norm = f'SUBSTITUTE(SUBSTITUTE(LOWER(TRIM({b})),"-","_")," ","_")'
    key = f'SUBSTITUTE({norm},"_","")'
    always = ",".join(f'{key}="{a}"' for a, v in BILLING_ALIASES.items() if v == "always_on")
    second = ",".join(f'{key}="{a}"' for a, v in BILLING_ALIASES.items() if v == "per_second")
    return f'IF(OR({always}),"always_on",IF(OR({second}),"per_second",{norm}))'


def _used_formula(key: str, b: str, e: str) -> str:
    """The value-used column: the typed value, the default when blank, or the derived value."""
    if key == "seconds_per_request":
        return f'=IF(LEN(TRIM({b}))=0,"see Sizing",{b})'
    if key in DERIVED:
        return f"={key}_used"
    if key == "precision":
        match = f"MATCH(IF(ISNUMBER({b}),{b},TRIM({b})),prec_keys,0)"
        return f'=IF(LEN(TRIM({b}))=0,{e},IF(ISNA({match}),"invalid",INDEX(prec_names,{match})))'
    if key in ("cloud_billing", "cloud_pricing"):
        return f"=IF(LEN(TRIM({b}))=0,{e},{_billing(b)})"
    if key in TARGETS:  # "none" (or 0) = no target: 0 in the formulas, as in the engine's Scenario
        return (f'=IF(LEN(TRIM({b}))=0,{e},IF(OR(LOWER(TRIM({b}))="none",LOWER(TRIM({b}))="no",'
                f'LOWER(TRIM({b}))="off"),0,{b}))')
    if Scenario.model_fields[key].annotation is str:
        return f"=IF(LEN(TRIM({b}))=0,{e},TRIM({b}))"
    return f"=IF(LEN(TRIM({b}))=0,{e},{b})"


def build(book: Book, scenario: Scenario, constants: ConstantsLayout) -> None:
    ws = book.sheet(SHEET)
    header_row(ws, 1, ["key", "value", "unit", "note", "default", "value used", "check"])
    values = scenario.model_dump()
    info = {row["key"]: row for row in key_info()}
    validations: dict[str, DataValidation] = {}
    for key in SCENARIO_KEYS:
        r = key_row(key)
        b, e = f"B{r}", f"E{r}"
        meta = info[key]
        put_text(ws, f"A{r}", key, "bold")
        value = values[key]
        fmt = _FORMATS.get(meta["unit"], "General")
        if isinstance(value, str):
            put_text(ws, b, value, "input")  # user text is never written as a formula
        else:
            put(ws, b, _value(value) if value is not None else None, "input", fmt)
        put_text(ws, f"C{r}", meta["unit"], "unit")
        note = meta["meaning"] + (f" (default: {meta['source']})" if meta["source"] else "")
        choices = literal_choices(key)
        if choices:
            note += f"; one of {', '.join(choices)}"
        put_text(ws, f"D{r}", note, "note")
        if meta["default"] is None:
            put_text(ws, e, "derived", "unit")
        else:
            put(ws, e, _value(meta["default"]), "const", fmt)
        put(ws, f"F{r}", _used_formula(key, b, e), "link" if key in DERIVED else "calc", fmt)
        put(ws, f"G{r}", _check_formula(key, b, constants.rules_row[key]), "check")
        book.name(key, SHEET, b)
        if key not in DERIVED:
            book.name(f"{key}_used", SHEET, f"F{r}")
        if key in _LISTS:
            lst = _LISTS[key]
            if lst not in validations:
                validations[lst] = DataValidation(
                    type="list", formula1=lst, allow_blank=True, showErrorMessage=True, errorStyle="warning",
                    errorTitle=key, error="Not in the list: the check column (G) says whether it can be used.")
                ws.add_data_validation(validations[lst])
            validations[lst].add(b)
    last = key_row(SCENARIO_KEYS[-1])
    # --- status --------------------------------------------------------------------------------------
    put_text(ws, "I1", "input check", "header")
    put_text(ws, "J1", "", "header")
    put_text(ws, "I2", "problems [count]", "label")
    put(ws, "J2", f"=SUMPRODUCT(--(LEN(G{FIRST_ROW}:G{last})>0))+SUMPRODUCT(--(LEN(sizing_checks)>0))"
        "+(LEN(cloud_billing_check)>0)+(LEN(onprem_billing_check)>0)", "calc", "int")
    book.name("input_problems", SHEET, "J2")
    put(ws, "J3", '=IF(input_problems=0,"OK: every input can be used",'
        'input_problems&" problem(s): see column G, the Sizing checks and the Comparison checks")', "answer")
    put_text(ws, "I5", "How to use", "section")
    lines = ["Type into the yellow cells of column B only.",
             "A blank value uses the default (column E);",
             "a blank 'derived' key is filled from the",
             "catalogs and the sizing model (column F).",
             "Dropdowns list the catalogs' ids.",
             "Answers: Comparison and Break-even sheets."]
    for i, line in enumerate(lines):
        put_text(ws, f"I{6 + i}", line, "note")
    widths = {"A": 31, "B": 16, "C": 26, "D": 64, "E": 13, "F": 16, "G": 40, "H": 2, "I": 20, "J": 40}
    wrap_rows(ws, range(FIRST_ROW, last + 1), ["D"], widths)
    write_sensitivity_block(ws, scenario, FIRST_ROW)  # hidden columns L:AL, shown on the Sensitivity sheet
    setup_sheet(ws, widths=widths, freeze="B2", print_area=f"A1:G{last}", title_rows="1:1")
