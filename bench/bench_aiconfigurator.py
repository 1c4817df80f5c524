"""Peer comparison: the serving estimate against NVIDIA's aiconfigurator, an optional peer (docs/validation.md).

Run:  python bench/bench_aiconfigurator.py [--aic-python PATH] [--quick] [--peer-defaults]

aiconfigurator (on the package index, Apache-2.0) predicts TTFT, TPOT and tokens/s/GPU of TensorRT-LLM,
SGLang and vLLM from kernel timings measured per GPU and framework, offline. It is never a dependency of this
project: install it in a venv of its own (``python -m venv aic && aic/bin/pip install aiconfigurator``) and
pass that venv's interpreter as ``--aic-python``; this script then runs the peer's half in that interpreter
(``--peer-worker``, which imports only the standard library and aiconfigurator) and the engine's half here.
Without aiconfigurator it prints one line saying it skipped and exits 0.

Two parts:
1. A grid both tools cover: Llama-3.1-8B/70B, Mixtral-8x7B, gpt-oss-20b/120b on H100-SXM, H200 and B200, TP 1-8,
   bf16/fp8 (fp4 for 70B on B200, the checkpoint's MXFP4 for gpt-oss), prompts/outputs 1000/200, 4000/500 and
   20000/500, each at batch 1, batch 64 and the largest batch (<= 256) meeting a TPOT target of 20, 40 and 60 ms.
   Ratio = ours / peer, per GPU.
2. The published measurements of ``tests/data/serving_measurements.csv`` that both tools can estimate (NIM's
   latency sweep below saturation, TensorRT-LLM's offline tables): each tool / measured.

Peer settings: backend TensorRT-LLM at the newest database version bundled per system, database mode SILICON,
aggregated (in-flight batching) mode, MoE experts tensor-parallel (the engine does not model expert
parallelism) except where a measured row states its expert-parallel size or the peer has data only for that,
gpt-oss on B200 with MXFP8 activations (``PEER_MOE_QUANT``; ``--peer-defaults`` keeps the peer's own choice,
16-bit activations). A fixed batch is compared only where both tools fit it in memory; a TPOT target is met
by each tool's largest batch, found by bisection on the peer's TPOT. Engine settings: its defaults
(``costengine.serving.throughput.estimate``). TTFT differs by construction: the engine adds M/D/1 queueing at 70%
planned load to the prefill; the peer multiplies its prefill step by a queuing factor of 2 to 4 (its
``_ttft_queuing_factor``, for requests arriving together).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import math
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "serving_measurements.csv"
#: Engine model id -> (peer model, MoE). Llama 3.3 70B has Llama 3.1 70B's architecture. Mixtral is not among
#: the peer's named models: its bundled config is given as a local model directory.
MODELS = {
    "llama-3.1-8b": ("meta-llama/Meta-Llama-3.1-8B", False),
    "llama-3.1-70b": ("meta-llama/Meta-Llama-3.1-70B", False),
    "llama-3.3-70b": ("meta-llama/Meta-Llama-3.1-70B", False),
    "mixtral-8x7b": ("mistralai/Mixtral-8x7B-v0.1", True),
    "gpt-oss-20b": ("openai/gpt-oss-20b", True),
    "gpt-oss-120b": ("openai/gpt-oss-120b", True),
}
SYSTEMS = {"H100-SXM": "h100_sxm", "H200": "h200_sxm", "B200": "b200_sxm"}
#: Engine precision -> peer quantisation modes (None: the checkpoint's own, MXFP4 experts for gpt-oss).
QUANT = {
    "bf16": {"gemm_quant_mode": "bfloat16", "kvcache_quant_mode": "bfloat16"},
    "fp8": {"gemm_quant_mode": "fp8", "kvcache_quant_mode": "fp8"},
    "fp4": {"gemm_quant_mode": "nvfp4", "kvcache_quant_mode": "fp8"},
    None: {},
}
#: The peer's MoE path where its default for the checkpoint is not the one its database has for the GPU's own
#: format: gpt-oss's MXFP4 experts default to w4a16 (16-bit activations); on B200 the peer also has MXFP8
#: activations. ``--peer-defaults`` drops this.
PEER_MOE_QUANT = {
    ("openai/gpt-oss-20b", "b200_sxm"): "w4a8_mxfp4_mxfp8",
    ("openai/gpt-oss-120b", "b200_sxm"): "w4a8_mxfp4_mxfp8",
}
LENGTHS = ((1000, 200), (4000, 500), (20000, 500))
TARGETS_MS = (20.0, 40.0, 60.0)
BATCHES = (1, 64)
CAP = 256  # the engine's default max_batch (vLLM's max_num_seqs), used for both tools' target search
OFFLINE_CAP = 4096  # offline measured rows: the cap tests/test_serving_validation.py uses
#: (model, GPU, TP, precision[, expert-parallel size for the peer]) of the grid. The peer has no gpt-oss-120b
#: data for tensor-parallel experts on H100, so that row runs its experts expert-parallel there.
GRID = [("llama-3.1-8b", g, 1, p) for g in SYSTEMS for p in ("bf16", "fp8")] + [
    ("llama-3.1-70b", "H100-SXM", 4, "bf16"),
    ("llama-3.1-70b", "H100-SXM", 8, "bf16"),
    ("llama-3.1-70b", "H100-SXM", 2, "fp8"),
    ("llama-3.1-70b", "H100-SXM", 4, "fp8"),
    ("llama-3.1-70b", "H200", 2, "bf16"),
    ("llama-3.1-70b", "H200", 1, "fp8"),
    ("llama-3.1-70b", "H200", 4, "fp8"),
    ("llama-3.1-70b", "B200", 2, "bf16"),
    ("llama-3.1-70b", "B200", 1, "fp8"),
    ("llama-3.1-70b", "B200", 1, "fp4"),
    ("mixtral-8x7b", "H100-SXM", 2, "bf16"),
    ("mixtral-8x7b", "H100-SXM", 2, "fp8"),
    ("mixtral-8x7b", "H200", 1, "fp8"),
    ("mixtral-8x7b", "B200", 1, "bf16"),
    ("gpt-oss-20b", "H100-SXM", 1, None),
    ("gpt-oss-20b", "H200", 1, None),
    ("gpt-oss-20b", "B200", 1, None),
    ("gpt-oss-120b", "H100-SXM", 2, None, 2),
    ("gpt-oss-120b", "H200", 1, None),
    ("gpt-oss-120b", "B200", 1, None),
]
BAND = (0.67, 1.5)


# ---- the peer's half (runs in the interpreter that has aiconfigurator; standard library + aiconfigurator) ----


def _peer_model_path(hf_id: str, tmp: str) -> str:
    """The peer's named model, or (Mixtral) a directory holding the config.json the peer's package ships."""
    from importlib import resources

    from aiconfigurator.sdk.common import get_default_models

    if hf_id in get_default_models():
        return hf_id
    src = resources.files("aiconfigurator_core") / "model_configs" / f"{hf_id.replace('/', '--')}_config.json"
    d = Path(tmp) / hf_id.replace("/", "--")
    d.mkdir(exist_ok=True)
    (d / "config.json").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    return str(d)


def peer_worker(requests: list[dict]) -> dict:
    """Run every request through ``aiconfigurator.cli.api.cli_estimate``; versions and one result per request."""
    import logging
    import warnings
    from importlib.metadata import version

    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    from aiconfigurator.cli.api import cli_estimate
    from aiconfigurator.sdk.perf_database import get_latest_database_version

    db = {s: get_latest_database_version(system=s, backend="trtllm") for s in sorted({r["system"] for r in requests})}
    tmp = tempfile.TemporaryDirectory(prefix="aic-models-")
    paths = {}

    def point(r: dict, batch: int) -> dict:
        if r["model"] not in paths:
            paths[r["model"]] = _peer_model_path(r["model"], tmp.name)
        moe = {"moe_tp_size": r["tp"] // r["ep"], "moe_ep_size": r["ep"]} if r["moe"] else {}
        if r["moe_quant"]:
            moe["moe_quant_mode"] = r["moe_quant"]
        try:  # any failure of the peer on one case (no data, out of memory) is that case's result
            e = cli_estimate(
                paths[r["model"]],
                r["system"],
                backend_name="trtllm",
                backend_version=db[r["system"]],
                database_mode="SILICON",
                isl=r["isl"],
                osl=r["osl"],
                batch_size=batch,
                tp_size=r["tp"],
                **moe,
                **QUANT[r["precision"]],
            )
        except Exception as exc:  # noqa: BLE001 - reported per case, never hidden
            msg = str(exc).replace(paths[r["model"]], r["model"]).splitlines()[0]
            return {"error": f"{type(exc).__name__}: {msg[:90]}"}
        if e.kv_cache_warning:
            return {"error": f"KV cache holds fewer than {batch} sequences"}
        ops, src = e.per_ops_data or {}, e.per_ops_source or {}
        steps = {s: ops.get("scheduling", {}).get(f"num_{s}s", 0.0) for s in ("mix_step", "genonly_step")}
        total = sum(n * v for s, n in steps.items() for v in ops.get(s, {}).values())
        silicon = sum(
            n * v for s, n in steps.items() for k, v in ops.get(s, {}).items() if src.get(s, {}).get(k) == "silicon"
        )
        return {
            "tps_gpu": e.tokens_per_second_per_gpu,
            "tps": e.tokens_per_second,
            "ttft_ms": e.ttft,
            "tpot_ms": e.tpot,
            "batch": batch,
            "silicon": silicon / total if total else float("nan"),
        }

    def largest(r: dict) -> dict:
        """Largest batch in [1, cap] that fits and meets the TPOT target (TPOT rises with the batch)."""
        seen = {}

        def ok(b):
            seen[b] = point(r, b)
            return "error" not in seen[b] and seen[b]["tpot_ms"] <= r["tpot_ms"]

        if not ok(1):
            return seen[1] if "error" in seen[1] else {"error": f"TPOT {seen[1]['tpot_ms']:.1f} ms at batch 1"}
        lo, hi = 1, r["cap"] + 1
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (mid, hi) if ok(mid) else (lo, mid)
        return seen[lo]

    results = [point(r, r["batch"]) if r["batch"] else largest(r) for r in requests]
    tmp.cleanup()
    return {
        "aiconfigurator": version("aiconfigurator"),
        "aiconfigurator-core": version("aiconfigurator-core"),
        "backend": "trtllm",
        "databases": db,
        "database_mode": "SILICON",
        "results": results,
    }


# ---- the engine's half ----


def ours(cat, model: str, gpu: str, tp: int, precision, isl: int, osl: int, batch, tpot_ms, cap: float) -> dict:
    """The engine's estimate per GPU through its public function; an ``error`` when nothing fits or meets the target."""
    import dataclasses

    from costengine import serving
    from costengine.serving import throughput

    eff = dataclasses.replace(serving.DEFAULT_EFFICIENCIES, max_batch=float(cap))
    e = throughput.estimate(
        cat.model(model),
        cat.gpu(gpu),
        tp=tp,
        precision=precision,
        prompt_tokens=isl,
        output_tokens=osl,
        batch=batch,
        max_tpot_ms=tpot_ms,
        eff=eff,
    )
    if batch and batch > e["max_batch"]:
        return {"error": f"KV cache holds {e['max_batch']:.0f} sequences"}
    if not math.isfinite(e["output_tokens_per_s"]):
        return {"error": "no batch fits or meets the target"}
    return {
        "tps_gpu": e["output_tokens_per_s"] / tp,
        "tps": e["output_tokens_per_s"],
        "ttft_ms": e["ttft_s"] * 1e3,
        "tpot_ms": e["tpot_ms"],
        "batch": e["batch"],
    }


