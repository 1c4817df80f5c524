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


def check_column(key: str, num: np.ndarray) -> None:
    """Check a column of ``key``'s values (NaN = blank): finite, within bounds, whole where the key is a count.

    Raises :class:`CostModelError` naming the key and the first bad row (1-based).
    """
    finite = ~np.isnan(num)
    if np.isinf(num).any():
        j = int(np.flatnonzero(np.isinf(num))[0])
        raise CostModelError(key, f"must be a finite number (got {num[j]}) (row {j + 1})")
    for meta in Scenario.model_fields[key].metadata:
        for attr, op, test in (
            ("ge", ">=", np.less),
            ("gt", ">", np.less_equal),
            ("le", "<=", np.greater),
            ("lt", "<", np.greater_equal),
        ):
            bound = getattr(meta, attr, None)
            if bound is not None:
                bad = finite & test(num, bound)
                if bad.any():
                    j = int(np.flatnonzero(bad)[0])
                    raise CostModelError(key, f"must be {op} {bound:g} (got {num[j]:g}) (row {j + 1})")
    if is_whole(key):
        frac = finite & (num != np.floor(num))
        if frac.any():
            j = int(np.flatnonzero(frac)[0])
            raise CostModelError(key, f"must be a whole number (got {num[j]:g}) (row {j + 1})")
