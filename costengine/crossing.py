"""Exact break-even volumes between two piecewise-linear cost functions, vectorised over scenarios.

Each option costs ``F + V*max(0, R - f) + S*max(m, ceil(R/c))`` per month at volume R (c = capacity / peak, the
volume one replica serves; see :mod:`costengine.plan`). The difference of two options is linear on
each segment between unit steps and free-volume kinks (f: the volume warm per-second replicas serve
before their variable cost starts), so the first crossing is found exactly: on a segment by solving
the line, or at a step when the difference jumps across zero there.

The walk over segments jumps over stretches where a bound on the difference shows it cannot change
sign: with ``n(R) in [R/c, R/c + 1]`` past the minimum-replica region,
``diff(R)`` lies between ``(F' - S_b) + w*R`` and ``(F' + S_a) + w*R`` with
``w = V' + S_a/c_a - S_b/c_b``. So only the few segments near the crossing are visited.
See ``docs/model.md#break-even``.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .errors import CostModelError
from .plan import OptionCost, cost_at

__all__ = [
    "MAX_VOLUME",
    "PAIRS",
    "GRID",
    "GRID_PER_DECADE",
    "BISECTIONS",
    "ENGINE_BISECTIONS",
    "breakeven_arrays",
    "bisect_breakeven",
    "linear_breakeven",
    "take",
]

#: The option pairs of the break-even columns, in order.
PAIRS: tuple[tuple[str, str], ...] = (("api", "cloud"), ("api", "onprem"), ("cloud", "onprem"))
#: Volumes above this [requests/month] are not searched: no crossing up to it means "none".
MAX_VOLUME = 1e12


def _per_replica_volume(opt: OptionCost, peak: np.ndarray) -> np.ndarray:
    """Volume one replica serves [requests/month] (inf when the option has no replicas that cost)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        c = opt.capacity / peak
    return np.where(opt.step != 0, c, np.inf)


