"""The Hybrid sheet: self-host the base load, send the overflow to the API (``costengine.hybrid_split``), in formulas.

The day's load profile (``load_profile``: blank = the default profile, an id of the Load Profiles sheet, or 24
numbers typed as text) gives 24 hourly shares f_h. N replicas of capacity C serve up to N C / 24 of each hour's
R f_h requests; the API takes the rest::

    served(N) = sum_h min(R f_h, N C / 24)
    cost(N)   = [N > 0] (fixed + step x ceil(N / replicas per unit)) + [R > served(N)] api_fixed
                + api cost per request x (R - served(N))

The best N is the cheapest of 49 candidates per option in whole units: floor and ceil of each hour's kink
24 R f_h / C divided by the replicas per unit, and one unit. The cost over units is convex piecewise linear between
the kinks, and the API's fee stops at the ceil of the busiest hour's kink, so they hold the minimum (a superset of
the four candidates of ``costengine.hybrid_split.hybrid_arrays``, which finds the optimum kink in closed form from the
hours sorted). An overflow within 1e-9 of R is float noise, as in the engine. The split is compared with
all-API and all-self-hosted (ties: all-API first, then the split, then all-self-hosted). Per-second billing has
nothing to split: its hybrid is the cheaper pure option. The answers are the cheaper option's (ties: cloud).
The summary (answers, the hours of the day, the charts) is the print area; the candidate table and the table
of the cost against N are to its right.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference, ScatterChart, Series
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.drawing.line import LineProperties
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from costengine.profiles import DEFAULT_PROFILE, HOURS

from ..kit import (
    Book,
    Rows,
    cell_span_anchor,
    escape_lookup,
    header_row,
    heading,
    option_line,
    put,
    put_text,
    setup_sheet,
    units_needed,
)

__all__ = ["SHEET", "POINTS", "MIN_SPAN", "MAX_PROFILE_CHARS", "OVERFLOW_NOISE", "build"]

SHEET = "Hybrid"
#: Rows of the table of the cost against N (N = 0 .. span, sampled when the span is longer).
POINTS = 201
#: The table of the cost against N spans at least this many replicas.
MIN_SPAN = 10
#: An overflow up to this share of R is the float noise of the hourly sum, no traffic (``costengine.hybrid_split``).
OVERFLOW_NOISE = 1e-9
#: Longest ``load_profile`` text the 24-part split handles (24 x this stays within a cell's 32,767 characters).
MAX_PROFILE_CHARS = 32767 // HOURS
_OPTS = ("cloud", "onprem")
_VAL = ("C", "D")
_CANDIDATES = 2 * HOURS + 1
_CAND_COLS = (
    "candidate",
    "hour",
    "kink N_h",
    "units (raw)",
    "units k",
    "replicas N",
    "capacity per hour",
    "served",
    "overflow",
    "monthly cost",
)
_NUMBER_CHARS = "0123456789.e+-"


def _part_is_number(part: str) -> str:
    """Text of a float: digits, '.', 'e', and '+'/'-' only first or after the 'e' (as Python's float reads it)."""
    stripped = f"LOWER({part})"
    for ch in _NUMBER_CHARS:
        stripped = f'SUBSTITUTE({stripped},"{ch}","")'
    rest = f'SUBSTITUTE(SUBSTITUTE(MID(LOWER({part}),2,LEN({part})),"e-","e"),"e+","e")'
    return (
        f'AND(LEN({part})>0,LEN({stripped})=0,LEN({rest})=LEN(SUBSTITUTE(SUBSTITUTE({rest},"+",""),"-","")),'
        f"ISNUMBER(VALUE({part})))"
    )


def _served(hourly: str, cap: str) -> str:
    """sum_h min(R f_h, cap) = the hours below the capacity in full + the capacity for each hour above it."""
    return f"SUMPRODUCT(({hourly}<={cap})*{hourly})+{cap}*SUMPRODUCT(--({hourly}>{cap}))"


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Hybrid: self-hosted replicas for the base load, the API for the peaks",
        "=\"The cheapest number N of self-hosted replicas over the day's load profile, the rest sent to the API; "
        'money in "&currency_used&"/month."',
    )
    a = Rows(book, ws, 3, value_cols=("C",), note_col="D")
    a.section("Answer", gap=1)
    reason = 'IF(input_problems>0,"check Inputs","n/a")'
    both = "AND(ISNUMBER(hybrid_cloud_monthly_cost),ISNUMBER(hybrid_onprem_monthly_cost))"
    a.add(
        "option",
        "cheaper hybrid",
        "option",
        f'=IF({both},IF(hybrid_cloud_monthly_cost<=hybrid_onprem_monthly_cost,"cloud","onprem"),{reason})',
        kind="answer",
        names="hybrid_option",
        note="whose hybrid costs less (ties: cloud)",
    )
    pick = 'IF(hybrid_option="cloud",{c},IF(hybrid_option="onprem",{o},hybrid_option))'
    for key, label, unit, fmt, name in (
        ("cost", "monthly cost", "money/month", "money", "monthly_cost"),
        ("replicas", "self-hosted replicas", "count", "int", "replicas"),
        ("share", "share served self-hosted", "share", "share", "self_hosted_share"),
    ):
        a.add(
            key,
            label,
            unit,
            "=" + pick.format(c=f"hybrid_cloud_{name}", o=f"hybrid_onprem_{name}"),
            kind="answer",
            fmt=fmt,
            names=f"hybrid_{name}",
        )
    a.add(
        "how",
        "split",
        "",
        "=" + pick.format(c="hybrid_cloud_choice", o="hybrid_onprem_choice"),
        kind="bold",
        note="all API (N = 0), a split, or all self-hosted",
    )

    # --- the day's profile -----------------------------------------------------------------------------
    a.section("The day's load profile (load_profile)")
    a.add("typed", "load_profile", "24 numbers or id", "=load_profile", kind="link")
    text = "TRIM(load_profile)"
    # the engine splits on commas, semicolons and white space (a carriage return does not survive a formula's
    # XML round trip: the file stores it as a line feed, which is replaced here already)
    for sep in (",", ";", "\t", "\n"):
        text = f'SUBSTITUTE({text},"{sep}"," ")'
    a.add(
        "text", "typed values, one space between", "text", f"=TRIM({text})", note="commas, semicolons, spaces separate"
    )
    a.add(
        "count", "values typed", "count", '=IF(LEN([text])=0,0,LEN([text])-LEN(SUBSTITUTE([text]," ",""))+1)', fmt="int"
    )
    a.add(
        "is_id",
        "a profile id",
        "yes/no",
        "=OR(LEN(TRIM(load_profile))=0,AND([count]=1,NOT(ISNUMBER(VALUE([text])))))",
        note=f"blank = {DEFAULT_PROFILE}",
    )
    a.add(
        "key",
        "profile id",
        "id",
        f'=IF([is_id],IF(LEN(TRIM(load_profile))=0,"{DEFAULT_PROFILE}",TRIM(load_profile)),"n/a")',
    )
    match = f"MATCH({escape_lookup('[key]')},list_load_profiles,0)"
    a.add(
        "row",
        "row in the Load Profiles sheet",
        "row",
        f'=IF([is_id],IF(ISNA({match}),"unknown",{match}),"n/a")',
        fmt="int",
        note="ids match whatever the case",
    )
    a.add("sum", "sum of the hourly weights", "ratio", "=SUMPRODUCT(hy_weights)", fmt="ratio4")
    hours = "c_hours_per_day"
    a.add(
        "check",
        "check",
        "",
        f'=IF([is_id],IF(NOT(ISNUMBER([row])),"load_profile: unknown profile "&[key]&": pick an id of the '
        f'Load Profiles sheet or type 24 numbers",IF(COUNT(hy_weights)<{hours},"load_profile: profile "&[key]&'
        f'" needs 24 numbers on the Load Profiles sheet",IF(MIN(hy_weights)<0,"load_profile: profile "&[key]&'
        f'" has a negative hour",IF([sum]<=0,"load_profile: profile "&[key]&" has no hour with load","")))),'
        f'IF(LEN([text])>c_profile_max_chars,"load_profile: at most "&c_profile_max_chars&" characters",'
        f'IF([count]<>{hours},"load_profile: must have 24 hourly values (got "&[count]&")",'
        f'IF(COUNT(hy_weights)<{hours},"load_profile: hourly values must be numbers",'
        f'IF(MIN(hy_weights)<0,"load_profile: hourly values must be >= 0",'
        f'IF([sum]<=0,"load_profile: needs at least one hour with load",""))))))',
        kind="check",
        names="load_profile_check",
    )
    used_row = a.add("used", "profile used", "id or values", None, kind="link", names="load_profile_used")

    # --- one column per option -------------------------------------------------------------------------
    top = a.row + 1
    header_row(ws, top, ["quantity", "unit", *_OPTS, "note"])
    m = Rows(book, ws, top + 1, value_cols=_VAL, note_col="E")
    m.add("option", "option", "id", list(_OPTS), kind="const")
    m.add("R", "requests per month", "requests/month", "=requests_per_month_used", kind="link", fmt="volume")
    m.add(
        "rep_cap",
        "capacity of one replica",
        "requests/month",
        [f"={o}_replica_capacity" for o in _OPTS],
        kind="link",
        fmt="volume",
    )
    m.add(
        "unit_cap",
        "capacity of one unit",
        "requests/month",
        [f"={o}_capacity" for o in _OPTS],
        kind="link",
        fmt="volume",
        note="n/a: per-second billing",
    )
    m.add(
        "per_unit",
        "replicas per unit",
        "count",
        "=IF(AND(ISNUMBER([unit_cap]),ISNUMBER([rep_cap])),ROUND([unit_cap]/[rep_cap],0),1)",
        fmt="int",
    )
    m.add("fixed", "fixed cost", "money/month", [f"={o}_fixed" for o in _OPTS], kind="link", fmt="money")
    m.add("step", "cost per unit", "money/month/unit", [f"={o}_step" for o in _OPTS], kind="link", fmt="money")
    m.add(
        "api_fixed",
        "API fixed cost",
        "money/month",
        "=api_fixed",
        kind="link",
        fmt="money",
        note="paid if the API serves any request",
    )
    m.add("api_var", "API cost per request", "money/request", "=api_variable", kind="link", fmt="money_small")
    m.add("api_only", "all API", "money/month", "=api_monthly_cost", kind="link", fmt="money")
    m.add(
        "pure",
        "all self-hosted",
        "money/month",
        [f"={o}_monthly_cost" for o in _OPTS],
        kind="link",
        fmt="money",
        note="as on Comparison (peak_to_average)",
    )
    m.add(
        "ok",
        "inputs usable",
        "yes/no",
        "=AND(input_problems=0,LEN(load_profile_check)=0,"
        + ",".join(
            f"ISNUMBER([{k}])" for k in ("R", "rep_cap", "fixed", "step", "api_fixed", "api_var", "api_only", "pure")
        )
        + ")",
    )
    m.add(
        "split",
        "can split",
        "yes/no",
        "=IF([ok],AND(ISNUMBER([unit_cap]),[step]>0),FALSE)",
        note="per second: nothing to split",
    )
    m.add(
        "pure_rep",
        "replicas, all self-hosted",
        "count",
        f'=IF([ok],{units_needed("[R]", "[rep_cap]", "min_replicas_used")},"n/a")',
        fmt="int",
    )
    cand_top = 4
    cand_first = cand_top + 2
    cand_last = cand_first + _CANDIDATES - 1
    width = len(_CAND_COLS) + 1
    cand_col = {o: 10 + i * width for i, o in enumerate(_OPTS)}  # first column of each option's candidate table

    def cand_range(o: str, field: str) -> str:
        col = get_column_letter(cand_col[o] + _CAND_COLS.index(field))
        return f"${col}${cand_first}:${col}${cand_last}"

    m.add(
        "best_row",
        "cheapest candidate",
        "row",
        [
            f'=IF([split],MATCH(MIN({cand_range(o, "monthly cost")}),{cand_range(o, "monthly cost")},0),"n/a")'
            for o in _OPTS
        ],
        fmt="int",
        note="in the candidate table (right)",
    )
    for key, field, label, unit, fmt in (
        ("best_cost", "monthly cost", "split: monthly cost", "money/month", "money"),
        ("best_n", "replicas N", "split: replicas", "count", "int"),
        ("best_served", "served", "split: served self-hosted", "requests/month", "volume"),
    ):
        m.add(
            key, label, unit, [f'=IF([split],INDEX({cand_range(o, field)},[best_row]),"n/a")' for o in _OPTS], fmt=fmt
        )
    m.add(
        "best_share",
        "split: share served self-hosted",
        "share",
        '=IF([split],IF([R]>0,[best_served]/[R],0),"n/a")',
        fmt="share",
    )
    m.add(
        "choice",
        "hybrid",
        "",
        '=IF(NOT([ok]),"n/a",IF(AND([api_only]<=[pure],OR(NOT([split]),[api_only]<='
        '[best_cost])),"all API",IF(AND([split],[best_cost]<=[pure]),"split","all self-hosted")))',
        kind="bold",
        names=[f"hybrid_{o}_choice" for o in _OPTS],
        note="ties: all API, split, self-hosted",
    )
    m.add(
        "cost",
        "hybrid monthly cost",
        "money/month",
        f'=IF([ok],IF([choice]="all API",[api_only],IF([choice]="split",[best_cost],[pure])),{reason})',
        kind="answer",
        fmt="money",
        names=[f"hybrid_{o}_monthly_cost" for o in _OPTS],
    )
    m.add(
        "replicas",
        "hybrid replicas",
        "count",
        f'=IF([ok],IF([choice]="all API",0,IF([choice]="split",[best_n],[pure_rep])),{reason})',
        kind="answer",
        fmt="int",
        names=[f"hybrid_{o}_replicas" for o in _OPTS],
    )
    m.add(
        "share",
        "hybrid share served self-hosted",
        "share",
        f'=IF([ok],IF([choice]="all API",0,IF([choice]="split",[best_share],1)),{reason})',
        kind="answer",
        fmt="share",
        names=[f"hybrid_{o}_self_hosted_share" for o in _OPTS],
    )
    m.add(
        "saving",
        "saving against the cheaper pure option",
        "money/month",
        '=IF([ok],MIN([api_only],[pure])-[cost],"n/a")',
        fmt="money",
    )
    ref = {k: {o: f"${c}${m.at[k]}" for o, c in zip(_OPTS, _VAL)} for k in m.at}
    # the coefficients the Projection sheet's monthly hybrid reads (hy_cloud_step, ...)
    book.names_many(
        [
            (f"hy_{o}_{k}", SHEET, f"{c}{m.at[k]}")
            for o, c in zip(_OPTS, _VAL)
            for k in ("ok", "split", "per_unit", "rep_cap", "fixed", "step", "api_fixed", "api_var")
        ]
    )

    # --- the hours of the day ----------------------------------------------------------------------------
    a.row = m.row
    a.section("The day: requests per hour of the chosen hybrid")
    a.add(
        "cap_hour",
        "self-hosted capacity per hour",
        "requests/month",
        f'=IF(ISNUMBER(hybrid_replicas),hybrid_replicas*IF(hybrid_option="cloud",{ref["rep_cap"]["cloud"]},'
        f'{ref["rep_cap"]["onprem"]})/c_hours_per_day,"n/a")',
        fmt="volume",
        note="replicas x replica capacity / 24",
    )
    a.add(
        "all_self",
        "every hour self-hosted",
        "yes/no",
        f"=IF(ISNUMBER(hybrid_replicas),AND(hybrid_self_hosted_share=1,hybrid_monthly_cost=IF(hybrid_option="
        f'"cloud",{ref["pure"]["cloud"]},{ref["pure"]["onprem"]})),FALSE)',
        note="all self-hosted: none overflows",
    )
    hour_top = a.row + 1
    header_row(
        ws,
        hour_top,
        ["hour (UTC)", "weight", "share", "requests in the hour", "self-hosted", "API", "typed value", "as a number"],
        height=30,
    )
    h1, h24 = hour_top + 1, hour_top + HOURS
    book.names_many([("hy_weights", SHEET, f"B{h1}:B{h24}"), ("hy_shares", SHEET, f"C{h1}:C{h24}")])
    text, is_id, row_ref = (a.ref(k, absolute_ref=True) for k in ("text", "is_id", "row"))
    for h in range(HOURS):
        r = h1 + h
        put(ws, f"A{r}", h, "const", "int")
        part = (
            f'IF(OR({is_id},LEN({text})>c_profile_max_chars),"",TRIM(MID(SUBSTITUTE({text}," ",REPT(" ",'
            f"LEN({text}))),A{r}*LEN({text})+1,LEN({text}))))"
        )
        put(ws, f"G{r}", f"={part}", "calc")
        put(ws, f"H{r}", f'=IF({_part_is_number(f"G{r}")},VALUE(G{r}),"not a number")', "calc", "ratio4")
        put(
            ws,
            f"B{r}",
            f'=IF({is_id},IF(ISNUMBER({row_ref}),INDEX(lp_hours,{row_ref},A{r}+1),"n/a"),H{r})',
            "calc",
            "ratio4",
        )
        put(
            ws, f"C{r}", f'=IF(LEN(load_profile_check)=0,B{r}/{a.ref("sum", absolute_ref=True)},"n/a")', "calc", "0.00%"
        )
        put(
            ws,
            f"D{r}",
            f'=IF(AND(ISNUMBER(C{r}),ISNUMBER(requests_per_month_used)),requests_per_month_used*C{r},"n/a")',
            "calc",
            "volume",
        )
        cap = a.ref("cap_hour", absolute_ref=True)
        put(
            ws,
            f"E{r}",
            f"=IF(AND(ISNUMBER(D{r}),ISNUMBER({cap})),IF({a.ref('all_self', absolute_ref=True)},D{r},"
            f'MIN(D{r},{cap})),"n/a")',
            "calc",
            "volume",
        )
        put(ws, f"F{r}", f'=IF(ISNUMBER(E{r}),D{r}-E{r},"n/a")', "calc", "volume")
    values = '&","&'.join(f"B{h1 + h}" for h in range(HOURS))
    put(
        ws,
        f"C{used_row}",
        f'=IF(LEN({a.ref("check")})>0,"invalid",IF({is_id},INDEX(list_load_profiles,{row_ref}),{values}))',
        "link",
    )
    hourly = f"$D${h1}:$D${h24}"
    chart_top = h24 + 2
    chart_mid = chart_top + 20
    chart_end = chart_mid + 20
    _candidates(ws, ref, cand_top, cand_first, cand_col, h1, hourly)
    table = _cost_table(book, ws, ref, hourly, first_col=cand_col[_OPTS[-1]] + width)
    _charts(ws, table, chart_top, chart_mid, chart_end, h1, h24)
    widths = {"A": 36, "B": 17, "C": 16, "D": 16, "E": 18, "F": 18, "G": 14, "H": 12, "I": 3}
    for o in _OPTS:
        for j in range(len(_CAND_COLS)):
            widths[get_column_letter(cand_col[o] + j)] = 13
    setup_sheet(ws, widths=widths, freeze="A3", print_area=f"A1:F{chart_end}", landscape=False)
    ws.row_breaks.append(Break(id=chart_top - 1))  # the charts on a page of their own


