"""The Comparison sheet: each option's monthly cost, cost per request and per MTok, GPUs, replicas and
utilisation at the scenario's volume, and the workings behind each option's cost coefficients.

Every option costs ``fixed + variable x R + step x replicas(R)`` per month with
``replicas(R) = max(min_replicas, ceil(R x peak_to_average / capacity))`` (``costengine.plan``).
The top table has one column per option and one formula per row; the blocks below derive each
option's fixed, variable and step costs, one quantity per row.
"""

from __future__ import annotations

from openpyxl.styles import Alignment

from costengine.engine import PAIRS
from costengine.plan import OPTIONS

from ..kit import Book, Rows, escape_lookup, header_row, heading, setup_sheet, units_needed
from .inputs import API_OK, SELF_HOSTING_OK
from .token_pricing import TierColumns

__all__ = ["SHEET", "build"]

SHEET = "Comparison"
_COLS = ("C", "D", "E")


def _wrap_ids(ws, row: int, cols: str) -> None:
    """Catalog ids run to ~40 characters: wrapped on up to three lines, not cut by the next column in print."""
    for col in "ABCDEF":  # the label and the note level with the first line
        ws[f"{col}{row}"].alignment = Alignment(
            wrap_text=col in cols, vertical="top", horizontal="right" if col in cols else None
        )
    ws.row_dimensions[row].height = 45


def _tiered(kind: str, tiers: int) -> str:
    """The catalog price of ``kind`` for the prompt size: the last tier whose start <= prompt_tokens."""
    expr = f"INDEX(tp_{kind},[row])"
    for t in range(1, tiers + 1):
        start = f"INDEX(tp_tier{t}_from,[row])"
        expr = f"IF(AND(ISNUMBER({start}),prompt_tokens_used>={start}),INDEX(tp_tier{t}_{kind},[row]),{expr})"
    return f'=IF(ISNUMBER([row]),{expr},"n/a")'


def _only(expr: str, chars: str) -> str:
    """True when ``expr`` holds only the characters ``chars``."""
    for ch in chars:
        expr = f'SUBSTITUTE({expr},"{ch}","")'
    return f"LEN({expr})=0"


def _undated(m: str) -> str:
    """``m`` without a trailing date: -YYYYMMDD or @YYYYMMDD, or -YYYY-MM-DD (ten digits-or-dashes with two
    dashes), as :func:`costengine.acceptance.api_model_base` removes it."""
    digits = "0123456789"
    short, long_ = "c_date_suffix_short", "c_date_suffix_long"
    is_short = (
        f'AND(LEN({m})>{short},OR(LEFT(RIGHT({m},{short}),1)="-",LEFT(RIGHT({m},{short}),1)="@"),'
        f"{_only(f'RIGHT({m},{short}-1)', digits)})"
    )
    tail = f"RIGHT({m},{long_}-1)"
    is_long = (
        f'AND(LEN({m})>{long_},LEFT(RIGHT({m},{long_}),1)="-",{_only(tail, digits + "-")},'
        f'LEN({tail})-LEN(SUBSTITUTE({tail},"-",""))=2)'
    )
    return f"IF({is_short},LEFT({m},LEN({m})-{short}),IF({is_long},LEFT({m},LEN({m})-{long_}),{m}))"


def _tier_start(tiers: int) -> str:
    expr = "0"
    for t in range(1, tiers + 1):
        start = f"INDEX(tp_tier{t}_from,[row])"
        expr = f"IF(AND(ISNUMBER({start}),prompt_tokens_used>={start}),{start},{expr})"
    return f'=IF(ISNUMBER([row]),{expr},"n/a")'