def breakeven_arrays(
    a: OptionCost, b: OptionCost, peak: np.ndarray, max_volume: float = MAX_VOLUME, max_iterations: int = 200_000
) -> np.ndarray:
    """Smallest R > 0 [requests/month] where the costs of ``a`` and ``b`` cross; NaN when none up to ``max_volume``.

    Returns 0 where the two costs are equal on the whole first segment (from the lowest volumes).
    """
    n = len(peak)
    curved = np.isfinite(a.burst_rate) | np.isfinite(b.burst_rate)
    if curved.any():  # per-second billing is not piecewise linear: bracket and bisect those rows
        rows = np.flatnonzero(curved)
        out = np.full(n, np.nan)
        out[rows] = bisect_breakeven(take(a, rows), take(b, rows), peak[rows], max_volume)
        rest = np.flatnonzero(~curved)
        if len(rest):
            out[rest] = breakeven_arrays(take(a, rest), take(b, rest), peak[rest], max_volume, max_iterations)
        return out
    ca, cb = _per_replica_volume(a, peak), _per_replica_volume(b, peak)
    sa, sb = a.step.astype(float), b.step.astype(float)
    ma = np.where(np.isfinite(ca), np.maximum(a.min_units, 1.0), 0.0)
    mb = np.where(np.isfinite(cb), np.maximum(b.min_units, 1.0), 0.0)
    # replicas on the first segment (R -> 0+): max(m, 1)
    c0 = (a.fixed - b.fixed) + sa * ma - sb * mb
    fa, fb = a.free_volume.astype(float), b.free_volume.astype(float)
    v = a.variable * (fa <= 0) - b.variable * (fb <= 0)  # slope just above R = 0
    sign = np.sign(c0)
    sign = np.where(sign == 0, np.sign(v), sign)
    result = np.full(n, np.nan)
    result[sign == 0] = 0.0  # equal on the whole first segment
    sign = np.where(np.isnan(sign), 0.0, sign)  # an option not feasible (NaN coefficients): no crossing, NaN

    # normalise so that g = sign * diff > 0 at the start; find the first R with g <= 0
    flip = sign < 0
    F = np.where(flip, -(a.fixed - b.fixed), a.fixed - b.fixed)
    VA = np.where(flip, b.variable, a.variable)  # variable cost adding to g past its free volume FA
    VB = np.where(flip, a.variable, b.variable)
    FA = np.where(flip, fb, fa)
    FB = np.where(flip, fa, fb)
    F_past = F - VA * FA + VB * FB  # g's constant once R is past both free volumes
    V = VA - VB
    SA = np.where(flip, sb, sa)  # the option whose replicas add to g
    SB = np.where(flip, sa, sb)  # the option whose replicas subtract from g
    CA = np.where(flip, cb, ca)
    CB = np.where(flip, ca, cb)
    MA = np.where(flip, mb, ma)
    MB = np.where(flip, ma, mb)
    with np.errstate(divide="ignore", invalid="ignore"):
        W = V + np.where(np.isfinite(CA), SA / CA, 0.0) - np.where(np.isfinite(CB), SB / CB, 0.0)
        past_min = np.maximum(np.where(np.isfinite(CA), MA * CA, 0.0), np.where(np.isfinite(CB), MB * CB, 0.0))
        past_min = np.maximum(past_min, np.maximum(FA, FB))

    # the walk works on compacted arrays of the rows still searching; ``where`` maps them back
    live = sign != 0
    where = np.flatnonzero(live)
    if not live.all():  # (a copy of every array: only when some rows are already found)
        F, V, SA, SB, CA, CB, MA, MB, W, past_min, VA, VB, FA, FB, F_past = (
            x[live] for x in (F, V, SA, SB, CA, CB, MA, MB, W, past_min, VA, VB, FA, FB, F_past)
        )
    same = (CA == CB) & (MA == MB) & np.isfinite(CA)
    R = np.zeros(len(where))
    na, nb = MA.copy(), MB.copy()
    first = np.ones(len(where), dtype=bool)
    alive = np.ones(len(where), dtype=bool)  # rows found stay in the arrays (frozen) until a quarter are
    it = 0
    with np.errstate(divide="ignore", invalid="ignore"):
        while len(where) and it < max_iterations:
            it += 1
            # --- jump where a bound proves g > 0 ---------------------------------------------------
            past = R >= past_min
            if past.any():
                lo0 = F_past - SB  # g(R) >= lo0 + W R  (each stepping option contributes its slope S/c)
                # options that step at the same volumes have the same count n:
                # (SA - SB) n >= (SA - SB) R/c + min(SA - SB, 0)
                lo0 = np.where(same, F_past + np.minimum(SA - SB, 0.0), lo0)
                never = past & (W >= 0) & (lo0 + W * R > 0)
                r_safe = np.where(W < 0, lo0 / -W * (1 - 1e-12), R)
                jump = past & (W < 0) & (r_safe > R)
                if jump.any():
                    rj = r_safe[jump]
                    R[jump] = rj
                    na[jump] = np.where(np.isfinite(CA[jump]), np.maximum(MA[jump], np.floor(rj / CA[jump]) + 1), 0.0)
                    nb[jump] = np.where(np.isfinite(CB[jump]), np.maximum(MB[jump], np.floor(rj / CB[jump]) + 1), 0.0)
                    first[jump] = False
            else:
                never = np.zeros(len(where), dtype=bool)
            # --- the current segment (R, end]: replica counts constant, g linear -----------------------
            end_a = np.where(np.isfinite(CA), na * CA, np.inf)
            end_b = np.where(np.isfinite(CB), nb * CB, np.inf)
            kink = np.minimum(np.where(FA > R, FA, np.inf), np.where(FB > R, FB, np.inf))
            end = np.minimum(np.minimum(end_a, end_b), kink)
            on_a, on_b = R >= FA, R >= FB  # past a free volume, that option's variable cost runs
            slope = VA * on_a - VB * on_b
            c_seg = F + SA * na - SB * nb - VA * FA * on_a + VB * FB * on_b
            g0 = c_seg + slope * R
            cross_step = alive & ~never & ((g0 < 0) | ((g0 == 0) & ~first))
            r_line = np.where(slope < 0, -c_seg / slope, np.inf)
            cross_line = alive & ~never & ~cross_step & (r_line <= end) & (r_line >= R)
            result[where[cross_step]] = R[cross_step]
            result[where[cross_line]] = r_line[cross_line]
            # --- advance to the next step ----------------------------------------------------------
            na += (end_a == end) & (end < kink)
            nb += (end_b == end) & (end < kink)
            R = end
            first[:] = False
            alive = alive & ~(never | cross_step | cross_line) & np.isfinite(end) & (end < max_volume)
            if np.count_nonzero(alive) <= 0.75 * len(alive):  # compaction costs a copy of every array
                where = where[alive]
                F, V, SA, SB, CA, CB, MA, MB, W, past_min, R, na, nb, first, same, VA, VB, FA, FB, F_past = (
                    x[alive]
                    for x in (F, V, SA, SB, CA, CB, MA, MB, W, past_min, R, na, nb, first, same, VA, VB, FA, FB, F_past)
                )
                alive = np.ones(len(where), dtype=bool)
    if len(where):
        raise CostModelError(
            "breakeven",
            f"the two costs stay within one replica's cost of each other over "
            f"{max_iterations:,} replica steps; the crossing cannot be located exactly",
        )
    result[result > max_volume] = np.nan
    return result