def grid_cases(quick: bool) -> list[dict]:
    grid = GRID[::4] if quick else GRID
    out = []
    for model, gpu, tp, prec, *ep in grid:
        for isl, osl in LENGTHS[:1] if quick else LENGTHS:
            for batch in BATCHES:
                out.append(
                    dict(
                        model=model,
                        gpu=gpu,
                        tp=tp,
                        ep=ep[0] if ep else 1,
                        precision=prec,
                        isl=isl,
                        osl=osl,
                        batch=batch,
                        tpot_ms=None,
                        cap=CAP,
                        mode=f"b={batch}",
                    )
                )
            for t in TARGETS_MS:
                out.append(
                    dict(
                        model=model,
                        gpu=gpu,
                        tp=tp,
                        ep=ep[0] if ep else 1,
                        precision=prec,
                        isl=isl,
                        osl=osl,
                        batch=None,
                        tpot_ms=t,
                        cap=CAP,
                        mode=f"tpot<={t:g}",
                    )
                )
    return out


def measured_cases() -> list[dict]:
    """Rows of the measurement file both tools can estimate, grouped by run (one case, several metrics)."""
    runs: dict[tuple, dict] = {}
    for r in csv.DictReader(DATA.open(encoding="utf-8")):
        nim = r["source_id"] == "nim-bench-1.0.0" and r["concurrency"] and float(r["concurrency"]) <= 50
        offline = r["source_id"].startswith("trtllm-perf") and r["metric"] == "output_tps"
        if not (nim or offline) or r["model"] not in MODELS or r["gpu"] not in SYSTEMS or r["pp"] not in ("", "1"):
            continue
        if r["model"].startswith("gpt-oss") and r["precision"] == "fp8":
            continue  # the table labels MXFP4 weights fp8 on Hopper (docs/validation.md)
        prec = None if r["model"].startswith("gpt-oss") else r["precision"]
        conc = int(float(r["concurrency"])) if r["concurrency"] else None
        key = (
            r["model"],
            r["gpu"],
            int(r["tp"]),
            int(r["ep"] or 1),
            prec,
            int(r["prompt_tokens"]),
            int(r["output_tokens"]),
            conc,
        )
        case = runs.setdefault(
            key,
            dict(
                model=key[0],
                gpu=key[1],
                tp=key[2],
                ep=key[3],
                precision=prec,
                isl=key[5],
                osl=key[6],
                batch=conc,
                tpot_ms=None if conc else math.inf,
                cap=CAP if conc else OFFLINE_CAP,
                mode=f"c={conc}" if conc else "offline",
                measured={},
                ids=[],
            ),
        )
        case["measured"][r["metric"]] = float(r["value"])
        case["ids"].append(r["case_id"])
    return list(runs.values())


