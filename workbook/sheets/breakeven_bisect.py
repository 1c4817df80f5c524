"""The Break-even sheet's bisection table: the engine's ``costengine.crossing.bisect_breakeven`` in formulas, for the
pairs with the cloud when it bills per second (its cost is not piecewise linear).

The grid (0.01 to 1e12 requests/month, 16 volumes a decade, ``crossing.GRID``) brackets the first change of the
sign of cost_a - cost_b from the first volume's; then ``crossing.BISECTIONS`` rows halve the bracket, each row
starting from the previous one's; the last row's upper end is the break-even. Columns: the grid volume, then per
pair the sign of the difference there and whether it differs from the first (a MATCH finds the first); below,
per pair: lower end, upper end, midpoint, and whether the sign at the midpoint is the first one.
"""

from __future__ import annotations

from costengine.crossing import BISECTIONS, GRID, PAIRS

from ..kit import Rows, header_row, put, put_text, units_needed
from .serverless_cost import CLOUD_BURST, burst_formula

__all__ = ["bisect_table", "BISECT_PAIRS"]

#: The pairs (their column index in PAIRS) whose costs may be billed per second: those with the cloud.
BISECT_PAIRS = tuple(i for i, p in enumerate(PAIRS) if "cloud" in p)


def _cost(option: str, v: str) -> str:
    """An option's monthly cost at volume ``v`` from the Comparison sheet's names (as ``costengine.plan.cost_at``)."""
    if option == "api":
        return f"(api_fixed+api_variable*({v}))"
    if option == "cloud":
        return (
            f"(cloud_fixed+cloud_variable*MAX(({v})-cloud_free_volume,0)"
            f"+IF(cloud_per_second,{burst_formula(v, **CLOUD_BURST)},0))"
        )
    units = units_needed(f"({v})", "onprem_capacity", "onprem_min_units")
    return f"(onprem_fixed+onprem_variable*({v})+onprem_step*{units})"


def _g(i: int, v: str) -> str:
    a, b = PAIRS[i]
    return f"({_cost(a, v)}-{_cost(b, v)})"


def bisect_table(ws, x: Rows, top: int) -> dict[int, str]:
    """The grid and bisection rows from row ``top`` (columns A..); returns each bisected pair's result cell."""
    put_text(
        ws,
        f"A{top}",
        "Bisection table (pairs with per-second cloud billing, whose cost is not piecewise linear): a grid brackets "
        "the first change of sign, then each row halves the bracket",
        "section",
    )
    heads = ["k", "grid volume"]
    for i in BISECT_PAIRS:
        heads += [f"{'/'.join(PAIRS[i])}: sign", "sign changed"]
    header_row(ws, top + 1, heads, height=45)
    first = top + 2
    last = first + len(GRID) - 1
    cols = {}
    for j, i in enumerate(BISECT_PAIRS):
        on = f'{x.ref("method", "CDE"[i], absolute_ref=True)}="bisection"'
        sign_col, flip_col = chr(ord("C") + 2 * j), chr(ord("D") + 2 * j)
        cols[i] = (on, sign_col, flip_col)
    for k in range(len(GRID)):
        r = first + k
        put(ws, f"A{r}", k, "const", "int")
        put(ws, f"B{r}", f"=c_grid_first*c_decade^(A{r}/c_grid_per_decade)", "calc", "volume")
        for i, (on, sign_col, flip_col) in cols.items():
            put(ws, f"{sign_col}{r}", f'=IF({on},SIGN({_g(i, f"$B{r}")}),"")', "calc", "int")
            flip = "FALSE" if k == 0 else f"{sign_col}{r}<>{sign_col}${first}"
            put(ws, f"{flip_col}{r}", f'=IF({on},{flip},"")', "calc")
    # --- bisection: per pair 4 columns (lower, upper, midpoint, same sign) -----------------------------------
    btop = last + 2
    put_text(ws, f"A{btop}", "Bisection: each row halves the bracket of the row above", "section")
    heads = ["step"]
    for i in BISECT_PAIRS:
        heads += [f"{'/'.join(PAIRS[i])}: lower", "upper", "midpoint", "same sign"]
    header_row(ws, btop + 1, heads, height=45)
    out = {}
    for j, (i, (on, sign_col, flip_col)) in enumerate(cols.items()):
        lo, hi, mid, same = (chr(ord("B") + 4 * j + d) for d in range(4))
        s0 = f"${sign_col}${first}"
        hit = f"MATCH(TRUE,${flip_col}${first}:${flip_col}${last},0)"
        grid = f"$B${first}:$B${last}"
        for k in range(BISECTIONS + 1):
            r = btop + 2 + k
            if j == 0:
                put(ws, f"A{r}", k, "const", "int")
            if k == 0:  # the bracket: the grid volumes around the first change of sign
                put(ws, f"{lo}{r}", f'=IF({on},IF(ISNA({hit}),"none",INDEX({grid},{hit}-1)),"")', "calc", "volume")
                put(ws, f"{hi}{r}", f'=IF({on},IF(ISNA({hit}),"none",INDEX({grid},{hit})),"")', "calc", "volume")
            else:
                p = r - 1
                put(ws, f"{lo}{r}", f"=IF(ISNUMBER({mid}{p}),IF({same}{p},{mid}{p},{lo}{p}),{lo}{p})", "calc", "volume")
                put(ws, f"{hi}{r}", f"=IF(ISNUMBER({mid}{p}),IF({same}{p},{hi}{p},{mid}{p}),{hi}{p})", "calc", "volume")
            if k < BISECTIONS:
                put(ws, f"{mid}{r}", f'=IF(ISNUMBER({lo}{r}),({lo}{r}+{hi}{r})/2,"")', "calc", "volume")
                put(ws, f"{same}{r}", f'=IF(ISNUMBER({mid}{r}),SIGN({_g(i, f"{mid}{r}")})={s0},"")', "calc")
        # the result: 0 where the costs are equal at the first grid volume
        out[i] = f"IF({s0}=0,0,{hi}{btop + 2 + BISECTIONS})"
    return out
