"""The Sizing sheet: weights and serving memory, GPUs per replica, and the roofline throughput estimate
(``costengine.sizing.roofline``) that gives ``seconds_per_request`` when it is blank.

One column for the cloud GPU and one for the on-premises GPU: they may differ, so each has its own
GPUs per replica and its own derived seconds per request. Every row is one formula, the same in both
columns. Rows whose catalog data is missing show "n/a" (the Inputs check says which id is unknown).
"""

from __future__ import annotations

from ..kit import Book, Rows, escape_lookup, header_row, heading, setup_sheet

__all__ = ["SHEET", "build"]

SHEET = "Sizing"


def _catalog(name: str, row: str = "[gpu_row]") -> str:
    return f'=IF(ISNUMBER({row}),INDEX({name},{row}),"n/a")'


def _gated(expr: str, *cells: str) -> str:
    """``expr`` when every cell holds a number, else "n/a" (keeps error values out of the sheet)."""
    return f'=IF(AND({",".join(f"ISNUMBER({c})" for c in cells)}),{expr},"n/a")'


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(ws, "Sizing: memory, GPUs per replica and throughput",
            "Roofline estimate of one replica (costengine.sizing.roofline); a measured "
             "seconds_per_request on the Inputs sheet overrides it.")
    header_row(ws, 4, ["quantity", "unit", "cloud", "on-premises", "note"])
    x = Rows(book, ws, 4, value_cols=("C", "D"), note_col="E")
    one = lambda f: [f, None]  # noqa: E731 - model rows have one value (column C)

    x.section("Model (the same for both options)", gap=1)
    x.add("model_id", "model", "id", one("=model_used"), kind="link")
    x.add("model_row", "row in the Models sheet", "row",
          one(f'=IF(ISNA(MATCH({escape_lookup("[model_id]")},list_models,0)),"not in catalog",'
              f'MATCH({escape_lookup("[model_id]")},list_models,0))'), fmt="int", names=["model_row", None])
    x.add("cat_params", "parameters (catalog)", "billion", one(_catalog("md_params_billion", "[model_row]")),
          kind="link", fmt="#,##0.00")
    x.add("cat_active", "active parameters (catalog)", "billion",
          one(_catalog("md_active_params_billion", "[model_row]")), kind="link", fmt="#,##0.00")
    x.add("layers", "layers", "count", one(_catalog("md_layers", "[model_row]")), kind="link", fmt="int")
    x.add("kv_heads", "KV heads", "count", one(_catalog("md_kv_heads", "[model_row]")), kind="link", fmt="int")
    x.add("head_dim", "head dimension", "count", one(_catalog("md_head_dim", "[model_row]")), kind="link",
          fmt="int")
    x.add("params", "parameters used", "billion",
          one('=IF(LEN(TRIM(model_params_billion))=0,[cat_params],model_params_billion)'),
          fmt="#,##0.00", names=["model_params_billion_used", None], note="typed value, or the catalog's")
    x.add("active", "active parameters used", "billion", one(_gated("[cat_active]/[cat_params]*[params]",
                                                                    "[cat_active]", "[cat_params]", "[params]")),
          fmt="#,##0.00", note="catalog share of active parameters x parameters used (mixture of experts)")
    x.add("precision", "precision", "name", one("=precision_used"), kind="link")
    x.add("prec_row", "row in the precision table", "row",
          one('=IF(ISNA(MATCH([precision],prec_keys,0)),"invalid",MATCH([precision],prec_keys,0))'), fmt="int")
    x.add("bpp", "bytes per parameter", "B", one(_catalog("prec_bytes", "[prec_row]")), kind="link", fmt="0.0")
    x.add("kv_bytes", "KV-cache bytes per value", "B", one(_catalog("prec_kv_bytes", "[prec_row]")), kind="link",
          fmt="0.0")
    x.add("bf16_w", "bf16 peak weight", "ratio", one(_catalog("prec_bf16_weight", "[prec_row]")), kind="link",
          fmt="0.0")
    x.add("fp8_w", "fp8 peak weight", "ratio", one(_catalog("prec_fp8_weight", "[prec_row]")), kind="link",
          fmt="0.0")
    x.add("weights_gb", "weights", "GB", one(_gated("[params]*[bpp]", "[params]", "[bpp]")), fmt="gb",
          note="parameters x bytes per parameter")
    x.add("serving_gb", "serving memory", "GB", one(_gated("[weights_gb]*memory_overhead_used", "[weights_gb]")),
          fmt="gb", note="weights x memory_overhead (KV cache, activations)")
    x.add("kv_per_token", "KV cache per token", "B",
          one(_gated("c_kv_tensors*[layers]*[kv_heads]*[head_dim]*[kv_bytes]", "[layers]", "[kv_heads]",
                     "[head_dim]", "[kv_bytes]")),
          fmt="count", note="2 (K and V) x layers x KV heads x head dim x bytes")
    x.add("tokens", "tokens per request", "tokens", one("=prompt_tokens_used+output_tokens_used"), fmt="count",
          names=["tokens_per_request", None], note="prompt + output")

    x.section("GPUs")
    x.add("gpu_id", "GPU", "id", ["=cloud_gpu_used", "=onprem_gpu_used"], kind="link")
    x.add("gpu_row", "row in the Hardware sheet", "row",
          f'=IF(ISNA(MATCH({escape_lookup("[gpu_id]")},list_gpus,0)),"not in catalog",'
          f'MATCH({escape_lookup("[gpu_id]")},list_gpus,0))', fmt="int", names=["cloud_gpu_row", "onprem_gpu_row"])
    x.add("mem", "GPU memory", "GB", _catalog("hw_memory_gb"), kind="link", fmt="General",
          names=["cloud_gpu_memory_gb", "onprem_gpu_memory_gb"])
    x.add("bw", "memory bandwidth", "TB/s", _catalog("hw_bandwidth_tbps"), kind="link", fmt="0.000")
    x.add("bf16", "bf16 dense peak", "TFLOP/s", _catalog("hw_bf16_tflops"), kind="link", fmt="#,##0.0")
    x.add("fp8", "fp8 dense peak", "TFLOP/s", _catalog("hw_fp8_tflops"), kind="link", fmt="#,##0.0")
    x.add("tdp", "TDP", "W", _catalog("hw_tdp_w"), kind="link", fmt="#,##0", names=[None, "onprem_gpu_tdp"])
    x.add("gpu_price", "purchase price", "USD", _catalog("hw_price_usd"), kind="link", fmt="#,##0",
          names=[None, "onprem_gpu_catalog_price"])
    x.add("cloud_price", "cloud price", "USD/GPU-h", _catalog("hw_cloud_price_per_hour_usd"), kind="link",
          fmt="0.000", names=["cloud_gpu_catalog_price", None])
    x.add("gpus_mem", "GPUs to hold the serving memory", "count",
          _gated("ROUNDUP(ROUND([$serving_gb]/[mem],c_gpu_round_digits),0)", "[$serving_gb]", "[mem]"),
          fmt="int", note="ceil(serving memory / GPU memory)")
    x.add("gpus", "GPUs per replica used", "count",
          ["=IF(LEN(TRIM(cloud_gpus_per_replica))=0,[gpus_mem],cloud_gpus_per_replica)",
           "=IF(LEN(TRIM(onprem_gpus_per_server))=0,[gpus_mem],onprem_gpus_per_server)"],
          fmt="int", names=["cloud_gpus_per_replica_used", "onprem_gpus_per_server_used"],
          note="typed on the Inputs sheet, or from memory")
    x.add("replica_gb", "memory of one replica", "GB", _gated("[gpus]*[mem]", "[gpus]", "[mem]"), fmt="gb")

    x.section("Throughput of one replica (roofline estimate)")
    x.add("ok", "data for the estimate", "yes/no",
          "=AND(ISNUMBER([gpus]),ISNUMBER([mem]),ISNUMBER([bw]),ISNUMBER([$active]),ISNUMBER([$kv_per_token]),"
          "ISNUMBER([$params]),ISNUMBER([$bpp]),ISNUMBER([$bf16_w]),[$tokens]>0)",
          note="catalog rows found and tokens per request > 0")
    x.add("peak", "dense peak at the precision", "FLOP/s",
          '=IF([ok],([bf16]*[$bf16_w]+[fp8]*[$fp8_w])*c_per_tera,"n/a")', fmt="sci")
    x.add("w_bytes", "weight bytes W", "B", '=IF([ok],[$params]*c_per_billion*[$bpp],"n/a")', fmt="sci")
    x.add("bw_s", "usable bandwidth", "B/s", '=IF([ok],[gpus]*[bw]*c_per_tera*c_eff_bandwidth,"n/a")', fmt="sci",
          note="GPUs x bandwidth x efficiency")
    x.add("flops_s", "usable compute", "FLOP/s", '=IF([ok],[gpus]*[peak]*c_eff_compute,"n/a")', fmt="sci",
          note="GPUs x peak x efficiency")
    x.add("kv_free", "memory left for KV cache", "B",
          '=IF([ok],[gpus]*[mem]*c_bytes_per_gb*c_kv_memory_fraction-[w_bytes],"n/a")', fmt="sci",
          note="GPUs x memory x usable share - W")
    x.add("max_batch", "largest batch that fits", "sequences",
          '=IF([ok],IF([kv_free]<=0,0,INT([kv_free]/([$kv_per_token]*[$tokens]))),"n/a")', fmt="count",
          note="floor(free memory / (KV per token x (prompt + output)))")
    x.add("batch", "batch", "sequences", '=IF([ok],MIN([max_batch],c_max_batch),"n/a")', fmt="count",
          note="capped at the serving engine's maximum")
    fits = "AND([ok],[batch]>=1)"
    x.add("decode", "decode step", "s",
          f'=IF({fits},MAX(([w_bytes]+[batch]*[$kv_per_token]*(prompt_tokens_used'
          f'+output_tokens_used*c_output_in_cache))'
          f'/[bw_s],c_flops_per_param*([$active]*c_per_billion)*[batch]/[flops_s]),"n/a")', fmt="seconds",
          note="max(memory time, compute time) per step")
    x.add("prefill", "prefill per request", "s",
          f'=IF({fits},c_flops_per_param*([$active]*c_per_billion)*prompt_tokens_used/[flops_s],"n/a")', fmt="seconds")
    x.add("rps", "requests per second", "requests/s",
          f'=IF({fits},[batch]/([batch]*[prefill]+output_tokens_used*[decode]),"n/a")', fmt="#,##0.000")
    x.add("otps", "output tokens per second", "tokens/s", '=IF(ISNUMBER([rps]),[rps]*output_tokens_used,"n/a")',
          fmt="#,##0")
    x.add("s_est", "seconds per request (estimate)", "s", '=IF(ISNUMBER([rps]),1/[rps],"n/a")', fmt="seconds")
    x.add("s", "seconds per request used", "s",
          '=IF(LEN(TRIM(seconds_per_request))=0,[s_est],seconds_per_request)', fmt="seconds",
          names=["cloud_seconds_per_request", "onprem_seconds_per_request"],
          note="typed seconds_per_request (both options), or the estimate", kind="answer")
    x.add("check", "check", "",
          '=IF(LEN(TRIM(seconds_per_request))>0,"",IF([$tokens]<=0,"prompt_tokens + output_tokens is 0: give '
          'seconds_per_request",IF(NOT([ok]),"",IF([batch]<1,"the model does not fit in "&[gpus]&" x "&[gpu_id]'
          '&": give more GPUs per replica or seconds_per_request",""))))', kind="check")
    book.name("sizing_checks", SHEET, f"C{x.at['check']}:D{x.at['check']}")
    setup_sheet(ws, widths={"A": 34, "B": 12, "C": 16, "D": 16, "E": 66}, freeze="C5",
                print_area=f"A1:E{x.row - 1}", landscape=False, title_rows="4:4")