def run_peer(requests: list[dict], aic_python: str | None) -> dict | None:
    """The peer's results: in this interpreter when it has aiconfigurator, else in ``aic_python``; None if neither."""
    if aic_python is None:
        return peer_worker(requests) if importlib.util.find_spec("aiconfigurator") else None
    with tempfile.TemporaryDirectory() as d:
        inp, out = Path(d) / "in.json", Path(d) / "out.json"
        inp.write_text(json.dumps(requests), encoding="utf-8")
        p = subprocess.run([aic_python, __file__, "--peer-worker", str(inp), str(out)], capture_output=True, text=True)
        if p.returncode == 3:
            return None
        if p.returncode != 0:
            sys.exit(f"aiconfigurator worker failed ({aic_python}):\n{p.stderr[-2000:]}")
        return json.loads(out.read_text(encoding="utf-8"))


def _label(c: dict) -> str:
    prec = c["precision"] or "native"
    return (
        f"{c['model']} {c['gpu']}x{c['tp']}{'/ep' + str(c['ep']) if c['ep'] > 1 else ''} {prec} {c['isl']}/{c['osl']}"
    )


def _ratio(a: dict, b: dict, key: str) -> float:
    return a[key] / b[key] if "error" not in a and "error" not in b and b[key] > 0 else float("nan")


