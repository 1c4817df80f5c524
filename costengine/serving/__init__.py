"""One replica of model M on GPU G at precision P: its memory, step times, layout and throughput.

Equations, units and sources: ``docs/model.md#serving-capacity``. The modules, in import order:

- :mod:`~costengine.serving.parameters`: the named parameters (efficiencies, tensor-parallel sizes, latencies);
- :mod:`~costengine.serving.memory`: the precision table, weights, KV cache, the batch that fits in memory;
- :mod:`~costengine.serving.step`: decode step, TPOT, TTFT, throughput, the largest batch meeting targets;
- :mod:`~costengine.serving.layouts`: the tensor/pipeline layout with the highest throughput per GPU;
- :mod:`~costengine.serving.replica`: the :class:`~costengine.serving.replica.Replica` of each row's model;
- :mod:`~costengine.serving.throughput`: the estimate for catalog rows (``LLM_THROUGHPUT``).

The model is an *estimate*, validated against published measurements in ``docs/validation.md``; a measured
``seconds_per_request`` always overrides it.

References
----------
.. [1] S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual performance model for multicore
   architectures", Communications of the ACM 52(4), 2009.
.. [2] W. Kwon et al., "Efficient Memory Management for Large Language Model Serving with PagedAttention",
   SOSP 2023, arXiv:2309.06180.
.. [3] A. Agrawal et al., "Taming Throughput-Latency Tradeoff in LLM Inference with Sarathi-Serve", OSDI 2024,
   arXiv:2403.02310.
.. [4] M. Shoeybi et al., "Megatron-LM: Training Multi-Billion Parameter Language Models Using Model
   Parallelism", arXiv:1909.08053, 2019.
.. [5] J. D. C. Little, "A Proof for the Queuing Formula: L = lambda W", Operations Research 9(3), 1961.
.. [6] P. Patarasuk, X. Yuan, "Bandwidth optimal all-reduce algorithms for clusters of workstations", Journal of
   Parallel and Distributed Computing 69(2), 2009.
"""

from . import layouts, memory, parameters, replica, step, throughput
from .layouts import Layout, choose_layouts
from .memory import PRECISIONS, memory_batch
from .parameters import ALLREDUCE_LATENCY_S, DEFAULT_EFFICIENCIES, INTERCONNECT_CODES, TP_SIZES, Efficiencies
from .step import ReplicaModel, largest_batch, step_times
from .throughput import replica_throughput

__all__ = [
    "parameters",
    "memory",
    "step",
    "layouts",
    "replica",
    "throughput",
    "Efficiencies",
    "DEFAULT_EFFICIENCIES",
    "TP_SIZES",
    "INTERCONNECT_CODES",
    "ALLREDUCE_LATENCY_S",
    "PRECISIONS",
    "memory_batch",
    "ReplicaModel",
    "step_times",
    "largest_batch",
    "Layout",
    "choose_layouts",
    "replica_throughput",
]
