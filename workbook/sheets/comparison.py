"""The Comparison sheet: each option's monthly cost, cost per request and per MTok, GPUs, replicas and
utilisation at the scenario's volume, and the workings behind each option's cost coefficients.

Every option costs ``fixed + variable x R + step x replicas(R)`` per month with
``replicas(R) = max(min_replicas, ceil(R x peak_to_average / capacity))`` (``costengine.plan``).
The top table has one column per option and one formula per row; the blocks below derive each
option's fixed, variable and step costs, one quantity per row.
"""

from __future__ import annotations

from costengine.engine import PAIRS
from costengine.plan import OPTIONS

from ..kit import Book, Rows, escape_lookup, header_row, heading, setup_sheet
from .token_pricing import TierColumns

__all__ = ["SHEET", "build"]

SHEET = "Comparison"
_COLS = ("C", "D", "E")


def _tiered(kind: str, tiers: int) -> str:
    """The catalog price of ``kind`` for the prompt size: the last tier whose start <= prompt_tokens."""
    expr = f"INDEX(tp_{kind},[row])"
    for t in range(1, tiers + 1):
        start = f"INDEX(tp_tier{t}_from,[row])"
        expr = f"IF(AND(ISNUMBER({start}),prompt_tokens_used>={start}),INDEX(tp_tier{t}_{kind},[row]),{expr})"
    return f'=IF(ISNUMBER([row]),{expr},"n/a")'


def _tier_start(tiers: int) -> str:
    expr = "0"
    for t in range(1, tiers + 1):
        start = f"INDEX(tp_tier{t}_from,[row])"
        expr = f"IF(AND(ISNUMBER({start}),prompt_tokens_used>={start}),{start},{expr})"
    return f'=IF(ISNUMBER([row]),{expr},"n/a")'


