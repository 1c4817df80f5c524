"""The Hybrid sheet's candidate tables, right of the summary: the 49 candidate splits of each option.

N replicas of capacity C serve ``served(N) = sum_h min(R f_h, N C / 24)`` of the month's R requests; the API takes
the rest. The candidates are the floor and the ceil of each hour's kink ``24 R f_h / C`` divided by the replicas per
unit, and one unit: the cost over units is convex piecewise linear between the kinks, and the API's fee stops at the
ceil of the busiest hour's kink, so they hold the minimum (a superset of the four candidates of
``costengine.hybrid_split.hybrid_arrays``). An overflow within ``OVERFLOW_NOISE`` of R is float noise, as in the
engine.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine.profiles import HOURS

from ..kit import header_row, put, put_text

__all__ = ["OPTS", "OVERFLOW_NOISE", "NEXT_COL", "COLUMN_WIDTHS", "cand_range", "candidate_table", "served_sum"]

#: The self-hosted options the Hybrid sheet splits with the API, one value column and one candidate table each.
OPTS = ("cloud", "onprem")
#: An overflow up to this share of R is the float noise of the hourly sum, no traffic (``costengine.hybrid_split``).
OVERFLOW_NOISE = 1e-9
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
#: The section row of the candidate tables, their first and last candidate rows, and each option's first column.
_TOP = 4
_FIRST = _TOP + 2
_LAST = _FIRST + _CANDIDATES - 1
_WIDTH = len(_CAND_COLS) + 1
_COLS = {o: 10 + i * _WIDTH for i, o in enumerate(OPTS)}
#: The first column right of the candidate tables.
NEXT_COL = _COLS[OPTS[-1]] + _WIDTH
#: The candidate tables' column widths.
COLUMN_WIDTHS = {get_column_letter(_COLS[o] + j): 13 for o in OPTS for j in range(len(_CAND_COLS))}


def cand_range(o: str, field: str) -> str:
    """The absolute range of one column (``field``) of option ``o``'s candidate table."""
    col = get_column_letter(_COLS[o] + _CAND_COLS.index(field))
    return f"${col}${_FIRST}:${col}${_LAST}"


def served_sum(hourly: str, cap: str) -> str:
    """sum_h min(R f_h, cap) = the hours below the capacity in full + the capacity for each hour above it."""
    return f"SUMPRODUCT(({hourly}<={cap})*{hourly})+{cap}*SUMPRODUCT(--({hourly}>{cap}))"


def candidate_table(ws, ref: dict, h1: int, hourly: str) -> None:
    """The 49 candidates of each option: floor and ceil of each hour's kink in whole units, and one unit."""
    for o in OPTS:
        c0 = _COLS[o]
        col = {f: get_column_letter(c0 + j) for j, f in enumerate(_CAND_COLS)}
        put_text(ws, f"{col['candidate']}{_TOP}", f"Candidates: {o}", "section")
        header_row(ws, _TOP + 1, list(_CAND_COLS), c0)
        g = {k: v[o] for k, v in ref.items()}
        ok = g["ok"]
        for j in range(_CANDIDATES):
            r = _FIRST + j
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
            put(ws, c["served"], f'=IF({ok},{served_sum(hourly, cap)},"n/a")', "calc", "volume")
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
