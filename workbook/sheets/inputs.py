"""The Inputs sheet: the scenario as ``key | value | unit | note``, one row per key, plus the default,
the value the formulas use and a check of each value against the engine's rules.

Contract (the reader and the add-in rely on it): row 1 is the header ``key | value | unit | note``;
from row 2 one row per key in ``costengine.SCENARIO_KEYS`` order; values in column B, blanks left
empty ("use the default" or "derive"); each key is a workbook-level name pointing at its B cell.
Hidden columns L:AL hold the sensitivity table computed for the scenario (:mod:`workbook.sheets.sensitivity_data`):
the only scenario-dependent values outside column B, kept here so that this stays the one sheet that
depends on the scenario. The formulas of a key's row (number read, value used, check, warning) are
:mod:`workbook.sheets.inputs_checks`'s; this module lays the rows out, names them and writes the status box.
"""

from __future__ import annotations

from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from costengine import SCENARIO_KEYS, Scenario, key_info
from costengine.acceptance import options_of_key

from ..kit import Book, header_row, put, put_text, setup_sheet, wrap_rows
from .constants import ConstantsLayout, literal_choices
from .inputs_checks import (
    API_OK,
    CATALOG_CHECKS,
    DERIVED,
    SELF_HOSTING_OK,
    TARGETS,
    blank,
    check_formula,
    is_number_key,
    read_formula,
    target_default,
    used_formula,
    warning_formula,
)
from .sensitivity_data import snapshot_value as _value
from .sensitivity_data import write_sensitivity_block

__all__ = [
    "SHEET",
    "FIRST_ROW",
    "DERIVED",
    "build",
    "key_row",
    "blank",
    "is_number_key",
    "SELF_HOSTING_OK",
    "API_OK",
    "HELPER_COLS",
]

SHEET = "Inputs"
FIRST_ROW = 2
#: Hidden helper columns: the number read from column B (a number typed as text included: the rule of
#: ``costengine.acceptance``), and the validated typed value of a key whose blank means "derive" (``<key>_typed``).
HELPER_COLS = ("AO", "AP")
#: The user rows of the catalog sheets (``<prefix>_user_check``: :mod:`workbook.sheets.catalog_user`): a problem
#: there holds every option, as ``llmcost evaluate`` refuses such a workbook.
CATALOG_PROBLEMS = "catalog_problems"
_CATALOG_PREFIXES = ("hw", "md", "of", "sv")
#: Keys whose check looks the value up on a calculation sheet (kept out of the "inputs readable" conditions,
#: which those sheets wait for).
_LOOKED_UP = (*CATALOG_CHECKS, "load_profile", "api_service_tier")
_LISTS = {
    "api_model": "list_api_models",
    "model": "list_models",
    "cloud_gpu": "list_gpus",
    "onprem_gpu": "list_gpus",
    "precision": "list_precisions",
    "cloud_billing": "list_billing",
    "cloud_pricing": "list_pricing",
    "redundancy": "list_redundancy",
    "cloud_region": "list_cloud_regions",
    "cloud_tier": "list_cloud_tiers",
    "api_service_tier": "list_service_tiers",
    "cloud_offer": "list_offers",
    "onprem_server": "list_servers",
    "workload": "list_workloads",
}
_FORMATS = {
    "requests/month": "count",
    "tokens/request": "count",
    "money/MTok": "price",
    "money/GPU-h": "price",
    "money/month": "money",
    "money/month/server": "money",
    "money": "money0",
    "money/kWh": "price",
    "0..1": "ratio",
    "ratio": "ratio",
    "ratio >= 1": "ratio",
    "s": "seconds",
    "count": "int",
    "months": "int",
    "h": "General",
    "per year": "share",
    "billions": "General",
    "kW/server": "ratio",
    "fraction/month": "share",
}


def key_row(key: str) -> int:
    """The Inputs row of a scenario key."""
    return FIRST_ROW + SCENARIO_KEYS.index(key)


def _cells_with_problems(cells: list[str]) -> str:
    return "+".join(f"(LEN({c})>0)" for c in cells) or "0"


