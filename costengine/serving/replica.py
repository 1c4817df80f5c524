"""One replica of model M on GPU G at precision P, per row: the :class:`Replica` value (weights, KV cache,
architecture and compute precision of each row's model), built by :func:`replica` for a column of scenarios and
for a single catalog row alike, with the GPU's arrays, the step-time model and the chosen layouts it leads to.

A blank precision is the model's native format. 4-bit MoE checkpoints (MXFP4, NVFP4) quantise the routed experts
and keep the rest at 16 bits (gpt-oss); otherwise every weight is at the precision. A precision the GPU has no
tensor cores for computes at the bf16 rate (:meth:`costengine.catalogs.GPU.tflops`); fp32 at half of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..errors import CostModelError, Infeasible
from ..lookup import Lookup, combined, text_blank, where
from .layouts import Layout, choose_layouts
from .memory import PRECISIONS, kv_bytes_per_layer_token, kv_layers_held, per_precision
from .parameters import ALLREDUCE_LATENCY_S, DEFAULT_EFFICIENCIES, INTERCONNECT_CODES, Efficiencies
from .step import ReplicaModel

__all__ = ["Replica", "replica", "COMPUTE_CODES"]

#: Codes of the tensor-core precisions in arrays (the order of :meth:`Replica.hardware`'s peaks).
COMPUTE_CODES = {"bf16": 0, "fp8": 1, "fp4": 2}


@dataclass(frozen=True)
class Replica:
    """One replica per row (arrays of the rows' length; NaN where the row's model was not looked up).

    ``models`` : the rows' catalog models. ``precision`` : names (object array or Categorical). ``params`` :
    parameters [1e9]. ``w_bytes`` / ``w_expert_bytes`` : all / routed-expert weights [B]. ``kv_layer`` : KV cache
    of one attention layer [B/token] (MLA aware); ``sliding_layers``, ``sliding_window`` [tokens] and
    ``linear_layers`` turn it into the cache per token of a sequence (:meth:`kv`).
    ``active`` : parameters computed per token [count]. ``experts``, ``top_k`` [count; 0 for dense].
    ``heads``, ``layers``, ``hidden``, ``attn_width`` (attention heads x head dim), ``context_length`` [tokens].
    ``compute`` : code of the tensor-core precision (:data:`COMPUTE_CODES`). ``fp32`` : serving at fp32.
    """

    models: Lookup
    precision: Any
    params: np.ndarray
    w_bytes: np.ndarray
    w_expert_bytes: np.ndarray
    kv_layer: np.ndarray
    sliding_layers: np.ndarray
    sliding_window: np.ndarray
    linear_layers: np.ndarray
    active: np.ndarray
    experts: np.ndarray
    top_k: np.ndarray
    heads: np.ndarray
    layers: np.ndarray
    hidden: np.ndarray
    attn_width: np.ndarray
    context_length: np.ndarray
    compute: np.ndarray
    fp32: np.ndarray

    def kv(self, idx: np.ndarray, p: np.ndarray, o: np.ndarray) -> np.ndarray:
        """KV cache per token [B] of the rows ``idx`` for sequences holding p + o/2 tokens on average (``p``, ``o``
        [tokens] per row of ``idx``): :func:`~costengine.serving.memory.kv_bytes_per_token`."""
        return self.kv_layer[idx] * kv_layers_held(
            self.layers[idx], self.sliding_layers[idx], self.sliding_window[idx], self.linear_layers[idx], p + o / 2.0
        )

    def check_context(
        self, p: np.ndarray, o: np.ndarray, rows_used: np.ndarray, rows: np.ndarray | None, mark=None
    ) -> None:
        """Raise :class:`~costengine.errors.Infeasible` (``prompt_tokens``) where p + o [tokens] exceeds the context
        window; ``mark(indices, texts) -> handled`` marks those rows instead when it returns True."""
        over = np.flatnonzero(rows_used & ((p + o) > self.context_length))
        if not len(over):
            return
        texts = _per_distinct(
            lambda m, tokens, window: (
                f"prompt_tokens + output_tokens + reasoning_tokens = {tokens:,.0f} exceeds the context window of "
                f"{self.models.results[m].id} ({window:,.0f} tokens)"
            ),
            self.models.codes[over],
            (p + o)[over],
            self.context_length[over],
        )
        if mark is None or not mark(over, texts):
            raise Infeasible("prompt_tokens", f"{texts[0]}{where(rows, over[0])}")

    def hardware(self, gpus: Lookup) -> dict[str, np.ndarray]:
        """Per-row GPU arrays for :func:`~costengine.serving.layouts.choose_layouts`: ``memory_gb`` [GB], ``bw``
        [B/s], ``flops`` [FLOP/s at the row's compute precision], ``link`` [B/s], ``allreduce_s`` [s], ``sw_eff``."""
        # a precision without tensor cores on the GPU computes at the bf16 rate (GPU.tflops); fp32 at half of it
        peaks = [np.array([r.tflops(c) for r in gpus.results] + [np.nan])[gpus.codes] for c in COMPUTE_CODES]
        peak = np.choose(self.compute.astype(int), peaks) * np.where(self.fp32, 0.5, 1.0)
        codes = np.array([INTERCONNECT_CODES.get(r.interconnect, 2) for r in gpus.results] + [2])[gpus.codes]
        latency = np.array([ALLREDUCE_LATENCY_S[k] for k in INTERCONNECT_CODES])[codes]
        return {
            "memory_gb": gpus.attr("memory_gb"),
            "bw": gpus.attr("bandwidth_tbps") * 1e12,
            "flops": peak * 1e12,
            "link": gpus.attr("interconnect_gbps") * 1e9,
            "allreduce_s": latency,
            "sw_eff": gpus.attr("serving_efficiency"),
        }

    def layout_arguments(
        self, gpus: Lookup, idx: np.ndarray, p, o, util, memory_floor, eff: Efficiencies = DEFAULT_EFFICIENCIES
    ) -> dict[str, Any]:
        """Keyword arguments of :func:`~costengine.serving.layouts.choose_layouts` for the rows ``idx`` (targets,
        node and typed GPUs aside); ``p``, ``o`` [tokens], ``util`` and ``memory_floor`` [B] are per row."""
        md = {
            "heads": self.heads,
            "layers": self.layers,
            "hidden": self.hidden,
            "attn_width": self.attn_width,
            "experts": self.experts,
            "top_k": self.top_k,
            "active": self.active,
        }
        md = {k: v[idx] for k, v in md.items()}
        return dict(
            hw={k: v[idx] for k, v in self.hardware(gpus).items()},
            md=md,
            p=p[idx],
            o=o[idx],
            util=util[idx],
            w_bytes=self.w_bytes[idx],
            w_expert_bytes=self.w_expert_bytes[idx],
            kv=self.kv(idx, p[idx], o[idx]),
            compute_eff=np.where(md["experts"] > 0, eff.compute * eff.moe_compute, eff.compute),
            memory_floor=memory_floor[idx],
        )

    def step_model(self, args: dict[str, Any], tp: np.ndarray, pp: np.ndarray) -> ReplicaModel:
        """The step-time model at ``tp`` x ``pp`` of the rows :meth:`layout_arguments` gave ``args`` for."""
        hw, md = args["hw"], args["md"]
        return ReplicaModel(
            bw=hw["bw"],
            flops=hw["flops"],
            link=hw["link"],
            allreduce_s=hw["allreduce_s"],
            sw_eff=hw["sw_eff"],
            tp=tp,
            pp=pp,
            w_bytes=args["w_bytes"],
            w_expert_bytes=args["w_expert_bytes"],
            experts=md["experts"],
            top_k=md["top_k"],
            active=md["active"],
            kv=args["kv"],
            layers=md["layers"],
            hidden=md["hidden"],
            attn_width=md["attn_width"],
            p=args["p"],
            o=args["o"],
            util=args["util"],
            compute_eff=args["compute_eff"],
        )

    def layouts(
        self,
        gpus: Lookup,
        idx: np.ndarray,
        *,
        p,
        o,
        util,
        memory_floor,
        node_gpus,
        typed_n,
        max_tpot_ms,
        max_ttft_s,
        prefix: str,
        gpus_key: str,
        rows: np.ndarray | None,
        mark=None,
    ) -> Layout:
        """Chosen layouts for the rows ``idx`` (per-row arrays: ``p``, ``o`` [tokens], ``util``, ``memory_floor``
        [B], ``node_gpus``, ``typed_n`` [count, NaN = derive], ``max_tpot_ms`` [ms], ``max_ttft_s`` [s], NaN or
        <= 0 = no target). Errors name the key: ``gpus_key`` for a typed count, else ``{prefix}_gpu``.
        Rows no layout serves (the model does not fit; no layout meets the targets) raise
        :class:`~costengine.errors.Infeasible`, unless ``mark(indices into the rows, reasons) -> handled`` marks
        them (returns True); their layout fields are then NaN."""
        eff = DEFAULT_EFFICIENCIES
        tokens = p[idx] + o[idx]
        bad = np.flatnonzero(tokens <= 0)
        if len(bad):
            raise CostModelError(
                "seconds_per_request",
                "is blank and prompt_tokens + output_tokens is 0: give "
                f"seconds_per_request or a token count{where(rows, idx[bad[0]])}",
            )
        tpot = max_tpot_ms[idx] / 1000.0
        ttft = max_ttft_s[idx]
        lay = choose_layouts(
            **self.layout_arguments(gpus, idx, p, o, util, memory_floor),
            node_gpus=node_gpus[idx],
            typed_n=typed_n[idx],
            tpot_max_s=np.where(np.isnan(tpot) | (tpot <= 0), np.inf, tpot),
            ttft_max_s=np.where(np.isnan(ttft) | (ttft <= 0), np.inf, ttft),
        )
        for code in (1, 2):
            hit = np.flatnonzero(lay.status == code)
            if not len(hit):
                continue
            gpu = gpus.codes[idx[hit]]
            if code == 1:
                texts = _per_distinct(
                    lambda g, gb: (
                        f"the model does not fit: one replica needs {gb:,.1f} GB (weights + one "
                        f"sequence's KV cache, at {eff.kv_memory_fraction:.0%} usable) on {gpus.results[g].id}"
                    ),
                    gpu,
                    lay.need_gb[hit],
                )
            else:
                texts = _per_distinct(
                    lambda g, t, s: (
                        f"no {prefix} layout on {gpus.results[g].id} meets the latency targets: the "
                        f"best reachable is TPOT {t * 1000.0:,.1f} ms and TTFT {s:,.2f} s"
                    ),
                    gpu,
                    lay.best_tpot_s[hit],
                    lay.best_ttft_s[hit],
                )
            if mark is not None and mark(hit, texts):
                continue
            j = hit[0]
            if code == 1:
                key = gpus_key if not np.isnan(typed_n[idx[j]]) else f"{prefix}_gpu"
            else:
                key = "max_tpot_ms" if lay.best_tpot_s[j] > tpot[j] else "max_ttft_s"  # tpot: the target [s]
            raise Infeasible(key, f"{texts[0]}{where(rows, idx[j])}")
        return lay


def _per_distinct(fmt, *columns) -> np.ndarray:
    """``fmt(*values)`` per row, formatted once per distinct combination of the columns' values (a sweep's rows
    share few: the text is spread to the rows by their codes, not built row by row)."""
    coded = combined(*columns)
    return np.array([fmt(*key) for key in coded.categories], dtype=object)[coded.codes]


def _resolve_precision(precision, models: Lookup) -> Any:
    """Names per row: the blank ones replaced by the row's model's native format (bf16 where no model)."""
    blank = text_blank(precision)
    natives = [r.native_precision for r in models.results] + ["bf16"]
    if isinstance(precision, pd.Categorical):  # a sweep: stays a Categorical (looked up once per distinct name)
        names, k = np.unique(np.array(list(precision.categories) + natives, dtype=object), return_inverse=True)
        native = len(precision.categories) + np.where(models.codes >= 0, models.codes, len(natives) - 1)
        return pd.Categorical.from_codes(k[np.where(blank, native, precision.codes)], categories=names)
    if blank.any():
        return np.where(blank, np.array(natives, dtype=object)[models.codes], np.asarray(precision, dtype=object))
    return np.asarray(precision, dtype=object)


def replica(models: Lookup, precision, params_billion: np.ndarray) -> Replica:
    """The replica of each row's catalog model at its precision (blank: the model's native format).

    ``params_billion`` [1e9] NaN = the catalog's; a typed count scales the catalog's (active and expert
    parameters in proportion). For one catalog row: ``Lookup(np.zeros(1, dtype=np.intp), [model])``.

    Notes
    -----
    Weights W = params x bytes per weight; for 4-bit MoE checkpoints W = experts x 0.5 + (params - experts) x 2.
    KV cache per layer and token = 2 x kv_heads x head_dim x bytes per K/V value (:data:`PRECISIONS`), or
    (kv_lora_rank + qk_rope_head_dim) x bytes with MLA; :meth:`Replica.kv` applies the sliding and linear layers.
    """
    m = models
    params = params_billion.copy()
    np.copyto(params, m.attr("params_billion"), where=np.isnan(params))
    prec = _resolve_precision(precision, m)
    bpp = per_precision(prec, {k: v.weight_bytes for k, v in PRECISIONS.items()})
    scale = params / m.attr("params_billion")  # a typed parameter count scales the catalog's
    experts = np.nan_to_num(m.attr("experts"))
    expert_params = np.nan_to_num(m.attr("expert_params_billion") * scale)
    four_bit = per_precision(prec, {k: float(v.weight_bytes == 0.5) for k, v in PRECISIONS.items()}) == 1.0
    # 4-bit MoE checkpoints (MXFP4, NVFP4) quantise the experts; attention and the rest stay at 16 bits
    keep16 = four_bit & (experts > 0)
    w_expert_bytes = expert_params * 1e9 * bpp
    w_bytes = np.where(keep16, w_expert_bytes + (params - expert_params) * 1e9 * 2.0, params * 1e9 * bpp)
    kv_layer = kv_bytes_per_layer_token(
        m.attr("kv_heads"),
        m.attr("head_dim"),
        per_precision(prec, {k: v.kv_bytes for k, v in PRECISIONS.items()}),
        m.attr("kv_lora_rank"),
        m.attr("qk_rope_head_dim"),
    )
    compute = per_precision(prec, {k: float(COMPUTE_CODES[v.compute]) for k, v in PRECISIONS.items()})
    fp32 = per_precision(prec, {k: float(k == "fp32") for k in PRECISIONS}) == 1.0
    return Replica(
        models=m,
        precision=prec,
        params=params,
        w_bytes=w_bytes,
        w_expert_bytes=w_expert_bytes,
        kv_layer=kv_layer,
        sliding_layers=m.attr("sliding_layers"),
        sliding_window=m.attr("sliding_window"),
        linear_layers=m.attr("linear_layers"),
        active=m.attr("active_params_billion") * scale * 1e9,
        experts=experts,
        top_k=np.nan_to_num(m.attr("experts_per_token")),
        heads=m.attr("attention_heads"),
        layers=m.attr("layers"),
        hidden=m.attr("hidden_size"),
        attn_width=m.attr("attention_heads") * m.attr("head_dim"),
        compute=compute,
        fp32=fp32,
        context_length=m.attr("context_length"),
    )