def _candidates(ws, ref: dict, top: int, first: int, cand_col: dict, h1: int, hourly: str) -> None:
    """The 49 candidates of each option: floor and ceil of each hour's kink in whole units, and one unit."""
    for o in _OPTS:
        c0 = cand_col[o]
        col = {f: get_column_letter(c0 + j) for j, f in enumerate(_CAND_COLS)}
        put_text(ws, f"{col['candidate']}{top}", f"Candidates: {o}", "section")
        header_row(ws, top + 1, list(_CAND_COLS), c0)
        g = {k: v[o] for k, v in ref.items()}
        ok = g["ok"]
        for j in range(_CANDIDATES):
            r = first + j
            c = {f: f"{col[f]}{r}" for f in _CAND_COLS}
            put(ws, c["candidate"], j + 1, "const", "int")
            if j < 2 * HOURS:
                h = j % HOURS
                put(ws, c["hour"], h, "const", "int")
                put(
                    ws,
                    c["kink N_h"],
                    f'=IF({ok},c_hours_per_day*{g["R"]}*$C${h1 + h}/{g["rep_cap"]},"n/a")',
                    "calc",
                    "ratio",
                )
                fn = "INT({x})" if j < HOURS else "ROUNDUP({x},0)"
                put(
                    ws,
                    c["units (raw)"],
                    f'=IF({ok},{fn.format(x=c["kink N_h"] + "/" + g["per_unit"])},"n/a")',
                    "calc",
                    "int",
                )
            else:
                put_text(ws, c["hour"], "one unit", "const")
                put(ws, c["units (raw)"], 1, "const", "int")
            put(ws, c["units k"], f'=IF({ok},IF({c["units (raw)"]}>=1,{c["units (raw)"]},1),"n/a")', "calc", "int")
            put(ws, c["replicas N"], f'=IF({ok},{c["units k"]}*{g["per_unit"]},"n/a")', "calc", "int")
            cap = c["capacity per hour"]
            put(ws, cap, f'=IF({ok},{c["replicas N"]}*{g["rep_cap"]}/c_hours_per_day,"n/a")', "calc", "volume")
            put(ws, c["served"], f'=IF({ok},{_served(hourly, cap)},"n/a")', "calc", "volume")
            put(
                ws,
                c["overflow"],
                f'=IF({ok},IF({g["R"]}-{c["served"]}>c_hybrid_overflow_noise*{g["R"]},{g["R"]}-{c["served"]},0),"n/a")',
                "calc",
                "volume",
            )
            put(
                ws,
                c["monthly cost"],
                f"=IF({ok},{g['fixed']}+{g['step']}*{c['units k']}+IF({c['overflow']}>0,"
                f'{g["api_fixed"]},0)+{g["api_var"]}*{c["overflow"]},"n/a")',
                "calc",
                "money",
            )


