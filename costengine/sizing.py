"""Sizing for notebooks and scripts: the names the Python API gives (``costengine.sizing``).

The functions live in :mod:`costengine.serving`: weights, KV cache and the quick memory-only GPU count in
:mod:`~costengine.serving.memory`, the throughput of one replica of catalog rows in
:mod:`~costengine.serving.throughput`. GB means 10**9 bytes.
"""

from __future__ import annotations

from .serving.memory import gpus_needed, kv_bytes_per_token, kv_cache_gb, serving_memory_gb, weights_gb
from .serving.throughput import replica_throughput

__all__ = ["weights_gb", "kv_bytes_per_token", "kv_cache_gb", "serving_memory_gb", "gpus_needed", "replica_throughput"]
