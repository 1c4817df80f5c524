"""Rules of the scenario keys and small formulas that every front end applies, each written once.

Whether a key takes whole numbers, a key's bounds (from the pydantic model), checking one value or a
column of values against them, the numbers that stand for a precision, the payback month
of two cumulative cost series, and the break-even of two fixed + variable costs.

>>> is_whole("min_replicas"), is_whole("requests_per_month")
(True, False)
>>> key_bounds("api_cached_input_share")
{'ge': 0, 'le': 1}
>>> payback_month_of([5.0, 9.0, 12.0], [3.0, 8.0, 13.0])
3
>>> linear_breakeven(1000.0, 0.0, 0.0, 0.01)
100000.0
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from .crossing import MAX_VOLUME, breakeven_arrays
from .errors import CostModelError
from .plan import OptionCost
from .scenario import _BYTES_TO_PRECISION, Scenario

__all__ = ["is_whole", "key_bounds", "numeric_bounds", "check_value", "check_column", "PRECISION_BY_BYTES",
           "payback_month_of", "linear_breakeven"]

#: Numbers accepted for a precision (bytes per parameter [B]) and the precision name each stands for.
PRECISION_BY_BYTES = MappingProxyType(_BYTES_TO_PRECISION)
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
        for attr, op, test in (("ge", ">=", np.less), ("gt", ">", np.less_equal),
                               ("le", "<=", np.greater), ("lt", "<", np.greater_equal)):
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


def payback_month_of(cumulative: Sequence[float], versus: Sequence[float]) -> int | None:
    """The first month t (1-based) with ``cumulative[t] <= versus[t]`` [month]; None when there is none.

    ``cumulative`` and ``versus`` are the cumulative costs of two options through months 1, 2, ... [money].
    """
    hit = np.flatnonzero(np.asarray(cumulative) <= np.asarray(versus))
    return int(hit[0]) + 1 if len(hit) else None


def linear_breakeven(fixed_a: float, per_request_a: float, fixed_b: float, per_request_b: float) -> float | None:
    """Volume R [requests/month] where ``fixed_a + per_request_a*R = fixed_b + per_request_b*R``.

    Found by the engine's break-even walk (:func:`costengine.crossing.breakeven_arrays`) on two costs without
    replica steps; None when they do not cross up to :data:`costengine.crossing.MAX_VOLUME`.
    """
    one = np.ones(1)

    def line(fixed: float, variable: float) -> OptionCost:
        return OptionCost(fixed=fixed * one, variable=variable * one, step=0 * one, capacity=np.inf * one,
                          min_units=0 * one, gpus_per_replica=0 * one, seconds_per_request=np.nan * one)

    r = float(breakeven_arrays(line(fixed_a, per_request_a), line(fixed_b, per_request_b), one, MAX_VOLUME)[0])
    return None if np.isnan(r) else r