def build(book: Book, tiers: TierColumns) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Comparison: API, cloud GPUs or on-premises servers",
        '="At "&TEXT(requests_per_month_used,"#,##0")&" requests per month of "&TEXT(prompt_tokens_used,'
        '"#,##0")&" + "&TEXT(output_tokens_used,"#,##0")&" tokens; money in "&currency_used&"."',
    )

    # --- the answers ---------------------------------------------------------------------------------
    a = Rows(book, ws, 3, value_cols=("C",), note_col="D")
    a.section("Answer", gap=1)
    a.add(
        "cheapest",
        "cheapest option",
        "option",
        '=IF(SUMPRODUCT(option_problems)>0,"check Inputs",INDEX(list_options,MATCH(MIN(cmp_cost),cmp_cost,0)))',
        kind="answer",
        names="cheapest_option",
        note="ties go to the first of api, cloud, onprem",
    )
    for pair in PAIRS:
        a.add(
            f"be_{pair[0]}_{pair[1]}",
            f"break-even {pair[0]} / {pair[1]}",
            "requests/month",
            f"=breakeven_{pair[0]}_{pair[1]}",
            kind="link",
            fmt="volume",
            note="volume where the two monthly costs cross (Break-even sheet); none = they never cross",
        )

    # --- one column per option ------------------------------------------------------------------------
    top = a.row + 1
    header_row(ws, top, ["quantity", "unit", *OPTIONS, "note"])
    m = Rows(book, ws, top + 1, value_cols=_COLS, note_col="F")
    m.add("option", "option", "id", list(OPTIONS), kind="const")
    m.guard = "INDEX(option_problems,MATCH([option],list_options,0))=0"  # per option: the others stay shown
    m.add("R", "requests per month", "requests/month", "=requests_per_month_used", kind="link", fmt="volume")
    m.add(
        "fixed", "fixed cost", "money/month", ["=api_fixed", "=cloud_fixed", "=onprem_fixed"], kind="link", fmt="money"
    )
    m.add(
        "variable",
        "variable cost",
        "money/request",
        ["=api_variable", "=cloud_variable", "=onprem_variable"],
        kind="link",
        fmt="money_small",
    )
    m.add(
        "free",
        "volume before the variable cost",
        "requests/month",
        [0, "=cloud_free_volume", 0],
        kind="link",
        fmt="volume",
        note="per-second billing: what the warm minimum replicas serve",
    )
    m.add(
        "step",
        "cost per unit",
        "money/month/unit",
        ["=api_step", "=cloud_step", "=onprem_step"],
        kind="link",
        fmt="money",
        note="a unit: an instance or server (or the ones one replica spans)",
    )
    m.add(
        "seconds",
        "seconds per request",
        "s",
        ["n/a", "=cloud_seconds_per_request", "=onprem_seconds_per_request"],
        kind="link",
        fmt="seconds",
    )
    m.add(
        "capacity",
        "capacity of one unit",
        "requests/month",
        ["n/a", "=cloud_capacity", "=onprem_capacity"],
        kind="link",
        fmt="volume",
        note="replicas per unit x hours x 3600 / seconds per request x utilisation",
    )
    m.add("min_units", "minimum units", "count", [0, "=cloud_min_units", "=onprem_min_units"], kind="link", fmt="int")
    m.add(
        "rep_cap",
        "capacity of one replica",
        "requests/month",
        ["n/a", "=cloud_replica_capacity", "=onprem_replica_capacity"],
        kind="link",
        fmt="volume",
    )
    m.add(
        "gpr",
        "GPUs per replica",
        "count",
        ["n/a", "=cloud_gpus_per_replica_used", "=onprem_gpus_per_replica_used"],
        kind="link",
        fmt="int",
    )
    m.add(
        "gpu_unit",
        "GPUs per unit",
        "count",
        [0, "=cloud_gpus_per_unit", "=onprem_gpus_per_unit"],
        kind="link",
        fmt="int",
    )
    m.add(
        "units",
        "units bought",
        "count",
        f'=IF(ISNUMBER([capacity]),IF(ISNUMBER([R]),{units_needed("[R]", "[capacity]", "[min_units]")},"n/a"),0)',
        fmt="int",
        note="max(minimum, ceil(R x peak-to-average / unit capacity))",
    )
    m.add(
        "replicas",
        "replicas",
        "count",
        f'=IF(ISNUMBER([rep_cap]),IF(ISNUMBER([R]),{units_needed("[R]", "[rep_cap]", "min_replicas_used")},"n/a"),0)',
        fmt="int",
        note="max(min_replicas, ceil(R x peak-to-average / replica capacity))",
    )
    m.add(
        "cost",
        "monthly cost",
        "money/month",
        "=IF(AND(ISNUMBER([fixed]),ISNUMBER([variable]),ISNUMBER([free]),ISNUMBER([step]),ISNUMBER([units])),"
        '[fixed]+[variable]*MAX([R]-[free],0)+[step]*[units],"n/a")',
        kind="answer",
        fmt="money",
        names=[f"{o}_monthly_cost" for o in OPTIONS],
        note="fixed + variable x max(0, R - free volume) + step x units",
    )
    m.add(
        "per_request",
        "cost per request",
        "money/request",
        '=IF(ISNUMBER([cost]),IF([R]>0,[cost]/[R],"n/a"),[cost])',
        fmt="money_small",
    )
    m.add(
        "per_mtok",
        "cost per million tokens",
        "money/MTok",
        '=IF(ISNUMBER([cost]),IF([R]*(prompt_tokens_used+output_tokens_used)>0,[cost]/([R]*(prompt_tokens_used+output_tokens_used)/c_tokens_per_mtok),"n/a"),'
        "[cost])",
        fmt="price",
        note="prompt + output tokens",
    )
    m.add(
        "gpus",
        "GPUs paid for",
        "count",
        "=IF(ISNUMBER([cost]),IF(ISNUMBER([capacity]),[units]*[gpu_unit],IF(ISNUMBER([gpr]),[replicas]*[gpr],0)),"
        '"n/a")',
        fmt="count",
        note="whole instances or servers; per-second: the replicas serving the peak",
    )
    m.add(
        "util",
        "utilisation",
        "share",
        "=IF(AND(ISNUMBER([seconds]),ISNUMBER([R]),ISNUMBER([gpus]),ISNUMBER([gpr])),IF([gpus]>0,"
        '[R]*[seconds]*[gpr]/(hours_per_month_used*c_seconds_per_hour)/[gpus],"n/a"),"n/a")',
        fmt="share",
        note="busy GPU-seconds / GPU-seconds paid for",
    )
    m.add("batch", "batch per replica", "sequences", ["n/a", "=cloud_batch", "=onprem_batch"], kind="link", fmt="count")
    m.add("ttft", "time to first token", "s", ["n/a", "=cloud_ttft_s", "=onprem_ttft_s"], kind="link", fmt="0.000")
    m.add("tpot", "time per output token", "ms", ["n/a", "=cloud_tpot_ms", "=onprem_tpot_ms"], kind="link", fmt="0.0")
    m.add("offer", "offer or server", "id", ["", "=cloud_offer_used", "=onprem_server_used"], kind="link")
    _wrap_ids(ws, m.at["offer"], "DE")
    m.guard = None
    m.add("mark", "", "", '=IF(cheapest_option=[option],"cheapest","")', kind="bold")
    book.names_many(
        [("comparison_options", SHEET, f"C{m.at['option']}:E{m.at['option']}")]
        + [
            (f"cmp_{k}", SHEET, f"C{m.at[k]}:E{m.at[k]}")
            for k in ("fixed", "variable", "free", "step", "capacity", "min_units", "cost")
        ]
    )

    # --- workings: API ------------------------------------------------------------------------------------
    w = Rows(book, ws, m.row, value_cols=("C",), note_col="D")
    w.section("API: price per request", gap=2)
    w.guard = API_OK
    w.add("model", "api_model", "id", "=api_model_used", kind="link")
    w.add("key", "lookup key", "text", "=" + escape_lookup("[model]"), note="the id with MATCH wildcards escaped")
    w.add(
        "base",
        "id without its date",
        "text",
        "=" + _undated("[model]"),
        note="a dated id (-YYYYMMDD, @YYYYMMDD, -YYYY-MM-DD) not in the list is priced as its base id",
    )
    w.add("base_key", "lookup key of the base id", "text", "=" + escape_lookup("[base]"))
    w.add(
        "row",
        "row in the api_model list (Token Pricing)",
        "row",
        '=IF(ISNA(MATCH([key],tp_ref,0)),IF(ISNA(MATCH([base_key],tp_ref,0)),"not in list",'
        "MATCH([base_key],tp_ref,0)),MATCH([key],tp_ref,0))",
        fmt="int",
        names="api_model_row",
        note="the id, else its base id (costengine.acceptance.api_model_base), case-insensitive",
    )
    w.add("provider", "provider (catalog)", "id", '=IF(ISNUMBER([row]),INDEX(tp_provider,[row]),"n/a")', kind="link")
    w.add("cat_model", "model (catalog)", "id", '=IF(ISNUMBER([row]),INDEX(tp_model,[row]),"n/a")', kind="link")
    w.add(
        "tier",
        "price tier from",
        "prompt tokens",
        _tier_start(tiers.tiers),
        fmt="count",
        note="0 = base prices; some models charge more above a prompt size",
    )
    w.add("cat_in", "input price (catalog)", "USD/MTok", _tiered("input", tiers.tiers), kind="link", fmt="price")
    w.add("cat_out", "output price (catalog)", "USD/MTok", _tiered("output", tiers.tiers), kind="link", fmt="price")
    w.add(
        "cat_cache",
        "cached input price (catalog)",
        "USD/MTok",
        _tiered("cache_read", tiers.tiers),
        kind="link",
        fmt="price",
    )
    for key, src, label in (
        ("pin", "cat_in", "input"),
        ("pout", "cat_out", "output"),
        ("pcache", "cat_cache", "cached_input"),
    ):
        given = f"api_{label}_price_per_mtok"
        w.add(
            key,
            f"{label.replace('_', ' ')} price used",
            "money/MTok",
            f'=IF(LEN(TRIM({given}))=0,IF(ISNUMBER([{src}]),[{src}]*usd_to_currency_used,"n/a"),{given}_typed)',
            fmt="price",
            names=f"{given}_used",
            note=f"typed {given}, or catalog x usd_to_currency",
        )
    blank_io = "OR(LEN(TRIM(api_input_price_per_mtok))=0,LEN(TRIM(api_output_price_per_mtok))=0)"
    cache_note = (
        "IF(AND(api_cached_input_share_used>0,LEN(TRIM(api_cached_input_price_per_mtok))=0,"
        'NOT(INDEX(tp_cache_listed,[row]))),"cache read price not listed: cached input is priced as '
        'input","")'
    )
    w.add(
        "price_note",
        "catalog price note",
        "text",
        f'=IF(ISNUMBER([row]),IF({blank_io},INDEX(tp_note,[row])&"","")'
        f'&IF(AND({blank_io},LEN(INDEX(tp_note,[row])&"")>0,LEN({cache_note})>0),"; ","")&{cache_note},"")',
        kind="link",
        names="api_price_note",
        note="an off-peak price not used (Token Pricing note), a cache price the catalog does not list",
    )
    w.add(
        "api_var",
        "cost per request",
        "money/request",
        "=IF(AND(ISNUMBER([pin]),ISNUMBER([pout]),ISNUMBER([pcache])),"
        "(prompt_tokens_used*((1-api_cached_input_share_used)*[pin]"
        "+api_cached_input_share_used*[pcache])+output_tokens_used*[pout])/c_tokens_per_mtok"
        '*(1-api_batch_share_used*api_batch_discount_used),"n/a")',
        fmt="money_small",
        names="api_variable",
        note="(p x ((1-c) x input + c x cached) + o x output) / 1e6 x (1 - batch share x discount)",
    )
    w.add(
        "api_fixed", "fixed cost", "money/month", "=api_monthly_fixed_used", kind="link", fmt="money", names="api_fixed"
    )
    w.add(
        "api_step",
        "cost per replica",
        "money/month/replica",
        0,
        fmt="money",
        names="api_step",
        note="pay per token: no replicas",
    )

    # --- workings: cloud ----------------------------------------------------------------------------------
    w.section("Cloud: rented GPUs (the offer, its price term, replicas packed into whole instances)")
    w.guard = SELF_HOSTING_OK
    w.add(
        "c_typed",
        "per-GPU price typed",
        "yes/no",
        "=LEN(TRIM(cloud_price_per_gpu_hour))>0",
        note="typed: GPUs priced one by one, no offer and no packing",
    )
    w.add("c_per_second", "pay per busy second", "yes/no", '=cloud_billing_used="per_second"')
    w.add(
        "c_offer_row",
        "row of the offer (Cloud Offers)",
        "row",
        '=IF([c_typed],"n/a",IF(LEN(TRIM(cloud_offer))>0,IF(ISNA(MATCH(TRIM(cloud_offer),list_offers,0)),'
        '"not in catalog",MATCH(TRIM(cloud_offer),list_offers,0)),IF(COUNT(of_pick_price)>0,'
        "MATCH(MIN(of_pick_price),of_pick_price,0),IF(COUNT(of_pick_score)>0,MATCH(MAX(of_pick_score),"
        'of_pick_score,0),"none"))))',
        fmt="int",
        names="cloud_offer_row",
        note="typed cloud_offer, or the cheapest per GPU-hour that holds a replica (Cloud Offers sheet)",
    )
    w.add(
        "c_offer",
        "offer",
        "id",
        '=IF(ISNUMBER([c_offer_row]),INDEX(list_offers,[c_offer_row]),"")',
        kind="link",
        names="cloud_offer_used",
    )
    _wrap_ids(ws, w.at["c_offer"], "C")
    w.add(
        "c_inst_gpus",
        "GPUs per instance",
        "count",
        '=IF(ISNUMBER([c_offer_row]),INDEX(of_gpus_per_instance,[c_offer_row]),"n/a")',
        kind="link",
        fmt="int",
    )
    w.add(
        "c_term",
        "offer price at the term",
        "USD/GPU-h",
        '=IF(ISNUMBER([c_offer_row]),INDEX(of_term_price_gpu,[c_offer_row]),"n/a")',
        kind="link",
        fmt="price",
        note="instance price at cloud_pricing (per second x 3600 when billed per second) / GPUs",
    )
    w.add(
        "c_node",
        "GPUs per node for layouts",
        "count",
        "=IF([c_typed],c_max_tp,IF([c_per_second],c_serverless_max_gpus,[c_inst_gpus]))",
        fmt="int",
        names="cloud_node_gpus",
        note="typed price: up to 8; serverless: up to 8 per worker; else the instance",
    )
    w.add(
        "c_spot",
        "spot capacity spare",
        "share",
        '=IF(AND(NOT([c_typed]),cloud_pricing_used="spot"),cloud_spot_spare_used,0)',
        fmt="share",
    )
    w.add(
        "c_price",
        "GPU-hour price used",
        "money/GPU-h",
        '=IF([c_typed],cloud_price_per_gpu_hour_typed,IF(ISNUMBER([c_term]),[c_term]*usd_to_currency_used,"n/a"))',
        fmt="price",
        names="cloud_price_per_gpu_hour_used",
    )
    w.add("c_gpus", "GPUs per replica", "count", "=cloud_gpus_per_replica_used", kind="link", fmt="int")
    w.add("c_s", "seconds per request", "s", "=cloud_seconds_per_request", kind="link", fmt="seconds")
    ok = "AND(ISNUMBER([c_gpus]),ISNUMBER([c_s]),ISNUMBER([c_price]),ISNUMBER([c_node]))"
    w.add(
        "c_rep_cap",
        "capacity of one replica",
        "requests/month",
        f'=IF({ok},hours_per_month_used*c_seconds_per_hour/[c_s]*target_utilization_used/(1+[c_spot]),"n/a")',
        fmt="volume",
        names="cloud_replica_capacity",
        note="hours x 3600 / s x utilisation / (1 + spot spare)",
    )
    one = "OR([c_typed],[c_per_second])"
    w.add(
        "c_per_unit",
        "replicas per unit",
        "count",
        f'=IF({ok},IF({one},1,IF([c_gpus]<=[c_node],INT([c_node]/[c_gpus]),1)),"n/a")',
        fmt="int",
    )
    w.add(
        "c_nodes",
        "instances per unit",
        "count",
        f'=IF({ok},IF({one},1,IF([c_gpus]<=[c_node],1,ROUNDUP([c_gpus]/[c_node],0))),"n/a")',
        fmt="int",
    )
    w.add(
        "c_gpu_unit",
        "GPUs paid per unit",
        "count",
        f'=IF({ok},IF({one},[c_gpus],[c_nodes]*[c_node]),"n/a")',
        fmt="int",
        names="cloud_gpus_per_unit",
    )
    w.add(
        "c_staff",
        "staff",
        "money/month",
        "=IF(LEN(TRIM(staff_monthly))=0,cloud_staff_fte_used*staff_cost_per_fte_year_used/c_months_per_year,"
        "staff_monthly_typed)",
        fmt="money",
        note="typed staff_monthly, or FTE x cost per FTE-year / 12",
    )
    w.add(
        "c_warm",
        "warm minimum (per second)",
        "money/month",
        f'=IF({ok},IF([c_per_second],min_replicas_used*[c_gpus]*[c_price]*hours_per_month_used,0),"n/a")',
        fmt="money",
        note="min_replicas x GPUs x price x hours: serverless keeps them warm and bills them",
    )
    w.add(
        "c_fixed",
        "fixed cost",
        "money/month",
        '=IF(ISNUMBER([c_warm]),cloud_monthly_overhead_used+[c_staff]+[c_warm],"n/a")',
        fmt="money",
        names="cloud_fixed",
        note="overhead + staff + warm minimum",
    )
    w.add(
        "c_var",
        "variable cost",
        "money/request",
        f'=IF({ok},IF([c_per_second],[c_s]*[c_gpus]*[c_price]/c_seconds_per_hour,0),"n/a")',
        fmt="money_small",
        names="cloud_variable",
        note="per second: seconds x GPUs x price / 3600, above the free volume",
    )
    w.add(
        "c_free",
        "volume the warm minimum serves",
        "requests/month",
        f'=IF({ok},IF([c_per_second],min_replicas_used*[c_rep_cap],0),"n/a")',
        fmt="volume",
        names="cloud_free_volume",
    )
    w.add(
        "c_step",
        "cost per unit",
        "money/month/unit",
        f'=IF({ok},IF([c_per_second],0,[c_gpu_unit]*[c_price]*hours_per_month_used),"n/a")',
        fmt="money",
        names="cloud_step",
        note="always on: GPUs of the unit's instances x price x hours",
    )
    w.add(
        "c_cap",
        "capacity of one unit",
        "requests/month",
        f'=IF({ok},IF([c_per_second],"n/a",[c_rep_cap]*[c_per_unit]),"n/a")',
        fmt="volume",
        names="cloud_capacity",
    )
    w.add(
        "c_min_units",
        "minimum units",
        "count",
        f'=IF({ok},IF([c_per_second],0,ROUNDUP(min_replicas_used/[c_per_unit],0)),"n/a")',
        fmt="int",
        names="cloud_min_units",
    )
    w.guard_text = ""  # a check waits for readable inputs without a message of its own
    w.add(
        "c_check",
        "check",
        "",
        '=IF(OR([c_typed],NOT(ISNUMBER(cloud_gpu_row))),"",'
        'IF(AND(LEN(TRIM(cloud_offer))=0,NOT(ISNUMBER([c_offer_row]))),"cloud_offer: the '
        'cloud-offer catalog has no "&IF([c_per_second],"per-second (serverless)",cloud_pricing_used)&" offer for "'
        '&cloud_gpu_used&"; choose another GPU, pricing or billing, or type cloud_price_per_gpu_hour",'
        'IF(NOT(ISNUMBER([c_offer_row])),"cloud_offer: unknown offer: pick an id of the Cloud Offers sheet",'
        'IF(LOWER(INDEX(of_gpu,[c_offer_row]))<>LOWER(cloud_gpu_used),"cloud_offer: offer "&[c_offer]&" has "'
        '&INDEX(of_gpu,[c_offer_row])&" GPUs, not cloud_gpu "&cloud_gpu_used,IF(AND([c_per_second],'
        'cloud_pricing_used<>"on_demand"),"cloud_pricing: per-second (serverless) billing has no "&'
        'cloud_pricing_used&" term: use on_demand",IF(NOT(ISNUMBER([c_term])),IF([c_per_second],'
        '"cloud_billing: offer "&[c_offer]&" is not billed per second; choose a serverless offer or always_on",'
        '"cloud_pricing: offer "&[c_offer]&" publishes no "&cloud_pricing_used&" price"),""))))))',
        kind="check",
        names="cloud_billing_check",
    )
    w.guard_text = "check Inputs"

    # --- workings: on-premises -----------------------------------------------------------------------------
    w.section("On-premises: bought servers (the catalog's server, replicas packed into whole servers)")
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
        '"not in catalog",MATCH(TRIM(onprem_server),list_servers,0)),IF(COUNT(sv_pick_standard)>0,'
        'MIN(sv_pick_standard),IF(COUNT(sv_pick_gpu)>0,MIN(sv_pick_gpu),"none"))))',
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
    _wrap_ids(ws, w.at["o_server"], "C")
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
        f'=IF({ok},ROUNDUP(min_replicas_used/[o_per_unit],0),"n/a")',
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
        '"")),IF(NOT(ISNUMBER([o_row])),"onprem_server: the server catalog has no server with "&onprem_gpu_used&'
        '" GPUs; give onprem_server, or onprem_gpus_per_server, onprem_capex_per_server and onprem_power_kw","")))',
        kind="check",
        names="onprem_billing_check",
    )
    setup_sheet(
        ws,
        widths={"A": 40, "B": 20, "C": 17, "D": 17, "E": 17, "F": 58},
        freeze="A4",
        print_area=f"A1:F{w.row - 1}",
        landscape=False,
        fit_height=True,
    )