def build(book: Book, scenario: Scenario, constants: ConstantsLayout) -> None:
    ws = book.sheet(SHEET)
    book.currency, book.horizon_months = scenario.currency, scenario.horizon_months
    header_row(ws, 1, ["key", "value", "unit", "note", "default", "value used", "check", "warning"])
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
        if key in TARGETS:  # blank: the workload's target
            put(ws, e, target_default(key), "calc", fmt)
        elif meta["default"] is None:
            put_text(ws, e, "derived", "unit")
        else:
            put(ws, e, _value(meta["default"]), "const", fmt)
        rules = constants.rules_row[key]
        n = f"{HELPER_COLS[0]}{r}"
        if is_number_key(key):
            put(ws, n, read_formula(key, b), "calc", fmt)
            if meta["default"] is None:  # a blank derives it: the sheets read the validated typed value
                put(ws, f"{HELPER_COLS[1]}{r}", f'=IF(LEN(TRIM({b}))=0,"",IF(LEN(G{r})=0,{n},"n/a"))', "calc", fmt)
                book.name(f"{key}_typed", SHEET, f"{HELPER_COLS[1]}{r}")
        put(ws, f"F{r}", used_formula(key, b, e, f"G{r}", n), "link" if key in DERIVED else "calc", fmt)
        put(ws, f"G{r}", check_formula(key, b, rules, n), "check")
        warning = warning_formula(key, b, f"F{r}", rules)
        if warning:
            put(ws, f"H{r}", warning, "warning")
        book.name(key, SHEET, b)
        if key not in DERIVED:
            book.name(f"{key}_used", SHEET, f"F{r}")
        if key in _LISTS:
            lst = _LISTS[key]
            if lst not in validations:
                validations[lst] = DataValidation(
                    type="list",
                    formula1=lst,
                    allow_blank=True,
                    showErrorMessage=True,
                    errorStyle="warning",
                    errorTitle=key,
                    error="Not in the list: the check column (G) says whether it can be used.",
                )
                ws.add_data_validation(validations[lst])
            validations[lst].add(b)
    last = key_row(SCENARIO_KEYS[-1])
    _status(book, ws, last)
    put_text(ws, "I17", "How to use", "section")
    lines = [
        "Type into the yellow cells of column B only.",
        "A blank value uses the default (column E);",
        "a blank 'derived' key is filled from the",
        "catalogs and the sizing model (column F).",
        "Dropdowns list the catalogs' ids.",
        "Your own GPU, model, offer, server:",
        "the yellow rows under each catalog.",
        "Answers: Comparison and Break-even sheets.",
    ]
    for i, line in enumerate(lines):
        put_text(ws, f"I{18 + i}", line, "note")
    # printed landscape, one page wide: narrow columns that wrap keep the type at about 60% (in portrait the ten
    # columns would print at under half size); "value used" holds the longest ids (azure-2024-conversation)
    widths = {"A": 31, "B": 14, "C": 16, "D": 48, "E": 12, "F": 24, "G": 22, "H": 22, "I": 27, "J": 28}
    wrap_rows(ws, range(FIRST_ROW, last + 1), ["C", "D"], widths, chars_per_width=1.1, words=True)
    for col in "GH":  # the check and warning messages (formulas) wrap in their row
        for r in range(FIRST_ROW, last + 1):
            ws[f"{col}{r}"].alignment = Alignment(wrap_text=True, vertical="top")
    for r in (3, 10):  # the status and the first warning (J3, J10): six lines
        if (ws.row_dimensions[r].height or 15) < 90:
            ws.row_dimensions[r].height = 90
            for cell in ws[r]:
                if not cell.alignment.wrap_text:
                    cell.alignment = Alignment(horizontal=cell.alignment.horizontal, vertical="top")
    write_sensitivity_block(ws, scenario, FIRST_ROW, book.catalog)  # hidden columns L:AL, shown on Sensitivity
    for col in HELPER_COLS:
        ws.column_dimensions[col].hidden = True
    bad = f"B{FIRST_ROW}:B{last}"
    ws.conditional_formatting.add(
        bad,
        FormulaRule(formula=[f"LEN($G{FIRST_ROW})>0"], stopIfTrue=True, fill=PatternFill("solid", bgColor="F4B6B6")),
    )
    ws.conditional_formatting.add(
        bad, FormulaRule(formula=[f"LEN($H{FIRST_ROW})>0"], fill=PatternFill("solid", bgColor="FCE4A8"))
    )
    setup_sheet(ws, widths=widths, freeze="B2", print_area=f"A1:J{last}", title_rows="1:1")


