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
of the cost against N are to its right. The parts: the day's profile and hours (:mod:`workbook.sheets.hybrid_day`),
the candidates (:mod:`workbook.sheets.hybrid_candidates`), the cost against N (:mod:`workbook.sheets.hybrid_cost`).
"""

from __future__ import annotations

from openpyxl.worksheet.pagebreak import Break

from ..kit import Book, Rows, header_row, heading, setup_sheet, units_needed
from .hybrid_candidates import COLUMN_WIDTHS, NEXT_COL, OPTS, cand_range, candidate_table
from .hybrid_cost import cost_chart, cost_table
from .hybrid_day import day_rows, profile_rows, split_chart

__all__ = ["SHEET", "build"]

SHEET = "Hybrid"
_VAL = ("C", "D")


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
    both = "AND(ISNUMBER(hybrid_cloud_monthly_cost),ISNUMBER(hybrid_onprem_monthly_cost))"
    # an option valid inputs cannot serve leaves the other one (the engine's hybrid(); docs/model.md#infeasible-options)
    other = ""
    for o, p in (("cloud", "onprem"), ("onprem", "cloud")):
        other += f'IF(AND(LEN({o}_not_feasible)>0,ISNUMBER(hybrid_{p}_monthly_cost)),"{p}",'
    for o in ("cloud", "onprem"):
        other += f'IF(LEN({o}_not_feasible)>0,"not feasible: {o}: "&{o}_not_feasible,'
    a.add(
        "option",
        "cheaper hybrid",
        "option",
        f'=IF({both},IF(hybrid_cloud_monthly_cost<=hybrid_onprem_monthly_cost,"cloud","onprem"),'
        f'IF(input_problems>0,"check Inputs",{other}"n/a"))))))',
        kind="answer",
        names="hybrid_option",
        note="costs less (ties: cloud); the other if one is not feasible",
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

    used_row = profile_rows(a)

    # --- one column per option -------------------------------------------------------------------------
    top = a.row + 1
    header_row(ws, top, ["quantity", "unit", *OPTS, "note"])
    m = Rows(book, ws, top + 1, value_cols=_VAL, note_col="E")
    m.add("option", "option", "id", list(OPTS), kind="const")
    nf = "INDEX(option_not_feasible,MATCH([option],list_options,0))"
    reason = f'IF(input_problems>0,"check Inputs",IF(LEN({nf})>0,"not feasible: "&[option]&": "&{nf},"n/a"))'
    m.add("R", "requests per month", "requests/month", "=requests_per_month_used", kind="link", fmt="volume")
    m.add(
        "rep_cap",
        "capacity of one replica",
        "requests/month",
        [f"={o}_replica_capacity" for o in OPTS],
        kind="link",
        fmt="volume",
    )
    m.add(
        "unit_cap",
        "capacity of one unit",
        "requests/month",
        [f"={o}_capacity" for o in OPTS],
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
    m.add("fixed", "fixed cost", "money/month", [f"={o}_fixed" for o in OPTS], kind="link", fmt="money")
    m.add("step", "cost per unit", "money/month/unit", [f"={o}_step" for o in OPTS], kind="link", fmt="money")
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
        [f"={o}_monthly_cost" for o in OPTS],
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
    m.add(
        "best_row",
        "cheapest candidate",
        "row",
        [
            f'=IF([split],MATCH(MIN({cand_range(o, "monthly cost")}),{cand_range(o, "monthly cost")},0),"n/a")'
            for o in OPTS
        ],
        fmt="int",
        note="in the candidate table (right)",
    )
    for key, field, label, unit, fmt in (
        ("best_cost", "monthly cost", "split: monthly cost", "money/month", "money"),
        ("best_n", "replicas N", "split: replicas", "count", "int"),
        ("best_served", "served", "split: served self-hosted", "requests/month", "volume"),
    ):
        m.add(key, label, unit, [f'=IF([split],INDEX({cand_range(o, field)},[best_row]),"n/a")' for o in OPTS], fmt=fmt)
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
        names=[f"hybrid_{o}_choice" for o in OPTS],
        note="ties: all API, split, self-hosted",
    )
    m.add(
        "cost",
        "hybrid monthly cost",
        "money/month",
        f'=IF([ok],IF([choice]="all API",[api_only],IF([choice]="split",[best_cost],[pure])),{reason})',
        kind="answer",
        fmt="money",
        names=[f"hybrid_{o}_monthly_cost" for o in OPTS],
    )
    m.add(
        "replicas",
        "hybrid replicas",
        "count",
        f'=IF([ok],IF([choice]="all API",0,IF([choice]="split",[best_n],[pure_rep])),{reason})',
        kind="answer",
        fmt="int",
        names=[f"hybrid_{o}_replicas" for o in OPTS],
    )
    m.add(
        "share",
        "hybrid share served self-hosted",
        "share",
        f'=IF([ok],IF([choice]="all API",0,IF([choice]="split",[best_share],1)),{reason})',
        kind="answer",
        fmt="share",
        names=[f"hybrid_{o}_self_hosted_share" for o in OPTS],
    )
    m.add(
        "saving",
        "saving against the cheaper pure option",
        "money/month",
        '=IF([ok],MIN([api_only],[pure])-[cost],"n/a")',
        fmt="money",
    )
    ref = {k: {o: f"${c}${m.at[k]}" for o, c in zip(OPTS, _VAL)} for k in m.at}
    # the coefficients the Projection sheet's monthly hybrid reads (hy_cloud_step, ...)
    book.names_many(
        [
            (f"hy_{o}_{k}", SHEET, f"{c}{m.at[k]}")
            for o, c in zip(OPTS, _VAL)
            for k in ("ok", "split", "per_unit", "rep_cap", "fixed", "step", "api_fixed", "api_var")
        ]
    )

    # --- the hours of the day, the candidates, the cost against N --------------------------------------
    a.row = m.row
    h1, h24 = day_rows(book, a, ref, used_row)
    hourly = f"$D${h1}:$D${h24}"
    chart_top = h24 + 2
    chart_mid = chart_top + 20
    chart_end = chart_mid + 20
    candidate_table(ws, ref, h1, hourly)
    table = cost_table(book, ws, ref, hourly, first_col=NEXT_COL)
    cost_chart(ws, table, chart_top, chart_mid, book.currency)
    split_chart(ws, chart_mid, chart_end, h1, h24)
    widths = {"A": 36, "B": 17, "C": 24, "D": 16, "E": 18, "F": 18, "G": 14, "H": 12, "I": 3, **COLUMN_WIDTHS}
    setup_sheet(ws, widths=widths, freeze="A3", print_area=f"A1:F{chart_end}", landscape=False)
    ws.row_breaks.append(Break(id=chart_top - 1))  # the charts on a page of their own
