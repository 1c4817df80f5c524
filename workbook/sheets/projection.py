"""The Projection sheet: each option's cost month by month as volume grows, cumulative cost, the payback
month of self-hosting against the API and each option's net present value, in native formulas.

The formulas are those of :mod:`costengine.projection` (see docs/decision-analysis.md), on the per-option
coefficients of the Comparison sheet (``api_fixed``, ``cloud_variable``, ``onprem_step``, ``cloud_capacity``,
``min_replicas_used``, ...), which are not recomputed here. Month t = 1 .. ``horizon_months``:

- volume ``R_t = requests_per_month * (1 + growth_rate_monthly) ^ (t - 1)``;
- api ``fixed + variable R_t``; cloud ``fixed + variable R_t + step replicas_t`` with rented replicas
  following demand, ``replicas_t = max(min_replicas, ceil(R_t peak_to_average / capacity))``;
- on-premises servers installed ``N_t = max(N_{t-1}, servers needed at R_t)`` (``N_0 = 0``, so month 1
  buys the first servers); amortised view ``fixed + variable R_t + step N_t``; cash view
  ``capex (N_t - N_{t-1}) + fixed + variable R_t + (energy + maintenance) N_t``;
- payback month: the first month whose cumulative cost is at most the API's ("none" within the horizon);
- NPV ``sum_t C_t / (1 + i)^t`` with ``i = (1 + discount_rate_annual)^(1/12) - 1`` (end of month t).

The hybrid options (self-hosted base load, API overflow; docs/hybrid.md) follow, right of the hidden chart
columns, with their candidates hidden further right (:mod:`workbook.sheets.projection_hybrid`): the cloud
hybrid's replicas are chosen again every month, the on-premises hybrid keeps the servers it bought.

The monthly table (its columns and per-row formulas, the hidden chart columns) is
:mod:`workbook.sheets.projection_table`; this module writes the settings, the answers over the horizon and the
cost coefficients above it, and the chart of cumulative costs.
"""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.utils import get_column_letter

from ..kit import (
    LOCALE_POINT,
    Book,
    cell_span_anchor,
    header_row,
    heading,
    option_line,
    put,
    put_text,
    put_unit,
    scatter_lines,
    setup_sheet,
)
from .projection_hybrid import CHART_COLS as _HYBRID_CHART_COLS
from .projection_hybrid import HELPER_FIRST, HYBRID_COLUMNS, helper_headers, kink_share, sorted_shares
from .projection_table import (
    CHART_COLS,
    COLUMNS,
    FIRST_ROW,
    HEADER_ROW,
    LAST_ROW,
    MAX_MONTHS,
    chart_headers,
    table,
)

__all__ = ["SHEET", "MAX_MONTHS", "HEADER_ROW", "FIRST_ROW", "LAST_ROW", "COLUMNS", "build", "print_months"]

SHEET = "Projection"
#: Up to this horizon the print area (to the last month of the horizon the file was written for) prints on one
#: page, scaled to fit; a longer horizon prints one page wide and as many pages tall as it needs, with the table's
#: header on each. The print area stops at the horizon: the rows past it are blank (a longer print area printed
#: pages of empty rows, or a near-empty page); `llmcost refresh` sets it anew for a changed horizon.
ONE_PAGE_MONTHS = 48
_VIEWS = (
    ("api", "api", "cumulative_api", None, "API"),
    ("cloud", "cloud", "cumulative_cloud", "paid_back_cloud", "cloud"),
    ("onprem", "onprem_cash", "cumulative_onprem_cash", "paid_back_onprem_cash", "on-prem (cash)"),
    ("onprem_amortised", "onprem", "cumulative_onprem", "paid_back_onprem", "on-prem (amortised)"),
    ("hybrid_cloud", "hybrid_cloud", "cumulative_hybrid_cloud", "paid_back_hybrid_cloud", "hybrid cloud"),
    (
        "hybrid_onprem",
        "hybrid_onprem_cash",
        "cumulative_hybrid_onprem_cash",
        "paid_back_hybrid_onprem_cash",
        "hybrid on-prem (cash)",
    ),
    (
        "hybrid_onprem_amortised",
        "hybrid_onprem",
        "cumulative_hybrid_onprem",
        "paid_back_hybrid_onprem",
        "hybrid on-prem (amortised)",
    ),
)
_WIDTHS = {
    "A": 8,
    "B": 28,
    "C": 15,
    "D": 15,
    "E": 15,
    "F": 15,
    "G": 13,
    "H": 13,
    "I": 14,
    "J": 16,
    "K": 16,
    "L": 16,
    "M": 16,
    "N": 10,
    "O": 10,
    "P": 10,
    "Q": 10,
    **{c: 15 for c in HYBRID_COLUMNS.values()},
}


