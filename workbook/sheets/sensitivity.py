"""The Sensitivity sheet: which inputs move the answer, with a tornado chart.

Each input in turn is set to a low and a high value (the base -/+ 25%) with every other input at the base
(:func:`costengine.sensitivity.sensitivity`). The table gives the change in each option's monthly cost (and
the hybrids', their replicas chosen again at each swung value),
the cheapest option at each end, whether it flips, and the break-even volumes. The tornado chart shows,
for the inputs with the largest effect, how much each moves the *lead* of the cheapest option over the
next best (:mod:`workbook.sheets.sensitivity_data`): a bar below ``-lead`` means another option becomes cheaper.

The numbers are values computed when the workbook was written and kept in hidden columns of the Inputs
sheet; this sheet shows them through formulas, says so at the top, and counts the inputs changed since
(``sensitivity_inputs_changed``): ``llmcost refresh WORKBOOK`` recomputes them.
"""

from __future__ import annotations

from openpyxl.chart import BarChart, Reference, Series
from openpyxl.chart.series import SeriesLabel
from openpyxl.chart.shapes import GraphicalProperties
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.pagebreak import Break

from costengine import SCENARIO_KEYS
from costengine.engine import PAIRS

from ..kit import Book, cell_span_anchor, header_row, heading, put, put_text, put_unit, setup_sheet
from .inputs import FIRST_ROW as INPUT_ROW
from .inputs import SHEET as INPUTS
from .sensitivity_data import DATA_COLS, MAX_ROWS, SNAPSHOT_COL, data_ref, meta_ref

__all__ = ["SHEET", "TOP", "TABLE_ROW", "BREAKEVEN_ROW", "build"]

SHEET = "Sensitivity"
#: Inputs drawn in the tornado chart (the largest effects).
TOP = 12
TABLE_ROW = 44  # header of the cost table; its rows follow
BREAKEVEN_ROW = TABLE_ROW + MAX_ROWS + 4  # header of the break-even table; the base row, then its rows
_CHART_LABELS = "W"  # hidden column: the chart's category labels, "key (low to high)"
#: Columns of the cost table: (data column, header, number format).
_COST_TABLE = (
    ("rank", "#", "int"),
    ("input", "input [unit]", None),
    ("base", "base", "#,##0.####"),
    ("low", "low", "#,##0.####"),
    ("high", "high", "#,##0.####"),
    ("lead_low", "lead change, input low", "money"),
    ("lead_high", "lead change, input high", "money"),
    ("api_low", "api, input low", "money"),
    ("api_high", "api, input high", "money"),
    ("cloud_low", "cloud, input low", "money"),
    ("cloud_high", "cloud, input high", "money"),
    ("onprem_low", "on-prem, input low", "money"),
    ("onprem_high", "on-prem, input high", "money"),
    ("cheapest_low", "cheapest, input low", None),
    ("cheapest_high", "cheapest, input high", None),
    ("flips", "flips the answer?", None),
    ("hybrid_cloud_low", "hybrid cloud, input low", "money"),
    ("hybrid_cloud_high", "hybrid cloud, input high", "money"),
    ("hybrid_onprem_low", "hybrid on-prem, input low", "money"),
    ("hybrid_onprem_high", "hybrid on-prem, input high", "money"),
    ("note", "note", None),
)
_STALE_NOTE = (
    "The numbers on this sheet are values, not formulas: Python (costengine.sensitivity) computed them when this "
    "workbook was written,",
    "for the inputs as they were then. They do not follow later changes to the Inputs sheet (the status below says "
    "when they are stale).",
    "To recompute them for the inputs now in the workbook, run:   llmcost refresh WORKBOOK.xlsx   (it keeps your "
    "inputs and writes the whole workbook again).",
)
_WIDTHS = {
    "A": 5,
    "B": 42,
    "C": 12,
    "D": 12,
    "E": 12,
    "F": 13,
    "G": 13,
    "H": 12,
    "I": 12,
    "J": 12,
    "K": 12,
    "L": 12,
    "M": 12,
    "N": 11,
    "O": 11,
    "P": 9,
    "Q": 12,
    "R": 12,
    "S": 12,
    "T": 12,
    "U": 36,
}


