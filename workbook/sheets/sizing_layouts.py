"""The Sizing sheet's candidate layouts (``costengine.serving.layouts``) and batch table, right of the summary and
outside print.

One row per option and candidate (TP 1, 2, 4, 8 in a node, whole nodes, the typed count), in the engine's order:
whether the layout rule allows it, the batch memory leaves room for, and the batch-independent parts of the decode
step (``costengine.serving.step``). A candidate's batch is the count of TRUE in its column of the batch table
(batch 1..max_batch: fits and meets the targets; both latencies rise with the batch, so the count is the largest
such batch, as the engine's bisection finds); its TTFT, TPOT, requests/s and requests/s per GPU follow.
"""

from __future__ import annotations

from openpyxl.utils import get_column_letter

from costengine import serving

from ..kit import Rows, gated, header_row, put, put_formula_column, put_text, units_needed
from .inputs_checks import SPREAD_UNITS
from .serverless_cost import burst_formula

__all__ = [
    "TPS",
    "SLOTS",
    "OPTS",
    "MAX_BATCH",
    "COL0",
    "CAND",
    "cand_row",
    "divides",
    "batch_column",
    "BATCH_COLS",
    "candidate_table",
    "batch_table",
]

MAX_BATCH = int(serving.DEFAULT_EFFICIENCIES.max_batch)
TPS = serving.TP_SIZES
#: Candidate layouts in the engine's order (ties go to the first).
SLOTS = tuple(f"TP {t}" for t in TPS) + ("whole nodes", "typed count")
#: The options: key, summary column, and the inputs a layout check names (GPU count, GPU).
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
            # the plan at the volume (costengine.resolve: each candidate priced with the option's terms)
            ("p_unit", "replicas per unit"),
            ("p_step", "cost per unit"),
            ("p_cap", "replica capacity [requests/month]"),
            ("pcost", "monthly cost at the volume"),
            ("low", "cheapest"),
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


def divides(a: str, t: str) -> str:
    """True when ``t`` divides ``a`` (whole numbers), without MOD."""
    return f"INT({a}/{t})*{t}={a}"


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
    return f"{rho}/(2*(1-{rho}))*{pf}+{pf}+{r.m('chunks')}*({step})"  # the whole step: it may be an expression


def cand_row(i: int, j: int) -> int:  # option i, slot j
    return CAND_TOP + 1 + i * len(SLOTS) + j


#: Batch-table columns per candidate: decode step, TPOT, TTFT, meets the targets, requests/s.
BATCH_COLS = 5


def _ok_col(k: int, d: int = 3) -> str:  # batch table: candidate k (option x slot); 0 step, 1 TPOT, 2 TTFT, 3 meets
    return get_column_letter(COL0 + 1 + BATCH_COLS * k + d)


def batch_column(k: int, d: int) -> str:
    """The batch table's column ``d`` (0 step, 1 TPOT, 2 TTFT, 3 meets, 4 requests/s) of candidate ``k``, rows
    batch 1 .. MAX_BATCH, as an absolute range."""
    col = _ok_col(k, d)
    return f"${col}${BATCH_TOP + 1}:${col}${BATCH_TOP + MAX_BATCH}"


_FMTS = {
    **dict.fromkeys(("rule", "valid", "opt", "slot", "chosen", "low")),
    **dict.fromkeys(("pcost", "p_step"), "money"),
    "p_unit": "int",
    "p_cap": "volume",
    **dict.fromkeys(("tp", "idx", "n"), "int"),
    **dict.fromkeys(("mem_b", "cap", "batch"), "count"),
    "pp": "General",
    "rps": "0.000",
    "score": "0.000",
    "keep": "0.0000",
}


def candidate_table(x: Rows) -> None:
    ws = x.ws
    put_text(ws, f"{CAND['opt'][0]}{CAND_TOP - 1}", "Candidate layouts (engine: serving.choose_layouts)", "section")
    header_row(ws, CAND_TOP, [h for _, h in CAND.values()], first_col=COL0, height=30)
    for i, (opt, col, _, _) in enumerate(OPTS):
        r_ = _Refs(x, col)
        o, m = r_.o, r_.m
        for j, slot in enumerate(SLOTS):
            r = cand_row(i, j)
            c = {k: f"${v[0]}${r}" for k, v in CAND.items()}
            typed = f"ISNUMBER({o('typed_n')})"
            if j < len(TPS):
                T = f"c_tp{TPS[j]}"
                rule = f"AND({T}<={o('node')},{divides(m('heads'), T)},{T}*{o('usable')}>={m('floor')})"
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
                    split = f"IF(AND({divides(n, T)},{divides(m('heads'), T)},{T}<={o('node')}),{T},{split})"
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
                    "n": gated(f"{c['tp']}*{c['pp']}", c["tp"], c["pp"]),
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
            f.update(_plan_cost(opt, c, r_, i))
            for key, value in f.items():
                kind = {"opt": "label", "slot": "label", "chosen": "answer", "idx": "const"}.get(key, "calc")
                put(ws, f"{CAND[key][0]}{r}", value, kind, _FMTS.get(key, "sci"))


