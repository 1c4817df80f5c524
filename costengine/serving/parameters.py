"""Named parameters of the serving model: efficiencies, tensor-parallel sizes, interconnect latencies.

Each value has its evidence in ``docs/validation.md``; the workbook's Constants sheet shows them with their units.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Efficiencies",
    "DEFAULT_EFFICIENCIES",
    "TP_SIZES",
    "INTERCONNECT_CODES",
    "ALLREDUCE_LATENCY_S",
    "HELD_OUT",
    "ESTIMATED",
    "GIVEN",
]

#: Tensor-parallel sizes serving engines run inside one node (vLLM and TensorRT-LLM need the attention heads
#: to divide evenly; 1, 2, 4 and 8 are the sizes that boards of 1, 2, 4 and 8 GPUs offer).
TP_SIZES: tuple[int, ...] = (1, 2, 4, 8)

#: Interconnect codes used in arrays (the hardware catalog's ``interconnect`` column).
INTERCONNECT_CODES: dict[str, int] = {"nvlink": 0, "xgmi": 1, "pcie": 2}

#: Latency of one small all-reduce [s] by interconnect, the part of a tensor-parallel all-reduce that does not
#: shrink with the message (NCCL/RCCL ring/tree start-up). Named parameters of the model; see docs/validation.md.
ALLREDUCE_LATENCY_S: dict[str, float] = {"nvlink": 10e-6, "xgmi": 15e-6, "pcie": 30e-6}


@dataclass(frozen=True)
class Efficiencies:
    """Named parameters of the throughput model, each with its evidence in ``docs/validation.md``.

    bandwidth : achieved share of peak memory bandwidth in decode. [ratio]
    compute : achieved share of dense peak FLOP/s (prefill, compute-bound decode). [ratio]
    moe_compute : grouped expert GEMMs relative to dense GEMMs. [ratio]
    kv_memory_fraction : share of GPU memory the engine may use for weights, activations and KV cache. [ratio]
    activation_gb_per_gpu : memory an engine reserves per GPU for activations and CUDA graphs. [GB]
    max_batch : most concurrent sequences of one replica (vLLM's default ``max_num_seqs``). [sequences]
    prefill_chunk_tokens : prompt tokens processed per engine step (chunked prefill). [tokens]
    step_overhead_s : fixed time of one engine step (scheduling, kernel launches). [s]
    pp_hop_s : time to hand a micro-batch from one pipeline stage (node) to the next. [s]
    tp_exponent : per-GPU work time grows as tp**tp_exponent (smaller GEMMs per GPU, synchronisation: the
        per-GPU throughput published runs lose as tensor parallelism widens, beyond the all-reduce itself). [1]
    """

    bandwidth: float = 0.9
    compute: float = 0.4
    moe_compute: float = 0.5
    kv_memory_fraction: float = 0.9
    activation_gb_per_gpu: float = 1.0
    max_batch: float = 256.0
    prefill_chunk_tokens: float = 2048.0
    step_overhead_s: float = 0.0
    pp_hop_s: float = 50e-6
    tp_exponent: float = 0.45


DEFAULT_EFFICIENCIES = Efficiencies()


#: How far the estimate is typically off: of the held-out published throughput measurements the efficiencies were
#: not fitted on, how many the estimate lands within 0.67x-1.5x of (tests/test_serving_validation.py asserts these
#: figures; docs/validation.md lists the cases).
HELD_OUT: tuple[int, int] = (21, 27)
#: The label of a figure the serving model derived (throughput, seconds per request, TTFT, TPOT).
ESTIMATED = (
    f"estimated: throughput within 0.67x-1.5x of published measurements in {HELD_OUT[0]} of {HELD_OUT[1]} held-out "
    "cases; TTFT often optimistic under load (docs/validation.md)"
)
#: The label of a typed seconds_per_request (a measurement of the user's, e.g. from llmcost calibrate).
GIVEN = "given: seconds_per_request typed (yours, e.g. measured with llmcost calibrate)"