def _src(ref: str) -> str:
    return f"{INPUTS}!{ref}"


def _link(ref: str) -> str:
    """The value of a cell of the hidden block, "" when it is blank (a plain link would show 0)."""
    return f'=IF(LEN({_src(ref)})=0,"",{_src(ref)})'


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Sensitivity: which inputs could change the answer",
        f'="Each input in turn at its low and its high value (the base -/+ "&TEXT({_src(meta_ref("swing"))},'
        '"0%")&"), every other input at the base; each option\'s monthly cost at the scenario\'s volume."',
    )
    for r, text in enumerate(_STALE_NOTE, start=3):
        put_text(ws, f"A{r}", text, "bold")
    _base_block(book, ws)
    _cost_table(ws)
    _breakeven_table(ws)
    _chart(ws, book.currency)
    setup_sheet(ws, widths=_WIDTHS, freeze=None, print_area=f"A1:U{BREAKEVEN_ROW + 1 + MAX_ROWS}", landscape=True)
    ws.row_breaks.append(Break(id=BREAKEVEN_ROW - 2))  # the break-even table's heading on the page of its table
    ws.column_dimensions[_CHART_LABELS].hidden = True


def _base_block(book: Book, ws) -> None:
    keys = len(SCENARIO_KEYS)
    b = f"${{c}}${INPUT_ROW}:${{c}}${INPUT_ROW + keys - 1}"
    changed = f"SUMPRODUCT(--({_src(b.format(c='B'))}<>{_src(b.format(c=SNAPSHOT_COL))}))"
    put(
        ws,
        "A6",
        '=IF(NOT(ISNUMBER(sensitivity_inputs_changed)),"Status: cannot tell whether the Inputs changed.",'
        'IF(sensitivity_inputs_changed=0,"Status: up to date, the Inputs are as they were when these numbers were '
        'computed.","STALE: "&sensitivity_inputs_changed&" input(s) changed since these numbers were computed: run '
        'llmcost refresh on this file."))',
        "answer",
    )
    ws.merge_cells("A6:H6")
    status = _src(meta_ref("status"))
    put(ws, "A7", f'=IF(LEN({status})=0,"",{status})', "check")
    put_text(ws, "A8", "At the base (the inputs when these numbers were computed)", "section")
    rows = (
        ("cheapest option", _link(meta_ref("cheapest")), None, ""),
        ("its monthly cost", _link(meta_ref("cheapest_cost")), "money", "money/month"),
        ("next best option", _link(meta_ref("runner_up")), None, ""),
        ("its monthly cost", _link(meta_ref("runner_up_cost")), "money", "money/month"),
        ("lead of the cheapest option", _link(meta_ref("lead")), "money", "money/month"),
        ("inputs that flip the cheapest option", _link(meta_ref("flippers")), None, ""),
        ("inputs changed since", f'=IF(ISNUMBER({changed}),{changed},"n/a")', "int", "count"),
    )
    for i, (label, formula, fmt, unit) in enumerate(rows):
        r = 9 + i
        put_text(ws, f"B{r}", label, "label")
        kind = "answer_r" if label.startswith("lead") else "link_r" if i < 5 else "link"
        put(ws, f"C{r}", formula, "calc_r" if i == 6 else kind, fmt)
        if unit:
            put_unit(ws, f"D{r}", unit)
    book.name("sensitivity_inputs_changed", SHEET, f"C{9 + len(rows) - 1}")
    notes = (
        "How to read the chart",
        "Lead = the next best option's cost - the cheapest option's cost, per month. Each bar: the change",
        "in the lead with one input at its low (blue) or high (orange) value; below -lead another option",
        "is cheaper (the answer flips). Largest effects first; the tables below give each option's cost.",
    )
    for i, text in enumerate(notes):
        put_text(ws, f"H{9 + i}", text, "bold" if i == 0 else "note")


