"""One replica of model M on GPU G at precision P: its memory, step times, layout and throughput.

PRODUCT.md "Serving an open model yourself" and "Throughput model". The modules, in import order:

- :mod:`~costengine.serving.parameters`: the named parameters (efficiencies, tensor-parallel sizes, latencies);
- :mod:`~costengine.serving.memory`: the precision table, weights, KV cache, the batch that fits in memory;
- :mod:`~costengine.serving.step`: decode step, TPOT, TTFT, throughput, the largest batch meeting targets;
- :mod:`~costengine.serving.layouts`: the tensor/pipeline layout with the highest throughput per GPU;
- :mod:`~costengine.serving.replica`: the :class:`~costengine.serving.replica.Replica` of each row's model;
- :mod:`~costengine.serving.throughput`: the estimate for catalog rows (``LLM_THROUGHPUT``).

The model is an *estimate*, validated against published measurements in ``docs/validation.md``; a measured
``seconds_per_request`` always overrides it.
"""

from . import layouts, memory, parameters, replica, step, throughput
from .layouts import Layout, choose_layouts
from .memory import PRECISIONS, memory_batch
from .parameters import ALLREDUCE_LATENCY_S, DEFAULT_EFFICIENCIES, INTERCONNECT_CODES, TP_SIZES, Efficiencies
from .step import ReplicaModel, largest_batch, step_times
from .throughput import replica_throughput

__all__ = ["parameters", "memory", "step", "layouts", "replica", "throughput", "Efficiencies",
           "DEFAULT_EFFICIENCIES", "TP_SIZES", "INTERCONNECT_CODES", "ALLREDUCE_LATENCY_S", "PRECISIONS",
           "memory_batch", "ReplicaModel", "step_times", "largest_batch", "Layout", "choose_layouts",
           "replica_throughput"]