def print_months(horizon_months: int) -> int:
    """The months in the print area: the horizon [months], within the table's 1 .. MAX_MONTHS rows."""
    return min(max(int(horizon_months), 1), MAX_MONTHS)


def _rng(key: str) -> str:
    col = COLUMNS[key]
    return f"${col}${FIRST_ROW}:${col}${LAST_ROW}"


def _label(ws, r: int, text: str, kind: str = "label") -> None:
    """A row label in A:B (merged: the table's narrow month column sits below)."""
    put(ws, f"A{r}", text, kind)
    ws.merge_cells(f"A{r}:B{r}")


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    # TEXT reads its format code in the locale: "0.0%" is "00%" in de-DE (the point groups thousands there), so
    # the code's decimal separator is the locale's (LOCALE_POINT)
    heading(
        ws,
        "Projection: each option's cost month by month as volume grows",
        '="From "&TEXT(requests_per_month_used,"#,##0")&" requests in month 1, growing "&'
        f'TEXT(growth_rate_monthly_used,"0"&{LOCALE_POINT}&"0%")&" a month, over "&horizon_months_used&" months; '
        'money in "&'
        'currency_used&". Servers are bought when capacity runs out and kept; cloud replicas follow demand."',
    )
    _settings(book, ws)
    _answers(book, ws)
    _coefficients(book, ws)
    table(ws)
    sorted_shares(ws, put, book, SHEET)
    chart_headers(ws)
    _chart(ws, book.currency)
    months = print_months(book.horizon_months)
    # the print area keeps one page wide: the hybrids' answers are in it, their monthly columns (W onwards) not
    setup_sheet(
        ws,
        widths=_WIDTHS,
        freeze=None,
        print_area=f"A1:Q{FIRST_ROW + months - 1}",
        landscape=True,
        title_rows=f"{HEADER_ROW}:{HEADER_ROW}",
        fit_height=months <= ONE_PAGE_MONTHS,
    )
    for col in ("R", *CHART_COLS, *_HYBRID_CHART_COLS, *helper_headers()):
        ws.column_dimensions[col].hidden = True


def _settings(book: Book, ws) -> None:
    put_text(ws, "A11", "Settings (Inputs sheet)", "section")
    rows = (
        ("month-1 volume", "=requests_per_month_used", "volume", "requests/month", None, "link"),
        ("growth per month", "=growth_rate_monthly_used", "share", "fraction/month", None, "link"),
        ("horizon", "=horizon_months_used", "int", "months", None, "link"),
        ("discount rate", "=discount_rate_annual_used", "share", "per year", None, "link"),
        (
            "monthly discount rate",
            '=IF(ISNUMBER(discount_rate_annual_used),(1+discount_rate_annual_used)^(1/c_months_per_year)-1,"n/a")',
            "0.0000%",
            "per month",
            "pj_monthly_rate",
            "calc",
        ),
        (
            "volume in the last month",
            '=IF(input_problems>0,"check Inputs",IF(pj_overflow,"overflows",'
            "requests_per_month_used*(1+growth_rate_monthly_used)^(horizon_months_used-1)))",
            "volume",
            "requests/month",
            None,
            "calc",
        ),
        (
            "volume overflows",
            "=IF(input_problems>0,FALSE,LN(MAX(requests_per_month_used,1))+(horizon_months_used-1)*"
            "LN(1+growth_rate_monthly_used)>=c_ln_max_number)",
            None,
            "yes/no",
            "pj_overflow",
            "calc",
        ),
        (
            "projection computable",
            "=AND(input_problems=0,NOT(pj_overflow),ISNUMBER(api_variable),"
            "ISNUMBER(cloud_variable),ISNUMBER(cloud_step),ISNUMBER(cloud_replica_capacity),ISNUMBER(onprem_step),"
            "ISNUMBER(onprem_capacity),ISNUMBER(onprem_capex_per_server_used),ISNUMBER(onprem_running_per_server))",
            None,
            "yes/no",
            "pj_ok",
            "calc",
        ),
        (
            "status",
            '=IF(pj_ok,"ok",IF(input_problems>0,"check Inputs",IF(pj_overflow,"volume overflows",'
            'IF(LEN(cloud_not_feasible)>0,"not feasible: cloud",IF(LEN(onprem_not_feasible)>0,'
            '"not feasible: onprem","n/a")))))',
            None,
            "",
            "pj_status",
            "calc",
        ),
    )
    for i, (label, formula, fmt, unit, name, kind) in enumerate(rows):
        r = 12 + i
        _label(ws, r, label)
        put(ws, f"C{r}", formula, f"{kind}_r", fmt)
        if unit:
            put_unit(ws, f"D{r}", unit)
        if name:
            book.name(name, SHEET, f"C{r}")
    put(
        ws,
        "A3",
        '=IF(pj_ok,"",IF(input_problems>0,"Check Inputs: an input is invalid (Inputs sheet, column G).",'
        'IF(pj_overflow,"growth_rate_monthly makes the volume overflow within horizon_months: lower it or shorten '
        'the horizon.",IF(LEN(cloud_not_feasible)+LEN(onprem_not_feasible)>0,"An option cannot be served (not '
        "feasible): the Inputs sheet's status says why; the projection needs all three.\","
        '"A cost coefficient is not available: see the Comparison sheet."))))',
        "check",
    )


