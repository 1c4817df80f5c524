"""The scenario: every input of the cost model, validated by one pydantic model.

A scenario is a set of ``key -> value`` pairs. Every key has a default; a blank value (``None`` or an
empty string, as an empty Excel cell or CSV field arrives) means "use the default", and for the keys
whose default is blank it means "derive it" (from the catalogs or the sizing model).
The keys themselves (type, bounds, default, unit, meaning, source) are the table of
:mod:`costengine.scenario_keys`; this module reads values into them and names the key of every problem.
"""

from __future__ import annotations

import math
from typing import Any

from pydantic import ValidationError, field_validator, model_validator

from .acceptance import number_from_text
from .errors import CostModelError, closest
from .profiles import parse_profile, peak_to_average_of
from .scenario_keys import SCENARIO_KEYS, ScenarioKeys, key_info
from .serving.memory import parse_precision
from .workloads import workload_targets

__all__ = ["Scenario", "SCENARIO_KEYS", "parse_precision", "key_info"]

#: Old spellings kept working: ``reserved`` was the name of always-on billing.
BILLING_ALIASES = {
    "reserved": "always_on",
    "always": "always_on",
    "alwayson": "always_on",
    "persecond": "per_second",
    "serverless": "per_second",
}


class Scenario(ScenarioKeys):
    """One scenario of the cost model (see ``docs/model.md#scenario-keys``).

    Unknown keys and bad values raise :class:`~costengine.errors.CostModelError` naming the key.
    Use :meth:`Scenario.parse` for untrusted mappings (CSV rows, Excel ranges); the constructor
    validates the same way.

    Examples
    --------
    >>> s = Scenario(requests_per_month=1_000_000, prompt_tokens=1000, output_tokens=500)
    >>> s.requests_per_month
    1000000.0
    """

    @model_validator(mode="before")
    @classmethod
    def _blanks_mean_default(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = {k: v for k, v in data.items() if not (_is_blank(v) and k in cls.model_fields)}
            if "load_profile" in data and "peak_to_average" not in data:  # the profile gives the peak
                try:
                    data["peak_to_average"] = peak_to_average_of(parse_profile(data["load_profile"]))
                except CostModelError:
                    pass  # the field validator reports it
        return data

    @field_validator("load_profile", mode="before")
    @classmethod
    def _profile(cls, v: Any) -> Any:
        try:
            return parse_profile(v)
        except CostModelError as exc:
            raise ValueError(exc.problem) from None

    @field_validator("precision", mode="before")
    @classmethod
    def _precision(cls, v: Any) -> Any:
        return parse_precision(v, strict=False)

    @field_validator(
        "cloud_billing", "cloud_pricing", "redundancy", "cloud_region", "cloud_tier", "api_service_tier", mode="before"
    )
    @classmethod
    def _choice(cls, v: Any) -> Any:
        if isinstance(v, str):
            name = v.strip().lower().replace("-", "_").replace(" ", "_")
            return BILLING_ALIASES.get(name.replace("_", ""), BILLING_ALIASES.get(name, name))
        return v

    @field_validator("workload", mode="before")
    @classmethod
    def _workload(cls, v: Any) -> Any:
        return v.strip().lower() if isinstance(v, str) else v

    @field_validator("max_ttft_s", "max_tpot_ms", mode="before")
    @classmethod
    def _target(cls, v: Any) -> Any:
        # "none" (kept as 0) means no target; blank means the default target
        if isinstance(v, str) and v.strip().lower() in ("none", "no", "off"):
            return 0.0
        return v

    @field_validator("*", mode="before")
    @classmethod
    def _number_text(cls, v: Any, info: Any) -> Any:
        # a number typed as text is read by the rule the workbook applies (costengine.acceptance)
        if isinstance(v, str) and cls.model_fields[info.field_name].annotation in (
            float,
            int,
            float | None,
            int | None,
        ):
            read = number_from_text(v)
            if isinstance(read, str) and v.strip().lower() not in ("none", "no", "off"):
                raise ValueError(f"must be a number (got {v!r})")
            return read
        return v

    @field_validator(
        "currency", "api_model", "model", "cloud_gpu", "onprem_gpu", "cloud_offer", "onprem_server", mode="before"
    )
    @classmethod
    def _text(cls, v: Any) -> Any:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raise ValueError(f"must be text (got {v!r})")
        return v.strip() if isinstance(v, str) else v

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise _to_cost_model_error(exc, data) from None

    @classmethod
    def parse(cls, data: Any) -> "Scenario":
        """A scenario from a mapping of key -> value (keys are matched case-insensitively, trimmed)."""
        if isinstance(data, Scenario):
            return data
        if not hasattr(data, "items"):
            raise CostModelError("scenario", f"must be a mapping of key -> value (got {type(data).__name__})")
        clean: dict[str, Any] = {}
        for k, v in data.items():
            key = str(k).strip().lower()
            if key in clean:
                raise CostModelError(key, "is given twice")
            clean[key] = v
        return cls(**clean)

    def targets(self) -> tuple[float | None, float | None]:
        """The latency targets used: (``max_ttft_s`` [s], ``max_tpot_ms`` [ms/token]), a blank one taken from the
        ``workload`` (:data:`costengine.workloads.WORKLOADS`); None = no target (typed none/0, or batch work)."""
        defaults = workload_targets(self.workload)
        used = (d if v is None else v for v, d in zip((self.max_ttft_s, self.max_tpot_ms), defaults))
        return tuple(v if v else None for v in used)  # type: ignore[return-value]

    def replace(self, **changes: Any) -> "Scenario":
        """A copy with some keys changed, validated again."""
        return Scenario(**{**self.model_dump(), **changes})


def _is_blank(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, str) and v.strip() == "":
        return True
    return False


def _fmt(v: Any) -> str:
    if isinstance(v, float) and math.isfinite(v) and v == int(v) and abs(v) < 1e15:
        return str(int(v))
    return repr(v) if isinstance(v, str) else str(v)


def _message(err: dict[str, Any]) -> str:
    t, ctx, got = err["type"], err.get("ctx", {}), err.get("input")
    simple = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if t in simple:
        op, name = simple[t]
        return f"must be {op} {_fmt(ctx[name])} (got {_fmt(got)})"
    if t == "literal_error":
        return f"must be one of {ctx['expected'].replace(chr(39), '')} (got {_fmt(got)})"
    if t in ("float_parsing", "int_parsing", "float_type", "int_type"):
        return f"must be a number (got {_fmt(got)})"
    if t == "int_from_float":
        return f"must be a whole number (got {_fmt(got)})"
    if t == "finite_number":
        return f"must be a finite number (got {_fmt(got)})"
    if t in ("string_type",):
        return f"must be text (got {_fmt(got)})"
    if t == "string_too_short":
        return "must not be empty"
    if t == "string_too_long":
        return f"must be at most {ctx['max_length']} characters"
    msg = str(err.get("msg", t))
    return msg.removeprefix("Value error, ")


def _to_cost_model_error(exc: ValidationError, data: dict[str, Any]) -> CostModelError:
    problems: list[tuple[str | None, str]] = []
    for err in exc.errors():
        key = str(err["loc"][0]) if err["loc"] else None
        if err["type"] == "extra_forbidden":
            near = closest(key or "", Scenario.model_fields, n=1)
            hint = f"; did you mean {near[0]}?" if near else "; see LLM_SCENARIO_KEYS() for the keys"
            problems.append((key, f"unknown key{hint}"))
        else:
            problems.append((key, _message(err)))
    key, problem = problems[0]
    return CostModelError(key, problem, problems)
