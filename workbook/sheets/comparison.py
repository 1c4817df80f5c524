"""The Comparison sheet: each option's monthly cost, cost per request and per MTok, GPUs, replicas and
utilisation at the scenario's volume, and the workings behind each option's cost coefficients.

Every option costs ``fixed + variable x R + step x replicas(R)`` per month with
``replicas(R) = max(min_replicas, ceil(R x peak_to_average / capacity))`` (``costengine.plan``).
The top table has one column per option and one formula per row; the blocks below derive each
option's fixed, variable and step costs, one quantity per row (``comparison_api``, ``comparison_cloud``,
``comparison_onprem``).
"""

from __future__ import annotations

from costengine.engine import PAIRS
from costengine.plan import OPTIONS
from costengine.verdict import HORIZON_COLUMNS

from ..kit import Book, Rows, header_row, heading, setup_sheet, units_needed, wrap_ids, wrap_rows
from .comparison_api import api_rows
from .comparison_cloud import cloud_rows
from .comparison_onprem import onprem_rows
from .comparison_parts import basis_row, split_rows
from .serverless_cost import CLOUD_BURST, burst_formula
from .token_pricing import TierColumns

__all__ = ["SHEET", "build"]

SHEET = "Comparison"
_COLS = ("C", "D", "E")


def _binds(o: str) -> str:
    """A latency target holds the batch under ``c_small_batch`` while memory and traffic would fill more
    (``costengine.binding``): the text that says so, "" otherwise."""
    mem, top = f"{o}_mem_batch", f"{o}_max_batch"
    return (
        f"=IF(AND(ISNUMBER({top}),ISNUMBER({mem}),ISNUMBER([replicas])),IF(AND({top}<c_small_batch,"
        f'{mem}>=c_small_batch,[replicas]>min_replicas_used),"a latency target binds: batch "&{top}&'
        f'" where memory holds "&{mem}&" and the load needs "&[replicas]&" replicas",""),"")'
    )


def _joined(a: str, b: str) -> str:
    """Two notes joined by "; " as the engine joins them (either may be empty)."""
    return f'=IF(AND(LEN({a})>0,LEN({b})>0),{a}&"; "&{b},{a}&{b})'


def _wrap_notes(ws, table: range, workings: range, widths: dict[str, float]) -> None:
    """Long notes wrap inside the print area (A:F), not cut at its edge: the table's notes in F, and in the workings a
    note of D longer than D:F holds is merged over D:F (E and F are empty there) and wrapped, its row made taller."""
    for r in table:
        before = ws.row_dimensions[r].height
        wrap_rows(ws, [r], ["F"], widths, chars_per_width=1.15)
        if before and before > (ws.row_dimensions[r].height or 0):  # the rows of wrapped ids stay as tall
            ws.row_dimensions[r].height = before
    span = widths["D"] + widths["E"] + widths["F"]
    for r in workings:
        note = ws[f"D{r}"].value
        if not isinstance(note, str) or note.startswith("=") or len(note) <= span * 1.1:
            continue
        if ws[f"E{r}"].value is not None or ws[f"F{r}"].value is not None:
            continue
        ws.merge_cells(f"D{r}:F{r}")
        wrap_rows(ws, [r], ["D"], {"D": span}, chars_per_width=1.1)


#: The options the horizon's answer ranks and their NPV names (Projection sheet; costengine.verdict.HORIZON_COLUMNS).
_HORIZON_NPV = {o: f"npv_{o}" for o in HORIZON_COLUMNS}


def _horizon_formula() -> str:
    """The option with the lowest NPV over the horizon (the first of the order on ties), as
    :func:`costengine.verdict.horizon_verdict`."""
    low = f"MIN({','.join(_HORIZON_NPV.values())})"
    opts = list(_HORIZON_NPV)
    chain = f'"{opts[-1]}"'
    for o in reversed(opts[:-1]):
        chain = f'IF({_HORIZON_NPV[o]}={low},"{o}",{chain})'
    known = ",".join(f"ISNUMBER({n})" for n in _HORIZON_NPV.values())
    return f'=IF(AND({known}),{chain},"n/a: see Projection")'