def summary(name: str, ratios: list[float]) -> str:
    r = [x for x in ratios if math.isfinite(x)]
    if not r:
        return f"{name}: no case"
    within = sum(BAND[0] <= x <= BAND[1] for x in r)
    return (
        f"{name}: {len(r)} cases, median ratio {statistics.median(r):.2f}, {within} of {len(r)} "
        f"({100 * within / len(r):.0f}%) within {BAND[0]}x-{BAND[1]}x, range {min(r):.2f}-{max(r):.2f}"
    )


def print_grid(cases, ours_r, peer_r) -> None:
    print(
        f"{'case':<44} {'mode':<10} {'ours tok/s/GPU':>14} {'peer':>8} {'ratio':>6} {'batch o/p':>11} "
        f"{'TPOT ms o/p':>13} {'TTFT ms o/p':>13} {'peer db':>7}"
    )
    for c, o, p in zip(cases, ours_r, peer_r):
        if "error" in o or "error" in p:
            print(f"{_label(c):<44} {c['mode']:<10} ours: {o.get('error', 'ok')}; peer: {p.get('error', 'ok')}")
            continue
        print(
            f"{_label(c):<44} {c['mode']:<10} {o['tps_gpu']:>14.0f} {p['tps_gpu']:>8.0f} "
            f"{o['tps_gpu'] / p['tps_gpu']:>6.2f} {o['batch']:>5.0f}/{p['batch']:<5d} "
            f"{o['tpot_ms']:>6.1f}/{p['tpot_ms']:<6.1f} {o['ttft_ms']:>6.0f}/{p['ttft_ms']:<6.0f} "
            + (f"{100 * p['silicon']:>6.0f}%" if math.isfinite(p["silicon"]) else f"{'-':>7}")
        )
    print()
    tps = [_ratio(o, p, "tps_gpu") for o, p in zip(ours_r, peer_r)]
    worst = sorted((i for i, x in enumerate(tps) if math.isfinite(x)), key=lambda i: -abs(math.log(tps[i])))[:12]
    print("largest disagreements (tokens/s/GPU):")
    for i in worst:
        o, p = ours_r[i], peer_r[i]
        print(
            f"  {tps[i]:5.2f}  {_label(cases[i])} {cases[i]['mode']}: batch {o['batch']:.0f}/{p['batch']}, "
            f"TPOT {o['tpot_ms']:.1f}/{p['tpot_ms']:.1f} ms"
        )
    print()
    print(summary("tokens/s/GPU, all", tps))
    for mode in dict.fromkeys(c["mode"] for c in cases):
        print(summary(f"  {mode}", [x for c, x in zip(cases, tps) if c["mode"] == mode]))
    for field in ("model", "gpu", "precision"):
        for v in dict.fromkeys(c[field] for c in cases):
            print(summary(f"  {v or 'native'}", [x for c, x in zip(cases, tps) if c[field] == v]))
    fixed = [i for i, c in enumerate(cases) if c["batch"]]
    print(summary("TPOT at a fixed batch", [_ratio(ours_r[i], peer_r[i], "tpot_ms") for i in fixed]))
    print(summary("TTFT at a fixed batch", [_ratio(ours_r[i], peer_r[i], "ttft_ms") for i in fixed]))
    both_fail = sum("error" in o and "error" in p for o, p in zip(ours_r, peer_r))
    one_fail = sum(("error" in o) != ("error" in p) for o, p in zip(ours_r, peer_r))
    print(f"not compared: {both_fail} cases neither tool can run, {one_fail} cases only one can")


