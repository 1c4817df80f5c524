"""The Sizing sheet: the engine's serving model (``costengine.serving``: replica, step, layouts) in formulas.

Column C: cloud, D: on-premises (model rows: C). A candidate layout's batch is the count of TRUE in its column of
the batch table (batch 1..max_batch: fits and meets the targets; both latencies rise with the batch, so the count
is the largest such batch, as the engine's bisection finds). Reads ``cloud_node_gpus``, ``onprem_node_gpus``
(Comparison); defines ``ANSWERS``, ``precision_used``, ``model_params_billion_used``, the catalog rows other sheets
use, ``sizing_checks`` and ``sizing_model_check`` (the engine's errors; dependent cells show "n/a", never errors).
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine import serving

from ..kit import Book, Rows, escape_lookup, header_row, heading, put, put_formula_column, put_text, setup_sheet

__all__ = ["SHEET", "build", "SLOTS", "MAX_BATCH"]

SHEET = "Sizing"
EFF = serving.DEFAULT_EFFICIENCIES
MAX_BATCH = int(EFF.max_batch)
TPS = serving.TP_SIZES
#: Candidate layouts in the engine's order (ties go to the first).
SLOTS = tuple(f"TP {t}" for t in TPS) + ("whole nodes", "typed count")
OPTS = (("cloud", "C", "cloud_gpus_per_replica", "cloud_gpu"), ("onprem", "D", "onprem_gpus_per_replica", "onprem_gpu"))
#: The candidate table (header row CAND_TOP) and the batch table (BATCH_TOP) sit right of the summary, outside print.
COL0, CAND_TOP = 7, 4
BATCH_TOP = CAND_TOP + len(OPTS) * len(SLOTS) + 5
#: Candidate table columns: key -> (column, header).
CAND = {
    k: (get_column_letter(COL0 + i), h)
    for i, (k, h) in enumerate(
        (
            ("opt", "option"),
            ("idx", "number"),
            ("slot", "candidate"),
            ("tp", "TP"),
            ("pp", "PP"),
            ("n", "GPUs"),
            ("rule", "layout rule"),
            ("valid", "candidate"),
            ("mem_b", "memory batch"),
            ("cap", "largest batch that fits"),
            ("batch", "batch meeting targets"),
            ("step", "decode step [s]"),
            ("tpot", "TPOT [s]"),
            ("ttft", "TTFT [s]"),
            ("rps", "requests/s"),
            ("score", "requests/s per GPU"),
            ("tpot1", "TPOT, batch 1 [s]"),
            ("ttft1", "TTFT, batch 1 [s]"),
            ("chosen", ""),
            # the batch-independent parts of serving.step.step_times (its prepare), per candidate
            ("mf", "weights read [s]"),
            ("me", "expert weights [s]"),
            ("keep", "1 - top_k / experts"),
            ("mps", "KV read per sequence [s]"),
            ("cps", "compute per sequence [s]"),
            ("scale", "TP^exp / serving eff."),
            ("arf", "all-reduce latency [s]"),
            ("arp", "all-reduce per sequence [s]"),
            ("fixed", "pipeline hops [s]"),
            ("pf", "prefill [s]"),
        )
    )
}


def _divides(a: str, t: str) -> str:
    return f"INT({a}/{t})*{t}={a}"  # t divides a (whole numbers), without MOD


def _gated(expr: str, *cells: str) -> str:  # expr when every cell holds a number, else "n/a"
    return f'=IF(AND({",".join(f"ISNUMBER({c})" for c in cells)}),{expr},"n/a")'


class _Refs:
    """Absolute references to the summary cells of one option (``m(key)``: model rows, column C)."""

    def __init__(self, x: Rows, col: str):
        self.m = lambda key: f"$C${x.at[key]}"
        self.o = lambda key: f"${col}${x.at[key]}"


def _step(c: dict[str, str], b: str) -> str:  # decode step at batch b from a candidate's prepared parts
    mb = f"({b}/{c['pp']})"
    mem = f"{c['mf']}+{mb}*{c['mps']}+IF(ISNUMBER({c['keep']}),{c['me']}*(1-{c['keep']}^{mb}),{c['me']})"
    return f"MAX({mem},{mb}*{c['cps']})*{c['scale']}+{c['arf']}+{mb}*{c['arp']}+{c['fixed']}"


def _ttft(r: _Refs, c: dict[str, str], b: str, step: str, tpot: str) -> str:
    """TTFT = queue (M/D/1 at the planned load) + prefill + chunks x decode step."""
    pf = c["pf"]
    rho = f"MIN(MAX({r.m('util')}*{b}*{pf}/({r.m('o')}*{tpot}),0),c_srv_rho_max)"
    return f"{rho}/(2*(1-{rho}))*{pf}+{pf}+{r.m('chunks')}*{step}"


#: Model catalog rows: key, label, Models column, format.
_MODEL_CATALOG = (
    ("cat_params", "parameters (catalog)", "params_billion", "#,##0.00"),
    ("layers", "layers", "layers", "int"),
    ("cat_active", "active parameters (catalog)", "active_params_billion", "#,##0.00"),
    ("cat_expert", "routed-expert parameters (catalog)", "expert_params_billion", "#,##0.00"),
    ("heads", "attention heads", "attention_heads", "int"),
    ("kv_heads", "KV heads", "kv_heads", "int"),
    ("head_dim", "head dimension", "head_dim", "int"),
    ("hidden", "hidden size", "hidden_size", "int"),
    ("ctx_len", "context window", "context_length", "count"),
    ("experts", "experts (0 = dense)", "experts", "int"),
    ("top_k", "experts per token", "experts_per_token", "int"),
    ("native", "native format", "native_precision", None),
)


def _model_rows(x: Rows) -> None:
    one = lambda f: [f, None]  # noqa: E731 - model rows have one value (column C)
    x.section("Work and targets", gap=1)
    x.add("derive", "derive seconds_per_request", "yes/no", one("=LEN(TRIM(seconds_per_request))=0"), note="blank")
    x.add("p", "prompt tokens", "tokens", one("=prompt_tokens_used"), kind="link", fmt="count")
    x.add("o", "output tokens", "tokens", one("=output_tokens_used"), kind="link", fmt="count")
    x.add(
        "tokens",
        "tokens per request",
        "tokens",
        one(_gated("[p]+[o]", "[p]", "[o]")),
        fmt="count",
        names=["tokens_per_request", None],
    )
    x.add("util", "target utilisation", "0..1", one("=target_utilization_used"), kind="link", fmt="ratio")
    for key, label, name, div in (
        ("tgt_tpot", "TPOT target", "max_tpot_ms_used", "/c_ms_per_s"),
        ("tgt_ttft", "TTFT target", "max_ttft_s_used", ""),
    ):
        x.add(
            key,
            label,
            "s",
            one(f'=IF(AND(ISNUMBER({name}),{name}>0),{name}{div},"none")'),
            fmt="0.000",
            note="none or 0 = no target",
        )
    x.section("Model (the same for both options)")
    x.add("model_id", "model", "id", one("=model_used"), kind="link")  # catalog rows: the Models sheet
    x.add(
        "model_row",
        "row in the Models sheet",
        "row",
        one(
            f'=IF(ISNA(MATCH({escape_lookup("[model_id]")},list_models,0)),"not in catalog",'
            f"MATCH({escape_lookup('[model_id]')},list_models,0))"
        ),
        fmt="int",
        names=["model_row", None],
    )
    for key, label, col, fmt in _MODEL_CATALOG:
        x.add(key, label, "", one(_gated(f"INDEX(md_{col},[model_row])", "[model_row]")), kind="link", fmt=fmt)
    x.add(
        "params",
        "parameters used",
        "billion",
        one("=IF(LEN(TRIM(model_params_billion))=0,[cat_params],model_params_billion)"),
        fmt="#,##0.00",
        names=["model_params_billion_used", None],
        note="typed value, or the catalog's",
    )
    x.add("scale", "parameters / catalog's", "ratio", one(_gated("[params]/[cat_params]", "[params]", "[cat_params]")))
    typed = "IF(ISNUMBER(precision),precision,TRIM(precision))"
    x.add(
        "precision",
        "precision used",
        "name",
        one(
            f'=IF(LEN(TRIM(precision))=0,IF(ISNUMBER([model_row]),[native],"n/a"),'
            f'IF(ISNA(MATCH({typed},prec_keys,0)),"invalid",INDEX(prec_names,MATCH({typed},prec_keys,0))))'
        ),
        names=["precision_used", None],
        note="typed precision, or the model's native format",
    )
    x.add(
        "prec_row",
        "row in the precision table",
        "row",
        one('=IF(ISNA(MATCH([precision],prec_keys,0)),"invalid",MATCH([precision],prec_keys,0))'),
        fmt="int",
    )
    for key, label, name in (
        ("bpp", "bytes per parameter", "prec_bytes"),
        ("kvb", "KV bytes/value", "prec_kv_bytes"),
        ("w16", "bf16 peak weight", "prec_bf16_weight"),
        ("w8", "fp8 peak weight", "prec_fp8_weight"),
        ("w4", "fp4 peak weight", "prec_fp4_weight"),
    ):
        x.add(key, label, "", one(_gated(f"INDEX({name},[prec_row])", "[prec_row]")), kind="link", fmt="0.0")
    x.add(
        "expert_p",
        "routed-expert parameters used",
        "billion",
        one(_gated("[cat_expert]*[scale]", "[scale]")),
        fmt="#,##0.00",
    )
    x.add("w_expert", "expert weight bytes", "B", one(_gated("[expert_p]*c_per_billion*[bpp]", "[expert_p]", "[bpp]")))
    x.add(
        "w_bytes",
        "weight bytes W",
        "B",
        one(
            _gated(
                "IF(AND([bpp]=c_four_bit_bytes,[experts]>0),[w_expert]+([params]-[expert_p])*c_per_billion*2,"
                "[params]*c_per_billion*[bpp])",
                "[w_expert]",
                "[params]",
                "[bpp]",
                "[experts]",
            )
        ),
        fmt="sci",
        note="4-bit MoE checkpoints quantise the experts only; the rest stays at 16 bits",
    )
    x.add("weights_gb", "weights", "GB", one(_gated("[w_bytes]/c_bytes_per_gb", "[w_bytes]")), fmt="gb")
    x.add(
        "floor",
        "memory floor of a derived layout",
        "B",
        one(_gated("[w_bytes]*memory_overhead_used", "[w_bytes]", "memory_overhead_used")),
        fmt="sci",
        note="weights x memory_overhead (usable memory a derived layout needs)",
    )
    x.add(
        "active",
        "active parameters per token",
        "count",
        one(_gated("[cat_active]*[scale]*c_per_billion", "[cat_active]", "[scale]")),
        fmt="sci",
    )
    x.add(
        "kv",
        "KV cache per token",
        "B",
        one(
            _gated("c_kv_tensors*[layers]*[kv_heads]*[head_dim]*[kvb]", "[layers]", "[kv_heads]", "[head_dim]", "[kvb]")
        ),
        fmt="count",
        note="2 (K and V) x layers x KV heads x head dim x bytes",
    )
    x.add(
        "attn",
        "attention width",
        "count",
        one(_gated("[heads]*[head_dim]", "[heads]", "[head_dim]")),
        fmt="count",
        note="attention heads x head dim (prefill attention over the prompt)",
    )
    x.add(
        "ceff",
        "compute efficiency",
        "ratio",
        one(_gated("IF([experts]>0,c_srv_compute*c_srv_moe_compute,c_srv_compute)", "[experts]")),
        fmt="0.000",
        note="grouped expert GEMMs run below dense efficiency",
    )
    x.add(
        "ctx",
        "tokens in the KV cache per sequence",
        "tokens",
        one(_gated("[p]+[o]/2", "[p]", "[o]")),
        fmt="count",
        note="prompt + half the output, on average",
    )
    x.add("chunks", "prefill chunks", "count", one(_gated("ROUNDUP([p]/c_srv_chunk_tokens,0)", "[p]")))
    need = (
        "OR("
        + ",".join(
            f"LEN(TRIM({k}))=0"
            for k in (
                "model_params_billion",
                "seconds_per_request",
                "precision",
                "cloud_gpus_per_replica",
                "onprem_gpus_per_replica",
            )
        )
        + ")"
    )
    x.add(
        "model_check",
        "check (model)",
        "",
        one(
            f'=IF(AND({need},ISNUMBER([ctx_len]),ISNUMBER([tokens])),IF([tokens]>[ctx_len],"prompt_tokens: '
            f'prompt_tokens + output_tokens = "&TEXT([tokens],"#,##0")&" exceeds the context window of "'
            f'&INDEX(list_models,[model_row])&" ("&TEXT([ctx_len],"#,##0")&" tokens)",""),"")'
        ),
        kind="check",
    )


def _gpu_rows(x: Rows) -> None:
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
        x.add(key, label, unit, _gated(f"INDEX(hw_{col},[gpu_row])", "[gpu_row]"), kind="link", fmt=fmt, names=names)
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
        _gated(
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
    x.add("bw_bps", "bandwidth", "B/s", _gated("[bw]*c_per_tera", "[bw]"), fmt="sci")
    x.add("link_bps", "interconnect", "B/s", _gated("[ic_gbps]*c_bytes_per_gb", "[ic_gbps]"), fmt="sci")
    lat = "c_allreduce_pcie_s"  # the engine's default for an unknown interconnect
    for k in (k for k in serving.ALLREDUCE_LATENCY_S if k != "pcie"):
        lat = f'IF([ic]="{k}",c_allreduce_{k}_s,{lat})'
    x.add("lat", "all-reduce latency", "s", f'=IF(ISNUMBER([gpu_row]),{lat},"n/a")', fmt="sci")
    x.add(
        "usable",
        "usable memory per GPU",
        "B",
        _gated("[mem]*c_bytes_per_gb*c_srv_kv_fraction", "[mem]"),
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
        tmax = f"IF(AND(c_tp{t}<=[node],{_divides('[$heads]', f'c_tp{t}')}),c_tp{t},{tmax})"
    x.add("t_max", "widest tensor parallel in a node", "count", f'=IF([mem_ok],{tmax},"n/a")', fmt="int")
    x.add(
        "nodes",
        "nodes that hold the memory floor",
        "count",
        '=IF([mem_ok],MAX(ROUNDUP([$floor]/([node]*[usable]),0),1),"n/a")',
        fmt="int",
    )


def _cand_row(i: int, j: int) -> int:  # option i, slot j
    return CAND_TOP + 1 + i * len(SLOTS) + j


def _ok_col(k: int, d: int = 3) -> str:  # batch table: candidate k (option x slot); 0 step, 1 TPOT, 2 TTFT, 3 meets
    return get_column_letter(COL0 + 1 + 4 * k + d)


_FMTS = {
    **dict.fromkeys(("rule", "valid", "opt", "slot", "chosen")),
    **dict.fromkeys(("tp", "idx", "n"), "int"),
    **dict.fromkeys(("mem_b", "cap", "batch"), "count"),
    "pp": "General",
    "rps": "0.000",
    "score": "0.000",
    "keep": "0.0000",
}


def _candidates(x: Rows) -> None:
    ws = x.ws
    put_text(ws, f"{CAND['opt'][0]}{CAND_TOP - 1}", "Candidate layouts (engine: serving.choose_layouts)", "section")
    header_row(ws, CAND_TOP, [h for _, h in CAND.values()], first_col=COL0, height=30)
    for i, (opt, col, _, _) in enumerate(OPTS):
        r_ = _Refs(x, col)
        o, m = r_.o, r_.m
        for j, slot in enumerate(SLOTS):
            r = _cand_row(i, j)
            c = {k: f"${v[0]}${r}" for k, v in CAND.items()}
            typed = f"ISNUMBER({o('typed_n')})"
            if j < len(TPS):
                T = f"c_tp{TPS[j]}"
                rule = f"AND({T}<={o('node')},{_divides(m('heads'), T)},{T}*{o('usable')}>={m('floor')})"
                f = {
                    "tp": f'=IF({o("mem_ok")},{T},"n/a")',
                    "pp": f'=IF({o("mem_ok")},1,"n/a")',
                    "rule": f"=IF({o('mem_ok')},{rule},FALSE)",
                }
            elif j == len(TPS):
                f = {
                    "tp": f"={o('t_max')}",
                    "pp": f'=IF({o("mem_ok")},{o("nodes")}*{o("node")}/{o("t_max")},"n/a")',
                    "rule": f"=IF({o('mem_ok')},{o('nodes')}>=2,FALSE)",
                }
            else:
                n, split = o("typed_n"), "1"
                for t in TPS[1:]:
                    T = f"c_tp{t}"
                    split = f"IF(AND({_divides(n, T)},{_divides(m('heads'), T)},{T}<={o('node')}),{T},{split})"
                f = {
                    "tp": f'=IF(AND({typed},{o("mem_ok")}),{split},"n/a")',
                    "pp": f'=IF(ISNUMBER({c["tp"]}),{n}/{c["tp"]},"n/a")',
                    "rule": f"={typed}",
                }
            free = (
                f"{c['n']}*{o('mem')}*c_bytes_per_gb*c_srv_kv_fraction-{m('w_bytes')}"
                f"-{c['n']}*c_srv_activation_gb*c_bytes_per_gb"
            )
            fits, bb, k = f"{c['cap']}>=1", f"MAX({c['batch']},1)", i * len(SLOTS) + j
            den, tp = f"({c['tp']}*{o('bw_bps')}*c_srv_bandwidth)", c["tp"]
            prep = {
                "mf": f"({m('w_bytes')}-{m('w_expert')})/{den}",
                "me": f"{m('w_expert')}/{den}",
                "keep": f'IF({m("experts")}>0,1-{m("top_k")}/{m("experts")},"dense")',
                "mps": f"{m('kv')}*({m('p')}+{m('o')}/2)/{den}",
                "cps": f"2*{m('active')}/({tp}*{o('flops')}*{m('ceff')})",
                "scale": f"{tp}^c_srv_tp_exponent/{o('sw')}",
                "arf": f"IF({tp}>1,2*{m('layers')}*{o('lat')},0)",
                "arp": f"IF({tp}>1,2*{m('layers')}*2*({tp}-1)/{tp}*{m('hidden')}*2/{o('link_bps')},0)",
                "fixed": f"({c['pp']}-1)*c_srv_pp_hop_s+c_srv_step_overhead_s",
                "pf": f"(2*{m('active')}*{m('p')}+2*{m('layers')}*{m('p')}*{m('p')}*{m('attn')})"
                f"/({c['n']}*{o('flops')}*{m('ceff')}*{o('sw')})",
            }
            f.update({key: f'=IF({fits},{v},"n/a")' for key, v in prep.items()})
            s1 = _step(c, "1")
            f.update(
                {
                    "opt": opt,
                    "slot": slot,
                    "n": _gated(f"{c['tp']}*{c['pp']}", c["tp"], c["pp"]),
                    "valid": f"={c['rule']}" if j == len(SLOTS) - 1 else f"=AND({c['rule']},NOT({typed}))",
                    "mem_b": f"=IF(AND({o('serve_ok')},ISNUMBER({c['n']})),IF({free}<=0,0,INT(({free})/"
                    f'({m("kv")}*({m("p")}+{m("o")}/2)))),"n/a")',
                    "cap": f"=IF(AND({c['valid']},ISNUMBER({c['mem_b']})),IF(MIN({c['mem_b']},c_srv_max_batch)>=1,"
                    f"MIN({c['mem_b']},c_srv_max_batch),0),0)",
                    "batch": f"=SUMPRODUCT(--(${_ok_col(k)}${BATCH_TOP + 1}:${_ok_col(k)}${BATCH_TOP + MAX_BATCH}))",
                    "step": f'=IF({fits},{_step(c, bb)},"n/a")',
                    "tpot": f'=IF({fits},{c["step"]}+{bb}/{m("o")}*{c["pf"]},"n/a")',
                    "ttft": f'=IF({fits},{_ttft(r_, c, bb, c["step"], c["tpot"])},"n/a")',
                    "rps": f'=IF({fits},{bb}/({m("o")}*{c["tpot"]}),"n/a")',
                    "score": f"=IF(AND({fits},{c['batch']}>=1),{c['rps']}/{c['n']},-1)",
                    "tpot1": f'=IF({fits},{s1}+1/{m("o")}*{c["pf"]},"")',
                    "ttft1": f'=IF({fits},{_ttft(r_, c, "1", s1, c["tpot1"])},"")',
                    "chosen": f'=IF({o("chosen")}={c["idx"]},"chosen","")',
                    "idx": j + 1,
                }
            )
            for key, value in f.items():
                kind = {"opt": "label", "slot": "label", "chosen": "answer", "idx": "const"}.get(key, "calc")
                put(ws, f"{CAND[key][0]}{r}", value, kind, _FMTS.get(key, "sci"))


def _batch_table(x: Rows) -> None:
    ws, top = x.ws, BATCH_TOP
    first = get_column_letter(COL0)
    put_text(
        ws,
        f"{first}{top - 2}",
        "Batch table: fits (batch <= largest that fits) and meets the targets, per "
        "batch and candidate; a candidate's batch is the count of TRUE (the engine's largest_batch)",
        "section",
    )
    put_text(ws, f"{first}{top}", "batch", "header")
    for b in range(1, MAX_BATCH + 1):
        put(ws, f"{first}{top + b}", b, "const", "int")
    for i, (opt, col, _, _) in enumerate(OPTS):
        r_ = _Refs(x, col)
        for j, slot in enumerate(SLOTS):
            k = i * len(SLOTS) + j
            c = {key: f"${v[0]}${_cand_row(i, j)}" for key, v in CAND.items()}
            put_text(ws, f"{_ok_col(k, 0)}{top - 1}", f"{opt} {slot}", "header")
            for d, h in enumerate(("step [s]", "TPOT [s]", "TTFT [s]", "meets")):
                put_text(ws, f"{_ok_col(k, d)}{top}", h, "header")
            b = f"${first}{{r}}"
            gate = f"{b}<={c['cap']}"
            st, tp_, tt = (f"{_ok_col(k, d)}{{r}}" for d in range(3))
            t1, t2 = r_.m("tgt_tpot"), r_.m("tgt_ttft")
            formulas = (
                f'=IF({gate},{_step(c, b)},"")',
                f'=IF({gate},{st}+{b}/{r_.m("o")}*{c["pf"]},"")',
                f'=IF({gate},{_ttft(r_, c, b, st, tp_)},"")',
                f"=IF({gate},AND(OR(NOT(ISNUMBER({t1})),{tp_}<={t1}),OR(NOT(ISNUMBER({t2})),{tt}<={t2})),FALSE)",
            )
            for d, formula in enumerate(formulas):
                put_formula_column(
                    ws, COL0 + 1 + 4 * k + d, top + 1, top + MAX_BATCH, formula, "calc", "General" if d == 3 else "sci"
                )


def _chosen_rows(x: Rows) -> None:
    x.section("Chosen layout (most requests/s per GPU; ties: the first candidate)")

    def rng(key: str, n: int = len(SLOTS)) -> list[str]:
        return [f"${CAND[key][0]}${_cand_row(i, 0)}:${CAND[key][0]}${_cand_row(i, n - 1)}" for i in range(len(OPTS))]

    x.add("any_fit", "a candidate fits", "yes/no", [f"=SUMPRODUCT(--({r}>=1))>0" for r in rng("cap")])
    x.add("best", "best requests/s per GPU", "1/s", [f"=MAX({r})" for r in rng("score")], fmt="0.0000")
    x.add(
        "chosen",
        "chosen candidate",
        "number",
        [f'=IF([best]>0,MATCH([best],{r},0),"none")' for r in rng("score")],
        fmt="int",
        note="1-4 = TP 1, 2, 4, 8; 5 = whole nodes; 6 = the typed count",
    )
    x.add(
        "status",
        "status",
        "",
        '=IF(NOT([$derive]),"seconds typed",IF([$model_check]<>"","n/a",IF(NOT('
        '[serve_ok]),"n/a",IF(ISNUMBER([chosen]),"ok",IF([any_fit],"misses the targets","does not fit")))))',
    )
    x.add(
        "best_tpot",
        "best TPOT reachable (batch 1)",
        "ms",
        [f'=IF([any_fit],MIN({r})*c_ms_per_s,"n/a")' for r in rng("tpot1")],
        fmt="#,##0.0",
    )
    x.add(
        "best_ttft",
        "best TTFT reachable (batch 1)",
        "s",
        [f'=IF([any_fit],MIN({r}),"n/a")' for r in rng("ttft1")],
        fmt="0.000",
    )
    x.add(
        "need_gb",
        "memory one sequence needs",
        "GB",
        _gated("([$w_bytes]+[$kv]*([$p]+[$o]/2))/c_srv_kv_fraction/c_bytes_per_gb", "[$w_bytes]", "[$kv]"),
        fmt="gb",
        note="(weights + one sequence's KV cache) / usable share",
    )
    for key, label, unit, fmt in (
        ("n", "GPUs per replica", "count", "int"),
        ("tp", "TP", "count", "int"),
        ("pp", "PP", "count", "int"),
        ("batch", "batch", "sequences", "count"),
        ("ttft", "TTFT", "s", "0.000"),
        ("tpot", "TPOT", "s", "0.00000"),
        ("rps", "requests/s", "1/s", "0.000"),
    ):
        x.add(f"{key}_c", label, unit, [f'=IF([status]="ok",INDEX({r},[chosen]),"n/a")' for r in rng(key)], fmt=fmt)
    x.add(
        "min_tp",
        "fewest GPUs of a layout that holds the model",
        "count",
        [
            f'=IF([mem_ok],IF(ISNA(MATCH(TRUE,{r},0)),"none",INDEX({t},MATCH(TRUE,{r},0))),"n/a")'
            for r, t in zip(rng("rule", len(TPS)), rng("tp", len(TPS)))
        ],
        fmt="int",
        note="for a typed seconds_per_request: TP 1, 2, 4, 8 in a node, else whole nodes",
    )
    any_tp = '"none"'
    for t in reversed(TPS):
        any_tp = f"IF(AND({_divides('[$heads]', f'c_tp{t}')},c_tp{t}*[usable]>=[$floor]),c_tp{t},{any_tp})"
    x.add(
        "min_tp_any",
        "fewest GPUs, no node limit",
        "count",
        [_gated(any_tp, "[usable]", "[$heads]", "[$floor]"), None],
        fmt="int",
        note="the offer choice's minimum (the engine's n_min)",
    )
    messages, gpu = [], "INDEX(list_gpus,[gpu_row])"
    for opt, col, gpus_key, gpu_key in OPTS:
        fit = (
            f'IF(ISNUMBER([typed_n]),"{gpus_key}","{gpu_key}")&": the model does not fit: one replica needs "'
            f'&TEXT([need_gb],"#,##0.0")&" GB (weights + one sequence\'s KV cache, at {EFF.kv_memory_fraction:.0%}'
            f' usable) on "&{gpu}'
        )
        tpot_missed = "IF(ISNUMBER(max_tpot_ms_used),IF(max_tpot_ms_used>0,[best_tpot]>max_tpot_ms_used,FALSE),FALSE)"
        late = (
            f'IF({tpot_missed},"max_tpot_ms","max_ttft_s")&": no {opt} layout on "&{gpu}&" meets the '
            f'latency targets: the best reachable is TPOT "&TEXT([best_tpot],"#,##0.0")&" ms and TTFT "'
            f'&TEXT([best_ttft],"#,##0.00")&" s"'
        )
        messages.append(
            f'=IF(OR(NOT([$derive]),[$model_check]<>""),"",IF(NOT(ISNUMBER([$tokens])),"",IF([$tokens]<=0,'
            f'"seconds_per_request: is blank and prompt_tokens + output_tokens is 0: give seconds_per_request or a '
            f'token count",IF([$o]<=0,"output_tokens: is 0: the serving model needs output tokens; give '
            f'seconds_per_request",IF([status]="does not fit",{fit},IF([status]="misses the targets",{late},""))))))'
        )
    x.add("check", "check (layout)", "", messages, kind="check")


#: The answers at the top: key, label, unit, format, names (cloud, on-prem), formula template on the summary rows.
ANSWERS = (
    ("layout", "layout", "", None, None, '=IF(ISNUMBER({tp}),"TP "&{tp}&" x PP "&{pp},"n/a")'),
    (
        "gpus",
        "GPUs per replica",
        "count",
        "int",
        "{o}_gpus_per_replica_used",
        '=IF({model_check}<>"","n/a",IF({derive},IF({status}="ok",{n_c},"n/a"),IF(ISNUMBER({typed_n}),{typed_n},'
        'IF({mem_ok},IF(ISNUMBER({min_tp}),{min_tp},{nodes}*{node}),"n/a"))))',
    ),
    ("tp", "tensor parallel (TP)", "count", "int", "{o}_layout_tp", '=IF({ok},{tp_c},"n/a")'),
    ("pp", "pipeline stages (PP)", "count", "int", "{o}_layout_pp", '=IF({ok},{pp_c},"n/a")'),
    ("batch", "planned batch", "sequences", "count", "{o}_batch", '=IF({ok},{batch_c},"n/a")'),
    ("ttft", "time to first token (TTFT)", "s", "0.000", "{o}_ttft_s", '=IF({ok},{ttft_c},"n/a")'),
    ("tpot", "time per output token (TPOT)", "ms", "#,##0.0", "{o}_tpot_ms", '=IF({ok},{tpot_c}*c_ms_per_s,"n/a")'),
    (
        "s",
        "seconds per request",
        "s",
        "seconds",
        "{o}_seconds_per_request",
        '=IF({model_check}<>"","n/a",IF({derive},IF({status}="ok",1/{rps_c},"n/a"),IF(ISNUMBER('
        'seconds_per_request),seconds_per_request,"n/a")))',
    ),
    (
        "n_min",
        "GPUs the offer must hold",
        "count",
        "int",
        "cloud_n_min",
        "=IF(LEN(TRIM(cloud_gpus_per_replica))>0,cloud_gpus_per_replica,IF(ISNUMBER({min_tp_any}),{min_tp_any},"
        'IF({min_tp_any}="none",c_max_tp,"n/a")))',
    ),
    ("model_check", "check (model)", "", None, None, "={model_check}"),
    ("check", "check (layout)", "", None, None, "={check}"),
)


def _answer_refs(x: Rows, col: str, row: int) -> dict[str, str]:
    ref = {k: (f"$C${r}" if x.at[k] < x.at["gpu_id"] else f"{col}{r}") for k, r in x.at.items()}
    ref["ok"] = f'AND({ref["derive"]},{ref["status"]}="ok",{ref["model_check"]}="")'
    ref["tp"], ref["pp"] = f"{col}{row + 2}", f"{col}{row + 3}"  # the answer rows below "layout"
    return ref


def _answers(book: Book, x: Rows) -> None:
    y = Rows(book, x.ws, 5, value_cols=("C", "D"), note_col="E")
    y.row = 4
    y.section("Result (the engine's layout; a typed seconds_per_request leaves only the GPU count)", gap=1)
    for key, label, unit, fmt, names, tmpl in ANSWERS:
        values = [
            None if i and key in ("n_min", "model_check") else tmpl.format(**_answer_refs(x, col, y.row))
            for i, (_, col, _, _) in enumerate(OPTS)
        ]
        nm = (
            None
            if names is None
            else [names.format(o=o[0]) if (i == 0 or "{o}" in names) else None for i, o in enumerate(OPTS)]
        )
        y.add(key, label, unit, values, kind="check" if "check" in key else "answer", fmt=fmt, names=nm)
    r = y.at["model_check"]
    book.names_many([("sizing_checks", SHEET, f"C{r}:D{y.at['check']}"), ("sizing_model_check", SHEET, f"C{r}")])


def build(book: Book) -> None:
    ws = book.sheet(SHEET)
    heading(
        ws,
        "Sizing: memory, GPUs per replica, layout, batch, TTFT and TPOT",
        "The engine's serving model (costengine.serving) in formulas: an estimate; a measured "
        "seconds_per_request on the Inputs sheet overrides it.",
    )
    header_row(ws, 4, ["quantity", "unit", "cloud", "on-premises", "note"])
    x = Rows(book, ws, 4 + len(ANSWERS) + 2, value_cols=("C", "D"), note_col="E")
    _model_rows(x)
    _gpu_rows(x)
    _chosen_rows(x)
    last = x.row - 1
    _candidates(x)
    _batch_table(x)
    _answers(book, x)
    setup_sheet(
        ws,
        widths={
            "A": 36,
            "B": 11,
            "C": 16,
            "D": 16,
            "E": 60,
            "F": 3,
            **{get_column_letter(COL0 + i): 12 for i in range(len(CAND) + 4 * len(SLOTS) * 2)},
        },
        freeze="A5",
        print_area=f"A1:E{last}",
        landscape=False,
        title_rows="4:4",
    )
