"""The kinds of work a scenario names (``workload``) and the latency targets each takes when ``max_ttft_s`` /
``max_tpot_ms`` are blank: a published benchmark's latency constraints for that kind of work.

Every figure is MLPerf Inference's, read from ``loadgen/mlperf.conf`` of github.com/mlcommons/inference at
commit b66003e10e2db4b8c36a448b0545ec90fcc6e9e9 (read 2026-12-07); the datasets behind each benchmark are named in
that repository's README.md (table of benchmarks) and ``language/<benchmark>/README.md``. A target of 0 means
"no target" (as a typed ``none``). ``docs/model.md#latency-targets`` says why each kind takes its benchmark.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["Workload", "WORKLOADS", "WORKLOAD_NAMES", "MLPERF_CONF", "workload_targets", "workload_source"]

#: Where the constraints were read.
MLPERF_CONF = "github.com/mlcommons/inference loadgen/mlperf.conf@b66003e10e2db4b8c36a448b0545ec90fcc6e9e9"


class Workload(NamedTuple):
    """One kind of work: its default targets ``ttft_s`` [s] and ``tpot_ms`` [ms/token] (0 = no target), the
    benchmark they come from and why that benchmark fits the kind of work."""

    ttft_s: float
    tpot_ms: float
    benchmark: str
    why: str


#: The kinds of work, in the order the key lists them (the first is the default).
WORKLOADS: dict[str, Workload] = {
    "chat": Workload(
        0.45,
        40.0,
        "MLPerf llama2-70b-interactive (Server: ttft_latency 450 ms, tpot_latency 40 ms)",
        "a person reads the answer as it streams; ~1k-token prompts (OpenOrca)",
    ),
    "rag": Workload(
        4.5,
        80.0,
        "MLPerf llama3_1-405b-interactive (Server: ttft_latency 4500 ms, tpot_latency 80 ms)",
        "a person reads the answer to a long prompt: the interactive constraint of the long-context benchmark "
        "(LongBench, LongDataCollections, Ruler, GovReport), whose TTFT allows for prompts of ~10k tokens",
    ),
    "code": Workload(
        0.45,
        40.0,
        "MLPerf llama2-70b-interactive (Server: ttft_latency 450 ms, tpot_latency 40 ms), as chat",
        "MLPerf sets no code-completion constraint (the benchmarks with code in their data, mixtral-8x7b's MBXP "
        "and deepseek-r1's LiveCodeBench, set server constraints for mixed or reasoning work): chat's, the "
        "tightest sourced interactive constraint for a ~70B model",
    ),
    "agent": Workload(
        2.0,
        80.0,
        "MLPerf deepseek-r1 (Server: ttft_latency 2000 ms, tpot_latency 80 ms)",
        "a program, not a person, reads the steps of a reasoning model: the server constraint of the "
        "reasoning benchmark (AIME, MATH500, GPQA, MMLU-Pro, LiveCodeBench)",
    ),
    "batch": Workload(
        0.0,
        0.0,
        "MLPerf Offline scenario (no latency constraint)",
        "offline work: nobody waits for a token, so no target",
    ),
}
WORKLOAD_NAMES: tuple[str, ...] = tuple(WORKLOADS)


def workload_targets(name: str | None) -> tuple[float, float]:
    """The default targets of a kind of work: (``max_ttft_s`` [s], ``max_tpot_ms`` [ms/token]), 0 = no target;
    blank = chat."""
    w = WORKLOADS[name or WORKLOAD_NAMES[0]]
    return w.ttft_s, w.tpot_ms


def workload_source() -> str:
    """The key notes' source of the blank targets: each kind's targets and benchmark, and where they were read."""
    kinds = "; ".join(
        f"{k}: " + ("none" if not w.ttft_s else f"{w.ttft_s:g} s / {w.tpot_ms:g} ms") + f" ({w.benchmark})"
        for k, w in WORKLOADS.items()
    )
    return f"the workload's targets, {kinds}; read from {MLPERF_CONF} (2026-12-07); 'none' = no target"