def print_measured(cases, ours_r, peer_r) -> None:
    metric = {"output_tps": ("tps", 1.0), "tpot_ms": ("tpot_ms", 1.0), "ttft_s": ("ttft_ms", 1e-3)}
    print(
        f"{'measured run':<44} {'mode':<8} {'metric':<10} {'measured':>9} {'ours':>9} {'peer':>9} "
        f"{'ours/meas':>9} {'peer/meas':>9}  rows"
    )
    ratios = {"ours": {}, "peer": {}}
    for c, o, p in zip(cases, ours_r, peer_r):
        for m, v in c["measured"].items():
            key, scale = metric[m]
            est = {n: (r[key] * scale if "error" not in r else float("nan")) for n, r in (("ours", o), ("peer", p))}
            for n in est:
                ratios[n].setdefault(m, []).append(est[n] / v)
            print(
                f"{_label(c):<44} {c['mode']:<8} {m:<10} {v:>9.4g} {est['ours']:>9.4g} {est['peer']:>9.4g} "
                f"{est['ours'] / v:>9.2f} {est['peer'] / v:>9.2f}  {','.join(c['ids'])}"
                + (f"  peer: {p['error']}" if "error" in p else "")
            )
    print()
    for n in ratios:
        for m, r in ratios[n].items():
            print(summary(f"{n} / measured, {m}", r))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aic-python", help="interpreter of a venv with aiconfigurator (default: this one)")
    ap.add_argument("--quick", action="store_true", help="a quarter of the grid, one length, for a smoke run")
    ap.add_argument("--peer-defaults", action="store_true", help="the peer's own MoE quantisation everywhere")
    ap.add_argument("--peer-worker", nargs=2, metavar=("IN", "OUT"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.peer_worker:
        if importlib.util.find_spec("aiconfigurator") is None:
            sys.exit(3)
        reqs = json.loads(Path(a.peer_worker[0]).read_text(encoding="utf-8"))
        Path(a.peer_worker[1]).write_text(json.dumps(peer_worker(reqs)), encoding="utf-8")
        return
    grid, meas = grid_cases(a.quick), measured_cases()
    overrides = {} if a.peer_defaults else PEER_MOE_QUANT
    requests = [
        {
            "model": MODELS[c["model"]][0],
            "moe": MODELS[c["model"]][1],
            "system": SYSTEMS[c["gpu"]],
            "moe_quant": overrides.get((MODELS[c["model"]][0], SYSTEMS[c["gpu"]])),
            **{k: c[k] for k in ("tp", "ep", "precision", "isl", "osl", "batch", "tpot_ms", "cap")},
        }
        for c in grid + meas
    ]
    peer = run_peer(requests, a.aic_python)
    if peer is None:
        print(
            "skipped: aiconfigurator is not installed (pip install aiconfigurator in a venv of its own, then "
            "pass --aic-python PATH)"
        )
        return
    from costengine.catalogs import load_catalog

    cat = load_catalog()
    ours_r = [
        ours(cat, c["model"], c["gpu"], c["tp"], c["precision"], c["isl"], c["osl"], c["batch"], c["tpot_ms"], c["cap"])
        for c in grid + meas
    ]
    print(
        f"aiconfigurator {peer['aiconfigurator']} (aiconfigurator-core {peer['aiconfigurator-core']}), backend "
        f"{peer['backend']}, database mode {peer['database_mode']}, databases "
        + ", ".join(f"{s} {v}" for s, v in peer["databases"].items())
    )
    print(
        "ratio = ours / peer; peer db = share of the peer's step time (context and decode steps) "
        "from measured kernel rows ('silicon')\n"
    )
    n = len(grid)
    print_grid(grid, ours_r[:n], peer["results"][:n])
    print()
    print_measured(meas, ours_r[n:], peer["results"][n:])


if __name__ == "__main__":
    main()