_COST_COLS = ("point", "replicas N", "cloud: served", "cloud", "onprem: served", "onprem", "all API")


def _cost_table(book: Book, ws, ref: dict, hourly: str, first_col: int) -> tuple[int, int, int]:
    """Monthly cost against N = 0 .. span (every N, or sampled when the span exceeds the rows)."""
    col = {f: get_column_letter(first_col + j) for j, f in enumerate(_COST_COLS)}
    put_text(ws, f"{col['point']}4", "Monthly cost against self-hosted replicas N", "section")
    put_text(ws, f"{col['point']}5", "span", "label")
    span = f"{col['replicas N']}5"
    reps = ",".join(f"{ref[k][o]}" for k in ("best_n", "pure_rep", "replicas") for o in _OPTS)
    best = f"MAX({ref['best_n']['cloud']},{ref['best_n']['onprem']})"  # MAX of cells skips their "n/a"
    put(ws, span, f"=MAX(c_hybrid_min_span,{best}*2,{reps})", "calc", "int")
    put_text(ws, f"{col['cloud: served']}5", "replicas: 2 x the best split's, or all self-hosted's", "note")
    header_row(ws, 6, list(_COST_COLS), first_col)
    first = 7
    for i in range(POINTS):
        r = first + i
        c = {f: f"{col[f]}{r}" for f in _COST_COLS}
        put(ws, c["point"], i, "const", "int")
        put(
            ws,
            c["replicas N"],
            f"=IF(${span}<=c_hybrid_points-1,MIN({c['point']},${span}),"
            f"ROUND({c['point']}*${span}/(c_hybrid_points-1),0))",
            "calc",
            "int",
        )
        n = c["replicas N"]
        for o in _OPTS:
            g = {k: v[o] for k, v in ref.items()}
            cap = f"{n}*{g['rep_cap']}/c_hours_per_day"
            served = c[f"{o}: served"]
            put(ws, served, f'=IF({g["split"]},{_served(hourly, cap)},"n/a")', "calc", "volume")
            ovf = f"IF({g['R']}-{served}>c_hybrid_overflow_noise*{g['R']},{g['R']}-{served},0)"
            put(
                ws,
                c[o],
                f"=IF({g['split']},IF({n}>0,{g['fixed']}+{g['step']}*ROUNDUP({n}/{g['per_unit']},0),0)"
                f'+IF({ovf}>0,{g["api_fixed"]},0)+{g["api_var"]}*{ovf},IF({g["ok"]},{g["pure"]},"n/a"))',
                "calc",
                "money0",
            )
        put(ws, c["all API"], f'=IF({ref["ok"]["cloud"]},{ref["api_only"]["cloud"]},"n/a")', "calc", "money0")
    book.names_many([("hy_n_span", SHEET, span)])
    for f in _COST_COLS:
        ws.column_dimensions[col[f]].width = 14
    return first_col, first, first + POINTS - 1