def _plan_cost(opt: str, c: dict[str, str], r_: _Refs, i: int) -> dict[str, str]:
    """A candidate's monthly cost at the scenario's volume with the option's terms (the Comparison sheet's
    workings, as ``costengine.resolve`` prices each candidate), and whether it is the cheapest (within
    ``c_plan_tie``; the chosen layout is the first such)."""
    n, rps = c["n"], c["rps"]
    units = f"MAX(ROUNDUP(min_replicas_used/{c['p_unit']},0),{SPREAD_UNITS})"
    unit_cap = "(" + c["p_cap"] + "*" + c["p_unit"] + ")"
    bought = f"{c['p_step']}*{units_needed('requests_per_month_used', unit_cap, units)}"
    if opt == "cloud":
        node, one = "cloud_node_gpus", "OR(cloud_price_typed,cloud_per_second)"
        price = "cloud_price_per_gpu_hour_used"
        terms = f"ISNUMBER({price}),ISNUMBER({node})"
        per_unit = f"IF({one},1,IF({n}<={node},INT({node}/{n}),1))"
        gpus_unit = f"IF({one},{n},IF({n}<={node},1,ROUNDUP({n}/{node},0))*{node})"
        step = f"IF(cloud_per_second,0,{gpus_unit}*{price}*hours_per_month_used)"
        cap = f"hours_per_month_used*c_seconds_per_hour*{rps}*target_utilization_used/(1+cloud_spot_share)"
        warm = f"min_replicas_used*{n}*{price}*hours_per_month_used"
        latency = f"IF(ISNUMBER({c['ttft1']}),{c['ttft1']}+{r_.m('o')}*{c['tpot1']},1/{rps})"
        busy = burst_formula(
            "requests_per_month_used",
            rate=f"{n}*{price}/c_seconds_per_hour",
            sec=f"1/{rps}/target_utilization_used",
            span=f"{latency}+cloud_window",
            cold="cloud_cold_start",
            m="min_replicas_used",
        )
        cost = f"cloud_monthly_overhead_used+cloud_staff+IF(cloud_per_second,{warm}+{busy},{bought})"
    else:
        node, terms = "onprem_node_gpus", "ISNUMBER(onprem_capital_per_server),ISNUMBER(onprem_running_cost)"
        per_unit = f"IF({n}<={node},INT({node}/{n}),1)"
        step = f"IF({n}<={node},1,ROUNDUP({n}/{node},0))*(onprem_capital_per_server+onprem_running_cost)"
        cap = f"hours_per_month_used*c_seconds_per_hour*{rps}*target_utilization_used"
        cost = f"onprem_fixed+{bought}"
        terms += f",ISNUMBER({node})"
    ok = f"AND(ISNUMBER({rps}),{c['batch']}>=1,{terms})"
    col = CAND["pcost"][0]
    costs = f"${col}${cand_row(i, 0)}:${col}${cand_row(i, len(SLOTS) - 1)}"
    return {
        "p_unit": f'=IF({ok},{per_unit},"n/a")',
        "p_step": f'=IF({ok},{step},"n/a")',
        "p_cap": f'=IF({ok},{cap},"n/a")',
        "pcost": f'=IF({ok},{cost},"n/a")',
        "low": f"=IF(ISNUMBER({c['pcost']}),{c['pcost']}<=MIN({costs})*(1+c_plan_tie),FALSE)",
    }


def batch_table(x: Rows) -> None:
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
            c = {key: f"${v[0]}${cand_row(i, j)}" for key, v in CAND.items()}
            put_text(ws, f"{_ok_col(k, 0)}{top - 1}", f"{opt} {slot}", "header")
            for d, h in enumerate(("step [s]", "TPOT [s]", "TTFT [s]", "meets", "requests/s")):
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
                f'=IF({gate},{b}/({r_.m("o")}*{tp_}),"")',
            )
            for d, formula in enumerate(formulas):
                put_formula_column(
                    ws,
                    COL0 + 1 + BATCH_COLS * k + d,
                    top + 1,
                    top + MAX_BATCH,
                    formula,
                    "calc",
                    "General" if d == 3 else "sci",
                )
