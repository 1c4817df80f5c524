"""Rules of the scenario keys and small formulas that every front end applies, each written once.

Whether a key takes whole numbers, a key's bounds (from the pydantic model), checking one value or a
column of values against them, and the numbers that stand for a precision. (The payback month of two cumulative
cost series is :func:`costengine.projection.payback_month_of`; the break-even of two fixed + variable costs
:func:`costengine.crossing.linear_breakeven`.)

>>> is_whole("min_replicas"), is_whole("requests_per_month")
(True, False)
>>> key_bounds("api_cached_input_share")
{'ge': 0, 'le': 1}
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import CostModelError
from .scenario import Scenario
from .serving.memory import PRECISION_BY_BYTES

__all__ = ["is_whole", "key_bounds", "numeric_bounds", "check_value", "check_column", "PRECISION_BY_BYTES"]

_LIMITS = ("ge", "gt", "le", "lt", "max_length")


def is_whole(key: str) -> bool:
    """True for the keys that take whole numbers (counts such as ``min_replicas``)."""
    return Scenario.model_fields[key].annotation in (int, int | None)


def key_bounds(key: str) -> dict[str, Any]:
    """The limits the scenario model puts on ``key``: the ones among ge, gt, le, lt, max_length it has, as given."""
    out: dict[str, Any] = {}
    for meta in Scenario.model_fields[key].metadata:
        for attr in _LIMITS:
            value = getattr(meta, attr, None)
            if value is not None:
                out[attr] = value
    return out


def numeric_bounds(key: str) -> dict[str, float]:
    """The numeric bounds of ``key`` (ge, gt, le, lt that it has) as floats."""
    return {k: float(v) for k, v in key_bounds(key).items() if k != "max_length"}


def check_value(key: str, value: float) -> None:
    """Raise :class:`CostModelError` naming ``key`` when ``value`` breaks the key's bounds (as the model checks)."""
    Scenario(**{key: int(value) if is_whole(key) and value == int(value) else value})


def check_column(key: str, num: np.ndarray, bad_rows=None) -> None:
    """Check a column of ``key``'s values (NaN = blank): finite, within bounds, whole where the key is a count.

    Raises :class:`CostModelError` naming the key and the first bad row (1-based); with ``bad_rows`` (a callable
    taking row indices and one problem per row) the bad rows are handed to it instead.
    """
    finite = ~np.isnan(num)
    rules: list[tuple[np.ndarray, Any]] = [(np.isinf(num), lambda v: f"must be a finite number (got {v})")]
    for meta in Scenario.model_fields[key].metadata:
        for attr, op, test in (
            ("ge", ">=", np.less),
            ("gt", ">", np.less_equal),
            ("le", "<=", np.greater),
            ("lt", "<", np.greater_equal),
        ):
            bound = getattr(meta, attr, None)
            if bound is not None:
                rules.append((finite & test(num, bound), lambda v, op=op, b=bound: f"must be {op} {b:g} (got {v:g})"))
    if is_whole(key):
        rules.append((finite & (num != np.floor(num)), lambda v: f"must be a whole number (got {v:g})"))
    for bad, text in rules:
        if not bad.any():
            continue
        idx = np.flatnonzero(bad)
        if bad_rows is None:
            raise CostModelError(key, f"{text(num[idx[0]])} (row {idx[0] + 1})")
        bad_rows(idx, [text(v) for v in num[idx]])
