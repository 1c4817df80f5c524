"""The hybrid columns of the Projection sheet (:func:`costengine.projection.projection`), in native formulas.

Each month t the cheapest split between N self-hosted replicas and the API is found again at the month's volume
``R_t`` from the Hybrid sheet's coefficients (``hy_cloud_step``, ``hy_onprem_rep_cap``, ... and the day's shares
``hy_shares``), with the four candidates of :func:`costengine.hybrid_split.hybrid_arrays`: the optimum hourly capacity
stops at the j-th busiest hour, ``j = INT(step x 24 / (C x replicas per unit x API cost per request))``, so the
units k are the floor and the ceiling of ``R_t x (j+1-th largest share) x 24 / C / replicas per unit``, one unit,
and the fewest that serve the busiest hour; the cheapest candidate is compared with all-API and all-self-hosted
(ties: all-API, the split, all-self-hosted) as on the Hybrid sheet.

- hybrid cloud: that month's answer (rented replicas follow demand);
- hybrid on-premises: servers are kept, ``H_t = max(H_{t-1}, u_t)`` with u_t the month's answer's units; while
  ``H_t = u_t`` the month costs the month's answer; with servers left over (volume fell) they serve everything
  when they are at least the servers the pure option needs (sized with ``peak_to_average``), otherwise each
  hour up to their capacity and the API the rest. Cash view: ``capex x servers added`` + staff + the API's part
  + running cost per server x servers.

The requests served self-hosted, ``sum_h min(R f_h, cap)``, come from the day's shares sorted once (hidden, above
the table: ``pj_hy_sorted`` and their tail sums ``pj_hy_tail``): ``R x tail(m + 1) + m x cap`` with m the hours
whose share is at least ``cap / R`` (MATCH on the sorted shares), so no row needs an array formula. The candidate
columns are hidden, right of the chart columns. Together they add about 1 to 1.5 s of LibreOffice CPU time to
a workbook's recalculation (600 rows; 3 workbooks took 10-11.5 s of CPU without them, 12.3-14.3 s with, on a
shared machine).
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string, get_column_letter

from ..kit import units_needed

__all__ = [
    "HYBRID_COLUMNS",
    "HYBRID_HEADERS",
    "CHART_COLS",
    "HELPER_FIRST",
    "hybrid_templates",
    "helper_headers",
    "kink_share",
]

_FIRST = column_index_from_string("W")
_VISIBLE = (
    "hybrid_cloud",
    "hybrid_cloud_replicas",
    "hybrid_onprem_servers",
    "hybrid_onprem_cash",
    "hybrid_onprem",
    "cumulative_hybrid_cloud",
    "cumulative_hybrid_onprem_cash",
    "cumulative_hybrid_onprem",
    "paid_back_hybrid_cloud",
    "paid_back_hybrid_onprem_cash",
    "paid_back_hybrid_onprem",
)
#: Column of each hybrid quantity of the monthly table (keys as in ``costengine.projection.projection``).
HYBRID_COLUMNS = {k: get_column_letter(_FIRST + i) for i, k in enumerate(_VISIBLE)}
_CUR = '"&currency_used&"'
HYBRID_HEADERS = {
    "hybrid_cloud": f'="hybrid cloud [{_CUR}/month]"',
    "hybrid_cloud_replicas": "hybrid cloud replicas [count]",
    "hybrid_onprem_servers": "hybrid servers installed [count]",
    "hybrid_onprem_cash": f'="hybrid on-prem, cash [{_CUR}/month]"',
    "hybrid_onprem": f'="hybrid on-prem, amortised [{_CUR}/month]"',
    "cumulative_hybrid_cloud": f'="cumulative hybrid cloud [{_CUR}]"',
    "cumulative_hybrid_onprem_cash": f'="cumulative hybrid on-prem, cash [{_CUR}]"',
    "cumulative_hybrid_onprem": f'="cumulative hybrid on-prem, amortised [{_CUR}]"',
    "paid_back_hybrid_cloud": "paid back: hybrid cloud [month]",
    "paid_back_hybrid_onprem_cash": "paid back: hybrid on-prem, cash [month]",
    "paid_back_hybrid_onprem": "paid back: hybrid on-prem, amortised [month]",
}
#: Hidden chart columns: cumulative hybrid cloud and hybrid on-prem (cash), the last month repeated.
CHART_COLS = (get_column_letter(_FIRST + len(_VISIBLE)), get_column_letter(_FIRST + len(_VISIBLE) + 1))
HELPER_FIRST = _FIRST + len(_VISIBLE) + 2
_OPTS = ("cloud", "onprem")
# per option: the four candidates' units, requests served self-hosted and monthly costs, the month's choice (0 all
# API, 1 split, 2 all self-hosted) and
# its units; on-premises also the month's own answer (before the servers kept)
_HELPERS = ("k1", "k2", "k3", "k4", "s1", "s2", "s3", "s4", "c1", "c2", "c3", "c4", "choice", "units")
_HELP = {
    f"{o}_{h}": get_column_letter(HELPER_FIRST + i * len(_HELPERS) + j)
    for i, o in enumerate(_OPTS)
    for j, h in enumerate(_HELPERS)
}
_HELP["onprem_month_cost"] = get_column_letter(HELPER_FIRST + 2 * len(_HELPERS))


def helper_headers() -> dict[str, str]:
    """Header text of each hidden helper column, by letter."""
    return {col: f"hybrid helper: {key}" for key, col in _HELP.items()}


#: Rows (above the table, in the first hidden helper columns) of the day's shares sorted and their tail sums.
SORTED_ROW = 5


def sorted_shares(ws, put, book, sheet: str) -> None:
    """The day's hourly shares, largest first (``pj_hy_sorted``), and the sums of each share and those below it
    (``pj_hy_tail``, 25 rows: the last is 0), for the served requests without array formulas."""
    a, b = get_column_letter(HELPER_FIRST), get_column_letter(HELPER_FIRST + 1)
    for i in range(24):
        rank = f"ROW()-ROW(${a}${SORTED_ROW})+1"
        put(
            ws,
            f"{a}{SORTED_ROW + i}",
            f'=IF(COUNT(hy_shares)=c_hours_per_day,LARGE(hy_shares,{rank}),"n/a")',
            "calc",
            "0.0000%",
        )
    put(ws, f"{b}{SORTED_ROW + 24}", "=0", "calc", "0.0000%")
    for i in reversed(range(24)):
        put(
            ws,
            f"{b}{SORTED_ROW + i}",
            f'=IF(ISNUMBER({a}{SORTED_ROW + i}),{a}{SORTED_ROW + i}+{b}{SORTED_ROW + i + 1},"n/a")',
            "calc",
            "0.0000%",
        )
    book.names_many(
        [
            ("pj_hy_sorted", sheet, f"{a}{SORTED_ROW}:{a}{SORTED_ROW + 23}"),
            ("pj_hy_tail", sheet, f"{b}{SORTED_ROW}:{b}{SORTED_ROW + 24}"),
        ]
    )


def _served(r: str, cap: str) -> str:
    """sum_h min(R f_h, cap) = R x (the shares of the m hours at or below cap, summed) + m x cap, m the hours whose
    share is at least cap / R (largest first: MATCH -1 on the sorted shares)."""
    m = f"IF({cap}/{r}>INDEX(pj_hy_sorted,1),0,MATCH({cap}/{r},pj_hy_sorted,-1))"
    return f"IF({r}>0,{r}*INDEX(pj_hy_tail,{m}+1)+{m}*{cap},0)"


def _api_part(r: str, served: str, api_fixed: str, api_var: str) -> str:
    """The API's fee and cost for what ``served`` leaves of ``r`` (an overflow within the noise is none)."""
    return f"IF({r}-{served}>c_hybrid_overflow_noise*{r},{api_fixed}+{api_var}*({r}-{served}),0)"


