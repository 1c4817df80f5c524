"""The Break-even sheet: the smallest volume at which two options' monthly costs cross, exactly as
``costengine.crossing.breakeven_arrays`` finds it, in formulas.

With ``g(R) = sign x (cost_a(R) - cost_b(R))`` normalised so that g > 0 at the lowest volumes, the
break-even is the first R where g <= 0 (on a segment between replica steps, or at a step where g jumps
across zero). Three ways, by case:

- neither option steps (the API against per-second cloud billing): g is a line, ``R = -F / V``;
- one option steps, or both step at the same volumes (same capacity and minimum replicas): on segment
  ``j`` (j replicas) g goes from ``F + D j + V (j-1) c`` to ``F + D j + V j c``; both ends are linear in j,
  so the first segment whose end (or start) is <= 0 is a ceiling of a ratio: a closed form;
- both step at different capacities (reserved cloud against on-premises on other GPUs or another
  seconds per request): the segment table replays the engine's walk, one step per row, starting with
  the engine's bound-based jump (:mod:`.breakeven_segments`). When the crossing is not reached within the
  table's rows the sheet says so instead of showing a number.
"""

from __future__ import annotations

from costengine.engine import PAIRS

from ..kit import Book, Rows, header_row, heading, put, put_text, setup_sheet, wrap_rows
from .breakeven_bisect import BISECT_PAIRS, bisect_table
from .breakeven_segments import segment_table

__all__ = ["SHEET", "build"]

SHEET = "Break-even"
_NOT_IN_TABLE = (
    '"not computable in formulas: the crossing is more than "&c_segment_rows&" replica steps away; '
    'use =LLM_BREAKEVEN() or llmcost compare"'
)


def _g(expr: str) -> str:
    return f'=IF([ok],{expr},"n/a")'


def _closed(expr: str) -> str:
    return f'=IF(AND([ok],[method]="closed form"),{expr},"")'