def _catalog_first() -> str:
    """The first problem of the user's catalog rows (Hardware, Models, Cloud Offers, Servers sheets)."""
    out = '""'
    for p in reversed(_CATALOG_PREFIXES):
        out = f"IF(LEN({p}_user_first)>0,{p}_user_first,{out})"
    return out


def _not_feasible(book: Book, ws) -> None:
    """Per option, why valid inputs cannot serve it ("" when they can, or while its inputs have problems): the
    engine's "not feasible" reason (docs/model.md#infeasible-options). The context window is checked first (it
    concerns both self-hosted options), then the offer or server, then the layout, as the engine does."""
    catalog_reason = {"cloud": "cloud_offer_not_feasible", "onprem": "onprem_server_not_feasible"}
    for i, option in enumerate(("api", "cloud", "onprem")):
        r = 13 + i
        put_text(ws, f"I{r}", f"{option} not feasible", "label")
        if option == "api":  # a price the workbook cannot find is a problem of the api inputs
            put(ws, f"J{r}", '=""', "calc")
        else:
            layout = f"INDEX(sizing_not_feasible,1,{i})"
            put(
                ws,
                f"J{r}",
                f'=IF({option}_problems>0,"",IF(LEN(sizing_model_check)>0,{layout},'
                f"IF(LEN({catalog_reason[option]})>0,{catalog_reason[option]},{layout})))",
                "calc",
            )
        ws[f"J{r}"].alignment = Alignment(wrap_text=True, vertical="top")
        book.name(f"{option}_not_feasible", SHEET, f"J{r}")
    book.name("option_not_feasible", SHEET, "J13:J15")