def _answers(book: Book, ws) -> None:
    header_row(ws, 5, ["over the horizon", "", *(v[4] for v in _VIEWS), "note"], height=45)
    gate = {
        i: "pj_ok" if i < 4 else f"AND(pj_ok,hy_{'cloud' if i == 4 else 'onprem'}_ok=TRUE)" for i in range(len(_VIEWS))
    }
    ws.merge_cells("A5:B5")
    fail = "pj_status"
    fail = {i: fail if i < 4 else f'IF(pj_ok,"n/a",{fail})' for i in gate}
    total = [f"=IF({gate[i]},INDEX({_rng(v[2])},horizon_months_used),{fail[i]})" for i, v in enumerate(_VIEWS)]
    npv = [f"=IF({gate[i]},SUMPRODUCT({_rng(v[1])},{_rng('discount_factor')}),{fail[i]})" for i, v in enumerate(_VIEWS)]
    # a hybrid that self-hosts nothing in any month is the API: no payback month of its own
    fleet = {i: "hybrid_cloud_replicas" if i == 4 else "hybrid_onprem_servers" for i in range(4, len(_VIEWS))}
    payback = [
        None
        if v[3] is None
        else f'=IF({gate[i]},IF(COUNT({_rng(v[3])})=0,"none",MIN({_rng(v[3])})),{fail[i]})'
        if i not in fleet
        else f'=IF({gate[i]},IF(MAX({_rng(fleet[i])})=0,"same as API",IF(COUNT({_rng(v[3])})=0,"none",'
        f"MIN({_rng(v[3])}))),{fail[i]})"
        for i, v in enumerate(_VIEWS)
    ]
    last = [
        None,
        f"=IF(pj_ok,INDEX({_rng('cloud_replicas')},horizon_months_used),{fail[1]})",
        *[f"=IF(pj_ok,INDEX({_rng('onprem_servers')},horizon_months_used),{fail[2]})"] * 2,
        f"=IF({gate[4]},INDEX({_rng('hybrid_cloud_replicas')},horizon_months_used),{fail[4]})",
        *[f"=IF({gate[5]},INDEX({_rng('hybrid_onprem_servers')},horizon_months_used),{fail[5]})"] * 2,
    ]
    rows = (
        (
            '="total cost ["&currency_used&"]"',
            total,
            "money0",
            "total_cost",
            "the months' costs added up (the cumulative cost of the last month)",
        ),
        (
            '="net present value ["&currency_used&"]"',
            npv,
            "money0",
            "npv",
            "month t discounted by (1 + monthly rate)^t: paid at the end of the month",
        ),
        (
            "payback month vs the API",
            payback,
            "int",
            "payback_month",
            "first month whose cumulative cost is at most the API's; none = not within the horizon",
        ),
        ("replicas, last month", last, "int", None, "cloud: rented for the month; on-premises: installed (never sold)"),
    )
    for i, (label, formulas, fmt, prefix, note) in enumerate(rows):
        r = 6 + i
        _label(ws, r, label)
        for j, formula in enumerate(formulas):
            if formula is None:
                continue
            ref = f"{get_column_letter(3 + j)}{r}"
            put(ws, ref, formula, "answer_r" if prefix else "calc_r", fmt)
            if prefix:
                book.name(f"{prefix}_{_VIEWS[j][0]}", SHEET, ref)
        put_text(ws, f"{get_column_letter(3 + len(_VIEWS))}{r}", note, "note")


