"""The Break-even sheet's segment table: the engine's walk (``costengine.crossing.breakeven_arrays``) for the
cloud / onprem pair when both step at different volumes, one loop iteration per row, in formulas.

Each row starts where the previous row's segment ended (the first at R = 0), jumps ahead as far as the engine's
lower bound allows once past the minimum-replica region, counts each option's replicas there, and says whether
g reaches zero at the start of the segment or on its line; column V carries the first crossing down. The table has
:data:`~workbook.sheets.constants.SEGMENT_ROWS` rows; the sheet's ``table`` row reads its last cell.
"""

from __future__ import annotations

from ..kit import Rows, header_row, put, put_text
from .constants import SEGMENT_ROWS

__all__ = ["segment_table"]


def segment_table(ws, x: Rows, top: int) -> int:
    """The engine's walk for the cloud / onprem pair, one loop iteration per row (columns A..V)."""
    e = {k: x.ref(k, "E", absolute_ref=True) for k in x.at}
    put_text(
        ws,
        f"A{top}",
        "Segment table (cloud / onprem when both step at different volumes): the engine's walk, one step per row",
        "section",
    )
    heads = [
        "step",
        "start R",
        "a replicas in",
        "b replicas in",
        "past minimum",
        "never crosses",
        "jump target",
        "jump",
        "R",
        "first",
        "a replicas",
        "b replicas",
        "g offset",
        "a segment end",
        "b segment end",
        "segment end",
        "g at R",
        "crosses at R",
        "line root",
        "crosses on line",
        "outcome",
        "break-even so far",
        "free-volume end",
        "slope of g",
    ]
    header_row(ws, top + 1, heads, height=45)
    on = f'AND({e["ok"]},{e["method"]}="segment table")'
    first = top + 2
    for k in range(1, SEGMENT_ROWS + 1):
        r, p = first + k - 1, first + k - 2
        cells = {
            "A": k,
            "B": 0 if k == 1 else f"P{p}",
            "C": e["MA"] if k == 1 else f"K{p}+IF(AND(N{p}=P{p},P{p}<W{p}),1,0)",
            "D": e["MB"] if k == 1 else f"L{p}+IF(AND(O{p}=P{p},P{p}<W{p}),1,0)",
            "E": f"B{r}>={e['past_min']}",
            "F": f"AND(E{r},{e['W']}>=0,{e['lo0']}+{e['W']}*B{r}>0)",
            "G": f"IF({e['W']}<0,{e['lo0']}/(-{e['W']})*(1-c_jump_margin),B{r})",
            "H": f"AND(E{r},{e['W']}<0,G{r}>B{r})",
            "I": f"IF(H{r},G{r},B{r})",
            "J": f"AND(A{r}=1,NOT(H{r}))",
            "K": f"IF(H{r},IF({e['stA']},MAX({e['MA']},INT(G{r}/{e['CA']})+1),0),C{r})",
            "L": f"IF(H{r},IF({e['stB']},MAX({e['MB']},INT(G{r}/{e['CB']})+1),0),D{r})",
            "M": f"{e['F']}+{e['SA']}*K{r}-{e['SB']}*L{r}-{e['VA']}*{e['FA']}*(I{r}>={e['FA']})"
            f"+{e['VB']}*{e['FB']}*(I{r}>={e['FB']})",
            "N": f"IF({e['stA']},K{r}*{e['CA']},c_beyond_volume)",
            "O": f"IF({e['stB']},L{r}*{e['CB']},c_beyond_volume)",
            "W": f"MIN(IF({e['FA']}>I{r},{e['FA']},c_beyond_volume),IF({e['FB']}>I{r},{e['FB']},c_beyond_volume))",
            "X": f"{e['VA']}*(I{r}>={e['FA']})-{e['VB']}*(I{r}>={e['FB']})",
            "P": f"MIN(N{r},O{r},W{r})",
            "Q": f"M{r}+X{r}*I{r}",
            "R": f"AND(NOT(F{r}),OR(Q{r}<0,AND(Q{r}=0,NOT(J{r}))))",
            "S": f'IF(X{r}<0,-M{r}/X{r},"none")',
            "T": f"AND(NOT(F{r}),NOT(R{r}),ISNUMBER(S{r}),S{r}<=P{r},S{r}>=I{r})",
            "U": f'IF(F{r},"none",IF(R{r},I{r},IF(T{r},S{r},IF(P{r}>=c_max_volume,"none",""))))',
        }
        for col, expr in cells.items():
            if col == "A":
                put(ws, f"A{r}", k, "const", "int")
                continue
            fmt = (
                "int"
                if col in "CDKL"
                else "volume"
                if col in "BGINOPSUW"
                else "money"
                if col in "MQ"
                else "money_small"
                if col == "X"
                else None
            )
            put(ws, f"{col}{r}", f'=IF({on},{expr},"")', "calc", fmt)
        put(ws, f"V{r}", f"=U{r}" if k == 1 else f'=IF(V{p}<>"",V{p},U{r})', "calc", "volume")
    return first + SEGMENT_ROWS - 1