def _units(capacity: str, least: str, r: str) -> str:
    return f"IF(ISNUMBER({capacity}),{units_needed(r, capacity, least)},0)"


def kink_share(o: str) -> str:
    """The share of the day's requests in the busiest hour still worth self-hosting capacity, for option ``o``:
    the (j+1)-th largest hourly share, ``j = INT(step x 24 / (C x replicas per unit x API cost per request))``
    (0 when even the busiest hour is not: a 24th hour and beyond)."""
    g = {k: f"hy_{o}_{k}" for k in ("split", "per_unit", "rep_cap", "step", "api_var")}
    j = (
        f"IF({g['api_var']}>0,INT({g['step']}*c_hours_per_day/({g['rep_cap']}*{g['per_unit']}*{g['api_var']})),"
        "c_hours_per_day)"
    )
    # "=TRUE": the Hybrid sheet shows a text instead while the inputs are invalid
    return f'=IF({g["split"]}=TRUE,IF({j}<c_hours_per_day,LARGE(hy_shares,{j}+1),0),"n/a")'


def hybrid_templates(
    cell: dict[str, str], prev: dict[str, str], first: bool, first_row: int
) -> dict[str, tuple[str, str | None]]:
    """Formula templates (of row ``{r}``, row above ``{p}``) of the hybrid and helper columns, keyed by the
    quantity (visible columns) or the column letter (helpers); ``cell``/``prev`` give the table's other cells,
    ``first_row`` is month 1's row."""
    t, R = "$A{r}", "$B{r}"
    h = {k: f"{col}{{r}}" for k, col in _HELP.items()}
    v = {k: f"{col}{{r}}" for k, col in HYBRID_COLUMNS.items()}
    pv = {k: f"{col}{{p}}" for k, col in HYBRID_COLUMNS.items()}
    f: dict[str, str] = {}
    for o in _OPTS:
        g = {k: f"hy_{o}_{k}" for k in ("ok", "split", "per_unit", "rep_cap", "fixed", "step", "api_fixed", "api_var")}
        k_star = f"{R}*pj_hy_{o}_kink_share*c_hours_per_day/{g['rep_cap']}/{g['per_unit']}"
        k_full = f"{R}*INDEX(pj_hy_sorted,1)*c_hours_per_day/{g['rep_cap']}/{g['per_unit']}"
        ks = [h[f"{o}_k{i}"] for i in range(1, 5)]
        for i, (k, x) in enumerate(
            zip(ks, (f"INT({k_star})", f"ROUNDUP({k_star},0)", "1", f"ROUNDUP({k_full},0)")), start=1
        ):
            f[_HELP[f"{o}_k{i}"]] = f'IF({g["split"]},MAX(1,{x}),"n/a")'
            cap = f"({k}*{g['per_unit']}*{g['rep_cap']}/c_hours_per_day)"
            f[_HELP[f"{o}_s{i}"]] = f'IF({g["split"]},{_served(R, cap)},"n/a")'
            served = h[f"{o}_s{i}"]
            f[_HELP[f"{o}_c{i}"]] = (
                f"IF({g['split']},{g['fixed']}+{g['step']}*{k}+"
                f'{_api_part(R, served, g["api_fixed"], g["api_var"])},"n/a")'
            )
        costs = f"{h[f'{o}_c1']}:{h[f'{o}_c4']}"
        best = f"MIN({costs})"  # the candidates are text ("n/a") when the option cannot split
        pure = (
            cell["cloud"]
            if o == "cloud"
            else f"(onprem_fixed+onprem_variable*{R}+onprem_step*{_units('onprem_capacity', 'onprem_min_units', R)})"
        )
        api, ch = cell["api"], h[f"{o}_choice"]
        f[_HELP[f"{o}_choice"]] = (
            f'IF(NOT({g["ok"]}),"n/a",IF(AND({api}<={pure},OR(NOT({g["split"]}),{api}<={best})),0,'
            f"IF(AND({g['split']},{best}<={pure}),1,2)))"
        )
        f[_HELP[f"{o}_units"]] = (
            f"IF(ISNUMBER({ch}),CHOOSE({ch}+1,0,CHOOSE(MATCH({best},{costs},0),{','.join(ks)}),"
            f'{_units(f"{o}_capacity", f"{o}_min_units", R)}),"n/a")'
        )
        month = f'IF(ISNUMBER({ch}),CHOOSE({ch}+1,{api},{best},{pure}),"n/a")'
        if o == "cloud":
            f["hybrid_cloud"] = month
            f["hybrid_cloud_replicas"] = (
                f"IF(ISNUMBER({ch}),IF({ch}=2,"
                f"{units_needed(R, 'cloud_replica_capacity', 'min_replicas_used')},"
                f'{h["cloud_units"]}*{g["per_unit"]}),"n/a")'
            )
        else:
            f[_HELP["onprem_month_cost"]] = month
    g = {k: f"hy_onprem_{k}" for k in ("ok", "per_unit", "rep_cap", "api_fixed", "api_var")}
    units = h["onprem_units"]
    # running maxima and sums over the range from month 1, not row by row: a 600-row chain of these cells makes
    # LibreOffice's recalculation several times slower
    top = f"${_HELP['onprem_units']}${first_row}"
    f["hybrid_onprem_servers"] = f'IF(NOT({g["ok"]}),"n/a",MAX({top}:{units})*onprem_servers_per_unit)'
    fleet = f"({v['hybrid_onprem_servers']}/onprem_servers_per_unit)"
    served = _served(R, f"({fleet}*{g['per_unit']}*{g['rep_cap']}/c_hours_per_day)")
    kept = (
        f"IF({fleet}>={_units('onprem_capacity', 'onprem_min_units', R)},onprem_variable*{R},"
        f"{_api_part(R, served, g['api_fixed'], g['api_var'])})"
    )
    f["hybrid_onprem"] = (
        f'IF(NOT({g["ok"]}),"n/a",IF({fleet}>{units},onprem_fixed+onprem_step*{fleet}+{kept},{h["onprem_month_cost"]}))'
    )
    added = v["hybrid_onprem_servers"] if first else f"({v['hybrid_onprem_servers']}-{pv['hybrid_onprem_servers']})"
    f["hybrid_onprem_cash"] = (
        f'IF(NOT({g["ok"]}),"n/a",onprem_capex_per_server_used*{added}+IF({fleet}>0,'
        f"{v['hybrid_onprem']}-onprem_step*{fleet}+onprem_running_per_server*"
        f"{v['hybrid_onprem_servers']},{v['hybrid_onprem']}))"
    )
    for cum, src in (
        ("cumulative_hybrid_cloud", "hybrid_cloud"),
        ("cumulative_hybrid_onprem_cash", "hybrid_onprem_cash"),
        ("cumulative_hybrid_onprem", "hybrid_onprem"),
    ):
        f[cum] = f'IF(ISNUMBER({v[src]}),SUMPRODUCT(${HYBRID_COLUMNS[src]}${first_row}:{v[src]}),"n/a")'
    for flag, cum in (
        ("paid_back_hybrid_cloud", "cumulative_hybrid_cloud"),
        ("paid_back_hybrid_onprem_cash", "cumulative_hybrid_onprem_cash"),
        ("paid_back_hybrid_onprem", "cumulative_hybrid_onprem"),
    ):
        f[flag] = f'IF(AND(ISNUMBER({v[cum]}),{v[cum]}<={cell["cumulative_api"]}),{t},"")'
    fmts = {
        "hybrid_cloud_replicas": "int",
        "hybrid_onprem_servers": "int",
        "paid_back_hybrid_cloud": "int",
        "paid_back_hybrid_onprem_cash": "int",
        "paid_back_hybrid_onprem": "int",
    }
    out = {
        k: (f'=IF(ISNUMBER({t}),{expr},"")', fmts.get(k, None if len(k) <= 3 else "money0")) for k, expr in f.items()
    }
    for col, src in zip(CHART_COLS, ("cumulative_hybrid_cloud", "cumulative_hybrid_onprem_cash")):
        out[col] = (f"={v[src]}" if first else f"=IF(ISNUMBER({t}),{v[src]},{col}{{p}})", None)
    return out
