"""Load profiles: the relative load of each hour of a typical day (``templates/load_profiles.csv``, dated and
sourced), and the parsing of a ``load_profile`` value: a profile id of that file or 24 numbers.

The hybrid option (:mod:`costengine.hybrid_split`) serves each hour's requests with the self-hosted replicas up to
their capacity and sends the rest to the API; the profile also gives the peak-to-average ratio (max / mean).
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from .catalog_rows import check_row
from .catalogs import _lookup, _read_rows
from .errors import CostModelError

__all__ = [
    "LoadProfile",
    "PROFILE_COLUMNS",
    "DEFAULT_PROFILE",
    "load_profiles",
    "profile_weights",
    "parse_profile",
    "peak_to_average_of",
]

#: The default profile id: Azure's 2024 conversation trace (a global chat service).
DEFAULT_PROFILE = "azure-2024-conversation"
HOURS = 24


@dataclass(frozen=True)
class LoadProfile:
    """One profile: relative loads ``h00`` .. ``h23`` [ratio, any scale] of the hours of a day, source and date."""

    id: str
    h00: float
    h01: float
    h02: float
    h03: float
    h04: float
    h05: float
    h06: float
    h07: float
    h08: float
    h09: float
    h10: float
    h11: float
    h12: float
    h13: float
    h14: float
    h15: float
    h16: float
    h17: float
    h18: float
    h19: float
    h20: float
    h21: float
    h22: float
    h23: float
    source: str
    as_of: str
    notes: str = ""

    def __post_init__(self) -> None:
        check_row(self, tuple(f"h{h:02d}" for h in range(HOURS)), ("source",))

    @property
    def weights(self) -> tuple[float, ...]:
        return tuple(getattr(self, f"h{h:02d}") for h in range(HOURS))


PROFILE_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(LoadProfile))


@functools.cache
def load_profiles() -> Mapping[str, LoadProfile]:
    """The shipped load profiles (read once; immutable)."""
    return _read_rows("load_profiles.csv", LoadProfile, PROFILE_COLUMNS)


def parse_profile(value: Any) -> str:
    """The canonical text of a ``load_profile`` value: a profile id (lower case) or 24 numbers joined by commas.

    Accepts a profile id, text of 24 numbers separated by commas, semicolons or spaces, or a sequence of 24
    numbers. Raises :class:`CostModelError` naming ``load_profile`` otherwise.
    """
    if isinstance(value, str):
        text = value.strip()
        parts = [p for p in re.split(r"[,;\s]+", text) if p]
        if len(parts) == 1 and not _is_number(parts[0]):
            return _lookup(load_profiles(), text, "load_profile", "load profile").id
        values = parts
    elif isinstance(value, (list, tuple)):
        values = list(value)
    else:
        raise CostModelError("load_profile", f"must be a profile id or {HOURS} numbers (got {value!r})")
    if len(values) != HOURS:
        raise CostModelError("load_profile", f"must have {HOURS} hourly values (got {len(values)})")
    nums = []
    for v in values:
        if isinstance(v, bool) or not _is_number(v):
            raise CostModelError("load_profile", f"hourly values must be numbers (got {v!r})")
        x = float(v)
        if not math.isfinite(x) or x < 0:
            raise CostModelError("load_profile", f"hourly values must be finite and >= 0 (got {v!r})")
        nums.append(x)
    if sum(nums) <= 0:
        raise CostModelError("load_profile", "needs at least one hour with load")
    return ",".join(str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x) for x in nums)


def _is_number(v: Any) -> bool:
    try:
        float(v)
    except (TypeError, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=1024)
def profile_weights(canonical: str | None) -> tuple[float, ...]:
    """The 24 hourly shares [fraction of a day's requests] of a canonical ``load_profile`` (None = default)."""
    text = canonical or DEFAULT_PROFILE
    if "," in text:
        raw = [float(x) for x in text.split(",")]
    else:
        raw = list(_lookup(load_profiles(), text, "load_profile", "load profile").weights)
    total = sum(raw)
    return tuple(x / total for x in raw)


def peak_to_average_of(canonical: str | None) -> float:
    """Peak hour over the mean hour [ratio >= 1] = 24 x the largest hourly share."""
    return HOURS * max(profile_weights(canonical))