def build(book: Book, tiers: TierColumns) -> None:
    ws = book.sheet(SHEET)
    heading(ws, "Comparison: API, cloud GPUs or on-premises servers",
            '="At "&TEXT(requests_per_month_used,"#,##0")&" requests per month of "&TEXT(prompt_tokens_used,'
        '"#,##0")&" + "&TEXT(output_tokens_used,"#,##0")&" tokens; money in "&currency_used&"."')

    # --- the answers ---------------------------------------------------------------------------------
    a = Rows(book, ws, 3, value_cols=("C",), note_col="D")
    a.section("Answer", gap=1)
    a.add("cheapest", "cheapest option", "option",
          '=IF(input_problems>0,"check Inputs",INDEX(list_options,MATCH(MIN(cmp_cost),cmp_cost,0)))',
          kind="answer", names="cheapest_option",
          note="ties go to the first of api, cloud, onprem")
    for pair in PAIRS:
        a.add(f"be_{pair[0]}_{pair[1]}", f"break-even {pair[0]} / {pair[1]}", "requests/month",
              f"=breakeven_{pair[0]}_{pair[1]}", kind="link", fmt="volume",
              note="volume where the two monthly costs cross (Break-even sheet); none = they never cross")

    # --- one column per option ------------------------------------------------------------------------
    top = a.row + 1
    header_row(ws, top, ["quantity", "unit", *OPTIONS, "note"])
    m = Rows(book, ws, top + 1, value_cols=_COLS, note_col="F")
    m.add("option", "option", "id", list(OPTIONS), kind="const")
    m.add("R", "requests per month", "requests/month", "=requests_per_month_used", kind="link", fmt="volume")
    m.add("fixed", "fixed cost", "money/month", ["=api_fixed", "=cloud_fixed", "=onprem_fixed"], kind="link",
          fmt="money")
    m.add("variable", "variable cost", "money/request", ["=api_variable", "=cloud_variable", "=onprem_variable"],
          kind="link", fmt="money_small")
    m.add("step", "cost per replica", "money/month/replica", ["=api_step", "=cloud_step", "=onprem_step"],
          kind="link", fmt="money")
    m.add("seconds", "seconds per request", "s", ["n/a", "=cloud_seconds_per_request", "=onprem_seconds_per_request"],
          kind="link", fmt="seconds")
    m.add("capacity", "capacity of one replica", "requests/month", ["n/a", "=cloud_capacity", "=onprem_capacity"],
          kind="link", fmt="volume", note="hours x 3600 / seconds per request x target utilisation")
    m.add("min_rep", "minimum replicas", "count", [0, "=min_replicas_used", "=min_replicas_used"], kind="link",
          fmt="int")
    m.add("gpr", "GPUs per replica", "count", [0, "=cloud_gpus_per_replica_used", "=onprem_gpus_per_server_used"],
          kind="link", fmt="int")
    m.add("replicas", "replicas", "count",
          '=IF(ISNUMBER([capacity]),IF(ISNUMBER([R]),MAX([min_rep],ROUNDUP([R]*peak_to_average_used/[capacity],0)),'
          '"n/a"),0)', fmt="int",
          note="max(minimum, ceil(R x peak-to-average / capacity))")
    m.add("cost", "monthly cost", "money/month",
          '=IF(input_problems>0,"check Inputs",[fixed]+[variable]*[R]+[step]*[replicas])', kind="answer",
          fmt="money", names=[f"{o}_monthly_cost" for o in OPTIONS], note="fixed + variable x R + step x replicas")
    m.add("per_request", "cost per request", "money/request",
          '=IF(ISNUMBER([cost]),IF([R]>0,[cost]/[R],"n/a"),[cost])', fmt="money_small")
    m.add("per_mtok", "cost per million tokens", "money/MTok",
          '=IF(ISNUMBER([cost]),IF([R]*tokens_per_request>0,[cost]/([R]*tokens_per_request/c_tokens_per_mtok),"n/a"),'
          '[cost])', fmt="price", note="prompt + output tokens")
    m.add("gpus", "GPUs in use", "count", '=IF(ISNUMBER([cost]),[replicas]*[gpr],"n/a")', fmt="count")
    m.add("util", "utilisation", "share",
          '=IF(AND(ISNUMBER([seconds]),ISNUMBER([R]),ISNUMBER([replicas])),IF([replicas]>0,'
          '[R]*[seconds]/(hours_per_month_used*c_seconds_per_hour)/[replicas],"n/a"),"n/a")', fmt="share",
          note="average busy share of the replicas paid for")
    m.add("mark", "", "", '=IF(cheapest_option=[option],"cheapest","")', kind="bold")
    book.names_many([("comparison_options", SHEET, f"C{m.at['option']}:E{m.at['option']}")]
                    + [(f"cmp_{k}", SHEET, f"C{m.at[k]}:E{m.at[k]}")
                       for k in ("fixed", "variable", "step", "capacity", "min_rep", "cost")])

    # --- workings: API ------------------------------------------------------------------------------------
    w = Rows(book, ws, m.row, value_cols=("C",), note_col="D")
    w.section("API: price per request", gap=2)
    w.add("model", "api_model", "id", "=api_model_used", kind="link")
    w.add("key", "lookup key", "text", "=" + escape_lookup("[model]"), note="the id with MATCH wildcards escaped")
    w.add("row", "row in the api_model list (Token Pricing)", "row",
          '=IF(ISNA(MATCH([key],tp_ref,0)),"not in list",MATCH([key],tp_ref,0))', fmt="int", names="api_model_row")
    w.add("provider", "provider (catalog)", "id", '=IF(ISNUMBER([row]),INDEX(tp_provider,[row]),"n/a")', kind="link")
    w.add("cat_model", "model (catalog)", "id", '=IF(ISNUMBER([row]),INDEX(tp_model,[row]),"n/a")', kind="link")
    w.add("tier", "price tier from", "prompt tokens", _tier_start(tiers.tiers), fmt="count",
          note="0 = base prices; some models charge more above a prompt size")
    w.add("cat_in", "input price (catalog)", "USD/MTok", _tiered("input", tiers.tiers), kind="link", fmt="price")
    w.add("cat_out", "output price (catalog)", "USD/MTok", _tiered("output", tiers.tiers), kind="link", fmt="price")
    w.add("cat_cache", "cached input price (catalog)", "USD/MTok", _tiered("cache_read", tiers.tiers), kind="link",
          fmt="price")
    for key, src, label in (("pin", "cat_in", "input"), ("pout", "cat_out", "output"),
                            ("pcache", "cat_cache", "cached_input")):
        given = f"api_{label}_price_per_mtok"
        w.add(key, f"{label.replace('_', ' ')} price used", "money/MTok",
              f'=IF(LEN(TRIM({given}))=0,IF(ISNUMBER([{src}]),[{src}]*usd_to_currency_used,"n/a"),{given})',
              fmt="price", names=f"{given}_used", note=f"typed {given}, or catalog x usd_to_currency")
    w.add("api_var", "cost per request", "money/request",
          '=IF(AND(ISNUMBER([pin]),ISNUMBER([pout]),ISNUMBER([pcache])),'
          '(prompt_tokens_used*((1-api_cached_input_share_used)*[pin]'
          '+api_cached_input_share_used*[pcache])+output_tokens_used*[pout])/c_tokens_per_mtok'
          '*(1-api_batch_share_used*api_batch_discount_used),"n/a")', fmt="money_small", names="api_variable",
          note="(p x ((1-c) x input + c x cached) + o x output) / 1e6 x (1 - batch share x discount)")
    w.add("api_fixed", "fixed cost", "money/month", "=api_monthly_fixed_used", kind="link", fmt="money",
          names="api_fixed")
    w.add("api_step", "cost per replica", "money/month/replica", 0, fmt="money", names="api_step",
          note="pay per token: no replicas")

    # --- workings: cloud ----------------------------------------------------------------------------------
    w.section("Cloud: rented GPUs")
    w.add("c_gpus", "GPUs per replica", "count", "=cloud_gpus_per_replica_used", kind="link", fmt="int")
    w.add("c_s", "seconds per request", "s", "=cloud_seconds_per_request", kind="link", fmt="seconds")
    w.add("c_cat", "GPU-hour price (catalog)", "USD/GPU-h", "=cloud_gpu_catalog_price", kind="link", fmt="price")
    w.add("c_price", "GPU-hour price used", "money/GPU-h",
          '=IF(LEN(TRIM(cloud_price_per_gpu_hour))=0,IF(ISNUMBER([c_cat]),[c_cat]*usd_to_currency_used,"n/a"),'
          'cloud_price_per_gpu_hour)', fmt="price", names="cloud_price_per_gpu_hour_used")
    w.add("c_billing", "billing", "name", "=cloud_billing_used", kind="link")
    w.add("c_per_second", "pay per busy second", "yes/no", '=[c_billing]="per_second"')
    ok = "AND(ISNUMBER([c_gpus]),ISNUMBER([c_s]),ISNUMBER([c_price]))"
    w.add("c_fixed", "fixed cost", "money/month", "=cloud_monthly_overhead_used+staff_monthly_used", fmt="money",
          names="cloud_fixed", note="overhead + staff")
    w.add("c_var", "variable cost", "money/request",
          f'=IF({ok},IF([c_per_second],[c_s]*[c_gpus]*[c_price]/c_seconds_per_hour,0),"n/a")', fmt="money_small",
          names="cloud_variable", note="per_second: seconds x GPUs x price / 3600")
    w.add("c_step", "cost per replica", "money/month/replica",
          f'=IF({ok},IF([c_per_second],0,[c_gpus]*[c_price]*hours_per_month_used),"n/a")', fmt="money",
          names="cloud_step", note="reserved: GPUs x price x hours per month")
    w.add("c_cap", "capacity of one replica", "requests/month",
          '=IF(ISNUMBER([c_s]),hours_per_month_used*c_seconds_per_hour/[c_s]*target_utilization_used,"n/a")',
          fmt="volume", names="cloud_capacity")

    # --- workings: on-premises -----------------------------------------------------------------------------
    w.section("On-premises: bought servers (one replica = one server)")
    w.add("o_gpus", "GPUs per server", "count", "=onprem_gpus_per_server_used", kind="link", fmt="int")
    w.add("o_s", "seconds per request", "s", "=onprem_seconds_per_request", kind="link", fmt="seconds")
    w.add("o_gpu_price", "GPU price (catalog)", "USD", "=onprem_gpu_catalog_price", kind="link", fmt="money0")
    w.add("o_tdp", "GPU TDP (catalog)", "W", "=onprem_gpu_tdp", kind="link", fmt="count")
    w.add("o_capex", "capex per server used", "money",
          '=IF(LEN(TRIM(onprem_capex_per_server))=0,IF(AND(ISNUMBER([o_gpus]),ISNUMBER([o_gpu_price])),'
          '[o_gpus]*[o_gpu_price]*c_capex_host_factor*usd_to_currency_used,"n/a"),onprem_capex_per_server)',
          fmt="money0", names="onprem_capex_per_server_used",
          note="typed, or GPUs x GPU price x host factor x usd_to_currency")
    w.add("o_power", "power per server used", "kW",
          '=IF(LEN(TRIM(onprem_power_kw))=0,IF(AND(ISNUMBER([o_gpus]),ISNUMBER([o_tdp])),'
          '[o_tdp]*[o_gpus]/c_watts_per_kw'
          '+c_host_power_kw,"n/a"),onprem_power_kw)', fmt="ratio", names="onprem_power_kw_used",
          note="typed, or TDP x GPUs / 1000 + host power")
    w.add("o_rate", "monthly interest rate", "per month", "=onprem_interest_rate_used/c_months_per_year",
          fmt="0.0000%")
    w.add("o_capital", "capital per server", "money/month",
          '=IF(NOT(ISNUMBER([o_capex])),"n/a",IF(onprem_amortization_months_used>0,IF([o_rate]>0,'
          '[o_capex]*[o_rate]/(1-(1+[o_rate])^(-onprem_amortization_months_used)),'
          '[o_capex]/onprem_amortization_months_used),0))', fmt="money",
          note="straight line capex / months, or the annuity payment when a rate is given; 0 when months = 0")
    w.add("o_energy", "energy per server", "money/month",
          '=IF(ISNUMBER([o_power]),[o_power]*onprem_pue_used*hours_per_month_used*onprem_price_per_kwh_used,"n/a")',
          fmt="money", names="onprem_energy_per_server", note="kW x PUE x hours x price per kWh")
    w.add("o_maint", "maintenance per server", "money/month", "=onprem_maintenance_monthly_used", kind="link",
          fmt="money")
    w.add("o_step", "cost per replica", "money/month/replica",
          '=IF(AND(ISNUMBER([o_capital]),ISNUMBER([o_energy])),[o_capital]+[o_energy]+[o_maint],"n/a")', fmt="money",
          names="onprem_step", note="capital + energy + maintenance")
    w.add("o_fixed", "fixed cost", "money/month", "=staff_monthly_used", kind="link", fmt="money",
          names="onprem_fixed", note="staff")
    w.add("o_var", "variable cost", "money/request", 0, fmt="money_small", names="onprem_variable")
    w.add("o_cap", "capacity of one server", "requests/month",
          '=IF(ISNUMBER([o_s]),hours_per_month_used*c_seconds_per_hour/[o_s]*target_utilization_used,"n/a")',
          fmt="volume", names="onprem_capacity")
    setup_sheet(ws, widths={"A": 40, "B": 20, "C": 17, "D": 17, "E": 17, "F": 58}, freeze="A4",
                print_area=f"A1:F{w.row - 1}", landscape=False)
