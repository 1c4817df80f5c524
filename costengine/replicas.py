"""One self-hosted option's replicas, per scenario row: the open model's columns (parameters, precision, weight
and KV bytes, architecture), the GPU's, and the layout the serving model chooses (or the one typed), with the
engine's errors naming the key. Used by :mod:`costengine.plan` and :mod:`costengine.throughput`."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from . import serving, sizing
from .catalogs import Catalog
from .errors import CostModelError
from .lookup import Columns, Lookup, blank as _blank, lookup as _lookup, text_blank as _text_blank, where as _where
from .scenario import PRECISION_BYTES

__all__ = ["ModelColumns", "derive"]


_COMPUTE_CODES = {"bf16": 0, "fp8": 1, "fp4": 2}


class ModelColumns:
    """The open model's columns: parameters, precision, weight bytes and architecture, per row."""

    def __init__(self, f: Columns, catalog: Catalog, rows: np.ndarray | None):
        self.f, self.rows = f, rows
        prec = f["precision"]
        prec_blank = _text_blank(prec)
        self.params = f["model_params_billion"].copy()
        need = (_blank(self.params) | _blank(f["seconds_per_request"]) | prec_blank
                | _blank(f["cloud_gpus_per_replica"]) | _blank(f["onprem_gpus_per_replica"]))
        self.lookup = _lookup(f["model"], need, lambda m: catalog.model(m, "model"), rows)
        m = self.lookup
        np.copyto(self.params, m.attr("params_billion"), where=_blank(self.params))
        natives = [r.native_precision for r in m.results] + ["bf16"]
        if isinstance(prec, pd.Categorical):  # a sweep: stays a Categorical (looked up once per distinct name)
            names, k = np.unique(np.array(list(prec.categories) + natives, dtype=object), return_inverse=True)
            native = len(prec.categories) + np.where(m.codes >= 0, m.codes, len(natives) - 1)
            prec = pd.Categorical.from_codes(k[np.where(prec_blank, native, prec.codes)], categories=names)
        elif prec_blank.any():
            prec = np.where(prec_blank, np.array(natives, dtype=object)[m.codes], np.asarray(prec, dtype=object))
        else:
            prec = np.asarray(prec, dtype=object)
        self.precision = prec
        self.bpp = sizing.per_precision(prec, PRECISION_BYTES)
        scale = self.params / m.attr("params_billion")  # a typed parameter count scales the catalog's
        self.found = ~np.isnan(m.attr("params_billion"))
        self.experts = np.nan_to_num(m.attr("experts"))
        self.top_k = np.nan_to_num(m.attr("experts_per_token"))
        expert_params = np.nan_to_num(m.attr("expert_params_billion") * scale)
        four_bit = sizing.per_precision(prec, {k: float(v == 0.5) for k, v in PRECISION_BYTES.items()}) == 1.0
        # 4-bit MoE checkpoints (MXFP4, NVFP4) quantise the experts; attention and the rest stay at 16 bits
        keep16 = four_bit & (self.experts > 0)
        self.w_expert_bytes = expert_params * 1e9 * self.bpp
        self.w_bytes = np.where(keep16, self.w_expert_bytes + (self.params - expert_params) * 1e9 * 2.0,
                                self.params * 1e9 * self.bpp)
        self.active = m.attr("active_params_billion") * scale * 1e9
        self.kv = sizing.kv_bytes_per_token(m.attr("layers"), m.attr("kv_heads"), m.attr("head_dim"),
                                            sizing.per_precision(prec, serving.KV_BYTES))
        self.md = {"heads": m.attr("attention_heads"), "layers": m.attr("layers"), "hidden": m.attr("hidden_size"),
                   "attn_width": m.attr("attention_heads") * m.attr("head_dim"), "experts": self.experts,
                   "top_k": self.top_k, "active": self.active}
        self.compute = sizing.per_precision(prec, {k: float(_COMPUTE_CODES[v]) for k, v in serving.COMPUTE.items()})
        self.fp32 = sizing.per_precision(prec, {k: float(k == "fp32") for k in PRECISION_BYTES}) == 1.0
        ctx = m.attr("context_length")
        over = np.flatnonzero(need & ((f["prompt_tokens"] + f["output_tokens"]) > ctx))
        if len(over):
            i = over[0]
            raise CostModelError("prompt_tokens", f"prompt_tokens + output_tokens = "
                                 f"{f['prompt_tokens'][i] + f['output_tokens'][i]:,.0f} exceeds the context window of "
                                 f"{m.row(i).id} ({ctx[i]:,.0f} tokens){_where(rows, i)}")

    def hardware(self, hw: Lookup) -> dict[str, np.ndarray]:
        """Per-row GPU arrays for :func:`costengine.serving.choose_layouts`."""
        # a precision without tensor cores on the GPU computes at the bf16 rate (GPU.tflops); fp32 at half of it
        peaks = [np.array([r.tflops(c) for r in hw.results] + [np.nan])[hw.codes] for c in _COMPUTE_CODES]
        peak = np.choose(self.compute.astype(int), peaks) * np.where(self.fp32, 0.5, 1.0)
        codes = np.array([serving.INTERCONNECT_CODES.get(r.interconnect, 2) for r in hw.results] + [2])[hw.codes]
        latency = np.array([serving.ALLREDUCE_LATENCY_S[k] for k in serving.INTERCONNECT_CODES])[codes]
        return {"memory_gb": hw.attr("memory_gb"), "bw": hw.attr("bandwidth_tbps") * 1e12, "flops": peak * 1e12,
                "link": hw.attr("interconnect_gbps") * 1e9, "allreduce_s": latency,
                "sw_eff": hw.attr("serving_efficiency")}

    def memory_floor(self) -> np.ndarray:
        """Usable memory a derived layout needs [B] = weights x memory_overhead."""
        return self.w_bytes * self.f["memory_overhead"]

    def min_tp(self, hw: Lookup, node: np.ndarray, idx: np.ndarray | None = None) -> np.ndarray:
        """Fewest GPUs of a valid single-node layout that holds the model, for the rows ``idx`` (all rows when
        None; ``hw`` and ``node`` are then full length too); NaN where it needs more than one node."""
        idx = np.arange(len(self.w_bytes)) if idx is None else idx
        usable = hw.attr("memory_gb")[idx] * 1e9 * serving.DEFAULT_EFFICIENCIES.kv_memory_fraction
        node = np.asarray(node, dtype=float)[idx] if np.ndim(node) else node
        out = np.full(len(idx), np.nan)
        floor = self.memory_floor()[idx]
        heads = self.md["heads"][idx]
        for t in reversed(serving.TP_SIZES):
            ok = (t <= node) & (np.mod(heads, t) == 0) & (t * usable >= floor)
            out = np.where(ok, float(t), out)
        return out

    def serving_args(self, hw: Lookup, idx: np.ndarray) -> dict[str, Any]:
        """Keyword arguments of :func:`costengine.serving.choose_layouts` for the rows ``idx`` (targets aside)."""
        f = self.f
        md = {k: v[idx] for k, v in self.md.items()}
        eff = serving.DEFAULT_EFFICIENCIES
        return dict(hw={k: v[idx] for k, v in self.hardware(hw).items()}, md=md, p=f["prompt_tokens"][idx],
                    o=f["output_tokens"][idx], util=f["target_utilization"][idx], w_bytes=self.w_bytes[idx],
                    w_expert_bytes=self.w_expert_bytes[idx], kv=self.kv[idx],
                    compute_eff=np.where(md["experts"] > 0, eff.compute * eff.moe_compute, eff.compute),
                    memory_floor=self.memory_floor()[idx])

    def layouts(self, hw: Lookup, node: np.ndarray, typed_n: np.ndarray, idx: np.ndarray, prefix: str,
                gpus_key: str) -> serving.Layout:
        """Chosen layouts for the rows ``idx`` (that derive seconds_per_request); errors name the key."""
        f = self.f
        eff = serving.DEFAULT_EFFICIENCIES
        tokens = f["prompt_tokens"][idx] + f["output_tokens"][idx]
        bad = np.flatnonzero(tokens <= 0)
        if len(bad):
            raise CostModelError("seconds_per_request", "is blank and prompt_tokens + output_tokens is 0: give "
                                 f"seconds_per_request or a token count{_where(self.rows, idx[bad[0]])}")
        tpot = f["max_tpot_ms"][idx] / 1000.0
        ttft = f["max_ttft_s"][idx]
        lay = serving.choose_layouts(**self.serving_args(hw, idx), node_gpus=node[idx], typed_n=typed_n[idx],
                                     tpot_max_s=np.where(np.isnan(tpot) | (tpot <= 0), np.inf, tpot),
                                     ttft_max_s=np.where(np.isnan(ttft) | (ttft <= 0), np.inf, ttft))
        for code in (1, 2):
            hit = np.flatnonzero(lay.status == code)
            if not len(hit):
                continue
            j = hit[0]
            where = _where(self.rows, idx[j])
            gpu = hw.row(idx[j])
            if code == 1:
                key = gpus_key if not np.isnan(typed_n[idx[j]]) else f"{prefix}_gpu"
                raise CostModelError(key, f"the model does not fit: one replica needs {lay.need_gb[j]:,.1f} GB "
                                     f"(weights + one sequence's KV cache, at "
                                     f"{eff.kv_memory_fraction:.0%} usable) on {gpu.id}{where}")
            t_ms, t_s = lay.best_tpot_s[j] * 1000.0, lay.best_ttft_s[j]
            key = "max_tpot_ms" if lay.best_tpot_s[j] > tpot[j] else "max_ttft_s"  # tpot: the target [s]
            raise CostModelError(key, f"no {prefix} layout on {gpu.id} meets the latency targets: the best "
                                 f"reachable is TPOT {t_ms:,.1f} ms and TTFT {t_s:,.2f} s{where}")
        return lay


