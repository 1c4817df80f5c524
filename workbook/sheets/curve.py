"""The Curve sheet: each option's monthly cost at log-spaced volumes, and a chart of it (log-log axes).

The volumes are ``exp(ln(from) + k (ln(to) - ln(from)) / (points - 1))`` for k = 0 .. points-1, the
log-spaced volumes of ``costengine.curve`` (numpy.logspace); from and to are inputs on this sheet.
"""

from __future__ import annotations

from openpyxl.chart import Reference, ScatterChart
from openpyxl.chart.layout import Layout, ManualLayout

from costengine.plan import OPTIONS

from ..kit import Book, header_row, heading, option_line, put, put_text, setup_sheet, units_needed

__all__ = ["SHEET", "POINTS", "FROM", "TO", "build"]

SHEET = "Curve"
POINTS = 50
FROM, TO = 1e3, 1e8
_FIRST = 8
#: The columns the chart reads (beyond the print area): the table's costs, #N/A where an option is not feasible.
_CHART = {"C": "S", "D": "T", "E": "U"}


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
            nf = f"LEN(INDEX(option_not_feasible,MATCH({col}${_FIRST - 1},list_options,0)))>0"
            put(ws, f"{col}{r}", f'=IF({ok},{cost},IF({nf},"not feasible","n/a"))', "calc", "money0")
            # what the chart draws: an option that cannot be served is #N/A (not drawn), never text on a log axis
            put(ws, f"{_CHART[col]}{r}", f"=IF(AND({nf},NOT(ISNUMBER({col}{r}))),NA(),{col}{r})", "calc", "money0")
    for col, chart_col in _CHART.items():
        put(ws, f"{chart_col}{_FIRST - 1}", f"={col}{_FIRST - 1}", "calc")
    put_text(ws, f"{_CHART['C']}{_FIRST - 2}", "drawn (#N/A: the option is not feasible)", "note")
    _chart(ws, last, book.currency)
    setup_sheet(
        ws,
        widths={"A": 9, "B": 19, "C": 17, "D": 17, "E": 17, "F": 3},
        freeze=f"A{_FIRST}",
        print_area=f"A1:Q{last}",
        landscape=True,
        title_rows=f"{_FIRST - 1}:{_FIRST - 1}",
    )


def _chart(ws, last: int, currency: str) -> None:
    chart = ScatterChart()
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
    xs = Reference(ws, min_col=2, min_row=_FIRST, max_row=last)
    for j, opt in enumerate(OPTIONS):
        ys = Reference(ws, min_col=19 + j, min_row=_FIRST - 1, max_row=last)  # columns S:U (_CHART)
        chart.series.append(option_line(ys, xs, opt))
    chart.layout = Layout(ManualLayout(x=0.02, y=0.02, w=0.96, h=0.96))
    ws.add_chart(chart, "G3")
