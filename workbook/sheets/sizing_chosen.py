"""The Sizing sheet's chosen layout, one column per option: the candidate with the lowest monthly cost at the
volume (the candidate table's "cheapest" column; ties: the first, as ``costengine.resolve`` picks), its GPUs, TP,
PP, batch, TTFT and TPOT, the fewest GPUs that hold the model (for a typed ``seconds_per_request`` and the offer
choice), the layout check (inputs the serving model cannot use) and why no layout serves the option (not feasible:
the model does not fit, or no layout meets the latency targets, the best reachable at batch 1 named).
"""

from __future__ import annotations

from costengine import serving

from ..kit import Rows, gated, units_needed
from .sizing_layouts import CAND, OPTS, SLOTS, TPS, batch_column, cand_row, divides

__all__ = ["chosen_rows"]

#: The share of GPU memory serving engines use (the layout check names it).
_KV_SHARE = serving.DEFAULT_EFFICIENCIES.kv_memory_fraction


def _per(i: int, d: int, template: str) -> str:
    """``template`` (with ``{}`` for a range) over the batch-table column ``d`` of each candidate of option ``i``,
    comma-separated (CHOOSE's arguments, in candidate order)."""
    return ",".join(template.format(batch_column(i * len(SLOTS) + j, d)) for j in range(len(SLOTS)))


def chosen_rows(x: Rows) -> None:
    x.section("Chosen layout (the lowest monthly cost at the volume; ties: the first candidate)")

    def rng(key: str, n: int = len(SLOTS)) -> list[str]:
        return [f"${CAND[key][0]}${cand_row(i, 0)}:${CAND[key][0]}${cand_row(i, n - 1)}" for i in range(len(OPTS))]

    x.add("any_fit", "a candidate fits", "yes/no", [f"=SUMPRODUCT(--({r}>=1))>0" for r in rng("cap")])
    x.add("best", "best requests/s per GPU", "1/s", [f"=MAX({r})" for r in rng("score")], fmt="0.0000")
    x.add(
        "chosen",
        "chosen candidate",
        "number",
        [
            f'=IF([best]>0,IF(COUNT({c})>0,MATCH(TRUE,{low},0),MATCH([best],{r},0)),"none")'
            for r, c, low in zip(rng("score"), rng("pcost"), rng("low"))
        ],
        fmt="int",
        note="1-4 = TP 1, 2, 4, 8; 5 = whole nodes; 6 = the typed count; without prices: the most requests/s per GPU",
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
        gated("([$w_bytes]+[$kv]*([$p]+[$o]/2))/c_srv_kv_fraction/c_bytes_per_gb", "[$w_bytes]", "[$kv]"),
        fmt="gb",
        note="(weights + one sequence's KV cache) / usable share",
    )
    for key, label, unit, fmt in (
        ("n", "GPUs per replica", "count", "int"),
        ("tp", "TP", "count", "int"),
        ("pp", "PP", "count", "int"),
        ("batch", "batch", "sequences", "count"),
        ("mem_b", "memory batch (KV cache that fits)", "sequences", "count"),
        ("ttft", "TTFT", "s", "0.000"),
        ("tpot", "TPOT", "s", "0.00000"),
        ("rps", "requests/s", "1/s", "0.000"),
        ("ttft1", "TTFT, batch 1", "s", "0.000"),
        ("tpot1", "TPOT, batch 1", "s", "0.00000"),
    ):
        x.add(f"{key}_c", label, unit, [f'=IF([status]="ok",INDEX({r},[chosen]),"n/a")' for r in rng(key)], fmt=fmt)
    # --- the concurrency the peak traffic brings (costengine.selfhosted.at_traffic) ---------------------------
    x.add(
        "t_reps",
        "replicas at the volume",
        "count",
        [
            f'=IF([status]="ok",{units_needed("requests_per_month_used", cap, "min_replicas_used")},"n/a")'
            for cap in (f"{o}_replica_capacity" for o, _, _, _ in OPTS)
        ],
        fmt="int",
        note="max(min_replicas, ceil(R x peak / replica capacity))",
    )
    x.add(
        "t_lam",
        "arrivals per replica at the peak",
        "1/s",
        "=IF(ISNUMBER([t_reps]),IF([t_reps]>0,requests_per_month_used*peak_to_average_used/(hours_per_month_used*"
        'c_seconds_per_hour)/[t_reps],0),"n/a")',
        fmt="0.0000",
    )
    x.add(
        "t_batch",
        "batch at the peak traffic",
        "sequences",
        [
            f'=IF(ISNUMBER([t_lam]),MIN([batch_c],CHOOSE([chosen],{_per(i, 4, "SUMPRODUCT(--({}<[t_lam]))")})+1),"n/a")'
            for i in range(len(OPTS))
        ],
        fmt="count",
        note="Little's law: the smallest batch whose requests/s reach the arrivals (1 = each request alone)",
    )
    for key, label, unit, d, fmt in (
        ("t_ttft", "TTFT at that batch", "s", 2, "0.000"),
        ("t_tpot", "TPOT at that batch", "s", 1, "0.00000"),
    ):
        x.add(
            key,
            label,
            unit,
            [
                f'=IF(ISNUMBER([t_batch]),CHOOSE([chosen],{_per(i, d, "INDEX({},[t_batch])")}),"n/a")'
                for i in range(len(OPTS))
            ],
            fmt=fmt,
        )
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
        any_tp = f"IF(AND({divides('[$heads]', f'c_tp{t}')},c_tp{t}*[usable]>=[$floor]),c_tp{t},{any_tp})"
    x.add(
        "min_tp_any",
        "fewest GPUs, no node limit",
        "count",
        [gated(any_tp, "[usable]", "[$heads]", "[$floor]"), None],
        fmt="int",
        note="the offer choice's minimum (the engine's n_min)",
    )
    messages, reasons, gpu = [], [], "INDEX(list_gpus,[gpu_row])"
    for opt, col, gpus_key, gpu_key in OPTS:
        fit = (
            f'"the model does not fit: one replica needs "&TEXT([need_gb],"#,##0.0")&" GB (weights + one '
            f"sequence's KV cache, at {_KV_SHARE:.0%} usable) on \"&{gpu}"
        )
        late = (
            f'"no {opt} layout on "&{gpu}&" meets the latency targets: the best reachable is TPOT "'
            f'&TEXT([best_tpot],"#,##0.0")&" ms and TTFT "&TEXT([best_ttft],"#,##0.00")&" s"'
        )
        wait = '=IF(OR(NOT([$derive]),[$model_check]<>""),"",IF(NOT(ISNUMBER([$tokens])),"",'
        messages.append(
            f'{wait}IF([$tokens]<=0,"seconds_per_request: is blank and prompt_tokens + output_tokens is 0: give '
            f'seconds_per_request or a token count",IF([$o]<=0,"output_tokens: is 0: the serving model needs output '
            f'tokens; give seconds_per_request",""))))'
        )
        # valid inputs no layout serves: the option is not feasible (docs/model.md#infeasible-options)
        reasons.append(
            f'{wait}IF(OR([$tokens]<=0,[$o]<=0),"",IF([status]="does not fit",{fit},'
            f'IF([status]="misses the targets",{late},"")))))'
        )
    x.add("check", "check (layout)", "", messages, kind="check")
    x.add("not_feasible", "not feasible (layout)", "", reasons, kind="check")