def build(book: Book, tiers: TierColumns) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Comparison: API, cloud GPUs or on-premises servers",
        '="At "&TEXT(requests_per_month_used,"#,##0")&" requests per month of "&TEXT(prompt_tokens_used,'
        '"#,##0")&" + "&TEXT(output_tokens_used,"#,##0")&" tokens; money in "&currency_used&"."',
    )

    # --- the answers ---------------------------------------------------------------------------------
    a = Rows(book, ws, 3, value_cols=("C",), note_col="D")
    a.section("Answer", gap=1)
    a.add(
        "cheapest",
        "cheapest option",
        "option",
        '=IF(SUMPRODUCT(option_problems)>0,"check Inputs",IF(COUNT(cmp_cost)=0,'
        '"not feasible: no option can be served",INDEX(list_options,MATCH(MIN(cmp_cost),cmp_cost,0))))',
        kind="answer",
        names="cheapest_option",
        note="among the options that can be served; ties go to the first of api, cloud, onprem",
    )
    a.add(
        "recommend",
        "recommendation",
        "option",
        "=IF(ISNUMBER(hybrid_monthly_cost),IF(AND(hybrid_replicas>0,hybrid_monthly_cost<MIN(cmp_cost)*"
        '(1-c_recommend_margin)),"hybrid_"&hybrid_option,cheapest_option),cheapest_option)',
        kind="answer",
        names="recommendation",
        note="the cheapest option, or the hybrid (Hybrid sheet) when it self-hosts something and costs less",
    )
    a.add(
        "horizon",
        "lowest cost over the horizon",
        "option",
        _horizon_formula(),
        kind="answer",
        names="horizon_option",
        note="the lowest net present value over horizon_months as the volume grows (Projection sheet; on premises "
        "in cash); ties go to the first of api, cloud, onprem, hybrid_cloud, hybrid_onprem",
    )
    for pair in PAIRS:
        a.add(
            f"be_{pair[0]}_{pair[1]}",
            f"break-even {pair[0]} / {pair[1]}",
            "requests/month",
            f"=breakeven_{pair[0]}_{pair[1]}",
            kind="link",
            fmt="volume",
            note="volume where the two monthly costs cross (Break-even sheet); none = they never cross",
        )

    # --- one column per option ------------------------------------------------------------------------
    top = a.row + 1
    header_row(ws, top, ["quantity", "unit", *OPTIONS, "note"])
    m = Rows(book, ws, top + 1, value_cols=_COLS, note_col="F")
    m.add("option", "option", "id", list(OPTIONS), kind="const")
    # per option: the others stay shown; an option valid inputs cannot serve says "not feasible"
    at = "MATCH([option],list_options,0)"
    m.guard = f'AND(INDEX(option_problems,{at})=0,INDEX(option_not_feasible,{at})="")'
    short = f'=IF(INDEX(option_problems,{at})>0,"check Inputs","not feasible")'
    m.guard_text = short
    reason = f'=IF(INDEX(option_problems,{at})>0,"check Inputs","not feasible: "&INDEX(option_not_feasible,{at}))'
    m.add("R", "requests per month", "requests/month", "=requests_per_month_used", kind="link", fmt="volume")
    m.add(
        "fixed", "fixed cost", "money/month", ["=api_fixed", "=cloud_fixed", "=onprem_fixed"], kind="link", fmt="money"
    )
    m.add(
        "variable",
        "variable cost",
        "money/request",
        ["=api_variable", "=cloud_variable", "=onprem_variable"],
        kind="link",
        fmt="money_small",
    )
    m.add(
        "free",
        "volume before the variable cost",
        "requests/month",
        [0, "=cloud_free_volume", 0],
        kind="link",
        fmt="volume",
        note="per-second billing: what the warm minimum replicas serve",
    )
    m.add(
        "burst",
        "per-second replicas above the warm ones",
        "money/month",
        [
            0,
            "=IF(cloud_per_second,IF(AND(ISNUMBER(cloud_burst_rate),ISNUMBER(cloud_burst_span),"
            "ISNUMBER(cloud_cold_start),ISNUMBER(cloud_burst_seconds),ISNUMBER(cloud_burst_busy),"
            "COUNT(hy_shares)=c_hours_per_day),"
            f'{burst_formula("[R]", **CLOUD_BURST)},"n/a"),0)',
            0,
        ],
        fmt="money",
        note="busy time, scale-down windows and cold starts, each hour of the load profile (docs/model.md)",
    )
    m.add(
        "step",
        "cost per unit",
        "money/month/unit",
        ["=api_step", "=cloud_step", "=onprem_step"],
        kind="link",
        fmt="money",
        note="a unit: an instance or server (or the ones one replica spans)",
    )
    m.add(
        "seconds",
        "seconds per request",
        "s",
        ["n/a", "=cloud_seconds_per_request", "=onprem_seconds_per_request"],
        kind="link",
        fmt="seconds",
    )
    m.add(
        "capacity",
        "capacity of one unit",
        "requests/month",
        ["n/a", "=cloud_capacity", "=onprem_capacity"],
        kind="link",
        fmt="volume",
        note="replicas per unit x hours x 3600 / seconds per request x utilisation",
    )
    m.add("min_units", "minimum units", "count", [0, "=cloud_min_units", "=onprem_min_units"], kind="link", fmt="int")
    m.add(
        "rep_cap",
        "capacity of one replica",
        "requests/month",
        ["n/a", "=cloud_replica_capacity", "=onprem_replica_capacity"],
        kind="link",
        fmt="volume",
    )
    m.add(
        "gpr",
        "GPUs per replica",
        "count",
        ["n/a", "=cloud_gpus_per_replica_used", "=onprem_gpus_per_replica_used"],
        kind="link",
        fmt="int",
    )
    m.add(
        "gpu_unit",
        "GPUs per unit",
        "count",
        [0, "=cloud_gpus_per_unit", "=onprem_gpus_per_unit"],
        kind="link",
        fmt="int",
    )
    m.add(
        "units",
        "units bought",
        "count",
        f'=IF(ISNUMBER([capacity]),IF(ISNUMBER([R]),{units_needed("[R]", "[capacity]", "[min_units]")},"n/a"),0)',
        fmt="int",
        note="max(minimum, ceil(R x peak-to-average / unit capacity))",
    )
    m.add(
        "replicas",
        "replicas",
        "count",
        f'=IF(ISNUMBER([rep_cap]),IF(ISNUMBER([R]),{units_needed("[R]", "[rep_cap]", "min_replicas_used")},"n/a"),0)',
        fmt="int",
        note="max(min_replicas, ceil(R x peak-to-average / replica capacity))",
    )
    m.guard_text = reason  # the answer says why
    m.add(
        "cost",
        "monthly cost",
        "money/month",
        "=IF(AND(ISNUMBER([fixed]),ISNUMBER([variable]),ISNUMBER([free]),ISNUMBER([step]),ISNUMBER([units]),"
        'ISNUMBER([burst])),[fixed]+[variable]*MAX([R]-[free],0)+[step]*[units]+[burst],"n/a")',
        kind="answer",
        fmt="money",
        names=[f"{o}_monthly_cost" for o in OPTIONS],
        note="fixed + variable x max(0, R - free volume) + step x units + per-second replicas",
    )
    m.guard_text = short
    split_rows(m)
    m.add(
        "per_request",
        "cost per request",
        "money/request",
        '=IF(ISNUMBER([cost]),IF([R]>0,[cost]/[R],"n/a"),[cost])',
        fmt="money_small",
    )
    m.add(
        "per_mtok",
        "cost per million tokens",
        "money/MTok",
        '=IF(ISNUMBER([cost]),IF([R]*(prompt_tokens_used+output_tokens_used)>0,[cost]/([R]*(prompt_tokens_used+output_tokens_used)/c_tokens_per_mtok),"n/a"),'
        "[cost])",
        fmt="price",
        note="prompt + output tokens",
    )
    m.add(
        "gpus",
        "GPUs paid for",
        "count",
        "=IF(ISNUMBER([cost]),IF(ISNUMBER([capacity]),[units]*[gpu_unit],IF(ISNUMBER([gpr]),[replicas]*[gpr],0)),"
        '"n/a")',
        fmt="count",
        note="whole instances or servers; per-second: the replicas serving the peak",
    )
    m.add(
        "util",
        "utilisation",
        "share",
        "=IF(AND(ISNUMBER([seconds]),ISNUMBER([R]),ISNUMBER([gpus]),ISNUMBER([gpr])),IF([gpus]>0,"
        '[R]*[seconds]*[gpr]/(hours_per_month_used*c_seconds_per_hour)/[gpus],"n/a"),"n/a")',
        fmt="share",
        note="busy GPU-seconds / GPU-seconds paid for",
    )
    m.add("batch", "batch per replica", "sequences", ["n/a", "=cloud_batch", "=onprem_batch"], kind="link", fmt="count")
    m.add("ttft", "time to first token", "s", ["n/a", "=cloud_ttft_s", "=onprem_ttft_s"], kind="link", fmt="0.000")
    m.add("tpot", "time per output token", "ms", ["n/a", "=cloud_tpot_ms", "=onprem_tpot_ms"], kind="link", fmt="0.0")
    basis_row(m, ws)
    m.add("offer", "offer or server", "id", ["", "=cloud_offer_used", "=onprem_server_used"], kind="link")
    m.add(
        "binds",
        "latency target binds (batch)",
        "",
        ["", *(_binds(o) for o in ("cloud", "onprem"))],
        note="batch under c_small_batch while memory holds more and the load, not min_replicas, sets the replicas; "
        "the other test (cost > 25% above the cost with the targets doubled) needs a second sizing: see the "
        "notes of llmcost compare or LLM_COMPARE",
    )
    wrap_ids(ws, m.at["offer"], "DE")
    m.add(
        "notes",
        "notes",
        "text",
        ["=api_reasoning_note", *(_joined("reasoning_note", f"{o}_price_age_note") for o in ("cloud", "onprem"))],
        kind="link",
        note="a blank reasoning key of a reasoning model: its hidden tokens are not counted (Inputs warning); the "
        "age of a catalog price undated or older than c_stale_days (the cloud and on-premises sheets)",
    )
    wrap_ids(ws, m.at["notes"], "CDE")
    m.guard = None
    m.add("mark", "", "", '=IF(cheapest_option=[option],"cheapest","")', kind="bold")
    book.names_many(
        [("comparison_options", SHEET, f"C{m.at['option']}:E{m.at['option']}")]
        + [
            (f"cmp_{k}", SHEET, f"C{m.at[k]}:E{m.at[k]}")
            for k in ("fixed", "variable", "free", "burst", "step", "capacity", "min_units", "cost", "notes")
        ]
    )

    # --- workings: one block per option, one quantity per row -------------------------------------------
    w = Rows(book, ws, m.row, value_cols=("C",), note_col="D")
    api_rows(w, tiers)
    cloud_rows(w)
    onprem_rows(w)
    widths = {"A": 40, "B": 20, "C": 17, "D": 17, "E": 17, "F": 58}
    _wrap_notes(ws, range(top + 1, m.row), range(m.row, w.row), widths)
    setup_sheet(
        ws,
        widths=widths,
        freeze="A4",
        print_area=f"A1:F{w.row - 1}",
        landscape=False,
        fit_height=True,
    )
