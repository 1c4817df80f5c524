"""The open-model catalog's row (``templates/models.csv``): architecture, attention (MLA latent size, sliding
window, linear layers), mixture-of-experts shape, whether the model reasons, licence and source; a typed row that
checks itself and names the model's id. The other catalogs' rows: :mod:`costengine.catalog_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from .catalog_rows import RowFields, check_row
from .errors import CostModelError

__all__ = ["OpenModel", "MODEL_FIELDS", "MODEL_COUNTS", "MODEL_COLUMNS"]

MODEL_FIELDS = RowFields(
    positive=(
        "params_billion",
        "active_params_billion",
        "layers",
        "attention_heads",
        "kv_heads",
        "head_dim",
        "hidden_size",
        "context_length",
    ),
    text=("source", "license", "native_precision"),
)
#: Whole-number architecture columns of a model row that may be 0 (0 = absent: full attention, dense, ...); the
#: columns after ``experts_per_token`` may also be left blank in a CSV or a user row (blank = 0).
MODEL_COUNTS: tuple[str, ...] = (
    "experts",
    "experts_per_token",
    "kv_lora_rank",
    "qk_rope_head_dim",
    "sliding_window",
    "sliding_layers",
    "linear_layers",
    "vocab_size",
    "intermediate_size",
    "moe_intermediate_size",
    "shared_experts",
    "dense_layers",
    "q_lora_rank",
)


@dataclass(frozen=True)
class OpenModel:
    """One open model of the model catalog (architecture from its config.json or paper).

    Attention (the KV cache, :func:`costengine.serving.memory.kv_bytes_per_token`): a full-attention layer caches
    2 * kv_heads * head_dim values per token; with multi-head latent attention (``kv_lora_rank`` > 0: DeepSeek-V3,
    Kimi K2) kv_lora_rank + qk_rope_head_dim values (the latent and the shared RoPE key). ``sliding_layers`` of the
    layers attend over the last ``sliding_window`` tokens only, so they hold at most that many; ``linear_layers``
    (linear attention or a recurrent state: Qwen3-Next) hold no per-token cache (their fixed state per sequence
    is neglected). 0 = full attention on every layer.

    Parameter count (:func:`costengine.model_config.params_from_row`): ``vocab_size``, ``tied_embeddings``
    (true: one matrix for input and output), ``intermediate_size`` (the dense MLP width of the dense layers),
    ``moe_intermediate_size`` (one expert's width; shared experts have the same), ``shared_experts``,
    ``dense_layers`` (layers of a MoE model with a dense MLP instead of experts), ``q_lora_rank`` (MLA's
    low-rank query; 0 = full-rank). For MLA rows ``head_dim`` is the value head width (= the no-RoPE part of a
    query/key head). ``reasoning`` (true/false): the model emits hidden thinking tokens by default.
    """

    id: str
    name: str
    params_billion: float
    active_params_billion: float
    layers: int
    attention_heads: int
    kv_heads: int
    head_dim: int
    hidden_size: int
    context_length: int
    license: str
    source: str
    as_of: str
    notes: str = ""
    native_precision: str = "bf16"
    experts: int = 0
    experts_per_token: int = 0
    expert_params_billion: float = 0.0
    kv_lora_rank: int = 0
    qk_rope_head_dim: int = 0
    sliding_window: int = 0
    sliding_layers: int = 0
    linear_layers: int = 0
    vocab_size: int = 0
    tied_embeddings: str = "false"
    intermediate_size: int = 0
    moe_intermediate_size: int = 0
    shared_experts: int = 0
    dense_layers: int = 0
    q_lora_rank: int = 0
    reasoning: bool = False  # decodes hidden reasoning tokens by default (its model card); see reasoning_tokens

    def __post_init__(self) -> None:
        check_row(self, *MODEL_FIELDS)
        object.__setattr__(self, "tied_embeddings", str(self.tied_embeddings).strip().lower() or "false")
        for name in MODEL_COUNTS:
            if getattr(self, name) < 0:
                raise CostModelError(self.id, f"{name} must be >= 0 (got {getattr(self, name)!r})")
        if self.tied_embeddings not in ("true", "false"):
            raise CostModelError(self.id, f"tied_embeddings must be true or false (got {self.tied_embeddings!r})")
        flag = self.reasoning.strip().lower() if isinstance(self.reasoning, str) else self.reasoning
        if flag in ("true", "false", ""):  # the CSV's text (blank: false)
            object.__setattr__(self, "reasoning", flag == "true")
        if not isinstance(self.reasoning, bool):
            raise CostModelError(self.id, f"reasoning must be true or false (got {self.reasoning!r})")
        if self.sliding_layers + self.linear_layers > self.layers:
            raise CostModelError(self.id, "sliding_layers + linear_layers exceed layers")
        if (self.sliding_layers > 0) != (self.sliding_window > 0):
            raise CostModelError(self.id, "sliding_window and sliding_layers must both be 0 or both > 0")
        if self.qk_rope_head_dim > 0 and self.kv_lora_rank == 0:
            raise CostModelError(self.id, "qk_rope_head_dim needs kv_lora_rank (multi-head latent attention)")
        if self.dense_layers > self.layers or (self.dense_layers > 0 and self.experts == 0):
            raise CostModelError(self.id, "dense_layers must be at most layers, and 0 for a dense model")
        if self.active_params_billion > self.params_billion:
            raise CostModelError(self.id, "active parameters exceed total parameters")
        if self.experts < 0 or self.experts_per_token < 0 or not 0 <= self.expert_params_billion < self.params_billion:
            raise CostModelError(
                self.id,
                "experts, experts_per_token and expert_params_billion must be >= 0 (expert parameters below the total)",
            )
        if (self.experts > 0) != (self.experts_per_token > 0) or self.experts_per_token > self.experts:
            raise CostModelError(
                self.id, "a mixture of experts needs experts >= experts_per_token > 0 (both 0 for a dense model)"
            )

    @property
    def is_moe(self) -> bool:
        """Whether the model is a mixture of experts."""
        return self.experts > 0

    @property
    def reasons(self) -> bool:
        """Whether the model reasons (emits hidden thinking tokens) by default."""
        return self.reasoning == "true"


MODEL_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(OpenModel))
