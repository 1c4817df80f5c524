"""The Comparison sheet's on-premises workings: bought servers (``costengine.resolve.resolve_onprem``), one
quantity per row.

The server (typed ``onprem_server``, else the standard server of ``onprem_gpu`` on the Servers sheet, or typed
GPUs, capex, power and support), its capital, energy, colocation and support costs, and replicas packed into whole
servers. Defines ``onprem_fixed``, ``onprem_variable``, ``onprem_step``, ``onprem_capacity``, ``onprem_min_units``
(the Comparison table reads them), ``onprem_node_gpus`` (the Sizing sheet reads it) and ``onprem_billing_check``.
"""

from __future__ import annotations

from ..kit import Rows, wrap_ids
from .inputs import SELF_HOSTING_OK
from .inputs_checks import SPREAD_UNITS
from .price_dates import price_age_formula

__all__ = ["onprem_rows"]


def onprem_rows(w: Rows) -> None:
    """The on-premises rows of the workings: server, costs per server, replica and unit capacity, step cost."""
    w.section("On-premises: bought servers (the catalog's server, replicas packed into whole servers)")
    w.guard = SELF_HOSTING_OK
    typed = {
        k: f"LEN(TRIM({k}))>0"
        for k in ("onprem_gpus_per_server", "onprem_capex_per_server", "onprem_power_kw", "onprem_maintenance_monthly")
    }
    w.add(
        "o_need",
        "server catalog needed",
        "yes/no",
        "=NOT(AND(" + ",".join(typed.values()) + "))",
        note="unless GPUs per server, capex, power and maintenance are all typed",
    )
    w.add(
        "o_row",
        "row of the server (Servers)",
        "row",
        '=IF(NOT([o_need]),"n/a",IF(LEN(TRIM(onprem_server))>0,IF(ISNA(MATCH(TRIM(onprem_server),list_servers,0)),'
        '"not in catalog",MATCH(TRIM(onprem_server),list_servers,0)),IF(COUNT(sv_pick_key)>0,'
        'MATCH(MIN(sv_pick_key),sv_pick_key,0),"none")))',
        fmt="int",
        names="onprem_server_row",
        note="typed onprem_server, or the standard server of onprem_gpu",
    )
    w.add(
        "o_server",
        "server",
        "id",
        '=IF(ISNUMBER([o_row]),INDEX(list_servers,[o_row]),"")',
        kind="link",
        names="onprem_server_used",
    )
    wrap_ids(w.ws, w.at["o_server"], "C")
    w.add(
        "o_age",
        "price age note",
        "text",
        price_age_formula("server", "[o_row]", "[o_server]", "sv", priced="sv_price_usd"),
        names="onprem_price_age_note",
        note="the server's catalog price undated or older than c_stale_days at the catalog's date (c_catalog_day), "
        "with its age (none for a server without a catalog price)",
    )
    w.add(
        "o_sv_gpus",
        "GPUs per server (catalog)",
        "count",
        '=IF(ISNUMBER([o_row]),INDEX(sv_gpus_per_server,[o_row]),"n/a")',
        kind="link",
        fmt="int",
    )
    w.add("o_gpu_price", "GPU price (catalog)", "USD", "=onprem_gpu_catalog_price", kind="link", fmt="money0")
    w.add("o_tdp", "GPU TDP (catalog)", "W", "=onprem_gpu_tdp", kind="link", fmt="count")
    sv = lambda col: f"INDEX(sv_{col},[o_row])"  # noqa: E731
    w.add(
        "o_sv_price",
        "server price",
        "USD",
        f"=IF(ISNUMBER([o_row]),IF(ISNUMBER({sv('price_usd')}),{sv('price_usd')},IF(AND(ISNUMBER([o_gpu_price]),"
        f'ISNUMBER([o_sv_gpus])),[o_sv_gpus]*[o_gpu_price]*c_capex_host_factor,"n/a")),"n/a")',
        fmt="money0",
        note="the catalog's, or (blank there) GPUs x GPU price x host factor: an estimate",
    )
    w.add(
        "o_sv_typical",
        "server typical power",
        "kW",
        f"=IF(ISNUMBER([o_row]),IF(ISNUMBER({sv('typical_kw')}),{sv('typical_kw')},IF(AND(ISNUMBER([o_tdp]),"
        f"ISNUMBER([o_sv_gpus])),IF(ISNUMBER({sv('max_kw')}),MIN([o_sv_gpus]*[o_tdp]/c_watts_per_kw"
        f"*c_server_power_per_gpu_tdp,{sv('max_kw')}),[o_sv_gpus]*[o_tdp]/c_watts_per_kw*c_server_power_per_gpu_tdp),"
        f'"n/a")),"n/a")',
        fmt="ratio",
        note="the catalog's, or GPUs x TDP x the DGX H100 ratio: an estimate",
    )
    w.add(
        "o_sv_max",
        "server maximum power",
        "kW",
        f'=IF(ISNUMBER([o_row]),IF(ISNUMBER({sv("max_kw")}),{sv("max_kw")},[o_sv_typical]),"n/a")',
        fmt="ratio",
    )
    w.add(
        "o_sv_support",
        "server support",
        "USD/year",
        f"=IF(ISNUMBER([o_row]),IF(ISNUMBER({sv('support_per_year_usd')}),{sv('support_per_year_usd')},"
        f'IF(ISNUMBER([o_sv_price]),c_support_share*[o_sv_price],"n/a")),"n/a")',
        fmt="money0",
        note="the catalog's, or the DGX H100 share of the price: an estimate",
    )
    w.add(
        "o_node",
        "GPUs per server used",
        "count",
        f"=IF({typed['onprem_gpus_per_server']},onprem_gpus_per_server_typed,[o_sv_gpus])",
        fmt="int",
        names="onprem_gpus_per_server_used",
    )
    w.add(
        "o_node2", "GPUs per node for layouts", "count", "=[o_node]", kind="link", fmt="int", names="onprem_node_gpus"
    )
    w.add(
        "o_capex",
        "capex per server used",
        "money",
        f"=IF({typed['onprem_capex_per_server']},onprem_capex_per_server_typed,IF(ISNUMBER([o_sv_price]),"
        f'[o_sv_price]*usd_to_currency_used,"n/a"))',
        fmt="money0",
        names="onprem_capex_per_server_used",
    )
    w.add(
        "o_power",
        "power per server used",
        "kW",
        f"=IF({typed['onprem_power_kw']},onprem_power_kw_typed,[o_sv_typical])",
        fmt="ratio",
        names="onprem_power_kw_used",
    )
    w.add(
        "o_max_kw",
        "power provisioned per server",
        "kW",
        f"=IF({typed['onprem_power_kw']},onprem_power_kw_typed,[o_sv_max])",
        fmt="ratio",
        note="colocation is rented on the servers' maximum power",
    )
    w.add(
        "o_maint",
        "support per server",
        "money/month",
        f"=IF({typed['onprem_maintenance_monthly']},onprem_maintenance_monthly_typed,IF(ISNUMBER([o_sv_support]),"
        f'[o_sv_support]*usd_to_currency_used/c_months_per_year,"n/a"))',
        fmt="money",
        names="onprem_maintenance_monthly_used",
    )
    w.add("o_gpus", "GPUs per replica", "count", "=onprem_gpus_per_replica_used", kind="link", fmt="int")
    w.add("o_s", "seconds per request", "s", "=onprem_seconds_per_request", kind="link", fmt="seconds")
    w.add("o_rate", "monthly interest rate", "per month", "=onprem_interest_rate_used/c_months_per_year", fmt="0.0000%")
    w.add(
        "o_capital",
        "capital per server",
        "money/month",
        '=IF(NOT(ISNUMBER([o_capex])),"n/a",IF(onprem_amortization_months_used>0,IF([o_rate]>0,'
        "[o_capex]*[o_rate]/(1-(1+[o_rate])^(-onprem_amortization_months_used)),"
        "[o_capex]/onprem_amortization_months_used),0))",
        fmt="money",
        names="onprem_capital_per_server",
        note="straight line capex / months, or the annuity payment when a rate is given; 0 when months = 0",
    )
    w.add(
        "o_energy",
        "energy per server",
        "money/month",
        '=IF(ISNUMBER([o_power]),[o_power]*onprem_pue_used*hours_per_month_used*onprem_price_per_kwh_used,"n/a")',
        fmt="money",
        names="onprem_energy_per_server",
        note="kW x PUE x hours x price per kWh",
    )
    w.add(
        "o_colo",
        "colocation per server",
        "money/month",
        '=IF(ISNUMBER([o_max_kw]),[o_max_kw]*onprem_colo_per_kw_month_used,"n/a")',
        fmt="money",
        note="maximum kW x colocation price per kW-month",
    )
    ok = "AND(ISNUMBER([o_gpus]),ISNUMBER([o_s]),ISNUMBER([o_node]))"
    w.add(
        "o_per_unit",
        "replicas per unit",
        "count",
        f'=IF({ok},IF([o_gpus]<=[o_node],INT([o_node]/[o_gpus]),1),"n/a")',
        fmt="int",
    )
    w.add(
        "o_nodes",
        "servers per unit",
        "count",
        f'=IF({ok},IF([o_gpus]<=[o_node],1,ROUNDUP([o_gpus]/[o_node],0)),"n/a")',
        fmt="int",
        names="onprem_servers_per_unit",
    )
    w.add(
        "o_gpu_unit",
        "GPUs per unit",
        "count",
        f'=IF({ok},[o_nodes]*[o_node],"n/a")',
        fmt="int",
        names="onprem_gpus_per_unit",
    )
    w.add(
        "o_running",
        "running cost per server",
        "money/month",
        '=IF(AND(ISNUMBER([o_energy]),ISNUMBER([o_colo]),ISNUMBER([o_maint])),[o_energy]+[o_colo]+[o_maint],"n/a")',
        fmt="money",
        names="onprem_running_cost",
        note="energy + colocation + support",
    )
    w.add(
        "o_step",
        "cost per unit",
        "money/month/unit",
        f'=IF(AND({ok},ISNUMBER([o_capital]),ISNUMBER([o_running])),[o_nodes]*([o_capital]+[o_running]),"n/a")',
        fmt="money",
        names="onprem_step",
        note="servers of the unit x (capital + running)",
    )
    w.add(
        "o_fixed",
        "fixed cost",
        "money/month",
        "=IF(LEN(TRIM(staff_monthly))=0,onprem_staff_fte_used*staff_cost_per_fte_year_used/c_months_per_year,"
        "staff_monthly_typed)",
        fmt="money",
        names="onprem_fixed",
        note="staff: typed, or FTE x cost per FTE-year / 12",
    )
    w.add("o_var", "variable cost", "money/request", 0, fmt="money_small", names="onprem_variable")
    w.add(
        "o_rep_cap",
        "capacity of one replica",
        "requests/month",
        f'=IF({ok},hours_per_month_used*c_seconds_per_hour/[o_s]*target_utilization_used,"n/a")',
        fmt="volume",
        names="onprem_replica_capacity",
    )
    w.add(
        "o_cap",
        "capacity of one unit",
        "requests/month",
        '=IF(ISNUMBER([o_rep_cap]),[o_rep_cap]*[o_per_unit],"n/a")',
        fmt="volume",
        names="onprem_capacity",
    )
    w.add(
        "o_min_units",
        "minimum units",
        "count",
        f'=IF({ok},MAX(ROUNDUP(min_replicas_used/[o_per_unit],0),{SPREAD_UNITS}),"n/a")',
        fmt="int",
        names="onprem_min_units",
    )
    w.guard_text = ""
    w.add(
        "o_check",
        "check",
        "",
        '=IF(OR(NOT([o_need]),NOT(ISNUMBER(onprem_gpu_row))),"",'
        'IF(LEN(TRIM(onprem_server))>0,IF(NOT(ISNUMBER([o_row])),"onprem_server: unknown '
        'server: pick an id of the Servers sheet",IF(LOWER(INDEX(sv_gpu,[o_row]))<>LOWER(onprem_gpu_used),'
        '"onprem_server: server "&[o_server]&" has "&INDEX(sv_gpu,[o_row])&" GPUs, not onprem_gpu "&onprem_gpu_used,'
        '"")),""))',
        kind="check",
        names="onprem_billing_check",
    )
    w.add(  # valid inputs the catalog has no server for: on-premises is not feasible (the engine's Infeasible)
        "o_not_feasible",
        "not feasible (server)",
        "",
        '=IF(OR(NOT([o_need]),NOT(ISNUMBER(onprem_gpu_row)),LEN(TRIM(onprem_server))>0),"",'
        'IF(NOT(ISNUMBER([o_row])),"the server catalog has no server with "&onprem_gpu_used&'
        '" GPUs; give onprem_server, or onprem_gpus_per_server, onprem_capex_per_server and onprem_power_kw",""))',
        kind="check",
        names="onprem_server_not_feasible",
    )