def _coefficients(book: Book, ws) -> None:
    r0 = 22
    put_text(ws, f"A{r0}", "Cost coefficients (Comparison sheet)", "section")
    header_row(ws, r0 + 1, ["per option", "", "api", "cloud", "on-premises", "unit"])
    ws.merge_cells(f"A{r0 + 1}:B{r0 + 1}")
    rows = (
        ("fixed cost", ["=api_fixed", "=cloud_fixed", "=onprem_fixed"], "money", "money/month"),
        ("variable cost", ["=api_variable", "=cloud_variable", "=onprem_variable"], "money_small", "money/request"),
        (
            "cost per unit (instances or servers)",
            ["=api_step", "=cloud_step", "=onprem_step"],
            "money",
            "money/month/unit",
        ),
        ("capacity of one unit", [None, "=cloud_capacity", "=onprem_capacity"], "volume", "requests/month"),
        ("minimum units", [None, "=cloud_min_units", "=onprem_min_units"], "int", "count"),
        ("capex per server (cash)", [None, None, "=onprem_capex_per_server_used"], "money0", "money"),
        ("energy per server", [None, None, "=onprem_energy_per_server"], "money", "money/month/server"),
        (
            "colocation and support per server",
            [None, None, '=IF(ISNUMBER(onprem_running_cost),onprem_running_cost-onprem_energy_per_server,"n/a")'],
            "money",
            "money/month/server",
        ),
    )
    r = r0 + 2
    for label, formulas, fmt, unit in rows:
        _label(ws, r, label)
        for col, formula in zip("CDE", formulas):
            if formula is not None:
                put(ws, f"{col}{r}", formula, "link_r", fmt)
        put_unit(ws, f"F{r}", unit)
        r += 1
    _label(ws, r, "running per server (cash)")
    put(ws, f"E{r}", f'=IF(ISNUMBER(E{r - 2}),E{r - 2}+E{r - 1},"n/a")', "calc_r", "money")
    put_unit(ws, f"F{r}", "money/month/server")
    book.name("onprem_running_per_server", SHEET, f"E{r}")
    _label(ws, r + 1, "hybrid: share of the last hour worth a replica")  # Hybrid sheet coefficients
    for col, o in (("D", "cloud"), ("E", "onprem")):
        put(ws, f"{col}{r + 1}", kink_share(o), "calc_r", "0.00%")
        book.name(f"pj_hy_{o}_kink_share", SHEET, f"{col}{r + 1}")
    put_unit(ws, f"F{r + 1}", "share of a day's requests")


def _chart(ws, currency: str) -> None:
    chart = scatter_lines()
    chart.title = "Cumulative cost"
    chart.style = 2
    chart.x_axis.title = "month"
    chart.y_axis.title = f"cumulative cost [{currency}]"
    chart.x_axis.number_format = "0"
    chart.y_axis.number_format = "#,##0"
    chart.x_axis.scaling.min = 0
    chart.x_axis.majorTickMark = chart.y_axis.majorTickMark = "out"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.visible_cells_only = False  # the data columns are hidden
    col = {c: i + 1 for i, c in enumerate(map(get_column_letter, range(1, HELPER_FIRST)))}
    xs = Reference(ws, min_col=col[CHART_COLS[0]], min_row=FIRST_ROW, max_row=LAST_ROW)
    for key, src, title in (
        ("api", CHART_COLS[1], "API"),
        ("cloud", CHART_COLS[2], "cloud"),
        ("onprem", CHART_COLS[3], "on-premises (cash)"),
        ("hybrid_cloud", _HYBRID_CHART_COLS[0], "hybrid cloud"),
        ("hybrid_onprem", _HYBRID_CHART_COLS[1], "hybrid on-premises (cash)"),
    ):
        ys = Reference(ws, min_col=col[src], min_row=FIRST_ROW, max_row=LAST_ROW)
        chart.series.append(option_line(ys, xs, key, title))
    chart.layout = Layout(ManualLayout(x=0.02, y=0.02, w=0.96, h=0.96))
    ws.add_chart(chart, cell_span_anchor("H11", f"Q{HEADER_ROW - 3}"))
