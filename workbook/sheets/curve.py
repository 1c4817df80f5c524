"""The Curve sheet: each option's monthly cost at log-spaced volumes, and a chart of it (log-log axes).

The volumes are ``exp(ln(from) + k (ln(to) - ln(from)) / (points - 1))`` for k = 0 .. points-1, the
log-spaced volumes of ``costengine.curve`` (numpy.logspace); from and to are inputs on this sheet.

The chart reads its own series cells (:data:`CHART_SERIES`, right of the printed table): the table's numbers, and
``#N/A`` where the table says "n/a" or a value is not above 0. Charts skip ``#N/A`` (Excel and LibreOffice alike)
but draw a text as 0, which a log axis cannot show; the table keeps the readable "n/a" and D3 the reason.
"""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.chart.layout import Layout, ManualLayout

from costengine.plan import OPTIONS

from ..kit import Book, header_row, heading, option_line, put, put_text, scatter_lines, setup_sheet, units_needed
from .serverless_cost import CLOUD_BURST, burst_formula

__all__ = ["SHEET", "POINTS", "FROM", "TO", "CHART_SERIES", "build"]

SHEET = "Curve"
POINTS = 50
FROM, TO = 1e3, 1e8
_FIRST = 8
_CHART_COL = 19  # the chart's own series cells: S (volume) and T:V (one column per option), outside the print area
#: The chart's series cells (the volumes and each option's cost, one row per point): a number or #N/A (a gap).
CHART_SERIES = f"S{_FIRST}:V{_FIRST + POINTS - 1}"


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Monthly cost against volume",
        '="Each option\'s monthly cost ["&currency_used&"/month] at log-spaced volumes; replicas '
        'step up as volume grows."',
    )
    put_text(ws, "A3", "from", "label")
    put(ws, "B3", FROM, "input", "volume")
    put_text(ws, "C3", "requests/month", "unit")
    put_text(ws, "A4", "to", "label")
    put(ws, "B4", TO, "input", "volume")
    put_text(ws, "C4", "requests/month", "unit")
    put_text(ws, "A5", "points", "label")
    put(ws, "B5", POINTS, "const", "int")
    put(ws, "D3", '=IF(AND(ISNUMBER(B3),ISNUMBER(B4),B3>0,B4>B3),"","from must be > 0 and to > from")', "check")
    book.names_many([("curve_from", SHEET, "B3"), ("curve_to", SHEET, "B4"), ("curve_points", SHEET, "B5")])
    put(ws, f"C{_FIRST - 2}", '="monthly cost ["&currency_used&"/month]"', "bold")
    header_row(ws, _FIRST - 1, ["point", "requests per month", *OPTIONS])
    last = _FIRST + POINTS - 1
    for k in range(POINTS):
        r = _FIRST + k
        put(ws, f"A{r}", k, "const", "int")
        put(
            ws,
            f"B{r}",
            f'=IF(LEN($D$3)=0,EXP(LN(curve_from)+A{r}*(LN(curve_to)-LN(curve_from))/(curve_points-1)),"n/a")',
            "calc",
            "volume",
        )
        for col in ("C", "D", "E"):
            opt = f"INDEX(cmp_{{}},MATCH({col}${_FIRST - 1},list_options,0))"
            ok = f"AND(LEN($D$3)=0,ISNUMBER({opt.format('cost')}))"  # per option: the others stay drawn
            cost = (
                f"{opt.format('fixed')}+{opt.format('variable')}*MAX($B{r}-{opt.format('free')},0)+"
                f"{opt.format('step')}*IF(ISNUMBER({opt.format('capacity')}),"
                f"{units_needed(f'$B{r}', opt.format('capacity'), opt.format('min_units'))},0)"
            )
            if OPTIONS["CDE".index(col)] == "cloud":  # per-second billing's replicas above the warm ones
                cost += f"+IF(cloud_per_second,{burst_formula(f'$B{r}', **CLOUD_BURST)},0)"
            nf = f"LEN(INDEX(option_not_feasible,MATCH({col}${_FIRST - 1},list_options,0)))>0"
            put(ws, f"{col}{r}", f'=IF({ok},{cost},IF({nf},"not feasible","n/a"))', "calc", "money0")
    _chart_series(ws, last)
    _chart(ws, last, book.currency)
    setup_sheet(
        ws,
        widths={"A": 9, "B": 19, "C": 17, "D": 17, "E": 17, "F": 3, "S": 19, "T": 17, "U": 17, "V": 17},
        freeze=f"A{_FIRST}",
        print_area=f"A1:Q{last}",
        landscape=True,
        title_rows=f"{_FIRST - 1}:{_FIRST - 1}",
    )


def _chart_series(ws, last: int) -> None:
    """The chart's own series cells: each table value when it is a number above 0, else NA() (not drawn)."""
    put_text(ws, f"S{_FIRST - 2}", "the chart's series: #N/A = not drawn (n/a or <= 0 in the table)", "unit")
    header_row(ws, _FIRST - 1, ["requests per month", *OPTIONS], first_col=_CHART_COL)
    for r in range(_FIRST, last + 1):
        for src, dst in zip("BCDE", "STUV"):
            fmt = "volume" if dst == "S" else "money0"
            put(ws, f"{dst}{r}", f"=IF(ISNUMBER({src}{r}),IF({src}{r}>0,{src}{r},NA()),NA())", "calc", fmt)


def _chart(ws, last: int, currency: str) -> None:
    chart = scatter_lines()
    chart.title = "Monthly cost by option"
    chart.style = 2
    chart.height, chart.width = 14, 22
    chart.x_axis.title = "requests per month (log scale)"
    chart.y_axis.title = f"monthly cost [{currency}/month] (log scale)"
    chart.x_axis.scaling.logBase = 10
    chart.y_axis.scaling.logBase = 10
    chart.x_axis.number_format = "#,##0"
    chart.y_axis.number_format = "#,##0"
    chart.x_axis.majorTickMark = chart.y_axis.majorTickMark = "out"
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    xs = Reference(ws, min_col=_CHART_COL, min_row=_FIRST, max_row=last)  # the chart's own cells (_chart_series)
    for j, opt in enumerate(OPTIONS):
        ys = Reference(ws, min_col=_CHART_COL + 1 + j, min_row=_FIRST - 1, max_row=last)
        chart.series.append(option_line(ys, xs, opt))
    chart.layout = Layout(ManualLayout(x=0.02, y=0.02, w=0.96, h=0.96))
    ws.add_chart(chart, "G3")
