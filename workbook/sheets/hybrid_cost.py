"""The Hybrid sheet's table of the monthly cost against N self-hosted replicas (N = 0 .. span, every N or sampled),
right of the candidate tables, and its chart in the summary.
"""

from __future__ import annotations

from openpyxl.chart import Reference
from openpyxl.chart.layout import Layout, ManualLayout
from openpyxl.utils import get_column_letter

from ..kit import Book, cell_span_anchor, header_row, option_line, put, put_text, scatter_lines
from .hybrid_candidates import OPTS, served_sum

__all__ = ["POINTS", "MIN_SPAN", "cost_table", "cost_chart"]

#: Rows of the table of the cost against N (N = 0 .. span, sampled when the span is longer).
POINTS = 201
#: The table of the cost against N spans at least this many replicas.
MIN_SPAN = 10
_COST_COLS = ("point", "replicas N", "cloud: served", "cloud", "onprem: served", "onprem", "all API")


def cost_table(book: Book, ws, ref: dict, hourly: str, first_col: int) -> tuple[int, int, int]:
    """Monthly cost against N = 0 .. span (every N, or sampled when the span exceeds the rows)."""
    col = {f: get_column_letter(first_col + j) for j, f in enumerate(_COST_COLS)}
    put_text(ws, f"{col['point']}4", "Monthly cost against self-hosted replicas N", "section")
    put_text(ws, f"{col['point']}5", "span", "label")
    span = f"{col['replicas N']}5"
    reps = ",".join(f"{ref[k][o]}" for k in ("best_n", "pure_rep", "replicas") for o in OPTS)
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
        for o in OPTS:
            g = {k: v[o] for k, v in ref.items()}
            cap = f"{n}*{g['rep_cap']}/c_hours_per_day"
            served = c[f"{o}: served"]
            put(ws, served, f'=IF({g["split"]},{served_sum(hourly, cap)},"n/a")', "calc", "volume")
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
    book.names_many([("hy_n_span", ws.title, span)])
    for f in _COST_COLS:
        ws.column_dimensions[col[f]].width = 14
    return first_col, first, first + POINTS - 1


def cost_chart(ws, table: tuple[int, int, int], top: int, mid: int, currency: str) -> None:
    """The monthly cost [``currency``/month] of each option and of all-API against N, from the table (rows ``top``
    to ``mid`` - 2)."""
    first_col, first, last = table
    cost = scatter_lines()
    cost.title = "Monthly cost against N self-hosted replicas"
    cost.style = 2
    cost.x_axis.title = "self-hosted replicas N"
    cost.y_axis.title = f"monthly cost [{currency}/month]"
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