def _status(book: Book, ws, last: int) -> None:
    """The status box: problems in all and per option, the first problem named, the warnings."""
    rows = {key: key_row(key) for key in SCENARIO_KEYS}
    g = f"G{FIRST_ROW}:G{last}"
    # what the Sizing sheet reads directly: every self-hosting key but the catalog ids (their checks
    # look the ids up on the Sizing sheet itself)
    direct = [
        f"G{rows[k]}" for k in SCENARIO_KEYS if set(options_of_key(k)) & {"cloud", "onprem"} and k not in _LOOKED_UP
    ]
    put_text(ws, "I1", "input check", "header")
    put_text(ws, "J1", "", "header")
    put_text(ws, "I2", "problems [count]", "label")
    sizing = f"IF({SELF_HOSTING_OK},SUMPRODUCT(--(LEN(sizing_checks)>0)),0)"
    put(
        ws,
        "J2",
        f"=SUMPRODUCT(--(LEN({g})>0))+{sizing}+(LEN(cloud_billing_check)>0)+(LEN(onprem_billing_check)>0)"
        f"+{CATALOG_PROBLEMS}",
        "calc",
        "int",
    )
    book.name("input_problems", SHEET, "J2")
    first = f'MATCH("?*",{g},0)'
    sizing_first = {o: f'MATCH("?*",INDEX(sizing_checks,0,{i + 1}),0)' for i, o in enumerate(("cloud", "onprem"))}
    which = (
        f'IF(NOT(ISNA({first})),INDEX(A{FIRST_ROW}:A{last},{first})&": "&INDEX({g},{first}),'
        f"IF({CATALOG_PROBLEMS}>0,{_catalog_first()},"
        f"IF(LEN(cloud_billing_check)>0,cloud_billing_check,IF(LEN(onprem_billing_check)>0,onprem_billing_check,"
        f'IF(NOT(ISNA({sizing_first["cloud"]})),"Sizing (cloud): "&INDEX(sizing_checks,{sizing_first["cloud"]},1),'
        f'IF(NOT(ISNA({sizing_first["onprem"]})),"Sizing (on-premises): "&INDEX(sizing_checks,'
        f'{sizing_first["onprem"]},2),""))))))'
    )
    infeasible = "".join(
        f'&IF(LEN({o}_not_feasible)>0,"; {o} not feasible: "&{o}_not_feasible,"")' for o in ("cloud", "onprem")
    )
    ok = f'"OK: every input can be used"{infeasible}'
    put(ws, "J3", f'=IF(input_problems=0,{ok},input_problems&" problem(s); first: "&{which})', "answer")
    book.name("input_problems_status", SHEET, "J3")
    ws["J3"].alignment = Alignment(wrap_text=True, vertical="top")
    put_text(ws, "I3", "status", "label")
    put_text(ws, "I4", "self-hosting inputs readable", "label")
    put(ws, "J4", "=AND(" + ",".join(f"LEN({c})=0" for c in direct) + f",{CATALOG_PROBLEMS}=0)", "calc")
    book.name(SELF_HOSTING_OK, SHEET, "J4")
    book.guard("Sizing", SELF_HOSTING_OK)
    # the Hybrid sheet reads the API and the self-hosting inputs (and shows nothing while any input is bad)
    book.guard("Hybrid", f"AND({API_OK},{SELF_HOSTING_OK},decision_problems=0)")
    for i, option in enumerate(("api", "cloud", "onprem")):
        r = 5 + i
        cells = [f"G{rows[k]}" for k in SCENARIO_KEYS if option in options_of_key(k)]
        extra = ""
        if option != "api":
            col = 1 if option == "cloud" else 2
            # the layout and billing checks hold inputs the engine cannot use; what makes an option not feasible
            # (the context window, no layout, no offer or server) is not a problem of the inputs
            extra = (
                f"+IF({SELF_HOSTING_OK},SUMPRODUCT(--(LEN(INDEX(sizing_checks,0,{col}))>0)),0)"
                f"+(LEN({option}_billing_check)>0)"
            )
        total = f"{_cells_with_problems(cells)}{extra}+{CATALOG_PROBLEMS}"  # the engine refuses a bad catalog
        if option != "api":  # its sizing waits for every self-hosting input (the Sizing sheet's guard)
            total = f"MAX({total},IF({SELF_HOSTING_OK},0,1))"
        put_text(ws, f"I{r}", f"problems of {option} [count]", "label")
        put(ws, f"J{r}", f"={total}", "calc", "int")
        book.name(f"{option}_problems", SHEET, f"J{r}")
    book.name("option_problems", SHEET, "J5:J7")
    _not_feasible(book, ws)
    put_text(ws, "I8", "decision inputs [problems]", "label")
    put(
        ws,
        "J8",
        "=" + _cells_with_problems([f"G{rows[k]}" for k in SCENARIO_KEYS if not options_of_key(k)]),
        "calc",
        "int",
    )
    book.name("decision_problems", SHEET, "J8")
    h = f"H{FIRST_ROW}:H{last}"
    put_text(ws, "I9", "warnings [count]", "label")
    put(ws, "J9", f"=SUMPRODUCT(--(LEN({h})>0))", "calc", "int")
    book.name("input_warnings", SHEET, "J9")
    wfirst = f'MATCH("?*",{h},0)'
    put(
        ws,
        "J10",
        f'=IF(input_warnings=0,"no unusual value",input_warnings&" unusual value(s); first: "&'
        f'INDEX(A{FIRST_ROW}:A{last},{wfirst})&": "&INDEX({h},{wfirst}))',
        "calc",
    )
    ws["J10"].alignment = Alignment(wrap_text=True, vertical="top")
    put_text(ws, "I12", "your catalog rows [problems]", "label")
    put(ws, "J12", "=" + "+".join(f"SUMPRODUCT(--(LEN({p}_user_check)>0))" for p in _CATALOG_PREFIXES), "calc", "int")
    book.name(CATALOG_PROBLEMS, SHEET, "J12")
    api_direct = [f"G{rows[k]}" for k in SCENARIO_KEYS if "api" in options_of_key(k) and k not in _LOOKED_UP]
    put_text(ws, "I11", "api inputs readable", "label")
    put(ws, "J11", "=AND(" + ",".join(f"LEN({c})=0" for c in api_direct) + ")", "calc")
    book.name(API_OK, SHEET, "J11")
