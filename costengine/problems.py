"""Why an option cannot be computed for a scenario row: the collector the resolution stages report to.

An option that valid inputs cannot serve (:class:`~costengine.errors.Infeasible`: no layout meets the latency
targets, the model does not fit, no offer or server for the GPU at that pricing or billing, no API price) is
marked "not feasible" for that row alone: its cost coefficients become NaN and ``OptionCost.problem`` holds the
reason, while the other options are computed. What else happens depends on the mode:

- ``"mark"`` (one scenario): infeasible options are marked; a bad input value raises, naming the key.
- ``"coerce"`` (``sweep(df)``): bad values are marked too, on the options whose cost reads their key
  (:func:`costengine.acceptance.options_of_key`), and the value is replaced by its default so the rest of the row
  still resolves.
- ``"raise"`` (``sweep(df, errors="raise")``): nothing is marked, the first problem raises.

See ``docs/model.md#infeasible-options``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from .acceptance import options_of_key
from .errors import CostModelError, Infeasible

__all__ = ["Problems", "options_of", "MODES"]

MODES = ("mark", "coerce", "raise")
#: The options, in order (costengine.plan.OPTIONS: this module sits below the plan, which it does not import).
OPTIONS = ("api", "cloud", "onprem")


def options_of(key: str | None) -> tuple[str, ...]:
    """The options whose cost a bad value of ``key`` leaves unknown (:func:`options_of_key`); all three for a
    problem that names no scenario key."""
    try:
        return options_of_key(key) if key else OPTIONS
    except (TypeError, AttributeError):
        return OPTIONS


class Problems:
    """Per-row reasons, per option (``""`` = none), and per-row bad input values (coerce mode)."""

    def __init__(self, n: int, mode: str = "mark"):
        if mode not in MODES:
            raise CostModelError("errors", f"must be one of {', '.join(MODES)} (got {mode!r})")
        self.mode = mode
        self.reasons = {o: np.full(n, "", dtype=object) for o in OPTIONS}
        self.marked = {o: np.zeros(n, dtype=bool) for o in OPTIONS}  # reasons != "", kept as booleans (fast)
        self.from_input = {o: np.zeros(n, dtype=bool) for o in OPTIONS}
        self.inputs = np.full(n, "", dtype=object)

    def take(self, lo: int, hi: int) -> "Problems":
        """The rows lo..hi-1 (copies: a chunk of a sweep marks its own rows)."""
        out = Problems(hi - lo, self.mode)
        out.inputs = self.inputs[lo:hi].copy()
        for o in OPTIONS:
            out.reasons[o] = self.reasons[o][lo:hi].copy()
            out.marked[o] = self.marked[o][lo:hi].copy()
            out.from_input[o] = self.from_input[o][lo:hi].copy()
        return out

    @property
    def marks(self) -> bool:
        """Whether infeasible options are marked (not raised)."""
        return self.mode != "raise"

    def handle(self, options: tuple[str, ...], idx, exc: CostModelError) -> bool:
        """Mark the rows ``idx`` (indices) of ``options`` with ``exc``; False when the mode says raise it."""
        idx = np.atleast_1d(np.asarray(idx, dtype=np.intp))
        if isinstance(exc, Infeasible) and self.marks:
            self.infeasible(options, idx, exc.problem)
            return True
        if self.mode != "coerce":
            return False
        self.bad_value(exc.key, idx, exc.problem, options)
        return True

    def infeasible(self, options: tuple[str, ...], idx, texts) -> None:
        """Mark ``options`` not feasible at the rows ``idx``: ``texts`` one reason, or one per row (the first
        reason found for a row stays)."""
        idx = np.atleast_1d(np.asarray(idx, dtype=np.intp))
        texts = np.broadcast_to(np.asarray(texts, dtype=object), idx.shape)
        for o in options:
            free = ~self.marked[o][idx]
            self.reasons[o][idx[free]] = texts[free]
            self.marked[o][idx[free]] = True

    def bad_value(self, key: str | None, idx, problem, options: tuple[str, ...] | None = None) -> None:
        """A bad value of ``key`` at the rows ``idx`` (``problem``: one text, or one per row): the options it
        concerns cannot be computed there."""
        idx = np.atleast_1d(np.asarray(idx, dtype=np.intp))
        line = np.broadcast_to(np.asarray(problem, dtype=object), idx.shape)
        line = f"{key}: " + line if key else line
        cur = self.inputs[idx]
        self.inputs[idx] = np.where(cur == "", line, cur + "; " + line)
        for o in options or options_of(key):
            free = ~self.marked[o][idx]
            self.reasons[o][idx[free]] = line[free]
            self.marked[o][idx[free]] = True
            self.from_input[o][idx[free]] = True

    def any(self, option: str) -> np.ndarray:
        """The rows where ``option`` is marked (a boolean mask)."""
        return self.marked[option]

    def apply(self, option: str, opt: Any) -> Any:
        """``opt`` (a :class:`costengine.plan.OptionCost`) with NaN numbers and its ``problem`` text where the
        option is marked."""
        bad = self.any(option)
        if not bad.any():
            return opt
        changes = {}
        for field in dataclasses.fields(opt):
            value = getattr(opt, field.name)
            if isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.ndim == 1:
                changes[field.name] = np.where(bad, np.nan, value)
        problem = opt.problem.copy()
        problem[bad] = self.reasons[option][bad]
        return dataclasses.replace(opt, problem=problem, **changes)

    def column(self) -> np.ndarray:
        """One text per row: the bad values ("key: problem") and each infeasible option ("cloud: not feasible:
        reason"), "; "-joined; "" when none."""
        out = self.inputs.copy()
        for o in OPTIONS:
            hit = np.flatnonzero(self.any(o) & ~self.from_input[o])
            if len(hit):
                line = f"{o}: not feasible: " + self.reasons[o][hit]
                cur = out[hit]
                out[hit] = np.where(cur == "", line, cur + "; " + line)
        return out
