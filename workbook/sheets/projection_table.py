"""The Projection sheet's monthly table: one row per month, its columns, headers and per-row formulas.

A row for every month up to the largest horizon a scenario may have (600, ``MAX_MONTHS``); rows past the
scenario's horizon show nothing. Each column's formula is written from a template of the row and the row above
(:func:`put_formula_column`); the equations are those of :mod:`costengine.projection`, listed in
:mod:`workbook.sheets.projection`. Hidden chart columns (``CHART_COLS``) repeat the last month past the horizon,
so a chart over all rows spans exactly the horizon (blank or text cells would plot as zeros in Excel). The hybrid
columns and their hidden candidates are :mod:`workbook.sheets.projection_hybrid`'s.
"""

from __future__ import annotations

from openpyxl.utils import column_index_from_string

from costengine import Scenario

from ..kit import put, put_formula_column, put_text, units_needed
from .projection_hybrid import CHART_COLS as _HYBRID_CHART_COLS
from .projection_hybrid import HYBRID_COLUMNS, HYBRID_HEADERS, helper_headers, hybrid_templates
from .serverless_cost import CLOUD_BURST, burst_formula

__all__ = ["MAX_MONTHS", "HEADER_ROW", "FIRST_ROW", "LAST_ROW", "COLUMNS", "CHART_COLS", "table", "chart_headers"]

#: Rows of the monthly table: the largest ``horizon_months`` the scenario accepts.
MAX_MONTHS = int(next(m.le for m in Scenario.model_fields["horizon_months"].metadata if getattr(m, "le", None)))
HEADER_ROW = 35
FIRST_ROW = HEADER_ROW + 1
LAST_ROW = FIRST_ROW + MAX_MONTHS - 1
#: Column of each quantity of the monthly table (the answers above use C:F for the same four views).
COLUMNS = {
    "month": "A",
    "requests": "B",
    "api": "C",
    "cloud": "D",
    "onprem_cash": "E",
    "onprem": "F",
    "cloud_replicas": "G",
    "onprem_servers": "H",
    "onprem_capex": "I",
    "cumulative_api": "J",
    "cumulative_cloud": "K",
    "cumulative_onprem_cash": "L",
    "cumulative_onprem": "M",
    "discount_factor": "N",
    "paid_back_cloud": "O",
    "paid_back_onprem_cash": "P",
    "paid_back_onprem": "Q",
    **HYBRID_COLUMNS,
}
CHART_COLS = ("S", "T", "U", "V")  # hidden: month, cumulative api, cloud, on-prem cash (last month repeated)


def table(ws) -> None:
    """The table's headers and its formula columns (the hidden chart columns included)."""
    cur = '"&currency_used&"'
    headers = {
        "month": "month",
        "requests": "requests [requests/month]",
        "api": f'="API [{cur}/month]"',
        "cloud": f'="cloud [{cur}/month]"',
        "onprem_cash": f'="on-prem, cash [{cur}/month]"',
        "onprem": f'="on-prem, amortised [{cur}/month]"',
        "cloud_replicas": "cloud replicas [count]",
        "onprem_servers": "servers installed [count]",
        "onprem_capex": f'="capex paid [{cur}]"',
        "cumulative_api": f'="cumulative API [{cur}]"',
        "cumulative_cloud": f'="cumulative cloud [{cur}]"',
        "cumulative_onprem_cash": f'="cumulative on-prem, cash [{cur}]"',
        "cumulative_onprem": f'="cumulative on-prem, amortised [{cur}]"',
        "discount_factor": "discount factor [ratio]",
        "paid_back_cloud": "paid back: cloud [month]",
        "paid_back_onprem_cash": "paid back: on-prem, cash [month]",
        "paid_back_onprem": "paid back: on-prem, amortised [month]",
        **HYBRID_HEADERS,
    }
    for key, text in headers.items():
        put(ws, f"{COLUMNS[key]}{HEADER_ROW}", text, "header")
    ws.row_dimensions[HEADER_ROW].height = 60
    put_text(ws, f"A{HEADER_ROW - 1}", "Month by month (rows past the horizon stay empty)", "section")
    for first, last, rows in (
        (FIRST_ROW, FIRST_ROW, _templates(first=True)),
        (FIRST_ROW + 1, LAST_ROW, _templates(first=False)),
    ):
        for key, (template, fmt) in rows.items():  # one formula per row, from a template
            put_formula_column(
                ws, column_index_from_string(COLUMNS.get(key) or key), first, last, template, "calc", fmt
            )
    for col, text in helper_headers().items():
        put_text(ws, f"{col}{HEADER_ROW}", text, "header")