#: The bracketing grid of :func:`bisect_breakeven`: volumes [requests/month] from 0.01 to MAX_VOLUME, 16 a decade.
GRID_PER_DECADE = 16
GRID = 1e-2 * 10.0 ** (np.arange(GRID_PER_DECADE * 14 + 1) / GRID_PER_DECADE)
#: Bisection steps of the Break-even sheet after bracketing: the bracket (a ratio of 10^(1/16)) shrinks to 2^-64 of
#: its width.
BISECTIONS = 64
#: The engine's bisection steps: 2^-40 of the bracket, 1.4e-13 of the volume (the sheet's 64 steps agree to that).
ENGINE_BISECTIONS = 40


def take(opt: OptionCost, rows: np.ndarray) -> OptionCost:
    """The ``rows`` of ``opt`` (every field)."""
    return OptionCost(**{f.name: getattr(opt, f.name)[rows] for f in dataclasses.fields(opt)})


def _start(a: OptionCost, b: OptionCost, peak: np.ndarray, sign: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A volume below which the sign of cost_a - cost_b cannot change, and the rows where it never can, from bounds
    of the per-second cost P (its fixed cost <= P <= fixed + rate x (month + R x s / u)) and the other option X
    (fixed + variable x R + step x max(m, R / c) <= X <= ... + step x max(m, R / c + 1)); 0 where no bound helps."""
    p_is_a = np.isfinite(a.burst_rate)
    P = {k: np.where(p_is_a, getattr(a, k), getattr(b, k)) for k in ("fixed", "burst_rate", "burst_seconds", "month_s")}
    X = {
        k: np.where(p_is_a, getattr(b, k), getattr(a, k))
        for k in ("fixed", "variable", "step", "capacity", "min_units")
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        c = np.where(X["step"] != 0, X["capacity"] / peak, np.inf)
        steps = np.isfinite(c)
        per_unit = np.where(steps, X["step"] / c, 0.0)
        m = np.where(steps, np.maximum(X["min_units"], 1.0), 0.0)
        x_cheaper = np.where(p_is_a, sign > 0, sign < 0)
        # X cheaper first: a crossing needs X(R) >= P(R) >= P's fixed cost
        gap = P["fixed"] - X["fixed"] - np.where(steps, X["step"] * m, 0.0)
        slope_x = X["variable"] + per_unit
        need = P["fixed"] - X["fixed"] - np.where(steps, X["step"], 0.0)
        r_x = np.where(gap <= 0, 0.0, np.where(slope_x > 0, need / slope_x, np.inf))
        # P cheaper first: a crossing needs P's upper bound >= X's lower bound
        d = X["fixed"] + np.where(steps, X["step"] * m, 0.0) - P["fixed"] - P["burst_rate"] * P["month_s"]
        slope_p = P["burst_rate"] * P["burst_seconds"] - X["variable"]
        r_p = np.where(d <= 0, 0.0, np.where(slope_p > 0, d / slope_p, np.inf))
    start = np.where(x_cheaper, r_x, r_p)
    start = np.where(np.isnan(start), 0.0, np.maximum(start, 0.0))
    return start, np.isinf(start)


def bisect_breakeven(a: OptionCost, b: OptionCost, peak: np.ndarray, max_volume: float = MAX_VOLUME) -> np.ndarray:
    """The first volume [requests/month] where two costs cross when one is not piecewise linear (per-second
    billing, :mod:`costengine.serverless`): the grid :data:`GRID` brackets the first change of sign of
    cost_a - cost_b, then :data:`ENGINE_BISECTIONS` halvings close the bracket (to ~1e-13 of the volume, far below
    1e-9 relative; the Break-even sheet halves it :data:`BISECTIONS` times);
    the upper end is returned. 0 where the costs are equal at the grid's first volume, NaN where no crossing up to
    ``max_volume`` or an option is not feasible. A crossing and a re-crossing between two grid volumes (a ratio of
    1.155) are not seen. ``docs/model.md#break-even``."""
    n = len(peak)

    def g(x: OptionCost, y: OptionCost, pk: np.ndarray, r: np.ndarray) -> np.ndarray:
        return cost_at(x, pk, r) - cost_at(y, pk, r)

    g0 = g(a, b, peak, np.full(n, GRID[0]))
    sign = np.sign(g0)
    result = np.where(sign == 0, 0.0, np.nan)
    lo, hi = np.full(n, np.nan), np.full(n, np.nan)
    start, never = _start(a, b, peak, sign)
    # each row walks the grid from the last grid volume below its bound (the sign cannot change before it)
    cur = np.clip(np.searchsorted(GRID, start, side="right") - 1, 0, len(GRID) - 1)
    where = np.flatnonzero((sign != 0) & np.isfinite(g0) & ~never & (cur < len(GRID) - 1))
    sa, sb, pk, cu, sg = take(a, where), take(b, where), peak[where], cur[where], sign[where]
    alive = np.ones(len(where), dtype=bool)
    while alive.any():
        if np.count_nonzero(alive) <= 0.75 * len(alive):  # compaction costs a copy of every field
            where, cu, sg, pk = where[alive], cu[alive], sg[alive], pk[alive]
            sa, sb = take(sa, np.flatnonzero(alive)), take(sb, np.flatnonzero(alive))
            alive = np.ones(len(where), dtype=bool)
        nxt = GRID[np.minimum(cu + 1, len(GRID) - 1)]
        hit = alive & (np.sign(g(sa, sb, pk, nxt)) != sg)
        lo[where[hit]], hi[where[hit]] = GRID[cu[hit]], nxt[hit]
        cu = np.where(alive & ~hit, cu + 1, cu)
        alive &= ~hit & (cu < len(GRID) - 1) & (GRID[np.minimum(cu, len(GRID) - 1)] < max_volume)
    rows = np.flatnonzero(np.isfinite(hi))
    if len(rows):
        sub_a, sub_b, s = take(a, rows), take(b, rows), sign[rows]
        lo_, hi_ = lo[rows], hi[rows]
        for _ in range(ENGINE_BISECTIONS):
            mid = 0.5 * (lo_ + hi_)
            same = np.sign(cost_at(sub_a, peak[rows], mid) - cost_at(sub_b, peak[rows], mid)) == s
            lo_, hi_ = np.where(same, mid, lo_), np.where(same, hi_, mid)
        result[rows] = hi_
    result[result > max_volume] = np.nan
    return result


def linear_breakeven(fixed_a: float, per_request_a: float, fixed_b: float, per_request_b: float) -> float | None:
    """Volume R [requests/month] where ``fixed_a + per_request_a*R = fixed_b + per_request_b*R``.

    Found by the engine's break-even walk (:func:`breakeven_arrays`) on two costs without replica steps; None
    when they do not cross up to :data:`MAX_VOLUME`.

    >>> linear_breakeven(1000.0, 0.0, 0.0, 0.01)
    100000.0
    """
    one = np.ones(1)

    def line(fixed: float, variable: float) -> OptionCost:
        return OptionCost(
            fixed=fixed * one,
            variable=variable * one,
            step=0 * one,
            capacity=np.inf * one,
            min_units=0 * one,
            gpus_per_replica=0 * one,
            seconds_per_request=np.nan * one,
        )

    r = float(breakeven_arrays(line(fixed_a, per_request_a), line(fixed_b, per_request_b), one, MAX_VOLUME)[0])
    return None if np.isnan(r) else r
