"""The Sizing sheet's GPU rows, one column per option (C cloud, D on-premises): the GPU's catalog row, its peak at
the precision, bandwidth, interconnect and usable memory, and the layout rule's inputs (GPUs per node, a typed
count, the widest tensor parallel in a node, the nodes that hold the memory floor) the candidate table reads.

Defines ``cloud_gpu_row``, ``onprem_gpu_row`` and the catalog values other sheets read (``onprem_gpu_tdp`` and
``onprem_gpu_catalog_price`` on Comparison, ``cloud_gpu_memory_gb`` on Fine-tuning, ...).
"""

from __future__ import annotations

from costengine import serving

from ..kit import Rows, escape_lookup, gated
from .sizing_layouts import TPS, divides

__all__ = ["gpu_rows"]


def gpu_rows(x: Rows) -> None:
    x.section("GPUs")
    x.add("gpu_id", "GPU", "id", ["=cloud_gpu_used", "=onprem_gpu_used"], kind="link")
    x.add(
        "gpu_row",
        "row in the Hardware sheet",
        "row",
        f'=IF(ISNA(MATCH({escape_lookup("[gpu_id]")},list_gpus,0)),"not in catalog",'
        f"MATCH({escape_lookup('[gpu_id]')},list_gpus,0))",
        fmt="int",
        names=["cloud_gpu_row", "onprem_gpu_row"],
    )
    cols = (
        ("mem", "GPU memory", "GB", "memory_gb", "General", ["cloud_gpu_memory_gb", "onprem_gpu_memory_gb"]),
        ("bw", "memory bandwidth", "TB/s", "bandwidth_tbps", "0.000", None),
        ("bf16", "bf16 dense peak", "TFLOP/s", "bf16_tflops", "#,##0.0", None),
        ("fp8", "fp8 dense peak", "TFLOP/s", "fp8_tflops", "#,##0.0", None),
        ("fp8_hw", "fp8 tensor cores", "yes/no", "fp8_hardware", None, None),
        ("ic", "interconnect", "name", "interconnect", None, None),
        ("ic_gbps", "interconnect bandwidth", "GB/s", "interconnect_gbps", "#,##0", None),
        ("sw", "serving efficiency", "ratio", "serving_efficiency", "0.00", None),
        ("tdp", "TDP", "W", "tdp_w", "#,##0", [None, "onprem_gpu_tdp"]),
        ("gpu_price", "purchase price", "USD", "price_usd", "#,##0", [None, "onprem_gpu_catalog_price"]),
        (
            "cloud_price",
            "cloud price",
            "USD/GPU-h",
            "cloud_price_per_hour_usd",
            "0.000",
            ["cloud_gpu_catalog_price", None],
        ),
    )
    for key, label, unit, col, fmt, names in cols:
        if col in ("price_usd", "cloud_price_per_hour_usd"):  # may be blank (no source found): "none", not INDEX's 0
            got = f"INDEX(hw_{col},[gpu_row])"
            formula = f'=IF(ISNUMBER([gpu_row]),IF(ISNUMBER({got}),{got},"none"),"n/a")'
            note = "none: the catalog has no price for this GPU (no source found); type the figure it feeds"
            x.add(key, label, unit, formula, kind="link", fmt=fmt, names=names, note=note)
            continue
        x.add(key, label, unit, gated(f"INDEX(hw_{col},[gpu_row])", "[gpu_row]"), kind="link", fmt=fmt, names=names)
    x.add(
        "fp4",
        "fp4 dense peak",
        "TFLOP/s",
        "=IF(ISNUMBER([gpu_row]),IF(ISNUMBER(INDEX(hw_fp4_tflops,[gpu_row])),INDEX(hw_fp4_tflops,[gpu_row]),"
        '"none"),"n/a")',
        kind="link",
        fmt="#,##0.0",
        note="none: no FP4 tensor cores (computes at bf16)",
    )
    x.add(
        "flops",
        "dense peak at the precision",
        "FLOP/s",
        gated(
            '([bf16]*[$w16]+IF([fp8_hw]="yes",[fp8],[bf16])*[$w8]+IF(ISNUMBER([fp4]),[fp4],[bf16])*[$w4])*c_per_tera',
            "[bf16]",
            "[fp8]",
            "[$w16]",
            "[$w8]",
            "[$w4]",
        ),
        fmt="sci",
        note="a precision without tensor cores runs at the bf16 rate; fp32 at half of it",
    )
    x.add("bw_bps", "bandwidth", "B/s", gated("[bw]*c_per_tera", "[bw]"), fmt="sci")
    x.add("link_bps", "interconnect", "B/s", gated("[ic_gbps]*c_bytes_per_gb", "[ic_gbps]"), fmt="sci")
    lat = "c_allreduce_pcie_s"  # the engine's default for an unknown interconnect
    for k in (k for k in serving.ALLREDUCE_LATENCY_S if k != "pcie"):
        lat = f'IF([ic]="{k}",c_allreduce_{k}_s,{lat})'
    x.add("lat", "all-reduce latency", "s", f'=IF(ISNUMBER([gpu_row]),{lat},"n/a")', fmt="sci")
    x.add(
        "usable",
        "usable memory per GPU",
        "B",
        gated("[mem]*c_bytes_per_gb*c_srv_kv_fraction", "[mem]"),
        fmt="sci",
        note="GPU memory x the share serving engines use",
    )
    x.section("Layout rule (engine: serving.choose_layouts)")
    x.add(
        "node",
        "GPUs per node",
        "count",
        ["=cloud_node_gpus", "=onprem_node_gpus"],
        kind="link",
        fmt="int",
        note="from the Comparison sheet: the offer's instance (8 for a typed price or serverless), the server",
    )
    x.add(
        "typed_n",
        "typed GPUs per replica",
        "count",
        [
            '=IF(LEN(TRIM(cloud_gpus_per_replica))=0,"none",cloud_gpus_per_replica)',
            "=IF(LEN(TRIM(onprem_gpus_per_replica))>0,onprem_gpus_per_replica,IF(AND(LEN(TRIM(onprem_gpus_per_server))"
            '>0,LEN(TRIM(seconds_per_request))>0),[node],"none"))',
        ],
        fmt="int",
        note="typed: the only candidate; on-prem: a typed server with a typed seconds_per_request = one replica",
    )
    x.add(
        "mem_ok",
        "data for the layout rule",
        "yes/no",
        "=AND(ISNUMBER([usable]),ISNUMBER([$heads]),ISNUMBER([$floor]),ISNUMBER([node]))",
    )
    nums = [f"[{k}]" for k in ("mem", "bw_bps", "flops", "link_bps", "sw", "lat")] + [
        f"[${k}]"
        for k in (
            "w_bytes",
            "w_expert",
            "kv",
            "active",
            "layers",
            "hidden",
            "attn",
            "experts",
            "top_k",
            "ceff",
            "p",
            "o",
            "util",
        )
    ]
    x.add(
        "serve_ok",
        "data for the serving model",
        "yes/no",
        f"=AND([mem_ok],{','.join(f'ISNUMBER({c})' for c in nums)},[$tokens]>0,[$o]>0)",
        note="catalog rows found, tokens per request > 0 and output tokens > 0",
    )
    tmax = "1"
    for t in TPS[1:]:
        tmax = f"IF(AND(c_tp{t}<=[node],{divides('[$heads]', f'c_tp{t}')}),c_tp{t},{tmax})"
    x.add("t_max", "widest tensor parallel in a node", "count", f'=IF([mem_ok],{tmax},"n/a")', fmt="int")
    x.add(
        "nodes",
        "nodes that hold the memory floor",
        "count",
        '=IF([mem_ok],MAX(ROUNDUP([$floor]/([node]*[usable]),0),1),"n/a")',
        fmt="int",
    )