def _charts(ws, table: tuple[int, int, int], top: int, mid: int, end: int, h1: int, h24: int) -> None:
    first_col, first, last = table
    cost = ScatterChart()
    cost.title = "Monthly cost against N self-hosted replicas"
    cost.style = 2
    cost.x_axis.title = "self-hosted replicas N"
    cost.y_axis.title = "monthly cost"
    cost.x_axis.number_format = cost.y_axis.number_format = "#,##0"
    cost.x_axis.majorTickMark = cost.y_axis.majorTickMark = "out"
    cost.x_axis.delete = cost.y_axis.delete = False
    cost.legend.position = "b"
    xs = Reference(ws, min_col=first_col + 1, min_row=first, max_row=last)
    for j, o in ((3, "cloud"), (5, "onprem"), (6, "api")):
        ys = Reference(ws, min_col=first_col + j, min_row=first - 1, max_row=last)
        cost.series.append(option_line(ys, xs, o))
    cost.layout = Layout(ManualLayout(x=0.02, y=0.02, w=0.96, h=0.96))
    cost.anchor = cell_span_anchor(f"A{top}", f"F{mid - 2}")
    ws.add_chart(cost)

    split = BarChart()
    split.type = "col"
    split.grouping = "stacked"
    split.overlap = 100
    split.gapWidth = 40
    split.title = "The day's split, chosen hybrid"
    split.style = 2
    split.x_axis.title = "hour of the day (UTC)"
    split.y_axis.title = "requests/month in the hour"
    split.y_axis.number_format = "#,##0"
    split.x_axis.delete = split.y_axis.delete = False
    split.legend.position = "b"
    cats = Reference(ws, min_col=1, min_row=h1, max_row=h24)
    for col, colour in ((5, "548235"), (6, "2E75B6")):
        s = Series(Reference(ws, min_col=col, min_row=h1 - 1, max_row=h24), title_from_data=True)
        s.graphicalProperties = GraphicalProperties(solidFill=colour, ln=LineProperties(solidFill=colour))
        split.series.append(s)
    split.set_categories(cats)
    split.anchor = cell_span_anchor(f"A{mid}", f"F{end}")
    ws.add_chart(split)