def _cost_table(ws) -> None:
    put(
        ws,
        f"A{TABLE_ROW - 1}",
        '="Change in monthly cost ["&currency_used&"/month] with one input at its low or '
        'high value, largest effect on the lead first"',
        "section",
    )
    header_row(ws, TABLE_ROW, [h for _, h, _ in _COST_TABLE], height=45)
    for i in range(MAX_ROWS):
        r = TABLE_ROW + 1 + i
        for j, (col, _, fmt) in enumerate(_COST_TABLE):
            kind = "link_r" if fmt and fmt != "General" or col in ("cheapest_low", "cheapest_high", "flips") else "link"
            put(ws, f"{get_column_letter(1 + j)}{r}", _link(data_ref(col, i)), kind, fmt)
        put(ws, f"{_CHART_LABELS}{r}", _link(data_ref("chart_label", i)), "link")


def _breakeven_table(ws) -> None:
    r0 = BREAKEVEN_ROW
    put_text(
        ws,
        f"A{r0 - 1}",
        "Break-even volumes [requests/month] with one input at its low or high value "
        "(none: the two costs do not cross)",
        "section",
    )
    header_row(
        ws,
        r0,
        ["#", "input [unit]", *(f"{a} / {b}, input {side}" for a, b in PAIRS for side in ("low", "high"))],
        height=45,
    )
    put_text(ws, f"B{r0 + 1}", "at the base", "bold")
    for k, (a, b) in enumerate(PAIRS):
        lo, hi = get_column_letter(3 + 2 * k), get_column_letter(4 + 2 * k)
        put(ws, f"{lo}{r0 + 1}", _link(meta_ref(f"be_{a}_{b}")), "link", "volume")
        ws.merge_cells(f"{lo}{r0 + 1}:{hi}{r0 + 1}")
        ws[f"{lo}{r0 + 1}"].alignment = Alignment(horizontal="center")
    cols = ("rank", "input", *(f"be_{a}_{b}_{side}" for a, b in PAIRS for side in ("low", "high")))
    for i in range(MAX_ROWS):
        r = r0 + 2 + i
        for j, col in enumerate(cols):
            fmt = "int" if col == "rank" else None if col == "input" else "volume"
            put(
                ws,
                f"{get_column_letter(1 + j)}{r}",
                _link(data_ref(col, i)),
                "link" if col == "input" else "link_r",
                fmt,
            )
    assert set(cols) <= set(DATA_COLS)


def _chart(ws, currency: str) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.overlap = 100
    chart.gapWidth = 40
    chart.style = 2
    chart.title = "What moves the cheapest option's lead over the next best"
    chart.y_axis.title = f"change in the lead [{currency}/month] (below -lead: another option is cheaper)"
    chart.y_axis.number_format = "#,##0"
    chart.y_axis.crosses = "max"  # with the categories top-down, keep the value axis at the bottom
    chart.x_axis.scaling.orientation = "maxMin"  # the largest effect at the top
    chart.x_axis.tickLblPos = "low"  # labels at the left, clear of the bars
    chart.x_axis.delete = chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.visible_cells_only = False  # the labels are in a hidden column
    first, last = TABLE_ROW + 1, TABLE_ROW + TOP
    lead_col = 1 + [c for c, _, _ in _COST_TABLE].index("lead_low")
    for k, (title, colour) in enumerate((("input at its low value", "5B9BD5"), ("input at its high value", "ED7D31"))):
        s = Series(Reference(ws, min_col=lead_col + k, min_row=first, max_row=last))
        s.tx = SeriesLabel(v=title)
        s.graphicalProperties = GraphicalProperties(solidFill=colour)
        chart.series.append(s)
    col = ord(_CHART_LABELS) - 64
    chart.set_categories(Reference(ws, min_col=col, min_row=first, max_row=last))
    ws.add_chart(chart, cell_span_anchor("A17", f"Q{TABLE_ROW - 3}"))
