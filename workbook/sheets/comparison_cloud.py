"""The Comparison sheet's cloud workings: rented GPUs (``costengine.resolve.resolve_cloud``), one quantity per row.

The offer (typed ``cloud_offer``, else the cheapest per GPU-hour that holds a replica on the Cloud Offers sheet), its
price at the term, and replicas packed into whole instances, or billed per busy second. Defines ``cloud_fixed``,
``cloud_variable``, ``cloud_step``, ``cloud_capacity``, ``cloud_free_volume``, ``cloud_min_units`` (the Comparison
table reads them), ``cloud_node_gpus`` (the Sizing sheet reads it) and ``cloud_billing_check``.
"""

from __future__ import annotations

from ..kit import Rows, wrap_ids
from .inputs import SELF_HOSTING_OK
from .inputs_checks import SPREAD_UNITS
from .price_dates import price_age_formula

#: The blank-offer filter in words, as ``costengine.offer_filter.filter_label`` (with a leading space), "" for none.
_FILTER = (
    '(IF(cloud_region_used<>"any"," in region "&cloud_region_used,"")&IF(cloud_tier_used<>"any",'
    'IF(cloud_region_used<>"any",", "," ")&"production tier",""))'
)

__all__ = ["cloud_rows"]


def cloud_rows(w: Rows) -> None:
    """The cloud's rows of the workings: offer, price used, replica and unit capacity, fixed and step costs."""
    w.section("Cloud: rented GPUs (the offer, its price term, replicas packed into whole instances)")
    w.guard = SELF_HOSTING_OK
    w.add(
        "c_typed",
        "per-GPU price typed",
        "yes/no",
        "=LEN(TRIM(cloud_price_per_gpu_hour))>0",
        names="cloud_price_typed",
        note="typed: GPUs priced one by one, no offer and no packing",
    )
    w.add("c_per_second", "pay per busy second", "yes/no", '=cloud_billing_used="per_second"', names="cloud_per_second")
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
    wrap_ids(w.ws, w.at["c_offer"], "C")
    w.add(
        "c_offer_where",
        "offer regions, tier",
        "text",
        '=IF(ISNUMBER([c_offer_row]),INDEX(of_regions,[c_offer_row])&", "&IF(LOWER(TRIM(INDEX(of_tier,'
        '[c_offer_row])))="community","community","production"),"")',
        names="cloud_offer_where",
        note="the offer's regions (us, eu, apac) and tier; a blank cloud_offer is chosen in cloud_region, cloud_tier",
    )
    w.add(
        "c_age",
        "price age note",
        "text",
        price_age_formula("offer", "[c_offer_row]", "[c_offer]", "of"),
        names="cloud_price_age_note",
        note="the offer's price undated or older than c_stale_days at the catalog's date (c_catalog_day), with its "
        "age: text computed from the build-time catalog date, never TODAY()",
    )
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
        names="cloud_spot_share",
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
        names="cloud_staff",
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
        f'=IF({ok},0,"n/a")',
        fmt="money_small",
        names="cloud_variable",
        note="none: per-second billing's replicas above the warm ones are billed below (not per request)",
    )
    w.add(
        "c_free",
        "volume before the variable cost",
        "requests/month",
        f'=IF({ok},0,"n/a")',
        fmt="volume",
        names="cloud_free_volume",
    )
    for key, typed, column, label in (
        ("c_window", "serverless_window_s_typed", "of_scaledown_s", "scale-down window"),
        ("c_cold", "serverless_cold_start_s_typed", "of_cold_start_s", "cold start"),
    ):
        w.add(
            key,
            label,
            "s",
            f"=IF(ISNUMBER({typed}),{typed},IF(ISNUMBER([c_offer_row]),IF(ISNUMBER(INDEX({column},[c_offer_row])),"
            f"INDEX({column},[c_offer_row]),0),0))",
            fmt="0.0",
            names="cloud_cold_start" if key == "c_cold" else "cloud_window",
            note=f"per second: typed, else the offer's {column[3:]} (blank: 0 counted)",
        )
    w.add(
        "c_lat",
        "a request's latency alone",
        "s",
        "=cloud_latency_alone",
        kind="link",
        fmt="0.000",
        note="TTFT + decoded tokens x TPOT at batch 1 (Sizing); a typed seconds_per_request",
    )
    alone = "ISNUMBER(seconds_per_request_typed)"  # typed seconds: requests served one at a time
    w.add(
        "c_span",
        "latency + window (one at a time: the window)",
        "s",
        f'=IF(AND(ISNUMBER([c_lat]),ISNUMBER([c_window])),IF({alone},0,[c_lat])+[c_window],"n/a")',
        fmt="0.000",
        names="cloud_burst_span",
    )
    w.add(
        "c_busy",
        "seconds of a request served one at a time",
        "s",
        f'=IF(ISNUMBER([c_s]),IF({alone},[c_s],0),"n/a")',
        fmt="seconds",
        names="cloud_burst_busy",
        note="a typed seconds_per_request: one request at a time (an M/G/1 queue); derived layouts batch: 0",
    )
    w.add(
        "c_brate",
        "per-second cost of a replica",
        "money/s",
        f'=IF({ok},IF([c_per_second],[c_gpus]*[c_price]/c_seconds_per_hour,0),"n/a")',
        fmt="money_small",
        names="cloud_burst_rate",
        note="GPUs x price per GPU-hour / 3600",
    )
    w.add(
        "c_bsec",
        "replica-seconds per request at the target utilisation",
        "s",
        f'=IF({ok},[c_s]/target_utilization_used,"n/a")',
        fmt="seconds",
        names="cloud_burst_seconds",
        note="s / u: an hour's traffic keeps max(1, arrivals x s / u) replicas up (docs/model.md#per-second-billing)",
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
        f'=IF({ok},IF([c_per_second],0,MAX(ROUNDUP(min_replicas_used/[c_per_unit],0),{SPREAD_UNITS})),"n/a")',
        fmt="int",
        names="cloud_min_units",
    )
    w.guard_text = ""  # a check waits for readable inputs without a message of its own
    # valid inputs the catalog has no offer for: the cloud is not feasible (the engine's Infeasible, no key)
    nf_offer = (
        '"the cloud-offer catalog has no "&IF([c_per_second],"per-second (serverless)",cloud_pricing_used)&'
        '" offer for "&cloud_gpu_used&'
        + _FILTER
        + '&"; choose another GPU, pricing or billing"&IF(LEN('
        + _FILTER
        + ')>0,", cloud_region or cloud_tier","")&", or type cloud_price_per_gpu_hour"'
    )
    nf_term = '"per-second (serverless) billing has no "&cloud_pricing_used&" term: use on_demand"'
    nf_price = '"offer "&[c_offer]&" publishes no "&cloud_pricing_used&" price"'
    bad_gpu = (
        '"cloud_offer: offer "&[c_offer]&" has "&INDEX(of_gpu,[c_offer_row])&" GPUs, not cloud_gpu "&cloud_gpu_used'
    )
    w.add(
        "c_check",
        "check",
        "",
        '=IF(OR([c_typed],NOT(ISNUMBER(cloud_gpu_row))),"",'
        'IF(AND(LEN(TRIM(cloud_offer))=0,NOT(ISNUMBER([c_offer_row]))),"",'
        'IF(NOT(ISNUMBER([c_offer_row])),"cloud_offer: unknown offer: pick an id of the Cloud Offers sheet",'
        f"IF(LOWER(INDEX(of_gpu,[c_offer_row]))<>LOWER(cloud_gpu_used),{bad_gpu},"
        'IF(AND([c_per_second],cloud_pricing_used<>"on_demand"),"",IF(NOT(ISNUMBER([c_term])),IF([c_per_second],'
        '"cloud_billing: offer "&[c_offer]&" is not billed per second; choose a serverless offer or always_on",'
        '""),""))))))',
        kind="check",
        names="cloud_billing_check",
    )
    w.add(
        "c_not_feasible",
        "not feasible (offer)",
        "",
        '=IF(OR([c_typed],NOT(ISNUMBER(cloud_gpu_row)),LEN([c_check])>0),"",'
        f"IF(AND(LEN(TRIM(cloud_offer))=0,NOT(ISNUMBER([c_offer_row]))),{nf_offer},"
        f'IF(AND([c_per_second],cloud_pricing_used<>"on_demand"),{nf_term},'
        f'IF(AND(NOT(ISNUMBER([c_term])),NOT([c_per_second])),{nf_price},""))))',
        kind="check",
        names="cloud_offer_not_feasible",
    )
    w.guard_text = "check Inputs"