def derive(f: Columns, model: ModelColumns, hw: Lookup, node: np.ndarray, typed_n: np.ndarray, prefix: str,
           gpus_key: str, shared: tuple[np.ndarray, dict] | None = None) -> dict[str, np.ndarray]:
    """GPUs per replica, seconds per request and the layout columns of a self-hosted option.

    ``shared`` = (rows, derived): the rows (a mask) whose layout search has the same inputs as another option's
    take its ``derived`` columns (what this function returned for it) instead of searching again."""
    n_rows = len(node)
    s = f["seconds_per_request"].copy()
    gpus = typed_n.copy()
    out = {k: np.full(n_rows, np.nan) for k in ("tp", "pp", "batch", "ttft_s", "tpot_s")}
    need_s = np.flatnonzero(_blank(s))
    if shared is not None and len(need_s):
        same, other = shared
        take = need_s[same[need_s]]
        s[take], gpus[take] = other["seconds_per_request"][take], other["gpus"][take]
        for k in out:
            out[k][take] = other[k][take]
        need_s = need_s[~same[need_s]]
    if len(need_s):
        lay = model.layouts(hw, node, typed_n, need_s, prefix, gpus_key)
        s[need_s] = lay.seconds_per_request
        gpus[need_s] = lay.n
        for k in out:
            out[k][need_s] = getattr(lay, k)
    memory_only = np.flatnonzero(_blank(gpus))
    if len(memory_only):  # seconds typed, GPUs blank: the fewest GPUs of a valid layout that holds the model
        t = model.min_tp(hw, node, memory_only)
        usable = hw.attr("memory_gb")[memory_only] * 1e9 * serving.DEFAULT_EFFICIENCIES.kv_memory_fraction
        nodes = np.maximum(np.ceil(model.memory_floor()[memory_only] / (node[memory_only] * usable)), 1.0)
        gpus[memory_only] = np.where(np.isnan(t), nodes * node[memory_only], t)
    out["gpus"], out["seconds_per_request"] = gpus, s
    return out