#: Why a pair has no break-even to show: an option valid inputs cannot serve ("not feasible: cloud", as the engine's
#: front ends say), else the inputs.
_NF = ("INDEX(option_not_feasible,[ia])", "INDEX(option_not_feasible,[ib])")
_NOT_OK = (
    f"IF(INDEX(option_problems,[ia])+INDEX(option_problems,[ib])=0,IF(LEN({_NF[0]})+LEN({_NF[1]})>0,"
    f'"not feasible: "&IF(LEN({_NF[0]})>0,[opt_a]&IF(LEN({_NF[1]})>0," and "&[opt_b],""),[opt_b]),"check Inputs"),'
    '"check Inputs")'
)


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Break-even volumes",
        "The smallest volume at which two options' monthly costs cross (a crossing can be on a "
        "replica step); none = they do not cross up to 1e12 requests per month.",
    )
    header_row(ws, 4, ["pair", "break-even [requests/month]", "method"], height=30)
    x = Rows(book, ws, 11, value_cols=("C", "D", "E"), note_col="F")
    header_row(ws, 10, ["quantity", "unit", *(f"{a} / {b}" for a, b in PAIRS), "note"])
    x.add("opt_a", "option a", "id", [a for a, _ in PAIRS], kind="const")
    x.add("opt_b", "option b", "id", [b for _, b in PAIRS], kind="const")
    x.add("ia", "column of a (Comparison)", "index", "=MATCH([opt_a],list_options,0)", fmt="int")
    x.add("ib", "column of b (Comparison)", "index", "=MATCH([opt_b],list_options,0)", fmt="int")
    for side, idx in (("a", "ia"), ("b", "ib")):
        x.add(
            f"F{side}", f"fixed cost of {side}", "money/month", f"=INDEX(cmp_fixed,[{idx}])", kind="link", fmt="money"
        )
        x.add(
            f"V{side}",
            f"variable cost of {side}",
            "money/request",
            f"=INDEX(cmp_variable,[{idx}])",
            kind="link",
            fmt="money_small",
        )
        x.add(
            f"S{side}",
            f"cost per replica of {side}",
            "money/month",
            f"=INDEX(cmp_step,[{idx}])",
            kind="link",
            fmt="money",
        )
        x.add(
            f"cap{side}",
            f"capacity of one unit of {side}",
            "requests/month",
            f"=INDEX(cmp_capacity,[{idx}])",
            kind="link",
            fmt="volume",
        )
        x.add(
            f"mu{side}", f"minimum units of {side}", "count", f"=INDEX(cmp_min_units,[{idx}])", kind="link", fmt="int"
        )
        x.add(
            f"f{side}",
            f"volume before the variable cost of {side}",
            "requests/month",
            f"=INDEX(cmp_free,[{idx}])",
            kind="link",
            fmt="volume",
            note="per-second billing's warm minimum",
        )
    x.add(
        "ok",
        "costs available",
        "yes/no",
        "=AND(INDEX(option_problems,[ia])+INDEX(option_problems,[ib])=0,"
        + ",".join(f"ISNUMBER([{k}])" for k in ("Fa", "Va", "Sa", "Fb", "Vb", "Sb"))
        + ")",
    )
    for side in ("a", "b"):
        x.add(f"steps_{side}", f"{side} steps up with replicas", "yes/no", _g(f"[S{side}]<>0"))
        x.add(
            f"c{side}",
            f"volume one replica of {side} serves",
            "requests/month",
            _g(f'IF([steps_{side}],[cap{side}]/peak_to_average_used,"none")'),
            fmt="volume",
            note="capacity / peak-to-average",
        )
        x.add(
            f"m{side}", f"first unit count of {side}", "count", _g(f"IF([steps_{side}],MAX([mu{side}],1),0)"), fmt="int"
        )
    x.add(
        "c0",
        "cost difference at the lowest volumes",
        "money/month",
        _g("([Fa]-[Fb])+[Sa]*[ma]-[Sb]*[mb]"),
        fmt="money",
        note="a - b with the first replica counts",
    )
    x.add(
        "v",
        "difference of variable costs at the lowest volumes",
        "money/request",
        _g("[Va]*([fa]<=0)-[Vb]*([fb]<=0)"),
        fmt="money_small",
        note="a variable cost counts past its free volume",
    )
    x.add(
        "sign",
        "sign",
        "+1/-1",
        _g("IF([c0]<>0,SIGN([c0]),SIGN([v]))"),
        fmt="int",
        note="g = sign x (a - b) starts above zero",
    )
    x.add("F", "F: fixed part of g", "money/month", _g("IF([sign]<0,-([Fa]-[Fb]),[Fa]-[Fb])"), fmt="money")
    x.add("VA", "variable cost adding to g", "money/request", _g("IF([sign]<0,[Vb],[Va])"), fmt="money_small")
    x.add("VB", "variable cost taken from g", "money/request", _g("IF([sign]<0,[Va],[Vb])"), fmt="money_small")
    x.add("FA", "free volume (adding)", "requests/month", _g("IF([sign]<0,[fb],[fa])"), fmt="volume")
    x.add("FB", "free volume (subtracting)", "requests/month", _g("IF([sign]<0,[fa],[fb])"), fmt="volume")
    x.add("V", "V: slope of g past the free volumes", "money/request", _g("[VA]-[VB]"), fmt="money_small")
    x.add("Fp", "fixed part of g past the free volumes", "money/month", _g("[F]-[VA]*[FA]+[VB]*[FB]"), fmt="money")
    x.add("kink", "a free volume bends g", "yes/no", _g("OR([FA]>0,[FB]>0)"))
    x.add(
        "V1",
        "slope of g below the free volume",
        "money/request",
        _g("[VA]*([FA]<=0)-[VB]*([FB]<=0)"),
        fmt="money_small",
    )
    for p, q in (
        ("SA", ("Sb", "Sa")),
        ("SB", ("Sa", "Sb")),
        ("stA", ("steps_b", "steps_a")),
        ("stB", ("steps_a", "steps_b")),
        ("CA", ("cb", "ca")),
        ("CB", ("ca", "cb")),
        ("MA", ("mb", "ma")),
        ("MB", ("ma", "mb")),
    ):
        fmt = "money" if p.startswith("S") and not p.startswith("st") else "volume" if p.startswith("C") else None
        label = {
            "SA": "cost per replica adding to g",
            "SB": "cost per replica taken from g",
            "stA": "the adding option steps",
            "stB": "the subtracting option steps",
            "CA": "volume per replica (adding)",
            "CB": "volume per replica (subtracting)",
            "MA": "first replicas (adding)",
            "MB": "first replicas (subtracting)",
        }[p]
        x.add(p, label, "", _g(f"IF([sign]<0,[{q[0]}],[{q[1]}])"), fmt=fmt or "General")
    x.add(
        "W",
        "average slope of g past the minimum",
        "money/request",
        _g("[V]+IF([stA],[SA]/[CA],0)-IF([stB],[SB]/[CB],0)"),
        fmt="money_small",
    )
    x.add(
        "past_min",
        "end of the minimum-replica region",
        "requests/month",
        _g("MAX(IF([stA],[MA]*[CA],0),IF([stB],[MB]*[CB],0),[FA],[FB])"),
        fmt="volume",
    )
    x.add(
        "lo0",
        "lower bound of g at R = 0",
        "money/month",
        _g("[Fp]-[SB]"),
        fmt="money",
        note="g(R) >= lo0 + W x R past the minimum region",
    )
    x.add(
        "curved",
        "a cost billed per second",
        "yes/no",
        _g('AND(cloud_per_second,OR([opt_a]="cloud",[opt_b]="cloud"))'),
        note="not piecewise linear: bracketed and bisected (the bisection table below)",
    )
    x.add(
        "method",
        "method",
        "",
        _g(
            'IF([curved],"bisection",IF([sign]=0,"equal",IF([kink],IF(OR([stA],[stB]),"segment table","bent line"),'
            'IF(AND([stA],[stB]),IF(OR([CA]<>[CB],[MA]<>[MB]),"segment table",'
            '"closed form"),IF(OR([stA],[stB]),"closed form","linear")))))'
        ),
    )

    x.section("Closed form (one option steps, or both at the same volumes)")
    x.add("D", "D: change of g per replica", "money/month", _closed("IF([stA],[SA],0)-IF([stB],[SB],0)"), fmt="money")
    x.add("c", "c: volume per replica", "requests/month", _closed("IF([stA],[CA],[CB])"), fmt="volume")
    x.add("m", "m: first replica count", "count", _closed("IF([stA],[MA],[MB])"), fmt="int")
    x.add("w", "w: change of g per segment", "money/month", _closed("[D]+[V]*[c]"), fmt="money", note="D + V x c")
    x.add("gEm", "g at the end of the first segment", "money/month", _closed("[F]+[D]*[m]+[V]*[m]*[c]"), fmt="money")
    x.add("gSm1", "g just after the first step", "money/month", _closed("[F]+[D]*([m]+1)+[V]*[m]*[c]"), fmt="money")
    x.add(
        "je",
        "first segment whose end has g <= 0",
        "replicas",
        _closed('IF([gEm]<=0,[m],IF([w]<0,MAX([m]+1,ROUNDUP([F]/(-[w]),0)),"none"))'),
        fmt="count",
        note="F + j w <= 0",
    )
    x.add(
        "js",
        "first step after which g <= 0",
        "replicas",
        _closed('IF([gSm1]<=0,[m]+1,IF([w]<0,MAX([m]+2,ROUNDUP(([F]-[V]*[c])/(-[w]),0)),"none"))'),
        fmt="count",
        note="F - V c + j w <= 0",
    )
    x.add("at_step", "crossing on a step", "yes/no", _closed("AND(ISNUMBER([js]),OR(NOT(ISNUMBER([je])),[js]<=[je]))"))
    x.add(
        "closed",
        "break-even (closed form)",
        "requests/month",
        _closed(
            'IF(AND(NOT(ISNUMBER([je])),NOT(ISNUMBER([js]))),"none",IF([at_step],([js]-1)*[c],-([F]+[D]*[je])/[V]))'
        ),
        fmt="volume",
        note="on a step: (js - 1) c; inside segment je: where its line reaches zero",
    )
    x.add("linear", "break-even (no steps)", "requests/month", _g('IF([V]<0,-[F]/[V],"none")'), fmt="volume")
    x.add(
        "K",
        "where the line bends",
        "requests/month",
        _g("MAX([FA],[FB])"),
        fmt="volume",
        note="one option bills per second above its warm minimum",
    )
    x.add(
        "bent",
        "break-even (bent line)",
        "requests/month",
        _g('IF([V1]<0,IF(-[F]/[V1]<=[K],-[F]/[V1],IF([V]<0,-[Fp]/[V],"none")),IF([V]<0,-[Fp]/[V],"none"))'),
        fmt="volume",
        note="below the bend F + V1 R; above it Fp + V R",
    )

    x.section("Result")
    table_row = x.row
    x.add(
        "table",
        "break-even (segment table)",
        "requests/month",
        ["n/a", "n/a", None],
        kind="link",
        fmt="volume",
        note="below; the API never steps, so only cloud / onprem may need it",
    )
    bisect_row = x.row
    x.add(
        "bisect",
        "break-even (bisection table)",
        "requests/month",
        [None if i in BISECT_PAIRS else "n/a" for i in range(len(PAIRS))],
        kind="link",
        fmt="volume",
        note="below; only the pairs with the cloud, when it bills per second",
    )
    x.add(
        "raw",
        "break-even by the method",
        "requests/month",
        _g(
            'IF([method]="bisection",[bisect],IF([method]="equal",0,IF([method]="linear",[linear],'
            'IF([method]="bent line",[bent],IF([method]="closed form",[closed],[table])))))'
        ),
        fmt="volume",
    )
    result = x.add(
        "result",
        "break-even",
        "requests/month",
        f'=IF(NOT([ok]),{_NOT_OK},IF(AND([method]="segment table",[table]=""),{_NOT_IN_TABLE},'
        f'IF(ISNUMBER([raw]),IF([raw]>c_max_volume,"none",[raw]),"none")))',
        kind="answer",
        fmt="volume",
        names=[f"breakeven_{a}_{b}" for a, b in PAIRS],
    )

    for i, (a, b) in enumerate(PAIRS):
        r = 5 + i
        col = "CDE"[i]
        put_text(ws, f"A{r}", f"{a} / {b}", "bold")
        put(ws, f"B{r}", f"={col}{result}", "answer_r", "volume")
        put(ws, f"C{r}", f"={col}{x.at['method']}", "link")
    put_text(
        ws,
        "A8",
        "Workings below: each pair's cost coefficients (from the Comparison sheet), normalised so "
        "that g > 0 at the lowest volumes.",
        "note",
    )

    last = segment_table(ws, x, x.row + 2)
    put(ws, f"E{table_row}", f"=V{last}", "link_r", "volume")
    for i, cell in bisect_table(ws, x, last + 3).items():
        col = "CDE"[i]
        put(ws, f"{col}{bisect_row}", f'=IF({col}{x.at["method"]}="bisection",{cell},"")', "link_r", "volume")
    widths = {
        "A": 38,
        "B": 18,
        "C": 16,
        "D": 16,
        "E": 16,
        "F": 46,
        "G": 12,
        "H": 7,
        "I": 14,
        "J": 7,
        "K": 9,
        "L": 9,
        "M": 14,
        "N": 14,
        "O": 14,
        "P": 14,
        "Q": 14,
        "R": 8,
        "S": 14,
        "T": 8,
        "U": 14,
        "V": 16,
    }
    wrap_rows(ws, range(5, x.row), ["F"], widths)  # notes stay inside the printed page
    setup_sheet(ws, widths=widths, freeze="A5", print_area=f"A1:F{x.row - 1}", landscape=False)
