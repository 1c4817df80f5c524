"""Fine-tuning: memory, GPU cost, and the break-even against an API fine-tuning price.

Equations: ``docs/model.md#fine-tuning``; the worked example they reproduce: ``docs/model.md#seed-004``.

LoRA trains a small fraction of the parameters; the frozen weights stay in memory at the serving
precision and the trainable ones need optimiser state and gradients on top (an "optimiser factor"
times their size). Units: GB = 1e9 bytes, MTok = 1e6 tokens.

References
----------
.. [1] E. J. Hu, Y. Shen, P. Wallis, Z. Allen-Zhu, Y. Li, S. Wang, L. Wang, W. Chen, "LoRA: Low-Rank
   Adaptation of Large Language Models", arXiv:2106.09685, 2021 (ICLR 2022).
.. [2] T. Dettmers, A. Pagnoni, A. Holtzman, L. Zettlemoyer, "QLoRA: Efficient Finetuning of Quantized
   LLMs", NeurIPS 2023, arXiv:2305.14314.
"""

from __future__ import annotations

import numpy as np

from .errors import CostModelError

__all__ = [
    "finetune_memory_gb",
    "finetune_cost",
    "tokens_from_words",
    "finetune_breakeven_words_per_day",
    "TOKENS_PER_WORD",
    "LORA_FRACTION",
    "OPTIMIZER_FACTOR",
]

#: A common rule of thumb for English text (the worked example docs/model.md#seed-004 uses 2).
TOKENS_PER_WORD = 1.33
#: Share of parameters LoRA trains (docs/model.md#seed-004: about 0.1%).
LORA_FRACTION = 0.001
#: Memory of the trainable parameters' gradients, optimiser state and buffers, as a multiple of their size
#: (docs/model.md#seed-004: "about five times").
OPTIMIZER_FACTOR = 5.0


def _check(name: str, value, low: float = 0.0, high: float | None = None, strict: bool = False) -> None:
    v = np.asarray(value, dtype=float)
    if not np.all(np.isfinite(v)):
        raise CostModelError(name, f"must be a finite number (got {value!r})")
    if np.any(v <= low if strict else v < low):
        raise CostModelError(name, f"must be {'>' if strict else '>='} {low:g} (got {value!r})")
    if high is not None and np.any(v > high):
        raise CostModelError(name, f"must be <= {high:g} (got {value!r})")


def finetune_memory_gb(
    params_billion, trainable_fraction=LORA_FRACTION, bytes_per_param=2.0, optimizer_factor=OPTIMIZER_FACTOR
):
    """Memory to fine-tune with LoRA / QLoRA [GB].

    Notes
    -----
    ``memory = params * bytes + params * trainable_fraction * bytes * optimizer_factor``
    (frozen weights at the training precision, plus the trainable weights times the optimiser factor).
    QLoRA is the same with 0.5 bytes per frozen parameter. Activations are not counted.
    See ``docs/model.md#fine-tuning``.

    References
    ----------
    .. [1] E. J. Hu et al., "LoRA: Low-Rank Adaptation of Large Language Models", arXiv:2106.09685, 2021.
    .. [2] T. Dettmers et al., "QLoRA: Efficient Finetuning of Quantized LLMs", NeurIPS 2023,
       arXiv:2305.14314.

    Examples
    --------
    >>> round(float(finetune_memory_gb(70, 0.001, 2, 5)), 2)   # docs/model.md#seed-004: 140 GB + 0.14 GB x 5
    140.7
    """
    _check("params_billion", params_billion, strict=True)
    _check("trainable_fraction", trainable_fraction, 0.0, 1.0)
    _check("bytes_per_param", bytes_per_param, strict=True)
    _check("optimizer_factor", optimizer_factor)
    weights = np.multiply(params_billion, bytes_per_param)
    return weights + weights * trainable_fraction * optimizer_factor


def finetune_cost(gpu_hours, price_per_gpu_hour):
    """Cost of a fine-tuning run [money] = GPU-hours [h] * price [money/GPU-h].

    >>> round(float(finetune_cost(24, 2.80)), 1)   # docs/model.md#seed-004: a day at 2.80 $/h is ~67 $
    67.2
    """
    _check("gpu_hours", gpu_hours)
    _check("price_per_gpu_hour", price_per_gpu_hour)
    return np.multiply(gpu_hours, price_per_gpu_hour) * 1.0


def tokens_from_words(words, tokens_per_word=TOKENS_PER_WORD):
    """Tokens [tokens] = words * tokens per word.

    >>> float(tokens_from_words(1000, 2))
    2000.0
    """
    _check("words", words)
    _check("tokens_per_word", tokens_per_word, strict=True)
    return np.multiply(words, tokens_per_word) * 1.0


def finetune_breakeven_words_per_day(self_hosted_cost_per_day, api_price_per_mtok, tokens_per_word=TOKENS_PER_WORD):
    """Words of training data per day at which API fine-tuning costs as much as self-hosted [words/day].

    Notes
    -----
    ``words/day = cost per day / (price per MTok / 1e6) / tokens per word``.

    Examples
    --------
    >>> round(float(finetune_breakeven_words_per_day(67, 8.0, 2)) / 1e6, 2)   # docs/model.md#seed-004: ~4.2M words/day
    4.19
    """
    _check("self_hosted_cost_per_day", self_hosted_cost_per_day)
    _check("api_price_per_mtok", api_price_per_mtok, strict=True)
    _check("tokens_per_word", tokens_per_word, strict=True)
    return np.divide(np.divide(self_hosted_cost_per_day, np.divide(api_price_per_mtok, 1e6)), tokens_per_word)