_FORMATS = {
    "month": "int",
    "requests": "volume",
    "cloud_replicas": "int",
    "onprem_servers": "int",
    "discount_factor": "0.000000",
    "paid_back_cloud": "int",
    "paid_back_onprem_cash": "int",
    "paid_back_onprem": "int",
}


def _templates(first: bool) -> dict[str, tuple[str, str | None]]:
    """Each table column's formula as a template of the row ``{r}`` and the row above ``{p}``, and its format.

    Also the hidden chart columns (keyed by their letters): the month and three cumulative costs, each
    repeating the row above past the horizon.
    """
    cell = {k: f"{col}{{r}}" for k, col in COLUMNS.items()}
    prev = {k: f"{col}{{p}}" for k, col in COLUMNS.items()}
    t, R = "$A{r}", "$B{r}"

    def units(cap: str, least: str) -> str:
        return f"IF(ISNUMBER({cap}),{units_needed(R, cap, least)},0)"

    servers = units("onprem_capacity", "onprem_min_units") + "*onprem_servers_per_unit"
    f = {
        "requests": f"requests_per_month_used*(1+growth_rate_monthly_used)^({t}-1)",
        "api": f"api_fixed+api_variable*{R}",
        "cloud_replicas": units_needed(R, "cloud_replica_capacity", "min_replicas_used"),
        "cloud": f"cloud_fixed+cloud_variable*MAX({R}-cloud_free_volume,0)+cloud_step*"
        + units("cloud_capacity", "cloud_min_units")
        + f"+IF(cloud_per_second,{burst_formula(R, **CLOUD_BURST)},0)",
        "onprem_servers": servers if first else f"MAX({prev['onprem_servers']},{servers})",
        "onprem": f"onprem_fixed+onprem_variable*{R}+onprem_step*{cell['onprem_servers']}/onprem_servers_per_unit",
        "onprem_capex": "onprem_capex_per_server_used*"
        + (cell["onprem_servers"] if first else f"({cell['onprem_servers']}-{prev['onprem_servers']})"),
        "onprem_cash": f"{cell['onprem_capex']}+(onprem_fixed+onprem_variable*{R}"
        f"+onprem_running_per_server*{cell['onprem_servers']})",
        "discount_factor": f"1/(1+pj_monthly_rate)^{t}",
    }
    for cum, col in (
        ("cumulative_api", "api"),
        ("cumulative_cloud", "cloud"),
        ("cumulative_onprem_cash", "onprem_cash"),
        ("cumulative_onprem", "onprem"),
    ):
        f[cum] = cell[col] if first else f"{prev[cum]}+{cell[col]}"
    for flag, cum in (
        ("paid_back_cloud", "cumulative_cloud"),
        ("paid_back_onprem_cash", "cumulative_onprem_cash"),
        ("paid_back_onprem", "cumulative_onprem"),
    ):
        f[flag] = f'IF({cell[cum]}<={cell["cumulative_api"]},{t},"")'
    out = {k: (f'=IF(ISNUMBER({t}),{expr},"")', _FORMATS.get(k, "money0")) for k, expr in f.items()}
    out["month"] = (
        '=IF(pj_ok,1,"")'
        if first
        else f'=IF(AND(ISNUMBER({prev["month"]}),{prev["month"]}<horizon_months_used),{prev["month"]}+1,"")',
        "int",
    )
    for col, src in zip(CHART_COLS, ("month", "cumulative_api", "cumulative_cloud", "cumulative_onprem_cash")):
        out[col] = (f"={cell[src]}" if first else f"=IF(ISNUMBER({t}),{cell[src]},{col}{{p}})", None)
    out.update(hybrid_templates(cell, prev, first, FIRST_ROW))
    return out


def chart_headers(ws) -> None:
    """Headers of the hidden chart columns (month and cumulative costs, the last month repeated past the
    horizon: a chart over all rows then spans exactly the horizon)."""
    for col, label in zip(
        (*CHART_COLS, *_HYBRID_CHART_COLS),
        (
            "chart: month",
            "cumulative API",
            "cumulative cloud",
            "cumulative on-prem, cash",
            "cumulative hybrid cloud",
            "cumulative hybrid on-prem, cash",
        ),
    ):
        put_text(ws, f"{col}{HEADER_ROW}", label, "header")
